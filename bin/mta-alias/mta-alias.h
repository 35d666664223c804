/*
 * mta-alias - what the parts of the program share: building, which is all
 * that is mta-alias's own (querying, listing and deleting are
 * lib/mapcmd's). Each returns the exit status.
 */
#ifndef MTA_ALIAS_PROG_H
#define MTA_ALIAS_PROG_H

#include "mapcmd.h"

int aliascmd_build(struct mta_mapcmd *cmd, const char *spec);
int aliascmd_incremental(struct mta_mapcmd *cmd, const char *spec);

#endif
