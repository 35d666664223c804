/* priv - giving up root (see priv.h). */
#define _GNU_SOURCE	/* setresuid, getresuid */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "priv.h"

/* mta_priv_lookup - a user's uid and primary gid; -1 if there is none */
int
mta_priv_lookup(const char *user, uid_t *uid, gid_t *gid, struct mta_buf *err)
{
	struct passwd *pw;

	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		mta_buf_printf(err, "user %s: %s", user,
			       errno ? strerror(errno) : "no such user");
		return -1;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

/*
 * mta_priv_drop - become uid/gid for good. Fails (and says why) rather
 * than run half-dropped; asking for uid 0 is refused.
 */
int
mta_priv_drop(uid_t uid, gid_t gid, struct mta_buf *err)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (uid == 0) {
		mta_buf_printf(err, "refusing to drop privileges to uid 0");
		return -1;
	}
	if (setgroups(1, &gid) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(uid, uid, uid) < 0) {
		mta_buf_printf(err, "drop privileges to uid %ld gid %ld: %s",
			       (long)uid, (long)gid, strerror(errno));
		return -1;
	}
	if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0 ||
	    ru != uid || eu != uid || su != uid || rg != gid || eg != gid ||
	    sg != gid || setuid(0) == 0) {
		mta_buf_printf(err, "privileges were not dropped completely");
		return -1;
	}
	return 0;
}
