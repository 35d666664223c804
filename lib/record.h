/*
 * record - Postfix queue-file records, byte for byte.
 *
 * A queue file is a flat sequence of records: one type byte, the payload
 * length in 1 to 4 bytes (7 bits each, least significant group first, bit 7
 * set on every byte but the last), then the payload (any bytes). There is
 * no header and no checksum. Three segments follow each other: the
 * envelope (ends with 'M'), the content ('N' lines, 'L' pieces of longer
 * lines; ends with 'X') and the extracted information (ends with 'E').
 * 'p' records point elsewhere in the file (Milter edits), 'w' records are
 * padding. The first record of a finished file is 'C', six numbers of 15
 * characters each, rewritten in place when the file is complete. A
 * delivered recipient is marked by overwriting the type byte of its 'R'
 * record with 'D'. See ../share/doc/spool.md and Postfix's rec_type.h.
 *
 * A record read has its payload in data->data, NUL-terminated (the
 * payload itself may hold NUL bytes: data->len is the truth).
 * Readers never trust a length: a declared length past the caller's limit
 * or past the end of the file is an error, reported, never allocated.
 */
#ifndef MTA_RECORD_H
#define MTA_RECORD_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "buf.h"

/* Record types (Postfix's names in comments: what postcat prints). */
#define MTA_REC_SIZE 'C'	/* message_size */
#define MTA_REC_TIME 'T'	/* message_arrival_time */
#define MTA_REC_CTIME 'c'	/* queue_file_create_time (pseudo) */
#define MTA_REC_FULLNAME 'F'	/* sender_fullname */
#define MTA_REC_INSPECT 'I'	/* content_inspector */
#define MTA_REC_FILTER 'L'	/* content_filter (envelope, extracted) */
#define MTA_REC_CONT 'L'	/* unterminated_text (content) */
#define MTA_REC_FROM 'S'	/* sender */
#define MTA_REC_DONE 'D'	/* done_recipient */
#define MTA_REC_RCPT 'R'	/* recipient */
#define MTA_REC_ORCP 'O'	/* original_recipient */
#define MTA_REC_DRCP '/'	/* canceled_recipient */
#define MTA_REC_WARN 'W'	/* warning_message_time */
#define MTA_REC_ATTR 'A'	/* named_attribute */
#define MTA_REC_KILL 'K'	/* killed_record */
#define MTA_REC_RDR '>'		/* redirect_to */
#define MTA_REC_FLGS 'f'	/* cleanup protocol only */
#define MTA_REC_MESG 'M'	/* message_content */
#define MTA_REC_NORM 'N'	/* regular_text */
#define MTA_REC_DTXT 'w'	/* padding */
#define MTA_REC_XTRA 'X'	/* extracted_info */
#define MTA_REC_RRTO 'r'	/* return_receipt */
#define MTA_REC_ERTO 'e'	/* errors_to */
#define MTA_REC_PRIO 'P'	/* priority */
#define MTA_REC_PTR 'p'		/* pointer_record */
#define MTA_REC_VERP 'V'	/* verp_delimiters */
#define MTA_REC_DSN_RET '<'	/* dsn_return_flags (pseudo) */
#define MTA_REC_DSN_ENVID 'i'	/* dsn_envelope_id (pseudo) */
#define MTA_REC_DSN_ORCPT 'o'	/* dsn_original_recipient (pseudo) */
#define MTA_REC_DSN_NOTIFY 'n'	/* dsn_notify_flags (pseudo) */
#define MTA_REC_END 'E'		/* message_end */

#define MTA_REC_MAX_LEN_BYTES 4
#define MTA_REC_SIZE_FIELDS 6
#define MTA_REC_SIZE_WIDTH 15
#define MTA_REC_SIZE_PAYLOAD 95	/* 6 * 15 + 5 */
#define MTA_REC_PTR_PAYLOAD 15
#define MTA_REC_MAX_JUMPS 10000

/* What a segment may hold (terminator first). */
#define MTA_REC_ENVELOPE_TYPES "MCTcFILSDRO/WVA>K<ion"
#define MTA_REC_CONTENT_TYPES "XLNw"
#define MTA_REC_EXTRACTED_TYPES "EDRO/PreAFIL>Kon"

/* Reader results beyond "1 = a record". */
#define MTA_REC_EOF 0
#define MTA_REC_ERROR -1

/* Reader flags. */
#define MTA_REC_FOLLOW 1	/* follow 'p' records, skip 'w' padding */

struct mta_rec_reader {
	FILE *fp;
	int flags;
	size_t max;		/* longest payload accepted */
	off_t offset;		/* where the last record started */
	off_t pos;		/* where the next one starts (no lseek per record) */
	int jumps;		/* pointer jumps so far */
	char error[128];	/* why the last read returned MTA_REC_ERROR */
};

void mta_rec_reader_init(struct mta_rec_reader *rr, FILE *fp, size_t max,
			 int flags);
int mta_rec_read(struct mta_rec_reader *rr, int *type, struct mta_buf *data);
int mta_rec_skip(struct mta_rec_reader *rr, off_t len);

int mta_rec_write(FILE *fp, int type, const void *data, size_t len);
int mta_rec_writes(FILE *fp, int type, const char *text);
int mta_rec_writef(FILE *fp, int type, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int mta_rec_len_encode(unsigned char out[MTA_REC_MAX_LEN_BYTES], size_t len);
int mta_rec_mark(int fd, off_t offset, int type);

int mta_rec_size_format(char out[MTA_REC_SIZE_PAYLOAD + 1],
			const long long fields[MTA_REC_SIZE_FIELDS]);
int mta_rec_size_parse(const char *payload, size_t len,
		       long long fields[MTA_REC_SIZE_FIELDS]);
int mta_rec_attr_split(char *payload, char **name, char **value);
int mta_rec_attr_pseudo(const char *name);
const char *mta_rec_name(int type, bool in_content);
bool mta_rec_allowed(int type, int segment);

#endif
