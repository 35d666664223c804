#!/usr/bin/env bats
# make install from share/mta/manifest: into a DESTDIR, every path of the
# manifest with its mode, no sendmail link without install-links, an edited
# main.cf kept and a second install changing nothing; as root, into a
# temporary PREFIX, SYSCONFDIR and QUEUE_DIR with users of the test's own:
# the owners, and `mta-start check` passing on the result and failing on a
# wrong mode or owner, or where a daemon would run as root.

load ../cli/helpers

setup() {
	setup_scratch
	T=$SCRATCH
	chmod 755 "$T"
	MANIFEST=$MTA_TOP/share/mta/manifest
	MTAUSER= MTAGROUP=
}

teardown() {
	if [ -n "$MTAUSER" ]; then
		userdel "$MTAUSER" >/dev/null 2>&1 || true
		groupdel "$MTAUSER" >/dev/null 2>&1 || true
		groupdel "$MTAGROUP" >/dev/null 2>&1 || true
	fi
	teardown_scratch
}

need_root() {
	[ "$(id -u)" = 0 ] || skip "needs root: $1"
}

# inst TARGET VAR=VALUE...: make TARGET from the build tree under test (a
# SANITIZE=1 one is BUILD-sanitize: anything rebuilt keeps its flags)
inst() {
	local build=(BUILD="$MTA_BUILD")
	case $MTA_BUILD in
	*-sanitize) build=(BUILD="${MTA_BUILD%-sanitize}" SANITIZE=1) ;;
	esac
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		make -s --no-print-directory -C "$MTA_TOP" "${build[@]}" "$@"
}

# expand PATH PREFIX SYSCONFDIR QUEUE_DIR: a manifest path made real
expand() {
	local var=${1%%/*} rest=${1#"${1%%/*}"}
	case $var in
	'$bindir') echo "$2/bin$rest" ;;
	'$command_directory') echo "$2/sbin$rest" ;;
	'$daemon_directory') echo "$2/libexec/mta$rest" ;;
	'$config_directory') echo "$3$rest" ;;
	'$queue_directory') echo "$4$rest" ;;
	'$manpage_directory') echo "$2/share/man$rest" ;;
	'$meta_directory') echo "$2/share/mta$rest" ;;
	*) echo "unknown variable $var" >&2; return 1 ;;
	esac
}

# manifest: its lines without comments, one "path type owner group mode"
manifest() {
	grep -v -e '^#' -e '^[[:space:]]*$' "$MANIFEST"
}

# snapshot DIR: every path under DIR with what an install could change
snapshot() {
	find "$1" -printf '%p %M %u %g %s %T@ %C@ %l\n' | sort
}

# root_names: the names and places of root_install, in the test's shell
# (so that teardown removes the users even when root_install ran under run)
root_names() {
	MTAUSER=mtatest$$
	MTAGROUP=mtadroptest$$
	P=$T/usr C=$T/etc/mta Q=$T/spool
}

# root_install: make install as root into $T with users of the test's own
root_install() {
	root_names
	inst install PREFIX="$P" SYSCONFDIR="$C" QUEUE_DIR="$Q" \
		MAIL_OWNER="$MTAUSER" SETGID_GROUP="$MTAGROUP"
}

@test "install DESTDIR=: every path of the manifest, with its mode" {
	inst install DESTDIR="$T/d" PREFIX=/usr MAIL_OWNER="$(id -un)" \
		SETGID_GROUP="$(id -gn)"
	n=0
	while read -r path type owner group mode source; do
		p=$T/d$(expand "$path" /usr /etc/mta /var/spool/mta)
		if [ "$type" = l ]; then
			not test -L "$p" || { echo "$p: a link without install-links"; return 1; }
			continue
		fi
		[ -e "$p" ] || { echo "$p is missing"; return 1; }
		want=$(printf '%o' "0$mode")
		# Without root no file can be given its group: no set-gid bit.
		if [ "$(id -u)" != 0 ] && [ "$type" = p ] && [ "$want" -ge 2000 ]; then
			want=$(printf '%o' "$((0$mode & 01777))")
		fi
		[ "$(stat -c %a "$p")" = "$want" ] ||
			{ echo "$p: mode $(stat -c %a "$p"), manifest $mode"; return 1; }
		n=$((n + 1))
	done < <(manifest)
	[ "$n" -gt 40 ]
	[ "$(stat -c %a "$T/d/var/spool/mta/maildrop")" = 1730 ]
	[ "$(stat -c %a "$T/d/var/spool/mta/public")" = 2710 ]
	# main.cf names where things went, and is a main.cf mta-conf reads
	grep -qx "daemon_directory = /usr/libexec/mta" "$T/d/etc/mta/main.cf"
	grep -qx "command_directory = /usr/sbin" "$T/d/etc/mta/main.cf"
	grep -qx "queue_directory = /var/spool/mta" "$T/d/etc/mta/main.cf"
	grep -qx "config_directory = /etc/mta" "$T/d/etc/mta/main.cf"
	run mta-conf -c "$T/d/etc/mta" -h daemon_directory
	[ "$output" = /usr/libexec/mta ]
}

@test "install: every program built and every man page is in the manifest" {
	for d in "$MTA_BUILD"/bin/* "$MTA_BUILD"/sbin/*; do
		rel=${d#"$MTA_BUILD"/}/${d##*/}
		manifest | grep -qE "[[:space:]]p[[:space:]].*[[:space:]]$rel\$" ||
			{ echo "$rel is not in the manifest"; return 1; }
	done
	for f in "$MTA_TOP"/share/man/man?/*.[0-9]; do
		rel=${f#"$MTA_TOP"/}
		manifest | grep -qE "[[:space:]]f[[:space:]].*[[:space:]]$rel\$" ||
			{ echo "$rel is not in the manifest"; return 1; }
	done
	# every daemon master.cf runs goes into daemon_directory
	for c in $(grep -v '^#' "$MTA_TOP/etc/master.cf" | awk 'NF >= 8 { print $8 }'); do
		manifest | grep -q "^\$daemon_directory/$c[[:space:]]" ||
			{ echo "$c is not in daemon_directory"; return 1; }
	done
}

@test "install: no sendmail, mailq, newaliases without install-links" {
	inst install DESTDIR="$T/d" PREFIX=/usr
	not test -L "$T/d/usr/sbin/sendmail"
	not test -e "$T/d/usr/sbin/sendmail"
	not test -L "$T/d/usr/bin/mailq"
	not test -L "$T/d/usr/bin/newaliases"
	inst install-links DESTDIR="$T/d" PREFIX=/usr
	[ "$(readlink "$T/d/usr/sbin/sendmail")" = /usr/bin/mta-sendmail ]
	[ "$(readlink "$T/d/usr/bin/mailq")" = /usr/bin/mta-sendmail ]
	[ "$(readlink "$T/d/usr/bin/newaliases")" = /usr/bin/mta-sendmail ]
	# another mail system's command is not replaced by surprise
	rm "$T/d/usr/bin/mailq"
	echo "another MTA" >"$T/d/usr/bin/mailq"
	run inst install-links DESTDIR="$T/d" PREFIX=/usr
	[ "$status" -ne 0 ]
	[[ "$output" == *"install: error: $T/d/usr/bin/mailq exists"*"FORCE=1"* ]]
	[ "$(cat "$T/d/usr/bin/mailq")" = "another MTA" ]
	inst install-links DESTDIR="$T/d" PREFIX=/usr FORCE=1
	[ "$(readlink "$T/d/usr/bin/mailq")" = /usr/bin/mta-sendmail ]
}

@test "install twice: nothing changes; an edited main.cf stays, the new one beside it" {
	inst install-links DESTDIR="$T/d" PREFIX=/usr
	snapshot "$T/d" >"$T/before"
	run inst install-links DESTDIR="$T/d" PREFIX=/usr
	[ "$status" -eq 0 ]
	snapshot "$T/d" >"$T/after"
	diff "$T/before" "$T/after"
	# the administrator's main.cf is never overwritten
	echo "myhostname = edited.example" >>"$T/d/etc/mta/main.cf"
	cp "$T/d/etc/mta/main.cf" "$T/mine"
	run inst install DESTDIR="$T/d" PREFIX=/usr
	[ "$status" -eq 0 ]
	[[ "$output" == *"$T/d/etc/mta/main.cf is yours and stays; the new default is $T/d/etc/mta/main.cf.new"* ]]
	cmp "$T/mine" "$T/d/etc/mta/main.cf"
	grep -qx "daemon_directory = /usr/libexec/mta" "$T/d/etc/mta/main.cf.new"
	not grep -q edited "$T/d/etc/mta/main.cf.new"
	# and once main.cf.new is there, a further install is quiet about it
	snapshot "$T/d" >"$T/before"
	run inst install DESTDIR="$T/d" PREFIX=/usr
	[ "$status" -eq 0 ]
	[[ "$output" != *"main.cf.new"* ]]
	snapshot "$T/d" >"$T/after"
	diff "$T/before" "$T/after"
}

@test "install DESTDIR=: a set-gid program whose group does not exist loses the bit, and says so" {
	need_root "chgrp to a group that exists"
	run inst install DESTDIR="$T/d" PREFIX=/usr SETGID_GROUP=nosuchgroup$$
	[ "$status" -eq 0 ]
	[[ "$output" == *"not created here: the package must create them"* ]]
	[[ "$output" == *"no such user or group here:"*"nosuchgroup$$"* ]]
	[[ "$output" == *"mta-postdrop: installed without its set-gid bit"* ]]
	[ "$(stat -c %a "$T/d/usr/sbin/mta-postdrop")" = 755 ]
	not getent group nosuchgroup$$
}

@test "install as root: users created, owners and modes of the manifest, mta-start check passes" {
	need_root "creates users and sets owners"
	root_names
	run root_install
	[ "$status" -eq 0 ]
	[[ "$output" == *"created the user $MTAUSER"* ]]
	id "$MTAUSER"
	getent group "$MTAGROUP"
	[ "$(getent passwd "$MTAUSER" | cut -d: -f7)" = /usr/sbin/nologin ]
	while read -r path type owner group mode source; do
		[ "$type" = l ] && continue
		p=$(expand "$path" "$P" "$C" "$Q")
		case $owner in '$mail_owner') o=$MTAUSER ;; root) o=root ;; *) o= ;; esac
		case $group in '$setgid_group') g=$MTAGROUP ;; root) g=root ;; *) g= ;; esac
		[ -z "$o" ] || [ "$(stat -c %U "$p")" = "$o" ] ||
			{ echo "$p: owner $(stat -c %U "$p"), manifest $o"; return 1; }
		[ -z "$g" ] || [ "$(stat -c %G "$p")" = "$g" ] ||
			{ echo "$p: group $(stat -c %G "$p"), manifest $g"; return 1; }
		[ "$(stat -c %a "$p")" = "$(printf '%o' "0$mode")" ] ||
			{ echo "$p: mode $(stat -c %a "$p"), manifest $mode"; return 1; }
	done < <(manifest)
	[ "$(stat -c '%U:%G %a' "$P/sbin/mta-postdrop")" = "root:$MTAGROUP 2755" ]
	[ "$(stat -c '%U:%G %a' "$Q/maildrop")" = "$MTAUSER:$MTAGROUP 1730" ]
	# the installed mta-start finds the installed manifest and is content
	run "$P/sbin/mta-start" -c "$C" check
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *error* ]]
	# a second install as root changes nothing
	mkdir "$T/snap"
	snapshot "$T/usr" >"$T/snap/before"
	snapshot "$T/etc" >>"$T/snap/before"
	snapshot "$T/spool" >>"$T/snap/before"
	run root_install
	[ "$status" -eq 0 ]
	[[ "$output" != *created* ]]
	snapshot "$T/usr" >"$T/snap/after"
	snapshot "$T/etc" >>"$T/snap/after"
	snapshot "$T/spool" >>"$T/snap/after"
	diff "$T/snap/before" "$T/snap/after"
}

@test "mta-start check: a spool directory with the wrong mode or owner fails, naming it" {
	need_root "sets owners"
	root_install
	"$P/sbin/mta-start" -c "$C" check
	chmod 0755 "$Q/maildrop"
	run "$P/sbin/mta-start" -c "$C" check
	[ "$status" -eq 78 ]
	[[ "$output" == *"mta-start: error: $Q/maildrop: mode is 0755, should be 1730"* ]]
	chmod 1730 "$Q/maildrop"
	chown root "$Q/incoming"
	run "$P/sbin/mta-start" -c "$C" check
	[ "$status" -eq 78 ]
	[[ "$output" == *"mta-start: error: $Q/incoming: owner is root, should be $MTAUSER"* ]]
	chown "$MTAUSER" "$Q/incoming"
	chgrp root "$Q/public"
	run "$P/sbin/mta-start" -c "$C" check
	[ "$status" -eq 78 ]
	[[ "$output" == *"$Q/public: group is root, should be $MTAGROUP"* ]]
	chgrp "$MTAGROUP" "$Q/public"
	chmod 2710 "$Q/public"	# chgrp cleared the set-gid bit
	rmdir "$Q/hold"
	run "$P/sbin/mta-start" -c "$C" check
	[ "$status" -eq 78 ]
	[[ "$output" == *"$Q/hold: No such file or directory"* ]]
	# install puts it back
	root_install
	"$P/sbin/mta-start" -c "$C" check
}

@test "mta-start check: unpriv y with mail_owner root is an error; unpriv n a warning" {
	need_root "only root runs daemons as another user"
	root_install
	# a service other than local that master.cf runs as root: a warning
	sed -i 's/^qmgr\( *fifo *n *\)-/qmgr\1n/' "$C/master.cf"
	grep -q '^qmgr *fifo *n *n' "$C/master.cf"
	run "$P/sbin/mta-start" -c "$C" check
	[ "$status" -eq 0 ]
	[[ "$output" == *"warning: $C/master.cf, line "*": service qmgr (qmgr) runs as root (unpriv n)"* ]]
	[[ "$output" != *"service local"* ]]
	# unprivileged services, and mail_owner root: they would run as root
	"$P/bin/mta-conf" -c "$C" -e mail_owner=root
	run "$P/sbin/mta-start" -c "$C" check
	[ "$status" -eq 78 ]
	[[ "$output" == *"error: $C/master.cf, line "*": service pickup: unpriv is y but mail_owner root is root: it would run as root"* ]]
	# a mail_owner that does not exist cannot run them either
	"$P/bin/mta-conf" -c "$C" -e mail_owner=nosuchuser$$
	run "$P/sbin/mta-start" -c "$C" check
	[ "$status" -eq 78 ]
	[[ "$output" == *"service pickup: unpriv is y but mail_owner nosuchuser$$ does not exist"* ]]
}

@test "mta-start: without its manifest it refuses to check or start, and says where it looked" {
	mkdir -p "$T/x/sbin" "$T/q"
	cp "$MTA_BUILD/sbin/mta-start/mta-start" "$T/x/sbin/"
	printf 'queue_directory = %s\n' "$T/q" >"$T/etc/main.cf"
	: >"$T/etc/master.cf"
	run "$T/x/sbin/mta-start" check
	[ "$status" -eq 78 ]
	[[ "$output" == *"mta-start: error: cannot find the manifest ($T/x/sbin/../share/mta/manifest or "*"): reinstall (make install)"* ]]
	run "$T/x/sbin/mta-start" start
	[ "$status" -eq 78 ]
	[[ "$output" == *"cannot find the manifest"* ]]
	[ ! -e "$T/q/pid" ]
}

@test "mta-start as a user: the spool is that user's, its modes kept to it; check follows" {
	mkdir -p "$T/libexec" "$T/q"
	ln -s "$MTA_BUILD/libexec/mta/master" "$T/libexec/master"
	printf 'queue_directory = %s\ndaemon_directory = %s\n' "$T/q" \
		"$T/libexec" >"$T/etc/main.cf"
	: >"$T/etc/master.cf"
	chmod 755 "$T/etc"
	chmod 644 "$T/etc/main.cf" "$T/etc/master.cf"
	as=
	if [ "$(id -u)" = 0 ]; then
		chown nobody "$T/q"
		as="setpriv --reuid=nobody --regid=nogroup --clear-groups"
	fi
	u=$(stat -c %U "$T/q")
	$as mta-start start
	$as mta-start stop
	[ "$(stat -c '%U %a' "$T/q/maildrop")" = "$u 1700" ]
	[ "$(stat -c '%U %a' "$T/q/public")" = "$u 2700" ]
	[ "$(stat -c '%U %a' "$T/q/pid")" = "$u 700" ]
	# whoever checks it: a spool root does not own is its owner's instance
	run mta-start check
	[ "$status" -eq 0 ]
	chmod 0600 "$T/q/incoming"
	run mta-start check
	[ "$status" -eq 78 ]
	[[ "$output" == *"$T/q/incoming: mode is 0600, should be 0700"* ]]
}
