/*
 * addr - fuzz RFC 5321 path parsing, RFC 5322 list walking and the
 * quote/unquote round trip. Properties checked: a parsed path fits its
 * limits; list items lie inside the text; unquote(quote(x)) == x.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "mem.h"

/* fuzz_path - parse with each combination of flags */
static void
fuzz_path(const char *data, size_t size)
{
	struct mta_buf err = MTA_BUF_INIT(256);
	struct mta_path p;

	for (int flags = 0; flags < 16; flags++) {
		if (mta_path_parse(data, size, flags, &p, &err) == 0) {
			if (p.end > size || strlen(p.addr) > MTA_ADDR_PATH_MAX ||
			    p.local_len > strlen(p.addr))
				abort();
			if (!(flags & MTA_PATH_UTF8) && p.eightbit)
				abort();
		}
	}
	mta_buf_release(&err);
}

/* fuzz_list - every item's offsets lie inside the text */
static void
fuzz_list(const char *data, size_t size)
{
	struct mta_addrlist list;
	struct mta_addrlist_item item;

	mta_addrlist_init(&list, data, size);
	mta_addrlist_item_init(&item);
	while (mta_addrlist_next(&list, &item))
		if (item.start > item.end || item.end > size)
			abort();
	mta_addrlist_item_release(&item);
}

/* fuzz_quote - unquote(quote(x)) gives x back */
static void
fuzz_quote(const char *text)
{
	struct mta_buf q = MTA_BUF_INIT(1 << 20), u = MTA_BUF_INIT(1 << 20);

	if (mta_addr_quote(&q, text) == 0 &&
	    mta_addr_unquote(&u, mta_buf_str(&q)) == 0 &&
	    strcmp(mta_buf_str(&u), text) != 0)
		abort();
	mta_buf_clear(&u);
	mta_addr_unquote(&u, text);
	(void)mta_addr_is_routed(text);
	mta_buf_release(&q);
	mta_buf_release(&u);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy, so that ASan sees any read past the end. */
	char *copy = mta_memdup(data, size ? size : 1);
	char *text = mta_strndup((const char *)data, size);

	fuzz_path(copy, size);
	fuzz_list(copy, size);
	fuzz_quote(text);
	free(copy);
	free(text);
	return 0;
}
