/*
 * cleanup_out - the records cleanup writes: content lines cut to
 * line_length_limit, recipient groups with the duplicate filter, and
 * Postfix's date format. Once the message has failed nothing more is
 * written; a write error is remembered by qwriter and reported by close.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "maildate.h"
#include "cleanup_priv.h"
#include "record.h"

/* cleanup_out_rec - one record, unless the message already failed */
void
cleanup_out_rec(struct mta_cleanup *c, int type, const char *text)
{
	if (c->status == MTA_CLEANUP_OK)
		(void)mta_qwriter_str(&c->w, type, text);
}

/* cleanup_out_recf - one formatted record */
void
cleanup_out_recf(struct mta_cleanup *c, int type, const char *fmt, ...)
{
	struct mta_buf b = MTA_BUF_INIT(2 * CLEANUP_ADDR_MAX + 64);
	va_list ap;
	int n;
	char tmp[1];

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < b.max) {
		mta_buf_pad(&b, ' ', (size_t)n + 1);
		va_start(ap, fmt);
		vsnprintf(b.data, (size_t)n + 1, fmt, ap);
		va_end(ap);
		mta_buf_truncate(&b, (size_t)n);
		cleanup_out_rec(c, type, b.data);
	}
	mta_buf_release(&b);
}

/*
 * cleanup_out_line - one piece of content: a complete line becomes 'L'
 * pieces of line_length_limit and a final 'N'; a piece whose end follows
 * becomes 'L' records only.
 */
void
cleanup_out_line(struct mta_cleanup *c, const char *text, size_t len,
                 bool complete)
{
	if (c->status != MTA_CLEANUP_OK)
		return;
	while (len > c->line_max || (!complete && len > 0)) {
		size_t n = len > c->line_max ? c->line_max : len;

		if (mta_qwriter_rec(&c->w, 'L', text, n) < 0)
			return;
		text += n;
		len -= n;
	}
	if (complete)
		(void)mta_qwriter_rec(&c->w, 'N', text, len);
}

/* cleanup_out_header - a logical header: one record per physical line */
void
cleanup_out_header(struct mta_cleanup *c, const char *text, size_t len)
{
	const char *end = text + len, *nl;

	for (;;) {
		nl = memchr(text, '\n', (size_t)(end - text));
		cleanup_out_line(c, text, (size_t)((nl ? nl : end) - text),
		                 true);
		if (nl == NULL)
			break;
		text = nl + 1;
	}
}

/* rcpt_key - the duplicate filter's key, as Postfix's */
static void
rcpt_key(struct mta_cleanup *c, const struct cleanup_rcpt *r,
         struct mta_buf *key)
{
	if (mta_config_bool(c->cfg, "enable_original_recipient"))
		mta_buf_printf(key, "%s\n%d\n%s\n%s", r->dsn_orcpt, r->notify,
		               r->orig, r->addr);
	else
		mta_buf_adds(key, r->addr);
}

/*
 * cleanup_out_rcpt - a recipient group ([A notify_flags] A dsn_orig_rcpt
 * O R), once per distinct recipient.
 */
void
cleanup_out_rcpt(struct mta_cleanup *c, const struct cleanup_rcpt *r)
{
	struct mta_buf key = MTA_BUF_INIT(4 * CLEANUP_ADDR_MAX + 64);

	rcpt_key(c, r, &key);
	if (key.data == NULL || mta_htable_find(c->dups, key.data) != NULL) {
		mta_buf_release(&key);
		return;
	}
	mta_htable_insert(c->dups, key.data, c);
	mta_buf_release(&key);
	if (r->notify)
		cleanup_out_recf(c, 'A', "notify_flags=%d", r->notify);
	if (r->dsn_orcpt[0])
		cleanup_out_recf(c, 'A', "dsn_orig_rcpt=%s", r->dsn_orcpt);
	cleanup_out_rec(c, 'O', r->orig);
	cleanup_out_rec(c, 'R', r->addr);
	c->w.notify_mask |= r->notify;
	c->written++;
}
