#!/usr/bin/env bats
# mta-queue list (-p, -j) against the real Postfix 3.7 spools in t/data:
# the listing must be what postqueue printed, message for message.

load helpers

FIXTURES="$MTA_TOP/t/data/postfix-3.7-spool"

setup() { setup_scratch; }
teardown() { teardown_scratch; }

# spool_from CASE: copy a fixture spool and give each file the mode and
# mtime its MANIFEST recorded (git keeps neither).
spool_from() {
	local dir="$FIXTURES/$1"
	cp -r "$dir/spool" "$SCRATCH/spool"
	while read -r mode owner group size mtime atime sha path; do
		chmod "$mode" "$SCRATCH/spool/$path"
		touch -d "${mtime#mtime=}" "$SCRATCH/spool/$path"
	done <"$dir/MANIFEST.txt"
}

# same_listing GOT WANT: the same header and trailer lines, and the same
# set of message blocks (Postfix lists in directory order).
same_listing() {
	python3 - "$1" "$2" <<'PY'
import sys
def parts(path):
    text = open(path, encoding="utf-8", errors="surrogateescape").read()
    lines = text.split("\n")
    head, body = lines[0], "\n".join(lines[1:])
    blocks = [b for b in body.split("\n\n") if b.strip()]
    trailer = blocks.pop() if blocks and blocks[-1].startswith("-- ") else ""
    return head, sorted(blocks), trailer
got, want = parts(sys.argv[1]), parts(sys.argv[2])
if got != want:
    print("got:", got, "\nwant:", want)
    sys.exit(1)
PY
}

list_case() {
	local ids=$1 case=$2
	spool_from "$ids/$case"
	[ "$ids" = long-ids ] && echo "enable_long_queue_ids = yes" >>"$SCRATCH/etc/main.cf"
	TZ=UTC run mta-queue --queue-dir "$SCRATCH/spool" -p
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$SCRATCH/got.p"
	same_listing "$SCRATCH/got.p" "$FIXTURES/$ids/$case/postqueue-p.out"
	TZ=UTC run mta-queue --queue-dir "$SCRATCH/spool" list --json
	[ "$status" -eq 0 ]
	diff <(printf '%s\n' "$output" | grep . | sort) \
		<(sort "$FIXTURES/$ids/$case/postqueue-j.out")
}

@test "mta-queue -p/-j: short ids, maildrop (01) as postqueue" {
	list_case short-ids 01-maildrop
}
@test "mta-queue -p/-j: short ids, incoming and hold (02) as postqueue" {
	list_case short-ids 02-incoming
}
@test "mta-queue -p/-j: short ids, every queue with defer logs (03) as postqueue" {
	list_case short-ids 03-queue
}
@test "mta-queue -p/-j: long ids, maildrop (01) as postqueue" {
	list_case long-ids 01-maildrop
}
@test "mta-queue -p/-j: long ids, incoming and hold (02) as postqueue" {
	list_case long-ids 02-incoming
}
@test "mta-queue -p/-j: long ids, every queue (03) as postqueue" {
	list_case long-ids 03-queue
}

@test "mta-queue: an empty queue says so" {
	mkdir -p "$SCRATCH/spool/deferred"
	run mta-queue --queue-dir "$SCRATCH/spool" -p
	[ "$status" -eq 0 ]
	[ "$output" = "Mail queue is empty" ]
	run mta-queue --queue-dir "$SCRATCH/spool" -j
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "mta-queue: a file still being written (mode 0600) is not listed" {
	spool_from short-ids/02-incoming
	chmod 600 "$SCRATCH/spool/incoming/A41CF10E069"
	run mta-queue --queue-dir "$SCRATCH/spool" -j
	[ "$status" -eq 0 ]
	not grep -q A41CF10E069 <<<"$output"
	grep -q A545B10E06A <<<"$output"
}

@test "mta-queue list: filters by sender, recipient, queue and age" {
	spool_from short-ids/03-queue
	run mta-queue --queue-dir "$SCRATCH/spool" list --json --queue hold
	[ "$status" -eq 0 ]
	[ "$(grep -c . <<<"$output")" -eq 2 ]
	run mta-queue --queue-dir "$SCRATCH/spool" list --json --sender fxuser
	[ "$(grep -c . <<<"$output")" -eq 1 ]
	grep -q A790B10E06C <<<"$output"
	run mta-queue --queue-dir "$SCRATCH/spool" list --json --recipient slow@
	[ "$(grep -c . <<<"$output")" -eq 1 ]
	grep -q CE52310E077 <<<"$output"
	run mta-queue --queue-dir "$SCRATCH/spool" list --older-than 3650d
	[ "$output" = "Mail queue is empty" ]
	run mta-queue --queue-dir "$SCRATCH/spool" list --json --older-than 1s
	[ "$(grep -c . <<<"$output")" -eq 14 ]
}

@test "mta-queue: truncated and hostile queue files are skipped, not fatal" {
	spool_from short-ids/02-incoming
	f="$SCRATCH/spool/incoming/A41CF10E069"
	head -c 150 "$f" >"$f.cut" && mv "$f.cut" "$f" && chmod 700 "$f"
	printf 'N\x80\x80\x80\x7f' >"$SCRATCH/spool/incoming/ABCDEF12345"
	chmod 700 "$SCRATCH/spool/incoming/ABCDEF12345"
	run mta-queue --queue-dir "$SCRATCH/spool" -j
	[ "$status" -eq 0 ]
	not grep -q A41CF10E069 <<<"$output"
	not grep -q ABCDEF12345 <<<"$output"
	grep -q A545B10E06A <<<"$output"
}

@test "mta-queue: usage errors exit 64, a missing spool exits 66" {
	run mta-queue --bogus
	[ "$status" -eq 64 ]
	run mta-queue frobnicate
	[ "$status" -eq 64 ]
	[[ "$output" == *"frobnicate: unknown command"* ]]
	run mta-queue list --older-than soon
	[ "$status" -eq 64 ]
	run mta-queue --queue-dir "$SCRATCH/nonexistent" -p
	[ "$status" -eq 66 ]
	[[ "$output" == *"mta-queue: error: open queue directory"* ]]
}

@test "mta-queue cat: every fixture file exactly as postcat -q printed it" {
	local n=0
	for ids in short-ids long-ids; do
		for case in 01-maildrop 02-incoming 03-queue; do
			rm -rf "$SCRATCH/spool"
			cp -r "$FIXTURES/$ids/$case/spool" "$SCRATCH/spool"
			for want in "$FIXTURES/$ids/$case"/postcat/*.postcat-q; do
				id=$(basename "$want" .postcat-q)
				TZ=UTC mta-queue --queue-dir "$SCRATCH/spool" cat "$id" >"$SCRATCH/got"
				cmp "$SCRATCH/got" "$want"
				n=$((n + 1))
			done
		done
	done
	[ "$n" -ge 60 ]
}

@test "mta-queue cat -o -d -r: offsets and record types as postcat -odr" {
	local n=0
	for ids in short-ids long-ids; do
		for case in 01-maildrop 02-incoming 03-queue; do
			rm -rf "$SCRATCH/spool"
			cp -r "$FIXTURES/$ids/$case/spool" "$SCRATCH/spool"
			for want in "$FIXTURES/$ids/$case"/postcat/*.postcat-odr; do
				id=$(basename "$want" .postcat-odr)
				TZ=UTC mta-queue --queue-dir "$SCRATCH/spool" cat -o -d -r "$id" >"$SCRATCH/got"
				sed 's#/var/spool/postfix-fx/##' "$want" | cmp "$SCRATCH/got" -
				n=$((n + 1))
			done
		done
	done
	[ "$n" -ge 60 ]
}

@test "mta-queue cat -e/-h/-b and their pairs agree with Debian's postcat" {
	need_peer postcat
	spool_from short-ids/03-queue
	mkdir -p "$SCRATCH/pf"
	echo "queue_directory = $SCRATCH/spool" >"$SCRATCH/pf/main.cf"
	for flags in -e -h -b -eh -hb -eb; do
		for f in "$SCRATCH"/spool/*/*[0-9A-F] "$SCRATCH"/spool/deferred/*/*; do
			[ -f "$f" ] || continue
			id=$(basename "$f")
			diff <(TZ=UTC postcat -c "$SCRATCH/pf" $flags -q "$id" 2>&1) \
				<(TZ=UTC mta-queue --queue-dir "$SCRATCH/spool" cat $flags "$id" 2>&1)
		done
	done
}

@test "mta-queue cat: unknown ids exit 1, bad ids and broken files exit 65" {
	spool_from short-ids/02-incoming
	run mta-queue --queue-dir "$SCRATCH/spool" cat NOSUCHID1
	[ "$status" -eq 1 ]
	[[ "$output" == *"open queue file NOSUCHID1"* ]]
	run mta-queue --queue-dir "$SCRATCH/spool" cat ../../etc/passwd
	[ "$status" -eq 65 ]
	[[ "$output" == *"bad mail queue ID"* ]]
	f="$SCRATCH/spool/incoming/A41CF10E069"
	head -c 300 "$f" >"$f.cut" && mv "$f.cut" "$f"
	run mta-queue --queue-dir "$SCRATCH/spool" cat A41CF10E069
	[ "$status" -eq 65 ]
	[[ "$output" == *"record read error"* ]]
	run mta-queue --queue-dir "$SCRATCH/spool" cat
	[ "$status" -eq 64 ]
}

# ids_in QUEUE: the queue ids in a queue of the scratch spool, sorted
ids_in() {
	find "$SCRATCH/spool/$1" -type f 2>/dev/null | xargs -rn1 basename | sort
}

@test "mta-queue delete: the message and its logs go, as postsuper -d says" {
	spool_from short-ids/03-queue
	[ -f "$SCRATCH/spool/defer/A/A41CF10E069" ]
	run mta-queue --queue-dir "$SCRATCH/spool" delete A41CF10E069
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "mta-queue: A41CF10E069: removed" ]
	[ "${lines[1]}" = "mta-queue: Deleted: 1 message" ]
	[ ! -e "$SCRATCH/spool/deferred/A/A41CF10E069" ]
	[ ! -e "$SCRATCH/spool/defer/A/A41CF10E069" ]
	run mta-queue --queue-dir "$SCRATCH/spool" -d NOSUCHID1
	[ "$status" -eq 0 ]
	[ "$output" = "mta-queue: Deleted: 0 messages" ]
	run mta-queue --queue-dir "$SCRATCH/spool" -p
	[ "${lines[-1]}" = "-- 11 Kbytes in 13 Requests." ]
}

@test "mta-queue hold and release: moved between hold/ and deferred/, as -h/-H" {
	spool_from short-ids/03-queue
	run mta-queue --queue-dir "$SCRATCH/spool" hold 3CBA410E078 4C16110E07B
	[ "$status" -eq 0 ]
	[ "${lines[2]}" = "mta-queue: Placed on hold: 2 messages" ]
	[ -f "$SCRATCH/spool/hold/3CBA410E078" ]
	run mta-queue --queue-dir "$SCRATCH/spool" -p
	grep -q '^3CBA410E078!' <<<"$output"
	run mta-queue --queue-dir "$SCRATCH/spool" -H 3CBA410E078
	[ "$status" -eq 0 ]
	[ -f "$SCRATCH/spool/deferred/3/3CBA410E078" ]
	run mta-queue --queue-dir "$SCRATCH/spool" release ALL
	[ "$output" = "mta-queue: Released from hold: 3 messages" ]
	[ -z "$(ids_in hold)" ]
	[ -f "$SCRATCH/spool/deferred/B/B6E0610E075" ]
}

@test "mta-queue requeue: into maildrop/ with the time set to now" {
	spool_from short-ids/03-queue
	run mta-queue --queue-dir "$SCRATCH/spool" -r 9F7C310E067
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "mta-queue: Requeued: 1 message" ]
	f="$SCRATCH/spool/maildrop/9F7C310E067"
	[ -f "$f" ]
	[ $(( $(date +%s) - $(stat -c %Y "$f") )) -lt 60 ]
}

@test "mta-queue: ALL limited to queues, ids from stdin, letters with queues" {
	spool_from short-ids/03-queue
	run mta-queue --queue-dir "$SCRATCH/spool" delete ALL hold
	[ "$status" -eq 0 ]
	[ "$output" = "mta-queue: Deleted: 2 messages" ]
	[ -z "$(ids_in hold)" ]
	[ -n "$(ids_in deferred)" ]
	run mta-queue --queue-dir "$SCRATCH/spool" delete - <<<"$(printf '9295E10E074\n\nE9B8810E06D\nbad/id\n')"
	[ "$status" -eq 0 ]
	[[ "$output" == *"bad mail queue ID: bad/id"* ]]
	[[ "$output" == *"Deleted: 2 messages"* ]]
	run mta-queue --queue-dir "$SCRATCH/spool" -d CE52310E077 deferred
	[ "$output" = "mta-queue: Deleted: 0 messages" ]
	[ -f "$SCRATCH/spool/active/CE52310E077" ]
	run mta-queue --queue-dir "$SCRATCH/spool" delete --queue active CE52310E077
	[ "${lines[-1]}" = "mta-queue: Deleted: 1 message" ]
}

@test "mta-queue: changes refuse bad ids and queues the operation cannot use" {
	spool_from short-ids/03-queue
	run mta-queue --queue-dir "$SCRATCH/spool" delete ../etc
	[ "$status" -eq 64 ]
	run mta-queue --queue-dir "$SCRATCH/spool" hold ALL maildrop
	[ "$status" -eq 64 ]
	run mta-queue --queue-dir "$SCRATCH/spool" delete
	[ "$status" -eq 64 ]
	run mta-queue --queue-dir "$SCRATCH/spool" delete --queue hold ALL
	[ "$status" -eq 64 ]
}

@test "mta-queue: a second run waits for the lock, then gives up with 75" {
	command -v flock >/dev/null || skip "flock(1) is not installed"
	spool_from short-ids/03-queue
	mkdir -p "$SCRATCH/spool/pid"
	flock "$SCRATCH/spool/pid/mta-queue.lock" sleep 5 &
	sleep 0.5
	run mta-queue --queue-dir "$SCRATCH/spool" --wait 1 delete A41CF10E069
	[ "$status" -eq 75 ]
	[[ "$output" == *"another mta-queue is changing this queue"* ]]
	[ -f "$SCRATCH/spool/deferred/A/A41CF10E069" ]
	run mta-queue --queue-dir "$SCRATCH/spool" -p
	[ "$status" -eq 0 ]
	wait
	run mta-queue --queue-dir "$SCRATCH/spool" --wait 1 delete A41CF10E069
	[ "$status" -eq 0 ]
}

@test "mta-queue: as root on a postfix-owned spool, same result as postsuper, as the spool's owner" {
	[ "$(id -u)" -eq 0 ] || skip "needs root (to own the spool as postfix)"
	need_peer postsuper
	id postfix >/dev/null 2>&1 || skip "no postfix user"
	spool_from short-ids/03-queue
	mkdir -p "$SCRATCH/spool"/{maildrop,incoming,bounce,trace,flush}
	chown -R postfix "$SCRATCH/spool"
	cp -a "$SCRATCH/spool" "$SCRATCH/pfspool"
	mkdir -p "$SCRATCH/pf"
	echo "queue_directory = $SCRATCH/pfspool" >"$SCRATCH/pf/main.cf"
	ops=(-h 3CBA410E078 -d A41CF10E069 -r 9F7C310E067)
	postsuper -c "$SCRATCH/pf" "${ops[@]}" 2>/dev/null
	postsuper -c "$SCRATCH/pf" -H ALL 2>/dev/null
	mta-queue --queue-dir "$SCRATCH/spool" "${ops[@]}"
	mta-queue --queue-dir "$SCRATCH/spool" -H ALL
	diff <(cd "$SCRATCH/pfspool" && find . -type f ! -path './pid/*' | sort) \
		<(cd "$SCRATCH/spool" && find . -type f ! -path './pid/*' | sort)
	# What mta-queue created (hash levels, moved files) belongs to postfix.
	[ -z "$(find "$SCRATCH/spool" ! -user postfix ! -path '*/pid*')" ]
}

# make_shape_spool: queue files of many ages and domains, qshape-readable
make_shape_spool() {
	local now=$(date +%s) i=0 age
	mkdir -p "$SCRATCH/spool/incoming" "$SCRATCH/spool/active" "$SCRATCH/spool/deferred/A"
	for age in 2 7 15 30 60 120 240 480 960 2000 5000; do
		for d in s1.big.example s2.big.example S3.Big.Example s4.big.example \
			s5.big.example s6.big.example other.example x.io; do
			i=$((i + 1))
			f=$(printf '%s/%05XABC%d' deferred/A $i $i)
			python3 "$MTA_TOP/t/cli/mkqueuefile.py" "$SCRATCH/spool/$f" \
				--arrival $((now - age * 60)) --sender "u$i@Sender$((i % 3)).example" \
				--rcpt "a@$d" --rcpt "b@$d."
			chmod 700 "$SCRATCH/spool/$f"
		done
	done
	python3 "$MTA_TOP/t/cli/mkqueuefile.py" "$SCRATCH/spool/incoming/AAAAAA1" \
		--rcpt "c@x.io" --sender ""
	chmod 700 "$SCRATCH/spool/incoming/AAAAAA1"
	python3 "$MTA_TOP/t/cli/mkqueuefile.py" "$SCRATCH/spool/incoming/AAAAAA2" --rcpt "c@x.io"
	chmod 600 "$SCRATCH/spool/incoming/AAAAAA2"	# not complete: not counted
}

@test "mta-queue shape: the table qshape prints, for ages, domains, parents, senders" {
	need_peer qshape
	make_shape_spool
	mkdir -p "$SCRATCH/pf"
	echo "queue_directory = $SCRATCH/spool" >"$SCRATCH/pf/main.cf"
	: >"$SCRATCH/pf/master.cf"
	for args in "" "deferred" "-s deferred incoming" "-p deferred" "-p -m 7 deferred" \
		"-l -b 6 -t 30 deferred" "-b 3 -t 1 deferred" "-w 120 -p -s deferred"; do
		# Rows with equal counts and name lengths come in hash order in
		# qshape: compare the heading exactly and the rows as a set.
		qshape -c "$SCRATCH/pf" $args >"$SCRATCH/want" 2>/dev/null
		mta-queue --queue-dir "$SCRATCH/spool" shape $args >"$SCRATCH/got"
		[ "$(head -1 "$SCRATCH/got")" = "$(head -1 "$SCRATCH/want")" ]
		diff <(sort "$SCRATCH/got") <(sort "$SCRATCH/want")
	done
	grep -q '^ *\.big\.example' <(mta-queue --queue-dir "$SCRATCH/spool" shape -p deferred)
}

@test "mta-queue shape: an empty queue, absolute queue paths, bad options" {
	mkdir -p "$SCRATCH/spool/incoming"
	run mta-queue --queue-dir "$SCRATCH/spool" shape
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "                                  TOTAL  0  0  0  0  0  0   0   0   0    0     0" ]
	make_shape_spool
	run mta-queue --queue-dir "$SCRATCH/spool" shape "$SCRATCH/spool/deferred"
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" == *"TOTAL 176"* ]]
	run mta-queue --queue-dir "$SCRATCH/spool" shape -b 0
	[ "$status" -eq 64 ]
}

@test "mta-queue check: hostile files go to corrupt/, sound ones stay, nothing is deleted" {
	spool_from short-ids/02-incoming
	in="$SCRATCH/spool/incoming"
	mk() { python3 "$MTA_TOP/t/cli/mkqueuefile.py" "$@"; }
	# a record length past the end of the file
	head -c 400 "$in/A41CF10E069" >"$in/BAD0000001"
	# no end record
	f=$(mktemp) && mk "$f" --sender a@b --rcpt c@d && head -c -2 "$f" >"$in/BAD0000002"
	# a 1 GB declared length (five length bytes), a 254 MB one (four)
	printf 'C\x80\x80\x80\x80\x04' >"$in/BAD0000003"
	printf 'C\x80\x80\x80\x7f' >"$in/BAD0000007"
	# bytes that are no queue file at all (and no UTF-8 either)
	head -c 3000 /dev/urandom | tr '\000' '\377' | sed 's/^/\xff/' >"$in/BAD0000004"
	# a recipient record in the content segment
	mk "$in/BAD0000005" --sender a@b --rcpt c@d --content-rec "R:evil@example.org"
	# two senders
	mk "$in/BAD0000006" --sender a@b --rcpt c@d --content-rec "N:x"
	python3 - "$in/BAD0000006" <<'PY'
import sys
p = sys.argv[1]; b = open(p, "rb").read()
i = b.index(b"S\x03a@b")
open(p, "wb").write(b[:i] + b"S\x03a@b" + b[i:])
PY
	chmod 700 "$in"/BAD*
	# the same garbage while still being written: left alone
	cp "$in/BAD0000004" "$in/WRITING0001" && chmod 600 "$in/WRITING0001"
	# a symbolic link where a message should be
	ln -s /etc/passwd "$in/LINK0000001"
	before=$(find "$SCRATCH/spool" ! -path '*/pid/*' \( -type f -o -type l \) | wc -l)
	run mta-queue --queue-dir "$SCRATCH/spool" check
	[ "$status" -eq 0 ]
	for i in 1 2 3 4 5 6 7; do
		[ -f "$SCRATCH/spool/corrupt/BAD000000$i" ]
		[[ "$output" == *"incoming/BAD000000$i: "*"moved to corrupt/BAD000000$i"* ]]
	done
	[[ "$output" == *"BAD0000001: truncated record payload"* ]]
	[[ "$output" == *"BAD0000002: no end record"* ]]
	[[ "$output" == *"BAD0000003: record length too long"* ]]
	[[ "$output" == *"BAD0000007: record payload too long"* ]]
	[[ "$output" == *"BAD0000005: record type not allowed in the content"* ]]
	[[ "$output" == *"BAD0000006: more than one sender"* ]]
	[ -L "$SCRATCH/spool/corrupt/LINK0000001" ]
	[ -f "$in/WRITING0001" ]
	[[ "$output" == *"Moved to corrupt: 8 messages"* ]]
	after=$(find "$SCRATCH/spool" ! -path '*/pid/*' \( -type f -o -type l \) | wc -l)
	[ "$before" -eq "$after" ]
	run mta-queue --queue-dir "$SCRATCH/spool" -j
	[ "$(grep -c . <<<"$output")" -eq 14 ]
}

@test "mta-queue check: inode names, wrong hash directory, modes; a second run changes nothing" {
	spool_from short-ids/03-queue
	mv "$SCRATCH/spool/deferred/A/A41CF10E069" "$SCRATCH/spool/deferred/3/A41CF10E069"
	run mta-queue --queue-dir "$SCRATCH/spool" check
	[ "$status" -eq 0 ]
	# A copied spool: every short id names another inode now.
	[[ "$output" == *"Renamed to match inode number: 14 messages"* ]]
	new=$(sed -n 's/.*A41CF10E069: renamed to \([0-9A-F]*\) .*/\1/p' <<<"$output")
	[ -f "$SCRATCH/spool/deferred/A/$new" ]
	[ -f "$SCRATCH/spool/defer/A/$new" ]
	ino=$(stat -c %i "$SCRATCH/spool/deferred/A/$new")
	[ "$new" = "A41CF$(printf %X "$ino")" ]
	mkdir -p "$SCRATCH/spool/deferred/7"
	mv "$SCRATCH/spool/deferred/A/$new" "$SCRATCH/spool/deferred/7/$new"
	n9=$(ls "$SCRATCH/spool/deferred/9/" | head -1)
	chmod 777 "$SCRATCH/spool/deferred/9/$n9"
	run mta-queue --queue-dir "$SCRATCH/spool" check
	[ "$status" -eq 0 ]
	[[ "$output" == *"deferred/7/$new: moved to deferred/A/$new"* ]]
	[[ "$output" == *"Moved to the right directory: 1 message"* ]]
	[[ "$output" == *"Permissions fixed: 1 message"* ]]
	[ "$(stat -c %a "$SCRATCH/spool/deferred/9/$n9")" = 750 ]
	run mta-queue --queue-dir "$SCRATCH/spool" check
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run mta-queue --queue-dir "$SCRATCH/spool" -j
	[ "$(grep -c . <<<"$output")" -eq 14 ]
}

@test "mta-queue flush/deliver: with no queue manager, say so, move nothing, exit 69" {
	spool_from short-ids/03-queue
	for args in -f "flush" "-s remote.example" "-i A41CF10E069" "deliver A41CF10E069"; do
		run mta-queue --queue-dir "$SCRATCH/spool" $args
		[ "$status" -eq 69 ]
		[[ "$output" == *"the mail system is down"* ]]
	done
	mkdir -p "$SCRATCH/spool/public" && mkfifo "$SCRATCH/spool/public/qmgr"
	run mta-queue --queue-dir "$SCRATCH/spool" flush
	[ "$status" -eq 69 ]
	[ -f "$SCRATCH/spool/deferred/A/A41CF10E069" ]
}

@test "mta-queue flush, flush SITE, deliver ID: the queue manager is woken, the mail made due" {
	spool_from short-ids/03-queue
	mkdir -p "$SCRATCH/spool/public" "$SCRATCH/spool/incoming"
	mkfifo "$SCRATCH/spool/public/qmgr"
	exec 7<>"$SCRATCH/spool/public/qmgr"	# a queue manager that listens
	run mta-queue --queue-dir "$SCRATCH/spool" -f
	[ "$status" -eq 0 ]
	read -r -t 2 -N 4 got <&7
	[ "$got" = "FADI" ]
	[ -f "$SCRATCH/spool/deferred/A/A41CF10E069" ]	# flush moves nothing
	run mta-queue --queue-dir "$SCRATCH/spool" deliver A41CF10E069
	[ "$status" -eq 0 ]
	read -r -t 2 -N 1 got <&7
	[ "$got" = "I" ]
	[ -f "$SCRATCH/spool/incoming/A41CF10E069" ]
	[ $(( $(stat -c %Y "$SCRATCH/spool/incoming/A41CF10E069") - $(date +%s) )) -le 1 ]
	run mta-queue --queue-dir "$SCRATCH/spool" -i NOSUCHID1
	[ "$status" -eq 1 ]
	# flush SITE: every deferred message with a recipient there, no other
	mkdir -p "$SCRATCH/spool/deferred/B"
	python3 "$MTA_TOP/t/cli/mkqueuefile.py" "$SCRATCH/spool/deferred/B/BBBBB12345" \
		--sender a@b.example --rcpt x@Other.Example
	chmod 700 "$SCRATCH/spool/deferred/B/BBBBB12345"
	run mta-queue --queue-dir "$SCRATCH/spool" -s other.example
	[ "$status" -eq 0 ]
	read -r -t 2 -N 1 got <&7
	[ "$got" = "I" ]
	[ -f "$SCRATCH/spool/incoming/BBBBB12345" ]
	[ -f "$SCRATCH/spool/deferred/3/3CBA410E078" ]
	run mta-queue --queue-dir "$SCRATCH/spool" flush remote.example
	[ "$status" -eq 0 ]
	[ -z "$(find "$SCRATCH/spool/deferred" -type f)" ]
	exec 7<&-
	run mta-queue --queue-dir "$SCRATCH/spool" -s -f
	[ "$status" -eq 64 ]
}
