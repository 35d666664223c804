/* mastercf - master.cf columns, defaults, -o, braces, errors, printing. */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "mastercf.h"
#include "tap.h"

/* parse - master.cf from text; NULL with err */
static struct mta_master *
parse(const char *text, struct mta_buf *err)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	struct mta_master *m;

	mta_buf_clear(err);
	m = mta_master_read(fp, "master.cf", err);
	fclose(fp);
	return m;
}

/* format - one entry as postconf -M prints it */
static const char *
format(const struct mta_master_ent *e, bool fold)
{
	static struct mta_buf b = MTA_BUF_INIT(65536);

	mta_buf_clear(&b);
	mta_master_format(e, fold, &b);
	return mta_buf_str(&b);
}

/* test_good - a master.cf with every feature */
static void
test_good(void)
{
	struct mta_buf err = MTA_BUF_INIT(4096);
	struct mta_master *m = parse(
		"# comment\n"
		"smtp      inet  n       -       y       -       -       smtpd\n"
		"  -o smtpd_banner=hello\n"
		"  -o { smtpd_client_restrictions = permit_mynetworks, reject }\n"
		"127.0.0.1:2525 inet n - - - 10 smtpd -v\n"
		"pickup fifo n - n 60 1 pickup\n"
		"qmgr fifo n - n 300? 1 qmgr\n"
		"local unix - n n - - local { a b }\n", &err);
	const struct mta_master_ent *e;

	ok(m != NULL, "parses");
	if (m == NULL) {
		printf("# %s\n", err.data);
		return;
	}
	is_int(m->n, 5, "five entries");
	e = mta_master_find(m, "smtp", "inet");
	ok(e && !e->private_ && e->unpriv && e->chroot && e->maxproc == -1, "columns");
	is_int(e->nopt, 2, "two -o");
	is_str(e->opt_name[1], "smtpd_client_restrictions", "braced -o name");
	is_str(e->opt_value[1], "permit_mynetworks, reject", "braced -o value, trimmed");
	is_str(format(e, false),
	       "smtp       inet  n       -       y       -       -       smtpd -o smtpd_banner=hello "
	       "-o {smtpd_client_restrictions=permit_mynetworks, reject}", "printed as postconf -M");
	is_str(format(e, true),
	       "smtp       inet  n       -       y       -       -       smtpd\n    -o smtpd_banner=hello\n"
	       "    -o {smtpd_client_restrictions=permit_mynetworks, reject}", "folded as postconf -Mf");
	e = mta_master_find(m, "127.0.0.1:2525", NULL);
	ok(e && e->maxproc == 10 && !e->chroot && e->argc == 1, "host:port service");
	is_str(format(e, false), "127.0.0.1:2525 inet n    -       -       -       10      smtpd -v",
	       "a long name pushes the columns, which catch up");
	e = mta_master_find(m, "qmgr", "fifo");
	ok(e && e->wakeup == 300 && e->wakeup_if_used && !e->private_, "wakeup with ?");
	e = mta_master_find(m, "local", "unix");
	ok(e && !e->unpriv && e->argc == 1 && strcmp(e->argv[0], "a b") == 0, "brace group argument");
	ok(mta_master_find(m, "local", "inet") == NULL, "find by type");
	mta_master_free(m);
	mta_buf_release(&err);
}

/* bad - the text is refused with a message containing want */
static void
bad(const char *text, const char *want, const char *what)
{
	struct mta_buf err = MTA_BUF_INIT(4096);
	struct mta_master *m = parse(text, &err);

	ok(m == NULL && err.data && strstr(err.data, want), what);
	if (m == NULL && err.data && !strstr(err.data, want))
		printf("# got: %s\n", err.data);
	mta_master_free(m);
	mta_buf_release(&err);
}

int
main(void)
{
	test_good();
	bad("smtp inet - - - - -\n", "line 1: fewer than 8", "too few columns");
	bad("smtp bogus - - - - - smtpd\n", "bad type", "bad type");
	bad("smtp inet y - - - - smtpd\n", "cannot be private", "private inet");
	bad("smtp inet - x - - - smtpd\n", "use y, n or -", "bad y/n");
	bad("smtp inet - - - 1x - smtpd\n", "wakeup", "bad wakeup");
	bad("smtp inet - - - - many smtpd\n", "maxproc", "bad maxproc");
	bad("a unix - - - - - x\nb unix - - - - - x\na unix - - - - - y\n",
	    "line 3: this service and type are defined twice", "duplicate");
	bad("a/b unix - - - - - x\n", "'/'", "slash in a socket name");
	bad("a unix - - - - - x -o\n", "-o at the end", "dangling -o");
	bad("a unix - - - - - x -o novalue\n", "name=value", "-o without =");
	bad("a unix - - - - - x { open\n", "'{' without", "unclosed brace");
	bad("a unix {-} - - - - x\n", "only among the arguments", "brace in a column");
	return done_testing();
}
