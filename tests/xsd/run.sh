#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/xsd/run.sh BUILD_DIR: tests of the test xenstored (vd-xenstored) with
# the real xenstore-utils, libxenstore helpers and raw hostile clients.
# Prints "ok - name" / "not ok - name" per case and "# " diagnostics; exits 1
# if anything failed.  Every server has its own directory and socket and is
# killed on exit; every client runs under timeout.
set -u

if [ $# -ne 1 ] || [ ! -x "$1/vd-xenstored" ]; then
	echo "usage: $0 BUILD_DIR (holding vd-xenstored and xsd-* helpers)" >&2
	exit 2
fi
BUILD=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
XSD=$BUILD/vd-xenstored
DATA=$HERE/data
SCN=$HERE/scenarios
TREE_A=$DATA/a-bringup-ls-fp.txt
TMP=$(mktemp -d "${TMPDIR:-/tmp}/xsd-test.XXXXXX")
T="timeout 20"
PIDS=()
pass=0
fail=0

cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ok() {
	echo "ok - $1"
	pass=$((pass + 1))
}

notok() {
	echo "not ok - $1"
	fail=$((fail + 1))
}

# check NAME COMMAND...: one test case from a command's status.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else notok "$name"; fi
}

# relay NAME OUT COMMAND...: run a helper that prints its own ok/not ok lines
# (kept in OUT), count them, and fail NAME if it exits non-zero without one.
relay() {
	local name=$1 out=$2 st n_ok n_bad
	shift 2
	"$@" >"$out" 2>&1
	st=$?
	grep -E '^(ok - |not ok - |# )' "$out"
	n_ok=$(grep -c '^ok - ' "$out")
	n_bad=$(grep -c '^not ok - ' "$out")
	pass=$((pass + n_ok))
	fail=$((fail + n_bad))
	if [ $st -ne 0 ] && [ "$n_bad" -eq 0 ]; then
		notok "$name exited with status $st"
		grep -vE '^(ok - |not ok - |# |client )' "$out" | head -10 | sed 's/^/# /'
	fi
}

# same NAME EXPECTED-FILE ACTUAL-FILE: files must be byte-identical.
same() {
	if cmp -s "$2" "$3"; then
		ok "$1"
	else
		notok "$1"
		diff "$2" "$3" | head -20 | sed 's/^/# /'
	fi
}

# start NAME ARGS...: a server in $TMP/NAME, waiting (bounded) for its pidfile.
start() {
	local i
	SRV_DIR=$TMP/$1
	shift
	mkdir -p "$SRV_DIR"
	"$XSD" --socket "$SRV_DIR/sock" --pidfile "$SRV_DIR/pid" "$@" 2>"$SRV_DIR/stderr" &
	SRV_PID=$!
	PIDS+=("$SRV_PID")
	export XENSTORED_PATH=$SRV_DIR/sock
	for i in $(seq 200); do
		[ -s "$SRV_DIR/pid" ] && return 0
		kill -0 "$SRV_PID" 2>/dev/null || break
		sleep 0.025
	done
	echo "# server did not start: $(cat "$SRV_DIR/stderr")"
	return 1
}

# wait_gone PID: bounded wait for a process to end; returns its status.
wait_gone() {
	local i
	for i in $(seq 200); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.025
	done
	kill -KILL "$1" 2>/dev/null && echo "# server $1 had to be killed"
	wait "$1"
}

# stop NAME: SIGTERM must end the server cleanly (status 0, socket and pidfile
# removed, no sanitizer report).
stop() {
	local st
	kill -TERM "$SRV_PID"
	wait_gone "$SRV_PID"
	st=$?
	if [ $st -eq 0 ] && [ ! -e "$SRV_DIR/sock" ] && [ ! -e "$SRV_DIR/pid" ] &&
		! grep -qE 'Sanitizer|runtime error' "$SRV_DIR/stderr"; then
		ok "$1: clean exit on SIGTERM"
	else
		notok "$1: clean exit on SIGTERM (status $st)"
		sed 's/^/# /' "$SRV_DIR/stderr" | head -20
	fi
}

# wait_lines FILE N: bounded wait until FILE has at least N lines.
wait_lines() {
	local i
	for i in $(seq 200); do
		[ "$(wc -l <"$1" 2>/dev/null || echo 0)" -ge "$2" ] && return 0
		sleep 0.025
	done
	return 1
}

# wait_grep FILE PATTERN: bounded wait until PATTERN shows up in FILE.
wait_grep() {
	local i
	for i in $(seq 200); do
		grep -qE -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.025
	done
	return 1
}

# Values every listing and xenstore-read must give back unchanged.
test_tree_roundtrip() {
	local nop=$TMP/a-noperms.txt
	start tree --tree "$TREE_A" || return
	$T xenstore-ls -fp >"$TMP/ls-fp.txt"
	same "tree: xenstore-ls -fp gives the loaded a-bringup tree back" "$TREE_A" "$TMP/ls-fp.txt"
	stop tree
	start treec --tree "$DATA/c-no-netfront-ls-fp.txt" || return
	$T xenstore-ls -fp >"$TMP/ls-c.txt"
	same "tree: c-no-netfront tree round trip" "$DATA/c-no-netfront-ls-fp.txt" "$TMP/ls-c.txt"
	stop treec
	printf '%s\n' '/e = ""   (n0)' '/e/ctl = "a\001b\t\n\r\\c\x7f\xff"q"   (n0,r1,b2)' \
		'/e/sp = " x  "   (n3)' >"$TMP/esc.txt"
	start treee --tree "$TMP/esc.txt" || return
	$T xenstore-ls -fp /e >"$TMP/ls-e.txt"
	sed 1d "$TMP/esc.txt" >"$TMP/esc-want.txt"
	same "tree: escaped values and quotes load and list back the same" "$TMP/esc-want.txt" \
		"$TMP/ls-e.txt"
	check "tree: unescaped bytes are the real value" \
		test "$($T xenstore-read -R /e/ctl | od -An -tx1 | tr -d ' \n')" = "610162090a0d5c637fff2271"
	stop treee
	sed 's/   ([^()]*)$//' "$TREE_A" >"$nop"
	start treef --tree "$nop" || return
	$T xenstore-ls -f >"$TMP/ls-f.txt"
	same "tree: xenstore-ls -f output loads and lists the same" "$nop" "$TMP/ls-f.txt"
	$T xenstore-ls -fp | grep -vc '   (n0)$' >"$TMP/nonn0.txt"
	check "tree: nodes without permissions are dom0's (n0)" grep -qx 0 "$TMP/nonn0.txt"
	stop treef
}

test_utils() {
	local out
	start utils || return
	$T xenstore-write /u/a 1 /u/b 2 /u/c/d 3
	check "utils: write then read" test "$($T xenstore-read /u/a /u/c/d)" = "$(printf '1\n3')"
	check "utils: list keeps creation order" test "$($T xenstore-list /u | tr '\n' ' ')" = "a b c "
	check "utils: implicit parent is created empty" test "$($T xenstore-read /u/c)" = ""
	check "utils: read of a missing node fails" sh -c "! $T xenstore-read /u/nope 2>/dev/null"
	check "utils: rm of a missing node under an existing parent succeeds" $T xenstore-rm /u/nope
	check "utils: rm of a node whose parent is missing fails" \
		sh -c "! $T xenstore-rm /nope/nope 2>/dev/null"
	$T xenstore-rm /u/c
	check "utils: rm is recursive" sh -c "! $T xenstore-read /u/c/d 2>/dev/null"
	$T xenstore-chmod /u/a n5 r7 b9
	out=$($T xenstore-ls -fp /u)
	check "utils: chmod shows in xenstore-ls -p" \
		test "$out" = "$(printf '/u/a = "1"   (n5,r7,b9)\n/u/b = "2"   (n0)')"
	$T xenstore-write /u/a/new x
	check "utils: a new node inherits its parent's permissions" \
		test "$($T xenstore-ls -fp /u/a)" = '/u/a/new = "x"   (n5,r7,b9)'
	$T xenstore-write /u/bin 'T\x01\t\xff\x7f\\z"q'
	check "utils: xenstore-ls sanitises control and high bytes" \
		test "$($T xenstore-ls -f /u | grep bin)" = '/u/bin = "T\001\t\xff\x7f\\z"q"'
	check "utils: the raw value round-trips byte for byte" \
		test "$($T xenstore-read -R /u/bin | od -An -tx1 | tr -d ' \n')" = "540109ff7f5c7a2271"
	check "utils: xenstore-exists" $T xenstore-exists /u/b
	stop utils
}

test_big_directory() {
	local i
	start bigdir --trace "$TMP/bigdir.trace" || return
	for i in $(seq 0 299); do
		printf '/big/child-with-a-long-name-%03d x\n' "$i"
	done | xargs -n 100 $T xenstore-write
	$T xenstore-list /big >"$TMP/big.txt"
	seq 0 299 | xargs printf 'child-with-a-long-name-%03d\n' >"$TMP/big-want.txt"
	same "directory: >4096 bytes of children via DIRECTORY_PART, in order" \
		"$TMP/big-want.txt" "$TMP/big.txt"
	check "directory: DIRECTORY got E2BIG, then DIRECTORY_PART was used" \
		grep -q "DIRECTORY_PART (/big 0 )" "$TMP/bigdir.trace"
	stop bigdir
}

test_watch() {
	local w=$TMP/watch.out r=$TMP/rel.out
	start watch --access-log "$TMP/watch.acc" || return
	$T xenstore-watch -n 6 /w/x >"$w" &
	wait_lines "$w" 1
	$T xenstore-write /w/x/a 1
	wait_lines "$w" 2
	$T xenstore-write /w/x/a 2
	wait_lines "$w" 3
	$T xenstore-write /w/other 1
	$T xenstore-chmod /w/x/a n0 r3
	wait_lines "$w" 4
	$T xenstore-write /w/x/b/c 1
	wait_lines "$w" 5
	$T xenstore-rm /w
	wait_lines "$w" 6
	printf '%s\n' /w/x /w/x/a /w/x/a /w/x/a /w/x/b/c /w/x >"$TMP/watch.want"
	same "watch: initial event, changes, perms change, ancestor removal" "$TMP/watch.want" "$w"
	$T xenstore-watch -n 2 rel/x >"$r" &
	wait_lines "$r" 1
	$T xenstore-write /local/domain/0/rel/x/y 1
	wait_lines "$r" 2
	check "watch: a relative watch gets relative event paths" \
		test "$(tr '\n' ' ' <"$r")" = "rel/x rel/x/y "
	check "watch: the access log shows the events as w event" \
		grep -qE '^\[[0-9]{8}T[0-9:]{8}\.[0-9]{3}Z\]  A[0-9]+ +w event   /w/x/a /w/x $' \
		"$TMP/watch.acc"
	stop watch
}

test_transactions() {
	start tx || return
	relay "xsd-txtest" "$TMP/txtest.out" $T "$BUILD/xsd-txtest"
	stop tx
}

# stats_by_conn STATS: "OP=n OP=n" per connection, sorted, one per line.
stats_by_conn() {
	awk '{ v[$1] = v[$1] " " $2 "=" $3 } END { for (c in v) print "client" v[c] }' "$1" | sort
}

test_stress() {
	local t0 t1
	start stress --stats "$TMP/stress.stats" || return
	t0=$(date +%s%N)
	relay "xsd-stress" "$TMP/stress.out" timeout 120 "$BUILD/xsd-stress" 8 10000
	t1=$(date +%s%N)
	echo "# stress wall time: $(((t1 - t0) / 1000000)) ms"
	stop stress
	grep '^client' "$TMP/stress.out" | sort >"$TMP/stress.sent"
	stats_by_conn "$TMP/stress.stats" >"$TMP/stress.seen"
	same "stress: --stats counts equal what each client sent" "$TMP/stress.sent" \
		"$TMP/stress.seen"
}

test_hostile() {
	start hostile || return
	relay "hostile.py" "$TMP/hostile.out" timeout 120 python3 "$HERE/hostile.py" "$SRV_DIR/sock"
	check "hostile: server still answers afterwards" \
		test "$($T xenstore-read /local/domain/0/name)" = "Domain-0"
	stop hostile
}

# The vif subtrees after bringup.scn must equal the real capture.
test_scenario_bringup() {
	local d=$TMP/bu acc trace stats w wpid p
	mkdir -p "$d"
	{
		echo "await-watch /local/domain"
		cat "$SCN/bringup.scn"
		echo "A:marker write /xsd-test-done 1"
	} >"$d/bringup.scn"
	start bringup --scenario "$d/bringup.scn" --access-log "$d/acc" --trace "$d/trace" \
		--stats "$d/stats" || return
	acc=$d/acc trace=$d/trace stats=$d/stats w=$d/watch.out
	$T xenstore-watch /local/domain >"$w" &
	wpid=$!
	wait_grep "$acc" 'write     /xsd-test-done 1'
	wait_grep "$w" '^/local/domain/0/backend/vif/1/1/state$'
	kill -TERM "$wpid"
	wait "$wpid"
	for p in /local/domain/0/backend/vif /local/domain/1/device/vif /libxl/1/device/vif; do
		grep "^$p/" "$TREE_A" >"$d/want"
		$T xenstore-ls -fp "$p" >"$d/got"
		same "scenario bringup: $p ends as in the real capture" "$d/want" "$d/got"
	done
	grep -E '(device/vif/0|backend/vif/1/0)/state$' "$w" >"$d/states"
	printf '%s\n' /local/domain/1/device/vif/0/state /local/domain/0/backend/vif/1/0/state \
		/local/domain/0/backend/vif/1/0/state /local/domain/1/device/vif/0/state \
		/local/domain/0/backend/vif/1/0/state >"$d/states.want"
	same "scenario bringup: watcher sees FE1, BE1, BE2, FE4, BE4 of vif 0" \
		"$d/states.want" "$d/states"
	check "access log: D0 writes relative paths" \
		grep -qE '^\[[0-9T:.]+Z\]  D0\.[0-9]+ +write     backend/vif/1/0/state 2$' "$acc"
	check "access log: D1 writes relative paths inside its transaction" \
		grep -qE '\]  D1\.[0-9]+ +write     device/vif/0/queue-1/event-channel-rx 18$' "$acc"
	check "access log: connection column is 12 wide, op 9 wide" \
		grep -qE '^\[[0-9]{8}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z\]  D0           watch     backend FFFFFFFF82BB0B60 $' "$acc"
	check "access log: socket writers are A<n>, with newconn/endconn" \
		sh -c "grep -qE '\]  A[0-9]+ +newconn   $' '$acc' && grep -qE '\]  A[0-9]+ +endconn   $' '$acc'"
	check "access log: D0 gets w event with relative path and kernel token" \
		grep -qE '\]  D0           w event   backend/vif/1/0/state FFFFFFFF82BB0B60 $' "$acc"
	check "access log: the watching client gets w event lines" \
		grep -qE '\]  A[0-9]+ +w event   /local/domain/1/device/vif/0/state /local/domain $' "$acc"
	check "access log: transactions show t start, t end and commit" \
		sh -c "grep -qE '\]  D1\.[0-9]+ +t start   $' '$acc' && grep -qE '\]  D1\.[0-9]+ +commit    $' '$acc'"
	check "access log: introduce and @introduceDomain are logged" \
		sh -c "grep -qE '\]  A[0-9]+ +introduce 1 259585 1 $' '$acc'"
	check "access log: no line longer than 179 characters" \
		sh -c "! awk 'length > 179' '$acc' | grep -q ."
	check "trace: IN line for a domain write, no trailing space" \
		grep -qE '^IN 0x[0-9a-f]+ [0-9]{8} [0-9:]{8} WRITE \(backend/vif/1/0/state 2\)$' "$trace"
	check "trace: OUT WATCH_EVENT with NULs as spaces" \
		grep -qE '^OUT 0x[0-9a-f]+ [0-9]{8} [0-9:]{8} WATCH_EVENT \(/local/domain/1/device/vif/0/state /local/domain \)$' "$trace"
	check "trace: every line has a known shape" sh -c "! grep -vE \
		'^(|\*\*\*|(IN|OUT) 0x[0-9a-f]+ [0-9]{8} [0-9:]{8} [A-Z_]+ \(.*\)|(CREATE|DESTROY) (connection|watch|transaction) 0x[0-9a-f]+|dropping duplicate watch .*)$' '$trace' | grep -q ."
	stop bringup
	check "stats: D1 WRITE count equals the scenario's D1 writes" \
		test "$(awk '$1 == "D1" && $2 == "WRITE" { print $3 }' "$stats")" = \
		"$(grep -c '^D1 write ' "$SCN/bringup.scn")"
	check "stats: D0 TRANSACTION_START count equals the scenario's D0 begins" \
		test "$(awk '$1 == "D0" && $2 == "TRANSACTION_START" { print $3 }' "$stats")" = \
		"$(grep -c '^D0 begin' "$SCN/bringup.scn")"
	check "stats: lines sorted by connection then op" sh -c \
		"awk '{ print substr(\$1, 1, 1), substr(\$1, 2), \$2 }' '$stats' | sort -k1,1 -k2,2n -k3,3 -c"
}

# run_scenario NAME FILE: the scenario on the a-bringup tree, to its end ("exit").
run_scenario() {
	SRV_DIR=$TMP/$1
	mkdir -p "$SRV_DIR"
	{
		cat "$2"
		echo exit
	} >"$SRV_DIR/scn"
	timeout 30 "$XSD" --socket "$SRV_DIR/sock" --tree "$TREE_A" --scenario "$SRV_DIR/scn" \
		--access-log "$SRV_DIR/acc" --stats "$SRV_DIR/stats" \
		--access-log-no-reads 2>"$SRV_DIR/stderr" --pidfile "$SRV_DIR/pid" &
	SRV_PID=$!
	PIDS+=("$SRV_PID")
	wait_gone "$SRV_PID"
	check "scenario $1: runs to its exit and ends cleanly" test $? -eq 0
}

# live NAME SCENARIO: a server on the a-bringup tree running SCENARIO, waited
# for until its last step is done (it then keeps serving).
live() {
	local d=$TMP/$1
	mkdir -p "$d"
	{
		cat "$2"
		echo "A:marker write /xsd-test-done 1"
	} >"$d/scn"
	start "$1" --tree "$TREE_A" --scenario "$d/scn" --access-log "$d/acc" || return
	wait_grep "$d/acc" 'write     /xsd-test-done 1'
}

test_scenarios_end_states() {
	local d=/local/domain/0/backend/vif/1/2
	live fail-live "$SCN/hotplug-fail.scn" || return
	check "scenario hotplug-fail: BE stays 2, FE reaches 4" test \
		"$($T xenstore-read $d/state /local/domain/1/device/vif/2/state | tr '\n' ' ')" = "2 4 "
	check "scenario hotplug-fail: hotplug-status error with the script's message" test \
		"$($T xenstore-read $d/hotplug-status $d/hotplug-error | tr '\n' '|')" = \
		"error|Could not find bridge device nosuchbr0|"
	stop fail-live
	d=/local/domain/0/backend/vif/2/0
	live nonf-live "$SCN/no-netfront.scn" || return
	check "scenario no-netfront: BE 2, FE 1, hotplug connected" test \
		"$($T xenstore-read $d/state /local/domain/2/device/vif/0/state $d/hotplug-status | tr '\n' ' ')" \
		= "2 1 connected "
	check "scenario no-netfront: the frontend has no ring references" \
		sh -c "! $T xenstore-ls /local/domain/2/device/vif/0 | grep -q ring-ref"
	stop nonf-live
}

test_scenarios_logged() {
	run_scenario detach "$SCN/detach-attach.scn"
	check "scenario detach-attach: guest goes straight to 6, netback 5 then 6" sh -c \
		"grep -oE '(D1\.[0-9]+ +write     device/vif/1/state|D0\.[0-9]+ +write     backend/vif/1/1/state) [0-9]' '$SRV_DIR/acc' | awk '{ print \$NF }' | tr -d '\n' | grep -q '^656'"
	check "scenario detach-attach: the re-attached vif gets 2 queues" \
		grep -q 'write     device/vif/1/multi-queue-num-queues 2' "$SRV_DIR/acc"
	check "scenario detach-attach: no read ops logged with --access-log-no-reads" \
		sh -c "! grep -qE ' (read|directory|getperms) ' '$SRV_DIR/acc'"
	run_scenario shutdown "$SCN/shutdown.scn"
	check "scenario shutdown: @releaseDomain fired for the watcher" \
		grep -qE '\]  A[0-9]+ +w event   @releaseDomain 3/0 $' "$SRV_DIR/acc"
	check "scenario shutdown: D1's connection ends with the domain" \
		grep -qE '\]  D1           endconn   $' "$SRV_DIR/acc"
	check "scenario shutdown: removal of the backend dir fires D0's backend watch" \
		grep -qE '\]  D0           w event   backend/vif/1/0 FFFFFFFF82BB0B60 $' "$SRV_DIR/acc"
}

# Domain writers are unprivileged: permissions apply, and they own what they create.
test_domain_permissions() {
	local d=$TMP/perm
	mkdir -p "$d"
	cat >"$d/scn" <<-'EOF'
		A write /local/domain/1/open
		A setperms /local/domain/1/open n0 w1
		D1 write backend/x 1
		D1 write /local/domain/0/backend/vif/1/0/state 6
		D1 write open/mine 1
		D1 write device/vif/0/extra 1
		D1 setperms device/vif/0/extra n0
		await-watch /never
	EOF
	start perm --tree "$TREE_A" --scenario "$d/scn" || return
	wait_grep "$SRV_DIR/stderr" 'SET_PERMS: EPERM'
	check "perms: D1 write to dom0's backend node gets EACCES (file:line on stderr)" \
		grep -q "^$d/scn:4: D1 WRITE: EACCES$" "$SRV_DIR/stderr"
	check "perms: the refused write changed nothing" \
		test "$($T xenstore-read /local/domain/0/backend/vif/1/0/state)" = 4
	check "perms: a node D1 creates is owned by D1, other entries inherited" \
		test "$($T xenstore-ls -fp /local/domain/1/open)" = '/local/domain/1/open/mine = "1"   (n1,w1)'
	check "perms: D1 may not give its node away (EPERM)" \
		grep -q "^$d/scn:7: D1 SET_PERMS: EPERM$" "$SRV_DIR/stderr"
	check "perms: relative D1 path resolved under /local/domain/1" \
		test "$($T xenstore-read /local/domain/1/device/vif/0/extra)" = 1
	stop perm
}

test_cli_errors() {
	local f=$TMP/bad
	printf '/ok = "1"   (n0)\n/bad = "no closing quote\n' >"$f.tree"
	$XSD --socket "$TMP/never.sock" --tree "$f.tree" 2>"$f.err"
	check "cli: a bad --tree line exits 2" test $? -eq 2
	check "cli: the --tree error names file:line and what was expected" \
		grep -qx "$f.tree:2: expected a closing '\"' after the value" "$f.err"
	printf '# ok\nD0 write backend/x 1\n\nD1 frobnicate x\n' >"$f.scn"
	$XSD --socket "$TMP/never.sock" --scenario "$f.scn" 2>"$f.err2"
	check "cli: a bad --scenario line exits 2 naming file:line" sh -c \
		"grep -q '^$f.scn:4: expected an operation' '$f.err2'"
	printf 'A commit\n' >"$f.scn2"
	$XSD --socket "$TMP/never.sock" --scenario "$f.scn2" 2>"$f.err3"
	check "cli: commit without begin is a scenario error" \
		grep -q "^$f.scn2:1: expected 'begin' before 'commit' or 'abort'" "$f.err3"
	$XSD 2>/dev/null
	check "cli: --socket is required" test $? -eq 2
	check "cli: no socket file left by failed starts" test ! -e "$TMP/never.sock"
}

test_stats_signal() {
	start usr1 --stats "$TMP/usr1.stats" || return
	$T xenstore-read /local/domain/0/name >/dev/null
	$T xenstore-write /s/x 1
	kill -USR1 "$SRV_PID"
	wait_grep "$TMP/usr1.stats" 'WRITE'
	check "stats: SIGUSR1 writes the current counts" \
		test "$(tr '\n' '|' <"$TMP/usr1.stats")" = "A1 READ 1|A2 WRITE 1|"
	stop usr1
	check "stats: written again at exit, closed clients kept" \
		test "$(tr '\n' '|' <"$TMP/usr1.stats")" = "A1 READ 1|A2 WRITE 1|"
}

test_tree_roundtrip
test_utils
test_big_directory
test_watch
test_transactions
test_stress
test_hostile
test_scenario_bringup
test_scenarios_end_states
test_scenarios_logged
test_domain_permissions
test_cli_errors
test_stats_signal

echo "# xsd: $pass passed, $fail failed"
[ $fail -eq 0 ]
