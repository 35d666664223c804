/* expand - aliases, .forward and :include: into deliveries (see expand.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alias.h"
#include "expand.h"
#include "htable.h"
#include "mem.h"
#include "str.h"

#define EXP_TEXT_MAX 4096

/* One step of the expansion: what we are inside, for loops and rights. */
struct frame {
	enum mta_exp_via via;
	const char *name;	/* alias name, forward user or include path */
	const char *delivered;	/* the local address being expanded */
	const char *ext;
	uid_t uid;	/* whose rights a command or file gets */
	gid_t gid;
	int depth;
	const struct frame *up;
};

struct mta_expand {
	struct mta_expand_ops ops;
	struct mta_expand_opts opts;
	struct mta_htable seen;	/* finals and expansions done */
	struct mta_buf err;
};

/* mta_expand_opts_init - Postfix's defaults */
void
mta_expand_opts_init(struct mta_expand_opts *opts)
{
	opts->delimiter = "";
	opts->commands = MTA_EXP_ALLOW_ALIAS | MTA_EXP_ALLOW_FORWARD;
	opts->files = MTA_EXP_ALLOW_ALIAS | MTA_EXP_ALLOW_FORWARD;
	opts->depth_limit = 100;
	opts->origin = NULL;
}

/* mta_expand_new - a context for one message: the duplicate filter */
struct mta_expand *
mta_expand_new(const struct mta_expand_ops *ops,
	       const struct mta_expand_opts *opts)
{
	struct mta_expand *x = mta_calloc(1, sizeof(*x));

	x->ops = *ops;
	x->opts = *opts;
	if (x->opts.delimiter == NULL)
		x->opts.delimiter = "";
	mta_htable_init(&x->seen, NULL);
	mta_buf_init(&x->err, EXP_TEXT_MAX);
	return x;
}

/* mta_expand_free - release a context */
void
mta_expand_free(struct mta_expand *x)
{
	if (x == NULL)
		return;
	mta_htable_release(&x->seen);
	mta_buf_release(&x->err);
	free(x);
}

/* mta_exp_result_release - free the outcomes */
void
mta_exp_result_release(struct mta_exp_result *res)
{
	for (size_t i = 0; i < res->n; i++) {
		free(res->v[i].target);
		free(res->v[i].extension);
		free(res->v[i].delivered);
	}
	free(res->v);
	res->v = NULL;
	res->n = 0;
}

/* mta_exp_kind_name - a word for logs and tests */
const char *
mta_exp_kind_name(enum mta_exp_kind kind)
{
	static const char *const names[] = {
		"mailbox", "file", "command", "remote", "duplicate", "bounce",
		"defer",
	};

	return (size_t)kind < sizeof(names) / sizeof(names[0]) ? names[kind] :
								 "?";
}

/* mta_expand_allow_parse - "alias, forward, include" into bits */
int
mta_expand_allow_parse(const char *value, unsigned *bits,
		       struct mta_buf *err)
{
	char *copy = mta_strdup(value), *cp = copy, *word;
	int rc = 0;

	*bits = 0;
	while ((word = mta_str_token(&cp, MTA_SEP_LIST)) != NULL) {
		if (strcasecmp(word, "alias") == 0)
			*bits |= MTA_EXP_ALLOW_ALIAS;
		else if (strcasecmp(word, "forward") == 0)
			*bits |= MTA_EXP_ALLOW_FORWARD;
		else if (strcasecmp(word, "include") == 0)
			*bits |= MTA_EXP_ALLOW_INCLUDE;
		else {
			mta_buf_printf(err, "unknown class \"%s\": use alias, "
				       "forward, include", word);
			rc = -1;
			break;
		}
	}
	free(copy);
	return rc;
}

/* add - one outcome; the frame gives its source, address and rights */
static struct mta_exp_outcome *
add(struct mta_exp_result *out, enum mta_exp_kind kind,
    const struct frame *f, const char *dsn, const char *fmt, ...)
	MTA_PRINTF(5, 6);

static struct mta_exp_outcome *
add(struct mta_exp_result *out, enum mta_exp_kind kind,
    const struct frame *f, const char *dsn, const char *fmt, ...)
{
	struct mta_exp_outcome *o;
	char text[EXP_TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	out->v = mta_reallocarray(out->v, out->n + 1, sizeof(*out->v));
	o = &out->v[out->n++];
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	o->via = f->via;
	o->target = mta_strdup(text);
	o->extension = f->ext ? mta_strdup(f->ext) : NULL;
	o->delivered = f->delivered ? mta_strdup(f->delivered) : NULL;
	o->uid = f->uid;
	o->gid = f->gid;
	snprintf(o->dsn, sizeof(o->dsn), "%s", dsn);
	return o;
}

/* seen - true if "word id what" was recorded before; records it */
static bool
seen(struct mta_expand *x, const char *word, long id, const char *what)
{
	char key[EXP_TEXT_MAX + 64];

	snprintf(key, sizeof(key), "%s %ld %s", word, id, what);
	return mta_htable_insert(&x->seen, key, NULL) < 0;
}

/* final - a delivery, or a duplicate of one made before */
static void
final(struct mta_expand *x, enum mta_exp_kind kind, const struct frame *f,
      const char *target, struct mta_exp_result *out)
{
	const char *word = mta_exp_kind_name(kind);
	long id = kind == MTA_EXP_FILE || kind == MTA_EXP_COMMAND ?
		  (long)f->uid : 0L;

	if (seen(x, word, id, target))
		add(out, MTA_EXP_DUPLICATE, f, "2.0.0", "%s %s", word, target);
	else
		add(out, kind, f, "2.0.0", "%s", target);
}

/* in_chain - the frame of this kind and name among the ancestors */
static const struct frame *
in_chain(const struct frame *f, enum mta_exp_via via, const char *name)
{
	for (; f != NULL; f = f->up)
		if (f->via == via && strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

static void expand_address(struct mta_expand *x, const char *addr,
			   const struct frame *up, struct mta_exp_result *out);
static void expand_include(struct mta_expand *x, const char *path,
			   const struct frame *up, struct mta_exp_result *out);

/* allowed - may this source send to a command (or a file)? */
static bool
allowed(unsigned bits, enum mta_exp_via via)
{
	return (via == MTA_EXP_VIA_ALIAS && (bits & MTA_EXP_ALLOW_ALIAS)) ||
	       (via == MTA_EXP_VIA_FORWARD && (bits & MTA_EXP_ALLOW_FORWARD)) ||
	       (via == MTA_EXP_VIA_INCLUDE && (bits & MTA_EXP_ALLOW_INCLUDE));
}

/* expand_item - one member of an alias, .forward or include file */
static void
expand_item(struct mta_expand *x, const struct mta_alias_rcpt *r,
	    const struct frame *f, struct mta_exp_result *out)
{
	switch (r->kind) {
	case MTA_ALIAS_INCLUDE:
		expand_include(x, r->text, f, out);
		break;
	case MTA_ALIAS_COMMAND:
		if (allowed(x->opts.commands, f->via))
			final(x, MTA_EXP_COMMAND, f, r->text, out);
		else
			add(out, MTA_EXP_BOUNCE, f, "5.7.1",
			    "mail to command is restricted");
		break;
	case MTA_ALIAS_FILE:
		if (allowed(x->opts.files, f->via))
			final(x, MTA_EXP_FILE, f, r->text, out);
		else
			add(out, MTA_EXP_BOUNCE, f, "5.7.1",
			    "mail to file is restricted");
		break;
	default:
		expand_address(x, r->text, f, out);
		break;
	}
}

/* expand_lines - every member of every line (LF between lines) */
static size_t
expand_lines(struct mta_expand *x, const char *text, const struct frame *f,
	     struct mta_exp_result *out)
{
	struct mta_alias_rcpts rcpts;
	size_t members = 0;
	const char *nl;
	char *line;

	for (; *text; text = nl ? nl + 1 : text + strlen(text)) {
		nl = strchr(text, '\n');
		line = nl ? mta_strndup(text, (size_t)(nl - text)) :
			    mta_strdup(text);
		mta_alias_split(line, &rcpts);
		for (size_t i = 0; i < rcpts.n; i++)
			expand_item(x, &rcpts.v[i], f, out);
		members += rcpts.n;
		mta_alias_rcpts_release(&rcpts);
		free(line);
	}
	return members;
}

/* child - a frame one level below up */
static struct frame
child(const struct frame *up, enum mta_exp_via via, const char *name)
{
	struct frame f = *up;

	f.via = via;
	f.name = name;
	f.depth = up->depth + 1;
	f.up = up;
	return f;
}

/* too_deep - bounce when the nesting limit is reached */
static bool
too_deep(struct mta_expand *x, const struct frame *f,
	 struct mta_exp_result *out)
{
	if (f->depth < x->opts.depth_limit)
		return false;
	add(out, MTA_EXP_BOUNCE, f, "5.4.6",
	    "alias expansion nested deeper than %d levels",
	    x->opts.depth_limit);
	return true;
}

/* expand_alias - the members of an alias, unless it was done or loops */
static void
expand_alias(struct mta_expand *x, const char *name, const char *value,
	     uid_t uid, gid_t gid, const struct frame *up,
	     struct mta_exp_result *out)
{
	struct frame f = child(up, MTA_EXP_VIA_ALIAS, name);

	f.uid = uid;
	f.gid = gid;
	if (in_chain(up, MTA_EXP_VIA_ALIAS, name)) {
		add(out, MTA_EXP_BOUNCE, up, "5.4.6", "alias loop for %s", name);
		return;
	}
	if (too_deep(x, up, out))
		return;
	if (seen(x, "alias", 0, name)) {
		add(out, MTA_EXP_DUPLICATE, up, "2.0.0", "alias %s", name);
		return;
	}
	if (expand_lines(x, value, &f, out) == 0)
		add(out, MTA_EXP_BOUNCE, up, "5.3.0",
		    "alias %s expands to no recipients", name);
}

/* expand_forward - a user's .forward; false when there is none */
static bool
expand_forward(struct mta_expand *x, const char *user, uid_t uid, gid_t gid,
	       const struct frame *up, struct mta_exp_result *out)
{
	struct mta_buf value = MTA_BUF_INIT(MTA_EXPAND_FILE_MAX);
	struct frame f = child(up, MTA_EXP_VIA_FORWARD, user);
	bool done = true;
	int rc;

	if (x->ops.forward == NULL ||
	    (up->via == MTA_EXP_VIA_FORWARD && strcmp(up->name, user) == 0))
		return false;	/* none, or "\user" in the user's own */
	if (in_chain(up, MTA_EXP_VIA_FORWARD, user)) {
		add(out, MTA_EXP_BOUNCE, up, "5.4.6", "forward loop for %s",
		    user);
		return true;
	}
	mta_buf_clear(&x->err);
	rc = x->ops.forward(x->ops.ctx, user, up->ext, &value, &x->err);
	f.uid = uid;
	f.gid = gid;
	if (rc < 0)
		add(out, MTA_EXP_DEFER, up, "4.3.0",
		    "cannot read .forward of %s: %s", user, x->err.data ?
		    x->err.data : "error");
	else if (rc == 0 || too_deep(x, up, out))
		done = rc != 0;
	else if (seen(x, "forward", 0, user))
		add(out, MTA_EXP_DUPLICATE, up, "2.0.0", "forward %s", user);
	else if (expand_lines(x, value.data ? value.data : "", &f, out) == 0)
		done = false;	/* an empty .forward: the mailbox */
	mta_buf_release(&value);
	return done;
}

/* split_ext - "user+ext" into base and extension (or NULL) */
static char *
split_ext(const char *delims, const char *local, char **ext)
{
	size_t n = *delims && *local ? strcspn(local + 1, delims) + 1 : 0;

	if (n == 0 || local[n] == 0) {
		*ext = NULL;
		return mta_strdup(local);
	}
	*ext = mta_strdup(local + n + 1);
	return mta_strndup(local, n);
}

/* lookup_alias - the alias for local, then for base: 1, 0 or -1 */
static int
lookup_alias(struct mta_expand *x, const char *local, const char *base,
	     const char **key, const char **value, uid_t *uid, gid_t *gid)
{
	int rc;

	*key = local;
	mta_buf_clear(&x->err);
	rc = x->ops.alias ? x->ops.alias(x->ops.ctx, local, value, uid, gid,
					 &x->err) : 0;
	if (rc == 0 && x->ops.alias && strcmp(local, base) != 0) {
		*key = base;
		rc = x->ops.alias(x->ops.ctx, base, value, uid, gid, &x->err);
	}
	return rc;
}

/* expand_user - not an alias: the user's .forward or mailbox */
static void
expand_user(struct mta_expand *x, const char *base, const struct frame *f,
	    struct mta_exp_result *out)
{
	uid_t uid;
	gid_t gid;
	int rc;

	mta_buf_clear(&x->err);
	rc = x->ops.user(x->ops.ctx, base, &uid, &gid, &x->err);
	if (rc < 0)
		add(out, MTA_EXP_DEFER, f, "4.3.0", "cannot look up user %s: %s",
		    base, x->err.data ? x->err.data : "error");
	else if (rc == 0)
		add(out, MTA_EXP_BOUNCE, f, "5.1.1", "unknown user: \"%s\"",
		    base);
	else if (!expand_forward(x, base, uid, gid, f, out))
		final(x, MTA_EXP_MAILBOX, f, base, out);
}

/* expand_local - a local part: alias, or a user */
static void
expand_local(struct mta_expand *x, char *local, const char *addr,
	     const struct frame *up, struct mta_exp_result *out)
{
	struct frame f = *up;
	const char *key, *value;
	char *ext, *base;
	uid_t uid = (uid_t)-1;
	gid_t gid = (gid_t)-1;
	int rc = 0;

	mta_str_lower(local);
	base = split_ext(x->opts.delimiter, local, &ext);
	f.delivered = addr;
	f.ext = ext;
	/* "bob: bob, ...": the member bob is bob's mailbox, not the alias */
	if (!(up->via == MTA_EXP_VIA_ALIAS && (strcmp(up->name, local) == 0 ||
					       strcmp(up->name, base) == 0)))
		rc = lookup_alias(x, local, base, &key, &value, &uid, &gid);
	if (rc < 0)
		add(out, MTA_EXP_DEFER, &f, "4.3.0",
		    "alias database unavailable: %s",
		    x->err.data ? x->err.data : "error");
	else if (rc > 0) {
		/* a map's value lives until its next lookup: keep a copy */
		char *copy = mta_strdup(value);

		expand_alias(x, key, copy, uid, gid, &f, out);
		free(copy);
	}
	else
		expand_user(x, base, &f, out);
	free(base);
	free(ext);
}

/* expand_address - an address: local (aliases, users) or to send on */
static void
expand_address(struct mta_expand *x, const char *addr,
	       const struct frame *up, struct mta_exp_result *out)
{
	struct mta_buf local = MTA_BUF_INIT(EXP_TEXT_MAX);
	struct mta_buf full = MTA_BUF_INIT(EXP_TEXT_MAX);
	int rc = 0;

	mta_buf_clear(&x->err);
	if (strchr(addr, '@') == NULL) {
		rc = mta_buf_set(&local, addr) < 0 ? -1 : 1;
		if (x->opts.origin && *x->opts.origin)
			mta_buf_printf(&full, "%s@%s", addr, x->opts.origin);
		else
			mta_buf_set(&full, addr);
	} else if (x->ops.resolve) {
		rc = x->ops.resolve(x->ops.ctx, addr, &local, &x->err);
		mta_buf_set(&full, addr);
	}
	if (rc < 0)
		add(out, MTA_EXP_DEFER, up, "4.3.0", "cannot resolve %s: %s",
		    addr, x->err.data ? x->err.data : "address too long");
	else if (rc == 0)
		final(x, MTA_EXP_REMOTE, up, addr, out);
	else
		expand_local(x, local.data ? local.data : (char *)"",
			     full.data ? full.data : addr, up, out);
	mta_buf_release(&local);
	mta_buf_release(&full);
}

/* expand_include - the members of an :include: file */
static void
expand_include(struct mta_expand *x, const char *path, const struct frame *up,
	       struct mta_exp_result *out)
{
	struct mta_buf value = MTA_BUF_INIT(MTA_EXPAND_FILE_MAX);
	struct frame f = child(up, MTA_EXP_VIA_INCLUDE, path);
	uid_t uid;
	gid_t gid;

	if (path[0] != '/') {
		add(out, MTA_EXP_BOUNCE, up, "5.3.5",
		    ":include: path is not absolute: %s", path);
		return;
	}
	if (in_chain(up, MTA_EXP_VIA_INCLUDE, path)) {
		add(out, MTA_EXP_BOUNCE, up, "5.4.6", "include loop for %s",
		    path);
		return;
	}
	if (too_deep(x, up, out))
		return;
	if (seen(x, "include", (long)up->uid, path)) {
		add(out, MTA_EXP_DUPLICATE, up, "2.0.0", "include %s", path);
		return;
	}
	mta_buf_clear(&x->err);
	if (mta_expand_read_file(path, up->uid, false, &value, &uid, &gid,
				 &x->err) <= 0) {
		add(out, MTA_EXP_DEFER, up, "4.3.0",
		    "cannot read include file %s", x->err.len ? x->err.data :
		    path);
	} else {
		if (uid != 0) {
			f.uid = uid;
			f.gid = gid;
		}
		(void)expand_lines(x, value.data ? value.data : "", &f, out);
	}
	mta_buf_release(&value);
}

/*
 * mta_expand_rcpt - the outcomes for one recipient of the message; there
 * is always at least one
 */
void
mta_expand_rcpt(struct mta_expand *x, const char *addr,
		struct mta_exp_result *out)
{
	struct frame top = {
		.via = MTA_EXP_VIA_RCPT, .name = "", .delivered = addr,
		.uid = (uid_t)-1, .gid = (gid_t)-1,
	};

	out->v = NULL;
	out->n = 0;
	expand_address(x, addr, &top, out);
	if (out->n == 0)
		add(out, MTA_EXP_BOUNCE, &top, "5.3.0",
		    "%s expands to no recipients", addr);
}
