/*
 * smtp_io - the socket to a server: output gathered in a buffer and
 * written at once (a pipelined group is one write), input read in
 * chunks and parsed by lib/smtp_reply. Every wait has a deadline: the
 * socket is non-blocking and poll() says when to give up.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mem.h"
#include "msg.h"
#include "smtp.h"

/* smtp_conn_new - a connection around a connected socket */
struct smtp_conn *
smtp_conn_new(int fd)
{
	struct smtp_conn *c = mta_calloc(1, sizeof(*c));

	c->fd = fd;
	mta_buf_init(&c->out, SMTP_OUT_MAX);
	mta_smtp_reply_init(&c->reply);
	c->stage = "receiving the initial server greeting";
	return c;
}

/* smtp_conn_free - close and forget */
void
smtp_conn_free(struct smtp_conn *c)
{
	if (c == NULL)
		return;
	if (c->fd >= 0)
		close(c->fd);
	mta_buf_release(&c->out);
	mta_smtp_reply_release(&c->reply);
	free(c->nexthop);
	free(c);
}

/* smtp_printf - one command line, CR LF added, buffered */
void
smtp_printf(struct smtp_conn *c, const char *fmt, ...)
{
	char line[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 2, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= (int)sizeof(line) - 2) {
		c->broken = true;	/* never send a cut command */
		return;
	}
	if (mta_msg_verbose)
		mta_msg_info("> %s: %s", c->namaddr, line);
	memcpy(line + n, "\r\n", 2);
	if (mta_buf_add(&c->out, line, (size_t)n + 2) < 0)
		c->broken = true;
}

/* now_ms - a monotonic clock in milliseconds */
static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* io_wait - poll for events until the deadline: 1 ready, 0 timeout */
static int
io_wait(int fd, short events, long long deadline)
{
	struct pollfd pfd = {fd, events, 0};
	long long left;
	int rc;

	do {
		if ((left = deadline - now_ms()) <= 0)
			return 0;
		rc = poll(&pfd, 1, left > 3600000 ? 3600000 : (int)left);
	} while (rc < 0 && errno == EINTR);
	return rc < 0 ? -1 : rc > 0 ? 1 : 0;
}

/* smtp_flush - write everything buffered within timeout seconds */
int
smtp_flush(struct smtp_conn *c, long timeout)
{
	long long deadline = now_ms() + timeout * 1000LL;
	size_t done = 0;

	if (c->broken) {
		errno = EMSGSIZE;
		return -1;
	}
	while (done < c->out.len) {
		ssize_t n = write(c->fd, c->out.data + done, c->out.len - done);
		int rc;

		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			goto fail;
		if ((rc = io_wait(c->fd, POLLOUT, deadline)) <= 0) {
			errno = rc == 0 ? ETIMEDOUT : errno;
			goto fail;
		}
	}
	mta_buf_clear(&c->out);
	return 0;
fail:
	c->broken = true;
	mta_buf_clear(&c->out);
	return -1;
}

/* io_fill - more input within the deadline; -1 with errno at the end */
static int
io_fill(struct smtp_conn *c, long long deadline)
{
	ssize_t n;
	int rc;

	for (;;) {
		n = read(c->fd, c->in, sizeof(c->in));
		if (n > 0) {
			c->inpos = 0;
			c->inlen = (size_t)n;
			return 0;
		}
		if (n == 0) {
			errno = EPIPE;	/* the server closed the connection */
			return -1;
		}
		if (errno != EAGAIN && errno != EINTR)
			return -1;
		if ((rc = io_wait(c->fd, POLLIN, deadline)) <= 0) {
			errno = rc == 0 ? ETIMEDOUT : errno;
			return -1;
		}
	}
}

/*
 * smtp_reply - flush what is buffered, then read one reply into c->reply
 * within timeout seconds. Returns 0, or -1 with c->broken set and errno
 * ETIMEDOUT, EPIPE (closed), EPROTO (not a reply: c->reply.error) or
 * another error.
 */
int
smtp_reply(struct smtp_conn *c, long timeout)
{
	long long deadline = now_ms() + timeout * 1000LL;
	size_t used;
	int rc;

	if (c->out.len && smtp_flush(c, timeout) < 0)
		return -1;
	mta_smtp_reply_reset(&c->reply);
	for (;;) {
		if (c->inpos == c->inlen && io_fill(c, deadline) < 0) {
			c->broken = true;
			return -1;
		}
		rc = mta_smtp_reply_feed(&c->reply, c->in + c->inpos,
					 c->inlen - c->inpos, &used);
		c->inpos += used;
		if (rc == MTA_SMTP_REPLY_DONE)
			break;
		if (rc == MTA_SMTP_REPLY_BAD) {
			c->broken = true;
			errno = EPROTO;
			return -1;
		}
	}
	if (mta_msg_verbose)
		mta_msg_info("< %s: %.200s", c->namaddr, c->reply.text.data);
	return 0;
}

/* smtp_io_fail - the failure that an I/O error of c means (soft) */
void
smtp_io_fail(struct smtp_conn *c, struct smtp_fail *f)
{
	int err = errno;

	if (err == ETIMEDOUT)
		smtp_fail_set(f, false, "4.4.2", c->relay, "conversation with "
			      "%s timed out while %s", c->namaddr, c->stage);
	else if (err == EPROTO)
		smtp_fail_set(f, false, "4.4.2", c->relay, "malformed reply "
			      "from %s while %s: %s", c->namaddr, c->stage,
			      c->reply.error);
	else if (err == EPIPE || err == ECONNRESET)
		smtp_fail_set(f, false, "4.4.2", c->relay, "lost connection "
			      "with %s while %s", c->namaddr, c->stage);
	else
		smtp_fail_set(f, false, "4.4.2", c->relay, "lost connection "
			      "with %s while %s: %s", c->namaddr, c->stage,
			      strerror(err));
}

/* content_piece - one piece of a line, dot-stuffed, folded at the limit */
static void
content_piece(struct smtp_req *sr, struct smtp_conn *c, const char *data,
	      size_t len, size_t *col)
{
	size_t limit = sr->ss->line_limit > 0 ? (size_t)sr->ss->line_limit : 0;

	if (*col == 0 && len > 0 && data[0] == '.')
		mta_buf_addc(&c->out, '.');
	while (limit && *col + len > limit) {
		size_t take = limit - *col;

		mta_buf_add(&c->out, data, take);
		/* Postfix's smtp: CR LF SPACE keeps a folded header intact */
		mta_buf_add(&c->out, "\r\n ", 3);
		data += take;
		len -= take;
		*col = 1;
	}
	mta_buf_add(&c->out, data, len);
	*col += len;
}

/*
 * smtp_send_content - the message, CR LF line ends, dot-stuffed, then
 * the final dot; written in chunks, each within smtp_data_xfer_timeout.
 * Returns 0, -1 on a write error (errno), -2 when the queue file fails.
 */
int
smtp_send_content(struct smtp_req *sr, struct smtp_conn *c)
{
	const char *data;
	size_t len, col = 0;
	bool more;
	int rc;

	if (mta_qread_rewind(&sr->msg) < 0)
		return -2;
	while ((rc = mta_qread_piece(&sr->msg, &data, &len, &more)) > 0) {
		content_piece(sr, c, data, len, &col);
		if (!more) {
			mta_buf_add(&c->out, "\r\n", 2);
			col = 0;
		}
		if (c->out.len >= SMTP_OUT_FLUSH &&
		    smtp_flush(c, sr->ss->t_data_xfer) < 0)
			return -1;
	}
	if (rc < 0)
		return -2;
	if (col > 0)
		mta_buf_add(&c->out, "\r\n", 2);	/* an L record last */
	mta_buf_add(&c->out, ".\r\n", 3);
	return smtp_flush(c, sr->ss->t_data_xfer);
}
