/*
 * maildir - deliver one message into a Maildir (home_mailbox = Maildir/).
 *
 * DIR, DIR/tmp, DIR/new and DIR/cur are made 0700 when missing (and given
 * to uid/gid when we are root). The message is written to a new file
 * tmp/NAME (O_EXCL, 0600), synced, linked as new/NAME (renamed where the
 * file system has no hard links), and new/ itself is synced before the
 * delivery counts: a crash leaves at most a stray file in tmp/, never a
 * half message in new/. NAME follows the Maildir rules:
 * "SECONDS.M<usec>P<pid>Q<count>.HOST", with '/' and ':' in HOST written
 * as \057 and \072.
 *
 * The headers are those of an mbox delivery (Return-Path:, X-Original-To:,
 * Delivered-To:) without the From_ line, quoting or the blank line at the
 * end (flags: MTA_DELIVER_MAILDIR). Errors defer, except a full mailbox
 * (EDQUOT, EFBIG), which bounces as mbox.h says.
 */
#ifndef MTA_MAILDIR_H
#define MTA_MAILDIR_H

#include <sys/types.h>

#include "buf.h"
#include "deliver.h"

struct mta_maildir_opts {
	uid_t uid;	/* owner of what is made when root; (uid_t)-1: none */
	gid_t gid;
	const char *hostname;	/* NULL: gethostname() */
	int flags;	/* MTA_DELIVER_*, MTA_DELIVER_MAILDIR by default */
};

void mta_maildir_opts_init(struct mta_maildir_opts *opts);
int mta_maildir_deliver(const char *dir, const struct mta_envelope *env,
			const struct mta_maildir_opts *opts,
			struct mta_buf *made, struct mta_dstatus *st);
int mta_maildir_name(struct mta_buf *out, const char *hostname);

#endif
