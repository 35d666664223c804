/*
 * cleanup - the envelope and the end of a message (see cleanup.h).
 *
 * Envelope calls are kept in memory, in call order, until the content
 * starts (or close): then they are written as Postfix's cleanup writes
 * them, 'T' first and our own create_time right after it, whatever order
 * the caller used. Recipients given after the content started go to the
 * extracted segment, as those of "sendmail -t" do in a maildrop file.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include "maildate.h"
#include "cleanup_priv.h"
#include "mem.h"
#include "msg.h"
#include "record.h"

/* cleanup_fail - remember the first failure and why */
void
cleanup_fail(struct mta_cleanup *c, int status, const char *fmt, ...)
{
	va_list ap;

	if (c->status == MTA_CLEANUP_OK) {
		va_start(ap, fmt);
		vsnprintf(c->why, sizeof(c->why), fmt, ap);
		va_end(ap);
	}
	c->status |= status;
}

/* limit - a size parameter, with a floor */
static long long
limit(struct mta_config *cfg, const char *name, long long floor)
{
	long long v = mta_config_size(cfg, name);

	return v < floor ? floor : v;
}

/* cleanup_limits - the parameters cleanup enforces */
static void
cleanup_limits(struct mta_cleanup *c)
{
	c->size_limit = mta_config_size(c->cfg, "message_size_limit");
	c->line_max = (size_t)limit(c->cfg, "line_length_limit", 80);
	c->header_max = (size_t)limit(c->cfg, "header_size_limit", 1024);
	c->hop_limit = mta_config_int(c->cfg, "hopcount_limit");
	c->w.line_max = c->line_max;
	mta_buf_init(&c->pline, c->header_max + 1);
	mta_buf_init(&c->hdr, c->header_max);
}

/* mta_cleanup_open - a new queue file in incoming/ for one message */
struct mta_cleanup *
mta_cleanup_open(struct mta_config *cfg, const struct mta_spool *sp, int flags,
                 struct mta_buf *err)
{
	struct mta_cleanup *c = mta_calloc(1, sizeof(*c));

	c->cfg = cfg;
	c->spool = sp;
	c->flags = flags;
	if (mta_qwriter_open(&c->w, sp, MTA_QUEUE_INCOMING) < 0) {
		mta_buf_printf(err, "create a queue file in %s/%s: %s", sp->dir,
		               MTA_QUEUE_INCOMING, strerror(errno));
		free(c);
		return NULL;
	}
	c->ctime = time(NULL);
	c->rw = mta_rewrite_new(cfg, err);
	c->dups = mta_calloc(1, sizeof(*c->dups));
	mta_htable_init(c->dups, NULL);
	c->context = (flags & MTA_CLEANUP_LOCAL) ? MTA_REWRITE_LOCAL
	                                         : MTA_REWRITE_REMOTE;
	cleanup_limits(c);
	return c;
}

/* env_add - keep an envelope record for later */
static void
env_add(struct mta_cleanup *c, int type, const char *data, size_t rcpt)
{
	c->env = mta_reallocarray(c->env, c->nenv + 1, sizeof(*c->env));
	c->env[c->nenv].type = type;
	c->env[c->nenv].data = data ? mta_strdup(data) : NULL;
	c->env[c->nenv].rcpt = rcpt;
	c->nenv++;
}

/* mta_cleanup_time - the arrival time (the first one counts) */
int
mta_cleanup_time(struct mta_cleanup *c, time_t sec, long usec)
{
	if (!c->have_time) {
		c->arrival = sec;
		c->arrival_usec = usec;
		c->have_time = true;
	}
	return 0;
}

/* mta_cleanup_sender - the envelope sender, made canonical */
int
mta_cleanup_sender(struct mta_cleanup *c, const char *addr)
{
	struct mta_buf out = MTA_BUF_INIT(CLEANUP_ADDR_MAX);
	char daemon[CLEANUP_ADDR_MAX];
	const char *origin = mta_config_str(c->cfg, "myorigin");

	if (c->sender != NULL) {
		cleanup_fail(c, MTA_CLEANUP_BAD, "multiple envelope senders");
		return -1;
	}
	if (mta_rewrite_addr(c->rw, MTA_REWRITE_LOCAL, addr, &out) < 0) {
		cleanup_fail(c, MTA_CLEANUP_BAD, "sender address too long");
		mta_buf_release(&out);
		return -1;
	}
	snprintf(daemon, sizeof(daemon), "MAILER-DAEMON@%s",
	         origin ? origin : "");
	if (out.len && strcasecmp(out.data, daemon) == 0)
		mta_buf_clear(&out);
	if (!(c->flags & MTA_CLEANUP_BOUNCE) && out.len)
		mta_rewrite_masquerade(c->rw, MTA_MASQ_ENV_FROM, &out);
	c->sender = mta_strdup(out.len ? out.data : "");
	env_add(c, 'S', c->sender, 0);
	mta_buf_release(&out);
	return 0;
}

/* mta_cleanup_fullname - the sender's full name (the first one counts) */
int
mta_cleanup_fullname(struct mta_cleanup *c, const char *name)
{
	if (c->have_fullname)
		return 0;
	c->have_fullname = true;
	c->fullname = mta_strndup(name, CLEANUP_TEXT_MAX);
	env_add(c, 'F', c->fullname, 0);
	return 0;
}

/* cleanup_add_rcpt - append one recipient to a list */
void
cleanup_add_rcpt(struct cleanup_rcpts *l, const char *addr, const char *orig,
                 const char *dsn_orcpt, int notify)
{
	struct cleanup_rcpt *r;

	l->v = mta_reallocarray(l->v, l->n + 1, sizeof(*l->v));
	r = &l->v[l->n++];
	r->addr = mta_strdup(addr);
	r->orig = mta_strdup(orig);
	r->notify = notify;
	if (dsn_orcpt && *dsn_orcpt) {
		r->dsn_orcpt = mta_strdup(dsn_orcpt);
	} else {
		r->dsn_orcpt = mta_malloc(strlen(orig) + 8);
		memcpy(r->dsn_orcpt, "rfc822;", 7);
		memcpy(r->dsn_orcpt + 7, orig, strlen(orig) + 1);
	}
}

/* cleanup_canon_rcpt - a recipient's canonical form */
int
cleanup_canon_rcpt(struct mta_cleanup *c, const char *in, struct mta_buf *out)
{
	const char *empty = mta_config_str(c->cfg, "empty_address_recipient");

	if (*in == '\0')
		in = empty && *empty ? empty : "MAILER-DAEMON";
	if (mta_rewrite_addr(c->rw, MTA_REWRITE_LOCAL, in, out) < 0)
		return -1;
	if (!(c->flags & MTA_CLEANUP_BOUNCE))
		mta_rewrite_masquerade(c->rw, MTA_MASQ_ENV_RCPT, out);
	return 0;
}

/* mta_cleanup_recipient - one recipient (extracted once content began) */
int
mta_cleanup_recipient(struct mta_cleanup *c, const char *addr, const char *orig,
                      int notify, const char *dsn_orcpt)
{
	struct mta_buf out = MTA_BUF_INIT(CLEANUP_ADDR_MAX);
	bool extracted = c->phase != CLEANUP_ENVELOPE;

	if (cleanup_canon_rcpt(c, addr, &out) < 0) {
		cleanup_fail(c, MTA_CLEANUP_BAD, "recipient address too long");
		mta_buf_release(&out);
		return -1;
	}
	if (notify == 0)
		notify = c->pending_notify;
	if (dsn_orcpt == NULL)
		dsn_orcpt = c->pending_orcpt;
	cleanup_add_rcpt(extracted ? &c->xrcpts : &c->rcpts,
	                 out.len ? out.data : "", orig ? orig : addr, dsn_orcpt,
	                 notify & 0xF);
	if (!extracted)
		env_add(c, 'R', NULL, c->rcpts.n - 1);
	free(c->pending_orcpt);
	c->pending_orcpt = NULL;
	c->pending_notify = 0;
	mta_buf_release(&out);
	return 0;
}

/* attr_context - a rewrite_context attribute chooses header rewriting */
static int
attr_context(struct mta_cleanup *c, const char *value)
{
	if (strcmp(value, "local") == 0) {
		c->context = MTA_REWRITE_LOCAL;
	} else if (strcmp(value, "remote") == 0) {
		c->context = MTA_REWRITE_REMOTE;
	} else {
		cleanup_fail(c, MTA_CLEANUP_BAD,
		             "bad rewriting context: %.100s", value);
		return -1;
	}
	c->have_context = true;
	return 0;
}

/*
 * mta_cleanup_attr - a named attribute. Per-recipient DSN attributes
 * apply to the next recipient, as in a queue file; create_time is ours;
 * an empty value is dropped, as Postfix does.
 */
int
mta_cleanup_attr(struct mta_cleanup *c, const char *name, const char *value)
{
	char text[CLEANUP_TEXT_MAX];

	if (*value == '\0' || strcmp(name, "create_time") == 0)
		return 0;
	if (strcmp(name, "dsn_orig_rcpt") == 0) {
		free(c->pending_orcpt);
		c->pending_orcpt = mta_strdup(value);
		return 0;
	}
	if (strcmp(name, "notify_flags") == 0) {
		c->pending_notify = atoi(value) & 0xF;
		return 0;
	}
	if (strcmp(name, "rewrite_context") == 0 && attr_context(c, value) < 0)
		return -1;
	if (strcmp(name, "encoding") == 0) {
		free(c->encoding);
		c->encoding = mta_strdup(value);
	}
	if ((size_t)snprintf(text, sizeof(text), "%s=%s", name, value) >=
	    sizeof(text)) {
		cleanup_fail(c, MTA_CLEANUP_BAD, "attribute %.50s too long",
		             name);
		return -1;
	}
	env_add(c, 'A', text, 0);
	return 0;
}

/* mta_cleanup_uid - who submitted (for the Received: header) */
void
mta_cleanup_uid(struct mta_cleanup *c, uid_t uid)
{
	c->uid = uid;
	c->have_uid = true;
}

/* env_write_head - 'T', our create_time, and the rewrite context */
static void
env_write_head(struct mta_cleanup *c)
{
	struct timeval tv;

	if (!c->have_time) {
		gettimeofday(&tv, NULL);
		c->arrival = tv.tv_sec;
		c->arrival_usec = (long)tv.tv_usec;
		c->have_time = true;
	}
	cleanup_out_recf(c, 'T', "%lld %ld", (long long)c->arrival,
	                 c->arrival_usec);
	cleanup_out_recf(c, 'A', "create_time=%lld", (long long)c->ctime);
	if (!c->have_context)
		cleanup_out_recf(c, 'A', "rewrite_context=%s",
		                 c->context == MTA_REWRITE_LOCAL ? "local"
		                                                 : "remote");
}

/* env_write - the envelope, in call order, then 'M' */
static void
env_write(struct mta_cleanup *c)
{
	long warn = mta_config_time(c->cfg, "delay_warning_time");
	bool in_rcpt = false;

	if (c->sender == NULL)
		cleanup_fail(c, MTA_CLEANUP_BAD, "missing envelope sender");
	env_write_head(c);
	for (size_t i = 0; i < c->nenv; i++) {
		struct cleanup_env *e = &c->env[i];

		if (e->type != 'R') {
			cleanup_out_rec(c, e->type, e->data);
			continue;
		}
		if (!in_rcpt && warn > 0 && c->sender && *c->sender)
			cleanup_out_recf(c, 'W', "%15lld",
			                 (long long)(c->arrival + warn));
		in_rcpt = true;
		cleanup_out_rcpt(c, &c->rcpts.v[e->rcpt]);
	}
	cleanup_out_rec(c, 'M', "");
}

/* received - our Received: header for a local submission */
static void
received(struct mta_cleanup *c)
{
	struct mta_buf b = MTA_BUF_INIT(4096);
	const char *host = mta_config_str(c->cfg, "myhostname");
	const char *name = mta_config_str(c->cfg, "mail_name");
	char date[CLEANUP_DATE_MAX];

	mta_mail_date(c->arrival, date, sizeof(date));
	mta_buf_printf(&b, "Received: by %s (%s", host ? host : "",
	               name ? name : "mta");
	if (c->have_uid)
		mta_buf_printf(&b, ", from userid %lu", (unsigned long)c->uid);
	mta_buf_addc(&b, ')');
	/* Two physical lines, read as any folded header is. */
	cleanup_header_line(c, b.data, b.len, true);
	mta_buf_clear(&b);
	mta_buf_printf(&b, "\tid %s; %s", c->w.id, date);
	cleanup_header_line(c, b.data, b.len, true);
	mta_buf_release(&b);
}

/* cleanup_start_content - the envelope is done: write it, then Received */
static void
cleanup_start_content(struct mta_cleanup *c)
{
	env_write(c);
	c->phase = CLEANUP_HEADERS;
	if (c->flags & MTA_CLEANUP_LOCAL)
		received(c);
}

/* stray_crlf - a stray CR or LF inside a line becomes a space */
static const char *
stray_crlf(const char *line, size_t len, struct mta_buf *tmp)
{
	if (memchr(line, '\r', len) == NULL && memchr(line, '\n', len) == NULL)
		return line;
	mta_buf_clear(tmp);
	if (mta_buf_add(tmp, line, len) < 0)
		return line;
	for (size_t i = 0; i < len; i++)
		if (tmp->data[i] == '\r' || tmp->data[i] == '\n')
			tmp->data[i] = ' ';
	return tmp->data;
}

/* mta_cleanup_text - one line (or piece of a line) of the message */
int
mta_cleanup_text(struct mta_cleanup *c, const char *line, size_t len,
                 bool complete)
{
	struct mta_buf tmp = MTA_BUF_INIT(len + 1);

	if (c->phase == CLEANUP_ENVELOPE)
		cleanup_start_content(c);
	if (len == 0 && !complete)
		return c->status == MTA_CLEANUP_OK ? 0 : -1;
	c->size += (long long)len + (complete ? 1 : 0);
	if (c->size_limit > 0 && c->size > c->size_limit)
		cleanup_fail(c, MTA_CLEANUP_SIZE, "message file too big");
	if (c->status != MTA_CLEANUP_OK)
		return -1;
	line = stray_crlf(line, len, &tmp);
	if (c->phase == CLEANUP_HEADERS)
		cleanup_header_line(c, line, len, complete);
	else
		cleanup_out_line(c, line, len, complete);
	mta_buf_release(&tmp);
	return c->status == MTA_CLEANUP_OK ? 0 : -1;
}
