/* rewrite - canonical addresses and masquerading (see rewrite.h). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "mem.h"
#include "rewrite.h"
#include "str.h"

#define REWRITE_ADDR_MAX 4096  /* longest address we rewrite */
#define REWRITE_UNROUTE_MAX 20 /* routing levels we peel off */

struct rewrite_list {
	char **v;
	size_t n;
};

struct mta_rewrite {
	char *myorigin, *mydomain, *remote_domain;
	bool at_myorigin, dot_mydomain, bangpath, percent;
	struct rewrite_list masq_domains, masq_except, mydest;
	int masq_classes;
};

/* list_split - a comma/space separated parameter value as a list */
static void
list_split(struct rewrite_list *l, const char *value, bool lower)
{
	char *copy = mta_strdup(value ? value : ""), *cp = copy, *tok;

	while ((tok = mta_str_token(&cp, ", \t\r\n")) != NULL) {
		l->v = mta_reallocarray(l->v, l->n + 1, sizeof(*l->v));
		l->v[l->n++] = lower ? mta_str_lower(mta_strdup(tok))
		                     : mta_strdup(tok);
	}
	free(copy);
}

/* list_free - release a list */
static void
list_free(struct rewrite_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* list_has - is name (any case) in the list? */
static bool
list_has(const struct rewrite_list *l, const char *name, size_t len)
{
	for (size_t i = 0; i < l->n; i++)
		if (strlen(l->v[i]) == len &&
		    strncasecmp(l->v[i], name, len) == 0)
			return true;
	return false;
}

/* param - a parameter value, "" when unknown */
static const char *
param(struct mta_config *cfg, const char *name, const char *dflt)
{
	const char *v = mta_config_str(cfg, name);

	return v ? v : dflt;
}

/* masq_classes - masquerade_classes as bits */
static int
masq_classes(const char *value)
{
	static const struct {
		const char *name;
		int bit;
	} names[] = {
	        {"envelope_sender", MTA_MASQ_ENV_FROM},
	        {"envelope_recipient", MTA_MASQ_ENV_RCPT},
	        {"header_sender", MTA_MASQ_HDR_FROM},
	        {"header_recipient", MTA_MASQ_HDR_RCPT},
	};
	struct rewrite_list l = {NULL, 0};
	int bits = 0;

	list_split(&l, value, true);
	for (size_t i = 0; i < l.n; i++)
		for (size_t j = 0; j < sizeof(names) / sizeof(names[0]); j++)
			if (strcmp(l.v[i], names[j].name) == 0)
				bits |= names[j].bit;
	list_free(&l);
	return bits;
}

/* mta_rewrite_new - the rewriting parameters of cfg */
struct mta_rewrite *
mta_rewrite_new(struct mta_config *cfg, struct mta_buf *err)
{
	struct mta_rewrite *rw = mta_calloc(1, sizeof(*rw));

	(void)err;
	rw->myorigin = mta_strdup(param(cfg, "myorigin", ""));
	rw->mydomain = mta_strdup(param(cfg, "mydomain", ""));
	rw->remote_domain =
	        mta_strdup(param(cfg, "remote_header_rewrite_domain", ""));
	rw->at_myorigin = mta_config_bool(cfg, "append_at_myorigin");
	rw->dot_mydomain = mta_config_bool(cfg, "append_dot_mydomain");
	rw->bangpath = mta_config_bool(cfg, "swap_bangpath");
	rw->percent = mta_config_bool(cfg, "allow_percent_hack");
	list_split(&rw->masq_domains, param(cfg, "masquerade_domains", ""),
	           true);
	list_split(&rw->masq_except, param(cfg, "masquerade_exceptions", ""),
	           true);
	list_split(&rw->mydest, param(cfg, "mydestination", ""), true);
	rw->masq_classes = masq_classes(
	        param(cfg, "masquerade_classes",
	              "envelope_sender, header_sender, header_recipient"));
	return rw;
}

/* mta_rewrite_free - release what mta_rewrite_new made */
void
mta_rewrite_free(struct mta_rewrite *rw)
{
	if (rw == NULL)
		return;
	free(rw->myorigin);
	free(rw->mydomain);
	free(rw->remote_domain);
	list_free(&rw->masq_domains);
	list_free(&rw->masq_except);
	list_free(&rw->mydest);
	free(rw);
}

/* local_is_quoted - would the local part be written as a quoted string? */
static bool
local_is_quoted(const char *addr)
{
	struct mta_buf q = MTA_BUF_INIT(REWRITE_ADDR_MAX * 2 + 8);
	bool quoted =
	        mta_addr_quote(&q, addr) == 0 && q.len > 0 && q.data[0] == '"';

	mta_buf_release(&q);
	return quoted;
}

/* no_at_forms - the forms without '@': bang path, percent hack, origin */
static int
no_at_forms(const struct mta_rewrite *rw, const char *origin,
            struct mta_buf *out)
{
	char *copy, *cp;
	size_t off;
	int rc;

	if (local_is_quoted(out->data))
		goto origin;
	if (rw->bangpath && (cp = strchr(out->data, '!')) != NULL) {
		off = (size_t)(cp - out->data);
		copy = mta_strdup(out->data);
		copy[off] = '\0';
		mta_buf_clear(out);
		rc = mta_buf_printf(out, "%s@%s", copy + off + 1, copy);
		free(copy);
		return rc;
	}
	if (rw->percent && (cp = strrchr(out->data, '%')) != NULL) {
		*cp = '@';
		return 0;
	}
origin:
	if (rw->at_myorigin && *origin)
		return mta_buf_printf(out, "@%s", origin);
	return 0;
}

/* strip_route - drop a leading "@a,@b:" source route */
static void
strip_route(struct mta_buf *out)
{
	char *colon;
	size_t skip;

	if (out->data[0] != '@' || (colon = strchr(out->data, ':')) == NULL ||
	    colon[1] == '\0')
		return;
	skip = (size_t)(colon + 1 - out->data);
	memmove(out->data, out->data + skip, out->len - skip + 1);
	out->len -= skip;
}

/* mta_rewrite_addr - canonical form of an internal-form address */
int
mta_rewrite_addr(const struct mta_rewrite *rw, int context, const char *in,
                 struct mta_buf *out)
{
	const char *origin =
	        context == MTA_REWRITE_LOCAL ? rw->myorigin : rw->remote_domain;
	const char *domain =
	        context == MTA_REWRITE_LOCAL ? rw->mydomain : rw->remote_domain;
	const char *at;

	mta_buf_clear(out);
	if (strcmp(in, "@") == 0 || *in == '\0')
		return 0;
	if (mta_buf_adds(out, in) < 0)
		return -1;
	strip_route(out);
	if (strchr(out->data, '@') == NULL && no_at_forms(rw, origin, out) < 0)
		return -1;
	at = strrchr(out->data, '@');
	if (rw->dot_mydomain && *domain && at != NULL && at[1] != '\0' &&
	    at[1] != '[' && strchr(at + 1, '.') == NULL &&
	    mta_buf_printf(out, ".%s", domain) < 0)
		return -1;
	at = strrchr(out->data, '@');
	if (out->len > 1 && out->data[out->len - 1] == '.' &&
	    out->data[out->len - 2] != '.' && out->data[out->len - 2] != '@' &&
	    at != NULL)
		mta_buf_truncate(out, out->len - 1);
	return 0;
}

/* masq_domain - the masquerade_domains entry for domain, or NULL */
static const char *
masq_domain(const struct mta_rewrite *rw, const char *domain)
{
	size_t dlen = strlen(domain);

	for (size_t i = 0; i < rw->masq_domains.n; i++) {
		const char *m = rw->masq_domains.v[i];
		bool truncate = true;
		size_t mlen;

		for (; *m == '!'; m++)
			truncate = !truncate;
		if ((mlen = strlen(m)) == 0)
			continue;
		if (mlen == dlen) {
			if (strcasecmp(m, domain) == 0)
				return NULL;
		} else if (mlen < dlen && domain[dlen - mlen - 1] == '.' &&
		           strcasecmp(m, domain + dlen - mlen) == 0) {
			return truncate ? m : NULL;
		}
	}
	return NULL;
}

/* mta_rewrite_masquerade - masquerade addr when class applies */
bool
mta_rewrite_masquerade(const struct mta_rewrite *rw, int class,
                       struct mta_buf *addr)
{
	const char *at, *m;
	size_t local;

	if ((rw->masq_classes & class) == 0 || rw->masq_domains.n == 0 ||
	    (at = strrchr(addr->data ? addr->data : "", '@')) == NULL)
		return false;
	local = (size_t)(at - addr->data);
	if (list_has(&rw->masq_except, addr->data, local))
		return false;
	if ((m = masq_domain(rw, at + 1)) == NULL)
		return false;
	mta_buf_truncate(addr, local + 1);
	return mta_buf_adds(addr, m) == 0;
}

/* mta_rewrite_remote_enabled - is there a remote rewriting domain? */
bool
mta_rewrite_remote_enabled(const struct mta_rewrite *rw)
{
	return rw->remote_domain[0] != '\0';
}

/* mta_rewrite_masq_classes - masquerade_classes bits */
int
mta_rewrite_masq_classes(const struct mta_rewrite *rw)
{
	return rw->masq_classes;
}

/* mta_rewrite_is_local - is domain in mydestination (or localhost)? */
bool
mta_rewrite_is_local(const struct mta_rewrite *rw, const char *domain)
{
	size_t len = strlen(domain);

	if (len > 0 && domain[len - 1] == '.')
		len--;
	return list_has(&rw->mydest, domain, len) ||
	       (len == 9 && strncasecmp(domain, "localhost", 9) == 0);
}

/* unroute_once - one level of routing off a local address; false: none */
static bool
unroute_once(const struct mta_rewrite *rw, struct mta_buf *addr)
{
	char *at = strrchr(addr->data, '@'), *cp;
	char *local;

	if (at == NULL || !mta_rewrite_is_local(rw, at + 1))
		return false;
	local = mta_strndup(addr->data, (size_t)(at - addr->data));
	if (strchr(local, '@') != NULL) {
		mta_buf_set(addr, local);
	} else if (rw->bangpath && (cp = strchr(local, '!')) != NULL) {
		*cp = '\0';
		mta_buf_clear(addr);
		mta_buf_printf(addr, "%s@%s", cp + 1, local);
	} else if (rw->percent && (cp = strrchr(local, '%')) != NULL) {
		*cp = '@';
		mta_buf_set(addr, local);
	} else {
		free(local);
		return false;
	}
	free(local);
	return true;
}

/* mta_rewrite_unroute - peel routing off addresses of local domains */
bool
mta_rewrite_unroute(const struct mta_rewrite *rw, struct mta_buf *addr)
{
	bool changed = false;

	for (int i = 0; i < REWRITE_UNROUTE_MAX && addr->data; i++) {
		if (!unroute_once(rw, addr))
			break;
		changed = true;
	}
	return changed;
}
