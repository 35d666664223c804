/* Unit tests for lib/atomic and lib/path. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic.h"
#include "path.h"
#include "tap.h"

static int
count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	if (d)
		closedir(d);
	return n;
}

static void
slurp(const char *path, char *out, size_t size)
{
	FILE *fp = fopen(path, "r");
	size_t n = fp ? fread(out, 1, size - 1, fp) : 0;

	out[n] = '\0';
	if (fp)
		fclose(fp);
}

int
main(void)
{
	char dir[] = "/tmp/mta-atomic.XXXXXX";
	char path[256], got[64], small[8];
	struct mta_atomic af;

	ok(mkdtemp(dir) != NULL, "scratch directory");
	ok(mta_path_join(path, sizeof(path), dir, "file") == 0, "join");
	ok(mta_path_join(small, sizeof(small), "/long/dir", "name") == -1,
	   "join reports truncation");
	ok(mta_atomic_begin(&af, path, 0644) == 0, "begin");
	mta_write_all(af.fd, "old\n", 4);
	ok(mta_atomic_commit(&af) == 0, "commit");
	slurp(path, got, sizeof(got));
	is_str(got, "old\n", "the file has the new text");
	ok(mta_atomic_begin(&af, path, 0644) == 0, "begin again");
	mta_write_all(af.fd, "new\n", 4);
	slurp(path, got, sizeof(got));
	is_str(got, "old\n", "before commit readers see the old text");
	mta_atomic_abort(&af);
	slurp(path, got, sizeof(got));
	is_str(got, "old\n", "abort keeps the old text");
	is_int(count_entries(dir), 1, "abort leaves no temporary file");
	ok(mta_path_dirname(got, sizeof(got), "/a/b/c") == 0 &&
		   strcmp(got, "/a/b") == 0,
	   "dirname");
	ok(mta_path_dirname(got, sizeof(got), "c") == 0 &&
		   strcmp(got, ".") == 0,
	   "dirname of a bare name is .");
	is_str(mta_path_basename("/a/b/c"), "c", "basename");
	unlink(path);
	rmdir(dir);
	return done_testing();
}
