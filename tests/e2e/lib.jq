# jq helpers of tests/e2e/check.sh (jq -L tests/e2e 'include "lib"; ...')

# "2026-11-25T07:33:24.151Z" -> 1795584804.151
def epoch: (.[0:19] + "Z" | fromdateiso8601) + (if .[19:20] == "." then (.[20:23] | tonumber) / 1000 else 0 end);

# xenstore-ls -fp text (raw input, slurped) -> {path: value}
def xsmap:
	[split("\n")[] | capture("^(?<p>/[^ ]*) = \"(?<v>.*)\"\\s+\\((?<perm>[^)]*)\\)$")? | {(.p): .v}] | add // {};

# a watch or log event as one comparable token, per VIF end
def token:
	if .event == "state" then "state:\(.to_name)"
	elif .event == "hotplug" then "hotplug:\(.hotplug_status // "(none)")"
	elif .event == "appeared" or .event == "vanished" then .event
	else empty end;
def key: "\(.domid)/\(.devid)/\(.end)";
