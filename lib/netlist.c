/*
 * netlist - client and domain lists (see netlist.h). Each entry is
 * compiled once: a network into a struct mta_cidr, a map opened, a file
 * read; matching then walks the entries with no parsing and no I/O but
 * the maps' own lookups.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "line.h"
#include "map.h"
#include "map_cidr.h"
#include "mem.h"
#include "netlist.h"
#include "str.h"

enum nl_kind { NL_CIDR, NL_NAME, NL_MAP };

struct nl_entry {
	enum nl_kind kind;
	bool negate;
	struct mta_cidr cidr;
	char *name;		/* NL_NAME: lower case */
	struct mta_map *map;	/* NL_MAP */
};

struct mta_netlist {
	struct nl_entry *v;
	size_t n;
	int flags;
};

static int nl_add_text(struct mta_netlist *l, const char *param,
		       const char *text, int depth, struct mta_buf *err);

/* mta_netlist_token - one entry; commas and blanks split outside braces */
char *
mta_netlist_token(char **cp)
{
	char *s = *cp, *start;
	int depth = 0;

	if (s == NULL)
		return NULL;
	while (*s && strchr(MTA_SEP_LIST, *s))
		s++;
	if (*s == '\0') {
		*cp = s;
		return NULL;
	}
	for (start = s; *s; s++) {
		if (*s == '{')
			depth++;
		else if (*s == '}' && depth > 0)
			depth--;
		else if (depth == 0 && strchr(MTA_SEP_LIST, *s))
			break;
	}
	if (*s)
		*s++ = '\0';
	*cp = s;
	return start;
}

/* nl_push - room for one more entry, zeroed */
static struct nl_entry *
nl_push(struct mta_netlist *l)
{
	l->v = mta_reallocarray(l->v, l->n + 1, sizeof(*l->v));
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	return &l->v[l->n++];
}

/* nl_is_network - does the entry look like an address or a network? */
static bool
nl_is_network(const char *tok)
{
	unsigned char bytes[16];
	int family;

	if (*tok == '[')
		return true;
	if (*tok != '/' && strchr(tok, '/') != NULL && strchr(tok, ':') == NULL)
		return true;	/* 1.2.3.0/24; "type:/path" is a map */
	if (strchr(tok, '/') != NULL && strspn(tok, "0123456789abcdefABCDEF:./")
	    == strlen(tok))
		return true;	/* 2001:db8::/32 */
	return mta_cidr_addr(tok, bytes, &family) == 0;
}

/* nl_add_file - the patterns of a /file, with a depth limit */
static int
nl_add_file(struct mta_netlist *l, const char *param, const char *path,
	    int depth, struct mta_buf *err)
{
	struct mta_line lr;
	char *line;
	size_t len;
	int rc = 0, st;

	if (depth >= MTA_NETLIST_FILE_DEPTH) {
		mta_buf_printf(err, "%s: file %s: nested too deep", param, path);
		return -1;
	}
	if (mta_line_open(&lr, path, MTA_NETLIST_LINE_MAX, MTA_LINE_LOGICAL) < 0) {
		mta_buf_printf(err, "%s: cannot open %s: %s", param, path,
			       strerror(errno));
		return -1;
	}
	while (rc == 0 && (st = mta_line_read(&lr, &line, &len)) != MTA_LINE_EOF) {
		if (st == MTA_LINE_OK)
			rc = nl_add_text(l, param, line,
					 depth + 1, err);
		else if (st == MTA_LINE_TOOLONG)
			rc = (mta_buf_printf(err, "%s: %s, line %d: line too long",
					     param, path, lr.lineno), -1);
		else
			rc = (mta_buf_printf(err, "%s: read %s: %s", param, path,
					     strerror(errno)), -1);
	}
	mta_line_close(&lr);
	return rc;
}

/* nl_add_one - compile one entry (negation already taken off) */
static int
nl_add_one(struct mta_netlist *l, const char *param, const char *tok,
	   bool negate, int depth, struct mta_buf *err)
{
	struct mta_buf why = MTA_BUF_INIT(512);
	struct nl_entry *e;

	if (*tok == '/' && strchr(tok, ':') == NULL)
		return negate ? (mta_buf_printf(err, "%s: \"!%s\": a file cannot "
				 "be negated", param, tok), -1)
			      : nl_add_file(l, param, tok, depth, err);
	e = nl_push(l);
	e->negate = negate;
	if (nl_is_network(tok)) {
		e->kind = NL_CIDR;
		if (mta_cidr_parse(&e->cidr, tok, &why) == 0) {
			mta_buf_release(&why);
			return 0;
		}
		mta_buf_printf(err, "%s: bad network \"%s\": %s", param, tok,
			       mta_buf_str(&why));
	} else if (strchr(tok, ':') != NULL) {
		e->kind = NL_MAP;
		if ((e->map = mta_map_open(tok, MTA_MAP_READ, &why)) != NULL) {
			mta_buf_release(&why);
			return 0;
		}
		mta_buf_printf(err, "%s: %s", param, mta_buf_str(&why));
	} else {
		e->kind = NL_NAME;
		e->name = mta_str_lower(mta_strdup(tok));
		mta_buf_release(&why);
		return 0;
	}
	l->n--;
	mta_buf_release(&why);
	return -1;
}

/* nl_add_text - every entry of a list text */
static int
nl_add_text(struct mta_netlist *l, const char *param, const char *text,
	    int depth, struct mta_buf *err)
{
	char *copy = mta_strdup(text), *cp = copy, *tok;
	int rc = 0;

	while (rc == 0 && (tok = mta_netlist_token(&cp)) != NULL) {
		bool negate = false;

		for (; *tok == '!'; tok++)
			negate = !negate;
		if (*tok == '\0')
			rc = (mta_buf_printf(err, "%s: a lone \"!\"", param), -1);
		else
			rc = nl_add_one(l, param, tok, negate, depth, err);
	}
	free(copy);
	return rc;
}

/* mta_netlist_new - compile a list; NULL with err filled */
struct mta_netlist *
mta_netlist_new(const char *param, const char *value, int flags,
		struct mta_buf *err)
{
	struct mta_netlist *l = mta_calloc(1, sizeof(*l));

	l->flags = flags;
	if (nl_add_text(l, param, value ? value : "", 0, err) < 0) {
		mta_netlist_free(l);
		return NULL;
	}
	return l;
}

/* mta_netlist_free - release the entries and close the maps */
void
mta_netlist_free(struct mta_netlist *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		if (l->v[i].map)
			mta_map_close(l->v[i].map);
	}
	free(l->v);
	free(l);
}

/* mta_netlist_count - how many entries */
size_t
mta_netlist_count(const struct mta_netlist *l)
{
	return l ? l->n : 0;
}

/* nl_name_match - pattern vs host name, with parent-domain rules */
static bool
nl_name_match(const struct mta_netlist *l, const char *pat, const char *name)
{
	size_t plen = strlen(pat), nlen = strlen(name);

	if (strcasecmp(pat, name) == 0)
		return true;
	if (*pat == '.')
		return nlen > plen && strcasecmp(name + nlen - plen, pat) == 0;
	if (!(l->flags & MTA_NETLIST_PARENT) || nlen <= plen)
		return false;
	return name[nlen - plen - 1] == '.' &&
	       strcasecmp(name + nlen - plen, pat) == 0;
}

/* nl_map_name - look the name, then its parent domains, up in a map */
static int
nl_map_name(const struct mta_netlist *l, struct mta_map *map,
	    const char *name, struct mta_buf *err)
{
	const char *value, *next;
	bool fixed = strcmp(map->type, "cidr") == 0;
	int rc;

	for (const char *key = name; *key; key = next) {
		if ((rc = mta_map_lookup(map, key, &value)) != 0) {
			if (rc < 0 && err)
				mta_buf_printf(err, "%s: %s", map->spec,
					       mta_map_error(map));
			return rc;
		}
		if (fixed || (next = strchr(key + 1, '.')) == NULL)
			break;
		if (l->flags & MTA_NETLIST_PARENT)
			next++;
	}
	return 0;
}

/* nl_entry_match - 1/0/-1 for one entry, before negation */
static int
nl_entry_match(const struct mta_netlist *l, const struct nl_entry *e,
	       const char *name, const char *addr, struct mta_buf *err)
{
	unsigned char bytes[16];
	const char *value;
	int family, rc;

	switch (e->kind) {
	case NL_CIDR:
		if (addr == NULL || mta_cidr_addr(addr, bytes, &family) < 0)
			return 0;
		return mta_cidr_match(&e->cidr, bytes, family) ? 1 : 0;
	case NL_NAME:
		return name && nl_name_match(l, e->name, name) ? 1 : 0;
	default:
		if (name && *name && (rc = nl_map_name(l, e->map, name, err)) != 0)
			return rc;
		if (addr == NULL || *addr == '\0')
			return 0;
		rc = mta_map_lookup(e->map, addr, &value);
		if (rc < 0 && err)
			mta_buf_printf(err, "%s: %s", e->map->spec,
				       mta_map_error(e->map));
		return rc;
	}
}

/* mta_netlist_match - the first entry that matches decides */
int
mta_netlist_match(const struct mta_netlist *l, const char *name,
		  const char *addr, struct mta_buf *err)
{
	int rc;

	if (l == NULL)
		return 0;
	for (size_t i = 0; i < l->n; i++) {
		if ((rc = nl_entry_match(l, &l->v[i], name, addr, err)) < 0)
			return -1;
		if (rc > 0)
			return l->v[i].negate ? 0 : 1;
	}
	return 0;
}
