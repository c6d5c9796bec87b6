/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Renderers: the only code that prints results. One vtable per output format, chosen once
 * in the command; collection and analysis never know the format.
 */
#ifndef VD_RENDER_H
#define VD_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vd_model.h"
#include "vd_opts.h"

/* The VIFs a command selected, in model order. */
struct vd_selection {
	const struct vd_vif **vifs;
	size_t n;
};

struct vd_renderer {
	const char *name;
	/* Each returns 0, or -1 on an output error. */
	int (*status)(const struct vd_host *h, const struct vd_selection *sel,
		      const struct vd_opts *o);
	int (*show)(const struct vd_host *h, const struct vd_selection *sel,
		    const struct vd_opts *o);
};

extern const struct vd_renderer vd_render_text;
extern const struct vd_renderer vd_render_json;

const struct vd_renderer *vd_renderer_for(const struct vd_opts *o);

/*
 * Event renderers (watch, log): one change per line, text or NDJSON. group: text keeps the
 * lines and prints them per VIF at close (log without --follow); JSON never groups.
 */
struct vd_event;
struct vd_tracker;
struct vd_connstat;
struct vd_logcounts;
struct vd_evout;
struct vd_ev_renderer {
	struct vd_evout *(*open)(const struct vd_opts *o, bool group);
	void (*event)(struct vd_evout *out, const struct vd_event *ev);
	/* watch's last words: every VIF it saw, now */
	void (*summary)(struct vd_evout *out, const struct vd_tracker *t, int64_t started,
			int64_t now);
	/* log --stats: connections ranked by watch events and writes */
	void (*stats)(struct vd_evout *out, const struct vd_connstat *c, size_t n,
		      const struct vd_logcounts *counts);
	int (*close)(struct vd_evout *out); /* prints what was grouped; -1 on an output error */
};

extern const struct vd_ev_renderer vd_render_events_text;
extern const struct vd_ev_renderer vd_render_events_json;

const struct vd_ev_renderer *vd_ev_renderer_for(const struct vd_opts *o);

/* A warning line on o->err, in both formats: "vifdiag: warning: ...". */
void vd_render_warn(const struct vd_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Derived facts shared by the renderers (so both formats say the same). */
const char *vd_vif_netdev(const struct vd_vif *v, char *buf, size_t len);
/* -1 when absent or unreadable, LONG_MAX when not a number, else the state */
long vd_end_state(const struct vd_end *e);

#endif
