#!/usr/bin/env bats
# Real SMTP clients against smtpd: swaks (plain and pipelined), Python's
# smtplib (and a raw pipelining client), and Postfix's smtp-source -> mta
# -> smtp-sink, every message counted at the sink with its envelope and
# body intact. Local mail is read back with Python's mailbox module.

load smtp_instance

setup() {
	smtp_setup
	start_sink
	smtp_start
}

teardown() {
	smtp_teardown
}

# mbox_subjects USER: "Subject|first body line" of each message
mbox_subjects() {
	python3 - "$I/mail/$1" <<-'PY'
		import mailbox, sys
		for m in mailbox.mbox(sys.argv[1], create=False):
		    print("%s|%s|%s" % (m["Subject"], m["Return-Path"],
		                        m.get_payload().strip().splitlines()[0]))
	PY
}

@test "swaks: a message to a local user lands in the mailbox" {
	need_peer swaks
	run swaks --server 127.0.0.1 --port "$PORT" --timeout 20 \
		--from alice@example.org --to "$LUSER@example.test" \
		--header "Subject: via swaks" --body "hello from swaks"
	show
	[ "$status" -eq 0 ]
	[[ "$output" == *"<-  250 2.0.0 Ok: queued as "* ]]
	wait_for mbox_has "$LUSER" 1
	run mbox_subjects "$LUSER"
	[ "$output" = "via swaks|<alice@example.org>|hello from swaks" ]
	grep -qE "local\[[0-9]+\]: [0-9A-Za-z]+: to=<$LUSER@example.test>, relay=local, .*status=sent \(delivered to mailbox\)" "$I/maillog"
}

@test "swaks --pipeline from a foreign client: accepted for us, pipelined" {
	need_peer swaks
	run swaks --server 127.0.0.1 --port "$PORT" --local-interface 127.0.0.2 \
		--timeout 20 --pipeline --from bob@example.org \
		--to "$LUSER@example.test,$ME@example.test" \
		--header "Subject: pipelined" --body "in one go"
	show
	[ "$status" -eq 0 ]
	[[ "$output" == *"250-PIPELINING"* ]]
	[[ "$output" == *"250 2.0.0 Ok: queued as "* ]]
	wait_for mbox_has "$LUSER" 1
	wait_for mbox_has "$ME" 1
	[ "$(mbox_subjects "$LUSER")" = "pipelined|<bob@example.org>|in one go" ]
	not grep -q "improper command pipelining" "$I/maillog"
	grep -qE "smtpd\[[0-9]+\]: [0-9A-Za-z]+: client=unknown\[127\.0\.0\.2\]" "$I/maillog"
}

@test "swaks: relaying from mynetworks reaches the sink with the envelope" {
	need_peer swaks
	run swaks --server 127.0.0.1 --port "$PORT" --timeout 20 \
		--from alice@example.test --to far@elsewhere.test \
		--header "Subject: far away" --body "to the sink"
	show
	[ "$status" -eq 0 ]
	wait_for sink_has 1
	grep -q '^X-Mail-Args: <alice@example.test>' "$I/sink/dump"
	grep -q '^X-Rcpt-Args: <far@elsewhere.test>' "$I/sink/dump"
	grep -q '^Subject: far away' "$I/sink/dump"
	grep -q '^to the sink' "$I/sink/dump"
}

@test "Python smtplib: two recipients, one message each, a dot line kept" {
	python3 - "$PORT" "$LUSER" "$ME" <<-'PY'
		import smtplib, sys
		port, luser, me = int(sys.argv[1]), sys.argv[2], sys.argv[3]
		msg = ("From: carol@example.org\r\nSubject: smtplib\r\n\r\n"
		       "line one\r\n.\r\n..two dots\r\nlast\r\n")
		with smtplib.SMTP("127.0.0.1", port, timeout=20,
		                  source_address=("127.0.0.2", 0)) as s:
		    code, _ = s.ehlo("client.test")
		    assert code == 250 and s.has_extn("pipelining"), s.esmtp_features
		    assert s.has_extn("size") and s.has_extn("8bitmime"), s.esmtp_features
		    assert s.has_extn("enhancedstatuscodes"), s.esmtp_features
		    refused = s.sendmail("carol@example.org",
		                         ["%s@example.test" % luser, "%s@example.test" % me], msg)
		    assert refused == {}, refused
		    # a relay attempt through smtplib is refused by the server
		    try:
		        s.sendmail("carol@example.org", ["x@elsewhere.test"], msg)
		        raise SystemExit("relayed for a foreign client")
		    except smtplib.SMTPRecipientsRefused as e:
		        code, text = e.recipients["x@elsewhere.test"]
		        assert code in (454, 554) and b"Relay access denied" in text, e
	PY
	wait_for mbox_has "$LUSER" 1
	wait_for mbox_has "$ME" 1
	python3 - "$I/mail/$LUSER" <<-'PY'
		import mailbox, sys
		m = mailbox.mbox(sys.argv[1], create=False)[0]
		assert m["Subject"] == "smtplib", m["Subject"]
		assert m.get_payload() == "line one\n.\n..two dots\nlast\n", repr(m.get_payload())
	PY
	[ "$(sink_count)" -eq 0 ]
}

@test "raw pipelining client: MAIL, RCPTs and DATA in one write, then the message" {
	python3 - "$PORT" "$LUSER" <<-'PY'
		import socket, sys
		port, luser = int(sys.argv[1]), sys.argv[2]
		s = socket.create_connection(("127.0.0.1", port), timeout=20)
		f = s.makefile("rb")
		def reply():
		    lines = []
		    while True:
		        line = f.readline().decode()
		        assert line, "the server hung up"
		        lines.append(line.rstrip("\r\n"))
		        if line[3:4] != "-":
		            return lines
		assert reply()[-1].startswith("220 ")
		s.sendall(b"EHLO client.test\r\n")
		assert "250-PIPELINING" in reply()
		s.sendall(("MAIL FROM:<dave@example.org> SIZE=100\r\n"
		           "RCPT TO:<%s@example.test>\r\nRCPT TO:<nobody@elsewhere.test>\r\n"
		           "RCPT TO:<postmaster@localhost>\r\nDATA\r\n" % luser).encode())
		got = [reply()[-1] for _ in range(5)]
		assert got[0].startswith("250 2.1.0"), got
		assert got[1].startswith("250 2.1.5"), got
		assert got[2].startswith("250 2.1.5"), got   # 127.0.0.1 is mynetworks
		assert got[3].startswith("250 2.1.5"), got
		assert got[4].startswith("354"), got
		s.sendall(b"Subject: raw pipelining\r\n\r\nbody\r\n.\r\nQUIT\r\n")
		end = reply()[-1]
		assert end.startswith("250 2.0.0 Ok: queued as "), end
		assert reply()[-1].startswith("221"), "no 221"
	PY
	wait_for sink_has 1
	grep -q '^X-Rcpt-Args: <nobody@elsewhere.test>' "$I/sink/dump"
	wait_for mbox_has "$LUSER" 1
	wait_for mbox_has "$ME" 1
	[ "$(mbox_subjects "$LUSER")" = "raw pipelining|<dave@example.org>|body" ]
}

@test "smtp-source -> mta -> smtp-sink: 200 messages in 5 sessions, all counted, envelope and body intact" {
	need_peer smtp-source
	awk 'BEGIN { print "From: source@example.org"; print "Subject: load test"; print "";
		for (i = 0; i < 30; i++) printf "body line %02d token-7f3a the quick brown fox\n", i;
		print ".leading dot line" }' >"$I/msg"
	run timeout 120 smtp-source -s 5 -m 200 -f source@example.org \
		-t sink@elsewhere.test -F "$I/msg" "127.0.0.1:$PORT"
	show
	[ "$status" -eq 0 ]
	for _ in $(seq 120); do sink_has 200 && break; sleep 0.5; done
	[ "$(sink_count)" -eq 200 ]
	[ "$(queued)" -eq 200 ]
	[ "$(grep -c '^X-Mail-Args: <source@example.org>' "$I/sink/dump")" -eq 200 ]
	[ "$(grep -c '^X-Rcpt-Args: <sink@elsewhere.test>' "$I/sink/dump")" -eq 200 ]
	[ "$(grep -c '^body line 29 token-7f3a the quick brown fox' "$I/sink/dump")" -eq 200 ]
	[ "$(grep -c '^Subject: load test' "$I/sink/dump")" -eq 200 ]
	# dot-stuffing undone by us and redone for the sink: the line comes out as sent
	[ "$(grep -c '^\.leading dot line' "$I/sink/dump")" -eq 200 ]
	wait_for queue_empty
}

@test "smtp-source -d: 50 messages on one connection to a local user" {
	need_peer smtp-source
	local before
	before=$(grep -cE 'smtpd\[[0-9]+\]: connect from unknown\[127\.0\.0\.1\]' "$I/maillog")
	run timeout 60 smtp-source -d -s 1 -m 50 -f source@example.org \
		-t "$LUSER@example.test" -S "kept session" "127.0.0.1:$PORT"
	show
	[ "$status" -eq 0 ]
	wait_for mbox_has "$LUSER" 50
	[ "$(mbox_count "$LUSER")" -eq 50 ]
	[ "$(grep -cE 'smtpd\[[0-9]+\]: connect from unknown\[127\.0\.0\.1\]' "$I/maillog")" -eq $((before + 1)) ]
}
