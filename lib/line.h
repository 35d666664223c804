/*
 * line - read text files a line at a time, with a length limit.
 *
 * Physical lines end at LF (a CR before it is kept: callers decide). With
 * MTA_LINE_LOGICAL the reader returns Postfix's "logical lines" as main.cf,
 * master.cf, map sources and aliases use them: empty, white-space-only and
 * comment lines (first non-blank byte '#') are skipped anywhere, a line that
 * starts with white space continues the logical line before it (joined as
 * is, without the newline), and a continuation with nothing to continue is
 * warned about and dropped. lineno is the number of the first physical line
 * of what was returned, for messages "FILE, line N: ...".
 */
#ifndef MTA_LINE_H
#define MTA_LINE_H

#include <stdio.h>

#include "buf.h"

#define MTA_LINE_LOGICAL 1

#define MTA_LINE_OK 1
#define MTA_LINE_EOF 0
#define MTA_LINE_ERROR -1 /* read error (errno) */
#define MTA_LINE_TOOLONG -2 /* rest of the line skipped */

struct mta_line {
	FILE *fp;
	char *path;
	int flags;
	int lineno;	/* first physical line of the last result */
	int next_lineno;	/* physical lines consumed so far */
	struct mta_buf buf;
	int owned;	/* fp was opened here and is closed here */
};

int mta_line_open(struct mta_line *lr, const char *path, size_t max,
		  int flags);
void mta_line_attach(struct mta_line *lr, FILE *fp, const char *path,
		     size_t max, int flags);
int mta_line_read(struct mta_line *lr, char **line, size_t *len);
void mta_line_close(struct mta_line *lr);

#endif
