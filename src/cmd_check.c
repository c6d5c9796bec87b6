// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vifdiag check [DOM[/DEVID]...]: every finding with its rule ID, evidence and fix, per
 * VIF, most severe first; exit 1 when a selected VIF has one at or above --min-severity.
 * With a time source (--log FILE, or a bundle's xenstored logs) the log's timeline adds
 * the rules only time can make and measured durations (vd_timeline.h). Live, --for SECS
 * is the other time source: a watch of SECS before the snapshot that is judged.
 */
#include "vd_cmd.h"

#include <string.h>

#include "vd_bundle.h"
#include "vd_diag.h"
#include "vd_evidence.h"
#include "vd_evlog.h"
#include "vd_hotplug.h"
#include "vd_pipeline.h"
#include "vd_render.h"
#include "vd_source.h"
#include "vd_timeline.h"
#include "vd_util.h"

static bool over(const struct vd_selection *sel, enum vd_sev min)
{
	for (size_t i = 0; i < sel->n; i++)
		for (size_t k = 0; k < sel->vifs[i]->nfindings; k++)
			if (sel->vifs[i]->findings[k].sev >= min)
				return true;
	return false;
}

/* The log files of the same host: --log FILE (each with its rotations), else a bundle's. */
static int time_files(const struct vd_report *r, const struct vd_opts *o, char ***files,
		      size_t *nfiles, struct vd_err *err)
{
	if (o->nlogs) {
		char **args = vd_calloc((size_t)o->nlogs, sizeof(*args));
		int rc;

		for (int i = 0; i < o->nlogs; i++)
			args[i] = vd_strdup(o->logs[i]);
		rc = vd_log_files(args, o->nlogs, files, nfiles, err);
		vd_strv_free(args, (size_t)o->nlogs);
		return rc;
	}
	if (r->bundle && r->bundle->nxslogs)
		return vd_evlog_bundle_files(r->bundle, o->from, files, nfiles, err);
	return 0;
}

/* --for SECS: the watch's timeline, before the snapshot it is judged with; one time
 * source (a watch and a log are two clocks). */
static int watch_first(const struct vd_invocation *inv, struct vd_timeline *tl)
{
	const struct vd_opts *o = inv->opts;

	if (o->for_ms && (o->from || o->nlogs)) {
		vd_err_set(inv->err, VD_EXIT_USAGE,
			   "check: --for watches live xenstored: not with %s (one time source)",
			   o->from ? "--from" : "--log");
		return -1;
	}
	return o->for_ms ? vd_watch_timeline(o, inv->argv, inv->argc, tl, inv->err) : 0;
}

/* The logs through the tracker into a timeline (or the watch's, wtl), then the time rules
 * on the model. */
static int add_time(struct vd_report *r, const struct vd_opts *o, const struct vd_timeline *wtl,
		    struct vd_err *err)
{
	struct vd_timeline tl;
	struct vd_evlog *e;
	struct vd_logcounts n;
	char **files = NULL;
	size_t nfiles = 0;
	int64_t thr[VD_STALL_N];
	int rc;

	if (wtl->done) {
		vd_diagnose_time(r->host, wtl);
		vd_evidence_fill(r->host, r->sysfs);
		return 0;
	}
	if (time_files(r, o, &files, &nfiles, err) < 0)
		return -1;
	if (!nfiles)
		return 0;
	vd_stall_resolve(o->stall_ms, thr);
	vd_timeline_init(&tl);
	e = vd_evlog_new(o, true, thr, vd_timeline_event, &tl, false);
	rc = vd_evlog_run(e, files, nfiles, false, err);
	if (rc == 0)
		rc = vd_evlog_finish(e, files[0], err);
	if (rc == 0) {
		vd_logparser_counts(vd_evlog_parser(e), &n);
		vd_timeline_finish(&tl, vd_evlog_tracker(e), n.first_ms, n.last_ms);
		vd_diagnose_time(r->host, &tl);
		/* the catalogue's inputs of the findings just added (the others have theirs) */
		vd_evidence_fill(r->host, r->sysfs);
	}
	vd_evlog_free(e);
	vd_timeline_free(&tl);
	vd_log_files_free(files, nfiles);
	return rc;
}

/* The backend domain's xen-hotplug.log (--hotplug-log, or a bundle's): rule R7. */
static int add_hotplug(struct vd_report *r, const struct vd_opts *o, struct vd_err *err)
{
	struct vd_hplog l;
	int rc = vd_hplog_load(o->hotplug_log, r->bundle, &l, err);

	if (rc <= 0)
		return rc;
	vd_diagnose_hotplug_log(r->host, &l);
	vd_evidence_fill(r->host, r->sysfs);
	vd_hplog_free(&l);
	return 0;
}

int vd_cmd_check(const struct vd_invocation *inv)
{
	struct vd_opts copy = *inv->opts, *o = &copy;
	enum vd_sev min = o->min_sev < 0 ? VD_SEV_WARN : (enum vd_sev)o->min_sev;
	struct vd_report r;
	struct vd_timeline wtl;
	int rc;

	vd_timeline_init(&wtl);
	/* check samples the per-queue load by default (live, of this system's root) */
	if (copy.interval_ms < 0)
		copy.interval_ms = o->sysfs_root && strcmp(o->sysfs_root, "/") != 0 ? 0 : 1000;
	if (watch_first(inv, &wtl) < 0) {
		vd_timeline_free(&wtl);
		return inv->err->code;
	}
	if (vd_report_load_for(&r, o, inv->argc, inv->argv, true, inv->err) < 0 ||
	    add_time(&r, o, &wtl, inv->err) < 0 || add_hotplug(&r, o, inv->err) < 0 ||
	    vd_report_select(&r, inv->argc, inv->argv, true, inv->err) < 0) {
		vd_report_free(&r);
		vd_timeline_free(&wtl);
		return inv->err->code;
	}
	vd_timeline_free(&wtl);
	rc = vd_render_check(r.host, &r.sel, o, min);
	if (rc < 0)
		vd_err_set(inv->err, VD_EXIT_INTERNAL, "cannot write the output");
	rc = inv->err->code ? inv->err->code : over(&r.sel, min) ? VD_EXIT_PROBLEM : VD_EXIT_OK;
	vd_report_free(&r);
	return rc;
}
