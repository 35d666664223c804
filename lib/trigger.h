/*
 * trigger - wake a daemon through its FIFO (public/pickup, public/qmgr):
 * write request bytes without blocking. A FIFO nobody reads means the
 * daemon (or the whole mail system) is not running: that is reported, not
 * waited for.
 */
#ifndef MTA_TRIGGER_H
#define MTA_TRIGGER_H

#include <stddef.h>

#define MTA_TRIGGER_WAKEUP "W"	/* look for work */
#define MTA_TRIGGER_SCAN_INCOMING "I"
#define MTA_TRIGGER_SCAN_DEFERRED "D"
#define MTA_TRIGGER_SCAN_ALL "A"	/* ignore the times of deferred mail */
#define MTA_TRIGGER_FLUSH_DEAD "F"	/* retry destinations marked dead */

int mta_trigger(int dirfd, const char *path, const char *requests);

#endif
