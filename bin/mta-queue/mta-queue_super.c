/*
 * mta-queue delete, hold, release, requeue (postsuper's -d -h -H -r): by
 * queue id, by ids read from standard input ("-"), or ALL of some queues.
 * Every change is one rename() or unlink() inside the spool, so a run that
 * is killed leaves each message either where it was or where it goes,
 * never half moved. Each message is logged ("ID: removed"), and the run
 * ends with postsuper's summary ("Deleted: 2 messages").
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "msg.h"
#include "mta-queue.h"
#include "str.h"

#define MQ_STDIN_LINE_MAX 1024

/* What each operation does, where it takes messages from, what it says. */
static const struct mq_op {
	const char *from[6];
	const char *to;		/* NULL: delete */
	const char *logged;
	const char *summary;
} mq_ops[] = {
	[MQ_OP_DELETE] = {{MTA_QUEUE_MAILDROP, MTA_QUEUE_INCOMING,
			   MTA_QUEUE_ACTIVE, MTA_QUEUE_DEFERRED, MTA_QUEUE_HOLD},
			  NULL, "removed", "Deleted"},
	[MQ_OP_HOLD] = {{MTA_QUEUE_INCOMING, MTA_QUEUE_ACTIVE,
			 MTA_QUEUE_DEFERRED},
			MTA_QUEUE_HOLD, "placed on hold", "Placed on hold"},
	[MQ_OP_RELEASE] = {{MTA_QUEUE_HOLD}, MTA_QUEUE_DEFERRED,
			   "released from hold", "Released from hold"},
	[MQ_OP_REQUEUE] = {{MTA_QUEUE_INCOMING, MTA_QUEUE_ACTIVE,
			    MTA_QUEUE_DEFERRED, MTA_QUEUE_HOLD},
			   MTA_QUEUE_MAILDROP, "requeued", "Requeued"},
};

/* mq_op_allows - may this operation take messages from queue */
static bool
mq_op_allows(enum mq_op_kind op, const char *queue)
{
	for (const char *const *q = mq_ops[op].from; *q; q++)
		if (strcmp(*q, queue) == 0)
			return true;
	return false;
}

/* mq_unlink_logs - the defer, bounce and trace logs of a message */
static void
mq_unlink_logs(struct mta_spool *sp, const char *id)
{
	static const char *const logs[] = {MTA_QUEUE_DEFER, MTA_QUEUE_BOUNCE,
					   MTA_QUEUE_TRACE, NULL};
	char path[MTA_SPOOL_PATH_MAX];

	for (const char *const *q = logs; *q; q++)
		if (mta_spool_path(sp, *q, id, path, sizeof(path)) == 0 &&
		    unlinkat(sp->dirfd, path, 0) < 0 && errno != ENOENT)
			mta_msg_warn("remove %s: %s", path, strerror(errno));
}

/* mq_apply - do the operation on one message found in queue */
static int
mq_apply(struct mta_spool *sp, enum mq_op_kind op, const char *queue,
	 const char *id, bool tell)
{
	const struct mq_op *o = &mq_ops[op];
	char path[MTA_SPOOL_PATH_MAX];
	struct stat st;

	if (mta_spool_path(sp, queue, id, path, sizeof(path)) < 0 ||
	    fstatat(sp->dirfd, path, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !mta_spool_ready(&st))
		return 0;	/* not there, or still being written */
	if (op == MQ_OP_DELETE) {
		mq_unlink_logs(sp, id);
		if (unlinkat(sp->dirfd, path, 0) < 0)
			return errno == ENOENT ? 0 : -1;
	} else {
		if (mta_spool_move(sp, id, queue, o->to) < 0)
			return errno == ENOENT ? 0 : -1;
		if (op == MQ_OP_REQUEUE) {
			char to[MTA_SPOOL_PATH_MAX];

			/* pickup takes it with a new id; times say "now" */
			if (mta_spool_path(sp, o->to, id, to, sizeof(to)) == 0)
				utimensat(sp->dirfd, to, NULL, AT_SYMLINK_NOFOLLOW);
		}
	}
	/* As postsuper: named messages are told, ALL only logged. */
	mta_msg_to(tell ? ~0 : MTA_MSG_SYSLOG, "%s: %s", id, o->logged);
	return 1;
}

/* mq_one_id - find id in the queues the operation allows, twice */
static int
mq_one_id(struct mta_spool *sp, enum mq_op_kind op, const char *id,
	  const char *const *limit)
{
	const char *const *queues = limit ? limit : mq_ops[op].from;

	for (int tries = 0; tries < 2; tries++) {
		for (const char *const *q = queues; *q; q++) {
			int rc;

			if (!mq_op_allows(op, *q))
				continue;
			if ((rc = mq_apply(sp, op, *q, id, true)) != 0) {
				if (rc < 0)
					mta_msg_error("%s: %s", id, strerror(errno));
				return rc;
			}
		}
	}
	return 0;
}

/* mq_stdin_ids - ids one per line on standard input */
static long
mq_stdin_ids(struct mta_spool *sp, enum mq_op_kind op,
	     const char *const *limit, int *errors)
{
	char line[MQ_STDIN_LINE_MAX];
	long done = 0;

	while (fgets(line, sizeof(line), stdin)) {
		char *id = mta_str_trim(line);

		if (*id == '\0')
			continue;
		if (!mta_qid_valid(id)) {
			mta_msg_warn("bad mail queue ID: %.100s", id);
			continue;
		}
		int rc = mq_one_id(sp, op, id, limit);

		if (rc < 0)
			(*errors)++;
		else
			done += rc;
	}
	return done;
}

/* mq_all - every ready message of the queues (all the op allows) */
static long
mq_all(struct mta_spool *sp, enum mq_op_kind op, const char *const *limit,
       int *errors)
{
	const char *const *queues = limit ? limit : mq_ops[op].from;
	struct mta_spool_scan scan;
	char id[MTA_QID_SIZE], path[MTA_SPOOL_PATH_MAX];
	long done = 0;

	for (const char *const *q = queues; *q; q++) {
		if (!mq_op_allows(op, *q) ||
		    mta_spool_scan_open(&scan, sp, *q) < 0)
			continue;
		while (mta_spool_scan_next(&scan, id, sizeof(id), path,
					   sizeof(path))) {
			int rc = mq_apply(sp, op, *q, id, false);

			if (rc < 0) {
				mta_msg_error("%s: %s", id, strerror(errno));
				(*errors)++;
			}
			done += rc > 0;
		}
		mta_spool_scan_close(&scan);
	}
	return done;
}

/*
 * mq_super - apply op to each of ids ("ALL", "-" or queue ids), looking
 * only in limit (a NULL-terminated list of queues) when given. Prints the
 * summary; returns an exit status.
 */
int
mq_super(struct mta_spool *sp, enum mq_op_kind op, const char *const *ids,
	 const char *const *limit)
{
	long done = 0;
	int errors = 0;

	for (const char *const *q = limit; q && *q; q++)
		if (!mq_op_allows(op, *q)) {
			mta_msg_error("%s: %s does not take messages from %s",
				      mq_op_name(op), mq_op_name(op), *q);
			return EX_USAGE;
		}
	for (; *ids; ids++) {
		if (strcmp(*ids, "ALL") == 0)
			done += mq_all(sp, op, limit, &errors);
		else if (strcmp(*ids, "-") == 0)
			done += mq_stdin_ids(sp, op, limit, &errors);
		else {
			int rc = mq_one_id(sp, op, *ids, limit);

			if (rc < 0)
				errors++;
			else
				done += rc;
		}
	}
	mta_msg_info("%s: %ld message%s", mq_ops[op].summary, done,
		     done == 1 ? "" : "s");
	return errors ? EX_IOERR : EX_OK;
}

/* mq_op_name - the verb of an operation */
const char *
mq_op_name(enum mq_op_kind op)
{
	static const char *const names[] = {"delete", "hold", "release",
					    "requeue"};

	return names[op];
}
