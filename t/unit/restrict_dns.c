/*
 * Unit tests for the DNS side of lib/restrict and for
 * mta_dns_client_name(), against a dnsmasq on 127.0.0.1 (a free port,
 * --no-resolv: no query leaves the machine): reject_rbl_client with and
 * without a reply pattern, its TXT reason, reject_maps_rbl,
 * reject_unknown_sender_domain (found, NXDOMAIN, null MX, temporary
 * failure), and the PTR + forward-confirmed client name.
 */
#include "dns.h"
#include "dnsmasq.h"
#include "restrict_tools.h"

/* What the test's dnsmasq answers. */
static const char *const records[] = {
	"--local=/127.in-addr.arpa/",
	"--host-record=2.0.0.127.bl.test,127.0.0.2",
	"--txt-record=2.0.0.127.bl.test,Listed: see http://bl.test/",
	"--host-record=3.0.0.127.bl.test,127.0.0.3",
	"--mx-host=good.test,mx.good.test,10",
	"--host-record=mx.good.test,192.0.2.10",
	"--host-record=aonly.test,192.0.2.11",
	"--mx-host=deadmx.test,nowhere.test,10",
	"--dns-rr=nullmx.test,15,000000",
	"--host-record=client.good.test,127.0.0.5",
	"--ptr-record=6.0.0.127.in-addr.arpa,liar.test",
	"--host-record=liar.test,192.0.2.99",
	NULL,
};

/* DNSBL checks. */
static void
test_rbl(void)
{
	setup("mynetworks = 10.0.0.0/8\nsmtpd_client_restrictions = "
	      "reject_rbl_client bl.test");
	client("unknown", "127.0.0.2", "a@b.test");
	is_str(rcpt("x@ours.test"), "554 5.7.1 Service unavailable; Client "
	       "host [127.0.0.2] blocked using bl.test; Listed: see "
	       "http://bl.test/", "listed client: refused with the TXT reason");
	client("unknown", "127.0.0.3", "a@b.test");
	is_str(rcpt("x@ours.test"), "554 5.7.1 Service unavailable; Client "
	       "host [127.0.0.3] blocked using bl.test",
	       "listed without TXT: no reason part");
	client("unknown", "127.0.0.9", "a@b.test");
	is_str(rcpt("x@ours.test"), "OK", "not listed: accepted");
	setup("mynetworks = 10.0.0.0/8\nsmtpd_client_restrictions = "
	      "reject_rbl_client bl.test=127.0.0.3");
	client("unknown", "127.0.0.2", "a@b.test");
	is_str(rcpt("x@ours.test"), "OK", "=ADDR: other reply addresses pass");
	client("unknown", "127.0.0.3", "a@b.test");
	ok(strncmp(rcpt("x@ours.test"), "554 5.7.1 Service unavailable; Client "
		   "host [127.0.0.3] blocked using bl.test", 60) == 0,
	   "=ADDR: that reply address is refused (zone without =ADDR)");
	setup("mynetworks = 10.0.0.0/8\nsmtpd_client_restrictions = "
	      "reject_rbl_client bl.test=127.0.0.[1..2;9]");
	client("unknown", "127.0.0.2", "a@b.test");
	ok(strncmp(rcpt("x@ours.test"), "554", 3) == 0, "pattern range: hit");
	client("unknown", "127.0.0.3", "a@b.test");
	is_str(rcpt("x@ours.test"), "OK", "pattern range: miss");
	setup("mynetworks = 10.0.0.0/8\nmaps_rbl_domains = bl.test\n"
	      "maps_rbl_reject_code = 550\n"
	      "smtpd_client_restrictions = reject_maps_rbl");
	ok(logged("use \"reject_rbl_client domain-name\"") >= 1,
	   "reject_maps_rbl: warning at startup");
	client("unknown", "127.0.0.2", "a@b.test");
	ok(strncmp(rcpt("x@ours.test"), "550 5.7.1 Service unavailable; "
		   "Client host [127.0.0.2] blocked using bl.test", 70) == 0,
	   "reject_maps_rbl: translated, maps_rbl_reject_code");
	setup("mynetworks = 10.0.0.0/8\nsmtpd_client_restrictions = "
	      "reject_rbl_client outside.example");
	client("unknown", "127.0.0.2", "a@b.test");
	is_str(rcpt("x@ours.test"), "OK", "DNSBL failure: the client passes");
}

/* reject_unknown_sender_domain. */
static void
test_sender_domain(void)
{
	setup("smtpd_sender_restrictions = reject_unknown_sender_domain");
	client("unknown", "192.0.2.1", "a@good.test");
	is_str(rcpt("x@ours.test"), "OK", "MX: known");
	C.sender = "a@aonly.test";
	is_str(rcpt("x@ours.test"), "OK", "A only: known");
	C.sender = "a@deadmx.test";
	is_str(rcpt("x@ours.test"), "OK", "MX without address: known (as "
	       "Postfix)");
	C.sender = "a@nosuch.test";
	is_str(rcpt("x@ours.test"), "450 4.1.8 <a@nosuch.test>: Sender address "
	       "rejected: Domain not found", "NXDOMAIN: 450 4.1.8");
	C.sender = "a@nullmx.test";
	is_str(rcpt("x@ours.test"), "550 5.7.27 <a@nullmx.test>: Sender "
	       "address rejected: Domain nullmx.test does not accept mail "
	       "(nullMX)", "null MX: 550 5.7.27");
	C.sender = "a@outside.example";
	is_str(rcpt("x@ours.test"), "450 4.1.8 <a@outside.example>: Sender "
	       "address rejected: Domain not found",
	       "temporary failure: defer_if_permit, 450");
	C.sender = "a@ours.test";
	is_str(rcpt("x@ours.test"), "OK", "our own domain is not looked up");
	C.sender = "";
	is_str(rcpt("x@ours.test"), "OK", "the null sender is not looked up");
	setup("unknown_address_reject_code = 550\n"
	      "smtpd_recipient_restrictions = reject_unknown_recipient_domain, "
	      "permit_mynetworks, reject_unauth_destination");
	client("localhost", "127.0.0.1", "a@b.test");
	is_str(rcpt("x@nosuch.test"), "550 5.1.2 <x@nosuch.test>: Recipient "
	       "address rejected: Domain not found",
	       "reject_unknown_recipient_domain, unknown_address_reject_code");
}

/* mta_dns_client_name. */
static void
test_client_name(void)
{
	struct mta_buf name = MTA_BUF_INIT(256);

	is_int(mta_dns_client_name(DNS, "127.0.0.5", &name), MTA_DNS_OK,
	       "client name: confirmed");
	is_str(mta_buf_str(&name), "client.good.test", "client name: the name");
	log_mark();
	is_int(mta_dns_client_name(DNS, "127.0.0.6", &name), MTA_DNS_NOTFOUND,
	       "client name: PTR not confirmed");
	is_str(mta_buf_str(&name), "unknown", "client name: unknown");
	is_int(logged("hostname liar.test does not resolve to address "
		      "127.0.0.6"), 1, "client name: warning logged");
	is_int(mta_dns_client_name(DNS, "127.0.0.7", &name), MTA_DNS_NOTFOUND,
	       "client name: no PTR");
	is_str(mta_buf_str(&name), "unknown", "client name: no PTR: unknown");
	is_int(mta_dns_client_name(DNS, "nonsense", &name), MTA_DNS_NOTFOUND,
	       "client name: not an address");
	is_int(mta_dns_client_name(DNS, "192.0.2.1", &name), MTA_DNS_TEMP,
	       "client name: REFUSED is temporary");
	mta_buf_release(&name);
}

int
main(void)
{
	struct mta_buf err = MTA_BUF_INIT(256);
	int port;
	pid_t pid;

	if (access(DNSMASQ, X_OK) != 0) {
		printf("1..0 # SKIP dnsmasq is not installed (%s)\n", DNSMASQ);
		return 0;
	}
	if (tools_init("restrict_dns.t") < 0 || (port = dnsmasq_port()) < 0)
		return 1;
	snprintf(dns_servers, sizeof(dns_servers), "127.0.0.1:%d", port);
	if ((pid = dnsmasq_start(port, records)) < 0 ||
	    (DNS = mta_dns_init_servers(dns_servers, &err)) == NULL)
		return 1;
	if (!ok(dnsmasq_ready(DNS, "aonly.test"), "dnsmasq answers")) {
		/* a failure, not a skip: dnsmasq is installed */
	} else {
		test_rbl();
		test_sender_domain();
		test_client_name();
	}
	dnsmasq_stop(pid);
	tools_done();
	mta_dns_free(DNS);
	mta_buf_release(&err);
	return tap_count ? done_testing() : 0;
}
