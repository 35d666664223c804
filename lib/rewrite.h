/*
 * rewrite - address rewriting as Postfix's trivial-rewrite and cleanup do
 * it, on addresses in internal (unquoted) form.
 *
 * Canonical form (mta_rewrite_addr), in the "local" context:
 *   - "" stays "" (the null address); a lone "@" becomes "";
 *   - a source route "@a,@b:user@d" is dropped: "user@d";
 *   - without '@': "a!b" becomes "b@a" (swap_bangpath), else "u%d"
 *     becomes "u@d" (allow_percent_hack, the last '%'), else "@$myorigin"
 *     is appended (append_at_myorigin);
 *   - "user@host" becomes "user@host.$mydomain" when the domain has no
 *     dot and is no [literal] (append_dot_mydomain);
 *   - one trailing dot of the domain goes.
 * The "remote" context does the same with remote_header_rewrite_domain in
 * place of myorigin and mydomain (nothing is appended when it is empty).
 * A quoted local part ("a!b"@x) is never taken apart.
 *
 * Masquerading (mta_rewrite_masquerade): for each masquerade_domains entry
 * in order, a domain equal to it stops the search unchanged, a domain below
 * it ("host.example.com" under "example.com") becomes it and stops; a
 * "!entry" stops the search without change. A local part listed in
 * masquerade_exceptions (case-insensitively) is never masqueraded.
 * masquerade_classes says where it applies (MTA_MASQ_*).
 *
 * Routing on a local domain (mta_rewrite_unroute, for the resolver): while
 * the domain is one of mydestination (or localhost), "u%d@here" becomes
 * "u@d", "a!b@here" becomes "b@a" and "x@y@here" becomes "x@y", as
 * Postfix's resolver does with allow_percent_hack and swap_bangpath.
 */
#ifndef MTA_REWRITE_H
#define MTA_REWRITE_H

#include <stdbool.h>

#include "buf.h"
#include "config.h"

/* Contexts (Postfix's rewrite_context attribute values). */
#define MTA_REWRITE_LOCAL 0
#define MTA_REWRITE_REMOTE 1

/* masquerade_classes, as bits. */
#define MTA_MASQ_ENV_FROM 0x1 /* envelope_sender */
#define MTA_MASQ_ENV_RCPT 0x2 /* envelope_recipient */
#define MTA_MASQ_HDR_FROM 0x4 /* header_sender */
#define MTA_MASQ_HDR_RCPT 0x8 /* header_recipient */

struct mta_rewrite;

struct mta_rewrite *mta_rewrite_new(struct mta_config *cfg,
                                    struct mta_buf *err);
void mta_rewrite_free(struct mta_rewrite *rw);

/* Canonical form of in (internal form) into out (cleared first). */
int mta_rewrite_addr(const struct mta_rewrite *rw, int context, const char *in,
                     struct mta_buf *out);
/* Masquerade addr in place when class is in masquerade_classes. */
bool mta_rewrite_masquerade(const struct mta_rewrite *rw, int class,
                            struct mta_buf *addr);
/* Is the remote context active (remote_header_rewrite_domain set)? */
bool mta_rewrite_remote_enabled(const struct mta_rewrite *rw);
/* Is domain one of mydestination (plain names; case-insensitive)? */
bool mta_rewrite_is_local(const struct mta_rewrite *rw, const char *domain);
/* Resolve routing left in a local part of a local domain, in place. */
bool mta_rewrite_unroute(const struct mta_rewrite *rw, struct mta_buf *addr);
/* The masquerade_classes bits in effect. */
int mta_rewrite_masq_classes(const struct mta_rewrite *rw);

#endif
