#!/bin/bash
# Bundles (vifdiag dump, --from BUNDLE): round trip live vs bundle over the test xenstored and
# the fixture sysfs trees, MANIFEST, read-only, --log-max, redaction, and hostile bundles.
set -u
LIB=$(cd "$(dirname "$0")" && pwd)/lib.sh
B=${1:?usage: tests/bundle.sh BUILD_DIR}
B=$(cd "$B" && pwd)
cd "$(dirname "$0")/fixtures" || exit 2
BIN=$B/vifdiag
XSD=$B/vd-xenstored
. "$LIB"
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	[ -S "$T/tmux" ] && tmux -S "$T/tmux" kill-server 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
# every temporary directory the reader makes must land here, and go again
mkdir -p "$T/tmp"
export TMPDIR="$T/tmp"

start_server() { # TREE
	rm -f "$T/pid" "$T/stats"
	rm -rf "$T/logs"
	mkdir -p "$T/logs"
	"$XSD" --socket "$T/sock" --pidfile "$T/pid" --tree "$1" --stats "$T/stats" \
		--access-log "$T/logs/xenstored-access.log" 2>"$T/xsd.err" &
	pid=$!
	xsd_wait "$pid" || { pid=""; return 1; }
}
stop_server() { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=""; }
tmp_empty() { [ -z "$(ls -A "$T/tmp")" ]; }

export XENSTORED_PATH="$T/sock" VIFDIAG_LOG_DIR="$T/logs" VIFDIAG_VARLOG_DIR="$T/varlog" NO_COLOR=1

# ---- round trip: every fixture with a sysfs tree, and two without ----
for c in host-*/ no-pv-driver/ xenserver/; do
	c=${c%/}
	[ -f "$c/tree.txt" ] || continue
	sysfs=""
	[ -d "$c/sysfs" ] && sysfs="--sysfs-root $c/sysfs"
	start_server "$c/tree.txt" || { nok "$c: server"; continue; }
	# shellcheck disable=SC2086
	"$BIN" status >/dev/null 2>&1 # something in the access log
	# shellcheck disable=SC2086
	"$BIN" status --json $sysfs >"$T/live.json" 2>/dev/null
	live_rc=$?
	# shellcheck disable=SC2086
	"$BIN" show --json $sysfs >"$T/live-show.json" 2>/dev/null
	# shellcheck disable=SC2086
	"$BIN" check --json --min-severity info $sysfs >"$T/live-check.json" 2>/dev/null
	live_check_rc=$?
	# shellcheck disable=SC2086
	"$BIN" status $sysfs >"$T/live.txt" 2>/dev/null
	: >"$T/stats.before"
	# shellcheck disable=SC2086
	if ! "$BIN" dump -o "$T/$c.tar.gz" $sysfs >"$T/dump.out" 2>"$T/dump.err"; then
		nok "$c: dump failed"; sed 's/^/# /' "$T/dump.err"; stop_server; continue
	fi
	stop_server
	if grep -E '^A[0-9]+ (WRITE|MKDIR|RM|SET_PERMS) ' "$T/stats" >"$T/bad"; then
		nok "$c: dump wrote to xenstore"; sed 's/^/# /' "$T/bad"
	else
		ok "$c: dump sent no mutating request"
	fi
	"$BIN" status --json --from "$T/$c.tar.gz" >"$T/bun.json" 2>"$T/err"
	rc=$?
	if [ "$rc" = "$live_rc" ] && [ "$(jq -r .source.kind "$T/bun.json")" = bundle ] &&
		diff -u <(jq -S 'del(.source)' "$T/live.json") <(jq -S 'del(.source)' "$T/bun.json") >"$T/d" 2>&1; then
		ok "$c: status --json live equals --from its bundle except source (exit $rc)"
	else
		nok "$c: status --json round trip (exit $rc vs $live_rc)"; head -20 "$T/d" "$T/err" | sed 's/^/# /'
	fi
	"$BIN" show --json --from "$T/$c.tar.gz" >"$T/bun-show.json" 2>/dev/null
	if diff <(jq -S 'del(.source)' "$T/live-show.json") <(jq -S 'del(.source)' "$T/bun-show.json") >/dev/null; then
		ok "$c: show --json round trip"
	else nok "$c: show --json round trip"; fi
	"$BIN" check --json --min-severity info --from "$T/$c.tar.gz" >"$T/bun-check.json" 2>/dev/null
	rc=$?
	if [ "$rc" = "$live_check_rc" ] && jq -e .vifs "$T/live-check.json" >/dev/null &&
		diff <(jq -S 'del(.source)' "$T/live-check.json") <(jq -S 'del(.source)' "$T/bun-check.json") >"$T/d" 2>&1; then
		ok "$c: check --json live equals --from its bundle (exit $rc, $(jq '[.vifs[]?.findings[]?] | length' "$T/bun-check.json") findings)"
	else nok "$c: check round trip (exit $rc vs $live_check_rc)"; head -10 "$T/d" | sed 's/^/# /'; fi
	"$BIN" status --from "$T/$c.tar.gz" >"$T/bun.txt" 2>/dev/null
	if cmp -s "$T/live.txt" "$T/bun.txt"; then ok "$c: status text round trip"
	else nok "$c: status text round trip"; diff "$T/live.txt" "$T/bun.txt" | head -5 | sed 's/^/# /'; fi
	# the unpacked directory reads the same
	rm -rf "$T/unpacked" && mkdir "$T/unpacked" && tar -xzf "$T/$c.tar.gz" -C "$T/unpacked"
	d=$(ls "$T/unpacked")
	"$BIN" status --json --from "$T/unpacked/$d" >"$T/dir.json" 2>"$T/err"
	if diff <(jq -S 'del(.source)' "$T/bun.json") <(jq -S 'del(.source)' "$T/dir.json") >/dev/null; then
		ok "$c: the unpacked directory reads as the archive"
	else nok "$c: unpacked directory"; sed 's/^/# /' "$T/err"; fi
	# MANIFEST: every member with its real sha256 and size
	bad=$(cd "$T/unpacked/$d" && awk '$1 == "f" {print $2, $3, $4}' MANIFEST | while read -r sha size name; do
		[ "$(sha256sum <"$name" | cut -d' ' -f1)" = "$sha" ] && [ "$(wc -c <"$name")" = "$size" ] || echo "$name"
	done)
	nfiles=$(cd "$T/unpacked/$d" && find . -type f ! -name MANIFEST | wc -l)
	nlisted=$(awk '$1 == "f"' "$T/unpacked/$d/MANIFEST" | wc -l)
	if [ -z "$bad" ] && [ "$nfiles" = "$nlisted" ]; then ok "$c: MANIFEST has every file ($nfiles) with its sha256 and size"
	else nok "$c: MANIFEST: bad '$bad', $nfiles files, $nlisted listed"; fi
	# the host side comes from the bundle alone: read elsewhere (the fixture's sysfs, named
	# relative to this directory, is not there) it says the same
	(cd / && "$BIN" show --json --from "$T/$c.tar.gz") >"$T/bun-show2.json" 2>/dev/null
	if diff <(jq -S 'del(.source)' "$T/bun-show.json") <(jq -S 'del(.source)' "$T/bun-show2.json") >"$T/d" 2>&1; then
		ok "$c: show --from its bundle reads no file outside the bundle"
	else nok "$c: show --from the bundle depends on the directory it runs in"; head -10 "$T/d" | sed 's/^/# /'; fi
	if tmp_empty; then ok "$c: no temporary directory left behind"
	else nok "$c: left in TMPDIR: $(ls "$T/tmp")"; fi
done

# ---- log --from BUNDLE reads the bundle's xenstored log as log FILE does ----
c=host-linux-bridge
"$BIN" log --json "$T/logs/xenstored-access.log" >"$T/log.direct" 2>&1
"$BIN" log --json --from "$T/$c.tar.gz" >"$T/log.bundle" 2>&1
if [ -s "$T/$c.tar.gz" ] && tar -tzf "$T/$c.tar.gz" | grep -q 'logs/xenstored/xenstored-access.log$' &&
	sed 's/"file":"[^"]*"//' "$T/log.direct" | cmp -s - "$(sed 's/"file":"[^"]*"//' "$T/log.bundle" >"$T/log.b2"; echo "$T/log.b2")"; then
	ok "log --from BUNDLE equals log on the same file"
else
	nok "log --from BUNDLE"; diff "$T/log.direct" "$T/log.bundle" | head -5 | sed 's/^/# /'
fi

# ---- log --from BUNDLE over rotations: the same events and stalls as the files read directly ----
# a recorded bring-up cut in three: the current log, a .1 and a .2.gz, in time order
L=../logs/bringup.access.log
rm -rf "$T/rot" && mkdir -p "$T/rot/d"
sed -n '1,24p' "$L" | gzip >"$T/rot/d/xenstored-access.log.2.gz"
sed -n '25,48p' "$L" >"$T/rot/d/xenstored-access.log.1"
sed -n '49,$p' "$L" >"$T/rot/d/xenstored-access.log"
start_server host-linux-bridge/tree.txt
VIFDIAG_LOG_DIR=$T/rot/d "$BIN" dump -o "$T/rot.tar.gz" --sysfs-root host-linux-bridge/sysfs >/dev/null 2>"$T/err"
stop_server
nodir() { sed 's/"file":"[^"]*"//g; s|[^ ]*/xenstored-access\.log|LOG|g'; }
"$BIN" log --json "$T/rot/d/xenstored-access.log" 2>&1 | nodir >"$T/rot.direct"
"$BIN" log --json --from "$T/rot.tar.gz" 2>&1 | nodir >"$T/rot.bundle"
"$BIN" log "$T/rot/d/xenstored-access.log" 2>&1 | nodir >"$T/rot.direct.txt"
"$BIN" log --from "$T/rot.tar.gz" 2>&1 | nodir >"$T/rot.bundle.txt"
# and what the whole log, uncut, says (at other line numbers: those are of each file)
noline() { sed 's/,"line":[0-9]*//' "$1"; }
"$BIN" log --json "$L" 2>&1 | nodir >"$T/rot.whole"
members=$(tar -tzf "$T/rot.tar.gz" | grep -c 'logs/xenstored/xenstored-access\.log\(\.1\|\.2\.gz\)\?$')
if [ "$members" = 3 ] && [ "$(wc -l <"$T/rot.direct")" -ge 5 ] && cmp -s "$T/rot.direct" "$T/rot.bundle" &&
	cmp -s "$T/rot.direct.txt" "$T/rot.bundle.txt" && noline "$T/rot.whole" | cmp -s - <(noline "$T/rot.bundle") &&
	grep -q 'Connected/Connected' "$T/rot.bundle.txt"; then
	ok "log --from BUNDLE with a .1 and a .2.gz equals log on the same files and on the uncut log ($(wc -l <"$T/rot.direct") lines, JSON and text)"
else
	nok "log --from BUNDLE over rotations ($members members)"; diff "$T/rot.direct" "$T/rot.bundle" | head -5 | sed 's/^/# /'
	diff <(noline "$T/rot.whole") <(noline "$T/rot.bundle") | head -5 | sed 's/^/# /'
	diff "$T/rot.direct.txt" "$T/rot.bundle.txt" | head -5 | sed 's/^/# /'
fi
# watch --replay --from the bundle: the replay of the same files, events and summary
"$BIN" watch --replay --json "$T/rot/d/xenstored-access.log" 2>/dev/null | nodir >"$T/rep.direct"
"$BIN" watch --replay --json --from "$T/rot.tar.gz" 2>/dev/null | nodir >"$T/rep.bundle"
"$BIN" watch --replay --from "$T/rot.tar.gz" >"$T/rep.bundle.txt" 2>&1
if [ "$(wc -l <"$T/rep.direct")" -ge 5 ] && cmp -s "$T/rep.direct" "$T/rep.bundle" &&
	tail -n 1 "$T/rep.bundle" | jq -e '.event == "summary" and (.vifs | length) > 0' >/dev/null &&
	grep -q "^vifdiag: note: replaying the xenstored logs of $T/rot.tar.gz: the times are the log's" "$T/rep.bundle.txt"; then
	ok "watch --replay --from BUNDLE equals the replay of the same files ($(wc -l <"$T/rep.direct") lines, summary last)"
else
	nok "watch --replay --from BUNDLE"; diff "$T/rep.direct" "$T/rep.bundle" | head -5 | sed 's/^/# /'
	head -3 "$T/rep.bundle.txt" | sed 's/^/# /'
fi
rm -rf "$T/rot"

# ---- --log-max: rotations newest first, the rest omitted with the reason ----
start_server healthy-single-queue/tree.txt
head -c 900000 /dev/urandom | base64 >"$T/logs/xenstored-access.log.1"
head -c 900000 /dev/urandom | base64 >"$T/logs/xenstored-access.log.2"
"$BIN" dump -o "$T/cap.tar.gz" --log-max 2 >/dev/null 2>&1
stop_server
tar -xzf "$T/cap.tar.gz" -C "$T" cap/MANIFEST
if grep -q '^f .* logs/xenstored/xenstored-access.log.1$' "$T/cap/MANIFEST" &&
	grep -q '^omitted logs/xenstored/xenstored-access.log.2 .*--log-max 2 MB' "$T/cap/MANIFEST" &&
	grep -q '^omitted logs/host/xensource.log ' "$T/cap/MANIFEST"; then
	ok "--log-max 2: .1 in, .2 omitted with the reason; absent logs are noted"
else
	nok "--log-max"; grep -v '^[fdl] ' "$T/cap/MANIFEST" | sed 's/^/# /'
fi
rm -f "$T/logs"/xenstored-access.log.*

# ---- the progress line: on a terminal through the archive write, cleared; never elsewhere ----
# VIFDIAG_PROGRESS_MS=0: at once, so that no test depends on the machine being slow
# polls up to ~60 s (an ASan build compressing 24 MB on a loaded machine)
wait_screen() { pane_wait "$1" "$2" 600; }
# runs "vifdiag dump ARGS" in a 160x40 terminal once its output is recorded (pipe-pane)
term_dump() { # NAME ARGS...
	n=$1
	shift
	rm -f "$T/$n.go" "$T/$n.raw"
	tm new-session -d -s "$n" -x 160 -y 40 "env -i PATH=/usr/bin:/bin TERM=xterm NO_COLOR=1 VIFDIAG_PROGRESS_MS=0 \
		XENSTORED_PATH=$T/sock VIFDIAG_LOG_DIR=$T/logs VIFDIAG_VARLOG_DIR=$T/varlog sh -c '
		while [ ! -e $T/$n.go ]; do sleep 0.05; done
		$BIN dump $*; echo \"[exit \$?]\"; exec sleep 300'"
	tm pipe-pane -o -t "=$n:" "cat >>$T/$n.raw"
	: >"$T/$n.go"
	wait_screen "$n" '^\[exit [0-9]+\]'
	# and the recording has caught up
	i=0
	while ! grep -aq 'exit [0-9]' "$T/$n.raw" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
}
if command -v tmux >/dev/null; then
	start_server healthy-single-queue/tree.txt
	head -c 18000000 /dev/urandom | base64 >"$T/logs/xenstored-access.log.1" # 24 MB
	term_dump prog -o "$T/prog.tar.gz" --log-max 32
	# the recording holds every progress line the terminal got, the screen what is left
	tr '\r' '\n' <"$T/prog.raw" | grep -a 'vifdiag dump: writing the archive: ' | sed 's/\x1b\[K//g' | sort -u >"$T/prog.lines"
	left=$(screen prog | grep -v '^$')
	if grep -qE '^vifdiag dump: writing the archive: [0-9]+\.[0-9] of 2[0-9]\.[0-9] MB, [0-9]+ of [0-9]+ members\.\.\.$' "$T/prog.lines"; then
		ok "dump on a terminal: a progress line while the archive is written ($(wc -l <"$T/prog.lines") updates)"
	else nok "dump on a terminal: no progress line while writing"; tr '\r\033' '\n~' <"$T/prog.raw" | tail -5 | sed 's/^/# /'; fi
	if [ "$(printf '%s\n' "$left" | wc -l)" = 2 ] &&
		printf '%s\n' "$left" | head -1 | grep -qE "^wrote $T/prog.tar.gz: [0-9]+ members, [0-9]+ omitted or cut \(see its MANIFEST\)$" &&
		[ "$(printf '%s\n' "$left" | tail -1)" = "[exit 0]" ]; then
		ok "dump on a terminal: the progress line is cleared, only the result is left"
	else nok "dump on a terminal leaves:"; printf '%s\n' "$left" | sed 's/^/# | /'; fi
	# stderr to a file, stdout on the terminal: nothing but the result anywhere
	term_dump prog2 -o "$T/prog2.tar.gz" --log-max 32 "2>$T/prog2.err"
	left=$(screen prog2 | grep -v '^$')
	if [ ! -s "$T/prog2.err" ] && [ "$(printf '%s\n' "$left" | wc -l)" = 2 ] &&
		printf '%s\n' "$left" | head -1 | grep -q "^wrote $T/prog2.tar.gz: " && grep -aq 'wrote ' "$T/prog2.raw" &&
		! grep -aq 'vifdiag dump:' "$T/prog2.raw"; then
		ok "dump with stderr not a terminal: no progress line, only the result"
	else nok "dump with stderr to a file: '$(cat "$T/prog2.err")'"; printf '%s\n' "$left" | sed 's/^/# | /'; fi
	tm kill-server 2>/dev/null
	stop_server
	rm -f "$T/logs"/xenstored-access.log.* "$T"/prog*.tar.gz
else
	nok "tmux is not installed: the progress line is not tested"
fi
# neither stream a terminal: stdout is the result line, stderr empty
start_server healthy-single-queue/tree.txt
VIFDIAG_PROGRESS_MS=0 "$BIN" dump -o "$T/quiet.tar.gz" >"$T/quiet.out" 2>"$T/quiet.err"
rc=$?
stop_server
if [ $rc = 0 ] && [ ! -s "$T/quiet.err" ] && [ "$(wc -l <"$T/quiet.out")" = 1 ] && grep -q "^wrote $T/quiet.tar.gz: " "$T/quiet.out"; then
	ok "dump with stderr not a terminal: stderr empty, one result line"
else nok "dump off a terminal: rc $rc, stderr '$(head -c 200 "$T/quiet.err" | tr '\r\033' '|~')'"; fi
rm -f "$T/quiet.tar.gz"

# ---- redaction ----
c=host-linux-bridge
start_server "$c/tree.txt"
"$BIN" status >/dev/null 2>&1
mkdir -p "$T/varlog"
printf 'xenopsd: VIF %s on vm %s ip 10.1.2.3 host %s\n' \
	"$(sed -n 's/.*\/mac = "\([^"]*\)".*/\1/p' "$c/tree.txt" | head -1)" \
	"$(sed -n 's/.*\/vm = "\/vm\/\([^"]*\)".*/\1/p' "$c/tree.txt" | head -1)" "$(uname -n)" >"$T/varlog/xensource.log"
"$BIN" dump -o "$T/plain.tar.gz" --sysfs-root "$c/sysfs" >/dev/null 2>&1
"$BIN" dump -o "$T/red.tar.gz" --redact --sysfs-root "$c/sysfs" >"$T/red.out" 2>&1
stop_server
rm -rf "$T/red" && mkdir "$T/red" && tar -xzf "$T/red.tar.gz" -C "$T/red"
# the originals: MACs, UUIDs and IPs anywhere in the plain bundle, domain names, the hostname
rm -rf "$T/plain" && mkdir "$T/plain" && tar -xzf "$T/plain.tar.gz" -C "$T/plain"
{
	grep -rhoiE '\b([0-9a-f]{2}:){5}[0-9a-f]{2}\b' "$T/plain" | grep -vi '^fe:ff:ff:ff:ff:ff$'
	grep -rhoiE '\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b' "$T/plain"
	grep -rhoE '\b10\.1\.2\.3\b' "$T/plain"
	sed -n 's/^\/local\/domain\/[0-9]*\/name = "\(.*\)"$/\1/p' "$T/plain"/*/xenstore.txt | grep -v '^Domain-0$'
	uname -n
} | awk 'length($0) >= 3' | sort -u >"$T/originals" # shorter words are not redacted (man page)
found=""
while read -r o; do
	[ -n "$o" ] || continue
	if grep -rqiF -- "$o" "$T/red" || find "$T/red" | grep -qiF -- "$o"; then
		found="$found $o"; grep -rliF -- "$o" "$T/red" | head -3 | sed 's/^/# in: /'
	fi
done <"$T/originals"
if [ "$(wc -l <"$T/originals")" -ge 4 ] && [ -z "$found" ]; then
	ok "redaction: none of $(wc -l <"$T/originals") originals (MACs, UUIDs, IP, names, host) in any member or name"
else
	nok "redaction: originals left:$found ($(wc -l <"$T/originals") looked for)"
fi
map=$T/red.tar.gz.map
if [ -s "$map" ] && ! tar -tzf "$T/red.tar.gz" | grep -q '\.map$'; then
	ok "redaction: the mapping is beside the bundle, not in it"
else nok "redaction: mapping"; fi
"$BIN" status --json --from "$T/plain.tar.gz" | jq -S 'del(.source)' >"$T/p.json"
"$BIN" status --json --from "$T/red.tar.gz" | jq -S 'del(.source)' >"$T/r.json"
# map the pseudonyms back (longest first, so name-10 before name-1)
awk -F'\t' '{print length($2) "\t" $0}' "$map" | sort -rn | cut -f2- >"$T/map.sorted"
python3 - "$T/map.sorted" "$T/r.json" >"$T/r.mapped" <<'PY'
import sys
pairs=[l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
s=open(sys.argv[2]).read()
for orig, pseudo in pairs:
    s=s.replace(pseudo, "\0%d\0" % pairs.index([orig, pseudo]))
for i,(orig,pseudo) in enumerate(pairs):
    s=s.replace("\0%d\0" % i, orig)
sys.stdout.write(s)
PY
if [ -s "$T/p.json" ] && ! cmp -s "$T/p.json" "$T/r.json" && jq -S --ascii-output . "$T/r.mapped" | tr 'A-F' 'a-f' >"$T/r.n" &&
	jq -S --ascii-output . "$T/p.json" | tr 'A-F' 'a-f' | cmp -s - "$T/r.n"; then
	ok "redaction: status --json of the redacted bundle equals the plain one after mapping"
else
	nok "redaction: status differs after mapping"; diff "$T/p.json" "$T/r.mapped" | head -10 | sed 's/^/# /'
fi

# ---- the map: mode 0600 whatever was there, whatever the umask ----
start_server "$c/tree.txt"
rm -rf "$T/o2" && mkdir "$T/o2"
echo old >"$T/o2/m.tar.gz.map" && chmod 644 "$T/o2/m.tar.gz.map"
(umask 000 && "$BIN" dump -o "$T/o2/m.tar.gz" --redact --sysfs-root "$c/sysfs" >/dev/null 2>"$T/err")
rc1=$?
(umask 000 && "$BIN" dump -o "$T/o2/n.tar.gz" --redact --sysfs-root "$c/sysfs" >/dev/null 2>>"$T/err")
rc2=$?
stop_server
if [ $rc1 = 0 ] && [ $rc2 = 0 ] && [ "$(stat -c %a "$T/o2/m.tar.gz.map")" = 600 ] &&
	[ "$(stat -c %a "$T/o2/n.tar.gz.map")" = 600 ] && grep -q "$(printf '\t')" "$T/o2/m.tar.gz.map" &&
	! grep -qx old "$T/o2/m.tar.gz.map" && [ -z "$(ls -A "$T/o2" | grep '^\.')" ]; then
	ok "redaction: FILE.map is mode 0600, replacing a 0644 one, under umask 000"
else nok "redaction: map modes $(stat -c %a "$T/o2"/*.map | tr '\n' ' ') rc $rc1 $rc2 $(cat "$T/err")"; fi
rm -rf "$T/o2"

# ---- a dump by a user who cannot read everything: said in MANIFEST, and by the analysis ----
if [ "$(id -u)" != 0 ]; then
	echo "# skipped: the non-root dump (it needs root to drop to nobody)"
elif command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
	# root reads a mode 000 file anyway: the dump must run as someone else
	NB="setpriv --reuid=nobody --regid=$(id -gn nobody) --clear-groups"
	c=host-rx-stalled
	chmod 711 "$T" # nobody reaches the socket, the logs and the copy, not the rest
	rm -rf "$T/pub" && mkdir -m 1777 "$T/pub"
	cp -a "$c/sysfs" "$T/pub/sysfs" && chmod -R a+rX "$T/pub/sysfs"
	start_server "$c/tree.txt"
	"$BIN" status >/dev/null 2>&1 # something in the access log
	chmod 666 "$T/sock"
	chmod 755 "$T/logs"
	head -c 1100000 /dev/urandom | base64 >>"$T/logs/xenstored-access.log" # 1.4 MB
	head -c 700000 /dev/urandom | base64 >"$T/logs/xenstored-access.log.1"  # 0.9 MB, readable
	chmod 640 "$T/logs/xenstored-access.log" # as /var/log/xen files often are
	chmod 000 "$T/pub/sysfs/sys/kernel/debug" # debugfs is root-only
	chmod 000 "$T/pub/sysfs/sys/class/net/vif1.1/operstate"
	$NB "$BIN" status --json --sysfs-root "$T/pub/sysfs" >"$T/nob-live.json" 2>/dev/null
	$NB "$BIN" show --json 1 --sysfs-root "$T/pub/sysfs" >"$T/nob-live-show.json" 2>/dev/null
	$NB "$BIN" dump -o "$T/pub/nob.tar.gz" --sysfs-root "$T/pub/sysfs" --log-max 2 >"$T/nob.out" 2>"$T/nob.err"
	rc=$?
	stop_server
	rm -rf "$T/nob" && mkdir "$T/nob" && tar -xzf "$T/pub/nob.tar.gz" -C "$T/nob" 2>/dev/null
	man=$T/nob/nob/MANIFEST
	if [ $rc = 0 ] && [ ! -s "$T/nob.err" ] && [ -s "$man" ] && grep -q '^f .* xenstore\.txt$' "$man" &&
		grep -q '^f .* sysfs/sys/devices/vif-1-1/net/vif1.1/mtu$' "$man"; then
		ok "dump as nobody: exit 0 with what it could read"
	else nok "dump as nobody: rc $rc: $(cat "$T/nob.err")"; fi
	for want in 'sysfs/sys/kernel/debug cannot read /sys/kernel/debug: Permission denied (EACCES)' \
		'sysfs/sys/class/net/vif1.1/operstate cannot read /sys/class/net/vif1.1/operstate: Permission denied (EACCES)' \
		"logs/xenstored/xenstored-access.log cannot read $T/logs/xenstored-access.log: Permission denied (EACCES)" \
		"logs/xenstored cannot read $T/logs/xenstored-access.log: Permission denied (EACCES)"; do
		if grep -qxF "omitted $want" "$man"; then ok "dump as nobody: MANIFEST says: omitted ${want%% *}"
		else nok "dump as nobody: MANIFEST lacks 'omitted $want'"; grep -v '^[fdl] ' "$man" | sed 's/^/# /'; fi
	done
	# nothing it could not read is left out silently: no member for them, and no empty debugfs
	if ! grep -qE ' sysfs/sys/kernel/debug(/|$)' "$man" && ! grep -q '^f .*/vif1.1/operstate$' "$man"; then
		ok "dump as nobody: no member stands in for what it could not read"
	else nok "dump as nobody: members for unreadable objects: $(grep -E 'debug|vif1.1/operstate' "$man" | grep '^[fdl]')"; fi
	# the unreadable current log leaves its room under --log-max 2 to the readable .1
	if grep -q '^f .* logs/xenstored/xenstored-access\.log\.1$' "$man"; then
		ok "dump as nobody: a log it could not read does not count against --log-max"
	else nok "dump as nobody: .1 not taken"; grep 'xenstored-access' "$man" | sed 's/^/# /'; fi
	"$BIN" status --json --from "$T/pub/nob.tar.gz" >"$T/nob-bun.json" 2>/dev/null
	"$BIN" show --json 1 --from "$T/pub/nob.tar.gz" >"$T/nob-bun-show.json" 2>/dev/null
	# (jq 1.6 -e passes on empty input: the files must hold something)
	if [ -s "$T/nob-bun.json" ] && [ -s "$T/nob-bun-show.json" ] &&
		jq -e '[.. | .rings_unavailable? // empty] | length > 0 and all(test("/sys/kernel/debug: Permission denied \\(debugfs is root-only\\)"))' "$T/nob-bun-show.json" >/dev/null &&
		jq -e --arg r "$T/pub/sysfs" '.warnings | any(. == "not in the bundle: \($r)/sys/class/net/vif1.1/operstate (Permission denied on the host that made it)")' "$T/nob-bun.json" >/dev/null &&
		jq -e --arg r "$T/pub/sysfs" '.warnings | any(. == "not in the bundle: \($r)/sys/kernel/debug (Permission denied on the host that made it)")' "$T/nob-bun.json" >/dev/null; then
		ok "status --from nobody's bundle: debugfs root-only where the rings are, and what the bundle lacks"
	else nok "status --from nobody's bundle"; jq -c '[.warnings, [.. | .rings_unavailable? // empty]]' "$T/nob-bun.json" "$T/nob-bun-show.json" | sed 's/^/# /'; fi
	# and apart from those warnings what nobody saw live
	nowarn='del(.source) | .warnings |= map(select(startswith("not in the bundle: ") | not))'
	if [ -s "$T/nob-live.json" ] && diff <(jq -S "$nowarn" "$T/nob-live.json") <(jq -S "$nowarn" "$T/nob-bun.json") >"$T/d" &&
		diff <(jq -S "$nowarn" "$T/nob-live-show.json") <(jq -S "$nowarn" "$T/nob-bun-show.json") >>"$T/d"; then
		ok "status and show --from nobody's bundle equal them as nobody live but for what the bundle lacks"
	else nok "status as nobody live vs its bundle"; head -10 "$T/d" | sed 's/^/# /'; fi
	"$BIN" status --from "$T/pub/nob.tar.gz" >/dev/null 2>"$T/nob-st.err"
	if grep -qxF "vifdiag: note: not in the bundle: $T/pub/sysfs/sys/class/net/vif1.1/operstate (Permission denied on the host that made it)" "$T/nob-st.err"; then
		ok "status --from nobody's bundle (text) notes what the bundle lacks"
	else nok "status text from nobody's bundle"; sed 's/^/# /' "$T/nob-st.err"; fi
	"$BIN" log --from "$T/pub/nob.tar.gz" >/dev/null 2>"$T/nob-log.err"
	rc=$?
	if [ $rc = 3 ] && grep -q "the bundle has no xenstored log: cannot read $T/logs/xenstored-access.log: Permission denied" "$T/nob-log.err"; then
		ok "log --from nobody's bundle: exit 3, says why there is no log"
	else nok "log --from nobody's bundle: rc $rc $(cat "$T/nob-log.err")"; fi
	chmod 700 "$T"
	chmod -R u+rwX "$T/pub"
	rm -rf "$T/pub" "$T/nob" "$T/logs"/xenstored-access.log.*
else
	nok "no setpriv or no user nobody: the non-root dump is not tested"
fi

# ---- hostile and corrupted bundles: exit 3, the member named, nothing outside TMPDIR ----
good=$T/plain.tar.gz
top=$(ls "$T/plain")
repack() { # DIR OUT: MANIFEST first, as dump writes it
	(cd "$1" && tar -cf "$2.tar" "$top/MANIFEST" && tar -rf "$2.tar" --exclude=MANIFEST "$top" && gzip -c "$2.tar" >"$2" && rm "$2.tar")
}
hostile() { # NAME FILE EXPECTED-REGEX
	out=$("$BIN" status --from "$2" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" = 3 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] && printf '%s' "$out" | grep -qE -- "$3" && tmp_empty &&
		[ ! -e "$T/escaped" ] && [ ! -e /tmp/vifdiag-escaped ]; then
		ok "bad bundle: $1: exit 3, '$out'"
	else
		nok "bad bundle: $1: exit $rc, '$out'"; ls "$T/tmp" | sed 's/^/# left: /'
	fi
}
size=$(wc -c <"$good")
head -c $((size / 2)) "$good" >"$T/trunc.tar.gz"
hostile truncated "$T/trunc.tar.gz" "truncated|corrupt|missing"
gzip -dc "$good" | head -c 10240 | gzip >"$T/cut.tar.gz"
hostile "cut after a few members" "$T/cut.tar.gz" "member '.*': .*(missing|truncated)"
echo "not a bundle" | gzip >"$T/notb.tar.gz"
hostile "not a bundle (gzip of text)" "$T/notb.tar.gz" "not a vifdiag bundle"
head -c 4096 /dev/urandom >"$T/rand.tar.gz"; printf '\037\213' | cat - "$T/rand.tar.gz" >"$T/rand2.tar.gz"
hostile "random bytes" "$T/rand2.tar.gz" "not a vifdiag bundle|corrupt"
# a member missing
rm -rf "$T/m" && cp -a "$T/plain" "$T/m" && rm "$T/m/$top/libxl.json"
repack "$T/m" "$T/missing.tar.gz"
hostile "member missing" "$T/missing.tar.gz" "member 'libxl.json': listed in MANIFEST but missing"
hostile "member missing (directory)" "$T/m/$top" "member 'libxl.json': listed in MANIFEST but missing"
# a member changed
rm -rf "$T/m" && cp -a "$T/plain" "$T/m" && sed -i 's/Connected/Closed/; s/= "4"/= "6"/' "$T/m/$top/xenstore.txt"
repack "$T/m" "$T/changed.tar.gz"
hostile "manifest mismatch" "$T/changed.tar.gz" "member 'xenstore.txt': .*(sha256|bytes)"
hostile "manifest mismatch (directory)" "$T/m/$top" "member 'xenstore.txt': .*(sha256|smaller|larger)"
# a file the MANIFEST does not list
rm -rf "$T/m" && cp -a "$T/plain" "$T/m" && echo x >"$T/m/$top/extra.txt"
repack "$T/m" "$T/extra.tar.gz"
hostile "member not in MANIFEST" "$T/extra.tar.gz" "member 'extra.txt': not in MANIFEST"
# hand-made archives: traversal, absolute names, links out, special files, a bomb
python3 - "$T" "$T/plain/$top/MANIFEST" <<'PY'
import hashlib, io, sys, tarfile
T, man = sys.argv[1], open(sys.argv[2], "rb").read()
def mk(name, members, manifest=man):
    with tarfile.open(f"{T}/{name}.tar.gz", "w:gz") as t:
        d = tarfile.TarInfo("b"); d.type = tarfile.DIRTYPE; t.addfile(d)
        i = tarfile.TarInfo("b/MANIFEST"); i.size = len(manifest); t.addfile(i, io.BytesIO(manifest))
        for m in members:
            t.addfile(*m) if isinstance(m, tuple) else t.addfile(m)
def f(name, data=b"x"):
    i = tarfile.TarInfo(name); i.size = len(data); return (i, io.BytesIO(data))
def ln(name, target):
    i = tarfile.TarInfo(name); i.type = tarfile.SYMTYPE; i.linkname = target; return i
mk("dotdot", [f("b/../escaped")])
mk("absolute", [f("/tmp/vifdiag-escaped")])
mk("deep-dotdot", [f("b/sysfs/../../escaped")])
lt = b"../../../../etc"
sha = hashlib.sha256(lt).hexdigest()
m2 = man + f"l {sha} {len(lt)} sysfs/evil\n".encode()
mk("link-out", [ln("b/sysfs/evil", "../../../../etc")], m2)
lt2 = b"/etc/passwd"
m3 = man + f"l {hashlib.sha256(lt2).hexdigest()} {len(lt2)} sysfs/abs\n".encode()
mk("link-abs", [ln("b/sysfs/abs", "/etc/passwd")], m3)
fifo = tarfile.TarInfo("b/fifo"); fifo.type = tarfile.FIFOTYPE
mk("fifo", [fifo])
# a bomb: MANIFEST says 2 GiB of zeros
bomb = b"vifdiag-bundle 1\nf " + hashlib.sha256(b"").hexdigest().encode() + b" 2147483648 big\n"
mk("bomb", [], bomb)
# a bomb that lies: MANIFEST says 1 byte, the header 64 MiB
z = b"\0" * (64 << 20)
lie = man.replace(b" libxl.json\n", b" libxl.json\n") + b""
mk("bomb-lie", [f("b/libxl.json", z)])
PY
hostile "../ member" "$T/dotdot.tar.gz" "member 'b/../escaped': an unsafe name"
hostile "absolute member" "$T/absolute.tar.gz" "member '/tmp/vifdiag-escaped': an unsafe name"
hostile "../ deep in a member" "$T/deep-dotdot.tar.gz" "unsafe name"
hostile "symlink out of the tree" "$T/link-out.tar.gz" "member 'sysfs/evil': a symlink that points out"
hostile "absolute symlink" "$T/link-abs.tar.gz" "member 'sysfs/abs': a symlink that points out"
hostile "special file" "$T/fifo.tar.gz" "member 'fifo': not a regular file"
hostile "decompression bomb (MANIFEST)" "$T/bomb.tar.gz" "member 'big': .*decompression bomb"
hostile "decompression bomb (header larger than MANIFEST)" "$T/bomb-lie.tar.gz" "member 'libxl.json': [0-9]+ bytes, MANIFEST says"
# a directory with a link out of it
rm -rf "$T/m" && cp -a "$T/plain" "$T/m" && ln -s ../../../../etc "$T/m/$top/sysfs/evil"
hostile "symlink out (directory)" "$T/m/$top" "member 'sysfs/evil': not in MANIFEST"
# ---- -o onto what is not a regular file: refused before collecting, left as it was ----
rm -rf "$T/o" && mkdir "$T/o"
mkfifo "$T/o/fifo"
echo keep >"$T/o/target"
ln -s "$T/o/target" "$T/o/link"
mkdir "$T/o/adir"
kinds="fifo link adir"
# a character device (what /dev/null is), where this user may make one
mknod "$T/o/dev" c 1 7 2>/dev/null && kinds="$kinds dev"
start_server healthy-single-queue/tree.txt
for k in $kinds map dangling-map; do
	case $k in
	map)
		tgt=$T/o/b.tar.gz extra=--redact
		ln -s "$T/o/target" "$T/o/b.tar.gz.map"
		;;
	dangling-map) # a link to where the map would be made: none must be
		tgt=$T/o/c.tar.gz extra=--redact
		ln -s "$T/o/nowhere" "$T/o/c.tar.gz.map"
		;;
	*) tgt=$T/o/$k extra= ;;
	esac
	timeout 20 "$BIN" dump -o "$tgt" $extra >/dev/null 2>"$T/err"
	rc=$?
	case $k in
	fifo) still() { [ -p "$T/o/fifo" ]; } ;;
	link | map) still() { [ -L "$T/o/${k/map/b.tar.gz.map}" ] && [ "$(cat "$T/o/target")" = keep ]; } ;;
	dangling-map) still() { [ -L "$T/o/c.tar.gz.map" ] && [ ! -e "$T/o/nowhere" ] && [ ! -e "$T/o/c.tar.gz" ]; } ;;
	adir) still() { [ -d "$T/o/adir" ] && [ -z "$(ls -A "$T/o/adir")" ]; } ;;
	dev) still() { [ -c "$T/o/dev" ]; } ;;
	esac
	if [ $rc = 4 ] && still && grep -q "^vifdiag: .*: not a regular file" "$T/err" &&
		[ -z "$(ls -A "$T/o" | grep '^\.')" ] && [ ! -e "$T/o/b.tar.gz" ]; then
		ok "dump -o onto a $k: exit 4, left as it was, no temporary file"
	else nok "dump -o onto a $k: rc $rc: $(cat "$T/err") $(ls -A "$T/o" | tr '\n' ' ')"; fi
done
stop_server
rm -rf "$T/o"
# a plain dump still reads as a dump
if "$BIN" status --json --from healthy-single-queue/tree.txt | jq -e '.source.kind == "dump"' >/dev/null; then
	ok "a xenstore-ls dump is still a dump"
else nok "dump kind"; fi
rm -rf "$T/m" "$T/plain" "$T/red" "$T/unpacked"
finish
