// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Live source: the VIF-relevant subtrees of xenstore through libxenstore, inside one
 * transaction, retried on EAGAIN. Read-only by construction: this file calls only
 * xs_open, xs_directory, xs_read, xs_transaction_start/end and xs_close
 * (XS_OPEN_READONLY is ignored by libxenstore 4.17, so the guarantee is ours).
 */
#include "vd_source.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

#include "vd_dump.h"
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

/* A domain's name and vm; with trees also its VIF subtrees and vCPUs. */
static void walk_domain(struct walk *w, const char *dom, bool trees)
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

		walk_tree(w, p);
		free(p);
	}
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
		walk_domain(w, doms[i], trees);
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

static int one_attempt(struct xs_handle *xs, struct vd_xsconn *conn, unsigned long *replies,
		       struct vd_snap **snap, const struct plan *pl, bool txn, bool *again)
{
	struct walk w = { .xs = xs, .conn = conn, .t = XBT_NULL, .snap = *snap };
	int rc;

	*again = false;
	if (txn) {
		w.t = xs_transaction_start(xs);
		answered(&w, w.t != XBT_NULL);
		if (w.t == XBT_NULL) {
			rc = errno ? errno : EIO;
			goto out;
		}
	}
	walk_plan(&w, pl);
	/* Commit even though nothing was written: only a commit tells us the reads agreed. */
	rc = w.fatal;
	if (txn) {
		bool ended = xs_transaction_end(xs, w.t, w.fatal != 0);

		answered(&w, ended);
		if (!ended && errno == EAGAIN && !w.fatal)
			*again = true;
		else if (!ended && !w.fatal)
			rc = errno ? errno : EIO;
	}
out:
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
	struct vd_xsconn *c = vd_xsconn_open(timeout_s, NULL, err);
	int rc;

	if (!c)
		return -1;
	rc = vd_xs_read_conn(c, VD_XS_ALL, NULL, 0, retries, snap, err);
	vd_xsconn_close(c);
	return rc;
}

int vd_source_snapshot(const struct vd_opts *o, struct vd_snap *snap, struct vd_err *err)
{
	if (o->from)
		return vd_dump_load(o->from, snap, err);
	return vd_xs_snapshot(snap, o->retries, o->timeout, err);
}
