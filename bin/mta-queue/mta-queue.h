/*
 * mta-queue - the administrator's queue tool. Shared between its parts:
 * the options as parsed, and the spool it works on.
 */
#ifndef MTA_QUEUE_H
#define MTA_QUEUE_H

#include <stdbool.h>
#include <stdio.h>
#include <sysexits.h>

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

/* cat: which sections and columns (postcat's -e -h -b -o -d -r). */
#define MQ_CAT_ENV 0x01
#define MQ_CAT_HEADER 0x02
#define MQ_CAT_BODY 0x04
#define MQ_CAT_ALL (MQ_CAT_ENV | MQ_CAT_HEADER | MQ_CAT_BODY)
#define MQ_CAT_OFFSET 0x08
#define MQ_CAT_DECIMAL 0x10
#define MQ_CAT_RAW 0x20

int mq_list(struct mta_spool *sp, const struct mq_options *opt);
int mq_cat(struct mta_spool *sp, const char *id, int flags);
int mq_cat_stream(FILE *fp, const char *path, int flags);

#endif
