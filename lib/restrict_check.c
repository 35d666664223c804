/*
 * restrict_check - the stages of a session (see restrict.h). With
 * smtpd_delay_reject the client, HELO and sender lists run at RCPT;
 * what each walk looked at is recorded, and its verdict is replayed
 * while those parts of the session stay the same (a DNSBL is asked once
 * a session, a sender domain once a MAIL), never when it looked at the
 * recipient.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mem.h"
#include "msg.h"
#include "restrict_priv.h"

/* The reply classes of the lists, Postfix's words. */
#define CLASS_CLIENT "Client host"
#define CLASS_HELO "Helo command"
#define CLASS_SENDER "Sender address"
#define CLASS_RCPT "Recipient address"
#define CLASS_DATA "Data command"

/* rst_session_get - the session memory, made on first use */
static struct rst_session *
rst_session_get(struct mta_rst_client *c)
{
	if (c->state == NULL)
		c->state = mta_calloc(1, sizeof(struct rst_session));
	return c->state;
}

/* rst_streq - equal strings, NULL equal only to NULL */
static bool
rst_streq(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* rst_cache_fits - may the remembered walk stand for a new one? */
static bool
rst_cache_fits(const struct rst_cache *k, const struct mta_rst_client *c)
{
	return k->valid && !(k->used & RST_USE_RCPT) &&
	       (!(k->used & RST_USE_HELO) || rst_streq(k->helo, c->helo)) &&
	       (!(k->used & RST_USE_SENDER) || rst_streq(k->sender, c->sender));
}

/* rst_cache_clear - forget one remembered walk */
static void
rst_cache_clear(struct rst_cache *k)
{
	free(k->helo);
	free(k->sender);
	memset(k, 0, sizeof(*k));
}

/* rst_cache_replay - a remembered verdict, logged again if a reject */
static int
rst_cache_replay(struct rst_eval *ev, const struct rst_cache *k)
{
	char line[MTA_RST_TEXT_MAX + 32];

	if (k->dip.active && !ev->dip.active)
		ev->dip = k->dip;
	ev->hold |= k->hold;
	ev->discard |= k->discard;
	if (k->status == RST_REJECT) {
		*ev->v = k->v;
		snprintf(line, sizeof(line), "%d %s %s", k->v.code, k->v.dsn,
			 k->v.text);
		rst_log(ev, "reject", line);
	}
	return k->status;
}

/* rst_run_cached - one of the client, HELO, sender lists, remembered */
static int
rst_run_cached(struct rst_eval *ev, int which, const char *reply_name,
	       const char *reply_class, enum rst_op def_acl)
{
	struct rst_cache *k = &rst_session_get(ev->c)->list[which];
	unsigned used = ev->used;
	bool had_dip = ev->dip.active, hold = ev->hold, discard = ev->discard;
	int status;

	if (rst_cache_fits(k, ev->c))
		return rst_cache_replay(ev, k);
	ev->used = 0;
	ev->dir.active = false;
	ev->warn_if_reject = ev->recursion = 0;
	status = rst_eval_list(ev, &ev->r->lists[which], reply_name,
			       reply_class, def_acl);
	rst_cache_clear(k);
	k->valid = !(ev->used & RST_USE_RCPT);
	k->used = ev->used;
	k->helo = ev->c->helo ? mta_strdup(ev->c->helo) : NULL;
	k->sender = ev->c->sender ? mta_strdup(ev->c->sender) : NULL;
	k->status = status;
	k->v = *ev->v;
	if (!had_dip && ev->dip.active)
		k->dip = ev->dip;
	k->hold = ev->hold && !hold;
	k->discard = ev->discard && !discard;
	ev->used |= used;
	return status;
}

/* rst_run - a list walked now, with a fresh defer_if_reject */
static int
rst_run(struct rst_eval *ev, enum rst_which which, const char *reply_name,
	const char *reply_class, enum rst_op def_acl)
{
	ev->dir.active = false;
	ev->warn_if_reject = ev->recursion = 0;
	return rst_eval_list(ev, &ev->r->lists[which], reply_name, reply_class,
			     def_acl);
}

/* rst_defer_now - a pending defer_if_permit becomes the verdict */
static int
rst_defer_now(struct rst_eval *ev, int status)
{
	struct rst_defer d = ev->dip;

	if (status == RST_REJECT || !d.active)
		return status;
	ev->dip.active = false;
	ev->warn_if_reject = 0;
	ev->dir.active = false;
	return rst_reject(ev, RST_POLICY, d.code, d.dsn, "%s", d.text);
}

/* rst_delayed - client, HELO, sender lists at RCPT (smtpd_delay_reject) */
static int
rst_delayed(struct rst_eval *ev)
{
	struct mta_rst_client *c = ev->c;
	struct rst_session *s = rst_session_get(c);
	int status;

	if (!ev->r->delay_reject) {
		for (int i = 0; i < 3; i++)
			if (s->dip[i].active && !ev->dip.active)
				ev->dip = s->dip[i];
		return RST_DUNNO;
	}
	status = rst_run_cached(ev, RST_L_CLIENT, ev->namaddr, CLASS_CLIENT,
				OP_CHECK_CLIENT);
	if (status != RST_REJECT && c->helo)
		status = rst_run_cached(ev, RST_L_HELO, c->helo, CLASS_HELO,
					OP_CHECK_HELO);
	if (status != RST_REJECT && c->sender)
		status = rst_run_cached(ev, RST_L_SENDER, c->sender,
					CLASS_SENDER, OP_CHECK_SENDER);
	return status;
}

/* rst_check_rcpt - RCPT TO: delayed lists, relay, recipient, unlisted */
static int
rst_check_rcpt(struct rst_eval *ev)
{
	const char *rcpt = ev->c->recipient;
	struct rst_session *s = rst_session_get(ev->c);
	int status;

	if (rcpt == NULL || strcasecmp(rcpt, "postmaster") == 0)
		return RST_DUNNO;	/* RFC 5321 4.5.1: always accepted */
	if (s->txn_discard)
		return (ev->discard = true, RST_OK);
	if ((status = rst_delayed(ev)) == RST_REJECT)
		return status;
	if (ev->r->relay_guard_missing)
		return rst_server_error(ev);
	status = rst_run(ev, RST_L_RELAY, rcpt, CLASS_RCPT, OP_CHECK_RCPT);
	if (status != RST_REJECT)
		status = rst_run(ev, RST_L_RCPT, rcpt, CLASS_RCPT,
				 OP_CHECK_RCPT);
	status = rst_defer_now(ev, status);
	if (ev->r->reject_unlisted && status != RST_REJECT &&
	    !ev->unlisted_checked && !ev->discard && *rcpt)
		status = rst_unlisted_rcpt(ev, rcpt);
	return status;
}

/* rst_check_stage - the work of one stage; the verdict is in ev->v */
static int
rst_check_stage(struct rst_eval *ev, enum mta_rst_stage stage)
{
	struct mta_rst_client *c = ev->c;
	struct rst_session *s = rst_session_get(c);
	int status = RST_DUNNO;

	switch (stage) {
	case MTA_RST_CONNECT:
		if (ev->r->delay_reject)
			return RST_DUNNO;
		status = rst_run(ev, RST_L_CLIENT, ev->namaddr, CLASS_CLIENT,
				 OP_CHECK_CLIENT);
		s->dip[0] = ev->dip;
		return status;
	case MTA_RST_HELO:
		if (ev->r->delay_reject || c->helo == NULL)
			return RST_DUNNO;
		status = rst_run(ev, RST_L_HELO, c->helo, CLASS_HELO,
				 OP_CHECK_HELO);
		s->dip[1] = ev->dip;
		return status;
	case MTA_RST_MAIL:
		mta_restrict_reset_txn(c);
		if (ev->r->delay_reject || c->sender == NULL)
			return RST_DUNNO;
		status = rst_run(ev, RST_L_SENDER, c->sender, CLASS_SENDER,
				 OP_CHECK_SENDER);
		s->dip[2] = ev->dip;
		return status;
	case MTA_RST_RCPT:
		return rst_check_rcpt(ev);
	default:
		if (s->txn_discard)
			return (ev->discard = true, RST_OK);
		status = rst_run(ev, RST_L_DATA, "DATA", CLASS_DATA, OP_ERROR);
		return rst_defer_now(ev, status);
	}
}

/* rst_eval_init - a fresh evaluation context for one check */
static void
rst_eval_init(struct rst_eval *ev, struct mta_restrict *r,
	      const char *cmd, struct mta_rst_client *c,
	      struct mta_rst_verdict *v)
{
	memset(ev, 0, sizeof(*ev));
	memset(v, 0, sizeof(*v));
	v->action = MTA_RST_ACCEPT;
	ev->r = r;
	ev->c = c;
	ev->cmd = cmd;
	ev->v = v;
	snprintf(ev->namaddr, sizeof(ev->namaddr), "%s[%s]",
		 c->name ? c->name : "unknown", c->addr ? c->addr : "unknown");
}

/* mta_restrict_check - the verdict of one stage */
int
mta_restrict_check(struct mta_restrict *r, enum mta_rst_stage stage,
		   const char *cmd, struct mta_rst_client *c,
		   struct mta_rst_verdict *v)
{
	struct rst_eval ev;
	struct rst_session *s;
	int status;

	rst_eval_init(&ev, r, cmd, c, v);
	if (c->addr == NULL) {
		strlcpy(v->dsn, "4.3.0", sizeof(v->dsn));
		strlcpy(v->text, "Error: internal error", sizeof(v->text));
		v->code = 451;
		v->action = MTA_RST_REJECT;
		return -1;
	}
	status = rst_check_stage(&ev, stage);
	s = rst_session_get(c);
	if (status == RST_REJECT)
		return 0;
	if (c->sender != NULL) {
		s->txn_discard |= ev.discard;
		s->txn_hold |= ev.hold;
	}
	v->discard = ev.discard || s->txn_discard;
	v->hold = ev.hold || s->txn_hold;
	return 0;
}

/* mta_restrict_reset_txn - a new mail transaction: no DISCARD, no HOLD */
void
mta_restrict_reset_txn(struct mta_rst_client *c)
{
	struct rst_session *s = c->state;

	if (s != NULL)
		s->txn_discard = s->txn_hold = false;
}

/* mta_restrict_session_end - forget the session */
void
mta_restrict_session_end(struct mta_rst_client *c)
{
	struct rst_session *s = c->state;

	if (s == NULL)
		return;
	for (int i = 0; i < 3; i++)
		rst_cache_clear(&s->list[i]);
	free(s);
	c->state = NULL;
}
