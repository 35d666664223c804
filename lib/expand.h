/*
 * expand - what local(8) does with a recipient before anything is written:
 * aliases, ~/.forward and :include: files, expanded into final deliveries.
 *
 * For one recipient address (mta_expand_rcpt) the result is a list of
 * outcomes, never empty: deliveries (a user's mailbox, "|command",
 * "/file", a remote address to send on), duplicates of a delivery made
 * earlier for the same message (they count as delivered), bounces and
 * defers with an RFC 3463 code and a reason. An alias that expands to
 * nothing bounces; a lookup that cannot answer defers; nothing vanishes.
 *
 * The rules, as Postfix's local(8) has them:
 * - A local part is folded to lower case. With recipient_delimiter (a set
 *   of characters; a delimiter at the start does not count) "user+ext"
 *   is looked up as an alias first, then "user"; a user's mailbox and
 *   .forward are those of "user", and the outcome carries "ext".
 * - An alias whose value names the alias itself ("bob: bob, ann") sends
 *   that member to bob's own mailbox, and a .forward naming its own user
 *   ("\bob") too. Any other loop (a: b, b: a; an include file including
 *   itself) bounces with 5.4.6, as does nesting deeper than depth_limit.
 * - An alias, include file or .forward expanded once for the message is
 *   not expanded again: the later recipient gets a duplicate outcome. A
 *   final delivery made once is a duplicate the second time.
 * - "|command" and "/file" are allowed per source (allow_mail_to_commands,
 *   allow_mail_to_files: "alias, forward, include", Postfix's defaults are
 *   "alias, forward"); refused ones bounce with 5.7.1. The source is the
 *   nearest expansion: an alias, a .forward or an include file. The
 *   recipient address itself is never taken as a command or a file.
 * - A command or file delivery runs as: the owner given for the alias
 *   (uid -1: default_privs), the user of a .forward, the owner of an
 *   include file when not root (else whoever included it).
 * - :include: paths must be absolute; a file that cannot be read defers.
 *
 * Not here yet: owner-NAME aliases (owner_request_special, the sender
 * rewriting to owner-list) and propagate_unmatched_extensions; the check
 * of Delivered-To: headers for forwarding loops belongs to the caller.
 */
#ifndef MTA_EXPAND_H
#define MTA_EXPAND_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

enum mta_exp_kind {
	MTA_EXP_MAILBOX,	/* target: the user name */
	MTA_EXP_FILE,		/* target: the path */
	MTA_EXP_COMMAND,	/* target: the command */
	MTA_EXP_REMOTE,		/* target: the address, to send on */
	MTA_EXP_DUPLICATE,	/* target: what it duplicates; done */
	MTA_EXP_BOUNCE,		/* dsn, target: the reason */
	MTA_EXP_DEFER,		/* dsn, target: the reason */
};

enum mta_exp_via {
	MTA_EXP_VIA_RCPT,	/* the recipient itself */
	MTA_EXP_VIA_ALIAS,
	MTA_EXP_VIA_FORWARD,
	MTA_EXP_VIA_INCLUDE,
};

/* Bits for allow_mail_to_commands and allow_mail_to_files. */
#define MTA_EXP_ALLOW_ALIAS 1
#define MTA_EXP_ALLOW_FORWARD 2
#define MTA_EXP_ALLOW_INCLUDE 4

struct mta_exp_outcome {
	enum mta_exp_kind kind;
	enum mta_exp_via via;	/* the expansion that gave it */
	char *target;
	char *extension;	/* the address extension, or NULL */
	char *delivered;	/* the local address it came through */
	uid_t uid;	/* FILE, COMMAND: run as; (uid_t)-1: default_privs */
	gid_t gid;
	char dsn[12];	/* "2.0.0" for deliveries */
};

struct mta_exp_result {
	struct mta_exp_outcome *v;
	size_t n;
};

struct mta_expand_ops {
	/* 1 found (value and the owner to run as), 0 not found, -1 error */
	int (*alias)(void *ctx, const char *name, const char **value,
		     uid_t *uid, gid_t *gid, struct mta_buf *err);
	/* 1 a local user, 0 no such user, -1 error */
	int (*user)(void *ctx, const char *name, uid_t *uid, gid_t *gid,
		    struct mta_buf *err);
	/* a user's .forward (ext or NULL): 1 lines in value (LF between),
	 * 0 none, -1 error; may be NULL */
	int (*forward)(void *ctx, const char *user, const char *ext,
		       struct mta_buf *value, struct mta_buf *err);
	/* for an address with '@': 1 local (local part in local), 0 remote,
	 * -1 error; NULL: every such address is remote */
	int (*resolve)(void *ctx, const char *addr, struct mta_buf *local,
		       struct mta_buf *err);
	void *ctx;
};

struct mta_expand_opts {
	const char *delimiter;	/* recipient_delimiter; "" or NULL: none */
	unsigned commands;	/* MTA_EXP_ALLOW_* */
	unsigned files;
	int depth_limit;	/* 100 */
	const char *origin;	/* appended to bare names in "delivered" */
};

struct mta_expand;

void mta_expand_opts_init(struct mta_expand_opts *opts);
struct mta_expand *mta_expand_new(const struct mta_expand_ops *ops,
				  const struct mta_expand_opts *opts);
void mta_expand_free(struct mta_expand *x);
void mta_expand_rcpt(struct mta_expand *x, const char *addr,
		     struct mta_exp_result *out);
void mta_exp_result_release(struct mta_exp_result *res);
const char *mta_exp_kind_name(enum mta_exp_kind kind);

int mta_expand_allow_parse(const char *value, unsigned *bits,
			   struct mta_buf *err);

/*
 * An include file or a .forward: a regular file (not a symlink: its name
 * is opened with O_NOFOLLOW), at most MTA_EXPAND_FILE_MAX bytes, read in
 * logical lines (comments, continuation lines) joined with LF. reader:
 * whose permission counts ((uid_t)-1 or 0: anyone); owner: with
 * must_own, the file must belong to it or to root. 1 read (st_uid and
 * st_gid of the file in *uid, *gid), 0 no such file, -1 error (err).
 */
#define MTA_EXPAND_FILE_MAX (1024 * 1024)

int mta_expand_read_file(const char *path, uid_t reader, bool must_own,
			 struct mta_buf *value, uid_t *uid, gid_t *gid,
			 struct mta_buf *err);

/* alias_maps in order (map.h): 1 found, 0 not found, -1 a map failed. */
struct mta_map;
int mta_expand_map_alias(struct mta_map *const *maps, size_t n,
			 const char *name, const char **value,
			 struct mta_buf *err);

#endif
