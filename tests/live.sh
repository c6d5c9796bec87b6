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
	xsd_wait "$pid" || { pid=""; return 1; }
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

# Vifdiag's own counts on a known tree, from the server's side: one transaction per
# domain and one for /xapi, each committed (the JSON says none was read again).
if start_server healthy-single-queue/tree.txt; then
	XENSTORED_PATH="$T/sock" "$BIN" status --json >"$T/st.json" 2>&1
	stop_server
	nd=$(sed -n 's,^/local/domain/\([0-9]*\)[/ ].*,\1,p' healthy-single-queue/tree.txt | sort -u | wc -l)
	ts=$(awk '$2 == "TRANSACTION_START" {s += $3} END {print s + 0}' "$T/stats")
	te=$(awk '$2 == "TRANSACTION_END" {s += $3} END {print s + 0}' "$T/stats")
	if [ "$ts" = $((nd + 1)) ] && [ "$te" = "$ts" ] && [ "$(jq -c .source.reread "$T/st.json")" = "[]" ]; then
		ok "status run: one transaction per domain ($nd) and one for /xapi"
	else nok "status run: $ts TRANSACTION_START, $te TRANSACTION_END for $nd domains"; sed 's/^/# /' "$T/stats"; fi
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


# Selective reads (status/show/check DOM: only those domains' subtrees, one transaction per
# domain). For every fixture and every domain in it, `show --json D` must give exactly the
# VIFs of D that the full walk (`show --json`) gives, field for field; both read per
# domain (source.reread, empty on a quiet store).
sel_doms() { # TREE: every domid with a domain dir or a backend dir, one per line
	{
		sed -n 's,^/local/domain/\([0-9]*\)[/ ].*,\1,p' "$1"
		sed -n 's,^/local/domain/[0-9]*/backend/vif/\([0-9]*\)[/ ].*,\1,p' "$1"
	} | sort -un
}
sel_compare() { # NAME DIR TREE: the full walk vs each domain's selective read
	[ -d "$2/sysfs" ] && sr="--sysfs-root sysfs" || sr=""
	if ! start_server "$3"; then nok "$1: test xenstored did not start"; return; fi
	# shellcheck disable=SC2086
	(cd "$2" && XENSTORED_PATH="$T/sock" "$BIN" show --json $sr >"$T/full" 2>/dev/null)
	bad=""
	for d in $(sel_doms "$3"); do
		# shellcheck disable=SC2086
		(cd "$2" && XENSTORED_PATH="$T/sock" "$BIN" show --json $sr "$d" >"$T/sel" 2>"$T/selerr")
		rc=$?
		if [ "$rc" = 2 ]; then # no such domain and no VIF of it: the full walk has none either
			[ "$(jq --argjson d "$d" '[.vifs[] | select(.domid == $d)] | length' "$T/full")" = 0 ] ||
				bad="$bad $d(usage error)"
			continue
		fi
		jq -S --argjson d "$d" '{schema, vifs: [.vifs[] | select(.domid == $d)], reread: .source.reread}' "$T/full" >"$T/want"
		jq -S '{schema, vifs, reread: .source.reread}' "$T/sel" >"$T/got" 2>/dev/null
		if ! diff -u "$T/want" "$T/got" >"$T/diff"; then
			bad="$bad $d"
			head -20 "$T/diff" | sed 's/^/# /'
		fi
	done
	stop_server
	if [ -z "$bad" ]; then ok "$1: show --json DOM equals the full walk's VIFs of DOM, every domain"
	else nok "$1: selective read differs for domains$bad"; fi
}
for dir in */; do
	c=${dir%/}
	[ -f "$c/tree.txt" ] && [ ! -e "$c/offline-only" ] || continue
	sel_compare "$c" "$c" "$c/tree.txt"
done

# A lying frontend whose own backend is gone: its backend pointer names domu1's backend
# dir, which only a followed pointer reads; the selection must still say pointer-mismatch
# (without the dir it would be a plain orphan-frontend).
grep -v '^/local/domain/0/backend/vif/2[/ ]' backend-pointer-lie/tree.txt >"$T/liar.txt"
sel_compare "liar without a backend" backend-pointer-lie "$T/liar.txt"
# A backend of domain 2 whose frontend key names domu1's frontend: only reading domain 1
# too shows that this frontend exists and is paired elsewhere (a mismatch, not an orphan).
sed 's,^\(/local/domain/0/backend/vif/2/0/frontend = \)".*",\1"/local/domain/1/device/vif/0",' \
	backend-pointer-lie/tree.txt >"$T/claim.txt"
sel_compare "backend naming another domain's frontend" backend-pointer-lie "$T/claim.txt"
if start_server "$T/liar.txt"; then
	XENSTORED_PATH="$T/sock" "$BIN" show --json 2 >"$T/sel" 2>/dev/null
	XENSTORED_PATH="$T/sock" "$BIN" check --json --interval 0 2 >"$T/chk" 2>/dev/null
	stop_server
	if jq -e '[.vifs[] | select(.domid == 2 and .devid == 0) | .findings[].code] | index("pointer-mismatch")' "$T/sel" >/dev/null &&
		[ "$(jq '.source.reread | length' "$T/sel")" = 0 ] &&
		grep -q pointer-mismatch "$T/chk"; then
		ok "show 2 / check 2: the liar's pointer-mismatch is found with a selection"
	else
		nok "show 2: no pointer-mismatch for the liar (2,0)"
		jq -c '.vifs[] | {domid, devid, verdict, f: [.findings[].code]}' "$T/sel" | sed 's/^/# /'
	fi
fi

# Requests for `status D` depend on the domain, not on the host: the same domain of two
# generated hosts (20 and 200 domains, same shapes) costs the same, and at most half of
# what xenstore-ls -fp asks for its subtrees (its VIFs, vCPUs, dom0's backend dir of it).
python3 ../../scripts/gen-host.py 200 2 4 >"$T/h200.txt"
sel_count() { # TREE ARGS...: requests of one vifdiag run
	t=$1
	shift
	start_server "$t" || return 1
	XENSTORED_PATH="$T/sock" "$BIN" "$@" >/dev/null 2>&1
	stop_server
	awk '$1 ~ /^A/ {s += $3} END {print s + 0}' "$T/stats"
}
n20=$(sel_count "$T/h20.txt" status 10)
n200=$(sel_count "$T/h200.txt" status 10)
if start_server "$T/h200.txt"; then
	XENSTORED_PATH="$T/sock" xenstore-ls -fp /local/domain/10/device/vif >/dev/null
	XENSTORED_PATH="$T/sock" xenstore-ls -fp /local/domain/10/cpu >/dev/null
	XENSTORED_PATH="$T/sock" xenstore-ls -fp /local/domain/0/backend/vif/10 >/dev/null
	stop_server
	ls10=$(awk '$1 ~ /^A/ {s += $3} END {print s + 0}' "$T/stats")
	if [ -n "$n20" ] && [ "$n20" = "$n200" ] && [ "$ls10" -gt 100 ] && [ $((n200 * 2)) -le "$ls10" ]; then
		ok "status 10: $n200 requests on 200 domains, $n20 on 20, xenstore-ls -fp of its subtrees $ls10"
	else
		nok "status 10: $n200 requests on 200 domains, $n20 on 20 (want equal), xenstore-ls -fp $ls10 (bound 0.5x)"
	fi
fi

# Conflicts, deterministically: the server removes a node domain 5's transaction read (its
# name) after the 6th request, so that transaction fails with EAGAIN. With --retries 0 the
# domain is read again without a transaction, with --retries 3 in a second one; either way
# source.reread and the warnings say so, and both of its VIFs are still reported.
python3 ../../scripts/gen-host.py 10 2 2 >"$T/h10.txt"
for r in 0 3; do
	rm -f "$T/pid" "$T/stats"
	"$XSD" --socket "$T/sock" --pidfile "$T/pid" --tree "$T/h10.txt" --stats "$T/stats" \
		--rm-after 6:/local/domain/5/name 2>"$T/xsd.err" &
	pid=$!
	i=0
	while [ ! -s "$T/pid" ] && [ $i -lt 200 ]; do i=$((i + 1)); sleep 0.05; done
	XENSTORED_PATH="$T/sock" "$BIN" status --json --retries $r 5 4 >"$T/sel" 2>"$T/selerr"
	rc=$?
	stop_server
	want=$([ $r = 0 ] && echo true || echo false)
	got=$(jq -c '.source.reread' "$T/sel")
	if [ "$rc" -le 1 ] && [ "$got" = "[{\"domid\":5,\"attempts\":2,\"without_transaction\":$want}]" ] &&
		[ "$(jq '[.vifs[] | select(.domid == 5)] | length' "$T/sel")" = 2 ] &&
		[ "$(jq '[.vifs[] | select(.domid == 4)] | length' "$T/sel")" = 2 ] &&
		[ "$(jq '[.warnings[] | select(startswith("domain 5: "))] | length' "$T/sel")" = 1 ]; then
		ok "--retries $r: a conflicting transaction is reported in source.reread ($got) and a warning"
	else
		nok "--retries $r: exit $rc, source.reread $got"
		jq -c '.warnings' "$T/sel" | sed 's/^/# /'
	fi
done

# reread_of FILE: n (VIFs), rr (the domains source.reread lists) and wr (the domains with
# a warning that they were read again) of a status --json
reread_of() {
	n=$(jq '.vifs | length' "$1" 2>/dev/null)
	rr=$(jq -c '[.source.reread[].domid]' "$1" 2>/dev/null)
	wr=$(jq -c '[.warnings[] | select(test("^domain [0-9]+: ")) | capture("^domain (?<d>[0-9]+)").d | tonumber]' "$1" 2>/dev/null)
}

# A busy host: another client keeps writing into the selected domains' frontends all
# through the read. It must finish, report every VIF of them, and every domain it read
# again has exactly one warning.
python3 ../../scripts/gen-host.py 40 2 4 >"$T/h40.txt"
if start_server "$T/h40.txt"; then
	(
		i=0
		while [ ! -e "$T/stop" ]; do
			i=$((i + 1))
			for d in 3 4 5; do
				XENSTORED_PATH="$T/sock" xenstore-write /local/domain/$d/device/vif/0/busy $i 2>/dev/null
			done
		done
	) &
	wpid=$!
	sleep 0.2
	XENSTORED_PATH="$T/sock" $TO 60 "$BIN" status --json --retries 2 3 4 5 >"$T/sel" 2>"$T/selerr"
	rc=$?
	: >"$T/stop"
	wait "$wpid"
	stop_server
	reread_of "$T/sel"
	if [ "$rc" -le 1 ] && [ "$n" = 6 ] && [ -n "$rr" ] && [ "$rr" = "$wr" ]; then
		ok "busy host: status 3 4 5 finished with all 6 VIFs; re-read domains $rr, one warning each"
	else
		nok "busy host: exit $rc, $n VIFs, re-read $rr, warnings for $wr"
		sed 's/^/# /' "$T/selerr" | head -5
	fi
fi

# The same for a whole 1000-domain status (issue 14's busy host): another client keeps
# writing into other VIFs' nodes and other domains' nodes all through the read. One
# transaction over the whole store would conflict on every attempt and end in a read
# without one; per domain, only the domains written meanwhile are read again. It must
# finish with every VIF, each re-read domain with its warning, at most --retries+1
# transactions and one read without one per domain.
python3 ../../scripts/gen-host.py 1000 2 4 >"$T/h1000.txt"
if start_server "$T/h1000.txt"; then
	rm -f "$T/stop"
	(
		i=0
		while [ ! -e "$T/stop" ]; do
			i=$((i + 1))
			d=$((1 + (i * 37) % 999))
			XENSTORED_PATH="$T/sock" xenstore-write /local/domain/$d/device/vif/1/busy $i \
				/local/domain/$d/data/updated $i 2>/dev/null
		done
	) &
	wpid=$!
	sleep 0.2
	XENSTORED_PATH="$T/sock" $TO 600 "$BIN" status --json --retries 2 >"$T/all" 2>"$T/allerr"
	rc=$?
	: >"$T/stop"
	wait "$wpid"
	stop_server
	reread_of "$T/all"
	maxa=$(jq '[.source.reread[].attempts] | max // 0' "$T/all" 2>/dev/null)
	whole=$(jq '[.warnings[] | select(test("this snapshot was read without one"))] | length' "$T/all" 2>/dev/null)
	if [ "$rc" -le 1 ] && [ "$n" = 2000 ] && [ -n "$rr" ] && [ "$rr" = "$wr" ] &&
		[ "$maxa" -le 4 ] && [ "$whole" = 0 ]; then
		ok "busy host: status of 1000 domains finished with all 2000 VIFs; $(jq '.source.reread | length' "$T/all") domains re-read (at most $maxa attempts), one warning each"
	else
		nok "busy host, 1000 domains: exit $rc, $n VIFs, re-read $rr, warnings for $wr, max attempts $maxa, whole-store warnings $whole"
		sed 's/^/# /' "$T/allerr" | head -5
	fi
fi

# libxl with a selection: libxl_device_nic_list (it reads /libxl/<domid>/device/vif) only for
# the selected domains. There is no hypervisor here, so a stand-in libxl (LD_PRELOAD) lists
# the store's domains and reads each NIC list from the test xenstored over a connection of
# its own: its requests (access log, --stats) are the ones vifdiag made libxl send.
cat >"$T/xlshim.c" <<'SHIM'
#include <stdio.h>
#include <stdlib.h>
#include <libxl.h>
#include <xenstore.h>
static struct xs_handle *xs;
int libxl_ctx_alloc(libxl_ctx **pctx, int version, unsigned flags, xentoollog_logger *lg)
{
	(void)version, (void)flags, (void)lg;
	xs = xs_open(0);
	*pctx = (libxl_ctx *)&xs;
	return xs ? 0 : -1;
}
int libxl_ctx_free(libxl_ctx *ctx)
{
	(void)ctx;
	if (xs)
		xs_close(xs);
	xs = NULL;
	return 0;
}
libxl_dominfo *libxl_list_domain(libxl_ctx *ctx, int *nb)
{
	unsigned n = 0;
	char **d = xs_directory(xs, XBT_NULL, "/local/domain", &n);
	libxl_dominfo *l = calloc(n ? n : 1, sizeof(*l));
	(void)ctx;
	for (unsigned i = 0; i < n; i++)
		l[i].domid = (uint32_t)strtoul(d[i], NULL, 10);
	free(d);
	*nb = (int)n;
	return l;
}
void libxl_dominfo_list_free(libxl_dominfo *l, int n)
{
	(void)n;
	free(l);
}
libxl_device_nic *libxl_device_nic_list(libxl_ctx *ctx, uint32_t domid, int *num)
{
	char p[80];
	unsigned n = 0;
	char **d;
	libxl_device_nic *l = NULL;
	(void)ctx;
	snprintf(p, sizeof(p), "/libxl/%u/device/vif", domid);
	d = xs_directory(xs, XBT_NULL, p, &n);
	if (d && n)
		l = calloc(n, sizeof(*l));
	for (unsigned i = 0; l && i < n; i++) {
		unsigned len = 0, m[6] = { 0 };
		char *mac;
		snprintf(p, sizeof(p), "/libxl/%u/device/vif/%s/mac", domid, d[i]);
		mac = xs_read(xs, XBT_NULL, p, &len);
		if (mac)
			sscanf(mac, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]);
		free(mac);
		for (int k = 0; k < 6; k++)
			l[i].mac[k] = (uint8_t)m[k];
		l[i].devid = atoi(d[i]);
	}
	free(d);
	*num = l ? (int)n : 0;
	return l;
}
void libxl_device_nic_list_free(libxl_device_nic *l, int n)
{
	(void)n;
	free(l);
}
SHIM
# xl_reads ARGS...: "DOMIDS|DIRECTORIES": the domains whose NIC list libxl read (from the access
# log) and the DIRECTORY requests of libxl's connection (from --stats); the JSON in $T/xl.json
xl_reads() {
	start_server "$T/h20.txt" || return 1
	XENSTORED_PATH="$T/sock" LD_PRELOAD="$T/xlshim.so" \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		"$BIN" "$@" --json >"$T/xl.json" 2>/dev/null
	stop_server
	conn=$(awk '$4 ~ "^/libxl/" {print $2; exit}' "$T/access.log" | sed 's/\..*//')
	doms=$(awk '$3 == "directory" && $4 ~ "^/libxl/[0-9]+/device/vif$" {split($4, a, "/"); print a[3]}' \
		"$T/access.log" | sort -n | tr '\n' ' ')
	dirs=$(awk -v c="$conn" '$1 == c && $2 == "DIRECTORY" {print $3}' "$T/stats")
	echo "$doms|$dirs"
}
if cc -shared -fPIC -o "$T/xlshim.so" "$T/xlshim.c" $(pkg-config --cflags xenlight) -lxenstore 2>"$T/cc.err" &&
	ldd "$BIN" | grep -q libxenlight; then
	all=$(xl_reads status)
	all_listed=$(jq '[.vifs[] | select(.libxl.listed)] | length' "$T/xl.json")
	for args in "status 10" "show 10/1" "check --interval 0 10"; do
		# shellcheck disable=SC2086
		got=$(xl_reads $args)
		listed=$(jq -c '[.vifs[] | select(.domid == 10) | .libxl.listed]' "$T/xl.json")
		if [ "$got" = "10 |2" ] && [ "$all" = "$(seq -s ' ' 0 20) |22" ] &&
			[ "$all_listed" = 40 ] && case $args in
			show*) [ "$listed" = "[true]" ] ;;
			status*) [ "$listed" = "[true,true]" ] ;;
			esac; then
			ok "libxl with '$args': the NIC list of domain 10 only ($got), every domain's without ($all)"
		else
			nok "libxl with '$args': NIC lists read of domains|DIRECTORY requests: '$got' (want '10 |2'), without a selection '$all', 10's listed $listed, all listed $all_listed"
		fi
	done
else
	ok "# SKIP libxl selection: no libxenlight or no compiler for the stand-in ($(head -c 200 "$T/cc.err"))"
fi

# --- ring progress: debugfs io_ring_qN read at both ends of --interval ----------------
# mq-ring-imbalance's sysfs is copied; while vifdiag sleeps between its two readings (seen
# in /proc/PID/syscall: clock_nanosleep or nanosleep), rings-after/ replaces vif1.0's rings
# (q0: TX rsp prod wraps 4294967000 -> 1000, +1296; RX +3000; q1: +20 and +30).
R=mq-ring-imbalance
in_sleep() { # PID: 0 once the process sleeps (x86_64 230/35, arm64 115/101), 1 if it ended
	i=0
	while [ $i -lt 600 ]; do
		read -r sc _ <"/proc/$1/syscall" 2>/dev/null || return 1
		case $sc in 230 | 35 | 115 | 101) return 0 ;; esac
		i=$((i + 1))
		sleep 0.05
	done
	return 1
}
# OUT SETUP PREP ARGS...: vifdiag ARGS on a fresh copy of R's sysfs ($T/rs) after SETUP;
# PREP runs on the copy while vifdiag sleeps between its readings
ring_run() {
	out=$1 setup=$2 prep=$3
	shift 3
	rm -rf "$T/rs" && cp -a "$R/sysfs" "$T/rs" && eval "$setup"
	(cd "$R" && XENSTORED_PATH="$T/sock" NO_COLOR=1 "$BIN" --sysfs-root "$T/rs" "$@" \
		>"$out" 2>"$T/ring.err") &
	rp=$!
	if in_sleep "$rp"; then eval "$prep"; else echo "# no sleep seen" >>"$T/ring.err"; fi
	wait "$rp"
}
after='cp "$R"/rings-after/vif1.0/io_ring_q* "$T/rs/sys/kernel/debug/xen-netback/vif1.0/"'
noirq='rm "$T/rs/proc/interrupts"'
# q0's tx line +3000 events on CPU0 during the window, q1 +40: uneven interrupts too
bumpirq='sed -i "s/^\( 47: *\)4112 /\17112 /; s/^\( 49: *\)4 /\144 /" "$T/rs/proc/interrupts"'
gone='rm -r "$T/rs/sys/kernel/debug/xen-netback/vif1.1"'
if start_server "$R/tree.txt"; then
	ring_run "$T/rc1" "$noirq" "$after" check --json --interval 2 1/0
	rc=$?
	# the rate follows the measured window: slots / seconds, at most 2148.0/s (4296 in 2 s)
	if [ $rc = 1 ] && jq -e '.vifs[0].findings | map(select(.rule == "VD065")) | .[0] |
		(.message | test("^hash imbalance: queue 0 carries 99% of the [0-9]+ ring slots/s of 2 queues \\(debugfs ring indexes; no interrupt counts\\)$")) and
		([.evidence[] | select(.where | test("/proc/interrupts"))] == []) and
		([.evidence[] | select(.where | test("vif1.0/io_ring_q0 \\(2 readings, [0-9.]+ s apart\\)$")) | .value] ==
		 ["TX req prod 4294967000 -> 1000, cons 4294967000 -> 1000, rsp prod 4294967000 -> 1000; RX req prod 5271 -> 8271, cons 5015 -> 8015, rsp prod 5015 -> 8015"])' \
		"$T/rc1" >/dev/null; then
		ok "check --interval 2 without /proc/interrupts: VD065 from the rings' progress (wrap-around), the readings as evidence"
	else
		nok "check --interval 2 without /proc/interrupts: exit $rc, no VD065 from the rings"
		jq -c '.vifs[0].findings[] | {rule, message}' "$T/rc1" 2>/dev/null | sed 's/^/# /'
		sed 's/^/# /' "$T/ring.err"
	fi
	ring_run "$T/rc2" : "$after; $bumpirq" check --json --interval 2 1/0
	if jq -e '.vifs[0].findings | map(select(.rule == "VD065")) | .[0] |
		(.message | test("^hash imbalance: queue 0 carries 99% of the [0-9]+ events/s of 2 queues$")) and
		([.evidence[].where | select(test("/proc/interrupts \\(queue [01]\\)$"))] | length == 2) and
		([.evidence[].where | select(test("/io_ring_q[01] \\(2 readings"))] | length == 2)' \
		"$T/rc2" >/dev/null; then
		ok "check --interval 2 with uneven interrupts: VD065 by the interrupts, evidence cites interrupts and rings"
	else
		nok "check --interval 2 with interrupts and rings: no VD065 citing both"
		jq -c '.vifs[0].findings[]' "$T/rc2" 2>/dev/null | sed 's/^/# /'
	fi
	# rates are printed to 0.1/s and seconds to 1 ms: per_sec x seconds is slots to within both roundings
	ring_run "$T/rs1" "$noirq" "$after; $gone" show --json --interval 2 1
	if jq -e '(.vifs[0].load | .counts == null and .rings == "window" and .slots == 4346 and
		.seconds >= 2 and .rings_note == null and
		([.queues[] | .ring | [.state, .tx.rsp_prod, .tx.req_prod, .rx.rsp_prod, .rx.req_cons, .slots]] ==
		 [["ok", 1296, 1296, 3000, 3000, 4296], ["ok", 20, 20, 30, 30, 50]]) and
		(.seconds as $s | [.queues[].ring | ((.per_sec * $s - .slots) | fabs) <= 0.05 * $s + 0.0005 * .per_sec + 0.001] == [true, true]) and
		(.queues[0].ring | (.tx.per_sec + .rx.per_sec - .per_sec | fabs) < 0.2 and .share == 0.988)) and
		(.vifs[1].load | .rings == "window" and ([.queues[].ring.state] == ["vanished"]) and
		 .queues[0].ring.per_sec == null)' "$T/rs1" >/dev/null; then
		ok "show --json --interval 2: per-queue TX/RX ring deltas and rates (u32 wrap), a detached VIF's ring vanished"
	else
		nok "show --json --interval 2: ring progress wrong"
		jq -c '.vifs[].load' "$T/rs1" 2>/dev/null | sed 's/^/# /'
	fi
	# the text, with what depends on the window's length masked, against its golden
	mask='s/[0-9][0-9]*\.[0-9]\/s/N\/s/g; s/(tx [0-9][0-9]*\.[0-9], rx [0-9][0-9]*\.[0-9])/(tx N, rx N)/g; s/over [0-9.]* s/over N s/g'
	for v in noirq irq; do
		if [ $v = noirq ]; then ring_run "$T/rt" "$noirq" "$after; $gone" show --interval 2 1
		else ring_run "$T/rt" : "$after; $bumpirq" show --interval 2 1; fi
		sed -n '/^  queue load/,/^  findings/p' "$T/rt" | sed "$mask" >"$T/rt.m"
		if [ -n "${LIVE_UPDATE:-}" ]; then cp "$T/rt.m" "$R/live/show-$v"; fi
		if diff -u "$R/live/show-$v" "$T/rt.m" >"$T/rt.diff"; then
			ok "show --interval 2 ($v): per-queue interrupt and ring rates as the golden $R/live/show-$v"
		else
			nok "show --interval 2 ($v): differs from $R/live/show-$v (LIVE_UPDATE=1 rewrites it)"
			sed 's/^/# /' "$T/rt.diff" | head -30
		fi
	done
	# debugfs is root-only: as nobody the rings give a note, not an error
	if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
		rm -rf "$T/rs" && cp -a "$R/sysfs" "$T/rs" && chmod 700 "$T/rs/sys/kernel/debug"
		chmod 711 "$T" # nobody reaches the socket and the copy, not the rest
		chmod 666 "$T/sock"
		XENSTORED_PATH="$T/sock" setpriv --reuid=nobody --regid="$(id -gn nobody)" --clear-groups \
			"$BIN" --sysfs-root "$T/rs" show --json --interval 1 1 >"$T/rn" 2>"$T/rn.err"
		rc=$?
		chmod 700 "$T"
		if [ $rc = 0 ] && [ ! -s "$T/rn.err" ] && jq -e '.vifs[0].load |
			.counts == "window" and .rings == null and
			(.rings_note | test("^cannot read .*/sys/kernel/debug: Permission denied \\(debugfs is root-only\\)$"))' \
			"$T/rn" >/dev/null; then
			ok "show --interval 1 as nobody: the interrupt rates, and a note that debugfs is root-only"
		else
			nok "show --interval 1 as nobody: exit $rc, no root-only note"
			jq -c '.vifs[0].load' "$T/rn" 2>/dev/null | sed 's/^/# /'
			sed 's/^/# /' "$T/rn.err"
		fi
	fi
	stop_server
fi

finish
