#!/bin/sh
# Live tests of `vifdiag watch`: the test xenstored replays the scenarios of tests/xsd
# (bring-up, detach and re-attach, guest without a driver, hotplug failure, shutdown) once
# vifdiag has registered its watches; `watch --json` must report exactly the transitions
# and stalls in tests/watch/NAME.expected, and `vifdiag log` on the access log and trace
# the server wrote meanwhile must tell the same story. Then: xenstored restarted under a
# watcher, read-only requests, no wake-ups when idle, SIGTERM, usage errors.
set -u
B=${1:?usage: tests/watch.sh BUILD_DIR}
B=$(cd "$B" && pwd)
cd "$(dirname "$0")/.." || exit 2
BIN=$B/vifdiag
XSD=$B/vd-xenstored
SCN=tests/xsd/scenarios
TREE_A=tests/xsd/data/a-bringup-ls-fp.txt
EXP=tests/watch
. tests/lib.sh
use_procs

. tests/lib-events.sh

# start_xsd DIR [XSD OPTIONS...]: a server on DIR/sock, logs and stats in DIR
start_xsd() {
	d=$1
	shift
	rm -f "$d/pid"
	$TO 120 "$XSD" --socket "$d/sock" --pidfile "$d/pid" --access-log "$d/access.log" \
		--trace "$d/trace.log" --stats "$d/stats" "$@" 2>>"$d/xsd.err" &
	XPID=$!
	PIDS="$PIDS $XPID"
	wait_for "$d/pid" . 10
}

stop() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

# the scenario once vifdiag registered its last watch
scenario() {
	{
		echo "await-watch @releaseDomain"
		paced_scenario "$1" 60ms
	} >"$2"
}

# run_case LABEL SCENARIO TREE|- WATCH-OPTIONS...: LABEL names the test, SCENARIO the
# scenario and tests/watch/SCENARIO.expected
run_case() {
	label=$1 scn=$2 tree=$3
	shift 3
	d=$T/$(printf %s "$label" | tr -c "a-z0-9-" _)
	mkdir -p "$d"
	scenario "$scn" "$d/scn"
	if [ "$tree" = - ]; then
		start_xsd "$d" --scenario "$d/scn"
	else
		start_xsd "$d" --tree "$tree" --scenario "$d/scn"
	fi || {
		nok "$label: test xenstored did not start"
		sed 's/^/# /' "$d/xsd.err"
		return
	}
	XENSTORED_PATH=$d/sock $TO 60 "$BIN" watch --json "$@" >"$d/watch.json" 2>"$d/watch.err" &
	wpid=$!
	PIDS="$PIDS $wpid"
	if ! wait_for "$d/access.log" /vifdiag-test/done 40; then
		nok "$label: the scenario did not finish"
		sed 's/^/# /' "$d/xsd.err" "$d/watch.err" | head -20
	fi
	sleep 0.3
	kill -INT "$wpid"
	wait "$wpid"
	rc=$?
	stop "$XPID"
	project <"$d/watch.json" >"$d/watch.got"
	if diff -u "$EXP/$scn.expected" "$d/watch.got" >"$d/diff"; then
		ok "$label: watch --json reports exactly the expected transitions"
	else
		nok "$label: watch --json transitions differ"
		sed 's/^/# /' "$d/diff" | head -40
		sed 's/^/# /' "$d/watch.err" | head -5
	fi
	want_rc=0
	grep -q ' \(stall\|error\) \|hotplug error$' "$EXP/$scn.expected" && want_rc=1
	if [ "$rc" = "$want_rc" ]; then ok "$label: SIGINT ends watch with status $rc"
	else nok "$label: watch exited $rc, expected $want_rc"; sed 's/^/# /' "$d/watch.err" | head -5; fi
	if tail -n 1 "$d/watch.json" | jq -e '.event == "summary" and (.vifs | length) > 0' >/dev/null; then
		ok "$label: the last line is a summary of every VIF"
	else
		nok "$label: no summary at the end"
	fi
	# stalls are not compared for the trace: it has no time after the last change, and
	# one-second times cannot place a one-second deadline
	grep -v ' stall ' "$EXP/$scn.expected" >"$d/trace.log.want"
	cp "$EXP/$scn.expected" "$d/access.log.want"
	for f in access.log trace.log; do
		timeout 30 "$BIN" log --json --stall connect=1 "$d/$f" >"$d/$f.json" 2>"$d/$f.err"
		project <"$d/$f.json" >"$d/$f.got"
		[ $f = trace.log ] && sed -i '/ stall /d' "$d/$f.got"
		if diff -u "$d/$f.want" "$d/$f.got" >"$d/diff"; then
			ok "$label: log of the server's $f tells what watch saw"
		else
			nok "$label: log of $f differs from watch"
			sed 's/^/# /' "$d/diff" | head -30
		fi
	done
	# the same logs replayed as a watch: what the live watch reported, in its form, ending
	# in a summary whose VIFs (those the log changed: the tree's others it never names) end
	# as in the live one's
	for f in access.log trace.log; do
		timeout 30 "$BIN" watch --replay --json --stall connect=1 "$d/$f" >"$d/$f.replay" 2>"$d/$f.rerr"
		project <"$d/$f.replay" >"$d/$f.rgot"
		[ $f = trace.log ] && sed -i '/ stall /d' "$d/$f.rgot"
		sumv='[.vifs[] | [.domid, .devid, .frontend.state, .backend.state, .backend.hotplug_status, .queues]]'
		rsum=$(tail -n 1 "$d/$f.replay" | jq -c "$sumv")
		lsum=$(tail -n 1 "$d/watch.json" | jq -c --argjson r "${rsum:-null}" "$sumv | map(select(.[0:2] as \$k | \$r | map(.[0:2]) | index([\$k])))")
		if diff -u "$d/$f.want" "$d/$f.rgot" >"$d/diff" && [ "${rsum:-[]}" != "[]" ] && [ "$rsum" = "$lsum" ]; then
			ok "$label: watch --replay of the server's $f reports what the live watch did, and its summary"
		else
			nok "$label: watch --replay of $f differs from the live watch"
			sed 's/^/# /' "$d/diff" | head -30
			echo "# replay: $rsum"
			echo "# live:   $lsum"
		fi
	done
	# vifdiag's connections are the first socket clients (the scenario's start after them)
	if awk '$1 ~ /^A[12]$/' "$d/stats" | grep -Ev ' (DIRECTORY|READ|WATCH|UNWATCH|TRANSACTION_START|TRANSACTION_END) ' >"$d/bad"; then
		nok "$label: watch sent other requests than reads and watches"
		sed 's/^/# /' "$d/bad"
	else
		ok "$label: watch only read and watched"
	fi
}

run_case bringup bringup - --stall connect=1
run_case detach-attach detach-attach "$TREE_A" --stall connect=1
run_case no-netfront no-netfront "$TREE_A" --stall connect=1
run_case hotplug-fail hotplug-fail "$TREE_A" --stall connect=1
run_case shutdown shutdown "$TREE_A" --stall connect=1
# DOM by name: domu1 has every VIF of the scenario (domain 0 has none)
run_case "detach-attach (watch domu1)" detach-attach "$TREE_A" --stall connect=1 domu1

# --- xenstored goes away under a watcher and comes back with a different store
d=$T/restart
mkdir -p "$d"
echo "await-watch @releaseDomain" >"$d/scn"
# meanwhile: vif 1/1 is gone (both ends), vif 1/0's backend started closing
grep -v 'vif/1/1\|vif/1 = \|device/vif/1' "$TREE_A" |
	sed 's|^\(/local/domain/0/backend/vif/1/0/state = \)"4"|\1"5"|' >"$d/tree2"
if start_xsd "$d" --tree "$TREE_A" --scenario "$d/scn"; then
	XENSTORED_PATH=$d/sock $TO 60 "$BIN" watch --json >"$d/watch.json" 2>"$d/watch.err" &
	wpid=$!
	PIDS="$PIDS $wpid"
	wait_for "$d/access.log" '@releaseDomain vifdiag:@releaseDomain' 20
	stop "$XPID"
	wait_for "$d/watch.json" '"status":"lost"' 10 && ok "restart: watch says xenstored went away" ||
		nok "restart: no 'lost' event"
	sleep 0.5
	: >"$d/access.log"
	start_xsd "$d" --tree "$d/tree2"
	if wait_for "$d/watch.json" '"status":"back"' 15; then ok "restart: watch reconnected"
	else nok "restart: watch did not reconnect"; sed 's/^/# /' "$d/watch.err" | head; fi
	sleep 0.5
	kill -INT "$wpid"
	wait "$wpid"
	stop "$XPID"
	jq -c 'select(.during_gap) | [.domid, .devid, .end, .event, (.to_name // .last_state_name)]' "$d/watch.json" |
		sort >"$d/gap.got"
	printf '%s\n' '[1,0,"backend","state","Closing"]' '[1,1,"backend","vanished","Connected"]' \
		'[1,1,"frontend","vanished","Connected"]' >"$d/gap.want"
	if diff -u "$d/gap.want" "$d/gap.got" >"$d/diff"; then ok "restart: the changes made while it was away are reported"
	else nok "restart: changes during the gap"; sed 's/^/# /' "$d/diff"; fi
	if jq -s -e '[.[] | select(.event == "xenstored")] | .[0].status == "lost" and .[1].status == "back" and .[1].gap_seconds > 0' "$d/watch.json" >/dev/null; then
		ok "restart: lost, then back with the length of the gap"
	else nok "restart: xenstored events"; fi
else
	nok "restart: test xenstored did not start"
fi

# --- idle: blocked in poll, no timer wake-ups (no stall is pending on a healthy host)
d=$T/idle
mkdir -p "$d"
if start_xsd "$d" --tree "$TREE_A"; then
	XENSTORED_PATH=$d/sock $TO 60 "$BIN" watch >"$d/out" 2>"$d/err" &
	wpid=$!
	PIDS="$PIDS $wpid"
	wait_for "$d/access.log" '@releaseDomain vifdiag:@releaseDomain' 20
	sleep 0.3
	vpid=$(pgrep -P "$wpid" | head -1) # vifdiag itself, not timeout
	sw() { cat /proc/"$vpid"/task/*/status 2>/dev/null | awk '/^(non)?voluntary_ctxt_switches/ {s += $2} END {print s + 0}'; }
	a=$(sw)
	sleep 2
	b=$(sw)
	if [ "$a" -gt 0 ] && [ "$b" -le $((a + 2)) ]; then ok "idle: no wake-ups in 2 s ($a -> $b context switches)"
	else nok "idle: $a -> $b context switches in 2 s"; fi
	kill -TERM "$wpid"
	wait "$wpid"
	rc=$?
	if [ "$rc" = 0 ] && grep -q '^watched for' "$d/out"; then ok "SIGTERM ends watch cleanly with a summary"
	else nok "SIGTERM: exit $rc"; sed 's/^/# /' "$d/out" "$d/err" | tail -5; fi
	stop "$XPID"
else
	nok "idle: test xenstored did not start"
fi

# --- request counts (deterministic): start-up reads the store once, an event on a key
# re-reads that VIF end only. A generated host: 20 domains x 2 VIFs x 4 queues.
d=$T/counts
mkdir -p "$d"
python3 scripts/gen-host.py 20 2 4 >"$d/tree"
reqs() { # CONN STATS: requests of one connection, WATCH not counted
	awk -v c="$1" '$1 == c && $2 != "WATCH" {s += $3} END {print s + 0}' "$2"
}
if start_xsd "$d" --tree "$d/tree"; then
	XENSTORED_PATH=$d/sock "$BIN" status >/dev/null 2>&1
	kill -USR1 "$(cat "$d/pid")"
	sleep 0.3
	st=$(reqs A1 "$d/stats")
	XENSTORED_PATH=$d/sock $TO 60 "$BIN" watch --json >"$d/out" 2>"$d/err" &
	wpid=$!
	PIDS="$PIDS $wpid"
	wait_for "$d/access.log" 'A2.*@releaseDomain vifdiag:@releaseDomain' 20
	sleep 0.5
	kill -USR1 "$(cat "$d/pid")"
	sleep 0.3
	up=$(reqs A2 "$d/stats")
	# plus one DIRECTORY of /local/domain before the read and one for each of the
	# registration events of @introduceDomain and @releaseDomain
	if [ "$st" -gt 1000 ] && [ "$up" -le $((st + 3)) ]; then
		ok "watch start-up reads the store once: $up requests, status $st"
	else
		nok "watch start-up: $up requests, status $st"
	fi
	XENSTORED_PATH=$d/sock xenstore-write /local/domain/0/backend/vif/5/0/state 5
	wait_for "$d/out" '"domid":5,.*"to_name":"Closing"' 10 || nok "counts: no event for 5/0"
	sleep 0.3
	kill -USR1 "$(cat "$d/pid")"
	sleep 0.3
	ev=$(($(reqs A2 "$d/stats") - up))
	# that VIF end alone: a READ per node, a DIRECTORY on its directory, the transaction
	k=$(grep -c '^/local/domain/0/backend/vif/5/0[/ ]' "$d/tree")
	if [ "$ev" -ge 1 ] && [ "$ev" -le $((k + 3)) ]; then ok "one state change re-reads its VIF end alone: $ev requests ($k nodes)"
	else nok "one state change cost $ev requests (its end has $k nodes)"; fi
	kill -INT "$wpid"
	wait "$wpid"
	stop "$XPID"
else
	nok "counts: test xenstored did not start"
fi

# --- usage and unreachable store
XENSTORED_PATH=$T/nonexistent timeout 10 "$BIN" watch >"$T/o" 2>"$T/e"
rc=$?
if [ $rc = 3 ] && grep -q 'cannot connect to xenstored' "$T/e"; then ok "watch without xenstored: exit 3, one line"
else nok "watch without xenstored: exit $rc"; sed 's/^/# /' "$T/e"; fi
timeout 10 "$BIN" watch --stall bogus=1 >"$T/o" 2>"$T/e"
rc=$?
if [ $rc = 2 ] && grep -q 'expected NAME=SECONDS' "$T/e"; then ok "watch --stall bogus=1: exit 2"
else nok "--stall bogus: exit $rc"; fi
timeout 10 "$BIN" watch --follow >"$T/o" 2>"$T/e"
[ $? = 2 ] && ok "watch --follow: a log option is a usage error" || nok "watch --follow accepted"

[ ! -e "$T/failed" ]
