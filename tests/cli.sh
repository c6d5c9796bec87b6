#!/bin/sh
# Command-line behaviour: usage errors, unreachable sources, malformed dumps, selection,
# colour, escaping of hostile bytes on a terminal-bound stream.
set -u
LIB=$(cd "$(dirname "$0")" && pwd)/lib.sh
B=${1:?usage: tests/cli.sh BUILD_DIR}
B=$(cd "$B" && pwd)
cd "$(dirname "$0")" || exit 2
. "$LIB"
BIN=$B/vifdiag
FX=fixtures


# expect NAME RC PATTERN CMD...: exit code RC, and PATTERN (grep -E) in stdout+stderr
expect() {
	name=$1 want=$2 pat=$3
	shift 3
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" != "$want" ]; then
		nok "$name: exit $rc, expected $want"
		sed 's/^/# /' "$T/err" | head -5
	elif [ -n "$pat" ] && ! cat "$T/out" "$T/err" | grep -Eq -- "$pat"; then
		nok "$name: output lacks /$pat/"
		sed 's/^/# /' "$T/out" "$T/err" | head -10
	else
		ok "$name"
	fi
}

H=$FX/healthy-single-queue/tree.txt
M=$FX/multi-domain-host/tree.txt

expect "no command is a usage error" 2 "usage: vifdiag" "$BIN"
expect "help exits 0" 0 "commands:" "$BIN" help
expect "--help exits 0" 0 "usage: vifdiag" "$BIN" --help
expect "command help" 0 "usage: vifdiag show" "$BIN" show --help
expect "help of an unknown command" 2 "not a vifdiag command" "$BIN" help frobnicate
expect "--version" 0 "^vifdiag [0-9]" "$BIN" --version
expect "unknown command" 2 "'frob' is not a vifdiag command" "$BIN" frob
expect "unique prefix runs the command" 0 "" "$BIN" --from "$H" stat
expect "unknown option" 2 "unknown option '--bogus'" "$BIN" status --bogus
expect "missing option argument" 2 "needs an argument" "$BIN" status --from
expect "option that does not apply" 2 "'--raw' does not apply to 'status'" "$BIN" --from "$H" status --raw
expect "bad --color" 2 "expected auto, always or never" "$BIN" --from "$H" --color=pink status
expect "bad --retries" 2 "expected a number" "$BIN" --from "$H" --retries=x status

# sources
expect "no xenstored and no --from: exit 3" 3 "cannot connect to xenstored.*--from" \
	env XENSTORED_PATH="$T/nothing-here" "$BIN" status
# a xenstored that accepts and never answers: --timeout turns the hang into exit 3
python3 tools/mute-xenstored.py "$T/mute.sock" "$T/mute.pid" &
i=0
while [ ! -s "$T/mute.pid" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
expect "a hung xenstored: --timeout 1 gives up with exit 3 and says so" 3 \
	"xenstored \($T/mute.sock\) did not answer within 1 s" \
	env XENSTORED_PATH="$T/mute.sock" timeout 20 "$BIN" --timeout 1 status
expect "a hung xenstored: --timeout 0 waits (killed by timeout(1) after 2 s)" 124 "" \
	env XENSTORED_PATH="$T/mute.sock" timeout 2 "$BIN" --timeout 0 show
kill "$(cat "$T/mute.pid")" 2>/dev/null
expect "bad --timeout" 2 "--timeout: expected seconds" "$BIN" --from "$H" --timeout=-1 status
expect "missing dump file: exit 3" 3 "cannot read '$T/none.txt'" "$BIN" --from "$T/none.txt" status
printf '/local = ""\n/local/domain = ""\n/local/domain/0 = "\n' >"$T/bad.txt"
expect "malformed dump names file and line: exit 3" 3 "bad.txt:3: " "$BIN" --from "$T/bad.txt" status
printf 'garbage without structure\n' >"$T/bad2.txt"
expect "garbage dump: exit 3" 3 "bad2.txt:1: expected" "$BIN" --from "$T/bad2.txt" status
# no /local/domain/0: not a dump of a host, never "no VIFs in the store" with exit 0
expect "--from /dev/null: exit 3, not a dump" 3 "^vifdiag: /dev/null: empty, not a xenstore-ls dump \(a real one always has /local/domain/0\)$" "$BIN" --from /dev/null status
: >"$T/empty.txt"
expect "--from an empty file: exit 3, named" 3 "empty.txt: empty, not a xenstore-ls dump" "$BIN" --from "$T/empty.txt" show
printf '/tool = ""\n/tool/xenstored = ""\n' >"$T/nodom0.txt"
expect "--from a dump without /local/domain/0: exit 3" 3 "nodom0.txt: no /local/domain/0 in it, not a xenstore-ls dump" "$BIN" --from "$T/nodom0.txt" status
expect "dump on stdin" 0 "xenbr0" sh -c "\"$BIN\" --from - status < \"$H\""

# selection
expect "select a broken domain by domid" 1 "no-driver" "$BIN" --from "$M" status 6
expect "select a healthy domain by name" 0 "db01" "$BIN" --from "$M" status db01
expect "a domain without VIFs" 0 "no VIFs" "$BIN" --from "$M" status 0
expect "unknown domain name is a usage error" 2 "no domain named 'nosuchvm'" "$BIN" --from "$M" status nosuchvm
expect "unknown domid is a usage error" 2 "no domain 4242" "$BIN" --from "$M" status 4242
expect "bad DOM/DEVID" 2 "numeric DEVID" "$BIN" --from "$M" show 1/x
expect "DOM/DEVID of a missing vif" 2 "has no vif 9" "$BIN" --from "$H" show 1/9

# colour: never on a pipe unless asked, and NO_COLOR wins over auto
"$BIN" --from "$M" status >"$T/plain" 2>/dev/null
if grep -q "$(printf '\033')" "$T/plain"; then nok "no colour on a pipe"; else ok "no colour on a pipe"; fi
"$BIN" --from "$M" --color=always status >"$T/col" 2>/dev/null
if grep -q "$(printf '\033')\[3" "$T/col"; then ok "--color=always colours"; else nok "--color=always colours"; fi

# hostile bytes never reach the terminal raw, even with colour on
HS=$FX/hostile-strings/tree.txt
for cmd in status show; do
	"$BIN" --from "$HS" --color=always $cmd >"$T/h" 2>&1
	# allowed: our own SGR sequences (ESC [ digits m); anything else with ESC is a leak
	if LC_ALL=C sed 's/\x1b\[[0-9;]*m//g' "$T/h" | LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')"; then
		nok "hostile-strings: $cmd leaks control bytes"
	else
		ok "hostile-strings: $cmd output has no raw control bytes"
	fi
done

# make demo runs what it announces: live status and show, then the same host offline
(cd .. && scripts/demo.sh "$B") >"$T/demo" 2>&1
rc=$?
if [ $rc = 0 ] && [ "$(grep -c '^DOMAIN ' "$T/demo")" = 2 ] &&
	grep -q "^\$ $B/vifdiag --from tests/fixtures/multi-domain-host/tree.txt status$" "$T/demo" &&
	sed -n '/--from .* status$/,$p' "$T/demo" | grep -q '^DOMAIN '; then
	ok "demo: the live run, then the offline run it announces"
else
	nok "demo: exit $rc"
	sed 's/^/# /' "$T/demo" | tail -8
fi

# log: the daemon's own start-up lines are not malformed, a garbage line is (and named)
printf 'Checking store ...\nChecking store complete.\nIN 0x55 20261125 04:15:38 WRITE (/local/domain/0/backend/vif/1/0/state 2)\n' >"$T/ok.trace"
expect "log: C xenstored start-up lines are not malformed" 0 "InitWait" env TZ=UTC "$BIN" log "$T/ok.trace"
if grep -q "warning" "$T/err"; then nok "log: no warning for start-up lines"; else ok "log: no warning for start-up lines"; fi
printf 'GARBAGE\n' >>"$T/ok.trace"
expect "log: a malformed line is named with file:line" 0 "ok.trace:4: expected a trace line" env TZ=UTC "$BIN" log "$T/ok.trace"

# ---- check: healthy hosts fire no rule at all; the threshold decides the exit status ----
for c in dom0-only driver-domain healthy-single-queue multiqueue-split xenserver; do
	"$BIN" --from "$FX/$c/tree.txt" check --min-severity info --json >"$T/out" 2>"$T/err"
	rc=$?
	n=$(jq '[.vifs[]?.findings[]?] | length' "$T/out" 2>/dev/null)
	if [ "$rc" = 0 ] && [ "$n" = 0 ]; then ok "check: healthy $c fires no rule, even at info"
	else nok "check: healthy $c: exit $rc, findings: $(jq -c '[.vifs[]?.findings[]?.rule]' "$T/out" 2>&1)"; fi
done
LB="--from $FX/host-linux-bridge/tree.txt --sysfs-root $FX/host-linux-bridge/sysfs"
# the lab overwrote vif 1's multi-queue-max-queues (VD064, a warning): only a threshold
# above it passes
# shellcheck disable=SC2086
expect "check --min-severity error: a warning does not fail it" 0 "" "$BIN" $LB check --min-severity error
# shellcheck disable=SC2086
expect "check --min-severity warning: VD064 with its evidence" 1 "evidence: .*multi-queue-max-queues = \"1\"" "$BIN" $LB check --min-severity warning
# shellcheck disable=SC2086
expect "check: the default threshold is warning" 1 "warning VD064 mq-backend-limit" "$BIN" $LB check
expect "check --min-severity bogus is a usage error" 2 "expected info, warning or error" "$BIN" --from "$H" check --min-severity bogus
expect "check DOM that is not there is a usage error" 2 "no domain 9" "$BIN" --from "$H" check 9

# watch --replay: the logs instead of the live store
expect "watch --replay without a log is a usage error" 2 "usage: vifdiag watch --replay FILE" "$BIN" watch --replay
expect "watch --from without --replay is a usage error" 2 "--from goes with --replay" "$BIN" --from "$H" watch
expect "watch --vif without --replay is a usage error" 2 "--vif goes with --replay" "$BIN" watch --vif 1
expect "watch --replay --from a dump: not a bundle (exit 3)" 3 "not a vifdiag bundle" "$BIN" watch --replay --from "$H"
expect "watch --replay FILE --from BUNDLE is a usage error" 2 "FILE arguments or --from BUNDLE, not both" "$BIN" watch --replay --from "$H" logs/bringup.access.log
expect "watch --replay of a file that is no log: exit 3, the file named" 3 "tree.txt:1: expected an oxenstored access log" "$BIN" watch --replay "$H"
expect "watch --replay: a stall the log proves is exit 1" 1 "STALL|stall" "$BIN" watch --replay --stall connect=1 logs/bringup.access.log
expect "watch --replay --vif: only that VIF, then the summary" 0 "watched for" "$BIN" watch --replay --vif 1/0 logs/bringup.access.log

finish
