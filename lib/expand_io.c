/* expand_io - the files and maps of expansion (see expand.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "expand.h"
#include "line.h"
#include "map.h"

#define EXP_LINE_MAX 65536

/*
 * mta_expand_map_alias - look a name up in alias_maps, in order: 1 found,
 * 0 in none, -1 when a map could not answer (then the caller defers,
 * never takes it for "not found")
 */
int
mta_expand_map_alias(struct mta_map *const *maps, size_t n, const char *name,
		     const char **value, struct mta_buf *err)
{
	int rc;

	for (size_t i = 0; i < n; i++) {
		rc = mta_map_lookup(maps[i], name, value);
		if (rc < 0) {
			mta_buf_printf(err, "%s: %s", maps[i]->spec,
				       mta_map_error(maps[i]));
			return -1;
		}
		if (rc > 0)
			return 1;
	}
	return 0;
}

/* readable - would reader be allowed to read a file with this status? */
static bool
readable(const struct stat *st, uid_t reader)
{
	if (reader == (uid_t)-1 || reader == 0 || (st->st_mode & S_IROTH))
		return true;
	return st->st_uid == reader && (st->st_mode & S_IRUSR);
}

/* read_lines - the logical lines of an open file, joined with LF */
static int
read_lines(FILE *fp, const char *path, struct mta_buf *value,
	   struct mta_buf *err)
{
	struct mta_line lr;
	char *line;
	size_t len;
	int rc;

	mta_line_attach(&lr, fp, path, EXP_LINE_MAX, MTA_LINE_LOGICAL);
	while ((rc = mta_line_read(&lr, &line, &len)) == MTA_LINE_OK) {
		if ((value->len && mta_buf_addc(value, '\n') < 0) ||
		    mta_buf_add(value, line, len) < 0) {
			rc = MTA_LINE_TOOLONG;
			break;
		}
	}
	if (rc == MTA_LINE_TOOLONG)
		mta_buf_printf(err, "%s: file or line too long", path);
	else if (rc == MTA_LINE_ERROR)
		mta_buf_printf(err, "%s: %s", path, strerror(errno));
	mta_line_close(&lr);
	return rc == MTA_LINE_EOF ? 1 : -1;
}

/* mta_expand_read_file - an include file or .forward (see expand.h) */
int
mta_expand_read_file(const char *path, uid_t reader, bool must_own,
		     struct mta_buf *value, uid_t *uid, gid_t *gid,
		     struct mta_buf *err)
{
	const char *why = NULL;
	struct stat st;
	FILE *fp;
	int fd, rc;

	mta_buf_clear(value);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		why = errno == ELOOP ? "is a symbolic link" : strerror(errno);
	else if (fstat(fd, &st) < 0)
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = "is not a regular file";
	else if (!readable(&st, reader))
		why = strerror(EACCES);
	else if (must_own && st.st_uid != reader && st.st_uid != 0)
		why = "is not owned by the user";
	if (why != NULL || (fp = fdopen(fd, "r")) == NULL) {
		mta_buf_printf(err, "%s: %s", path, why ? why : strerror(errno));
		if (fd >= 0)
			(void)close(fd);
		return -1;
	}
	*uid = st.st_uid;
	*gid = st.st_gid;
	rc = read_lines(fp, path, value, err);
	fclose(fp);
	return rc;
}

