/*
 * smtp_proto - the SMTP dialogue with one server: the greeting, EHLO (or
 * HELO), then one transaction per group of at most
 * smtp_destination_recipient_limit recipients: MAIL, RCPT..., DATA, the
 * content, the final dot. With PIPELINING, MAIL, every RCPT and DATA go
 * in one write and the replies are read in order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "mem.h"
#include "msg.h"
#include "smtp.h"

#define DSN_NOTIFY_NEVER 1
#define DSN_NOTIFY_SUCCESS 2
#define DSN_NOTIFY_FAILURE 4
#define DSN_NOTIFY_DELAY 8

/* reply_fail - "host h[a] said: REPLY (in reply to CMD command)" */
static void
reply_fail(struct smtp_conn *c, struct smtp_fail *f, const char *cmd)
{
	struct mta_buf flat = MTA_BUF_INIT(MTA_SMTP_REPLY_TEXT_MAX);

	mta_smtp_reply_flat(&c->reply, &flat);
	smtp_fail_set(f, c->reply.code >= 500, mta_smtp_reply_dsn(&c->reply),
		      c->relay, "host %s said: %s (in reply to %s command)",
		      c->namaddr, mta_buf_str(&flat), cmd);
	snprintf(f->diag, sizeof(f->diag), "%s", mta_buf_str(&flat));
	mta_buf_release(&flat);
}

/* read_reply - one reply at this stage; on an I/O error f is set */
static int
read_reply(struct smtp_conn *c, const char *stage, long timeout,
	   struct smtp_fail *f)
{
	c->stage = stage;
	if (smtp_reply(c, timeout) < 0) {
		smtp_io_fail(c, f);
		return -1;
	}
	return 0;
}

/* first_word_is - does the reply's text start with this host name? */
static bool
first_word_is(const struct smtp_conn *c, const char *name)
{
	const char *t = c->reply.text.data ? c->reply.text.data : "";
	size_t n = strlen(name);

	if (strlen(t) < 4 || n == 0)
		return false;
	t += 4;
	return strncasecmp(t, name, n) == 0 && (t[n] == ' ' || t[n] == '\0' ||
						 t[n] == '\n');
}

/* helo - EHLO, or HELO when EHLO is refused or never wanted */
static int
helo(struct smtp_req *sr, struct smtp_conn *c, struct smtp_fail *f)
{
	struct smtp_state *ss = sr->ss;
	const char *cmd = ss->never_ehlo ? "HELO" : "EHLO";

	smtp_printf(c, "%s %s", cmd, ss->helo_name);
	if (read_reply(c, ss->never_ehlo ? "performing the HELO handshake" :
		       "performing the EHLO handshake", ss->t_helo, f) < 0)
		return -1;
	if (!ss->never_ehlo && c->reply.code >= 500) {
		cmd = "HELO";
		smtp_printf(c, "HELO %s", ss->helo_name);
		if (read_reply(c, "performing the HELO handshake", ss->t_helo,
			       f) < 0)
			return -1;
	}
	if (c->reply.code / 100 != 2) {
		reply_fail(c, f, cmd);
		return -1;
	}
	if (strcmp(cmd, "EHLO") == 0)
		c->features = mta_smtp_ehlo_features(&c->reply, &c->size_limit);
	return 0;
}

/*
 * smtp_session_start - greeting and EHLO on a new connection. Returns 0,
 * or -1 with f set (the caller decides what it means for recipients).
 */
int
smtp_session_start(struct smtp_req *sr, struct smtp_conn *c,
		   struct smtp_fail *f)
{
	struct smtp_state *ss = sr->ss;
	struct mta_buf flat = MTA_BUF_INIT(MTA_SMTP_REPLY_TEXT_MAX);

	if (read_reply(c, "receiving the initial server greeting", ss->t_helo,
		       f) < 0)
		return -1;
	if (c->reply.code / 100 != 2) {
		mta_smtp_reply_flat(&c->reply, &flat);
		smtp_fail_set(f, c->reply.code >= 500 &&
			      !(ss->skip_5xx && !sr->final),
			      mta_smtp_reply_dsn(&c->reply), c->relay,
			      "host %s refused to talk to me: %s", c->namaddr,
			      mta_buf_str(&flat));
		snprintf(f->diag, sizeof(f->diag), "%s", mta_buf_str(&flat));
		mta_buf_release(&flat);
		return -1;
	}
	mta_buf_release(&flat);
	if (c->port == ss->port && first_word_is(c, ss->myhostname)) {
		smtp_fail_set(f, true, "5.4.6", c->relay, "mail for %s loops back "
			      "to myself", sr->req->nexthop);
		return -1;
	}
	return helo(sr, c, f);
}

/* xtext - RFC 3461 xtext of s into out */
static void
xtext(struct mta_buf *out, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch < '!' || ch > '~' || ch == '+' || ch == '=')
			mta_buf_printf(out, "+%02X", ch);
		else
			mta_buf_addc(out, ch);
	}
}

/* mail_from - the MAIL FROM command with the extensions offered */
static void
mail_from(struct smtp_req *sr, struct smtp_conn *c)
{
	struct mta_buf cmd = MTA_BUF_INIT(4096);

	mta_buf_adds(&cmd, "MAIL FROM:<");
	if (*sr->req->sender)	/* the null sender is <>, not <""> */
		mta_addr_quote(&cmd, sr->req->sender);
	mta_buf_addc(&cmd, '>');
	if ((c->features & MTA_SMTP_EXT_SIZE) && sr->msg.size > 0)
		mta_buf_printf(&cmd, " SIZE=%lld", sr->msg.size);
	if ((c->features & MTA_SMTP_EXT_8BITMIME) && sr->msg.eightbit)
		mta_buf_adds(&cmd, " BODY=8BITMIME");
	if (c->features & MTA_SMTP_EXT_DSN) {
		if (sr->msg.dsn_ret)
			mta_buf_adds(&cmd, sr->msg.dsn_ret == MTA_QREAD_RET_HDRS ?
				     " RET=HDRS" : " RET=FULL");
		if (sr->msg.dsn_envid && *sr->msg.dsn_envid) {
			mta_buf_adds(&cmd, " ENVID=");
			xtext(&cmd, sr->msg.dsn_envid);
		}
	}
	smtp_printf(c, "%s", mta_buf_str(&cmd));
	mta_buf_release(&cmd);
}

/* rcpt_to - the RCPT TO command of one recipient */
static void
rcpt_to(struct smtp_conn *c, const struct mta_dlv_rcpt *r)
{
	struct mta_buf cmd = MTA_BUF_INIT(4096);
	static const char *const names[] = {"SUCCESS", "FAILURE", "DELAY"};
	static const int bits[] = {DSN_NOTIFY_SUCCESS, DSN_NOTIFY_FAILURE,
				   DSN_NOTIFY_DELAY};
	const char *sep = " NOTIFY=";

	mta_buf_adds(&cmd, "RCPT TO:<");
	mta_addr_quote(&cmd, r->address);
	mta_buf_addc(&cmd, '>');
	if ((c->features & MTA_SMTP_EXT_DSN) && r->notify) {
		if (r->notify & DSN_NOTIFY_NEVER)
			mta_buf_adds(&cmd, " NOTIFY=NEVER");
		for (int i = 0; i < 3 && !(r->notify & DSN_NOTIFY_NEVER); i++)
			if (r->notify & bits[i]) {
				mta_buf_printf(&cmd, "%s%s", sep, names[i]);
				sep = ",";
			}
	}
	if ((c->features & MTA_SMTP_EXT_DSN) && *r->dsn_orcpt) {
		const char *semi = strchr(r->dsn_orcpt, ';');

		mta_buf_adds(&cmd, " ORCPT=");
		if (semi) {
			mta_buf_add(&cmd, r->dsn_orcpt, (size_t)(semi - r->dsn_orcpt + 1));
			xtext(&cmd, semi + 1);
		} else {
			mta_buf_adds(&cmd, "rfc822;");
			xtext(&cmd, r->dsn_orcpt);
		}
	}
	smtp_printf(c, "%s", mta_buf_str(&cmd));
	mta_buf_release(&cmd);
}

/* fail_batch - one failure for every recipient of the batch still open */
static void
fail_batch(struct smtp_req *sr, const size_t *idx, size_t n,
	   const struct smtp_fail *f, bool only_accepted)
{
	for (size_t k = 0; k < n; k++)
		if (!only_accepted || sr->accepted[idx[k]])
			smtp_fail_rcpt(sr, idx[k], f);
}

/* rset - after a failed transaction: the session can go on, or not */
static int
rset(struct smtp_req *sr, struct smtp_conn *c, struct smtp_fail *f)
{
	smtp_printf(c, "RSET");
	if (read_reply(c, "sending RSET", sr->ss->t_rset, f) < 0)
		return -1;
	if (c->reply.code / 100 != 2) {
		c->broken = true;	/* out of step: do not go on */
		reply_fail(c, f, "RSET");
		f->hard = false;
		return -1;
	}
	return 0;
}

/* too_big - the server's SIZE is smaller than the message: bounce */
static bool
too_big(struct smtp_req *sr, struct smtp_conn *c, const size_t *idx,
	size_t n)
{
	struct smtp_fail f;

	if (!(c->features & MTA_SMTP_EXT_SIZE) || c->size_limit <= 0 ||
	    sr->msg.size <= c->size_limit)
		return false;
	smtp_fail_set(&f, true, "5.3.4", c->relay, "message size %lld exceeds "
		      "size limit %lld of server %s", sr->msg.size,
		      c->size_limit, c->namaddr);
	fail_batch(sr, idx, n, &f, false);
	return true;
}

/* rcpt_replies - the RCPT replies (sending each first without pipelining) */
static int
rcpt_replies(struct smtp_req *sr, struct smtp_conn *c, const size_t *idx,
	     size_t n, bool pipe, bool mail_ok, struct smtp_fail *f)
{
	struct smtp_fail rf;
	size_t ok = 0;

	for (size_t k = 0; k < n && (pipe || mail_ok); k++) {
		size_t i = idx[k];

		if (!pipe)
			rcpt_to(c, &sr->req->rcpt[i]);
		if (read_reply(c, "sending RCPT TO", sr->ss->t_rcpt, f) < 0)
			return -1;
		if (!mail_ok)
			continue;
		if (c->reply.code / 100 == 2) {
			sr->accepted[i] = true;
			ok++;
			continue;
		}
		reply_fail(c, &rf, "RCPT TO");
		smtp_fail_rcpt(sr, i, &rf);
	}
	return (int)ok;
}

/* data_phase - DATA's reply, the content, the final reply */
static int
data_phase(struct smtp_req *sr, struct smtp_conn *c, const size_t *idx,
	   size_t n, struct smtp_fail *f)
{
	struct mta_buf flat = MTA_BUF_INIT(MTA_SMTP_REPLY_TEXT_MAX);
	struct smtp_fail df;
	int rc;

	c->stage = "sending message body";
	if ((rc = smtp_send_content(sr, c)) == -2) {
		smtp_fail_set(f, false, "4.3.0", "none", "error reading queue "
			      "file: %s", sr->msg.rr.error);
		sr->final = true;	/* no other server can do better */
		c->broken = true;
		return -1;
	}
	if (rc < 0) {
		smtp_io_fail(c, f);
		return -1;
	}
	if (read_reply(c, "sending end of data -- message may be sent more "
		       "than once", sr->ss->t_data_done, f) < 0)
		return -1;
	if (c->reply.code / 100 != 2) {
		reply_fail(c, &df, "end of DATA");
		fail_batch(sr, idx, n, &df, true);
		return 1;	/* failed, the session goes on */
	}
	mta_smtp_reply_flat(&c->reply, &flat);
	for (size_t k = 0; k < n; k++)
		if (sr->accepted[idx[k]])
			smtp_sent(sr, idx[k], c, mta_buf_str(&flat));
	mta_buf_release(&flat);
	return 0;
}

/* transaction - MAIL, RCPT..., DATA for the batch; -1: session over */
static int
transaction(struct smtp_req *sr, struct smtp_conn *c, const size_t *idx,
	    size_t n, struct smtp_fail *f)
{
	bool pipe = c->features & MTA_SMTP_EXT_PIPELINING, mail_ok;
	struct smtp_fail mf;
	int ok, rc;

	if (too_big(sr, c, idx, n))
		return 0;
	for (size_t k = 0; k < n; k++)
		sr->accepted[idx[k]] = false;
	mail_from(sr, c);
	for (size_t k = 0; pipe && k < n; k++)
		rcpt_to(c, &sr->req->rcpt[idx[k]]);
	if (pipe)
		smtp_printf(c, "DATA");
	if (read_reply(c, "sending MAIL FROM", sr->ss->t_mail, f) < 0)
		return -1;
	if (!(mail_ok = c->reply.code / 100 == 2))
		reply_fail(c, &mf, "MAIL FROM");
	if ((ok = rcpt_replies(sr, c, idx, n, pipe, mail_ok, f)) < 0)
		return -1;
	if (!mail_ok)
		fail_batch(sr, idx, n, &mf, false);
	if (!pipe && ok > 0)
		smtp_printf(c, "DATA");
	if (pipe || ok > 0) {
		if (read_reply(c, "sending DATA command", sr->ss->t_data_init,
			       f) < 0)
			return -1;
		if (c->reply.code == 354 && ok > 0)
			return (rc = data_phase(sr, c, idx, n, f)) <= 0 ? rc :
			       rset(sr, c, f);
		if (c->reply.code == 354) {
			/* a server that wants data for no one: end it empty */
			smtp_printf(c, ".");
			if (read_reply(c, "sending end of data", sr->ss->t_data_done,
				       f) < 0)
				return -1;
		} else if (ok > 0) {
			reply_fail(c, &mf, "DATA");
			fail_batch(sr, idx, n, &mf, true);
		}
	}
	return rset(sr, c, f);
}

/*
 * smtp_session_run - transactions until every recipient has been tried
 * on this connection. Returns 0, or -1 with f set when the session broke
 * (the recipients still pending are then the caller's).
 */
int
smtp_session_run(struct smtp_req *sr, struct smtp_conn *c, struct smtp_fail *f)
{
	size_t nr = sr->req->nrcpt, limit = sr->ss->rcpt_limit > 0 ?
		(size_t)sr->ss->rcpt_limit : nr;
	bool *tried = mta_calloc(nr, sizeof(*tried));
	size_t *idx = mta_calloc(nr, sizeof(*idx));
	int rc = 0;

	for (;;) {
		size_t n = 0;

		for (size_t i = 0; i < nr && n < limit; i++)
			if (!tried[i] &&
			    sr->req->rcpt[i].result == MTA_DLV_PENDING) {
				tried[i] = true;
				idx[n++] = i;
			}
		if (n == 0 || (rc = transaction(sr, c, idx, n, f)) < 0)
			break;
	}
	free(tried);
	free(idx);
	return rc < 0 ? -1 : 0;
}

/* smtp_quit - say goodbye (the reply is not waited for) and close */
void
smtp_quit(struct smtp_state *ss, struct smtp_conn *c)
{
	if (c == NULL)
		return;
	if (!c->broken) {
		smtp_printf(c, "QUIT");
		(void)smtp_flush(c, ss->t_quit < 5 ? ss->t_quit : 5);
	}
	smtp_conn_free(c);
}
