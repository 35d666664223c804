# Shared set-up of the SMTP system tests (relay.bats, smuggling.bats,
# clients.bats): a private instance in a scratch directory with smtpd on
# 127.0.0.1:$PORT, local delivery to a mail_spool_directory there, every
# other domain relayed to an smtp-sink on 127.0.0.1:$SINKPORT, and DNS
# only from a dnsmasq on 127.0.0.1:$DNSPORT (started by the tests that need
# it; until then nothing answers there, and nothing ever leaves the
# machine). mynetworks is 127.0.0.1/32: a client bound to 127.0.0.2 is a
# foreign one.
#
# SMTP_PEER=postfix runs the same tests against a private instance of
# Debian's Postfix instead (to check the tests themselves); tests that
# need a feature Postfix 3.7 lacks skip there with the reason.
#
# Use: in setup(), smtp_setup; then smtp_main "name = value" for the
# test's own parameters, and smtp_start. teardown() calls smtp_teardown.

load ../cli/helpers

SMTPC="python3 $MTA_TOP/t/system/smtpc.py"
: "${SMTP_PEER:=mta}"

# free_port: a port that is free on 127.0.0.1 for both TCP and UDP
free_port() {
	python3 - <<-'PY'
		import socket
		for _ in range(50):
		    t = socket.socket(); t.bind(("127.0.0.1", 0))
		    port = t.getsockname()[1]
		    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		    try:
		        u.bind(("127.0.0.1", port))
		    except OSError:
		        continue
		    finally:
		        u.close(); t.close()
		    print(port); break
	PY
}

# wait_for CMD...: up to 15 s for a command to succeed
wait_for() {
	for _ in $(seq 150); do "$@" && return 0; sleep 0.1; done
	return 1
}

# port_open PORT: something accepts TCP connections on 127.0.0.1:PORT (a
# whole polite session: the greeting is read and QUIT sent, so that the
# probe is no protocol error in the server's log)
port_open() {
	python3 -c 'import socket, sys
s = socket.socket(); s.settimeout(2)
if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) != 0:
    sys.exit(1)
try:
    s.recv(4096); s.sendall(b"QUIT\r\n"); s.recv(4096)
except OSError:
    pass' "$1"
}

smtp_setup() {
	setup_scratch
	I=$SCRATCH
	ME=$(id -un)
	LUSER=daemon	# a local user (a system account) whose mailbox we read
	chmod 755 "$I"
	mkdir -p "$I/libexec" "$I/mail" "$I/sink"
	chmod 1777 "$I/mail" "$I/sink"
	PORT=$(free_port)
	SINKPORT=$(free_port)
	DNSPORT=$(free_port)
	SINKPID= DNSPID=
	: >"$I/main.extra"
	: >"$I/maillog"
	export I ME LUSER PORT SINKPORT DNSPORT
	printf 'postmaster: %s\nroot: %s\n' "$ME" "$ME" >"$I/etc/aliases"
	printf '# empty\n' >"$I/etc/access"
}

# smtp_main LINE...: main.cf lines of the test, added after the base ones
smtp_main() {
	printf '%s\n' "$@" >>"$I/main.extra"
}

# smtp_base: the main.cf lines both peers share
smtp_base() {
	cat <<-EOF
		myhostname = mx.example.test
		mydomain = example.test
		mydestination = \$myhostname, localhost, example.test
		mynetworks = 127.0.0.1/32
		smtpd_peername_lookup = no
		relayhost = [127.0.0.1]:$SINKPORT
		mail_spool_directory = $I/mail
		alias_maps = hash:$I/etc/aliases
		alias_database = hash:$I/etc/aliases
		maillog_file = $I/maillog
		queue_run_delay = 1s
		minimal_backoff_time = 1s
		maximal_backoff_time = 4s
		smtpd_error_sleep_time = 0
		smtpd_soft_error_limit = 100
		smtpd_hard_error_limit = 200
		smtpd_timeout = 30s
	EOF
}

# smtp_map FILE: build the hash: map of FILE (mta-map, or postmap)
smtp_map() {
	if [ "$SMTP_PEER" = postfix ]; then
		postmap -c "$I/etc" "hash:$1"
	else
		mta-map "hash:$1"
	fi
}

smtp_start() {
	if [ "$SMTP_PEER" = postfix ]; then
		pf_start
	else
		mta_start_instance
	fi
	wait_for port_open "$PORT" || {
		cat "$I/maillog"
		echo "smtpd does not listen on 127.0.0.1:$PORT"
		return 1
	}
}

mta_start_instance() {
	local p
	for p in master pickup qmgr local smtpd smtp; do
		[ -x "$MTA_BUILD/libexec/mta/$p" ] ||
			{ echo "$p is not built in $MTA_BUILD"; return 1; }
		ln -sf "$MTA_BUILD/libexec/mta/$p" "$I/libexec/$p"
	done
	{
		echo "queue_directory = $I/spool"
		echo "daemon_directory = $I/libexec"
		# smtpd drops privileges to mail_owner and will not drop to root
		if [ "$(id -u)" = 0 ]; then
			echo "mail_owner = nobody"
		else
			echo "mail_owner = $ME"
		fi
		echo "mta_resolver_servers = 127.0.0.1:$DNSPORT"
		smtp_base
		cat "$I/main.extra"
	} >"$I/etc/main.cf"
	cat >"$I/etc/master.cf" <<-EOF
		127.0.0.1:$PORT inet n n n - - smtpd
		pickup fifo n n n 60 1 pickup
		qmgr   fifo n n n 300 1 qmgr
		local  unix - n n - - local
		smtp   unix - n n - - smtp
	EOF
	export MTA_CONFIG_DIR="$I/etc"
	mta-alias "hash:$I/etc/aliases"
	smtp_map "$I/etc/access"
	mta-start start
}

pf_start() {
	local pc="postconf -c $I/etc"
	mkdir -p "$I/spool" "$I/data"
	chown postfix "$I/data"
	{
		echo "compatibility_level = 3.6"
		echo "queue_directory = $I/spool"
		echo "data_directory = $I/data"
		echo "mail_owner = postfix"
		echo "setgid_group = postdrop"
		echo "inet_interfaces = 127.0.0.1"
		echo "inet_protocols = ipv4"
		echo "maillog_file_prefixes = $I"
		echo "biff = no"
		echo "smtp_dns_support_level = disabled"
		smtp_base
		cat "$I/main.extra"
	} >"$I/etc/main.cf"
	sed '/^smtp[[:space:]][[:space:]]*inet[[:space:]]/d' /etc/postfix/master.cf \
		>"$I/etc/master.cf"
	echo "127.0.0.1:$PORT inet n - n - - smtpd" >>"$I/etc/master.cf"
	$pc -F '*/*/chroot = n'
	postalias -c "$I/etc" "hash:$I/etc/aliases"
	smtp_map "$I/etc/access"
	export MAIL_CONFIG="$I/etc"
	postfix -c "$I/etc" start >"$I/pf.start" 2>&1 || { cat "$I/pf.start"; return 1; }
}

# smtp_stop: stop the instance (for a restart with other parameters)
smtp_stop() {
	if [ "$SMTP_PEER" = postfix ]; then
		postfix -c "$I/etc" stop >/dev/null 2>&1 || true
		wait_for not port_open "$PORT"
	else
		mta-start stop >/dev/null 2>&1 || true
	fi
}

smtp_teardown() {
	smtp_stop
	[ -n "${SINKPID:-}" ] && kill "$SINKPID" 2>/dev/null
	[ -n "${DNSPID:-}" ] && kill "$DNSPID" 2>/dev/null
	wait 2>/dev/null || true
	# no daemon crashed on the way
	if [ -f "$I/maillog" ]; then
		not grep -E "killed by signal|exit status|panic|fatal" "$I/maillog"
	fi
	teardown_scratch
}

# show: the log and the last output, printed by bats when a test fails
show() {
	echo "output: ${output:-}"
	echo "--- maillog"
	cat "$I/maillog" 2>/dev/null || true
}

# start_sink: an smtp-sink on 127.0.0.1:$SINKPORT writing every message it
# takes to $I/sink/dump
start_sink() {
	need_peer smtp-sink
	smtp-sink -u nobody -D "$I/sink/dump" "127.0.0.1:$SINKPORT" 256 \
		>"$I/sink.out" 2>&1 &
	SINKPID=$!
	wait_for port_open "$SINKPORT"
}

# sink_count: how many messages the sink took
sink_count() {
	grep -c '^X-Client-Addr:' "$I/sink/dump" 2>/dev/null || echo 0
}

# sink_has N: the sink took at least N messages
sink_has() {
	[ "$(sink_count)" -ge "$1" ]
}

# start_dns ARG...: dnsmasq on 127.0.0.1:$DNSPORT with the records given
# as its options (--host-record=..., --txt-record=...); it answers only
# for what it is told and forwards nothing
start_dns() {
	[ "$SMTP_PEER" = postfix ] && skip "Postfix cannot be pointed at a test resolver"
	need_peer dnsmasq
	dnsmasq --no-daemon --no-resolv --no-hosts --conf-file=/dev/null \
		--port="$DNSPORT" --listen-address=127.0.0.1 --bind-interfaces \
		--pid-file= --log-facility="$I/dnsmasq.log" --local=/test/ \
		"$@" >/dev/null 2>&1 &
	DNSPID=$!
	wait_for dns_up
}

# dns_up: dnsmasq answers on $DNSPORT (a query for a name in .test)
dns_up() {
	python3 - "$DNSPORT" <<-'PY'
		import socket, struct, sys
		q = struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0)
		q += b"".join(bytes([len(p)]) + p for p in [b"up", b"test"]) + b"\0"
		q += struct.pack(">HH", 1, 1)
		s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.3)
		try:
		    s.sendto(q, ("127.0.0.1", int(sys.argv[1])))
		    sys.exit(0 if s.recv(512)[:2] == b"\x12\x34" else 1)
		except OSError:
		    sys.exit(1)
	PY
}

# smtpc ARG...: the raw client (t/system/smtpc.py) against our smtpd
smtpc() {
	$SMTPC -p "$PORT" "$@"
}

# queued: how many messages went into the queue so far: the queue ids qmgr
# has taken ("ID: from=<...>, size=..."). Not smtpd's "ID: client=" lines:
# those come with the first accepted recipient, before DATA can still fail.
queued() {
	grep -oE "qmgr\[[0-9]+\]: [0-9A-Za-z]+: from=<" "$I/maillog" |
		sort -u | wc -l
}

# mbox_count USER: how many messages Python's mailbox module reads in the
# user's mailbox
mbox_count() {
	python3 -c 'import mailbox, sys; print(len(mailbox.mbox(sys.argv[1])))' \
		"$I/mail/$1" 2>/dev/null || echo 0
}

# mbox_has USER N: at least N messages in the user's mailbox
mbox_has() {
	[ "$(mbox_count "$1")" -ge "$2" ]
}

# queue_empty: no message left in the queue
queue_empty() {
	[ -z "$(find "$I/spool/incoming" "$I/spool/active" "$I/spool/deferred" \
		"$I/spool/maildrop" "$I/spool/hold" -type f 2>/dev/null)" ]
}
