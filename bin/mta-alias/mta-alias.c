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
 * main() parses and dispatches; building lives in mta-alias_build.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "config.h"
#include "line.h"
#include "mem.h"
#include "msg.h"
#include "mta-alias.h"
#include "str.h"

/* aliascmd_open - open a map or say why not; *status for a NULL return */
struct mta_map *
aliascmd_open(struct aliascmd *cmd, const char *spec, int flags, int *status)
{
	struct mta_buf err = MTA_BUF_INIT(2048);
	struct mta_map *map = mta_map_open(spec, flags | cmd->flags, &err);
	int saved = errno;

	if (map == NULL) {
		*status = saved == ENOENT || saved == ENOTDIR ? EX_NOINPUT :
			  saved == EACCES || saved == EPERM ? EX_NOPERM :
			  flags == MTA_MAP_READ ? EX_UNAVAILABLE : EX_CANTCREAT;
		if (saved == ENOENT && flags != MTA_MAP_CREATE)
			mta_msg_error("%s (build it first: mta-alias %s)",
				      mta_buf_str(&err), spec);
		else
			mta_msg_error("%s", mta_buf_str(&err));
	}
	mta_buf_release(&err);
	return map;
}

/* aliascmd_buildable - is this a type that mta-alias builds from a file */
bool
aliascmd_buildable(const char *spec)
{
	static const char *const types[] = { "hash:", "gdbm:", "btree:",
					     "dbm:", NULL };

	for (int i = 0; types[i]; i++)
		if (strncmp(spec, types[i], strlen(types[i])) == 0)
			return true;
	return false;
}

/* spec_add - "FILE" becomes "hash:FILE"; appended to cmd->maps */
static void
spec_add(struct aliascmd *cmd, const char *arg)
{
	struct mta_buf b = MTA_BUF_INIT(8192);

	if (strchr(arg, ':') == NULL)
		mta_buf_adds(&b, "hash:");
	mta_buf_adds(&b, arg);
	cmd->maps = mta_reallocarray(cmd->maps, (size_t)cmd->nmaps + 2,
				     sizeof(*cmd->maps));
	cmd->maps[cmd->nmaps++] = mta_buf_steal(&b);
	cmd->maps[cmd->nmaps] = NULL;
}

/* print_entry - one "name: value" (or JSON) line */
static void
print_entry(struct aliascmd *cmd, const char *spec, const char *name,
	    const char *value, bool with_name)
{
	struct mta_buf out = MTA_BUF_INIT(4 * MTA_MAP_MAX_VALUE + 65536);

	if (cmd->json) {
		mta_buf_adds(&out, "{\"name\":");
		mta_str_json(&out, name, strlen(name));
		mta_buf_adds(&out, ",\"value\":");
		mta_str_json(&out, value, strlen(value));
		mta_buf_adds(&out, ",\"map\":");
		mta_str_json(&out, spec, strlen(spec));
		mta_buf_adds(&out, "}");
		printf("%s\n", mta_buf_str(&out));
	} else if (with_name) {
		printf("%s:\t%s\n", name, value);
	} else {
		printf("%s\n", value);
	}
	mta_buf_release(&out);
}

/* open_all - every map for reading or writing; 0 or an exit status */
static int
open_all(struct aliascmd *cmd, struct mta_map **maps, int flags)
{
	int status = 0;

	for (int i = 0; i < cmd->nmaps; i++)
		if ((maps[i] = aliascmd_open(cmd, cmd->maps[i], flags,
					     &status)) == NULL)
			return status;
	return 0;
}

/* close_all - close what open_all() opened */
static void
close_all(struct aliascmd *cmd, struct mta_map **maps)
{
	for (int i = 0; i < cmd->nmaps; i++)
		if (maps[i])
			mta_map_close(maps[i]);
	free(maps);
}

/* query_one - the first map that has name prints it; 0, 1 or a status */
static int
query_one(struct aliascmd *cmd, struct mta_map **maps, const char *name,
	  bool with_name)
{
	const char *value;

	for (int i = 0; i < cmd->nmaps; i++) {
		int rc = mta_map_lookup(maps[i], name, &value);

		if (rc < 0) {
			mta_msg_error("%s: %s", cmd->maps[i],
				      mta_map_error(maps[i]));
			return EX_TEMPFAIL;
		}
		if (rc > 0) {
			print_entry(cmd, cmd->maps[i], name, value, with_name);
			return 0;
		}
	}
	return 1;
}

/* delete_one - remove name from every map; 0 removed, 1 absent, status */
static int
delete_one(struct aliascmd *cmd, struct mta_map **maps, const char *name)
{
	int status = 1;

	for (int i = 0; i < cmd->nmaps; i++) {
		int rc = mta_map_remove(maps[i], name);

		if (rc < 0) {
			mta_msg_error("%s: %s", cmd->maps[i],
				      mta_map_error(maps[i]));
			return EX_CANTCREAT;
		}
		if (rc > 0)
			status = 0;
	}
	return status;
}

/* read_names - the next name from stdin; false at the end */
static bool
read_names(struct mta_line *lr, char **name)
{
	size_t len;
	int rc;

	while ((rc = mta_line_read(lr, name, &len)) == MTA_LINE_TOOLONG)
		mta_msg_warn("stdin, line %d: name longer than %d bytes: "
			     "skipped", lr->lineno, MTA_MAP_MAX_KEY);
	return rc == MTA_LINE_OK;
}

/* do_query - -q NAME, or -q - for names on stdin (printed with values) */
static int
do_query(struct aliascmd *cmd, const char *name, bool delete)
{
	struct mta_map **maps = mta_calloc((size_t)cmd->nmaps, sizeof(*maps));
	struct mta_line lr;
	int status, found = 0;
	char *line;

	if ((status = open_all(cmd, maps, delete ? MTA_MAP_WRITE : 0)) != 0)
		goto out;
	if (strcmp(name, "-") != 0) {
		status = delete ? delete_one(cmd, maps, name) :
			query_one(cmd, maps, name, false);
	} else {
		mta_line_attach(&lr, stdin, "stdin", MTA_MAP_MAX_KEY, 0);
		while (status <= 1 && read_names(&lr, &line)) {
			status = delete ? delete_one(cmd, maps, line) :
				query_one(cmd, maps, line, true);
			found |= status == 0;
		}
		mta_line_close(&lr);
		status = status > 1 ? status : found ? 0 : 1;
	}
	for (int i = 0; delete && status <= 1 && i < cmd->nmaps; i++) {
		if (mta_map_commit(maps[i]) < 0) {
			mta_msg_error("%s: %s", cmd->maps[i],
				      mta_map_error(maps[i]));
			status = EX_CANTCREAT;
		}
	}
out:
	fflush(stdout);
	close_all(cmd, maps);
	return status;
}

/* do_show - -s: every entry of every map */
static int
do_show(struct aliascmd *cmd)
{
	struct mta_map **maps = mta_calloc((size_t)cmd->nmaps, sizeof(*maps));
	const char *key, *value;
	int status, rc = 0;

	if ((status = open_all(cmd, maps, MTA_MAP_READ)) != 0)
		goto out;
	for (int i = 0; i < cmd->nmaps && rc >= 0; i++) {
		for (bool first = true;
		     (rc = mta_map_sequence(maps[i], first, &key, &value)) > 0;
		     first = false)
			print_entry(cmd, cmd->maps[i], key, value, true);
		if (rc < 0) {
			mta_msg_error("%s: %s", cmd->maps[i],
				      mta_map_error(maps[i]));
			status = EX_TEMPFAIL;
		}
	}
out:
	fflush(stdout);
	close_all(cmd, maps);
	return status;
}

/* maps_from_config - alias_database of main.cf; 0 or an exit status */
static int
maps_from_config(struct aliascmd *cmd)
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
		if (strchr(spec, ':') == NULL || aliascmd_buildable(spec))
			spec_add(cmd, spec);
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
do_build(struct aliascmd *cmd)
{
	int status = 0, rc;

	for (int i = 0; i < cmd->nmaps; i++)
		if ((rc = aliascmd_build(cmd, cmd->maps[i])) != 0 && !status)
			status = rc;
	return status;
}

/* Options as popt fills them. */
struct opts {
	char *query, *delete;
	int show, incr, nofold, json, replace, quiet_dups;
};

/* check_modes - refuse options that do not go together */
static void
check_modes(poptContext ctx, const struct opts *o, int nargs)
{
	int modes = !!o->query + !!o->delete + !!o->show + !!o->incr;

	if (modes > 1)
		mta_cli_usage(ctx, "use only one of -q, -d, -s and -i");
	if (o->json && !o->query && !o->show)
		mta_cli_usage(ctx, "--json goes with -q or -s");
	if (o->replace && o->quiet_dups)
		mta_cli_usage(ctx, "use only one of -r and -w");
	if (modes == 1 && nargs == 0)
		mta_cli_usage(ctx, "name the alias database (TYPE:FILE)");
	if (o->incr && nargs != 1)
		mta_cli_usage(ctx, "-i updates exactly one database");
}

/* dispatch - run the mode the options ask for */
static int
dispatch(struct aliascmd *cmd, const struct opts *o)
{
	int status;

	if (o->query)
		return do_query(cmd, o->query, false);
	if (o->delete)
		return do_query(cmd, o->delete, true);
	if (o->show)
		return do_show(cmd);
	if (o->incr)
		return aliascmd_incremental(cmd, cmd->maps[0]);
	if (cmd->nmaps == 0 && (status = maps_from_config(cmd)) != 0)
		return status;
	return do_build(cmd);
}

int
main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct poptOption table[] = {
		{"query", 'q', POPT_ARG_STRING, &o.query, 0,
		 "print the value of NAME (- : names from stdin)", "NAME"},
		{"show", 's', POPT_ARG_NONE, &o.show, 0,
		 "print every entry as \"name:<TAB>value\"", NULL},
		{"delete", 'd', POPT_ARG_STRING, &o.delete, 0,
		 "remove NAME (- : names from stdin)", "NAME"},
		{"incremental", 'i', POPT_ARG_NONE, &o.incr, 0,
		 "add \"name: value\" lines from stdin to the database", NULL},
		{"no-fold", 'f', POPT_ARG_NONE, &o.nofold, 0,
		 "keep the case of names", NULL},
		{"replace", 'r', POPT_ARG_NONE, &o.replace, 0,
		 "a duplicate name replaces the earlier entry", NULL},
		{"ignore-duplicates", 'w', POPT_ARG_NONE, &o.quiet_dups, 0,
		 "keep the first of duplicate names without a warning", NULL},
		{"json", '\0', POPT_ARG_NONE, &o.json, 0,
		 "with -q or -s: one JSON object per line", NULL},
		MTA_CLI_COMMON,
		POPT_TABLEEND
	};
	struct aliascmd cmd = { 0 };
	poptContext ctx;
	const char **args;
	int rc, status;

	mta_cli_start(argv[0]);
	ctx = poptGetContext(NULL, argc, (const char **)argv, table, 0);
	poptSetOtherOptionHelp(ctx, "[OPTION...] [TYPE:FILE...]");
	while ((rc = poptGetNextOpt(ctx)) > 0)
		;
	if (rc < -1)
		mta_cli_bad_option(ctx, rc);
	args = poptGetArgs(ctx);
	for (int i = 0; args && args[i]; i++)
		spec_add(&cmd, args[i]);
	check_modes(ctx, &o, cmd.nmaps);
	cmd.flags = o.nofold ? MTA_MAP_NOFOLD : 0;
	cmd.json = o.json;
	cmd.replace = o.replace;
	cmd.quiet_dups = o.quiet_dups;
	status = dispatch(&cmd, &o);
	for (int i = 0; i < cmd.nmaps; i++)
		free(cmd.maps[i]);
	free(cmd.maps);
	free((char *)o.query);	/* popt's copies */
	free((char *)o.delete);
	poptFreeContext(ctx);
	return status;
}
