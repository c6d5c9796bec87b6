// SPDX-License-Identifier: GPL-2.0-or-later
/* The diagnosis catalogue (vd_catalogue.h): every rule, in ID order. */
#include "vd_catalogue.h"

#include <string.h>

#include "vd_diag.h"

#include <stdbool.h>

#define E VD_SEV_ERROR
#define W VD_SEV_WARN
#define I VD_SEV_INFO

const struct vd_rule vd_rules[] = {
	{ "VD001", "backend-id-mismatch", W,
	  "the frontend's backend-id is not the domain its backend lives in",
	  "the toolstack writes both: look for manual edits or a toolstack bug",
	  "frontend backend-id is 3 but the backend is in domain 0", "fe:backend-id fe:backend" },
	{ "VD002", "backend-not-connecting", W,
	  "hotplug and guest are connected, the backend stays InitWait",
	  "look for an error node or netback messages in the backend domain's kernel log",
	  "hotplug is connected and the guest is connected, but the backend stays in InitWait",
	  "be:state fe:state be:hotplug-status" },
	{ "VD003", "bridge-down", E, "the bridge the vif is on is administratively down",
	  "ip link set dev BRIDGE up", "bridge xenbr0 is administratively down",
	  "be:bridge nd:master br:flags br:operstate" },
	{ "VD004", "carrier-off", W, "XenServer set disconnect=1: the guest sees no carrier",
	  "check the VIF in xapi: the toolstack switched the link off on purpose",
	  "the frontend has disconnect=1: the guest sees no carrier", "fe:disconnect" },
	{ "VD005", "closing", W, "one end is Closing or Closed, with who started it",
	  "normal while a device is detached or a guest shuts down; if it stays, see who closed",
	  "the guest closed the device (frontend Closing, backend Connected)",
	  "fe:state be:state be:online" },
	{ "VD006", "domain-dying", W,
	  "(libxl) the domain is destroyed but the hypervisor still holds it",
	  "look at its backends that are not Closed and at the backend domain's kernel log",
	  "domain 5 is dying: destroyed, but the hypervisor still holds it", "xl" },
	{ "VD007", "domain-gone", E,
	  "(libxl) the hypervisor has no such domain: the store holds leftovers",
	  "check 'xl list', then remove the stale dirs with xenstore-rm",
	  "the hypervisor has no domain 7: these xenstore dirs are leftovers", "xl be:frontend" },
	{ "VD008", "domain-paused", E, "(libxl) the domain is paused",
	  "xl unpause DOMAIN, unless it was paused on purpose",
	  "domain 1 is paused: its vCPUs do not run", "xl" },
	{ "VD009", "domain-shutdown", W,
	  "(libxl) the domain has shut down and waits to be destroyed, with the reason",
	  "xl destroy DOMAIN if it stays",
	  "domain 4 has shut down (poweroff) and waits to be destroyed", "xl" },
	{ "VD010", "duplicate-vifname", W,
	  "two VIFs of one backend domain ask for the same vifname",
	  "give each vif a unique vifname=", "netdev name 'web0' is also wanted by vif 2/0",
	  "be:vifname" },
	{ "VD011", "error-node", E, "a driver wrote /local/domain/<d>/error/.../error",
	  "fix the cause, then detach and re-attach the vif",
	  "the driver reported: '1 mapping shared-frames 1548/1549 port tx 19 rx 20'", "err" },
	{ "VD012", "frontend-id-mismatch", W,
	  "the backend's frontend-id is not the frontend's domain",
	  "the toolstack writes both: look for manual edits or a toolstack bug",
	  "backend frontend-id is 2 but the frontend is in domain 1",
	  "be:frontend-id be:frontend" },
	{ "VD013", "frontend-initialised", W,
	  "frontend parked in Initialised (a stopped Windows adapter)",
	  "enable the network adapter in the guest",
	  "the frontend is Initialised but does not go on to Connected (backend InitWait)",
	  "fe:state be:state" },
	{ "VD014", "hotplug-error", E, "the hotplug script's error text (hotplug-error)",
	  "fix what the script says (often a missing bridge), then re-attach the vif",
	  "the hotplug script failed: 'Could not find bridge device nosuchbr0'",
	  "be:hotplug-status be:hotplug-error be:bridge be:script" },
	{ "VD015", "hotplug-pending", E, "netback waits for hotplug-status=connected",
	  "check that the hotplug script ran (udev vs libxl/disable_udev, xl devd) and "
	  "/var/log/xen/xen-hotplug.log",
	  "the hotplug script has not reported yet: hotplug-status is empty",
	  "be:hotplug-status be:state be:script time" },
	{ "VD016", "if-down", E, "the backend interface is administratively down",
	  "ip link set dev IF up",
	  "vif1.0 is administratively down (IFF_UP is clear, operstate down)",
	  "nd:flags nd:operstate" },
	{ "VD017", "libxl-differs", W,
	  "(libxl) libxl's record of the vif has another MAC or backend domain than the store",
	  "detach and attach the vif again with xl",
	  "libxl's record of vif 0 says mac 00:16:3e:00:00:01 and backend domain 0; the store says "
	  "mac 00:16:3e:00:00:02",
	  "xl be:mac" },
	{ "VD018", "libxl-only", E,
	  "(libxl) libxl lists a vif the store has neither end of: a stale record",
	  "remove /libxl/DOMID/device/vif/DEVID, or attach the vif again",
	  "libxl lists vif 1 of domain 1, but the store has neither end of it", "xl" },
	{ "VD019", "libxl-unlisted", W,
	  "(libxl) libxl lists other NICs of the domain, not this one",
	  "it was made without libxl: xl network-detach cannot remove it",
	  "libxl lists other NICs of domain 1, but not vif 2", "xl" },
	{ "VD020", "mac-mismatch", W, "the frontend's MAC differs from the backend's",
	  "the toolstack writes the same MAC to both ends; the guest changed its copy",
	  "frontend mac '00:16:3e:00:01:99' differs from backend mac '00:16:3e:00:01:01'",
	  "be:mac fe:mac" },
	{ "VD021", "mtu-config", W, "the MTU xenstore gives the guest differs from the vif's",
	  "make mtu=, the vif and the bridge agree",
	  "xenstore gives the guest MTU 9000 (frontend mtu), vif1.0 has 1500",
	  "fe:mtu be:mtu nd:mtu" },
	{ "VD022", "mtu-mismatch", E, "the vif's MTU differs from its bridge's",
	  "set both to the same value", "vif1.0 has MTU 9000, its bridge xenbr0 has 1500",
	  "nd:mtu br:mtu" },
	{ "VD023", "netback-max-queues", I,
	  "xen_netback max_queues changed since the backend was probed",
	  "the parameter only applies to backends probed after it changed: re-attach the vif",
	  "xen_netback max_queues is 2 now; this backend offered 1 when it was probed",
	  "be:multi-queue-max-queues nb:max_queues" },
	{ "VD024", "netback-not-loaded", E, "xen_netback is not loaded in the backend domain",
	  "modprobe xen-netback in the backend domain",
	  "the xen_netback module is not loaded in domain 0 (no /sys/module/xen_netback)",
	  "nb:loaded" },
	{ "VD025", "netback-single-queue", I,
	  "xen_netback max_queues=1 limits every VIF to one queue",
	  "set a higher max_queues for xen_netback (module option), then re-attach",
	  "xen_netback max_queues=1 limits every VIF of this domain to one queue",
	  "nb:max_queues fe:multi-queue-num-queues" },
	{ "VD026", "no-carrier", E, "the backend interface has no carrier",
	  "check the guest: netback drops the carrier when it does not refill its RX ring",
	  "vif1.0 has no carrier although both ends are Connected",
	  "nd:carrier nd:operstate fe:state be:state" },
	{ "VD027", "no-driver", E, "the guest has no PV network driver bound",
	  "load xen-netfront (Linux) or install the PV drivers (Windows)",
	  "the guest has not connected its network driver (frontend Initialising, backend "
	  "InitWait)",
	  "fe:state be:state fe:multi-queue-num-queues time" },
	{ "VD028", "no-netdev", E, "no backend interface exists for a VIF that should have one",
	  "look at the backend domain's kernel log and xen-hotplug.log; re-attach the vif",
	  "netback probed the backend (state InitWait) but there is no vif1.0",
	  "be:state be:vifname nd:name" },
	{ "VD029", "no-rings", E, "a Connected frontend wrote no ring keys",
	  "a connected frontend must publish its rings before state 4: check the guest's driver",
	  "the frontend is Connected but wrote no ring keys",
	  "fe:state fe:tx-ring-ref fe:rx-ring-ref fe:multi-queue-num-queues" },
	{ "VD030", "no-rx-copy", E, "the frontend did not request rx-copy, which netback requires",
	  "the guest's driver is too old or broken",
	  "the frontend did not request rx-copy (request-rx-copy absent or 0)",
	  "fe:request-rx-copy" },
	{ "VD031", "no-rx-notify", W, "the frontend did not write feature-rx-notify",
	  "update the guest's PV driver", "the frontend did not write feature-rx-notify",
	  "fe:feature-rx-notify" },
	{ "VD032", "not-bridged", E, "the backend interface is on no bridge",
	  "add the interface to the bridge xenstore names (ip link set dev IF master BRIDGE)",
	  "vif1.0 is on no bridge, but xenstore asks for xenbr0", "be:bridge be:script nd:master" },
	{ "VD033", "not-probed", E, "the backend driver never probed the device",
	  "load xen-netback in the backend domain; libxl gives up after 10 s",
	  "the backend driver in domain 0 never probed the device (backend Initialising, no "
	  "feature-* keys)",
	  "be:state be:feature-sg be:multi-queue-max-queues time" },
	{ "VD034", "num-queues-invalid", E, "multi-queue-num-queues is not a queue count",
	  "the guest's netfront wrote garbage: check its driver",
	  "multi-queue-num-queues is 'two': not a queue count", "fe:multi-queue-num-queues" },
	{ "VD035", "orphan-backend", E, "a backend without its frontend (and the domain is gone)",
	  "once the domain is really gone: xenstore-rm the backend dir",
	  "backend /local/domain/0/backend/vif/3/0 has no frontend (domain 3 is gone)",
	  "be:frontend be:frontend-id be:state" },
	{ "VD036", "orphan-frontend", E, "a frontend without its backend",
	  "check the toolstack log (xl -vvv, /var/log/xen/xl-*.log)",
	  "frontend /local/domain/1/device/vif/0 has no backend "
	  "(/local/domain/0/backend/vif/1/0 is absent)",
	  "fe:backend fe:backend-id fe:state" },
	{ "VD037", "ovs-bridge-unknown", I, "an Open vSwitch port whose bridge could not be asked",
	  "ovs-vsctl port-to-br IF names the bridge",
	  "vif1.0 is an Open vSwitch port (master ovs-system); its bridge is unknown: ovs-vsctl "
	  "not found",
	  "nd:master be:bridge" },
	{ "VD038", "pointer-mismatch", E,
	  "the backend and frontend keys do not point at each other",
	  "a wrong value means a toolstack bug, manual edits or a hostile guest",
	  "the frontend's backend key names /local/domain/0/backend/vif/1/9, which does not "
	  "point back at /local/domain/1/device/vif/0",
	  "fe:backend be:frontend" },
	{ "VD039", "queue-count-mismatch", W, "sysfs queues differ from the negotiated count",
	  "the running backend and the xenstore keys disagree (a reconnect in progress, or stale "
	  "keys)",
	  "vif1.0 has 1 TX and 1 RX queues, xenstore says 2 were negotiated",
	  "fe:multi-queue-num-queues nd:queues ring" },
	{ "VD040", "queue-dirs-extra", W, "queue-N dirs beyond the negotiated count",
	  "harmless to netback; a frontend that reconnects with fewer queues should remove them",
	  "the frontend has 2 queue dirs beyond multi-queue-num-queues 2",
	  "fe:multi-queue-num-queues q:tx-ring-ref" },
	{ "VD041", "queue-dirs-mismatch", E, "queue-N dirs missing for the negotiated count",
	  "netback reads queue-0 .. queue-(N-1) and fails on a missing one",
	  "multi-queue-num-queues is 4 but the frontend has 2 of those queue dirs",
	  "fe:multi-queue-num-queues q:tx-ring-ref" },
	{ "VD042", "queue-keys", E, "a queue lacks a ring reference or an event channel",
	  "netback fails with 'reading .../ring-ref' or 'event-channel'",
	  "queue 1 lacks a valid rx-ring-ref",
	  "q:tx-ring-ref q:rx-ring-ref q:event-channel q:event-channel-tx q:event-channel-rx" },
	{ "VD043", "queue-layout-mixed", E, "top-level ring keys and queue-N dirs together",
	  "netif.h: with several queues the top-level ring keys must not exist",
	  "the frontend has both top-level ring keys and queue-N dirs",
	  "fe:multi-queue-num-queues fe:tx-ring-ref fe:rx-ring-ref q:tx-ring-ref" },
	{ "VD044", "queue-layout-single", E,
	  "one queue kept in queue-N dirs, or dirs without a count",
	  "netif.h: a single queue keeps its keys at the top level",
	  "one queue negotiated, but its keys are in queue-N dirs",
	  "fe:multi-queue-num-queues q:tx-ring-ref" },
	{ "VD045", "queues-over-max", E, "the guest asks for more queues than the backend offers",
	  "lower the guest's xen-netfront max_queues or raise the backend's",
	  "the guest asks for 8 queues, the backend offers at most 2",
	  "fe:multi-queue-num-queues be:multi-queue-max-queues" },
	{ "VD046", "rate-invalid", W, "a rate netback cannot parse (traffic unlimited)",
	  "write rate as <bytes>,<microseconds> (xl: rate=10Mb/s), then re-attach the vif",
	  "rate is '10M': netback cannot parse it and leaves the traffic unlimited", "be:rate" },
	{ "VD047", "rate-limit", I, "a rate limit is configured",
	  "the limit comes from rate= (xenstore rate); raise or remove it and re-attach the vif",
	  "rate limit 125000 bytes per 50000 us (20.0 Mbit/s per queue)", "be:rate ring" },
	{ "VD048", "rate-limited", W, "the rate limit is throttling the VIF now",
	  "the limit comes from rate= (xenstore rate); raise or remove it and re-attach the vif",
	  "rate limit 125000 bytes per 50000 us (20.0 Mbit/s per queue); queue 0 is out of credit",
	  "be:rate ring" },
	{ "VD049", "reconnecting", W,
	  "the frontend restarts against a closed backend (close cycle)",
	  "if it stays, the backend does not answer: check its driver in the backend domain",
	  "the guest restarted its driver after a close and waits for the backend to leave "
	  "Closed",
	  "fe:state be:state time" },
	{ "VD050", "rx-queue-stopped", W, "netback's RX queue toward the guest is full",
	  "normal for moments under load; if it lasts, the guest takes packets too slowly",
	  "queue 0: netback's RX queue toward the guest is full and stopped; 12 RX buffers posted",
	  "ring" },
	{ "VD051", "rx-stalled", E, "the guest stopped refilling its RX ring",
	  "the guest is hung, overloaded or its netfront is stuck: check it (console, xl top)",
	  "queue 0: the guest has posted no RX buffers and netback dropped the carrier",
	  "ring nd:carrier nb:rx_stall_timeout_msecs" },
	{ "VD052", "state-invalid", E, "a state value that is not a XenbusState",
	  "the driver that wrote it is broken or hostile",
	  "the frontend state is '9', not a "
	  "XenbusState",
	  "fe:state be:state" },
	{ "VD053", "state-missing", E, "an end without a state key",
	  "the toolstack writes state when it creates an end: check what removed it",
	  "the frontend has no state key", "fe:state be:state" },
	{ "VD054", "teardown", W, "the toolstack is removing the device (frontend gone, online=0)",
	  "if it stays, the toolstack stopped mid-teardown: xenstore-rm the backend dir",
	  "the toolstack removed the frontend and is tearing the backend down (online=0, backend "
	  "Closed)",
	  "be:online be:state fe:state time" },
	{ "VD055", "truncated", W, "a value was cut by xenstore-ls on a terminal",
	  "capture the dump with output redirected to a file, not on a terminal",
	  "/local/domain/1/device/vif/0/backend was cut in the dump", "node" },
	{ "VD056", "twin-bridge", W, "the emulated twin is on another bridge than the PV vif",
	  "put both on one bridge",
	  "the emulated twin vif1.0-emu is on xenbr1, the PV interface "
	  "vif1.0 on xenbr0",
	  "nd:master be:bridge" },
	{ "VD057", "unreadable", W, "a value could not be read (permissions)",
	  "run xenstore-ls as root in dom0 (or in the backend domain)",
	  "/local/domain/1/device/vif/0/state was listed but its value could not be read", "node" },
	{ "VD058", "unusual-states", W, "a state pair that is not part of the handshake",
	  "if it persists, look at both drivers' kernel logs",
	  "frontend Connected with backend Initialising: not a step of the handshake",
	  "fe:state be:state" },
	{ "VD059", "vanished", I, "the device disappeared while it was being read",
	  "normal while a domain is destroyed or a device detached",
	  "the frontend /local/domain/1/device/vif/0 disappeared while it was being read", "node" },
	{ "VD060", "wrong-bridge", E,
	  "the backend interface is on another bridge than xenstore asks "
	  "for",
	  "move the port and find out why the hotplug script chose another bridge",
	  "vif1.0 is on linux bridge xenbr1, but xenstore asks for xenbr0 (backend bridge)",
	  "be:bridge nd:master" },
	{ "VD061", "xdp-reconfigured", I, "backend Reconfigured after an XDP toggle (normal)",
	  "nothing to do",
	  "the guest toggled XDP: the backend stays in Reconfigured, which is "
	  "normal",
	  "be:state fe:state fe:xdp-headroom" },
	/* the multi-queue story (diag_mq.c) */
	{ "VD062", "mq-legacy-frontend", W,
	  "a multi-vCPU guest on one ring: its driver does not do multi-queue",
	  "upgrade the guest's PV driver: Linux netfront has multi-queue since 3.16, Windows "
	  "xenvif/xennet since the 8.x drivers",
	  "the guest has 4 vCPUs and the backend offers 4 queues, but the frontend wrote no "
	  "multi-queue-num-queues: it runs on one ring",
	  "dom:cpu be:multi-queue-max-queues fe:multi-queue-num-queues" },
	{ "VD063", "mq-fewer-queues", W,
	  "fewer queues negotiated than the guest's vCPUs and the backend allow",
	  "raise xen_netfront.max_queues on the guest kernel command line (or the Windows "
	  "driver's queue setting)",
	  "2 queues negotiated, but the guest has 4 vCPUs and the backend offers 4",
	  "dom:cpu be:multi-queue-max-queues fe:multi-queue-num-queues" },
	{ "VD064", "mq-backend-limit", W,
	  "the backend offers fewer queues than the guest has vCPUs",
	  "raise what limits it: the backend domain's vCPUs, xen_netback max_queues, or a "
	  "multi-queue-max-queues written over netback's value",
	  "the backend offers 1 queue to a guest with 2 vCPUs, although netback's max_queues is 2 "
	  "and the backend domain has 2 CPUs: multi-queue-max-queues was written over",
	  "dom:cpu be:multi-queue-max-queues fe:multi-queue-num-queues nb:max_queues cpu" },
	{ "VD065", "queue-imbalance", W,
	  "hash imbalance: one queue carries nearly all the events of a multi-queue VIF",
	  "few flows, or flows that hash alike, all land on one queue: spread the traffic over "
	  "more flows (e.g. parallel connections) or accept the single-queue throughput",
	  "queue 0 carries 97% of the 4520 events/s of 2 queues", "irq ring" },
	/* the rules only time can make (diag_time.c): they need a log (check --log) or a
	 * watch (check --for) */
	{ "VD066", "stuck", E,
	  "(time) a handshake state held past its libxl deadline or the --stall threshold",
	  "the log (the watch) proves this is no passing state: see what the other findings of "
	  "this VIF say "
	  "the stuck end waits for, and the kernel log of the domain it lives in",
	  "the backend has been stuck in InitWait for 12 min 3 s (hotplug stall, threshold 40 s: "
	  "the hotplug script should finish within 40 s (libxl))",
	  "fe:state be:state be:hotplug-status log time" },
	{ "VD067", "flapping", W,
	  "(time) an end's close cycle repeats: Connected -> Closing/Closed -> Connected, twice "
	  "or more",
	  "one close cycle at boot is normal (Windows, iPXE); repeated ones mean a driver that "
	  "keeps restarting: look at the guest's kernel or event log around the times in the "
	  "evidence",
	  "the frontend went through 3 close cycles (Connected -> Closing/Closed -> Connected) in "
	  "the log",
	  "fe:state be:state log time" },
	{ "VD068", "reconnect-loop", W,
	  "(time) the VIF connects again and again after disconnects that are no close cycle",
	  "something keeps tearing the device down and setting it up again: a toolstack or "
	  "hotplug retry loop (xl devd, xapi), or a guest driver that resets without closing; the "
	  "evidence shows who and when",
	  "the VIF connected 3 times in the log, 2 of them after the device was removed or an end "
	  "fell back into the handshake without closing",
	  "fe:state be:state log time" },
	/* the hotplug scripts' side (diag_hotplug.c): xen-hotplug.log, libxl/disable_udev */
	{ "VD069", "hotplug-no-netdev", E,
	  "(hotplug log) a hotplug script ran before the VIF's netdev existed (No such device)",
	  "the script ran while the netdev was missing: before netback created it (a udev rule "
	  "or custom script that runs too early) or after something renamed it; check the "
	  "backend domain's kernel log and ip -d link, then detach and re-attach the vif",
	  "the hotplug script ran before the netdev vif3.0 existed (xen-hotplug.log:2, 3 lines "
	  "of the log), and the backend domain has no netdev for it",
	  "be:hotplug-status be:hotplug-error be:vifname nd:name nd:master log" },
	{ "VD070", "udev-disabled", E,
	  "hotplug never ran: libxl/disable_udev stops the udev-called script where udev "
	  "(xenopsd) or nothing (a driver domain without xl devd) runs it",
	  "XenServer/XCP-ng: xenstore-rm /local/domain/0/libxl/disable_udev (an xl run left "
	  "it) and plug the VIF again; a libxl driver domain: run xl devd in it",
	  "hotplug never ran: /local/domain/0/libxl/disable_udev exists, so the vif script udev "
	  "calls exits at once, and xenopsd relies on udev",
	  "be:state be:hotplug-status be:script dom:libxl/disable_udev" },
};

const size_t vd_nrules = sizeof(vd_rules) / sizeof(vd_rules[0]);

const struct vd_rule *vd_rule_lookup(const char *s)
{
	for (size_t i = 0; s && i < vd_nrules; i++)
		if (strcmp(vd_rules[i].code, s) == 0 || strcmp(vd_rules[i].id, s) == 0)
			return &vd_rules[i];
	return NULL;
}

const char *vd_rule_id(const char *code)
{
	const struct vd_rule *r = vd_rule_lookup(code);

	return r ? r->id : NULL;
}

const char *vd_finding_rule_id(const struct vd_finding *f)
{
	return vd_rule_id(f->code);
}

bool vd_sev_parse(const char *s, enum vd_sev *out)
{
	static const char *const names[] = { "info", "warning", "error" };

	for (int i = 0; i < 3; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum vd_sev)i;
			return true;
		}
	}
	return false;
}
