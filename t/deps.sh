#!/bin/sh
# Install what mta needs to build and test, when root; otherwise say how.
# Build: libpopt-dev libgdbm-dev libbsd-dev pkg-config. Tests: bats, prove
# (perl), python3. Test peers, never dependencies: postfix (postmap,
# postalias, postcat), swaks, dnsmasq. Fuzzing: clang, libfuzzer.
set -u
need="libpopt-dev libgdbm-dev libbsd-dev pkg-config bats perl python3"
peers="postfix swaks"
missing=
for p in $need ${MTA_WITH_PEERS:+$peers}; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing:$missing" >&2
	echo "deps: run as root: apt-get install -y$missing" >&2
	exit 69
fi
echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
case " $missing " in *" postfix "*)
	echo 'postfix postfix/main_mailer_type select Local only' |
		debconf-set-selections ;;
esac
apt-get update -qq >/dev/null || exit 69
apt-get install -y -qq $missing >/dev/null || exit 69
# Debian's postfix is only a test peer: keep its system instance off port 25.
case " $missing " in *" postfix "*) postfix stop >/dev/null 2>&1 || true ;; esac
exit 0
