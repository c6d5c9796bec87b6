#!/bin/sh
# Read-only, proved on the binary and on the wire.
# 1. The dynamic imports of the linked binaries (BUILD_DIR's and the release build/vifdiag,
#    built here if missing): every libxenstore function must be one of the read-only ones
#    (open/close, directory/read, transactions, watches, fileno, path helpers); no libxl
#    mutator (domain create/destroy/pause/..., device add/remove, set_*). A program that
#    imports xs_write and xs_rm must fail the same check.
# 2. The test xenstored's per-program request counts (--client-stats): across a whole
#    make check, tests/run.sh points every vd-xenstored at VD_XSD_STATS_DIR and this suite
#    (run last) sums them: requests from `vifdiag` connections must only be reads,
#    directory listings, transactions and watches. Run alone, it makes its own: status,
#    show and watch against a store another client writes to, which must show up as that
#    client's, not vifdiag's.
set -u
LIB=$(cd "$(dirname "$0")" && pwd)/lib.sh
B=${1:?usage: tests/readonly.sh BUILD_DIR}
B=$(cd "$B" && pwd)
cd "$(dirname "$0")/.." || exit 2
. "$LIB"

XS_OK='^xs_(open|close|directory|read|transaction_start|transaction_end|watch|unwatch|read_watch|check_watch|fileno|daemon_socket|path_is_subpath)$'
XL_BAD='^libxl_(domain_(create|destroy|pause|unpause|shutdown|reboot|suspend|resume|rename|soft_reset|remus|setmaxmem|set_).*|device_.*_(add|remove|destroy|safe_remove)|set_.*|.*setmem.*|send_.*|cpupool_.*(create|destroy|add|remove|rename|move).*|sched_.*_set.*|.*trigger.*|.*_(write|retrieve|wait_for_.*)|userdata_(store|unlink)|vcpu_set.*|psr_.*_set.*|flask_.*(load|set).*)$'
XL_OK='^libxl_(ctx_(alloc|free)|.*_list(_free)?|list_[a-z_]*|.*_to_string|.*_(init|dispose)|domain_info|dominfo_.*|.*_to_json|name_to_domid|domid_to_name|get_(version_info|physinfo|max_cpus|free_memory|scheduler)|.*_getinfo)$'
# ops a vifdiag connection may send
OPS_OK='^(READ|DIRECTORY|DIRECTORY_PART|TRANSACTION_START|TRANSACTION_END|WATCH|UNWATCH)$'

imports_bad() { # BINARY: prints the imports that are not read-only
	nm -D --undefined-only "$1" | awk '{print $2}' | sed 's/@.*//' |
		grep -E '^(xs_|libxl_)' | while read -r s; do
		case $s in
		xs_*) echo "$s" | grep -Eq "$XS_OK" || echo "$s" ;;
		libxl_*)
			if echo "$s" | grep -Eq "$XL_BAD" || ! echo "$s" | grep -Eq "$XL_OK"; then
				echo "$s"
			fi
			;;
		esac
	done
}

check_binary() { # NAME BINARY
	if [ ! -x "$2" ]; then
		nok "$1: $2 missing"
		return
	fi
	n=$(nm -D --undefined-only "$2" | grep -Ec ' (xs_|libxl_)')
	bad=$(imports_bad "$2")
	if [ "$n" -eq 0 ]; then
		nok "$1: no libxenstore import at all: is it linked dynamically?"
	elif [ -z "$bad" ]; then
		ok "$1: its $n libxenstore/libxl imports are all read-only"
	else
		nok "$1: imports mutators:" $bad
	fi
}

# the release binary as make builds it
if [ ! -x build/vifdiag ] || [ -n "$(find src include -newer build/vifdiag | head -1)" ]; then
	make -s --no-print-directory all >"$T/make.log" 2>&1 || sed 's/^/# /' "$T/make.log"
fi
check_binary "release build/vifdiag" build/vifdiag
check_binary "$(basename "$B")/vifdiag" "$B/vifdiag"

# the check must be able to fail
XS_CFLAGS=$(pkg-config --cflags xenstore 2>/dev/null)
XS_LIBS=$(pkg-config --libs xenstore 2>/dev/null || echo -lxenstore)
# shellcheck disable=SC2086
if cc $XS_CFLAGS -o "$T/mutator" tests/readonly/mutator.c $XS_LIBS 2>"$T/cc.log"; then
	bad=$(imports_bad "$T/mutator" | tr '\n' ' ')
	case $bad in
	*xs_write*xs_rm* | *xs_rm*xs_write*) ok "the import check catches a mutator: $bad" ;;
	*) nok "the import check missed xs_write/xs_rm in a program that imports them ($bad)" ;;
	esac
else
	nok "cannot build tests/readonly/mutator.c"
	sed 's/^/# /' "$T/cc.log"
fi

# ---- the request counts ----

sum_clients() { # DIR: "<program> <OP> <total>" over every daemon's file
	cat "$1"/*.clients 2>/dev/null | awk '{s[$1 " " $2] += $3} END {for (k in s) print k, s[k]}' |
		sort
}

check_counts() { # NAME DIR
	sum_clients "$2" >"$T/sum"
	awk '$1 == "vifdiag"' "$T/sum" >"$T/vd"
	total=$(awk '{s += $3} END {print s + 0}' "$T/vd")
	bad=$(awk '{print $2}' "$T/vd" | grep -Ev "$OPS_OK")
	if [ "$total" -eq 0 ]; then
		nok "$1: no request from vifdiag counted at all"
	elif [ -z "$bad" ]; then
		ok "$1: $total requests from vifdiag connections, none mutating ($(awk '{printf "%s%s %s", (NR > 1 ? ", " : ""), $2, $3}' "$T/vd"))"
	else
		nok "$1: vifdiag sent" $bad
		sed 's/^/# /' "$T/vd"
	fi
}

XSD=$B/vd-xenstored
own=$T/own
mkdir -p "$own"
"$XSD" --socket "$T/sock" --pidfile "$T/pid" --tree tests/fixtures/healthy-single-queue/tree.txt \
	--client-stats "$own/one.clients" 2>"$T/xsd.err" &
xpid=$!
i=0
while [ ! -s "$T/pid" ] && [ $i -lt 200 ]; do
	i=$((i + 1))
	sleep 0.05
done
export XENSTORED_PATH="$T/sock"
"$B/vifdiag" status >/dev/null 2>&1
"$B/vifdiag" show --json >/dev/null 2>&1
timeout -k 20 -s INT 2 "$B/vifdiag" watch --json >/dev/null 2>&1 &
wpid=$!
sleep 0.5
"$T/mutator" /local/domain/1/device/vif/0/state 5 rm >/dev/null 2>&1
wait "$wpid"
kill "$xpid" 2>/dev/null
wait "$xpid" 2>/dev/null
unset XENSTORED_PATH
if awk '$1 == "mutator" && ($2 == "WRITE" || $2 == "RM")' "$own/one.clients" | grep -q .; then
	ok "client counts: another program's WRITE and RM are counted as its own"
else
	nok "client counts: the mutator's WRITE/RM are missing"
	sed 's/^/# /' "$own/one.clients" "$T/xsd.err"
fi
check_counts "status, show, watch against a store being written" "$own"

if [ -n "${VD_XSD_STATS_DIR:-}" ]; then
	nfiles=$(ls "$VD_XSD_STATS_DIR"/*.clients 2>/dev/null | wc -l)
	echo "# $nfiles test xenstored runs in this make check"
	check_counts "whole make check ($nfiles daemons)" "$VD_XSD_STATS_DIR"
	sed 's/^/# /' "$T/sum"
fi
finish
