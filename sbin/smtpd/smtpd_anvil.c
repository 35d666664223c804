/*
 * smtpd_anvil - how many sessions a client has open at once, for
 * smtpd_client_connection_count_limit, without a server process: the
 * smtpd processes of a service share one small file of slots
 * (private/smtpd.NAME.conn). Each process owns one slot, held with a
 * write lock on its bytes for as long as the process lives, and writes
 * there the address of the client it serves. A slot whose lock nobody
 * holds belongs to no one, whatever it says: a process that crashed
 * leaves no stale count behind, because the kernel drops its lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "smtpd.h"

#define ANVIL_SLOTS 512
#define ANVIL_SLOT 64		/* an address, NUL-padded */

static long anvil_slot = -1;	/* ours, once claimed */

/* slot_lock - F_SETLK (take) or F_GETLK (ask) on one slot's bytes */
static int
slot_lock(int fd, long slot, int cmd, struct flock *fl)
{
	memset(fl, 0, sizeof(*fl));
	fl->l_type = F_WRLCK;
	fl->l_whence = SEEK_SET;
	fl->l_start = slot * ANVIL_SLOT;
	fl->l_len = ANVIL_SLOT;
	return fcntl(fd, cmd, fl);
}

/* smtpd_anvil_open - the service's slot file (before the jail) */
int
smtpd_anvil_open(struct smtpd *sd)
{
	char path[256];

	sd->anvil_fd = -1;
	if (sd->conn_limit <= 0)
		return 0;
	snprintf(path, sizeof(path), "private/smtpd.%s.conn", sd->service);
	sd->anvil_fd = openat(sd->spool->dirfd, path,
			      O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (sd->anvil_fd < 0) {
		mta_msg_warn("open %s: %s: no connection count limit", path,
			     strerror(errno));
		return -1;
	}
	return 0;
}

/* anvil_claim - a slot of our own, kept for the life of the process */
static bool
anvil_claim(int fd)
{
	struct flock fl;

	if (anvil_slot >= 0)
		return true;
	for (long i = 0; i < ANVIL_SLOTS; i++)
		if (slot_lock(fd, i, F_SETLK, &fl) == 0) {
			anvil_slot = i;
			return true;
		}
	return false;
}

/*
 * smtpd_anvil_enter - note our client; the number of sessions it now has
 * (ours included), or 0 when we cannot tell (no limit applies then).
 */
int
smtpd_anvil_enter(struct smtpd *sd, const char *addr)
{
	static char table[ANVIL_SLOTS * ANVIL_SLOT];
	char mine[ANVIL_SLOT] = {0};
	struct flock fl;
	ssize_t n;
	int count = 1;

	if (sd->anvil_fd < 0 || !anvil_claim(sd->anvil_fd))
		return 0;
	strncpy(mine, addr, sizeof(mine) - 1);
	if (pwrite(sd->anvil_fd, mine, sizeof(mine),
		   anvil_slot * ANVIL_SLOT) != (ssize_t)sizeof(mine))
		return 0;
	n = pread(sd->anvil_fd, table, sizeof(table), 0);
	for (long i = 0; n > 0 && (i + 1) * ANVIL_SLOT <= n; i++) {
		if (i == anvil_slot ||
		    memcmp(table + i * ANVIL_SLOT, mine, sizeof(mine)) != 0)
			continue;
		/* held by a live process? (our own locks never conflict) */
		if (slot_lock(sd->anvil_fd, i, F_GETLK, &fl) == 0 &&
		    fl.l_type != F_UNLCK)
			count++;
	}
	return count;
}

/* smtpd_anvil_leave - the session is over: our slot says nothing */
void
smtpd_anvil_leave(struct smtpd *sd)
{
	static const char none[ANVIL_SLOT];

	if (sd->anvil_fd >= 0 && anvil_slot >= 0 &&
	    pwrite(sd->anvil_fd, none, sizeof(none),
		   anvil_slot * ANVIL_SLOT) != (ssize_t)sizeof(none))
		mta_msg_warn("connection table: %s", strerror(errno));
}
