/*
 * qmgr - the queue manager (see qmgr.h): one process, one event loop
 * over its FIFO (public/qmgr: I, D, A, F, W requests), the connections
 * to the delivery agents, and the timer of deferred/ scans
 * (queue_run_delay). A message's state is in the spool only: killed at
 * any moment, qmgr loses nothing; what was in active/ is taken again.
 *
 * master.cf: qmgr fifo n - n 300 1 qmgr
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "mem.h"
#include "msg.h"
#include "qmgr.h"

#define QMGR_MAX_POLL 1024

/* qmgr_requests - what came on the FIFO */
static void
qmgr_requests(struct qmgr *q)
{
	char buf[256];
	ssize_t n = read(q->ctx->listen_fd, buf, sizeof(buf));

	for (ssize_t i = 0; i < n; i++) {
		switch (buf[i]) {
		case 'A':
			q->ignore_times = true;
			q->scan_deferred = true;
			break;
		case 'D':
		case 'F':
			q->scan_deferred = true;
			break;
		default:	/* I, W, anything: look at new mail */
			q->scan_incoming = true;
			break;
		}
	}
}

/* qmgr_reap - finish the messages whose jobs have all answered */
static void
qmgr_reap(struct qmgr *q)
{
	size_t keep = 0;

	for (size_t i = 0; i < q->nmsgs; i++) {
		struct qmgr_msg *m = q->msgs[i];
		bool done = true;

		for (size_t j = 0; j < m->njobs; j++)
			done = done && m->jobs[j]->done;
		if (!done) {
			q->msgs[keep++] = m;
			continue;
		}
		qmgr_msg_finish(q, m);
		qmgr_msg_free(m);
		/* Room was made: what waited for it may come now. */
		q->scan_incoming = q->scan_incoming || q->scan_incoming_later;
		q->scan_deferred = q->scan_deferred || q->scan_deferred_later;
		q->scan_incoming_later = q->scan_deferred_later = false;
	}
	q->nmsgs = keep;
}

/* qmgr_work - scans that are due, new jobs, finished messages */
static void
qmgr_work(struct qmgr *q)
{
	time_t now = time(NULL);

	if (now >= q->next_deferred_scan) {
		q->scan_deferred = true;
		q->next_deferred_scan = now + mta_config_time(q->ctx->cfg,
							      "queue_run_delay");
	}
	if (q->scan_incoming) {
		q->scan_incoming = false;
		qmgr_scan(q, MTA_QUEUE_INCOMING);
	}
	if (q->scan_deferred) {
		q->scan_deferred = false;
		qmgr_scan(q, MTA_QUEUE_DEFERRED);
		q->ignore_times = false;
	}
	qmgr_jobs_start(q);
	qmgr_reap(q);
}

/* qmgr_wait - poll the FIFO and the agents until something happens */
static void
qmgr_wait(struct qmgr *q)
{
	struct pollfd pfd[QMGR_MAX_POLL];
	struct qmgr_job *who[QMGR_MAX_POLL];
	time_t now = time(NULL);
	int n = 0, timeout;

	pfd[n].fd = q->ctx->listen_fd;
	pfd[n].events = POLLIN;
	who[n++] = NULL;
	for (size_t i = 0; i < q->nmsgs && n < QMGR_MAX_POLL; i++)
		for (size_t j = 0; j < q->msgs[i]->njobs && n < QMGR_MAX_POLL; j++)
			if (q->msgs[i]->jobs[j]->conn) {
				pfd[n].fd = fileno(q->msgs[i]->jobs[j]->conn);
				pfd[n].events = POLLIN;
				who[n++] = q->msgs[i]->jobs[j];
			}
	timeout = q->next_deferred_scan > now ?
		(int)(q->next_deferred_scan - now) * 1000 : 0;
	if (q->scan_incoming || q->scan_deferred)
		timeout = 0;
	if (poll(pfd, (nfds_t)n, timeout) <= 0)
		return;
	for (int i = 0; i < n; i++) {
		if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if (who[i] == NULL)
			qmgr_requests(q);
		else
			qmgr_job_answer(q, who[i]);
	}
}

/* qmgr_loop - the daemon's life */
static void
qmgr_loop(struct mta_daemon_ctx *ctx)
{
	struct qmgr q = {0};
	struct mta_buf err = MTA_BUF_INIT(1024);

	q.ctx = ctx;
	mta_htable_init(&q.running, free);
	if ((q.rw = mta_rewrite_new(ctx->cfg, &err)) == NULL)
		mta_msg_fatal_status(EX_CONFIG, "%s", mta_buf_str(&err));
	if (fchdir(ctx->spool.dirfd) < 0)	/* private/TRANSPORT is relative */
		mta_msg_fatal_status(EX_OSERR, "chdir %s: %s", ctx->spool.dir,
				     strerror(errno));
	qmgr_transport_maps_open(&q);
	qmgr_recover(&q);
	q.scan_incoming = true;
	mta_daemon_available(ctx, false);
	while (!mta_daemon_stopping()) {
		qmgr_work(&q);
		qmgr_wait(&q);
	}
	/* Messages in flight stay in active/: taken again at the next start. */
	for (size_t i = 0; i < q.nmsgs; i++)
		qmgr_msg_free(q.msgs[i]);
	free(q.msgs);
	for (size_t i = 0; i < q.ntransport_maps; i++)
		mta_map_close(q.transport_maps[i]);
	free(q.transport_maps);
	mta_rewrite_free(q.rw);
	mta_htable_release(&q.running);
	mta_buf_release(&err);
}

int
main(int argc, char **argv)
{
	static const struct mta_daemon d = {
		.name = "qmgr",
		.mode = MTA_DAEMON_LOOP,
		.loop = qmgr_loop,
	};

	mta_daemon_main(argc, argv, &d);
}
