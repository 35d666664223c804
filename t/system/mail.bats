#!/usr/bin/env bats
# Local mail end to end, as a user sees it: mta-sendmail -> mta-postdrop ->
# pickup -> cleanup -> qmgr -> local -> a mailbox read by Python's mailbox
# module; masquerading; remote mail deferred with its reason and waits that
# double; expiry and unknown users returned to the sender; nothing lost
# when the daemons are killed.

load ../cli/helpers

setup() {
	setup_scratch
	I=$SCRATCH
	ME=$(id -un)
	mkdir -p "$I/libexec" "$I/mail"
	chmod 1777 "$I/mail"
	for p in master pickup qmgr local; do
		ln -s "$MTA_BUILD/libexec/mta/$p" "$I/libexec/$p"
	done
	cat >"$I/etc/main.cf" <<-EOF
		queue_directory = $I/spool
		daemon_directory = $I/libexec
		maillog_file = $I/maillog
		mail_owner = $ME
		myhostname = mx.test.example
		mydomain = test.example
		mydestination = \$myhostname, localhost, test.example
		mail_spool_directory = $I/mail
		alias_maps = hash:$I/etc/aliases
		alias_database = hash:$I/etc/aliases
		queue_run_delay = 1s
		minimal_backoff_time = 1s
		maximal_backoff_time = 4s
		service_throttle_time = 1s
	EOF
	cat >"$I/etc/master.cf" <<-EOF
		pickup fifo n n n 60 1 pickup
		qmgr   fifo n n n 300 1 qmgr
		local  unix - n n - - local
	EOF
	printf 'postmaster: %s\n' "$ME" >"$I/etc/aliases"
	mta-alias "hash:$I/etc/aliases"
	export MTA_CONFIG_DIR="$I/etc"
	mta-start start
}

teardown() {
	mta-start stop >/dev/null 2>&1 || true
	teardown_scratch
}

# wait_for CMD...: up to 10 s for a command to succeed
wait_for() {
	for _ in $(seq 100); do "$@" && return 0; sleep 0.1; done
	return 1
}

# mbox_count FILE: how many messages Python's mailbox module reads there
mbox_count() {
	python3 -c 'import mailbox, sys; print(len(mailbox.mbox(sys.argv[1])))' "$1" 2>/dev/null || echo 0
}

# mbox_has FILE N: at least N messages
mbox_has() {
	[ "$(mbox_count "$1")" -ge "$2" ]
}

@test "a message from mta-sendmail reaches the mailbox, and the log says so" {
	printf 'Subject: hello\n\nfirst line\nFrom here on\n' |
		mta-sendmail -f alice "$ME"
	wait_for mbox_has "$I/mail/$ME" 1
	python3 - "$I/mail/$ME" "$ME" <<'PY'
import mailbox, sys
m = mailbox.mbox(sys.argv[1])[0]
assert m["Subject"] == "hello", m["Subject"]
assert m["Delivered-To"] == sys.argv[2] + "@mx.test.example", m["Delivered-To"]
assert m["Return-Path"] == "<alice@mx.test.example>", m["Return-Path"]
assert m.get_from().startswith("alice@mx.test.example "), m.get_from()
body = m.get_payload()
assert "first line\n>From here on\n" in body, body
PY
	grep -q "pickup\[.*\]: [0-9A-F]*: uid=$(id -u) from=<alice>" "$I/maillog"
	grep -q "qmgr\[.*\]: [0-9A-F]*: from=<alice@mx.test.example>, size=[0-9]*, nrcpt=1 (queue active)" "$I/maillog"
	grep -q "local\[.*\]: [0-9A-F]*: to=<$ME@mx.test.example>, orig_to=<$ME>, relay=local, delay=.*, delays=.*, dsn=2.0.0, status=sent (delivered to mailbox)" "$I/maillog"
	wait_for grep -q "qmgr\[.*\]: [0-9A-F]*: removed" "$I/maillog"
	not grep -q 'from=<"">' "$I/maillog"
	run mta-queue -p
	[ "$output" = "Mail queue is empty" ]
}

@test "masquerading: host names leave the From: header, root stays" {
	mta-start stop
	cat >>"$I/etc/main.cf" <<-EOF
		masquerade_domains = \$mydomain
		masquerade_exceptions = root
	EOF
	mta-start start
	printf 'From: a@host.test.example\nSubject: m1\n\nx\n' | mta-sendmail -f a@host.test.example "$ME"
	printf 'From: root@host.test.example\nSubject: m2\n\nx\n' | mta-sendmail -f root@host.test.example "$ME"
	wait_for mbox_has "$I/mail/$ME" 2
	python3 - "$I/mail/$ME" <<'PY'
import mailbox, sys
got = {m["Subject"]: m["From"] for m in mailbox.mbox(sys.argv[1])}
assert got["m1"] == "a@test.example", got
assert got["m2"] == "root@host.test.example", got
PY
}

@test "remote mail is deferred with its reason, and the waits double up to the maximum" {
	printf 'Subject: away\n\nx\n' | mta-sendmail -f "$ME" bob@remote.example
	wait_for grep -q "status=deferred (delivery temporarily suspended: connect to transport private/smtp" "$I/maillog"
	run mta-queue -p
	[[ "$output" == *"delivery temporarily suspended: connect to transport private/smtp"* ]]
	[[ "$output" == *"bob@remote.example"* ]]
	# The deferred file's time is the next attempt: watch it move.
	waits=""
	last=""
	end=$(( $(date +%s) + 25 ))
	while [ "$(date +%s)" -lt "$end" ] && [ "$(wc -w <<<"$waits")" -lt 4 ]; do
		f=$(find "$I/spool/deferred" -type f | head -1)
		if [ -n "$f" ]; then
			t=$(stat -c %Y "$f" 2>/dev/null || echo "")
			if [ -n "$t" ] && [ "$t" != "$last" ]; then
				waits="$waits $(( t - $(date +%s) ))"
				last=$t
			fi
		fi
		sleep 0.2
	done
	echo "waits:$waits"
	set -- $waits
	[ "$#" -ge 4 ]
	# 1, 2, 4, 4 (seconds; one may be a second short, as time passed)
	[ "$1" -le 1 ] && [ "$2" -ge 1 ] && [ "$2" -le 2 ]
	[ "$3" -ge 3 ] && [ "$3" -le 4 ] && [ "$4" -ge 3 ] && [ "$4" -le 4 ]
}

@test "mail past maximal_queue_lifetime comes back to the sender as a DSN" {
	mta-start stop
	echo "maximal_queue_lifetime = 2s" >>"$I/etc/main.cf"
	mta-start start
	printf 'Subject: doomed\n\nx\n' | mta-sendmail -f "$ME" bob@remote.example
	wait_for mbox_has "$I/mail/$ME" 1 || wait_for mbox_has "$I/mail/$ME" 1
	grep -q "status=expired, returned to sender" "$I/maillog"
	python3 - "$I/mail/$ME" <<'PY'
import mailbox, sys
m = mailbox.mbox(sys.argv[1])[0]
assert m["Subject"] == "Undelivered Mail Returned to Sender", m["Subject"]
assert m.get_content_type() == "multipart/report", m.get_content_type()
assert m.get_param("report-type") == "delivery-status"
parts = [p.get_content_type() for p in m.get_payload()]
assert parts[:2] == ["text/plain", "message/delivery-status"], parts
text = m.get_payload()[1].as_string()
assert "Final-Recipient: rfc822; bob@remote.example" in text, text
assert "Action: failed" in text, text
PY
	wait_for bash -c "[ \"\$(mta-queue -p)\" = 'Mail queue is empty' ]"
}

@test "an unknown local user is bounced to the sender; nothing stays queued" {
	printf 'Subject: to nobody here\n\nx\n' | mta-sendmail -f "$ME" no.such.user
	wait_for mbox_has "$I/mail/$ME" 1
	grep -q "to=<no.such.user@mx.test.example>, orig_to=<no.such.user>, relay=local, .*dsn=5.1.1, status=bounced (unknown user: \"no.such.user\")" "$I/maillog"
	python3 - "$I/mail/$ME" <<'PY'
import mailbox, sys
m = mailbox.mbox(sys.argv[1])[0]
assert m["Subject"] == "Undelivered Mail Returned to Sender", m["Subject"]
assert "Status: 5.1.1" in m.get_payload()[1].as_string()
PY
	wait_for bash -c "[ \"\$(mta-queue -p)\" = 'Mail queue is empty' ]"
}

@test "nothing is lost when pickup, qmgr and local are killed at random" {
	n=40
	for i in $(seq $n); do
		printf 'Subject: k%d\n\nx\n' "$i" | mta-sendmail -f "$ME" "$ME"
		if [ $((i % 5)) -eq 0 ]; then
			pkill -KILL -f "$I/libexec/(pickup|qmgr|local)" || true
		fi
	done
	# master restarts what was killed (after service_throttle_time)
	for _ in $(seq 150); do
		[ "$(mbox_count "$I/mail/$ME")" -ge "$n" ] && break
		mta-queue -f >/dev/null 2>&1 || true
		sleep 0.5
	done
	python3 - "$I/mail/$ME" "$n" <<'PY'
import mailbox, sys
subjects = [m["Subject"] for m in mailbox.mbox(sys.argv[1])]
want = {"k%d" % i for i in range(1, int(sys.argv[2]) + 1)}
missing = want - set(subjects)
assert not missing, "lost: %s" % sorted(missing)
print("delivered %d, distinct %d" % (len(subjects), len(set(subjects))))
PY
}

@test "Postfix's postcat reads the queue files mta writes" {
	need_peer postcat
	printf 'Subject: stays\n\nx\n' | mta-sendmail -f "$ME" bob@remote.example
	wait_for bash -c "find '$I/spool/deferred' -type f | grep -q ."
	f=$(find "$I/spool/deferred" -type f | head -1)
	run postcat "$f"
	[ "$status" -eq 0 ]
	[[ "$output" == *"recipient: bob@remote.example"* ]]
	[[ "$output" == *"Subject: stays"* ]]
	[[ "$output" != *"warning"* ]]
}

@test "delay_warning_time: one warning to the sender while the mail waits" {
	mta-start stop
	echo "delay_warning_time = 2s" >>"$I/etc/main.cf"
	mta-start start
	printf 'Subject: slow\n\nx\n' | mta-sendmail -f "$ME" bob@remote.example
	wait_for mbox_has "$I/mail/$ME" 1 || wait_for mbox_has "$I/mail/$ME" 1
	python3 - "$I/mail/$ME" <<'PY'
import mailbox, sys
m = mailbox.mbox(sys.argv[1])[0]
assert m["Subject"] == "Delayed Mail (still being retried)", m["Subject"]
assert "Action: delayed" in m.get_payload()[1].as_string()
PY
	grep -q "sender delay notification" "$I/maillog"
	sleep 4	# more attempts: no second warning
	[ "$(mbox_count "$I/mail/$ME")" -eq 1 ]
	[ "$(mta-queue list --json | grep -c bob@remote.example)" -eq 1 ]
}
