/*
 * qmgr_resolve - where a recipient goes: transport_maps first (the
 * address, its domain, then ".parent" domains), else the local transport
 * for mydestination, else default_transport with relayhost or the
 * domain as next hop. A value is "transport:nexthop" as in Postfix's
 * transport(5); "error:text" bounces with text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "msg.h"
#include "qmgr.h"
#include "str.h"

/* qmgr_transport_maps_open - open transport_maps once (before the jail) */
int
qmgr_transport_maps_open(struct qmgr *q)
{
	const char *list = mta_config_str(q->ctx->cfg, "transport_maps");
	char *copy = mta_strdup(list ? list : ""), *cp = copy, *spec;
	struct mta_buf err = MTA_BUF_INIT(1024);
	int rc = 0;

	while ((spec = mta_str_token(&cp, MTA_SEP_LIST)) != NULL) {
		struct mta_map *m = mta_map_open(spec, MTA_MAP_READ, &err);

		if (m == NULL) {
			mta_msg_warn("transport_maps: %s", mta_buf_str(&err));
			rc = -1;
			continue;
		}
		q->transport_maps = mta_reallocarray(q->transport_maps,
						     q->ntransport_maps + 1,
						     sizeof(*q->transport_maps));
		q->transport_maps[q->ntransport_maps++] = m;
	}
	free(copy);
	mta_buf_release(&err);
	return rc;
}

/* resolve_lookup - one key in every transport map; -1 on a map error */
static int
resolve_lookup(struct qmgr *q, const char *key, const char **value)
{
	for (size_t i = 0; i < q->ntransport_maps; i++) {
		int rc = mta_map_lookup(q->transport_maps[i], key, value);

		if (rc != 0)
			return rc;
	}
	return 0;
}

/* resolve_split - "transport:nexthop" with Postfix's defaults */
static void
resolve_split(const char *value, const char *domain, const char *def,
	      struct mta_buf *transport, struct mta_buf *nexthop)
{
	const char *colon = strchr(value, ':');

	mta_buf_clear(transport);
	mta_buf_clear(nexthop);
	if (colon == NULL) {
		mta_buf_adds(transport, *value ? value : def);
		mta_buf_adds(nexthop, domain);
		return;
	}
	if (colon == value)
		mta_buf_adds(transport, def);
	else
		mta_buf_add(transport, value, (size_t)(colon - value));
	mta_buf_adds(nexthop, colon[1] ? colon + 1 : domain);
}

/* resolve_maps - transport_maps: 1 found, 0 not, -1 a map failed */
static int
resolve_maps(struct qmgr *q, const char *addr, const char *domain,
	     const char **value)
{
	int rc;

	if (q->ntransport_maps == 0)
		return 0;
	if ((rc = resolve_lookup(q, addr, value)) != 0 ||
	    (*domain && (rc = resolve_lookup(q, domain, value)) != 0))
		return rc;
	for (const char *d = strchr(domain, '.'); d; d = strchr(d + 1, '.'))
		if ((rc = resolve_lookup(q, d, value)) != 0)
			return rc;
	return 0;
}

/*
 * qmgr_resolve - the transport and next hop of a recipient. Returns 0, or
 * -1 (a map could not answer: try again later) with error set.
 */
int
qmgr_resolve(struct qmgr *q, const char *addr, struct mta_buf *transport,
	     struct mta_buf *nexthop, struct mta_buf *error)
{
	const char *at = strrchr(addr, '@'), *value;
	const char *def = mta_config_str(q->ctx->cfg, "default_transport");
	char domain[256];
	int rc;

	snprintf(domain, sizeof(domain), "%s", at ? at + 1 : "");
	mta_str_lower(domain);
	rc = resolve_maps(q, addr, domain, &value);
	if (rc < 0) {
		mta_buf_set(error, "transport_maps lookup failure");
		return -1;
	}
	if (rc > 0) {
		resolve_split(value, domain, "smtp", transport, nexthop);
		return 0;
	}
	if (*domain == '\0' || mta_rewrite_is_local(q->rw, domain)) {
		resolve_split(mta_config_str(q->ctx->cfg, "local_transport"),
			      domain, "local", transport, nexthop);
		return 0;
	}
	resolve_split(def, domain, "smtp", transport, nexthop);
	value = mta_config_str(q->ctx->cfg, "relayhost");
	if (value && *value && strchr(def, ':') == NULL)
		mta_buf_set(nexthop, value);
	return 0;
}
