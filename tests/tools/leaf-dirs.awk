# leaf-dirs.awk TREE PATHS: the PATHS (one a line) that are known leaf keys (the list of
# src/xs_walk.c vd_xs_known_leaf) holding a non-empty value in TREE (xenstore-ls -f[p] output).
# tests/live.sh: vifdiag must not ask DIRECTORY on them.
function leaf(n) {
	return n ~ /^(feature-|request-)/ || n ~ /^(backend|backend-id|bridge|ctrl-ring-ref|error|event-channel|event-channel-ctrl|event-channel-rx|event-channel-tx|frontend|frontend-id|handle|hotplug-error|hotplug-status|ip|mac|mtu|multi-queue-max-queues|multi-queue-num-queues|online|rate|rx-ring-ref|script|state|trusted|tx-ring-ref|type|vifname|xdp-headroom)$/
}
FNR == NR {
	i = index($0, " = \"")
	if (i == 0) next
	v = substr($0, i + 4)
	sub(/"[ \t]*(\([^)]*\))?[ \t]*$/, "", v)
	val[substr($0, 1, i - 1)] = v
	next
}
{
	n = $0
	sub(/.*\//, "", n)
	if (leaf(n) && ($0 in val) && val[$0] != "") print $0 ": " val[$0]
}
