#!/usr/bin/env bats
# mta-chroot-setup on a scratch queue directory, as any user: options and
# exit statuses, --dry-run, --check (missing, stale, complete, --json),
# the queue directory's sources (--queue-dir, MTA_QUEUE_DIR, POSTFIX_DIR,
# main.cf), idempotence, and the master.cf edit. t/system/chroot.bats
# runs daemons in the jail (as root).

load helpers

setup() {
	setup_scratch
	Q=$SCRATCH/q
	mkdir -p "$Q"
	unset MTA_QUEUE_DIR POSTFIX_DIR
	echo "queue_directory = $Q" >"$SCRATCH/etc/main.cf"
	cat >"$SCRATCH/etc/master.cf" <<-'EOF'
		# a comment that stays
		smtp      inet  n       -       n       -       -       smtpd
		   -o smtpd_banner=hi
		pickup    fifo  n       -       -       60      1       pickup

		qmgr      fifo  n       -       y       300     1       qmgr
		local     unix  -       n       n       -       -       local
		# the columns of this one go on over lines
		relay     unix  -       -
		  # a comment inside
		  n       -       -       smtp
		mailman   unix  -       n       n       -       -       pipe
		  flags=FR user=list argv=/bin/true
		virtual   unix  -       n       -       -       -       virtual
	EOF
	chmod 640 "$SCRATCH/etc/master.cf"
}

teardown() {
	teardown_scratch
}

# jail_files: the files mta-chroot-setup made, one a line
jail_files() {
	(cd "$Q" && find . -type f | sort)
}

@test "mta-chroot-setup --help, --version" {
	run mta-chroot-setup --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--dry-run"* && "$output" == *"--check"* ]]
	[[ "$output" == *"--master-cf=FILE"* && "$output" == *"--queue-dir=DIR"* ]]
	run mta-chroot-setup --version
	[ "$status" -eq 0 ]
	[[ "$output" == *"mta-chroot-setup"* ]]
}

@test "mta-chroot-setup: usage errors exit 64" {
	run mta-chroot-setup --bogus
	[ "$status" -eq 64 ]
	[[ "$output" == "mta-chroot-setup: error: --bogus: "* ]]
	run mta-chroot-setup extra
	[ "$status" -eq 64 ]
	[[ "$output" == *"extra: no operands are taken"* ]]
	run mta-chroot-setup --check --dry-run
	[ "$status" -eq 64 ]
	run mta-chroot-setup --json
	[ "$status" -eq 64 ]
	[ ! -e "$Q/etc" ]
}

@test "mta-chroot-setup: no queue directory exits 66, a relative one 78" {
	run mta-chroot-setup --queue-dir "$SCRATCH/none"
	[ "$status" -eq 66 ]
	[[ "$output" == "mta-chroot-setup: error: queue_directory $SCRATCH/none: No such file or directory"* ]]
	run mta-chroot-setup --check --queue-dir "$SCRATCH/none"
	[ "$status" -eq 66 ]
	echo "queue_directory = spool" >"$SCRATCH/etc/main.cf"
	run mta-chroot-setup --check
	[ "$status" -eq 78 ]
	[[ "$output" == *'queue_directory "spool": not an absolute path'* ]]
}

@test "mta-chroot-setup --check: an empty jail lacks every file (exit 1), one a line" {
	run mta-chroot-setup --check
	[ "$status" -eq 1 ]
	[[ "$output" == *"mta-chroot-setup: etc/resolv.conf missing in $Q"* ]]
	[[ "$output" == *"mta-chroot-setup: etc/localtime missing in $Q"* ]]
	[[ "$output" == *"mta-chroot-setup: etc/services missing in $Q"* ]]
	[[ "$output" =~ lib/[^\ ]*/?libnss_files\.so\.2\ missing ]]
	[[ "$output" != *"etc/passwd"* ]]
	[ "$(jail_files)" = "" ]
}

@test "mta-chroot-setup --dry-run: says what it would do, changes nothing" {
	cp -p "$SCRATCH/etc/master.cf" "$SCRATCH/master.cf.orig"
	run mta-chroot-setup --dry-run
	[ "$status" -eq 0 ]
	[[ "$output" == *"would copy /etc/services to $Q/etc/services (missing)"* ]]
	[[ "$output" == *"would set the chroot column of smtp/inet to y ($SCRATCH/etc/master.cf, line 2)"* ]]
	[[ "$output" == *"of pickup/fifo to y"* && "$output" == *"of relay/unix to y"* ]]
	[[ "$output" != *"qmgr/fifo"* && "$output" != *"local/unix"* ]]
	[[ "$output" != *"mailman/unix"* && "$output" != *"virtual/unix"* ]]
	[ "$(find "$Q" -mindepth 1)" = "" ]
	cmp "$SCRATCH/etc/master.cf" "$SCRATCH/master.cf.orig"
}

@test "mta-chroot-setup: builds the jail; --check passes; a second run changes nothing" {
	run mta-chroot-setup
	[ "$status" -eq 0 ] && [ -z "$output" ]
	for f in localtime services hosts resolv.conf nsswitch.conf host.conf; do
		[ ! -e "/etc/$f" ] || cmp "/etc/$f" "$Q/etc/$f"
	done
	lib=$(find "$Q/lib" -name libnss_files.so.2)
	cmp "${lib#"$Q"}" "$lib"
	[ "$(stat -c %a "$Q/etc/services")" = "$(stat -L -c %a /etc/services)" ]
	run mta-chroot-setup --check
	[ "$status" -eq 0 ] && [ -z "$output" ]
	before=$(find "$Q" "$SCRATCH/etc/master.cf" -printf '%p %i %m %T@\n' | sort)
	run mta-chroot-setup -v
	[ "$status" -eq 0 ] && [ -z "$output" ]
	[ "$(find "$Q" "$SCRATCH/etc/master.cf" -printf '%p %i %m %T@\n' | sort)" = "$before" ]
}

@test "mta-chroot-setup: the chroot column becomes y for all but local, pipe and virtual; the rest of master.cf is kept" {
	run mta-chroot-setup
	[ "$status" -eq 0 ]
	diff - "$SCRATCH/etc/master.cf" <<-'EOF'
		# a comment that stays
		smtp      inet  n       -       y       -       -       smtpd
		   -o smtpd_banner=hi
		pickup    fifo  n       -       y       60      1       pickup

		qmgr      fifo  n       -       y       300     1       qmgr
		local     unix  -       n       n       -       -       local
		# the columns of this one go on over lines
		relay     unix  -       -
		  # a comment inside
		  y       -       -       smtp
		mailman   unix  -       n       n       -       -       pipe
		  flags=FR user=list argv=/bin/true
		virtual   unix  -       n       -       -       -       virtual
	EOF
	[ "$(stat -c %a "$SCRATCH/etc/master.cf")" = 640 ]
	# what mta-conf -M reads from it
	run mta-conf -M relay/unix
	[[ "$output" == *"relay"*"unix"*"-"*"-"*"y"*"smtp"* ]]
}

@test "mta-chroot-setup --master-cf FILE: that file is edited; a missing one exits 66, a broken one 78" {
	grep -v '^ *#\|^$' "$SCRATCH/etc/master.cf" | head -2 >"$SCRATCH/other.cf"
	cp "$SCRATCH/etc/master.cf" "$SCRATCH/master.cf.orig"
	run mta-chroot-setup --master-cf "$SCRATCH/other.cf"
	[ "$status" -eq 0 ]
	grep -q '^smtp      inet  n       -       y ' "$SCRATCH/other.cf"
	cmp "$SCRATCH/etc/master.cf" "$SCRATCH/master.cf.orig"
	run mta-chroot-setup --master-cf "$SCRATCH/none.cf"
	[ "$status" -eq 66 ]
	[[ "$output" == *"$SCRATCH/none.cf: no such file"* ]]
	printf 'smtp inet n - n - - smtpd\nbad line\n' >"$SCRATCH/bad.cf"
	cp "$SCRATCH/bad.cf" "$SCRATCH/bad.orig"
	run mta-chroot-setup --master-cf "$SCRATCH/bad.cf"
	[ "$status" -eq 78 ]
	[[ "$output" == *"$SCRATCH/bad.cf, line 2: "* ]]
	cmp "$SCRATCH/bad.cf" "$SCRATCH/bad.orig"
}

@test "mta-chroot-setup: no master.cf in the configuration directory is a warning only" {
	rm "$SCRATCH/etc/master.cf"
	run mta-chroot-setup
	[ "$status" -eq 0 ]
	[[ "$output" == "mta-chroot-setup: warning: $SCRATCH/etc/master.cf: no such file"* ]]
	[ -f "$Q/etc/services" ]
}

@test "mta-chroot-setup --check: a stale copy, a symbolic link, a bad mode are found (exit 1) and repaired" {
	mta-chroot-setup
	echo "# changed" >>"$Q/etc/hosts"
	echo secret >"$SCRATCH/target"
	rm "$Q/etc/services" && ln -s "$SCRATCH/target" "$Q/etc/services"
	chmod 666 "$Q/etc/host.conf"
	run mta-chroot-setup --check
	[ "$status" -eq 1 ]
	[[ "$output" == *"etc/hosts stale in $Q: differs from /etc/hosts"* ]]
	[[ "$output" == *"etc/services stale in $Q: a symbolic link"* ]]
	[[ "$output" == *"etc/host.conf stale in $Q: mode 0666, not 0"* ]]
	[ "$(echo "$output" | wc -l)" -eq 3 ]
	run mta-chroot-setup
	[ "$status" -eq 0 ]
	[ ! -L "$Q/etc/services" ] && cmp /etc/services "$Q/etc/services"
	[ "$(cat "$SCRATCH/target")" = secret ]
	cmp /etc/hosts "$Q/etc/hosts"
	run mta-chroot-setup --check
	[ "$status" -eq 0 ]
}

@test "mta-chroot-setup --check --json: one object per finding" {
	mta-chroot-setup
	rm "$Q/etc/resolv.conf"
	run mta-chroot-setup --check --json
	[ "$status" -eq 1 ]
	[ "$output" = "{\"queue_directory\":\"$Q\",\"file\":\"etc/resolv.conf\",\"host\":\"/etc/resolv.conf\",\"state\":\"missing\",\"why\":\"\"}" ]
	echo "$output" | python3 -c 'import json, sys; [json.loads(l) for l in sys.stdin]'
}

@test "mta-chroot-setup: a copy that cannot be made exits 73, naming the file" {
	touch "$Q/etc"	# a file where the directory must go
	run mta-chroot-setup --master-cf /dev/null
	[ "$status" -eq 73 ]
	[[ "$output" == *"mta-chroot-setup: error: cannot copy /etc/services into $Q: etc/services: "* ]]
}

@test "mta-chroot-setup: the jail is --queue-dir, else MTA_QUEUE_DIR, else POSTFIX_DIR (with a note), else queue_directory" {
	mkdir "$SCRATCH/a" "$SCRATCH/b" "$SCRATCH/c"
	MTA_QUEUE_DIR=$SCRATCH/a run mta-chroot-setup --queue-dir "$SCRATCH/b" --master-cf /dev/null
	[ "$status" -eq 0 ]
	[ -f "$SCRATCH/b/etc/services" ] && [ ! -e "$SCRATCH/a/etc" ]
	MTA_QUEUE_DIR=$SCRATCH/a POSTFIX_DIR=$SCRATCH/c run mta-chroot-setup --master-cf /dev/null
	[ "$status" -eq 0 ] && [ -z "$output" ]
	[ -f "$SCRATCH/a/etc/services" ] && [ ! -e "$SCRATCH/c/etc" ]
	POSTFIX_DIR=$SCRATCH/c run mta-chroot-setup --master-cf /dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "mta-chroot-setup: note: POSTFIX_DIR is the seed's name; MTA_QUEUE_DIR is ours" ]
	[ -f "$SCRATCH/c/etc/services" ] && [ ! -e "$Q/etc" ]
}
