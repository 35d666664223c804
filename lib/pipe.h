/*
 * pipe - deliver a message to a "|command" as local(8) does.
 *
 * The command runs as "/bin/sh -c COMMAND" (or opts->shell), in its own
 * process group, as uid/gid when they are given (the child drops
 * privileges with priv.h before exec; as root they must be given). Its
 * stdin is the message with the From_ line, Return-Path:, X-Original-To:
 * and Delivered-To: before it (MTA_DELIVER_COMMAND: no quoting); stdout
 * and stderr are read, and their first bytes go into the reason.
 *
 * Envelope data reaches the command ONLY through the environment, never
 * through the command string: HOME, LOGNAME and USER, SHELL, SENDER,
 * RECIPIENT, LOCAL, DOMAIN, EXTENSION, ORIGINAL_RECIPIENT, with every
 * byte outside command_expansion_filter replaced by '_'. The rest of the
 * environment is empty but for PATH=/usr/bin:/bin and the names of
 * export_environment copied from ours.
 *
 * Result: exit 0 is delivered; an exit status of <sysexits.h> maps to its
 * RFC 3463 code (EX_TEMPFAIL and EX_OSERR defer, the others bounce, as
 * Postfix's table); another status bounces; death by a signal defers; a
 * command still running after time_limit seconds is killed with its
 * process group and bounces (as Postfix). A command that exits without
 * reading all of its input is judged by its exit status alone.
 */
#ifndef MTA_PIPE_H
#define MTA_PIPE_H

#include <stddef.h>
#include <sys/types.h>

#include "deliver.h"

struct mta_pipe_vars {
	const char *home;
	const char *user;	/* also LOGNAME */
	const char *shell;
	const char *sender;
	const char *recipient;
	const char *local;
	const char *domain;
	const char *extension;
	const char *original_recipient;
};

struct mta_pipe_opts {
	const char *shell;	/* local_command_shell; NULL: /bin/sh -c */
	const char *filter;	/* command_expansion_filter; NULL: default */
	const char *export;	/* export_environment; NULL: "TZ LANG" */
	const char *cwd;	/* NULL: stay */
	long time_limit;	/* command_time_limit, seconds (1000) */
	uid_t uid;	/* (uid_t)-1: run as we are */
	gid_t gid;
	int flags;	/* MTA_DELIVER_COMMAND */
};

#define MTA_PIPE_FILTER                                                   \
	"1234567890!@%-_=+:,./abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU" \
	"VWXYZ"
#define MTA_PIPE_OUTPUT_MAX 400	/* bytes of output kept for the reason */

void mta_pipe_opts_init(struct mta_pipe_opts *opts);
int mta_pipe_deliver(const char *command, const struct mta_envelope *env,
		     const struct mta_pipe_vars *vars,
		     const struct mta_pipe_opts *opts, struct mta_dstatus *st);

#endif
