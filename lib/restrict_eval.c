/*
 * restrict_eval - walking a compiled restriction list: the verdict of
 * each restriction, warn_if_reject, defer_if_permit/defer_if_reject,
 * soft_bounce, and the log lines, in Postfix's shape (smtpd_check.c):
 *
 *	NOQUEUE: reject: RCPT from host[192.0.2.1]: 554 5.7.1 <x@y>:
 *	Relay access denied; from=<a@b> to=<x@y> proto=ESMTP helo=<h>
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mem.h"
#include "msg.h"
#include "restrict_priv.h"
#include "str.h"

#define RST_LOG_MAX 4096
#define RST_REPLY_MAX 510	/* RFC 5321 4.5.3.1.5 less CR LF */

/* rst_helo - the HELO name, noting that the walk depends on it */
const char *
rst_helo(struct rst_eval *ev)
{
	ev->used |= RST_USE_HELO;
	return ev->c->helo;
}

/* rst_sender - the sender, noting that the walk depends on it */
const char *
rst_sender(struct rst_eval *ev)
{
	ev->used |= RST_USE_SENDER;
	return ev->c->sender;
}

/* rst_rcpt - the recipient, noting that the walk depends on it */
const char *
rst_rcpt(struct rst_eval *ev)
{
	ev->used |= RST_USE_RCPT;
	return ev->c->recipient;
}

/* rst_printable - outside text in a log or reply: no control bytes */
static void
rst_printable(char *s)
{
	for (unsigned char *p = (unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
}

/* rst_whatsup - one log line about the session, with what is known */
static void
rst_whatsup(const struct mta_rst_client *c, const char *cmd,
	    const char *what, const char *text)
{
	struct mta_buf line = MTA_BUF_INIT(RST_LOG_MAX);

	mta_buf_printf(&line, "%s: %s: %s from %s[%s]: %s;",
		       c->queue_id ? c->queue_id : "NOQUEUE", what,
		       cmd ? cmd : "CONNECT", c->name ? c->name : "unknown",
		       c->addr ? c->addr : "unknown", text);
	if (c->sender)
		mta_buf_printf(&line, " from=<%s>", c->sender);
	if (c->recipient)
		mta_buf_printf(&line, " to=<%s>", c->recipient);
	if (c->protocol)
		mta_buf_printf(&line, " proto=%s", c->protocol);
	if (c->helo)
		mta_buf_printf(&line, " helo=<%s>", c->helo);
	if (line.data) {
		rst_printable(line.data);
		mta_msg_info("%s", line.data);
	}
	mta_buf_release(&line);
}

/* rst_log - a log line for the check at hand */
void
rst_log(struct rst_eval *ev, const char *what, const char *text)
{
	rst_whatsup(ev->c, ev->cmd, what, text);
}

/* mta_restrict_log - log a verdict smtpd reached, in the same shape */
void
mta_restrict_log(const struct mta_rst_client *c, const char *cmd,
		 const char *what, const struct mta_rst_verdict *v)
{
	char text[MTA_RST_TEXT_MAX + 32];

	if (v->code > 0)
		snprintf(text, sizeof(text), "%d %s %s", v->code, v->dsn,
			 v->text);
	else
		snprintf(text, sizeof(text), "%s", v->text[0] ? v->text
			 : v->reason);
	rst_whatsup(c, cmd, what, text);
}

/* rst_digits - how many digits (at most 4 counted) start s */
static size_t
rst_digits(const char *s)
{
	size_t n = 0;

	while (n < 4 && isdigit((unsigned char)s[n]))
		n++;
	return n;
}

/* rst_dsn_len - length of "X.Y.Z" at s (X in 2, 4, 5), 0 if none */
static size_t
rst_dsn_len(const char *s)
{
	size_t i = 2, n;

	if ((s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.')
		return 0;
	if ((n = rst_digits(s + i)) == 0 || n > 3 || s[i + n] != '.')
		return 0;
	i += n + 1;
	if ((n = rst_digits(s + i)) == 0 || n > 3)
		return 0;
	i += n;
	return i < 8 ? i : 0;	/* our verdict holds 7 characters */
}

/*
 * rst_dsn_split - an enhanced status code at the start of text (then
 * white space), else def; returns the text after it.
 */
const char *
rst_dsn_split(const char *text, const char *def, char dsn[8])
{
	size_t n = rst_dsn_len(text);

	if (n > 0 && (text[n] == ' ' || text[n] == '\t' || text[n] == '\0')) {
		memcpy(dsn, text, n);
		dsn[n] = '\0';
		text += n;
	} else {
		strlcpy(dsn, def, 8);
	}
	while (*text == ' ' || *text == '\t')
		text++;
	return text;
}

/* rst_dsn_fix - an address status code fitted to what is rejected */
const char *
rst_dsn_fix(const char *dsn, const char *reply_class)
{
	static const char *sender[] = {"4.1.0", "4.1.0", "4.1.8", "4.1.7",
		"4.1.0", "4.1.0", "4.1.0", "4.1.7", "4.1.8"};
	static const char *rcpt[] = {"4.1.0", "4.1.1", "4.1.2", "4.1.3",
		"4.1.4", "4.1.5", "4.1.6", "4.1.3", "4.1.2"};
	int micro;

	if (strncmp(dsn + 1, ".1.", 3) != 0)
		return dsn;
	micro = dsn[4] >= '1' && dsn[4] <= '8' && dsn[5] == '\0' ?
		dsn[4] - '0' : 0;
	if (strcmp(reply_class, "Sender address") == 0)
		return sender[micro];
	if (strcmp(reply_class, "Recipient address") == 0)
		return rcpt[micro];
	return "4.0.0";
}

/* rst_fill - the verdict of a reject: code, status code, text */
static void
rst_fill(struct rst_eval *ev, int code, const char *dsn, const char *text)
{
	ev->v->action = MTA_RST_REJECT;
	ev->v->code = code;
	strlcpy(ev->v->dsn, dsn, sizeof(ev->v->dsn));
	strlcpy(ev->v->text, text, sizeof(ev->v->text));
}

/*
 * rst_reject - reject (or only log it under warn_if_reject): check the
 * code, let defer_if_reject turn a 5xx into its 4xx, apply soft_bounce,
 * make the status code's class match, log, and fill the verdict.
 */
int
rst_reject(struct rst_eval *ev, int errclass, int code, const char *dsn,
	   const char *fmt, ...)
{
	char text[MTA_RST_TEXT_MAX], d[8], line[MTA_RST_TEXT_MAX + 32];
	bool warn = ev->warn_if_reject && errclass == RST_POLICY;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	strlcpy(d, dsn, sizeof(d));
	if (code < 400 || code > 599 || rst_dsn_len(d) != strlen(d)) {
		mta_msg_warn("SMTP reply code configuration error: %d %s %s",
			     code, dsn, text);
		code = 450;
		strlcpy(d, "4.7.1", sizeof(d));
		strlcpy(text, "Service unavailable", sizeof(text));
	}
	if (!warn && ev->dir.active && code >= 500) {
		struct rst_defer later = ev->dir;

		ev->dir.active = false;
		ev->warn_if_reject = 0;
		return rst_reject(ev, RST_POLICY, later.code, later.dsn, "%s",
				  later.text);
	}
	if (ev->r->soft_bounce && code >= 500)
		code -= 100;
	d[0] = (char)('0' + code / 100);
	rst_printable(text);
	if (strlen(text) + strlen(d) + 5 > RST_REPLY_MAX)
		text[RST_REPLY_MAX - strlen(d) - 5] = '\0';
	snprintf(line, sizeof(line), "%d %s %s", code, d, text);
	rst_log(ev, warn ? "reject_warning" : "reject", line);
	if (warn)
		return RST_DUNNO;
	rst_fill(ev, code, d, text);
	return RST_REJECT;
}

/* rst_server_error - a configuration or software problem: fail closed */
int
rst_server_error(struct rst_eval *ev)
{
	return rst_reject(ev, RST_SOFTWARE, 451, "4.3.5",
			  "Server configuration error");
}

/* rst_defer_if - keep the first reason of a later change of mind */
void
rst_defer_if(struct rst_defer *d, int code, const char *dsn,
	     const char *fmt, ...)
{
	va_list ap;

	if (d->active)
		return;
	d->active = true;
	d->code = code;
	strlcpy(d->dsn, dsn, sizeof(d->dsn));
	va_start(ap, fmt);
	vsnprintf(d->text, sizeof(d->text), fmt, ap);
	va_end(ap);
}

/* rst_mynetworks - permit_mynetworks */
static int
rst_mynetworks(struct rst_eval *ev, const char *reply_name)
{
	struct mta_buf err = MTA_BUF_INIT(512);
	int rc;

	if (ev->r->mynetworks == NULL)
		return rst_server_error(ev);
	rc = mta_netlist_match(ev->r->mynetworks, ev->c->name, ev->c->addr,
			       &err);
	if (rc < 0)
		mta_msg_warn("mynetworks: %s", mta_buf_str(&err));
	mta_buf_release(&err);
	if (rc < 0)
		return rst_reject(ev, RST_SOFTWARE, 451, "4.3.0",
				  "<%s>: Temporary lookup failure", reply_name);
	return rc ? RST_OK : RST_DUNNO;
}

/* rst_permit_auth - permit_auth_destination */
static int
rst_permit_auth(struct rst_eval *ev)
{
	const char *rcpt = rst_rcpt(ev);
	int rc;

	if (rcpt == NULL)
		return RST_DUNNO;
	if ((rc = rst_auth_destination(ev, rcpt)) < 0)
		return rst_reject(ev, RST_SOFTWARE, 451, "4.3.0",
				  "<%s>: Temporary lookup failure", rcpt);
	return rc ? RST_OK : RST_DUNNO;
}

/* rst_simple - the restrictions that need no lookup */
static int
rst_simple(struct rst_eval *ev, enum rst_op op, const char *reply_name,
	   const char *reply_class)
{
	struct mta_restrict *r = ev->r;

	switch (op) {
	case OP_PERMIT:
		return RST_OK;
	case OP_REJECT:
		return rst_reject(ev, RST_POLICY, r->reject_code, "5.7.1",
				  "<%s>: %s rejected: Access denied",
				  reply_name, reply_class);
	case OP_DEFER:
		return rst_reject(ev, RST_POLICY, r->defer_code, "4.3.2",
				  "<%s>: %s rejected: Try again later",
				  reply_name, reply_class);
	case OP_DEFER_IF_PERMIT:
		rst_defer_if(&ev->dip, 450, "4.7.0", "<%s>: %s rejected: "
			     "defer_if_permit requested", reply_name,
			     reply_class);
		return RST_DUNNO;
	case OP_DEFER_IF_REJECT:
		rst_defer_if(&ev->dir, 450, "4.7.0", "<%s>: %s rejected: "
			     "defer_if_reject requested", reply_name,
			     reply_class);
		return RST_DUNNO;
	case OP_UNAUTH_PIPELINING:
		if (!ev->c->unauth_pipelining)
			return RST_DUNNO;
		return rst_reject(ev, RST_POLICY, 503, "5.5.0", "<%s>: %s "
				  "rejected: Improper use of SMTP command "
				  "pipelining", reply_name, reply_class);
	case OP_UNKNOWN_CLIENT:
		if (ev->c->name && strcasecmp(ev->c->name, "unknown") != 0)
			return RST_DUNNO;
		return rst_reject(ev, RST_POLICY, r->unknown_client_code,
				  "4.7.25", "Client host rejected: cannot find "
				  "your hostname, [%s]", ev->c->addr);
	default:
		return RST_DUNNO;	/* permit_sasl_authenticated: no SASL */
	}
}

/* rst_address_op - the restrictions on the sender or the recipient */
static int
rst_address_op(struct rst_eval *ev, enum rst_op op)
{
	bool sender = op == OP_NON_FQDN_SENDER ||
		      op == OP_UNKNOWN_SENDER_DOMAIN;
	const char *addr = sender ? rst_sender(ev) : rst_rcpt(ev);
	const char *cls = sender ? "Sender address" : "Recipient address";

	if (addr == NULL || *addr == '\0')
		return RST_DUNNO;
	switch (op) {
	case OP_NON_FQDN_SENDER:
	case OP_NON_FQDN_RCPT:
		return rst_non_fqdn_addr(ev, addr, cls);
	case OP_UNLISTED_RCPT:
		return rst_unlisted_rcpt(ev, addr);
	default:
		return rst_unknown_domain(ev, addr, cls);
	}
}

/* rst_eval_item - the verdict of one restriction */
static int
rst_eval_item(struct rst_eval *ev, const struct rst_item *it,
	      const char *reply_name, const char *reply_class,
	      enum rst_op def_acl)
{
	const char *rcpt;

	switch (it->op) {
	case OP_ERROR:
		return rst_server_error(ev);
	case OP_PERMIT_MYNETWORKS:
		return rst_mynetworks(ev, reply_name);
	case OP_REJECT_UNAUTH_DEST:
	case OP_DEFER_UNAUTH_DEST:
		if ((rcpt = rst_rcpt(ev)) == NULL)
			return RST_DUNNO;
		return it->op == OP_REJECT_UNAUTH_DEST ?
			rst_unauth_destination(ev, ev->r->relay_code, "5.7.1") :
			rst_unauth_destination(ev, ev->r->relay_code - 100,
					       "4.7.1");
	case OP_PERMIT_AUTH_DEST:
		return rst_permit_auth(ev);
	case OP_CHECK_CLIENT:
		return rst_check_client_access(ev, it);
	case OP_CHECK_HELO:
		return rst_check_helo_access(ev, it);
	case OP_CHECK_SENDER:
		return rst_check_sender_access(ev, it);
	case OP_CHECK_RCPT:
		return rst_check_rcpt_access(ev, it);
	case OP_RBL_CLIENT:
		return rst_rbl_client(ev, it);
	case OP_NON_FQDN_HELO:
		return rst_helo(ev) ? rst_non_fqdn_helo(ev) : RST_DUNNO;
	case OP_INVALID_HELO:
		return rst_helo(ev) ? rst_invalid_helo(ev) : RST_DUNNO;
	case OP_NON_FQDN_SENDER:
	case OP_NON_FQDN_RCPT:
	case OP_UNKNOWN_SENDER_DOMAIN:
	case OP_UNKNOWN_RCPT_DOMAIN:
	case OP_UNLISTED_RCPT:
		return rst_address_op(ev, it->op);
	case OP_CLASS:
		return rst_eval_list(ev, it->cls, reply_name, reply_class,
				     def_acl);
	default:
		return rst_simple(ev, it->op, reply_name, reply_class);
	}
}

/*
 * rst_eval_list - walk a list until a restriction decides. A permit ends
 * this list only; warn_if_reject covers the next restriction; nesting
 * (classes, access values) is bounded.
 */
int
rst_eval_list(struct rst_eval *ev, const struct rst_list *list,
	      const char *reply_name, const char *reply_class,
	      enum rst_op def_acl)
{
	int status = RST_DUNNO, saved = ev->recursion++;

	if (ev->recursion > RST_RECURSION_MAX) {
		mta_msg_warn("restriction lists nest more than %d deep (a "
			     "restriction class or access table that names "
			     "itself?)", RST_RECURSION_MAX);
		ev->recursion = saved;
		return rst_server_error(ev);
	}
	for (size_t i = 0; i < list->n && !ev->discard; i++) {
		if (list->v[i].op == OP_WARN_IF_REJECT) {
			if (ev->warn_if_reject == 0)
				ev->warn_if_reject = ev->recursion;
			continue;
		}
		status = rst_eval_item(ev, &list->v[i], reply_name, reply_class,
				       def_acl);
		if (ev->warn_if_reject >= ev->recursion)
			ev->warn_if_reject = 0;
		if (status != RST_DUNNO)
			break;
		if (ev->dip.active && ev->dir.active)
			break;
	}
	ev->recursion = saved;
	if (ev->warn_if_reject >= ev->recursion)
		ev->warn_if_reject = 0;
	return status;
}
