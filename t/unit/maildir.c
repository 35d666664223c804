/* Unit tests for lib/maildir. */
#include <dirent.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "maildir.h"
#include "tap.h"

struct src {
	const char *const *pieces;
	size_t pos;
	int fail_at;
};

/* src_read - the mta_msg_read_fn of a test message */
static int
src_read(void *ctx, const char **data, size_t *len, bool *more)
{
	struct src *s = ctx;

	if ((int)s->pos == s->fail_at) {
		errno = EIO;
		return -1;
	}
	if (s->pieces[s->pos] == NULL)
		return 0;
	*data = s->pieces[s->pos];
	*len = strlen(*data);
	*more = false;
	s->pos++;
	return 1;
}

static char tmpdir[] = "/tmp/mta-maildir-XXXXXX";

static const char *
tpath(const char *name)
{
	static char buf[8][512];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

static int
count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	if (d)
		closedir(d);
	return d ? n : -1;
}

static char *
slurp(const char *path)
{
	static char buf[65536];
	FILE *fp = fopen(path, "r");
	size_t n = fp ? fread(buf, 1, sizeof(buf) - 1, fp) : 0;

	buf[n] = 0;
	if (fp)
		fclose(fp);
	return fp ? buf : NULL;
}

static int
deliver(const char *dir, const char *const *pieces, int fail_at,
	const struct mta_maildir_opts *opts, struct mta_buf *made,
	struct mta_dstatus *st)
{
	struct src s = { .pieces = pieces, .fail_at = fail_at };
	struct mta_envelope env = {
		.sender = "s@example.com", .orig_rcpt = "orig@example.com",
		.delivered = "rcpt@example.com", .read = src_read,
		.read_ctx = &s,
	};

	return mta_maildir_deliver(dir, &env, opts, made, st);
}

static const char *const msg1[] = { "Subject: one", "", "From here", NULL };
static const char *const msg2[] = { "Subject: two", "", "second", NULL };

static void
test_deliver(void)
{
	struct mta_maildir_opts o;
	struct mta_dstatus st;
	struct mta_buf made = MTA_BUF_INIT(4096), first = MTA_BUF_INIT(4096);
	struct stat sb;
	regex_t re;

	mta_maildir_opts_init(&o);
	o.hostname = "host/a:b";
	is_int(deliver(tpath("Maildir"), msg1, -1, &o, &first, &st), 0,
	       "delivered into a new Maildir");
	is_str(st.dsn, "2.0.0", "status 2.0.0");
	is_int(deliver(tpath("Maildir"), msg2, -1, &o, &made, &st), 0,
	       "second message");
	ok(strcmp(first.data, made.data) != 0, "two distinct names");
	ok(stat(tpath("Maildir/cur"), &sb) == 0 && S_ISDIR(sb.st_mode) &&
	   (sb.st_mode & 07777) == 0700, "cur/ made 0700");
	ok(stat(tpath("Maildir"), &sb) == 0 && (sb.st_mode & 07777) == 0700,
	   "Maildir made 0700");
	is_int(count_entries(tpath("Maildir/new")), 2, "two files in new/");
	is_int(count_entries(tpath("Maildir/tmp")), 0, "tmp/ left empty");
	ok(stat(first.data, &sb) == 0 && (sb.st_mode & 07777) == 0600 &&
	   sb.st_nlink == 1, "file 0600, one link");
	regcomp(&re, "/new/[0-9]+\\.M[0-9]+P[0-9]+Q[0-9]+\\.host\\\\057a\\\\072b$",
		REG_EXTENDED | REG_NOSUB);
	ok(regexec(&re, first.data, 0, NULL, 0) == 0,
	   "name TIME.MusecPpidQn.HOST with / and : escaped");
	regfree(&re);
	is_str(slurp(first.data),
	       "Return-Path: <s@example.com>\n"
	       "X-Original-To: orig@example.com\n"
	       "Delivered-To: rcpt@example.com\n"
	       "Subject: one\n\nFrom here\n",
	       "headers, no From_ line, no quoting, no blank line");
	mta_buf_release(&made);
	mta_buf_release(&first);
}

static void
test_errors(void)
{
	struct mta_maildir_opts o;
	struct mta_dstatus st;
	FILE *fp;

	mta_maildir_opts_init(&o);
	is_int(deliver(tpath("Maildir"), msg1, 2, &o, NULL, &st), -1,
	       "read error: not delivered");
	is_int(st.status, MTA_DSTAT_DEFER, "read error: defer");
	is_int(count_entries(tpath("Maildir/new")), 2, "new/ unchanged");
	is_int(count_entries(tpath("Maildir/tmp")), 0, "tmp/ cleaned up");

	fp = fopen(tpath("notadir"), "w");
	if (fp)
		fclose(fp);
	is_int(deliver(tpath("notadir"), msg1, -1, &o, NULL, &st), -1,
	       "Maildir that is a file: not delivered");
	is_int(st.status, MTA_DSTAT_DEFER, "not a directory: defer");
	ok(strstr(st.text, "Not a directory") != NULL, "says why");
	mkdir(tpath("half"), 0700);
	fp = fopen(tpath("half/new"), "w");
	if (fp)
		fclose(fp);
	is_int(deliver(tpath("half"), msg1, -1, &o, NULL, &st), -1,
	       "new/ that is a file: not delivered");
	ok(strstr(st.text, "half/new") != NULL, "names the culprit");
}

static void
test_owner(void)
{
	struct mta_maildir_opts o;
	struct mta_dstatus st;
	struct mta_buf made = MTA_BUF_INIT(4096);
	struct stat sb;

	if (geteuid() != 0) {
		for (int i = 0; i < 3; i++)
			printf("ok %d # skip needs root\n", ++tap_count);
		return;
	}
	mta_maildir_opts_init(&o);
	o.uid = 1;
	o.gid = 1;
	is_int(deliver(tpath("owned"), msg1, -1, &o, &made, &st), 0,
	       "delivered for uid 1");
	ok(stat(tpath("owned/new"), &sb) == 0 && sb.st_uid == 1,
	   "directories given to the recipient");
	ok(stat(made.data, &sb) == 0 && sb.st_uid == 1 && sb.st_gid == 1,
	   "file given to the recipient");
	mta_buf_release(&made);
}

/* A real reader: Python's mailbox module reads what we wrote. */
static void
test_python(void)
{
	char cmd[1024], out[4096] = "";
	FILE *fp;
	size_t n;

	if (system("python3 -c 'import mailbox' 2>/dev/null") != 0) {
		printf("ok %d # skip python3 is missing\n", ++tap_count);
		return;
	}
	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import mailbox,sys\n"
		 "ms = sorted(mailbox.Maildir(sys.argv[1], create=False),"
		 " key=lambda m: m[\"Subject\"])\n"
		 "for m in ms:\n"
		 "  print(m[\"Subject\"], repr(m.get_payload()),"
		 " m[\"Delivered-To\"], m.get_subdir())' %s", tpath("Maildir"));
	if ((fp = popen(cmd, "r")) != NULL) {
		n = fread(out, 1, sizeof(out) - 1, fp);
		out[n] = 0;
		pclose(fp);
	}
	is_str(out,
	       "one 'From here\\n' rcpt@example.com new\n"
	       "two 'second\\n' rcpt@example.com new\n",
	       "python3 mailbox.Maildir reads both messages");
}

int
main(void)
{
	char cmd[600];

	if (mkdtemp(tmpdir) == NULL)
		return 1;
	test_deliver();
	test_errors();
	test_owner();
	test_python();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		return 1;
	return done_testing();
}
