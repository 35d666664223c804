/*
 * config - main.cf reading and typed values (see config.h).
 *
 * Format: Postfix's logical lines (line.h): "name = value", spaces around
 * '=' optional, the value trimmed at both ends; continuation lines are part
 * of the value. A name is letters, digits and '_'. A name set twice: the
 * last one wins (--check warns). Expansion is in config_expand.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "config_priv.h"
#include "line.h"
#include "mem.h"
#include "param.h"
#include "path.h"
#include "str.h"

/* entry_free - htable value destructor for struct cfg_entry */
static void
entry_free(void *p)
{
	struct cfg_entry *e = p;

	if (e) {
		free(e->value);
		free(e);
	}
}

/* config_new - an empty configuration for dir */
static struct mta_config *
config_new(const char *dir)
{
	struct mta_config *cfg = mta_calloc(1, sizeof(*cfg));
	struct mta_buf path = MTA_BUF_INIT(PATH_MAX);
	char host[256];

	cfg->dir = mta_strdup(dir);
	if (mta_buf_printf(&path, "%s/main.cf", dir) < 0)
		mta_buf_set(&path, "main.cf");
	cfg->path = mta_buf_steal(&path);
	mta_htable_init(&cfg->set, entry_free);
	mta_htable_init(&cfg->cache, free);
	mta_htable_init(&cfg->undefined, free);
	mta_buf_init(&cfg->error, 4096);
	if (gethostname(host, sizeof(host)) < 0 || host[0] == '\0')
		strlcpy(host, "localhost", sizeof(host));
	host[sizeof(host) - 1] = '\0';
	cfg->hostname = mta_strdup(mta_str_lower(host));
	return cfg;
}

/* mta_config_free - release everything */
void
mta_config_free(struct mta_config *cfg)
{
	if (cfg == NULL)
		return;
	mta_htable_release(&cfg->set);
	mta_htable_release(&cfg->cache);
	mta_htable_release(&cfg->undefined);
	mta_buf_release(&cfg->error);
	free(cfg->def_myhostname);
	free(cfg->def_mydomain);
	free(cfg->hostname);
	free(cfg->path);
	free(cfg->dir);
	free(cfg);
}

/* valid_name - letters, digits and underscores, at least one */
static bool
valid_name(const char *name, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = name[i];

		if (!(ch == '_' || (ch >= 'a' && ch <= 'z') ||
		      (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')))
			return false;
	}
	return true;
}

/* config_store - remember name = value from line lineno */
static void
config_store(struct mta_config *cfg, const char *name, const char *value,
	     int lineno)
{
	struct cfg_entry *e = mta_htable_find(&cfg->set, name);

	if (e == NULL) {
		e = mta_calloc(1, sizeof(*e));
		e->first_lineno = lineno;
		mta_htable_insert(&cfg->set, name, e);
	} else {
		free(e->value);
	}
	e->value = mta_strdup(value);
	e->lineno = lineno;
	e->count++;
}

/* config_parse_line - one logical line; -1 with err on a syntax error */
static int
config_parse_line(struct mta_config *cfg, char *line, int lineno,
		  struct mta_buf *err)
{
	char *cp = mta_str_skip_space(line);
	size_t nlen = strcspn(cp, " \t\r\n=");
	char *eq = mta_str_skip_space(cp + nlen);

	if (*eq != '=') {
		mta_buf_printf(err, "%s, line %d: missing '=' after \"%.*s\": "
			       "write \"name = value\"", cfg->path, lineno,
			       (int)(nlen > 60 ? 60 : nlen), cp);
		return -1;
	}
	if (!valid_name(cp, nlen)) {
		mta_buf_printf(err, "%s, line %d: bad parameter name \"%.*s\": "
			       "use letters, digits and '_'", cfg->path,
			       lineno, (int)(nlen > 60 ? 60 : nlen), cp);
		return -1;
	}
	cp[nlen] = '\0';
	config_store(cfg, cp, mta_str_trim(eq + 1), lineno);
	return 0;
}

/* config_read - parse main.cf; -1 with err on any error */
static int
config_read(struct mta_config *cfg, int flags, struct mta_buf *err)
{
	struct mta_line lr;
	char *line;
	int rc;

	if (mta_line_open(&lr, cfg->path, MTA_CONFIG_LINE_MAX,
			  MTA_LINE_LOGICAL) < 0) {
		if (errno == ENOENT && (flags & MTA_CONFIG_MISSING_OK))
			return 0;
		mta_buf_printf(err, "open %s: %s", cfg->path, strerror(errno));
		return -1;
	}
	cfg->exists = true;
	while ((rc = mta_line_read(&lr, &line, NULL)) == MTA_LINE_OK) {
		if (config_parse_line(cfg, line, lr.lineno, err) < 0)
			break;
	}
	if (rc == MTA_LINE_TOOLONG)
		mta_buf_printf(err, "%s, line %d: line longer than %d bytes: "
			       "split the value over continuation lines",
			       cfg->path, lr.lineno, MTA_CONFIG_LINE_MAX);
	else if (rc == MTA_LINE_ERROR)
		mta_buf_printf(err, "read %s: %s", cfg->path, strerror(errno));
	mta_line_close(&lr);
	return rc == MTA_LINE_EOF ? 0 : -1;
}

/* mta_config_load - main.cf of dir over the defaults (see config.h) */
struct mta_config *
mta_config_load(const char *dir, struct mta_buf *err)
{
	return mta_config_load_flags(dir, 0, err);
}

/* mta_config_load_flags - mta_config_load() with MTA_CONFIG_* flags */
struct mta_config *
mta_config_load_flags(const char *dir, int flags, struct mta_buf *err)
{
	struct mta_config *cfg = config_new(dir);

	if (config_read(cfg, flags, err) < 0 ||
	    (!(flags & MTA_CONFIG_NO_VALIDATE) &&
	     mta_config_validate(cfg, err) < 0)) {
		mta_config_free(cfg);
		return NULL;
	}
	return cfg;
}

/* config_where - "FILE, line N: " or "FILE: NAME default: " for messages */
static void
config_where(struct mta_config *cfg, const char *name, struct mta_buf *out)
{
	struct cfg_entry *e = mta_htable_find(&cfg->set, name);

	if (e && e->lineno > 0)
		mta_buf_printf(out, "%s, line %d: %s = %s: ", cfg->path,
			       e->lineno, name, e->value);
	else if (e)
		mta_buf_printf(out, "%s: %s = %s (override): ", cfg->path,
			       name, e->value);
	else
		mta_buf_printf(out, "%s: default of %s: ", cfg->path, name);
}

/* config_check_param - expand and check one parameter of the table */
static int
config_check_param(struct mta_config *cfg, const struct mta_param *p,
		   struct mta_buf *err)
{
	struct mta_buf why = MTA_BUF_INIT(4096);
	const char *value;
	int rc = 0;

	if (config_value(cfg, p->name, &value, &why) < 0 ||
	    (value && mta_param_check(p, value, &why) < 0)) {
		config_where(cfg, p->name, err);
		mta_buf_adds(err, mta_buf_str(&why));
		rc = -1;
	}
	mta_buf_release(&why);
	return rc;
}

/* mta_config_validate - every parameter of the table: the first error */
int
mta_config_validate(struct mta_config *cfg, struct mta_buf *err)
{
	for (size_t i = 0; i < mta_param_count; i++)
		if (config_check_param(cfg, &mta_param_table[i], err) < 0)
			return -1;
	return 0;
}

/* mta_config_dir - the configuration directory */
const char *
mta_config_dir(const struct mta_config *cfg)
{
	return cfg->dir;
}

/* mta_config_path - DIR/main.cf */
const char *
mta_config_path(const struct mta_config *cfg)
{
	return cfg->path;
}

/* mta_config_exists - was there a main.cf to read */
bool
mta_config_exists(const struct mta_config *cfg)
{
	return cfg->exists;
}

/* mta_config_raw - the text main.cf gives name, or NULL */
const char *
mta_config_raw(const struct mta_config *cfg, const char *name)
{
	struct cfg_entry *e = mta_htable_find(&cfg->set, name);

	return e ? e->value : NULL;
}

/* mta_config_lineno - where main.cf sets name (0: not from the file) */
int
mta_config_lineno(const struct mta_config *cfg, const char *name)
{
	struct cfg_entry *e = mta_htable_find(&cfg->set, name);

	return e ? e->lineno : 0;
}

/* mta_config_next - iterate over the names main.cf sets, in file order */
bool
mta_config_next(const struct mta_config *cfg, size_t *pos, const char **name,
		const char **value)
{
	struct mta_htable_entry *he = mta_htable_next(&cfg->set, pos);

	if (he == NULL)
		return false;
	*name = he->key;
	*value = ((struct cfg_entry *)he->value)->value;
	return true;
}

/* mta_config_set - override name, and forget every cached expansion */
void
mta_config_set(struct mta_config *cfg, const char *name, const char *value)
{
	config_store(cfg, name, value, 0);
	config_drop_cache(cfg);
}

/* config_drop_cache - forget expansions and computed defaults */
void
config_drop_cache(struct mta_config *cfg)
{
	mta_htable_release(&cfg->cache);
	mta_htable_init(&cfg->cache, free);
	free(cfg->def_myhostname);
	free(cfg->def_mydomain);
	cfg->def_myhostname = cfg->def_mydomain = NULL;
}

/*
 * default_myhostname - the host name, made fully qualified as Postfix does:
 * a name without a dot gets ".$mydomain" (mydomain as main.cf writes it, if
 * that is plain text, else "localdomain").
 */
static const char *
default_myhostname(struct mta_config *cfg)
{
	const char *dom = mta_config_raw(cfg, "mydomain");
	struct mta_buf b = MTA_BUF_INIT(1024);

	if (cfg->def_myhostname)
		return cfg->def_myhostname;
	if (strchr(cfg->hostname, '.')) {
		cfg->def_myhostname = mta_strdup(cfg->hostname);
		return cfg->def_myhostname;
	}
	if (dom == NULL || *dom == '\0' || strchr(dom, '$'))
		dom = "localdomain";
	if (mta_buf_printf(&b, "%s.%s", cfg->hostname, dom) < 0)
		mta_buf_set(&b, cfg->hostname);
	cfg->def_myhostname = mta_buf_steal(&b);
	return cfg->def_myhostname;
}

/*
 * default_mydomain - myhostname without its first label, or localdomain.
 * A myhostname that refers to $mydomain while mydomain is unset would ask
 * for this default again while computing it: that inner ask gets
 * "localdomain", as default_myhostname() does for a mydomain with '$'.
 */
static const char *
default_mydomain(struct mta_config *cfg)
{
	const char *host = NULL, *dot;
	struct mta_buf why = MTA_BUF_INIT(1024);

	if (cfg->def_mydomain)
		return cfg->def_mydomain;
	if (cfg->in_def_mydomain)
		return "localdomain";
	cfg->in_def_mydomain = true;
	if (config_value(cfg, "myhostname", &host, &why) < 0 || host == NULL)
		host = "";
	cfg->in_def_mydomain = false;
	mta_buf_release(&why);
	dot = strchr(host, '.');
	cfg->def_mydomain = mta_strdup(dot && dot[1] ? dot + 1 : "localdomain");
	return cfg->def_mydomain;
}

/* mta_config_default - the default text of a known name, else NULL */
const char *
mta_config_default(struct mta_config *cfg, const char *name)
{
	const struct mta_param *p = mta_param_find(name);

	if (p == NULL)
		return NULL;
	if (!(p->flags & MTA_PARAM_MACHINE))
		return p->def;
	if (strcmp(name, "myhostname") == 0)
		return default_myhostname(cfg);
	return default_mydomain(cfg);
}

/*
 * config_raw_or_default - unexpanded text: main.cf, else the default. The
 * configuration directory is where this main.cf was read, unless set.
 */
const char *
config_raw_or_default(struct mta_config *cfg, const char *name)
{
	const char *raw = mta_config_raw(cfg, name);

	if (raw)
		return raw;
	if (strcmp(name, "config_directory") == 0)
		return cfg->dir;
	return mta_config_default(cfg, name);
}

/* mta_config_error - the text of the last expansion error */
const char *
mta_config_error(const struct mta_config *cfg)
{
	return cfg->error.data ? cfg->error.data : "";
}

/*
 * mta_config_str - the expanded value; NULL for a name neither set nor
 * known; "" after an expansion error (mta_config_error() says which).
 */
const char *
mta_config_str(struct mta_config *cfg, const char *name)
{
	const char *value;

	mta_buf_clear(&cfg->error);
	if (config_value(cfg, name, &value, &cfg->error) < 0)
		return "";
	return value;
}

/* config_number - the value as a number of the given type, or its default */
static long long
config_number(struct mta_config *cfg, const char *name)
{
	const struct mta_param *p = mta_param_find(name);
	const char *texts[2] = {mta_config_str(cfg, name), p ? p->def : NULL};
	long long v;

	for (int i = 0; i < 2; i++) {
		if (texts[i] == NULL)
			continue;
		if (p && p->type == MTA_PARAM_TIME) {
			if (mta_param_parse_time(texts[i], p->unit, &v) == 0)
				return v;
		} else if (mta_param_parse_int(texts[i], &v) == 0) {
			return v;
		}
	}
	return 0;
}

/* mta_config_int - an integer parameter */
long
mta_config_int(struct mta_config *cfg, const char *name)
{
	long long v = config_number(cfg, name);

	return v > LONG_MAX ? LONG_MAX : (long)v;
}

/* mta_config_time - a time parameter, in seconds */
long
mta_config_time(struct mta_config *cfg, const char *name)
{
	long long v = config_number(cfg, name);

	return v > LONG_MAX ? LONG_MAX : (long)v;
}

/* mta_config_size - a size parameter, in bytes */
long long
mta_config_size(struct mta_config *cfg, const char *name)
{
	return config_number(cfg, name);
}

/* mta_config_bool - a boolean parameter (a bad value gives the default) */
bool
mta_config_bool(struct mta_config *cfg, const char *name)
{
	const struct mta_param *p = mta_param_find(name);
	bool b = false;

	if (mta_param_parse_bool(mta_config_str(cfg, name) ?: "", &b) == 0)
		return b;
	if (p && mta_param_parse_bool(p->def, &b) == 0)
		return b;
	return false;
}
