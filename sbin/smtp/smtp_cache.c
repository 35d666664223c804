/*
 * smtp_cache - after a delivery the connection stays open in this
 * process for smtp_connection_cache_time_limit seconds; the next request
 * for the same next hop that comes to this process sends RSET and uses
 * it (no DNS lookup, no connect, no greeting, no EHLO). The daemon's idle
 * timer closes it when no such request comes.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mem.h"
#include "msg.h"
#include "smtp.h"

/* smtp_cache_take - the cached connection for this next hop, reset */
struct smtp_conn *
smtp_cache_take(struct smtp_req *sr)
{
	struct smtp_state *ss = sr->ss;
	struct smtp_conn *c = ss->cached;
	struct smtp_fail f;

	if (c == NULL)
		return NULL;
	ss->cached = NULL;
	if (strcmp(c->nexthop, sr->req->nexthop) != 0 ||
	    time(NULL) - c->idle_since >= ss->cache_time) {
		smtp_quit(ss, c);
		return NULL;
	}
	c->stage = "sending RSET";
	smtp_printf(c, "RSET");
	if (smtp_reply(c, ss->t_rset) < 0 || c->reply.code / 100 != 2) {
		smtp_io_fail(c, &f);
		if (mta_msg_verbose)
			mta_msg_info("cached connection: %s", f.reason);
		smtp_conn_free(c);	/* silently: a fresh one is tried */
		return NULL;
	}
	return c;
}

/* smtp_cache_put - keep a healthy connection, or say goodbye */
void
smtp_cache_put(struct smtp_req *sr, struct smtp_conn *c)
{
	struct smtp_state *ss = sr->ss;

	if (c->broken || ss->cache_time <= 0 ||
	    (ss->reuse_limit > 0 && c->uses >= ss->reuse_limit)) {
		smtp_quit(ss, c);
		return;
	}
	if (ss->cached)
		smtp_quit(ss, ss->cached);
	free(c->nexthop);
	c->nexthop = mta_strdup(sr->req->nexthop);
	c->idle_since = time(NULL);
	ss->cached = c;
}

/* smtp_cache_idle - close an expired connection; arm the daemon's timer */
void
smtp_cache_idle(struct mta_daemon_ctx *ctx)
{
	struct smtp_state *ss = ctx->data;
	time_t left;

	ctx->idle_timer = 0;
	if (ss == NULL || ss->cached == NULL)
		return;
	left = ss->cached->idle_since + ss->cache_time - time(NULL);
	if (left <= 0) {
		smtp_quit(ss, ss->cached);
		ss->cached = NULL;
		return;
	}
	ctx->idle_timer = (long)left;
}
