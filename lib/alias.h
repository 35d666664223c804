/*
 * alias - the aliases(5) source format, and the recipients of a value.
 *
 * A source is read in logical lines (line.h: comments, blank lines and
 * continuation lines starting with white space). Each line is tokenized as
 * an RFC 822 address list (addr.h) and must read "name: value": the first
 * ':' outside quotes ends the name, there must be something on both sides,
 * no ',' before it, and no '@' or '%' in the name (it is local). The name
 * is stored in internal (unquoted) form, folded to lower case; the value is
 * stored in external form, re-spaced the way postalias does it ("a,b"
 * becomes "a, b"; runs of white space become one space). Lines that break
 * these rules are warned about with file and line, and skipped.
 *
 * mta_alias_split() cuts a stored value into recipients: ":include:/path",
 * "|command" (also "\"|command with spaces\""), "/file" (also quoted), or
 * an address, each in internal form.
 */
#ifndef MTA_ALIAS_H
#define MTA_ALIAS_H

#include <stdbool.h>
#include <stdio.h>

#include "buf.h"
#include "line.h"

#define MTA_ALIAS_LINE_MAX 65536
#define MTA_ALIAS_VALUE_MAX (4 * MTA_ALIAS_LINE_MAX + 16)

struct mta_alias_reader {
	struct mta_line lr;
	struct mta_buf name;
	struct mta_buf value;
	int skipped;	/* lines warned about and skipped */
	bool keep_case;	/* do not fold names (mta-alias -f) */
};

int mta_alias_open(struct mta_alias_reader *ar, const char *path);
void mta_alias_attach(struct mta_alias_reader *ar, FILE *fp,
		      const char *path);
int mta_alias_next(struct mta_alias_reader *ar, const char **name,
		   const char **value, int *lineno);
void mta_alias_close(struct mta_alias_reader *ar);

int mta_alias_parse_line(const char *line, size_t len, bool fold,
			 struct mta_buf *name, struct mta_buf *value,
			 const char **why);

enum mta_alias_kind {
	MTA_ALIAS_ADDRESS,	/* text: the address, internal form */
	MTA_ALIAS_INCLUDE,	/* text: the path after ":include:" */
	MTA_ALIAS_COMMAND,	/* text: the command after '|' */
	MTA_ALIAS_FILE,		/* text: the path, starting with '/' */
};

struct mta_alias_rcpt {
	enum mta_alias_kind kind;
	char *text;
};

struct mta_alias_rcpts {
	struct mta_alias_rcpt *v;
	size_t n;
};

void mta_alias_split(const char *value, struct mta_alias_rcpts *out);
void mta_alias_rcpts_release(struct mta_alias_rcpts *rcpts);
const char *mta_alias_kind_name(enum mta_alias_kind kind);

#endif
