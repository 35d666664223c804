/*
 * mapsrc - read the text source of a lookup table, access(5)/postmap(1)
 * style, one "key value" pair at a time.
 *
 * Lines are Postfix logical lines (line.h): comments and blank lines are
 * skipped, lines starting with white space continue the one before. The key
 * ends at the first white space that is not inside "double quotes" and not
 * escaped by a backslash (quotes and backslashes stay in the key, as
 * postmap keeps them); the value is the rest with the white space around it
 * removed. As postmap does, a line is skipped with a warning naming the
 * file and line when it has no value, an unbalanced quote, bytes that are
 * not UTF-8, a NUL byte, or a key or value longer than map.h allows; a key
 * that ends in ':' is kept but warned about (an alias file given by
 * mistake). Keys are returned as written: folding is the map's business.
 *
 *	struct mta_mapsrc src;
 *	if (mta_mapsrc_open(&src, path, &err) < 0) ... err, errno
 *	while ((rc = mta_mapsrc_next(&src, &key, &value, &lineno)) > 0) ...
 *	rc < 0: read error, src.error says why
 *	mta_mapsrc_close(&src);
 */
#ifndef MTA_MAPSRC_H
#define MTA_MAPSRC_H

#include <stdio.h>

#include "buf.h"
#include "line.h"

struct mta_mapsrc {
	struct mta_line lr;
	struct mta_buf error;	/* why next() returned -1 */
	unsigned warnings;	/* lines skipped or warned about */
	int quiet;	/* count problems but do not print them */
};

int mta_mapsrc_open(struct mta_mapsrc *src, const char *path,
		    struct mta_buf *err);
void mta_mapsrc_attach(struct mta_mapsrc *src, FILE *fp, const char *name);
int mta_mapsrc_next(struct mta_mapsrc *src, char **key, char **value,
		    int *lineno);
void mta_mapsrc_close(struct mta_mapsrc *src);
const char *mta_mapsrc_name(const struct mta_mapsrc *src);
int mta_utf8_valid(const char *s, size_t len);

#endif
