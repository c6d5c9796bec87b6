// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Selective reads (status/show/check DOM...): per domain, in a transaction of its own, what
 * the model needs for that domain's VIFs, found by following pointers instead of walking
 * every domain: its frontends, and backend/vif/<domid> in its backend domains (dom0, every
 * domain its frontends' backend and backend-id name). A frontend's pointer into another
 * backend dir reads that dir too (so a liar is still paired as the full walk pairs it), and
 * a backend that points at another domain's frontend adds that domain to the read.
 * Read-only: the requests are the walker's (src/xs_walk.c); none is made here.
 */
#include "vd_source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vd_util.h"
#include "vd_xsconn.h"
#include "vd_xswalk.h"

/* A node read and/or listed once per run, whichever domain asked first. */
struct known {
	char *path;
	bool exists;
	char **names; /* with a listing: the children */
	unsigned n;
};

struct sel {
	struct vd_walk *w;   /* the current attempt */
	unsigned long *doms; /* to read: the selected ones, then those pointers add */
	size_t ndoms, dcap;
	struct known *kn;
	size_t nkn, kcap;
	char **roots; /* subtrees read: never twice */
	size_t nroots, rcap;
	unsigned long cur;   /* the domain being read */
	unsigned long *cand; /* its backend domains */
	size_t ncand, ccap;
	size_t md, mk, mr; /* ndoms, nkn, nroots before the current domain (its undo) */
};

static void *grow(void *v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 8;
	return vd_realloc(v, *cap * size);
}

static void add_ulong(unsigned long **v, size_t *n, size_t *cap, unsigned long x)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i] == x)
			return;
	*v = grow(*v, cap, *n, sizeof(**v));
	(*v)[(*n)++] = x;
}

/* path read (read) and listed (dir: only when it exists), once per run */
static const struct known *known(struct sel *s, const char *path, bool read, bool dir)
{
	struct known *k;

	for (size_t i = 0; i < s->nkn; i++)
		if (strcmp(s->kn[i].path, path) == 0)
			return &s->kn[i];
	s->kn = grow(s->kn, &s->kcap, s->nkn, sizeof(*s->kn));
	k = &s->kn[s->nkn++];
	*k = (struct known){ .path = vd_strdup(path), .exists = true };
	if (read)
		k->exists = vd_walk_node(s->w, path, false, NULL);
	if (dir && k->exists) {
		k->names = vd_walk_list(s->w, path, &k->n);
		k->exists = k->names != NULL;
	}
	return k;
}

static bool listed(const struct known *k, const char *name)
{
	for (unsigned i = 0; i < k->n; i++)
		if (strcmp(k->names[i], name) == 0)
			return true;
	return false;
}

static void sel_tree(struct sel *s, const char *path)
{
	for (size_t i = 0; i < s->nroots; i++)
		if (strcmp(s->roots[i], path) == 0)
			return;
	s->roots = grow(s->roots, &s->rcap, s->nroots, sizeof(*s->roots));
	s->roots[s->nroots++] = vd_strdup(path);
	vd_walk_tree(s->w, path);
}

/* backend/vif/<fe> of backend domain b, and its error nodes */
static void sel_backends(struct sel *s, unsigned long b, unsigned long fe)
{
	char *p = vd_asprintf("/local/domain/%lu/backend/vif/%lu", b, fe);

	sel_tree(s, p);
	free(p);
	p = vd_asprintf("/local/domain/%lu", b);
	vd_walk_udev_key(s->w, p);
	free(p);
	p = vd_asprintf("/local/domain/%lu/error", b);
	if (known(s, p, true, false)->exists) {
		char *q = vd_asprintf("%s/backend/vif/%lu", p, fe);

		sel_tree(s, q);
		free(q);
	}
	free(p);
}

/* What else a pointer (a frontend's backend, a backend's frontend) makes us read. */
static void follow(struct sel *s, const char *p)
{
	unsigned long x, fe;
	const char *rest;
	size_t n;

	if (!p || !vd_startswith(p, "/local/domain/"))
		return;
	p += strlen("/local/domain/");
	n = strcspn(p, "/");
	if (!vd_parse_ulong(p, n, 0xffffffffUL, &x))
		return;
	rest = p[n] == '/' ? p + n + 1 : p + n;
	if (vd_startswith(rest, "backend/vif/")) {
		const char *q = rest + strlen("backend/vif/");

		add_ulong(&s->cand, &s->ncand, &s->ccap, x);
		if (vd_parse_ulong(q, strcspn(q, "/"), 0xffffffffUL, &fe) && fe != s->cur)
			sel_backends(s, x, fe);
	} else if (strcmp(rest, "backend") == 0 || strcmp(rest, "backend/vif") == 0) {
		add_ulong(&s->cand, &s->ncand, &s->ccap, x);
	} else if (x != s->cur) {
		add_ulong(&s->doms, &s->ndoms, &s->dcap, x);
	}
}

/* Copies of the values of dir/<child>/key (the snapshot's strings move on later puts). */
static size_t child_values(const struct vd_snap *snap, const char *dir, const char *key,
			   char ***out)
{
	const char **names;
	size_t n = vd_snap_children(snap, dir, &names), m = 0;

	*out = vd_calloc(n ? n : 1, sizeof(**out));
	for (size_t i = 0; i < n; i++) {
		const char *v = vd_snap_valuef(snap, "%s/%s/%s", dir, names[i], key);

		if (v)
			(*out)[m++] = vd_strdup(v);
	}
	free(names);
	return m;
}

/* XenServer: /xapi/<uuid of the domain's vm>/..., when /xapi lists that uuid */
static void sel_xapi(struct sel *s, const char *base)
{
	const char *vm = vd_snap_valuef(s->w->snap, "%s/vm", base);
	char *uuid, *p;

	if (!vm || !vd_startswith(vm, "/vm/"))
		return;
	uuid = vd_strdup(vm + 4);
	if (listed(known(s, "/xapi", false, true), uuid)) {
		p = vd_asprintf("/xapi/%s/private/vif", uuid);
		sel_tree(s, p);
		free(p);
		p = vd_asprintf("/xapi/%s/hotplug", uuid);
		sel_tree(s, p);
		free(p);
	}
	free(uuid);
}

/* The domain's own nodes: what vd_walk_domain reads, without its backend dirs. */
static void sel_own(struct sel *s, const char *base)
{
	static const char *const leaves[] = { "name", "vm" };
	char *p;

	for (unsigned i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
		p = vd_asprintf("%s/%s", base, leaves[i]);
		vd_walk_node(s->w, p, false, NULL);
		free(p);
	}
	p = vd_asprintf("%s/device/vif", base);
	sel_tree(s, p);
	free(p);
	p = vd_asprintf("%s/error", base);
	if (known(s, p, true, false)->exists) {
		char *q = vd_asprintf("%s/device/vif", p);

		sel_tree(s, q);
		free(q);
	}
	free(p);
	if (!s->w->fatal)
		vd_walk_cpus(s->w, base);
	if (!s->w->fatal)
		sel_xapi(s, base);
}

static void follow_all(struct sel *s, const char *dir, const char *key)
{
	char **v;
	size_t n = child_values(s->w->snap, dir, key, &v);

	for (size_t i = 0; i < n && !s->w->fatal; i++)
		follow(s, v[i]);
	vd_strv_free(v, n);
}

static void sel_domain(struct vd_walk *w, struct sel *s)
{
	unsigned long d = s->cur;
	char *base = vd_asprintf("/local/domain/%lu", d);
	char *fes = vd_asprintf("%s/device/vif", base), name[24], **ids;
	size_t n;

	s->w = w;
	s->ncand = 0;
	add_ulong(&s->cand, &s->ncand, &s->ccap, 0); /* the toolstack's domain */
	/* a domain that is gone may still have backend dirs (orphans) */
	if (vd_walk_node(w, base, false, NULL))
		sel_own(s, base);
	follow_all(s, fes, "backend");
	n = child_values(w->snap, fes, "backend-id", &ids);
	for (size_t i = 0; i < n; i++) {
		unsigned long b;

		if (vd_parse_uint_str(ids[i], 0xffffffffUL, &b))
			add_ulong(&s->cand, &s->ncand, &s->ccap, b);
	}
	vd_strv_free(ids, n);
	snprintf(name, sizeof(name), "%lu", d);
	/* ncand grows while backends' pointers are followed */
	for (size_t i = 0; i < s->ncand && !w->fatal; i++) {
		char *vifs = vd_asprintf("/local/domain/%lu/backend/vif", s->cand[i]);

		if (listed(known(s, vifs, true, true), name)) {
			char *dir = vd_asprintf("%s/%lu", vifs, d);

			sel_backends(s, s->cand[i], d);
			follow_all(s, dir, "frontend");
			free(dir);
		}
		free(vifs);
	}
	free(fes);
	free(base);
}

static void domain_body(struct vd_walk *w, void *s)
{
	sel_domain(w, s);
}

static void sel_rollback(struct sel *s, size_t ndoms, size_t nkn, size_t nroots)
{
	s->ndoms = ndoms;
	while (s->nkn > nkn) {
		struct known *k = &s->kn[--s->nkn];

		free(k->path);
		free(k->names);
	}
	while (s->nroots > nroots)
		free(s->roots[--s->nroots]);
}

/* One domain in a transaction, retried on EAGAIN, at last read without one; then merged. */
static void sel_undo(void *arg)
{
	struct sel *s = arg;

	sel_rollback(s, s->md, s->mk, s->mr);
}

static int sel_read(struct vd_xsconn *c, struct sel *s, unsigned long d, unsigned retries,
		    unsigned long *replies, struct vd_snap *out, struct vd_reread **rr, size_t *nrr)
{
	const struct vd_walk_job job = { domain_body, sel_undo, s, d, true, NULL, retries };

	s->md = s->ndoms;
	s->mk = s->nkn;
	s->mr = s->nroots;
	s->cur = d;
	return vd_walk_retried(c, &job, replies, out, rr, nrr);
}

int vd_xs_snapshot_doms(const unsigned long *domids, size_t n, unsigned retries, unsigned timeout_s,
			struct vd_snap *snap, struct vd_reread **rr, size_t *nrr,
			struct vd_err *err)
{
	struct vd_xsconn *c = vd_xsconn_open(timeout_s, NULL, err);
	struct vd_snap *out;
	struct sel s = { 0 };
	unsigned long replies = 0;
	int rc = 0;

	*rr = NULL;
	*nrr = 0;
	if (!c)
		return -1;
	for (size_t i = 0; i < n; i++)
		add_ulong(&s.doms, &s.ndoms, &s.dcap, domids[i]);
	out = vd_snap_new();
	vd_xsconn_arm(c);
	/* ndoms grows as pointers name more domains */
	for (size_t i = 0; i < s.ndoms && !rc; i++)
		rc = sel_read(c, &s, s.doms[i], retries, &replies, out, rr, nrr);
	sel_rollback(&s, 0, 0, 0);
	free(s.doms);
	free(s.kn);
	free(s.roots);
	free(s.cand);
	return vd_walk_done(c, rc, replies, out, snap, rr, nrr, err);
}
