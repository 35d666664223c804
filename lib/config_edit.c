/*
 * config_edit - change main.cf in place (mta-conf -e, -#), atomically.
 *
 * The file is read as physical lines. An entry is a line that starts with
 * neither white space nor '#', plus every following line that is blank, a
 * comment, or starts with white space (its continuation lines, as the
 * logical-line rules of line.h read them). Setting a name replaces the
 * first line of each of its entries and drops their continuation lines,
 * keeping comment and blank lines; commenting out puts '#' before the
 * entry's lines. New names go at the end. The new file replaces the old
 * one through atomic.h with the old file's permissions.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic.h"
#include "config.h"
#include "line.h"
#include "mem.h"
#include "str.h"

struct edit {
	char *name;
	char *value;	/* NULL: comment out */
	int done;
};

struct edit_state {
	struct edit *edits;
	size_t n;
	int flags;
	struct edit *current;	/* the entry being replaced, or NULL */
	struct mta_buf out;
};

/* parse_assign - "name=value" or "name = value" into an edit */
static int
parse_assign(const char *arg, int flags, struct edit *e, struct mta_buf *err)
{
	char *copy = mta_strdup(arg);
	char *eq = strchr(copy, '=');
	char *name;

	if ((flags & MTA_CONFIG_EDIT_COMMENT) && eq == NULL) {
		e->name = mta_strdup(mta_str_trim(copy));
		e->value = NULL;
	} else if (eq == NULL || (flags & MTA_CONFIG_EDIT_COMMENT)) {
		mta_buf_printf(err, "\"%s\": %s", arg,
			       eq ? "give only the name to comment out"
				  : "missing '=': write name=value");
		free(copy);
		return -1;
	} else {
		*eq = '\0';
		e->name = mta_strdup(mta_str_trim(copy));
		e->value = mta_strdup(mta_str_trim(eq + 1));
	}
	free(copy);
	name = e->name;
	if (*name == '\0' || name[strspn(name, "abcdefghijklmnopqrstuvwxyz"
					"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")]) {
		mta_buf_printf(err, "\"%s\": bad parameter name: use letters, "
			       "digits and '_'", arg);
		return -1;
	}
	return 0;
}

/* find_edit - the edit for the entry that starts with line, or NULL */
static struct edit *
find_edit(struct edit_state *st, const char *line)
{
	size_t len = strcspn(line, " \t=");

	/* From the end: of two edits of one name, the last one wins. */
	for (size_t i = st->n; i-- > 0;)
		if (strlen(st->edits[i].name) == len &&
		    strncmp(st->edits[i].name, line, len) == 0)
			return &st->edits[i];
	return NULL;
}

/* emit - add a line and its newline to the new text */
static int
emit(struct edit_state *st, const char *prefix, const char *line)
{
	if (mta_buf_adds(&st->out, prefix) < 0 ||
	    mta_buf_adds(&st->out, line) < 0 || mta_buf_addc(&st->out, '\n') < 0)
		return -1;
	return 0;
}

/* emit_assign - "name = value" */
static int
emit_assign(struct edit_state *st, struct edit *e)
{
	return mta_buf_printf(&st->out, "%s = %s\n", e->name, e->value);
}

/* edit_line - one physical line of the old file into the new text */
static int
edit_line(struct edit_state *st, const char *line)
{
	const char *cp = mta_str_skip_space(line);
	int starts = line[0] != '\0' && !mta_is_space((unsigned char)line[0]) &&
		     line[0] != '#';

	if (starts) {
		st->current = find_edit(st, line);
		if (st->current == NULL)
			return emit(st, "", line);
		st->current->done = 1;
		if (st->current->value == NULL)
			return emit(st, "#", line);
		return emit_assign(st, st->current);
	}
	if (st->current == NULL || *cp == '\0' || *cp == '#')
		return emit(st, "", line);
	/* A continuation line of an entry being changed. */
	if (st->current->value == NULL)
		return emit(st, "#", line);
	return 0;
}

/* edit_read - run every line of path through edit_line */
static int
edit_read(struct edit_state *st, const char *path, struct mta_buf *err)
{
	struct mta_line lr;
	char *line;
	int rc;

	if (mta_line_open(&lr, path, MTA_CONFIG_LINE_MAX, 0) < 0) {
		mta_buf_printf(err, "open %s: %s", path, strerror(errno));
		return -1;
	}
	while ((rc = mta_line_read(&lr, &line, NULL)) == MTA_LINE_OK)
		if (edit_line(st, line) < 0) {
			rc = MTA_LINE_TOOLONG;
			break;
		}
	if (rc == MTA_LINE_TOOLONG)
		mta_buf_printf(err, "%s, line %d: line too long to edit", path,
			       lr.lineno);
	else if (rc == MTA_LINE_ERROR)
		mta_buf_printf(err, "read %s: %s", path, strerror(errno));
	mta_line_close(&lr);
	return rc == MTA_LINE_EOF ? 0 : -1;
}

/* edit_write - the new text over path, atomically, mode kept */
static int
edit_write(struct edit_state *st, const char *path, struct mta_buf *err)
{
	struct mta_atomic af;
	struct stat sb;
	mode_t mode = stat(path, &sb) == 0 ? sb.st_mode & 07777 : 0644;

	if (mta_atomic_begin(&af, path, mode) < 0) {
		mta_buf_printf(err, "create a temporary file beside %s: %s",
			       path, strerror(errno));
		return -1;
	}
	if (fchmod(af.fd, mode) < 0 ||
	    mta_write_all(af.fd, st->out.data ? st->out.data : "",
			  st->out.len) < 0 ||
	    mta_atomic_commit(&af) < 0) {
		mta_buf_printf(err, "write %s: %s", path, strerror(errno));
		mta_atomic_abort(&af);
		return -1;
	}
	return 0;
}

/* edit_free - release the edits */
static void
edit_free(struct edit_state *st)
{
	for (size_t i = 0; i < st->n; i++) {
		free(st->edits[i].name);
		free(st->edits[i].value);
	}
	free(st->edits);
	mta_buf_release(&st->out);
}

/* mta_config_edit - see config.h; a missing main.cf is an error */
int
mta_config_edit(const char *path, char *const *assign, size_t n, int flags,
		struct mta_buf *err)
{
	struct edit_state st = {.n = n, .flags = flags};
	int rc = -1;

	st.edits = mta_calloc(n ? n : 1, sizeof(*st.edits));
	mta_buf_init(&st.out, 64 * 1024 * 1024);
	for (size_t i = 0; i < n; i++)
		if (parse_assign(assign[i], flags, &st.edits[i], err) < 0)
			goto out;
	if (edit_read(&st, path, err) < 0)
		goto out;
	if (st.out.len > 0 && st.out.data[st.out.len - 1] != '\n')
		mta_buf_addc(&st.out, '\n');
	for (size_t i = 0; i < n; i++) {
		struct edit *e = &st.edits[i];

		/* The last of two edits of one name wins, as it would below. */
		for (size_t j = i + 1; j < n && !e->done; j++)
			if (strcmp(st.edits[j].name, e->name) == 0)
				e->done = 1;
		if (!e->done && e->value && emit_assign(&st, e) < 0)
			goto out;
		e->done = 1;
	}
	rc = edit_write(&st, path, err);
out:
	edit_free(&st);
	return rc;
}
