#!/usr/bin/env bats
# local(8) on a private instance, with the test playing qmgr: it writes a
# queue file into active/, sends a request over private/local (lib/dlv.h)
# and reads the status lines. Mail is read back with Python's mailbox
# module. Users are real ones of the system (bin, daemon, sys): their
# mailboxes are files in a temporary mail_spool_directory.

load ../cli/helpers

setup() {
	setup_scratch
	I=$SCRATCH
	mkdir -p "$I/libexec" "$I/mail" "$I/pub"
	chmod 1777 "$I/pub"	# the command runs as default_privs when root
	chmod 755 "$I" "$I/mail"
	ln -s "$MTA_BUILD/libexec/mta/master" "$I/libexec/master"
	ln -s "$MTA_BUILD/libexec/mta/local" "$I/libexec/local"
	printf '# a comment\nbin\nsys\n' >"$I/list.txt"
	chmod 644 "$I/list.txt"
	cat >"$I/etc/aliases" <<-EOF
		root: daemon
		user: bin, sys, daemon
		list: :include:$I/list.txt
		far: someone@elsewhere.example
		pipe: "|cat >$I/pub/pipe.out"
		nofile: :include:$I/missing/list.txt
		self: self-loop
		self-loop: self
	EOF
	cat >"$I/etc/main.cf" <<-EOF
		queue_directory = $I/spool
		daemon_directory = $I/libexec
		maillog_file = $I/maillog
		mail_spool_directory = $I/mail
		alias_maps = hash:$I/etc/aliases
		alias_database = hash:$I/etc/aliases
		myhostname = host.example
		mydomain = example
		mydestination = localhost, host.example
		deliver_lock_attempts = 2
		deliver_lock_delay = 1s
		max_idle = 30s
	EOF
	cat >"$I/etc/master.cf" <<-EOF
		local unix - n n - - local
	EOF
	export MTA_CONFIG_DIR="$I/etc"
	mta-alias 2>/dev/null
	mta-start start
}

teardown() {
	mta-start stop >/dev/null 2>&1 || true
	# local never crashed on the way
	not grep -E "killed by signal|exit status" "$I/maillog"
	if [ -n "${MTAUSER:-}" ]; then userdel "$MTAUSER" >/dev/null 2>&1 || true; fi
	teardown_scratch
}

# qmgr [--sender S] [--line TEXT]... RCPT...: a queue file in active/ and
# one request to private/local; prints "id ID", then the agent's answer
qmgr() {
	python3 "$MTA_TOP/t/system/playqmgr.py" "$I/spool" local "$@"
}

# show: the answer and the log, printed by bats when a test fails
show() {
	echo "answer: $output"
	cat "$I/maillog" || true
}

# mbox USER: "From_line|Delivered-To|X-Original-To|body" of each message
mbox() {
	python3 - "$I/mail/$1" <<'PY'
import mailbox, sys
for m in mailbox.mbox(sys.argv[1], create=False):
    print("%s|%s|%s|%s" % (m.get_from(), m["Delivered-To"], m["X-Original-To"],
                           m.get_payload().strip()))
PY
}

@test "local: a user's mailbox under mail_spool_directory, read by Python's mailbox" {
	run qmgr --line "Subject: hi" --line "" --line "hello" --line "From me" bin@host.example
	show
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" == "status "*" sent 2.0.0" ]]
	[ "${lines[2]}" = "end" ]
	id=${lines[0]#id }
	run mbox bin
	[[ "$output" == "alice@example.org "*"|bin@host.example|bin@host.example|hello"*">From me" ]]
	# Postfix's log line
	grep -E "mta/local\[[0-9]+\]: $id: to=<bin@host.example>, relay=local, delay=[0-9.]+, delays=[0-9.]+/[0-9.]+/0/[0-9.]+, dsn=2.0.0, status=sent \(delivered to mailbox\)" "$I/maillog"
	# the recipient is done in the queue file
	run mta-queue cat "$id"
	[[ "$output" == *"done_recipient: bin@host.example"* ]]
}

@test "local: the seed's aliases: root: user, user: u1, u2, u3, list: :include:" {
	run qmgr root@host.example user@host.example list@localhost
	show
	[ "$status" -eq 0 ]
	[ "$(grep -c ' sent 2.0.0$' <<<"$output")" -eq 3 ]
	id=${lines[0]#id }
	# root -> daemon; user -> bin, sys, daemon (daemon once: a duplicate);
	# list -> bin, sys (duplicates of user's deliveries)
	[ "$(mbox daemon | wc -l)" -eq 1 ]
	[ "$(mbox bin | wc -l)" -eq 1 ]
	[ "$(mbox sys | wc -l)" -eq 1 ]
	[[ "$(mbox daemon)" == *"|daemon@host.example|root@host.example|hello" ]]
	grep -q "$id: to=<root@host.example>, relay=local, .*status=sent (delivered to mailbox)" "$I/maillog"
	grep -q "$id: to=<user@host.example>, relay=local, .*status=sent (delivered to mailbox; delivered to mailbox)" "$I/maillog"
	run qmgr list@localhost
	show
	[[ "${lines[1]}" == *" sent 2.0.0" ]]
	[ "$(mbox bin | wc -l)" -eq 2 ]
	[ "$(mbox sys | wc -l)" -eq 2 ]
}

@test "local: an unknown user bounces 5.1.1, in the bounce log, R became D" {
	run qmgr nosuchuser@host.example
	show
	[[ "${lines[1]}" == "status "*" bounced 5.1.1" ]]
	id=${lines[0]#id }
	grep -q "$id: to=<nosuchuser@host.example>, relay=local, .*dsn=5.1.1, status=bounced (unknown user: \"nosuchuser\")" "$I/maillog"
	grep -q "unknown user" "$I/spool/bounce/$id"
	run mta-queue cat "$id"
	[[ "$output" == *"done_recipient: nosuchuser@host.example"* ]]
}

@test "local: an unwritable mailbox defers, keeps the recipient, then delivers" {
	mkdir "$I/mail/bin"	# a directory where the mailbox should be
	run qmgr bin@host.example
	show
	[[ "${lines[1]}" == "status "*" deferred 4."* ]]
	id=${lines[0]#id }
	grep -q "$id: to=<bin@host.example>, relay=local, .*status=deferred" "$I/maillog"
	[ -s "$I/spool/defer/"*"/$id" ] || [ -s "$I/spool/defer/$id" ]
	run mta-queue cat "$id"
	[[ "$output" == *"recipient: bin@host.example"* ]]
	[[ "$output" != *"done_recipient: bin@host.example"* ]]
	rmdir "$I/mail/bin"
	# qmgr tries again later: the same file, the same offsets
	python3 - "$I" "$id" <<'PY'
import os, socket, sys, time
top, qid = sys.argv[1:]
data = open(os.path.join(top, "spool/active", qid), "rb").read()
off = data.index(b"R\x10bin@host.example")
now = int(time.time())
s = socket.socket(socket.AF_UNIX); s.connect(os.path.join(top, "spool/private/local"))
s.sendall(("queue_name active\nqueue_id %s\narrival_time %d\nsender a@b\n"
           "rcpt %d 0 %% %% bin@host.example\nend\n" % (qid, now, off)).encode())
print(s.recv(4096).decode())
PY
	[ "$(mbox bin | wc -l)" -eq 1 ]
}

@test "local: an unreadable include file defers, never drops" {
	run qmgr nofile@host.example
	show
	[[ "${lines[1]}" == *" deferred 4.3.0" ]]
	grep -q "status=deferred (cannot read include file" "$I/maillog"
}

@test "local: a forwarding loop (Delivered-To:) bounces 5.4.6" {
	run qmgr --line "Delivered-To: bin@host.example" --line "Subject: x" --line "" --line "b" bin@host.example
	show
	[[ "${lines[1]}" == *" bounced 5.4.6" ]]
	grep -q "status=bounced (mail forwarding loop for bin@host.example)" "$I/maillog"
	[ ! -e "$I/mail/bin" ]
}

@test "local: |command only when allow_mail_to_commands allows it" {
	run qmgr pipe@host.example
	show
	[[ "${lines[1]}" == *" sent 2.0.0" ]]
	grep -q "^Delivered-To: pipe@host.example" "$I/pub/pipe.out"
	grep -q "status=sent (delivered to command: cat >$I/pub/pipe.out)" "$I/maillog"
	rm -f "$I/pub/pipe.out"
	mta-start stop
	echo "allow_mail_to_commands = forward" >>"$I/etc/main.cf"
	mta-start start
	run qmgr pipe@host.example
	show
	[[ "${lines[1]}" == *" bounced 5.7.1" ]]
	[ ! -e "$I/pub/pipe.out" ]
}

@test "local: an alias to a remote address is sent on as a new message" {
	run qmgr far@host.example
	show
	[[ "${lines[1]}" == *" sent 2.0.0" ]]
	newid=$(sed -n 's/.*status=sent (forwarded as \([0-9A-Za-z]*\)).*/\1/p' "$I/maillog")
	[ -n "$newid" ]
	run mta-queue cat "$newid"
	[[ "$output" == *"recipient: someone@elsewhere.example"* ]]
	[[ "$output" == *"sender: alice@example.org"* ]]
	[[ "$output" == *"Delivered-To: far@host.example"* ]]
}

@test "local: an alias loop bounces 5.4.6" {
	run qmgr self@host.example
	show
	[[ "${lines[1]}" == *" bounced 5.4.6" ]]
}

@test "local: Maildir under a real user's home, delivered as that user (root)" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to create a user"
	MTAUSER=mtatest$$
	mkdir -p "$I/home"
	useradd -M -d "$I/home/$MTAUSER" "$MTAUSER"
	mkdir "$I/home/$MTAUSER"
	chown "$MTAUSER" "$I/home/$MTAUSER"
	chmod 755 "$I/home"
	mta-start stop
	echo "home_mailbox = Maildir/" >>"$I/etc/main.cf"
	mta-start start
	run qmgr "$MTAUSER@host.example"
	show
	[[ "${lines[1]}" == *" sent 2.0.0" ]]
	grep -q "status=sent (delivered to maildir)" "$I/maillog"
	f=$(ls "$I/home/$MTAUSER/Maildir/new/")
	[ "$(stat -c %U "$I/home/$MTAUSER/Maildir/new/$f")" = "$MTAUSER" ]
	python3 - "$I/home/$MTAUSER/Maildir" "$MTAUSER" <<'PY'
import mailbox, sys
msgs = list(mailbox.Maildir(sys.argv[1], create=False))
assert len(msgs) == 1
assert msgs[0]["Delivered-To"] == sys.argv[2] + "@host.example"
assert msgs[0].get_payload().strip() == "hello"
PY
}
