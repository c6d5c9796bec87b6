#!/bin/sh
# The libFuzzer targets (tests/fuzz/<target>/fuzz.c) in make check: every kept crash input
# (tests/fuzz/<target>/regressions/*) replayed once as its own test, then each target
# fuzzed briefly (FUZZ_SMOKE_SECONDS, default 10) from its seeds in a scratch corpus, with
# a fixed seed (FUZZ_SEED, default 1): the same commit explores the same inputs on every
# machine, so a CI run fails for a change, not for a lucky draw; the search for new inputs
# is `make fuzz`, random and long (tests/fuzz/README.md).
# Builds build/fuzz with clang first (make fuzz-build). BUILD_DIR is unused: the fuzz build
# is its own (clang, -fsanitize=fuzzer,address,undefined).
set -u
LIB=$(cd "$(dirname "$0")" && pwd)/lib.sh
cd "$(dirname "$0")/.." || exit 2
. "$LIB"
S=${FUZZ_SMOKE_SECONDS:-10}
SEED=${FUZZ_SEED:-1}
FB=build/fuzz

if ! command -v clang >/dev/null 2>&1; then
	nok "fuzz: clang is not installed (scripts/deps.sh installs it)"
	finish
	exit
fi
if ! make -s --no-print-directory fuzz-build >"$T/build.log" 2>&1; then
	nok "fuzz: make fuzz-build"
	sed 's/^/# /' "$T/build.log" | tail -20
	finish
	exit
fi
for src in tests/fuzz/*/fuzz.c; do
	t=$(basename "$(dirname "$src")")
	bin=$FB/fuzz-$t
	for r in tests/fuzz/"$t"/regressions/*; do
		[ -f "$r" ] || continue
		if "$bin" $(tests/fuzz/opts.sh "$t") "$r" >"$T/reg.log" 2>&1; then
			ok "fuzz $t: regression $(basename "$r")"
		else
			nok "fuzz $t: regression $(basename "$r")"
			grep -E 'ERROR|property failed|SUMMARY|^    #[0-9] ' "$T/reg.log" | head -12 |
				sed 's/^/# /'
		fi
	done
	mkdir -p "$T/corpus-$t" "$T/crash-$t"
	tests/fuzz/seeds.sh "$t" "$T/seeds-$t"
	# shellcheck disable=SC2046
	"$bin" -seed="$SEED" -max_total_time="$S" $(tests/fuzz/opts.sh "$t") -artifact_prefix="$T/crash-$t/" \
		-print_final_stats=1 "$T/corpus-$t" "$T/seeds-$t" >"$T/fuzz-$t.log" 2>&1
	st=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$T/fuzz-$t.log")
	if [ "$st" -eq 0 ] && [ -n "$execs" ]; then
		ok "fuzz $t: ${S}s (seed $SEED), $execs executions, no crash"
	else
		nok "fuzz $t: ${S}s smoke run (exit $st)"
		grep -E 'ERROR|property failed|SUMMARY|^    #[0-9] ' "$T/fuzz-$t.log" | head -12 |
			sed 's/^/# /'
		for a in "$T/crash-$t"/*; do
			[ -f "$a" ] || continue
			mkdir -p "$FB/crash/$t"
			cp "$a" "$FB/crash/$t/"
			echo "# crash input kept in $FB/crash/$t/$(basename "$a"): fix, then add it to tests/fuzz/$t/regressions/"
		done
	fi
done
finish
