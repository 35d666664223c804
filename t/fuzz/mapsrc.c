/*
 * mapsrc - fuzz the map source parser (mapsrc.h) on arbitrary bytes, read
 * through fmemopen as a file would be, and check what it promises: keys
 * and values non-empty, within map.h's limits, without blanks around the
 * value, and line numbers that only grow. The inline: parser gets the
 * same bytes as "inline:{...}".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map.h"
#include "mapsrc.h"
#include "mem.h"
#include "msg.h"
#include "str.h"

/* check_entry - abort on an entry that breaks the parser's promises */
static void
check_entry(const char *key, const char *value, int lineno, int *last)
{
	size_t vlen = strlen(value);

	if (*key == '\0' || *value == '\0' || strlen(key) > MTA_MAP_MAX_KEY ||
	    vlen > MTA_MAP_MAX_VALUE || mta_is_space((unsigned char)*value) ||
	    mta_is_space((unsigned char)value[vlen - 1]) || lineno <= *last)
		abort();
	*last = lineno;
}

/* fuzz_inline - the same bytes as an inline: table */
static void
fuzz_inline(const uint8_t *data, size_t size)
{
	struct mta_buf spec = MTA_BUF_INIT(8192);
	struct mta_buf err = MTA_BUF_INIT(1024);
	struct mta_map *map;
	const char *k, *v;

	if (mta_buf_adds(&spec, "inline:{") == 0 &&
	    mta_buf_add(&spec, data, size) == 0 && mta_buf_addc(&spec, '}') == 0 &&
	    strlen(spec.data) == spec.len &&
	    (map = mta_map_open(spec.data, 0, &err)) != NULL) {
		for (int rc = mta_map_sequence(map, true, &k, &v); rc > 0;
		     rc = mta_map_sequence(map, false, &k, &v))
			if (mta_map_lookup(map, k, &v) != 1)
				abort();
		mta_map_close(map);
	}
	mta_buf_release(&spec);
	mta_buf_release(&err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int quiet;
	struct mta_mapsrc src;
	char *key, *value;
	int lineno, last = 0;
	FILE *fp;

	if (!quiet++) {
		mta_msg_init("fuzz-mapsrc");
		mta_msg_sinks(0);
	}
	if (size == 0 || (fp = fmemopen((void *)data, size, "r")) == NULL)
		return 0;
	mta_mapsrc_attach(&src, fp, "fuzz");
	src.quiet = 1;
	while (mta_mapsrc_next(&src, &key, &value, &lineno) > 0)
		check_entry(key, value, lineno, &last);
	mta_mapsrc_close(&src);
	fclose(fp);
	fuzz_inline(data, size);
	return 0;
}
