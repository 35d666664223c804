/*
 * pickup - take local submissions from maildrop/ into the queue. Each
 * complete file (mode 0744 from mta-postdrop) is read record by record,
 * checked with the rules mta-postdrop applies (lib/maildrop.h: the file
 * is the user's, so it is input like any other), and fed to cleanup,
 * which writes incoming/NEWID; only once that is on disk is the maildrop
 * file removed. A file that cannot be a message goes to corrupt/; a
 * temporary failure leaves it for the next scan. Mail re-queued by
 * "mta-queue requeue" is a complete queue file and is taken as one.
 *
 * master.cf: pickup fifo n - n 60 1 pickup (woken by mta-postdrop and
 * every 60 seconds).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "daemon.h"
#include "maildrop.h"
#include "msg.h"
#include "record.h"

#define PICKUP_RECORD_MAX (1 << 20)

enum pickup_result { PICKUP_DONE, PICKUP_RETRY, PICKUP_CORRUPT };

/* pickup_attr - an 'A' record: DSN attributes go with the next recipient */
static void
pickup_attr(struct mta_cleanup *c, struct mta_buf *data)
{
	char *name, *value;

	if (mta_rec_attr_split(data->data, &name, &value) == 0 &&
	    strcmp(name, "create_time") != 0)
		mta_cleanup_attr(c, name, value);
}

/* pickup_record - one record to cleanup; 0 goes on, 1 at the end */
static int
pickup_record(struct mta_cleanup *c, int type, struct mta_buf *data,
	      const char **orig, struct mta_buf *sender)
{
	switch (type) {
	case MTA_REC_TIME:
		mta_cleanup_time(c, (time_t)strtoll(data->data, NULL, 10),
				 strchr(data->data, ' ') ?
				 strtol(strchr(data->data, ' ') + 1, NULL, 10) : 0);
		break;
	case MTA_REC_FULLNAME:
		mta_cleanup_fullname(c, data->data);
		break;
	case MTA_REC_FROM:
		mta_cleanup_sender(c, data->data);
		mta_buf_set(sender, data->data);
		break;
	case MTA_REC_ORCP:
		free((char *)*orig);
		*orig = strdup(data->data);
		break;
	case MTA_REC_RCPT:
		mta_cleanup_recipient(c, data->data, *orig, 0, NULL);
		free((char *)*orig);
		*orig = NULL;
		break;
	case MTA_REC_ATTR:
		pickup_attr(c, data);
		break;
	case MTA_REC_NORM:
	case MTA_REC_CONT:
		mta_cleanup_text(c, data->data, data->len, type == MTA_REC_NORM);
		break;
	case MTA_REC_END:
		return 1;
	}
	return 0;	/* M, X, C, D (done before a requeue), the rest: no use */
}

/* pickup_requeued - a file that "mta-queue requeue" put back */
static bool
pickup_requeued(const struct stat *st)
{
	/* The mail owner's file without the other-read bit (postsuper -r). */
	return st->st_uid == geteuid() && !(st->st_mode & S_IROTH);
}

/*
 * pickup_feed - every record of the file through the checker and into
 * cleanup. Returns 0 at the 'E' record, -1 with why set.
 */
static int
pickup_feed(FILE *fp, struct mta_cleanup *c, bool requeued,
	    struct mta_buf *sender, struct mta_buf *why)
{
	struct mta_maildrop_check mc;
	struct mta_rec_reader rr;
	struct mta_buf data = MTA_BUF_INIT(PICKUP_RECORD_MAX);
	const char *orig = NULL;
	int type, rc, verdict;

	mta_maildrop_check_init(&mc, MTA_MAILDROP_FILE);
	mta_rec_reader_init(&rr, fp, PICKUP_RECORD_MAX, MTA_REC_FOLLOW);
	while ((rc = mta_rec_read(&rr, &type, &data)) == 1) {
		verdict = requeued ? MTA_MAILDROP_KEEP :
			mta_maildrop_check(&mc, type, &data);
		if (verdict == MTA_MAILDROP_BAD) {
			mta_buf_set(why, mc.error);
			break;
		}
		if (verdict == MTA_MAILDROP_SKIP)
			continue;
		if (pickup_record(c, type, &data, &orig, sender) == 1)
			break;
	}
	free((char *)orig);
	mta_buf_release(&data);
	if (rc == MTA_REC_ERROR)
		mta_buf_set(why, rr.error);
	else if (rc == MTA_REC_EOF)
		mta_buf_set(why, "no end record");
	else if (rc == 1 && type == MTA_REC_END && why->len == 0 &&
		 (requeued || mta_maildrop_check_end(&mc) >= 0))
		return 0;
	if (why->len == 0)
		mta_buf_set(why, mc.error[0] ? mc.error : "not a submission");
	return -1;
}

/* pickup_corrupt - keep a file that cannot be a message, out of the way */
static void
pickup_corrupt(struct mta_daemon_ctx *ctx, const char *id, const char *why)
{
	mta_msg_warn("maildrop/%s: %s: moved to corrupt/", id, why);
	if (mta_spool_move(&ctx->spool, id, MTA_QUEUE_MAILDROP,
			   MTA_QUEUE_CORRUPT) < 0)
		mta_msg_warn("maildrop/%s: move to corrupt/: %s", id,
			     strerror(errno));
}

/* pickup_one - one maildrop file into the queue */
static enum pickup_result
pickup_one(struct mta_daemon_ctx *ctx, const char *id, const char *path)
{
	struct mta_buf err = MTA_BUF_INIT(1024), why = MTA_BUF_INIT(1024);
	struct mta_buf sender = MTA_BUF_INIT(4096);
	char newid[MTA_QID_SIZE] = "";
	struct mta_cleanup *c;
	struct stat st;
	FILE *fp;
	int fd, status;

	fd = openat(ctx->spool.dirfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? PICKUP_DONE : PICKUP_RETRY;
	if (fstat(fd, &st) < 0 || !mta_spool_ready(&st) ||
	    (fp = fdopen(fd, "r")) == NULL) {
		close(fd);
		return PICKUP_RETRY;	/* still being written */
	}
	c = mta_cleanup_open(ctx->cfg, &ctx->spool, MTA_CLEANUP_LOCAL, &err);
	if (c == NULL) {
		mta_msg_warn("%s: %s", id, mta_buf_str(&err));
		fclose(fp);
		mta_buf_release(&err);
		return PICKUP_RETRY;
	}
	mta_cleanup_uid(c, st.st_uid);
	if (pickup_feed(fp, c, pickup_requeued(&st), &sender, &why) < 0) {
		mta_cleanup_abort(c);
		fclose(fp);
		pickup_corrupt(ctx, id, mta_buf_str(&why));
		mta_buf_release(&err);
		mta_buf_release(&why);
		mta_buf_release(&sender);
		return PICKUP_CORRUPT;
	}
	fclose(fp);
	status = mta_cleanup_close(c, newid, &why);
	if (status == MTA_CLEANUP_OK) {
		mta_msg_info("%s: uid=%ld from=<%s>%s%s", newid, (long)st.st_uid,
			     mta_buf_str(&sender),
			     pickup_requeued(&st) ? " orig_id=" : "",
			     pickup_requeued(&st) ? id : "");
		if (unlinkat(ctx->spool.dirfd, path, 0) < 0)
			mta_msg_warn("remove maildrop/%s: %s", id, strerror(errno));
	} else if (status & (MTA_CLEANUP_WRITE | MTA_CLEANUP_NOSPACE)) {
		mta_msg_warn("maildrop/%s: %s: will try again", id,
			     mta_buf_str(&why));
	} else {
		pickup_corrupt(ctx, id, mta_buf_str(&why));
	}
	mta_buf_release(&err);
	mta_buf_release(&why);
	mta_buf_release(&sender);
	return status == MTA_CLEANUP_OK ? PICKUP_DONE : PICKUP_RETRY;
}

/* pickup_scan - every file of maildrop/ */
static void
pickup_scan(struct mta_daemon_ctx *ctx)
{
	struct mta_spool_scan scan;
	char id[MTA_QID_SIZE], path[MTA_SPOOL_PATH_MAX];

	if (mta_spool_scan_open(&scan, &ctx->spool, MTA_QUEUE_MAILDROP) < 0) {
		mta_msg_warn("scan maildrop: %s", strerror(errno));
		return;
	}
	while (!mta_daemon_stopping() &&
	       mta_spool_scan_next(&scan, id, sizeof(id), path, sizeof(path))) {
		mta_daemon_watchdog(ctx);
		pickup_one(ctx, id, path);
	}
	mta_spool_scan_close(&scan);
}

/* pickup_trigger - any request means: look */
static void
pickup_trigger(struct mta_daemon_ctx *ctx, const char *buf, size_t len)
{
	pickup_scan(ctx);
}

/* pickup_post_jail - what was left while pickup was not running */
static int
pickup_post_jail(struct mta_daemon_ctx *ctx)
{
	pickup_scan(ctx);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct mta_daemon d = {
		.name = "pickup",
		.mode = MTA_DAEMON_TRIGGER,
		.post_jail = pickup_post_jail,
		.trigger = pickup_trigger,
	};

	mta_daemon_main(argc, argv, &d);
}
