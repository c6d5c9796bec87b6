// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vifdiag check [DOM[/DEVID]...]: every finding with its rule ID, evidence and fix, per
 * VIF, most severe first; exit 1 when a selected VIF has one at or above --min-severity.
 */
#include "vd_cmd.h"

#include "vd_diag.h"
#include "vd_evidence.h"
#include "vd_pipeline.h"
#include "vd_render.h"

static bool over(const struct vd_selection *sel, enum vd_sev min)
{
	for (size_t i = 0; i < sel->n; i++)
		for (size_t k = 0; k < sel->vifs[i]->nfindings; k++)
			if (sel->vifs[i]->findings[k].sev >= min)
				return true;
	return false;
}

int vd_cmd_check(const struct vd_invocation *inv)
{
	struct vd_opts copy = *inv->opts, *o = &copy;
	enum vd_sev min = o->min_sev < 0 ? VD_SEV_WARN : (enum vd_sev)o->min_sev;
	struct vd_report r;
	int rc;

	/* check samples the per-queue load by default (live only) */
	if (copy.interval_ms < 0)
		copy.interval_ms = 1000;
	if (vd_report_load_for(&r, o, inv->argc, inv->argv, true, inv->err) < 0 ||
	    vd_report_select(&r, inv->argc, inv->argv, true, inv->err) < 0) {
		vd_report_free(&r);
		return inv->err->code;
	}
	rc = vd_render_check(r.host, &r.sel, o, min);
	if (rc < 0)
		vd_err_set(inv->err, VD_EXIT_INTERNAL, "cannot write the output");
	rc = inv->err->code ? inv->err->code : over(&r.sel, min) ? VD_EXIT_PROBLEM : VD_EXIT_OK;
	vd_report_free(&r);
	return rc;
}
