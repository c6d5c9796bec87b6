#!/bin/bash
# Boots Xen 4.17 + the e2e dom0 under QEMU with software emulation (TCG), no network.
# Usage: boot.sh WORK_DIR OUT_DIR XENSTORED(c|o) SCENARIOS TIMEOUT_SECONDS
#   OUT_DIR/share/   the 9p share dom0 mounts on /out (results; share/DONE at the end)
#   OUT_DIR/serial.log, qemu.err, qemu-cmdline.txt, boot-seconds
# A watchdog reads serial.log: "Hardware Dom0 crashed", "Panic on CPU" or "Kernel panic"
# kill QEMU at once; so does the timeout; QEMU is killed on every exit path.
# Exit 0 when dom0 wrote share/DONE; otherwise 1 with the reason on stderr.
set -u
# the whole script is one function, parsed before it runs: editing this file while a boot
# runs cannot break it
main() {
WORK=${1:?usage: boot.sh WORK OUT c|o SCENARIOS TIMEOUT}
OUT=${2:?}
XS=${3:?}
LIST=${4:?}
LIMIT=${5:?}
mkdir -p "$OUT/share"
OUT=$(cd "$OUT" && pwd)
WORK=$(cd "$WORK" && pwd)
case "$WORK$OUT" in *,*) echo "boot: paths must not contain a comma" >&2; exit 1 ;; esac

QPID=""
cleanup() {
	if [ -n "$QPID" ] && kill -0 "$QPID" 2>/dev/null; then
		kill -TERM "$QPID" 2>/dev/null
		sleep 0.5
		kill -KILL "$QPID" 2>/dev/null
	fi
	[ -n "$QPID" ] && wait "$QPID" 2>/dev/null
	QPID=""
}
trap cleanup EXIT
trap 'cleanup; exit 1' INT TERM HUP

rm -rf "$OUT/share" && mkdir -p "$OUT/share"
: >"$OUT/serial.log"
# Xen: 2 pCPUs, dom0 1 GiB; dom0's Linux command line follows its file name in -initrd
# (multiboot modules are separated by commas).
# spec-ctrl=eager-fpu: without it Xen switches the FPU state of PV vCPUs lazily (CR0.TS and
# #NM), and under QEMU 7.2 TCG that corrupts user registers: busybox, bash, xl died in
# TLS reads and malloc checks, more often the busier the host (3 of 3 loaded runs, -avx and
# -fsgsbase or an Intel vendor did not help; none since). Eager switching is what Xen does
# by default on Intel hardware anyway (LazyFP, XSA-267).
# QEMU: SMAP must be hidden or dom0 faults on its first instructions (xen-lab.md);
# thread=single: one host thread per QEMU, so the two boots run side by side on 2 cores.
XEN_CMD="console=com1 com1=115200,8n1 dom0_mem=1024M,max:1024M loglvl=all guest_loglvl=all noreboot spec-ctrl=eager-fpu ${E2E_XEN_EXTRA:-}"
DOM0_CMD="console=hvc0 earlyprintk=xen rdinit=/init e2e.xenstored=$XS e2e.scenarios=$LIST"
cmd=(qemu-system-x86_64 -machine pc -accel "${E2E_ACCEL:-tcg,thread=single}" -cpu "${E2E_CPU:-max,-smap,-smep}" -smp "${E2E_SMP:-2}" -m 2048
	-display none -monitor none -no-reboot -nic none -serial "file:$OUT/serial.log"
	-kernel "$WORK/xen" -append "$XEN_CMD"
	-initrd "$WORK/vmlinuz $DOM0_CMD,$WORK/dom0.cpio.gz"
	-virtfs "local,path=$OUT/share,mount_tag=host0,security_model=none,id=host0")
printf '%q ' "${cmd[@]}" >"$OUT/qemu-cmdline.txt"
echo >>"$OUT/qemu-cmdline.txt"

t0=$(date +%s.%N)
# timeout(1) too: QEMU dies on time even if this script is killed with SIGKILL
timeout -k 5 $((LIMIT + 30)) "${cmd[@]}" </dev/null >"$OUT/qemu.out" 2>"$OUT/qemu.err" &
QPID=$!
reason=""
while :; do
	sleep 0.5
	if ! kill -0 "$QPID" 2>/dev/null; then
		wait "$QPID"
		qrc=$?
		QPID=""
		[ -f "$OUT/share/DONE" ] || {
			if [ ! -s "$OUT/serial.log" ]; then
				reason="QEMU exited with status $qrc before anything reached the serial console: $(tr '\n' ' ' <"$OUT/qemu.err" | cut -c1-300)"
			elif f=$(grep -m1 'FATAL:' "$OUT/share/FATAL" 2>/dev/null); then
				reason="dom0: $f"
			else
				reason="QEMU exited (status $qrc) before dom0 finished; serial.log ends: $(tail -n 3 "$OUT/serial.log" | tr -d '\r' | tr '\n' '|' | cut -c1-300)"
			fi
		}
		break
	fi
	if m=$(grep -a -m1 -E 'Hardware Dom0 crashed|Panic on CPU|Kernel panic' "$OUT/serial.log"); then
		reason="crash on the serial console: $(echo "$m" | tr -d '\r')"
		break
	fi
	el=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%d", b - a}')
	if [ "$el" -ge "$LIMIT" ]; then
		reason="timeout after ${LIMIT}s; last console lines: $(grep -a 'E2E:' "$OUT/serial.log" | tail -n 2 | tr -d '\r' | tr '\n' '|')"
		break
	fi
done
cleanup
awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f\n", b - a}' >"$OUT/boot-seconds"
if [ -n "$reason" ]; then
	echo "$reason" >&2
	exit 1
fi
exit 0
}
main "$@"; exit $?
