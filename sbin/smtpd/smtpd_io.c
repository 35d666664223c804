/*
 * smtpd_io - the session's bytes. Input is read into one buffer and
 * handed out a line (or a piece of a long line) at a time, with how the
 * line ended: CR LF, a bare LF, or not at all (cut at the limit). A CR is
 * never a line end here, and the result never depends on how the client's
 * bytes were split across reads: the scanner only ever looks at bytes
 * already in the buffer, and holds back a CR at the end of a piece until
 * the next byte is known.
 *
 * Replies are gathered and written when the client has to wait for them
 * (no input left in the buffer), so that a pipelined group gets its
 * replies in one write. Every wait is bounded twice: by smtpd_timeout per
 * read or write, and by the deadline of the command at hand.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "smtpd.h"

/* smtpd_io_init - a session's stream on fd */
void
smtpd_io_init(struct smtpd_io *io, int fd, long timeout)
{
	io->fd = fd;
	io->in_pos = io->in_len = 0;
	io->out_len = 0;
	io->timeout = timeout;
	io->eof = io->timedout = io->failed = false;
	io->in_bytes = 0;
	io->first_arrival.tv_sec = io->first_arrival.tv_nsec = 0;
	(void)setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &(int){1},
			 sizeof(int));
	smtpd_io_deadline(io, timeout);
}

/* smtpd_io_deadline - the command at hand must be done within seconds */
void
smtpd_io_deadline(struct smtpd_io *io, long seconds)
{
	clock_gettime(CLOCK_MONOTONIC, &io->deadline);
	io->deadline.tv_sec += seconds;
}

/* smtpd_io_extend - more time, earned by data received (min data rate) */
void
smtpd_io_extend(struct smtpd_io *io, double seconds)
{
	long whole = (long)seconds;

	io->deadline.tv_sec += whole;
	io->deadline.tv_nsec += (long)((seconds - (double)whole) * 1e9);
	if (io->deadline.tv_nsec >= 1000000000L) {
		io->deadline.tv_sec++;
		io->deadline.tv_nsec -= 1000000000L;
	}
}

/* io_wait_ms - how long the next wait may be: the smaller of both bounds */
static int
io_wait_ms(const struct smtpd_io *io)
{
	struct timespec now;
	long long left;

	clock_gettime(CLOCK_MONOTONIC, &now);
	left = (long long)(io->deadline.tv_sec - now.tv_sec) * 1000 +
	       (io->deadline.tv_nsec - now.tv_nsec) / 1000000;
	if (left > io->timeout * 1000LL)
		left = io->timeout * 1000LL;
	return left < 0 ? 0 : (int)left;
}

/* io_poll - wait until fd is ready for events; false on timeout */
static bool
io_poll(struct smtpd_io *io, short events)
{
	struct pollfd p = {.fd = io->fd, .events = events};
	int rc;

	do {
		rc = poll(&p, 1, io_wait_ms(io));
	} while (rc < 0 && errno == EINTR);
	if (rc == 0) {
		io->timedout = true;
		return false;
	}
	if (rc < 0) {
		io->failed = true;
		return false;
	}
	return true;
}

/* smtpd_io_flush - write the gathered replies; -1 when the client is gone */
int
smtpd_io_flush(struct smtpd_io *io)
{
	size_t done = 0;

	while (done < io->out_len && !smtpd_io_broken(io)) {
		ssize_t n;

		if (!io_poll(io, POLLOUT))
			break;
		n = write(io->fd, io->out + done, io->out_len - done);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			io->failed = true;
			break;
		}
		done += (size_t)n;
	}
	io->out_len = 0;
	return smtpd_io_broken(io) ? -1 : 0;
}

/* smtpd_io_broken - the session cannot go on: eof, timeout, error */
bool
smtpd_io_broken(const struct smtpd_io *io)
{
	return io->timedout || io->failed;
}

/* smtpd_io_reply - one reply line, CR LF added; gathered, not yet sent */
void
smtpd_io_reply(struct smtpd_io *io, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 2, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	io->last_code = atoi(line);
	if ((size_t)n > sizeof(line) - 3)
		n = (int)sizeof(line) - 3;
	/* nothing from outside reaches the client raw */
	for (int i = 0; i < n; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			line[i] = ' ';
	line[n++] = '\r';
	line[n++] = '\n';
	if (io->out_len + (size_t)n > sizeof(io->out))
		(void)smtpd_io_flush(io);
	memcpy(io->out + io->out_len, line, (size_t)n);
	io->out_len += (size_t)n;
}

/*
 * io_read_first - the first read of a session, with the kernel's time of
 * arrival of its bytes (SO_TIMESTAMPNS): it tells a client that spoke
 * before our greeting from one that answered it, whatever the scheduling.
 */
static ssize_t
io_read_first(struct smtpd_io *io, size_t room)
{
	char control[CMSG_SPACE(sizeof(struct timespec))];
	struct iovec iov = {io->in + io->in_len, room};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = control,
			    .msg_controllen = sizeof(control)};
	ssize_t n = recvmsg(io->fd, &mh, 0);

	for (struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL; c;
	     c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SCM_TIMESTAMPNS)
			memcpy(&io->first_arrival, CMSG_DATA(c),
			       sizeof(io->first_arrival));
	return n;
}

/* io_fill - more input; the replies go out first: the client waits for them */
static int
io_fill(struct smtpd_io *io)
{
	ssize_t n;

	if (io->out_len > 0 && smtpd_io_flush(io) < 0)
		return -1;
	if (io->in_pos > 0) {
		memmove(io->in, io->in + io->in_pos, io->in_len - io->in_pos);
		io->in_len -= io->in_pos;
		io->in_pos = 0;
	}
	for (;;) {
		if (io->eof || smtpd_io_broken(io) || !io_poll(io, POLLIN))
			return -1;
		if (io->in_bytes == 0)
			n = io_read_first(io, sizeof(io->in) - io->in_len);
		else
			n = read(io->fd, io->in + io->in_len,
				 sizeof(io->in) - io->in_len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			io->failed = true;
		if (n == 0)
			io->eof = true;
		if (n <= 0)
			return -1;
		io->in_len += (size_t)n;
		io->in_bytes += (unsigned long long)n;
		return 0;
	}
}

/* line_note - what a piece of a line holds */
static void
line_note(const char *p, size_t len, struct smtpd_line *info)
{
	if (memchr(p, '\0', len) != NULL)
		info->nul = true;
	if (memchr(p, '\r', len) != NULL)
		info->cr = true;
}

/*
 * smtpd_io_line - the next line into out (without its line end), or its
 * next piece of at most max bytes. Returns 0, or -1 when no more input
 * can come (eof, timeout, error). A CR right before the LF is the CR of
 * CR LF; every other CR stays in the text, and info->cr says so.
 */
int
smtpd_io_line(struct smtpd_io *io, struct mta_buf *out, size_t max,
	      struct smtpd_line *info)
{
	memset(info, 0, sizeof(*info));
	mta_buf_clear(out);
	for (;;) {
		char *p = io->in + io->in_pos;
		size_t avail = io->in_len - io->in_pos;
		size_t want = max - out->len;
		char *lf = memchr(p, '\n', avail < want + 2 ? avail : want + 2);

		if (lf != NULL) {
			size_t len = (size_t)(lf - p);

			info->complete = true;
			info->crlf = len > 0 && lf[-1] == '\r';
			if (info->crlf)
				len--;
			if (len <= want) {
				line_note(p, len, info);
				mta_buf_add(out, p, len);
				io->in_pos += (size_t)(lf - p) + 1;
				return 0;
			}
			info->complete = info->crlf = false;
		}
		if (avail > want) {
			/* a piece: never end it on a CR that may start CR LF */
			size_t len = want;

			if (len > 0 && p[len - 1] == '\r')
				len--;
			if (len == 0 && out->len == 0)
				len = 1;	/* max is 1: give the CR alone */
			line_note(p, len, info);
			mta_buf_add(out, p, len);
			io->in_pos += len;
			return 0;
		}
		if (io->in_len == sizeof(io->in) && io->in_pos == 0) {
			/* the buffer holds less than max: hand it out */
			line_note(p, avail - 1, info);
			mta_buf_add(out, p, avail - 1);
			io->in_pos += avail - 1;
			return 0;
		}
		if (io_fill(io) < 0)
			return -1;
	}
}

/*
 * smtpd_io_pending - did the client send more than we have answered? The
 * buffer, then the socket itself without waiting.
 */
bool
smtpd_io_pending(struct smtpd_io *io)
{
	char byte;

	if (io->in_pos < io->in_len)
		return true;
	/* data, not a hang-up: a client that closes sent nothing ahead */
	return recv(io->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 1;
}

/* io_grace - a fresh, short time limit for the session's last steps */
static void
io_grace(struct smtpd_io *io, long seconds)
{
	io->timedout = io->failed = false;
	io->timeout = seconds;
	smtpd_io_deadline(io, seconds);
}

/*
 * smtpd_io_hangup - end the session so that our last reply arrives: a
 * close with unread input makes the kernel send a reset, which may
 * destroy the reply on its way. So: no more output, then read and drop
 * what the client still sends, for a second or 64 KB at most.
 */
void
smtpd_io_hangup(struct smtpd_io *io)
{
	char sink[4096];
	size_t dropped = 0;

	if (shutdown(io->fd, SHUT_WR) < 0)
		return;
	io_grace(io, 1);
	while (dropped < 65536 && io_poll(io, POLLIN)) {
		ssize_t n = read(io->fd, sink, sizeof(sink));

		if (n <= 0)
			break;
		dropped += (size_t)n;
	}
}

/*
 * smtpd_io_last_words - after a timeout, a few more seconds to say so
 * (421): the reply is worth a try, the session is over anyway.
 */
void
smtpd_io_last_words(struct smtpd_io *io)
{
	io_grace(io, 10);
}
