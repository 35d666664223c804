/*
 * restrict - compiling smtpd's restriction lists (see restrict.h). Every
 * list of main.cf, every restriction class and every map they name is
 * compiled or opened here, once; evaluation (restrict_eval.c) then only
 * walks arrays. Access-table values that are restriction lists are
 * compiled on first use and kept (a bounded cache).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mem.h"
#include "msg.h"
#include "restrict_priv.h"
#include "str.h"

/* Restrictions by name; arg: 0 none, 1 a map, 2 a DNSBL zone. */
static const struct rst_name {
	const char *name;
	enum rst_op op;
	int arg;
} rst_names[] = {
	{"permit", OP_PERMIT, 0},
	{"reject", OP_REJECT, 0},
	{"defer", OP_DEFER, 0},
	{"defer_if_permit", OP_DEFER_IF_PERMIT, 0},
	{"defer_if_reject", OP_DEFER_IF_REJECT, 0},
	{"warn_if_reject", OP_WARN_IF_REJECT, 0},
	{"permit_mynetworks", OP_PERMIT_MYNETWORKS, 0},
	{"permit_sasl_authenticated", OP_PERMIT_SASL, 0},
	{"reject_unauth_destination", OP_REJECT_UNAUTH_DEST, 0},
	{"defer_unauth_destination", OP_DEFER_UNAUTH_DEST, 0},
	{"permit_auth_destination", OP_PERMIT_AUTH_DEST, 0},
	{"check_client_access", OP_CHECK_CLIENT, 1},
	{"check_helo_access", OP_CHECK_HELO, 1},
	{"check_sender_access", OP_CHECK_SENDER, 1},
	{"check_recipient_access", OP_CHECK_RCPT, 1},
	{"reject_rbl_client", OP_RBL_CLIENT, 2},
	{"reject_rbl", OP_RBL_CLIENT, 2},
	{"reject_non_fqdn_helo_hostname", OP_NON_FQDN_HELO, 0},
	{"reject_non_fqdn_hostname", OP_NON_FQDN_HELO, 0},
	{"reject_invalid_helo_hostname", OP_INVALID_HELO, 0},
	{"reject_invalid_hostname", OP_INVALID_HELO, 0},
	{"reject_non_fqdn_sender", OP_NON_FQDN_SENDER, 0},
	{"reject_non_fqdn_recipient", OP_NON_FQDN_RCPT, 0},
	{"reject_unknown_sender_domain", OP_UNKNOWN_SENDER_DOMAIN, 0},
	{"reject_unknown_recipient_domain", OP_UNKNOWN_RCPT_DOMAIN, 0},
	{"reject_unknown_client_hostname", OP_UNKNOWN_CLIENT, 0},
	{"reject_unknown_client", OP_UNKNOWN_CLIENT, 0},
	{"reject_unlisted_recipient", OP_UNLISTED_RCPT, 0},
	{"check_recipient_maps", OP_UNLISTED_RCPT, 0},
	{"reject_unauth_pipelining", OP_UNAUTH_PIPELINING, 0},
};

/* The parameters of the lists, their access check, their stage name. */
static const struct {
	const char *param;
	enum rst_op def_acl;
	const char *acl_name;
} rst_params[RST_L_COUNT] = {
	{"smtpd_client_restrictions", OP_CHECK_CLIENT, "check_client_access"},
	{"smtpd_helo_restrictions", OP_CHECK_HELO, "check_helo_access"},
	{"smtpd_sender_restrictions", OP_CHECK_SENDER, "check_sender_access"},
	{"smtpd_relay_restrictions", OP_CHECK_RCPT, "check_recipient_access"},
	{"smtpd_recipient_restrictions", OP_CHECK_RCPT,
	 "check_recipient_access"},
	{"smtpd_data_restrictions", OP_ERROR, NULL},
};

/* rst_warn_once - a startup warning, said once per restrict object */
void
rst_warn_once(struct mta_restrict *r, const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (mta_htable_find(&r->warned, text) != NULL)
		return;
	mta_htable_insert(&r->warned, text, (void *)1);
	mta_msg_warn("%s", text);
}

/* rst_map_get - the map of spec, opened the first time it is named */
static struct rst_map *
rst_map_get(struct mta_restrict *r, const char *spec)
{
	struct rst_map *m = mta_htable_find(&r->maps, spec);
	struct mta_buf err = MTA_BUF_INIT(1024);

	if (m != NULL)
		return m;
	m = mta_calloc(1, sizeof(*m));
	m->spec = mta_strdup(spec);
	if ((m->map = mta_map_open(spec, MTA_MAP_READ, &err)) == NULL) {
		m->error = mta_buf_steal(&err);
		rst_warn_once(r, "%s: %s", spec, m->error);
	}
	mta_buf_release(&err);
	mta_htable_insert(&r->maps, spec, m);
	return m;
}

/* rst_map_free - close one registered map */
static void
rst_map_free(void *p)
{
	struct rst_map *m = p;

	if (m->map)
		mta_map_close(m->map);
	free(m->spec);
	free(m->error);
	free(m);
}

/* rst_push - one more item at the end of a list */
static struct rst_item *
rst_push(struct rst_list *l, enum rst_op op, const char *name)
{
	struct rst_item *it;

	l->v = mta_reallocarray(l->v, l->n + 1, sizeof(*l->v));
	it = &l->v[l->n++];
	memset(it, 0, sizeof(*it));
	it->op = op;
	it->name = mta_strdup(name);
	return it;
}

/* rst_error_item - a restriction that cannot work: warn, fail closed */
static void
rst_error_item(struct mta_restrict *r, struct rst_list *l, const char *where,
	       const char *name, const char *why)
{
	rst_warn_once(r, "%s: %s \"%s\": every check that reaches it answers "
		      "451 4.3.5", where, why, name);
	rst_push(l, OP_ERROR, name);
}

/* rst_find_name - the table entry of a restriction name */
static const struct rst_name *
rst_find_name(const char *name)
{
	for (size_t i = 0; i < sizeof(rst_names) / sizeof(rst_names[0]); i++)
		if (strcasecmp(rst_names[i].name, name) == 0)
			return &rst_names[i];
	return NULL;
}

/* rst_maps_rbl - reject_maps_rbl: one reject_rbl_client per zone */
static void
rst_maps_rbl(struct mta_restrict *r, struct rst_list *l, const char *where)
{
	const char *zones = mta_config_str(r->cfg, "maps_rbl_domains");
	char *copy = mta_strdup(zones ? zones : ""), *cp = copy, *z;

	rst_warn_once(r, "%s: support for restriction \"reject_maps_rbl\" will "
		      "be removed; use \"reject_rbl_client domain-name\" "
		      "instead (taken as reject_rbl_client for each of "
		      "maps_rbl_domains: %s)", where, zones ? zones : "");
	while ((z = mta_netlist_token(&cp)) != NULL)
		rst_push(l, OP_RBL_CLIENT, "reject_maps_rbl")->arg =
			mta_strdup(z);
	free(copy);
}

/* rst_bare_map - a "type:table" alone in a list */
static void
rst_bare_map(struct mta_restrict *r, struct rst_list *l, const char *where,
	     const char *tok, enum rst_op def_acl, bool in_value)
{
	const char *acl = NULL;

	for (int i = 0; i < RST_L_COUNT; i++)
		if (rst_params[i].def_acl == def_acl)
			acl = rst_params[i].acl_name;
	if (in_value) {
		rst_error_item(r, l, where, tok, "lookup tables are not allowed "
			       "inside access tables (define a restriction "
			       "class and name it instead):");
		return;
	}
	if (acl == NULL) {
		rst_error_item(r, l, where, tok, "specify check_client_access, "
			       "check_helo_access, check_sender_access or "
			       "check_recipient_access before");
		return;
	}
	rst_warn_once(r, "%s: \"%s\" alone is taken as \"%s %s\"", where, tok,
		      acl, tok);
	rst_push(l, def_acl, acl)->map = rst_map_get(r, tok);
}

/* rst_add_named - a restriction name and the argument it may take */
static void
rst_add_named(struct mta_restrict *r, struct rst_list *l, const char *where,
	      const char *tok, char **cp, bool in_value)
{
	const struct rst_name *n = rst_find_name(tok);
	struct rst_list *cls;
	char *arg;

	if (n == NULL && (cls = mta_htable_find(&r->classes, tok)) != NULL) {
		rst_push(l, OP_CLASS, tok)->cls = cls;
		return;
	}
	if (n == NULL) {
		rst_error_item(r, l, where, tok, "unknown smtpd restriction");
		return;
	}
	if (n->arg == 0) {
		rst_push(l, n->op, n->name);
		return;
	}
	if ((arg = mta_netlist_token(cp)) == NULL ||
	    (n->arg == 1 && strchr(arg, ':') == NULL)) {
		rst_error_item(r, l, where, tok, n->arg == 1 ?
			       "needs a type:table argument:" :
			       "needs a DNSBL domain name argument:");
		return;
	}
	if (n->arg == 1 && in_value)
		rst_error_item(r, l, where, arg, "lookup tables are not allowed "
			       "inside access tables:");
	else if (n->arg == 1)
		rst_push(l, n->op, n->name)->map = rst_map_get(r, arg);
	else
		rst_push(l, n->op, n->name)->arg = mta_str_lower(mta_strdup(arg));
}

/* rst_compile - the items of a list text */
static void
rst_compile(struct mta_restrict *r, struct rst_list *l, const char *where,
	    const char *text, enum rst_op def_acl, bool in_value)
{
	char *copy = mta_strdup(text ? text : ""), *cp = copy, *tok;

	while ((tok = mta_netlist_token(&cp)) != NULL) {
		if (strcasecmp(tok, "reject_maps_rbl") == 0)
			rst_maps_rbl(r, l, where);
		else if (strchr(tok, ':') != NULL)
			rst_bare_map(r, l, where, tok, def_acl, in_value);
		else
			rst_add_named(r, l, where, tok, &cp, in_value);
	}
	free(copy);
}

/* rst_list_release - free the items of a list (not the list itself) */
static void
rst_list_release(struct rst_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].arg);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* rst_list_free - release a list allocated on its own */
static void
rst_list_free(void *p)
{
	rst_list_release(p);
	free(p);
}

/*
 * rst_compile_value - an access-table value as a restriction list, from
 * the cache when it was seen before. When the cache is full the list is
 * the caller's (*owned), to free with rst_value_free(): a list in use by
 * an outer walk is never freed under it.
 */
struct rst_list *
rst_compile_value(struct mta_restrict *r, const char *value,
		  enum rst_op def_acl, bool *owned)
{
	struct rst_list *l = mta_htable_find(&r->values, value);

	*owned = false;
	if (l != NULL)
		return l;
	l = mta_calloc(1, sizeof(*l));
	rst_compile(r, l, "access table value", value, def_acl, true);
	if (r->values.count >= RST_VALUE_CACHE_MAX)
		*owned = true;
	else
		mta_htable_insert(&r->values, value, l);
	return l;
}

/* rst_value_free - a list rst_compile_value() gave as the caller's */
void
rst_value_free(struct rst_list *l)
{
	rst_list_free(l);
}

/* rst_classes - smtpd_restriction_classes: names first, then bodies */
static void
rst_classes(struct mta_restrict *r)
{
	const char *names = mta_config_str(r->cfg, "smtpd_restriction_classes");
	char *copy = mta_strdup(names ? names : ""), *cp = copy, *name;
	struct mta_htable_entry *e;
	size_t pos = 0;

	while ((name = mta_netlist_token(&cp)) != NULL)
		if (mta_htable_find(&r->classes, name) == NULL)
			mta_htable_insert(&r->classes, name,
					  mta_calloc(1, sizeof(struct rst_list)));
	free(copy);
	while ((e = mta_htable_next(&r->classes, &pos)) != NULL) {
		const char *body = mta_config_str(r->cfg, e->key);

		if (body == NULL || *body == '\0')
			rst_error_item(r, e->value, e->key, e->key,
				       "restriction class needs a definition:");
		else
			rst_compile(r, e->value, e->key, body, OP_ERROR, false);
	}
}

/* rst_has_required - does the list end relaying for strangers? */
static bool
rst_has_required(const struct rst_list *l, int depth)
{
	for (size_t i = 0; depth < 10 && i < l->n; i++) {
		switch (l->v[i].op) {
		case OP_REJECT:
		case OP_DEFER:
		case OP_DEFER_IF_PERMIT:
		case OP_REJECT_UNAUTH_DEST:
		case OP_DEFER_UNAUTH_DEST:
			return true;
		case OP_CLASS:
			if (rst_has_required(l->v[i].cls, depth + 1))
				return true;
			break;
		default:
			break;
		}
	}
	return false;
}

/* rst_in_param_list - is word in parent_domain_matches_subdomains? */
static bool
rst_parent_style(struct mta_config *cfg, const char *word)
{
	const char *v = mta_config_str(cfg, "parent_domain_matches_subdomains");
	char *copy = mta_strdup(v ? v : ""), *cp = copy, *tok;
	bool found = false;

	while (!found && (tok = mta_netlist_token(&cp)) != NULL)
		found = strcasecmp(tok, word) == 0;
	free(copy);
	return found;
}

/* rst_netlist - mynetworks or relay_domains; NULL (logged) when broken */
static struct mta_netlist *
rst_netlist(struct mta_restrict *r, const char *param)
{
	struct mta_buf err = MTA_BUF_INIT(1024);
	const char *v = mta_config_str(r->cfg, param);
	struct mta_netlist *l;

	l = mta_netlist_new(param, v ? v : "",
			    rst_parent_style(r->cfg, param) ?
			    MTA_NETLIST_PARENT : 0, &err);
	if (l == NULL)
		rst_warn_once(r, "%s (checks that need it answer 451 4.3.5)",
			      mta_buf_str(&err));
	mta_buf_release(&err);
	return l;
}

/* rst_strparam - a string parameter, copied ("" when unknown) */
static char *
rst_strparam(struct mta_config *cfg, const char *name)
{
	const char *v = mta_config_str(cfg, name);

	return mta_strdup(v ? v : "");
}

/* rst_settings - the codes and switches the checks use */
static void
rst_settings(struct mta_restrict *r)
{
	struct mta_config *cfg = r->cfg;
	const char *tpl = mta_config_raw(cfg, "default_rbl_reply");

	r->delay_reject = mta_config_bool(cfg, "smtpd_delay_reject");
	r->soft_bounce = mta_config_bool(cfg, "soft_bounce");
	r->reject_unlisted = mta_config_bool(cfg,
					     "smtpd_reject_unlisted_recipient");
	r->parent_access = rst_parent_style(cfg, "smtpd_access_maps");
	r->access_reject_code = mta_config_int(cfg, "access_map_reject_code");
	r->access_defer_code = mta_config_int(cfg, "access_map_defer_code");
	r->reject_code = mta_config_int(cfg, "reject_code");
	r->defer_code = mta_config_int(cfg, "defer_code");
	r->relay_code = mta_config_int(cfg, "relay_domains_reject_code");
	r->rbl_code = mta_config_int(cfg, "maps_rbl_reject_code");
	r->non_fqdn_code = mta_config_int(cfg, "non_fqdn_reject_code");
	r->bad_name_code = mta_config_int(cfg, "invalid_hostname_reject_code");
	r->unknown_addr_code = mta_config_int(cfg, "unknown_address_reject_code");
	r->unknown_local_code =
		mta_config_int(cfg, "unknown_local_recipient_reject_code");
	r->unknown_client_code = mta_config_int(cfg, "unknown_client_reject_code");
	r->null_key = rst_strparam(cfg, "smtpd_null_access_lookup_key");
	r->rcpt_delim = rst_strparam(cfg, "recipient_delimiter");
	if (tpl == NULL)
		tpl = mta_config_default(cfg, "default_rbl_reply");
	r->rbl_template = mta_strdup(tpl ? tpl : "$rbl_code Service unavailable");
}

/* rst_relay_guard - Postfix's rule: some list must refuse strangers */
static void
rst_relay_guard(struct mta_restrict *r)
{
	if (rst_has_required(&r->lists[RST_L_RELAY], 0) ||
	    rst_has_required(&r->lists[RST_L_RCPT], 0))
		return;
	r->relay_guard_missing = true;
	rst_warn_once(r, "to prevent open relay problems, neither "
		      "smtpd_relay_restrictions nor smtpd_recipient_restrictions "
		      "ends with reject_unauth_destination, "
		      "defer_unauth_destination, reject or defer: every "
		      "recipient gets 451 4.3.5 until one of them does");
}

/* mta_restrict_new - compile every list; open maps, tables, networks */
struct mta_restrict *
mta_restrict_new(struct mta_config *cfg, struct mta_dns *dns,
		 struct mta_buf *err)
{
	struct mta_restrict *r = mta_calloc(1, sizeof(*r));

	r->cfg = cfg;
	r->dns = dns;
	mta_htable_init(&r->maps, rst_map_free);
	mta_htable_init(&r->classes, rst_list_free);
	mta_htable_init(&r->values, rst_list_free);
	mta_htable_init(&r->warned, NULL);
	if ((r->rw = mta_rewrite_new(cfg, err)) == NULL) {
		mta_restrict_free(r);
		return NULL;
	}
	rst_settings(r);
	r->mynetworks = rst_netlist(r, "mynetworks");
	r->relay_domains = rst_netlist(r, "relay_domains");
	rst_classes(r);
	for (int i = 0; i < RST_L_COUNT; i++)
		rst_compile(r, &r->lists[i], rst_params[i].param,
			    mta_config_str(cfg, rst_params[i].param),
			    rst_params[i].def_acl, false);
	rst_relay_guard(r);
	if (rst_lrmaps_open(r, err) < 0) {
		mta_restrict_free(r);
		return NULL;
	}
	return r;
}

/* mta_restrict_free - release everything mta_restrict_new made */
void
mta_restrict_free(struct mta_restrict *r)
{
	if (r == NULL)
		return;
	for (int i = 0; i < RST_L_COUNT; i++)
		rst_list_release(&r->lists[i]);
	mta_htable_release(&r->values);
	mta_htable_release(&r->classes);
	rst_lrmaps_free(&r->lrmaps);
	mta_htable_release(&r->maps);
	mta_htable_release(&r->warned);
	mta_netlist_free(r->mynetworks);
	mta_netlist_free(r->relay_domains);
	mta_rewrite_free(r->rw);
	free(r->null_key);
	free(r->rcpt_delim);
	free(r->rbl_template);
	free(r);
}

/* mta_restrict_mynetworks - is addr one of mynetworks? */
bool
mta_restrict_mynetworks(struct mta_restrict *r, const char *addr)
{
	return r->mynetworks != NULL &&
	       mta_netlist_match(r->mynetworks, NULL, addr, NULL) == 1;
}
