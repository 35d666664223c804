/*
 * map - "type:name" to a back-end, key folding, and the calls every
 * back-end answers (see map.h). The table below is the only place that
 * knows which types exist; the names hash, gdbm, btree and dbm all mean
 * our GDBM format, so that main.cf files written for Postfix keep working.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "map.h"
#include "map_impl.h"
#include "mem.h"
#include "str.h"

struct map_type {
	const char *name;	/* as written in "type:name" */
	const char *canon;	/* what map->type says */
	mta_map_open_fn open;
};

static const struct map_type map_types[] = {
	{"btree", "hash", mta_map_gdbm_open},
	{"cidr", "cidr", mta_map_cidr_open},
	{"dbm", "hash", mta_map_gdbm_open},
	{"gdbm", "hash", mta_map_gdbm_open},
	{"hash", "hash", mta_map_gdbm_open},
	{"inline", "inline", mta_map_inline_open},
	{"static", "static", mta_map_static_open},
	{"texthash", "texthash", mta_map_text_open},
};

#define MAP_NTYPES (sizeof(map_types) / sizeof(map_types[0]))

/* mta_map_types - the supported type names, for messages */
const char *
mta_map_types(void)
{
	return "btree, cidr, dbm, gdbm, hash, inline, static, texthash";
}

/* map_find_type - the table entry for a type name, or NULL */
static const struct map_type *
map_find_type(const char *name, size_t len)
{
	for (size_t i = 0; i < MAP_NTYPES; i++)
		if (strlen(map_types[i].name) == len &&
		    strncmp(map_types[i].name, name, len) == 0)
			return &map_types[i];
	return NULL;
}

/* mta_map_fold_text - fold a key read from text, as lookups will fold */
void
mta_map_fold_text(char *key, int flags)
{
	if (!(flags & MTA_MAP_NOFOLD))
		mta_str_lower(key);
}

/* mta_map_readonly - the error for a change a type cannot make */
int
mta_map_readonly(struct mta_map *map, const char *what)
{
	mta_buf_clear(&map->error);
	mta_buf_printf(&map->error, "table %s: %s is not supported by %s: maps",
		       map->spec, what, map->type);
	errno = EPERM;
	return -1;
}

/*
 * mta_map_open - open "type:name". Returns the map, or NULL with err
 * filled and errno set (see map.h).
 */
struct mta_map *
mta_map_open(const char *spec, int flags, struct mta_buf *err)
{
	const char *colon = strchr(spec, ':');
	const struct map_type *type;
	struct mta_map *map;

	mta_buf_clear(err);
	if (colon == NULL || colon == spec) {
		mta_buf_printf(err, "bad map name \"%.100s\": expected "
			       "type:name (supported types: %s)", spec,
			       mta_map_types());
		errno = EINVAL;
		return NULL;
	}
	type = map_find_type(spec, (size_t)(colon - spec));
	if (type == NULL) {
		mta_buf_printf(err, "unsupported map type \"%.*s\" in \"%.100s\""
			       " (supported types: %s)", (int)(colon - spec),
			       spec, spec, mta_map_types());
		errno = EINVAL;
		return NULL;
	}
	if ((map = type->open(colon + 1, flags, err)) == NULL)
		return NULL;
	map->spec = mta_strdup(spec);
	map->type = mta_strdup(type->canon);
	map->name = mta_strdup(colon + 1);
	map->flags = flags;
	mta_buf_init(&map->error, 1024);
	mta_buf_init(&map->fold, MTA_MAP_MAX_KEY);
	return map;
}

/*
 * map_key - the key as the back-end must see it: folded into map->fold
 * unless NOFOLD. NULL when it is longer than any stored key can be.
 */
static const char *
map_key(struct mta_map *map, const char *key)
{
	if (map->flags & MTA_MAP_NOFOLD)
		return strlen(key) <= MTA_MAP_MAX_KEY ? key : NULL;
	if (mta_buf_set(&map->fold, key) < 0)
		return NULL;
	mta_str_lower(map->fold.data);
	return map->fold.data;
}

/* map_toolong - the error for a key or value past the limits of map.h */
static int
map_toolong(struct mta_map *map, const char *what)
{
	mta_buf_clear(&map->error);
	mta_buf_printf(&map->error, "table %s: %s too long (limit %d bytes)",
		       map->spec, what, what[0] == 'k' ? MTA_MAP_MAX_KEY
						       : MTA_MAP_MAX_VALUE);
	errno = EMSGSIZE;
	return -1;
}

/* mta_map_lookup - 1 found (*value set), 0 not found, -1 error */
int
mta_map_lookup(struct mta_map *map, const char *key, const char **value)
{
	const char *k = map_key(map, key);

	*value = NULL;
	if (k == NULL)
		return 0;	/* no stored key can be that long */
	return map->ops->lookup(map, k, value);
}

/* map_check_update - key and value within limits, and the type can write */
static const char *
map_check_update(struct mta_map *map, const char *key, const char *value,
		 bool can)
{
	const char *k;

	if (!can) {
		mta_map_readonly(map, "update");
		return NULL;
	}
	if ((k = map_key(map, key)) == NULL) {
		map_toolong(map, "key");
		return NULL;
	}
	if (strlen(value) > MTA_MAP_MAX_VALUE) {
		map_toolong(map, "value");
		return NULL;
	}
	return k;
}

/* mta_map_update - store key = value, replacing what was there */
int
mta_map_update(struct mta_map *map, const char *key, const char *value)
{
	const char *k = map_check_update(map, key, value,
					 map->ops->update != NULL);

	return k ? map->ops->update(map, k, value) : -1;
}

/* mta_map_insert - store key = value unless the key is there (then 1) */
int
mta_map_insert(struct mta_map *map, const char *key, const char *value)
{
	const char *k = map_check_update(map, key, value,
					 map->ops->insert != NULL);

	return k ? map->ops->insert(map, k, value) : -1;
}

/* mta_map_remove - 1 removed, 0 no such key, -1 error */
int
mta_map_remove(struct mta_map *map, const char *key)
{
	const char *k;

	if (map->ops->remove == NULL)
		return mta_map_readonly(map, "delete");
	if ((k = map_key(map, key)) == NULL)
		return 0;
	return map->ops->remove(map, k);
}

/* mta_map_sequence - first or next entry: 1 got one, 0 end, -1 error */
int
mta_map_sequence(struct mta_map *map, bool first, const char **key,
		 const char **value)
{
	if (map->ops->sequence == NULL)
		return mta_map_readonly(map, "listing");
	return map->ops->sequence(map, first, key, value);
}

/* mta_map_commit - make a created or updated map visible to readers */
int
mta_map_commit(struct mta_map *map)
{
	if (map->ops->commit == NULL)
		return 0;
	return map->ops->commit(map);
}

/* mta_map_changed - has the map on disk been replaced since open */
bool
mta_map_changed(struct mta_map *map)
{
	return map->ops->changed ? map->ops->changed(map) : false;
}

/* mta_map_error - why the last call returned -1 */
const char *
mta_map_error(struct mta_map *map)
{
	return mta_buf_str(&map->error);
}

/* mta_map_close - release the map (an uncommitted new map is thrown away) */
void
mta_map_close(struct mta_map *map)
{
	if (map == NULL)
		return;
	map->ops->close(map);
	free(map->spec);
	free(map->type);
	free(map->name);
	mta_buf_release(&map->error);
	mta_buf_release(&map->fold);
	free(map);
}
