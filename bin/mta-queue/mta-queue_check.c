/*
 * mta-queue check (-s): the structure check and repair of postsuper -s.
 * For every message in every queue, and every log:
 *   - not a regular file (a link, a FIFO): moved to corrupt/;
 *   - a short id whose inode part is not the file's inode (a spool copied
 *     to another file system): renamed to a fresh id, with its logs;
 *   - in the wrong hashed sub-directory: moved where the id belongs;
 *   - permission bits that no writer sets: cleared;
 *   - unreadable or not a sound queue file (qfile.h): moved to corrupt/.
 * Nothing is ever deleted, and a file still being written (without the
 * owner-execute bit) is left alone. Each change is logged; a summary of
 * what was changed ends the run.
 */
#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "msg.h"
#include "mta-queue.h"
#include "qfile.h"

struct check_counts {
	long corrupt, renamed, moved, modes;
};

/* The queues check walks, and which of them hold messages. */
static const struct {
	const char *name;
	bool messages;
	mode_t allowed;		/* permission bits a writer may leave */
} check_queues[] = {
	{MTA_QUEUE_MAILDROP, true, 0754},
	{MTA_QUEUE_INCOMING, true, 0750},
	{MTA_QUEUE_ACTIVE, true, 0750},
	{MTA_QUEUE_DEFERRED, true, 0750},
	{MTA_QUEUE_HOLD, true, 0750},
	{MTA_QUEUE_DEFER, false, 0600},
	{MTA_QUEUE_BOUNCE, false, 0600},
	{MTA_QUEUE_TRACE, false, 0600},
};

/* check_to_corrupt - rename a file (relative path) into corrupt/ */
static int
check_to_corrupt(struct mta_spool *sp, const char *path, const char *name,
		 const char *why, struct check_counts *n)
{
	char to[MTA_SPOOL_PATH_MAX];

	if (mkdirat(sp->dirfd, MTA_QUEUE_CORRUPT, 0700) < 0 && errno != EEXIST)
		return -1;
	snprintf(to, sizeof(to), "%s/%s", MTA_QUEUE_CORRUPT, name);
	for (int i = 1; faccessat(sp->dirfd, to, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
	     i++)
		snprintf(to, sizeof(to), "%s/%s_%d", MTA_QUEUE_CORRUPT, name, i);
	if (renameat(sp->dirfd, path, sp->dirfd, to) < 0) {
		mta_msg_warn("%s: move to %s: %s", path, to, strerror(errno));
		return -1;
	}
	mta_msg_warn("%s: %s: moved to %s", path, why, to);
	n->corrupt++;
	return 1;
}

/* check_sound - is a complete message file readable and well-formed */
static int
check_sound(struct mta_spool *sp, const char *path, bool maildrop,
	    struct mta_buf *why)
{
	int fd = openat(sp->dirfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	FILE *fp;
	int rc;

	if (fd < 0 || (fp = fdopen(fd, "r")) == NULL) {
		mta_buf_set(why, fd < 0 && errno == ENOENT ? "gone" : "unreadable");
		if (fd >= 0)
			close(fd);
		return errno == ENOENT ? 0 : -1;
	}
	rc = mta_qfile_validate(fp, maildrop ? MTA_QFILE_MAILDROP : 0, why);
	fclose(fp);
	return rc;
}

/* check_move - rename within the spool, never over an existing file */
static int
check_move(struct mta_spool *sp, const char *from, const char *to)
{
	mta_spool_mkdirs(sp, to);
	/* A link then an unlink: the old name goes only once the new is. */
	if (linkat(sp->dirfd, from, sp->dirfd, to, 0) < 0)
		return -1;
	return unlinkat(sp->dirfd, from, 0);
}

/* check_rename_logs - the defer, bounce and trace logs follow a new id */
static void
check_rename_logs(struct mta_spool *sp, const char *id, const char *newid)
{
	static const char *const logs[] = {MTA_QUEUE_DEFER, MTA_QUEUE_BOUNCE,
					   MTA_QUEUE_TRACE, NULL};
	char from[MTA_SPOOL_PATH_MAX], to[MTA_SPOOL_PATH_MAX];

	for (const char *const *q = logs; *q; q++)
		if (mta_spool_path(sp, *q, id, from, sizeof(from)) == 0 &&
		    mta_spool_path(sp, *q, newid, to, sizeof(to)) == 0 &&
		    check_move(sp, from, to) < 0 && errno != ENOENT)
			mta_msg_warn("%s: rename to %s: %s", from, to,
				     strerror(errno));
}

/*
 * check_rename_inode - a short id must carry its file's inode (a copied
 * spool breaks that, and a new file could then take the same id): give
 * the message a fresh id from its old time part and its real inode.
 */
static int
check_rename_inode(struct mta_spool *sp, const char *queue, char *id,
		   char *path, const struct stat *st, struct check_counts *n)
{
	unsigned long long ino;
	char newid[MTA_QID_SIZE], to[MTA_SPOOL_PATH_MAX];

	if (mta_qid_is_long(id) || (mta_qid_inode(id, &ino) == 0 &&
				    ino == (unsigned long long)st->st_ino))
		return 0;
	snprintf(newid, sizeof(newid), "%.5s%llX", id,
		 (unsigned long long)st->st_ino);
	if (mta_spool_path(sp, queue, newid, to, MTA_SPOOL_PATH_MAX) < 0 ||
	    check_move(sp, path, to) < 0) {
		mta_msg_warn("%s: cannot rename to %s: %s", path, newid,
			     strerror(errno));
		return -1;
	}
	check_rename_logs(sp, id, newid);
	mta_msg_info("%s: renamed to %s to match its inode number", id, newid);
	strlcpy(id, newid, MTA_QID_SIZE);
	strlcpy(path, to, MTA_SPOOL_PATH_MAX);
	n->renamed++;
	return 1;
}

/* check_place - move a file that is in the wrong hashed directory */
static void
check_place(struct mta_spool *sp, const char *queue, const char *id,
	    const char *path, struct check_counts *n)
{
	char want[MTA_SPOOL_PATH_MAX];

	if (mta_spool_path(sp, queue, id, want, sizeof(want)) < 0 ||
	    strcmp(want, path) == 0)
		return;
	if (check_move(sp, path, want) < 0) {
		mta_msg_warn("%s: cannot move to %s: %s", path, want,
			     strerror(errno));
		return;
	}
	mta_msg_info("%s: moved to %s", path, want);
	n->moved++;
}

/* check_mode - clear permission bits that no writer sets */
static void
check_mode(struct mta_spool *sp, const char *path, const struct stat *st,
	   mode_t allowed, struct check_counts *n)
{
	mode_t mode = st->st_mode & 07777;

	if ((mode & ~allowed) == 0)
		return;
	if (fchmodat(sp->dirfd, path, mode & allowed, 0) < 0) {
		mta_msg_warn("%s: chmod: %s", path, strerror(errno));
		return;
	}
	mta_msg_info("%s: mode %04o changed to %04o", path, (unsigned)mode,
		     (unsigned)(mode & allowed));
	n->modes++;
}

/* check_file - every check for one file of a queue */
static void
check_file(struct mta_spool *sp, size_t q, const char *relpath,
	   const char *name, const struct stat *st, struct check_counts *n)
{
	const char *queue = check_queues[q].name;
	struct mta_buf why = MTA_BUF_INIT(256);
	char id[MTA_QID_SIZE], path[MTA_SPOOL_PATH_MAX];

	strlcpy(path, relpath, sizeof(path));
	if (!S_ISREG(st->st_mode)) {
		check_to_corrupt(sp, path, name, "not a regular file", n);
		return;
	}
	if (!mta_qid_valid(name))
		return;	/* a writer's temporary file */
	strlcpy(id, name, sizeof(id));
	if (check_queues[q].messages) {
		if ((st->st_mode & 0700) != 0700)
			return;	/* still being written */
		if (check_sound(sp, path, q == 0, &why) < 0) {
			check_to_corrupt(sp, path, name, mta_buf_str(&why), n);
			mta_buf_release(&why);
			return;
		}
		if (q != 0 && check_rename_inode(sp, queue, id, path, st, n) < 0)
			return;
	}
	check_mode(sp, path, st, check_queues[q].allowed, n);
	check_place(sp, queue, id, path, n);
	mta_buf_release(&why);
}

/* check_queue - walk one queue (any depth: a spool hashed otherwise) */
static void
check_queue(struct mta_spool *sp, size_t q, struct check_counts *n)
{
	char root[4096];
	char *paths[] = {root, NULL};
	size_t skip = strlen(sp->dir) + 1;
	FTS *fts;
	FTSENT *e;

	snprintf(root, sizeof(root), "%s/%s", sp->dir, check_queues[q].name);
	if ((fts = fts_open(paths, FTS_PHYSICAL | FTS_NOCHDIR, NULL)) == NULL)
		return;
	while ((e = fts_read(fts)) != NULL) {
		if (e->fts_info == FTS_D && e->fts_level > 0 &&
		    (e->fts_namelen != 1 || q == 0)) {
			mta_msg_warn("%s: unexpected directory, left alone",
				     e->fts_path);
			fts_set(fts, e, FTS_SKIP);
		} else if (e->fts_info != FTS_D && e->fts_info != FTS_DP &&
			   e->fts_info != FTS_DNR && e->fts_level > 0) {
			check_file(sp, q, e->fts_path + skip, e->fts_name,
				   e->fts_statp, n);
		}
	}
	fts_close(fts);
}

/* check_summary - postsuper-style counts of what was changed */
static void
check_summary(const char *what, long count)
{
	if (count > 0)
		mta_msg_info("%s: %ld message%s", what, count,
			     count == 1 ? "" : "s");
}

/* mq_check - check and repair the whole spool; returns an exit status */
int
mq_check(struct mta_spool *sp)
{
	struct check_counts n = {0};

	for (size_t q = 0; q < sizeof(check_queues) / sizeof(check_queues[0]);
	     q++)
		check_queue(sp, q, &n);
	check_summary("Moved to corrupt", n.corrupt);
	check_summary("Renamed to match inode number", n.renamed);
	check_summary("Moved to the right directory", n.moved);
	check_summary("Permissions fixed", n.modes);
	return EX_OK;
}
