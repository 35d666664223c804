/*
 * restrict_access - check_client_access, check_helo_access,
 * check_sender_access, check_recipient_access: the lookup orders of
 * access(5) and what the value found means.
 *
 * Client: the host name, its parent domains ("example.com" with
 * smtpd_access_maps in parent_domain_matches_subdomains, else
 * ".example.com"), then the address and its shorter prefixes (1.2.3.4,
 * 1.2.3, 1.2, 1; IPv6 cut at ':'). Mail address, after the rewriting
 * that cleanup would do: user+ext@domain, user@domain, domain and its
 * parents, user+ext@, user@. The null sender looks up
 * smtpd_null_access_lookup_key. Partial keys (parents, prefixes,
 * user@) are never given to cidr: tables, which match addresses only.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "map_cidr.h"
#include "mem.h"
#include "msg.h"
#include "restrict_priv.h"

/* The word of a value and the text after it. */
struct rst_value {
	const char *cmd;
	size_t len;
	const char *text;
};

/* rst_is - is the value's word this action (any case)? */
static bool
rst_is(const struct rst_value *v, const char *word)
{
	return strlen(word) == v->len && strncasecmp(v->cmd, word, v->len) == 0;
}

/* rst_all_digits - a value of digits only (an "OK" time stamp) */
static bool
rst_all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* rst_access_reject - REJECT, DEFER, NNN: a reject with the table's text */
static int
rst_access_reject(struct rst_eval *ev, int code, const char *def_dsn,
		  const char *text, const char *reply_name,
		  const char *reply_class)
{
	char dsn[8];

	text = rst_dsn_split(text, def_dsn, dsn);
	return rst_reject(ev, RST_POLICY, code, rst_dsn_fix(dsn, reply_class),
			  "<%s>: %s rejected: %s", reply_name, reply_class,
			  *text ? text : "Access denied");
}

/* rst_defer_action - DEFER_IF_PERMIT, DEFER_IF_REJECT from a table */
static int
rst_defer_action(struct rst_eval *ev, struct rst_defer *d, const char *text,
		 const char *reply_name, const char *reply_class)
{
	char dsn[8];

	text = rst_dsn_split(text, "4.7.1", dsn);
	rst_defer_if(d, ev->r->access_defer_code, rst_dsn_fix(dsn, reply_class),
		     "<%s>: %s rejected: %s", reply_name, reply_class,
		     *text ? text : "Service unavailable");
	return RST_DUNNO;
}

/* rst_keep_action - HOLD and DISCARD: only inside a mail transaction */
static int
rst_keep_action(struct rst_eval *ev, const char *table, bool discard,
		const char *text, const char *reply_name,
		const char *reply_class)
{
	const char *word = discard ? "DISCARD" : "HOLD";
	char line[MTA_RST_TEXT_MAX];

	if (ev->c->sender == NULL) {
		rst_warn_once(ev->r, "access table %s: with smtpd_delay_reject"
			      "=no, action %s is always skipped in client or "
			      "helo restrictions", table, word);
		return RST_DUNNO;
	}
	snprintf(line, sizeof(line), "<%s>: %s %s", reply_name, reply_class,
		 *text ? text : discard ? "triggers DISCARD action"
				       : "triggers HOLD action");
	rst_log(ev, discard ? "discard" : "hold", line);
	strlcpy(ev->v->reason, line, sizeof(ev->v->reason));
	if (discard)
		return (ev->discard = true, RST_OK);
	ev->hold = true;
	return RST_DUNNO;
}

/* rst_value_list - a value that names restrictions: walk them */
static int
rst_value_list(struct rst_eval *ev, const char *table, const char *value,
	       const char *reply_name, const char *reply_class,
	       enum rst_op def_acl)
{
	struct rst_list *l;
	bool owned;
	int status;

	if (strchr(value, ':') != NULL) {
		mta_msg_warn("access table %s has entry with lookup table: %s; "
			     "define a restriction class and name it instead",
			     table, value);
		return rst_server_error(ev);
	}
	l = rst_compile_value(ev->r, value, def_acl, &owned);
	if (l->n == 0)
		status = RST_OK;
	else
		status = rst_eval_list(ev, l, reply_name, reply_class, def_acl);
	if (owned)
		rst_value_free(l);
	return status;
}

/* rst_action - what an access-table value means (access(5)) */
static int
rst_action(struct rst_eval *ev, const char *table, const char *value,
	   const char *reply_name, const char *reply_class, enum rst_op def_acl)
{
	struct rst_value v = {value, strcspn(value, " \t"), NULL};

	for (v.text = value + v.len; *v.text == ' ' || *v.text == '\t';)
		v.text++;
	if (rst_is(&v, "DUNNO"))
		return RST_DUNNO;
	if (rst_is(&v, "OK") || rst_is(&v, "RELAY") || rst_all_digits(value))
		return RST_OK;
	if (rst_is(&v, "REJECT"))
		return rst_access_reject(ev, ev->r->access_reject_code, "5.7.1",
					 v.text, reply_name, reply_class);
	if (rst_is(&v, "DEFER"))
		return rst_access_reject(ev, ev->r->access_defer_code, "4.7.1",
					 v.text, reply_name, reply_class);
	if (v.len == 3 && *v.text && (value[0] == '4' || value[0] == '5') &&
	    value[1] >= '0' && value[1] <= '9' && value[2] >= '0' &&
	    value[2] <= '9') {
		char dsn[8] = {value[0], '.', '7', '.', '1', '\0'};

		return rst_access_reject(ev, atoi(value), dsn, v.text,
					 reply_name, reply_class);
	}
	if (rst_is(&v, "WARN") || rst_is(&v, "INFO")) {
		rst_log(ev, rst_is(&v, "WARN") ? "warn" : "info", v.text);
		return RST_DUNNO;
	}
	if (rst_is(&v, "HOLD") || rst_is(&v, "DISCARD"))
		return rst_keep_action(ev, table, rst_is(&v, "DISCARD"), v.text,
				       reply_name, reply_class);
	if (rst_is(&v, "DEFER_IF_PERMIT") || rst_is(&v, "DEFER_IF_REJECT"))
		return rst_defer_action(ev, rst_is(&v, "DEFER_IF_PERMIT") ?
					&ev->dip : &ev->dir, v.text,
					reply_name, reply_class);
	if (rst_is(&v, "FILTER") || rst_is(&v, "REDIRECT") || rst_is(&v, "BCC") ||
	    rst_is(&v, "PREPEND") || rst_is(&v, "HANGUP")) {
		mta_msg_warn("access table %s: action %.*s is not supported by "
			     "mta", table, (int)v.len, value);
		return rst_server_error(ev);
	}
	return rst_value_list(ev, table, value, reply_name, reply_class,
			      def_acl);
}

/* Where a lookup stands: the map, and the words of the reply. */
struct rst_lookup {
	struct rst_eval *ev;
	struct rst_map *m;
	const char *reply_name, *reply_class;
	enum rst_op def_acl;
	bool found;
	int status;
};

/*
 * rst_try - look one key up; true when that decided (found, or the map
 * failed: then the verdict is Postfix's 451 4.3.5).
 */
static bool
rst_try(struct rst_lookup *lk, const char *key, bool partial)
{
	const char *value;
	char *copy;
	int rc;

	if (partial && strcmp(lk->m->map->type, "cidr") == 0)
		return false;
	if ((rc = mta_map_lookup(lk->m->map, key, &value)) == 0)
		return false;
	lk->found = true;
	if (rc < 0) {
		mta_msg_warn("%s: table lookup error: %s", lk->m->spec,
			     mta_map_error(lk->m->map));
		value = "451 4.3.5 Server configuration error";
	}
	copy = mta_strdup(value);	/* the map's buffer may be reused */
	lk->status = rst_action(lk->ev, lk->m->spec, copy, lk->reply_name,
				lk->reply_class, lk->def_acl);
	free(copy);
	return true;
}

/* rst_numeric - an address (or [address]): no parent-domain magic */
static bool
rst_numeric(const char *name)
{
	unsigned char bytes[16];
	int family;

	return name[0] == '[' || mta_cidr_addr(name, bytes, &family) == 0;
}

/* rst_domain_lookup - the name, then its parent domains */
static bool
rst_domain_lookup(struct rst_lookup *lk, const char *domain, bool partial)
{
	const char *next;

	for (const char *name = domain; *name; name = next) {
		if (rst_try(lk, name, partial || name != domain))
			return true;
		if (rst_numeric(domain) || (next = strchr(name + 1, '.')) == NULL)
			break;
		if (lk->ev->r->parent_access)
			next++;
	}
	return false;
}

/* rst_addr_lookup - the address, then shorter prefixes */
static bool
rst_addr_lookup(struct rst_lookup *lk, const char *addr)
{
	char copy[64], *cut;
	int delim = strchr(addr, ':') ? ':' : '.';

	if (strlcpy(copy, addr, sizeof(copy)) >= sizeof(copy))
		return false;
	for (bool partial = false;; partial = true) {
		if (rst_try(lk, copy, partial))
			return true;
		if ((cut = strrchr(copy, delim)) == NULL)
			return false;
		*cut = '\0';
	}
}

/* rst_lookup_init - a lookup in it->map; false when it is broken */
static bool
rst_lookup_init(struct rst_lookup *lk, struct rst_eval *ev,
		const struct rst_item *it, const char *reply_name,
		const char *reply_class)
{
	memset(lk, 0, sizeof(*lk));
	lk->ev = ev;
	lk->m = it->map;
	lk->reply_name = reply_name;
	lk->reply_class = reply_class;
	lk->def_acl = it->op;
	return it->map != NULL && it->map->map != NULL;
}

/* rst_check_client_access - host name and parents, then the address */
int
rst_check_client_access(struct rst_eval *ev, const struct rst_item *it)
{
	struct rst_lookup lk;
	const char *name = ev->c->name ? ev->c->name : "unknown";

	if (!rst_lookup_init(&lk, ev, it, ev->namaddr, "Client host"))
		return rst_server_error(ev);
	if (rst_domain_lookup(&lk, name, false) ||
	    rst_addr_lookup(&lk, ev->c->addr))
		return lk.status;
	return RST_DUNNO;
}

/* rst_check_helo_access - the HELO name and its parents */
int
rst_check_helo_access(struct rst_eval *ev, const struct rst_item *it)
{
	const char *helo = rst_helo(ev);
	struct rst_lookup lk;

	if (helo == NULL)
		return RST_DUNNO;
	if (!rst_lookup_init(&lk, ev, it, helo, "Helo command"))
		return rst_server_error(ev);
	return rst_domain_lookup(&lk, helo, false) ? lk.status : RST_DUNNO;
}

/* rst_ext_len - length of the local part without its extension */
static size_t
rst_ext_len(const char *delims, const char *local, size_t len)
{
	for (size_t i = 1; *delims && i < len; i++)
		if (strchr(delims, local[i]) != NULL)
			return i;
	return len;
}

/* rst_mail_lookup - access(5)'s order for an email address */
static bool
rst_mail_lookup(struct rst_lookup *lk, const char *canon)
{
	const char *at = strrchr(canon, '@');
	size_t local = (size_t)(at - canon);
	size_t bare = rst_ext_len(lk->ev->r->rcpt_delim, canon, local);
	char key[MTA_ADDR_PATH_MAX * 2 + 8];

	if (rst_try(lk, canon, false))
		return true;
	if (bare < local) {
		snprintf(key, sizeof(key), "%.*s%s", (int)bare, canon, at);
		if (rst_try(lk, key, true))
			return true;
	}
	if (at[1] && rst_domain_lookup(lk, at + 1, true))
		return true;
	snprintf(key, sizeof(key), "%.*s@", (int)local, canon);
	if (rst_try(lk, key, true))
		return true;
	snprintf(key, sizeof(key), "%.*s@", (int)bare, canon);
	return bare < local && rst_try(lk, key, true);
}

/* rst_mail_access - an address after rewriting, through the order */
static int
rst_mail_access(struct rst_eval *ev, const struct rst_item *it,
		const char *addr, const char *reply_class)
{
	struct mta_buf canon = MTA_BUF_INIT(MTA_ADDR_PATH_MAX * 2);
	struct rst_lookup lk;
	int status = RST_DUNNO;

	if (!rst_lookup_init(&lk, ev, it, addr, reply_class))
		return rst_server_error(ev);
	if (rst_canonical(ev->r, addr, &canon) < 0 ||
	    strrchr(mta_buf_str(&canon), '@') == NULL) {
		mta_buf_release(&canon);
		return RST_DUNNO;
	}
	if (rst_mail_lookup(&lk, canon.data)) {
		status = lk.status;
		/* a routed recipient is too suspicious to be OKed */
		if (status == RST_OK && rst_routed(canon.data) &&
		    strcmp(reply_class, "Recipient address") == 0)
			status = RST_DUNNO;
	}
	mta_buf_release(&canon);
	return status;
}

/* rst_check_sender_access - the sender, or the null sender's key */
int
rst_check_sender_access(struct rst_eval *ev, const struct rst_item *it)
{
	const char *sender = rst_sender(ev);
	struct rst_lookup lk;

	if (sender == NULL)
		return RST_DUNNO;
	if (*sender)
		return rst_mail_access(ev, it, sender, "Sender address");
	if (!rst_lookup_init(&lk, ev, it, sender, "Sender address"))
		return rst_server_error(ev);
	return rst_try(&lk, ev->r->null_key, false) ? lk.status : RST_DUNNO;
}

/* rst_check_rcpt_access - the recipient */
int
rst_check_rcpt_access(struct rst_eval *ev, const struct rst_item *it)
{
	const char *rcpt = rst_rcpt(ev);

	if (rcpt == NULL)
		return RST_DUNNO;
	return rst_mail_access(ev, it, rcpt, "Recipient address");
}
