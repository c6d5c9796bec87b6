#!/bin/sh
# The demo: a realistic host (several guests, VIFs in different states) served by the test
# xenstored on a private socket, then vifdiag against it through the real libxenstore.
set -eu
B=${1:-build}
TREE=${2:-tests/fixtures/multi-domain-host/tree.txt}
T=$(mktemp -d)
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

"$B/vd-xenstored" --socket "$T/socket" --pidfile "$T/pid" --tree "$TREE" &
pid=$!
i=0
while [ ! -s "$T/pid" ]; do
	i=$((i + 1))
	[ $i -gt 100 ] && { echo "demo: the test xenstored did not start" >&2; exit 1; }
	sleep 0.05
done
export XENSTORED_PATH="$T/socket"

run() {
	printf '\n$ %s\n' "$*"
	"$@" || true
}

echo "A Xen host with several guests, served by tests/xsd (the test xenstored) from"
echo "$TREE; vifdiag reads it live through libxenstore (XENSTORED_PATH=$T/socket)."
run "$B/vifdiag" status
broken=$("$B/vifdiag" status --json | jq -r '[.vifs[] | select(.verdict != "ok")][0] | "\(.domid)/\(.devid)"')
[ "$broken" != "null/null" ] && run "$B/vifdiag" show "$broken"
echo
echo "The same host offline, from the xenstore-ls -fp dump it was loaded from:"
run "$B/vifdiag" --from "$TREE" status
