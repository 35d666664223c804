#!/usr/bin/env bats
# smtpd's own protocol: the greeting and EHLO offer, the replies of every
# command and their enhanced codes, the limits (line length, size,
# recipients, errors, timeouts, connections), DSN and SIZE parameters kept
# in the queue file as Postfix keeps them (read back with Debian's postcat
# where it is installed), 250 only with the file on disk, and the state
# reset after RSET and after an aborted transaction. The client is
# t/system/smtpc.py; the instance is smtp_instance.bash's.

load smtp_instance

setup() {
	smtp_setup
}

teardown() {
	smtp_teardown
}

# queue_files: the files in incoming/, active/, deferred/ and hold/
queue_files() {
	find "$I/spool/incoming" "$I/spool/active" "$I/spool/deferred" \
		"$I/spool/hold" -type f 2>/dev/null | wc -l
}

@test "greeting, EHLO offer, HELP, NOOP, VRFY off, QUIT" {
	smtp_start
	run smtpc chat 'EHLO client.example' 'HELP' 'NOOP' 'VRFY root' 'QUIT'
	show
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "220 mx.example.test ESMTP mta" ]]
	[[ "${lines[1]}" == "250-mx.example.test | 250-PIPELINING | 250-SIZE 10240000 | 250-ENHANCEDSTATUSCODES | 250-8BITMIME | 250 DSN" ]]
	[[ "${lines[2]}" == 214-2.0.0\ Commands* ]]
	[[ "${lines[3]}" == "250 2.0.0 Ok" ]]
	[[ "${lines[4]}" == "502 5.5.1 VRFY command is disabled" ]]
	[[ "${lines[5]}" == "221 2.0.0 Bye" ]]
	grep -q "smtpd\[[0-9]*\]: connect from unknown\[127.0.0.1\]" "$I/maillog"
	# Postfix's shape: the commands, ok/given where some failed
	grep -q "smtpd\[[0-9]*\]: disconnect from unknown\[127.0.0.1\] ehlo=1 noop=1 vrfy=0/1 help=1 quit=1 commands=4/5\$" "$I/maillog"
}

@test "a message: 250 queued as ID, the file is on disk and postcat reads it" {
	smtp_main "smtpd_recipient_restrictions = permit_mynetworks, reject"
	smtp_start
	run smtpc chat 'EHLO c.example' \
		'MAIL FROM:<alice@c.example> SIZE=300 BODY=8BITMIME RET=HDRS ENVID=env+2Bid' \
		'RCPT TO:<nobody-here@elsewhere.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;x+40y.example' \
		'DATA' 'Subject: hi\r\n\r\n..starts with a dot\r\nlast line\r\n.' 'QUIT'
	show
	[[ "${lines[2]}" == "250 2.1.0 Ok" ]]
	[[ "${lines[3]}" == "250 2.1.5 Ok" ]]
	[[ "${lines[4]}" == "354 End data with <CR><LF>.<CR><LF>" ]]
	[[ "${lines[5]}" =~ ^250\ 2\.0\.0\ Ok:\ queued\ as\ ([0-9A-Za-z]+)$ ]]
	id=${BASH_REMATCH[1]}
	grep -q "smtpd\[[0-9]*\]: $id: client=unknown\[127.0.0.1\]" "$I/maillog"
	# the message waits in the queue (the sink is down): read it there
	mta-start stop
	run mta-queue cat "$id"
	show
	[[ "$output" == *"Subject: hi"* ]]
	[[ "$output" == *$'\n.starts with a dot\n'* ]]
	[[ "$output" == *"Received: from c.example (unknown [127.0.0.1])"* ]]
	[[ "$output" == *"by mx.example.test (mta) with ESMTP id $id"* ]]
	[[ "$output" == *"for <nobody-here@elsewhere.example>;"* ]]
	if command -v postcat >/dev/null; then
		f=$(find "$I/spool" -name "$id" -type f | head -1)
		run postcat "$f"
		show
		[ "$status" -eq 0 ]
		[[ "$output" == *"envelope_id=env+id"* ]]
		[[ "$output" == *"ret_flags=2"* ]]	# HDRS
		[[ "$output" == *"encoding=8bit"* ]]
		[[ "$output" == *"dsn_orig_rcpt=rfc822;x@y.example"* ]]
		[[ "$output" == *"notify_flags=6"* ]]
		[[ "$output" == *"client_address=127.0.0.1"* ]]
		[[ "$output" == *"log_message_origin=unknown[127.0.0.1]"* ]]
	fi
}

@test "command errors: sequence, syntax, unknown, parameters" {
	smtp_start
	run smtpc chat 'RCPT TO:<a@b.example>' 'DATA' 'MAIL FROM:a' \
		'MAIL FROM:<a@b.example> FOO=1' 'MAIL FROM:<a@b.example>' \
		'MAIL FROM:<c@d.example>' 'RCPT TO:<x@mx.example.test> NOTIFY=SOMETIMES' \
		'RCPT TO:<x@@@>' 'DATA' 'FROB' '' 'HELO' 'RSET x' 'RSET' \
		'MAIL FROM:<a@b.example> SIZE=99999999999' 'QUIT'
	show
	[[ "${lines[1]}" == "503 5.5.1 Error: need MAIL command" ]]
	[[ "${lines[2]}" == "503 5.5.1 Error: need RCPT command" ]]
	[[ "${lines[3]}" == "250 2.1.0 Ok" ]]	# bare address: not strict
	[[ "${lines[4]}" == "503 5.5.1 Error: nested MAIL command" ]]
	[[ "${lines[5]}" == "503 5.5.1 Error: nested MAIL command" ]]
	[[ "${lines[6]}" == "503 5.5.1 Error: nested MAIL command" ]]
	[[ "${lines[7]}" == "501 5.5.4 Error: Bad NOTIFY parameter syntax" ]]
	[[ "${lines[8]}" == "501 5.1.3 Bad recipient address syntax" ]]
	[[ "${lines[9]}" == "503 5.5.1 Error: need RCPT command" ]]
	[[ "${lines[10]}" == "502 5.5.2 Error: command not recognized" ]]
	[[ "${lines[11]}" == "500 5.5.2 Error: bad syntax" ]]
	[[ "${lines[12]}" == "501 5.5.4 Syntax: HELO hostname" ]]
	[[ "${lines[13]}" == "501 5.5.4 Syntax: RSET" ]]
	[[ "${lines[14]}" == "250 2.0.0 Ok" ]]
	[[ "${lines[15]}" == "552 5.3.4 Message size exceeds fixed limit" ]]
	# an unknown option in a fresh transaction
	run smtpc chat 'EHLO c' 'MAIL FROM:<a@b.example> FOO=1' 'QUIT'
	[[ "${lines[2]}" == "555 5.5.4 Unsupported option: FOO" ]]
	# DSN parameters whose xtext stands for a line break or a bad escape
	run smtpc chat 'EHLO c' 'MAIL FROM:<a@b.example> ENVID=a+0D+0Ab' \
		'MAIL FROM:<a@b.example> ENVID=a+4' 'MAIL FROM:<a@b.example> ENVID=ok+2B' \
		'RCPT TO:<root@mx.example.test> ORCPT=rfc822;x+0A@y.example' 'QUIT'
	show
	[[ "${lines[2]}" == "501 5.5.4 Error: Bad ENVID parameter syntax" ]]
	[[ "${lines[3]}" == "501 5.5.4 Error: Bad ENVID parameter syntax" ]]
	[[ "${lines[4]}" == "250 2.1.0 Ok" ]]
	[[ "${lines[5]}" == "501 5.5.4 Error: Bad ORCPT parameter syntax" ]]
}

@test "RSET forgets the transaction: DATA after it has no recipients" {
	smtp_start
	run smtpc chat 'EHLO c' 'MAIL FROM:<a@b.example>' 'RCPT TO:<root@mx.example.test>' \
		'RSET' 'DATA' 'RCPT TO:<root@mx.example.test>' 'QUIT'
	show
	[[ "${lines[3]}" == "250 2.1.5 Ok" ]]
	[[ "${lines[4]}" == "250 2.0.0 Ok" ]]
	[[ "${lines[5]}" == "503 5.5.1 Error: need RCPT command" ]]
	[[ "${lines[6]}" == "503 5.5.1 Error: need MAIL command" ]]
	# the queue file opened for the first RCPT is gone
	[ "$(queue_files)" -eq 0 ]
}

@test "line_length_limit: an over-long command is refused, the session goes on" {
	smtp_start
	long=$(printf 'x%.0s' $(seq 3000))
	run smtpc chat 'EHLO c' "NOOP $long" 'NOOP' 'QUIT'
	show
	[[ "${lines[2]}" == "500 5.5.2 Error: line too long" ]]
	[[ "${lines[3]}" == "250 2.0.0 Ok" ]]
	[[ "${lines[4]}" == "221 2.0.0 Bye" ]]
}

@test "message_size_limit: a bigger message is refused after its end, nothing queued" {
	smtp_main "message_size_limit = 2000"
	smtp_start
	body=$(printf 'y%.0s' $(seq 100))
	data="Subject: big"
	for _ in $(seq 40); do data="$data\\r\\n$body"; done
	run smtpc chat 'EHLO c' 'MAIL FROM:<a@b.example>' 'RCPT TO:<root@mx.example.test>' \
		'DATA' "$data\\r\\n." 'NOOP' 'QUIT'
	show
	[[ "${lines[1]}" == *"250-SIZE 2000"* ]]
	[[ "${lines[5]}" == "552 5.3.4 Error: message file too big" ]]
	[[ "${lines[6]}" == "250 2.0.0 Ok" ]]
	[ "$(queue_files)" -eq 0 ]
}

@test "smtpd_recipient_limit: the recipient after the limit gets 452 4.5.3" {
	smtp_main "smtpd_recipient_limit = 3" "local_recipient_maps ="
	smtp_start
	run smtpc chat 'EHLO c' 'MAIL FROM:<a@b.example>' 'RCPT TO:<r1@mx.example.test>' \
		'RCPT TO:<r2@mx.example.test>' 'RCPT TO:<r3@mx.example.test>' \
		'RCPT TO:<r4@mx.example.test>' 'QUIT'
	show
	[[ "${lines[5]}" == "250 2.1.5 Ok" ]]
	[[ "${lines[6]}" == "452 4.5.3 Error: too many recipients" ]]
	grep -qE '[0-9A-F]+: reject: RCPT from unknown\[127.0.0.1\]: 452 4.5.3 Error: too many recipients; from=<a@b.example> to=<r4@mx.example.test> proto=ESMTP helo=<c>$' "$I/maillog"
}

@test "smtpd_hard_error_limit: the session ends with 421" {
	smtp_main "smtpd_hard_error_limit = 3"
	smtp_start
	run smtpc chat 'FROB' 'FROB' 'FROB' 'NOOP'
	show
	[[ "${lines[3]}" == "502 5.5.2 Error: command not recognized" ]]
	[[ "${lines[4]}" == "421 4.7.0 mx.example.test Error: too many errors" ]]
	grep -q "too many errors after UNKNOWN from unknown\[127.0.0.1\]" "$I/maillog"
}

@test "smtpd_timeout: a silent client is dropped with 421 4.4.2" {
	smtp_main "smtpd_timeout = 1s"
	smtp_start
	run smtpc -q 4 burst 'EHLO c\r\n'
	show
	[[ "$output" == *"421 4.4.2 mx.example.test Error: timeout exceeded"* ]]
	grep -q "timeout after EHLO from unknown\[127.0.0.1\]" "$I/maillog"
}

@test "a slow DATA is bounded by smtpd_min_data_rate, not only per read" {
	smtp_main "smtpd_timeout = 2s" "smtpd_min_data_rate = 100000"
	smtp_start
	# one byte every 0.5 s: every read is in time, the rate is not
	run python3 - "$PORT" <<-'PY'
		import socket, sys, time
		s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
		f = s.makefile("rb")
		def cmd(line):
		    s.sendall(line + b"\r\n")
		    r = f.readline()
		    while r[3:4] == b"-":
		        r = f.readline()
		    return r
		f.readline()
		for c in [b"EHLO c", b"MAIL FROM:<a@b.example>", b"RCPT TO:<root@mx.example.test>", b"DATA"]:
		    print(cmd(c).decode().strip())
		start = time.monotonic()
		try:
		    for b in b"Subject: slow\r\n\r\nabcdefghijklmnopqrstuvwxyz":
		        s.sendall(bytes([b]))
		        time.sleep(0.5)
		except OSError:
		    pass
		print(f.read().decode().strip())
		print("after %.0f s" % (time.monotonic() - start))
	PY
	show
	[[ "$output" == *"354 End data"* ]]
	[[ "$output" == *"421 4.4.2"* ]]
	grep -q "timeout after DATA" "$I/maillog"
	[ "$(queue_files)" -eq 0 ]
}

@test "smtpd_client_connection_count_limit: the extra session gets 421" {
	smtp_main "smtpd_client_connection_count_limit = 2" \
		"smtpd_client_event_limit_exceptions ="
	smtp_start
	python3 - "$PORT" <<-'PY'
		import socket, sys, time
		port = int(sys.argv[1])
		held = []
		for _ in range(2):
		    s = socket.create_connection(("127.0.0.1", port), timeout=10)
		    assert s.recv(512).startswith(b"220"), "no greeting"
		    held.append(s)
		s = socket.create_connection(("127.0.0.1", port), timeout=10)
		got = s.recv(512)
		assert got.startswith(b"421 4.7.0"), got
		for h in held:
		    h.close()
		time.sleep(0.5)
		s = socket.create_connection(("127.0.0.1", port), timeout=10)
		got = s.recv(512)
		assert got.startswith(b"220"), got
	PY
	grep -q "Connection concurrency limit exceeded" "$I/maillog"
}

@test "a full spool (queue_minfree) gets 452 4.3.1 at MAIL, never 250" {
	smtp_main "queue_minfree = 1000000000000000"
	smtp_start
	run smtpc chat 'EHLO c' 'MAIL FROM:<a@b.example>' 'QUIT'
	show
	[[ "${lines[2]}" == "452 4.3.1 Insufficient system storage" ]]
}

@test "a queue file that cannot be written gets 451 4.3.0, never 250" {
	smtp_start
	# incoming/ is no directory any more: even root cannot write there
	mv "$I/spool/incoming" "$I/spool/incoming.away"
	: >"$I/spool/incoming"
	run smtpc chat 'EHLO c' 'MAIL FROM:<a@b.example>' 'RCPT TO:<root@mx.example.test>' 'QUIT'
	rm "$I/spool/incoming"
	mv "$I/spool/incoming.away" "$I/spool/incoming"
	show
	[[ "${lines[3]}" == "451 4.3.0 Error: queue file write error" ]]
}

@test "a HELO name with control bytes reaches neither the log nor the header raw" {
	smtp_main "smtpd_recipient_restrictions = permit_mynetworks, reject"
	smtp_start
	run smtpc chat 'EHLO evil\x1b[31mname\x07' 'MAIL FROM:<a@b.example>' \
		'RCPT TO:<x@elsewhere.example>' 'DATA' 'Subject: c\r\n\r\nbody\r\n.' 'QUIT'
	show
	[[ "${lines[5]}" =~ ^250\ 2\.0\.0\ Ok:\ queued\ as\ ([0-9A-Za-z]+)$ ]]
	id=${BASH_REMATCH[1]}
	mta-start stop
	run mta-queue cat "$id"
	[[ "$output" == *"Received: from evil?[31mname? (unknown [127.0.0.1])"* ]]
	not grep -q $'\x1b' "$I/maillog"
	run mta-queue cat "$id"
	not grep -q $'\x1b' <<<"$output"
}
