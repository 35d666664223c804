/*
 * map_gdbm - hash:PATH (also gdbm:, btree:, dbm:) is the GDBM file PATH.db.
 *
 * On-disk convention, fixed here once for every program that reads or
 * writes these files: a key is stored as its bytes followed by one NUL
 * byte, and so is a value (Postfix writes its hash maps the same way, so
 * dumps and tools that expect C strings work). Keys are lower-cased (ASCII
 * only) before they are stored and before every lookup, unless the map is
 * opened with MTA_MAP_NOFOLD; that folding is done by map.c, so this file
 * stores what it is given. Data written by others without the NUL is
 * still read correctly.
 *
 * Writers never touch a live file. MTA_MAP_CREATE builds a new database in
 * a temporary file beside PATH.db; MTA_MAP_WRITE (in-place update for -i
 * and -d) copies PATH.db to such a file first. Commit is gdbm_sync, close,
 * fsync, rename over PATH.db, fsync of the directory. So a reader sees the
 * whole old map or the whole new one, and readers open with GDBM_READER |
 * GDBM_NOLOCK: the file they hold is never written again, so there is
 * nothing to lock against, and a daemon's lookups never wait on a rebuild.
 * A long-lived reader asks mta_map_changed() (is PATH.db still the inode
 * we opened?) and reopens.
 *
 * Writers serialize among themselves with flock() on the PATH.db they are
 * replacing, re-checking after the lock that it is still the current file,
 * so that two updates in a row cannot lose one another's changes.
 *
 * Build speed: GDBM writes the record and its whole bucket with a system
 * call or three at every store, so the cost is system calls, not disk. A
 * new map whose source is not huge is therefore built in an anonymous
 * memory file (memfd) and copied into the temporary file in one go at
 * commit; buckets are small (2 KB: less to rewrite per store), mmap is off
 * (GDBM remaps the whole growing file again and again otherwise), the
 * bucket cache is large, and nothing is synced until the commit.
 */
#define _GNU_SOURCE	/* memfd_create */
#include <errno.h>
#include <fcntl.h>
#include <gdbm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "map_impl.h"
#include "mem.h"

#define GDBM_BUILD_BLOCK 2048	/* bytes per bucket when building */
#define GDBM_BUILD_CACHE 16384	/* buckets kept in memory when writing */
#define GDBM_SCRATCH_MAX (256 << 20)	/* sources up to this build in RAM */

struct map_gdbm {
	struct mta_map map;
	GDBM_FILE dbf;
	char *path;	/* PATH.db */
	struct mta_atomic af;	/* the new file, when writing */
	int lock_fd;	/* the PATH.db we replace, locked; or -1 */
	int scratch_fd;	/* memfd the new map is built in, or -1 */
	bool writing;
	dev_t dev;	/* what a reader opened, for changed() */
	ino_t ino;
	datum value;	/* last fetched value, freed on the next call */
	datum seq;	/* sequence position */
	struct mta_buf kbuf, vbuf;	/* copies of data stored without NUL */
};

static int mg_copy(int in, int out);

/* mg_why - GDBM's reason for the last failure, with errno if it has one */
static int
mg_why(struct map_gdbm *mg, struct mta_buf *out, const char *what)
{
	int saved = errno;
	gdbm_error ge = mg && mg->dbf ? gdbm_last_errno(mg->dbf) : gdbm_errno;

	mta_buf_clear(out);
	if (gdbm_check_syserr(ge) && saved)
		mta_buf_printf(out, "%s %s: %s: %s", what, mg->path,
			       gdbm_strerror(ge), strerror(saved));
	else
		mta_buf_printf(out, "%s %s: %s", what, mg->path,
			       gdbm_strerror(ge));
	errno = saved ? saved : EIO;
	return -1;
}

/* mg_cstr - datum as a C string: in place when NUL-terminated, else copied */
static const char *
mg_cstr(datum d, struct mta_buf *copy)
{
	if (d.dsize > 0 && d.dptr[d.dsize - 1] == '\0')
		return d.dptr;
	mta_buf_clear(copy);
	if (mta_buf_add(copy, d.dptr, (size_t)d.dsize) < 0)
		return NULL;
	return mta_buf_str(copy);
}

/* mg_key - the datum for a key, its NUL included */
static datum
mg_key(const char *key)
{
	datum d = {(char *)key, (int)strlen(key) + 1};

	return d;
}

/* mg_lookup - fetch key: 1 found, 0 not, -1 error */
static int
mg_lookup(struct mta_map *map, const char *key, const char **value)
{
	struct map_gdbm *mg = (struct map_gdbm *)map;

	free(mg->value.dptr);
	mg->value = gdbm_fetch(mg->dbf, mg_key(key));
	if (mg->value.dptr == NULL) {
		if (gdbm_last_errno(mg->dbf) == GDBM_ITEM_NOT_FOUND)
			return 0;
		return mg_why(mg, &map->error, "lookup in");
	}
	if ((*value = mg_cstr(mg->value, &mg->vbuf)) == NULL) {
		errno = EMSGSIZE;
		return mg_why(mg, &map->error, "oversized value in");
	}
	return 1;
}

/* mg_store_as - store with GDBM_REPLACE or GDBM_INSERT */
static int
mg_store_as(struct mta_map *map, const char *key, const char *value,
	      int how)
{
	struct map_gdbm *mg = (struct map_gdbm *)map;
	datum v = mg_key(value);
	int rc;

	if (!mg->writing)
		return mta_map_readonly(map, "update of a map opened for "
					"reading");
	rc = gdbm_store(mg->dbf, mg_key(key), v, how);
	if (rc < 0)
		return mg_why(mg, &map->error, "write to");
	return rc;	/* 1: GDBM_INSERT found the key there */
}

/* mg_update - store, replacing */
static int
mg_update(struct mta_map *map, const char *key, const char *value)
{
	return mg_store_as(map, key, value, GDBM_REPLACE);
}

/* mg_insert - store unless present */
static int
mg_insert(struct mta_map *map, const char *key, const char *value)
{
	return mg_store_as(map, key, value, GDBM_INSERT);
}

/* mg_remove - 1 removed, 0 absent, -1 error */
static int
mg_remove(struct mta_map *map, const char *key)
{
	struct map_gdbm *mg = (struct map_gdbm *)map;

	if (!mg->writing)
		return mta_map_readonly(map, "delete from a map opened for "
					"reading");
	if (gdbm_delete(mg->dbf, mg_key(key)) == 0)
		return 1;
	if (gdbm_last_errno(mg->dbf) == GDBM_ITEM_NOT_FOUND)
		return 0;
	return mg_why(mg, &map->error, "delete from");
}

/* mg_seq_value - fetch the value for the current sequence key */
static int
mg_seq_value(struct map_gdbm *mg, const char **key, const char **value)
{
	free(mg->value.dptr);
	mg->value = gdbm_fetch(mg->dbf, mg->seq);
	if (mg->value.dptr == NULL)
		return mg_why(mg, &mg->map.error, "read of");
	*key = mg_cstr(mg->seq, &mg->kbuf);
	*value = mg_cstr(mg->value, &mg->vbuf);
	if (*key == NULL || *value == NULL) {
		errno = EMSGSIZE;
		return mg_why(mg, &mg->map.error, "oversized entry in");
	}
	return 1;
}

/* mg_sequence - walk every entry, in GDBM's order */
static int
mg_sequence(struct mta_map *map, bool first, const char **key,
	      const char **value)
{
	struct map_gdbm *mg = (struct map_gdbm *)map;
	datum next;

	if (first) {
		free(mg->seq.dptr);
		next = gdbm_firstkey(mg->dbf);
	} else {
		if (mg->seq.dptr == NULL)
			return 0;
		next = gdbm_nextkey(mg->dbf, mg->seq);
		free(mg->seq.dptr);
	}
	mg->seq = next;
	if (next.dptr == NULL) {
		if (gdbm_last_errno(mg->dbf) == GDBM_ITEM_NOT_FOUND)
			return 0;
		return mg_why(mg, &map->error, "read of");
	}
	return mg_seq_value(mg, key, value);
}

/* mg_commit - sync, close and rename the new file over PATH.db */
static int
mg_commit(struct mta_map *map)
{
	struct map_gdbm *mg = (struct map_gdbm *)map;

	if (!mg->writing)
		return 0;
	if (gdbm_sync(mg->dbf) != 0)
		return mg_why(mg, &map->error, "sync of");
	gdbm_close(mg->dbf);
	mg->dbf = NULL;
	if (mg->scratch_fd >= 0 && mg_copy(mg->scratch_fd, mg->af.fd) < 0) {
		mta_buf_clear(&map->error);
		mta_buf_printf(&map->error, "write %s: %s", mg->af.tmp,
			       strerror(errno));
		return -1;
	}
	mg->writing = false;
	if (mta_atomic_commit(&mg->af) < 0) {
		mta_buf_clear(&map->error);
		mta_buf_printf(&map->error, "replace %s: %s", mg->path,
			       strerror(errno));
		return -1;
	}
	return 0;
}

/* mg_changed - is PATH.db no longer the file this reader opened */
static bool
mg_changed(struct mta_map *map)
{
	struct map_gdbm *mg = (struct map_gdbm *)map;
	struct stat st;

	if (stat(mg->path, &st) < 0)
		return true;
	return st.st_ino != mg->ino || st.st_dev != mg->dev;
}

/* mg_close - release everything; an uncommitted new file is removed */
static void
mg_close(struct mta_map *map)
{
	struct map_gdbm *mg = (struct map_gdbm *)map;

	if (mg->dbf)
		gdbm_close(mg->dbf);
	if (mg->writing)
		mta_atomic_abort(&mg->af);
	if (mg->lock_fd >= 0)
		close(mg->lock_fd);
	if (mg->scratch_fd >= 0)
		close(mg->scratch_fd);
	free(mg->value.dptr);
	free(mg->seq.dptr);
	free(mg->path);
	mta_buf_release(&mg->kbuf);
	mta_buf_release(&mg->vbuf);
}

static const struct mta_map_ops mg_ops = {
	.lookup = mg_lookup,
	.update = mg_update,
	.remove = mg_remove,
	.sequence = mg_sequence,
	.commit = mg_commit,
	.changed = mg_changed,
	.close = mg_close,
	.insert = mg_insert,
};

/* mg_fail - fill err with "what PATH: reason" and keep errno */
static void
mg_fail(struct mta_buf *err, const char *what, const char *path)
{
	int saved = errno;

	mta_buf_clear(err);
	mta_buf_printf(err, "%s %s: %s", what, path, strerror(saved));
	errno = saved;
}

/*
 * mg_lock - open and flock() the current PATH.db, re-checking after the
 * wait that nobody renamed a new one over it meanwhile. Returns the fd,
 * or -1 (errno ENOENT when there is no PATH.db).
 */
static int
mg_lock(const char *path)
{
	for (int tries = 0; tries < 100; tries++) {
		struct stat held, now;
		int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

		if (fd < 0)
			return -1;
		if (flock(fd, LOCK_EX) == 0 && fstat(fd, &held) == 0 &&
		    stat(path, &now) == 0 && held.st_ino == now.st_ino &&
		    held.st_dev == now.st_dev)
			return fd;
		close(fd);
	}
	errno = EAGAIN;
	return -1;
}

/* mg_copy - copy the whole of in to out (the old map into the new file) */
static int
mg_copy(int in, int out)
{
	char buf[65536];
	ssize_t n;

	if (lseek(in, 0, SEEK_SET) < 0)
		return -1;
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (mta_write_all(out, buf, (size_t)n) < 0)
			return -1;
	}
	return 0;
}

/*
 * mg_set_owner - the new file gets the old one's mode and owner, else the
 * source file's (as postmap: the map is no more readable than its source).
 */
static void
mg_set_owner(struct map_gdbm *mg, const char *source)
{
	struct stat st;
	mode_t mode = 0644;

	if (mg->lock_fd >= 0 && fstat(mg->lock_fd, &st) == 0) {
		mode = st.st_mode & 07777;
	} else if (stat(source, &st) == 0) {
		mode &= st.st_mode | 0700;
	} else {
		(void)fchmod(mg->af.fd, mode);
		return;
	}
	(void)fchmod(mg->af.fd, mode);
	if (geteuid() == 0 && fchown(mg->af.fd, st.st_uid, st.st_gid) < 0)
		mode &= 0700;	/* never share a file we could not give away */
	(void)fchmod(mg->af.fd, mode);
}

/* mg_scratch - a memfd to build in, when the source is small enough */
static int
mg_scratch(const char *source)
{
	struct stat st;

	if (stat(source, &st) < 0 || st.st_size > GDBM_SCRATCH_MAX)
		return -1;
	return memfd_create("mta-map", MFD_CLOEXEC);
}

/* mg_open_new - the temporary file and the GDBM handle on it */
static int
mg_open_new(struct map_gdbm *mg, const char *source, int flags,
	    struct mta_buf *err)
{
	int fd, mode = GDBM_NOLOCK | GDBM_CLOEXEC | GDBM_CLOERROR;
	int cache = GDBM_BUILD_CACHE;

	if (mta_atomic_begin(&mg->af, mg->path, 0600) < 0) {
		mg_fail(err, "create temporary file for", mg->path);
		return -1;
	}
	mg->writing = true;
	mg_set_owner(mg, source);
	if ((flags & MTA_MAP_CREATE) == 0 &&
	    (mg_copy(mg->lock_fd, mg->af.fd) < 0 ||
	     lseek(mg->af.fd, 0, SEEK_SET) < 0)) {
		mg_fail(err, "copy", mg->path);
		return -1;
	}
	if (flags & MTA_MAP_CREATE)
		mg->scratch_fd = mg_scratch(source);
	if ((fd = dup(mg->scratch_fd >= 0 ? mg->scratch_fd : mg->af.fd)) < 0) {
		mg_fail(err, "dup for", mg->path);
		return -1;
	}
	mode |= (flags & MTA_MAP_CREATE) ? GDBM_NEWDB : GDBM_WRITER;
	mode |= GDBM_NOMMAP;
	mg->dbf = gdbm_fd_open(fd, mg->af.tmp, GDBM_BUILD_BLOCK, mode, NULL);
	if (mg->dbf == NULL)
		return mg_why(mg, err, "open database");
	gdbm_setopt(mg->dbf, GDBM_SETCACHESIZE, &cache, sizeof(cache));
	return 0;
}

/* mg_open_reader - open PATH.db for lookups, remembering its inode */
static int
mg_open_reader(struct map_gdbm *mg, struct mta_buf *err)
{
	struct stat st;
	int fd = open(mg->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		mg_fail(err, "open database", mg->path);
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		mg_fail(err, "stat", mg->path);
		close(fd);
		return -1;
	}
	mg->dev = st.st_dev;
	mg->ino = st.st_ino;
	mg->dbf = gdbm_fd_open(fd, mg->path, 0,
			       GDBM_READER | GDBM_NOLOCK | GDBM_CLOERROR |
				       GDBM_CLOEXEC, NULL);
	if (mg->dbf == NULL)
		return mg_why(mg, err, "open database");
	return 0;
}

/* mta_map_gdbm_open - open hash:PATH for reading, updating or building */
struct mta_map *
mta_map_gdbm_open(const char *name, int flags, struct mta_buf *err)
{
	struct map_gdbm *mg = mta_calloc(1, sizeof(*mg));
	struct mta_buf path = MTA_BUF_INIT(4096);
	int rc;

	mg->map.ops = &mg_ops;
	mg->lock_fd = -1;
	mg->scratch_fd = -1;
	mg->af.fd = -1;
	mta_buf_init(&mg->kbuf, MTA_MAP_MAX_KEY + 1);
	mta_buf_init(&mg->vbuf, MTA_MAP_MAX_VALUE + 1);
	if (*name == '\0' || mta_buf_printf(&path, "%s.db", name) < 0) {
		mta_buf_printf(err, "bad map file name \"%.100s\"", name);
		mg->path = mta_buf_steal(&path);
		mg_close(&mg->map);
		free(mg);
		errno = EINVAL;
		return NULL;
	}
	mg->path = mta_buf_steal(&path);
	if (flags & (MTA_MAP_CREATE | MTA_MAP_WRITE)) {
		mg->lock_fd = mg_lock(mg->path);
		if (mg->lock_fd < 0 && (errno != ENOENT || !(flags & MTA_MAP_CREATE))) {
			mg_fail(err, "open database", mg->path);
			rc = -1;
		} else {
			rc = mg_open_new(mg, name, flags, err);
		}
	} else {
		rc = mg_open_reader(mg, err);
	}
	if (rc < 0) {
		int saved = errno;

		mg_close(&mg->map);
		free(mg);
		errno = saved;
		return NULL;
	}
	return &mg->map;
}
