#!/bin/sh
# Hostile bytes never reach a terminal raw: every text output of every command (status,
# show, show --raw, help, errors; live and from a dump; watch over a replayed scenario in
# which the guest and the toolstack write escape sequences; log and log --stats over the
# logs the server wrote meanwhile and over a hand-made hostile log) is checked for control
# bytes, C1 controls and invalid UTF-8 (tests/tools/raw-controls.py), stdout and stderr,
# with colour off and on. The dump is tests/fixtures/hostile-strings.
set -u
LIB=$(cd "$(dirname "$0")" && pwd)/lib.sh
B=${1:?usage: tests/hostile.sh BUILD_DIR}
B=$(cd "$B" && pwd)
cd "$(dirname "$0")/.." || exit 2
. "$LIB"
BIN=$B/vifdiag
XSD=$B/vd-xenstored
HS=tests/fixtures/hostile-strings/tree.txt
RAW=tests/tools/raw-controls.py
TO="timeout --foreground -k 5"
PIDS=""
# the server's own pid is in its pidfile: timeout --foreground does not pass a KILL on
cleanup() {
	[ -s "$T/live/pid" ] && kill -TERM "$(cat "$T/live/pid")" 2>/dev/null
	for p in $PIDS; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
export TZ=UTC
unset NO_COLOR

# clean NAME WANT-RC CMD...: runs CMD with colour off and on; neither output leaks
clean() {
	name=$1 want=$2
	shift 2
	for col in never always; do
		"$@" --color=$col >"$T/out" 2>"$T/err"
		rc=$?
		sgr=
		[ $col = always ] && sgr=--sgr
		if [ "$rc" != "$want" ]; then
			nok "$name (--color=$col): exit $rc, expected $want"
			sed 's/^/# /' "$T/err" | head -5
		elif ! [ -s "$T/out" ] && ! [ -s "$T/err" ]; then
			nok "$name (--color=$col): no output at all"
		elif $RAW $sgr "$T/out" "$T/err" >"$T/raw"; then
			ok "$name (--color=$col): no raw control bytes"
		else
			nok "$name (--color=$col): raw control bytes"
			cat "$T/raw"
		fi
	done
}

# --- a dump
for args in status "status 2" show "show 2" "show 2/1" "show --raw" "show 2/1 --raw" \
	"show 2/0 --raw"; do
	want=1
	[ "$args" = "show 2/1" ] || [ "$args" = "show 2/1 --raw" ] && want=0
	# shellcheck disable=SC2086
	clean "dump: $args" $want "$BIN" --from "$HS" $args
done
clean "help" 0 "$BIN" help
E=$(printf 'x\033]0;T\007\033[2J')
clean "error quoting an argument" 2 "$BIN" --from "$HS" status "$E"
clean "error quoting a file name" 3 "$BIN" --from "$T/$E" status
clean "log: error quoting a file name" 3 "$BIN" log "$T/$E"

# --- live: the same store served by the test xenstored, then watch over a scenario in
# which the guest and the toolstack write escape sequences into keys watch reports
d=$T/live
mkdir -p "$d"
{
	echo "await-watch @releaseDomain"
	echo 'D2 write device/vif/1/state 9'
	echo 'sleep 80ms'
	echo 'D2 write device/vif/1/state 4\x1b]0;X\007\x1b[2J'
	echo 'sleep 80ms'
	echo 'A:hp write /local/domain/0/backend/vif/2/1/hotplug-error \x1b[31mPWNED\x1b[0m\r\x9b2J'
	echo 'A:hp write /local/domain/0/backend/vif/2/1/hotplug-status \x1b[2Jerror'
	echo 'sleep 80ms'
	echo 'D2 write error/device/vif/1/error \x1b]0;E\007bad \xc0\xaf'
	echo 'sleep 80ms'
	echo 'D2 write device/vif/1/multi-queue-num-queues \x1b[1m'
	echo 'sleep 80ms'
	echo 'D2 rm device/vif/2'
	echo 'sleep 1500ms'
	echo 'A:marker write /vifdiag-test/done 1'
} >"$d/scn"
rm -f "$d/pid"
$TO 120 "$XSD" --socket "$d/sock" --pidfile "$d/pid" --tree "$HS" --scenario "$d/scn" \
	--access-log "$d/access.log" --trace "$d/trace.log" 2>"$d/xsd.err" &
PIDS="$PIDS $!"
if wait_for "$d/pid" . 10; then
	for args in status show "show --raw"; do
		# shellcheck disable=SC2086
		clean "live: $args" 1 env XENSTORED_PATH="$d/sock" "$BIN" $args
	done
	XENSTORED_PATH=$d/sock $TO 60 "$BIN" --color=never watch --stall connect=1 \
		>"$d/watch.out" 2>"$d/watch.err" &
	wpid=$!
	PIDS="$PIDS $wpid"
	if wait_for "$d/access.log" /vifdiag-test/done 40; then
		sleep 0.3
		kill -INT "$wpid"
		wait "$wpid"
		rc=$?
		if [ "$rc" != 1 ]; then
			nok "watch over hostile writes: exit $rc, expected 1"
			sed 's/^/# /' "$d/watch.err" | head -5
		elif ! grep -q 'PWNED' "$d/watch.out" || ! grep -q '^watched for' "$d/watch.out"; then
			nok "watch over hostile writes: the changes or the summary are missing"
			sed 's/^/# /' "$d/watch.out" | head -20
		elif $RAW "$d/watch.out" "$d/watch.err" >"$T/raw"; then
			ok "watch over hostile writes, with its summary: no raw control bytes"
		else
			nok "watch over hostile writes: raw control bytes"
			cat "$T/raw"
		fi
	else
		nok "watch: the scenario did not finish"
		sed 's/^/# /' "$d/xsd.err" "$d/watch.err" | head -10
	fi
	# a state that is not a XenbusState (not a number, or past 8) is said to be one, as
	# status says, never "no frontend, or its state is unreadable"
	if grep -q 'frontend  state Connected -> invalid (9) .*\[invalid/Connected: frontend state is not a XenbusState\]' "$d/watch.out" &&
		grep -q 'frontend  state invalid (9) -> invalid "4\\x1b\]0;X\\x07\\x1b\[2J" .*\[invalid/Connected: frontend state is not a XenbusState\]' "$d/watch.out" &&
		! grep 'invalid/.*unreadable' "$d/watch.out"; then
		ok "watch: a frontend state 9 or 4<ESC>... is not a XenbusState"
	else
		nok "watch: meaning of an invalid frontend state"
		grep ' state ' "$d/watch.out" | sed 's/^/# /'
	fi
	for f in access.log trace.log; do
		clean "log of the server's $f" 1 "$BIN" log "$d/$f"
		clean "log --stats of the server's $f" 0 "$BIN" log --stats "$d/$f"
	done
else
	nok "live: the test xenstored did not start"
	sed 's/^/# /' "$d/xsd.err"
fi

# --- hand-made hostile logs: OCaml-escaped values (\ddd decimal) in an access log, raw
# bytes where a log holds them unescaped, a hostile watch path and token for --stats
L=$T/hostile.access.log
{
	printf '[20261125T04:15:46.000Z]  A7           watch     /local/domain/\\027[2J \\027]0;T\\007\n'
	printf '[20261125T04:15:46.100Z]  A7           write     /local/domain/0/backend/vif/1/0/frontend x\n'
	printf '[20261125T04:15:46.200Z]  A7           write     /local/domain/0/backend/vif/1/0/hotplug-error \\027[2J\\007evil\\155\n'
	printf '[20261125T04:15:46.300Z]  A7           write     /local/domain/0/backend/vif/1/0/hotplug-status error\n'
	printf '[20261125T04:15:46.400Z]  D1           write     device/vif/0/state \\027]0;x\\007\n'
	printf '[20261125T04:15:46.500Z]  D1           write     device/vif/0/state 9\n'
	printf '[20261125T04:15:46.600Z]  \033[2J         write     /x 1\n'
	printf 'raw \033]0;T\007 \302\233 junk\n'
	printf '[20261125T04:15:46.700Z]  D1           w event   /local/domain/\033[2J tok\n'
} >"$L"
clean "log over a hostile access log" 1 "$BIN" log "$L"
clean "log --stats over a hostile access log" 0 "$BIN" log --stats "$L"
"$BIN" log --json "$L" 2>/dev/null | jq -s -c '[.[] | select(.event == "state") | [.to, .to_name, .meaning]]' >"$T/o"
if [ "$(cat "$T/o")" = '[[null,"invalid","frontend state is not a XenbusState"],[9,"invalid","frontend state is not a XenbusState"]]' ] &&
	"$BIN" log "$L" 2>/dev/null | grep -q 'state invalid "\\x1b\]0;x\\x07" -> invalid (9) after 0.100 s \[invalid/(none): frontend state is not a XenbusState\]'; then
	ok "log: a frontend state 9 or <ESC>... is not a XenbusState (text and JSON)"
else
	nok "log: meaning of an invalid frontend state"
	sed 's/^/# /' "$T/o"
	"$BIN" log "$L" 2>/dev/null | grep ' state ' | sed 's/^/# /'
fi
printf 'IN 0x55 20261125 04:15:38 WRITE (/local/domain/0/backend/vif/1/0/state \033[2J)\nIN 0x55 20261125 04:15:39 WATCH_EVENT (/x \033]0;T\007)\n\033[5m\n' >"$T/hostile.trace"
clean "log over a hostile trace" 0 "$BIN" log "$T/hostile.trace"
clean "log --stats over a hostile trace" 0 "$BIN" log --stats "$T/hostile.trace"

finish
