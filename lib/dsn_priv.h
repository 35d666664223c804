/*
 * dsn_priv - what the parts of dsn share (dsn.c: reading the original
 * and the log, who gets what; dsn_text.c: writing the notice through
 * cleanup). Not an interface: only lib/dsn*.c include it.
 */
#ifndef MTA_DSN_PRIV_H
#define MTA_DSN_PRIV_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "buf.h"
#include "config.h"
#include "qid.h"
#include "spool.h"

#define DSN_REC_MAX (1 << 20) /* longest record read from a queue file */
#define DSN_RCPT_MAX 10000    /* log entries reported in one notice */
#define DSN_BOUNDARY_MAX 600

/* DSN NOTIFY bits, as in queue files. */
#define DSN_NOTIFY_FAILURE 4
#define DSN_NOTIFY_DELAY 8

/* DSN RET, as the ret_flags attribute. */
#define DSN_RET_HDRS 2

/* What kind of notice. */
#define DSN_FAIL 0
#define DSN_DELAY 1

/* The original message: envelope facts and where its text starts. */
struct dsn_orig {
	FILE *fp;
	char *sender; /* internal form; "" for the null sender */
	time_t arrival;
	int ret;        /* ret_flags */
	char *envid;    /* envelope_id, or NULL */
	char *encoding; /* 7bit/8bit, or NULL */
	long long size; /* bytes of message text */
	off_t content;  /* first content record; 0: unavailable */
	bool clash;     /* a line looks like our boundary */
};

/* One recipient of the log. Strings are masked already. */
struct dsn_rcpt {
	char *addr;
	char *orig;
	char *dsn_orcpt;
	char *status;
	char *action;
	char *diag_type;
	char *diag_text;
	char *mta_type;
	char *mta_mname;
	char *reason;
	int notify;
};

/* One notice to write. */
struct dsn_job {
	struct mta_config *cfg;
	const struct mta_spool *sp;
	const char *id; /* the original's queue id */
	struct dsn_orig *orig;
	const struct dsn_rcpt *rcpts;
	size_t n;
	int kind;        /* DSN_FAIL or DSN_DELAY */
	bool postmaster; /* a copy for the postmaster: its subject */
	bool headers_only;
	const char *sender; /* the notice's envelope sender */
	const char *to;     /* its recipient, internal form */
};

/* dsn_text.c */
int dsn_send(struct dsn_job *job, char newid[MTA_QID_SIZE],
             struct mta_buf *err);
void dsn_mask(char *s);

#endif
