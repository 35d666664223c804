/*
 * map_cidr - cidr:PATH, client address tables (cidr_table(5)).
 *
 * Each logical line of PATH is "PATTERN RESULT" (see map_cidr.h for the
 * patterns), or "if PATTERN" ... "endif" around rules that are only tried
 * when the address matches PATTERN (blocks nest). A lookup key is an
 * address in text form; the first rule in file order that matches gives
 * the result. As in Postfix, a line that cannot be used (bad pattern, host
 * bits set, no result) is warned about with the file and line and skipped,
 * so one typo does not take the whole table away.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "line.h"
#include "map_cidr.h"
#include "map_impl.h"
#include "mem.h"
#include "msg.h"
#include "str.h"

#define CIDR_MAX_LINE (MTA_MAP_MAX_VALUE + 1024)
#define CIDR_MAX_DEPTH 100	/* nested if blocks */

enum cidr_op { CIDR_MATCH, CIDR_IF, CIDR_ENDIF };

struct cidr_rule {
	struct mta_cidr c;
	enum cidr_op op;
	char *value;
	size_t block_end;	/* CIDR_IF: index of its endif (or count) */
};

struct map_cidr {
	struct mta_map map;
	struct cidr_rule *rules;
	size_t count, cap;
};

/* cidr_prefix - the mask length text: digits only, at most bits */
static int
cidr_prefix(const char *s, int bits)
{
	int n = 0;

	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		n = n * 10 + (*s - '0');
		if (n > bits)
			return -1;
	}
	return n;
}

/* cidr_split - strip [] and find the "/len" part; addr gets the address */
static int
cidr_split(const char *p, char *addr, size_t size, const char **len)
{
	const char *close, *slash;

	*len = NULL;
	if (*p == '[') {
		if ((close = strchr(++p, ']')) == NULL)
			return -1;
		if (close[1] == '/')
			*len = close + 2;
		else if (close[1] != '\0')
			return -1;
	} else {
		close = p + strlen(p);
	}
	if ((size_t)(close - p) >= size)
		return -1;
	memcpy(addr, p, (size_t)(close - p));
	addr[close - p] = '\0';
	if (*len == NULL && (slash = strchr(addr, '/')) != NULL) {
		*len = p + (slash - addr) + 1;
		addr[slash - addr] = '\0';
	}
	return 0;
}

/* cidr_mask - fill c->mask from c->prefix */
static void
cidr_mask(struct mta_cidr *c)
{
	memset(c->mask, 0, sizeof(c->mask));
	for (int i = 0; i < c->bytes; i++) {
		int bits = c->prefix - 8 * i;

		c->mask[i] = bits >= 8 ? 0xff
				       : bits <= 0 ? 0 : (unsigned char)(0xff << (8 - bits));
	}
}

/* cidr_host_bits - refuse a network with bits past its prefix */
static int
cidr_host_bits(const struct mta_cidr *c, const char *pattern,
	       struct mta_buf *why)
{
	unsigned char net[16];
	char text[INET6_ADDRSTRLEN];
	int bad = 0;

	for (int i = 0; i < c->bytes; i++) {
		net[i] = c->net[i] & c->mask[i];
		bad |= net[i] != c->net[i];
	}
	if (!bad)
		return 0;
	if (inet_ntop(c->family, net, text, sizeof(text)) == NULL)
		text[0] = '\0';
	mta_buf_printf(why, "host bits set in \"%.100s\": did you mean "
		       "\"%s/%d\"?", pattern, text, c->prefix);
	return -1;
}

/* mta_cidr_parse - parse one pattern; -1 with why filled when it is bad */
int
mta_cidr_parse(struct mta_cidr *c, const char *pattern, struct mta_buf *why)
{
	const char *p = pattern, *len;
	char addr[INET6_ADDRSTRLEN + 8];

	memset(c, 0, sizeof(*c));
	c->match = true;
	mta_buf_clear(why);
	for (; *p == '!'; p++)
		c->match = !c->match;
	if (*p == '\0') {
		mta_buf_adds(why, "no address pattern");
		return -1;
	}
	if (cidr_split(p, addr, sizeof(addr), &len) < 0 ||
	    mta_cidr_addr(addr, c->net, &c->family) < 0) {
		mta_buf_printf(why, "bad address pattern \"%.100s\"", pattern);
		return -1;
	}
	c->bytes = c->family == AF_INET6 ? 16 : 4;
	c->prefix = len ? cidr_prefix(len, 8 * c->bytes) : 8 * c->bytes;
	if (c->prefix < 0) {
		mta_buf_printf(why, "bad prefix length in \"%.100s\" (0 to %d)",
			       pattern, 8 * c->bytes);
		return -1;
	}
	cidr_mask(c);
	return cidr_host_bits(c, pattern, why);
}

/* mta_cidr_addr - text address to bytes; the family is IPv6 if it has ':' */
int
mta_cidr_addr(const char *text, unsigned char *bytes, int *family)
{
	*family = strchr(text, ':') ? AF_INET6 : AF_INET;
	return inet_pton(*family, text, bytes) == 1 ? 0 : -1;
}

/* mta_cidr_match - does the address match (negation applied) */
bool
mta_cidr_match(const struct mta_cidr *c, const unsigned char *bytes,
	       int family)
{
	if (family != c->family)
		return false;
	for (int i = 0; i < c->bytes; i++)
		if ((bytes[i] & c->mask[i]) != c->net[i])
			return !c->match;
	return c->match;
}

/* cidr_lookup - the first rule that matches the address key */
static int
cidr_lookup(struct mta_map *map, const char *key, const char **value)
{
	struct map_cidr *mc = (struct map_cidr *)map;
	unsigned char bytes[16];
	int family;

	if (mta_cidr_addr(key, bytes, &family) < 0)
		return 0;
	for (size_t i = 0; i < mc->count; i++) {
		struct cidr_rule *r = &mc->rules[i];

		if (r->op == CIDR_MATCH && mta_cidr_match(&r->c, bytes, family)) {
			*value = r->value;
			return 1;
		}
		if (r->op == CIDR_IF && !mta_cidr_match(&r->c, bytes, family))
			i = r->block_end;
	}
	return 0;
}

/* cidr_close - free the rules */
static void
cidr_close(struct mta_map *map)
{
	struct map_cidr *mc = (struct map_cidr *)map;

	for (size_t i = 0; i < mc->count; i++)
		free(mc->rules[i].value);
	free(mc->rules);
}

static const struct mta_map_ops cidr_ops = {
	.lookup = cidr_lookup,
	.close = cidr_close,
};

/* cidr_add - append a rule */
static struct cidr_rule *
cidr_add(struct map_cidr *mc, enum cidr_op op)
{
	struct cidr_rule *r;

	if (mc->count == mc->cap) {
		mc->cap = mc->cap ? 2 * mc->cap : 16;
		mc->rules = mta_reallocarray(mc->rules, mc->cap,
					     sizeof(*mc->rules));
	}
	r = &mc->rules[mc->count++];
	memset(r, 0, sizeof(*r));
	r->op = op;
	return r;
}

struct cidr_parse {
	struct mta_line lr;
	size_t stack[CIDR_MAX_DEPTH];	/* open if blocks */
	int depth;
	struct mta_buf why;
};

/* cidr_warn - "FILE, line N: why: skipping this rule" */
static void
cidr_warn(struct cidr_parse *cp, const char *why)
{
	mta_msg_warn("cidr map %s, line %d: %s: skipping this line",
		     cp->lr.path, cp->lr.lineno, why);
}

/* cidr_if - "if PATTERN": open a block */
static void
cidr_if(struct map_cidr *mc, struct cidr_parse *cp, char *rest)
{
	struct mta_cidr c;
	char *pattern = mta_str_token(&rest, MTA_SPACE);

	if (pattern == NULL || *mta_str_skip_space(rest) != '\0')
		cidr_warn(cp, "expected \"if PATTERN\"");
	else if (cp->depth == CIDR_MAX_DEPTH)
		cidr_warn(cp, "if blocks nested too deep");
	else if (mta_cidr_parse(&c, pattern, &cp->why) < 0)
		cidr_warn(cp, mta_buf_str(&cp->why));
	else {
		cp->stack[cp->depth++] = mc->count;
		cidr_add(mc, CIDR_IF)->c = c;
	}
}

/* cidr_endif - "endif": close the innermost block */
static void
cidr_endif(struct map_cidr *mc, struct cidr_parse *cp, char *rest)
{
	if (*mta_str_skip_space(rest) != '\0')
		cidr_warn(cp, "text after \"endif\"");
	else if (cp->depth == 0)
		cidr_warn(cp, "\"endif\" without \"if\"");
	else {
		mc->rules[cp->stack[--cp->depth]].block_end = mc->count;
		cidr_add(mc, CIDR_ENDIF);
	}
}

/* cidr_line - one logical line: if, endif, or "PATTERN RESULT" */
static void
cidr_line(struct map_cidr *mc, struct cidr_parse *cp, char *line)
{
	char *rest = line, *word = mta_str_token(&rest, MTA_SPACE), *value;
	struct mta_cidr c;

	if (word == NULL)
		return;
	if (strcasecmp(word, "if") == 0) {
		cidr_if(mc, cp, rest);
		return;
	}
	if (strcasecmp(word, "endif") == 0) {
		cidr_endif(mc, cp, rest);
		return;
	}
	value = mta_str_trim(rest);
	if (*value == '\0')
		cidr_warn(cp, "no result after the pattern");
	else if (mta_cidr_parse(&c, word, &cp->why) < 0)
		cidr_warn(cp, mta_buf_str(&cp->why));
	else {
		struct cidr_rule *r = cidr_add(mc, CIDR_MATCH);

		r->c = c;
		r->value = mta_strdup(value);
	}
}

/* cidr_load - read every line; unclosed blocks end at the end of file */
static int
cidr_load(struct map_cidr *mc, struct cidr_parse *cp, struct mta_buf *err)
{
	char *line;
	size_t len;
	int rc;

	while ((rc = mta_line_read(&cp->lr, &line, &len)) != MTA_LINE_EOF) {
		if (rc == MTA_LINE_ERROR) {
			mta_buf_printf(err, "read %s: %s", cp->lr.path,
				       strerror(errno));
			return -1;
		}
		if (rc == MTA_LINE_TOOLONG)
			cidr_warn(cp, "line too long");
		else if (strlen(line) != len)
			cidr_warn(cp, "NUL byte in line");
		else
			cidr_line(mc, cp, line);
	}
	while (cp->depth > 0) {
		cidr_warn(cp, "\"if\" without \"endif\" (closed at the end)");
		mc->rules[cp->stack[--cp->depth]].block_end = mc->count;
	}
	return 0;
}

/* mta_map_cidr_open - read cidr:PATH into a rule list */
struct mta_map *
mta_map_cidr_open(const char *name, int flags, struct mta_buf *err)
{
	struct map_cidr *mc;
	struct cidr_parse cp = {.depth = 0};
	int rc;

	mta_buf_clear(err);
	if (flags & (MTA_MAP_CREATE | MTA_MAP_WRITE)) {
		mta_buf_printf(err, "cidr:%s is read-only: edit the file "
			       "itself", name);
		errno = EINVAL;
		return NULL;
	}
	if (mta_line_open(&cp.lr, name, CIDR_MAX_LINE, MTA_LINE_LOGICAL) < 0) {
		int saved = errno;

		mta_buf_printf(err, "open %s: %s", name, strerror(saved));
		errno = saved;
		return NULL;
	}
	mc = mta_calloc(1, sizeof(*mc));
	mc->map.ops = &cidr_ops;
	mta_buf_init(&cp.why, 1024);
	rc = cidr_load(mc, &cp, err);
	mta_line_close(&cp.lr);
	mta_buf_release(&cp.why);
	if (rc < 0) {
		cidr_close(&mc->map);
		free(mc);
		errno = EIO;
		return NULL;
	}
	return &mc->map;
}
