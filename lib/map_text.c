/*
 * map_text - texthash:PATH, the source file PATH (mapsrc.h syntax) read
 * into memory when the map is opened: no .db file and no mta-map run
 * needed, at the price of reading the whole file at every open. As when
 * building a hash: map, the first of two entries with the same key wins
 * and the second is warned about. changed() says whether PATH has been
 * replaced or modified since.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "htable.h"
#include "map_impl.h"
#include "mapsrc.h"
#include "mem.h"
#include "msg.h"

struct map_text {
	struct mta_map map;
	struct mta_htable table;
	char *path;
	struct stat st;	/* the source as it was read */
	size_t seq;	/* sequence position in the table */
};

/* text_lookup - 1 found, 0 not */
static int
text_lookup(struct mta_map *map, const char *key, const char **value)
{
	struct map_text *mt = (struct map_text *)map;

	*value = mta_htable_find(&mt->table, key);
	return *value != NULL;
}

/* text_sequence - entries in file order */
static int
text_sequence(struct mta_map *map, bool first, const char **key,
	      const char **value)
{
	struct map_text *mt = (struct map_text *)map;
	struct mta_htable_entry *e;

	if (first)
		mt->seq = 0;
	if ((e = mta_htable_next(&mt->table, &mt->seq)) == NULL)
		return 0;
	*key = e->key;
	*value = e->value;
	return 1;
}

/* text_changed - the source is another file now, or was modified */
static bool
text_changed(struct mta_map *map)
{
	struct map_text *mt = (struct map_text *)map;
	struct stat st;

	if (stat(mt->path, &st) < 0)
		return true;
	return st.st_ino != mt->st.st_ino || st.st_dev != mt->st.st_dev ||
	       st.st_mtim.tv_sec != mt->st.st_mtim.tv_sec ||
	       st.st_mtim.tv_nsec != mt->st.st_mtim.tv_nsec ||
	       st.st_size != mt->st.st_size;
}

/* text_close - free the table */
static void
text_close(struct mta_map *map)
{
	struct map_text *mt = (struct map_text *)map;

	mta_htable_release(&mt->table);
	free(mt->path);
}

static const struct mta_map_ops text_ops = {
	.lookup = text_lookup,
	.sequence = text_sequence,
	.changed = text_changed,
	.close = text_close,
};

/* text_load - read every entry of the source into the table */
static int
text_load(struct map_text *mt, struct mta_mapsrc *src, int flags,
	  struct mta_buf *err)
{
	char *key, *value;
	int lineno, rc;

	while ((rc = mta_mapsrc_next(src, &key, &value, &lineno)) > 0) {
		mta_map_fold_text(key, flags);
		if (mta_htable_find(&mt->table, key) != NULL) {
			mta_msg_warn("%s, line %d: duplicate entry: \"%s\" "
				     "(the first one is kept)", mt->path,
				     lineno, key);
			continue;
		}
		mta_htable_insert(&mt->table, key, mta_strdup(value));
	}
	if (rc < 0) {
		mta_buf_set(err, mta_buf_str(&src->error));
		errno = EIO;
	}
	return rc;
}

/* mta_map_text_open - texthash:PATH, read-only */
struct mta_map *
mta_map_text_open(const char *name, int flags, struct mta_buf *err)
{
	struct map_text *mt;
	struct mta_mapsrc src;
	int rc;

	if (flags & (MTA_MAP_CREATE | MTA_MAP_WRITE)) {
		mta_buf_printf(err, "texthash:%s is read-only: edit the file "
			       "itself", name);
		errno = EINVAL;
		return NULL;
	}
	if (mta_mapsrc_open(&src, name, err) < 0)
		return NULL;
	mt = mta_calloc(1, sizeof(*mt));
	mt->map.ops = &text_ops;
	mt->path = mta_strdup(name);
	mta_htable_init(&mt->table, free);
	if (fstat(fileno(src.lr.fp), &mt->st) < 0)
		memset(&mt->st, 0, sizeof(mt->st));
	rc = text_load(mt, &src, flags, err);
	mta_mapsrc_close(&src);
	if (rc < 0) {
		text_close(&mt->map);
		free(mt);
		return NULL;
	}
	return &mt->map;
}
