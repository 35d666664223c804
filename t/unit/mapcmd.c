/* mapcmd - the query, list and delete modes shared by mta-map and mta-alias. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "mapcmd.h"
#include "msg.h"
#include "tap.h"

static char dir[] = "/tmp/mta-mapcmd-test.XXXXXX";
static char text[8 * 65536];
static struct mta_mapcmd_opts opts;
static struct poptOption table[MTA_MAPCMD_NOPTS + 1];

/* The two programs' words (their --help text does not matter here). */
static const struct mta_mapcmd_prog map_prog = {
	.name = "mta-map", .word = "key", .sep = "\t", .json_map = false,
	.arg = "KEY", .help = { "q", "s", "d", "i", "f", "r", "w", "json" },
};
static const struct mta_mapcmd_prog alias_prog = {
	.name = "mta-alias", .word = "name", .sep = ":\t", .json_map = true,
	.arg = "NAME", .help = { "q", "s", "d", "i", "f", "r", "w", "json" },
};

/* path_in - a file name in the scratch directory */
static const char *
path_in(const char *name)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "%s/%s", dir, name);
	return buf;
}

/* take - what was written to fp since the last take, as a string */
static const char *
take(FILE *fp)
{
	size_t n;

	fflush(fp);
	rewind(fp);
	n = fread(text, 1, sizeof(text) - 1, fp);
	text[n] = '\0';
	rewind(fp);
	if (ftruncate(fileno(fp), 0) < 0)
		text[0] = '\0';
	return text;
}

/* input - give cmd the text as its stdin */
static void
input(struct mta_mapcmd *cmd, const char *s)
{
	if (cmd->in != stdin)
		fclose(cmd->in);
	cmd->in = fmemopen((void *)s, strlen(s), "r");
}

/* setup - a program's words, its own output file, and the given maps */
static void
setup(struct mta_mapcmd *cmd, bool alias, const char *const *maps)
{
	mta_mapcmd_init(cmd, alias ? &alias_prog : &map_prog, table, &opts);
	cmd->out = tmpfile();
	for (; *maps; maps++)
		mta_mapcmd_add(cmd, *maps);
}

/* teardown - what setup and input made */
static void
teardown(struct mta_mapcmd *cmd)
{
	fclose(cmd->out);
	if (cmd->in != stdin)
		fclose(cmd->in);
	mta_mapcmd_release(cmd, &opts);
}

/* build - a hash map with the given entries, committed */
static void
build(const char *spec, const char *const *kv)
{
	struct mta_buf err = MTA_BUF_INIT(1024);
	struct mta_map *map = mta_map_open(spec, MTA_MAP_CREATE, &err);

	for (; map && kv[0]; kv += 2)
		mta_map_insert(map, kv[0], kv[1]);
	ok(map && mta_map_commit(map) == 0, "test map built");
	mta_map_close(map);
	mta_buf_release(&err);
}

/* test_list - "FILE" gets the default type; types that mta-alias builds */
static void
test_list(void)
{
	struct mta_mapcmd cmd;
	const char *const maps[] = { "aliases", "texthash:/x", NULL };

	setup(&cmd, false, maps);
	is_int(cmd.nmaps, 2, "two maps");
	is_str(cmd.maps[0], "hash:aliases", "a bare file is hash:");
	is_str(cmd.maps[1], "texthash:/x", "a type is kept");
	ok(cmd.maps[2] == NULL, "the list ends with NULL");
	ok(mta_mapcmd_buildable("gdbm:x") && !mta_mapcmd_buildable("cidr:x"),
	   "gdbm: is built from a file, cidr: is not");
	is_int(mta_mapcmd_status(ENOENT, 99), EX_NOINPUT, "ENOENT is 66");
	is_int(mta_mapcmd_status(EINVAL, 99), EX_USAGE, "EINVAL is 64");
	is_int(mta_mapcmd_status(EACCES, 99), EX_NOPERM, "EACCES is 77");
	is_int(mta_mapcmd_status(EIO, 99), 99, "others: the fallback");
	teardown(&cmd);
}

/* test_options - the shared popt entries, checks and dispatch */
static void
test_options(void)
{
	const char *argv[] = { "mta-map", "-q", "A", "-f", "--json",
			       "inline:{A=1}", NULL };
	const char *const none[] = { NULL };
	struct mta_mapcmd cmd;
	poptContext ctx;

	setup(&cmd, false, none);
	is_str(table[0].longName, "query", "-q first");
	is_str(table[0].argDescrip, "KEY", "named by the program's arg");
	is_str(table[7].descrip, "json", "help from the program");
	ctx = poptGetContext(NULL, 6, argv, table, 0);
	is_int(poptGetNextOpt(ctx), -1, "options parsed");
	ok(mta_mapcmd_conflict(&opts) == NULL, "-q with --json is fine");
	mta_mapcmd_set(&cmd, &opts, poptGetArgs(ctx));
	ok(cmd.nmaps == 1 && cmd.json && cmd.flags == MTA_MAP_NOFOLD,
	   "maps, --json and -f taken");
	is_int(mta_mapcmd_run(&cmd, &opts), 0, "-q runs");
	is_str(take(cmd.out), "{\"key\":\"A\",\"value\":\"1\"}\n",
	       "-f kept the case");
	opts.show = 1;
	is_str(mta_mapcmd_conflict(&opts), "use only one of -q, -d, -s and -i",
	       "-q with -s is not");
	opts.show = 0;
	free(opts.query);
	opts.query = NULL;
	is_int(mta_mapcmd_run(&cmd, &opts), -1, "no -q, -d, -s: the program's");
	is_str(mta_mapcmd_conflict(&opts), "--json goes with -q or -s",
	       "--json alone is not");
	teardown(&cmd);
	poptFreeContext(ctx);
}

/* test_query_map - mta-map's output: the value alone, key<TAB>value */
static void
test_query_map(void)
{
	struct mta_mapcmd cmd;
	const char *const maps[] = { "inline:{a=1, b=2}", "inline:{b=x, c=3}",
				     NULL };

	setup(&cmd, false, maps);
	is_int(mta_mapcmd_query(&cmd, "B"), 0, "-q B: found");
	is_str(take(cmd.out), "2\n", "the first map answers, value alone");
	is_int(mta_mapcmd_query(&cmd, "c"), 0, "-q c: found in the second");
	is_str(take(cmd.out), "3\n", "its value");
	is_int(mta_mapcmd_query(&cmd, "zz"), 1, "-q zz: exit 1");
	is_str(take(cmd.out), "", "and nothing printed");
	input(&cmd, "A\nnone\nc\n");
	is_int(mta_mapcmd_query(&cmd, "-"), 0, "-q -: found some");
	is_str(take(cmd.out), "A\t1\nc\t3\n", "key<TAB>value, key as given");
	input(&cmd, "none\n");
	is_int(mta_mapcmd_query(&cmd, "-"), 1, "-q -: none found is 1");
	cmd.json = true;
	is_int(mta_mapcmd_query(&cmd, "a"), 0, "--json -q a");
	is_str(take(cmd.out), "{\"key\":\"a\",\"value\":\"1\"}\n",
	       "JSON with \"key\" and no map");
	teardown(&cmd);
}

/* test_query_alias - mta-alias's output: name:<TAB>value, JSON with map */
static void
test_query_alias(void)
{
	struct mta_mapcmd cmd;
	const char *const maps[] = { "inline:{root=user}", "hash:missing",
				     NULL };

	setup(&cmd, true, maps);
	is_int(mta_mapcmd_query(&cmd, "root"), 0,
	       "-q: a later map is not opened when an earlier one answers");
	is_str(take(cmd.out), "user\n", "the value alone");
	input(&cmd, "root\n");
	is_int(mta_mapcmd_query(&cmd, "-"), EX_NOINPUT,
	       "-q -: every map is opened first, a missing one is 66");
	ok(strstr(take(stderr), "(build it first: mta-alias hash:missing)"),
	   "the error says how to build it");
	mta_mapcmd_release(&cmd, &opts);
	mta_mapcmd_add(&cmd, "inline:{root=user, {x=a\"b\tc}}");
	input(&cmd, "ROOT\nx\n");
	is_int(mta_mapcmd_query(&cmd, "-"), 0, "-q - on one map");
	is_str(take(cmd.out), "ROOT:\tuser\nx:\ta\"b\tc\n", "name:<TAB>value");
	cmd.json = true;
	is_int(mta_mapcmd_query(&cmd, "x"), 0, "--json -q x");
	is_str(take(cmd.out), "{\"name\":\"x\",\"value\":\"a\\\"b\\tc\","
	       "\"map\":\"inline:{root=user, {x=a\\\"b\\tc}}\"}\n",
	       "JSON with \"name\", escaped, and the map");
	teardown(&cmd);
}

/* test_dump - -s map by map; a map that cannot list is 69 */
static void
test_dump(void)
{
	struct mta_mapcmd cmd;
	const char *const maps[] = { "inline:{a=1, b=2}", "static:x",
				     "hash:missing", NULL };

	setup(&cmd, true, maps);
	is_int(mta_mapcmd_dump(&cmd), EX_UNAVAILABLE, "static: cannot list");
	is_str(take(cmd.out), "a:\t1\nb:\t2\n", "the maps before it listed");
	ok(strstr(take(stderr), "listing is not supported"), "and why not");
	teardown(&cmd);
}

/* test_open_errors - the exit status and hint of each failed open */
static void
test_open_errors(void)
{
	struct mta_mapcmd cmd;
	const char *const bad[] = { "foo:bar", NULL };
	const char *const texthash[] = { "texthash:/nonexistent/x", NULL };

	setup(&cmd, false, bad);
	is_int(mta_mapcmd_query(&cmd, "a"), EX_USAGE, "unknown type is 64");
	ok(strstr(take(stderr), "unsupported map type"), "and says so");
	is_int(mta_mapcmd_delete(&cmd, "a"), EX_USAGE, "for -d too");
	take(stderr);
	teardown(&cmd);
	setup(&cmd, false, texthash);
	is_int(mta_mapcmd_query(&cmd, "a"), EX_NOINPUT, "missing file is 66");
	ok(strstr(take(stderr), "build it first") == NULL,
	   "no build hint for a type that is not built");
	teardown(&cmd);
}

/* test_delete - -d KEY and -d -: 0 when something went, 1 when not */
static void
test_delete(void)
{
	const char *const kv[] = { "a", "1", "b", "2", "c", "3", NULL };
	const char *const maps[] = { "hash:del", NULL };
	struct mta_mapcmd cmd;

	build("hash:del", kv);
	setup(&cmd, false, maps);
	is_int(mta_mapcmd_delete(&cmd, "A"), 0, "-d A: removed");
	is_int(mta_mapcmd_delete(&cmd, "a"), 1, "-d a again: 1");
	input(&cmd, "zz\nb\n");
	is_int(mta_mapcmd_delete(&cmd, "-"), 0, "-d -: one of them removed");
	input(&cmd, "zz\n");
	is_int(mta_mapcmd_delete(&cmd, "-"), 1, "-d -: none removed is 1");
	is_int(mta_mapcmd_dump(&cmd), 0, "-s after deleting");
	is_str(take(cmd.out), "c\t3\n", "only c is left");
	mta_mapcmd_release(&cmd, &opts);
	mta_mapcmd_add(&cmd, "static:x");
	is_int(mta_mapcmd_delete(&cmd, "a"), EX_USAGE, "static: is read-only");
	take(stderr);
	teardown(&cmd);
}

/* test_json_worst - a value that escapes to six bytes a byte still fits */
static void
test_json_worst(void)
{
	static char value[MTA_MAP_MAX_VALUE];
	const char *kv[] = { "k", value, NULL };
	const char *const maps[] = { "hash:worst", NULL };
	struct mta_mapcmd cmd;

	memset(value, '\1', sizeof(value) - 1);
	build("hash:worst", kv);
	setup(&cmd, true, maps);
	cmd.json = true;
	is_int(mta_mapcmd_query(&cmd, "k"), 0, "--json of a worst case");
	is_int((long)strlen(take(cmd.out)),
	       (long)(6 * (sizeof(value) - 1) + 43),
	       "the whole object is printed");
	teardown(&cmd);
}

int
main(void)
{
	mta_msg_init("mapcmd");
	if (mkdtemp(dir) == NULL || chdir(dir) < 0 ||
	    freopen(path_in("stderr"), "w+", stderr) == NULL)
		return 1;
	test_list();
	test_options();
	test_query_map();
	test_query_alias();
	test_dump();
	test_open_errors();
	test_delete();
	test_json_worst();
	unlink(path_in("stderr"));
	unlink(path_in("del.db"));
	unlink(path_in("worst.db"));
	rmdir(dir);
	return done_testing();
}
