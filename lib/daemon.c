/* daemon - the skeleton every daemon runs in (see daemon.h). */
#define _GNU_SOURCE	/* accept4 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <syslog.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "daemon.h"
#include "mem.h"
#include "msg.h"
#include "priv.h"

#define DAEMON_MAX_OVERRIDES 64

static volatile sig_atomic_t daemon_stop;

/* daemon_signal - SIGTERM and SIGHUP: finish the work at hand, then go */
static void
daemon_signal(int sig)
{
	daemon_stop = sig;
}

/* mta_daemon_stopping - has master asked us to go */
bool
mta_daemon_stopping(void)
{
	return daemon_stop != 0;
}

/* mta_daemon_available - tell master whether we wait for work */
void
mta_daemon_available(struct mta_daemon_ctx *ctx, bool available)
{
	struct mta_daemon_status st = {(int32_t)getpid(), available ? 1 : 0};

	if (ctx->status_fd >= 0 &&
	    write(ctx->status_fd, &st, sizeof(st)) != (ssize_t)sizeof(st))
		ctx->status_fd = -1;	/* master is gone: stop telling */
}

/* mta_daemon_watchdog - (re)arm the daemon_timeout alarm: a stuck daemon dies */
void
mta_daemon_watchdog(struct mta_daemon_ctx *ctx)
{
	long t = mta_config_time(ctx->cfg, "daemon_timeout");

	alarm(t > 0 ? (unsigned)t : 0);
}

/* daemon_args - master's arguments; -o overrides collected for later */
static void
daemon_args(struct mta_daemon_ctx *ctx, int argc, char **argv,
	    char **overrides, int *noverrides)
{
	int ch;

	opterr = 0;
	while ((ch = getopt(argc, argv, "+c:n:t:uro:v")) != -1) {
		switch (ch) {
		case 'c':
			ctx->config_dir = optarg;
			break;
		case 'n':
			ctx->service = optarg;
			break;
		case 't':
			ctx->type = optarg;
			break;
		case 'u':
			ctx->unpriv = true;
			break;
		case 'r':
			ctx->chroot = true;
			break;
		case 'o':
			if (*noverrides < DAEMON_MAX_OVERRIDES)
				overrides[(*noverrides)++] = optarg;
			break;
		case 'v':
			mta_msg_verbose++;
			break;
		default:
			mta_msg_fatal_status(EX_USAGE, "bad option -%c", optopt);
		}
	}
	ctx->argc = argc - optind;
	ctx->argv = argv + optind;
}

/* daemon_config - main.cf with master.cf's -o overrides, checked */
static void
daemon_config(struct mta_daemon_ctx *ctx, char **overrides, int n)
{
	struct mta_buf err = MTA_BUF_INIT(1024);

	ctx->cfg = mta_config_load_flags(ctx->config_dir, MTA_CONFIG_NO_VALIDATE,
					 &err);
	if (ctx->cfg == NULL)
		mta_msg_fatal_status(EX_CONFIG, "%s", mta_buf_str(&err));
	for (int i = 0; i < n; i++) {
		char *eq = strchr(overrides[i], '=');

		if (eq == NULL)
			mta_msg_fatal_status(EX_CONFIG, "-o %s: no '='",
					     overrides[i]);
		*eq = '\0';
		mta_config_set(ctx->cfg, overrides[i], eq + 1);
		*eq = '=';
	}
	if (mta_config_validate(ctx->cfg, &err) < 0)
		mta_msg_fatal_status(EX_CONFIG, "%s", mta_buf_str(&err));
	mta_buf_release(&err);
	ctx->max_use = mta_config_int(ctx->cfg, "max_use");
	ctx->max_idle = mta_config_time(ctx->cfg, "max_idle");
}

/* daemon_logging - syslog, and maillog_file when set */
static void
daemon_logging(struct mta_daemon_ctx *ctx)
{
	const char *file = mta_config_str(ctx->cfg, "maillog_file");

	mta_msg_syslog_name(mta_config_str(ctx->cfg, "syslog_name"));
	mta_msg_syslog_open(LOG_MAIL);
	if (file && *file && mta_msg_logfile_open(file,
						  mta_config_str(ctx->cfg, "myhostname")) < 0)
		mta_msg_warn("open maillog_file %s: %s", file, strerror(errno));
	/* A daemon's stderr is master's: keep quiet there unless -v. */
	if (!mta_msg_verbose)
		mta_msg_stderr(0);
}

/*
 * daemon_libc_prime - what the C library reads from the file system on
 * first use, read now, before the chroot: the time zone (TZ names a file
 * under /usr/share/zoneinfo, which is not in the jail; tzset() loads it
 * once and keeps it while TZ stays the same). Without TZ, glibc reads
 * /etc/localtime again at every tzset() or localtime(), inside the jail
 * too: that is the jail's etc/localtime, a copy of the host's
 * (mta-chroot-setup). The log sinks are open already (syslog with
 * LOG_NDELAY, maillog_file), and each daemon's pre_jail opened its maps
 * and the resolver (res_ninit reads /etc/resolv.conf).
 */
static void
daemon_libc_prime(void)
{
	time_t now = time(NULL);
	struct tm tm;

	tzset();
	(void)localtime_r(&now, &tm);
}

/* daemon_jail - chroot and drop privileges, in that order, when root */
static void
daemon_jail(struct mta_daemon_ctx *ctx)
{
	struct mta_buf err = MTA_BUF_INIT(512);
	const char *dir = mta_config_str(ctx->cfg, "queue_directory");
	uid_t uid;
	gid_t gid;

	if (geteuid() != 0)
		return;	/* an unprivileged instance: nothing to give up */
	if (ctx->unpriv &&
	    mta_priv_lookup(mta_config_str(ctx->cfg, "mail_owner"), &uid, &gid,
			    &err) < 0)
		mta_msg_fatal_status(EX_NOUSER, "mail_owner: %s", mta_buf_str(&err));
	if (ctx->chroot)
		daemon_libc_prime();
	if (ctx->chroot && (chroot(dir) < 0 || chdir("/") < 0))
		mta_msg_fatal_status(EX_OSERR, "chroot %s: %s", dir,
				     strerror(errno));
	if (ctx->unpriv && mta_priv_drop(uid, gid, &err) < 0)
		mta_msg_fatal_status(EX_OSERR, "%s", mta_buf_str(&err));
	mta_buf_release(&err);
}

/* daemon_wait - poll the listening fd; 0 on a timeout, -1 when stopping */
static int
daemon_wait(struct mta_daemon_ctx *ctx, long timeout)
{
	struct pollfd pfd = {ctx->listen_fd, POLLIN, 0};
	int rc;

	do {
		if (daemon_stop)
			return -1;
		rc = poll(&pfd, 1, timeout > 0 ? (int)(timeout * 1000) : -1);
	} while (rc < 0 && errno == EINTR && !daemon_stop);
	if (rc < 0)
		return daemon_stop ? -1 : 0;
	return rc;
}

/* daemon_single - accept and serve one client at a time */
static void
daemon_single(struct mta_daemon_ctx *ctx, const struct mta_daemon *d)
{
	for (long uses = 0; ctx->max_use <= 0 || uses < ctx->max_use; uses++) {
		long wait = ctx->max_idle;
		bool timer = ctx->idle_timer > 0 && ctx->idle &&
			     (wait <= 0 || ctx->idle_timer < wait);
		int client, rc;

		mta_daemon_available(ctx, true);
		if (timer)
			wait = ctx->idle_timer;
		if ((rc = daemon_wait(ctx, wait)) == 0 && timer) {
			ctx->idle_timer = 0;
			ctx->idle(ctx);	/* e.g. close a cached connection */
			uses--;
			continue;
		}
		if (rc <= 0)
			return;	/* idle too long, or asked to stop */
		client = accept4(ctx->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (client < 0)
			continue;	/* another process took it */
		mta_daemon_available(ctx, false);
		mta_daemon_watchdog(ctx);
		d->serve(ctx, client);
		close(client);
		alarm(0);
		if (daemon_stop)
			return;
	}
}

/* daemon_trigger - request bytes from the FIFO, one read per event */
static void
daemon_trigger(struct mta_daemon_ctx *ctx, const struct mta_daemon *d)
{
	char buf[1024];

	for (long uses = 0; ctx->max_use <= 0 || uses < ctx->max_use; uses++) {
		ssize_t n;

		mta_daemon_available(ctx, true);
		if (daemon_wait(ctx, 0) < 0)
			return;
		n = read(ctx->listen_fd, buf, sizeof(buf));
		if (n <= 0)
			continue;
		mta_daemon_available(ctx, false);
		mta_daemon_watchdog(ctx);
		d->trigger(ctx, buf, (size_t)n);
		alarm(0);
	}
}

/* daemon_signals - how a daemon hears master */
static void
daemon_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = daemon_signal;	/* no SA_RESTART: poll returns */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/*
 * mta_daemon_main - run the daemon described by d; never returns. Exit 0
 * when done (max_use, max_idle, a signal), non-zero on a fatal error, so
 * that master can tell a crash from a retirement.
 */
void
mta_daemon_main(int argc, char **argv, const struct mta_daemon *d)
{
	struct mta_daemon_ctx ctx = {0};
	struct mta_buf err = MTA_BUF_INIT(1024);
	char *overrides[DAEMON_MAX_OVERRIDES];
	int noverrides = 0;

	mta_cli_start(argv[0]);
	mta_msg_init(d->name);
	ctx.name = d->name;
	ctx.service = d->name;
	ctx.type = "unix";
	ctx.config_dir = mta_cli_config_dir();
	ctx.listen_fd = MTA_DAEMON_LISTEN_FD;
	ctx.status_fd = fcntl(MTA_DAEMON_STATUS_FD, F_GETFD) < 0 ?
		-1 : MTA_DAEMON_STATUS_FD;
	daemon_args(&ctx, argc, argv, overrides, &noverrides);
	daemon_config(&ctx, overrides, noverrides);
	daemon_logging(&ctx);
	daemon_signals();
	umask(077);
	if (mta_spool_open(&ctx.spool, mta_config_str(ctx.cfg, "queue_directory"),
			   mta_config_str(ctx.cfg, "hash_queue_names"),
			   mta_config_int(ctx.cfg, "hash_queue_depth"),
			   mta_config_bool(ctx.cfg, "enable_long_queue_ids"),
			   &err) < 0)
		mta_msg_fatal_status(EX_OSERR, "%s", mta_buf_str(&err));
	if (d->pre_jail && d->pre_jail(&ctx) < 0)
		mta_msg_fatal_status(EX_SOFTWARE, "%s: start-up failed", d->name);
	daemon_jail(&ctx);
	if (d->post_jail && d->post_jail(&ctx) < 0)
		mta_msg_fatal_status(EX_SOFTWARE, "%s: start-up failed", d->name);
	if (d->mode == MTA_DAEMON_SINGLE)
		daemon_single(&ctx, d);
	else if (d->mode == MTA_DAEMON_TRIGGER)
		daemon_trigger(&ctx, d);
	else
		d->loop(&ctx);
	mta_spool_close(&ctx.spool);
	mta_config_free(ctx.cfg);
	mta_buf_release(&err);
	exit(EX_OK);
}
