// SPDX-License-Identifier: GPL-2.0-or-later
/* Per VIF end: state since when, Connected counts, close cycles, stalls (vd_timeline.h). */
#include "vd_timeline.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vd_util.h"

#define CONNECTED 4
#define CLOSING	  5
#define CLOSED	  6

void vd_timeline_init(struct vd_timeline *tl)
{
	memset(tl, 0, sizeof(*tl));
	tl->first_ms = tl->now_ms = -1;
}

void vd_timeline_free(struct vd_timeline *tl)
{
	for (size_t i = 0; i < tl->n; i++) {
		struct vd_tl_vif *v = &tl->v[i];

		for (int k = 0; k < 2; k++) {
			free(v->e[k].path);
			free(v->e[k].set.file);
			for (size_t m = 0; m < v->e[k].nmarks; m++)
				free(v->e[k].marks[m].file);
		}
		for (size_t m = 0; m < v->nrmarks; m++)
			free(v->rmarks[m].file);
	}
	free(tl->v);
	vd_timeline_init(tl);
}

static struct vd_tl_vif *vif_get(struct vd_timeline *tl, unsigned long domid, unsigned long devid)
{
	size_t lo = 0, hi = tl->n;
	struct vd_tl_vif *v;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct vd_tl_vif *m = &tl->v[mid];

		if (m->domid == domid && m->devid == devid)
			return &tl->v[mid];
		if (m->domid < domid || (m->domid == domid && m->devid < devid))
			lo = mid + 1;
		else
			hi = mid;
	}
	tl->v = vd_realloc(tl->v, (tl->n + 1) * sizeof(*tl->v));
	memmove(&tl->v[lo + 1], &tl->v[lo], (tl->n - lo) * sizeof(*tl->v));
	tl->n++;
	v = &tl->v[lo];
	memset(v, 0, sizeof(*v));
	v->domid = domid;
	v->devid = devid;
	v->be_domid = -1;
	for (int k = 0; k < 2; k++) {
		v->e[k].state = -3;
		v->e[k].since_ms = -1;
	}
	return v;
}

static struct vd_tl_vif *find(const struct vd_timeline *tl, unsigned long domid,
			      unsigned long devid)
{
	for (size_t i = 0; i < tl->n; i++)
		if (tl->v[i].domid == domid && tl->v[i].devid == devid)
			return &tl->v[i];
	return NULL;
}

const struct vd_tl_vif *vd_timeline_find(const struct vd_timeline *tl, unsigned long domid,
					 unsigned long devid)
{
	return find(tl, domid, devid);
}

static void mark_set(struct vd_tl_mark *m, const struct vd_event *ev, long from, long to)
{
	free(m->file);
	m->t_ms = ev->t_ms;
	m->end = ev->end;
	m->from = from;
	m->to = to;
	m->file = ev->origin && ev->origin->file ? vd_strdup(ev->origin->file) : NULL;
	m->line = ev->origin ? ev->origin->line : 0;
}

static void mark_add(struct vd_tl_mark *marks, size_t *n, const struct vd_event *ev, long from,
		     long to)
{
	if (*n < VD_TL_MARKS)
		mark_set(&marks[(*n)++], ev, from, to);
}

/* The end or the pair reached Connected: returns the phase it leaves, for the counts. */
static enum vd_tl_phase reach_up(enum vd_tl_phase *ph)
{
	enum vd_tl_phase old = *ph;

	*ph = VD_TL_UP;
	return old;
}

/* Left Connected (or a closed state) for `to`. */
static void leave(enum vd_tl_phase *ph, long to)
{
	if (to == CLOSING || to == CLOSED) {
		if (*ph == VD_TL_UP)
			*ph = VD_TL_CLOSED;
	} else if (to >= 0 && to <= 3) {
		/* Closed -> Initialising is the close cycle going on, not a new disconnect */
		if (*ph == VD_TL_UP)
			*ph = VD_TL_DROPPED;
	}
}

static void end_state(struct vd_tl_end *e, const struct vd_event *ev)
{
	e->found = false;
	e->state = ev->to;
	e->since_ms = ev->t_ms;
	mark_set(&e->set, ev, ev->from, ev->to);
	if (ev->to == CONNECTED) {
		e->connected++;
		if (reach_up(&e->phase) == VD_TL_CLOSED) {
			e->close_cycles++;
			mark_add(e->marks, &e->nmarks, ev, ev->from, ev->to);
		}
	} else {
		enum vd_tl_phase old = e->phase;

		leave(&e->phase, ev->to);
		if (old == VD_TL_UP && e->phase == VD_TL_CLOSED)
			mark_add(e->marks, &e->nmarks, ev, ev->from, ev->to);
	}
}

static void pair_update(struct vd_tl_vif *v, const struct vd_event *ev)
{
	bool up = ev->fe_state == CONNECTED && ev->be_state == CONNECTED;

	if (up && v->phase != VD_TL_UP) {
		enum vd_tl_phase old = reach_up(&v->phase);

		v->connections++;
		if (old == VD_TL_GONE || old == VD_TL_DROPPED) {
			v->reconnects++;
			mark_add(v->rmarks, &v->nrmarks, ev, ev->from, ev->to);
		}
		return;
	}
	if (ev->kind == VD_EV_VANISHED) {
		if (v->phase == VD_TL_UP || v->phase == VD_TL_CLOSED) {
			v->phase = VD_TL_GONE;
			mark_add(v->rmarks, &v->nrmarks, ev, ev->from, -1);
		}
	} else if (ev->kind == VD_EV_STATE && ev->from == CONNECTED && v->phase == VD_TL_UP) {
		leave(&v->phase, ev->to);
		if (v->phase == VD_TL_DROPPED)
			mark_add(v->rmarks, &v->nrmarks, ev, ev->from, ev->to);
	}
}

void vd_timeline_event(const struct vd_event *ev, void *arg)
{
	struct vd_timeline *tl = arg;
	struct vd_tl_vif *v;
	struct vd_tl_end *e;

	if (ev->kind == VD_EV_XENSTORED)
		return;
	v = vif_get(tl, ev->domid, ev->devid);
	if (ev->be_domid >= 0)
		v->be_domid = ev->be_domid;
	e = &v->e[ev->end == VD_END_BACKEND];
	if (ev->path && (!e->path || strcmp(e->path, ev->path) != 0)) {
		free(e->path);
		e->path = vd_strdup(ev->path);
	}
	e->seen = true;
	switch (ev->kind) {
	case VD_EV_STATE:
		e->present = true;
		end_state(e, ev);
		break;
	case VD_EV_APPEARED:
		e->present = true;
		break;
	case VD_EV_VANISHED:
		mark_set(&e->set, ev, e->state, -1);
		e->present = false;
		e->state = -1;
		e->since_ms = ev->t_ms;
		e->found = false;
		if (e->phase == VD_TL_UP || e->phase == VD_TL_CLOSED)
			e->phase = VD_TL_GONE;
		break;
	case VD_EV_STALL:
		v->has_stall = true;
		v->stall = ev->stall;
		v->stall_end = ev->end;
		v->stall_threshold_ms = ev->threshold_ms;
		v->stall_anchor_ms = ev->t_ms - ev->stuck_ms;
		return;
	default:
		break;
	}
	pair_update(v, ev);
}

static void seed_end(struct vd_tl_end *e, bool present, const char *dir, long state, int64_t ms)
{
	if (!present)
		return;
	free(e->path);
	e->path = dir ? vd_strdup(dir) : NULL;
	e->seen = e->present = e->found = true;
	e->state = state;
	e->since_ms = ms;
	if (state == CONNECTED)
		e->phase = VD_TL_UP;
}

void vd_timeline_seed(struct vd_timeline *tl, const struct vd_tracker *t, int64_t ms)
{
	tl->source = VD_TL_WATCH;
	tl->first_ms = ms;
	for (size_t i = 0; i < vd_tracker_nvifs(t); i++) {
		struct vd_vif_summary s;
		struct vd_tl_vif *v;

		vd_tracker_vif(t, i, &s);
		v = vif_get(tl, s.domid, s.devid);
		v->be_domid = s.be_domid;
		seed_end(&v->e[VD_END_FRONTEND], s.fe_present, s.fe_dir, s.fe_state, ms);
		seed_end(&v->e[VD_END_BACKEND], s.be_present, s.be_dir, s.be_state, ms);
		if (s.fe_state == CONNECTED && s.be_state == CONNECTED)
			v->phase = VD_TL_UP;
	}
}

void vd_timeline_finish(struct vd_timeline *tl, const struct vd_tracker *t, int64_t first_ms,
			int64_t now_ms)
{
	if (tl->source == VD_TL_LOG || tl->first_ms < 0)
		tl->first_ms = first_ms;
	tl->now_ms = now_ms;
	tl->done = true;
	for (size_t i = 0; t && i < vd_tracker_nvifs(t); i++) {
		struct vd_vif_summary s;
		struct vd_tl_vif *v;

		vd_tracker_vif(t, i, &s);
		v = find(tl, s.domid, s.devid);
		/* the last stall reported is the current one while the tracker says stalled */
		if (v && v->has_stall)
			v->stuck = s.stalled;
	}
}

int64_t vd_tl_held_ms(const struct vd_timeline *tl, const struct vd_tl_end *e)
{
	if (!e || e->since_ms < 0 || tl->now_ms < e->since_ms)
		return -1;
	return tl->now_ms - e->since_ms;
}

char *vd_duration_text(int64_t ms, char *buf, size_t len)
{
	int64_t s = ms / 1000;

	if (ms < 0)
		snprintf(buf, len, "an unknown time");
	else if (ms < 1000)
		snprintf(buf, len, "%" PRId64 " ms", ms);
	else if (s < 60)
		snprintf(buf, len, "%" PRId64 " s", s);
	else if (s < 3600)
		snprintf(buf, len, "%" PRId64 " min %" PRId64 " s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%" PRId64 " h %" PRId64 " min", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "%" PRId64 " d %" PRId64 " h", s / 86400, s % 86400 / 3600);
	return buf;
}
