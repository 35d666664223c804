/*
 * smtpd - the SMTP server (RFC 5321), one session at a time in each
 * process of master's pool. See smtpd(8) and smtpd.h for its parts.
 */
#include <string.h>

#include "msg.h"
#include "smtpd.h"

static struct smtpd smtpd;

/* smtpd_pre_jail - tables, resolver, connection table: before the chroot */
static int
smtpd_pre_jail(struct mta_daemon_ctx *ctx)
{
	struct mta_buf err = MTA_BUF_INIT(1024);
	int rc = smtpd_init(&smtpd, ctx->cfg, &ctx->spool, ctx->service, true,
			    &err);

	if (rc < 0)
		mta_msg_error("%s", mta_buf_str(&err));
	mta_buf_release(&err);
	ctx->data = &smtpd;
	return rc;
}

/* smtpd_serve - one client */
static void
smtpd_serve(struct mta_daemon_ctx *ctx, int client)
{
	smtpd_session(ctx->data, client);
}

int
main(int argc, char **argv)
{
	static const struct mta_daemon d = {
		.name = "smtpd",
		.mode = MTA_DAEMON_SINGLE,
		.pre_jail = smtpd_pre_jail,
		.serve = smtpd_serve,
	};

	mta_daemon_main(argc, argv, &d);
}
