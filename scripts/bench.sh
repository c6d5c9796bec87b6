#!/bin/sh
# make bench: times `vifdiag log` over a generated 1 GB oxenstored access log against
# `grep -c` and `wc -l` on the same file in the same run, and prints the ratios. Not a
# test: numbers depend on the machine. The file goes to a temporary directory under
# TMPDIR (default /tmp), needs about 1.1 GB free there, and is deleted afterwards.
# BENCH_MB=N changes the size.
set -eu
B=${1:?usage: scripts/bench.sh BUILD_DIR}
BIN=$(cd "$B" && pwd)/vifdiag
MB=${BENCH_MB:-1024}
TMP=${TMPDIR:-/tmp}

free_mb=$(df -Pm "$TMP" | awk 'NR == 2 {print $4}')
if [ "$free_mb" -lt $((MB + MB / 10 + 64)) ]; then
	echo "bench: skipped: $TMP has ${free_mb} MB free, $((MB + MB / 10 + 64)) MB needed (set TMPDIR)" >&2
	exit 0
fi
D=$(mktemp -d "$TMP/vifdiag-bench.XXXXXX")
trap 'rm -rf "$D"' EXIT INT TERM
F=$D/xenstored-access.log

# A busy XenServer-like host: toolstack and qemu reads and writes, watch fan-out, domain
# kernels, and now and then a VIF going through its handshake (every 50,000 lines).
echo "bench: generating $MB MB in $D ..."
awk -v limit=$((MB * 1024 * 1024)) 'BEGIN {
	t = 0; n = 0; bytes = 0; vif = 0;
	while (bytes < limit) {
		ms = t % 1000; s = int(t / 1000) % 60; m = int(t / 60000) % 60; h = int(t / 3600000) % 24;
		ts = sprintf("[20261125T%02d:%02d:%02d.%03dZ]", h, m, s, ms);
		k = n % 10; d = 1 + n % 50;
		if (k == 0) l = sprintf("%s  A%-11d write     /local/domain/%d/data/updated %d", ts, 40000 + n % 97, d, n);
		else if (k < 4) l = sprintf("%s  A%-11d read      /local/domain/%d/memory/target", ts, 40000 + n % 97, d);
		else if (k < 8) l = sprintf("%s  A%-11d w event   /local/domain/%d/data/updated /local/domain/%d/data", ts, 41248, d, d);
		else if (k == 8) l = sprintf("%s  D%-11d write     control/feature-balloon 1", ts, d);
		else l = sprintf("%s  D0.%-9d directory backend/vbd/%d", ts, n % 1000, d);
		if (n % 50000 == 0) {
			vif++; v = 1 + vif % 50;
			print ts "  A7           write     /local/domain/0/backend/vif/" v "/0/state 1";
			print ts "  D0           write     backend/vif/" v "/0/state 2";
			print ts "  A9           write     backend/vif/" v "/0/hotplug-status connected";
			print ts "  D" v "           write     device/vif/0/state 4";
			print ts "  D0           write     backend/vif/" v "/0/state 4";
			bytes += 5 * 90;
		}
		print l;
		bytes += length(l) + 1; n++; t += 3;
	}
}' >"$F"
size=$(du -m "$F" | cut -f1)
cat "$F" >/dev/null # page cache: all three read from memory

now() { date +%s.%N; }
run() { # LABEL COMMAND...: prints seconds
	label=$1
	shift
	t0=$(now)
	"$@" >"$D/out.$label" 2>"$D/err.$label" || true
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }

wc_s=$(run wc wc -l "$F")
grep_s=$(run grep grep -c write "$F")
log_s=$(run log "$BIN" log "$F")
stats_s=$(run stats "$BIN" log --stats "$F")
json_s=$(run json "$BIN" log --json "$F")

printf 'bench: %s MB, %s lines, %s VIF changes found\n' "$size" "$(cut -d' ' -f1 "$D/out.wc")" \
	"$(wc -l <"$D/out.json")"
printf '  %-28s %8.2f s   %6.0f MB/s\n' "wc -l" "$wc_s" "$(div "$size" "$wc_s")"
printf '  %-28s %8.2f s   %6.0f MB/s\n' "grep -c write" "$grep_s" "$(div "$size" "$grep_s")"
printf '  %-28s %8.2f s   %6.0f MB/s\n' "vifdiag log" "$log_s" "$(div "$size" "$log_s")"
printf '  %-28s %8.2f s   %6.0f MB/s\n' "vifdiag log --json" "$json_s" "$(div "$size" "$json_s")"
printf '  %-28s %8.2f s   %6.0f MB/s\n' "vifdiag log --stats" "$stats_s" "$(div "$size" "$stats_s")"
printf 'ratios: vifdiag log / grep -c = %.2f, vifdiag log / wc -l = %.2f, --stats / grep -c = %.2f\n' \
	"$(div "$log_s" "$grep_s")" "$(div "$log_s" "$wc_s")" "$(div "$stats_s" "$grep_s")"
