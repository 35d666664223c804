/*
 * Tests for lib/smtp_reply.c (a remote server's replies, hostile bytes
 * included) and lib/smtp_nexthop.c (next hop forms).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_nexthop.h"
#include "smtp_reply.h"
#include "tap.h"

/* feed_all - feed s in pieces of n bytes; the last feed result */
static int
feed_all(struct mta_smtp_reply *r, const char *s, size_t len, size_t n,
	 size_t *total)
{
	size_t used, pos = 0;
	int rc = MTA_SMTP_REPLY_MORE;

	mta_smtp_reply_reset(r);
	while (pos < len && rc == MTA_SMTP_REPLY_MORE) {
		size_t take = len - pos < n ? len - pos : n;

		rc = mta_smtp_reply_feed(r, s + pos, take, &used);
		pos += used;
	}
	*total = pos;
	return rc;
}

/* one - a reply given whole: its result */
static int
one(struct mta_smtp_reply *r, const char *s)
{
	size_t total;

	return feed_all(r, s, strlen(s), strlen(s), &total);
}

static void
test_replies(void)
{
	struct mta_smtp_reply r;
	struct mta_buf flat = MTA_BUF_INIT(100000);
	const char *multi = "250-mx.example\r\n250-PIPELINING\r\n250-SIZE 1000\r\n"
			    "250-8BITMIME\r\n250 DSN\r\n220 next\r\n";
	long long size;
	size_t total;

	mta_smtp_reply_init(&r);
	ok(one(&r, "250 2.1.0 Ok\r\n") == MTA_SMTP_REPLY_DONE, "one line");
	ok(r.code == 250, "its code");
	is_str(r.dsn, "2.1.0", "its enhanced code");
	ok(one(&r, "550 no dsn here\r\n") == 1 && !strcmp(mta_smtp_reply_dsn(&r),
						      "5.0.0"), "default 5.0.0");
	ok(one(&r, "450 5.1.1 class differs\r\n") == 1 && r.dsn[0] == '\0',
	   "an enhanced code of another class is not taken");
	ok(one(&r, "250\r\n") == 1 && r.code == 250, "a bare code");
	for (size_t n = 1; n <= strlen(multi); n += 7) {
		ok(feed_all(&r, multi, strlen(multi), n, &total) == 1 &&
		   total == strlen(multi) - strlen("220 next\r\n") && r.nlines == 5,
		   "multi-line reply, fed in pieces: stops at its end");
	}
	ok(mta_smtp_ehlo_features(&r, &size) == (MTA_SMTP_EXT_PIPELINING |
		MTA_SMTP_EXT_SIZE | MTA_SMTP_EXT_8BITMIME | MTA_SMTP_EXT_DSN) &&
	   size == 1000, "EHLO extensions and SIZE");
	ok(one(&r, "550-5.1.1 one\r\n550 5.1.1 two\x1b\x7f\r\n") == 1,
	   "control bytes in a reply");
	mta_smtp_reply_flat(&r, &flat);
	is_str(mta_buf_str(&flat), "550-5.1.1 one 550 5.1.1 two??",
	       "flat text, control bytes masked");
	ok(one(&r, "220 x\n") == MTA_SMTP_REPLY_BAD && !strcmp(r.error, "bare LF"),
	   "bare LF refused");
	ok(one(&r, "220 x\ry\r\n") == -1 && !strcmp(r.error, "bare CR"),
	   "bare CR refused");
	ok(feed_all(&r, "220 a\0b\r\n", 9, 9, &total) == -1 &&
	   !strcmp(r.error, "NUL byte"), "NUL refused");
	ok(one(&r, "hello\r\n") == -1, "no code refused");
	ok(one(&r, "22\r\n") == -1, "a short code refused");
	ok(one(&r, "199 x\r\n") == -1, "1xx refused");
	ok(one(&r, "250x\r\n") == -1, "bad separator refused");
	ok(one(&r, "250-a\r\n251 b\r\n") == -1, "codes that differ refused");
	ok(one(&r, "250 ok") == MTA_SMTP_REPLY_MORE, "a cut line waits");
	mta_buf_clear(&flat);
	mta_buf_adds(&flat, "250 ");
	mta_buf_pad(&flat, 'x', 3000);
	mta_buf_adds(&flat, "\r\n");
	ok(one(&r, mta_buf_str(&flat)) == -1 && !strcmp(r.error, "line too long"),
	   "a line over 2048 bytes refused");
	mta_buf_clear(&flat);
	for (int i = 0; i < 300; i++)
		mta_buf_adds(&flat, "250-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n");
	ok(one(&r, mta_buf_str(&flat)) == -1 && !strcmp(r.error, "reply too long"),
	   "a reply with too many lines refused");
	mta_buf_release(&flat);
	mta_smtp_reply_release(&r);
}

static void
test_nexthop(void)
{
	struct mta_buf err = MTA_BUF_INIT(256);
	struct mta_smtp_nexthop nh;

	ok(mta_smtp_nexthop_parse("Example.COM", &nh, &err) == 0 && nh.mx &&
	   nh.port == 0 && !strcmp(nh.host, "example.com"), "a domain: MX");
	ok(mta_smtp_nexthop_parse("example.com:2525", &nh, &err) == 0 && nh.mx &&
	   nh.port == 2525, "domain:port");
	ok(mta_smtp_nexthop_parse("[mail.example.com]", &nh, &err) == 0 &&
	   !nh.mx && nh.family == 0, "[host]: no MX");
	ok(mta_smtp_nexthop_parse("[mail.example.com]:587", &nh, &err) == 0 &&
	   nh.port == 587, "[host]:port");
	ok(mta_smtp_nexthop_parse("[192.0.2.1]:25", &nh, &err) == 0 &&
	   nh.family == AF_INET && nh.addr[0] == 192, "[IPv4]");
	ok(mta_smtp_nexthop_parse("[ipv6:::1]:26", &nh, &err) == 0 &&
	   nh.family == AF_INET6 && nh.addr[15] == 1 && nh.port == 26, "[ipv6:...]");
	ok(mta_smtp_nexthop_parse("[::1]", &nh, &err) == 0 &&
	   nh.family == AF_INET6, "[IPv6] without the tag");
	ok(mta_smtp_nexthop_parse("[h]:smtp", &nh, &err) == 0 && nh.port == 25,
	   "a service name");
	ok(mta_smtp_nexthop_parse("[127.0.0.1", &nh, &err) < 0, "no ']'");
	ok(mta_smtp_nexthop_parse("[h]x", &nh, &err) < 0, "junk after ']'");
	ok(mta_smtp_nexthop_parse("h:0", &nh, &err) < 0, "port 0");
	ok(mta_smtp_nexthop_parse("h:99999", &nh, &err) < 0, "port too big");
	ok(mta_smtp_nexthop_parse("a..b", &nh, &err) < 0, "empty label");
	ok(mta_smtp_nexthop_parse("a b", &nh, &err) < 0, "space in a name");
	ok(mta_smtp_nexthop_parse("[ipv6:1.2.3.4]", &nh, &err) < 0,
	   "ipv6: with an IPv4 address");
	ok(mta_smtp_nexthop_parse("", &nh, &err) < 0, "empty");
	mta_buf_release(&err);
}

int
main(void)
{
	test_replies();
	test_nexthop();
	return done_testing();
}
