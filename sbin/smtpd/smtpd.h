/*
 * smtpd - the SMTP server: what its parts share.
 *
 * One process serves one session at a time (master runs a pool of them).
 * The parts: smtpd_io (buffered input with deadlines, line pieces that
 * know how they ended; replies gathered and sent when the client waits
 * for them), smtpd_session (the command loop, errors, limits, HELO/EHLO
 * and the small commands), smtpd_mail (MAIL and RCPT: paths, ESMTP
 * parameters, restrictions, the queue file opened at the first accepted
 * recipient), smtpd_data (DATA: the message through cleanup, 250 only once
 * it is on disk), smtpd_anvil (connections per client).
 *
 * smtpd.c holds main() and nothing a test needs: the libFuzzer harness
 * t/fuzz/smtpd.c links every other file of this folder and runs whole
 * sessions over a socket pair.
 */
#ifndef SMTPD_H
#define SMTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "cleanup.h"
#include "config.h"
#include "daemon.h"
#include "dns.h"
#include "netlist.h"
#include "restrict.h"
#include "spool.h"

#define SMTPD_IN_SIZE 65536	/* input buffer */
#define SMTPD_NCMDS 10		/* the commands smtpd_session knows */
#define SMTPD_OUT_SIZE 16384	/* replies gathered before a write */

/* How one line (or piece of a line) of input ended. */
struct smtpd_line {
	bool complete;		/* ended with LF (else cut at the limit) */
	bool crlf;		/* the LF came after CR (which is not kept) */
	bool nul;		/* a NUL byte is in it */
	bool cr;		/* a CR not followed by LF is in it */
};

struct smtpd_io {
	int fd;
	char in[SMTPD_IN_SIZE];
	size_t in_pos, in_len;
	char out[SMTPD_OUT_SIZE];
	size_t out_len;
	long timeout;		/* seconds a read or write may wait */
	struct timespec deadline;	/* of the command at hand */
	bool eof, timedout, failed;
	int last_code;		/* of the last reply given */
	struct timespec first_arrival;	/* of the first bytes (0: unknown) */
	unsigned long long in_bytes;
};

/* Forbidding bare newlines: smtpd_forbid_bare_newline. */
enum smtpd_bare { SMTPD_BARE_NO, SMTPD_BARE_NORMALIZE, SMTPD_BARE_REJECT };

/* What lasts as long as the process: configuration and opened tables. */
struct smtpd {
	struct mta_config *cfg;
	struct mta_spool *spool;
	struct mta_restrict *rst;
	struct mta_dns *dns;	/* NULL: no peer name lookups */
	struct mta_netlist *bare_exclusions;
	struct mta_netlist *limit_exclusions;
	const char *myhostname;
	const char *banner;
	const char *mail_name;	/* for our Received: header */
	const char *service;
	long long size_limit;
	long long queue_minfree;
	long rcpt_limit, hard_errors, soft_errors, junk_limit;
	long error_sleep, timeout, line_limit, min_data_rate, conn_limit;
	long rcpt_overshoot, bare_reject_code;
	enum smtpd_bare bare;
	bool vrfy, helo_required, forbid_pipelining;
	bool peername_lookup, strict_envelopes;
	int anvil_fd;		/* the connection table, or -1 */
};

/* One session. */
struct smtpd_session {
	struct smtpd *sd;
	struct smtpd_io io;
	struct mta_rst_client rc;	/* what the restrictions see */
	char addr[64], port[16], name[256];
	char *helo;
	const char *protocol;	/* "SMTP", "ESMTP" */
	enum smtpd_bare bare;	/* for this client */
	/* the transaction */
	char *sender;		/* NULL: no MAIL yet */
	struct mta_cleanup *cleanup;	/* opened at the first good RCPT */
	char qid[MTA_QID_SIZE];
	long nrcpt, rcpt_rejected, rcpt_over;
	long long size_hint;	/* MAIL SIZE= */
	char *envid, *ret, *body;
	char *first_rcpt;	/* for Received: "for <...>" */
	bool discard, hold;
	/* counters */
	long errors, junk;
	const char *last_cmd;	/* for "lost connection after CMD" */
	struct timespec greeted;	/* when the greeting left (CLOCK_REALTIME) */
	bool quit;		/* end the session after the next reply */
	/* per command: how often given, how often answered 2xx/3xx; the
	 * last slot counts unknown commands (the disconnect line) */
	unsigned cmd_total[SMTPD_NCMDS + 1], cmd_ok[SMTPD_NCMDS + 1];
};

/* smtpd_io.c */
void smtpd_io_init(struct smtpd_io *io, int fd, long timeout);
void smtpd_io_deadline(struct smtpd_io *io, long seconds);
void smtpd_io_extend(struct smtpd_io *io, double seconds);
int smtpd_io_line(struct smtpd_io *io, struct mta_buf *out, size_t max,
		  struct smtpd_line *info);
bool smtpd_io_pending(struct smtpd_io *io);
void smtpd_io_reply(struct smtpd_io *io, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int smtpd_io_flush(struct smtpd_io *io);
bool smtpd_io_broken(const struct smtpd_io *io);
void smtpd_io_last_words(struct smtpd_io *io);
void smtpd_io_hangup(struct smtpd_io *io);

/* smtpd_session.c */
int smtpd_init(struct smtpd *sd, struct mta_config *cfg,
	       struct mta_spool *spool, const char *service, bool lookups,
	       struct mta_buf *err);
void smtpd_release(struct smtpd *sd);
void smtpd_session(struct smtpd *sd, int fd);
void smtpd_reply(struct smtpd_session *s, int code, const char *dsn,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void smtpd_error(struct smtpd_session *s);
void smtpd_reset(struct smtpd_session *s);
void smtpd_sync_error(struct smtpd_session *s, const char *after);
void smtpd_verdict_reply(struct smtpd_session *s,
			 const struct mta_rst_verdict *v);

/* smtpd_mail.c */
void smtpd_cmd_mail(struct smtpd_session *s, char *arg);
void smtpd_cmd_rcpt(struct smtpd_session *s, char *arg);
void smtpd_cmd_vrfy(struct smtpd_session *s, char *arg);

/* smtpd_data.c */
void smtpd_cmd_data(struct smtpd_session *s, char *arg);

/* smtpd_anvil.c */
int smtpd_anvil_open(struct smtpd *sd);
int smtpd_anvil_enter(struct smtpd *sd, const char *addr);
void smtpd_anvil_leave(struct smtpd *sd);

#endif
