/*
 * dlv - the delivery protocol between qmgr and the delivery agents
 * (private/local, private/smtp), and what an agent does with each result.
 * See share/doc/protocols.md.
 *
 * qmgr connects to the agent's socket and writes one request: lines
 * "name value", the value %-escaped (see below), ending with "end":
 *
 *	queue_name active
 *	queue_id 3F2A41C0D12
 *	arrival_time 1700000000.005312	(the T record)
 *	create_time 1700000001
 *	active_time 1700000002.120000	(when qmgr took it: the delays= split)
 *	sender alice@example.org	(internal form; empty: the null sender)
 *	nexthop example.com		(smtp: host, [host]:port; local: domain)
 *	rcpt OFFSET NOTIFY ORIG DSN_ORCPT ADDRESS	(one line a recipient)
 *	end
 *
 * The agent answers one line a recipient, in the order given, then "end":
 *
 *	status OFFSET sent|deferred|bounced DSN_CODE
 *
 * Before it answers, the agent has done what the result means, as
 * Postfix's agents do: a sent or bounced recipient is marked done in the
 * queue file (its R record becomes D), a bounced one is also in the
 * message's bounce log, a deferred one in its defer log, and each result
 * has its log line ("ID: to=<...>, relay=..., delay=..., delays=...,
 * dsn=..., status=... (...)"). qmgr only decides where the message goes
 * next. A connection that breaks before "end" leaves the recipients it did
 * not answer for pending: they are tried again.
 *
 * Values are escaped so that a line stays a line: '%', space, control
 * bytes and 0x7f become %XX. Fields of a rcpt line are separated by
 * spaces; an empty field is "%".
 */
#ifndef MTA_DLV_H
#define MTA_DLV_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

#include "buf.h"
#include "spool.h"

#define MTA_DLV_LINE_MAX 16384
#define MTA_DLV_MAX_RCPT 100000

enum mta_dlv_result { MTA_DLV_PENDING, MTA_DLV_SENT, MTA_DLV_DEFERRED,
		      MTA_DLV_BOUNCED };

struct mta_dlv_rcpt {
	long offset;		/* of the R record, to mark it done */
	int notify;		/* DSN NOTIFY bits */
	char *orig;		/* original recipient, or "" */
	char *dsn_orcpt;	/* ORCPT, or "" */
	char *address;		/* internal form */
	enum mta_dlv_result result;
	char dsn[16];		/* the code of the result, "4.4.1" */
};

struct mta_dlv_request {
	char queue_name[MTA_QUEUE_NAME_MAX + 1];
	char queue_id[MTA_QID_SIZE];
	double arrival, create, active;	/* seconds, to the microsecond */
	char *sender;
	char *nexthop;
	struct mta_dlv_rcpt *rcpt;
	size_t nrcpt, cap;
};

void mta_dlv_init(struct mta_dlv_request *req);
void mta_dlv_release(struct mta_dlv_request *req);
void mta_dlv_add_rcpt(struct mta_dlv_request *req, long offset, int notify,
		      const char *orig, const char *dsn_orcpt,
		      const char *address);
int mta_dlv_write_request(FILE *fp, const struct mta_dlv_request *req);
int mta_dlv_read_request(FILE *fp, struct mta_dlv_request *req,
			 struct mta_buf *err);
int mta_dlv_write_status(FILE *fp, const struct mta_dlv_rcpt *r);
int mta_dlv_write_end(FILE *fp);

/* What an agent does with one request (mta_dlv_serve). */
typedef void mta_dlv_handler(void *data, struct mta_dlv_request *req);
void mta_dlv_serve(int client, mta_dlv_handler *handle, void *data);

int mta_dlv_read_status(FILE *fp, struct mta_dlv_request *req,
			struct mta_buf *err);
const char *mta_dlv_result_name(enum mta_dlv_result result);

/*
 * What an agent (or qmgr itself, for a recipient it cannot hand over)
 * does with a result: the queue file's record, the defer or bounce log,
 * the log line. relay is "local", "host[addr]:port" or "none"; reason is
 * the text in parentheses; dsn the enhanced status code.
 */
struct mta_dlv_status {
	const char *relay;
	const char *dsn;
	const char *reason;
	const char *diag;	/* the remote reply, for the DSN, or NULL */
	struct timeval start;	/* when the agent got the request */
};

int mta_dlv_record(const struct mta_spool *sp, int queue_fd,
		   const struct mta_dlv_request *req, struct mta_dlv_rcpt *r,
		   enum mta_dlv_result result, const struct mta_dlv_status *st);
int mta_dlv_mark_done(int queue_fd, long offset);
void mta_dlv_format_delay(char *out, size_t size, double seconds);

#endif
