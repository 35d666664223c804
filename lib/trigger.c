/* trigger - wake a daemon through its FIFO (see trigger.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "trigger.h"

/*
 * mta_trigger - write requests to the FIFO at path (relative to dirfd).
 * Returns 0, or -1 with errno ENXIO when no daemon reads it, ENOENT when
 * there is no FIFO, or the write's error.
 */
int
mta_trigger(int dirfd, const char *path, const char *requests)
{
	int fd = openat(dirfd, path, O_WRONLY | O_NONBLOCK | O_CLOEXEC |
			O_NOFOLLOW);
	struct stat st;
	int rc;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode)) {
		close(fd);
		errno = ENXIO;
		return -1;
	}
	rc = mta_write_all(fd, requests, strlen(requests));
	if (rc < 0 && errno == EAGAIN)
		rc = 0;	/* the FIFO is full of requests already: enough */
	close(fd);
	return rc;
}
