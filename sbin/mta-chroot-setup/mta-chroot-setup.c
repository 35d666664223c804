/*
 * mta-chroot-setup - build or verify the chroot jail in queue_directory,
 * and set master.cf's chroot column for the daemons that run jailed (the
 * seed's examples/chroot-setup/LINUX2, as a tool).
 *
 *	mta-chroot-setup [-c DIR] [-v] [--queue-dir DIR] [--dry-run]
 *	                 [--master-cf FILE]
 *	mta-chroot-setup [-c DIR] [--queue-dir DIR] --check [--json]
 *
 * What goes into the jail is lib/jail.c's manifest; the master.cf edit is
 * mta-chroot-setup_mastercf.c. Exit: 0 done (with --check: the jail is
 * complete), 1 with --check: a file is missing or stale, 64 usage, 66 no
 * queue directory or no master.cf named with --master-cf, 73 a copy or
 * master.cf cannot be written, 78 main.cf or master.cf is broken.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "jail.h"
#include "msg.h"
#include "mta-chroot-setup.h"
#include "path.h"
#include "str.h"

static char *opt_queue_dir, *opt_master_cf;
static int opt_dry_run, opt_check, opt_json;

static struct poptOption options[] = {
	{"queue-dir", '\0', POPT_ARG_STRING, &opt_queue_dir, 0,
	 "the jail (default: $MTA_QUEUE_DIR, else main.cf's queue_directory)",
	 "DIR"},
	{"dry-run", '\0', POPT_ARG_NONE, &opt_dry_run, 0,
	 "print what would be done, change nothing", NULL},
	{"check", '\0', POPT_ARG_NONE, &opt_check, 0,
	 "compare the jail with the host: exit 1 if a file is missing or "
	 "stale", NULL},
	{"json", '\0', POPT_ARG_NONE, &opt_json, 0,
	 "with --check: one JSON object per finding", NULL},
	{"master-cf", '\0', POPT_ARG_STRING, &opt_master_cf, 0,
	 "the master.cf to edit (default: master.cf of the configuration "
	 "directory)", "FILE"},
	MTA_CLI_COMMON,
	POPT_TABLEEND};

static const char *const state_names[] = {"current", "missing", "stale",
					  "error"};

/*
 * queue_dir - the jail: --queue-dir, MTA_QUEUE_DIR, the seed's
 * POSTFIX_DIR (with a note), or main.cf's queue_directory
 */
static const char *
queue_dir(struct mta_config *cfg)
{
	const char *env;

	if (opt_queue_dir && *opt_queue_dir)
		return opt_queue_dir;
	if ((env = getenv("MTA_QUEUE_DIR")) != NULL && *env)
		return env;
	if ((env = getenv("POSTFIX_DIR")) != NULL && *env) {
		mta_msg_info("note: POSTFIX_DIR is the seed's name; "
			     "MTA_QUEUE_DIR is ours");
		return env;
	}
	return mta_config_str(cfg, "queue_directory");
}

/* check_report - one finding of --check, on stdout (--json) or stderr */
static void
check_report(void *ctx, const struct mta_jail_file *f,
	     enum mta_jail_state state, const char *why)
{
	const char *qdir = ctx;
	struct mta_buf j = MTA_BUF_INIT(16384);

	if (!opt_json) {
		mta_msg_info("%s %s in %s%s%s", f->rel, state_names[state], qdir,
			     *why ? ": " : "", why);
		return;
	}
	mta_buf_adds(&j, "{\"queue_directory\":");
	mta_str_json(&j, qdir, strlen(qdir));
	mta_buf_adds(&j, ",\"file\":");
	mta_str_json(&j, f->rel, strlen(f->rel));
	mta_buf_adds(&j, ",\"host\":");
	mta_str_json(&j, f->host, strlen(f->host));
	mta_buf_printf(&j, ",\"state\":\"%s\",\"why\":", state_names[state]);
	mta_str_json(&j, why, strlen(why));
	mta_buf_adds(&j, "}");
	printf("%s\n", mta_buf_str(&j));
	mta_buf_release(&j);
}

/* do_check - --check: 0 the jail is complete, 1 it is not */
static int
do_check(const char *qdir)
{
	struct mta_buf err = MTA_BUF_INIT(1024);
	int bad = mta_jail_check(qdir, check_report, (void *)qdir, &err);

	if (bad < 0)
		mta_msg_die(EX_NOINPUT, "%s", mta_buf_str(&err));
	mta_buf_release(&err);
	fflush(stdout);
	return bad ? 1 : EX_OK;
}

/* build_one - bring one file of the jail up to date; an exit status */
static int
build_one(int qfd, const char *qdir, const struct mta_jail_file *f)
{
	struct mta_buf why = MTA_BUF_INIT(1024);
	enum mta_jail_state st = mta_jail_compare(qfd, f, &why);
	int rc = EX_OK;

	if (st == MTA_JAIL_ERROR) {
		mta_msg_error("%s", mta_buf_str(&why));
		rc = EX_CANTCREAT;
	} else if (st != MTA_JAIL_CURRENT && opt_dry_run) {
		printf("would copy %s to %s/%s (%s%s%s)\n", f->host, qdir, f->rel,
		       state_names[st], why.len ? ": " : "", mta_buf_str(&why));
	} else if (st != MTA_JAIL_CURRENT) {
		mta_buf_clear(&why);
		if (mta_jail_copy(qfd, f, &why) < 0) {
			mta_msg_error("cannot copy %s into %s: %s", f->host, qdir,
				      mta_buf_str(&why));
			rc = EX_CANTCREAT;
		} else {
			mta_msg_debug("copied %s to %s/%s (it was %s)", f->host,
				      qdir, f->rel, state_names[st]);
		}
	}
	mta_buf_release(&why);
	return rc;
}

/* do_build - the jail's files, then master.cf's chroot column */
static int
do_build(struct setup *s)
{
	struct mta_buf err = MTA_BUF_INIT(1024);
	struct mta_jail jail;
	int qfd, rc = EX_OK, one;

	if ((qfd = mta_jail_open(s->queue_dir, &err)) < 0)
		mta_msg_die(EX_NOINPUT, "%s (mta-start start makes the spool)",
			    mta_buf_str(&err));
	mta_jail_manifest(&jail);
	for (size_t i = 0; i < jail.n; i++)
		if ((one = build_one(qfd, s->queue_dir, &jail.files[i])) != EX_OK)
			rc = one;
	mta_jail_release(&jail);
	close(qfd);
	mta_buf_release(&err);
	if ((one = setup_mastercf(s)) != EX_OK)
		rc = one;
	fflush(stdout);
	return rc;
}

/* load_config - main.cf (it may be absent when --queue-dir says all) */
static struct mta_config *
load_config(void)
{
	struct mta_buf err = MTA_BUF_INIT(1024);
	struct mta_config *cfg;

	cfg = mta_config_load_flags(mta_cli_config_dir(), MTA_CONFIG_MISSING_OK |
				    MTA_CONFIG_NO_VALIDATE, &err);
	if (cfg == NULL)
		mta_msg_die(EX_CONFIG, "%s", mta_buf_str(&err));
	mta_buf_release(&err);
	return cfg;
}

int
main(int argc, char **argv)
{
	char mcf[4096];
	struct setup s = {0};
	struct mta_config *cfg;
	poptContext ctx;
	int rc;

	mta_cli_start(argv[0]);
	ctx = poptGetContext(NULL, argc, (const char **)argv, options, 0);
	poptSetOtherOptionHelp(ctx, "[OPTIONS]");
	while ((rc = poptGetNextOpt(ctx)) > 0)
		;
	if (rc < -1)
		mta_cli_bad_option(ctx, rc);
	if (poptPeekArg(ctx))
		mta_cli_usage(ctx, "%s: no operands are taken", poptPeekArg(ctx));
	if (opt_check && (opt_dry_run || opt_master_cf))
		mta_cli_usage(ctx, "--check only compares the jail: give it "
			      "neither --dry-run nor --master-cf");
	if (opt_json && !opt_check)
		mta_cli_usage(ctx, "--json goes with --check");
	cfg = load_config();
	s.queue_dir = queue_dir(cfg);
	if (s.queue_dir == NULL || s.queue_dir[0] != '/')
		mta_msg_die(EX_CONFIG, "queue_directory \"%s\": not an absolute "
			    "path: set it in main.cf or give --queue-dir",
			    s.queue_dir ? s.queue_dir : "");
	s.dry_run = opt_dry_run;
	s.master_cf_given = opt_master_cf != NULL;
	if (mta_path_join(mcf, sizeof(mcf), mta_cli_config_dir(),
			  "master.cf") < 0)
		mta_msg_die(EX_USAGE, "%s: name too long", mta_cli_config_dir());
	s.master_cf = opt_master_cf ? opt_master_cf : mcf;
	rc = opt_check ? do_check(s.queue_dir) : do_build(&s);
	mta_config_free(cfg);
	poptFreeContext(ctx);
	return rc;
}
