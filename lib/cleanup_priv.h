/*
 * cleanup_priv - what the parts of cleanup share (cleanup.c: envelope,
 * close; cleanup_header.c: headers; cleanup_out.c: records, dates).
 * Not an interface: only lib/cleanup*.c include it.
 */
#ifndef MTA_CLEANUP_PRIV_H
#define MTA_CLEANUP_PRIV_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "buf.h"
#include "cleanup.h"
#include "htable.h"
#include "qwriter.h"
#include "rewrite.h"

#define CLEANUP_ADDR_MAX 4096 /* longest envelope address kept */
#define CLEANUP_TEXT_MAX 4096 /* longest attribute, full name */
#define CLEANUP_DATE_MAX 128

/* Phases of the input. */
#define CLEANUP_ENVELOPE 0
#define CLEANUP_HEADERS 1
#define CLEANUP_BODY 2

/* Which header rewriting applies (rewrite_context). */
#define CLEANUP_CTX_NONE (-1)

struct cleanup_rcpt {
	char *addr;      /* canonical */
	char *orig;      /* as given: the 'O' record */
	char *dsn_orcpt; /* "rfc822;..." */
	int notify;
};

struct cleanup_rcpts {
	struct cleanup_rcpt *v;
	size_t n;
};

/* An envelope record kept until the content starts ('R': rcpt index). */
struct cleanup_env {
	int type;
	char *data;
	size_t rcpt;
};

struct mta_cleanup {
	struct mta_config *cfg;
	const struct mta_spool *spool;
	struct mta_rewrite *rw;
	struct mta_qwriter w;
	int flags;
	int status;
	char why[256];
	int phase;
	/* envelope */
	time_t arrival;
	long arrival_usec;
	bool have_time;
	time_t ctime;
	char *sender;
	char *fullname;
	bool have_fullname;
	bool have_context;
	int context; /* MTA_REWRITE_* or CLEANUP_CTX_NONE for headers */
	char *encoding;
	char *pending_orcpt; /* dsn_orig_rcpt/notify_flags attributes */
	int pending_notify;
	uid_t uid;
	bool have_uid;
	bool hold;		/* close moves the file to hold/ */
	struct cleanup_env *env;
	size_t nenv;
	struct cleanup_rcpts rcpts, xrcpts;
	struct mta_htable *dups;
	size_t written; /* recipient records written */
	/* content */
	long long size;
	long long size_limit;
	size_t line_max;
	size_t header_max;
	long hop_limit;
	int hops;
	bool body_cont;       /* the last body piece had no end yet */
	struct mta_buf pline; /* physical header line being read */
	bool pline_cut;
	struct mta_buf hdr; /* logical header being read */
	bool have_hdr;
	bool hdr_cut;
	bool headers_done;
	unsigned long seen; /* CLEANUP_HDR_* bits */
	bool resent;
	char *message_id;
	struct cleanup_rcpts extract, extract_resent;
};

/* cleanup.c */
void cleanup_fail(struct mta_cleanup *c, int status, const char *fmt, ...)
        MTA_PRINTF(3, 4);
void cleanup_add_rcpt(struct cleanup_rcpts *l, const char *addr,
                      const char *orig, const char *dsn_orcpt, int notify);
int cleanup_canon_rcpt(struct mta_cleanup *c, const char *in,
                       struct mta_buf *out);

/* cleanup_header.c */
void cleanup_header_line(struct mta_cleanup *c, const char *text, size_t len,
                         bool complete);
void cleanup_header_finish(struct mta_cleanup *c);

/* cleanup_out.c */
void cleanup_out_line(struct mta_cleanup *c, const char *text, size_t len,
                      bool complete);
void cleanup_out_rec(struct mta_cleanup *c, int type, const char *text);
void cleanup_out_recf(struct mta_cleanup *c, int type, const char *fmt, ...)
        MTA_PRINTF(3, 4);
void cleanup_out_header(struct mta_cleanup *c, const char *text, size_t len);
void cleanup_out_rcpt(struct mta_cleanup *c, const struct cleanup_rcpt *r);

#endif
