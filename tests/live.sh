#!/bin/sh
# Live tests: every fixture tree is loaded into the test xenstored (tests/xsd), and vifdiag,
# through the real libxenstore (XENSTORED_PATH), must print what it prints for the same tree
# read with --from. The server's request counts then prove vifdiag stayed read-only, never
# asked for permissions, and read no node twice.
set -u
LIB=$(cd "$(dirname "$0")" && pwd)/lib.sh
B=${1:?usage: tests/live.sh BUILD_DIR}
B=$(cd "$B" && pwd)
cd "$(dirname "$0")/fixtures" || exit 2
BIN=$B/vifdiag
XSD=$B/vd-xenstored
. "$LIB"
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT


start_server() { # TREE
	rm -f "$T/pid" "$T/stats" "$T/access.log"
	"$XSD" --socket "$T/sock" --pidfile "$T/pid" --tree "$1" --stats "$T/stats" \
		--access-log "$T/access.log" 2>"$T/xsd.err" &
	pid=$!
	i=0
	while [ ! -s "$T/pid" ]; do
		i=$((i + 1))
		if [ $i -gt 200 ] || ! kill -0 "$pid" 2>/dev/null; then
			sed 's/^/# /' "$T/xsd.err"
			pid=""
			return 1
		fi
		sleep 0.05
	done
}

stop_server() {
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	pid=""
}

normalise() { # drop what differs by design between a dump and the live store
	case $1 in
	# the reason for missing host facts names the source ("offline dump" vs "not a Xen domain")
	*--json*) jq -S 'del(.source) | del(.vifs[].host_unavailable)' ;;
	# top's notes say why there is no traffic: the same reason as host_unavailable above
	top*) grep -v '^note: ' ;;
	*) cat ;;
	esac
}

for dir in */; do
	c=${dir%/}
	[ -f "$c/tree.txt" ] && [ -f "$c/cases" ] || continue
	[ -e "$c/offline-only" ] && continue
	if ! start_server "$c/tree.txt"; then
		nok "$c: test xenstored did not start"
		continue
	fi
	grep -v '^[[:space:]]*\(#\|$\)' "$c/cases" >"$T/cases"
	while read -r name want args; do
		case $args in *--raw*) continue ;; esac # a live read asks for no permissions
		# shellcheck disable=SC2086
		(cd "$c" && XENSTORED_PATH="$T/sock" NO_COLOR=1 timeout 20 "$BIN" $args >"$T/live" 2>"$T/err")
		rc=$?
		# shellcheck disable=SC2086
		(cd "$c" && NO_COLOR=1 "$BIN" --from tree.txt $args >"$T/off" 2>/dev/null)
		if [ "$rc" != "$want" ]; then
			nok "$c/$name live: exit $rc, expected $want"
			sed 's/^/# /' "$T/err"
		elif ! normalise "$args" <"$T/off" >"$T/off.n" || ! normalise "$args" <"$T/live" >"$T/live.n" ||
			! diff -u "$T/off.n" "$T/live.n" >"$T/diff"; then
			nok "$c/$name live: differs from --from"
			head -30 "$T/diff" | sed 's/^/# /'
		else
			ok "$c/$name live equals --from"
		fi
	done <"$T/cases"
	stop_server
	# every A<n> connection is one vifdiag run
	if [ ! -s "$T/stats" ]; then
		nok "$c: no stats file"
		continue
	fi
	if grep -E '^A[0-9]+ (WRITE|MKDIR|RM|SET_PERMS|RESET_WATCHES|INTRODUCE|RELEASE|SET_TARGET) ' "$T/stats" >"$T/bad"; then
		nok "$c: vifdiag sent mutating requests"
		sed 's/^/# /' "$T/bad"
	else
		ok "$c: no WRITE/MKDIR/RM/SET_PERMS from vifdiag"
	fi
	if grep -E '^A[0-9]+ GET_PERMS ' "$T/stats" >"$T/bad"; then
		nok "$c: vifdiag asked for permissions"
		sed 's/^/# /' "$T/bad"
	else
		ok "$c: no GET_PERMS"
	fi
	reads=$(awk '$2 == "READ" {s += $3} END {print s + 0}' "$T/stats")
	if [ "$reads" -gt 0 ]; then ok "$c: $reads reads counted"; else nok "$c: the server saw no READ"; fi
	# no node read twice by one connection (the access log has one line per read)
	awk '$3 == "read" {print $2, $4}' "$T/access.log" | sed 's/\.[0-9]* / /' | sort | uniq -d >"$T/dup"
	if [ -s "$T/dup" ]; then
		nok "$c: a node was read twice by one run"
		head -5 "$T/dup" | sed 's/^/# /'
	else
		ok "$c: no node read twice"
	fi
	# no DIRECTORY on a known leaf key that holds a value (tests/tools/leaf-dirs.awk)
	awk '$3 == "directory" {print $4}' "$T/access.log" |
		awk -f ../tools/leaf-dirs.awk "$c/tree.txt" - >"$T/leafdirs"
	if [ -s "$T/leafdirs" ]; then
		nok "$c: DIRECTORY on a known leaf with a value"
		head -5 "$T/leafdirs" | sed 's/^/# /'
	else
		ok "$c: no DIRECTORY on a known leaf with a value"
	fi
done

# Vifdiag's own counts on a known tree, from the server's side: one transaction, which
# committed, and as many READs as the nodes it walked (nothing else asked twice).
if start_server healthy-single-queue/tree.txt; then
	XENSTORED_PATH="$T/sock" "$BIN" status >/dev/null 2>&1
	stop_server
	ts=$(awk '$2 == "TRANSACTION_START" {s += $3} END {print s + 0}' "$T/stats")
	te=$(awk '$2 == "TRANSACTION_END" {s += $3} END {print s + 0}' "$T/stats")
	if [ "$ts" = 1 ] && [ "$te" = 1 ]; then ok "one transaction for a status run"
	else nok "status run: $ts TRANSACTION_START, $te TRANSACTION_END"; sed 's/^/# /' "$T/stats"; fi
fi

# Requests per node on a generated host (scripts/gen-host.py: 20 domains x 2 VIFs x 4
# queues) against xenstore-ls -fp of the same subtrees (VIFs, and the vCPUs that the
# multi-queue rules read), which asks DIRECTORY, READ and
# GET_PERMS per node: status stays at or under 0.4 of it (deterministic counts).
python3 ../../scripts/gen-host.py 20 2 4 >"$T/h20.txt"
if start_server "$T/h20.txt"; then
	XENSTORED_PATH="$T/sock" "$BIN" status >/dev/null 2>&1
	stop_server
	vd=$(awk '$1 ~ /^A/ {s += $3} END {print s + 0}' "$T/stats")
	if start_server "$T/h20.txt"; then
		for d in $(seq 1 20); do
			XENSTORED_PATH="$T/sock" xenstore-ls -fp /local/domain/$d/device/vif >/dev/null
			XENSTORED_PATH="$T/sock" xenstore-ls -fp /local/domain/$d/cpu >/dev/null
		done
		XENSTORED_PATH="$T/sock" xenstore-ls -fp /local/domain/0/backend/vif >/dev/null
		stop_server
		ls=$(awk '$1 ~ /^A/ {s += $3} END {print s + 0}' "$T/stats")
		if [ "$ls" -gt 1000 ] && [ $((vd * 10)) -le $((ls * 4)) ]; then
			ok "status on 20 domains: $vd requests, <= 0.4 x xenstore-ls -fp ($ls)"
		else
			nok "status on 20 domains: $vd requests vs xenstore-ls -fp $ls (bound 0.4x)"
		fi
	fi
fi

finish
