/* local_deliver - one outcome of expansion, delivered (see local.h). */
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "local.h"
#include "maildir.h"
#include "mbox.h"
#include "mem.h"
#include "msg.h"
#include "pipe.h"
#include "priv.h"
#include "str.h"

/* What a delivery in a child process needs. */
struct job {
	int (*fn)(struct job *job, struct mta_dstatus *st);
	const char *path;
	const struct mta_envelope *env;
	struct mta_mbox_opts mbox;
	struct mta_maildir_opts maildir;
};

/* job_mbox - an mbox file, or a "/file" */
static int
job_mbox(struct job *job, struct mta_dstatus *st)
{
	return mta_mbox_deliver(job->path, job->env, &job->mbox, st);
}

/* job_maildir - a Maildir */
static int
job_maildir(struct job *job, struct mta_dstatus *st)
{
	struct mta_buf made = MTA_BUF_INIT(4096);
	int rc = mta_maildir_deliver(job->path, job->env, &job->maildir, &made,
				     st);

	mta_buf_release(&made);
	return rc;
}

/* child_run - in the child: become uid, deliver, send the status back */
static _Noreturn void
child_run(struct job *job, uid_t uid, gid_t gid, int out)
{
	struct mta_buf err = MTA_BUF_INIT(512);
	struct mta_dstatus st;
	const char *p = (const char *)&st;
	size_t left = sizeof(st);

	memset(&st, 0, sizeof(st));
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	if (mta_priv_drop(uid, gid, &err) < 0)
		mta_dstatus_set(&st, "4.3.0", "%s", mta_buf_str(&err));
	else
		(void)job->fn(job, &st);
	while (left > 0) {
		ssize_t n = write(out, p, left);

		if (n <= 0)
			_exit(1);
		p += n;
		left -= (size_t)n;
	}
	_exit(0);
}

/* parent_wait - the child's status; a child that died says nothing */
static void
parent_wait(pid_t pid, int in, struct mta_dstatus *st)
{
	struct mta_dstatus got;
	size_t have = 0;
	ssize_t n;
	int status;

	while (have < sizeof(got) &&
	       ((n = read(in, (char *)&got + have, sizeof(got) - have)) > 0 ||
		(n < 0 && errno == EINTR)))
		have += n > 0 ? (size_t)n : 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (have == sizeof(got)) {
		got.text[sizeof(got.text) - 1] = '\0';
		got.dsn[sizeof(got.dsn) - 1] = '\0';
		*st = got;
	} else
		mta_dstatus_set(st, "4.3.0", "delivery process failed");
}

/*
 * as_user - run the job as uid/gid in a child when we are root, so that
 * the recipient's rights, not ours, decide what may be written; as we
 * are otherwise (an instance run by a user)
 */
static void
as_user(struct job *job, uid_t uid, gid_t gid, struct mta_dstatus *st)
{
	int fds[2];
	pid_t pid;

	if (geteuid() != 0 || uid == (uid_t)-1) {
		(void)job->fn(job, st);
		return;
	}
	if (pipe(fds) < 0) {
		mta_dstatus_set(st, "4.3.0", "cannot make a pipe: %s",
				strerror(errno));
		return;
	}
	if ((pid = fork()) < 0) {
		mta_dstatus_set(st, "4.3.0", "cannot fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return;
	}
	if (pid == 0) {
		close(fds[0]);
		child_run(job, uid, gid, fds[1]);
	}
	close(fds[1]);
	parent_wait(pid, fds[0], st);
	close(fds[0]);
}

/* lock_opts - the mbox locking parameters */
static void
lock_opts(struct mta_config *cfg, struct mta_mbox_opts *o)
{
	const char *how = mta_config_str(cfg, "mailbox_delivery_lock");
	long delay = mta_config_time(cfg, "deliver_lock_delay");

	mta_mbox_opts_init(o);
	o->dotlock = how && strstr(how, "dotlock") != NULL;
	o->fcntl_lock = how && strstr(how, "fcntl") != NULL;
	o->lock_attempts = (int)mta_config_int(cfg, "deliver_lock_attempts");
	if (o->lock_attempts < 1)
		o->lock_attempts = 1;
	o->lock_delay_ms = delay > 0 ? delay * 1000 : 1000;
}

/* run_as - the ids a file or command delivery gets */
static void
run_as(const struct local_state *ls, const struct mta_exp_outcome *o,
       uid_t *uid, gid_t *gid)
{
	*uid = o->uid;
	*gid = o->gid;
	if (geteuid() != 0)
		return;
	if (*uid == (uid_t)-1 || *uid == 0) {
		*uid = ls->nobody_ok ? ls->nobody_uid : (uid_t)65534;
		*gid = ls->nobody_ok ? ls->nobody_gid : (gid_t)65534;
	}
}

/* deliver_mailbox - home_mailbox or mail_spool_directory of a user */
static void
deliver_mailbox(struct local_req *lr, const struct mta_exp_outcome *o,
		struct job *job, struct mta_dstatus *st)
{
	struct mta_config *cfg = lr->ls->cfg;
	const char *hm = mta_config_str(cfg, "home_mailbox");
	struct mta_buf path = MTA_BUF_INIT(4096);
	struct passwd *pw = getpwnam(o->target);

	if (pw == NULL) {
		mta_dstatus_set(st, "5.1.1", "unknown user: \"%s\"", o->target);
		return;
	}
	lock_opts(cfg, &job->mbox);
	job->mbox.uid = pw->pw_uid;
	job->mbox.gid = pw->pw_gid;
	job->mbox.check_owner = geteuid() == 0;
	mta_maildir_opts_init(&job->maildir);
	job->maildir.uid = pw->pw_uid;
	job->maildir.gid = pw->pw_gid;
	if (hm == NULL || *hm == '\0') {
		/* the spool directory is root's: the lib gives the file away */
		if (mta_mbox_path(&path, mta_config_str(cfg,
				   "mail_spool_directory"), pw->pw_name) < 0)
			mta_dstatus_set(st, "5.1.1", "bad user name: \"%s\"",
					pw->pw_name);
		else {
			job->path = mta_buf_str(&path);
			(void)job_mbox(job, st);
		}
	} else {
		mta_buf_printf(&path, "%s/%s", pw->pw_dir, hm);
		job->path = mta_buf_str(&path);
		job->fn = hm[strlen(hm) - 1] == '/' ? job_maildir : job_mbox;
		as_user(job, pw->pw_uid, pw->pw_gid, st);
	}
	mta_buf_release(&path);
}

/* deliver_file - "/file", as the owner the expansion gave */
static void
deliver_file(struct local_req *lr, const struct mta_exp_outcome *o,
	     struct job *job, struct mta_dstatus *st)
{
	uid_t uid;
	gid_t gid;

	lock_opts(lr->ls->cfg, &job->mbox);
	job->mbox.dotlock = false;	/* no lock files beside any file */
	job->mbox.what = "file";
	job->path = o->target;
	job->fn = job_mbox;
	run_as(lr->ls, o, &uid, &gid);
	as_user(job, uid, gid, st);
	if (st->status == MTA_DSTAT_OK)
		mta_dstatus_set(st, "2.0.0", "delivered to file: %s", o->target);
}

/* deliver_command - "|command", through pipe.h */
static void
deliver_command(struct local_req *lr, const struct mta_dlv_rcpt *r,
		const struct mta_exp_outcome *o, const struct mta_envelope *env,
		struct mta_dstatus *st)
{
	struct mta_pipe_vars v = {0};
	struct mta_pipe_opts opts;
	char *local = mta_strdup(r->address), *at = strrchr(local, '@');
	struct passwd *pw;

	mta_pipe_opts_init(&opts);
	run_as(lr->ls, o, &opts.uid, &opts.gid);
	if (at)
		*at = '\0';
	pw = getpwuid(opts.uid == (uid_t)-1 ? geteuid() : opts.uid);
	v.home = pw ? pw->pw_dir : "/";
	v.user = pw ? pw->pw_name : "";
	v.shell = pw ? pw->pw_shell : "/bin/sh";
	v.sender = lr->req->sender;
	v.recipient = r->address;
	v.local = local;
	v.domain = at ? at + 1 : "";
	v.extension = o->extension ? o->extension : "";
	v.original_recipient = *r->orig ? r->orig : r->address;
	mta_pipe_deliver(o->target, env, &v, &opts, st);
	free(local);
}

/* copy_text - the message into a new one; -1 when the queue file fails */
static int
copy_text(struct local_req *lr, struct mta_cleanup *c)
{
	const char *data;
	size_t len;
	bool more;
	int rc;

	if (mta_qread_rewind(&lr->msg->q) < 0)
		return -1;
	while ((rc = mta_qread_piece(&lr->msg->q, &data, &len, &more)) > 0)
		if (mta_cleanup_text(c, data, len, !more) < 0)
			return 0;	/* close says why */
	return rc;
}

/* deliver_remote - a new message to an address elsewhere, from the sender */
static void
deliver_remote(struct local_req *lr, const struct mta_dlv_rcpt *r,
	       const struct mta_exp_outcome *o, struct mta_dstatus *st)
{
	struct mta_buf err = MTA_BUF_INIT(1024), hdr = MTA_BUF_INIT(4096);
	struct mta_cleanup *c;
	char id[MTA_QID_SIZE] = "", dsn[12];
	int status;

	/* as a local submission: cleanup adds our Received: (a hop) */
	c = mta_cleanup_open(lr->ls->cfg, &lr->ls->ctx->spool,
			     MTA_CLEANUP_LOCAL, &err);
	if (c == NULL) {
		mta_dstatus_set(st, "4.3.0", "cannot forward: %s",
				mta_buf_str(&err));
		goto out;
	}
	/* the copy says it was here, so that a loop back to us is seen */
	mta_buf_printf(&hdr, "Delivered-To: %s", o->delivered ? o->delivered :
		       r->address);
	mta_cleanup_uid(c, geteuid());
	if (mta_cleanup_time(c, time(NULL), 0) == 0 &&
	    mta_cleanup_sender(c, lr->req->sender) == 0 &&
	    mta_cleanup_recipient(c, o->target, *r->orig ? r->orig :
				  r->address, r->notify, r->dsn_orcpt) == 0 &&
	    mta_cleanup_text(c, hdr.data, hdr.len, true) == 0 &&
	    copy_text(lr, c) < 0) {
		mta_cleanup_abort(c);
		mta_dstatus_set(st, "4.3.0", "cannot forward: error reading "
				"the queue file");
		goto out;
	}
	status = mta_cleanup_close(c, id, &err);
	if (status == MTA_CLEANUP_OK) {
		mta_msg_info("%s: forwarded as %s", lr->req->queue_id, id);
		mta_dstatus_set(st, "2.0.0", "forwarded as %s", id);
	} else {
		/* "4.3.0 Error: ...": the code is the first word */
		snprintf(dsn, sizeof(dsn), "%.*s",
			 (int)strcspn(mta_cleanup_dsn(status), " "),
			 mta_cleanup_dsn(status));
		mta_dstatus_set(st, dsn, "cannot forward: %s",
				err.len ? mta_buf_str(&err) : "cleanup failed");
	}
out:
	mta_buf_release(&err);
	mta_buf_release(&hdr);
}

/*
 * local_deliver - one final outcome (mailbox, file, command, remote), or
 * the status an expansion already decided
 */
void
local_deliver(struct local_req *lr, const struct mta_dlv_rcpt *r,
	      const struct mta_exp_outcome *o, struct mta_dstatus *st)
{
	struct mta_envelope env = {
		.sender = lr->req->sender,
		.orig_rcpt = *r->orig ? r->orig : r->address,
		.delivered = o->delivered ? o->delivered : r->address,
		.read = mta_qread_piece,
		.read_ctx = &lr->msg->q,
	};
	struct job job = {.env = &env, .fn = job_mbox};

	memset(st, 0, sizeof(*st));
	if (o->kind <= MTA_EXP_REMOTE && o->delivered &&
	    local_msg_delivered(lr->msg, o->delivered)) {
		mta_dstatus_set(st, "5.4.6", "mail forwarding loop for %s",
				o->delivered);
		return;
	}
	if (!mta_config_bool(lr->ls->cfg, "enable_original_recipient"))
		env.orig_rcpt = NULL;
	(void)mta_qread_rewind(&lr->msg->q);	/* a failure: reads fail */
	switch (o->kind) {
	case MTA_EXP_MAILBOX:
		deliver_mailbox(lr, o, &job, st);
		break;
	case MTA_EXP_FILE:
		deliver_file(lr, o, &job, st);
		break;
	case MTA_EXP_COMMAND:
		deliver_command(lr, r, o, &env, st);
		break;
	case MTA_EXP_REMOTE:
		deliver_remote(lr, r, o, st);
		break;
	case MTA_EXP_DUPLICATE:
		mta_dstatus_set(st, "2.0.0", "duplicate of %s", o->target);
		break;
	case MTA_EXP_BOUNCE:
	case MTA_EXP_DEFER:
		mta_dstatus_set(st, o->dsn, "%s", o->target);
		break;
	}
}
