/*
 * mta-queue - the administrator's queue tool. Shared between its parts:
 * the options as parsed, and the spool it works on.
 */
#ifndef MTA_QUEUE_H
#define MTA_QUEUE_H

#include <stdbool.h>

#include "config.h"
#include "spool.h"

struct mq_options {
	int json;	/* popt wants an int */
	bool long_ids;
	const char *empty_sender;	/* empty_address_recipient */
	const char *sender;	/* filters */
	const char *recipient;
	const char *queue;
	long older_than;	/* seconds, or -1 */
};

int mq_list(struct mta_spool *sp, const struct mq_options *opt);

#endif
