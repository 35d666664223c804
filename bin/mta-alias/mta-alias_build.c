/*
 * mta-alias_build - build an alias database from its aliases(5) source,
 * or add entries from stdin (-i), with warnings about what will not work
 * at delivery time: alias loops visible in the file and :include: files
 * that cannot be read. Those are warnings; the map is built anyway.
 *
 * As postalias does, the map gets an entry "@" -> "@" at the end (sendmail
 * and NIS clients take it as "the database is complete"), and the first of
 * two entries with the same name wins, with a warning.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alias.h"
#include "cli.h"
#include "htable.h"
#include "mem.h"
#include "msg.h"
#include "mta-alias.h"
#include "str.h"

#define LOOP_REPORT_MAX 20

/* One entry of the source, as kept until it is written. */
struct entry {
	char *name;	/* the table's key: folded unless -f */
	char *value;
	int lineno;
	size_t index;	/* position in the table, for the loop check */
	size_t *edges;	/* entries this one's value names */
	size_t nedges;
	int color;	/* loop check: 0 new, 1 on the path, 2 done */
};

/* Everything one build holds. */
struct build {
	struct mta_mapcmd *cmd;
	const char *path;	/* the source, for messages */
	struct mta_htable table;	/* name -> struct entry, file order */
	struct entry **order;	/* by index */
	size_t n;
};

/* entry_free - htable's free function for entries */
static void
entry_free(void *p)
{
	struct entry *e = p;

	free(e->name);
	free(e->value);
	free(e->edges);
	free(e);
}

/* build_add - keep one entry, or report a duplicate (first one wins) */
static void
build_add(struct build *b, const char *name, const char *value, int lineno)
{
	struct entry *old = mta_htable_find(&b->table, name), *e;

	if (old && !b->cmd->replace) {
		if (!b->cmd->quiet_dups)
			mta_msg_warn("%s, line %d: duplicate entry \"%s\" "
				     "(first at line %d): ignored", b->path,
				     lineno, name, old->lineno);
		return;
	}
	if (old) {
		free(old->value);
		old->value = mta_strdup(value);
		old->lineno = lineno;
		return;
	}
	e = mta_calloc(1, sizeof(*e));
	e->name = mta_strdup(name);
	e->value = mta_strdup(value);
	e->lineno = lineno;
	mta_htable_insert(&b->table, name, e);
}

/* build_read - every entry of the source; 0, or an exit status */
static int
build_read(struct build *b, struct mta_alias_reader *ar)
{
	const char *name, *value;
	int lineno, rc;
	char *key;

	while ((rc = mta_alias_next(ar, &name, &value, &lineno)) > 0) {
		if (strlen(name) > MTA_MAP_MAX_KEY ||
		    strlen(value) > MTA_MAP_MAX_VALUE) {
			mta_msg_warn("%s, line %d: entry longer than the map "
				     "allows: line skipped", b->path, lineno);
			continue;
		}
		key = mta_strdup(name);
		build_add(b, key, value, lineno);
		free(key);
	}
	if (rc < 0) {
		mta_msg_error("read %s: %s", b->path, strerror(errno));
		return EX_IOERR;
	}
	return 0;
}

/* build_edges - for each entry, the entries its value names (not itself) */
static void
build_edges(struct build *b)
{
	struct mta_htable_entry *he;
	size_t pos = 0;

	b->order = mta_calloc(b->table.count + 1, sizeof(*b->order));
	while ((he = mta_htable_next(&b->table, &pos)) != NULL) {
		struct entry *e = he->value;

		e->index = b->n;
		b->order[b->n++] = e;
	}
	for (size_t i = 0; i < b->n; i++) {
		struct entry *e = b->order[i], *t;
		struct mta_alias_rcpts r;

		mta_alias_split(e->value, &r);
		e->edges = mta_calloc(r.n + 1, sizeof(*e->edges));
		for (size_t k = 0; k < r.n; k++) {
			if (r.v[k].kind != MTA_ALIAS_ADDRESS ||
			    strchr(r.v[k].text, '@'))
				continue;
			mta_str_lower(r.v[k].text);
			t = mta_htable_find(&b->table, r.v[k].text);
			if (t && t != e)
				e->edges[e->nedges++] = t->index;
		}
		mta_alias_rcpts_release(&r);
	}
}

/* loop_report - name the loop that the path closes at entry `to` */
static void
loop_report(struct build *b, const size_t *path, size_t depth, size_t to)
{
	struct mta_buf text = MTA_BUF_INIT(1024);
	size_t i = depth;

	while (i > 0 && path[i - 1] != to)
		i--;
	for (i = i > 0 ? i - 1 : 0; i < depth; i++)
		mta_buf_printf(&text, "%s -> ", b->order[path[i]]->name);
	mta_buf_adds(&text, b->order[to]->name);
	if (text.len + 1 >= text.max)
		mta_buf_adds(&text, "...");
	mta_msg_warn("%s, line %d: alias loop: %s", b->path,
		     b->order[to]->lineno, mta_buf_str(&text));
	mta_buf_release(&text);
}

/*
 * build_loops - warn about loops between two or more names, found by a
 * depth-first walk (iterative: a long chain must not exhaust the stack).
 */
static void
build_loops(struct build *b)
{
	size_t *path = mta_calloc(b->n + 1, sizeof(*path));
	size_t *next = mta_calloc(b->n + 1, sizeof(*next));
	int reports = 0;

	for (size_t root = 0; root < b->n; root++) {
		size_t depth = 0;

		if (b->order[root]->color)
			continue;
		path[depth] = root;
		next[depth++] = 0;
		b->order[root]->color = 1;
		while (depth > 0) {
			struct entry *e = b->order[path[depth - 1]], *t;

			if (next[depth - 1] == e->nedges) {
				e->color = 2;
				depth--;
				continue;
			}
			t = b->order[e->edges[next[depth - 1]++]];
			if (t->color == 1 && reports++ < LOOP_REPORT_MAX)
				loop_report(b, path, depth, t->index);
			if (t->color == 0) {
				t->color = 1;
				path[depth] = t->index;
				next[depth++] = 0;
			}
		}
	}
	if (reports > LOOP_REPORT_MAX)
		mta_msg_warn("%s: %d more alias loops not shown", b->path,
			     reports - LOOP_REPORT_MAX);
	free(path);
	free(next);
}

/* build_includes - warn about :include: files that will not be readable */
static void
build_includes(struct build *b)
{
	for (size_t i = 0; i < b->n; i++) {
		struct entry *e = b->order[i];
		struct mta_alias_rcpts r;

		mta_alias_split(e->value, &r);
		for (size_t k = 0; k < r.n; k++) {
			const char *p = r.v[k].text;

			if (r.v[k].kind != MTA_ALIAS_INCLUDE)
				continue;
			if (p[0] != '/')
				mta_msg_warn("%s, line %d: alias \"%s\": include "
					     "file \"%s\" is not an absolute "
					     "path", b->path, e->lineno, e->name, p);
			else if (access(p, R_OK) < 0)
				mta_msg_warn("%s, line %d: alias \"%s\": cannot "
					     "read include file %s: %s (mail "
					     "to it will be deferred)", b->path,
					     e->lineno, e->name, p,
					     strerror(errno));
		}
		mta_alias_rcpts_release(&r);
	}
}

/* build_write - the entries (then "@") into the map; 0 or an exit status */
static int
build_write(struct build *b, struct mta_map *map, bool incremental)
{
	const char *old;

	for (size_t i = 0; i < b->n; i++) {
		struct entry *e = b->order[i];
		int rc = 0;

		if (incremental && !b->cmd->replace &&
		    (rc = mta_map_lookup(map, e->name, &old)) > 0) {
			if (!b->cmd->quiet_dups)
				mta_msg_warn("%s, line %d: duplicate entry "
					     "\"%s\" (already in the map): "
					     "ignored", b->path, e->lineno,
					     e->name);
			continue;
		}
		if (rc < 0 || mta_map_update(map, e->name, e->value) < 0)
			goto fail;
	}
	if (mta_map_update(map, "@", "@") < 0)
		goto fail;
	return 0;
fail:
	mta_msg_error("%s: %s", map->spec, mta_map_error(map));
	return EX_CANTCREAT;
}

/* build_run - read, check, write and commit one map */
static int
build_run(struct mta_mapcmd *cmd, const char *spec, struct mta_alias_reader *ar,
	  int open_flags)
{
	struct build b = { cmd, ar->lr.path, { 0 }, NULL, 0 };
	struct mta_map *map = NULL;
	int status;

	mta_htable_init(&b.table, entry_free);
	if ((status = build_read(&b, ar)) != 0)
		goto out;
	build_edges(&b);
	build_loops(&b);
	build_includes(&b);
	if ((map = mta_mapcmd_open(cmd, spec, open_flags, &status)) == NULL)
		goto out;
	if ((status = build_write(&b, map, open_flags == MTA_MAP_WRITE)) != 0)
		goto out;
	if (mta_map_commit(map) < 0) {
		mta_msg_error("%s: %s", spec, mta_map_error(map));
		status = EX_CANTCREAT;
	}
out:
	if (map)
		mta_map_close(map);
	free(b.order);
	mta_htable_release(&b.table);
	return status;
}

/* spec_path - the file part of TYPE:FILE */
static const char *
spec_path(const char *spec)
{
	const char *colon = strchr(spec, ':');

	return colon ? colon + 1 : spec;
}

/* aliascmd_build - build the map from its source file */
int
aliascmd_build(struct mta_mapcmd *cmd, const char *spec)
{
	struct mta_alias_reader ar;
	const char *path = spec_path(spec);
	int status;

	if (!mta_mapcmd_buildable(spec)) {
		mta_msg_error("%s: this map type is not built from a file "
			      "(use hash:%s)", spec, path);
		return EX_USAGE;
	}
	if (mta_alias_open(&ar, path) < 0) {
		int saved = errno;

		mta_msg_error("cannot open %s: %s", path, strerror(saved));
		return saved == EACCES ? EX_NOPERM : EX_NOINPUT;
	}
	ar.keep_case = cmd->flags & MTA_MAP_NOFOLD;
	status = build_run(cmd, spec, &ar, MTA_MAP_CREATE);
	mta_alias_close(&ar);
	return status;
}

/* aliascmd_incremental - add entries from stdin to an existing map */
int
aliascmd_incremental(struct mta_mapcmd *cmd, const char *spec)
{
	struct mta_alias_reader ar;
	int status;

	mta_alias_attach(&ar, stdin, "stdin");
	ar.keep_case = cmd->flags & MTA_MAP_NOFOLD;
	status = build_run(cmd, spec, &ar, MTA_MAP_WRITE);
	mta_alias_close(&ar);
	return status;
}
