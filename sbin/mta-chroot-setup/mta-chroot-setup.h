/*
 * mta-chroot-setup - build or verify the chroot jail: what the parts share.
 */
#ifndef MTA_CHROOT_SETUP_H
#define MTA_CHROOT_SETUP_H

#include <stdbool.h>

struct setup {
	const char *queue_dir;
	const char *master_cf;	/* the master.cf to edit */
	bool master_cf_given;	/* named with --master-cf: must exist */
	bool dry_run;
};

/* mta-chroot-setup_mastercf.c: the chroot column; returns an exit status */
int setup_mastercf(const struct setup *s);

#endif
