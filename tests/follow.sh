#!/bin/sh
# `vifdiag log --follow` behaves like tail -F: a writer appends while the test rotates the
# file by rename and by truncation (copytruncate); the output must be exactly what was
# written, once. Each line writes a new value to an error node, so every line is one event
# whose message says which line it was. The races are also forced: the follower is
# stopped (SIGSTOP) while the file is rotated twice, or copied and truncated.
set -u
B=${1:?usage: tests/follow.sh BUILD_DIR}
B=$(cd "$B" && pwd)
cd "$(dirname "$0")/.." || exit 2
BIN=$B/vifdiag
T=$(mktemp -d)
TO="timeout --foreground -k 5" # no SIGCONT to the group: see tests/watch.sh
FPID=""
cleanup() {
	if [ -n "$FPID" ]; then
		pkill -KILL -P "$FPID" 2>/dev/null
		kill -KILL "$FPID" 2>/dev/null
	fi
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ok() { echo "ok - $*"; }
nok() { echo "not ok - $*"; : >"$T/failed"; }

# line N: an access-log line whose event carries "msg-N"
line() {
	printf '[20261125T04:%02d:%02d.%03dZ]  D1           write     error/device/vif/0/error msg-%d\n' \
		$(($1 / 60000 % 60)) $(($1 / 1000 % 60)) $(($1 % 1000)) "$1"
}

start() { # DIR [OPTIONS...]
	d=$1
	shift
	$TO 120 "$BIN" log --follow --json "$@" "$d/log" >"$d/out" 2>"$d/err" &
	FPID=$!
	sleep 0.3
}

# got DIR: the line numbers seen, in order
got() { jq -r '.message' "$1/out" | sed 's/^msg-//'; }

# wait_count DIR N: until N events were printed (at most 20 s)
wait_count() {
	i=0
	while [ "$(wc -l <"$1/out")" -lt "$2" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
}

finish() { # DIR NAME WANT-FILE
	sleep 0.3
	kill -INT "$FPID"
	wait "$FPID"
	rc=$?
	FPID=""
	got "$1" >"$1/got"
	if diff "$3" "$1/got" >"$1/diff"; then ok "$2"
	else nok "$2"; head -20 "$1/diff" | sed 's/^/# /'; sed 's/^/# /' "$1/err" | head -5; fi
	if [ "$rc" -le 1 ]; then ok "$2: SIGINT ends it cleanly (exit $rc)"
	else nok "$2: exit $rc"; fi
}

# --- a writer appending while rotating every 100 lines, alternately by rename and copytruncate
d=$T/live
mkdir -p "$d"
: >"$d/log"
start "$d"
n=2000
i=1
while [ $i -le $n ]; do
	line $i >>"$d/log"
	if [ $((i % 100)) = 0 ]; then
		if [ $((i / 100 % 2)) = 1 ]; then
			mv "$d/log" "$d/log.1"
		else
			cp "$d/log" "$d/log.1" && : >"$d/log"
		fi
	fi
	[ $((i % 37)) = 0 ] && sleep 0.01
	i=$((i + 1))
done
seq 1 $n >"$d/want"
wait_count "$d" $n
finish "$d" "writer and rotations (rename, copytruncate) every 100 lines: all $n lines, once, in order" "$d/want"

# --- forced: rotated twice by rename while the follower was stopped
d=$T/twice
mkdir -p "$d"
seq 1 5 | while read -r k; do line "$k"; done >"$d/log"
start "$d"
wait_count "$d" 5
kill -STOP "$FPID"
line 6 >>"$d/log"
mv "$d/log" "$d/log.1"
line 7 >"$d/log"
mv "$d/log.1" "$d/log.2"
mv "$d/log" "$d/log.1"
line 8 >"$d/log"
kill -CONT "$FPID"
seq 1 8 >"$d/want"
wait_count "$d" 8
finish "$d" "two renames while it was stopped: the file in between is read too" "$d/want"

# --- rename rotation, then delete-and-recreate (issue 16 #6): FILE.1 was read already,
# it is not "a file in between" to read again; also when it was read as part of the set
for pre in "" set; do
	d=$T/recreate$pre
	mkdir -p "$d"
	first=1
	if [ -n "$pre" ]; then
		seq 1 100 | while read -r k; do line "$k"; done >"$d/log.1"
		first=101
	fi
	seq $first 200 | while read -r k; do line "$k"; done >"$d/log"
	start "$d"
	wait_count "$d" 200
	if [ -z "$pre" ]; then
		seq 201 300 | while read -r k; do line "$k"; done >>"$d/log"
		mv "$d/log" "$d/log.1"
		seq 301 400 | while read -r k; do line "$k"; done >"$d/log"
		wait_count "$d" 400
	fi
	rm "$d/log"
	seq 401 500 | while read -r k; do line "$k"; done >"$d/log"
	[ -n "$pre" ] && seq 1 200 >"$d/want" && seq 401 500 >>"$d/want"
	[ -z "$pre" ] && seq 1 500 >"$d/want"
	wait_count "$d" "$(wc -l <"$d/want")"
	what="rename rotation"
	[ -n "$pre" ] && what="the rotated set read first"
	finish "$d" "$what, then delete-and-recreate: every line once" "$d/want"
done

# --- forced: copytruncate while stopped, with lines it had not read yet
d=$T/copy
mkdir -p "$d"
seq 1 3 | while read -r k; do line "$k"; done >"$d/log"
start "$d"
wait_count "$d" 3
kill -STOP "$FPID"
line 4 >>"$d/log"
line 5 >>"$d/log"
cp "$d/log" "$d/log.1"
: >"$d/log"
line 6 >>"$d/log"
line 7 >>"$d/log"
line 8 >>"$d/log"
line 9 >>"$d/log"
kill -CONT "$FPID"
seq 1 9 >"$d/want"
wait_count "$d" 9
finish "$d" "copytruncate while stopped, the new file already longer: unread lines come from the copy" "$d/want"

# --- a line written in two pieces is one line
d=$T/partial
mkdir -p "$d"
: >"$d/log"
start "$d"
line 1 >>"$d/log"
line 2 | head -c 40 >>"$d/log"
sleep 0.5
line 2 | tail -c +41 >>"$d/log"
line 3 >>"$d/log"
seq 1 3 >"$d/want"
wait_count "$d" 3
finish "$d" "a line written in two pieces is read once, whole" "$d/want"
if [ ! -s "$d/err" ]; then ok "partial line: no malformed-line warning"
else nok "partial line: warnings"; sed 's/^/# /' "$d/err"; fi

# --- truncated without a copy: what comes after is read from the start
d=$T/trunc
mkdir -p "$d"
seq 1 3 | while read -r k; do line "$k"; done >"$d/log"
start "$d"
wait_count "$d" 3
: >"$d/log"
sleep 0.3
line 4 >>"$d/log"
seq 1 4 >"$d/want"
wait_count "$d" 4
finish "$d" "truncated in place: later lines are read from the start" "$d/want"

# --- a followed log is live: a VIF stuck while the log is quiet stalls on the wall clock
d=$T/stall
mkdir -p "$d"
now=$(date -u +%Y%m%dT%H:%M:%S.000Z)
{
	echo "[$now]  A3           write     /local/domain/0/backend/vif/4/0/frontend /local/domain/4/device/vif/0"
	echo "[$now]  A3           write     /local/domain/0/backend/vif/4/0/hotplug-status "
	echo "[$now]  D0           write     backend/vif/4/0/state 2"
} >"$d/log"
$TO 60 "$BIN" log --follow --json --stall hotplug=1 "$d/log" >"$d/out" 2>"$d/err" &
FPID=$!
i=0
while ! grep -q '"stall"' "$d/out" && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
kill -INT "$FPID"
wait "$FPID"
rc=$?
FPID=""
if [ "$rc" = 1 ] && jq -e 'select(.event == "stall") | .stall == "hotplug" and .domid == 4' "$d/out" >/dev/null; then
	ok "--follow: STALL while the log is quiet (hotplug=1), exit 1"
else
	nok "--follow stall: exit $rc"
	sed 's/^/# /' "$d/out" "$d/err" | head
fi

[ ! -e "$T/failed" ]
