/* path - bounded file name building (see path.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "path.h"

/* mta_path_join - dir/name into out; -1 (ENAMETOOLONG) if it does not fit */
int
mta_path_join(char *out, size_t size, const char *dir, const char *name)
{
	size_t dl = strlen(dir);
	int n;

	if (name[0] == '/' || dl == 0)
		n = snprintf(out, size, "%s", name);
	else if (dir[dl - 1] == '/')
		n = snprintf(out, size, "%s%s", dir, name);
	else
		n = snprintf(out, size, "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* mta_path_dirname - the directory part of path ("." when there is none) */
int
mta_path_dirname(char *out, size_t size, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t len;

	if (slash == NULL)
		return mta_path_join(out, size, "", ".");
	len = slash == path ? 1 : (size_t)(slash - path);
	if (len >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(out, path, len);
	out[len] = '\0';
	return 0;
}

/* mta_path_basename - the last component of path */
const char *
mta_path_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}
