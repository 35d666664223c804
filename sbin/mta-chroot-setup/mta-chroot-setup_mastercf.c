/*
 * mta-chroot-setup: master.cf's chroot column (the fifth) becomes "y" for
 * every service whose command is not local, pipe or virtual (they act for
 * users and need the whole file system). Only that word of those entries
 * changes: the file is rewritten line by line, comments, blank lines,
 * spacing and the other entries as they were, and replaced atomically
 * (atomic.h) with its mode kept. A file that already says "y" everywhere it
 * should is not touched at all.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include "atomic.h"
#include "line.h"
#include "mastercf.h"
#include "mem.h"
#include "msg.h"
#include "mta-chroot-setup.h"
#include "path.h"
#include "str.h"

#define CHROOT_COLUMN 5

/* The commands that never run jailed. */
static const char *const unjailed[] = {"local", "pipe", "virtual", NULL};

struct mcf_edit {
	int *lines;	/* first physical line of each entry to change */
	size_t n;
	size_t next;	/* the next of lines[] to meet */
	int need;	/* words still to pass before the column, 0: none */
	struct mta_buf out;
};

/* jailable - does this entry's command run jailed */
static bool
jailable(const struct mta_master_ent *e)
{
	const char *cmd = mta_path_basename(e->command);

	for (const char *const *p = unjailed; *p; p++)
		if (strcmp(cmd, *p) == 0)
			return false;
	return true;
}

/* edit_words - pass the words of a line; the column's word becomes "y" */
static int
edit_words(struct mcf_edit *ed, const char *line)
{
	const char *cp = line;

	while (ed->need > 0) {
		const char *word = cp + strspn(cp, " \t\r");
		size_t len = strcspn(word, " \t\r");

		if (len == 0)
			break;	/* the column is on a continuation line */
		cp = word + len;
		if (--ed->need == 0)
			return mta_buf_add(&ed->out, line, (size_t)(word - line)) ||
			       mta_buf_addc(&ed->out, 'y') ||
			       mta_buf_adds(&ed->out, cp) ||
			       mta_buf_addc(&ed->out, '\n');
	}
	return mta_buf_adds(&ed->out, line) || mta_buf_addc(&ed->out, '\n');
}

/* edit_line - one physical line into the new text */
static int
edit_line(struct mcf_edit *ed, const char *line, int lineno)
{
	const char *cp = mta_str_skip_space(line);

	if (*cp == '\0' || *cp == '#')
		return mta_buf_adds(&ed->out, line) ||
		       mta_buf_addc(&ed->out, '\n');
	if (!mta_is_space((unsigned char)line[0])) {
		ed->need = 0;	/* a new entry: is it one to change */
		if (ed->next < ed->n && ed->lines[ed->next] == lineno) {
			ed->need = CHROOT_COLUMN;
			ed->next++;
		}
	}
	return edit_words(ed, line);
}

/* edit_read - the whole file through edit_line; an exit status */
static int
edit_read(struct mcf_edit *ed, const char *path)
{
	struct mta_line lr;
	char *line;
	int rc;

	if (mta_line_open(&lr, path, MTA_MASTER_LINE_MAX, 0) < 0) {
		mta_msg_error("open %s: %s", path, strerror(errno));
		return EX_NOINPUT;
	}
	while ((rc = mta_line_read(&lr, &line, NULL)) == MTA_LINE_OK)
		if (edit_line(ed, line, lr.lineno) != 0) {
			rc = MTA_LINE_TOOLONG;
			break;
		}
	if (rc != MTA_LINE_EOF)
		mta_msg_error("%s, line %d: %s", path, lr.lineno,
			      rc == MTA_LINE_ERROR ? strerror(errno) :
			      "too long to edit");
	mta_line_close(&lr);
	return rc == MTA_LINE_EOF ? EX_OK : EX_CONFIG;
}

/* edit_verify - the new text parses, and every jailable entry is jailed */
static int
edit_verify(struct mcf_edit *ed, const char *path)
{
	struct mta_buf err = MTA_BUF_INIT(1024);
	FILE *fp = fmemopen(ed->out.data, ed->out.len, "r");
	struct mta_master *m = fp ? mta_master_read(fp, path, &err) : NULL;
	int rc = m ? EX_OK : EX_SOFTWARE;

	for (size_t i = 0; m && i < m->n; i++)
		if (jailable(&m->ents[i]) && !m->ents[i].chroot)
			rc = EX_SOFTWARE;
	if (rc != EX_OK)
		mta_msg_error("%s: the edited text is wrong (%s); the file is "
			      "left as it was", path, m ? "a column was missed" :
			      mta_buf_str(&err));
	mta_master_free(m);
	if (fp)
		fclose(fp);
	mta_buf_release(&err);
	return rc;
}

/* edit_write - the new text over path, atomically, mode kept */
static int
edit_write(struct mcf_edit *ed, const char *path)
{
	struct mta_atomic af;
	struct stat st;
	mode_t mode = stat(path, &st) == 0 ? st.st_mode & 07777 : 0644;

	if (mta_atomic_begin(&af, path, mode) < 0) {
		mta_msg_error("create a temporary file beside %s: %s", path,
			      strerror(errno));
		return EX_CANTCREAT;
	}
	if (fchmod(af.fd, mode) < 0 ||
	    mta_write_all(af.fd, ed->out.data, ed->out.len) < 0 ||
	    mta_atomic_commit(&af) < 0) {
		mta_msg_error("write %s: %s", path, strerror(errno));
		mta_atomic_abort(&af);
		return EX_CANTCREAT;
	}
	return EX_OK;
}

/* mcf_plan - the entries to change; said on stdout with --dry-run */
static void
mcf_plan(const struct setup *s, const struct mta_master *m,
	 struct mcf_edit *ed)
{
	ed->lines = mta_calloc(m->n ? m->n : 1, sizeof(*ed->lines));
	for (size_t i = 0; i < m->n; i++) {
		const struct mta_master_ent *e = &m->ents[i];

		if (e->chroot || !jailable(e))
			continue;
		ed->lines[ed->n++] = e->lineno;
		if (s->dry_run)
			printf("would set the chroot column of %s/%s to y (%s, "
			       "line %d)\n", e->service,
			       mta_master_type_name(e->type), m->path, e->lineno);
		else
			mta_msg_debug("%s, line %d: chroot y for %s/%s", m->path,
				      e->lineno, e->service,
				      mta_master_type_name(e->type));
	}
}

/* setup_mastercf - the chroot column of s->master_cf; an exit status */
int
setup_mastercf(const struct setup *s)
{
	struct mta_buf err = MTA_BUF_INIT(1024);
	struct mcf_edit ed = {0};
	struct mta_master *m;
	struct stat st;
	int rc;

	if (stat(s->master_cf, &st) < 0 && errno == ENOENT) {
		if (!s->master_cf_given) {
			mta_msg_warn("%s: no such file: no chroot column to set",
				     s->master_cf);
			return EX_OK;
		}
		mta_msg_error("%s: no such file: name an existing master.cf",
			      s->master_cf);
		return EX_NOINPUT;
	}
	if ((m = mta_master_load(s->master_cf, &err)) == NULL) {
		mta_msg_error("%s", mta_buf_str(&err));
		mta_buf_release(&err);
		return EX_CONFIG;
	}
	mcf_plan(s, m, &ed);
	mta_buf_init(&ed.out, 64 * 1024 * 1024);
	rc = EX_OK;
	if (ed.n > 0 && !s->dry_run &&
	    (rc = edit_read(&ed, s->master_cf)) == EX_OK &&
	    (rc = edit_verify(&ed, s->master_cf)) == EX_OK)
		rc = edit_write(&ed, s->master_cf);
	mta_master_free(m);
	mta_buf_release(&ed.out);
	mta_buf_release(&err);
	free(ed.lines);
	return rc;
}
