/*
 * smtpd_mail - MAIL FROM and RCPT TO (and VRFY): the path, the ESMTP
 * parameters (SIZE, BODY, RET, ENVID; NOTIFY, ORCPT), the limits, the
 * restrictions. The queue file is opened at the first recipient that
 * passes, as Postfix does, so that a session of rejects costs no disk.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "addr.h"
#include "mem.h"
#include "msg.h"
#include "smtpd.h"
#include "str.h"

/* DSN NOTIFY bits, as in queue files (Postfix's dsn_mask.h values). */
#define NOTIFY_NEVER 1
#define NOTIFY_SUCCESS 2
#define NOTIFY_FAILURE 4
#define NOTIFY_DELAY 8

#define XTEXT_MAX 500		/* ENVID and ORCPT, decoded */

/* mail_keyword - "FROM:" / "TO:" then the path; NULL if not so */
static const char *
mail_keyword(const char *arg, const char *kw)
{
	size_t n = strlen(kw);

	if (strncasecmp(arg, kw, n) != 0)
		return NULL;
	arg += n;
	while (*arg == ' ')	/* "MAIL FROM: <a@b>", as clients write it */
		arg++;
	return arg;
}

/* hex_digit - the value of an upper-case hex digit, or -1 */
static int
hex_digit(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/*
 * xtext_decode - RFC 3461 xtext ("+2B" is '+'); -1 if malformed. What it
 * stands for must be printable ASCII too (RFC 3461 4.4, 5.4): "+0D+0A"
 * would otherwise carry a line break into a DSN's headers.
 */
static int
xtext_decode(const char *in, struct mta_buf *out)
{
	mta_buf_clear(out);
	for (const char *p = in; *p; p++) {
		int hi, lo, ch = (unsigned char)*p;

		if (ch < '!' || ch > '~' || ch == '=')
			return -1;
		if (ch == '+') {
			if ((hi = hex_digit(p[1])) < 0 || (lo = hex_digit(p[2])) < 0)
				return -1;
			ch = hi * 16 + lo;
			p += 2;
			if (ch < ' ' || ch > '~')
				return -1;
		}
		mta_buf_addc(out, ch);
	}
	return out->len > XTEXT_MAX ? -1 : 0;
}

/* storage_ok - room for a message of this size? (queue_minfree) */
static bool
storage_ok(struct smtpd_session *s, long long size)
{
	struct smtpd *sd = s->sd;
	struct statvfs st;
	long long need = sd->queue_minfree;

	if (size > 0)
		need += size + size / 2;
	else if (sd->size_limit > 0)
		need += sd->size_limit + sd->size_limit / 2;
	if (fstatvfs(sd->spool->dirfd, &st) < 0)
		return true;	/* cannot tell: the write will say */
	return (long long)st.f_bavail * (long long)st.f_frsize >= need;
}

/* mail_param - one MAIL FROM parameter; false after a reply */
static bool
mail_param(struct smtpd_session *s, char *param)
{
	char *value = strchr(param, '=');
	struct mta_buf dec = MTA_BUF_INIT(XTEXT_MAX + 1);
	bool ok = true;

	if (value)
		*value++ = '\0';
	if (strcasecmp(param, "SIZE") == 0 && value &&
	    strspn(value, "0123456789") == strlen(value) && *value &&
	    strlen(value) < 19) {
		s->size_hint = atoll(value);
	} else if (strcasecmp(param, "BODY") == 0 && value &&
		   (strcasecmp(value, "8BITMIME") == 0 ||
		    strcasecmp(value, "7BIT") == 0)) {
		free(s->body);
		s->body = mta_strdup(strcasecmp(value, "7BIT") ? "8bit" : "7bit");
	} else if (strcasecmp(param, "RET") == 0 && value && s->ret == NULL &&
		   (strcasecmp(value, "FULL") == 0 ||
		    strcasecmp(value, "HDRS") == 0)) {
		s->ret = mta_strdup(strcasecmp(value, "FULL") ? "2" : "1");
	} else if (strcasecmp(param, "ENVID") == 0 && value && s->envid == NULL) {
		if (xtext_decode(value, &dec) == 0) {
			s->envid = mta_strdup(mta_buf_str(&dec));
		} else {
			smtpd_reply(s, 501, "5.5.4",
				    "Error: Bad ENVID parameter syntax");
			ok = false;
		}
	} else if (strcasecmp(param, "AUTH") == 0 && value) {
		/* no AUTH offered: RFC 4954 says ignore it */
	} else {
		smtpd_reply(s, 555, "5.5.4", "Unsupported option: %.100s", param);
		ok = false;
	}
	mta_buf_release(&dec);
	return ok;
}

/* parse_path - the <path> after the keyword; false after a reply */
static bool
parse_path(struct smtpd_session *s, const char *text, int flags,
	   struct mta_path *path, char **params, const char *what,
	   const char *dsn)
{
	struct mta_buf err = MTA_BUF_INIT(256);
	bool strict = s->sd->strict_envelopes;
	int rc = mta_path_parse(text, strlen(text), flags |
			       (strict ? 0 : MTA_PATH_BARE), path, &err);

	mta_buf_release(&err);
	if (rc < 0) {
		smtpd_reply(s, 501, dsn, "Bad %s address syntax", what);
		return false;
	}
	*params = (char *)text + path->end;
	if (**params != '\0' && **params != ' ') {
		smtpd_reply(s, 501, dsn, "Bad %s address syntax", what);
		return false;
	}
	return true;
}

/* smtpd_cmd_mail - MAIL FROM:<sender> [parameters] */
void
smtpd_cmd_mail(struct smtpd_session *s, char *arg)
{
	struct mta_rst_verdict v;
	struct mta_path path;
	const char *text = mail_keyword(arg, "FROM:");
	char *params, *p;

	if (s->sender) {
		smtpd_reply(s, 503, "5.5.1", "Error: nested MAIL command");
		return;
	}
	if (text == NULL) {
		smtpd_reply(s, 501, "5.5.4", "Syntax: MAIL FROM:<address>");
		return;
	}
	if (!parse_path(s, text, MTA_PATH_NULL_OK | MTA_PATH_LOCAL_OK, &path,
			&params, "sender", "5.1.7"))
		return;
	while ((p = mta_str_token(&params, " ")) != NULL)
		if (!mail_param(s, p)) {
			smtpd_reset(s);
			return;
		}
	if (s->sd->size_limit > 0 && s->size_hint > s->sd->size_limit) {
		smtpd_reply(s, 552, "5.3.4", "Message size exceeds fixed limit");
		smtpd_reset(s);
		return;
	}
	if (!storage_ok(s, s->size_hint)) {
		smtpd_reply(s, 452, "4.3.1", "Insufficient system storage");
		smtpd_reset(s);
		return;
	}
	s->sender = mta_strdup(path.addr);
	s->rc.sender = s->sender;
	if (mta_restrict_check(s->sd->rst, MTA_RST_MAIL, "MAIL", &s->rc, &v) < 0 ||
	    v.action != MTA_RST_ACCEPT) {
		smtpd_verdict_reply(s, &v);
		smtpd_reset(s);
		return;
	}
	s->discard |= v.discard;
	s->hold |= v.hold;
	smtpd_io_reply(&s->io, "250 2.1.0 Ok");
}

/* notify_parse - NEVER, or a list of SUCCESS, FAILURE, DELAY; -1 if bad */
static int
notify_parse(char *value)
{
	int mask = 0;
	char *word;

	while ((word = mta_str_token(&value, ",")) != NULL) {
		if (strcasecmp(word, "NEVER") == 0)
			mask |= NOTIFY_NEVER;
		else if (strcasecmp(word, "SUCCESS") == 0)
			mask |= NOTIFY_SUCCESS;
		else if (strcasecmp(word, "FAILURE") == 0)
			mask |= NOTIFY_FAILURE;
		else if (strcasecmp(word, "DELAY") == 0)
			mask |= NOTIFY_DELAY;
		else
			return -1;
	}
	if (mask == 0 || ((mask & NOTIFY_NEVER) && mask != NOTIFY_NEVER))
		return -1;
	return mask;
}

/* The DSN parameters of one RCPT. */
struct rcpt_dsn {
	int notify;
	struct mta_buf orcpt;
};

/* rcpt_params - NOTIFY= and ORCPT=; false after a reply */
static bool
rcpt_params(struct smtpd_session *s, char *params, struct rcpt_dsn *d)
{
	struct mta_buf dec = MTA_BUF_INIT(XTEXT_MAX + 1);
	char *p;

	while ((p = mta_str_token(&params, " ")) != NULL) {
		char *value = strchr(p, '=');

		if (value)
			*value++ = '\0';
		if (strcasecmp(p, "NOTIFY") == 0 && value && d->notify == 0 &&
		    (d->notify = notify_parse(value)) > 0)
			continue;
		if (strcasecmp(p, "ORCPT") == 0 && value && d->orcpt.len == 0 &&
		    strchr(value, ';') && xtext_decode(strchr(value, ';') + 1,
						       &dec) == 0) {
			/* kept as Postfix keeps it: "type;decoded" */
			mta_buf_add(&d->orcpt, value, (size_t)(strchr(value, ';') - value + 1));
			mta_buf_adds(&d->orcpt, mta_buf_str(&dec));
			continue;
		}
		mta_buf_release(&dec);
		if (strcasecmp(p, "NOTIFY") == 0 || strcasecmp(p, "ORCPT") == 0)
			smtpd_reply(s, 501, "5.5.4", "Error: Bad %s parameter syntax", p);
		else
			smtpd_reply(s, 555, "5.5.4", "Unsupported option: %.100s", p);
		return false;
	}
	mta_buf_release(&dec);
	return true;
}

/* queue_attrs - who sent it and how, as Postfix's smtpd records it */
static void
queue_attrs(struct smtpd_session *s, struct mta_cleanup *c)
{
	char origin[sizeof(s->name) + sizeof(s->addr) + 2];
	const char *helo = s->helo ? s->helo : "";

	snprintf(origin, sizeof(origin), "%s[%s]", s->name, s->addr);
	mta_cleanup_attr(c, "rewrite_context", "remote");
	mta_cleanup_attr(c, "log_client_name", s->name);
	mta_cleanup_attr(c, "log_client_address", s->addr);
	mta_cleanup_attr(c, "log_client_port", s->port);
	mta_cleanup_attr(c, "log_message_origin", origin);
	mta_cleanup_attr(c, "log_helo_name", helo);
	mta_cleanup_attr(c, "log_protocol_name", s->protocol);
	mta_cleanup_attr(c, "client_name", s->name);
	mta_cleanup_attr(c, "reverse_client_name", s->name);
	mta_cleanup_attr(c, "client_address", s->addr);
	mta_cleanup_attr(c, "client_port", s->port);
	mta_cleanup_attr(c, "client_address_type",
			 strchr(s->addr, ':') ? "10" : "2");
	mta_cleanup_attr(c, "helo_name", helo);
	mta_cleanup_attr(c, "protocol_name", s->protocol);
	if (s->envid)
		mta_cleanup_attr(c, "envelope_id", s->envid);
	if (s->ret)
		mta_cleanup_attr(c, "ret_flags", s->ret);
	if (s->body)
		mta_cleanup_attr(c, "encoding", s->body);
}

/* queue_open - the queue file, at the first recipient that passed */
static bool
queue_open(struct smtpd_session *s)
{
	struct mta_buf err = MTA_BUF_INIT(512);
	struct mta_cleanup *c;

	c = mta_cleanup_open(s->sd->cfg, s->sd->spool, 0, &err);
	if (c == NULL) {
		mta_msg_warn("%s", mta_buf_str(&err));
		mta_buf_release(&err);
		smtpd_reply(s, 451, "4.3.0", "Error: queue file write error");
		return false;
	}
	mta_buf_release(&err);
	s->cleanup = c;
	snprintf(s->qid, sizeof(s->qid), "%s", mta_cleanup_id(c));
	s->rc.queue_id = s->qid;
	mta_msg_info("%s: client=%s[%s]", s->qid, s->name, s->addr);
	mta_cleanup_sender(c, s->sender);
	queue_attrs(s, c);
	return true;
}

/* rcpt_limits - too many recipients; false after a reply */
static bool
rcpt_limits(struct smtpd_session *s, const char *rcpt)
{
	struct mta_rst_verdict v = {.action = MTA_RST_REJECT, .code = 452,
				    .dsn = "4.5.3",
				    .text = "Error: too many recipients"};

	if (s->nrcpt < s->sd->rcpt_limit)
		return true;
	s->rc.recipient = rcpt;
	mta_restrict_log(&s->rc, "RCPT", "reject", &v);
	s->rc.recipient = NULL;
	smtpd_io_reply(&s->io, "452 4.5.3 Error: too many recipients");
	if (++s->rcpt_over > s->sd->rcpt_overshoot)
		smtpd_error(s);
	return false;
}

/* smtpd_cmd_rcpt - RCPT TO:<recipient> [parameters] */
void
smtpd_cmd_rcpt(struct smtpd_session *s, char *arg)
{
	struct rcpt_dsn d = {0, MTA_BUF_INIT(XTEXT_MAX + 16)};
	struct mta_rst_verdict v;
	struct mta_path path;
	const char *text = mail_keyword(arg, "TO:");
	char *params;

	if (s->sender == NULL) {
		smtpd_reply(s, 503, "5.5.1", "Error: need MAIL command");
		return;
	}
	if (text == NULL) {
		smtpd_reply(s, 501, "5.5.4", "Syntax: RCPT TO:<address>");
		return;
	}
	if (!parse_path(s, text, MTA_PATH_LOCAL_OK, &path, &params,
			"recipient", "5.1.3") || !rcpt_limits(s, path.addr) ||
	    !rcpt_params(s, params, &d))
		goto out;
	s->rc.recipient = path.addr;
	if (mta_restrict_check(s->sd->rst, MTA_RST_RCPT, "RCPT", &s->rc, &v) < 0 ||
	    v.action != MTA_RST_ACCEPT) {
		s->rcpt_rejected++;
		smtpd_verdict_reply(s, &v);
		goto out;
	}
	if (s->cleanup == NULL && !queue_open(s))
		goto out;
	s->discard |= v.discard;
	s->hold |= v.hold;
	mta_cleanup_recipient(s->cleanup, path.addr, path.addr, d.notify,
			      d.orcpt.len ? mta_buf_str(&d.orcpt) : NULL);
	if (s->nrcpt++ == 0)
		s->first_rcpt = mta_strdup(path.addr);
	smtpd_io_reply(&s->io, "250 2.1.5 Ok");
out:
	s->rc.recipient = NULL;
	mta_buf_release(&d.orcpt);
}

/* smtpd_cmd_vrfy - VRFY: off unless disable_vrfy_command = no */
void
smtpd_cmd_vrfy(struct smtpd_session *s, char *arg)
{
	struct mta_path path;
	struct mta_buf err = MTA_BUF_INIT(256);

	if (!s->sd->vrfy) {
		smtpd_reply(s, 502, "5.5.1", "VRFY command is disabled");
		return;
	}
	if (mta_path_parse(arg, strlen(arg), MTA_PATH_BARE | MTA_PATH_LOCAL_OK,
			   &path, &err) < 0) {
		smtpd_reply(s, 501, "5.1.3", "Bad recipient address syntax");
	} else {
		/* RFC 5321 3.5.3: cannot verify, but will try to deliver */
		smtpd_io_reply(&s->io, "252 2.0.0 %s", path.addr);
	}
	mta_buf_release(&err);
}
