/* local_expand - the callbacks of expand.h for local (see local.h). */
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "local.h"
#include "mem.h"
#include "msg.h"
#include "str.h"

/* maps_open_one - one map of alias_maps, or NULL (logged) */
static struct mta_map *
maps_open_one(const char *spec)
{
	struct mta_buf err = MTA_BUF_INIT(512);
	struct mta_map *map = mta_map_open(spec, MTA_MAP_READ, &err);

	if (map == NULL)
		mta_msg_warn("alias_maps %s: %s", spec, mta_buf_str(&err));
	mta_buf_release(&err);
	return map;
}

/* local_maps_open - alias_maps, opened once while privileged */
void
local_maps_open(struct local_state *ls)
{
	char *list = mta_strdup(mta_config_str(ls->cfg, "alias_maps")), *cp =
		list, *spec;

	while ((spec = mta_str_token(&cp, ", \t\r\n")) != NULL) {
		ls->maps = mta_reallocarray(ls->maps, ls->nmaps + 1,
					    sizeof(*ls->maps));
		ls->map_specs = mta_reallocarray(ls->map_specs, ls->nmaps + 1,
						 sizeof(*ls->map_specs));
		ls->map_specs[ls->nmaps] = mta_strdup(spec);
		ls->maps[ls->nmaps++] = maps_open_one(spec);
	}
	free(list);
}

/* local_maps_refresh - reopen a map that was rebuilt or failed to open */
void
local_maps_refresh(struct local_state *ls)
{
	for (size_t i = 0; i < ls->nmaps; i++) {
		if (ls->maps[i] != NULL && !mta_map_changed(ls->maps[i]))
			continue;
		if (ls->maps[i] != NULL)
			mta_map_close(ls->maps[i]);
		ls->maps[i] = maps_open_one(ls->map_specs[i]);
	}
}

/* local_maps_close - at exit */
void
local_maps_close(struct local_state *ls)
{
	for (size_t i = 0; i < ls->nmaps; i++) {
		if (ls->maps[i])
			mta_map_close(ls->maps[i]);
		free(ls->map_specs[i]);
	}
	free(ls->maps);
	free(ls->map_specs);
	ls->maps = NULL;
	ls->nmaps = 0;
}

/* local_mydest_init - mydestination's domains (maps in it are skipped) */
void
local_mydest_init(struct local_state *ls)
{
	const char *v = mta_config_str(ls->cfg, "mydestination");
	char *list = mta_strdup(v ? v : ""), *cp = list, *d;

	while ((d = mta_str_token(&cp, ", \t\r\n")) != NULL) {
		if (strchr(d, ':') != NULL)
			continue;
		ls->mydest = mta_reallocarray(ls->mydest, ls->nmydest + 1,
					      sizeof(*ls->mydest));
		ls->mydest[ls->nmydest++] = mta_str_lower(mta_strdup(d));
	}
	free(list);
}

/* map_owner - whose rights an alias's commands get: the map file's owner */
static void
map_owner(const struct mta_map *map, uid_t *uid, gid_t *gid)
{
	struct mta_buf path = MTA_BUF_INIT(4096);
	struct stat st;

	*uid = (uid_t)-1;	/* default_privs */
	*gid = (gid_t)-1;
	if (strcmp(map->type, "hash") == 0)
		mta_buf_printf(&path, "%s.db", map->name);
	else
		mta_buf_set(&path, map->name);
	if (stat(mta_buf_str(&path), &st) == 0 && st.st_uid != 0) {
		*uid = st.st_uid;
		*gid = st.st_gid;
	}
	mta_buf_release(&path);
}

/* op_alias - alias_maps in order */
static int
op_alias(void *vctx, const char *name, const char **value, uid_t *uid,
	 gid_t *gid, struct mta_buf *err)
{
	struct local_req *lr = vctx;
	struct local_state *ls = lr->ls;
	int rc;

	for (size_t i = 0; i < ls->nmaps; i++) {
		if (ls->maps[i] == NULL) {
			mta_buf_printf(err, "%s: cannot open", ls->map_specs[i]);
			return -1;
		}
		rc = mta_expand_map_alias(&ls->maps[i], 1, name, value, err);
		if (rc != 0) {
			if (rc > 0)
				map_owner(ls->maps[i], uid, gid);
			return rc;
		}
	}
	return 0;
}

/* op_user - a local user of the password file */
static int
op_user(void *vctx, const char *name, uid_t *uid, gid_t *gid,
	struct mta_buf *err)
{
	struct passwd *pw;

	(void)vctx;
	errno = 0;
	if ((pw = getpwnam(name)) == NULL) {
		if (errno == 0 || errno == ENOENT || errno == ESRCH ||
		    errno == EBADF || errno == EPERM)
			return 0;
		mta_buf_printf(err, "%s", strerror(errno));
		return -1;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 1;
}

/* op_forward - $home/.forward, owned by the user (or root) */
static int
op_forward(void *vctx, const char *user, const char *ext,
	   struct mta_buf *value, struct mta_buf *err)
{
	struct mta_buf path = MTA_BUF_INIT(4096);
	struct passwd *pw;
	uid_t uid;
	gid_t gid;
	int rc;

	(void)vctx;
	(void)ext;	/* forward_path's ${extension} form: not yet */
	if ((pw = getpwnam(user)) == NULL || pw->pw_dir == NULL ||
	    *pw->pw_dir != '/')
		return 0;
	mta_buf_printf(&path, "%s/.forward", pw->pw_dir);
	rc = mta_expand_read_file(mta_buf_str(&path), pw->pw_uid, true, value,
				  &uid, &gid, err);
	mta_buf_release(&path);
	return rc;
}

/* op_resolve - local when the domain is ours, or the recipient itself */
static int
op_resolve(void *vctx, const char *addr, struct mta_buf *local,
	   struct mta_buf *err)
{
	struct local_req *lr = vctx;
	const char *at = strrchr(addr, '@');
	bool ours = strcasecmp(addr, lr->top) == 0 ||
		    strcasecmp(at + 1, "localhost") == 0;

	for (size_t i = 0; !ours && i < lr->ls->nmydest; i++)
		ours = strcasecmp(at + 1, lr->ls->mydest[i]) == 0;
	if (!ours)
		return 0;
	if (mta_buf_set(local, "") < 0 ||
	    mta_buf_add(local, addr, (size_t)(at - addr)) < 0) {
		mta_buf_printf(err, "address too long");
		return -1;
	}
	return 1;
}

/* local_expand_ops - the callbacks, for one request */
void
local_expand_ops(struct local_req *lr, struct mta_expand_ops *ops)
{
	memset(ops, 0, sizeof(*ops));
	ops->alias = op_alias;
	ops->user = op_user;
	ops->forward = op_forward;
	ops->resolve = op_resolve;
	ops->ctx = lr;
}
