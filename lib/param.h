/*
 * param - the parameter table: every main.cf parameter mta uses, declared
 * once (name, type, default, bounds, meaning). The same table gives
 * mta-conf -d its defaults, mta-conf --check its value checks, and
 * mta-main.cf(5) its list.
 *
 * Types follow Postfix: a string (often a list), an integer, a boolean
 * (yes/no), a time (a number with an optional unit s, m, h, d or w; a bare
 * number takes the parameter's default unit), a size (a byte count), and
 * an enumeration (one word of a fixed set). Bounds apply to the converted
 * number (seconds for a time): the minimum always, the maximum when it is
 * not 0. Booleans are "yes" or "no" only, as Postfix wants them, so that a
 * main.cf we accept is one Postfix accepts.
 *
 * Names are Postfix's, and so are the defaults, except where the flags say
 * otherwise: MTA_PARAM_EXT marks a parameter of ours that Postfix does not
 * have; MTA_PARAM_OURS marks a Postfix parameter whose default differs
 * (paths under /etc/mta, our user names, safer values); MTA_PARAM_MACHINE a
 * default computed from the machine when the configuration is loaded
 * (myhostname, mydomain); MTA_PARAM_OBSOLETE a name kept only to translate
 * it, with a warning.
 */
#ifndef MTA_PARAM_H
#define MTA_PARAM_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

enum mta_param_type {
	MTA_PARAM_STR,
	MTA_PARAM_INT,
	MTA_PARAM_BOOL,
	MTA_PARAM_TIME,
	MTA_PARAM_SIZE,
	MTA_PARAM_ENUM,
};

#define MTA_PARAM_EXT 0x1
#define MTA_PARAM_OURS 0x2
#define MTA_PARAM_MACHINE 0x4
#define MTA_PARAM_OBSOLETE 0x8
#define MTA_PARAM_LIST 0x10	/* ENUM: a list of the words, not one */
#define MTA_PARAM_RAW 0x20	/* not expanded by config: its user expands
				   it with names of its own ($user, $home) */

struct mta_param {
	const char *name;
	enum mta_param_type type;
	const char *def;	/* default, as main.cf would write it */
	long long min, max;	/* bounds of the number; max 0: none */
	char unit;	/* TIME: the unit of a bare number */
	int flags;
	const char *choices;	/* ENUM: the words, separated by '|' */
	const char *desc;	/* one line: what it is for */
};

/* The table, sorted by name (a unit test keeps it so). */
extern const struct mta_param mta_param_table[];
extern const size_t mta_param_count;

/* Postfix 3.7's parameter names, sorted, for --check (data file). */
extern const char *const mta_param_postfix_names[];
extern const size_t mta_param_postfix_count;

const struct mta_param *mta_param_find(const char *name);
bool mta_param_postfix_knows(const char *name);
const char *mta_param_suggest(const char *name);
const char *mta_param_type_name(enum mta_param_type type);

int mta_param_parse_int(const char *text, long long *out);
int mta_param_parse_time(const char *text, char unit, long long *out);
int mta_param_parse_bool(const char *text, bool *out);
int mta_param_check(const struct mta_param *p, const char *value,
		    struct mta_buf *err);

#endif
