/*
 * mta-sendmail_run - finding and running the other commands: mta-postdrop
 * for a submission, mta-queue for mailq and -q, mta-alias for newaliases.
 *
 * Where a command NAME is looked for, first found wins:
 *	$MTA_POSTDROP (mta-postdrop only; ignored when set-uid/set-gid)
 *	the directory of the running mta-sendmail, NAME beside it
 *	the build tree: .../bin/mta-sendmail/ -> ../NAME/NAME, ../../sbin/NAME/NAME
 *	$command_directory/NAME (main.cf)
 */
#define _GNU_SOURCE	/* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "msg.h"
#include "mta-sendmail.h"

static pid_t sm_running;	/* a postdrop to cancel if we exit early */

/* sm_privileged - running set-uid or set-gid: the environment is not ours */
bool
sm_privileged(void)
{
	return getuid() != geteuid() || getgid() != getegid();
}

/* sm_try - out = dir/name if that is an executable file */
static bool
sm_try(const char *dir, const char *name, char *out, size_t size)
{
	int n = snprintf(out, size, "%s/%s", dir, name);

	return n > 0 && (size_t)n < size && access(out, X_OK) == 0;
}

/* sm_exe_dir - the directory of the running binary, or false */
static bool
sm_exe_dir(char *dir, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", dir, size - 1);
	char *slash;

	if (n <= 0 || (size_t)n >= size - 1)
		return false;
	dir[n] = '\0';
	if ((slash = strrchr(dir, '/')) == NULL)
		return false;
	*slash = '\0';
	return true;
}

/* sm_find - the path of command name (see above); 0, or -1 if none */
int
sm_find(struct mta_config *cfg, const char *name, char *out, size_t size)
{
	char dir[PATH_MAX], sub[PATH_MAX + 64];
	const char *env = getenv("MTA_POSTDROP");
	const char *cmd_dir = mta_config_str(cfg, "command_directory");
	const char *base;

	if (strcmp(name, "mta-postdrop") == 0 && env && *env &&
	    !sm_privileged() && access(env, X_OK) == 0) {
		snprintf(out, size, "%s", env);
		return 0;
	}
	if (sm_exe_dir(dir, sizeof(dir))) {
		if (sm_try(dir, name, out, size))
			return 0;
		base = strrchr(dir, '/');
		if (base && strcmp(base, "/mta-sendmail") == 0) {
			snprintf(sub, sizeof(sub), "%s/../%s", dir, name);
			if (sm_try(sub, name, out, size))
				return 0;
			snprintf(sub, sizeof(sub), "%s/../../sbin/%s", dir, name);
			if (sm_try(sub, name, out, size))
				return 0;
		}
	}
	if (cmd_dir && *cmd_dir && sm_try(cmd_dir, name, out, size))
		return 0;
	return -1;
}

/* sm_argv - NAME [-c DIR] [-v...] ARGS... */
static void
sm_argv(const char **argv, size_t max, const char *name,
	const char *const *args, int verbose)
{
	size_t n = 0;

	argv[n++] = name;
	if (mta_cli_config_arg) {
		argv[n++] = "-c";
		argv[n++] = mta_cli_config_arg;
	}
	for (int i = 0; i < verbose && n < max - 6; i++)
		argv[n++] = "-v";
	for (; args && *args && n < max - 1; args++)
		argv[n++] = *args;
	argv[n] = NULL;
}

/* sm_exec - become another command (mailq, newaliases, -q, -bd) */
void
sm_exec(struct mta_config *cfg, const char *name, const char *const *args,
	int verbose)
{
	char path[PATH_MAX];
	const char *argv[16];

	if (sm_find(cfg, name, path, sizeof(path)) < 0)
		mta_msg_die(EX_UNAVAILABLE, "cannot find %s beside this program "
			    "or in command_directory (%s): check main.cf", name,
			    mta_config_str(cfg, "command_directory"));
	sm_argv(argv, 16, name, args, verbose);
	execv(path, (char *const *)argv);
	mta_msg_die(EX_UNAVAILABLE, "execute %s: %s", path, strerror(errno));
}

/* sm_cancel - at exit: a postdrop still running must not commit */
static void
sm_cancel(void)
{
	if (sm_running > 0) {
		kill(sm_running, SIGTERM);
		waitpid(sm_running, NULL, 0);
		sm_running = 0;
	}
}

/* sm_child_exec - in the child: stdin and stdout on the pipes, exec */
static _Noreturn void
sm_child_exec(const char *path, const char **argv, int in[2], int out[2])
{
	if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0)
		_exit(EX_OSERR);
	execv(path, (char *const *)argv);
	fprintf(stderr, "%s: error: execute %s: %s\n", mta_msg_prog(), path,
		strerror(errno));
	_exit(EX_UNAVAILABLE);
}

/* sm_postdrop_start - run mta-postdrop with pipes to its stdin and stdout */
int
sm_postdrop_start(struct mta_config *cfg, int verbose, struct sm_child *child)
{
	char path[PATH_MAX];
	const char *argv[16];
	int in[2], out[2];

	if (sm_find(cfg, "mta-postdrop", path, sizeof(path)) < 0)
		mta_msg_die(EX_UNAVAILABLE, "cannot find mta-postdrop beside this "
			    "program or in command_directory (%s): check main.cf",
			    mta_config_str(cfg, "command_directory"));
	sm_argv(argv, 16, "mta-postdrop", NULL, verbose > 1 ? verbose - 1 : 0);
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
		mta_msg_die(EX_OSERR, "pipe: %s", strerror(errno));
	signal(SIGPIPE, SIG_IGN);
	fflush(stderr);
	if ((child->pid = fork()) < 0)
		mta_msg_die(EX_OSERR, "fork: %s", strerror(errno));
	if (child->pid == 0)
		sm_child_exec(path, argv, in, out);
	sm_running = child->pid;
	atexit(sm_cancel);
	close(in[0]);
	close(out[1]);
	child->out = out[0];
	if ((child->in = fdopen(in[1], "w")) == NULL)
		mta_msg_die(EX_OSERR, "fdopen: %s", strerror(errno));
	return EX_OK;
}

/* sm_status - what postdrop's exit means for ours */
static int
sm_status(int wstatus)
{
	int code;

	if (!WIFEXITED(wstatus))
		return EX_TEMPFAIL;
	code = WEXITSTATUS(wstatus);
	switch (code) {
	case EX_OK:
	case EX_DATAERR:
	case EX_UNAVAILABLE:
	case EX_NOPERM:
	case EX_CONFIG:
		return code;
	default:
		return EX_TEMPFAIL;	/* maildrop not writable, disk full... */
	}
}

/*
 * sm_postdrop_finish - close our end and wait. With cancel, postdrop is
 * stopped first so that nothing is queued. Otherwise: its status mapped,
 * and id = the queue id it printed (EX_OK only with one).
 */
int
sm_postdrop_finish(struct sm_child *child, bool cancel, char *id,
		   size_t idsize)
{
	int wstatus, rc;
	ssize_t n, got = 0;

	if (cancel) {
		sm_cancel();
		fclose(child->in);
		close(child->out);
		return EX_TEMPFAIL;
	}
	fclose(child->in);	/* a write error shows in postdrop's status */
	while (got < (ssize_t)idsize - 1 &&
	       (n = read(child->out, id + got, idsize - 1 - (size_t)got)) > 0)
		got += n;
	id[got] = '\0';
	id[strcspn(id, "\n")] = '\0';
	close(child->out);
	while (waitpid(child->pid, &wstatus, 0) < 0)
		if (errno != EINTR)
			mta_msg_die(EX_OSERR, "wait for mta-postdrop: %s",
				    strerror(errno));
	sm_running = 0;
	rc = sm_status(wstatus);
	if (rc == EX_OK && id[0] == '\0')
		rc = EX_TEMPFAIL;
	if (rc != EX_OK)
		mta_msg_error("mail not queued: mta-postdrop failed (%s %d)%s",
			      WIFEXITED(wstatus) ? "status" : "signal",
			      WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) :
			      WTERMSIG(wstatus), rc == EX_TEMPFAIL ?
			      "; try again later" : "");
	return rc;
}
