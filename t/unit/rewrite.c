/*
 * Unit tests for lib/rewrite: the canonical forms trivial-rewrite gives
 * (append_at_myorigin, append_dot_mydomain, swap_bangpath,
 * allow_percent_hack, source routes, trailing dots), masquerading with
 * exceptions and classes, and routing peeled off local domains.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "rewrite.h"
#include "tap.h"

static char dir[] = "/tmp/mta-rewrite.XXXXXX";

/* setup - a configuration with extra main.cf lines */
static struct mta_config *
setup(const char *extra)
{
	char path[1024];
	struct mta_buf err = MTA_BUF_INIT(256);
	struct mta_config *cfg;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/main.cf", dir);
	fp = fopen(path, "w");
	fprintf(fp,
	        "myhostname = host.example.com\nmydomain = example.com\n"
	        "myorigin = $mydomain\n%s\n",
	        extra);
	fclose(fp);
	cfg = mta_config_load(dir, &err);
	mta_buf_release(&err);
	return cfg;
}

/* canon - the canonical form of in */
static const char *
canon(struct mta_rewrite *rw, int ctx, const char *in)
{
	static struct mta_buf out = MTA_BUF_INIT(4096);

	if (mta_rewrite_addr(rw, ctx, in, &out) < 0)
		return "(error)";
	return out.data ? out.data : "";
}

/* masq - in, masqueraded for class */
static const char *
masq(struct mta_rewrite *rw, int class, const char *in)
{
	static struct mta_buf out = MTA_BUF_INIT(4096);

	mta_buf_set(&out, in);
	mta_rewrite_masquerade(rw, class, &out);
	return out.data;
}

/* unroute - in with routing on local domains peeled off */
static const char *
unroute(struct mta_rewrite *rw, const char *in)
{
	static struct mta_buf out = MTA_BUF_INIT(4096);

	mta_buf_set(&out, in);
	mta_rewrite_unroute(rw, &out);
	return out.data;
}

int
main(void)
{
	struct mta_config *cfg;
	struct mta_rewrite *rw;
	struct mta_buf err = MTA_BUF_INIT(256);

	ok(mkdtemp(dir) != NULL, "scratch dir");
	cfg = setup("");
	rw = mta_rewrite_new(cfg, &err);
	is_str(canon(rw, MTA_REWRITE_LOCAL, "user"), "user@example.com",
	       "append_at_myorigin");
	is_str(canon(rw, MTA_REWRITE_LOCAL, "user@host"), "user@host",
	       "append_dot_mydomain is off by default");
	is_str(canon(rw, MTA_REWRITE_LOCAL, "a!b!c"), "b!c@a", "swap_bangpath");
	is_str(canon(rw, MTA_REWRITE_LOCAL, "u%d%e"), "u%d@e",
	       "allow_percent_hack: the last %");
	is_str(canon(rw, MTA_REWRITE_LOCAL, "@r1,@r2:u@d"), "u@d",
	       "a source route is dropped");
	is_str(canon(rw, MTA_REWRITE_LOCAL, "u@d.example."), "u@d.example",
	       "a trailing dot goes");
	is_str(canon(rw, MTA_REWRITE_LOCAL, ""), "", "the null address stays");
	is_str(canon(rw, MTA_REWRITE_LOCAL, "@"), "", "a lone @ is null");
	is_str(canon(rw, MTA_REWRITE_LOCAL, "a b!c"), "a b!c@example.com",
	       "a quoted local part is not taken apart");
	is_str(canon(rw, MTA_REWRITE_REMOTE, "user"), "user",
	       "remote context without remote_header_rewrite_domain: as is");
	ok(!mta_rewrite_remote_enabled(rw), "remote rewriting is off");
	is_str(masq(rw, MTA_MASQ_HDR_FROM, "a@host.example.com"),
	       "a@host.example.com", "no masquerade_domains: no change");
	ok(mta_rewrite_is_local(rw, "HOST.example.com") &&
	           mta_rewrite_is_local(rw, "localhost") &&
	           !mta_rewrite_is_local(rw, "example.org"),
	   "mydestination");
	is_str(unroute(rw, "u%remote.org@host.example.com"), "u@remote.org",
	       "percent hack on a local domain");
	is_str(unroute(rw, "remote.org!u@localhost"), "u@remote.org",
	       "bang path on a local domain");
	is_str(unroute(rw, "u%x.org@example.org"), "u%x.org@example.org",
	       "a remote domain is left alone");
	mta_rewrite_free(rw);
	mta_config_free(cfg);

	cfg = setup("append_dot_mydomain = yes\nswap_bangpath = no\n"
	            "allow_percent_hack = no\nappend_at_myorigin = no\n"
	            "remote_header_rewrite_domain = domain.invalid\n"
	            "masquerade_domains = !sub.example.com, example.com\n"
	            "masquerade_exceptions = root, Mailer-Daemon\n"
	            "masquerade_classes = envelope_sender, header_recipient\n");
	rw = mta_rewrite_new(cfg, &err);
	is_str(canon(rw, MTA_REWRITE_LOCAL, "user@host"),
	       "user@host.example.com", "append_dot_mydomain = yes");
	is_str(canon(rw, MTA_REWRITE_LOCAL, "u@[192.0.2.1]"), "u@[192.0.2.1]",
	       "never after a domain literal");
	is_str(canon(rw, MTA_REWRITE_LOCAL, "a!b"), "a!b",
	       "swap_bangpath = no, no origin");
	is_str(canon(rw, MTA_REWRITE_REMOTE, "user@host"),
	       "user@host.domain.invalid", "remote_header_rewrite_domain");
	is_str(canon(rw, MTA_REWRITE_REMOTE, "user"), "user",
	       "append_at_myorigin = no holds in the remote context too");
	is_str(masq(rw, MTA_MASQ_ENV_FROM, "a@x.example.com"), "a@example.com",
	       "masquerade: a host below the domain");
	is_str(masq(rw, MTA_MASQ_ENV_FROM, "a@example.com"), "a@example.com",
	       "masquerade: the domain itself");
	is_str(masq(rw, MTA_MASQ_ENV_FROM, "a@x.sub.example.com"),
	       "a@x.sub.example.com", "masquerade: !sub.example.com stops it");
	is_str(masq(rw, MTA_MASQ_ENV_FROM, "ROOT@x.example.com"),
	       "ROOT@x.example.com", "masquerade_exceptions, any case");
	is_str(masq(rw, MTA_MASQ_HDR_FROM, "a@x.example.com"),
	       "a@x.example.com",
	       "masquerade_classes: header_sender not listed");
	is_str(masq(rw, MTA_MASQ_HDR_RCPT, "a@x.example.com"), "a@example.com",
	       "masquerade_classes: header_recipient listed");
	is_str(unroute(rw, "u%remote.org@host.example.com"),
	       "u%remote.org@host.example.com",
	       "allow_percent_hack = no: left routed");
	mta_rewrite_free(rw);
	mta_config_free(cfg);
	mta_buf_release(&err);
	{
		char cmd[256];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		ok(system(cmd) == 0, "clean up");
	}
	return done_testing();
}
