#!/bin/sh
# The host side on real kernel objects: in a network namespace of its own, a real Linux
# bridge and veths named like vifs (vif1.0, vif1.1, vif1.0-emu); vifdiag reads the
# namespace's real sysfs (ip netns exec mounts it on /sys) against the real a-bringup
# xenstore dump and must report membership, operstate, carrier, MTU and queue counts.
# veths have no xen-backend device link, so this also proves the by-name fallback.
# Needs root and ip(8). Where the machine refuses a namespace this says so loudly on
# stdout and stderr and reports no test at all: a skip is not a pass.
#   tests/netns.sh BUILD_DIR
set -u
B=${1:?usage: tests/netns.sh BUILD_DIR}
B=$(cd "$B" && pwd)
cd "$(dirname "$0")" || exit 2
BIN=$B/vifdiag
TREE=$PWD/fixtures/host-linux-bridge/tree.txt
NS=vifdiag-test-$$
T=$(mktemp -d)
failed=0

ok() { echo "ok - netns: $*"; }
nok() { echo "not ok - netns: $*"; failed=1; }
refused() {
	echo "# WARNING: cannot create a network namespace here: $*"
	echo "# WARNING: cannot create a network namespace here: $*" >&2
	rm -rf "$T"
	exit 0
}

command -v ip >/dev/null 2>&1 || refused "ip(8) is not installed"
command -v jq >/dev/null 2>&1 || refused "jq is not installed"
[ "$(id -u)" = 0 ] || refused "not root (uid $(id -u))"
ip netns add "$NS" 2>"$T/err" || refused "ip netns add: $(cat "$T/err")"
trap 'ip netns del "$NS" 2>/dev/null; rm -rf "$T"' EXIT
in_ns() { ip netns exec "$NS" "$@"; }
in_ns true 2>"$T/err" || refused "ip netns exec: $(cat "$T/err")"
# without its own sysfs mount the namespace would show the host's interfaces
in_ns ls /sys/class/net >"$T/ifs" 2>&1
[ "$(cat "$T/ifs")" = lo ] || refused "ip netns exec did not mount the namespace's sysfs (/sys/class/net: $(tr '\n' ' ' <"$T/ifs"))"

step() {
	# shellcheck disable=SC2068
	in_ns "$@" 2>"$T/err" || { nok "setup '$*' failed: $(cat "$T/err")"; exit 1; }
}

# operstate follows carrier through the kernel's linkwatch, up to a second later
wait_oper() {
	i=0
	while [ "$(in_ns cat "/sys/class/net/$1/operstate")" != "$2" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# run NAME ARGS...: vifdiag in the namespace on the real sysfs; JSON in $T/NAME.json
run() {
	name=$1
	shift
	in_ns env -u VIFDIAG_OVS_VSCTL "$BIN" --from "$TREE" --sysfs-root / "$@" \
		>"$T/$name" 2>"$T/$name.err"
	echo $? >"$T/$name.rc"
}

# check NAME DESCRIPTION FILTER: jq -e FILTER holds on the output of run NAME
check() {
	if jq -e "$3" "$T/$1" >/dev/null 2>"$T/jqerr"; then
		ok "$2"
	else
		nok "$2"
		echo "#   filter: $3"
		sed 's/^/#   /' "$T/jqerr" "$T/$1.err"
		jq -c '.vifs[] | {devid, verdict, host, codes: [.findings[].code]}' "$T/$1" 2>/dev/null |
			sed 's/^/#   /'
	fi
}

# the a-bringup host: xenbr0, vif1.0 with 2 queues, vif1.1 with 1, both up on the bridge
step ip link add xenbr0 type bridge
step ip link add vif1.0 numtxqueues 2 numrxqueues 2 type veth peer name peer10
step ip link add vif1.1 type veth peer name peer11
step ip link set dev vif1.0 master xenbr0
step ip link set dev vif1.1 master xenbr0
for d in peer10 peer11 vif1.0 vif1.1 xenbr0; do step ip link set dev "$d" up; done
wait_oper vif1.0 up
wait_oper vif1.1 up

run healthy status --json
check healthy "healthy: both VIFs ok" '[.vifs[].verdict] == ["ok","ok"]'
[ "$(cat "$T/healthy.rc")" = 0 ] && ok "healthy: exit status 0" ||
	nok "healthy: exit status $(cat "$T/healthy.rc"), expected 0"
check healthy "real sysfs: vif1.0 on Linux bridge xenbr0, up, carrier, MTU 1500, 2 queues" \
	'.vifs[0].host | .netdev == "vif1.0" and .bridge == "xenbr0" and .bridge_kind == "linux" and .operstate == "up" and .carrier == true and .admin_up == true and .mtu == 1500 and .bridge_mtu == 1500 and .tx_queues == 2 and .rx_queues == 2'
check healthy "real sysfs: vif1.1 with 1 queue, found by name (a veth has no device link)" \
	'.vifs[1].host | .netdev == "vif1.1" and .bridge == "xenbr0" and .tx_queues == 1 and .mapped_by == "name" and .domid == 0 and .domid_assumed'
check healthy "xenstore's bridge stays in backend.bridge" \
	'all(.vifs[]; .backend.bridge == "xenbr0" and .host_unavailable == null)'

run healthy-text status
if grep -q 'NETDEV  LINK  VERDICT' "$T/healthy-text" && grep -q 'xenbr0  vif1.1  up    ok' "$T/healthy-text"; then
	ok "status text has the LINK column from the real sysfs"
else
	nok "status text lacks the LINK column"
	sed 's/^/#   /' "$T/healthy-text"
fi

# an HVM emulated twin beside vif1.0
step ip link add vif1.0-emu type veth peer name peeremu
step ip link set dev vif1.0-emu master xenbr0
run twin show 1/0 --json
check twin "vif1.0-emu shown as vif1.0's twin, on xenbr0" \
	'[.vifs[0].host.twins[] | .netdev + "@" + .master] == ["vif1.0-emu@xenbr0"]'
step ip link del vif1.0-emu

# MTU: the bridge's set explicitly (so it no longer follows its ports), vif1.0 jumbo
step ip link set dev xenbr0 mtu 1500
step ip link set dev vif1.0 mtu 9000
run mtu status --json
check mtu "vif1.0 MTU 9000 against the bridge's 1500: mtu-mismatch" \
	'.vifs[0] | .verdict == "mtu-mismatch" and .host.mtu == 9000 and .host.bridge_mtu == 1500'
[ "$(cat "$T/mtu.rc")" = 1 ] && ok "mtu: exit status 1" || nok "mtu: exit status $(cat "$T/mtu.rc")"
step ip link set dev vif1.0 mtu 1500

# R9: vif1.1 administratively down
step ip link set dev vif1.1 down
wait_oper vif1.1 down
run down status --json
check down "vif1.1 set down: link-down, operstate down, not admin up" \
	'.vifs[1] | .verdict == "link-down" and .host.operstate == "down" and .host.admin_up == false and .host.link == "off" and ([.findings[].code] | index("if-down") != null)'
check down "vif1.0 still ok" '.vifs[0].verdict == "ok"'
step ip link set dev vif1.1 up

# the guest side gone: no carrier on vif1.0 while xenstore says Connected
step ip link set dev peer10 down
wait_oper vif1.0 lowerlayerdown
run carrier status --json
check carrier "vif1.0 without carrier: link-down, carrier false" \
	'.vifs[0] | .verdict == "link-down" and .host.carrier == false and ([.findings[].code] | index("no-carrier") != null)'
step ip link set dev peer10 up

# R10: vif1.1 taken off the bridge
step ip link set dev vif1.1 nomaster
run nomaster status --json
check nomaster "vif1.1 on no bridge: not-bridged, bridge null" \
	'.vifs[1] | .verdict == "not-bridged" and .host.bridge == null and .host.bridge_kind == null and .backend.bridge == "xenbr0"'

# and on another bridge than xenstore asks
step ip link add br-other type bridge
step ip link set dev vif1.1 master br-other
run wrong status --json
check wrong "vif1.1 on br-other: wrong-bridge" \
	'.vifs[1] | .verdict == "wrong-bridge" and .host.bridge == "br-other" and .host.bridge_kind == "linux"'

# vif1.1 gone altogether
step ip link del vif1.1
run gone status --json
check gone "vif1.1 deleted: no-netdev" \
	'.vifs[1] | .verdict == "no-netdev" and .host.netdev == null and (.host.netdev_missing | test("vif1.1"))'

# nothing under the sysfs root was written: the namespace holds what we made (deleting
# vif1.1 took its peer along)
in_ns ls /sys/class/net | sort | tr '\n' ' ' >"$T/after"
if [ "$(cat "$T/after")" = "br-other lo peer10 vif1.0 xenbr0 " ]; then
	ok "the namespace holds exactly the interfaces the test made"
else
	nok "unexpected interfaces: $(cat "$T/after")"
fi
exit $failed
