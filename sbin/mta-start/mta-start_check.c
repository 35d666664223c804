/*
 * mta-start check: refuse to start on a configuration that would not
 * work, and say why: main.cf (every value), master.cf, the daemons it
 * names and who they run as, the queue directory and the owners and modes
 * of the spool (mta-start_spool.c), maps older than their source.
 */
#include <errno.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jail.h"
#include "mastercf.h"
#include "msg.h"
#include "mta-start.h"
#include "path.h"

/* check_maps - a map source newer than its .db is a forgotten mta-map */
static int
check_maps(struct start_ctx *sc, bool quiet)
{
	static const char *const params[] = {"alias_maps", "transport_maps",
					     NULL};
	if (quiet)
		return 0;
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
			}
		}
	}
	return 0;	/* warnings only */
}

/* check_daemons - every command of master.cf is a program we can run */
static int
check_daemons(struct start_ctx *sc, bool quiet)
{
	char path[4096];
	struct mta_master *m = sc->master;
	int errors = 0;

	if (m == NULL)
		return 0;	/* said by check_master */
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
	return errors;
}

/* check_master - master.cf, read once for the checks after this one */
static int
check_master(struct start_ctx *sc, bool quiet)
{
	char path[4096];
	struct mta_buf err = MTA_BUF_INIT(1024);

	mta_path_join(path, sizeof(path), sc->config_dir, "master.cf");
	if ((sc->master = mta_master_load(path, &err)) == NULL)
		mta_msg_error("%s", mta_buf_str(&err));
	mta_buf_release(&err);
	return sc->master == NULL;
}

/* check_root_ok - a daemon that must start as root: it becomes the recipient */
static bool
check_root_ok(const char *command)
{
	return strcmp(command, "local") == 0 || strcmp(command, "pipe") == 0 ||
	       strcmp(command, "virtual") == 0;
}

/*
 * check_privileges - no daemon runs as root where master.cf says it should
 * not: an unprivileged service needs a mail_owner that exists and is not
 * root. A service other than local, pipe and virtual that master.cf runs
 * as root is worth a warning. Without root nothing runs as root.
 */
static int
check_privileges(struct start_ctx *sc, bool quiet)
{
	const char *owner = mta_config_str(sc->cfg, "mail_owner");
	struct passwd *pw = getpwnam(owner);
	struct mta_master *m = sc->master;
	int errors = 0;

	if (m == NULL || geteuid() != 0)
		return 0;
	for (size_t i = 0; i < m->n; i++) {
		const struct mta_master_ent *e = &m->ents[i];

		if (e->unpriv && (pw == NULL || pw->pw_uid == 0)) {
			mta_msg_error("%s, line %d: service %s: unpriv is y but "
				      "mail_owner %s %s: set mail_owner in main.cf "
				      "to an unprivileged user (see INSTALL)",
				      m->path, e->lineno, e->service, owner,
				      pw ? "is root: it would run as root" :
				      "does not exist");
			errors++;
		} else if (!e->unpriv && !check_root_ok(e->command) && !quiet) {
			mta_msg_warn("%s, line %d: service %s (%s) runs as root "
				     "(unpriv n): only local, pipe and virtual "
				     "need to", m->path, e->lineno, e->service,
				     e->command);
		}
	}
	return errors;
}

/* check_queue_dir - queue_directory is a directory, or is not there yet */
static int
check_queue_dir(struct start_ctx *sc, bool quiet)
{
	struct stat st;

	errno = 0;
	if (stat(sc->queue_dir, &st) < 0 && errno == ENOENT) {
		if (!quiet)
			mta_msg_warn("queue_directory %s does not exist yet: "
				     "start makes it", sc->queue_dir);
		return 0;
	}
	if (errno || !S_ISDIR(st.st_mode)) {
		mta_msg_error("queue_directory %s: %s", sc->queue_dir,
			      errno ? strerror(errno) : "not a directory");
		return 1;
	}
	return 0;
}

/* What check_jail's report hears: the context, and what it counted. */
struct check_jail_ctx {
	const char *queue_dir;
	bool quiet;
	int errors;
};

/* jail_report - one file of the chroot jail that is missing or stale */
static void
jail_report(void *ctx, const struct mta_jail_file *f,
	    enum mta_jail_state state, const char *why)
{
	struct check_jail_ctx *jc = ctx;

	if (state == MTA_JAIL_MISSING) {
		mta_msg_error("chroot jail %s: %s is missing: run "
			      "mta-chroot-setup", jc->queue_dir, f->rel);
		jc->errors++;
	} else if (!jc->quiet) {
		mta_msg_warn("chroot jail %s: %s: %s: run mta-chroot-setup",
			     jc->queue_dir, f->rel, why);
	}
}

/*
 * check_jail - when a service runs chrooted (and we are root, so that it
 * really does), the jail has every file of lib/jail.c's manifest: a
 * missing one is an error, a stale one (the host's changed) a warning.
 */
static int
check_jail(struct start_ctx *sc, bool quiet)
{
	struct check_jail_ctx jc = {sc->queue_dir, quiet, 0};
	struct mta_buf err = MTA_BUF_INIT(1024);
	bool jailed = false;

	for (size_t i = 0; sc->master && i < sc->master->n; i++)
		jailed |= sc->master->ents[i].chroot;
	if (!jailed || geteuid() != 0)
		return 0;
	if (mta_jail_check(sc->queue_dir, jail_report, &jc, &err) < 0 && !quiet)
		mta_msg_warn("chroot jail: %s", mta_buf_str(&err));
	mta_buf_release(&err);
	return jc.errors;
}

/*
 * The checks, in order: each says on stderr what is wrong and returns its
 * number of errors (warnings do not count). check_master reads master.cf
 * into sc->master for those after it.
 */
static int (*const start_checks[])(struct start_ctx *sc, bool quiet) = {
	check_queue_dir,
	check_master,
	check_daemons,
	check_privileges,
	start_check_spool,
	check_jail,
	check_maps,
};

/*
 * start_check - everything that must hold before master may start.
 * Returns 0 or the number of errors (each said on stderr).
 */
int
start_check(struct start_ctx *sc, bool quiet)
{
	int errors = 0;

	for (size_t i = 0; i < sizeof(start_checks) / sizeof(start_checks[0]); i++)
		errors += start_checks[i](sc, quiet);
	mta_master_free(sc->master);
	sc->master = NULL;
	return errors;
}
