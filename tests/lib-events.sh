# Sourced by tests/watch.sh and tests/log.sh: what both compare, made the same way.

# project: NDJSON events on stdin -> one line per change, "DOMID DEVID END EVENT WHAT",
# per VIF end in order (two ends changed by one re-read may come in either order).
project() {
	jq -s -r 'map(select(.domid != null)) | sort_by(.domid, .devid, .end) | .[] |
		[.domid, .devid, .end, .event,
		 (if .event == "state" then .to_name elif .event == "hotplug" then .hotplug_status
		  elif .event == "queues" then .queues elif .event == "stall" then .stall
		  elif .event == "error" then .message elif .event == "vanished" then .last_state_name
		  else null end)] | map(tostring) | join(" ")'
}

# paced_scenario NAME PAUSE: tests/xsd/scenarios/NAME.scn (or the file NAME, if it has a
# slash) with a pause after each step that changes a VIF (a watcher re-reads: it cannot
# tell two quick changes apart), then a pause and a marker write, so that the logs hold a
# later time (stalls) and a test can wait for the end.
paced_scenario() {
	case $1 in */*) _f=$1 ;; *) _f=tests/xsd/scenarios/$1.scn ;; esac
	sed -E "s/^((A|D)[^ ]* (commit|rm .*|write .*\/state .*|write .*hotplug-status.*)|release .*)\$/\1\nsleep $2/" \
		"$_f"
	echo "sleep 1500ms"
	echo "A:marker write /vifdiag-test/done 1"
}
