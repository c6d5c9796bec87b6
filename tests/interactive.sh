#!/bin/bash
# Interactive tests: a real bash (completion), `vifdiag shell` and `vifdiag top` driven in
# tmux (send-keys, capture-pane) against fixture dumps and the test xenstored (tests/xsd).
# Waits poll the screen up to a bound (a hang fails); no test asserts a time.
set -u
LIB=$(cd "$(dirname "$0")" && pwd)/lib.sh
B=${1:?usage: tests/interactive.sh BUILD_DIR}
B=$(cd "$B" && pwd)
cd "$(dirname "$0")/.." || exit 2
ROOT=$(pwd)
. "$LIB"
BIN=$B/vifdiag
XSD=$B/vd-xenstored
FIX=$ROOT/tests/fixtures
pids=""
cleanup() {
	tmux -S "$T/tmux" kill-server 2>/dev/null
	for p in $pids; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
command -v tmux >/dev/null || { nok "tmux is not installed"; exit 1; }

# a fresh session NAME running CMD (in $T/work, with PATH on the build), 160x40
win() { # NAME CMD
	tm kill-session -t "=$1:" 2>/dev/null
	tm new-session -d -s "$1" -x 160 -y 40 -c "$T/work" "$2"
	tm set-option -t "=$1:" remain-on-exit on >/dev/null 2>&1
}
# waits (at most ~20 s) until the window's screen matches the ERE; 1 if it never does
wait_for() { pane_wait "$1" "$2"; }
# the screen, as diagnostics
show_screen() { screen "$1" | grep -v "^$" | sed "s/^/# | /"; }
# the shell waits for a line: its prompt is the last line (keys like C-c and C-d sent
# while a command still runs would reach the terminal in cooked mode instead of readline)
prompt() { # NAME
	i=0
	while [ $i -lt 200 ]; do
		[ "$(screen "$1" | grep -v '^$' | tail -n 1)" = "vifdiag>" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
# the program in the pane has ended (exited: gone, or a zombie tmux has not reaped yet)
left() { # NAME WHAT
	pp=$(tm display-message -p -t "=$1:" '#{pane_pid}')
	i=0
	while [ $i -lt 200 ]; do
		st=$(ps -o stat= -p "$pp" 2>/dev/null)
		case $st in "" | Z*) ok "$2"; return 0 ;; esac
		sleep 0.1
		i=$((i + 1))
	done
	nok "$2"
	show_screen "$1"
}
check() { # NAME WHAT ERE
	if wait_for "$1" "$3"; then ok "$2"; else nok "$2"; show_screen "$1"; return 1; fi
}

mkdir -p "$T/work/sub dir/inner" "$T/home" "$T/state"
: >"$T/work/my dump.txt"
cp "$FIX/hostile-strings/tree.txt" "$T/work/hostile.txt"
# a name with spaces, which the fixtures do not have
sed 's|^/local/domain/3/name = "db01"|/local/domain/3/name = "my web server"|' \
	"$FIX/multi-domain-host/tree.txt" >"$T/work/spaces.txt"
ENVS="env -i HOME=$T/home LANG=C.UTF-8 TERM=xterm-256color PATH=$B:/usr/bin:/bin XDG_STATE_HOME=$T/state"

# --- bash completion (issue 16 #8-#11) ---------------------------------------------------
cat >"$T/bashrc" <<EOB
PS1='\$ '
. $ROOT/completions/vifdiag.bash
EOB
bashwin() { # NAME [ENV...]
	win "$1" "$ENVS ${2:-} bash --noprofile --rcfile $T/bashrc -i"
	wait_for "$1" '^\$' || nok "$1: no bash prompt"
}
# types WORDS, TAB and '#' into a fresh bash; the screen must then match ERE (the '#'
# shows whether a space followed the completion: tmux drops trailing spaces)
tab() { # NAME WHAT TYPED ERE [ENV]
	bashwin "$1" "${5:-}"
	tm send-keys -t "=$1:" -l "$3"
	tm send-keys -t "=$1:" Tab
	tm send-keys -t "=$1:" -l "#"
	check "$1" "$2" "$4"
}

tab c-file "completion quotes a file name with a space (--from my<TAB>)" \
	'vifdiag --from my' '^\$ vifdiag --from my\\ dump\.txt #$'
tab c-dir "completion descends into a directory (--from su<TAB>)" \
	'vifdiag --from su' '^\$ vifdiag --from sub\\ dir/#$'
tab c-sysfs "completion offers directories for --sysfs-root" \
	'vifdiag --sysfs-root su' '^\$ vifdiag --sysfs-root sub\\ dir/#$'
tab c-fromeq "completion of a file after --from=" \
	'vifdiag --from=my' '^\$ vifdiag --from=my\\ dump\.txt #$'
tab c-color "completion of a value after = (--color=al<TAB>)" \
	'vifdiag --color=al' '^\$ vifdiag --color=always #$'
bashwin c-color2
tm send-keys -t "=c-color2:" -l 'vifdiag status --color='
tm send-keys -t "=c-color2:" Tab Tab
check c-color2 "completion lists the values after --color=" 'always +auto +never'
tab c-stall "no space after NAME= (--stall ho<TAB>)" \
	'vifdiag watch --stall ho' '^\$ vifdiag watch --stall hotplug=#$'
tab c-utf8 "completion offers and keeps a non-ASCII domain name" \
	'vifdiag --from hostile.txt status te' '^\$ vifdiag --from hostile\.txt status tenant-42-prøve #$'
tab c-space "completion quotes a domain name with spaces" \
	'vifdiag --from spaces.txt status my' '^\$ vifdiag --from spaces\.txt status my\\ web\\ server #$'
tab c-devid "completion of DOM/DEVID for show" \
	'vifdiag --from hostile.txt show 2/2' '^\$ vifdiag --from hostile\.txt show 2/2 #$'

# a xenstored that accepts and never answers: TAB comes back (the binary gives up after 1 s)
python3 tests/tools/mute-xenstored.py "$T/mute" "$T/mute.pid" 2>/dev/null &
pids="$pids $!"
i=0
while [ ! -s "$T/mute.pid" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
if timeout 10 env XENSTORED_PATH="$T/mute" "$BIN" __complete status "" >"$T/c.out"; then
	ok "__complete gives up on a mute xenstored"
else
	nok "__complete hangs on a mute xenstored (killed by timeout 10)"
fi
# each TAB waits at most 1 s (it was 30): two TABs then a key must show within the bound
tab c-mute "TAB does not freeze bash on a mute xenstored" \
	'vifdiag status ' '^\$ vifdiag status #$' "XENSTORED_PATH=$T/mute"
tm send-keys -t "=c-mute:" Tab
tm send-keys -t "=c-mute:" -l 'xyz'
check c-mute "bash takes keys again after TAB on a mute xenstored" '^\$ vifdiag status #xyz$'

# the shell on a mute xenstored: TAB gives up after 1 s, ls after --timeout, the prompt stays
win shm "$ENVS XENSTORED_PATH=$T/mute vifdiag shell --timeout 2"
check shm "shell starts on a mute xenstored" '^vifdiag>'
tm send-keys -t "=shm:" -l 'ls /lo'
tm send-keys -t "=shm:" Tab
tm send-keys -t "=shm:" -l '#'
check shm "shell TAB does not freeze on a mute xenstored" '^vifdiag> ls /lo#$'
tm send-keys -t "=shm:" C-u
tm send-keys -t "=shm:" -l 'ls /'
tm send-keys -t "=shm:" Enter
check shm "shell ls on a mute xenstored gives up with --timeout and returns to the prompt" 'did not answer within 2 s'
prompt shm || { nok "no prompt after the timeout"; show_screen shm; }
tm send-keys -t "=shm:" -l 'pwd'
tm send-keys -t "=shm:" Enter
check shm "the shell still runs commands after the timeout" '^/$'

# the direct calls
"$BIN" __complete --from "$T/work/hostile.txt" status "" >"$T/c.out"
if grep -qx 'tenant-42-prøve' "$T/c.out" && ! grep -q "$(printf '\033')" "$T/c.out"; then
	ok "__complete offers a non-ASCII name and no control bytes"
else
	nok "__complete over hostile-strings"; sed 's/^/# /' "$T/c.out"
fi
"$BIN" __complete --from "$T/work/spaces.txt" status "my" >"$T/c.out"
if grep -qx 'my web server' "$T/c.out"; then ok "__complete offers a name with spaces"
else nok "__complete lacks 'my web server'"; sed 's/^/# /' "$T/c.out"; fi
# check takes DOM[/DEVID] as show does
"$BIN" __complete --from tests/fixtures/lab-a-bringup/tree.txt check "" >"$T/c.out"
"$BIN" __complete --from tests/fixtures/lab-a-bringup/tree.txt check "1/" >>"$T/c.out"
if [ "$(tr '\n' ' ' <"$T/c.out")" = "0 Domain-0 1 domu1 1/0 1/1 " ]; then ok "__complete offers check's domains and their VIFs"
else nok "__complete check: '$(tr '\n' ' ' <"$T/c.out")'"; fi
"$BIN" __complete --sysfs-root "" >"$T/c.out"
if [ "$(cat "$T/c.out")" = __dirs__ ]; then ok "__complete asks for directories after --sysfs-root"
else nok "__complete --sysfs-root: '$(cat "$T/c.out")'"; fi
"$BIN" __complete --color= >"$T/c.out"
if [ "$(tr '\n' ' ' <"$T/c.out")" = "--color=auto --color=always --color=never " ]; then
	ok "__complete completes --color=VALUE"
else nok "__complete --color=: '$(tr '\n' ' ' <"$T/c.out")'"; fi

# --- vifdiag shell against the test xenstored replaying the bring-up ----------------------
start_xsd() { # NAME ARGS...: a test xenstored on $T/NAME.sock
	n=$1
	shift
	"$XSD" --socket "$T/$n.sock" --pidfile "$T/$n.pid" "$@" 2>"$T/$n.err" &
	pids="$pids $!"
	i=0
	while [ ! -s "$T/$n.pid" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	[ -s "$T/$n.pid" ] || { nok "test xenstored $n did not start"; sed 's/^/# /' "$T/$n.err"; }
}
start_xsd live --scenario "$ROOT/tests/xsd/scenarios/bringup.scn"
# the bring-up is over once domu1's second VIF is connected on both ends
i=0
until [ "$(XENSTORED_PATH=$T/live.sock timeout 5 xenstore-read /local/domain/0/backend/vif/1/1/state 2>/dev/null)" = 4 ] ||
	[ $i -gt 200 ]; do sleep 0.05; i=$((i + 1)); done
LIVE="XENSTORED_PATH=$T/live.sock"
win sh "$ENVS $LIVE vifdiag shell"
check sh "shell shows its prompt" '^vifdiag> $|^vifdiag>$'
tm send-keys -t "=sh:" -l 'status dom'
tm send-keys -t "=sh:" Tab
tm send-keys -t "=sh:" -l '#'
check sh "shell completes a domain name from the live store" '^vifdiag> status domu1 #$'
tm send-keys -t "=sh:" C-u
tm send-keys -t "=sh:" -l 'ls /local/domain/1/dev'
tm send-keys -t "=sh:" Tab
tm send-keys -t "=sh:" -l 'vif/'
tm send-keys -t "=sh:" Tab
tm send-keys -t "=sh:" -l '#'
check sh "shell completes store paths (a dir takes no space)" '^vifdiag> ls /local/domain/1/device/vif/#$'
tm send-keys -t "=sh:" C-u
tm send-keys -t "=sh:" -l 'ls /local/domain/1/device/vif/0'
tm send-keys -t "=sh:" Enter
check sh "shell ls of a VIF dir lists its keys and queue dirs" '^queue-1/$'
tm send-keys -t "=sh:" -l 'show 1/7'
tm send-keys -t "=sh:" Enter
check sh "a command error is printed" "domain 1 has no vif 7"
tm send-keys -t "=sh:" -l 'pwd'
tm send-keys -t "=sh:" Enter
check sh "the shell is still there after the error" '^/$'
tm send-keys -t "=sh:" -l 'status --bogus'
tm send-keys -t "=sh:" Enter
check sh "a usage error returns to the prompt too" "unknown option '--bogus'"
tm send-keys -t "=sh:" -l 'cd /local/domain/1/device/vif/1'
tm send-keys -t "=sh:" Enter
tm send-keys -t "=sh:" -l 'cat state'
tm send-keys -t "=sh:" Enter
check sh "cd then cat of a relative path" '^4$'
prompt sh
tm send-keys -t "=sh:" -l 'half typed'
tm send-keys -t "=sh:" C-c
tm send-keys -t "=sh:" -l 'pwd'
tm send-keys -t "=sh:" Enter
check sh "Ctrl-C drops the line, the next one runs" '^/local/domain/1/device/vif/1$'
prompt sh
tm send-keys -t "=sh:" C-d
left sh "Ctrl-D leaves the shell"
H=$T/state/vifdiag/history
if [ -f "$H" ] && [ "$(stat -c %a "$H")" = 600 ] && grep -qx 'show 1/7' "$H" && ! grep -q 'half typed' "$H"; then
	ok "history written to \$XDG_STATE_HOME/vifdiag/history, mode 0600"
else
	nok "history: $(stat -c %a "$H" 2>&1)"; sed 's/^/# /' "$H" 2>/dev/null
fi
# the next shell has it: Up recalls the last line
win sh2 "$ENVS $LIVE vifdiag shell"
check sh2 "a second shell starts" '^vifdiag>'
tm send-keys -t "=sh2:" Up
check sh2 "history is read back (Up)" '^vifdiag> pwd$'
tm send-keys -t "=sh2:" C-u
tm send-keys -t "=sh2:" -l 'quit'
tm send-keys -t "=sh2:" Enter
left sh2 "quit leaves the shell"

# not a terminal: commands from stdin, no prompt, the exit code of the last one
out=$(printf 'open %s\ncat /local/domain/2/device/vif/1/feature-sg\nstatus 9\n' "$FIX/hostile-strings/tree.txt" |
	XENSTORED_PATH=$T/live.sock timeout 20 "$BIN" shell 2>"$T/sh.err")
rc=$?
if [ "$out" = '1\x1b]0;owned\x07' ] && [ $rc = 2 ] && grep -q "no domain 9" "$T/sh.err"; then
	ok "shell reads stdin without a prompt; open switches the source; cat escapes guest bytes"
else
	nok "shell on stdin: rc $rc, '$out'"; sed 's/^/# /' "$T/sh.err"
fi
M=$FIX/multi-domain-host/tree.txt
printf 'ls /local/domain/3/device/vif/0\nstatus\n' | timeout 20 "$BIN" shell --from "$M" >"$T/sh.out" 2>&1
{ awk -v p=/local/domain/3/device/vif/0/ 'index($1, p) == 1 { r = substr($1, length(p) + 1)
	n = split(r, a, "/"); if (n > 1) d[a[1]] = 1; else k[a[1]] = 1 }
	END { for (x in k) if (!(x in d)) print x; for (x in d) print x "/" }' "$M" | LC_ALL=C sort
  NO_COLOR=1 "$BIN" --from "$M" status; } >"$T/sh.want"
if diff -u "$T/sh.want" "$T/sh.out" >"$T/d"; then
	ok "shell --from: ls and status read the dump as on the command line"
else
	nok "shell --from"; sed 's/^/# /' "$T/d"
fi

finish
