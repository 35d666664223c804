/*
 * mta-alias - what the parts of the program share: the options as parsed
 * and one function per mode, each returning the exit status.
 */
#ifndef MTA_ALIAS_PROG_H
#define MTA_ALIAS_PROG_H

#include <stdbool.h>

#include "map.h"

struct aliascmd {
	int flags;	/* MTA_MAP_NOFOLD with -f */
	bool json;
	bool replace;	/* -r: a duplicate replaces the earlier entry */
	bool quiet_dups;	/* -w: duplicates are ignored silently */
	char **maps;	/* TYPE:FILE arguments, "hash:" added */
	int nmaps;
};

int aliascmd_build(struct aliascmd *cmd, const char *spec);
int aliascmd_incremental(struct aliascmd *cmd, const char *spec);

struct mta_map *aliascmd_open(struct aliascmd *cmd, const char *spec,
			      int flags, int *status);
bool aliascmd_buildable(const char *spec);

#endif
