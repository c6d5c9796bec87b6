/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Renderers: the only code that prints results. One vtable per output format, chosen once
 * in the command; collection and analysis never know the format.
 */
#ifndef VD_RENDER_H
#define VD_RENDER_H

#include <stdbool.h>
#include <stddef.h>

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

/* Derived facts shared by the renderers (so both formats say the same). */
const char *vd_vif_netdev(const struct vd_vif *v, char *buf, size_t len);
long vd_end_state(const struct vd_end *e); /* -1 when absent or unreadable */

#endif
