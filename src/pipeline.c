// SPDX-License-Identifier: GPL-2.0-or-later
#include "vd_pipeline.h"

#include <stdlib.h>
#include <string.h>

#include "vd_cmd.h"
#include "vd_diag.h"
#include "vd_esc.h"
#include "vd_source.h"
#include "vd_sysfs.h"
#include "vd_util.h"
#include "vd_xl.h"

int vd_report_load(struct vd_report *r, const struct vd_opts *o, struct vd_err *err)
{
	memset(r, 0, sizeof(*r));
	r->snap = vd_snap_new();
	if (vd_source_snapshot(o, r->snap, err) < 0)
		return -1;
	r->host = vd_build_model(r->snap);
	vd_diagnose(r->host);
	/* before the host join: the VIFs only libxl lists get host facts too */
	r->xl = vd_xl_read(!o->from);
	vd_xl_join(r->host, r->xl);
	vd_diagnose_xl(r->host, r->xl);
	/* a dump comes from another host: its sysfs only with an explicit --sysfs-root */
	r->sysfs = vd_sysfs_read(o->sysfs_root ? o->sysfs_root
				 : o->from     ? NULL
					       : "/",
				 !o->sysfs_root);
	vd_host_join(r->host, r->sysfs);
	vd_diagnose_host(r->host, r->sysfs);
	return 0;
}

static bool name_is(const struct vd_domain *d, const char *name)
{
	return d && d->name && d->name->len == strlen(name) && strcmp(d->name->value, name) == 0;
}

/* Which domid an argument names: a number, or a domain name (which must be unique). */
static int resolve_dom(const struct vd_host *h, const char *arg, unsigned long *domid,
		       struct vd_err *err)
{
	size_t hits = 0;

	if (vd_parse_uint_str(arg, 0xffffffffUL, domid))
		return 0;
	for (size_t i = 0; i < h->ndoms; i++) {
		if (name_is(&h->doms[i], arg)) {
			*domid = h->doms[i].domid;
			hits++;
		}
	}
	if (hits == 1)
		return 0;
	vd_err_set(err, VD_EXIT_USAGE,
		   hits ? "domain name '%s' is ambiguous: use its domid"
			: "no domain named '%s' (give a domid or a name from 'vifdiag status')",
		   arg);
	return -1;
}

static int select_one(struct vd_report *r, const char *arg, bool allow_devid, bool *picked,
		      struct vd_err *err)
{
	const char *slash = allow_devid ? strrchr(arg, '/') : NULL;
	char *dom = slash ? vd_strndup(arg, (size_t)(slash - arg)) : vd_strdup(arg);
	unsigned long domid, devid = 0;
	bool any = false;
	int rc = -1;

	if (slash && !vd_parse_uint_str(slash + 1, 0xffffffffUL, &devid)) {
		vd_err_set(err, VD_EXIT_USAGE, "'%s': expected DOM/DEVID with a numeric DEVID",
			   arg);
		goto out;
	}
	if (resolve_dom(r->host, dom, &domid, err) < 0)
		goto out;
	for (size_t i = 0; i < r->host->nvifs; i++) {
		const struct vd_vif *v = r->host->vifs[i];

		if (v->domid != domid || (slash && v->devid != devid))
			continue;
		any = true;
		picked[i] = true;
	}
	if (!any && !vd_host_domain(r->host, domid))
		vd_err_set(err, VD_EXIT_USAGE, "no domain %lu and no VIF of it in the store",
			   domid);
	else if (!any && slash)
		vd_err_set(err, VD_EXIT_USAGE, "domain %lu has no vif %lu", domid, devid);
	else
		rc = 0;
out:
	free(dom);
	return rc;
}

int vd_report_select(struct vd_report *r, int argc, char **argv, bool allow_devid,
		     struct vd_err *err)
{
	size_t n = r->host->nvifs;
	bool *picked = vd_calloc(n, sizeof(*picked));

	for (int i = 0; i < argc; i++) {
		if (select_one(r, argv[i], allow_devid, picked, err) < 0) {
			free(picked);
			return -1;
		}
	}
	r->sel.vifs = vd_calloc(n, sizeof(*r->sel.vifs));
	for (size_t i = 0; i < n; i++)
		if (argc == 0 || picked[i])
			r->sel.vifs[r->sel.n++] = r->host->vifs[i];
	free(picked);
	return 0;
}

int vd_report_exit(const struct vd_report *r)
{
	for (size_t i = 0; i < r->sel.n; i++)
		if (!vd_verdict_ok(r->sel.vifs[i]->verdict))
			return VD_EXIT_PROBLEM;
	return VD_EXIT_OK;
}

void vd_report_free(struct vd_report *r)
{
	free(r->sel.vifs);
	vd_host_free(r->host);
	vd_xl_free(r->xl);
	vd_sysfs_free(r->sysfs);
	vd_snap_free(r->snap);
	memset(r, 0, sizeof(*r));
}

int vd_report_run(const struct vd_invocation *inv, enum vd_view view)
{
	const struct vd_renderer *rd = vd_renderer_for(inv->opts);
	struct vd_report r;
	int rc;

	if (vd_report_load(&r, inv->opts, inv->err) < 0 ||
	    vd_report_select(&r, inv->argc, inv->argv, view == VD_VIEW_SHOW, inv->err) < 0) {
		vd_report_free(&r);
		return inv->err->code;
	}
	rc = view == VD_VIEW_SHOW ? rd->show(r.host, &r.sel, inv->opts)
				  : rd->status(r.host, &r.sel, inv->opts);
	if (rc < 0)
		vd_err_set(inv->err, VD_EXIT_INTERNAL, "cannot write the output");
	rc = inv->err->code ? inv->err->code : vd_report_exit(&r);
	vd_report_free(&r);
	return rc;
}
