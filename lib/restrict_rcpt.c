/*
 * restrict_rcpt - reject_unlisted_recipient: a recipient of one of our
 * domains (mydestination) must be found in local_recipient_maps, looked
 * up as Postfix does: user+ext@domain, user@domain, user+ext, user,
 * @domain (our domains only reach here, so the bare local part is always
 * tried).
 *
 * local_recipient_maps names maps; "proxy:" in front of one is dropped
 * (there is no proxymap: every map is opened before the chroot, which is
 * what proxymap was for). unix:passwd.byname is the system's users: it
 * cannot be a file map, and inside the jail there may be no /etc/passwd
 * (or no NSS modules) for getpwnam() to read. So the user names are
 * copied with getpwent() when the restrictions are compiled, before the
 * chroot, into an in-memory set; smtpd processes are recycled after
 * max_use/max_idle, so a new user is seen within that time. A system with
 * more than RST_PASSWD_MAX users (a big directory behind NSS) is asked
 * live with getpwnam() instead, which then must work in the jail (or run
 * smtpd without chroot).
 */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "mem.h"
#include "msg.h"
#include "restrict_priv.h"
#include "str.h"

#define RST_PASSWD_MAX 200000

/* rst_passwd_copy - the user names, lower case, before any chroot */
static void
rst_passwd_copy(struct rst_lrmaps *l)
{
	struct passwd *pw;
	char name[256];

	mta_htable_init(&l->users, NULL);
	setpwent();
	while ((pw = getpwent()) != NULL) {
		if (l->users.count >= RST_PASSWD_MAX) {
			l->passwd_live = true;
			break;
		}
		if (strlcpy(name, pw->pw_name, sizeof(name)) < sizeof(name))
			mta_htable_insert(&l->users, mta_str_lower(name),
					  (void *)1);
	}
	endpwent();
	if (l->passwd_live) {
		mta_htable_release(&l->users);
		mta_htable_init(&l->users, NULL);
	}
}

/* rst_lrmaps_add - one entry of local_recipient_maps */
static void
rst_lrmaps_add(struct mta_restrict *r, const char *spec)
{
	struct rst_lrmaps *l = &r->lrmaps;
	struct mta_buf err = MTA_BUF_INIT(1024);
	struct rst_map *m;

	if (strncasecmp(spec, "proxy:", 6) == 0)
		spec += 6;
	if (strcasecmp(spec, "unix:passwd.byname") == 0) {
		if (!l->passwd)
			rst_passwd_copy(l);
		l->passwd = true;
		return;
	}
	m = mta_calloc(1, sizeof(*m));
	m->spec = mta_strdup(spec);
	if ((m->map = mta_map_open(spec, MTA_MAP_READ, &err)) == NULL) {
		m->error = mta_buf_steal(&err);
		rst_warn_once(r, "local_recipient_maps: %s: %s (recipients of "
			      "our domains get 451 4.3.0 until it opens)",
			      spec, m->error);
	}
	mta_buf_release(&err);
	l->maps = mta_reallocarray(l->maps, l->n + 1, sizeof(*l->maps));
	l->maps[l->n++] = m;
}

/* rst_lrmaps_open - compile local_recipient_maps */
int
rst_lrmaps_open(struct mta_restrict *r, struct mta_buf *err)
{
	const char *v = mta_config_str(r->cfg, "local_recipient_maps");
	char *copy = mta_strdup(v ? v : ""), *cp = copy, *tok;

	(void)err;
	while ((tok = mta_netlist_token(&cp)) != NULL) {
		r->lrmaps.set = true;
		if (strchr(tok, ':') == NULL)
			rst_warn_once(r, "local_recipient_maps: \"%s\" is no "
				      "type:table; ignored", tok);
		else
			rst_lrmaps_add(r, tok);
	}
	free(copy);
	return 0;
}

/* rst_lrmaps_free - close the maps and forget the users */
void
rst_lrmaps_free(struct rst_lrmaps *l)
{
	for (size_t i = 0; i < l->n; i++) {
		if (l->maps[i]->map)
			mta_map_close(l->maps[i]->map);
		free(l->maps[i]->spec);
		free(l->maps[i]->error);
		free(l->maps[i]);
	}
	free(l->maps);
	if (l->passwd)
		mta_htable_release(&l->users);
	memset(l, 0, sizeof(*l));
}

/* rst_lrmaps_find - 1 found, 0 not, -1 a map failed (key lower case) */
static int
rst_lrmaps_find(struct rst_lrmaps *l, const char *key)
{
	const char *value;
	int rc, failed = 0;

	if (l->passwd && strchr(key, '@') == NULL) {
		if (!l->passwd_live && mta_htable_find(&l->users, key))
			return 1;
		if (l->passwd_live && getpwnam(key) != NULL)
			return 1;
	}
	for (size_t i = 0; i < l->n; i++) {
		if (l->maps[i]->map == NULL) {
			failed = 1;
			continue;
		}
		if ((rc = mta_map_lookup(l->maps[i]->map, key, &value)) > 0)
			return 1;
		if (rc < 0) {
			mta_msg_warn("%s: table lookup error: %s",
				     l->maps[i]->spec,
				     mta_map_error(l->maps[i]->map));
			failed = 1;
		}
	}
	return failed ? -1 : 0;
}

/* rst_lrmaps_addr - the lookup order for a local address */
static int
rst_lrmaps_addr(struct mta_restrict *r, const char *canon)
{
	const char *at = strrchr(canon, '@');
	size_t local = (size_t)(at - canon), bare = local;
	char key[MTA_ADDR_PATH_MAX * 2 + 8];
	int rc;

	for (size_t i = 1; *r->rcpt_delim && i < local; i++)
		if (strchr(r->rcpt_delim, canon[i]) != NULL) {
			bare = i;
			break;
		}
	if ((rc = rst_lrmaps_find(&r->lrmaps, canon)) != 0)
		return rc;
	snprintf(key, sizeof(key), "%.*s%s", (int)bare, canon, at);
	if (bare < local && (rc = rst_lrmaps_find(&r->lrmaps, key)) != 0)
		return rc;
	snprintf(key, sizeof(key), "%.*s", (int)local, canon);
	if ((rc = rst_lrmaps_find(&r->lrmaps, key)) != 0)
		return rc;
	snprintf(key, sizeof(key), "%.*s", (int)bare, canon);
	if (bare < local && (rc = rst_lrmaps_find(&r->lrmaps, key)) != 0)
		return rc;
	return rst_lrmaps_find(&r->lrmaps, at);
}

/* rst_unlisted_rcpt - reject_unlisted_recipient (once a recipient) */
int
rst_unlisted_rcpt(struct rst_eval *ev, const char *rcpt)
{
	struct mta_buf canon = MTA_BUF_INIT(MTA_ADDR_PATH_MAX * 2);
	const char *at;
	int rc = 1;

	if (ev->unlisted_checked)
		return RST_DUNNO;
	if (ev->warn_if_reject == 0)
		ev->unlisted_checked = true;
	if (!ev->r->lrmaps.set || rst_canonical(ev->r, rcpt, &canon) < 0 ||
	    (at = strrchr(canon.data, '@')) == NULL ||
	    !mta_rewrite_is_local(ev->r->rw, at + 1)) {
		mta_buf_release(&canon);
		return RST_DUNNO;
	}
	mta_str_lower(canon.data);
	rc = rst_lrmaps_addr(ev->r, canon.data);
	mta_buf_release(&canon);
	if (rc > 0)
		return RST_DUNNO;
	if (rc < 0)
		return rst_reject(ev, RST_SOFTWARE, 451, "4.3.0",
				  "<%s>: Temporary lookup failure", rcpt);
	return rst_reject(ev, RST_POLICY, ev->r->unknown_local_code, "5.1.1",
			  "<%s>: Recipient address rejected: User unknown in "
			  "local recipient table", rcpt);
}
