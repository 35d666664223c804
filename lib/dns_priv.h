/*
 * dns_priv - what the parts of dns share (dns.c: the resolver state and
 * the queries; dns_answer.c: walking a raw answer). Not an interface:
 * only lib/dns*.c and the fuzz harness t/fuzz/dns.c include it.
 *
 * The dns_answer_* functions take the answer bytes as the resolver gave
 * them (buf, len): hostile bytes from the network. They never read
 * outside buf, keep at most the limits below, and every name or text
 * they return is free of control characters (mta_dns_sanitize).
 */
#ifndef MTA_DNS_PRIV_H
#define MTA_DNS_PRIV_H

#include <arpa/nameser.h>
#include <stdbool.h>
#include <stddef.h>

#include "dns.h"

#define DNS_HOSTS_MAX 100	/* MX hosts, PTR names kept */
#define DNS_ADDRS_MAX 64	/* addresses kept per host */

/* A PTR name, as dn_expand gives it. */
typedef char dns_name[NS_MAXDNAME];

/* Whether name can be put in a query: labels of 1-63, at most 253. */
bool dns_name_ok(const char *name);

/* Add one MX host to mx, keeping preference order (stable for ties). */
void dns_mx_add(struct mta_dns_mx *mx, const char *name, int pref);

/* Append the A (type ns_t_a) or AAAA records to a; -1: malformed. */
int dns_answer_addrs(const unsigned char *buf, int len, int type,
		     struct mta_dns_addrs *a);

/*
 * Add the MX hosts with host name syntax to mx (others are skipped);
 * how many were null MX, or -1: malformed.
 */
int dns_answer_mx(const unsigned char *buf, int len, struct mta_dns_mx *mx);

/* The first TXT record's strings joined (free() it), or NULL. */
char *dns_answer_txt(const unsigned char *buf, int len);

/*
 * The PTR names with host name syntax, lower case, into hosts (max of
 * them); how many.
 */
size_t dns_answer_ptr(const unsigned char *buf, int len, dns_name *hosts,
		      size_t max);

#endif
