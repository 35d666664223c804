/* htable - ordered string-keyed hash table (see htable.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "htable.h"
#include "mem.h"

#define NONE SIZE_MAX

/* htable_hash - FNV-1a: cheap and good enough for configuration keys */
static size_t
htable_hash(const char *key)
{
	uint64_t h = 1469598103934665603ULL;

	for (const unsigned char *cp = (const unsigned char *)key; *cp; cp++) {
		h ^= *cp;
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

/* mta_htable_init - an empty table */
void
mta_htable_init(struct mta_htable *t, void (*free_value)(void *))
{
	memset(t, 0, sizeof(*t));
	t->free_value = free_value;
}

/* mta_htable_release - free keys, values (with free_value) and storage */
void
mta_htable_release(struct mta_htable *t)
{
	for (size_t i = 0; i < t->used; i++) {
		free(t->entries[i].key);
		if (t->entries[i].live && t->free_value)
			t->free_value(t->entries[i].value);
	}
	free(t->entries);
	free(t->buckets);
	mta_htable_init(t, t->free_value);
}

/* mta_htable_locate - the live entry for key, or NULL */
struct mta_htable_entry *
mta_htable_locate(const struct mta_htable *t, const char *key)
{
	if (t->nbuckets == 0)
		return NULL;
	for (size_t i = t->buckets[htable_hash(key) % t->nbuckets]; i != NONE;
	     i = t->entries[i].next)
		if (t->entries[i].live && strcmp(t->entries[i].key, key) == 0)
			return &t->entries[i];
	return NULL;
}

/* mta_htable_find - the value for key, or NULL */
void *
mta_htable_find(const struct mta_htable *t, const char *key)
{
	struct mta_htable_entry *e = mta_htable_locate(t, key);

	return e ? e->value : NULL;
}

/* htable_rehash - grow the bucket array and rebuild the chains */
static void
htable_rehash(struct mta_htable *t, size_t nbuckets)
{
	free(t->buckets);
	t->buckets = mta_reallocarray(NULL, nbuckets, sizeof(size_t));
	t->nbuckets = nbuckets;
	for (size_t b = 0; b < nbuckets; b++)
		t->buckets[b] = NONE;
	for (size_t i = 0; i < t->used; i++) {
		size_t b = htable_hash(t->entries[i].key) % nbuckets;

		t->entries[i].next = t->buckets[b];
		t->buckets[b] = i;
	}
}

/* mta_htable_insert - add key; -1 (and nothing done) if already there */
int
mta_htable_insert(struct mta_htable *t, const char *key, void *value)
{
	size_t b;

	if (mta_htable_locate(t, key))
		return -1;
	if (t->used == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->entries = mta_reallocarray(t->entries, t->cap,
					      sizeof(*t->entries));
	}
	t->entries[t->used].key = mta_strdup(key);
	t->entries[t->used].value = value;
	t->entries[t->used].live = 1;
	t->used++;
	t->count++;
	if (t->used > t->nbuckets) {
		htable_rehash(t, t->nbuckets ? t->nbuckets * 2 : 16);
	} else {
		b = htable_hash(key) % t->nbuckets;
		t->entries[t->used - 1].next = t->buckets[b];
		t->buckets[b] = t->used - 1;
	}
	return 0;
}

/* mta_htable_replace - set key to value, freeing an old value */
void
mta_htable_replace(struct mta_htable *t, const char *key, void *value)
{
	struct mta_htable_entry *e = mta_htable_locate(t, key);

	if (e == NULL) {
		mta_htable_insert(t, key, value);
		return;
	}
	if (t->free_value && e->value != value)
		t->free_value(e->value);
	e->value = value;
}

/* mta_htable_remove - drop key; -1 if it was not there */
int
mta_htable_remove(struct mta_htable *t, const char *key)
{
	struct mta_htable_entry *e = mta_htable_locate(t, key);

	if (e == NULL)
		return -1;
	/* The slot stays in its chain, dead, so indexes need not move. */
	e->live = 0;
	free(e->key);
	e->key = mta_strdup("");
	if (t->free_value)
		t->free_value(e->value);
	e->value = NULL;
	t->count--;
	return 0;
}

/* mta_htable_next - iterate in insertion order; start with *pos = 0 */
struct mta_htable_entry *
mta_htable_next(const struct mta_htable *t, size_t *pos)
{
	while (*pos < t->used) {
		struct mta_htable_entry *e = &t->entries[(*pos)++];

		if (e->live)
			return e;
	}
	return NULL;
}
