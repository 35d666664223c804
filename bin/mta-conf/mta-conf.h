/* mta-conf - what the files of the mta-conf command share. */
#ifndef MTA_CONF_H
#define MTA_CONF_H

#include <stdbool.h>

#include "config.h"

struct conf_opts {
	bool only_set;	/* -n */
	bool defaults;	/* -d */
	bool expand;	/* -x */
	bool values;	/* -h */
	bool json;	/* --json */
	bool fold;	/* -f */
};

int conf_print_params(struct mta_config *cfg, const struct conf_opts *o,
		      const char **names);
int conf_print_master(const char *dir, const struct conf_opts *o,
		      const char **names);
int conf_check(const char *dir, bool json);
int conf_doc(void);

#endif
