/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The offline pipeline after the source, as `vifdiag status/show --from` runs it: model,
 * analysis, host join (no sysfs), both renderers of both views. Checks that the model
 * only points into the snapshot it was built from, that the JSON is valid and that the
 * text holds no raw control byte.
 */
#ifndef VD_FUZZ_PIPELINE_H
#define VD_FUZZ_PIPELINE_H

#include "fuzz.h"
#include "vd_diag.h"
#include "vd_model.h"
#include "vd_render.h"
#include "vd_snap.h"
#include "vd_sysfs.h"
#include "vd_util.h"
#include "vd_xl.h"

/* A node the model holds must be the snapshot's own node for that path. */
static inline FUZZ_CHECKER void fuzz_node_in(const struct vd_snap *s, const struct vd_node *n)
{
	if (n) {
		char *path = vd_snap_path_dup(s, n);

		FUZZ_ASSERT(vd_snap_get(s, path) == n);
		free(path);
	}
}

static inline FUZZ_CHECKER bool fuzz_dir_in(const struct vd_snap *s, const char *path)
{
	size_t lo, hi;

	if (vd_snap_get(s, path))
		return true;
	vd_snap_subtree(s, path, &lo, &hi);
	return hi > lo;
}

static inline FUZZ_CHECKER void fuzz_num_in(const struct vd_snap *s, const struct vd_num *n)
{
	fuzz_node_in(s, n->node);
	FUZZ_ASSERT(!n->ok || n->node);
}

static inline FUZZ_CHECKER void fuzz_end_in(const struct vd_snap *s, const struct vd_end *e)
{
	if (e->present)
		FUZZ_ASSERT(e->path && e->path[0] == '/' && fuzz_dir_in(s, e->path));
	fuzz_num_in(s, &e->state);
	fuzz_num_in(s, &e->peer_id);
	fuzz_node_in(s, e->peer);
	fuzz_node_in(s, e->error);
}

static inline FUZZ_CHECKER void fuzz_model_in(const struct vd_snap *s, const struct vd_host *h)
{
	for (size_t i = 0; i < h->ndoms; i++)
		fuzz_node_in(s, h->doms[i].name);
	for (size_t i = 0; i < h->nvifs; i++) {
		const struct vd_vif *v = h->vifs[i];
		const struct vd_node *nodes[] = {
			v->mac,		  v->fe_mac,	   v->hotplug_status, v->hotplug_error,
			v->bridge,	  v->xapi_hotplug, v->online,	      v->script,
			v->vifname,	  v->type,	   v->rate,	      v->mtu,
			v->be_handle,	  v->fe_handle,	   v->fe_mtu,	      v->fe_trusted,
			v->fe_disconnect,
		};

		FUZZ_ASSERT(v->verdict && v->verdict[0]);
		if (i)
			FUZZ_ASSERT(h->vifs[i - 1]->domid < v->domid ||
				    (h->vifs[i - 1]->domid == v->domid &&
				     h->vifs[i - 1]->devid <= v->devid));
		fuzz_end_in(s, &v->fe);
		fuzz_end_in(s, &v->be);
		for (size_t k = 0; k < sizeof(nodes) / sizeof(nodes[0]); k++)
			fuzz_node_in(s, nodes[k]);
		fuzz_num_in(s, &v->num_queues);
		fuzz_num_in(s, &v->max_queues);
		fuzz_num_in(s, &v->ctrl_ring_ref);
		fuzz_num_in(s, &v->evtchn_ctrl);
		for (size_t q = 0; q < v->nqueues; q++) {
			const struct vd_queue *qu = &v->queues[q];

			FUZZ_ASSERT(qu->dir && fuzz_dir_in(s, qu->dir));
			fuzz_num_in(s, &qu->tx_ring_ref);
			fuzz_num_in(s, &qu->rx_ring_ref);
			fuzz_num_in(s, &qu->evtchn);
			fuzz_num_in(s, &qu->evtchn_tx);
			fuzz_num_in(s, &qu->evtchn_rx);
		}
		for (size_t f = 0; f < v->nfindings; f++)
			FUZZ_ASSERT(v->findings[f].code && v->findings[f].msg);
	}
}

static inline void fuzz_select_all(const struct vd_host *h, struct vd_selection *sel)
{
	sel->vifs = vd_calloc(h->nvifs + 1, sizeof(*sel->vifs));
	for (size_t i = 0; i < h->nvifs; i++)
		sel->vifs[i] = h->vifs[i];
	sel->n = h->nvifs;
}

static inline void fuzz_render(const struct vd_host *h, const struct vd_selection *sel, bool json,
			       bool raw)
{
	struct vd_opts o = { .json = json, .raw = raw, .color = VD_COLOR_NEVER };
	const struct vd_renderer *rd = vd_renderer_for(&o);

	for (int view = 0; view < 2; view++) {
		struct fuzz_out out, err;

		fuzz_out_open(&out);
		fuzz_out_open(&err);
		o.out = out.f;
		o.err = err.f;
		FUZZ_ASSERT((view ? rd->show(h, sel, &o) : rd->status(h, sel, &o)) == 0);
		fflush(out.f);
		fflush(err.f);
		if (json)
			FUZZ_ASSERT(fuzz_json_valid(out.buf, out.len));
		/* JSON too: it is printed on terminals as it is */
		FUZZ_ASSERT(fuzz_text_safe(out.buf, out.len));
		FUZZ_ASSERT(fuzz_text_safe(err.buf, err.len));
		fuzz_out_close(&out);
		fuzz_out_close(&err);
	}
}

static inline void fuzz_pipeline(const struct vd_snap *snap, bool raw)
{
	struct vd_host *h = vd_build_model(snap);
	struct vd_sysfs *sys = vd_sysfs_read(NULL, false);
	struct vd_xl *xl = vd_xl_read(false);
	struct vd_selection sel;

	vd_diagnose(h);
	vd_xl_join(h, xl);
	vd_diagnose_xl(h, xl);
	vd_host_join(h, sys);
	vd_diagnose_host(h, sys);
	fuzz_model_in(snap, h);
	fuzz_select_all(h, &sel);
	fuzz_render(h, &sel, true, raw);
	fuzz_render(h, &sel, false, raw);
	free(sel.vifs);
	vd_host_free(h);
	vd_xl_free(xl);
	vd_sysfs_free(sys);
}

#endif
