/*
 * dns_answer - walk a raw DNS answer (MX, A/AAAA, TXT, PTR records) into
 * the result structs of dns.h. The bytes come from the network: see
 * dns_priv.h for what these functions promise about them.
 */
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <ctype.h>
#include <resolv.h>
#include <stdlib.h>
#include <string.h>

#include "dns_priv.h"
#include "mem.h"
#include "str.h"

/* Outside text goes into replies and logs: keep printable ASCII only. */
char *
mta_dns_sanitize(char *s)
{
	for (unsigned char *p = (unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p >= 0x7f)
			*p = '?';
	return s;
}

/* Whether name can be put in a query: labels of 1-63, at most 253. */
bool
dns_name_ok(const char *name)
{
	size_t len = strlen(name), label = 0;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (name[i] != '.')
			label++;
		else if (label == 0)
			return false;
		else
			label = 0;
		if (label > 63)
			return false;
	}
	return label > 0;
}

/* dns_host_syntax - letters, digits, '-', '_' in dot-separated labels */
static bool
dns_host_syntax(const char *name)
{
	if (!dns_name_ok(name))
		return false;
	for (const char *p = name; *p; p++)
		if (!(isalnum((unsigned char)*p) || *p == '-' || *p == '_' ||
		      *p == '.'))
			return false;
	return true;
}

/* Open an answer for walking; its answer-section count, or -1. */
static int
dns_open(const unsigned char *buf, int len, ns_msg *handle)
{
	if (buf == NULL || len < 0 || ns_initparse(buf, len, handle) < 0)
		return -1;
	return ns_msg_count(*handle, ns_s_an);
}

/* Whether the answer record i is of type; fills rr. */
static bool
dns_record(ns_msg *handle, int i, int type, ns_rr *rr)
{
	if (ns_parserr(handle, ns_s_an, i, rr) < 0)
		return false;
	return ns_rr_class(*rr) == ns_c_in && (int)ns_rr_type(*rr) == type;
}

/* Append the A (or AAAA) records of an answer to a. */
int
dns_answer_addrs(const unsigned char *buf, int len, int type,
		 struct mta_dns_addrs *a)
{
	int family = type == ns_t_a ? AF_INET : AF_INET6;
	size_t size = type == ns_t_a ? 4 : 16;
	ns_msg handle;
	int count = dns_open(buf, len, &handle);
	ns_rr rr;

	for (int i = 0; i < count && a->n < DNS_ADDRS_MAX; i++) {
		if (!dns_record(&handle, i, type, &rr) ||
		    ns_rr_rdlen(rr) != size)
			continue;
		a->ip = mta_reallocarray(a->ip, a->n + 1, sizeof(*a->ip));
		struct mta_dns_ip *ip = &a->ip[a->n++];
		memset(ip, 0, sizeof(*ip));
		ip->family = family;
		memcpy(ip->addr, ns_rr_rdata(rr), size);
		inet_ntop(family, ip->addr, ip->text, sizeof(ip->text));
	}
	return count < 0 ? -1 : 0;
}

/* Append one MX host, keeping preference order (stable for ties). */
void
dns_mx_add(struct mta_dns_mx *mx, const char *name, int pref)
{
	size_t i;

	mx->host = mta_reallocarray(mx->host, mx->n + 1, sizeof(*mx->host));
	for (i = mx->n; i > 0 && mx->host[i - 1].pref > pref; i--)
		mx->host[i] = mx->host[i - 1];
	memset(&mx->host[i], 0, sizeof(mx->host[i]));
	mx->host[i].name = mta_str_lower(mta_strdup(name));
	mx->host[i].pref = pref;
	mx->n++;
}

/* Read the MX records with host name syntax; how many were null MX. */
int
dns_answer_mx(const unsigned char *buf, int len, struct mta_dns_mx *mx)
{
	ns_msg handle;
	int count = dns_open(buf, len, &handle), nulls = 0;
	char name[NS_MAXDNAME];
	ns_rr rr;

	for (int i = 0; i < count && mx->n < DNS_HOSTS_MAX; i++) {
		if (!dns_record(&handle, i, ns_t_mx, &rr) ||
		    ns_rr_rdlen(rr) < 3)
			continue;
		const unsigned char *rd = ns_rr_rdata(rr);
		if (dn_expand(buf, buf + len, rd + 2, name, sizeof(name)) < 0)
			continue;
		if (name[0] == '\0' || strcmp(name, ".") == 0)
			nulls++;
		else if (dns_host_syntax(name))
			dns_mx_add(mx, name, ns_get16(rd));
		/*
		 * else skip it, as Postfix does: dn_expand writes odd bytes as
		 * \DDD, and such a name would go into logs and bounces
		 */
	}
	return count < 0 ? -1 : nulls;
}

/* The text of the first TXT record: its strings joined, sanitized. */
char *
dns_answer_txt(const unsigned char *buf, int len)
{
	ns_msg handle;
	int count = dns_open(buf, len, &handle);
	struct mta_buf txt;
	ns_rr rr;

	for (int i = 0; i < count; i++) {
		if (!dns_record(&handle, i, ns_t_txt, &rr))
			continue;
		const unsigned char *rd = ns_rr_rdata(rr);
		size_t rdlen = ns_rr_rdlen(rr), at = 0;
		mta_buf_init(&txt, MTA_DNS_TXT_MAX);
		/* each string is a length byte and that many bytes */
		while (at < rdlen && rd[at] < rdlen - at) {
			size_t room = MTA_DNS_TXT_MAX - txt.len, one = rd[at];
			/* cut at the limit: not skip a string and go on */
			(void)mta_buf_add(&txt, rd + at + 1,
					  one < room ? one : room);
			if (one >= room)
				break;
			at += 1 + one;
		}
		/* a NUL inside would cut the text: fine, it is sanitized after */
		return mta_dns_sanitize(mta_buf_steal(&txt));
	}
	return NULL;
}

/* dns_answer_ptr - the PTR names that look like host names */
size_t
dns_answer_ptr(const unsigned char *buf, int len, dns_name *hosts, size_t max)
{
	ns_msg handle;
	int count = dns_open(buf, len, &handle);
	char host[NS_MAXDNAME];
	size_t n = 0;
	ns_rr rr;

	for (int i = 0; i < count && (size_t)i < max; i++)
		if (dns_record(&handle, i, ns_t_ptr, &rr) &&
		    dn_expand(buf, buf + len, ns_rr_rdata(rr), host,
			      sizeof(host)) >= 0 && dns_host_syntax(host))
			strlcpy(hosts[n++], mta_str_lower(host), NS_MAXDNAME);
	return n;
}
