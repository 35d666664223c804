/* line - line reader with a length limit (see line.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "line.h"
#include "mem.h"
#include "msg.h"
#include "str.h"

/* mta_line_open - read the named file; -1 and errno when it cannot be opened */
int
mta_line_open(struct mta_line *lr, const char *path, size_t max, int flags)
{
	FILE *fp = fopen(path, "re");

	if (fp == NULL)
		return -1;
	mta_line_attach(lr, fp, path, max, flags);
	lr->owned = 1;
	return 0;
}

/* mta_line_attach - read an open stream; path is used in messages only */
void
mta_line_attach(struct mta_line *lr, FILE *fp, const char *path, size_t max,
		int flags)
{
	lr->fp = fp;
	lr->path = mta_strdup(path);
	lr->flags = flags;
	lr->lineno = 0;
	lr->next_lineno = 0;
	lr->owned = 0;
	mta_buf_init(&lr->buf, max);
}

/* mta_line_close - release the reader (and the stream, if opened here) */
void
mta_line_close(struct mta_line *lr)
{
	if (lr->owned && lr->fp)
		fclose(lr->fp);
	lr->fp = NULL;
	free(lr->path);
	lr->path = NULL;
	mta_buf_release(&lr->buf);
}

/*
 * line_physical - append one physical line (without LF) to the buffer.
 * Returns MTA_LINE_OK, MTA_LINE_EOF (nothing read), MTA_LINE_ERROR or
 * MTA_LINE_TOOLONG (the rest of the line was read and thrown away).
 */
static int
line_physical(struct mta_line *lr)
{
	int ch, got = 0, toolong = 0;

	while ((ch = getc(lr->fp)) != EOF) {
		got = 1;
		if (ch == '\n')
			break;
		if (!toolong && mta_buf_addc(&lr->buf, ch) < 0)
			toolong = 1;
	}
	if (ferror(lr->fp))
		return MTA_LINE_ERROR;
	if (!got)
		return MTA_LINE_EOF;
	lr->next_lineno++;
	return toolong ? MTA_LINE_TOOLONG : MTA_LINE_OK;
}

/* line_is_blank_or_comment - does the text from start on carry nothing */
static int
line_is_blank_or_comment(const char *start)
{
	const char *cp = mta_str_skip_space(start);

	return *cp == '\0' || *cp == '#';
}

/* line_logical - Postfix's logical line (see line.h) */
static int
line_logical(struct mta_line *lr)
{
	for (;;) {
		size_t start = lr->buf.len;
		int rc, next;

		if (start == 0)
			lr->lineno = lr->next_lineno + 1;
		rc = line_physical(lr);
		if (rc == MTA_LINE_ERROR || rc == MTA_LINE_TOOLONG)
			return rc;
		if (rc == MTA_LINE_EOF)
			break;
		/* An empty first line leaves the buffer unallocated (NULL). */
		if (line_is_blank_or_comment(lr->buf.data ? lr->buf.data + start
							  : ""))
			mta_buf_truncate(&lr->buf, start);
		if (lr->buf.len == 0)
			continue;
		if (start == 0 && mta_is_space((unsigned char)lr->buf.data[0])) {
			mta_msg_warn("%s, line %d: a continuation line with "
				     "nothing to continue is ignored: \"%.30s\"",
				     lr->path, lr->lineno, lr->buf.data);
			mta_buf_clear(&lr->buf);
			continue;
		}
		next = getc(lr->fp);
		if (next != EOF)
			ungetc(next, lr->fp);
		if (next == EOF || (next != '#' && !mta_is_space(next)))
			break;
	}
	return lr->buf.len > 0 ? MTA_LINE_OK : MTA_LINE_EOF;
}

/* line_skip_continuation - drop the continuation lines that follow */
static void
line_skip_continuation(struct mta_line *lr)
{
	int ch;

	while ((ch = getc(lr->fp)) != EOF) {
		ungetc(ch, lr->fp);
		if (ch != '#' && !mta_is_space(ch))
			break;
		while ((ch = getc(lr->fp)) != EOF && ch != '\n')
			;
		lr->next_lineno++;
	}
}

/*
 * mta_line_read - the next line, NUL-terminated, valid until the next call.
 * A line longer than the limit is consumed and reported as
 * MTA_LINE_TOOLONG, so that the caller can say so and go on.
 */
int
mta_line_read(struct mta_line *lr, char **line, size_t *len)
{
	int rc;

	mta_buf_clear(&lr->buf);
	if (lr->flags & MTA_LINE_LOGICAL) {
		rc = line_logical(lr);
		if (rc == MTA_LINE_TOOLONG)
			line_skip_continuation(lr);
	} else {
		lr->lineno = lr->next_lineno + 1;
		rc = line_physical(lr);
	}
	*line = lr->buf.data ? lr->buf.data : (char *)"";
	if (len)
		*len = lr->buf.len;
	return rc;
}
