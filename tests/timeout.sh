#!/bin/sh
# --timeout is an inactivity timeout, and nothing ends up hung: a slow but answering
# xenstored (vd-xenstored --delay) walked for longer than --timeout must succeed; a socket
# that accepts and never answers (tests/tools/mute-xenstored.py) is exit 3 for status and
# watch, and Ctrl-C/SIGTERM end a watch stuck on it with the summary (also when the real
# server goes away under a running watch and a mute one takes its socket); a path that is
# not a xenstored is "cannot connect"; the give-up path is clean under valgrind.
set -u
LIB=$(cd "$(dirname "$0")" && pwd)/lib.sh
B=${1:?usage: tests/timeout.sh BUILD_DIR}
B=$(cd "$B" && pwd)
cd "$(dirname "$0")/.." || exit 2
. "$LIB"
BIN=$B/vifdiag
XSD=$B/vd-xenstored
TO="timeout --foreground -k 5"
PIDS=""
cleanup() {
	for p in $PIDS; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

start_mute() { # SOCKET
	rm -f "$1" "$1.pid"
	python3 tests/tools/mute-xenstored.py "$1" "$1.pid" &
	MPID=$!
	PIDS="$PIDS $MPID"
	wait_for "$1.pid" . 10
}

start_xsd() { # SOCKET XSD-OPTIONS...
	s=$1
	shift
	rm -f "$s.pid"
	$TO 300 "$XSD" --socket "$s" --pidfile "$s.pid" "$@" 2>>"$T/xsd.err" &
	XPID=$!
	PIDS="$PIDS $XPID"
	wait_for "$s.pid" . 20
}

# --- a slow xenstored: every reply comes within 3 ms, the whole walk takes seconds
python3 scripts/gen-host.py 10 2 4 >"$T/h10.txt"
NO_COLOR=1 "$BIN" --from "$T/h10.txt" status >"$T/want" 2>/dev/null
wrc=$?
start_xsd "$T/slow.sock" --tree "$T/h10.txt" --delay 3 --stats "$T/slow.stats"
XENSTORED_PATH=$T/slow.sock NO_COLOR=1 $TO 120 "$BIN" --timeout 1 status >"$T/got" 2>"$T/err"
rc=$?
kill "$XPID"
wait "$XPID"
reqs=$(awk '$1 ~ /^A/ {s += $3} END {print s + 0}' "$T/slow.stats")
diff -u "$T/want" "$T/got" >"$T/d"
if [ "$rc" = "$wrc" ] && [ ! -s "$T/d" ]; then
	ok "a slow xenstored: status --timeout 1 reads all $reqs requests (exit $rc)"
else
	nok "a slow xenstored: status --timeout 1 exit $rc (want $wrc)"
	sed 's/^/# /' "$T/err" "$T/d" | head -20
fi
# the server slept 3 ms before each of them: the walk took longer than the timeout
if [ $((reqs * 3)) -ge 2000 ]; then ok "the slow walk lasted at least $((reqs * 3)) ms, twice the timeout"
else nok "the slow walk is too short to prove anything ($reqs requests)"; fi

# --- a mute xenstored
start_mute "$T/mute.sock"
XENSTORED_PATH=$T/mute.sock $TO 20 "$BIN" --timeout 1 show >"$T/o" 2>"$T/e"
rc=$?
if [ $rc = 3 ] && grep -q "did not answer within 1 s" "$T/e"; then ok "mute xenstored: show --timeout 1 is exit 3"
else nok "mute xenstored: show exit $rc"; sed 's/^/# /' "$T/e"; fi
# the per-domain read of a selection has the same watchdog
XENSTORED_PATH=$T/mute.sock $TO 20 "$BIN" --timeout 1 show 1 >"$T/o" 2>"$T/e"
rc=$?
if [ $rc = 3 ] && grep -q "did not answer within 1 s" "$T/e"; then ok "mute xenstored: show 1 --timeout 1 is exit 3"
else nok "mute xenstored: show 1 exit $rc"; sed 's/^/# /' "$T/e"; fi
XENSTORED_PATH=$T/mute.sock $TO 20 "$BIN" watch --timeout 1 >"$T/o" 2>"$T/e"
rc=$?
if [ $rc = 3 ] && grep -q "did not answer within 1 s" "$T/e"; then ok "mute xenstored: watch --timeout 1 is exit 3"
else nok "mute xenstored: watch --timeout 1 exit $rc"; sed 's/^/# /' "$T/e"; fi

# Ctrl-C and SIGTERM while xs_watch waits for a reply that never comes (--timeout 0 and
# the default: the signal must not wait for the timeout)
for sig in INT TERM; do
	for to in 0 30; do
		XENSTORED_PATH=$T/mute.sock $TO 40 "$BIN" watch --timeout $to >"$T/o" 2>"$T/e" &
		wpid=$!
		sleep 0.7
		kill -$sig "$wpid"
		$TO 5 sh -c "while kill -0 $wpid 2>/dev/null; do sleep 0.05; done"
		if kill -0 "$wpid" 2>/dev/null; then
			nok "mute xenstored: SIG$sig does not end watch --timeout $to"
			kill -KILL "$wpid"
			wait "$wpid"
			continue
		fi
		wait "$wpid"
		rc=$?
		if [ $rc = 0 ] && grep -q '^watched for' "$T/o"; then
			ok "mute xenstored: SIG$sig ends watch --timeout $to with the summary"
		else
			nok "mute xenstored: SIG$sig: watch --timeout $to exit $rc"
			sed 's/^/# /' "$T/o" "$T/e" | head -5
		fi
	done
done
kill "$MPID"
wait "$MPID" 2>/dev/null

# the real server goes away under a running watch, and a mute one takes its socket
d=$T/swap
mkdir -p "$d"
start_xsd "$d/sock" --tree tests/xsd/data/a-bringup-ls-fp.txt --access-log "$d/access.log"
XENSTORED_PATH=$d/sock $TO 60 "$BIN" watch --json >"$d/out" 2>"$d/err" &
wpid=$!
wait_for "$d/access.log" '@releaseDomain vifdiag:@releaseDomain' 20
kill "$XPID"
wait "$XPID"
wait_for "$d/out" '"status":"lost"' 10 || nok "swap: no lost event"
start_mute "$d/sock"
# let the watch reconnect to it and block there (backoff 100 ms, 200 ms, ...)
sleep 1.5
kill -INT "$wpid"
$TO 5 sh -c "while kill -0 $wpid 2>/dev/null; do sleep 0.05; done"
if kill -0 "$wpid" 2>/dev/null; then
	nok "swap: Ctrl-C does not end a watch reconnecting to a mute xenstored"
	kill -KILL "$wpid"
fi
wait "$wpid"
rc=$?
if [ $rc = 0 ] && tail -n 1 "$d/out" | jq -e '.event == "summary" and (.vifs | length) == 2' >/dev/null; then
	ok "swap: Ctrl-C ends a watch stuck on a mute xenstored with the summary of every VIF"
else
	nok "swap: exit $rc"
	tail -n 3 "$d/out" "$d/err" | sed 's/^/# /'
fi
kill "$MPID"
wait "$MPID" 2>/dev/null

# --- a path that is not a xenstored at all
for cmd in status watch "status 1"; do
	XENSTORED_PATH=/dev/null $TO 20 "$BIN" $cmd >"$T/o" 2>"$T/e"
	rc=$?
	if [ $rc = 3 ] && grep -q "cannot connect to xenstored (XENSTORED_PATH=/dev/null).*--from FILE" "$T/e" &&
		! grep -q "Bad file descriptor" "$T/e"; then
		ok "XENSTORED_PATH=/dev/null $cmd: cannot connect, with the hint"
	else
		nok "XENSTORED_PATH=/dev/null $cmd: exit $rc"
		sed 's/^/# /' "$T/e"
	fi
done

# --- valgrind on the give-up path (needs a build without ASan: the release build)
if command -v valgrind >/dev/null; then
	VB=$BIN
	if nm "$VB" 2>/dev/null | grep -q __asan_init; then
		VB=$(pwd)/build/vifdiag
		make -s --no-print-directory BUILD=build all >"$T/make" 2>&1 || VB=""
	fi
	if [ -z "$VB" ]; then
		nok "valgrind: cannot build build/vifdiag"
		sed 's/^/# /' "$T/make" | head
	else
		start_mute "$T/mute.sock"
		XENSTORED_PATH=$T/mute.sock $TO 120 valgrind -q --error-exitcode=1 --leak-check=full \
			--errors-for-leak-kinds=definite,possible "$VB" --timeout 1 status >"$T/o" 2>"$T/e"
		rc=$?
		if [ $rc = 3 ] && ! grep -q '==[0-9]*==' "$T/e"; then ok "valgrind: the --timeout give-up path is clean (exit 3)"
		else nok "valgrind: status --timeout 1: exit $rc"; sed 's/^/# /' "$T/e" | head -30; fi
		XENSTORED_PATH=$T/mute.sock $TO 120 valgrind -q --error-exitcode=1 --leak-check=full \
			--errors-for-leak-kinds=definite,possible "$VB" watch --timeout 1 >"$T/o" 2>"$T/e"
		rc=$?
		if [ $rc = 3 ] && ! grep -q '==[0-9]*==' "$T/e"; then ok "valgrind: watch --timeout give-up is clean (exit 3)"
		else nok "valgrind: watch --timeout 1: exit $rc"; sed 's/^/# /' "$T/e" | head -30; fi
		kill "$MPID"
		wait "$MPID" 2>/dev/null
	fi
else
	nok "valgrind is not installed (scripts/deps.sh lists it)"
fi

finish
