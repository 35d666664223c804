/*
 * config_check - what mta-conf --check (and mta-start check) say about a
 * main.cf. Errors are what would make mta misbehave or ignore what the
 * administrator meant: bad values, expansion errors, and the seed's slips
 * that silently drop a restriction. Warnings are the rest: unknown names
 * (with a suggestion), Postfix names mta ignores, obsolete names that are
 * translated, undefined $names, names set twice, bare tables in lists.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_priv.h"
#include "mem.h"
#include "param.h"
#include "str.h"

struct check {
	struct mta_config *cfg;
	mta_config_report_fn report;
	void *ctx;
	int errors;
	struct mta_htable used;	/* unknown names that expansions use */
};

/* say - one finding, formatted, to the report function */
static void MTA_PRINTF(3, 4)
say(struct check *c, int level, const char *fmt, ...)
{
	va_list ap;
	char text[8192];

	/* A finding longer than this is cut: it is for a human to read. */
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	c->report(c->ctx, level, text);
	if (level == MTA_CONFIG_ERROR)
		c->errors++;
}

/* where - "FILE, line N" of a name set in main.cf */
static const char *
where(struct check *c, const char *name, char *buf, size_t size)
{
	int line = mta_config_lineno(c->cfg, name);

	if (line > 0)
		snprintf(buf, size, "%s, line %d", c->cfg->path, line);
	else
		snprintf(buf, size, "%s", c->cfg->path);
	return buf;
}

/* check_values - every parameter of the table: expansion, type, bounds */
static void
check_values(struct check *c)
{
	for (size_t i = 0; i < mta_param_count; i++) {
		const struct mta_param *p = &mta_param_table[i];
		struct mta_buf why = MTA_BUF_INIT(4096);
		const char *v;
		char at[1024];

		if (config_value(c->cfg, p->name, &v, &why) == 0 && v)
			mta_param_check(p, v, &why);
		if (why.len > 0)
			say(c, MTA_CONFIG_ERROR, "%s: %s: %s",
			    where(c, p->name, at, sizeof(at)), p->name,
			    mta_buf_str(&why));
		mta_buf_release(&why);
	}
}

/* restriction_list_of - the list a check_X_access restriction belongs in */
static const char *
restriction_list_of(const char *name)
{
	static const char *kinds[] = {"client", "helo", "sender", "recipient"};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		char want[64];

		snprintf(want, sizeof(want), "check_%s_access", kinds[i]);
		if (strcmp(name, want) == 0)
			return kinds[i];
	}
	return "recipient";
}

/* is_restriction_name - a word of a restriction list, not a parameter */
static bool
is_restriction_name(const char *name)
{
	static const char *words[] = {
		"permit_mynetworks", "reject_unauth_destination",
		"defer_unauth_destination", "reject_rbl_client",
		"reject_maps_rbl", "reject_unauth_pipelining",
		"reject_non_fqdn_sender", "reject_non_fqdn_recipient",
		"reject_unknown_sender_domain", "reject_unlisted_recipient",
		"reject_invalid_helo_hostname", "reject_non_fqdn_helo_hostname",
		"permit_auth_destination", "warn_if_reject"};

	if (mta_str_has_prefix(name, "check_") &&
	    strlen(name) > 13 && strcmp(name + strlen(name) - 7, "_access") == 0)
		return true;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(name, words[i]) == 0)
			return true;
	return false;
}

/* check_unknown - a name main.cf sets that is not in our table */
static void
check_unknown(struct check *c, const char *name, const char *value,
	      const char *at)
{
	const char *sugg;

	if (strcmp(name, "smtp_recipient_restrictions") == 0) {
		say(c, MTA_CONFIG_ERROR, "%s: smtp_recipient_restrictions is "
		    "not a parameter, so these restrictions would be ignored: "
		    "the SMTP server's list is smtpd_recipient_restrictions "
		    "(smtpd, with a d); rename it", at);
	} else if (is_restriction_name(name)) {
		say(c, MTA_CONFIG_ERROR, "%s: %s is a restriction, not a "
		    "parameter: remove this line and put \"%s %s\" inside "
		    "smtpd_%s_restrictions", at, name, name, value,
		    restriction_list_of(name));
	} else if (mta_htable_locate(&c->used, name)) {
		return;	/* a name of the administrator's, used as $name */
	} else if (mta_param_postfix_knows(name)) {
		say(c, MTA_CONFIG_WARNING, "%s: %s is a Postfix parameter "
		    "that mta does not support (ignored)", at, name);
	} else if ((sugg = mta_param_suggest(name)) != NULL) {
		say(c, MTA_CONFIG_WARNING, "%s: unknown parameter %s: did you "
		    "mean %s?", at, name, sugg);
	} else {
		say(c, MTA_CONFIG_WARNING, "%s: unknown parameter %s (ignored)",
		    at, name);
	}
}

/* check_obsolete - a known name kept only to be translated */
static void
check_obsolete(struct check *c, const char *name, const char *at)
{
	if (strcmp(name, "maps_rbl_domains") == 0)
		say(c, MTA_CONFIG_WARNING, "%s: maps_rbl_domains is obsolete: "
		    "mta reads \"reject_maps_rbl\" as \"reject_rbl_client "
		    "ZONE\" for each of its zones; write reject_rbl_client "
		    "ZONE in smtpd_client_restrictions or "
		    "smtpd_recipient_restrictions instead", at);
	else if (strcmp(name, "disable_dns_lookups") == 0)
		say(c, MTA_CONFIG_WARNING, "%s: disable_dns_lookups is "
		    "obsolete: write smtp_host_lookup = native", at);
	else
		say(c, MTA_CONFIG_WARNING, "%s: %s is obsolete", at, name);
}

/* check_names - every name main.cf sets */
static void
check_names(struct check *c)
{
	struct mta_htable_entry *he;
	size_t pos = 0;

	while ((he = mta_htable_next(&c->cfg->set, &pos)) != NULL) {
		struct cfg_entry *e = he->value;
		const struct mta_param *p = mta_param_find(he->key);
		char at[1024];

		where(c, he->key, at, sizeof(at));
		if (e->count > 1)
			say(c, MTA_CONFIG_WARNING, "%s: %s is set %d times (first "
			    "at line %d): the last one wins", at, he->key,
			    e->count, e->first_lineno);
		if (p == NULL)
			check_unknown(c, he->key, e->value, at);
		else if (p->flags & MTA_PARAM_OBSOLETE)
			check_obsolete(c, he->key, at);
	}
}

/* takes_argument - restriction words followed by a table or a zone */
static bool
takes_argument(const char *word)
{
	return (mta_str_has_prefix(word, "check_") &&
		strcmp(word, "check_relay_domains") != 0) ||
	       mta_str_has_prefix(word, "reject_rbl_client") ||
	       mta_str_has_prefix(word, "reject_rhsbl_") ||
	       strcmp(word, "permit_dnswl_client") == 0 ||
	       strcmp(word, "permit_rhswl_client") == 0;
}

/* looks_like_table - "type:name" */
static bool
looks_like_table(const char *word)
{
	size_t n = strspn(word, "abcdefghijklmnopqrstuvwxyz0123456789_");

	return n > 0 && word[n] == ':' && word[n + 1] != '\0';
}

/* check_list_word - one word of a restriction list */
static void
check_list_word(struct check *c, const char *list, const char *kind,
		char *word, char **rest, const char *at)
{
	char *arg;

	if (takes_argument(word)) {
		arg = mta_str_token(rest, MTA_SEP_LIST);
		if (arg == NULL)
			say(c, MTA_CONFIG_ERROR, "%s: %s: \"%s\" needs a %s after "
			    "it", at, list, word,
			    strstr(word, "rbl") || strstr(word, "wl_") ?
				    "DNS zone" : "table (type:name)");
	} else if (strcmp(word, "reject_maps_rbl") == 0) {
		say(c, MTA_CONFIG_WARNING, "%s: %s: reject_maps_rbl is obsolete: "
		    "mta reads it as reject_rbl_client for each zone of "
		    "maps_rbl_domains (\"%s\"); write reject_rbl_client ZONE "
		    "instead", at, list, mta_config_str(c->cfg,
							"maps_rbl_domains"));
	} else if (looks_like_table(word)) {
		say(c, MTA_CONFIG_WARNING, "%s: %s: the bare table \"%s\" is "
		    "read as \"check_%s_access %s\"; write that to say so", at,
		    list, word, kind, word);
	}
}

/* check_list - the words of one smtpd_*_restrictions list */
static void
check_list(struct check *c, const char *list, const char *kind)
{
	const char *value = mta_config_str(c->cfg, list);
	char *copy, *cp, *word;
	char at[1024];

	if (value == NULL || *value == '\0')
		return;
	where(c, list, at, sizeof(at));
	copy = cp = mta_strdup(value);
	while ((word = mta_str_token(&cp, MTA_SEP_LIST)) != NULL)
		check_list_word(c, list, kind, word, &cp, at);
	free(copy);
}

/* check_lists - the restriction lists, and the seed's lone maps_rbl_domains */
static void
check_lists(struct check *c)
{
	static const char *lists[][2] = {
		{"smtpd_client_restrictions", "client"},
		{"smtpd_helo_restrictions", "helo"},
		{"smtpd_sender_restrictions", "sender"},
		{"smtpd_relay_restrictions", "recipient"},
		{"smtpd_recipient_restrictions", "recipient"},
		{"smtpd_data_restrictions", "recipient"}};
	const char *rbl = mta_config_raw(c->cfg, "maps_rbl_domains");
	bool used = false;
	char at[1024];

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		const char *v = mta_config_str(c->cfg, lists[i][0]);

		check_list(c, lists[i][0], lists[i][1]);
		if (v && strstr(v, "reject_maps_rbl"))
			used = true;
	}
	if (rbl && *rbl && !used)
		say(c, MTA_CONFIG_WARNING, "%s: maps_rbl_domains alone blocks "
		    "nothing: add \"reject_rbl_client ZONE\" for each zone to "
		    "smtpd_client_restrictions or smtpd_recipient_restrictions",
		    where(c, "maps_rbl_domains", at, sizeof(at)));
}

/* check_undefined - $names that expand to nothing */
static void
check_undefined(struct check *c)
{
	struct mta_htable_entry *he;
	size_t pos = 0;

	while ((he = mta_htable_next(&c->cfg->undefined, &pos)) != NULL) {
		const char *by = he->value;
		char at[1024];

		say(c, MTA_CONFIG_WARNING, "%s: $%s%s%s is not defined "
		    "anywhere: it expands to nothing",
		    where(c, *by ? by : he->key, at, sizeof(at)), he->key,
		    *by ? " in " : "", by);
	}
}

/* check_limits - relations between parameters */
static void
check_limits(struct check *c)
{
	long long msg = mta_config_size(c->cfg, "message_size_limit");
	long long box = mta_config_size(c->cfg, "mailbox_size_limit");

	if (msg > 0 && box > 0 && box < msg)
		say(c, MTA_CONFIG_ERROR, "%s: mailbox_size_limit (%lld) is "
		    "smaller than message_size_limit (%lld): make it larger, "
		    "or 0 for no limit", c->cfg->path, box, msg);
}

/* note_used - unknown names that the table's values refer to */
static void
note_used(struct check *c)
{
	struct mta_htable_entry *he;
	size_t pos = 0;

	while ((he = mta_htable_next(&c->cfg->cache, &pos)) != NULL)
		if (mta_param_find(he->key) == NULL)
			mta_htable_insert(&c->used, he->key, NULL);
}

/* mta_config_check - see config.h */
int
mta_config_check(struct mta_config *cfg, mta_config_report_fn report,
		 void *ctx)
{
	struct check c = {.cfg = cfg, .report = report, .ctx = ctx};

	mta_htable_init(&c.used, NULL);
	check_values(&c);
	note_used(&c);
	check_names(&c);
	check_lists(&c);
	check_limits(&c);
	check_undefined(&c);
	mta_htable_release(&c.used);
	return c.errors;
}
