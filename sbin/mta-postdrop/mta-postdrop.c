/*
 * mta-postdrop - put one submission into maildrop/. Installed set-gid
 * setgid_group so that users can write into a maildrop/ they cannot
 * read; mta-sendmail runs it and sends the message as queue-file records
 * on stdin (maildrop.h says which). It writes its own arrival time, copies
 * the records it accepts, refuses the rest, commits the file (fsync, mode
 * 0744, fsync of the directory), prints the queue id and wakes pickup.
 *
 * Being set-gid, it trusts nothing of its caller: the environment is
 * cleared, -c and MTA_CONFIG_DIR count only for root or when not set-id,
 * fds 0-2 are made to exist, the program name is fixed, no locale is
 * loaded, and any error or SIGINT/SIGQUIT/SIGTERM/SIGHUP removes the file.
 *
 *	mta-postdrop [-c DIR] [-r] [-v] < records
 */
#define _GNU_SOURCE	/* syncfs */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <syslog.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "maildrop.h"
#include "mem.h"
#include "msg.h"
#include "record.h"
#include "spool.h"
#include "trigger.h"

#define PD_PROG "mta-postdrop"
#define PD_PICKUP_FIFO "public/pickup"

/* What the signal handler needs to remove an unfinished file. */
static volatile sig_atomic_t pd_armed;
static int pd_dirfd = -1;
static char pd_path[MTA_SPOOL_PATH_MAX];

/* pd_remove - forget the unfinished file (async-signal-safe) */
static void
pd_remove(void)
{
	if (pd_armed) {
		pd_armed = 0;
		unlinkat(pd_dirfd, pd_path, 0);
	}
}

/* pd_signal - a signal while writing: remove the file and leave */
static void
pd_signal(int sig)
{
	pd_remove();
	_exit(EX_TEMPFAIL);
}

/* pd_fail - remove the file, report, exit with status */
static _Noreturn void MTA_PRINTF(2, 3)
pd_fail(int status, const char *fmt, ...)
{
	va_list ap;

	pd_remove();
	va_start(ap, fmt);
	mta_msg_vlog(LOG_ERR, "error", fmt, ap);
	va_end(ap);
	exit(status);
}

/* pd_catch - install the handler unless the caller ignores sig (nohup) */
static void
pd_catch(int sig, bool unless_ignored)
{
	struct sigaction sa, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = pd_signal;
	sigfillset(&sa.sa_mask);
	if (unless_ignored && sigaction(sig, NULL, &old) == 0 &&
	    old.sa_handler == SIG_IGN)
		return;
	sigaction(sig, &sa, NULL);
}

/* pd_block - block (or unblock) the signals that remove the file */
static void
pd_block(int how)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(how, &set, NULL);
}

/* pd_usage - the synopsis, on stdout for --help, else on stderr and 64 */
static _Noreturn void
pd_usage(bool help)
{
	fprintf(help ? stdout : stderr, "Usage: %s [-c DIR] [-r] [-v] "
		"< records\n  -c DIR  configuration directory (root or not "
		"set-gid only)\n  -r      accepted, ignored\n  -v      more "
		"log\n", PD_PROG);
	exit(help ? EX_OK : EX_USAGE);
}

/*
 * pd_options - the command line. Only --help and --version are long;
 * returns the configuration directory to use.
 */
static const char *
pd_options(int argc, char **argv, bool privileged)
{
	const char *dir = NULL;
	int ch;

	if (argc > 1 && strcmp(argv[1], "--help") == 0)
		pd_usage(true);
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("%s (mta) %s\n", PD_PROG, MTA_VERSION);
		exit(EX_OK);
	}
	while ((ch = getopt(argc, argv, "+c:rv")) != -1) {
		if (ch == 'c')
			dir = optarg;
		else if (ch == 'v')
			mta_msg_verbose++;
		else if (ch != 'r')
			pd_usage(false);
	}
	if (optind < argc)
		pd_usage(false);
	if (dir == NULL && getenv("MTA_CONFIG_DIR") && *getenv("MTA_CONFIG_DIR"))
		dir = getenv("MTA_CONFIG_DIR");
	dir = dir ? mta_strdup(dir) : NULL;	/* the environment goes away */
	if (dir && privileged && getuid() != 0) {
		mta_msg_warn("set-gid: ignoring the configuration directory %.200s"
			     " (only root may choose one)", dir);
		dir = NULL;
	}
	return dir ? dir : mta_strdup(MTA_DEFAULT_CONFIG_DIR);
}

/* pd_limit - stop a runaway submission at message_size_limit bytes */
static void
pd_limit(long long size)
{
	struct rlimit rl;

	if (size <= 0 || getrlimit(RLIMIT_FSIZE, &rl) < 0)
		return;
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (rlim_t)size) {
		rl.rlim_cur = (rlim_t)size;
		setrlimit(RLIMIT_FSIZE, &rl);
	}
}

/* pd_spool - open queue_directory with main.cf's settings */
static void
pd_spool(struct mta_config *cfg, struct mta_spool *sp)
{
	struct mta_buf err = MTA_BUF_INIT(1024);

	if (mta_spool_open(sp, mta_config_str(cfg, "queue_directory"),
			   mta_config_str(cfg, "hash_queue_names"),
			   mta_config_int(cfg, "hash_queue_depth"),
			   mta_config_bool(cfg, "enable_long_queue_ids"),
			   &err) < 0)
		pd_fail(EX_CANTCREAT, "uid=%ld: %s; check queue_directory in "
			"%s/main.cf", (long)getuid(), mta_buf_str(&err),
			mta_config_dir(cfg));
	mta_buf_release(&err);
}

/* pd_create - a new maildrop file, armed for removal; its stream */
static FILE *
pd_create(struct mta_spool *sp, char id[MTA_QID_SIZE])
{
	int fd;
	FILE *fp;

	pd_block(SIG_BLOCK);
	fd = mta_spool_create(sp, MTA_QUEUE_MAILDROP,
			      MTA_SPOOL_MODE_DROP_WRITING, id);
	if (fd >= 0 && mta_spool_path(sp, MTA_QUEUE_MAILDROP, id, pd_path,
				      sizeof(pd_path)) == 0) {
		pd_dirfd = sp->dirfd;
		pd_armed = 1;
	}
	pd_block(SIG_UNBLOCK);
	if (fd < 0)
		pd_fail(EX_CANTCREAT, "uid=%ld: create a file in %s/%s: %s",
			(long)getuid(), sp->dir, MTA_QUEUE_MAILDROP,
			strerror(errno));
	if ((fp = fdopen(fd, "w")) == NULL)
		pd_fail(EX_OSERR, "fdopen: %s", strerror(errno));
	return fp;
}

/* pd_warn - a record dropped with a reason */
static void
pd_warn(void *ctx, const char *text)
{
	mta_msg_warn("uid=%ld: %s", (long)getuid(), text);
}

/* pd_drain - read the rest of the input so the client sees our status */
static void
pd_drain(FILE *in)
{
	char chunk[8192];

	while (fread(chunk, 1, sizeof(chunk), in) > 0)
		;
}

/* pd_copy - the arrival time, then the client's records */
static void
pd_copy(FILE *out, size_t max, const char *dir)
{
	struct mta_buf err = MTA_BUF_INIT(1024);
	struct timeval tv;
	int rc;

	gettimeofday(&tv, NULL);
	if (mta_rec_writef(out, MTA_REC_TIME, "%ld %ld", (long)tv.tv_sec,
			   (long)tv.tv_usec) < 0)
		rc = MTA_MAILDROP_WRITE_ERROR;
	else
		rc = mta_maildrop_copy(stdin, out, max, 0, pd_warn, NULL, &err);
	if (rc == MTA_MAILDROP_WRITE_ERROR || fflush(out) == EOF) {
		int saved = errno;

		pd_drain(stdin);
		pd_fail(saved == EFBIG ? EX_DATAERR : EX_TEMPFAIL,
			"uid=%ld: write %s/%s: %s%s", (long)getuid(), dir, pd_path,
			strerror(saved), saved == EFBIG ?
			" (message_size_limit)" : "");
	}
	if (rc < 0)
		pd_fail(EX_DATAERR, "uid=%ld: malformed input: %s; nothing "
			"queued", (long)getuid(), mta_buf_str(&err));
	mta_buf_release(&err);
}

/*
 * pd_commit - the file durable and complete (0744), its name too. A
 * maildrop/ we may write but not read (1733, or 0730 for the set-gid
 * group) cannot be opened to fsync it: then the whole file system is
 * synced instead, which covers the directory entry.
 */
static void
pd_commit(struct mta_spool *sp, FILE *fp)
{
	if (mta_spool_commit_mode(sp, fileno(fp), MTA_QUEUE_MAILDROP,
				  MTA_SPOOL_MODE_DROP_READY) == 0)
		return;
	if (errno == EACCES && syncfs(fileno(fp)) == 0)
		return;
	pd_fail(EX_TEMPFAIL, "uid=%ld: commit %s/%s: %s", (long)getuid(),
		sp->dir, pd_path, strerror(errno));
}

/* pd_wake - one 'W' to pickup's FIFO; nobody listening is fine */
static void
pd_wake(struct mta_spool *sp)
{
	if (mta_trigger(sp->dirfd, PD_PICKUP_FIFO, MTA_TRIGGER_WAKEUP) < 0)
		mta_msg_debug("wake pickup: %s: %s", PD_PICKUP_FIFO,
			      strerror(errno));
}

/* main - set up safely, write the file, commit, report, wake pickup */
int
main(int argc, char **argv)
{
	bool privileged = getuid() != geteuid() || getgid() != getegid();
	struct mta_buf err = MTA_BUF_INIT(1024);
	char id[MTA_QID_SIZE];
	/* static: still reachable when pd_fail() exits (leak checkers) */
	static struct mta_config *cfg;
	static struct mta_spool sp;
	static const char *dir;
	FILE *fp;

	umask(022);
	mta_cli_start(PD_PROG);	/* never the caller's argv[0] */
	dir = pd_options(argc, argv, privileged);
	clearenv();
	mta_msg_syslog_open(LOG_MAIL);
	if ((cfg = mta_config_load(dir, &err)) == NULL)
		pd_fail(EX_CONFIG, "%s", mta_buf_str(&err));
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
	pd_catch(SIGINT, false);
	pd_catch(SIGQUIT, false);
	pd_catch(SIGTERM, true);
	pd_catch(SIGHUP, true);
	pd_limit(mta_config_size(cfg, "message_size_limit"));
	pd_spool(cfg, &sp);
	fp = pd_create(&sp, id);
	pd_copy(fp, (size_t)mta_config_int(cfg, "line_length_limit"), sp.dir);
	pd_commit(&sp, fp);
	pd_block(SIG_BLOCK);
	pd_armed = 0;		/* ours no longer: pickup's now */
	pd_block(SIG_UNBLOCK);
	fclose(fp);
	mta_msg_debug("uid=%ld: queued %s", (long)getuid(), id);
	printf("%s\n", id);
	fflush(stdout);
	pd_wake(&sp);
	mta_spool_close(&sp);
	mta_config_free(cfg);
	mta_buf_release(&err);
	free((char *)dir);
	return EX_OK;
}
