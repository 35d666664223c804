/*
 * map - one interface to every lookup table, named "TYPE:NAME".
 *
 *	hash:PATH	a GDBM file PATH.db built from the text file PATH by
 *			mta-map (gdbm:, btree: and dbm: are accepted as names
 *			for the same thing); see map_gdbm.c for the on-disk
 *			key convention
 *	texthash:PATH	the text file PATH read into memory at open
 *	inline:{k=v, { k = v with, commas }}	a table in the text itself
 *	static:VALUE	every key finds VALUE (static:{text with spaces})
 *	cidr:PATH	network/prefix patterns, first match in file order
 *
 * Keys are folded to lower case (ASCII) before every lookup and update
 * unless the map is opened with MTA_MAP_NOFOLD, as postmap does without -f.
 * A lookup returns 1 (found; *value stays valid until the next call on the
 * map), 0 (not found) or -1 (the map could not answer: map->error says
 * why; callers must treat it as "try again later", never as "not found").
 *
 * A map opened with MTA_MAP_CREATE starts empty in a temporary file beside
 * the target; mta_map_commit() syncs it and renames it over the old one, so
 * that a reader sees the whole old map or the whole new one, never half.
 * Closing without commit throws the new map away.
 *
 * Added for mta-map: mta_map_insert() stores a key only when it is not
 * there yet (1: it was, nothing changed), which is how a source file's
 * duplicate keys are found; mta_map_remove() returns 1 (removed), 0 (there
 * was no such key) or -1. mta_map_open() returns NULL with err filled and
 * errno set: ENOENT (a file is missing), EINVAL (unknown type or bad
 * syntax: err lists the supported types), or the system's reason.
 * mta_map_types() is that list, "cidr, hash, ...".
 */
#ifndef MTA_MAP_H
#define MTA_MAP_H

#include <stdbool.h>
#include <sys/types.h>

#include "buf.h"

#define MTA_MAP_READ 0
#define MTA_MAP_WRITE 1	/* update an existing map in place */
#define MTA_MAP_CREATE 2	/* build a new map, visible at commit */
#define MTA_MAP_NOFOLD 4	/* keys keep their case */

#define MTA_MAP_MAX_KEY 4096
#define MTA_MAP_MAX_VALUE 65536

struct mta_map;

struct mta_map_ops {
	int (*lookup)(struct mta_map *map, const char *key, const char **value);
	/* The rest may be NULL where a type cannot do it. */
	int (*update)(struct mta_map *map, const char *key, const char *value);
	int (*remove)(struct mta_map *map, const char *key);
	int (*sequence)(struct mta_map *map, bool first, const char **key,
			const char **value);
	int (*commit)(struct mta_map *map);
	bool (*changed)(struct mta_map *map);
	void (*close)(struct mta_map *map);
	/* 0 stored, 1 the key was there (left as it was), -1 error. */
	int (*insert)(struct mta_map *map, const char *key, const char *value);
};

/* Back-ends embed this as their first member. */
struct mta_map {
	const struct mta_map_ops *ops;
	char *spec;	/* "type:name" as given */
	char *type;	/* canonical type: "hash", "texthash", ... */
	char *name;	/* what follows the colon */
	int flags;
	struct mta_buf error;	/* why the last call returned -1 */
	struct mta_buf fold;	/* scratch for the folded key */
};

struct mta_map *mta_map_open(const char *spec, int flags, struct mta_buf *err);
int mta_map_lookup(struct mta_map *map, const char *key, const char **value);
int mta_map_update(struct mta_map *map, const char *key, const char *value);
int mta_map_remove(struct mta_map *map, const char *key);
int mta_map_sequence(struct mta_map *map, bool first, const char **key,
		     const char **value);
int mta_map_commit(struct mta_map *map);
bool mta_map_changed(struct mta_map *map);
void mta_map_close(struct mta_map *map);
const char *mta_map_error(struct mta_map *map);
int mta_map_insert(struct mta_map *map, const char *key, const char *value);
const char *mta_map_types(void);

#endif
