#!/bin/sh
# smtp - SMTP in and out: smtp-source sends messages to smtpd on
# 127.0.0.1, which queues them (fsync before every 250) and relays them
# with the smtp client to an smtp-sink on 127.0.0.1 (relayhost). Timed from
# the first connection until the sink has counted the last message (the
# sink counts them: -c). The same through Debian's Postfix
# in a private instance (its own config, queue and data directories in a
# temp dir, smtpd on another port of 127.0.0.1, the same sink), in the same
# run. One line per case: messages/second of both, the ratio, and the
# daemons' peak memory (the largest VmHWM of each program).
# Cases: 1 KB and 10 KB messages, 10 and 50 sessions, BENCH_SMTP_MESSAGES
# (20,000) each, times BENCH_SCALE (1; 0.05 for a quick run).
# BENCH_TIMEOUT (900) is the most one case may take; BENCH_SMTP_POSTFIX=no
# runs mta alone (while working on it); BENCH_KEEP=1 keeps the
# temp dir. Postfix needs root (its daemons run as postfix).
set -eu
: "${MTA_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${MTA_BUILD:=$MTA_TOP/build}"
scale=${BENCH_SCALE:-1}
n=$(awk -v n="${BENCH_SMTP_MESSAGES:-20000}" -v s="$scale" \
	'BEGIN { m = int(n * s); print (m < 10 ? 10 : m) }')
limit=${BENCH_TIMEOUT:-900}
PATH=$PATH:/usr/sbin:/sbin
for p in smtp-source smtp-sink python3; do
	command -v "$p" >/dev/null ||
		{ echo "smtp: $p is not installed (apt-get install postfix)"; exit 0; }
done
for p in master pickup qmgr local smtpd smtp mta-start; do
	[ -x "$MTA_BUILD/libexec/mta/$p" ] ||
		{ echo "smtp: $MTA_BUILD/libexec/mta/$p is not built (run make)"; exit 1; }
done
root=false
[ "$(id -u)" = 0 ] && root=true

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mta-bench-smtp.XXXXXX")
chmod 755 "$tmp"
sinkpid=
cleanup() {
	# (set -e: a failing last command of an && list would end the trap)
	[ -z "$sinkpid" ] || kill "$sinkpid" 2>/dev/null || true
	MTA_CONFIG_DIR=$tmp/mta/etc "$MTA_BUILD/libexec/mta/mta-start" stop >/dev/null 2>&1 || true
	[ ! -f "$tmp/pf/etc/main.cf" ] || postfix -c "$tmp/pf/etc" stop >/dev/null 2>&1 || true
	if [ -n "${BENCH_KEEP:-}" ]; then
		echo "smtp: kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# free_port: a TCP port free on 127.0.0.1
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# now: seconds since the epoch, with fractions
now() {
	date +%s.%N
}

# port_open PORT: something listens on 127.0.0.1:PORT
port_open() {
	python3 -c 'import socket, sys
s = socket.socket(); s.settimeout(1)
sys.exit(s.connect_ex(("127.0.0.1", int(sys.argv[1]))) != 0)' "$1"
}

# wait_port PORT: up to 20 s for a listener
wait_port() {
	for _ in $(seq 100); do port_open "$1" && return 0; sleep 0.2; done
	echo "smtp: nothing listens on 127.0.0.1:$1"
	return 1
}

# rss_sample PIDFILE OUT: "name kbytes" of the master and its children
rss_sample() {
	mp=$(tr -dc 0-9 <"$1" 2>/dev/null || true)
	[ -n "$mp" ] || return 0
	for p in $mp $(ps -o pid= --ppid "$mp" 2>/dev/null); do
		awk -v name="$(cat /proc/"$p"/comm 2>/dev/null)" \
			'/^VmHWM:/ { print name, $2 }' /proc/"$p"/status 2>/dev/null || true
	done >>"$2"
}

# rss_report OUT: the peak of each program, and the peak of their sum
rss_report() {
	awk '$2 > m[$1] { m[$1] = $2 } END { for (k in m) print k, m[k] }' "$1" |
		sort | awk '{ printf "%s%s %d KB", s, $1, $2; s = ", " }'
}

# sampler PIDFILE OUT: rss_sample every half second until $tmp/stop
sampler() {
	while [ ! -e "$tmp/stop" ]; do
		rss_sample "$1" "$2"
		sleep 0.5
	done
}

sinkport=$(free_port)
mport=$(free_port)
pport=$(free_port)

# a message of about SIZE bytes for smtp-source -F (it adds CR LF and
# dot-stuffs), SIZE in KB
mkmsg() {
	awk -v kb="$1" 'BEGIN {
		print "From: bench@bench.example"; print "To: sink@elsewhere.test"
		print "Subject: smtp benchmark"; print ""
		for (i = 0; i < kb * 1024 / 64; i++)
			printf "%04d the quick brown fox jumps over the lazy dog 0123456789\n", i
	}' >"$tmp/msg$1"
}
mkmsg 1
mkmsg 10

# ---------------------------------------------------------------- mta
m=$tmp/mta
mkdir -p "$m/etc" "$m/libexec"
for p in master pickup qmgr local smtpd smtp; do
	ln -s "$MTA_BUILD/libexec/mta/$p" "$m/libexec/$p"
done
# smtpd drops privileges to mail_owner, never to root
owner=$(id -un)
$root && owner=nobody
cat >"$m/etc/main.cf" <<EOF
queue_directory = $m/spool
daemon_directory = $m/libexec
maillog_file = $m/maillog
mail_owner = $owner
myhostname = mx.bench.example
mydomain = bench.example
mydestination = \$myhostname, localhost
mynetworks = 127.0.0.0/8
relayhost = [127.0.0.1]:$sinkport
smtpd_peername_lookup = no
mta_resolver_servers = 127.0.0.1:$(free_port)
alias_maps = hash:$m/etc/aliases
alias_database = hash:$m/etc/aliases
default_process_limit = 100
smtpd_client_connection_count_limit = 0
# a message the sink refused (it does, now and then, under a burst of
# connections) is tried again within seconds, on both systems
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
EOF
cat >"$m/etc/master.cf" <<EOF
127.0.0.1:$mport inet n - n - - smtpd
pickup fifo n n n 60 1 pickup
qmgr   fifo n n n 300 1 qmgr
local  unix - n n - - local
smtp   unix - - n - - smtp
EOF
printf 'postmaster: root\n' >"$m/etc/aliases"
"$MTA_BUILD/bin/mta-alias/mta-alias" -c "$m/etc" "hash:$m/etc/aliases"
mta_start() {
	MTA_CONFIG_DIR=$m/etc "$MTA_BUILD/libexec/mta/mta-start" start
}
mta_stop() {
	MTA_CONFIG_DIR=$m/etc "$MTA_BUILD/libexec/mta/mta-start" stop >/dev/null 2>&1 || true
}

# ---------------------------------------------------------------- Postfix
pf_why=
if [ "${BENCH_SMTP_POSTFIX:-yes}" = no ]; then
	pf_why="BENCH_SMTP_POSTFIX=no"
elif ! $root; then
	pf_why="needs root"
elif [ ! -x /usr/sbin/postfix ]; then
	pf_why="not installed (apt-get install postfix)"
fi
f=$tmp/pf
if [ -z "$pf_why" ]; then
	mkdir -p "$f/etc" "$f/spool" "$f/data"
	chown postfix "$f/data"
	cat >"$f/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $f/spool
data_directory = $f/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
maillog_file = $f/maillog
maillog_file_prefixes = $f
myhostname = mx.bench.example
mydomain = bench.example
mydestination = \$myhostname, localhost
mynetworks = 127.0.0.0/8
relayhost = [127.0.0.1]:$sinkport
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
alias_maps = hash:$f/etc/aliases
alias_database = hash:$f/etc/aliases
biff = no
default_process_limit = 100
smtpd_client_connection_count_limit = 0
# a message the sink refused (it does, now and then, under a burst of
# connections) is tried again within seconds, on both systems
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
EOF
	sed '/^smtp[[:space:]][[:space:]]*inet[[:space:]]/d' /etc/postfix/master.cf >"$f/etc/master.cf"
	echo "127.0.0.1:$pport inet n - n - - smtpd" >>"$f/etc/master.cf"
	postconf -c "$f/etc" -F '*/*/chroot = n'
	printf 'postmaster: root\n' >"$f/etc/aliases"
	postalias -c "$f/etc" "hash:$f/etc/aliases"
	postfix -c "$f/etc" check >"$tmp/pf.check" 2>&1 || { cat "$tmp/pf.check"; exit 1; }
fi
pf_start() {
	postfix -c "$f/etc" start >"$tmp/pf.start" 2>&1 || { cat "$tmp/pf.start"; exit 1; }
}
pf_stop() {
	postfix -c "$f/etc" stop >/dev/null 2>&1 || true
	for _ in $(seq 50); do port_open "$pport" || break; sleep 0.2; done
}

# sink_count: the messages the sink has counted so far (its -c counters:
# "sess=N quit=N mesg=N" lines ended by CR)
sink_count() {
	c=$(tail -c 60 "$tmp/sink.out" 2>/dev/null | tr '\r' '\n' |
		sed -n 's/.*mesg=\([0-9]*\).*/\1/p' | tail -1)
	echo "${c:-0}"
}

# run NAME PORT PIDFILE KB SESSIONS: one case against a running system;
# prints "msgs/s seconds source-seconds" and leaves the memory samples in
# $tmp/NAME.rss
run() {
	rm -f "$tmp/stop" "$tmp/sink.out"
	: >"$tmp/$1.rss"
	smtp-sink -c -m 1000 -u nobody "127.0.0.1:$sinkport" 4096 >"$tmp/sink.out" 2>&1 &
	sinkpid=$!
	wait_port "$sinkport"
	sampler "$3" "$tmp/$1.rss" &
	spid=$!
	t0=$(now)
	timeout "$limit" smtp-source -s "$5" -m "$n" -f bench@bench.example \
		-t sink@elsewhere.test -F "$tmp/msg$4" "127.0.0.1:$2" >"$tmp/source.out" 2>&1 ||
		echo "smtp: $1: smtp-source failed: $(tail -1 "$tmp/source.out")" >&2
	t1=$(now)
	end=$(echo "$t0 $limit" | awk '{ print $1 + $2 }')
	ok=true
	while [ "$(sink_count)" -lt "$n" ]; do
		if [ "$(echo "$(now) $end" | awk '{ print ($1 > $2) }')" = 1 ]; then
			echo "smtp: $1: the sink got $(sink_count) of $n messages in ${limit}s" >&2
			ok=false
			break
		fi
		sleep 0.05
	done
	t2=$(now)
	kill "$sinkpid" 2>/dev/null
	wait "$sinkpid" 2>/dev/null || true
	sinkpid=
	touch "$tmp/stop"
	wait "$spid" || true
	$ok || return 1
	echo "$n $t0 $t1 $t2" | awk '{ printf "%.1f %.2f %.2f\n", $1 / ($4 - $2), $4 - $2, $3 - $2 }'
}

echo "smtp: smtp-source -> smtpd -> queue (fsync) -> smtp -> smtp-sink, $n messages a case, all on 127.0.0.1"
status=0
for kb in ${BENCH_SMTP_SIZES:-1 10}; do
	for s in ${BENCH_SMTP_SESSIONS:-10 50}; do
		mta_start
		wait_port "$mport"
		mr=$(run mta "$mport" "$m/spool/pid/master.pid" "$kb" "$s") || status=1
		mta_stop
		if [ -n "$pf_why" ]; then
			echo "smtp: ${kb} KB, $s sessions: mta ${mr:-failed} (msg/s s source-s); Postfix not run: $pf_why"
			echo "  peak RSS, mta: $(rss_report "$tmp/mta.rss")"
			continue
		fi
		pf_start
		wait_port "$pport"
		pr=$(run postfix "$pport" "$f/spool/pid/master.pid" "$kb" "$s") || status=1
		pf_stop
		echo "$kb $s ${mr:-0 0 0} ${pr:-0 0 0}" | awk '{
			printf "smtp: %d KB, %d sessions: mta %.1f msg/s (%.1fs), Postfix %.1f msg/s (%.1fs), ratio %s\n",
				$1, $2, $3, $4, $6, $7, ($6 > 0 ? sprintf("%.2f", $3 / $6) : "-") }'
		echo "  peak RSS, mta: $(rss_report "$tmp/mta.rss")"
		echo "  peak RSS, Postfix: $(rss_report "$tmp/postfix.rss")"
	done
done
exit $status
