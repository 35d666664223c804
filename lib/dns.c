/*
 * dns - MX, address and DNSBL lookups through the C library's resolver:
 * the resolver state and the queries. Walking the answers is
 * dns_answer.c's job. See dns.h for the contract.
 */
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <resolv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_priv.h"
#include "mem.h"
#include "msg.h"
#include "str.h"

#define DNS_MSG_MAX 65536	/* largest DNS message (TCP) */
#define DNS_SERVERS_MAX 1024	/* length of mta_resolver_servers */

struct mta_dns {
	struct __res_state res;
	unsigned char *msg;	/* answer buffer, DNS_MSG_MAX bytes */
};

/* One answer: its status and, when OK, its length in dns->msg. */
struct dns_answer {
	enum mta_dns_status status;
	int len;
};

/* Human-readable names of the statuses, for logs and tests. */
const char *
mta_dns_status_str(enum mta_dns_status st)
{
	switch (st) {
	case MTA_DNS_OK:
		return "ok";
	case MTA_DNS_NOTFOUND:
		return "not found";
	default:
		return "temporary failure";
	}
}

/* Fill a fixed reason field, with control characters replaced. */
static void MTA_PRINTF(2, 3)
dns_reason(char *reason, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, MTA_DNS_REASON_MAX, fmt, ap);
	va_end(ap);
	mta_dns_sanitize(reason);
}

/* Parse one server: "ADDR", "ADDR:PORT" or "[ADDR]:PORT" (IPv4). */
static int
dns_parse_server(char *word, struct sockaddr_in *sin)
{
	char *host = word, *port = NULL, *end;
	long num = NS_DEFAULTPORT;

	if (*host == '[') {
		host++;
		if ((end = strchr(host, ']')) == NULL)
			return -1;
		*end++ = '\0';
		if (*end == ':')
			port = end + 1;
		else if (*end != '\0')
			return -1;
	} else if ((port = strchr(host, ':')) != NULL) {
		*port++ = '\0';
	}
	if (port) {
		num = strtol(port, &end, 10);
		if (*port == '\0' || *end != '\0' || num < 1 || num > 65535)
			return -1;
	}
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((unsigned short)num);
	return inet_pton(AF_INET, host, &sin->sin_addr) == 1 ? 0 : -1;
}

/* Replace the servers of /etc/resolv.conf by the list in servers. */
static int
dns_set_servers(struct mta_dns *dns, const char *servers, struct mta_buf *err)
{
	char copy[DNS_SERVERS_MAX], *cp = copy, *word;
	struct sockaddr_in sin[MAXNS];
	int n = 0;

	if (strlen(servers) >= sizeof(copy)) {
		mta_buf_printf(err, "mta_resolver_servers: value too long");
		return -1;
	}
	strlcpy(copy, servers, sizeof(copy));
	while ((word = mta_str_token(&cp, MTA_SEP_LIST)) != NULL) {
		if (n == MAXNS) {
			mta_buf_printf(err, "mta_resolver_servers: more than %d servers",
				       MAXNS);
			return -1;
		}
		if (dns_parse_server(word, &sin[n]) < 0) {
			mta_buf_printf(err, "mta_resolver_servers: bad server \"%s\": "
				       "expected an IPv4 ADDR, ADDR:PORT or [ADDR]:PORT",
				       word);
			return -1;
		}
		n++;
	}
	if (n == 0)
		return 0;
	for (int i = 0; i < n; i++)
		dns->res.nsaddr_list[i] = sin[i];
	dns->res.nscount = n;
	return 0;
}

/* Resolver state from a server list; NULL with err filled on failure. */
struct mta_dns *
mta_dns_init_servers(const char *servers, struct mta_buf *err)
{
	struct mta_dns *dns = mta_calloc(1, sizeof(*dns));

	if (res_ninit(&dns->res) != 0) {
		mta_buf_printf(err, "cannot initialize the resolver");
		free(dns);
		return NULL;
	}
	dns->res.retrans = 2;
	dns->res.retry = 2;
	dns->res.options &= ~(unsigned long)(RES_DEFNAMES | RES_DNSRCH);
	if (servers && dns_set_servers(dns, servers, err) < 0) {
		res_nclose(&dns->res);
		free(dns);
		return NULL;
	}
	dns->msg = mta_malloc(DNS_MSG_MAX);
	return dns;
}

/* Resolver state from main.cf's mta_resolver_servers. */
struct mta_dns *
mta_dns_init(struct mta_config *cfg, struct mta_buf *err)
{
	const char *servers = cfg ? mta_config_str(cfg, "mta_resolver_servers")
				  : NULL;

	return mta_dns_init_servers(servers, err);
}

/* Release the resolver state and its sockets. */
void
mta_dns_free(struct mta_dns *dns)
{
	if (dns == NULL)
		return;
	res_nclose(&dns->res);
	free(dns->msg);
	free(dns);
}

/* Query name/type; map the resolver's error to a status and a reason. */
static void
dns_query(struct mta_dns *dns, const char *name, int type, const char *tname,
	  struct dns_answer *ans, char *reason)
{
	ns_msg handle;	/* only to check the answer: dns_answer.c walks it */

	if (!dns_name_ok(name)) {
		/* the resolver would call that a server error: it is ours */
		ans->status = MTA_DNS_NOTFOUND;
		dns->res.res_h_errno = HOST_NOT_FOUND;
		dns_reason(reason, "Bad domain name: \"%.64s\"", name);
		return;
	}
	ans->len = res_nquery(&dns->res, name, ns_c_in, type, dns->msg,
			      DNS_MSG_MAX);
	if (ans->len >= 0) {
		if (ns_initparse(dns->msg, ans->len, &handle) < 0) {
			ans->status = MTA_DNS_TEMP;
			dns_reason(reason, "malformed DNS answer for %s/%s",
				   name, tname);
			return;
		}
		ans->status = MTA_DNS_OK;
		return;
	}
	switch (dns->res.res_h_errno) {
	case HOST_NOT_FOUND:
		ans->status = MTA_DNS_NOTFOUND;
		dns_reason(reason, "Host not found: %s/%s", name, tname);
		break;
	case NO_DATA:
		ans->status = MTA_DNS_NOTFOUND;
		dns_reason(reason, "No %s record for %s", tname, name);
		break;
	default:
		/* SERVFAIL, REFUSED, timeouts: a server problem, not an answer */
		ans->status = MTA_DNS_TEMP;
		dns_reason(reason, "Name service error for %s/%s: %s", name,
			   tname, hstrerror(dns->res.res_h_errno));
		break;
	}
}

/* A then AAAA of host into a; NXDOMAIN on A skips the AAAA query. */
static void
dns_lookup_addrs(struct mta_dns *dns, const char *host,
		 struct mta_dns_addrs *a)
{
	struct dns_answer ans;
	char why6[MTA_DNS_REASON_MAX];
	enum mta_dns_status st4;

	dns_query(dns, host, ns_t_a, "A", &ans, a->reason);
	if ((st4 = ans.status) == MTA_DNS_OK)
		dns_answer_addrs(dns->msg, ans.len, ns_t_a, a);
	if (st4 == MTA_DNS_NOTFOUND && dns->res.res_h_errno == HOST_NOT_FOUND) {
		a->status = MTA_DNS_NOTFOUND;
		return;
	}
	dns_query(dns, host, ns_t_aaaa, "AAAA", &ans, why6);
	if (ans.status == MTA_DNS_OK)
		dns_answer_addrs(dns->msg, ans.len, ns_t_aaaa, a);
	if (a->n > 0) {
		a->status = MTA_DNS_OK;
		a->reason[0] = '\0';
	} else if (st4 == MTA_DNS_TEMP || ans.status == MTA_DNS_TEMP) {
		a->status = MTA_DNS_TEMP;
		if (st4 != MTA_DNS_TEMP)
			strlcpy(a->reason, why6, sizeof(a->reason));
	} else {
		a->status = MTA_DNS_NOTFOUND;
		dns_reason(a->reason, "No address (A or AAAA) for %s", host);
	}
}

/* The A and AAAA addresses of host. */
struct mta_dns_addrs *
mta_dns_addr(struct mta_dns *dns, const char *host)
{
	struct mta_dns_addrs *a = mta_calloc(1, sizeof(*a));

	dns_lookup_addrs(dns, host, a);
	return a;
}

/* Free what mta_dns_addr returned. */
void
mta_dns_addrs_free(struct mta_dns_addrs *a)
{
	if (a == NULL)
		return;
	free(a->ip);
	free(a);
}

/* Look up the addresses of every MX host and set the overall status. */
static void
dns_mx_resolve(struct mta_dns *dns, struct mta_dns_mx *mx, const char *domain)
{
	bool temp = false;
	size_t i, found = 0;

	for (i = 0; i < mx->n; i++) {
		dns_lookup_addrs(dns, mx->host[i].name, &mx->host[i].addrs);
		if (mx->host[i].addrs.status == MTA_DNS_OK)
			found++;
		else if (mx->host[i].addrs.status == MTA_DNS_TEMP && !temp) {
			temp = true;
			strlcpy(mx->reason, mx->host[i].addrs.reason,
				sizeof(mx->reason));
		}
	}
	if (found > 0) {
		mx->status = MTA_DNS_OK;
		mx->reason[0] = '\0';
	} else if (temp) {
		mx->status = MTA_DNS_TEMP;
	} else {
		mx->status = MTA_DNS_NOTFOUND;
		dns_reason(mx->reason, "%s for %s: %s",
			   mx->implicit ? "No address" : "No address for the MX hosts",
			   domain, mx->n ? mx->host[0].addrs.reason : "no hosts");
	}
}

/* The MX hosts of domain with their addresses (see dns.h). */
struct mta_dns_mx *
mta_dns_mx(struct mta_dns *dns, const char *domain)
{
	struct mta_dns_mx *mx = mta_calloc(1, sizeof(*mx));
	struct dns_answer ans;
	int nulls;

	dns_query(dns, domain, ns_t_mx, "MX", &ans, mx->reason);
	if (ans.status == MTA_DNS_TEMP)
		return (mx->status = MTA_DNS_TEMP, mx);
	if (ans.status == MTA_DNS_NOTFOUND &&
	    dns->res.res_h_errno == HOST_NOT_FOUND) {
		dns_reason(mx->reason, "Host or domain name not found: %s",
			   domain);
		return (mx->status = MTA_DNS_NOTFOUND, mx);
	}
	nulls = ans.status == MTA_DNS_OK ?
		dns_answer_mx(dns->msg, ans.len, mx) : 0;
	if (nulls > 0 && mx->n == 0) {
		dns_reason(mx->reason, "Domain %s does not accept mail "
			   "(null MX)", domain);
		return (mx->status = MTA_DNS_NOTFOUND, mx);
	}
	if (mx->n == 0) {
		/* RFC 5321 5.1: no MX, the domain itself is the host */
		mx->implicit = true;
		dns_mx_add(mx, domain, 0);
	}
	dns_mx_resolve(dns, mx, domain);
	return mx;
}

/* Free what mta_dns_mx returned. */
void
mta_dns_mx_free(struct mta_dns_mx *mx)
{
	if (mx == NULL)
		return;
	for (size_t i = 0; i < mx->n; i++) {
		free(mx->host[i].name);
		free(mx->host[i].addrs.ip);
	}
	free(mx->host);
	free(mx);
}

/* The reversed-address query name (IPv6: nibbles) under zone. */
int
mta_dns_rbl_name(struct mta_buf *out, const char *zone, const char *client)
{
	unsigned char a[16];
	static const char hex[] = "0123456789abcdef";

	mta_buf_clear(out);
	if (inet_pton(AF_INET, client, a) == 1) {
		mta_buf_printf(out, "%u.%u.%u.%u.", a[3], a[2], a[1], a[0]);
	} else if (inet_pton(AF_INET6, client, a) == 1) {
		for (int i = 15; i >= 0; i--)
			mta_buf_printf(out, "%c.%c.", hex[a[i] & 0xf],
				       hex[a[i] >> 4]);
	} else {
		return -1;
	}
	return mta_buf_adds(out, zone);
}

/* Whether client is listed in the DNSBL zone, with its A and TXT data. */
struct mta_dns_rbl *
mta_dns_rbl(struct mta_dns *dns, const char *zone, const char *client)
{
	struct mta_dns_rbl *r = mta_calloc(1, sizeof(*r));
	struct mta_dns_addrs a = {0};
	struct dns_answer ans;
	struct mta_buf name;
	char why[MTA_DNS_REASON_MAX];

	mta_buf_init(&name, NS_MAXDNAME);
	if (mta_dns_rbl_name(&name, zone, client) < 0) {
		dns_reason(r->reason, "bad client address or zone: %s %s",
			   client, zone);
		r->status = MTA_DNS_NOTFOUND;
		goto out;
	}
	dns_query(dns, mta_buf_str(&name), ns_t_a, "A", &ans, r->reason);
	r->status = ans.status == MTA_DNS_TEMP ? MTA_DNS_TEMP : MTA_DNS_OK;
	if (ans.status == MTA_DNS_NOTFOUND)
		r->reason[0] = '\0';	/* NXDOMAIN: simply not listed */
	if (ans.status != MTA_DNS_OK)
		goto out;
	dns_answer_addrs(dns->msg, ans.len, ns_t_a, &a);
	r->listed = a.n > 0;
	r->n = a.n;
	r->ip = a.ip;
	r->reason[0] = '\0';
	if (r->listed) {
		dns_query(dns, mta_buf_str(&name), ns_t_txt, "TXT", &ans, why);
		if (ans.status == MTA_DNS_OK)
			r->txt = dns_answer_txt(dns->msg, ans.len);
	}
out:
	mta_buf_release(&name);
	return r;
}

/* Free what mta_dns_rbl returned. */
void
mta_dns_rbl_free(struct mta_dns_rbl *r)
{
	if (r == NULL)
		return;
	free(r->ip);
	free(r->txt);
	free(r);
}

/* mta_dns_mailhost - MX (not null) or, without MX, an address */
enum mta_dns_status
mta_dns_mailhost(struct mta_dns *dns, const char *domain, bool *nullmx,
		 char *reason)
{
	struct mta_dns_mx mx = {0};
	struct mta_dns_addrs a = {0};
	struct dns_answer ans;
	int nulls;

	*nullmx = false;
	reason[0] = '\0';
	dns_query(dns, domain, ns_t_mx, "MX", &ans, reason);
	if (ans.status == MTA_DNS_TEMP)
		return MTA_DNS_TEMP;
	if (ans.status == MTA_DNS_NOTFOUND &&
	    dns->res.res_h_errno == HOST_NOT_FOUND)
		return MTA_DNS_NOTFOUND;
	nulls = ans.status == MTA_DNS_OK ?
		dns_answer_mx(dns->msg, ans.len, &mx) : 0;
	for (size_t i = 0; i < mx.n; i++)
		free(mx.host[i].name);
	free(mx.host);
	if (mx.n > 0)
		return MTA_DNS_OK;
	if (nulls > 0) {
		*nullmx = true;
		dns_reason(reason, "Domain %s does not accept mail (null MX)",
			   domain);
		return MTA_DNS_NOTFOUND;
	}
	dns_lookup_addrs(dns, domain, &a);
	free(a.ip);
	strlcpy(reason, a.reason, MTA_DNS_REASON_MAX);
	return a.status;
}

/* dns_confirms - does a forward lookup of host give the address back? */
static enum mta_dns_status
dns_confirms(struct mta_dns *dns, const char *host, int family,
	     const unsigned char *bytes)
{
	struct mta_dns_addrs a = {0};
	size_t size = family == AF_INET ? 4 : 16;
	enum mta_dns_status st;

	dns_lookup_addrs(dns, host, &a);
	st = a.status == MTA_DNS_TEMP ? MTA_DNS_TEMP : MTA_DNS_NOTFOUND;
	for (size_t i = 0; i < a.n; i++)
		if (a.ip[i].family == family &&
		    memcmp(a.ip[i].addr, bytes, size) == 0)
			st = MTA_DNS_OK;
	free(a.ip);
	return st;
}

/* dns_ptr_names - try each PTR name of the answer in turn */
static enum mta_dns_status
dns_ptr_names(struct mta_dns *dns, struct dns_answer *ans, const char *addr,
	      int family, const unsigned char *bytes, struct mta_buf *name)
{
	enum mta_dns_status st = MTA_DNS_NOTFOUND, one;
	dns_name *hosts;
	size_t n;

	/* copy the names first: the forward lookups reuse dns->msg */
	hosts = mta_calloc(DNS_HOSTS_MAX, sizeof(*hosts));
	n = dns_answer_ptr(dns->msg, ans->len, hosts, DNS_HOSTS_MAX);
	for (size_t i = 0; i < n && st != MTA_DNS_OK; i++) {
		if ((one = dns_confirms(dns, hosts[i], family, bytes)) ==
		    MTA_DNS_OK)
			mta_buf_set(name, hosts[i]);
		else if (one == MTA_DNS_NOTFOUND)
			mta_msg_warn("hostname %s does not resolve to address "
				     "%s", hosts[i], addr);
		if (one != MTA_DNS_NOTFOUND)
			st = one;
	}
	free(hosts);
	return st;
}

/* mta_dns_client_name - PTR, then forward confirmation */
enum mta_dns_status
mta_dns_client_name(struct mta_dns *dns, const char *addr,
		    struct mta_buf *name)
{
	struct mta_buf query = MTA_BUF_INIT(NS_MAXDNAME);
	unsigned char bytes[16];
	char why[MTA_DNS_REASON_MAX];
	struct dns_answer ans;
	enum mta_dns_status st = MTA_DNS_NOTFOUND;
	int family = strchr(addr, ':') ? AF_INET6 : AF_INET;

	mta_buf_set(name, "unknown");
	if (inet_pton(family, addr, bytes) != 1 ||
	    mta_dns_rbl_name(&query, family == AF_INET ? "in-addr.arpa"
			     : "ip6.arpa", addr) < 0)
		goto out;
	dns_query(dns, mta_buf_str(&query), ns_t_ptr, "PTR", &ans, why);
	st = ans.status;
	if (st == MTA_DNS_OK)
		st = dns_ptr_names(dns, &ans, addr, family, bytes, name);
out:
	mta_buf_release(&query);
	return st;
}
