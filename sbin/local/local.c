/*
 * local - the local delivery agent: qmgr hands it the recipients of a
 * message whose domain is ours (private/local, lib/dlv.h); it expands
 * aliases, :include: files and .forward files (lib/expand.h) and delivers
 * to mailboxes, Maildirs, files and commands as the recipient, or sends
 * the message on to an address elsewhere as a new message. See local(8).
 */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "local.h"
#include "mem.h"
#include "msg.h"
#include "priv.h"

#define LOCAL_REASON_MAX 1000

static struct local_state local_state;

/* local_pre_jail - what local needs from outside: maps, users, options */
static int
local_pre_jail(struct mta_daemon_ctx *ctx)
{
	struct local_state *ls = &local_state;
	struct mta_buf err = MTA_BUF_INIT(512);
	const char *delim = mta_config_str(ctx->cfg, "recipient_delimiter");

	ls->ctx = ctx;
	ls->cfg = ctx->cfg;
	ctx->data = ls;
	ls->root = geteuid() == 0;
	mta_expand_opts_init(&ls->xopts);
	ls->xopts.delimiter = delim ? delim : "";
	ls->xopts.origin = mta_config_str(ctx->cfg, "myorigin");
	if (mta_expand_allow_parse(mta_config_str(ctx->cfg,
			"allow_mail_to_commands"), &ls->xopts.commands, &err) < 0 ||
	    mta_expand_allow_parse(mta_config_str(ctx->cfg,
			"allow_mail_to_files"), &ls->xopts.files, &err) < 0) {
		mta_msg_error("%s", mta_buf_str(&err));
		mta_buf_release(&err);
		return -1;
	}
	ls->nobody_ok = mta_priv_lookup(mta_config_str(ctx->cfg,
			"default_privs"), &ls->nobody_uid, &ls->nobody_gid,
					&err) == 0;
	if (!ls->nobody_ok && ls->root)
		mta_msg_warn("default_privs: %s", mta_buf_str(&err));
	local_mydest_init(ls);
	local_maps_open(ls);
	mta_buf_release(&err);
	return 0;
}

/* What the outcomes of one recipient add up to. */
struct local_sum {
	struct mta_dstatus st;	/* the worst result, and its reasons */
	bool only_dups;	/* st comes from duplicates alone */
	size_t n;
};

/* combine - add one outcome: a defer wins, then a bounce, then success */
static void
combine(struct local_sum *sum, const struct mta_dstatus *one, bool dup)
{
	struct mta_dstatus *all = &sum->st;
	size_t n = strlen(all->text);

	if (sum->n++ == 0 || one->status > all->status ||
	    (sum->only_dups && !dup && one->status == all->status)) {
		*all = *one;
		sum->only_dups = dup;
		return;
	}
	if (one->status < all->status || dup || n >= LOCAL_REASON_MAX)
		return;
	/* several deliveries with the same result: name them all */
	if (snprintf(all->text + n, sizeof(all->text) - n, "; %.*s",
		     LOCAL_REASON_MAX / 2, one->text) >= (int)(sizeof(all->text) - n))
		all->text[sizeof(all->text) - 1] = '\0';
}

/* local_rcpt - expand and deliver one recipient, then record the result */
static void
local_rcpt(struct local_req *lr, struct mta_expand *x, struct mta_dlv_rcpt *r,
	   const struct mta_dlv_status *base)
{
	static const enum mta_dlv_result res[] = {MTA_DLV_SENT,
		MTA_DLV_DEFERRED, MTA_DLV_BOUNCED};
	struct mta_dlv_status dst = *base;
	struct mta_exp_result out;
	struct local_sum sum = {0};
	struct mta_dstatus *all = &sum.st, one;

	lr->top = r->address;
	if (local_msg_delivered(lr->msg, r->address)) {
		mta_dstatus_set(all, "5.4.6", "mail forwarding loop for %s",
				r->address);
	} else {
		mta_expand_rcpt(x, r->address, &out);
		for (size_t i = 0; i < out.n; i++) {
			local_deliver(lr, r, &out.v[i], &one);
			combine(&sum, &one, out.v[i].kind == MTA_EXP_DUPLICATE);
		}
		mta_exp_result_release(&out);
	}
	dst.dsn = all->dsn;
	dst.reason = all->text;
	(void)mta_dlv_record(&lr->ls->ctx->spool, lr->msg->q.fd, lr->req, r,
			     res[all->status], &dst);
}

/* local_defer_all - the message cannot be read: everyone waits */
static void
local_defer_all(struct local_req *lr, const struct mta_dstatus *why,
		const struct mta_dlv_status *base)
{
	struct mta_dlv_status dst = *base;

	dst.dsn = why->dsn;
	dst.reason = why->text;
	for (size_t i = 0; i < lr->req->nrcpt; i++)
		(void)mta_dlv_record(&lr->ls->ctx->spool, -1, lr->req,
				     &lr->req->rcpt[i], MTA_DLV_DEFERRED, &dst);
}

/* local_request - one request: the message, each recipient, in order */
static void
local_request(void *data, struct mta_dlv_request *req)
{
	struct local_state *ls = data;
	struct mta_dlv_status base = {.relay = "local"};
	struct local_msg msg;
	struct local_req lr = {.ls = ls, .req = req, .msg = &msg};
	struct mta_expand_ops ops;
	struct mta_dstatus why;
	struct mta_expand *x;

	gettimeofday(&base.start, NULL);
	local_maps_refresh(ls);
	if (local_msg_open(ls, req, &msg, &why) < 0) {
		local_defer_all(&lr, &why, &base);
		local_msg_close(&msg);
		return;
	}
	local_expand_ops(&lr, &ops);
	x = mta_expand_new(&ops, &ls->xopts);
	for (size_t i = 0; i < req->nrcpt; i++)
		local_rcpt(&lr, x, &req->rcpt[i], &base);
	mta_expand_free(x);
	local_msg_close(&msg);
}

/* local_serve - one connection from qmgr: a request, then the statuses */
static void
local_serve(struct mta_daemon_ctx *ctx, int client)
{
	mta_dlv_serve(client, local_request, ctx->data);
}

int
main(int argc, char **argv)
{
	static const struct mta_daemon d = {
		.name = "local",
		.mode = MTA_DAEMON_SINGLE,
		.pre_jail = local_pre_jail,
		.serve = local_serve,
	};

	mta_daemon_main(argc, argv, &d);
}
