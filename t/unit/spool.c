/* Unit tests for lib/spool: paths, hashing, create, move, find, scan. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spool.h"
#include "tap.h"

static void
test_paths(struct mta_spool *sp)
{
	char path[MTA_SPOOL_PATH_MAX];

	ok(mta_spool_is_hashed(sp, "deferred") && mta_spool_is_hashed(sp, "DEFER"),
	   "hash_queue_names is case-insensitive");
	ok(!mta_spool_is_hashed(sp, "incoming"), "incoming is flat");
	mta_spool_path(sp, "deferred", "1E24012D687", path, sizeof(path));
	is_str(path, "deferred/1/1E24012D687", "short id hashed one level");
	mta_spool_path(sp, "defer", "4SVLCh0sf8z9HdB", path, sizeof(path));
	is_str(path, "defer/1/4SVLCh0sf8z9HdB", "long id hashed by usec");
	mta_spool_path(sp, "bounce", "4SVLCh0sf8z9HdB", path, sizeof(path));
	is_str(path, "bounce/4SVLCh0sf8z9HdB", "bounce is flat by default");
	ok(mta_spool_path(sp, "../etc", "X", path, sizeof(path)) == -1,
	   "a queue name with a slash is refused");
	ok(mta_spool_path(sp, "incoming", "a/b", path, sizeof(path)) == -1,
	   "an id with a slash is refused");
	ok(mta_spool_path(sp, "incoming", "ABC", path, 8) == -1,
	   "truncation is reported");
}

static void
test_depth(const char *dir)
{
	struct mta_spool sp;
	struct mta_buf err = MTA_BUF_INIT(256);
	char path[MTA_SPOOL_PATH_MAX];

	mta_spool_open(&sp, dir, "deferred", 3, false, &err);
	mta_spool_path(&sp, "deferred", "1E24012D687", path, sizeof(path));
	is_str(path, "deferred/1/E/2/1E24012D687", "depth 3");
	mta_spool_close(&sp);
	mta_buf_release(&err);
}

static void
test_files(struct mta_spool *sp, const char *dir)
{
	char id[MTA_QID_SIZE], path[MTA_SPOOL_PATH_MAX], got[MTA_QID_SIZE];
	const char *queues[] = {"incoming", "active", "deferred", NULL};
	const char *found = NULL;
	struct mta_spool_scan scan;
	struct stat st;
	char full[1024];
	int fd, n = 0;

	mkdirat(sp->dirfd, "incoming", 0700);
	mkdirat(sp->dirfd, "deferred", 0700);
	fd = mta_spool_create(sp, "incoming", 0600, id);
	ok(fd >= 0 && mta_qid_valid(id), "create gives a valid id");
	fstat(fd, &st);
	{
		unsigned long long ino;

		ok(mta_qid_inode(id, &ino) == 0 && ino == st.st_ino,
		   "the id carries the file's inode");
	}
	ok(!mta_spool_ready(&st), "a new file is not ready");
	ok(write(fd, "x", 1) == 1, "write");
	ok(mta_spool_commit(sp, fd, "incoming") == 0, "commit");
	fstat(fd, &st);
	ok(mta_spool_ready(&st), "a committed file is ready (mode 0700)");
	close(fd);
	ok(mta_spool_move(sp, id, "incoming", "deferred") == 0,
	   "move into a hashed queue creates the level");
	mta_spool_path(sp, "deferred", id, path, sizeof(path));
	snprintf(full, sizeof(full), "%s/%s", dir, path);
	ok(stat(full, &st) == 0, "the file is at its hashed path");
	ok(mta_spool_find(sp, id, queues, &found) == 0 && found &&
		   strcmp(found, "deferred") == 0,
	   "find names its queue");
	ok(mta_spool_scan_open(&scan, sp, "deferred") == 0, "scan opens");
	while (mta_spool_scan_next(&scan, got, sizeof(got), path, sizeof(path)))
		n++;
	mta_spool_scan_close(&scan);
	is_int(n, 1, "scan finds the one file through its sub-directory");
}

static int
count_queue(const char *dir, const char *queue)
{
	struct mta_spool sp;
	struct mta_spool_scan scan;
	struct mta_buf err = MTA_BUF_INIT(256);
	char id[MTA_QID_SIZE], path[MTA_SPOOL_PATH_MAX];
	int n = 0;

	if (mta_spool_open(&sp, dir, "deferred, defer", 1, false, &err) < 0)
		return -1;
	if (mta_spool_scan_open(&scan, &sp, queue) == 0) {
		while (mta_spool_scan_next(&scan, id, sizeof(id), path,
					   sizeof(path)))
			n++;
		mta_spool_scan_close(&scan);
	}
	mta_spool_close(&sp);
	mta_buf_release(&err);
	return n;
}

int
main(void)
{
	char dir[] = "/tmp/mta-spool.XXXXXX";
	struct mta_spool sp;
	struct mta_buf err = MTA_BUF_INIT(256);
	const char *top = getenv("MTA_TOP");
	char fx[1024], cmd[1200];

	ok(mkdtemp(dir) != NULL, "scratch spool");
	ok(mta_spool_open(&sp, dir, "deferred, defer", 1, false, &err) == 0,
	   "open a spool");
	test_paths(&sp);
	test_files(&sp, dir);
	mta_spool_close(&sp);
	test_depth(dir);
	ok(mta_spool_open(&sp, "/nonexistent", "", 1, false, &err) == -1 &&
		   strstr(mta_buf_str(&err), "/nonexistent"),
	   "a missing queue directory is reported by name");
	snprintf(fx, sizeof(fx),
		 "%s/t/data/postfix-3.7-spool/short-ids/03-queue/spool",
		 top ? top : ".");
	is_int(count_queue(fx, "deferred"), 11,
	       "the fixture's deferred queue has its 11 files");
	is_int(count_queue(fx, "defer"), 12, "and 12 defer logs");
	is_int(count_queue(fx, "hold"), 2, "and 2 held messages");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ok(system(cmd) == 0, "clean up");
	mta_buf_release(&err);
	return done_testing();
}
