/*
 * mta-map_query - -q, -s and -d. Output is postmap's: -q KEY prints the
 * value alone, -q - and -s print "key<TAB>value"; --json prints one
 * {"key":...,"value":...} object per line instead. Exit status 0 when
 * something was found (or deleted), 1 when nothing was, and the status
 * of <sysexits.h> when a map could not be opened or answer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "line.h"
#include "mem.h"
#include "msg.h"
#include "mta-map.h"
#include "str.h"

/* mapcmd_print - one result on stdout, plain or JSON */
int
mapcmd_print(struct mapcmd *cmd, const char *key, const char *value,
	     bool with_key)
{
	struct mta_buf out = MTA_BUF_INIT(4 * (MTA_MAP_MAX_KEY +
					      MTA_MAP_MAX_VALUE) + 64);
	int rc;

	if (!cmd->json) {
		if (with_key)
			return printf("%s\t%s\n", key, value) < 0 ? -1 : 0;
		return printf("%s\n", value) < 0 ? -1 : 0;
	}
	rc = mta_buf_adds(&out, "{\"key\":") < 0 ||
	     mta_str_json(&out, key, strlen(key)) < 0 ||
	     mta_buf_adds(&out, ",\"value\":") < 0 ||
	     mta_str_json(&out, value, strlen(value)) < 0 ||
	     mta_buf_adds(&out, "}\n") < 0 ? -1 : 0;
	if (rc == 0 && fwrite(out.data, 1, out.len, stdout) != out.len)
		rc = -1;
	mta_buf_release(&out);
	return rc;
}

/* mapcmd_flush - flush stdout; -1 when it could not be written */
int
mapcmd_flush(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		mta_msg_error("write to standard output: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* query_lookup - lookup with the error reported; -1 means exit 75 */
static int
query_lookup(struct mta_map *map, const char *key, const char **value)
{
	int rc = mta_map_lookup(map, key, value);

	if (rc < 0)
		mta_msg_error("%s", mta_map_error(map));
	return rc;
}

/* mapcmd_query - -q KEY: the first map that has it answers */
int
mapcmd_query(struct mapcmd *cmd, const char *key)
{
	for (int i = 0; i < cmd->nmaps; i++) {
		struct mta_map *map;
		const char *value;
		int status, rc;

		if ((map = mapcmd_open(cmd, cmd->maps[i], MTA_MAP_READ,
				       &status)) == NULL)
			return status;
		rc = query_lookup(map, key, &value);
		if (rc > 0)
			mapcmd_print(cmd, key, value, false);
		mta_map_close(map);
		if (rc != 0)
			return rc > 0 ? EX_OK : EX_TEMPFAIL;
	}
	return 1;
}

/* query_open_all - open every map before reading stdin */
static struct mta_map **
query_open_all(struct mapcmd *cmd, int flags, int *status)
{
	struct mta_map **maps = mta_calloc((size_t)cmd->nmaps, sizeof(*maps));

	for (int i = 0; i < cmd->nmaps; i++) {
		maps[i] = mapcmd_open(cmd, cmd->maps[i], flags, status);
		if (maps[i] == NULL) {
			while (i-- > 0)
				mta_map_close(maps[i]);
			free(maps);
			return NULL;
		}
	}
	return maps;
}

/* query_close_all - close the maps of query_open_all */
static void
query_close_all(struct mapcmd *cmd, struct mta_map **maps)
{
	for (int i = 0; i < cmd->nmaps; i++)
		mta_map_close(maps[i]);
	free(maps);
}

/* query_one - one key of -q -: 1 found, 0 not, -1 error */
static int
query_one(struct mapcmd *cmd, struct mta_map **maps, const char *key)
{
	for (int i = 0; i < cmd->nmaps; i++) {
		const char *value;
		int rc = query_lookup(maps[i], key, &value);

		if (rc > 0)
			mapcmd_print(cmd, key, value, true);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* mapcmd_query_stdin - -q -: one key per line, "key<TAB>value" out */
int
mapcmd_query_stdin(struct mapcmd *cmd)
{
	struct mta_line lr;
	struct mta_map **maps;
	int status = 1, rc;
	char *key;

	if ((maps = query_open_all(cmd, MTA_MAP_READ, &status)) == NULL)
		return status;
	mta_line_attach(&lr, stdin, "stdin", MTA_MAP_MAX_KEY, 0);
	status = 1;
	while ((rc = mta_line_read(&lr, &key, NULL)) != MTA_LINE_EOF) {
		if (rc == MTA_LINE_TOOLONG)
			continue;	/* no stored key is that long */
		if (rc == MTA_LINE_ERROR) {
			mta_msg_error("read stdin: %s", strerror(errno));
			status = EX_IOERR;
			break;
		}
		if ((rc = query_one(cmd, maps, key)) < 0) {
			status = EX_TEMPFAIL;
			break;
		}
		if (rc > 0)
			status = EX_OK;
	}
	mta_line_close(&lr);
	query_close_all(cmd, maps);
	return status;
}

/* dump_one - -s for one map */
static int
dump_one(struct mapcmd *cmd, const char *spec)
{
	const char *key, *value;
	struct mta_map *map;
	int status, rc;

	if ((map = mapcmd_open(cmd, spec, MTA_MAP_READ, &status)) == NULL)
		return status;
	for (rc = mta_map_sequence(map, true, &key, &value); rc > 0;
	     rc = mta_map_sequence(map, false, &key, &value))
		mapcmd_print(cmd, key, value, true);
	if (rc < 0)
		mta_msg_error("%s", mta_map_error(map));
	mta_map_close(map);
	return rc < 0 ? EX_UNAVAILABLE : EX_OK;
}

/* mapcmd_dump - -s: every entry of every map named */
int
mapcmd_dump(struct mapcmd *cmd)
{
	for (int i = 0; i < cmd->nmaps; i++) {
		int status = dump_one(cmd, cmd->maps[i]);

		if (status != EX_OK)
			return status;
	}
	return EX_OK;
}

/* delete_key - remove key from every map: 1 removed somewhere, -1 error */
static int
delete_key(struct mapcmd *cmd, struct mta_map **maps, const char *key)
{
	int found = 0;

	for (int i = 0; i < cmd->nmaps; i++) {
		int rc = mta_map_remove(maps[i], key);

		if (rc < 0) {
			mta_msg_error("%s", mta_map_error(maps[i]));
			return -1;
		}
		found |= rc;
	}
	return found;
}

/* delete_commit - make the deletions visible; an exit status */
static int
delete_commit(struct mapcmd *cmd, struct mta_map **maps, int status)
{
	for (int i = 0; i < cmd->nmaps && status == EX_OK; i++) {
		if (mta_map_commit(maps[i]) < 0) {
			mta_msg_error("%s", mta_map_error(maps[i]));
			status = EX_CANTCREAT;
		}
	}
	query_close_all(cmd, maps);
	return status;
}

/* mapcmd_delete - -d KEY from every map; 1 when no map had it */
int
mapcmd_delete(struct mapcmd *cmd, const char *key)
{
	struct mta_map **maps;
	int status = 1, rc;

	if ((maps = query_open_all(cmd, MTA_MAP_WRITE, &status)) == NULL)
		return status;
	rc = delete_key(cmd, maps, key);
	status = rc < 0 ? EX_UNAVAILABLE : rc ? EX_OK : 1;
	return delete_commit(cmd, maps, status);
}

/* mapcmd_delete_stdin - -d -: keys from stdin, one per line */
int
mapcmd_delete_stdin(struct mapcmd *cmd)
{
	struct mta_line lr;
	struct mta_map **maps;
	int status = 1, rc;
	char *key;

	if ((maps = query_open_all(cmd, MTA_MAP_WRITE, &status)) == NULL)
		return status;
	status = 1;
	mta_line_attach(&lr, stdin, "stdin", MTA_MAP_MAX_KEY, 0);
	while ((rc = mta_line_read(&lr, &key, NULL)) != MTA_LINE_EOF) {
		if (rc == MTA_LINE_TOOLONG)
			continue;
		if (rc == MTA_LINE_ERROR ||
		    (rc = delete_key(cmd, maps, key)) < 0) {
			status = EX_UNAVAILABLE;
			break;
		}
		if (rc > 0)
			status = EX_OK;
	}
	mta_line_close(&lr);
	return delete_commit(cmd, maps, status);
}
