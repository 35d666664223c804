/*
 * smtpd_session - one SMTP session: the greeting, the command loop, the
 * small commands (HELO, EHLO, RSET, NOOP, QUIT, HELP), errors and their
 * limits, and the state that every abort must reset.
 *
 * RFC 5321 with RFC 2920 (PIPELINING) as Postfix applies it: a client may
 * send MAIL, RCPT and RSET without waiting, but EHLO, HELO, DATA, NOOP,
 * VRFY, QUIT must end a group, and nothing may come before the greeting.
 * With smtpd_forbid_unauth_pipelining a client that breaks this is told
 * "554 5.5.0 Error: SMTP protocol synchronization" and dropped, so that
 * bytes it meant as message text are never read as commands.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"
#include "mem.h"
#include "msg.h"
#include "smtpd.h"
#include "str.h"

/* The commands, and whether a pipelined group may go on after them. */
struct smtpd_cmd {
	const char *name;
	void (*run)(struct smtpd_session *s, char *arg);
	bool group_ok;		/* may be followed without waiting */
	bool junk;		/* counts toward smtpd_junk_command_limit */
};

static void cmd_helo(struct smtpd_session *s, char *arg);
static void cmd_ehlo(struct smtpd_session *s, char *arg);
static void cmd_rset(struct smtpd_session *s, char *arg);
static void cmd_noop(struct smtpd_session *s, char *arg);
static void cmd_quit(struct smtpd_session *s, char *arg);
static void cmd_help(struct smtpd_session *s, char *arg);

static const char smtpd_connect[] = "CONNECT";

static const struct smtpd_cmd smtpd_cmds[SMTPD_NCMDS] = {
	{"HELO", cmd_helo, false, false},
	{"EHLO", cmd_ehlo, false, false},
	{"MAIL", smtpd_cmd_mail, true, false},
	{"RCPT", smtpd_cmd_rcpt, true, false},
	{"DATA", smtpd_cmd_data, false, false},
	{"RSET", cmd_rset, true, true},
	{"NOOP", cmd_noop, false, true},
	{"VRFY", smtpd_cmd_vrfy, false, true},
	{"HELP", cmd_help, false, true},
	{"QUIT", cmd_quit, false, false},
};

/* smtpd_reply - "CODE DSN text" (dsn may be NULL); counts 4xx/5xx as errors */
void
smtpd_reply(struct smtpd_session *s, int code, const char *dsn,
	    const char *fmt, ...)
{
	char text[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (code >= 400)
		smtpd_error(s);
	if (dsn)
		smtpd_io_reply(&s->io, "%d %s %s", code, dsn, text);
	else
		smtpd_io_reply(&s->io, "%d %s", code, text);
}

/* smtpd_verdict_reply - a restriction's reject, as the client sees it */
void
smtpd_verdict_reply(struct smtpd_session *s, const struct mta_rst_verdict *v)
{
	smtpd_reply(s, v->code, v->dsn, "%s", v->text);
}

/*
 * smtpd_error - one more error. Past the soft limit every reply waits
 * smtpd_error_sleep_time (a slow answer costs a spammer more than us);
 * at the hard limit the session ends.
 */
void
smtpd_error(struct smtpd_session *s)
{
	struct smtpd *sd = s->sd;

	s->errors++;
	if (s->errors >= sd->soft_errors && sd->error_sleep > 0) {
		(void)smtpd_io_flush(&s->io);
		sleep((unsigned)sd->error_sleep);
	}
}

/* smtpd_reset - forget the transaction (RSET, HELO, after DATA, aborts) */
void
smtpd_reset(struct smtpd_session *s)
{
	if (s->cleanup)
		mta_cleanup_abort(s->cleanup);
	s->cleanup = NULL;
	free(s->sender);
	free(s->envid);
	free(s->ret);
	free(s->body);
	free(s->first_rcpt);
	s->sender = s->envid = s->ret = s->body = s->first_rcpt = NULL;
	s->qid[0] = '\0';
	s->nrcpt = s->rcpt_rejected = s->rcpt_over = 0;
	s->size_hint = 0;
	s->discard = s->hold = false;
	s->rc.sender = NULL;
	s->rc.recipient = NULL;
	s->rc.queue_id = NULL;
	mta_restrict_reset_txn(&s->rc);
}

/* helo_arg - the HELO/EHLO argument, or NULL (a reply is given) */
static char *
helo_arg(struct smtpd_session *s, char *arg, const char *cmd)
{
	char *name = mta_str_trim(arg);

	if (*name == '\0' || strpbrk(name, " \t") != NULL) {
		smtpd_reply(s, 501, "5.5.4", "Syntax: %s hostname", cmd);
		return NULL;
	}
	return name;
}

/* helo_accept - take the name, then the HELO restrictions */
static bool
helo_accept(struct smtpd_session *s, const char *name, const char *cmd,
	    const char *protocol)
{
	struct mta_rst_verdict v;

	smtpd_reset(s);
	free(s->helo);
	s->helo = mta_strndup(name, 255);
	/* it goes into logs and our Received: header: no control bytes */
	for (char *p = s->helo; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	s->rc.helo = s->helo;
	s->protocol = protocol;
	s->rc.protocol = protocol;
	if (mta_restrict_check(s->sd->rst, MTA_RST_HELO, cmd, &s->rc, &v) == 0 &&
	    v.action == MTA_RST_ACCEPT)
		return true;
	smtpd_verdict_reply(s, &v);
	return false;
}

/* cmd_helo - HELO name */
static void
cmd_helo(struct smtpd_session *s, char *arg)
{
	char *name = helo_arg(s, arg, "HELO");

	if (name && helo_accept(s, name, "HELO", "SMTP"))
		smtpd_io_reply(&s->io, "250 %s", s->sd->myhostname);
}

/* cmd_ehlo - EHLO name: what we offer, one extension a line */
static void
cmd_ehlo(struct smtpd_session *s, char *arg)
{
	struct smtpd *sd = s->sd;
	char *name = helo_arg(s, arg, "EHLO");

	if (name == NULL || !helo_accept(s, name, "EHLO", "ESMTP"))
		return;
	smtpd_io_reply(&s->io, "250-%s", sd->myhostname);
	smtpd_io_reply(&s->io, "250-PIPELINING");
	if (sd->size_limit > 0)
		smtpd_io_reply(&s->io, "250-SIZE %lld", sd->size_limit);
	else
		smtpd_io_reply(&s->io, "250-SIZE");
	if (sd->vrfy)
		smtpd_io_reply(&s->io, "250-VRFY");
	smtpd_io_reply(&s->io, "250-ENHANCEDSTATUSCODES");
	smtpd_io_reply(&s->io, "250-8BITMIME");
	smtpd_io_reply(&s->io, "250 DSN");
}

/* cmd_rset - RSET */
static void
cmd_rset(struct smtpd_session *s, char *arg)
{
	if (*mta_str_skip_space(arg) != '\0') {
		smtpd_reply(s, 501, "5.5.4", "Syntax: RSET");
		return;
	}
	smtpd_reset(s);
	smtpd_io_reply(&s->io, "250 2.0.0 Ok");
}

/* cmd_noop - NOOP [string] */
static void
cmd_noop(struct smtpd_session *s, char *arg)
{
	(void)arg;
	smtpd_io_reply(&s->io, "250 2.0.0 Ok");
}

/* cmd_quit - QUIT */
static void
cmd_quit(struct smtpd_session *s, char *arg)
{
	(void)arg;
	smtpd_io_reply(&s->io, "221 2.0.0 Bye");
	s->quit = true;
}

/* cmd_help - HELP [topic]: the commands we know */
static void
cmd_help(struct smtpd_session *s, char *arg)
{
	(void)arg;
	smtpd_io_reply(&s->io, "214-2.0.0 Commands: HELO EHLO MAIL RCPT DATA");
	smtpd_io_reply(&s->io, "214-2.0.0 RSET NOOP QUIT VRFY HELP");
	smtpd_io_reply(&s->io, "214 2.0.0 See RFC 5321");
}

/* peer_name - the client's address and port, as text */
static void
peer_name(struct smtpd_session *s)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[INET6_ADDRSTRLEN] = "unknown";
	unsigned port = 0;

	if (getpeername(s->io.fd, (struct sockaddr *)&ss, &len) == 0) {
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *in = (struct sockaddr_in *)&ss;

			inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
			port = ntohs(in->sin_port);
		} else if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

			inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
			port = ntohs(in6->sin6_port);
			/* an IPv4 client on an IPv6 socket: its IPv4 form */
			if (strncmp(host, "::ffff:", 7) == 0 && strchr(host, '.'))
				memmove(host, host + 7, strlen(host + 7) + 1);
		} else {
			snprintf(host, sizeof(host), "127.0.0.1");	/* AF_UNIX: tests */
		}
	}
	snprintf(s->addr, sizeof(s->addr), "%s", host);
	snprintf(s->port, sizeof(s->port), "%u", port);
}

/* client_name - the verified name, when lookups are on */
static void
client_name(struct smtpd_session *s)
{
	struct mta_buf name = MTA_BUF_INIT(256);

	snprintf(s->name, sizeof(s->name), "unknown");
	if (s->sd->dns && s->sd->peername_lookup &&
	    mta_dns_client_name(s->sd->dns, s->addr, &name) == MTA_DNS_OK &&
	    name.len > 0)
		snprintf(s->name, sizeof(s->name), "%s", mta_buf_str(&name));
	mta_buf_release(&name);
}

/* smtpd_sync_error - input came when it must not: say so, and leave */
void
smtpd_sync_error(struct smtpd_session *s, const char *after)
{
	mta_msg_info("improper command pipelining after %s from %s[%s]:%s",
		     after, s->name, s->addr, s->port);
	s->rc.unauth_pipelining = true;
	if (s->sd->forbid_pipelining) {
		smtpd_io_reply(&s->io,
			       "554 5.5.0 Error: SMTP protocol synchronization");
		s->quit = true;
	}
}

/* session_open - who it is, the limits, the greeting; false to hang up */
static bool
session_open(struct smtpd_session *s)
{
	struct smtpd *sd = s->sd;
	struct mta_rst_verdict v;

	peer_name(s);
	client_name(s);
	s->rc.name = s->name;
	s->rc.addr = s->addr;
	s->rc.port = s->port;
	s->rc.protocol = s->protocol = "SMTP";
	mta_msg_info("connect from %s[%s]", s->name, s->addr);
	s->bare = sd->bare;
	if (s->bare == SMTPD_BARE_REJECT && sd->bare_exclusions &&
	    mta_netlist_match(sd->bare_exclusions, s->name, s->addr, NULL) == 1)
		s->bare = SMTPD_BARE_NORMALIZE;
	if (smtpd_anvil_enter(sd, s->addr) > sd->conn_limit &&
	    sd->conn_limit > 0 && !(sd->limit_exclusions &&
	    mta_netlist_match(sd->limit_exclusions, s->name, s->addr,
			      NULL) == 1)) {
		mta_msg_warn("Connection concurrency limit exceeded: %ld from %s[%s] for service %s",
			     sd->conn_limit + 1, s->name, s->addr, sd->service);
		smtpd_io_reply(&s->io, "421 4.7.0 %s Error: too many connections from %s",
			       sd->myhostname, s->addr);
		return false;
	}
	if (smtpd_io_pending(&s->io)) {
		smtpd_sync_error(s, "CONNECT");
		if (s->quit)
			return false;
	}
	if (mta_restrict_check(sd->rst, MTA_RST_CONNECT, "CONNECT", &s->rc,
			       &v) < 0 || v.action != MTA_RST_ACCEPT) {
		smtpd_io_reply(&s->io, "%d %s %s", v.code, v.dsn, v.text);
		s->quit = true;
		return false;
	}
	smtpd_io_reply(&s->io, "220 %s", sd->banner);
	/* bytes that arrived before this instant were not an answer to it */
	clock_gettime(CLOCK_REALTIME, &s->greeted);
	return smtpd_io_flush(&s->io) == 0;
}

/* spoke_first - did the first bytes arrive before the greeting left? */
static bool
spoke_first(const struct smtpd_session *s)
{
	const struct timespec *a = &s->io.first_arrival, *g = &s->greeted;

	if (a->tv_sec == 0 && a->tv_nsec == 0)
		return false;	/* no time stamp: cannot tell */
	return a->tv_sec < g->tv_sec ||
	       (a->tv_sec == g->tv_sec && a->tv_nsec < g->tv_nsec);
}

/* find_cmd - the command named by the first word, or NULL */
static const struct smtpd_cmd *
find_cmd(char *line, char **arg)
{
	size_t n = strcspn(line, " \t");

	*arg = line + n + strspn(line + n, " \t");
	for (size_t i = 0; i < sizeof(smtpd_cmds) / sizeof(smtpd_cmds[0]); i++)
		if (strlen(smtpd_cmds[i].name) == n &&
		    strncasecmp(line, smtpd_cmds[i].name, n) == 0)
			return &smtpd_cmds[i];
	return NULL;
}

/* What reading a command line gave. */
enum { LINE_OK, LINE_ANSWERED, LINE_END };

/* session_line - one command line, read whole */
static int
session_line(struct smtpd_session *s, struct mta_buf *line,
	     struct smtpd_line *info)
{
	struct smtpd *sd = s->sd;
	struct mta_buf rest = MTA_BUF_INIT(sd->line_limit + 2);
	struct smtpd_line more;
	bool too_long = false;

	smtpd_io_deadline(&s->io, sd->timeout);
	if (smtpd_io_line(&s->io, line, (size_t)sd->line_limit, info) < 0)
		return LINE_END;
	while (!info->complete) {	/* the rest of an over-long line */
		too_long = true;
		if (smtpd_io_line(&s->io, &rest, (size_t)sd->line_limit, &more) < 0) {
			mta_buf_release(&rest);
			return LINE_END;
		}
		info->complete = more.complete;
		info->crlf = more.crlf;
	}
	mta_buf_release(&rest);
	if (!too_long)
		return LINE_OK;
	smtpd_reply(s, 500, "5.5.2", "Error: line too long");
	return LINE_ANSWERED;
}

/* session_command - one command line: checks, then its handler */
static void
session_command(struct smtpd_session *s, struct mta_buf *line,
		const struct smtpd_line *info)
{
	const struct smtpd_cmd *cmd;
	size_t slot;
	char *arg;

	if (info->crlf == false && s->bare == SMTPD_BARE_REJECT) {
		smtpd_reply(s, (int)s->sd->bare_reject_code, "5.5.2",
			    "Error: bare <LF> received");
		mta_msg_info("disconnect: bare <LF> received from %s[%s]",
			     s->name, s->addr);
		s->quit = true;
		return;
	}
	if (info->nul || memchr(line->data ? line->data : "", '\r', line->len)) {
		smtpd_reply(s, 500, "5.5.2", "Error: bad syntax");
		return;
	}
	if (line->len == 0) {
		smtpd_reply(s, 500, "5.5.2", "Error: bad syntax");
		return;
	}
	cmd = find_cmd(line->data, &arg);
	s->last_cmd = cmd ? cmd->name : "UNKNOWN";
	slot = cmd ? (size_t)(cmd - smtpd_cmds) : SMTPD_NCMDS;
	s->cmd_total[slot]++;
	s->io.last_code = 0;
	if (cmd == NULL) {
		mta_msg_warn("non-SMTP command from %s[%s]: %.100s", s->name,
			     s->addr, line->data);
		smtpd_reply(s, 502, "5.5.2", "Error: command not recognized");
		return;
	}
	if (cmd->junk && ++s->junk > s->sd->junk_limit)
		smtpd_error(s);
	if (s->sd->helo_required && s->helo == NULL &&
	    (cmd->run == smtpd_cmd_mail || cmd->run == smtpd_cmd_rcpt ||
	     cmd->run == smtpd_cmd_data || cmd->run == smtpd_cmd_vrfy)) {
		smtpd_reply(s, 503, "5.5.1", "Error: send HELO/EHLO first");
		return;
	}
	cmd->run(s, arg);
	if (s->io.last_code > 0 && s->io.last_code < 400)
		s->cmd_ok[slot]++;
	if (!s->quit && (!cmd->group_ok || strcmp(s->protocol, "ESMTP") != 0) &&
	    cmd->run != smtpd_cmd_data && smtpd_io_pending(&s->io))
		smtpd_sync_error(s, cmd->name);
}

/* session_loop - commands until QUIT, an error limit, or the client is gone */
static void
session_loop(struct smtpd_session *s)
{
	struct mta_buf line = MTA_BUF_INIT(s->sd->line_limit + 2);
	struct smtpd_line info;

	while (!s->quit && !mta_daemon_stopping()) {
		int got = session_line(s, &line, &info);

		if (got == LINE_END)
			break;
		if (s->io.in_bytes > 0 && s->last_cmd == smtpd_connect &&
		    spoke_first(s)) {
			smtpd_sync_error(s, "CONNECT");
			if (s->quit)
				break;
		}
		if (got == LINE_OK)
			session_command(s, &line, &info);
		if (s->errors >= s->sd->hard_errors && !s->quit) {
			smtpd_io_reply(&s->io, "421 4.7.0 %s Error: too many errors",
				       s->sd->myhostname);
			mta_msg_info("too many errors after %s from %s[%s]",
				     s->last_cmd, s->name, s->addr);
			break;
		}
	}
	if (s->io.timedout && !s->quit) {
		smtpd_io_last_words(&s->io);
		smtpd_io_reply(&s->io, "421 4.4.2 %s Error: timeout exceeded",
			       s->sd->myhostname);
		mta_msg_info("timeout after %s from %s[%s]", s->last_cmd,
			     s->name, s->addr);
	} else if (s->io.eof && !s->quit) {
		mta_msg_info("lost connection after %s from %s[%s]",
			     s->last_cmd, s->name, s->addr);
	}
	mta_buf_release(&line);
}

/*
 * session_disconnect_log - Postfix's "disconnect from" line with the
 * commands of the session: "ehlo=1 mail=1 rcpt=1/2 ... commands=5/6",
 * ok/given where some failed.
 */
static void
session_disconnect_log(struct smtpd_session *s)
{
	struct mta_buf b = MTA_BUF_INIT(512);
	unsigned total = 0, ok = 0;

	for (size_t i = 0; i <= SMTPD_NCMDS; i++) {
		char name[8];

		if (s->cmd_total[i] == 0)
			continue;
		snprintf(name, sizeof(name), "%s",
			 i < SMTPD_NCMDS ? smtpd_cmds[i].name : "unknown");
		mta_str_lower(name);
		total += s->cmd_total[i];
		ok += s->cmd_ok[i];
		if (s->cmd_ok[i] == s->cmd_total[i])
			mta_buf_printf(&b, " %s=%u", name, s->cmd_total[i]);
		else
			mta_buf_printf(&b, " %s=%u/%u", name, s->cmd_ok[i],
				       s->cmd_total[i]);
	}
	if (ok == total)
		mta_buf_printf(&b, " commands=%u", total);
	else
		mta_buf_printf(&b, " commands=%u/%u", ok, total);
	mta_msg_info("disconnect from %s[%s]%s", s->name, s->addr,
		     mta_buf_str(&b));
	mta_buf_release(&b);
}

/* smtpd_session - serve one client on fd, then forget it */
void
smtpd_session(struct smtpd *sd, int fd)
{
	struct smtpd_session *s = mta_calloc(1, sizeof(*s));

	s->sd = sd;
	smtpd_io_init(&s->io, fd, sd->timeout);
	s->last_cmd = smtpd_connect;
	if (session_open(s))
		session_loop(s);
	if (smtpd_io_flush(&s->io) == 0 && !s->io.eof)
		smtpd_io_hangup(&s->io);
	smtpd_reset(s);
	smtpd_anvil_leave(sd);
	session_disconnect_log(s);
	mta_restrict_session_end(&s->rc);
	free(s->helo);
	free(s);
}
