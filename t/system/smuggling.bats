#!/usr/bin/env bats
# SMTP smuggling is impossible: the known fake ends of data (SEC Consult
# 2023) with a second transaction behind them never give two messages from
# one DATA, whether the bytes come in one write or cut anywhere; bare LF
# is normalized (the message kept whole) or, with smtpd_forbid_bare_newline
# = reject, refused; NUL in DATA is refused; input sent ahead of the
# greeting or of a reply that forbids pipelining is refused and logged.
# The client is 127.0.0.2 (outside mynetworks, so that
# smtpd_forbid_bare_newline_exclusions = $mynetworks does not apply).

load smtp_instance

SEQS=('\n.\n' '\n.\r\n' '\r.\n' '\r.\r\n' '\r\n.\r' '\r\n.\n' '\n.\r' '\r\n\x00.\r\n')

setup() {
	smtp_setup
	start_sink
}

teardown() {
	smtp_teardown
}

# smuggle ARG...: t/system/smuggle.py from 127.0.0.2 to our local user
smuggle() {
	python3 "$MTA_TOP/t/system/smuggle.py" -p "$PORT" -b 127.0.0.2 -q 1 \
		--rcpt "$LUSER@example.test" "$@"
}

# mbox_check USER: every message in the mailbox is a whole first message:
# none has the subject "smuggled"; prints how many there are
mbox_check() {
	python3 - "$I/mail/$1" <<-'PY'
		import mailbox, os, sys
		n = 0
		if os.path.exists(sys.argv[1]):
		    for m in mailbox.mbox(sys.argv[1], create=False):
		        n += 1
		        assert m["Subject"] == "first", "a smuggled message: %r" % m["Subject"]
		print(n)
	PY
}

# mbox_at_least N: the local user has N messages or more
mbox_at_least() {
	[ "$(mbox_check "$LUSER")" -ge "$1" ]
}

# judge: every attempt in $output gave at most one message; the number of
# messages queued equals the attempts that got one "queued as", the log and
# the mailbox agree, and nothing went to the sink
judge() {
	local attempts accepted
	attempts=$(grep -c ' cut=' <<<"$output")
	[ "$attempts" -gt 0 ]
	not grep -E ' queued=([2-9]|[1-9][0-9])' <<<"$output"
	accepted=$(grep -c ' queued=1' <<<"$output" || true)
	[ "$(queued)" -eq "$accepted" ]
	wait_for mbox_at_least "$accepted"
	sleep 1
	[ "$(mbox_check "$LUSER")" -eq "$accepted" ]
	[ "$(sink_count)" -eq 0 ]
	not grep -q 'evil@example.org' "$I/maillog"
}

@test "smuggling: no fake end of data yields a second message (one write each)" {
	smtp_start
	run smuggle "${SEQS[@]}"
	show
	[ "$status" -eq 0 ]
	judge
}

@test "smuggling: no fake end of data yields a second message, cut at every byte" {
	smtp_start
	run smuggle --split "${SEQS[@]}"
	show
	[ "$status" -eq 0 ]
	judge
}

@test "smuggling: with smtpd_forbid_bare_newline = normalize a bare-LF message is kept whole" {
	[ "$SMTP_PEER" = postfix ] && skip "Postfix 3.7 has no normalize"
	smtp_main "smtpd_forbid_bare_newline = normalize"
	smtp_start
	run smuggle '\n.\n'
	show
	[[ "$output" == *" cut=- queued=1: "* ]]
	judge
	python3 - "$I/mail/$LUSER" <<-'PY'
		import mailbox, sys
		msgs = list(mailbox.mbox(sys.argv[1], create=False))
		assert len(msgs) == 1, len(msgs)
		body = msgs[0].get_payload()
		# the fake end and what follows it are the message's own text
		assert "first part" in body and "smuggled body" in body, body
		assert "MAIL FROM:<evil@example.org>" in body, body
	PY
}

@test "smuggling: with smtpd_forbid_bare_newline = reject a bare LF gets an error and no message" {
	if [ "$SMTP_PEER" = postfix ]; then
		smtp_main "smtpd_forbid_bare_newline = yes"
	else
		smtp_main "smtpd_forbid_bare_newline = reject"
	fi
	smtp_start
	run smuggle '\n.\n' '\n.\r\n'
	show
	not grep ' queued=[1-9]' <<<"$output"
	# the answer to the bare LF is an error reply
	[ "$(grep -cE '\|\| [45][0-9][0-9] [45]\.[0-9]\.[0-9]+ .*[Bb]are <?LF>?' <<<"$output")" -eq 2 ]
	[ "$(queued)" -eq 0 ]
	[ "$(mbox_check "$LUSER")" -eq 0 ]
	# a bare LF ending a command is refused too
	run smtpc -b 127.0.0.2 chat "EHLO client.test" "raw:MAIL FROM:<a@example.org>\n" "QUIT"
	show
	[[ "${lines[2]}" =~ ^[45][0-9][0-9]\ .*[Bb]are ]] || [ "${lines[2]}" = CLOSED ]
}

@test "smuggling: NUL in DATA is refused with 554, nothing queued" {
	smtp_start
	run smtpc -b 127.0.0.2 chat "EHLO client.test" "MAIL FROM:<a@example.org>" \
		"RCPT TO:<$LUSER@example.test>" "DATA" \
		"raw:Subject: nul\r\n\r\nbefore\x00after\r\n.\r\n" "QUIT"
	show
	[[ "${lines[4]}" == "354 "* ]]
	[[ "${lines[5]}" =~ ^554\ 5\.[0-9]\.[0-9]+\  ]]
	not grep -q 'queued as' <<<"$output"
	sleep 1
	[ "$(mbox_check "$LUSER")" -eq 0 ]
}

@test "pipelining: input sent ahead of the greeting is refused and logged" {
	smtp_start
	# one smtpd process: a second client waits in the listen queue, and
	# its bytes are there before it could have had a greeting
	sed -i "s/^127.0.0.1:$PORT inet n n n - - smtpd$/127.0.0.1:$PORT inet n n n - 1 smtpd/" \
		"$I/etc/master.cf"
	grep -q " - 1 smtpd$" "$I/etc/master.cf"
	mta-start reload
	sleep 1
	run python3 - "$PORT" "$LUSER" <<-'PY'
		import socket, sys, time
		port, user = int(sys.argv[1]), sys.argv[2]
		first = socket.create_connection(("127.0.0.1", port), timeout=10)
		assert first.recv(512).startswith(b"220")
		early = socket.socket()
		early.settimeout(10)
		early.bind(("127.0.0.2", 0))
		early.connect(("127.0.0.1", port))
		early.sendall(b"EHLO client.test\r\nMAIL FROM:<a@example.org>\r\n"
		              b"RCPT TO:<%s@example.test>\r\nDATA\r\nSubject: early\r\n"
		              b"\r\nearly\r\n.\r\nQUIT\r\n" % user.encode())
		time.sleep(0.5)
		first.sendall(b"QUIT\r\n")
		first.recv(512)
		first.close()
		got = b""
		while True:
		    b = early.recv(4096)
		    if not b:
		        break
		    got += b
		print(got.decode().replace("\r\n", "\n"))
	PY
	show
	not grep -q '^250' <<<"$output"
	grep -q '^554 5.5.0 Error: SMTP protocol synchronization' <<<"$output"
	grep -qE "smtpd\[[0-9]+\]: improper command pipelining after CONNECT from unknown\[127\.0\.0\.2\]" "$I/maillog"
	[ "$(queued)" -eq 0 ]
}

@test "pipelining: the message sent right after DATA, before the 354, is refused and logged" {
	smtp_start
	run smtpc -b 127.0.0.2 chat "EHLO client.test" "MAIL FROM:<a@example.org>" \
		"RCPT TO:<$LUSER@example.test>" \
		"all:DATA\r\nSubject: early\r\n\r\nearly body\r\n.\r\nQUIT\r\n"
	show
	not grep -q 'queued as' <<<"$output"
	grep -qE '^[45][0-9][0-9] ' <<<"$output"
	grep -qE "smtpd\[[0-9]+\]: improper command pipelining after DATA from unknown\[127\.0\.0\.2\]" "$I/maillog"
	[ "$(queued)" -eq 0 ]
	sleep 1
	[ "$(mbox_check "$LUSER")" -eq 0 ]
}

@test "pipelining: commands sent with EHLO before its reply are refused (smtpd_forbid_unauth_pipelining)" {
	smtp_main "smtpd_forbid_unauth_pipelining = yes"
	smtp_start
	run smtpc -b 127.0.0.2 burst \
		'EHLO client.test\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<'"$LUSER"'@example.test>\r\n'
	show
	not grep -q '^250 2\.1\.[05]' <<<"$output"
	grep -qE "smtpd\[[0-9]+\]: improper command pipelining after EHLO from unknown\[127\.0\.0\.2\]" "$I/maillog"
	[ "$(queued)" -eq 0 ]
}

@test "pipelining: what RFC 2920 allows works: MAIL, RCPT, DATA in one write after EHLO's reply" {
	smtp_main "smtpd_forbid_unauth_pipelining = yes"
	smtp_start
	run smtpc -b 127.0.0.2 chat "EHLO client.test" \
		"all:MAIL FROM:<a@example.org>\r\nRCPT TO:<$LUSER@example.test>\r\nDATA\r\n"
	show
	[[ "${lines[1]}" == *"PIPELINING"* ]]
	[[ "${lines[2]}" == "250 2.1.0 "* ]]
	[[ "${lines[3]}" == "250 2.1.5 "* ]]
	[[ "${lines[4]}" == "354 "* ]]
	not grep -q "improper command pipelining" "$I/maillog"
}
