/* map - the map layer: every back-end, folding, create/commit/abort. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "map.h"
#include "mapsrc.h"
#include "msg.h"
#include "tap.h"

static char dir[] = "/tmp/mta-map-test.XXXXXX";

/* path_in - a file name in the scratch directory */
static const char *
path_in(const char *name)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "%s/%s", dir, name);
	return buf;
}

/* write_file - create a file with the given text */
static void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	fputs(text, fp);
	fclose(fp);
}

/* lookup - the value for key, "(none)" or "(error)" */
static const char *
lookup(struct mta_map *map, const char *key)
{
	const char *value;
	int rc = mta_map_lookup(map, key, &value);

	return rc > 0 ? value : rc == 0 ? "(none)" : "(error)";
}

/* build - a hash map with the given entries, committed */
static void
build(const char *spec, const char **kv, int flags)
{
	struct mta_buf err = MTA_BUF_INIT(1024);
	struct mta_map *map = mta_map_open(spec, MTA_MAP_CREATE | flags, &err);

	ok(map != NULL, "create opens");
	for (; map && kv[0]; kv += 2)
		mta_map_insert(map, kv[0], kv[1]);
	ok(map && mta_map_commit(map) == 0, "commit");
	mta_map_close(map);
	mta_buf_release(&err);
}

/* test_hash - build, fold, lookup, sequence, insert, remove */
static void
test_hash(void)
{
	const char *kv[] = {"Foo@Example.COM", "REJECT no", "bar", "OK", NULL};
	char spec[300];
	struct mta_buf err = MTA_BUF_INIT(1024);
	struct mta_map *map;
	const char *k, *v;
	int n = 0, rc;

	snprintf(spec, sizeof(spec), "hash:%s", path_in("h"));
	build(spec, kv, 0);
	map = mta_map_open(spec, MTA_MAP_READ, &err);
	ok(map != NULL, "hash: opens for reading");
	is_str(lookup(map, "foo@example.com"), "REJECT no", "key was folded");
	is_str(lookup(map, "FOO@EXAMPLE.com"), "REJECT no", "query folded");
	is_str(lookup(map, "absent"), "(none)", "absent key");
	is_str(map->type, "hash", "type is canonical");
	for (rc = mta_map_sequence(map, true, &k, &v); rc > 0;
	     rc = mta_map_sequence(map, false, &k, &v))
		n++;
	is_int(n, 2, "sequence sees both entries");
	is_int(mta_map_update(map, "x", "y"), -1, "reader cannot update");
	ok(!mta_map_changed(map), "not changed yet");
	mta_map_close(map);

	map = mta_map_open(spec, MTA_MAP_WRITE, &err);
	if (!ok(map != NULL, "opens for update"))
		printf("# %s\n", mta_buf_str(&err));
	is_int(mta_map_insert(map, "BAR", "other"), 1, "insert finds dup");
	is_int(mta_map_remove(map, "foo@example.com"), 1, "remove");
	is_int(mta_map_remove(map, "nothere"), 0, "remove absent");
	is_int(mta_map_update(map, "new", "v"), 0, "update adds");
	is_int(mta_map_commit(map), 0, "commit update");
	mta_map_close(map);
	map = mta_map_open(spec, MTA_MAP_READ, &err);
	is_str(lookup(map, "bar"), "OK", "insert kept first value");
	is_str(lookup(map, "foo@example.com"), "(none)", "removed");
	is_str(lookup(map, "new"), "v", "added");
	mta_map_close(map);
	mta_buf_release(&err);
}

/* test_nofold - NOFOLD keeps case on both sides */
static void
test_nofold(void)
{
	const char *kv[] = {"MiXed", "1", NULL};
	char spec[300];
	struct mta_buf err = MTA_BUF_INIT(1024);
	struct mta_map *map;

	snprintf(spec, sizeof(spec), "gdbm:%s", path_in("nf"));
	build(spec, kv, MTA_MAP_NOFOLD);
	map = mta_map_open(spec, MTA_MAP_NOFOLD, &err);
	is_str(lookup(map, "MiXed"), "1", "nofold exact case");
	is_str(lookup(map, "mixed"), "(none)", "nofold other case");
	mta_map_close(map);
	map = mta_map_open(spec, 0, &err);
	is_str(lookup(map, "MiXed"), "(none)", "folded query misses");
	mta_map_close(map);
	mta_buf_release(&err);
}

/* test_abort_changed - an uncommitted build leaves the old map; changed() */
static void
test_abort_changed(void)
{
	const char *kv1[] = {"k", "old", NULL}, *kv2[] = {"k", "new", NULL};
	char spec[300];
	struct mta_buf err = MTA_BUF_INIT(1024);
	struct mta_map *reader, *w;

	snprintf(spec, sizeof(spec), "hash:%s", path_in("a"));
	build(spec, kv1, 0);
	reader = mta_map_open(spec, 0, &err);
	w = mta_map_open(spec, MTA_MAP_CREATE, &err);
	mta_map_update(w, "k", "never");
	mta_map_close(w);	/* no commit */
	ok(!mta_map_changed(reader), "abort does not change the map");
	is_str(lookup(reader, "k"), "old", "old value after abort");
	build(spec, kv2, 0);
	ok(mta_map_changed(reader), "rebuild is seen by changed()");
	is_str(lookup(reader, "k"), "old", "open reader keeps its snapshot");
	mta_map_close(reader);
	reader = mta_map_open(spec, 0, &err);
	is_str(lookup(reader, "k"), "new", "reopen sees the new map");
	mta_map_close(reader);
	mta_buf_release(&err);
}

/* test_errors - unknown types, missing files, read-only types */
static void
test_errors(void)
{
	struct mta_buf err = MTA_BUF_INIT(1024);
	struct mta_map *map;

	map = mta_map_open("nosuch:x", 0, &err);
	ok(map == NULL && errno == EINVAL, "unknown type");
	ok(strstr(mta_buf_str(&err), "unsupported map type") &&
		   strstr(mta_buf_str(&err), "texthash"),
	   "error lists the types");
	ok(mta_map_open("nocolon", 0, &err) == NULL, "no type");
	map = mta_map_open("hash:/nonexistent/x", 0, &err);
	ok(map == NULL && errno == ENOENT, "missing .db is ENOENT");
	ok(strstr(mta_buf_str(&err), "/nonexistent/x.db") != NULL,
	   "error names the file");
	ok(mta_map_open("texthash:/nonexistent/x", 0, &err) == NULL &&
		   errno == ENOENT, "missing texthash source");
	ok(mta_map_open("static:x", MTA_MAP_CREATE, &err) == NULL,
	   "static cannot be created");
	mta_buf_release(&err);
}

/* test_texthash - source read at open, first duplicate kept, folding */
static void
test_texthash(void)
{
	char spec[300];
	struct mta_buf err = MTA_BUF_INIT(1024);
	struct mta_map *map;

	write_file(path_in("t"), "# comment\nKey value one\n  continued\n"
				 "dup first\nDUP second\nnovalue\n");
	snprintf(spec, sizeof(spec), "texthash:%s", path_in("t"));
	map = mta_map_open(spec, 0, &err);
	ok(map != NULL, "texthash opens");
	is_str(lookup(map, "KEY"), "value one  continued", "continuation");
	is_str(lookup(map, "dup"), "first", "first duplicate wins");
	is_str(lookup(map, "novalue"), "(none)", "line without value skipped");
	ok(!mta_map_changed(map), "texthash unchanged");
	write_file(path_in("t"), "other x\n");
	ok(mta_map_changed(map), "texthash changed after rewrite");
	mta_map_close(map);
	mta_buf_release(&err);
}

/* test_inline_static - the postmap-compatible inline: grammar */
static void
test_inline_static(void)
{
	struct mta_buf err = MTA_BUF_INIT(1024);
	struct mta_map *map;

	map = mta_map_open("inline:{a=1, B=2 {c = three, four}, d=x=y}", 0,
			   &err);
	ok(map != NULL, "inline opens");
	is_str(lookup(map, "a"), "1", "inline a");
	is_str(lookup(map, "b"), "2", "inline key folded");
	is_str(lookup(map, "C"), "three, four", "braced entry with comma");
	is_str(lookup(map, "d"), "x=y", "value may hold =");
	is_str(lookup(map, "e"), "(none)", "inline absent");
	mta_map_close(map);
	map = mta_map_open("inline:{a=1,a=2}", 0, &err);
	is_str(lookup(map, "a"), "2", "later inline entry wins");
	mta_map_close(map);
	ok(mta_map_open("inline:{a = 1}", 0, &err) == NULL, "blanks need braces");
	ok(mta_map_open("inline:{}", 0, &err) == NULL, "empty inline");
	ok(mta_map_open("inline:{a=1", 0, &err) == NULL, "unbalanced inline");
	ok(mta_map_open("inline:{a=1}x", 0, &err) == NULL, "text after brace");
	ok(mta_map_open("inline:{{a}=1}", 0, &err) == NULL, "text after group");
	map = mta_map_open("static:{ text with spaces }", 0, &err);
	is_str(lookup(map, "anything"), "text with spaces", "static braces");
	mta_map_close(map);
	map = mta_map_open("static:OK", 0, &err);
	is_str(lookup(map, "x"), "OK", "static value");
	mta_map_close(map);
	ok(mta_map_open("static:", 0, &err) == NULL, "static without value");
	ok(mta_map_open("static:{a", 0, &err) == NULL, "static unbalanced");
	mta_buf_release(&err);
}

/* test_cidr - first match, negation, if/endif, bad lines skipped */
static void
test_cidr(void)
{
	char spec[300];
	struct mta_buf err = MTA_BUF_INIT(1024);
	struct mta_map *map;

	write_file(path_in("c"), "192.168.1.1 exact\n192.168.0.0/16 net\n"
				 "10.1.2.3/8 hostbits\nbad.pattern x\n"
				 "if 10.0.0.0/8\n10.1.0.0/16 inner\nendif\n"
				 "10.0.0.0/8 ten\n!172.16.0.0/12 notpriv\n"
				 "[2001:db8::]/32 v6\n::1 lo\n");
	snprintf(spec, sizeof(spec), "cidr:%s", path_in("c"));
	mta_msg_sinks(0);	/* the bad lines warn */
	map = mta_map_open(spec, 0, &err);
	mta_msg_sinks(MTA_MSG_STDERR);
	ok(map != NULL, "cidr opens despite bad lines");
	is_str(lookup(map, "192.168.1.1"), "exact", "exact before net");
	is_str(lookup(map, "192.168.9.9"), "net", "prefix match");
	is_str(lookup(map, "10.1.9.9"), "inner", "inside if block");
	is_str(lookup(map, "10.2.9.9"), "ten", "after if block");
	is_str(lookup(map, "172.16.0.1"), "(none)", "negated miss");
	is_str(lookup(map, "8.8.8.8"), "notpriv", "negated match");
	is_str(lookup(map, "2001:DB8::5"), "v6", "IPv6 in brackets, case");
	is_str(lookup(map, "::1"), "lo", "IPv6 exact");
	is_str(lookup(map, "192.168.001.001"), "(none)", "odd address form");
	is_str(lookup(map, "not-an-address"), "(none)", "not an address");
	mta_map_close(map);
	mta_buf_release(&err);
}

/* test_mapsrc - the source parser and its warnings */
static void
test_mapsrc(void)
{
	struct mta_buf err = MTA_BUF_INIT(1024);
	struct mta_mapsrc src;
	char *key, *value;
	int lineno, n = 0;

	write_file(path_in("s"), "\"a b\"@x quoted value  \nun\"bal v\n"
				 "lat\xe9 v\nalias: x\nk\\ ey v\n");
	ok(mta_mapsrc_open(&src, path_in("s"), &err) == 0, "mapsrc opens");
	src.quiet = 1;
	while (mta_mapsrc_next(&src, &key, &value, &lineno) > 0) {
		if (n == 0) {
			is_str(key, "\"a b\"@x", "quoted blank stays in key");
			is_str(value, "quoted value", "value trimmed");
			is_int(lineno, 1, "line number");
		}
		if (n == 2)
			is_str(key, "k\\ ey", "backslash escapes a blank");
		n++;
	}
	is_int(n, 3, "bad quote and non-UTF-8 lines skipped");
	is_int(src.warnings, 3, "three warnings (quote, UTF-8, colon)");
	mta_mapsrc_close(&src);
	ok(mta_mapsrc_open(&src, path_in("nonexistent"), &err) < 0 &&
		   errno == ENOENT, "missing source");
	mta_buf_release(&err);
}

/* main - run each group in a scratch directory */
int
main(void)
{
	char cmd[300];

	mta_msg_init("map.t");
	if (mkdtemp(dir) == NULL)
		return 1;
	test_hash();
	test_nofold();
	test_abort_changed();
	test_errors();
	test_texthash();
	test_inline_static();
	test_cidr();
	test_mapsrc();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return done_testing();
}
