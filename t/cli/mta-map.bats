#!/usr/bin/env bats
# mta-map: build, query, list, delete, incremental, every exit status, the
# comparison with Postfix's postmap on the same sources, and rebuilds under
# a concurrent reader.

load helpers

setup() {
	setup_scratch
	cd "$SCRATCH"
	printf '%s\n' '# access' 'Spammer@Example.COM REJECT go away' \
		'example.net   OK' '10.1.2.3 550 no' 'novalue' >access
}

teardown() {
	teardown_scratch
}

# gen_source FILE: a few hundred varied entries, always the same ones.
gen_source() {
	awk 'BEGIN {
	print "# generated access map"
	for (i = 0; i < 400; i++) {
		k = i % 10
		if (k == 0) printf "User%d@Example%d.COM REJECT spam from %d\n", i, i % 7, i
		else if (k == 1) printf "domain%d.example.org\tOK\n", i
		else if (k == 2) printf "10.%d.%d.%d\t\t550 5.7.1 blocked client %d  \n", i % 5, i % 11, i % 250, i
		else if (k == 3) printf "Mixed%d.Host.NET DISCARD\n  continued value %d\n", i, i
		else if (k == 4) printf "\n# comment %d\n   \nkey%d value\twith\ttabs\n", i, i
		else if (k == 5) printf "dup%d first\nDUP%d second\n", i % 20, i % 20
		else if (k == 6) { printf "long%d ", i; for (j = 0; j < 60; j++) printf "w%d ", j; printf "\n" }
		else if (k == 7) printf "user%d@ PREPEND X-Tag: %d\n", i, i
		else if (k == 8) printf ".sub%d.example.com REJECT\n", i
		else printf "2001:db8::%x  OK v6 %d\n", i, i
	}
	print "lonelykey"
	print "quoted\"key with\"blank ok"
	print "alias%x: colon"
	}' >"$1"
}

# keys_of FILE: every key of the source, plus case variants and absent ones
keys_of() {
	awk '!/^[ \t]*(#|$)/ && !/^[ \t]/ { print $1; print toupper($1) }' "$1"
	printf '%s\n' absent nope@example.com 10.0.0.0 '' 'DUP3'
}

@test "build is silent on success and -q finds keys in any case" {
	printf 'Foo bar\n' >quiet
	run mta-map hash:quiet
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -f quiet.db ]
	run mta-map -q FOO hash:quiet
	[ "$status" -eq 0 ]
	[ "$output" = "bar" ]
	run mta-map -q foo quiet
	[ "$output" = "bar" ]
}

@test "a line without a value is a warning with file and line; map still built" {
	run mta-map hash:access
	[ "$status" -eq 0 ]
	[[ "$output" == *"access, line 5: expected format: key whitespace value"* ]]
	run mta-map -q spammer@example.com hash:access
	[ "$status" -eq 0 ]
	[ "$output" = "REJECT go away" ]
}

@test "duplicate keys warn and keep the first; -r keeps the last; -w is quiet" {
	printf 'a 1\nA 2\n' >d
	run mta-map d
	[[ "$output" == *'d, line 2: duplicate entry: "a"'* ]]
	[ "$(mta-map -q a d)" = 1 ]
	run mta-map -r d
	[ -z "$output" ]
	[ "$(mta-map -q a d)" = 2 ]
	run mta-map -w d
	[ -z "$output" ]
	[ "$(mta-map -q a d)" = 1 ]
}

@test "-q exits 1 for an absent key and prints nothing" {
	mta-map access 2>/dev/null
	run mta-map -q nothere access
	[ "$status" -eq 1 ]
	[ -z "$output" ]
}

@test "-q with several maps: the first that has the key answers" {
	printf 'k one\n' >m1
	printf 'k two\nj three\n' >m2
	mta-map m1 m2
	[ "$(mta-map -q k m1 m2)" = one ]
	[ "$(mta-map -q j m1 m2)" = three ]
	run mta-map -q zz m1 m2
	[ "$status" -eq 1 ]
}

@test "-q - reads keys from stdin and prints key<TAB>value; exit 1 if none found" {
	mta-map access 2>/dev/null
	run bash -c 'printf "EXAMPLE.NET\nnope\n10.1.2.3\n" | mta-map -q - access'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'EXAMPLE.NET\tOK\n10.1.2.3\t550 no')" ]
	run bash -c 'printf "nope\n" | mta-map -q - access'
	[ "$status" -eq 1 ]
	[ -z "$output" ]
}

@test "-s lists every entry; --json gives one object per line" {
	mta-map access 2>/dev/null
	run mta-map -s access
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | sort)" = "$(printf '10.1.2.3\t550 no\nexample.net\tOK\nspammer@example.com\tREJECT go away')" ]
	run mta-map -s --json access
	[[ "$output" == *'{"key":"example.net","value":"OK"}'* ]]
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 3 ]
	run mta-map -q EXAMPLE.NET --json access
	[ "$output" = '{"key":"EXAMPLE.NET","value":"OK"}' ]
}

@test "-d deletes (exit 0), exit 1 when absent, -d - reads keys from stdin" {
	mta-map access 2>/dev/null
	run mta-map -d EXAMPLE.NET access
	[ "$status" -eq 0 ]
	run mta-map -q example.net access
	[ "$status" -eq 1 ]
	run mta-map -d example.net access
	[ "$status" -eq 1 ]
	run bash -c 'printf "10.1.2.3\nnope\n" | mta-map -d - access'
	[ "$status" -eq 0 ]
	run mta-map -q 10.1.2.3 access
	[ "$status" -eq 1 ]
	run mta-map -q spammer@example.com access
	[ "$status" -eq 0 ]
}

@test "-i adds lines from stdin to an existing map, and creates a missing one" {
	mta-map access 2>/dev/null
	run bash -c 'printf "New.Key value one\nexample.net DUPLICATE\n" | mta-map -i access'
	[ "$status" -eq 0 ]
	[[ "$output" == *'stdin, line 2: duplicate entry: "example.net"'* ]]
	[ "$(mta-map -q new.key access)" = "value one" ]
	[ "$(mta-map -q example.net access)" = "OK" ]
	printf 'x y\n' | mta-map -i hash:fresh
	[ "$(mta-map -q x fresh)" = y ]
}

@test "-f keeps the case of keys on build and query" {
	printf 'MiXed v\n' >f
	mta-map -f f
	[ "$(mta-map -f -q MiXed f)" = v ]
	run mta-map -f -q mixed f
	[ "$status" -eq 1 ]
	run mta-map -q MiXed f
	[ "$status" -eq 1 ]
}

@test "a missing source file is exit 66 with the file named" {
	run mta-map hash:/nonexistent/access
	[ "$status" -eq 66 ]
	[ "$output" = "mta-map: error: open /nonexistent/access: No such file or directory" ]
}

@test "a query on a map never built is exit 66 and says how to build it" {
	run mta-map -q a hash:nothere
	[ "$status" -eq 66 ]
	[[ "$output" == *"nothere.db: No such file or directory (build it first: mta-map hash:nothere)"* ]]
}

@test "an unknown map type is exit 64 with the supported list" {
	run mta-map -q a foo:access
	[ "$status" -eq 64 ]
	[[ "$output" == *'unsupported map type "foo"'*"hash, inline, static, texthash"* ]]
}

@test "usage errors are exit 64" {
	run mta-map
	[ "$status" -eq 64 ]
	run mta-map -q a -s access
	[ "$status" -eq 64 ]
	run mta-map --no-such-option access
	[ "$status" -eq 64 ]
	run mta-map --json access
	[ "$status" -eq 64 ]
	run mta-map -r -w access
	[ "$status" -eq 64 ]
	run mta-map -i m1 m2
	[ "$status" -eq 64 ]
}

@test "--help, --version and -c are accepted" {
	run mta-map --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--query"* ]]
	run mta-map --version
	[[ "$output" == "mta-map (mta) "* ]]
	printf 'a b\n' >c
	run mta-map -c "$SCRATCH/etc" -v c
	[ "$status" -eq 0 ]
}

@test "a map that cannot list is exit 69; a map that cannot be built is exit 64" {
	run mta-map -s static:x
	[ "$status" -eq 69 ]
	printf '10.0.0.0/8 OK\n' >net
	run mta-map cidr:net
	[ "$status" -eq 64 ]
}

@test "a directory the map cannot be written in is exit 73" {
	mkdir ro && cp access ro/ && chmod 555 ro
	if [ "$(id -u)" -eq 0 ]; then
		command -v setpriv >/dev/null || skip "setpriv is needed to drop root"
		chmod 755 "$SCRATCH"
		run setpriv --reuid=nobody --regid=nogroup --clear-groups \
			"$(command -v mta-map)" ro/access
	else
		run mta-map ro/access
	fi
	[ "$status" -eq 73 ]
	[[ "$output" == *"ro/access.db"* ]]
	[ ! -e ro/access.db ]
}

@test "texthash:, inline: and static: answer queries" {
	[ "$(mta-map -q EXAMPLE.NET texthash:access 2>/dev/null)" = OK ]
	run mta-map -q b 'inline:{a=1, b=2, {c = three, four}}'
	[ "$output" = 2 ]
	run mta-map -q c 'inline:{a=1, b=2, {c = three, four}}'
	[ "$output" = "three, four" ]
	run mta-map -q anything 'static:{ text with spaces }'
	[ "$output" = "text with spaces" ]
	run mta-map -q a 'inline:{a = 1}'
	[ "$status" -eq 64 ]
}

@test "cidr: first match, and a bad line warns with file and line" {
	printf '10.1.2.3/8 hostbits\n192.168.1.1 exact\n192.168.0.0/16 net\n' >cidr
	run mta-map -q 192.168.1.1 cidr:cidr
	[ "$status" -eq 0 ]
	[[ "$output" == *"cidr, line 1: host bits set"*'"10.0.0.0/8"'* ]]
	[[ "$output" == *exact ]]
	run mta-map -q 192.168.3.3 cidr:cidr
	[[ "$output" == *net ]]
	run mta-map -q 10.1.2.3 cidr:cidr
	[ "$status" -eq 1 ]
}

@test "same answers as postmap for every key of a varied source" {
	need_peer postmap
	gen_source src
	cp src pf
	run mta-map hash:src
	[ "$status" -eq 0 ]
	postmap hash:pf 2>/dev/null
	keys_of src >keys
	[ "$(wc -l <keys)" -gt 600 ]
	mta-map -q - hash:src <keys >out.mta && s1=0 || s1=$?
	postmap -q - hash:pf <keys >out.pf && s2=0 || s2=$?
	[ "$s1" -eq "$s2" ]
	[ -s out.pf ]
	diff out.pf out.mta
	# Exit status and output of single queries, for a sample of the keys.
	awk 'NR % 9 == 0' keys >sample
	printf '%s\n' absent 'DUP3' >>sample
	while IFS= read -r k; do
		a=$(mta-map -q "$k" hash:src) && sa=0 || sa=$?
		b=$(postmap -q "$k" hash:pf) && sb=0 || sb=$?
		[ "$a" = "$b" ] && [ "$sa" -eq "$sb" ] || {
			echo "differs for '$k': mta=$sa '$a' postmap=$sb '$b'"
			return 1
		}
	done <sample
	# The listings hold the same entries (in another order).
	diff <(postmap -s hash:pf | sort) <(mta-map -s hash:src | sort)
}

@test "same answers as postmap for cidr: and inline:" {
	need_peer postmap
	printf '%s\n' '# nets' '192.168.1.1 exact' '192.168.0.0/16 net16' \
		'10.1.2.3/8 hostbits' '!172.16.0.0/12 notprivate' \
		'if 10.0.0.0/8' '10.1.0.0/16 inner' 'endif' '10.0.0.0/8 ten' \
		'[2001:db8:1::]/48 brv6' '2001:db8::/32 v6' '::1 lo' \
		'1.2.3.0/24' '  continued result' >nets
	for q in 192.168.1.1 192.168.5.5 10.1.1.1 10.9.9.9 172.16.0.1 \
		8.8.8.8 2001:db8:1::5 2001:DB8::5 ::1 1.2.3.4 192.168.001.001 \
		'[::1]' foo ''; do
		a=$(mta-map -q "$q" cidr:nets 2>/dev/null) && sa=0 || sa=$?
		b=$(postmap -q "$q" cidr:nets 2>/dev/null) && sb=0 || sb=$?
		[ "$a" = "$b" ] && [ "$sa" -eq "$sb" ] || {
			echo "cidr differs for '$q': mta=$sa '$a' postmap=$sb '$b'"
			return 1
		}
	done
	spec='inline:{a=1, B=2 {c = three, four}, d=x=y, a2={b}}'
	for q in a b B c d a2 e; do
		a=$(mta-map -q "$q" "$spec") && sa=0 || sa=$?
		b=$(postmap -q "$q" "$spec") && sb=0 || sb=$?
		[ "$a" = "$b" ] && [ "$sa" -eq "$sb" ] || {
			echo "inline differs for '$q': mta=$sa '$a' postmap=$sb '$b'"
			return 1
		}
	done
}

@test "a reader never sees an error or a missing key while the map is rebuilt" {
	gen_source src
	mta-map hash:src 2>/dev/null
	printf '%s\n' user0@example0.com domain1.example.org mixed3.host.net \
		10.2.2.2 >want
	mta-map -q - hash:src <want >expected
	[ "$(wc -l <expected)" -eq 4 ]
	(
		for i in $(seq 30); do mta-map hash:src 2>/dev/null || echo FAIL; done
		: >done
	) >rebuilds &
	n=0
	while [ ! -e done ] && [ "$n" -lt 2000 ]; do
		mta-map -q - hash:src <want >got 2>err || { cat err; break; }
		cmp -s got expected || { echo "query $n differed"; cat got err; break; }
		n=$((n + 1))
	done
	wait
	[ ! -s rebuilds ]
	cmp got expected
	[ "$n" -gt 0 ]
}
