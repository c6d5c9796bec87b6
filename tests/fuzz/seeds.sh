#!/bin/sh
# tests/fuzz/seeds.sh TARGET DIR: writes TARGET's seed corpus into DIR, from the fixtures
# (tests/fixtures, tests/logs, tests/unit/data) and the real Xen 4.17 captures
# (/work/shared/captures, or $VD_CAPTURES; skipped when absent). Seeds are derived at run
# time instead of copied, so they follow the fixtures. tests/fuzz/<target>/corpus/ holds
# hand-made seeds on top.
set -eu
t=${1:?usage: seeds.sh TARGET DIR}
d=${2:?usage: seeds.sh TARGET DIR}
cd "$(dirname "$0")/../.."
CAP=${VD_CAPTURES:-/work/shared/captures}
mkdir -p "$d"
seed() { # seed NAME < content: named by its checksum, so that duplicates collapse
	cat >"$d/.new"
	sum=$(cksum <"$d/.new" | cut -d' ' -f1)
	mv "$d/.new" "$d/$1-$sum"
}
dumps() { # every xenstore-ls dump we have, in all three formats
	ls tests/fixtures/*/tree.txt tests/unit/data/*.txt 2>/dev/null | grep -v README
	[ -d "$CAP" ] && find "$CAP" -name 'xenstore-ls-*.txt' | sort
	return 0
}
# pieces of a big log: 4 KiB from the start, the middle and the end
pieces() {
	sz=$(wc -c <"$1")
	if [ "$sz" -le 8192 ]; then
		seed "$(basename "$1")" <"$1"
		return
	fi
	head -c 4096 "$1" | seed "$(basename "$1").head"
	tail -c +$((sz / 2)) "$1" | head -c 4096 | seed "$(basename "$1").mid"
	tail -c 4096 "$1" | seed "$(basename "$1").tail"
}
[ -d "tests/fuzz/$t/corpus" ] && cp "tests/fuzz/$t/corpus/"* "$d/" 2>/dev/null
case $t in
dump)
	for f in $(dumps); do seed "$(basename "$(dirname "$f")")" <"$f"; done ;;
model)
	# "PATH VALUE" lines from the -f/-fp dumps (the value keeps its xenstore-ls escapes)
	for f in $(dumps); do
		sed -n 's/^\(\/[^ ]*\) = "\(.*\)"\( *(.*)\)\{0,1\} *$/\1 \2/p' "$f" |
			seed "$(basename "$(dirname "$f")")"
	done ;;
log)
	for f in tests/logs/*; do pieces "$f"; done
	if [ -d "$CAP" ]; then
		for f in $(find "$CAP" -name 'xenstored-trace*.log' | sort); do pieces "$f"; done
	fi ;;
ioring)
	for f in $(find tests/fixtures -name 'io_ring_q*' | sort); do seed ring <"$f"; done
	if [ -d "$CAP" ]; then
		for f in $(find "$CAP" -name 'debugfs-xen-netback.txt' | sort); do
			awk -v d="$d" -v c="$(dirname "$(dirname "$f")" | tr / _)" \
				'/^## /{n++; next} {print > (d "/cap-ring-" c "-" n)}' "$f"
		done
	fi ;;
sysfs)
	# the host fixtures' vif1.0 values, NUL-separated in fuzz.c's field order
	for s in tests/fixtures/host-*/sysfs; do
		net=$s/sys/devices/vif-1-0/net/vif1.0
		[ -d "$net" ] || continue
		for f in $net/operstate $net/carrier $net/flags $net/mtu $net/address \
			$s/sys/devices/vif-1-0/nodename $s/sys/devices/vif-1-0/state \
			$s/sys/kernel/debug/xen-netback/vif1.0/io_ring_q0 \
			$s/sys/kernel/debug/xen-netback/vif1.0/io_ring_q1 \
			$s/sys/module/xen_netback/parameters/max_queues \
			$s/sys/module/xen_netback/parameters/separate_tx_rx_irq \
			$s/sys/module/xen_netback/parameters/rx_stall_timeout_msecs \
			$s/sys/module/xen_netback/parameters/provides_xdp_headroom; do
			cat "$f" 2>/dev/null || true
			printf '\0'
		done | seed "$(basename "$(dirname "$s")")"
	done ;;
esc | json)
	# guest values as the fixtures hold them, unescaped by the dump parser's rules
	for f in tests/fixtures/hostile-strings/tree.txt tests/fixtures/windows-ctrl-ring/tree.txt; do
		sed -n 's/^\/[^ ]* = "\(.*\)".*$/\1/p' "$f" | head -200 | seed values
	done
	printf 'caf\303\251 \342\200\256evil\033[2J\r\n\302\233x\377' | seed mixed ;;
*) ;;
esac
