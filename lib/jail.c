/* jail - the chroot jail's files: manifest, comparison, copies (jail.h). */
#define _GNU_SOURCE	/* dlinfo */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jail.h"
#include "mem.h"

#define JAIL_COPY_MODE 0755	/* what of a host file's mode a copy keeps */
#define JAIL_DIR_MODE 0755
#define JAIL_CHUNK 65536

/* The host's files a jailed daemon may read, and their place in the jail. */
static const char *const jail_etc[] = {
	"/etc/localtime", "/etc/services", "/etc/hosts", "/etc/resolv.conf",
	"/etc/nsswitch.conf", "/etc/host.conf", NULL,
};

/* The libraries the C library loads by name at run time (NSS, resolver). */
static const char *const jail_libs[] = {
	"libnss_files.so.2", "libnss_dns.so.2", "libresolv.so.2", NULL,
};

/* jail_add - one file of the manifest */
static void
jail_add(struct mta_jail *jail, const char *host)
{
	struct mta_jail_file *f;

	jail->files = mta_reallocarray(jail->files, jail->n + 1,
				       sizeof(*jail->files));
	f = &jail->files[jail->n++];
	f->host = mta_strdup(host);
	while (*host == '/')
		host++;
	f->rel = mta_strdup(host);
}

/*
 * jail_library - where the dynamic linker finds soname on this host (its
 * own search path and cache), as the C library would load it in the jail
 */
static void
jail_library(struct mta_jail *jail, const char *soname)
{
	struct link_map *lm = NULL;
	void *h = dlopen(soname, RTLD_LAZY | RTLD_LOCAL);

	if (h == NULL)
		return;	/* not on this host: nothing the jail could miss */
	if (dlinfo(h, RTLD_DI_LINKMAP, &lm) == 0 && lm && lm->l_name &&
	    lm->l_name[0] == '/' && strstr(lm->l_name, "/../") == NULL)
		jail_add(jail, lm->l_name);
	dlclose(h);
}

/* mta_jail_manifest - the host files the jail needs (see jail.h) */
void
mta_jail_manifest(struct mta_jail *jail)
{
	struct stat st;

	jail->files = NULL;
	jail->n = 0;
	for (const char *const *p = jail_etc; *p; p++)
		if (stat(*p, &st) == 0 && S_ISREG(st.st_mode))
			jail_add(jail, *p);
	for (const char *const *p = jail_libs; *p; p++)
		jail_library(jail, *p);
}

/* mta_jail_release - forget the manifest */
void
mta_jail_release(struct mta_jail *jail)
{
	for (size_t i = 0; i < jail->n; i++) {
		free(jail->files[i].host);
		free(jail->files[i].rel);
	}
	free(jail->files);
	jail->files = NULL;
	jail->n = 0;
}

/* mta_jail_open - a descriptor on the jail (queue_dir); -1 with err */
int
mta_jail_open(const char *queue_dir, struct mta_buf *err)
{
	int fd = open(queue_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		mta_buf_printf(err, "queue_directory %s: %s", queue_dir,
			       strerror(errno));
	return fd;
}

/* dir_unsafe - why a jail directory is not safe (not root's, writable) */
static const char *
dir_unsafe(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return "cannot be examined";
	if (geteuid() == 0 && st.st_uid != 0)
		return "is not owned by root";
	if (st.st_mode & 022)
		return "is writable by group or others";
	return NULL;
}

/* dir_fix - make a jail directory root's and not writable by others */
static int
dir_fix(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -1;
	if (geteuid() == 0 && (st.st_uid != 0 || st.st_gid != 0) &&
	    fchown(fd, 0, 0) < 0)
		return -1;
	return fchmod(fd, (st.st_mode & 07777 & ~022u) | 0700);
}

/* dir_step - open (or make, with create) one directory under dfd */
static int
dir_step(int dfd, const char *name, bool create)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			O_CLOEXEC);

	if (fd < 0 && errno == ENOENT && create) {
		if (mkdirat(dfd, name, JAIL_DIR_MODE) < 0 && errno != EEXIST)
			return -1;
		fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			    O_CLOEXEC);
	}
	if (fd >= 0 && create && dir_unsafe(fd) && dir_fix(fd) < 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/*
 * jail_parent - a descriptor on the directory that holds rel inside the
 * jail, made when create; *base is rel's last part. Symbolic links are
 * never followed. -1 with errno (ENOENT: a directory is missing); *unsafe
 * names a directory that is not safe.
 */
static int
jail_parent(int qfd, const char *rel, bool create, const char **base,
	    const char **unsafe)
{
	char part[256];
	const char *cp = rel, *slash;
	int dfd = dup(qfd);

	*base = rel;
	*unsafe = NULL;
	while (dfd >= 0 && (slash = strchr(cp, '/')) != NULL) {
		size_t len = (size_t)(slash - cp);
		int next;

		if (len == 0 || len >= sizeof(part)) {
			close(dfd);
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(part, cp, len);
		part[len] = '\0';
		next = dir_step(dfd, part, create);
		close(dfd);
		if ((dfd = next) >= 0 && *unsafe == NULL && dir_unsafe(dfd))
			*unsafe = rel;
		cp = slash + 1;
	}
	*base = cp;
	return dfd;
}

/* host_open - the host's file, for reading; -1 with why */
static int
host_open(const struct mta_jail_file *f, struct stat *st, struct mta_buf *why)
{
	int fd = open(f->host, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, st) < 0) {
		mta_buf_printf(why, "%s: %s", f->host, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st->st_mode) || st->st_size > MTA_JAIL_FILE_MAX) {
		mta_buf_printf(why, "%s: %s", f->host, S_ISREG(st->st_mode) ?
			       "too big to copy into the jail" :
			       "not a regular file");
		close(fd);
		return -1;
	}
	return fd;
}

/* same_bytes - do two open files hold the same bytes (same size known) */
static bool
same_bytes(int a, int b)
{
	static char x[JAIL_CHUNK], y[JAIL_CHUNK];
	ssize_t n, m;

	do {
		n = read(a, x, sizeof(x));
		m = n > 0 ? read(b, y, (size_t)n) : read(b, y, 1);
		if (n < 0 || m != n || (n > 0 && memcmp(x, y, (size_t)n) != 0))
			return false;
	} while (n > 0);
	return true;
}

/* copy_state - how the open copy cfd differs from the open host file */
static enum mta_jail_state
copy_state(int hfd, const struct stat *hst, int cfd,
	   const struct mta_jail_file *f, struct mta_buf *why)
{
	struct stat cst;
	mode_t want = hst->st_mode & JAIL_COPY_MODE;

	if (fstat(cfd, &cst) < 0) {
		mta_buf_printf(why, "%s: %s", f->rel, strerror(errno));
		return MTA_JAIL_ERROR;
	}
	if (!S_ISREG(cst.st_mode))
		mta_buf_printf(why, "not a regular file");
	else if (geteuid() == 0 && cst.st_uid != 0)
		mta_buf_printf(why, "owned by uid %ld, not root", (long)cst.st_uid);
	else if ((cst.st_mode & 07777) != want)
		mta_buf_printf(why, "mode %04o, not %04o",
			       (unsigned)(cst.st_mode & 07777), (unsigned)want);
	else if (cst.st_size != hst->st_size || !same_bytes(hfd, cfd))
		mta_buf_printf(why, "differs from %s", f->host);
	else
		return MTA_JAIL_CURRENT;
	return MTA_JAIL_STALE;
}

/* mta_jail_compare - is the jail's copy of f current (see jail.h) */
enum mta_jail_state
mta_jail_compare(int qfd, const struct mta_jail_file *f, struct mta_buf *why)
{
	enum mta_jail_state state;
	const char *base, *unsafe;
	struct stat hst;
	int hfd, dfd, cfd;

	if ((hfd = host_open(f, &hst, why)) < 0)
		return MTA_JAIL_ERROR;
	dfd = jail_parent(qfd, f->rel, false, &base, &unsafe);
	cfd = dfd < 0 ? -1 : openat(dfd, base, O_RDONLY | O_NOFOLLOW |
				    O_NONBLOCK | O_CLOEXEC);
	if (cfd < 0 && errno == ENOENT) {
		state = MTA_JAIL_MISSING;
	} else if (cfd < 0 && (errno == ELOOP || errno == ENOTDIR)) {
		mta_buf_printf(why, "%s", errno == ELOOP ? "a symbolic link" :
			       "a file or a link where a directory belongs");
		state = MTA_JAIL_STALE;
	} else if (cfd < 0) {
		mta_buf_printf(why, "%s: %s", f->rel, strerror(errno));
		state = MTA_JAIL_ERROR;
	} else if ((state = copy_state(hfd, &hst, cfd, f, why)) ==
		   MTA_JAIL_CURRENT && unsafe) {
		mta_buf_printf(why, "a directory above it is not root's or is "
			       "writable by others");
		state = MTA_JAIL_STALE;
	}
	if (cfd >= 0)
		close(cfd);
	if (dfd >= 0)
		close(dfd);
	close(hfd);
	return state;
}

/* copy_bytes - the host file into the new copy; -1 with errno */
static int
copy_bytes(int hfd, int tfd)
{
	static char buf[JAIL_CHUNK];
	long total = 0;
	ssize_t n;

	while ((n = read(hfd, buf, sizeof(buf))) > 0) {
		if ((total += n) > MTA_JAIL_FILE_MAX) {
			errno = EFBIG;
			return -1;
		}
		for (ssize_t off = 0, w; off < n; off += w)
			if ((w = write(tfd, buf + off, (size_t)(n - off))) < 0)
				return -1;
	}
	return n < 0 ? -1 : 0;
}

/* tmp_create - a new temporary file in dfd; its name in name */
static int
tmp_create(int dfd, char *name, size_t size)
{
	static unsigned serial;
	int fd = -1;

	for (int tries = 0; fd < 0 && tries < 100; tries++) {
		snprintf(name, size, ".mta-jail.%ld.%u", (long)getpid(), serial++);
		fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			    O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	return fd;
}

/* mta_jail_copy - (re)place the jail's copy of f, atomically; -1 with err */
int
mta_jail_copy(int qfd, const struct mta_jail_file *f, struct mta_buf *err)
{
	char tmp[64];
	const char *base, *unsafe;
	struct stat hst;
	int hfd, dfd, tfd = -1;
	bool made = false;

	if ((hfd = host_open(f, &hst, err)) < 0)
		return -1;
	if ((dfd = jail_parent(qfd, f->rel, true, &base, &unsafe)) < 0 ||
	    (tfd = tmp_create(dfd, tmp, sizeof(tmp))) < 0)
		goto fail;
	made = true;
	if (copy_bytes(hfd, tfd) < 0 ||
	    (geteuid() == 0 && fchown(tfd, 0, 0) < 0) ||
	    fchmod(tfd, hst.st_mode & JAIL_COPY_MODE) < 0 || fsync(tfd) < 0)
		goto fail;
	if (close(tfd) < 0) {
		tfd = -1;
		goto fail;
	}
	tfd = -1;
	if (renameat(dfd, tmp, dfd, base) < 0)
		goto fail;
	made = false;
	if (fsync(dfd) < 0)
		goto fail;
	close(dfd);
	close(hfd);
	return 0;
fail:
	mta_buf_printf(err, "%s: %s", f->rel, strerror(errno));
	if (tfd >= 0)
		close(tfd);
	if (made)
		unlinkat(dfd, tmp, 0);
	if (dfd >= 0)
		close(dfd);
	close(hfd);
	return -1;
}

/* mta_jail_check - every file of the manifest against the jail */
int
mta_jail_check(const char *queue_dir, mta_jail_report_fn report, void *ctx,
	       struct mta_buf *err)
{
	struct mta_buf why = MTA_BUF_INIT(1024);
	struct mta_jail jail;
	int qfd, bad = 0;

	if ((qfd = mta_jail_open(queue_dir, err)) < 0)
		return -1;
	mta_jail_manifest(&jail);
	for (size_t i = 0; i < jail.n; i++) {
		enum mta_jail_state st;

		mta_buf_clear(&why);
		st = mta_jail_compare(qfd, &jail.files[i], &why);
		if (st != MTA_JAIL_CURRENT) {
			report(ctx, &jail.files[i], st, mta_buf_str(&why));
			bad++;
		}
	}
	mta_jail_release(&jail);
	mta_buf_release(&why);
	close(qfd);
	return bad;
}
