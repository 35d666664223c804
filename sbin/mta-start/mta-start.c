/*
 * mta-start - control the mail system, as "postfix start|stop|..." does.
 *
 *	mta-start [-c DIR] [-v] start | start-fg | stop | abort | reload |
 *	                        status | check | flush
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "msg.h"
#include "mta-start.h"
#include "trigger.h"

/*
 * start_config - main.cf. To start or reload, every value must be right
 * (a broken one stops us); to stop, look or flush, queue_directory is
 * enough, so that a mistake in main.cf never keeps mail from stopping.
 */
static void
start_config(struct start_ctx *sc, bool strict)
{
	struct mta_buf err = MTA_BUF_INIT(1024);

	sc->config_dir = mta_cli_config_dir();
	sc->cfg = mta_config_load_flags(sc->config_dir,
					strict ? 0 : MTA_CONFIG_NO_VALIDATE, &err);
	if (sc->cfg == NULL)
		mta_msg_die(EX_CONFIG, "%s", mta_buf_str(&err));
	sc->queue_dir = mta_config_str(sc->cfg, "queue_directory");
	mta_buf_release(&err);
}

/* start_flush - ask the queue manager to try everything now */
static int
start_flush(struct start_ctx *sc)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/public/qmgr", sc->queue_dir);
	if (mta_trigger(AT_FDCWD, path,
			MTA_TRIGGER_FLUSH_DEAD MTA_TRIGGER_SCAN_ALL
			MTA_TRIGGER_SCAN_DEFERRED MTA_TRIGGER_SCAN_INCOMING) < 0) {
		mta_msg_error("cannot flush the queue: the mail system is down");
		return EX_UNAVAILABLE;
	}
	return EX_OK;
}

/* start_checked - check, set up the spool, start */
static int
start_checked(struct start_ctx *sc, bool foreground)
{
	if (start_setup_spool(sc) < 0 || start_check(sc, false) > 0) {
		mta_msg_error("not starting: fix the errors above");
		return EX_CONFIG;
	}
	return start_start(sc, foreground);
}

int
main(int argc, char **argv)
{
	struct start_ctx sc = {0};
	const char *verb;
	poptContext ctx;
	int rc;
	struct poptOption options[] = {MTA_CLI_COMMON, POPT_TABLEEND};

	mta_cli_start(argv[0]);
	ctx = poptGetContext(NULL, argc, (const char **)argv, options, 0);
	poptSetOtherOptionHelp(ctx, "[OPTIONS] start|start-fg|stop|abort|"
			       "reload|status|check|flush");
	while ((rc = poptGetNextOpt(ctx)) > 0)
		;
	if (rc < -1)
		mta_cli_bad_option(ctx, rc);
	if ((verb = poptGetArg(ctx)) == NULL || poptPeekArg(ctx))
		mta_cli_usage(ctx, "one command is needed: start, start-fg, stop, "
			      "abort, reload, status, check or flush");
	start_config(&sc, strcmp(verb, "start") == 0 ||
			  strcmp(verb, "start-fg") == 0 ||
			  strcmp(verb, "reload") == 0 || strcmp(verb, "check") == 0);
	if (strcmp(verb, "start") == 0)
		rc = start_checked(&sc, false);
	else if (strcmp(verb, "start-fg") == 0)
		rc = start_checked(&sc, true);
	else if (strcmp(verb, "stop") == 0)
		rc = start_signal(&sc, SIGTERM, "stop", true);
	else if (strcmp(verb, "abort") == 0)
		rc = start_signal(&sc, SIGQUIT, "abort", true);
	else if (strcmp(verb, "reload") == 0)
		rc = start_signal(&sc, SIGHUP, "reload", false);
	else if (strcmp(verb, "status") == 0)
		rc = start_status(&sc);
	else if (strcmp(verb, "check") == 0)
		rc = start_check(&sc, false) ? EX_CONFIG : EX_OK;
	else if (strcmp(verb, "flush") == 0)
		rc = start_flush(&sc);
	else
		mta_cli_usage(ctx, "%s: unknown command", verb);
	mta_config_free(sc.cfg);
	poptFreeContext(ctx);
	return rc;
}
