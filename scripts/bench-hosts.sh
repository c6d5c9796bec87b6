#!/bin/sh
# The live source at scale, for make bench (scripts/bench.sh appends this to
# bench/results.md): generated hosts (scripts/gen-host.py: N domains x 2 VIFs x 4 queues
# with the non-VIF keys of real guests and a mix of states) loaded into the test xenstored,
# and for each N the requests vifdiag sends (by operation, from vd-xenstored --stats), its
# wall time and peak RSS, for `status`, `status DOM`, `show DOM/0` and one watch event,
# next to `xenstore-ls -fp` of the same subtrees and the ratio. Prints a markdown section.
# BENCH_DOMS="10 100" changes the host sizes (default 10 100 1000 5000).
set -eu
B=${1:?usage: scripts/bench-hosts.sh BUILD_DIR}
B=$(cd "$B" && pwd)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$B/vifdiag
XSD=$B/vd-xenstored
DOMS=${BENCH_DOMS:-10 100 1000 5000}
D=$(mktemp -d "${TMPDIR:-/tmp}/vifdiag-hosts.XXXXXX")
XPID=""
trap '[ -n "$XPID" ] && kill "$XPID" 2>/dev/null; rm -rf "$D"' EXIT INT TERM

wait_for() { # FILE PATTERN SECONDS
	i=0
	while ! grep -q -- "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt $(($3 * 20)) ] && return 1
		sleep 0.05
	done
}

# the stats as they are now: "CONN OP COUNT" lines
snap_stats() {
	rm -f "$D/stats"
	kill -USR1 "$XPID"
	i=0
	while [ ! -e "$D/stats" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
	sleep 0.1
}

# requests of the connections numbered above $1 in the current stats: "total READ=n ..."
since() {
	awk -v from="$1" '$1 ~ /^A/ { n = substr($1, 2) + 0; if (n > from) { t += $3; op[$2] += $3 } }
		END { s = ""; for (o in op) s = s sprintf(" %s=%d", o, op[o]); print t + 0, s }' "$D/stats"
}
maxconn() { awk '$1 ~ /^A/ { n = substr($1, 2) + 0; if (n > m) m = n } END { print m + 0 }' "$D/stats"; }

now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc | sed 's/^\./0./'; }
ratio() { [ "$2" -gt 0 ] && echo "scale=3; $1 / $2" | bc | sed 's/^\./0./' || echo -; }

# run LABEL CMD...: one row; LS=the xenstore-ls -fp paths of the same subtrees
row() {
	label=$1
	shift
	snap_stats
	m=$(maxconn)
	t0=$(now)
	XENSTORED_PATH=$D/sock /usr/bin/time -f %M -o "$D/rss" "$@" >/dev/null 2>&1 || true
	t1=$(now)
	snap_stats
	set -- $(since "$m")
	vd=$1
	shift
	ops=$*
	m=$(maxconn)
	for p in $LS; do XENSTORED_PATH=$D/sock xenstore-ls -fp "$p" >/dev/null 2>&1 || true; done
	snap_stats
	ls=$(since "$m" | awk '{print $1}')
	printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n" "$label" "$vd" "$ops" "$ls" \
		"$(ratio "$vd" "$ls")" "$(secs "$t0" "$t1")" "$(($(tail -n 1 "$D/rss") / 1024)) MB"
}

echo "## Live source: requests to xenstored ($(uname -m), $(nproc) CPUs, $(date -u +%Y-%m-%d))"
echo
echo "Generated hosts: N domains x 2 VIFs x 4 queues (scripts/gen-host.py) in vd-xenstored;"
echo "requests counted by the server (--stats); anchor: \`xenstore-ls -fp\` of the same VIF"
echo "subtrees (it asks DIRECTORY, READ and GET_PERMS per node)."
echo
echo "| domains | command | vifdiag requests | by operation | xenstore-ls -fp requests | ratio | wall s | peak RSS |"
echo "|---|---|---|---|---|---|---|---|"
for n in $DOMS; do
	python3 "$ROOT/scripts/gen-host.py" "$n" 2 4 >"$D/tree"
	rm -f "$D/pid" "$D/access.log"
	"$XSD" --socket "$D/sock" --pidfile "$D/pid" --tree "$D/tree" --stats "$D/stats" \
		--access-log "$D/access.log" --access-log-no-reads 2>"$D/xsd.err" &
	XPID=$!
	wait_for "$D/pid" . 120
	half=$((n / 2))
	# the same subtrees: the VIFs and the guests' vCPUs (the multi-queue rules read them)
	LS="/local/domain/0/backend/vif $(seq -f /local/domain/%g/device/vif 1 "$n" | tr '\n' ' ')"
	LS="$LS $(seq -f /local/domain/%g/cpu 1 "$n" | tr '\n' ' ')"
	row status "$BIN" status
	LS="/local/domain/0/backend/vif/$half /local/domain/$half/device/vif"
	row "status $half" "$BIN" status "$half"
	LS="/local/domain/0/backend/vif/$half/0 /local/domain/$half/device/vif/0"
	row "show $half/0" "$BIN" show "$half/0"
	# one watch event: a backend state change of VIF half/0, after the start-up
	snap_stats
	m=$(maxconn)
	XENSTORED_PATH=$D/sock "$BIN" watch --json >"$D/watch.out" 2>&1 &
	wpid=$!
	wait_for "$D/access.log" '@releaseDomain vifdiag:@releaseDomain' 600
	sleep 0.5
	snap_stats
	set -- $(since "$m")
	up=$1
	t0=$(now)
	XENSTORED_PATH=$D/sock xenstore-write "/local/domain/0/backend/vif/$half/0/state" 5
	wait_for "$D/watch.out" "\"domid\":$half,.*\"to_name\":\"Closing\"" 60 || true
	t1=$(now)
	sleep 0.3
	snap_stats
	set -- $(since "$m")
	ev=$(($1 - up - 1)) # the xenstore-write is one request
	kill -INT "$wpid"
	wait "$wpid" || true
	m=$(maxconn)
	XENSTORED_PATH=$D/sock xenstore-ls -fp "/local/domain/0/backend/vif/$half/0" >/dev/null
	snap_stats
	ls=$(since "$m" | awk '{print $1}')
	printf '| %s | watch start-up | %s | (WATCH included) | - | - | - | - |\n' "$n" "$up"
	printf '| %s | one watch event | %s | | %s | %s | %s | - |\n' "$n" "$ev" "$ls" \
		"$(ratio "$ev" "$ls")" "$(secs "$t0" "$t1")"
	kill "$XPID"
	wait "$XPID" || true
	XPID=""
done
echo
