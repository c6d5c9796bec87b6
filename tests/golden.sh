#!/bin/sh
# Golden CLI tests: every tests/fixtures/<case>/cases line "NAME EXIT ARGS..." runs
# `vifdiag --from tree.txt ARGS...` in the case dir and compares stdout with
# expected/NAME, stderr with expected/NAME.stderr (when that file exists) and the exit
# code with EXIT. checks.jq lines "NAME: FILTER" must hold (jq -e) on NAME's stdout.
#   tests/golden.sh [--update] BUILD_DIR     --update rewrites expected/ (review the diff)
set -u
LIB=$(cd "$(dirname "$0")" && pwd)/lib.sh
update=0
[ "${1:-}" = --update ] && { update=1; shift; }
B=${1:?usage: tests/golden.sh [--update] BUILD_DIR}
B=$(cd "$B" && pwd)
cd "$(dirname "$0")/fixtures" || exit 2
. "$LIB"
BIN=$B/vifdiag
# C xenstored traces (check --log) carry the daemon host's local time: the captures are UTC
export TZ=UTC


for dir in */; do
	c=${dir%/}
	[ -f "$c/cases" ] || continue
	mkdir -p "$c/expected"
	grep -v '^[[:space:]]*\(#\|$\)' "$c/cases" | while read -r name want args; do
		# shellcheck disable=SC2086
		(cd "$c" && NO_COLOR=1 "$BIN" --from tree.txt $args >"$T/out" 2>"$T/err")
		rc=$?
		exp=$c/expected/$name
		if [ $update = 1 ]; then
			cp "$T/out" "$exp"
			if [ -s "$T/err" ]; then cp "$T/err" "$exp.stderr"; else rm -f "$exp.stderr"; fi
		fi
		if [ "$rc" != "$want" ]; then
			nok "$c/$name: exit $rc, expected $want"
			sed 's/^/# /' "$T/err"
		elif ! [ -f "$exp" ]; then
			nok "$c/$name: no expected output (run make test-update)"
		elif ! diff -u "$exp" "$T/out" >"$T/diff"; then
			nok "$c/$name: output differs"
			head -40 "$T/diff" | sed 's/^/# /'
		elif [ -f "$exp.stderr" ] && ! diff -u "$exp.stderr" "$T/err" >"$T/diff"; then
			nok "$c/$name: stderr differs"
			head -20 "$T/diff" | sed 's/^/# /'
		elif ! [ -f "$exp.stderr" ] && [ -s "$T/err" ]; then
			nok "$c/$name: unexpected stderr"
			sed 's/^/# /' "$T/err"
		else
			ok "$c/$name"
		fi
		case $args in *--json*)
			if jq -e . "$T/out" >/dev/null 2>&1; then ok "$c/$name: valid JSON"
			else nok "$c/$name: invalid JSON"; fi ;;
		esac
		cp "$T/out" "$T/$c.$name.out"
	done
	[ -f "$c/checks.jq" ] || continue
	n=0
	grep -v '^[[:space:]]*\(#\|$\)' "$c/checks.jq" | while IFS= read -r line; do
		n=$((n + 1))
		name=${line%%:*}
		filter=${line#*:}
		if [ ! -f "$T/$c.$name.out" ]; then
			nok "$c/checks.jq:$n: no case '$name'"
		elif jq -e "$filter" "$T/$c.$name.out" >/dev/null 2>"$T/jqerr"; then
			ok "$c/checks.jq: $filter"
		else
			nok "$c/checks.jq: $name:$filter"
			sed 's/^/# /' "$T/jqerr"
		fi
	done
done
# the loops run in subshells, so failures are remembered in a file
finish
