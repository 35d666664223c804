/*
 * restrict_addr - relay control and the checks on names and addresses:
 * reject_unauth_destination and friends, reject_non_fqdn_*,
 * reject_invalid_helo_hostname, reject_unknown_{sender,recipient}_domain.
 *
 * Relay control decides on the address as delivery would see it: the
 * canonical form (source route dropped, bang path and percent hack on a
 * bare local part, $myorigin/$mydomain appended, one trailing dot gone),
 * routing on our own domains peeled off as the resolver does, domain in
 * lower case. An address whose local part still holds '@', '%' or '!' is
 * sender-routed and never ours (DESIGN.md 9; Postfix's
 * allow_untrusted_routing = no). Ours: mydestination (and localhost) or
 * relay_domains. An address literal [192.0.2.1] is ours only when
 * written in one of those lists: we do not guess our own addresses.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "dns.h"
#include "map_cidr.h"
#include "msg.h"
#include "restrict_priv.h"
#include "str.h"

/* rst_canonical - the address as cleanup and the resolver would see it */
int
rst_canonical(struct mta_restrict *r, const char *addr, struct mta_buf *out)
{
	if (mta_rewrite_addr(r->rw, MTA_REWRITE_LOCAL, addr, out) < 0)
		return -1;
	if (out->data == NULL)
		return mta_buf_set(out, "");
	mta_addr_lower_domain(out->data);
	mta_rewrite_unroute(r->rw, out);
	mta_addr_lower_domain(out->data);
	return 0;
}

/* rst_routed - routing left in the local part */
bool
rst_routed(const char *canon)
{
	const char *at = strrchr(canon, '@');

	if (at == NULL)
		return strpbrk(canon, "@%!") != NULL;
	for (const char *p = canon; p < at; p++)
		if (*p == '@' || *p == '%' || *p == '!')
			return true;
	return false;
}

/* rst_auth_destination - 1 ours, 0 not, -1 relay_domains failed */
int
rst_auth_destination(struct rst_eval *ev, const char *rcpt)
{
	struct mta_buf canon = MTA_BUF_INIT(MTA_ADDR_PATH_MAX * 2);
	struct mta_buf err = MTA_BUF_INIT(512);
	const char *at, *domain;
	int rc = 0;

	if (rst_canonical(ev->r, rcpt, &canon) < 0 ||
	    (at = strrchr(canon.data, '@')) == NULL || rst_routed(canon.data))
		goto out;
	domain = at + 1;
	if (*domain == '\0')
		goto out;
	if (mta_rewrite_is_local(ev->r->rw, domain)) {
		rc = 1;
	} else if (ev->r->relay_domains == NULL) {
		rc = -1;
	} else if ((rc = mta_netlist_match(ev->r->relay_domains, domain, NULL,
					   &err)) < 0) {
		mta_msg_warn("relay_domains: %s", mta_buf_str(&err));
	}
out:
	mta_buf_release(&canon);
	mta_buf_release(&err);
	return rc;
}

/* rst_unauth_destination - reject/defer_unauth_destination */
int
rst_unauth_destination(struct rst_eval *ev, int code, const char *dsn)
{
	const char *rcpt = rst_rcpt(ev);
	int rc = rst_auth_destination(ev, rcpt);

	if (rc > 0)
		return RST_DUNNO;
	if (rc < 0)
		return rst_reject(ev, RST_SOFTWARE, 451, "4.3.0",
				  "<%s>: Temporary lookup failure", rcpt);
	return rst_reject(ev, RST_POLICY, code, dsn,
			  "<%s>: Relay access denied", rcpt);
}

/* rst_valid_hostname - RFC 1035 labels, not all numeric */
static bool
rst_valid_hostname(const char *name)
{
	size_t label = 0, len = strlen(name);
	bool alpha = false;

	if (len == 0 || len > 255)
		return false;
	for (const char *p = name; *p; p++) {
		unsigned char ch = (unsigned char)*p;

		if (ch == '.') {
			if (label == 0 || p[-1] == '-')
				return false;
			label = 0;
		} else if (isalnum(ch) || ch == '_' || ch == '-') {
			if ((label == 0 && ch == '-') || ++label > 63)
				return false;
			alpha |= !isdigit(ch);
		} else {
			return false;
		}
	}
	return label > 0 && name[len - 1] != '-' && alpha;
}

/* rst_valid_literal - "[1.2.3.4]" or "[IPv6:...]" */
static bool
rst_valid_literal(const char *name)
{
	char inner[64];
	unsigned char bytes[16];
	int family;
	size_t len = strlen(name);

	if (len < 3 || name[0] != '[' || name[len - 1] != ']' ||
	    len - 2 >= sizeof(inner))
		return false;
	memcpy(inner, name + 1, len - 2);
	inner[len - 2] = '\0';
	if (strncasecmp(inner, "IPv6:", 5) == 0)
		return strchr(inner + 5, ':') != NULL &&
		       mta_cidr_addr(inner + 5, bytes, &family) == 0;
	return strchr(inner, ':') == NULL &&
	       mta_cidr_addr(inner, bytes, &family) == 0;
}

/* rst_trim_dot - a copy without one trailing dot (but not "..") */
static void
rst_trim_dot(char *out, size_t size, const char *name)
{
	size_t len = strlcpy(out, name, size);

	if (len >= size)
		out[0] = '\0';	/* too long to be a host name */
	else if (len > 1 && out[len - 1] == '.' && out[len - 2] != '.')
		out[len - 1] = '\0';
}

/* rst_bad_literal - the HELO literal check both HELO checks share */
static int
rst_bad_literal(struct rst_eval *ev, const char *helo)
{
	if (rst_valid_literal(helo))
		return RST_DUNNO;
	return rst_reject(ev, RST_POLICY, ev->r->bad_name_code, "5.5.2",
			  "<%s>: Helo command rejected: invalid ip address",
			  helo);
}

/* rst_non_fqdn_helo - reject_non_fqdn_helo_hostname */
int
rst_non_fqdn_helo(struct rst_eval *ev)
{
	const char *helo = rst_helo(ev);
	char name[300];

	if (helo[0] == '[')
		return rst_bad_literal(ev, helo);
	rst_trim_dot(name, sizeof(name), helo);
	if (rst_valid_hostname(name) && strchr(name, '.') != NULL)
		return RST_DUNNO;
	return rst_reject(ev, RST_POLICY, ev->r->non_fqdn_code, "5.5.2",
			  "<%s>: Helo command rejected: need fully-qualified "
			  "hostname", helo);
}

/* rst_invalid_helo - reject_invalid_helo_hostname */
int
rst_invalid_helo(struct rst_eval *ev)
{
	const char *helo = rst_helo(ev);
	unsigned char bytes[16];
	char name[300];
	int family;

	if (helo[0] == '[')
		return rst_bad_literal(ev, helo);
	rst_trim_dot(name, sizeof(name), helo);
	if (rst_valid_hostname(name) ||
	    mta_cidr_addr(name, bytes, &family) == 0)
		return RST_DUNNO;
	return rst_reject(ev, RST_POLICY, ev->r->bad_name_code, "5.5.2",
			  "<%s>: Helo command rejected: Invalid name", helo);
}

/* rst_non_fqdn_addr - reject_non_fqdn_sender/recipient */
int
rst_non_fqdn_addr(struct rst_eval *ev, const char *addr,
		  const char *reply_class)
{
	const char *at = strrchr(addr, '@'), *domain = at ? at + 1 : "";
	size_t len = strlen(domain);
	char name[300];

	if (len > 1 && domain[0] == '[' && domain[len - 1] == ']')
		return RST_DUNNO;
	rst_trim_dot(name, sizeof(name), domain);
	if (*name && rst_valid_hostname(name) && strchr(name, '.') != NULL)
		return RST_DUNNO;
	return rst_reject(ev, RST_POLICY, ev->r->non_fqdn_code,
			  strcmp(reply_class, "Sender address") == 0 ?
			  "4.1.7" : "4.1.2",
			  "<%s>: %s rejected: need fully-qualified address",
			  addr, reply_class);
}

/* rst_mailhost - the DNS verdict on a mail domain */
static int
rst_mailhost(struct rst_eval *ev, const char *domain, const char *addr,
	     const char *reply_class)
{
	bool sender = strcmp(reply_class, "Sender address") == 0, nullmx;
	const char *dsn = sender ? "4.1.8" : "4.1.2";
	char why[MTA_DNS_REASON_MAX];
	enum mta_dns_status st;

	st = mta_dns_mailhost(ev->r->dns, domain, &nullmx, why);
	if (st == MTA_DNS_OK)
		return RST_DUNNO;
	if (st == MTA_DNS_TEMP) {
		mta_msg_warn("%s: MX or address lookup error: %s", domain, why);
		rst_defer_if(&ev->dip, 450, dsn, "<%s>: %s rejected: Domain "
			     "not found", addr, reply_class);
		return RST_DUNNO;
	}
	if (nullmx)
		return rst_reject(ev, RST_POLICY, sender ? 550 : 556,
				  sender ? "4.7.27" : "4.1.10", "<%s>: %s "
				  "rejected: Domain %s does not accept mail "
				  "(nullMX)", addr, reply_class, domain);
	return rst_reject(ev, RST_POLICY, ev->r->unknown_addr_code, dsn,
			  "<%s>: %s rejected: Domain not found", addr,
			  reply_class);
}

/* rst_unknown_domain - reject_unknown_sender/recipient_domain */
int
rst_unknown_domain(struct rst_eval *ev, const char *addr,
		   const char *reply_class)
{
	struct mta_buf canon = MTA_BUF_INIT(MTA_ADDR_PATH_MAX * 2);
	const char *at;
	int status = RST_DUNNO;

	if (rst_canonical(ev->r, addr, &canon) < 0 ||
	    (at = strrchr(canon.data, '@')) == NULL || at[1] == '\0' ||
	    at[1] == '[' || mta_rewrite_is_local(ev->r->rw, at + 1))
		goto out;
	if (ev->r->dns == NULL) {
		rst_warn_once(ev->r, "reject_unknown_%s_domain: no resolver",
			      strcmp(reply_class, "Sender address") == 0 ?
			      "sender" : "recipient");
		status = rst_server_error(ev);
		goto out;
	}
	status = rst_mailhost(ev, at + 1, addr, reply_class);
out:
	mta_buf_release(&canon);
	return status;
}
