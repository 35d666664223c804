/*
 * postdrop - fuzz the submission checker mta-postdrop (and later pickup)
 * applies to what an untrusted user sends: arbitrary bytes as a record
 * stream, checked and copied to a memory file. Nothing may crash or read
 * out of bounds; a stream accepted once must be accepted again when its
 * copy is read back (the copy holds only what the checker kept), and the
 * copy must hold no record type a submission may not carry.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maildrop.h"
#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mta_buf err = MTA_BUF_INIT(1024);
	char *copy = NULL;
	size_t copy_len = 0;
	FILE *in, *out, *again;
	int rc;

	if (size == 0 || (in = fmemopen((void *)data, size, "r")) == NULL)
		return 0;
	if ((out = open_memstream(&copy, &copy_len)) == NULL) {
		fclose(in);
		return 0;
	}
	rc = mta_maildrop_copy(in, out, 2048, 0, NULL, NULL, &err);
	fclose(in);
	fclose(out);
	if (rc == 0 && copy_len > 0) {
		again = fmemopen(copy, copy_len, "r");
		if (again == NULL ||
		    mta_maildrop_copy(again, NULL, 2048, 0, NULL, NULL, &err) != 0)
			abort();
		fclose(again);
		if (memchr(copy, MTA_REC_TIME, 1) != NULL)
			abort();	/* the client's T is never kept */
	}
	free(copy);
	mta_buf_release(&err);
	return 0;
}
