/*
 * qmgr_message - a message in active/: checked (lib/qfile.h: a file that
 * is not sound goes to corrupt/), read (its pending recipients with the
 * offsets of their R records), and split into jobs per transport and
 * next hop.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "addr.h"
#include "mem.h"
#include "msg.h"
#include "qfile.h"
#include "qmgr.h"
#include "record.h"

#define MSG_RECORD_MAX (1 << 20)

/* Per-recipient attributes wait for the recipient they belong to. */
struct msg_pending {
	char *orig;
	char *dsn_orcpt;
	int notify;
};

/* pending_clear - after a recipient record */
static void
pending_clear(struct msg_pending *p)
{
	free(p->orig);
	free(p->dsn_orcpt);
	memset(p, 0, sizeof(*p));
}

/* msg_job - the job for this transport and next hop, with room */
static struct qmgr_job *
msg_job(struct qmgr *q, struct qmgr_msg *m, const char *transport,
	const char *nexthop)
{
	struct qmgr_job *job;
	char param[128];
	long limit;

	snprintf(param, sizeof(param), "%s_destination_recipient_limit",
		 transport);
	limit = mta_config_str(q->ctx->cfg, param) ?
		mta_config_int(q->ctx->cfg, param) :
		mta_config_int(q->ctx->cfg, "default_destination_recipient_limit");
	for (size_t i = 0; i < m->njobs; i++) {
		job = m->jobs[i];
		if (strcmp(job->transport, transport) == 0 &&
		    strcmp(job->req.nexthop, nexthop) == 0 &&
		    (limit <= 0 || job->req.nrcpt < (size_t)limit))
			return job;
	}
	job = mta_calloc(1, sizeof(*job));
	job->msg = m;
	job->transport = mta_strdup(transport);
	mta_dlv_init(&job->req);
	strlcpy(job->req.queue_name, MTA_QUEUE_ACTIVE, sizeof(job->req.queue_name));
	strlcpy(job->req.queue_id, m->id, sizeof(job->req.queue_id));
	job->req.arrival = m->arrival;
	job->req.create = m->create;
	job->req.active = m->active;
	free(job->req.sender);
	job->req.sender = mta_strdup(m->sender);
	free(job->req.nexthop);
	job->req.nexthop = mta_strdup(nexthop);
	m->jobs = mta_reallocarray(m->jobs, m->njobs + 1, sizeof(*m->jobs));
	m->jobs[m->njobs++] = job;
	return job;
}

/* msg_recipient - a pending recipient into the job it belongs to */
static void
msg_recipient(struct qmgr *q, struct qmgr_msg *m, long offset,
	      const char *addr, struct msg_pending *p)
{
	struct mta_buf transport = MTA_BUF_INIT(256), nexthop = MTA_BUF_INIT(1024);
	struct mta_buf error = MTA_BUF_INIT(256);
	struct qmgr_job *job;

	if (qmgr_resolve(q, addr, &transport, &nexthop, &error) < 0) {
		/* "retry": qmgr defers these itself, with the reason */
		mta_buf_set(&transport, "retry");
		mta_buf_set(&nexthop, mta_buf_str(&error));
	}
	job = msg_job(q, m, mta_buf_str(&transport), mta_buf_str(&nexthop));
	mta_dlv_add_rcpt(&job->req, offset, p->notify, p->orig, p->dsn_orcpt,
			 addr);
	mta_buf_release(&transport);
	mta_buf_release(&nexthop);
	mta_buf_release(&error);
}

/* msg_attr - the attributes qmgr uses */
static void
msg_attr(struct qmgr_msg *m, struct mta_buf *data, struct msg_pending *p)
{
	char *name, *value;

	if (mta_rec_attr_split(data->data, &name, &value) < 0)
		return;
	if (strcmp(name, "create_time") == 0)
		m->create = (time_t)strtoll(value, NULL, 10);
	else if (strcmp(name, "dsn_orig_rcpt") == 0) {
		free(p->dsn_orcpt);
		p->dsn_orcpt = mta_strdup(value);
	} else if (strcmp(name, "notify_flags") == 0)
		p->notify = (int)strtol(value, NULL, 10) & 15;
}

/* msg_read - the envelope and the extracted segment, content skipped */
static int
msg_read(struct qmgr *q, struct qmgr_msg *m, FILE *fp)
{
	struct mta_rec_reader rr;
	struct mta_buf data = MTA_BUF_INIT(MSG_RECORD_MAX);
	struct msg_pending p = {0};
	long long f[MTA_REC_SIZE_FIELDS] = {0};
	int type, rc;

	mta_rec_reader_init(&rr, fp, MSG_RECORD_MAX, MTA_REC_FOLLOW);
	while ((rc = mta_rec_read(&rr, &type, &data)) == 1 && type != MTA_REC_END) {
		if (type == MTA_REC_SIZE) {
			mta_rec_size_parse(data.data, data.len, f);
			m->size = f[4] > 0 ? f[4] : f[0];
			m->nrcpt = f[2];
		} else if (type == MTA_REC_TIME && m->arrival == 0) {
			char *usec;

			/* "seconds microseconds" */
			m->arrival = (double)strtoll(data.data, &usec, 10);
			m->arrival += strtol(usec, NULL, 10) / 1e6;
		} else if (type == MTA_REC_FROM) {
			free(m->sender);
			m->sender = mta_strdup(data.data);
		} else if (type == MTA_REC_WARN) {
			m->warn_time = (time_t)strtoll(data.data, NULL, 10);
			m->warn_offset = (long)rr.offset;
		} else if (type == MTA_REC_ATTR) {
			msg_attr(m, &data, &p);
		} else if (type == MTA_REC_ORCP) {
			free(p.orig);
			p.orig = mta_strdup(data.data);
		} else if (type == MTA_REC_RCPT) {
			msg_recipient(q, m, (long)rr.offset, data.data, &p);
			pending_clear(&p);
		} else if (type == MTA_REC_DONE || type == MTA_REC_DRCP) {
			pending_clear(&p);
		} else if (type == MTA_REC_MESG && f[0] > 0 &&
			   mta_rec_skip(&rr, (off_t)f[0]) < 0) {
			rc = MTA_REC_ERROR;
			break;
		}
	}
	pending_clear(&p);
	mta_buf_release(&data);
	if (m->create == 0)
		m->create = (time_t)m->arrival;	/* Postfix < 2.3 files */
	return rc == 1 ? 0 : -1;
}

/* msg_corrupt - a file qmgr cannot take goes where nobody delivers it */
static void
msg_corrupt(struct qmgr *q, const char *id, const char *why)
{
	mta_msg_warn("%s: queue file is corrupt: %s: moved to corrupt/", id, why);
	if (mta_spool_move(&q->ctx->spool, id, MTA_QUEUE_ACTIVE,
			   MTA_QUEUE_CORRUPT) < 0)
		mta_msg_warn("%s: move to corrupt/: %s", id, strerror(errno));
}

/* qmgr_msg_free - a message and its jobs */
void
qmgr_msg_free(struct qmgr_msg *m)
{
	for (size_t i = 0; i < m->njobs; i++) {
		if (m->jobs[i]->conn)
			fclose(m->jobs[i]->conn);
		mta_dlv_release(&m->jobs[i]->req);
		free(m->jobs[i]->transport);
		free(m->jobs[i]);
	}
	free(m->jobs);
	free(m->sender);
	free(m);
}

/*
 * qmgr_msg_load - read active/ID. Returns the message with its jobs, or
 * NULL when the file is gone or was moved to corrupt/.
 */
struct qmgr_msg *
qmgr_msg_load(struct qmgr *q, const char *id)
{
	struct mta_buf why = MTA_BUF_INIT(256), from = MTA_BUF_INIT(4096);
	char path[MTA_SPOOL_PATH_MAX];
	struct qmgr_msg *m;
	struct stat st;
	FILE *fp;
	int fd;

	if (mta_spool_path(&q->ctx->spool, MTA_QUEUE_ACTIVE, id, path,
			   sizeof(path)) < 0 ||
	    (fd = openat(q->ctx->spool.dirfd, path,
			 O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || (fp = fdopen(fd, "r")) == NULL) {
		close(fd);
		return NULL;
	}
	m = mta_calloc(1, sizeof(*m));
	strlcpy(m->id, id, sizeof(m->id));
	m->sender = mta_strdup("");
	{
		struct timeval now;

		gettimeofday(&now, NULL);
		m->active = now.tv_sec + now.tv_usec / 1e6;
	}
	m->expire = (st.st_mode & MTA_SPOOL_MODE_EXPIRE) != 0;
	if (mta_qfile_validate(fp, 0, &why) < 0 ||
	    (rewind(fp), msg_read(q, m, fp)) < 0) {
		fclose(fp);
		msg_corrupt(q, id, why.len ? mta_buf_str(&why) : "read error");
		qmgr_msg_free(m);
		mta_buf_release(&why);
		return NULL;
	}
	fclose(fp);
	if (*m->sender)	/* the null sender logs as from=<> */
		mta_addr_quote(&from, m->sender);
	mta_msg_info("%s: from=<%s>, size=%lld, nrcpt=%lld (queue active)", id,
		     mta_buf_str(&from), m->size, m->nrcpt);
	mta_buf_release(&why);
	mta_buf_release(&from);
	return m;
}
