/*
 * smtp_connect - from a next hop to a connected server: MX hosts in
 * preference order (or the one host named in brackets), their addresses
 * as inet_protocols and smtp_address_preference want them, at most
 * smtp_mx_address_limit of them; mail that would come back to us is
 * refused; then the servers are tried in order until every recipient has
 * a result or smtp_mx_session_limit sessions were held.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mem.h"
#include "msg.h"
#include "smtp.h"

/* smtp_local_addrs - our interface addresses, for loop detection */
void
smtp_local_addrs(struct smtp_state *ss)
{
	struct ifaddrs *ifa, *p;

	if (getifaddrs(&ifa) < 0)
		return;
	for (p = ifa; p && ss->nlocal < SMTP_MAX_LOCAL; p = p->ifa_next) {
		struct mta_dns_ip *ip = &ss->local[ss->nlocal];

		if (p->ifa_addr == NULL)
			continue;
		memset(ip, 0, sizeof(*ip));
		ip->family = p->ifa_addr->sa_family;
		if (ip->family == AF_INET)
			memcpy(ip->addr, &((struct sockaddr_in *)(void *)
					   p->ifa_addr)->sin_addr, 4);
		else if (ip->family == AF_INET6)
			memcpy(ip->addr, &((struct sockaddr_in6 *)(void *)
					   p->ifa_addr)->sin6_addr, 16);
		else
			continue;
		ss->nlocal++;
	}
	freeifaddrs(ifa);
}

/* is_self - is this host us: our name, or one of our addresses? */
static bool
is_self(const struct smtp_state *ss, const struct mta_dns_mxhost *h)
{
	if (ss->myhostname && strcasecmp(h->name, ss->myhostname) == 0)
		return true;
	for (size_t i = 0; i < h->addrs.n; i++)
		for (size_t j = 0; j < ss->nlocal; j++)
			if (h->addrs.ip[i].family == ss->local[j].family &&
			    memcmp(h->addrs.ip[i].addr, ss->local[j].addr,
				   h->addrs.ip[i].family == AF_INET ? 4 : 16) == 0)
				return true;
	return false;
}

/* add_addrs - a host's addresses that inet_protocols allows, preferred first */
static void
add_addrs(struct smtp_state *ss, const char *host, int pref,
	  const struct mta_dns_addrs *a, struct smtp_addr **list, size_t *n)
{
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < a->n; i++) {
			const struct mta_dns_ip *ip = &a->ip[i];
			bool first = ss->prefer == 0 || ip->family == ss->prefer;

			if ((ip->family == AF_INET && !ss->want4) ||
			    (ip->family == AF_INET6 && !ss->want6) ||
			    first != (pass == 0))
				continue;
			if (ss->addr_limit > 0 && *n >= (size_t)ss->addr_limit)
				return;
			*list = mta_reallocarray(*list, *n + 1, sizeof(**list));
			snprintf((*list)[*n].host, sizeof((*list)[*n].host), "%s",
				 host);
			(*list)[*n].pref = pref;
			(*list)[*n].ip = *ip;
			(*n)++;
		}
}

/* dns_fail - a failed lookup as a result for every recipient */
static void
dns_fail(struct smtp_fail *f, enum mta_dns_status st, const char *name,
	 const char *type, const char *why)
{
	if (st == MTA_DNS_TEMP)
		smtp_fail_set(f, false, "4.4.3", "none", "Host or domain name not "
			      "found. Name service error for name=%s type=%s: "
			      "Host not found, try again", name, type);
	else if (strstr(why, "null MX"))
		smtp_fail_set(f, true, "5.1.0", "none", "Domain %s does not "
			      "accept mail (nullMX)", name);
	else
		smtp_fail_set(f, true, "5.4.4", "none", "Host or domain name not "
			      "found. Name service error for name=%s type=%s: "
			      "Host not found", name, type);
}

/* mx_addrs - the MX hosts' addresses, those after ourselves cut off */
static int
mx_addrs(struct smtp_req *sr, const struct mta_smtp_nexthop *nh,
	 bool loops, struct smtp_addr **list, size_t *n, struct smtp_fail *f)
{
	struct smtp_state *ss = sr->ss;
	struct mta_dns_mx *mx = mta_dns_mx(ss->dns, nh->host);
	int self = -1, rc = 0;

	if (mx->status != MTA_DNS_OK) {
		if (mx->n > 0 && strstr(mx->reason, "No address"))
			smtp_fail_set(f, !ss->defer_no_mx_addr, ss->defer_no_mx_addr
				      ? "4.4.4" : "5.4.4", "none", "%s", mx->reason);
		else
			dns_fail(f, mx->status, nh->host, "MX", mx->reason);
		mta_dns_mx_free(mx);
		return -1;
	}
	for (size_t i = 0; loops && self < 0 && i < mx->n; i++)
		if (is_self(ss, &mx->host[i]))
			self = mx->host[i].pref;
	for (size_t i = 0; i < mx->n; i++)
		if (self < 0 || mx->host[i].pref < self)
			add_addrs(ss, mx->host[i].name, mx->host[i].pref,
				  &mx->host[i].addrs, list, n);
	if (*n == 0 && self >= 0 && self == mx->host[0].pref) {
		smtp_fail_set(f, true, "5.4.6", "none", "mail for %s loops back "
			      "to myself", nh->host);
		rc = -1;
	} else if (*n == 0 && self >= 0) {
		smtp_fail_set(f, false, "4.4.4", "none", "unable to find primary "
			      "relay for %s", nh->host);
		rc = -1;
	} else if (*n == 0) {
		smtp_fail_set(f, false, "4.4.4", "none", "no usable address for "
			      "the MX hosts of %s (inet_protocols)", nh->host);
		rc = -1;
	}
	mta_dns_mx_free(mx);
	return rc;
}

/* host_addrs - the addresses of one host named in brackets */
static int
host_addrs(struct smtp_req *sr, const struct mta_smtp_nexthop *nh,
	   bool loops, struct smtp_addr **list, size_t *n, struct smtp_fail *f)
{
	struct mta_dns_mxhost h = {.name = (char *)nh->host};
	struct mta_dns_addrs *a = NULL, one = {.n = 1};
	struct mta_dns_ip ip = {.family = nh->family};

	if (nh->family) {
		memcpy(ip.addr, nh->addr, sizeof(ip.addr));
		inet_ntop(ip.family, ip.addr, ip.text, sizeof(ip.text));
		one.ip = &ip;
		h.addrs = one;
	} else {
		a = mta_dns_addr(sr->ss->dns, nh->host);
		if (a->status != MTA_DNS_OK) {
			dns_fail(f, a->status, nh->host, "A", a->reason);
			mta_dns_addrs_free(a);
			return -1;
		}
		h.addrs = *a;
	}
	if (loops && is_self(sr->ss, &h)) {
		smtp_fail_set(f, true, "5.4.6", "none", "mail for %s loops back "
			      "to myself", nh->host);
	} else {
		add_addrs(sr->ss, nh->host, 0, &h.addrs, list, n);
		if (*n == 0)
			smtp_fail_set(f, false, "4.4.4", "none", "no usable address "
				      "for %s (inet_protocols)", nh->host);
	}
	mta_dns_addrs_free(a);
	return *n > 0 ? 0 : -1;
}

/*
 * smtp_addrs - the addresses to try for a next hop, in order. Loops are
 * looked for only on the default port: [127.0.0.1]:10025 is another
 * program of this host, not this MTA.
 */
int
smtp_addrs(struct smtp_req *sr, const struct mta_smtp_nexthop *nh,
	   struct smtp_addr **list, size_t *n, struct smtp_fail *f)
{
	bool loops = nh->port == 0 || nh->port == sr->ss->port;

	*list = NULL;
	*n = 0;
	if (nh->mx)
		return mx_addrs(sr, nh, loops, list, n, f);
	return host_addrs(sr, nh, loops, list, n, f);
}

/* connect_wait - finish a non-blocking connect within the timeout */
static int
connect_wait(int fd, long timeout)
{
	struct pollfd pfd = {fd, POLLOUT, 0};
	socklen_t len = sizeof(int);
	int rc, err = 0;

	do
		rc = poll(&pfd, 1, timeout > 0 ? (int)(timeout * 1000) : 75000);
	while (rc < 0 && errno == EINTR);
	if (rc == 0)
		errno = ETIMEDOUT;
	if (rc <= 0)
		return -1;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return -1;
	errno = err;
	return err ? -1 : 0;
}

/* bind_local - smtp_bind_address(6), when set */
static int
bind_local(struct smtp_state *ss, int fd, int family)
{
	const char *text = family == AF_INET ? ss->bind4 : ss->bind6;
	struct sockaddr_storage sa = {0};
	socklen_t len;

	if (text == NULL || *text == '\0')
		return 0;
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&sa;

		s4->sin_family = AF_INET;
		len = sizeof(*s4);
		if (inet_pton(AF_INET, text, &s4->sin_addr) != 1)
			return (errno = EINVAL, -1);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&sa;

		s6->sin6_family = AF_INET6;
		len = sizeof(*s6);
		if (inet_pton(AF_INET6, text, &s6->sin6_addr) != 1)
			return (errno = EINVAL, -1);
	}
	return bind(fd, (struct sockaddr *)&sa, len);
}

/* peer_sockaddr - the server's address and port */
static socklen_t
peer_sockaddr(const struct smtp_addr *a, unsigned port,
	      struct sockaddr_storage *sa)
{
	memset(sa, 0, sizeof(*sa));
	if (a->ip.family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)sa;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)port);
		memcpy(&s4->sin_addr, a->ip.addr, 4);
		return sizeof(*s4);
	}
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)sa;

	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons((unsigned short)port);
	memcpy(&s6->sin6_addr, a->ip.addr, 16);
	return sizeof(*s6);
}

/* smtp_connect - a TCP connection to one address, or NULL with f set */
struct smtp_conn *
smtp_connect(struct smtp_req *sr, const struct smtp_addr *a, unsigned port,
	     struct smtp_fail *f)
{
	struct sockaddr_storage sa;
	socklen_t len = peer_sockaddr(a, port, &sa);
	struct smtp_conn *c;
	int fd, one = 1;

	fd = socket(a->ip.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind_local(sr->ss, fd, a->ip.family) < 0 ||
	    (connect(fd, (struct sockaddr *)&sa, len) < 0 &&
	     (errno != EINPROGRESS || connect_wait(fd, sr->ss->t_connect) < 0))) {
		int err = errno;

		if (fd >= 0)
			close(fd);
		smtp_fail_set(f, false, "4.4.1", "none", "connect to %s[%s]:%u: %s",
			      a->host, a->ip.text, port, err == ETIMEDOUT ?
			      "Connection timed out" : strerror(err));
		return NULL;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c = smtp_conn_new(fd);
	snprintf(c->host, sizeof(c->host), "%s", a->host);
	snprintf(c->addr, sizeof(c->addr), "%s", a->ip.text);
	c->port = port;
	snprintf(c->namaddr, sizeof(c->namaddr), "%s[%s]", a->host, a->ip.text);
	snprintf(c->relay, sizeof(c->relay), "%s[%s]:%u", a->host, a->ip.text,
		 port);
	return c;
}

/* session - greeting, EHLO, the transactions; then keep or close */
static void
session(struct smtp_req *sr, struct smtp_conn *c, bool fresh)
{
	struct smtp_fail f;

	c->uses++;
	if ((fresh && smtp_session_start(sr, c, &f) < 0) ||
	    smtp_session_run(sr, c, &f) < 0) {
		smtp_fail_pending(sr, &f);
		smtp_quit(sr->ss, c);
		return;
	}
	smtp_cache_put(sr, c);
}

/* try_addrs - the servers in order, until all is said or the limits */
static void
try_addrs(struct smtp_req *sr, const struct smtp_addr *list, size_t n,
	  unsigned port)
{
	long limit = sr->ss->session_limit;
	struct smtp_fail f;

	for (size_t i = 0; i < n && smtp_pending(sr) > 0; i++) {
		struct smtp_conn *c;

		sr->final = i + 1 == n || (limit > 0 && sr->sessions + 1 >= limit);
		if ((c = smtp_connect(sr, &list[i], port, &f)) == NULL) {
			smtp_fail_pending(sr, &f);
			continue;
		}
		sr->sessions++;
		session(sr, c, true);
		if (sr->final)
			break;
	}
}

/* smtp_deliver - every recipient of the request to its next hop */
void
smtp_deliver(struct smtp_req *sr)
{
	struct mta_buf err = MTA_BUF_INIT(256);
	struct mta_smtp_nexthop nh;
	struct smtp_addr *list = NULL;
	struct smtp_conn *c;
	struct smtp_fail f;
	size_t n = 0;

	if ((c = smtp_cache_take(sr)) != NULL) {
		sr->final = false;	/* a fresh connection can still be tried */
		session(sr, c, false);
		if (smtp_pending(sr) == 0)
			goto done;
	}
	sr->final = true;
	if (mta_smtp_nexthop_parse(sr->req->nexthop, &nh, &err) < 0) {
		smtp_fail_set(&f, false, "4.3.5", "none", "%s", mta_buf_str(&err));
		smtp_fail_pending(sr, &f);
		goto done;
	}
	if (smtp_addrs(sr, &nh, &list, &n, &f) < 0) {
		smtp_fail_pending(sr, &f);
		goto done;
	}
	try_addrs(sr, list, n, nh.port ? nh.port : sr->ss->port);
	sr->final = true;
	if (smtp_pending(sr) > 0) {
		smtp_fail_set(&f, false, "4.4.1", "none", "no server could be "
			      "tried for %s", sr->req->nexthop);
		smtp_fail_pending(sr, sr->tried ? &sr->last : &f);
	}
done:
	free(list);
	mta_buf_release(&err);
}
