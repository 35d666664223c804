/*
 * master_child - the processes of each service: start one (the listening
 * endpoint on fd 3, the status pipe on fd 4), hear from them whether they
 * are free, reap them, and hold a service back after a crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "daemon.h"
#include "master.h"
#include "mem.h"
#include "msg.h"

#define CHILD_MAX_ARGS (MTA_MASTER_MAXARGS * 2 + 32)

/* child_argv - -c DIR -n SERVICE -t TYPE [-u] [-r] [-v] [-o n=v]... args */
static char **
child_argv(struct master *m, struct master_service *s)
{
	char **argv = mta_calloc(CHILD_MAX_ARGS, sizeof(char *));
	int n = 0;

	argv[n++] = mta_strdup(s->ent.command);
	argv[n++] = mta_strdup("-c");
	argv[n++] = mta_strdup(m->config_dir);
	argv[n++] = mta_strdup("-n");
	argv[n++] = mta_strdup(s->ent.service);
	argv[n++] = mta_strdup("-t");
	argv[n++] = mta_strdup(mta_master_type_name(s->ent.type));
	if (s->ent.unpriv)
		argv[n++] = mta_strdup("-u");
	if (s->ent.chroot)
		argv[n++] = mta_strdup("-r");
	for (int i = 0; i < mta_msg_verbose && n < 16; i++)
		argv[n++] = mta_strdup("-v");
	for (size_t i = 0; i < s->ent.argc && n < CHILD_MAX_ARGS - 1; i++)
		argv[n++] = mta_strdup(s->ent.argv[i]);
	return argv;
}

/*
 * child_fd - fd as descriptor to, open across exec. dup2 onto itself
 * would keep close-on-exec, so that case clears the flag instead.
 */
static int
child_fd(int fd, int to)
{
	if (fd == to)
		return fcntl(fd, F_SETFD, 0);
	return dup2(fd, to) < 0 ? -1 : 0;
}

/* child_exec - in the child: descriptors in place, then the daemon */
static _Noreturn void
child_exec(struct master_service *s, char **argv)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (child_fd(s->listen_fd, MTA_DAEMON_LISTEN_FD) < 0 ||
	    child_fd(s->status_wr, MTA_DAEMON_STATUS_FD) < 0)
		_exit(EX_OSERR);
	execv(s->path, argv);
	mta_msg_error("exec %s: %s", s->path, strerror(errno));
	_exit(EX_OSERR);
}

/*
 * master_spawn - start one process of service s. It counts as available
 * until it says otherwise, so that one connection starts one process.
 */
int
master_spawn(struct master *m, struct master_service *s)
{
	char **argv = child_argv(m, s);
	pid_t pid = fork();

	if (pid == 0)
		child_exec(s, argv);
	for (char **cp = argv; *cp; cp++)
		free(*cp);
	free(argv);
	if (pid < 0) {
		mta_msg_warn("fork %s: %s", s->path, strerror(errno));
		return -1;
	}
	if (s->nchildren == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 4;
		s->children = mta_reallocarray(s->children, (size_t)s->cap,
					       sizeof(*s->children));
	}
	s->children[s->nchildren].pid = pid;
	s->children[s->nchildren].available = true;
	s->nchildren++;
	mta_msg_debug("%s: started process %ld", s->ent.service, (long)pid);
	return 0;
}

/* master_status - read what the service's processes said */
void
master_status(struct master_service *s)
{
	struct mta_daemon_status st;

	while (read(s->status_rd, &st, sizeof(st)) == (ssize_t)sizeof(st))
		for (int i = 0; i < s->nchildren; i++)
			if (s->children[i].pid == st.pid)
				s->children[i].available = st.available != 0;
}

/* child_gone - forget a process; say why when it did not end well */
static void
child_gone(struct master *m, struct master_service *s, int i, int status)
{
	pid_t pid = s->children[i].pid;

	s->children[i] = s->children[--s->nchildren];
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM)
		return;	/* we asked it to go */
	if (WIFSIGNALED(status))
		mta_msg_warn("process %s pid %ld killed by signal %d", s->path,
			     (long)pid, WTERMSIG(status));
	else
		mta_msg_warn("process %s pid %ld exit status %d", s->path,
			     (long)pid, WEXITSTATUS(status));
	/* A crash is not retried at once: it would crash again, in a loop. */
	s->throttle_until = time(NULL) + m->throttle_time;
	mta_msg_warn("%s: bad command startup -- throttling for %lds", s->path,
		     m->throttle_time);
}

/* master_reap - collect every process that ended */
void
master_reap(struct master *m)
{
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		for (int i = 0; i < m->nservices; i++) {
			struct master_service *s = m->services[i];

			for (int j = 0; j < s->nchildren; j++)
				if (s->children[j].pid == pid) {
					child_gone(m, s, j, status);
					j = s->nchildren;
					i = m->nservices;
				}
		}
}

/* master_signal_children - tell every process of every service */
void
master_signal_children(struct master *m, int sig)
{
	for (int i = 0; i < m->nservices; i++)
		for (int j = 0; j < m->services[i]->nchildren; j++)
			kill(m->services[i]->children[j].pid, sig);
}

/* master_count_children - how many processes run */
int
master_count_children(const struct master *m)
{
	int n = 0;

	for (int i = 0; i < m->nservices; i++)
		n += m->services[i]->nchildren;
	return n;
}

/* master_wants_process - is there room for one more, and none free */
bool
master_wants_process(const struct master_service *s, time_t now)
{
	if (s->listen_fd < 0 || now < s->throttle_until)
		return false;
	if (s->maxproc > 0 && s->nchildren >= s->maxproc)
		return false;
	for (int i = 0; i < s->nchildren; i++)
		if (s->children[i].available)
			return false;
	return true;
}

/* master_wakeup - the wake-up request of a FIFO service, when due */
void
master_wakeup(struct master_service *s, time_t now)
{
	if (s->ent.wakeup <= 0 || s->next_wakeup > now || s->listen_fd < 0)
		return;
	s->next_wakeup = now + s->ent.wakeup;
	if (s->ent.wakeup_if_used && s->nchildren == 0)
		return;
	if (s->ent.type == MTA_MASTER_FIFO &&
	    write(s->listen_fd, "W", 1) < 0 && errno != EAGAIN)
		mta_msg_warn("wake up %s: %s", s->ent.service, strerror(errno));
}
