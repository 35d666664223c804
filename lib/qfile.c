/* qfile - queue-file validity, as a queue manager needs it (qfile.h). */
#include <stdlib.h>
#include <string.h>

#include "qfile.h"
#include "record.h"

struct qfile_walk {
	int segment;		/* 0 envelope, 1 content, 2 extracted */
	int senders;
	bool have_time, have_size;
	long long size[MTA_REC_SIZE_FIELDS];
	long long after_m, at_x;
};

/* qfile_fail - the reason, returned as failure */
static int
qfile_fail(struct mta_buf *why, const char *what, long long offset)
{
	mta_buf_clear(why);
	mta_buf_printf(why, "%s at offset %lld", what, offset);
	return -1;
}

/* qfile_envelope - what an envelope or extracted record must satisfy */
static int
qfile_envelope(struct qfile_walk *w, int type, struct mta_buf *data,
	       long long offset, struct mta_buf *why)
{
	char *name, *value;

	switch (type) {
	case MTA_REC_SIZE:
		if (w->have_size || offset != 0)
			return qfile_fail(why, "size record not first", offset);
		if (mta_rec_size_parse(data->data, data->len, w->size) < 3 ||
		    w->size[0] <= 0 || w->size[1] <= 0)
			return qfile_fail(why, "bad size record", offset);
		w->have_size = true;
		break;
	case MTA_REC_TIME:
		if (!w->have_time && strtoll(mta_buf_str(data), NULL, 10) <= 0)
			return qfile_fail(why, "bad arrival time", offset);
		w->have_time = true;
		break;
	case MTA_REC_FROM:
		if (++w->senders > 1)
			return qfile_fail(why, "more than one sender", offset);
		break;
	case MTA_REC_ATTR:
		if (memchr(data->data, '\0', data->len) ||
		    mta_rec_attr_split(data->data, &name, &value) < 0)
			return qfile_fail(why, "malformed attribute", offset);
		break;
	}
	return 0;
}

/* qfile_record - one record against the segment it stands in */
static int
qfile_record(struct qfile_walk *w, const struct mta_rec_reader *rr, int type,
	     struct mta_buf *data, long long offset, struct mta_buf *why)
{
	if (!mta_rec_allowed(type, w->segment))
		return qfile_fail(why, w->segment == 1 ?
				  "record type not allowed in the content" :
				  "record type not allowed in the envelope",
				  offset);
	if (type == MTA_REC_MESG) {
		w->segment = 1;
		w->after_m = rr->pos;
		return 0;
	}
	if (type == MTA_REC_XTRA) {
		w->segment = 2;
		w->at_x = offset;
		return 0;
	}
	return w->segment == 1 ? 0 : qfile_envelope(w, type, data, offset, why);
}

/*
 * mta_qfile_validate - read fp from its start to the 'E' record. Returns 0
 * when the file is sound, -1 with the reason in why.
 */
int
mta_qfile_validate(FILE *fp, int flags, struct mta_buf *why)
{
	struct qfile_walk w = {0};
	struct mta_rec_reader rr;
	struct mta_buf data = MTA_BUF_INIT(MTA_QFILE_PAYLOAD_MAX);
	int type, rc, bad = 0;

	w.after_m = w.at_x = -1;
	mta_rec_reader_init(&rr, fp, MTA_QFILE_PAYLOAD_MAX, MTA_REC_FOLLOW);
	while ((rc = mta_rec_read(&rr, &type, &data)) == 1 && type != MTA_REC_END)
		if ((bad = qfile_record(&w, &rr, type, &data, rr.offset, why)) < 0)
			break;
	mta_buf_release(&data);
	if (bad < 0)
		return -1;
	if (rc == MTA_REC_ERROR) {
		mta_buf_clear(why);
		mta_buf_adds(why, rr.error);
		return -1;
	}
	if (rc == MTA_REC_EOF || w.segment != 2)
		return qfile_fail(why, "no end record", (long long)rr.pos);
	if (!w.have_time || w.senders != 1)
		return qfile_fail(why, w.have_time ? "no sender" : "no arrival time",
				  0);
	if (flags & MTA_QFILE_MAILDROP)
		return 0;
	if (!w.have_size)
		return qfile_fail(why, "no size record", 0);
	if (w.size[1] != w.after_m || w.size[0] != w.at_x - w.after_m)
		return qfile_fail(why, "size record does not match the content",
				  0);
	return 0;
}
