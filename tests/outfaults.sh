#!/bin/sh
# Output faults: status, show (text and JSON, from a dump and live), log (text, JSON,
# --stats) and watch writing to a closed stdout and to a full disk (/dev/full) must exit 4
# with one "vifdiag: ..." line on stderr, never crash (no signal, no sanitizer report) and
# never exit 0 with part of the output lost; into a pipe whose reader left (`| head -1`)
# they stop at once, quietly (killed by SIGPIPE as ls is, or exit 4 with one line), and
# do not hang. The inputs are large enough (a generated 400-VIF host) that the output does
# not fit the stdio buffer or the pipe. The files vifdiag writes: dump's bundle (and its
# --redact map) and metrics --output onto a full disk are exit 4 with one line and leave
# nothing half-written; a shell history that cannot be written is one warning.
set -u
LIB=$(cd "$(dirname "$0")" && pwd)/lib.sh
B=${1:?usage: tests/outfaults.sh BUILD_DIR}
B=$(cd "$B" && pwd)
cd "$(dirname "$0")/.." || exit 2
. "$LIB"
BIN=$B/vifdiag
XSD=$B/vd-xenstored
xpid=""
cleanup() {
	tmux -S "$T/tmux" kill-server 2>/dev/null
	[ -n "$xpid" ] && kill "$xpid" 2>/dev/null && wait "$xpid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
export TZ=UTC

python3 scripts/gen-host.py 200 2 2 >"$T/big.txt"
LOGF=tests/logs/real-4.17-b-hotplug-detach.trace
# a long log: the same trace many times over (its timeline is long in text and JSON)
for i in 1 2 3 4 5 6 7 8; do cat "$LOGF"; done >"$T/big.trace"

# one run: NAME MODE CMD...; MODE closed | full | pipe
run() {
	name=$1 mode=$2
	shift 2
	case $mode in
	closed) timeout -k 5 60 "$@" >&- 2>"$T/err" ;;
	full) timeout -k 5 60 "$@" >/dev/full 2>"$T/err" ;;
	pipe)
		# the exit status of vifdiag, not of head
		{
			timeout -k 5 60 "$@" 2>"$T/err"
			echo $? >"$T/rc"
		} | head -1 >/dev/null
		return "$(cat "$T/rc")"
		;;
	esac
}

check() { # NAME MODE CMD...
	name=$1 mode=$2
	run "$@"
	rc=$?
	# the log's own warnings (its time goes backwards where the copies join) are not errors
	lines=$(grep -vc '^vifdiag: warning: ' "$T/err")
	if grep -q 'Sanitizer\|runtime error' "$T/err"; then
		nok "$name >$mode: sanitizer report"
		head -5 "$T/err" | sed 's/^/# /'
		return
	fi
	case $mode:$rc in
	pipe:141 | pipe:0 | pipe:1)
		# killed by SIGPIPE (141 through the shell), or its output fitted in the pipe
		# before the reader left (0 or 1, its usual verdict)
		if [ "$lines" -eq 0 ]; then
			ok "$name | head -1: quiet ($rc)"
		else
			nok "$name | head -1: status $rc with $lines lines on stderr"
			sed 's/^/# /' "$T/err" | head -5
		fi
		;;
	*:4)
		if [ "$lines" -eq 1 ] && grep -q '^vifdiag: ' "$T/err"; then
			ok "$name >$mode: exit 4, $(grep -v '^vifdiag: warning: ' "$T/err")"
		else
			nok "$name >$mode: exit 4 but $lines lines on stderr"
			sed 's/^/# /' "$T/err" | head -5
		fi
		;;
	*:124 | *:137) nok "$name >$mode: hung (killed by the test's timeout)" ;;
	*)
		nok "$name >$mode: exit $rc (expected 4$([ "$mode" = pipe ] && echo ' or SIGPIPE'))"
		sed 's/^/# /' "$T/err" | head -5
		;;
	esac
}

for mode in closed full pipe; do
	check "status --from" $mode "$BIN" status --from "$T/big.txt"
	check "status --json --from" $mode "$BIN" status --json --from "$T/big.txt"
	check "show --from" $mode "$BIN" show --from "$T/big.txt"
	check "show --json --from" $mode "$BIN" show --json --from "$T/big.txt"
	check "log" $mode "$BIN" log "$T/big.trace"
	check "log --json" $mode "$BIN" log --json "$T/big.trace"
	check "log --stats" $mode "$BIN" log --stats "$T/big.trace"
	check "help" $mode "$BIN" help
done

# live: the same host in the test xenstored
"$XSD" --socket "$T/sock" --pidfile "$T/pid" --tree "$T/big.txt" 2>"$T/xsd.err" &
xpid=$!
i=0
while [ ! -s "$T/pid" ] && [ $i -lt 400 ]; do
	i=$((i + 1))
	sleep 0.05
done
export XENSTORED_PATH=$T/sock
for mode in closed full pipe; do
	check "status (live)" $mode "$BIN" status
	check "show --json (live)" $mode "$BIN" show --json
done

# ---- the files vifdiag writes: the bundle of dump, metrics --output, the shell's history ----
# A full disk is a 1 MB tmpfs (where this is root) mounted in a mount namespace of our own
# (unshare -m), filled but for 8 KB by "fill": a bundle of the 400-VIF host and its
# exposition need more. nr_inodes=2 is a disk with room for one file only (its root is the
# other): dump --redact's bundle fits, the map that goes beside it does not.
D=$T/full
NOLOG=$T/nolog
mkdir -p "$D" "$NOLOG"
export VIFDIAG_LOG_DIR=$NOLOG VIFDIAG_VARLOG_DIR=$NOLOG
FILL='dd if=/dev/zero of="$D/pad" bs=8k count=1 2>/dev/null; dd if=/dev/zero of="$D/fill" bs=64k 2>/dev/null; rm "$D/pad"'
# fullfs MOUNTOPTS PREP CMD...: CMD (stderr in $T/err) with $D a fresh tmpfs that PREP (sh)
# has prepared; what CMD left in $D goes to $T/left, FILE.prom's content to $T/prom
fullfs() {
	D=$D T=$T unshare -m sh -c '
		mount -t tmpfs -o "$1" vdfull "$D" || exit 99
		eval "$2"
		shift 2
		"$@" 2>"$T/err" >/dev/null
		rc=$?
		ls -A "$D" | tr "\n" " " >"$T/left"
		cat "$D/vifdiag.prom" >"$T/prom" 2>/dev/null
		exit $rc' sh "$@"
}
# filecheck NAME LEFT CMD...: exit 4, one "vifdiag: " line, only LEFT left on the disk
filecheck() {
	name=$1 want=$2
	shift 2
	"$@"
	rc=$?
	if grep -q 'Sanitizer\|runtime error' "$T/err"; then
		nok "$name: sanitizer report"
		head -5 "$T/err" | sed 's/^/# /'
	elif [ $rc = 4 ] && [ "$(wc -l <"$T/err")" = 1 ] && grep -q '^vifdiag: ' "$T/err" &&
		[ "$(cat "$T/left")" = "$want" ]; then
		ok "$name: exit 4, nothing half-written left, $(cat "$T/err")"
	else
		nok "$name: exit $rc, left '$(cat "$T/left")' (want '$want')"
		sed 's/^/# /' "$T/err" | head -5
	fi
}
if unshare -m mount -t tmpfs -o size=1m vdfull "$D" 2>/dev/null; then
	filecheck "dump -o onto a full disk" "fill " \
		fullfs size=1m "$FILL" timeout -k 5 60 "$BIN" dump -o "$D/b.tar.gz"
	filecheck "dump --redact -o, no room for FILE.map" "" \
		fullfs size=16m,nr_inodes=2 : timeout -k 5 60 "$BIN" dump --redact -o "$D/b.tar.gz"
	grep -q 'b\.tar\.gz\.map' "$T/err" || nok "dump --redact: the message names the map: $(cat "$T/err")"
	# the exposition there before stays whole: the collector never reads a cut one
	filecheck "metrics --output onto a full disk" "fill vifdiag.prom " \
		fullfs size=1m "printf 'old\n' >\"\$D/vifdiag.prom\"; $FILL" \
		timeout -k 5 60 "$BIN" metrics --from "$T/big.txt" --output "$D/vifdiag.prom"
	if [ "$(cat "$T/prom")" = old ]; then ok "metrics --output onto a full disk: FILE as it was"
	else nok "metrics --output onto a full disk: FILE is now '$(head -c 80 "$T/prom")'"; fi
else
	echo "# no tmpfs in a private mount namespace here (needs root and unshare -m): full-disk cases skipped"
fi

# the shell's history on a terminal (readline writes it only there): tmux runs vifdiag
# shell, two lines are typed, then exit. A history it cannot write is one warning, the
# shell goes on and leaves with 0.
if command -v tmux >/dev/null 2>&1; then
	tm() { tmux -S "$T/tmux" "$@"; }
	# until the pane shows ERE (a bound: the machine may be loaded)
	shows() {
		i=0
		while [ $i -lt 200 ]; do
			tm capture-pane -p -t "=hist:" 2>/dev/null | grep -Eq -- "$1" && return 0
			sleep 0.1
			i=$((i + 1))
		done
		return 1
	}
	{
		echo '#!/bin/sh'
		echo '# vifdiag shell with its history below $1; its stderr and status in sh.err, sh.rc'
		echo "XDG_STATE_HOME=\$1 '$BIN' --from tests/fixtures/multi-domain-host/tree.txt shell 2>'$T/sh.err'"
		echo "echo \$? >'$T/sh.rc'"
	} >"$T/hist.sh"
	histcheck() { # NAME ERRNO-TEXT PANE-COMMAND
		rm -f "$T/sh.rc" "$T/sh.err"
		tm kill-session -t "=hist:" 2>/dev/null
		tm new-session -d -s hist -x 150 -y 30 -c "$(pwd)" "$3"
		for l in pwd 'ls /local'; do
			shows '^vifdiag> *$' && tm send-keys -t "=hist:" -l "$l" && tm send-keys -t "=hist:" Enter
		done
		shows '^domain/$' && shows '^vifdiag> *$' &&
			tm send-keys -t "=hist:" -l exit && tm send-keys -t "=hist:" Enter
		i=0
		while [ ! -s "$T/sh.rc" ] && [ $i -lt 200 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		if [ "$(cat "$T/sh.rc" 2>/dev/null)" = 0 ] && [ "$(wc -l <"$T/sh.err")" = 1 ] &&
			grep -q "^vifdiag: warning: cannot write the history .*: $2\$" "$T/sh.err"; then
			ok "shell, history $1: one warning, exit 0 ($(cat "$T/sh.err"))"
		else
			nok "shell, history $1: exit '$(cat "$T/sh.rc" 2>/dev/null)'"
			sed 's/^/# /' "$T/sh.err" 2>/dev/null | head -5
			tm capture-pane -p -t "=hist:" 2>/dev/null | grep -v '^$' | sed 's/^/# | /'
		fi
	}
	: >"$T/afile"
	histcheck "below a regular file" "Not a directory" "sh $T/hist.sh $T/afile/state"
	mkdir -p "$T/st/vifdiag" && ln -s /dev/full "$T/st/vifdiag/history"
	histcheck "on /dev/full" "No space left on device" "sh $T/hist.sh $T/st"
	if unshare -m mount -t tmpfs -o size=1m vdfull "$D" 2>/dev/null; then
		histcheck "on a full disk" "No space left on device" \
			"unshare -m sh -c 'mount -t tmpfs -o size=1m vdfull $D && dd if=/dev/zero of=$D/fill bs=64k 2>/dev/null; exec sh $T/hist.sh $D/state'"
	fi
	tm kill-server 2>/dev/null
else
	echo "# tmux not installed: the shell's history cases skipped"
fi

# watch prints its summary of every VIF when Ctrl-C (SIGINT after 3 s) ends it
for mode in closed full pipe; do
	check "watch (live)" $mode timeout --preserve-status -s INT 3 "$BIN" watch
	check "watch --json (live)" $mode timeout --preserve-status -s INT 3 "$BIN" watch --json
done
finish
