/*
 * bouncelog - the per-message defer, bounce and trace logs of the spool
 * (defer/[hash]/ID, bounce/ID, trace/ID), in Postfix's text format.
 *
 * A log is a sequence of entries, one per recipient per attempt, each
 * between empty lines:
 *
 *	<RCPT>: REASON			legacy line, always written
 *	recipient=RCPT
 *	original_recipient=ORCPT	when it differs from RCPT
 *	offset=N			the R record in the queue file
 *	dsn_orig_rcpt=TYPE;ADDR
 *	notify_flags=N
 *	status=X.Y.Z
 *	action=ACTION
 *	diag_type=TYPE / diag_text=TEXT
 *	mta_type=TYPE / mta_mname=NAME
 *	reason=REASON
 *
 * The reader is lenient (unknown names are skipped, control characters
 * become '?', missing values are filled in as Postfix does) and bounded
 * (a line longer than MTA_BOUNCELOG_LINE_MAX is cut).
 */
#ifndef MTA_BOUNCELOG_H
#define MTA_BOUNCELOG_H

#include <stdbool.h>
#include <stdio.h>

#include "buf.h"

#define MTA_BOUNCELOG_LINE_MAX 8192

struct mta_bounce_entry {
	char *recipient;	/* external (quoted) form */
	char *orig_rcpt;
	long offset;
	char *dsn_orig_rcpt;
	int notify_flags;
	char *status;
	char *action;
	char *diag_type;
	char *diag_text;
	char *mta_type;
	char *mta_mname;
	char *reason;
};

struct mta_bouncelog {
	FILE *fp;
	bool defer;	/* fill-ins: 4.0.0/delayed, else 5.0.0/failed */
	struct mta_buf line;
	struct mta_bounce_entry entry;
	char iobuf[16384];
};

int mta_bouncelog_open(struct mta_bouncelog *bl, int dirfd, const char *path,
		       bool defer);
int mta_bouncelog_next(struct mta_bouncelog *bl,
		       const struct mta_bounce_entry **entry);
void mta_bouncelog_close(struct mta_bouncelog *bl);
int mta_bouncelog_format(struct mta_buf *out,
			 const struct mta_bounce_entry *entry);
int mta_bouncelog_append(int dirfd, const char *path,
			 const struct mta_bounce_entry *entry);

#endif
