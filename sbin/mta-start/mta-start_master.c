/*
 * mta-start's hold on master: start it (in the background, or in the
 * foreground for start-fg), find it through its locked pid file, and
 * signal it: SIGTERM to stop, SIGQUIT to abort, SIGHUP to reload.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "msg.h"
#include "mta-start.h"
#include "path.h"

#define START_WAIT 15	/* seconds for master to come up or go away */

/* start_sleep - a tenth of a second */
static void
start_sleep(void)
{
	struct timespec t = {0, 100 * 1000 * 1000};

	nanosleep(&t, NULL);
}

/*
 * start_running - master's pid when it runs (its pid file is locked), 0
 * when not, -1 while it starts (locked, the pid not written yet). The lock, not the number in the file, says it runs: a stale
 * file from a crash is not mistaken for a live master.
 */
pid_t
start_running(struct start_ctx *sc)
{
	char path[4096], text[64];
	pid_t pid = 0;
	ssize_t n;
	int fd;

	mta_path_join(path, sizeof(path), sc->queue_dir, "pid/master.pid");
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return 0;
	if (flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK) {
		n = pread(fd, text, sizeof(text) - 1, 0);
		text[n > 0 ? n : 0] = '\0';
		pid = (pid_t)strtol(text, NULL, 10);
		if (pid <= 1)
			pid = -1;	/* locked, no pid yet: starting up */
	}
	close(fd);
	return pid;
}

/* start_master_path - $daemon_directory/master */
static void
start_master_path(struct start_ctx *sc, char *path, size_t size)
{
	mta_path_join(path, size, mta_config_str(sc->cfg, "daemon_directory"),
		      "master");
}

/* start_exec_master - become master */
static _Noreturn void
start_exec_master(struct start_ctx *sc)
{
	char path[4096];
	char *argv[] = {(char *)"master", (char *)"-c", (char *)sc->config_dir,
			mta_msg_verbose ? (char *)"-v" : NULL, NULL};

	start_master_path(sc, path, sizeof(path));
	execv(path, argv);
	mta_msg_error("exec %s: %s", path, strerror(errno));
	_exit(EX_OSERR);
}

/*
 * start_start - start master. In the foreground mta-start becomes master
 * (start-fg); otherwise master runs detached and mta-start returns once it
 * holds its pid file, or says that it did not come up.
 */
int
start_start(struct start_ctx *sc, bool foreground)
{
	pid_t pid, running = start_running(sc);
	int status;

	if (running) {
		if (running > 0)
			mta_msg_error("the mail system is already running "
				      "(pid %ld)", (long)running);
		else
			mta_msg_error("the mail system is already starting");
		return 1;
	}
	if (foreground)
		start_exec_master(sc);
	if ((pid = fork()) < 0) {
		mta_msg_error("fork: %s", strerror(errno));
		return EX_OSERR;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		setsid();
		dup2(null, 0);
		dup2(null, 1);
		if (!mta_msg_verbose)
			dup2(null, 2);
		start_exec_master(sc);
	}
	for (time_t end = time(NULL) + START_WAIT; time(NULL) < end;) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			mta_msg_error("master did not start (exit status %d); "
				      "the mail log says why",
				      WIFEXITED(status) ? WEXITSTATUS(status) : -1);
			return EX_SOFTWARE;
		}
		if (start_running(sc) == pid)
			return EX_OK;
		start_sleep();
	}
	mta_msg_error("master did not start within %d seconds", START_WAIT);
	return EX_TEMPFAIL;
}

/*
 * start_signal - send sig to the running master; with wait, until it has
 * gone (its pid file unlocked). Not running: exit 1, as Postfix.
 */
int
start_signal(struct start_ctx *sc, int sig, const char *what, bool wait)
{
	pid_t pid = start_running(sc);

	if (pid == 0) {
		mta_msg_error("the mail system is not running");
		return 1;
	}
	if (pid < 0) {
		mta_msg_error("%s: the mail system is starting; try again", what);
		return EX_TEMPFAIL;
	}
	if (kill(pid, sig) < 0) {
		mta_msg_error("%s: kill %ld: %s", what, (long)pid, strerror(errno));
		return EX_NOPERM;
	}
	for (time_t end = time(NULL) + START_WAIT; wait && time(NULL) < end;) {
		if (start_running(sc) == 0)
			return EX_OK;
		start_sleep();
	}
	if (wait) {
		mta_msg_error("%s: master (pid %ld) is still running", what,
			      (long)pid);
		return EX_TEMPFAIL;
	}
	return EX_OK;
}

/* start_status - "running (pid N)" and 0, or "not running" and 1 */
int
start_status(struct start_ctx *sc)
{
	pid_t pid = start_running(sc);

	if (pid == 0) {
		mta_msg_info("the mail system is not running");
		return 1;
	}
	if (pid < 0)
		mta_msg_info("the mail system is starting");
	else
		mta_msg_info("the mail system is running: pid %ld", (long)pid);
	return EX_OK;
}
