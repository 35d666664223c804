/*
 * netlist - a list of clients or domains as main.cf writes them for
 * mynetworks, relay_domains, smtpd_forbid_bare_newline_exclusions,
 * smtpd_client_event_limit_exceptions (Postfix's namadr_list and
 * domain_list):
 *
 *	192.0.2.0/24, [2001:db8::]/32, [::1]/128	networks
 *	192.0.2.7, [192.0.2.7], 2001:db8::1		one address
 *	example.com, .example.com			host or domain names
 *	type:table					a map: the name (and its
 *							parent domains) or the
 *							address is looked up
 *	/file/name					more patterns, one file
 *	!pattern					a match means "no"
 *
 * Entries are separated by commas or white space; "inline:{a, b}" keeps
 * its braces together. The first entry that matches decides; no match is
 * "no". With MTA_NETLIST_PARENT (the list's name is in
 * parent_domain_matches_subdomains) "example.com" also matches every name
 * below it; ".example.com" always does. Names compare without case.
 *
 * Maps and files are opened by mta_netlist_new(), once (before a daemon
 * chroots). A map that cannot answer makes mta_netlist_match() return -1:
 * callers must treat that as "try again later", never as "no".
 */
#ifndef MTA_NETLIST_H
#define MTA_NETLIST_H

#include <stdbool.h>

#include "buf.h"

#define MTA_NETLIST_PARENT 1	/* "example.com" matches its subdomains */

#define MTA_NETLIST_FILE_DEPTH 10	/* /file within /file ... */
#define MTA_NETLIST_LINE_MAX 4096

struct mta_netlist;

/*
 * Compile value (the text of parameter param, for messages). Returns NULL
 * with err filled ("mynetworks: bad network \"1.2.3.4/24\": ...") when an
 * entry cannot be used: a list with a hole is no list.
 */
struct mta_netlist *mta_netlist_new(const char *param, const char *value,
				    int flags, struct mta_buf *err);
void mta_netlist_free(struct mta_netlist *l);

/*
 * 1 match, 0 no match, -1 a map failed (err says which, may be NULL).
 * name: a host or domain name or NULL; addr: an address in text or NULL.
 */
int mta_netlist_match(const struct mta_netlist *l, const char *name,
		      const char *addr, struct mta_buf *err);

/* Number of entries (a /file counts its own). */
size_t mta_netlist_count(const struct mta_netlist *l);

/*
 * The next entry of a list text: separators are commas and white space,
 * except inside {...} (nesting counted). Cuts the text in place; NULL at
 * the end. Restriction lists use the same rule.
 */
char *mta_netlist_token(char **cp);

#endif
