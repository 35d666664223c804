/* Unit tests for lib/line: physical and Postfix-style logical lines. */
#include <stdio.h>
#include <string.h>

#include "line.h"
#include "tap.h"

static FILE *
text(const char *s)
{
	return fmemopen((void *)s, strlen(s), "r");
}

static void
test_logical(void)
{
	struct mta_line lr;
	char *line;
	FILE *fp = text("# comment\n"
			"\n"
			"a = 1\n"
			"   2\n"
			"# inside\n"
			"\t3\n"
			"  \n"
			"b = x\n"
			"c = last");

	mta_line_attach(&lr, fp, "test", 100, MTA_LINE_LOGICAL);
	is_int(mta_line_read(&lr, &line, NULL), MTA_LINE_OK, "first line");
	is_str(line, "a = 1   2\t3", "continuations joined as is, comments "
				       "skipped");
	is_int(lr.lineno, 3, "numbered from its first physical line");
	is_int(mta_line_read(&lr, &line, NULL), MTA_LINE_OK, "second line");
	is_str(line, "b = x", "a blank line does not end the file");
	is_int(lr.lineno, 8, "line number after blank lines");
	is_int(mta_line_read(&lr, &line, NULL), MTA_LINE_OK, "unterminated");
	is_str(line, "c = last", "last line without a newline");
	is_int(mta_line_read(&lr, &line, NULL), MTA_LINE_EOF, "then EOF");
	mta_line_close(&lr);
	fclose(fp);
}

static void
test_limits(void)
{
	struct mta_line lr;
	char *line;
	size_t len;
	FILE *fp = text("short\n0123456789abcdef\n  more\nnext\n  x\n");

	mta_line_attach(&lr, fp, "test", 10, MTA_LINE_LOGICAL);
	is_int(mta_line_read(&lr, &line, &len), MTA_LINE_OK, "short line");
	is_int(len, 5, "its length");
	is_int(mta_line_read(&lr, &line, NULL), MTA_LINE_TOOLONG,
	       "a line past the limit is reported");
	is_int(mta_line_read(&lr, &line, NULL), MTA_LINE_OK,
	       "reading goes on after it");
	is_str(line, "next  x", "its continuation was skipped too");
	is_int(lr.lineno, 4, "numbering survives the skip");
	mta_line_close(&lr);
	fclose(fp);
}

static void
test_physical(void)
{
	struct mta_line lr;
	char *line;
	FILE *fp = text("# kept\n  spaced\r\n\n");

	mta_line_attach(&lr, fp, "test", 100, 0);
	mta_line_read(&lr, &line, NULL);
	is_str(line, "# kept", "physical mode keeps comments");
	mta_line_read(&lr, &line, NULL);
	is_str(line, "  spaced\r", "and leading space and CR");
	is_int(mta_line_read(&lr, &line, NULL), MTA_LINE_OK, "empty line");
	is_str(line, "", "is empty");
	is_int(mta_line_read(&lr, &line, NULL), MTA_LINE_EOF, "EOF");
	mta_line_close(&lr);
	fclose(fp);
}

int
main(void)
{
	struct mta_line lr;
	char *line;
	FILE *fp = text("  orphan\nkey value\n");

	test_logical();
	test_limits();
	test_physical();
	mta_line_attach(&lr, fp, "test", 100, MTA_LINE_LOGICAL);
	is_int(mta_line_read(&lr, &line, NULL), MTA_LINE_OK,
	       "a leading continuation is dropped with a warning");
	is_str(line, "key value", "and the next line is read");
	mta_line_close(&lr);
	fclose(fp);
	ok(mta_line_open(&lr, "/nonexistent/file", 10, 0) == -1,
	   "opening a missing file fails");
	return done_testing();
}
