/*
 * Unit tests for lib/record: the length encoding, a write/read round trip,
 * hostile files, and every queue file of the Postfix 3.7 fixtures read to
 * its end with the 'C' record's offsets checked against the real layout.
 */
#define _GNU_SOURCE
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "tap.h"

static void
test_length(void)
{
	static const struct {
		size_t len;
		int n;
		unsigned char bytes[4];
	} cases[] = {
		{0, 1, {0x00}},	      {1, 1, {0x01}},
		{127, 1, {0x7f}},     {128, 2, {0x80, 0x01}},
		{300, 2, {0xac, 0x02}}, {16383, 2, {0xff, 0x7f}},
		{16384, 3, {0x80, 0x80, 0x01}},
	};
	unsigned char out[4];
	int bad = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = mta_rec_len_encode(out, cases[i].len);

		if (n != cases[i].n || memcmp(out, cases[i].bytes, (size_t)n))
			bad++;
	}
	is_int(bad, 0, "length encoding matches Postfix's table");
	ok(mta_rec_len_encode(out, (size_t)1 << 28) == -1,
	   "2^28 does not fit in four length bytes");
}

static void
test_round_trip(void)
{
	FILE *fp = tmpfile();
	struct mta_rec_reader rr;
	struct mta_buf data = MTA_BUF_INIT(100000);
	char big[3000];
	int type;
	long long f[6] = {53, 313, 1, 0, 53, 0}, g[6];
	char size[MTA_REC_SIZE_PAYLOAD + 1];

	memset(big, 'x', sizeof(big));
	ok(mta_rec_size_format(size, f) == 0, "size record formats");
	is_int(strlen(size), 95, "size payload is 95 bytes");
	mta_rec_writes(fp, 'C', size);
	mta_rec_writef(fp, 'T', "%d %d", 1700000000, 123456);
	mta_rec_write(fp, 'N', big, sizeof(big));
	mta_rec_write(fp, 'N', "a\0b", 3);
	mta_rec_writes(fp, 'E', "");
	rewind(fp);
	mta_rec_reader_init(&rr, fp, 100000, MTA_REC_FOLLOW);
	ok(mta_rec_read(&rr, &type, &data) == 1 && type == 'C', "C back");
	ok(mta_rec_size_parse(data.data, data.len, g) == 6 &&
		   memcmp(f, g, sizeof(f)) == 0,
	   "size fields round trip");
	ok(mta_rec_read(&rr, &type, &data) == 1 && type == 'T' &&
		   strcmp(data.data, "1700000000 123456") == 0,
	   "T back");
	is_int(rr.offset, 97, "T starts right after the 97-byte C record");
	ok(mta_rec_read(&rr, &type, &data) == 1 && data.len == 3000,
	   "a 3000-byte payload (two length bytes)");
	ok(mta_rec_read(&rr, &type, &data) == 1 && data.len == 3 &&
		   memcmp(data.data, "a\0b", 3) == 0,
	   "payloads may hold NUL");
	ok(mta_rec_read(&rr, &type, &data) == 1 && type == 'E', "E back");
	is_int(mta_rec_read(&rr, &type, &data), MTA_REC_EOF, "clean EOF");
	fclose(fp);
	mta_buf_release(&data);
}

static int
read_bytes(const void *bytes, size_t len, size_t max, char *why, size_t wsz)
{
	FILE *fp = fmemopen((void *)bytes, len, "r");
	struct mta_rec_reader rr;
	struct mta_buf data = MTA_BUF_INIT(1 << 20);
	int type, rc;

	mta_rec_reader_init(&rr, fp, max, MTA_REC_FOLLOW);
	while ((rc = mta_rec_read(&rr, &type, &data)) == 1)
		;
	snprintf(why, wsz, "%s", rr.error);
	fclose(fp);
	mta_buf_release(&data);
	return rc;
}

static void
test_empty_payload(void)
{
	FILE *fp = fmemopen((void *)"A\000E\000", 4, "r");
	struct mta_rec_reader rr;
	struct mta_buf data = MTA_BUF_INIT(100);
	int type;

	mta_rec_reader_init(&rr, fp, 100, MTA_REC_FOLLOW);
	ok(mta_rec_read(&rr, &type, &data) == 1 && type == 'A' &&
		   data.data != NULL && data.data[0] == '\0',
	   "an empty payload is an empty string, never NULL (fuzz find)");
	fclose(fp);
	mta_buf_release(&data);
}

static void
test_hostile(void)
{
	char why[128];

	ok(read_bytes("N\x85\x80\x80\x80\x01", 6, 1 << 20, why, sizeof(why)) ==
			   MTA_REC_ERROR &&
		   strstr(why, "length too long"),
	   "a fifth length byte is refused");
	ok(read_bytes("N\x80", 2, 1 << 20, why, sizeof(why)) == MTA_REC_ERROR &&
		   strstr(why, "truncated record length"),
	   "EOF inside the length");
	ok(read_bytes("N\x05" "abc", 5, 1 << 20, why, sizeof(why)) ==
			   MTA_REC_ERROR &&
		   strstr(why, "truncated record payload"),
	   "EOF inside the payload");
	ok(read_bytes("N\x80\x80\x80\x7f", 5, 1 << 20, why, sizeof(why)) ==
			   MTA_REC_ERROR &&
		   strstr(why, "too long"),
	   "a 256 MB declared length is refused without allocating it");
	ok(read_bytes("p\x0f" "              2", 17, 1 << 20, why,
		      sizeof(why)) == MTA_REC_ERROR &&
		   strstr(why, "truncated"),
	   "a pointer into a record's middle ends in an error");
	ok(read_bytes("p\x0f" "              0E\x00", 19, 100, why,
		      sizeof(why)) == MTA_REC_EOF,
	   "a zero pointer is a no-op");
	ok(read_bytes("p\x0f" "abcdefghijklmno", 17, 100, why, sizeof(why)) ==
		   MTA_REC_ERROR,
	   "a non-numeric pointer is an error");
	{
		/* A pointer to itself: a loop, cut off by the jump limit. */
		ok(read_bytes("p\x0f" "              0p\x0f" "             17",
			      34, 100, why, sizeof(why)) == MTA_REC_ERROR &&
			   strstr(why, "too many pointer jumps"),
		   "a pointer loop ends");
	}
}

/* Fixture walk: every finished queue file must read cleanly to 'E'. */
static int files_read, files_bad;

static int
check_fixture(const char *path)
{
	FILE *fp = fopen(path, "r");
	struct mta_rec_reader rr;
	struct mta_buf data = MTA_BUF_INIT(1 << 20);
	long long f[6] = {0};
	long long after_m = -1, at_x = -1;
	int type, rc, segment = 0, nsize = 0;

	if (fp == NULL)
		return -1;
	mta_rec_reader_init(&rr, fp, 1 << 20, MTA_REC_FOLLOW);
	while ((rc = mta_rec_read(&rr, &type, &data)) == 1) {
		if (!mta_rec_allowed(type, segment))
			break;
		if (type == 'C')
			nsize = mta_rec_size_parse(data.data, data.len, f);
		if (type == 'M') {
			after_m = ftello(fp);
			segment = 1;
		} else if (type == 'X') {
			at_x = rr.offset;
			segment = 2;
		} else if (type == 'E') {
			segment = 3;
			break;
		}
	}
	fclose(fp);
	mta_buf_release(&data);
	if (segment != 3 || nsize != 6 || f[1] != after_m ||
	    f[0] != at_x - after_m) {
		printf("# %s: segment %d, size fields %d, offsets %lld/%lld "
		       "vs %lld/%lld\n",
		       path, segment, nsize, f[1], f[0], after_m,
		       at_x - after_m);
		return -1;
	}
	return 0;
}

static int
walk(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	static const char *queues[] = {"/spool/incoming/", "/spool/active/",
				       "/spool/deferred/", "/spool/hold/"};

	if (flag != FTW_F)
		return 0;
	for (size_t i = 0; i < 4; i++) {
		if (strstr(path, queues[i]) == NULL)
			continue;
		files_read++;
		if (check_fixture(path) < 0)
			files_bad++;
	}
	return 0;
}

int
main(void)
{
	const char *top = getenv("MTA_TOP");
	char dir[4096];

	test_length();
	test_round_trip();
	test_hostile();
	test_empty_payload();
	snprintf(dir, sizeof(dir), "%s/t/data/postfix-3.7-spool",
		 top ? top : ".");
	nftw(dir, walk, 16, FTW_PHYS);
	ok(files_read >= 40, "the Postfix 3.7 fixture queue files were found");
	is_int(files_bad, 0, "each reads to E with C's offsets exact");
	{
		char payload[] = "  rewrite_context = local ";
		char *name, *value;

		ok(mta_rec_attr_split(payload, &name, &value) == 0 &&
			   strcmp(name, "rewrite_context") == 0 &&
			   strcmp(value, "local") == 0,
		   "attribute split trims");
	}
	is_int(mta_rec_attr_pseudo("dsn_orig_rcpt"), 'o', "pseudo type map");
	is_str(mta_rec_name('L', true), "unterminated_text",
	       "L in content is text");
	is_str(mta_rec_name('L', false), "content_filter",
	       "L in the envelope is a filter");
	return done_testing();
}
