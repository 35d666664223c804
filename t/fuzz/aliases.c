/*
 * aliases - fuzz the aliases(5) line parser and the value splitter: every
 * line of the input is parsed, and each value it yields is split.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alias.h"
#include "mem.h"
#include "msg.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mta_buf name = MTA_BUF_INIT(MTA_ALIAS_VALUE_MAX);
	struct mta_buf value = MTA_BUF_INIT(MTA_ALIAS_VALUE_MAX);
	char *copy = mta_memdup(data, size ? size : 1);
	const char *why;
	size_t start = 0;

	for (size_t i = 0; i <= size; i++) {
		struct mta_alias_rcpts r;

		if (i < size && copy[i] != '\n')
			continue;
		if (mta_alias_parse_line(copy + start, i - start, true, &name,
					 &value, &why) == 0) {
			if (name.len == 0 || strlen(name.data) != name.len)
				abort();
			mta_alias_split(value.data, &r);
			mta_alias_rcpts_release(&r);
		}
		start = i + 1;
	}
	free(copy);
	mta_buf_release(&name);
	mta_buf_release(&value);
	return 0;
}
