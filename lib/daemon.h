/*
 * daemon - the skeleton every mta daemon runs in. main() describes the
 * daemon (its name, what it opens while privileged, how it serves) and
 * hands that to mta_daemon_main(), which owns the order that must not
 * vary (STYLE.md habit 3):
 *
 *   arguments -> main.cf (+ master.cf's -o overrides) -> logging ->
 *   the spool -> pre_jail (maps, sockets: what needs privileges) ->
 *   chroot into queue_directory (-r, when root) -> drop to mail_owner
 *   (-u, when root) -> post_jail -> serve, until max_use requests,
 *   max_idle seconds without work, or a signal from master.
 *
 * What master passes (share/doc/protocols.md): the listening socket or
 * the FIFO on fd 3, the write end of the service's status pipe on fd 4
 * (a daemon says there when it is available and when busy, so that master
 * knows when to start another), and the arguments
 *
 *	-c CONFIG_DIR -n SERVICE -t TYPE [-u] [-r] [-v] [-o name=value]...
 *
 * followed by master.cf's other arguments for the command. Run by hand
 * without master (tests), a daemon serves its fd 3 the same way.
 */
#ifndef MTA_DAEMON_H
#define MTA_DAEMON_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "spool.h"

#define MTA_DAEMON_LISTEN_FD 3
#define MTA_DAEMON_STATUS_FD 4

/* What a daemon tells master on the status pipe: 8 bytes, one write. */
struct mta_daemon_status {
	int32_t pid;
	int32_t available;	/* 1 waiting for work, 0 busy */
};

enum mta_daemon_mode {
	MTA_DAEMON_SINGLE,	/* accept a connection, serve it, repeat */
	MTA_DAEMON_TRIGGER,	/* read request bytes from a FIFO, and wake-ups */
	MTA_DAEMON_LOOP,	/* the daemon runs its own event loop */
};

struct mta_daemon_ctx {
	const char *name;	/* the program: "pickup" */
	const char *service;	/* master.cf's service name */
	const char *type;	/* inet, unix, fifo */
	const char *config_dir;
	struct mta_config *cfg;
	struct mta_spool spool;
	int listen_fd;
	int status_fd;		/* -1 without master */
	bool chroot, unpriv;
	int argc;		/* master.cf's other arguments */
	char **argv;
	long max_use, max_idle;
	long idle_timer;	/* SINGLE: call idle() after this many idle
				   seconds (0: never); idle() re-arms it */
	void (*idle)(struct mta_daemon_ctx *ctx);
	void *data;		/* the daemon's own state */
};

struct mta_daemon {
	const char *name;
	enum mta_daemon_mode mode;
	int (*pre_jail)(struct mta_daemon_ctx *ctx);
	int (*post_jail)(struct mta_daemon_ctx *ctx);
	void (*serve)(struct mta_daemon_ctx *ctx, int client);
	void (*trigger)(struct mta_daemon_ctx *ctx, const char *buf, size_t len);
	void (*loop)(struct mta_daemon_ctx *ctx);
};

_Noreturn void mta_daemon_main(int argc, char **argv,
			       const struct mta_daemon *d);
void mta_daemon_available(struct mta_daemon_ctx *ctx, bool available);
bool mta_daemon_stopping(void);
void mta_daemon_watchdog(struct mta_daemon_ctx *ctx);

#endif
