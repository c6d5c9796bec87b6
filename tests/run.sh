#!/bin/sh
# Runs every test suite against the binaries in BUILD_DIR. Each suite prints one line per
# test, "ok - NAME" or "not ok - NAME" (cmocka's TAP output has the same shape), plus
# "# ..." diagnostics. A suite that exits non-zero without reporting a failure counts as
# one failure. The last line is "N passed, N failed".
set -u
B=${1:?usage: tests/run.sh BUILD_DIR}
B=$(cd "$B" && pwd)
cd "$(dirname "$0")/.." || exit 2
LOG=$B/test-log
mkdir -p "$LOG"
# every test xenstored leaves its per-program request counts here; the readonly suite
# (last) sums them: no mutating request from vifdiag in the whole run
VD_XSD_STATS_DIR=$LOG/xsd-clients
rm -rf "$VD_XSD_STATS_DIR"
mkdir -p "$VD_XSD_STATS_DIR"
export VD_XSD_STATS_DIR
pass=0
fail=0

suite() {
	name=$1
	shift
	out=$LOG/$name.out
	"$@" >"$out" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$out")
	f=$(grep -c '^not ok ' "$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name: exited with status $rc without reporting a failure" >>"$out"
		f=1
	fi
	if [ "$f" -gt 0 ]; then
		# show the failures with the diagnostics that follow them
		awk '/^not ok /{show=1; print; next} /^(ok |[0-9]+\.\.)/{show=0} show' "$out"
	fi
	printf '%-10s %4d passed, %d failed\n' "$name" "$p" "$f"
	pass=$((pass + p))
	fail=$((fail + f))
}

unit() {
	rc=0
	for t in "$B"/unit/test_*; do
		[ -x "$t" ] || continue
		CMOCKA_MESSAGE_OUTPUT=TAP "$t" || rc=1
	done
	return $rc
}

suite unit unit
suite cli tests/cli.sh "$B"
suite hostile tests/hostile.sh "$B"
suite fixtures tests/fixtures/lint.sh
suite golden tests/golden.sh "$B"
[ -x tests/xsd/run.sh ] && suite xsd tests/xsd/run.sh "$B"
[ -x tests/live.sh ] && suite live tests/live.sh "$B"
suite netns tests/netns.sh "$B"
suite watch tests/watch.sh "$B"
suite timeout tests/timeout.sh "$B"
suite log tests/log.sh "$B"
suite follow tests/follow.sh "$B"
suite fuzz tests/fuzz.sh "$B"
suite interactive tests/interactive.sh "$B"
suite top tests/top.sh "$B"
suite outfaults tests/outfaults.sh "$B"
suite metrics tests/metrics.sh "$B"
suite stores tests/stores.sh "$B"
suite bundle tests/bundle.sh "$B"
suite time tests/time.sh "$B"
# real Xen 4.17 under QEMU (10 to 20 minutes on 2 cores): tests/e2e/README.md
suite e2e tests/e2e/run.sh "$B"
suite sync tests/check-sync.sh "$B"
suite readonly tests/readonly.sh "$B"

echo "full logs: $LOG"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
