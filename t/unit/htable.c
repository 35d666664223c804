/* Unit tests for lib/htable: lookups, order, removal, growth. */
#include <stdio.h>
#include <stdlib.h>

#include "htable.h"
#include "mem.h"
#include "tap.h"

int
main(void)
{
	struct mta_htable t;
	struct mta_htable_entry *e;
	char key[32];
	size_t pos = 0;
	int bad = 0;

	mta_htable_init(&t, free);
	ok(mta_htable_find(&t, "x") == NULL, "empty table finds nothing");
	ok(mta_htable_insert(&t, "b", mta_strdup("2")) == 0, "insert b");
	ok(mta_htable_insert(&t, "a", mta_strdup("1")) == 0, "insert a");
	ok(mta_htable_insert(&t, "a", NULL) == -1, "a second insert refused");
	mta_htable_replace(&t, "a", mta_strdup("one"));
	is_str(mta_htable_find(&t, "a"), "one", "replace changes the value");
	e = mta_htable_next(&t, &pos);
	is_str(e ? e->key : NULL, "b", "iteration in insertion order");
	ok(mta_htable_remove(&t, "b") == 0, "remove b");
	ok(mta_htable_remove(&t, "b") == -1, "remove twice fails");
	ok(mta_htable_find(&t, "b") == NULL, "b is gone");
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		mta_htable_insert(&t, key, mta_strdup(key));
	}
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		const char *v = mta_htable_find(&t, key);
		if (v == NULL || strcmp(v, key) != 0)
			bad++;
	}
	is_int(bad, 0, "5000 keys survive growth");
	is_int(t.count, 5001, "count of live entries");
	mta_htable_release(&t);
	return done_testing();
}
