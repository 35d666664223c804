/*
 * restrict_tools.h - what the restrict tests share: a main.cf in a
 * scratch directory, a session to check, and the log lines (stderr is
 * captured in a file).
 */
#ifndef RESTRICT_TOOLS_H
#define RESTRICT_TOOLS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "restrict.h"
#include "tap.h"

static char dir[] = "/tmp/mta-restrict.XXXXXX";
static char logpath[1100];
static long logmark;
static struct mta_config *CFG;
static struct mta_restrict *R;
static struct mta_dns *DNS;
static struct mta_rst_client C;
static char dns_servers[64];

#define BASE_CF \
	"myhostname = mx.ours.test\nmydomain = ours.test\n" \
	"myorigin = ours.test\n" \
	"mydestination = ours.test, mx.ours.test, localhost\n" \
	"mynetworks = 127.0.0.0/8, [::1]/128\nrelay_domains = relay.test\n" \
	"local_recipient_maps =\nsmtpd_peername_lookup = no\n" \
	"smtpd_relay_restrictions = permit_mynetworks, " \
	"reject_unauth_destination\n"

/* put - a file in the scratch directory; returns its path */
static const char *
put(const char *name, const char *text)
{
	static char paths[8][1200];
	static int turn;
	char *p = paths[turn++ % 8];
	FILE *fp;

	snprintf(p, 1200, "%s/%s", dir, name);
	if ((fp = fopen(p, "w")) == NULL)
		return p;
	fputs(text, fp);
	fclose(fp);
	return p;
}

/* client - a fresh session from addr, HELO done, MAIL FROM sender */
static void
client(const char *name, const char *addr, const char *sender)
{
	mta_restrict_session_end(&C);
	memset(&C, 0, sizeof(C));
	C.name = name;
	C.addr = addr;
	C.port = "4000";
	C.helo = "client.example.org";
	C.protocol = "ESMTP";
	C.sender = sender;
}

/* setup - restrictions from BASE_CF plus extra lines; NULL on failure */
static struct mta_restrict *
setup(const char *extra)
{
	struct mta_buf err = MTA_BUF_INIT(1024);
	char text[8192];

	mta_restrict_session_end(&C);
	mta_restrict_free(R);
	R = NULL;
	if (CFG)
		mta_config_free(CFG);
	snprintf(text, sizeof(text), "%s%s%s\n%s\n", BASE_CF,
		 dns_servers[0] ? "mta_resolver_servers = " : "", dns_servers,
		 extra);
	put("main.cf", text);
	if ((CFG = mta_config_load(dir, &err)) == NULL) {
		printf("# main.cf: %s\n", mta_buf_str(&err));
	} else if ((R = mta_restrict_new(CFG, DNS, &err)) == NULL) {
		printf("# restrict: %s\n", mta_buf_str(&err));
	}
	mta_buf_release(&err);
	client("unknown", "192.0.2.1", "a@sender.test");
	return R;
}

/* verdict - "OK", "OK DISCARD", "OK HOLD", or "CODE DSN TEXT" */
static const char *
verdict(enum mta_rst_stage stage, const char *cmd)
{
	static char out[MTA_RST_TEXT_MAX + 64];
	struct mta_rst_verdict v;

	if (R == NULL)
		return "(no restrictions)";
	if (mta_restrict_check(R, stage, cmd, &C, &v) < 0)
		snprintf(out, sizeof(out), "(error) %d %s %s", v.code, v.dsn,
			 v.text);
	else if (v.action == MTA_RST_REJECT)
		snprintf(out, sizeof(out), "%d %s %s", v.code, v.dsn, v.text);
	else
		snprintf(out, sizeof(out), "OK%s%s", v.discard ? " DISCARD" : "",
			 v.hold ? " HOLD" : "");
	return out;
}

/* rcpt - the verdict on RCPT TO:<to> */
static const char *
rcpt(const char *to)
{
	const char *v;

	C.recipient = to;
	v = verdict(MTA_RST_RCPT, "RCPT");
	C.recipient = NULL;
	return v;
}

/* log_mark - later calls of logged() look after this point */
static void
log_mark(void)
{
	fflush(stderr);
	FILE *fp = fopen(logpath, "r");

	if (fp) {
		fseek(fp, 0, SEEK_END);
		logmark = ftell(fp);
		fclose(fp);
	}
}

/* logged - how many lines since log_mark() hold needle */
static int
logged(const char *needle)
{
	char line[4096];
	int n = 0;
	FILE *fp;

	fflush(stderr);
	if ((fp = fopen(logpath, "r")) == NULL)
		return -1;
	fseek(fp, logmark, SEEK_SET);
	while (fgets(line, sizeof(line), fp))
		if (strstr(line, needle))
			n++;
	fclose(fp);
	return n;
}

/* tools_init - scratch directory, stderr into a file */
static int
tools_init(const char *prog)
{
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(logpath, sizeof(logpath), "%s/log", dir);
	if (freopen(logpath, "w", stderr) == NULL)
		return -1;
	setvbuf(stderr, NULL, _IOLBF, 0);
	mta_msg_init(prog);
	return 0;
}

/* tools_done - free everything, remove the scratch directory */
static void
tools_done(void)
{
	char cmd[1200];

	mta_restrict_session_end(&C);
	mta_restrict_free(R);
	if (CFG)
		mta_config_free(CFG);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
}

#endif
