/*
 * qread - a queue file as a delivery agent reads it: opened and share-
 * locked (qmgr and mta-queue take the exclusive lock), what the envelope
 * and the extracted segment say about delivery (size, DSN RET and ENVID,
 * 8-bit content), then the content, one N/L record at a time, through a
 * big stdio buffer. The queue file descriptor stays open for
 * mta_dlv_record() to mark recipients done. Both local and smtp read
 * their messages through it.
 *
 * The 'C' record is checked, never trusted: its data offset must be where
 * the 'M' record ends and its content size must lead exactly to the 'X'
 * record, or the file is refused (the agent defers, as for any read
 * error), so that a lying size cannot make content bytes pass for
 * extracted records; content that forges an 'X' record just there is
 * caught when the content is read: its real 'X' is elsewhere, and the
 * read fails before the message is complete. A file with no 'C' record
 * is read through to 'X'.
 * Sender and recipients are not read here: qmgr's request carries them.
 *
 * mta_qread_piece() is a mta_msg_read_fn (deliver.h): a piece is a whole
 * line, or with *more set the first part of a line that the next piece
 * continues (an 'L' record).
 */
#ifndef MTA_QREAD_H
#define MTA_QREAD_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "buf.h"
#include "record.h"
#include "spool.h"

#define MTA_QREAD_RECORD_MAX (1 << 20)
#define MTA_QREAD_IOBUF (1 << 16)

#define MTA_QREAD_RET_FULL 1	/* Postfix's DSN_RET_FULL */
#define MTA_QREAD_RET_HDRS 2

struct mta_qread {
	int fd;
	FILE *fp;
	off_t data_offset;	/* the first content record */
	long long size;		/* the content size of the C record, or 0 */
	int dsn_ret;		/* ret_flags, or 0 */
	char *dsn_envid;	/* envelope_id, or NULL */
	bool eightbit;		/* encoding=8bit */
	struct mta_rec_reader rr;
	struct mta_buf rec;
	bool eof;
	char *iobuf;
};

int mta_qread_open(const struct mta_spool *sp, const char *queue,
		   const char *id, struct mta_qread *q, struct mta_buf *err);
void mta_qread_close(struct mta_qread *q);
int mta_qread_rewind(struct mta_qread *q);
int mta_qread_piece(void *ctx, const char **data, size_t *len, bool *more);

#endif
