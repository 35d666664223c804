/*
 * str - small string helpers that lib/ and the programs share. Everything
 * here works on ASCII only: mail syntax is ASCII, and locale-dependent case
 * folding would make map keys differ between machines.
 */
#ifndef MTA_STR_H
#define MTA_STR_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define MTA_SPACE " \t\r\n"
#define MTA_SEP_LIST " \t\r\n,"

static inline bool
mta_is_space(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' ||
	       ch == '\v' || ch == '\f';
}

char *mta_str_lower(char *s);
char *mta_str_trim(char *s);
char *mta_str_skip_space(const char *s);
char *mta_str_token(char **cp, const char *delims);
bool mta_str_has_prefix(const char *s, const char *prefix);
int mta_str_bool(const char *s, bool *value);
int mta_str_escape(struct mta_buf *out, const char *s, size_t len);
int mta_str_json(struct mta_buf *out, const char *s, size_t len);
size_t mta_str_edit_distance(const char *a, const char *b, size_t limit);

#endif
