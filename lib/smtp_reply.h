/*
 * smtp_reply - the replies of a remote SMTP server, read as hostile input.
 *
 * An incremental parser: mta_smtp_reply_feed() takes whatever bytes the
 * network gave and says when one whole reply (one or more lines "NNN-text"
 * ... "NNN text") is complete, how many bytes it used, or why the bytes
 * are not an SMTP reply. What is refused (MTA_SMTP_REPLY_BAD):
 *
 *   - a line that does not end with CR LF: a bare LF, a bare CR;
 *   - a NUL byte anywhere;
 *   - a line over MTA_SMTP_REPLY_LINE_MAX bytes, a reply over
 *     MTA_SMTP_REPLY_TEXT_MAX bytes or MTA_SMTP_REPLY_LINES_MAX lines;
 *   - a line without a 3-digit code 2xx-5xx, a separator other than
 *     ' ' or '-', or a code that differs from the first line's.
 *
 * The text kept (lines joined with '\n') holds no control byte and no
 * byte over 0x7e: each becomes '?', so it can go to a log or a DSN as is.
 * The enhanced status code (RFC 3463) of the first line is picked out
 * when it agrees with the reply code's class.
 */
#ifndef MTA_SMTP_REPLY_H
#define MTA_SMTP_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define MTA_SMTP_REPLY_LINE_MAX 2048
#define MTA_SMTP_REPLY_TEXT_MAX 16384
#define MTA_SMTP_REPLY_LINES_MAX 200

#define MTA_SMTP_REPLY_MORE 0	/* all bytes used, the reply goes on */
#define MTA_SMTP_REPLY_DONE 1	/* a whole reply; *used bytes taken */
#define MTA_SMTP_REPLY_BAD -1	/* not an SMTP reply: error says why */

/* ESMTP extensions from an EHLO reply. */
#define MTA_SMTP_EXT_PIPELINING 0x01
#define MTA_SMTP_EXT_SIZE 0x02
#define MTA_SMTP_EXT_8BITMIME 0x04
#define MTA_SMTP_EXT_DSN 0x08
#define MTA_SMTP_EXT_SMTPUTF8 0x10
#define MTA_SMTP_EXT_STARTTLS 0x20
#define MTA_SMTP_EXT_ENHANCED 0x40

struct mta_smtp_reply {
	int code;		/* 250 */
	char dsn[16];		/* "2.0.0" from the text, or "" */
	size_t nlines;
	struct mta_buf text;	/* the lines, masked, joined with '\n' */
	struct mta_buf line;	/* the line being read */
	bool cr;		/* the last byte was CR */
	char error[128];
};

void mta_smtp_reply_init(struct mta_smtp_reply *r);
void mta_smtp_reply_reset(struct mta_smtp_reply *r);
void mta_smtp_reply_release(struct mta_smtp_reply *r);
int mta_smtp_reply_feed(struct mta_smtp_reply *r, const char *data,
			size_t len, size_t *used);

/* The text on one line ('\n' -> ' '), for "host h[a] said: ..." */
int mta_smtp_reply_flat(const struct mta_smtp_reply *r, struct mta_buf *out);
/* The enhanced code, or the class default "5.0.0" / "4.0.0" / "2.0.0". */
const char *mta_smtp_reply_dsn(const struct mta_smtp_reply *r);
/* The extensions of an EHLO reply; *size: SIZE's limit (0: none given). */
unsigned mta_smtp_ehlo_features(const struct mta_smtp_reply *r,
				long long *size);

#endif
