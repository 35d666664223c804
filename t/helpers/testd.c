/*
 * testd - a daemon for master's tests, in the daemon skeleton.
 *
 *	testd single	each connection is answered with one line:
 *			"PID SERVICE uid=UID root=ROOT" and closed; a client
 *			that sends "crash" makes it die of SIGABRT.
 *	testd trigger FILE
 *			the request bytes from the FIFO are appended to FILE,
 *			one line "PID BYTES" per read.
 */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"

static const char *trigger_file;

/* testd_serve - say who answered; crash on request */
static void
testd_serve(struct mta_daemon_ctx *ctx, int client)
{
	char buf[64] = "", root[PATH_MAX] = "?", line[PATH_MAX + 128];
	ssize_t n;
	int len;

	n = read(client, buf, sizeof(buf) - 1);
	if (n > 0 && strncmp(buf, "crash", 5) == 0)
		abort();
	n = readlink("/proc/self/root", root, sizeof(root) - 1);
	root[n > 0 ? n : 1] = '\0';
	len = snprintf(line, sizeof(line), "%ld %s uid=%ld root=%s\n",
		       (long)getpid(), ctx->service, (long)geteuid(), root);
	if (write(client, line, (size_t)len) < 0)
		return;
}

/* testd_trigger - append what came */
static void
testd_trigger(struct mta_daemon_ctx *ctx, const char *buf, size_t len)
{
	int fd = open(trigger_file, O_WRONLY | O_APPEND | O_CREAT, 0644);
	char line[1100];
	int n;

	if (fd < 0)
		return;
	n = snprintf(line, sizeof(line), "%ld %.*s\n", (long)getpid(),
		     (int)len, buf);
	if (write(fd, line, (size_t)n) < 0)
		n = 0;
	close(fd);
}

/* testd_pre_jail - the mode comes from master.cf's arguments */
static int
testd_pre_jail(struct mta_daemon_ctx *ctx)
{
	if (ctx->argc >= 2 && strcmp(ctx->argv[0], "trigger") == 0)
		trigger_file = ctx->argv[1];
	return 0;
}

int
main(int argc, char **argv)
{
	struct mta_daemon d = {"testd", MTA_DAEMON_SINGLE, testd_pre_jail, NULL,
			       testd_serve, testd_trigger, NULL};

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "trigger") == 0)
			d.mode = MTA_DAEMON_TRIGGER;
	mta_daemon_main(argc, argv, &d);
}
