/*
 * map_inline - tables written in the map name itself.
 *
 *	inline:{key=value, key2=value2, { key3 = value with, commas }}
 *		Entries are separated by commas or white space. An entry in
 *		braces may hold white space and commas: it is name, optional
 *		blanks, '=', optional blanks, value (trimmed). A later entry
 *		for the same key replaces an earlier one, as in Postfix.
 *	static:VALUE, static:{text with spaces}
 *		Every key finds VALUE.
 *
 * Both are read-only and checked completely at open, so that a typo is an
 * error when the configuration is loaded rather than a silent miss later.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "htable.h"
#include "map_impl.h"
#include "mem.h"
#include "str.h"

#define INLINE_MAX 65536	/* longest inline:{...} text we parse */

struct map_inline {
	struct mta_map map;
	struct mta_htable table;
	size_t seq;
	char *value;	/* static: the one answer */
};

/* inline_lookup - 1 found, 0 not */
static int
inline_lookup(struct mta_map *map, const char *key, const char **value)
{
	struct map_inline *mi = (struct map_inline *)map;

	*value = mta_htable_find(&mi->table, key);
	return *value != NULL;
}

/* inline_sequence - entries in the order written */
static int
inline_sequence(struct mta_map *map, bool first, const char **key,
		const char **value)
{
	struct map_inline *mi = (struct map_inline *)map;
	struct mta_htable_entry *e;

	if (first)
		mi->seq = 0;
	if ((e = mta_htable_next(&mi->table, &mi->seq)) == NULL)
		return 0;
	*key = e->key;
	*value = e->value;
	return 1;
}

/* inline_close - free the table */
static void
inline_close(struct mta_map *map)
{
	struct map_inline *mi = (struct map_inline *)map;

	mta_htable_release(&mi->table);
	free(mi->value);
}

static const struct mta_map_ops inline_ops = {
	.lookup = inline_lookup,
	.sequence = inline_sequence,
	.close = inline_close,
};

/*
 * inline_group_end - given s at a '{', the matching '}' (nested braces
 * counted), or NULL when there is none.
 */
static char *
inline_group_end(char *s)
{
	int depth = 0;

	for (; *s; s++) {
		if (*s == '{')
			depth++;
		else if (*s == '}' && --depth == 0)
			return s;
	}
	return NULL;
}

/*
 * inline_unbrace - "{ text }" to "text" in place (the braces and
 * the blanks inside them dropped); text without braces is returned as is.
 * NULL when the braces do not balance or text follows the closing one.
 */
static char *
inline_unbrace(char *s)
{
	char *end;

	if (*s != '{')
		return s;
	if ((end = inline_group_end(s)) == NULL || end[1] != '\0')
		return NULL;
	*end = '\0';
	return mta_str_trim(s + 1);
}

/* inline_entry - parse one "name = value" into the table; -1 if bad */
static int
inline_entry(struct map_inline *mi, char *text, int flags)
{
	char *name = mta_str_skip_space(text), *cp = name, *value;

	while (*cp && *cp != '=' && !mta_is_space((unsigned char)*cp))
		cp++;
	value = mta_str_skip_space(cp);
	if (*value != '=')
		return -1;
	*cp = '\0';
	value = mta_str_trim(value + 1);
	mta_map_fold_text(name, flags);
	mta_htable_replace(&mi->table, name, mta_strdup(value));
	return 0;
}

/* inline_next_token - the next entry of the list, or NULL at the end */
static char *
inline_next_token(char **cp, int *bad)
{
	char *start = *cp + strspn(*cp, MTA_SEP_LIST), *end;

	if (*start == '\0')
		return NULL;
	if (*start == '{') {
		if ((end = inline_group_end(start)) == NULL ||
		    (end[1] && !strchr(MTA_SEP_LIST, end[1]))) {
			*bad = 1;
			return NULL;
		}
		end++;
	} else {
		end = start + strcspn(start, MTA_SEP_LIST);
	}
	*cp = *end ? end + 1 : end;
	*end = '\0';
	return start;
}

/* inline_parse - fill the table from the text inside the outer braces */
static int
inline_parse(struct map_inline *mi, char *list, int flags,
	     struct mta_buf *err)
{
	char *cp = list, *tok, *entry;
	int bad = 0;

	while ((tok = inline_next_token(&cp, &bad)) != NULL) {
		if ((entry = inline_unbrace(tok)) == NULL ||
		    inline_entry(mi, entry, flags) < 0) {
			mta_buf_printf(err, "bad entry \"%.100s\": expected "
				       "name=value or { name = value }", tok);
			return -1;
		}
	}
	if (bad) {
		mta_buf_printf(err, "unbalanced '{' or text after '}' near "
			       "\"%.100s\"", cp);
		return -1;
	}
	if (mi->table.count == 0) {
		mta_buf_adds(err, "no entries");
		return -1;
	}
	return 0;
}

/* inline_fail - finish an open error: say what to write, free, NULL */
static struct mta_map *
inline_fail(struct map_inline *mi, const char *type, const char *name,
	    struct mta_buf *err, const char *want)
{
	struct mta_buf why = MTA_BUF_INIT(1024);

	mta_buf_set(&why, mta_buf_str(err));
	mta_buf_clear(err);
	mta_buf_printf(err, "%s:%.200s: %s; write %s", type, name,
		       mta_buf_str(&why), want);
	mta_buf_release(&why);
	inline_close(&mi->map);
	free(mi);
	errno = EINVAL;
	return NULL;
}

/* map_inline_new - an empty table with the read-only operations */
static struct map_inline *
map_inline_new(void)
{
	struct map_inline *mi = mta_calloc(1, sizeof(*mi));

	mi->map.ops = &inline_ops;
	mta_htable_init(&mi->table, free);
	return mi;
}

/* mta_map_inline_open - inline:{key=value, ...} */
struct mta_map *
mta_map_inline_open(const char *name, int flags, struct mta_buf *err)
{
	struct map_inline *mi = map_inline_new();
	char *copy, *list;
	int rc = -1;

	mta_buf_clear(err);
	if (strlen(name) > INLINE_MAX) {
		mta_buf_adds(err, "too long");
		return inline_fail(mi, "inline", name, err,
				   "inline:{name=value, ...}");
	}
	copy = mta_strdup(name);
	if (*copy != '{' || (list = inline_unbrace(copy)) == NULL)
		mta_buf_adds(err, "the list must be in braces");
	else
		rc = inline_parse(mi, list, flags, err);
	free(copy);
	if (rc < 0 || (flags & (MTA_MAP_CREATE | MTA_MAP_WRITE))) {
		if (rc == 0)
			mta_buf_adds(err, "an inline: table is read-only");
		return inline_fail(mi, "inline", name, err,
				   "inline:{name=value, ...}");
	}
	return &mi->map;
}

/* static_lookup - every key finds the value */
static int
static_lookup(struct mta_map *map, const char *key, const char **value)
{
	*value = ((struct map_inline *)map)->value;
	return 1;
}

static const struct mta_map_ops static_ops = {
	.lookup = static_lookup,
	.close = inline_close,
};

/* mta_map_static_open - static:VALUE or static:{VALUE with spaces} */
struct mta_map *
mta_map_static_open(const char *name, int flags, struct mta_buf *err)
{
	struct map_inline *mi = map_inline_new();
	char *copy = mta_strdup(name), *value = inline_unbrace(copy);

	mta_buf_clear(err);
	mi->map.ops = &static_ops;
	if (value == NULL || *value == '\0' ||
	    (flags & (MTA_MAP_CREATE | MTA_MAP_WRITE))) {
		mta_buf_adds(err, value == NULL ? "unbalanced '{' or text "
			     "after '}'" : *value ? "a static: table is "
			     "read-only" : "no value");
		free(copy);
		return inline_fail(mi, "static", name, err,
				   "static:VALUE or static:{VALUE}");
	}
	mi->value = mta_strdup(value);
	free(copy);
	return &mi->map;
}
