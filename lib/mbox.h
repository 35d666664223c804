/*
 * mbox - append one message to a UNIX mailbox file, as local(8) does for
 * mail_spool_directory and for "/file" deliveries.
 *
 * A character device owned by root (/dev/null) takes the message and
 * discards it, without locks.
 *
 * Locking: a dot-lock (FILE.lock made with O_CREAT|O_EXCL; one not
 * modified for stale_lock_time seconds is removed) and then an fcntl()
 * lock on the open file; each is tried lock_attempts times,
 * lock_delay_ms apart, so the wait is bounded. A lock that stays busy is
 * a temporary failure.
 *
 * Opening: O_WRONLY|O_APPEND|O_NOFOLLOW|O_NONBLOCK (a FIFO cannot hang
 * us); then the open file must be a regular file, must be the file the
 * name gives (lstat agrees with fstat), must have one link unless root
 * owns it, and with check_owner must belong to uid. A missing file is
 * created 0600 with O_EXCL and, when we are root, given to uid/gid.
 *
 * Writing: the message as deliver.h describes (flags, MTA_DELIVER_MBOX by
 * default), then fsync(). On any error the file is truncated back to the
 * size it had, so a reader never sees half a message.
 *
 * Result: MTA_DSTAT_OK; MTA_DSTAT_DEFER for a busy lock, a full disk, an
 * unreadable queue file, a refused or unwritable file (the administrator
 * can fix it and nothing is lost); MTA_DSTAT_BOUNCE only for a full
 * mailbox (EDQUOT, EFBIG: 5.2.2, as Postfix).
 */
#ifndef MTA_MBOX_H
#define MTA_MBOX_H

#include <stdbool.h>
#include <sys/types.h>

#include "buf.h"
#include "deliver.h"

struct mta_mbox_opts {
	uid_t uid;	/* the recipient; (uid_t)-1: no owner check, no chown */
	gid_t gid;
	bool check_owner;	/* refuse a file that uid does not own */
	bool dotlock;
	bool fcntl_lock;
	int lock_attempts;	/* deliver_lock_attempts, 20 */
	long lock_delay_ms;	/* deliver_lock_delay, 1000 */
	long stale_lock_time;	/* seconds, stale_lock_time, 500 */
	int flags;	/* MTA_DELIVER_* */
	const char *what;	/* "mailbox" or "file", for the texts */
};

void mta_mbox_opts_init(struct mta_mbox_opts *opts);
int mta_mbox_deliver(const char *path, const struct mta_envelope *env,
		     const struct mta_mbox_opts *opts, struct mta_dstatus *st);
int mta_mbox_path(struct mta_buf *out, const char *spool_dir,
		  const char *user);

#endif
