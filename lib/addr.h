/*
 * addr - mail addresses: RFC 5321 paths as SMTP gives them, the internal
 * and external forms, and RFC 5322 address lists as headers carry them.
 *
 * Forms (as Postfix): the *internal* form is unquoted, so a local part may
 * hold spaces, '@', '"' and so on ("a b"@example.com is a b@example.com);
 * the *external* form quotes the local part where RFC 5322 requires it.
 * The local part ends at the LAST '@' of the internal form. A source route
 * "@a,@b:" is never part of an address here: mta_path_parse() returns it
 * apart so that callers can refuse or drop it.
 *
 * Lists (addrlist.c): mta_tok_scan() is the RFC 822 tokenizer that header
 * parsing and the aliases(5) parser share (atoms, quoted strings, nested
 * comments, [domain literals], one-character operators including Postfix's
 * '%', '!' and '|'); mta_addrlist_next() walks a From:/To:/Cc: value and
 * gives each address with the offsets of its addr-spec in the text, so that
 * a rewrite can replace exactly those bytes. Nothing here reads past the
 * length it is given, and garbage gives a best-effort address or none.
 */
#ifndef MTA_ADDR_H
#define MTA_ADDR_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* RFC 5321 section 4.5.3.1 */
#define MTA_ADDR_LOCAL_MAX 64
#define MTA_ADDR_DOMAIN_MAX 255
#define MTA_ADDR_PATH_MAX 256

/* mta_path_parse() flags; 0 is the strict form: "<local@domain>" only. */
#define MTA_PATH_BARE 1		/* also accept an address without <> */
#define MTA_PATH_UTF8 2		/* SMTPUTF8: accept 8-bit bytes */
#define MTA_PATH_NULL_OK 4	/* accept "<>" (MAIL FROM) */
#define MTA_PATH_LOCAL_OK 8	/* accept a local part without @domain */

struct mta_path {
	char addr[MTA_ADDR_PATH_MAX + 1];	/* internal form; "" for <> */
	char route[MTA_ADDR_PATH_MAX + 1];	/* "@a,@b" or "" */
	size_t local_len;	/* addr[0..local_len) is the local part */
	bool quoted;		/* the local part was a quoted string */
	bool eightbit;		/* some byte >= 0x80 */
	size_t end;		/* offset after the path: ESMTP parameters */
};

int mta_path_parse(const char *text, size_t len, int flags,
		   struct mta_path *path, struct mta_buf *err);

/* Internal <-> external form (a leading source route is left as is). */
int mta_addr_quote(struct mta_buf *out, const char *internal);
int mta_addr_unquote(struct mta_buf *out, const char *external);

/* Parts of an internal-form address. */
const char *mta_addr_domain(const char *addr);	/* after the last '@' */
size_t mta_addr_local_len(const char *addr);
char *mta_addr_lower_domain(char *addr);
bool mta_addr_is_routed(const char *addr);

/* RFC 822 tokens (addrlist.c). Operators are their own character. */
#define MTA_TOK_ATOM 256
#define MTA_TOK_QSTRING 257
#define MTA_TOK_COMMENT 258
#define MTA_TOK_DOMLIT 259

struct mta_tok {
	int type;	/* MTA_TOK_* or an operator character */
	size_t start, end;	/* the raw bytes in the text */
};

bool mta_tok_is_op(int ch);
int mta_tok_scan(const char *text, size_t len, size_t *pos,
		 struct mta_tok *tok, struct mta_buf *value);
int mta_tok_internalize(struct mta_buf *out, const char *text,
			const struct mta_tok *toks, size_t n, bool comments);
int mta_tok_externalize(struct mta_buf *out, const char *text,
			const struct mta_tok *toks, size_t n);

/* RFC 5322 address lists (addrlist.c). */
struct mta_addrlist {
	const char *text;
	size_t len;
	size_t pos;
	size_t group_end;	/* a ':' before this offset opens a group */
	bool in_group;
};

struct mta_addrlist_item {
	size_t start, end;	/* the addr-spec: text[start..end) */
	bool angle;		/* it was written <...> */
	bool route;		/* an obsolete route was dropped */
	struct mta_buf addr;	/* internal form */
};

void mta_addrlist_init(struct mta_addrlist *list, const char *text,
		       size_t len);
void mta_addrlist_item_init(struct mta_addrlist_item *item);
void mta_addrlist_item_release(struct mta_addrlist_item *item);
int mta_addrlist_next(struct mta_addrlist *list,
		      struct mta_addrlist_item *item);

#endif
