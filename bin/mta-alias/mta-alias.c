/*
 * mta-alias - build, query, list and edit alias databases (postalias's
 * job; also run as newaliases).
 *
 *	mta-alias [-f] [-r|-w] [TYPE:FILE...]	build FILE.db from FILE; with
 *						no argument every map of
 *						main.cf's alias_database
 *	mta-alias -q NAME|- [--json] TYPE:FILE...
 *	mta-alias -s [--json] TYPE:FILE...
 *	mta-alias -d NAME|- TYPE:FILE...
 *	mta-alias -i TYPE:FILE			add "name: value" lines from stdin
 *
 * main() parses and dispatches; building lives in mta-alias_build.c, the
 * other modes in lib/mapcmd.c.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "mapcmd.h"
#include "mem.h"
#include "msg.h"
#include "mta-alias.h"
#include "str.h"

/* maps_from_config - alias_database of main.cf; 0 or an exit status */
static int
maps_from_config(struct mta_mapcmd *cmd)
{
	struct mta_buf err = MTA_BUF_INIT(4096);
	struct mta_config *cfg = mta_config_load(mta_cli_config_dir(), &err);
	char *list, *cp, *spec;

	if (cfg == NULL) {
		mta_msg_error("%s", mta_buf_str(&err));
		mta_buf_release(&err);
		return EX_CONFIG;
	}
	mta_buf_release(&err);
	list = mta_strdup(mta_config_str(cfg, "alias_database") ?
			  mta_config_str(cfg, "alias_database") : "");
	for (cp = list; (spec = mta_str_token(&cp, MTA_SEP_LIST)) != NULL;) {
		if (strchr(spec, ':') == NULL || mta_mapcmd_buildable(spec))
			mta_mapcmd_add(cmd, spec);
		else if (mta_msg_verbose)
			mta_msg_info("%s: nothing to build for this type",
				     spec);
	}
	free(list);
	mta_config_free(cfg);
	return 0;
}

/* do_build - build each map; the first failure's status */
static int
do_build(struct mta_mapcmd *cmd)
{
	int status = 0, rc;

	for (int i = 0; i < cmd->nmaps; i++)
		if ((rc = aliascmd_build(cmd, cmd->maps[i])) != 0 && !status)
			status = rc;
	return status;
}

/* What sets mta-alias apart from mta-map in what they share. */
static const struct mta_mapcmd_prog mtaalias = {
	.name = "mta-alias", .word = "name", .sep = ":\t", .json_map = true,
	.arg = "NAME",
	.help = {
		"print the value of NAME (- : names from stdin)",
		"print every entry as \"name:<TAB>value\"",
		"remove NAME (- : names from stdin)",
		"add \"name: value\" lines from stdin to the database",
		"keep the case of names",
		"a duplicate name replaces the earlier entry",
		"keep the first of duplicate names without a warning",
		"with -q or -s: one JSON object per line",
	},
};

/* check_modes - refuse options that do not go together */
static void
check_modes(poptContext ctx, const struct mta_mapcmd_opts *o, int nargs)
{
	const char *conflict = mta_mapcmd_conflict(o);

	if (conflict)
		mta_cli_usage(ctx, "%s", conflict);
	if ((o->query || o->delete || o->show || o->incr) && nargs == 0)
		mta_cli_usage(ctx, "name the alias database (TYPE:FILE)");
	if (o->incr && nargs != 1)
		mta_cli_usage(ctx, "-i updates exactly one database");
}

/* dispatch - run the mode the options ask for */
static int
dispatch(struct mta_mapcmd *cmd, const struct mta_mapcmd_opts *o)
{
	int status;

	if ((status = mta_mapcmd_run(cmd, o)) >= 0)
		return status;
	if (o->incr)
		return aliascmd_incremental(cmd, cmd->maps[0]);
	if (cmd->nmaps == 0 && (status = maps_from_config(cmd)) != 0)
		return status;
	return do_build(cmd);
}

int
main(int argc, char **argv)
{
	struct mta_mapcmd_opts o;
	struct poptOption table[MTA_MAPCMD_NOPTS + 3] = {
		[MTA_MAPCMD_NOPTS] = MTA_CLI_COMMON,
		POPT_TABLEEND
	};
	struct mta_mapcmd cmd;
	poptContext ctx;
	int rc, status;

	mta_cli_start(argv[0]);
	mta_mapcmd_init(&cmd, &mtaalias, table, &o);
	ctx = poptGetContext(NULL, argc, (const char **)argv, table, 0);
	poptSetOtherOptionHelp(ctx, "[OPTION...] [TYPE:FILE...]");
	while ((rc = poptGetNextOpt(ctx)) > 0)
		;
	if (rc < -1)
		mta_cli_bad_option(ctx, rc);
	mta_mapcmd_set(&cmd, &o, poptGetArgs(ctx));
	check_modes(ctx, &o, cmd.nmaps);
	status = dispatch(&cmd, &o);
	mta_mapcmd_release(&cmd, &o);
	poptFreeContext(ctx);
	return status;
}
