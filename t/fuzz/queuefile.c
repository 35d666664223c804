/*
 * queuefile - fuzz every reader of queue files on arbitrary bytes: the
 * record reader (following pointers, which may point anywhere), the
 * soundness check qmgr and "mta-queue check" rely on, and the defer-log
 * reader. None may crash, hang or read out of bounds, whatever the
 * lengths, pointers or record types claim; a file the check calls sound
 * must read to its end record again without an error.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "bouncelog.h"
#include "qfile.h"
#include "record.h"

/* fuzz_records - read all records, pointers followed, then raw */
static void
fuzz_records(FILE *fp, int flags)
{
	struct mta_rec_reader rr;
	struct mta_buf data = MTA_BUF_INIT(1 << 16);
	long long f[MTA_REC_SIZE_FIELDS];
	int type, n = 0;

	rewind(fp);
	mta_rec_reader_init(&rr, fp, 1 << 16, flags);
	while (mta_rec_read(&rr, &type, &data) == 1 && n++ < 100000) {
		if (type == MTA_REC_SIZE)
			mta_rec_size_parse(data.data, data.len, f);
		if (type == MTA_REC_ATTR && data.len) {
			char *name, *value;

			mta_rec_attr_split(data.data, &name, &value);
		}
	}
	mta_buf_release(&data);
}

/* fuzz_sound - a file called sound must read cleanly to its 'E' */
static void
fuzz_sound(FILE *fp)
{
	struct mta_buf why = MTA_BUF_INIT(256);
	struct mta_rec_reader rr;
	struct mta_buf data = MTA_BUF_INIT(MTA_QFILE_PAYLOAD_MAX);
	int type, rc;

	rewind(fp);
	if (mta_qfile_validate(fp, 0, &why) == 0) {
		rewind(fp);
		mta_rec_reader_init(&rr, fp, MTA_QFILE_PAYLOAD_MAX,
				    MTA_REC_FOLLOW);
		while ((rc = mta_rec_read(&rr, &type, &data)) == 1 &&
		       type != MTA_REC_END)
			;
		if (rc != 1)
			abort();
	}
	rewind(fp);
	mta_qfile_validate(fp, MTA_QFILE_MAILDROP, &why);
	mta_buf_release(&why);
	mta_buf_release(&data);
}

/* fuzz_bouncelog - the same bytes as a defer log */
static void
fuzz_bouncelog(const uint8_t *bytes, size_t size)
{
	char path[] = "/tmp/fuzz-bouncelog.XXXXXX";
	int fd = mkstemp(path);
	struct mta_bouncelog bl;
	const struct mta_bounce_entry *e;
	struct mta_buf out = MTA_BUF_INIT(1 << 20);

	if (fd < 0)
		return;
	if (write(fd, bytes, size) == (ssize_t)size &&
	    mta_bouncelog_open(&bl, AT_FDCWD, path, true) == 0) {
		while (mta_bouncelog_next(&bl, &e) == 1)
			mta_bouncelog_format(&out, e);
		mta_bouncelog_close(&bl);
	}
	close(fd);
	unlink(path);
	mta_buf_release(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *fp = fmemopen((void *)data, size ? size : 1, "r");

	if (fp == NULL)
		return 0;
	fuzz_records(fp, MTA_REC_FOLLOW);
	fuzz_records(fp, 0);
	fuzz_sound(fp);
	fclose(fp);
	fuzz_bouncelog(data, size);
	return 0;
}
