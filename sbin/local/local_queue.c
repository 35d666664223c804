/* local_queue - the queue file as local reads it (see local.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <unistd.h>

#include "local.h"
#include "mem.h"
#include "msg.h"
#include "spool.h"
#include "str.h"

/* msg_find_content - the data offset of the C record, else after 'M' */
static int
msg_find_content(struct local_msg *m, struct mta_buf *err)
{
	long long fields[MTA_REC_SIZE_FIELDS];
	int type, rc;

	mta_rec_reader_init(&m->rr, m->fp, LOCAL_RECORD_MAX, MTA_REC_FOLLOW);
	while ((rc = mta_rec_read(&m->rr, &type, &m->rec)) > 0) {
		if (type == MTA_REC_SIZE &&
		    mta_rec_size_parse(mta_buf_str(&m->rec), m->rec.len,
				       fields) == 0 && fields[1] > 0) {
			m->data_offset = (off_t)fields[1];
			return 0;
		}
		if (type == MTA_REC_MESG) {
			m->data_offset = m->rr.pos;
			return 0;
		}
	}
	mta_buf_printf(err, "%s", rc < 0 ? m->rr.error :
		       "no message content");
	return -1;
}

/* msg_add_delivered - remember one Delivered-To: value */
static void
msg_add_delivered(struct local_msg *m, const char *value)
{
	char *copy = mta_strdup(value), *v = mta_str_trim(copy);
	size_t n = strlen(v);

	if (m->ndelivered < LOCAL_DELIVERED_MAX) {
		if (n >= 2 && v[0] == '<' && v[n - 1] == '>') {
			v[n - 1] = '\0';
			v++;
		}
		m->delivered = mta_reallocarray(m->delivered, m->ndelivered + 1,
						sizeof(*m->delivered));
		m->delivered[m->ndelivered++] = mta_str_lower(mta_strdup(v));
	}
	free(copy);
}

/* msg_scan_headers - the Delivered-To: headers, for loop detection */
static int
msg_scan_headers(struct local_msg *m)
{
	const char *data;
	size_t len;
	bool more, start = true;
	int rc;

	local_msg_rewind(m);
	while ((rc = local_msg_read(m, &data, &len, &more)) > 0) {
		bool line_start = start;

		start = !more;
		if (!line_start)
			continue;
		if (len == 0)
			break;	/* the end of the headers */
		if (len > 13 && strncasecmp(data, "Delivered-To:", 13) == 0)
			msg_add_delivered(m, data + 13);
	}
	return rc < 0 ? -1 : 0;
}

/* msg_lock - open and share-lock the queue file */
static int
msg_lock(struct local_state *ls, const struct mta_dlv_request *req,
	 struct local_msg *m, struct mta_dstatus *st)
{
	char path[MTA_SPOOL_PATH_MAX];

	if (mta_spool_path(&ls->ctx->spool, req->queue_name, req->queue_id,
			   path, sizeof(path)) < 0) {
		mta_dstatus_set(st, "4.3.0", "queue file name too long");
		return -1;
	}
	m->fd = openat(ls->ctx->spool.dirfd, path,
		       O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (m->fd < 0) {
		mta_dstatus_set(st, "4.3.0", "cannot open queue file %s: %s",
				path, strerror(errno));
		return -1;
	}
	if (flock(m->fd, LOCK_SH | LOCK_NB) < 0) {
		mta_dstatus_set(st, "4.3.0", "queue file locked");
		return -1;
	}
	return 0;
}

/*
 * local_msg_open - the queue file of a request, locked, its content found
 * and its Delivered-To: headers read. -1 with st set: defer everything.
 */
int
local_msg_open(struct local_state *ls, const struct mta_dlv_request *req,
	       struct local_msg *m, struct mta_dstatus *st)
{
	struct mta_buf err = MTA_BUF_INIT(256);
	int dupfd;

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	mta_buf_init(&m->rec, LOCAL_RECORD_MAX);
	if (msg_lock(ls, req, m, st) < 0)
		goto fail;
	if ((dupfd = dup(m->fd)) < 0 || (m->fp = fdopen(dupfd, "r")) == NULL) {
		mta_dstatus_set(st, "4.3.0", "cannot read queue file: %s",
				strerror(errno));
		if (dupfd >= 0)
			close(dupfd);
		goto fail;
	}
	if (msg_find_content(m, &err) < 0 || msg_scan_headers(m) < 0) {
		mta_dstatus_set(st, "4.3.0", "error reading queue file: %s",
				err.len ? mta_buf_str(&err) : m->rr.error);
		goto fail;
	}
	mta_buf_release(&err);
	return 0;
fail:
	mta_msg_warn("%s: %s", req->queue_id, st->text);
	mta_buf_release(&err);
	return -1;
}

/* local_msg_close - release the message (and its lock) */
void
local_msg_close(struct local_msg *m)
{
	for (size_t i = 0; i < m->ndelivered; i++)
		free(m->delivered[i]);
	free(m->delivered);
	if (m->fp)
		fclose(m->fp);
	if (m->fd >= 0)
		close(m->fd);	/* the lock goes with the last descriptor */
	mta_buf_release(&m->rec);
	memset(m, 0, sizeof(*m));
	m->fd = -1;
}

/* local_msg_rewind - read the content again from its first record */
void
local_msg_rewind(struct local_msg *m)
{
	m->eof = fseeko(m->fp, m->data_offset, SEEK_SET) < 0;
	mta_rec_reader_init(&m->rr, m->fp, LOCAL_RECORD_MAX, MTA_REC_FOLLOW);
	if (m->eof)
		snprintf(m->rr.error, sizeof(m->rr.error), "seek: %s",
			 strerror(errno));
}

/* local_msg_read - the mta_msg_read_fn of deliver.h over the content */
int
local_msg_read(void *ctx, const char **data, size_t *len, bool *more)
{
	struct local_msg *m = ctx;
	int type, rc;

	if (m->eof && m->rr.error[0]) {
		errno = EIO;
		return -1;
	}
	while (!m->eof) {
		rc = mta_rec_read(&m->rr, &type, &m->rec);
		if (rc <= 0)
			break;	/* the content ends with X, not with the file */
		if (type == MTA_REC_XTRA) {
			m->eof = true;
			return 0;
		}
		if (type == MTA_REC_NORM || type == MTA_REC_CONT) {
			*data = m->rec.data ? m->rec.data : "";
			*len = m->rec.len;
			*more = type == MTA_REC_CONT;
			return 1;
		}
		if (type != MTA_REC_DTXT)
			break;
	}
	if (m->eof)
		return 0;
	m->eof = true;
	if (!m->rr.error[0])
		snprintf(m->rr.error, sizeof(m->rr.error), "bad content record");
	errno = EIO;
	return -1;
}

/* local_msg_delivered - has the message a Delivered-To: for addr? */
bool
local_msg_delivered(const struct local_msg *m, const char *addr)
{
	for (size_t i = 0; i < m->ndelivered; i++)
		if (strcasecmp(m->delivered[i], addr) == 0)
			return true;
	return false;
}
