#!/bin/sh
# install.sh - what `make install` does: put every line of share/mta/manifest
# in place under DESTDIR with its owner and mode, after making the users
# (mail_owner, setgid_group) when root and not DESTDIR. Running it twice
# changes nothing the second time: a file that is already right is not
# touched, and a configuration file that differs is never overwritten.
#
#	sh share/mta/install.sh [--links]
#
# --links also makes the manifest's "l" lines (sendmail, mailq, newaliases);
# an existing file there that is not already our link is left alone unless
# FORCE=1. The Makefile passes, in the environment: TOP (the source tree),
# BUILD (the build tree), DESTDIR, PREFIX, SYSCONFDIR, QUEUE_DIR, MAIL_OWNER,
# SETGID_GROUP.
# The manifest's $names are text here, hence single quotes:
# shellcheck disable=SC2016
set -eu

prog="install"
links=false
[ "${1:-}" = --links ] && links=true

: "${TOP:?}" "${BUILD:?}" "${PREFIX:?}" "${SYSCONFDIR:?}" "${QUEUE_DIR:?}"
: "${DESTDIR:=}" "${MAIL_OWNER:=mta}" "${SETGID_GROUP:=mtadrop}" "${FORCE:=}"
manifest=$TOP/share/mta/manifest
uid=$(id -u)
unset_ids=""	# names that do not exist here: owners not set
stripped=""	# set-gid programs installed without the bit

die() {
	echo "$prog: error: $*" >&2
	exit 1
}

note() {
	echo "$prog: $*"
}

# expand PATH: the manifest's $variable at the start replaced by its value
expand() {
	var=${1%%/*}
	rest=${1#"$var"}
	case $var in
	'$bindir') base=$PREFIX/bin ;;
	'$command_directory') base=$PREFIX/sbin ;;
	'$daemon_directory') base=$PREFIX/libexec/mta ;;
	'$config_directory') base=$SYSCONFDIR ;;
	'$queue_directory') base=$QUEUE_DIR ;;
	'$manpage_directory') base=$PREFIX/share/man ;;
	'$meta_directory') base=$PREFIX/share/mta ;;
	*) die "$manifest: $1: unknown directory variable $var" ;;
	esac
	printf '%s%s\n' "$base" "$rest"
}

# id_name NAME: the manifest's owner or group as a name; empty for "-"
id_name() {
	case $1 in
	-) ;;
	'$mail_owner') echo "$MAIL_OWNER" ;;
	'$setgid_group') echo "$SETGID_GROUP" ;;
	root) echo root ;;
	*) die "$manifest: $1: unknown owner or group" ;;
	esac
}

# remember_unset NAME: a user or group that could not be given a path
remember_unset() {
	case " $unset_ids " in
	*" $1 "*) ;;
	*) unset_ids="$unset_ids $1" ;;
	esac
}

# nologin: the shell of a user nobody logs in as
nologin() {
	for sh in /usr/sbin/nologin /sbin/nologin /bin/false; do
		[ -x "$sh" ] && { echo "$sh"; return; }
	done
	echo /bin/false
}

# make_users: mail_owner (with a group of its name) and setgid_group
make_users() {
	if [ -n "$DESTDIR" ]; then
		note "DESTDIR install: the user $MAIL_OWNER and the group" \
			"$SETGID_GROUP are not created here: the package must" \
			"create them (see INSTALL)"
		return
	fi
	if [ "$uid" != 0 ]; then
		note "not root: the user $MAIL_OWNER and the group" \
			"$SETGID_GROUP are not created (see INSTALL)"
		return
	fi
	if ! getent group "$SETGID_GROUP" >/dev/null; then
		groupadd --system "$SETGID_GROUP" ||
			die "groupadd $SETGID_GROUP failed"
		note "created the group $SETGID_GROUP"
	fi
	getent passwd "$MAIL_OWNER" >/dev/null && return
	if ! getent group "$MAIL_OWNER" >/dev/null; then
		groupadd --system "$MAIL_OWNER" ||
			die "groupadd $MAIL_OWNER failed"
	fi
	useradd --system --no-create-home --home-dir "$QUEUE_DIR" \
		--shell "$(nologin)" --gid "$MAIL_OWNER" "$MAIL_OWNER" ||
		die "useradd $MAIL_OWNER failed"
	note "created the user $MAIL_OWNER"
}

# set_owner PATH OWNER GROUP: chown when needed; fails when it cannot be
# done here (not root, or a user or group that does not exist)
set_owner() {
	o=$(id_name "$2")
	g=$(id_name "$3")
	[ -z "$o$g" ] && return 0
	now=$(stat -c '%U:%G' "$1")
	[ "${now%%:*}" = "${o:-${now%%:*}}" ] &&
		[ "${now#*:}" = "${g:-${now#*:}}" ] && return 0
	[ "$uid" = 0 ] || return 1
	if [ -n "$o" ] && ! getent passwd "$o" >/dev/null; then
		remember_unset "$o"
		return 1
	fi
	if [ -n "$g" ] && ! getent group "$g" >/dev/null; then
		remember_unset "$g"
		return 1
	fi
	chown "$o${g:+:$g}" "$1"
}

# set_mode PATH MODE OWNED: chmod when needed; a regular file whose owner
# could not be set (OWNED false) loses its set-uid and set-gid bits
set_mode() {
	want=$(printf '%o' "0$2")
	if [ "$3" = false ] && [ -f "$1" ] && [ "$want" -ge 2000 ]; then
		want=$(printf '%o' "$((0$2 & 01777))")
		stripped="$stripped $1"
	fi
	[ "$(stat -c '%a' "$1")" = "$want" ] || chmod "$want" "$1"
}

# attrs PATH OWNER GROUP MODE: owner first, since chown clears set-gid bits
attrs() {
	if set_owner "$1" "$2" "$3"; then
		set_mode "$1" "$4" true
	else
		set_mode "$1" "$4" false
	fi
}

# cannot PATH: die saying how to install where one may write
cannot() {
	die "cannot create $1: install as root, or into directories you" \
		"may write (DESTDIR=, or PREFIX=, SYSCONFDIR=, QUEUE_DIR=)"
}

# put_file SRC DST: DST becomes a copy of SRC, replaced in one rename
put_file() {
	[ -f "$2" ] && cmp -s "$1" "$2" && return 0
	mkdir -p "$(dirname "$2")" 2>/dev/null || cannot "$(dirname "$2")"
	cp "$1" "$2.new-$$" 2>/dev/null || cannot "$2"
	mv -f "$2.new-$$" "$2"
}

# edited_main_cf SRC OUT: SRC with the directories of this install
edited_main_cf() {
	dir=$(mktemp -d "${TMPDIR:-/tmp}/mta-install.XXXXXX")
	cp "$1" "$dir/main.cf"
	"$BUILD/bin/mta-conf/mta-conf" -c "$dir" -e \
		"config_directory=$SYSCONFDIR" \
		"queue_directory=$QUEUE_DIR" \
		"command_directory=$PREFIX/sbin" \
		"daemon_directory=$PREFIX/libexec/mta" \
		"mail_owner=$MAIL_OWNER" \
		"setgid_group=$SETGID_GROUP" ||
		{ rm -rf "$dir"; die "cannot set the directories in main.cf"; }
	cp "$dir/main.cf" "$2"
	rm -rf "$dir"
}

# put_config SRC DST OWNER GROUP MODE: never over an administrator's file
put_config() {
	new=$(mktemp "${TMPDIR:-/tmp}/mta-install.XXXXXX")
	if [ "${2##*/}" = main.cf ]; then
		edited_main_cf "$1" "$new"
	else
		cp "$1" "$new"
	fi
	if [ ! -e "$2" ]; then
		put_file "$new" "$2"
		attrs "$2" "$3" "$4" "$5"
	elif ! cmp -s "$new" "$2"; then
		if ! cmp -s "$new" "$2.new" 2>/dev/null; then
			put_file "$new" "$2.new"
			note "$2 is yours and stays; the new default is $2.new"
		fi
		attrs "$2.new" "$3" "$4" "$5"
	fi
	rm -f "$new"
}

# put_link DST TARGET: a symbolic link, over nothing but our own
put_link() {
	if [ -L "$1" ] && [ "$(readlink "$1")" = "$2" ]; then
		return 0
	fi
	if [ -e "$1" ] || [ -L "$1" ]; then
		[ "$FORCE" = 1 ] || die "$1 exists (another mail system's?):" \
			"remove it, or run make install-links FORCE=1"
		note "replacing $1 by a link to $2"
	fi
	mkdir -p "$(dirname "$1")"
	ln -sfn "$2" "$1"
}

# one TYPE PATH OWNER GROUP MODE SOURCE LINENO: one manifest line
one() {
	dst=$DESTDIR$(expand "$2")
	case $1 in
	d)
		mkdir -p "$dst" 2>/dev/null || cannot "$dst"
		attrs "$dst" "$3" "$4" "$5"
		;;
	p | f)
		if [ "$1" = p ]; then src=$BUILD/$6; else src=$TOP/$6; fi
		[ -f "$src" ] || die "$manifest, line $7: $src is missing" \
			"(run make first)"
		put_file "$src" "$dst"
		attrs "$dst" "$3" "$4" "$5"
		;;
	c)
		[ -f "$TOP/$6" ] || die "$manifest, line $7: $TOP/$6 is missing"
		put_config "$TOP/$6" "$dst" "$3" "$4" "$5"
		;;
	l)
		if $links; then put_link "$dst" "$(expand "$6")"; fi
		;;
	*)
		die "$manifest, line $7: unknown type $1"
		;;
	esac
}

# valid TYPE PATH OWNER GROUP MODE LINENO: a line we understand, or die
valid() {
	case $1 in d | p | f | c | l) ;; *)
		die "$manifest, line $6: unknown type $1" ;;
	esac
	expand "$2" >/dev/null
	id_name "$3" >/dev/null
	id_name "$4" >/dev/null
	case $5 in [0-7][0-7][0-7][0-7]) ;; *)
		die "$manifest, line $6: $5: the mode is four octal digits" ;;
	esac
}

[ -r "$manifest" ] || die "$manifest: cannot read it"
make_users
n=0
# The manifest on fd 3: the commands run for each line keep stdin.
while read -r path type owner group mode source <&3; do
	n=$((n + 1))
	case $path in '' | '#'*) continue ;; esac
	valid "$type" "$path" "$owner" "$group" "$mode" "$n"
	one "$type" "$path" "$owner" "$group" "$mode" "$source" "$n"
done 3<"$manifest"

if [ -n "$unset_ids" ]; then
	note "no such user or group here:$unset_ids: the paths of the" \
		"manifest that belong to them keep their owners; the package" \
		"must set them (share/mta/manifest)"
fi
for p in $stripped; do
	note "$p: installed without its set-gid bit (its group" \
		"could not be set): make it root:$SETGID_GROUP mode 2755"
done
exit 0
