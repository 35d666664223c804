/*
 * Unit tests for lib/dsn: an original goes into a scratch spool through
 * cleanup, a bounce or defer log is written with mta_bouncelog_append,
 * the notice is made, and then read back: the envelope with our record
 * reader, the content with Python's email module (a real MIME parser),
 * the whole file with Postfix's postcat. Cases: a bounce, a delay
 * warning, a double bounce, a double bounce of a double bounce, a big
 * original, RET=HDRS, NOTIFY=NEVER, hostile log and envelope text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bouncelog.h"
#include "cleanup.h"
#include "dsn.h"
#include "mem.h"
#include "record.h"
#include "tap.h"

static char dir[] = "/tmp/mta-dsn.XXXXXX";
static struct mta_spool sp;
static struct mta_config *cfg;
static bool have_python;

/* What the checker prints: one "key=value" line per fact. */
static const char checker[] =
        "import email, sys\n"
        "from email import policy\n"
        "m = email.message_from_binary_file(open(sys.argv[1], 'rb'),\n"
        "                                   policy=policy.compat32)\n"
        "print('type=' + m.get_content_type())\n"
        "print('report-type=' + str(m.get_param('report-type')))\n"
        "for k in m.keys(): print('header=' + k)\n"
        "print('subject=' + str(m['Subject']))\n"
        "print('to=' + str(m['To']))\n"
        "print('auto=' + str(m['Auto-Submitted']))\n"
        "p = m.get_payload()\n"
        "print('parts=%d' % len(p))\n"
        "for x in p: print('part=' + x.get_content_type())\n"
        "print('human=' + p[0].get_payload().replace('\\n', '|'))\n"
        "for b in p[1].get_payload():\n"
        "    for k, v in b.items():\n"
        "        print('field=%s: %s' % (k, ' '.join(v.split())))\n"
        "o = p[2]\n"
        "if o.get_content_type() == 'message/rfc822':\n"
        "    inner = o.get_payload()[0]\n"
        "    print('orig-subject=' + str(inner['Subject']))\n"
        "    print('orig-body=' + str(inner.get_payload()).replace('\\n', "
        "'|'))\n"
        "else:\n"
        "    inner = email.message_from_string(o.get_payload())\n"
        "    print('orig-subject=' + str(inner['Subject']))\n"
        "    print('orig-text=' + o.get_payload().replace('\\n', '|'))\n"
        "print('defects=%d' % len(m.defects))\n";

/* The notice read back. */
struct notice {
	char sender[256];
	char rcpt[256];
	struct mta_buf text; /* the content, lines ending in LF */
	char facts[65536];   /* the checker's output */
	char path[1024];
};

/* load - main.cf for the tests, with extra lines */
static void
load(const char *extra)
{
	char path[1024];
	struct mta_buf err = MTA_BUF_INIT(1024);
	FILE *fp;

	snprintf(path, sizeof(path), "%s/etc/main.cf", dir);
	fp = fopen(path, "w");
	fprintf(fp,
	        "queue_directory = %s\nmyhostname = mx.test.example\n"
	        "mydomain = test.example\nmyorigin = $mydomain\n"
	        "delay_warning_time = 4h\n%s\n",
	        dir, extra);
	fclose(fp);
	if (cfg)
		mta_config_free(cfg);
	snprintf(path, sizeof(path), "%s/etc", dir);
	cfg = mta_config_load(path, &err);
	if (cfg == NULL)
		printf("# config: %s\n", err.data);
	mta_buf_release(&err);
}

/* original - a message through cleanup; its queue id */
static int
original(const char *sender, const char *rcpt, const char *text,
         const char *ret, char id[MTA_QID_SIZE])
{
	struct mta_buf err = MTA_BUF_INIT(256);
	struct mta_cleanup *c =
	        mta_cleanup_open(cfg, &sp, MTA_CLEANUP_LOCAL, &err);
	const char *line = text, *nl;

	if (c == NULL)
		return -1;
	if (ret)
		mta_cleanup_attr(c, "ret_flags", ret);
	mta_cleanup_sender(c, sender);
	mta_cleanup_recipient(c, rcpt, NULL, 0, NULL);
	while ((nl = strchr(line, '\n')) != NULL) {
		mta_cleanup_text(c, line, (size_t)(nl - line), true);
		line = nl + 1;
	}
	mta_buf_release(&err);
	return mta_cleanup_close(c, id, NULL) == MTA_CLEANUP_OK ? 0 : -1;
}

/* log_entry - one entry in the bounce (or defer) log of id */
static int
log_entry(const char *id, bool defer, struct mta_bounce_entry *e)
{
	char path[1024], cmd[2200];

	mta_spool_path(&sp, defer ? "defer" : "bounce", id, path, sizeof(path));
	/* defer/ is hashed, as Postfix's: make the sub-directory */
	snprintf(cmd, sizeof(cmd), "mkdir -p $(dirname %s/%s)", dir, path);
	if (system(cmd) != 0)
		return -1;
	return mta_bouncelog_append(sp.dirfd, path, e);
}

/* run_checker - the Python facts about the notice's content */
static void
run_checker(struct notice *n)
{
	char txt[1200], cmd[3000];
	FILE *fp, *p;
	size_t got;

	n->facts[0] = '\0';
	if (!have_python)
		return;
	snprintf(txt, sizeof(txt), "%s/notice.eml", dir);
	fp = fopen(txt, "w");
	fwrite(n->text.data, 1, n->text.len, fp);
	fclose(fp);
	snprintf(cmd, sizeof(cmd), "python3 %s/check.py %s 2>&1", dir, txt);
	p = popen(cmd, "r");
	got = p ? fread(n->facts, 1, sizeof(n->facts) - 1, p) : 0;
	n->facts[got] = '\0';
	if (p)
		pclose(p);
}

/* read_notice - the new queue file: envelope and content */
static int
read_notice(const char *id, struct notice *n)
{
	struct mta_buf data = MTA_BUF_INIT(1 << 20);
	struct mta_rec_reader rr;
	int type, segment = 0;
	FILE *fp;

	memset(n, 0, sizeof(*n));
	mta_buf_init(&n->text, 1 << 22);
	snprintf(n->path, sizeof(n->path), "%s/incoming/%s", dir, id);
	mta_buf_add(&n->text, "", 0);
	if (*id == '\0' || (fp = fopen(n->path, "r")) == NULL)
		return -1;
	mta_rec_reader_init(&rr, fp, 1 << 20, MTA_REC_FOLLOW);
	while (mta_rec_read(&rr, &type, &data) == 1) {
		if (segment == 0 && type == 'S')
			snprintf(n->sender, sizeof(n->sender), "%s", data.data);
		else if (segment == 0 && type == 'R')
			snprintf(n->rcpt, sizeof(n->rcpt), "%s", data.data);
		else if (type == 'M' || type == 'X')
			segment++;
		else if (segment == 1 && (type == 'N' || type == 'L')) {
			mta_buf_add(&n->text, data.data, data.len);
			if (type == 'N')
				mta_buf_addc(&n->text, '\n');
		}
	}
	fclose(fp);
	mta_buf_release(&data);
	run_checker(n);
	if (getenv("DSN_DEBUG"))
		printf("# %s\n%s", n->text.data, n->facts);
	return 0;
}

/* has - the checker said this line (skipped without python) */
static bool
has(const struct notice *n, const char *line)
{
	char want[1024];

	if (!have_python)
		return true;
	snprintf(want, sizeof(want), "%s\n", line);
	return strstr(n->facts, want) != NULL;
}

/* count_incoming - files in incoming/ */
static int
count_incoming(void)
{
	char cmd[1200], out[64] = "";
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ls %s/incoming | wc -l", dir);
	p = popen(cmd, "r");
	if (p && fgets(out, sizeof(out), p) == NULL)
		out[0] = '\0';
	if (p)
		pclose(p);
	return atoi(out);
}

static const char s6[] =
        "From: alice@remote.example\nTo: nouser@bounce.example\n"
        "Subject: fixture S6 will hard-bounce\n\n"
        ".a line that starts with a dot\nThe body.\n";

/* test_bounce - the sender's non-delivery notice, field by field */
static void
test_bounce(void)
{
	char id[MTA_QID_SIZE], newid[MTA_QID_SIZE];
	struct mta_buf err = MTA_BUF_INIT(1024);
	struct mta_bounce_entry e = {
	        .recipient = "nouser@bounce.example",
	        .dsn_orig_rcpt = "rfc822;nouser@bounce.example",
	        .status = "5.1.1",
	        .action = "failed",
	        .diag_type = "smtp",
	        .diag_text = "550 5.1.1 no such user here",
	        .mta_type = "dns",
	        .mta_mname = "mx.bounce.example",
	        .reason =
	                "host mx.bounce.example said: 550 5.1.1 no such user"};
	struct notice n;

	ok(original("alice@remote.example", "nouser@bounce.example", s6, NULL,
	            id) == 0,
	   "bounce: original queued");
	ok(log_entry(id, false, &e) == 0, "bounce: log written");
	is_int(mta_dsn_bounce(cfg, &sp, "incoming", id, newid, &err), 0,
	       "bounce: notice sent");
	ok(newid[0] && strcmp(newid, id) != 0, "bounce: a new queue id");
	ok(read_notice(newid, &n) == 0, "bounce: notice readable");
	is_str(n.sender, "", "bounce: null envelope sender");
	is_str(n.rcpt, "alice@remote.example", "bounce: to the sender");
	ok(has(&n, "type=multipart/report") &&
	           has(&n, "report-type=delivery-status") &&
	           has(&n, "parts=3") && has(&n, "defects=0"),
	   "bounce: multipart/report with three parts, no defects");
	ok(has(&n, "part=text/plain") &&
	           has(&n, "part=message/delivery-status") &&
	           has(&n, "part=message/rfc822"),
	   "bounce: the parts' types");
	ok(has(&n, "subject=Undelivered Mail Returned to Sender") &&
	           has(&n, "to=alice@remote.example") &&
	           has(&n, "auto=auto-replied") &&
	           has(&n, "header=Message-Id") && has(&n, "header=Received"),
	   "bounce: the notice's headers");
	ok(has(&n, "field=Reporting-MTA: dns; mx.test.example") &&
	           has(&n,
	               "field=X-Postfix-Sender: rfc822; alice@remote.example"),
	   "bounce: per-message fields");
	ok(has(&n, "field=Final-Recipient: rfc822; nouser@bounce.example") &&
	           has(&n, "field=Original-Recipient: "
	                   "rfc822;nouser@bounce.example") &&
	           has(&n, "field=Action: failed") &&
	           has(&n, "field=Status: 5.1.1") &&
	           has(&n, "field=Remote-MTA: dns; mx.bounce.example") &&
	           has(&n, "field=Diagnostic-Code: smtp; 550 5.1.1 no such "
	                   "user here"),
	   "bounce: per-recipient fields");
	ok(has(&n, "orig-subject=fixture S6 will hard-bounce") &&
	           has(&n,
	               "orig-body=.a line that starts with a dot|The body.|"),
	   "bounce: the original inside, dot line as is");
	ok(have_python ? strstr(n.facts, "<nouser@bounce.example>: host "
	                                 "mx.bounce.example said") != NULL
	               : true,
	   "bounce: the human part names the recipient and reason");
	ok(strstr(n.text.data, "X-Postfix-Queue-ID: ") &&
	           strstr(n.text.data, id),
	   "bounce: X-Postfix-Queue-ID is the original's id");
	mta_buf_release(&n.text);
	mta_buf_release(&err);
}

/* test_delay - a delay warning from the defer log, headers only */
static void
test_delay(void)
{
	char id[MTA_QID_SIZE], newid[MTA_QID_SIZE];
	struct mta_buf err = MTA_BUF_INIT(1024);
	struct mta_bounce_entry e = {
	        .recipient = "slow@far.example",
	        .status = "4.4.1",
	        .action = "delayed",
	        .reason = "connect to far.example[192.0.2.5]:25: refused"};
	struct notice n;

	original("alice@remote.example", "slow@far.example", s6, NULL, id);
	log_entry(id, true, &e);
	is_int(mta_dsn_delay(cfg, &sp, "incoming", id, newid, &err), 0,
	       "delay: warning sent");
	if (err.len)
		printf("# %s\n", err.data);
	ok(read_notice(newid, &n) == 0, "delay: readable");
	is_str(n.rcpt, "alice@remote.example", "delay: to the sender");
	ok(has(&n, "subject=Delayed Mail (still being retried)") &&
	           has(&n, "part=text/rfc822-headers") &&
	           has(&n, "orig-subject=fixture S6 will hard-bounce") &&
	           has(&n, "field=Action: delayed") &&
	           has(&n, "field=Status: 4.4.1") && has(&n, "defects=0"),
	   "delay: subject, delayed, headers only");
	ok(strstr(n.text.data, "Will-Retry-Until: ") &&
	           strstr(n.text.data, "delayed for 4.0 hours") &&
	           !strstr(n.text.data, "starts with a dot"),
	   "delay: retry date, the delay, no body");
	mta_buf_release(&n.text);
	mta_buf_release(&err);
}

/* test_double - a bounce of a bounce goes to the postmaster, once */
static void
test_double(void)
{
	char id[MTA_QID_SIZE], newid[MTA_QID_SIZE], id2[MTA_QID_SIZE];
	struct mta_buf err = MTA_BUF_INIT(1024);
	struct mta_bounce_entry e = {.recipient = "alice@remote.example",
	                             .status = "5.1.1",
	                             .reason = "no such user"};
	struct notice n;
	int before;

	original("", "alice@remote.example",
	         "Subject: Undelivered Mail Returned to Sender\n\nx\n", NULL,
	         id);
	log_entry(id, false, &e);
	is_int(mta_dsn_bounce(cfg, &sp, "incoming", id, newid, &err), 0,
	       "double: sent");
	ok(read_notice(newid, &n) == 0, "double: readable");
	is_str(n.sender, "double-bounce@test.example",
	       "double: from double_bounce_sender");
	is_str(n.rcpt, "postmaster@test.example", "double: to the postmaster");
	ok(has(&n, "subject=Postmaster Copy: Undelivered Mail"),
	   "double: the postmaster's subject");
	mta_buf_release(&n.text);
	/* The double bounce bounces: only logged, nothing queued. */
	original("double-bounce", "postmaster@test.example", "Subject: x\n\n",
	         NULL, id2);
	log_entry(id2, false, &e);
	before = count_incoming();
	is_int(mta_dsn_bounce(cfg, &sp, "incoming", id2, newid, &err), 0,
	       "double of double: done");
	is_str(newid, "", "double of double: no notice");
	is_int(count_incoming(), before, "double of double: nothing queued");
	mta_buf_release(&err);
}

/* test_big - over bounce_size_limit, or RET=HDRS: headers only */
static void
test_big(void)
{
	char id[MTA_QID_SIZE], newid[MTA_QID_SIZE];
	struct mta_buf err = MTA_BUF_INIT(1024), text = MTA_BUF_INIT(1 << 20);
	struct mta_bounce_entry e = {.recipient = "nouser@bounce.example",
	                             .status = "5.1.1",
	                             .reason = "gone"};
	struct notice n;

	mta_buf_adds(&text, "Subject: a big one\n\n");
	for (int i = 0; i < 1000; i++)
		mta_buf_adds(&text, "0123456789012345678901234567890123456789"
		                    "012345678901234567890123456789 BIGBODY\n");
	original("alice@remote.example", "nouser@bounce.example", text.data,
	         NULL, id);
	log_entry(id, false, &e);
	is_int(mta_dsn_bounce(cfg, &sp, "incoming", id, newid, &err), 0,
	       "big: sent");
	read_notice(newid, &n);
	ok(has(&n, "part=text/rfc822-headers") &&
	           has(&n, "orig-subject=a big one") &&
	           !strstr(n.text.data, "BIGBODY") &&
	           strstr(n.text.data, "Undelivered Message Headers"),
	   "big: headers only, no body");
	mta_buf_release(&n.text);
	original("alice@remote.example", "nouser@bounce.example", s6, "2", id);
	log_entry(id, false, &e);
	mta_dsn_bounce(cfg, &sp, "incoming", id, newid, &err);
	read_notice(newid, &n);
	ok(has(&n, "part=text/rfc822-headers") &&
	           !strstr(n.text.data, "The body."),
	   "RET=HDRS: headers only");
	mta_buf_release(&n.text);
	mta_buf_release(&text);
	mta_buf_release(&err);
}

/* test_hostile - CR LF in the log or the sender adds no header */
static void
test_hostile(void)
{
	char id[MTA_QID_SIZE], newid[MTA_QID_SIZE], longr[400];
	struct mta_buf err = MTA_BUF_INIT(1024);
	struct mta_bounce_entry e = {
	        .recipient = "nouser@bounce.example\r\nBcc: x@y",
	        .status = "5.1.1\r\nBcc: x@y",
	        .diag_type = "smtp",
	        .diag_text = "550 bad\r\nBcc: x@y",
	        .reason = "bad\r\nBcc: x@y"};
	struct notice n;

	original("alice@remote.example", "nouser@bounce.example", s6, NULL, id);
	log_entry(id, false, &e);
	memset(longr, 'w', sizeof(longr) - 1);
	longr[sizeof(longr) - 1] = '\0';
	for (size_t i = 7; i < sizeof(longr) - 1; i += 8)
		longr[i] = ' ';
	e = (struct mta_bounce_entry){.recipient = "two@bounce.example",
	                              .status = "5.0.0",
	                              .reason = longr};
	log_entry(id, false, &e);
	is_int(mta_dsn_bounce(cfg, &sp, "incoming", id, newid, &err), 0,
	       "hostile: sent");
	read_notice(newid, &n);
	ok((!have_python || !has(&n, "header=Bcc")) && has(&n, "defects=0") &&
	           has(&n, "parts=3"),
	   "hostile: no Bcc header, still well formed");
	ok(have_python ? strstr(n.facts, "field=Bcc") == NULL : true,
	   "hostile: no Bcc field in the report");
	ok(has(&n, "field=Status: 5.0.0"), "hostile: bad status replaced");
	{
		char want[600];

		snprintf(want, sizeof(want), "field=Diagnostic-Code: X-mta; %s",
		         longr);
		ok(has(&n, want), "hostile: a long reason folded, not cut");
	}
	mta_buf_release(&n.text);
	/* CR LF in the envelope sender: the To: header stays one line. */
	original("alice@remote.example\r\nBcc: x@y", "nouser@bounce.example",
	         s6, NULL, id);
	e = (struct mta_bounce_entry){.recipient = "nouser@bounce.example",
	                              .status = "5.1.1",
	                              .reason = "gone"};
	log_entry(id, false, &e);
	is_int(mta_dsn_bounce(cfg, &sp, "incoming", id, newid, &err), 0,
	       "hostile sender: sent");
	read_notice(newid, &n);
	ok((!have_python || !has(&n, "header=Bcc")) && has(&n, "parts=3") &&
	           !strstr(n.text.data, "\nBcc:"),
	   "hostile sender: no Bcc header");
	mta_buf_release(&n.text);
	mta_buf_release(&err);
}

/* test_never - NOTIFY=NEVER: no notice; a missing message: an error */
static void
test_never(void)
{
	char id[MTA_QID_SIZE], newid[MTA_QID_SIZE];
	struct mta_buf err = MTA_BUF_INIT(1024);
	struct mta_bounce_entry e = {.recipient = "nouser@bounce.example",
	                             .notify_flags = 1,
	                             .reason = "gone"};

	original("alice@remote.example", "nouser@bounce.example", s6, NULL, id);
	log_entry(id, false, &e);
	is_int(mta_dsn_bounce(cfg, &sp, "incoming", id, newid, &err), 0,
	       "never: done");
	is_str(newid, "", "never: no notice");
	is_int(mta_dsn_bounce(cfg, &sp, "incoming", "ABCDEF12345", newid, &err),
	       -1, "missing original: an error");
	ok(strstr(mta_buf_str(&err), "ABCDEF12345") != NULL,
	   "missing original: the reason names it");
	mta_buf_release(&err);
}

/* test_postcat - Postfix's postcat reads a notice */
static void
test_postcat(void)
{
	char id[MTA_QID_SIZE], newid[MTA_QID_SIZE], cmd[2048];
	static char out[65536];
	struct mta_buf err = MTA_BUF_INIT(1024);
	struct mta_bounce_entry e = {.recipient = "nouser@bounce.example",
	                             .status = "5.1.1",
	                             .reason = "gone"};
	FILE *p;
	size_t got;

	if (access("/usr/sbin/postcat", X_OK) != 0) {
		printf("ok %d # skip postcat not installed (test peer)\n",
		       ++tap_count);
		return;
	}
	original("alice@remote.example", "nouser@bounce.example", s6, NULL, id);
	log_entry(id, false, &e);
	mta_dsn_bounce(cfg, &sp, "incoming", id, newid, &err);
	snprintf(cmd, sizeof(cmd), "/usr/sbin/postcat %s/incoming/%s 2>&1", dir,
	         newid);
	p = popen(cmd, "r");
	got = p ? fread(out, 1, sizeof(out) - 1, p) : 0;
	out[got] = '\0';
	if (p)
		pclose(p);
	ok(strstr(out, "recipient: alice@remote.example\n") &&
	           strstr(out,
	                  "Subject: Undelivered Mail Returned to Sender\n") &&
	           strstr(out, "Content-Type: message/delivery-status\n") &&
	           strstr(out, "*** MESSAGE FILE END") &&
	           !strstr(out, "warning"),
	   "postcat reads the notice");
	mta_buf_release(&err);
}

/* setup - the scratch spool, the checker script */
static void
setup(void)
{
	const char *sub[] = {"incoming", "bounce", "defer", "etc"};
	struct mta_buf err = MTA_BUF_INIT(256);
	char path[1024];
	FILE *fp;

	setenv("TZ", "UTC", 1);
	tzset();
	ok(mkdtemp(dir) != NULL, "scratch spool");
	for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, sub[i]);
		mkdir(path, 0700);
	}
	mta_spool_open(&sp, dir, "deferred defer", 1, false, &err);
	snprintf(path, sizeof(path), "%s/check.py", dir);
	fp = fopen(path, "w");
	fputs(checker, fp);
	fclose(fp);
	have_python = system("python3 -c 'import email' 2>/dev/null") == 0;
	if (!have_python)
		printf("# python3 missing: MIME checks are skipped\n");
	mta_buf_release(&err);
}

int
main(void)
{
	char cmd[1200];

	setup();
	load("");
	test_bounce();
	test_delay();
	test_double();
	load("bounce_size_limit = 5000");
	test_big();
	load("");
	test_hostile();
	test_never();
	test_postcat();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ok(system(cmd) == 0, "clean up");
	mta_config_free(cfg);
	mta_spool_close(&sp);
	return done_testing();
}
