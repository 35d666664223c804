/*
 * qmgr - the queue manager: what its parts share.
 *
 * Messages move incoming/ -> active/ (at most qmgr_message_active_limit
 * at once) -> gone, or -> deferred/ (due again after a wait that doubles
 * with every failed attempt) -> active/ ... Each message in active/ is a
 * qmgr_msg; its pending recipients are grouped by transport and next hop
 * into jobs, one delivery request each (lib/dlv.h) to private/TRANSPORT.
 * When all its jobs have answered, the message is finished: removed,
 * bounced to its sender, or deferred.
 */
#ifndef QMGR_H
#define QMGR_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "daemon.h"
#include "dlv.h"
#include "htable.h"
#include "map.h"
#include "rewrite.h"

struct qmgr_msg;

struct qmgr_job {
	struct qmgr_msg *msg;
	char *transport;	/* "local", "smtp", "error" */
	struct mta_dlv_request req;	/* the recipients, and their results */
	FILE *conn;		/* to the agent; NULL until started */
	bool done;
};

struct qmgr_msg {
	char id[MTA_QID_SIZE];
	char *sender;
	double arrival, active;	/* to the microsecond: the delays= split */
	time_t create;
	long long size, nrcpt;
	bool expire;		/* forced (mode bit 0010) */
	time_t warn_time;	/* W record: a delay warning is due; 0: none */
	long warn_offset;	/* where the W record is, to mark it sent */
	struct qmgr_job **jobs;
	size_t njobs;
	bool finished;
};

struct qmgr {
	struct mta_daemon_ctx *ctx;
	struct mta_rewrite *rw;
	struct mta_map **transport_maps;
	size_t ntransport_maps;
	struct qmgr_msg **msgs;	/* in active/ */
	size_t nmsgs;
	bool scan_incoming, scan_deferred, ignore_times;
	bool scan_incoming_later, scan_deferred_later;	/* no room last time */
	struct mta_htable running;	/* transport, and transport:nexthop ->
					   deliveries in progress */
	time_t next_deferred_scan;
};

/* qmgr_scan.c */
void qmgr_recover(struct qmgr *q);
void qmgr_scan(struct qmgr *q, const char *queue);

/* qmgr_message.c */
struct qmgr_msg *qmgr_msg_load(struct qmgr *q, const char *id);
void qmgr_msg_free(struct qmgr_msg *m);

/* qmgr_resolve.c */
int qmgr_resolve(struct qmgr *q, const char *addr, struct mta_buf *transport,
		 struct mta_buf *nexthop, struct mta_buf *error);
int qmgr_transport_maps_open(struct qmgr *q);

/* qmgr_job.c */
void qmgr_jobs_start(struct qmgr *q);
int qmgr_job_limit(struct qmgr *q, const char *transport);
void qmgr_job_answer(struct qmgr *q, struct qmgr_job *job);

/* qmgr_done.c */
void qmgr_msg_finish(struct qmgr *q, struct qmgr_msg *m);

#endif
