// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The live walker's parts (vd_xswalk.h): a node, a subtree, a listing, a domain's VIF
 * nodes, one attempt in a transaction and the retries around it. Read-only by
 * construction: this file calls only xs_directory, xs_read and xs_transaction_start/end
 * (XS_OPEN_READONLY is ignored by libxenstore 4.17, so the guarantee is ours).
 */
#include "vd_xswalk.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vd_model.h"
#include "vd_source.h"
#include "vd_util.h"
#include "vd_xsconn.h"

static bool gone(int e)
{
	return e == ENOENT;
}

/* A failed request: a node that is gone or hidden from us is an answer, else it is fatal. */
static void failed(struct vd_walk *w)
{
	if (!gone(errno) && errno != EACCES && !w->fatal)
		w->fatal = errno;
}

/* A request came back (with a value or an error reply): xenstored is alive. */
void vd_walk_answered(struct vd_walk *w, bool ok)
{
	if (!ok && (errno == EBADF || errno == EINVAL || errno == EPIPE || errno == ECONNRESET))
		return; /* no reply: the connection ended */
	w->replies++;
	if (w->conn)
		vd_xsconn_progress(w->conn);
}

/* Reads one node into the snapshot. Returns false if it does not exist (or vanished). */
bool vd_walk_node(struct vd_walk *w, const char *path, bool listed, size_t *lenp)
{
	unsigned int len = 0;
	char *val = xs_read(w->xs, w->t, path, &len);

	vd_walk_answered(w, val != NULL);
	if (!val) {
		if (gone(errno)) {
			if (listed)
				vd_snap_vanished(w->snap, path);
		} else if (errno == EACCES) {
			struct vd_node *nd = vd_snap_put(w->snap, path, "", 0);

			nd->flags |= VD_NODE_NOVALUE;
			return true;
		} else if (!w->fatal)
			w->fatal = errno;
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
void vd_walk_below(struct vd_walk *w, const char *path)
{
	unsigned int n = 0;
	char **names = vd_walk_list(w, path, &n);

	for (unsigned int i = 0; i < n && !w->fatal; i++) {
		/* the root's children are "/x", not "//x" */
		char *child = vd_asprintf("%s/%s", strcmp(path, "/") ? path : "", names[i]);
		size_t len = 0;

		if (vd_walk_node(w, child, true, &len) && (len == 0 || !vd_xs_known_leaf(names[i])))
			vd_walk_below(w, child);
		free(child);
	}
	free(names);
}

/* A subtree root that may legitimately be absent. */
void vd_walk_tree(struct vd_walk *w, const char *path)
{
	const char *name = strrchr(path, '/');
	size_t len = 0;

	if (vd_walk_node(w, path, false, &len) && (len == 0 || !vd_xs_known_leaf(name + 1)))
		vd_walk_below(w, path);
}

/* path's children; NULL (*n 0) when it has none to list: gone, hidden or failed */
char **vd_walk_list(struct vd_walk *w, const char *path, unsigned int *n)
{
	char **names = xs_directory(w->xs, w->t, path, n);

	vd_walk_answered(w, names != NULL);
	if (!names) {
		*n = 0;
		failed(w);
	}
	return names;
}

/*
 * The guest's vCPUs for the multi-queue rules (vd_mq.h): cpu/K/availability only, the
 * empty cpu/K directories implied by it (a missing availability reads cpu/K whole); the
 * old vcpu_avail bitmap only when there is no cpu directory.
 */
void vd_walk_cpus(struct vd_walk *w, const char *base)
{
	char *cpu = vd_asprintf("%s/cpu", base);
	unsigned int n = 0;
	char **names = NULL;

	if (vd_walk_node(w, cpu, false, NULL))
		names = vd_walk_list(w, cpu, &n);
	else if (!w->fatal) {
		char *p = vd_asprintf("%s/vcpu_avail", base);

		vd_walk_node(w, p, false, NULL);
		free(p);
	}
	for (unsigned int i = 0; i < n && !w->fatal; i++) {
		char *k = vd_asprintf("%s/%s", cpu, names[i]);
		char *a = vd_asprintf("%s/availability", k);

		if (!vd_walk_node(w, a, false, NULL) && !w->fatal)
			vd_walk_tree(w, k);
		free(a);
		free(k);
	}
	free(names);
	free(cpu);
}

/* A backend domain's libxl/disable_udev (vd_diagnose_udev): one READ, only where backends
 * are, since the udev-called scripts there exit when it exists. */
void vd_walk_udev_key(struct vd_walk *w, const char *base)
{
	char *p = vd_asprintf("%s/backend/vif", base);

	if (vd_snap_get(w->snap, p) && !w->fatal) {
		free(p);
		p = vd_asprintf("%s/libxl/disable_udev", base);
		vd_walk_node(w, p, false, NULL);
	}
	free(p);
}

/*
 * A domain's name and vm; with trees also its VIF subtrees and vCPUs, and with backends the
 * backend/vif dir it holds (the per-domain full read reads each backend/vif/<fe> with the
 * frontend's domain instead).
 */
void vd_walk_domain(struct vd_walk *w, const char *dom, bool trees, bool backends)
{
	static const char *const leaves[] = { "name", "vm" };
	/* the VIF dirs, under the domain and under its error/ */
	static const char *const subtrees[] = { "device/vif", "backend/vif" };
	char *base = vd_asprintf("/local/domain/%s", dom), *err;

	if (!vd_walk_node(w, base, true, NULL)) {
		free(base);
		return;
	}
	for (unsigned i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
		char *p = vd_asprintf("%s/%s", base, leaves[i]);

		vd_walk_node(w, p, false, NULL);
		free(p);
	}
	for (unsigned i = 0; trees && i < sizeof(subtrees) / sizeof(subtrees[0]); i++) {
		char *p = vd_asprintf("%s/%s", base, subtrees[i]);

		if (i == 0 || backends)
			vd_walk_tree(w, p);
		free(p);
	}
	if (trees && backends)
		vd_walk_udev_key(w, base);
	/* error/ is absent on a healthy host: one READ then, instead of one per subtree */
	err = vd_asprintf("%s/error", base);
	if (trees && vd_walk_node(w, err, false, NULL)) {
		for (unsigned i = 0; i < sizeof(subtrees) / sizeof(subtrees[0]); i++) {
			char *p = vd_asprintf("%s/%s", err, subtrees[i]);

			vd_walk_tree(w, p);
			free(p);
		}
	}
	free(err);
	if (trees && !w->fatal)
		vd_walk_cpus(w, base);
	free(base);
}

/* XenServer/XCP-ng: bridge and hotplug nodes live under /xapi/<vm uuid>/. */
void vd_walk_xapi(struct vd_walk *w)
{
	unsigned int n;
	char **uuids = vd_walk_list(w, "/xapi", &n);

	for (unsigned int i = 0; i < n && !w->fatal; i++) {
		char *p = vd_asprintf("/xapi/%s/private/vif", uuids[i]);

		vd_walk_tree(w, p);
		free(p);
		p = vd_asprintf("/xapi/%s/hotplug", uuids[i]);
		vd_walk_tree(w, p);
		free(p);
	}
	free(uuids);
}

/*
 * One read in a transaction (txn) or in none; *again when the commit says the store
 * changed meanwhile (EAGAIN). Shared by the whole walk and the per-domain one.
 */
int vd_walk_in_txn(struct vd_walk *w, bool txn, bool *again, void (*body)(struct vd_walk *, void *),
		   void *arg)
{
	int rc;

	*again = false;
	if (txn) {
		w->t = xs_transaction_start(w->xs);
		vd_walk_answered(w, w->t != XBT_NULL);
		if (w->t == XBT_NULL)
			return errno ? errno : EIO;
	}
	body(w, arg);
	/* Commit even though nothing was written: only a commit tells us the reads agreed. */
	rc = w->fatal;
	if (txn) {
		bool ended = xs_transaction_end(w->xs, w->t, w->fatal != 0);

		vd_walk_answered(w, ended);
		if (!ended && errno == EAGAIN && !w->fatal)
			*again = true;
		else if (!ended && !w->fatal)
			rc = errno ? errno : EIO;
	}
	return rc;
}

int vd_walk_retried(struct vd_xsconn *c, const struct vd_walk_job *job, unsigned long *replies,
		    struct vd_snap *out, struct vd_reread **rr, size_t *nrr)
{
	struct vd_snap *work = NULL;
	unsigned attempts = 0;
	bool again = false;
	int rc;

	do {
		struct vd_walk w = { .xs = vd_xsconn_handle(c), .conn = c, .t = XBT_NULL };

		if (attempts && job->undo)
			job->undo(job->arg);
		vd_snap_free(work);
		work = vd_snap_new();
		w.snap = work;
		rc = vd_walk_in_txn(&w, attempts <= job->retries, &again, job->body, job->arg);
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

void vd_walk_err(struct vd_xsconn *c, int rc, unsigned long replies, struct vd_err *err)
{
	if (c && vd_xsconn_timed_out(c))
		vd_xs_err_timeout(err, vd_xsconn_timeout(c));
	else if (c && vd_xsconn_stopped(c))
		vd_err_set(err, VD_EXIT_SOURCE, "interrupted while reading xenstore");
	else if (rc == EBADF && !replies && !(c && vd_xsconn_answered(c)))
		/* EOF before any reply: not a xenstored (XENSTORED_PATH=/dev/null) */
		vd_xs_err_connect(err, "it closed the connection without answering");
	else
		vd_err_set(err, VD_EXIT_SOURCE, "cannot read xenstore: %s", strerror(rc));
}

int vd_walk_done(struct vd_xsconn *c, int rc, unsigned long replies, struct vd_snap *out,
		 struct vd_snap *snap, struct vd_reread **rr, size_t *nrr, struct vd_err *err)
{
	if (rc)
		vd_walk_err(c, rc, replies, err);
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
