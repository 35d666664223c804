#!/usr/bin/env bats
# mta-sendmail and mta-postdrop on a temporary spool: every option and exit
# status, and maildrop files with the same records as those Postfix 3.7's
# sendmail/postdrop wrote for the same submissions (t/data/.../01-maildrop).

load helpers

FIXTURES="$MTA_TOP/t/data/postfix-3.7-spool/short-ids/01-maildrop/spool/maildrop"
MSGS="$MTA_TOP/t/data/sendmail"
RECORDS="$MTA_TOP/t/cli/maildrop-records.py"
POSTDROP="$MTA_BUILD/sbin/mta-postdrop/mta-postdrop"

setup() {
	setup_scratch
	chmod 755 "$SCRATCH"
	mkdir -p "$SCRATCH/spool/maildrop" "$SCRATCH/spool/public"
	chmod 1733 "$SCRATCH/spool/maildrop"
	echo "queue_directory = $SCRATCH/spool" >"$SCRATCH/etc/main.cf"
}
teardown() { teardown_scratch; }

# the_file: the one maildrop file (fails unless there is exactly one)
the_file() {
	local files=("$SCRATCH"/spool/maildrop/*)
	[ "${#files[@]}" -eq 1 ] && [ -f "${files[0]}" ] || return 1
	echo "${files[0]}"
}

no_file() {
	[ -z "$(ls -A "$SCRATCH/spool/maildrop")" ]
}

# same_records FIXTURE_ID MASK: our file and Postfix's, record by record
same_records() {
	diff <("$RECORDS" "$(the_file)" --mask "$2") \
		<("$RECORDS" "$FIXTURES/$1" --mask "$2")
}

@test "M1: plain -f submission has Postfix's records, mode 0744" {
	run mta-sendmail -f alice@test.example carol@remote.example <"$MSGS/m1"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	same_records D6E9E10E034 F
	[ "$(stat -c %a "$(the_file)")" = 744 ]
}

@test "M2: -t -i extracts To/Cc/Bcc after X, keeps a lone dot" {
	run mta-sendmail -t -i <"$MSGS/m2"
	[ "$status" -eq 0 ]
	same_records E4CA110E035 S,F
	"$RECORDS" "$(the_file)" | grep -qx 'N \.'
}

@test "M3: -B -N -R -V -F give the DSN attributes Postfix writes" {
	run mta-sendmail -i -B 8BITMIME -N success,delay,failure -R hdrs \
		-V envid-m3 -F 'Alice Example' -f alice@test.example \
		dave@remote.example <"$MSGS/m3"
	[ "$status" -eq 0 ]
	same_records ECABD10E03A none
}

@test "M4: without -i a lone dot ends the message" {
	run mta-sendmail -f alice@test.example carol@remote.example <"$MSGS/m4"
	[ "$status" -eq 0 ]
	same_records F3D9310E03B F
	not grep -q "NOT kept" "$(the_file)"
}

@test "M5: header only, login name as sender" {
	run mta-sendmail -i carol@remote.example <"$MSGS/m5"
	[ "$status" -eq 0 ]
	same_records 06AF510E03C S,F
	"$RECORDS" "$(the_file)" | grep -qx "S $(id -un)"
}

@test "-oi is -i; a lone dot survives" {
	printf 'Subject: x\n\n.\nafter\n' | mta-sendmail -oi a@b
	"$RECORDS" "$(the_file)" | grep -qx 'N after'
}

@test "a 3000-character line becomes L(2048) + N(952)" {
	{ printf 'Subject: long\n\n'; head -c 3000 /dev/zero | tr '\0' b; printf '\nend\n'; } |
		mta-sendmail a@b
	run "$RECORDS" "$(the_file)"
	[ "$(printf '%s\n' "$output" | grep '^L ' | wc -L)" -eq 2050 ]
	[ "$(printf '%s\n' "$output" | grep -c '^L ')" -eq 1 ]
	printf '%s\n' "$output" | grep -A1 '^L ' | tail -1 | grep -qx "N $(head -c 952 /dev/zero | tr '\0' b)"
}

@test "-f and -F set S and F; -r is -f; <> is the null sender" {
	echo x | mta-sendmail -F 'Jane Q. Doe' -f 'Jane <jane@example.org>' a@b
	run "$RECORDS" "$(the_file)"
	printf '%s\n' "$output" | grep -qx 'F Jane Q. Doe'
	printf '%s\n' "$output" | grep -qx 'S jane@example.org'
	rm "$(the_file)"
	echo x | mta-sendmail -r '<>' a@b
	"$RECORDS" "$(the_file)" | grep -qx 'S '
}

@test "command-line recipients: address lists, -t adds header ones" {
	printf 'To: c@d\n\nbody\n' | mta-sendmail -t 'X <a@b>, e@f'
	run "$RECORDS" "$(the_file)"
	[ "$(printf '%s\n' "$output" | grep '^[RMXE]' | tr '\n' '|')" = "R a@b|R e@f|M |X |R c@d|E |" ]
}

@test "-t: Resent- headers win; folded headers are read whole" {
	printf 'To: old@x\nResent-To: new@x,\n\tnewer@x\nCc: cc@x\n\nbody\n' | mta-sendmail -t
	run "$RECORDS" "$(the_file)"
	[ "$(printf '%s\n' "$output" | grep '^R' | tr '\n' '|')" = "R new@x|R newer@x|" ]
}

@test "leading From_ lines are dropped, CRLF becomes LF" {
	printf 'From someone Mon Jan  1 00:00:00 2024\r\n>From x\r\nSubject: s\r\n\r\nbody\r\n' |
		mta-sendmail a@b
	run "$RECORDS" "$(the_file)"
	[ "$(printf '%s\n' "$output" | sed -n '/^M/,/^X/p' | tr '\n' '|')" = "M |N Subject: s|N |N body|X |" ]
}

@test "no recipients: 64 without -t, 65 with -t, nothing left behind" {
	run mta-sendmail <"$MSGS/m1"
	[ "$status" -eq 64 ]
	[[ "$output" == *"error: recipient addresses must be given"* ]]
	run mta-sendmail -t <"$MSGS/m5"
	[ "$status" -eq 65 ]
	[[ "$output" == *"no recipient addresses found"* ]]
	no_file
}

@test "usage errors exit 64" {
	run mta-sendmail -Z a@b </dev/null
	[ "$status" -eq 64 ]
	[[ "$output" == *"mta-sendmail: error: -Z: unknown option"* ]]
	run mta-sendmail -n a@b </dev/null
	[ "$status" -eq 64 ]
	run mta-sendmail -B 9BIT a@b </dev/null
	[ "$status" -eq 64 ]
	run mta-sendmail -qX
	[ "$status" -eq 64 ]
	run mta-sendmail -bp a@b
	[ "$status" -eq 64 ]
	run mta-sendmail --bogus
	[ "$status" -eq 64 ]
	no_file
}

@test "--help, --version, -q30m, -bh exit 0" {
	run mta-sendmail --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"Usage:"* ]]
	run mta-sendmail --version
	[ "$status" -eq 0 ]
	[[ "$output" == "mta-sendmail (mta) "* ]]
	run mta-sendmail -q30m
	[ "$status" -eq 0 ]
	run mta-sendmail -bh
	[ "$status" -eq 0 ]
}

@test "-bs and -bv are unavailable (69), honestly" {
	run mta-sendmail -bs
	[ "$status" -eq 69 ]
	[[ "$output" == *"-bs needs smtpd (not available yet)"* ]]
	run mta-sendmail -bv a@b
	[ "$status" -eq 69 ]
}

@test "postdrop failure: no maildrop directory gives 75, a failing postdrop too" {
	rmdir "$SCRATCH/spool/maildrop"
	run mta-sendmail a@b <"$MSGS/m1"
	[ "$status" -eq 75 ]
	[[ "$output" == *"mta-postdrop: error:"*"maildrop"* ]]
	mkdir -m 1733 "$SCRATCH/spool/maildrop"
	printf '#!/bin/sh\ncat >/dev/null; exit 71\n' >"$SCRATCH/fail"
	chmod +x "$SCRATCH/fail"
	MTA_POSTDROP="$SCRATCH/fail" run mta-sendmail a@b <"$MSGS/m1"
	[ "$status" -eq 75 ]
	[[ "$output" == *"try again later"* ]]
	no_file
}

@test "MTA_POSTDROP names the postdrop to run" {
	MTA_POSTDROP="$POSTDROP" run mta-sendmail a@b <"$MSGS/m1"
	[ "$status" -eq 0 ]
	the_file
}

@test "-v reports the queue id postdrop gave" {
	run mta-sendmail -v a@b <"$MSGS/m1"
	[ "$status" -eq 0 ]
	[[ "$output" == *"queued as $(basename "$(the_file)")" ]]
}

@test "a broken main.cf is a configuration error (78)" {
	echo "line_length_limit = lots" >>"$SCRATCH/etc/main.cf"
	run mta-sendmail a@b <"$MSGS/m1"
	[ "$status" -eq 78 ]
	run mta-sendmail -C "$SCRATCH/nowhere/main.cf" a@b <"$MSGS/m1"
	[ "$status" -eq 78 ]
}

@test "-C DIR/main.cf and -c DIR choose the configuration" {
	mkdir "$SCRATCH/other" "$SCRATCH/spool2"
	mkdir -m 1733 "$SCRATCH/spool2/maildrop"
	echo "queue_directory = $SCRATCH/spool2" >"$SCRATCH/other/main.cf"
	MTA_CONFIG_DIR=/nonexistent run mta-sendmail -C "$SCRATCH/other/main.cf" a@b <"$MSGS/m1"
	[ "$status" -eq 0 ]
	[ "$(ls "$SCRATCH/spool2/maildrop" | wc -l)" -eq 1 ]
	MTA_CONFIG_DIR=/nonexistent run mta-sendmail -c "$SCRATCH/other" a@b <"$MSGS/m1"
	[ "$status" -eq 0 ]
	[ "$(ls "$SCRATCH/spool2/maildrop" | wc -l)" -eq 2 ]
	no_file
}

@test "a read error on stdin is 74 and queues nothing" {
	run mta-sendmail a@b <"$SCRATCH"
	[ "$status" -eq 74 ]
	no_file
}

@test "Postfix's postcat reads our maildrop file" {
	need_peer postcat
	mta-sendmail -i -N delay -f alice@test.example carol@remote.example <"$MSGS/m3"
	run postcat -o -d -r "$(the_file)"
	[ "$status" -eq 0 ]
	[[ "$output" == *"sender: alice@test.example"* ]]
	[[ "$output" == *"named_attribute: notify_flags=8"* ]]
	[[ "$output" == *"MESSAGE FILE END"* ]]
	[[ "$output" != *"warning"* ]]
}

@test "the names mailq and newaliases run mta-queue -p and mta-alias" {
	ln -s "$MTA_BUILD/bin/mta-sendmail/mta-sendmail" "$SCRATCH/mailq"
	ln -s "$MTA_BUILD/bin/mta-sendmail/mta-sendmail" "$SCRATCH/newaliases"
	mta-sendmail a@b <"$MSGS/m1"
	run "$SCRATCH/mailq"
	[ "$status" -eq 0 ]
	want=$(mta-queue -p)
	[ "$output" = "$want" ]
	[[ "$output" == *"$(basename "$(the_file)")"* ]]
	run mta-sendmail -bp
	[ "$output" = "$want" ]
	printf 'postmaster: root\n' >"$SCRATCH/aliases"
	echo "alias_database = hash:$SCRATCH/aliases" >>"$SCRATCH/etc/main.cf"
	run "$SCRATCH/newaliases"
	[ "$status" -eq 0 ]
	[ -f "$SCRATCH/aliases.db" ]
	rm "$SCRATCH/aliases.db"
	run mta-sendmail -bi
	[ "$status" -eq 0 ]
	[ -f "$SCRATCH/aliases.db" ]
}

@test "an ordinary user can submit into a 1733 maildrop" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to become another user"
	command -v setpriv >/dev/null || skip "setpriv is not installed"
	run setpriv --reuid=nobody --regid=nogroup --clear-groups \
		env MTA_CONFIG_DIR="$SCRATCH/etc" PATH="$PATH" \
		mta-sendmail a@b <"$MSGS/m1"
	[ "$status" -eq 0 ]
	[ "$(stat -c '%U %a' "$(the_file)")" = "nobody 744" ]
	"$RECORDS" "$(the_file)" | grep -qx 'S nobody'
}

# --- mta-postdrop on its own -------------------------------------------

# rec TYPE PAYLOAD: one record on stdout
rec() {
	python3 -c 'import sys
t, p = sys.argv[1], sys.argv[2].encode()
n, out = len(p), bytearray()
while True:
    b = n & 0x7f; n >>= 7
    out.append(b | (0x80 if n else 0))
    if not n: break
sys.stdout.buffer.write(t.encode() + bytes(out) + p)' "$1" "$2"
}

good_stream() {
	rec T "1 2"; rec A "rewrite_context=local"; rec S "a@b"; rec R "c@d"
	rec M ""; rec N "Subject: x"; rec X ""; rec E ""
}

@test "postdrop: prints the id, writes its own T first, drops the client's" {
	run "$POSTDROP" < <(good_stream)
	[ "$status" -eq 0 ]
	[ "$output" = "$(basename "$(the_file)")" ]
	run "$RECORDS" "$(the_file)"
	[ "$(printf '%s\n' "$output" | tr '\n' '|')" = "T <time>|A rewrite_context=local|S a@b|R c@d|M |N Subject: x|X |E |" ]
	[ "$(head -c 1 "$(the_file)")" = T ]
	# the client's T record (type T, length 3, "1 2") is not in the file;
	# a bare "1 2" could be part of postdrop's own time stamp
	not grep -qa "$(printf 'T\0031 2')" "$(the_file)"
}

@test "postdrop: bad attributes are dropped with a warning" {
	run "$POSTDROP" < <(rec A "client_address=1.2.3.4"; rec A "encoding = 8bit"; good_stream)
	[ "$status" -eq 0 ]
	[[ "$output" == *"warning: uid=$(id -u): ignoring attribute record: client_address=1.2.3.4"* ]]
	"$RECORDS" "$(the_file)" | grep -qx 'A encoding=8bit'
	not grep -q client_address "$(the_file)"
}

@test "postdrop: malformed input is refused (65) and removed" {
	run "$POSTDROP" < <(rec S "a@b"; rec R "c@d"; rec M ""; rec C "x"; rec X ""; rec E "")
	[ "$status" -eq 65 ]
	[[ "$output" == *"malformed input: record type 67 ('C') is not allowed"* ]]
	run "$POSTDROP" < <(rec A "rewrite_context=local"; rec R "c@d"; rec M ""; rec X ""; rec E "")
	[ "$status" -eq 65 ]
	[[ "$output" == *"0 sender records"* ]]
	run "$POSTDROP" < <(rec S "a@b"; rec M ""; rec X ""; rec E "")
	[ "$status" -eq 65 ]
	run "$POSTDROP" < <(rec S "a@b"; rec R "c@d"; rec M "")
	[ "$status" -eq 65 ]
	[[ "$output" == *"input ended before the end-of-message record"* ]]
	run "$POSTDROP" < <(rec S "a@b"; rec R "$(printf 'c@d\rX')"; rec M ""; rec X ""; rec E "")
	[ "$status" -eq 65 ]
	run "$POSTDROP" < <(rec S "a@b"; rec R "c@d"; rec M ""; rec N "$(head -c 3000 /dev/zero | tr '\0' x)"; rec X ""; rec E "")
	[ "$status" -eq 65 ]
	[[ "$output" == *"too long"* ]]
	run "$POSTDROP" < <(printf 'S\377\377')
	[ "$status" -eq 65 ]
	no_file
}

@test "postdrop: usage (64), config (78), no maildrop (73)" {
	run "$POSTDROP" -x
	[ "$status" -eq 64 ]
	run "$POSTDROP" extra
	[ "$status" -eq 64 ]
	run "$POSTDROP" --help
	[ "$status" -eq 0 ]
	run "$POSTDROP" -c "$SCRATCH/nowhere" < <(good_stream)
	[ "$status" -eq 78 ]
	rmdir "$SCRATCH/spool/maildrop"
	run "$POSTDROP" < <(good_stream)
	[ "$status" -eq 73 ]
}

@test "postdrop: SIGTERM while writing removes the file" {
	mkfifo "$SCRATCH/in"
	"$POSTDROP" <"$SCRATCH/in" >/dev/null 2>&1 &
	pid=$!
	exec 5>"$SCRATCH/in"
	rec S "a@b" >&5
	for _ in $(seq 50); do [ -n "$(ls -A "$SCRATCH/spool/maildrop")" ] && break; sleep 0.1; done
	[ -n "$(ls -A "$SCRATCH/spool/maildrop")" ]
	kill -TERM "$pid"
	wait "$pid" || status=$?
	exec 5>&-
	[ "$status" -eq 75 ]
	no_file
}

@test "postdrop: wakes pickup with one W on public/pickup" {
	mkfifo "$SCRATCH/spool/public/pickup"
	exec 4<>"$SCRATCH/spool/public/pickup"
	"$POSTDROP" < <(good_stream) >/dev/null
	run timeout 2 head -c 1 <&4
	exec 4<&-
	[ "$output" = W ]
}
