/*
 * addrlist - the RFC 822 tokenizer and RFC 5322 address lists (addr.h).
 *
 * The tokenizer follows Postfix's tok822 rules, because the aliases(5)
 * parser must store values exactly as postalias does: white space (space,
 * tab, CR, LF) separates tokens and becomes a plain space inside them; a
 * backslash quotes the next byte anywhere; comments nest and keep their
 * raw text; an atom that holds a special character once unescaped is a
 * quoted string. A NUL byte ends the text, as it would a C string.
 */
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "mem.h"

#define TOK_OPS "|%!()<>@,;:\\\".[]"

/* is_wsp - the white space the tokenizer skips */
static bool
is_wsp(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* mta_tok_is_op - is this byte a one-character operator token */
bool
mta_tok_is_op(int ch)
{
	return ch > 0 && ch < 256 && ch != '\\' && strchr(TOK_OPS, ch) != NULL;
}

/*
 * tok_collect - bytes from *pos until stop() says so or the end, with
 * backslash escapes undone and white space made a space. A backslash at
 * the very end is dropped.
 */
static int
tok_collect(const char *text, size_t len, size_t *pos, int close,
	    struct mta_buf *out)
{
	size_t i = *pos;
	int rc = 0;

	for (; i < len && text[i] != '\0'; i++) {
		unsigned char ch = (unsigned char)text[i];

		if (ch == '\\') {
			if (i + 1 >= len || text[i + 1] == '\0') {
				i++;
				break;
			}
			ch = (unsigned char)text[++i];
		} else if (close ? ch == close :
			   is_wsp(ch) || mta_tok_is_op(ch)) {
			break;
		}
		if (out && rc == 0)
			rc = mta_buf_addc(out, is_wsp(ch) ? ' ' : ch);
	}
	*pos = i;
	return rc;
}

/* tok_comment - a comment, nested, from '(' to its ')' or the end */
static void
tok_comment(const char *text, size_t len, size_t *pos)
{
	size_t i = *pos + 1;
	int level = 1;

	while (i < len && text[i] != '\0') {
		char ch = text[i++];

		if (ch == '(') {
			level++;
		} else if (ch == ')') {
			if (--level == 0)
				break;
		} else if (ch == '\\') {
			if (i >= len || text[i] == '\0')
				break;
			i++;
		}
	}
	*pos = i;
}

/* tok_value - the value of a scanned token, appended to out */
static int
tok_value(const char *text, const struct mta_tok *tok, struct mta_buf *out)
{
	size_t pos = tok->start;

	switch (tok->type) {
	case MTA_TOK_COMMENT:
		return mta_buf_add(out, text + tok->start, tok->end - tok->start);
	case MTA_TOK_QSTRING:
	case MTA_TOK_DOMLIT:
		if (text[pos] == '"' || text[pos] == '[') {
			pos++;
			return tok_collect(text, tok->end, &pos,
					   text[tok->start] == '"' ? '"' : ']',
					   out);
		}
		/* An atom made a quoted string: no quotes around it. */
		return tok_collect(text, tok->end, &pos, 0, out);
	case MTA_TOK_ATOM:
		return tok_collect(text, tok->end, &pos, 0, out);
	default:
		return mta_buf_addc(out, tok->type);
	}
}

/* tok_atom_needs_quotes - does an atom's value hold a special byte */
static bool
tok_atom_needs_quotes(const char *text, const struct mta_tok *tok)
{
	struct mta_buf val = MTA_BUF_INIT(tok->end - tok->start + 1);
	bool quote = false;

	tok_value(text, tok, &val);
	for (size_t i = 0; i < val.len && !quote; i++) {
		unsigned char ch = (unsigned char)val.data[i];

		quote = ch == ' ' || ch < 32 || ch == 127 || mta_tok_is_op(ch) ||
			ch == '\\';
	}
	mta_buf_release(&val);
	return quote;
}

/*
 * mta_tok_scan - the next token at or after *pos; 1 and the token (and its
 * value, if value is not NULL: appended), or 0 at the end.
 */
int
mta_tok_scan(const char *text, size_t len, size_t *pos, struct mta_tok *tok,
	     struct mta_buf *value)
{
	size_t i = *pos;
	int ch;

	while (i < len && is_wsp((unsigned char)text[i]))
		i++;
	if (i >= len || text[i] == '\0') {
		*pos = i;
		return 0;
	}
	ch = (unsigned char)text[i];
	tok->start = i;
	if (ch == '(') {
		tok->type = MTA_TOK_COMMENT;
		tok_comment(text, len, &i);
	} else if (ch == '"' || ch == '[') {
		tok->type = ch == '"' ? MTA_TOK_QSTRING : MTA_TOK_DOMLIT;
		i++;
		tok_collect(text, len, &i, ch == '"' ? '"' : ']', NULL);
		if (i < len && text[i] != '\0')
			i++;
	} else if (mta_tok_is_op(ch)) {
		tok->type = ch;
		i++;
	} else {
		tok->type = MTA_TOK_ATOM;
		tok_collect(text, len, &i, 0, NULL);
	}
	tok->end = i;
	*pos = i;
	if (tok->type == MTA_TOK_ATOM && tok_atom_needs_quotes(text, tok))
		tok->type = MTA_TOK_QSTRING;
	if (value)
		tok_value(text, tok, value);
	return 1;
}

/* tok_is_word - atoms, strings, comments and literals, not operators */
static bool
tok_is_word(int type)
{
	return type >= MTA_TOK_ATOM;
}

/* tok_space_between - does a space go between these two tokens */
static bool
tok_space_between(int type, int next)
{
	return type == ',' || next == '<' ||
	       (tok_is_word(type) && tok_is_word(next));
}

/* tok_add_escaped - append s, with a backslash before the bytes in set */
static int
tok_add_escaped(struct mta_buf *out, const struct mta_buf *s, const char *set)
{
	int rc = 0;

	for (size_t i = 0; i < s->len && rc == 0; i++) {
		if (strchr(set, s->data[i]) != NULL && s->data[i] != '\0')
			rc = mta_buf_addc(out, '\\');
		if (rc == 0)
			rc = mta_buf_addc(out, s->data[i]);
	}
	return rc;
}

/*
 * tok_join - tokens back to text. External form quotes strings and
 * literals again; internal form writes values bare and may leave out
 * comments.
 */
static int
tok_join(struct mta_buf *out, const char *text, const struct mta_tok *toks,
	 size_t n, bool external, bool comments)
{
	struct mta_buf val = MTA_BUF_INIT(out->max + 1);
	int rc = 0, prev = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		int type = toks[i].type;

		if (type == MTA_TOK_COMMENT && !comments)
			continue;
		if (prev && tok_space_between(prev, type))
			rc |= mta_buf_addc(out, ' ');
		prev = type;
		mta_buf_clear(&val);
		rc |= tok_value(text, &toks[i], &val);
		if (external && type == MTA_TOK_QSTRING) {
			rc |= mta_buf_addc(out, '"');
			rc |= tok_add_escaped(out, &val, "\"\\\r\n");
			rc |= mta_buf_addc(out, '"');
		} else if (type == MTA_TOK_DOMLIT) {
			rc |= mta_buf_addc(out, '[');
			rc |= external ? tok_add_escaped(out, &val, "\\\r\n") :
				mta_buf_add(out, val.data, val.len);
			rc |= mta_buf_addc(out, ']');
		} else {
			rc |= mta_buf_add(out, val.data, val.len);
		}
	}
	mta_buf_release(&val);
	return rc < 0 ? -1 : 0;
}

/* mta_tok_internalize - tokens to unquoted text (Postfix's internal form) */
int
mta_tok_internalize(struct mta_buf *out, const char *text,
		    const struct mta_tok *toks, size_t n, bool comments)
{
	return tok_join(out, text, toks, n, false, comments);
}

/* mta_tok_externalize - tokens to quoted text, spaced as postalias does */
int
mta_tok_externalize(struct mta_buf *out, const char *text,
		    const struct mta_tok *toks, size_t n)
{
	return tok_join(out, text, toks, n, true, true);
}

/* Tokens of one list element, growing as needed. */
struct tok_vec {
	struct mta_tok *v;
	size_t n, cap;
};

/* tok_vec_push - append a token */
static void
tok_vec_push(struct tok_vec *tv, const struct mta_tok *tok)
{
	if (tv->n == tv->cap) {
		tv->cap = tv->cap ? 2 * tv->cap : 16;
		tv->v = mta_reallocarray(tv->v, tv->cap, sizeof(*tv->v));
	}
	tv->v[tv->n++] = *tok;
}

/*
 * list_group_end - the offset after the last ';' outside angle brackets:
 * as in Postfix, a ':' opens a group only when a ';' follows somewhere,
 * so that ":include:/path" and route-like garbage stay addresses.
 */
static size_t
list_group_end(const char *text, size_t len)
{
	struct mta_tok tok;
	size_t pos = 0, end = 0;
	int depth = 0;

	while (mta_tok_scan(text, len, &pos, &tok, NULL)) {
		if (tok.type == '<')
			depth++;
		else if (tok.type == '>' && depth > 0)
			depth--;
		else if (tok.type == ';' && depth == 0)
			end = tok.end;
	}
	return end;
}

/* mta_addrlist_init - walk the address list in text[0..len) */
void
mta_addrlist_init(struct mta_addrlist *list, const char *text, size_t len)
{
	list->text = text;
	list->len = len;
	list->pos = 0;
	list->group_end = list_group_end(text, len);
	list->in_group = false;
}

/* mta_addrlist_item_init - an empty item, ready for mta_addrlist_next() */
void
mta_addrlist_item_init(struct mta_addrlist_item *item)
{
	memset(item, 0, sizeof(*item));
	mta_buf_init(&item->addr, 65536);
}

/* mta_addrlist_item_release - free what the item holds */
void
mta_addrlist_item_release(struct mta_addrlist_item *item)
{
	mta_buf_release(&item->addr);
}

/*
 * list_element - the tokens up to the next ',' or ';' outside angle
 * brackets; a group's "name:" is dropped. 0 when the text is used up.
 */
static int
list_element(struct mta_addrlist *list, struct tok_vec *tv)
{
	struct mta_tok tok;
	int depth = 0, any = 0;
	bool open = false, at = false;

	tv->n = 0;
	while (mta_tok_scan(list->text, list->len, &list->pos, &tok, NULL)) {
		any = 1;
		if (depth == 0 && (tok.type == ',' || tok.type == ';')) {
			if (tok.type == ';')
				list->in_group = false;
			return 1;
		}
		if (depth == 0 && tok.type == ':' && !open && !at &&
		    tok.start < list->group_end) {
			list->in_group = true;
			tv->n = 0;
			continue;
		}
		if (tok.type == '<') {
			depth++;
			open = true;
		} else if (tok.type == '>' && depth > 0) {
			depth--;
		} else if (tok.type == '@' && depth == 0) {
			at = true;
		}
		tok_vec_push(tv, &tok);
	}
	return any;
}

/* list_match - index of the '>' that closes the '<' at i, or n */
static size_t
list_match(const struct mta_tok *t, size_t i, size_t n)
{
	int depth = 0;

	for (; i < n; i++) {
		if (t[i].type == '<')
			depth++;
		else if (t[i].type == '>' && --depth == 0)
			return i;
	}
	return n;
}

/*
 * list_angle - narrow [*lo, *hi) to the inside of the first <...>, and of
 * any <...> that fills it whole ("<<a@b>>"). false if there is none.
 */
static bool
list_angle(const struct mta_tok *t, size_t *lo, size_t *hi)
{
	size_t i, close;

	for (i = *lo; i < *hi && t[i].type != '<'; i++)
		;
	if (i == *hi)
		return false;
	close = list_match(t, i, *hi);
	*lo = i + 1;
	*hi = close;
	while (*lo < *hi && t[*lo].type == '<' &&
	       list_match(t, *lo, *hi) + 1 == *hi) {
		(*lo)++;
		(*hi)--;
	}
	return true;
}

/* list_route - skip an obsolete route "@a,@b:" at the start of [*lo, hi) */
static bool
list_route(const struct mta_tok *t, size_t *lo, size_t hi)
{
	if (*lo >= hi || t[*lo].type != '@')
		return false;
	for (size_t i = *lo; i < hi; i++) {
		if (t[i].type == ':') {
			*lo = i + 1;
			return true;
		}
	}
	return false;
}

/* list_item - fill item from an element's tokens; false if it is empty */
static bool
list_item(struct mta_addrlist *list, const struct tok_vec *tv,
	  struct mta_addrlist_item *item)
{
	const struct mta_tok *t = tv->v;
	size_t lo = 0, hi = tv->n;

	item->angle = list_angle(t, &lo, &hi);
	item->route = list_route(t, &lo, hi);
	while (lo < hi && t[lo].type == MTA_TOK_COMMENT)
		lo++;
	while (hi > lo && t[hi - 1].type == MTA_TOK_COMMENT)
		hi--;
	mta_buf_clear(&item->addr);
	if (lo == hi) {
		if (!item->angle)
			return false;
		/* "<>": an empty address where the brackets were. */
		item->start = item->end = lo > 0 ? t[lo - 1].end : 0;
		return true;
	}
	item->start = t[lo].start;
	item->end = t[hi - 1].end;
	mta_tok_internalize(&item->addr, list->text, t + lo, hi - lo, false);
	return true;
}

/*
 * mta_addrlist_next - the next address of the list: 1 and item filled,
 * or 0 when there are no more. Empty elements and groups are skipped.
 */
int
mta_addrlist_next(struct mta_addrlist *list, struct mta_addrlist_item *item)
{
	struct tok_vec tv = { NULL, 0, 0 };
	int found = 0;

	while (!found && list_element(list, &tv))
		found = list_item(list, &tv, item);
	free(tv.v);
	return found;
}
