/*
 * config_expand - $name expansion in main.cf values, as Postfix does it:
 *
 *	$name  ${name}  $(name)		the value of name (expanded in turn)
 *	${name?text}  ${name?{text}}	text if name's value is not empty
 *	${name?{text}:{other}}		... else other
 *	${name:text}  ${name:{text}}	text if name's value is empty
 *	$$				a '$'
 *
 * A name that is neither set nor known expands to nothing (and is noted
 * for --check). A reference loop, a nesting deeper than
 * MTA_CONFIG_DEPTH_MAX, a value longer than MTA_CONFIG_VALUE_MAX, an empty
 * name and an unclosed ${ are errors, never a hang. Postfix 3's ${{a} ==
 * {b} ? ...} expressions are not supported (an error says so).
 */
#include <string.h>

#include "config.h"
#include "config_priv.h"
#include "mem.h"
#include "param.h"
#include "str.h"

struct expand_ctx {
	struct mta_config *cfg;
	const char *stack[MTA_CONFIG_DEPTH_MAX];	/* names being expanded */
	int depth;
	struct mta_buf *err;
	mta_config_lookup_fn lookup;	/* extra names, or NULL */
	void *lookup_ctx;
};

static int expand(struct expand_ctx *x, const char *text, size_t len,
		  struct mta_buf *out);

/* is_name_char - may ch be part of a parameter name */
static int
is_name_char(int ch)
{
	return ch == '_' || (ch >= 'a' && ch <= 'z') ||
	       (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

/* note_undefined - remember that name was used but is nowhere defined */
static void
note_undefined(struct expand_ctx *x, const char *name)
{
	const char *by = x->depth > 0 ? x->stack[x->depth - 1] : "";

	if (!mta_htable_locate(&x->cfg->undefined, name))
		mta_htable_insert(&x->cfg->undefined, name, mta_strdup(by));
}

/* report_loop - "a -> b -> a" into err */
static int
report_loop(struct expand_ctx *x, const char *name)
{
	int i = 0;

	while (strcmp(x->stack[i], name) != 0)
		i++;
	mta_buf_printf(x->err, "$%s refers to itself:", name);
	for (; i < x->depth; i++)
		mta_buf_printf(x->err, " %s ->", x->stack[i]);
	mta_buf_printf(x->err, " %s", name);
	return -1;
}

/* expand_param - the expanded value of a parameter, cached; *out NULL: none */
static int
expand_param(struct expand_ctx *x, const char *name, const char **out)
{
	struct mta_config *cfg = x->cfg;
	const struct mta_param *p;
	const char *raw;
	struct mta_buf val;
	int rc;

	if ((*out = mta_htable_find(&cfg->cache, name)) != NULL)
		return 0;
	if ((raw = config_raw_or_default(cfg, name)) == NULL)
		return 0;
	p = mta_param_find(name);
	if (p && (p->flags & MTA_PARAM_RAW)) {
		*out = raw;
		return 0;
	}
	for (int i = 0; i < x->depth; i++)
		if (strcmp(x->stack[i], name) == 0)
			return report_loop(x, name);
	if (x->depth >= MTA_CONFIG_DEPTH_MAX) {
		mta_buf_printf(x->err, "$%s: references nested deeper than %d",
			       name, MTA_CONFIG_DEPTH_MAX);
		return -1;
	}
	mta_buf_init(&val, MTA_CONFIG_VALUE_MAX);
	x->stack[x->depth++] = name;
	rc = expand(x, raw, strlen(raw), &val);
	x->depth--;
	if (rc == 0) {
		mta_htable_replace(&cfg->cache, name, mta_buf_steal(&val));
		*out = mta_htable_find(&cfg->cache, name);
	}
	mta_buf_release(&val);
	return rc;
}

/* lookup_name - the value of a name for expansion: extra names first */
static int
lookup_name(struct expand_ctx *x, const char *name, const char **out)
{
	if (x->lookup && (*out = x->lookup(x->lookup_ctx, name)) != NULL)
		return 0;
	if (expand_param(x, name, out) < 0)
		return -1;
	if (*out == NULL)
		note_undefined(x, name);
	return 0;
}

/* add_value - append the value of name */
static int
add_value(struct expand_ctx *x, const char *name, struct mta_buf *out)
{
	const char *v;

	if (lookup_name(x, name, &v) < 0)
		return -1;
	if (v && mta_buf_adds(out, v) < 0) {
		mta_buf_printf(x->err, "$%s: expanded value longer than %d bytes",
			       name, MTA_CONFIG_VALUE_MAX);
		return -1;
	}
	return 0;
}

/* match_close - length up to the bracket closing an open one, or -1 */
static long
match_close(const char *s, size_t len, char open, char close)
{
	int level = 1;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == open)
			level++;
		else if (s[i] == close && --level == 0)
			return (long)i;
	}
	return -1;
}

/* brace_group - "{text}" at *s: text trimmed; advance past it */
static int
brace_group(struct expand_ctx *x, const char **s, const char *end,
	    const char **start, size_t *len)
{
	long n = *s < end && **s == '{' ?
		match_close(*s + 1, (size_t)(end - *s - 1), '{', '}') : -1;

	if (n < 0) {
		mta_buf_printf(x->err, "missing '}' in \"%.*s\"",
			       (int)(end - *s), *s);
		return -1;
	}
	*start = *s + 1;
	*len = (size_t)n;
	*s += n + 2;
	while (*len > 0 && mta_is_space((unsigned char)**start)) {
		(*start)++;
		(*len)--;
	}
	while (*len > 0 && mta_is_space((unsigned char)(*start)[*len - 1]))
		(*len)--;
	return 0;
}

/* split_branches - the text after '?' or ':': plain, or Postfix 3 braces */
static int
split_branches(struct expand_ctx *x, char op, const char *s, const char *end,
	       const char *b[2], size_t blen[2])
{
	b[1] = NULL;
	blen[1] = 0;
	if (*s != '{') {
		b[0] = s;
		blen[0] = (size_t)(end - s);
		return 0;
	}
	if (brace_group(x, &s, end, &b[0], &blen[0]) < 0)
		return -1;
	s = mta_str_skip_space(s);
	if (op == '?' && s < end && *s == ':') {
		s = mta_str_skip_space(s + 1);
		if (brace_group(x, &s, end, &b[1], &blen[1]) < 0)
			return -1;
		s = mta_str_skip_space(s);
	}
	if (s < end) {
		mta_buf_printf(x->err, "unexpected text \"%.*s\": write "
			       "${name?{text}:{other}}", (int)(end - s), s);
		return -1;
	}
	return 0;
}

/* expand_conditional - ${name?...} or ${name:...} */
static int
expand_conditional(struct expand_ctx *x, const char *name, char op,
		   const char *s, const char *end, struct mta_buf *out)
{
	const char *b[2], *v;
	size_t blen[2];
	int pick;

	if (split_branches(x, op, s, end, b, blen) < 0 ||
	    lookup_name(x, name, &v) < 0)
		return -1;
	if (v && *v)
		pick = op == '?' ? 0 : -1;
	else
		pick = op == ':' ? 0 : 1;
	if (pick < 0 || b[pick] == NULL)
		return 0;
	return expand(x, b[pick], blen[pick], out);
}

/* expand_braced - the inside of ${...} or $(...) */
static int
expand_braced(struct expand_ctx *x, const char *s, size_t len,
	      struct mta_buf *out)
{
	char name[256];
	size_t n = 0;

	if (len > 0 && s[0] == '{') {
		mta_buf_printf(x->err, "\"${%.*s}\": ${{...}} expressions are "
			       "not supported by mta", (int)len, s);
		return -1;
	}
	while (n < len && is_name_char((unsigned char)s[n]))
		n++;
	if (n == 0 || n >= sizeof(name)) {
		mta_buf_printf(x->err, "%s parameter name in \"${%.*s}\"",
			       n ? "too long a" : "empty", (int)len, s);
		return -1;
	}
	memcpy(name, s, n);
	name[n] = '\0';
	if (n == len)
		return add_value(x, name, out);
	if (s[n] == '?' || s[n] == ':')
		return expand_conditional(x, name, s[n], s + n + 1, s + len,
					  out);
	mta_buf_printf(x->err, "unexpected '%c' after \"%s\" in \"${%.*s}\"",
		       s[n], name, (int)len, s);
	return -1;
}

/* expand_ref - one reference after a '$'; *used: bytes consumed */
static int
expand_ref(struct expand_ctx *x, const char *s, size_t len, size_t *used,
	   struct mta_buf *out)
{
	char name[256];
	size_t n = 0;
	long close;

	if (len > 0 && (s[0] == '{' || s[0] == '(')) {
		close = match_close(s + 1, len - 1, s[0],
				    s[0] == '{' ? '}' : ')');
		if (close < 0) {
			mta_buf_printf(x->err, "unclosed \"$%.*s\"",
				       (int)(len > 60 ? 60 : len), s);
			return -1;
		}
		*used = (size_t)close + 2;
		return expand_braced(x, s + 1, (size_t)close, out);
	}
	while (n < len && n < sizeof(name) - 1 &&
	       is_name_char((unsigned char)s[n]))
		n++;
	if (n == 0) {
		mta_buf_printf(x->err, "a '$' without a parameter name before "
			       "\"%.*s\": write $$ for a '$'",
			       (int)(len > 20 ? 20 : len), s);
		return -1;
	}
	memcpy(name, s, n);
	name[n] = '\0';
	*used = n;
	return add_value(x, name, out);
}

/* expand - append text with every reference replaced */
static int
expand(struct expand_ctx *x, const char *text, size_t len, struct mta_buf *out)
{
	size_t i = 0;

	while (i < len) {
		size_t run = 0, used = 0;

		while (i + run < len && text[i + run] != '$')
			run++;
		if (mta_buf_add(out, text + i, run) < 0)
			goto toolong;
		i += run;
		if (i >= len)
			break;
		if (i + 1 < len && text[i + 1] == '$') {
			if (mta_buf_addc(out, '$') < 0)
				goto toolong;
			i += 2;
			continue;
		}
		if (expand_ref(x, text + i + 1, len - i - 1, &used, out) < 0)
			return -1;
		i += 1 + used;
	}
	return 0;
toolong:
	mta_buf_printf(x->err, "expanded value longer than %d bytes",
		       MTA_CONFIG_VALUE_MAX);
	return -1;
}

/* config_value - the expanded value of name (see config_priv.h) */
int
config_value(struct mta_config *cfg, const char *name, const char **out,
	     struct mta_buf *err)
{
	struct expand_ctx x = {.cfg = cfg, .err = err};

	return expand_param(&x, name, out);
}

/* mta_config_expand - expand any text against the configuration */
int
mta_config_expand(struct mta_config *cfg, const char *text,
		  struct mta_buf *out, struct mta_buf *err)
{
	return mta_config_expand_with(cfg, text, NULL, NULL, out, err);
}

/*
 * mta_config_expand_with - the same, with names that lookup() knows (local
 * delivery's $home, $user...) taking precedence over parameters.
 */
int
mta_config_expand_with(struct mta_config *cfg, const char *text,
		       mta_config_lookup_fn lookup, void *ctx,
		       struct mta_buf *out, struct mta_buf *err)
{
	struct expand_ctx x = {
		.cfg = cfg, .err = err, .lookup = lookup, .lookup_ctx = ctx};

	return expand(&x, text, strlen(text), out);
}
