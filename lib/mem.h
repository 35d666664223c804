/*
 * mem - allocation that never returns NULL: running out of memory is fatal,
 * so callers need no error path for it.
 */
#ifndef MTA_MEM_H
#define MTA_MEM_H

#include <stddef.h>

void *mta_malloc(size_t size);
void *mta_calloc(size_t n, size_t size);
void *mta_realloc(void *ptr, size_t size);
void *mta_reallocarray(void *ptr, size_t n, size_t size);
char *mta_strdup(const char *s);
char *mta_strndup(const char *s, size_t len);
void *mta_memdup(const void *p, size_t len);

#endif
