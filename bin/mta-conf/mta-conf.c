/*
 * mta-conf - show or edit the configuration, as postconf does.
 *
 *	mta-conf [-n|-d] [-x] [-h] [--json] [NAME...]	print parameters
 *	mta-conf -e NAME=VALUE...			edit main.cf
 *	mta-conf -# NAME...				comment out
 *	mta-conf -M [-f] [SERVICE[/TYPE]...]		print master.cf
 *	mta-conf --check				report problems
 *
 * main() parses and dispatches; the work is in lib/config*.c, lib/mastercf.c
 * and the mta-conf_*.c files. Exit: 0 ok, 1 a NAME or service not found,
 * 64 usage, 66 no main.cf to edit, 73 main.cf cannot be written, 78 a
 * configuration error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mta-conf.h"

static int opt_edit, opt_comment, opt_master, opt_check, opt_doc;
static struct conf_opts opts;
static int opt_n, opt_d, opt_x, opt_h, opt_json, opt_f;

static struct poptOption options[] = {
	{"nondefault", 'n', POPT_ARG_NONE, &opt_n, 0,
	 "print only the parameters main.cf sets", NULL},
	{"defaults", 'd', POPT_ARG_NONE, &opt_d, 0,
	 "print the defaults, not main.cf's values", NULL},
	{"expand", 'x', POPT_ARG_NONE, &opt_x, 0,
	 "expand $name references in the values", NULL},
	{"values", 'h', POPT_ARG_NONE, &opt_h, 0,
	 "print values only, without \"name = \"", NULL},
	{"edit", 'e', POPT_ARG_NONE, &opt_edit, 0,
	 "set NAME=VALUE in main.cf (in place, atomically)", NULL},
	{"comment", '#', POPT_ARG_NONE, &opt_comment, 0,
	 "comment out NAME in main.cf", NULL},
	{"master", 'M', POPT_ARG_NONE, &opt_master, 0,
	 "print master.cf entries (SERVICE or SERVICE/TYPE selects)", NULL},
	{"fold", 'f', POPT_ARG_NONE, &opt_f, 0,
	 "with -M: put each -o on a line of its own", NULL},
	{"check", '\0', POPT_ARG_NONE, &opt_check, 0,
	 "report unknown names, bad values and common slips", NULL},
	{"json", '\0', POPT_ARG_NONE, &opt_json, 0,
	 "print one JSON object per line", NULL},
	{"doc", '\0', POPT_ARG_NONE | POPT_ARGFLAG_DOC_HIDDEN, &opt_doc, 0,
	 "print the parameter list of mta-main.cf(5) in roff", NULL},
	MTA_CLI_COMMON,
	POPT_TABLEEND};

/* bad_assignment - why an -e or -# operand is malformed, or NULL */
static const char *
bad_assignment(const char *arg, int comment)
{
	const char *eq = strchr(arg, '=');
	const char *name = arg + strspn(arg, " \t");
	size_t len = strspn(name, "abcdefghijklmnopqrstuvwxyz"
				  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");

	if (comment && eq)
		return "give only the name to comment out";
	if (!comment && eq == NULL)
		return "missing '=': write NAME=VALUE";
	if (len == 0 || (name[len] && !strchr(" \t=", name[len])))
		return "bad parameter name: use letters, digits and '_'";
	return NULL;
}

/* do_edit - -e or -#: change main.cf */
static int
do_edit(const char *dir, const char **args, int comment)
{
	struct mta_buf path = MTA_BUF_INIT(4096), err = MTA_BUF_INIT(4096);
	const char *why;
	size_t n = 0;
	int rc = EX_OK;

	for (; args[n]; n++)
		if ((why = bad_assignment(args[n], comment)) != NULL)
			mta_cli_usage(NULL, "\"%s\": %s", args[n], why);
	mta_buf_printf(&path, "%s/main.cf", dir);
	if (access(mta_buf_str(&path), F_OK) < 0 && errno == ENOENT) {
		fprintf(stderr, "%s: error: %s: no such file: create it first "
			"(an empty file will do)\n", mta_msg_prog(),
			mta_buf_str(&path));
		rc = EX_NOINPUT;
	} else if (mta_config_edit(mta_buf_str(&path), (char *const *)args, n,
				   comment ? MTA_CONFIG_EDIT_COMMENT : 0,
				   &err) < 0) {
		fprintf(stderr, "%s: error: %s\n", mta_msg_prog(),
			mta_buf_str(&err));
		rc = EX_CANTCREAT;
	}
	mta_buf_release(&path);
	mta_buf_release(&err);
	return rc;
}

/* do_print - print parameters from the loaded configuration */
static int
do_print(const char *dir, const char **names)
{
	struct mta_buf err = MTA_BUF_INIT(4096);
	struct mta_config *cfg;
	int rc;

	cfg = mta_config_load_flags(dir, MTA_CONFIG_MISSING_OK |
					 MTA_CONFIG_NO_VALIDATE, &err);
	if (cfg == NULL) {
		fprintf(stderr, "%s: error: %s\n", mta_msg_prog(),
			mta_buf_str(&err));
		mta_buf_release(&err);
		return EX_CONFIG;
	}
	rc = conf_print_params(cfg, &opts, names);
	mta_config_free(cfg);
	mta_buf_release(&err);
	return rc;
}

/* check_modes - refuse options that do not go together */
static void
check_modes(poptContext ctx, const char **args)
{
	int modes = !!opt_edit + !!opt_comment + !!opt_master + !!opt_check +
		    !!opt_doc;

	if (modes > 1)
		mta_cli_usage(ctx, "-e, -#, -M, --check and --doc exclude "
				   "each other");
	if (opt_n && opt_d)
		mta_cli_usage(ctx, "-n and -d exclude each other");
	if ((opt_edit || opt_comment) && (args == NULL || args[0] == NULL))
		mta_cli_usage(ctx, "%s needs %s", opt_edit ? "-e" : "-#",
			      opt_edit ? "NAME=VALUE" : "NAME");
	if ((opt_check || opt_doc) && args && args[0])
		mta_cli_usage(ctx, "unexpected argument \"%s\"", args[0]);
	if (opt_f && !opt_master)
		mta_cli_usage(ctx, "-f goes with -M");
}

/* main - parse the options, then one function per mode */
int
main(int argc, char **argv)
{
	poptContext ctx;
	const char **args;
	const char *dir;
	int rc;

	mta_cli_start(argv[0]);
	ctx = poptGetContext(NULL, argc, (const char **)argv, options, 0);
	poptSetOtherOptionHelp(ctx, "[OPTION...] [NAME...|NAME=VALUE...]");
	while ((rc = poptGetNextOpt(ctx)) > 0)
		;
	if (rc < -1)
		mta_cli_bad_option(ctx, rc);
	args = poptGetArgs(ctx);
	check_modes(ctx, args);
	opts = (struct conf_opts){.only_set = opt_n, .defaults = opt_d,
				  .expand = opt_x, .values = opt_h,
				  .json = opt_json, .fold = opt_f};
	dir = mta_cli_config_dir();
	if (opt_doc)
		rc = conf_doc();
	else if (opt_check)
		rc = conf_check(dir, opt_json);
	else if (opt_edit || opt_comment)
		rc = do_edit(dir, args, opt_comment);
	else if (opt_master)
		rc = conf_print_master(dir, &opts, args);
	else
		rc = do_print(dir, args);
	poptFreeContext(ctx);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "%s: error: write to standard output failed\n",
			mta_msg_prog());
		return EX_IOERR;
	}
	return rc;
}
