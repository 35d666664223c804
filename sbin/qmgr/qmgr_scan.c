/*
 * qmgr_scan - take messages into active/: from incoming/ (new mail) and,
 * when due, from deferred/ (a deferred file's time is its next attempt),
 * never more than qmgr_message_active_limit at once. At start-up what
 * is left in active/ (a crash, a stop) goes back to incoming/ first.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mem.h"
#include "msg.h"
#include "qmgr.h"

/* qmgr_recover - active/ back to incoming/, due now */
void
qmgr_recover(struct qmgr *q)
{
	struct mta_spool_scan scan;
	char id[MTA_QID_SIZE], path[MTA_SPOOL_PATH_MAX];

	if (mta_spool_scan_open(&scan, &q->ctx->spool, MTA_QUEUE_ACTIVE) < 0)
		return;
	while (mta_spool_scan_next(&scan, id, sizeof(id), path, sizeof(path))) {
		utimensat(q->ctx->spool.dirfd, path, NULL, AT_SYMLINK_NOFOLLOW);
		if (mta_spool_move(&q->ctx->spool, id, MTA_QUEUE_ACTIVE,
				   MTA_QUEUE_INCOMING) < 0)
			mta_msg_warn("%s: move back to incoming: %s", id,
				     strerror(errno));
	}
	mta_spool_scan_close(&scan);
}

/* scan_due - is this file to be taken now */
static bool
scan_due(struct qmgr *q, const char *queue, const struct stat *st, time_t now)
{
	if (!mta_spool_ready(st))
		return false;
	if (q->ignore_times)
		return true;
	if (strcmp(queue, MTA_QUEUE_DEFERRED) == 0)
		return st->st_mtime <= now;
	return st->st_mtime <= now + 1;
}

/* scan_take - into active/ and into memory */
static void
scan_take(struct qmgr *q, const char *queue, const char *id)
{
	struct qmgr_msg *m;

	if (mta_spool_move(&q->ctx->spool, id, queue, MTA_QUEUE_ACTIVE) < 0)
		return;	/* gone meanwhile (mta-queue delete) */
	if (strcmp(queue, MTA_QUEUE_DEFERRED) == 0) {
		char path[MTA_SPOOL_PATH_MAX];

		/* The reasons of the last attempt give way to this one's. */
		if (mta_spool_path(&q->ctx->spool, MTA_QUEUE_DEFER, id, path,
				   sizeof(path)) == 0)
			unlinkat(q->ctx->spool.dirfd, path, 0);
	}
	if ((m = qmgr_msg_load(q, id)) == NULL)
		return;
	q->msgs = mta_reallocarray(q->msgs, q->nmsgs + 1, sizeof(*q->msgs));
	q->msgs[q->nmsgs++] = m;
}

/*
 * qmgr_scan - take what is due from queue, while there is room; a queue
 * left with files for lack of room is scanned again when room is made.
 */
void
qmgr_scan(struct qmgr *q, const char *queue)
{
	long limit = mta_config_int(q->ctx->cfg, "qmgr_message_active_limit");
	struct mta_spool_scan scan;
	char id[MTA_QID_SIZE], path[MTA_SPOOL_PATH_MAX];
	time_t now = time(NULL);
	struct stat st;

	if (mta_spool_scan_open(&scan, &q->ctx->spool, queue) < 0)
		return;
	while (mta_spool_scan_next(&scan, id, sizeof(id), path, sizeof(path))) {
		if (limit > 0 && q->nmsgs >= (size_t)limit) {
			if (strcmp(queue, MTA_QUEUE_INCOMING) == 0)
				q->scan_incoming_later = true;
			else
				q->scan_deferred_later = true;
			break;
		}
		if (fstatat(q->ctx->spool.dirfd, path, &st,
			    AT_SYMLINK_NOFOLLOW) == 0 && scan_due(q, queue, &st, now))
			scan_take(q, queue, id);
	}
	mta_spool_scan_close(&scan);
}
