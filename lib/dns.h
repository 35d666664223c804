/*
 * dns - MX, address and DNSBL lookups through the C library's resolver
 * (res_ninit/res_nquery/ns_initparse).
 *
 * A struct mta_dns holds one resolver state; there is no other global
 * state. Its servers come from main.cf's extension mta_resolver_servers
 * ("ADDR", "ADDR:PORT" or "[ADDR]:PORT", comma or space separated, IPv4
 * only, at most MAXNS): empty means /etc/resolv.conf. Time limits are
 * small (2 s, 2 tries) so that a dead server cannot hang a daemon.
 *
 * Every lookup returns a result the caller frees, with a status:
 * MTA_DNS_OK, MTA_DNS_NOTFOUND (permanent: NXDOMAIN, no such record, null
 * MX) or MTA_DNS_TEMP (SERVFAIL, REFUSED, timeout, malformed answer), and
 * a one-line reason for logs. Reasons and TXT texts never hold control
 * characters: they come from outside and may end up in a reply or a log.
 */
#ifndef MTA_DNS_H
#define MTA_DNS_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "config.h"

enum mta_dns_status {
	MTA_DNS_OK = 0,
	MTA_DNS_NOTFOUND,	/* permanent */
	MTA_DNS_TEMP,		/* try again later */
};

#define MTA_DNS_REASON_MAX 256
#define MTA_DNS_TXT_MAX 1024	/* a DNSBL reason is cut there */

/* One address: family AF_INET or AF_INET6, bytes in network order. */
struct mta_dns_ip {
	int family;
	unsigned char addr[16];
	char text[46];		/* INET6_ADDRSTRLEN */
};

/* Addresses of one host, A records first, then AAAA. */
struct mta_dns_addrs {
	enum mta_dns_status status;
	char reason[MTA_DNS_REASON_MAX];
	size_t n;
	struct mta_dns_ip *ip;
};

struct mta_dns_mxhost {
	char *name;
	int pref;
	struct mta_dns_addrs addrs;
};

/*
 * MX hosts in preference order (equal preferences keep the server's
 * order). With no MX record the domain itself is the one host, and
 * implicit is set (RFC 5321 5.1). The status is OK when at least one host
 * has an address; else TEMP if any host lookup failed temporarily. MX
 * names that are no host names (letters, digits, '-', '_') are skipped.
 */
struct mta_dns_mx {
	enum mta_dns_status status;
	char reason[MTA_DNS_REASON_MAX];
	bool implicit;
	size_t n;
	struct mta_dns_mxhost *host;
};

/*
 * A DNSBL answer: status OK with listed true or false (NXDOMAIN is "not
 * listed"), or TEMP. The reply addresses (127.0.0.x) and the TXT text
 * (sanitized; NULL when there is none) come with a listing.
 */
struct mta_dns_rbl {
	enum mta_dns_status status;
	char reason[MTA_DNS_REASON_MAX];
	bool listed;
	size_t n;
	struct mta_dns_ip *ip;
	char *txt;
};

struct mta_dns;

/* Resolver state from cfg's mta_resolver_servers (cfg may be NULL). */
struct mta_dns *mta_dns_init(struct mta_config *cfg, struct mta_buf *err);
/* The same from a server list ("" or NULL: /etc/resolv.conf). */
struct mta_dns *mta_dns_init_servers(const char *servers, struct mta_buf *err);
void mta_dns_free(struct mta_dns *dns);

struct mta_dns_mx *mta_dns_mx(struct mta_dns *dns, const char *domain);
void mta_dns_mx_free(struct mta_dns_mx *mx);

struct mta_dns_addrs *mta_dns_addr(struct mta_dns *dns, const char *host);
void mta_dns_addrs_free(struct mta_dns_addrs *a);

/* zone: the DNSBL domain; client: an IPv4 or IPv6 address in text. */
struct mta_dns_rbl *mta_dns_rbl(struct mta_dns *dns, const char *zone,
				const char *client);
void mta_dns_rbl_free(struct mta_dns_rbl *r);

/* The DNSBL query name for client in zone; -1 if client is no address. */
int mta_dns_rbl_name(struct mta_buf *out, const char *zone,
		     const char *client);

/*
 * Does domain take mail? OK when it has an MX record (not a null MX) or,
 * without MX, an A or AAAA record; the MX hosts are not resolved (as
 * Postfix's reject_unknown_sender_domain). NOTFOUND with *nullmx set for
 * a null MX (RFC 7505). reason: MTA_DNS_REASON_MAX bytes.
 */
enum mta_dns_status mta_dns_mailhost(struct mta_dns *dns, const char *domain,
				     bool *nullmx, char *reason);

/*
 * The verified host name of a client address (smtpd_peername_lookup):
 * its PTR names, each confirmed by a forward A/AAAA lookup that gives the
 * address back. name gets the first confirmed name (lower case, valid
 * host name syntax), else "unknown". OK, NOTFOUND (no PTR, or no name
 * confirms: logged as a warning), TEMP (a lookup failed for now).
 */
enum mta_dns_status mta_dns_client_name(struct mta_dns *dns, const char *addr,
					struct mta_buf *name);

/* Replace control characters and non-ASCII bytes by '?' (in place). */
char *mta_dns_sanitize(char *s);

const char *mta_dns_status_str(enum mta_dns_status st);

#endif
