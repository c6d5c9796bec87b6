// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Live source: the entry points, and the walk in one transaction that watch keeps on its
 * handle (VD_XS_ALL, VD_XS_DOMAINS, VD_XS_TREES), read again whole when it conflicts. The
 * per-domain reads are src/xs_all.c (every domain) and src/xs_select.c (the selected ones);
 * the walker's parts src/xs_walk.c. Read-only by construction: this file calls only
 * xs_open (XS_OPEN_READONLY is ignored by libxenstore 4.17, so the guarantee is ours).
 */
#include "vd_source.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

#include "vd_dump.h"
#include "vd_util.h"
#include "vd_xsconn.h"
#include "vd_xswalk.h"

/* Every domain; with trees their VIF subtrees and the XenServer nodes too. */
static void walk_all(struct vd_walk *w, bool trees)
{
	unsigned int n;
	char **doms = vd_walk_list(w, "/local/domain", &n);

	for (unsigned int i = 0; i < n && !w->fatal; i++)
		vd_walk_domain(w, doms[i], trees, true);
	free(doms);
	if (!w->fatal && trees)
		vd_walk_xapi(w);
}

struct plan {
	enum vd_xs_what what;
	const char *const *roots;
	size_t nroots;
};

static void walk_plan(struct vd_walk *w, const struct plan *pl)
{
	if (pl->what != VD_XS_TREES)
		walk_all(w, pl->what == VD_XS_ALL);
	for (size_t i = 0; pl->what == VD_XS_TREES && i < pl->nroots && !w->fatal; i++)
		vd_walk_tree(w, pl->roots[i]);
}

static void plan_body(struct vd_walk *w, void *pl)
{
	walk_plan(w, pl);
}

static int one_attempt(struct xs_handle *xs, struct vd_xsconn *conn, unsigned long *replies,
		       struct vd_snap **snap, const struct plan *pl, bool txn, bool *again)
{
	struct vd_walk w = { .xs = xs, .conn = conn, .t = XBT_NULL, .snap = *snap };
	struct plan p = *pl;
	int rc = vd_walk_in_txn(&w, txn, again, plan_body, &p);

	*replies += w.replies;
	return rc;
}

static int read_with(struct xs_handle *xs, struct vd_xsconn *conn, enum vd_xs_what what,
		     const char *const *roots, size_t nroots, unsigned retries,
		     struct vd_snap *snap, struct vd_err *err)
{
	const struct plan pl = { what, roots, nroots };
	struct vd_snap *work = NULL;
	unsigned long replies = 0;
	int rc = 0;
	bool again = true;

	/* The store may change under us: a conflicting commit means "read it all again". */
	for (unsigned attempt = 0; again && attempt <= retries; attempt++) {
		vd_snap_free(work);
		work = vd_snap_new();
		rc = one_attempt(xs, conn, &replies, &work, &pl, true, &again);
		if (rc)
			break;
	}
	if (!rc && again) {
		vd_snap_free(work);
		work = vd_snap_new();
		rc = one_attempt(xs, conn, &replies, &work, &pl, false, &again);
		vd_snap_warn(work,
			     "xenstore kept changing during %u transactions; this snapshot was "
			     "read without one and may mix states",
			     retries + 1);
	}
	if (rc) {
		vd_walk_err(conn, rc, replies, err);
		vd_snap_free(work);
		return -1;
	}
	vd_snap_move(snap, work);
	return 0;
}

int vd_xs_read(struct xs_handle *xs, enum vd_xs_what what, const char *const *roots, size_t nroots,
	       unsigned retries, struct vd_snap *snap, struct vd_err *err)
{
	return read_with(xs, NULL, what, roots, nroots, retries, snap, err);
}

int vd_xs_read_conn(struct vd_xsconn *c, enum vd_xs_what what, const char *const *roots,
		    size_t nroots, unsigned retries, struct vd_snap *snap, struct vd_err *err)
{
	int rc;

	vd_xsconn_arm(c);
	rc = read_with(vd_xsconn_handle(c), c, what, roots, nroots, retries, snap, err);
	vd_xsconn_disarm(c);
	return rc;
}

struct xs_handle *vd_xs_open(struct vd_err *err)
{
	struct xs_handle *xs = xs_open(0);

	if (!xs)
		vd_xs_err_connect(err, strerror(errno));
	return xs;
}

int vd_xs_snapshot(struct vd_snap *snap, unsigned retries, unsigned timeout_s, struct vd_err *err)
{
	struct vd_reread *rr;
	size_t nrr;
	int rc = vd_xs_snapshot_all(snap, retries, timeout_s, &rr, &nrr, err);

	free(rr);
	return rc;
}

int vd_source_snapshot(const struct vd_opts *o, struct vd_snap *snap, struct vd_err *err)
{
	if (o->from)
		return vd_dump_load(o->from, snap, err);
	return vd_xs_snapshot(snap, o->retries, o->timeout, err);
}
