/*
 * mta-start check: refuse to start on a configuration that would not
 * work, and say why: main.cf (every value), master.cf, the daemons it
 * names, the queue directory; and build the spool's directories with
 * Postfix's modes when they are missing.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mastercf.h"
#include "msg.h"
#include "mta-start.h"
#include "path.h"

/* The spool's directories: name, mode, owner (mail_owner or root), group. */
static const struct {
	const char *name;
	mode_t mode;
	bool root_owned;
	bool setgid_group;
} start_dirs[] = {
	{"maildrop", 01730, false, true}, {"incoming", 0700, false, false},
	{"active", 0700, false, false},   {"deferred", 0700, false, false},
	{"hold", 0700, false, false},     {"corrupt", 0700, false, false},
	{"defer", 0700, false, false},    {"bounce", 0700, false, false},
	{"trace", 0700, false, false},    {"flush", 0700, false, false},
	{"saved", 0700, false, false},    {"private", 0700, false, false},
	{"public", 0710, false, true},    {"pid", 0755, true, false},
};

/* check_maps - a map source newer than its .db is a forgotten mta-map */
static int
check_maps(struct start_ctx *sc)
{
	static const char *const params[] = {"alias_maps", "transport_maps",
					     NULL};
	int warnings = 0;

	for (const char *const *p = params; *p; p++) {
		char list[4096], db[4200], *cp = list, *spec;
		const char *v = mta_config_str(sc->cfg, *p);

		snprintf(list, sizeof(list), "%s", v ? v : "");
		while ((spec = strsep(&cp, " ,\t")) != NULL) {
			struct stat src, dbst;
			const char *colon = strchr(spec, ':');

			if (colon == NULL || (strncmp(spec, "hash:", 5) != 0 &&
					      strncmp(spec, "gdbm:", 5) != 0))
				continue;
			snprintf(db, sizeof(db), "%s.db", colon + 1);
			if (stat(colon + 1, &src) == 0 &&
			    (stat(db, &dbst) < 0 || dbst.st_mtime < src.st_mtime)) {
				mta_msg_warn("%s: %s is newer than %s: run mta-%s %s",
					     *p, colon + 1, db,
					     strcmp(*p, "alias_maps") ? "map" :
					     "alias", spec);
				warnings++;
			}
		}
	}
	return warnings;
}

/* check_daemons - every command of master.cf is a program we can run */
static int
check_daemons(struct start_ctx *sc)
{
	char path[4096];
	struct mta_buf err = MTA_BUF_INIT(1024);
	struct mta_master *m;
	int errors = 0;

	mta_path_join(path, sizeof(path), sc->config_dir, "master.cf");
	if ((m = mta_master_load(path, &err)) == NULL) {
		mta_msg_error("%s", mta_buf_str(&err));
		mta_buf_release(&err);
		return 1;
	}
	for (size_t i = 0; i < m->n; i++) {
		mta_path_join(path, sizeof(path),
			      mta_config_str(sc->cfg, "daemon_directory"),
			      m->ents[i].command);
		if (access(path, X_OK) < 0) {
			mta_msg_error("%s, line %d: service %s: %s: %s", m->path,
				      m->ents[i].lineno, m->ents[i].service, path,
				      strerror(errno));
			errors++;
		}
	}
	mta_master_free(m);
	mta_buf_release(&err);
	return errors;
}

/*
 * start_check - everything that must hold before master may start.
 * Returns 0 or the number of errors (each said on stderr).
 */
int
start_check(struct start_ctx *sc, bool quiet)
{
	struct stat st;
	int errors = 0;

	errno = 0;
	if (stat(sc->queue_dir, &st) < 0 && errno == ENOENT) {
		if (!quiet)
			mta_msg_warn("queue_directory %s does not exist yet: "
				     "start makes it", sc->queue_dir);
	} else if (errno || !S_ISDIR(st.st_mode)) {
		mta_msg_error("queue_directory %s: %s", sc->queue_dir,
			      errno ? strerror(errno) : "not a directory");
		errors++;
	}
	errors += check_daemons(sc);
	if (!quiet)
		check_maps(sc);
	return errors;
}

/* setup_ids - who owns the spool: mail_owner and setgid_group when root */
static void
setup_ids(struct start_ctx *sc, uid_t *owner, gid_t *gid, gid_t *dropgid)
{
	struct passwd *pw;
	struct group *gr;

	*owner = geteuid();
	*gid = *dropgid = getegid();
	if (*owner != 0)
		return;
	if ((pw = getpwnam(mta_config_str(sc->cfg, "mail_owner"))) != NULL) {
		*owner = pw->pw_uid;
		*gid = pw->pw_gid;
	} else {
		mta_msg_warn("mail_owner %s: no such user (create it: see "
			     "INSTALL); the spool stays root's",
			     mta_config_str(sc->cfg, "mail_owner"));
	}
	if ((gr = getgrnam(mta_config_str(sc->cfg, "setgid_group"))) != NULL)
		*dropgid = gr->gr_gid;
}

/* start_setup_spool - the spool's directories, made where missing */
int
start_setup_spool(struct start_ctx *sc)
{
	uid_t owner;
	gid_t gid, dropgid;
	int dfd;

	if (mkdir(sc->queue_dir, 0755) < 0 && errno != EEXIST) {
		mta_msg_error("create %s: %s", sc->queue_dir, strerror(errno));
		return -1;
	}
	if ((dfd = open(sc->queue_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	setup_ids(sc, &owner, &gid, &dropgid);
	for (size_t i = 0; i < sizeof(start_dirs) / sizeof(start_dirs[0]); i++) {
		const char *name = start_dirs[i].name;

		if (mkdirat(dfd, name, 0700) < 0) {
			if (errno == EEXIST)
				continue;	/* an administrator's choice stands */
			mta_msg_error("create %s/%s: %s", sc->queue_dir, name,
				      strerror(errno));
			close(dfd);
			return -1;
		}
		if (geteuid() == 0 &&
		    fchownat(dfd, name, start_dirs[i].root_owned ? 0 : owner,
			     start_dirs[i].setgid_group ? dropgid :
			     start_dirs[i].root_owned ? 0 : gid, 0) < 0)
			mta_msg_warn("chown %s/%s: %s", sc->queue_dir, name,
				     strerror(errno));
		/* Without root the instance is one user's: modes for it alone. */
		if (fchmodat(dfd, name, geteuid() == 0 ? start_dirs[i].mode :
			     (start_dirs[i].mode & 07700) | 0700, 0) < 0)
			mta_msg_warn("chmod %s/%s: %s", sc->queue_dir, name,
				     strerror(errno));
	}
	close(dfd);
	return 0;
}
