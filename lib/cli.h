/*
 * cli - what every command shares: the popt options -c DIR, -v, --version
 * (plus popt's --help and --usage), the configuration directory, and the
 * exit statuses of <sysexits.h>.
 *
 *	struct poptOption opts[] = {
 *		{ "query", 'q', POPT_ARG_STRING, &key, 0, "look up KEY", "KEY" },
 *		MTA_CLI_COMMON,
 *		POPT_TABLEEND
 *	};
 *	mta_cli_start(argv[0]);   then poptGetContext(..., opts, ...) as usual;
 *	mta_cli_bad_option(ctx, rc) after a failed poptGetNextOpt().
 */
#ifndef MTA_CLI_H
#define MTA_CLI_H

#include <popt.h>
#include <sysexits.h>

#define MTA_VERSION "0.1.0"
#define MTA_DEFAULT_CONFIG_DIR "/etc/mta"

extern struct poptOption mta_cli_common_options[];

#define MTA_CLI_COMMON                                                   \
	{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, mta_cli_common_options, 0, \
	  "Common options:", NULL },                                     \
	{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, poptHelpOptions, 0,        \
	  "Help options:", NULL }

extern const char *mta_cli_config_arg;

void mta_cli_start(const char *argv0);
const char *mta_cli_config_dir(void);
_Noreturn void mta_cli_bad_option(poptContext ctx, int rc);
_Noreturn void mta_cli_usage(poptContext ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
