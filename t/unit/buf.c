/* Unit tests for lib/buf: the cap is hard, the text always terminated. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "tap.h"

int
main(void)
{
	struct mta_buf b = MTA_BUF_INIT(10);
	char *s;

	is_str(mta_buf_str(&b), "", "an empty buffer reads as an empty string");
	ok(mta_buf_adds(&b, "hello") == 0, "append within the cap");
	ok(mta_buf_printf(&b, "%d", 12345) == 0, "printf up to the cap exactly");
	is_str(mta_buf_str(&b), "hello12345", "text is what was appended");
	errno = 0;
	ok(mta_buf_addc(&b, 'x') == -1 && errno == EMSGSIZE,
	   "one byte past the cap fails with EMSGSIZE");
	is_str(mta_buf_str(&b), "hello12345", "a failed append changes nothing");
	mta_buf_clear(&b);
	ok(mta_buf_printf(&b, "%s", "01234567890") == -1,
	   "printf past the cap fails whole");
	is_int(b.len, 0, "and leaves nothing behind");
	ok(mta_buf_add(&b, "a\0b", 3) == 0 && b.len == 3 &&
		   memcmp(b.data, "a\0b", 4) == 0,
	   "NUL bytes are data; a terminator follows");
	mta_buf_truncate(&b, 1);
	is_str(mta_buf_str(&b), "a", "truncate keeps the head");
	mta_buf_set(&b, "xyz");
	s = mta_buf_steal(&b);
	is_str(s, "xyz", "steal hands over the text");
	is_int(b.len, 0, "and empties the buffer");
	free(s);
	ok(mta_buf_adds(&b, "ok") == 0, "a stolen-from buffer is reusable");
	mta_buf_release(&b);
	return done_testing();
}
