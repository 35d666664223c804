#!/bin/sh
# run every benchmark of t/bench/ (make bench sets MTA_BUILD and MTA_TOP).
# Each prints its own figures; one that fails is reported and the rest go on.
here=$(cd "$(dirname "$0")" && pwd)
status=0
for b in "$here"/*.sh; do
	[ "$(basename "$b")" = run.sh ] && continue
	echo "== $(basename "$b" .sh)"
	sh "$b" || { echo "bench: $(basename "$b") failed"; status=1; }
done
exit $status
