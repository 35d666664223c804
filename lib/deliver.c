/* deliver - the envelope, the status and the message copy (see deliver.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>


#include "addr.h"
#include "buf.h"
#include "deliver.h"

#define COPY_BUF 16384

/* The output buffer of one copy. */
struct copy {
	mta_deliver_write_fn write_fn;
	void *ctx;
	char data[COPY_BUF];
	size_t len;
	int failed;	/* errno of the first write error, or 0 */
};

/*
 * mta_dstatus_set - fill a status: the first digit of the DSN code says
 * which (2 ok, 4 defer, anything else bounce)
 */
void
mta_dstatus_set(struct mta_dstatus *st, const char *dsn, const char *fmt, ...)
{
	va_list ap;

	strlcpy(st->dsn, dsn, sizeof(st->dsn));
	st->status = dsn[0] == '2' ? MTA_DSTAT_OK :
		     dsn[0] == '4' ? MTA_DSTAT_DEFER : MTA_DSTAT_BOUNCE;
	va_start(ap, fmt);
	(void)vsnprintf(st->text, sizeof(st->text), fmt, ap);
	va_end(ap);
}

/*
 * mta_deliver_errno_dsn - the DSN code for a system error while writing a
 * mailbox: a full disk or a busy resource is temporary; a full mailbox
 * (quota, file size) is permanent, as Postfix says; other errors give def.
 */
const char *
mta_deliver_errno_dsn(int err, const char *def)
{
	if (err == ENOSPC)
		return "4.3.1";
	if (err == EAGAIN || err == ESTALE || err == EINTR || err == ENOMEM)
		return "4.2.0";
	if (err == EDQUOT || err == EFBIG)
		return "5.2.2";
	return def;
}

/* mta_deliver_write_fd - a writer for a file descriptor (ctx: int *) */
int
mta_deliver_write_fd(void *ctx, const void *p, size_t n)
{
	int fd = *(int *)ctx;
	const char *cp = p;
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, cp, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		cp += w;
		n -= (size_t)w;
	}
	return 0;
}

/* copy_flush - pass what is buffered to the writer */
static void
copy_flush(struct copy *c)
{
	if (c->len > 0 && !c->failed &&
	    c->write_fn(c->ctx, c->data, c->len) < 0)
		c->failed = errno ? errno : EIO;
	c->len = 0;
}

/* copy_put - buffer bytes, flushing when full */
static void
copy_put(struct copy *c, const char *p, size_t n)
{
	size_t room;

	while (n > 0 && !c->failed) {
		if (c->len == sizeof(c->data))
			copy_flush(c);
		room = sizeof(c->data) - c->len;
		if (room > n)
			room = n;
		memcpy(c->data + c->len, p, room);
		c->len += room;
		p += room;
		n -= room;
	}
}

/* copy_puts - buffer a C string */
static void
copy_puts(struct copy *c, const char *s)
{
	copy_put(c, s, strlen(s));
}

/* copy_addr_header - "Name: <addr>" or "Name: addr" in external form */
static void
copy_addr_header(struct copy *c, const char *name, const char *addr,
		 bool angle)
{
	struct mta_buf q = MTA_BUF_INIT(4 * 1024);

	if (*addr && mta_addr_quote(&q, addr) < 0)
		(void)mta_buf_set(&q, addr);
	copy_puts(c, name);
	copy_puts(c, angle ? ": <" : ": ");
	if (q.len)
		copy_put(c, q.data, q.len);
	copy_puts(c, angle ? ">\n" : "\n");
	mta_buf_release(&q);
}

/* copy_from_line - the mbox separator, dated in local time as asctime() */
static void
copy_from_line(struct copy *c, const struct mta_envelope *env)
{
	struct mta_buf q = MTA_BUF_INIT(4 * 1024);
	time_t now = env->now ? env->now : time(NULL);
	char date[64];
	struct tm tm;

	if (localtime_r(&now, &tm) == NULL ||
	    strftime(date, sizeof(date), "%a %b %e %H:%M:%S %Y", &tm) == 0)
		strlcpy(date, "Thu Jan  1 00:00:00 1970", sizeof(date));
	if (*env->sender == 0)
		(void)mta_buf_set(&q, "MAILER-DAEMON");
	else if (mta_addr_quote(&q, env->sender) < 0)
		(void)mta_buf_set(&q, env->sender);
	copy_puts(c, "From ");
	copy_put(c, q.data, q.len);
	copy_puts(c, "  ");
	copy_puts(c, date);
	copy_puts(c, "\n");
	mta_buf_release(&q);
}

/* copy_prepend - the From_ line and the headers that go before the message */
static void
copy_prepend(struct copy *c, const struct mta_envelope *env, int flags)
{
	if (flags & MTA_DELIVER_FROM_LINE)
		copy_from_line(c, env);
	if (flags & MTA_DELIVER_RETURN_PATH)
		copy_addr_header(c, "Return-Path", env->sender, true);
	if (env->orig_rcpt && *env->orig_rcpt)
		copy_addr_header(c, "X-Original-To", env->orig_rcpt, false);
	if (env->delivered)
		copy_addr_header(c, "Delivered-To", env->delivered, false);
}

/*
 * mta_deliver_copy - the prepended lines, the message and the end; the
 * writer sees every byte once, in order. A message that ends inside a
 * line gets its newline.
 */
int
mta_deliver_copy(const struct mta_envelope *env, int flags,
		 mta_deliver_write_fn write_fn, void *write_ctx,
		 bool *read_error)
{
	struct copy c = { .write_fn = write_fn, .ctx = write_ctx };
	bool more = false, at_start = true;
	const char *data;
	size_t len;
	int rc = 0;

	*read_error = false;
	copy_prepend(&c, env, flags);
	while (!c.failed && (rc = env->read(env->read_ctx, &data, &len,
					    &more)) > 0) {
		if (at_start && (flags & MTA_DELIVER_QUOTE) && len >= 5 &&
		    memcmp(data, "From ", 5) == 0)
			copy_put(&c, ">", 1);
		copy_put(&c, data, len);
		if (!more)
			copy_put(&c, "\n", 1);
		at_start = !more;
	}
	if (!c.failed && rc < 0) {
		*read_error = true;
		return -1;
	}
	if (!at_start)
		copy_put(&c, "\n", 1);
	if (flags & MTA_DELIVER_BLANK)
		copy_put(&c, "\n", 1);
	copy_flush(&c);
	if (c.failed) {
		errno = c.failed;
		return -1;
	}
	return 0;
}
