#!/usr/bin/env bats
# mta-alias: build, query, list, delete, incremental, exit statuses, and
# agreement with Postfix's postalias on the same source.

load helpers

setup() {
	setup_scratch
	cd "$SCRATCH"
	printf '%s\n' '# the seed example' 'root: user' \
		'user: user1, user2, user3' 'list: :include:/etc/mta/list.txt' >aliases
}

teardown() {
	teardown_scratch
}

@test "build is silent on success and -q finds names in any case" {
	printf 'root: user\nUser: a, b\n' >quiet
	run mta-alias hash:quiet
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -f quiet.db ]
	run mta-alias -q ROOT hash:quiet
	[ "$status" -eq 0 ]
	[ "$output" = "user" ]
	run mta-alias -q user quiet
	[ "$output" = "a, b" ]
}

@test "a missing include file is a warning with file and line, the map is built" {
	run mta-alias hash:aliases
	[ "$status" -eq 0 ]
	[[ "$output" == *"aliases, line 4: alias \"list\": cannot read include file /etc/mta/list.txt"* ]]
	run mta-alias -q list hash:aliases
	[ "$output" = ":include:/etc/mta/list.txt" ]
}

@test "exit 1 for a name that is not there" {
	mta-alias hash:aliases 2>/dev/null
	run mta-alias -q nobody hash:aliases
	[ "$status" -eq 1 ]
	[ -z "$output" ]
}

@test "the @ entry is there, as postalias adds it" {
	mta-alias hash:aliases 2>/dev/null
	run mta-alias -q @ hash:aliases
	[ "$status" -eq 0 ]
	[ "$output" = "@" ]
}

@test "-q - reads names from stdin and prints name:<TAB>value" {
	mta-alias hash:aliases 2>/dev/null
	run mta-alias -q - hash:aliases <<<$'ROOT\nnobody\nuser'
	[ "$status" -eq 0 ]
	[ "$output" = $'ROOT:\tuser\nuser:\tuser1, user2, user3' ]
	run mta-alias -q - hash:aliases <<<$'nobody\nnone'
	[ "$status" -eq 1 ]
}

@test "-q looks in each map in turn" {
	printf 'a: one\n' >m1
	printf 'a: two\nb: three\n' >m2
	mta-alias m1 m2
	run mta-alias -q b hash:m1 hash:m2
	[ "$output" = "three" ]
	run mta-alias -q a hash:m1 hash:m2
	[ "$output" = "one" ]
}

@test "-s lists every entry, --json one object per line" {
	mta-alias hash:aliases 2>/dev/null
	run mta-alias -s hash:aliases
	[ "$status" -eq 0 ]
	[[ "$output" == *$'root:\tuser'* ]]
	[[ "$output" == *$'@:\t@'* ]]
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 4 ]
	run mta-alias -s --json hash:aliases
	[[ "$output" == *'{"name":"root","value":"user","map":"hash:aliases"}'* ]]
	run mta-alias -q user --json hash:aliases
	[ "$output" = '{"name":"user","value":"user1, user2, user3","map":"hash:aliases"}' ]
}

@test "-d removes a name, exit 1 when it was not there; -d - from stdin" {
	mta-alias hash:aliases 2>/dev/null
	run mta-alias -d ROOT hash:aliases
	[ "$status" -eq 0 ]
	run mta-alias -q root hash:aliases
	[ "$status" -eq 1 ]
	run mta-alias -d root hash:aliases
	[ "$status" -eq 1 ]
	run mta-alias -d - hash:aliases <<<$'user\nnobody'
	[ "$status" -eq 0 ]
	run mta-alias -q user hash:aliases
	[ "$status" -eq 1 ]
}

@test "-i adds entries from stdin and keeps an existing name" {
	mta-alias hash:aliases 2>/dev/null
	run mta-alias -i hash:aliases <<<$'new: x, y\nroot: other'
	[ "$status" -eq 0 ]
	[[ "$output" == *'duplicate entry "root"'* ]]
	run mta-alias -q new hash:aliases
	[ "$output" = "x, y" ]
	run mta-alias -q root hash:aliases
	[ "$output" = "user" ]
	run mta-alias -q @ hash:aliases
	[ "$output" = "@" ]
}

@test "duplicates: first wins with a warning; -r: last wins; -w: quiet" {
	printf 'dup: first\ndup: second\n' >d
	run mta-alias hash:d
	[ "$status" -eq 0 ]
	[[ "$output" == *'d, line 2: duplicate entry "dup" (first at line 1)'* ]]
	[ "$(mta-alias -q dup d)" = "first" ]
	run mta-alias -r hash:d
	[ -z "$output" ]
	[ "$(mta-alias -q dup d)" = "second" ]
	run mta-alias -w hash:d
	[ -z "$output" ]
	[ "$(mta-alias -q dup d)" = "first" ]
}

@test "-f keeps the case of names" {
	printf 'Root: x\n' >c
	mta-alias -f hash:c
	run mta-alias -f -q Root hash:c
	[ "$output" = "x" ]
	run mta-alias -f -q root hash:c
	[ "$status" -eq 1 ]
}

@test "bad lines are warned about with file and line and skipped" {
	printf 'no colon here\nok: fine\nx@y: z\n' >bad
	run mta-alias hash:bad
	[ "$status" -eq 0 ]
	[[ "$output" == *'bad, line 1: need a "name: value" pair'* ]]
	[[ "$output" == *'bad, line 3: name must be local'* ]]
	[ "$(mta-alias -q ok bad)" = "fine" ]
}

@test "alias loops are warned about; a name expanding to itself is not" {
	printf 'a: b\nb: c, a\nme: me, other\n' >loop
	run mta-alias hash:loop
	[ "$status" -eq 0 ]
	[[ "$output" == *'loop, line 1: alias loop: a -> b -> a'* ]]
	[[ "$output" != *'me ->'* ]]
	[ "$(mta-alias -q a loop)" = "b" ]
}

@test "no argument: every map of alias_database in main.cf" {
	printf 'x: y\n' >one
	printf 'alias_database = hash:%s/one, texthash:%s/none\n' "$SCRATCH" "$SCRATCH" >etc/main.cf
	run mta-alias
	[ "$status" -eq 0 ]
	[ "$(mta-alias -q x hash:one)" = "y" ]
}

@test "exit 64 for usage errors" {
	run mta-alias -q
	[ "$status" -eq 64 ]
	run mta-alias -q x
	[ "$status" -eq 64 ]
	run mta-alias -q x -s hash:aliases
	[ "$status" -eq 64 ]
	[[ "$output" == *"use only one of"* ]]
	run mta-alias --json hash:aliases
	[ "$status" -eq 64 ]
	run mta-alias --no-such-option
	[ "$status" -eq 64 ]
	run mta-alias -i hash:a hash:b
	[ "$status" -eq 64 ]
	run mta-alias texthash:aliases
	[ "$status" -eq 64 ]
}

@test "exit 66 for a missing source or database" {
	run mta-alias hash:missing
	[ "$status" -eq 66 ]
	[[ "$output" == "mta-alias: error: cannot open missing: No such file or directory" ]]
	run mta-alias -q x hash:missing
	[ "$status" -eq 66 ]
	[[ "$output" == *"build it first"* ]]
}

@test "exit 73 when the database cannot be created" {
	mkdir aliases.db
	run mta-alias hash:aliases
	[ "$status" -eq 73 ]
	[[ "$output" == *"mta-alias: error: "* ]]
}

@test "exit 78 when main.cf cannot be read" {
	run mta-alias -c "$SCRATCH/nonexistent"
	[ "$status" -eq 78 ]
}

@test "--help, --version" {
	run mta-alias --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--query"* ]]
	run mta-alias --version
	[ "$status" -eq 0 ]
	[[ "$output" == "mta-alias (mta) "* ]]
}

# gen_aliases N: a varied aliases(5) source of about N entries.
gen_aliases() {
	local i
	for ((i = 0; i < $1; i++)); do
		case $((i % 16)) in
		0) printf 'user%d: target%d\n' "$i" "$i" ;;
		1) printf 'MiXeD%d: a%d, B%d,c%d\n' "$i" "$i" "$i" "$i" ;;
		2) printf '"quoted name %d": x%d\n' "$i" "$i" ;;
		3) printf 'cont%d: first%d,\n\tsecond%d ,\n  third%d\n' "$i" "$i" "$i" "$i" ;;
		4) printf '# comment %d\nafter%d: v%d   (a comment)\n' "$i" "$i" "$i" ;;
		5) printf 'inc%d: :include:/nonexistent/list%d\n' "$i" "$i" ;;
		6) printf 'cmd%d: |/usr/bin/prog%d, "|/usr/bin/prog arg %d"\n' "$i" "$i" "$i" ;;
		7) printf 'file%d: /var/mail/f%d, "/tmp/with space %d"\n' "$i" "$i" "$i" ;;
		8) printf 'user%d: duplicate of %d\n' "$((i - 8))" "$i" ;;
		9) printf 'long%d: %s\n' "$i" "$(seq -f "member%g@example.com" -s ', ' 1 150)" ;;
		10) printf 'esc%d: a\\,b%d, "q\\"t%d", x@[192.0.2.%d]\n' "$i" "$i" "$i" "$((i % 250))" ;;
		11) printf 'dots.%d-x_y: first.last@example.org, Name <n%d@example.org>\n' "$i" "$i" ;;
		12) printf 'bad line %d without colon\n' "$i" ;;
		13) printf 'tabs%d:\t\tspaced\t  value %d \t\n' "$i" "$i" ;;
		14) printf 'q"uo"te%d: "multi\n  line %d"\n' "$i" "$i" ;;
		15) printf 'eight%d\xc3\xa9: v\xc3\xa9%d, :INCLUDE: /x%d\n' "$i" "$i" "$i" ;;
		esac
	done
}

# names N: every name gen_aliases gives, case variants, and absent ones.
gen_names() {
	local i
	for ((i = 0; i < $1; i++)); do
		printf '%s\n' "user$i" "USER$i" "mixed$i" "MiXeD$i" "quoted name $i" \
			"Quoted Name $i" "cont$i" "after$i" "inc$i" "cmd$i" "file$i" \
			"long$i" "esc$i" "dots.$i-x_y" "tabs$i" "q uo te$i" \
			"eight$i"$'\xc3\xa9' "absent$i" "bad"
	done
	printf '%s\n' "@" "" "YP_LAST_MODIFIED" "yp_master_name"
}

@test "answers agree with postalias on a few hundred varied entries" {
	need_peer postalias
	gen_aliases 320 >src
	cp src mine
	cp src theirs
	mta-alias hash:mine 2>/dev/null
	postalias hash:theirs 2>/dev/null
	gen_names 320 >names
	mta-alias -q - hash:mine <names >out.mine
	mine=$?
	postalias -q - hash:theirs <names >out.theirs
	theirs=$?
	[ "$mine" -eq "$theirs" ]
	diff out.theirs out.mine
	[ "$(wc -l <out.mine)" -gt 300 ]
	# -s shows the same entries (postalias adds NIS stamps we do not).
	mta-alias -s hash:mine | LC_ALL=C sort >s.mine
	postalias -s hash:theirs | grep -v '^YP_' | LC_ALL=C sort >s.theirs
	diff s.theirs s.mine
}

@test "single -q answers and exit codes agree with postalias" {
	need_peer postalias
	gen_aliases 32 >mine
	cp mine theirs
	mta-alias hash:mine 2>/dev/null
	postalias hash:theirs 2>/dev/null
	while IFS= read -r name; do
		a=$(mta-alias -q "$name" hash:mine) && sa=0 || sa=$?
		b=$(postalias -q "$name" hash:theirs) && sb=0 || sb=$?
		[ "$a" = "$b" ] || { echo "differ for '$name': '$a' vs '$b'"; false; }
		[ "$sa" -eq "$sb" ] || { echo "status for '$name': $sa vs $sb"; false; }
	done < <(gen_names 32 | grep -v '^$')
}
