// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Rules: each looks at one VIF of the model and adds findings (what is wrong, what to do).
 * The verdict is chosen afterwards from the states and flags, most decisive cause first.
 * Rules key on the pair of states plus hotplug, error nodes and queue keys, never on one
 * state alone (reference §6 notes).
 */
#include "vd_diag.h"

#include <string.h>

#include "vd_xenbus.h"

const struct vd_verdict_info vd_verdicts[] = {
	{ "ok", "connected: both ends Connected (or 4/8 after XDP), hotplug done, keys consistent" },
	{ "no-driver", "the guest has no PV network driver: backend InitWait, frontend Initialising" },
	{ "not-probed", "the backend driver never probed the device: backend still Initialising" },
	{ "hotplug-failed", "the hotplug script failed: hotplug-status is error" },
	{ "hotplug-pending", "guest connected, backend waits for the hotplug script" },
	{ "connecting", "a transient bring-up state" },
	{ "closing", "one end is Closing: detach, shutdown or an error in progress" },
	{ "closed", "both ends are Closed" },
	{ "backend-error", "a driver wrote an error node for this device" },
	{ "orphan-backend", "a backend whose frontend does not exist" },
	{ "orphan-frontend", "a frontend whose backend does not exist" },
	{ "mismatch", "frontend and backend do not point at each other" },
	{ "inconsistent", "the queue and ring keys break the netif.h rules" },
	{ "invalid-state", "a state key that is not a XenbusState" },
	{ "reconfiguring", "the guest is reconfiguring the device (XDP)" },
	{ "vanished", "the device disappeared while it was being read (domain being destroyed)" },
	{ NULL, NULL },
};

const char *vd_sev_name(enum vd_sev s)
{
	switch (s) {
	case VD_SEV_ERROR:
		return "error";
	case VD_SEV_WARN:
		return "warning";
	default:
		return "info";
	}
}

bool vd_verdict_ok(const char *verdict)
{
	return verdict && strcmp(verdict, "ok") == 0;
}

static long state_of(const struct vd_end *e)
{
	return e->present && e->state.ok ? (long)e->state.v : -1;
}

static bool has_value(const struct vd_node *nd, const char *v)
{
	return nd && strcmp(nd->value, v) == 0 && strlen(v) == nd->len;
}

static bool state_invalid(const struct vd_end *e)
{
	return e->present && e->state.node && (!e->state.ok || !vd_xb_state_valid((long)e->state.v));
}

static bool connected(const struct vd_vif *v)
{
	long fe = state_of(&v->fe), be = state_of(&v->be);

	return fe == VD_XB_CONNECTED && (be == VD_XB_CONNECTED || be == VD_XB_RECONFIGURED);
}

static const char *const end_names[] = { "frontend", "backend" };

static void rule_states(struct vd_vif *v)
{
	const struct vd_end *ends[] = { &v->fe, &v->be };

	for (unsigned i = 0; i < 2; i++) {
		const struct vd_end *e = ends[i];

		if (e->vanished)
			vd_vif_add_finding(v, VD_SEV_INFO, "vanished",
					   "normal while a domain is destroyed or a device detached",
					   "the %s %s disappeared while it was being read",
					   end_names[i], e->path);
		if (!e->present)
			continue;
		if (!e->state.node)
			vd_vif_add_finding(v, VD_SEV_ERROR, "state-missing", NULL,
					   "the %s has no state key", end_names[i]);
		else if (state_invalid(e))
			vd_vif_add_finding(
				v, VD_SEV_ERROR, "state-invalid",
				i == 0 ? "the guest wrote a value that is not a XenbusState (0-8): its driver is broken or hostile"
				       : "the backend state is not a XenbusState (0-8): check what wrote it",
				"the %s state is '%s', not a XenbusState", end_names[i],
				e->state.node->value);
	}
}

static void rule_pairing(const struct vd_host *h, struct vd_vif *v)
{
	if (v->fe_claims)
		vd_vif_add_finding(
			v, VD_SEV_ERROR, "pointer-mismatch",
			"the guest owns its frontend keys and can write anything there; do not trust it, and check the guest for a compromised or broken driver",
			"the frontend's backend key names %s, which does not point back at %s",
			v->fe_claims, v->fe.path ? v->fe.path : "this frontend");
	if (v->mismatch && !v->fe_claims && v->be.present)
		vd_vif_add_finding(v, VD_SEV_ERROR, "pointer-mismatch",
				   "the backend's frontend key is written by the toolstack; a wrong value means a toolstack bug or manual edits",
				   "the backend's frontend key names %s, which points elsewhere",
				   v->fe.path ? v->fe.path : "(nothing)");
	if (!v->mismatch && v->be.present && !v->fe.present && !v->fe.vanished) {
		bool dom_gone = !vd_host_domain(h, v->domid);

		vd_vif_add_finding(
			v, VD_SEV_ERROR, "orphan-backend",
			"a leftover of a crash or force destroy; the next attach of this devid fails with 'device already exists in xenstore'. Once the domain is really gone: xenstore-rm the backend dir",
			"backend %s has no frontend (%s%s)", v->be.path,
			v->fe.path ? v->fe.path : "no frontend key",
			dom_gone ? "; the domain no longer exists" : " does not exist");
	}
	if (!v->mismatch && v->fe.present && !v->be.present && !v->be.vanished)
		vd_vif_add_finding(
			v, VD_SEV_ERROR, "orphan-frontend",
			"the backend was removed or never created: check the toolstack log (xl -vvv, /var/log/xen/xl-*.log)",
			"frontend %s has no backend (%s does not exist)", v->fe.path,
			v->be.path ? v->be.path : "no backend key");
	if (v->paired && v->be.peer_id.ok && v->be.peer_id.v != v->domid)
		vd_vif_add_finding(v, VD_SEV_WARN, "frontend-id-mismatch", NULL,
				   "backend frontend-id is %lu but the frontend is in domain %lu",
				   v->be.peer_id.v, v->domid);
	if (v->paired && v->fe.peer_id.ok && v->be.domid >= 0 &&
	    v->fe.peer_id.v != (unsigned long)v->be.domid)
		vd_vif_add_finding(v, VD_SEV_WARN, "backend-id-mismatch", NULL,
				   "frontend backend-id is %lu but the backend is in domain %ld",
				   v->fe.peer_id.v, v->be.domid);
}

static void rule_errors(struct vd_vif *v)
{
	const struct vd_end *ends[] = { &v->fe, &v->be };

	for (unsigned i = 0; i < 2; i++) {
		const struct vd_node *err = ends[i]->error;

		if (!err)
			continue;
		vd_vif_add_finding(
			v, connected(v) ? VD_SEV_WARN : VD_SEV_ERROR, "error-node",
			connected(v) ? "the device connected since: the error node is stale"
				     : "the driver gave up on the device; fix the cause, then detach and re-attach the vif",
			"the %s driver reported: %s (%s)", end_names[i], err->value, err->path);
	}
}

static void rule_hotplug(struct vd_vif *v)
{
	long fe = state_of(&v->fe), be = state_of(&v->be);
	const struct vd_node *hs = v->hotplug_status;

	if (has_value(hs, "error")) {
		const char *txt = v->hotplug_error ? v->hotplug_error->value : NULL;
		const char *hint =
			"see /var/log/xen/xen-hotplug.log and the toolstack log for the script's output";

		if (txt && strstr(txt, "Could not find bridge device"))
			hint = "create the bridge (ip link add NAME type bridge; ip link set NAME up) or fix bridge= in the domain config, then detach and re-attach the vif";
		else if (txt && strstr(txt, "Cannot rename interface"))
			hint = "two VIFs ask for the same vifname=: make them unique";
		else if (txt && strstr(txt, "ovs-vsctl"))
			hint = "install Open vSwitch (ovs-vsctl) or use vif-bridge";
		vd_vif_add_finding(v, VD_SEV_ERROR, "hotplug-error", hint,
				   "the hotplug script failed: %s",
				   txt ? txt : "(no hotplug-error text)");
		return;
	}
	if (fe == VD_XB_CONNECTED && be == VD_XB_INITWAIT && !has_value(hs, "connected"))
		vd_vif_add_finding(
			v, VD_SEV_ERROR, "hotplug-pending",
			"normal for the few seconds the script runs; otherwise check that it ran (udev vs libxl/disable_udev, xl devd in driver domains) and /var/log/xen/xen-hotplug.log; a custom script must write hotplug-status=connected",
			"netback waits for the hotplug script: hotplug-status is %s",
			hs ? (hs->len ? hs->value : "empty") : "absent");
	if (fe == VD_XB_CONNECTED && be == VD_XB_INITWAIT && has_value(hs, "connected"))
		vd_vif_add_finding(v, VD_SEV_WARN, "backend-not-connecting",
				   "netback should have switched to Connected: look for an error node or netback messages in the backend domain's kernel log",
				   "hotplug is connected and the guest is connected, but the backend stays in InitWait");
}

static void rule_handshake(const struct vd_host *h, struct vd_vif *v)
{
	long fe = state_of(&v->fe), be = state_of(&v->be);

	if (be == VD_XB_INITIALISING && v->be.present) {
		bool probed = vd_snap_getf(h->snap, "%s/feature-rx-copy", v->be.path);

		vd_vif_add_finding(
			v, VD_SEV_ERROR, "not-probed",
			"load xen-netback in the backend domain (modprobe xen-netback); libxl gives up after 10 s with 'unable to initialize device'",
			"the backend driver never probed the device (backend Initialising, %s)",
			probed ? "although feature keys are present" : "no feature-* keys");
	}
	if ((fe == VD_XB_INITIALISING || fe == VD_XB_UNKNOWN) && be == VD_XB_INITWAIT)
		vd_vif_add_finding(
			v, VD_SEV_ERROR, "no-driver",
			"no PV network driver is bound in the guest: load xen-netfront (Linux), install the PV drivers (Windows), or the guest is still booting; its kernel log says 'Device with no driver: device/vif/N'",
			"the guest has not connected its network driver (frontend %s, backend InitWait)",
			vd_xb_state_name(fe));
	if (fe == VD_XB_CONNECTED && be == VD_XB_RECONFIGURED)
		vd_vif_add_finding(v, VD_SEV_INFO, "xdp-reconfigured", NULL,
				   "the guest toggled XDP: the backend stays in Reconfigured, which is normal");
	if (fe == VD_XB_CLOSING || be == VD_XB_CLOSING || fe == VD_XB_CLOSED ||
	    be == VD_XB_CLOSED) {
		bool detach = has_value(v->online, "0");

		vd_vif_add_finding(
			v, VD_SEV_WARN, "closing",
			detach ? "normal for a few seconds; libxl waits 10 s for the guest, then removes the device by force"
			       : "the guest closed the device (driver unloaded or shutting down); it reconnects when its driver loads again",
			"%s (frontend %s, backend %s%s)", vd_xb_pair_meaning(fe, be),
			vd_xb_state_name(fe), vd_xb_state_name(be),
			detach ? ", online=0: detach requested" : "");
	}
}

static bool num_bad(const struct vd_num *n)
{
	return n->node && !n->ok;
}

static void rule_queues(struct vd_vif *v)
{
	bool conn = connected(v) || state_of(&v->fe) == VD_XB_CONNECTED;

	if (num_bad(&v->num_queues) || (v->num_queues.ok && v->num_queues.v == 0))
		vd_vif_add_finding(v, VD_SEV_ERROR, "num-queues-invalid", NULL,
				   "multi-queue-num-queues is '%s': not a queue count",
				   v->num_queues.node->value);
	if (v->num_queues.ok && v->max_queues.ok && v->num_queues.v > v->max_queues.v)
		vd_vif_add_finding(
			v, VD_SEV_ERROR, "queues-over-max",
			"netback refuses this ('guest requested N queues, but valid range is 1 - M'): lower the guest's xen-netfront max_queues or raise the backend's",
			"the guest asks for %lu queues, the backend offers at most %lu",
			v->num_queues.v, v->max_queues.v);
	if (v->layout == VD_LAYOUT_MIXED)
		vd_vif_add_finding(v, VD_SEV_ERROR, "queue-layout-mixed",
				   "netif.h: with several queues the top-level ring keys must not exist",
				   "the frontend has both top-level ring keys and queue-N dirs");
	if (v->num_queues.ok && v->num_queues.v >= 2 && v->layout != VD_LAYOUT_NONE) {
		bool ok = v->nqueues == v->num_queues.v && v->layout == VD_LAYOUT_QUEUES;

		for (size_t i = 0; ok && i < v->nqueues; i++)
			ok = v->queues[i].id == i;
		if (!ok)
			vd_vif_add_finding(v, VD_SEV_ERROR, "queue-dirs-mismatch",
					   "netback reads queue-0 .. queue-(N-1) and fails on a missing one",
					   "multi-queue-num-queues is %lu but the frontend has %zu queue dirs%s",
					   v->num_queues.v, v->layout == VD_LAYOUT_QUEUES ? v->nqueues : 0,
					   v->layout == VD_LAYOUT_FLAT ? " (flat layout)" : "");
	}
	if (v->num_queues.ok && v->num_queues.v == 1 && v->layout == VD_LAYOUT_QUEUES)
		vd_vif_add_finding(v, VD_SEV_ERROR, "queue-layout-single",
				   "netif.h: a single queue keeps its keys at the top level",
				   "one queue negotiated, but its keys are in queue-N dirs");
	for (size_t i = 0; conn && i < v->nqueues; i++) {
		const struct vd_queue *q = &v->queues[i];
		bool ev = q->evtchn.ok || (q->evtchn_tx.ok && q->evtchn_rx.ok);

		if (!q->tx_ring_ref.ok || !q->rx_ring_ref.ok || !ev)
			vd_vif_add_finding(v, VD_SEV_ERROR, "queue-keys",
					   "netback fails with 'reading .../ring-ref' or 'event-channel'",
					   "queue %lu lacks a valid %s", q->id,
					   !q->tx_ring_ref.ok ? "tx-ring-ref" :
					   !q->rx_ring_ref.ok ? "rx-ring-ref" :
								"event channel");
	}
	if (state_of(&v->fe) == VD_XB_CONNECTED && v->layout == VD_LAYOUT_NONE)
		vd_vif_add_finding(v, VD_SEV_ERROR, "no-rings",
				   "a connected frontend must publish its rings before state 4",
				   "the frontend is Connected but wrote no ring keys");
}

static void rule_features(const struct vd_host *h, struct vd_vif *v)
{
	if (state_of(&v->fe) != VD_XB_CONNECTED)
		return;
	if (!vd_snap_getf(h->snap, "%s/request-rx-copy", v->fe.path))
		vd_vif_add_finding(v, VD_SEV_ERROR, "no-rx-copy",
				   "netback requires request-rx-copy=1 and refuses to connect",
				   "the frontend did not write request-rx-copy");
	if (!vd_snap_getf(h->snap, "%s/feature-rx-notify", v->fe.path))
		vd_vif_add_finding(v, VD_SEV_WARN, "no-rx-notify",
				   "netback then polls the ring and cannot detect a stalled guest",
				   "the frontend did not write feature-rx-notify");
}

static void rule_values(struct vd_vif *v)
{
	const struct vd_node *keys[] = { v->fe.state.node, v->be.state.node, v->mac,
					 v->hotplug_status, v->hotplug_error, v->bridge };

	for (unsigned i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i] && (keys[i]->flags & VD_NODE_TRUNCATED))
			vd_vif_add_finding(v, VD_SEV_WARN, "truncated",
					   "capture the dump with output redirected to a file, not on a terminal",
					   "%s was cut in the dump", keys[i]->path);
	if (v->fe_mac && v->mac && v->mac != v->fe_mac &&
	    (v->fe_mac->len != v->mac->len || memcmp(v->fe_mac->value, v->mac->value, v->mac->len)))
		vd_vif_add_finding(v, VD_SEV_WARN, "mac-mismatch",
				   "the toolstack writes the same MAC to both ends; the guest changed its copy",
				   "frontend mac '%s' differs from backend mac '%s'", v->fe_mac->value,
				   v->mac->value);
}

static bool has_code(const struct vd_vif *v, const char *code)
{
	for (size_t i = 0; i < v->nfindings; i++)
		if (strcmp(v->findings[i].code, code) == 0)
			return true;
	return false;
}

static bool queues_broken(const struct vd_vif *v)
{
	static const char *const codes[] = { "num-queues-invalid", "queues-over-max",
					     "queue-layout-mixed", "queue-dirs-mismatch",
					     "queue-layout-single", "queue-keys",
					     "no-rings", "no-rx-copy" };

	for (unsigned i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (has_code(v, codes[i]))
			return true;
	return false;
}

/* Most decisive cause first: a later rule would only describe a consequence. */
static const char *choose_verdict(const struct vd_vif *v)
{
	long fe = state_of(&v->fe), be = state_of(&v->be);

	if (v->fe.vanished || v->be.vanished)
		return "vanished";
	if (state_invalid(&v->fe) || state_invalid(&v->be))
		return "invalid-state";
	if (v->mismatch)
		return "mismatch";
	if (v->be.present && !v->fe.present)
		return "orphan-backend";
	if (v->fe.present && !v->be.present)
		return "orphan-frontend";
	if (has_value(v->hotplug_status, "error"))
		return "hotplug-failed";
	if (connected(v))
		return queues_broken(v) ? "inconsistent" : "ok";
	if (has_code(v, "error-node"))
		return "backend-error";
	if (fe == VD_XB_RECONFIGURING)
		return "reconfiguring";
	if (fe == VD_XB_CLOSING || be == VD_XB_CLOSING)
		return "closing";
	if (fe == VD_XB_CLOSED && be == VD_XB_CLOSED)
		return "closed";
	if (fe == VD_XB_CLOSED || be == VD_XB_CLOSED)
		return "closing";
	if (be == VD_XB_INITIALISING)
		return "not-probed";
	if ((fe == VD_XB_INITIALISING || fe == VD_XB_UNKNOWN) && be == VD_XB_INITWAIT)
		return "no-driver";
	if (fe == VD_XB_CONNECTED && be == VD_XB_INITWAIT)
		return has_value(v->hotplug_status, "connected") ? "connecting" : "hotplug-pending";
	if (queues_broken(v))
		return "inconsistent";
	return "connecting";
}

void vd_diagnose(struct vd_host *h)
{
	for (size_t i = 0; i < h->nvifs; i++) {
		struct vd_vif *v = h->vifs[i];

		rule_states(v);
		rule_pairing(h, v);
		rule_errors(v);
		rule_hotplug(v);
		rule_handshake(h, v);
		rule_queues(v);
		rule_features(h, v);
		rule_values(v);
		v->verdict = choose_verdict(v);
	}
}
