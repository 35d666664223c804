/* smtp_reply - parse a remote server's replies (see smtp_reply.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smtp_reply.h"

/* mta_smtp_reply_init - an empty reply, ready to be fed */
void
mta_smtp_reply_init(struct mta_smtp_reply *r)
{
	memset(r, 0, sizeof(*r));
	mta_buf_init(&r->text, MTA_SMTP_REPLY_TEXT_MAX + 1);
	mta_buf_init(&r->line, MTA_SMTP_REPLY_LINE_MAX + 1);
}

/* mta_smtp_reply_reset - forget the last reply, keep the memory */
void
mta_smtp_reply_reset(struct mta_smtp_reply *r)
{
	r->code = 0;
	r->dsn[0] = '\0';
	r->nlines = 0;
	r->cr = false;
	r->error[0] = '\0';
	mta_buf_clear(&r->text);
	mta_buf_clear(&r->line);
}

/* mta_smtp_reply_release - free what the reply holds */
void
mta_smtp_reply_release(struct mta_smtp_reply *r)
{
	mta_buf_release(&r->text);
	mta_buf_release(&r->line);
}

/* reply_bad - remember why, and say so */
static int
reply_bad(struct mta_smtp_reply *r, const char *why)
{
	snprintf(r->error, sizeof(r->error), "%s", why);
	return MTA_SMTP_REPLY_BAD;
}

/* reply_dsn - an RFC 3463 code at s in the class of the reply code */
static void
reply_dsn(struct mta_smtp_reply *r, const char *s, size_t len)
{
	size_t i = 2, n;

	if (len < 5 || s[0] != '0' + r->code / 100 || s[1] != '.')
		return;
	for (n = 0; i < len && n < 4 && s[i] >= '0' && s[i] <= '9'; n++)
		i++;
	if (n == 0 || n > 3 || i >= len || s[i++] != '.')
		return;
	for (n = 0; i < len && n < 4 && s[i] >= '0' && s[i] <= '9'; n++)
		i++;
	if (n == 0 || n > 3 || (i < len && s[i] != ' '))
		return;
	snprintf(r->dsn, sizeof(r->dsn), "%.*s", (int)i, s);
}

/* reply_line - one whole line (CR LF taken off): 1 last, 0 more, -1 bad */
static int
reply_line(struct mta_smtp_reply *r)
{
	const char *s = r->line.data ? r->line.data : "";
	size_t len = r->line.len;
	int code;

	if (len < 3 || s[0] < '2' || s[0] > '5' || s[1] < '0' || s[1] > '9' ||
	    s[2] < '0' || s[2] > '9')
		return reply_bad(r, "no reply code");
	if (len > 3 && s[3] != ' ' && s[3] != '-')
		return reply_bad(r, "bad separator");
	code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
	if (r->nlines > 0 && code != r->code)
		return reply_bad(r, "reply codes differ");
	if (++r->nlines > MTA_SMTP_REPLY_LINES_MAX ||
	    r->text.len + len + 1 > MTA_SMTP_REPLY_TEXT_MAX)
		return reply_bad(r, "reply too long");
	if (r->nlines == 1) {
		r->code = code;
		if (len > 4)
			reply_dsn(r, s + 4, len - 4);
	} else {
		mta_buf_addc(&r->text, '\n');
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		mta_buf_addc(&r->text, c < ' ' || c > '~' ? '?' : c);
	}
	mta_buf_clear(&r->line);
	return len > 3 && s[3] == '-' ? 0 : 1;
}

/* mta_smtp_reply_feed - take bytes until a reply is complete (see .h) */
int
mta_smtp_reply_feed(struct mta_smtp_reply *r, const char *data, size_t len,
		    size_t *used)
{
	for (size_t i = 0; i < len; i++) {
		char c = data[i];
		int rc;

		*used = i + 1;
		if (r->cr) {
			if (c != '\n')
				return reply_bad(r, "bare CR");
			r->cr = false;
			if ((rc = reply_line(r)) < 0)
				return rc;
			if (rc == 1)
				return MTA_SMTP_REPLY_DONE;
			continue;
		}
		if (c == '\r')
			r->cr = true;
		else if (c == '\n')
			return reply_bad(r, "bare LF");
		else if (c == '\0')
			return reply_bad(r, "NUL byte");
		else if (r->line.len >= MTA_SMTP_REPLY_LINE_MAX ||
			 mta_buf_addc(&r->line, c) < 0)
			return reply_bad(r, "line too long");
	}
	*used = len;
	return MTA_SMTP_REPLY_MORE;
}

/* mta_smtp_reply_flat - the whole reply on one line */
int
mta_smtp_reply_flat(const struct mta_smtp_reply *r, struct mta_buf *out)
{
	size_t start = out->len;

	if (r->text.len && mta_buf_add(out, r->text.data, r->text.len) < 0)
		return -1;
	for (size_t i = start; i < out->len; i++)
		if (out->data[i] == '\n')
			out->data[i] = ' ';
	return 0;
}

/* mta_smtp_reply_dsn - the enhanced code, or its class default */
const char *
mta_smtp_reply_dsn(const struct mta_smtp_reply *r)
{
	if (r->dsn[0])
		return r->dsn;
	if (r->code >= 500)
		return "5.0.0";
	if (r->code >= 400)
		return "4.0.0";
	return "2.0.0";
}

/* ehlo_keyword - the extension bit of one EHLO line's keyword */
static unsigned
ehlo_keyword(const char *kw, size_t n, const char *arg, long long *size)
{
	static const struct {
		const char *name;
		unsigned bit;
	} ext[] = {
		{"PIPELINING", MTA_SMTP_EXT_PIPELINING},
		{"SIZE", MTA_SMTP_EXT_SIZE},
		{"8BITMIME", MTA_SMTP_EXT_8BITMIME},
		{"DSN", MTA_SMTP_EXT_DSN},
		{"SMTPUTF8", MTA_SMTP_EXT_SMTPUTF8},
		{"STARTTLS", MTA_SMTP_EXT_STARTTLS},
		{"ENHANCEDSTATUSCODES", MTA_SMTP_EXT_ENHANCED},
	};

	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		if (strlen(ext[i].name) != n || strncasecmp(kw, ext[i].name, n))
			continue;
		if (ext[i].bit == MTA_SMTP_EXT_SIZE && *arg >= '0' && *arg <= '9')
			*size = strtoll(arg, NULL, 10);
		return ext[i].bit;
	}
	return 0;
}

/* mta_smtp_ehlo_features - the extensions offered, from line 2 on */
unsigned
mta_smtp_ehlo_features(const struct mta_smtp_reply *r, long long *size)
{
	const char *s = r->text.data ? r->text.data : "";
	unsigned bits = 0;

	*size = 0;
	for (s = strchr(s, '\n'); s != NULL; s = strchr(s, '\n')) {
		const char *kw = ++s, *end;

		if (strlen(kw) < 4)
			continue;
		kw += 4;
		end = kw + strcspn(kw, " \n");
		bits |= ehlo_keyword(kw, (size_t)(end - kw),
				     *end == ' ' ? end + 1 : "", size);
	}
	if (*size < 0)
		*size = 0;
	return bits;
}
