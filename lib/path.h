/*
 * path - file names built into fixed buffers that report truncation instead
 * of cutting silently.
 */
#ifndef MTA_PATH_H
#define MTA_PATH_H

#include <stddef.h>

int mta_path_join(char *out, size_t size, const char *dir, const char *name);
int mta_path_dirname(char *out, size_t size, const char *path);
const char *mta_path_basename(const char *path);

#endif
