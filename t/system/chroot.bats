#!/usr/bin/env bats
# The chroot jail (issue 6): mta is installed into a temporary prefix
# (make install: programs, daemons, spool with its owners and modes), then
# the installed mta-chroot-setup builds the jail in that queue directory
# and sets master.cf's chroot column; master
# then runs smtpd, smtp, pickup and qmgr chrooted there as an
# unprivileged mail_owner (a user made for the test), local outside. All
# is checked from outside, through /proc: roots, ids, what a jailed
# daemon can see and keeps open; and that it still works: SMTP in, local
# delivery, relaying to an smtp-sink, a DNSBL lookup through a dnsmasq on
# loopback, log lines in the right time zone.

load smtp_instance

setup() {
	[ "$(id -u)" = 0 ] || skip "needs root: chroot, and a mail_owner user"
	smtp_setup
	JUSER=mtajail$$
	useradd --system --no-create-home --home-dir /nonexistent \
		--shell /usr/sbin/nologin "$JUSER"
	JUID=$(id -u "$JUSER")
	JGID=$(id -g "$JUSER")
	export JUSER JUID JGID
}

teardown() {
	[ "$(id -u)" = 0 ] || return 0
	smtp_teardown
	userdel "$JUSER" 2>/dev/null || true
	groupdel "$JUSER" 2>/dev/null || true
}

# install_prefix: make install into $I/usr (configuration $I/etc, spool
# $I/spool, mail_owner and setgid_group the test's user), and the
# installed commands first on PATH
install_prefix() {
	local build=(BUILD="$MTA_BUILD")
	case $MTA_BUILD in
	*-sanitize) build=(BUILD="${MTA_BUILD%-sanitize}" SANITIZE=1) ;;
	esac
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		make -s --no-print-directory -C "$MTA_TOP" "${build[@]}" install \
		PREFIX="$I/usr" SYSCONFDIR="$I/etc" QUEUE_DIR="$I/spool" \
		MAIL_OWNER="$JUSER" SETGID_GROUP="$(id -gn "$JUSER")" >"$I/install.out" 2>&1 ||
		{ cat "$I/install.out"; return 1; }
	PATH="$I/usr/sbin:$I/usr/bin:$PATH"
}

# jail_config: the installed mta, main.cf and master.cf of the instance,
# the maps; nothing chrooted yet
jail_config() {
	install_prefix
	{
		echo "queue_directory = $I/spool"
		echo "daemon_directory = $I/usr/libexec/mta"
		echo "mail_owner = $JUSER"
		echo "setgid_group = $(id -gn "$JUSER")"
		echo "mta_resolver_servers = 127.0.0.1:$DNSPORT"
		smtp_base
		cat "$I/main.extra"
	} >"$I/etc/main.cf"
	cat >"$I/etc/master.cf" <<-EOF
		# service type private unpriv chroot wakeup maxproc command
		127.0.0.1:$PORT inet n - n - - smtpd
		pickup fifo n - n 60 1 pickup
		# qmgr: one
		qmgr   fifo n - - 300 1 qmgr
		local  unix - n n - - local
		smtp   unix - - n - - smtp
	EOF
	export MTA_CONFIG_DIR="$I/etc"
	mta-alias "hash:$I/etc/aliases"
	mta-map "hash:$I/etc/access"
	[ "$(command -v mta-chroot-setup)" = "$I/usr/sbin/mta-chroot-setup" ]
}

# jail_start [CMD...]: configure, build the jail, start; with CMD, the
# jail is built and mta started through it (e.g. in a mount namespace)
jail_start() {
	jail_config
	if [ $# -gt 0 ]; then
		"$@" sh -c 'mta-chroot-setup && mta-start start'
	else
		mta-chroot-setup
		mta-start start
	fi
	wait_for port_open "$PORT" || { cat "$I/maillog"; return 1; }
}

# daemon_pid NAME: the pid of a process of master running NAME
daemon_pid() {
	local m p
	m=$(tr -dc 0-9 <"$I/spool/pid/master.pid")
	for p in /proc/[0-9]*; do
		[ "$(awk '/^PPid:/ { print $2 }' "$p/status" 2>/dev/null)" = "$m" ] ||
			continue
		[ "$(cat "$p/comm" 2>/dev/null)" = "$1" ] || continue
		echo "${p#/proc/}"
		return 0
	done
	return 1
}

# ids PID: its real, effective, saved and file-system uids, then gids
ids() {
	awk '/^Uid:|^Gid:/ { printf "%s %s %s %s ", $2, $3, $4, $5 }' \
		"/proc/$1/status"
}

# send_mail RCPT...: one message from 127.0.0.1, accepted
send_mail() {
	local items=() r
	for r in "$@"; do items+=("RCPT TO:<$r>"); done
	run smtpc chat "EHLO client.test" "MAIL FROM:<alice@example.test>" \
		"${items[@]}" "DATA" "raw:Subject: jailed\r\n\r\nhello\r\n.\r\n" "QUIT"
	show
	[[ "$output" == *"250 2.0.0 Ok: queued as "* ]]
}

# log_time ZONE PATTERN T0 T1: the first maillog line matching PATTERN
# is stamped with ZONE's local time, between the epoch seconds T0 and T1
log_time() {
	local stamp t
	stamp=$(grep -E "$2" "$I/maillog" | head -1 | cut -c1-15)
	for t in $(seq $(($3 - 1)) $(($4 + 1))); do
		[ "$(LC_ALL=C TZ=$1 date -d "@$t" '+%b %d %H:%M:%S')" = "$stamp" ] &&
			return 0
	done
	echo "maillog stamp \"$stamp\" is not $1 time between" \
		"$(LC_ALL=C TZ=$1 date -d "@$3") and $(LC_ALL=C TZ=$1 date -d "@$4")"
	return 1
}

@test "chroot: jailed daemons run in the queue directory as mail_owner, local outside as root; mail goes in, out and to a mailbox" {
	start_sink
	jail_start
	# the chroot column: y for all but local
	grep -qE "^127\.0\.0\.1:$PORT inet n - y - - smtpd$" "$I/etc/master.cf"
	grep -qE '^local  unix - n n - - local$' "$I/etc/master.cf"
	grep -qE '^qmgr   fifo n - y 300 1 qmgr$' "$I/etc/master.cf"
	grep -q '^# qmgr: one$' "$I/etc/master.cf"
	send_mail "$LUSER@example.test" "bob@elsewhere.test"
	wait_for mbox_has "$LUSER" 1
	wait_for sink_has 1
	grep -q '^X-Rcpt-Args: <bob@elsewhere.test>' "$I/sink/dump"
	for d in smtpd pickup qmgr smtp; do
		pid=$(daemon_pid "$d")
		echo "$d: pid $pid root $(readlink "/proc/$pid/root") ids $(ids "$pid")"
		[ "$(readlink "/proc/$pid/root")" = "$I/spool" ]
		[ "$(readlink "/proc/$pid/cwd")" = "$I/spool" ]
		[ "$(ids "$pid")" = "$JUID $JUID $JUID $JUID $JGID $JGID $JGID $JGID " ]
		# the installed daemon, not the build tree's
		[ "$(readlink "/proc/$pid/exe")" = "$I/usr/libexec/mta/$d" ]
	done
	pid=$(daemon_pid local)
	[ "$(readlink "/proc/$pid/root")" = / ]
	[ "$(awk '/^Uid:/ { print $3 }' "/proc/$pid/status")" = 0 ]
	wait_for grep -qE "local\[[0-9]+\]: [0-9A-Za-z]+: to=<$LUSER@example.test>, .*status=sent" "$I/maillog"
	wait_for grep -qE "smtp\[[0-9]+\]: [0-9A-Za-z]+: to=<bob@elsewhere.test>, .*status=sent" "$I/maillog"
}

@test "chroot: a jailed daemon sees the jail alone, and keeps open only the jail, sockets, pipes, its maps and its log" {
	smtp_main "smtpd_client_restrictions = check_client_access hash:$I/etc/access"
	jail_start
	send_mail "$LUSER@example.test"
	wait_for mbox_has "$LUSER" 1
	for d in smtpd qmgr pickup; do
		pid=$(daemon_pid "$d")
		r=/proc/$pid/root
		# the jail's files are there: what it was built with, the spool
		[ -f "$r/etc/resolv.conf" ] && [ -f "$r/etc/localtime" ]
		[ -f "$r/etc/services" ] && [ -d "$r/incoming" ] && [ -d "$r/private" ]
		ls "$r"/lib/*/libnss_files.so.2
		# and nothing of the host's: no shadow, no homes, no configuration
		[ ! -e "$r/etc/shadow" ] && [ ! -e "$r/etc/passwd" ]
		[ ! -e "$r/home" ] && [ ! -e "$r/root" ] && [ ! -e "$r/usr" ]
		[ ! -e "$r$I/etc/main.cf" ] && [ ! -e "$r/etc/mta" ]
		[ ! -e "$r/etc/main.cf" ]
		for fd in /proc/$pid/fd/*; do
			t=$(readlink "$fd")
			case "$t" in
			"$I/spool" | "$I/spool/"* | socket:* | pipe:* | anon_inode:* | \
			/dev/null | "$I/maillog" | "$I/etc/access.db" | "$I/etc/aliases.db") ;;
			*) echo "$d (pid $pid) keeps open $fd -> $t"; return 1 ;;
			esac
		done
	done
	# smtpd keeps the map it was given open (opened before the chroot)
	ls -l /proc/$(daemon_pid smtpd)/fd | grep -q " -> $I/etc/access.db$"
}

@test "chroot: a DNSBL lookup from the jailed smtpd refuses a listed client with the TXT reason" {
	start_dns --host-record=2.0.0.127.bl.test,127.0.0.2 \
		'--txt-record=2.0.0.127.bl.test,Listed: see http://bl.test/?127.0.0.2'
	smtp_main "smtpd_client_restrictions = reject_rbl_client bl.test"
	jail_start
	run smtpc -b 127.0.0.2 chat "EHLO client.test" "MAIL FROM:<a@example.org>" \
		"RCPT TO:<$LUSER@example.test>" "QUIT"
	show
	[[ "${lines[3]}" == 554\ 5.7.1\ *"[127.0.0.2]"*"blocked using bl.test"*"Listed: see http://bl.test/?127.0.0.2"* ]]
	# the process that answered is jailed
	pid=$(daemon_pid smtpd)
	[ "$(readlink "/proc/$pid/root")" = "$I/spool" ]
	# and one that is not listed passes
	run smtpc chat "EHLO client.test" "MAIL FROM:<a@example.org>" \
		"RCPT TO:<$LUSER@example.test>" "QUIT"
	[[ "${lines[3]}" == "250 2.1.5 "* ]]
}

@test "chroot: jailed daemons stamp their log lines with the host's /etc/localtime (not UTC)" {
	[ -f /usr/share/zoneinfo/Asia/Kolkata ] || skip "no tzdata (Asia/Kolkata)"
	unshare -m true 2>/dev/null || skip "cannot make a mount namespace here"
	# In a mount namespace of its own, the host's /etc/localtime is
	# Kolkata's (UTC+05:30) for mta-chroot-setup, master and the daemons.
	jail_start unshare -m sh -c \
		'mount --bind /usr/share/zoneinfo/Asia/Kolkata /etc/localtime && exec "$@"' sh
	t0=$(date +%s)
	send_mail "$LUSER@example.test"
	t1=$(date +%s)
	wait_for mbox_has "$LUSER" 1
	pid=$(daemon_pid smtpd)
	[ "$(readlink "/proc/$pid/root")" = "$I/spool" ]
	log_time Asia/Kolkata "smtpd\[$pid\]: connect from" "$t0" "$t1"
	log_time Asia/Kolkata "smtpd\[$pid\]: [0-9A-Za-z]+: client=" "$t0" "$t1"
	# the jail holds that zone; out here, where it is UTC, it is stale
	cmp /usr/share/zoneinfo/Asia/Kolkata "$I/spool/etc/localtime"
	run mta-chroot-setup --check
	[ "$status" -eq 1 ]
	[[ "$output" == *"etc/localtime stale in $I/spool"* ]]
}

@test "chroot: a time zone named by TZ is loaded before the chroot (its file is not in the jail)" {
	[ -f /usr/share/zoneinfo/America/St_Johns ] || skip "no tzdata (America/St_Johns)"
	jail_config
	mta-chroot-setup
	TZ=America/St_Johns mta-start start
	wait_for port_open "$PORT"
	[ ! -e "$I/spool/usr" ]
	t0=$(date +%s)
	send_mail "$LUSER@example.test"
	t1=$(date +%s)
	pid=$(daemon_pid smtpd)
	[ "$(readlink "/proc/$pid/root")" = "$I/spool" ]
	log_time America/St_Johns "smtpd\[$pid\]: connect from" "$t0" "$t1"
}

@test "chroot: etc/resolv.conf deleted from the jail: mta-start check and --check name it; mta-chroot-setup repairs it" {
	jail_start
	rm "$I/spool/etc/resolv.conf"
	run mta-start check
	echo "$output"
	[ "$status" -eq 78 ]
	[[ "$output" == *"mta-start: error: chroot jail $I/spool: etc/resolv.conf is missing"* ]]
	run mta-chroot-setup --check
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$output" = "mta-chroot-setup: etc/resolv.conf missing in $I/spool" ]
	run mta-chroot-setup
	[ "$status" -eq 0 ] && [ -z "$output" ]
	cmp /etc/resolv.conf "$I/spool/etc/resolv.conf"
	run mta-chroot-setup --check
	[ "$status" -eq 0 ] && [ -z "$output" ]
	run mta-start check
	[ "$status" -eq 0 ]
	# a stale copy is a warning for mta-start, a finding for --check
	echo "# changed" >>"$I/spool/etc/hosts"
	run mta-start check
	[ "$status" -eq 0 ]
	[[ "$output" == *"warning: chroot jail $I/spool: etc/hosts: differs from /etc/hosts"* ]]
	run mta-chroot-setup --check
	[ "$status" -eq 1 ]
	[[ "$output" == *"etc/hosts stale in $I/spool: differs from /etc/hosts"* ]]
}

# snapshot: every file and directory of the jail with its inode, mode,
# owner and mtime, and master.cf's
snapshot() {
	find "$I/spool/etc" "$I/spool/lib" "$I/etc/master.cf" \
		-printf '%p %i %y %m %u %g %T@\n' | sort
}

@test "chroot: --dry-run changes nothing; the jail is root's; a second run changes nothing" {
	jail_config
	cp "$I/etc/master.cf" "$I/master.cf.orig"
	run mta-chroot-setup --dry-run
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"would copy /etc/resolv.conf to $I/spool/etc/resolv.conf (missing)"* ]]
	[[ "$output" == *"would set the chroot column of smtp/unix to y ($I/etc/master.cf, line 7)"* ]]
	[[ "$output" != *"of local/unix"* ]]
	[ ! -e "$I/spool/etc" ] && [ ! -e "$I/spool/lib" ]
	cmp "$I/etc/master.cf" "$I/master.cf.orig"
	run mta-chroot-setup
	[ "$status" -eq 0 ] && [ -z "$output" ]
	# root's, and nothing in it writable by mail_owner (or anyone but root)
	[ -z "$(find "$I/spool/etc" "$I/spool/lib" \( ! -user root -o -perm /022 \))" ]
	[ "$(stat -c %a "$I/spool/etc/services")" = "$(stat -L -c %a /etc/services)" ]
	diff <(sed 's/^\(pickup fifo n - \)n/\1y/; s/^\(qmgr   fifo n - \)-/\1y/;
		s/^\(smtp   unix - - \)n/\1y/; s/^\(127[^ ]* inet n - \)n/\1y/' \
		"$I/master.cf.orig") "$I/etc/master.cf"
	before=$(snapshot)
	run mta-chroot-setup
	[ "$status" -eq 0 ] && [ -z "$output" ]
	run mta-chroot-setup --dry-run
	[ "$status" -eq 0 ] && [ -z "$output" ]
	[ "$(snapshot)" = "$before" ]
	# a copy that mail_owner could write is repaired
	chmod 666 "$I/spool/etc/hosts"
	chown "$JUSER" "$I/spool/etc"
	run mta-chroot-setup --check
	[ "$status" -eq 1 ]
	run mta-chroot-setup
	[ "$status" -eq 0 ]
	[ -z "$(find "$I/spool/etc" \( ! -user root -o -perm /022 \))" ]
}
