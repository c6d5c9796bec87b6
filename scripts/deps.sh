#!/bin/sh
# Installs the Debian packages vifdiag needs to build, test and demo, if any is missing.
# Idempotent and quiet when everything is there; needs root (or sudo) otherwise.
set -eu

PKGS="gcc make pkg-config libc6-dev libxen-dev xenstore-utils libcmocka-dev
zlib1g-dev libarchive-dev nettle-dev libjansson-dev clang-format jq groff-base groff python3 iproute2 procps
qemu-system-x86 kmod cpio tmux libreadline-dev libncurses-dev
clang libclang-rt-14-dev valgrind cppcheck clang-tidy
prometheus prometheus-node-exporter curl"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO=sudo
	else
		echo "deps: missing Debian packages:$missing (run as root, or install them)" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
