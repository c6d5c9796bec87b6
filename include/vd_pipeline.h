/* SPDX-License-Identifier: GPL-2.0-or-later */
/* source -> snapshot -> model -> analysis, and selecting VIFs by DOM[/DEVID] arguments. */
#ifndef VD_PIPELINE_H
#define VD_PIPELINE_H

#include "vd_err.h"
#include "vd_model.h"
#include "vd_opts.h"
#include "vd_render.h"

struct vd_sysfs;
struct vd_xl;
struct vd_bundle;
struct vd_mq;

struct vd_report {
	struct vd_snap *snap;
	struct vd_host *host;
	struct vd_sysfs *sysfs;	  /* host facts joined into host (vd_sysfs.h) */
	struct vd_xl *xl;	  /* libxl facts joined into host (vd_xl.h) */
	struct vd_bundle *bundle; /* --from BUNDLE: where all of them came from */
	struct vd_mq *mq;	  /* multi-queue facts and per-queue load (vd_mq.h) */
	struct vd_selection sel;
	struct vd_reread *reread; /* a selective live read's re-read domains (host->reread) */
	size_t nreread;
};

/* Reads the source, builds and diagnoses the model; source warnings go to o->err. */
int vd_report_load(struct vd_report *r, const struct vd_opts *o, struct vd_err *err);

/*
 * The same, for a selection (the arguments vd_report_select gets next): when the source is
 * live and every argument names a domain by number, only those domains are read
 * (vd_xs_snapshot_doms); otherwise as vd_report_load.
 */
int vd_report_load_for(struct vd_report *r, const struct vd_opts *o, int argc, char **argv,
		       bool allow_devid, struct vd_err *err);

/*
 * Selects VIFs by arguments "DOM" or (allow_devid) "DOM/DEVID"; DOM is a domid or a domain
 * name. No arguments selects everything. An argument that matches nothing is a usage error.
 */
int vd_report_select(struct vd_report *r, int argc, char **argv, bool allow_devid,
		     struct vd_err *err);

/* VD_EXIT_OK if every selected VIF is ok, else VD_EXIT_PROBLEM. */
int vd_report_exit(const struct vd_report *r);

void vd_report_free(struct vd_report *r);

/* The whole run of a report command: load, select, render with the view, exit code. */
enum vd_view { VD_VIEW_STATUS, VD_VIEW_SHOW };
struct vd_invocation;
int vd_report_run(const struct vd_invocation *inv, enum vd_view view);
/* The same, loading with vd_report_load_for (status, show; top's detail view reads all). */
int vd_report_run_sel(const struct vd_invocation *inv, enum vd_view view);

#endif
