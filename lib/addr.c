/*
 * addr - RFC 5321 paths, internal and external forms, address parts (see
 * addr.h). RFC 5322 lists and the tokenizer live in addrlist.c.
 *
 * Leniency, on purpose: a dot-string local part may start or end with a
 * dot or hold two in a row ("john..doe"), as real mail does and Postfix
 * accepts; everything else follows RFC 5321: no control characters, no
 * 8-bit bytes unless SMTPUTF8, the length limits of section 4.5.3.1.
 */
#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "str.h"

/* Where a path parse stands. */
struct path_state {
	const char *text;
	size_t len;
	size_t pos;
	int flags;
	struct mta_path *path;
	size_t alen;	/* bytes in path->addr */
	bool angle;	/* the path started with '<' */
	struct mta_buf *err;
};

/* path_fail - say why the path is refused; always -1 */
static int
path_fail(struct path_state *ps, const char *why)
{
	if (ps->err)
		mta_buf_set(ps->err, why);
	return -1;
}

/* path_peek - the byte at the current position, or -1 at the end */
static int
path_peek(const struct path_state *ps)
{
	return ps->pos < ps->len ? (unsigned char)ps->text[ps->pos] : -1;
}

/* path_put - append to the internal form, refusing to pass the limit */
static int
path_put(struct path_state *ps, int ch)
{
	if (ps->alen >= MTA_ADDR_PATH_MAX)
		return path_fail(ps, "address longer than 256 octets");
	ps->path->addr[ps->alen++] = (char)ch;
	ps->path->addr[ps->alen] = '\0';
	return 0;
}

/* path_check_byte - refuse control characters, NUL and unwanted 8-bit */
static int
path_check_byte(struct path_state *ps, int ch)
{
	if (ch == 0)
		return path_fail(ps, "NUL byte in address");
	if (ch < 32 || ch == 127)
		return path_fail(ps, "control character in address");
	if (ch >= 128) {
		if (!(ps->flags & MTA_PATH_UTF8))
			return path_fail(ps, "8-bit character in address "
					     "without SMTPUTF8");
		ps->path->eightbit = true;
	}
	return 0;
}

/* is_atext - may this byte appear unquoted in a dot-string local part */
static bool
is_atext(int ch)
{
	if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || ch >= 128)
		return true;
	return ch != 0 && strchr("!#$%&'*+-/=?^_`{|}~.", ch) != NULL;
}

/* is_label_char - may this byte appear in a domain label */
static bool
is_label_char(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch >= 128;
}

/* path_literal - "[192.0.2.1]" or "[IPv6:2001:db8::1]", copied as is */
static int
path_literal(struct path_state *ps)
{
	char lit[MTA_ADDR_DOMAIN_MAX + 1];
	size_t n = 0;
	unsigned char bin[16];
	int ch;

	ps->pos++;
	while ((ch = path_peek(ps)) != ']') {
		if (ch < 0)
			return path_fail(ps, "address literal without ]");
		if (ch == 0 || ch < 32 || ch >= 127 || ch == '[' || ch == '\\')
			return path_fail(ps, "bad character in address literal");
		if (n + 1 >= sizeof(lit))
			return path_fail(ps, "domain longer than 255 octets");
		lit[n++] = (char)ch;
		ps->pos++;
	}
	ps->pos++;
	lit[n] = '\0';
	if (strncasecmp(lit, "IPv6:", 5) == 0) {
		if (inet_pton(AF_INET6, lit + 5, bin) != 1)
			return path_fail(ps, "bad IPv6 address literal");
	} else if (strchr(lit, ':') != NULL) {
		return path_fail(ps, "unsupported address literal (use "
				     "[IPv4] or [IPv6:...])");
	} else if (inet_pton(AF_INET, lit, bin) != 1) {
		return path_fail(ps, "bad IPv4 address literal");
	}
	if (path_put(ps, '[') < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (path_put(ps, lit[i]) < 0)
			return -1;
	return path_put(ps, ']');
}

/* path_domain - a domain name or address literal into the internal form */
static int
path_domain(struct path_state *ps)
{
	size_t start = ps->pos, label = 0;
	int ch;

	if (path_peek(ps) == '[')
		return path_literal(ps);
	while ((ch = path_peek(ps)) >= 0 && (is_label_char(ch) || ch == '.')) {
		if (ch == '.') {
			if (label == 0)
				return path_fail(ps, "empty label in domain");
			label = 0;
		} else if (++label > 63) {
			return path_fail(ps, "domain label longer than 63 "
					     "octets");
		}
		if (path_check_byte(ps, ch) < 0 || path_put(ps, ch) < 0)
			return -1;
		ps->pos++;
	}
	if (ps->pos == start)
		return path_fail(ps, "missing domain after @");
	if (label == 0)
		return path_fail(ps, "domain ends with a dot");
	if (ps->pos - start > MTA_ADDR_DOMAIN_MAX)
		return path_fail(ps, "domain longer than 255 octets");
	return 0;
}

/* path_route - "@a,@b:" into path->route; the internal form stays empty */
static int
path_route(struct path_state *ps)
{
	size_t start = ps->pos, alen = ps->alen;

	for (;;) {
		if (path_peek(ps) != '@')
			return path_fail(ps, "malformed source route");
		ps->pos++;
		if (path_domain(ps) < 0)
			return -1;
		if (path_peek(ps) == ':')
			break;
		if (path_peek(ps) != ',')
			return path_fail(ps, "malformed source route");
		ps->pos++;
	}
	/* The route is shorter than the path, which is bounded. */
	memcpy(ps->path->route, ps->text + start, ps->pos - start);
	ps->path->route[ps->pos - start] = '\0';
	ps->pos++;
	ps->alen = alen;
	ps->path->addr[alen] = '\0';
	return 0;
}

/* path_quoted - a quoted-string local part, unquoted into the address */
static int
path_quoted(struct path_state *ps)
{
	int ch;

	ps->path->quoted = true;
	ps->pos++;
	while ((ch = path_peek(ps)) != '"') {
		if (ch < 0)
			return path_fail(ps, "unbalanced quote in address");
		if (ch == '\\') {
			ps->pos++;
			if ((ch = path_peek(ps)) < 0)
				return path_fail(ps, "unbalanced quote in "
						     "address");
		}
		if (path_check_byte(ps, ch) < 0 || path_put(ps, ch) < 0)
			return -1;
		ps->pos++;
	}
	ps->pos++;
	return 0;
}

/* path_local - the local part, quoted or a dot-string */
static int
path_local(struct path_state *ps)
{
	size_t start = ps->pos;
	int ch;

	if (path_peek(ps) == '"') {
		if (path_quoted(ps) < 0)
			return -1;
	} else {
		while ((ch = path_peek(ps)) >= 0 && is_atext(ch)) {
			if (path_check_byte(ps, ch) < 0 || path_put(ps, ch) < 0)
				return -1;
			ps->pos++;
		}
		if (ps->pos == start)
			return path_fail(ps, "empty local part");
	}
	if (ps->pos - start > MTA_ADDR_LOCAL_MAX)
		return path_fail(ps, "local part longer than 64 octets");
	ps->path->local_len = ps->alen;
	return 0;
}

/* path_mailbox - local part, then @domain (or nothing where allowed) */
static int
path_mailbox(struct path_state *ps)
{
	int ch;

	if (path_local(ps) < 0)
		return -1;
	ch = path_peek(ps);
	if (ch >= 0 && ch != '@' && (ps->angle ? ch != '>' :
				       ch != ' ' && ch != '\t'))
		return path_check_byte(ps, ch) < 0 ? -1 :
			path_fail(ps, "bad character in address");
	if (ch != '@') {
		if ((ps->flags & MTA_PATH_LOCAL_OK) ||
		    strcasecmp(ps->path->addr, "postmaster") == 0)
			return 0;
		return path_fail(ps, "missing domain (write local@domain)");
	}
	ps->pos++;
	if (path_put(ps, '@') < 0)
		return -1;
	return path_domain(ps);
}

/* path_end - what may follow the path: '>' or, bare, white space/end */
static int
path_end(struct path_state *ps, bool angle, size_t start)
{
	int ch = path_peek(ps);

	if (angle) {
		if (ch < 0)
			return path_fail(ps, "missing > after address");
		if (ch != '>')
			return path_check_byte(ps, ch) < 0 ? -1 :
				path_fail(ps, "bad character in address");
		ps->pos++;
	} else if (ch >= 0 && ch != ' ' && ch != '\t') {
		if (path_check_byte(ps, ch) < 0)
			return -1;
		return path_fail(ps, "bad character in address");
	}
	if (ps->pos - start + (angle ? 0 : 2) > MTA_ADDR_PATH_MAX)
		return path_fail(ps, "address longer than 256 octets");
	ps->path->end = ps->pos;
	return 0;
}

/*
 * mta_path_parse - parse the path at the start of text (as after "MAIL
 * FROM:"), filling path; path->end says where ESMTP parameters begin.
 * Returns 0, or -1 with the reason in err.
 */
int
mta_path_parse(const char *text, size_t len, int flags, struct mta_path *path,
	       struct mta_buf *err)
{
	struct path_state ps = { text, len, 0, flags, path, 0, false, err };
	bool angle = false;
	size_t start;

	memset(path, 0, sizeof(*path));
	if (flags & MTA_PATH_BARE)
		while (ps.pos < len && (text[ps.pos] == ' ' || text[ps.pos] == '\t'))
			ps.pos++;
	start = ps.pos;
	if (path_peek(&ps) == '<') {
		angle = ps.angle = true;
		ps.pos++;
	} else if (!(flags & MTA_PATH_BARE)) {
		return path_fail(&ps, "address must be written <local@domain>");
	}
	if (angle && path_peek(&ps) == '>') {
		if (!(flags & MTA_PATH_NULL_OK))
			return path_fail(&ps, "null address <> not allowed here");
		return path_end(&ps, angle, start);
	}
	if (path_peek(&ps) < 0 || (!angle && path_peek(&ps) == ' '))
		return path_fail(&ps, "empty address");
	if (path_peek(&ps) == '@' && path_route(&ps) < 0)
		return -1;
	if (path_mailbox(&ps) < 0)
		return -1;
	return path_end(&ps, angle, start);
}

/* is_dot_string - can this local part go out without quotes (8-bit clean) */
static bool
is_dot_string(const char *s, size_t len)
{
	if (len == 0 || s[0] == '.' || s[len - 1] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '.' && i + 1 < len && s[i + 1] == '.')
			return false;
		if (ch == ' ' || ch < 32 || ch == 127)
			return false;
		if (ch < 128 && strchr("()<>@,;:\\\"[]", ch) != NULL)
			return false;
	}
	return true;
}

/* route_prefix_len - length of a leading "@a,@b:" route, 0 if none */
static size_t
route_prefix_len(const char *s)
{
	const char *colon;

	if (s[0] == '@' && (colon = strchr(s, ':')) != NULL)
		return (size_t)(colon - s) + 1;
	return 0;
}

/*
 * mta_addr_quote - internal form to external: the local part (up to the
 * last '@') becomes a quoted string when it is not a dot-string. Appends
 * to out; -1 if out is full.
 */
int
mta_addr_quote(struct mta_buf *out, const char *internal)
{
	size_t skip = route_prefix_len(internal);
	const char *local = internal + skip;
	const char *at = strrchr(local, '@');
	size_t llen = at ? (size_t)(at - local) : strlen(local);
	int rc = 0;

	if (is_dot_string(local, llen))
		return mta_buf_adds(out, internal);
	rc |= mta_buf_add(out, internal, skip);
	rc |= mta_buf_addc(out, '"');
	for (size_t i = 0; i < llen; i++) {
		if (local[i] == '"' || local[i] == '\\' || local[i] == '\r')
			rc |= mta_buf_addc(out, '\\');
		rc |= mta_buf_addc(out, local[i]);
	}
	rc |= mta_buf_addc(out, '"');
	if (at)
		rc |= mta_buf_adds(out, at);
	return rc < 0 ? -1 : 0;
}

/*
 * mta_addr_unquote - external form to internal: quotes and backslashes of
 * the local part go; what follows the last unquoted '@' is kept as is.
 * Appends to out; -1 if out is full.
 */
int
mta_addr_unquote(struct mta_buf *out, const char *external)
{
	size_t skip = route_prefix_len(external), at_out = 0;
	const char *cp, *at_in = NULL;
	bool in_quote = false;
	int rc = mta_buf_add(out, external, skip);

	for (cp = external + skip; *cp && rc == 0; cp++) {
		if (*cp == '"') {
			in_quote = !in_quote;
			continue;
		}
		if (*cp == '@' && !in_quote) {
			at_out = out->len;
			at_in = cp;
		} else if (*cp == '\\' && cp[1] != '\0') {
			cp++;
		}
		rc = mta_buf_addc(out, *cp);
	}
	if (rc == 0 && at_in) {
		mta_buf_truncate(out, at_out);
		rc = mta_buf_adds(out, at_in);
	}
	return rc;
}

/* mta_addr_domain - the domain of an internal-form address, or NULL */
const char *
mta_addr_domain(const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at ? at + 1 : NULL;
}

/* mta_addr_local_len - the length of the local part (up to the last '@') */
size_t
mta_addr_local_len(const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at ? (size_t)(at - addr) : strlen(addr);
}

/* mta_addr_lower_domain - fold the domain to lower case, in place */
char *
mta_addr_lower_domain(char *addr)
{
	char *at = strrchr(addr, '@');

	if (at)
		mta_str_lower(at + 1);
	return addr;
}

/*
 * mta_addr_is_routed - does the local part still route ('@', '%' or '!'
 * in it)? Such an address must never be relayed for an untrusted client
 * (DESIGN.md section 9).
 */
bool
mta_addr_is_routed(const char *addr)
{
	size_t llen = mta_addr_local_len(addr);

	for (size_t i = 0; i < llen; i++)
		if (addr[i] == '@' || addr[i] == '%' || addr[i] == '!')
			return true;
	return false;
}
