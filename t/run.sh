#!/bin/sh
# make run: a complete mta instance under ./run/, in the foreground, as the
# current user, logging to the terminal. Ctrl-C stops it.
#   run/etc/      main.cf, master.cf, aliases (made once; edit at will)
#   run/spool/    the queue
#   run/mail/     the mailboxes (mbox, one file per user)
# Send mail to it:  printf 'Subject: hi\n\nhello\n' |
#     build/bin/mta-sendmail/mta-sendmail -c run/etc $(id -un)
# and read it in run/mail/$(id -un). mta-queue -c run/etc -p lists the queue.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${MTA_BUILD:-$top/build}
run=$top/run
user=$(id -un)
mkdir -p "$run/etc" "$run/mail"
if [ ! -f "$run/etc/main.cf" ]; then
	cat >"$run/etc/main.cf" <<-EOF
		# The instance of "make run" (t/run.sh made this file once).
		queue_directory = $run/spool
		daemon_directory = $build/libexec/mta
		command_directory = $build/bin
		mail_spool_directory = $run/mail
		mail_owner = $user
		myhostname = localhost.localdomain
		mydestination = \$myhostname, localhost
		alias_maps = hash:$run/etc/aliases
		alias_database = hash:$run/etc/aliases
		maillog_file = /dev/stdout
		mynetworks = 127.0.0.0/8
		smtpd_peername_lookup = no
		minimal_backoff_time = 60s
		queue_run_delay = 60s
	EOF
	cat >"$run/etc/master.cf" <<-EOF
		# service type private unpriv chroot wakeup maxproc command
		pickup    fifo  n       n       n       60      1       pickup
		qmgr      fifo  n       n       n       300     1       qmgr
		local     unix  -       n       n       -       -       local
		127.0.0.1:2525 inet n   n       n       -       -       smtpd
		smtp      unix  -       n       n       -       -       smtp
	EOF
	cat >"$run/etc/aliases" <<-EOF
		# make run's aliases: postmaster and root reach you.
		postmaster: root
		root: $user
	EOF
fi
"$build/bin/mta-alias/mta-alias" -c "$run/etc" "hash:$run/etc/aliases"
echo "mta: running in the foreground under $run (Ctrl-C stops it)"
echo "mta: send with: build/bin/mta-sendmail/mta-sendmail -c run/etc $user < message"
echo "mta: or over SMTP: swaks --server 127.0.0.1:2525 --to $user@localhost"
exec "$build/sbin/mta-start/mta-start" -c "$run/etc" start-fg
