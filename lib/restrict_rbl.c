/*
 * restrict_rbl - reject_rbl_client ZONE[=PATTERN] (and reject_maps_rbl,
 * compiled into it). A client is listed when ZONE has an A record for its
 * reversed address; with =PATTERN only when one reply address matches
 * it: "127.0.0.2", or octets written as lists and ranges,
 * "127.0.0.[2;4..6]" (Postfix's ip_match syntax). The reply comes from
 * default_rbl_reply with $rbl_code (maps_rbl_reject_code), $rbl_class,
 * $rbl_what, $rbl_domain, $rbl_reason (the TXT text, sanitized by the
 * resolver). A DNS failure lets the client pass, with a warning, as
 * Postfix does: a dead DNSBL must not stop all mail.
 */
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "mem.h"
#include "msg.h"
#include "restrict_priv.h"

/* What the reply template may name. */
struct rst_rbl_expand {
	char code[8];
	const char *domain, *txt, *what, *class;
};

/* rst_rbl_lookup - the $rbl_* names; NULL lets main.cf answer */
static const char *
rst_rbl_lookup(void *ctx, const char *name)
{
	struct rst_rbl_expand *x = ctx;

	if (strcmp(name, "rbl_code") == 0)
		return x->code;
	if (strcmp(name, "rbl_domain") == 0)
		return x->domain;
	if (strcmp(name, "rbl_reason") == 0 || strcmp(name, "rbl_txt") == 0)
		return x->txt;
	if (strcmp(name, "rbl_what") == 0 || strcmp(name, "client_address") == 0)
		return x->what;
	if (strcmp(name, "rbl_class") == 0)
		return x->class;
	return NULL;
}

/* rst_octet_match - one octet against "N" or "[N;N..M;...]" */
static bool
rst_octet_match(const char *pat, size_t len, long octet)
{
	char buf[64], *cp, *el;

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, pat, len);
	buf[len] = '\0';
	cp = buf;
	if (*cp == '[') {
		if (buf[len - 1] != ']')
			return false;
		buf[len - 1] = '\0';
		cp++;
	}
	while ((el = strsep(&cp, ";")) != NULL) {
		char *end, *dots = strstr(el, "..");
		long lo = strtol(el, &end, 10), hi = lo;

		if (end == el)
			continue;
		if (dots)
			hi = strtol(dots + 2, &end, 10);
		if (*end == '\0' && octet >= lo && octet <= hi)
			return true;
	}
	return false;
}

/* rst_ip_match - an IPv4 reply address against a pattern */
static bool
rst_ip_match(const char *pat, const struct mta_dns_ip *ip)
{
	const char *p = pat;

	if (ip->family != AF_INET)
		return false;
	for (int i = 0; i < 4; i++) {
		const char *close = *p == '[' ? strchr(p, ']') : NULL;
		size_t len = close ? (size_t)(close - p) + 1 : strcspn(p, ".");

		if (!rst_octet_match(p, len, ip->addr[i]))
			return false;
		p += len;
		if (i < 3 && *p++ != '.')
			return false;
	}
	return *p == '\0';
}

/* rst_rbl_reply - the reject, from the reply template */
static int
rst_rbl_reply(struct rst_eval *ev, const char *domain, const char *txt)
{
	struct rst_rbl_expand x = {"", domain, txt ? txt : "", ev->c->addr,
				   "Client host"};
	struct mta_buf out = MTA_BUF_INIT(MTA_RST_TEXT_MAX * 2);
	struct mta_buf err = MTA_BUF_INIT(512);
	const char *s, *text;
	char dsn[8];
	int status;

	snprintf(x.code, sizeof(x.code), "%d", ev->r->rbl_code);
	if (mta_config_expand_with(ev->r->cfg, ev->r->rbl_template,
				   rst_rbl_lookup, &x, &out, &err) < 0)
		mta_msg_warn("default_rbl_reply: %s", mta_buf_str(&err));
	s = out.data ? out.data : "";
	if ((s[0] != '4' && s[0] != '5') || s[1] < '0' || s[1] > '9' ||
	    s[2] < '0' || s[2] > '9' || s[3] != ' ') {
		mta_msg_warn("rbl response code configuration error: %s", s);
		status = rst_reject(ev, RST_POLICY, 450, "4.7.1",
				    "Service unavailable");
	} else {
		text = rst_dsn_split(s + 4, "4.7.1", dsn);
		status = rst_reject(ev, RST_POLICY, atoi(s),
				    rst_dsn_fix(dsn, "Client host"), "%s",
				    *text ? text : "Service unavailable");
	}
	mta_buf_release(&out);
	mta_buf_release(&err);
	return status;
}

/* rst_rbl_client - reject_rbl_client ZONE[=PATTERN] */
int
rst_rbl_client(struct rst_eval *ev, const struct rst_item *it)
{
	char *domain = mta_strdup(it->arg), *pat = strchr(domain, '=');
	struct mta_dns_rbl *res;
	bool listed;
	int status = RST_DUNNO;

	if (pat)
		*pat++ = '\0';
	if (ev->r->dns == NULL) {
		rst_warn_once(ev->r, "reject_rbl_client: no resolver");
		free(domain);
		return rst_server_error(ev);
	}
	res = mta_dns_rbl(ev->r->dns, domain, ev->c->addr);
	if (res->status == MTA_DNS_TEMP)
		mta_msg_warn("%s: RBL lookup error: %s", domain, res->reason);
	listed = res->status == MTA_DNS_OK && res->listed;
	if (listed && pat) {
		listed = false;
		for (size_t i = 0; i < res->n && !listed; i++)
			listed = rst_ip_match(pat, &res->ip[i]);
	}
	if (listed)
		status = rst_rbl_reply(ev, domain, res->txt);
	mta_dns_rbl_free(res);
	free(domain);
	return status;
}
