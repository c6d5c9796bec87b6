#!/bin/bash
# Builds what QEMU boots, from the packages fetch.sh unpacked into CACHE/root:
#   WORK/xen            the hypervisor (multiboot ELF, from /boot/xen-4.17-amd64.gz)
#   WORK/vmlinuz        the Debian kernel, for dom0 and the guests
#   WORK/domU.cpio.gz   the PV guest: busybox, xen-netfront.ko, guest/domU-{inittab,rc}
#   WORK/dom0.cpio.gz   dom0: busybox, bash, iproute2, Xen's userspace (xl, xenstored,
#                       oxenstored, xen-init-dom0, xenconsoled, xenstore-*), the hotplug
#                       scripts, netback/bridge/9p modules, vifdiag, the guest image
# Usage: mkinitrd.sh CACHE_DIR VIFDIAG_BINARY WORK_DIR [XLPROBE_BINARY]
set -euo pipefail
trap 'echo "mkinitrd: line $LINENO: $BASH_COMMAND failed" >&2' ERR
CACHE=$(cd "${1:?usage: mkinitrd.sh CACHE VIFDIAG WORK}" && pwd)
VIFDIAG=${2:?}
WORK=${3:?}
HERE=$(cd "$(dirname "$0")" && pwd)
R=$CACHE/root
die() { echo "mkinitrd: $*" >&2; exit 1; }
[ -x "$VIFDIAG" ] || die "no vifdiag binary at $VIFDIAG"
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)

KVER=$(cd "$R/lib/modules" && for k in *; do echo "$k"; break; done)
[ -n "$KVER" ] && [ -f "$R/boot/vmlinuz-$KVER" ] || die "no kernel in $R"
[ -f "$R/lib/modules/$KVER/modules.dep" ] || depmod -b "$R" "$KVER" || die "depmod failed"

zcat "$R/boot/xen-4.17-amd64.gz" >"$WORK/xen" || die "cannot unpack the hypervisor"
cp "$R/boot/vmlinuz-$KVER" "$WORK/vmlinuz"
echo "$KVER" >"$WORK/kernel-version"

BB=$R/bin/busybox
[ -x "$BB" ] || die "no busybox in $R"

# merged-/usr skeleton
skel() {
	local d=$1
	rm -rf "$d"
	mkdir -p "$d"/{usr/bin,usr/sbin,usr/lib/x86_64-linux-gnu,usr/lib64,etc,proc,sys,dev,tmp,run,var,root,boot}
	ln -s usr/bin "$d/bin"
	ln -s usr/sbin "$d/sbin"
	ln -s usr/lib "$d/lib"
	ln -s usr/lib64 "$d/lib64"
	cp "$BB" "$d/usr/bin/busybox"
	local a
	for a in $("$BB" --list); do
		case $a in busybox | ip | brctl | bridge | depmod | modprobe | dpkg | dpkg-deb | rpm) continue ;; esac
		[ -e "$d/usr/bin/$a" ] || ln -s busybox "$d/usr/bin/$a"
	done
}

pack() { # DIR OUT
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -6 >"$2"
}

# install a file at the same path inside the image; never through an existing symlink
# (busybox applet links): remove it first
put() { # IMAGE SRC DEST
	mkdir -p "$1/$(dirname "$3")"
	rm -f "$1/$3"
	cp -L "$2" "$1/$3"
}

# Debian signs its modules; checking a signature costs about a second per module under
# software emulation, an unsigned module only taints the kernel: drop the signature
unsign() { # FILE
	local f=$1 size siglen
	[ "$(tail -c 28 "$f")" = "~Module signature appended~" ] || return 0
	size=$(stat -c %s "$f")
	# struct module_signature ends with the big-endian sig_len, just before the magic
	siglen=$(od -An -tu1 -j $((size - 32)) -N 4 "$f" | awk '{print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4}')
	truncate -s $((size - 40 - siglen)) "$f"
}

LIBPATH=$R/usr/lib/x86_64-linux-gnu:$R/lib/x86_64-linux-gnu
# copy an ELF and every shared library ldd resolves for it (packages first, then the host)
put_elf() { # IMAGE SRC DEST
	local img=$1 src=$2 dst=$3 lib real
	put "$img" "$src" "$dst"
	LD_LIBRARY_PATH=$LIBPATH ldd "$src" 2>/dev/null | grep -q 'not found' &&
		die "$src: $(LD_LIBRARY_PATH=$LIBPATH ldd "$src" | grep 'not found' | tr '\n' ' ')"
	for lib in $(LD_LIBRARY_PATH=$LIBPATH ldd "$src" 2>/dev/null | awk '/=> \// {print $3} /^\t\/[^ ]+ \(/ {print $1}'); do
		case $lib in
		"$R"/*) real=${lib#"$R"} ;;
		*) real=$lib ;;
		esac
		# /lib is a link to usr/lib in both trees
		real=${real#/usr}
		[ -e "$img/usr$real" ] || put "$img" "$lib" "usr$real"
	done
}

# ---------------------------------------------------------------- domU
U=$WORK/domU.root
skel "$U"
mkdir -p "$U/lib/modules"
cp "$R/lib/modules/$KVER/kernel/drivers/net/xen-netfront.ko" "$U/usr/lib/modules/"
unsign "$U/usr/lib/modules/xen-netfront.ko"
deps=$(modinfo -F depends "$U/usr/lib/modules/xen-netfront.ko")
[ -z "$deps" ] || die "xen-netfront.ko depends on $deps: not handled"
put "$U" "$HERE/guest/domU-inittab" etc/inittab
put "$U" "$HERE/guest/domU-rc" etc/rc
chmod 755 "$U/etc/rc"
ln -sf ../bin/busybox "$U/usr/sbin/init"
ln -sf ../bin/busybox "$U/usr/sbin/poweroff"
pack "$U" "$WORK/domU.cpio.gz"

# ---------------------------------------------------------------- dom0
Z=$WORK/dom0.root
skel "$Z"
XB=$R/usr/lib/xen-4.17/bin
for b in xl xenstored oxenstored xen-init-dom0 xenconsoled xenconsole libxl-save-helper \
	xenstore-control; do
	[ -f "$XB/$b" ] || die "missing $XB/$b"
	put_elf "$Z" "$XB/$b" "usr/lib/xen-4.17/bin/$b"
	ln -sf "../lib/xen-4.17/bin/$b" "$Z/usr/sbin/$b"
done
put_elf "$Z" "$R/usr/bin/xenstore" usr/bin/xenstore
for l in ls read write rm list exists watch chmod; do
	ln -sf xenstore "$Z/usr/bin/xenstore-$l"
done
# host tools: bash, iproute2
for t in /usr/bin/bash /usr/sbin/ip /usr/sbin/bridge; do
	[ -x "$t" ] || die "missing $t on this machine"
	put_elf "$Z" "$t" "usr/bin/${t##*/}"
done
# glibc dlopen()s libgcc_s for pthread_cancel: xl aborts at exit without it
# (no early exit in a pipeline under pipefail: the writer would die of SIGPIPE)
gcc_s=$(ldconfig -p | awk '/libgcc_s.so.1 .*x86-64/ && !f {print $NF; f = 1}')
[ -n "$gcc_s" ] || die "libgcc_s.so.1 not found on this machine"
put "$Z" "$gcc_s" "usr/lib/x86_64-linux-gnu/libgcc_s.so.1"
# vifdiag, as built; the libxl prototype (xlprobe.c) if given
put_elf "$Z" "$VIFDIAG" usr/bin/vifdiag
[ -z "${4:-}" ] || put_elf "$Z" "$4" usr/bin/xlprobe

# Xen's configuration and hotplug scripts
mkdir -p "$Z/etc/xen"
cp -a "$R/etc/xen/scripts" "$Z/etc/xen/"
cp "$R/etc/xen/xl.conf" "$Z/etc/xen/"
{
	sed -e '/^# *access-log/d' -e '/^# *acesss-log/d' -e '/^# *xenstored-log/d' "$R/etc/xen/oxenstored.conf"
	cat <<'EOF'
# vifdiag e2e: a complete access log that never rotates during a run
xenstored-log-file = /var/log/xen/xenstored.log
xenstored-log-level = debug
access-log-file = /var/log/xen/xenstored-access.log
access-log-nb-lines = 100000000
access-log-special-ops = true
access-log-read-ops = true
access-log-transactions-ops = true
EOF
} >"$Z/etc/xen/oxenstored.conf"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$Z/etc/passwd"
printf 'root:x:0:\n' >"$Z/etc/group"
printf '127.0.0.1 localhost dom0\n' >"$Z/etc/hosts"

# modules, dependencies first, one insmod line each (paths inside the image)
: >"$Z/etc/e2e-modules"
for m in xenfs xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xen-netback bridge \
	virtio_pci 9pnet_virtio 9p; do
	modprobe -d "$R" -S "$KVER" --show-depends "$m" >"$WORK/modprobe.out" 2>&1 ||
		die "modprobe --show-depends $m: $(cat "$WORK/modprobe.out")"
	while read -r kind path rest; do
		[ "$kind" = insmod ] || continue
		rel=${path#"$R"}
		grep -qx "$rel" "$Z/etc/e2e-modules" 2>/dev/null && continue
		put "$Z" "$path" "usr$rel"
		unsign "$Z/usr$rel"
		echo "$rel" >>"$Z/etc/e2e-modules"
	done <"$WORK/modprobe.out"
done

cp "$WORK/vmlinuz" "$Z/boot/vmlinuz-domU"
cp "$WORK/domU.cpio.gz" "$Z/boot/domU.cpio.gz"
put "$Z" "$HERE/guest/dom0-init" init
put "$Z" "$HERE/guest/scenarios.sh" e2e/scenarios.sh
chmod 755 "$Z/init" "$Z/e2e/scenarios.sh"
pack "$Z" "$WORK/dom0.cpio.gz"
rm -rf "$U" "$Z"
echo "# images: dom0 $(du -k "$WORK/dom0.cpio.gz" | cut -f1) KiB, domU $(du -k "$WORK/domU.cpio.gz" | cut -f1) KiB, kernel $KVER"
