/* msg - diagnostics in one shape for every program (see msg.h). */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "msg.h"

int mta_msg_verbose;

static const char *msg_prog = "mta";
static int msg_sinks = MTA_MSG_STDERR;
static char msg_ident[64];
static char msg_syslog_name[32] = "mta";
static int msg_logfd = -1;
static char msg_host[64];

/* mta_msg_init - name the program that speaks; stderr is the first sink */
void
mta_msg_init(const char *prog)
{
	const char *slash = strrchr(prog, '/');

	msg_prog = slash ? slash + 1 : prog;
}

/* mta_msg_prog - the program name used in diagnostics */
const char *
mta_msg_prog(void)
{
	return msg_prog;
}

/* mta_msg_syslog_name - the "mta" of "mta/prog" (main.cf's syslog_name) */
void
mta_msg_syslog_name(const char *syslog_name)
{
	snprintf(msg_syslog_name, sizeof(msg_syslog_name), "%s", syslog_name);
}

/*
 * mta_msg_syslog_open - add syslog (ident "mta/prog") as a sink, when
 * there is a syslog socket: without one, every line would cost a failed
 * connect (the C library tries again each time).
 */
void
mta_msg_syslog_open(int facility)
{
	struct stat st;

	if (stat("/dev/log", &st) < 0 || !S_ISSOCK(st.st_mode))
		return;
	snprintf(msg_ident, sizeof(msg_ident), "%s/%s", msg_syslog_name,
		 msg_prog);
	openlog(msg_ident, LOG_PID | LOG_NDELAY, facility);
	msg_sinks |= MTA_MSG_SYSLOG;
}

/*
 * mta_msg_logfile_open - add maillog_file as a sink: "Mon DD HH:MM:SS host
 * mta/prog[pid]: text" (host: the first label of myhostname, as Postfix), one write() a line so that the processes sharing
 * it never mix their lines. /dev/stdout works (mta-start start-fg).
 */
int
mta_msg_logfile_open(const char *path, const char *host)
{
	char *dot;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		return -1;
	if (msg_logfd >= 0)
		close(msg_logfd);
	msg_logfd = fd;
	if (host && *host)
		snprintf(msg_host, sizeof(msg_host), "%s", host);
	else if (gethostname(msg_host, sizeof(msg_host)) < 0)
		snprintf(msg_host, sizeof(msg_host), "localhost");
	msg_host[sizeof(msg_host) - 1] = '\0';
	if ((dot = strchr(msg_host, '.')) != NULL)
		*dot = '\0';
	msg_sinks |= MTA_MSG_LOGFILE;
	return 0;
}

/* msg_logfile - one line to maillog_file */
static void
msg_logfile(const char *level, const char *text)
{
	char line[2400], when[32];
	time_t now = time(NULL);
	struct tm tm;
	int n;

	if (msg_logfd < 0 || localtime_r(&now, &tm) == NULL)
		return;
	strftime(when, sizeof(when), "%b %d %H:%M:%S", &tm);
	n = snprintf(line, sizeof(line), "%s %s %s/%s[%ld]: %s%s%s\n", when,
		     msg_host, msg_syslog_name, msg_prog, (long)getpid(),
		     level ? level : "", level ? ": " : "", text);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	if (write(msg_logfd, line, (size_t)n) < 0)
		return;	/* nowhere left to report it */
}

/* mta_msg_stderr - keep or drop the stderr sink, the others unchanged */
void
mta_msg_stderr(int on)
{
	if (on)
		msg_sinks |= MTA_MSG_STDERR;
	else
		msg_sinks &= ~MTA_MSG_STDERR;
}

/* mta_msg_sinks - choose the sinks explicitly (daemons drop stderr) */
void
mta_msg_sinks(int sinks)
{
	msg_sinks = sinks;
}

/* mta_msg_vlog - format once, send to every sink */
void
mta_msg_vlog(int priority, const char *level, const char *fmt, va_list ap)
{
	char text[2048];
	int saved = errno;

	vsnprintf(text, sizeof(text), fmt, ap);
	/* A line is one line: control characters from outside become '?'. */
	for (char *cp = text; *cp; cp++)
		if ((unsigned char)*cp < 0x20 && *cp != '\t')
			*cp = '?';
	if (msg_sinks & MTA_MSG_STDERR) {
		if (level)
			fprintf(stderr, "%s: %s: %s\n", msg_prog, level, text);
		else
			fprintf(stderr, "%s: %s\n", msg_prog, text);
	}
	if (msg_sinks & MTA_MSG_SYSLOG) {
		if (level)
			syslog(priority, "%s: %s", level, text);
		else
			syslog(priority, "%s", text);
	}
	if (msg_sinks & MTA_MSG_LOGFILE)
		msg_logfile(level, text);
	errno = saved;
}

#define MSG_BODY(prio, level)                     \
	do {                                      \
		va_list ap;                       \
		va_start(ap, fmt);                \
		mta_msg_vlog(prio, level, fmt, ap); \
		va_end(ap);                       \
	} while (0)

/* mta_msg_to - an informational line for some of the sinks only */
void
mta_msg_to(int sinks, const char *fmt, ...)
{
	int saved = msg_sinks;

	msg_sinks &= sinks;
	MSG_BODY(LOG_INFO, NULL);
	msg_sinks = saved;
}

/* mta_msg_info - a plain informational line */
void
mta_msg_info(const char *fmt, ...)
{
	MSG_BODY(LOG_INFO, NULL);
}

/* mta_msg_debug - a line shown only with -v */
void
mta_msg_debug(const char *fmt, ...)
{
	if (mta_msg_verbose)
		MSG_BODY(LOG_DEBUG, NULL);
}

/* mta_msg_warn - something is wrong, work goes on */
void
mta_msg_warn(const char *fmt, ...)
{
	MSG_BODY(LOG_WARNING, "warning");
}

/* mta_msg_error - an operation failed; the caller decides what follows */
void
mta_msg_error(const char *fmt, ...)
{
	MSG_BODY(LOG_ERR, "error");
}

/* mta_msg_fatal - cannot go on: exit with EX_SOFTWARE */
void
mta_msg_fatal(const char *fmt, ...)
{
	MSG_BODY(LOG_CRIT, "fatal");
	exit(EX_SOFTWARE);
}

/* mta_msg_fatal_status - cannot go on: exit with the given status */
void
mta_msg_fatal_status(int status, const char *fmt, ...)
{
	MSG_BODY(LOG_CRIT, "fatal");
	exit(status);
}

/* mta_msg_die - a command's last word: "prog: error: ...", exit status */
void
mta_msg_die(int status, const char *fmt, ...)
{
	MSG_BODY(LOG_ERR, "error");
	exit(status);
}

/* mta_msg_panic - a broken invariant: leave a core for the developer */
void
mta_msg_panic(const char *fmt, ...)
{
	MSG_BODY(LOG_CRIT, "panic");
	abort();
}
