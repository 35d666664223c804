/*
 * mta-queue list (-p, -j): the mailq listing, byte for byte what Postfix's
 * postqueue prints, read straight from the spool. Messages stream: each is
 * printed as soon as it is read, so memory does not grow with the queue.
 */
#define _GNU_SOURCE	/* strcasestr */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "bouncelog.h"
#include "mem.h"
#include "msg.h"
#include "mta-queue.h"
#include "record.h"
#include "str.h"

#define MQ_ADDR_MAX 4096
#define MQ_MAX_RCPT_SHOWN 100000
#define MQ_HEAD_SHORT \
	"-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n"
#define MQ_HEAD_LONG \
	"----Queue ID----- --Size-- ---Arrival Time---- --Sender/Recipient------\n"

/* What one message shows; the recipients are printed as they are read. */
struct mq_message {
	const char *queue;
	char id[MTA_QID_SIZE];
	long long size;
	time_t arrival;
	bool expired;
	struct mta_buf sender;	/* external form */
	struct mta_buf out;	/* this message's text, printed when whole */
	struct mta_buf seen;	/* "\n"-separated recipients from the log */
	struct mta_buf last_reason;
	int nrcpt;
	bool matched_rcpt;
};

/* One stream at a time reads a queue file, through this buffer. */
static char mq_iobuf[65536];

/* The order showq scans queues in. */
static const char *const mq_queues[] = {
	MTA_QUEUE_MAILDROP, MTA_QUEUE_ACTIVE, MTA_QUEUE_INCOMING,
	MTA_QUEUE_DEFERRED, MTA_QUEUE_HOLD, NULL};

/* mq_external - an internal address in quoted form, printable */
static void
mq_external(struct mta_buf *out, const char *internal, const char *empty)
{
	mta_buf_clear(out);
	if (*internal == '\0') {
		mta_buf_adds(out, empty);
		return;
	}
	if (mta_addr_quote(out, internal) < 0)
		mta_buf_set(out, internal);
	for (size_t i = 0; i < out->len; i++)
		if ((unsigned char)out->data[i] < 0x20 || out->data[i] == 0x7f)
			out->data[i] = '?';
}

/* mq_contains - case-insensitive substring test for the filters */
static bool
mq_contains(const char *hay, const char *needle)
{
	return needle == NULL || strcasestr(hay, needle) != NULL;
}

/* mq_head - the message line (or the start of the JSON object) */
static void
mq_head(struct mq_message *m, const struct mq_options *opt)
{
	char when[32] = "";
	char id[MTA_QID_SIZE + 4];
	struct tm tm;

	if (opt->json) {
		mta_buf_printf(&m->out, "{\"queue_name\": ");
		mta_str_json(&m->out, m->queue, strlen(m->queue));
		mta_buf_adds(&m->out, ", \"queue_id\": ");
		mta_str_json(&m->out, m->id, strlen(m->id));
		mta_buf_printf(&m->out, ", \"arrival_time\": %lld, "
			       "\"message_size\": %lld, \"forced_expire\": %s, "
			       "\"sender\": ", (long long)m->arrival, m->size,
			       m->expired ? "true" : "false");
		mta_str_json(&m->out, m->sender.data, m->sender.len);
		mta_buf_adds(&m->out, ", \"recipients\": [");
		return;
	}
	if (localtime_r(&m->arrival, &tm))
		asctime_r(&tm, when);
	snprintf(id, sizeof(id), "%s%s%s", m->id,
		 strcmp(m->queue, MTA_QUEUE_ACTIVE) == 0 ? "*" :
		 strcmp(m->queue, MTA_QUEUE_HOLD) == 0 ? "!" : "",
		 m->expired ? "#" : "");
	if (opt->long_ids)
		mta_buf_printf(&m->out, "%-17s %8lld %19.19s %s\n", id, m->size,
			       when, m->sender.data);
	else
		mta_buf_printf(&m->out, "%-11s %7lld %20.20s %s\n", id, m->size,
			       when, m->sender.data);
}

/* mq_rcpt - one recipient, with its reason when it has one */
static void
mq_rcpt(struct mq_message *m, const struct mq_options *opt, const char *addr,
	const char *reason)
{
	if (m->nrcpt++ >= MQ_MAX_RCPT_SHOWN)
		return;
	if (mq_contains(addr, opt->recipient))
		m->matched_rcpt = true;
	if (opt->json) {
		mta_buf_adds(&m->out, m->nrcpt > 1 ? ", {\"address\": " :
			     "{\"address\": ");
		mta_str_json(&m->out, addr, strlen(addr));
		if (reason && *reason) {
			mta_buf_adds(&m->out, ", \"delay_reason\": ");
			mta_str_json(&m->out, reason, strlen(reason));
		}
		mta_buf_adds(&m->out, "}");
		return;
	}
	if (reason == NULL || *reason == '\0')
		reason = m->last_reason.len ? "reason unavailable" : "";
	if (strcmp(reason, mta_buf_str(&m->last_reason)) != 0) {
		size_t len = strlen(reason);

		mta_buf_pad(&m->out, ' ', len < 76 ? 76 - len : 0);
		mta_buf_addc(&m->out, '(');
		mta_buf_add(&m->out, reason, len);
		mta_buf_adds(&m->out, ")\n");
		mta_buf_set(&m->last_reason, reason);
	}
	mta_buf_pad(&m->out, ' ', opt->long_ids ? 47 : 41);
	mta_buf_adds(&m->out, addr);
	mta_buf_addc(&m->out, '\n');
}

/* mq_defer_log - the recipients of the defer log, with their reasons */
static void
mq_defer_log(struct mta_spool *sp, struct mq_message *m,
	     const struct mq_options *opt)
{
	char path[MTA_SPOOL_PATH_MAX];
	struct mta_bouncelog bl;
	const struct mta_bounce_entry *e;

	if (mta_spool_path(sp, MTA_QUEUE_DEFER, m->id, path, sizeof(path)) < 0 ||
	    mta_bouncelog_open(&bl, sp->dirfd, path, true) < 0)
		return;
	while (mta_bouncelog_next(&bl, &e)) {
		mq_rcpt(m, opt, e->recipient, e->reason);
		mta_buf_printf(&m->seen, "%s\n", e->recipient);
	}
	mta_bouncelog_close(&bl);
}

/* mq_seen - was this recipient already listed from the defer log */
static bool
mq_seen(struct mq_message *m, const char *addr)
{
	size_t len = strlen(addr);

	for (const char *cp = mta_buf_str(&m->seen); *cp;) {
		const char *nl = strchr(cp, '\n');

		if ((size_t)(nl - cp) == len && memcmp(cp, addr, len) == 0)
			return true;
		cp = nl + 1;
	}
	return false;
}

/*
 * mq_read - walk the records of one queue file as showq does: arrival,
 * size, sender (then the defer log), skip the content, pending recipients.
 * Returns 0 when the message is to be shown, -1 to skip it.
 */
static int
mq_read(struct mta_spool *sp, FILE *fp, struct mq_message *m,
	const struct mq_options *opt)
{
	struct mta_rec_reader rr;
	struct mta_buf data = MTA_BUF_INIT(1 << 24), addr = MTA_BUF_INIT(MQ_ADDR_MAX);
	long long f[MTA_REC_SIZE_FIELDS] = {0};
	bool maildrop = strcmp(m->queue, MTA_QUEUE_MAILDROP) == 0;
	bool have_time = false, have_sender = false;
	int type, rc = -1;

	mta_rec_reader_init(&rr, fp, 1 << 24, MTA_REC_FOLLOW);
	while (mta_rec_read(&rr, &type, &data) == 1) {
		if (type == MTA_REC_END) {
			rc = have_sender ? 0 : -1;
			break;
		}
		if (type == MTA_REC_TIME && !have_time) {
			m->arrival = (time_t)strtoll(mta_buf_str(&data), NULL, 10);
			have_time = true;
		} else if (type == MTA_REC_SIZE && !maildrop && !have_sender &&
			   mta_rec_size_parse(data.data, data.len, f) >= 1) {
			if (f[0] > 0)
				m->size = f[0];
		} else if (type == MTA_REC_FROM) {
			if (have_sender)
				break;	/* a second sender: stop, as showq */
			have_sender = true;
			mq_external(&m->sender, mta_buf_str(&data), opt->empty_sender);
			if (!mq_contains(m->sender.data, opt->sender))
				break;
			mq_head(m, opt);
			mq_defer_log(sp, m, opt);
		} else if (type == MTA_REC_MESG && !maildrop && f[0] > 0) {
			if (mta_rec_skip(&rr, (off_t)f[0]) < 0)
				break;
		} else if (type == MTA_REC_RCPT && have_sender) {
			mq_external(&addr, mta_buf_str(&data), opt->empty_sender);
			if (!mq_seen(m, addr.data))
				mq_rcpt(m, opt, addr.data, NULL);
		}
	}
	mta_buf_release(&data);
	mta_buf_release(&addr);
	return rc;
}

/*
 * mq_fdopen - a stream on a queue file. Most fit in one buffer: one read,
 * then records are parsed from memory (the descriptor is closed at once);
 * a larger file is read through stdio with that buffer.
 */
static FILE *
mq_fdopen(int fd, const struct stat *st)
{
	FILE *fp;

	if (st->st_size > 0 && st->st_size <= (off_t)sizeof(mq_iobuf)) {
		ssize_t n = read(fd, mq_iobuf, (size_t)st->st_size);

		if (n <= 0)
			return NULL;
		if ((fp = fmemopen(mq_iobuf, (size_t)n, "r")) != NULL)
			close(fd);
		return fp;
	}
	if ((fp = fdopen(fd, "r")) != NULL)
		setvbuf(fp, mq_iobuf, _IOFBF, sizeof(mq_iobuf));
	return fp;
}

/* mq_message_init - an empty message of queue/id */
static void
mq_message_init(struct mq_message *m, const char *queue, const char *id)
{
	memset(m, 0, sizeof(*m));
	m->queue = queue;
	strlcpy(m->id, id, sizeof(m->id));
	mta_buf_init(&m->sender, MQ_ADDR_MAX);
	mta_buf_init(&m->out, 1 << 26);
	mta_buf_init(&m->seen, 1 << 24);
	mta_buf_init(&m->last_reason, MTA_BOUNCELOG_LINE_MAX);
}

/* mq_message_release - free what a message holds */
static void
mq_message_release(struct mq_message *m)
{
	mta_buf_release(&m->sender);
	mta_buf_release(&m->out);
	mta_buf_release(&m->seen);
	mta_buf_release(&m->last_reason);
}

/* mq_one - read and, when it passes the filters, print one message */
static int
mq_one(struct mta_spool *sp, const char *queue, const char *id,
       const char *path, const struct mq_options *opt, long long *bytes,
       long count)
{
	struct mq_message m;
	struct stat st;
	FILE *fp;
	int fd, shown = 0;

	fd = openat(sp->dirfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0;	/* gone: delivered while we looked */
	if (fstat(fd, &st) < 0 || !mta_spool_ready(&st) ||
	    (fp = mq_fdopen(fd, &st)) == NULL) {
		close(fd);
		return 0;
	}
	mq_message_init(&m, queue, id);
	m.size = st.st_size;
	m.arrival = st.st_mtime;
	m.expired = (st.st_mode & MTA_SPOOL_MODE_EXPIRE) != 0;
	if (mq_read(sp, fp, &m, opt) == 0 &&
	    (opt->recipient == NULL || m.matched_rcpt) &&
	    (opt->older_than < 0 || time(NULL) - m.arrival >= opt->older_than)) {
		if (!opt->json && count == 0)
			fputs(opt->long_ids ? MQ_HEAD_LONG : MQ_HEAD_SHORT, stdout);
		fputs(mta_buf_str(&m.out), stdout);
		fputs(opt->json ? "]}\n" : "\n", stdout);
		*bytes += m.size;
		shown = 1;
	}
	fclose(fp);
	mq_message_release(&m);
	return shown;
}

/*
 * mq_list - list every queue (or only opt->queue) in showq's order.
 * Returns 0, or -1 when the spool could not be read at all.
 */
int
mq_list(struct mta_spool *sp, const struct mq_options *opt)
{
	struct mta_spool_scan scan;
	char id[MTA_QID_SIZE], path[MTA_SPOOL_PATH_MAX];
	long long bytes = 0;
	long count = 0;

	for (const char *const *q = mq_queues; *q; q++) {
		if (opt->queue && strcmp(opt->queue, *q) != 0)
			continue;
		if (mta_spool_scan_open(&scan, sp, *q) < 0) {
			if (errno != ENOENT)
				mta_msg_warn("scan %s/%s: %s", sp->dir, *q,
					     strerror(errno));
			continue;
		}
		while (mta_spool_scan_next(&scan, id, sizeof(id), path,
					   sizeof(path))) {
			count += mq_one(sp, *q, id, path, opt, &bytes, count);
		}
		mta_spool_scan_close(&scan);
	}
	if (!opt->json) {
		if (count == 0)
			puts("Mail queue is empty");
		else
			printf("-- %lld Kbytes in %ld Request%s.\n", bytes / 1024,
			       count, count == 1 ? "" : "s");
	}
	return fflush(stdout) == 0 ? 0 : -1;
}
