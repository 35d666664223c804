/*
 * Unit tests for lib/netlist: networks (IPv4, IPv6, brackets, bare
 * addresses), names with and without parent-domain matching, negation,
 * first match wins, maps, /file patterns, and the errors that make a
 * list unusable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netlist.h"
#include "tap.h"

static char dir[] = "/tmp/mta-netlist.XXXXXX";

/* match - 1/0/-1 of value for name/addr (-2: the list did not compile) */
static int
match(const char *value, int flags, const char *name, const char *addr)
{
	struct mta_buf err = MTA_BUF_INIT(1024);
	struct mta_netlist *l = mta_netlist_new("test", value, flags, &err);
	int rc = -2;

	if (l != NULL)
		rc = mta_netlist_match(l, name, addr, &err);
	mta_netlist_free(l);
	mta_buf_release(&err);
	return rc;
}

/* compile_error - the message of a list that does not compile */
static const char *
compile_error(const char *value)
{
	static char text[1024];
	struct mta_buf err = MTA_BUF_INIT(1024);
	struct mta_netlist *l = mta_netlist_new("mynetworks", value, 0, &err);

	snprintf(text, sizeof(text), "%s", l ? "(compiled)" : mta_buf_str(&err));
	mta_netlist_free(l);
	mta_buf_release(&err);
	return text;
}

/* write_file - a file in the test directory; its path */
static const char *
write_file(const char *name, const char *text)
{
	static char path[3][1024];
	static int turn;
	char *p = path[turn++ % 3];
	FILE *fp;

	snprintf(p, 1024, "%s/%s", dir, name);
	fp = fopen(p, "w");
	fputs(text, fp);
	fclose(fp);
	return p;
}

/* Networks and addresses. */
static void
test_networks(void)
{
	const char *nets = "127.0.0.0/8 [::1]/128, 192.0.2.0/24,[2001:db8::]/32";

	is_int(match(nets, 0, NULL, "127.1.2.3"), 1, "IPv4 /8");
	is_int(match(nets, 0, NULL, "128.0.0.1"), 0, "outside /8");
	is_int(match(nets, 0, NULL, "::1"), 1, "[::1]/128");
	is_int(match(nets, 0, NULL, "::2"), 0, "::2 is not ::1");
	is_int(match(nets, 0, NULL, "2001:db8:1::5"), 1, "IPv6 /32");
	is_int(match(nets, 0, NULL, "2001:db9::5"), 0, "outside IPv6 /32");
	is_int(match(nets, 0, NULL, "192.0.2.255"), 1, "/24 last address");
	is_int(match("192.0.2.7", 0, NULL, "192.0.2.7"), 1, "bare address");
	is_int(match("192.0.2.7", 0, NULL, "192.0.2.8"), 0, "bare: only itself");
	is_int(match("[192.0.2.7]", 0, NULL, "192.0.2.7"), 1, "[address]");
	is_int(match("2001:db8::/32", 0, NULL, "2001:db8::9"), 1,
	       "IPv6 network without brackets");
	is_int(match("127.0.0.0/8", 0, "localhost", NULL), 0,
	       "a network never matches a name");
	is_int(match("", 0, "x", "127.0.0.1"), 0, "empty list: no");
	is_int(match("!192.0.2.7 192.0.2.0/24", 0, NULL, "192.0.2.7"), 0,
	       "negation first: no");
	is_int(match("!192.0.2.7 192.0.2.0/24", 0, NULL, "192.0.2.8"), 1,
	       "negation does not cover the rest");
	is_int(match("192.0.2.0/24 !192.0.2.7", 0, NULL, "192.0.2.7"), 1,
	       "first match wins");
}

/* Names, parent domains. */
static void
test_names(void)
{
	is_int(match("example.com", 0, "example.com", NULL), 1, "name equal");
	is_int(match("example.com", 0, "EXAMPLE.Com", NULL), 1, "any case");
	is_int(match("example.com", 0, "mx.example.com", NULL), 0,
	       "no parent matching without the flag");
	is_int(match("example.com", MTA_NETLIST_PARENT, "mx.example.com", NULL),
	       1, "parent matching with the flag");
	is_int(match("example.com", MTA_NETLIST_PARENT, "badexample.com", NULL),
	       0, "parent matching needs a dot boundary");
	is_int(match(".example.com", 0, "a.b.example.com", NULL), 1,
	       ".domain matches below it");
	is_int(match(".example.com", 0, "example.com", NULL), 0,
	       ".domain does not match itself");
}

/* Maps and files. */
static void
test_maps_files(void)
{
	const char *hosts = write_file("hosts", "trusted.test ok\n"
				       "192.0.2.9 ok\n");
	const char *cidr = write_file("nets.cidr", "198.51.100.0/24 ok\n");
	const char *file = write_file("list", "# comment\n203.0.113.0/24\n"
				      "  !203.0.114.1\n203.0.114.0/24 friend.test\n");
	char spec[1200];

	snprintf(spec, sizeof(spec), "texthash:%s", hosts);
	is_int(match(spec, 0, "trusted.test", "10.0.0.1"), 1, "map: by name");
	is_int(match(spec, MTA_NETLIST_PARENT, "mx.trusted.test", NULL), 1,
	       "map: parent domain with the flag");
	is_int(match(spec, 0, "mx.trusted.test", NULL), 0,
	       "map: no parent without the flag");
	is_int(match(spec, 0, "other.test", "192.0.2.9"), 1, "map: by address");
	is_int(match(spec, 0, "other.test", "192.0.2.10"), 0, "map: no match");
	snprintf(spec, sizeof(spec), "cidr:%s", cidr);
	is_int(match(spec, 0, "x.test", "198.51.100.77"), 1, "cidr map");
	is_int(match("inline:{ 10.1.1.1=x, { a.test = y } }", 0, "a.test",
		     NULL), 1, "inline map with braces and commas");
	is_int(match(file, 0, NULL, "203.0.113.5"), 1, "/file: network");
	is_int(match(file, 0, NULL, "203.0.114.1"), 0, "/file: negation");
	is_int(match(file, 0, NULL, "203.0.114.2"), 1, "/file: later entry");
	is_int(match(file, 0, "friend.test", NULL), 1, "/file: a name");
}

/* Broken lists are refused with a reason. */
static void
test_errors(void)
{
	ok(strstr(compile_error("192.0.2.1/24"), "bad network") != NULL,
	   "host bits set: refused");
	ok(strstr(compile_error("[192.0.2.300]"), "bad network") != NULL,
	   "bad address: refused");
	ok(strstr(compile_error("nosuchtype:/x"), "mynetworks") != NULL,
	   "unknown map type: refused, naming the parameter");
	ok(strstr(compile_error("/nonexistent/list"), "cannot open") != NULL,
	   "missing file: refused");
	ok(strstr(compile_error("!"), "lone") != NULL, "lone !: refused");
	is_str(compile_error("127.0.0.0/8, ::1"), "(compiled)",
	       "a good list compiles");
}

/* The shared tokenizer. */
static void
test_token(void)
{
	char text[] = " a,b  inline:{x=1, {y = 2 3}},, c ";
	char *cp = text;

	is_str(mta_netlist_token(&cp), "a", "token 1");
	is_str(mta_netlist_token(&cp), "b", "token 2");
	is_str(mta_netlist_token(&cp), "inline:{x=1, {y = 2 3}}",
	       "braces keep a token whole");
	is_str(mta_netlist_token(&cp), "c", "token 4");
	is_str(mta_netlist_token(&cp), NULL, "end");
}

int
main(void)
{
	char cmd[1100];

	if (mkdtemp(dir) == NULL)
		return 1;
	test_networks();
	test_names();
	test_maps_files();
	test_errors();
	test_token();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return done_testing();
}
