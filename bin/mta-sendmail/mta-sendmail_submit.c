/*
 * mta-sendmail_submit - the message as Postfix's sendmail writes it for
 * postdrop: envelope ([A envelope_id] [A ret_flags] A rewrite_context
 * [F] S [A encoding] [V] then [A notify_flags] R per command-line
 * address), M, the lines of stdin as N records ('L' for each
 * line_length_limit piece of a longer line), X, then with -t the
 * addresses of To/Cc/Bcc (or Resent-To/Cc/Bcc when present) as
 * [A notify_flags] R, and E. Leading "From " lines are dropped, a lone
 * "." ends the input unless -i, trailing CRs are removed
 * (sendmail_fix_line_endings).
 */
#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "addr.h"
#include "cli.h"
#include "mem.h"
#include "msg.h"
#include "mta-sendmail.h"
#include "record.h"

#define SM_RCPT_MAX 100000	/* extracted recipients per message */
#define SM_NAME_MAX 1024	/* full name */

struct sm_state {
	const struct sm_options *opt;
	FILE *out;
	size_t line_max;	/* line_length_limit */
	size_t header_max;	/* header_size_limit */
	int strip_cr;		/* 1 yes, 0 no, -1 decide on the first line */
	char *sender;
	bool failed;		/* a write to postdrop failed */
	unsigned rcpts;		/* R records written */
	/* -t */
	bool in_header;
	bool collect;		/* the current header is one we read */
	bool collect_resent;
	bool resent;		/* a Resent- address header was seen */
	size_t header_len;
	struct mta_buf header;
	char **found[2];	/* [0] To/Cc/Bcc, [1] Resent-* */
	size_t nfound[2];
};

/* sm_put - one record to postdrop; remembers a failure */
static void
sm_put(struct sm_state *st, int type, const char *data, size_t len)
{
	if (!st->failed && mta_rec_write(st->out, type, data, len) < 0)
		st->failed = true;
}

/* sm_put_text - an envelope record: one line, within line_length_limit */
static void
sm_put_text(struct sm_state *st, int type, const char *text, int status)
{
	char *copy = mta_strdup(text);

	for (char *cp = copy; *cp; cp++)
		if (*cp == '\r' || *cp == '\n')
			*cp = ' ';
	if (strlen(copy) > st->line_max)
		mta_msg_die(status, "%.100s...: longer than line_length_limit "
			    "(%zu)", copy, st->line_max);
	sm_put(st, type, copy, strlen(copy));
	free(copy);
}

/* sm_put_rcpt - [A notify_flags=N] R addr */
static void
sm_put_rcpt(struct sm_state *st, const char *addr, int status)
{
	if (st->opt->notify) {
		char attr[64];

		snprintf(attr, sizeof(attr), "notify_flags=%d", st->opt->notify);
		sm_put_text(st, MTA_REC_ATTR, attr, status);
	}
	sm_put_text(st, MTA_REC_RCPT, addr, status);
	st->rcpts++;
}

/* sm_sender - -f's first address (internal form), else the login name */
static char *
sm_sender(const char *arg)
{
	struct mta_addrlist list;
	struct mta_addrlist_item item;
	struct passwd *pw;
	char *sender = NULL;
	int n = 0;

	if (arg == NULL) {
		if ((pw = getpwuid(getuid())) == NULL)
			mta_msg_die(EX_OSERR, "no login name found for user ID "
				    "%lu", (unsigned long)getuid());
		return mta_strdup(pw->pw_name);
	}
	mta_addrlist_init(&list, arg, strlen(arg));
	mta_addrlist_item_init(&item);
	while (mta_addrlist_next(&list, &item))
		if (n++ == 0)
			sender = mta_strdup(mta_buf_str(&item.addr));
	mta_addrlist_item_release(&item);
	if (n > 1)
		mta_msg_warn("-f option specified malformed sender: %.100s", arg);
	return sender ? sender : mta_strdup("");
}

/*
 * sm_full_name - -F, else $NAME, else the GECOS field up to the first ','
 * with '&' standing for the login name capitalized. NULL without one.
 */
static char *
sm_full_name(const char *arg)
{
	struct mta_buf name = MTA_BUF_INIT(SM_NAME_MAX);
	const char *env = getenv("NAME");
	struct passwd *pw;

	if (arg)
		return mta_strdup(arg);
	if (env && !sm_privileged())
		return mta_strdup(env);
	if ((pw = getpwuid(getuid())) == NULL)
		return NULL;
	mta_buf_adds(&name, "");
	for (const char *cp = pw->pw_gecos ? pw->pw_gecos : ""; *cp; cp++) {
		if (*cp == ',' || *cp == ';' || *cp == '%')
			break;
		if (*cp != '&')
			mta_buf_addc(&name, *cp);
		else if (pw->pw_name[0]) {
			mta_buf_addc(&name, toupper((unsigned char)pw->pw_name[0]));
			mta_buf_adds(&name, pw->pw_name + 1);
		}
	}
	return mta_buf_steal(&name);
}

/* sm_envelope - everything before M */
static void
sm_envelope(struct sm_state *st, struct mta_config *cfg)
{
	const struct sm_options *opt = st->opt;
	char *name = sm_full_name(opt->full_name);
	char attr[160];

	if (opt->envid) {
		snprintf(attr, sizeof(attr), "envelope_id=%s", opt->envid);
		sm_put_text(st, MTA_REC_ATTR, attr, EX_USAGE);
	}
	if (opt->ret) {
		snprintf(attr, sizeof(attr), "ret_flags=%d", opt->ret);
		sm_put_text(st, MTA_REC_ATTR, attr, EX_USAGE);
	}
	snprintf(attr, sizeof(attr), "rewrite_context=%s", opt->rewrite_context);
	sm_put_text(st, MTA_REC_ATTR, attr, EX_USAGE);
	if (name)
		sm_put_text(st, MTA_REC_FULLNAME, name, EX_USAGE);
	free(name);
	sm_put_text(st, MTA_REC_FROM, st->sender, EX_USAGE);
	if (opt->encoding) {
		snprintf(attr, sizeof(attr), "encoding=%s", opt->encoding);
		sm_put_text(st, MTA_REC_ATTR, attr, EX_USAGE);
	}
	if (opt->verp || opt->verp_default) {
		const char *d = opt->verp ? opt->verp :
			mta_config_str(cfg, "default_verp_delimiters");

		sm_put_text(st, MTA_REC_VERP, d ? d : "+=", EX_USAGE);
	}
}

/* sm_recipients - the operands: each an address list; none gives R "" */
static void
sm_recipients(struct sm_state *st)
{
	struct mta_addrlist list;
	struct mta_addrlist_item item;

	mta_addrlist_item_init(&item);
	for (char **cpp = st->opt->recipients; *cpp; cpp++) {
		int n = 0;

		mta_addrlist_init(&list, *cpp, strlen(*cpp));
		while (mta_addrlist_next(&list, &item)) {
			sm_put_rcpt(st, mta_buf_str(&item.addr), EX_USAGE);
			n++;
		}
		if (n == 0)
			sm_put_rcpt(st, "", EX_USAGE);
	}
	mta_addrlist_item_release(&item);
}

/* sm_header_kind - 0 To/Cc/Bcc, 1 Resent-To/Cc/Bcc, -1 another header */
static int
sm_header_kind(const char *line, size_t len)
{
	static const char *const names[] = {"to", "cc", "bcc"};
	size_t n = 0;
	int resent = 0;

	while (n < len && line[n] != ':' && line[n] != ' ' && line[n] != '\t')
		n++;
	if (n > 7 && strncasecmp(line, "resent-", 7) == 0) {
		resent = 1;
		line += 7;
		n -= 7;
	}
	for (int i = 0; i < 3; i++)
		if (strlen(names[i]) == n && strncasecmp(line, names[i], n) == 0)
			return resent;
	return -1;
}

/* sm_is_header - "Name:" (printable name, optional blanks before ':') */
static bool
sm_is_header(const char *line, size_t len)
{
	size_t n = 0;

	while (n < len && line[n] > ' ' && line[n] < 127 && line[n] != ':')
		n++;
	if (n == 0)
		return false;
	while (n < len && (line[n] == ' ' || line[n] == '\t'))
		n++;
	return n < len && line[n] == ':';
}

/* sm_header_flush - the addresses of the header collected so far */
static void
sm_header_flush(struct sm_state *st)
{
	struct mta_addrlist list;
	struct mta_addrlist_item item;
	const char *text = mta_buf_str(&st->header);
	const char *colon = memchr(text, ':', st->header.len);
	int k = st->collect_resent ? 1 : 0;

	if (!st->collect || colon == NULL) {
		st->collect = false;
		return;
	}
	st->collect = false;
	mta_addrlist_init(&list, colon + 1, st->header.len -
			  (size_t)(colon + 1 - text));
	mta_addrlist_item_init(&item);
	while (mta_addrlist_next(&list, &item)) {
		if (item.addr.len == 0)
			continue;
		if (st->nfound[k] >= SM_RCPT_MAX)
			mta_msg_die(EX_DATAERR, "%s(%ld): more than %d recipients "
				    "in the message header", st->sender,
				    (long)getuid(), SM_RCPT_MAX);
		st->found[k] = mta_reallocarray(st->found[k], st->nfound[k] + 1,
						sizeof(char *));
		st->found[k][st->nfound[k]++] = mta_strdup(mta_buf_str(&item.addr));
	}
	mta_addrlist_item_release(&item);
}

/* sm_header_line - -t: follow the primary header, collect address headers */
static void
sm_header_line(struct sm_state *st, int type, int prev, const char *line,
	       size_t len)
{
	int kind;

	if (prev != MTA_REC_CONT) {
		if (len > 0 && (line[0] == ' ' || line[0] == '\t') &&
		    st->header_len > 0) {
			/* a folded line: part of the header before */
		} else if (sm_is_header(line, len)) {
			sm_header_flush(st);
			kind = sm_header_kind(line, len);
			st->collect = kind >= 0 && (kind == 1 || !st->resent);
			st->collect_resent = kind == 1;
			if (kind == 1)
				st->resent = true;
			st->header_len = 0;
			mta_buf_clear(&st->header);
		} else {
			sm_header_flush(st);
			st->in_header = false;
			return;
		}
	}
	st->header_len += len + 1;
	if (st->header_len > st->header_max)
		mta_msg_die(EX_DATAERR, "%s(%ld): unable to extract recipients: "
			    "a header is longer than header_size_limit (%zu)",
			    st->sender, (long)getuid(), st->header_max);
	if (st->collect && (mta_buf_add(&st->header, line, len) < 0 ||
			    mta_buf_addc(&st->header, ' ') < 0))
		mta_msg_die(EX_DATAERR, "%s(%ld): header too long",
			    st->sender, (long)getuid());
}

/* sm_read - one line or piece (N, L) of stdin, as Postfix's reader; 0 EOF */
static int
sm_read(FILE *in, struct mta_buf *buf, size_t max)
{
	int ch;

	mta_buf_clear(buf);
	mta_buf_add(buf, "", 0);
	while (buf->len < max) {
		if ((ch = getc_unlocked(in)) == EOF)
			return buf->len > 0 ? MTA_REC_CONT : 0;
		if (ch == '\n')
			return MTA_REC_NORM;
		mta_buf_addc(buf, ch);
	}
	return MTA_REC_CONT;
}

/* sm_is_from_ - a ">>From " line (mbox separator) */
static bool
sm_is_from_(const struct mta_buf *buf)
{
	size_t n = strspn(buf->data, ">");

	return buf->len - n >= 5 && strncmp(buf->data + n, "From ", 5) == 0;
}

/* sm_strip_cr - sendmail_fix_line_endings on one complete line */
static void
sm_strip_cr(struct sm_state *st, struct mta_buf *buf)
{
	if (st->strip_cr < 0)
		st->strip_cr = buf->len > 0 && buf->data[buf->len - 1] == '\r';
	while (st->strip_cr && buf->len > 0 && buf->data[buf->len - 1] == '\r')
		mta_buf_truncate(buf, buf->len - 1);
}

/* sm_content - stdin to N/L records, up to EOF (or a lone "." with aeof) */
static void
sm_content(struct sm_state *st)
{
	struct mta_buf buf = MTA_BUF_INIT(st->line_max + 1);
	bool skip_from = true;
	int type, prev = 0;

	for (; (type = sm_read(stdin, &buf, st->line_max)) != 0; prev = type) {
		if (skip_from) {
			if (type == MTA_REC_NORM && sm_is_from_(&buf))
				continue;
			skip_from = false;
		}
		if (type == MTA_REC_NORM)
			sm_strip_cr(st, &buf);
		if (st->opt->aeof && prev != MTA_REC_CONT && buf.len == 1 &&
		    buf.data[0] == '.')
			break;
		if (st->in_header)
			sm_header_line(st, type, prev, buf.data, buf.len);
		sm_put(st, type, buf.data, buf.len);
	}
	if (st->in_header)
		sm_header_flush(st);
	mta_buf_release(&buf);
}

/* sm_extracted - X, then the recipients -t found (Resent- ones if any) */
static void
sm_extracted(struct sm_state *st)
{
	int k = st->resent ? 1 : 0;

	sm_put(st, MTA_REC_XTRA, "", 0);
	for (size_t i = 0; i < st->nfound[k]; i++)
		sm_put_rcpt(st, st->found[k][i], EX_DATAERR);
	for (k = 0; k < 2; k++) {
		for (size_t i = 0; i < st->nfound[k]; i++)
			free(st->found[k][i]);
		free(st->found[k]);
	}
}

/* sm_strip_mode - sendmail_fix_line_endings: always, strict or never */
static int
sm_strip_mode(struct mta_config *cfg)
{
	const char *v = mta_config_str(cfg, "sendmail_fix_line_endings");

	if (v == NULL || *v == '\0' || strcmp(v, "always") == 0)
		return 1;
	if (strcmp(v, "strict") == 0)
		return -1;
	if (strcmp(v, "never") == 0)
		return 0;
	mta_msg_die(EX_CONFIG, "%s/main.cf: sendmail_fix_line_endings = %.50s: "
		    "use always, strict or never", mta_config_dir(cfg), v);
}

/* sm_finish - E and the verdict of postdrop (exit status) */
static int
sm_finish(struct sm_state *st, struct sm_child *child)
{
	char id[256];
	int rc;

	if (ferror(stdin)) {
		sm_postdrop_finish(child, true, id, sizeof(id));
		mta_msg_die(EX_IOERR, "%s(%ld): error reading the message: %s",
			    st->sender, (long)getuid(), strerror(errno));
	}
	if (st->rcpts == 0) {
		sm_postdrop_finish(child, true, id, sizeof(id));
		mta_msg_die(EX_DATAERR, "%s(%ld): no recipient addresses found "
			    "in the message header", st->sender, (long)getuid());
	}
	sm_put(st, MTA_REC_END, "", 0);
	rc = sm_postdrop_finish(child, false, id, sizeof(id));
	if (rc == EX_OK)
		mta_msg_debug("queued as %s", id);
	if (rc == EX_OK && st->opt->verbose)
		mta_msg_info("%s(%ld): queued as %s", st->sender, (long)getuid(),
			     id);
	return rc;
}

/*
 * sm_submit - run mta-postdrop and feed it the message; the exit status
 * of the command: 0 only when postdrop said the file is on disk.
 */
int
sm_submit(const struct sm_options *opt, struct mta_config *cfg)
{
	struct sm_state st = {.opt = opt, .in_header = opt->extract};
	struct sm_child child;
	int rc;

	if (!opt->extract && opt->recipients[0] == NULL)
		mta_msg_die(EX_USAGE, "recipient addresses must be given on the "
			    "command line or with -t (try --help)");
	st.line_max = (size_t)mta_config_int(cfg, "line_length_limit");
	st.header_max = (size_t)mta_config_int(cfg, "header_size_limit");
	st.strip_cr = sm_strip_mode(cfg);
	st.sender = sm_sender(opt->sender);
	mta_buf_init(&st.header, st.header_max + 2 * st.line_max + 2);
	if ((rc = sm_postdrop_start(cfg, opt->verbose, &child)) != EX_OK)
		return rc;
	st.out = child.in;
	sm_envelope(&st, cfg);
	sm_recipients(&st);
	sm_put(&st, MTA_REC_MESG, "", 0);
	sm_content(&st);
	sm_extracted(&st);
	rc = sm_finish(&st, &child);
	mta_buf_release(&st.header);
	free(st.sender);
	return rc;
}
