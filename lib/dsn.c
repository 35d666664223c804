/*
 * dsn - delivery status notifications (see dsn.h): read the original
 * queue file and the log, decide who gets what, log as Postfix's bounce.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "bouncelog.h"
#include "dsn.h"
#include "dsn_priv.h"
#include "mem.h"
#include "msg.h"
#include "record.h"

/* The log of one message, as recipients. */
struct dsn_log {
	struct dsn_rcpt *v;
	size_t n;
};

/* orig_attr - an envelope or extracted attribute we use */
static void
orig_attr(struct dsn_orig *o, char *payload)
{
	char *name, *value;

	if (mta_rec_attr_split(payload, &name, &value) < 0)
		return;
	if (strcmp(name, "ret_flags") == 0) {
		o->ret = atoi(value);
	} else if (strcmp(name, "envelope_id") == 0 && o->envid == NULL) {
		o->envid = mta_strndup(value, 512);
		dsn_mask(o->envid);
	} else if (strcmp(name, "encoding") == 0 && o->encoding == NULL) {
		o->encoding = mta_strndup(value, 32);
	}
}

/* orig_envelope - one envelope record: T, S, A, M (content follows) */
static void
orig_envelope(struct dsn_orig *o, int type, struct mta_buf *data,
              struct mta_rec_reader *rr, int *segment)
{
	switch (type) {
	case MTA_REC_TIME:
		if (o->arrival == 0)
			o->arrival = (time_t)strtoll(data->data, NULL, 10);
		break;
	case MTA_REC_FROM:
		if (o->sender == NULL)
			o->sender = mta_strdup(data->data);
		break;
	case MTA_REC_ATTR:
		orig_attr(o, data->data);
		break;
	case MTA_REC_MESG:
		o->content = rr->pos;
		*segment = 1;
		break;
	}
}

/* orig_content - one content record: its size, a boundary look-alike */
static void
orig_content(struct dsn_orig *o, int type, struct mta_buf *data, const char *id,
             bool *start, int *segment)
{
	size_t idlen = strlen(id);

	if (type == MTA_REC_XTRA) {
		*segment = 2;
		return;
	}
	o->size += (long long)data->len + (type == MTA_REC_NORM);
	if (*start && data->len >= idlen + 3 && data->data[0] == '-' &&
	    data->data[1] == '-' && strncmp(data->data + 2, id, idlen) == 0 &&
	    data->data[idlen + 2] == '.')
		o->clash = true;
	*start = type == MTA_REC_NORM;
}

/* orig_scan - one pass over the queue file */
static int
orig_scan(struct dsn_orig *o, const char *id, struct mta_buf *err)
{
	struct mta_buf data = MTA_BUF_INIT(DSN_REC_MAX);
	struct mta_rec_reader rr;
	int type, rc, segment = 0;
	bool start = true;

	mta_rec_reader_init(&rr, o->fp, DSN_REC_MAX, MTA_REC_FOLLOW);
	while ((rc = mta_rec_read(&rr, &type, &data)) == 1 &&
	       type != MTA_REC_END) {
		if (segment == 0)
			orig_envelope(o, type, &data, &rr, &segment);
		else if (segment == 1)
			orig_content(o, type, &data, id, &start, &segment);
		else if (type == MTA_REC_ATTR)
			orig_attr(o, data.data);
	}
	mta_buf_release(&data);
	if (rc != 1 || o->sender == NULL) {
		mta_buf_printf(err, "queue file %s: %s", id,
		               rc == MTA_REC_ERROR ? rr.error
		               : o->sender         ? "no end record"
		                                   : "no sender record");
		return -1;
	}
	return 0;
}

/* orig_close - release what orig_open got */
static void
orig_close(struct dsn_orig *o)
{
	if (o->fp)
		fclose(o->fp);
	free(o->sender);
	free(o->envid);
	free(o->encoding);
	memset(o, 0, sizeof(*o));
}

/* orig_open - the original message in queue: its envelope facts */
static int
orig_open(struct dsn_orig *o, const struct mta_spool *sp, const char *queue,
          const char *id, struct mta_buf *err)
{
	char path[MTA_SPOOL_PATH_MAX];
	int fd;

	memset(o, 0, sizeof(*o));
	if (mta_spool_path(sp, queue, id, path, sizeof(path)) < 0) {
		mta_buf_printf(err, "bad queue %s or id %s", queue, id);
		return -1;
	}
	fd = openat(sp->dirfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || (o->fp = fdopen(fd, "r")) == NULL) {
		mta_buf_printf(err, "open %s/%s: %s", sp->dir, path,
		               strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (orig_scan(o, id, err) < 0) {
		orig_close(o);
		return -1;
	}
	return 0;
}

/* copy_field - a log string for the notice: masked, NULL if empty */
static char *
copy_field(const char *s)
{
	char *copy;

	if (s == NULL || *s == '\0')
		return NULL;
	copy = mta_strdup(s);
	dsn_mask(copy);
	return copy;
}

/* valid_status - "d.ddd.ddd" with the right class */
static bool
valid_status(const char *s, char class)
{
	size_t n;

	if (s == NULL || s[0] != class || s[1] != '.')
		return false;
	n = strspn(s + 2, "0123456789");
	if (n < 1 || n > 3 || s[2 + n] != '.')
		return false;
	s += 3 + n;
	n = strspn(s, "0123456789");
	return n >= 1 && n <= 3 && s[n] == '\0';
}

/* log_add - one log entry as a recipient of the notice */
static void
log_add(struct dsn_log *log, const struct mta_bounce_entry *e, bool defer)
{
	struct dsn_rcpt *r;

	log->v = mta_reallocarray(log->v, log->n + 1, sizeof(*log->v));
	r = &log->v[log->n++];
	r->addr = copy_field(e->recipient);
	r->orig = copy_field(e->orig_rcpt);
	r->dsn_orcpt = copy_field(e->dsn_orig_rcpt);
	if (r->dsn_orcpt && strchr(r->dsn_orcpt, ';') == NULL) {
		free(r->dsn_orcpt);
		r->dsn_orcpt = NULL;
	}
	r->status = valid_status(e->status, defer ? '4' : '5')
	                    ? mta_strdup(e->status)
	                    : mta_strdup(defer ? "4.0.0" : "5.0.0");
	r->action = mta_strdup(defer ? "delayed" : "failed");
	r->diag_type = copy_field(e->diag_type);
	r->diag_text = copy_field(e->diag_text);
	r->mta_type = copy_field(e->mta_type);
	r->mta_mname = copy_field(e->mta_mname);
	r->reason = copy_field(e->reason);
	if (r->reason == NULL)
		r->reason = mta_strdup("(description unavailable)");
	if (r->addr == NULL)
		r->addr = mta_strdup("(MAILER-DAEMON)");
	r->notify = e->notify_flags;
}

/* log_free - release a log */
static void
log_free(struct dsn_log *log)
{
	for (size_t i = 0; i < log->n; i++) {
		struct dsn_rcpt *r = &log->v[i];

		free(r->addr), free(r->orig), free(r->dsn_orcpt);
		free(r->status), free(r->action), free(r->diag_type);
		free(r->diag_text), free(r->mta_type), free(r->mta_mname);
		free(r->reason);
	}
	free(log->v);
	memset(log, 0, sizeof(*log));
}

/* log_read - the bounce (or defer) log of id */
static int
log_read(struct dsn_log *log, const struct mta_spool *sp, const char *id,
         bool defer, struct mta_buf *err)
{
	const char *queue = defer ? MTA_QUEUE_DEFER : MTA_QUEUE_BOUNCE;
	const struct mta_bounce_entry *e;
	char path[MTA_SPOOL_PATH_MAX];
	struct mta_bouncelog bl;

	memset(log, 0, sizeof(*log));
	if (mta_spool_path(sp, queue, id, path, sizeof(path)) < 0 ||
	    mta_bouncelog_open(&bl, sp->dirfd, path, defer) < 0) {
		mta_buf_printf(err, "open %s log %s/%s: %s", queue, sp->dir,
		               path, strerror(errno));
		return -1;
	}
	while (log->n < DSN_RCPT_MAX && mta_bouncelog_next(&bl, &e) == 1)
		log_add(log, e, defer);
	if (ferror(bl.fp)) {
		mta_buf_printf(err, "read %s/%s: %s", sp->dir, path,
		               strerror(errno));
		mta_bouncelog_close(&bl);
		log_free(log);
		return -1;
	}
	mta_bouncelog_close(&bl);
	return 0;
}

/* wanted - the recipients that want this kind of notice, in place */
static size_t
wanted(struct dsn_rcpt *v, size_t n, int bit)
{
	size_t keep = 0;

	for (size_t i = 0; i < n; i++) {
		if (v[i].notify == 0 || (v[i].notify & bit)) {
			struct dsn_rcpt tmp = v[keep];

			v[keep++] = v[i];
			v[i] = tmp;
		}
	}
	return keep;
}

/* is_double_bounce - is this sender our double-bounce address? */
static bool
is_double_bounce(struct mta_config *cfg, const char *sender)
{
	const char *db = mta_config_str(cfg, "double_bounce_sender");
	const char *origin = mta_config_str(cfg, "myorigin");
	size_t len;

	if (db == NULL || *db == '\0' || *sender == '\0')
		return false;
	if (strcasecmp(sender, db) == 0)
		return true;
	len = strlen(db);
	return strchr(db, '@') == NULL && origin &&
	       strncasecmp(sender, db, len) == 0 && sender[len] == '@' &&
	       strcasecmp(sender + len + 1, origin) == 0;
}

/* has_class - does notify_classes name this class? */
static bool
has_class(struct mta_config *cfg, const char *class)
{
	const char *list = mta_config_str(cfg, "notify_classes");
	size_t len = strlen(class);

	while (list && *list) {
		size_t n;

		list += strspn(list, ", \t\r\n");
		n = strcspn(list, ", \t\r\n");
		if (n == len && strncasecmp(list, class, len) == 0)
			return true;
		list += n;
	}
	return false;
}

/* send_logged - send one notice and log it as Postfix's bounce does */
static int
send_logged(struct dsn_job *job, const char *what, char newid[MTA_QID_SIZE],
            struct mta_buf *err)
{
	if (dsn_send(job, newid, err) < 0) {
		mta_msg_warn("%s: %s failed: %s", job->id, what,
		             mta_buf_str(err));
		newid[0] = '\0';
		return -1;
	}
	mta_msg_info("%s: %s: %s", job->id, what, newid);
	return 0;
}

/*
 * postmaster_copy - the headers-only copy notify_classes asks for. Its
 * failure is logged but does not fail the call: the sender's notice is
 * out already, and trying again would send that twice.
 */
static void
postmaster_copy(struct dsn_job job, const char *param, const char *what)
{
	struct mta_buf err = MTA_BUF_INIT(1024);
	char id[MTA_QID_SIZE];

	job.postmaster = true;
	job.headers_only = true;
	job.sender = mta_config_str(job.cfg, "double_bounce_sender");
	job.to = mta_config_str(job.cfg, param);
	if (job.to && *job.to && job.sender)
		send_logged(&job, what, id, &err);
	mta_buf_release(&err);
}

/* headers_only - the original too big, or RET=HDRS */
static bool
headers_only(struct mta_config *cfg, const struct dsn_orig *o)
{
	long long limit = mta_config_int(cfg, "bounce_size_limit");

	return (o->ret & DSN_RET_HDRS) || (limit > 0 && o->size > limit);
}

/* bounce_notices - the failure notices of a message, per dsn.h */
static int
bounce_notices(struct dsn_job *job, struct dsn_log *log,
               char newid[MTA_QID_SIZE], struct mta_buf *err)
{
	struct mta_config *cfg = job->cfg;
	const char *sender = job->orig->sender;

	if (is_double_bounce(cfg, sender)) {
		mta_msg_warn("%s: undeliverable postmaster notification "
		             "discarded",
		             job->id);
		return 0;
	}
	job->headers_only = headers_only(cfg, job->orig);
	job->rcpts = log->v;
	if (*sender == '\0') {
		job->n = log->n;
		job->postmaster = true;
		job->sender = mta_config_str(cfg, "double_bounce_sender");
		job->to = mta_config_str(cfg, "2bounce_notice_recipient");
		if (job->to == NULL || *job->to == '\0')
			job->to = "postmaster";
		return send_logged(job, "postmaster non-delivery notification",
		                   newid, err);
	}
	job->n = wanted(log->v, log->n, DSN_NOTIFY_FAILURE);
	job->sender = "";
	job->to = sender;
	if (job->n > 0 && send_logged(job, "sender non-delivery notification",
	                              newid, err) < 0)
		return -1;
	job->n = log->n;
	if (has_class(cfg, "bounce"))
		postmaster_copy(*job, "bounce_notice_recipient",
		                "postmaster non-delivery notification");
	return 0;
}

/* delay_notices - the delay warnings of a message (never for bounces) */
static int
delay_notices(struct dsn_job *job, struct dsn_log *log,
              char newid[MTA_QID_SIZE], struct mta_buf *err)
{
	const char *sender = job->orig->sender;

	job->kind = DSN_DELAY;
	job->headers_only = true;
	job->rcpts = log->v;
	if (*sender == '\0' || is_double_bounce(job->cfg, sender))
		return 0;
	job->n = wanted(log->v, log->n, DSN_NOTIFY_DELAY);
	job->sender = "";
	job->to = sender;
	if (job->n > 0 &&
	    send_logged(job, "sender delay notification", newid, err) < 0)
		return -1;
	job->n = log->n;
	if (has_class(job->cfg, "delay"))
		postmaster_copy(*job, "delay_notice_recipient",
		                "postmaster delay notification");
	return 0;
}

/* dsn_run - read the original and the log, then send the notices */
static int
dsn_run(struct mta_config *cfg, const struct mta_spool *sp, const char *queue,
        const char *id, bool defer, char newid[MTA_QID_SIZE],
        struct mta_buf *err)
{
	struct dsn_orig orig;
	struct dsn_log log;
	struct dsn_job job = {.cfg = cfg, .sp = sp, .id = id, .orig = &orig};
	int rc;

	newid[0] = '\0';
	if (orig_open(&orig, sp, queue, id, err) < 0)
		return -1;
	if (log_read(&log, sp, id, defer, err) < 0) {
		orig_close(&orig);
		return -1;
	}
	if (log.n == 0)
		rc = 0;
	else if (defer)
		rc = delay_notices(&job, &log, newid, err);
	else
		rc = bounce_notices(&job, &log, newid, err);
	log_free(&log);
	orig_close(&orig);
	return rc;
}

/* mta_dsn_bounce - the non-delivery notice of a finished message */
int
mta_dsn_bounce(struct mta_config *cfg, const struct mta_spool *sp,
               const char *queue, const char *id, char newid[MTA_QID_SIZE],
               struct mta_buf *err)
{
	return dsn_run(cfg, sp, queue, id, false, newid, err);
}

/* mta_dsn_delay - the delay warning of a message still deferred */
int
mta_dsn_delay(struct mta_config *cfg, const struct mta_spool *sp,
              const char *queue, const char *id, char newid[MTA_QID_SIZE],
              struct mta_buf *err)
{
	return dsn_run(cfg, sp, queue, id, true, newid, err);
}
