/*
 * mapcmd - the query, list and delete modes of mta-map and mta-alias, and
 * the list of maps they work on; see mapcmd.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "buf.h"
#include "line.h"
#include "mapcmd.h"
#include "mem.h"
#include "msg.h"
#include "str.h"

/* One key of -q - or -d -: 1 found (or removed), 0 not, -1 error. */
typedef int mapcmd_key_fn(struct mta_mapcmd *cmd, struct mta_map **maps,
			  const char *key);

/*
 * mta_mapcmd_init - an empty list of maps for the program prog, and the
 * first MTA_MAPCMD_NOPTS entries of its popt table, which fill o
 */
void
mta_mapcmd_init(struct mta_mapcmd *cmd, const struct mta_mapcmd_prog *prog,
		struct poptOption *table, struct mta_mapcmd_opts *o)
{
	const char *const *help = prog->help;
	const struct poptOption opts[MTA_MAPCMD_NOPTS] = {
		{"query", 'q', POPT_ARG_STRING, &o->query, 0, help[0],
		 prog->arg},
		{"show", 's', POPT_ARG_NONE, &o->show, 0, help[1], NULL},
		{"delete", 'd', POPT_ARG_STRING, &o->delete, 0, help[2],
		 prog->arg},
		{"incremental", 'i', POPT_ARG_NONE, &o->incr, 0, help[3], NULL},
		{"no-fold", 'f', POPT_ARG_NONE, &o->nofold, 0, help[4], NULL},
		{"replace", 'r', POPT_ARG_NONE, &o->replace, 0, help[5], NULL},
		{"ignore-duplicates", 'w', POPT_ARG_NONE, &o->quiet_dups, 0,
		 help[6], NULL},
		{"json", '\0', POPT_ARG_NONE, &o->json, 0, help[7], NULL},
	};

	memset(cmd, 0, sizeof(*cmd));
	cmd->prog = prog;
	cmd->in = stdin;
	cmd->out = stdout;
	memset(o, 0, sizeof(*o));
	memcpy(table, opts, sizeof(opts));
}

/* mta_mapcmd_add - append a map; "FILE" becomes "hash:FILE" */
void
mta_mapcmd_add(struct mta_mapcmd *cmd, const char *arg)
{
	const char *type = strchr(arg, ':') ? "" : "hash:";
	size_t size = strlen(type) + strlen(arg) + 1;
	char *spec = mta_malloc(size);

	snprintf(spec, size, "%s%s", type, arg);	/* sized to fit */
	cmd->maps = mta_reallocarray(cmd->maps, (size_t)cmd->nmaps + 2,
				     sizeof(*cmd->maps));
	cmd->maps[cmd->nmaps++] = spec;
	cmd->maps[cmd->nmaps] = NULL;
}

/* mta_mapcmd_conflict - the usage error of options that do not go together */
const char *
mta_mapcmd_conflict(const struct mta_mapcmd_opts *o)
{
	if (!!o->query + !!o->delete + !!o->show + !!o->incr > 1)
		return "use only one of -q, -d, -s and -i";
	if (o->json && !o->query && !o->show)
		return "--json goes with -q or -s";
	if (o->replace && o->quiet_dups)
		return "use only one of -r and -w";
	return NULL;
}

/* mta_mapcmd_set - the options and the maps named (args), for cmd */
void
mta_mapcmd_set(struct mta_mapcmd *cmd, const struct mta_mapcmd_opts *o,
	       const char **args)
{
	for (int i = 0; args && args[i]; i++)
		mta_mapcmd_add(cmd, args[i]);
	cmd->flags = o->nofold ? MTA_MAP_NOFOLD : 0;
	cmd->json = o->json;
	cmd->replace = o->replace;
	cmd->quiet_dups = o->quiet_dups;
}

/* mta_mapcmd_run - -q, -d or -s; -1 for the rest (the program's own) */
int
mta_mapcmd_run(struct mta_mapcmd *cmd, const struct mta_mapcmd_opts *o)
{
	if (o->query)
		return mta_mapcmd_query(cmd, o->query);
	if (o->delete)
		return mta_mapcmd_delete(cmd, o->delete);
	if (o->show)
		return mta_mapcmd_dump(cmd);
	return -1;
}

/* mta_mapcmd_release - free the list of maps and popt's strings */
void
mta_mapcmd_release(struct mta_mapcmd *cmd, struct mta_mapcmd_opts *o)
{
	for (int i = 0; i < cmd->nmaps; i++)
		free(cmd->maps[i]);
	free(cmd->maps);
	cmd->maps = NULL;
	cmd->nmaps = 0;
	free(o->query);
	free(o->delete);
	o->query = o->delete = NULL;
}

/* mta_mapcmd_buildable - is spec a type built into FILE.db from FILE */
bool
mta_mapcmd_buildable(const char *spec)
{
	static const char *const types[] = { "hash:", "gdbm:", "btree:",
					     "dbm:", NULL };

	for (int i = 0; types[i]; i++)
		if (strncmp(spec, types[i], strlen(types[i])) == 0)
			return true;
	return false;
}

/* mta_mapcmd_status - the exit status for an errno from opening a map */
int
mta_mapcmd_status(int err, int fallback)
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
 * mta_mapcmd_open - open a map or say why not (with a hint where one
 * helps); *status gets the exit status to use when NULL is returned.
 */
struct mta_map *
mta_mapcmd_open(struct mta_mapcmd *cmd, const char *spec, int flags,
		int *status)
{
	struct mta_buf err = MTA_BUF_INIT(2048);
	struct mta_map *map = mta_map_open(spec, flags | cmd->flags, &err);
	int saved = errno;

	if (map == NULL) {
		*status = mta_mapcmd_status(saved, flags == MTA_MAP_READ ?
					    EX_UNAVAILABLE : EX_CANTCREAT);
		if ((flags & MTA_MAP_CREATE) && saved != EINVAL)
			*status = EX_CANTCREAT;	/* the source was read */
		if (saved == ENOENT && !(flags & MTA_MAP_CREATE) &&
		    mta_mapcmd_buildable(spec))
			mta_msg_error("%s (build it first: %s %s)",
				      mta_buf_str(&err), cmd->prog->name, spec);
		else
			mta_msg_error("%s", mta_buf_str(&err));
	}
	mta_buf_release(&err);
	return map;
}

/* print_json - one result as a JSON object a line */
static void
print_json(struct mta_mapcmd *cmd, const char *spec, const char *key,
	   const char *value)
{
	/* Escaping makes a byte six at the most. */
	size_t len = strlen(key) + strlen(value) + strlen(spec);
	struct mta_buf out = MTA_BUF_INIT(6 * len + 64);

	if (mta_buf_printf(&out, "{\"%s\":", cmd->prog->word) < 0 ||
	    mta_str_json(&out, key, strlen(key)) < 0 ||
	    mta_buf_adds(&out, ",\"value\":") < 0 ||
	    mta_str_json(&out, value, strlen(value)) < 0 ||
	    (cmd->prog->json_map && (mta_buf_adds(&out, ",\"map\":") < 0 ||
			       mta_str_json(&out, spec, strlen(spec)) < 0)) ||
	    mta_buf_adds(&out, "}\n") < 0)
		mta_msg_fatal("JSON for \"%.100s\" does not fit", key);
	fwrite(out.data, 1, out.len, cmd->out);	/* errors: see finish() */
	mta_buf_release(&out);
}

/* print - one result: the value alone, "key SEP value", or JSON */
static void
print(struct mta_mapcmd *cmd, const char *spec, const char *key,
      const char *value, bool with_key)
{
	if (cmd->json)
		print_json(cmd, spec, key, value);
	else if (with_key)
		fprintf(cmd->out, "%s%s%s\n", key, cmd->prog->sep, value);
	else
		fprintf(cmd->out, "%s\n", value);
}

/* finish - flush the results; a write error turns success into 74 */
static int
finish(struct mta_mapcmd *cmd, int status)
{
	if (fflush(cmd->out) != 0 || ferror(cmd->out)) {
		mta_msg_error("write to standard output: %s", strerror(errno));
		if (status <= 1)
			status = EX_IOERR;
	}
	return status;
}

/* lookup - lookup with the error reported; -1 means exit 75 */
static int
lookup(struct mta_map *map, const char *key, const char **value)
{
	int rc = mta_map_lookup(map, key, value);

	if (rc < 0)
		mta_msg_error("%s", mta_map_error(map));
	return rc;
}

/* open_all - open every map before stdin is read; NULL and *status if not */
static struct mta_map **
open_all(struct mta_mapcmd *cmd, int flags, int *status)
{
	struct mta_map **maps = mta_calloc((size_t)cmd->nmaps, sizeof(*maps));

	for (int i = 0; i < cmd->nmaps; i++) {
		maps[i] = mta_mapcmd_open(cmd, cmd->maps[i], flags, status);
		if (maps[i] == NULL) {
			while (i-- > 0)
				mta_map_close(maps[i]);
			free(maps);
			return NULL;
		}
	}
	return maps;
}

/* close_all - close the maps of open_all */
static void
close_all(struct mta_mapcmd *cmd, struct mta_map **maps)
{
	for (int i = 0; i < cmd->nmaps; i++)
		mta_map_close(maps[i]);
	free(maps);
}

/*
 * each_key - fn for every key on cmd->in; 0 when one was found, 1 when
 * none was, fail when fn failed, 74 when stdin could not be read.
 */
static int
each_key(struct mta_mapcmd *cmd, struct mta_map **maps, mapcmd_key_fn *fn,
	 int fail)
{
	struct mta_line lr;
	int status = 1, rc;
	char *key;

	mta_line_attach(&lr, cmd->in, "stdin", MTA_MAP_MAX_KEY, 0);
	while ((rc = mta_line_read(&lr, &key, NULL)) != MTA_LINE_EOF) {
		if (rc == MTA_LINE_TOOLONG)
			continue;	/* no stored key is that long */
		if (rc == MTA_LINE_ERROR) {
			mta_msg_error("read stdin: %s", strerror(errno));
			status = EX_IOERR;
			break;
		}
		if ((rc = fn(cmd, maps, key)) < 0) {
			status = fail;
			break;
		}
		if (rc > 0)
			status = EX_OK;
	}
	mta_line_close(&lr);
	return status;
}

/* query_key - -q KEY: each map opened in turn until one has it */
static int
query_key(struct mta_mapcmd *cmd, const char *key)
{
	for (int i = 0; i < cmd->nmaps; i++) {
		struct mta_map *map;
		const char *value;
		int status, rc;

		if ((map = mta_mapcmd_open(cmd, cmd->maps[i], MTA_MAP_READ,
					   &status)) == NULL)
			return status;
		rc = lookup(map, key, &value);
		if (rc > 0)
			print(cmd, cmd->maps[i], key, value, false);
		mta_map_close(map);
		if (rc != 0)
			return rc > 0 ? EX_OK : EX_TEMPFAIL;
	}
	return 1;
}

/* query_one - one key of -q -: the first map that has it prints it */
static int
query_one(struct mta_mapcmd *cmd, struct mta_map **maps, const char *key)
{
	for (int i = 0; i < cmd->nmaps; i++) {
		const char *value;
		int rc = lookup(maps[i], key, &value);

		if (rc > 0)
			print(cmd, cmd->maps[i], key, value, true);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* mta_mapcmd_query - -q KEY, or -q - for keys on cmd->in */
int
mta_mapcmd_query(struct mta_mapcmd *cmd, const char *key)
{
	struct mta_map **maps;
	int status;

	if (strcmp(key, "-") != 0)
		return finish(cmd, query_key(cmd, key));
	if ((maps = open_all(cmd, MTA_MAP_READ, &status)) == NULL)
		return finish(cmd, status);
	status = each_key(cmd, maps, query_one, EX_TEMPFAIL);
	close_all(cmd, maps);
	return finish(cmd, status);
}

/* dump_one - -s for one map */
static int
dump_one(struct mta_mapcmd *cmd, const char *spec)
{
	const char *key, *value;
	struct mta_map *map;
	int status, rc;

	if ((map = mta_mapcmd_open(cmd, spec, MTA_MAP_READ, &status)) == NULL)
		return status;
	for (rc = mta_map_sequence(map, true, &key, &value); rc > 0;
	     rc = mta_map_sequence(map, false, &key, &value))
		print(cmd, spec, key, value, true);
	if (rc < 0)
		mta_msg_error("%s", mta_map_error(map));
	mta_map_close(map);
	return rc < 0 ? EX_UNAVAILABLE : EX_OK;
}

/* mta_mapcmd_dump - -s: every entry of every map, map by map */
int
mta_mapcmd_dump(struct mta_mapcmd *cmd)
{
	int status = EX_OK;

	for (int i = 0; i < cmd->nmaps && status == EX_OK; i++)
		status = dump_one(cmd, cmd->maps[i]);
	return finish(cmd, status);
}

/* delete_key - remove key from every map: 1 removed somewhere, -1 error */
static int
delete_key(struct mta_mapcmd *cmd, struct mta_map **maps, const char *key)
{
	int found = 0;

	for (int i = 0; i < cmd->nmaps; i++) {
		int rc = mta_map_remove(maps[i], key);

		if (rc < 0) {
			mta_msg_error("%s", mta_map_error(maps[i]));
			return -1;
		}
		found |= rc;
	}
	return found;
}

/* mta_mapcmd_delete - -d KEY, or -d - for keys on cmd->in; then commit */
int
mta_mapcmd_delete(struct mta_mapcmd *cmd, const char *key)
{
	struct mta_map **maps;
	int status, rc;

	if ((maps = open_all(cmd, MTA_MAP_WRITE, &status)) == NULL)
		return status;
	if (strcmp(key, "-") == 0) {
		status = each_key(cmd, maps, delete_key, EX_UNAVAILABLE);
	} else {
		rc = delete_key(cmd, maps, key);
		status = rc < 0 ? EX_UNAVAILABLE : rc > 0 ? EX_OK : 1;
	}
	for (int i = 0; i < cmd->nmaps && status == EX_OK; i++) {
		if (mta_map_commit(maps[i]) < 0) {
			mta_msg_error("%s", mta_map_error(maps[i]));
			status = EX_CANTCREAT;
		}
	}
	close_all(cmd, maps);
	return status;
}
