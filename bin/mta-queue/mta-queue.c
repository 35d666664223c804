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

/* mq_verb_context - a popt context for a verb's own options */
static poptContext
mq_verb_context(const char *verb, int argc, const char **argv,
		const struct poptOption *options, const char *help)
{
	poptContext ctx = poptGetContext(verb, argc, argv, options, 0);
	int rc;

	poptSetOtherOptionHelp(ctx, help);
	while ((rc = poptGetNextOpt(ctx)) > 0)
		;
	if (rc < -1)
		mta_cli_bad_option(ctx, rc);
	return ctx;
}

/* mq_run_list - "list [--json] [filters]" */
static int
mq_run_list(struct mq_options *opt, int argc, const char **argv)
{
	struct mta_spool sp;
	const char *older = NULL;
	poptContext ctx;
	int rc;
	struct poptOption options[] = {
		{"json", '\0', POPT_ARG_NONE, &opt->json, 0,
		 "one JSON object per message", NULL},
		{"sender", '\0', POPT_ARG_STRING, &opt->sender, 0,
		 "only messages whose sender contains TEXT", "TEXT"},
		{"recipient", '\0', POPT_ARG_STRING, &opt->recipient, 0,
		 "only messages with a recipient containing TEXT", "TEXT"},
		{"queue", '\0', POPT_ARG_STRING, &opt->queue, 0,
		 "only this queue (maildrop, active, incoming, deferred, hold)",
		 "QUEUE"},
		{"older-than", '\0', POPT_ARG_STRING, &older, 0,
		 "only messages that arrived at least AGE ago (90m, 2d)",
		 "AGE"},
		POPT_AUTOHELP
		POPT_TABLEEND};

	ctx = mq_verb_context("list", argc, argv, options, "[OPTIONS]");
	if (poptPeekArg(ctx))
		mta_cli_usage(ctx, "list: unexpected argument %s",
			      poptPeekArg(ctx));
	if (opt->queue && !mta_queue_name_valid(opt->queue))
		mta_cli_usage(ctx, "--queue %s: not a queue name", opt->queue);
	opt->older_than = mq_older_than(ctx, older);
	mq_spool_open(&sp, opt);
	rc = mq_list(&sp, opt);
	mta_spool_close(&sp);
	poptFreeContext(ctx);
	if (rc < 0)
		mta_msg_die(EX_IOERR, "write listing: %s", strerror(errno));
	return EX_OK;
}

/* mq_run_cat - "cat [-e] [-h] [-b] [-o] [-d] [-r] ID..." */
static int
mq_run_cat(struct mq_options *opt, int argc, const char **argv)
{
	struct mta_spool sp;
	int env = 0, hdr = 0, body = 0, off = 0, dec = 0, raw = 0, flags;
	int status = EX_OK;
	const char *id;
	poptContext ctx;
	struct poptOption options[] = {
		{NULL, 'e', POPT_ARG_NONE, &env, 0, "the envelope records", NULL},
		{NULL, 'h', POPT_ARG_NONE, &hdr, 0, "the message headers", NULL},
		{NULL, 'b', POPT_ARG_NONE, &body, 0, "the message body", NULL},
		{NULL, 'o', POPT_ARG_NONE, &off, 0, "each record's offset", NULL},
		{NULL, 'd', POPT_ARG_NONE, &dec, 0,
		 "each record's type in decimal", NULL},
		{NULL, 'r', POPT_ARG_NONE, &raw, 0,
		 "records in file order, pointers not followed", NULL},
		POPT_AUTOHELP
		POPT_TABLEEND};

	ctx = mq_verb_context("cat", argc, argv, options, "[OPTIONS] ID...");
	if (poptPeekArg(ctx) == NULL)
		mta_cli_usage(ctx, "cat: a queue id is needed");
	flags = (env ? MQ_CAT_ENV : 0) | (hdr ? MQ_CAT_HEADER : 0) |
		(body ? MQ_CAT_BODY : 0);
	if (flags == 0)
		flags = MQ_CAT_ALL;
	flags |= (off ? MQ_CAT_OFFSET : 0) | (dec ? MQ_CAT_DECIMAL : 0) |
		 (raw ? MQ_CAT_RAW : 0);
	mq_spool_open(&sp, opt);
	while ((id = poptGetArg(ctx)) != NULL && status == EX_OK)
		status = mq_cat(&sp, id, flags);
	mta_spool_close(&sp);
	poptFreeContext(ctx);
	return status;
}

/* The verbs, and the Postfix letters that stand for them. */
static const struct mq_verb {
	const char *name;
	int (*run)(struct mq_options *, int, const char **);
} mq_verbs[] = {
	{"list", mq_run_list},
	{"cat", mq_run_cat},
};

/* mq_dispatch - run the verb named argv[0] with its own arguments */
static int
mq_dispatch(struct mq_options *opt, int argc, const char **argv,
	    poptContext ctx)
{
	for (size_t i = 0; i < sizeof(mq_verbs) / sizeof(mq_verbs[0]); i++)
		if (strcmp(argv[0], mq_verbs[i].name) == 0)
			return mq_verbs[i].run(opt, argc, argv);
	mta_cli_usage(ctx, "%s: unknown command (list, cat)", argv[0]);
}

int
main(int argc, char **argv)
{
	struct mq_options opt = {0};
	const char **rest, *list_argv[] = {"list", "--json", NULL};
	int list_p = 0, list_j = 0, rc, nrest = 0;
	poptContext ctx;
	struct poptOption options[] = {
		{NULL, 'p', POPT_ARG_NONE, &list_p, 0,
		 "list the queue as mailq does (list)", NULL},
		{NULL, 'j', POPT_ARG_NONE, &list_j, 0,
		 "list the queue as JSON lines (list --json)", NULL},
		{"queue-dir", '\0', POPT_ARG_STRING, &queue_dir_arg, 0,
		 "work on this spool instead of main.cf's queue_directory",
		 "DIR"},
		MTA_CLI_COMMON,
		POPT_TABLEEND};

	mta_cli_start(argv[0]);
	/* Options up to the verb are ours; the rest belong to the verb. */
	ctx = poptGetContext(NULL, argc, (const char **)argv, options,
			     POPT_CONTEXT_POSIXMEHARDER);
	poptSetOtherOptionHelp(ctx, "[OPTIONS] COMMAND [ARGS]\n"
			       "Commands: list [--json] [--sender TEXT] "
			       "[--recipient TEXT] [--queue Q] [--older-than AGE]"
			       "\n          cat [-ehbodr] ID...");
	while ((rc = poptGetNextOpt(ctx)) > 0)
		;
	if (rc < -1)
		mta_cli_bad_option(ctx, rc);
	rest = poptGetArgs(ctx);
	while (rest && rest[nrest])
		nrest++;
	if (list_p || list_j) {
		if (nrest)
			mta_cli_usage(ctx, "%s: unexpected argument", rest[0]);
		rest = list_argv;
		nrest = list_j ? 2 : 1;
	} else if (nrest == 0) {
		rest = list_argv;
		nrest = 1;
	}
	rc = mq_dispatch(&opt, nrest, rest, ctx);
	free((char *)opt.empty_sender);
	poptFreeContext(ctx);
	return rc;
}
