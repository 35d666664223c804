#!/bin/sh
# map - build and query a 1,000,000-line access map with mta-map and with
# Postfix's postmap (when installed), printing both times and the ratios.
# MAP_LINES and MAP_QUERIES change the sizes.
set -eu
: "${MTA_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${MTA_BUILD:=$MTA_TOP/build}"
lines=${MAP_LINES:-1000000}
queries=${MAP_QUERIES:-10000}
mtamap=$MTA_BUILD/bin/mta-map/mta-map
[ -x "$mtamap" ] || { echo "map: $mtamap is not built (run make)"; exit 1; }
postmap=$(PATH="$PATH:/usr/sbin:/sbin" command -v postmap || true)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mta-bench-map.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# The same map every time: addresses, domains, client IPs, host names.
awk -v n="$lines" 'BEGIN {
	for (i = 0; i < n; i++) {
		k = i % 4
		if (k == 0) printf "user%d@Example%d.com REJECT spam source %d\n", i, i % 977, i
		else if (k == 1) printf "domain%d.example.org OK\n", i
		else if (k == 2) printf "10.%d.%d.%d 550 blocked client\n", int(i / 65536) % 256, int(i / 256) % 256, i % 256
		else printf "sub%d.Host%d.net DISCARD\n", i, i % 31
	}
}' >"$tmp/access"
awk -v n="$lines" -v q="$queries" 'NR % int(n / q) == 1 { print $1 }' \
	"$tmp/access" >"$tmp/keys"
cp "$tmp/access" "$tmp/pf"
sync	# the new files on disk before anything is timed

# once CMD...: wall-clock seconds of one run, stdout to $tmp/out
once() {
	s=$(date +%s.%N)
	"$@" >"$tmp/out"
	e=$(date +%s.%N)
	echo "$s $e" | awk '{ printf "%.3f", $2 - $1 }'
}

# seconds CMD...: the best of three runs, so that the page cache and
# write-back of the files just made do not decide which side wins
seconds() {
	a=$(once "$@"); b=$(once "$@"); c=$(once "$@")
	printf '%s\n%s\n%s\n' "$a" "$b" "$c" | sort -n | head -1
}

b_mta=$(seconds "$mtamap" "hash:$tmp/access")
q_mta=$(seconds sh -c "\"$mtamap\" -q - \"hash:$tmp/access\" <\"$tmp/keys\"")
found=$(wc -l <"$tmp/out")
echo "map: mta-map build of $lines lines: ${b_mta}s"
echo "map: mta-map $queries queries (-q -): ${q_mta}s ($found found)"
if [ -z "$postmap" ]; then
	echo "map: postmap not installed: no comparison (apt-get install postfix)"
	exit 0
fi
b_pf=$(seconds "$postmap" "hash:$tmp/pf")
q_pf=$(seconds sh -c "\"$postmap\" -q - \"hash:$tmp/pf\" <\"$tmp/keys\"")
echo "map: postmap build of $lines lines: ${b_pf}s"
echo "map: postmap $queries queries (-q -): ${q_pf}s ($(wc -l <"$tmp/out") found)"
echo "$b_pf $b_mta" | awk '{ printf "map: build ratio postmap/mta-map: %.2fx\n", $1 / $2 }'
echo "$q_pf $q_mta" | awk '{ printf "map: query ratio postmap/mta-map: %.2fx\n", $1 / ($2 > 0 ? $2 : 0.001) }'
