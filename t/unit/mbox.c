/* Unit tests for lib/mbox (and the copy of lib/deliver). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mbox.h"
#include "tap.h"

/* A message as pieces; a piece ending in '\\' continues the line. */
struct src {
	const char *const *pieces;
	size_t pos;
	char piece[8192];
	int fail_at;	/* return -1 (EIO) at this piece; -1: never */
};

/* src_read - the mta_msg_read_fn of a test message */
static int
src_read(void *ctx, const char **data, size_t *len, bool *more)
{
	struct src *s = ctx;
	size_t n;

	if ((int)s->pos == s->fail_at) {
		errno = EIO;
		return -1;
	}
	if (s->pieces[s->pos] == NULL)
		return 0;
	n = strlen(s->pieces[s->pos]);
	*more = n > 0 && s->pieces[s->pos][n - 1] == '\\';
	if (*more)
		n--;
	memcpy(s->piece, s->pieces[s->pos], n);
	*data = s->piece;
	*len = n;
	s->pos++;
	return 1;
}

static char tmpdir[] = "/tmp/mta-mbox-XXXXXX";

static const char *
tpath(const char *name)
{
	static char buf[8][512];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

static char *
slurp(const char *path)
{
	static char buf[1 << 20];
	FILE *fp = fopen(path, "r");
	size_t n = fp ? fread(buf, 1, sizeof(buf) - 1, fp) : 0;

	buf[n] = 0;
	if (fp)
		fclose(fp);
	return fp ? buf : NULL;
}

static off_t
fsize(const char *path)
{
	struct stat st;

	return stat(path, &st) < 0 ? -1 : st.st_size;
}

/* deliver - one message to path; the status in *st */
static int
deliver(const char *path, const char *sender, const char *const *pieces,
	int fail_at, const struct mta_mbox_opts *opts, struct mta_dstatus *st)
{
	struct src s = { .pieces = pieces, .fail_at = fail_at };
	struct mta_envelope env = {
		.sender = sender, .orig_rcpt = "orig@example.com",
		.delivered = "rcpt@example.com", .read = src_read,
		.read_ctx = &s, .now = 86400 * 365,
	};

	return mta_mbox_deliver(path, &env, opts, st);
}

static struct mta_mbox_opts
fast_opts(void)
{
	struct mta_mbox_opts o;

	mta_mbox_opts_init(&o);
	o.lock_attempts = 3;
	o.lock_delay_ms = 20;
	return o;
}

static const char *const msg1[] = {
	"Subject: one", "From: a@example.com", "", "body", "From here",
	"From ", ">From quoted", " From x", "Fromage", "From the end", NULL,
};

static void
test_format(void)
{
	struct mta_mbox_opts o = fast_opts();
	struct mta_dstatus st;
	const char *const msg2[] = { "Subject: two", "", "long \\",
				     "From not quoted", "last \\", NULL };
	struct stat sb;

	is_int(deliver(tpath("mbox"), "s@example.com", msg1, -1, &o, &st), 0,
	       "first message delivered");
	is_int(st.status, MTA_DSTAT_OK, "status ok");
	is_str(st.dsn, "2.0.0", "dsn 2.0.0");
	is_str(st.text, "delivered to mailbox", "text");
	ok(stat(tpath("mbox"), &sb) == 0 && (sb.st_mode & 07777) == 0600,
	   "created 0600");
	ok(stat(tpath("mbox.lock"), &sb) < 0, "dot-lock removed");
	is_int(deliver(tpath("mbox"), "", msg2, -1, &o, &st), 0,
	       "second message delivered");
	is_str(slurp(tpath("mbox")),
	       "From s@example.com  Fri Jan  1 00:00:00 1971\n"
	       "Return-Path: <s@example.com>\n"
	       "X-Original-To: orig@example.com\n"
	       "Delivered-To: rcpt@example.com\n"
	       "Subject: one\nFrom: a@example.com\n\nbody\n>From here\n"
	       ">From \n>From quoted\n From x\nFromage\n>From the end\n\n"
	       "From MAILER-DAEMON  Fri Jan  1 00:00:00 1971\n"
	       "Return-Path: <>\n"
	       "X-Original-To: orig@example.com\n"
	       "Delivered-To: rcpt@example.com\n"
	       "Subject: two\n\nlong From not quoted\nlast \n\n",
	       "From_ lines, headers, quoting only of \"From \", blank lines");
}

static void
test_quoting_sender(void)
{
	struct mta_mbox_opts o = fast_opts();
	struct mta_dstatus st;
	const char *const msg[] = { "Subject: q", NULL };
	const char *got;

	deliver(tpath("quoted"), "a b@example.com", msg, -1, &o, &st);
	got = slurp(tpath("quoted"));
	ok(got && strncmp(got, "From \"a b\"@example.com  ", 24) == 0,
	   "sender in external form in the From_ line");
	ok(got && strstr(got, "Return-Path: <\"a b\"@example.com>\n"),
	   "and in Return-Path");
}

static void
test_refusals(void)
{
	struct mta_mbox_opts o = fast_opts();
	struct mta_dstatus st;
	const char *const msg[] = { "Subject: x", NULL };
	time_t t0;

	if (symlink(tpath("target"), tpath("link")) < 0)
		perror("symlink");
	is_int(deliver(tpath("link"), "s", msg, -1, &o, &st), -1,
	       "symlink refused");
	is_int(st.status, MTA_DSTAT_DEFER, "symlink: defer");
	ok(strstr(st.text, "symbolic link") != NULL, "symlink: says why");
	ok(fsize(tpath("target")) < 0, "symlink target not created");

	mkdir(tpath("dir"), 0700);
	is_int(deliver(tpath("dir"), "s", msg, -1, &o, &st), -1,
	       "directory refused");
	ok(strstr(st.text, "directory") != NULL, "directory: says why");

	mkfifo(tpath("fifo"), 0600);
	t0 = time(NULL);
	is_int(deliver(tpath("fifo"), "s", msg, -1, &o, &st), -1,
	       "FIFO refused");
	ok(time(NULL) - t0 < 5, "FIFO: no hang");
	is_int(st.status, MTA_DSTAT_DEFER, "FIFO: defer");
}

static void
test_links(void)
{
	struct mta_mbox_opts o = fast_opts();
	struct mta_dstatus st;
	const char *const msg[] = { "Subject: x", NULL };

	deliver(tpath("linked"), "s", msg, -1, &o, &st);
	if (link(tpath("linked"), tpath("linked2")) < 0)
		perror("link");
	if (geteuid() == 0 && chown(tpath("linked"), 1, 1) < 0)
		perror("chown");
	off_t size = fsize(tpath("linked"));
	is_int(deliver(tpath("linked"), "s", msg, -1, &o, &st), -1,
	       "file with two links (not root's) refused");
	ok(strstr(st.text, "hard link") != NULL, "hard link: says why");
	is_int(fsize(tpath("linked")), size, "hard link: file untouched");
	if (geteuid() != 0) {
		printf("ok %d # skip needs root\n", ++tap_count);
		return;
	}
	if (chown(tpath("linked"), 0, 0) < 0)
		perror("chown");
	is_int(deliver(tpath("linked"), "s", msg, -1, &o, &st), 0,
	       "two links allowed when root owns the file");
}

static void
test_owner(void)
{
	struct mta_mbox_opts o = fast_opts();
	struct mta_dstatus st;
	const char *const msg[] = { "Subject: x", NULL };
	struct stat sb;

	if (geteuid() != 0) {
		for (int i = 0; i < 4; i++)
			printf("ok %d # skip needs root\n", ++tap_count);
		return;
	}
	o.uid = 1;
	o.gid = 1;
	o.check_owner = true;
	is_int(deliver(tpath("owned"), "s", msg, -1, &o, &st), 0,
	       "new mailbox for uid 1");
	ok(stat(tpath("owned"), &sb) == 0 && sb.st_uid == 1 && sb.st_gid == 1,
	   "created owned by the recipient");
	o.uid = 2;
	is_int(deliver(tpath("owned"), "s", msg, -1, &o, &st), -1,
	       "mailbox of another user refused");
	ok(strstr(st.text, "not owned by the recipient") != NULL,
	   "owner: says why");
}

static void
test_dotlock(void)
{
	struct mta_mbox_opts o = fast_opts();
	struct mta_dstatus st;
	const char *const msg[] = { "Subject: x", NULL };
	struct timeval old[2] = { { time(NULL) - 3600, 0 },
				  { time(NULL) - 3600, 0 } };
	struct timeval t0, t1;
	int fd;

	fd = open(tpath("locked.lock"), O_CREAT | O_WRONLY, 0600);
	close(fd);
	gettimeofday(&t0, NULL);
	is_int(deliver(tpath("locked"), "s", msg, -1, &o, &st), -1,
	       "dot-locked mailbox: not delivered");
	gettimeofday(&t1, NULL);
	is_int(st.status, MTA_DSTAT_DEFER, "dot-lock busy: defer");
	is_str(st.dsn, "4.2.0", "dot-lock busy: 4.2.0");
	ok(strstr(st.text, "locked by another process") != NULL,
	   "dot-lock busy: says why");
	ok(fsize(tpath("locked.lock")) == 0, "someone else's lock left alone");
	ok(fsize(tpath("locked")) < 0, "mailbox not created");
	ok(t1.tv_sec - t0.tv_sec < 3, "bounded wait");
	utimes(tpath("locked.lock"), old);
	is_int(deliver(tpath("locked"), "s", msg, -1, &o, &st), 0,
	       "stale dot-lock removed, delivered");
	ok(fsize(tpath("locked.lock")) < 0, "no lock left");
}

static void
test_fcntl(void)
{
	struct mta_mbox_opts o = fast_opts();
	struct mta_dstatus st;
	const char *const msg[] = { "Subject: x", NULL };
	int p[2], fd, status;
	char c;
	pid_t pid;

	deliver(tpath("flocked"), "s", msg, -1, &o, &st);
	if (pipe(p) < 0)
		return;
	if ((pid = fork()) == 0) {
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

		fd = open(tpath("flocked"), O_WRONLY);
		fcntl(fd, F_SETLKW, &fl);
		if (write(p[1], "x", 1) < 0)
			_exit(1);
		sleep(10);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1)
		c = 0;
	off_t size = fsize(tpath("flocked"));
	is_int(deliver(tpath("flocked"), "s", msg, -1, &o, &st), -1,
	       "fcntl-locked mailbox: not delivered");
	ok(strstr(st.text, "cannot lock") != NULL, "fcntl lock: says why");
	is_int(st.status, MTA_DSTAT_DEFER, "fcntl lock: defer");
	is_int(fsize(tpath("flocked")), size, "fcntl lock: file untouched");
	ok(fsize(tpath("flocked.lock")) < 0, "our dot-lock removed");
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(p[0]);
}

static void
test_errors(void)
{
	struct mta_mbox_opts o = fast_opts();
	struct mta_dstatus st;
	static char big[6000];
	const char *const msgbig[] = { "Subject: big", "", big, big, NULL };
	struct rlimit old, lim;
	off_t size;

	memset(big, 'x', sizeof(big) - 1);
	deliver(tpath("err"), "s", msg1, -1, &o, &st);
	size = fsize(tpath("err"));
	is_int(deliver(tpath("err"), "s", msg1, 5, &o, &st), -1,
	       "read error: not delivered");
	is_int(st.status, MTA_DSTAT_DEFER, "read error: defer");
	ok(strstr(st.text, "error reading message") != NULL,
	   "read error: says why");
	is_int(fsize(tpath("err")), size, "read error: truncated back");

	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = (rlim_t)size + 5000;
	signal(SIGXFSZ, SIG_IGN);
	setrlimit(RLIMIT_FSIZE, &lim);
	is_int(deliver(tpath("err"), "s", msgbig, -1, &o, &st), -1,
	       "write error (file size limit): not delivered");
	setrlimit(RLIMIT_FSIZE, &old);
	is_int(fsize(tpath("err")), size, "write error: truncated back");
	is_str(st.dsn, "5.2.2", "file too large: 5.2.2 as Postfix");
	ok(strstr(st.text, "File too large") != NULL, "errno text given");
	is_int(deliver(tpath("err"), "s", msgbig, -1, &o, &st), 0,
	       "delivered once the limit is gone");
}

static void
test_devnull_and_path(void)
{
	struct mta_mbox_opts o = fast_opts();
	struct mta_dstatus st;
	struct mta_buf b = MTA_BUF_INIT(4096);
	struct stat sb;

	if (stat("/dev/null", &sb) == 0 && sb.st_uid == 0) {
		is_int(deliver("/dev/null", "s", msg1, -1, &o, &st), 0,
		       "/dev/null takes the message");
		ok(stat("/dev/null.lock", &sb) < 0, "no lock made in /dev");
	} else {
		printf("ok %d # skip /dev/null not root's\n", ++tap_count);
		printf("ok %d # skip /dev/null not root's\n", ++tap_count);
	}
	is_int(mta_mbox_path(&b, "/var/mail", "bob"), 0, "spool path");
	is_str(b.data, "/var/mail/bob", "spool path text");
	is_int(mta_mbox_path(&b, "/var/mail", "../etc/passwd"), -1,
	       "user with a slash refused");
	is_int(mta_mbox_path(&b, "/var/mail", ".."), -1, "'..' refused");
	is_int(mta_mbox_path(&b, "/var/mail", ""), -1, "empty user refused");
	mta_buf_release(&b);
}

/* A real reader: Python's mailbox module reads what we wrote. */
static void
test_python(void)
{
	struct mta_mbox_opts o = fast_opts();
	struct mta_dstatus st;
	const char *const msg2[] = { "Subject: two", "", "second body", NULL };
	char cmd[1024], out[4096] = "";
	FILE *fp;
	size_t n;

	if (system("python3 -c 'import mailbox' 2>/dev/null") != 0) {
		printf("ok %d # skip python3 is missing\n", ++tap_count);
		return;
	}
	deliver(tpath("py"), "s@example.com", msg1, -1, &o, &st);
	deliver(tpath("py"), "", msg2, -1, &o, &st);
	deliver(tpath("py"), "t@example.com", msg1, -1, &o, &st);
	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import mailbox,sys\n"
		 "for m in mailbox.mbox(sys.argv[1]):\n"
		 "  print(m[\"Subject\"], m.get_from(), repr(m.get_payload()),"
		 " m[\"Return-Path\"])' %s", tpath("py"));
	if ((fp = popen(cmd, "r")) != NULL) {
		n = fread(out, 1, sizeof(out) - 1, fp);
		out[n] = 0;
		pclose(fp);
	}
	is_str(out,
	       "one s@example.com  Fri Jan  1 00:00:00 1971 'body\\n>From here"
	       "\\n>From \\n>From quoted\\n From x\\nFromage\\n>From the end\\n"
	       "' <s@example.com>\n"
	       "two MAILER-DAEMON  Fri Jan  1 00:00:00 1971 'second body\\n'"
	       " <>\n"
	       "one t@example.com  Fri Jan  1 00:00:00 1971 'body\\n>From here"
	       "\\n>From \\n>From quoted\\n From x\\nFromage\\n>From the end\\n"
	       "' <t@example.com>\n",
	       "python3 mailbox.mbox reads three messages back");
}

int
main(void)
{
	char cmd[600];

	setenv("TZ", "UTC", 1);
	tzset();
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	test_format();
	test_quoting_sender();
	test_refusals();
	test_links();
	test_owner();
	test_dotlock();
	test_fcntl();
	test_errors();
	test_devnull_and_path();
	test_python();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		return 1;
	return done_testing();
}
