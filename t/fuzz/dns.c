/*
 * dns - fuzz the walking of DNS answers (lib/dns_answer.c): the first
 * byte picks the parser (MX, A, AAAA, TXT, PTR: its value modulo 5), the
 * rest is the raw answer as res_nquery would give it. Whatever comes
 * back must be within the kept limits, every text free of control
 * characters and every MX or PTR name a plain host name: dns.h promises
 * that, since they end up in SMTP replies, logs and new queries.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns_priv.h"
#include "mem.h"

enum { FZ_MX, FZ_A, FZ_AAAA, FZ_TXT, FZ_PTR, FZ_KINDS };

/* A name or text from an answer: printable ASCII only, and bounded. */
static void
check_text(const char *s, size_t max)
{
	size_t len = strnlen(s, max + 1);

	if (len > max)
		abort();
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			abort();
}

/* A host name a query can carry: lower-case letters, digits, - _ . */
static bool
host_name(const char *s)
{
	check_text(s, 253);
	return dns_name_ok(s) &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_.") ==
		       strlen(s);
}

/* A and AAAA: the limit holds, and each text is its address. */
static void
fuzz_addrs(const unsigned char *buf, int len, int type)
{
	struct mta_dns_addrs a = {0};
	int family = type == ns_t_a ? AF_INET : AF_INET6;
	unsigned char back[16];

	/* twice: appending to a full list must keep the limit too */
	for (int round = 0; round < 2; round++)
		(void)dns_answer_addrs(buf, len, type, &a);
	if (a.n > DNS_ADDRS_MAX)
		abort();
	for (size_t i = 0; i < a.n; i++) {
		check_text(a.ip[i].text, sizeof(a.ip[i].text) - 1);
		if (a.ip[i].family != family ||
		    inet_pton(family, a.ip[i].text, back) != 1 ||
		    memcmp(back, a.ip[i].addr, type == ns_t_a ? 4 : 16) != 0)
			abort();
	}
	free(a.ip);
}

/* MX: bounded, in preference order, names host names in lower case. */
static void
fuzz_mx(const unsigned char *buf, int len)
{
	struct mta_dns_mx mx = {0};
	int nulls = dns_answer_mx(buf, len, &mx);

	if (nulls < -1 || mx.n > DNS_HOSTS_MAX || (nulls < 0 && mx.n > 0))
		abort();
	for (size_t i = 0; i < mx.n; i++) {
		check_text(mx.host[i].name, NS_MAXDNAME - 1);
		if (!host_name(mx.host[i].name) ||
		    mx.host[i].pref < 0 || mx.host[i].pref > 65535 ||
		    (i > 0 && mx.host[i - 1].pref > mx.host[i].pref) ||
		    mx.host[i].addrs.n != 0)
			abort();
		free(mx.host[i].name);
	}
	free(mx.host);
}

/* TXT: at most MTA_DNS_TXT_MAX bytes of printable text. */
static void
fuzz_txt(const unsigned char *buf, int len)
{
	char *txt = dns_answer_txt(buf, len);

	if (txt)
		check_text(txt, MTA_DNS_TXT_MAX);
	free(txt);
}

/* PTR: bounded, and each name a host name a query can carry. */
static void
fuzz_ptr(const unsigned char *buf, int len)
{
	static dns_name hosts[DNS_HOSTS_MAX];
	size_t max = 1 + (len > 0 ? buf[len - 1] % DNS_HOSTS_MAX : 0);
	size_t n = dns_answer_ptr(buf, len, hosts, max);

	if (n > max)
		abort();
	for (size_t i = 0; i < n; i++) {
		if (!host_name(hosts[i]))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *buf;
	int len;

	if (size == 0 || size > 65536 + 1)
		return 0;
	/* an exact-size copy, so that ASan sees any read past the answer */
	len = (int)(size - 1);
	buf = mta_malloc(len > 0 ? (size_t)len : 1);
	memcpy(buf, data + 1, (size_t)len);
	switch (data[0] % FZ_KINDS) {
	case FZ_MX:
		fuzz_mx(buf, len);
		break;
	case FZ_A:
		fuzz_addrs(buf, len, ns_t_a);
		break;
	case FZ_AAAA:
		fuzz_addrs(buf, len, ns_t_aaaa);
		break;
	case FZ_TXT:
		fuzz_txt(buf, len);
		break;
	default:
		fuzz_ptr(buf, len);
		break;
	}
	free(buf);
	return 0;
}
