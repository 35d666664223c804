/*
 * qmgr_done - a message whose deliveries have all answered: removed when
 * nothing is left, returned to its sender (a delivery status
 * notification) for what bounced, deferred for what must be tried again.
 *
 * The wait before the next attempt doubles with every failed attempt, as
 * the article asks: wait = age + minimal_backoff_time, within
 * [minimal_backoff_time, maximal_backoff_time], where age is the time
 * since the message was queued. With attempts at 0, m, 3m, 7m ... the
 * waits are m, 2m, 4m, 8m ... (Postfix waits "age" alone: m, m, 2m, 4m.)
 * Mail older than maximal_queue_lifetime (bounce_queue_lifetime for a
 * bounce), or whose expiry was forced, is returned instead of deferred.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "addr.h"
#include "bouncelog.h"
#include "dsn.h"
#include "msg.h"
#include "qmgr.h"

/* done_count - recipients still to deliver */
static int
done_count(const struct qmgr_msg *m, enum mta_dlv_result which)
{
	int n = 0;

	for (size_t i = 0; i < m->njobs; i++)
		for (size_t j = 0; j < m->jobs[i]->req.nrcpt; j++) {
			enum mta_dlv_result r = m->jobs[i]->req.rcpt[j].result;

			if (r == which || (which == MTA_DLV_DEFERRED &&
					   r == MTA_DLV_PENDING))
				n++;
		}
	return n;
}

/* done_expired - past its lifetime, or expiry forced */
static bool
done_expired(struct qmgr *q, const struct qmgr_msg *m)
{
	long life = mta_config_time(q->ctx->cfg, *m->sender ?
				    "maximal_queue_lifetime" :
				    "bounce_queue_lifetime");

	return m->expire || time(NULL) - m->create >= life;
}

/* done_last_reason - what the defer log says for a recipient */
static void
done_last_reason(struct qmgr *q, const struct qmgr_msg *m, const char *addr,
		 char *dsn, size_t dsnsize, struct mta_buf *reason)
{
	char path[MTA_SPOOL_PATH_MAX];
	struct mta_buf ext = MTA_BUF_INIT(4096);
	struct mta_bouncelog bl;
	const struct mta_bounce_entry *e;

	mta_buf_set(reason, "message expired");
	snprintf(dsn, dsnsize, "4.4.7");
	mta_addr_quote(&ext, addr);
	if (mta_spool_path(&q->ctx->spool, MTA_QUEUE_DEFER, m->id, path,
			   sizeof(path)) == 0 &&
	    mta_bouncelog_open(&bl, q->ctx->spool.dirfd, path, true) == 0) {
		while (mta_bouncelog_next(&bl, &e))
			if (strcasecmp(e->recipient, mta_buf_str(&ext)) == 0) {
				mta_buf_set(reason, e->reason);
				snprintf(dsn, dsnsize, "%s", e->status);
			}
		mta_bouncelog_close(&bl);
	}
	mta_buf_release(&ext);
}

/* done_expire - every recipient still deferred is returned */
static void
done_expire(struct qmgr *q, struct qmgr_msg *m)
{
	struct mta_buf reason = MTA_BUF_INIT(4096), from = MTA_BUF_INIT(4096);
	char path[MTA_SPOOL_PATH_MAX], dsn[16];
	int fd = -1;

	if (mta_spool_path(&q->ctx->spool, MTA_QUEUE_ACTIVE, m->id, path,
			   sizeof(path)) == 0)
		fd = openat(q->ctx->spool.dirfd, path,
			    O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	for (size_t i = 0; i < m->njobs; i++)
		for (size_t j = 0; j < m->jobs[i]->req.nrcpt; j++) {
			struct mta_dlv_rcpt *r = &m->jobs[i]->req.rcpt[j];
			struct mta_dlv_status st = {"none", dsn, NULL, NULL, {0, 0}};

			if (r->result != MTA_DLV_DEFERRED &&
			    r->result != MTA_DLV_PENDING)
				continue;
			done_last_reason(q, m, r->address, dsn, sizeof(dsn), &reason);
			st.reason = mta_buf_str(&reason);
			gettimeofday(&st.start, NULL);
			r->result = MTA_DLV_PENDING;
			mta_dlv_record(&q->ctx->spool, fd, &m->jobs[i]->req, r,
				       MTA_DLV_BOUNCED, &st);
		}
	if (fd >= 0)
		close(fd);
	if (*m->sender)	/* the null sender logs as from=<> */
		mta_addr_quote(&from, m->sender);
	mta_msg_info("%s: from=<%s>, status=%s, returned to sender", m->id,
		     mta_buf_str(&from), m->expire ? "force-expired" : "expired");
	mta_buf_release(&reason);
	mta_buf_release(&from);
}

/* done_log_size - the size of a message's log in queue (0: none) */
static off_t
done_log_size(struct qmgr *q, const char *queue, const char *id)
{
	char path[MTA_SPOOL_PATH_MAX];
	struct stat st;

	if (mta_spool_path(&q->ctx->spool, queue, id, path, sizeof(path)) < 0 ||
	    fstatat(q->ctx->spool.dirfd, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	return st.st_size;
}

/* done_unlink - a message's file or log, if there */
static void
done_unlink(struct qmgr *q, const char *queue, const char *id)
{
	char path[MTA_SPOOL_PATH_MAX];

	if (mta_spool_path(&q->ctx->spool, queue, id, path, sizeof(path)) == 0 &&
	    unlinkat(q->ctx->spool.dirfd, path, 0) < 0 && errno != ENOENT)
		mta_msg_warn("remove %s: %s", path, strerror(errno));
}

/* done_bounce - the notification for what bounced; 0 when sent */
static int
done_bounce(struct qmgr *q, struct qmgr_msg *m)
{
	struct mta_buf err = MTA_BUF_INIT(1024);
	char newid[MTA_QID_SIZE];
	int rc;

	rc = mta_dsn_bounce(q->ctx->cfg, &q->ctx->spool, MTA_QUEUE_ACTIVE, m->id,
			    newid, &err);
	if (rc < 0)
		mta_msg_warn("%s: cannot return the message to its sender: %s; "
			     "will try again", m->id, mta_buf_str(&err));
	else
		done_unlink(q, MTA_QUEUE_BOUNCE, m->id);
	mta_buf_release(&err);
	return rc;
}

/* done_defer - back to deferred/, due after the doubled wait */
static void
done_defer(struct qmgr *q, struct qmgr_msg *m)
{
	long min = mta_config_time(q->ctx->cfg, "minimal_backoff_time");
	long max = mta_config_time(q->ctx->cfg, "maximal_backoff_time");
	time_t now = time(NULL);
	long wait = (long)(now - m->create) + min;
	char path[MTA_SPOOL_PATH_MAX];
	struct timespec times[2];

	if (wait > max)
		wait = max;
	if (wait < min)
		wait = min;
	times[0].tv_sec = times[1].tv_sec = now + wait;
	times[0].tv_nsec = times[1].tv_nsec = 0;
	if (mta_spool_path(&q->ctx->spool, MTA_QUEUE_ACTIVE, m->id, path,
			   sizeof(path)) == 0 &&
	    utimensat(q->ctx->spool.dirfd, path, times, AT_SYMLINK_NOFOLLOW) < 0)
		mta_msg_warn("%s: set the time of the next attempt: %s", m->id,
			     strerror(errno));
	if (mta_spool_move(&q->ctx->spool, m->id, MTA_QUEUE_ACTIVE,
			   MTA_QUEUE_DEFERRED) < 0)
		mta_msg_warn("%s: move to deferred: %s", m->id, strerror(errno));
	mta_msg_debug("%s: deferred, next attempt in %lds", m->id, wait);
}

/*
 * done_delay_warning - mail still deferred after delay_warning_time: tell
 * the sender once (mta_dsn_delay), then mark the W record as sent (-1),
 * in place, as Postfix does.
 */
static void
done_delay_warning(struct qmgr *q, struct qmgr_msg *m)
{
	struct mta_buf err = MTA_BUF_INIT(1024);
	char newid[MTA_QID_SIZE], path[MTA_SPOOL_PATH_MAX], sent[16];
	int fd;

	if (m->warn_time <= 0 || time(NULL) < m->warn_time)
		return;
	if (mta_dsn_delay(q->ctx->cfg, &q->ctx->spool, MTA_QUEUE_ACTIVE, m->id,
			  newid, &err) < 0) {
		mta_msg_warn("%s: delay warning: %s", m->id, mta_buf_str(&err));
		mta_buf_release(&err);
		return;
	}
	snprintf(sent, sizeof(sent), "%15d", -1);
	if (mta_spool_path(&q->ctx->spool, MTA_QUEUE_ACTIVE, m->id, path,
			   sizeof(path)) == 0 &&
	    (fd = openat(q->ctx->spool.dirfd, path,
			 O_RDWR | O_NOFOLLOW | O_CLOEXEC)) >= 0) {
		/* type byte, one length byte (15), the 15 characters */
		if (pwrite(fd, sent, 15, m->warn_offset + 2) != 15)
			mta_msg_warn("%s: mark the delay warning sent: %s", m->id,
				     strerror(errno));
		close(fd);
	}
	mta_buf_release(&err);
}

/* qmgr_msg_finish - every job has answered: where the message goes */
void
qmgr_msg_finish(struct qmgr *q, struct qmgr_msg *m)
{
	if (done_count(m, MTA_DLV_DEFERRED) > 0 && done_expired(q, m))
		done_expire(q, m);
	if (done_log_size(q, MTA_QUEUE_BOUNCE, m->id) > 0 &&
	    done_bounce(q, m) < 0) {
		done_defer(q, m);	/* the notice is owed: keep the message */
		return;
	}
	if (done_count(m, MTA_DLV_DEFERRED) > 0) {
		done_delay_warning(q, m);
		done_defer(q, m);
		return;
	}
	done_unlink(q, MTA_QUEUE_DEFER, m->id);
	done_unlink(q, MTA_QUEUE_ACTIVE, m->id);
	mta_msg_info("%s: removed", m->id);
}
