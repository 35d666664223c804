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
#include <syslog.h>

#include "cli.h"
#include "config.h"
#include "msg.h"
#include "mta-queue.h"
#include "param.h"

static const char *queue_dir_arg;

/*
 * mq_spool - the spool of main.cf, or --queue-dir, opened on first use and
 * kept for the whole run (main.cf is read before any privilege is given
 * up; it may not be readable afterwards).
 */
static struct mta_spool *
mq_spool(struct mq_options *opt)
{
	static struct mta_spool sp;
	static bool opened;
	struct mta_buf err = MTA_BUF_INIT(1024);
	struct mta_config *cfg;
	const char *dir;

	if (opened)
		return &sp;
	cfg = mta_config_load_flags(mta_cli_config_dir(),
				    queue_dir_arg ? MTA_CONFIG_MISSING_OK : 0,
				    &err);
	if (cfg == NULL)
		mta_msg_die(EX_CONFIG, "%s", mta_buf_str(&err));
	dir = queue_dir_arg ? queue_dir_arg :
		mta_config_str(cfg, "queue_directory");
	opt->long_ids = mta_config_bool(cfg, "enable_long_queue_ids");
	opt->empty_sender = strdup(mta_config_str(cfg, "empty_address_recipient"));
	opt->mail_owner = strdup(mta_config_str(cfg, "mail_owner"));
	if (mta_spool_open(&sp, dir, mta_config_str(cfg, "hash_queue_names"),
			   mta_config_int(cfg, "hash_queue_depth"),
			   opt->long_ids, &err) < 0)
		mta_msg_die(errno == ENOENT ? EX_NOINPUT : EX_OSERR,
			    "%s", mta_buf_str(&err));
	mta_config_free(cfg);
	mta_buf_release(&err);
	opened = true;
	return &sp;
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

/* mq_check_ids - queue ids, "-" or "ALL": anything else is a usage error */
static void
mq_check_ids(poptContext ctx, const char *const *ids)
{
	for (; ids && *ids; ids++)
		if (strcmp(*ids, "-") != 0 && strcmp(*ids, "ALL") != 0 &&
		    !mta_qid_valid(*ids))
			mta_cli_usage(ctx, "bad mail queue ID: %.100s", *ids);
}

/* mq_run_list - "list [--json] [filters]" */
static int
mq_run_list(struct mq_options *opt, int argc, const char **argv)
{
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
	rc = mq_list(mq_spool(opt), opt);
	free((char *)opt->sender);	/* popt's copies */
	free((char *)opt->recipient);
	free((char *)opt->queue);
	free((char *)older);
	poptFreeContext(ctx);
	if (rc < 0)
		mta_msg_die(EX_IOERR, "write listing: %s", strerror(errno));
	return EX_OK;
}

/* mq_run_cat - "cat [-e] [-h] [-b] [-o] [-d] [-r] ID..." */
static int
mq_run_cat(struct mq_options *opt, int argc, const char **argv)
{
	struct mta_spool *sp;
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
	sp = mq_spool(opt);
	while ((id = poptGetArg(ctx)) != NULL && status == EX_OK)
		status = mq_cat(sp, id, flags);
	poptFreeContext(ctx);
	return status;
}

/* mq_change - lock the spool, give up root, apply op (exit status) */
static int
mq_change(struct mq_options *opt, enum mq_op_kind op, const char *const *ids,
	  const char *const *limit)
{
	struct mta_spool *sp = mq_spool(opt);
	int rc;

	mta_msg_syslog_open(LOG_MAIL);
	if ((rc = mq_lock(sp, opt->lock_wait)) == EX_OK) {
		mq_drop_privileges(sp, opt->mail_owner);
		rc = mq_super(sp, op, ids, limit);
	}
	return rc;
}

/* mq_run_super - "delete|hold|release|requeue ID...|-|ALL [QUEUE...]" */
static int
mq_run_super(struct mq_options *opt, int argc, const char **argv)
{
	static const char *const names[] = {"delete", "hold", "release",
					    "requeue"};
	const char *queue = NULL, *one[2] = {NULL, NULL}, *const *limit = NULL;
	const char **args;
	enum mq_op_kind op = MQ_OP_DELETE;
	poptContext ctx;
	int rc;
	struct poptOption options[] = {
		{"queue", '\0', POPT_ARG_STRING, &queue, 0,
		 "look for the ids only in this queue", "QUEUE"},
		POPT_AUTOHELP
		POPT_TABLEEND};

	for (size_t i = 0; i < 4; i++)
		if (strcmp(argv[0], names[i]) == 0)
			op = (enum mq_op_kind)i;
	ctx = mq_verb_context(argv[0], argc, argv, options,
			      "ID...|-|ALL [QUEUE...]");
	args = poptGetArgs(ctx);
	if (args == NULL)
		mta_cli_usage(ctx, "%s: a queue id, - or ALL is needed", argv[0]);
	if (strcmp(args[0], "ALL") == 0) {
		if (queue)
			mta_cli_usage(ctx, "%s ALL takes queue names as "
				      "arguments, not --queue", argv[0]);
		limit = args[1] ? args + 1 : NULL;
		one[0] = "ALL";
		args = one;
	} else if (queue) {
		one[0] = queue;
		limit = one;
	}
	mq_check_ids(ctx, args);
	rc = mq_change(opt, op, args, limit);
	free((char *)queue);	/* popt's copy */
	poptFreeContext(ctx);
	return rc;
}

/* mq_run_shape - "shape [-s] [-p] [-l] [-b N] [-t MIN] [-w W] [QUEUE...]" */
static int
mq_run_shape(struct mq_options *opt, int argc, const char **argv)
{
	struct mq_shape_options so = {0, 0, 0, 10, 5, 80, 5};
	poptContext ctx;
	int rc;
	struct poptOption options[] = {
		{NULL, 's', POPT_ARG_NONE, &so.senders, 0,
		 "count sender domains instead of recipient domains", NULL},
		{NULL, 'p', POPT_ARG_NONE, &so.parents, 0,
		 "also count parent domains (.example.com)", NULL},
		{NULL, 'm', POPT_ARG_INT, &so.min_subdomains, 0,
		 "show a parent domain with at least N sub-domains (5)", "N"},
		{NULL, 'l', POPT_ARG_NONE, &so.linear, 0,
		 "age buckets grow linearly, not doubling", NULL},
		{NULL, 'b', POPT_ARG_INT, &so.buckets, 0,
		 "number of age buckets (10)", "N"},
		{NULL, 't', POPT_ARG_INT, &so.tick, 0,
		 "the first bucket's age in minutes (5)", "MINUTES"},
		{NULL, 'w', POPT_ARG_INT, &so.width, 0,
		 "output width (80 or more)", "COLUMNS"},
		POPT_AUTOHELP
		POPT_TABLEEND};

	ctx = mq_verb_context("shape", argc, argv, options, "[OPTIONS] [QUEUE...]");
	if (so.buckets < 1 || so.buckets > 100)
		mta_cli_usage(ctx, "-b %d: from 1 to 100 buckets", so.buckets);
	if (so.tick < 1)
		mta_cli_usage(ctx, "-t %d: at least 1 minute", so.tick);
	if (so.width < 80)
		so.width = 80;
	if (so.min_subdomains < 1)
		so.min_subdomains = 5;
	rc = mq_shape(mq_spool(opt), &so, poptGetArgs(ctx));
	poptFreeContext(ctx);
	return rc;
}

/* mq_run_check - "check": structure check and repair, under the lock */
static int
mq_run_check(struct mq_options *opt, int argc, const char **argv)
{
	struct poptOption options[] = {POPT_AUTOHELP POPT_TABLEEND};
	poptContext ctx = mq_verb_context("check", argc, argv, options, "");
	struct mta_spool *sp = mq_spool(opt);
	int rc;

	if (poptPeekArg(ctx))
		mta_cli_usage(ctx, "check: unexpected argument %s",
			      poptPeekArg(ctx));
	mta_msg_syslog_open(LOG_MAIL);
	if ((rc = mq_lock(sp, opt->lock_wait)) == EX_OK) {
		mq_drop_privileges(sp, opt->mail_owner);
		rc = mq_check(sp);
	}
	poptFreeContext(ctx);
	return rc;
}

/* mq_do_flush - lock, give up root, flush (exit status) */
static int
mq_do_flush(struct mq_options *opt, const char *site, const char *id)
{
	struct mta_spool *sp = mq_spool(opt);
	int rc;

	if (site == NULL && id == NULL)
		return mq_flush(sp, NULL, NULL);	/* moves nothing */
	if ((rc = mq_lock(sp, opt->lock_wait)) != EX_OK)
		return rc;
	mq_drop_privileges(sp, opt->mail_owner);
	return mq_flush(sp, site, id);
}

/* mq_run_flush - "flush [SITE]" */
static int
mq_run_flush(struct mq_options *opt, int argc, const char **argv)
{
	struct poptOption options[] = {POPT_AUTOHELP POPT_TABLEEND};
	poptContext ctx = mq_verb_context("flush", argc, argv, options, "[SITE]");
	const char *site = poptGetArg(ctx);
	int rc;

	if (poptPeekArg(ctx))
		mta_cli_usage(ctx, "flush: one site at most");
	rc = mq_do_flush(opt, site, NULL);
	poptFreeContext(ctx);
	return rc;
}

/* mq_run_deliver - "deliver ID" */
static int
mq_run_deliver(struct mq_options *opt, int argc, const char **argv)
{
	struct poptOption options[] = {POPT_AUTOHELP POPT_TABLEEND};
	poptContext ctx = mq_verb_context("deliver", argc, argv, options, "ID");
	const char *id = poptGetArg(ctx);
	int rc;

	if (id == NULL || poptPeekArg(ctx))
		mta_cli_usage(ctx, "deliver: one queue id is needed");
	if (!mta_qid_valid(id))
		mta_cli_usage(ctx, "bad mail queue ID: %.100s", id);
	rc = mq_do_flush(opt, NULL, id);
	poptFreeContext(ctx);
	return rc;
}

/* The verbs, and the Postfix letters that stand for them. */
static const struct mq_verb {
	const char *name;
	int (*run)(struct mq_options *, int, const char **);
} mq_verbs[] = {
	{"list", mq_run_list},
	{"cat", mq_run_cat},
	{"shape", mq_run_shape},
	{"check", mq_run_check},
	{"flush", mq_run_flush},
	{"deliver", mq_run_deliver},
	{"delete", mq_run_super},
	{"hold", mq_run_super},
	{"release", mq_run_super},
	{"requeue", mq_run_super},
};

/* mq_dispatch - run the verb named argv[0] with its own arguments */
static int
mq_dispatch(struct mq_options *opt, int argc, const char **argv,
	    poptContext ctx)
{
	for (size_t i = 0; i < sizeof(mq_verbs) / sizeof(mq_verbs[0]); i++)
		if (strcmp(argv[0], mq_verbs[i].name) == 0)
			return mq_verbs[i].run(opt, argc, argv);
	mta_cli_usage(ctx, "%s: unknown command (list, cat, delete, hold, "
		      "release, requeue, shape, check, flush, deliver)", argv[0]);
}

/*
 * mq_letters - postsuper's form: -d/-h/-H/-r ID (repeatable), the other
 * arguments naming the queues to look in. Operations run in postsuper's
 * order, each with its own summary.
 */
static int
mq_letters(struct mq_options *opt, char **ids[4], const char **queues,
	   poptContext ctx)
{
	static const enum mq_op_kind order[] = {MQ_OP_REQUEUE, MQ_OP_DELETE,
						MQ_OP_HOLD, MQ_OP_RELEASE};
	int rc = EX_OK;

	for (size_t i = 0; i < 4; i++)
		mq_check_ids(ctx, (const char *const *)ids[i]);
	for (size_t i = 0; i < 4 && rc == EX_OK; i++) {
		enum mq_op_kind op = order[i];

		if (ids[op] == NULL)
			continue;
		rc = mq_change(opt, op, (const char *const *)ids[op],
			       queues && *queues ? queues : NULL);
	}
	for (size_t i = 0; i < 4; i++) {
		for (char **cp = ids[i]; cp && *cp; cp++)
			free(*cp);
		free(ids[i]);
	}
	return rc;
}

/*
 * mq_letter_verb - Postfix's letters for what are verbs here: -p list,
 * -j list --json, -f flush, -s SITE flush SITE, -s alone check (postsuper
 * -s), -i ID deliver ID. Fills argv; returns its length, 0 for none.
 */
static int
mq_letter_verb(poptContext ctx, int p, int j, int f, int s, const char *site,
	       const char *id, const char *argv[3])
{
	int n = (p != 0) + (j != 0) + (f != 0) + (s != 0) + (id != NULL);

	if (n > 1)
		mta_cli_usage(ctx, "-p, -j, -f, -s and -i go one at a time");
	argv[0] = p ? "list" : j ? "list" : f ? "flush" : s && site ? "flush" :
		s ? "check" : id ? "deliver" : NULL;
	argv[1] = j ? "--json" : s && site ? site : id;
	argv[2] = NULL;
	return argv[0] == NULL ? 0 : argv[1] ? 2 : 1;
}

int
main(int argc, char **argv)
{
	struct mq_options opt = {.lock_wait = 60};
	char **letter_ids[4] = {NULL, NULL, NULL, NULL};
	char *site = NULL, *id = NULL;
	const char **rest, *verb[3];
	int p = 0, j = 0, f = 0, s = 0, rc, nrest = 0, nverb;
	poptContext ctx;
	struct poptOption options[] = {
		{NULL, 'p', POPT_ARG_NONE, &p, 0,
		 "list the queue as mailq does (list)", NULL},
		{NULL, 'j', POPT_ARG_NONE, &j, 0,
		 "list the queue as JSON lines (list --json)", NULL},
		{NULL, 'd', POPT_ARG_ARGV, &letter_ids[MQ_OP_DELETE], 0,
		 "delete a message (delete ID); ALL, or - for ids on stdin",
		 "ID"},
		{NULL, 'h', POPT_ARG_ARGV, &letter_ids[MQ_OP_HOLD], 0,
		 "put a message on hold (hold ID)", "ID"},
		{NULL, 'H', POPT_ARG_ARGV, &letter_ids[MQ_OP_RELEASE], 0,
		 "release a message from hold (release ID)", "ID"},
		{NULL, 'r', POPT_ARG_ARGV, &letter_ids[MQ_OP_REQUEUE], 0,
		 "requeue a message (requeue ID)", "ID"},
		{NULL, 'f', POPT_ARG_NONE, &f, 0,
		 "try all deferred mail now (flush)", NULL},
		{NULL, 's', POPT_ARG_STRING | POPT_ARGFLAG_OPTIONAL, &site, 's',
		 "with SITE: try its mail now (flush SITE); alone: check and "
		 "repair the spool (check)", "SITE"},
		{NULL, 'i', POPT_ARG_STRING, &id, 0,
		 "try one message now (deliver ID)", "ID"},
		{"queue-dir", '\0', POPT_ARG_STRING, &queue_dir_arg, 0,
		 "work on this spool instead of main.cf's queue_directory",
		 "DIR"},
		{"wait", '\0', POPT_ARG_INT, &opt.lock_wait, 0,
		 "wait up to SECONDS for another run to finish (default 60)",
		 "SECONDS"},
		MTA_CLI_COMMON,
		POPT_TABLEEND};

	mta_cli_start(argv[0]);
	/* Options up to the verb are ours; the rest belong to the verb. */
	ctx = poptGetContext(NULL, argc, (const char **)argv, options,
			     POPT_CONTEXT_POSIXMEHARDER);
	poptSetOtherOptionHelp(ctx, "[OPTIONS] [COMMAND [ARGS]]\n"
		"Commands: list [--json] [--sender TEXT] [--recipient TEXT] "
		"[--queue Q] [--older-than AGE]\n"
		"          cat [-ehbodr] ID...\n"
		"          delete|hold|release|requeue ID...|-|ALL [QUEUE...]\n"
		"          check | shape [QUEUE...] | flush [SITE] | deliver ID");
	while ((rc = poptGetNextOpt(ctx)) > 0)
		if (rc == 's')
			s = 1;
	if (rc < -1)
		mta_cli_bad_option(ctx, rc);
	rest = poptGetArgs(ctx);
	while (rest && rest[nrest])
		nrest++;
	nverb = mq_letter_verb(ctx, p, j, f, s, site, id, verb);
	if (letter_ids[0] || letter_ids[1] || letter_ids[2] || letter_ids[3]) {
		if (nverb)
			mta_cli_usage(ctx, "-d, -h, -H and -r do not mix with "
				      "-p, -j, -f, -s or -i");
		rc = mq_letters(&opt, letter_ids, rest, ctx);
	} else if (nverb) {
		if (nrest)
			mta_cli_usage(ctx, "%s: unexpected argument", rest[0]);
		rc = mq_dispatch(&opt, nverb, verb, ctx);
	} else {
		verb[0] = "list";	/* no command: list, as mailq */
		rc = mq_dispatch(&opt, nrest ? nrest : 1, nrest ? rest : verb,
				 ctx);
	}
	free((char *)opt.empty_sender);
	free(opt.mail_owner);
	free(site);
	free(id);
	poptFreeContext(ctx);
	return rc;
}
