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
	i=0
	while [ ! -s "$T/pid" ]; do
		i=$((i + 1))
		if [ $i -gt 200 ] || ! kill -0 "$pid" 2>/dev/null; then
			sed 's/^/# /' "$T/xsd.err"; pid=""; return 1
		fi
		sleep 0.05
	done
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
for k in $kinds map; do
	case $k in
	map)
		tgt=$T/o/b.tar.gz extra=--redact
		ln -s "$T/o/target" "$T/o/b.tar.gz.map"
		;;
	*) tgt=$T/o/$k extra= ;;
	esac
	timeout 20 "$BIN" dump -o "$tgt" $extra >/dev/null 2>"$T/err"
	rc=$?
	case $k in
	fifo) still() { [ -p "$T/o/fifo" ]; } ;;
	link | map) still() { [ -L "$T/o/${k/map/b.tar.gz.map}" ] && [ "$(cat "$T/o/target")" = keep ]; } ;;
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
