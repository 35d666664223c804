/* maildir - delivery into a Maildir (see maildir.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>


#include "maildir.h"

#define MAILDIR_PATH_MAX 4096
#define MAILDIR_TRIES 5

static unsigned long maildir_count;	/* deliveries by this process */

/* mta_maildir_opts_init - defaults: nothing to chown, our host name */
void
mta_maildir_opts_init(struct mta_maildir_opts *opts)
{
	opts->uid = (uid_t)-1;
	opts->gid = (gid_t)-1;
	opts->hostname = NULL;
	opts->flags = MTA_DELIVER_MAILDIR;
}

/*
 * mta_maildir_name - a name no other delivery uses: the time to the
 * microsecond, our pid, and a count of the deliveries of this process
 */
int
mta_maildir_name(struct mta_buf *out, const char *hostname)
{
	char host[256];
	struct timeval tv;

	if (hostname == NULL) {
		if (gethostname(host, sizeof(host)) < 0)
			strlcpy(host, "localhost", sizeof(host));
		host[sizeof(host) - 1] = 0;
		hostname = host;
	}
	(void)gettimeofday(&tv, NULL);
	mta_buf_clear(out);
	if (mta_buf_printf(out, "%lld.M%ldP%ldQ%lu.", (long long)tv.tv_sec,
			   (long)tv.tv_usec, (long)getpid(),
			   ++maildir_count) < 0)
		return -1;
	for (const char *cp = hostname; *cp; cp++) {
		if (*cp == '/' ? mta_buf_adds(out, "\\057") :
		    *cp == ':' ? mta_buf_adds(out, "\\072") :
		    mta_buf_addc(out, *cp))
			return -1;
	}
	return 0;
}

/* maildir_mkdir - make one directory 0700 unless it is there */
static int
maildir_mkdir(const char *path, const struct mta_maildir_opts *opts)
{
	struct stat st;

	if (mkdir(path, 0700) == 0) {
		if (geteuid() == 0 && opts->uid != (uid_t)-1 &&
		    chown(path, opts->uid, opts->gid) < 0)
			return -1;
		return 0;
	}
	if (errno != EEXIST)
		return -1;
	if (stat(path, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

/* maildir_dirs - DIR and its three sub-directories */
static int
maildir_dirs(const char *dir, const struct mta_maildir_opts *opts,
	     struct mta_dstatus *st)
{
	static const char *const sub[] = { "", "/tmp", "/new", "/cur" };
	struct mta_buf path = MTA_BUF_INIT(MAILDIR_PATH_MAX);
	int rc = 0;

	for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]) && rc == 0; i++) {
		mta_buf_clear(&path);
		if (mta_buf_printf(&path, "%s%s", dir, sub[i]) < 0) {
			errno = ENAMETOOLONG;
			rc = -1;
		} else {
			rc = maildir_mkdir(path.data, opts);
		}
		if (rc < 0)
			mta_dstatus_set(st, mta_deliver_errno_dsn(errno, "4.2.0"),
					"cannot create maildir %s%s: %s", dir,
					sub[i], strerror(errno));
	}
	mta_buf_release(&path);
	return rc;
}

/* maildir_sync_dir - make a directory's entries durable */
static int
maildir_sync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	(void)close(fd);
	return rc;
}

/* maildir_create - a new file in tmp/ under a fresh name */
static int
maildir_create(const char *dir, const struct mta_maildir_opts *opts,
	       struct mta_buf *name, struct mta_buf *tmp)
{
	int fd = -1;

	for (int n = 0; n < MAILDIR_TRIES && fd < 0; n++) {
		mta_buf_clear(tmp);
		if (mta_maildir_name(name, opts->hostname) < 0 ||
		    mta_buf_printf(tmp, "%s/tmp/%s", dir, name->data) < 0) {
			errno = ENAMETOOLONG;
			return -1;
		}
		fd = open(tmp->data, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				     O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			return -1;
	}
	if (fd >= 0 && geteuid() == 0 && opts->uid != (uid_t)-1 &&
	    fchown(fd, opts->uid, opts->gid) < 0)
		mta_msg_warn("%s: cannot change owner: %s", tmp->data,
			     strerror(errno));
	return fd;
}

/* maildir_write - the message into the open tmp/ file, synced */
static int
maildir_write(int fd, const char *tmp, const struct mta_envelope *env,
	      const struct mta_maildir_opts *opts, struct mta_dstatus *st)
{
	bool read_error;
	int err;

	if (mta_deliver_copy(env, opts->flags, mta_deliver_write_fd, &fd,
			     &read_error) == 0 && fsync(fd) == 0) {
		if (close(fd) == 0)
			return 0;
		err = errno;
	} else {
		err = errno;
		(void)close(fd);
	}
	if (read_error)
		mta_dstatus_set(st, "4.3.0", "error reading message: %s",
				strerror(err));
	else
		mta_dstatus_set(st, mta_deliver_errno_dsn(err, "4.2.0"),
				"cannot write maildir file %s: %s", tmp,
				strerror(err));
	return -1;
}

/* maildir_publish - tmp/NAME becomes new/NAME, and new/ is synced */
static int
maildir_publish(const char *dir, const char *name, const char *tmp,
		struct mta_buf *made, struct mta_dstatus *st)
{
	struct mta_buf path = MTA_BUF_INIT(MAILDIR_PATH_MAX);
	int rc = -1;

	if (mta_buf_printf(&path, "%s/new/%s", dir, name) < 0) {
		errno = ENAMETOOLONG;
	} else if (link(tmp, path.data) == 0) {
		(void)unlink(tmp);
		rc = 0;
	} else if (errno == EPERM || errno == ENOSYS || errno == EOPNOTSUPP) {
		rc = rename(tmp, path.data);
	}
	if (rc == 0) {
		mta_buf_truncate(&path, path.len - strlen(name) - 1);
		rc = maildir_sync_dir(path.data);
		if (made != NULL)
			(void)mta_buf_printf(made, "%s/new/%s", dir, name);
	}
	if (rc < 0)
		mta_dstatus_set(st, mta_deliver_errno_dsn(errno, "4.2.0"),
				"cannot move maildir file to %s/new: %s", dir,
				strerror(errno));
	mta_buf_release(&path);
	return rc;
}

/* mta_maildir_deliver - one message into DIR/new; made gets its path */
int
mta_maildir_deliver(const char *dir, const struct mta_envelope *env,
		    const struct mta_maildir_opts *opts, struct mta_buf *made,
		    struct mta_dstatus *st)
{
	struct mta_buf name = MTA_BUF_INIT(1024);
	struct mta_buf tmp = MTA_BUF_INIT(MAILDIR_PATH_MAX);
	int fd, rc = -1;

	if (made != NULL)
		mta_buf_clear(made);
	if (maildir_dirs(dir, opts, st) < 0)
		goto out;
	if ((fd = maildir_create(dir, opts, &name, &tmp)) < 0) {
		mta_dstatus_set(st, mta_deliver_errno_dsn(errno, "4.2.0"),
				"cannot create maildir file in %s/tmp: %s", dir,
				strerror(errno));
		goto out;
	}
	if (maildir_write(fd, tmp.data, env, opts, st) < 0 ||
	    maildir_publish(dir, name.data, tmp.data, made, st) < 0) {
		(void)unlink(tmp.data);
		goto out;
	}
	mta_dstatus_set(st, "2.0.0", "delivered to maildir");
	rc = 0;
out:
	mta_buf_release(&name);
	mta_buf_release(&tmp);
	return rc;
}
