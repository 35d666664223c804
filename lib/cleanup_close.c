/*
 * cleanup_close - the end of a message: the extracted segment, the checks
 * that need the whole message, and the queue file made durable (or
 * removed), with the status a caller answers its client from.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup_priv.h"
#include "trigger.h"
#include "mem.h"
#include "msg.h"

/* The replies, most severe first (Postfix's cleanup_stat_map order). */
static const struct {
	int status;
	int smtp;
	const char *text;
} cleanup_replies[] = {
        {MTA_CLEANUP_NOSPACE, 452, "4.3.1 Error: insufficient system storage"},
        {MTA_CLEANUP_BAD, 451, "4.3.0 Error: internal protocol error"},
        {MTA_CLEANUP_RCPT, 550, "5.1.0 Error: no recipients specified"},
        {MTA_CLEANUP_HOPS, 554, "5.4.0 Error: too many hops"},
        {MTA_CLEANUP_SIZE, 552, "5.3.4 Error: message file too big"},
        {MTA_CLEANUP_WRITE, 451, "4.3.0 Error: queue file write error"},
};

#define NREPLIES (sizeof(cleanup_replies) / sizeof(cleanup_replies[0]))

/* mta_cleanup_dsn - "X.Y.Z text" for a close status */
const char *
mta_cleanup_dsn(int status)
{
	if (status == MTA_CLEANUP_OK)
		return "2.0.0 Ok";
	for (size_t i = 0; i < NREPLIES; i++)
		if (status & cleanup_replies[i].status)
			return cleanup_replies[i].text;
	return "4.3.0 Error: queue file write error";
}

/* mta_cleanup_smtp - the SMTP reply code for a close status */
int
mta_cleanup_smtp(int status)
{
	if (status == MTA_CLEANUP_OK)
		return 250;
	for (size_t i = 0; i < NREPLIES; i++)
		if (status & cleanup_replies[i].status)
			return cleanup_replies[i].smtp;
	return 451;
}

/* rcpts_free - release a recipient list */
static void
rcpts_free(struct cleanup_rcpts *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].addr);
		free(l->v[i].orig);
		free(l->v[i].dsn_orcpt);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* cleanup_free - release everything; the file is already gone or done */
static void
cleanup_free(struct mta_cleanup *c)
{
	for (size_t i = 0; i < c->nenv; i++)
		free(c->env[i].data);
	free(c->env);
	rcpts_free(&c->rcpts);
	rcpts_free(&c->xrcpts);
	rcpts_free(&c->extract);
	rcpts_free(&c->extract_resent);
	mta_htable_release(c->dups);
	free(c->dups);
	mta_rewrite_free(c->rw);
	mta_buf_release(&c->pline);
	mta_buf_release(&c->hdr);
	free(c->sender);
	free(c->fullname);
	free(c->encoding);
	free(c->pending_orcpt);
	free(c->message_id);
	free(c);
}

/* mta_cleanup_abort - give up: no queue file is left behind */
void
mta_cleanup_abort(struct mta_cleanup *c)
{
	if (c == NULL)
		return;
	mta_qwriter_abort(&c->w);
	cleanup_free(c);
}

/*
 * extracted_rcpts - recipients from To/Cc/Bcc ("sendmail -t"): the
 * Resent- ones instead when the message was resent and has some.
 */
static void
extracted_rcpts(struct mta_cleanup *c)
{
	struct cleanup_rcpts *from = c->resent && c->extract_resent.n
	                                     ? &c->extract_resent
	                                     : &c->extract;
	struct mta_buf out = MTA_BUF_INIT(CLEANUP_ADDR_MAX);

	for (size_t i = 0; i < from->n; i++) {
		if (cleanup_canon_rcpt(c, from->v[i].addr, &out) < 0)
			continue;
		cleanup_add_rcpt(&c->xrcpts, out.len ? out.data : "",
		                 from->v[i].orig, NULL, 0);
	}
	mta_buf_release(&out);
}

/* extracted_segment - 'X', what the headers told, late recipients, 'E' */
static void
extracted_segment(struct mta_cleanup *c)
{
	if (c->flags & MTA_CLEANUP_EXTRACT)
		extracted_rcpts(c);
	cleanup_out_rec(c, 'X', "");
	if (c->message_id)
		cleanup_out_recf(c, 'A', "message_id=%s", c->message_id);
	if (c->encoding)
		cleanup_out_recf(c, 'A', "encoding=%s", c->encoding);
	for (size_t i = 0; i < c->xrcpts.n; i++)
		cleanup_out_rcpt(c, &c->xrcpts.v[i]);
	if (c->written == 0)
		cleanup_fail(c, MTA_CLEANUP_RCPT, "no recipients specified");
	cleanup_out_rec(c, 'E', "");
}

/* write_status - a failed write: disk full or another error */
static int
write_status(int err)
{
	return err == ENOSPC || err == EDQUOT ? MTA_CLEANUP_NOSPACE
	                                      : MTA_CLEANUP_WRITE;
}

/* close_failed - remove the file, log, say why */
static int
close_failed(struct mta_cleanup *c, const char *id, struct mta_buf *why)
{
	int status = c->status;

	mta_msg_warn("%s: message rejected: %s", id, c->why);
	if (why)
		mta_buf_printf(why, "%s", c->why);
	mta_cleanup_abort(c);
	return status;
}

/* mta_cleanup_id - the queue id of the file being written */
const char *
mta_cleanup_id(const struct mta_cleanup *c)
{
	return c->w.id;
}

/* mta_cleanup_hold - close into hold/: the message waits for an admin
 * (who decided so logs why: smtpd's restrictions log "hold: ...") */
void
mta_cleanup_hold(struct mta_cleanup *c)
{
	c->hold = true;
}

/*
 * close_hold - the durable file goes from incoming/ to hold/; if the
 * move fails the message stays in incoming/ and is delivered: it is on
 * disk either way, which is what matters once we said 250.
 */
static int
close_hold(struct mta_cleanup *c, const char *id)
{
	if (mta_spool_move(c->w.spool, id, MTA_QUEUE_INCOMING,
			   MTA_QUEUE_HOLD) < 0) {
		mta_msg_warn("%s: move to %s: %s", id, MTA_QUEUE_HOLD,
			     strerror(errno));
		(void)mta_trigger(c->w.spool->dirfd, "public/qmgr",
				  MTA_TRIGGER_SCAN_INCOMING);
	}
	cleanup_free(c);
	return MTA_CLEANUP_OK;
}

/*
 * mta_cleanup_close - finish the message: MTA_CLEANUP_OK only once the
 * queue file is complete and durable (qwriter: fsync, 0700, fsync dir);
 * otherwise the file is removed. c is freed either way.
 */
int
mta_cleanup_close(struct mta_cleanup *c, char id[MTA_QID_SIZE],
                  struct mta_buf *why)
{
	if (c->phase == CLEANUP_ENVELOPE)
		mta_cleanup_text(c, "", 0, false);
	if (c->phase == CLEANUP_HEADERS)
		cleanup_header_finish(c);
	extracted_segment(c);
	if (c->status == MTA_CLEANUP_OK && c->w.error)
		cleanup_fail(c, write_status(c->w.error),
		             "queue file write error: %s",
		             strerror(c->w.error));
	strlcpy(id, c->w.id, MTA_QID_SIZE);
	if (c->status != MTA_CLEANUP_OK)
		return close_failed(c, id, why);
	if (mta_qwriter_close(&c->w) < 0) {
		int err = errno;

		cleanup_fail(c, write_status(err), "queue file write error: %s",
		             strerror(err));
		return close_failed(c, id, why);
	}
	if (c->hold)
		return close_hold(c, id);
	/* Tell qmgr, as Postfix's cleanup does; not running: it scans
	 * incoming/ when it starts. */
	(void)mta_trigger(c->w.spool->dirfd, "public/qmgr",
			  MTA_TRIGGER_SCAN_INCOMING);
	cleanup_free(c);
	return MTA_CLEANUP_OK;
}
