/*
 * map_cidr - one address pattern of a cidr: table (cidr_table(5)):
 * "addr", "addr/len", "[addr]", "[addr]/len" or "[addr/len]", IPv4 or
 * IPv6 (IPv6 when it holds a ':'), any number of leading '!' to negate.
 * A network with bits set past its prefix length is refused (Postfix
 * refuses it too, suggesting the network it probably meant).
 */
#ifndef MTA_MAP_CIDR_H
#define MTA_MAP_CIDR_H

#include <stdbool.h>

#include "buf.h"

struct mta_cidr {
	int family;	/* AF_INET or AF_INET6 */
	int bytes;	/* 4 or 16 */
	int prefix;	/* mask length */
	bool match;	/* false after an odd number of '!' */
	unsigned char net[16];
	unsigned char mask[16];
};

int mta_cidr_parse(struct mta_cidr *c, const char *pattern,
		   struct mta_buf *why);
int mta_cidr_addr(const char *text, unsigned char *bytes, int *family);
bool mta_cidr_match(const struct mta_cidr *c, const unsigned char *bytes,
		    int family);

#endif
