/* spool - Postfix's queue directory layout (see spool.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "mem.h"
#include "spool.h"
#include "str.h"

#define SPOOL_TRIES 1000

/*
 * mta_spool_open - open queue_directory and remember the hash settings.
 * Returns -1 (err says why) when the directory cannot be opened.
 */
int
mta_spool_open(struct mta_spool *sp, const char *dir,
	       const char *hash_queue_names, long depth, bool long_ids,
	       struct mta_buf *err)
{
	struct mta_buf names = MTA_BUF_INIT(4096);
	char *copy = mta_strdup(hash_queue_names ? hash_queue_names : "");
	char *cp = copy, *name;

	memset(sp, 0, sizeof(*sp));
	sp->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sp->dirfd < 0) {
		mta_buf_printf(err, "open queue directory %s: %s", dir,
			       strerror(errno));
		free(copy);
		return -1;
	}
	mta_buf_adds(&names, " ");
	while ((name = mta_str_token(&cp, MTA_SEP_LIST)) != NULL)
		mta_buf_printf(&names, "%s ", mta_str_lower(name));
	free(copy);
	sp->hashed = mta_buf_steal(&names);
	sp->dir = mta_strdup(dir);
	sp->depth = depth < 1 ? 1 : depth > MTA_SPOOL_MAX_DEPTH ?
		MTA_SPOOL_MAX_DEPTH : (unsigned)depth;
	sp->long_ids = long_ids;
	return 0;
}

/* mta_spool_close - release the directory and the settings */
void
mta_spool_close(struct mta_spool *sp)
{
	if (sp->dirfd >= 0)
		close(sp->dirfd);
	free(sp->dir);
	free(sp->hashed);
	memset(sp, 0, sizeof(*sp));
	sp->dirfd = -1;
}

/* mta_queue_name_valid - 1..100 ASCII letters and digits */
bool
mta_queue_name_valid(const char *queue)
{
	size_t n = 0;

	for (const char *cp = queue; *cp; cp++, n++)
		if (!((*cp >= 'a' && *cp <= 'z') || (*cp >= 'A' && *cp <= 'Z') ||
		      (*cp >= '0' && *cp <= '9')))
			return false;
	return n > 0 && n <= MTA_QUEUE_NAME_MAX;
}

/* mta_spool_is_hashed - is queue in hash_queue_names (maildrop never is) */
bool
mta_spool_is_hashed(const struct mta_spool *sp, const char *queue)
{
	char key[MTA_QUEUE_NAME_MAX + 3];

	if (strcasecmp(queue, MTA_QUEUE_MAILDROP) == 0)
		return false;
	snprintf(key, sizeof(key), " %s ", queue);
	mta_str_lower(key);
	return strstr(sp->hashed, key) != NULL;
}

/* mta_spool_path - "queue/[h/...]id" relative to queue_directory */
int
mta_spool_path(const struct mta_spool *sp, const char *queue, const char *id,
	       char *out, size_t size)
{
	char key[6], hash[2 * MTA_SPOOL_MAX_DEPTH + 1] = "";
	int n;

	if (!mta_queue_name_valid(queue) || !mta_qid_valid(id)) {
		errno = EINVAL;
		return -1;
	}
	if (mta_spool_is_hashed(sp, queue)) {
		mta_qid_hash_key(id, key);
		for (unsigned i = 0; i < sp->depth; i++) {
			hash[2 * i] = i < strlen(key) ? key[i] : '_';
			hash[2 * i + 1] = '/';
		}
		hash[2 * sp->depth] = '\0';
	}
	n = snprintf(out, size, "%s/%s%s", queue, hash, id);
	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/*
 * mta_spool_mkdirs - the directories on the way to path (relative to the
 * queue directory), mode 0700: a hashed level made on first use.
 */
int
mta_spool_mkdirs(const struct mta_spool *sp, const char *path)
{
	char dir[MTA_SPOOL_PATH_MAX];

	for (const char *slash = strchr(path, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		if ((size_t)(slash - path) >= sizeof(dir))
			return -1;
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
		if (mkdirat(sp->dirfd, dir, 0700) < 0 && errno != EEXIST)
			return -1;
	}
	return 0;
}

/* spool_rename - renameat within the spool, creating hash levels on ENOENT */
static int
spool_rename(const struct mta_spool *sp, const char *from, const char *to)
{
	if (renameat(sp->dirfd, from, sp->dirfd, to) == 0)
		return 0;
	if (errno != ENOENT || mta_spool_mkdirs(sp, to) < 0)
		return -1;
	return renameat(sp->dirfd, from, sp->dirfd, to);
}

/*
 * mta_spool_create - a new file in queue under a fresh queue id, the way
 * Postfix makes one: create "queue/USEC.PID" exclusively (a name no scanner
 * takes for an id), derive the id from the time and the file's inode, and
 * rename it into place. Returns the open descriptor (mode as given, normally
 * 0600 until mta_spool_commit) and fills id; -1 with errno on failure.
 */
int
mta_spool_create(const struct mta_spool *sp, const char *queue, mode_t mode,
		 char id[MTA_QID_SIZE])
{
	char tmp[MTA_SPOOL_PATH_MAX], path[MTA_SPOOL_PATH_MAX];
	struct timeval tv;
	struct stat st;
	int fd = -1;

	for (int tries = 0; fd < 0; tries++) {
		gettimeofday(&tv, NULL);
		snprintf(tmp, sizeof(tmp), "%s/%ld.%ld", queue, (long)tv.tv_usec,
			 (long)getpid());
		fd = openat(sp->dirfd, tmp, O_RDWR | O_CREAT | O_EXCL |
			    O_CLOEXEC | O_NOFOLLOW, mode);
		if (fd < 0 && (errno != EEXIST || tries > SPOOL_TRIES))
			return -1;
	}
	if (fstat(fd, &st) < 0)
		goto fail;
	for (int tries = 0;; tries++) {
		gettimeofday(&tv, NULL);
		if (mta_qid_make(id, MTA_QID_SIZE, sp->long_ids, tv.tv_sec,
				 tv.tv_usec, (unsigned long long)st.st_ino) < 0 ||
		    mta_spool_path(sp, queue, id, path, sizeof(path)) < 0)
			goto fail;
		/* A link, not a rename: an existing file is never replaced. */
		if (linkat(sp->dirfd, tmp, sp->dirfd, path, 0) == 0)
			break;
		if (errno == ENOENT && mta_spool_mkdirs(sp, path) == 0)
			continue;
		if (errno != EEXIST || tries > SPOOL_TRIES)
			goto fail;
	}
	unlinkat(sp->dirfd, tmp, 0);
	return fd;
fail:
	{
		int saved = errno;

		unlinkat(sp->dirfd, tmp, 0);
		close(fd);
		errno = saved;
	}
	return -1;
}

/*
 * mta_spool_commit - make a written queue file durable and ready: fsync
 * the data, set the owner-execute bit, fsync again, fsync the directory.
 */
int
mta_spool_commit(const struct mta_spool *sp, int fd, const char *queue)
{
	return mta_spool_commit_mode(sp, fd, queue, MTA_SPOOL_MODE_READY);
}

/* mta_spool_commit_mode - the same with another "complete" mode (0744) */
int
mta_spool_commit_mode(const struct mta_spool *sp, int fd, const char *queue,
		      mode_t mode)
{
	int dfd, rc;

	if (fsync(fd) < 0 || fchmod(fd, mode) < 0 || fsync(fd) < 0)
		return -1;
	dfd = openat(sp->dirfd, queue, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -1;
	rc = fsync(dfd);
	close(dfd);
	return rc;
}

/* mta_spool_move - rename id from one queue to another (hash levels made) */
int
mta_spool_move(const struct mta_spool *sp, const char *id, const char *from,
	       const char *to)
{
	char src[MTA_SPOOL_PATH_MAX], dst[MTA_SPOOL_PATH_MAX];

	if (mta_spool_path(sp, from, id, src, sizeof(src)) < 0 ||
	    mta_spool_path(sp, to, id, dst, sizeof(dst)) < 0)
		return -1;
	return spool_rename(sp, src, dst);
}

/* mta_spool_find - the first of queues that holds id; -1 if none */
int
mta_spool_find(const struct mta_spool *sp, const char *id,
	       const char *const *queues, const char **found)
{
	char path[MTA_SPOOL_PATH_MAX];
	struct stat st;

	for (; *queues; queues++) {
		if (mta_spool_path(sp, *queues, id, path, sizeof(path)) < 0)
			return -1;
		if (fstatat(sp->dirfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode)) {
			*found = *queues;
			return 0;
		}
	}
	errno = ENOENT;
	return -1;
}

/* mta_spool_ready - a regular file whose writer has finished */
bool
mta_spool_ready(const struct stat *st)
{
	return S_ISREG(st->st_mode) &&
	       (st->st_mode & 0700) == MTA_SPOOL_MODE_READY;
}

/* mta_spool_scan_open - start listing a queue; -1 if it cannot be opened */
int
mta_spool_scan_open(struct mta_spool_scan *scan, const struct mta_spool *sp,
		    const char *queue)
{
	int fd;

	memset(scan, 0, sizeof(*scan));
	scan->spool = sp;
	if (!mta_queue_name_valid(queue)) {
		errno = EINVAL;
		return -1;
	}
	strlcpy(scan->queue, queue, sizeof(scan->queue));
	fd = openat(sp->dirfd, queue, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || (scan->dirs[0] = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return 0;
}

/* scan_prefix - "queue/a/b/" for the levels entered so far */
static void
scan_prefix(const struct mta_spool_scan *scan, char *out, size_t size)
{
	size_t n = (size_t)snprintf(out, size, "%s/", scan->queue);

	for (int i = 0; i < scan->level && n + 2 < size; i++) {
		out[n++] = scan->sub[i];
		out[n++] = '/';
	}
	out[n] = '\0';
}

/* scan_descend - enter a one-character sub-directory */
static void
scan_descend(struct mta_spool_scan *scan, const char *name)
{
	char path[MTA_SPOOL_PATH_MAX];
	int fd;

	if (scan->level >= MTA_SPOOL_MAX_DEPTH ||
	    strcasecmp(scan->queue, MTA_QUEUE_MAILDROP) == 0)
		return;
	scan->sub[scan->level] = name[0];
	scan->level++;
	scan_prefix(scan, path, sizeof(path));
	fd = openat(scan->spool->dirfd, path, O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || (scan->dirs[scan->level] = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		scan->level--;
	}
}

/*
 * mta_spool_scan_next - the next name in the queue that looks like a queue
 * id (others are skipped), with its path relative to queue_directory.
 * Returns 1, or 0 at the end. The file may be gone by the time the caller
 * looks: scanning races with delivery by design.
 */
int
mta_spool_scan_next(struct mta_spool_scan *scan, char *id, size_t idsize,
		    char *path, size_t pathsize)
{
	struct dirent *de;
	char prefix[MTA_SPOOL_PATH_MAX];

	while (scan->level >= 0) {
		de = readdir(scan->dirs[scan->level]);
		if (de == NULL) {
			closedir(scan->dirs[scan->level]);
			scan->dirs[scan->level] = NULL;
			scan->level--;
			continue;
		}
		if (de->d_name[0] == '.')
			continue;
		if (de->d_name[1] == '\0' && de->d_type != DT_REG) {
			scan_descend(scan, de->d_name);
			continue;
		}
		if (!mta_qid_valid(de->d_name))
			continue;
		scan_prefix(scan, prefix, sizeof(prefix));
		strlcpy(id, de->d_name, idsize);
		snprintf(path, pathsize, "%s%s", prefix, de->d_name);
		return 1;
	}
	return 0;
}

/* mta_spool_scan_close - stop a scan early (safe after the end, too) */
void
mta_spool_scan_close(struct mta_spool_scan *scan)
{
	for (int i = 0; i <= MTA_SPOOL_MAX_DEPTH; i++)
		if (scan->dirs[i]) {
			closedir(scan->dirs[i]);
			scan->dirs[i] = NULL;
		}
	scan->level = -1;
}
