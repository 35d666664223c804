/*
 * mta-queue's safety for changes: one run at a time per spool (a lock
 * file, so that two cron jobs cannot interleave), and no work as root on
 * files that a less privileged user can write.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "msg.h"
#include "mta-queue.h"
#include "priv.h"

#define MQ_LOCK_DIR "pid"
#define MQ_LOCK_FILE "pid/mta-queue.lock"

/*
 * mq_lock - take the spool's mta-queue lock, waiting up to wait_seconds.
 * The lock is held (close-on-exec) until the process ends.
 * Returns 0, or an exit status.
 */
int
mq_lock(struct mta_spool *sp, int wait_seconds)
{
	static int held = -1;	/* one lock per run, taken once */
	struct timespec pause = {0, 100 * 1000 * 1000};
	time_t deadline = time(NULL) + wait_seconds;
	int fd;

	if (held >= 0)
		return EX_OK;
	if (mkdirat(sp->dirfd, MQ_LOCK_DIR, 0755) < 0 && errno != EEXIST) {
		mta_msg_error("create %s/%s: %s", sp->dir, MQ_LOCK_DIR,
			      strerror(errno));
		return errno == EACCES || errno == EPERM ? EX_NOPERM : EX_CANTCREAT;
	}
	fd = openat(sp->dirfd, MQ_LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC |
		    O_NOFOLLOW, 0600);
	if (fd < 0) {
		mta_msg_error("open %s/%s: %s", sp->dir, MQ_LOCK_FILE,
			      strerror(errno));
		return errno == EACCES || errno == EPERM ? EX_NOPERM : EX_CANTCREAT;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK || time(NULL) >= deadline) {
			mta_msg_error("%s: another mta-queue is changing this "
				      "queue (lock %s); try again later",
				      sp->dir, MQ_LOCK_FILE);
			close(fd);
			return EX_TEMPFAIL;
		}
		nanosleep(&pause, NULL);
	}
	held = fd;
	return EX_OK;
}

/*
 * mq_drop_privileges - when root, become the owner of the spool's queue
 * directories (Postfix's mail_owner) before touching them: a rename or
 * unlink by root through a directory that user can change would be a way
 * to make root move files outside the spool. A spool owned by root (a
 * test spool) is worked on as root.
 */
void
mq_drop_privileges(struct mta_spool *sp, const char *mail_owner)
{
	static const char *const probe[] = {MTA_QUEUE_INCOMING,
					    MTA_QUEUE_DEFERRED, ".", NULL};
	struct mta_buf err = MTA_BUF_INIT(512);
	struct passwd *pw;
	struct stat st;

	if (geteuid() != 0)
		return;
	for (const char *const *p = probe; *p; p++)
		if (fstatat(sp->dirfd, *p, &st, AT_SYMLINK_NOFOLLOW) == 0)
			break;
		else
			st.st_uid = 0;
	if (st.st_uid == 0)
		return;
	if ((pw = getpwuid(st.st_uid)) == NULL)
		mta_msg_die(EX_NOUSER, "%s: owner uid %ld has no passwd entry",
			    sp->dir, (long)st.st_uid);
	if (mail_owner && strcmp(pw->pw_name, mail_owner) != 0)
		mta_msg_warn("%s is owned by %s, not by mail_owner %s; "
			     "working as %s", sp->dir, pw->pw_name, mail_owner,
			     pw->pw_name);
	if (mta_priv_drop(pw->pw_uid, pw->pw_gid, &err) < 0)
		mta_msg_die(EX_OSERR, "%s", mta_buf_str(&err));
	mta_buf_release(&err);
}
