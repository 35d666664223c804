#!/bin/sh
# queue - list a spool of QUEUE_MESSAGES (100,000) messages with mta-queue
# -p and -j, and with Postfix's postqueue -p and -j on the same spool when
# it is installed: wall time and peak memory of each, and the ratios.
set -eu
: "${MTA_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${MTA_BUILD:=$MTA_TOP/build}"
n=${QUEUE_MESSAGES:-100000}
mq=$MTA_BUILD/bin/mta-queue/mta-queue
[ -x "$mq" ] || { echo "queue: $mq is not built (run make)"; exit 1; }
postqueue=$(PATH="$PATH:/usr/sbin:/sbin" command -v postqueue || true)
[ -x /usr/bin/time ] || { echo "queue: needs /usr/bin/time (apt-get install time)"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mta-bench-queue.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
python3 "$MTA_TOP/t/bench/mkspool.py" "$tmp/spool" "$n"
mkdir -p "$tmp/etc" && echo "queue_directory = $tmp/spool" >"$tmp/etc/main.cf"
# Postfix reads the queue as its mail owner: give the spool to it.
if [ "$(id -u)" = 0 ] && id postfix >/dev/null 2>&1; then
	chown -R postfix "$tmp/spool"
fi
: >"$tmp/etc/master.cf"

# run NAME CMD...: one warm run (cache), then one measured; prints
# "NAME seconds kbytes"
run() {
	name=$1; shift
	"$@" >/dev/null 2>&1 || true
	/usr/bin/time -f "%e %M" -o "$tmp/time" "$@" >"$tmp/$name.out" 2>/dev/null || true
	echo "$name $(cat "$tmp/time")"
}

{
	run mta-p "$mq" --queue-dir "$tmp/spool" -p
	run mta-j "$mq" --queue-dir "$tmp/spool" -j
	if [ -n "$postqueue" ] && [ "$(id -u)" = 0 ]; then
		# As root with Postfix stopped, postqueue reads the queue itself.
		run pf-p "$postqueue" -c "$tmp/etc" -p
		run pf-j "$postqueue" -c "$tmp/etc" -j
	fi
} >"$tmp/results"
awk -v n="$n" '
	{ t[$1] = $2; m[$1] = $3 }
	END {
		printf "queue: %d messages\n", n
		for (k in t) printf "  %-6s %7.2f s %8d KB peak\n", k, t[k], m[k]
		if ("pf-p" in t) {
			printf "  -p: mta-queue %.2fx the speed of postqueue, %.2fx its memory\n", t["pf-p"] / t["mta-p"], m["mta-p"] / m["pf-p"]
			printf "  -j: mta-queue %.2fx the speed of postqueue, %.2fx its memory\n", t["pf-j"] / t["mta-j"], m["mta-j"] / m["pf-j"]
		} else
			print "  (postqueue not run: needs Postfix installed and root)"
	}' "$tmp/results"
if [ -f "$tmp/pf-p.out" ]; then
	# The two listings must agree, message for message.
	a=$(grep -c '^[0-9A-F]' "$tmp/mta-p.out" || true)
	b=$(grep -c '^[0-9A-F]' "$tmp/pf-p.out" || true)
	if [ "$a" = "$b" ]; then
		echo "  both listed $a messages"
	else
		echo "queue: WARNING: mta-queue listed $a messages, postqueue $b"
	fi
fi
