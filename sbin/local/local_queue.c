/*
 * local_queue - the queue file as local reads it: lib/qread, and the
 * Delivered-To: headers that local's loop detection needs (see local.h).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "local.h"
#include "mem.h"
#include "msg.h"
#include "str.h"

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

	if (mta_qread_rewind(&m->q) < 0)
		return -1;
	while ((rc = mta_qread_piece(&m->q, &data, &len, &more)) > 0) {
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

/*
 * local_msg_open - the queue file of a request, locked and read up to its
 * content (lib/qread), and its Delivered-To: headers read. -1 with st
 * set: defer everything.
 */
int
local_msg_open(struct local_state *ls, const struct mta_dlv_request *req,
	       struct local_msg *m, struct mta_dstatus *st)
{
	struct mta_buf err = MTA_BUF_INIT(256);
	int rc = 0;

	memset(m, 0, sizeof(*m));
	if (mta_qread_open(&ls->ctx->spool, req->queue_name, req->queue_id,
			   &m->q, &err) < 0 || msg_scan_headers(m) < 0) {
		mta_dstatus_set(st, "4.3.0", "error reading queue file: %s",
				err.len ? mta_buf_str(&err) : m->q.rr.error);
		mta_msg_warn("%s: %s", req->queue_id, st->text);
		rc = -1;
	}
	mta_buf_release(&err);
	return rc;
}

/* local_msg_close - release the message (and its lock) */
void
local_msg_close(struct local_msg *m)
{
	for (size_t i = 0; i < m->ndelivered; i++)
		free(m->delivered[i]);
	free(m->delivered);
	m->delivered = NULL;
	m->ndelivered = 0;
	mta_qread_close(&m->q);
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
