/* config - main.cf reading, expansion, typed values, check and edit. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "tap.h"

static char dir[] = "/tmp/mta-config-test.XXXXXX";
static char path[256];

/* write_main - replace main.cf with text */
static void
write_main(const char *text)
{
	FILE *fp = fopen(path, "w");

	fputs(text, fp);
	fclose(fp);
}

/* load - main.cf from text; NULL and the error in err */
static struct mta_config *
load(const char *text, int flags, struct mta_buf *err)
{
	write_main(text);
	mta_buf_clear(err);
	return mta_config_load_flags(dir, flags, err);
}

/* slurp - the file's text (static buffer) */
static const char *
slurp(void)
{
	static char text[8192];
	FILE *fp = fopen(path, "r");
	size_t n = fread(text, 1, sizeof(text) - 1, fp);

	text[n] = '\0';
	fclose(fp);
	return text;
}

/* test_syntax - lines, continuation, comments, errors */
static void
test_syntax(void)
{
	struct mta_buf err = MTA_BUF_INIT(4096);
	struct mta_config *cfg;

	cfg = load("# c\nrelayhost=nospace\nmydestination = a,\n  b\n# mid\n\tc\n"
		   "luser_relay   =   x y   \nrelayhost = second\n", 0, &err);
	ok(cfg != NULL, "loads");
	is_str(mta_config_raw(cfg, "mydestination"), "a,  b\tc", "continuation joined as written");
	is_str(mta_config_raw(cfg, "luser_relay"), "x y", "value trimmed");
	is_str(mta_config_raw(cfg, "relayhost"), "second", "last entry wins");
	is_int(mta_config_lineno(cfg, "relayhost"), 8, "its line");
	ok(mta_config_raw(cfg, "myorigin") == NULL, "raw: not set");
	is_str(mta_config_str(cfg, "myorigin"), mta_config_str(cfg, "myhostname"), "default expanded");
	ok(mta_config_str(cfg, "no_such_thing") == NULL, "unknown and unset: NULL");
	mta_config_free(cfg);

	cfg = load("\n\nrelayhost = first\n", 0, &err);
	ok(cfg && strcmp(mta_config_raw(cfg, "relayhost"), "first") == 0,
	   "empty lines before the first entry");
	mta_config_free(cfg);
	cfg = load("relayhost = x\nbroken line\n", 0, &err);
	ok(cfg == NULL, "a line without '=' is an error");
	ok(strstr(err.data, "main.cf, line 2") && strstr(err.data, "missing '='"),
	   "with file and line");
	cfg = load("bad-name = 1\n", 0, &err);
	ok(cfg == NULL && strstr(err.data, "bad parameter name"), "bad name");
	cfg = load("smtpd_recipient_limit = lots\n", 0, &err);
	ok(cfg == NULL && strstr(err.data, "line 1: smtpd_recipient_limit"),
	   "a bad value fails a strict load");
	cfg = load("smtpd_recipient_limit = lots\n", MTA_CONFIG_NO_VALIDATE, &err);
	ok(cfg != NULL, "but not with NO_VALIDATE");
	is_int(mta_config_int(cfg, "smtpd_recipient_limit"), 1000, "a bad int gives the default");
	mta_config_free(cfg);
	unlink(path);
	mta_buf_clear(&err);
	ok(mta_config_load(dir, &err) == NULL && strstr(err.data, "No such file"),
	   "missing main.cf is an error");
	cfg = mta_config_load_flags(dir, MTA_CONFIG_MISSING_OK, &err);
	ok(cfg && !mta_config_exists(cfg), "unless MISSING_OK");
	mta_config_free(cfg);
	mta_buf_release(&err);
}

/* test_long_line - the line limit is an error, not a crash */
static void
test_long_line(void)
{
	struct mta_buf err = MTA_BUF_INIT(4096);
	size_t n = MTA_CONFIG_LINE_MAX + 100;
	char *text = malloc(n + 20);
	struct mta_config *cfg;

	memcpy(text, "relayhost = ", 12);
	memset(text + 12, 'x', n);
	strcpy(text + 12 + n, "\n");
	cfg = load(text, 0, &err);
	ok(cfg == NULL && strstr(err.data, "longer than"), "too long a line");
	free(text);
	mta_buf_release(&err);
}

/* test_expand - every form of reference */
static void
test_expand(void)
{
	struct mta_buf err = MTA_BUF_INIT(4096), out = MTA_BUF_INIT(4096);
	struct mta_config *cfg;

	cfg = load("myhostname = host.example.com\n"
		   "a = [$myhostname] [${mydomain}] [$(mail_name)]\n"
		   "b = ${relayhost?set}${relayhost:unset} ${myhostname?yes}${myhostname:no}\n"
		   "c = ${myhostname?{ both }:{neither}} ${relayhost?{x}:{ y }}\n"
		   "d = $$notref $undefined_here.\n"
		   "e = ${mail_name?a:b}\n", 0, &err);
	ok(cfg != NULL, "loads");
	is_str(mta_config_str(cfg, "a"), "[host.example.com] [example.com] [mta]", "$x ${x} $(x)");
	is_str(mta_config_str(cfg, "b"), "unset yes", "?: forms");
	is_str(mta_config_str(cfg, "c"), "both y", "Postfix 3 brace forms, trimmed");
	is_str(mta_config_str(cfg, "d"), "$notref .", "$$ and an undefined name");
	is_str(mta_config_str(cfg, "e"), "a:b", "plain text after ? keeps its ':'");
	ok(mta_config_expand(cfg, "${myhostname", &out, &err) < 0, "unclosed ${");
	mta_buf_clear(&err);
	ok(mta_config_expand(cfg, "cost $ 5", &out, &err) < 0 && strstr(err.data, "$$"),
	   "a lone '$' is an error that says to write $$");
	ok(mta_config_expand(cfg, "${{a} == {b}}", &out, &err) < 0, "${{ }} unsupported");
	ok(mta_config_expand(cfg, "${myhostname?{x}y}", &out, &err) < 0, "junk after braces");
	/* found by the maincf fuzzer: the second branch missing at the end */
	ok(mta_config_expand(cfg, "${myhostname?{x}:", &out, &err) < 0,
	   "a ':' and no second branch: an error, not a read past the end");
	ok(mta_config_expand(cfg, "${myhostname?{x}:}", &out, &err) < 0,
	   "an empty second branch before '}'");
	mta_config_set(cfg, "myhostname", "other.example.org");
	is_str(mta_config_str(cfg, "mydomain"), "example.org", "set drops the cache");
	mta_config_free(cfg);

	cfg = load("a = $b\nb = ${c}\nc = x $a\n", MTA_CONFIG_NO_VALIDATE, &err);
	is_str(mta_config_str(cfg, "a"), "", "a loop gives an empty value...");
	ok(strstr(mta_config_error(cfg), "refers to itself") != NULL, "...and an error");
	mta_buf_clear(&out);
	mta_buf_clear(&err);
	ok(mta_config_expand(cfg, "$c", &out, &err) < 0, "loop through expand");
	mta_config_free(cfg);
	cfg = load("myorigin = $myorigin\n", 0, &err);
	ok(cfg == NULL && strstr(err.data, "myorigin"), "a loop in a known parameter fails the load");
	cfg = load("a = $a$a$a$a$a$a$a$a$a$a\nb=$a$a$a$a$a$a$a$a\n", MTA_CONFIG_NO_VALIDATE, &err);
	is_str(mta_config_str(cfg, "b"), "", "self reference");
	mta_config_free(cfg);
	mta_buf_release(&err);
	mta_buf_release(&out);
}

/* test_growth - exponential expansion is bounded */
static void
test_growth(void)
{
	struct mta_buf err = MTA_BUF_INIT(4096);
	struct mta_config *cfg;
	char text[4096] = "v0 = xxxxxxxxxxxxxxxx\n";

	for (int i = 1; i < 30; i++) {
		char line[128];

		snprintf(line, sizeof(line), "v%d = $v%d$v%d$v%d\n", i, i - 1, i - 1, i - 1);
		strcat(text, line);
	}
	cfg = load(text, MTA_CONFIG_NO_VALIDATE, &err);
	is_str(mta_config_str(cfg, "v29"), "", "too long an expansion is refused");
	ok(strstr(mta_config_error(cfg), "longer than") != NULL, "and says why");
	mta_config_free(cfg);
	mta_buf_release(&err);
}

/* test_types - booleans, times, sizes, machine defaults */
static void
test_types(void)
{
	struct mta_buf err = MTA_BUF_INIT(4096);
	struct mta_config *cfg;
	char host[256];

	cfg = load("soft_bounce = yes\nmaximal_queue_lifetime = 2\n"
		   "minimal_backoff_time = 1m\nmessage_size_limit = 20480000\n"
		   "delay_warning_time = 4\nmailbox_size_limit = 0\n", 0, &err);
	ok(cfg != NULL, "loads");
	ok(mta_config_bool(cfg, "soft_bounce"), "bool");
	ok(mta_config_bool(cfg, "smtpd_delay_reject"), "bool default");
	is_int(mta_config_time(cfg, "maximal_queue_lifetime"), 2 * 86400, "bare number in days");
	is_int(mta_config_time(cfg, "delay_warning_time"), 4 * 3600, "bare number in hours");
	is_int(mta_config_time(cfg, "minimal_backoff_time"), 60, "minutes");
	is_int(mta_config_time(cfg, "maximal_backoff_time"), 4000, "default time");
	ok(mta_config_size(cfg, "message_size_limit") == 20480000LL, "size");
	is_int(mta_config_int(cfg, "qmgr_message_active_limit"), 20000, "int default");
	is_int(mta_config_int(cfg, "smtp_destination_concurrency_limit"), 20,
	       "int default through $default_destination_concurrency_limit");
	gethostname(host, sizeof(host));
	ok(strchr(mta_config_str(cfg, "myhostname"), '.') != NULL, "myhostname is qualified");
	ok(strncmp(mta_config_str(cfg, "myhostname"), host, strlen(host)) == 0 ||
		   strchr(host, '.'), "and starts with the host name");
	is_str(mta_config_str(cfg, "config_directory"), dir, "config_directory is where we read");
	mta_config_free(cfg);
	cfg = load("myhostname = mail\n", 0, &err);
	is_str(mta_config_str(cfg, "mydomain"), "localdomain", "mydomain of a one-label name");
	mta_config_free(cfg);
	/* found by the maincf fuzzer: each default asked for the other */
	cfg = load("myhostname = host.$mydomain\n", 0, &err);
	is_str(mta_config_str(cfg, "mydomain"), "localdomain",
	       "myhostname refers to an unset mydomain: no endless recursion");
	is_str(mta_config_str(cfg, "myhostname"), "host.localdomain",
	       "and myhostname gets localdomain");
	mta_config_free(cfg);
	mta_buf_release(&err);
}

struct findings {
	int errors, warnings;
	char text[8192];
};

/* collect - mta_config_check's report function */
static void
collect(void *ctx, int level, const char *text)
{
	struct findings *f = ctx;

	if (level == MTA_CONFIG_ERROR)
		f->errors++;
	else
		f->warnings++;
	strncat(f->text, text, sizeof(f->text) - strlen(f->text) - 2);
	strcat(f->text, "\n");
}

/* test_check - the seed's slips and the other findings */
static void
test_check(void)
{
	struct mta_buf err = MTA_BUF_INIT(4096);
	struct findings f = {0};
	struct mta_config *cfg;

	cfg = load("smtp_recipient_restrictions = permit_mynetworks\n"
		   "check_recipient_access = hash:/etc/postfix/access\n"
		   "smtpd_recipient_restrictions = permit_mynetworks,\n"
		   "  hash:/etc/postfix/access, reject_unauth_destination\n"
		   "maps_rbl_domains = blackholes.mail-abuse.org\n"
		   "smtpd_recipent_limit = 150\n"
		   "my_nets = 10.0.0.0/8\nmynetworks = $my_nets\n"
		   "hopcount_limit = 0\nrelayhost = a\nrelayhost = b\n"
		   "smtpd_banner = $nothere\n", MTA_CONFIG_NO_VALIDATE, &err);
	is_int(mta_config_check(cfg, collect, &f), 3, "three errors");
	ok(strstr(f.text, "smtpd_recipient_restrictions (smtpd, with a d)") != NULL,
	   "smtp_recipient_restrictions: says smtpd");
	ok(strstr(f.text, "put \"check_recipient_access hash:/etc/postfix/access\" inside smtpd_recipient_restrictions"),
	   "check_recipient_access as a parameter: says where it goes");
	ok(strstr(f.text, "read as \"check_recipient_access hash:/etc/postfix/access\""),
	   "bare table noted");
	ok(strstr(f.text, "maps_rbl_domains alone blocks nothing"), "lone maps_rbl_domains");
	ok(strstr(f.text, "did you mean smtpd_recipient_limit?"), "did you mean");
	ok(strstr(f.text, "my_nets") == NULL, "a name used as $name is not unknown");
	ok(strstr(f.text, "line 9: hopcount_limit") != NULL, "bad value with its line");
	ok(strstr(f.text, "relayhost is set 2 times") != NULL, "duplicate");
	ok(strstr(f.text, "$nothere in smtpd_banner") != NULL, "undefined name");
	mta_config_free(cfg);
	mta_buf_release(&err);
}

/* test_edit - -e and -# keep comments and order */
static void
test_edit(void)
{
	struct mta_buf err = MTA_BUF_INIT(4096);
	char *set[] = {"relayhost = [new]:25", "mydestination=d1, d2", "luser_relay=lu"};
	char *comment[] = {"myorigin"};

	write_main("# head\nrelayhost = a\n# mid\nmydestination = x,\n  y\n# in\n\n  z\n"
		   "relayhost = b\nmyorigin = q\n   more");
	ok(mta_config_edit(path, set, 3, 0, &err) == 0, "edit");
	is_str(slurp(), "# head\nrelayhost = [new]:25\n# mid\nmydestination = d1, d2\n# in\n\n"
			"relayhost = [new]:25\nmyorigin = q\n   more\nluser_relay = lu\n",
	       "values replaced in place, continuations dropped, new names appended");
	ok(mta_config_edit(path, comment, 1, MTA_CONFIG_EDIT_COMMENT, &err) == 0, "comment out");
	ok(strstr(slurp(), "#myorigin = q\n#   more\n") != NULL, "with its continuation");
	ok(mta_config_edit(path, set, 1, MTA_CONFIG_EDIT_COMMENT, &err) < 0,
	   "-# wants bare names");
	unlink(path);
	ok(mta_config_edit(path, set, 1, 0, &err) < 0, "a missing main.cf is an error");
	mta_buf_release(&err);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/main.cf", dir);
	test_syntax();
	test_long_line();
	test_expand();
	test_growth();
	test_types();
	test_check();
	test_edit();
	unlink(path);
	rmdir(dir);
	return done_testing();
}
