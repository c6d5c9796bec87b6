#!/bin/sh
# vifdiag metrics: golden expositions over every fixture, each validated by the real
# `promtool check metrics`; hostile domain names; the atomic --output; an unreachable source;
# the example alert rules (promtool check rules, promtool test rules); a real
# node_exporter reading vifdiag's textfile and a real Prometheus scraping it and firing the
# example alerts for a broken VIF; --listen against the test xenstored (a scenario's change
# in the next scrape, only reads and watches, bounded against idle and hostile clients).
# Ports: 127.0.0.1:19100-19119 only. Every process runs under timeout and is killed at exit.
#   tests/metrics.sh [--update] BUILD_DIR     --update rewrites tests/metrics/expected/
set -u
update=0
[ "${1:-}" = --update ] && { update=1; shift; }
B=${1:?usage: tests/metrics.sh [--update] BUILD_DIR}
B=$(cd "$B" && pwd)
cd "$(dirname "$0")/.." || exit 2
ROOT=$(pwd)
BIN=$B/vifdiag
XSD=$B/vd-xenstored
EXP=tests/metrics/expected
RULES=contrib/prometheus/vifdiag-alerts.yml
. tests/lib.sh
use_procs

# stats_now DIR: the test xenstored's counts as of now (it rewrites the file by rename on
# SIGUSR1: wait for the new one instead of guessing how long that takes under load)
stats_now() {
	rm -f "$1/stats"
	kill -USR1 "$(cat "$1/pid")"
	wait_for "$1/stats" . 20 || echo "# no stats from the test xenstored"
}

# the one line that differs between runs
norm() { sed 's/^vifdiag_scrape_duration_seconds [0-9.e+-]*$/vifdiag_scrape_duration_seconds DURATION/'; }

# wait_http URL SECONDS: until it answers 200
wait_http() {
	i=0
	while ! curl -sf -m 2 -o /dev/null "$1"; do
		i=$((i + 1))
		[ $i -gt $(($2 * 10)) ] && return 1
		sleep 0.1
	done
}

promcheck() { # LABEL FILE
	if promtool check metrics <"$2" >"$T/lint" 2>&1; then ok "$1: promtool check metrics"
	else nok "$1: promtool check metrics"; sed 's/^/# /' "$T/lint" | head -10; fi
}

# --- golden expositions over the fixtures (host-* with their sysfs trees)
for dir in tests/fixtures/*/; do
	c=$(basename "$dir")
	[ -f "$dir/tree.txt" ] || continue
	sr=""
	[ -d "$dir/sysfs" ] && sr="--sysfs-root sysfs"
	# shellcheck disable=SC2086
	(cd "$dir" && $TO 30 "$BIN" --from tree.txt $sr metrics >"$T/$c.prom" 2>"$T/$c.err")
	rc=$?
	norm <"$T/$c.prom" >"$T/$c.norm"
	[ $update = 1 ] && cp "$T/$c.norm" "$EXP/$c.prom"
	if [ $rc -ne 0 ] || [ -s "$T/$c.err" ]; then
		nok "$c: metrics exit $rc"; sed 's/^/# /' "$T/$c.err" | head -5
	elif ! [ -f "$EXP/$c.prom" ]; then
		nok "$c: no $EXP/$c.prom (tests/metrics.sh --update)"
	elif diff -u "$EXP/$c.prom" "$T/$c.norm" >"$T/diff"; then
		ok "$c: metrics golden"
	else
		nok "$c: metrics differ from $EXP/$c.prom"; head -30 "$T/diff" | sed 's/^/# /'
	fi
	promcheck "$c" "$T/$c.prom"
done

# the exposition tells what status --json tells, VIF by VIF
c=no-pv-driver
"$BIN" --from tests/fixtures/$c/tree.txt status --json |
	jq -r '.vifs[] | "\(.domid)/\(.devid) \(.frontend.state) \(.backend.state) \(.verdict)"' | sort >"$T/want"
awk -F'[{}]' '/^vifdiag_vif_(frontend|backend)_state\{|^vifdiag_vif_verdict_info/ {
	split($2, l, ","); id = l[1] "/" l[2]; gsub(/[a-z_]*="|"/, "", id)
	if ($1 ~ /frontend/) fe[id] = $3; else if ($1 ~ /backend/) be[id] = $3
	else { v = $2; sub(/.*verdict="/, "", v); sub(/".*/, "", v); vd[id] = v }
} END { for (i in vd) print i, fe[i] + 0, be[i] + 0, vd[i] }' "$T/$c.prom" | sed 's/  */ /g' | sort >"$T/got"
if diff -u "$T/want" "$T/got" >"$T/diff"; then ok "$c: states and verdicts agree with status --json"
else nok "$c: metrics and status --json disagree"; sed 's/^/# /' "$T/diff"; fi

# every family has HELP and TYPE, one prefix, _total nowhere (no counters), no timestamps
if awk '/^# TYPE/ {t[$3] = 1} /^# HELP/ {h[$3] = 1} !/^#/ {n = $1; sub(/\{.*/, "", n); s[n] = 1; if (NF != 2 && $0 !~ /\} [^ ]+$/) bad = bad " " n}
	END { for (n in s) if (!t[n] || !h[n] || n !~ /^vifdiag_/ || n ~ /_total$/) bad = bad " " n; if (bad) { print bad; exit 1 } }' \
	"$T/multi-domain-host.prom" "$T/host-if-down.prom" >"$T/bad"; then
	ok "naming: HELP and TYPE for every family, prefix vifdiag_, no _total, no timestamps"
else nok "naming:$(cat "$T/bad")"; fi

# --- hostile domain name: backslash, quote, newline, ESC, invalid UTF-8
"$BIN" --from tests/metrics/hostile-name.txt metrics >"$T/hostile.prom" 2>"$T/err"
promcheck "hostile name" "$T/hostile.prom"
n=$(grep -c '^vifdiag_vif_verdict_info{' "$T/hostile.prom")
forged=$(grep -c '^vifdiag_up' "$T/hostile.prom")
want=$(printf 'domain="evil\\\\\\" } 1\\nvifdiag_up{x=\\"\\\\x1b[2J\357\277\275\357\277\275(",')
if [ "$n" = 2 ] && [ "$forged" = 1 ] && grep -qF -- "$want" "$T/hostile.prom" &&
	! grep -q "$(printf '\033')" "$T/hostile.prom"; then
	ok "hostile name: backslash, quote and newline escaped, ESC as text, invalid UTF-8 as U+FFFD, no forged line"
else
	nok "hostile name: $n verdict lines, $forged vifdiag_up lines"; grep 'verdict_info{' "$T/hostile.prom" | sed 's/^/# /'
fi

# --- --output onto what is not a regular file: refused, the object untouched
mkfifo "$T/fifo"
ln -s "$T/fifo" "$T/link"
mkdir "$T/adir"
for tgt in fifo link adir; do
	"$BIN" --from tests/fixtures/hotplug-failed/tree.txt metrics --output "$T/$tgt" >/dev/null 2>"$T/err"
	rc=$?
	case $tgt in fifo) still() { [ -p "$T/fifo" ]; } ;; link) still() { [ -L "$T/link" ]; } ;; adir) still() { [ -d "$T/adir" ]; } ;; esac
	if [ $rc = 4 ] && still && grep -q "^vifdiag: .*$tgt: not a regular file" "$T/err" && [ -z "$(ls -A "$T" | grep '^\.')" ]; then
		ok "--output onto a $tgt: exit 4, left as it was"
	else nok "--output onto a $tgt: rc $rc: $(cat "$T/err")"; fi
done

# --- --output: atomic, readable, nothing else left in the directory
out=$T/textfile
mkdir -p "$out"
"$BIN" --from tests/fixtures/hotplug-failed/tree.txt metrics --output "$out/vifdiag.prom" >"$T/stdout" 2>"$T/err"
rc=$?
"$BIN" --from tests/fixtures/hotplug-failed/tree.txt metrics | norm >"$T/direct"
if [ $rc = 0 ] && [ ! -s "$T/stdout" ] && [ "$(ls -A "$out")" = vifdiag.prom ] &&
	[ "$(stat -c %a "$out/vifdiag.prom")" = 644 ] && norm <"$out/vifdiag.prom" | cmp -s - "$T/direct"; then
	ok "--output: the exposition in FILE (mode 644), nothing on stdout, no temporary file left"
else nok "--output: rc $rc, dir: $(ls -A "$out" | tr '\n' ' ')"; fi
# atomic: a reader polling the file never sees a partial exposition while it is rewritten
(for i in $(seq 30); do "$BIN" --from tests/fixtures/multi-domain-host/tree.txt metrics --output "$out/vifdiag.prom"; done) &
wpid=$!
PIDS="$PIDS $wpid"
partial=0
while kill -0 $wpid 2>/dev/null; do
	tail -c 200 "$out/vifdiag.prom" | tail -n 1 | grep -q '^vifdiag_vif_rule_findings.* [0-9]*$' || partial=$((partial + 1))
done
wait $wpid
if [ $partial = 0 ] && [ "$(ls -A "$out")" = vifdiag.prom ]; then ok "--output: replaced atomically (a reader never saw a partial file)"
else nok "--output: $partial partial reads"; fi
chmod 555 "$out"
if [ "$(id -u)" != 0 ]; then
	"$BIN" --from tests/fixtures/hotplug-failed/tree.txt metrics --output "$out/vifdiag.prom" 2>"$T/err"
	rc=$?
	[ $rc = 4 ] && grep -q 'cannot create a temporary file' "$T/err" && ok "--output: unwritable dir is exit 4" ||
		nok "--output: unwritable dir gave $rc"
fi
chmod 755 "$out"
"$BIN" --from tests/fixtures/hotplug-failed/tree.txt metrics --output "$T/nosuchdir/x.prom" 2>"$T/err"
rc=$?
if [ $rc = 4 ] && grep -q "nosuchdir/\.x\.prom\.......: cannot create a temporary file there" "$T/err"; then ok "--output: missing directory is exit 4 with the path"
else nok "--output: missing dir gave $rc: $(cat "$T/err")"; fi

# --- source unreachable: exit 3, still an exposition saying vifdiag_up 0 and why
XENSTORED_PATH=$T/no-such-socket $TO 30 "$BIN" metrics --output "$out/down.prom" 2>"$T/err"
rc=$?
if [ $rc = 3 ] && grep -qx 'vifdiag_up 0' "$out/down.prom" &&
	grep -q '^vifdiag_error_info{reason=".*no-such-socket.*"} 1$' "$out/down.prom" &&
	! grep -q '^vifdiag_vif' "$out/down.prom"; then
	ok "unreachable: exit 3, vifdiag_up 0 with the reason, no VIF series"
else nok "unreachable: rc $rc"; sed 's/^/# /' "$out/down.prom" "$T/err" | head; fi
promcheck "unreachable" "$out/down.prom"
rm -f "$out/down.prom"
"$BIN" metrics extra >/dev/null 2>&1
[ $? = 2 ] && ok "metrics takes no arguments (exit 2)" || nok "metrics with an argument"
"$BIN" --from x metrics --listen 127.0.0.1:19100 --output y >/dev/null 2>&1
[ $? = 2 ] && ok "--listen and --output exclude each other" || nok "--listen with --output"
"$BIN" --from tests/fixtures/no-pv-driver/tree.txt metrics --listen 127.0.0.1:99999 2>"$T/err"
[ $? = 2 ] && grep -q 'expected ADDR:PORT' "$T/err" && ok "--listen: a bad port is a usage error" || nok "--listen bad port"

# --- the example alert rules
if promtool check rules "$RULES" >"$T/pc" 2>&1; then ok "promtool check rules $RULES"
else nok "promtool check rules"; sed 's/^/# /' "$T/pc"; fi
if (cd contrib/prometheus && promtool test rules vifdiag-alerts.test.yml) >"$T/pt" 2>&1; then ok "promtool test rules: the alerts fire when and only when they should"
else nok "promtool test rules"; sed 's/^/# /' "$T/pt" | head -30; fi
for u in contrib/systemd/vifdiag-metrics.service contrib/systemd/vifdiag-metrics.timer; do
	if command -v systemd-analyze >/dev/null && [ "${u##*.}" = service ]; then
		# the man page is not installed here
		sed "s|/usr/local/bin/vifdiag|$BIN|; /^Documentation=/d" "$u" >"$T/vifdiag-metrics.service"
		cp contrib/systemd/vifdiag-metrics.timer "$T/"
		if systemd-analyze verify "$T/vifdiag-metrics.service" >"$T/sa" 2>&1; then ok "systemd-analyze verify $u"
		else nok "systemd-analyze verify $u"; sed 's/^/# /' "$T/sa" | head; fi
	fi
	grep -q 'vifdiag metrics.*--output' contrib/systemd/vifdiag-metrics.service && [ -s "$u" ] ||
		nok "$u"
done

# --- a real node_exporter reads the textfile; a real Prometheus scrapes it and fires
"$BIN" --from tests/fixtures/hotplug-failed/tree.txt metrics --output "$out/vifdiag.prom"
$TO 90 prometheus-node-exporter --web.listen-address=127.0.0.1:19110 --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="$out" >"$T/ne.log" 2>&1 &
PIDS="$PIDS $!"
if wait_http http://127.0.0.1:19110/metrics 20; then
	curl -s -m 5 http://127.0.0.1:19110/metrics >"$T/ne.txt"
	if grep -q '^vifdiag_vif_hotplug_ok{backend_domid="0",devid="1",domain="domu1",domid="1"} 0$' "$T/ne.txt" &&
		grep -q '^vifdiag_up 1$' "$T/ne.txt" && grep -q '^node_textfile_scrape_error 0$' "$T/ne.txt"; then
		ok "node_exporter: textfile collector serves the vifdiag series, no scrape error"
	else nok "node_exporter: vifdiag series missing"; grep -i 'vifdiag\|textfile' "$T/ne.txt" | head | sed 's/^/# /'; fi
else
	nok "node_exporter did not start"; sed 's/^/# /' "$T/ne.log" | tail -5
fi
# the example rules with their hold times cut to 1 s, so that the run is bounded
sed -E 's/for: [0-9]+m/for: 1s/' "$RULES" >"$T/rules.yml"
cat >"$T/prom.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [ "$T/rules.yml" ]
scrape_configs:
  - job_name: node
    static_configs: [ { targets: [ "127.0.0.1:19110" ] } ]
EOF
$TO 90 prometheus --config.file="$T/prom.yml" --storage.tsdb.path="$T/tsdb" \
	--web.listen-address=127.0.0.1:19111 >"$T/prom.log" 2>&1 &
PIDS="$PIDS $!"
fired=""
if wait_http http://127.0.0.1:19111/-/ready 40; then
	i=0
	while [ $i -lt 60 ]; do
		curl -s -m 3 http://127.0.0.1:19111/api/v1/alerts >"$T/alerts.json"
		fired=$(jq -r '[.data.alerts[] | select(.state == "firing") | "\(.labels.alertname) \(.labels.domid)/\(.labels.devid)"] | sort | join(",")' "$T/alerts.json" 2>/dev/null)
		case $fired in *VifdiagHotplugFailed*VifdiagVifNotConnected*) break ;; esac
		i=$((i + 1))
		sleep 0.5
	done
	if [ "$fired" = "VifdiagHotplugFailed 1/1,VifdiagVifNotConnected 1/1" ]; then
		ok "prometheus: scraping node_exporter, the example alerts fire for the broken VIF only ($fired)"
	else nok "prometheus: firing alerts '$fired'"; jq -c '.data.alerts[]' "$T/alerts.json" 2>/dev/null | head | sed 's/^/# /'; fi
else
	nok "prometheus did not get ready"; tail -5 "$T/prom.log" | sed 's/^/# /'
fi

# --- --listen against the test xenstored
d=$T/listen
mkdir -p "$d"
# the hotplug failure of vif 1/2 (tests/xsd/scenarios) once the test has scraped once (it
# then starts a watcher on /vifdiag-test/go)
{
	echo "await-watch /vifdiag-test/go"
	grep -v '^#' tests/xsd/scenarios/hotplug-fail.scn
	echo "sleep 300ms"
	echo "A:marker write /vifdiag-test/done 1"
} >"$d/scn"
rm -f "$d/pid"
$TO 300 "$XSD" --socket "$d/sock" --pidfile "$d/pid" --access-log "$d/access.log" --stats "$d/stats" \
	--tree tests/xsd/data/a-bringup-ls-fp.txt --scenario "$d/scn" 2>"$d/xsd.err" &
XPID=$!
PIDS="$PIDS $XPID"
wait_for "$d/pid" . 10
XENSTORED_PATH=$d/sock $TO 280 "$BIN" metrics --listen 127.0.0.1:19100 >"$d/out" 2>"$d/err" &
LPID=$!
PIDS="$PIDS $LPID"
URL=http://127.0.0.1:19100/metrics
if wait_http $URL 20; then
	curl -s -m 5 $URL >"$d/before"
	promcheck "--listen" "$d/before"
	if grep -q '^vifdiag_vif_hotplug_ok{domid="1",devid="0",domain="domu1",backend_domid="0"} 1$' "$d/before" &&
		! grep -q 'devid="2"' "$d/before"; then ok "--listen: first scrape shows the store's VIFs"
	else nok "--listen: first scrape"; grep '^vifdiag_vif_hotplug' "$d/before" | sed 's/^/# /'; fi
	XENSTORED_PATH=$d/sock $TO 60 xenstore-watch /vifdiag-test/go >/dev/null 2>&1 &
	GPID=$!
	PIDS="$PIDS $GPID"
	if wait_for "$d/access.log" /vifdiag-test/done 30; then
		got=""
		for i in $(seq 40); do
			curl -s -m 5 $URL >"$d/after"
			got=$(grep -E '^vifdiag_vif_(hotplug_ok|backend_state|frontend_state|verdict_info)\{domid="1",devid="2"' "$d/after" | sed 's/{.*}//' | tr '\n' ' ')
			case $got in *verdict_info*) break ;; esac
			sleep 0.1
		done
		grep -q '^vifdiag_vif_backend_state_info{domid="1",devid="2",.*state="InitWait"} 1$' "$d/after" &&
			grep -q '^vifdiag_vif_hotplug_ok{domid="1",devid="2",.*} 0$' "$d/after" &&
			grep -q '^vifdiag_vif_verdict_info{domid="1",devid="2",.*verdict="hotplug-failed"} 1$' "$d/after" &&
			grep -q '^vifdiag_vifs{verdict="hotplug-failed"} 1$' "$d/after" &&
			ok "--listen: the scenario's hotplug failure shows in the next scrape ($got)" ||
			nok "--listen: after the scenario: $got"
	else
		nok "--listen: the scenario did not run"; sed 's/^/# /' "$d/xsd.err" | head
	fi
	kill $GPID 2>/dev/null
	# scrapes are answered from the cache: 20 scrapes read nothing
	sleep 0.5
	stats_now "$d"; cp "$d/stats" "$d/stats1"
	for i in $(seq 20); do curl -s -m 5 -o /dev/null $URL; done
	stats_now "$d"
	r1=$(awk '$2 == "READ" {s += $3} END {print s + 0}' "$d/stats1")
	r2=$(awk '$2 == "READ" {s += $3} END {print s + 0}' "$d/stats")
	[ "$r1" = "$r2" ] && [ "$r1" -gt 0 ] && ok "--listen: 20 scrapes, no xenstore read ($r1 reads before and after)" ||
		nok "--listen: scrapes read the store ($r1 -> $r2)"
	# HTTP: HEAD, 404, 405, oversized head, idle clients holding every slot
	st=$(curl -s -m 5 -o /dev/null -w '%{http_code}' -I $URL)
	[ "$st" = 200 ] && ok "--listen: HEAD /metrics 200" || nok "--listen: HEAD gave $st"
	st=$(curl -s -m 5 -o /dev/null -w '%{http_code}' http://127.0.0.1:19100/other)
	[ "$st" = 404 ] && ok "--listen: other paths 404" || nok "--listen: /other gave $st"
	st=$(curl -s -m 5 -o /dev/null -w '%{http_code}' -X POST $URL)
	[ "$st" = 405 ] && ok "--listen: POST 405" || nok "--listen: POST gave $st"
	st=$(curl -s -m 5 -o /dev/null -w '%{http_code}' -H "X-Big: $(head -c 6000 /dev/zero | tr '\0' a)" $URL)
	[ "$st" = 431 ] && ok "--listen: a request head over 4096 bytes is 431" || nok "--listen: big head gave $st"
	python3 - "$URL" >"$d/hostile" 2>&1 <<'EOF'
import socket, sys, time, urllib.request
# 40 clients that connect and send half a request line, then nothing
idle = []
for i in range(40):
    s = socket.create_connection(("127.0.0.1", 19100), timeout=5)
    s.sendall(b"GET /metr")
    idle.append(s)
time.sleep(0.2)
t = time.monotonic()
body = urllib.request.urlopen(sys.argv[1], timeout=5).read()
print("scrape", len(body) > 0 and b"vifdiag_up 1" in body, "%.1f" % (time.monotonic() - t))
# a client that sends its request and never reads the answer does not block the next one
s = socket.create_connection(("127.0.0.1", 19100), timeout=5)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
body = urllib.request.urlopen(sys.argv[1], timeout=5).read()
print("nonreader", b"vifdiag_up 1" in body)
for s in idle: s.close()
EOF
	if grep -q '^scrape True' "$d/hostile" && grep -q '^nonreader True' "$d/hostile"; then
		ok "--listen: 40 idle clients and one that never reads do not keep a scrape out ($(head -1 "$d/hostile"))"
	else nok "--listen: hostile clients"; sed 's/^/# /' "$d/hostile" | tail -5; fi
	# only reads and watches from the listener: every write, mkdir, rm and setperms of a
	# socket client is one of the scenario's
	stats_now "$d"
	bad=""
	for op in write:WRITE mkdir:MKDIR rm:RM setperms:SET_PERMS; do
		want=$(grep -c "^A:[^ ]* ${op%%:*} " "$d/scn")
		got=$(awk -v op="${op#*:}" '$1 ~ /^A/ && $2 == op {s += $3} END {print s + 0}' "$d/stats")
		[ "$want" = "$got" ] || bad="$bad ${op#*:} $got (scenario $want)"
	done
	others=$(awk '$1 ~ /^A/ && $2 !~ /^(DIRECTORY|READ|WATCH|UNWATCH|TRANSACTION_START|TRANSACTION_END|WRITE|MKDIR|RM|SET_PERMS)$/' "$d/stats" | tr '\n' ' ')
	if [ -z "$bad" ] && [ -z "$others" ]; then ok "--listen: only reads and watches (the server's counts)"
	else nok "--listen: other requests:$bad $others"; fi
else
	nok "--listen did not answer"; sed 's/^/# /' "$d/err" | head
fi
kill -TERM $LPID 2>/dev/null
wait $LPID
rc=$?
if [ $rc = 0 ]; then ok "--listen: SIGTERM ends it with status 0"
else nok "--listen: exit $rc after SIGTERM"; tail -n 5 "$d/err" | sed 's/^/# /'; fi
kill $XPID 2>/dev/null
wait $XPID 2>/dev/null

[ ! -e "$T/failed" ]
