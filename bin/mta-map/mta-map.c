/*
 * mta-map - build, query, list and edit lookup tables (postmap's job).
 *
 *	mta-map [-f] [-r|-w] TYPE:FILE...	build FILE.db from FILE
 *	mta-map -q KEY|- [-f] [--json] TYPE:FILE...
 *	mta-map -s [--json] TYPE:FILE...
 *	mta-map -d KEY|- TYPE:FILE...
 *	mta-map -i TYPE:FILE			add "key value" lines from stdin
 *
 * main() parses and dispatches; the modes live in mta-map_build.c and
 * mta-map_query.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "mem.h"
#include "msg.h"
#include "mta-map.h"

/* mapcmd_status - the exit status for an errno from opening or reading */
int
mapcmd_status(int err, int fallback)
{
	switch (err) {
	case ENOENT:
	case ENOTDIR:
		return EX_NOINPUT;
	case EINVAL:
		return EX_USAGE;
	case EACCES:
	case EPERM:
		return EX_NOPERM;
	default:
		return fallback;
	}
}

/*
 * mapcmd_open - open a map or say why not (with a hint where one helps);
 * *status gets the exit status to use when NULL is returned.
 */
struct mta_map *
mapcmd_open(struct mapcmd *cmd, const char *spec, int flags, int *status)
{
	struct mta_buf err = MTA_BUF_INIT(2048);
	struct mta_map *map = mta_map_open(spec, flags | cmd->flags, &err);
	int saved = errno;

	if (map == NULL) {
		*status = mapcmd_status(saved, EX_CANTCREAT);
		if ((flags & MTA_MAP_CREATE) && saved != EINVAL)
			*status = EX_CANTCREAT;	/* the source was read already */
		if (saved == ENOENT && strncmp(spec, "hash:", 5) == 0 &&
		    !(flags & MTA_MAP_CREATE))
			mta_msg_error("%s (build it first: mta-map %s)",
				      mta_buf_str(&err), spec);
		else
			mta_msg_error("%s", mta_buf_str(&err));
	}
	mta_buf_release(&err);
	return map;
}

/* mapcmd_specs - "FILE" becomes "hash:FILE" (default_database_type) */
static void
mapcmd_specs(struct mapcmd *cmd, const char **args)
{
	int n = 0;

	while (args && args[n])
		n++;
	cmd->maps = mta_calloc((size_t)n + 1, sizeof(*cmd->maps));
	for (int i = 0; i < n; i++) {
		if (strchr(args[i], ':')) {
			cmd->maps[i] = mta_strdup(args[i]);
		} else {
			struct mta_buf b = MTA_BUF_INIT(8192);

			if (mta_buf_printf(&b, "hash:%s", args[i]) < 0)
				mta_cli_usage(NULL, "file name too long: %.100s",
					      args[i]);
			cmd->maps[i] = mta_buf_steal(&b);
		}
	}
	cmd->nmaps = n;
}

/* mapcmd_free - release what mapcmd_specs made */
static void
mapcmd_free(struct mapcmd *cmd)
{
	for (int i = 0; i < cmd->nmaps; i++)
		free((char *)cmd->maps[i]);
	free(cmd->maps);
}

struct mapopts {
	char *query, *delete;
	int seq, incr, nofold, json, replace, quiet_dups;
};

/* mapcmd_dispatch - run the chosen mode */
static int
mapcmd_dispatch(struct mapcmd *cmd, struct mapopts *o)
{
	if (o->query)
		return strcmp(o->query, "-") == 0 ? mapcmd_query_stdin(cmd)
						   : mapcmd_query(cmd, o->query);
	if (o->delete)
		return strcmp(o->delete, "-") == 0 ? mapcmd_delete_stdin(cmd)
						    : mapcmd_delete(cmd, o->delete);
	if (o->seq)
		return mapcmd_dump(cmd);
	if (o->incr)
		return mapcmd_incremental(cmd);
	return mapcmd_build(cmd);
}

/* mapcmd_check - refuse option combinations that make no sense */
static void
mapcmd_check(poptContext ctx, struct mapopts *o, int nmaps)
{
	int modes = !!o->query + !!o->delete + !!o->seq + !!o->incr;

	if (modes > 1)
		mta_cli_usage(ctx, "use only one of -q, -d, -s and -i");
	if (nmaps == 0)
		mta_cli_usage(ctx, "no map given: mta-map [options] TYPE:FILE...");
	if (o->json && !o->query && !o->seq)
		mta_cli_usage(ctx, "--json goes with -q or -s");
	if (o->incr && nmaps != 1)
		mta_cli_usage(ctx, "-i adds to one map at a time");
	if (o->replace && o->quiet_dups)
		mta_cli_usage(ctx, "use only one of -r and -w");
}

/* main - parse the options, then one mode over the maps */
int
main(int argc, const char **argv)
{
	struct mapopts o = {0};
	struct mapcmd cmd = {0};
	struct poptOption opts[] = {
		{"query", 'q', POPT_ARG_STRING, &o.query, 0,
		 "print the value of KEY (- reads keys from stdin)", "KEY"},
		{"show", 's', POPT_ARG_NONE, &o.seq, 0,
		 "print every entry as \"key<TAB>value\"", NULL},
		{"delete", 'd', POPT_ARG_STRING, &o.delete, 0,
		 "delete KEY (- reads keys from stdin)", "KEY"},
		{"incremental", 'i', POPT_ARG_NONE, &o.incr, 0,
		 "add \"key value\" lines from stdin to the map", NULL},
		{"no-fold", 'f', POPT_ARG_NONE, &o.nofold, 0,
		 "keep the case of keys (build and query alike)", NULL},
		{"replace", 'r', POPT_ARG_NONE, &o.replace, 0,
		 "a duplicate key replaces the earlier entry", NULL},
		{"ignore-duplicates", 'w', POPT_ARG_NONE, &o.quiet_dups, 0,
		 "keep the first of duplicate keys without a warning", NULL},
		{"json", '\0', POPT_ARG_NONE, &o.json, 0,
		 "with -q or -s: one JSON object per line", NULL},
		MTA_CLI_COMMON,
		POPT_TABLEEND};
	poptContext ctx;
	int rc, status;

	mta_cli_start(argv[0]);
	ctx = poptGetContext(NULL, argc, argv, opts, 0);
	poptSetOtherOptionHelp(ctx, "[OPTION...] [TYPE:]FILE...");
	if ((rc = poptGetNextOpt(ctx)) < -1)
		mta_cli_bad_option(ctx, rc);
	mapcmd_specs(&cmd, poptGetArgs(ctx));
	mapcmd_check(ctx, &o, cmd.nmaps);
	cmd.flags = o.nofold ? MTA_MAP_NOFOLD : 0;
	cmd.json = o.json;
	cmd.replace = o.replace;
	cmd.quiet_dups = o.quiet_dups;
	status = mapcmd_dispatch(&cmd, &o);
	if (mapcmd_flush() < 0 && status <= 1)
		status = EX_IOERR;
	mapcmd_free(&cmd);
	free(o.query);
	free(o.delete);
	poptFreeContext(ctx);
	return status;
}
