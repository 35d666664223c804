/*
 * cleanup_header - the primary header block: logical headers assembled
 * from their physical lines, each checked (hops, Message-Id, encoding),
 * its addresses rewritten and masqueraded in place, dropped when
 * message_drop_headers says so, and the missing Message-Id:, Date: and
 * From: added at the end of the block, as Postfix's cleanup does.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "maildate.h"
#include "addr.h"
#include "cleanup_priv.h"
#include "mem.h"
#include "msg.h"

#define H_SENDER 0x1  /* sender addresses: rewritten (header_sender) */
#define H_RECIP 0x2   /* recipient addresses (header_recipient) */
#define H_EXTRACT 0x4 /* recipients for "sendmail -t" */
#define H_RESENT 0x8  /* a Resent- header */

#define B_RECEIVED 0x01
#define B_MSGID 0x02
#define B_RMSGID 0x04
#define B_DATE 0x08
#define B_RDATE 0x10
#define B_FROM 0x20
#define B_RFROM 0x40
#define B_CTE 0x80

#define DROP_DEFAULT "bcc, content-length, resent-bcc, return-path"
#define SPECIALS "%!()<>@,;:\\\".[]"

struct hdr_info {
	const char *name;
	unsigned bit;
	int flags;
};

/* The headers cleanup knows (as Postfix's header_opts table). */
static const struct hdr_info hdr_table[] = {
        {"apparently-to", 0, H_RECIP},
        {"bcc", 0, H_RECIP | H_EXTRACT},
        {"cc", 0, H_RECIP | H_EXTRACT},
        {"content-transfer-encoding", B_CTE, 0},
        {"date", B_DATE, 0},
        {"disposition-notification-to", 0, H_SENDER},
        {"errors-to", 0, H_SENDER},
        {"from", B_FROM, H_SENDER},
        {"mail-followup-to", 0, H_SENDER},
        {"message-id", B_MSGID, 0},
        {"received", B_RECEIVED, 0},
        {"reply-to", 0, H_SENDER},
        {"resent-bcc", 0, H_RECIP | H_EXTRACT | H_RESENT},
        {"resent-cc", 0, H_RECIP | H_EXTRACT | H_RESENT},
        {"resent-date", B_RDATE, H_RESENT},
        {"resent-from", B_RFROM, H_SENDER | H_RESENT},
        {"resent-message-id", B_RMSGID, H_RESENT},
        {"resent-reply-to", 0, H_RECIP | H_RESENT},
        {"resent-sender", 0, H_SENDER | H_RESENT},
        {"resent-to", 0, H_RECIP | H_EXTRACT | H_RESENT},
        {"return-path", 0, H_SENDER},
        {"return-receipt-to", 0, H_SENDER},
        {"sender", 0, H_SENDER},
        {"to", 0, H_RECIP | H_EXTRACT},
};

/* is_header - length of the name of "name [WSP]:", or 0 (Postfix's rule) */
static size_t
is_header(const char *s, size_t n)
{
	size_t len = 0;
	bool space = false;

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == ':')
			return len;
		if (ch == ' ' || ch == '\t') {
			if (len == 0)
				return 0;
			space = true;
			continue;
		}
		if (ch == 0 || ch >= 0x80 || ch < 0x20 || ch == 0x7f || space)
			return 0;
		len++;
	}
	return 0;
}

/* hdr_lookup - what cleanup knows about a header name, or NULL */
static const struct hdr_info *
hdr_lookup(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(hdr_table) / sizeof(hdr_table[0]); i++)
		if (strlen(hdr_table[i].name) == len &&
		    strncasecmp(hdr_table[i].name, name, len) == 0)
			return &hdr_table[i];
	return NULL;
}

/* hdr_dropped - is the header in message_drop_headers? */
static bool
hdr_dropped(struct mta_cleanup *c, const char *name, size_t len)
{
	const char *v = mta_config_str(c->cfg, "message_drop_headers");
	char *copy = mta_strdup(v ? v : DROP_DEFAULT), *cp = copy, *tok;
	bool found = false;

	while (!found && (tok = strsep(&cp, ", \t")) != NULL)
		found = strlen(tok) == len && strncasecmp(tok, name, len) == 0;
	free(copy);
	return found;
}

/* hdr_context - the header rewriting context, or CLEANUP_CTX_NONE */
static int
hdr_context(struct mta_cleanup *c)
{
	if (c->context == MTA_REWRITE_REMOTE &&
	    !mta_rewrite_remote_enabled(c->rw))
		return CLEANUP_CTX_NONE;
	return c->context;
}

/* addr_rewritten - canonical and masqueraded form; true if it changed */
static bool
addr_rewritten(struct mta_cleanup *c, const char *addr, int masq,
               struct mta_buf *ext)
{
	struct mta_buf canon = MTA_BUF_INIT(CLEANUP_ADDR_MAX);
	bool changed = false;

	if (mta_rewrite_addr(c->rw, hdr_context(c), addr, &canon) == 0 &&
	    canon.len > 0) {
		if (!(c->flags & MTA_CLEANUP_BOUNCE))
			mta_rewrite_masquerade(c->rw, masq, &canon);
		if (strcmp(canon.data, addr) != 0) {
			mta_buf_clear(ext);
			changed = mta_addr_quote(ext, canon.data) == 0;
		}
	}
	mta_buf_release(&canon);
	return changed;
}

/*
 * hdr_rewrite - rewrite the addresses of a header in place: only the
 * addr-spec bytes change; display names, comments and folding stay.
 */
static void
hdr_rewrite(struct mta_cleanup *c, size_t vstart, int masq)
{
	struct mta_buf out = MTA_BUF_INIT(2 * c->header_max + 4096);
	struct mta_buf ext = MTA_BUF_INIT(2 * CLEANUP_ADDR_MAX + 8);
	struct mta_addrlist list;
	struct mta_addrlist_item item;
	size_t pos = 0;
	const char *text = c->hdr.data;

	mta_addrlist_init(&list, text + vstart, c->hdr.len - vstart);
	mta_addrlist_item_init(&item);
	while (mta_addrlist_next(&list, &item)) {
		if (item.addr.len == 0 ||
		    !addr_rewritten(c, item.addr.data, masq, &ext))
			continue;
		if (mta_buf_add(&out, text + pos, vstart + item.start - pos) <
		            0 ||
		    mta_buf_add(&out, ext.data, ext.len) < 0)
			break;
		pos = vstart + item.end;
	}
	if (pos > 0 && mta_buf_add(&out, text + pos, c->hdr.len - pos) == 0) {
		mta_buf_clear(&c->hdr);
		c->hdr.max = out.max;
		mta_buf_add(&c->hdr, out.data, out.len);
	}
	mta_addrlist_item_release(&item);
	mta_buf_release(&ext);
	mta_buf_release(&out);
}

/* hdr_extract - keep a header's addresses as recipients ("-t") */
static void
hdr_extract(struct mta_cleanup *c, size_t vstart, bool resent)
{
	struct mta_addrlist list;
	struct mta_addrlist_item item;

	mta_addrlist_init(&list, c->hdr.data + vstart, c->hdr.len - vstart);
	mta_addrlist_item_init(&item);
	while (mta_addrlist_next(&list, &item))
		if (item.addr.len > 0)
			cleanup_add_rcpt(
			        resent ? &c->extract_resent : &c->extract,
			        item.addr.data, item.addr.data, NULL, 0);
	mta_addrlist_item_release(&item);
}

/* hdr_value - a header value for the log: trimmed, one line, bounded */
static void
hdr_value(const char *text, size_t len, struct mta_buf *out)
{
	while (len > 0 && (*text == ' ' || *text == '\t')) {
		text++;
		len--;
	}
	while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t'))
		len--;
	mta_buf_clear(out);
	mta_buf_add(out, text, len > 1000 ? 1000 : len);
	for (size_t i = 0; i < out->len; i++)
		if (out->data[i] == '\n' || out->data[i] == '\0')
			out->data[i] = ' ';
}

/* hdr_message_id - log a Message-Id and keep its <...> for 'X' */
static void
hdr_message_id(struct mta_cleanup *c, const struct hdr_info *h, size_t vstart)
{
	struct mta_buf v = MTA_BUF_INIT(1024);
	char *lt, *gt;

	hdr_value(c->hdr.data + vstart, c->hdr.len - vstart, &v);
	mta_msg_info("%s: %smessage-id=%s", c->w.id,
	             h->bit == B_RMSGID ? "resent-" : "", v.data ? v.data : "");
	if (h->bit == B_MSGID && c->message_id == NULL && v.data &&
	    (lt = strchr(v.data, '<')) != NULL &&
	    (gt = strchr(lt, '>')) != NULL)
		c->message_id = mta_strndup(lt, (size_t)(gt - lt + 1));
	mta_buf_release(&v);
}

/* hdr_known - the checks for a header cleanup knows; false: drop it */
static bool
hdr_known(struct mta_cleanup *c, const struct hdr_info *h, size_t nlen,
          size_t vstart)
{
	struct mta_buf v = MTA_BUF_INIT(256);

	c->seen |= h->bit;
	if (h->flags & H_RESENT)
		c->resent = true;
	if (h->bit == B_RECEIVED && ++c->hops >= c->hop_limit)
		cleanup_fail(c, MTA_CLEANUP_HOPS, "hopcount exceeded");
	if (h->bit == B_MSGID || h->bit == B_RMSGID)
		hdr_message_id(c, h, vstart);
	if (h->bit == B_CTE) {
		hdr_value(c->hdr.data + vstart, c->hdr.len - vstart, &v);
		if (v.data && (strcasecmp(v.data, "8bit") == 0 ||
		               strcasecmp(v.data, "binary") == 0)) {
			free(c->encoding);
			c->encoding = mta_strdup("8bit");
		}
	}
	mta_buf_release(&v);
	if ((c->flags & MTA_CLEANUP_EXTRACT) && (h->flags & H_EXTRACT))
		hdr_extract(c, vstart, h->flags & H_RESENT);
	if (hdr_dropped(c, h->name, nlen))
		return false;
	if ((h->flags & (H_SENDER | H_RECIP)) &&
	    hdr_context(c) != CLEANUP_CTX_NONE)
		hdr_rewrite(c, vstart,
		            (h->flags & H_SENDER) ? MTA_MASQ_HDR_FROM
		                                  : MTA_MASQ_HDR_RCPT);
	return true;
}

/* hdr_flush - the logical header is complete: check, fix, write */
static void
hdr_flush(struct mta_cleanup *c)
{
	size_t nlen, vstart;
	const struct hdr_info *h;
	const char *colon;

	if (!c->have_hdr)
		return;
	c->have_hdr = false;
	nlen = is_header(c->hdr.data, c->hdr.len);
	colon = memchr(c->hdr.data, ':', c->hdr.len);
	vstart = (size_t)(colon - c->hdr.data) + 1;
	h = hdr_lookup(c->hdr.data, nlen);
	if (h ? hdr_known(c, h, nlen, vstart)
	      : !hdr_dropped(c, c->hdr.data, nlen))
		cleanup_out_header(c, c->hdr.data, c->hdr.len);
	mta_buf_clear(&c->hdr);
	c->hdr.max = c->header_max;
}

/* hdr_add - append to the logical header; the excess is discarded */
static void
hdr_add(struct mta_cleanup *c, const char *text, size_t len)
{
	size_t room = c->hdr.max - c->hdr.len;

	if (len > room) {
		len = room;
		c->hdr_cut = true;
	}
	mta_buf_add(&c->hdr, text, len);
}

/* from_phrase - the full name as a phrase: atoms, or a quoted string */
static void
from_phrase(const char *name, struct mta_buf *out)
{
	char *copy = mta_strdup(name), *cp = copy, *tok;

	for (char *p = copy; *p; p++)
		if (*p == '\r' || *p == '\n')
			*p = ' ';
	if (copy[strcspn(copy, SPECIALS)] == '\0') {
		while ((tok = strsep(&cp, " \t")) != NULL)
			if (*tok)
				mta_buf_printf(out, "%s%s", out->len ? " " : "",
				               tok);
	} else {
		mta_buf_addc(out, '"');
		for (const char *p = copy; *p; p++) {
			if (*p == '"' || *p == '\\')
				mta_buf_addc(out, '\\');
			mta_buf_addc(out, *p);
		}
		mta_buf_addc(out, '"');
	}
	free(copy);
}

/* add_from - a missing From: from the envelope sender and full name */
static void
add_from(struct mta_cleanup *c, const char *resent)
{
	struct mta_buf addr = MTA_BUF_INIT(2 * CLEANUP_ADDR_MAX + 8);
	struct mta_buf name = MTA_BUF_INIT(2 * CLEANUP_TEXT_MAX + 8);
	struct mta_buf line = MTA_BUF_INIT(8 * CLEANUP_TEXT_MAX);
	const char *sender = c->sender ? c->sender : "";

	mta_addr_quote(&addr, *sender ? sender : "MAILER-DAEMON");
	if (*sender && c->fullname && *c->fullname)
		from_phrase(c->fullname, &name);
	if (name.len)
		mta_buf_printf(&line, "%sFrom: %s <%s>", resent, name.data,
		               addr.data);
	else if (*sender && c->fullname && *c->fullname)
		mta_buf_printf(&line, "%sFrom: <%s>", resent, addr.data);
	else
		mta_buf_printf(&line, "%sFrom: %s", resent, addr.data);
	cleanup_out_header(c, line.data, line.len);
	mta_buf_release(&addr);
	mta_buf_release(&name);
	mta_buf_release(&line);
}

/* add_message_id - a missing Message-Id from the time and queue id */
static void
add_message_id(struct mta_cleanup *c, const char *resent)
{
	const char *host = mta_config_str(c->cfg, "myhostname");
	char id[512], stamp[32];
	struct tm tm;

	if (c->spool->long_ids) {
		snprintf(id, sizeof(id), "<%s@%s>", c->w.id, host ? host : "");
	} else {
		gmtime_r(&c->ctime, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm);
		snprintf(id, sizeof(id), "<%s.%s@%s>", stamp, c->w.id,
		         host ? host : "");
	}
	cleanup_out_recf(c, 'N', "%sMessage-Id: %s", resent, id);
	mta_msg_info("%s: %smessage-id=%s", c->w.id, *resent ? "resent-" : "",
	             id);
	c->seen |= *resent ? B_RMSGID : B_MSGID;
	if (!*resent && c->message_id == NULL)
		c->message_id = mta_strdup(id);
}

/* header_done - the end of the header block: add what is missing */
static void
header_done(struct mta_cleanup *c)
{
	bool add = hdr_context(c) != CLEANUP_CTX_NONE ||
	           mta_config_bool(c->cfg, "always_add_missing_headers");
	const char *resent = c->resent ? "Resent-" : "";
	char date[CLEANUP_DATE_MAX];

	hdr_flush(c);
	if (c->headers_done)
		return;
	c->headers_done = true;
	/* As Postfix: every message has a Received: (ours or smtpd's), so
	 * the content is never empty, which qmgr would refuse. */
	if (c->hops < 1)
		cleanup_fail(c, MTA_CLEANUP_BAD, "no Received: header");
	if (c->hdr_cut)
		mta_msg_info("%s: header too long: excess discarded "
		             "(header_size_limit)",
		             c->w.id);
	if (add && !(c->seen & (c->resent ? B_RMSGID : B_MSGID)))
		add_message_id(c, resent);
	if (!(c->seen & B_MSGID))
		mta_msg_info("%s: message-id=<>", c->w.id);
	if (add && !(c->seen & (c->resent ? B_RDATE : B_DATE))) {
		mta_mail_date(c->arrival, date, sizeof(date));
		cleanup_out_recf(c, 'N', "%sDate: %s", resent, date);
	}
	if (add && !(c->seen & (c->resent ? B_RFROM : B_FROM)))
		add_from(c, resent);
}

/* to_body - the header block ended before this line: it is body */
static void
to_body(struct mta_cleanup *c, const char *text, size_t len, bool complete)
{
	header_done(c);
	c->phase = CLEANUP_BODY;
	cleanup_out_line(c, text, len, complete);
}

/* physical_line - one whole physical line while in the header block */
static void
physical_line(struct mta_cleanup *c, const char *text, size_t len,
              bool complete)
{
	if (len > 0 && (text[0] == ' ' || text[0] == '\t') && c->have_hdr) {
		hdr_add(c, "\n", 1);
		hdr_add(c, text, len);
	} else if (len > 0 && is_header(text, len) > 0) {
		hdr_flush(c);
		hdr_add(c, text, len);
		c->have_hdr = true;
	} else {
		to_body(c, text, len, complete);
	}
}

/* header_like - could this start of a line still be part of a header? */
static bool
header_like(struct mta_cleanup *c, const char *text, size_t len)
{
	return len > 0 &&
	       (((text[0] == ' ' || text[0] == '\t') && c->have_hdr) ||
	        is_header(text, len) > 0);
}

/*
 * cleanup_header_line - a line or piece while in the header block. A
 * physical line is kept whole (bounded by header_size_limit) until its
 * end; one that grows past that and is no header is body text after all.
 */
void
cleanup_header_line(struct mta_cleanup *c, const char *text, size_t len,
                    bool complete)
{
	size_t room = c->pline.max - c->pline.len;
	bool start = c->pline.len == 0;

	if (len > room && !header_like(c, start ? text : c->pline.data,
	                               start ? len : c->pline.len)) {
		to_body(c, c->pline.data ? c->pline.data : "", c->pline.len,
		        false);
		mta_buf_clear(&c->pline);
		cleanup_out_line(c, text, len, complete);
		return;
	}
	mta_buf_add(&c->pline, text, len > room ? room : len);
	if (!complete)
		return;
	physical_line(c, c->pline.data ? c->pline.data : "", c->pline.len,
	              true);
	mta_buf_clear(&c->pline);
}

/* cleanup_header_finish - end of input inside the header block */
void
cleanup_header_finish(struct mta_cleanup *c)
{
	if (c->pline.len > 0) {
		physical_line(c, c->pline.data, c->pline.len, false);
		mta_buf_clear(&c->pline);
	}
	header_done(c);
	c->phase = CLEANUP_BODY;
}
