/*
 * cleanup - what every new message goes through before it is queued, in
 * process (pickup for local submissions, smtpd for the network): the
 * envelope is canonicalised, the headers checked and fixed, addresses
 * masqueraded, limits enforced, and the result written as a queue file in
 * incoming/ through qwriter, in the record order Postfix's cleanup uses
 * (spool-format.md §1.10), durable and complete before close returns 0.
 *
 * The caller gives the envelope first (time, sender, recipients,
 * attributes, in any order), then the message text a line at a time, then
 * closes. Anything that goes wrong is remembered and reported by close as
 * one status: the caller answers its client from that (a 250 only for
 * MTA_CLEANUP_OK), and nothing half-written is left in the spool.
 *
 *	c = mta_cleanup_open(cfg, spool, MTA_CLEANUP_LOCAL, &err);
 *	mta_cleanup_sender(c, "alice");
 *	mta_cleanup_recipient(c, "bob@example.com", NULL, 0, NULL);
 *	mta_cleanup_text(c, "Subject: hi", 11, true);
 *	...
 *	status = mta_cleanup_close(c, id, &why);
 */
#ifndef MTA_CLEANUP_H
#define MTA_CLEANUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "buf.h"
#include "config.h"
#include "qid.h"
#include "spool.h"

/* How the message came (flags to open). */
#define MTA_CLEANUP_LOCAL 0x01	/* rewrite_context=local: sendmail/pickup */
#define MTA_CLEANUP_EXTRACT 0x02	/* sendmail -t: recipients from To/Cc/Bcc */
#define MTA_CLEANUP_BOUNCE 0x04	/* a bounce we generate: never masquerade */

/* What close says (bits; 0 is success), as Postfix's CLEANUP_STAT_*. */
#define MTA_CLEANUP_OK 0
#define MTA_CLEANUP_BAD 0x01	/* malformed input: 5.x */
#define MTA_CLEANUP_WRITE 0x02	/* could not write the queue file: 4.3.0 */
#define MTA_CLEANUP_SIZE 0x04	/* over message_size_limit: 5.3.4 */
#define MTA_CLEANUP_HOPS 0x08	/* over hopcount_limit: 5.4.6 */
#define MTA_CLEANUP_RCPT 0x10	/* no recipients: 5.1.3 */
#define MTA_CLEANUP_NOSPACE 0x20	/* disk full: 4.3.1 */

struct mta_cleanup;

struct mta_cleanup *mta_cleanup_open(struct mta_config *cfg,
				     const struct mta_spool *sp, int flags,
				     struct mta_buf *err);
/* The envelope. Addresses are in internal (unquoted) form. */
int mta_cleanup_time(struct mta_cleanup *c, time_t sec, long usec);
int mta_cleanup_sender(struct mta_cleanup *c, const char *addr);
int mta_cleanup_fullname(struct mta_cleanup *c, const char *name);
int mta_cleanup_recipient(struct mta_cleanup *c, const char *addr,
			  const char *orig, int notify, const char *dsn_orcpt);
int mta_cleanup_attr(struct mta_cleanup *c, const char *name,
		     const char *value);
/* Headers cleanup adds (Received:) know who submitted: pickup's uid. */
void mta_cleanup_uid(struct mta_cleanup *c, uid_t uid);
/* The message: one line without its terminator; complete == false for a
 * piece of a longer line whose rest follows. */
int mta_cleanup_text(struct mta_cleanup *c, const char *line, size_t len,
		     bool complete);
int mta_cleanup_close(struct mta_cleanup *c, char id[MTA_QID_SIZE],
		      struct mta_buf *why);
void mta_cleanup_abort(struct mta_cleanup *c);
const char *mta_cleanup_dsn(int status);

/*
 * Added with the implementation: the SMTP reply code that goes with
 * mta_cleanup_dsn() (250, 451, 452, 550, 552, 554), so that smtpd answers
 * "CODE DSN" and pickup/sendmail can tell temporary (4xx) from permanent.
 * mta_cleanup_close() fills id even on failure (for the log line) and
 * frees c either way; mta_cleanup_recipient() after the first text line
 * adds an extracted recipient (the segment after 'X'), as the recipients
 * of a "sendmail -t" maildrop file are.
 */
int mta_cleanup_smtp(int status);

/*
 * Added for smtpd: the queue id, known from open on (for "ID: client="
 * log lines); and hold, which makes close leave the message in hold/
 * (an access table's HOLD action) instead of waking qmgr for it.
 */
const char *mta_cleanup_id(const struct mta_cleanup *c);
void mta_cleanup_hold(struct mta_cleanup *c);

#endif
