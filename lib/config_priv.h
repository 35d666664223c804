/*
 * config_priv - what the files of the config module share (config.c,
 * config_expand.c, config_check.c, config_edit.c); not for other modules.
 */
#ifndef MTA_CONFIG_PRIV_H
#define MTA_CONFIG_PRIV_H

#include <stdbool.h>

#include "buf.h"
#include "htable.h"

struct cfg_entry {
	char *value;	/* trimmed text after '=' */
	int lineno;	/* where the winning entry is (0: set by program) */
	int first_lineno;	/* where the name first appeared */
	int count;	/* how many times main.cf sets it */
};

struct mta_config {
	char *dir;
	char *path;	/* DIR/main.cf */
	bool exists;	/* main.cf was there */
	struct mta_htable set;	/* name -> struct cfg_entry *, file order */
	struct mta_htable cache;	/* name -> char *, expanded values */
	struct mta_htable undefined;	/* $name seen undefined -> referrer */
	char *hostname;	/* gethostname(), read once at load */
	char *def_myhostname;	/* computed defaults, dropped with the cache */
	char *def_mydomain;
	bool in_def_mydomain;	/* computing it: myhostname refers back */
	struct mta_buf error;	/* last expansion error */
};

/* The unexpanded text of name: main.cf, else its default; NULL: unknown. */
const char *config_raw_or_default(struct mta_config *cfg, const char *name);

/* The expanded value of name (cached); *out NULL when undefined. */
int config_value(struct mta_config *cfg, const char *name, const char **out,
		 struct mta_buf *err);

/* Drop every cached expansion (after a change). */
void config_drop_cache(struct mta_config *cfg);

#endif
