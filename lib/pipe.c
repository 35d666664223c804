/* pipe - delivery to a command (see pipe.h). */
#define _GNU_SOURCE	/* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "mem.h"
#include "pipe.h"
#include "priv.h"
#include "str.h"

#define PIPE_ENV_MAX 32
#define PIPE_VALUE_MAX 4096

/* One running command. */
struct run {
	int in;		/* the command's stdin, our end */
	int out;	/* its stdout and stderr, our end */
	pid_t pid;
	struct timespec deadline;
	char output[MTA_PIPE_OUTPUT_MAX + 1];
	size_t outlen;
	bool out_eof;
	bool timed_out;
};

/* What <sysexits.h> codes mean for a delivery, after RFC 3463. */
static const struct {
	int code;
	const char *dsn;
	const char *text;
} pipe_exits[] = {
	{ EX_USAGE, "5.3.0", "command line usage error" },
	{ EX_DATAERR, "5.6.0", "data format error" },
	{ EX_NOINPUT, "5.3.0", "cannot open input" },
	{ EX_NOUSER, "5.1.1", "user unknown" },
	{ EX_NOHOST, "5.1.2", "host name unknown" },
	{ EX_UNAVAILABLE, "5.3.0", "service unavailable" },
	{ EX_SOFTWARE, "5.3.0", "internal software error" },
	{ EX_OSERR, "4.3.0", "system resource problem" },
	{ EX_OSFILE, "5.3.0", "critical OS file missing" },
	{ EX_CANTCREAT, "5.2.0", "cannot create output file" },
	{ EX_IOERR, "5.3.0", "input/output error" },
	{ EX_TEMPFAIL, "4.3.0", "temporary failure" },
	{ EX_PROTOCOL, "5.5.0", "remote error in protocol" },
	{ EX_NOPERM, "5.7.0", "permission denied" },
	{ EX_CONFIG, "5.3.5", "local configuration error" },
};

/* mta_pipe_opts_init - Postfix's defaults */
void
mta_pipe_opts_init(struct mta_pipe_opts *opts)
{
	opts->shell = NULL;
	opts->filter = NULL;
	opts->export = NULL;
	opts->cwd = NULL;
	opts->time_limit = 1000;
	opts->uid = (uid_t)-1;
	opts->gid = (gid_t)-1;
	opts->flags = MTA_DELIVER_COMMAND;
}

/* env_add - "NAME=value", the value censored by the filter when given */
static void
env_add(char **envp, size_t *n, const char *name, const char *value,
	const char *filter)
{
	struct mta_buf b = MTA_BUF_INIT(PIPE_VALUE_MAX);

	if (value == NULL || *n >= PIPE_ENV_MAX)
		return;
	(void)mta_buf_printf(&b, "%s=", name);
	for (const char *cp = value; *cp && b.len < PIPE_VALUE_MAX - 1; cp++)
		(void)mta_buf_addc(&b, filter == NULL || strchr(filter, *cp) ?
				       *cp : '_');
	envp[(*n)++] = mta_buf_steal(&b);
}

/* pipe_env - the whole environment of the command */
static char **
pipe_env(const struct mta_pipe_vars *v, const struct mta_pipe_opts *opts)
{
	const char *filter = opts->filter ? opts->filter : MTA_PIPE_FILTER;
	char **envp = mta_calloc(PIPE_ENV_MAX + 1, sizeof(*envp));
	char *names = mta_strdup(opts->export ? opts->export : "TZ LANG");
	char *cp = names, *name;
	size_t n = 0;

	env_add(envp, &n, "PATH", "/usr/bin:/bin", NULL);
	while ((name = mta_str_token(&cp, MTA_SEP_LIST)) != NULL)
		if (strcmp(name, "PATH") != 0 && strchr(name, '=') == NULL)
			env_add(envp, &n, name, getenv(name), NULL);
	free(names);
	env_add(envp, &n, "HOME", v->home, filter);
	env_add(envp, &n, "LOGNAME", v->user, filter);
	env_add(envp, &n, "USER", v->user, filter);
	env_add(envp, &n, "SHELL", v->shell, filter);
	env_add(envp, &n, "SENDER", v->sender, filter);
	env_add(envp, &n, "RECIPIENT", v->recipient, filter);
	env_add(envp, &n, "LOCAL", v->local, filter);
	env_add(envp, &n, "DOMAIN", v->domain, filter);
	env_add(envp, &n, "EXTENSION", v->extension, filter);
	if (v->original_recipient && *v->original_recipient)
		env_add(envp, &n, "ORIGINAL_RECIPIENT", v->original_recipient,
			filter);
	return envp;
}

/* pipe_child - become the command; never returns */
static _Noreturn void
pipe_child(const char *command, const struct mta_pipe_opts *opts,
	   char **envp, int in, int out)
{
	struct mta_buf err = MTA_BUF_INIT(512);
	char *argv[] = { (char *)(opts->shell ? opts->shell : "/bin/sh"),
			 (char *)"-c", (char *)command, NULL };
	sigset_t none;

	(void)setsid();
	(void)signal(SIGPIPE, SIG_DFL);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(EX_OSERR);
	closefrom(3);
	if (opts->uid != (uid_t)-1 && mta_priv_drop(opts->uid, opts->gid,
						    &err) < 0) {
		dprintf(2, "%s\n", err.data);
		_exit(EX_OSERR);
	}
	if (opts->cwd && chdir(opts->cwd) < 0) {
		dprintf(2, "chdir %s: %s\n", opts->cwd, strerror(errno));
		_exit(EX_TEMPFAIL);
	}
	execve(argv[0], argv, envp);
	dprintf(2, "execute %s: %s\n", argv[0], strerror(errno));
	_exit(EX_OSERR);
}

/* left_ms - milliseconds to the deadline, 0 when passed */
static int
left_ms(struct run *r)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(r->deadline.tv_sec - now.tv_sec) * 1000 +
	     (r->deadline.tv_nsec - now.tv_nsec) / 1000000;
	if (ms <= 0)
		r->timed_out = true;
	return ms <= 0 ? 0 : ms > 1000000 ? 1000000 : (int)ms;
}

/* drain - read what the command said; keep the first bytes */
static void
drain(struct run *r)
{
	char buf[4096];
	ssize_t n;
	size_t keep;

	while (!r->out_eof) {
		n = read(r->out, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r->out_eof = n == 0 || errno != EAGAIN;
			return;
		}
		keep = sizeof(r->output) - 1 - r->outlen;
		if (keep > (size_t)n)
			keep = (size_t)n;
		memcpy(r->output + r->outlen, buf, keep);
		r->outlen += keep;
	}
}

/* pipe_write - write to the command's stdin, reading its output too */
static int
pipe_write(void *ctx, const void *p, size_t n)
{
	struct run *r = ctx;
	struct pollfd fds[2];
	ssize_t w;

	while (n > 0) {
		fds[0] = (struct pollfd){ .fd = r->in, .events = POLLOUT };
		fds[1] = (struct pollfd){ .fd = r->out_eof ? -1 : r->out,
					  .events = POLLIN };
		if (poll(fds, 2, left_ms(r)) < 0 && errno != EINTR)
			return -1;
		if (r->timed_out) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (fds[1].revents)
			drain(r);
		if (!fds[0].revents)
			continue;
		if ((w = write(r->in, p, n)) < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -1;
		}
		p = (const char *)p + w;
		n -= (size_t)w;
	}
	return 0;
}

/* pipe_finish - read to the end of the output and reap the command */
static int
pipe_finish(struct run *r)
{
	struct pollfd fd;
	int status;
	pid_t rc;

	while (!r->out_eof && !r->timed_out) {
		fd = (struct pollfd){ .fd = r->out, .events = POLLIN };
		if (poll(&fd, 1, left_ms(r)) > 0)
			drain(r);
	}
	while (!r->timed_out && (rc = waitpid(r->pid, &status, WNOHANG)) == 0)
		(void)poll(NULL, 0, left_ms(r) < 10 ? left_ms(r) : 10);
	if (!r->timed_out && rc == r->pid)
		return status;
	(void)kill(-r->pid, SIGKILL);
	(void)kill(r->pid, SIGKILL);
	while (waitpid(r->pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

/* output_text - ". Command output: ..." with control bytes as spaces */
static const char *
output_text(struct run *r)
{
	static char text[MTA_PIPE_OUTPUT_MAX + 32];
	size_t n = 0, len = r->outlen;

	while (len > 0 && mta_is_space((unsigned char)r->output[len - 1]))
		len--;
	if (len == 0)
		return "";
	n = (size_t)snprintf(text, sizeof(text), ". Command output: ");
	for (size_t i = 0; i < len && n < sizeof(text) - 1; i++) {
		unsigned char c = (unsigned char)r->output[i];

		text[n++] = c < 0x20 || c >= 0x7f ? ' ' : (char)c;
	}
	text[n] = 0;
	return text;
}

/* pipe_status - what the way the command ended means */
static void
pipe_status(struct run *r, const char *command, int status,
	    struct mta_dstatus *st)
{
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;

	if (r->timed_out) {
		mta_dstatus_set(st, "5.3.0",
				"Command time limit exceeded: \"%s\"%s", command,
				output_text(r));
	} else if (WIFSIGNALED(status)) {
		mta_dstatus_set(st, "4.3.0", "Command died with signal %d: "
				"\"%s\"%s", WTERMSIG(status), command,
				output_text(r));
	} else if (code == 0) {
		mta_dstatus_set(st, "2.0.0", "delivered to command: %s",
				command);
		return;
	} else {
		mta_dstatus_set(st, "5.3.0", "Command died with status %d: "
				"\"%s\"%s", code, command, output_text(r));
		for (size_t i = 0; i < sizeof(pipe_exits) / sizeof(pipe_exits[0]);
		     i++)
			if (pipe_exits[i].code == code)
				mta_dstatus_set(st, pipe_exits[i].dsn, "%s%s",
						pipe_exits[i].text,
						output_text(r));
	}
}

/* pipe_start - the pipes and the child; -1 with st filled */
static int
pipe_start(struct run *r, const char *command,
	   const struct mta_pipe_vars *vars, const struct mta_pipe_opts *opts,
	   struct mta_dstatus *st)
{
	int in[2], out[2];
	char **envp;

	if (pipe2(in, O_CLOEXEC) < 0) {
		mta_dstatus_set(st, "4.3.0", "cannot make a pipe: %s",
				strerror(errno));
		return -1;
	}
	if (pipe2(out, O_CLOEXEC) < 0) {
		mta_dstatus_set(st, "4.3.0", "cannot make a pipe: %s",
				strerror(errno));
		close(in[0]);
		close(in[1]);
		return -1;
	}
	envp = pipe_env(vars, opts);
	r->pid = fork();
	if (r->pid == 0)
		pipe_child(command, opts, envp, in[0], out[1]);
	for (size_t i = 0; envp[i]; i++)
		free(envp[i]);
	free(envp);
	close(in[0]);
	close(out[1]);
	r->in = in[1];
	r->out = out[0];
	if (r->pid < 0) {
		mta_dstatus_set(st, "4.3.0", "cannot fork: %s", strerror(errno));
		close(r->in);
		close(r->out);
		return -1;
	}
	(void)fcntl(r->in, F_SETFL, O_NONBLOCK);
	(void)fcntl(r->out, F_SETFL, O_NONBLOCK);
	return 0;
}

/* mta_pipe_deliver - run the command with the message on its stdin */
int
mta_pipe_deliver(const char *command, const struct mta_envelope *env,
		 const struct mta_pipe_vars *vars,
		 const struct mta_pipe_opts *opts, struct mta_dstatus *st)
{
	struct run r = { .in = -1, .out = -1 };
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	bool read_error = false;
	int copied, err, status;

	clock_gettime(CLOCK_MONOTONIC, &r.deadline);
	r.deadline.tv_sec += opts->time_limit > 0 ? opts->time_limit : 1;
	if (pipe_start(&r, command, vars, opts, st) < 0)
		return -1;
	sigemptyset(&ign.sa_mask);
	(void)sigaction(SIGPIPE, &ign, &old);	/* EPIPE instead */
	copied = mta_deliver_copy(env, opts->flags, pipe_write, &r,
				  &read_error);
	err = errno;
	(void)sigaction(SIGPIPE, &old, NULL);
	close(r.in);
	if (copied < 0 && (read_error || (err != EPIPE && err != ETIMEDOUT))) {
		(void)kill(-r.pid, SIGKILL);
		(void)kill(r.pid, SIGKILL);
	}
	status = pipe_finish(&r);
	close(r.out);
	if (copied < 0 && read_error)
		mta_dstatus_set(st, "4.3.0", "error reading message: %s",
				strerror(err));
	else if (copied < 0 && err != EPIPE && err != ETIMEDOUT)
		mta_dstatus_set(st, "4.3.0", "error writing to command: %s",
				strerror(err));
	else
		pipe_status(&r, command, status, st);
	return st->status == MTA_DSTAT_OK ? 0 : -1;
}
