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

#endif
