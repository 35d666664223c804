/*
 * mta-map - what the parts of the program share: the options as parsed,
 * and one function per mode. Each mode returns the exit status.
 */
#ifndef MTA_MAP_PROG_H
#define MTA_MAP_PROG_H

#include <stdbool.h>

#include "map.h"

struct mapcmd {
	int flags;	/* MTA_MAP_NOFOLD with -f */
	bool json;
	bool replace;	/* -r: a duplicate replaces the earlier entry */
	bool quiet_dups;	/* -w: duplicates are ignored silently */
	const char **maps;	/* TYPE:FILE arguments, "hash:" added */
	int nmaps;
};

int mapcmd_build(struct mapcmd *cmd);
int mapcmd_incremental(struct mapcmd *cmd);
int mapcmd_query(struct mapcmd *cmd, const char *key);
int mapcmd_query_stdin(struct mapcmd *cmd);
int mapcmd_dump(struct mapcmd *cmd);
int mapcmd_delete(struct mapcmd *cmd, const char *key);
int mapcmd_delete_stdin(struct mapcmd *cmd);

struct mta_map *mapcmd_open(struct mapcmd *cmd, const char *spec, int flags,
			    int *status);
int mapcmd_status(int err, int fallback);
int mapcmd_print(struct mapcmd *cmd, const char *key, const char *value,
		 bool with_key);
int mapcmd_flush(void);

#endif
