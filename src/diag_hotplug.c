// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The hotplug rules (vd_hotplug.h). R7: a script that found no netdev (xen-hotplug.log).
 * The log has no times and domids restart at 1 after a reboot, so a line alone is history:
 * it is an error only where the VIF shows the damage now. R3: libxl/disable_udev where
 * udev runs the scripts. libxl wrote the key from Xen 4.2 to 4.5 (xl.conf
 * run_hotplug_scripts, and xl devd in driver domains) and the udev-called scripts of
 * then exited when it existed (xenstore-read succeeding, whatever the value); since 4.6
 * (2ba368d138) libxl runs the scripts itself and neither writes nor reads it. xenopsd
 * (XenServer/XCP-ng) relies on udev, and its vif script still exits on the key: one xl
 * run on such a host leaves it behind (xenopsd#4).
 */
#include "vd_hotplug.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vd_diag.h"
#include "vd_sysfs.h"
#include "vd_util.h"
#include "vd_xenbus.h"

#define EV_LINES_MAX 5 /* log lines as evidence: the newest */

static bool named(const struct vd_hp_line *l, char names[][VD_HP_NAME_MAX], size_t n)
{
	for (size_t i = 0; l->kind == VD_HP_NODEV && i < n; i++)
		if (strcmp(l->name, names[i]) == 0)
			return true;
	return false;
}

/* The names the VIF's netdev has or had: vifD.N, its vifname, what sysfs maps it to. */
static size_t netdev_names(const struct vd_vif *v, char names[3][VD_HP_NAME_MAX])
{
	size_t n = 0;

	snprintf(names[n++], VD_HP_NAME_MAX, "vif%lu.%lu", v->domid, v->devid);
	if (v->vifname && vd_hp_name_ok(v->vifname->value, v->vifname->len))
		snprintf(names[n++], VD_HP_NAME_MAX, "%s", v->vifname->value);
	if (v->host && v->host->nd && strlen(v->host->nd->name) < VD_HP_NAME_MAX)
		snprintf(names[n++], VD_HP_NAME_MAX, "%s", v->host->nd->name);
	return n;
}

/* What the VIF shows now that a missing netdev explains (owned); NULL: it looks plugged. */
static char *damage(const struct vd_vif *v)
{
	const struct vd_hostfacts *hf = v->host;

	if (!vd_node_is(v->hotplug_status, "connected"))
		return vd_strdup("the hotplug script did not report connected");
	if (hf && !hf->nd)
		return vd_strdup("the backend domain has no netdev for it");
	if (hf && hf->nd && !hf->nd->master && !hf->nd->brport)
		return vd_asprintf("its netdev (now %s) is on no bridge", hf->nd->name);
	return NULL;
}

static void rule_no_netdev(struct vd_vif *v, const struct vd_hplog *l)
{
	char names[3][VD_HP_NAME_MAX];
	size_t n = netdev_names(v, names), hits = 0, first = 0;
	const struct vd_hp_line *last = NULL;
	char *why = damage(v);
	struct vd_finding *f;

	for (size_t i = 0; i < l->n; i++) {
		if (!named(&l->lines[i], names, n))
			continue;
		if (!hits++)
			first = i;
		last = &l->lines[i];
	}
	if (!hits) {
		free(why);
		return;
	}
	if (why)
		vd_vif_add_finding(
			v, VD_SEV_ERROR, "hotplug-no-netdev",
			"the script ran while the netdev was missing: before netback created it (a "
			"udev rule or custom script that runs too early) or after something "
			"renamed "
			"it (udev or systemd-networkd naming, a clashing vifname=); check the "
			"backend domain's kernel log and ip -d link, then detach and re-attach "
			"the vif",
			"the hotplug script ran before the netdev %s existed (%s:%lu, %zu line%s "
			"of "
			"the log), and %s",
			last->name, l->file, last->line, hits, hits == 1 ? "" : "s", why);
	else
		vd_vif_add_finding(
			v, VD_SEV_INFO, "hotplug-no-netdev",
			"the log has no times and domain IDs restart after a reboot: the line can "
			"be "
			"an earlier domain's; nothing to do while the VIF works",
			"the hotplug log says a script once found no netdev %s (%s:%lu); the VIF "
			"is plugged now",
			last->name, l->file, last->line);
	free(why);
	f = vd_vif_last_finding(v);
	for (size_t i = first, left = hits; i < l->n; i++) {
		char where[512];

		if (!named(&l->lines[i], names, n) || left-- > EV_LINES_MAX)
			continue;
		snprintf(where, sizeof(where), "%s:%lu", l->file, l->lines[i].line);
		vd_finding_add_evidence(f, VD_EV_LOG, where, l->lines[i].text, l->lines[i].len,
					l->lines[i].len == VD_HP_TEXT_MAX ? "truncated" : NULL);
	}
}

void vd_diagnose_hotplug_log(struct vd_host *h, const struct vd_hplog *l)
{
	for (size_t i = 0; l && i < h->nvifs; i++)
		if (h->vifs[i]->be.present)
			rule_no_netdev(h->vifs[i], l);
}

/* Hotplug has not run: no connected, no error text, netback waiting in InitWait. */
static bool never_ran(const struct vd_vif *v)
{
	return v->be.present && v->be.state.ok && v->be.state.v == VD_XB_INITWAIT &&
	       !vd_node_is(v->hotplug_status, "connected") && !v->hotplug_error;
}

/* xenopsd's /xapi tree (a live walk lists /xapi without reading the node itself). */
static bool xenopsd(const struct vd_host *h)
{
	const char **names;
	size_t n = vd_snap_children(h->snap, "/xapi", &names);

	free(names);
	return n || vd_snap_get(h->snap, "/xapi");
}

void vd_diagnose_udev(struct vd_host *h)
{
	bool xapi = xenopsd(h);

	for (size_t i = 0; i < h->nvifs; i++) {
		struct vd_vif *v = h->vifs[i];
		const struct vd_node *key;
		struct vd_finding *f;
		const char *tk;

		if (!never_ran(v) || v->be.domid < 0)
			continue;
		key = vd_snap_getf(h->snap, "/local/domain/%ld/libxl/disable_udev", v->be.domid);
		/* libxl (4.6 on) runs dom0's scripts itself, whatever the key says */
		if (!key || (!xapi && v->be.domid == 0))
			continue;
		if (xapi) {
			tk = "present: the toolstack is xenopsd (XenServer/XCP-ng), udev runs the "
			     "vif script";
			char *hint = vd_asprintf(
				"an xl run on this xapi host left the key (xenopsd#4): xenstore-rm "
				"/local/domain/%ld/libxl/disable_udev, then unplug and plug the "
				"VIF "
				"(xe vif-unplug, xe vif-plug) or restart the VM; manage VMs "
				"through "
				"xapi, not xl",
				v->be.domid);

			vd_vif_add_finding(v, VD_SEV_ERROR, "udev-disabled", hint,
					   "hotplug never ran: "
					   "/local/domain/%ld/libxl/disable_udev exists, so "
					   "the vif script udev calls exits at once, and xenopsd "
					   "relies on udev",
					   v->be.domid);
			free(hint);
		} else {
			tk = "absent: the toolstack is libxl, which runs no script for a driver "
			     "domain's backend (xl devd there does)";
			vd_vif_add_finding(
				v, VD_SEV_ERROR, "udev-disabled",
				"start xl devd in the driver domain (Xen 4.6 and later run the "
				"scripts "
				"only through it, whatever the key says); if udev should run them "
				"there, xenstore-rm the key from inside the driver domain",
				"hotplug never ran in driver domain %ld: its libxl/disable_udev "
				"makes "
				"udev-called scripts exit, and no xl devd ran the script",
				v->be.domid);
		}
		f = vd_vif_last_finding(v);
		vd_finding_add_evidence(f, VD_EV_XS, "/xapi", tk, strlen(tk), NULL);
	}
}
