/*
 * spool - Postfix's queue directory layout: which queues exist, where a
 * queue id lives (hashed sub-directories), creating a queue file under a
 * fresh id, moving it between queues, and scanning a queue.
 *
 * Paths are relative to queue_directory, which is opened once: every
 * operation goes through that directory descriptor (openat, renameat), so
 * the module works the same inside the chroot jail and out of it.
 *
 * path(queue, id) = queue "/" [hash] id, where hash is empty unless queue
 * is in hash_queue_names; then it is hash_queue_depth levels named by the
 * first characters of the id's hash key (qid.h), one character each.
 * Scanners descend into every one-character sub-directory whatever the
 * settings say, so a spool hashed differently is still read whole.
 *
 * A queue file is ready ("complete") when it is a regular file with the
 * owner-execute bit set: (mode & 0700) == 0700. Writers create it 0600 and
 * fchmod it only after the last byte is on disk.
 */
#ifndef MTA_SPOOL_H
#define MTA_SPOOL_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "buf.h"
#include "qid.h"

#define MTA_QUEUE_MAILDROP "maildrop"
#define MTA_QUEUE_INCOMING "incoming"
#define MTA_QUEUE_ACTIVE "active"
#define MTA_QUEUE_DEFERRED "deferred"
#define MTA_QUEUE_HOLD "hold"
#define MTA_QUEUE_CORRUPT "corrupt"
#define MTA_QUEUE_DEFER "defer"
#define MTA_QUEUE_BOUNCE "bounce"
#define MTA_QUEUE_TRACE "trace"
#define MTA_QUEUE_FLUSH "flush"
#define MTA_QUEUE_SAVED "saved"

#define MTA_QUEUE_NAME_MAX 100
#define MTA_SPOOL_PATH_MAX 512
#define MTA_SPOOL_MAX_DEPTH 16

#define MTA_SPOOL_MODE_WRITING 0600
#define MTA_SPOOL_MODE_READY 0700
#define MTA_SPOOL_MODE_EXPIRE 0010	/* forced expiration requested */
#define MTA_SPOOL_MODE_DROP_WRITING 0644	/* maildrop file being written */
#define MTA_SPOOL_MODE_DROP_READY 0744	/* maildrop file complete */

struct mta_spool {
	int dirfd;
	char *dir;
	unsigned depth;
	char *hashed;	/* " name name ", lower case */
	bool long_ids;
};

struct mta_spool_scan {
	const struct mta_spool *spool;
	char queue[MTA_QUEUE_NAME_MAX + 1];
	DIR *dirs[MTA_SPOOL_MAX_DEPTH + 1];
	char sub[MTA_SPOOL_MAX_DEPTH + 1];	/* one-character levels */
	int level;
};

int mta_spool_open(struct mta_spool *sp, const char *dir,
		   const char *hash_queue_names, long depth, bool long_ids,
		   struct mta_buf *err);
void mta_spool_close(struct mta_spool *sp);
bool mta_queue_name_valid(const char *queue);
bool mta_spool_is_hashed(const struct mta_spool *sp, const char *queue);
int mta_spool_path(const struct mta_spool *sp, const char *queue,
		   const char *id, char *out, size_t size);
int mta_spool_create(const struct mta_spool *sp, const char *queue,
		     mode_t mode, char id[MTA_QID_SIZE]);
int mta_spool_mkdirs(const struct mta_spool *sp, const char *path);
int mta_spool_move(const struct mta_spool *sp, const char *id,
		   const char *from, const char *to);
int mta_spool_find(const struct mta_spool *sp, const char *id,
		   const char *const *queues, const char **found);
bool mta_spool_ready(const struct stat *st);
int mta_spool_commit(const struct mta_spool *sp, int fd, const char *queue);
int mta_spool_commit_mode(const struct mta_spool *sp, int fd,
			  const char *queue, mode_t mode);

int mta_spool_scan_open(struct mta_spool_scan *scan,
			const struct mta_spool *sp, const char *queue);
int mta_spool_scan_next(struct mta_spool_scan *scan, char *id, size_t idsize,
			char *path, size_t pathsize);
void mta_spool_scan_close(struct mta_spool_scan *scan);

#endif
