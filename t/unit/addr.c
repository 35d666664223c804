/* addr - RFC 5321 paths, quoting, address parts, RFC 5322 lists */
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "mem.h"
#include "tap.h"

/* path_ok - parse text with flags; the internal form, or "ERR: why" */
static const char *
path(const char *text, int flags)
{
	static char res[2 * MTA_ADDR_PATH_MAX + 64];
	struct mta_buf err = MTA_BUF_INIT(256);
	struct mta_path p;

	if (mta_path_parse(text, strlen(text), flags, &p, &err) < 0)
		snprintf(res, sizeof(res), "ERR: %s", mta_buf_str(&err));
	else if (p.route[0])
		snprintf(res, sizeof(res), "%s|route=%s|end=%zu", p.addr,
			 p.route, p.end);
	else
		snprintf(res, sizeof(res), "%s|end=%zu", p.addr, p.end);
	mta_buf_release(&err);
	return res;
}

static void
test_paths(void)
{
	char big[600];

	is_str(path("<user@example.com>", 0), "user@example.com|end=18",
	       "plain path");
	is_str(path("<user@example.com> SIZE=10", 0),
	       "user@example.com|end=18", "end points at the parameters");
	is_str(path("<>", MTA_PATH_NULL_OK), "|end=2", "null path allowed");
	is_str(path("<>", 0), "ERR: null address <> not allowed here",
	       "null path refused");
	is_str(path("user@example.com", 0),
	       "ERR: address must be written <local@domain>", "strict wants <>");
	is_str(path("user@example.com", MTA_PATH_BARE),
	       "user@example.com|end=16", "lenient takes a bare address");
	is_str(path("  <a@b.c>", MTA_PATH_BARE), "a@b.c|end=9",
	       "lenient skips leading blanks");
	is_str(path("<@a.example,@b.example:user@d.example>", 0),
	       "user@d.example|route=@a.example,@b.example|end=38",
	       "source route returned apart");
	is_str(path("<@a.example user@d>", 0), "ERR: malformed source route",
	       "bad route");
	is_str(path("<\"a b\"@example.com>", 0), "a b@example.com|end=19",
	       "quoted local part is unquoted");
	is_str(path("<\"a\\\"b\"@example.com>", 0), "a\"b@example.com|end=20",
	       "escaped quote");
	is_str(path("<\"a@b\"@example.com>", 0), "a@b@example.com|end=19",
	       "@ inside quotes");
	is_str(path("<\"\"@example.com>", 0), "@example.com|end=16",
	       "empty quoted local part");
	is_str(path("<john..doe@example.com>", 0),
	       "john..doe@example.com|end=23", "double dot accepted");
	is_str(path("<a@[192.0.2.1]>", 0), "a@[192.0.2.1]|end=15",
	       "IPv4 literal");
	is_str(path("<a@[IPv6:2001:db8::1]>", 0), "a@[IPv6:2001:db8::1]|end=22",
	       "IPv6 literal");
	is_str(path("<a@[300.1.1.1]>", 0), "ERR: bad IPv4 address literal",
	       "bad IPv4 literal");
	is_str(path("<a@[IPv6:zz]>", 0), "ERR: bad IPv6 address literal",
	       "bad IPv6 literal");
	is_str(path("<a@[x:y]>", 0),
	       "ERR: unsupported address literal (use [IPv4] or [IPv6:...])",
	       "general literal");
	is_str(path("<a@[1.2.3.4>", 0), "ERR: address literal without ]",
	       "unterminated literal");
	is_str(path("<Postmaster>", 0), "Postmaster|end=12",
	       "postmaster without domain");
	is_str(path("<user>", 0), "ERR: missing domain (write local@domain)",
	       "no domain refused");
	is_str(path("<user>", MTA_PATH_LOCAL_OK), "user|end=6",
	       "no domain allowed");
	is_str(path("<a@b..c>", 0), "ERR: empty label in domain", "empty label");
	is_str(path("<a@b.>", 0), "ERR: domain ends with a dot", "trailing dot");
	is_str(path("<a@>", 0), "ERR: missing domain after @", "empty domain");
	is_str(path("<@>", 0), "ERR: missing domain after @", "bare @");
	is_str(path("<a@b", 0), "ERR: missing > after address", "no >");
	is_str(path("<a b@c>", 0), "ERR: bad character in address",
	       "space in local part");
	is_str(path("<\"a b@c>", 0), "ERR: unbalanced quote in address",
	       "unbalanced quote");
	is_str(path("<a\tb@c>", 0), "ERR: control character in address",
	       "tab refused");
	is_str(path("<\"a\x01\"@c>", 0), "ERR: control character in address",
	       "control in quotes refused");
	is_str(path("<j\xc3\xbcrg@example.com>", 0),
	       "ERR: 8-bit character in address without SMTPUTF8",
	       "8-bit refused without SMTPUTF8");
	is_str(path("<j\xc3\xbcrg@b\xc3\xbc.de>", MTA_PATH_UTF8),
	       "j\xc3\xbcrg@b\xc3\xbc.de|end=14", "8-bit with SMTPUTF8");
	is_str(path("<<>>", MTA_PATH_NULL_OK), "ERR: empty local part", "<<>>");
	is_str(path("", MTA_PATH_BARE), "ERR: empty address", "empty");
	is_str(path("   ", MTA_PATH_BARE), "ERR: empty address", "only spaces");
	is_str(path("<", 0), "ERR: empty address", "lone <");

	memset(big, 'a', sizeof(big));
	memcpy(big, "<", 1);
	memcpy(big + 66, "@example.com>", 14);
	is_str(path(big, 0), "ERR: local part longer than 64 octets",
	       "local part of 65");
	memcpy(big + 65, "@example.com>", 14);
	ok(strncmp(path(big, 0), "ERR", 3) != 0, "local part of 64 is fine");
	memset(big, 'a', sizeof(big));
	big[0] = '<';
	big[2] = '@';
	for (int i = 3; i < 300; i += 60)
		big[i + 59] = '.';
	memcpy(big + 298, ">", 2);
	ok(strncmp(path(big, 0), "ERR: address longer than 256", 28) == 0 ||
	   strncmp(path(big, 0), "ERR: domain longer", 18) == 0,
	   "long path refused");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[0] = '<';
	ok(strncmp(path(big, 0), "ERR", 3) == 0, "600 bytes of local part");
}

/* quote - internal to external */
static const char *
quote(const char *s)
{
	static struct mta_buf b = MTA_BUF_INIT(4096);

	mta_buf_clear(&b);
	mta_addr_quote(&b, s);
	return mta_buf_str(&b);
}

/* unquote - external to internal */
static const char *
unquote(const char *s)
{
	static struct mta_buf b = MTA_BUF_INIT(4096);

	mta_buf_clear(&b);
	mta_addr_unquote(&b, s);
	return mta_buf_str(&b);
}

static void
test_quote(void)
{
	static const char *const rt[] = {
		"a@b", "a b@c", "a\"b@c", "a@b@c", "a\\b@c", "", "@", ".a@b",
		"a.@b", "a..b@c", "@x:y@z", "@a:b c@d", "a,b", "(x)@y", "a",
		"\"", "\\", "@:", "a@\"b",
	};

	is_str(quote("user@example.com"), "user@example.com", "dot-string");
	is_str(quote("a b@example.com"), "\"a b\"@example.com", "space");
	is_str(quote("a\"b@c"), "\"a\\\"b\"@c", "quote escaped");
	is_str(quote("a@b@c"), "\"a@b\"@c", "@ in local part");
	is_str(quote(""), "\"\"", "empty");
	is_str(quote("john..doe@x"), "\"john..doe\"@x", "double dot quoted");
	is_str(quote("@r:a b@c"), "@r:\"a b\"@c", "route kept");
	is_str(quote("j\xc3\xbcrg@x"), "j\xc3\xbcrg@x", "8-bit left alone");
	is_str(unquote("\"a b\"@example.com"), "a b@example.com", "unquote");
	is_str(unquote("\"a\\\"b\"@c"), "a\"b@c", "unquote escape");
	is_str(unquote("\"a@b\"@c"), "a@b@c", "unquote @");
	is_str(unquote("a@\"b\""), "a@\"b\"", "domain untouched");
	for (size_t i = 0; i < sizeof(rt) / sizeof(rt[0]); i++) {
		char *q = mta_strdup(quote(rt[i]));

		is_str(unquote(q), rt[i], "round trip");
		free(q);
	}
}

static void
test_parts(void)
{
	char a[] = "User@EXAMPLE.Com";

	is_str(mta_addr_domain("a b@c@d.example"), "d.example", "last @");
	ok(mta_addr_domain("local") == NULL, "no domain");
	is_int(mta_addr_local_len("a@b@c"), 3, "local part length");
	is_str(mta_addr_lower_domain(a), "User@example.com", "lower domain");
	ok(!mta_addr_is_routed("user@example.com"), "not routed");
	ok(mta_addr_is_routed("user%other@example.com"), "percent routed");
	ok(mta_addr_is_routed("host!user@example.com"), "bang routed");
	ok(mta_addr_is_routed("user@other@example.com"), "@ routed");
	ok(mta_addr_is_routed("user%other"), "routed without domain");
	ok(!mta_addr_is_routed("user@ex%ample.com"), "% in domain is not");
}

/* list - every address of a header value as "addr[start,end]" joined */
static const char *
list(const char *text)
{
	static char res[4096];
	struct mta_addrlist l;
	struct mta_addrlist_item it;
	size_t used = 0;

	res[0] = '\0';
	mta_addrlist_init(&l, text, strlen(text));
	mta_addrlist_item_init(&it);
	while (mta_addrlist_next(&l, &it) && used < sizeof(res) - 1) {
		int n = snprintf(res + used, sizeof(res) - used, "%s%s[%.*s]",
				 used ? " | " : "", mta_buf_str(&it.addr),
				 (int)(it.end - it.start), text + it.start);
		if (n < 0 || (size_t)n >= sizeof(res) - used)
			break;
		used += (size_t)n;
	}
	mta_addrlist_item_release(&it);
	return res;
}

static void
test_lists(void)
{
	is_str(list("a@b.c"), "a@b.c[a@b.c]", "bare");
	is_str(list("Joe <joe@x.org>, ann@y.org"),
	       "joe@x.org[joe@x.org] | ann@y.org[ann@y.org]", "angle and bare");
	is_str(list("\"Doe, John\" <jd@x.org>"), "jd@x.org[jd@x.org]",
	       "comma in display name");
	is_str(list("jd@x.org (John (the) Doe), b@c"),
	       "jd@x.org[jd@x.org] | b@c[b@c]", "nested comment");
	is_str(list("undisclosed-recipients:;"), "", "empty group");
	is_str(list("team: a@x, B <b@y>; c@z"),
	       "a@x[a@x] | b@y[b@y] | c@z[c@z]", "group");
	is_str(list("<@r1,@r2:u@d>"), "u@d[u@d]", "obsolete route");
	is_str(list("\"a b\"@x.org"), "a b@x.org[\"a b\"@x.org]",
	       "quoted local part");
	is_str(list("a(c)@b"), "a@b[a(c)@b]", "comment inside");
	is_str(list("<>"), "[]", "empty angle");
	is_str(list("<<>>"), "[]", "double angle");
	is_str(list("<<a@b>>"), "a@b[a@b]", "nested angle");
	is_str(list(""), "", "empty text");
	is_str(list("   "), "", "only spaces");
	is_str(list(",,,"), "", "only commas");
	is_str(list("(only a comment)"), "", "only comment");
	is_str(list("\"unbalanced@x"), "unbalanced@x[\"unbalanced@x]",
	       "unbalanced quote");
	is_str(list("Joe <joe@x"), "joe@x[joe@x]", "unbalanced angle");
	is_str(list("a@b>, c"), "a@b>[a@b>] | c[c]", "stray >");
	is_str(list("(unclosed comment a@b"), "", "unclosed comment");
	is_str(list("a@[1.2.3.4]"), "a@[1.2.3.4][a@[1.2.3.4]]", "literal");
	is_str(list("x\\"), "x[x\\]", "trailing backslash");
	is_str(list(":include:/x, |cmd"), ":include:/x[:include:/x] | |cmd[|cmd]",
	       "colon without ; is no group");
}

static void
test_hostile(void)
{
	char *big = mta_malloc(200001);
	struct mta_addrlist l;
	struct mta_addrlist_item it;
	int n = 0;

	memset(big, '(', 200000);
	big[200000] = '\0';
	is_str(list(big), "", "deep comment nesting");
	memset(big, '<', 100000);
	memset(big + 100000, '>', 100000);
	is_str(list(big), "[]", "deep angle nesting");
	for (size_t i = 0; i < 200000; i += 2) {
		big[i] = 'a';
		big[i + 1] = ',';
	}
	mta_addrlist_init(&l, big, 200000);
	mta_addrlist_item_init(&it);
	while (mta_addrlist_next(&l, &it))
		n++;
	mta_addrlist_item_release(&it);
	is_int(n, 100000, "many addresses");
	/* The length bounds the walk: no NUL needed at the end. */
	memcpy(big, "a@b, c@d", 8);
	mta_addrlist_init(&l, big, 3);
	mta_addrlist_item_init(&it);
	ok(mta_addrlist_next(&l, &it) && strcmp(it.addr.data, "a@b") == 0 &&
	   !mta_addrlist_next(&l, &it), "length respected");
	mta_addrlist_item_release(&it);
	free(big);
}

int
main(void)
{
	test_paths();
	test_quote();
	test_parts();
	test_lists();
	test_hostile();
	return done_testing();
}
