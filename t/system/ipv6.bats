#!/usr/bin/env bats
# IPv6 in and out: smtpd listening on [::1], the smtp client relaying to
# an smtp-sink on [::1] ([ipv6:::1]:PORT as relayhost), with mynetworks
# holding [::1]/128 so that the client may relay, and the log lines
# naming the IPv6 client and relay as Postfix writes them.

load smtp_instance

setup() {
	smtp_setup
	python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' \
		2>/dev/null || skip "no IPv6 loopback address on this machine"
	PORT6=$(free_port)
}

teardown() {
	smtp_teardown
}

@test "IPv6: a client on ::1 relays through smtpd on [::1] to a sink on [::1]" {
	need_peer smtp-sink
	smtp-sink -u nobody -D "$I/sink/dump" "[::1]:$SINKPORT" 64 >"$I/sink.out" 2>&1 &
	SINKPID=$!
	smtp_main "relayhost = [ipv6:::1]:$SINKPORT" "mynetworks = 127.0.0.1/32 [::1]/128"
	smtp_start
	echo "[::1]:$PORT6 inet n n n - - smtpd" >>"$I/etc/master.cf"
	mta-start reload
	wait_for python3 -c 'import socket, sys; socket.create_connection(("::1", int(sys.argv[1])), 1)' "$PORT6"
	run python3 - "$PORT6" <<-'PY'
		import smtplib, sys
		s = smtplib.SMTP("::1", int(sys.argv[1]), timeout=20)
		s.sendmail("v6@example.org", ["far@elsewhere.test"],
		           "Subject: over IPv6\r\n\r\nsix\r\n")
		s.quit()
		print("sent")
	PY
	show
	[ "$output" = sent ]
	wait_for sink_has 1
	grep -q '^Subject: over IPv6' "$I/sink/dump"
	grep -qE 'smtpd\[[0-9]+\]: connect from unknown\[::1\]' "$I/maillog"
	grep -qE 'smtp\[[0-9]+\]: [0-9A-F]+: to=<far@elsewhere.test>, relay=::1\[::1\]:'"$SINKPORT"'.*status=sent' "$I/maillog"
}

@test "IPv6: a client on ::1 outside mynetworks may not relay" {
	smtp_start
	echo "[::1]:$PORT6 inet n n n - - smtpd" >>"$I/etc/master.cf"
	mta-start reload
	wait_for python3 -c 'import socket, sys; socket.create_connection(("::1", int(sys.argv[1])), 1)' "$PORT6"
	run smtpc -H ::1 -p "$PORT6" chat 'EHLO v6' 'MAIL FROM:<a@example.org>' \
		'RCPT TO:<far@elsewhere.test>' 'QUIT'
	show
	[[ "${lines[3]}" == "454 4.7.1 <far@elsewhere.test>: Relay access denied" ]]	# defer_unauth_destination
	grep -q 'NOQUEUE: reject: RCPT from unknown\[::1\]: 454 4.7.1' "$I/maillog"
}
