/* Unit tests for lib/expand: aliases, .forward, :include: */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "expand.h"
#include "map.h"
#include "tap.h"

static char tmpdir[] = "/tmp/mta-expand-XXXXXX";
static char incpath[600], cmdinc[600], selfinc[600];

/* The alias table of the tests; filled in main() (paths need tmpdir). */
static const char *aliases[64][2];
static int naliases;

static void
alias_add(const char *name, const char *value)
{
	aliases[naliases][0] = name;
	aliases[naliases][1] = value;
	naliases++;
}

static int
t_alias(void *ctx, const char *name, const char **value, uid_t *uid,
	gid_t *gid, struct mta_buf *err)
{
	static char chain[32];
	int level;

	if (sscanf(name, "deep%d", &level) == 1) {
		snprintf(chain, sizeof(chain), "deep%d", level + 1);
		*value = chain;
		return 1;
	}
	if (sscanf(name, "shallow%d", &level) == 1) {
		snprintf(chain, sizeof(chain), "shallow%d", level + 1);
		*value = level < 99 ? chain : "u1";
		return 1;
	}
	if (strcmp(name, "brokenmap") == 0) {
		mta_buf_printf(err, "hash:/etc/aliases: read error");
		return -1;
	}
	/* like a map: the value is valid until the next lookup only (the
	 * sanitizer build catches a use after that) */
	static char *copy;

	free(copy);
	copy = NULL;
	for (int i = 0; i < naliases; i++) {
		if (strcmp(aliases[i][0], name) == 0) {
			copy = strdup(aliases[i][1]);
			*value = copy;
			*uid = 42;
			*gid = 43;
			return 1;
		}
	}
	return 0;
}

static int
t_user(void *ctx, const char *name, uid_t *uid, gid_t *gid,
       struct mta_buf *err)
{
	static const char *const users[] = { "user", "u1", "u2", "u3", "self",
					     "fwd", "fwdcmd", "fwdempty",
					     "root", NULL };

	if (strcmp(name, "tempfail") == 0) {
		mta_buf_printf(err, "passwd lookup timed out");
		return -1;
	}
	for (int i = 0; users[i]; i++) {
		if (strcmp(users[i], name) == 0) {
			*uid = 1000 + i;
			*gid = 100;
			return 1;
		}
	}
	return 0;
}

static int
t_forward(void *ctx, const char *user, const char *ext, struct mta_buf *v,
	  struct mta_buf *err)
{
	if (strcmp(user, "fwd") == 0)
		return mta_buf_set(v, "\\fwd, u3") < 0 ? -1 : 1;
	if (strcmp(user, "fwdcmd") == 0)
		return mta_buf_set(v, "\"|/usr/bin/procmail -a x\"\n/tmp/f") <
		       0 ? -1 : 1;
	if (strcmp(user, "fwdempty") == 0)
		return 1;
	return 0;
}

static int
t_resolve(void *ctx, const char *addr, struct mta_buf *local,
	  struct mta_buf *err)
{
	const char *at = strrchr(addr, '@');

	if (strcmp(at, "@local.example") != 0)
		return 0;
	return mta_buf_add(local, addr, (size_t)(at - addr)) < 0 ? -1 : 1;
}

static const struct mta_expand_ops ops = {
	.alias = t_alias, .user = t_user, .forward = t_forward,
	.resolve = t_resolve,
};

/* show - the outcomes as "kind:target[dsn]" joined with "; " */
static const char *
show(const struct mta_exp_result *r, int verbose)
{
	static char buf[8192];
	size_t len = 0;

	buf[0] = 0;
	for (size_t i = 0; i < r->n && len < sizeof(buf); i++) {
		const struct mta_exp_outcome *o = &r->v[i];

		len += (size_t)snprintf(buf + len, sizeof(buf) - len,
					"%s%s:%s", i ? "; " : "",
					mta_exp_kind_name(o->kind), o->target);
		if (len < sizeof(buf) && o->kind >= MTA_EXP_DUPLICATE)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len,
						"[%s]", o->dsn);
		if (len < sizeof(buf) && verbose)
			len += (size_t)snprintf(
				buf + len, sizeof(buf) - len,
				" (via %d uid %ld ext %s to %s)", (int)o->via,
				o->uid == (uid_t)-1 ? -1L : (long)o->uid,
				o->extension ? o->extension : "-",
				o->delivered ? o->delivered : "-");
	}
	return buf;
}

/* one - expand a recipient in a fresh context */
static const char *
one(const struct mta_expand_opts *opts, const char *rcpt, int verbose)
{
	struct mta_expand *x = mta_expand_new(&ops, opts);
	struct mta_exp_result r;
	const char *s;

	mta_expand_rcpt(x, rcpt, &r);
	s = show(&r, verbose);
	mta_exp_result_release(&r);
	mta_expand_free(x);
	return s;
}

static void
test_aliases(const struct mta_expand_opts *o)
{
	is_str(one(o, "root", 0), "mailbox:user", "root: user");
	is_str(one(o, "ROOT@local.example", 1),
	       "mailbox:user (via 1 uid 42 ext - to user@example.com)",
	       "folded, resolved, Delivered-To is the last local address");
	is_str(one(o, "list", 0), "mailbox:u1; mailbox:u2; mailbox:u3",
	       "list reaches all three");
	is_str(one(o, "self", 0), "mailbox:self; mailbox:u1",
	       "an alias naming itself: its own mailbox");
	is_str(one(o, "loopa", 0),
	       "bounce:alias loop for loopa[5.4.6]; mailbox:u2",
	       "a loop bounces, the rest is delivered");
	is_str(one(o, "empty", 0),
	       "bounce:alias empty expands to no recipients[5.3.0]",
	       "an alias with no recipients bounces, not silence");
	is_str(one(o, "dup", 0),
	       "mailbox:u1; duplicate:mailbox u1[2.0.0]; mailbox:user; "
	       "duplicate:mailbox u1[2.0.0]; mailbox:u2; mailbox:u3",
	       "the same delivery once");
	is_str(one(o, "remote", 0), "remote:someone@remote.example",
	       "remote member: sent on");
	is_str(one(o, "far@remote.example", 0), "remote:far@remote.example",
	       "remote recipient");
	is_str(one(o, "brokenmap", 0),
	       "defer:alias database unavailable: hash:/etc/aliases: read "
	       "error[4.3.0]", "map error defers");
	is_str(one(o, "nosuchuser", 0),
	       "bounce:unknown user: \"nosuchuser\"[5.1.1]", "unknown user");
	is_str(one(o, "tempfail", 0),
	       "defer:cannot look up user tempfail: passwd lookup timed "
	       "out[4.3.0]", "user lookup error defers");
	is_str(one(o, "deep0", 0),
	       "bounce:alias expansion nested deeper than 100 levels[5.4.6]",
	       "nesting limit");
	is_str(one(o, "shallow0", 0), "mailbox:u1", "100 levels are fine");
}

static void
test_special(const struct mta_expand_opts *o)
{
	char want[1024];

	is_str(one(o, "cmd", 1),
	       "command:/bin/cat > /dev/null (via 1 uid 42 ext - to "
	       "cmd@example.com)", "alias to a command, as the alias owner");
	is_str(one(o, "tofile", 0), "file:/var/spool/archive",
	       "alias to a file");
	is_str(one(o, "|/bin/sh -c x@local.example", 0),
	       "bounce:unknown user: \"|/bin/sh -c x\"[5.1.1]",
	       "a recipient is never a command");
	is_str(one(o, "/etc/passwd", 0),
	       "bounce:unknown user: \"/etc/passwd\"[5.1.1]",
	       "a recipient is never a file");
	/* an include file owned by root keeps the includer's rights */
	long inc = geteuid() == 0 ? 42 : (long)geteuid();

	snprintf(want, sizeof(want),
		 "mailbox:u1 (via 3 uid %ld ext - to u1@example.com); mailbox:u2 "
		 "(via 3 uid %ld ext - to u2@example.com); remote:x@remote.example"
		 " (via 3 uid %ld ext - to inc@example.com)", inc, inc, inc);
	is_str(one(o, "inc", 1), want,
	       ":include: reaches every line, comments skipped");
	if (geteuid() == 0 && chown(incpath, 77, 78) == 0) {
		ok(strstr(one(o, "inc", 1), "mailbox:u1 (via 3 uid 77 ext") !=
		   NULL, "an include file's owner gives the rights");
		if (chown(incpath, 0, 0) < 0)
			perror("chown");
	} else {
		printf("ok %d # skip needs root\n", ++tap_count);
	}
	is_str(one(o, "cmdinc", 0),
	       "bounce:mail to command is restricted[5.7.1]; "
	       "bounce:mail to file is restricted[5.7.1]",
	       "commands and files from include files refused by default");
	is_str(one(o, "badinc", 0),
	       "defer:cannot read include file /nonexistent/list[4.3.0]",
	       "missing include file defers, never drops");
	is_str(one(o, "relinc", 0),
	       "bounce::include: path is not absolute: relative/list[5.3.5]",
	       "relative include path bounces");
	snprintf(want, sizeof(want),
		 "mailbox:u1; bounce:include loop for %s[5.4.6]", selfinc);
	is_str(one(o, "selfinc", 0), want, "an include file including itself");
}

static void
test_forward_ext(const struct mta_expand_opts *o)
{
	struct mta_expand_opts d = *o;

	is_str(one(o, "fwd", 1),
	       "mailbox:fwd (via 2 uid 1005 ext - to fwd@example.com); "
	       "mailbox:u3 (via 2 uid 1005 ext - to u3@example.com)",
	       ".forward with \\user: own mailbox and the others");
	is_str(one(o, "fwdcmd", 1),
	       "command:/usr/bin/procmail -a x (via 2 uid 1006 ext - to "
	       "fwdcmd@example.com); file:/tmp/f (via 2 uid 1006 ext - to "
	       "fwdcmd@example.com)",
	       ".forward command and file run as the user");
	is_str(one(o, "fwdempty", 0), "mailbox:fwdempty",
	       "empty .forward: the mailbox");
	d.delimiter = "+-";
	is_str(one(&d, "u1+box", 1),
	       "mailbox:u1 (via 0 uid -1 ext box to u1+box@example.com)",
	       "user+ext: the user's mailbox, extension kept");
	is_str(one(&d, "list-x", 0), "mailbox:u1; mailbox:u2; mailbox:u3",
	       "user-ext falls back to the alias of user");
	is_str(one(&d, "plus+special", 0), "mailbox:u2",
	       "an alias for the full user+ext wins");
	is_str(one(&d, "+u1", 0), "bounce:unknown user: \"+u1\"[5.1.1]",
	       "a leading delimiter does not split");
	is_str(one(o, "u1+box", 0),
	       "bounce:unknown user: \"u1+box\"[5.1.1]",
	       "no delimiter: no split");
	d.commands = 0;
	d.files = MTA_EXP_ALLOW_ALIAS;
	is_str(one(&d, "fwdcmd", 0),
	       "bounce:mail to command is restricted[5.7.1]; "
	       "bounce:mail to file is restricted[5.7.1]",
	       "allow_mail_to_commands/files empty for forward");
	is_str(one(&d, "cmd", 0),
	       "bounce:mail to command is restricted[5.7.1]",
	       "allow_mail_to_commands without alias");
	d.commands = d.files = MTA_EXP_ALLOW_INCLUDE;
	long inc = geteuid() == 0 ? 42 : (long)geteuid();
	char want[1024];

	snprintf(want, sizeof(want),
		 "command:/bin/echo inc (via 3 uid %ld ext - to "
		 "cmdinc@example.com); file:/tmp/out (via 3 uid %ld ext - to "
		 "cmdinc@example.com)", inc, inc);
	is_str(one(&d, "cmdinc", 1), want,
	       "include allowed: commands and files from include files");
}

static void
test_context(const struct mta_expand_opts *o)
{
	struct mta_expand *x = mta_expand_new(&ops, o);
	struct mta_exp_result r;

	mta_expand_rcpt(x, "list", &r);
	mta_exp_result_release(&r);
	mta_expand_rcpt(x, "u2", &r);
	is_str(show(&r, 0), "duplicate:mailbox u2[2.0.0]",
	       "second recipient, same mailbox: a duplicate, not silence");
	mta_exp_result_release(&r);
	mta_expand_rcpt(x, "list", &r);
	is_str(show(&r, 0), "duplicate:alias list[2.0.0]",
	       "same alias twice in a message: expanded once");
	mta_exp_result_release(&r);
	mta_expand_free(x);
}

static void
test_allow_parse(void)
{
	struct mta_buf err = MTA_BUF_INIT(256);
	unsigned bits;

	is_int(mta_expand_allow_parse("alias, forward", &bits, &err), 0,
	       "allow: parse default");
	is_int(bits, MTA_EXP_ALLOW_ALIAS | MTA_EXP_ALLOW_FORWARD, "bits");
	is_int(mta_expand_allow_parse("include", &bits, &err), 0, "include");
	is_int(bits, MTA_EXP_ALLOW_INCLUDE, "include bit");
	is_int(mta_expand_allow_parse("", &bits, &err), 0, "empty");
	is_int(bits, 0, "no bits");
	is_int(mta_expand_allow_parse("alias, shell", &bits, &err), -1,
	       "unknown word refused");
	ok(err.data && strstr(err.data, "shell"), "names the word");
	mta_buf_release(&err);
}

static void
test_read_file(void)
{
	struct mta_buf v = MTA_BUF_INIT(MTA_EXPAND_FILE_MAX);
	struct mta_buf err = MTA_BUF_INIT(1024);
	char path[700], link_path[700];
	uid_t uid;
	gid_t gid;

	is_int(mta_expand_read_file(incpath, (uid_t)-1, false, &v, &uid, &gid,
				    &err), 1, "read include file");
	is_str(v.data, "u1\nu2,  x@remote.example",
	       "logical lines (continuations joined as is), LF between");
	snprintf(link_path, sizeof(link_path), "%s/link", tmpdir);
	if (symlink(incpath, link_path) < 0)
		perror("symlink");
	is_int(mta_expand_read_file(link_path, (uid_t)-1, false, &v, &uid, &gid,
				    &err), -1, "symlink refused");
	ok(err.data && strstr(err.data, "symbolic link"), "says why");
	mta_buf_clear(&err);
	is_int(mta_expand_read_file(tmpdir, (uid_t)-1, false, &v, &uid, &gid,
				    &err), -1, "directory refused");
	snprintf(path, sizeof(path), "%s/nope", tmpdir);
	is_int(mta_expand_read_file(path, (uid_t)-1, false, &v, &uid, &gid,
				    &err), 0, "missing file: 0");
	chmod(incpath, 0600);
	mta_buf_clear(&err);
	is_int(mta_expand_read_file(incpath, 4242, false, &v, &uid, &gid,
				    &err), -1,
	       "not readable by the reader: refused");
	is_int(mta_expand_read_file(incpath, 4242, true, &v, &uid, &gid, &err),
	       -1, "must_own: someone else's file refused");
	chmod(incpath, 0644);
	is_int(mta_expand_read_file(incpath, 4242, true, &v, &uid, &gid, &err),
	       geteuid() == 0 || geteuid() == 4242 ? 1 : -1,
	       "must_own: root's (or own) file accepted");
	mta_buf_release(&v);
	mta_buf_release(&err);
}

static void
test_maps(void)
{
	struct mta_buf err = MTA_BUF_INIT(1024);
	struct mta_map *maps[2];
	const char *value;

	maps[0] = mta_map_open("inline:{a=b, c=d}", 0, &err);
	maps[1] = mta_map_open("inline:{c=x, e=f}", 0, &err);
	if (maps[0] == NULL || maps[1] == NULL) {
		ok(0, "inline maps open");
		return;
	}
	ok(mta_expand_map_alias(maps, 2, "c", &value, &err) == 1 &&
	   strcmp(value, "d") == 0, "alias_maps: first map wins");
	ok(mta_expand_map_alias(maps, 2, "e", &value, &err) == 1 &&
	   strcmp(value, "f") == 0, "alias_maps: second map");
	is_int(mta_expand_map_alias(maps, 2, "z", &value, &err), 0,
	       "alias_maps: not found");
	mta_map_close(maps[0]);
	mta_map_close(maps[1]);
	mta_buf_release(&err);
}

static void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	if (fp) {
		fputs(text, fp);
		fclose(fp);
	}
}

int
main(void)
{
	struct mta_expand_opts o;
	static char selfval[700], buf[700];
	char cmd[700];

	if (mkdtemp(tmpdir) == NULL)
		return 1;
	snprintf(incpath, sizeof(incpath), "%s/list", tmpdir);
	write_file(incpath, "# members\nu1\n\nu2,\n  x@remote.example\n");
	snprintf(cmdinc, sizeof(cmdinc), "%s/cmds", tmpdir);
	write_file(cmdinc, "|/bin/echo inc\n/tmp/out\n");
	snprintf(selfinc, sizeof(selfinc), "%s/self", tmpdir);
	snprintf(buf, sizeof(buf), "u1\n:include:%s\n", selfinc);
	write_file(selfinc, buf);

	alias_add("root", "user");
	alias_add("list", "u1, u2, u3");
	alias_add("self", "self, u1");
	alias_add("loopa", "loopb");
	alias_add("loopb", "loopa, u2");
	alias_add("empty", "\"\"");
	alias_add("dup", "u1, u1, root@local.example, list");
	alias_add("remote", "someone@remote.example");
	alias_add("cmd", "\"|/bin/cat > /dev/null\"");
	alias_add("tofile", "/var/spool/archive");
	static char incval[700], cmdval[700];
	snprintf(incval, sizeof(incval), ":include:%s", incpath);
	alias_add("inc", incval);
	snprintf(cmdval, sizeof(cmdval), ":include:%s", cmdinc);
	alias_add("cmdinc", cmdval);
	alias_add("badinc", ":include:/nonexistent/list");
	alias_add("relinc", ":include:relative/list");
	snprintf(selfval, sizeof(selfval), ":include:%s", selfinc);
	alias_add("selfinc", selfval);
	alias_add("plus+special", "u2");

	mta_expand_opts_init(&o);
	o.origin = "example.com";
	test_allow_parse();
	test_read_file();
	test_maps();
	test_aliases(&o);
	test_special(&o);
	test_forward_ext(&o);
	test_context(&o);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		return 1;
	return done_testing();
}
