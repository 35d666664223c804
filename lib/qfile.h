/*
 * qfile - is this a queue file a queue manager can take? The checks
 * Postfix's qmgr makes before it delivers (and moves a file to corrupt/
 * when they fail), in one place for qmgr and for "mta-queue check":
 *
 *   - every record reads (no length past the end, none too long), and its
 *     type is allowed in its segment (a recipient in the content is not);
 *   - the segments end in order: 'M', then 'X', then 'E';
 *   - a 'T' arrival time and exactly one 'S' sender come first;
 *   - a cleanup file starts with a 'C' record whose data offset and size
 *     point exactly at the content and at 'X' (qmgr seeks by them);
 *   - every 'A' record is name=value.
 *
 * A maildrop file (what postdrop writes) has no 'C' record to check.
 */
#ifndef MTA_QFILE_H
#define MTA_QFILE_H

#include <stdbool.h>
#include <stdio.h>

#include "buf.h"

#define MTA_QFILE_MAILDROP 1	/* postdrop's format: no 'C' record */
#define MTA_QFILE_PAYLOAD_MAX (1 << 24)

int mta_qfile_validate(FILE *fp, int flags, struct mta_buf *why);

#endif
