#!/bin/sh
# Tests of `vifdiag log`: hand-written traces in every C xenstored format and an oxenstored
# access log (tests/logs/), a slice of the real 4.17 b-hotplug trace, and the logs the test
# xenstored writes for the scenarios of tests/xsd: each timeline must be the one watch saw
# (tests/watch/NAME.expected). Then rotated and gzipped sets, stalls, filters, --stats,
# malformed and hostile input, the JSON contract, usage and exit codes.
set -u
B=${1:?usage: tests/log.sh BUILD_DIR}
B=$(cd "$B" && pwd)
cd "$(dirname "$0")/.." || exit 2
BIN=$B/vifdiag
XSD=$B/vd-xenstored
L=tests/logs
EXP=tests/watch
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
trap 'exit 1' INT TERM
# trace times are the daemon host's local time; these fixtures were written in UTC
export TZ=UTC

ok() { echo "ok - $*"; }
nok() { echo "not ok - $*"; : >"$T/failed"; }

. tests/lib-events.sh

# same NAME WANT-FILE LOG... [-- OPTIONS]: the projected timeline of the logs equals WANT
same() {
	name=$1 want=$2
	shift 2
	timeout 30 "$BIN" log --json "$@" >"$T/out.json" 2>"$T/err"
	rc=$?
	if [ $rc -gt 1 ]; then
		nok "$name: exit $rc"
		sed 's/^/# /' "$T/err" | head -5
		return
	fi
	project <"$T/out.json" >"$T/got"
	if diff -u "$want" "$T/got" >"$T/diff"; then ok "$name"
	else nok "$name"; sed 's/^/# /' "$T/diff" | head -30; fi
}

grep '^1 0 ' "$EXP/bringup.expected" >"$T/bringup-vif0"

# --- every trace format, and the access log, of the same bring-up
for f in 4.17 4.18 4.19 d0; do
	same "trace $f: the bring-up timeline watch saw" "$T/bringup-vif0" "$L/bringup-$f.trace"
	if jq -s -e 'map(select(.event == "state")) |
		(map(select(.end == "backend" and .to == 2))[0].writer == "backend-kernel") and
		(map(select(.end == "frontend" and .to == 4))[0].writer == "guest-kernel") and
		(map(select(.end == "frontend" and .to == 1))[0].writer == "toolstack") and
		all(.connection | test("^0x[0-9a-f]+$"))' "$T/out.json" >/dev/null; then
		ok "trace $f: writers are toolstack, backend kernel, guest kernel"
	else
		nok "trace $f: writers"
		jq -c '[.end, .event, .to, .writer, .connection]' "$T/out.json" | sed 's/^/# /'
	fi
done
same "access log: the bring-up timeline watch saw" "$T/bringup-vif0" "$L/bringup.access.log"
if jq -s -e '(map(select(.event == "hotplug"))[0] | .writer == "toolstack" and .connection == "A9") and
	(map(select(.event == "state" and .to == 4 and .end == "backend"))[0].connection == "D0") and
	(map(select(.event == "state" and .end == "frontend" and .to == 1))[0].connection == "A7")' \
	"$T/out.json" >/dev/null; then
	ok "access log: connections A<n>, D<n> and the replayed transaction's"
else
	nok "access log: connections"
fi
if [ ! -s "$T/err" ]; then ok "access log: a cut value, a replay and a refused write need no warning"
else nok "access log: warnings"; sed 's/^/# /' "$T/err"; fi

# --- real lines: network-detach of vif 1 on the 4.17 lab host (b-hotplug)
printf '%s\n' '1 1 backend state Closing' '1 1 backend state Closed' '1 1 backend hotplug null' \
	'1 1 backend vanished Closed' '1 1 frontend state Closed' '1 1 frontend vanished Closed' >"$T/detach"
same "real 4.17 trace (b-hotplug): the detach watch saw" "$T/detach" "$L/real-4.17-b-hotplug-detach.trace"
if jq -s -e 'map(select(.event == "state" and .end == "frontend"))[0] |
	.writer == "guest-kernel" and .from == null and .to == 6' "$T/out.json" >/dev/null; then
	ok "real trace: the guest's relative write is placed under its domain (learnt from a watch event)"
else
	nok "real trace: the guest's write"
fi

# --- the logs the test xenstored writes for the scenarios, no watcher attached
run_scenario() { # NAME TREE|- [XSD OPTIONS...]
	name=$1 tree=$2
	shift 2
	d=$T/$name
	mkdir -p "$d"
	{
		paced_scenario "$name" 20ms
		echo exit
	} >"$d/scn"
	if [ "$tree" = - ]; then set -- "$@"; else set -- --tree "$tree" "$@"; fi
	timeout 60 "$XSD" --socket "$d/sock" --scenario "$d/scn" --access-log "$d/access.log" \
		--trace "$d/trace.log" "$@" 2>"$d/err"
}
for c in bringup:- detach-attach:tests/xsd/data/a-bringup-ls-fp.txt \
	no-netfront:tests/xsd/data/a-bringup-ls-fp.txt hotplug-fail:tests/xsd/data/a-bringup-ls-fp.txt \
	shutdown:tests/xsd/data/a-bringup-ls-fp.txt; do
	n=${c%%:*}
	if ! run_scenario "$n" "${c#*:}" --access-log-no-reads; then
		nok "$n: the test xenstored failed"
		sed 's/^/# /' "$T/$n/err" | head -5
		continue
	fi
	same "$n: access log timeline equals what watch saw" "$EXP/$n.expected" \
		"$T/$n/access.log" --stall connect=1
	grep -v ' stall ' "$EXP/$n.expected" >"$T/$n/nostall"
	timeout 30 "$BIN" log --json --stall connect=1 "$T/$n/trace.log" | project | grep -v ' stall ' >"$T/got"
	if diff -u "$T/$n/nostall" "$T/got" >"$T/diff"; then ok "$n: trace timeline equals what watch saw"
	else nok "$n: trace timeline"; sed 's/^/# /' "$T/diff" | head -20; fi
done

# --- stalls: from the log's own clock, with the configured thresholds
timeout 30 "$BIN" log --json "$T/no-netfront/access.log" >"$T/o" 2>/dev/null
rc=$?
if [ $rc = 0 ] && ! grep -q '"stall"' "$T/o"; then ok "no stall before the 30 s default is proven by the log"
else nok "default connect threshold: exit $rc"; fi
timeout 30 "$BIN" log --json --stall connect=5 "$L/bringup-4.17.trace" >"$T/o"
rc=$?
if [ $rc = 1 ] && jq -s -e 'map(select(.event == "stall")) | length == 1 and
	.[0].time == "2026-11-25T04:15:54.000Z" and .[0].stall == "connect" and .[0].threshold_seconds == 5 and
	.[0].end == "frontend" and .[0].state_name == "Initialising"' "$T/o" >/dev/null; then
	ok "--stall connect=5: STALL at 04:15:54, 5 s after hotplug connected, exit 1"
else
	nok "--stall connect=5: exit $rc"
	grep stall "$T/o" | sed 's/^/# /'
fi
timeout 30 "$BIN" log --json --stall hotplug=0.5 --stall initwait=0 "$L/bringup.access.log" >"$T/o"
if jq -s -e 'map(select(.event == "stall")) | length == 1 and .[0].stall == "hotplug" and
	.[0].hotplug_status == "" and .[0].time == "2026-11-25T04:15:47.813Z"' "$T/o" >/dev/null; then
	ok "--stall hotplug=0.5: STALL half a second after InitWait, hotplug-status still \"\""
else
	nok "--stall hotplug=0.5"; grep stall "$T/o" | sed 's/^/# /'
fi

# --- time going backwards (issue 16 #5): an NTP step back of one hour right after the
# backend's InitWait, and one commit line dated year 9999: no stall the log disproves,
# a warning naming the line, exit 0; stalls the new time proves are still found
for case in "clock-step:40" "year-9999:48"; do
	f=${case%%:*} line=${case##*:}
	timeout 30 "$BIN" log --json "$L/$f.access.log" >"$T/o" 2>"$T/e"
	rc=$?
	if [ $rc -eq 0 ] && ! grep -q '"stall"' "$T/o" &&
		grep -qx "vifdiag: warning: time goes backwards at $L/$f.access.log:$line: stall deadlines follow the log's new time" "$T/e" &&
		[ "$(jq -s 'map(select(.event == "state")) | length' "$T/o")" = 5 ]; then
		ok "$f: no stall the log disproves, a warning at line $line, exit 0"
	else
		nok "$f: exit $rc"; sed 's/^/# /' "$T/e" "$T/o" | head -20
	fi
done
timeout 30 "$BIN" log --json --stall hotplug=0.5 "$L/clock-step.access.log" >"$T/o" 2>/dev/null
if [ $? -eq 1 ] && [ "$(jq -r -s 'map(select(.event == "stall")) | map(.time) | join(" ")' "$T/o")" = "2026-11-25T03:15:47.813Z" ]; then
	ok "clock-step: --stall hotplug=0.5 still finds the stall the new time proves"
else
	nok "clock-step: --stall hotplug=0.5"; grep stall "$T/o" | sed 's/^/# /'
fi

# --- rotated sets, gzip, time order
d=$T/rot
mkdir -p "$d"
sed -n '1,25p' "$L/bringup.access.log" | gzip >"$d/xenstored-access.log.2.gz"
sed -n '26,50p' "$L/bringup.access.log" >"$d/xenstored-access.log.1"
sed -n '51,$p' "$L/bringup.access.log" >"$d/xenstored-access.log"
same "rotated set (.2.gz, .1, current): one timeline in time order" "$T/bringup-vif0" "$d/xenstored-access.log"
same "rotated set named in any order, duplicates read once" "$T/bringup-vif0" \
	"$d/xenstored-access.log.1" "$d/xenstored-access.log" "$d/xenstored-access.log.2.gz" "$d/xenstored-access.log.1"
if jq -s -e 'map(.file | sub(".*/"; "")) | unique == ["xenstored-access.log", "xenstored-access.log.1", "xenstored-access.log.2.gz"]' "$T/out.json" >/dev/null; then
	ok "events name the rotated file they come from"
else nok "file names in events"; fi

# --- filters
grep '^1 1 ' "$EXP/bringup.expected" >"$T/bringup-vif1"
same "--vif 1/1 keeps one VIF" "$T/bringup-vif1" "$T/bringup/access.log" --vif 1/1
same "--vif domu1 (a name the log shows) keeps the domain's VIFs" "$EXP/bringup.expected" "$T/bringup/access.log" --vif domu1
: >"$T/none"
same "--vif 7 keeps nothing" "$T/none" "$T/bringup/access.log" --vif 7
timeout 30 "$BIN" log --json --since 2026-11-25T04:15:47.300Z --until @1795580163.150 "$L/bringup.access.log" >"$T/o"
if jq -s -e 'map(.time) == ["2026-11-25T04:15:47.313Z", "2026-11-25T04:15:49.501Z", "2026-11-25T04:16:03.106Z"]' "$T/o" >/dev/null; then
	ok "--since/--until keep the changes in the range (the model still sees the rest)"
else nok "--since/--until"; jq -c '[.time, .event]' "$T/o" | sed 's/^/# /'; fi

# --- --stats: the watch flood
d=$T/flood
mkdir -p "$d"
awk 'BEGIN {
	printf "[20261125T04:00:00.000Z]  A41248       watch     /local/domain/0/backend qemu\n";
	for (i = 0; i < 3000; i++) {
		printf "[20261125T04:00:%02d.%03dZ]  A%d       write     /local/domain/0/backend/qdisk/%d/5632/state 4\n", (i / 1000) % 60, i % 1000, 50000 + i % 7, i;
		printf "[20261125T04:00:%02d.%03dZ]  A41248       w event   backend/qdisk/%d/5632/state qemu\n", (i / 1000) % 60, i % 1000, i;
		if (i % 10 == 0) printf "[20261125T04:00:%02d.%03dZ]  D0           w event   backend/qdisk/%d/5632/state FFFFFFFF8276B520\n", (i / 1000) % 60, i % 1000, i;
	} }' >"$d/xenstored-access.log"
timeout 30 "$BIN" log --stats "$d/xenstored-access.log" >"$T/o" 2>"$T/e"
rc=$?
if [ $rc = 0 ] && sed -n 3p "$T/o" | grep -q '^A41248 .* 3000 .*/local/domain/0/backend' &&
	sed -n 1p "$T/o" | grep -qx '6301 lines, 0 malformed, 0 cut short; 3000 store changes, 0 refused; 9 connections, 3300 watch events' &&
	grep -q 'A41248 received 90% of all watch events; it watches /local/domain/0/backend' "$T/o"; then
	ok "--stats ranks the flooded watcher first and names its broad watch"
else nok "--stats: exit $rc"; sed 's/^/# /' "$T/o" "$T/e" | head; fi
timeout 30 "$BIN" log --stats --json "$d/xenstored-access.log" >"$T/o"
if jq -e '.lines == 6301 and .changes == 3000 and .refused == 0 and .truncated == 0 and .connections[0].connection == "A41248" and .connections[0].watch_events == 3000 and
	.connections[1].connection == "D0" and .connections[1].kind == "kernel"' "$T/o" >/dev/null; then
	ok "--stats --json"
else nok "--stats --json"; head -c 600 "$T/o" | sed 's/^/# /'; fi
timeout 30 "$BIN" log --stats "$L/bringup-4.19.trace" >"$T/o"
if grep -q '^0x55d5c8e8a2b0 *kernel' "$T/o" && grep -q '; 20 store changes, 1 refused;' "$T/o"; then
	ok "--stats on a trace: connections by pointer, kernel ones recognised, changes and refused requests counted"
else nok "--stats on a trace"; sed 's/^/# /' "$T/o"; fi

# C xenstored reuses a freed connection's address: another client, its own row
cat >"$T/reuse.trace" <<'EOF'
CREATE connection 0x55d5c8e8a2b0
IN 0x55d5c8e8a2b0 20261125 04:15:30 WATCH (/local/domain/0/backend vifdiag:a )
IN 0x55d5c8e8a2b0 20261125 04:15:31 WRITE (/local/domain/0/x 1 )
IN 0x55d5c8e8a2b0 20261125 04:15:31 WRITE (/local/domain/0/y 1 )
DESTROY connection 0x55d5c8e8a2b0
CREATE connection 0x55d5c8e8a2b0
IN 0x55d5c8e8a2b0 20261125 04:15:40 WRITE (/local/domain/0/z 1 )
DESTROY connection 0x55d5c8e8a2b0
CREATE connection 0x55d5c8e8a2b0
IN 0x55d5c8e8a2b0 20261125 04:15:50 WATCH (/local/domain/1 t )
EOF
timeout 30 "$BIN" log --stats --json "$T/reuse.trace" >"$T/o" 2>"$T/e"
if jq -e '[.connections[] | {connection, writes, watches, instances}] | sort_by(.connection) == [
	{connection: "0x55d5c8e8a2b0", writes: 2, watches: 1, instances: 3},
	{connection: "0x55d5c8e8a2b0#2", writes: 1, watches: 0, instances: 3},
	{connection: "0x55d5c8e8a2b0#3", writes: 0, watches: 1, instances: 3}]' "$T/o" >/dev/null; then
	ok "--stats: a reused connection address is another client, with its own row"
else nok "--stats: reused connection addresses"; sed 's/^/# /' "$T/o" "$T/e" | head -40; fi

# --- malformed and hostile input
{
	sed -n '1,20p' "$L/bringup.access.log"
	echo '[20261125T04:15:46.500Z]  A7           frobnicate x'
	printf 'binary \001\002\377 junk\n'
	echo '[2026-11-25 bad time]  A7  write /x 1'
	sed -n '21,$p' "$L/bringup.access.log"
} >"$T/mixed.log"
timeout 30 "$BIN" log --json "$T/mixed.log" >"$T/o" 2>"$T/e"
rc=$?
if [ $rc = 0 ] && [ "$(grep -c 'line skipped' "$T/e")" = 3 ] &&
	grep -q "mixed.log:21: expected an access log line" "$T/e" &&
	grep -q "mixed.log:22: expected a trace line" "$T/e" && [ "$(wc -l <"$T/o")" = 9 ]; then
	ok "malformed lines: reported with file:line, skipped, the rest used"
else nok "malformed lines: exit $rc"; sed 's/^/# /' "$T/e"; fi
head -c 300000 /dev/urandom >"$T/random.log"
timeout 30 "$BIN" log "$T/random.log" >"$T/o" 2>"$T/e"
rc=$?
if [ $rc = 3 ] && grep -q 'random.log:1: expected an oxenstored access log or a xenstored trace' "$T/e" &&
	grep -q 'more malformed lines skipped' "$T/e"; then
	ok "random bytes: no crash, exit 3, warnings capped"
else nok "random bytes: exit $rc"; tail -3 "$T/e" | sed 's/^/# /'; fi
printf '[20261125T04:15:46.100Z]  A7           write     /local/domain/0/backend/vif/1/0/frontend x\n[20261125T04:15:46.200Z]  A7           write     /local/domain/0/backend/vif/1/0/hotplug-error \\027[2J\\007evil\\n\n[20261125T04:15:46.300Z]  A7           write     /local/domain/0/backend/vif/1/0/hotplug-status error\n[20261125T04:15:46.400Z]  D1           write     device/vif/0/state \\027]0;x\\007\n' >"$T/hostile.log"
NO_COLOR=1 timeout 30 "$BIN" log "$T/hostile.log" >"$T/o" 2>&1
rc=$?
if [ $rc = 1 ] && ! grep -q "$(printf '\033')" "$T/o" && ! grep -q "$(printf '\007')" "$T/o" && grep -q 'evil' "$T/o"; then
	ok "hostile values: escaped in text, hotplug error is a problem (exit 1)"
else nok "hostile values: exit $rc"; od -c "$T/o" | head -5 | sed 's/^/# /'; fi
# --color: only the lines of problems are coloured (as the man page says)
timeout 30 "$BIN" log --color=always --stall connect=1 "$T/hostile.log" "$L/bringup-4.17.trace" >"$T/o" 2>/dev/null
esc=$(printf '\033')
if [ "$(grep -c "$esc" "$T/o")" -gt 0 ] &&
	[ "$(grep "$esc" "$T/o" | grep -vc 'STALL\|hotplug-status .* -> "error"\|error node')" = 0 ] &&
	[ "$(grep -v "$esc" "$T/o" | grep -c 'STALL\|-> "error"\|error node')" = 0 ]; then
	ok "log --color=always: exactly the lines of problems are red"
else nok "log --color"; cat -v "$T/o" | sed 's/^/# /' | head -20; fi
timeout 30 "$BIN" log --json "$T/hostile.log" >"$T/o"
if jq -s -e '.[1].hotplug_error == "\u001b[2J\u0007evil\n" and .[2].to == null and .[2].to_name == "invalid" and .[2].to_raw == "\u001b]0;x\u0007"' "$T/o" >/dev/null; then
	ok "hostile values: exact in JSON, a non-number state is invalid with its raw value"
else nok "hostile JSON"; sed 's/^/# /' "$T/o"; fi

# --- the JSON contract
timeout 30 "$BIN" log --json "$L/bringup-4.17.trace" "$T/bringup/access.log" >"$T/o"
if jq -s -e 'length > 10 and all(.[];
	(.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$")) and
	(.domid | type == "number") and (.devid | type == "number") and
	(.end == "frontend" or .end == "backend") and
	(.event | IN("state", "hotplug", "queues", "appeared", "vanished", "error", "stall")) and
	(.writer | IN("toolstack", "backend-kernel", "guest-kernel", "unknown")) and
	(.connection | type == "string") and
	(if .event == "state" then has("from") and has("to") and has("from_name") and has("to_name")
	   and has("seconds_in_previous") and (.to | type == "number") else true end))' "$T/o" >/dev/null; then
	ok "every JSON line has the contract's keys"
else nok "JSON contract"; fi

# --- usage and sources
timeout 10 "$BIN" log >"$T/o" 2>"$T/e"
[ $? = 2 ] && grep -q 'usage: vifdiag log FILE' "$T/e" && ok "log without FILE: exit 2" || nok "log without FILE"
timeout 10 "$BIN" log "$T/missing.log" >"$T/o" 2>"$T/e"
rc=$?
if [ $rc = 3 ] && grep -q "missing.log: cannot read: No such file or directory" "$T/e"; then ok "missing file: exit 3, named"
else nok "missing file: exit $rc"; fi
timeout 10 "$BIN" log --vif 1/x "$L/bringup.access.log" >"$T/o" 2>"$T/e"
[ $? = 2 ] && ok "--vif 1/x: exit 2" || nok "--vif 1/x"
timeout 10 "$BIN" log --since yesterday "$L/bringup.access.log" >"$T/o" 2>"$T/e"
[ $? = 2 ] && grep -q 'expected YYYY-MM-DD' "$T/e" && ok "--since yesterday: exit 2" || nok "--since yesterday"
# an empty timeline says why (issue 16 #13); dates that name no day are refused (#14)
timeout 10 "$BIN" log --vif 5 "$L/bringup.access.log" >"$T/o" 2>"$T/e"
rc=$?
if [ $rc = 0 ] && ! [ -s "$T/o" ] && [ "$(cat "$T/e")" = "vifdiag: note: no change matched --vif" ]; then
	ok "--vif of a domain without changes: a note 'no change matched', exit 0"
else nok "--vif 5: exit $rc"; sed 's/^/# /' "$T/o" "$T/e"; fi
timeout 10 "$BIN" log --json --since 2026-11-26T00:00:00Z "$L/bringup.access.log" >"$T/o" 2>"$T/e"
rc=$?
if [ $rc = 0 ] && ! [ -s "$T/o" ] && grep -q '^vifdiag: note: no change matched --since/--until$' "$T/e"; then
	ok "--since after the last change: the note, also with --json (on stderr)"
else nok "--since after the log: exit $rc"; sed 's/^/# /' "$T/e"; fi
timeout 10 "$BIN" log --vif nosuch "$L/bringup.access.log" >"$T/o" 2>"$T/e"
rc=$?
if [ $rc = 2 ] && grep -q "^vifdiag: --vif nosuch: no domain of that name in the log" "$T/e"; then
	ok "--vif of a name the log never gives a domain: exit 2, as in status"
else nok "--vif nosuch: exit $rc"; sed 's/^/# /' "$T/e"; fi
timeout 10 "$BIN" log --vif domu1 --vif nosuch "$L/bringup.access.log" >"$T/o" 2>"$T/e"
[ $? = 2 ] && grep -q -- "--vif nosuch: no domain" "$T/e" && ok "--vif domu1 --vif nosuch: the unknown one is named, exit 2" ||
	nok "--vif domu1 --vif nosuch"
timeout 10 "$BIN" log --vif domu1 "$L/bringup.access.log" >"$T/o" 2>"$T/e"
[ $? = 0 ] && grep -q '^vif 1/0 domu1' "$T/o" && ! [ -s "$T/e" ] && ok "--vif by a name the log gives: no note" ||
	nok "--vif domu1"
timeout 10 "$BIN" log --since 2026-11-26T00:00:00Z --until 2026-11-25T00:00:00Z "$L/bringup.access.log" >"$T/o" 2>"$T/e"
rc=$?
if [ $rc = 2 ] && grep -q -- "--since is after --until" "$T/e" && ! [ -s "$T/o" ]; then
	ok "--since after --until: a usage error"
else nok "--since after --until: exit $rc"; sed 's/^/# /' "$T/e"; fi
for d in 2026-02-30 2025-02-29 2100-02-29 2026-04-31; do
	timeout 10 "$BIN" log --since "${d}T00:00:00Z" "$L/bringup.access.log" >"$T/o" 2>"$T/e"
	rc=$?
	if [ $rc = 2 ] && grep -q -- "--since: '$d' is not a day of the calendar" "$T/e"; then ok "--since $d: refused"
	else nok "--since $d: exit $rc"; sed 's/^/# /' "$T/e"; fi
done
timeout 10 "$BIN" log --until 2024-02-29T00:00:00Z "$L/bringup.access.log" >"$T/o" 2>"$T/e"
[ $? = 0 ] && grep -q 'no change matched' "$T/e" && ok "--until 2024-02-29 (a leap day): accepted" || nok "--until 2024-02-29"
# a file with gzip's magic whose data is not deflate: its name, no zlib internals (#16)
printf '\037\213\010\000\000\000\000\000\000\003not deflate data at all' >"$T/badmagic.gz"
timeout 10 "$BIN" log "$T/badmagic.gz" >"$T/o" 2>"$T/e"
rc=$?
if [ $rc = 3 ] && [ "$(cat "$T/e")" = "vifdiag: $T/badmagic.gz: expected gzip data: the file is corrupt (it starts like gzip but is not)" ]; then
	ok "corrupt gzip: exit 3, the file named, no zlib internals"
else nok "corrupt gzip: exit $rc"; sed 's/^/# /' "$T/e"; fi
timeout 10 "$BIN" log --from x "$L/bringup.access.log" >"$T/o" 2>"$T/e"
[ $? = 2 ] && ok "log --from: does not apply" || nok "log --from accepted"
timeout 10 "$BIN" log "$L/bringup.access.log" >/dev/full 2>"$T/e"
[ $? = 4 ] && ok "unwritable output: exit 4" || nok "unwritable output"

# --- lines classified on other threads (src/log_bulk.c): the same output, to the byte, as
# one thread, whatever the threads and chunk sizes (1 byte: every line across a boundary),
# on the fixtures and on a generated log that walks every path (tests/tools/gen-access-log.py)
python3 tests/tools/gen-access-log.py 7 20000 >"$T/gen.log"
python3 tests/tools/gen-access-log.py 8 3000 | gzip >"$T/gen.log.gz"
for f in "$L"/* "$T/gen.log" "$T/gen.log.gz"; do
	for opt in "" "--json" "--stats" "--stall initwait=1 --stall connect=2 --stall hotplug=2 --stall close=1"; do
		# shellcheck disable=SC2086
		VIFDIAG_LOG_THREADS=0 timeout 60 "$BIN" log $opt "$f" >"$T/one" 2>&1
		echo "exit $?" >>"$T/one"
		same_all=1
		for cfg in "1 1" "2 100" "3 4096" "4 65536"; do
			set -- $cfg
			# shellcheck disable=SC2086
			VIFDIAG_LOG_THREADS=$1 VIFDIAG_LOG_CHUNK=$2 timeout 60 "$BIN" log $opt "$f" >"$T/many" 2>&1
			echo "exit $?" >>"$T/many"
			if ! cmp -s "$T/one" "$T/many"; then
				same_all=0
				nok "threads: $(basename "$f") ${opt:-text}: $1 threads, chunk $2 differ from one"
				diff "$T/one" "$T/many" | head -5 | sed 's/^/# /'
			fi
		done
		[ $same_all = 1 ] && ok "threads: $(basename "$f") ${opt:-text}: same as one thread"
	done
done
VIFDIAG_LOG_THREADS=x timeout 10 "$BIN" log "$L/bringup.access.log" >"$T/o" 2>"$T/e"
rc=$?
[ $rc = 2 ] && grep -q "VIFDIAG_LOG_THREADS: expected a number from 0 to 64, got 'x'" "$T/e" &&
	ok "VIFDIAG_LOG_THREADS=x: usage error naming it" || { nok "VIFDIAG_LOG_THREADS=x: exit $rc"; sed 's/^/# /' "$T/e"; }

[ ! -e "$T/failed" ]
