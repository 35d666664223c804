/*
 * msg - diagnostics in one shape for every program.
 *
 * A line reads "prog: LEVEL: text" on stderr, and "LEVEL: text" through
 * syslog (facility mail, ident "mta/prog") once mta_msg_syslog_open() has
 * been called. Informational lines carry no level word, as Postfix's do.
 * Library code reports with warn/error and returns a status; only broken
 * invariants and out-of-memory end a process from inside lib/ (fatal,
 * panic).
 */
#ifndef MTA_MSG_H
#define MTA_MSG_H

#include <stdarg.h>

#define MTA_PRINTF(f, a) __attribute__((format(printf, f, a)))

extern int mta_msg_verbose;

/* Which sinks receive lines. */
#define MTA_MSG_STDERR 1
#define MTA_MSG_SYSLOG 2
#define MTA_MSG_LOGFILE 4	/* maillog_file, in Postfix's format */

void mta_msg_init(const char *prog);
const char *mta_msg_prog(void);
void mta_msg_syslog_open(int facility);
void mta_msg_syslog_name(const char *syslog_name);
int mta_msg_logfile_open(const char *path, const char *host);
void mta_msg_sinks(int sinks);
void mta_msg_stderr(int on);

void mta_msg_info(const char *fmt, ...) MTA_PRINTF(1, 2);
void mta_msg_debug(const char *fmt, ...) MTA_PRINTF(1, 2);
void mta_msg_warn(const char *fmt, ...) MTA_PRINTF(1, 2);
void mta_msg_error(const char *fmt, ...) MTA_PRINTF(1, 2);
_Noreturn void mta_msg_fatal(const char *fmt, ...) MTA_PRINTF(1, 2);
_Noreturn void mta_msg_fatal_status(int status, const char *fmt, ...)
	MTA_PRINTF(2, 3);
_Noreturn void mta_msg_die(int status, const char *fmt, ...) MTA_PRINTF(2, 3);
_Noreturn void mta_msg_panic(const char *fmt, ...) MTA_PRINTF(1, 2);
void mta_msg_to(int sinks, const char *fmt, ...) MTA_PRINTF(2, 3);
void mta_msg_vlog(int priority, const char *level, const char *fmt,
		  va_list ap) MTA_PRINTF(3, 0);

#endif
