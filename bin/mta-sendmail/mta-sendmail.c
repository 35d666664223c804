/*
 * mta-sendmail - the sendmail command, with sendmail's historic options
 * (which popt cannot parse: -oi, -qR site, -bs, -F name). Also answers to
 * the names mailq (mta-queue -p) and newaliases (mta-alias) by argv[0].
 *
 *	mta-sendmail [options] [recipient...] < message
 *	mailq | newaliases
 *
 * main() reads argv[0] and the options, then main.cf, then hands over to
 * the submission (mta-sendmail_submit.c) or runs another command.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "msg.h"
#include "mta-sendmail.h"
#include "str.h"

#define SM_GETOPT "+A:B:C:F:GIL:N:O:R:UV:X:b:c:e:f:h:imno:p:r:q:tvx"

/* sm_help - the synopsis (stdout for --help; exit status given) */
static _Noreturn void
sm_help(FILE *fp, int status)
{
	fprintf(fp, "Usage: %s [-t] [-i|-oi] [-f SENDER] [-F NAME] "
		"[-B 7BIT|8BITMIME] [-N DSN] [-R full|hdrs] [-V ENVID] [-XV[xy]] "
		"[-G] [-v] [-C|-c DIR] [recipient...] < message\n"
		"       %s -bp | -bi | -bd | -bs | -q | -qR SITE | -qI ID\n"
		"       mailq | newaliases\n"
		"See mta-sendmail(1).\n", mta_msg_prog(), mta_msg_prog());
	exit(status);
}

/* sm_usage - a usage error: say what, exit 64 */
static _Noreturn void MTA_PRINTF(1, 2)
sm_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: error: ", mta_msg_prog());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (try --help)\n");
	exit(EX_USAGE);
}

/* sm_dsn_notify - "-N success,delay,failure" or "never": the mask, 0 if bad */
static int
sm_dsn_notify(const char *text)
{
	static const char *const names[] = {"never", "success", "failure",
					    "delay"};
	char *copy = strdup(text), *cp = copy, *word;
	int mask = 0, bit;

	if (copy == NULL)
		mta_msg_fatal("out of memory");
	while ((word = mta_str_token(&cp, ", \t\r\n")) != NULL) {
		for (bit = 0; bit < 4; bit++)
			if (strcasecmp(word, names[bit]) == 0)
				break;
		if (bit == 4) {
			mask = 0;
			break;
		}
		mask |= 1 << bit;
	}
	free(copy);
	return (mask & 1) && (mask & ~1) ? 0 : mask;
}

/* sm_printable - a -V value: printable ASCII */
static bool
sm_printable(const char *text)
{
	for (; *text; text++)
		if (!isprint((unsigned char)*text) || (unsigned char)*text > 126)
			return false;
	return true;
}

/* sm_opt_b - -bX: the mode of operation */
static void
sm_opt_b(struct sm_options *opt, const char *arg)
{
	switch (*arg) {
	case 'd': opt->mode = SM_DAEMON; break;
	case 'h': case 'H': opt->mode = SM_IGNORE; break;
	case 'i': opt->mode = SM_NEWALIAS; break;
	case 'm': opt->mode = SM_ENQUEUE; break;
	case 'p': opt->mode = SM_MAILQ; break;
	case 's': opt->mode = SM_SMTP; break;
	case 'v': opt->mode = SM_VERIFY; break;
	default: sm_usage("unsupported: -b%.20s", arg);
	}
}

/* sm_opt_o - -oX: only -oi and -oA mean something; others are ignored */
static void
sm_opt_o(struct sm_options *opt, const char *arg)
{
	if (*arg == 'i')
		opt->aeof = false;
	else if (*arg == 'A') {
		if (arg[1] == '\0')
			sm_usage("-oA needs an alias database (-oAhash:/etc/aliases)");
		opt->alias_db = arg + 1;
	} else
		mta_msg_debug("-o%.20s option ignored", arg);
}

/* sm_opt_q - -qR site, -qI id, -q30m (interval: ignored) */
static void
sm_opt_q(struct sm_options *opt, const char *arg)
{
	if (isdigit((unsigned char)*arg))
		opt->qtime = arg;
	else if (*arg == 'R' && arg[1])
		opt->flush_site = arg + 1;
	else if (*arg == 'I' && arg[1])
		opt->flush_id = arg + 1;
	else if (*arg == 'R' || *arg == 'I')
		sm_usage("specify -q%cSITE or -q%cID", *arg, *arg);
	else
		sm_usage("-q%c is not implemented", *arg);
}

/* sm_opt_x - -XV[xy]: VERP; nothing else of -X is known */
static void
sm_opt_x(struct sm_options *opt, const char *arg)
{
	if (*arg != 'V')
		sm_usage("unsupported: -X%.20s", arg);
	if (arg[1] == '\0')
		opt->verp_default = true;
	else
		opt->verp = arg + 1;
}

/* sm_opt_dsn - -B, -N, -R, -V */
static void
sm_opt_dsn(struct sm_options *opt, int ch, const char *arg)
{
	if (ch == 'B') {
		if (strcasecmp(arg, "8BITMIME") == 0)
			opt->encoding = "8bit";
		else if (strcasecmp(arg, "7BIT") == 0)
			opt->encoding = "7bit";
		else
			sm_usage("-B needs 8BITMIME or 7BIT, not %.50s", arg);
	} else if (ch == 'N') {
		if ((opt->notify = sm_dsn_notify(arg)) == 0)
			mta_msg_warn("bad -N option value %.50s -- ignored", arg);
	} else if (ch == 'R') {
		opt->ret = strcasecmp(arg, "full") == 0 ? 1 :
			   strcasecmp(arg, "hdrs") == 0 ? 2 : 0;
		if (opt->ret == 0)
			mta_msg_warn("bad -R option value %.50s (full or hdrs) "
				     "-- ignored", arg);
	} else if (strlen(arg) > 100 || !sm_printable(arg))
		mta_msg_warn("bad -V option value (up to 100 printable "
			     "characters) -- ignored");
	else
		opt->envid = arg;
}

/* sm_option - one option letter from getopt */
static void
sm_option(struct sm_options *opt, int ch, const char *arg)
{
	switch (ch) {
	case 'B': case 'N': case 'R': case 'V': sm_opt_dsn(opt, ch, arg); break;
	case 'C': case 'c': mta_cli_config_arg = arg; break;
	case 'F': opt->full_name = arg; break;
	case 'G': opt->rewrite_context = "remote"; break;
	case 'I': opt->mode = SM_NEWALIAS; break;
	case 'X': sm_opt_x(opt, arg); break;
	case 'b': sm_opt_b(opt, arg); break;
	case 'f': case 'r': opt->sender = arg; break;
	case 'i': opt->aeof = false; break;
	case 'n': sm_usage("-n is not supported");
	case 'o': sm_opt_o(opt, arg); break;
	case 'q': sm_opt_q(opt, arg); break;
	case 't': opt->extract = true; break;
	case 'v': opt->verbose++; break;
	case '?': sm_usage("unknown option or missing argument");
	default: mta_msg_debug("-%c option ignored", ch); break;
	}
}

/* sm_long - the few long options every command has */
static void
sm_long(const char *arg)
{
	if (strcmp(arg, "--help") == 0)
		sm_help(stdout, EX_OK);
	if (strcmp(arg, "--usage") == 0)
		sm_help(stdout, EX_OK);
	if (strcmp(arg, "--version") == 0) {
		printf("%s (mta) %s\n", mta_msg_prog(), MTA_VERSION);
		exit(EX_OK);
	}
	sm_usage("unknown option %.50s", arg);
}

/* sm_parse - the options, historic quirks included; operands after */
static void
sm_parse(struct sm_options *opt, int argc, char **argv)
{
	int ch;

	opterr = 0;
	while (optind < argc && argv[optind]) {
		const char *arg = argv[optind];

		if (strcmp(arg, "-q") == 0) {	/* -q takes no argument alone */
			opt->mode = SM_FLUSHQ;
			optind++;
			continue;
		}
		if (strncmp(arg, "--", 2) == 0 && arg[2])
			sm_long(arg);
		if ((ch = getopt(argc, argv, SM_GETOPT)) == -1)
			break;
		if (ch == '?' && optopt)
			sm_usage("-%c: unknown option or missing argument",
				 optopt);
		sm_option(opt, ch, optarg);
	}
	opt->recipients = argv + optind;
}

/* sm_check - options that cannot go together */
static void
sm_check(struct sm_options *opt)
{
	if (opt->extract && opt->mode != SM_ENQUEUE)
		sm_usage("-t can be used only in delivery mode");
	if (opt->flush_site && opt->mode != SM_ENQUEUE)
		sm_usage("-qR can be used only in delivery mode");
	if (opt->flush_id && opt->mode != SM_ENQUEUE)
		sm_usage("-qI can be used only in delivery mode");
	if (opt->mode == SM_VERIFY && opt->extract)
		sm_usage("-t cannot be used with -bv");
	if (opt->mode != SM_ENQUEUE && opt->mode != SM_VERIFY &&
	    opt->recipients[0])
		sm_usage("this mode takes no recipient (%.100s)",
			 opt->recipients[0]);
	if ((opt->flush_site || opt->flush_id) && opt->recipients[0])
		sm_usage("a queue flush takes no recipient (%.100s)",
			 opt->recipients[0]);
}

/* sm_name_mode - the mode the program's name asks for */
static enum sm_mode
sm_name_mode(const char *argv0)
{
	const char *base = strrchr(argv0, '/');

	base = base ? base + 1 : argv0;
	if (strcmp(base, "mailq") == 0)
		return SM_MAILQ;
	if (strcmp(base, "newaliases") == 0)
		return SM_NEWALIAS;
	return SM_ENQUEUE;
}

/* sm_load - main.cf, after the options (-C may name it) */
static struct mta_config *
sm_load(void)
{
	struct mta_buf err = MTA_BUF_INIT(1024);
	struct mta_config *cfg;
	const char *dir = mta_cli_config_dir();
	size_t n = strlen(dir);
	static char parent[4096];

	/* -C /etc/mta/main.cf means its directory, as with Postfix. */
	if (n > 8 && strcmp(dir + n - 8, "/main.cf") == 0 &&
	    n - 8 < sizeof(parent)) {
		memcpy(parent, dir, n - 8);
		parent[n - 8] = '\0';
		mta_cli_config_arg = parent;
		dir = parent;
	}
	if ((cfg = mta_config_load(dir, &err)) == NULL)
		mta_msg_die(EX_CONFIG, "%s", mta_buf_str(&err));
	mta_buf_release(&err);
	return cfg;
}

/* sm_dispatch - everything but a submission is another command */
static int
sm_dispatch(struct sm_options *opt, struct mta_config *cfg)
{
	const char *args[4] = {NULL, NULL, NULL, NULL};

	switch (opt->mode) {
	case SM_ENQUEUE:
		if (opt->flush_site || opt->flush_id) {
			args[0] = opt->flush_site ? "-s" : "-i";
			args[1] = opt->flush_site ? opt->flush_site : opt->flush_id;
			sm_exec(cfg, "mta-queue", args, opt->verbose);
		}
		return sm_submit(opt, cfg);
	case SM_MAILQ:
		args[0] = "-p";
		sm_exec(cfg, "mta-queue", args, opt->verbose);
	case SM_FLUSHQ:
		args[0] = "-f";
		sm_exec(cfg, "mta-queue", args, opt->verbose);
	case SM_NEWALIAS:
		args[0] = opt->alias_db;
		sm_exec(cfg, "mta-alias", args, opt->verbose);
	case SM_DAEMON:
		args[0] = "start";
		sm_exec(cfg, "mta-start", args, opt->verbose);
	case SM_SMTP:
		mta_msg_die(EX_UNAVAILABLE, "-bs needs smtpd (not available yet)");
	case SM_VERIFY:
		mta_msg_die(EX_UNAVAILABLE, "-bv (address verification) is not "
			    "available yet");
	case SM_IGNORE:
		break;
	}
	return EX_OK;
}

/* sm_unsetuid - never run with the privileges of a set-uid install */
static void
sm_unsetuid(void)
{
	if (geteuid() == 0 && getuid() != 0) {
		mta_msg_warn("mta-sendmail must not be set-uid root; running as "
			     "the real user");
		if (setgid(getgid()) < 0 || setuid(getuid()) < 0)
			mta_msg_die(EX_OSERR, "give up set-uid privileges: %m");
	}
}

int
main(int argc, char **argv)
{
	struct sm_options opt = {
		.mode = SM_ENQUEUE, .aeof = true, .rewrite_context = "local",
	};
	struct mta_config *cfg;
	int rc;

	umask(022);
	mta_cli_start(argv[0]);
	sm_unsetuid();
	opt.mode = sm_name_mode(argv[0]);
	sm_parse(&opt, argc, argv);
	sm_check(&opt);
	mta_msg_verbose = opt.verbose > 1 ? opt.verbose - 1 : 0;
	if (opt.qtime && opt.mode != SM_DAEMON)
		return EX_OK;	/* "-q30m": the queue runs on its own timer */
	cfg = sm_load();
	rc = sm_dispatch(&opt, cfg);
	mta_config_free(cfg);
	return rc;
}
