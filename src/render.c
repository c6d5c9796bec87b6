// SPDX-License-Identifier: GPL-2.0-or-later
/* What both renderers derive the same way. */
#include "vd_render.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

const struct vd_renderer *vd_renderer_for(const struct vd_opts *o)
{
	return o->json ? &vd_render_json : &vd_render_text;
}

const struct vd_ev_renderer *vd_ev_renderer_for(const struct vd_opts *o)
{
	return o->json ? &vd_render_events_json : &vd_render_events_text;
}

long vd_end_state(const struct vd_end *e)
{
	if (!e->present)
		return -1;
	if (e->state.ok)
		return (long)e->state.v;
	/* present but not a number: a value no XenbusState has, so the meaning says "invalid";
	 * a cut or unreadable value stays unknown */
	if (e->state.node && !(e->state.node->flags & (VD_NODE_TRUNCATED | VD_NODE_NOVALUE)))
		return LONG_MAX;
	return -1;
}

/*
 * The backend netdev name as xenstore predicts it: `vifname` when the toolstack set one,
 * else netback's vif<domid>.<handle>. sysfs is the authority; this is what xenstore says.
 */
const char *vd_vif_netdev(const struct vd_vif *v, char *buf, size_t len)
{
	if (!v->be.present)
		return NULL;
	if (v->vifname && v->vifname->len && strlen(v->vifname->value) == v->vifname->len)
		return v->vifname->value;
	snprintf(buf, len, "vif%lu.%lu", v->domid, v->devid);
	return buf;
}
