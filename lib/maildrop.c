/* maildrop - the submission record stream and maildrop files (maildrop.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maildrop.h"
#include "record.h"

/* What each segment may hold; its terminator comes first. */
static const char *const maildrop_segments[] = {"MCFSRVAinT", "XLN", "EAR",
						""};

/* mta_maildrop_check_init - a fresh checker, before the first record */
void
mta_maildrop_check_init(struct mta_maildrop_check *mc, int flags)
{
	memset(mc, 0, sizeof(*mc));
	mc->flags = flags;
}

/* check_bad - refuse the record, saying why */
static int
check_bad(struct mta_maildrop_check *mc, int type, const char *why)
{
	char shown[8] = "";

	if (type > ' ' && type < 127)
		snprintf(shown, sizeof(shown), " ('%c')", type);
	snprintf(mc->error, sizeof(mc->error), "record type %d%s %s", type,
		 shown, why);
	return MTA_MAILDROP_BAD;
}

/* attr_value_ok - is this a value a submitter may give this attribute */
static bool
attr_value_ok(const char *name, const char *value)
{
	char *end;
	long n;

	if (strcmp(name, "rewrite_context") == 0)
		return strcmp(value, "local") == 0 || strcmp(value, "remote") == 0;
	if (strcmp(name, "encoding") == 0)
		return strcmp(value, "7bit") == 0 || strcmp(value, "8bit") == 0 ||
		       *value == '\0';
	if (strcmp(name, "trace_flags") == 0)
		return strcmp(value, "512") == 0 || strcmp(value, "1024") == 0;
	if (strcmp(name, "notify_flags") == 0 || strcmp(name, "ret_flags") == 0) {
		n = strtol(value, &end, 10);
		return end != value && *end == '\0' && n > 0 && n <= 15;
	}
	return strcmp(name, "envelope_id") == 0 ||
	       strcmp(name, "dsn_orig_rcpt") == 0 ||
	       strcmp(name, "create_time") == 0;
}

/*
 * check_attr - filter an 'A' record; a kept one is rewritten in place as
 * "name=value" (white space around the parts removed, as Postfix does).
 */
static int
check_attr(struct mta_maildrop_check *mc, struct mta_buf *payload)
{
	char *name, *value, *copy;
	int rc = MTA_MAILDROP_KEEP;

	copy = strdup(mta_buf_str(payload));
	if (copy == NULL)
		mta_msg_fatal("out of memory");
	if (mta_rec_attr_split(copy, &name, &value) < 0) {
		snprintf(mc->warning, sizeof(mc->warning),
			 "ignoring malformed attribute record: %.100s",
			 mta_buf_str(payload));
		rc = MTA_MAILDROP_SKIP;
	} else if (!attr_value_ok(name, value)) {
		snprintf(mc->warning, sizeof(mc->warning),
			 "ignoring attribute record: %.100s=%.100s", name, value);
		rc = MTA_MAILDROP_SKIP;
	} else {
		mta_buf_clear(payload);
		mta_buf_printf(payload, "%s=%s", name, value);
	}
	free(copy);
	return rc;
}

/*
 * mta_maildrop_check - what to do with the next record of a submission:
 * MTA_MAILDROP_KEEP, _SKIP (mc->warning may say why), _END after 'E', or
 * _BAD (mc->error says why; the submission must be thrown away).
 */
int
mta_maildrop_check(struct mta_maildrop_check *mc, int type,
		   struct mta_buf *payload)
{
	const char *allowed = maildrop_segments[mc->segment];

	mc->warning[0] = '\0';
	if (type <= 0 || type > 255 || strchr(allowed, type) == NULL)
		return check_bad(mc, type, mc->segment < 3 ?
				 "is not allowed in this part of a submission" :
				 "follows the end-of-message record");
	if (type != MTA_REC_NORM && type != MTA_REC_CONT &&
	    (memchr(payload->data, '\0', payload->len) ||
	     memchr(payload->data, '\r', payload->len) ||
	     memchr(payload->data, '\n', payload->len)))
		return check_bad(mc, type, "holds a CR, LF or NUL byte");
	if (type == allowed[0])
		mc->segment++;
	switch (type) {
	case MTA_REC_TIME:
		return (mc->flags & MTA_MAILDROP_FILE) ? MTA_MAILDROP_KEEP :
			MTA_MAILDROP_SKIP;
	case MTA_REC_FROM:
		mc->senders++;
		break;
	case MTA_REC_RCPT:
		mc->recipients++;
		break;
	case MTA_REC_ATTR:
		return check_attr(mc, payload);
	case MTA_REC_END:
		return MTA_MAILDROP_END;
	}
	return MTA_MAILDROP_KEEP;
}

/* mta_maildrop_check_end - after 'E': one sender, some recipient (0/BAD) */
int
mta_maildrop_check_end(struct mta_maildrop_check *mc)
{
	if (mc->segment != 3)
		snprintf(mc->error, sizeof(mc->error),
			 "input ended before the end-of-message record");
	else if (mc->senders != 1)
		snprintf(mc->error, sizeof(mc->error),
			 "%u sender records (one is needed)", mc->senders);
	else if (mc->recipients == 0)
		snprintf(mc->error, sizeof(mc->error), "no recipient record");
	else
		return 0;
	return MTA_MAILDROP_BAD;
}

/* copy_fail - fill err and return the error result */
static int
copy_fail(struct mta_buf *err, const char *why)
{
	mta_buf_clear(err);
	mta_buf_adds(err, why);
	return MTA_MAILDROP_BAD;
}

/* mta_maildrop_copy - check (and copy) a whole submission (see .h) */
int
mta_maildrop_copy(FILE *in, FILE *out, size_t max, int flags,
		  void (*warn)(void *ctx, const char *text), void *ctx,
		  struct mta_buf *err)
{
	struct mta_maildrop_check mc;
	struct mta_rec_reader rr;
	struct mta_buf data = MTA_BUF_INIT(max + 1);
	int type, rc, verdict = MTA_MAILDROP_KEEP;

	mta_maildrop_check_init(&mc, flags);
	mta_rec_reader_init(&rr, in, max, 0);
	if (rr.pos < 0)		/* a pipe: offsets count from here */
		rr.pos = rr.offset = 0;
	while (verdict != MTA_MAILDROP_END) {
		rc = mta_rec_read(&rr, &type, &data);
		if (rc == MTA_REC_EOF)
			break;
		if (rc == MTA_REC_ERROR) {
			verdict = copy_fail(err, rr.error);
			break;
		}
		verdict = mta_maildrop_check(&mc, type, &data);
		if (verdict == MTA_MAILDROP_BAD) {
			copy_fail(err, mc.error);
			break;
		}
		if (verdict == MTA_MAILDROP_SKIP) {
			if (mc.warning[0] && warn)
				warn(ctx, mc.warning);
			continue;
		}
		if (out && mta_rec_write(out, type, data.data, data.len) < 0) {
			mta_buf_release(&data);
			return MTA_MAILDROP_WRITE_ERROR;
		}
	}
	mta_buf_release(&data);
	if (verdict == MTA_MAILDROP_BAD)
		return MTA_MAILDROP_BAD;
	if (mta_maildrop_check_end(&mc) < 0)
		return copy_fail(err, mc.error);
	return 0;
}
