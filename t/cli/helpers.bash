# Shared set-up for bats tests: the built programs on PATH, a private
# scratch directory, and a way to skip where a test peer is missing.
# MTA_BUILD is set by `make check`; by hand: MTA_BUILD=$PWD/build bats t/cli
: "${MTA_TOP:=$(cd "$(dirname "$BATS_TEST_FILENAME")/../.." && pwd)}"
: "${MTA_BUILD:=$MTA_TOP/build}"
for d in "$MTA_BUILD"/bin/* "$MTA_BUILD"/sbin/*; do
	[ -d "$d" ] && PATH="$d:$PATH"
done
export PATH MTA_TOP MTA_BUILD

setup_scratch() {
	SCRATCH=$(mktemp -d "${BATS_TMPDIR:-/tmp}/mta-test.XXXXXX")
	export SCRATCH
	# A configuration directory of our own: never /etc/mta.
	mkdir -p "$SCRATCH/etc"
	: >"$SCRATCH/etc/main.cf"
	export MTA_CONFIG_DIR="$SCRATCH/etc"
}

teardown_scratch() {
	[ -n "${SCRATCH:-}" ] && rm -rf "$SCRATCH"
}

# need_peer CMD: skip, with the reason, when a test peer is not installed.
need_peer() {
	command -v "$1" >/dev/null 2>&1 ||
		PATH="$PATH:/usr/sbin:/sbin" command -v "$1" >/dev/null 2>&1 ||
		skip "$1 is not installed (test peer: apt-get install postfix)"
	PATH="$PATH:/usr/sbin:/sbin"
}

# not CMD...: succeed when CMD fails. Use it instead of "! CMD": bash's
# set -e ignores a command negated with "!", so that an assertion written
# "! grep ..." could never fail a test.
not() {
	if "$@"; then return 1; fi
	return 0
}
