// SPDX-License-Identifier: GPL-2.0-or-later
/* Snapshot -> model: domains, VIF ends paired by their pointers, queues. No judgement here. */
#include "vd_model.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "vd_util.h"

/* Strings the model owns (derived paths); freed with the host. */
struct pool {
	char **v;
	size_t n, cap;
};

struct end_ref {
	const struct vd_node *dir; /* the dir node (always present for collected ends) */
	const char *path;
	unsigned long domid;	 /* domain the dir lives in */
	unsigned long vif_domid; /* frontend domid from the path (backends: .../vif/<fe>/<n>) */
	unsigned long devid;
	const char *points_to; /* backend's `frontend` or frontend's `backend` value */
	bool used;
};

struct ends {
	struct end_ref *v;
	size_t n, cap;
};

struct builder {
	struct vd_host *h;
	struct pool *pool;
	struct ends fes, bes;
	size_t vcap;
	size_t ncap;
};

static const char *intern(struct builder *b, char *s)
{
	struct pool *p = b->pool;

	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 32;
		p->v = vd_realloc(p->v, p->cap * sizeof(*p->v));
	}
	p->v[p->n++] = s;
	return s;
}

static void note(struct builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct builder *b, const char *fmt, ...)
{
	struct vd_host *h = b->h;
	va_list ap;

	if (h->nnotes == b->ncap) {
		b->ncap = b->ncap ? b->ncap * 2 : 8;
		h->notes = vd_realloc(h->notes, b->ncap * sizeof(*h->notes));
	}
	va_start(ap, fmt);
	h->notes[h->nnotes++] = vd_vasprintf(fmt, ap);
	va_end(ap);
}

static void num_of(struct vd_num *n, const struct vd_node *nd)
{
	n->node = nd;
	n->ok = nd && !(nd->flags & (VD_NODE_TRUNCATED | VD_NODE_NOVALUE)) &&
		vd_parse_ulong(nd->value, nd->len, 0xffffffffUL, &n->v);
}

/* nd's path, owned by the model (a node keeps only its name) */
static const char *path_of(struct builder *b, const struct vd_node *nd)
{
	return intern(b, vd_snap_path_dup(b->h->snap, nd));
}

static const struct vd_node *key(const struct vd_snap *s, const char *dir, const char *k)
{
	return dir ? vd_snap_getf(s, "%s/%s", dir, k) : NULL;
}

static void num_key(struct vd_num *n, const struct vd_snap *s, const char *dir, const char *k)
{
	num_of(n, key(s, dir, k));
}

/* A string value usable as a path: no NULs, not truncated. */
static const char *str_value(const struct vd_node *nd)
{
	if (!nd || (nd->flags & (VD_NODE_TRUNCATED | VD_NODE_NOVALUE)))
		return NULL;
	if (strlen(nd->value) != nd->len)
		return NULL;
	return nd->value;
}

/* A `frontend`/`backend` pointer: an absolute path other than "/" (the guest writes its own). */
static const char *pointer_value(const struct vd_node *nd)
{
	const char *p = str_value(nd);

	return p && p[0] == '/' && p[1] ? p : NULL;
}

/*
 * A domid, devid or queue number as a path component. Only the canonical form counts: the
 * tools and drivers build these names with %u, so "01" is not device 1, and accepting it
 * would alias ".../1" (the model rebuilds paths from the number).
 */
static bool num_name(const char *name, unsigned long *v)
{
	if (name[0] == '0' && name[1])
		return false;
	return vd_parse_uint_str(name, 0xffffffffUL, v);
}

static void ends_add(struct ends *e, const struct end_ref *r)
{
	if (e->n == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 16;
		e->v = vd_realloc(e->v, e->cap * sizeof(*e->v));
	}
	e->v[e->n++] = *r;
}

static void build_domains(struct builder *b)
{
	const struct vd_snap *s = b->h->snap;
	const char **names;
	size_t n = vd_snap_children(s, "/local/domain", &names);

	b->h->doms = vd_calloc(n, sizeof(*b->h->doms));
	for (size_t i = 0; i < n; i++) {
		struct vd_domain *d = &b->h->doms[b->h->ndoms];
		const char *vm;

		if (!num_name(names[i], &d->domid)) {
			note(b, "/local/domain/%s is not a domain id; ignored", names[i]);
			continue;
		}
		d->name = vd_snap_valuef(s, "/local/domain/%lu/name", d->domid)
				  ? vd_snap_getf(s, "/local/domain/%lu/name", d->domid)
				  : NULL;
		vm = str_value(vd_snap_getf(s, "/local/domain/%lu/vm", d->domid));
		d->vm = vm;
		if (vm && vd_startswith(vm, "/vm/")) {
			const char *u = vm + 4;

			if (strlen(u) == 36 && strspn(u, "0123456789abcdefABCDEF-") == 36)
				d->uuid = vd_strdup(u);
		}
		b->h->ndoms++;
	}
	free(names);
}

static void collect_frontends(struct builder *b, const struct vd_domain *d)
{
	const struct vd_snap *s = b->h->snap;
	char *base = vd_asprintf("/local/domain/%lu/device/vif", d->domid);
	const char **names;
	size_t n = vd_snap_children(s, base, &names);

	for (size_t i = 0; i < n; i++) {
		struct end_ref r = { 0 };

		if (!num_name(names[i], &r.devid)) {
			note(b, "%s/%s is not a device id; ignored", base, names[i]);
			continue;
		}
		r.path = intern(b, vd_asprintf("%s/%lu", base, r.devid));
		r.dir = vd_snap_get(s, r.path);
		r.domid = r.vif_domid = d->domid;
		r.points_to = pointer_value(key(s, r.path, "backend"));
		ends_add(&b->fes, &r);
	}
	free(names);
	free(base);
}

static void collect_backends(struct builder *b, const struct vd_domain *d)
{
	const struct vd_snap *s = b->h->snap;
	char *base = vd_asprintf("/local/domain/%lu/backend/vif", d->domid);
	const char **fes;
	size_t nf = vd_snap_children(s, base, &fes);

	for (size_t i = 0; i < nf; i++) {
		char *fdir = vd_asprintf("%s/%s", base, fes[i]);
		const char **devs;
		size_t nd = vd_snap_children(s, fdir, &devs);
		unsigned long fe;

		if (!num_name(fes[i], &fe)) {
			note(b, "%s is not named by a domain id; ignored", fdir);
			nd = 0;
		}
		for (size_t j = 0; j < nd; j++) {
			struct end_ref r = { 0 };

			if (!num_name(devs[j], &r.devid)) {
				note(b, "%s/%s is not a device id; ignored", fdir, devs[j]);
				continue;
			}
			r.path = intern(b, vd_asprintf("%s/%lu", fdir, r.devid));
			r.dir = vd_snap_get(s, r.path);
			r.domid = d->domid;
			r.vif_domid = fe;
			r.points_to = pointer_value(key(s, r.path, "frontend"));
			ends_add(&b->bes, &r);
		}
		free(devs);
		free(fdir);
	}
	free(fes);
	free(base);
}

static bool same(const char *a, const char *b)
{
	vd_work++;
	return a && b && strcmp(a, b) == 0;
}

/*
 * Ends sorted by a string (their path, or the path they point at) for lookups in log time:
 * a host has as many ends as VIFs, and pairing looks each one up.
 */
struct end_index {
	struct end_ref **v;
	size_t n;
	bool by_claim; /* sorted by points_to (then by position), else by path */
};

static const char *index_key(const struct end_index *x, const struct end_ref *r)
{
	return x->by_claim ? r->points_to : r->path;
}

static int str_cmp(const char *a, const char *b)
{
	vd_work++;
	return strcmp(a, b);
}

static int by_path(const void *a, const void *b)
{
	return str_cmp((*(struct end_ref *const *)a)->path, (*(struct end_ref *const *)b)->path);
}

static int by_claim(const void *a, const void *b)
{
	const struct end_ref *x = *(struct end_ref *const *)a, *y = *(struct end_ref *const *)b;
	int c = str_cmp(x->points_to, y->points_to);

	return c ? c : x < y ? -1 : x > y;
}

static void index_ends(struct end_index *x, struct ends *e, bool claim)
{
	x->v = vd_malloc((e->n ? e->n : 1) * sizeof(*x->v));
	x->n = 0;
	x->by_claim = claim;
	for (size_t i = 0; i < e->n; i++)
		if (index_key(x, &e->v[i]))
			x->v[x->n++] = &e->v[i];
	if (x->n > 1)
		qsort(x->v, x->n, sizeof(*x->v), claim ? by_claim : by_path);
}

/* The first position whose key is >= key. */
static size_t index_lower(const struct end_index *x, const char *key)
{
	size_t lo = 0, hi = x->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (str_cmp(index_key(x, x->v[mid]), key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The end at path (paths are unique), or NULL. */
static struct end_ref *find_end(const struct end_index *x, const char *path)
{
	size_t i;

	if (!path)
		return NULL;
	i = index_lower(x, path);
	return i < x->n && same(x->v[i]->path, path) ? x->v[i] : NULL;
}

/* The first unused end, in collection order, that points at path, or NULL. */
static struct end_ref *find_claim(const struct end_index *x, const char *path)
{
	for (size_t i = index_lower(x, path); i < x->n && same(x->v[i]->points_to, path); i++)
		if (!x->v[i]->used)
			return x->v[i];
	return NULL;
}

/* The domain a /local/domain/<d>/... path lives in, or -1. */
static long path_domid(const char *path)
{
	unsigned long d;
	size_t n;

	if (!path || !vd_startswith(path, "/local/domain/"))
		return -1;
	path += strlen("/local/domain/");
	n = strcspn(path, "/");
	return vd_parse_ulong(path, n, 0xffffffffUL, &d) ? (long)d : -1;
}

/* /local/domain/<d>/error/<path below the domain>/error, where xenbus_dev_error writes. */
static const struct vd_node *error_node(const struct vd_snap *s, const char *path)
{
	long d = path_domid(path);
	const char *rel;

	if (d < 0)
		return NULL;
	rel = strchr(path + strlen("/local/domain/"), '/');
	if (!rel)
		return NULL;
	return vd_snap_getf(s, "/local/domain/%ld/error%s/error", d, rel);
}

/* Forgets what was read from an end that belongs to another VIF; keeps the claimed path. */
static void detach_end(struct vd_end *e, bool keep_path)
{
	const char *path = e->path;

	memset(e, 0, sizeof(*e));
	e->path = keep_path ? path : NULL;
	e->domid = keep_path ? path_domid(path) : -1;
}

/*
 * A dir exists if it is listed or implied by a node below it: pastes of grep'd dumps and
 * hand-written trees often leave the dir lines out (vd_snap_children counts those too).
 */
static bool dir_exists(const struct vd_snap *s, const char *path)
{
	size_t lo, hi;

	if (!path)
		return false;
	if (vd_snap_get(s, path))
		return true;
	vd_snap_subtree(s, path, &lo, &hi);
	return hi > lo;
}

static void fill_end(const struct vd_snap *s, struct vd_end *e, const char *path, bool fe)
{
	e->path = path;
	e->domid = path_domid(path);
	e->present = dir_exists(s, path);
	e->vanished = path && vd_snap_is_vanished(s, path);
	if (!e->present)
		return;
	num_key(&e->state, s, path, "state");
	e->peer = key(s, path, fe ? "backend" : "frontend");
	num_key(&e->peer_id, s, path, fe ? "backend-id" : "frontend-id");
	e->error = error_node(s, path);
}

static struct vd_vif *new_vif(struct builder *b)
{
	struct vd_host *h = b->h;
	struct vd_vif *v = vd_calloc(1, sizeof(*v));

	if (h->nvifs == b->vcap) {
		b->vcap = b->vcap ? b->vcap * 2 : 16;
		h->vifs = vd_realloc(h->vifs, b->vcap * sizeof(*h->vifs));
	}
	h->vifs[h->nvifs++] = v;
	v->negotiated = -1;
	return v;
}

static const char *const flat_keys[] = { "tx-ring-ref", "rx-ring-ref", "event-channel",
					 "event-channel-tx", "event-channel-rx" };

static void fill_queue(const struct vd_snap *s, struct vd_queue *q, const char *dir)
{
	struct vd_num *slots[] = { &q->tx_ring_ref, &q->rx_ring_ref, &q->evtchn, &q->evtchn_tx,
				   &q->evtchn_rx };

	q->dir = dir;
	for (unsigned i = 0; i < sizeof(slots) / sizeof(slots[0]); i++)
		num_key(slots[i], s, dir, flat_keys[i]);
}

static int cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

static void build_queues(struct builder *b, struct vd_vif *v)
{
	const struct vd_snap *s = b->h->snap;
	const char *fe = v->fe.present ? v->fe.path : NULL;
	const char **names;
	unsigned long *ids;
	size_t n, nq = 0;
	bool flat = false;

	num_key(&v->num_queues, s, fe, "multi-queue-num-queues");
	num_key(&v->max_queues, s, v->be.present ? v->be.path : NULL, "multi-queue-max-queues");
	num_key(&v->ctrl_ring_ref, s, fe, "ctrl-ring-ref");
	num_key(&v->evtchn_ctrl, s, fe, "event-channel-ctrl");
	if (!fe)
		return;
	for (unsigned i = 0; i < sizeof(flat_keys) / sizeof(flat_keys[0]); i++)
		flat = flat || key(s, fe, flat_keys[i]);
	n = vd_snap_children(s, fe, &names);
	ids = vd_calloc(n, sizeof(*ids));
	for (size_t i = 0; i < n; i++)
		if (vd_startswith(names[i], "queue-") && num_name(names[i] + 6, &ids[nq]))
			nq++;
	free(names);
	qsort(ids, nq, sizeof(*ids), cmp_ulong);

	v->layout = nq ? (flat ? VD_LAYOUT_MIXED : VD_LAYOUT_QUEUES)
		       : (flat ? VD_LAYOUT_FLAT : VD_LAYOUT_NONE);
	if (nq) {
		v->queues = vd_calloc(nq, sizeof(*v->queues));
		for (size_t i = 0; i < nq; i++) {
			v->queues[i].id = ids[i];
			fill_queue(s, &v->queues[i],
				   intern(b, vd_asprintf("%s/queue-%lu", fe, ids[i])));
		}
		v->nqueues = nq;
	} else if (flat) {
		v->queues = vd_calloc(1, sizeof(*v->queues));
		fill_queue(s, &v->queues[0], fe);
		v->nqueues = 1;
	}
	free(ids);
	if (v->num_queues.ok)
		v->negotiated = (long)v->num_queues.v;
	else if (!v->num_queues.node && v->layout == VD_LAYOUT_FLAT)
		v->negotiated = 1; /* netif.h: no multi-queue-num-queues means one queue */
}

/* XenServer keeps per-VM data under /xapi/<vm uuid>/. */
static void xapi_keys(struct builder *b, struct vd_vif *v)
{
	const struct vd_snap *s = b->h->snap;
	const char *uuid = v->dom ? v->dom->uuid : NULL;
	const struct vd_node *nd;

	if (!uuid)
		return;
	v->xapi_hotplug =
		vd_snap_getf(s, "/xapi/%s/hotplug/%lu/vif/%lu/hotplug", uuid, v->domid, v->devid);
	if (v->bridge)
		return;
	nd = vd_snap_getf(s, "/xapi/%s/private/vif/%lu/bridge", uuid, v->devid);
	if (nd) {
		v->bridge = nd;
		v->bridge_path = path_of(b, nd);
	}
}

static void fill_vif(struct builder *b, struct vd_vif *v)
{
	const struct vd_snap *s = b->h->snap;
	const char *be = v->be.present ? v->be.path : NULL;
	const char *fe = v->fe.present ? v->fe.path : NULL;

	v->dom = vd_host_domain(b->h, v->domid);
	v->fe_mac = key(s, fe, "mac");
	v->mac = key(s, be, "mac");
	if (!v->mac)
		v->mac = v->fe_mac;
	v->hotplug_status = key(s, be, "hotplug-status");
	v->hotplug_error = key(s, be, "hotplug-error");
	v->bridge = key(s, be, "bridge");
	v->bridge_path = v->bridge ? path_of(b, v->bridge) : NULL;
	v->online = key(s, be, "online");
	v->script = key(s, be, "script");
	v->vifname = key(s, be, "vifname");
	v->type = key(s, be, "type");
	v->rate = key(s, be, "rate");
	v->mtu = key(s, be, "mtu");
	v->be_handle = key(s, be, "handle");
	v->fe_handle = key(s, fe, "handle");
	v->fe_mtu = key(s, fe, "mtu");
	v->fe_trusted = key(s, fe, "trusted");
	v->fe_disconnect = key(s, fe, "disconnect");
	xapi_keys(b, v);
	build_queues(b, v);
}

static struct vd_vif *vif_of(struct builder *b, struct end_ref *f, struct end_ref *bk,
			     const char *be_claim)
{
	const struct vd_snap *s = b->h->snap;
	struct vd_vif *v = new_vif(b);
	const struct end_ref *id = f ? f : bk;

	/* every caller passes at least one end, which cppcheck cannot know */
	// cppcheck-suppress nullPointerRedundantCheck
	v->domid = id->vif_domid;
	// cppcheck-suppress nullPointerRedundantCheck
	v->devid = id->devid;
	fill_end(s, &v->fe, f ? f->path : (bk ? bk->points_to : NULL), true);
	fill_end(s, &v->be, bk ? bk->path : be_claim, false);
	if (f)
		f->used = true;
	if (bk)
		bk->used = true;
	v->paired = f && bk && same(f->points_to, bk->path) && same(bk->points_to, f->path);
	return v;
}

static void pair_ends(struct builder *b)
{
	struct ends *fes = &b->fes, *bes = &b->bes;
	struct end_index paths, claims;

	index_ends(&paths, bes, false);
	index_ends(&claims, bes, true);
	/* 1. ends that point at each other */
	for (size_t i = 0; i < fes->n; i++) {
		struct end_ref *f = &fes->v[i];
		struct end_ref *bk = find_end(&paths, f->points_to);

		if (bk && !bk->used && same(bk->points_to, f->path))
			fill_vif(b, vif_of(b, f, bk, NULL));
	}
	/* 2. a backend that claims this frontend while the frontend points elsewhere: the
	 * guest wrote its own `backend` key, so trust the toolstack-written side for pairing */
	for (size_t i = 0; i < fes->n; i++) {
		struct end_ref *f = &fes->v[i];
		struct end_ref *bk = f->used ? NULL : find_claim(&claims, f->path);
		struct vd_vif *v;

		if (!bk)
			continue;
		v = vif_of(b, f, bk, NULL);
		v->mismatch = true;
		v->fe_claims = f->points_to;
		fill_vif(b, v);
	}
	free(paths.v);
	free(claims.v);
	/* 3. frontends left alone: their backend is missing, or belongs to someone else */
	for (size_t i = 0; i < fes->n; i++) {
		struct end_ref *f = &fes->v[i];
		struct vd_vif *v;

		if (f->used)
			continue;
		v = vif_of(b, f, NULL, f->points_to);
		if (v->be.present) {
			/* it names an existing node that is not its backend: never adopt it, nor
			 * show its state or error node as if they were this VIF's */
			v->mismatch = true;
			v->fe_claims = f->points_to;
			detach_end(&v->be, false);
		}
		fill_vif(b, v);
	}
	/* 4. backends left alone: orphans, or pointing at a frontend that is taken */
	for (size_t j = 0; j < bes->n; j++) {
		struct end_ref *bk = &bes->v[j];
		struct vd_vif *v;

		if (bk->used)
			continue;
		v = vif_of(b, NULL, bk, NULL);
		if (v->fe.present) {
			/* that frontend is shown with its own VIF: keep only the claimed path */
			v->mismatch = true;
			detach_end(&v->fe, true);
		}
		fill_vif(b, v);
	}
}

static int vif_cmp(const void *a, const void *b)
{
	const struct vd_vif *x = *(struct vd_vif *const *)a, *y = *(struct vd_vif *const *)b;
	const char *px = x->be.path ? x->be.path : "", *py = y->be.path ? y->be.path : "";

	if (x->domid != y->domid)
		return x->domid < y->domid ? -1 : 1;
	if (x->devid != y->devid)
		return x->devid < y->devid ? -1 : 1;
	return strcmp(px, py);
}

static int dom_cmp(const void *a, const void *b)
{
	return cmp_ulong(&((const struct vd_domain *)a)->domid,
			 &((const struct vd_domain *)b)->domid);
}

struct vd_host *vd_build_model(const struct vd_snap *snap)
{
	struct builder b = { 0 };
	struct vd_host *h = vd_calloc(1, sizeof(*h));

	h->snap = snap;
	b.h = h;
	b.pool = vd_calloc(1, sizeof(*b.pool));
	h->priv = b.pool;
	build_domains(&b);
	/* /local/domain lists "10" before "2": keep domains in numeric order */
	qsort(h->doms, h->ndoms, sizeof(*h->doms), dom_cmp);
	for (size_t i = 0; i < h->ndoms; i++) {
		collect_frontends(&b, &h->doms[i]);
		collect_backends(&b, &h->doms[i]);
	}
	pair_ends(&b);
	if (h->nvifs) /* vifs is NULL on a host without VIFs, and qsort(NULL, 0) is undefined */
		qsort(h->vifs, h->nvifs, sizeof(*h->vifs), vif_cmp);
	free(b.fes.v);
	free(b.bes.v);
	return h;
}

struct vd_vif *vd_host_add_absent_vif(struct vd_host *h, unsigned long domid, unsigned long devid,
				      const char *fe_path, const char *be_path)
{
	struct vd_vif *v = vd_calloc(1, sizeof(*v));

	v->domid = domid;
	v->devid = devid;
	v->dom = vd_host_domain(h, domid);
	v->negotiated = -1;
	v->fe.path = fe_path;
	v->fe.domid = path_domid(fe_path);
	v->be.path = be_path;
	v->be.domid = path_domid(be_path);
	h->vifs = vd_realloc(h->vifs, (h->nvifs + 1) * sizeof(*h->vifs));
	h->vifs[h->nvifs++] = v;
	qsort(h->vifs, h->nvifs, sizeof(*h->vifs), vif_cmp);
	return v;
}

void vd_host_free(struct vd_host *h)
{
	struct pool *p;

	if (!h)
		return;
	for (size_t i = 0; i < h->nvifs; i++) {
		struct vd_vif *v = h->vifs[i];

		for (size_t j = 0; j < v->nfindings; j++) {
			free(v->findings[j].msg);
			free(v->findings[j].hint);
			vd_finding_free_evidence(&v->findings[j]);
		}
		free(v->findings);
		free(v->queues);
		free(v);
	}
	free(h->vifs);
	for (size_t i = 0; i < h->ndoms; i++)
		free(h->doms[i].uuid);
	free(h->doms);
	vd_strv_free(h->notes, h->nnotes);
	p = h->priv;
	vd_strv_free(p->v, p->n);
	free(p);
	free(h);
}

const struct vd_domain *vd_host_domain(const struct vd_host *h, unsigned long domid)
{
	struct vd_domain k = { .domid = domid };

	return h->ndoms ? bsearch(&k, h->doms, h->ndoms, sizeof(k), dom_cmp) : NULL;
}

const char *vd_domain_name(const struct vd_domain *d)
{
	return d && d->name ? d->name->value : NULL;
}

size_t vd_dir_keys(const struct vd_snap *snap, const char *dir, struct vd_key **keys)
{
	const char **names;
	size_t n = vd_snap_children(snap, dir, &names), m = 0;
	struct vd_key *k = vd_calloc(n, sizeof(*k));

	for (size_t i = 0; i < n; i++) {
		const struct vd_node *nd = vd_snap_getf(snap, "%s/%s", dir, names[i]);

		if (!nd)
			continue;
		k[m].name = names[i];
		k[m].node = nd;
		m++;
	}
	free(names);
	*keys = k;
	return m;
}

/* Findings are one line whatever bytes they quote: control bytes become \xHH. */
static char *one_line(const char *s)
{
	struct vd_buf b;

	vd_buf_init(&b);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			vd_buf_addf(&b, "\\x%02x", c);
		else
			vd_buf_addc(&b, (char)c);
	}
	return vd_buf_steal(&b);
}

void vd_vif_add_finding(struct vd_vif *v, enum vd_sev sev, const char *code, const char *hint,
			const char *fmt, ...)
{
	struct vd_finding *f;
	char *msg;
	va_list ap;

	v->findings = vd_realloc(v->findings, (v->nfindings + 1) * sizeof(*v->findings));
	f = &v->findings[v->nfindings++];
	*f = (struct vd_finding){ 0 };
	va_start(ap, fmt);
	msg = vd_vasprintf(fmt, ap);
	va_end(ap);
	f->sev = sev;
	f->code = code;
	f->msg = one_line(msg);
	f->hint = hint ? one_line(hint) : NULL;
	free(msg);
}
