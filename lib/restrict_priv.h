/*
 * restrict_priv.h - what the restrict*.c files share: compiled lists,
 * the evaluation context of one check, and the session memory. Not for
 * use outside lib/restrict*.c.
 */
#ifndef MTA_RESTRICT_PRIV_H
#define MTA_RESTRICT_PRIV_H

#include <stdarg.h>

#include "htable.h"
#include "map.h"
#include "netlist.h"
#include "restrict.h"
#include "rewrite.h"

#define RST_RECURSION_MAX 100	/* access values and classes nest this deep */
#define RST_VALUE_CACHE_MAX 1024	/* compiled access-table values kept */

/* What one restriction does. */
enum rst_op {
	OP_ERROR,	/* unknown name or bad argument: 451 4.3.5 */
	OP_PERMIT, OP_REJECT, OP_DEFER,
	OP_DEFER_IF_PERMIT, OP_DEFER_IF_REJECT, OP_WARN_IF_REJECT,
	OP_PERMIT_MYNETWORKS, OP_PERMIT_SASL,
	OP_REJECT_UNAUTH_DEST, OP_DEFER_UNAUTH_DEST, OP_PERMIT_AUTH_DEST,
	OP_CHECK_CLIENT, OP_CHECK_HELO, OP_CHECK_SENDER, OP_CHECK_RCPT,
	OP_RBL_CLIENT,
	OP_NON_FQDN_HELO, OP_INVALID_HELO,
	OP_NON_FQDN_SENDER, OP_NON_FQDN_RCPT,
	OP_UNKNOWN_SENDER_DOMAIN, OP_UNKNOWN_RCPT_DOMAIN,
	OP_UNKNOWN_CLIENT,
	OP_UNLISTED_RCPT, OP_UNAUTH_PIPELINING,
	OP_CLASS,	/* a smtpd_restriction_classes name */
};

/* A map opened once for every restriction that names it. */
struct rst_map {
	struct mta_map *map;	/* NULL: it could not be opened */
	char *spec;
	char *error;
};

struct rst_list;

struct rst_item {
	enum rst_op op;
	char *name;		/* as written, for messages */
	char *arg;		/* rbl zone ("zone" or "zone=addr") */
	struct rst_map *map;	/* check_*_access */
	struct rst_list *cls;	/* OP_CLASS */
};

struct rst_list {
	struct rst_item *v;
	size_t n;
};

/* The lists of main.cf, by place. */
enum rst_which {
	RST_L_CLIENT, RST_L_HELO, RST_L_SENDER, RST_L_RELAY, RST_L_RCPT,
	RST_L_DATA, RST_L_COUNT
};

/* local_recipient_maps: maps, and unix:passwd.byname as a name set. */
struct rst_lrmaps {
	struct rst_map **maps;
	size_t n;
	bool passwd;		/* unix:passwd.byname is one of them */
	bool passwd_live;	/* too many users to copy: ask getpwnam */
	struct mta_htable users;	/* the passwd names, lower case */
	bool set;		/* local_recipient_maps is not empty */
};

struct mta_restrict {
	struct mta_config *cfg;
	struct mta_dns *dns;	/* the caller's */
	struct mta_rewrite *rw;
	struct mta_netlist *mynetworks;	/* NULL: broken (error logged) */
	struct mta_netlist *relay_domains;	/* NULL: broken */
	struct mta_htable maps;		/* spec -> struct rst_map */
	struct mta_htable classes;	/* name -> struct rst_list */
	struct mta_htable values;	/* access value -> struct rst_list */
	struct rst_list lists[RST_L_COUNT];
	struct rst_lrmaps lrmaps;
	bool delay_reject, soft_bounce, parent_access, reject_unlisted;
	bool relay_guard_missing;
	int access_reject_code, access_defer_code, reject_code, defer_code;
	int relay_code, rbl_code, non_fqdn_code, bad_name_code;
	int unknown_addr_code, unknown_local_code, unknown_client_code;
	char *null_key, *rcpt_delim, *rbl_template;
	struct mta_htable warned;	/* startup warnings said once */
};

/* Check results inside a list walk. */
#define RST_DUNNO 0
#define RST_OK 1
#define RST_REJECT 2

/* Error classes: only policy rejects can become warnings. */
#define RST_POLICY 0
#define RST_SOFTWARE 1

/* A reply kept for later (defer_if_permit, defer_if_reject). */
struct rst_defer {
	bool active;
	int code;
	char dsn[8];
	char text[MTA_RST_TEXT_MAX];
};

/* What parts of the session a list walk looked at (cache keys). */
#define RST_USE_HELO 1
#define RST_USE_SENDER 2
#define RST_USE_RCPT 4

/* One mta_restrict_check() call. */
struct rst_eval {
	struct mta_restrict *r;
	struct mta_rst_client *c;
	const char *cmd;
	struct mta_rst_verdict *v;
	int recursion;
	int warn_if_reject;
	struct rst_defer dip, dir;	/* defer_if_permit, defer_if_reject */
	bool discard, hold;
	bool unlisted_checked;
	unsigned used;
	char namaddr[600];	/* "name[addr]" */
};

/* Remembered list walks (smtpd_delay_reject) and the transaction. */
struct rst_cache {
	bool valid;
	unsigned used;
	char *helo, *sender;
	int status;
	struct mta_rst_verdict v;
	struct rst_defer dip;
	bool discard, hold;
};

struct rst_session {
	struct rst_cache list[3];	/* client, helo, sender */
	struct rst_defer dip[3];	/* their defer_if_permit, when run alone */
	bool txn_discard, txn_hold;
};

/* restrict.c */
struct rst_list *rst_compile_value(struct mta_restrict *r, const char *value,
				   enum rst_op def_acl, bool *owned);
void rst_value_free(struct rst_list *l);
void rst_warn_once(struct mta_restrict *r, const char *fmt, ...)
	MTA_PRINTF(2, 3);

/* restrict_eval.c */
int rst_eval_list(struct rst_eval *ev, const struct rst_list *list,
		  const char *reply_name, const char *reply_class,
		  enum rst_op def_acl);
int rst_reject(struct rst_eval *ev, int errclass, int code, const char *dsn,
	       const char *fmt, ...) MTA_PRINTF(5, 6);
int rst_server_error(struct rst_eval *ev);
void rst_defer_if(struct rst_defer *d, int code, const char *dsn,
		  const char *fmt, ...) MTA_PRINTF(4, 5);
void rst_log(struct rst_eval *ev, const char *what, const char *text);
const char *rst_helo(struct rst_eval *ev);
const char *rst_sender(struct rst_eval *ev);
const char *rst_rcpt(struct rst_eval *ev);
const char *rst_dsn_fix(const char *dsn, const char *reply_class);
const char *rst_dsn_split(const char *text, const char *def, char dsn[8]);

/* restrict_access.c */
int rst_check_client_access(struct rst_eval *ev, const struct rst_item *it);
int rst_check_helo_access(struct rst_eval *ev, const struct rst_item *it);
int rst_check_sender_access(struct rst_eval *ev, const struct rst_item *it);
int rst_check_rcpt_access(struct rst_eval *ev, const struct rst_item *it);

/* restrict_addr.c */
int rst_canonical(struct mta_restrict *r, const char *addr,
		  struct mta_buf *out);
bool rst_routed(const char *canon);
int rst_auth_destination(struct rst_eval *ev, const char *rcpt);
int rst_unauth_destination(struct rst_eval *ev, int code, const char *dsn);
int rst_non_fqdn_helo(struct rst_eval *ev);
int rst_invalid_helo(struct rst_eval *ev);
int rst_non_fqdn_addr(struct rst_eval *ev, const char *addr,
		      const char *reply_class);
int rst_unknown_domain(struct rst_eval *ev, const char *addr,
		       const char *reply_class);

/* restrict_rcpt.c */
int rst_lrmaps_open(struct mta_restrict *r, struct mta_buf *err);
void rst_lrmaps_free(struct rst_lrmaps *l);
int rst_unlisted_rcpt(struct rst_eval *ev, const char *rcpt);

/* restrict_rbl.c */
int rst_rbl_client(struct rst_eval *ev, const struct rst_item *it);

#endif
