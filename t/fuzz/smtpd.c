/*
 * smtpd - fuzz the SMTP server's command and DATA parser: whole sessions
 * (commands, pipelined groups, DATA with dots, bare CR and LF, NUL,
 * over-long lines) run over a socket pair against a scratch spool. The
 * input is the client's bytes, sent at once; a thread drains the replies.
 * Properties: no crash, no leak, and every message smtpd accepted is a
 * sound queue file (qfile.h); the accepted files are removed after.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "msg.h"
#include "qfile.h"
#include "smtpd.h"

static char dir[] = "/tmp/mta-fuzz-smtpd.XXXXXX";
static struct mta_spool sp;
static struct mta_config *cfg;
static struct smtpd sd;

/* setup - one scratch spool, configuration and server for the whole run */
static void
setup(void)
{
	char path[1024];
	struct mta_buf err = MTA_BUF_INIT(256);
	FILE *fp;

	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/incoming", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/main.cf", dir);
	fp = fopen(path, "w");
	fprintf(fp, "myhostname = mx.example.com\nmydomain = example.com\n"
		    "mydestination = $myhostname, example.com\n"
		    "mynetworks = 10.0.0.0/8\nsmtpd_peername_lookup = no\n"
		    "smtpd_error_sleep_time = 0\nsmtpd_timeout = 2s\n"
		    "line_length_limit = 600\nmessage_size_limit = 100000\n"
		    "smtpd_recipient_limit = 20\nsmtpd_hard_error_limit = 50\n"
		    "smtpd_client_connection_count_limit = 0\n"
		    "smtpd_forbid_unauth_pipelining = no\n"
		    "smtpd_recipient_restrictions = check_recipient_access"
		    " inline:{reject@example.com=REJECT, hold@example.com=HOLD,"
		    " drop@example.com=DISCARD}, reject_unauth_destination\n"
		    "smtpd_relay_restrictions =\n");
	fclose(fp);
	if ((cfg = mta_config_load(dir, &err)) == NULL ||
	    mta_spool_open(&sp, dir, "deferred", 1, false, &err) < 0 ||
	    smtpd_init(&sd, cfg, &sp, "smtp", false, &err) < 0) {
		fprintf(stderr, "setup: %s\n", mta_buf_str(&err));
		abort();
	}
	mta_buf_release(&err);
	mta_msg_sinks(0);	/* no log lines: they would drown the fuzzer */
}

/* drain - read and forget the server's replies until it hangs up */
static void *
drain(void *arg)
{
	int fd = *(int *)arg;
	char buf[8192];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
	return NULL;
}

/* check_queue - every file smtpd left in incoming/ or hold/ is sound */
static void
check_queue(const char *queue)
{
	char path[2048];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", dir, queue);
	if ((d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		struct mta_buf why = MTA_BUF_INIT(256);
		FILE *fp;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/%s", dir, queue, de->d_name);
		if ((fp = fopen(path, "r")) == NULL)
			abort();
		if (mta_qfile_validate(fp, 0, &why) != 0) {
			fprintf(stderr, "unsound queue file: %s\n", mta_buf_str(&why));
			abort();
		}
		fclose(fp);
		mta_buf_release(&why);
		unlink(path);
	}
	closedir(d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fds[2];
	pthread_t t;

	if (cfg == NULL)
		setup();
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) < 0)
		abort();
	/* 4 KB of input fits in the socket: write it all, then hang up */
	if (size > 0 && write(fds[1], data, size) != (ssize_t)size)
		abort();
	shutdown(fds[1], SHUT_WR);
	pthread_create(&t, NULL, drain, &fds[1]);
	smtpd_session(&sd, fds[0]);
	close(fds[0]);
	pthread_join(t, NULL);
	close(fds[1]);
	check_queue("incoming");
	check_queue("hold");
	return 0;
}
