/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Sources: where a snapshot comes from. Everything after the snapshot is source-blind. */
#ifndef VD_SOURCE_H
#define VD_SOURCE_H

#include <signal.h>
#include <stdint.h>

#include "vd_err.h"
#include "vd_opts.h"
#include "vd_snap.h"

/*
 * The VIF-relevant part of the live store; never writes. One transaction per domain (its
 * frontends with the backend dirs of them in every backend domain), per orphaned backend
 * dir's frontend domid, and one for /xapi; each retried up to retries times on EAGAIN, then
 * read once without one (a warning says so). *rr (malloc'ed, *nrr entries) lists the
 * domains read more than once. timeout_s (0: none): a xenstored that accepts the
 * connection but then sends no reply for timeout_s seconds (hung, or a wedged socket) is a
 * VD_EXIT_SOURCE error instead of a hang; a walk that keeps getting answers is never cut,
 * however long it takes.
 */
struct vd_reread;
int vd_xs_snapshot_all(struct vd_snap *snap, unsigned retries, unsigned timeout_s,
		       struct vd_reread **rr, size_t *nrr, struct vd_err *err);
/* The same without *rr. */
int vd_xs_snapshot(struct vd_snap *snap, unsigned retries, unsigned timeout_s, struct vd_err *err);

/*
 * The same walker on an open handle (watch keeps one): VD_XS_ALL reads what vd_xs_snapshot
 * reads, in one transaction; VD_XS_DOMAINS each /local/domain/<d> with its name and vm, VD_XS_TREES
 * each root and everything below it (an absent root is no error). One READ per node and one
 * DIRECTORY per node that can have children (vd_xs_known_leaf), in one transaction retried up to
 * retries times when it conflicts.
 */
struct xs_handle;
/* xs_open(0) (honours XENSTORED_PATH), or NULL with a VD_EXIT_SOURCE error saying where. */
struct xs_handle *vd_xs_open(struct vd_err *err);
enum vd_xs_what { VD_XS_ALL, VD_XS_DOMAINS, VD_XS_TREES };
int vd_xs_read(struct xs_handle *xs, enum vd_xs_what what, const char *const *roots, size_t nroots,
	       unsigned retries, struct vd_snap *snap, struct vd_err *err);
/* A key netif.h or the toolstack define as a value (state, mac, feature-*, ...): a READ
 * that returns a non-empty value is all of it, the walker asks no DIRECTORY there. */
bool vd_xs_known_leaf(const char *name);
/* The same on a guarded connection (vd_xsconn.h): its watchdog is armed during the read. */
struct vd_xsconn;
int vd_xs_read_conn(struct vd_xsconn *c, enum vd_xs_what what, const char *const *roots,
		    size_t nroots, unsigned retries, struct vd_snap *snap, struct vd_err *err);

/*
 * watch: follows the VIF nodes of every domain live (libxenstore watches on each domain's
 * device/vif, backend/vif and error nodes, and on @introduceDomain/@releaseDomain for
 * domains that come and go), re-reads what each event names and hands it to the tracker,
 * which reports the differences. The first read is silent (the tracker's quiet mode). When
 * xenstored goes away it says so, reconnects with backoff and re-reads everything, so the
 * changes made meanwhile are reported too. Returns when *stop is set (0), or -1 with err if
 * the first connection fails. Idle, it blocks in ppoll() with waitmask until the next stall
 * deadline. until_ms (> 0, check --for): it also returns at that time (vd_now_ms clock).
 * ready (optional): called once after the first, silent read, before any event: what the
 * tracker found then is the state at the start of the watch.
 */
struct vd_tracker;
struct vd_watchrun {
	struct vd_tracker *tracker;
	unsigned retries;
	unsigned timeout; /* --timeout: no reply for this many seconds is a lost connection */
	volatile sig_atomic_t *stop;
	const sigset_t *waitmask;
	int64_t until_ms;
	void (*ready)(struct vd_tracker *t, void *arg);
	void *ready_arg;
};
int vd_watch_run(struct vd_watchrun *w, struct vd_err *err);

/*
 * check --for: the live watch above for o->for_ms (from the end of its first read) on the
 * VIFs of args (DOM[/DEVID], check's arguments), into tl: seeded from that first read
 * (vd_timeline_seed), fed by every change and stall, finished at the end. SIGINT/SIGTERM
 * end it early: the time watched counts. -1 with err if the store cannot be watched.
 */
struct vd_timeline;
int vd_watch_timeline(const struct vd_opts *o, char *const *args, int nargs, struct vd_timeline *tl,
		      struct vd_err *err);

/*
 * status/show/check with a domain selection: only what the model needs for the VIFs of
 * these domains (their frontends, their names, vCPUs and /xapi nodes, backend/vif/<domid>
 * in dom0 and in every domain their frontends' backend and backend-id name, and what
 * pointers lead to: another backend dir a frontend names, another domain a backend's
 * frontend names), one transaction per domain, each retried up to retries times on EAGAIN
 * and then read once without one (a warning says so). *rr (malloc'ed, *nrr entries) lists
 * the domains read more than once. Never used by watch or top (they read VD_XS_ALL).
 */
int vd_xs_snapshot_doms(const unsigned long *domids, size_t n, unsigned retries, unsigned timeout_s,
			struct vd_snap *snap, struct vd_reread **rr, size_t *nrr,
			struct vd_err *err);

/* --from FILE if given, else live xenstored. */
int vd_source_snapshot(const struct vd_opts *o, struct vd_snap *snap, struct vd_err *err);

#endif
