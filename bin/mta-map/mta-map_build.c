/*
 * mta-map_build - build FILE.db from FILE, and -i (add from stdin).
 *
 * Like postmap, a source line that cannot be used is warned about with
 * its file and line and the map is built from the rest; a duplicate key
 * keeps its first value (with a warning; -r keeps the last, -w says
 * nothing). The new map replaces the old one only once it is complete and
 * on disk, so readers never see half of it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "mapsrc.h"
#include "msg.h"
#include "mta-map.h"
#include "str.h"

/* build_add - store one entry, saying what a duplicate means */
static int
build_add(struct mta_mapcmd *cmd, struct mta_map *map, struct mta_mapsrc *src,
	  char *key, const char *value, int lineno)
{
	int rc;

	if (!(cmd->flags & MTA_MAP_NOFOLD))
		mta_str_lower(key);	/* as stored, for the warning */
	rc = cmd->replace ? mta_map_update(map, key, value)
			  : mta_map_insert(map, key, value);

	if (rc < 0) {
		mta_msg_error("%s", mta_map_error(map));
		return -1;
	}
	if (rc == 1 && !cmd->quiet_dups)
		mta_msg_warn("%s, line %d: duplicate entry: \"%s\" (the first "
			     "one is kept)", mta_mapsrc_name(src), lineno, key);
	return 0;
}

/* build_fill - every entry of the source into the map; an exit status */
static int
build_fill(struct mta_mapcmd *cmd, struct mta_map *map, struct mta_mapsrc *src)
{
	char *key, *value;
	int lineno, rc;

	while ((rc = mta_mapsrc_next(src, &key, &value, &lineno)) > 0)
		if (build_add(cmd, map, src, key, value, lineno) < 0)
			return EX_CANTCREAT;
	if (rc < 0) {
		mta_msg_error("%s", mta_buf_str(&src->error));
		return EX_IOERR;
	}
	if (mta_map_commit(map) < 0) {
		mta_msg_error("%s", mta_map_error(map));
		return EX_CANTCREAT;
	}
	return EX_OK;
}

/* build_source - the FILE part of TYPE:FILE */
static const char *
build_source(const char *spec)
{
	return strchr(spec, ':') + 1;
}

/* build_one - build one map from its source file */
static int
build_one(struct mta_mapcmd *cmd, const char *spec)
{
	struct mta_buf err = MTA_BUF_INIT(2048);
	struct mta_mapsrc src;
	struct mta_map *map;
	int status;

	if (mta_mapsrc_open(&src, build_source(spec), &err) < 0) {
		status = mta_mapcmd_status(errno, EX_NOINPUT);
		mta_msg_error("%s", mta_buf_str(&err));
		mta_buf_release(&err);
		return status;
	}
	mta_buf_release(&err);
	map = mta_mapcmd_open(cmd, spec, MTA_MAP_CREATE, &status);
	if (map) {
		status = build_fill(cmd, map, &src);
		mta_map_close(map);
	}
	mta_mapsrc_close(&src);
	return status;
}

/* mtamap_build - build every map named; the first failure's status */
int
mtamap_build(struct mta_mapcmd *cmd)
{
	int status = EX_OK;

	for (int i = 0; i < cmd->nmaps; i++) {
		int rc = build_one(cmd, cmd->maps[i]);

		if (rc != EX_OK && status == EX_OK)
			status = rc;
	}
	return status;
}

/*
 * mtamap_incremental - -i: add "key value" lines from stdin to the map,
 * creating it when it does not exist yet (as postmap -i does).
 */
int
mtamap_incremental(struct mta_mapcmd *cmd)
{
	struct mta_buf err = MTA_BUF_INIT(2048);
	struct mta_mapsrc src;
	struct mta_map *map;
	int status;

	map = mta_map_open(cmd->maps[0], MTA_MAP_WRITE | cmd->flags, &err);
	if (map == NULL && errno == ENOENT)
		map = mta_mapcmd_open(cmd, cmd->maps[0], MTA_MAP_CREATE,
				      &status);
	else if (map == NULL) {
		status = mta_mapcmd_status(errno, EX_CANTCREAT);
		mta_msg_error("%s", mta_buf_str(&err));
	}
	mta_buf_release(&err);
	if (map == NULL)
		return status;
	mta_mapsrc_attach(&src, stdin, "stdin");
	status = build_fill(cmd, map, &src);
	mta_mapsrc_close(&src);
	mta_map_close(map);
	return status;
}
