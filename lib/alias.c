/* alias - aliases(5) sources and alias values (see alias.h). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "alias.h"
#include "mem.h"
#include "msg.h"
#include "str.h"

/* alias_reader_init - the buffers of a reader */
static void
alias_reader_init(struct mta_alias_reader *ar)
{
	mta_buf_init(&ar->name, MTA_ALIAS_VALUE_MAX);
	mta_buf_init(&ar->value, MTA_ALIAS_VALUE_MAX);
	ar->skipped = 0;
	ar->keep_case = false;
}

/* mta_alias_open - read the named source; -1 and errno if it cannot */
int
mta_alias_open(struct mta_alias_reader *ar, const char *path)
{
	if (mta_line_open(&ar->lr, path, MTA_ALIAS_LINE_MAX,
			  MTA_LINE_LOGICAL) < 0)
		return -1;
	alias_reader_init(ar);
	return 0;
}

/* mta_alias_attach - read an open stream (stdin for mta-alias -i) */
void
mta_alias_attach(struct mta_alias_reader *ar, FILE *fp, const char *path)
{
	mta_line_attach(&ar->lr, fp, path, MTA_ALIAS_LINE_MAX,
			MTA_LINE_LOGICAL);
	alias_reader_init(ar);
}

/* mta_alias_close - release the reader */
void
mta_alias_close(struct mta_alias_reader *ar)
{
	mta_line_close(&ar->lr);
	mta_buf_release(&ar->name);
	mta_buf_release(&ar->value);
}

/*
 * mta_alias_next - the next good entry: 1 with name and value (valid until
 * the next call) and the line it started on, 0 at the end, -1 on a read
 * error (errno). Bad lines are warned about and skipped.
 */
int
mta_alias_next(struct mta_alias_reader *ar, const char **name,
	       const char **value, int *lineno)
{
	const char *why;
	char *line;
	size_t len;
	int rc;

	for (;;) {
		rc = mta_line_read(&ar->lr, &line, &len);
		if (rc == MTA_LINE_EOF || rc == MTA_LINE_ERROR)
			return rc == MTA_LINE_EOF ? 0 : -1;
		if (rc == MTA_LINE_TOOLONG) {
			why = "line longer than 65536 bytes";
		} else if (mta_alias_parse_line(line, len, !ar->keep_case,
						&ar->name, &ar->value,
						&why) == 0) {
			*name = ar->name.data;
			*value = ar->value.data;
			*lineno = ar->lr.lineno;
			return 1;
		}
		mta_msg_warn("%s, line %d: %s: line skipped", ar->lr.path,
			     ar->lr.lineno, why);
		ar->skipped++;
	}
}

/* Tokens of one line. */
struct alias_toks {
	struct mta_tok *v;
	size_t n, cap;
};

/* alias_tokenize - every token of the line */
static void
alias_tokenize(const char *line, size_t len, struct alias_toks *tv)
{
	struct mta_tok tok;
	size_t pos = 0;

	while (mta_tok_scan(line, len, &pos, &tok, NULL)) {
		if (tv->n == tv->cap) {
			tv->cap = tv->cap ? 2 * tv->cap : 32;
			tv->v = mta_reallocarray(tv->v, tv->cap, sizeof(*tv->v));
		}
		tv->v[tv->n++] = tok;
	}
}

/* alias_check - where the name ends (the ':'), or -1 and why not */
static long
alias_check(const struct alias_toks *tv, const char **why)
{
	size_t colon;

	for (colon = 0; colon < tv->n && tv->v[colon].type != ':'; colon++)
		;
	if (colon == tv->n || colon == 0 || colon + 1 == tv->n) {
		*why = "need a \"name: value\" pair";
		return -1;
	}
	for (size_t i = 0; i < colon; i++) {
		if (tv->v[i].type == ',') {
			*why = "need a \"name: value\" pair (one name only)";
			return -1;
		}
		if (tv->v[i].type == '@' || tv->v[i].type == '%') {
			*why = "name must be local (no @ or %)";
			return -1;
		}
	}
	return (long)colon;
}

/*
 * mta_alias_parse_line - one logical line into name (internal form, lower
 * case if fold) and value (external form). 0, or -1 and why.
 */
int
mta_alias_parse_line(const char *line, size_t len, bool fold,
		     struct mta_buf *name, struct mta_buf *value,
		     const char **why)
{
	struct alias_toks tv = { NULL, 0, 0 };
	long colon;
	int rc = -1;

	mta_buf_clear(name);
	mta_buf_clear(value);
	alias_tokenize(line, len, &tv);
	if ((colon = alias_check(&tv, why)) < 0)
		goto out;
	if (mta_tok_internalize(name, line, tv.v, (size_t)colon, true) < 0 ||
	    mta_tok_externalize(value, line, tv.v + colon + 1,
				tv.n - (size_t)colon - 1) < 0) {
		*why = "entry too long";
		goto out;
	}
	if (name->len == 0 || memchr(name->data, '\0', name->len)) {
		*why = "empty name";
		goto out;
	}
	if (fold)
		mta_str_lower(name->data);
	rc = 0;
out:
	free(tv.v);
	return rc;
}

/* alias_classify - the kind of one recipient in internal form */
static struct mta_alias_rcpt
alias_classify(const char *addr)
{
	struct mta_alias_rcpt r;

	if (addr[0] == '|') {
		r.kind = MTA_ALIAS_COMMAND;
		r.text = mta_strdup(addr + 1);
	} else if (strncasecmp(addr, ":include:", 9) == 0) {
		r.kind = MTA_ALIAS_INCLUDE;
		r.text = mta_strdup(mta_str_skip_space(addr + 9));
	} else if (addr[0] == '/') {
		r.kind = MTA_ALIAS_FILE;
		r.text = mta_strdup(addr);
	} else {
		r.kind = MTA_ALIAS_ADDRESS;
		r.text = mta_strdup(addr);
	}
	return r;
}

/*
 * mta_alias_split - the recipients of a value, in order: commas outside
 * quotes, comments and angle brackets separate them; comments are dropped.
 */
void
mta_alias_split(const char *value, struct mta_alias_rcpts *out)
{
	struct mta_addrlist list;
	struct mta_addrlist_item item;
	size_t cap = 0;

	out->v = NULL;
	out->n = 0;
	mta_addrlist_init(&list, value, strlen(value));
	mta_addrlist_item_init(&item);
	while (mta_addrlist_next(&list, &item)) {
		if (item.addr.len == 0)
			continue;
		if (out->n == cap) {
			cap = cap ? 2 * cap : 8;
			out->v = mta_reallocarray(out->v, cap, sizeof(*out->v));
		}
		out->v[out->n++] = alias_classify(item.addr.data);
	}
	mta_addrlist_item_release(&item);
}

/* mta_alias_rcpts_release - free what mta_alias_split() gave */
void
mta_alias_rcpts_release(struct mta_alias_rcpts *rcpts)
{
	for (size_t i = 0; i < rcpts->n; i++)
		free(rcpts->v[i].text);
	free(rcpts->v);
	rcpts->v = NULL;
	rcpts->n = 0;
}

/* mta_alias_kind_name - a word for the kind, for messages and JSON */
const char *
mta_alias_kind_name(enum mta_alias_kind kind)
{
	switch (kind) {
	case MTA_ALIAS_INCLUDE:
		return "include";
	case MTA_ALIAS_COMMAND:
		return "command";
	case MTA_ALIAS_FILE:
		return "file";
	default:
		return "address";
	}
}
