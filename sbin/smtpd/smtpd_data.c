/*
 * smtpd_data - DATA: the message text, line by line, into cleanup; the
 * reply only once cleanup has the queue file on disk (or knows why not).
 *
 * The end of the message is CR LF . CR LF and nothing else: a "." line
 * ends it only when it ends with CR LF and the line before it did too.
 * A bare LF is a line end for the text (normalize) or makes the message
 * refused once its real end is read (reject): never is it allowed to end
 * the message, and the client's bytes after a false end are never read
 * as commands. A bare CR is not a line end at all: it stays in the line,
 * and cleanup turns it into a space. Whatever is wrong with the text, we
 * read to the real end before we answer, so that the reply and the
 * client's next command stay in step.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "maildate.h"
#include "msg.h"
#include "smtpd.h"

/* What was seen in the text. */
struct data_state {
	bool prev_crlf;		/* the last line ended with CR LF */
	bool line_start;	/* the next piece starts a line */
	bool bare_lf, nul;
	bool ended;		/* CR LF . CR LF seen */
	unsigned long long bytes;
};

/* data_received - our Received: header, first line of the message */
static void
data_received(struct smtpd_session *s)
{
	struct mta_buf b = MTA_BUF_INIT(2048);
	char date[128];
	const char *mail_name = s->sd->mail_name;

	mta_mail_date(time(NULL), date, sizeof(date));
	mta_buf_printf(&b, "Received: from %s (%s [%s])",
		       s->helo ? s->helo : s->name, s->name, s->addr);
	mta_cleanup_text(s->cleanup, b.data, b.len, true);
	mta_buf_clear(&b);
	mta_buf_printf(&b, "\tby %s (%s) with %s id %s", s->sd->myhostname,
		       mail_name ? mail_name : "mta", s->protocol, s->qid);
	mta_cleanup_text(s->cleanup, b.data, b.len, true);
	mta_buf_clear(&b);
	if (s->nrcpt == 1 && s->first_rcpt)
		mta_buf_printf(&b, "\tfor <%s>; %s", s->first_rcpt, date);
	else
		mta_buf_printf(&b, "\t; %s", date);
	mta_cleanup_text(s->cleanup, b.data, b.len, true);
	mta_buf_release(&b);
}

/* data_piece - one piece of text: the end, or into cleanup */
static void
data_piece(struct smtpd_session *s, struct data_state *d, struct mta_buf *p,
	   const struct smtpd_line *info)
{
	const char *text = p->data ? p->data : "";
	size_t len = p->len;

	d->bytes += len + (info->complete ? 1 : 0);
	if (info->complete && !info->crlf)
		d->bare_lf = true;
	if (info->nul)
		d->nul = true;
	if (d->line_start && info->complete && info->crlf && d->prev_crlf &&
	    len == 1 && text[0] == '.') {
		d->ended = true;
		return;
	}
	if (d->line_start && len > 0 && text[0] == '.') {
		text++;		/* dot-stuffing, RFC 5321 4.5.2 */
		len--;
	}
	if (info->complete)
		d->prev_crlf = info->crlf;
	d->line_start = info->complete;
	if (s->cleanup && !d->nul &&
	    !(d->bare_lf && s->bare == SMTPD_BARE_REJECT))
		mta_cleanup_text(s->cleanup, text, len, info->complete);
}

/* data_read - the text up to its end; false when the client is gone */
static bool
data_read(struct smtpd_session *s, struct data_state *d)
{
	struct smtpd *sd = s->sd;
	struct mta_buf piece = MTA_BUF_INIT(sd->line_limit + 2);
	struct smtpd_line info;
	bool ok = true;

	smtpd_io_deadline(&s->io, sd->timeout);
	while (!d->ended) {
		if (smtpd_io_line(&s->io, &piece, (size_t)sd->line_limit,
				  &info) < 0) {
			ok = false;
			break;
		}
		data_piece(s, d, &piece, &info);
		if (sd->min_data_rate > 0)
			smtpd_io_extend(&s->io, (double)(piece.len + 2) /
					(double)sd->min_data_rate);
	}
	mta_buf_release(&piece);
	return ok;
}

/* data_refuse - the text was read but is refused: say why, forget it */
static void
data_refuse(struct smtpd_session *s, int code, const char *dsn,
	    const char *text)
{
	struct mta_rst_verdict v = {.action = MTA_RST_REJECT, .code = code};

	snprintf(v.dsn, sizeof(v.dsn), "%s", dsn);
	snprintf(v.text, sizeof(v.text), "%s", text);
	mta_restrict_log(&s->rc, "END-OF-MESSAGE", "reject", &v);
	smtpd_reply(s, code, dsn, "%s", text);
	smtpd_reset(s);
}

/* data_finish - the reply for a message read whole */
static void
data_finish(struct smtpd_session *s, const struct data_state *d)
{
	struct mta_buf why = MTA_BUF_INIT(512);
	char id[MTA_QID_SIZE];
	int status;

	if (d->bare_lf && s->bare == SMTPD_BARE_REJECT) {
		data_refuse(s, (int)s->sd->bare_reject_code, "5.5.2",
			    "Error: bare <LF> received");
		return;
	}
	if (d->nul) {
		data_refuse(s, 554, "5.6.0", "Error: NUL character in message");
		return;
	}
	if (s->discard) {
		mta_msg_info("%s: discard: END-OF-MESSAGE from %s[%s]: message discarded by an access table",
			     s->qid, s->name, s->addr);
		smtpd_io_reply(&s->io, "250 2.0.0 Ok: queued as %s", s->qid);
		smtpd_reset(s);
		return;
	}
	if (s->hold)
		mta_cleanup_hold(s->cleanup);
	status = mta_cleanup_close(s->cleanup, id, &why);
	s->cleanup = NULL;
	if (status == MTA_CLEANUP_OK) {
		smtpd_io_reply(&s->io, "250 2.0.0 Ok: queued as %s", id);
	} else {
		smtpd_reply(s, mta_cleanup_smtp(status), NULL, "%s",
			    mta_cleanup_dsn(status));
	}
	mta_buf_release(&why);
	smtpd_reset(s);
}

/* smtpd_cmd_data - DATA */
void
smtpd_cmd_data(struct smtpd_session *s, char *arg)
{
	struct data_state d = {.prev_crlf = true, .line_start = true};
	struct mta_rst_verdict v;

	if (*arg != '\0') {
		smtpd_reply(s, 501, "5.5.4", "Syntax: DATA");
		return;
	}
	if (s->sender == NULL || s->nrcpt == 0) {
		if (s->rcpt_rejected > 0)
			smtpd_reply(s, 554, "5.5.1", "Error: no valid recipients");
		else
			smtpd_reply(s, 503, "5.5.1", "Error: need RCPT command");
		return;
	}
	if (mta_restrict_check(s->sd->rst, MTA_RST_DATA, "DATA", &s->rc, &v) < 0 ||
	    v.action != MTA_RST_ACCEPT) {
		smtpd_verdict_reply(s, &v);
		smtpd_reset(s);
		return;
	}
	if (smtpd_io_pending(&s->io)) {
		/* text sent before 354 could be commands in disguise */
		smtpd_sync_error(s, "DATA");
		if (s->quit) {
			smtpd_reset(s);
			return;
		}
	}
	smtpd_io_reply(&s->io, "354 End data with <CR><LF>.<CR><LF>");
	data_received(s);
	if (!data_read(s, &d)) {
		mta_msg_info("%s after DATA (%llu bytes) from %s[%s]",
			     s->io.timedout ? "timeout" : "lost connection",
			     d.bytes, s->name, s->addr);
		smtpd_reset(s);
		return;
	}
	data_finish(s, &d);
}
