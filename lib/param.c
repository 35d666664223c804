/* param - lookups and value checks over the parameter table (see param.h). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "param.h"
#include "str.h"

/* param_cmp - bsearch comparison of a name with a table entry */
static int
param_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct mta_param *)elem)->name);
}

/* mta_param_find - the table entry of name, or NULL */
const struct mta_param *
mta_param_find(const char *name)
{
	return bsearch(name, mta_param_table, mta_param_count,
		       sizeof(mta_param_table[0]), param_cmp);
}

/* name_cmp - bsearch comparison over an array of names */
static int
name_cmp(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

/* mta_param_postfix_knows - is name a parameter of Postfix 3.7 */
bool
mta_param_postfix_knows(const char *name)
{
	return bsearch(name, mta_param_postfix_names, mta_param_postfix_count,
		       sizeof(mta_param_postfix_names[0]), name_cmp) != NULL;
}

/* suggest_limit - how many edits a suggestion may be away, by length */
static size_t
suggest_limit(const char *name)
{
	size_t len = strlen(name);

	return len < 8 ? 1 : len < 16 ? 2 : 3;
}

/*
 * mta_param_suggest - the known name closest to name, for "did you mean";
 * ours first, then Postfix's; NULL when nothing is close. A name that only
 * lacks or adds a 'd' after "smtp" (the seed's slip) is always found.
 */
const char *
mta_param_suggest(const char *name)
{
	size_t limit = suggest_limit(name), best_d = limit + 1;
	const char *best = NULL;

	for (size_t i = 0; i < mta_param_count; i++) {
		size_t d = mta_str_edit_distance(name, mta_param_table[i].name,
						 limit);
		if (d < best_d) {
			best_d = d;
			best = mta_param_table[i].name;
		}
	}
	for (size_t i = 0; i < mta_param_postfix_count; i++) {
		size_t d = mta_str_edit_distance(
			name, mta_param_postfix_names[i], limit);
		if (d < best_d) {
			best_d = d;
			best = mta_param_postfix_names[i];
		}
	}
	return best;
}

/* mta_param_type_name - the word for a type, for messages and docs */
const char *
mta_param_type_name(enum mta_param_type type)
{
	switch (type) {
	case MTA_PARAM_STR:
		return "string";
	case MTA_PARAM_INT:
		return "integer";
	case MTA_PARAM_BOOL:
		return "boolean";
	case MTA_PARAM_TIME:
		return "time";
	case MTA_PARAM_SIZE:
		return "size";
	case MTA_PARAM_ENUM:
		return "word";
	}
	return "?";
}

/* mta_param_parse_int - a non-negative decimal number, nothing else */
int
mta_param_parse_int(const char *text, long long *out)
{
	char *end;
	long long v;

	if (*text < '0' || *text > '9')
		return -1;
	errno = 0;
	v = strtoll(text, &end, 10);
	if (errno || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

/* time_unit - seconds per unit letter, 0 for an unknown letter */
static long long
time_unit(int ch)
{
	switch (ch) {
	case 's': case 'S':
		return 1;
	case 'm': case 'M':
		return 60;
	case 'h': case 'H':
		return 3600;
	case 'd': case 'D':
		return 86400;
	case 'w': case 'W':
		return 7 * 86400;
	}
	return 0;
}

/*
 * mta_param_parse_time - "N" or "N" followed by one unit letter (s, m, h,
 * d, w), in seconds; a bare number is in the given default unit.
 */
int
mta_param_parse_time(const char *text, char unit, long long *out)
{
	char *end;
	long long v, mult;

	if (*text < '0' || *text > '9')
		return -1;
	errno = 0;
	v = strtoll(text, &end, 10);
	if (errno)
		return -1;
	if (*end == '\0')
		mult = time_unit(unit ? unit : 's');
	else if (end[1] == '\0')
		mult = time_unit((unsigned char)*end);
	else
		return -1;
	if (mult == 0 || v > LLONG_MAX / mult)
		return -1;
	*out = v * mult;
	return 0;
}

/* mta_param_parse_bool - "yes" or "no", in any case */
int
mta_param_parse_bool(const char *text, bool *out)
{
	if (strcasecmp(text, "yes") == 0) {
		*out = true;
		return 0;
	}
	if (strcasecmp(text, "no") == 0) {
		*out = false;
		return 0;
	}
	return -1;
}

/* enum_has_word - is word one of the '|'-separated choices */
static bool
enum_has_word(const char *choices, const char *word, size_t len)
{
	const char *cp = choices;

	while (*cp) {
		size_t n = strcspn(cp, "|");

		if (n == len && strncasecmp(cp, word, len) == 0)
			return true;
		cp += n;
		if (*cp == '|')
			cp++;
	}
	return false;
}

/* check_enum - one word of the choices, or a list of them (LIST flag) */
static int
check_enum(const struct mta_param *p, const char *value, struct mta_buf *err)
{
	const char *cp = value;
	int words = 0;

	for (;;) {
		size_t len;

		cp += strspn(cp, MTA_SEP_LIST);
		if (*cp == '\0')
			break;
		len = strcspn(cp, MTA_SEP_LIST);
		if (!enum_has_word(p->choices, cp, len) ||
		    (++words > 1 && !(p->flags & MTA_PARAM_LIST))) {
			mta_buf_printf(err, "expected %s%s, not \"%s\"",
				       p->flags & MTA_PARAM_LIST ?
					       "a list of " : "one of ",
				       p->choices, value);
			return -1;
		}
		cp += len;
	}
	if (words == 0) {
		mta_buf_printf(err, "expected one of %s, not an empty value",
			       p->choices);
		return -1;
	}
	return 0;
}

/* check_bounds - the number against the entry's minimum and maximum */
static int
check_bounds(const struct mta_param *p, const char *value, long long v,
	     struct mta_buf *err)
{
	if (v < p->min) {
		mta_buf_printf(err, "\"%s\" is below the minimum %lld%s", value,
			       p->min, p->type == MTA_PARAM_TIME ? "s" : "");
		return -1;
	}
	if (p->max > 0 && v > p->max) {
		mta_buf_printf(err, "\"%s\" is above the maximum %lld%s", value,
			       p->max, p->type == MTA_PARAM_TIME ? "s" : "");
		return -1;
	}
	return 0;
}

/*
 * mta_param_check - is value (already expanded) right for p: its type,
 * then its bounds. On error err says why, in words for a human.
 */
int
mta_param_check(const struct mta_param *p, const char *value,
		struct mta_buf *err)
{
	long long v = 0;
	bool b;

	switch (p->type) {
	case MTA_PARAM_STR:
		return 0;
	case MTA_PARAM_ENUM:
		return check_enum(p, value, err);
	case MTA_PARAM_BOOL:
		if (mta_param_parse_bool(value, &b) == 0)
			return 0;
		mta_buf_printf(err, "expected yes or no, not \"%s\"", value);
		return -1;
	case MTA_PARAM_TIME:
		if (mta_param_parse_time(value, p->unit, &v) < 0) {
			mta_buf_printf(err, "expected a time (a number with "
				       "an optional unit s, m, h, d or w), "
				       "not \"%s\"", value);
			return -1;
		}
		break;
	case MTA_PARAM_INT:
	case MTA_PARAM_SIZE:
		if (mta_param_parse_int(value, &v) < 0) {
			mta_buf_printf(err, "expected a number, not \"%s\"",
				       value);
			return -1;
		}
		break;
	}
	return check_bounds(p, value, v, err);
}
