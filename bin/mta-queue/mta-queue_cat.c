/*
 * mta-queue cat: show a queue file as Postfix's "postcat -q" does, byte for
 * byte: the envelope records by name, the message text, the extracted
 * records, with section markers. -e, -h, -b choose sections; -o and -d
 * prefix each record with its offset and its type in decimal; -r reads the
 * records in file order without following pointers.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "msg.h"
#include "mta-queue.h"
#include "record.h"
#include "str.h"

enum cat_state { CAT_ENV, CAT_HEADER, CAT_BODY };

struct cat_walk {
	FILE *fp;
	const char *path;
	int flags;
	enum cat_state state;
	bool print;
	int prev_type;
	long long data_offset, data_size;
	bool maildrop;
};

/* The queues cat looks in, in postcat's order. */
static const char *const cat_queues[] = {
	MTA_QUEUE_MAILDROP, MTA_QUEUE_INCOMING, MTA_QUEUE_ACTIVE,
	MTA_QUEUE_DEFERRED, MTA_QUEUE_HOLD,	MTA_QUEUE_SAVED, NULL};

/* cat_is_header - "Name:" (obsolete "Name :" too) starts a header line */
static bool
cat_is_header(const char *text, size_t len)
{
	size_t i = 0;

	while (i < len && text[i] > ' ' && text[i] < 0x7f && text[i] != ':')
		i++;
	if (i == 0)
		return false;
	while (i < len && (text[i] == ' ' || text[i] == '\t'))
		i++;
	return i < len && text[i] == ':';
}

/* cat_prefix - the -o and -d columns */
static void
cat_prefix(const struct cat_walk *w, off_t offset, int type)
{
	if (w->flags & MQ_CAT_OFFSET)
		printf("%9lu ", (unsigned long)offset);
	if (w->flags & MQ_CAT_DECIMAL)
		printf("%3d ", type);
}

/* cat_marker - "*** TEXT path ***" */
static void
cat_marker(const struct cat_walk *w, off_t offset, int type, const char *text)
{
	cat_prefix(w, offset, type);
	printf("*** %s %s ***\n", text, w->path);
}

/* cat_time - "name: " and the time as asctime() writes it */
static void
cat_time(const char *name, time_t t)
{
	char when[32] = "?\n";
	struct tm tm;

	if (localtime_r(&t, &tm))
		asctime_r(&tm, when);
	printf("%s: %s", name, when);
}

/* cat_attr - an 'A' record: create_time as a date, others name=value */
static void
cat_attr(const struct cat_walk *w, struct mta_buf *data)
{
	char *name, *value;

	if (mta_rec_attr_split(data->data, &name, &value) < 0) {
		mta_msg_warn("%s: malformed attribute: %.100s", w->path,
			     data->data);
		return;
	}
	if (strcmp(name, "create_time") == 0)
		cat_time("create_time", (time_t)atol(value));
	else
		printf("named_attribute: %s=%s\n", name, value);
}

/* cat_record - print one record that has no effect on the sections */
static void
cat_record(struct cat_walk *w, off_t offset, int type, struct mta_buf *data)
{
	cat_prefix(w, offset, type);
	switch (type) {
	case MTA_REC_TIME:
		cat_time(mta_rec_name(type, false),
			 (time_t)strtoll(mta_buf_str(data), NULL, 10));
		break;
	case MTA_REC_WARN:
		cat_time(mta_rec_name(type, false),
			 (time_t)strtoll(mta_buf_str(data), NULL, 10));
		break;
	case MTA_REC_CONT:
		if (w->state == CAT_ENV)
			printf("%s: ", mta_rec_name(type, false));
		fwrite(data->data, 1, data->len, stdout);
		if (w->state == CAT_ENV || (w->flags & MQ_CAT_OFFSET)) {
			putchar('\n');
			type = 0;
		}
		break;
	case MTA_REC_NORM:
		fwrite(data->data, 1, data->len, stdout);
		putchar('\n');
		break;
	case MTA_REC_DTXT:
		printf("%s: ", mta_rec_name(type, false));
		fwrite(data->data, 1, data->len, stdout);
		putchar('\n');
		break;
	case MTA_REC_ATTR:
		cat_attr(w, data);
		break;
	default:
		printf("%s: ", mta_rec_name(type, false));
		fwrite(data->data, 1, data->len, stdout);
		putchar('\n');
		break;
	}
	w->prev_type = type;
}

/* cat_text - a text record may move the walk from headers to the body */
static void
cat_text(struct cat_walk *w, struct mta_buf *data)
{
	if (w->state != CAT_HEADER || w->prev_type == MTA_REC_CONT)
		return;
	if (cat_is_header(data->data, data->len) ||
	    (data->len > 0 && (data->data[0] == ' ' || data->data[0] == '\t')))
		return;
	w->state = CAT_BODY;
	w->print = (w->flags & MQ_CAT_BODY) != 0;
}

/* cat_size - the 'C' record: printed, and its offsets remembered */
static void
cat_size(struct cat_walk *w, struct mta_buf *data)
{
	long long f[MTA_REC_SIZE_FIELDS];

	if (w->maildrop)
		return;
	if (w->data_size >= 0 || w->data_offset >= 0) {
		mta_msg_warn("%s: file contains multiple size records", w->path);
		return;
	}
	if (mta_rec_size_parse(data->data, data->len, f) < 2 || f[0] <= 0 ||
	    f[1] <= 0)
		mta_msg_warn("%s: invalid size record: %.100s", w->path,
			     data->data);
	w->data_size = f[0];
	w->data_offset = f[1];
}

/*
 * cat_control - records that move between sections. Returns 1 when the
 * record was handled, 0 to print it as data, -1 to stop.
 */
static int
cat_control(struct cat_walk *w, off_t offset, int type, struct mta_buf *data)
{
	bool env = (w->flags & MQ_CAT_ENV) != 0;

	switch (type) {
	case MTA_REC_MESG:
		if (env)
			cat_marker(w, offset, type, "MESSAGE CONTENTS");
		w->state = CAT_HEADER;
		w->print = (w->flags & MQ_CAT_HEADER) != 0;
		return 1;
	case MTA_REC_XTRA:
		if (w->print && w->prev_type == MTA_REC_CONT)
			putchar('\n');
		if (env)
			cat_marker(w, offset, type, "HEADER EXTRACTED");
		w->state = CAT_ENV;
		w->print = env;
		return env ? 1 : -1;
	case MTA_REC_END:
		if (env)
			cat_marker(w, offset, type, "MESSAGE FILE END");
		return (w->flags & MQ_CAT_RAW) ? 1 : -1;
	case MTA_REC_SIZE:
		if (w->print)
			cat_record(w, offset, type, data);
		cat_size(w, data);
		return 1;
	case MTA_REC_NORM:
	case MTA_REC_CONT:
		if (w->state != CAT_ENV)
			cat_text(w, data);
		return 0;
	}
	return 0;
}

/* mq_cat_stream - show one open queue file; -1 on a broken record */
int
mq_cat_stream(FILE *fp, const char *path, int flags)
{
	struct cat_walk w = {fp, path, flags, CAT_ENV, false, 0, -1, -1,
			     strncmp(path, "maildrop/", 9) == 0};
	struct mta_rec_reader rr;
	struct mta_buf data = MTA_BUF_INIT(1 << 28);
	int type, ch, rc = 0;

	if ((ch = getc(fp)) != EOF) {
		if (strchr(MTA_REC_ENVELOPE_TYPES, ch) == NULL || ch == 0) {
			mta_msg_warn("%s: input is not a valid queue file", path);
			return 0;
		}
		ungetc(ch, fp);
	}
	if (flags & MQ_CAT_ENV)
		printf("*** ENVELOPE RECORDS %s ***\n", path);
	w.print = (flags & MQ_CAT_ENV) != 0;
	mta_rec_reader_init(&rr, fp, 1 << 28,
			    (flags & MQ_CAT_RAW) ? 0 : MTA_REC_FOLLOW);
	while ((rc = mta_rec_read(&rr, &type, &data)) == 1) {
		int how = cat_control(&w, rr.offset, type, &data);

		if (how < 0)
			break;
		if (how == 0 && w.print)
			cat_record(&w, rr.offset, type, &data);
	}
	fflush(stdout);
	if (rc == MTA_REC_ERROR)
		mta_msg_error("%s: record read error: %s", path, rr.error);
	mta_buf_release(&data);
	return rc == MTA_REC_ERROR ? -1 : 0;
}

/*
 * mq_cat - find id in the queues (twice, to cope with a file moving
 * meanwhile) and show it. Returns an exit status.
 */
int
mq_cat(struct mta_spool *sp, const char *id, int flags)
{
	char path[MTA_SPOOL_PATH_MAX];
	FILE *fp = NULL;
	int fd, rc;

	if (!mta_qid_valid(id)) {
		mta_msg_error("bad mail queue ID: %s", id);
		return EX_DATAERR;
	}
	for (int tries = 0; fp == NULL && tries < 2; tries++) {
		for (const char *const *q = cat_queues; fp == NULL && *q; q++) {
			if (mta_spool_path(sp, *q, id, path, sizeof(path)) < 0)
				continue;
			fd = openat(sp->dirfd, path, O_RDONLY | O_NOFOLLOW |
				    O_CLOEXEC);
			if (fd >= 0 && (fp = fdopen(fd, "r")) == NULL)
				close(fd);
		}
	}
	if (fp == NULL) {
		mta_msg_error("open queue file %s: %s", id, strerror(ENOENT));
		return 1;
	}
	rc = mq_cat_stream(fp, path, flags);
	fclose(fp);
	return rc < 0 ? EX_DATAERR : EX_OK;
}
