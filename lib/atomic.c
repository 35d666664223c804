/* atomic - whole-file replacement (see atomic.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "buf.h"
#include "mem.h"
#include "path.h"

/*
 * mta_atomic_begin - create PATH.tmp.PID.N beside path (O_EXCL, mode).
 * Returns 0, or -1 with errno when the temporary file cannot be made.
 */
int
mta_atomic_begin(struct mta_atomic *af, const char *path, mode_t mode)
{
	static unsigned serial;
	struct mta_buf tmp = MTA_BUF_INIT(4096);

	for (int tries = 0; tries < 100; tries++) {
		mta_buf_clear(&tmp);
		if (mta_buf_printf(&tmp, "%s.tmp.%ld.%u", path, (long)getpid(),
				   serial++) < 0) {
			mta_buf_release(&tmp);
			return -1;
		}
		af->fd = open(tmp.data, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC |
					O_NOFOLLOW, mode);
		if (af->fd >= 0) {
			af->path = mta_strdup(path);
			af->tmp = mta_buf_steal(&tmp);
			return 0;
		}
		if (errno != EEXIST)
			break;
	}
	mta_buf_release(&tmp);
	return -1;
}

/* atomic_free - forget the names */
static void
atomic_free(struct mta_atomic *af)
{
	free(af->path);
	free(af->tmp);
	af->path = af->tmp = NULL;
	af->fd = -1;
}

/*
 * mta_atomic_commit - fsync, close, rename over the target, fsync the
 * directory. On failure the temporary file is removed, the target is
 * untouched, and errno says why.
 */
int
mta_atomic_commit(struct mta_atomic *af)
{
	int saved;

	if (fsync(af->fd) < 0)
		goto fail;
	if (close(af->fd) < 0) {
		af->fd = -1;
		goto fail;
	}
	af->fd = -1;
	if (rename(af->tmp, af->path) < 0)
		goto fail;
	saved = mta_fsync_parent(af->path);
	atomic_free(af);
	return saved;
fail:
	saved = errno;
	mta_atomic_abort(af);
	errno = saved;
	return -1;
}

/* mta_atomic_abort - throw the temporary file away */
void
mta_atomic_abort(struct mta_atomic *af)
{
	int saved = errno;

	if (af->fd >= 0)
		close(af->fd);
	if (af->tmp)
		unlink(af->tmp);
	atomic_free(af);
	errno = saved;
}

/* mta_fsync_parent - make a rename or create in path's directory durable */
int
mta_fsync_parent(const char *path)
{
	char dir[4096];
	int fd, rc;

	if (mta_path_dirname(dir, sizeof(dir), path) < 0)
		return -1;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* mta_write_all - write everything, retrying short writes and EINTR */
int
mta_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
