/*
 * config - main.cf: Postfix's syntax and parameter names.
 *
 * mta_config_load() reads DIR/main.cf (logical lines: "name = value",
 * continuation lines, comments) over the defaults of the parameter table
 * (param.h). Values are expanded when asked for: $name, ${name},
 * ${name?text}, ${name:text}, $$ ; a reference loop or a nesting deeper
 * than a fixed limit is an error, not a hang. Unknown names are kept (they
 * may be used in $name expansions) and reported by mta_config_check().
 */
#ifndef MTA_CONFIG_H
#define MTA_CONFIG_H

#include <stdbool.h>

#include "buf.h"

struct mta_config;

struct mta_config *mta_config_load(const char *dir, struct mta_buf *err);
void mta_config_free(struct mta_config *cfg);
const char *mta_config_dir(const struct mta_config *cfg);

/* Expanded values. A name that is neither set nor known gives NULL. */
const char *mta_config_str(struct mta_config *cfg, const char *name);
long mta_config_int(struct mta_config *cfg, const char *name);
bool mta_config_bool(struct mta_config *cfg, const char *name);
long mta_config_time(struct mta_config *cfg, const char *name);
long long mta_config_size(struct mta_config *cfg, const char *name);

/* The text as written in main.cf (NULL if not set there). */
const char *mta_config_raw(const struct mta_config *cfg, const char *name);

/* Override a value (master.cf -o, mta-conf tests), as if set in main.cf. */
void mta_config_set(struct mta_config *cfg, const char *name,
		    const char *value);

int mta_config_expand(struct mta_config *cfg, const char *text,
		      struct mta_buf *out, struct mta_buf *err);

/*
 * Added with the implementation. Limits: a logical line of main.cf and an
 * expanded value are bounded; nesting of $name references is bounded too.
 */
#define MTA_CONFIG_LINE_MAX (100 * 1024)
#define MTA_CONFIG_VALUE_MAX (1024 * 1024)
#define MTA_CONFIG_DEPTH_MAX 100

/*
 * mta_config_load() fails when main.cf is missing, has a syntax error, or
 * gives a parameter of the table a bad value (after expansion), so that a
 * daemon never runs on a half-understood configuration. mta-conf relaxes
 * that with these flags and reports problems with mta_config_check().
 */
#define MTA_CONFIG_MISSING_OK 0x1	/* no main.cf: defaults only */
#define MTA_CONFIG_NO_VALIDATE 0x2	/* do not check values at load */

struct mta_config *mta_config_load_flags(const char *dir, int flags,
					 struct mta_buf *err);
const char *mta_config_path(const struct mta_config *cfg);
bool mta_config_exists(const struct mta_config *cfg);

/* The default of a known name (computed for myhostname, mydomain). */
const char *mta_config_default(struct mta_config *cfg, const char *name);

/* What main.cf sets, in file order; start with *pos = 0. */
bool mta_config_next(const struct mta_config *cfg, size_t *pos,
		     const char **name, const char **value);
int mta_config_lineno(const struct mta_config *cfg, const char *name);

/* Expansion with names of the caller's ($user, $home) before parameters. */
typedef const char *(*mta_config_lookup_fn)(void *ctx, const char *name);
int mta_config_expand_with(struct mta_config *cfg, const char *text,
			   mta_config_lookup_fn lookup, void *ctx,
			   struct mta_buf *out, struct mta_buf *err);

/* The last expansion error of mta_config_str() (which then gave ""). */
const char *mta_config_error(const struct mta_config *cfg);

/* Check every parameter of the table, after -o overrides for instance. */
int mta_config_validate(struct mta_config *cfg, struct mta_buf *err);

/*
 * mta_config_check - everything --check says: unknown names (with a
 * suggestion), names Postfix has but mta ignores, the seed's slips, bad
 * values, expansion errors, undefined $names, duplicate entries. Each
 * finding goes to report() as one line; returns the number of errors.
 */
#define MTA_CONFIG_WARNING 1
#define MTA_CONFIG_ERROR 2
typedef void (*mta_config_report_fn)(void *ctx, int level, const char *text);
int mta_config_check(struct mta_config *cfg, mta_config_report_fn report,
		     void *ctx);

/*
 * mta_config_edit - set "name=value" assignments in the main.cf at path,
 * in place and atomically: comments and order kept, a value (all its
 * continuation lines) replaced where it is, new names appended at the end.
 * A missing file is an error, as with postconf. With MTA_CONFIG_EDIT_COMMENT, the names
 * (assignments are then bare names) are commented out instead.
 */
#define MTA_CONFIG_EDIT_COMMENT 0x1
int mta_config_edit(const char *path, char *const *assign, size_t n,
		    int flags, struct mta_buf *err);

#endif
