/* qwriter - queue files as cleanup writes them (see qwriter.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "qwriter.h"
#include "record.h"

/* qwriter_fail - remember the first error; every later call fails too */
static int
qwriter_fail(struct mta_qwriter *w)
{
	if (w->error == 0)
		w->error = errno ? errno : EIO;
	return -1;
}

/* mta_qwriter_open - a new file in queue, with the 'C' placeholder */
int
mta_qwriter_open(struct mta_qwriter *w, const struct mta_spool *sp,
		 const char *queue)
{
	static const long long zero[MTA_REC_SIZE_FIELDS];
	char size[MTA_REC_SIZE_PAYLOAD + 1];

	memset(w, 0, sizeof(*w));
	w->spool = sp;
	w->fd = -1;
	strlcpy(w->queue, queue, sizeof(w->queue));
	w->fd = mta_spool_create(sp, queue, MTA_SPOOL_MODE_WRITING, w->id);
	if (w->fd < 0)
		return -1;
	if ((w->fp = fdopen(w->fd, "w+")) == NULL) {
		mta_qwriter_abort(w);
		return -1;
	}
	mta_rec_size_format(size, zero);
	if (mta_rec_writes(w->fp, MTA_REC_SIZE, size) < 0) {
		mta_qwriter_abort(w);
		return -1;
	}
	return 0;
}

/*
 * qwriter_mixed - qmgr's "mixed" flag: in the envelope or the extracted
 * segment, a record other than a recipient group's after the first
 * recipient (attributes count as the pseudo types they stand for).
 */
static void
qwriter_mixed(struct mta_qwriter *w, int type, const void *data, size_t len)
{
	char name[32];
	const char *eq;

	if (w->segment == 1)
		return;
	if (type == MTA_REC_ATTR && (eq = memchr(data, '=', len)) != NULL &&
	    (size_t)(eq - (const char *)data) < sizeof(name)) {
		memcpy(name, data, (size_t)(eq - (const char *)data));
		name[eq - (const char *)data] = '\0';
		type = mta_rec_attr_pseudo(name);
	}
	if (type == MTA_REC_RCPT || type == MTA_REC_DONE)
		w->rcpt_in_segment = 1;
	else if (w->rcpt_in_segment && strchr("MEDRO/Kon", type) == NULL)
		w->mixed = 1;
	if (type == MTA_REC_MESG)
		w->rcpt_in_segment = 0;
}

/* mta_qwriter_rec - append one record; 'M', 'X', 'E' move the segment */
int
mta_qwriter_rec(struct mta_qwriter *w, int type, const void *data, size_t len)
{
	if (w->error)
		return -1;
	if (w->segment > 2 || !mta_rec_allowed(type, w->segment) ||
	    type == MTA_REC_SIZE) {
		errno = EINVAL;
		return qwriter_fail(w);
	}
	if (type == MTA_REC_XTRA)
		w->xtra_offset = ftello(w->fp);
	if (type == MTA_REC_RCPT)
		w->nrcpt++;
	qwriter_mixed(w, type, data, len);
	if (mta_rec_write(w->fp, type, data, len) < 0)
		return qwriter_fail(w);
	if (type == MTA_REC_MESG) {
		w->segment = 1;
		w->data_offset = ftello(w->fp);
	} else if (type == MTA_REC_XTRA) {
		w->segment = 2;
	} else if (type == MTA_REC_END) {
		w->segment = 3;
	}
	return 0;
}

/* mta_qwriter_str - a record whose payload is a C string */
int
mta_qwriter_str(struct mta_qwriter *w, int type, const char *text)
{
	return mta_qwriter_rec(w, type, text, strlen(text));
}

/* mta_qwriter_line - one line of content (no terminator), cut as needed */
int
mta_qwriter_line(struct mta_qwriter *w, const char *text, size_t len)
{
	size_t max = w->line_max ? w->line_max : MTA_QWRITER_LINE_MAX;

	while (len > max) {
		if (mta_qwriter_rec(w, MTA_REC_CONT, text, max) < 0)
			return -1;
		text += max;
		len -= max;
	}
	return mta_qwriter_rec(w, MTA_REC_NORM, text, len);
}

/* qwriter_size - rewrite the 'C' record with the real numbers */
static int
qwriter_size(struct mta_qwriter *w)
{
	long long f[MTA_REC_SIZE_FIELDS] = {
		w->xtra_offset - w->data_offset, w->data_offset, w->nrcpt,
		((long long)(w->notify_mask & 0xF) << 1) | w->mixed,
		w->xtra_offset - w->data_offset, 0};
	char size[MTA_REC_SIZE_PAYLOAD + 1];

	if (mta_rec_size_format(size, f) < 0 || fflush(w->fp) == EOF ||
	    fseeko(w->fp, 0, SEEK_SET) < 0 ||
	    mta_rec_writes(w->fp, MTA_REC_SIZE, size) < 0 ||
	    fflush(w->fp) == EOF)
		return -1;
	return 0;
}

/*
 * mta_qwriter_close - finish a file whose last record was 'E': sizes,
 * then durable, then complete. On failure the file is removed and errno
 * says why; the caller must not report the message as accepted.
 */
int
mta_qwriter_close(struct mta_qwriter *w)
{
	int saved;

	if (w->error) {
		saved = w->error;
		mta_qwriter_abort(w);
		errno = saved;
		return -1;
	}
	if (w->segment != 3) {
		mta_qwriter_abort(w);
		errno = EINVAL;
		return -1;
	}
	if (qwriter_size(w) < 0 ||
	    mta_spool_commit(w->spool, w->fd, w->queue) < 0) {
		saved = errno;
		mta_qwriter_abort(w);
		errno = saved;
		return -1;
	}
	if (fclose(w->fp) == EOF) {
		w->fp = NULL;
		w->fd = -1;
		saved = errno;
		mta_qwriter_abort(w);
		errno = saved;
		return -1;
	}
	w->fp = NULL;
	w->fd = -1;
	return 0;
}

/* mta_qwriter_abort - throw the unfinished file away */
void
mta_qwriter_abort(struct mta_qwriter *w)
{
	char path[MTA_SPOOL_PATH_MAX];
	int saved = errno;

	if (w->fp)
		fclose(w->fp);
	else if (w->fd >= 0)
		close(w->fd);
	w->fp = NULL;
	w->fd = -1;
	if (w->id[0] &&
	    mta_spool_path(w->spool, w->queue, w->id, path, sizeof(path)) == 0)
		unlinkat(w->spool->dirfd, path, 0);
	w->id[0] = '\0';
	errno = saved;
}
