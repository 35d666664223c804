#!/usr/bin/env bats
# master and mta-start on a private instance, with t/helpers/testd as the
# daemon: start, status, refusal to start twice, processes on demand,
# max_use, restart after a crash with a pause, FIFO wake-ups, reload, stop,
# check, start-fg; as root, the unpriv and chroot columns.

load ../cli/helpers

setup() {
	setup_scratch
	I=$SCRATCH
	mkdir -p "$I/libexec"
	ln -s "$MTA_BUILD/libexec/mta/master" "$I/libexec/master"
	ln -s "$MTA_BUILD/t/helpers/testd" "$I/libexec/testd"
	PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	cat >"$I/etc/main.cf" <<-EOF
		queue_directory = $I/spool
		daemon_directory = $I/libexec
		maillog_file = $I/maillog
		service_throttle_time = 2s
		max_idle = 30s
		max_use = 3
	EOF
	cat >"$I/etc/master.cf" <<-EOF
		127.0.0.1:$PORT inet n n n - 2 testd single
		echo unix - n n - 3 testd single
		trig fifo n n n 1 1 testd trigger $I/trig.log
	EOF
	export MTA_CONFIG_DIR="$I/etc"
}

teardown() {
	mta-start stop >/dev/null 2>&1 || true
	teardown_scratch
}

# ask PORT|PATH [TEXT]: one connection to a testd service, its answer
ask() {
	python3 - "$@" <<'PY'
import socket, sys
where, text = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "hi")
if where.isdigit():
    s = socket.create_connection(("127.0.0.1", int(where)), timeout=5)
else:
    s = socket.socket(socket.AF_UNIX); s.settimeout(5); s.connect(where)
s.sendall(text.encode())
try:
    print(s.recv(4096).decode().strip())
except Exception as e:
    print("no answer:", e)
PY
}

# wait_for CMD...: up to 5 s for a command to succeed
wait_for() {
	for _ in $(seq 50); do "$@" && return 0; sleep 0.1; done
	return 1
}

@test "mta-start: start, status, a second start refused, stop" {
	run mta-start start
	[ "$status" -eq 0 ]
	[ -f "$I/spool/pid/master.pid" ]
	pid=$(tr -d ' \n' <"$I/spool/pid/master.pid")
	kill -0 "$pid"
	run mta-start status
	[ "$status" -eq 0 ]
	[[ "$output" == *"running: pid $pid"* ]]
	run mta-start start
	[ "$status" -eq 1 ]
	[[ "$output" == *"already running (pid $pid)"* ]]
	grep -q "daemon started -- version" "$I/maillog"
	run mta-start stop
	[ "$status" -eq 0 ]
	# gone (or a zombie whose parent, init here, has not reaped it yet)
	[ ! -e "/proc/$pid" ] || grep -q '^State:.*Z' "/proc/$pid/status"
	run mta-start status
	[ "$status" -eq 1 ]
	[[ "$output" == *"not running"* ]]
	run mta-start stop
	[ "$status" -eq 1 ]
	grep -q "terminating on signal 15" "$I/maillog"
	# the spool was made with Postfix's directories
	for d in maildrop incoming active deferred hold corrupt defer bounce public private pid; do
		[ -d "$I/spool/$d" ]
	done
}

@test "master: processes start on demand, and retire after max_use" {
	mta-start start
	a=$(ask "$PORT")
	[[ "$a" == *" 127.0.0.1:$PORT uid="* ]]
	pids=""
	for i in 1 2 3 4 5 6; do pids="$pids $(ask "$PORT" | cut -d' ' -f1)"; done
	# max_use = 3: no process answers more than three connections
	[ "$(tr ' ' '\n' <<<"$pids" | grep . | sort | uniq -c | awk '$1 > 3' | wc -l)" -eq 0 ]
	[ "$(tr ' ' '\n' <<<"$pids" | grep . | sort -u | wc -l)" -ge 2 ]
	b=$(ask "$I/spool/private/echo")
	[[ "$b" == *" echo uid="* ]]
}

@test "master: a crashed daemon is restarted after service_throttle_time" {
	mta-start start
	ask "$PORT" crash
	wait_for grep -q "killed by signal 6" "$I/maillog"
	grep -q "bad command startup -- throttling for 2s" "$I/maillog"
	start=$(date +%s)
	a=$(ask "$PORT")
	[[ "$a" == *" 127.0.0.1:$PORT uid="* ]]
	[ $(( $(date +%s) - start )) -ge 1 ]	# held back, then served
}

@test "master: FIFO services get wake-ups and requests" {
	mta-start start
	wait_for grep -q " W$" "$I/trig.log"
	printf 'I' >"$I/spool/public/trig"
	wait_for grep -q " I$" "$I/trig.log"
}

@test "mta-start reload: a new service appears, the others keep running" {
	mta-start start
	pid=$(tr -d ' \n' <"$I/spool/pid/master.pid")
	echo "echo2 unix - n n - 1 testd single" >>"$I/etc/master.cf"
	run mta-start reload
	[ "$status" -eq 0 ]
	wait_for test -S "$I/spool/private/echo2"
	a=$(ask "$I/spool/private/echo2")
	[[ "$a" == *" echo2 uid="* ]]
	[ "$(tr -d ' \n' <"$I/spool/pid/master.pid")" = "$pid" ]
	grep -q "reload -- version" "$I/maillog"
	# a broken main.cf: mta-start refuses to reload; master itself, told
	# anyway, keeps running on what it has; stop still works
	echo "max_use = many" >>"$I/etc/main.cf"
	run mta-start reload
	[ "$status" -eq 78 ]
	kill -HUP "$pid"
	wait_for grep -q "reload: .*keeping the running configuration" "$I/maillog"
	kill -0 "$pid"
	run mta-start stop
	[ "$status" -eq 0 ]
}

@test "mta-start check: a broken configuration is refused, with the reason" {
	run mta-start check
	[ "$status" -eq 0 ]
	echo "max_use = many" >>"$I/etc/main.cf"
	run mta-start check
	[ "$status" -eq 78 ]
	[[ "$output" == *"max_use"* ]]
	run mta-start start
	[ "$status" -eq 78 ]
	sed -i '/many/d' "$I/etc/main.cf"
	echo "x unix - n n - 1 nosuchdaemon" >>"$I/etc/master.cf"
	run mta-start start
	[ "$status" -eq 78 ]
	[[ "$output" == *"service x"*"nosuchdaemon"* ]]
	[ ! -f "$I/spool/pid/master.pid" ] || ! mta-start status
}

@test "mta-start start-fg: in the foreground, logging to stdout, Ctrl-C stops" {
	sed -i 's|^maillog_file = .*|maillog_file = /dev/stdout|' "$I/etc/main.cf"
	mta-start start-fg >"$I/fg.out" 2>&1 &
	fg=$!
	wait_for grep -q "daemon started" "$I/fg.out"
	a=$(ask "$PORT")
	[[ "$a" == *"uid="* ]]
	kill -INT "$fg"
	wait "$fg"
	grep -q "terminating on signal 2" "$I/fg.out"
	run mta-start status
	[ "$status" -eq 1 ]
}

@test "master as root: the unpriv and chroot columns are applied" {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	id nobody >/dev/null 2>&1 || skip "no user nobody"
	echo "mail_owner = nobody" >>"$I/etc/main.cf"
	echo "jail unix - y y - 1 testd single" >>"$I/etc/master.cf"
	# the jail's files (mta-start refuses a jail without them), master.cf as it is
	mkdir -p "$I/spool" && mta-chroot-setup --master-cf /dev/null
	mta-start start
	a=$(ask "$I/spool/private/jail")
	[[ "$a" == *"uid=$(id -u nobody) "* ]]
	pid=${a%% *}
	# Seen from outside: the jailed daemon's root is the queue directory.
	[ "$(readlink "/proc/$pid/root")" = "$I/spool" ]
	[ "$(awk '/^Uid:/ { print $2 $3 $4 $5 }' "/proc/$pid/status")" = \
		"$(id -u nobody)$(id -u nobody)$(id -u nobody)$(id -u nobody)" ]
	b=$(ask "$I/spool/private/echo")
	[[ "$b" == *"uid=0 root=/"* ]]
}
