/* Unit tests for lib/pipe: commands, their environment, their status. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pipe.h"
#include "tap.h"

struct src {
	const char *const *pieces;
	size_t pos;
	int fail_at;
	size_t big;	/* then this many lines of filler */
};

/* src_read - the mta_msg_read_fn of a test message */
static int
src_read(void *ctx, const char **data, size_t *len, bool *more)
{
	static const char filler[] = "0123456789012345678901234567890123456789";
	struct src *s = ctx;

	*more = false;
	if ((int)s->pos == s->fail_at) {
		errno = EIO;
		return -1;
	}
	if (s->pieces[s->pos] != NULL) {
		*data = s->pieces[s->pos++];
		*len = strlen(*data);
		return 1;
	}
	if (s->big == 0)
		return 0;
	s->big--;
	*data = filler;
	*len = sizeof(filler) - 1;
	return 1;
}

static char tmpdir[] = "/tmp/mta-pipe-XXXXXX";

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

static const char *const msg[] = { "Subject: hi", "", "From here", NULL };

static const char hostile[] =
	"a$(touch /tmp/mta-pipe-pwned)`id`;|&<>'\"\\ b@example.com";

/* run - one command with the test message; big: filler lines */
static int
run(const char *command, const struct mta_pipe_opts *opts, int fail_at,
    size_t big, struct mta_dstatus *st)
{
	struct src s = { .pieces = msg, .fail_at = fail_at, .big = big };
	struct mta_envelope env = {
		.sender = "s@example.com", .orig_rcpt = "orig@example.com",
		.delivered = "rcpt@example.com", .read = src_read,
		.read_ctx = &s, .now = 0,
	};
	struct mta_pipe_vars vars = {
		.home = "/home/bob", .user = "bob", .shell = "/bin/sh",
		.sender = hostile, .recipient = "bob+ext@example.com",
		.local = "bob+ext", .domain = "example.com", .extension = "ext",
		.original_recipient = "Bob@Example.com",
	};

	return mta_pipe_deliver(command, &env, &vars, opts, st);
}

static void
test_stdin_env(const struct mta_pipe_opts *o)
{
	struct mta_dstatus st;
	char cmd[1024], path[600];
	const char *got;

	snprintf(cmd, sizeof(cmd), "cat > %s/in", tmpdir);
	is_int(run(cmd, o, -1, 0, &st), 0, "cat: delivered");
	is_str(st.dsn, "2.0.0", "cat: 2.0.0");
	snprintf(path, sizeof(path), "%s/in", tmpdir);
	got = slurp(path);
	ok(got && strncmp(got, "From s@example.com  ", 20) == 0,
	   "stdin starts with the From_ line");
	ok(got && strstr(got, "\nReturn-Path: <s@example.com>\n"
			      "X-Original-To: orig@example.com\n"
			      "Delivered-To: rcpt@example.com\n"
			      "Subject: hi\n\nFrom here\n") &&
	   got[strlen(got) - 2] == 'e',
	   "headers, no quoting, no blank line at the end");

	setenv("MTA_PIPE_SECRET", "leak", 1);
	setenv("TZ", "UTC", 1);
	snprintf(cmd, sizeof(cmd), "env | sort > %s/env", tmpdir);
	is_int(run(cmd, o, -1, 0, &st), 0, "env: delivered");
	snprintf(path, sizeof(path), "%s/env", tmpdir);
	got = slurp(path);
	ok(strstr(got, "SENDER=a__touch_/tmp/mta-pipe-pwned__id__________"
		       "b@example.com\n") != NULL,
	   "SENDER censored to the safe character set");
	ok(strstr(got, "RECIPIENT=bob+ext@example.com\n") &&
	   strstr(got, "EXTENSION=ext\n") && strstr(got, "LOCAL=bob+ext\n") &&
	   strstr(got, "DOMAIN=example.com\n") &&
	   strstr(got, "USER=bob\n") && strstr(got, "LOGNAME=bob\n") &&
	   strstr(got, "HOME=/home/bob\n") &&
	   strstr(got, "ORIGINAL_RECIPIENT=Bob@Example.com\n") &&
	   strstr(got, "SHELL=/bin/sh\n"), "Postfix's variable names");
	ok(strstr(got, "TZ=UTC\n") != NULL, "export_environment: TZ");
	ok(strstr(got, "MTA_PIPE_SECRET") == NULL, "nothing else leaks in");
	ok(access("/tmp/mta-pipe-pwned", F_OK) < 0,
	   "hostile sender ran nothing");
}

static void
test_status(const struct mta_pipe_opts *o)
{
	struct mta_dstatus st;

	is_int(run("exit 75", o, -1, 0, &st), -1, "EX_TEMPFAIL: not delivered");
	is_int(st.status, MTA_DSTAT_DEFER, "EX_TEMPFAIL: defer");
	is_str(st.dsn, "4.3.0", "EX_TEMPFAIL: 4.3.0");
	run("exit 67", o, -1, 0, &st);
	is_int(st.status, MTA_DSTAT_BOUNCE, "EX_NOUSER: bounce");
	is_str(st.dsn, "5.1.1", "EX_NOUSER: 5.1.1");
	is_str(st.text, "user unknown", "EX_NOUSER: text");
	run("exit 71", o, -1, 0, &st);
	is_int(st.status, MTA_DSTAT_DEFER, "EX_OSERR: defer, as Postfix");
	run("echo 'no such\tthing'; exit 1", o, -1, 0, &st);
	is_int(st.status, MTA_DSTAT_BOUNCE, "exit 1: bounce");
	is_str(st.text, "Command died with status 1: \"echo 'no such\tthing'; "
			"exit 1\". Command output: no such thing",
	       "exit 1: text with the output, control bytes as spaces");
	run("kill -TERM $$", o, -1, 0, &st);
	is_int(st.status, MTA_DSTAT_DEFER, "killed by a signal: defer");
	ok(strstr(st.text, "signal 15") != NULL, "signal: says which");
	is_int(run("exit 0", o, -1, 20000, &st), 0,
	       "command that reads nothing of a big message: its status");
	is_int(run("cat >/dev/null", o, -1, 20000, &st), 0,
	       "command that reads a big message");
	is_int(run("cat >/dev/null", o, 2, 0, &st), -1,
	       "queue file read error: not delivered");
	is_int(st.status, MTA_DSTAT_DEFER, "read error: defer");
}

static void
test_limits(const struct mta_pipe_opts *base)
{
	struct mta_pipe_opts o = *base;
	struct mta_dstatus st;
	char cmd[1024], path[600];
	time_t t0;

	o.time_limit = 1;
	snprintf(path, sizeof(path), "%s/late", tmpdir);
	snprintf(cmd, sizeof(cmd), "(sleep 3; touch %s) & sleep 30", path);
	t0 = time(NULL);
	is_int(run(cmd, &o, -1, 0, &st), -1, "time limit: not delivered");
	ok(time(NULL) - t0 < 5, "time limit: stopped in time");
	is_int(st.status, MTA_DSTAT_BOUNCE, "time limit: bounce, as Postfix");
	ok(strstr(st.text, "time limit exceeded") != NULL, "says why");
	sleep(3);
	ok(access(path, F_OK) < 0, "the whole process group was killed");
	t0 = time(NULL);
	is_int(run("exec 1>&- 2>&-; sleep 30", &o, -1, 0, &st), -1,
	       "time limit with output closed");
	ok(time(NULL) - t0 < 5, "also stopped in time");

	o = *base;
	o.cwd = tmpdir;
	is_int(run("pwd; exit 1", &o, -1, 0, &st), -1, "cwd: ran");
	ok(strstr(st.text, tmpdir) != NULL, "cwd: in the directory given");
	o = *base;
	o.shell = "/bin/nonexistent-shell";
	run("true", &o, -1, 0, &st);
	is_int(st.status, MTA_DSTAT_DEFER, "missing shell: defer");
}

static void
test_privileges(const struct mta_pipe_opts *base)
{
	struct mta_pipe_opts o = *base;
	struct mta_dstatus st;

	if (geteuid() != 0) {
		printf("ok %d # skip needs root\n", ++tap_count);
		printf("ok %d # skip needs root\n", ++tap_count);
		return;
	}
	o.uid = 1;
	o.gid = 1;
	run("echo $(id -u) $(id -g); exit 1", &o, -1, 0, &st);
	ok(strstr(st.text, "Command output: 1 1") != NULL,
	   "runs as the uid and gid given");
	o.uid = 0;
	o.gid = 0;
	run("exit 0", &o, -1, 0, &st);
	is_int(st.status, MTA_DSTAT_DEFER, "uid 0 refused by the child");
}

int
main(void)
{
	struct mta_pipe_opts o;
	char cmd[600];

	if (mkdtemp(tmpdir) == NULL)
		return 1;
	unlink("/tmp/mta-pipe-pwned");
	mta_pipe_opts_init(&o);
	test_stdin_env(&o);
	test_status(&o);
	test_limits(&o);
	test_privileges(&o);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		return 1;
	return done_testing();
}
