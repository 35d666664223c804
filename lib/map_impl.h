/*
 * map_impl - what the map back-ends share with map.c, and nobody else
 * should include. A back-end's open function allocates its own structure
 * (struct mta_map first), fills ops and its private part, and returns it;
 * map.c fills the common fields (spec, type, name, flags, buffers) and
 * folds keys before every lookup/update/remove, so a back-end sees keys as
 * they are to be stored. Back-ends that read keys from text at open time
 * (texthash, inline) fold them with mta_map_fold_text().
 */
#ifndef MTA_MAP_IMPL_H
#define MTA_MAP_IMPL_H

#include "map.h"

/* name is what follows "type:"; flags are the MTA_MAP_* of the caller. */
typedef struct mta_map *(*mta_map_open_fn)(const char *name, int flags,
					    struct mta_buf *err);

struct mta_map *mta_map_gdbm_open(const char *name, int flags,
				  struct mta_buf *err);
struct mta_map *mta_map_text_open(const char *name, int flags,
				  struct mta_buf *err);
struct mta_map *mta_map_inline_open(const char *name, int flags,
				    struct mta_buf *err);
struct mta_map *mta_map_static_open(const char *name, int flags,
				    struct mta_buf *err);
struct mta_map *mta_map_cidr_open(const char *name, int flags,
				  struct mta_buf *err);

void mta_map_fold_text(char *key, int flags);
int mta_map_readonly(struct mta_map *map, const char *what);

#endif
