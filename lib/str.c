/* str - small ASCII string helpers (see str.h). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "str.h"

/* mta_str_lower - fold ASCII upper case to lower case in place */
char *
mta_str_lower(char *s)
{
	for (char *cp = s; *cp; cp++)
		if (*cp >= 'A' && *cp <= 'Z')
			*cp = (char)(*cp - 'A' + 'a');
	return s;
}

/* mta_str_skip_space - the first byte that is not white space */
char *
mta_str_skip_space(const char *s)
{
	while (mta_is_space((unsigned char)*s))
		s++;
	return (char *)s;
}

/* mta_str_trim - drop leading and trailing white space, in place */
char *
mta_str_trim(char *s)
{
	char *end;

	s = mta_str_skip_space(s);
	end = s + strlen(s);
	while (end > s && mta_is_space((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/*
 * mta_str_token - the next token separated by any of delims, skipping empty
 * ones (like Postfix's mystrtok); NULL at the end. *cp advances.
 */
char *
mta_str_token(char **cp, const char *delims)
{
	char *start = *cp + strspn(*cp, delims);
	char *end;

	if (*start == '\0') {
		*cp = start;
		return NULL;
	}
	end = start + strcspn(start, delims);
	if (*end)
		*end++ = '\0';
	*cp = end;
	return start;
}

/* mta_str_has_prefix - does s start with prefix */
bool
mta_str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* mta_str_bool - Postfix booleans: yes/no, also true/false, on/off, 1/0 */
int
mta_str_bool(const char *s, bool *value)
{
	static const char *yes[] = {"yes", "true", "on", "1"};
	static const char *no[] = {"no", "false", "off", "0"};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*value = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*value = false;
			return 0;
		}
	}
	return -1;
}

/*
 * mta_str_escape - append bytes made safe for a log line or a reply:
 * printable ASCII as is, everything else as \ooo (backslash too).
 */
int
mta_str_escape(struct mta_buf *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		int rc;

		if (ch >= 0x20 && ch < 0x7f && ch != '\\')
			rc = mta_buf_addc(out, ch);
		else
			rc = mta_buf_printf(out, "\\%03o", ch);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/*
 * mta_str_json - append s as a JSON string literal, quotes included, escaped
 * as Postfix's postqueue -j does (\\u00XX in upper case; UTF-8 kept).
 */
int
mta_str_json(struct mta_buf *out, const char *s, size_t len)
{
	if (mta_buf_addc(out, '"') < 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		int rc;

		if (ch == '"' || ch == '\\')
			rc = mta_buf_printf(out, "\\%c", ch);
		else if (ch == '\n')
			rc = mta_buf_adds(out, "\\n");
		else if (ch == '\t')
			rc = mta_buf_adds(out, "\\t");
		else if (ch == '\r')
			rc = mta_buf_adds(out, "\\r");
		else if (ch == '\b')
			rc = mta_buf_adds(out, "\\b");
		else if (ch == '\f')
			rc = mta_buf_adds(out, "\\f");
		else if (ch < 0x20 || ch == 0x7f)
			rc = mta_buf_printf(out, "\\u%04X", ch);
		else
			rc = mta_buf_addc(out, ch);
		if (rc < 0)
			return -1;
	}
	return mta_buf_addc(out, '"');
}

/*
 * mta_str_edit_distance - Levenshtein distance between a and b, or limit+1
 * when it is larger than limit (or either string is too long to bother).
 * Used for "did you mean" suggestions.
 */
size_t
mta_str_edit_distance(const char *a, const char *b, size_t limit)
{
	enum { MAXLEN = 128 };
	size_t la = strlen(a), lb = strlen(b);
	size_t row[MAXLEN + 1];

	if (la > MAXLEN || lb > MAXLEN)
		return limit + 1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0], best;

		row[0] = i;
		best = row[0];
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t v = diag + cost;

			if (up + 1 < v)
				v = up + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			row[j] = v;
			diag = up;
			if (v < best)
				best = v;
		}
		if (best > limit)
			return limit + 1;
	}
	return row[lb] > limit ? limit + 1 : row[lb];
}
