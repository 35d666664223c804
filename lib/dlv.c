/* dlv - the qmgr <-> delivery agent protocol (see dlv.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "addr.h"
#include "bouncelog.h"
#include "dlv.h"
#include "mem.h"
#include "msg.h"
#include "record.h"
#include "str.h"

/* dlv_escape - a value that cannot break a line or a field */
static void
dlv_escape(struct mta_buf *out, const char *s)
{
	if (*s == '\0') {
		mta_buf_addc(out, '%');
		return;
	}
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= ' ' || c == '%' || c == 0x7f)
			mta_buf_printf(out, "%%%02X", c);
		else
			mta_buf_addc(out, c);
	}
}

/* dlv_unescape - in place; "%" alone is the empty value */
static int
dlv_unescape(char *s)
{
	char *w = s;

	if (strcmp(s, "%") == 0) {
		*s = '\0';
		return 0;
	}
	for (char *r = s; *r; r++) {
		if (*r != '%') {
			*w++ = *r;
			continue;
		}
		if (!r[1] || !r[2] || !strchr("0123456789ABCDEF", r[1]) ||
		    !strchr("0123456789ABCDEF", r[2]))
			return -1;
		*w++ = (char)strtol((char[]){r[1], r[2], 0}, NULL, 16);
		if (w[-1] == '\0')
			return -1;	/* no NUL inside a value */
		r += 2;
	}
	*w = '\0';
	return 0;
}

/* mta_dlv_init - an empty request */
void
mta_dlv_init(struct mta_dlv_request *req)
{
	memset(req, 0, sizeof(*req));
	req->sender = mta_strdup("");
	req->nexthop = mta_strdup("");
}

/* mta_dlv_release - free what a request holds */
void
mta_dlv_release(struct mta_dlv_request *req)
{
	for (size_t i = 0; i < req->nrcpt; i++) {
		free(req->rcpt[i].orig);
		free(req->rcpt[i].dsn_orcpt);
		free(req->rcpt[i].address);
	}
	free(req->rcpt);
	free(req->sender);
	free(req->nexthop);
	memset(req, 0, sizeof(*req));
}

/* mta_dlv_add_rcpt - one more recipient, pending */
void
mta_dlv_add_rcpt(struct mta_dlv_request *req, long offset, int notify,
		 const char *orig, const char *dsn_orcpt, const char *address)
{
	struct mta_dlv_rcpt *r;

	if (req->nrcpt == req->cap) {
		req->cap = req->cap ? req->cap * 2 : 8;
		req->rcpt = mta_reallocarray(req->rcpt, req->cap, sizeof(*r));
	}
	r = &req->rcpt[req->nrcpt++];
	memset(r, 0, sizeof(*r));
	r->offset = offset;
	r->notify = notify;
	r->orig = mta_strdup(orig ? orig : "");
	r->dsn_orcpt = mta_strdup(dsn_orcpt ? dsn_orcpt : "");
	r->address = mta_strdup(address);
}

/* mta_dlv_write_request - the request, flushed */
int
mta_dlv_write_request(FILE *fp, const struct mta_dlv_request *req)
{
	struct mta_buf b = MTA_BUF_INIT(1 << 26);
	int rc;

	mta_buf_printf(&b, "queue_name %s\nqueue_id %s\narrival_time %.6f\n"
		       "create_time %.6f\nactive_time %.6f\nsender ",
		       req->queue_name, req->queue_id, req->arrival, req->create,
		       req->active);
	dlv_escape(&b, req->sender);
	mta_buf_adds(&b, "\nnexthop ");
	dlv_escape(&b, req->nexthop);
	mta_buf_addc(&b, '\n');
	for (size_t i = 0; i < req->nrcpt; i++) {
		const struct mta_dlv_rcpt *r = &req->rcpt[i];

		mta_buf_printf(&b, "rcpt %ld %d ", r->offset, r->notify);
		dlv_escape(&b, r->orig);
		mta_buf_addc(&b, ' ');
		dlv_escape(&b, r->dsn_orcpt);
		mta_buf_addc(&b, ' ');
		dlv_escape(&b, r->address);
		mta_buf_addc(&b, '\n');
	}
	mta_buf_adds(&b, "end\n");
	rc = fwrite(b.data, 1, b.len, fp) == b.len && fflush(fp) == 0 ? 0 : -1;
	mta_buf_release(&b);
	return rc;
}

/* dlv_getline - one line without LF, bounded; 0 at EOF */
static int
dlv_getline(FILE *fp, char *line, size_t size)
{
	size_t n;

	if (fgets(line, (int)size, fp) == NULL)
		return 0;
	n = strlen(line);
	if (n == 0 || line[n - 1] != '\n')
		return -1;	/* too long, or cut off */
	line[n - 1] = '\0';
	return 1;
}

/* dlv_rcpt_line - "OFFSET NOTIFY ORIG DSN_ORCPT ADDRESS" */
static int
dlv_rcpt_line(struct mta_dlv_request *req, char *value)
{
	char *f[5], *cp = value;
	char *end;
	long offset;
	long notify;

	for (int i = 0; i < 5; i++)
		if ((f[i] = strsep(&cp, " ")) == NULL || *f[i] == '\0')
			return -1;
	if (cp != NULL || req->nrcpt >= MTA_DLV_MAX_RCPT)
		return -1;
	offset = strtol(f[0], &end, 10);
	if (*end || offset <= 0)
		return -1;
	notify = strtol(f[1], &end, 10);
	if (*end || notify < 0 || notify > 15)
		return -1;
	for (int i = 2; i < 5; i++)
		if (dlv_unescape(f[i]) < 0)
			return -1;
	if (*f[4] == '\0')
		return -1;
	mta_dlv_add_rcpt(req, offset, (int)notify, f[2], f[3], f[4]);
	return 0;
}

/* dlv_field - one "name value" line of a request */
static int
dlv_field(struct mta_dlv_request *req, char *name, char *value)
{
	if (strcmp(name, "rcpt") == 0)
		return dlv_rcpt_line(req, value);
	if (dlv_unescape(value) < 0)
		return -1;
	if (strcmp(name, "queue_name") == 0)
		return strlcpy(req->queue_name, value, sizeof(req->queue_name)) <
			       sizeof(req->queue_name) && mta_queue_name_valid(value) ?
		       0 : -1;
	if (strcmp(name, "queue_id") == 0)
		return strlcpy(req->queue_id, value, sizeof(req->queue_id)) <
			       sizeof(req->queue_id) && mta_qid_valid(value) ? 0 : -1;
	if (strcmp(name, "arrival_time") == 0)
		req->arrival = strtod(value, NULL);
	else if (strcmp(name, "create_time") == 0)
		req->create = strtod(value, NULL);
	else if (strcmp(name, "active_time") == 0)
		req->active = strtod(value, NULL);
	else if (strcmp(name, "sender") == 0) {
		free(req->sender);
		req->sender = mta_strdup(value);
	} else if (strcmp(name, "nexthop") == 0) {
		free(req->nexthop);
		req->nexthop = mta_strdup(value);
	}
	/* Unknown names are skipped: a newer qmgr may say more. */
	return 0;
}

/*
 * mta_dlv_read_request - a whole request, checked. Returns 0, or -1 with
 * the reason in err (the caller drops the connection: nothing happened).
 */
int
mta_dlv_read_request(FILE *fp, struct mta_dlv_request *req,
		     struct mta_buf *err)
{
	char line[MTA_DLV_LINE_MAX];
	int rc;

	mta_dlv_init(req);
	while ((rc = dlv_getline(fp, line, sizeof(line))) == 1) {
		char *sp = strchr(line, ' ');

		if (strcmp(line, "end") == 0)
			break;
		if (sp == NULL || (*sp = '\0', dlv_field(req, line, sp + 1) < 0)) {
			mta_buf_printf(err, "bad request line: %.100s", line);
			return -1;
		}
	}
	if (rc != 1) {
		mta_buf_printf(err, rc ? "request line too long" :
			       "request ended early");
		return -1;
	}
	if (!req->queue_id[0] || !req->queue_name[0] || req->nrcpt == 0) {
		mta_buf_printf(err, "request without queue file or recipients");
		return -1;
	}
	return 0;
}

/* mta_dlv_result_name - sent, deferred, bounced */
const char *
mta_dlv_result_name(enum mta_dlv_result result)
{
	static const char *const names[] = {"pending", "sent", "deferred",
					    "bounced"};

	return names[result];
}

/* mta_dlv_write_status - "status OFFSET RESULT DSN" */
int
mta_dlv_write_status(FILE *fp, const struct mta_dlv_rcpt *r)
{
	return fprintf(fp, "status %ld %s %s\n", r->offset,
		       mta_dlv_result_name(r->result),
		       r->dsn[0] ? r->dsn : "4.0.0") < 0 ? -1 : 0;
}

/* mta_dlv_write_end - the last line of the answer, flushed */
int
mta_dlv_write_end(FILE *fp)
{
	return fputs("end\n", fp) == EOF || fflush(fp) == EOF ? -1 : 0;
}

/* dlv_answer - the statuses, in the order of the request, then end */
static void
dlv_answer(int client, const struct mta_dlv_request *req)
{
	int fd = dup(client);
	FILE *out = fd < 0 ? NULL : fdopen(fd, "w");
	int rc = out ? 0 : -1;

	for (size_t i = 0; rc == 0 && i < req->nrcpt; i++)
		rc = mta_dlv_write_status(out, &req->rcpt[i]);
	if (rc < 0 || mta_dlv_write_end(out) < 0)
		mta_msg_warn("%s: qmgr went away before the answer",
			     req->queue_id);
	if (out)
		fclose(out);
	else if (fd >= 0)
		close(fd);
}

/*
 * mta_dlv_serve - an agent's side of one connection from qmgr: read the
 * request, let handle() deliver it (it sets every recipient's result),
 * answer. Problems are logged; the connection stays the caller's.
 */
void
mta_dlv_serve(int client, mta_dlv_handler *handle, void *data)
{
	struct mta_buf err = MTA_BUF_INIT(512);
	struct mta_dlv_request req;
	int fd = dup(client);
	FILE *in = fd < 0 ? NULL : fdopen(fd, "r");

	if (in == NULL) {
		mta_msg_warn("client stream: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	if (mta_dlv_read_request(in, &req, &err) < 0) {
		mta_msg_warn("%s", mta_buf_str(&err));
	} else {
		handle(data, &req);
		dlv_answer(client, &req);
	}
	mta_dlv_release(&req);
	mta_buf_release(&err);
	fclose(in);
}

/* dlv_status_line - apply one "status OFFSET RESULT DSN" line */
static int
dlv_status_line(struct mta_dlv_request *req, char *line)
{
	char result[16], dsn[16];
	long offset;

	if (sscanf(line, "status %ld %15s %15s", &offset, result, dsn) != 3)
		return -1;
	for (size_t i = 0; i < req->nrcpt; i++) {
		struct mta_dlv_rcpt *r = &req->rcpt[i];

		if (r->offset != offset || r->result != MTA_DLV_PENDING)
			continue;
		if (strcmp(result, "sent") == 0)
			r->result = MTA_DLV_SENT;
		else if (strcmp(result, "bounced") == 0)
			r->result = MTA_DLV_BOUNCED;
		else if (strcmp(result, "deferred") == 0)
			r->result = MTA_DLV_DEFERRED;
		else
			return -1;
		strlcpy(r->dsn, dsn, sizeof(r->dsn));
		return 0;
	}
	return -1;
}

/*
 * mta_dlv_read_status - the agent's answer into req's recipients. Returns
 * 0 when it ended with "end", -1 otherwise (unanswered ones stay pending).
 */
int
mta_dlv_read_status(FILE *fp, struct mta_dlv_request *req,
		    struct mta_buf *err)
{
	char line[256];
	int rc;

	while ((rc = dlv_getline(fp, line, sizeof(line))) == 1) {
		if (strcmp(line, "end") == 0)
			return 0;
		if (dlv_status_line(req, line) < 0) {
			mta_buf_printf(err, "bad status line: %.100s", line);
			return -1;
		}
	}
	mta_buf_printf(err, "%s", rc ? "status line too long" :
		       "the delivery agent went away");
	return -1;
}

/* mta_dlv_mark_done - the R record at offset becomes D */
int
mta_dlv_mark_done(int queue_fd, long offset)
{
	char type;

	if (pread(queue_fd, &type, 1, offset) != 1 || type != MTA_REC_RCPT) {
		errno = EINVAL;	/* not a recipient record: never overwrite */
		return -1;
	}
	if (mta_rec_mark(queue_fd, offset, MTA_REC_DONE) < 0)
		return -1;
	return fdatasync(queue_fd);
}

/*
 * mta_dlv_format_delay - Postfix's delay format: at most two significant
 * digits and two decimals below 10 s, whole seconds above.
 */
void
mta_dlv_format_delay(char *out, size_t size, double s)
{
	if (s < 0.005)
		snprintf(out, size, "0");
	else if (s >= 9.95)
		snprintf(out, size, "%.0f", s);
	else if (s >= 1)
		snprintf(out, size, "%.2g", s);
	else if (s >= 0.095)
		snprintf(out, size, "%.1f", s);
	else
		snprintf(out, size, "%.2f", s);
	/* drop trailing zeros after a point */
	if (strchr(out, '.')) {
		size_t n = strlen(out);

		while (n > 0 && out[n - 1] == '0')
			out[--n] = '\0';
		if (n > 0 && out[n - 1] == '.')
			out[--n] = '\0';
	}
}

/* dlv_log - Postfix's status line */
static void
dlv_log(const struct mta_dlv_request *req, const struct mta_dlv_rcpt *r,
	enum mta_dlv_result result, const struct mta_dlv_status *st)
{
	struct mta_buf to = MTA_BUF_INIT(4096), orig = MTA_BUF_INIT(4096);
	struct timeval now;
	char total[32], a[32], b[32], c[32];
	double dnow, dstart;

	gettimeofday(&now, NULL);
	dnow = now.tv_sec + now.tv_usec / 1e6;
	dstart = st->start.tv_sec + st->start.tv_usec / 1e6;
	mta_dlv_format_delay(total, sizeof(total), dnow - req->arrival);
	mta_dlv_format_delay(a, sizeof(a), req->active - req->arrival);
	mta_dlv_format_delay(b, sizeof(b), dstart - req->active);
	mta_dlv_format_delay(c, sizeof(c), dnow - dstart);
	mta_addr_quote(&to, r->address);
	if (*r->orig && strcasecmp(r->orig, r->address) != 0) {
		mta_buf_adds(&orig, ", orig_to=<");
		mta_addr_quote(&orig, r->orig);
		mta_buf_adds(&orig, ">");
	}
	mta_msg_info("%s: to=<%s>%s, relay=%s, delay=%s, delays=%s/%s/0/%s, "
		     "dsn=%s, status=%s (%s)", req->queue_id, mta_buf_str(&to),
		     mta_buf_str(&orig), st->relay, total, a, b, c, st->dsn,
		     mta_dlv_result_name(result), st->reason);
	mta_buf_release(&to);
	mta_buf_release(&orig);
}

/* dlv_log_entry - the defer or bounce log entry for one recipient */
static int
dlv_log_entry(const struct mta_spool *sp, const struct mta_dlv_request *req,
	      const struct mta_dlv_rcpt *r, enum mta_dlv_result result,
	      const struct mta_dlv_status *st)
{
	const char *queue = result == MTA_DLV_DEFERRED ? MTA_QUEUE_DEFER :
		MTA_QUEUE_BOUNCE;
	struct mta_buf rcpt = MTA_BUF_INIT(4096), orig = MTA_BUF_INIT(4096);
	char path[MTA_SPOOL_PATH_MAX];
	struct mta_bounce_entry e = {0};
	int rc;

	mta_addr_quote(&rcpt, r->address);
	if (*r->orig)
		mta_addr_quote(&orig, r->orig);
	e.recipient = (char *)mta_buf_str(&rcpt);
	e.orig_rcpt = *r->orig ? (char *)mta_buf_str(&orig) : NULL;
	e.offset = r->offset;
	e.dsn_orig_rcpt = *r->dsn_orcpt ? r->dsn_orcpt : NULL;
	e.notify_flags = r->notify;
	e.status = (char *)st->dsn;
	e.action = (char *)(result == MTA_DLV_DEFERRED ? "delayed" : "failed");
	e.diag_type = st->diag ? (char *)"smtp" : NULL;
	e.diag_text = (char *)st->diag;
	e.reason = (char *)st->reason;
	if (mta_spool_path(sp, queue, req->queue_id, path, sizeof(path)) < 0)
		return -1;
	mta_spool_mkdirs(sp, path);	/* a hashed level may not exist yet */
	rc = mta_bouncelog_append(sp->dirfd, path, &e);
	mta_buf_release(&rcpt);
	mta_buf_release(&orig);
	return rc;
}

/*
 * mta_dlv_record - make a result true (see dlv.h). Returns 0, or -1 when
 * the log or the queue file could not be updated: then the recipient is
 * reported deferred, so that it is tried again rather than lost.
 */
int
mta_dlv_record(const struct mta_spool *sp, int queue_fd,
	       const struct mta_dlv_request *req, struct mta_dlv_rcpt *r,
	       enum mta_dlv_result result, const struct mta_dlv_status *st)
{
	int rc = 0;

	if (result != MTA_DLV_SENT && dlv_log_entry(sp, req, r, result, st) < 0) {
		mta_msg_warn("%s: %s log: %s", req->queue_id,
			     result == MTA_DLV_DEFERRED ? "defer" : "bounce",
			     strerror(errno));
		rc = -1;
	}
	if (rc == 0 && result != MTA_DLV_DEFERRED &&
	    mta_dlv_mark_done(queue_fd, r->offset) < 0) {
		mta_msg_warn("%s: mark recipient done at offset %ld: %s",
			     req->queue_id, r->offset, strerror(errno));
		rc = -1;
	}
	if (rc < 0)
		result = MTA_DLV_DEFERRED;
	r->result = result;
	strlcpy(r->dsn, st->dsn, sizeof(r->dsn));
	dlv_log(req, r, result, st);
	return rc;
}
