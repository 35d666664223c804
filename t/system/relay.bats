#!/usr/bin/env bats
# The seed's restrictions as its readers copy them (share/doc: the seed),
# against smtpd on 127.0.0.1: relaying for mynetworks only, the access
# table, client and sender blocking, a DNSBL served by dnsmasq on loopback
# (the legacy maps_rbl_domains and reject_rbl_client), the recipient
# limit of 150, and a battery of open-relay tricks from a foreign client
# (127.0.0.2, outside mynetworks = 127.0.0.1/32). Remote mail goes to an
# smtp-sink on 127.0.0.1; nothing leaves the machine.

load smtp_instance

setup() {
	smtp_setup
	cat >"$I/etc/access" <<-EOF
		$LUSER@example.test	REJECT mailbox closed by policy
		postmaster@example.test	REJECT
	EOF
	printf '127.0.0.2\tREJECT client blocked here\n' >"$I/etc/clients"
	printf 'spammer.test\tREJECT sender domain blocked\n' >"$I/etc/senders"
	smtp_map "$I/etc/clients"
	smtp_map "$I/etc/senders"
}

teardown() {
	smtp_teardown
}

# seed_start [RESTRICTIONS]: the seed's main.cf, and start
seed_start() {
	smtp_main "smtpd_recipient_limit = 150" \
		"smtpd_recipient_restrictions = ${1:-permit_mynetworks, check_recipient_access hash:$I/etc/access, reject_unauth_destination}"
	start_sink
	smtp_start
}

# session FROM_ADDR SENDER RCPT...: EHLO, MAIL, one RCPT each, QUIT; the
# replies one a line (greeting, EHLO, MAIL, RCPT..., QUIT)
session() {
	local bind=$1 sender=$2 items=() r
	shift 2
	for r in "$@"; do items+=("RCPT TO:<$r>"); done
	smtpc -b "$bind" chat "EHLO client.test" "MAIL FROM:<$sender>" \
		"${items[@]}" "QUIT"
}

# relay_denied REPLY ADDR: Postfix's refusal of a relay attempt
# (454 4.7.1 from smtpd_relay_restrictions' defer_unauth_destination,
# 554 5.7.1 from the seed's reject_unauth_destination)
relay_denied() {
	[[ "$1" =~ ^(454\ 4|554\ 5)\.7\.1\ \<"$2"\>:\ Relay\ access\ denied$ ]]
}

@test "seed: a client in mynetworks relays to a foreign domain, and the mail reaches the sink" {
	seed_start
	run smtpc chat "EHLO client.test" "MAIL FROM:<alice@example.test>" \
		"RCPT TO:<bob@elsewhere.test>" "DATA" \
		"raw:Subject: relayed\r\n\r\nthrough mta\r\n.\r\n" "QUIT"
	show
	[[ "${lines[0]}" == "220 mx.example.test "* ]]
	[[ "${lines[3]}" == "250 2.1.5 "* ]]
	[[ "${lines[4]}" == "354 "* ]]
	[[ "${lines[5]}" =~ ^250\ 2\.0\.0\ Ok:\ queued\ as\ [0-9A-Za-z]+$ ]]
	wait_for sink_has 1
	grep -q '^X-Rcpt-Args: <bob@elsewhere.test>' "$I/sink/dump"
	grep -q '^X-Mail-Args: <alice@example.test>' "$I/sink/dump"
	grep -q '^Subject: relayed' "$I/sink/dump"
	grep -q '^through mta' "$I/sink/dump"
	grep -qE "smtpd\[[0-9]+\]: connect from unknown\[127\.0\.0\.1\]" "$I/maillog"
	grep -qE "smtpd\[[0-9]+\]: [0-9A-Za-z]+: client=unknown\[127\.0\.0\.1\]" "$I/maillog"
	wait_for grep -qE "smtp\[[0-9]+\]: [0-9A-Za-z]+: to=<bob@elsewhere.test>, relay=127\.0\.0\.1\[127\.0\.0\.1\]:$SINKPORT, .*status=sent" "$I/maillog"
}

@test "seed: a foreign client may not relay: Relay access denied, logged NOQUEUE" {
	seed_start
	run session 127.0.0.2 a@elsewhere.test x@elsewhere.test "$ME@example.test"
	show
	relay_denied "${lines[3]}" x@elsewhere.test
	# mail for us is still welcome from it
	[[ "${lines[4]}" == "250 2.1.5 "* ]]
	grep -qE "smtpd\[[0-9]+\]: connect from unknown\[127\.0\.0\.2\]" "$I/maillog"
	grep -qE "smtpd\[[0-9]+\]: NOQUEUE: reject: RCPT from unknown\[127\.0\.0\.2\]: (454 4|554 5)\.7\.1 <x@elsewhere.test>: Relay access denied; from=<a@elsewhere.test> to=<x@elsewhere.test> proto=ESMTP helo=<client.test>$" "$I/maillog"
	wait_for grep -qE "smtpd\[[0-9]+\]: disconnect from unknown\[127\.0\.0\.2\]" "$I/maillog"
	[ "$(sink_count)" -eq 0 ]
}

@test "seed: the access table's REJECT refuses a local recipient for a foreign client, with its text" {
	seed_start
	run session 127.0.0.2 a@elsewhere.test "$LUSER@example.test" "$ME@example.test"
	show
	[ "${lines[3]}" = "554 5.7.1 <$LUSER@example.test>: Recipient address rejected: mailbox closed by policy" ]
	[[ "${lines[4]}" == "250 2.1.5 "* ]]
	grep -qE "NOQUEUE: reject: RCPT from unknown\[127\.0\.0\.2\]: 554 5\.7\.1 <$LUSER@example.test>: Recipient address rejected: mailbox closed by policy; from=<a@elsewhere.test> to=<$LUSER@example.test> proto=ESMTP helo=<client.test>" "$I/maillog"
	# a REJECT without text says "Access denied"
	run session 127.0.0.2 a@elsewhere.test "postmaster@example.test"
	show
	[ "${lines[3]}" = "554 5.7.1 <postmaster@example.test>: Recipient address rejected: Access denied" ]
}

@test "seed: permit_mynetworks comes first: mynetworks passes before the access table" {
	seed_start
	run session 127.0.0.1 a@example.test "$LUSER@example.test"
	show
	[[ "${lines[3]}" == "250 2.1.5 "* ]]
}

@test "seed slip: a bare hash: table inside smtpd_recipient_restrictions is a recipient access table" {
	seed_start "permit_mynetworks, hash:$I/etc/access, reject_unauth_destination"
	run session 127.0.0.2 a@elsewhere.test "$LUSER@example.test" "$ME@example.test" y@elsewhere.test
	show
	[ "${lines[3]}" = "554 5.7.1 <$LUSER@example.test>: Recipient address rejected: mailbox closed by policy" ]
	[[ "${lines[4]}" == "250 2.1.5 "* ]]
	relay_denied "${lines[5]}" y@elsewhere.test
}

@test "seed: smtpd_client_restrictions blocks a listed client and a listed sender domain" {
	smtp_main "smtpd_client_restrictions = check_client_access hash:$I/etc/clients, check_sender_access hash:$I/etc/senders"
	seed_start
	run session 127.0.0.2 a@example.org "$ME@example.test"
	show
	[ "${lines[3]}" = "554 5.7.1 <unknown[127.0.0.2]>: Client host rejected: client blocked here" ]
	grep -qE "NOQUEUE: reject: RCPT from unknown\[127\.0\.0\.2\]: 554 5\.7\.1 <unknown\[127\.0\.0\.2\]>: Client host rejected: client blocked here; from=<a@example.org> to=<$ME@example.test> proto=ESMTP helo=<client.test>" "$I/maillog"
	run session 127.0.0.1 boss@spammer.test "$ME@example.test"
	show
	[ "${lines[3]}" = "554 5.7.1 <boss@spammer.test>: Sender address rejected: sender domain blocked" ]
	# a sub-domain of a listed domain is covered too (parent domains)
	run session 127.0.0.1 boss@mail.spammer.test "$ME@example.test"
	show
	[ "${lines[3]}" = "554 5.7.1 <boss@mail.spammer.test>: Sender address rejected: sender domain blocked" ]
	# and the others pass
	run session 127.0.0.1 a@example.org "$ME@example.test"
	show
	[[ "${lines[3]}" == "250 2.1.5 "* ]]
}

# the DNSBL zone bl.test: 127.0.0.2 listed with a reason, 127.0.0.1 not
bl_zone() {
	start_dns --host-record=2.0.0.127.bl.test,127.0.0.2 \
		'--txt-record=2.0.0.127.bl.test,Listed: see http://bl.test/?127.0.0.2'
}

@test "seed: maps_rbl_domains (legacy) refuses a listed client with the TXT reason, and warns" {
	bl_zone
	smtp_main "maps_rbl_domains = bl.test" "smtpd_client_restrictions = reject_maps_rbl"
	seed_start
	run session 127.0.0.2 a@example.org "$ME@example.test"
	show
	[[ "${lines[3]}" == 554\ 5.7.1\ *"[127.0.0.2]"*"blocked using bl.test"*"Listed: see http://bl.test/?127.0.0.2"* ]]
	grep -qE "NOQUEUE: reject: RCPT from unknown\[127\.0\.0\.2\]: 554 5\.7\.1 .*blocked using bl\.test" "$I/maillog"
	grep -qiE "warning: .*(maps_rbl_domains|reject_maps_rbl).*reject_rbl_client" "$I/maillog"
	# a client that is not listed passes
	run session 127.0.0.1 a@example.org "$ME@example.test"
	show
	[[ "${lines[3]}" == "250 2.1.5 "* ]]
}

@test "seed: reject_rbl_client refuses a listed client with the TXT reason" {
	bl_zone
	smtp_main "smtpd_client_restrictions = reject_rbl_client bl.test"
	seed_start
	run session 127.0.0.2 a@example.org "$ME@example.test"
	show
	[[ "${lines[3]}" == 554\ 5.7.1\ *"[127.0.0.2]"*"blocked using bl.test"*"Listed: see http://bl.test/?127.0.0.2"* ]]
	run session 127.0.0.1 a@example.org "$ME@example.test"
	show
	[[ "${lines[3]}" == "250 2.1.5 "* ]]
	# a zone with another answer address than the one asked for does not list
	smtp_stop
	sed -i 's/^smtpd_client_restrictions = .*/smtpd_client_restrictions = reject_rbl_client bl.test=127.0.0.4/' "$I/main.extra"
	smtp_start
	run session 127.0.0.2 a@example.org "$ME@example.test"
	show
	[[ "${lines[3]}" == "250 2.1.5 "* ]]
}

@test "seed: smtpd_recipient_limit = 150: 150 recipients accepted, the 151st gets 452 4.5.3" {
	seed_start
	local items=() i
	for i in $(seq 151); do items+=("RCPT TO:<u$i@elsewhere.test>"); done
	run smtpc chat "EHLO client.test" "MAIL FROM:<a@example.test>" "${items[@]}" \
		"DATA" "raw:Subject: many\r\n\r\nx\r\n.\r\n" "QUIT"
	show
	[ "$(printf '%s\n' "${lines[@]:3:150}" | grep -c '^250 2\.1\.5 ')" -eq 150 ]
	[[ "${lines[153]}" == "452 4.5.3 Error: too many recipients"* ]]
	[[ "${lines[155]}" == "250 2.0.0 Ok: queued as "* ]]
	# 150 recipients reach the sink (in one or several transactions)
	wait_for sink_rcpts 150
	not grep -q '^X-Rcpt-Args: <u151@elsewhere.test>' "$I/sink/dump"
}

# sink_rcpts N: the sink took N recipients in all
sink_rcpts() {
	[ "$(grep -c '^X-Rcpt-Args:' "$I/sink/dump" 2>/dev/null)" = "$1" ]
}

# The open-relay battery: every classic trick to get mail for a foreign
# domain (elsewhere.test) accepted through a domain of ours. From the
# foreign client, no answer may be 2xx, and nothing may be queued or reach
# the sink.
TRICKS=(
	'user%elsewhere.test@mx.example.test'
	'user%elsewhere.test@example.test'
	'user%elsewhere.test@localhost'
	'user%elsewhere.test%mx.example.test@mx.example.test'
	'user%elsewhere.test@[127.0.0.1]'
	'elsewhere.test!user@mx.example.test'
	'elsewhere.test!user'
	'mx.example.test!elsewhere.test!user@mx.example.test'
	'elsewhere.test!user@[127.0.0.1]'
	'@mx.example.test:user@elsewhere.test'
	'@mx.example.test,@example.test:user@elsewhere.test'
	'"user@elsewhere.test"@mx.example.test'
	'"user@elsewhere.test"@example.test'
	'"user%elsewhere.test"@mx.example.test'
	'"elsewhere.test!user"@mx.example.test'
	'"user@elsewhere.test"'
	'user\\@elsewhere.test@mx.example.test'
	'user@elsewhere.test@mx.example.test'
	'user@elsewhere.test@'
	'user@@elsewhere.test'
	'user@[192.0.2.9]'
	'user@[IPv6:2001:db8::9]'
	'user@elsewhere.test.'
	'user@elsewhere.test..'
	'user@ElseWhere.TEST'
	'user@MX.EXAMPLE.TEST.ElseWhere.test'
	'user@mx.example.test.elsewhere.test'
	'user@evilexample.test'
	'user@example.test.elsewhere.test'
	'user@localhost.elsewhere.test'
	'user@elsewhere.test (mx.example.test)'
	'user@elsewhere.test>, <user@mx.example.test'
	'user@127.0.0.9'
)
# tricks after which a server may rightly hang up: one session each
ODD=(
	'user@elsewhere.test\x00@mx.example.test'
	'user@elsewhere.test\r@mx.example.test'
	'user@elsewhere.test\n@mx.example.test'
	'user@[127.0.0.9]'
	'user@[IPv6:::1]'
)

@test "not an open relay: no relay trick from a foreign client is accepted" {
	seed_start
	local items=() t
	for t in "${TRICKS[@]}"; do items+=("RCPT TO:<$t>"); done
	run smtpc -b 127.0.0.2 chat "EHLO client.test" "MAIL FROM:<a@elsewhere.test>" \
		"${items[@]}" "RCPT TO:<$ME@example.test>" "QUIT"
	show
	[[ "${lines[2]}" == "250 2.1.0 "* ]]
	local i=3 bad=0
	for t in "${TRICKS[@]}"; do
		echo "RCPT TO:<$t> -> ${lines[$i]}"
		if [[ ! "${lines[$i]}" =~ ^[45][0-9][0-9]\  ]]; then
			echo "  ^^^ accepted (or no answer): an open relay"
			bad=1
		fi
		i=$((i + 1))
	done
	# the session still works: a recipient of ours is taken
	[[ "${lines[$i]}" == "250 2.1.5 "* ]]
	[ "$bad" -eq 0 ]
}

@test "not an open relay: tricks one per session, each with DATA: nothing queued, nothing at the sink" {
	seed_start
	local t bad=0
	for t in "${TRICKS[@]}" "${ODD[@]}"; do
		run smtpc -b 127.0.0.2 chat "EHLO client.test" "MAIL FROM:<a@elsewhere.test>" \
			"RCPT TO:<$t>" "DATA" "raw:Subject: relay test\r\n\r\nrelayed?\r\n.\r\n" "QUIT"
		echo "RCPT TO:<$t> -> ${lines[3]} / DATA -> ${lines[4]:-}"
		case " ${TRICKS[*]} " in
		*" $t "*) [[ "${lines[3]}" =~ ^[45] ]] || bad=1 ;;
		esac
	done
	[ "$bad" -eq 0 ]
	sleep 2
	show
	[ "$(sink_count)" -eq 0 ]
	not grep -qE "to=<[^>]*elsewhere\.test[^>]*>.*status=sent" "$I/maillog"
	not grep -qE "relay=127\.0\.0\.1\[127\.0\.0\.1\]:$SINKPORT" "$I/maillog"
	# nothing for a foreign domain waits in the queue either
	for f in $(find "$I/spool" -type f \( -path '*/incoming/*' -o -path '*/active/*' -o -path '*/deferred/*' \)); do
		not grep -qa 'elsewhere' "$f"
	done
}

@test "not an open relay: a foreign client with a HELO and sender of ours gains nothing" {
	seed_start
	run smtpc -b 127.0.0.2 chat "EHLO mx.example.test" "MAIL FROM:<postmaster@example.test>" \
		"RCPT TO:<user@elsewhere.test>" "RCPT TO:<user%elsewhere.test@mx.example.test>" "QUIT"
	show
	relay_denied "${lines[3]}" user@elsewhere.test
	[[ "${lines[4]}" =~ ^[45] ]]
	run smtpc -b 127.0.0.2 chat "HELO localhost" "MAIL FROM:<>" "RCPT TO:<user@elsewhere.test>" "QUIT"
	show
	relay_denied "${lines[3]}" user@elsewhere.test
	[ "$(queued)" -eq 0 ]
}
