/* param - the parameter table: order, lookups, conversions, checks. */
#include <string.h>

#include "buf.h"
#include "param.h"
#include "tap.h"

/* test_table - sorted (bsearch needs it), complete, well-formed */
static void
test_table(void)
{
	int sorted = 1, described = 1, typed_defaults = 1;
	struct mta_buf err = MTA_BUF_INIT(4096);

	for (size_t i = 1; i < mta_param_count; i++)
		if (strcmp(mta_param_table[i - 1].name,
			   mta_param_table[i].name) >= 0)
			sorted = 0;
	for (size_t i = 0; i < mta_param_count; i++) {
		const struct mta_param *p = &mta_param_table[i];

		if (p->desc == NULL || *p->desc == '\0')
			described = 0;
		mta_buf_clear(&err);
		if (strchr(p->def, '$') == NULL && mta_param_check(p, p->def, &err) < 0) {
			typed_defaults = 0;
			printf("# bad default: %s: %s\n", p->name, err.data);
		}
	}
	ok(sorted, "the table is sorted by name");
	ok(described, "every parameter has a description");
	ok(typed_defaults, "every literal default passes its own check");
	ok(mta_param_count > 150, "the table is not a stub");
	mta_buf_release(&err);
	for (size_t i = 1; i < mta_param_postfix_count; i++)
		if (strcmp(mta_param_postfix_names[i - 1],
			   mta_param_postfix_names[i]) >= 0)
			sorted = 0;
	ok(sorted, "the Postfix name list is sorted");
}

/* test_lookup - find, Postfix names, suggestions */
static void
test_lookup(void)
{
	const struct mta_param *p = mta_param_find("smtpd_recipient_limit");

	ok(p && p->type == MTA_PARAM_INT, "smtpd_recipient_limit is an integer");
	is_str(p ? p->def : NULL, "1000", "with Postfix's default");
	ok(mta_param_find("mta_resolver_servers") &&
		   (mta_param_find("mta_resolver_servers")->flags & MTA_PARAM_EXT),
	   "mta_resolver_servers is marked as our extension");
	ok(mta_param_find("nonexistent_thing") == NULL, "unknown name: NULL");
	ok(mta_param_find("2bounce_notice_recipient") != NULL, "first entry found");
	ok(mta_param_postfix_knows("smtpd_tls_cert_file"), "Postfix knows smtpd_tls_cert_file");
	ok(!mta_param_postfix_knows("smtp_recipient_restrictions"), "but not the seed's slip");
	is_str(mta_param_suggest("smtp_recipient_restrictions"),
	       "smtpd_recipient_restrictions", "the slip gets a suggestion");
	is_str(mta_param_suggest("myhostnam"), "myhostname", "one letter off");
	ok(mta_param_suggest("completely_different_words_here") == NULL,
	   "nothing close: no suggestion");
	is_str(mta_param_find("config_directory")->def, "/etc/mta", "our config dir");
	is_str(mta_param_find("alias_maps")->def, "hash:/etc/aliases", "alias_maps like Postfix");
}

/* test_convert - times, numbers, booleans */
static void
test_convert(void)
{
	long long v = -1;
	bool b = false;

	ok(mta_param_parse_time("300s", 's', &v) == 0 && v == 300, "300s");
	ok(mta_param_parse_time("5d", 's', &v) == 0 && v == 5 * 86400, "5d");
	ok(mta_param_parse_time("2w", 's', &v) == 0 && v == 14 * 86400, "2w");
	ok(mta_param_parse_time("10m", 's', &v) == 0 && v == 600, "10m");
	ok(mta_param_parse_time("3", 'h', &v) == 0 && v == 3 * 3600, "bare number in the default unit");
	ok(mta_param_parse_time("3x", 's', &v) < 0, "bad unit");
	ok(mta_param_parse_time("3ss", 's', &v) < 0, "two units");
	ok(mta_param_parse_time("-3s", 's', &v) < 0, "negative");
	ok(mta_param_parse_time("99999999999999999999d", 's', &v) < 0, "overflow");
	ok(mta_param_parse_int("150", &v) == 0 && v == 150, "int");
	ok(mta_param_parse_int("15 0", &v) < 0, "int with junk");
	ok(mta_param_parse_int("", &v) < 0, "empty int");
	ok(mta_param_parse_bool("YES", &b) == 0 && b, "YES");
	ok(mta_param_parse_bool("no", &b) == 0 && !b, "no");
	ok(mta_param_parse_bool("true", &b) < 0, "true is not Postfix's");
}

/* test_check - type and bounds checks with their messages */
static void
test_check(void)
{
	struct mta_buf err = MTA_BUF_INIT(4096);
	const struct mta_param *code = mta_param_find("reject_code");
	const struct mta_param *nl = mta_param_find("smtpd_forbid_bare_newline");
	const struct mta_param *inet = mta_param_find("inet_protocols");
	const struct mta_param *backoff = mta_param_find("minimal_backoff_time");

	ok(mta_param_check(code, "550", &err) == 0, "reply code in range");
	ok(mta_param_check(code, "250", &err) < 0, "reply code below 400");
	ok(strstr(err.data, "minimum 400") != NULL, "message says the minimum");
	mta_buf_clear(&err);
	ok(mta_param_check(code, "600", &err) < 0 && strstr(err.data, "maximum 599"),
	   "above 599");
	ok(mta_param_check(nl, "reject", &err) == 0, "enum word");
	ok(mta_param_check(nl, "sometimes", &err) < 0, "not an enum word");
	ok(mta_param_check(nl, "reject no", &err) < 0, "one word only");
	ok(mta_param_check(inet, "ipv4, ipv6", &err) == 0, "list enum");
	ok(mta_param_check(inet, "ipv5", &err) < 0, "bad list enum");
	ok(mta_param_check(backoff, "0s", &err) < 0, "time below its minimum");
	ok(mta_param_check(backoff, "1h", &err) == 0, "time ok");
	mta_buf_clear(&err);
	ok(mta_param_check(mta_param_find("soft_bounce"), "maybe", &err) < 0 &&
		   strstr(err.data, "yes or no"), "bool message");
	mta_buf_release(&err);
}

int
main(void)
{
	test_table();
	test_lookup();
	test_convert();
	test_check();
	return done_testing();
}
