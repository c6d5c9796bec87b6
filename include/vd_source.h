/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Sources: where a snapshot comes from. Everything after the snapshot is source-blind. */
#ifndef VD_SOURCE_H
#define VD_SOURCE_H

#include "vd_err.h"
#include "vd_opts.h"
#include "vd_snap.h"

/* The VIF-relevant part of the live store, read inside one transaction; never writes. */
int vd_xs_snapshot(struct vd_snap *snap, unsigned retries, struct vd_err *err);

/* --from FILE if given, else live xenstored. */
int vd_source_snapshot(const struct vd_opts *o, struct vd_snap *snap, struct vd_err *err);

#endif
