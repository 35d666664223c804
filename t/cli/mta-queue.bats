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
	! grep -q A41CF10E069 <<<"$output"
	grep -q A545B10E06A <<<"$output"
}

@test "mta-queue list: filters by sender, recipient, queue and age" {
	spool_from short-ids/03-queue
	run mta-queue --queue-dir "$SCRATCH/spool" -j --queue hold
	[ "$status" -eq 0 ]
	[ "$(grep -c . <<<"$output")" -eq 2 ]
	run mta-queue --queue-dir "$SCRATCH/spool" -j --sender fxuser
	[ "$(grep -c . <<<"$output")" -eq 1 ]
	grep -q A790B10E06C <<<"$output"
	run mta-queue --queue-dir "$SCRATCH/spool" -j --recipient slow@
	[ "$(grep -c . <<<"$output")" -eq 1 ]
	grep -q CE52310E077 <<<"$output"
	run mta-queue --queue-dir "$SCRATCH/spool" -p --older-than 3650d
	[ "$output" = "Mail queue is empty" ]
	run mta-queue --queue-dir "$SCRATCH/spool" -j --older-than 1s
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
	! grep -q A41CF10E069 <<<"$output"
	! grep -q ABCDEF12345 <<<"$output"
	grep -q A545B10E06A <<<"$output"
}

@test "mta-queue: usage errors exit 64, a missing spool exits 66" {
	run mta-queue --bogus
	[ "$status" -eq 64 ]
	run mta-queue frobnicate
	[ "$status" -eq 64 ]
	[[ "$output" == *"frobnicate: unknown command"* ]]
	run mta-queue --older-than soon -p
	[ "$status" -eq 64 ]
	run mta-queue --queue-dir "$SCRATCH/nonexistent" -p
	[ "$status" -eq 66 ]
	[[ "$output" == *"mta-queue: error: open queue directory"* ]]
}
