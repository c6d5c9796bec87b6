/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The live walker's parts, shared by its three readers: the one-transaction walk of watch
 * (src/src_xs.c), every domain in a transaction of its own (src/xs_all.c) and the selected
 * domains only (src/xs_select.c). Read-only by construction: src/xs_walk.c calls only
 * xs_directory, xs_read and xs_transaction_start/end.
 */
#ifndef VD_XSWALK_H
#define VD_XSWALK_H

#include <stdbool.h>
#include <stddef.h>
#include <xenstore.h>

#include "vd_err.h"
#include "vd_snap.h"

struct vd_xsconn;
struct vd_reread;

/* One attempt at reading a part of the store into snap. */
struct vd_walk {
	struct xs_handle *xs;
	struct vd_xsconn *conn; /* NULL: a bare handle (vd_xs_read) */
	unsigned long replies;
	xs_transaction_t t;
	struct vd_snap *snap;
	int fatal; /* errno of a failure that is not "node gone" */
};

/* A request came back (ok: with a value): counts it and tells the watchdog. */
void vd_walk_answered(struct vd_walk *w, bool ok);
/*
 * One node into the snapshot; false if it does not exist (vanished, when listed: its
 * parent named it). EACCES keeps the node without a value. *lenp (optional): its length.
 */
bool vd_walk_node(struct vd_walk *w, const char *path, bool listed, size_t *lenp);
/* Every descendant of path: a READ per node, a DIRECTORY per node that can have children. */
void vd_walk_below(struct vd_walk *w, const char *path);
/* path and everything below it; an absent root is no error. */
void vd_walk_tree(struct vd_walk *w, const char *path);
/* path's children (malloc'ed, *n of them), or NULL: gone, hidden (EACCES) or failed. */
char **vd_walk_list(struct vd_walk *w, const char *path, unsigned int *n);
/* base's vCPUs (cpu/K/availability, or the old vcpu_avail bitmap). */
void vd_walk_cpus(struct vd_walk *w, const char *base);
/* base's libxl/disable_udev, when base holds backend/vif (already read). */
void vd_walk_udev_key(struct vd_walk *w, const char *base);
/*
 * /local/domain/<dom>: name and vm; with trees its VIF subtrees, error/ and vCPUs, and with
 * backends its backend/vif dir and udev key too.
 */
void vd_walk_domain(struct vd_walk *w, const char *dom, bool trees, bool backends);
/* XenServer/XCP-ng: /xapi/<uuid>/{private/vif,hotplug}. */
void vd_walk_xapi(struct vd_walk *w);

/*
 * body(w, arg) in a transaction (txn) or in none; *again when the commit says the store
 * changed meanwhile (EAGAIN). Returns 0 or an errno.
 */
int vd_walk_in_txn(struct vd_walk *w, bool txn, bool *again, void (*body)(struct vd_walk *, void *),
		   void *arg);

/*
 * A part of the store (one domain, or the /xapi nodes) read by body in a transaction of
 * its own, again when the commit says it changed meanwhile, up to retries times, then once
 * without one (a warning says so); the attempts of a domain read more than once go to *rr.
 * undo (if any) forgets what a failed attempt learnt. The part is merged into out.
 */
struct vd_walk_job {
	void (*body)(struct vd_walk *, void *);
	void (*undo)(void *);
	void *arg;
	unsigned long domid;
	bool is_dom;	   /* else no *rr entry */
	const char *label; /* what the warnings name: "domain N" when NULL */
	unsigned retries;
};
int vd_walk_retried(struct vd_xsconn *c, const struct vd_walk_job *job, unsigned long *replies,
		    struct vd_snap *out, struct vd_reread **rr, size_t *nrr);

/* Why a read failed (rc an errno; c may be NULL: a bare handle), as a VD_EXIT_SOURCE error. */
void vd_walk_err(struct vd_xsconn *c, int rc, unsigned long replies, struct vd_err *err);
/*
 * The end of a per-domain read on c: its connection closed, out moved to snap (0), or the
 * error set, out and *rr freed (-1).
 */
int vd_walk_done(struct vd_xsconn *c, int rc, unsigned long replies, struct vd_snap *out,
		 struct vd_snap *snap, struct vd_reread **rr, size_t *nrr, struct vd_err *err);

#endif
