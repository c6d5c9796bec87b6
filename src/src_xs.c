// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Live source: the VIF-relevant subtrees of xenstore through libxenstore, in transactions
 * (per domain for a snapshot, one for watch's walk), retried on EAGAIN. Read-only by
 * construction: this file calls only
 * xs_open, xs_directory, xs_read, xs_transaction_start/end and xs_close
 * (XS_OPEN_READONLY is ignored by libxenstore 4.17, so the guarantee is ours).
 */
#include "vd_source.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

#include "vd_dump.h"
#include "vd_model.h"
#include "vd_util.h"
#include "vd_xsconn.h"

struct walk {
	struct xs_handle *xs;
	struct vd_xsconn *conn; /* NULL: a bare handle (vd_xs_read) */
	unsigned long replies;
	xs_transaction_t t;
	struct vd_snap *snap;
	int fatal; /* errno of a failure that is not "node gone" */
	const char *fatal_path;
};

static bool gone(int e)
{
	return e == ENOENT;
}

/* A request came back (with a value or an error reply): xenstored is alive. */
static void answered(struct walk *w, bool ok)
{
	if (!ok && (errno == EBADF || errno == EINVAL || errno == EPIPE || errno == ECONNRESET))
		return; /* no reply: the connection ended */
	w->replies++;
	if (w->conn)
		vd_xsconn_progress(w->conn);
}

/* Reads one node into the snapshot. Returns false if it does not exist (or vanished). */
static bool read_node(struct walk *w, const char *path, bool listed, size_t *lenp)
{
	unsigned int len = 0;
	char *val = xs_read(w->xs, w->t, path, &len);

	answered(w, val != NULL);
	if (!val) {
		if (gone(errno)) {
			if (listed)
				vd_snap_vanished(w->snap, path);
		} else if (errno == EACCES) {
			struct vd_node *nd = vd_snap_put(w->snap, path, "", 0);

			nd->flags |= VD_NODE_NOVALUE;
			return true;
		} else if (!w->fatal) {
			w->fatal = errno;
			w->fatal_path = path;
		}
		return false;
	}
	vd_snap_put(w->snap, path, val, len);
	free(val);
	if (lenp)
		*lenp = len;
	return true;
}

/*
 * Keys of netif.h, the toolstack and the hotplug scripts that are values, never
 * directories: a READ that gives a value is the whole node, no DIRECTORY needed. An empty
 * value might still be a directory (a guest can write anything), so it gets one.
 */
bool vd_xs_known_leaf(const char *name)
{
	static const char *const leaves[] = {
		"availability", /* cpu/N/availability */
		"backend",
		"backend-id",
		"bridge",
		"ctrl-ring-ref",
		"error",
		"event-channel",
		"event-channel-ctrl",
		"event-channel-rx",
		"event-channel-tx",
		"frontend",
		"frontend-id",
		"handle",
		"hotplug-error",
		"hotplug-status",
		"ip",
		"mac",
		"mtu",
		"multi-queue-max-queues",
		"multi-queue-num-queues",
		"online",
		"rate",
		"rx-ring-ref",
		"script",
		"state",
		"trusted",
		"tx-ring-ref",
		"type",
		"vifname",
		"xdp-headroom",
	};

	if (vd_startswith(name, "feature-") || vd_startswith(name, "request-"))
		return true;
	for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++)
		if (strcmp(name, leaves[i]) == 0)
			return true;
	return false;
}

/*
 * Every descendant of path (not path itself): one READ per node, and one DIRECTORY per
 * node that may have children (not on a known leaf holding a value).
 */
static void walk_below(struct walk *w, const char *path)
{
	unsigned int n = 0;
	char **names = xs_directory(w->xs, w->t, path, &n);

	answered(w, names != NULL);
	if (!names) {
		if (!gone(errno) && errno != EACCES && !w->fatal) {
			w->fatal = errno;
			w->fatal_path = path;
		}
		return;
	}
	for (unsigned int i = 0; i < n && !w->fatal; i++) {
		/* the root's children are "/x", not "//x" */
		char *child = vd_asprintf("%s/%s", strcmp(path, "/") ? path : "", names[i]);
		size_t len = 0;

		if (read_node(w, child, true, &len) && (len == 0 || !vd_xs_known_leaf(names[i])))
			walk_below(w, child);
		free(child);
	}
	free(names);
}

/* A subtree root that may legitimately be absent. */
static void walk_tree(struct walk *w, const char *path)
{
	const char *name = strrchr(path, '/');
	size_t len = 0;

	if (read_node(w, path, false, &len) && (len == 0 || !vd_xs_known_leaf(name + 1)))
		walk_below(w, path);
}

static char **list(struct walk *w, const char *path, unsigned int *n)
{
	char **names = xs_directory(w->xs, w->t, path, n);

	answered(w, names != NULL);
	if (!names) {
		*n = 0;
		if (!gone(errno) && errno != EACCES && !w->fatal) {
			w->fatal = errno;
			w->fatal_path = path;
		}
	}
	return names;
}

/*
 * The guest's vCPUs for the multi-queue rules (vd_mq.h): cpu/K/availability only, the
 * empty cpu/K directories implied by it (a missing availability reads cpu/K whole); the
 * old vcpu_avail bitmap only when there is no cpu directory.
 */
static void walk_cpus(struct walk *w, const char *base)
{
	char *cpu = vd_asprintf("%s/cpu", base);
	unsigned int n = 0;
	char **names = NULL;

	if (read_node(w, cpu, false, NULL))
		names = list(w, cpu, &n);
	else if (!w->fatal) {
		char *p = vd_asprintf("%s/vcpu_avail", base);

		read_node(w, p, false, NULL);
		free(p);
	}
	for (unsigned int i = 0; i < n && !w->fatal; i++) {
		char *k = vd_asprintf("%s/%s", cpu, names[i]);
		char *a = vd_asprintf("%s/availability", k);

		if (!read_node(w, a, false, NULL) && !w->fatal)
			walk_tree(w, k);
		free(a);
		free(k);
	}
	free(names);
	free(cpu);
}

/* A backend domain's libxl/disable_udev (vd_diagnose_udev): one READ, only where backends
 * are, since the udev-called scripts there exit when it exists. */
static void read_udev_key(struct walk *w, const char *base)
{
	char *p = vd_asprintf("%s/backend/vif", base);

	if (vd_snap_get(w->snap, p) && !w->fatal) {
		free(p);
		p = vd_asprintf("%s/libxl/disable_udev", base);
		read_node(w, p, false, NULL);
	}
	free(p);
}

/*
 * A domain's name and vm; with trees also its VIF subtrees and vCPUs, and with backends the
 * backend/vif dir it holds (the per-domain full read reads each backend/vif/<fe> with the
 * frontend's domain instead).
 */
static void walk_domain(struct walk *w, const char *dom, bool trees, bool backends)
{
	static const char *const leaves[] = { "name", "vm" };
	/* the VIF dirs, under the domain and under its error/ */
	static const char *const subtrees[] = { "device/vif", "backend/vif" };
	char *base = vd_asprintf("/local/domain/%s", dom), *err;

	if (!read_node(w, base, true, NULL)) {
		free(base);
		return;
	}
	for (unsigned i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
		char *p = vd_asprintf("%s/%s", base, leaves[i]);

		read_node(w, p, false, NULL);
		free(p);
	}
	for (unsigned i = 0; trees && i < sizeof(subtrees) / sizeof(subtrees[0]); i++) {
		char *p = vd_asprintf("%s/%s", base, subtrees[i]);

		if (i == 0 || backends)
			walk_tree(w, p);
		free(p);
	}
	if (trees && backends)
		read_udev_key(w, base);
	/* error/ is absent on a healthy host: one READ then, instead of one per subtree */
	err = vd_asprintf("%s/error", base);
	if (trees && read_node(w, err, false, NULL)) {
		for (unsigned i = 0; i < sizeof(subtrees) / sizeof(subtrees[0]); i++) {
			char *p = vd_asprintf("%s/%s", err, subtrees[i]);

			walk_tree(w, p);
			free(p);
		}
	}
	free(err);
	if (trees && !w->fatal)
		walk_cpus(w, base);
	free(base);
}

/* XenServer/XCP-ng: bridge and hotplug nodes live under /xapi/<vm uuid>/. */
static void walk_xapi(struct walk *w)
{
	unsigned int n;
	char **uuids = list(w, "/xapi", &n);

	for (unsigned int i = 0; i < n && !w->fatal; i++) {
		char *p = vd_asprintf("/xapi/%s/private/vif", uuids[i]);

		walk_tree(w, p);
		free(p);
		p = vd_asprintf("/xapi/%s/hotplug", uuids[i]);
		walk_tree(w, p);
		free(p);
	}
	free(uuids);
}

/* Every domain; with trees their VIF subtrees and the XenServer nodes too. */
static void walk_all(struct walk *w, bool trees)
{
	unsigned int n;
	char **doms = list(w, "/local/domain", &n);

	for (unsigned int i = 0; i < n && !w->fatal; i++)
		walk_domain(w, doms[i], trees, true);
	free(doms);
	if (!w->fatal && trees)
		walk_xapi(w);
}

struct plan {
	enum vd_xs_what what;
	const char *const *roots;
	size_t nroots;
};

static void walk_plan(struct walk *w, const struct plan *pl)
{
	if (pl->what != VD_XS_TREES)
		walk_all(w, pl->what == VD_XS_ALL);
	for (size_t i = 0; pl->what == VD_XS_TREES && i < pl->nroots && !w->fatal; i++)
		walk_tree(w, pl->roots[i]);
}

/*
 * One read in a transaction (txn) or in none; *again when the commit says the store
 * changed meanwhile (EAGAIN). Shared by the whole walk and the per-domain one.
 */
static int in_txn(struct walk *w, bool txn, bool *again, void (*body)(struct walk *, void *),
		  void *arg)
{
	int rc;

	*again = false;
	if (txn) {
		w->t = xs_transaction_start(w->xs);
		answered(w, w->t != XBT_NULL);
		if (w->t == XBT_NULL)
			return errno ? errno : EIO;
	}
	body(w, arg);
	/* Commit even though nothing was written: only a commit tells us the reads agreed. */
	rc = w->fatal;
	if (txn) {
		bool ended = xs_transaction_end(w->xs, w->t, w->fatal != 0);

		answered(w, ended);
		if (!ended && errno == EAGAIN && !w->fatal)
			*again = true;
		else if (!ended && !w->fatal)
			rc = errno ? errno : EIO;
	}
	return rc;
}

/*
 * A part of the store (one domain, or the /xapi nodes) read by body in a transaction of
 * its own, again when the commit says it changed meanwhile, up to retries times, then once
 * without one (a warning says so); the attempts of a domain read more than once go to *rr.
 * undo (if any) forgets what a failed attempt learnt. The part is merged into out.
 */
struct retried {
	void (*body)(struct walk *, void *);
	void (*undo)(void *);
	void *arg;
	unsigned long domid;
	bool is_dom;	   /* else no *rr entry */
	const char *label; /* what the warnings name: "domain N" when NULL */
	unsigned retries;
};

static int retried_read(struct vd_xsconn *c, const struct retried *job, unsigned long *replies,
			struct vd_snap *out, struct vd_reread **rr, size_t *nrr)
{
	struct vd_snap *work = NULL;
	unsigned attempts = 0;
	bool again = false;
	int rc;

	do {
		struct walk w = { .xs = vd_xsconn_handle(c), .conn = c, .t = XBT_NULL };

		if (attempts && job->undo)
			job->undo(job->arg);
		vd_snap_free(work);
		work = vd_snap_new();
		w.snap = work;
		rc = in_txn(&w, attempts <= job->retries, &again, job->body, job->arg);
		*replies += w.replies;
		attempts++;
	} while (!rc && again);
	if (rc) {
		vd_snap_free(work);
		return rc;
	}
	if (attempts > 1) {
		bool bare = attempts > job->retries + 1;
		char *what =
			job->label ? vd_strdup(job->label) : vd_asprintf("domain %lu", job->domid);

		if (job->is_dom) {
			*rr = vd_realloc(*rr, (*nrr + 1) * sizeof(**rr));
			(*rr)[(*nrr)++] = (struct vd_reread){ job->domid, attempts, bare };
		}
		if (bare)
			vd_snap_warn(work,
				     "%s: xenstore kept changing during %u transactions; it was "
				     "read without one and may mix states",
				     what, job->retries + 1);
		else
			vd_snap_warn(work, "%s: read again after %u conflicting transaction%s",
				     what, attempts - 1, attempts == 2 ? "" : "s");
		free(what);
	}
	vd_snap_merge(out, work);
	return 0;
}

static void plan_body(struct walk *w, void *pl)
{
	walk_plan(w, pl);
}

static int one_attempt(struct xs_handle *xs, struct vd_xsconn *conn, unsigned long *replies,
		       struct vd_snap **snap, const struct plan *pl, bool txn, bool *again)
{
	struct walk w = { .xs = xs, .conn = conn, .t = XBT_NULL, .snap = *snap };
	struct plan p = *pl;
	int rc = in_txn(&w, txn, again, plan_body, &p);

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
		if (conn && vd_xsconn_timed_out(conn))
			vd_xs_err_timeout(err, vd_xsconn_timeout(conn));
		else if (conn && vd_xsconn_stopped(conn))
			vd_err_set(err, VD_EXIT_SOURCE, "interrupted while reading xenstore");
		else if (rc == EBADF && !replies && !(conn && vd_xsconn_answered(conn)))
			/* EOF before any reply: not a xenstored (XENSTORED_PATH=/dev/null) */
			vd_xs_err_connect(err, "it closed the connection without answering");
		else
			vd_err_set(err, VD_EXIT_SOURCE, "cannot read xenstore: %s", strerror(rc));
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

/*
 * Selective reads (status/show/check DOM...): per domain, in a transaction of its own, what
 * the model needs for that domain's VIFs, found by following pointers instead of walking
 * every domain: its frontends, and backend/vif/<domid> in its backend domains (dom0, every
 * domain its frontends' backend and backend-id name). A frontend's pointer into another
 * backend dir reads that dir too (so a liar is still paired as the full walk pairs it), and
 * a backend that points at another domain's frontend adds that domain to the read.
 */

/* A node read and/or listed once per run, whichever domain asked first. */
struct known {
	char *path;
	bool exists;
	char **names; /* with a listing: the children */
	unsigned n;
};

struct sel {
	struct walk *w;	     /* the current attempt */
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
		k->exists = read_node(s->w, path, false, NULL);
	if (dir && k->exists) {
		k->names = list(s->w, path, &k->n);
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
	walk_tree(s->w, path);
}

/* backend/vif/<fe> of backend domain b, and its error nodes */
static void sel_backends(struct sel *s, unsigned long b, unsigned long fe)
{
	char *p = vd_asprintf("/local/domain/%lu/backend/vif/%lu", b, fe);

	sel_tree(s, p);
	free(p);
	p = vd_asprintf("/local/domain/%lu", b);
	read_udev_key(s->w, p);
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

/* The domain's own nodes: what walk_domain reads, without its backend dirs. */
static void sel_own(struct sel *s, const char *base)
{
	static const char *const leaves[] = { "name", "vm" };
	char *p;

	for (unsigned i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
		p = vd_asprintf("%s/%s", base, leaves[i]);
		read_node(s->w, p, false, NULL);
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
		walk_cpus(s->w, base);
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

static void sel_domain(struct walk *w, struct sel *s)
{
	unsigned long d = s->cur;
	char *base = vd_asprintf("/local/domain/%lu", d);
	char *fes = vd_asprintf("%s/device/vif", base), name[24], **ids;
	size_t n;

	s->w = w;
	s->ncand = 0;
	add_ulong(&s->cand, &s->ncand, &s->ccap, 0); /* the toolstack's domain */
	/* a domain that is gone may still have backend dirs (orphans) */
	if (read_node(w, base, false, NULL))
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

static void domain_body(struct walk *w, void *s)
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
	const struct retried job = { domain_body, sel_undo, s, d, true, NULL, retries };

	s->md = s->ndoms;
	s->mk = s->nkn;
	s->mr = s->nroots;
	s->cur = d;
	return retried_read(c, &job, replies, out, rr, nrr);
}

/* Why a read on c failed (rc an errno), as a VD_EXIT_SOURCE error. */
static void conn_err(struct vd_xsconn *c, int rc, unsigned long replies, struct vd_err *err)
{
	if (vd_xsconn_timed_out(c))
		vd_xs_err_timeout(err, vd_xsconn_timeout(c));
	else if (vd_xsconn_stopped(c))
		vd_err_set(err, VD_EXIT_SOURCE, "interrupted while reading xenstore");
	else if (rc == EBADF && !replies && !vd_xsconn_answered(c))
		vd_xs_err_connect(err, "it closed the connection without answering");
	else
		vd_err_set(err, VD_EXIT_SOURCE, "cannot read xenstore: %s", strerror(rc));
}

/* The end of a per-domain read on c: its connection closed, out moved to snap, or the error. */
static int read_done(struct vd_xsconn *c, int rc, unsigned long replies, struct vd_snap *out,
		     struct vd_snap *snap, struct vd_reread **rr, size_t *nrr, struct vd_err *err)
{
	if (rc)
		conn_err(c, rc, replies, err);
	vd_xsconn_disarm(c);
	vd_xsconn_close(c);
	if (rc) {
		vd_snap_free(out);
		free(*rr);
		*rr = NULL;
		*nrr = 0;
		return -1;
	}
	vd_snap_move(snap, out);
	return 0;
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
	return read_done(c, rc, replies, out, snap, rr, nrr, err);
}

/*
 * Every domain, one transaction per domain (one over the whole store would conflict
 * forever on a busy host of hundreds of guests). Outside any transaction: the domains and
 * each one's backend/vif listing. Then per domain its frontend end (walk_domain) with
 * backend/vif/<it> of every backend domain that lists it; then, per frontend domid, the
 * backend dirs of domains that are not (orphans); then /xapi. The same nodes and requests
 * as the one-transaction walk (VD_XS_ALL), plus two per transaction.
 */
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
static void walk_refs(struct walk *w, const struct full *f, size_t k, const char *fe)
{
	for (; k < f->nrefs && strcmp(f->refs[k].fe, fe) == 0 && !w->fatal; k++) {
		char *p = vd_asprintf("/local/domain/%s/backend/vif/%s", f->refs[k].be, fe);
		size_t len = 0;

		if (read_node(w, p, true, &len) && (len == 0 || !vd_xs_known_leaf(fe)))
			walk_below(w, p);
		free(p);
	}
}

static void full_body(struct walk *w, void *arg)
{
	struct full *f = arg;

	if (f->orphan) {
		walk_refs(w, f, f->i, f->refs[f->i].fe);
		return;
	}
	walk_domain(w, f->doms[f->i], true, false);
	if (f->has_be[f->i] && !w->fatal) {
		char *base = vd_asprintf("/local/domain/%s", f->doms[f->i]);
		char *p = vd_asprintf("%s/backend/vif", base);

		read_node(w, p, true, NULL);
		read_udev_key(w, base);
		free(p);
		free(base);
	}
	if (!w->fatal)
		walk_refs(w, f, first_ref(f, f->doms[f->i]), f->doms[f->i]);
}

static void xapi_body(struct walk *w, void *arg)
{
	(void)arg;
	walk_xapi(w);
}

/* the domains and their backend listings, outside any transaction */
static int full_plan(struct vd_xsconn *c, struct full *f, unsigned long *replies)
{
	struct walk w = { .xs = vd_xsconn_handle(c), .conn = c, .t = XBT_NULL };
	size_t cap = 0;

	f->doms = list(&w, "/local/domain", &f->ndoms);
	f->has_be = vd_calloc(f->ndoms + 1, sizeof(*f->has_be));
	for (unsigned i = 0; i < f->ndoms && !w.fatal; i++) {
		char *p = vd_asprintf("/local/domain/%s/backend/vif", f->doms[i]);
		unsigned n = 0;
		char **fes = xs_directory(w.xs, XBT_NULL, p, &n);

		answered(&w, fes != NULL);
		free(p);
		if (!fes) {
			if (!gone(errno) && errno != EACCES && !w.fatal)
				w.fatal = errno;
			continue;
		}
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
		struct retried job = { full_body, NULL, &f, 0, false, NULL, retries };

		job.is_dom = vd_parse_uint_str(f.doms[f.i], ULONG_MAX, &job.domid);
		if (!job.is_dom)
			job.label = f.doms[f.i];
		rc = retried_read(c, &job, &replies, out, rr, nrr);
	}
	f.orphan = true;
	for (f.i = 0; f.i < f.nrefs && !rc;) {
		const char *fe = f.refs[f.i].fe;
		size_t next = f.i;

		while (next < f.nrefs && strcmp(f.refs[next].fe, fe) == 0)
			next++;
		if (!listed_dom(&f, fe)) {
			char *label = vd_asprintf("the backends of domain %s", fe);
			const struct retried job = {
				full_body, NULL, &f, 0, false, label, retries
			};

			rc = retried_read(c, &job, &replies, out, rr, nrr);
			free(label);
		}
		f.i = next;
	}
	if (!rc) {
		const struct retried job = { xapi_body,		NULL,	NULL, 0, false,
					     "the /xapi nodes", retries };

		rc = retried_read(c, &job, &replies, out, rr, nrr);
	}
	full_free(&f);
	return read_done(c, rc, replies, out, snap, rr, nrr, err);
}
