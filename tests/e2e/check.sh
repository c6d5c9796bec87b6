#!/bin/bash
# Asserts what vifdiag reported inside dom0 against what the real system showed at the
# same moment (xenstore-ls -fp, xl, the backend's sysfs/debugfs, the guest's console, the
# daemon's own log). Reads one boot's result directory (the 9p share), so a saved run can
# be checked again without booting:  tests/e2e/check.sh build/e2e-out/c/share
# Prints "ok - NAME" / "not ok - NAME" and "# ..." lines; exits 1 when one failed.
set -u
R=${1:?usage: check.sh RESULT_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
K=$(cat "$R/xenstored" 2>/dev/null || echo '?')
P="$K:" # test name prefix: the xenstored of this boot
FAILED=0

ok() { echo "ok - $P $*"; }
nok() {
	echo "not ok - $P $1"
	shift
	local l
	for l in "$@"; do printf '%s\n' "$l" | sed 's/^/#   /'; done
	FAILED=1
}
# check NAME DIAG-COMMAND -- TEST-COMMAND...: ok when TEST-COMMAND succeeds
t() {
	local name=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$name"; else nok "$name"; fi
}
# jqe [--arg|--argjson|--slurpfile NAME VALUE]... FILTER FILE...: jq -e with lib.jq
jqe() {
	local a=()
	while [[ $1 == --* ]]; do a+=("$1" "$2" "$3"); shift 3; done
	jq -L "$HERE" -e "${a[@]}" "include \"lib\"; $1" "${@:2}" >/dev/null 2>&1
}
jqr() { jq -L "$HERE" -r "include \"lib\"; $1" "${@:2}" 2>/dev/null; }
dur() { awk -v a="$(cat "$1/t-begin" 2>/dev/null)" -v b="$(cat "$1/t-end" 2>/dev/null)" 'BEGIN {if (a == "" || b == "") print "?"; else printf "%.1f", b - a}'; }
rc_of() { cat "$1" 2>/dev/null || echo missing; }

# jq over status --json with the xenstore snapshot ($xs) and the host facts ($host)
# host.txt: "NETDEV KEY VALUE..." -> {NETDEV: {KEY: VALUE}}
hostmap() {
	[ -f "$1" ] || { echo '{}'; return; }
	jq -R -s '[split("\n")[] | select(length > 0) | capture("^(?<n>\\S+) (?<k>\\S+) ?(?<v>.*)$")] |
		reduce .[] as $f ({}; .[$f.n][$f.k] = $f.v)' "$1"
}
xsjson() { [ -f "$1" ] && jq -L "$HERE" -R -s 'include "lib"; xsmap' "$1" 2>/dev/null || echo '{}'; }

# The emulated machine's pace: dom0 is ready after ~12.5 s of uptime on an idle 2-core
# host; a slower or loaded host stretches every reaction time inside the emulated dom0 by
# about the same factor, so the windows of watch-vs-log timing scale with it (never below
# x1). The boot gives the host's speed (PACE); the runner's busy-loop samples every 5 s
# (pace.tsv) give how much slower than its fastest moment each part of the run was
# (PACES: [[time, factor]], applied within 15 s of a change)
PACE=$(awk -v u="$(cat "$R/dom0-ready-uptime" 2>/dev/null)" 'BEGIN {p = (u > 0) ? u / 12.5 : 1; if (p < 1) p = 1; printf "%.2f", p}')
PACES=$(awk 'NF == 2 && $2 > $1 {t[NR] = ($1 + $2) / 2; d[NR] = $2 - $1; if (!m || d[NR] < m) m = d[NR]}
	END {printf "["; s = ""; for (i in t) {printf "%s[%.3f,%.3f]", s, t[i], d[i] / m; s = ","}; print "]"}' "$R/pace.tsv" 2>/dev/null)
[ -n "$PACES" ] || PACES='[]'
echo "# $K: pace x$PACE (dom0 ready after $(cat "$R/dom0-ready-uptime" 2>/dev/null)s of uptime; 12.5 s is x1), during the run up to x$(jq -r --argjson b "$PACE" '[.[][1]] | (max // 1) * $b | . * 100 | round / 100' <<<"$PACES") ($(jq length <<<"$PACES") samples)"

S=$R
if [ ! -f "$R/DONE" ]; then
	nok "dom0 ran the scenarios" "no DONE file in $R"
	exit 1
fi
ok "dom0 ran the scenarios and powered off (runner exit $(cat "$R/DONE"))"
if grep -q 'timeout waiting' "$R/scenarios.log"; then
	nok "no wait in the scenario runner timed out" "$(grep 'timeout waiting' "$R/scenarios.log")"
fi

# a scenario that began must have ended
for d in "$S"/s[1-8]-*; do
	[ -d "$d" ] && [ -f "$d/t-begin" ] || continue
	[ -f "$d/t-end" ] || nok "${d##*/}: the scenario ran to its end" "it began and did not end: see scenarios.log and scenarios.xtrace"
done

# ---------------------------------------------------------------- scenario 0
d=$S/s0-dom0-only
if [ -d "$d" ]; then
	t "s0 dom0 only: status --json exits 0 with no VIFs" \
		jqe '.summary.vifs == 0 and (.vifs | length) == 0' "$d/status-json.out"
fi

WATCH=$S/watch.ndjson
# watch events of a scenario's time window: wwin DIR FILTER
wwin() {
	local b e
	b=$(cat "$1/t-begin") e=$(cat "$1/t-end")
	jq -L "$HERE" -c --argjson b "$b" --argjson e "$e" "include \"lib\"; select(.time != null and (.time | epoch) >= \$b - 0.5 and (.time | epoch) <= \$e + 0.5) | $2" "$WATCH" 2>/dev/null
}

# ---------------------------------------------------------------- scenario 1
d=$S/s1-bringup
if [ -f "$d/t-end" ]; then
	echo "# scenario 1: bring-up of a 2-vCPU guest with two VIFs took $(dur "$d")s"
	D=$(cat "$d/domid" 2>/dev/null)
	D=${D:-1}
	t "s1 bring-up: xl create -p domu1 succeeded" test "$(rc_of "$d/xl-create.rc")" = 0
	xs=$(xsjson "$d/state/xenstore-ls-fp.txt")
	xsb=$(xsjson "$d/before/xenstore-ls-fp.txt")
	host=$(hostmap "$d/state/host.txt")
	J=$d/status-json.out
	t "s1 bring-up: status --json exits 0" test "$(rc_of "$d/status-json.rc")" = 0
	if [ "$(jq -n --argjson a "$xs" --argjson b "$xsb" --arg d "$D" '[$a, $b] | map(with_entries(select(.key | test("^/local/domain/(0/backend/vif/\($d)|\($d)/device/vif)/")))) | .[0] == .[1]')" != true ]; then
		echo "# note: the VIF keys changed while vifdiag ran (compared against the later snapshot)"
	fi
	t "s1 bring-up: two VIFs of domu1, devids 0 and 1, both ok, frontend and backend Connected" \
		jqe --argjson d "$D" '[.vifs[] | select(.domid == $d)] | length == 2 and
			(map(.devid) | sort) == [0, 1] and all(.verdict == "ok" and .frontend.state == 4 and
			.backend.state == 4 and .frontend.state_name == "Connected" and .name == "domu1" and .paired)' "$J"
	for dev in 0 1; do
		fe=/local/domain/$D/device/vif/$dev be=/local/domain/0/backend/vif/$D/$dev
		v=".vifs[] | select(.domid == $D and .devid == $dev)"
		want=$([ $dev = 0 ] && echo 2 || echo 1)
		t "s1 vif $dev: negotiated queues $want = the guest's multi-queue-num-queues, max = the backend's multi-queue-max-queues" \
			jqe --argjson xs "$xs" --arg fe "$fe" --arg be "$be" --argjson w "$want" "$v | .queues.negotiated == \$w and
				.queues.negotiated == (\$xs[\$fe + \"/multi-queue-num-queues\"] | tonumber) and
				.queues.max == (\$xs[\$be + \"/multi-queue-max-queues\"] | tonumber) and (.queues.list | length) == \$w" "$J"
		# per queue: what the guest wrote, flat or in queue-N/
		t "s1 vif $dev: per-queue ring refs and event channels equal the keys the guest wrote" \
			jqe --argjson xs "$xs" --arg fe "$fe" "$v | .queues as \$q | (\$q.layout) as \$l | all(\$q.list[];
				(if \$l == \"flat\" then \$fe else \"\(\$fe)/queue-\(.id)\" end) as \$p |
				.tx_ring_ref == (\$xs[\$p + \"/tx-ring-ref\"] | tonumber) and
				.rx_ring_ref == (\$xs[\$p + \"/rx-ring-ref\"] | tonumber) and
				.event_channel_tx == (\$xs[\$p + \"/event-channel-tx\"] | tonumber) and
				.event_channel_rx == (\$xs[\$p + \"/event-channel-rx\"] | tonumber))" "$J"
		t "s1 vif $dev: layout is $([ $dev = 0 ] && echo 'queue-N dirs' || echo flat), as netif.h says for $want queue(s)" \
			jqe "$v | .queues.layout == \"$([ $dev = 0 ] && echo queue-dirs || echo flat)\"" "$J"
		mac=$(jqr "$v | .mac" "$J")
		gq=$(grep -a "DOMU: eth[0-9]* mac=$mac " "$d/guest-console.log" 2>/dev/null | sed -n 's/.* txq=\([0-9]*\).*/\1/p' | head -n 1)
		t "s1 vif $dev: the guest's own netdev ($mac) has as many TX queues as vifdiag reports negotiated (${gq:-none})" \
			jqe --arg g "${gq:-x}" "$v | .queues.negotiated == (\$g | tonumber)" "$J"
		t "s1 vif $dev: host side: netdev vif$D.$dev on bridge xenbr0, its sysfs operstate, carrier, mtu, queues" \
			jqe --argjson h "$host" "$v | .host as \$o | \$h[\"vif$D.$dev\"] as \$s | \$o.netdev == \"vif$D.$dev\" and
				\$o.bridge == \"xenbr0\" and \$s.bridge == \"xenbr0\" and \$o.bridge_kind == \"linux\" and
				\$o.operstate == \$s.operstate and \$o.carrier == (\$s.carrier == \"1\") and
				\$o.mtu == (\$s.mtu | tonumber) and \$o.tx_queues == (\$s.tx_queues | tonumber) and
				\$o.rx_queues == (\$s.rx_queues | tonumber) and \$o.tx_queues == .queues.negotiated and
				(\$h.xenbr0.brif | split(\" \") | index(\"vif$D.$dev\")) != null" "$J"
	done
	# libxl: the run state xenstore cannot tell, and the toolstack's NIC records
	P1=$d/paused-status-json.out
	xlp=$(awk -v d="$D" '$2 == d {print $(NF-1)}' "$d/xl-list-paused.txt" 2>/dev/null)
	t "s1 libxl: after xl create -p (xl list state ${xlp:-none}): both VIFs paused, not no-driver, with domain-paused; exit 1" \
		jqe --argjson d "$D" --arg xs "$xlp" '($xs | test("p")) and .source.libxl.available and ([.vifs[] | select(.domid == $d)] |
			length == 2 and all(.verdict == "paused" and .run_state == "paused" and .libxl.listed and
			any(.findings[]; .code == "domain-paused" and .severity == "error") and
			any(.findings[]; .code == "no-driver" and .severity == "info")))' "$P1"
	t "s1 libxl: paused: status exits 1 and the table says domu1 (paused)" \
		sh -c "[ \"\$(cat '$d/paused-status-json.rc')\" = 1 ] && grep -q '^domu1 (paused) ' '$d/paused-status-text.out'"
	t "s1 libxl: running: run_state running, libxl's record (MAC, bridge, backend domain) = the store's, no libxl finding" \
		jqe --argjson d "$D" '.source.libxl == {available: true, unavailable: null} and ([.vifs[] | select(.domid == $d)] | length == 2 and
			all(.run_state == "running" and .shutdown_reason == null and .libxl.listed and .libxl.managed and
			.libxl.mac == .mac and .libxl.bridge == .backend.bridge and .libxl.backend_domid == .backend.domid and
			([.findings[].code] - ["domain-paused", "domain-shutdown", "domain-dying", "domain-gone", "libxl-only", "libxl-unlisted", "libxl-differs"]) == [.findings[].code]))' "$J"
	# xl network-list shows real ring refs only for a flat (single-queue) VIF
	xr=$(awk '$1 == 1 {print $(NF-1)}' "$d/state/xl-network-list-domu1.txt" 2>/dev/null)
	t "s1 vif 1: ring refs equal xl network-list's tx-/rx-ring-ref ($xr)" \
		jqe --arg x "$xr" ".vifs[] | select(.domid == $D and .devid == 1) | \"\(.queues.list[0].tx_ring_ref)/\(.queues.list[0].rx_ring_ref)\" == \$x" "$J"
	t "s1 bring-up: status text: two ok lines and the summary" \
		grep -q '^2 VIFs: 2 ok, 0 not ok' "$d/status-text.out"
	t "s1 bring-up: status by domain name (domu1) gives the same VIFs as by listing all" \
		jqe --slurpfile a "$J" '[.vifs[] | {domid, devid, verdict}] == [$a[0].vifs[] | select(.name == "domu1") | {domid, devid, verdict}]' "$d/status-dom-json.out"
	# the override case (issue 10): vif 1's backend multi-queue-max-queues was set to 1 for a
	# 2-vCPU guest after netback (max_queues = dom0's vCPUs, 2 or more: vif 0 got 2) wrote it
	C=$d/check-json.out
	s1_override() {
		[ "$(rc_of "$d/check-json.rc")" = 1 ] &&
			jqe --argjson d "$D" '.vifs[] | select(.domid == $d and .devid == 1) | .findings | any(.rule == "VD064" and
				(.message | test("written over")) and
				(.evidence | any(.where == "/local/domain/0/backend/vif/\($d)/1/multi-queue-max-queues" and .value == "1")) and
				(.evidence | any(.where == "/local/domain/\($d)/cpu")))' "$C"
	}
	t "s1 check: exit 1; vif 1 (max-queues overwritten to 1, 2 vCPUs) is VD064 mq-backend-limit 'written over', with the key and the guest's vCPUs as evidence" \
		s1_override
	t "s1 check: vif 0 (2 queues for 2 vCPUs) has no multi-queue finding (VD062-VD065)" \
		jqe --argjson d "$D" '[.vifs[] | select(.domid == $d and .devid == 0) | .findings[] | select(.rule | IN("VD062", "VD063", "VD064", "VD065"))] | length == 0' "$C"
	for dev in 0 1; do
		want=$([ $dev = 0 ] && echo 2 || echo 1)
		irq=$(grep -oE "vif$D\.$dev-q[0-9]+-(tx|rx)" "$d/proc-interrupts.txt" 2>/dev/null | sort -u | tr '\n' ' ')
		t "s1 show --interval 1: vif $dev: per-queue load of vif$D.$dev over a window, $want queue(s), each with its -tx and -rx line in dom0's /proc/interrupts (${irq:-none}) and its debugfs ring read at both ends" \
			jqe --argjson d "$D" --arg irq "$irq" --argjson w "$want" --arg nd "vif$D.$dev" '.vifs[] | select(.domid == $d and .devid == '"$dev"') | .load |
				.netdev == $nd and .counts == "window" and .seconds > 0 and (.queues | length) == $w and
				.rings == "window" and .rings_dir == $nd and
				all(.queues[]; .id as $q | ($irq | contains("\($nd)-q\($q)-tx ") and contains("\($nd)-q\($q)-rx ")) and
					.tx != null and .rx != null and .ring.state == "ok" and .ring.slots >= 0)' "$d/show-load-json.out"
	done
	t "s1 bring-up: show --json 1 agrees with status on queues and lists the backend's features" \
		jqe --slurpfile a "$J" '([.vifs[] | .queues | del(.control_ring)] == [$a[0].vifs[] | select(.domid == '"$D"') | .queues]) and
			all(.vifs[]; .features != null)' "$d/show-json.out"
	# watch, during the bring-up
	ev=$(wwin "$d" "select(.domid == $D) | [.devid, .end, .event, (.to_name // .hotplug_status // .queues // null)]")
	for dev in 0 1; do
		want=$([ $dev = 0 ] && echo 2 || echo 1)
		t "s1 watch: vif $dev: hotplug connected, backend Connected, frontend Connected, $want queue(s)" \
			jq -e -s --argjson dev "$dev" --argjson q "$want" '[.[] | select(.[0] == $dev)] as $e |
				($e | index([[$dev, "backend", "hotplug", "connected"]])) != null and
				($e | index([[$dev, "backend", "state", "Connected"]])) != null and
				($e | index([[$dev, "frontend", "state", "Connected"]])) != null and
				($e | index([[$dev, "frontend", "queues", $q]])) != null and
				($e | index([[$dev, "backend", "hotplug", "connected"]])) < ($e | index([[$dev, "backend", "state", "Connected"]]))' <<<"$ev"
	done
fi

# ---------------------------------------------------------------- scenario 2
d=$S/s2-detach-attach
if [ -f "$d/t-end" ]; then
	echo "# scenario 2: network-detach then network-attach took $(dur "$d")s"
	D=$(cat "$d/domid")
	N=$(cat "$d/new-devid")
	t "s2 detach: xl network-detach domu1 1 succeeded" test "$(rc_of "$d/xl-network-detach.rc")" = 0
	t "s2 detach: status after the detach: vif 1 gone, vif 0 still ok" \
		jqe --argjson d "$D" '[.vifs[] | select(.domid == $d) | [.devid, .verdict]] == [[0, "ok"]]' "$d/after-detach-status-json.out"
	t "s2 attach: xl network-attach succeeded and reused devid 1 (got ${N:-none})" \
		test "$(rc_of "$d/xl-network-attach.rc")/$N" = 0/1
	xs=$(xsjson "$d/state/xenstore-ls-fp.txt")
	t "s2 attach: the new vif 1 is ok with the new MAC, $(jq -r --arg p "/local/domain/$D/device/vif/1/multi-queue-num-queues" '.[$p]' <<<"$xs") queues and the guest's ring refs" \
		jqe --argjson xs "$xs" --arg fe "/local/domain/$D/device/vif/1" ".vifs[] | select(.domid == $D and .devid == 1) |
			.verdict == \"ok\" and .mac == \"00:16:3e:00:01:02\" and
			.queues.negotiated == (\$xs[\$fe + \"/multi-queue-num-queues\"] | tonumber) and .queues as \$q | all(\$q.list[];
			(if \$q.layout == \"flat\" then \$fe else \"\(\$fe)/queue-\(.id)\" end) as \$p |
			.tx_ring_ref == (\$xs[\$p + \"/tx-ring-ref\"] | tonumber) and .rx_ring_ref == (\$xs[\$p + \"/rx-ring-ref\"] | tonumber))" \
		"$d/status-json.out"
	ev=$(wwin "$d" "select(.domid == $D and .devid == 1) | [.end, .event, (.to_name // .hotplug_status // null)] | @json" | jq -r -s 'map(fromjson)')
	echo "# s2 watch, vif $D/1: $(jq -c '[.[] | map(tostring) | join(" ")]' <<<"$ev")"
	# the order that must hold whatever watch coalesced: each end closed, vanished,
	# appeared, connected; the backend's hotplug-status removed and set again
	pos() { jq --argjson e "$1" 'index([$e])' <<<"$ev"; }
	t "s2 watch: backend reaches Closed, then vanishes, appears again and reaches Connected, in that order" \
		jq -e 'def at($x): index([$x]); (at(["backend","state","Closed"]) // 1e9) < (at(["backend","vanished",null]) // -1) and
			at(["backend","vanished",null]) < at(["backend","appeared",null]) and
			at(["backend","appeared",null]) < ((to_entries | map(select(.value == ["backend","state","Connected"])) | last.key) // -1)' <<<"$ev"
	t "s2 watch: frontend reaches Closed, then vanishes, appears again and reaches Connected, in that order" \
		jq -e 'def at($x): index([$x]); (at(["frontend","state","Closed"]) // 1e9) < (at(["frontend","vanished",null]) // -1) and
			at(["frontend","vanished",null]) < at(["frontend","appeared",null]) and
			at(["frontend","appeared",null]) < ((to_entries | map(select(.value == ["frontend","state","Connected"])) | last.key) // -1)' <<<"$ev"
	t "s2 watch: the backend's hotplug-status goes away at detach and back to connected after attach" \
		jq -e 'index([["backend","hotplug",null]]) != null and
			index([["backend","hotplug",null]]) < (to_entries | map(select(.value == ["backend","hotplug","connected"])) | last.key)' <<<"$ev"
fi

# ---------------------------------------------------------------- scenario 3
d=$S/s3-no-netfront
if [ -f "$d/t-end" ]; then
	echo "# scenario 3: guest without netfront took $(dur "$d")s"
	D=$(cat "$d/domid")
	host=$(hostmap "$d/state/host.txt")
	t "s3 no netfront: the guest booted without xen-netfront (its console says so)" \
		grep -q 'DOMU: netfront not loaded' "$d/guest-console.log"
	t "s3 no netfront: status exits 1" test "$(rc_of "$d/status-json.rc")" = 1
	t "s3 no netfront: verdict no-driver: frontend Initialising (1), backend InitWait (2), hotplug connected" \
		jqe ".vifs[] | select(.domid == $D and .devid == 0) | .verdict == \"no-driver\" and .frontend.state == 1 and
			.backend.state == 2 and .backend.hotplug_status == \"connected\" and .queues.negotiated == null and
			any(.findings[]; .code == \"no-driver\" and .severity == \"error\")" "$d/status-json.out"
	t "s3 no netfront: the text names the missing PV network driver" \
		grep -q 'no-driver.*network driver\|no PV network driver' "$d/status-text.out"
	t "s3 no netfront: host side: vif$D.0 is on xenbr0 without carrier, as sysfs says" \
		jqe --argjson h "$host" ".vifs[] | select(.domid == $D) | .host.netdev == \"vif$D.0\" and .host.bridge == \"xenbr0\" and
			.host.carrier == false and \$h[\"vif$D.0\"].carrier == \"0\" and \$h[\"vif$D.0\"].bridge == \"xenbr0\"" "$d/status-json.out"
	t "s3 no netfront: watch reported the connect stall of vif $D/0 (30 s threshold)" \
		jq -e -s "any(.[]; .event == \"stall\" and .domid == $D and .devid == 0 and .stall == \"connect\")" "$WATCH"
fi

# ---------------------------------------------------------------- scenario 4
d=$S/s4-bad-bridge
if [ -f "$d/t-end" ]; then
	echo "# scenario 4: VIF on a missing bridge took $(dur "$d")s"
	D=$(cat "$d/domid")
	B=$(cat "$d/bad-devid")
	xs=$(xsjson "$d/state/xenstore-ls-fp.txt")
	herr=$(jq -r --arg p "/local/domain/0/backend/vif/$D/$B/hotplug-error" '.[$p] // empty' <<<"$xs")
	t "s4 bad bridge: xl network-attach failed (rc $(rc_of "$d/xl-network-attach.rc")) with the script's error" \
		sh -c "[ \"\$(cat '$d/xl-network-attach.rc')\" != 0 ] && grep -q 'script: Could not find bridge device nosuchbr0' '$d/xl-network-attach.log'"
	t "s4 bad bridge: xenstore holds the script's own hotplug-error ('$herr')" \
		test "$herr" = "Could not find bridge device nosuchbr0"
	t "s4 bad bridge: status: vif $B hotplug-failed with hotplug_error exactly as xenstore has it" \
		jqe --arg e "$herr" ".vifs[] | select(.domid == $D and .devid == ${B:-99}) | .verdict == \"hotplug-failed\" and
			.backend.hotplug_status == \"error\" and .backend.hotplug_error == \$e and .backend.bridge == \"nosuchbr0\" and
			any(.findings[]; .severity == \"error\" and (.message | contains(\$e)))" "$d/status-json.out"
	t "s4 bad bridge: status exits 1 and its text quotes the script's error" \
		sh -c "[ \"\$(cat '$d/status-json.rc')\" = 1 ] && grep -q 'Could not find bridge device nosuchbr0' '$d/status-text.out'"
	t "s4 bad bridge: host side: vif$D.$B is on no bridge" \
		jqe ".vifs[] | select(.domid == $D and .devid == ${B:-99}) | .host.netdev == \"vif$D.$B\" and .host.bridge == null" "$d/status-json.out"
	t "s4 bad bridge: the other VIFs of domu1 are still ok" \
		jqe "[.vifs[] | select(.domid == $D and .devid != ${B:-99}) | .verdict] | length == 2 and all(. == \"ok\")" "$d/status-json.out"
	t "s4 watch: hotplug-status error with the script's text for vif $D/$B" \
		jq -e -s --arg e "$herr" "any(.[]; .event == \"hotplug\" and .domid == $D and .devid == ${B:-99} and .hotplug_status == \"error\" and .hotplug_error == \$e)" "$WATCH"
	echo "# s4: xl network-detach of the failed vif: rc $(rc_of "$d/xl-network-detach.rc")"
fi

# ---------------------------------------------------------------- scenario 5
d=$S/s5-shutdown
if [ -f "$d/t-end" ]; then
	echo "# scenario 5: guest shutdown took $(dur "$d")s"
	D=$(cat "$d/domid")
	D2=$(cat "$d/domid2")
	t "s5 shutdown: xl shutdown -w domu1 succeeded" test "$(rc_of "$d/xl-shutdown.rc")" = 0
	t "s5 shutdown: status after the shutdown lists no VIF of domain $D" \
		jqe "[.vifs[] | select(.domid == $D)] | length == 0" "$d/after-shutdown-status-json.out"
	t "s5 shutdown: the backend has no vif$D.* netdev left" \
		sh -c "! grep -q '^vif$D\.' '$d/after-shutdown/host.txt'"
	t "s5 destroy: after xl destroy of the unconnected guest, status: no VIFs, exit 0" \
		sh -c "[ \"\$(cat '$d/status-json.rc')\" = 0 ] && jq -e '.summary.vifs == 0' '$d/status-json.out' && grep -q 'no VIFs' '$d/status-text.out'"
	ev=$(wwin "$d" "[.domid, .devid, .end, .event, (.to_name // null)] | @json" | jq -r -s 'map(fromjson)')
	echo "# s5 watch: $(jq -c '[.[] | map(tostring) | join(" ")]' <<<"$ev")"
	for v in "$D 0" "$D 1" "${D2:-99} 0"; do
		set -- $v
		t "s5 watch: vif $1/$2: the backend reaches Closed, then both ends vanish" \
			jq -e --argjson d "$1" --argjson n "$2" '[.[] | select(.[0] == $d and .[1] == $n)] as $e |
				($e | index([[$d, $n, "backend", "state", "Closed"]])) as $c |
				($e | index([[$d, $n, "backend", "vanished", null]])) as $bv |
				($e | index([[$d, $n, "frontend", "vanished", null]])) as $fv |
				$c != null and $bv != null and $fv != null and $c < $bv' <<<"$ev"
	done
fi

# ---------------------------------------------------------------- scenario 8
d=$S/s8-libxl
if [ -f "$d/t-end" ]; then
	echo "# scenario 8: libxl enrichment took $(dur "$d")s"
	D=$(cat "$d/domid")
	xlp=$(awk -v d="$D" '$2 == d {print $(NF-1)}' "$d/xl-list-paused.txt" 2>/dev/null)
	xlr=$(awk -v d="$D" '$2 == d {print $(NF-1)}' "$d/xl-list-running.txt" 2>/dev/null)
	t "s8 xl pause (xl list state ${xlp:-none}): domu1's VIFs stay ok (connected), run_state paused, a domain-paused warning" \
		jqe --argjson d "$D" --arg xs "$xlp" '($xs | test("p")) and ([.vifs[] | select(.domid == $d)] | length >= 2 and
			all(.verdict == "ok" and .run_state == "paused" and any(.findings[]; .code == "domain-paused" and .severity == "warning")))' "$d/paused-status-json.out"
	t "s8 xl pause: the table says domu1 (paused), show says so per the hypervisor" \
		sh -c "grep -q '^domu1 (paused) ' '$d/paused-status-text.out' && grep -q '^  domain  *paused, per the hypervisor (libxl)' '$d/paused-show-text.out'"
	t "s8 xl unpause (xl list state ${xlr:-none}): run_state running, no domain-paused" \
		jqe --argjson d "$D" --arg xs "$xlr" '($xs | test("p") | not) and ([.vifs[] | select(.domid == $d)] | length >= 2 and
			all(.run_state == "running" and all(.findings[]; .code != "domain-paused")))' "$d/running-status-json.out"
	t "s8 record removed: xl network-list no longer shows vif 0, and vifdiag says libxl-unlisted for it only" \
		sh -c "! awk 'NR > 1 {print \$1}' '$d/xl-network-list-unlisted.txt' | grep -qx 0 && awk 'NR > 1 {print \$1}' '$d/xl-network-list-unlisted.txt' | grep -qx 1 &&
			jq -e '[.vifs[] | select(.domid == $D)] | (map(select(.devid == 0))[0] | .libxl.listed == false and .libxl.managed and
				any(.findings[]; .code == \"libxl-unlisted\" and .severity == \"warning\")) and
				all(.[] | select(.devid != 0); .libxl.listed and all(.findings[]; .code != \"libxl-unlisted\"))' '$d/unlisted-status-json.out'"
	t "s8 record restored: xl network-list shows vif 0 again, vifdiag lists it with no libxl finding" \
		sh -c "awk 'NR > 1 {print \$1}' '$d/xl-network-list-restored.txt' | grep -qx 0 &&
			jq -e 'all(.vifs[] | select(.domid == $D); .libxl.listed and all(.findings[]; .code != \"libxl-unlisted\"))' '$d/restored-status-json.out'"
	t "s8 stale record: xl network-list shows vif 7; vifdiag reports it libxl-only, neither end present, exit 1" \
		sh -c "awk 'NR > 1 {print \$1}' '$d/xl-network-list-stale.txt' | grep -qx 7 && [ \"\$(cat '$d/stale-status-json.rc')\" = 1 ] &&
			jq -e '.vifs[] | select(.domid == $D and .devid == 7) | .verdict == \"libxl-only\" and .frontend.present == false and
				.backend.present == false and .backend.path == \"/local/domain/0/backend/vif/$D/7\" and .libxl.mac == \"00:16:3e:00:01:07\" and
				any(.findings[]; .code == \"libxl-only\" and .severity == \"error\")' '$d/stale-status-json.out' &&
			grep -q 'vif 7: libxl-only' '$d/stale-show-text.out'"
	t "s8 leftovers of domain 999 (not in xl list): verdict domain-gone, run_state gone" \
		sh -c "! awk '{print \$2}' '$d/xl-list-running.txt' | grep -qx 999 &&
			jq -e '.vifs[] | select(.domid == 999 and .devid == 0) | .verdict == \"domain-gone\" and .run_state == \"gone\" and
				.libxl == {listed: false, managed: false, mac: null, bridge: null, backend_domid: null} and
				any(.findings[]; .code == \"domain-gone\" and .severity == \"error\")' '$d/gone-status-json.out' &&
			grep -q 'domain 999 (gone)\|domain-gone' '$d/gone-status-text.out'"
	t "s8 cleaned up: the last status has neither vif 7 nor domain 999, every VIF listed by libxl" \
		jqe 'all(.vifs[]; .domid != 999 and .devid != 7 and .libxl.listed)' "$d/status-json.out"
	if [ -f "$d/xlprobe.json" ]; then
		t "s8 libxl: vifdiag's run state of every domain with VIFs = the independent probe's" \
			jqe --slurpfile v "$d/status-json.out" '[.domains[] | select(.nics | length > 0) | {domid, run_state}] ==
				([$v[0].vifs[] | {domid, run_state}] | unique)' "$d/xlprobe.json"
	fi
fi

# ---------------------------------------------------------------- libxl, independent probe
# xlprobe.c: the same libxl calls (and libxl_device_nic_getinfo) in a client of its own
d=$S/s1-bringup
if [ -f "$d/xlprobe.json" ]; then
	D=$(cat "$d/domid")
	t "libxl probe: after xl create -p, libxl says domu1 is paused and lists 2 NICs" \
		jqe ".available and any(.domains[]; .domid == $D and .name == \"domu1\" and .run_state == \"paused\" and (.nics | length) == 2)" "$d/xlprobe-paused.json"
	t "libxl probe: after unpause, domu1 is running" \
		jqe ".available and any(.domains[]; .domid == $D and .run_state == \"running\")" "$d/xlprobe.json"
	t "libxl probe: libxl_device_nic_list of domu1 = vifdiag's VIFs (devid, MAC, bridge, backend domain)" \
		jqe --slurpfile v "$d/status-json.out" "[.domains[] | select(.domid == $D) | .nics[] | {devid, mac, bridge, be: .backend_domid}] | sort ==
			([\$v[0].vifs[] | select(.domid == $D) | {devid, mac, bridge: .backend.bridge, be: .backend.domid}] | sort)" "$d/xlprobe.json"
	t "libxl probe: nicinfo state = vifdiag's frontend state; ring refs agree for the flat VIF, libxl has -1 for the multi-queue one" \
		jqe --slurpfile v "$d/status-json.out" "[.domains[] | select(.domid == $D) | .nics[]] as \$n | all(\$v[0].vifs[] | select(.domid == $D); . as \$x |
			(\$n[] | select(.devid == \$x.devid)) as \$l | \$l.state == \$x.frontend.state and
			(if \$x.queues.layout == \"flat\" then \$l.rref_tx == \$x.queues.list[0].tx_ring_ref and \$l.rref_rx == \$x.queues.list[0].rx_ring_ref
			 else \$l.rref_tx == -1 and \$l.rref_rx == -1 end))" "$d/xlprobe.json"
	echo "# libxl probe, domu1: $(jq -c ".domains[] | select(.domid == $D) | {run_state, flags, nics: [.nics[] | {devid, state, evtch, rref_tx, rref_rx}]}" "$d/xlprobe.json")"
fi
d=$S/s3-no-netfront
if [ -f "$d/xlprobe.json" ]; then
	D=$(cat "$d/domid")
	t "libxl probe: names and NICs of every domain with VIFs = vifdiag's (two guests)" \
		jqe --slurpfile v "$d/status-json.out" "[.domains[] | select(.nics | length > 0) | {domid, name, nics: [.nics[] | {devid, mac}] | sort}] | sort_by(.domid) ==
			([\$v[0].vifs[] | {domid, name, devid, mac}] | group_by(.domid) | map({domid: .[0].domid, name: .[0].name, nics: [.[] | {devid, mac}] | sort}))" "$d/xlprobe.json"
	t "libxl probe: the guest without netfront is running, its NIC in state 1 as vifdiag reads it" \
		jqe ".domains[] | select(.domid == $D) | .run_state == \"running\" and .nics[0].state == 1" "$d/xlprobe.json"
fi
d=$S/s5-shutdown
if [ -f "$d/xlprobe.json" ]; then
	t "libxl probe: after shutdown and destroy only Domain-0 is left, without NICs" \
		jqe "[.domains[] | {domid, name, n: (.nics | length)}] == [{domid: 0, name: \"Domain-0\", n: 0}]" "$d/xlprobe.json"
fi

# ---------------------------------------------------------------- watch, overall
t "watch: exited 1 at SIGINT (a hotplug failure and a stall were reported) with a summary" \
	sh -c "[ \"\$(cat '$S/watch.rc')\" = 1 ] && tail -n 1 '$WATCH' | jq -e '.event == \"summary\"'"
bad=$(jq -s -c '[.[] | select(.event == "state")] | group_by("\(.domid)/\(.devid)/\(.end)") | map(
	. as $g | range(1; length) | select($g[.].from != $g[. - 1].to and $g[. - 1].to != null) |
	{at: $g[.].time, vif: "\($g[.].domid)/\($g[.].devid)", end: $g[.].end, prev_to: $g[. - 1].to, from: $g[.].from})' "$WATCH")
# a vanished end restarts its chain: only compare transitions between appearances
bad=$(jq -s -c 'reduce .[] as $e ({last: {}, bad: []};
	"\($e.domid)/\($e.devid)/\($e.end)" as $k |
	if $e.event == "vanished" then .last |= del(.[$k])
	elif $e.event == "state" then
		(if (.last | has($k)) and .last[$k] != $e.from then .bad += [{at: $e.time, vif: $k, was: .last[$k], from: $e.from}] else . end) |
		.last[$k] = $e.to
	else . end) | .bad' "$WATCH")
t "watch: every state change starts where the previous one of that end ended" test "$bad" = "[]"
[ "$bad" = "[]" ] || echo "#   $bad"

# ---------------------------------------------------------------- scenario 6
d=$S/s6-log
if [ -f "$d/t-end" ]; then
	kind=$([ "$K" = c ] && echo "C xenstored trace" || echo "oxenstored access log")
	echo "# scenario 6: vifdiag log over the $kind ($(wc -l <"$d"/xenstored-*.log) lines) took $(dur "$d")s"
	L=$d/log-json.out
	t "s6 log ($kind): exits 0 or 1 and prints events" \
		sh -c "rc=\$(cat '$d/log-json.rc'); [ \"\$rc\" = 0 ] || [ \"\$rc\" = 1 ]; jq -e -s 'length > 10' '$L'"
	nw=$(grep -c 'warning' "$d/log-json.err")
	[ "$nw" -gt 0 ] && echo "# s6: log warned $nw times: $(head -n 3 "$d/log-json.err" | tr '\n' '|')"
	# (domain 999: s8's hand-written leftovers, never introduced, so not watched)
	# watch's tokens must be a subsequence of log's, per VIF end, each matched within
	# [log time - 3.5 s, log time + 8 s x pace]: the C trace has whole seconds, watch re-reads
	# after the event (late), and stamps a change with the time of the event that woke it,
	# which can precede a change its re-read found (early: noted)
	cmp=$(jq -L "$HERE" -n -c --slurpfile w "$WATCH" --slurpfile l "$L" --argjson bp "$PACE" --argjson ps "$PACES" 'include "lib";
		# the pace at time t: the host'"'"'s, times the slowest sample within 15 s of t
		def pace($t): ([$ps[] | select((.[0] - $t) | fabs <= 15) | .[1]] | max // 1) * $bp | if . < 1 then 1 else . end;
		def seqs($a): [$a[] | select(.domid != null and .domid != 999) | {k: key, tok: token, t: (.time | epoch), ev: .}] | group_by(.k) | map({key: .[0].k, value: .}) | from_entries;
		(seqs($w)) as $W | (seqs($l)) as $L |
		[$W | to_entries[] | .key as $k | ($L[$k] // []) as $ls |
			# the changes one re-read found share a time stamp: their order among
			# themselves is watch'"'"'s, not the store'"'"'s
			reduce .value[] as $x ({i: 0, gi: 0, gt: null, miss: [], used: [], early: []};
				(if $x.t != .gt then .gi = .i | .gt = $x.t else . end) | . as $st |
				([range($st.gi; $ls | length) | select(. as $j | ($st.used | index($j)) == null and $ls[$j].tok == $x.tok and
					($x.t - $ls[$j].t) >= -3.5 and ($x.t - $ls[$j].t) <= 8 * pace($ls[$j].t))] | first) as $j |
				if $j == null then .miss += [{k: $k, tok: $x.tok, at: $x.ev.time}]
				else .i = ([.i, $j + 1] | max) | .used += [$j] |
					if ($x.t - $ls[$j].t) < -1.01 then .early += [{k: $k, tok: $x.tok, at: $x.ev.time, log: $ls[$j].ev.time}] else . end end) |
			{key: $k, miss, used, early, log: $ls}] |
		{unmatched: [.[].miss[]], early: [.[].early[]?],
		 skipped: [.[] | . as $r | $r.log | to_entries[] | select(.key as $i | $r.used | index($i) | not) |
			{k: $r.key, tok: .value.tok, at: .value.ev.time, pace: pace(.value.t), lasted: ((($r.log[.key + 1].t) // 1e12) - .value.t)}]}')
	t "s6 log ($kind): every change watch saw is in the log, in the same order per VIF end, at the same time (within 8 s x pace)" \
		jq -e '.unmatched == []' <<<"$cmp"
	jq -r '.unmatched[] | "#   watch saw \(.k) \(.tok) at \(.at); the log has no such change then"' <<<"$cmp"
	jq -r '.early[] | "# note: watch stamped \(.k) \(.tok) at \(.at), before the log wrote it (\(.log), whole seconds)"' <<<"$cmp"
	jq -r '.skipped[] | "#   log: \(.k) \(.tok) at \(.at) (lasted \(if .lasted > 1e9 then "to the end" else "\(.lasted) s" end), pace x\(.pace * 100 | round / 100)): watch did not report it"' <<<"$cmp"
	# 3 s of real time; the C trace's whole seconds make a logged "3 s" anything from just
	# over 2 s, so there a change must show 4 (seen: a 2.x s Initialising missed while
	# the emulated dom0 was starved); both times the pace at that moment
	minl=3
	[ "$K" = c ] && minl=4
	t "s6 log ($kind): watch missed no change that lasted 3 s x pace or more (logged >= $minl s x pace)" \
		jq -e --argjson m "$minl" '[.skipped[] | select(.lasted >= $m * .pace)] == []' <<<"$cmp"
	t "s6 log ($kind): writers: frontend states and queues by the guest kernel, backend InitWait/Connected by the backend kernel, appear/vanish by the toolstack" \
		jq -e -s 'map(select(.domid != 999)) | all(.[] | select(.event == "state" and .end == "frontend" and .from != null and .to != 1); .writer == "guest-kernel") and
			all(.[] | select(.event == "queues"); .writer == "guest-kernel") and
			all(.[] | select(.event == "state" and .end == "backend" and (.to == 2 or .to == 4)); .writer == "backend-kernel") and
			all(.[] | select(.event == "appeared" or .event == "vanished"); .writer == "toolstack")' "$L"
	t "s6 log ($kind): the hotplug failure carries the script's error text" \
		jq -e -s 'any(.[]; .event == "hotplug" and .hotplug_status == "error" and .hotplug_error == "Could not find bridge device nosuchbr0")' "$L"
	t "s6 log --stats ($kind): exits 0 and ranks connections" \
		sh -c "[ \"\$(cat '$d/log-stats.rc')\" = 0 ] && grep -q 'WATCH-EVENTS' '$d/log-stats.out'"
fi

# ---------------------------------------------------------------- scenario 7
d=$S/s7-read-only
if [ -f "$d/t-end" ]; then
	echo "# scenario 7: read-only window took $(dur "$d")s"
	DL=$S/s6-log/xenstored-trace.log
	[ "$K" = o ] && DL=$S/s6-log/xenstored-access.log
	# connections opened between the markers of each vifdiag run, and what they asked
	if [ "$K" = c ]; then
		ops=$(awk -v tsv="$S/vd.tsv" -v ptsv="$S/probe.tsv" '
		BEGIN {
			while ((getline l < tsv) > 0) { split(l, f, "\t"); label[f[1]] = f[6] "/" f[2] }
			while ((getline l < ptsv) > 0) { split(l, f, "\t"); label["x" f[1]] = f[3] "/" f[2] }
		}
		$1 == "CREATE" && $2 == "connection" { inst[$3] = ++n; born[n] = cur; next }
		$1 == "IN" {
			i = inst[$2]
			if ($5 == "READ" && $6 ~ /^\(\/vifdiag-e2e\/x?b[0-9]+$/) { cur = substr($6, 15); sub(/b/, "", cur); mark[i] = 1; next }
			if ($5 == "READ" && $6 ~ /^\(\/vifdiag-e2e\/x?e[0-9]+$/) { cur = ""; mark[i] = 1; next }
			if (mark[i]) next
			if ($0 ~ / WATCH \([^ ]+ vifdiag:/) wat[i] = 1
			if (born[i] != "") { cnt[born[i] " " $5]++; seen[born[i]] = 1 }
			if (wat[i]) wcnt[$5]++
			if (born[i] != "" || wat[i]) {
				if ($5 !~ /^(READ|DIRECTORY|DIRECTORY_PART|TRANSACTION_START|TRANSACTION_END|WATCH|UNWATCH|GET_DOMAIN_PATH|IS_DOMAIN_INTRODUCED)$/)
					print (born[i] ~ /^x/ ? "PBAD " : "BAD ") (wat[i] ? "watch" : label[born[i]]) " " $0
			}
		}
		END {
			for (s in label) if (!(s in seen) && s !~ /^x/) print "UNSEEN " label[s]
			for (k in cnt) { split(k, f, " "); print "OP " label[f[1]] " " f[2] " " cnt[k] }
			for (k in wcnt) print "OP watch " k " " wcnt[k]
		}' "$DL")
	else
		ops=$(awk -v tsv="$S/vd.tsv" -v ptsv="$S/probe.tsv" '
		BEGIN {
			while ((getline l < tsv) > 0) { split(l, f, "\t"); label[f[1]] = f[6] "/" f[2] }
			while ((getline l < ptsv) > 0) { split(l, f, "\t"); label["x" f[1]] = f[3] "/" f[2] }
		}
		{
			c = $2; sub(/^r\([0-9]+\):/, "", c); sub(/\..*/, "", c); op = $3
			if (op == "w" || op == "t") op = op "_" $4
			if (op == "newconn") { born[c] = cur; next }
			if (op == "read" && $4 ~ /^\/vifdiag-e2e\/x?b[0-9]+$/) { cur = substr($4, 14); sub(/b/, "", cur); mark[c] = 1; next }
			if (op == "read" && $4 ~ /^\/vifdiag-e2e\/x?e[0-9]+$/) { cur = ""; mark[c] = 1; next }
			if (mark[c] || c !~ /^A/) next
			if (op == "watch" && $5 ~ /^vifdiag:/) wat[c] = 1
			# what the daemon sends or notes about the client is not a request
			if (op == "endconn" || op ~ /^w_/ || op == "error") next
			if (born[c] != "") { cnt[born[c] " " op]++; seen[born[c]] = 1 }
			if (wat[c]) wcnt[op]++
			if (born[c] != "" || wat[c]) {
				if (op !~ /^(read|directory|t_start|t_end|commit|watch|unwatch|getdomain)$/)
					print (born[c] ~ /^x/ ? "PBAD " : "BAD ") (wat[c] ? "watch" : label[born[c]]) " " $0
			}
		}
		END {
			for (s in label) if (!(s in seen) && s !~ /^x/) print "UNSEEN " label[s]
			for (k in cnt) { split(k, f, " "); print "OP " label[f[1]] " " f[2] " " cnt[k] }
			for (k in wcnt) print "OP watch " k " " wcnt[k]
		}' "$DL")
	fi
	nrun=$(awk -F'\t' '$7 !~ /^log/' "$S/vd.tsv" | wc -l)
	nseen=$(grep '^OP ' <<<"$ops" | awk '$2 != "watch" && $2 !~ /\/xlprobe/ {print $2}' | sort -u | wc -l)
	q=$(grep -c '^OP s7-read-only/' <<<"$ops")
	t "s7 read-only: the daemon log shows the connections of the $nrun vifdiag runs against the store ($nseen found) and the watcher's" \
		sh -c "[ $nseen -ge $nrun ] && grep -q '^OP watch ' <<'EOF'
$ops
EOF"
	grep '^UNSEEN ' <<<"$ops" | grep -v '/log-' | sed 's/^/#   no connection found for /'
	t "s7 read-only: no write, mkdir, rm, set-perms or other change from any vifdiag connection (the quiet window and every other run, watch included)" \
		sh -c "! grep -q '^BAD ' <<'EOF'
$ops
EOF"
	grep '^BAD ' <<<"$ops" | head -n 20 | sed 's/^/#   /'
	echo "# s7: requests of vifdiag's connections: $(grep '^OP ' <<<"$ops" | grep -v '/xlprobe' | awk '{c[$(NF-1)] += $NF} END {for (k in c) printf "%s %d, ", k, c[k]}')"
	if [ -s "$S/probe.tsv" ]; then
		echo "# s7: requests of the libxl probe's connections: $(grep '^OP .*/xlprobe' <<<"$ops" | awk '{c[$(NF-1)] += $NF} END {for (k in c) printf "%s %d, ", k, c[k]}')"
		t "libxl probe: libxl_ctx_alloc, list_domain, device_nic_list and nic_getinfo wrote nothing to xenstore either" \
			sh -c "! grep -q '^PBAD ' <<'EOF'
$ops
EOF"
		grep '^PBAD ' <<<"$ops" | head -n 10 | sed 's/^/#   /'
	fi
	t "s7 read-only: the quiet window's status and show runs read the store (their connections are in the log)" \
		test "$q" -gt 0
fi

# scenario 12: vifdiag metrics of the real host (promtool runs here: it is not in dom0)
d=$S/s12-metrics
if [ -d "$d" ]; then
	t "s12 metrics: the scenario ran to its end" test -f "$d/t-end"
	t "s12 metrics: exit 0 (the store was read)" test "$(rc_of "$d/metrics.rc")" = 0
	if promtool check metrics <"$d/metrics.out" >"$d/promtool.txt" 2>&1; then ok "s12 metrics: promtool check metrics on the real host's exposition"
	else nok "s12 metrics: promtool check metrics" "$(head -5 "$d/promtool.txt")"; fi
	t "s12 metrics --output: exit 0, the file over the share passes promtool, no temporary file left" \
		sh -c "[ \"\$(cat '$d/metrics-output.rc')\" = 0 ] && promtool check metrics <'$d/vifdiag.prom' && ! grep -q '^\\.vifdiag' '$d/ls-after-output.txt'"
	t "s12 metrics: vifdiag_up 1" grep -qx 'vifdiag_up 1' "$d/metrics.out"
	D=$(cat "$d/domid" 2>/dev/null)
	xs=$d/state/xenstore-ls-fp.txt
	# every VIF of the guest in xenstore: both states, hotplug, queues as the store says
	devs=$(sed -n "s|^/local/domain/0/backend/vif/$D/\([0-9]*\)/state = .*|\1|p" "$xs" | sort -u)
	t "s12 metrics: the guest (domid $D) has VIFs in the store ($(echo $devs))" test -n "$devs"
	for n in $devs; do
		lab="domid=\"$D\",devid=\"$n\",domain=\"domu1\",backend_domid=\"0\""
		fe=$(sed -n "s|^/local/domain/$D/device/vif/$n/state = \"\([0-9]*\)\".*|\1|p" "$xs")
		be=$(sed -n "s|^/local/domain/0/backend/vif/$D/$n/state = \"\([0-9]*\)\".*|\1|p" "$xs")
		nq=$(sed -n "s|^/local/domain/$D/device/vif/$n/multi-queue-num-queues = \"\([0-9]*\)\".*|\1|p" "$xs")
		mq=$(sed -n "s|^/local/domain/0/backend/vif/$D/$n/multi-queue-max-queues = \"\([0-9]*\)\".*|\1|p" "$xs")
		t "s12 metrics: vif $D/$n frontend state $fe, backend state $be, as xenstore holds them" \
			sh -c "grep -qxF 'vifdiag_vif_frontend_state{$lab} $fe' '$d/metrics.out' && grep -qxF 'vifdiag_vif_backend_state{$lab} $be' '$d/metrics.out' &&
				grep -qxF 'vifdiag_vif_frontend_state_info{$lab,state=\"Connected\"} 1' '$d/metrics.out'"
		t "s12 metrics: vif $D/$n queues ${nq:-1} negotiated of ${mq:-?}, hotplug ok, verdict ok" \
			sh -c "grep -qxF 'vifdiag_vif_queues_negotiated{$lab} ${nq:-1}' '$d/metrics.out' && grep -qxF 'vifdiag_vif_queues_max{$lab} $mq' '$d/metrics.out' &&
				grep -qxF 'vifdiag_vif_hotplug_ok{$lab} 1' '$d/metrics.out' && grep -qxF 'vifdiag_vif_verdict_info{$lab,verdict=\"ok\"} 1' '$d/metrics.out'"
		car=$(awk -v n="vif$D.$n" '$1 == n && $2 == "carrier" {print $3}' "$d/state/host.txt")
		t "s12 metrics: vif $D/$n on xenbr0, link up, carrier ${car:-?} as sysfs says" \
			sh -c "grep -qxF 'vifdiag_vif_on_bridge{$lab} 1' '$d/metrics.out' && grep -qxF 'vifdiag_vif_link_up{$lab} 1' '$d/metrics.out' &&
				grep -qxF 'vifdiag_vif_carrier{$lab} ${car:-x}' '$d/metrics.out'"
	done
	nv=$(echo "$devs" | wc -w)
	t "s12 metrics: vifdiag_vifs{verdict=\"ok\"} counts the $nv VIFs" grep -qx "vifdiag_vifs{verdict=\"ok\"} $nv" "$d/metrics.out"
fi

# the vifdiag that ran in dom0, run here on what dom0 sent out
VH=${E2E_HOST_VIFDIAG:-$R/../../vifdiag.bin}
# the findings of a check --json, without their evidence (counters move between runs)
findings() { jq -c '[.vifs[] | {domid, devid, verdict, f: [.findings[] | {rule, code, severity}]}]' "$1" 2>/dev/null; }
# the events of a log --json, without the file they came from (dom0's path vs the bundle's)
events() { jq -c 'select(.event != null) | del(.file)' "$1" 2>/dev/null; }

# scenario 10: a bundle made in dom0, read here
d=$S/s10-bundle
if [ -d "$d" ]; then
	t "s10 bundle: the scenario ran to its end" test -f "$d/t-end"
	t "s10 dump in dom0: exit 0, the bundle is there, no temporary file left beside it" \
		sh -c "[ \"\$(cat '$d/dump.rc')\" = 0 ] && [ -s '$d/bundle.tar.gz' ] && ! grep -q '^\\.bundle' '$d/ls-after-dump.txt'"
	echo "# s10: bundle $(du -k "$d/bundle.tar.gz" 2>/dev/null | cut -f1) KiB, dump took $(awk -F'\t' '$2 == "dump" && $6 ~ /^s10/ {printf "%.1f", $5 - $4}' "$S/vd.tsv") s in dom0"
	"$VH" status --json --from "$d/bundle.tar.gz" >"$d/host-status.json" 2>"$d/host-status.err"
	echo $? >"$d/host-status.rc"
	t "s10 status --from the bundle: source.kind bundle, exit as in dom0 ($(cat "$d/status-before.rc"))" \
		sh -c "jq -e '.source.kind == \"bundle\"' '$d/host-status.json' && [ \"\$(cat '$d/host-status.rc')\" = \"\$(cat '$d/status-before.rc')\" ]"
	same=
	for w in before after; do
		diff <(jq -S 'del(.source)' "$d/status-$w.out") <(jq -S 'del(.source)' "$d/host-status.json") >"$d/status-diff-$w.txt" 2>&1 && same=$w
	done
	if [ -n "$same" ]; then
		ok "s10 status --json --from the bundle equals dom0's live status ($same the dump) except source"
	else
		nok "s10 status --json --from the bundle equals dom0's live status except source" "$(head -n 20 "$d/status-diff-before.txt")"
	fi
	t "s10 status: the bundle has domu1's VIFs (as many as dom0 saw)" \
		sh -c "n=\$(jq '[.vifs[] | select(.name == \"domu1\")] | length' '$d/host-status.json') && [ \"\$n\" -ge 2 ] &&
			[ \"\$n\" = \"\$(jq '[.vifs[] | select(.name == \"domu1\")] | length' '$d/status-before.out')\" ]"
	"$VH" check --json --min-severity info --from "$d/bundle.tar.gz" >"$d/host-check.json" 2>"$d/host-check.err"
	hf=$(findings "$d/host-check.json")
	if [ -n "$hf" ] && { [ "$hf" = "$(findings "$d/check-before.out")" ] || [ "$hf" = "$(findings "$d/check-after.out")" ]; }; then
		ok "s10 check --from the bundle (its logs the time source): the same findings (rule, code, severity per VIF) as check --log in dom0"
	else
		nok "s10 check --from the bundle: the same findings as check in dom0" "bundle: $hf" "dom0:   $(findings "$d/check-before.out")"
	fi
	"$VH" log --json --from "$d/bundle.tar.gz" >"$d/host-log.json" 2>"$d/host-log.err"
	events "$d/host-log.json" >"$d/host-events"
	events "$d/log.out" >"$d/dom0-events"
	nh=$(wc -l <"$d/host-events")
	t "s10 log --from the bundle: the daemon log travelled ($nh events) and gives dom0's timeline up to the dump (a prefix of log in dom0 just after it)" \
		sh -c "[ $nh -gt 0 ] && head -n $nh '$d/dom0-events' | cmp -s - '$d/host-events'"
	t "s10 log --from the bundle: domu1's vif 0 frontend reached Connected" \
		sh -c "jq -c --argjson d '$(cat "$d/domid" 2>/dev/null || echo -1)' 'select(.event == \"state\" and .domid == \$d and .devid == 0 and .end == \"frontend\" and .to == 4)' '$d/host-log.json' | grep -q ." 
fi

# scenario 11: top in batch mode while the guest pings
d=$S/s11-top
if [ -d "$d" ]; then
	D=$(cat "$d/domid" 2>/dev/null)
	t "s11 top: the scenario ran to its end" test -f "$d/t-end"
	t "s11 top -b -n 2: exit 0, two frames" sh -c "[ \"\$(cat '$d/top.rc')\" = 0 ] && [ \$(grep -c '^frame ' '$d/top.out') = 2 ]"
	# columns: DOMAIN ID DEV FRONTEND BACKEND QUEUES BRIDGE LINK VERDICT GRX-PKT(10) GRX-BYTES
	# GRX-ERR GRX-DROP GTX-PKT(14) ... EVENTS (q0:N q1:N, the rest of the line)
	row() { awk -v n="$1" -v d="$D" -v v="$2" '/^frame /{f++; next} f == n && $2 == d && $3 == v' "$d/top.out"; }
	r1=$(row 1 0) r2=$(row 2 0)
	b=$(sed -n 1p "$d/counters-before") a=$(sed -n 1p "$d/counters-after")
	g1=$(awk '{print $10}' <<<"$r1")
	t "s11 frame 1: vif$D.0's guest rx packets ($g1) are its netdev's tx_packets, read between $b and $a (direction as the guest sees it)" \
		awk -v g="$g1" -v b="$b" -v a="$a" 'BEGIN { exit !(g != "" && g + 0 >= b + 0 && g + 0 <= a + 0) }'
	t "s11 frame 2: non-zero traffic on vif$D.0 both ways (guest rx $(awk '{print $10}' <<<"$r2") pkt/s, guest tx $(awk '{print $14}' <<<"$r2") pkt/s)" \
		awk -v r="$r2" 'BEGIN { split(r, f, " "); exit !(f[10] + 0 > 0 && f[14] + 0 > 0) }'
	ev=$(grep -o 'q[0-9]*:[0-9.]*' <<<"$r2" | tr '\n' ' ')
	nq=$(sed -n "s|^/local/domain/$D/device/vif/0/multi-queue-num-queues = \"\([0-9]*\)\".*|\1|p" "$d/state/xenstore-ls-fp.txt")
	t "s11 frame 2: vif$D.0 has a queue entry per queue it negotiated (${nq:-1}) and events on one at least ($ev)" \
		sh -c "[ \$(echo '$ev' | wc -w) = '${nq:-1}' ] && echo '$ev' | tr ' ' '\\n' | awk -F: '\$2 + 0 > 0 {n++} END {exit !n}'"
	[ -n "$r2" ] || sed 's/^/#   /' "$d/top.out" | head -n 12
fi

exit $FAILED
