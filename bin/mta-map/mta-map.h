/*
 * mta-map - what the parts of the program share: building, which is all
 * that is mta-map's own (querying, listing and deleting are lib/mapcmd's).
 * Each returns the exit status.
 */
#ifndef MTA_MAP_PROG_H
#define MTA_MAP_PROG_H

#include "mapcmd.h"

int mtamap_build(struct mta_mapcmd *cmd);
int mtamap_incremental(struct mta_mapcmd *cmd);

#endif
