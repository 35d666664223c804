/*
 * local - the local(8) delivery agent: what its parts share.
 *
 * local.c		the daemon: start-up, one request, the answer
 * local_queue.c	the queue file (lib/qread) and its Delivered-To: headers
 * local_expand.c	alias_maps, users, .forward: the expand.h callbacks
 * local_deliver.c	one outcome of expansion: mailbox, Maildir, file,
 *			command, or a new message for a remote address
 */
#ifndef MTA_LOCAL_H
#define MTA_LOCAL_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "buf.h"
#include "config.h"
#include "daemon.h"
#include "deliver.h"
#include "dlv.h"
#include "expand.h"
#include "map.h"
#include "qread.h"

#define LOCAL_DELIVERED_MAX 1000	/* Delivered-To: headers remembered */

/* What the daemon keeps between requests. */
struct local_state {
	struct mta_daemon_ctx *ctx;
	struct mta_config *cfg;
	struct mta_map **maps;	/* alias_maps; NULL where one failed to open */
	char **map_specs;
	size_t nmaps;
	char **mydest;	/* the domains of mydestination, lower case */
	size_t nmydest;
	struct mta_expand_opts xopts;
	bool root;
	uid_t nobody_uid;	/* default_privs */
	gid_t nobody_gid;
	bool nobody_ok;
};

/* One message being delivered. */
struct local_msg {
	struct mta_qread q;	/* the queue file: fd, content, DSN fields */
	char **delivered;	/* Delivered-To: values, lower case */
	size_t ndelivered;
};

/* One request being served. */
struct local_req {
	struct local_state *ls;
	struct mta_dlv_request *req;
	struct local_msg *msg;
	const char *top;	/* the recipient being expanded */
};

/* local_queue.c */
int local_msg_open(struct local_state *ls, const struct mta_dlv_request *req,
		   struct local_msg *m, struct mta_dstatus *st);
void local_msg_close(struct local_msg *m);
bool local_msg_delivered(const struct local_msg *m, const char *addr);

/* local_expand.c */
void local_maps_open(struct local_state *ls);
void local_maps_refresh(struct local_state *ls);
void local_maps_close(struct local_state *ls);
void local_mydest_init(struct local_state *ls);
void local_expand_ops(struct local_req *lr, struct mta_expand_ops *ops);

/* local_deliver.c */
void local_deliver(struct local_req *lr, const struct mta_dlv_rcpt *r,
		   const struct mta_exp_outcome *o, struct mta_dstatus *st);

#endif
