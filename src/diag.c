// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Rules: each looks at one VIF of the model and adds findings (what is wrong, what to do).
 * The verdict is chosen afterwards from the states and flags, most decisive cause first.
 * Rules key on the pair of states plus hotplug, error nodes and queue keys, never on one
 * state alone (reference §6 notes).
 */
#include "vd_diag.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vd_esc.h"
#include "vd_hotplug.h"
#include "vd_util.h"
#include "vd_xenbus.h"

const struct vd_verdict_info vd_verdicts[] = {
	{ "ok",
	  "connected: both ends Connected (or 4/8 after XDP), hotplug done, keys consistent" },
	{ "no-driver",
	  "the guest has no PV network driver: backend InitWait, frontend Initialising" },
	{ "not-probed", "the backend driver never probed the device: backend still Initialising" },
	{ "hotplug-failed", "the hotplug script failed: hotplug-status is error, or hotplug-error "
			    "is set without connected (XenServer)" },
	{ "hotplug-pending", "guest connected, backend waits for the hotplug script" },
	{ "connecting",
	  "a transient bring-up state, or states no rule explains (see the findings)" },
	{ "closing", "one end is Closing, or only one is Closed: detach, shutdown or an error in "
		     "progress" },
	{ "closed", "both ends are Closed, or the toolstack is removing a closed backend" },
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

const char *vd_verdict_lookup(const struct vd_verdict_info *table, const char *word)
{
	for (const struct vd_verdict_info *i = table; i->word; i++)
		if (strcmp(i->word, word) == 0)
			return i->meaning;
	return NULL;
}

bool vd_verdict_ok(const char *verdict)
{
	return verdict && strcmp(verdict, "ok") == 0;
}

static long state_of(const struct vd_end *e)
{
	return e->present && e->state.ok ? (long)e->state.v : -1;
}

bool vd_node_is(const struct vd_node *nd, const char *v)
{
	return nd && strcmp(nd->value, v) == 0 && strlen(v) == nd->len;
}

static bool has_value(const struct vd_node *nd, const char *v)
{
	return vd_node_is(nd, v);
}

/* A value the dump could not give in full: unknown, never "invalid". */
static bool unread(const struct vd_node *nd)
{
	return nd && (nd->flags & (VD_NODE_TRUNCATED | VD_NODE_NOVALUE));
}

/* Present but not a number (an unreadable value is unknown, not bad). */
static bool num_bad(const struct vd_num *n)
{
	return n->node && !n->ok && !unread(n->node);
}

/* Absent or bad, i.e. something a driver reading it would fail on. */
static bool num_missing(const struct vd_num *n)
{
	return !n->ok && !unread(n->node);
}

/*
 * A state key that is not a XenbusState. A missing one counts too: the toolstack writes
 * state when it creates the dir, so only a broken or hostile owner removes it.
 */
static bool state_invalid(const struct vd_end *e)
{
	if (!e->present)
		return false;
	if (!e->state.node)
		return true;
	return num_bad(&e->state) || (e->state.ok && !vd_xb_state_valid((long)e->state.v));
}

static bool connected(const struct vd_vif *v)
{
	long fe = state_of(&v->fe), be = state_of(&v->be);

	return fe == VD_XB_CONNECTED && (be == VD_XB_CONNECTED || be == VD_XB_RECONFIGURED);
}

static bool detach_requested(const struct vd_vif *v)
{
	return has_value(v->online, "0");
}

/*
 * The hotplug script failed. libxl's fatal() writes hotplug-status=error with hotplug-error;
 * XenServer's vif script (handle_error) writes only hotplug-error and exits, and xenopsd
 * watches for that key. Its non-fatal hook errors come after hotplug-status=connected.
 */
static bool hotplug_failed(const struct vd_vif *v)
{
	return has_value(v->hotplug_status, "error") ||
	       (v->hotplug_error && !has_value(v->hotplug_status, "connected"));
}

/*
 * libxl's teardown removes the frontend first, then sets online=0 and state 5 on the
 * backend (xen-lab.md §14): a backend without frontend is normal then, while the domain is
 * still there. With the domain gone, nothing will remove it any more.
 */
static bool teardown(const struct vd_host *h, const struct vd_vif *v)
{
	long be = state_of(&v->be);

	return v->be.present && !v->fe.present && detach_requested(v) &&
	       vd_host_domain(h, v->domid) && (be == VD_XB_CLOSING || be == VD_XB_CLOSED);
}

/* Netback's test for a flag key: a number other than 0 (xenbus_read_unsigned, default 0). */
static bool flag_set(const struct vd_snap *s, const char *dir, const char *key)
{
	const struct vd_node *nd = vd_snap_getf(s, "%s/%s", dir, key);
	unsigned long v;

	if (unread(nd))
		return true; /* cannot tell: do not accuse */
	return nd && vd_parse_ulong(nd->value, nd->len, 0xffffffffUL, &v) && v != 0;
}

/*
 * A value quoted in a message: escaped as xenstore-ls does, so that NULs and control bytes
 * show instead of cutting or breaking the line, and cut after max bytes (a guest may write
 * up to 4 KiB into any of its keys).
 */
static char *quoted(const char *s, size_t len, size_t max)
{
	struct vd_buf b;

	vd_buf_init(&b);
	vd_esc_xsls(&b, s, len > max ? max : len);
	if (len > max)
		vd_buf_adds(&b, "...");
	return vd_buf_steal(&b);
}

static char *quoted_node(const struct vd_node *nd, size_t max)
{
	return quoted(nd->value, nd->len, max);
}

/* An end's state for a message: its name, or why there is none. */
static const char *state_word(const struct vd_end *e)
{
	if (!e->present)
		return "absent";
	if (!e->state.ok)
		return e->state.node && !unread(e->state.node) ? "invalid" : "unknown";
	return vd_xb_state_name((long)e->state.v);
}

static const char *const end_names[] = { "frontend", "backend" };

static void rule_states(struct vd_vif *v)
{
	const struct vd_end *ends[] = { &v->fe, &v->be };

	for (unsigned i = 0; i < 2; i++) {
		const struct vd_end *e = ends[i];

		if (e->vanished)
			vd_vif_add_finding(
				v, VD_SEV_INFO, "vanished",
				"normal while a domain is destroyed or a device detached",
				"the %s %s disappeared while it was being read", end_names[i],
				e->path);
		if (!e->present)
			continue;
		if (!e->state.node)
			vd_vif_add_finding(
				v, VD_SEV_ERROR, "state-missing",
				i == 0 ? "the toolstack writes state when it creates the frontend: "
					 "the guest removed it; check its driver"
				       : "the toolstack writes state when it creates the backend: "
					 "check what removed it",
				"the %s has no state key", end_names[i]);
		else if (state_invalid(e)) {
			char *q = quoted_node(e->state.node, 64);

			vd_vif_add_finding(
				v, VD_SEV_ERROR, "state-invalid",
				i == 0 ? "the guest wrote a value that is not a XenbusState (0-8): "
					 "its driver is broken or hostile"
				       : "the backend state is not a XenbusState (0-8): check what "
					 "wrote it",
				"the %s state is '%s', not a XenbusState", end_names[i], q);
			free(q);
		}
	}
}

static void rule_orphans(const struct vd_host *h, struct vd_vif *v)
{
	char *why;

	if (!v->mismatch && teardown(h, v) && !v->fe.vanished) {
		vd_vif_add_finding(v, VD_SEV_WARN, "teardown",
				   "normal for a few seconds; if it stays, the toolstack stopped "
				   "mid-teardown: xenstore-rm the backend dir",
				   "the toolstack removed the frontend and is tearing the backend "
				   "down (online=0, backend %s)",
				   state_word(&v->be));
	} else if (!v->mismatch && v->be.present && !v->fe.present && !v->fe.vanished) {
		if (!v->fe.path)
			why = vd_strdup("its frontend key is missing or unusable");
		else if (!vd_host_domain(h, v->domid))
			why = vd_asprintf("domain %lu no longer exists", v->domid);
		else
			why = vd_asprintf("%s does not exist", v->fe.path);
		vd_vif_add_finding(v, VD_SEV_ERROR, "orphan-backend",
				   "a leftover of a crash or force destroy; the next attach of "
				   "this devid fails with 'device already exists in xenstore'. "
				   "Once the domain is really gone: xenstore-rm the backend dir",
				   "backend %s has no frontend (%s)", v->be.path, why);
		free(why);
	}
	if (!v->mismatch && v->fe.present && !v->be.present && !v->be.vanished) {
		char *claim = v->be.path ? quoted(v->be.path, strlen(v->be.path), 128) : NULL;

		/* the path comes from the guest's backend key */
		why = claim ? vd_asprintf("%s does not exist", claim)
			    : vd_strdup("its backend key is missing or unusable");
		free(claim);
		vd_vif_add_finding(v, VD_SEV_ERROR, "orphan-frontend",
				   "the backend was removed or never created: check the toolstack "
				   "log (xl -vvv, /var/log/xen/xl-*.log)",
				   "frontend %s has no backend (%s)", v->fe.path, why);
		free(why);
	}
}

static void rule_pairing(const struct vd_host *h, struct vd_vif *v)
{
	static const char guest_hint[] =
		"the guest owns its frontend keys and can write anything there; do not trust it, "
		"and check the guest for a compromised or broken driver";

	if (v->fe_claims) {
		char *q = quoted(v->fe_claims, strlen(v->fe_claims), 128);

		vd_vif_add_finding(
			v, VD_SEV_ERROR, "pointer-mismatch", guest_hint,
			"the frontend's backend key names %s, which does not point back at %s", q,
			v->fe.path ? v->fe.path : "this frontend");
		free(q);
	} else if (v->mismatch && v->fe.present && v->be.present)
		vd_vif_add_finding(v, VD_SEV_ERROR, "pointer-mismatch", guest_hint,
				   "the frontend's backend key is missing or unusable, while "
				   "backend %s points at it",
				   v->be.path);
	else if (v->mismatch && v->be.present)
		vd_vif_add_finding(
			v, VD_SEV_ERROR, "pointer-mismatch",
			"the backend's frontend key is written by the toolstack; a wrong value "
			"means a toolstack bug or manual edits",
			"the backend's frontend key names %s, which does not point back at it",
			v->fe.path ? v->fe.path : "(nothing)");
	rule_orphans(h, v);
	if (v->paired && v->be.peer_id.ok && v->be.peer_id.v != v->domid)
		vd_vif_add_finding(
			v, VD_SEV_WARN, "frontend-id-mismatch",
			"the toolstack writes both: look for manual edits or a toolstack bug",
			"backend frontend-id is %lu but the frontend is in domain %lu",
			v->be.peer_id.v, v->domid);
	if (v->paired && v->fe.peer_id.ok && v->be.domid >= 0 &&
	    v->fe.peer_id.v != (unsigned long)v->be.domid)
		vd_vif_add_finding(v, VD_SEV_WARN, "backend-id-mismatch",
				   "netfront maps its rings for the domain named by backend-id: "
				   "the guest changed it or the toolstack wrote it wrong",
				   "frontend backend-id is %lu but the backend is in domain %ld",
				   v->fe.peer_id.v, v->be.domid);
}

/* One bad key of a queue for the message: its name and its value, or that it is absent. */
static void bad_key(struct vd_buf *b, const char *name, const struct vd_num *n)
{
	if (b->len)
		vd_buf_adds(b, ", ");
	vd_buf_adds(b, name);
	if (n->node) {
		char *q = quoted_node(n->node, 32);

		vd_buf_addf(b, " '%s'", q);
		free(q);
	} else {
		vd_buf_adds(b, " (absent)");
	}
}

/* Every key of the queue netback would fail on, not just the first: each needs fixing. */
static void rule_queue_keys(struct vd_vif *v, const struct vd_queue *q)
{
	bool ev = q->evtchn.ok || (q->evtchn_tx.ok && q->evtchn_rx.ok) || unread(q->evtchn.node) ||
		  unread(q->evtchn_tx.node) || unread(q->evtchn_rx.node);
	struct vd_buf b;

	vd_buf_init(&b);
	if (num_missing(&q->tx_ring_ref))
		bad_key(&b, "tx-ring-ref", &q->tx_ring_ref);
	if (num_missing(&q->rx_ring_ref))
		bad_key(&b, "rx-ring-ref", &q->rx_ring_ref);
	if (!ev && (q->evtchn.node || (!q->evtchn_tx.node && !q->evtchn_rx.node))) {
		bad_key(&b, "event-channel", &q->evtchn);
	} else if (!ev) {
		if (num_missing(&q->evtchn_tx))
			bad_key(&b, "event-channel-tx", &q->evtchn_tx);
		if (num_missing(&q->evtchn_rx))
			bad_key(&b, "event-channel-rx", &q->evtchn_rx);
	}
	if (b.len)
		vd_vif_add_finding(v, VD_SEV_ERROR, "queue-keys",
				   "netback fails with 'reading .../ring-ref' or 'event-channel'",
				   "queue %lu lacks a valid %s", q->id, vd_buf_cstr(&b));
	vd_buf_free(&b);
}

static void rule_errors(const struct vd_host *h, struct vd_vif *v)
{
	const struct vd_end *ends[] = { &v->fe, &v->be };

	for (unsigned i = 0; i < 2; i++) {
		const struct vd_node *err = ends[i]->error;
		char *q, *where;

		if (!err)
			continue;
		q = quoted_node(err, 256); /* the guest owns its own error dir */
		where = vd_snap_path_dup(h->snap, err);
		vd_vif_add_finding(
			v, connected(v) ? VD_SEV_WARN : VD_SEV_ERROR, "error-node",
			connected(v) ? "the device connected since: the error node is stale (the "
				       "toolstack removes it when the device is destroyed)"
				     : "the driver gave up on the device; fix the cause, then "
				       "detach and re-attach the vif",
			"the %s driver reported: %s (%s)", end_names[i], q, where);
		free(where);
		free(q);
	}
}

/* The bridge named in "Could not find bridge device NAME", if it is a plain ifname. */
static char *missing_bridge(const char *txt)
{
	static const char pfx[] = "Could not find bridge device ";
	const char *p = strstr(txt, pfx);
	size_t n;

	if (!p)
		return NULL;
	p += sizeof(pfx) - 1;
	n = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");
	if (n == 0 || n > 15 || p[n])
		return NULL;
	return vd_strndup(p, n);
}

static char *hotplug_hint(const char *txt)
{
	char *br = txt ? missing_bridge(txt) : NULL;
	const char *hint;

	if (br) {
		char *h = vd_asprintf(
			"create the bridge (ip link add %s type bridge; ip link set %s up) or fix "
			"bridge= in the domain config, then detach and re-attach the vif",
			br, br);
		free(br);
		return h;
	}
	if (txt && strstr(txt, "Could not find bridge device"))
		hint = "create the bridge named in the message or fix bridge= in the domain "
		       "config, then detach and re-attach the vif";
	else if (txt && strstr(txt, "none was specified"))
		hint = "no bridge is configured and the script found none to guess: set bridge= in "
		       "the vif config";
	else if (txt && strstr(txt, "Cannot rename interface"))
		hint = "two VIFs ask for the same vifname=: make them unique";
	else if (txt && strstr(txt, "ovs-vsctl"))
		hint = "install Open vSwitch (ovs-vsctl) or use vif-bridge";
	else if (txt && strstr(txt, "/private/vif/"))
		hint = "the XenServer vif script needs the xenopsd private keys: start the VM "
		       "through xapi, not with xl";
	else if (txt && strstr(txt, "No such device"))
		hint = "the vif netdev was missing when the script ran (udev race or a rename): "
		       "check the backend domain's kernel log and re-attach the vif";
	else
		hint = "see /var/log/xen/xen-hotplug.log and the toolstack log for the script's "
		       "output";
	return vd_strdup(hint);
}

static void rule_hotplug(struct vd_vif *v)
{
	long fe = state_of(&v->fe), be = state_of(&v->be);
	const struct vd_node *hs = v->hotplug_status;
	const char *hs_text = hs ? (hs->len ? hs->value : "empty") : "absent";

	if (v->hotplug_error && has_value(hs, "connected")) {
		char *q = quoted_node(v->hotplug_error, 256);

		vd_vif_add_finding(
			v, VD_SEV_WARN, "hotplug-error",
			"the vif was plugged; the text is left from an earlier run or from a "
			"non-fatal step (XenServer's vif-hotplug hook): see the backend domain's "
			"daemon log",
			"the hotplug script reported '%s' but hotplug-status is connected", q);
		free(q);
	}
	if (hotplug_failed(v)) {
		const char *txt = v->hotplug_error ? v->hotplug_error->value : NULL;
		char *hint = hotplug_hint(txt);
		char *q = txt ? quoted_node(v->hotplug_error, 256)
			      : vd_strdup("(no hotplug-error text)");

		/* quoted: the script's text may end with a period or hold anything */
		vd_vif_add_finding(v, VD_SEV_ERROR, "hotplug-error", hint,
				   txt ? "the hotplug script failed: '%s'"
				       : "the hotplug script failed: %s",
				   q);
		free(q);
		free(hint);
		return;
	}
	if (be != VD_XB_INITWAIT || unread(hs))
		return;
	if (fe == VD_XB_CONNECTED && !has_value(hs, "connected"))
		vd_vif_add_finding(v, VD_SEV_ERROR, "hotplug-pending",
				   "normal for the few seconds the script runs; otherwise check "
				   "that it ran (udev vs libxl/disable_udev, xl devd in driver "
				   "domains) and /var/log/xen/xen-hotplug.log; a custom script "
				   "must write hotplug-status=connected",
				   "netback waits for the hotplug script: hotplug-status is %s",
				   hs_text);
	else if (fe == VD_XB_CONNECTED)
		vd_vif_add_finding(v, VD_SEV_WARN, "backend-not-connecting",
				   "netback should have switched to Connected: look for an error "
				   "node or netback messages in the backend domain's kernel log",
				   "hotplug is connected and the guest is connected, but the "
				   "backend stays in InitWait");
	else if ((fe == VD_XB_UNKNOWN || fe == VD_XB_INITIALISING || fe == VD_XB_INITIALISED) &&
		 !has_value(hs, "connected"))
		/* the toolstack runs the script as soon as the backend is InitWait, guest or not */
		vd_vif_add_finding(v, VD_SEV_WARN, "hotplug-pending",
				   "normal for the few seconds the script runs; otherwise check "
				   "that it ran (udev vs libxl/disable_udev, xl devd in driver "
				   "domains) and /var/log/xen/xen-hotplug.log",
				   "the hotplug script has not reported yet: hotplug-status is %s",
				   hs_text);
}

/* Did the backend driver write its feature keys (netback does so at probe)? */
static bool probed(const struct vd_host *h, const struct vd_vif *v)
{
	struct vd_key *keys;
	size_t n = vd_dir_keys(h->snap, v->be.path, &keys);
	bool any = false;

	for (size_t i = 0; i < n && !any; i++)
		any = vd_startswith(keys[i].name, "feature-");
	free(keys);
	return any;
}

static const char *closing_hint(const struct vd_vif *v, long fe)
{
	if (detach_requested(v))
		return "detach requested: normal for a few seconds; libxl waits 10 s for the "
		       "guest, then removes the device by force; longer means the guest does not "
		       "answer";
	if (fe == VD_XB_CLOSING || fe == VD_XB_CLOSED)
		return "the guest closed the device (driver unload, shutdown, or the Windows/iPXE "
		       "close cycle at boot); it reconnects when its driver starts again";
	return "the backend closed the device without a detach request: look for an error node and "
	       "xen-netback messages in the backend domain's kernel log";
}

static void rule_handshake(const struct vd_host *h, struct vd_vif *v)
{
	long fe = state_of(&v->fe), be = state_of(&v->be);
	bool detach = detach_requested(v);

	if (be == VD_XB_INITIALISING && v->be.present) {
		if (probed(h, v))
			vd_vif_add_finding(v, VD_SEV_ERROR, "not-probed",
					   "look for xen-netback errors in the backend domain's "
					   "kernel log, then detach and re-attach the vif",
					   "the backend driver in domain %ld wrote its feature "
					   "keys but never switched to InitWait",
					   v->be.domid);
		else
			vd_vif_add_finding(
				v, VD_SEV_ERROR, "not-probed",
				"load xen-netback in the backend domain (modprobe xen-netback); "
				"libxl gives up after 10 s with 'unable to initialize device'",
				"the backend driver in domain %ld never probed the device (backend "
				"Initialising, no feature-* keys)",
				v->be.domid);
	}
	if ((fe == VD_XB_INITIALISING || fe == VD_XB_UNKNOWN) && be == VD_XB_INITWAIT)
		vd_vif_add_finding(
			v, VD_SEV_ERROR, "no-driver",
			"no PV network driver is bound in the guest: load xen-netfront (Linux), "
			"install the PV drivers (Windows), or the guest is still booting; its "
			"kernel log says 'Device with no driver: device/vif/N'",
			"the guest has not connected its network driver (frontend %s, backend "
			"InitWait)",
			vd_xb_state_name(fe));
	if (fe == VD_XB_INITIALISED && be == VD_XB_INITWAIT)
		/* netback ignores Initialised: it connects when the frontend says Connected */
		vd_vif_add_finding(
			v, VD_SEV_WARN, "frontend-initialised",
			"a Windows guest parks the device there when xennet is stopped or the "
			"adapter disabled: enable the network adapter in the guest",
			"the frontend is Initialised but does not go on to Connected (backend "
			"InitWait)");
	if (fe == VD_XB_CONNECTED && be == VD_XB_RECONFIGURED)
		vd_vif_add_finding(v, VD_SEV_INFO, "xdp-reconfigured", NULL,
				   "the guest toggled XDP: the backend stays in Reconfigured, "
				   "which is normal");
	if (fe == VD_XB_INITIALISING && be == VD_XB_CLOSED && !detach) {
		/* netback goes back to InitWait when a closed frontend writes 1 again */
		vd_vif_add_finding(v, VD_SEV_WARN, "reconnecting",
				   "normal for a moment (the Windows or iPXE close cycle at boot); "
				   "if it stays, the backend does not answer: check its driver in "
				   "the backend domain",
				   "the guest restarted its driver after a close and waits for the "
				   "backend to leave Closed");
		return;
	}
	/* with one end missing, the orphan or vanished finding already says what happens */
	if (!v->fe.present || !v->be.present)
		return;
	if (fe == VD_XB_CLOSING || be == VD_XB_CLOSING || fe == VD_XB_CLOSED || be == VD_XB_CLOSED)
		vd_vif_add_finding(v, VD_SEV_WARN, "closing", closing_hint(v, fe),
				   "%s (frontend %s, backend %s%s)", vd_xb_pair_meaning(fe, be),
				   state_word(&v->fe), state_word(&v->be),
				   detach ? ", online=0: detach requested" : "");
}

static void rule_queue_dirs(struct vd_vif *v)
{
	unsigned long want = v->num_queues.v;
	size_t have = 0, extra = 0;

	for (size_t i = 0; v->layout != VD_LAYOUT_FLAT && i < v->nqueues; i++) {
		if (v->queues[i].id < want)
			have++;
		else
			extra++;
	}
	if (v->layout == VD_LAYOUT_FLAT || have != want)
		vd_vif_add_finding(
			v, VD_SEV_ERROR, "queue-dirs-mismatch",
			"netback reads queue-0 .. queue-(N-1) and fails on a missing one",
			"multi-queue-num-queues is %lu but the frontend has %zu of those queue "
			"dirs%s",
			want, have, v->layout == VD_LAYOUT_FLAT ? " (flat layout)" : "");
	/* netback never reads past N-1: left over from an earlier connection */
	if (extra)
		vd_vif_add_finding(
			v, VD_SEV_WARN, "queue-dirs-extra",
			"harmless to netback; a frontend that reconnects with fewer queues should "
			"remove them",
			"the frontend has %zu queue dirs beyond multi-queue-num-queues %lu", extra,
			want);
}

static void rule_queues(struct vd_vif *v)
{
	bool conn = state_of(&v->fe) == VD_XB_CONNECTED;

	if (num_bad(&v->num_queues) || (v->num_queues.ok && v->num_queues.v == 0)) {
		char *q = quoted_node(v->num_queues.node, 64);

		vd_vif_add_finding(v, VD_SEV_ERROR, "num-queues-invalid",
				   "netback refuses the connection: the guest's netfront wrote "
				   "garbage, check its driver",
				   "multi-queue-num-queues is '%s': not a queue count", q);
		free(q);
	}
	if (v->num_queues.ok && v->max_queues.ok && v->num_queues.v > v->max_queues.v)
		vd_vif_add_finding(
			v, VD_SEV_ERROR, "queues-over-max",
			"netback refuses this ('guest requested N queues, but valid range is 1 - "
			"M'): lower the guest's xen-netfront max_queues or raise the backend's",
			"the guest asks for %lu queues, the backend offers at most %lu",
			v->num_queues.v, v->max_queues.v);
	if (v->layout == VD_LAYOUT_MIXED)
		vd_vif_add_finding(
			v, VD_SEV_ERROR, "queue-layout-mixed",
			"netif.h: with several queues the top-level ring keys must not exist",
			"the frontend has both top-level ring keys and queue-N dirs");
	if (v->num_queues.ok && v->num_queues.v >= 2 && v->layout != VD_LAYOUT_NONE)
		rule_queue_dirs(v);
	if (v->num_queues.ok && v->num_queues.v == 1 && v->layout == VD_LAYOUT_QUEUES)
		vd_vif_add_finding(v, VD_SEV_ERROR, "queue-layout-single",
				   "netif.h: a single queue keeps its keys at the top level",
				   "one queue negotiated, but its keys are in queue-N dirs");
	if (!v->num_queues.node && v->layout == VD_LAYOUT_QUEUES)
		vd_vif_add_finding(v, VD_SEV_ERROR, "queue-layout-single",
				   "netif.h: without multi-queue-num-queues netback reads one "
				   "queue from the top level",
				   "the frontend has queue-N dirs but no multi-queue-num-queues");
	for (size_t i = 0; conn && i < v->nqueues; i++)
		rule_queue_keys(v, &v->queues[i]);
	if (conn && v->layout == VD_LAYOUT_NONE)
		vd_vif_add_finding(v, VD_SEV_ERROR, "no-rings",
				   "a connected frontend must publish its rings before state 4: "
				   "check the guest's driver",
				   "the frontend is Connected but wrote no ring keys");
}

static void rule_features(const struct vd_host *h, struct vd_vif *v)
{
	if (state_of(&v->fe) != VD_XB_CONNECTED)
		return;
	if (!flag_set(h->snap, v->fe.path, "request-rx-copy"))
		vd_vif_add_finding(
			v, VD_SEV_ERROR, "no-rx-copy",
			"netback requires request-rx-copy=1 and refuses to connect: the guest's "
			"driver is too old or broken",
			"the frontend did not request rx-copy (request-rx-copy absent or 0)");
	if (!flag_set(h->snap, v->fe.path, "feature-rx-notify"))
		vd_vif_add_finding(v, VD_SEV_WARN, "no-rx-notify",
				   "netback then polls the ring and cannot detect a stalled guest; "
				   "update the guest's PV driver",
				   "the frontend did not write feature-rx-notify");
}

/* netback's xen_net_read_rate accepts exactly "<bytes>,<usecs>"; else traffic is unlimited. */
static bool rate_ok(const struct vd_node *nd)
{
	const char *comma = memchr(nd->value, ',', nd->len);
	unsigned long x;

	return comma && vd_parse_ulong(nd->value, (size_t)(comma - nd->value), ~0UL, &x) &&
	       vd_parse_ulong(comma + 1, nd->len - (size_t)(comma - nd->value) - 1, ~0UL, &x);
}

/* One warning per value the dump did not give in full. */
static void report_unread(const struct vd_host *h, struct vd_vif *v, const struct vd_node *nd)
{
	char *where;

	if (!unread(nd))
		return;
	where = vd_snap_path_dup(h->snap, nd);
	if (nd->flags & VD_NODE_TRUNCATED)
		vd_vif_add_finding(
			v, VD_SEV_WARN, "truncated",
			"capture the dump with output redirected to a file, not on a terminal",
			"%s was cut in the dump", where);
	else
		vd_vif_add_finding(v, VD_SEV_WARN, "unreadable",
				   "run xenstore-ls as root in dom0 (or in the backend domain)",
				   "%s was listed but its value could not be read", where);
	free(where);
}

static void rule_values(const struct vd_host *h, struct vd_vif *v)
{
	const struct vd_node *keys[] = {
		v->fe.state.node,
		v->be.state.node,
		v->fe.peer,
		v->be.peer,
		v->fe.peer_id.node,
		v->be.peer_id.node,
		v->fe.error,
		v->be.error,
		/* v->mac is the frontend's node when the backend has none: report it once */
		v->mac,
		v->fe_mac != v->mac ? v->fe_mac : NULL,
		v->hotplug_status,
		v->hotplug_error,
		v->bridge,
		v->online,
		v->vifname,
		v->rate,
		v->num_queues.node,
		v->max_queues.node,
		v->fe_disconnect,
		v->xapi_hotplug,
		v->ctrl_ring_ref.node,
		v->evtchn_ctrl.node,
	};

	for (unsigned i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		report_unread(h, v, keys[i]);
	for (size_t i = 0; i < v->nqueues; i++) {
		const struct vd_queue *q = &v->queues[i];

		report_unread(h, v, q->tx_ring_ref.node);
		report_unread(h, v, q->rx_ring_ref.node);
		report_unread(h, v, q->evtchn.node);
		report_unread(h, v, q->evtchn_tx.node);
		report_unread(h, v, q->evtchn_rx.node);
	}
	/* MACs are compared as addresses: case does not matter, cut values cannot be compared */
	if (v->fe_mac && v->mac && v->mac != v->fe_mac && !unread(v->mac) && !unread(v->fe_mac) &&
	    (v->fe_mac->len != v->mac->len || strlen(v->mac->value) != v->mac->len ||
	     strncasecmp(v->fe_mac->value, v->mac->value, v->mac->len) != 0)) {
		char *fm = quoted_node(v->fe_mac, 64), *bm = quoted_node(v->mac, 64);

		vd_vif_add_finding(v, VD_SEV_WARN, "mac-mismatch",
				   "the toolstack writes the same MAC to both ends; the guest "
				   "changed its copy",
				   "frontend mac '%s' differs from backend mac '%s'", fm, bm);
		free(fm);
		free(bm);
	}
	if (v->rate && !unread(v->rate) && !rate_ok(v->rate)) {
		char *q = quoted_node(v->rate, 64);

		vd_vif_add_finding(
			v, VD_SEV_WARN, "rate-invalid",
			"write rate as <bytes>,<microseconds> (xl: rate=10Mb/s), then re-attach "
			"the vif",
			"rate is '%s': netback cannot parse it and leaves the traffic unlimited",
			q);
		free(q);
	}
	if (has_value(v->fe_disconnect, "1"))
		vd_vif_add_finding(v, VD_SEV_WARN, "carrier-off",
				   "the toolstack (XenServer/XCP-ng xenopsd) switched the link off "
				   "on purpose: check the VIF in xapi",
				   "the frontend has disconnect=1: the guest sees no carrier");
}

/* The netdev name a backend asks for: vifname, else netback's vif<domid>.<devid>. */
static char *wanted_netdev(const struct vd_vif *v)
{
	const struct vd_node *n = v->vifname;

	if (n && n->len && !unread(n) && strlen(n->value) == n->len)
		return vd_strdup(n->value);
	return vd_asprintf("vif%lu.%lu", v->domid, v->devid);
}

/* A VIF's wanted netdev name, for sorting by (backend domain, name, position). */
struct netdev_name {
	char *name;
	long be_domid;
	size_t i;
};

static int netdev_cmp(const void *a, const void *b)
{
	const struct netdev_name *x = a, *y = b;
	int c;

	vd_work++;
	if (x->be_domid != y->be_domid)
		return x->be_domid < y->be_domid ? -1 : 1;
	c = strcmp(x->name, y->name);
	return c ? c : x->i < y->i ? -1 : x->i > y->i;
}

/*
 * R6: two backends in one domain wanting the same netdev name; the second rename fails.
 * Sorted, so that a large host costs n log n: each VIF of a group of equal names names the
 * first other VIF of the group in model order.
 */
static void rule_netdev_names(struct vd_host *h)
{
	struct netdev_name *v = vd_calloc(h->nvifs ? h->nvifs : 1, sizeof(*v));
	size_t n = 0;

	for (size_t i = 0; i < h->nvifs; i++) {
		if (!h->vifs[i]->be.present)
			continue;
		v[n].name = wanted_netdev(h->vifs[i]);
		v[n].be_domid = h->vifs[i]->be.domid;
		v[n++].i = i;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), netdev_cmp);
	for (size_t g = 0, e; g < n; g = e) {
		for (e = g + 1;
		     e < n && v[e].be_domid == v[g].be_domid && strcmp(v[e].name, v[g].name) == 0;
		     e++)
			vd_work++;
		for (size_t k = g; e - g > 1 && k < e; k++) {
			const struct vd_vif *o = h->vifs[v[k == g ? g + 1 : g].i];

			vd_vif_add_finding(
				h->vifs[v[k].i], VD_SEV_WARN, "duplicate-vifname",
				"give each vif a unique vifname=: the hotplug rename of the second "
				"fails ('Cannot rename interface ... already exists') and stopping "
				"one guest can cut the other's network",
				"netdev name '%s' is also wanted by vif %lu/%lu", v[k].name,
				o->domid, o->devid);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
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
	static const char *const codes[] = { "num-queues-invalid",
					     "queues-over-max",
					     "queue-layout-mixed",
					     "queue-dirs-mismatch",
					     "queue-layout-single",
					     "queue-keys",
					     "no-rings",
					     "no-rx-copy" };

	for (unsigned i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (has_code(v, codes[i]))
			return true;
	return false;
}

/* Most decisive cause first: a later rule would only describe a consequence. NULL: none. */
static const char *choose_verdict(const struct vd_vif *v)
{
	long fe = state_of(&v->fe), be = state_of(&v->be);

	if (v->fe.vanished || v->be.vanished)
		return "vanished";
	if (state_invalid(&v->fe) || state_invalid(&v->be))
		return "invalid-state";
	if (v->mismatch)
		return "mismatch";
	if (v->be.present && !v->fe.present) {
		if (!has_code(v, "teardown"))
			return "orphan-backend";
		return be == VD_XB_CLOSING ? "closing" : "closed";
	}
	if (v->fe.present && !v->be.present)
		return "orphan-frontend";
	if (hotplug_failed(v))
		return "hotplug-failed";
	if (connected(v))
		return queues_broken(v) ? "inconsistent" : "ok";
	if (has_code(v, "error-node"))
		return "backend-error";
	if (fe == VD_XB_RECONFIGURING)
		return "reconfiguring";
	if (has_code(v, "reconnecting"))
		return "connecting";
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
	if (has_code(v, "frontend-initialised"))
		return "connecting";
	return NULL;
}

/* A pair no rule explains: say so rather than let "connecting" pass as normal. */
static void rule_unusual(struct vd_vif *v)
{
	long fe = state_of(&v->fe), be = state_of(&v->be);

	if (fe < 0 || be < 0)
		return;
	vd_vif_add_finding(v, VD_SEV_WARN, "unusual-states",
			   "not a step of the libxl + netback/netfront handshake: if it persists, "
			   "look at both drivers' kernel logs",
			   "frontend %s with backend %s: %s", vd_xb_state_name(fe),
			   vd_xb_state_name(be), vd_xb_pair_meaning(fe, be));
}

void vd_diagnose(struct vd_host *h)
{
	for (size_t i = 0; i < h->nvifs; i++) {
		struct vd_vif *v = h->vifs[i];

		rule_states(v);
		rule_pairing(h, v);
		rule_errors(h, v);
		rule_hotplug(v);
		rule_handshake(h, v);
		rule_queues(v);
		rule_features(h, v);
		rule_values(h, v);
	}
	rule_netdev_names(h);
	vd_diagnose_udev(h);
	for (size_t i = 0; i < h->nvifs; i++) {
		struct vd_vif *v = h->vifs[i];

		v->verdict = choose_verdict(v);
		if (!v->verdict) {
			rule_unusual(v);
			v->verdict = "connecting";
		}
	}
}
