/*
 * smtp - the SMTP delivery agent: qmgr hands it the recipients of a
 * message for one next hop (private/smtp, lib/dlv.h); it finds the
 * servers (MX or the host named), talks SMTP to them and records a result
 * per recipient: 2xx sent, 4xx deferred, 5xx bounced. See smtp(8).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "mem.h"
#include "msg.h"
#include "smtp.h"

static struct smtp_state smtp_state;

/* smtp_params - the main.cf parameters, read once */
static void
smtp_params(struct smtp_state *ss, struct mta_config *cfg)
{
	const char *proto = mta_config_str(cfg, "inet_protocols");
	const char *pref = mta_config_str(cfg, "smtp_address_preference");

	ss->helo_name = mta_config_str(cfg, "smtp_helo_name");
	ss->myhostname = mta_config_str(cfg, "myhostname");
	ss->port = mta_smtp_port(mta_config_str(cfg, "smtp_tcp_port"));
	if (ss->port == 0) {
		mta_msg_warn("smtp_tcp_port: unknown port, using 25");
		ss->port = 25;
	}
	ss->t_connect = mta_config_time(cfg, "smtp_connect_timeout");
	ss->t_helo = mta_config_time(cfg, "smtp_helo_timeout");
	ss->t_mail = mta_config_time(cfg, "smtp_mail_timeout");
	ss->t_rcpt = mta_config_time(cfg, "smtp_rcpt_timeout");
	ss->t_data_init = mta_config_time(cfg, "smtp_data_init_timeout");
	ss->t_data_xfer = mta_config_time(cfg, "smtp_data_xfer_timeout");
	ss->t_data_done = mta_config_time(cfg, "smtp_data_done_timeout");
	ss->t_quit = mta_config_time(cfg, "smtp_quit_timeout");
	ss->t_rset = mta_config_time(cfg, "smtp_rset_timeout");
	ss->addr_limit = mta_config_int(cfg, "smtp_mx_address_limit");
	ss->session_limit = mta_config_int(cfg, "smtp_mx_session_limit");
	ss->rcpt_limit = mta_config_int(cfg, "smtp_destination_recipient_limit");
	ss->line_limit = mta_config_int(cfg, "smtp_line_length_limit");
	ss->skip_5xx = mta_config_bool(cfg, "smtp_skip_5xx_greeting");
	ss->never_ehlo = mta_config_bool(cfg, "smtp_never_send_ehlo");
	ss->soft_bounce = mta_config_bool(cfg, "soft_bounce");
	ss->defer_no_mx_addr = mta_config_bool(cfg,
					       "smtp_defer_if_no_mx_address_found");
	ss->want4 = proto == NULL || strstr(proto, "all") || strstr(proto, "ipv4");
	ss->want6 = proto == NULL || strstr(proto, "all") || strstr(proto, "ipv6");
	ss->prefer = pref && strcasecmp(pref, "ipv4") == 0 ? AF_INET :
		pref && strcasecmp(pref, "ipv6") == 0 ? AF_INET6 : 0;
	ss->bind4 = mta_config_str(cfg, "smtp_bind_address");
	ss->bind6 = mta_config_str(cfg, "smtp_bind_address6");
	ss->cache_time = mta_config_time(cfg, "smtp_connection_cache_time_limit");
	ss->reuse_limit = mta_config_int(cfg, "smtp_connection_reuse_count_limit");
}

/* smtp_pre_jail - parameters, the resolver, our own addresses */
static int
smtp_pre_jail(struct mta_daemon_ctx *ctx)
{
	struct smtp_state *ss = &smtp_state;
	struct mta_buf err = MTA_BUF_INIT(512);

	ss->ctx = ctx;
	ss->cfg = ctx->cfg;
	ctx->data = ss;
	ctx->idle = smtp_cache_idle;
	smtp_params(ss, ctx->cfg);
	smtp_local_addrs(ss);
	/* the resolver reads resolv.conf now: the jail may not have it */
	if ((ss->dns = mta_dns_init(ctx->cfg, &err)) == NULL) {
		mta_msg_error("resolver: %s", mta_buf_str(&err));
		mta_buf_release(&err);
		return -1;
	}
	mta_buf_release(&err);
	return 0;
}

/* smtp_pending - how many recipients have no result yet */
size_t
smtp_pending(const struct smtp_req *sr)
{
	size_t n = 0;

	for (size_t i = 0; i < sr->req->nrcpt; i++)
		n += sr->req->rcpt[i].result == MTA_DLV_PENDING;
	return n;
}

/* smtp_fail_set - describe a failure */
void
smtp_fail_set(struct smtp_fail *f, bool hard, const char *dsn,
	      const char *relay, const char *fmt, ...)
{
	va_list ap;

	f->hard = hard;
	snprintf(f->dsn, sizeof(f->dsn), "%s", dsn);
	f->relay = relay ? relay : "none";
	f->diag[0] = '\0';
	va_start(ap, fmt);
	if (vsnprintf(f->reason, sizeof(f->reason), fmt, ap) >=
	    (int)sizeof(f->reason))
		f->reason[sizeof(f->reason) - 1] = '\0';
	va_end(ap);
}

/* smtp_record - one result, through mta_dlv_record */
static void
smtp_record(struct smtp_req *sr, size_t i, enum mta_dlv_result result,
	    const char *dsn, const char *relay, const char *reason,
	    const char *diag)
{
	struct mta_dlv_status st = sr->base;
	char soft[16];

	if (result == MTA_DLV_BOUNCED && sr->ss->soft_bounce) {
		/* soft_bounce: what would bounce waits, as a 4.x.x */
		snprintf(soft, sizeof(soft), "4%s", dsn + 1);
		dsn = soft;
		result = MTA_DLV_DEFERRED;
	}
	st.relay = relay;
	st.dsn = dsn;
	st.reason = reason;
	st.diag = diag && *diag ? diag : NULL;
	(void)mta_dlv_record(&sr->ss->ctx->spool, sr->msg.fd, sr->req,
			     &sr->req->rcpt[i], result, &st);
}

/* smtp_sent - the server took recipient i */
void
smtp_sent(struct smtp_req *sr, size_t i, const struct smtp_conn *c,
	  const char *reason)
{
	smtp_record(sr, i, MTA_DLV_SENT, mta_smtp_reply_dsn(&c->reply),
		    c->relay, reason, NULL);
}

/*
 * smtp_fail_rcpt - recipient i failed: a hard failure bounces; a soft one
 * waits for the next server unless this one is the last, then defers.
 */
void
smtp_fail_rcpt(struct smtp_req *sr, size_t i, const struct smtp_fail *f)
{
	if (sr->req->rcpt[i].result != MTA_DLV_PENDING)
		return;
	if (f->hard) {
		smtp_record(sr, i, MTA_DLV_BOUNCED, f->dsn, f->relay, f->reason,
			    f->diag);
	} else if (sr->final) {
		smtp_record(sr, i, MTA_DLV_DEFERRED, f->dsn, f->relay,
			    f->reason, f->diag);
	} else {
		sr->last = *f;
		sr->tried = true;
	}
}

/* smtp_fail_pending - every recipient still without a result */
void
smtp_fail_pending(struct smtp_req *sr, const struct smtp_fail *f)
{
	for (size_t i = 0; i < sr->req->nrcpt; i++)
		smtp_fail_rcpt(sr, i, f);
}

/* smtp_request - one request: the message, the servers, the results */
static void
smtp_request(void *data, struct mta_dlv_request *req)
{
	struct smtp_state *ss = data;
	struct mta_buf err = MTA_BUF_INIT(512);
	struct smtp_req sr = {.ss = ss, .req = req, .final = true};
	struct smtp_fail f;

	sr.base.relay = "none";
	gettimeofday(&sr.base.start, NULL);
	sr.accepted = mta_calloc(req->nrcpt, sizeof(*sr.accepted));
	if (mta_qread_open(&ss->ctx->spool, req->queue_name, req->queue_id,
			   &sr.msg, &err) < 0) {
		mta_msg_warn("%s: %s", req->queue_id, mta_buf_str(&err));
		smtp_fail_set(&f, false, "4.3.0", "none", "error reading queue "
			      "file: %s", mta_buf_str(&err));
		smtp_fail_pending(&sr, &f);
	} else {
		smtp_deliver(&sr);
	}
	mta_qread_close(&sr.msg);
	free(sr.accepted);
	mta_buf_release(&err);
}

/* smtp_serve - one connection from qmgr: a request, then the statuses */
static void
smtp_serve(struct mta_daemon_ctx *ctx, int client)
{
	mta_dlv_serve(client, smtp_request, ctx->data);
	smtp_cache_idle(ctx);	/* arm the timer that closes it */
}

int
main(int argc, char **argv)
{
	static const struct mta_daemon d = {
		.name = "smtp",
		.mode = MTA_DAEMON_SINGLE,
		.pre_jail = smtp_pre_jail,
		.serve = smtp_serve,
	};

	mta_daemon_main(argc, argv, &d);
}
