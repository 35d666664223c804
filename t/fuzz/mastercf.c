/* mastercf - libFuzzer harness for master.cf parsing and printing. */
#include <stdint.h>
#include <stdio.h>

#include "mastercf.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mta_buf err = MTA_BUF_INIT(4096);
	struct mta_buf out = MTA_BUF_INIT(1 << 22);
	struct mta_master *m;
	FILE *fp;

	if (size == 0 || (fp = fmemopen((void *)data, size, "r")) == NULL)
		return 0;
	m = mta_master_read(fp, "master.cf", &err);
	fclose(fp);
	for (size_t i = 0; m && i < m->n; i++) {
		mta_buf_clear(&out);
		mta_master_format(&m->ents[i], i & 1, &out);
		(void)mta_master_find(m, m->ents[i].service, NULL);
	}
	mta_master_free(m);
	mta_buf_release(&err);
	mta_buf_release(&out);
	return 0;
}
