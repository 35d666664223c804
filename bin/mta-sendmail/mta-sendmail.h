/*
 * mta-sendmail - the sendmail command: parts shared by its files.
 *
 * mta-sendmail.c	argv[0], the historic options, dispatch
 * mta-sendmail_submit.c	the message as records, to mta-postdrop
 * mta-sendmail_run.c	finding and running the other commands
 */
#ifndef MTA_SENDMAIL_H
#define MTA_SENDMAIL_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "config.h"

enum sm_mode {
	SM_ENQUEUE,	/* read a message and queue it (-bm, the default) */
	SM_NEWALIAS,	/* newaliases, -bi, -I */
	SM_MAILQ,	/* mailq, -bp */
	SM_DAEMON,	/* -bd */
	SM_SMTP,	/* -bs */
	SM_FLUSHQ,	/* -q */
	SM_VERIFY,	/* -bv */
	SM_IGNORE	/* -bh, -bH */
};

struct sm_options {
	enum sm_mode mode;
	bool aeof;		/* a lone "." ends the input (no -i/-oi) */
	bool extract;		/* -t */
	const char *sender;	/* -f, -r */
	const char *full_name;	/* -F */
	const char *encoding;	/* -B: "7bit" or "8bit" */
	const char *envid;	/* -V */
	int notify;		/* -N mask: never 1, success 2, failure 4, delay 8 */
	int ret;		/* -R: full 1, hdrs 2 */
	const char *rewrite_context;	/* "local", -G "remote" */
	const char *verp;	/* -XV[xy] */
	bool verp_default;	/* -XV without characters */
	const char *alias_db;	/* -oA */
	const char *flush_site;	/* -qR */
	const char *flush_id;	/* -qI */
	const char *qtime;	/* -q30m: ignored */
	int verbose;		/* -v count */
	char **recipients;	/* the operands */
};

/* A started mta-postdrop. */
struct sm_child {
	pid_t pid;
	FILE *in;	/* its stdin: our records */
	int out;	/* its stdout: the queue id */
};

/* submit */
int sm_submit(const struct sm_options *opt, struct mta_config *cfg);

/* run */
bool sm_privileged(void);
int sm_find(struct mta_config *cfg, const char *name, char *out,
	    size_t size);
_Noreturn void sm_exec(struct mta_config *cfg, const char *name,
		       const char *const *args, int verbose);
int sm_postdrop_start(struct mta_config *cfg, int verbose,
		      struct sm_child *child);
int sm_postdrop_finish(struct sm_child *child, bool cancel, char *id,
		       size_t idsize);

#endif
