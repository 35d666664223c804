/*
 * buf - growing text with a hard cap.
 *
 * Every buffer has a maximum length fixed at init; an append that would pass
 * it fails (returns -1, errno EMSGSIZE) and leaves the buffer as it was. The
 * text is always NUL-terminated, so data can be passed to C string code, but
 * it may also hold NUL bytes: len is the truth.
 */
#ifndef MTA_BUF_H
#define MTA_BUF_H

#include <stddef.h>

#include "msg.h"

struct mta_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
};

#define MTA_BUF_INIT(max) { NULL, 0, 0, (max) }

void mta_buf_init(struct mta_buf *b, size_t max);
void mta_buf_release(struct mta_buf *b);
void mta_buf_clear(struct mta_buf *b);
int mta_buf_add(struct mta_buf *b, const void *data, size_t len);
int mta_buf_addc(struct mta_buf *b, int ch);
int mta_buf_adds(struct mta_buf *b, const char *s);
int mta_buf_printf(struct mta_buf *b, const char *fmt, ...) MTA_PRINTF(2, 3);
int mta_buf_set(struct mta_buf *b, const char *s);
int mta_buf_pad(struct mta_buf *b, int ch, size_t n);
void mta_buf_truncate(struct mta_buf *b, size_t len);
const char *mta_buf_str(struct mta_buf *b);
char *mta_buf_steal(struct mta_buf *b);

#endif
