/*
 * Tests for lib/dns.c against a dnsmasq started on 127.0.0.1 with a free
 * port. The machine's own resolver is never queried.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "dns.h"
#include "dnsmasq.h"
#include "tap.h"

/* What the test's dnsmasq answers. */
static const char *const records[] = {
	"--mx-host=ex.test,mx2.ex.test,20",
	"--mx-host=ex.test,mx1.ex.test,10",
	"--mx-host=ex.test,mx1b.ex.test,10",
	"--host-record=mx1.ex.test,192.0.2.1,2001:db8::1",
	"--host-record=mx1b.ex.test,192.0.2.11",
	"--host-record=mx2.ex.test,192.0.2.2",
	"--host-record=aonly.test,192.0.2.3",
	"--mx-host=dead.test,nowhere.test,10",
	"--dns-rr=nullmx.test,15,000000",
	"--host-record=2.0.0.127.bl.test,127.0.0.2",
	"--txt-record=2.0.0.127.bl.test,Listed: see http://bl.test/",
	"--host-record=1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.test,127.0.0.4",
	NULL,
};

/* MX order, addresses, implicit MX, null MX and NXDOMAIN. */
static void
test_mx(struct mta_dns *dns)
{
	struct mta_dns_mx *mx = mta_dns_mx(dns, "ex.test");

	is_int(mx->status, MTA_DNS_OK, "MX: ok");
	ok(!mx->implicit, "MX: explicit");
	is_int(mx->n, 3, "MX: three hosts");
	if (mx->n == 3) {
		ok(mx->host[0].pref == 10 && mx->host[1].pref == 10,
		   "MX: preference 10 first");
		is_str(mx->host[2].name, "mx2.ex.test", "MX: preference 20 last");
		is_int(mx->host[2].pref, 20, "MX: its preference");
		struct mta_dns_mxhost *h = strcmp(mx->host[0].name,
						  "mx1.ex.test") == 0 ?
			&mx->host[0] : &mx->host[1];
		is_str(h->name, "mx1.ex.test", "MX: mx1 among the first two");
		is_int(h->addrs.n, 2, "MX: mx1 has A and AAAA");
		if (h->addrs.n == 2) {
			is_str(h->addrs.ip[0].text, "192.0.2.1", "MX: A first");
			is_str(h->addrs.ip[1].text, "2001:db8::1", "MX: AAAA");
			is_int(h->addrs.ip[1].family, AF_INET6, "MX: AAAA family");
		}
		is_str(mx->host[2].addrs.ip[0].text, "192.0.2.2", "MX: mx2 A");
	}
	mta_dns_mx_free(mx);

	mx = mta_dns_mx(dns, "aonly.test");
	is_int(mx->status, MTA_DNS_OK, "implicit MX: ok");
	ok(mx->implicit && mx->n == 1, "implicit MX: one implicit host");
	is_str(mx->n ? mx->host[0].name : NULL, "aonly.test",
	       "implicit MX: the domain itself");
	ok(mx->n && mx->host[0].addrs.n == 1 &&
	   strcmp(mx->host[0].addrs.ip[0].text, "192.0.2.3") == 0,
	   "implicit MX: its address");
	mta_dns_mx_free(mx);

	mx = mta_dns_mx(dns, "nullmx.test");
	is_int(mx->status, MTA_DNS_NOTFOUND, "null MX: permanent");
	ok(strstr(mx->reason, "null MX") != NULL, "null MX: reason says so");
	mta_dns_mx_free(mx);

	mx = mta_dns_mx(dns, "nosuch.test");
	is_int(mx->status, MTA_DNS_NOTFOUND, "NXDOMAIN: permanent");
	ok(strstr(mx->reason, "not found") != NULL, "NXDOMAIN: host not found");
	mta_dns_mx_free(mx);

	char longname[400];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	mx = mta_dns_mx(dns, longname);
	is_int(mx->status, MTA_DNS_NOTFOUND, "overlong name: permanent");
	mta_dns_mx_free(mx);
	mx = mta_dns_mx(dns, "a..test");
	is_int(mx->status, MTA_DNS_NOTFOUND, "empty label: permanent");
	mta_dns_mx_free(mx);

	mx = mta_dns_mx(dns, "dead.test");
	is_int(mx->status, MTA_DNS_NOTFOUND, "MX host without address: permanent");
	mta_dns_mx_free(mx);

	mx = mta_dns_mx(dns, "outside.example");
	is_int(mx->status, MTA_DNS_TEMP, "REFUSED (no upstream): temporary");
	ok(mx->reason[0] != '\0', "REFUSED: a reason");
	mta_dns_mx_free(mx);
}

/* Plain address lookups. */
static void
test_addr(struct mta_dns *dns)
{
	struct mta_dns_addrs *a = mta_dns_addr(dns, "mx1.ex.test");

	is_int(a->status, MTA_DNS_OK, "addr: ok");
	is_int(a->n, 2, "addr: A and AAAA");
	mta_dns_addrs_free(a);
	a = mta_dns_addr(dns, "nosuch.test");
	is_int(a->status, MTA_DNS_NOTFOUND, "addr: NXDOMAIN");
	is_int(a->n, 0, "addr: nothing");
	mta_dns_addrs_free(a);
}

/* DNSBL lookups: IPv4 and IPv6 listed, not listed. */
static void
test_rbl(struct mta_dns *dns)
{
	struct mta_dns_rbl *r = mta_dns_rbl(dns, "bl.test", "127.0.0.2");

	is_int(r->status, MTA_DNS_OK, "rbl: ok");
	ok(r->listed, "rbl: 127.0.0.2 listed");
	is_str(r->n ? r->ip[0].text : NULL, "127.0.0.2", "rbl: reply address");
	is_str(r->txt, "Listed: see http://bl.test/", "rbl: TXT reason");
	mta_dns_rbl_free(r);

	r = mta_dns_rbl(dns, "bl.test", "127.0.0.3");
	ok(r->status == MTA_DNS_OK && !r->listed, "rbl: 127.0.0.3 not listed");
	ok(r->txt == NULL && r->n == 0, "rbl: nothing with it");
	mta_dns_rbl_free(r);

	r = mta_dns_rbl(dns, "bl.test", "2001:db8::1");
	ok(r->status == MTA_DNS_OK && r->listed, "rbl: IPv6 listed");
	is_str(r->n ? r->ip[0].text : NULL, "127.0.0.4", "rbl: IPv6 reply");
	is_str(r->txt, NULL, "rbl: no TXT");
	mta_dns_rbl_free(r);

	r = mta_dns_rbl(dns, "bl.test", "not-an-address");
	ok(r->status != MTA_DNS_OK && !r->listed, "rbl: bad client refused");
	mta_dns_rbl_free(r);
}

/* What needs no server: names, sanitizer, server list syntax. */
static void
test_offline(void)
{
	struct mta_buf b, err;
	char text[] = "bad\r\nEHLO x\x01\x7f\xc3";
	struct mta_dns *dns;

	mta_buf_init(&b, 1024);
	mta_buf_init(&err, 1024);
	ok(mta_dns_rbl_name(&b, "zen.test", "192.0.2.10") == 0 &&
	   strcmp(mta_buf_str(&b), "10.2.0.192.zen.test") == 0, "rbl name v4");
	mta_dns_rbl_name(&b, "z.test", "2001:db8::1");
	is_str(mta_buf_str(&b),
	       "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.z.test",
	       "rbl name v6: nibbles");
	is_int(mta_dns_rbl_name(&b, "z.test", "1.2.3"), -1, "rbl name: bad");
	is_str(mta_dns_sanitize(text), "bad??EHLO x???", "sanitizer");

	dns = mta_dns_init_servers("[127.0.0.1]:53, 127.0.0.2:5353 127.0.0.3",
				   &err);
	ok(dns != NULL, "servers: three accepted");
	mta_dns_free(dns);
	ok(mta_dns_init_servers("::1", &err) == NULL &&
	   strstr(mta_buf_str(&err), "bad server") != NULL, "servers: IPv6 refused");
	ok(mta_dns_init_servers("127.0.0.1:99999", &err) == NULL,
	   "servers: bad port");
	ok(mta_dns_init_servers("1.1.1.1 1.1.1.2 1.1.1.3 1.1.1.4", &err) == NULL,
	   "servers: too many");
	mta_buf_release(&b);
	mta_buf_release(&err);
}

/* mta_dns_init takes the servers from main.cf's mta_resolver_servers. */
static void
test_config(const char *servers)
{
	struct mta_buf err;
	struct mta_config *cfg;
	struct mta_dns *dns;

	mta_buf_init(&err, 256);
	cfg = mta_config_load_flags("/nonexistent", MTA_CONFIG_MISSING_OK, &err);
	ok(cfg != NULL, "config: defaults");
	if (cfg == NULL)
		return;
	mta_config_set(cfg, "mta_resolver_servers", servers);
	dns = mta_dns_init(cfg, &err);
	ok(dns && dnsmasq_ready(dns, "aonly.test"), "config: its server answers");
	mta_dns_free(dns);
	mta_config_set(cfg, "mta_resolver_servers", "no.such:server");
	ok(mta_dns_init(cfg, &err) == NULL, "config: bad value refused");
	ok(strstr(mta_buf_str(&err), "mta_resolver_servers") != NULL,
	   "config: the error names the parameter");
	mta_config_free(cfg);
	mta_buf_release(&err);
}

/* A dead server gives a temporary failure within the time limits. */
static void
test_dead(int port)
{
	char servers[64];
	struct mta_buf err;
	struct mta_dns *dns;
	time_t t0 = time(NULL);

	mta_buf_init(&err, 256);
	snprintf(servers, sizeof(servers), "127.0.0.1:%d", port);
	dns = mta_dns_init_servers(servers, &err);
	struct mta_dns_mx *mx = mta_dns_mx(dns, "ex.test");
	is_int(mx->status, MTA_DNS_TEMP, "dead server: temporary");
	ok(time(NULL) - t0 < 15, "dead server: bounded time");
	mta_dns_mx_free(mx);
	mta_dns_free(dns);
	mta_buf_release(&err);
}

int
main(void)
{
	char servers[64];
	struct mta_buf err;
	struct mta_dns *dns;
	int port = dnsmasq_port();
	pid_t pid;

	test_offline();
	if (access(DNSMASQ, X_OK) != 0) {
		printf("ok %d # skip dnsmasq not installed\n", ++tap_count);
		return done_testing();
	}
	pid = dnsmasq_start(port, records);
	mta_buf_init(&err, 256);
	snprintf(servers, sizeof(servers), "127.0.0.1:%d", port);
	dns = mta_dns_init_servers(servers, &err);
	ok(dns != NULL, "init with the test's server");
	test_config(servers);
	if (dns && ok(dnsmasq_ready(dns, "aonly.test"), "dnsmasq answers")) {
		test_mx(dns);
		test_addr(dns);
		test_rbl(dns);
	}
	mta_dns_free(dns);
	dnsmasq_stop(pid);
	test_dead(port);
	mta_buf_release(&err);
	return done_testing();
}
