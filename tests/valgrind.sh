#!/bin/sh
# make check-valgrind: the unit tests and one run of each command under valgrind memcheck,
# on the plain build (valgrind and ASan do not mix): any memory error or definite leak
# fails (--error-exitcode). Prints ok/not ok lines like the other suites.
set -u
LIB=$(cd "$(dirname "$0")" && pwd)/lib.sh
B=${1:?usage: tests/valgrind.sh BUILD_DIR}
B=$(cd "$B" && pwd)
cd "$(dirname "$0")/.." || exit 2
. "$LIB"
BIN=$B/vifdiag
xpid=""
cleanup() {
	[ -n "$xpid" ] && kill "$xpid" 2>/dev/null && wait "$xpid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
export TZ=UTC
VG="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite --track-fds=no"

vg() { # NAME CMD...: fails on valgrind's status 99 (a memory error or a definite leak)
	name=$1
	shift
	# shellcheck disable=SC2086
	$VG --log-file="$T/vg.log" "$@" >"$T/out" 2>&1
	rc=$?
	if [ "$rc" -eq 99 ] || [ -s "$T/vg.log" ]; then
		nok "valgrind: $name (exit $rc)"
		head -30 "$T/vg.log" | sed 's/^/# /'
	elif [ "$rc" -gt 4 ]; then
		nok "valgrind: $name exited $rc"
		tail -5 "$T/out" | sed 's/^/# /'
	else
		ok "valgrind: $name (exit $rc, no error, no definite leak)"
	fi
}

if ! command -v valgrind >/dev/null 2>&1; then
	nok "valgrind is not installed (scripts/deps.sh installs it)"
	finish
	exit
fi
for t in "$B"/unit/test_*; do
	case $t in *.d) continue ;; esac
	[ -x "$t" ] || continue
	CMOCKA_MESSAGE_OUTPUT=TAP vg "unit $(basename "$t")" "$t"
done
F=tests/fixtures
vg "status --from" "$BIN" status --from $F/multi-domain-host/tree.txt
vg "show --json --raw --from" "$BIN" show --json --raw --from $F/hostile-strings/tree.txt
vg "show --sysfs-root" "$BIN" show --from $F/host-linux-bridge/tree.txt --sysfs-root $F/host-linux-bridge/sysfs
vg "log" "$BIN" log tests/logs/bringup-4.19.trace
vg "log --stats --json" "$BIN" log --stats --json tests/logs/bringup.access.log
vg "help" "$BIN" help show
vg "usage error" "$BIN" status --bogus
"$B/vd-xenstored" --socket "$T/sock" --pidfile "$T/pid" \
	--scenario tests/xsd/scenarios/bringup.scn 2>"$T/xsd.err" &
xpid=$!
i=0
while [ ! -s "$T/pid" ] && [ $i -lt 200 ]; do
	i=$((i + 1))
	sleep 0.05
done
export XENSTORED_PATH=$T/sock
vg "status (live)" "$BIN" status
vg "show --json (live)" "$BIN" show --json
vg "watch (live, SIGINT after 4 s)" timeout --preserve-status -s INT 4 "$BIN" watch
finish
