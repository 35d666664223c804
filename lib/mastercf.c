/* mastercf - master.cf reading and printing (see mastercf.h). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "line.h"
#include "mastercf.h"
#include "mem.h"
#include "str.h"

struct word {
	char *text;
	bool braced;
};

static const char *type_names[] = {"inet", "unix", "unix-dgram", "fifo",
				   "pass"};

/* mta_master_type_name - the word for a service type */
const char *
mta_master_type_name(enum mta_master_type type)
{
	return type_names[type];
}

/* split_brace - a "{ ... }" word at *cp (nesting allowed); -1: unclosed */
static int
split_brace(char **cp, struct word *w)
{
	char *s = *cp + 1;
	int level = 1;

	for (; *s; s++) {
		if (*s == '{')
			level++;
		else if (*s == '}' && --level == 0)
			break;
	}
	if (*s != '}')
		return -1;
	*s = '\0';
	w->text = mta_str_trim(*cp + 1);
	w->braced = true;
	*cp = s + 1;
	return 0;
}

/* split_words - the words of a line, in place; -1 with err */
static int
split_words(char *line, struct word *words, size_t *n, struct mta_buf *err)
{
	char *cp = line;

	*n = 0;
	for (;;) {
		struct word *w = &words[*n];

		cp = mta_str_skip_space(cp);
		if (*cp == '\0')
			return 0;
		if (*n >= MTA_MASTER_MAXARGS) {
			mta_buf_printf(err, "more than %d words",
				       MTA_MASTER_MAXARGS);
			return -1;
		}
		if (*cp == '{') {
			if (split_brace(&cp, w) < 0) {
				mta_buf_adds(err, "a '{' without its '}'");
				return -1;
			}
		} else {
			w->text = cp;
			w->braced = false;
			cp += strcspn(cp, MTA_SPACE);
			if (*cp)
				*cp++ = '\0';
		}
		(*n)++;
	}
}

/* parse_type - the type column */
static int
parse_type(const char *text, enum mta_master_type *type)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (strcmp(text, type_names[i]) == 0) {
			*type = (enum mta_master_type)i;
			return 0;
		}
	return -1;
}

/* parse_yn - a y/n/- column */
static int
parse_yn(const char *text, bool dflt, bool *out)
{
	if (strcmp(text, "-") == 0)
		*out = dflt;
	else if (strcmp(text, "y") == 0)
		*out = true;
	else if (strcmp(text, "n") == 0)
		*out = false;
	else
		return -1;
	return 0;
}

/* parse_count - "-" (dflt) or a number up to 1000000; *q: trailing '?' */
static int
parse_count(const char *text, int dflt, bool allow_q, int *out, bool *q)
{
	char *end;
	long v;

	if (q)
		*q = false;
	if (strcmp(text, "-") == 0) {
		*out = dflt;
		return 0;
	}
	if (*text < '0' || *text > '9')
		return -1;
	errno = 0;
	v = strtol(text, &end, 10);
	if (allow_q && *end == '?' && end[1] == '\0') {
		*q = true;
		end++;
	}
	if (errno || *end || v > 1000000)
		return -1;
	*out = (int)v;
	return 0;
}

/* check_service - a service name fit for its type */
static const char *
check_service(const char *name, enum mta_master_type type)
{
	if (strlen(name) > 200)
		return "too long a service name";
	if (type == MTA_MASTER_INET) {
		const char *colon = strrchr(name, ':');

		if (colon && colon[1] == '\0')
			return "an inet service needs a port after the ':'";
		return NULL;
	}
	if (strchr(name, '/') || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return "a socket name cannot contain '/' or be . or ..";
	return NULL;
}

/* parse_columns - columns 1 to 7 of words into e; the error text or NULL */
static const char *
parse_columns(struct word *w, struct mta_master_ent *e)
{
	const char *why;
	bool q;

	for (int i = 0; i < 7; i++)
		if (w[i].braced)
			return "a { } group is allowed only among the arguments";
	if (parse_type(w[1].text, &e->type) < 0)
		return "bad type: use inet, unix, unix-dgram, fifo or pass";
	if ((why = check_service(w[0].text, e->type)) != NULL)
		return why;
	for (int i = 0; i < 5; i++)
		if (strlcpy(e->col[i], w[2 + i].text, sizeof(e->col[i])) >=
		    sizeof(e->col[i]))
			return "a column is too long";
	if (parse_yn(w[2].text, e->type != MTA_MASTER_INET, &e->private_) < 0 ||
	    parse_yn(w[3].text, true, &e->unpriv) < 0 ||
	    parse_yn(w[4].text, false, &e->chroot) < 0)
		return "bad private, unpriv or chroot column: use y, n or -";
	if (e->type == MTA_MASTER_INET && e->private_)
		return "an inet service cannot be private: write n or -";
	if (parse_count(w[5].text, 0, true, &e->wakeup, &q) < 0)
		return "bad wakeup column: use -, a number of seconds, or N?";
	e->wakeup_if_used = q;
	if (parse_count(w[6].text, -1, false, &e->maxproc, NULL) < 0)
		return "bad maxproc column: use - or a number";
	e->service = mta_strdup(w[0].text);
	return NULL;
}

/* add_option - "name=value" (or "name = value") after -o */
static const char *
add_option(struct mta_master_ent *e, const char *text)
{
	const char *eq = strchr(text, '=');
	char *name, *value;
	size_t nlen;

	if (eq == NULL)
		return "-o needs name=value after it";
	name = mta_strndup(text, (size_t)(eq - text));
	value = mta_strdup(eq + 1);
	mta_str_trim(name);
	nlen = strlen(mta_str_skip_space(name));
	if (nlen == 0 || name[strspn(name, "abcdefghijklmnopqrstuvwxyz"
				      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")]) {
		free(name);
		free(value);
		return "-o: bad parameter name (letters, digits and '_')";
	}
	e->opt_name = mta_reallocarray(e->opt_name, e->nopt + 1, sizeof(char *));
	e->opt_value = mta_reallocarray(e->opt_value, e->nopt + 1,
					sizeof(char *));
	e->opt_name[e->nopt] = name;
	e->opt_value[e->nopt] = mta_strdup(mta_str_trim(value));
	e->nopt++;
	free(value);
	return NULL;
}

/* add_arg - one argument, kept for printing and for the command line */
static void
add_arg(struct mta_master_ent *e, const char *text)
{
	e->argv = mta_reallocarray(e->argv, e->argc + 1, sizeof(char *));
	e->argv[e->argc++] = mta_strdup(text);
}

/* add_opt_arg - the last -o as "name=value", white space around '=' gone */
static void
add_opt_arg(struct mta_master_ent *e)
{
	struct mta_buf b = MTA_BUF_INIT(MTA_MASTER_LINE_MAX * 2);

	mta_buf_printf(&b, "%s=%s", e->opt_name[e->nopt - 1],
		       e->opt_value[e->nopt - 1]);
	add_arg(e, mta_buf_str(&b));
	mta_buf_release(&b);
}

/* parse_args - the command and its arguments */
static const char *
parse_args(struct word *w, size_t n, struct mta_master_ent *e)
{
	const char *why;

	e->command = mta_strdup(w[7].text);
	for (size_t i = 8; i < n; i++) {
		if (w[i].braced || strcmp(w[i].text, "-o") != 0) {
			add_arg(e, w[i].text);
			continue;
		}
		if (i + 1 >= n)
			return "-o at the end of the line: give name=value";
		if ((why = add_option(e, w[++i].text)) != NULL)
			return why;
		add_arg(e, "-o");
		add_opt_arg(e);
	}
	return NULL;
}

/* ent_release - free one entry's contents */
static void
ent_release(struct mta_master_ent *e)
{
	for (size_t i = 0; i < e->argc; i++)
		free(e->argv[i]);
	for (size_t i = 0; i < e->nopt; i++) {
		free(e->opt_name[i]);
		free(e->opt_value[i]);
	}
	free(e->argv);
	free(e->opt_name);
	free(e->opt_value);
	free(e->service);
	free(e->command);
}

/* parse_line - one logical line into a new entry of m */
static int
parse_line(struct mta_master *m, char *line, int lineno, struct mta_buf *err)
{
	struct word *w = mta_calloc(MTA_MASTER_MAXARGS, sizeof(*w));
	struct mta_master_ent e = {.lineno = lineno};
	struct mta_buf why = MTA_BUF_INIT(1024);
	const char *msg = NULL;
	size_t n;

	if (split_words(line, w, &n, &why) < 0)
		msg = mta_buf_str(&why);
	else if (n < 8)
		msg = "fewer than 8 columns: service type private unpriv "
		      "chroot wakeup maxproc command";
	else if ((msg = parse_columns(w, &e)) == NULL &&
		 (msg = parse_args(w, n, &e)) == NULL &&
		 mta_master_find(m, e.service, type_names[e.type]))
		msg = "this service and type are defined twice";
	if (msg == NULL) {
		m->ents = mta_reallocarray(m->ents, m->n + 1, sizeof(e));
		m->ents[m->n++] = e;
	} else {
		mta_buf_printf(err, "%s, line %d: %s", m->path, lineno, msg);
		ent_release(&e);
	}
	mta_buf_release(&why);
	free(w);
	return msg ? -1 : 0;
}

/* mta_master_read - every entry of an open master.cf; NULL with err */
struct mta_master *
mta_master_read(FILE *fp, const char *path, struct mta_buf *err)
{
	struct mta_master *m = mta_calloc(1, sizeof(*m));
	struct mta_line lr;
	char *line;
	int rc;

	m->path = mta_strdup(path);
	mta_line_attach(&lr, fp, path, MTA_MASTER_LINE_MAX, MTA_LINE_LOGICAL);
	while ((rc = mta_line_read(&lr, &line, NULL)) == MTA_LINE_OK)
		if (parse_line(m, line, lr.lineno, err) < 0)
			break;
	if (rc == MTA_LINE_TOOLONG)
		mta_buf_printf(err, "%s, line %d: line longer than %d bytes",
			       path, lr.lineno, MTA_MASTER_LINE_MAX);
	else if (rc == MTA_LINE_ERROR)
		mta_buf_printf(err, "read %s: %s", path, strerror(errno));
	mta_line_close(&lr);
	if (rc != MTA_LINE_EOF) {
		mta_master_free(m);
		return NULL;
	}
	return m;
}

/* mta_master_load - read the master.cf at path */
struct mta_master *
mta_master_load(const char *path, struct mta_buf *err)
{
	FILE *fp = fopen(path, "re");
	struct mta_master *m;

	if (fp == NULL) {
		mta_buf_printf(err, "open %s: %s", path, strerror(errno));
		return NULL;
	}
	m = mta_master_read(fp, path, err);
	fclose(fp);
	return m;
}

/* mta_master_free - release everything */
void
mta_master_free(struct mta_master *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n; i++)
		ent_release(&m->ents[i]);
	free(m->ents);
	free(m->path);
	free(m);
}

/* mta_master_find - the entry of service and type (type NULL: any) */
const struct mta_master_ent *
mta_master_find(const struct mta_master *m, const char *service,
		const char *type)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->ents[i].service, service) == 0 &&
		    (type == NULL ||
		     strcmp(type_names[m->ents[i].type], type) == 0))
			return &m->ents[i];
	return NULL;
}

/* add_word - an argument, in braces when it has white space or is empty */
static int
add_word(struct mta_buf *out, const char *text)
{
	if (*text && text[strcspn(text, MTA_SPACE)] == '\0')
		return mta_buf_adds(out, text);
	return mta_buf_printf(out, "{%s}", text);
}

/*
 * mta_master_format - one entry as postconf -M prints it: columns padded
 * to Postfix's widths (a long field pushes the next ones right, then the
 * columns catch up), then the command and arguments; with fold, each -o
 * on a line of its own.
 */
int
mta_master_format(const struct mta_master_ent *e, bool fold,
		  struct mta_buf *out)
{
	static const int width[7] = {10, 5, 7, 7, 7, 7, 7};
	const char *field[7] = {e->service, type_names[e->type], e->col[0],
				e->col[1], e->col[2], e->col[3], e->col[4]};
	size_t start = out->len, stop = 0;
	int rc = 0;

	for (int i = 0; i < 7; i++) {
		stop += (size_t)width[i];
		rc |= mta_buf_adds(out, field[i]);
		while (out->len - start < stop && rc == 0)
			rc |= mta_buf_addc(out, ' ');
		rc |= mta_buf_addc(out, ' ');
		stop++;
	}
	rc |= mta_buf_adds(out, e->command);
	for (size_t i = 0; i < e->argc; i++) {
		bool opt = strcmp(e->argv[i], "-o") == 0 && i + 1 < e->argc;

		rc |= mta_buf_adds(out, fold && opt ? "\n    " : " ");
		rc |= add_word(out, e->argv[i]);
		if (opt) {
			rc |= mta_buf_addc(out, ' ');
			rc |= add_word(out, e->argv[++i]);
		}
	}
	return rc ? -1 : 0;
}
