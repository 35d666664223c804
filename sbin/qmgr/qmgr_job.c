/*
 * qmgr_job - hand recipients to the delivery agents: one connection to
 * private/TRANSPORT per job, within the concurrency limit of the job's
 * destination (transport and next hop: TRANSPORT_destination_concurrency_limit,
 * else default_destination_concurrency_limit) and within
 * default_process_limit deliveries per transport (no more than master
 * would run agents for);
 * the answer says what became of each recipient. What an agent cannot be
 * asked (no agent runs, a map failed, the error transport) qmgr records
 * itself, so that every recipient ends with a logged status.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "mem.h"
#include "msg.h"
#include "qmgr.h"

/* qmgr_job_limit - how many deliveries at once to one destination */
int
qmgr_job_limit(struct qmgr *q, const char *transport)
{
	char param[128];

	snprintf(param, sizeof(param), "%s_destination_concurrency_limit",
		 transport);
	if (mta_config_str(q->ctx->cfg, param))
		return (int)mta_config_int(q->ctx->cfg, param);
	return (int)mta_config_int(q->ctx->cfg,
				   "default_destination_concurrency_limit");
}

/*
 * job_running - the count of deliveries in progress for a key (a
 * transport, or "transport:nexthop" for a destination), kept as jobs
 * start and answer: counting them by walking every message would make
 * each event cost as much as the whole active queue.
 */
static long *
job_running(struct qmgr *q, const char *key)
{
	long *n = mta_htable_find(&q->running, key);

	if (n == NULL) {
		n = mta_calloc(1, sizeof(*n));
		mta_htable_insert(&q->running, key, n);
	}
	return n;
}

/* job_dest_running - deliveries in progress to the job's destination */
static long
job_dest_running(struct qmgr *q, const struct qmgr_job *job)
{
	struct mta_buf key = MTA_BUF_INIT(4096);
	long *n;

	mta_buf_printf(&key, "%s:%s", job->transport, job->req.nexthop);
	n = mta_htable_find(&q->running, mta_buf_str(&key));
	mta_buf_release(&key);
	return n ? *n : 0;
}

/* job_count - one delivery more (+1) or less (-1) in progress */
static void
job_count(struct qmgr *q, const struct qmgr_job *job, long delta)
{
	struct mta_buf key = MTA_BUF_INIT(4096);
	long *n;

	*job_running(q, job->transport) += delta;
	mta_buf_printf(&key, "%s:%s", job->transport, job->req.nexthop);
	n = job_running(q, mta_buf_str(&key));
	if ((*n += delta) <= 0)
		mta_htable_remove(&q->running, mta_buf_str(&key));	/* no
				   table that grows with every destination */
	mta_buf_release(&key);
}

/* job_may_start - within the destination's and the transport's limits? */
static bool
job_may_start(struct qmgr *q, const struct qmgr_job *job)
{
	long cap = mta_config_int(q->ctx->cfg, "default_process_limit");
	long limit = qmgr_job_limit(q, job->transport);

	if (cap > 0 && *job_running(q, job->transport) >= cap)
		return false;
	return limit <= 0 || job_dest_running(q, job) < limit;
}

/* job_record_all - qmgr's own result for every pending recipient */
static void
job_record_all(struct qmgr *q, struct qmgr_job *job,
	       enum mta_dlv_result result, const char *dsn, const char *reason)
{
	struct mta_dlv_status st = {"none", dsn, reason, NULL, {0, 0}};
	char path[MTA_SPOOL_PATH_MAX];
	int fd = -1;

	gettimeofday(&st.start, NULL);
	if (result != MTA_DLV_DEFERRED &&
	    mta_spool_path(&q->ctx->spool, MTA_QUEUE_ACTIVE, job->msg->id, path,
			   sizeof(path)) == 0)
		fd = openat(q->ctx->spool.dirfd, path,
			    O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	for (size_t i = 0; i < job->req.nrcpt; i++)
		if (job->req.rcpt[i].result == MTA_DLV_PENDING)
			mta_dlv_record(&q->ctx->spool, fd, &job->req,
				       &job->req.rcpt[i], result, &st);
	if (fd >= 0)
		close(fd);
	job->done = true;
}

/* job_error_transport - "error:5.1.1 text": bounce with that text */
static void
job_error_transport(struct qmgr *q, struct qmgr_job *job)
{
	const char *text = job->req.nexthop;
	char dsn[16] = "5.0.0";

	if (text[0] >= '4' && text[0] <= '5' && text[1] == '.' &&
	    strspn(text, "0123456789.") >= 5) {
		size_t n = strspn(text, "0123456789.");

		snprintf(dsn, sizeof(dsn), "%.*s", (int)(n < 15 ? n : 15), text);
		text += n;
		while (*text == ' ')
			text++;
	}
	job_record_all(q, job, dsn[0] == '4' ? MTA_DLV_DEFERRED : MTA_DLV_BOUNCED,
		       dsn, *text ? text : "delivery failed");
}

/* job_connect - a connection to the agent, or NULL with errno */
static FILE *
job_connect(struct qmgr *q, const char *transport, FILE **wfp)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	long t = mta_config_time(q->ctx->cfg, "ipc_timeout");
	struct timeval tv = {t > 0 ? t : 3600, 0};
	FILE *rfp;
	int fd, fd2;

	if (snprintf(sun.sun_path, sizeof(sun.sun_path), "private/%s",
		     transport) >= (int)sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return NULL;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		return NULL;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if ((fd2 = fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0 ||
	    (*wfp = fdopen(fd, "w")) == NULL || (rfp = fdopen(fd2, "r")) == NULL) {
		close(fd);
		if (fd2 >= 0)
			close(fd2);
		return NULL;
	}
	return rfp;
}

/* job_start - connect and send the request, or record why not */
static void
job_start(struct qmgr *q, struct qmgr_job *job)
{
	char reason[512];
	FILE *wfp = NULL;

	if (strcmp(job->transport, "retry") == 0) {
		job_record_all(q, job, MTA_DLV_DEFERRED, "4.3.0", job->req.nexthop);
		return;
	}
	if (strcmp(job->transport, "error") == 0) {
		job_error_transport(q, job);
		return;
	}
	job->conn = job_connect(q, job->transport, &wfp);
	if (job->conn != NULL)
		job_count(q, job, 1);
	if (job->conn == NULL) {
		snprintf(reason, sizeof(reason), "delivery temporarily suspended: "
			 "connect to transport private/%s: %s", job->transport,
			 strerror(errno));
		job_record_all(q, job, MTA_DLV_DEFERRED, "4.3.0", reason);
		return;
	}
	if (mta_dlv_write_request(wfp, &job->req) < 0) {
		snprintf(reason, sizeof(reason), "delivery temporarily suspended: "
			 "write to transport private/%s: %s", job->transport,
			 strerror(errno));
		fclose(job->conn);
		job->conn = NULL;
		job_count(q, job, -1);
		job_record_all(q, job, MTA_DLV_DEFERRED, "4.3.0", reason);
	}
	fclose(wfp);	/* the read side keeps the connection */
}

/* qmgr_jobs_start - start what the concurrency limits allow */
void
qmgr_jobs_start(struct qmgr *q)
{
	for (size_t i = 0; i < q->nmsgs; i++) {
		struct qmgr_msg *m = q->msgs[i];

		for (size_t j = 0; j < m->njobs; j++) {
			struct qmgr_job *job = m->jobs[j];
			bool own = strcmp(job->transport, "retry") == 0 ||
				   strcmp(job->transport, "error") == 0;

			if (job->done || job->conn)
				continue;
			if (!own && !job_may_start(q, job))
				continue;
			job_start(q, job);
		}
	}
}

/* qmgr_job_answer - the agent answered (or went away) */
void
qmgr_job_answer(struct qmgr *q, struct qmgr_job *job)
{
	struct mta_buf err = MTA_BUF_INIT(256);
	char reason[512];

	if (mta_dlv_read_status(job->conn, &job->req, &err) < 0) {
		mta_msg_warn("%s: transport %s: %s", job->msg->id, job->transport,
			     mta_buf_str(&err));
		snprintf(reason, sizeof(reason), "delivery temporarily suspended: "
			 "transport %s: %s", job->transport, mta_buf_str(&err));
		job_record_all(q, job, MTA_DLV_DEFERRED, "4.3.0", reason);
	}
	fclose(job->conn);
	job->conn = NULL;
	job_count(q, job, -1);
	job->done = true;
	mta_buf_release(&err);
}
