/*
 * master - run the daemons of master.cf (see master.h). Started by
 * mta-start; stays in the foreground, logs through syslog and
 * maillog_file.
 *
 *	master [-c CONFIG_DIR] [-v]
 */
#define _GNU_SOURCE	/* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <syslog.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "master.h"
#include "mem.h"
#include "msg.h"

#define MASTER_PIDFILE "pid/master.pid"
#define MASTER_STOP_WAIT 10	/* seconds for children to go on SIGTERM */

static int sig_pipe[2] = {-1, -1};

/* master_sig - a signal becomes a byte on the self-pipe */
static void
master_sig(int sig)
{
	unsigned char c = (unsigned char)sig;
	int saved = errno;

	if (write(sig_pipe[1], &c, 1) < 0)
		errno = saved;
	errno = saved;
}

/* master_signals - every signal master acts on goes through the pipe */
static void
master_signals(void)
{
	static const int sigs[] = {SIGCHLD, SIGHUP, SIGTERM, SIGINT, SIGQUIT};
	struct sigaction sa;

	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		mta_msg_fatal_status(EX_OSERR, "pipe: %s", strerror(errno));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = master_sig;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* master_config - main.cf, checked, and the logging it asks for */
static struct mta_config *
master_config(const char *dir)
{
	struct mta_buf err = MTA_BUF_INIT(1024);
	struct mta_config *cfg = mta_config_load(dir, &err);
	const char *file;

	if (cfg == NULL)
		mta_msg_fatal_status(EX_CONFIG, "%s", mta_buf_str(&err));
	mta_msg_syslog_name(mta_config_str(cfg, "syslog_name"));
	mta_msg_syslog_open(LOG_MAIL);
	file = mta_config_str(cfg, "maillog_file");
	if (file && *file && mta_msg_logfile_open(file,
						  mta_config_str(cfg, "myhostname")) < 0)
		mta_msg_warn("open maillog_file %s: %s", file, strerror(errno));
	else if (file && *file)
		mta_msg_stderr(0);	/* the log says it all (start-fg: once) */
	mta_buf_release(&err);
	return cfg;
}

/* master_pidfile - lock pid/master.pid: one master per spool */
static int
master_pidfile(void)
{
	char text[64];
	int fd = open(MASTER_PIDFILE, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		      0600);

	if (fd < 0)
		mta_msg_fatal_status(EX_CANTCREAT, "open %s: %s", MASTER_PIDFILE,
				     strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		ssize_t n = read(fd, text, sizeof(text) - 1);

		text[n > 0 ? n : 0] = '\0';
		mta_msg_fatal_status(EX_TEMPFAIL, "the mail system is already "
				     "running (pid %ld)", strtol(text, NULL, 10));
	}
	/* Empty until master is ready: mta-start waits for the pid. */
	if (ftruncate(fd, 0) < 0)
		mta_msg_fatal_status(EX_IOERR, "truncate %s: %s", MASTER_PIDFILE,
				     strerror(errno));
	return fd;
}

/* master_ready - the pid in the pid file, Postfix's format (32 columns) */
static void
master_ready(int fd)
{
	char text[64];

	snprintf(text, sizeof(text), "%*lu\n", 32, (unsigned long)getpid());
	if (pwrite(fd, text, strlen(text), 0) < 0)
		mta_msg_fatal_status(EX_IOERR, "write %s: %s", MASTER_PIDFILE,
				     strerror(errno));
}

/* master_reload - SIGHUP: new main.cf and master.cf, processes renewed */
static void
master_reload(struct master *m)
{
	struct mta_buf err = MTA_BUF_INIT(1024);
	struct mta_config *cfg = mta_config_load(m->config_dir, &err);
	struct mta_config *old = m->cfg;

	if (cfg == NULL) {
		mta_msg_warn("reload: %s; keeping the running configuration",
			     mta_buf_str(&err));
		mta_buf_release(&err);
		return;
	}
	m->cfg = cfg;
	if (master_services_load(m, &err) < 0) {
		mta_msg_warn("reload: %s", mta_buf_str(&err));
	}
	mta_config_free(old);
	m->throttle_time = mta_config_time(m->cfg, "service_throttle_time");
	for (int i = 0; i < m->nservices; i++) {
		struct master_service *s = m->services[i];

		if (!s->keep)
			master_service_close(s);
		for (int j = 0; j < s->nchildren; j++)
			kill(s->children[j].pid, s->keep ? SIGHUP : SIGTERM);
	}
	mta_msg_info("reload -- version %s, configuration %s", MTA_VERSION,
		     m->config_dir);
	mta_buf_release(&err);
}

/* master_prune - free the services that are gone and have no process */
static void
master_prune(struct master *m)
{
	int n = 0;

	for (int i = 0; i < m->nservices; i++) {
		struct master_service *s = m->services[i];

		if (!s->keep && s->nchildren == 0)
			master_service_free(s);
		else
			m->services[n++] = s;
	}
	m->nservices = n;
}

/* master_stop - close the doors, ask every process to go, wait a while */
static _Noreturn void
master_stop(struct master *m, int sig)
{
	time_t deadline = time(NULL) + MASTER_STOP_WAIT;

	mta_msg_info("terminating on signal %d", sig);
	for (int i = 0; i < m->nservices; i++)
		master_service_close(m->services[i]);
	master_signal_children(m, sig == SIGQUIT ? SIGKILL : SIGTERM);
	while (master_count_children(m) > 0 && time(NULL) < deadline) {
		struct timespec pause = {0, 50 * 1000 * 1000};

		nanosleep(&pause, NULL);
		master_reap(m);
	}
	master_signal_children(m, SIGKILL);
	master_reap(m);
	unlink(MASTER_PIDFILE);
	exit(EX_OK);
}

/* master_poll_set - what to watch: signals, status pipes, idle endpoints */
static int
master_poll_set(struct master *m, struct pollfd *pfd, struct master_service **who,
		time_t now)
{
	int n = 0;

	pfd[n].fd = sig_pipe[0];
	pfd[n].events = POLLIN;
	who[n++] = NULL;
	for (int i = 0; i < m->nservices; i++) {
		struct master_service *s = m->services[i];

		pfd[n].fd = s->status_rd;
		pfd[n].events = POLLIN;
		who[n++] = s;
		if (master_wants_process(s, now)) {
			pfd[n].fd = s->listen_fd;
			pfd[n].events = POLLIN;
			who[n++] = s;
		}
	}
	return n;
}

/* master_timeout - milliseconds to the next wake-up or end of a throttle */
static int
master_timeout(const struct master *m, time_t now)
{
	time_t next = 0;

	for (int i = 0; i < m->nservices; i++) {
		const struct master_service *s = m->services[i];

		if (s->next_wakeup && (next == 0 || s->next_wakeup < next))
			next = s->next_wakeup;
		if (s->throttle_until > now && (next == 0 || s->throttle_until < next))
			next = s->throttle_until;
	}
	if (next == 0)
		return -1;
	return next <= now ? 0 : (int)(next - now) * 1000;
}

/* master_signal_event - act on the signals that arrived */
static void
master_signal_event(struct master *m)
{
	unsigned char sig;

	while (read(sig_pipe[0], &sig, 1) == 1) {
		if (sig == SIGCHLD)
			master_reap(m);
		else if (sig == SIGHUP)
			master_reload(m);
		else
			master_stop(m, sig);
	}
	master_prune(m);
}

/* master_loop - serve until a signal says stop */
static _Noreturn void
master_loop(struct master *m)
{
	for (;;) {
		struct pollfd pfd[1 + 2 * 256];
		struct master_service *who[1 + 2 * 256];
		time_t now = time(NULL);
		int n, rc;

		for (int i = 0; i < m->nservices; i++)
			master_wakeup(m->services[i], now);
		n = master_poll_set(m, pfd, who, now);
		rc = poll(pfd, (nfds_t)n, master_timeout(m, now));
		if (rc < 0 && errno != EINTR)
			mta_msg_fatal_status(EX_OSERR, "poll: %s", strerror(errno));
		for (int i = 0; rc > 0 && i < n; i++) {
			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (who[i] == NULL)
				master_signal_event(m);
			else if (pfd[i].fd == who[i]->status_rd)
				master_status(who[i]);
			else if (master_wants_process(who[i], time(NULL)))
				master_spawn(m, who[i]);
		}
	}
}

int
main(int argc, char **argv)
{
	struct master m = {0};
	struct mta_buf err = MTA_BUF_INIT(1024);
	int ch;

	mta_cli_start(argv[0]);
	mta_msg_init("master");
	m.config_dir = mta_cli_config_dir();
	while ((ch = getopt(argc, argv, "c:v")) != -1) {
		if (ch == 'c')
			m.config_dir = optarg;
		else if (ch == 'v')
			mta_msg_verbose++;
		else
			mta_msg_fatal_status(EX_USAGE, "usage: master [-c DIR] [-v]");
	}
	m.cfg = master_config(m.config_dir);
	m.throttle_time = mta_config_time(m.cfg, "service_throttle_time");
	if (chdir(mta_config_str(m.cfg, "queue_directory")) < 0)
		mta_msg_fatal_status(EX_OSERR, "chdir %s: %s",
				     mta_config_str(m.cfg, "queue_directory"),
				     strerror(errno));
	umask(022);
	master_signals();
	m.pidfile_fd = master_pidfile();
	if (master_services_load(&m, &err) < 0)
		mta_msg_fatal_status(EX_CONFIG, "%s", mta_buf_str(&err));
	mta_msg_info("daemon started -- version %s, configuration %s",
		     MTA_VERSION, m.config_dir);
	master_ready(m.pidfile_fd);
	master_loop(&m);
}
