/*
 * mta-start - control the mail system: what the parts share.
 */
#ifndef MTA_START_H
#define MTA_START_H

#include <sys/types.h>

#include "config.h"
#include "mastercf.h"

struct start_ctx {
	const char *config_dir;
	struct mta_config *cfg;
	const char *queue_dir;
	struct mta_master *master;	/* during start_check only */
};

/* mta-start_check.c */
int start_check(struct start_ctx *sc, bool quiet);

/* mta-start_spool.c: the spool as share/mta/manifest says */
int start_setup_spool(struct start_ctx *sc);
int start_check_spool(struct start_ctx *sc, bool quiet);

/* mta-start_master.c */
pid_t start_running(struct start_ctx *sc);
int start_start(struct start_ctx *sc, bool foreground);
int start_signal(struct start_ctx *sc, int sig, const char *what, bool wait);
int start_status(struct start_ctx *sc);

#endif
