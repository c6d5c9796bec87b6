// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libxl facts joined to the model and their rules. The store cannot tell a paused guest
 * from one without a driver, nor leftovers of a destroyed domain from a live one: the
 * hypervisor's run state (through libxl) can. libxl's NIC list is the toolstack's own
 * record (/libxl/<domid>/device/vif): a VIF missing from it cannot be managed with xl, a
 * record without a VIF is stale. libxl is read after the store, so a domain destroyed in
 * between shows as gone: it is gone by the time the report is read.
 */
#include "vd_xl.h"

#include <stdlib.h>
#include <string.h>

#include "vd_util.h"

const struct vd_verdict_info vd_xl_verdicts[] = {
	{ "domain-gone", "the hypervisor has no such domain: the store holds leftovers" },
	{ "paused", "the guest is paused: its driver cannot connect until it runs" },
	{ "libxl-only", "libxl lists this VIF but the store has neither end of it" },
	{ NULL, NULL },
};

const char *vd_xl_verdict_meaning(const char *verdict)
{
	return vd_verdict_lookup(vd_xl_verdicts, verdict);
}

static struct vd_xlnic *nic_of(const struct vd_xldom *d, unsigned long devid)
{
	for (size_t i = 0; d && i < d->nnics; i++)
		if (d->nics[i].devid == devid)
			return &d->nics[i];
	return NULL;
}

void vd_xl_join(struct vd_host *h, struct vd_xl *x)
{
	h->xl = x;
	if (x->unavailable)
		return;
	for (size_t i = 0; i < h->nvifs; i++) {
		struct vd_xlnic *n = nic_of(vd_xl_domain(x, h->vifs[i]->domid), h->vifs[i]->devid);

		if (n)
			n->matched = true;
	}
	for (size_t i = 0; i < x->ndoms; i++) {
		for (size_t j = 0; j < x->doms[i].nnics; j++) {
			struct vd_xlnic *n = &x->doms[i].nics[j];

			if (n->matched)
				continue;
			n->fe_path = vd_asprintf("/local/domain/%lu/device/vif/%lu",
						 x->doms[i].domid, n->devid);
			n->be_path = vd_asprintf("/local/domain/%lu/backend/vif/%lu/%lu",
						 n->backend_domid, x->doms[i].domid, n->devid);
			vd_host_add_absent_vif(h, x->doms[i].domid, n->devid, n->fe_path,
					       n->be_path);
		}
	}
	x->facts = vd_calloc(h->nvifs ? h->nvifs : 1, sizeof(*x->facts));
	x->nfacts = h->nvifs;
	for (size_t i = 0; i < h->nvifs; i++) {
		struct vd_vif *v = h->vifs[i];
		struct vd_xlfacts *f = &x->facts[i];

		f->dom = vd_xl_domain(x, v->domid);
		f->nic = nic_of(f->dom, v->devid);
		f->managed = f->dom && f->dom->nnics;
		v->xl = f;
	}
}

static const char *mac_of(const struct vd_vif *v)
{
	return v->mac && v->mac->len && strlen(v->mac->value) == v->mac->len ? v->mac->value : NULL;
}

static void rule_gone(struct vd_vif *v)
{
	vd_vif_add_finding(v, VD_SEV_ERROR, "domain-gone",
			   "leftovers of a domain the toolstack did not finish destroying (xl "
			   "crashed or was killed mid-destroy, or a driver domain's devd is "
			   "gone): check 'xl list', then remove the stale dirs with xenstore-rm",
			   "the hypervisor has no domain %lu, but the store still holds its vif "
			   "%lu (%s%s%s)",
			   v->domid, v->devid, v->fe.present ? "frontend" : "",
			   v->fe.present && v->be.present ? " and " : "",
			   v->be.present ? "backend" : "");
	if (strcmp(v->verdict, "vanished") != 0)
		v->verdict = "domain-gone";
}

static void rule_run(struct vd_vif *v, const struct vd_xldom *d)
{
	bool ok = vd_verdict_ok(v->verdict);

	switch (d->run) {
	case VD_RUN_PAUSED:
		if (ok) {
			vd_vif_add_finding(v, VD_SEV_WARN, "domain-paused",
					   "xl unpause DOMAIN, unless it was paused on purpose",
					   "domain %lu is paused: the VIF is connected, but the "
					   "guest handles no traffic until it runs",
					   v->domid);
			break;
		}
		/* a paused guest's driver has not failed to connect: it has not run yet */
		for (size_t i = 0; i < v->nfindings; i++)
			if (strcmp(v->findings[i].code, "no-driver") == 0)
				v->findings[i].sev = VD_SEV_INFO;
		vd_vif_add_finding(v, VD_SEV_ERROR, "domain-paused",
				   "xl unpause DOMAIN (xl create -p leaves it paused; so does a "
				   "migration or save that did not finish)",
				   "domain %lu is paused: its vCPUs do not run, so its network "
				   "driver cannot take the next step of the handshake",
				   v->domid);
		/* these name a cause that unpausing would not cure */
		if (strcmp(v->verdict, "vanished") != 0 && strcmp(v->verdict, "mismatch") != 0 &&
		    strcmp(v->verdict, "libxl-only") != 0)
			v->verdict = "paused";
		break;
	case VD_RUN_SHUTDOWN:
		vd_vif_add_finding(v, VD_SEV_WARN, "domain-shutdown",
				   "normal for a moment; if it stays, the toolstack did not "
				   "destroy it (on_poweroff/on_crash=preserve, or xl's daemon is "
				   "gone): xl destroy DOMAIN",
				   "domain %lu has shut down (%s) and waits to be destroyed",
				   v->domid,
				   d->shutdown_reason ? d->shutdown_reason : "unknown reason");
		break;
	case VD_RUN_DYING:
		vd_vif_add_finding(v, VD_SEV_WARN, "domain-dying",
				   "normal for a moment; if it stays ('xl list' shows it as "
				   "(null)), a backend still maps its memory: look at its backends "
				   "that are not Closed and at the backend domain's kernel log",
				   "domain %lu is dying: destroyed, but the hypervisor keeps it "
				   "until every grant mapping of its memory is released",
				   v->domid);
		break;
	default:
		break;
	}
}

static void rule_listed(struct vd_vif *v, const struct vd_xlfacts *f)
{
	const char *mac = mac_of(v);
	const struct vd_xlnic *n = f->nic;

	if (!v->fe.present && !v->be.present) {
		if (!n)
			return;
		vd_vif_add_finding(v, VD_SEV_ERROR, "libxl-only",
				   "a stale libxl record: the device was removed behind libxl's "
				   "back (xenstore-rm, a driver domain that died): remove "
				   "/libxl/DOMID/device/vif/DEVID, or attach the vif again",
				   "libxl lists vif %lu of domain %lu (mac %s, bridge %s, backend "
				   "domain %lu), but the store has neither its frontend nor its "
				   "backend",
				   v->devid, v->domid, n->mac, n->bridge ? n->bridge : "none",
				   n->backend_domid);
		v->verdict = "libxl-only";
		return;
	}
	if (!n) {
		/* a domain libxl manages no NIC of (XenServer, a hand-made VIF) is no news */
		if (f->managed)
			vd_vif_add_finding(v, VD_SEV_WARN, "libxl-unlisted",
					   "xl network-list does not show it and xl "
					   "network-detach cannot remove it: it was made without "
					   "libxl, or its /libxl/DOMID/device/vif/DEVID record was "
					   "removed",
					   "libxl lists other NICs of domain %lu, but not vif %lu",
					   v->domid, v->devid);
		return;
	}
	if ((mac && strcasecmp(mac, n->mac) != 0) ||
	    (v->be.domid >= 0 && (unsigned long)v->be.domid != n->backend_domid))
		vd_vif_add_finding(v, VD_SEV_WARN, "libxl-differs",
				   "the store was changed behind libxl's back, or the record is "
				   "stale from an earlier vif with this devid: detach and attach "
				   "the vif again with xl",
				   "libxl's record of vif %lu says mac %s and backend domain %lu; "
				   "the store says mac %s and backend domain %ld",
				   v->devid, n->mac, n->backend_domid, mac ? mac : "(none)",
				   v->be.domid);
}

void vd_diagnose_xl(struct vd_host *h, const struct vd_xl *x)
{
	if (x->unavailable)
		return;
	for (size_t i = 0; i < h->nvifs; i++) {
		struct vd_vif *v = h->vifs[i];
		const struct vd_xlfacts *f = v->xl;

		if (!f)
			continue;
		rule_listed(v, f);
		if (!f->dom)
			rule_gone(v);
		else
			rule_run(v, f->dom);
	}
}
