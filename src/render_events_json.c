// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The JSON event renderer of watch and log: one object per line (NDJSON) per change, the
 * watch summary and the log --stats ranking as one object each. Every string goes through
 * the JSON writer.
 */
#include "vd_render.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "vd_event.h"
#include "vd_evout.h"
#include "vd_json.h"
#include "vd_log.h"
#include "vd_util.h"
#include "vd_xenbus.h"

static void k_time(struct vd_json *j, const char *key, int64_t ms)
{
	char t[40];

	if (ms < 0)
		vd_json_knull(j, key);
	else
		vd_json_kstr(j, key, vd_time_iso(ms, t, sizeof(t)));
}

static void k_secs(struct vd_json *j, const char *key, int64_t ms)
{
	vd_json_key(j, key);
	if (ms < 0)
		vd_json_null(j);
	else
		vd_json_double(j, (double)ms / 1000.0, 3);
}

static void k_state(struct vd_json *j, const char *num, const char *name, const char *rawkey,
		    long st, const char *raw)
{
	vd_json_kint_known(j, num, st);
	if (st < 0 && st != -2)
		vd_json_knull(j, name);
	else
		vd_json_kstr(j, name, st == -2 ? "invalid" : vd_xb_state_name(st));
	if (st == -2 && raw)
		vd_json_kstr(j, rawkey, raw);
}

static void k_val(struct vd_json *j, const char *key, const char *s, size_t len)
{
	if (s)
		vd_json_kstrn(j, key, s, len);
	else
		vd_json_knull(j, key);
}

static void json_kind(struct vd_json *j, const struct vd_event *ev)
{
	switch (ev->kind) {
	case VD_EV_STATE:
		k_state(j, "from", "from_name", "from_raw", ev->from, ev->from_raw);
		k_state(j, "to", "to_name", "to_raw", ev->to, ev->to_raw);
		k_secs(j, "seconds_in_previous", ev->in_prev_ms);
		break;
	case VD_EV_HOTPLUG:
		k_val(j, "hotplug_status", ev->value, ev->value_len);
		k_val(j, "previous_hotplug_status", ev->old_value, ev->old_len);
		k_val(j, "hotplug_error", ev->detail, ev->detail_len);
		break;
	case VD_EV_QUEUES:
		vd_json_kint_known(j, "queues", ev->queues);
		vd_json_kint_known(j, "previous_queues", ev->old_queues);
		vd_json_kint_known(j, "max_queues", ev->max_queues);
		break;
	case VD_EV_VANISHED:
		k_state(j, "last_state", "last_state_name", "last_state_raw", ev->from,
			ev->from_raw);
		k_secs(j, "seconds_in_previous", ev->in_prev_ms);
		break;
	case VD_EV_ERROR:
		k_val(j, "message", ev->value, ev->value_len);
		break;
	case VD_EV_STALL:
		vd_json_kstr(j, "stall", vd_stall_name(ev->stall));
		k_state(j, "state", "state_name", "state_raw", ev->to, ev->to_raw);
		k_secs(j, "threshold_seconds", ev->threshold_ms);
		k_secs(j, "seconds_in_state", ev->stuck_ms);
		vd_json_kstr(j, "reason", vd_stall_what(ev->stall));
		if (ev->stall == VD_STALL_HOTPLUG)
			k_val(j, "hotplug_status", ev->value, ev->value_len);
		break;
	default:
		break;
	}
}

static void json_event(struct vd_evout *out, const struct vd_event *ev)
{
	struct vd_json *j = vd_json_new(out->o->out, false);
	bool vif = ev->kind != VD_EV_XENSTORED;

	vd_json_obj_begin(j);
	k_time(j, "time", ev->t_ms);
	if (vif) {
		vd_json_kuint(j, "domid", ev->domid);
		vd_json_kuint(j, "devid", ev->devid);
		vd_json_kstr(j, "end", vd_ev_end_name(ev->end));
	} else {
		vd_json_knull(j, "domid");
		vd_json_knull(j, "devid");
		vd_json_knull(j, "end");
	}
	vd_json_kstr(j, "event", vd_ev_kind_name(ev->kind));
	if (vif) {
		k_val(j, "name", ev->name, ev->name_len);
		vd_json_kint_known(j, "backend_domid", ev->be_domid);
		vd_json_kstr(j, "path", ev->path);
		json_kind(j, ev);
		k_state(j, "frontend_state", "frontend_state_name", "frontend_state_raw",
			ev->fe_state, NULL);
		k_state(j, "backend_state", "backend_state_name", "backend_state_raw", ev->be_state,
			NULL);
		vd_json_kstr(j, "meaning", vd_ev_pair_meaning(ev));
	} else {
		vd_json_kstr(j, "status", ev->value);
		if (strcmp(ev->value, "back") == 0)
			k_secs(j, "gap_seconds", ev->gap_ms);
	}
	if (ev->during_gap)
		vd_json_kbool(j, "during_gap", true);
	if (ev->origin) {
		vd_json_kstr(j, "writer", vd_writer_name(ev->writer));
		vd_json_kstr(j, "connection", ev->origin->conn);
		vd_json_kstr(j, "file", ev->origin->file);
		vd_json_kuint(j, "line", ev->origin->line);
		if (ev->origin->truncated)
			vd_json_kbool(j, "truncated", true);
	}
	vd_json_obj_end(j);
	if (vd_json_finish(j) < 0)
		out->failed = true;
	fflush(out->o->out);
}

static void json_end_obj(struct vd_json *j, const char *key, bool present, long st, int64_t since,
			 int64_t now)
{
	vd_json_key(j, key);
	vd_json_obj_begin(j);
	vd_json_kbool(j, "present", present);
	k_state(j, "state", "state_name", "state_raw", present ? st : -1, NULL);
	k_secs(j, "seconds_in_state", since >= 0 ? now - since : -1);
}

static void json_summary(struct vd_evout *out, const struct vd_tracker *t, int64_t started,
			 int64_t now)
{
	struct vd_json *j = vd_json_new(out->o->out, false);
	size_t n = vd_tracker_nvifs(t);

	vd_json_obj_begin(j);
	k_time(j, "time", now);
	vd_json_knull(j, "domid");
	vd_json_knull(j, "devid");
	vd_json_knull(j, "end");
	vd_json_kstr(j, "event", "summary");
	k_secs(j, "seconds", now - started);
	vd_json_key(j, "vifs");
	vd_json_arr_begin(j);
	for (size_t i = 0; i < n; i++) {
		struct vd_vif_summary s;

		vd_tracker_vif(t, i, &s);
		vd_json_obj_begin(j);
		vd_json_kuint(j, "domid", s.domid);
		vd_json_kuint(j, "devid", s.devid);
		k_val(j, "name", s.name, s.name_len);
		vd_json_kint_known(j, "backend_domid", s.be_domid);
		json_end_obj(j, "frontend", s.fe_present, s.fe_state, s.fe_since, now);
		vd_json_obj_end(j);
		json_end_obj(j, "backend", s.be_present, s.be_state, s.be_since, now);
		k_val(j, "hotplug_status", s.hotplug, s.hotplug_len);
		vd_json_obj_end(j);
		vd_json_kint_known(j, "queues", s.queues);
		vd_json_kuint(j, "changes", s.changes);
		vd_json_kuint(j, "stalls", s.stalls);
		vd_json_kbool(j, "stalled", s.stalled);
		vd_json_obj_end(j);
	}
	vd_json_arr_end(j);
	vd_json_obj_end(j);
	if (vd_json_finish(j) < 0)
		out->failed = true;
}

static void json_stats(struct vd_evout *out, const struct vd_connstat *c, size_t n,
		       const struct vd_logcounts *counts)
{
	struct vd_json *j = vd_json_new(out->o->out, false);

	vd_json_obj_begin(j);
	vd_json_kuint(j, "lines", counts->lines);
	vd_json_kuint(j, "malformed", counts->malformed);
	vd_json_kuint(j, "truncated", counts->truncated);
	vd_json_kuint(j, "changes", counts->records);
	vd_json_kuint(j, "refused", counts->failed);
	k_time(j, "first", counts->first_ms);
	k_time(j, "last", counts->last_ms);
	vd_json_key(j, "connections");
	vd_json_arr_begin(j);
	for (size_t i = 0; i < n; i++) {
		vd_json_obj_begin(j);
		vd_json_kstr(j, "connection", c[i].conn);
		vd_json_kstr(j, "kind", c[i].kernel ? "kernel" : "socket");
		vd_json_kint_known(j, "domid", c[i].domid);
		vd_json_kuint(j, "watch_events", c[i].watch_events);
		vd_json_kuint(j, "writes", c[i].writes);
		vd_json_kuint(j, "watches", c[i].watches);
		vd_json_kuint(j, "instances", c[i].instances);
		vd_json_kstr(j, "watched", c[i].watched);
		k_time(j, "first", c[i].first_ms);
		k_time(j, "last", c[i].last_ms);
		vd_json_obj_end(j);
	}
	vd_json_arr_end(j);
	vd_json_obj_end(j);
	if (vd_json_finish(j) < 0)
		out->failed = true;
}

static struct vd_evout *json_open(const struct vd_opts *o, bool group)
{
	return vd_evout_open(o, false);
}

const struct vd_ev_renderer vd_render_events_json = {
	.open = json_open,
	.event = json_event,
	.summary = json_summary,
	.stats = json_stats,
	.close = vd_evout_close,
};
