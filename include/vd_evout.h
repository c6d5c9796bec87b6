/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The output of the event renderers (render_events.c, render_events_json.c; the code is
 * render_evout.c): straight to o->out, or (text with group) lines kept per VIF and printed in VIF
 * order at close, spilled to an unlinked temporary file past vd_evout_spill_bytes so that memory
 * stays bounded however long the log is.
 */
#ifndef VD_EVOUT_H
#define VD_EVOUT_H

#include <stdbool.h>
#include <stdint.h>

#include "vd_opts.h"
#include "vd_util.h"

struct vd_evgroup {
	unsigned long domid, devid;
	bool named;
	struct vd_buf head, lines;
	/* the group's spilled lines: the last extent in the spill file, each naming the one
	 * before it (-1: none); pending: written by a spill not yet flushed */
	int64_t last, pending;
};

struct vd_evout {
	const struct vd_opts *o;
	bool group;
	struct vd_evgroup *groups;
	size_t ngroups;
	struct vd_imap group_ix; /* (domid, devid) -> groups[]: O(1) per event */
	size_t held;		 /* bytes of lines in memory */
	size_t held_peak;
	FILE *spill; /* NULL until the first spill */
	int64_t spill_off;
	bool nospill;	    /* the spill file failed: everything stays in memory */
	struct vd_buf line; /* the renderer's line being built */
	bool failed;
};

struct vd_evout *vd_evout_open(const struct vd_opts *o, bool group);
/* The group of VIF domid/devid, new (head and lines empty) the first time. */
struct vd_evgroup *vd_evout_group(struct vd_evout *out, unsigned long domid, unsigned long devid);
/* added more bytes went into a group's lines: spills them all when too many are held. */
void vd_evout_held(struct vd_evout *out, size_t added);
/* Prints the groups in VIF order and frees out; -1 on an output error. */
int vd_evout_close(struct vd_evout *out);

#endif
