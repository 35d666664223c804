/* mem - allocation that never returns NULL (see mem.h). */
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "mem.h"
#include "msg.h"

static void
mem_fail(size_t size)
{
	mta_msg_fatal_status(EX_OSERR, "out of memory (%zu bytes)", size);
}

/* mta_malloc - malloc or die */
void *
mta_malloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		mem_fail(size);
	return p;
}

/* mta_calloc - zeroed array or die */
void *
mta_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		mem_fail(n * size);
	return p;
}

/* mta_realloc - realloc or die */
void *
mta_realloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (p == NULL)
		mem_fail(size);
	return p;
}

/* mta_reallocarray - realloc of n elements, overflow-checked, or die */
void *
mta_reallocarray(void *ptr, size_t n, size_t size)
{
	void *p = reallocarray(ptr, n ? n : 1, size ? size : 1);

	if (p == NULL)
		mem_fail(n * size);
	return p;
}

/* mta_strdup - strdup or die */
char *
mta_strdup(const char *s)
{
	return mta_memdup(s, strlen(s) + 1);
}

/* mta_strndup - at most len bytes of s, NUL-terminated, or die */
char *
mta_strndup(const char *s, size_t len)
{
	size_t n = strnlen(s, len);
	char *p = mta_malloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* mta_memdup - a copy of len bytes, or die */
void *
mta_memdup(const void *src, size_t len)
{
	void *p = mta_malloc(len);

	memcpy(p, src, len);
	return p;
}
