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
	char *mail_owner;
	const char *sender;	/* filters */
	const char *recipient;
	const char *queue;
	long older_than;	/* seconds, or -1 */
	int lock_wait;		/* seconds to wait for the spool lock */
};

/* cat: which sections and columns (postcat's -e -h -b -o -d -r). */
#define MQ_CAT_ENV 0x01
#define MQ_CAT_HEADER 0x02
#define MQ_CAT_BODY 0x04
#define MQ_CAT_ALL (MQ_CAT_ENV | MQ_CAT_HEADER | MQ_CAT_BODY)
#define MQ_CAT_OFFSET 0x08
#define MQ_CAT_DECIMAL 0x10
#define MQ_CAT_RAW 0x20

/* delete, hold, release, requeue: postsuper's -d -h -H -r. */
enum mq_op_kind { MQ_OP_DELETE, MQ_OP_HOLD, MQ_OP_RELEASE, MQ_OP_REQUEUE };

int mq_super(struct mta_spool *sp, enum mq_op_kind op, const char *const *ids,
	     const char *const *limit);
const char *mq_op_name(enum mq_op_kind op);
int mq_lock(struct mta_spool *sp, int wait_seconds);
void mq_drop_privileges(struct mta_spool *sp, const char *mail_owner);

/* shape: qshape's options. */
struct mq_shape_options {
	int senders;		/* -s */
	int parents;		/* -p */
	int linear;		/* -l */
	int buckets;		/* -b */
	int tick;		/* -t, minutes */
	int width;		/* -w */
	int min_subdomains;	/* -m */
};

int mq_shape(struct mta_spool *sp, const struct mq_shape_options *opt,
	     const char *const *queues);

int mq_check(struct mta_spool *sp);
int mq_flush(struct mta_spool *sp, const char *site, const char *id);

int mq_list(struct mta_spool *sp, const struct mq_options *opt);
int mq_cat(struct mta_spool *sp, const char *id, int flags);
int mq_cat_stream(FILE *fp, const char *path, int flags);

#endif
