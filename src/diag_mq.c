// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Multi-queue rules (vd_mq.h): a VIF on fewer queues than its guest could use, and why
 * (an old driver, the guest's choice, the backend's limit), and a VIF whose traffic all
 * lands on one of its queues.
 */
#include "vd_mq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vd_render.h"
#include "vd_sysfs.h"
#include "vd_util.h"
#include "vd_xenbus.h"

/* Linux netfront's default max_queues (MAX_QUEUES_DEFAULT): more vCPUs give no more. */
#define NETFRONT_MAX_DEFAULT 8
/* hash imbalance: one queue with this share of the events, when there are enough events */
#define IMBALANCE_SHARE	     0.9
#define IMBALANCE_MIN_RATE   50.0 /* events/s in a sampling window */
#define IMBALANCE_MIN_EVENTS 1000 /* events since boot, without a window */

struct mqctx {
	struct vd_vif *v;
	const struct vd_mq *mq;
	const char *root;      /* the evidence's paths: under the root the sysfs was read from */
	long vcpus, vcpus_max; /* the guest's online and configured vCPUs, -1 unknown */
	long offer;	       /* backend multi-queue-max-queues; 1 when absent (no multi-queue) */
	bool windows;	       /* the frontend uses a control ring: Windows xenvif */
};

static void ev_text(struct vd_finding *f, enum vd_evkind k, const char *where, const char *value)
{
	vd_finding_add_evidence(f, k, where, value, value ? strlen(value) : 0,
				value ? NULL : "absent");
}

static void ev_cpus(const struct mqctx *c, struct vd_finding *f)
{
	char buf[64];

	if (c->vcpus >= 0) {
		char *where = vd_asprintf("/local/domain/%lu/cpu", c->v->domid);

		snprintf(buf, sizeof(buf), "%ld online of %ld", c->vcpus, c->vcpus_max);
		ev_text(f, VD_EV_XS, where, buf);
		free(where);
	}
}

static void ev_backend(const struct mqctx *c, struct vd_finding *f)
{
	const struct vd_nbparams *nb = c->v->host ? c->v->host->nb : NULL;

	if (c->mq->be_cpus_path)
		ev_text(f, VD_EV_HOST, c->mq->be_cpus_path, c->mq->be_cpus_text);
	if (nb && nb->loaded && nb->max_queues >= 0) {
		char *where = vd_asprintf("%s" VD_NB_PARAMS "/max_queues", vd_root_prefix(c->root));
		char buf[32];

		snprintf(buf, sizeof(buf), "%ld", nb->max_queues);
		ev_text(f, VD_EV_HOST, where, buf);
		free(where);
	}
}

/* VD062: the frontend never wrote multi-queue-num-queues while it could have used more. */
static void rule_legacy(const struct mqctx *c)
{
	struct vd_finding *f;

	if (c->v->num_queues.node || c->vcpus < 2 || c->offer < 2)
		return;
	vd_vif_add_finding(
		c->v, VD_SEV_WARN, "mq-legacy-frontend",
		c->windows
			? "upgrade the Windows PV drivers (xenvif/xennet 8.x and later negotiate "
			  "several queues)"
			: "upgrade the guest kernel: Linux netfront negotiates several queues "
			  "since 3.16 (older BSD and unikernel netfronts have one ring)",
		"the guest has %ld vCPUs and the backend offers %ld queues, but the frontend wrote "
		"no multi-queue-num-queues: all its traffic uses one ring (%s)",
		c->vcpus, c->offer,
		c->windows ? "a Windows PV driver without multi-queue"
			   : "a netfront without multi-queue");
	f = vd_vif_last_finding(c->v);
	ev_cpus(c, f);
}

/* VD063: the frontend chose fewer queues than both sides allow. */
static void rule_fewer(const struct mqctx *c)
{
	unsigned long want;
	struct vd_finding *f;
	char hint[256];

	if (!c->v->num_queues.ok || c->vcpus < 2)
		return;
	want = (unsigned long)(c->vcpus < c->offer ? c->vcpus : c->offer);
	if (c->v->num_queues.v >= want)
		return;
	if (c->windows)
		snprintf(hint, sizeof(hint),
			 "raise the queue count of the Windows PV network driver (xenvif "
			 "parameters) to %lu, then restart the adapter",
			 want);
	else if (c->v->num_queues.v == NETFRONT_MAX_DEFAULT)
		snprintf(hint, sizeof(hint),
			 "netfront's default max_queues is %d: add xen_netfront.max_queues=%lu to "
			 "the guest kernel command line",
			 NETFRONT_MAX_DEFAULT, want);
	else
		snprintf(hint, sizeof(hint),
			 "the guest limits it: xen_netfront.max_queues=%lu on the guest kernel "
			 "command line (or in /etc/modprobe.d), then reboot or reload xen-netfront",
			 want);
	vd_vif_add_finding(c->v, VD_SEV_WARN, "mq-fewer-queues", hint,
			   "%lu queue%s negotiated, but the guest has %ld vCPUs and the backend "
			   "offers %ld",
			   c->v->num_queues.v, c->v->num_queues.v == 1 ? "" : "s", c->vcpus,
			   c->offer);
	f = vd_vif_last_finding(c->v);
	ev_cpus(c, f);
}

/* VD064: the backend's offer is below what the guest could use; say what limits it. */
static void rule_backend(const struct mqctx *c)
{
	const struct vd_nbparams *nb = c->v->host ? c->v->host->nb : NULL;
	long could = c->vcpus < NETFRONT_MAX_DEFAULT ? c->vcpus : NETFRONT_MAX_DEFAULT;
	long param = nb && nb->loaded ? nb->max_queues : -1, cpus = c->mq->be_cpus;
	char why[320];
	const char *hint;
	struct vd_finding *f;

	if (c->vcpus < 2 || c->offer >= could || !c->v->max_queues.ok)
		return;
	if (param == c->offer && cpus == c->offer) {
		snprintf(why, sizeof(why),
			 ": netback's max_queues defaults to the backend domain's %ld CPU%s", cpus,
			 cpus == 1 ? "" : "s");
		hint = "give the backend domain more vCPUs (dom0_max_vcpus= on the Xen command "
		       "line, or the driver domain's vcpus=), or set xen_netback.max_queues, then "
		       "re-attach the vif";
	} else if (param == c->offer) {
		snprintf(why, sizeof(why), ": xen_netback max_queues is %ld", param);
		hint = "raise xen_netback max_queues (module option, up to the backend domain's "
		       "CPUs), then re-attach the vif";
	} else if (param > c->offer) {
		char cpubuf[64] = "";

		if (cpus > 0)
			snprintf(cpubuf, sizeof(cpubuf), " and the backend domain has %ld CPU%s",
				 cpus, cpus == 1 ? "" : "s");
		snprintf(why, sizeof(why),
			 ", although netback's max_queues is %ld%s: multi-queue-max-queues was "
			 "written over after netback probed (or max_queues changed since)",
			 param, cpubuf);
		hint = "find what wrote multi-queue-max-queues (vifdiag log on the store's "
		       "log), then detach and re-attach the vif so netback writes its own value";
	} else {
		snprintf(
			why, sizeof(why),
			": without the backend domain's facts the limit is unknown (netback offers "
			"its max_queues, by default the backend domain's CPUs)");
		hint = "check xen_netback max_queues and the vCPUs of the backend domain "
		       "(--sysfs-root), then re-attach the vif";
	}
	vd_vif_add_finding(c->v, VD_SEV_WARN, "mq-backend-limit", hint,
			   "the backend offers %ld queue%s to a guest with %ld vCPUs%s", c->offer,
			   c->offer == 1 ? "" : "s", c->vcpus, why);
	f = vd_vif_last_finding(c->v);
	ev_cpus(c, f);
	ev_backend(c, f);
}

#define IMBALANCE_HINT                                                                             \
	"netback and netfront pick a queue per flow by its hash: a single flow, or flows that "    \
	"hash alike, all land on one queue and one vCPU; more parallel flows spread the load, "    \
	"otherwise expect single-queue throughput"

/* The interrupt lines of every queue, then (with two readings) each ring's progress. */
static void ev_load(const struct mqctx *c, struct vd_finding *f, const struct vd_qload *ld)
{
	const char *root = vd_root_prefix(c->root);

	for (size_t i = 0; ld->irq && i < ld->nq; i++) {
		char *where;

		if (!ld->q[i].seen && !ld->q[i].lines) /* a queue only the rings know */
			continue;
		where = vd_asprintf("%s" VD_IRQ_FILE " (queue %lu)", root, ld->q[i].queue);
		ev_text(f, VD_EV_HOST, where, ld->q[i].lines);
		free(where);
	}
	for (size_t i = 0; ld->rings && ld->ring_dir && i < ld->nq; i++) {
		char *where;

		if (ld->q[i].ring.state == VD_RING_NONE)
			continue;
		where = vd_asprintf("%s/sys/kernel/debug/xen-netback/%s/io_ring_q%lu (2 readings, "
				    "%.1f s apart)",
				    root, ld->ring_dir, ld->q[i].queue, ld->secs);
		ev_text(f, VD_EV_HOST, where, ld->q[i].ring.text);
		free(where);
	}
}

/*
 * VD065: nearly all events of a multi-queue VIF on one queue. The interrupts judge when
 * /proc/interrupts has the VIF's lines with events; otherwise the rings' progress between
 * the two debugfs readings does. The evidence cites both when both are there.
 */
static void rule_imbalance(const struct mqctx *c)
{
	const struct vd_qload *ld = c->v->load;
	const struct vd_qrate *top = NULL;
	bool by_irq;
	size_t used = 0;
	unsigned long long total;
	double share;

	if (!ld || ld->nq < 2 || c->v->negotiated < 2)
		return;
	by_irq = ld->irq && ld->total;
	if (!by_irq && !(ld->rings && ld->slots))
		return;
	total = by_irq ? ld->total : ld->slots;
	for (size_t i = 0; i < ld->nq; i++) {
		const struct vd_qrate *q = &ld->q[i];

		used += by_irq ? q->seen : q->ring.state == VD_RING_OK;
		if (!top || (by_irq ? q->events > top->events : q->ring.slots > top->ring.slots))
			top = q;
	}
	share = (double)(by_irq ? top->events : top->ring.slots) / (double)total;
	if (used < 2 || share < IMBALANCE_SHARE)
		return;
	if ((by_irq && !ld->window) ? total < IMBALANCE_MIN_EVENTS
				    : (double)total / ld->secs < IMBALANCE_MIN_RATE)
		return;
	if (!by_irq)
		vd_vif_add_finding(c->v, VD_SEV_WARN, "queue-imbalance", IMBALANCE_HINT,
				   "hash imbalance: queue %lu carries %.0f%% of the %.0f ring "
				   "slots/s of %zu queues (debugfs ring indexes; no interrupt "
				   "counts)",
				   top->queue, share * 100, (double)total / ld->secs, ld->nq);
	else if (ld->window)
		vd_vif_add_finding(
			c->v, VD_SEV_WARN, "queue-imbalance", IMBALANCE_HINT,
			"hash imbalance: queue %lu carries %.0f%% of the %.0f events/s of "
			"%zu queues",
			top->queue, share * 100, (double)total / ld->secs, ld->nq);
	else
		vd_vif_add_finding(
			c->v, VD_SEV_WARN, "queue-imbalance", IMBALANCE_HINT,
			"hash imbalance: queue %lu carries %.0f%% of the %llu events since "
			"boot of %zu queues",
			top->queue, share * 100, total, ld->nq);
	ev_load(c, vd_vif_last_finding(c->v), ld);
}

void vd_diagnose_mq(struct vd_host *h, const struct vd_sysfs *s, const struct vd_mq *mq)
{
	for (size_t i = 0; i < h->nvifs; i++) {
		struct mqctx c = { .v = h->vifs[i], .mq = mq, .root = s ? s->root : NULL };

		if (vd_end_state(&c.v->fe) != VD_XB_CONNECTED ||
		    vd_end_state(&c.v->be) != VD_XB_CONNECTED)
			continue;
		c.vcpus = vd_guest_vcpus(h->snap, c.v->domid, &c.vcpus_max);
		c.offer = c.v->max_queues.ok ? (long)c.v->max_queues.v : 1;
		c.windows = c.v->ctrl_ring_ref.node != NULL;
		rule_legacy(&c);
		rule_fewer(&c);
		rule_backend(&c);
		rule_imbalance(&c);
	}
}
