/*
 * mta-queue - the administrator's queue tool (postqueue, postsuper,
 * postcat and qshape in one): main() parses the options, reads main.cf,
 * opens the spool and hands over to one function per verb.
 *
 *	mta-queue [-c DIR] [--queue-dir DIR] list [--json] [filters]
 *	mta-queue -p | -j
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "msg.h"
#include "mta-queue.h"
#include "param.h"

static const char *queue_dir_arg;

/* mq_spool_open - the spool of main.cf, or --queue-dir */
static void
mq_spool_open(struct mta_spool *sp, struct mq_options *opt)
{
	struct mta_buf err = MTA_BUF_INIT(1024);
	struct mta_config *cfg;
	const char *dir;

	cfg = mta_config_load_flags(mta_cli_config_dir(),
				    queue_dir_arg ? MTA_CONFIG_MISSING_OK : 0,
				    &err);
	if (cfg == NULL)
		mta_msg_die(EX_CONFIG, "%s", mta_buf_str(&err));
	dir = queue_dir_arg ? queue_dir_arg :
		mta_config_str(cfg, "queue_directory");
	opt->long_ids = mta_config_bool(cfg, "enable_long_queue_ids");
	opt->empty_sender = strdup(mta_config_str(cfg, "empty_address_recipient"));
	if (mta_spool_open(sp, dir, mta_config_str(cfg, "hash_queue_names"),
			   mta_config_int(cfg, "hash_queue_depth"),
			   opt->long_ids, &err) < 0)
		mta_msg_die(errno == ENOENT ? EX_NOINPUT : EX_OSERR,
				     "%s", mta_buf_str(&err));
	mta_config_free(cfg);
	mta_buf_release(&err);
}

/* mq_older_than - "--older-than 2d": a Postfix time value, in seconds */
static long
mq_older_than(poptContext ctx, const char *text)
{
	long long secs;

	if (text == NULL)
		return -1;
	if (mta_param_parse_time(text, 's', &secs) < 0 || secs < 0)
		mta_cli_usage(ctx, "--older-than %s: not a time (e.g. 3600, "
			      "90m, 2d)", text);
	return (long)secs;
}

int
main(int argc, char **argv)
{
	struct mq_options opt = {0};
	struct mta_spool sp;
	const char *older = NULL, *verb = "list";
	int list_p = 0, list_j = 0, rc;
	poptContext ctx;
	struct poptOption options[] = {
		{NULL, 'p', POPT_ARG_NONE, &list_p, 0,
		 "list the queue as mailq does (same as: list)", NULL},
		{NULL, 'j', POPT_ARG_NONE, &list_j, 0,
		 "list the queue as JSON lines (same as: list --json)", NULL},
		{"json", '\0', POPT_ARG_NONE, &opt.json, 0,
		 "one JSON object per message", NULL},
		{"queue-dir", '\0', POPT_ARG_STRING, &queue_dir_arg, 0,
		 "work on this spool instead of main.cf's queue_directory",
		 "DIR"},
		{"sender", '\0', POPT_ARG_STRING, &opt.sender, 0,
		 "list only messages whose sender contains TEXT", "TEXT"},
		{"recipient", '\0', POPT_ARG_STRING, &opt.recipient, 0,
		 "list only messages with a recipient containing TEXT", "TEXT"},
		{"queue", '\0', POPT_ARG_STRING, &opt.queue, 0,
		 "list only this queue (maildrop, active, incoming, deferred, "
		 "hold)", "QUEUE"},
		{"older-than", '\0', POPT_ARG_STRING, &older, 0,
		 "list only messages that arrived at least AGE ago", "AGE"},
		MTA_CLI_COMMON,
		POPT_TABLEEND};

	mta_cli_start(argv[0]);
	ctx = poptGetContext(NULL, argc, (const char **)argv, options, 0);
	poptSetOtherOptionHelp(ctx, "[OPTIONS] [list]");
	while ((rc = poptGetNextOpt(ctx)) > 0)
		;
	if (rc < -1)
		mta_cli_bad_option(ctx, rc);
	if (poptPeekArg(ctx))
		verb = poptGetArg(ctx);
	if (strcmp(verb, "list") != 0)
		mta_cli_usage(ctx, "%s: unknown command", verb);
	if (poptPeekArg(ctx))
		mta_cli_usage(ctx, "%s: unexpected argument", poptPeekArg(ctx));
	if (list_j)
		opt.json = true;
	(void)list_p;
	if (opt.queue && !mta_queue_name_valid(opt.queue))
		mta_cli_usage(ctx, "--queue %s: not a queue name", opt.queue);
	opt.older_than = mq_older_than(ctx, older);
	mq_spool_open(&sp, &opt);
	rc = mq_list(&sp, &opt);
	mta_spool_close(&sp);
	free((char *)opt.empty_sender);
	poptFreeContext(ctx);
	if (rc < 0)
		mta_msg_die(EX_IOERR, "write listing: %s",
				     strerror(errno));
	return EX_OK;
}
