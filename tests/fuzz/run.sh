#!/bin/sh
# tests/fuzz/run.sh SECONDS TARGET...: `make fuzz`. Runs each libFuzzer target of
# build/fuzz for SECONDS (niced: the machine is shared) on its kept corpus
# build/fuzz/corpus/<target> plus the seeds (tests/fuzz/seeds.sh); prints the executions
# reached and the crash inputs found (build/fuzz/crash/<target>/). Exit 1 on any crash.
set -u
S=${1:?usage: tests/fuzz/run.sh SECONDS TARGET...}
shift
cd "$(dirname "$0")/../.." || exit 2
B=build/fuzz
rc=0
for t in "$@"; do
	corp=$B/corpus/$t
	seeds=$B/seeds/$t
	crash=$B/crash/$t
	rm -rf "$seeds"
	mkdir -p "$corp" "$crash"
	tests/fuzz/seeds.sh "$t" "$seeds"
	# shellcheck disable=SC2046
	nice -n 19 "$B/fuzz-$t" -max_total_time="$S" $(tests/fuzz/opts.sh "$t") \
		-artifact_prefix="$crash/" -print_final_stats=1 "$corp" "$seeds" \
		>"$B/fuzz-$t.log" 2>&1
	st=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$B/fuzz-$t.log")
	ncrash=$(find "$crash" -type f | wc -l)
	printf '%-8s %12s executions in %ss, corpus %s inputs, %s crash inputs kept%s\n' \
		"$t" "${execs:-?}" "$S" "$(find "$corp" -type f | wc -l)" "$ncrash" \
		"$([ "$st" -ne 0 ] && echo " (exit $st: see $B/fuzz-$t.log)")"
	[ "$st" -ne 0 ] && rc=1
done
exit $rc
