/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vifdiag metrics: one collection (source -> snapshot -> model -> analysis) rendered as the
 * Prometheus exposition (vd_prom.h), written to stdout, atomically to a file for the
 * textfile collector, or served over HTTP from a cache refreshed on xenstore watches.
 */
#ifndef VD_METRICS_H
#define VD_METRICS_H

#include <stddef.h>

#include "vd_err.h"
#include "vd_opts.h"
#include "vd_util.h"

/*
 * Collects and renders into out (replaced). A source that cannot be read still gives an
 * exposition (vifdiag_up 0 with the reason) and the error in err. doms (if not NULL) gets
 * the domids the store holds, for the caller's watches (caller frees). Returns 0, or -1
 * with err set.
 */
int vd_metrics_collect(const struct vd_opts *o, struct vd_buf *out, unsigned long **doms,
		       size_t *ndoms, struct vd_err *err);

/*
 * --listen ADDR:PORT: serves GET/HEAD /metrics until SIGINT or SIGTERM. Returns an exit
 * code; err says why it could not start.
 */
int vd_metrics_listen(const struct vd_opts *o, const char *addr, struct vd_err *err);

#endif
