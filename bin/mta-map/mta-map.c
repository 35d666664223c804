/*
 * mta-map - build, query, list and edit lookup tables (postmap's job).
 *
 *	mta-map [-f] [-r|-w] TYPE:FILE...	build FILE.db from FILE
 *	mta-map -q KEY|- [-f] [--json] TYPE:FILE...
 *	mta-map -s [--json] TYPE:FILE...
 *	mta-map -d KEY|- TYPE:FILE...
 *	mta-map -i TYPE:FILE			add "key value" lines from stdin
 *
 * main() parses and dispatches; building lives in mta-map_build.c, the
 * other modes in lib/mapcmd.c.
 */
#include "cli.h"
#include "mapcmd.h"
#include "mta-map.h"

/* What sets mta-map apart from mta-alias in what they share. */
static const struct mta_mapcmd_prog mtamap = {
	.name = "mta-map", .word = "key", .sep = "\t", .json_map = false,
	.arg = "KEY",
	.help = {
		"print the value of KEY (- reads keys from stdin)",
		"print every entry as \"key<TAB>value\"",
		"delete KEY (- reads keys from stdin)",
		"add \"key value\" lines from stdin to the map",
		"keep the case of keys (build and query alike)",
		"a duplicate key replaces the earlier entry",
		"keep the first of duplicate keys without a warning",
		"with -q or -s: one JSON object per line",
	},
};

/* mapcmd_check - refuse option combinations that make no sense */
static void
mapcmd_check(poptContext ctx, struct mta_mapcmd_opts *o, int nmaps)
{
	const char *conflict = mta_mapcmd_conflict(o);

	if (conflict)
		mta_cli_usage(ctx, "%s", conflict);
	if (nmaps == 0)
		mta_cli_usage(ctx, "no map given: mta-map [options] TYPE:FILE...");
	if (o->incr && nmaps != 1)
		mta_cli_usage(ctx, "-i adds to one map at a time");
}

/* main - parse the options, then one mode over the maps */
int
main(int argc, const char **argv)
{
	struct mta_mapcmd_opts o;
	struct poptOption opts[MTA_MAPCMD_NOPTS + 3] = {
		[MTA_MAPCMD_NOPTS] = MTA_CLI_COMMON,
		POPT_TABLEEND};
	struct mta_mapcmd cmd;
	poptContext ctx;
	int rc, status;

	mta_cli_start(argv[0]);
	mta_mapcmd_init(&cmd, &mtamap, opts, &o);
	ctx = poptGetContext(NULL, argc, argv, opts, 0);
	poptSetOtherOptionHelp(ctx, "[OPTION...] [TYPE:]FILE...");
	if ((rc = poptGetNextOpt(ctx)) < -1)
		mta_cli_bad_option(ctx, rc);
	mta_mapcmd_set(&cmd, &o, poptGetArgs(ctx));
	mapcmd_check(ctx, &o, cmd.nmaps);
	if ((status = mta_mapcmd_run(&cmd, &o)) < 0)
		status = o.incr ? mtamap_incremental(&cmd) : mtamap_build(&cmd);
	mta_mapcmd_release(&cmd, &o);
	poptFreeContext(ctx);
	return status;
}
