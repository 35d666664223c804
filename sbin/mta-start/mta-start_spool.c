/*
 * mta-start_spool - the spool as share/mta/manifest describes it: the
 * directories made where missing, then their owners and modes checked.
 *
 * The manifest (one path a line: "path type owner group mode [source]") is
 * the one list `make install` installs from; mta-start uses its lines under
 * $queue_directory. It is found beside the running mta-start (DIR is the
 * directory of the program), first found wins:
 *
 *	DIR/../share/mta/manifest	installed: PREFIX/sbin/mta-start
 *	DIR/../../share/mta/manifest	the build tree: BUILD/sbin/mta-start/
 *					or BUILD/libexec/mta/mta-start
 *
 * A spool whose queue_directory root owns is a system's: every owner,
 * group and mode must be the manifest's. One that another user owns is that
 * user's own instance (made by mta-start run as that user): everything must
 * be that user's and open to it, the other bits are its business.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "line.h"
#include "msg.h"
#include "mta-start.h"
#include "str.h"

#define SPOOL_LINE_MAX 1024
#define SPOOL_MAX 64
#define SPOOL_VAR "$queue_directory"

/* One directory of the spool: where, and whose. */
struct spool_ent {
	char name[128];	/* under queue_directory; "" for itself */
	char owner[16];	/* root, $mail_owner or - */
	char group[16];	/* root, $setgid_group or - */
	mode_t mode;
};

struct spool {
	char path[2 * PATH_MAX + 64];	/* the manifest's (or where it was not) */
	struct spool_ent ent[SPOOL_MAX];
	size_t n;
};

/* The ids the manifest's names stand for, as the spool is made. */
struct spool_ids {
	bool one_user;	/* a user's own instance: all its */
	uid_t user;
	uid_t mail_owner;
	gid_t setgid_group;
};

/* spool_find - the manifest's path beside the running program, or -1 */
static int
spool_find(struct spool *sp)
{
	static const char *const rel[] = {"/../share/mta/manifest",
					  "/../../share/mta/manifest"};
	char dir[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);

	if (n <= 0 || (size_t)n >= sizeof(dir) - 1)
		return -1;
	dir[n] = '\0';
	if ((slash = strrchr(dir, '/')) == NULL)
		return -1;
	*slash = '\0';
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		n = snprintf(sp->path, sizeof(sp->path), "%s%s", dir, rel[i]);
		if (n > 0 && (size_t)n < sizeof(sp->path) &&
		    access(sp->path, R_OK) == 0)
			return 0;
	}
	snprintf(sp->path, sizeof(sp->path), "%s%s or %s%s", dir, rel[0],
		 dir, rel[1]);
	return -1;
}

/* spool_id_ok - an owner or group column we know */
static bool
spool_id_ok(const char *s, const char *var)
{
	return strcmp(s, "root") == 0 || strcmp(s, "-") == 0 ||
	       strcmp(s, var) == 0;
}

/* spool_under - the part of a manifest path under queue_directory, or NULL */
static const char *
spool_under(const char *path)
{
	size_t len = strlen(SPOOL_VAR);

	if (strncmp(path, SPOOL_VAR, len) != 0)
		return NULL;
	if (path[len] == '\0')
		return "";
	return path[len] == '/' ? path + len + 1 : NULL;
}

/* spool_parse - one manifest line; a line not about the spool is skipped */
static int
spool_parse(struct spool *sp, char *line, int lineno)
{
	char *cp = line, *f[5], *end;
	struct spool_ent *e = &sp->ent[sp->n];
	const char *name;
	unsigned long mode;
	size_t i;

	for (i = 0; i < 5 && (f[i] = mta_str_token(&cp, " \t")) != NULL; i++)
		;
	if (i < 5) {
		mta_msg_error("%s, line %d: fewer than five fields", sp->path,
			      lineno);
		return -1;
	}
	if ((name = spool_under(f[0])) == NULL)
		return 0;
	errno = 0;
	mode = strtoul(f[4], &end, 8);
	if (sp->n >= SPOOL_MAX || strcmp(f[1], "d") != 0 ||
	    !spool_id_ok(f[2], "$mail_owner") ||
	    !spool_id_ok(f[3], "$setgid_group") || errno || *end ||
	    mode > 07777 || strlen(name) >= sizeof(e->name)) {
		mta_msg_error("%s, line %d: not a spool directory mta-start "
			      "knows: %s", sp->path, lineno, f[0]);
		return -1;
	}
	e->mode = (mode_t)mode;
	snprintf(e->name, sizeof(e->name), "%s", name);
	snprintf(e->owner, sizeof(e->owner), "%s", f[2]);
	snprintf(e->group, sizeof(e->group), "%s", f[3]);
	sp->n++;
	return 0;
}

/* spool_load - the spool lines of the manifest; -1 (said) on a problem */
static int
spool_load(struct spool *sp)
{
	struct mta_line lr;
	char *line;
	size_t len;
	int rc, bad = 0;

	sp->n = 0;
	if (spool_find(sp) < 0) {
		mta_msg_error("cannot find the manifest (%s): reinstall "
			      "(make install)", sp->path);
		return -1;
	}
	if (mta_line_open(&lr, sp->path, SPOOL_LINE_MAX, MTA_LINE_LOGICAL) < 0) {
		mta_msg_error("open %s: %s", sp->path, strerror(errno));
		return -1;
	}
	while ((rc = mta_line_read(&lr, &line, &len)) != MTA_LINE_EOF) {
		if (rc == MTA_LINE_TOOLONG || rc == MTA_LINE_ERROR) {
			mta_msg_error("%s, line %d: %s", sp->path, lr.lineno,
				      rc == MTA_LINE_ERROR ? strerror(errno) :
				      "line too long");
			bad = 1;
			break;
		}
		if (spool_parse(sp, line, lr.lineno) < 0)
			bad = 1;
	}
	mta_line_close(&lr);
	return bad ? -1 : 0;
}

/*
 * spool_ids - who the manifest's names are. Root makes a system's spool:
 * mail_owner and setgid_group (root when they do not exist: the warnings
 * are the check's). Anyone else makes an instance of their own.
 */
static void
spool_ids(struct start_ctx *sc, bool one_user, uid_t user,
	  struct spool_ids *ids)
{
	struct passwd *pw;
	struct group *gr;

	ids->one_user = one_user;
	ids->user = user;
	ids->mail_owner = ids->setgid_group = 0;
	if ((pw = getpwnam(mta_config_str(sc->cfg, "mail_owner"))) != NULL)
		ids->mail_owner = pw->pw_uid;
	if ((gr = getgrnam(mta_config_str(sc->cfg, "setgid_group"))) != NULL)
		ids->setgid_group = gr->gr_gid;
}

/* spool_uid - the owner an entry must have; -1: any */
static uid_t
spool_uid(const struct spool_ent *e, const struct spool_ids *ids)
{
	if (ids->one_user)
		return ids->user;
	if (strcmp(e->owner, "-") == 0)
		return (uid_t)-1;
	return strcmp(e->owner, "root") == 0 ? 0 : ids->mail_owner;
}

/* spool_gid - the group an entry must have; -1: any */
static gid_t
spool_gid(const struct spool_ent *e, const struct spool_ids *ids)
{
	if (ids->one_user || strcmp(e->group, "-") == 0)
		return (gid_t)-1;
	return strcmp(e->group, "root") == 0 ? 0 : ids->setgid_group;
}

/* spool_mode - the mode an entry gets; one user's keeps the rest to itself */
static mode_t
spool_mode(const struct spool_ent *e, const struct spool_ids *ids)
{
	if (!ids->one_user || e->name[0] == '\0')
		return e->mode;
	return (e->mode & 07700) | 0700;
}

/* spool_make - one directory, made with its owner and mode */
static int
spool_make(struct start_ctx *sc, int dfd, const struct spool_ent *e,
	   const struct spool_ids *ids)
{
	const char *name = e->name[0] ? e->name : ".";

	if (e->name[0] && mkdirat(dfd, name, 0700) < 0) {
		if (errno == EEXIST)
			return 0;	/* an administrator's choice: checked */
		mta_msg_error("create %s/%s: %s", sc->queue_dir, name,
			      strerror(errno));
		return -1;
	}
	if (!ids->one_user &&
	    fchownat(dfd, name, spool_uid(e, ids), spool_gid(e, ids), 0) < 0)
		mta_msg_warn("chown %s/%s: %s", sc->queue_dir, e->name,
			     strerror(errno));
	if (fchmodat(dfd, name, spool_mode(e, ids), 0) < 0)
		mta_msg_warn("chmod %s/%s: %s", sc->queue_dir, e->name,
			     strerror(errno));
	return 0;
}

/* start_setup_spool - the spool's directories, made where missing */
int
start_setup_spool(struct start_ctx *sc)
{
	struct spool sp;
	struct spool_ids ids;
	bool made;
	int dfd, rc = 0;

	if (spool_load(&sp) < 0)
		return -1;
	made = mkdir(sc->queue_dir, 0755) == 0;
	if (!made && errno != EEXIST) {
		mta_msg_error("create %s: %s", sc->queue_dir, strerror(errno));
		return -1;
	}
	if ((dfd = open(sc->queue_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		mta_msg_error("open %s: %s", sc->queue_dir, strerror(errno));
		return -1;
	}
	spool_ids(sc, geteuid() != 0, geteuid(), &ids);
	for (size_t i = 0; i < sp.n && rc == 0; i++)
		if (sp.ent[i].name[0] || made)
			rc = spool_make(sc, dfd, &sp.ent[i], &ids);
	close(dfd);
	return rc;
}

/* spool_user - a uid as a name in buf, for messages */
static const char *
spool_user(uid_t uid, char *buf, size_t size)
{
	struct passwd *pw = getpwuid(uid);

	if (pw)
		snprintf(buf, size, "%s", pw->pw_name);
	else
		snprintf(buf, size, "%u", (unsigned)uid);
	return buf;
}

/* spool_group - a gid as a name in buf, for messages */
static const char *
spool_group(gid_t gid, char *buf, size_t size)
{
	struct group *gr = getgrgid(gid);

	if (gr)
		snprintf(buf, size, "%s", gr->gr_name);
	else
		snprintf(buf, size, "%u", (unsigned)gid);
	return buf;
}

/* spool_check_one - one directory against the manifest; errors said */
static int
spool_check_one(const char *path, const struct stat *st,
		const struct spool_ent *e, const struct spool_ids *ids)
{
	uid_t uid = spool_uid(e, ids);
	gid_t gid = spool_gid(e, ids);
	mode_t mode = spool_mode(e, ids), now = st->st_mode & 07777;
	char a[64], b[64];
	int errors = 0;

	if (uid != (uid_t)-1 && st->st_uid != uid) {
		mta_msg_error("%s: owner is %s, should be %s: chown %s %s", path,
			      spool_user(st->st_uid, a, sizeof(a)),
			      spool_user(uid, b, sizeof(b)), b, path);
		errors++;
	}
	if (gid != (gid_t)-1 && st->st_gid != gid) {
		mta_msg_error("%s: group is %s, should be %s: chgrp %s %s", path,
			      spool_group(st->st_gid, a, sizeof(a)),
			      spool_group(gid, b, sizeof(b)), b, path);
		errors++;
	}
	if (ids->one_user ? (now & 0700) != 0700 : now != mode) {
		mta_msg_error("%s: mode is %04o, should be %04o: chmod %04o %s",
			      path, (unsigned)now, (unsigned)mode,
			      (unsigned)mode, path);
		errors++;
	}
	return errors;
}

/* spool_check_names - mail_owner and setgid_group exist, said once */
static void
spool_check_names(struct start_ctx *sc)
{
	const char *owner = mta_config_str(sc->cfg, "mail_owner");
	const char *group = mta_config_str(sc->cfg, "setgid_group");

	if (getpwnam(owner) == NULL)
		mta_msg_warn("mail_owner %s: no such user (create it: see "
			     "INSTALL); the spool is root's", owner);
	if (getgrnam(group) == NULL)
		mta_msg_warn("setgid_group %s: no such group (create it: see "
			     "INSTALL); maildrop/ and public/ are root's", group);
}

/*
 * start_check_spool - every spool directory of the manifest exists with
 * its owner, group and mode. Returns the number of errors (each said).
 */
int
start_check_spool(struct start_ctx *sc, bool quiet)
{
	struct spool sp;
	struct spool_ids ids;
	struct stat st;
	char path[PATH_MAX + 160];
	int errors = 0;

	if (stat(sc->queue_dir, &st) < 0)
		return 0;	/* start makes it; start_check says so */
	if (spool_load(&sp) < 0)
		return 1;
	spool_ids(sc, st.st_uid != 0, st.st_uid, &ids);
	if (!ids.one_user && !quiet)
		spool_check_names(sc);
	for (size_t i = 0; i < sp.n; i++) {
		snprintf(path, sizeof(path), "%s%s%s", sc->queue_dir,
			 sp.ent[i].name[0] ? "/" : "", sp.ent[i].name);
		if (lstat(path, &st) < 0) {
			mta_msg_error("%s: %s: mta-start start or make install "
				      "makes it", path, strerror(errno));
			errors++;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			mta_msg_error("%s: not a directory: move it away, then "
				      "mta-start start makes it", path);
			errors++;
			continue;
		}
		errors += spool_check_one(path, &st, &sp.ent[i], &ids);
	}
	return errors;
}
