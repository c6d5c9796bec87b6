#!/bin/sh
# check with a time source over the test xenstored: a scenario's access log read with
# --log while the store is live, the same log through a bundle (check --from BUNDLE uses
# the bundle's xenstored logs), the detach-attach scenario (one re-attach: no time rule),
# and, where the lab's real captures are at hand (../shared/captures), every capture's
# trace against its own store: only the guest without netfront is stuck.
set -u
B=${1:?usage: tests/time.sh BUILD_DIR}
B=$(cd "$B" && pwd)
cd "$(dirname "$0")/.." || exit 2
BIN=$B/vifdiag
XSD=$B/vd-xenstored
. tests/lib.sh
use_procs
# trace times are the daemon host's local time; the captures were taken in UTC
export TZ=UTC NO_COLOR=1
TIME_RULES='[.vifs[].findings[].rule | select(. == "VD066" or . == "VD067" or . == "VD068")]'

# ---- usage ----
"$BIN" --from tests/fixtures/healthy-single-queue/tree.txt status --log tests/logs/bringup.access.log \
	>/dev/null 2>"$T/e"
rc=$?
if [ $rc = 2 ] && grep -q -- '--log' "$T/e"; then ok "--log is check's: status --log is exit 2"
else nok "status --log: exit $rc"; sed 's/^/# /' "$T/e"; fi
"$BIN" __complete check --log "" >"$T/o"
if [ "$(head -1 "$T/o")" = __files__ ]; then ok "completion: --log takes a file"
else nok "completion of --log"; sed 's/^/# /' "$T/o"; fi

start() { # NAME SCENARIO: a test xenstored on the a-bringup store, playing SCENARIO
	d=$T/$1
	mkdir -p "$d/logs"
	"$XSD" --socket "$d/sock" --pidfile "$d/pid" --tree tests/xsd/data/a-bringup-ls-fp.txt \
		--scenario "$2" --access-log "$d/logs/xenstored-access.log" 2>"$d/err" &
	PIDS="$PIDS $!"
	i=0
	until grep -q 'vifdiag-test/done' "$d/logs/xenstored-access.log" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 400 ] && { sed 's/^/# /' "$d/err"; return 1; }
		sleep 0.05
	done
	export XENSTORED_PATH="$d/sock" VIFDIAG_LOG_DIR="$d/logs" VIFDIAG_VARLOG_DIR="$d/varlog"
}

# ---- live store, --log: two close cycles the log saw whole ----
if start flap tests/time/flap.scn; then
	log=$T/flap/logs/xenstored-access.log
	$TO 30 "$BIN" check --json --log "$log" 1/0 >"$T/o" 2>"$T/e"
	rc=$?
	if [ $rc = 1 ] && jq -e "$TIME_RULES"' == ["VD067"] and
		(.vifs[0].findings[] | select(.rule == "VD067") | .message | startswith("the frontend went through 2 close cycles")) and
		([.vifs[0].findings[] | select(.rule == "VD067") | .evidence[] | select(.source == "log")] | length == 4)' "$T/o" >/dev/null
	then
		ok "live + --log: the scenario's repeated close cycle is VD067 flapping, 4 log lines"
	else
		nok "live + --log: exit $rc"; sed 's/^/# /' "$T/o" "$T/e" | head -20
	fi
	$TO 30 "$BIN" check --json 1/0 >"$T/o" 2>/dev/null
	if jq -e "$TIME_RULES == []" "$T/o" >/dev/null; then
		ok "live without a time source: no time rule"
	else
		nok "live without a time source"
	fi
	# ---- the same through a bundle ----
	$TO 60 "$BIN" dump -o "$T/flap.tar.gz" >/dev/null 2>"$T/e" || { nok "dump"; sed 's/^/# /' "$T/e"; }
	$TO 30 "$BIN" check --json --from "$T/flap.tar.gz" 1/0 >"$T/o" 2>"$T/e"
	rc=$?
	if [ $rc = 1 ] && jq -e "$TIME_RULES"' == ["VD067"] and
		([.vifs[0].findings[] | select(.rule == "VD067") | .evidence[] | select(.source == "log") | .where |
		  test("/logs/xenstored/xenstored-access.log:[0-9]+$")] | all)' "$T/o" >/dev/null; then
		ok "check --from BUNDLE: the bundle's xenstored log is the time source"
	else
		nok "check --from BUNDLE: exit $rc"; sed 's/^/# /' "$T/o" "$T/e" | head -20
	fi
	# --log overrides the bundle's own logs
	$TO 30 "$BIN" check --json --from "$T/flap.tar.gz" --log tests/logs/bringup.access.log 1/0 \
		>"$T/o" 2>"$T/e"
	if jq -e "$TIME_RULES == []" "$T/o" >/dev/null; then
		ok "check --from BUNDLE --log FILE: FILE, not the bundle's log"
	else
		nok "--log over a bundle"; sed 's/^/# /' "$T/o" | head -5
	fi
fi

# ---- detach and re-attach once (the real b-hotplug steps): no time rule ----
{
	sed -E 's/^((A|D)[^ ]* (commit|rm .*|write .*\/state .*|write .*hotplug-status.*))$/\1\nsleep 20ms/' \
		tests/xsd/scenarios/detach-attach.scn
	echo "A:marker write /vifdiag-test/done 1"
} >"$T/da.scn"
if start da "$T/da.scn"; then
	$TO 30 "$BIN" check --json --min-severity info --log "$T/da/logs/xenstored-access.log" \
		>"$T/o" 2>"$T/e"
	if jq -e "$TIME_RULES == [] and (.vifs | length) == 2" "$T/o" >/dev/null; then
		ok "detach-attach scenario: one re-attach is no reconnect loop"
	else
		nok "detach-attach scenario"; sed 's/^/# /' "$T/o" "$T/e" | head -20
	fi
fi

# ---- live, --for SECS: the watch is the time source ----
. tests/lib-events.sh
"$BIN" --from tests/fixtures/healthy-single-queue/tree.txt check --for 1 >/dev/null 2>"$T/e"
rc=$?
if [ $rc = 2 ] && grep -q -- '--from' "$T/e"; then ok "check --for with --from: exit 2"
else nok "--for --from: exit $rc"; sed 's/^/# /' "$T/e"; fi
XENSTORED_PATH=$T/none "$BIN" check --for 1 --log tests/logs/bringup.access.log >/dev/null 2>"$T/e"
rc=$?
if [ $rc = 2 ] && grep -q -- '--log' "$T/e"; then ok "check --for with --log: exit 2 (one time source)"
else nok "--for --log: exit $rc"; sed 's/^/# /' "$T/e"; fi
for bad in 0 -1 x 3601 1.5s; do
	XENSTORED_PATH=$T/none "$BIN" check --for "$bad" >/dev/null 2>"$T/e"
	rc=$?
	if [ $rc = 2 ] && grep -q -- "--for: expected seconds" "$T/e"; then ok "check --for $bad: exit 2"
	else nok "check --for $bad: exit $rc"; sed 's/^/# /' "$T/e"; fi
done
XENSTORED_PATH=$T/none "$BIN" status --for 1 >/dev/null 2>"$T/e"
rc=$?
if [ $rc = 2 ] && grep -q -- "'--for' does not apply" "$T/e"; then ok "status --for: exit 2"
else nok "status --for: exit $rc"; sed 's/^/# /' "$T/e"; fi
XENSTORED_PATH=$T/none $TO 20 "$BIN" check --for 1 >/dev/null 2>"$T/e"
rc=$?
if [ $rc = 3 ]; then ok "check --for without a xenstored: exit 3, no wait"
else nok "check --for without a xenstored: exit $rc"; sed 's/^/# /' "$T/e"; fi

serve() { # NAME TREE [SCENARIO]: a test xenstored, not waiting for the scenario's end
	d=$T/$1
	mkdir -p "$d/logs"
	"$XSD" --socket "$d/sock" --pidfile "$d/pid" --tree "$2" ${3:+--scenario "$3"} \
		--access-log "$d/logs/xenstored-access.log" 2>"$d/err" &
	PIDS="$PIDS $!"
	i=0
	until [ -s "$d/pid" ]; do
		i=$((i + 1))
		[ $i -gt 200 ] && { sed 's/^/# /' "$d/err"; return 1; }
		sleep 0.05
	done
	export XENSTORED_PATH="$d/sock" VIFDIAG_LOG_DIR="$d/logs" VIFDIAG_VARLOG_DIR="$d/varlog"
}

# a VIF held in InitWait with its hotplug script not run: stuck once the (lowered) hotplug
# threshold passes within the watch; the duration is the watch's, "at least"
sed -e 's#^\(/local/domain/0/backend/vif/1/0/state = \)"4"#\1"2"#' \
	-e '/backend\/vif\/1\/0\/hotplug-status/d' \
	-e 's#^\(/local/domain/1/device/vif/0/state = \)"4"#\1"1"#' \
	tests/xsd/data/a-bringup-ls-fp.txt >"$T/initwait.txt"
if serve initwait "$T/initwait.txt"; then
	$TO 60 "$BIN" check --json --for 3 --stall hotplug=2 1/0 >"$T/o" 2>"$T/e"
	rc=$?
	if [ $rc = 1 ] && jq -e "$TIME_RULES"' == ["VD066"] and
		(.vifs[0].findings[] | select(.rule == "VD066") |
		 (.message | test("^the backend has been stuck in InitWait for at least [0-9]+ s")) and
		 ([.evidence[] | select(.source == "time" and (.where | startswith("backend stuck"))) |
		   .value | capture("^at least [0-9]+ s \\((?<s>[0-9.]+) s, ").s | tonumber |
		   select(. >= 2.9 and . < 120)] | length == 1)) and
		(.vifs[0].findings[] | select(.rule == "VD015") | .hint |
		 test("^measured: this pair has held for at least [0-9]+ s \\(watched for [0-9]+ s since [0-9:]{8} UTC\\); "))' \
		"$T/o" >/dev/null; then
		ok "check --for 3: a VIF held in InitWait is VD066 stuck for at least the watched time"
	else
		nok "check --for 3 on InitWait: exit $rc"; sed 's/^/# /' "$T/o" "$T/e" | head -40
	fi
	# SIGINT ends the watch early: judged on the time watched (bounded by what it says)
	rm -f "$T/e.int"
	$TO 60 "$BIN" check --json --for 600 1/0 >"$T/o" 2>"$T/e.int" &
	cpid=$!
	PIDS="$PIDS $cpid"
	i=0
	until grep -q 'watching for' "$T/e.int" 2>/dev/null || [ $i -gt 200 ]; do i=$((i + 1)); sleep 0.05; done
	sleep 1
	kill -INT "$cpid"
	wait "$cpid"
	rc=$?
	if [ $rc = 1 ] && jq -e '.vifs[0].findings[] | select(.rule == "VD015") | .hint |
		capture("watched for (?<n>[0-9]+) (?<u>m?s) since") |
		(.n | tonumber) / (if .u == "ms" then 1000 else 1 end) | . > 0.5 and . < 60' \
		"$T/o" >/dev/null; then
		ok "check --for 600, SIGINT: judged at once on the time watched"
	else
		nok "check --for 600, SIGINT: exit $rc"; sed 's/^/# /' "$T/o" "$T/e.int" | head -20
	fi
	$TO 60 "$BIN" check --json --for 1 1/0 >"$T/o" 2>"$T/e"
	if jq -e "$TIME_RULES == []" "$T/o" >/dev/null; then
		ok "check --for 1, default thresholds: held 1 s is not stuck yet"
	else
		nok "check --for 1 on InitWait, default thresholds"; sed 's/^/# /' "$T/o" | head -20
	fi
fi

# a healthy VIF watched: no time rule, exit 0
if serve healthy tests/xsd/data/a-bringup-ls-fp.txt; then
	$TO 60 "$BIN" check --json --for 1 1/0 >"$T/o" 2>"$T/e"
	rc=$?
	if [ $rc = 0 ] && jq -e "$TIME_RULES == [] and (.vifs | length) == 1" "$T/o" >/dev/null; then
		ok "check --for 1: a healthy VIF fires nothing"
	else
		nok "check --for on a healthy VIF: exit $rc"; sed 's/^/# /' "$T/o" "$T/e" | head -20
	fi
fi

# changes during the watch (the scenario starts once the watch's first read is done):
# the rule the same access log fires through --log fires from the watch, with at least
# the log's count: the watch knows the state before the first change, the log does not
# (flap.scn's first close cycle starts from a state the log never saw set)
for_case() { # NAME SCENARIO RULE -gt|-ge JQ-COUNT
	{
		echo "await-watch @releaseDomain"
		paced_scenario "$2" 60ms
	} >"$T/$1.scn"
	serve "$1" tests/xsd/data/a-bringup-ls-fp.txt "$T/$1.scn" || return
	$TO 60 "$BIN" check --json --for 6 1/0 >"$T/o" 2>"$T/e"
	rc=$?
	i=0
	until grep -q 'vifdiag-test/done' "$T/$1/logs/xenstored-access.log" 2>/dev/null; do
		i=$((i + 1)); [ $i -gt 200 ] && break; sleep 0.05
	done
	$TO 30 "$BIN" check --json --log "$T/$1/logs/xenstored-access.log" 1/0 >"$T/o.log" 2>"$T/e.log"
	lrc=$?
	if [ $rc = 1 ] && [ $lrc = 1 ] && jq -e "$TIME_RULES == [\"$3\"]" "$T/o" >/dev/null &&
		jq -e "$TIME_RULES == [\"$3\"]" "$T/o.log" >/dev/null &&
		[ "$(jq "$5" "$T/o")" "$4" "$(jq "$5" "$T/o.log")" ] &&
		jq -e '[.vifs[0].findings[] | select(.rule == "'"$3"'") | .evidence[] |
			select(.source == "time" and (.where | test(" seen by the watch at [0-9T:.-]+Z$")))] |
			length >= 4' "$T/o" >/dev/null; then
		ok "check --for 6 during $2: $3 as with --log on its access log ($(jq "$5" "$T/o") vs $(jq "$5" "$T/o.log"))"
	else
		nok "check --for during $2: exit $rc (--log: $lrc)"
		sed 's/^/# /' "$T/e" "$T/e.log" | head -10
		jq -c '.vifs[] | [.domid, .devid, [.findings[] | [.rule, .message]]]' "$T/o" "$T/o.log" | sed 's/^/# /'
	fi
}
for_case forflap tests/time/flap.scn VD067 -gt \
	'[.vifs[0].findings[] | select(.rule == "VD067") | .evidence[] | select(.where | startswith("close cycles")) | .value | tonumber][0]'
for_case forloop tests/time/reconnect.scn VD068 -ge \
	'[.vifs[0].findings[] | select(.rule == "VD068") | .evidence[] | select(.where | startswith("reconnections")) | .value | tonumber][0]'

# ---- the real captures, where they are: each trace against its own store ----
C=../shared/captures/real-xen-4.17-cxenstored
[ -d "$C" ] || C=/work/shared/captures/real-xen-4.17-cxenstored
if [ -d "$C" ]; then
	for cap in "$C"/*/; do
		cap=${cap%/}
		n=${cap##*/}
		[ -f "$cap/xenstored-trace.log" ] && [ -f "$cap/state/xenstore-ls-fp.txt" ] || continue
		$TO 60 "$BIN" --from "$cap/state/xenstore-ls-fp.txt" check --json --min-severity info \
			--log "$cap/xenstored-trace.log" >"$T/o" 2>"$T/e"
		# the guest without netfront (c-no-netfront's domid 2) is the one stuck VIF
		if jq -e '[.vifs[] | select(.name != "domu2-nonetfront") | .findings[].rule |
			select(. == "VD066" or . == "VD067" or . == "VD068")] == [] and
			([.vifs[] | select(.name == "domu2-nonetfront") | .findings[].rule |
			  select(. == "VD066")] | length) == ([.vifs[] | select(.name == "domu2-nonetfront")] | length)' \
			"$T/o" >/dev/null; then
			ok "real capture $n: no time rule on a healthy VIF; a guest without netfront, if any, stuck"
		else
			nok "real capture $n"; sed 's/^/# /' "$T/e" | head -5
			jq -c '.vifs[] | [.domid, .devid, [.findings[].rule]]' "$T/o" | sed 's/^/# /'
		fi
	done
else
	ok "# SKIP no real captures at hand"
fi

# ---- the hotplug rules: VD069 from xen-hotplug.log, VD070 from libxl/disable_udev ----
HP_RULES='[.vifs[].findings[] | select(.rule == "VD069" or .rule == "VD070")]'
if start hp tests/time/flap.scn; then
	printf '%s\n' 'RTNETLINK answers: Operation not supported' 'Cannot find device "vif1.0"' \
		>"$T/hp/logs/xen-hotplug.log"
	$TO 30 "$BIN" check --json --min-severity info --hotplug-log "$T/hp/logs/xen-hotplug.log" 1/0 \
		>"$T/o" 2>"$T/e"
	if jq -e "[$HP_RULES[] | .rule, .severity] == [\"VD069\", \"info\"]" "$T/o" >/dev/null; then
		ok "live + --hotplug-log: a line naming vif1.0 of a plugged VIF is VD069 info (history)"
	else
		nok "live + --hotplug-log"; sed 's/^/# /' "$T/o" "$T/e" | head -20
	fi
	$TO 60 "$BIN" dump -o "$T/hp.tar.gz" >/dev/null 2>"$T/e" || { nok "dump"; sed 's/^/# /' "$T/e"; }
	$TO 30 "$BIN" check --json --min-severity info --from "$T/hp.tar.gz" 1/0 >"$T/o" 2>"$T/e"
	if jq -e "[$HP_RULES[] | .evidence[] | select(.source == \"log\") | .where] == [\"logs/xen/xen-hotplug.log:2\"]" \
		"$T/o" >/dev/null; then
		ok "check --from BUNDLE: the bundle's logs/xen/xen-hotplug.log is read without --hotplug-log"
	else
		nok "check --from BUNDLE: no VD069 from its hotplug log"; sed 's/^/# /' "$T/o" "$T/e" | head -20
	fi
	: >"$T/empty.log"
	$TO 30 "$BIN" check --json --min-severity info --from "$T/hp.tar.gz" --hotplug-log "$T/empty.log" \
		1/0 >"$T/o" 2>"$T/e"
	if jq -e "$HP_RULES == []" "$T/o" >/dev/null; then
		ok "check --from BUNDLE --hotplug-log FILE: FILE, not the bundle's"
	else
		nok "--hotplug-log over a bundle"; sed 's/^/# /' "$T/o" | head -5
	fi
fi
# every fixture: VD070 only where its DESCRIPTION puts it; healthy ones against a log of
# failed ip commands on their own vif names: nothing at warning or above
for f in tests/fixtures/*/tree.txt; do
	c=${f%/tree.txt}
	c=${c##*/}
	"$BIN" --from "$f" check --json --min-severity info >"$T/o" 2>/dev/null
	want=0
	[ "$c" = xenserver-udev-disabled ] && want=1
	if jq -e "[$HP_RULES[] | select(.rule == \"VD070\")] | length == $want" "$T/o" >/dev/null; then
		ok "fixture $c: VD070 $want time(s)"
	else
		nok "fixture $c: VD070"; jq -c "$HP_RULES" "$T/o" | sed 's/^/# /'
	fi
	case $c in healthy-* | time-healthy | time-real-* | lab-a-bringup | multiqueue-split | xenserver)
		jq -r '.vifs[] | "Cannot find device \"vif\(.domid).\(.devid)\""' "$T/o" >"$T/names.log"
		"$BIN" --from "$f" check --json --hotplug-log "$T/names.log" >"$T/o" 2>/dev/null
		if jq -e "$HP_RULES == []" "$T/o" >/dev/null; then
			ok "healthy fixture $c: old hotplug lines on its VIFs stay below warning"
		else
			nok "healthy fixture $c: hotplug rule at warning"; jq -c "$HP_RULES" "$T/o" | sed 's/^/# /'
		fi ;;
	esac
done
# the real captures with their own hotplug log slices (empty: a healthy 4.17 run writes none)
if [ -d "$C" ]; then
	for cap in "$C"/*/; do
		cap=${cap%/}
		[ -f "$cap/hotplug-log-slice.txt" ] && [ -f "$cap/state/xenstore-ls-fp.txt" ] || continue
		"$BIN" --from "$cap/state/xenstore-ls-fp.txt" check --json --min-severity info \
			--hotplug-log "$cap/hotplug-log-slice.txt" >"$T/o" 2>"$T/e"
		if jq -e "$HP_RULES == []" "$T/o" >/dev/null; then
			ok "real capture ${cap##*/}: no hotplug rule (its store has no disable_udev)"
		else
			nok "real capture ${cap##*/}: hotplug rule"; jq -c "$HP_RULES" "$T/o" | sed 's/^/# /'
		fi
	done
fi

finish
