/*
 * smtpreply - fuzz the parser of a remote SMTP server's replies
 * (lib/smtp_reply.c) with the bytes fed in pieces whose sizes come from
 * the input. Properties: the used count never passes what was given; a
 * complete reply has a code 200-599, lines within the limits, and text
 * without control bytes; flattening keeps the length.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_reply.h"

/* check_reply - the properties of a complete reply */
static void
check_reply(const struct mta_smtp_reply *r)
{
	struct mta_buf flat = MTA_BUF_INIT(MTA_SMTP_REPLY_TEXT_MAX + 1);
	long long size;

	if (r->code < 200 || r->code > 599 || r->nlines == 0 ||
	    r->nlines > MTA_SMTP_REPLY_LINES_MAX ||
	    r->text.len > MTA_SMTP_REPLY_TEXT_MAX)
		abort();
	for (size_t i = 0; i < r->text.len; i++)
		if ((unsigned char)r->text.data[i] < ' ' && r->text.data[i] != '\n')
			abort();
	if (mta_smtp_reply_flat(r, &flat) < 0 || flat.len != r->text.len ||
	    memchr(flat.data ? flat.data : "", '\n', flat.len))
		abort();
	(void)mta_smtp_ehlo_features(r, &size);
	if (size < 0 || strlen(mta_smtp_reply_dsn(r)) < 5)
		abort();
	mta_buf_release(&flat);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mta_smtp_reply r;
	size_t chunk = size ? (size_t)data[0] % 17 + 1 : 1, pos = size ? 1 : 0;

	mta_smtp_reply_init(&r);
	while (pos < size) {
		size_t take = size - pos < chunk ? size - pos : chunk, used = 0;
		int rc = mta_smtp_reply_feed(&r, (const char *)data + pos, take,
					     &used);

		if (used > take || (rc != MTA_SMTP_REPLY_BAD && used == 0))
			abort();
		pos += used;
		if (rc == MTA_SMTP_REPLY_BAD)
			break;
		if (rc == MTA_SMTP_REPLY_DONE) {
			check_reply(&r);
			mta_smtp_reply_reset(&r);
		}
	}
	mta_smtp_reply_release(&r);
	return 0;
}
