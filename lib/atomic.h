/*
 * atomic - replace a file so that readers see the old one or the new one,
 * never half of either: write a temporary file in the same directory,
 * fsync it, rename it over the target, fsync the directory.
 */
#ifndef MTA_ATOMIC_H
#define MTA_ATOMIC_H

#include <sys/types.h>

struct mta_atomic {
	char *path;	/* the file to replace */
	char *tmp;	/* the temporary file beside it */
	int fd;
};

int mta_atomic_begin(struct mta_atomic *af, const char *path, mode_t mode);
int mta_atomic_commit(struct mta_atomic *af);
void mta_atomic_abort(struct mta_atomic *af);
int mta_fsync_parent(const char *path);
int mta_write_all(int fd, const void *data, size_t len);

#endif
