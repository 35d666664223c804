#!/usr/bin/env bats
# smtp(8) on a private instance, with the test playing qmgr: it writes a
# queue file into active/, sends a request over private/smtp (lib/dlv.h)
# and reads the status lines. The other side is Debian's smtp-sink (what
# it took is dumped to a file) or a small Python server that says what it
# is told to (hostile replies: bare LF, NUL, huge lines, silence). MX
# records come from a dnsmasq on 127.0.0.1: no query leaves the machine.

load smtp_instance	# free_port, wait_for, port_open, start_dns

setup() {
	setup_scratch
	I=$SCRATCH
	mkdir -p "$I/libexec" "$I/sink"
	chmod 755 "$I"
	chmod 1777 "$I/sink"	# smtp-sink runs as nobody
	ln -s "$MTA_BUILD/libexec/mta/master" "$I/libexec/master"
	ln -s "$MTA_BUILD/libexec/mta/smtp" "$I/libexec/smtp"
	SINKPORT=$(free_port)
	FAKEPORT=$(free_port)
	DNSPORT=$(free_port)
	SINKPID= FAKEPID= DNSPID=
	SMTP_PEER=mta
	: >"$I/main.extra"
}

# start_mta: the instance with main.extra's lines added
start_mta() {
	cat >"$I/etc/main.cf" <<-EOF
		queue_directory = $I/spool
		daemon_directory = $I/libexec
		maillog_file = $I/maillog
		myhostname = host.example
		mydomain = example
		mta_resolver_servers = 127.0.0.1:$DNSPORT
		smtp_helo_timeout = 3s
		smtp_connect_timeout = 3s
		max_idle = 30s
	EOF
	cat "$I/main.extra" >>"$I/etc/main.cf"
	echo "smtp unix - n n - - smtp ${SMTP_V:-}" >"$I/etc/master.cf"
	export MTA_CONFIG_DIR="$I/etc"
	mta-start start
}

teardown() {
	mta-start stop >/dev/null 2>&1 || true
	for p in "$SINKPID" "$FAKEPID" "$DNSPID"; do
		[ -n "$p" ] && kill "$p" 2>/dev/null
	done
	wait 2>/dev/null || true
	not grep -E "killed by signal|exit status|panic|fatal" "$I/maillog"
	teardown_scratch
}

# sink [ARG...]: smtp-sink on 127.0.0.1:$SINKPORT, messages in $I/dump
sink() {
	need_peer smtp-sink
	smtp-sink -u nobody -D "$I/sink/dump" "$@" "127.0.0.1:$SINKPORT" 64 \
		>"$I/sink.out" 2>&1 &
	SINKPID=$!
	wait_for port_open "$SINKPORT"
}

# fake MODE: the Python server on 127.0.0.1:$FAKEPORT (see smtp-fake below)
fake() {
	python3 - "$FAKEPORT" "$1" "$I/fake.got" <<'PY' &
import socket, sys, time
port, mode, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", port)); ls.listen(8); ls.settimeout(60)
greet = {"barelf": b"220 fake\n", "nul": b"220 fa\0ke\r\n",
         "long": b"220-" + b"x" * 5000 + b"\r\n220 ok\r\n",
         "cr": b"220 fake\rmore\r\n", "nocode": b"hello there\r\n",
         "greet421": b"421 4.3.2 busy, go away\r\n",
         "greet554": b"554 5.7.1 no mail from you\r\n"}
def serve(c):
    f = c.makefile("rb")
    if mode == "slow":
        time.sleep(8); return
    if mode in greet:
        c.sendall(greet[mode]); time.sleep(0.5); return
    c.sendall(b"220 fake ESMTP\r\n")
    got = open(out, "ab")
    while True:
        line = f.readline()
        if not line: return
        got.write(line); got.flush()
        cmd = line[:4].upper()
        if cmd == b"EHLO":
            size = b"250-SIZE 10\r\n" if mode == "size" else b""
            c.sendall(b"250-fake\r\n" + size + b"250 PIPELINING\r\n")
        elif cmd == b"DATA":
            c.sendall(b"354 go\r\n")
            while True:
                l = f.readline()
                got.write(l); got.flush()
                if l in (b".\r\n", b""): break
            if mode == "dropdata": return
            c.sendall(b"250 2.0.0 Ok: queued as FAKE1\r\n")
        elif cmd == b"QUIT":
            c.sendall(b"221 bye\r\n"); return
        elif cmd == b"RCPT" and mode == "multi":
            c.sendall(b"550-5.1.1 first line\r\n550 5.1.1 \x1b[31mred\r\n")
        else:
            c.sendall(b"250 ok\r\n")
deadline = time.time() + 60
while time.time() < deadline:
    try:
        c, _ = ls.accept()
    except socket.timeout:
        break
    try:
        serve(c)
    except OSError:
        pass
    c.close()
PY
	FAKEPID=$!
	wait_for port_open "$FAKEPORT"
}

# qmgr [--nexthop H] [--sender S] [--line TEXT]... [--rec T:DATA]... RCPT...: a queue file in
# active/ and one request to private/smtp; prints "id ID", then the answer
qmgr() {
	python3 "$MTA_TOP/t/system/playqmgr.py" "$I/spool" smtp "$@"
}

show() {
	echo "answer: ${output:-}"
	cat "$I/maillog" 2>/dev/null || true
}

# bouncelog ID / deferlog ID: the message's bounce or defer log
bouncelog() { cat "$I/spool/bounce/$1"; }
deferlog() { find "$I/spool/defer" -name "$1" -exec cat {} +; }

@test "smtp: a message to smtp-sink: sent, marked done, the exact text received, dots stuffed" {
	sink
	start_mta
	run qmgr --nexthop "[127.0.0.1]:$SINKPORT" --line "Subject: hi" --line "" \
		--line "hello" --line ".leading dot" --line "." --line "end" \
		bob@example.net carol@example.net
	show
	[[ "${lines[1]}" == "status "*" sent 2.0.0" ]]
	[[ "${lines[2]}" == "status "*" sent 2.0.0" ]]
	[ "${lines[3]}" = end ]
	id=${lines[0]#id }
	grep -E "mta/smtp\[[0-9]+\]: $id: to=<bob@example.net>, relay=127.0.0.1\[127.0.0.1\]:$SINKPORT, delay=[0-9.]+, delays=[0-9.]+/[0-9.]+/0/[0-9.]+, dsn=2.0.0, status=sent \(250 2.0.0 Ok\)" "$I/maillog"
	run mta-queue cat "$id"
	[[ "$output" == *"done_recipient: bob@example.net"* ]]
	[[ "$output" == *"done_recipient: carol@example.net"* ]]
	# what the sink took (it takes the dots off again): the envelope, the text
	wait_for test -s "$I/sink/dump"
	grep -q "^X-Mail-Args: <alice@example.org>" "$I/sink/dump"
	grep -q "^X-Rcpt-Args: <bob@example.net>" "$I/sink/dump"
	grep -q "^X-Rcpt-Args: <carol@example.net>" "$I/sink/dump"
	python3 - "$I/sink/dump" <<-'PY'
		import sys
		d = open(sys.argv[1], "rb").read()
		body = d[d.index(b"Subject: hi"):]
		assert body.startswith(b"Subject: hi\n\nhello\n.leading dot\n.\nend\n"), body
	PY
}

@test "smtp: the bytes on the wire: pipelined commands, CR LF, dots stuffed, long lines joined, the null sender" {
	fake plain
	start_mta
	run qmgr --sender "" --nexthop "[127.0.0.1]:$FAKEPORT" --line "Subject: x" \
		--line "" --line ".one" --line "." --line "..two" --rec "L:.long " \
		--rec "L:line " --rec "N:joined" bob@example.net
	show
	[[ "${lines[1]}" == "status "*" sent 2.0.0" ]]
	cat "$I/fake.got"
	python3 - "$I/fake.got" <<-'PY'
		import sys
		d = open(sys.argv[1], "rb").read()
		assert b"MAIL FROM:<>" in d, d
		assert d.endswith(b"RCPT TO:<bob@example.net>\r\nDATA\r\nSubject: x\r\n\r\n"
		    b"..one\r\n..\r\n...two\r\n..long line joined\r\n.\r\n"), d
	PY
}

@test "smtp: RCPT rejected with 550: bounced, the remote reply in the log and the bounce log; others sent" {
	need_peer smtp-sink
	fake multi
	start_mta
	run qmgr --nexthop "[127.0.0.1]:$FAKEPORT" bob@example.net
	show
	[[ "${lines[1]}" == "status "*" bounced 5.1.1" ]]
	id=${lines[0]#id }
	grep -F "$id: to=<bob@example.net>, relay=127.0.0.1[127.0.0.1]:$FAKEPORT," "$I/maillog"
	# multi-line reply on one line, escape sequences masked
	grep -F "status=bounced (host 127.0.0.1[127.0.0.1] said: 550-5.1.1 first line 550 5.1.1 ?[31mred (in reply to RCPT TO command))" "$I/maillog"
	run bouncelog "$id"
	[[ "$output" == *"diag_text=550-5.1.1 first line 550 5.1.1 ?[31mred"* ]]
	[[ "$output" == *"status=5.1.1"* ]]
	run mta-queue cat "$id"
	[[ "$output" == *"done_recipient: bob@example.net"* ]]
	# all recipients refused: no content was sent, the session was reset
	not grep -q "^Subject" "$I/fake.got"
	grep -q "^RSET" "$I/fake.got"
}

@test "smtp: smtp-sink refuses RCPT (4xx): deferred, defer log, recipient left pending" {
	sink -r RCPT
	start_mta
	run qmgr --nexthop "[127.0.0.1]:$SINKPORT" bob@example.net
	show
	[[ "${lines[1]}" == "status "*" deferred 4.3.0" ]]
	id=${lines[0]#id }
	grep -F "status=deferred (host 127.0.0.1[127.0.0.1] said: 450 4.3.0 Error: command failed (in reply to RCPT TO command))" "$I/maillog"
	run deferlog "$id"
	[[ "$output" == *"<bob@example.net>: host 127.0.0.1[127.0.0.1] said: 450 4.3.0"* ]]
	run mta-queue cat "$id"
	[[ "$output" != *"done_recipient"* ]]
}

@test "smtp: smtp-sink refuses MAIL (5xx): every recipient bounced; soft_bounce defers instead" {
	sink -f MAIL
	start_mta
	run qmgr --nexthop "[127.0.0.1]:$SINKPORT" bob@example.net carol@example.net
	show
	[[ "${lines[1]}" == "status "*" bounced 5.3.0" ]]
	[[ "${lines[2]}" == "status "*" bounced 5.3.0" ]]
	grep -F "(in reply to MAIL FROM command)" "$I/maillog"
	mta-start stop
	echo "soft_bounce = yes" >>"$I/main.extra"
	start_mta
	run qmgr --nexthop "[127.0.0.1]:$SINKPORT" bob@example.net
	show
	[[ "${lines[1]}" == "status "*" deferred 4.3.0" ]]
}

@test "smtp: smtp-sink refuses DATA and the final dot: the message's recipients follow the reply" {
	sink -f DATA
	start_mta
	run qmgr --nexthop "[127.0.0.1]:$SINKPORT" bob@example.net
	show
	[[ "${lines[1]}" == "status "*" bounced 5.3.0" ]]
	grep -F "(in reply to DATA command)" "$I/maillog"
	kill "$SINKPID"; wait "$SINKPID" 2>/dev/null || true
	sink -r .
	run qmgr --nexthop "[127.0.0.1]:$SINKPORT" bob@example.net
	show
	[[ "${lines[1]}" == "status "*" deferred 4.3.0" ]]
	grep -F "(in reply to end of DATA command)" "$I/maillog"
}

@test "smtp: nothing listens: deferred with connect to ...: Connection refused, relay=none" {
	start_mta
	run qmgr --nexthop "[127.0.0.1]:$FAKEPORT" bob@example.net
	show
	[[ "${lines[1]}" == "status "*" deferred 4.4.1" ]]
	grep -F "relay=none" "$I/maillog"
	grep -F "status=deferred (connect to 127.0.0.1[127.0.0.1]:$FAKEPORT: Connection refused)" "$I/maillog"
}

@test "smtp: hostile replies are protocol errors: bare LF, bare CR, NUL, a huge line, no code" {
	start_mta
	for mode in barelf cr nul long nocode; do
		fake $mode
		run qmgr --nexthop "[127.0.0.1]:$FAKEPORT" bob@example.net
		show
		[[ "${lines[1]}" == "status "*" deferred 4.4.2" ]]
		kill "$FAKEPID"; wait "$FAKEPID" 2>/dev/null || true
	done
	grep -F "malformed reply from 127.0.0.1[127.0.0.1] while receiving the initial server greeting: bare LF" "$I/maillog"
	grep -F "initial server greeting: bare CR" "$I/maillog"
	grep -F "initial server greeting: NUL byte" "$I/maillog"
	grep -F "initial server greeting: line too long" "$I/maillog"
	grep -F "initial server greeting: no reply code" "$I/maillog"
	# no raw control byte ever reached the log
	not grep -qP '[\x00-\x08\x0b-\x1f]' "$I/maillog"
}

@test "smtp: a silent server: the greeting timeout ends the wait" {
	fake slow
	echo "smtp_helo_timeout = 1s" >>"$I/main.extra"
	start_mta
	start=$SECONDS
	run qmgr --nexthop "[127.0.0.1]:$FAKEPORT" bob@example.net
	show
	[[ "${lines[1]}" == "status "*" deferred 4.4.2" ]]
	[ $((SECONDS - start)) -lt 6 ]
	grep -F "conversation with 127.0.0.1[127.0.0.1] timed out while receiving the initial server greeting" "$I/maillog"
}

@test "smtp: the server's SIZE is too small: bounced 5.3.4 without MAIL" {
	fake size
	start_mta
	run qmgr --nexthop "[127.0.0.1]:$FAKEPORT" bob@example.net
	show
	[[ "${lines[1]}" == "status "*" bounced 5.3.4" ]]
	grep -F "exceeds size limit 10 of server 127.0.0.1[127.0.0.1]" "$I/maillog"
	cat "$I/fake.got"
	not grep -q "^MAIL" "$I/fake.got"
}

@test "smtp: the connection breaks after the dot: deferred, may be sent more than once" {
	fake dropdata
	start_mta
	run qmgr --nexthop "[127.0.0.1]:$FAKEPORT" bob@example.net
	show
	[[ "${lines[1]}" == "status "*" deferred 4.4.2" ]]
	grep -F "lost connection with 127.0.0.1[127.0.0.1] while sending end of data -- message may be sent more than once" "$I/maillog"
	# pipelined: MAIL, RCPT and DATA came together
	grep -q "^MAIL FROM:<alice@example.org>" "$I/fake.got"
}

@test "smtp: MX records from dnsmasq: a 4xx greeting on the best MX, the next one takes it" {
	need_peer dnsmasq
	sink
	fake greet421
	start_dns --mx-host=mx.test,mx1.mx.test,10 --mx-host=mx.test,mx2.mx.test,20 \
		--host-record=mx1.mx.test,127.0.0.1 --host-record=mx2.mx.test,127.0.0.2
	# one port for both MX hosts: the fake on 127.0.0.1, the sink on 127.0.0.2
	kill "$SINKPID"; wait "$SINKPID" 2>/dev/null || true
	smtp-sink -u nobody -D "$I/sink/dump" "127.0.0.2:$FAKEPORT" 64 >"$I/sink.out" 2>&1 &
	SINKPID=$!
	wait_for port_open "$FAKEPORT"
	start_mta
	run qmgr --nexthop "mx.test:$FAKEPORT" bob@mx.test
	show
	[[ "${lines[1]}" == "status "*" sent 2.0.0" ]]
	grep -F "relay=mx2.mx.test[127.0.0.2]:$FAKEPORT" "$I/maillog"
	wait_for test -s "$I/sink/dump"
}

@test "smtp: DNS failures: no such domain bounces 5.4.4, null MX bounces 5.1.0, loops back to myself 5.4.6" {
	need_peer dnsmasq
	start_dns --mx-host=null.test,,0 --mx-host=self.test,host.example,10 \
		--host-record=host.example,127.0.0.9
	start_mta
	run qmgr --nexthop "nxdomain.test" bob@nxdomain.test
	show
	[[ "${lines[1]}" == "status "*" bounced 5.4.4" ]]
	grep -F "Host or domain name not found. Name service error for name=nxdomain.test type=MX: Host not found" "$I/maillog"
	run qmgr --nexthop "null.test" bob@null.test
	show
	[[ "${lines[1]}" == "status "*" bounced 5.1.0" ]]
	grep -F "Domain null.test does not accept mail (nullMX)" "$I/maillog"
	run qmgr --nexthop "self.test" bob@self.test
	show
	[[ "${lines[1]}" == "status "*" bounced 5.4.6" ]]
	grep -F "mail for self.test loops back to myself" "$I/maillog"
}

@test "smtp: a bad next hop defers, never crashes" {
	start_mta
	run qmgr --nexthop "[127.0.0.1" bob@example.net
	show
	[[ "${lines[1]}" == "status "*" deferred 4.3.5" ]]
}

@test "smtp: the connection is kept, reused with RSET for the next request to the same next hop, closed when idle" {
	fake plain
	start_mta
	for n in 1 2 3; do
		run qmgr --nexthop "[127.0.0.1]:$FAKEPORT" bob@example.net
		show
		[[ "${lines[1]}" == "status "*" sent 2.0.0" ]]
	done
	# one session: one greeting and EHLO, three transactions
	[ "$(grep -c '^EHLO' "$I/fake.got")" -eq 1 ]
	[ "$(grep -c '^MAIL FROM' "$I/fake.got")" -eq 3 ]
	[ "$(grep -c '^RSET' "$I/fake.got")" -eq 2 ]
	# smtp_connection_cache_time_limit (2s) later: QUIT
	wait_for grep -q '^QUIT' "$I/fake.got"
}
