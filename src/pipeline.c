// SPDX-License-Identifier: GPL-2.0-or-later
#include "vd_pipeline.h"

#include <stdlib.h>
#include <string.h>

#include "vd_bundle.h"
#include "vd_cmd.h"
#include "vd_diag.h"
#include "vd_esc.h"
#include "vd_mq.h"
#include "vd_evidence.h"
#include "vd_source.h"
#include "vd_sysfs.h"
#include "vd_util.h"
#include "vd_xl.h"

/*
 * The host side of every source: sysfs joined and judged, the multi-queue facts (a second
 * /proc/interrupts sample only when interval_ms > 0), then the evidence of every finding.
 */
static void analyse_host(struct vd_report *r, long interval_ms)
{
	vd_host_join(r->host, r->sysfs);
	vd_diagnose_host(r->host, r->sysfs);
	r->mq = vd_mq_read(r->host, r->sysfs, interval_ms);
	vd_diagnose_mq(r->host, r->sysfs, r->mq);
	vd_evidence_fill(r->host, r->sysfs);
}

/* --from BUNDLE: the store, libxl's facts and the host side all from the bundle */
static int load_bundle(struct vd_report *r, const struct vd_opts *o, struct vd_err *err)
{
	struct vd_sysfs_opts so = { 0 };
	char *root = NULL, *ovs = NULL;

	r->bundle = vd_bundle_open(o->from, err);
	if (!r->bundle || vd_bundle_snapshot(r->bundle, r->snap, err) < 0)
		return -1;
	r->xl = vd_bundle_xl(r->bundle, err);
	if (!r->xl)
		return -1;
	r->host = vd_build_model(r->snap);
	r->host->source_kind = "bundle";
	vd_diagnose(r->host);
	vd_xl_join(r->host, r->xl);
	vd_diagnose_xl(r->host, r->xl);
	if (o->sysfs_root) {
		so.root = o->sysfs_root;
	} else if (r->bundle->sysfs_shown) {
		root = vd_bundle_member(r->bundle, VD_BUNDLE_SYSFS);
		ovs = vd_bundle_member(r->bundle, VD_BUNDLE_OVS);
		so.root = root;
		so.shown = r->bundle->sysfs_shown;
		so.require_xen = r->bundle->sysfs_require_xen;
		so.ovs_answers = ovs;
		so.gone = vd_bundle_gone;
		so.gone_arg = r->bundle;
	}
	r->sysfs = vd_sysfs_read_with(&so);
	free(root);
	free(ovs);
	analyse_host(r, 0);
	return 0;
}

/* ndoms > 0: a live read of only these domains (vd_xs_snapshot_doms); live, per domain */
static int load(struct vd_report *r, const struct vd_opts *o, const unsigned long *doms,
		size_t ndoms, struct vd_err *err)
{
	memset(r, 0, sizeof(*r));
	r->snap = vd_snap_new();
	if (o->from && vd_bundle_is(o->from))
		return load_bundle(r, o, err);
	if (ndoms) {
		if (vd_xs_snapshot_doms(doms, ndoms, o->retries, o->timeout, r->snap, &r->reread,
					&r->nreread, err) < 0)
			return -1;
	} else if (o->from) {
		if (vd_source_snapshot(o, r->snap, err) < 0)
			return -1;
	} else if (vd_xs_snapshot_all(r->snap, o->retries, o->timeout, &r->reread, &r->nreread,
				      err) < 0) {
		return -1;
	}
	r->host = vd_build_model(r->snap);
	if (!o->from) {
		r->host->reread = r->reread;
		r->host->nreread = r->nreread;
		r->host->per_domain = true;
	}
	vd_diagnose(r->host);
	/* before the host join: the VIFs only libxl lists get host facts too */
	r->xl = vd_xl_read_doms(!o->from, doms, ndoms);
	vd_xl_join(r->host, r->xl);
	vd_diagnose_xl(r->host, r->xl);
	/* a dump comes from another host: its sysfs only with an explicit --sysfs-root */
	r->sysfs = vd_sysfs_read(o->sysfs_root ? o->sysfs_root
				 : o->from     ? NULL
					       : "/",
				 !o->sysfs_root);
	/* a second sample of /proc/interrupts and the rings only of a running system, and only
	 * when the command asks: under another --sysfs-root (a copied tree, or the host's /
	 * mounted in a container) only with --interval given (check's default is for /) */
	analyse_host(r, o->from ? 0 : o->interval_ms);
	return 0;
}

int vd_report_load(struct vd_report *r, const struct vd_opts *o, struct vd_err *err)
{
	return load(r, o, NULL, 0, err);
}

/*
 * The domids the arguments name when every one is a number (DOM, or DOM/DEVID with
 * allow_devid), else 0: a domain name needs every domain's name, so the whole walk.
 */
static size_t numeric_doms(int argc, char **argv, bool allow_devid, unsigned long *out)
{
	for (int i = 0; i < argc; i++) {
		const char *slash = allow_devid ? strrchr(argv[i], '/') : NULL;
		char *dom =
			slash ? vd_strndup(argv[i], (size_t)(slash - argv[i])) : vd_strdup(argv[i]);
		unsigned long devid;
		bool ok = vd_parse_uint_str(dom, 0xffffffffUL, &out[i]) &&
			  (!slash || vd_parse_uint_str(slash + 1, 0xffffffffUL, &devid));

		free(dom);
		if (!ok)
			return 0;
	}
	return (size_t)argc;
}

int vd_report_load_for(struct vd_report *r, const struct vd_opts *o, int argc, char **argv,
		       bool allow_devid, struct vd_err *err)
{
	unsigned long *doms = vd_calloc(argc > 0 ? (size_t)argc : 1, sizeof(*doms));
	size_t n = o->from ? 0 : numeric_doms(argc, argv, allow_devid, doms);
	int rc = load(r, o, doms, n, err);

	free(doms);
	return rc;
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
	free(r->reread);
	vd_host_free(r->host);
	vd_xl_free(r->xl);
	vd_mq_free(r->mq);
	vd_sysfs_free(r->sysfs);
	vd_snap_free(r->snap);
	vd_bundle_close(r->bundle);
	memset(r, 0, sizeof(*r));
}

static int run(const struct vd_invocation *inv, enum vd_view view, bool selective)
{
	const struct vd_renderer *rd = vd_renderer_for(inv->opts);
	bool devid = view == VD_VIEW_SHOW;
	struct vd_report r;
	int rc;

	if ((selective ? vd_report_load_for(&r, inv->opts, inv->argc, inv->argv, devid, inv->err)
		       : vd_report_load(&r, inv->opts, inv->err)) < 0 ||
	    vd_report_select(&r, inv->argc, inv->argv, devid, inv->err) < 0) {
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

int vd_report_run(const struct vd_invocation *inv, enum vd_view view)
{
	return run(inv, view, false);
}

int vd_report_run_sel(const struct vd_invocation *inv, enum vd_view view)
{
	return run(inv, view, true);
}
