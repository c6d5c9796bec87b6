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
