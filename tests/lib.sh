# Shared by the shell suites: a scratch dir $T and the result lines tests/run.sh counts.
# A suite sources this after cd'ing where it works, then ends with `finish`.
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

ok() { echo "ok - $*"; }
nok() { echo "not ok - $*"; : >"$T/failed"; }

# exit status of the suite: 1 if any nok ran (also from subshells, hence the file)
finish() { [ ! -e "$T/failed" ]; }

# Suites that start servers and watchers put their pids in PIDS: use_procs makes the exit
# kill them and their children before the scratch dir goes (KEEP_TMP=1 keeps it).
# TO: signals go to our processes only: timeout(1) without --foreground also sends SIGCONT
# to its process group, which can resume an ASan build stopped by LeakSanitizer's ptrace at
# exit and leave it spinning forever (seen on this kind of VM).
TO="timeout --foreground -k 5"
PIDS=""
use_procs() {
	trap 'for p in $PIDS; do pkill -KILL -P "$p" 2>/dev/null; kill -KILL "$p" 2>/dev/null; done
		wait 2>/dev/null
		if [ -n "${KEEP_TMP:-}" ]; then echo "# kept $T"; else rm -rf "$T"; fi' EXIT
	trap 'exit 1' INT TERM
}

# tmux, for the suites that drive a terminal: one server on $T/tmux. pane_wait NAME ERE
# [TENTHS]: polls the pane's screen until it matches (default ~20 s: the machine may be loaded)
tm() { tmux -S "$T/tmux" "$@"; }
screen() { tm capture-pane -p -t "=$1:" 2>/dev/null; }
pane_wait() {
	_i=0
	while [ $_i -lt "${3:-200}" ]; do
		screen "$1" | grep -Eq -- "$2" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# wait_for FILE ERE SECONDS: until a line of FILE matches (1 after SECONDS)
wait_for() {
	_i=0
	while ! grep -Eq -- "$2" "$1" 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -gt $(($3 * 20)) ] && return 1
		sleep 0.05
	done
}

# xsd_wait PID [LIMIT]: until the test xenstored PID has written $T/pid (it listens), in
# steps of 50 ms (default 200: 10 s); 1, with its $T/xsd.err as diagnostics, if it died first
xsd_wait() {
	_i=0
	while [ ! -s "$T/pid" ]; do
		_i=$((_i + 1))
		if [ $_i -gt "${2:-200}" ] || ! kill -0 "$1" 2>/dev/null; then
			sed 's/^/# /' "$T/xsd.err"
			return 1
		fi
		sleep 0.05
	done
}
