#!/bin/sh
# Hostile stores and faults, live through libxenstore and the test xenstored: huge and
# malformed trees, a domain removed while status walks it (vd-xenstored --rm-after), the
# daemon killed mid-request, a daemon answering garbage or resetting the connection in a
# transaction, watch while the store churns. vifdiag must answer with what it could read,
# name what vanished, never hang (every run is under a timeout the test treats as a
# failure), never crash, never print a raw control byte (tests/tools/raw-controls.py),
# and keep JSON valid (jq).
set -u
LIB=$(cd "$(dirname "$0")" && pwd)/lib.sh
B=${1:?usage: tests/stores.sh BUILD_DIR}
B=$(cd "$B" && pwd)
cd "$(dirname "$0")/.." || exit 2
. "$LIB"
BIN=$B/vifdiag
XSD=$B/vd-xenstored
RAW=tests/tools/raw-controls.py
xpid=""
fpid=""
cleanup() {
	[ -n "$xpid" ] && kill "$xpid" 2>/dev/null && wait "$xpid" 2>/dev/null
	[ -n "$fpid" ] && kill "$fpid" 2>/dev/null && wait "$fpid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
export TZ=UTC XENSTORED_PATH=$T/sock

start() { # TREE [vd-xenstored options]
	rm -f "$T/pid"
	tf=$1
	shift
	"$XSD" --socket "$T/sock" --pidfile "$T/pid" --tree "$tf" "$@" 2>"$T/xsd.err" &
	xpid=$!
	xsd_wait "$xpid" 600
}
stop() {
	kill "$xpid" 2>/dev/null
	wait "$xpid" 2>/dev/null
	xpid=""
}

# run NAME CMD...: exit status in $rc, stdout in $T/out, stderr in $T/err; checks no
# hang, no crash, no raw control byte
run() {
	name=$1
	shift
	timeout -k 5 120 "$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		nok "$name: hung"
		return 1
	fi
	if [ "$rc" -gt 4 ] || grep -q 'Sanitizer\|runtime error' "$T/err"; then
		nok "$name: crashed (exit $rc)"
		head -8 "$T/err" | sed 's/^/# /'
		return 1
	fi
	if ! python3 "$RAW" "$T/out" "$T/err" >"$T/raw"; then
		nok "$name: raw control bytes"
		head -3 "$T/raw" | sed 's/^/# /'
		return 1
	fi
	return 0
}

json_ok() { jq -e . "$T/out" >/dev/null 2>&1; }

# ---- hostile trees ----
python3 - "$T" <<'PY'
import sys, random
d = sys.argv[1]
random.seed(15)

def esc(b):
    o = []
    for c in b:
        if 32 <= c < 127 and c not in (34, 92):
            o.append(chr(c))
        else:
            o.append("\\x%02x" % c)
    return "".join(o)

class Tree(dict):
    """path -> value; a later write replaces, written in order at close"""
    def __init__(self, name):
        super().__init__()
        self.name = name
    def __enter__(self):
        return self
    def __exit__(self, *a):
        with open(self.name, "w") as f:
            for p, v in self.items():
                f.write('%s = "%s"   (n0)\n' % (p, esc(v)))

def node(f, p, v=b""):
    f[p] = v

def domain(f, dom, name):
    node(f, "/local/domain/%d" % dom)
    node(f, "/local/domain/%d/name" % dom, name)
    node(f, "/local/domain/%d/domid" % dom, b"%d" % dom)

def vif(f, dom, dev, be=0, val=None, q=1):
    fe = "/local/domain/%d/device/vif/%s" % (dom, dev)
    bk = "/local/domain/%d/backend/vif/%d/%s" % (be, dom, dev)
    v = val or (lambda k, x: x)
    for k, x in [("backend", bk.encode()), ("backend-id", b"%d" % be), ("state", b"4"),
                 ("handle", str(dev).encode()), ("mac", b"00:16:3e:00:00:01"),
                 ("multi-queue-num-queues", b"%d" % q), ("tx-ring-ref", b"8"),
                 ("rx-ring-ref", b"9"), ("event-channel", b"10")]:
        node(f, fe + "/" + k, v(k, x))
    for k, x in [("frontend", fe.encode()), ("frontend-id", b"%d" % dom), ("state", b"4"),
                 ("online", b"1"), ("hotplug-status", b"connected"), ("bridge", b"xenbr0"),
                 ("mac", b"00:16:3e:00:00:01"), ("multi-queue-max-queues", b"4")]:
        node(f, bk + "/" + k, v(k, x))

with Tree(d + "/vifs10k.txt") as f:
    domain(f, 0, b"Domain-0"); domain(f, 1, b"many")
    for i in range(10000):
        vif(f, 1, i)

with Tree(d + "/big-values.txt") as f:
    domain(f, 0, b"Domain-0"); domain(f, 1, bytes(random.randrange(256) for _ in range(4096)))
    for i in range(20):
        vif(f, 1, i, val=lambda k, x: bytes(random.randrange(256) for _ in range(4096)))

with Tree(d + "/bad-names.txt") as f:
    domain(f, 0, b"Domain-0"); domain(f, 1, b"g")
    for dev in ["abc", "99999999999999999999999", "18446744073709551616", "-1", "0x10",
                "4294967296", "1e3", "7x"]:
        vif(f, 1, dev)
    node(f, "/local/domain/notanumber/device/vif/0/state", b"4")
    node(f, "/local/domain/99999999999999999999/device/vif/0/state", b"4")
    # queues: bad names, and dirs that disagree with multi-queue-num-queues
    vif(f, 1, 100, q=4)
    for qn in ["queue-0", "queue-x", "queue-18446744073709551616", "queue-", "queue-07"]:
        node(f, "/local/domain/1/device/vif/100/%s/tx-ring-ref" % qn, b"1")
    vif(f, 1, 101, q=1)
    for qn in range(8):
        node(f, "/local/domain/1/device/vif/101/queue-%d/event-channel-tx" % qn, b"2")
    vif(f, 1, 102, q=18446744073709551617)
    # 64-deep trees under a frontend and a backend
    p = "/local/domain/1/device/vif/0"
    q = "/local/domain/0/backend/vif/1/0"
    for i in range(64):
        p += "/d%d" % i; q += "/queue-%d" % i
        node(f, p, b"x"); node(f, q, b"y")
    # pointer loops: two frontends and backends pointing round in a circle, and at themselves
    vif(f, 1, 200)
    vif(f, 1, 201)
    node(f, "/local/domain/1/device/vif/200/backend", b"/local/domain/0/backend/vif/1/201")
    node(f, "/local/domain/0/backend/vif/1/201/frontend", b"/local/domain/1/device/vif/201")
    node(f, "/local/domain/1/device/vif/201/backend", b"/local/domain/0/backend/vif/1/200")
    node(f, "/local/domain/0/backend/vif/1/200/frontend", b"/local/domain/1/device/vif/200")
    vif(f, 1, 202)
    node(f, "/local/domain/1/device/vif/202/backend", b"/local/domain/1/device/vif/202")
    node(f, "/local/domain/0/backend/vif/1/202/frontend", b"/local/domain/0/backend/vif/1/202")
    node(f, "/local/domain/1/device/vif/203/backend", b"../../../../0/backend/vif/1/203")

with Tree(d + "/two.txt") as f:
    domain(f, 0, b"Domain-0")
    for dom in (1, 2):
        domain(f, dom, b"g%d" % dom)
        for i in range(50):
            vif(f, dom, i)
PY

for tree in vifs10k big-values bad-names; do
	start "$T/$tree.txt" || {
		nok "$tree: vd-xenstored did not start"
		continue
	}
	if run "$tree: status" "$BIN" status; then
		n=$(grep -c . "$T/out")
		if [ "$rc" -le 1 ] && [ "$n" -gt 0 ]; then
			ok "$tree: status exit $rc, $n lines, no raw control byte"
		else
			nok "$tree: status exit $rc, $n lines"
			head -3 "$T/err" | sed 's/^/# /'
		fi
	fi
	if run "$tree: show --json" "$BIN" show --json; then
		if [ "$rc" -le 1 ] && json_ok; then
			ok "$tree: show --json exit $rc, valid JSON ($(jq '.vifs | length' "$T/out" 2>/dev/null) VIFs)"
		else
			nok "$tree: show --json exit $rc, JSON valid: $(json_ok && echo yes || echo no)"
		fi
	fi
	[ "$tree" = bad-names ] && if run "$tree: show" "$BIN" show; then
		if [ "$rc" -le 1 ]; then ok "$tree: show exit $rc"; else nok "$tree: show exit $rc"; fi
	fi
	stop
done

# ---- a domain destroyed while status walks it ----
# vd-xenstored removes /local/domain/2 after the Nth request: early, inside the first
# transaction, and (with --retries 0, so the second read goes without a transaction) during
# the read that follows. Domain 1 must come out whole; domain 2's 50 frontends all read
# before the removal or all gone after it (its backends in dom0 stay: orphan-backend), or
# the ones that disappeared under a read without transaction named as vanished.
for spec in 5:5 40:5 3000:0 4500:0; do
	n=${spec%%:*} retries=${spec#*:}
	start "$T/two.txt" --rm-after "$n:/local/domain/2" || continue
	name="domain 2 removed after request $n (--retries $retries)"
	if run "$name" "$BIN" status --json --retries "$retries"; then
		d1=$(jq '[.vifs[] | select(.domid == 1 and .frontend.present)] | length' "$T/out" 2>/dev/null)
		fe2=$(jq '[.vifs[] | select(.domid == 2 and .frontend.present)] | length' "$T/out" 2>/dev/null)
		van=$(jq '[.vifs[] | select(.domid == 2 and .frontend.vanished == true)] | length' "$T/out" 2>/dev/null)
		if [ "$rc" -le 1 ] && [ "$d1" = 50 ] &&
			{ [ "$fe2" = 50 ] || [ "$fe2" = 0 ] || [ $((fe2 + van)) -eq 50 ]; }; then
			ok "$name: exit $rc, domain 1 whole, domain 2: $fe2 frontends read, $van vanished$(grep -q 'kept changing' "$T/err" && echo ', read without a transaction')"
		else
			nok "$name: exit $rc, domain 1: $d1 frontends, domain 2: $fe2 read, $van vanished"
			head -3 "$T/err" | sed 's/^/# /'
		fi
	fi
	stop
done

# ---- the daemon dies mid-request ----
start "$T/vifs10k.txt" --delay 2 || true
(sleep 1 && kill -KILL "$xpid") &
kp=$!
if run "xenstored killed mid-status" "$BIN" status --timeout 10; then
	if [ "$rc" -eq 3 ] && [ "$(grep -c . "$T/err")" -eq 1 ]; then
		ok "xenstored killed mid-status: exit 3, $(cat "$T/err")"
	else
		nok "xenstored killed mid-status: exit $rc, $(grep -c . "$T/err") lines on stderr"
		head -3 "$T/err" | sed 's/^/# /'
	fi
fi
wait "$kp"
wait "$xpid" 2>/dev/null
xpid=""

# ---- a daemon that answers garbage, or resets a transaction ----
for mode in garbage reset-in-transaction short-header huge-length; do
	rm -f "$T/sock"
	python3 - "$T/sock" "$mode" <<'PY' &
import os, socket, struct, sys, random
path, mode = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(8)
random.seed(1)
while True:
    c, _ = s.accept()
    try:
        while True:
            h = c.recv(16, socket.MSG_WAITALL)
            if len(h) < 16:
                break
            t, rid, tx, ln = struct.unpack("<IIII", h)
            body = c.recv(ln, socket.MSG_WAITALL) if ln else b""
            if mode == "garbage":
                c.sendall(bytes(random.randrange(256) for _ in range(64)))
            elif mode == "reset-in-transaction":
                if t == 6:  # TRANSACTION_START: the connection drops
                    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    break
                c.sendall(struct.pack("<IIII", t, rid, tx, 1) + b"\0")
            elif mode == "short-header":
                c.sendall(struct.pack("<II", t, rid))
                break
            elif mode == "huge-length":
                c.sendall(struct.pack("<IIII", t, rid, tx, 0xFFFFFFF0) + b"x" * 100)
    except OSError:
        pass
    c.close()
PY
	fpid=$!
	i=0
	while [ ! -S "$T/sock" ] && [ $i -lt 100 ]; do
		i=$((i + 1))
		sleep 0.05
	done
	if run "xenstored $mode" "$BIN" status --timeout 5; then
		if [ "$rc" -eq 3 ] && [ "$(grep -c . "$T/err")" -eq 1 ]; then
			ok "xenstored $mode: exit 3, $(cat "$T/err")"
		else
			nok "xenstored $mode: exit $rc, $(grep -c . "$T/err") lines on stderr"
			head -3 "$T/err" | sed 's/^/# /'
		fi
	fi
	kill "$fpid" 2>/dev/null
	wait "$fpid" 2>/dev/null
	fpid=""
done

# ---- watch while the store churns ~1000 changes a second ----
# from its last watch on (@releaseDomain, set after the first read): the churn must not be
# over before watch has read the store once (its first read is silent)
{
	echo "await-watch @releaseDomain"
	for i in $(seq 1 3000); do
		echo "A:churn write /local/domain/1/device/vif/$((i % 50))/state $((i % 6 + 1))"
		[ $((i % 10)) -eq 0 ] && echo "sleep 10ms"
	done
} >"$T/churn.scn"
start "$T/two.txt" --scenario "$T/churn.scn" || true
if run "watch --json while the store churns" timeout --preserve-status -s INT 10 "$BIN" watch --json; then
	n=$(grep -c . "$T/out")
	ch=$(jq -s '[.[] | select(.event != "summary")] | length' "$T/out" 2>/dev/null)
	sm=$(jq -s '[.[] | select(.event == "summary")] | length' "$T/out" 2>/dev/null)
	# watch may coalesce what changed while it re-read: the count of lines is not fixed
	if [ "$rc" -le 1 ] && [ "${ch:-0}" -gt 0 ] && [ "$sm" = 1 ] && tail -1 "$T/out" | grep -q '"summary"'; then
		ok "watch --json while the store churns: exit $rc, $ch change lines and the summary, all valid NDJSON"
	else
		nok "watch --json while the store churns: exit $rc, $n lines, changes ${ch:-invalid JSON}, summaries $sm"
		head -3 "$T/err" | sed 's/^/# /'
	fi
fi
stop
finish
