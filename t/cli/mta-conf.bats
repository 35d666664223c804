#!/usr/bin/env bats
# mta-conf: printing, editing, master.cf, --check, exit statuses, and
# agreement with Postfix's postconf where the two should agree.

load helpers

setup() {
	setup_scratch
	E="$SCRATCH/etc"
}

teardown() {
	teardown_scratch
}

@test "no argument: every parameter, sorted, unexpanded" {
	run mta-conf
	[ "$status" -eq 0 ]
	[[ "$output" == *"myorigin = \$myhostname"* ]]
	[[ "$output" == *"smtpd_recipient_limit = 1000"* ]]
	[ "$(mta-conf | cut -d' ' -f1)" = "$(mta-conf | cut -d' ' -f1 | LC_ALL=C sort)" ]
}

@test "-n prints only what main.cf sets, squeezed; -x expands; -h values" {
	printf 'myhostname = mail.example.com\nmyorigin = $mydomain\nmydestination = a,\n   b\t c\n' >"$E/main.cf"
	run mta-conf -n
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "mydestination = a, b c" ]
	[ "${lines[1]}" = "myhostname = mail.example.com" ]
	[ "${lines[2]}" = 'myorigin = $mydomain' ]
	[ "${#lines[@]}" -eq 3 ]
	[ "$(mta-conf -x myorigin)" = "myorigin = example.com" ]
	[ "$(mta-conf -h -x myorigin)" = "example.com" ]
}

@test "-d prints defaults, ours where they differ" {
	echo 'smtpd_recipient_limit = 150' >"$E/main.cf"
	[ "$(mta-conf -d smtpd_recipient_limit)" = "smtpd_recipient_limit = 1000" ]
	[ "$(mta-conf smtpd_recipient_limit)" = "smtpd_recipient_limit = 150" ]
	[ "$(mta-conf -d config_directory)" = "config_directory = /etc/mta" ]
	[ "$(mta-conf -dh mta_resolver_servers)" = "" ]
}

@test "unknown NAME: warning and exit 1" {
	run mta-conf myhostname no_such_parameter
	[ "$status" -eq 1 ]
	[[ "$output" == *"mta-conf: warning: no_such_parameter: unknown parameter"* ]]
}

@test "--json prints one object per line" {
	echo 'smtpd_banner = say "hi"' >"$E/main.cf"
	run mta-conf --json smtpd_banner relayhost
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = '{"name":"smtpd_banner","value":"say \"hi\""}' ]
	[ "${lines[1]}" = '{"name":"relayhost","value":""}' ]
}

@test "missing main.cf: printing uses the defaults" {
	rm "$E/main.cf"
	run mta-conf -h mail_name
	[ "$status" -eq 0 ]
	[ "$output" = "mta" ]
}

@test "syntax error in main.cf: exit 78 with file and line" {
	printf 'relayhost = a\nthis is wrong\n' >"$E/main.cf"
	run mta-conf -n
	[ "$status" -eq 78 ]
	[[ "$output" == *"error: $E/main.cf, line 2: missing '='"* ]]
}

@test "-e edits in place, keeps comments, replaces continuations, appends" {
	printf '# top\nrelayhost = old\n# keep me\nmydestination = a,\n   b\nmyorigin = x\n' >"$E/main.cf"
	chmod 640 "$E/main.cf"
	run mta-conf -e 'relayhost = [new]:587' 'mydestination=c' luser_relay=lu
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(cat "$E/main.cf")" = "$(printf '# top\nrelayhost = [new]:587\n# keep me\nmydestination = c\nmyorigin = x\nluser_relay = lu')" ]
	[ "$(stat -c %a "$E/main.cf")" = 640 ]
	[ -z "$(ls "$E" | grep tmp)" ]
}

@test "-e is atomic: a reader never sees a partial main.cf" {
	for i in $(seq 1 300); do echo "p$i = value $i" ; done >"$E/main.cf"
	( for i in $(seq 1 40); do mta-conf -e "p150=v$i"; done ) &
	pid=$!
	bad=0
	while kill -0 $pid 2>/dev/null; do
		n=$(grep -c '^p' "$E/main.cf")
		[ "$n" -eq 300 ] || bad=1
	done
	wait $pid
	[ "$bad" -eq 0 ]
	grep -q '^p150 = v40$' "$E/main.cf"
}

@test "-# comments out an entry and its continuation lines" {
	printf 'relayhost = a\n   b\nmyorigin = x\n' >"$E/main.cf"
	run mta-conf -# relayhost
	[ "$status" -eq 0 ]
	[ "$(cat "$E/main.cf")" = "$(printf '#relayhost = a\n#   b\nmyorigin = x')" ]
}

@test "-e exit statuses: 64 bad operand, 66 no main.cf, 73 cannot write" {
	run mta-conf -e novalue
	[ "$status" -eq 64 ]
	[[ "$output" == *"missing '='"* ]]
	run mta-conf -e
	[ "$status" -eq 64 ]
	rm "$E/main.cf"
	run mta-conf -e relayhost=x
	[ "$status" -eq 66 ]
	[[ "$output" == *"create it first"* ]]
	# A main.cf that cannot be replaced (here a directory) is 73, as
	# root too, and nothing is left behind.
	mkdir "$E/main.cf"
	run mta-conf -e relayhost=x
	[ "$status" -eq 73 ]
	[[ "$output" == *"mta-conf: error: "*"main.cf"* ]]
	[ "$(ls "$E")" = "main.cf" ]
}

@test "bad options: exit 64" {
	run mta-conf --no-such-option
	[ "$status" -eq 64 ]
	run mta-conf -n -d
	[ "$status" -eq 64 ]
	run mta-conf -e a=b -M
	[ "$status" -eq 64 ]
	run mta-conf --check extra
	[ "$status" -eq 64 ]
}

@test "--help and --version" {
	run mta-conf --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--check"* ]]
	run mta-conf --version
	[ "$status" -eq 0 ]
	[[ "$output" == *"(mta)"* ]]
}

@test "-M prints our etc/master.cf as postconf -M does" {
	cp "$MTA_TOP/etc/master.cf" "$E/master.cf"
	# the SMTP services, commented out until they exist, uncommented here
	sed -i 's/^#smtp/smtp/' "$E/master.cf"
	run mta-conf -M
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "pickup     fifo  n       -       n       60      1       pickup" ]
	[ "${lines[3]}" = "smtp       inet  n       -       n       -       -       smtpd" ]
	run mta-conf -M qmgr/fifo
	[ "$output" = "qmgr       fifo  n       -       n       300     1       qmgr" ]
	run mta-conf -M smtp
	[ "${#lines[@]}" -eq 2 ]
	run mta-conf -M nothere/unix
	[ "$status" -eq 1 ]
	[[ "$output" == *"nothere/unix: no such service"* ]]
}

@test "-M --json and -Mf" {
	printf 'smtp inet n - n - - smtpd\n  -o smtpd_banner=hi\n  -o { smtpd_client_restrictions = permit_mynetworks, reject }\n' >"$E/master.cf"
	run mta-conf -M --json
	[ "$output" = '{"service":"smtp","type":"inet","private":"n","unpriv":"-","chroot":"n","wakeup":"-","maxproc":"-","command":"smtpd","args":["-o","smtpd_banner=hi","-o","smtpd_client_restrictions=permit_mynetworks, reject"]}' ]
	run mta-conf -Mf
	[ "${lines[1]}" = "    -o smtpd_banner=hi" ]
	[ "${lines[2]}" = "    -o {smtpd_client_restrictions=permit_mynetworks, reject}" ]
}

@test "-M: broken master.cf is exit 78 with file and line" {
	printf 'smtp inet n - n - - smtpd\nsmtp inet n - n - - smtpd\n' >"$E/master.cf"
	run mta-conf -M
	[ "$status" -eq 78 ]
	[[ "$output" == *"master.cf, line 2: this service and type are defined twice"* ]]
}

@test "--check: clean configuration exits 0 silently" {
	cp "$MTA_TOP/etc/main.cf" "$MTA_TOP/etc/master.cf" "$E/"
	run mta-conf --check
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "--check: smtp_recipient_restrictions is an error naming smtpd_" {
	echo 'smtp_recipient_restrictions = permit_mynetworks, reject_unauth_destination' >"$E/main.cf"
	run mta-conf --check
	[ "$status" -eq 78 ]
	[[ "$output" == *"error: $E/main.cf, line 1: smtp_recipient_restrictions is not a parameter"*"smtpd_recipient_restrictions"* ]]
}

@test "--check: check_recipient_access written as a parameter" {
	echo 'check_recipient_access = hash:/etc/mta/access' >"$E/main.cf"
	run mta-conf --check
	[ "$status" -eq 78 ]
	[[ "$output" == *'is a restriction, not a parameter: remove this line and put "check_recipient_access hash:/etc/mta/access" inside smtpd_recipient_restrictions'* ]]
}

@test "--check: a bare table in a restriction list is accepted with a note" {
	echo 'smtpd_recipient_restrictions = permit_mynetworks, hash:/etc/postfix/access, reject_unauth_destination' >"$E/main.cf"
	run mta-conf --check
	[ "$status" -eq 0 ]
	[[ "$output" == *'warning:'*'bare table "hash:/etc/postfix/access" is read as "check_recipient_access hash:/etc/postfix/access"'* ]]
	echo 'smtpd_client_restrictions = hash:/etc/mta/clients' >"$E/main.cf"
	run mta-conf --check
	[[ "$output" == *'"check_client_access hash:/etc/mta/clients"'* ]]
}

@test "--check: maps_rbl_domains is obsolete, translated with a warning" {
	printf 'maps_rbl_domains = blackholes.mail-abuse.org\n' >"$E/main.cf"
	run mta-conf --check
	[ "$status" -eq 0 ]
	[[ "$output" == *"maps_rbl_domains is obsolete"*"reject_rbl_client"* ]]
	[[ "$output" == *"maps_rbl_domains alone blocks nothing"* ]]
	printf 'maps_rbl_domains = bl.example\nsmtpd_client_restrictions = reject_maps_rbl\n' >"$E/main.cf"
	run mta-conf --check
	[[ "$output" == *'reject_maps_rbl is obsolete: mta reads it as reject_rbl_client for each zone of maps_rbl_domains ("bl.example")'* ]]
	[[ "$output" != *"alone blocks nothing"* ]]
}

@test "--check: unknown names get a suggestion; Postfix names are ignored" {
	printf 'smtpd_recipent_limit = 150\nsmtpd_tls_cert_file = /x\nzzzz_qqqq_wwww = 1\n' >"$E/main.cf"
	run mta-conf --check
	[ "$status" -eq 0 ]
	[[ "$output" == *"unknown parameter smtpd_recipent_limit: did you mean smtpd_recipient_limit?"* ]]
	[[ "$output" == *"smtpd_tls_cert_file is a Postfix parameter that mta does not support (ignored)"* ]]
	[[ "$output" == *"unknown parameter zzzz_qqqq_wwww (ignored)"* ]]
}

@test "--check: bad values, loops and master.cf -o are errors" {
	printf 'smtpd_recipient_limit = many\nsoft_bounce = maybe\nmyorigin = $mydestination\nmydestination = $myorigin\n' >"$E/main.cf"
	printf 'smtp inet n - n - - smtpd -o smtpd_timeout=forever -o smtpd_tiemout=1\n' >"$E/master.cf"
	run mta-conf --check
	[ "$status" -eq 78 ]
	[[ "$output" == *'line 1: smtpd_recipient_limit: expected a number, not "many"'* ]]
	[[ "$output" == *'soft_bounce: expected yes or no, not "maybe"'* ]]
	[[ "$output" == *"refers to itself"* ]]
	[[ "$output" == *"master.cf, line 1: -o smtpd_timeout=forever: expected a time"* ]]
	[[ "$output" == *"-o smtpd_tiemout: unknown parameter; did you mean smtpd_timeout"* ]]
}

@test "--check --json: one object per finding on stdout" {
	echo 'smtp_recipient_restrictions = x' >"$E/main.cf"
	run mta-conf --check --json
	[ "$status" -eq 78 ]
	[[ "${lines[0]}" == '{"level":"error","message":"'*'smtp_recipient_restrictions is not a parameter'* ]]
}

@test "--check: missing main.cf is an error" {
	rm "$E/main.cf"
	run mta-conf --check
	[ "$status" -eq 78 ]
	[[ "$output" == *"main.cf: No such file"* ]]
}

@test "mta-main.cf(5) lists every parameter of the table" {
	man="$MTA_TOP/share/man/man5/mta-main.cf.5"
	body=$(sed -n '/^\.\\" BEGIN PARAMETERS/,/^\.\\" END PARAMETERS/p' "$man" | sed '1d;$d')
	[ "$body" = "$(mta-conf --doc)" ]
	for p in $(mta-conf | cut -d' ' -f1); do
		grep -q "^\.B $(echo "$p" | sed 's/-/\\\\-/g')\$" "$man" || { echo "missing $p"; false; }
	done
}

@test "postconf agrees on printed values and continuation lines" {
	need_peer postconf
	cat >"$E/main.cf" <<'CF'
# a comment
mail_name = Postfix
myhostname = mail.example.com
mydestination = $myhostname,
    localhost.$mydomain,
	localhost
relayhost=[relay.example.com]:587
smtpd_banner   =   $myhostname   ESMTP    $mail_name   
smtpd_recipient_restrictions = permit_mynetworks,
# inner comment
  check_recipient_access hash:/etc/mta/access,

  reject_unauth_destination
myorigin = ${mydomain?{$mydomain}:{localdomain}}
masquerade_domains = ${relayhost:nothing}${relayhost?$mydomain}
CF
	for opt in "" "-x"; do
		want=$(postconf -c "$E" -n $opt 2>/dev/null | grep -v '^config_directory')
		got=$(mta-conf -n $opt)
		[ "$got" = "$want" ] || { diff <(echo "$want") <(echo "$got"); false; }
	done
	for p in mydestination smtpd_banner myorigin masquerade_domains; do
		[ "$(mta-conf -h -x $p)" = "$(postconf -c "$E" -h -x $p 2>/dev/null)" ]
	done
}

@test "postconf -M agrees with mta-conf -M on our master.cf" {
	need_peer postconf
	cp "$MTA_TOP/etc/master.cf" "$E/master.cf"
	printf '127.0.0.1:2525 inet n - n - 10 smtpd -v\n  -o smtpd_banner=test\n' >>"$E/master.cf"
	[ "$(mta-conf -M)" = "$(postconf -c "$E" -M 2>/dev/null)" ]
	[ "$(mta-conf -Mf)" = "$(postconf -c "$E" -Mf 2>/dev/null)" ]
}
