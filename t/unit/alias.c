/* alias - the aliases(5) parser and the value splitter */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alias.h"
#include "msg.h"
#include "tap.h"

/* parse - "name=>value" for a line, or "ERR: why" */
static const char *
parse(const char *line)
{
	static char res[1024];
	struct mta_buf name = MTA_BUF_INIT(MTA_ALIAS_VALUE_MAX);
	struct mta_buf value = MTA_BUF_INIT(MTA_ALIAS_VALUE_MAX);
	const char *why;

	if (mta_alias_parse_line(line, strlen(line), true, &name, &value,
				 &why) < 0)
		snprintf(res, sizeof(res), "ERR: %s", why);
	else
		snprintf(res, sizeof(res), "%s=>%s", name.data, value.data);
	mta_buf_release(&name);
	mta_buf_release(&value);
	return res;
}

/* What postalias 3.7 stores for these lines (checked with postalias -s). */
static void
test_lines(void)
{
	is_str(parse("root: user"), "root=>user", "simple");
	is_str(parse("User: user1, user2,  user3"), "user=>user1, user2, user3",
	       "name folded, value re-spaced");
	is_str(parse("tab:\ttabbed   value\t "), "tab=>tabbed value",
	       "white space runs");
	is_str(parse("\"a b\": c"), "a b=>c", "quoted name");
	is_str(parse("q\"uo\"te: x"), "q uo te=>x", "name of mixed tokens");
	is_str(parse("m\\:n: v"), "m:n=>v", "escaped colon in name");
	is_str(parse("\"o:p\": v"), "o:p=>v", "quoted colon in name");
	is_str(parse("b: x\\,y, (com ment) c , <d@e>, [1.2.3.4], \"q\\\"t\""),
	       "b=>\"x,y\", (com ment) c, <d@e>, [1.2.3.4], \"q\\\"t\"",
	       "value tokens");
	is_str(parse("c: a.b . c @ d"), "c=>a.b.c@d", "operators close up");
	is_str(parse("e: \"\": x"), "e=>\"\":x", "colon in value");
	is_str(parse("f: \"\""), "f=>\"\"", "empty quoted value");
	is_str(parse("g: :include: /x/y"), "g=>:include:/x/y", "include");
	is_str(parse("h: |\"/bin/x y\""), "h=>|\"/bin/x y\"", "pipe quoted");
	is_str(parse("pipe: \"|/bin/cmd arg\", /var/file"),
	       "pipe=>\"|/bin/cmd arg\", /var/file", "quoted command");
	is_str(parse("z: \\\"quoted\\\""), "z=>\"\\\"quoted\\\"\"",
	       "escaped quotes make a quoted string");
	is_str(parse("aa: \\\\back"), "aa=>\"\\\\back\"", "escaped backslash");
	is_str(parse("bb: ab\\"), "bb=>ab", "trailing backslash");
	is_str(parse("cc: a\\ b"), "cc=>\"a b\"", "escaped space");
	is_str(parse("(cmt) x: v"), "(cmt) x=>v", "comment in name kept");
	is_str(parse("a: \"x y   z\""), "a=>\"x y   z\"", "spaces in quotes kept");
	is_str(parse("noColon value"), "ERR: need a \"name: value\" pair",
	       "no colon");
	is_str(parse("empty:"), "ERR: need a \"name: value\" pair", "no value");
	is_str(parse(": x"), "ERR: need a \"name: value\" pair", "no name");
	is_str(parse("j, k: v"),
	       "ERR: need a \"name: value\" pair (one name only)", "two names");
	is_str(parse("r@s: v"), "ERR: name must be local (no @ or %)", "@");
	is_str(parse("t%u: v"), "ERR: name must be local (no @ or %)", "%");
	is_str(parse("\"\": v"), "ERR: empty name", "empty name");
	is_str(parse("v!w: v"), "v!w=>v", "! is allowed");
	is_str(parse("\"unbalanced: x"), "ERR: need a \"name: value\" pair",
	       "unbalanced quote eats the colon");
	is_str(parse("8bit\xc3\xa9: v\xc3\xa9"), "8bit\xc3\xa9=>v\xc3\xa9",
	       "8-bit kept");
}

/* split - "kind:text" of every recipient, joined by " | " */
static const char *
split(const char *value)
{
	static char res[2048];
	struct mta_alias_rcpts r;
	size_t used = 0;

	res[0] = '\0';
	mta_alias_split(value, &r);
	for (size_t i = 0; i < r.n; i++) {
		int n = snprintf(res + used, sizeof(res) - used, "%s%s:%s",
				 i ? " | " : "", mta_alias_kind_name(r.v[i].kind),
				 r.v[i].text);
		if (n < 0 || (size_t)n >= sizeof(res) - used)
			break;
		used += (size_t)n;
	}
	mta_alias_rcpts_release(&r);
	return res;
}

static void
test_split(void)
{
	is_str(split("user1, user2, user3"),
	       "address:user1 | address:user2 | address:user3", "addresses");
	is_str(split(":include:/etc/mta/list.txt"),
	       "include:/etc/mta/list.txt", "include");
	is_str(split(":INCLUDE:/x"), "include:/x", "include in capitals");
	is_str(split("|/bin/cmd arg"), "command:/bin/cmd arg", "bare command");
	is_str(split("\"|/bin/cmd a, b\""), "command:/bin/cmd a, b",
	       "quoted command keeps its comma");
	is_str(split("|\"/bin/x y\""), "command:/bin/x y", "pipe then quotes");
	is_str(split("/var/mail/file, \"/var/a b\""),
	       "file:/var/mail/file | file:/var/a b", "files");
	is_str(split("\"a b\"@example.com"), "address:a b@example.com",
	       "quoted address is unquoted");
	is_str(split("Joe <joe@x.org> (comment), , bob"),
	       "address:joe@x.org | address:bob", "angle, comment, empty");
	is_str(split(""), "", "empty value");
	is_str(split("\"unbalanced, x"), "address:unbalanced, x",
	       "unbalanced quote runs to the end");
}

static void
test_reader(void)
{
	char path[] = "/tmp/mta-alias-test.XXXXXX";
	int fd = mkstemp(path);
	FILE *fp = fdopen(fd, "w");
	struct mta_alias_reader ar;
	const char *name, *value;
	int lineno, n = 0;
	char seen[512] = "";

	fputs("# comment\n"
	      "root: user\n"
	      "\n"
	      "list: a,\n"
	      "# inner comment\n"
	      "   b ,\n"
	      "\tc\n"
	      "bad line\n"
	      "Quoted\"X\": \"y\n"
	      " z\"\n",
	      fp);
	fclose(fp);
	ok(mta_alias_open(&ar, path) == 0, "open");
	while (mta_alias_next(&ar, &name, &value, &lineno) > 0) {
		char one[128];

		snprintf(one, sizeof(one), "%d %s=>%s;", lineno, name, value);
		strncat(seen, one, sizeof(seen) - strlen(seen) - 1);
		n++;
	}
	is_int(n, 3, "three entries");
	is_str(seen, "2 root=>user;4 list=>a, b, c;9 quoted x=>\"y z\";",
	       "entries, line numbers, continuation joined");
	is_int(ar.skipped, 1, "one line skipped");
	mta_alias_close(&ar);
	unlink(path);
	ok(mta_alias_open(&ar, "/nonexistent/aliases") < 0, "missing file");
}

int
main(void)
{
	mta_msg_init("alias.t");
	test_lines();
	test_split();
	test_reader();
	return done_testing();
}
