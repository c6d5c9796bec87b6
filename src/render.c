// SPDX-License-Identifier: GPL-2.0-or-later
/* What both renderers derive the same way, and the messages every command prints. */
#include "vd_render.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vd_esc.h"
#include "vd_event.h"
#include "vd_util.h"
#include "vd_xenbus.h"

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

/* Callers quote file names and log bytes: no control byte reaches the terminal. */
static void say(const struct vd_opts *o, const char *kind, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
static void say(const struct vd_opts *o, const char *kind, const char *fmt, va_list ap)
{
	struct vd_buf m, e;

	vd_buf_init(&m);
	vd_buf_init(&e);
	vd_buf_vaddf(&m, fmt, ap);
	vd_esc_text_composed(&e, m.data, m.len);
	fprintf(o->err, "vifdiag: %s: %s\n", kind, e.data);
	vd_buf_free(&m);
	vd_buf_free(&e);
}

void vd_render_warn(const struct vd_opts *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(o, "warning", fmt, ap);
	va_end(ap);
}

void vd_render_note(const struct vd_opts *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(o, "note", fmt, ap);
	va_end(ap);
}

/*
 * The state vd_xb_pair_meaning takes: a present value that is not a number is no
 * XenbusState either (as status says), only absent and unknown are "unreadable".
 */
static long pair_state(long st)
{
	return st == -2 ? LONG_MAX : st < 0 ? -1 : st;
}

const char *vd_ev_pair_meaning(const struct vd_event *ev)
{
	return vd_xb_pair_meaning(pair_state(ev->fe_state), pair_state(ev->be_state));
}
