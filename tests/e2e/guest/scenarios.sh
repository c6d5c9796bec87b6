#!/bin/bash
# The e2e scenario runner, in dom0 of a real Xen 4.17 (run by /init).
# Usage: scenarios.sh c|o LIST   (LIST: "all" or scenario numbers joined by +, e.g. 1+2+5)
#
# It drives real guests with xl and, at settled points, runs vifdiag beside the facts it is
# checked against: xenstore-ls -fp, xl's view, the backend's sysfs and debugfs, the guest's
# own console. Everything lands in /out (the 9p share); tests/e2e/check.sh asserts on the
# host, so a result directory can be checked again without booting.
#
#   /out/sN-NAME/{t-begin,t-end,...}        one directory per scenario
#   /out/watch.ndjson, watch.err, watch.rc  `vifdiag watch --json`, running from before
#                                           scenario 1 until after the last one
#   /out/vd.tsv                             every vifdiag run: seq label rc t0 t1 dir
#   /out/s6-log/                            `vifdiag log` over the daemon's own log
# Each vifdiag run is bracketed by two marker reads (xenstore-read /vifdiag-e2e/bN and
# /vifdiag-e2e/eN, both ENOENT) so that check.sh can find its connections in the daemon log.
set -u
# xtrace with timestamps, to see where a run stopped
exec 9>/out/scenarios.xtrace
BASH_XTRACEFD=9
PS4='+ ${EPOCHREALTIME} '
set -x
XS=${1:-c}
LIST=${2:-all}
OUT=/out
VD=/usr/bin/vifdiag
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export TZ=UTC
CFG=/etc/xen/e2e
mkdir -p "$CFG"
CONS=/var/log/xen/console

say() { echo "E2E: $*" >/dev/console; echo "E2E: $*"; }
# Every wait and command timeout below is a limit for a hang, not a measurement: x3, so
# that a host slower than this one (a CI machine, a loaded one) only takes longer
WAITX=${WAITX:-3}
now() { echo "${EPOCHREALTIME}"; }
# named N: N is in LIST itself; want N: N runs (named, or LIST is "all")
named() { [[ "+$LIST+" == *"+$1+"* ]]; }
want() { [ "$LIST" = all ] || named "$1"; }

case $XS in
c) DLOG=/var/log/xen/xenstored-trace.log ;;
o) DLOG=/var/log/xen/xenstored-access.log ;;
esac

SEQ=0
# vd DIR LABEL ARGS...: run vifdiag, bracketed by marker reads (VDT: its timeout, 60 s)
vd() {
	local dir=$1 label=$2 t0 t1 rc
	shift 2
	SEQ=$((SEQ + 1))
	xenstore-read "/vifdiag-e2e/b$SEQ" >/dev/null 2>&1
	t0=$(now)
	timeout $((${VDT:-60} * WAITX)) "$VD" "$@" >"$dir/$label.out" 2>"$dir/$label.err"
	rc=$?
	t1=$(now)
	xenstore-read "/vifdiag-e2e/e$SEQ" >/dev/null 2>&1
	echo "$rc" >"$dir/$label.rc"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$SEQ" "$label" "$rc" "$t0" "$t1" "${dir#$OUT/}" "$*" >>"$OUT/vd.tsv"
	return 0
}

# probe DIR LABEL: the libxl prototype (xlprobe), bracketed like vd (markers xbN, xeN)
PSEQ=0
probe() {
	[ -x /usr/bin/xlprobe ] || return 0
	PSEQ=$((PSEQ + 1))
	xenstore-read "/vifdiag-e2e/xb$PSEQ" >/dev/null 2>&1
	timeout 60 /usr/bin/xlprobe >"$1/$2.json" 2>"$1/$2.err"
	echo $? >"$1/$2.rc"
	xenstore-read "/vifdiag-e2e/xe$PSEQ" >/dev/null 2>&1
	printf '%s\t%s\t%s\n' "$PSEQ" "$2" "${1#$OUT/}" >>"$OUT/probe.tsv"
}

# wait_val PATH VALUE SECONDS: until xenstore-read PATH prints VALUE
wait_val() {
	local i=0 lim=$(($3 * 10 * WAITX))
	while [ "$(xenstore-read "$1" 2>/dev/null)" != "$2" ]; do
		i=$((i + 1))
		[ $i -gt $lim ] && { say "timeout waiting for $1 = $2 (is $(xenstore-read "$1" 2>&1))"; return 1; }
		sleep 0.1
	done
}
# wait_gone PATH SECONDS
wait_gone() {
	local i=0 lim=$(($2 * 10 * WAITX))
	while xenstore-exists "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt $lim ] && { say "timeout waiting for $1 to vanish"; return 1; }
		sleep 0.1
	done
}
# wait_exists PATH SECONDS
wait_exists() {
	local i=0 lim=$(($2 * 10 * WAITX))
	until xenstore-exists "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt $lim ] && { say "timeout waiting for $1"; return 1; }
		sleep 0.1
	done
}
# wait_console NAME PATTERN SECONDS
wait_console() {
	local i=0 lim=$(($3 * 10 * WAITX))
	until grep -q -- "$2" "$CONS/guest-$1.log" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt $lim ] && { say "timeout waiting for '$2' on $1's console"; return 1; }
		sleep 0.1
	done
}
# wait_vif DOMID DEVID SECONDS: both ends Connected and hotplug done
wait_vif() {
	local be=/local/domain/0/backend/vif/$1/$2 fe=/local/domain/$1/device/vif/$2
	wait_val "$be/hotplug-status" connected "$3" && wait_val "$fe/state" 4 "$3" &&
		wait_val "$be/state" 4 "$3"
}

# snapshot DIR: the facts vifdiag is checked against
snapshot() {
	local d=$1 n b
	mkdir -p "$d"
	xenstore-ls -fp >"$d/xenstore-ls-fp.txt" 2>&1
	xl list >"$d/xl-list.txt" 2>&1
	for b in $(xl list 2>/dev/null | awk 'NR>2 {print $1}'); do
		xl network-list "$b" >"$d/xl-network-list-$b.txt" 2>&1
	done
	# host side: one line per fact, "vifX.Y key value"
	{
		for n in /sys/class/net/*; do
			b=${n##*/}
			[ -e "$n/brport" ] || [ -e "$n/device" ] || [ -d "$n/bridge" ] || continue
			echo "$b operstate $(cat "$n/operstate" 2>/dev/null)"
			echo "$b carrier $(cat "$n/carrier" 2>/dev/null)"
			echo "$b mtu $(cat "$n/mtu" 2>/dev/null)"
			echo "$b flags $(cat "$n/flags" 2>/dev/null)"
			[ -e "$n/brport/bridge" ] && echo "$b bridge $(basename "$(readlink "$n/brport/bridge")")"
			[ -e "$n/master" ] && echo "$b master $(basename "$(readlink "$n/master")")"
			[ -e "$n/device" ] && echo "$b device $(basename "$(readlink "$n/device")")"
			[ -e "$n/device/nodename" ] && echo "$b nodename $(cat "$n/device/nodename")"
			[ -e "$n/device/state" ] && echo "$b xenbus_state $(cat "$n/device/state")"
			echo "$b tx_queues $(ls -d "$n"/queues/tx-* 2>/dev/null | wc -l)"
			echo "$b rx_queues $(ls -d "$n"/queues/rx-* 2>/dev/null | wc -l)"
			[ -d /sys/kernel/debug/xen-netback/$b ] &&
				echo "$b io_rings $(ls /sys/kernel/debug/xen-netback/$b | grep -c '^io_ring_q')"
			[ -d "$n/brif" ] && echo "$b brif $(ls "$n/brif" | tr '\n' ' ')"
		done
	} >"$d/host.txt" 2>&1
	ip -d link >"$d/ip-d-link.txt" 2>&1
	for n in /sys/kernel/debug/xen-netback/*/io_ring_q*; do
		[ -e "$n" ] && { echo "== $n"; cat "$n"; }
	done >"$d/debugfs-xen-netback.txt" 2>&1
}

scen_begin() {
	SDIR=$OUT/s$1-$2
	mkdir -p "$SDIR"
	echo "$3" >"$SDIR/DESCRIPTION"
	now >"$SDIR/t-begin"
	say "scenario $1 ($2) begin"
}
scen_end() {
	now >"$SDIR/t-end"
	say "scenario ${SDIR##*/s} end"
}
# xlrun DIR LABEL SECONDS ARGS...: xl -vvv ARGS, output and rc saved
xlrun() {
	local dir=$1 label=$2 secs=$3
	shift 3
	timeout $((secs * WAITX)) xl -vvv "$@" >"$dir/xl-$label.log" 2>&1
	local rc=$?
	echo "rc=$rc" >>"$dir/xl-$label.log"
	echo "$rc" >"$dir/xl-$label.rc"
	return $rc
}

guest_cfg() { # NAME VCPUS EXTRA VIF...
	local name=$1 vcpus=$2 extra=$3 v vifs=""
	shift 3
	for v in "$@"; do vifs="$vifs${vifs:+, }'$v'"; done
	cat >"$CFG/$name.cfg" <<EOF
name = "$name"
type = "pv"
kernel = "/boot/vmlinuz-domU"
ramdisk = "/boot/domU.cpio.gz"
extra = "console=hvc0 rdinit=/sbin/init quiet $extra"
memory = 160
vcpus = $vcpus
vif = [ $vifs ]
on_poweroff = "destroy"
on_reboot = "destroy"
on_crash = "destroy"
EOF
}

D1=""
D2=""
# domu1's eth0 pings dom0's xenbr0 (10.99.0.1) once a second for its whole life: traffic
# (when s10 or s12 run alone and create it)
NET1="e2e.ip=10.99.0.2/24 e2e.ping=10.99.0.1"

# ensure_domu1: domu1 running with two connected VIFs (created here, pinging dom0's xenbr0,
# if no earlier scenario left it)
ensure_domu1() {
	if ! xl domid domu1 >/dev/null 2>&1; then
		ip addr show dev xenbr0 | grep -q 10.99.0.1/24 || ip addr add 10.99.0.1/24 dev xenbr0
		guest_cfg domu1 2 "$NET1" "mac=00:16:3e:00:01:00,bridge=xenbr0" "mac=00:16:3e:00:01:01,bridge=xenbr0"
		xlrun "$SDIR" create 120 create "$CFG/domu1.cfg" || { say "xl create domu1 failed"; return 1; }
		D1=$(xl domid domu1)
		wait_vif "$D1" 0 90
		wait_vif "$D1" 1 90
		wait_console domu1 "DOMU: ready" 90
		sleep 1
	fi
	D1=$(xl domid domu1)
	echo "$D1" >"$SDIR/domid"
}

s1() {
	scen_begin 1 bringup "xl create -p domu1 (2 vCPUs, vif 0 and 1 on xenbr0), backend multi-queue-max-queues of vif 1 set to 1 while paused, unpause; both VIFs Connected"
	guest_cfg domu1 2 "" "mac=00:16:3e:00:01:00,bridge=xenbr0" "mac=00:16:3e:00:01:01,bridge=xenbr0"
	xlrun "$SDIR" create 120 create -p "$CFG/domu1.cfg" || { say "xl create domu1 failed"; scen_end; return 1; }
	D1=$(xl domid domu1)
	echo "$D1" >"$SDIR/domid"
	wait_exists "/local/domain/0/backend/vif/$D1/1/multi-queue-max-queues" 30 &&
		xenstore-write "/local/domain/0/backend/vif/$D1/1/multi-queue-max-queues" 1
	probe "$SDIR" xlprobe-paused
	# paused: the store alone would say no-driver
	xl list >"$SDIR/xl-list-paused.txt" 2>&1
	vd "$SDIR" paused-status-json status --json
	vd "$SDIR" paused-status-text status
	xl unpause domu1
	wait_vif "$D1" 0 90
	wait_vif "$D1" 1 90
	wait_console domu1 "DOMU: ready" 90
	sleep 1
	snapshot "$SDIR/before"
	vd "$SDIR" status-json status --json
	vd "$SDIR" status-text status
	vd "$SDIR" status-dom-json status --json domu1
	vd "$SDIR" show-json show --json "$D1"
	vd "$SDIR" show-text show domu1
	# the multi-queue story on a real guest: vif 1's override, and per-queue load
	vd "$SDIR" check-json check --json --min-severity info "$D1"
	vd "$SDIR" show-load-json show --json --interval 1 "$D1"
	cp /proc/interrupts "$SDIR/proc-interrupts.txt" 2>/dev/null
	probe "$SDIR" xlprobe
	snapshot "$SDIR/state"
	xl list -l >"$SDIR/state/xl-list-l.json" 2>&1
	cp "$CONS/guest-domu1.log" "$SDIR/guest-console.log" 2>/dev/null
	scen_end
}

s2() {
	scen_begin 2 detach-attach "xl network-detach domu1 1, then xl network-attach domu1 mac=00:16:3e:00:01:02 bridge=xenbr0; vifdiag watch runs beside it"
	echo "$D1" >"$SDIR/domid"
	xlrun "$SDIR" network-detach 60 network-detach domu1 1
	wait_gone "/local/domain/0/backend/vif/$D1/1" 30
	snapshot "$SDIR/after-detach"
	vd "$SDIR" after-detach-status-json status --json
	xlrun "$SDIR" network-attach 90 network-attach domu1 mac=00:16:3e:00:01:02 bridge=xenbr0
	local dev
	dev=$(xenstore-list "/local/domain/0/backend/vif/$D1" 2>/dev/null | while read -r n; do
		[ "$(xenstore-read "/local/domain/0/backend/vif/$D1/$n/mac" 2>/dev/null)" = 00:16:3e:00:01:02 ] && echo "$n"
	done)
	echo "${dev:-}" >"$SDIR/new-devid"
	[ -n "$dev" ] && wait_vif "$D1" "$dev" 90
	sleep 2
	snapshot "$SDIR/state"
	vd "$SDIR" status-json status --json
	scen_end
}

s3() {
	scen_begin 3 no-netfront "xl create domu2-nonetfront: the guest never loads xen-netfront; backend InitWait, frontend Initialising"
	guest_cfg domu2-nonetfront 1 e2e.nonetfront "mac=00:16:3e:00:02:00,bridge=xenbr0"
	xlrun "$SDIR" create 120 create "$CFG/domu2-nonetfront.cfg"
	D2=$(xl domid domu2-nonetfront 2>/dev/null)
	echo "$D2" >"$SDIR/domid"
	wait_val "/local/domain/0/backend/vif/$D2/0/hotplug-status" connected 60
	wait_val "/local/domain/0/backend/vif/$D2/0/state" 2 60
	wait_console domu2-nonetfront "DOMU: ready" 90
	sleep 1
	snapshot "$SDIR/state"
	vd "$SDIR" status-json status --json
	vd "$SDIR" status-text status domu2-nonetfront
	vd "$SDIR" show-json show --json "$D2"
	probe "$SDIR" xlprobe
	cp "$CONS/guest-domu2-nonetfront.log" "$SDIR/guest-console.log" 2>/dev/null
	scen_end
}

s7() {
	scen_begin 7 read-only "a quiet window: status, show, show --raw, status --json, all bracketed by marker reads; check.sh proves from the daemon log that their connections wrote nothing"
	sleep 1
	xenstore-read /vifdiag-e2e/quiet-begin >/dev/null 2>&1
	vd "$SDIR" status-text status
	vd "$SDIR" status-json status --json
	vd "$SDIR" show-raw show --raw
	vd "$SDIR" show-raw-json show --json --raw
	vd "$SDIR" status-by-name status domu1
	xenstore-read /vifdiag-e2e/quiet-end >/dev/null 2>&1
	scen_end
}

s4() {
	scen_begin 4 bad-bridge "xl network-attach domu1 mac=00:16:3e:00:01:09 bridge=nosuchbr0: the vif-bridge hotplug script fails"
	echo "$D1" >"$SDIR/domid"
	xlrun "$SDIR" network-attach 90 network-attach domu1 mac=00:16:3e:00:01:09 bridge=nosuchbr0
	local dev
	dev=$(xenstore-list "/local/domain/0/backend/vif/$D1" 2>/dev/null | while read -r n; do
		[ "$(xenstore-read "/local/domain/0/backend/vif/$D1/$n/bridge" 2>/dev/null)" = nosuchbr0 ] && echo "$n"
	done)
	echo "${dev:-}" >"$SDIR/bad-devid"
	if [ -n "$dev" ]; then
		wait_val "/local/domain/0/backend/vif/$D1/$dev/hotplug-status" error 30
		# the guest's netfront connects anyway (lab: frontend 4, backend stays 2)
		wait_val "/local/domain/$D1/device/vif/$dev/state" 4 15
	fi
	sleep 1
	snapshot "$SDIR/state"
	vd "$SDIR" status-json status --json
	vd "$SDIR" status-text status domu1
	[ -n "$dev" ] && vd "$SDIR" show-json show --json "$D1/$dev"
	if [ -n "$dev" ]; then
		xlrun "$SDIR" network-detach 60 network-detach domu1 "$dev"
		wait_gone "/local/domain/0/backend/vif/$D1/$dev" 30
	fi
	snapshot "$SDIR/after-detach"
	scen_end
}

# save_dir PATH FILE / restore_dir FILE: a flat xenstore dir, as "key<TAB>value" lines
save_dir() {
	local k
	for k in $(xenstore-list "$1"); do
		printf '%s\t%s\n' "$1/$k" "$(xenstore-read "$1/$k")"
	done >"$2"
}
restore_dir() {
	local p v
	while IFS=$'\t' read -r p v; do xenstore-write "$p" "$v"; done <"$1"
}

s8() {
	scen_begin 8 libxl "libxl enrichment: xl pause/unpause domu1; its libxl record of vif 0 removed and restored; a stale libxl record of a vif 7 that does not exist; leftovers of a domain 999 the hypervisor never had"
	echo "$D1" >"$SDIR/domid"
	[ -n "$D1" ] || { scen_end; return 1; }
	xl pause domu1
	xl list >"$SDIR/xl-list-paused.txt" 2>&1
	vd "$SDIR" paused-status-json status --json
	vd "$SDIR" paused-status-text status domu1
	vd "$SDIR" paused-show-text show domu1
	xl unpause domu1
	xl list >"$SDIR/xl-list-running.txt" 2>&1
	vd "$SDIR" running-status-json status --json

	# a VIF libxl does not know: its record removed behind libxl's back
	local rec=/libxl/$D1/device/vif/0
	save_dir "$rec" "$SDIR/libxl-vif0.tsv"
	xenstore-rm "$rec"
	xl network-list domu1 >"$SDIR/xl-network-list-unlisted.txt" 2>&1
	vd "$SDIR" unlisted-status-json status --json
	restore_dir "$SDIR/libxl-vif0.tsv"
	xl network-list domu1 >"$SDIR/xl-network-list-restored.txt" 2>&1
	vd "$SDIR" restored-status-json status --json

	# a stale record: libxl lists vif 7, the store has neither end
	xenstore-write "/libxl/$D1/device/vif/7/handle" 7 \
		"/libxl/$D1/device/vif/7/backend" "/local/domain/0/backend/vif/$D1/7" \
		"/libxl/$D1/device/vif/7/frontend" "/local/domain/$D1/device/vif/7" \
		"/libxl/$D1/device/vif/7/mac" 00:16:3e:00:01:07 \
		"/libxl/$D1/device/vif/7/bridge" xenbr0
	xl network-list domu1 >"$SDIR/xl-network-list-stale.txt" 2>&1
	vd "$SDIR" stale-status-json status --json
	vd "$SDIR" stale-show-text show "domu1/7"
	xenstore-rm "/libxl/$D1/device/vif/7"

	# leftovers of a domain the hypervisor does not have (written without
	# @introduceDomain: watch, which follows introduced domains, does not see them)
	xenstore-write /local/domain/999/device/vif/0/state 4 \
		/local/domain/999/device/vif/0/backend /local/domain/0/backend/vif/999/0 \
		/local/domain/999/device/vif/0/backend-id 0
	vd "$SDIR" gone-status-json status --json
	vd "$SDIR" gone-status-text status
	xenstore-rm /local/domain/999
	probe "$SDIR" xlprobe
	snapshot "$SDIR/state"
	vd "$SDIR" status-json status --json
	scen_end
}

s5() {
	scen_begin 5 shutdown "xl shutdown -w domu1: teardown of its VIFs; then xl destroy domu2-nonetfront (never connected)"
	echo "$D1" >"$SDIR/domid"
	echo "$D2" >"$SDIR/domid2"
	if [ -n "$D1" ]; then
		xlrun "$SDIR" shutdown 120 shutdown -w domu1
		wait_gone "/local/domain/0/backend/vif/$D1" 60
		wait_gone "/local/domain/$D1" 60
	fi
	sleep 1
	snapshot "$SDIR/after-shutdown"
	vd "$SDIR" after-shutdown-status-json status --json
	if [ -n "$D2" ]; then
		xlrun "$SDIR" destroy 60 destroy domu2-nonetfront
		wait_gone "/local/domain/0/backend/vif/$D2" 60
	fi
	sleep 1
	snapshot "$SDIR/state"
	vd "$SDIR" status-json status --json
	vd "$SDIR" status-text status
	probe "$SDIR" xlprobe
	scen_end
}

s10() {
	scen_begin 10 bundle "vifdiag dump in dom0; on the host, status, check and log --from the bundle say what vifdiag said in dom0 just before and just after the dump"
	ensure_domu1 || { scen_end; return 1; }
	vd "$SDIR" status-before status --json
	# with the daemon's log as its time source, as check --from the bundle has it (its copy)
	vd "$SDIR" check-before check --json --min-severity info --log "$DLOG"
	VDT=300 vd "$SDIR" dump dump -o "$SDIR/bundle.tar.gz"
	vd "$SDIR" status-after status --json
	vd "$SDIR" check-after check --json --min-severity info --log "$DLOG"
	vd "$SDIR" log log --json "$DLOG"
	ls -A "$SDIR" >"$SDIR/ls-after-dump.txt"
	scen_end
}

# s11's own guest: 2 vCPUs, one VIF, pinging dom0 only while top runs (a whole run's other
# guests stay quiet)
s11() {
	scen_begin 11 top "vifdiag top -b -n 2 -d 2 in dom0 while a guest of its own (domu3) pings dom0 through its vif 0"
	local d st
	ip addr show dev xenbr0 | grep -q 10.99.0.1/24 || ip addr add 10.99.0.1/24 dev xenbr0
	guest_cfg domu3 2 "e2e.ip=10.99.0.3/24 e2e.ping=10.99.0.1" "mac=00:16:3e:00:03:00,bridge=xenbr0"
	xlrun "$SDIR" create 120 create "$CFG/domu3.cfg" || { say "xl create domu3 failed"; scen_end; return 1; }
	d=$(xl domid domu3)
	echo "$d" >"$SDIR/domid"
	wait_vif "$d" 0 90
	wait_console domu3 "DOMU: pinging" 90
	sleep 2
	st=/sys/class/net/vif$d.0/statistics
	snapshot "$SDIR/state"
	cat "$st/tx_packets" "$st/rx_packets" >"$SDIR/counters-before" 2>&1
	vd "$SDIR" top top -b -n 2 -d 2
	cat "$st/tx_packets" "$st/rx_packets" >"$SDIR/counters-after" 2>&1
	grep "vif$d\." /proc/interrupts >"$SDIR/interrupts.txt" 2>&1
	xlrun "$SDIR" destroy 60 destroy domu3
	wait_gone "/local/domain/0/backend/vif/$d" 60
	scen_end
}

# a micro-benchmark of this emulated machine (not part of "all")
sbench() {
	local t0 t1 i
	t0=$(now); for i in $(seq 1 100); do /bin/true; done; t1=$(now)
	say "bench: 100 fork+exec $(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}') s"
	t0=$(now); for i in $(seq 1 100); do xenstore-read /local/domain/0/name >/dev/null; done; t1=$(now)
	say "bench: 100 xenstore-read $(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}') s"
	t0=$(now); i=0; while [ $i -lt 20000 ]; do i=$((i + 1)); done; t1=$(now)
	say "bench: bash loop 20000 $(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}') s"
	t0=$(now); xenstore-ls -fp >/dev/null; t1=$(now)
	say "bench: xenstore-ls -fp $(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}') s"
	t0=$(now); vifdiag status >/dev/null; t1=$(now)
	say "bench: vifdiag status $(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}') s"
}

s12() {
	scen_begin 12 metrics "vifdiag metrics of the real host: stdout and --output, checked on the host by promtool and against xenstore and sysfs"
	ensure_domu1 || { scen_end; return 1; }
	snapshot "$SDIR/state"
	vd "$SDIR" metrics metrics
	vd "$SDIR" metrics-output metrics --output "$SDIR/vifdiag.prom"
	ls -A "$SDIR" >"$SDIR/ls-after-output.txt"
	snapshot "$SDIR/after"
	scen_end
}

# The emulated machine's pace all through the run: how long a fixed busy loop takes, every
# 5 s (about 0.1 s of dom0's CPU each time). check.sh scales its timing windows by it, at the
# time of each change: a host that is slower, or loaded for a while, stretches every
# reaction inside dom0 by the same factor.
pace_sampler() {
	local t0 t1 i
	while :; do
		i=0
		t0=$(now)
		while [ $i -lt 2000 ]; do i=$((i + 1)); done
		t1=$(now)
		echo "$t0 $t1" >>"$OUT/pace.tsv"
		sleep 5
	done
}

# ---- main
: >"$OUT/vd.tsv"
: >"$OUT/probe.tsv"
: >"$OUT/pace.tsv"
pace_sampler &
PACEPID=$!
say "runner: xenstored=$XS scenarios=$LIST"
now >"$OUT/t-runner-begin"
snapshot "$OUT/s0-dom0-only"
vd "$OUT/s0-dom0-only" status-json status --json

# the watcher, from before the first guest to after the last
mkdir -p "$OUT/s2-detach-attach"
xenstore-read /vifdiag-e2e/watch-begin >/dev/null 2>&1
"$VD" watch --json >"$OUT/watch.ndjson" 2>"$OUT/watch.err" &
WPID=$!
now >"$OUT/watch.t-begin"
# ready once its last watch is registered (the daemon log shows it)
for i in $(seq 1 100); do
	grep -q 'vifdiag:@releaseDomain' "$DLOG" 2>/dev/null && break
	sleep 0.1
done
sleep 0.5

named bench && sbench
want 1 && s1
want 2 && s2
want 3 && s3
want 7 && s7
want 4 && s4
want 8 && s8
want 12 && s12
want 10 && s10
want 11 && s11
want 5 && s5

sleep 2
kill -INT "$WPID"
wait "$WPID"
echo $? >"$OUT/watch.rc"
now >"$OUT/watch.t-end"
xenstore-read /vifdiag-e2e/watch-end >/dev/null 2>&1

# scenario 6: the daemon's own log, read by vifdiag log
scen_begin 6 log "vifdiag log over the real $( [ "$XS" = c ] && echo "C xenstored trace" || echo "oxenstored access log")"
cp "$DLOG" "$SDIR/"
vd "$SDIR" log-json log --json "$DLOG"
vd "$SDIR" log-text log "$DLOG"
vd "$SDIR" log-stats log --stats "$DLOG"
scen_end
[ "$XS" = o ] && cp /var/log/xen/xenstored.log "$OUT/" 2>/dev/null
now >"$OUT/t-runner-end"
kill "$PACEPID" 2>/dev/null
say "runner done"
exit 0
