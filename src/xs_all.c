// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every domain, one transaction per domain (one over the whole store would conflict
 * forever on a busy host of hundreds of guests). Outside any transaction: the domains and
 * each one's backend/vif listing. Then per domain its frontend end (vd_walk_domain) with
 * backend/vif/<it> of every backend domain that lists it; then, per frontend domid, the
 * backend dirs of domains that are not (orphans); then /xapi. The same nodes and requests
 * as the one-transaction walk (VD_XS_ALL), plus two per transaction.
 * Read-only: the requests are the walker's (src/xs_walk.c); none is made here.
 */
#include "vd_source.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "vd_util.h"
#include "vd_xsconn.h"
#include "vd_xswalk.h"

struct bref {
	const char *fe; /* a child of /local/domain/<be>/backend/vif */
	const char *be;
};

struct full {
	char **doms;
	unsigned ndoms;
	char **sorted; /* doms, sorted: is a frontend domain listed? */
	char **lists;  /* malloc'ed listings, freed at the end */
	size_t nlists;
	struct bref *refs; /* sorted by fe */
	size_t nrefs;
	bool *has_be; /* per domain: it has a backend/vif dir */
	size_t i;     /* the domain being read, or in refs: the orphans' first */
	bool orphan;  /* refs[i]... of one fe, not a listed domain */
};

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int bref_cmp(const void *a, const void *b)
{
	const struct bref *x = a, *y = b;
	int c = strcmp(x->fe, y->fe);

	return c ? c : strcmp(x->be, y->be);
}

/* the first ref of frontend domain fe, or nrefs */
static size_t first_ref(const struct full *f, const char *fe)
{
	size_t lo = 0, hi = f->nrefs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(f->refs[mid].fe, fe) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* backend/vif/<fe> of every backend domain that lists it, from refs[k] on */
static void walk_refs(struct vd_walk *w, const struct full *f, size_t k, const char *fe)
{
	for (; k < f->nrefs && strcmp(f->refs[k].fe, fe) == 0 && !w->fatal; k++) {
		char *p = vd_asprintf("/local/domain/%s/backend/vif/%s", f->refs[k].be, fe);
		size_t len = 0;

		if (vd_walk_node(w, p, true, &len) && (len == 0 || !vd_xs_known_leaf(fe)))
			vd_walk_below(w, p);
		free(p);
	}
}

static void full_body(struct vd_walk *w, void *arg)
{
	struct full *f = arg;

	if (f->orphan) {
		walk_refs(w, f, f->i, f->refs[f->i].fe);
		return;
	}
	vd_walk_domain(w, f->doms[f->i], true, false);
	if (f->has_be[f->i] && !w->fatal) {
		char *base = vd_asprintf("/local/domain/%s", f->doms[f->i]);
		char *p = vd_asprintf("%s/backend/vif", base);

		vd_walk_node(w, p, true, NULL);
		vd_walk_udev_key(w, base);
		free(p);
		free(base);
	}
	if (!w->fatal)
		walk_refs(w, f, first_ref(f, f->doms[f->i]), f->doms[f->i]);
}

static void xapi_body(struct vd_walk *w, void *arg)
{
	(void)arg;
	vd_walk_xapi(w);
}

/* the domains and their backend listings, outside any transaction */
static int full_plan(struct vd_xsconn *c, struct full *f, unsigned long *replies)
{
	struct vd_walk w = { .xs = vd_xsconn_handle(c), .conn = c, .t = XBT_NULL };
	size_t cap = 0;

	f->doms = vd_walk_list(&w, "/local/domain", &f->ndoms);
	f->has_be = vd_calloc(f->ndoms + 1, sizeof(*f->has_be));
	for (unsigned i = 0; i < f->ndoms && !w.fatal; i++) {
		char *p = vd_asprintf("/local/domain/%s/backend/vif", f->doms[i]);
		unsigned n = 0;
		char **fes = vd_walk_list(&w, p, &n);

		free(p);
		if (!fes)
			continue;
		f->has_be[i] = true;
		f->lists = vd_realloc(f->lists, (f->nlists + 1) * sizeof(*f->lists));
		f->lists[f->nlists++] = (char *)fes;
		for (unsigned k = 0; k < n; k++) {
			if (f->nrefs == cap) {
				cap = cap ? 2 * cap : 64;
				f->refs = vd_realloc(f->refs, cap * sizeof(*f->refs));
			}
			f->refs[f->nrefs++] = (struct bref){ fes[k], f->doms[i] };
		}
	}
	*replies += w.replies;
	if (f->nrefs)
		qsort(f->refs, f->nrefs, sizeof(*f->refs), bref_cmp);
	f->sorted = vd_calloc(f->ndoms + 1, sizeof(*f->sorted));
	if (f->ndoms)
		memcpy(f->sorted, f->doms, f->ndoms * sizeof(*f->sorted));
	if (f->ndoms)
		qsort(f->sorted, f->ndoms, sizeof(*f->sorted), str_cmp);
	return w.fatal;
}

static bool listed_dom(const struct full *f, const char *d)
{
	return f->ndoms && bsearch(&d, f->sorted, f->ndoms, sizeof(*f->sorted), str_cmp);
}

static void full_free(struct full *f)
{
	for (size_t i = 0; i < f->nlists; i++)
		free(f->lists[i]);
	free(f->lists);
	free(f->refs);
	free(f->sorted);
	free(f->has_be);
	free(f->doms);
}

int vd_xs_snapshot_all(struct vd_snap *snap, unsigned retries, unsigned timeout_s,
		       struct vd_reread **rr, size_t *nrr, struct vd_err *err)
{
	struct vd_xsconn *c = vd_xsconn_open(timeout_s, NULL, err);
	struct full f = { 0 };
	struct vd_snap *out;
	unsigned long replies = 0;
	int rc;

	*rr = NULL;
	*nrr = 0;
	if (!c)
		return -1;
	out = vd_snap_new();
	vd_xsconn_arm(c);
	rc = full_plan(c, &f, &replies);
	for (f.i = 0; f.i < f.ndoms && !rc; f.i++) {
		struct vd_walk_job job = { full_body, NULL, &f, 0, false, NULL, retries };

		job.is_dom = vd_parse_uint_str(f.doms[f.i], ULONG_MAX, &job.domid);
		if (!job.is_dom)
			job.label = f.doms[f.i];
		rc = vd_walk_retried(c, &job, &replies, out, rr, nrr);
	}
	f.orphan = true;
	for (f.i = 0; f.i < f.nrefs && !rc;) {
		const char *fe = f.refs[f.i].fe;
		size_t next = f.i;

		while (next < f.nrefs && strcmp(f.refs[next].fe, fe) == 0)
			next++;
		if (!listed_dom(&f, fe)) {
			char *label = vd_asprintf("the backends of domain %s", fe);
			const struct vd_walk_job job = { full_body, NULL,  &f,	   0,
							 false,	    label, retries };

			rc = vd_walk_retried(c, &job, &replies, out, rr, nrr);
			free(label);
		}
		f.i = next;
	}
	if (!rc) {
		const struct vd_walk_job job = { xapi_body,	    NULL,   NULL, 0, false,
						 "the /xapi nodes", retries };

		rc = vd_walk_retried(c, &job, &replies, out, rr, nrr);
	}
	full_free(&f);
	return vd_walk_done(c, rc, replies, out, snap, rr, nrr, err);
}
