/* maildrop - the submission checker: what is kept, dropped and refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maildrop.h"
#include "record.h"
#include "tap.h"

/* check - one record through a checker, payload given as text */
static int
check(struct mta_maildrop_check *mc, int type, const char *text,
      struct mta_buf *out)
{
	mta_buf_clear(out);
	mta_buf_add(out, text, strlen(text));
	return mta_maildrop_check(mc, type, out);
}

/* test_segments - types by segment, terminators move on */
static void
test_segments(void)
{
	struct mta_maildrop_check mc;
	struct mta_buf b = MTA_BUF_INIT(4096);

	mta_maildrop_check_init(&mc, 0);
	ok(check(&mc, 'T', "1 2", &b) == MTA_MAILDROP_SKIP, "client T dropped");
	ok(check(&mc, 'S', "a@b", &b) == MTA_MAILDROP_KEEP, "S kept");
	ok(check(&mc, 'R', "c@d", &b) == MTA_MAILDROP_KEEP, "R kept");
	ok(check(&mc, 'N', "x", &b) == MTA_MAILDROP_BAD, "N in envelope refused");
	is_str(mc.error, "record type 78 ('N') is not allowed in this part of "
	       "a submission", "error names the record");
	mta_maildrop_check_init(&mc, MTA_MAILDROP_FILE);
	ok(check(&mc, 'T', "1 2", &b) == MTA_MAILDROP_KEEP, "T kept in a file");
	ok(check(&mc, 'S', "a@b", &b) == MTA_MAILDROP_KEEP, "S");
	ok(check(&mc, 'S', "a@b", &b) == MTA_MAILDROP_KEEP, "second S");
	ok(check(&mc, 'R', "x", &b) == MTA_MAILDROP_KEEP, "R");
	ok(check(&mc, 'M', "", &b) == MTA_MAILDROP_KEEP, "M");
	ok(check(&mc, 'N', "a\r\nb", &b) == MTA_MAILDROP_KEEP, "CRLF in text ok");
	ok(check(&mc, 'R', "x", &b) == MTA_MAILDROP_BAD, "R in content refused");
	mta_maildrop_check_init(&mc, 0);
	check(&mc, 'S', "a", &b);
	check(&mc, 'S', "b", &b);
	check(&mc, 'R', "c", &b);
	check(&mc, 'M', "", &b);
	check(&mc, 'X', "", &b);
	ok(check(&mc, 'E', "", &b) == MTA_MAILDROP_END, "E ends");
	ok(mta_maildrop_check_end(&mc) == MTA_MAILDROP_BAD, "two senders refused");
	ok(check(&mc, 'N', "", &b) == MTA_MAILDROP_BAD, "nothing after E");
	mta_maildrop_check_init(&mc, 0);
	ok(check(&mc, 0, "", &b) == MTA_MAILDROP_BAD, "type 0 refused");
	ok(check(&mc, 'S', "a\nb", &b) == MTA_MAILDROP_BAD, "LF in S refused");
	mta_buf_release(&b);
}

/* test_attrs - the attribute filter, and the "name=value" rewrite */
static void
test_attrs(void)
{
	static const struct {
		const char *in;
		int verdict;
	} cases[] = {
		{"rewrite_context=local", MTA_MAILDROP_KEEP},
		{"rewrite_context=elsewhere", MTA_MAILDROP_SKIP},
		{"encoding=8bit", MTA_MAILDROP_KEEP},
		{"encoding=base64", MTA_MAILDROP_SKIP},
		{"trace_flags=1024", MTA_MAILDROP_KEEP},
		{"trace_flags=1", MTA_MAILDROP_SKIP},
		{"notify_flags=14", MTA_MAILDROP_KEEP},
		{"notify_flags=99", MTA_MAILDROP_SKIP},
		{"envelope_id=abc", MTA_MAILDROP_KEEP},
		{"client_address=1.2.3.4", MTA_MAILDROP_SKIP},
		{"=novalue", MTA_MAILDROP_SKIP},
	};
	struct mta_maildrop_check mc;
	struct mta_buf b = MTA_BUF_INIT(4096);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mta_maildrop_check_init(&mc, 0);
		ok(check(&mc, 'A', cases[i].in, &b) == cases[i].verdict,
		   cases[i].in);
	}
	mta_maildrop_check_init(&mc, 0);
	check(&mc, 'A', "  encoding =  7bit ", &b);
	is_str(mta_buf_str(&b), "encoding=7bit", "attribute rewritten tidy");
	mta_buf_release(&b);
}

/* test_copy - a whole stream through mta_maildrop_copy */
static void
test_copy(void)
{
	static const char stream[] = "S\003a@bR\003c@dM\000N\001xX\000E\000";
	struct mta_buf err = MTA_BUF_INIT(256);
	char *out = NULL;
	size_t len = 0;
	FILE *in = fmemopen((void *)stream, sizeof(stream) - 1, "r");
	FILE *fp = open_memstream(&out, &len);

	ok(mta_maildrop_copy(in, fp, 2048, 0, NULL, NULL, &err) == 0,
	   "a good stream is copied");
	fclose(fp);
	ok(len == sizeof(stream) - 1 && memcmp(out, stream, len) == 0,
	   "byte for byte");
	fclose(in);
	in = fmemopen((void *)stream, 9, "r");
	ok(mta_maildrop_copy(in, NULL, 2048, 0, NULL, NULL, &err) ==
	   MTA_MAILDROP_BAD, "a truncated stream is refused");
	is_str(mta_buf_str(&err), "truncated record payload at offset 5",
	       "and says where");
	fclose(in);
	in = fmemopen((void *)stream, sizeof(stream) - 1, "r");
	ok(mta_maildrop_copy(in, NULL, 2, 0, NULL, NULL, &err) ==
	   MTA_MAILDROP_BAD, "a record over the limit is refused");
	fclose(in);
	free(out);
	mta_buf_release(&err);
}

int
main(void)
{
	test_segments();
	test_attrs();
	test_copy();
	return done_testing();
}
