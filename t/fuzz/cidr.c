/*
 * cidr - fuzz cidr_table(5) patterns: the first line of the input is a
 * pattern, the second an address to match against it. A pattern that
 * parses must have a sane prefix and no host bits set, and matching it
 * must agree with its negation.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "map_cidr.h"
#include "mem.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mta_buf why = MTA_BUF_INIT(1024);
	struct mta_cidr c, neg;
	unsigned char bytes[16];
	char *copy = mta_malloc(size + 1), *addr;
	int family;

	memcpy(copy, data, size);
	copy[size] = '\0';
	addr = strchr(copy, '\n');
	if (addr)
		*addr++ = '\0';
	if (mta_cidr_parse(&c, copy, &why) == 0) {
		if (c.prefix < 0 || c.prefix > 8 * c.bytes)
			abort();
		for (int i = 0; i < c.bytes; i++)
			if (c.net[i] & ~c.mask[i])
				abort();
		neg = c;
		neg.match = !c.match;
		if (addr && mta_cidr_addr(addr, bytes, &family) == 0 &&
		    mta_cidr_match(&c, bytes, family) ==
			    mta_cidr_match(&neg, bytes, family) &&
		    family == c.family)
			abort();
	} else if (why.len == 0) {
		abort();
	}
	free(copy);
	mta_buf_release(&why);
	return 0;
}
