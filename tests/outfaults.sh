#!/bin/sh
# Output faults: status, show (text and JSON, from a dump and live), log (text, JSON,
# --stats) and watch writing to a closed stdout and to a full disk (/dev/full) must exit 4
# with one "vifdiag: ..." line on stderr, never crash (no signal, no sanitizer report) and
# never exit 0 with part of the output lost; into a pipe whose reader left (`| head -1`)
# they stop at once, quietly (killed by SIGPIPE as ls is, or exit 4 with one line), and
# do not hang. The inputs are large enough (a generated 400-VIF host) that the output does
# not fit the stdio buffer or the pipe.
set -u
LIB=$(cd "$(dirname "$0")" && pwd)/lib.sh
B=${1:?usage: tests/outfaults.sh BUILD_DIR}
B=$(cd "$B" && pwd)
cd "$(dirname "$0")/.." || exit 2
. "$LIB"
BIN=$B/vifdiag
XSD=$B/vd-xenstored
xpid=""
cleanup() {
	[ -n "$xpid" ] && kill "$xpid" 2>/dev/null && wait "$xpid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
export TZ=UTC

python3 scripts/gen-host.py 200 2 2 >"$T/big.txt"
LOGF=tests/logs/real-4.17-b-hotplug-detach.trace
# a long log: the same trace many times over (its timeline is long in text and JSON)
for i in 1 2 3 4 5 6 7 8; do cat "$LOGF"; done >"$T/big.trace"

# one run: NAME MODE CMD...; MODE closed | full | pipe
run() {
	name=$1 mode=$2
	shift 2
	case $mode in
	closed) timeout -k 5 60 "$@" >&- 2>"$T/err" ;;
	full) timeout -k 5 60 "$@" >/dev/full 2>"$T/err" ;;
	pipe)
		# the exit status of vifdiag, not of head
		{
			timeout -k 5 60 "$@" 2>"$T/err"
			echo $? >"$T/rc"
		} | head -1 >/dev/null
		return "$(cat "$T/rc")"
		;;
	esac
}

check() { # NAME MODE CMD...
	name=$1 mode=$2
	run "$@"
	rc=$?
	# the log's own warnings (its time goes backwards where the copies join) are not errors
	lines=$(grep -vc '^vifdiag: warning: ' "$T/err")
	if grep -q 'Sanitizer\|runtime error' "$T/err"; then
		nok "$name >$mode: sanitizer report"
		head -5 "$T/err" | sed 's/^/# /'
		return
	fi
	case $mode:$rc in
	pipe:141 | pipe:0 | pipe:1)
		# killed by SIGPIPE (141 through the shell), or its output fitted in the pipe
		# before the reader left (0 or 1, its usual verdict)
		if [ "$lines" -eq 0 ]; then
			ok "$name | head -1: quiet ($rc)"
		else
			nok "$name | head -1: status $rc with $lines lines on stderr"
			sed 's/^/# /' "$T/err" | head -5
		fi
		;;
	*:4)
		if [ "$lines" -eq 1 ] && grep -q '^vifdiag: ' "$T/err"; then
			ok "$name >$mode: exit 4, $(grep -v '^vifdiag: warning: ' "$T/err")"
		else
			nok "$name >$mode: exit 4 but $lines lines on stderr"
			sed 's/^/# /' "$T/err" | head -5
		fi
		;;
	*:124 | *:137) nok "$name >$mode: hung (killed by the test's timeout)" ;;
	*)
		nok "$name >$mode: exit $rc (expected 4$([ "$mode" = pipe ] && echo ' or SIGPIPE'))"
		sed 's/^/# /' "$T/err" | head -5
		;;
	esac
}

for mode in closed full pipe; do
	check "status --from" $mode "$BIN" status --from "$T/big.txt"
	check "status --json --from" $mode "$BIN" status --json --from "$T/big.txt"
	check "show --from" $mode "$BIN" show --from "$T/big.txt"
	check "show --json --from" $mode "$BIN" show --json --from "$T/big.txt"
	check "log" $mode "$BIN" log "$T/big.trace"
	check "log --json" $mode "$BIN" log --json "$T/big.trace"
	check "log --stats" $mode "$BIN" log --stats "$T/big.trace"
	check "help" $mode "$BIN" help
done

# live: the same host in the test xenstored
"$XSD" --socket "$T/sock" --pidfile "$T/pid" --tree "$T/big.txt" 2>"$T/xsd.err" &
xpid=$!
i=0
while [ ! -s "$T/pid" ] && [ $i -lt 400 ]; do
	i=$((i + 1))
	sleep 0.05
done
export XENSTORED_PATH=$T/sock
for mode in closed full pipe; do
	check "status (live)" $mode "$BIN" status
	check "show --json (live)" $mode "$BIN" show --json
done
# watch prints its summary of every VIF when Ctrl-C (SIGINT after 3 s) ends it
for mode in closed full pipe; do
	check "watch (live)" $mode timeout --preserve-status -s INT 3 "$BIN" watch
	check "watch --json (live)" $mode timeout --preserve-status -s INT 3 "$BIN" watch --json
done
finish
