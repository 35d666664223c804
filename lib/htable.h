/*
 * htable - a string-keyed hash table that remembers insertion order.
 *
 * Keys are copied; values are the caller's (an optional free function is
 * called on them when the table is freed or a value replaced). Iteration
 * goes in the order keys were first added, which keeps listings of main.cf
 * and map sources in file order.
 */
#ifndef MTA_HTABLE_H
#define MTA_HTABLE_H

#include <stddef.h>

struct mta_htable_entry {
	char *key;
	void *value;
	size_t next;	/* chain: index into entries, or SIZE_MAX */
	int live;
};

struct mta_htable {
	struct mta_htable_entry *entries;
	size_t used;	/* entries[0..used) in insertion order */
	size_t count;	/* live entries */
	size_t cap;
	size_t *buckets;
	size_t nbuckets;
	void (*free_value)(void *);
};

void mta_htable_init(struct mta_htable *t, void (*free_value)(void *));
void mta_htable_release(struct mta_htable *t);
void *mta_htable_find(const struct mta_htable *t, const char *key);
struct mta_htable_entry *mta_htable_locate(const struct mta_htable *t,
					   const char *key);
int mta_htable_insert(struct mta_htable *t, const char *key, void *value);
void mta_htable_replace(struct mta_htable *t, const char *key, void *value);
int mta_htable_remove(struct mta_htable *t, const char *key);
struct mta_htable_entry *mta_htable_next(const struct mta_htable *t,
					 size_t *pos);

#endif
