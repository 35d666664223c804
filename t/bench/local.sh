#!/bin/sh
# local - local mail end to end: submit BENCH_MESSAGES (1,000) messages of
# about 1 KB with mta-sendmail and time them until the last is in a Maildir;
# then the same with Debian's Postfix on the same machine (a private
# instance in a temp dir, nothing listening), and print messages/second of
# both, the ratio and the daemons' peak memory.
# BENCH_PARALLEL (4) submissions run at once (xargs -P; 1 = a plain loop),
# BENCH_TIMEOUT (600) seconds is the most we wait for the deliveries;
# BENCH_KEEP=1 keeps the temp dir (logs, the last run's mail) to look at.
# As root the mail goes to a user made for the run (mtabench1) whose home is
# the temp dir; otherwise to the current user's mbox in a temp
# mail_spool_directory (a Maildir would need the real home), and no Postfix.
set -eu
: "${MTA_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${MTA_BUILD:=$MTA_TOP/build}"
n=${BENCH_MESSAGES:-1000}
par=${BENCH_PARALLEL:-4}
limit=${BENCH_TIMEOUT:-600}
sm=$MTA_BUILD/bin/mta-sendmail/mta-sendmail
start=$MTA_BUILD/libexec/mta/mta-start
for p in "$sm" "$start" "$MTA_BUILD"/libexec/mta/master \
	"$MTA_BUILD"/libexec/mta/pickup "$MTA_BUILD"/libexec/mta/qmgr \
	"$MTA_BUILD"/libexec/mta/local; do
	[ -x "$p" ] || { echo "local: $p is not built (run make)"; exit 1; }
done
pf_sbin=/usr/sbin
user=mtabench1
root=false
[ "$(id -u)" = 0 ] && root=true

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mta-bench-local.XXXXXX")
chmod 755 "$tmp"	# the test user and Postfix's mail_owner go through it
made_user=false
cleanup() {
	MTA_CONFIG_DIR=$tmp/mta/etc "$start" stop >/dev/null 2>&1 || true
	if [ -f "$tmp/pf/etc/main.cf" ]; then
		"$pf_sbin/postfix" -c "$tmp/pf/etc" stop >/dev/null 2>&1 || true
	fi
	if $made_user; then userdel "$user" >/dev/null 2>&1 || true; fi
	if [ -n "${BENCH_KEEP:-}" ]; then
		echo "local: kept $tmp (logs: mta/maillog, pf/maillog)"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# ---------------------------------------------------------------- the mail
if $root; then
	if id "$user" >/dev/null 2>&1; then
		userdel "$user" >/dev/null 2>&1 || true	# left by a killed run
	fi
	useradd -M -d "$tmp/home" -s /usr/sbin/nologin "$user"
	made_user=true
	mkdir "$tmp/home"
	chown "$user": "$tmp/home"
	rcpt=$user
	box=maildir
else
	rcpt=$(id -un)
	box=mbox
	echo "local: not root: mbox in a temp mail_spool_directory, not Maildir"
fi
awk 'BEGIN {
	print "From: Bench Sender <bench@bench.example>"
	print "Subject: local delivery benchmark"
	print ""
	for (i = 0; i < 14; i++)
		printf "line %02d of the body: the quick brown fox jumps over the dog\n", i
}' >"$tmp/msg"

# now: seconds since the epoch, with fractions
now() {
	date +%s.%N
}

# delivered: how many messages are in the box so far
delivered() {
	if [ "$box" = maildir ]; then
		find "$tmp/home/Maildir/new" -type f 2>/dev/null | wc -l
	else
		grep -c '^From ' "$tmp/mail/$rcpt" 2>/dev/null || echo 0
	fi
}

# last_delivery: the time of the newest delivery (file times, not polls)
last_delivery() {
	if [ "$box" = maildir ]; then
		find "$tmp/home/Maildir/new" -type f -printf '%T@\n' | sort -n | tail -1
	else
		stat -c %.9Y "$tmp/mail/$rcpt"
	fi
}

# rss_sample PIDFILE OUT: "name kbytes" of the master in PIDFILE and its
# children (their peak so far, VmHWM), added to OUT
rss_sample() {
	mp=$(tr -dc 0-9 <"$1" 2>/dev/null || true)
	[ -n "$mp" ] || return 0
	for p in $mp $(ps -o pid= --ppid "$mp" 2>/dev/null); do
		awk -v name="$(cat /proc/"$p"/comm 2>/dev/null)" \
			'/^VmHWM:/ { print name, $2 }' /proc/"$p"/status 2>/dev/null || true
	done >>"$2"
}

# rss_report OUT: the peak of each daemon name, on one line
rss_report() {
	awk '$2 > m[$1] { m[$1] = $2 } END { for (k in m) print k, m[k] }' "$1" |
		sort | awk '{ printf "%s%s %d KB", s, $1, $2; s = ", " }'
}

# sampler PIDFILE OUT: rss_sample every half second until $tmp/stop exists
sampler() {
	while [ ! -e "$tmp/stop" ]; do
		rss_sample "$1" "$2"
		sleep 0.5
	done
	rss_sample "$1" "$2"
}

# submit SENDMAIL: n messages, par at a time (the config dir is in the
# environment)
submit() {
	if [ "$par" -le 1 ]; then
		i=0
		while [ "$i" -lt "$n" ]; do
			"$1" -f bench@bench.example "$rcpt" <"$tmp/msg"
			i=$((i + 1))
		done
	else
		seq "$n" | xargs -P "$par" -n 25 sh -c '
			cmd=$1 msg=$2 rcpt=$3
			shift 3
			for _; do
				"$cmd" -f bench@bench.example "$rcpt" <"$msg" || exit 255
			done' _ "$1" "$tmp/msg" "$rcpt"
	fi
}

# wait_all NAME: until all n are in the box (at most limit seconds)
wait_all() {
	end=$(echo "$(now) $limit" | awk '{ print $1 + $2 }')
	while [ "$(delivered)" -lt "$n" ]; do
		if [ "$(echo "$(now) $end" | awk '{ print ($1 > $2) }')" = 1 ]; then
			echo "local: $1: only $(delivered) of $n delivered after ${limit}s"
			exit 1
		fi
		sleep 0.2
	done
}

# bench NAME PIDFILE SENDMAIL START STOP: two runs with the system's START
# and STOP functions. "live": submit n messages to the running system, time
# from the first submission to the last delivery. "drain": submit n while
# it is stopped, time from its start to the last delivery (the daemons
# alone). Writes "NAME live-msg/s submit-s live-s drain-msg/s drain-s" to
# $tmp/NAME.res and the daemons' memory to $tmp/NAME.rss.
bench() {
	name=$1 pidfile=$2 cmd=$3
	rm -rf "$tmp/home/Maildir" "$tmp/mail/$rcpt" "$tmp/stop"
	: >"$tmp/$name.rss"
	$4
	sampler "$pidfile" "$tmp/$name.rss" &
	spid=$!
	t0=$(now)
	submit "$cmd"
	t1=$(now)
	wait_all "$name"
	t2=$(last_delivery)
	touch "$tmp/stop"
	wait "$spid"
	$5
	rm -rf "$tmp/home/Maildir" "$tmp/mail/$rcpt"
	submit "$cmd"
	t3=$(now)
	$4
	wait_all "$name"
	t4=$(last_delivery)
	$5
	echo "$name $n $t0 $t1 $t2 $t3 $t4" | awk '{
		printf "%s %.1f %.2f %.2f %.1f %.2f\n", $1, $2 / ($5 - $3),
			$4 - $3, $5 - $3, $2 / ($7 - $6), $7 - $6 }' >"$tmp/$name.res"
}

# ---------------------------------------------------------------- mta
m=$tmp/mta
mkdir -p "$m/etc" "$m/libexec" "$tmp/mail"
chmod 1777 "$tmp/mail"
for p in master pickup qmgr local; do
	ln -s "$MTA_BUILD/libexec/mta/$p" "$m/libexec/$p"
done
hm=
[ "$box" = maildir ] && hm=Maildir/
cat >"$m/etc/main.cf" <<EOF
queue_directory = $m/spool
daemon_directory = $m/libexec
maillog_file = $m/maillog
mail_owner = $(id -un)
myhostname = mx.bench.example
mydomain = bench.example
mydestination = \$myhostname, localhost
mail_spool_directory = $tmp/mail
home_mailbox = $hm
alias_maps = hash:$m/etc/aliases
alias_database = hash:$m/etc/aliases
EOF
cat >"$m/etc/master.cf" <<EOF
pickup fifo n n n 60 1 pickup
qmgr   fifo n n n 300 1 qmgr
local  unix - n n - - local
EOF
printf 'postmaster: root\n' >"$m/etc/aliases"
"$MTA_BUILD/bin/mta-alias/mta-alias" -c "$m/etc" "hash:$m/etc/aliases"
export MTA_CONFIG_DIR="$m/etc"
# mta_start, mta_stop: the mta instance
mta_start() {
	"$start" start
}
mta_stop() {
	"$start" stop >/dev/null
}
bench mta "$m/spool/pid/master.pid" "$sm" mta_start mta_stop
unset MTA_CONFIG_DIR

# ---------------------------------------------------------------- Postfix
pf_why=
if ! $root; then
	pf_why="needs root"
elif [ ! -x "$pf_sbin/postfix" ] || [ ! -x "$pf_sbin/sendmail" ]; then
	pf_why="not installed (apt-get install postfix)"
fi
if [ -z "$pf_why" ]; then
	rm -rf "$tmp/home/Maildir"
	f=$tmp/pf
	mkdir -p "$f/etc" "$f/spool" "$f/data"
	cp /etc/postfix/main.cf /etc/postfix/master.cf "$f/etc/"
	chown postfix "$f/data"
	# nothing listens: no smtpd on port 25
	sed -i '/^smtp[[:space:]][[:space:]]*inet[[:space:]]/d' "$f/etc/master.cf"
	pc="$pf_sbin/postconf -c $f/etc"
	$pc -e "queue_directory = $f/spool" "data_directory = $f/data" \
		'mail_owner = postfix' 'setgid_group = postdrop' \
		'home_mailbox = Maildir/' 'inet_interfaces = loopback-only' \
		'myhostname = mx.bench.example' 'mydomain = bench.example' \
		'mydestination = $myhostname, localhost' 'biff = no' \
		"alias_maps = hash:$f/etc/aliases" \
		"alias_database = hash:$f/etc/aliases" \
		"maillog_file = $f/maillog" "maillog_file_prefixes = $f"
	# as mta's master.cf above: no chroot (it would need /etc files copied in)
	$pc -F '*/*/chroot = n'
	printf 'postmaster: root\n' >"$f/etc/aliases"
	"$pf_sbin/postalias" -c "$f/etc" "hash:$f/etc/aliases"
	"$pf_sbin/postfix" -c "$f/etc" check >"$tmp/pf.check" 2>&1 || {
		cat "$tmp/pf.check"
		exit 1
	}
	# pf_start, pf_stop: the Postfix instance
	pf_start() {
		"$pf_sbin/postfix" -c "$f/etc" start >"$tmp/pf.start" 2>&1 || {
			cat "$tmp/pf.start"
			exit 1
		}
	}
	pf_stop() {
		"$pf_sbin/postfix" -c "$f/etc" stop >/dev/null 2>&1
	}
	export MAIL_CONFIG="$f/etc"
	bench postfix "$f/spool/pid/master.pid" "$pf_sbin/sendmail" pf_start pf_stop
	unset MAIL_CONFIG
fi

# ---------------------------------------------------------------- figures
how="$par at a time (xargs -P$par)"
[ "$par" -le 1 ] && how="one after another"
read -r _ mr ms mt mdr mdt <"$tmp/mta.res"
if [ -n "$pf_why" ]; then
	echo "local: $n messages: mta $mr msg/s, Postfix not run: $pf_why"
	echo "  to $box, submitted $how in ${ms}s, last delivered after ${mt}s"
	echo "  queued while stopped, then delivered: $mdr msg/s (${mdt}s)"
	echo "  peak RSS, mta: $(rss_report "$tmp/mta.rss")"
	exit 0
fi
read -r _ pr ps pt pdr pdt <"$tmp/postfix.res"
echo "$n $mr $pr" | awk '{ printf "local: %d messages: mta %.1f msg/s, Postfix %.1f msg/s, ratio %.2f\n", $1, $2, $3, $2 / $3 }'
echo "  to $box, submitted $how in: mta ${ms}s, Postfix ${ps}s; last delivered after: mta ${mt}s, Postfix ${pt}s"
echo "$mdr $pdr $mdt $pdt" | awk '{ printf "  queued while stopped, then delivered: mta %.1f msg/s (%.2fs), Postfix %.1f msg/s (%.2fs), ratio %.2f\n", $1, $3, $2, $4, $1 / $2 }'
echo "  peak RSS, mta: $(rss_report "$tmp/mta.rss")"
echo "  peak RSS, Postfix: $(rss_report "$tmp/postfix.rss")"
