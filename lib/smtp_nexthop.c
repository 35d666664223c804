/* smtp_nexthop - parse an smtp next hop (see smtp_nexthop.h). */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "smtp_nexthop.h"
#include "str.h"

/* mta_smtp_port - a port number or a TCP service name */
unsigned
mta_smtp_port(const char *text)
{
	struct servent *se;
	char *end;
	long n;

	if (*text >= '0' && *text <= '9') {
		n = strtol(text, &end, 10);
		return *end || n < 1 || n > 65535 ? 0 : (unsigned)n;
	}
	if (*text == '\0' || strlen(text) > 64 ||
	    strspn(text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		   "0123456789-_") != strlen(text))
		return 0;
	if (strcmp(text, "smtp") == 0)
		return 25;	/* no /etc/services in a jail */
	se = getservbyname(text, "tcp");
	return se ? ntohs((unsigned short)se->s_port) : 0;
}

/* hostname_ok - letters, digits, '-', '_', dots; no empty label */
static bool
hostname_ok(const char *h)
{
	size_t n = strlen(h);

	if (n == 0 || n > 253 || h[0] == '.' || strstr(h, "..") != NULL)
		return false;
	return strspn(h, "abcdefghijklmnopqrstuvwxyz"
		      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == n;
}

/* nexthop_host - the host part: an address, or a name */
static int
nexthop_host(struct mta_smtp_nexthop *nh, const char *host, size_t len,
	     bool bracket, struct mta_buf *err)
{
	if (len >= sizeof(nh->host)) {
		mta_buf_printf(err, "next hop host name too long");
		return -1;
	}
	memcpy(nh->host, host, len);
	nh->host[len] = '\0';
	if (bracket && strncasecmp(nh->host, "ipv6:", 5) == 0) {
		memmove(nh->host, nh->host + 5, len - 4);
		if (inet_pton(AF_INET6, nh->host, nh->addr) != 1) {
			mta_buf_printf(err, "bad IPv6 address: %s", nh->host);
			return -1;
		}
		nh->family = AF_INET6;
	} else if (inet_pton(AF_INET, nh->host, nh->addr) == 1) {
		nh->family = AF_INET;
	} else if (bracket && inet_pton(AF_INET6, nh->host, nh->addr) == 1) {
		nh->family = AF_INET6;
	} else if (!hostname_ok(nh->host)) {
		mta_buf_printf(err, "bad next hop host name: %.100s", nh->host);
		return -1;
	}
	nh->mx = !bracket && nh->family == 0;
	mta_str_lower(nh->host);
	return 0;
}

/* mta_smtp_nexthop_parse - host, port and whether to look up MX */
int
mta_smtp_nexthop_parse(const char *text, struct mta_smtp_nexthop *nh,
		       struct mta_buf *err)
{
	const char *host = text, *end, *port = NULL;
	bool bracket = *text == '[';

	memset(nh, 0, sizeof(*nh));
	if (bracket) {
		host++;
		if ((end = strchr(host, ']')) == NULL) {
			mta_buf_printf(err, "next hop without ']': %.100s", text);
			return -1;
		}
		if (end[1] == ':')
			port = end + 2;
		else if (end[1] != '\0') {
			mta_buf_printf(err, "junk after ']': %.100s", text);
			return -1;
		}
	} else {
		end = host + strcspn(host, ":");
		if (*end == ':')
			port = end + 1;
	}
	if (nexthop_host(nh, host, (size_t)(end - host), bracket, err) < 0)
		return -1;
	if (port && (nh->port = mta_smtp_port(port)) == 0) {
		mta_buf_printf(err, "bad next hop port: %.100s", port);
		return -1;
	}
	return 0;
}
