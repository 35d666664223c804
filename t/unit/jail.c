/* Unit tests for lib/jail: the manifest, comparing and copying. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jail.h"
#include "tap.h"

/* put - write text to path with mode */
static void
put(const char *path, const char *text, mode_t mode)
{
	FILE *fp = fopen(path, "w");

	if (fp) {
		fputs(text, fp);
		fclose(fp);
	}
	chmod(path, mode);
}

/* state - compare one file, the reason into why */
static enum mta_jail_state
state(int qfd, struct mta_jail_file *f, char *why, size_t size)
{
	struct mta_buf b = MTA_BUF_INIT(1024);
	enum mta_jail_state st = mta_jail_compare(qfd, f, &b);

	snprintf(why, size, "%s", mta_buf_str(&b));
	mta_buf_release(&b);
	return st;
}

/* count_report - mta_jail_check's report: count */
static void
count_report(void *ctx, const struct mta_jail_file *f,
	     enum mta_jail_state st, const char *why)
{
	(*(int *)ctx)++;
}

/* test_manifest - the host's files, relative places, no passwd */
static void
test_manifest(void)
{
	struct mta_jail jail;
	int resolv = 0, passwd = 0, nss = 0, relative = 1;

	mta_jail_manifest(&jail);
	for (size_t i = 0; i < jail.n; i++) {
		resolv |= strcmp(jail.files[i].rel, "etc/resolv.conf") == 0;
		passwd |= strstr(jail.files[i].rel, "passwd") != NULL;
		nss |= strstr(jail.files[i].rel, "/libnss_files.so.2") != NULL;
		relative &= jail.files[i].rel[0] != '/' &&
			    strcmp(jail.files[i].host + 1, jail.files[i].rel) == 0;
	}
	ok(resolv == (access("/etc/resolv.conf", F_OK) == 0),
	   "etc/resolv.conf is in the manifest when the host has it");
	ok(!passwd, "no passwd in the jail");
	ok(nss, "libnss_files, where the dynamic linker finds it");
	ok(relative, "each copy at the host's path, inside the jail");
	mta_jail_release(&jail);
}

/* test_copy - missing, copied, current, stale, symbolic link, repaired */
static void
test_copy(const char *dir)
{
	char host[512], q[512], copy[512], why[1024];
	struct mta_jail_file f = {host, "etc/sub/file"};
	struct mta_buf err = MTA_BUF_INIT(1024);
	struct stat st;
	int qfd, n = 0;

	snprintf(host, sizeof(host), "%s/host", dir);
	snprintf(q, sizeof(q), "%s/q", dir);
	snprintf(copy, sizeof(copy), "%s/q/etc/sub/file", dir);
	put(host, "one\n", 0664);
	mkdir(q, 0755);
	qfd = mta_jail_open(q, &err);
	ok(qfd >= 0, "the jail opens");
	is_int(state(qfd, &f, why, sizeof(why)), MTA_JAIL_MISSING, "missing");
	is_int(mta_jail_copy(qfd, &f, &err), 0, "copied");
	ok(stat(copy, &st) == 0 && (st.st_mode & 07777) == 0644,
	   "the copy keeps the mode, without group write");
	is_int(state(qfd, &f, why, sizeof(why)), MTA_JAIL_CURRENT, "current");
	put(host, "two\n", 0664);
	is_int(state(qfd, &f, why, sizeof(why)), MTA_JAIL_STALE, "stale");
	ok(strstr(why, "differs from") != NULL, "stale: says why");
	unlink(copy);
	ok(symlink(host, copy) == 0, "a symbolic link in its place");
	is_int(state(qfd, &f, why, sizeof(why)), MTA_JAIL_STALE, "a link");
	is_str(why, "a symbolic link", "a link: says so");
	is_int(mta_jail_copy(qfd, &f, &err), 0, "repaired");
	ok(lstat(copy, &st) == 0 && S_ISREG(st.st_mode), "a file again");
	chmod(copy, 0666);
	is_int(state(qfd, &f, why, sizeof(why)), MTA_JAIL_STALE, "mode");
	is_str(why, "mode 0666, not 0644", "mode: says so");
	ok(mta_jail_check(q, count_report, &n, &err) >= 0,
	   "mta_jail_check runs on a jail");
	ok(mta_jail_check("/nonexistent/q", count_report, &n, &err) < 0,
	   "mta_jail_check: no such queue directory");
	close(qfd);
	mta_buf_release(&err);
}

int
main(void)
{
	char dir[] = "/tmp/jail-test.XXXXXX";
	char cmd[64];

	if (mkdtemp(dir) == NULL)
		return 1;
	test_manifest();
	test_copy(dir);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		ok(0, "clean up");
	return done_testing();
}
