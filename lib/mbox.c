/* mbox - delivery to a UNIX mailbox file (see mbox.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mbox.h"

#define MBOX_PATH_MAX 4096

/* mta_mbox_opts_init - Postfix's defaults; no owner check, both locks */
void
mta_mbox_opts_init(struct mta_mbox_opts *opts)
{
	opts->uid = (uid_t)-1;
	opts->gid = (gid_t)-1;
	opts->check_owner = false;
	opts->dotlock = true;
	opts->fcntl_lock = true;
	opts->lock_attempts = 20;
	opts->lock_delay_ms = 1000;
	opts->stale_lock_time = 500;
	opts->flags = MTA_DELIVER_MBOX;
	opts->what = "mailbox";
}

/*
 * mta_mbox_path - SPOOL/USER; -1 for a user name that could leave the
 * directory or is too long (the caller bounces or defers with that)
 */
int
mta_mbox_path(struct mta_buf *out, const char *spool_dir, const char *user)
{
	mta_buf_clear(out);
	if (*user == 0 || strchr(user, '/') || strcmp(user, ".") == 0 ||
	    strcmp(user, "..") == 0)
		return -1;
	if (mta_buf_printf(out, "%s/%s", spool_dir, user) < 0 ||
	    out->len > MBOX_PATH_MAX)
		return -1;
	return 0;
}

/* mbox_sleep - wait between two lock attempts */
static void
mbox_sleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* mbox_stale - remove a dot-lock older than the limit; true if removed */
static bool
mbox_stale(const char *lock, long stale_time)
{
	struct stat st;

	if (lstat(lock, &st) < 0 || time(NULL) <= st.st_mtime + stale_time)
		return false;
	mta_msg_warn("%s: removing stale lock file", lock);
	return unlink(lock) == 0;
}

/* mbox_dotlock - create PATH.lock, or fill st and return -1 */
static int
mbox_dotlock(const char *path, const struct mta_mbox_opts *opts,
	     struct mta_buf *lock, struct mta_dstatus *st)
{
	int fd;

	if (mta_buf_printf(lock, "%s.lock", path) < 0) {
		mta_dstatus_set(st, "4.3.0", "%s %s: name too long",
				opts->what, path);
		return -1;
	}
	for (int n = 1;; n++) {
		fd = open(lock->data, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW,
			  0600);
		if (fd >= 0) {
			(void)close(fd);
			return 0;
		}
		if (errno != EEXIST || n >= opts->lock_attempts)
			break;
		if (!mbox_stale(lock->data, opts->stale_lock_time))
			mbox_sleep(opts->lock_delay_ms);
	}
	mta_dstatus_set(st, "4.2.0", "%s %s: cannot create lock file %s: %s",
			opts->what, path, lock->data,
			errno == EEXIST ? "locked by another process" :
			strerror(errno));
	mta_buf_clear(lock);
	return -1;
}

/* mbox_fcntl_lock - an exclusive fcntl() lock, tried a bounded time */
static int
mbox_fcntl_lock(int fd, const char *path, const struct mta_mbox_opts *opts,
		struct mta_dstatus *st)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

	for (int n = 1;; n++) {
		if (fcntl(fd, F_SETLK, &fl) == 0)
			return 0;
		if ((errno != EAGAIN && errno != EACCES) ||
		    n >= opts->lock_attempts)
			break;
		mbox_sleep(opts->lock_delay_ms);
	}
	mta_dstatus_set(st, "4.2.0", "%s %s: cannot lock: %s", opts->what,
			path, errno == EAGAIN || errno == EACCES ?
			"locked by another process" : strerror(errno));
	return -1;
}

/* mbox_refuse - the reason an open file must not be written, or NULL */
static const char *
mbox_refuse(const char *path, const struct stat *fst,
	    const struct mta_mbox_opts *opts)
{
	struct stat lst;

	if (S_ISDIR(fst->st_mode))
		return "is a directory";
	if (!S_ISREG(fst->st_mode))
		return "is not a regular file";
	if (lstat(path, &lst) < 0 || S_ISLNK(lst.st_mode) ||
	    lst.st_dev != fst->st_dev || lst.st_ino != fst->st_ino)
		return "file changed or was replaced while being opened";
	if (fst->st_nlink > 1 && fst->st_uid != 0)
		return "file has more than one hard link";
	if (opts->check_owner &&
	    opts->uid != (uid_t)-1 && fst->st_uid != opts->uid)
		return "file is not owned by the recipient";
	return NULL;
}

/* mbox_create - make the missing file, 0600, given to the recipient */
static int
mbox_create(const char *path, const struct mta_mbox_opts *opts)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW |
			    O_CLOEXEC, 0600);

	if (fd >= 0 && geteuid() == 0 && opts->uid != (uid_t)-1 &&
	    fchown(fd, opts->uid, opts->gid) < 0) {
		mta_msg_warn("%s: cannot change owner: %s", path,
			     strerror(errno));
	}
	return fd;
}

/* mbox_open - open or create the file and check it; -1 with st filled */
static int
mbox_open(const char *path, const struct mta_mbox_opts *opts,
	  struct stat *fst, struct mta_dstatus *st)
{
	const char *why;
	int fd;

	fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK |
			O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		fd = mbox_create(path, opts);
	if (fd < 0) {
		why = errno == ELOOP ? "is a symbolic link" : strerror(errno);
		mta_dstatus_set(st, mta_deliver_errno_dsn(errno, "4.2.0"),
				"cannot open %s %s: %s", opts->what, path, why);
		return -1;
	}
	if (fstat(fd, fst) < 0)
		why = strerror(errno);
	else
		why = mbox_refuse(path, fst, opts);
	if (why == NULL && fcntl(fd, F_SETFL, O_WRONLY | O_APPEND) < 0)
		why = strerror(errno);
	if (why != NULL) {
		mta_dstatus_set(st, "4.2.0", "cannot deliver to %s %s: %s",
				opts->what, path, why);
		(void)close(fd);
		return -1;
	}
	return fd;
}

/* mbox_write - copy, fsync, and on error truncate back to the old size */
static int
mbox_write(int fd, const char *path, const struct mta_envelope *env,
	   const struct mta_mbox_opts *opts, struct mta_dstatus *st)
{
	bool read_error;
	off_t size;
	int err;

	if ((size = lseek(fd, 0, SEEK_END)) < 0) {
		mta_dstatus_set(st, "4.2.0", "%s %s: seek: %s", opts->what,
				path, strerror(errno));
		return -1;
	}
	if (mta_deliver_copy(env, opts->flags, mta_deliver_write_fd, &fd,
			     &read_error) == 0 && fsync(fd) == 0)
		return 0;
	err = errno;
	if (ftruncate(fd, size) < 0 || fsync(fd) < 0)
		mta_msg_warn("%s: cannot truncate after a failed delivery: %s",
			     path, strerror(errno));
	if (read_error)
		mta_dstatus_set(st, "4.3.0", "error reading message: %s",
				strerror(err));
	else
		mta_dstatus_set(st, mta_deliver_errno_dsn(err, "4.3.0"),
				"cannot update %s %s: error writing message: %s",
				opts->what, path, strerror(err));
	return -1;
}

/* mta_mbox_deliver - append the message; the status says what happened */
int
mta_mbox_deliver(const char *path, const struct mta_envelope *env,
		 const struct mta_mbox_opts *opts, struct mta_dstatus *st)
{
	struct mta_buf lock = MTA_BUF_INIT(MBOX_PATH_MAX + 8);
	struct stat fst;
	int fd, rc = -1;

	if (lstat(path, &fst) == 0 && S_ISCHR(fst.st_mode) && fst.st_uid == 0) {
		mta_dstatus_set(st, "2.0.0", "delivered to %s", opts->what);
		return 0;	/* /dev/null: nothing to lock, write or sync */
	}
	if (opts->dotlock && mbox_dotlock(path, opts, &lock, st) < 0)
		goto out;
	if ((fd = mbox_open(path, opts, &fst, st)) < 0)
		goto out;
	if (!opts->fcntl_lock || mbox_fcntl_lock(fd, path, opts, st) == 0)
		rc = mbox_write(fd, path, env, opts, st);
	if (close(fd) < 0 && rc == 0) {
		mta_dstatus_set(st, mta_deliver_errno_dsn(errno, "4.3.0"),
				"cannot update %s %s: %s", opts->what, path,
				strerror(errno));
		rc = -1;
	}
	if (rc == 0)
		mta_dstatus_set(st, "2.0.0", "delivered to %s", opts->what);
out:
	if (lock.len > 0 && unlink(lock.data) < 0)
		mta_msg_warn("%s: cannot remove lock file: %s", lock.data,
			     strerror(errno));
	mta_buf_release(&lock);
	return rc;
}
