/*
 * mastercf - master.cf: which services master runs, and how.
 *
 * Format (Postfix's): logical lines (line.h), one service per line, eight
 * columns separated by white space:
 *
 *	service type private unpriv chroot wakeup maxproc command [args...]
 *
 * service	a name; for inet "port" or "host:port" (host may be [v6]);
 *		for unix, unix-dgram, fifo and pass a name without '/'
 * type		inet, unix, unix-dgram, fifo or pass
 * private	y/n: socket under private/ (unix) or public/ (fifo); "-": y,
 *		and always n for inet (an inet service cannot be private)
 * unpriv	y/n: run as mail_owner ("-": y); n only for local and the like
 * chroot	y/n: chroot into queue_directory ("-": n, as Postfix >= 3.0)
 * wakeup	seconds between wake-up triggers; a trailing '?' wakes only a
 *		service that is running; "-" or 0: none
 * maxproc	the most processes; "-": default_process_limit; 0: no limit
 * command	the program in daemon_directory, then its arguments; "-o
 *		name=value" overrides a main.cf parameter for this service,
 *		and "{ text with spaces }" groups words into one argument
 *		(also "-o { name = value with spaces }").
 *
 * Errors name the file and line: a bad column, a bad -o, a service/type
 * pair given twice.
 */
#ifndef MTA_MASTERCF_H
#define MTA_MASTERCF_H

#include <stdbool.h>
#include <stdio.h>

#include "buf.h"

#define MTA_MASTER_LINE_MAX (64 * 1024)
#define MTA_MASTER_MAXARGS 256

enum mta_master_type {
	MTA_MASTER_INET,
	MTA_MASTER_UNIX,
	MTA_MASTER_UNIX_DGRAM,
	MTA_MASTER_FIFO,
	MTA_MASTER_PASS,
};

struct mta_master_ent {
	char *service;
	enum mta_master_type type;
	char col[5][16];	/* columns 3-7 as written, for printing */
	bool private_;
	bool unpriv;
	bool chroot;
	int wakeup;	/* seconds, 0: none */
	bool wakeup_if_used;	/* the '?' */
	int maxproc;	/* -1: default_process_limit */
	char *command;
	char **argv;	/* arguments after command, "-o" pairs included */
	size_t argc;
	char **opt_name;	/* the -o overrides, in order */
	char **opt_value;
	size_t nopt;
	int lineno;
};

struct mta_master {
	char *path;
	struct mta_master_ent *ents;
	size_t n;
};

struct mta_master *mta_master_load(const char *path, struct mta_buf *err);
struct mta_master *mta_master_read(FILE *fp, const char *path,
				   struct mta_buf *err);
void mta_master_free(struct mta_master *m);
const struct mta_master_ent *mta_master_find(const struct mta_master *m,
					     const char *service,
					     const char *type);
const char *mta_master_type_name(enum mta_master_type type);
int mta_master_format(const struct mta_master_ent *e, bool fold,
		      struct mta_buf *out);

#endif
