/*
 * smtp - the smtp(8) delivery agent: what its parts share.
 *
 * smtp.c		the daemon: start-up, one request, recording results
 * smtp_connect.c	next hop -> MX hosts -> addresses; loops; connect
 * smtp_io.c		buffered socket I/O with deadlines; reading replies
 * smtp_proto.c		the dialogue: greeting, EHLO/HELO, transactions
 * smtp_cache.c		the connection kept open for the next request
 */
#ifndef SMTP_H
#define SMTP_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "config.h"
#include "daemon.h"
#include "dlv.h"
#include "dns.h"
#include "qread.h"
#include "smtp_nexthop.h"
#include "smtp_reply.h"

#define SMTP_REASON_MAX 2048
#define SMTP_NAMADDR_MAX 320
#define SMTP_OUT_MAX (1 << 22)	/* output buffered before a write */
#define SMTP_OUT_FLUSH (1 << 16)	/* content is written in such chunks */
#define SMTP_MAX_LOCAL 64	/* our own addresses remembered */

/* What the agent keeps between requests (main.cf, our addresses). */
struct smtp_state {
	struct mta_daemon_ctx *ctx;
	struct mta_config *cfg;
	struct mta_dns *dns;
	const char *helo_name, *myhostname;
	unsigned port;		/* smtp_tcp_port */
	long t_connect, t_helo, t_mail, t_rcpt, t_data_init, t_data_xfer,
	     t_data_done, t_quit, t_rset;
	long addr_limit, session_limit, rcpt_limit, line_limit;
	bool skip_5xx, never_ehlo, soft_bounce, defer_no_mx_addr;
	bool want4, want6;	/* inet_protocols */
	int prefer;		/* AF_INET, AF_INET6 or 0 (any) */
	const char *bind4, *bind6;
	long cache_time, reuse_limit;
	struct mta_dns_ip local[SMTP_MAX_LOCAL];	/* for loop detection */
	size_t nlocal;
	struct smtp_conn *cached;
};

/* One connection to a server. */
struct smtp_conn {
	int fd;
	char host[256];
	char addr[46];
	unsigned port;
	char namaddr[SMTP_NAMADDR_MAX];	/* host[addr], for reasons */
	char relay[SMTP_NAMADDR_MAX];	/* host[addr]:port, for relay= */
	char *nexthop;		/* the request's next hop, the cache key */
	unsigned features;	/* MTA_SMTP_EXT_* */
	long long size_limit;
	char in[4096];
	size_t inpos, inlen;
	struct mta_buf out;
	struct mta_smtp_reply reply;
	long uses;
	time_t idle_since;
	bool broken;		/* an I/O error: never reuse */
	const char *stage;	/* "sending RCPT TO", for error reasons */
};

/* One address to try. */
struct smtp_addr {
	char host[256];
	int pref;
	struct mta_dns_ip ip;
};

/* How one failure applies to recipients. */
struct smtp_fail {
	bool hard;		/* 5xx: bounce (soft_bounce: defer) */
	char dsn[16];
	const char *relay;	/* "none" or host[addr]:port */
	char reason[SMTP_REASON_MAX];
	char diag[SMTP_REASON_MAX];	/* the remote reply, or "" */
};

/* One request being served. */
struct smtp_req {
	struct smtp_state *ss;
	struct mta_dlv_request *req;
	struct mta_qread msg;
	struct mta_dlv_status base;
	bool *accepted;		/* per recipient, in this transaction */
	bool final;		/* the server now talked to is the last one */
	bool tried;		/* a failure is remembered in last */
	struct smtp_fail last;	/* for recipients left for the next server */
	long sessions;
};

/* smtp.c */
size_t smtp_pending(const struct smtp_req *sr);
void smtp_sent(struct smtp_req *sr, size_t i, const struct smtp_conn *c,
	       const char *reason);
void smtp_fail_rcpt(struct smtp_req *sr, size_t i, const struct smtp_fail *f);
void smtp_fail_pending(struct smtp_req *sr, const struct smtp_fail *f);
void smtp_fail_set(struct smtp_fail *f, bool hard, const char *dsn,
		   const char *relay, const char *fmt, ...) MTA_PRINTF(5, 6);

/* smtp_connect.c */
void smtp_local_addrs(struct smtp_state *ss);
int smtp_addrs(struct smtp_req *sr, const struct mta_smtp_nexthop *nh,
	       struct smtp_addr **list, size_t *n, struct smtp_fail *f);
struct smtp_conn *smtp_connect(struct smtp_req *sr, const struct smtp_addr *a,
			       unsigned port, struct smtp_fail *f);
void smtp_deliver(struct smtp_req *sr);

/* smtp_io.c */
struct smtp_conn *smtp_conn_new(int fd);
void smtp_conn_free(struct smtp_conn *c);
void smtp_printf(struct smtp_conn *c, const char *fmt, ...) MTA_PRINTF(2, 3);
int smtp_flush(struct smtp_conn *c, long timeout);
int smtp_reply(struct smtp_conn *c, long timeout);
void smtp_io_fail(struct smtp_conn *c, struct smtp_fail *f);
int smtp_send_content(struct smtp_req *sr, struct smtp_conn *c);

/* smtp_proto.c */
int smtp_session_start(struct smtp_req *sr, struct smtp_conn *c,
		       struct smtp_fail *f);
int smtp_session_run(struct smtp_req *sr, struct smtp_conn *c,
		     struct smtp_fail *f);
void smtp_quit(struct smtp_state *ss, struct smtp_conn *c);

/* smtp_cache.c */
struct smtp_conn *smtp_cache_take(struct smtp_req *sr);
void smtp_cache_put(struct smtp_req *sr, struct smtp_conn *c);
void smtp_cache_idle(struct mta_daemon_ctx *ctx);

#endif
