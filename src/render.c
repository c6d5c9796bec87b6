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

void vd_render_progress(const struct vd_opts *o, const char *step)
{
	if (step)
		fprintf(o->err, "\rvifdiag dump: %s...\033[K", step);
	else
		fprintf(o->err, "\r\033[K");
	fflush(o->err);
}

void vd_render_dump_done(const struct vd_opts *o, const char *path, size_t members, size_t notes,
			 const char *map)
{
	fprintf(o->out, "wrote %s: %zu members, %zu omitted or cut (see its MANIFEST)\n", path,
		members, notes);
	if (map)
		fprintf(o->out, "pseudonyms in %s: keep it, do not send it\n", map);
}

int vd_render_check(const struct vd_host *h, const struct vd_selection *sel,
		    const struct vd_opts *o, enum vd_sev min)
{
	return o->json ? vd_render_check_json(h, sel, o, min)
		       : vd_render_check_text(h, sel, o, min);
}
