/*
 * mta-queue shape: Postfix's qshape, the queue as a table of domains by
 * age. Each column is an age bucket: the first holds messages younger
 * than one tick (-t minutes, default 5), and each next bucket doubles
 * (or, with -l, grows by one tick); the last holds everything older. The
 * rows are recipient domains (sender domains with -s), most mail first,
 * with TOTAL among them; with -p, parent domains (".example.com") that
 * have at least -m sub-domains are shown too. Files are read as qshape
 * reads them, so both count the same messages.
 */
#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "htable.h"
#include "mem.h"
#include "msg.h"
#include "mta-queue.h"
#include "str.h"

#define SHAPE_ADDR_MAX 4096
#define SHAPE_MIN_DWIDTH 18

struct shape {
	const struct mq_shape_options *opt;
	time_t now;
	struct mta_htable rows;	/* domain -> long[bnum + 1] */
	struct mta_htable subs;	/* parent domain -> long sub-domain count */
};

/* shape_rec - one record as qshape reads it (at most 3 length bytes) */
static int
shape_rec(FILE *fp, int *type, struct mta_buf *data)
{
	size_t len = 0;
	int ch, shift = 0;
	char chunk[4096];

	if ((*type = getc(fp)) == EOF || *type == '0')
		return 0;
	while ((ch = getc(fp)) != EOF) {
		len |= (size_t)(ch & 0x7f) << shift;
		if ((ch & 0x80) == 0)
			break;
		if ((shift += 7) > 14)
			return 0;
	}
	mta_buf_clear(data);
	while (len > 0) {
		size_t n = len < sizeof(chunk) ? len : sizeof(chunk);

		if (fread(chunk, 1, n, fp) != n || mta_buf_add(data, chunk, n) < 0)
			return 0;
		len -= n;
	}
	return 1;
}

/* shape_counts - the row of a domain, made on first use */
static long *
shape_counts(struct shape *s, const char *domain, bool *was_new)
{
	long *row = mta_htable_find(&s->rows, domain);

	*was_new = row == NULL;
	if (row == NULL) {
		row = mta_calloc((size_t)s->opt->buckets + 1, sizeof(long));
		mta_htable_insert(&s->rows, domain, row);
	}
	return row;
}

/* shape_domain - qshape's domain of an address, in place */
static char *
shape_domain(char *addr)
{
	char *at = strrchr(addr, '@'), *d = at ? at + 1 : addr, *w = d;
	size_t len;

	mta_str_lower(d);
	for (char *r = d; *r; r++)	/* ".." becomes "." */
		if (!(r[0] == '.' && r[1] == '.'))
			*w++ = *r;
	*w = '\0';
	if (d[0] == '.' && d[1] != '\0')
		d++;
	len = strlen(d);
	if (len > 1 && d[len - 1] == '.')
		d[len - 1] = '\0';
	return d;
}

/* shape_parent - ".b.c" for "a.b.c" or ".a.b.c"; NULL past the TLD */
static const char *
shape_parent(const char *d)
{
	const char *label = d[0] == '.' ? d + 1 : d;
	const char *dot = strchr(label, '.');

	if (label[0] == '.' || dot == NULL || dot == label ||
	    strchr(dot + 1, '.') == NULL)
		return NULL;
	return dot;
}

/* shape_count - count one address of a message in bucket b */
static void
shape_count(struct shape *s, const char *address, int b)
{
	char buf[SHAPE_ADDR_MAX];
	const char *d;
	bool was_new, child_new = false;
	long *row;

	row = shape_counts(s, "TOTAL", &was_new);
	row[0]++, row[b]++;
	strlcpy(buf, *address ? address : "MAILER-DAEMON", sizeof(buf));
	mta_str_lower(buf);
	d = *address ? shape_domain(buf) : "MAILER-DAEMON";
	for (;;) {
		row = shape_counts(s, d, &was_new);
		row[0]++, row[b]++;
		if (child_new) {
			long *n = mta_htable_find(&s->subs, d);

			if (n == NULL) {
				n = mta_calloc(1, sizeof(long));
				mta_htable_insert(&s->subs, d, n);
			}
			(*n)++;
		}
		child_new = was_new;
		if (!s->opt->parents || (d = shape_parent(d)) == NULL)
			break;
	}
}

/* shape_bucket - the age column of a message that arrived at t */
static int
shape_bucket(const struct shape *s, time_t t)
{
	double m = (double)(s->now - t) / (60.0 * s->opt->tick);
	int b;

	if (m < 1)
		return 1;
	b = s->opt->linear ? (int)(m + 1) : 2 + (int)(log(m) / log(2));
	return b < s->opt->buckets ? b : s->opt->buckets;
}

/* shape_first - qshape's start: C then T, or a maildrop-style S/F */
static int
shape_first(FILE *fp, const struct stat *st, struct mta_buf *data,
	    long long *dlen, time_t *t, struct mta_buf *sender)
{
	int type;

	if (!shape_rec(fp, &type, data))
		return -1;
	if (type == 'C') {
		long long a, b, c;

		if (sscanf(mta_buf_str(data), "%lld %lld %lld", &a, &b, &c) == 3)
			*dlen = a;
		if (!shape_rec(fp, &type, data) || type != 'T')
			return -1;
		*t = (time_t)strtoll(mta_buf_str(data), NULL, 10);
		return 0;
	}
	if (type != 'S' && type != 'F')
		return -1;
	*t = st->st_mtime;
	if (type == 'F' && (!shape_rec(fp, &type, data) || type != 'S'))
		return -1;
	mta_buf_set(sender, mta_buf_str(data));
	return 1;
}

/* shape_skip_content - from after 'M' to the 'X' record */
static int
shape_skip_content(FILE *fp, long long dlen, struct mta_buf *data)
{
	int type;

	if (dlen >= 0) {
		if (fseeko(fp, (off_t)dlen, SEEK_CUR) < 0)
			return -1;
		return shape_rec(fp, &type, data) && type == 'X' ? 0 : -1;
	}
	while (shape_rec(fp, &type, data)) {
		if (type == 'p' && atoll(mta_buf_str(data)) > 0 &&
		    fseeko(fp, atoll(mta_buf_str(data)), SEEK_SET) < 0)
			return -1;
		if (strchr("NLp", type) == NULL)
			return type == 'X' ? 0 : -1;
	}
	return -1;
}

/* shape_file - count one queue file if qshape would */
static void
shape_file(struct shape *s, const char *path, const struct stat *st)
{
	struct mta_buf data = MTA_BUF_INIT(1 << 22), sender = MTA_BUF_INIT(SHAPE_ADDR_MAX);
	struct mta_buf rcpts = MTA_BUF_INIT(1 << 22);
	long long dlen = -1;
	bool have_sender;
	time_t t = 0;
	int type, rc;
	FILE *fp;

	if (!S_ISREG(st->st_mode) || (st->st_mode & 0733) != 0700 ||
	    (fp = fopen(path, "re")) == NULL)
		return;
	rc = shape_first(fp, st, &data, &dlen, &t, &sender);
	have_sender = rc == 1;
	while (rc >= 0 && shape_rec(fp, &type, &data)) {
		if (type == 'p' && atoll(mta_buf_str(&data)) > 0 &&
		    fseeko(fp, atoll(mta_buf_str(&data)), SEEK_SET) < 0)
			break;
		if (type == 'R') {
			mta_buf_add(&rcpts, data.data ? data.data : "", data.len + 1);
		} else if (type == 'S') {
			mta_buf_set(&sender, mta_buf_str(&data));
			have_sender = true;
		} else if (type == 'M') {
			if (!have_sender || shape_skip_content(fp, dlen, &data) < 0)
				break;
		} else if (type == 'E') {
			if (!have_sender || rcpts.len == 0)
				break;
			int b = shape_bucket(s, t);

			if (s->opt->senders)
				shape_count(s, mta_buf_str(&sender), b);
			else
				for (size_t i = 0; i < rcpts.len;
				     i += strlen(rcpts.data + i) + 1)
					shape_count(s, rcpts.data + i, b);
			break;
		}
	}
	fclose(fp);
	mta_buf_release(&data);
	mta_buf_release(&sender);
	mta_buf_release(&rcpts);
}

/* shape_name_ok - qshape's file name test: six or more letters/digits */
static bool
shape_name_ok(const char *name)
{
	size_t n = strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				"abcdefghijklmnopqrstuvwxyz0123456789");

	return n >= 6 && name[n] == '\0';
}

/* shape_walk - every file below one queue directory */
static void
shape_walk(struct shape *s, const char *dir)
{
	char *paths[] = {(char *)dir, NULL};
	FTS *fts = fts_open(paths, FTS_PHYSICAL | FTS_NOCHDIR, NULL);
	FTSENT *e;

	if (fts == NULL)
		return;
	while ((e = fts_read(fts)) != NULL)
		if (e->fts_info == FTS_F && shape_name_ok(e->fts_name))
			shape_file(s, e->fts_path, e->fts_statp);
	fts_close(fts);
}

/* by_count - most mail first, then shorter names; then by name */
static int
by_count(const void *a, const void *b)
{
	const struct mta_htable_entry *x = *(const void *const *)a;
	const struct mta_htable_entry *y = *(const void *const *)b;
	long cx = ((long *)x->value)[0], cy = ((long *)y->value)[0];
	size_t lx = strlen(x->key), ly = strlen(y->key);

	if (cx != cy)
		return cx > cy ? -1 : 1;
	if (lx != ly)
		return lx < ly ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* shape_row - one line: the name in dw columns, then the cells */
static void
shape_row(const char *name, int dw, char *const *cells, const int *widths,
	  int ncols)
{
	int len = (int)strlen(name);

	if (len > dw && name[0] == '.')
		printf(".+%s", name + len - dw + 2);
	else if (len > dw)
		printf("+%s", name + len - dw + 1);
	else
		printf("%*s%s", dw - len, "", name);
	for (int i = 0; i < ncols; i++)
		printf("%*s", widths[i], cells[i]);
	putchar('\n');
}

/* shape_print - the heading and the rows, laid out as qshape does */
static void
shape_print(struct shape *s)
{
	const struct mq_shape_options *o = s->opt;
	int n = o->buckets + 1, dw = o->width, *widths = mta_calloc((size_t)n, sizeof(int));
	char **cells = mta_calloc((size_t)n, sizeof(char *));
	long *total, t = 0;
	bool was_new;
	size_t pos = 0, count = 0;
	struct mta_htable_entry *e, **rows;

	total = shape_counts(s, "TOTAL", &was_new);
	for (int i = 0; i < n; i++) {
		char num[32];
		int l;

		cells[i] = mta_malloc(32);
		if (i == 0)
			snprintf(cells[i], 32, "T");
		else if (i < o->buckets)
			snprintf(cells[i], 32, "%ld", t);
		else
			snprintf(cells[i], 32, "%ld+", t);
		l = snprintf(num, sizeof(num), "%ld", total[i]);
		if ((int)strlen(cells[i]) >= l)
			l = (int)strlen(cells[i]);
		widths[i] = l > 2 ? l + 1 : 3;
		dw -= widths[i];
		if (i + 1 < o->buckets)
			t += (t && !o->linear) ? t : o->tick;
	}
	if (dw < SHAPE_MIN_DWIDTH)
		dw = SHAPE_MIN_DWIDTH;
	shape_row("", dw, cells, widths, n);
	rows = mta_calloc(s->rows.count, sizeof(*rows));
	while ((e = mta_htable_next(&s->rows, &pos)) != NULL)
		rows[count++] = e;
	qsort(rows, count, sizeof(*rows), by_count);
	for (size_t r = 0; r < count; r++) {
		long *sub = mta_htable_find(&s->subs, rows[r]->key);
		long *row = rows[r]->value;

		if (rows[r]->key[0] == '.' && (sub ? *sub : 0) < o->min_subdomains)
			continue;
		for (int i = 0; i < n; i++)
			snprintf(cells[i], 32, "%ld", row[i]);
		shape_row(rows[r]->key, dw, cells, widths, n);
	}
	for (int i = 0; i < n; i++)
		free(cells[i]);
	free(cells);
	free(widths);
	free(rows);
}

/* mq_shape - the table for the named queues (default incoming, active) */
int
mq_shape(struct mta_spool *sp, const struct mq_shape_options *opt,
	 const char *const *queues)
{
	static const char *const defaults[] = {MTA_QUEUE_INCOMING,
					       MTA_QUEUE_ACTIVE, NULL};
	struct shape s = {opt, time(NULL), {0}, {0}};
	char dir[4096];

	mta_htable_init(&s.rows, free);
	mta_htable_init(&s.subs, free);
	for (queues = queues && *queues ? queues : defaults; *queues; queues++) {
		if ((*queues)[0] == '/')
			strlcpy(dir, *queues, sizeof(dir));
		else
			snprintf(dir, sizeof(dir), "%s/%s", sp->dir, *queues);
		shape_walk(&s, dir);
	}
	shape_print(&s);
	mta_htable_release(&s.rows);
	mta_htable_release(&s.subs);
	return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}
