/* buf - growing text with a hard cap (see buf.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mem.h"

/* mta_buf_init - an empty buffer that will never hold more than max bytes */
void
mta_buf_init(struct mta_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

/* mta_buf_release - free the storage; the buffer is empty and reusable */
void
mta_buf_release(struct mta_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/* mta_buf_clear - forget the text, keep the storage */
void
mta_buf_clear(struct mta_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

/* buf_room - make room for len more bytes plus the terminator */
static int
buf_room(struct mta_buf *b, size_t len)
{
	size_t need;

	if (len > b->max || b->len > b->max - len) {
		errno = EMSGSIZE;
		return -1;
	}
	need = b->len + len + 1;
	if (need > b->cap) {
		size_t cap = b->cap ? b->cap : 64;

		while (cap < need)
			cap *= 2;
		if (cap > b->max + 1)
			cap = b->max + 1;
		b->data = mta_realloc(b->data, cap);
		b->cap = cap;
	}
	return 0;
}

/* mta_buf_add - append len bytes, or fail with EMSGSIZE past the cap */
int
mta_buf_add(struct mta_buf *b, const void *data, size_t len)
{
	if (buf_room(b, len) < 0)
		return -1;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

/* mta_buf_addc - append one byte */
int
mta_buf_addc(struct mta_buf *b, int ch)
{
	char c = (char)ch;

	return mta_buf_add(b, &c, 1);
}

/* mta_buf_adds - append a C string */
int
mta_buf_adds(struct mta_buf *b, const char *s)
{
	return mta_buf_add(b, s, strlen(s));
}

/* mta_buf_set - replace the text with a C string */
int
mta_buf_set(struct mta_buf *b, const char *s)
{
	mta_buf_clear(b);
	return mta_buf_adds(b, s);
}

/*
 * mta_buf_printf - append formatted text; all or nothing. The text is
 * formatted straight into the room there is, and again only when it did
 * not fit.
 */
int
mta_buf_printf(struct mta_buf *b, const char *fmt, ...)
{
	va_list ap;
	size_t room = b->cap > b->len ? b->cap - b->len : 0;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? b->data + b->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n < 0) {
		if (b->data)
			b->data[b->len] = '\0';
		return -1;
	}
	if ((size_t)n < room && (size_t)n <= b->max - b->len &&
	    b->len <= b->max) {
		b->len += (size_t)n;
		return 0;
	}
	if (b->data)
		b->data[b->len] = '\0';	/* undo the partial write */
	if (buf_room(b, (size_t)n) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

/* mta_buf_pad - append n copies of ch (alignment in listings) */
int
mta_buf_pad(struct mta_buf *b, int ch, size_t n)
{
	if (buf_room(b, n) < 0)
		return -1;
	memset(b->data + b->len, ch, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

/* mta_buf_truncate - keep only the first len bytes */
void
mta_buf_truncate(struct mta_buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->data[len] = '\0';
	}
}

/* mta_buf_str - the text as a C string (never NULL) */
const char *
mta_buf_str(struct mta_buf *b)
{
	return b->data ? b->data : "";
}

/* mta_buf_steal - hand the text to the caller (free() it); buffer empties */
char *
mta_buf_steal(struct mta_buf *b)
{
	char *s = b->data ? b->data : mta_strdup("");

	b->data = NULL;
	b->len = b->cap = 0;
	return s;
}
