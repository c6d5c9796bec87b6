#!/bin/sh
# `vifdiag top -b` live: the test xenstored serves the host-linux-bridge tree, a temporary
# copy of its sysfs gets new counters between two frames (real file I/O), and the second
# frame must show the rate on the right VIF, in the right direction (netdev tx = guest rx),
# and on the right queue. Then: a counter that went back, SIGTERM, usage errors, and only
# read requests at the server. Golden frames over the fixtures are in tests/golden.sh.
set -u
LIB=$(cd "$(dirname "$0")" && pwd)/lib.sh
B=${1:?usage: tests/top.sh BUILD_DIR}
B=$(cd "$B" && pwd)
cd "$(dirname "$0")/.." || exit 2
. "$LIB"
BIN=$B/vifdiag
XSD=$B/vd-xenstored
FIX=tests/fixtures/host-linux-bridge
TO="timeout --foreground -k 5"
XPID=
cleanup() {
	[ -n "$XPID" ] && kill "$XPID" 2>/dev/null && wait "$XPID" 2>/dev/null
	[ -n "${WPID:-}" ] && kill "$WPID" 2>/dev/null && wait "$WPID" 2>/dev/null
	tmux -S "$T/tmux" kill-server 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

# the value of column COL (1-based) in the row of DOM/DEV of frame N of FILE
cellof() { # FILE N DOM DEV COL
	awk -v n="$2" -v d="$3" -v v="$4" -v c="$5" '
		/^frame /{f++; next} f == n && $2 == d && $3 == v { print $c; exit }' "$1"
}
bump() { # FILE DELTA
	echo $(($(cat "$1") + $2)) >"$1.new" && mv "$1.new" "$1"
}

rm -f "$T/pid"
$TO 120 "$XSD" --socket "$T/sock" --pidfile "$T/pid" --tree "$FIX/tree.txt" \
	--stats "$T/stats" 2>"$T/xsd.err" &
XPID=$!
wait_for "$T/pid" . 10 || nok "test xenstored did not start"
export XENSTORED_PATH="$T/sock"
cp -a "$FIX/sysfs" "$T/sysfs"
ST=$T/sysfs/sys/class/net/vif1.0/statistics

# --- two frames, traffic between them ------------------------------------------------
NO_COLOR=1 $TO 60 "$BIN" --sysfs-root "$T/sysfs" top -b -n 2 -d 2 >"$T/out" 2>"$T/err" &
P=$!
if wait_for "$T/out" '^frame 1' 20; then
	bump "$ST/tx_bytes" 10000
	bump "$ST/tx_packets" 10
	bump "$ST/rx_dropped" 4
	# vif1.0 queue 1's tx line: 5 -> 45 events
	sed -i 's/^\( 49: *\)5 /\145 /' "$T/sysfs/proc/interrupts"
fi
wait "$P"
rc=$?
[ $rc = 0 ] && ok "top -b -n 2 live: exit 0" || { nok "top -b -n 2 live: exit $rc"; sed 's/^/# /' "$T/err"; }
[ "$(grep -c '^frame ' "$T/out")" = 2 ] && ok "live: two frames" || nok "live: not two frames"
[ "$(cellof "$T/out" 1 1 0 10)" = 16 ] && [ "$(cellof "$T/out" 1 1 0 11)" = 1392 ] &&
	ok "live: frame 1 shows the totals of vif1.0 (guest rx = netdev tx)" ||
	{ nok "live: frame 1 totals"; sed 's/^/# /' "$T/out"; }
r=$(cellof "$T/out" 2 1 0 11)
# 10000 bytes over at least the 2 s interval: above 0, at most 5000 per second
if [ -n "$r" ] && [ "$r" != - ] && awk -v r="$r" 'BEGIN { exit !(r > 0 && r <= 5000) }'; then
	ok "live: frame 2 guest rx bytes/s of vif1.0 from the new counter ($r)"
else
	nok "live: frame 2 guest rx bytes/s '$r'"
	sed 's/^/# /' "$T/out"
fi
[ "$(cellof "$T/out" 2 1 0 15)" = 0 ] && [ "$(cellof "$T/out" 2 1 0 14)" = 0 ] &&
	ok "live: guest tx of vif1.0 stays 0 (the direction is as the guest sees it)" ||
	nok "live: guest tx columns of vif1.0 moved"
d=$(cellof "$T/out" 2 1 0 17)
[ -n "$d" ] && [ "$d" != 0 ] && [ "$d" != - ] && ok "live: guest tx drops/s of vif1.0 ($d)" ||
	nok "live: guest tx drops/s '$d'"
[ "$(cellof "$T/out" 2 1 1 11)" = 0 ] && ok "live: vif1.1 idle: 0 bytes/s" ||
	nok "live: vif1.1 not idle"
ev=$(awk '/^frame 2/{f=1} f && $2 == 1 && $3 == 0 { print $(NF-1), $NF }' "$T/out")
case $ev in "q0:0 q1:"[1-9]*) ok "live: the hot queue is q1 ($ev)" ;;
*) nok "live: queue events '$ev'" ;; esac

# --- a counter that went back: no rate ------------------------------------------------
NO_COLOR=1 $TO 60 "$BIN" --sysfs-root "$T/sysfs" top -b -n 2 -d 1 >"$T/out2" 2>&1 &
P=$!
wait_for "$T/out2" '^frame 1' 20 && echo 3 >"$ST/tx_packets"
wait "$P"
[ "$(cellof "$T/out2" 2 1 0 10)" = - ] && [ "$(cellof "$T/out2" 2 1 1 10)" = 0 ] &&
	ok "a netdev whose counters went back has no rate for one frame" ||
	{ nok "counter reset"; sed 's/^/# /' "$T/out2"; }

# --- no -n: runs until SIGTERM, then exits 0 ------------------------------------------
NO_COLOR=1 $TO 60 "$BIN" --sysfs-root "$T/sysfs" top -b -d 0.2 >"$T/out3" 2>&1 &
P=$!
wait_for "$T/out3" '^frame 3' 30
kill -TERM "$P"
wait "$P"
rc=$?
[ $rc = 0 ] && grep -q '^frame 3' "$T/out3" && ok "top -b without -n: frames until SIGTERM, exit 0" ||
	nok "top -b SIGTERM: exit $rc"

# --- usage --------------------------------------------------------------------------
for a in "top -b -d 0.05" "top -b -d x" "top -b -n 0" "top -b -d 1.2345" "status -b" "top -b 1"; do
	# shellcheck disable=SC2086
	"$BIN" --from "$FIX/tree.txt" $a >/dev/null 2>"$T/uerr"
	rc=$?
	[ $rc = 2 ] && [ -s "$T/uerr" ] && ok "usage: '$a' exits 2" || nok "usage: '$a' exit $rc"
done

# --- the full screen in tmux ---------------------------------------------------------
TM="tmux -S $T/tmux"
tcleanup() { $TM kill-server 2>/dev/null; }
screen() { $TM capture-pane -p -t "=$1:" 2>/dev/null; }
escreen() { $TM capture-pane -e -p -t "=$1:" 2>/dev/null; }
swait() { # NAME ERE [e]: the screen (with attributes when e) matches within ~20 s (SWAIT tenths)
	i=0
	while [ $i -lt "${SWAIT:-200}" ]; do
		if [ "${3:-}" = e ]; then escreen "$1"; else screen "$1"; fi | grep -Eq -- "$2" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
scheck() { # NAME WHAT ERE
	if swait "$1" "$3"; then ok "$2"; else nok "$2"; screen "$1" | grep -v '^$' | sed 's/^/# | /'; fi
}
# a pane running top: pid in $T/NAME.pid, terminal settings before and after in NAME.stty*
tui() { # NAME TERM EXTRA-ENV ARGS
	$TM kill-session -t "=$1:" 2>/dev/null
	$TM new-session -d -s "$1" -x 200 -y 30 "stty -g >$T/$1.stty0; env XENSTORED_PATH=${SOCK:-$T/sock} TERM=$2 $3 sh -c 'echo \$\$ >$T/$1.pid; exec $BIN --sysfs-root $T/sysfs top $4' 2>$T/$1.err; echo EXIT=\$?; stty -g >$T/$1.stty1; sleep 60"
}
# the Closing row carries bold or underline (SGR 1 or 4; colours are 3x)
hl_closing() {
	escreen a | grep Closing | grep -Eq "$(printf '\033')\\[([0-9;]*;)?[14](;[0-9;]*)?m"
}
# restored PANE HOW: after top ended by HOW, its screen is gone and stty is as before
restored() {
	screen "$1" | grep -q "vifdiag top:" && nok "tui: screen not restored after $2" ||
		ok "tui: screen restored after $2"
	cmp -s "$T/$1.stty0" "$T/$1.stty1" && ok "tui: terminal settings restored after $2" ||
		nok "tui: stty differs after $2"
}
if command -v tmux >/dev/null; then
	kill -TERM "$XPID" && wait "$XPID"
	cat "$T/stats" >"$T/stats.batch"
	$TO 120 "$XSD" --socket "$T/sock" --pidfile "$T/pid" --tree "$FIX/tree.txt" \
		--scenario tests/top/state-change.scn --stats "$T/stats" 2>"$T/xsd.err" &
	XPID=$!
	wait_for "$T/pid" . 10
	tui a xterm-256color "" "-d 2"
	scheck a "tui: both VIFs shown, vif 1/1 Connected" "^domu1 +1 +1 +Connected +Connected"
	# the scenario's frontend write lands within one refresh, highlighted (bold, underlined)
	if swait a "^domu1 +1 +1 +Closing"; then
		if hl_closing; then ok "tui: the frontend's Closing appears highlighted"
		else nok "tui: Closing not highlighted"; escreen a | cat -v | sed 's/^/# | /' | head; fi
		i=0
		while hl_closing && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
		hl_closing && nok "tui: highlight stays" || ok "tui: the highlight lasts one refresh"
	else
		nok "tui: the state change never appeared"; screen a | sed 's/^/# | /'
	fi
	escreen a | grep -q "$(printf '\033')\[3[12]m" && ok "tui: verdicts coloured" ||
		nok "tui: no colour"
	# sort by DEV (two columns right), reversed: vif 1 first
	$TM send-keys -t a '>' '>' 'r'
	scheck a "tui: sort by DEV reversed" "DEV\^"
	screen a | awk '/^DOMAIN/{getline; print; exit}' | grep -Eq '^domu1 +1 +1 ' &&
		ok "tui: rows in reversed DEV order" || { nok "tui: row order"; screen a | sed 's/^/# | /'; }
	$TM send-keys -t a '<' '<' 'r'
	scheck a "tui: sort back by DOMAIN" "DOMAINv"
	screen a | awk '/^DOMAIN/{getline; print; exit}' | grep -Eq '^domu1 +1 +0 ' &&
		ok "tui: rows in DOMAIN, devid order" || nok "tui: row order after sort back"
	# Enter: the show view of the selected VIF (the second row after Down)
	$TM send-keys -t a Down Enter
	scheck a "tui: Enter shows the show view of vif 1/1" "^domu1 \(domid 1\) vif 1: "
	$TM send-keys -t a q
	scheck a "tui: q leaves the show view" "^DOMAINv"
	$TM send-keys -t a / C l o s Enter
	scheck a "tui: / filters (1 of 2 VIFs)" "1 of 2 VIFs, .*filter: Clos"
	screen a | grep -q "^domu1 +1 +0 " && nok "tui: filtered-out row still shown" ||
		ok "tui: the filtered-out row is gone"
	$TM send-keys -t a q
	scheck a "tui: q exits 0" "^EXIT=0"
	restored a q
	[ -s "$T/a.err" ] && { nok "tui: stderr"; sed 's/^/# /' "$T/a.err" | head; }

	tui b linux NO_COLOR=1 "-d 1"
	scheck b "tui: TERM=linux full screen" "^vifdiag top: 2 of 2"
	escreen b | grep -q "$(printf '\033')\[3[12]m" && nok "tui: colour despite NO_COLOR" ||
		ok "tui: NO_COLOR: no colour"
	kill -TERM "$(cat "$T/b.pid")"
	scheck b "tui: SIGTERM exits 0" "^EXIT=0"
	restored b SIGTERM

	tui c xterm-256color "" "-d 1"
	swait c "^vifdiag top:"
	$TM resize-window -t c -x 100 -y 20 2>/dev/null || $TM resize-pane -t c -x 100 -y 20
	$TM send-keys -t c C-c
	scheck c "tui: SIGWINCH then Ctrl-C: exit 0" "^EXIT=0"
	screen c | grep -q "vifdiag top:" && nok "tui: screen not restored after Ctrl-C" ||
		ok "tui: screen restored after Ctrl-C"

	# the crash path: a fatal signal still restores the screen and the terminal settings,
	# then goes on to the handler that was there before top's: the default (the exit
	# status stays the signal's, 128 + 11) or, in a sanitizer build, ASan's report
	tui e xterm-256color "" "-d 1"
	swait e "^vifdiag top:"
	kill -SEGV "$(cat "$T/e.pid")"
	if ldd "$BIN" 2>/dev/null | grep -q libasan; then
		scheck e "tui: SIGSEGV: ASan's handler still reports it" "^EXIT=1$"
		grep -q "AddressSanitizer.*SEGV" "$T/e.err" && ok "tui: SIGSEGV: ASan's report" ||
			nok "tui: SIGSEGV: no ASan report: $(head -c 300 "$T/e.err")"
	else
		scheck e "tui: SIGSEGV: dies of the signal" "^EXIT=139"
	fi
	restored e SIGSEGV

	tui d dumb "" "-n 1"
	scheck d "tui: TERM=dumb: plain-text frames instead" "^frame 1: 2 VIFs"

	# --- refreshes on xenstore changes: the watch source, in a thread of top's ---
	# each on a server of its own, whose request counts are this top's alone
	wsrv() { # [--scenario FILE]
		rm -f "$T/wpid"
		$TO 120 "$XSD" --socket "$T/wsock" --pidfile "$T/wpid" --tree "$FIX/tree.txt" \
			--stats "$T/wstats" "$@" 2>"$T/wxsd.err" &
		WPID=$!
		wait_for "$T/wpid" . 10
	}
	wend() {
		kill -TERM "$WPID" && wait "$WPID"
		WPID=
		cat "$T/wstats" >>"$T/stats.watch"
	}
	# top's refreshes: the connections that read the store in a transaction, other than
	# the watch's (the one with WATCH requests)
	refreshes() {
		awk '$1 ~ /^A[0-9]+$/ { if ($2 == "TRANSACTION_START") t[$1] = 1; if ($2 == "WATCH") w[$1] = 1 }
			END { n = 0; for (c in t) if (!(c in w)) n++; print n }' "$T/wstats"
	}
	wsrv --scenario tests/top/watch-burst.scn
	SOCK=$T/wsock tui w xterm-256color "" "-d 30"
	scheck w "tui live: refreshed every -d 30 and on changes" "^vifdiag top: .*every 30.0s and on changes"
	# the burst starts 3 s after top's watch is set: its last write (Closing) must be on
	# the screen long before the 30 s interval would bring it
	if SWAIT=100 swait w "^domu1 +1 +1 +Closing"; then
		ok "tui live: a xenstore change is on the screen within 10 s at -d 30"
	else nok "tui live: the change did not come with the watch"; screen w | sed 's/^/# | /'; fi
	sleep 1
	$TM send-keys -t w q
	scheck w "tui live: q exits 0 (the watch thread ends)" "^EXIT=0"
	wend
	n=$(refreshes)
	[ "$n" -ge 2 ] && [ "$n" -le 5 ] &&
		ok "tui live: a burst of 101 writes is a few refreshes ($n with the first frame), not one per write" ||
		{ nok "tui live: $n refreshes for a burst of 101 writes"; sed 's/^/# /' "$T/wstats"; }
	[ -s "$T/w.err" ] && { nok "tui live: stderr"; sed 's/^/# /' "$T/w.err" | head; }

	wsrv
	SOCK=$T/wsock tui i xterm-256color "" "-d 30"
	swait i "and on changes"
	sleep 4
	# xenstored goes away and comes back: said on the screen, and the watch reconnects
	kill -TERM "$WPID" && wait "$WPID"
	cat "$T/wstats" >>"$T/stats.watch"
	n=$(refreshes)
	[ "$n" = 1 ] && ok "tui live: idle, no refresh without a change (1 frame in 4 s at -d 30)" ||
		{ nok "tui live: $n refreshes while idle"; sed 's/^/# /' "$T/wstats"; }
	scheck i "tui live: xenstored gone: said in the header" "xenstored went away: reconnecting"
	wsrv
	scheck i "tui live: xenstored back: the watch is on again" "every 30.0s and on changes"
	$TM send-keys -t i q
	scheck i "tui live: q exits 0 after a reconnection" "^EXIT=0"
	wend

	# a dump does not change: no watch, and nothing asked of a live server
	wsrv
	SOCK=$T/wsock tui f xterm-256color "" "--from $FIX/tree.txt -d 30"
	scheck f "tui --from: the interval only" "^vifdiag top: 2 of 2 VIFs, every 30.0s, "
	$TM send-keys -t f q
	scheck f "tui --from: q exits 0" "^EXIT=0"
	wend
	grep -q '^A' "$T/wstats" && nok "tui --from: requests to the live server" || ok "tui --from: no request to the live server"
	tcleanup
else
	nok "tmux is not installed"
fi

# --- read-only ---------------------------------------------------------------------
kill -TERM "$XPID" && wait "$XPID"
XPID=
if [ -s "$T/stats" ] && ! cat "$T/stats" "$T/stats.batch" "$T/stats.watch" 2>/dev/null | awk '$1 ~ /^A[0-9]+$/' |
	grep -Ev ' (DIRECTORY|READ|WATCH|UNWATCH|TRANSACTION_START|TRANSACTION_END) ' >"$T/bad"; then
	ok "top only read the store"
else
	nok "top sent other requests than reads"
	sed 's/^/# /' "$T/bad" "$T/stats" 2>/dev/null | head
fi
finish
