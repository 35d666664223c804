/*
 * maildrop - the record stream that mta-sendmail hands to mta-postdrop,
 * and the maildrop/ files mta-postdrop makes of it (Postfix's format).
 *
 * A submission is a queue file without the 'C' record and with no
 * information cleanup derives: envelope records, 'M', the message lines
 * ('N', 'L' for pieces of long lines), 'X', the recipients sendmail -t
 * found in the headers, 'E'. What a submitter may send, per segment:
 *
 *	envelope	M C F S R V A i n	(plus T, which postdrop drops:
 *						it writes its own clock first)
 *	content		X L N
 *	extracted	E A R
 *
 * 'A' attributes are filtered: rewrite_context (local, remote),
 * encoding (7bit, 8bit, empty), envelope_id, notify_flags, ret_flags,
 * dsn_orig_rcpt, trace_flags (512 or 1024); any other is dropped with a
 * warning. A record other than 'N' or 'L' holding CR, LF or NUL is
 * refused, as is a stream with no 'S', more than one, or no 'R'.
 *
 * The checker sees one record at a time and says what to do with it, so
 * that mta-postdrop can copy as it reads, pickup can read back a maildrop
 * file with the same rules (MTA_MAILDROP_FILE: the 'T' is kept), and a
 * fuzzer can feed it anything.
 */
#ifndef MTA_MAILDROP_H
#define MTA_MAILDROP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "buf.h"

/* What the checker says about a record. */
#define MTA_MAILDROP_KEEP 1	/* copy it */
#define MTA_MAILDROP_SKIP 2	/* drop it (a client 'T', a bad attribute) */
#define MTA_MAILDROP_END 3	/* the 'E' record: copy it, then stop */
#define MTA_MAILDROP_BAD -1	/* refuse the whole submission */

/* Flags. */
#define MTA_MAILDROP_FILE 1	/* reading a maildrop file: keep 'T' */

/* Trace flags a submitter may set (sendmail -bv, -v). */
#define MTA_MAILDROP_TRACE_VERIFY 512
#define MTA_MAILDROP_TRACE_RECORD 1024

struct mta_maildrop_check {
	int flags;
	int segment;		/* 0 envelope, 1 content, 2 extracted, 3 done */
	unsigned senders;
	unsigned recipients;
	char warning[256];	/* set when a record was skipped with a reason */
	char error[256];	/* why MTA_MAILDROP_BAD */
};

void mta_maildrop_check_init(struct mta_maildrop_check *mc, int flags);
int mta_maildrop_check(struct mta_maildrop_check *mc, int type,
		       struct mta_buf *payload);
int mta_maildrop_check_end(struct mta_maildrop_check *mc);

/*
 * Copy a whole stream from in to out (out may be NULL: check only),
 * records up to max bytes each; 'A' records are written back as
 * "name=value". Returns 0 after the 'E' record, MTA_MAILDROP_BAD with
 * err set; warn(ctx, text) is called for each skipped record with a reason
 * (may be NULL). A write error on out returns -2 with errno set.
 */
#define MTA_MAILDROP_WRITE_ERROR -2
int mta_maildrop_copy(FILE *in, FILE *out, size_t max, int flags,
		      void (*warn)(void *ctx, const char *text), void *ctx,
		      struct mta_buf *err);

#endif
