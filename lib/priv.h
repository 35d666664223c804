/*
 * priv - giving up root, in one place and one order: supplementary groups,
 * then the group ids, then the user ids, then a check that none of the
 * three user or group ids can bring root back. Only this module and the
 * daemon skeleton make these calls.
 */
#ifndef MTA_PRIV_H
#define MTA_PRIV_H

#include <sys/types.h>

#include "buf.h"

int mta_priv_lookup(const char *user, uid_t *uid, gid_t *gid,
		    struct mta_buf *err);
int mta_priv_drop(uid_t uid, gid_t gid, struct mta_buf *err);

#endif
