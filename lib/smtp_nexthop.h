/*
 * smtp_nexthop - the next hop of an smtp delivery request, as Postfix
 * writes it in relayhost, transport(5) and qmgr's request:
 *
 *	example.com		MX lookup for example.com, default port
 *	example.com:2525	MX lookup, then port 2525
 *	[mail.example.com]	no MX lookup: the host's A/AAAA records
 *	[mail.example.com]:587	the same, port 587
 *	[192.0.2.1]		an IPv4 address, no lookup at all
 *	[ipv6:2001:db8::1]:25	an IPv6 address (also [2001:db8::1])
 *
 * A port is a number (1-65535) or a service name of /etc/services.
 * Host names are checked: letters, digits, '-', '_' and dots, at most 253
 * bytes, no empty label. A bare IPv4 address is taken as [address].
 */
#ifndef MTA_SMTP_NEXTHOP_H
#define MTA_SMTP_NEXTHOP_H

#include <stdbool.h>

#include "buf.h"

struct mta_smtp_nexthop {
	char host[256];		/* lower case, without brackets */
	unsigned port;		/* 0: the default port */
	bool mx;		/* look up MX records first */
	int family;		/* AF_INET / AF_INET6 for an address, else 0 */
	unsigned char addr[16];
};

int mta_smtp_nexthop_parse(const char *text, struct mta_smtp_nexthop *nh,
			   struct mta_buf *err);
/* "25", "smtp": a TCP port; 0 when there is no such port. */
unsigned mta_smtp_port(const char *text);

#endif
