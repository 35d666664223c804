/* cli - options and conventions shared by every command (see cli.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <fcntl.h>

#include "cli.h"
#include "msg.h"

const char *mta_cli_config_arg;

/* cli_version - popt callback for --version: print and leave */
static void
cli_callback(poptContext ctx, enum poptCallbackReason reason,
	     const struct poptOption *opt, const char *arg, const void *data)
{
	if (opt->val == 'V') {
		printf("%s (mta) %s\n", mta_msg_prog(), MTA_VERSION);
		exit(EX_OK);
	}
	if (opt->val == 'v')
		mta_msg_verbose++;
}

struct poptOption mta_cli_common_options[] = {
	{NULL, '\0', POPT_ARG_CALLBACK, (void *)cli_callback, 0, NULL, NULL},
	{"config-dir", 'c', POPT_ARG_STRING, &mta_cli_config_arg, 0,
	 "read main.cf and master.cf from DIR (default $MTA_CONFIG_DIR or "
	 MTA_DEFAULT_CONFIG_DIR ")", "DIR"},
	{"verbose", 'v', POPT_ARG_NONE, NULL, 'v',
	 "log more (repeat for even more)", NULL},
	{"version", '\0', POPT_ARG_NONE, NULL, 'V', "print the version and exit",
	 NULL},
	POPT_TABLEEND};

/*
 * mta_cli_start - name the program for diagnostics, and make sure fds 0-2
 * are open so that a file opened later never becomes stdout by accident.
 */
void
mta_cli_start(const char *argv0)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
		;
	if (fd > 2)
		close(fd);
	mta_msg_init(argv0);
}

/* mta_cli_config_dir - -c DIR, else $MTA_CONFIG_DIR, else the default */
const char *
mta_cli_config_dir(void)
{
	const char *env;

	if (mta_cli_config_arg)
		return mta_cli_config_arg;
	env = getenv("MTA_CONFIG_DIR");
	if (env && *env)
		return env;
	return MTA_DEFAULT_CONFIG_DIR;
}

/* mta_cli_bad_option - report popt's complaint and exit 64 */
void
mta_cli_bad_option(poptContext ctx, int rc)
{
	fprintf(stderr, "%s: error: %s: %s (try --help)\n", mta_msg_prog(),
		poptBadOption(ctx, POPT_BADOPTION_NOALIAS), poptStrerror(rc));
	poptFreeContext(ctx);
	exit(EX_USAGE);
}

/* mta_cli_usage - a usage error in our own words, then exit 64 */
void
mta_cli_usage(poptContext ctx, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: error: ", mta_msg_prog());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (try --help)\n");
	if (ctx)
		poptFreeContext(ctx);
	exit(EX_USAGE);
}
