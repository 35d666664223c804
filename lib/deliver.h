/*
 * deliver - what the file and command deliveries of local share: the
 * envelope and message source, the status of one delivery, and the copy
 * of a message with the lines Postfix's local(8) prepends.
 *
 * The message text comes from a callback, one piece at a time, so that
 * local can stream it from the queue file: a piece is a whole line
 * (without its newline) or, with *more set, the first part of a line that
 * the next piece continues (a queue file's "L" records). Only a piece
 * that starts a line can be quoted.
 *
 * mta_deliver_copy() writes, depending on flags:
 *	From SENDER  DATE	(MTA_DELIVER_FROM_LINE; asctime() date in local
 *				time, two spaces, "MAILER-DAEMON" for <>)
 *	Return-Path: <SENDER>	(MTA_DELIVER_RETURN_PATH)
 *	X-Original-To: ORIG	(when orig_rcpt is set and not empty)
 *	Delivered-To: RCPT	(when delivered is set)
 * then the message, ">From " for lines that start with "From " and
 * nothing else (MTA_DELIVER_QUOTE), and an empty line at the end
 * (MTA_DELIVER_BLANK). Addresses are written in external (quoted) form.
 *
 * A status is ok, defer (try again later) or bounce (permanent), with an
 * RFC 3463 code and a reason for the log and the DSN.
 */
#ifndef MTA_DELIVER_H
#define MTA_DELIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "msg.h"

/* 1: a piece in data and len (more: the line goes on), 0: end, -1: error */
typedef int (*mta_msg_read_fn)(void *ctx, const char **data, size_t *len,
			       bool *more);

struct mta_envelope {
	const char *sender;	/* internal form, "" for the null sender */
	const char *orig_rcpt;	/* X-Original-To:, NULL or "" for none */
	const char *delivered;	/* Delivered-To:, NULL for none */
	mta_msg_read_fn read;
	void *read_ctx;
	time_t now;	/* for the From_ line; 0: time() */
};

#define MTA_DELIVER_FROM_LINE 0x1
#define MTA_DELIVER_RETURN_PATH 0x2
#define MTA_DELIVER_QUOTE 0x4
#define MTA_DELIVER_BLANK 0x8
#define MTA_DELIVER_MBOX                                                  \
	(MTA_DELIVER_FROM_LINE | MTA_DELIVER_RETURN_PATH | MTA_DELIVER_QUOTE | \
	 MTA_DELIVER_BLANK)
#define MTA_DELIVER_MAILDIR MTA_DELIVER_RETURN_PATH
#define MTA_DELIVER_COMMAND (MTA_DELIVER_FROM_LINE | MTA_DELIVER_RETURN_PATH)

enum mta_dstat {
	MTA_DSTAT_OK = 0,
	MTA_DSTAT_DEFER = 1,
	MTA_DSTAT_BOUNCE = 2,
};

struct mta_dstatus {
	enum mta_dstat status;
	char dsn[12];	/* "2.0.0", "4.2.0", "5.1.1" ... */
	char text[1024];	/* why, for the log and the DSN */
};

void mta_dstatus_set(struct mta_dstatus *st, const char *dsn,
		     const char *fmt, ...) MTA_PRINTF(3, 4);
const char *mta_deliver_errno_dsn(int err, const char *def);

/* Where the copy goes: write all of p or return -1 with errno. */
typedef int (*mta_deliver_write_fn)(void *ctx, const void *p, size_t n);

/* 0, or -1 with *read_error telling which side failed, and errno. */
int mta_deliver_copy(const struct mta_envelope *env, int flags,
		     mta_deliver_write_fn write_fn, void *write_ctx,
		     bool *read_error);
int mta_deliver_write_fd(void *ctx, const void *p, size_t n);

#endif
