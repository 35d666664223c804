/*
 * Unit tests for lib/restrict: relay control against the classic relay
 * tricks, every restriction and access-table action, the lookup orders
 * of access(5), smtpd_delay_reject, soft_bounce, restriction classes,
 * warn_if_reject / defer_if_*, local_recipient_maps, bad configurations
 * (451 4.3.5) and the log lines. DNS-based checks: restrict_dns.c.
 */
#include "restrict_tools.h"

#define DENIED(x) "554 5.7.1 <" x ">: Relay access denied"

/* Every classic trick from a stranger, for a foreign final hop. */
static void
test_relay_tricks(void)
{
	static const char *tricks[] = {
		"user@elsewhere.test", "user@ELSEWHERE.TEST",
		"user@elsewhere.test.", "user%elsewhere.test@ours.test",
		"user%elsewhere.test", "elsewhere.test!user",
		"elsewhere.test!user@ours.test", "user@elsewhere.test@ours.test",
		"@ours.test:user@elsewhere.test",
		"@ours.test,@mx.ours.test:user@elsewhere.test",
		"user@[192.0.2.99]", "user@[127.0.0.1]", "user@[IPv6:::1]",
		"user@ours.test@elsewhere.test", "user@ours.test.elsewhere.test",
		"user@sub.ours.test", "user@ours.test..", "user@relay.test.evil",
		"user@evilrelay.test", "user%ours.test@elsewhere.test",
		"user%elsewhere.test%ours.test@ours.test",
		"elsewhere.test!user%ours.test@ours.test",
		"user@elsewhere.test%ours.test@ours.test", "user@",
		"user@ours.test\r\n@elsewhere.test", "\"user\"@elsewhere.test",
		"user@ours.test:elsewhere.test", "user@.ours.test",
	};
	char want[600];

	setup("");
	for (size_t i = 0; i < sizeof(tricks) / sizeof(tricks[0]); i++) {
		char what[300];

		snprintf(want, sizeof(want), "554 5.7.1 <%s>: Relay access denied",
			 tricks[i]);
		for (char *p = want; *p; p++)
			if (*p == '\r' || *p == '\n')
				*p = '?';
		snprintf(what, sizeof(what), "relay trick refused: %s", tricks[i]);
		for (char *p = what; *p; p++)
			if (*p == '\r' || *p == '\n')
				*p = '?';
		is_str(rcpt(tricks[i]), want, what);
	}
	setup("allow_percent_hack = no\nswap_bangpath = no");
	is_str(rcpt("user%elsewhere.test@ours.test"),
	       DENIED("user%elsewhere.test@ours.test"),
	       "percent hack off: routed local part refused");
	is_str(rcpt("elsewhere.test!user@ours.test"),
	       DENIED("elsewhere.test!user@ours.test"),
	       "bang path off: routed local part refused");
}

/* What is ours passes; mynetworks relays. */
static void
test_relay_ours(void)
{
	static const char *ours[] = {
		"user@ours.test", "USER@OURS.TEST", "user@ours.test.",
		"user@mx.ours.test", "user@localhost", "user@relay.test",
		"user@sub.relay.test", "user", "user%ours.test@ours.test",
		"user@ours.test@ours.test", "postmaster", "PostMaster",
	};

	setup("");
	for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++) {
		char what[300];

		snprintf(what, sizeof(what), "ours accepted: %s", ours[i]);
		is_str(rcpt(ours[i]), "OK", what);
	}
	client("localhost", "127.0.0.1", "a@sender.test");
	is_str(rcpt("user@elsewhere.test"), "OK", "mynetworks relays");
	client("localhost", "::1", "a@sender.test");
	is_str(rcpt("user@elsewhere.test"), "OK", "mynetworks relays (IPv6)");
	ok(mta_restrict_mynetworks(R, "127.9.9.9"), "mynetworks: 127/8");
	ok(!mta_restrict_mynetworks(R, "192.0.2.1"), "mynetworks: not others");
	setup("parent_domain_matches_subdomains =");
	is_str(rcpt("user@sub.relay.test"), DENIED("user@sub.relay.test"),
	       "relay_domains without parent matching: subdomain refused");
	setup("relay_domains = .relay.test, [192.0.2.99]");
	is_str(rcpt("user@sub.relay.test"), "OK", ".domain in relay_domains");
	setup("mydestination = ours.test, [192.0.2.99]");
	is_str(rcpt("user@[192.0.2.99]"), "OK",
	       "an address literal written in mydestination is ours");
	setup("smtpd_relay_restrictions = permit_mynetworks, "
	      "defer_unauth_destination");
	is_str(rcpt("x@elsewhere.test"), "454 4.7.1 <x@elsewhere.test>: Relay "
	       "access denied", "defer_unauth_destination: 4xx");
	setup("soft_bounce = yes");
	is_str(rcpt("x@elsewhere.test"), "454 4.7.1 <x@elsewhere.test>: Relay "
	       "access denied", "soft_bounce turns 5xx into 4xx");
	setup("relay_domains_reject_code = 550");
	is_str(rcpt("x@elsewhere.test"), "550 5.7.1 <x@elsewhere.test>: Relay "
	       "access denied", "relay_domains_reject_code");
	setup("smtpd_relay_restrictions =\nsmtpd_recipient_restrictions = "
	      "permit_auth_destination, reject");
	is_str(rcpt("x@ours.test"), "OK", "permit_auth_destination: ours");
	is_str(rcpt("x@elsewhere.test"), "554 5.7.1 <x@elsewhere.test>: "
	       "Recipient address rejected: Access denied",
	       "permit_auth_destination: not ours falls through to reject");
}

/* The log line of a reject, in Postfix's shape. */
static void
test_log(void)
{
	setup("");
	log_mark();
	rcpt("x@elsewhere.test");
	is_int(logged("restrict.t: NOQUEUE: reject: RCPT from unknown[192.0.2.1]:"
		      " 554 5.7.1 <x@elsewhere.test>: Relay access denied; "
		      "from=<a@sender.test> to=<x@elsewhere.test> proto=ESMTP "
		      "helo=<client.example.org>\n"), 1, "reject log line");
	C.sender = NULL;
	C.helo = NULL;
	C.queue_id = "3F2A41C0D12";
	log_mark();
	rcpt("y@elsewhere.test");
	is_int(logged("3F2A41C0D12: reject: RCPT from unknown[192.0.2.1]: 554 "
		      "5.7.1 <y@elsewhere.test>: Relay access denied; "
		      "to=<y@elsewhere.test> proto=ESMTP\n"), 1,
	       "log: queue id, and only the fields that are known");
	struct mta_rst_verdict v = {MTA_RST_REJECT, 452, "4.5.3",
				    "Error: too many recipients", false, false,
				    ""};
	log_mark();
	mta_restrict_log(&C, "RCPT", "reject", &v);
	is_int(logged("3F2A41C0D12: reject: RCPT from unknown[192.0.2.1]: 452 "
		      "4.5.3 Error: too many recipients; proto=ESMTP\n"), 1,
	       "mta_restrict_log: smtpd's own verdicts");
}

/* Broken configurations fail closed with 451 4.3.5. */
static void
test_bad_config(void)
{
	setup("smtpd_relay_restrictions = permit_mynetworks\n"
	      "smtpd_recipient_restrictions = permit");
	is_str(rcpt("x@ours.test"), "451 4.3.5 Server configuration error",
	       "no relay guard in either list: 451 4.3.5");
	ok(logged("to prevent open relay problems") >= 1,
	   "no relay guard: warned at startup");
	setup("smtpd_recipient_restrictions = reject_nonsense_thing");
	is_str(rcpt("x@ours.test"), "451 4.3.5 Server configuration error",
	       "unknown restriction: 451 4.3.5");
	ok(logged("unknown smtpd restriction \"reject_nonsense_thing\"") >= 1,
	   "unknown restriction: warned");
	setup("smtpd_recipient_restrictions = check_recipient_access");
	is_str(rcpt("x@ours.test"), "451 4.3.5 Server configuration error",
	       "check_recipient_access without a table: 451 4.3.5");
	setup("smtpd_recipient_restrictions = check_recipient_access "
	      "texthash:/nonexistent/access");
	is_str(rcpt("x@ours.test"), "451 4.3.5 Server configuration error",
	       "a table that cannot be opened: 451 4.3.5");
	setup("smtpd_data_restrictions = texthash:/x");
	is_str(verdict(MTA_RST_DATA, "DATA"), "451 4.3.5 Server configuration "
	       "error", "a bare table in the data list: 451 4.3.5");
	setup("mynetworks = 10.0.0.1/8");
	is_str(rcpt("x@ours.test"), "451 4.3.5 Server configuration error",
	       "broken mynetworks: permit_mynetworks fails closed");
	setup("smtpd_restriction_classes = loop\nloop = loop");
	C.recipient = "x@ours.test";
	is_str(rcpt("x@ours.test"), "OK", "an unused looping class is harmless");
	setup("smtpd_restriction_classes = loop\nloop = loop\n"
	      "smtpd_recipient_restrictions = loop");
	is_str(rcpt("x@ours.test"), "451 4.3.5 Server configuration error",
	       "a class that names itself: 451 4.3.5, no hang");
}

/* Access table actions (access(5)). */
static void
test_actions(void)
{
	char cf[2048];
	const char *t = put("rcpt", "reject@ours.test REJECT\n"
			    "text@ours.test REJECT go away\n"
			    "dsn@ours.test REJECT 5.1.1 no such user\n"
			    "defer@ours.test DEFER\n"
			    "code@ours.test 550 not here\n"
			    "code4@ours.test 421 4.2.2 busy\n"
			    "ok@ours.test OK\nnum@ours.test 1234567\n"
			    "dunno@ours.test DUNNO\nrelay@ours.test RELAY\n"
			    "discard@ours.test DISCARD spam\n"
			    "hold@ours.test HOLD\nwarn@ours.test WARN look\n"
			    "pipe@ours.test reject_unauth_pipelining, permit\n"
			    "strict@ours.test strict\n"
			    "bogus@ours.test FOOBAR\n"
			    "table@ours.test hash:/etc/x\n"
			    "filter@ours.test FILTER smtp:[x]\n"
			    "dip@ours.test DEFER_IF_PERMIT later\n"
			    "dir2@ours.test DEFER_IF_REJECT maybe\n"
			    "empty@ours.test permit_mynetworks, reject\n");

	snprintf(cf, sizeof(cf), "smtpd_restriction_classes = strict\n"
		 "strict = reject_unauth_pipelining, reject\n"
		 "smtpd_recipient_restrictions = check_recipient_access "
		 "texthash:%s, permit", t);
	setup(cf);
	is_str(rcpt("reject@ours.test"), "554 5.7.1 <reject@ours.test>: "
	       "Recipient address rejected: Access denied", "REJECT");
	is_str(rcpt("text@ours.test"), "554 5.7.1 <text@ours.test>: Recipient "
	       "address rejected: go away", "REJECT text");
	is_str(rcpt("dsn@ours.test"), "554 5.1.1 <dsn@ours.test>: Recipient "
	       "address rejected: no such user", "REJECT with a status code");
	is_str(rcpt("defer@ours.test"), "450 4.7.1 <defer@ours.test>: "
	       "Recipient address rejected: Access denied", "DEFER");
	is_str(rcpt("code@ours.test"), "550 5.7.1 <code@ours.test>: Recipient "
	       "address rejected: not here", "5NN text");
	is_str(rcpt("code4@ours.test"), "421 4.2.2 <code4@ours.test>: "
	       "Recipient address rejected: busy", "4NN with status code");
	is_str(rcpt("ok@ours.test"), "OK", "OK");
	is_str(rcpt("num@ours.test"), "OK", "a number is OK");
	is_str(rcpt("relay@ours.test"), "OK", "RELAY");
	is_str(rcpt("dunno@ours.test"), "OK", "DUNNO: on to permit");
	log_mark();
	is_str(rcpt("warn@ours.test"), "OK", "WARN accepts");
	is_int(logged("NOQUEUE: warn: RCPT from unknown[192.0.2.1]: look; "), 1,
	       "WARN is logged");
	is_str(rcpt("hold@ours.test"), "OK HOLD", "HOLD");
	is_str(rcpt("ok@ours.test"), "OK HOLD", "HOLD stays for the message");
	is_str(verdict(MTA_RST_MAIL, "MAIL"), "OK", "a new MAIL forgets HOLD");
	log_mark();
	is_str(rcpt("discard@ours.test"), "OK DISCARD", "DISCARD");
	is_int(logged("discard: RCPT from unknown[192.0.2.1]: "
		      "<discard@ours.test>: Recipient address spam;"), 1,
	       "DISCARD is logged");
	is_str(rcpt("reject@ours.test"), "OK DISCARD",
	       "after DISCARD every recipient is taken (and dropped)");
	mta_restrict_reset_txn(&C);
	is_str(rcpt("pipe@ours.test"), "OK", "restriction list as a value");
	C.unauth_pipelining = true;
	is_str(rcpt("pipe@ours.test"), "503 5.5.0 <pipe@ours.test>: Recipient "
	       "address rejected: Improper use of SMTP command pipelining",
	       "reject_unauth_pipelining as a value");
	C.unauth_pipelining = false;
	is_str(rcpt("strict@ours.test"), "554 5.7.1 <strict@ours.test>: "
	       "Recipient address rejected: Access denied",
	       "restriction class as a value");
	is_str(rcpt("bogus@ours.test"), "451 4.3.5 Server configuration error",
	       "unknown action: 451 4.3.5");
	is_str(rcpt("table@ours.test"), "451 4.3.5 Server configuration error",
	       "a table inside an access value: 451 4.3.5");
	is_str(rcpt("filter@ours.test"), "451 4.3.5 Server configuration error",
	       "FILTER (not supported): 451 4.3.5");
	is_str(rcpt("dip@ours.test"), "450 4.7.1 <dip@ours.test>: Recipient "
	       "address rejected: later", "DEFER_IF_PERMIT then permit: 450");
	is_str(rcpt("dir2@ours.test"), "OK", "DEFER_IF_REJECT then permit: OK");
	is_str(rcpt("empty@ours.test"), "554 5.7.1 <empty@ours.test>: "
	       "Recipient address rejected: Access denied",
	       "\"permit_mynetworks, reject\" for a stranger");
	client("localhost", "127.0.0.1", "a@b.test");
	is_str(rcpt("empty@ours.test"), "OK",
	       "\"permit_mynetworks, reject\" for mynetworks");
	snprintf(cf, sizeof(cf), "smtpd_recipient_restrictions = "
		 "check_recipient_access texthash:%s, reject", t);
	setup(cf);
	is_str(rcpt("dir2@ours.test"), "450 4.7.1 <dir2@ours.test>: Recipient "
	       "address rejected: maybe", "DEFER_IF_REJECT then reject: 450");
	snprintf(cf, sizeof(cf), "soft_bounce = yes\nsmtpd_recipient_"
		 "restrictions = check_recipient_access texthash:%s", t);
	setup(cf);
	is_str(rcpt("dsn@ours.test"), "454 4.1.1 <dsn@ours.test>: Recipient "
	       "address rejected: no such user", "soft_bounce on a table's 5xx");
	snprintf(cf, sizeof(cf), "access_map_reject_code = 550\n"
		 "access_map_defer_code = 451\nsmtpd_recipient_restrictions = "
		 "check_recipient_access texthash:%s", t);
	setup(cf);
	is_str(rcpt("reject@ours.test"), "550 5.7.1 <reject@ours.test>: "
	       "Recipient address rejected: Access denied",
	       "access_map_reject_code");
	is_str(rcpt("defer@ours.test"), "451 4.7.1 <defer@ours.test>: "
	       "Recipient address rejected: Access denied",
	       "access_map_defer_code");
}

/* Domains of the lookup-order tests that we relay to. */
#define RELAY "relay_domains = blocked.test .blocked.test dotted.test " \
	".dotted.test\n"

/* The lookup orders of access(5). */
static void
test_orders(void)
{
	char cf[2048];
	const char *t = put("order", "blocked.test REJECT domain\n"
			    ".dotted.test REJECT dotted\n"
			    "userat@ REJECT localpart\n"
			    "ext@ours.test REJECT bare\n"
			    "ext+ok@ours.test OK\n"
			    "ext2@ REJECT bare localpart\n"
			    "full@blocked.test OK\n"
			    "<> REJECT null sender\n"
			    "bad@sender.test REJECT bad sender\n"
			    "192.0.2 REJECT net\n"
			    "2001:db8 REJECT net6\n"
			    "host.bad.test REJECT host\n"
			    "helo.bad REJECT helo\n");

	snprintf(cf, sizeof(cf), "recipient_delimiter = +\n%s"
		 "smtpd_recipient_restrictions = check_recipient_access "
		 "texthash:%s", RELAY, t);
	setup(cf);
	is_str(rcpt("x@blocked.test"), "554 5.7.1 <x@blocked.test>: Recipient "
	       "address rejected: domain", "domain key");
	is_str(rcpt("x@mx.Blocked.Test"), "554 5.7.1 <x@mx.Blocked.Test>: "
	       "Recipient address rejected: domain",
	       "parent domain (parent_domain_matches_subdomains)");
	is_str(rcpt("x@a.dotted.test"), "OK", ".domain keys are not used "
	       "with parent matching (access(5))");
	is_str(rcpt("full@blocked.test"), "OK", "user@domain before domain");
	is_str(rcpt("userat@ours.test"), "554 5.7.1 <userat@ours.test>: "
	       "Recipient address rejected: localpart", "user@ key");
	is_str(rcpt("ext+foo@ours.test"), "554 5.7.1 <ext+foo@ours.test>: "
	       "Recipient address rejected: bare", "extension stripped");
	is_str(rcpt("ext+ok@ours.test"), "OK", "full key before stripped");
	is_str(rcpt("ext2+x@ours.test"), "554 5.7.1 <ext2+x@ours.test>: "
	       "Recipient address rejected: bare localpart",
	       "user@ without the extension");
	is_str(rcpt("other@ours.test"), "OK", "nothing found: DUNNO");
	snprintf(cf, sizeof(cf), "parent_domain_matches_subdomains =\n%s"
		 "smtpd_recipient_restrictions = check_recipient_access "
		 "texthash:%s", RELAY, t);
	setup(cf);
	is_str(rcpt("x@mx.blocked.test"), "OK",
	       "no parent matching: subdomain not blocked");
	is_str(rcpt("x@a.dotted.test"), "554 5.7.1 <x@a.dotted.test>: Recipient"
	       " address rejected: dotted", ".domain still matches");
	snprintf(cf, sizeof(cf), "smtpd_sender_restrictions = "
		 "check_sender_access texthash:%s\nsmtpd_client_restrictions = "
		 "check_client_access texthash:%s\nsmtpd_helo_restrictions = "
		 "check_helo_access texthash:%s", t, t, t);
	setup(cf);
	client("unknown", "198.51.100.1", "");
	is_str(rcpt("x@ours.test"), "554 5.7.1 <>: Sender address rejected: "
	       "null sender", "null sender: smtpd_null_access_lookup_key");
	client("unknown", "198.51.100.1", "bad@sender.test");
	is_str(rcpt("x@ours.test"), "554 5.7.1 <bad@sender.test>: Sender "
	       "address rejected: bad sender", "sender access");
	client("unknown", "192.0.2.1", "a@b.test");
	is_str(rcpt("x@ours.test"), "554 5.7.1 <unknown[192.0.2.1]>: Client "
	       "host rejected: net", "client address prefix");
	client("unknown", "2001:db8::1", "a@b.test");
	is_str(rcpt("x@ours.test"), "554 5.7.1 <unknown[2001:db8::1]>: Client "
	       "host rejected: net6", "client IPv6 prefix");
	client("mx.host.bad.test", "198.51.100.1", "a@b.test");
	is_str(rcpt("x@ours.test"), "554 5.7.1 <mx.host.bad.test[198.51.100.1]>"
	       ": Client host rejected: host", "client name parent domain");
	client("unknown", "198.51.100.1", "a@b.test");
	C.helo = "x.helo.bad";
	is_str(rcpt("x@ours.test"), "554 5.7.1 <x.helo.bad>: Helo command "
	       "rejected: helo", "helo access");
	snprintf(cf, sizeof(cf), "smtpd_client_restrictions = texthash:%s", t);
	setup(cf);
	is_str(rcpt("x@ours.test"), "554 5.7.1 <unknown[192.0.2.1]>: Client "
	       "host rejected: net", "bare table in the client list");
	ok(logged("\"texthash:") >= 1 && logged("alone is taken as "
	   "\"check_client_access") >= 1, "bare table: the warning says so");
}

/* Built-in restrictions without DNS. */
static void
test_builtins(void)
{
	setup("smtpd_recipient_restrictions = reject_non_fqdn_recipient, "
	      "reject_non_fqdn_sender, reject_non_fqdn_helo_hostname, "
	      "reject_invalid_helo_hostname, defer_if_permit");
	client("unknown", "198.51.100.1", "a@b.test");
	is_str(rcpt("x"), "504 5.1.2 <x>: Recipient address rejected: need "
	       "fully-qualified address", "reject_non_fqdn_recipient");
	C.sender = "a@localhost";
	is_str(rcpt("x@ours.test"), "504 5.1.7 <a@localhost>: Sender address "
	       "rejected: need fully-qualified address",
	       "reject_non_fqdn_sender");
	C.sender = "";
	C.helo = "nodots";
	is_str(rcpt("x@ours.test"), "504 5.5.2 <nodots>: Helo command rejected:"
	       " need fully-qualified hostname", "reject_non_fqdn_helo_hostname");
	C.helo = "bad_name!.example.org";
	is_str(rcpt("x@ours.test"), "504 5.5.2 <bad_name!.example.org>: Helo "
	       "command rejected: need fully-qualified hostname",
	       "non-FQDN check sees a bad name first");
	C.helo = "[300.1.1.1]";
	is_str(rcpt("x@ours.test"), "501 5.5.2 <[300.1.1.1]>: Helo command "
	       "rejected: invalid ip address", "bad address literal");
	C.helo = "[192.0.2.1]";
	is_str(rcpt("x@ours.test"), "450 4.7.0 <x@ours.test>: Recipient "
	       "address rejected: defer_if_permit requested",
	       "good literal passes; defer_if_permit at the end");
	setup("smtpd_recipient_restrictions = reject_invalid_helo_hostname, "
	      "permit");
	C.helo = "bad..name";
	is_str(rcpt("x@ours.test"), "501 5.5.2 <bad..name>: Helo command "
	       "rejected: Invalid name", "reject_invalid_helo_hostname");
	C.helo = "nodots.";
	is_str(rcpt("x@ours.test"), "OK", "a single name is valid");
	setup("smtpd_recipient_restrictions = defer");
	is_str(rcpt("x@ours.test"), "450 4.3.2 <x@ours.test>: Recipient "
	       "address rejected: Try again later", "defer");
	setup("smtpd_recipient_restrictions = defer_if_reject, reject");
	is_str(rcpt("x@ours.test"), "450 4.7.0 <x@ours.test>: Recipient "
	       "address rejected: defer_if_reject requested", "defer_if_reject");
	setup("smtpd_recipient_restrictions = permit_sasl_authenticated, "
	      "reject");
	is_str(rcpt("x@ours.test"), "554 5.7.1 <x@ours.test>: Recipient "
	       "address rejected: Access denied",
	       "permit_sasl_authenticated never matches (no SASL)");
	setup("smtpd_client_restrictions = reject_unknown_client_hostname");
	is_str(rcpt("x@ours.test"), "450 4.7.25 Client host rejected: cannot "
	       "find your hostname, [192.0.2.1]", "reject_unknown_client_hostname");
	client("mx.example.org", "192.0.2.1", "a@b.test");
	is_str(rcpt("x@ours.test"), "OK", "a verified name passes");
	setup("smtpd_data_restrictions = reject_unauth_pipelining");
	is_str(verdict(MTA_RST_DATA, "DATA"), "OK", "DATA: no pipelining");
	C.unauth_pipelining = true;
	is_str(verdict(MTA_RST_DATA, "DATA"), "503 5.5.0 <DATA>: Data command "
	       "rejected: Improper use of SMTP command pipelining",
	       "DATA: reject_unauth_pipelining");
}

/* warn_if_reject, list order, delay_reject. */
static void
test_flow(void)
{
	setup("smtpd_recipient_restrictions = warn_if_reject, reject, "
	      "reject_unauth_destination");
	log_mark();
	is_str(rcpt("x@ours.test"), "OK", "warn_if_reject: accepted");
	is_int(logged("reject_warning: RCPT from unknown[192.0.2.1]: 554 5.7.1 "
		      "<x@ours.test>: Recipient address rejected: Access "
		      "denied;"), 1, "warn_if_reject: reject_warning logged");
	setup("smtpd_recipient_restrictions = warn_if_reject, permit, reject");
	is_str(rcpt("x@ours.test"), "OK", "warn_if_reject covers one only");
	setup("smtpd_client_restrictions = permit\n"
	      "smtpd_helo_restrictions = permit\n"
	      "smtpd_sender_restrictions = permit");
	is_str(rcpt("x@elsewhere.test"), DENIED("x@elsewhere.test"),
	       "a permit ends its own list only");
	setup("smtpd_client_restrictions = reject");
	is_str(verdict(MTA_RST_CONNECT, "CONNECT"), "OK",
	       "delay_reject: nothing at CONNECT");
	is_str(verdict(MTA_RST_HELO, "EHLO"), "OK", "delay_reject: nor at HELO");
	is_str(verdict(MTA_RST_MAIL, "MAIL"), "OK", "delay_reject: nor at MAIL");
	is_str(rcpt("x@ours.test"), "554 5.7.1 <unknown[192.0.2.1]>: Client "
	       "host rejected: Access denied", "delay_reject: at RCPT");
	log_mark();
	is_str(rcpt("y@ours.test"), "554 5.7.1 <unknown[192.0.2.1]>: Client "
	       "host rejected: Access denied", "delay_reject: every RCPT");
	is_int(logged("to=<y@ours.test>"), 1, "each RCPT reject is logged");
	setup("smtpd_delay_reject = no\nsmtpd_client_restrictions = reject");
	is_str(verdict(MTA_RST_CONNECT, "CONNECT"), "554 5.7.1 <unknown"
	       "[192.0.2.1]>: Client host rejected: Access denied",
	       "delay_reject = no: at CONNECT");
	setup("smtpd_delay_reject = no\nsmtpd_sender_restrictions = reject");
	is_str(verdict(MTA_RST_MAIL, "MAIL"), "554 5.7.1 <a@sender.test>: "
	       "Sender address rejected: Access denied",
	       "delay_reject = no: at MAIL");
	setup("smtpd_delay_reject = no\nsmtpd_client_restrictions = "
	      "defer_if_permit");
	is_str(verdict(MTA_RST_CONNECT, "CONNECT"), "OK",
	       "defer_if_permit at CONNECT waits");
	is_str(rcpt("x@ours.test"), "450 4.7.0 <unknown[192.0.2.1]>: Client "
	       "host rejected: defer_if_permit requested",
	       "and answers at RCPT");
}

/* The client list's verdict is kept: a WARN is logged once a session. */
static void
test_cache(void)
{
	char cf[1024];
	const char *t = put("warn", "192.0.2.1 WARN seen\n"
			    "s2@sender.test REJECT second\n");

	snprintf(cf, sizeof(cf), "smtpd_client_restrictions = "
		 "check_client_access texthash:%s\n"
		 "smtpd_sender_restrictions = check_sender_access texthash:%s",
		 t, t);
	setup(cf);
	log_mark();
	rcpt("x@ours.test");
	rcpt("y@ours.test");
	C.sender = "s1@sender.test";
	rcpt("z@ours.test");
	is_int(logged("warn: RCPT"), 1, "client list run once a session");
	C.sender = "s2@sender.test";
	is_str(rcpt("x@ours.test"), "554 5.7.1 <s2@sender.test>: Sender "
	       "address rejected: second", "sender list runs again for a new "
	       "sender");
	client("unknown", "192.0.2.1", "a@b.test");
	log_mark();
	rcpt("x@ours.test");
	is_int(logged("warn: RCPT"), 1, "a new session runs it again");
}

/* reject_unlisted_recipient and local_recipient_maps. */
static void
test_unlisted(void)
{
	char cf[1024];
	const char *t = put("users", "known x\n@catchall.ours.test x\n");

	snprintf(cf, sizeof(cf), "mydestination = ours.test, "
		 "catchall.ours.test\nrecipient_delimiter = +\n"
		 "local_recipient_maps = proxy:unix:passwd.byname texthash:%s", t);
	setup(cf);
	is_str(rcpt("root@ours.test"), "OK", "passwd user");
	is_str(rcpt("ROOT@ours.test"), "OK", "passwd user, any case");
	is_str(rcpt("known@ours.test"), "OK", "listed user");
	is_str(rcpt("known+ext@ours.test"), "OK", "extension stripped");
	is_str(rcpt("anyone@catchall.ours.test"), "OK", "@domain key");
	is_str(rcpt("nobody-here@ours.test"), "550 5.1.1 <nobody-here@ours."
	       "test>: Recipient address rejected: User unknown in local "
	       "recipient table", "unlisted: implicit reject");
	is_str(rcpt("x@relay.test"), "OK", "other domains are not checked");
	is_str(rcpt("postmaster"), "OK", "postmaster always");
	snprintf(cf, sizeof(cf), "smtpd_reject_unlisted_recipient = no\n"
		 "local_recipient_maps = texthash:%s", t);
	setup(cf);
	is_str(rcpt("nobody-here@ours.test"), "OK",
	       "smtpd_reject_unlisted_recipient = no");
	snprintf(cf, sizeof(cf), "smtpd_reject_unlisted_recipient = no\n"
		 "local_recipient_maps = texthash:%s\n"
		 "smtpd_recipient_restrictions = reject_unlisted_recipient", t);
	setup(cf);
	is_str(rcpt("nobody-here@ours.test"), "550 5.1.1 <nobody-here@ours."
	       "test>: Recipient address rejected: User unknown in local "
	       "recipient table", "explicit reject_unlisted_recipient");
	setup("local_recipient_maps = hash:/nonexistent/aliases");
	is_str(rcpt("x@ours.test"), "451 4.3.0 <x@ours.test>: Temporary lookup "
	       "failure", "a map that cannot be opened: 451 4.3.0");
	is_str(rcpt("x@relay.test"), "OK", "but only for our domains");
}

/* The seed's configuration, as its readers copy it. */
static void
test_seed(void)
{
	char cf[2048];
	const char *acc = put("access", "spammer.test REJECT\n"
			      "192.0.2.66 REJECT\n"
			      "blocked@ours.test REJECT no mail for you\n");

	snprintf(cf, sizeof(cf), "smtpd_recipient_restrictions = "
		 "permit_mynetworks, check_recipient_access texthash:%s, "
		 "reject_unauth_destination\n"
		 "smtpd_client_restrictions = texthash:%s\n"
		 "smtpd_sender_restrictions = texthash:%s", acc, acc, acc);
	setup(cf);
	is_str(rcpt("x@elsewhere.test"), DENIED("x@elsewhere.test"),
	       "seed: no relaying for strangers");
	is_str(rcpt("blocked@ours.test"), "554 5.7.1 <blocked@ours.test>: "
	       "Recipient address rejected: no mail for you",
	       "seed: the access table rejects");
	is_str(rcpt("x@ours.test"), "OK", "seed: ours accepted");
	client("unknown", "192.0.2.66", "a@b.test");
	is_str(rcpt("x@ours.test"), "554 5.7.1 <unknown[192.0.2.66]>: Client "
	       "host rejected: Access denied", "seed: listed client blocked");
	client("unknown", "192.0.2.1", "a@mail.spammer.test");
	is_str(rcpt("x@ours.test"), "554 5.7.1 <a@mail.spammer.test>: Sender "
	       "address rejected: Access denied", "seed: sender domain blocked");
	client("localhost", "127.0.0.1", "a@b.test");
	is_str(rcpt("x@elsewhere.test"), "OK", "seed: mynetworks relays");
}

int
main(void)
{
	if (tools_init("restrict.t") < 0)
		return 1;
	test_relay_tricks();
	test_relay_ours();
	test_log();
	test_bad_config();
	test_actions();
	test_orders();
	test_builtins();
	test_flow();
	test_cache();
	test_unlisted();
	test_seed();
	tools_done();
	return done_testing();
}
