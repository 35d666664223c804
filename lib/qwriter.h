/*
 * qwriter - write a queue file the way Postfix's cleanup does, so that
 * Postfix's tools (postcat, qshape, its qmgr) read it: the 'C' record
 * first (a placeholder, rewritten with the real sizes at the end), then
 * the records the caller adds in order, each segment closed by 'M', 'X'
 * and 'E'. Content lines longer than the record limit are cut into 'L'
 * pieces. Closing makes the file durable and marks it complete:
 * fflush, rewrite 'C', fsync, fchmod 0700, fsync, fsync the directory.
 * Until then the file is 0600 and every reader skips it; an aborted
 * writer removes it.
 */
#ifndef MTA_QWRITER_H
#define MTA_QWRITER_H

#include <stdio.h>

#include "qid.h"
#include "spool.h"

#define MTA_QWRITER_LINE_MAX 2048	/* line_length_limit */

struct mta_qwriter {
	const struct mta_spool *spool;
	char queue[MTA_QUEUE_NAME_MAX + 1];
	char id[MTA_QID_SIZE];
	FILE *fp;
	int fd;
	int segment;		/* 0 envelope, 1 content, 2 extracted, 3 done */
	long long data_offset;	/* first byte after 'M' */
	long long xtra_offset;	/* the 'X' record */
	long long nrcpt;
	int notify_mask;	/* OR of recipients' NOTIFY flags */
	int rcpt_in_segment;	/* a recipient record was written here */
	int mixed;		/* then something else: qmgr flag bit 0 */
	int error;		/* errno of the first failed write */
	size_t line_max;	/* line_length_limit; 0: MTA_QWRITER_LINE_MAX */
};

int mta_qwriter_open(struct mta_qwriter *w, const struct mta_spool *sp,
		     const char *queue);
int mta_qwriter_rec(struct mta_qwriter *w, int type, const void *data,
		    size_t len);
int mta_qwriter_str(struct mta_qwriter *w, int type, const char *text);
int mta_qwriter_line(struct mta_qwriter *w, const char *text, size_t len);
int mta_qwriter_close(struct mta_qwriter *w);
void mta_qwriter_abort(struct mta_qwriter *w);

#endif
