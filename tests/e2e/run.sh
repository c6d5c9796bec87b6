#!/bin/bash
# Real Xen, end to end: vifdiag inside dom0 of a real Xen 4.17 booted under QEMU (software
# emulation), against the real xenstored, netback, netfront, hotplug scripts and bridge,
# all from Debian 12 packages (never installed here: apt-get download + dpkg -x).
#
#   tests/e2e/run.sh BUILD_DIR
#
# Two boots, one with C xenstored (its -T trace) and one with oxenstored (its access log),
# run side by side (each QEMU is single-threaded TCG); each runs the scenarios of
# guest/scenarios.sh and check.sh asserts on what came back over the 9p share.
# Prints "ok - NAME" / "not ok - NAME" and "# ..." lines, including the wall time of each
# scenario; exits 0 iff every assertion passed. A package that cannot be fetched, a QEMU
# that does not start or a boot that times out is "not ok - ... : REASON" and exit 1:
# never a skip.
#
# Environment:
#   E2E_CACHE=DIR        downloads and unpacked packages (default: build/e2e-cache)
#   E2E_VIFDIAG=FILE     the vifdiag to put in dom0 (default: BUILD_DIR/vifdiag if it
#                        exists, else a release build made with make BUILD=build/e2e)
#   E2E_BOOTS="c o"      which xenstoreds to boot
#   E2E_SCENARIOS=all    scenarios per boot (numbers joined by +, e.g. 1+2+5)
#   E2E_PARALLEL=1       boot both at once (0: one after the other)
#   E2E_TIMEOUT=2400     hard limit per boot, seconds (an idle 2-core machine takes
#                        ~520 s for the C xenstored boot, its trace slowing every request;
#                        a slower or loaded one more: this only bounds a hang)
#   E2E_KEEP=1           keep the images and the result directories (default: kept under
#                        BUILD_DIR/e2e; the share directories are what check.sh reads)
set -u
main() {
	local B=${1:?usage: tests/e2e/run.sh BUILD_DIR}
	mkdir -p "$B"
	B=$(cd "$B" && pwd)
	local HERE REPO
	HERE=$(cd "$(dirname "$0")" && pwd)
	REPO=$(cd "$HERE/../.." && pwd)
	local CACHE=${E2E_CACHE:-$REPO/build/e2e-cache}
	local WORK=$B/e2e
	local T0 rc=0
	T0=$(date +%s.%N)
	mkdir -p "$WORK"

	infra() { # NAME REASON
		echo "not ok - e2e: $1 : $2"
		echo "# e2e total wall time: $(elapsed "$T0")s"
		exit 1
	}
	elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN {printf "%.0f", b - a}'; }

	# vifdiag for dom0
	local VD=${E2E_VIFDIAG:-}
	if [ -z "$VD" ] && [ -x "$B/vifdiag" ]; then VD=$B/vifdiag; fi
	if [ -z "$VD" ]; then
		local i
		for i in 1 2 3; do
			make -C "$REPO" --no-print-directory BUILD=build/e2e >"$WORK/make.log" 2>&1 && break
			sleep 5 # the tree may briefly not build while it is being edited
		done
		VD=$REPO/build/e2e/vifdiag
		[ -x "$VD" ] || infra "build vifdiag" "make BUILD=build/e2e failed: $(tail -n 3 "$WORK/make.log" | tr '\n' ' ')"
	fi
	echo "# vifdiag for dom0: $VD"
	# a private copy: the build directory may be rebuilt while this runs
	cp "$VD" "$WORK/vifdiag.bin" || infra "copy vifdiag" "cannot copy $VD"
	VD=$WORK/vifdiag.bin
	export E2E_HOST_VIFDIAG=$VD # check.sh reads dom0's bundle with the same binary

	# the libxl prototype (see xlprobe.c), built against this machine's libxen-dev
	cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -o "$WORK/xlprobe" "$HERE/xlprobe.c" \
		-lxenlight -lxentoollog >"$WORK/xlprobe.log" 2>&1 ||
		infra "build the libxl probe (needs libxen-dev)" "$(head -n 3 "$WORK/xlprobe.log" | tr '\n' ' ')"

	# on this machine (no hypervisor) the same calls must degrade quietly
	local po pe
	po=$("$WORK/xlprobe" 2>"$WORK/xlprobe.err")
	pe=$(cat "$WORK/xlprobe.err")
	if [ -e /proc/xen/capabilities ] || [ -e /dev/xen/privcmd ]; then
		echo "# this machine is itself a Xen domain: the quiet-degrade check does not apply ($po)"
	elif [ "$(jq -r .available <<<"$po" 2>/dev/null)" = false ] && [ -z "$pe" ]; then
		echo "ok - e2e: libxl probe without a hypervisor: libxl_ctx_alloc fails, nothing on stderr ($po)"
	else
		echo "not ok - e2e: libxl probe without a hypervisor degrades quietly"
		echo "#   stdout: $po"
		echo "#   stderr: $pe"
		rc=1
	fi

	# packages
	local t
	t=$(date +%s.%N)
	"$HERE/fetch.sh" "$CACHE" >"$WORK/fetch.log" 2>&1 ||
		infra "fetch packages with apt-get" "$(tail -n 2 "$WORK/fetch.log" | tr '\n' ' ')"
	sed -n 's/^# \(fetched\|cached\)/# packages \1/p' "$WORK/fetch.log"
	echo "# fetch took $(elapsed "$t")s"
	command -v qemu-system-x86_64 >/dev/null || infra "QEMU" "qemu-system-x86_64 is not installed"
	qemu-system-x86_64 --version >/dev/null 2>&1 || infra "QEMU" "qemu-system-x86_64 --version fails"

	# images
	t=$(date +%s.%N)
	"$HERE/mkinitrd.sh" "$CACHE" "$VD" "$WORK/images" "$WORK/xlprobe" >"$WORK/mkinitrd.log" 2>&1 ||
		infra "build the dom0 and guest initramfs" "$(tail -n 2 "$WORK/mkinitrd.log" | tr '\n' ' ')"
	sed -n 's/^# /# /p' "$WORK/mkinitrd.log"
	echo "# images took $(elapsed "$t")s"

	# boots
	local boots=${E2E_BOOTS:-c o} k pids=() limit=${E2E_TIMEOUT:-2400}
	BOOT_PIDS=""
	trap 'for p in $BOOT_PIDS; do kill -TERM "$p" 2>/dev/null; done; wait; exit 1' INT TERM HUP
	for k in $boots; do
		rm -rf "${WORK:?}/boot-$k"
		mkdir -p "$WORK/boot-$k"
		"$HERE/boot.sh" "$WORK/images" "$WORK/boot-$k" "$k" "${E2E_SCENARIOS:-all}" "$limit" \
			>"$WORK/boot-$k.log" 2>&1 &
		BOOT_PIDS="$BOOT_PIDS $!"
		pids+=("$k:$!")
		[ "${E2E_PARALLEL:-1}" = 1 ] || wait "$!"
	done
	local kp bad=0
	for kp in "${pids[@]}"; do
		k=${kp%%:*}
		if ! wait "${kp#*:}"; then
			# Xen or dom0 died under emulation (vifdiag is a read-only user process: it
			# cannot take the machine down). Once more, alone; the first reason stays.
			echo "# boot $k (xenstored=$k) failed, booting it once more: $(tail -n 1 "$WORK/boot-$k.log")"
			rm -rf "${WORK:?}/boot-$k.first"
			mv "$WORK/boot-$k" "$WORK/boot-$k.first"
			mv "$WORK/boot-$k.log" "$WORK/boot-$k.first.log"
			mkdir -p "$WORK/boot-$k"
			"$HERE/boot.sh" "$WORK/images" "$WORK/boot-$k" "$k" "${E2E_SCENARIOS:-all}" "$limit" \
				>"$WORK/boot-$k.log" 2>&1 &
			BOOT_PIDS="$BOOT_PIDS $!"
			wait "$!" || {
				echo "not ok - e2e $k: boot Xen under QEMU (xenstored=$k), twice : $(tail -n 1 "$WORK/boot-$k.first.log") / $(tail -n 1 "$WORK/boot-$k.log")"
				echo "#   serial consoles: $WORK/boot-$k.first/serial.log, $WORK/boot-$k/serial.log"
				bad=1
				continue
			}
		fi
		echo "# boot $k (xenstored=$k): QEMU ran $(cat "$WORK/boot-$k/boot-seconds")s, dom0 ready after $(cat "$WORK/boot-$k/share/dom0-ready-uptime" 2>/dev/null)s of uptime"
	done
	trap - INT TERM HUP
	# what came back is checked even after a failed boot: it says how far it got
	for k in $boots; do
		[ -f "$WORK/boot-$k/share/xenstored" ] || continue
		"$HERE/check.sh" "$WORK/boot-$k/share" || rc=1
	done
	[ $bad = 0 ] || rc=1
	echo "# results: $WORK/boot-{$(echo $boots | tr ' ' ,)}/share (tests/e2e/check.sh DIR checks one again)"
	echo "# e2e total wall time: $(elapsed "$T0")s"
	return $rc
}
main "$@"; exit $?
