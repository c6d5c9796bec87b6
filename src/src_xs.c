// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Live source: the VIF-relevant subtrees of xenstore through libxenstore, inside one
 * transaction, retried on EAGAIN. Read-only by construction: this file calls only
 * xs_open, xs_directory, xs_read, xs_transaction_start/end and xs_close
 * (XS_OPEN_READONLY is ignored by libxenstore 4.17, so the guarantee is ours).
 */
#include "vd_source.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xenstore.h>

#include "vd_dump.h"
#include "vd_util.h"

struct walk {
	struct xs_handle *xs;
	xs_transaction_t t;
	struct vd_snap *snap;
	int fatal; /* errno of a failure that is not "node gone" */
	const char *fatal_path;
};

static bool gone(int e)
{
	return e == ENOENT;
}

/* Reads one node into the snapshot. Returns false if it does not exist (or vanished). */
static bool read_node(struct walk *w, const char *path, bool listed)
{
	unsigned int len = 0;
	char *val = xs_read(w->xs, w->t, path, &len);

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
	return true;
}

/* Every descendant of path (not path itself): one DIRECTORY and one READ per node. */
static void walk_below(struct walk *w, const char *path)
{
	unsigned int n = 0;
	char **names = xs_directory(w->xs, w->t, path, &n);

	if (!names) {
		if (!gone(errno) && errno != EACCES && !w->fatal) {
			w->fatal = errno;
			w->fatal_path = path;
		}
		return;
	}
	for (unsigned int i = 0; i < n && !w->fatal; i++) {
		char *child = vd_asprintf("%s/%s", path, names[i]);

		if (read_node(w, child, true))
			walk_below(w, child);
		free(child);
	}
	free(names);
}

/* A subtree root that may legitimately be absent. */
static void walk_tree(struct walk *w, const char *path)
{
	if (read_node(w, path, false))
		walk_below(w, path);
}

static char **list(struct walk *w, const char *path, unsigned int *n)
{
	char **names = xs_directory(w->xs, w->t, path, n);

	if (!names) {
		*n = 0;
		if (!gone(errno) && errno != EACCES && !w->fatal) {
			w->fatal = errno;
			w->fatal_path = path;
		}
	}
	return names;
}

/* A domain's name and vm; with trees also its VIF subtrees. */
static void walk_domain(struct walk *w, const char *dom, bool trees)
{
	static const char *const leaves[] = { "name", "vm" };
	static const char *const subtrees[] = { "device/vif", "backend/vif", "error/device/vif",
						"error/backend/vif" };
	char *base = vd_asprintf("/local/domain/%s", dom);

	if (!read_node(w, base, true)) {
		free(base);
		return;
	}
	for (unsigned i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
		char *p = vd_asprintf("%s/%s", base, leaves[i]);

		read_node(w, p, false);
		free(p);
	}
	for (unsigned i = 0; trees && i < sizeof(subtrees) / sizeof(subtrees[0]); i++) {
		char *p = vd_asprintf("%s/%s", base, subtrees[i]);

		walk_tree(w, p);
		free(p);
	}
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

static int one_attempt(struct xs_handle *xs, struct vd_snap **snap, const struct plan *pl, bool txn,
		       bool *again)
{
	struct walk w = { .xs = xs, .t = XBT_NULL, .snap = *snap };

	*again = false;
	if (txn) {
		w.t = xs_transaction_start(xs);
		if (w.t == XBT_NULL)
			return errno ? errno : EIO;
	}
	walk_plan(&w, pl);
	/* Commit even though nothing was written: only a commit tells us the reads agreed. */
	if (txn && !xs_transaction_end(xs, w.t, w.fatal != 0)) {
		if (errno == EAGAIN && !w.fatal) {
			*again = true;
			return 0;
		}
		if (!w.fatal)
			return errno ? errno : EIO;
	}
	return w.fatal;
}

int vd_xs_read(struct xs_handle *xs, enum vd_xs_what what, const char *const *roots, size_t nroots,
	       unsigned retries, struct vd_snap *snap, struct vd_err *err)
{
	const struct plan pl = { what, roots, nroots };
	struct vd_snap *work = NULL;
	int rc = 0;
	bool again = true;

	/* The store may change under us: a conflicting commit means "read it all again". */
	for (unsigned attempt = 0; again && attempt <= retries; attempt++) {
		vd_snap_free(work);
		work = vd_snap_new();
		rc = one_attempt(xs, &work, &pl, true, &again);
		if (rc)
			break;
	}
	if (!rc && again) {
		vd_snap_free(work);
		work = vd_snap_new();
		rc = one_attempt(xs, &work, &pl, false, &again);
		vd_snap_warn(work,
			     "xenstore kept changing during %u transactions; this snapshot was "
			     "read without one and may mix states",
			     retries + 1);
	}
	if (rc) {
		vd_err_set(err, VD_EXIT_SOURCE, "cannot read xenstore: %s", strerror(rc));
		vd_snap_free(work);
		return -1;
	}
	vd_snap_move(snap, work);
	return 0;
}

struct xs_handle *vd_xs_open(struct vd_err *err)
{
	struct xs_handle *xs = xs_open(0);

	if (!xs) {
		const char *p = getenv("XENSTORED_PATH");

		vd_err_set(err, VD_EXIT_SOURCE,
			   "cannot connect to xenstored (%s%s): %s; to read a saved dump instead "
			   "use --from FILE (made with 'xenstore-ls -fp > FILE')",
			   p ? "XENSTORED_PATH=" : "/run/xenstored/socket or /dev/xen/xenbus",
			   p ? p : "", strerror(errno));
	}
	return xs;
}

static int snapshot_now(struct vd_snap *snap, unsigned retries, struct vd_err *err)
{
	struct xs_handle *xs = vd_xs_open(err);
	int rc;

	if (!xs)
		return -1;
	rc = vd_xs_read(xs, VD_XS_ALL, NULL, 0, retries, snap, err);
	xs_close(xs);
	return rc;
}

/*
 * libxenstore blocks in read() until xenstored answers, and retries on EINTR: the read
 * runs in a thread the caller stops waiting for. The job is shared; whoever finishes last
 * (the reader, or the caller that gave up) frees it.
 */
struct job {
	pthread_mutex_t lock;
	pthread_cond_t done_cv;
	bool done, abandoned;
	unsigned retries;
	int rc;
	struct vd_snap *snap;
	struct vd_err err;
};

static void job_free(struct job *j)
{
	vd_snap_free(j->snap);
	pthread_cond_destroy(&j->done_cv);
	pthread_mutex_destroy(&j->lock);
	free(j);
}

static void *reader(void *arg)
{
	struct job *j = arg;
	bool abandoned;

	j->rc = snapshot_now(j->snap, j->retries, &j->err);
	pthread_mutex_lock(&j->lock);
	j->done = true;
	abandoned = j->abandoned;
	pthread_cond_signal(&j->done_cv);
	pthread_mutex_unlock(&j->lock);
	if (abandoned)
		job_free(j);
	return NULL;
}

int vd_xs_snapshot(struct vd_snap *snap, unsigned retries, unsigned timeout_s, struct vd_err *err)
{
	struct job *j;
	pthread_condattr_t ca;
	pthread_t th;
	struct timespec until;
	bool done;
	int rc = 0;

	if (!timeout_s)
		return snapshot_now(snap, retries, err);
	j = vd_calloc(1, sizeof(*j));
	j->retries = retries;
	j->snap = vd_snap_new();
	vd_err_clear(&j->err);
	pthread_mutex_init(&j->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&j->done_cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&th, NULL, reader, j) != 0) {
		job_free(j);
		return snapshot_now(snap, retries, err);
	}
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += (time_t)timeout_s;
	pthread_mutex_lock(&j->lock);
	while (!j->done && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&j->done_cv, &j->lock, &until);
	done = j->done;
	j->abandoned = !done;
	pthread_mutex_unlock(&j->lock);
	if (!done) {
		const char *p = getenv("XENSTORED_PATH");

		pthread_detach(th);
		vd_err_set(err, VD_EXIT_SOURCE,
			   "xenstored (%s) did not answer within %u s: it is hung or overloaded "
			   "(check its CPU use and log; --timeout SECS waits longer, 0 forever)",
			   p ? p : "/run/xenstored/socket or /dev/xen/xenbus", timeout_s);
		return -1;
	}
	pthread_join(th, NULL);
	if (j->rc == 0) {
		vd_snap_move(snap, j->snap); /* frees j->snap */
		j->snap = NULL;
	} else {
		*err = j->err;
	}
	rc = j->rc;
	job_free(j);
	return rc;
}

int vd_source_snapshot(const struct vd_opts *o, struct vd_snap *snap, struct vd_err *err)
{
	if (o->from)
		return vd_dump_load(o->from, snap, err);
	return vd_xs_snapshot(snap, o->retries, o->timeout, err);
}
