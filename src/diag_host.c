// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Host rules: the handshake can be perfect and the guest still offline because of the
 * backend domain's side (reference §2.3 last rows, §6 R9 R10 R17 R18 R19). They run after
 * vd_diagnose, add findings, and turn an `ok` verdict into the most decisive host verdict;
 * any other verdict already names an earlier cause and stays.
 */
#include "vd_sysfs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vd_render.h"
#include "vd_util.h"
#include "vd_xenbus.h"

const struct vd_verdict_info vd_host_verdicts[] = {
	{ "no-netdev", "connected, but the backend domain has no network interface for the VIF" },
	{ "not-bridged", "the backend interface is on no bridge" },
	{ "wrong-bridge", "the backend interface is on another bridge than xenstore asks for" },
	{ "link-down", "the backend interface or its bridge is down, or has no carrier" },
	{ "rx-stalled",
	  "the guest stopped refilling its RX ring: netback's queue toward it is stopped" },
	{ "mtu-mismatch", "the backend interface's MTU differs from its bridge's" },
	{ "rate-limited", "the VIF's rate limit is throttling it right now" },
	{ NULL, NULL },
};

/* A finding code of ours, and the verdict it gives; most decisive first. */
static const struct {
	const char *code, *verdict;
} promote[] = {
	{ "no-netdev", "no-netdev" },	    { "not-bridged", "not-bridged" },
	{ "wrong-bridge", "wrong-bridge" }, { "if-down", "link-down" },
	{ "bridge-down", "link-down" },	    { "rx-stalled", "rx-stalled" },
	{ "no-carrier", "link-down" },	    { "mtu-mismatch", "mtu-mismatch" },
	{ "rate-limited", "rate-limited" },
};

const char *vd_host_verdict_meaning(const char *verdict)
{
	return vd_verdict_lookup(vd_host_verdicts, verdict);
}

struct ctx {
	struct vd_vif *v;
	const struct vd_snap *snap;
	const struct vd_sysfs *s;
	const struct vd_hostfacts *f;
	const struct vd_netdev *nd;
	bool conn;    /* both ends connected */
	bool plumbed; /* the hotplug script ran or the VIF connected: it must be bridged and up */
	const char *want; /* the bridge xenstore asks for, or NULL */
	bool stalled;	  /* rx-stalled found: it explains a missing carrier */
};

/* A key's value when it is a plain string (a NUL inside makes it unusable). */
static const char *str_of(const struct vd_node *nd)
{
	return nd && nd->len && strlen(nd->value) == nd->len ? nd->value : NULL;
}

static bool up(const struct vd_netdev *nd)
{
	return nd->flags < 0 || (nd->flags & VD_IFF_UP);
}

static void rule_netdev(const struct ctx *c)
{
	long be = vd_end_state(&c->v->be);

	if (!c->f->nb->loaded && be == VD_XB_INITIALISING)
		vd_vif_add_finding(c->v, VD_SEV_ERROR, "netback-not-loaded",
				   "modprobe xen-netback in the backend domain",
				   "the xen_netback module is not loaded in domain %ld (no "
				   "/sys/module/xen_netback)",
				   c->f->local_domid);
	/* netback creates the netdev when it probes, i.e. when it leaves Initialising */
	if (!c->nd && be >= VD_XB_INITWAIT && be <= VD_XB_CONNECTED)
		vd_vif_add_finding(c->v, VD_SEV_ERROR, "no-netdev",
				   "the interface was deleted or renamed away (two VIFs with the "
				   "same vifname=?); the backend domain's kernel log and "
				   "xen-hotplug.log say more; detach and re-attach the vif",
				   "netback probed the backend (state %s) but there is no "
				   "interface for it: %s",
				   vd_xb_state_name(be), c->f->netdev_missing);
}

/* vif-openvswitch reads bridge as BRIDGE[.VLAN][:TRUNKS]. */
static bool same_bridge(const char *want, const char *have, bool ovs)
{
	size_t n = ovs ? strcspn(want, ".:") : strlen(want);

	return strcmp(want, have) == 0 || (strlen(have) == n && strncmp(want, have, n) == 0);
}

static void rule_bridge(const struct ctx *c)
{
	const struct vd_hostfacts *f = c->f;
	const char *script = str_of(c->v->script);
	bool ovs = f->bridge_kind && strcmp(f->bridge_kind, "ovs") == 0;
	enum vd_sev sev = VD_SEV_WARN;
	const char *hint;

	if (f->bridge) {
		if (c->want && !same_bridge(c->want, f->bridge, ovs))
			vd_vif_add_finding(c->v, VD_SEV_ERROR, "wrong-bridge",
					   "move the port (ip link set dev IF master BRIDGE, or "
					   "ovs-vsctl del-port/add-port) and find out why the "
					   "hotplug script chose another bridge",
					   "%s is on %s bridge %s, but xenstore asks for %s (%s)",
					   c->nd->name, ovs ? "Open vSwitch" : "Linux", f->bridge,
					   c->want,
					   c->v->bridge_path ? c->v->bridge_path : "bridge");
		return;
	}
	if (ovs) {
		vd_vif_add_finding(
			c->v, VD_SEV_INFO, "ovs-bridge-unknown",
			"ovs-vsctl port-to-br IF names the bridge",
			"%s is an Open vSwitch port (master ovs-system); its bridge is unknown: %s",
			c->nd->name, f->bridge_note ? f->bridge_note : "no reason given");
		return;
	}
	/* routed and NATed setups have no bridge on purpose */
	if (script && (strstr(script, "vif-route") || strstr(script, "vif-nat"))) {
		vd_vif_add_finding(c->v, VD_SEV_INFO, "not-bridged", NULL,
				   "%s is on no bridge, as expected with %s", c->nd->name, script);
		return;
	}
	if (c->want || (script && (strstr(script, "bridge") || strstr(script, "openvswitch"))))
		sev = VD_SEV_ERROR;
	hint = c->want && !vd_sysfs_netdev(c->s, c->want)
		       ? "the bridge does not exist: create it (ip link add NAME type bridge), "
			 "then detach and re-attach the vif"
		       : "the hotplug script did not add it, or the bridge was deleted and "
			 "re-created after the VM started (ports are not re-added): add it (ip "
			 "link set dev IF master BRIDGE, or ovs-vsctl add-port) or re-attach the "
			 "vif";
	vd_vif_add_finding(c->v, sev, "not-bridged", hint, "%s is on no bridge%s%s%s%s%s",
			   c->nd->name, f->master ? " (its master " : "",
			   f->master ? f->master : "", f->master ? " is not a bridge)" : "",
			   c->want ? "; xenstore asks for " : "", c->want ? c->want : "");
}

static void rule_link(const struct ctx *c)
{
	const struct vd_netdev *nd = c->nd, *br = c->f->br;

	if (!up(nd))
		vd_vif_add_finding(c->v, VD_SEV_ERROR, "if-down",
				   "ip link set dev IF up; the hotplug script should have done it "
				   "(old xenopsd left VIFs down on purpose)",
				   "%s is administratively down (IFF_UP is clear, operstate %s)",
				   nd->name, nd->operstate ? nd->operstate : "unknown");
	else if (c->conn && !c->stalled &&
		 (nd->carrier == 0 || (nd->operstate && !strcmp(nd->operstate, "down"))))
		vd_vif_add_finding(
			c->v, VD_SEV_ERROR, "no-carrier",
			"netback drops the carrier while the guest does not refill its RX ring "
			"('Guest Rx stalled' in the backend domain's kernel log): check the guest",
			"%s has no carrier although both ends are Connected", nd->name);
	if (br && !up(br))
		vd_vif_add_finding(c->v, VD_SEV_ERROR, "bridge-down", "ip link set dev BRIDGE up",
				   "bridge %s is administratively down", br->name);
}

static void rule_mtu(const struct ctx *c)
{
	const struct vd_netdev *nd = c->nd, *br = c->f->br;
	const struct vd_node *m = c->v->mtu ? c->v->mtu : c->v->fe_mtu;
	unsigned long want;

	if (br && nd->mtu > 0 && br->mtu > 0 && nd->mtu != br->mtu)
		vd_vif_add_finding(c->v, VD_SEV_ERROR, "mtu-mismatch",
				   "frames above the smaller MTU are dropped: set both to the same "
				   "value (vif-bridge gives the vif the bridge's MTU)",
				   "%s has MTU %ld, its bridge %s has %ld", nd->name, nd->mtu,
				   br->name, br->mtu);
	if (m && vd_parse_ulong(m->value, m->len, 65535, &want) && nd->mtu > 0 &&
	    want != (unsigned long)nd->mtu) {
		char *where = vd_snap_path_dup(c->snap, m);

		vd_vif_add_finding(c->v, VD_SEV_WARN, "mtu-config",
				   "the guest sends frames up to the MTU it is given: make mtu=, "
				   "the vif and the bridge agree",
				   "xenstore gives the guest MTU %lu (%s), %s has %ld", want, where,
				   nd->name, nd->mtu);
		free(where);
	}
}

static void rule_queues(const struct ctx *c)
{
	const struct vd_netdev *nd = c->nd;
	long neg = c->v->negotiated;

	/* before the first connect queues/ shows netback's maximum, not a negotiated count */
	if (!c->conn || neg < 1)
		return;
	if (nd->tx_queues >= 0 && (nd->tx_queues != neg || nd->rx_queues != neg))
		vd_vif_add_finding(
			c->v, VD_SEV_WARN, "queue-count-mismatch",
			"netback sets the real queue count at connect: the running backend and the "
			"xenstore keys disagree (a reconnect in progress, or stale keys)",
			"%s has %ld TX and %ld RX queues, xenstore says %ld were negotiated",
			nd->name, nd->tx_queues, nd->rx_queues, neg);
	if (c->f->dbg && c->f->dbg->nrings != (size_t)neg)
		vd_vif_add_finding(c->v, VD_SEV_WARN, "queue-count-mismatch", NULL,
				   "debugfs xen-netback/%s has %zu io_ring_q files, xenstore says "
				   "%ld queues were negotiated",
				   c->f->dbg->name, c->f->dbg->nrings, neg);
}

static void rule_params(const struct ctx *c)
{
	const struct vd_nbparams *nb = c->f->nb;
	const struct vd_num *m = &c->v->max_queues;

	if (!nb->loaded || nb->max_queues < 0)
		return;
	if (m->ok && m->v != (unsigned long)nb->max_queues)
		vd_vif_add_finding(c->v, VD_SEV_INFO, "netback-max-queues",
				   "the parameter only applies to backends probed after it "
				   "changed: re-attach the vif to apply it",
				   "xen_netback max_queues is %ld now; this backend offered %lu "
				   "when it was probed",
				   nb->max_queues, m->v);
	if (c->conn && c->v->negotiated == 1 && nb->max_queues == 1)
		vd_vif_add_finding(
			c->v, VD_SEV_INFO, "netback-single-queue",
			"set a higher max_queues for xen_netback (module option), then re-attach",
			"xen_netback max_queues=1 limits every VIF of this domain to one queue");
}

/* What the carrier says about a stall, with netback's own stall timeout when known. */
static const char *stall_note(const struct ctx *c, char *buf, size_t len)
{
	long ms = c->f->nb->rx_stall_timeout_msecs;

	if (c->nd->carrier == 0)
		return "; netback dropped the carrier";
	if (ms < 0)
		return "";
	snprintf(buf, len,
		 "; netback drops the carrier if it lasts %ld ms (rx_stall_timeout_msecs)", ms);
	return buf;
}

static void rule_rings(struct ctx *c)
{
	char note[128];
	const struct vd_nbdebug *d = c->f->dbg;
	const struct vd_ioring *lim = NULL;
	bool throttled = false;

	for (size_t i = 0; d && c->conn && i < d->nrings; i++) {
		const struct vd_ioring *r = &d->rings[i];
		uint32_t posted = vd_ioring_rx_posted(r);

		if (r->error)
			continue;
		c->stalled |= posted == 0 && ((r->rxq_ok && r->rxq_stopped) || c->nd->carrier == 0);
		if (r->rxq_ok && r->rxq_stopped && posted == 0)
			vd_vif_add_finding(
				c->v, VD_SEV_ERROR, "rx-stalled",
				"the guest is hung, overloaded or its netfront is stuck: check it "
				"(console, xl top); netback drops the carrier after "
				"rx_stall_timeout_msecs and logs 'Guest Rx stalled'",
				"queue %lu: netback's RX queue toward the guest is stopped (%llu "
				"of %llu bytes, %llu packets) and the guest has posted no RX "
				"buffers (req prod = rsp prod = %u)%s",
				r->id, r->rxq_len, r->rxq_max, r->rxq_pkts, r->rx.rsp_prod,
				stall_note(c, note, sizeof(note)));
		else if (r->rxq_ok && r->rxq_stopped)
			vd_vif_add_finding(c->v, VD_SEV_WARN, "rx-queue-stopped",
					   "normal for moments under load; if it lasts, the guest "
					   "takes packets too slowly",
					   "queue %lu: netback's RX queue toward the guest is full "
					   "and stopped; %u RX buffers posted",
					   r->id, posted);
		else if (posted == 0 && c->nd->carrier == 0)
			vd_vif_add_finding(
				c->v, VD_SEV_ERROR, "rx-stalled",
				"the guest does not refill its RX ring: check it (console, xl top)",
				"queue %lu: the guest has posted no RX buffers and netback dropped "
				"the carrier",
				r->id);
		if (r->credit_ok && !vd_ioring_unlimited(r)) {
			lim = lim ? lim : r;
			throttled |= r->timer_pending;
		}
	}
	if (lim)
		vd_vif_add_finding(c->v, throttled ? VD_SEV_WARN : VD_SEV_INFO,
				   throttled ? "rate-limited" : "rate-limit",
				   "the limit comes from rate= (xenstore rate); raise or remove it "
				   "and re-attach the vif",
				   "rate limit %llu bytes per %llu us (%.1f Mbit/s per queue)%s",
				   lim->credit_bytes, lim->credit_usec,
				   (double)lim->credit_bytes * 8 / (double)lim->credit_usec,
				   throttled ? "; credit used up, waiting for the refill timer"
					     : "");
}

static void rule_twins(const struct ctx *c)
{
	for (size_t i = 0; c->f->bridge && i < c->f->ntwins; i++) {
		const struct vd_netdev *t = c->f->twins[i];
		const char *kind, *tb = vd_host_attachment(c->s, t, &kind);

		if (tb && strcmp(tb, c->f->bridge) != 0)
			vd_vif_add_finding(
				c->v, VD_SEV_WARN, "twin-bridge",
				"the guest sees another network before its PV drivers load: put "
				"both on one bridge",
				"the emulated twin %s is on %s, the PV interface %s on %s", t->name,
				tb, c->nd->name, c->f->bridge);
	}
}

static void choose(struct vd_vif *v, size_t first)
{
	if (!vd_verdict_ok(v->verdict))
		return;
	for (size_t p = 0; p < sizeof(promote) / sizeof(promote[0]); p++)
		for (size_t i = first; i < v->nfindings; i++)
			if (v->findings[i].sev >= VD_SEV_WARN &&
			    strcmp(v->findings[i].code, promote[p].code) == 0) {
				v->verdict = promote[p].verdict;
				return;
			}
}

void vd_diagnose_host(struct vd_host *h, const struct vd_sysfs *s)
{
	for (size_t i = 0; i < h->nvifs; i++) {
		struct vd_vif *v = h->vifs[i];
		long fe = vd_end_state(&v->fe), be = vd_end_state(&v->be);
		struct ctx c = { .v = v, .snap = h->snap, .s = s, .f = v->host };
		size_t first = v->nfindings;

		if (!c.f)
			continue;
		c.nd = c.f->nd;
		c.conn = fe == VD_XB_CONNECTED &&
			 (be == VD_XB_CONNECTED || be == VD_XB_RECONFIGURED);
		c.plumbed = c.conn || (str_of(v->hotplug_status) &&
				       strcmp(str_of(v->hotplug_status), "connected") == 0);
		c.want = str_of(v->bridge);
		rule_netdev(&c);
		if (c.nd)
			rule_rings(&c);
		if (c.nd && c.plumbed) {
			rule_bridge(&c);
			rule_link(&c);
			rule_mtu(&c);
			rule_twins(&c);
		}
		if (c.nd)
			rule_queues(&c);
		rule_params(&c);
		choose(v, first);
	}
}
