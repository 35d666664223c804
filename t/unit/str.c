/* Unit tests for lib/str. */
#include <stdlib.h>
#include <string.h>

#include "str.h"
#include "tap.h"

static void
test_token(void)
{
	char text[] = " a,,b  c ,";
	char *cp = text;

	is_str(mta_str_token(&cp, MTA_SEP_LIST), "a", "first token");
	is_str(mta_str_token(&cp, MTA_SEP_LIST), "b", "empty tokens skipped");
	is_str(mta_str_token(&cp, MTA_SEP_LIST), "c", "third token");
	ok(mta_str_token(&cp, MTA_SEP_LIST) == NULL, "NULL at the end");
	ok(mta_str_token(&cp, MTA_SEP_LIST) == NULL, "and stays NULL");
}

static void
test_escape(void)
{
	struct mta_buf b = MTA_BUF_INIT(100);

	mta_str_escape(&b, "a\r\nb\\\0", 6);
	is_str(mta_buf_str(&b), "a\\015\\012b\\134\\000",
	       "control bytes, backslash and NUL are escaped");
	mta_buf_clear(&b);
	mta_str_json(&b, "q\"\\\n\x01\xc3\xa9", 7);
	is_str(mta_buf_str(&b), "\"q\\\"\\\\\\n\\u0001\xc3\xa9\"",
	       "JSON escapes quote, backslash, controls; keeps UTF-8");
	mta_buf_clear(&b);
	ok(mta_str_escape(&b, "\001\001\001\001\001\001\001\001\001\001"
			      "\001\001\001\001\001\001\001\001\001\001"
			      "\001\001\001\001\001\001",
			  26) == -1,
	   "escape reports a full buffer");
	mta_buf_release(&b);
}

int
main(void)
{
	char s1[] = "MiXeD@Example.COM";
	char s2[] = "  \t spaced \r\n";
	bool v;

	is_str(mta_str_lower(s1), "mixed@example.com", "ASCII lower case");
	is_str(mta_str_trim(s2), "spaced", "trim both ends");
	ok(mta_str_has_prefix("hash:/x", "hash:"), "prefix found");
	ok(!mta_str_has_prefix("has", "hash:"), "short string has no prefix");
	ok(mta_str_bool("Yes", &v) == 0 && v, "yes is true");
	ok(mta_str_bool("off", &v) == 0 && !v, "off is false");
	ok(mta_str_bool("maybe", &v) == -1, "maybe is not a boolean");
	test_token();
	test_escape();
	is_int(mta_str_edit_distance("smtp_recipient_restrictions",
				     "smtpd_recipient_restrictions", 3),
	       1, "one insertion apart");
	is_int(mta_str_edit_distance("kitten", "sitting", 5), 3,
	       "the classic distance");
	is_int(mta_str_edit_distance("abc", "xyzuvw", 2), 3,
	       "past the limit gives limit+1");
	return done_testing();
}
