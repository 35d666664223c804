/*
 * dsn_text - write one delivery status notification through cleanup:
 * the header, the three MIME parts, the copy of the original (see dsn.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "maildate.h"
#include "addr.h"
#include "cleanup.h"
#include "dsn_priv.h"
#include "mem.h"
#include "msg.h"
#include "record.h"

#define WRAP_WIDTH 79 /* human text and report fields are wrapped here */
#define WRAP_INDENT 4 /* continuation lines: also folds report fields */
#define LINE_MAX_DSN (64 * 1024)

/* One notice being written. */
struct out {
	struct dsn_job *job;
	struct mta_cleanup *c;
	const char *host;
	const char *cte; /* Content-Transfer-Encoding, or NULL */
	char boundary[DSN_BOUNDARY_MAX];
	struct mta_buf line;
};

/* dsn_mask - control characters (CR, LF...) but TAB become '?' */
void
dsn_mask(char *s)
{
	for (; s && *s; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
			*s = '?';
}

/* put - one complete line of the notice */
static void
put(struct out *o, const char *text)
{
	mta_cleanup_text(o->c, text, strlen(text), true);
}

/* putf - one formatted line; masked, so an argument cannot end it */
static void MTA_PRINTF(2, 3) putf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	char *text = mta_malloc(LINE_MAX_DSN + 1);

	va_start(ap, fmt);
	/* A longer line is cut: no field of ours needs that much. */
	vsnprintf(text, LINE_MAX_DSN + 1, fmt, ap);
	va_end(ap);
	dsn_mask(text);
	put(o, text);
	free(text);
}

/* wrap_cut - where to end a line of at most width bytes of s */
static size_t
wrap_cut(const char *s, size_t len, size_t width)
{
	size_t cut;

	if (len <= width)
		return len;
	for (cut = width; cut > 0 && s[cut] != ' '; cut--)
		;
	if (cut == 0) /* one long word: up to the next space */
		for (cut = width; cut < len && s[cut] != ' '; cut++)
			;
	return cut;
}

/* put_wrapped - text folded at spaces, continuation lines indented */
static void
put_wrapped(struct out *o, const char *text)
{
	size_t len = strlen(text), indent = 0, cut;
	struct mta_buf line = MTA_BUF_INIT(len + WRAP_INDENT + 1);

	while (len > 0) {
		cut = wrap_cut(text, len, WRAP_WIDTH - indent);
		mta_buf_clear(&line);
		mta_buf_pad(&line, ' ', indent);
		mta_buf_add(&line, text, cut);
		put(o, mta_buf_str(&line));
		text += cut;
		len -= cut;
		while (len > 0 && *text == ' ')
			text++, len--;
		indent = WRAP_INDENT;
	}
	mta_buf_release(&line);
}

/* subject - what the notice is about, and for whom */
static const char *
subject(const struct dsn_job *job)
{
	if (job->kind == DSN_DELAY)
		return job->postmaster ? "Postmaster Warning: Delayed Mail"
		                       : "Delayed Mail (still being retried)";
	return job->postmaster ? "Postmaster Copy: Undelivered Mail"
	                       : "Undelivered Mail Returned to Sender";
}

/* put_header - the notice's own header (cleanup adds Message-Id) */
static void
put_header(struct out *o)
{
	struct mta_buf to = MTA_BUF_INIT(8192);
	const char *origin = mta_config_str(o->job->cfg, "myorigin");
	char date[128];

	mta_mail_date(time(NULL), date, sizeof(date));
	putf(o, "Date: %s", date);
	putf(o, "From: Mail Delivery System <MAILER-DAEMON@%s>",
	     origin ? origin : o->host);
	putf(o, "Subject: %s", subject(o->job));
	mta_addr_quote(&to, o->job->to);
	putf(o, "To: %s", mta_buf_str(&to));
	put(o, "Auto-Submitted: auto-replied");
	put(o, "MIME-Version: 1.0");
	put(o, "Content-Type: multipart/report; report-type=delivery-status;");
	putf(o, "\tboundary=\"%s\"", o->boundary);
	if (o->cte)
		putf(o, "Content-Transfer-Encoding: %s", o->cte);
	put(o, "");
	put(o, "This is a MIME-encapsulated message.");
	mta_buf_release(&to);
}

/* put_part - the boundary and the headers of one part */
static void
put_part(struct out *o, const char *desc, const char *type, bool cte)
{
	put(o, "");
	putf(o, "--%s", o->boundary);
	putf(o, "Content-Description: %s", desc);
	putf(o, "Content-Type: %s", type);
	if (cte && o->cte)
		putf(o, "Content-Transfer-Encoding: %s", o->cte);
	put(o, "");
}

/* put_explain - why the reader gets this, in plain words */
static void
put_explain(struct out *o)
{
	const struct dsn_job *job = o->job;
	char text[256];

	if (job->kind == DSN_FAIL) {
		put(o, "Your message could not be delivered to one or more of");
		put(o, "its recipients. The reasons are listed below; the");
		put(o, "message (or its header) is attached.");
		return;
	}
	put(o, "###############################################################"
	       "#####");
	put(o, "# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR "
	       "MESSAGE. #");
	put(o, "###############################################################"
	       "#####");
	put(o, "");
	snprintf(text, sizeof(text),
	         "Delivery of your message has been delayed for %.1f hours.",
	         mta_config_time(job->cfg, "delay_warning_time") / 3600.0);
	put(o, text);
	snprintf(text, sizeof(text),
	         "The mail system keeps trying until it is %.1f days old.",
	         mta_config_time(job->cfg, "maximal_queue_lifetime") / 86400.0);
	put(o, text);
}

/* put_human - part 1: the explanation and a line per recipient */
static void
put_human(struct out *o)
{
	const struct dsn_job *job = o->job;

	put_part(o, "Notification", "text/plain; charset=utf-8", true);
	putf(o, "This is the mail system at host %s.", o->host);
	put(o, "");
	put_explain(o);
	put(o, "");
	put(o, "If you need help, write to postmaster and include this");
	put(o, "report; you may remove your own text from the attached copy.");
	put(o, "");
	put(o, "                   The mail system");
	for (size_t i = 0; i < job->n; i++) {
		put(o, "");
		mta_buf_clear(&o->line);
		mta_buf_printf(&o->line, "<%s>: %s", job->rcpts[i].addr,
		               job->rcpts[i].reason);
		put_wrapped(o, mta_buf_str(&o->line));
	}
}

/* put_field - "Name: type; value" (or "Name: value"), masked, folded */
static void
put_field(struct out *o, const char *name, const char *type, const char *value)
{
	struct mta_buf v = MTA_BUF_INIT(4 * LINE_MAX_DSN);

	if (type)
		mta_buf_printf(&v, "%s: %s; %s", name, type, value);
	else
		mta_buf_printf(&v, "%s: %s", name, value);
	dsn_mask(v.data);
	put_wrapped(o, mta_buf_str(&v));
	mta_buf_release(&v);
}

/* diag_name - X-mail_name as an RFC 822 atom, as Postfix's X-Postfix */
static void
diag_name(struct out *o, char *out, size_t size)
{
	const char *name = mta_config_str(o->job->cfg, "mail_name");

	snprintf(out, size, "X-%s", name && *name ? name : "mta");
	for (char *cp = out; *cp; cp++)
		if (strchr(" \t()<>@,;:\\\".[]", *cp) ||
		    (unsigned char)*cp < 0x21 || (unsigned char)*cp > 0x7e)
			*cp = '-';
}

/* put_rcpt_dsn - the per-recipient fields of one recipient */
static void
put_rcpt_dsn(struct out *o, const struct dsn_rcpt *r)
{
	char name[128], date[128];

	put(o, "");
	put_field(o, "Final-Recipient", "rfc822", r->addr);
	if (r->dsn_orcpt)
		put_field(o, "Original-Recipient", NULL, r->dsn_orcpt);
	else if (r->orig)
		put_field(o, "Original-Recipient", "rfc822", r->orig);
	putf(o, "Action: %s", o->job->kind == DSN_FAIL ? "failed" : r->action);
	putf(o, "Status: %s", r->status);
	if (r->mta_type && r->mta_mname)
		put_field(o, "Remote-MTA", r->mta_type, r->mta_mname);
	if (r->diag_type && r->diag_text) {
		put_field(o, "Diagnostic-Code", r->diag_type, r->diag_text);
	} else {
		diag_name(o, name, sizeof(name));
		put_field(o, "Diagnostic-Code", name, r->reason);
	}
	if (o->job->kind == DSN_DELAY) {
		mta_mail_date(o->job->orig->arrival +
		                 mta_config_time(o->job->cfg,
		                                 "maximal_queue_lifetime"),
		         date, sizeof(date));
		putf(o, "Will-Retry-Until: %s", date);
	}
}

/* put_report - part 2: message/delivery-status */
static void
put_report(struct out *o)
{
	const struct dsn_orig *orig = o->job->orig;
	struct mta_buf sender = MTA_BUF_INIT(8192);
	char date[128];

	put_part(o, "Delivery report", "message/delivery-status", false);
	if (orig->envid)
		put_field(o, "Original-Envelope-Id", NULL, orig->envid);
	putf(o, "Reporting-MTA: dns; %s", o->host);
	putf(o, "X-Postfix-Queue-ID: %s", o->job->id);
	if (*orig->sender) /* the null sender stays empty */
		mta_addr_quote(&sender, orig->sender);
	put_field(o, "X-Postfix-Sender", "rfc822", mta_buf_str(&sender));
	if (orig->arrival > 0) {
		mta_mail_date(orig->arrival, date, sizeof(date));
		putf(o, "Arrival-Date: %s", date);
	}
	for (size_t i = 0; i < o->job->n; i++)
		put_rcpt_dsn(o, &o->job->rcpts[i]);
	mta_buf_release(&sender);
}

/* is_header - "name:" at the start of a line (printable name) */
static bool
is_header(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && s[i] != ':'; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] > '~')
			return false;
	return i > 0 && i < len;
}

/*
 * copy_original - the original's text as records, N for a whole line and
 * L for a piece, so long lines stay as they were; headers only stops at
 * the first line that is not a header, and bounce_size_limit cuts it.
 */
static int
copy_original(struct out *o, struct mta_buf *data)
{
	struct dsn_orig *orig = o->job->orig;
	long long limit = mta_config_int(o->job->cfg, "bounce_size_limit");
	long long copied = 0;
	struct mta_rec_reader rr;
	bool start = true;
	int type;

	if (fseeko(orig->fp, orig->content, SEEK_SET) < 0)
		return -1;
	mta_rec_reader_init(&rr, orig->fp, DSN_REC_MAX, MTA_REC_FOLLOW);
	while (mta_rec_read(&rr, &type, data) == 1) {
		if (type != MTA_REC_NORM && type != MTA_REC_CONT)
			return 0;
		if (o->job->headers_only && start &&
		    !(data->len > 0 &&
		      (data->data[0] == ' ' || data->data[0] == '\t')) &&
		    !is_header(data->data, data->len))
			return 0;
		if (limit > 0 && copied >= limit)
			return 0;
		copied += (long long)data->len + 2;
		mta_cleanup_text(o->c, data->data, data->len,
		                 type == MTA_REC_NORM);
		start = type == MTA_REC_NORM;
	}
	return -1;
}

/* put_original - part 3: the message, or its header */
static void
put_original(struct out *o)
{
	bool hdrs = o->job->headers_only;
	bool undelivered = true; /* both kinds are about undelivered mail */
	struct mta_buf data = MTA_BUF_INIT(DSN_REC_MAX);
	char desc[64];

	snprintf(desc, sizeof(desc), "%s%s", undelivered ? "Undelivered " : "",
	         hdrs ? "Message Headers" : "Message");
	put_part(o, desc, hdrs ? "text/rfc822-headers" : "message/rfc822",
	         true);
	if (o->job->orig->content == 0 || copy_original(o, &data) < 0)
		put(o, "\t--- Undelivered message unavailable ---");
	mta_buf_release(&data);
	put(o, "");
	putf(o, "--%s--", o->boundary);
}

/*
 * make_boundary - as Postfix: the original's id, the time and our name;
 * when the original has a line that starts like it, a random part too.
 */
static void
make_boundary(struct out *o)
{
	const struct dsn_job *job = o->job;

	if (job->orig->clash)
		snprintf(o->boundary, sizeof(o->boundary),
		         "%s.%lld.%08x%08x/%s", job->id, (long long)time(NULL),
		         arc4random(), arc4random(), o->host);
	else
		snprintf(o->boundary, sizeof(o->boundary), "%s.%lld/%s",
		         job->id, (long long)time(NULL), o->host);
	dsn_mask(o->boundary);
}

/* open_notice - cleanup, the envelope, the encoding */
static int
open_notice(struct out *o, struct mta_buf *err)
{
	struct dsn_job *job = o->job;
	const char *enc = job->orig->encoding;

	/* LOCAL: cleanup writes our Received: with the new queue id. */
	o->c = mta_cleanup_open(job->cfg, job->sp,
	                        MTA_CLEANUP_BOUNCE | MTA_CLEANUP_LOCAL, err);
	if (o->c == NULL)
		return -1;
	o->cte = enc && strcasecmp(enc, "7bit") == 0 ? "7bit" : "8bit";
	mta_cleanup_sender(o->c, job->sender);
	mta_cleanup_attr(o->c, "log_message_origin", "local");
	mta_cleanup_attr(o->c, "trace_flags", "0");
	mta_cleanup_recipient(o->c, job->to, NULL, 0, NULL);
	return 0;
}

/* dsn_send - write the notice job describes; 0 and its queue id */
int
dsn_send(struct dsn_job *job, char newid[MTA_QID_SIZE], struct mta_buf *err)
{
	struct out o = {.job = job};
	int status;

	o.host = mta_config_str(job->cfg, "myhostname");
	if (o.host == NULL)
		o.host = "localhost";
	if (open_notice(&o, err) < 0)
		return -1;
	mta_buf_init(&o.line, 4 * LINE_MAX_DSN);
	make_boundary(&o);
	put_header(&o);
	put_human(&o);
	put_report(&o);
	put_original(&o);
	mta_buf_release(&o.line);
	status = mta_cleanup_close(o.c, newid, err);
	if (status != MTA_CLEANUP_OK) {
		if (err->len == 0)
			mta_buf_printf(err, "cleanup: %s",
			               mta_cleanup_dsn(status));
		return -1;
	}
	return 0;
}
