/* qread - a queue file for a delivery agent (see qread.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"
#include "qread.h"

/* qread_fail - the reason, as a failure */
static int
qread_fail(struct mta_buf *err, const char *what, long long offset)
{
	mta_buf_clear(err);
	mta_buf_printf(err, "%s at offset %lld", what, offset);
	return -1;
}

/* qread_attr - the A records a delivery needs */
static void
qread_attr(struct mta_qread *q)
{
	char *name, *value;

	if (mta_rec_attr_split((char *)mta_buf_str(&q->rec), &name, &value) < 0)
		return;
	if (strcmp(name, "ret_flags") == 0)
		q->dsn_ret = atoi(value);
	else if (strcmp(name, "envelope_id") == 0 && q->dsn_envid == NULL)
		q->dsn_envid = mta_strndup(value, 500);
	else if (strcmp(name, "encoding") == 0)
		q->eightbit = strcmp(value, "8bit") == 0;
}

/*
 * qread_size - the one 'C' record: its content size, and its data offset
 * in *offset for qread_envelope to check against the 'M' record.
 */
static int
qread_size(struct mta_qread *q, off_t *offset, struct mta_buf *err)
{
	long long f[MTA_REC_SIZE_FIELDS];

	if (*offset > 0 ||
	    mta_rec_size_parse(mta_buf_str(&q->rec), q->rec.len, f) < 2 ||
	    f[0] < 0 || f[1] <= 0)
		return qread_fail(err, "bad size record", q->rr.offset);
	q->size = f[0];
	*offset = (off_t)f[1];
	return 0;
}

/*
 * qread_envelope - C, A records, up to 'M'. The content starts where 'M'
 * ends; a 'C' record that says otherwise is refused, not followed.
 */
static int
qread_envelope(struct mta_qread *q, struct mta_buf *err)
{
	off_t c_offset = 0;
	int type, rc;

	while ((rc = mta_rec_read(&q->rr, &type, &q->rec)) > 0) {
		if (type == MTA_REC_SIZE) {
			if (qread_size(q, &c_offset, err) < 0)
				return -1;
		} else if (type == MTA_REC_ATTR) {
			qread_attr(q);
		} else if (type == MTA_REC_MESG) {
			q->data_offset = q->rr.pos;
			if (c_offset > 0 && c_offset != q->data_offset)
				return qread_fail(err, "size record does not "
						  "match the content",
						  (long long)q->data_offset);
			return 0;
		}
	}
	mta_buf_printf(err, "%s", rc < 0 ? q->rr.error : "no message content");
	return -1;
}

/*
 * qread_skip - to the 'X' record: where the 'C' size says it is (and it
 * must be exactly there: a lying size could make content look like
 * records), or, with no size, after reading the content through.
 */
static int
qread_skip(struct mta_qread *q, struct mta_buf *err)
{
	off_t x;
	const char *data;
	size_t len;
	bool more;
	struct stat st;
	int type, rc;

	if (q->size == 0) {
		if (mta_qread_rewind(q) < 0)
			return -1;
		while ((rc = mta_qread_piece(q, &data, &len, &more)) > 0)
			;
		return rc;
	}
	if (fstat(q->fd, &st) < 0 || q->size >= st.st_size - q->data_offset)
		return qread_fail(err, "size record past the end of the file",
				  (long long)q->data_offset);
	x = q->data_offset + (off_t)q->size;
	if (fseeko(q->fp, x, SEEK_SET) < 0)
		return qread_fail(err, "cannot seek to the extracted segment",
				  (long long)x);
	mta_rec_reader_init(&q->rr, q->fp, MTA_QREAD_RECORD_MAX, MTA_REC_FOLLOW);
	rc = mta_rec_read(&q->rr, &type, &q->rec);
	if (rc <= 0 || type != MTA_REC_XTRA || q->rr.offset != x)
		return qread_fail(err, "size record does not match the content",
				  (long long)x);
	return 0;
}

/* qread_extracted - the extracted segment's encoding=, after 'X' */
static int
qread_extracted(struct mta_qread *q, struct mta_buf *err)
{
	int type, rc;

	if (qread_skip(q, err) < 0) {
		if (err->len == 0)
			mta_buf_printf(err, "%s", q->rr.error);
		return -1;
	}
	while ((rc = mta_rec_read(&q->rr, &type, &q->rec)) > 0) {
		if (type == MTA_REC_ATTR)
			qread_attr(q);
		else if (type == MTA_REC_END)
			return mta_qread_rewind(q);
	}
	mta_buf_printf(err, "%s", q->rr.error[0] ? q->rr.error :
		       "queue file ends early");
	return -1;
}
/* qread_lock - open and share-lock the queue file */
static int
qread_lock(const struct mta_spool *sp, const char *queue, const char *id,
	   struct mta_qread *q, struct mta_buf *err)
{
	char path[MTA_SPOOL_PATH_MAX];
	int fd2;

	if (mta_spool_path(sp, queue, id, path, sizeof(path)) < 0) {
		mta_buf_printf(err, "queue file name too long");
		return -1;
	}
	q->fd = openat(sp->dirfd, path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (q->fd < 0) {
		mta_buf_printf(err, "cannot open queue file %s: %s", path,
			       strerror(errno));
		return -1;
	}
	if (flock(q->fd, LOCK_SH | LOCK_NB) < 0) {
		mta_buf_printf(err, "queue file locked");
		return -1;
	}
	if ((fd2 = dup(q->fd)) < 0 || (q->fp = fdopen(fd2, "r")) == NULL) {
		mta_buf_printf(err, "cannot read queue file: %s", strerror(errno));
		if (fd2 >= 0)
			close(fd2);
		return -1;
	}
	q->iobuf = mta_malloc(MTA_QREAD_IOBUF);
	setvbuf(q->fp, q->iobuf, _IOFBF, MTA_QREAD_IOBUF);
	return 0;
}

/*
 * mta_qread_open - the queue file of a delivery, locked, read up to its
 * content. Returns 0, or -1 with err set (the caller defers everyone).
 */
int
mta_qread_open(const struct mta_spool *sp, const char *queue, const char *id,
	       struct mta_qread *q, struct mta_buf *err)
{
	memset(q, 0, sizeof(*q));
	q->fd = -1;
	mta_buf_init(&q->rec, MTA_QREAD_RECORD_MAX);
	if (qread_lock(sp, queue, id, q, err) < 0)
		return -1;
	mta_rec_reader_init(&q->rr, q->fp, MTA_QREAD_RECORD_MAX, MTA_REC_FOLLOW);
	if (qread_envelope(q, err) < 0 || qread_extracted(q, err) < 0)
		return -1;
	return 0;
}

/* mta_qread_close - release the file (and its lock) */
void
mta_qread_close(struct mta_qread *q)
{
	if (q->fp)
		fclose(q->fp);
	if (q->fd >= 0)
		close(q->fd);	/* the lock goes with the last descriptor */
	free(q->iobuf);
	free(q->dsn_envid);
	mta_buf_release(&q->rec);
	memset(q, 0, sizeof(*q));
	q->fd = -1;
}

/* mta_qread_rewind - read the content again from its first record */
int
mta_qread_rewind(struct mta_qread *q)
{
	q->eof = fseeko(q->fp, q->data_offset, SEEK_SET) < 0;
	mta_rec_reader_init(&q->rr, q->fp, MTA_QREAD_RECORD_MAX, MTA_REC_FOLLOW);
	if (q->eof)
		snprintf(q->rr.error, sizeof(q->rr.error), "seek: %s",
			 strerror(errno));
	return q->eof ? -1 : 0;
}

/* mta_qread_piece - the next piece of the content (see qread.h) */
int
mta_qread_piece(void *ctx, const char **data, size_t *len, bool *more)
{
	struct mta_qread *q = ctx;
	int type, rc;

	if (q->eof && !q->rr.error[0])
		return 0;
	while (!q->eof) {
		rc = mta_rec_read(&q->rr, &type, &q->rec);
		if (rc <= 0)
			break;	/* the content ends with X, not with the file */
		if (type == MTA_REC_XTRA) {
			q->eof = true;
			if (q->size == 0 ||
			    q->rr.offset == q->data_offset + (off_t)q->size)
				return 0;
			snprintf(q->rr.error, sizeof(q->rr.error), "size record "
				 "does not match the content at offset %lld",
				 (long long)q->rr.offset);
			break;
		}
		if (type == MTA_REC_NORM || type == MTA_REC_CONT) {
			*data = q->rec.data ? q->rec.data : "";
			*len = q->rec.len;
			*more = type == MTA_REC_CONT;
			return 1;
		}
		if (type != MTA_REC_DTXT)
			break;
	}
	if (!q->rr.error[0])
		snprintf(q->rr.error, sizeof(q->rr.error), "bad content record "
			 "at offset %lld", (long long)q->rr.offset);
	q->eof = true;
	errno = EIO;
	return -1;
}
