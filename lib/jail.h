/*
 * jail - the chroot jail inside queue_directory: which of the host's files
 * a daemon reads after chroot(), where their copies go in the jail, and
 * whether those copies are there and current.
 *
 * The manifest (one place, shared by mta-chroot-setup and mta-start
 * check): etc/localtime (the host's /etc/localtime, symbolic links
 * followed), etc/services, etc/hosts, etc/resolv.conf, etc/nsswitch.conf,
 * etc/host.conf, and the NSS and resolver libraries the C library loads at
 * run time (libnss_files, libnss_dns, libresolv) at the path where the
 * host's dynamic linker finds them (/lib/x86_64-linux-gnu/... goes to
 * lib/x86_64-linux-gnu/... in the jail). A host file that does not exist
 * is left out. No etc/passwd nor etc/group: local does not run jailed,
 * users are looked up before the chroot, and mail_owner is resolved
 * before it too.
 *
 * A copy is current when its bytes are the host file's, its mode is the
 * host file's without group/other write bits (and without set-id bits),
 * it is a regular file (not a symbolic link), and, when we are root, it
 * is owned by root. Directories made in the jail are root's, 0755. Copies
 * are written atomically through descriptors opened without following
 * symbolic links, so that nothing in the jail can redirect a write.
 */
#ifndef MTA_JAIL_H
#define MTA_JAIL_H

#include <stddef.h>

#include "buf.h"

#define MTA_JAIL_FILE_MAX (64L * 1024 * 1024)	/* a bigger host file: error */

struct mta_jail_file {
	char *host;	/* the host's file: /etc/resolv.conf */
	char *rel;	/* its copy, relative to the jail: etc/resolv.conf */
};

struct mta_jail {
	struct mta_jail_file *files;
	size_t n;
};

enum mta_jail_state {
	MTA_JAIL_CURRENT,	/* the copy is the host file */
	MTA_JAIL_MISSING,	/* no copy in the jail */
	MTA_JAIL_STALE,		/* a copy that differs (why says how) */
	MTA_JAIL_ERROR,		/* cannot tell (why says why) */
};

void mta_jail_manifest(struct mta_jail *jail);
void mta_jail_release(struct mta_jail *jail);
int mta_jail_open(const char *queue_dir, struct mta_buf *err);
enum mta_jail_state mta_jail_compare(int qfd, const struct mta_jail_file *f,
				     struct mta_buf *why);
int mta_jail_copy(int qfd, const struct mta_jail_file *f, struct mta_buf *err);

/*
 * mta_jail_check - compare every file of the manifest with its copy in
 * queue_dir; report() hears each one that is not current, with its state
 * and a reason. Returns the number of such files, -1 when queue_dir
 * cannot be opened (err says why).
 */
typedef void (*mta_jail_report_fn)(void *ctx, const struct mta_jail_file *f,
				   enum mta_jail_state state, const char *why);
int mta_jail_check(const char *queue_dir, mta_jail_report_fn report,
		   void *ctx, struct mta_buf *err);

#endif
