#!/bin/bash
# Fetches what the real-Xen harness needs, never installing Xen onto this machine:
#   host tools (apt-get install, only if missing): qemu-system-x86, kmod, cpio
#   guest packages (apt-get download, unpacked with dpkg -x into CACHE/root):
#     Xen 4.17 hypervisor, tools and libraries, xenstore-utils, the Debian 6.1 kernel,
#     busybox-static.
# Usage: fetch.sh CACHE_DIR. Prints "# ..." progress; on failure prints the reason on
# stderr and exits 1. A rerun with the same package versions does no download.
set -euo pipefail
CACHE=${1:?usage: fetch.sh CACHE_DIR}
mkdir -p "$CACHE/debs"
CACHE=$(cd "$CACHE" && pwd)

die() { echo "fetch: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root (apt-get download/install)"

# One apt-get update per day at most: the lists are needed by apt-cache and download.
stamp=/var/lib/apt/lists/.vifdiag-e2e-update
if [ ! -e "$stamp" ] || [ -n "$(find "$stamp" -mmin +1440 2>/dev/null)" ] ||
	! apt-cache policy xen-hypervisor-4.17-amd64 2>/dev/null | grep -q 'Candidate: [0-9]'; then
	echo "# apt-get update"
	apt-get update -qq >"$CACHE/apt-update.log" 2>&1 ||
		die "apt-get update failed: $(tail -n 3 "$CACHE/apt-update.log" | tr '\n' ' ')"
	touch "$stamp"
fi

need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
command -v depmod >/dev/null || need+=(kmod)
command -v cpio >/dev/null || need+=(cpio)
if [ ${#need[@]} -gt 0 ]; then
	echo "# apt-get install ${need[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" \
		>"$CACHE/apt-install.log" 2>&1 ||
		die "apt-get install ${need[*]} failed: $(tail -n 3 "$CACHE/apt-install.log" | tr '\n' ' ')"
fi

candidate() {
	apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}'
}

xenver=$(candidate xen-utils-4.17)
case $xenver in '' | '(none)') die "no candidate for xen-utils-4.17 (is bookworm in sources.list?)" ;; esac
# linux-image-amd64 is a metapackage: its dependency names the real kernel package
kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ && !f {print $2; f = 1}')
[ -n "$kpkg" ] || die "cannot resolve linux-image-amd64 to a kernel package"

# Xen packages pinned to one version (bookworm carries more than one)
xenpkgs="xen-hypervisor-4.17-amd64 xen-utils-4.17 xen-utils-common xenstore-utils
	libxenmisc4.17 libxencall1 libxenevtchn1 libxenforeignmemory1 libxengnttab1 libxenstore4
	libxentoollog1 libxendevicemodel1 libxenhypfs1 libxentoolcore1"
other="libyajl2 busybox-static $kpkg"
specs=()
for p in $xenpkgs; do specs+=("$p=$xenver"); done
for p in $other; do
	v=$(candidate "$p")
	case $v in '' | '(none)') die "no candidate for $p" ;; esac
	specs+=("$p=$v")
done

want=$(printf '%s\n' "${specs[@]}" | sort)
if [ -f "$CACHE/root/.packages" ] && [ "$(cat "$CACHE/root/.packages")" = "$want" ]; then
	echo "# cached: xen $xenver, $kpkg"
	exit 0
fi

missing=()
for s in "${specs[@]}"; do
	p=${s%%=*} v=${s#*=}
	# the file name escapes the epoch colon as %3a
	f=$(for x in "$CACHE/debs/${p}_${v//:/%3a}_"*.deb; do [ -e "$x" ] && echo "$x"; break; done)
	[ -n "$f" ] || missing+=("$s")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "# apt-get download ${#missing[@]} packages"
	# apt-get download drops privileges to _apt: give it a directory it can write
	dl=$(mktemp -d "$CACHE/dl.XXXXXX")
	chmod 777 "$dl"
	(cd "$dl" && apt-get download -q "${missing[@]}") >"$CACHE/apt-download.log" 2>&1 || {
		rm -rf "$dl"
		die "apt-get download failed: $(grep -E '^E:|^W:' "$CACHE/apt-download.log" | head -n 3 | tr '\n' ' ')"
	}
	mv "$dl"/*.deb "$CACHE/debs/"
	rm -rf "$dl"
fi

echo "# unpacking ${#specs[@]} packages"
rm -rf "$CACHE/root.new"
mkdir -p "$CACHE/root.new"
for s in "${specs[@]}"; do
	p=${s%%=*} v=${s#*=}
	f=$(for x in "$CACHE/debs/${p}_${v//:/%3a}_"*.deb; do echo "$x"; break; done)
	dpkg -x "$f" "$CACHE/root.new" || die "dpkg -x $f failed"
done
printf '%s\n' "$want" >"$CACHE/root.new/.packages"
rm -rf "$CACHE/root"
mv "$CACHE/root.new" "$CACHE/root"
echo "# fetched: xen $xenver, $kpkg"
