/*
 * mapcmd - what mta-map (postmap's job) and mta-alias (postalias's) share
 * once their options are parsed: the maps named on the command line,
 * opening one with an error that says what to do, and the modes that only
 * read or delete.
 *
 *	-q KEY	the first map that has KEY prints its value alone; the maps
 *		are opened in turn, so a later one is not needed when an
 *		earlier one answers (as postmap and postalias do)
 *	-q -	keys from stdin, one a line, every map opened first; each key
 *		found prints "KEY SEP VALUE"
 *	-s	every entry of every map, "KEY SEP VALUE", map by map
 *	-d KEY	KEY removed from every map, then committed; -d - from stdin
 *
 * What differs between the two programs is described by a struct
 * mta_mapcmd_prog: SEP ("\t" for mta-map, ":\t" for mta-alias), the JSON
 * member naming the key ("key" or "name"), whether a JSON object also
 * names its map, the program a missing database is built with, and the
 * --help text of the options. With --json every result is one object a
 * line: {"WORD":KEY,"value":VALUE[,"map":SPEC]}.
 *
 * A program's popt table starts with the MTA_MAPCMD_NOPTS entries that
 * mta_mapcmd_init() fills; after parsing, mta_mapcmd_set() takes the
 * options and the maps named, and mta_mapcmd_run() runs -q, -d or -s.
 *
 * Exit statuses (<sysexits.h>): 0 something was found (or deleted); 1
 * nothing was; 64 a map spec that cannot be used (unknown type, bad
 * syntax); 66 a map file that does not exist; 69 a map that cannot list
 * or delete; 73 a map that cannot be created or written; 74 stdin or
 * stdout failed; 75 a lookup failed (try again later); 77 permission.
 * Input lines are limited to MTA_MAP_MAX_KEY bytes: a longer key cannot
 * be stored, so it is skipped as not found.
 */
#ifndef MTA_MAPCMD_H
#define MTA_MAPCMD_H

#include <popt.h>
#include <stdbool.h>
#include <stdio.h>

#include "map.h"

#define MTA_MAPCMD_NOPTS 8	/* options of both, first in their tables */

/* What makes the program mta-map or mta-alias. */
struct mta_mapcmd_prog {
	const char *name;	/* names the builder: "build it first: NAME" */
	const char *word;	/* "key" or "name": the JSON member */
	const char *sep;	/* between key and value: "\t" or ":\t" */
	bool json_map;	/* a JSON object also names its map */
	const char *arg;	/* "KEY": the operand of -q and -d in --help */
	/* The --help text of -q -s -d -i -f -r -w --json, in that order. */
	const char *help[MTA_MAPCMD_NOPTS];
};

/* The options both programs take, as popt fills them. */
struct mta_mapcmd_opts {
	char *query, *delete;
	int show, incr, nofold, json, replace, quiet_dups;
};

struct mta_mapcmd {
	const struct mta_mapcmd_prog *prog;
	FILE *in;	/* where -q - and -d - read keys (stdin) */
	FILE *out;	/* where results go (stdout) */
	/* The options as parsed. */
	int flags;	/* MTA_MAP_NOFOLD with -f */
	bool json;
	bool replace;	/* -r: a duplicate replaces the earlier entry */
	bool quiet_dups;	/* -w: duplicates are ignored silently */
	char **maps;	/* TYPE:FILE arguments, "hash:" added */
	int nmaps;
};

void mta_mapcmd_init(struct mta_mapcmd *cmd, const struct mta_mapcmd_prog *prog,
		     struct poptOption *table, struct mta_mapcmd_opts *o);
void mta_mapcmd_set(struct mta_mapcmd *cmd, const struct mta_mapcmd_opts *o,
		    const char **args);
const char *mta_mapcmd_conflict(const struct mta_mapcmd_opts *o);
int mta_mapcmd_run(struct mta_mapcmd *cmd, const struct mta_mapcmd_opts *o);
void mta_mapcmd_release(struct mta_mapcmd *cmd, struct mta_mapcmd_opts *o);

void mta_mapcmd_add(struct mta_mapcmd *cmd, const char *arg);
bool mta_mapcmd_buildable(const char *spec);
int mta_mapcmd_status(int err, int fallback);
struct mta_map *mta_mapcmd_open(struct mta_mapcmd *cmd, const char *spec,
				int flags, int *status);

int mta_mapcmd_query(struct mta_mapcmd *cmd, const char *key);
int mta_mapcmd_dump(struct mta_mapcmd *cmd);
int mta_mapcmd_delete(struct mta_mapcmd *cmd, const char *key);

#endif
