/*
 * mta-queue flush, flush SITE, deliver ID (postqueue's -f, -s, -i): ask
 * the queue manager to try again now, by writing request bytes to its
 * FIFO public/qmgr. For one site or one message, the deferred messages
 * concerned are first moved to incoming/ with their time set to now, so
 * that the next scan takes them (a deferred file's time is its next try).
 * When no queue manager reads the FIFO the mail system is down: nothing is
 * moved, and the command says so and exits 69.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "msg.h"
#include "mta-queue.h"
#include "record.h"
#include "trigger.h"

#define MQ_QMGR_FIFO "public/qmgr"

/* mq_to_incoming - a deferred message back to incoming/, due now */
static int
mq_to_incoming(struct mta_spool *sp, const char *id)
{
	char path[MTA_SPOOL_PATH_MAX];

	if (mta_spool_path(sp, MTA_QUEUE_DEFERRED, id, path, sizeof(path)) < 0 ||
	    utimensat(sp->dirfd, path, NULL, AT_SYMLINK_NOFOLLOW) < 0 ||
	    mta_spool_move(sp, id, MTA_QUEUE_DEFERRED, MTA_QUEUE_INCOMING) < 0)
		return errno == ENOENT ? 0 : -1;
	return 1;
}

/* mq_for_site - does the message have a pending recipient at site */
static bool
mq_for_site(struct mta_spool *sp, const char *path, const char *site)
{
	int fd = openat(sp->dirfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct mta_rec_reader rr;
	struct mta_buf data = MTA_BUF_INIT(1 << 20);
	bool found = false;
	int type;
	FILE *fp;

	if (fd < 0 || (fp = fdopen(fd, "r")) == NULL) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	long long f[MTA_REC_SIZE_FIELDS] = {0};

	mta_rec_reader_init(&rr, fp, 1 << 20, MTA_REC_FOLLOW);
	while (!found && mta_rec_read(&rr, &type, &data) == 1 &&
	       type != MTA_REC_END) {
		const char *at;

		if (type == MTA_REC_SIZE)
			mta_rec_size_parse(data.data, data.len, f);
		/* Recipients are in the envelope and the extracted segment
		 * (sendmail -t): skip the content between them. */
		if (type == MTA_REC_MESG && f[0] > 0 &&
		    mta_rec_skip(&rr, (off_t)f[0]) < 0)
			break;
		if (type == MTA_REC_RCPT && (at = strrchr(mta_buf_str(&data), '@')))
			found = strcasecmp(at + 1, site) == 0;
	}
	fclose(fp);
	mta_buf_release(&data);
	return found;
}

/* mq_site - move every deferred message for site; how many moved */
static long
mq_site(struct mta_spool *sp, const char *site)
{
	struct mta_spool_scan scan;
	char id[MTA_QID_SIZE], path[MTA_SPOOL_PATH_MAX];
	long moved = 0;

	if (mta_spool_scan_open(&scan, sp, MTA_QUEUE_DEFERRED) < 0)
		return 0;
	while (mta_spool_scan_next(&scan, id, sizeof(id), path, sizeof(path)))
		if (mq_for_site(sp, path, site) && mq_to_incoming(sp, id) > 0)
			moved++;
	mta_spool_scan_close(&scan);
	return moved;
}

/*
 * mq_flush - what == NULL: everything; site: one destination; id: one
 * message. Returns an exit status.
 */
int
mq_flush(struct mta_spool *sp, const char *site, const char *id)
{
	const char *queues[] = {MTA_QUEUE_DEFERRED, MTA_QUEUE_INCOMING,
				MTA_QUEUE_ACTIVE, NULL};
	const char *where;

	/* Is anyone listening? Checked first, so that nothing moves when
	 * the mail system is down. */
	if (mta_trigger(sp->dirfd, MQ_QMGR_FIFO, "") < 0) {
		mta_msg_error("cannot flush the queue: the mail system is down "
			      "(no queue manager on %s/%s)", sp->dir,
			      MQ_QMGR_FIFO);
		return EX_UNAVAILABLE;
	}
	if (id) {
		if (mta_spool_find(sp, id, queues, &where) < 0) {
			mta_msg_error("%s: no such message in the queue", id);
			return 1;
		}
		if (strcmp(where, MTA_QUEUE_DEFERRED) == 0 &&
		    mq_to_incoming(sp, id) < 0)
			mta_msg_warn("%s: move to incoming: %s", id, strerror(errno));
	} else if (site) {
		mta_msg_debug("%s: %ld message(s) moved to incoming", site,
			      mq_site(sp, site));
	}
	if (mta_trigger(sp->dirfd, MQ_QMGR_FIFO, site || id ?
			MTA_TRIGGER_SCAN_INCOMING :
			MTA_TRIGGER_FLUSH_DEAD MTA_TRIGGER_SCAN_ALL
			MTA_TRIGGER_SCAN_DEFERRED MTA_TRIGGER_SCAN_INCOMING) < 0) {
		mta_msg_error("wake the queue manager: %s", strerror(errno));
		return EX_UNAVAILABLE;
	}
	return EX_OK;
}
