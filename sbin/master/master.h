/*
 * master - the process that runs every other daemon of mta. It reads
 * master.cf, creates each service's listening socket or FIFO, starts the
 * service's processes when there is work and none is free (up to
 * maxproc), writes wake-up requests to FIFO services, restarts what
 * crashed after service_throttle_time, re-reads its configuration on
 * SIGHUP and stops everything on SIGTERM. See share/doc/protocols.md for
 * what it passes to a daemon.
 */
#ifndef MASTER_H
#define MASTER_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "config.h"
#include "mastercf.h"

struct master_child {
	pid_t pid;
	bool available;
};

struct master_service {
	struct mta_master_ent ent;	/* a copy of master.cf's entry */
	char *key;		/* what makes two entries the same service */
	char *path;		/* the daemon's program */
	int listen_fd;
	int status_rd, status_wr;	/* the status pipe */
	int maxproc;		/* 0: no limit */
	struct master_child *children;
	int nchildren, cap;
	time_t throttle_until;	/* no new process before, after a crash */
	time_t next_wakeup;
	bool keep;		/* reload: still in master.cf */
};

struct master {
	const char *config_dir;
	struct mta_config *cfg;
	struct master_service **services;
	int nservices;
	int pidfile_fd;
	int queue_fd;
	long throttle_time;
};

/* master_service.c */
int master_services_load(struct master *m, struct mta_buf *err);
void master_service_close(struct master_service *s);
void master_service_free(struct master_service *s);

/* master_child.c */
int master_spawn(struct master *m, struct master_service *s);
void master_status(struct master_service *s);
void master_reap(struct master *m);
void master_signal_children(struct master *m, int sig);
int master_count_children(const struct master *m);
bool master_wants_process(const struct master_service *s, time_t now);
void master_wakeup(struct master_service *s, time_t now);

#endif
