// SPDX-License-Identifier: GPL-2.0-or-later
/* JSON renderer: the schema documented in README.md ("JSON output"). Keys are only added. */
#include "vd_render.h"

#include <stdlib.h>
#include <string.h>

#include "vd_diag.h"
#include "vd_evidence.h"
#include "vd_json.h"
#include "vd_mq.h"
#include "vd_sysfs.h"
#include "vd_util.h"
#include "vd_xl.h"
#include "vd_xenbus.h"

#define VD_JSON_SCHEMA 1

static void k_node(struct vd_json *j, const char *key, const struct vd_node *nd)
{
	if (nd)
		vd_json_kstrn(j, key, nd->value, nd->len);
	else
		vd_json_knull(j, key);
}

static void k_num(struct vd_json *j, const char *key, const struct vd_num *n)
{
	if (n->ok)
		vd_json_kuint(j, key, n->v);
	else
		vd_json_knull(j, key);
}

static void state_keys(struct vd_json *j, const struct vd_end *e)
{
	const struct vd_num *s = &e->state;

	k_num(j, "state", s);
	if (s->ok)
		vd_json_kstr(j, "state_name", vd_xb_state_name((long)s->v));
	else if (s->node)
		vd_json_kstr(j, "state_name", "invalid");
	else
		vd_json_knull(j, "state_name");
	if (s->node && !s->ok)
		k_node(j, "state_raw", s->node);
}

static void end_common(struct vd_json *j, const struct vd_end *e)
{
	vd_json_kstr(j, "path", e->path);
	vd_json_kbool(j, "present", e->present);
	if (e->vanished)
		vd_json_kbool(j, "vanished", true);
}

static void end_detail(struct vd_json *j, const struct vd_end *e, const char *peer,
		       const char *peer_id)
{
	k_node(j, peer, e->peer);
	k_num(j, peer_id, &e->peer_id);
	k_node(j, "error", e->error);
}

static void frontend(struct vd_json *j, const struct vd_vif *v, bool detail)
{
	vd_json_key(j, "frontend");
	vd_json_obj_begin(j);
	end_common(j, &v->fe);
	vd_json_kint_known(j, "domid", v->fe.domid);
	state_keys(j, &v->fe);
	if (detail) {
		end_detail(j, &v->fe, "backend_key", "backend_id");
		k_node(j, "mac", v->fe_mac);
		k_node(j, "handle", v->fe_handle);
		k_node(j, "mtu", v->fe_mtu);
		k_node(j, "trusted", v->fe_trusted);
		k_node(j, "disconnect", v->fe_disconnect);
		if (v->fe_claims)
			vd_json_kstr(j, "claims_backend", v->fe_claims);
	}
	vd_json_obj_end(j);
}

static void backend(struct vd_json *j, const struct vd_vif *v, bool detail)
{
	vd_json_key(j, "backend");
	vd_json_obj_begin(j);
	end_common(j, &v->be);
	vd_json_kint_known(j, "domid", v->be.domid);
	state_keys(j, &v->be);
	k_node(j, "hotplug_status", v->hotplug_status);
	k_node(j, "hotplug_error", v->hotplug_error);
	k_node(j, "bridge", v->bridge);
	vd_json_kstr(j, "bridge_path", v->bridge_path);
	k_node(j, "online", v->online);
	if (detail) {
		end_detail(j, &v->be, "frontend_key", "frontend_id");
		k_node(j, "script", v->script);
		k_node(j, "vifname", v->vifname);
		k_node(j, "type", v->type);
		k_node(j, "rate", v->rate);
		k_node(j, "mtu", v->mtu);
		k_node(j, "handle", v->be_handle);
		k_node(j, "xapi_hotplug", v->xapi_hotplug);
	}
	vd_json_obj_end(j);
}

static const char *layout_name(enum vd_layout l)
{
	static const char *const names[] = { "none", "flat", "queue-dirs", "mixed" };

	return names[l];
}

static void queue(struct vd_json *j, const struct vd_queue *q)
{
	vd_json_obj_begin(j);
	vd_json_kuint(j, "id", q->id);
	k_num(j, "tx_ring_ref", &q->tx_ring_ref);
	k_num(j, "rx_ring_ref", &q->rx_ring_ref);
	if (q->evtchn.node || (!q->evtchn_tx.node && !q->evtchn_rx.node)) {
		k_num(j, "event_channel", &q->evtchn);
	} else {
		k_num(j, "event_channel_tx", &q->evtchn_tx);
		k_num(j, "event_channel_rx", &q->evtchn_rx);
	}
	vd_json_obj_end(j);
}

static void queues(struct vd_json *j, const struct vd_vif *v, bool detail)
{
	vd_json_key(j, "queues");
	vd_json_obj_begin(j);
	vd_json_kint_known(j, "negotiated", v->negotiated);
	k_num(j, "max", &v->max_queues);
	vd_json_kstr(j, "layout", layout_name(v->layout));
	vd_json_key(j, "list");
	vd_json_arr_begin(j);
	for (size_t i = 0; i < v->nqueues; i++)
		queue(j, &v->queues[i]);
	vd_json_arr_end(j);
	if (detail) {
		vd_json_key(j, "control_ring");
		vd_json_obj_begin(j);
		k_num(j, "ring_ref", &v->ctrl_ring_ref);
		k_num(j, "event_channel", &v->evtchn_ctrl);
		vd_json_obj_end(j);
	}
	vd_json_obj_end(j);
}

static void evidence(struct vd_json *j, const struct vd_finding *f)
{
	vd_json_key(j, "evidence");
	vd_json_arr_begin(j);
	for (size_t i = 0; i < f->nev; i++) {
		const struct vd_evidence *e = &f->ev[i];

		vd_json_obj_begin(j);
		vd_json_kstr(j, "source", vd_evidence_kind_name(e->kind));
		vd_json_kstr(j, "where", e->where);
		if (e->value)
			vd_json_kstrn(j, "value", e->value, e->len);
		else
			vd_json_knull(j, "value");
		vd_json_kstr(j, "note", e->note);
		vd_json_obj_end(j);
	}
	vd_json_arr_end(j);
}

void vd_render_json_finding(struct vd_json *j, const struct vd_finding *f)
{
	vd_json_obj_begin(j);
	vd_json_kstr(j, "severity", vd_sev_name(f->sev));
	vd_json_kstr(j, "code", f->code);
	vd_json_kstr(j, "rule", vd_finding_rule_id(f));
	vd_json_kstr(j, "message", f->msg);
	vd_json_kstr(j, "hint", f->hint);
	evidence(j, f);
	vd_json_obj_end(j);
}

static void findings(struct vd_json *j, const struct vd_vif *v)
{
	vd_json_key(j, "findings");
	vd_json_arr_begin(j);
	for (size_t i = 0; i < v->nfindings; i++)
		vd_render_json_finding(j, &v->findings[i]);
	vd_json_arr_end(j);
}

/* ---- the host side (vd_sysfs.h) ---- */

static void k_bool_or_null(struct vd_json *j, const char *key, int v)
{
	if (v < 0)
		vd_json_knull(j, key);
	else
		vd_json_kbool(j, key, v);
}

static void ring_side(struct vd_json *j, const char *key, const struct vd_ring_side *s)
{
	vd_json_key(j, key);
	if (!s->ok) {
		vd_json_null(j);
		return;
	}
	vd_json_obj_begin(j);
	vd_json_kuint(j, "nr_ents", s->nr_ents);
	vd_json_kuint(j, "req_prod", s->req_prod);
	vd_json_kuint(j, "req_cons", s->req_cons);
	vd_json_kuint(j, "req_event", s->req_event);
	vd_json_kuint(j, "rsp_prod", s->rsp_prod);
	vd_json_kuint(j, "rsp_pvt", s->rsp_pvt);
	vd_json_kuint(j, "rsp_event", s->rsp_event);
	vd_json_obj_end(j);
}

static void ioring(struct vd_json *j, const struct vd_ioring *r)
{
	vd_json_obj_begin(j);
	vd_json_kuint(j, "id", r->id);
	vd_json_kstr(j, "error", r->error);
	if (!r->error) {
		ring_side(j, "tx", &r->tx);
		ring_side(j, "rx", &r->rx);
		vd_json_kuint(j, "rx_posted", vd_ioring_rx_posted(r));
		if (r->pending_ok)
			vd_json_kuint(j, "tx_pending_reqs", r->nr_pending_reqs);
		vd_json_key(j, "rx_queue");
		if (r->rxq_ok) {
			vd_json_obj_begin(j);
			vd_json_kuint(j, "len", r->rxq_len);
			vd_json_kuint(j, "max", r->rxq_max);
			vd_json_kuint(j, "pkts", r->rxq_pkts);
			vd_json_kbool(j, "stopped", r->rxq_stopped);
			vd_json_obj_end(j);
		} else {
			vd_json_null(j);
		}
		vd_json_key(j, "credit");
		if (r->credit_ok) {
			vd_json_obj_begin(j);
			vd_json_kbool(j, "unlimited", vd_ioring_unlimited(r));
			vd_json_kuint(j, "bytes", r->credit_bytes);
			vd_json_kuint(j, "usec", r->credit_usec);
			vd_json_kuint(j, "remaining", r->remaining);
			vd_json_kbool(j, "timer_pending", r->timer_pending);
			vd_json_obj_end(j);
		} else {
			vd_json_null(j);
		}
	}
	vd_json_obj_end(j);
}

static void netback_params(struct vd_json *j, const struct vd_nbparams *nb)
{
	vd_json_key(j, "netback");
	vd_json_obj_begin(j);
	vd_json_kbool(j, "loaded", nb->loaded);
	vd_json_kint_known(j, "max_queues", nb->max_queues);
	k_bool_or_null(j, "separate_tx_rx_irq", nb->separate_tx_rx_irq);
	vd_json_kint_known(j, "rx_drain_timeout_msecs", nb->rx_drain_timeout_msecs);
	vd_json_kint_known(j, "rx_stall_timeout_msecs", nb->rx_stall_timeout_msecs);
	vd_json_kint_known(j, "fatal_skb_slots", nb->fatal_skb_slots);
	vd_json_kint_known(j, "hash_cache_size", nb->hash_cache_size);
	k_bool_or_null(j, "provides_xdp_headroom", nb->provides_xdp_headroom);
	vd_json_obj_end(j);
}

/* The link facts of one netdev, shared by the VIF's own and its twins'. */
static void link_keys(struct vd_json *j, const struct vd_netdev *nd)
{
	vd_json_kstr(j, "operstate", nd ? nd->operstate : NULL);
	k_bool_or_null(j, "carrier", nd ? nd->carrier : -1);
	k_bool_or_null(j, "admin_up", nd && nd->flags >= 0 ? (nd->flags & VD_IFF_UP) != 0 : -1);
	vd_json_kint_known(j, "mtu", nd ? nd->mtu : -1);
}

static void twins(struct vd_json *j, const struct vd_hostfacts *f)
{
	vd_json_key(j, "twins");
	vd_json_arr_begin(j);
	for (size_t i = 0; i < f->ntwins; i++) {
		vd_json_obj_begin(j);
		vd_json_kstr(j, "netdev", f->twins[i]->name);
		link_keys(j, f->twins[i]);
		vd_json_kstr(j, "master", f->twins[i]->master);
		vd_json_obj_end(j);
	}
	vd_json_arr_end(j);
}

static void host(struct vd_json *j, const struct vd_vif *v, bool detail)
{
	const struct vd_hostfacts *f = v->host;
	const struct vd_netdev *nd = f ? f->nd : NULL;

	vd_json_key(j, "host");
	if (!f) {
		vd_json_null(j);
		vd_json_kstr(j, "host_unavailable", v->host_unavailable);
		return;
	}
	vd_json_obj_begin(j);
	vd_json_kstr(j, "netdev", nd ? nd->name : NULL);
	vd_json_kstr(j, "netdev_missing", f->netdev_missing);
	vd_json_kstr(j, "mapped_by", f->mapped_by);
	vd_json_kstr(j, "bridge", f->bridge);
	vd_json_kstr(j, "bridge_kind", f->bridge_kind);
	vd_json_kstr(j, "bridge_note", f->bridge_note);
	vd_json_kstr(j, "master", nd ? nd->master : NULL);
	link_keys(j, nd);
	vd_json_key(j, "link");
	vd_json_str(j, vd_host_link_word(nd));
	vd_json_kint_known(j, "bridge_mtu", f->br ? f->br->mtu : -1);
	vd_json_kint_known(j, "tx_queues", nd ? nd->tx_queues : -1);
	vd_json_kint_known(j, "rx_queues", nd ? nd->rx_queues : -1);
	twins(j, f);
	vd_json_kint(j, "domid", f->local_domid);
	vd_json_kbool(j, "domid_assumed", f->local_assumed);
	if (detail) {
		vd_json_kstr(j, "device", nd ? nd->device : NULL);
		vd_json_kstr(j, "nodename", nd ? nd->nodename : NULL);
		vd_json_kstr(j, "xenbus_state", nd ? nd->xb_state : NULL);
		vd_json_kstr(j, "address", nd ? nd->address : NULL);
		vd_json_kint_known(j, "flags", nd ? nd->flags : -1);
		vd_json_kstr(j, "rings_unavailable", nd ? f->rings_note : NULL);
		vd_json_key(j, "queues");
		vd_json_arr_begin(j);
		for (size_t i = 0; f->dbg && i < f->dbg->nrings; i++)
			ioring(j, &f->dbg->rings[i]);
		vd_json_arr_end(j);
		netback_params(j, f->nb);
	}
	vd_json_obj_end(j);
	vd_json_knull(j, "host_unavailable");
}

/* feature-* and request-* keys of one end, as offered (backend) or requested (frontend). */
static void features(struct vd_json *j, const struct vd_snap *s, const struct vd_end *e,
		     const char *key)
{
	struct vd_key *keys;
	size_t n;

	vd_json_key(j, key);
	if (!e->present) {
		vd_json_null(j);
		return;
	}
	n = vd_dir_keys(s, e->path, &keys);
	vd_json_obj_begin(j);
	for (size_t i = 0; i < n; i++)
		if (vd_startswith(keys[i].name, "feature-") ||
		    vd_startswith(keys[i].name, "request-") ||
		    vd_startswith(keys[i].name, "multi-queue-"))
			vd_json_kstrn(j, keys[i].name, keys[i].node->value, keys[i].node->len);
	vd_json_obj_end(j);
	free(keys);
}

static void raw_tree(struct vd_json *j, const struct vd_snap *s, const char *path)
{
	size_t lo, hi;
	struct vd_buf b;

	vd_buf_init(&b);
	vd_json_arr_begin(j);
	if (path) {
		vd_snap_subtree(s, path, &lo, &hi);
		for (size_t i = lo; i < hi; i++) {
			const struct vd_node *nd = vd_snap_at(s, i);

			vd_json_obj_begin(j);
			vd_json_kstr(j, "path", vd_snap_path(s, nd, &b));
			vd_json_kstrn(j, "value", nd->value, nd->len);
			vd_json_kstr(j, "perms", nd->perms);
			vd_json_obj_end(j);
		}
	}
	vd_json_arr_end(j);
	vd_buf_free(&b);
}

/* run_state, shutdown_reason and libxl: null where libxl could not be asked. */
static void xl_keys(struct vd_json *j, const struct vd_xlfacts *f)
{
	const struct vd_xlnic *n = f ? f->nic : NULL;

	vd_json_kstr(j, "run_state", vd_xl_run_state(f));
	vd_json_kstr(j, "shutdown_reason", f && f->dom ? f->dom->shutdown_reason : NULL);
	vd_json_key(j, "libxl");
	if (!f) {
		vd_json_null(j);
		return;
	}
	vd_json_obj_begin(j);
	vd_json_kbool(j, "listed", n != NULL);
	vd_json_kbool(j, "managed", f->managed);
	vd_json_kstr(j, "mac", n ? n->mac : NULL);
	vd_json_kstr(j, "bridge", n ? n->bridge : NULL);
	vd_json_kint_known(j, "backend_domid", n ? (long)n->backend_domid : -1);
	vd_json_obj_end(j);
}

static void ring_delta(struct vd_json *j, const char *key, const struct vd_ring_delta *d)
{
	vd_json_key(j, key);
	vd_json_obj_begin(j);
	vd_json_kuint(j, "req_prod", d->req_prod);
	vd_json_kuint(j, "req_cons", d->req_cons);
	vd_json_kuint(j, "rsp_prod", d->rsp_prod);
	vd_json_key(j, "per_sec");
	vd_json_double(j, d->per_sec, 1);
	vd_json_obj_end(j);
}

/* One queue's ring progress between the two debugfs readings, null without them. */
static void qring(struct vd_json *j, const struct vd_qload *ld, const struct vd_qring *g)
{
	static const char *const states[] = {
		"none", "ok", "vanished", "new", "reset", "unreadable"
	};

	vd_json_key(j, "ring");
	if (!ld->rings || g->state == VD_RING_NONE) {
		vd_json_null(j);
		return;
	}
	vd_json_obj_begin(j);
	vd_json_kstr(j, "state", states[g->state]);
	if (g->state == VD_RING_OK) {
		ring_delta(j, "tx", &g->tx);
		ring_delta(j, "rx", &g->rx);
		vd_json_kuint(j, "slots", g->slots);
		vd_json_key(j, "per_sec");
		vd_json_double(j, g->per_sec, 1);
		vd_json_key(j, "share");
		vd_json_double(j, ld->slots ? (double)g->slots / (double)ld->slots : 0, 3);
	} else {
		vd_json_knull(j, "tx");
		vd_json_knull(j, "rx");
		vd_json_knull(j, "slots");
		vd_json_knull(j, "per_sec");
		vd_json_knull(j, "share");
	}
	vd_json_kstr(j, "readings", g->text);
	vd_json_obj_end(j);
}

/* Per-queue interrupt events and ring progress (vd_mq.h), null when unknown. */
static void load(struct vd_json *j, const struct vd_qload *ld)
{
	vd_json_key(j, "load");
	if (!ld) {
		vd_json_null(j);
		return;
	}
	vd_json_obj_begin(j);
	vd_json_kstr(j, "netdev", ld->netdev);
	vd_json_kstr(j, "counts", !ld->irq ? NULL : ld->window ? "window" : "since-boot");
	if (ld->window || ld->rings) {
		vd_json_key(j, "seconds");
		vd_json_double(j, ld->secs, 3);
	} else {
		vd_json_knull(j, "seconds");
	}
	vd_json_kuint(j, "events", ld->total);
	vd_json_kstr(j, "rings", ld->rings ? "window" : NULL);
	vd_json_kstr(j, "rings_dir", ld->ring_dir);
	if (ld->rings)
		vd_json_kuint(j, "slots", ld->slots);
	else
		vd_json_knull(j, "slots");
	vd_json_kstr(j, "rings_note", ld->rings ? NULL : ld->rings_note);
	vd_json_key(j, "queues");
	vd_json_arr_begin(j);
	for (size_t i = 0; i < ld->nq; i++) {
		const struct vd_qrate *q = &ld->q[i];

		vd_json_obj_begin(j);
		vd_json_kuint(j, "id", q->queue);
		vd_json_kbool(j, "interrupts", q->seen);
		vd_json_kuint(j, "events", q->events);
		vd_json_kuint(j, "tx", q->tx);
		vd_json_kuint(j, "rx", q->rx);
		vd_json_kuint(j, "shared", q->both);
		vd_json_key(j, "per_sec");
		if (ld->window && q->seen)
			vd_json_double(j, q->per_sec, 1);
		else
			vd_json_null(j);
		vd_json_key(j, "share");
		vd_json_double(j, ld->total ? (double)q->events / (double)ld->total : 0, 3);
		qring(j, ld, &q->ring);
		vd_json_obj_end(j);
	}
	vd_json_arr_end(j);
	vd_json_obj_end(j);
}

static void vif(struct vd_json *j, const struct vd_host *h, const struct vd_vif *v, bool detail,
		const struct vd_opts *o)
{
	char nbuf[64];

	vd_json_obj_begin(j);
	vd_json_kuint(j, "domid", v->domid);
	vd_json_kuint(j, "devid", v->devid);
	k_node(j, "name", v->dom ? v->dom->name : NULL);
	vd_json_kstr(j, "uuid", v->dom ? v->dom->uuid : NULL);
	xl_keys(j, v->xl);
	k_node(j, "mac", v->mac);
	vd_json_kstr(j, "verdict", v->verdict);
	vd_json_kstr(j, "meaning", vd_xb_pair_meaning(vd_end_state(&v->fe), vd_end_state(&v->be)));
	vd_json_kbool(j, "paired", v->paired);
	vd_json_kstr(j, "netdev", vd_vif_netdev(v, nbuf, sizeof(nbuf)));
	frontend(j, v, detail);
	backend(j, v, detail);
	queues(j, v, detail);
	findings(j, v);
	host(j, v, detail);
	if (detail) {
		load(j, v->load);
		vd_json_key(j, "features");
		vd_json_obj_begin(j);
		features(j, h->snap, &v->be, "backend");
		features(j, h->snap, &v->fe, "frontend");
		vd_json_obj_end(j);
	}
	if (detail && o->raw) {
		vd_json_key(j, "raw");
		vd_json_obj_begin(j);
		vd_json_key(j, "frontend");
		raw_tree(j, h->snap, v->fe.present ? v->fe.path : NULL);
		vd_json_key(j, "backend");
		raw_tree(j, h->snap, v->be.present ? v->be.path : NULL);
		vd_json_obj_end(j);
	}
	vd_json_obj_end(j);
}

static void warnings(struct vd_json *j, const struct vd_host *h)
{
	vd_json_key(j, "warnings");
	vd_json_arr_begin(j);
	for (size_t i = 0; i < vd_snap_nwarnings(h->snap); i++)
		vd_json_str(j, vd_snap_warning(h->snap, i));
	for (size_t i = 0; i < h->nnotes; i++)
		vd_json_str(j, h->notes[i]);
	vd_json_arr_end(j);
}

static int report(const struct vd_host *h, const struct vd_selection *sel, const struct vd_opts *o,
		  bool detail)
{
	struct vd_json *j = vd_json_new(o->out, true);
	size_t ok = 0;

	vd_json_obj_begin(j);
	vd_json_kint(j, "schema", VD_JSON_SCHEMA);
	vd_json_key(j, "source");
	vd_json_obj_begin(j);
	vd_json_kstr(j, "kind", h->source_kind ? h->source_kind : o->from ? "dump" : "live");
	vd_json_kstr(j, "path", o->from);
	vd_json_key(j, "libxl");
	vd_json_obj_begin(j);
	vd_json_kbool(j, "available", h->xl && !h->xl->unavailable);
	vd_json_kstr(j, "unavailable", h->xl ? h->xl->unavailable : "not read");
	vd_json_obj_end(j);
	if (h->per_domain) {
		/* only a selective live read has per-domain transactions to report */
		vd_json_key(j, "reread");
		vd_json_arr_begin(j);
		for (size_t i = 0; i < h->nreread; i++) {
			vd_json_obj_begin(j);
			vd_json_kuint(j, "domid", h->reread[i].domid);
			vd_json_kuint(j, "attempts", h->reread[i].attempts);
			vd_json_kbool(j, "without_transaction", h->reread[i].without_transaction);
			vd_json_obj_end(j);
		}
		vd_json_arr_end(j);
	}
	vd_json_obj_end(j);
	vd_json_key(j, "vifs");
	vd_json_arr_begin(j);
	for (size_t i = 0; i < sel->n; i++) {
		vif(j, h, sel->vifs[i], detail, o);
		ok += vd_verdict_ok(sel->vifs[i]->verdict);
	}
	vd_json_arr_end(j);
	vd_json_key(j, "summary");
	vd_json_obj_begin(j);
	vd_json_kuint(j, "vifs", sel->n);
	vd_json_kuint(j, "ok", ok);
	vd_json_kuint(j, "problems", sel->n - ok);
	vd_json_obj_end(j);
	warnings(j, h);
	vd_json_obj_end(j);
	return vd_json_finish(j);
}

static int status(const struct vd_host *h, const struct vd_selection *sel, const struct vd_opts *o)
{
	return report(h, sel, o, false);
}

static int show(const struct vd_host *h, const struct vd_selection *sel, const struct vd_opts *o)
{
	return report(h, sel, o, true);
}

const struct vd_renderer vd_render_json = {
	.name = "json",
	.status = status,
	.show = show,
};
