// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The text event renderer of watch and log: one line per change (grouped per VIF by
 * vd_evout.h for a whole log), the watch summary and the log --stats ranking; the JSON one
 * is render_events_json.c. Everything a guest or a log can hold goes through vd_esc_text.
 */
#include "vd_render.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vd_esc.h"
#include "vd_event.h"
#include "vd_evout.h"
#include "vd_log.h"
#include "vd_util.h"
#include "vd_xenbus.h"

#define NAME_MAX_COLS  24
#define VALUE_MAX_COLS 200

static void esc(struct vd_buf *b, const char *s, size_t len, size_t max)
{
	vd_esc_text(b, s, len, max);
}

static const char *state_word(long st)
{
	return st == -1 ? "(none)" : st == -2 ? "invalid" : st < 0 ? "?" : vd_xb_state_name(st);
}

/* A state as text: its name, or the hostile value escaped (a number past 0..8 as such). */
static void add_state(struct vd_buf *b, long st, const char *raw)
{
	vd_buf_adds(b, state_word(st));
	if (st == -2 && raw) {
		vd_buf_adds(b, " \"");
		esc(b, raw, strlen(raw), 40);
		vd_buf_addc(b, '"');
	} else if (st >= 0 && !vd_xb_state_valid(st)) {
		vd_buf_addf(b, " (%ld)", st);
	}
}

static void add_quoted(struct vd_buf *b, const char *s, size_t len)
{
	if (!s) {
		vd_buf_adds(b, "(none)");
		return;
	}
	vd_buf_addc(b, '"');
	esc(b, s, len, VALUE_MAX_COLS);
	vd_buf_addc(b, '"');
}

static void add_seconds(struct vd_buf *b, int64_t ms)
{
	vd_buf_addf(b, "%lld.%03lld s", (long long)(ms / 1000), (long long)(ms % 1000));
}

static void add_meaning(struct vd_buf *b, const struct vd_event *ev)
{
	vd_buf_addf(b, " [%s/%s: %s]", state_word(ev->fe_state), state_word(ev->be_state),
		    vd_ev_pair_meaning(ev));
}

static void add_change(struct vd_buf *b, const struct vd_event *ev)
{
	switch (ev->kind) {
	case VD_EV_STATE:
		vd_buf_adds(b, "state ");
		add_state(b, ev->from, ev->from_raw);
		vd_buf_adds(b, " -> ");
		add_state(b, ev->to, ev->to_raw);
		if (ev->in_prev_ms >= 0) {
			vd_buf_adds(b, " after ");
			add_seconds(b, ev->in_prev_ms);
		}
		add_meaning(b, ev);
		break;
	case VD_EV_HOTPLUG:
		vd_buf_adds(b, "hotplug-status ");
		if (ev->from == -3)
			vd_buf_adds(b, "?");
		else
			add_quoted(b, ev->old_value, ev->old_len);
		vd_buf_adds(b, " -> ");
		add_quoted(b, ev->value, ev->value_len);
		if (ev->detail) {
			vd_buf_adds(b, ": ");
			esc(b, ev->detail, ev->detail_len, VALUE_MAX_COLS);
		}
		break;
	case VD_EV_QUEUES:
		if (ev->queues >= 0)
			vd_buf_addf(b, "queues %ld negotiated", ev->queues);
		else
			vd_buf_adds(b, "queues: multi-queue-num-queues removed or not a number");
		if (ev->max_queues >= 0)
			vd_buf_addf(b, " (backend offers up to %ld)", ev->max_queues);
		break;
	case VD_EV_APPEARED:
		vd_buf_adds(b, "appeared ");
		esc(b, ev->path, strlen(ev->path), 0);
		break;
	case VD_EV_VANISHED:
		vd_buf_adds(b, "vanished, was ");
		add_state(b, ev->from, ev->from_raw);
		if (ev->in_prev_ms >= 0) {
			vd_buf_adds(b, " for ");
			add_seconds(b, ev->in_prev_ms);
		}
		break;
	case VD_EV_ERROR:
		vd_buf_adds(b, "error node: ");
		add_quoted(b, ev->value, ev->value_len);
		break;
	case VD_EV_STALL:
		vd_buf_addf(b, "STALL %s: ", vd_stall_name(ev->stall));
		add_state(b, ev->to, ev->to_raw);
		vd_buf_adds(b, " for ");
		add_seconds(b, ev->stuck_ms);
		vd_buf_addf(b, "; %s", vd_stall_what(ev->stall));
		if (ev->stall == VD_STALL_HOTPLUG) {
			vd_buf_adds(b, " (hotplug-status ");
			add_quoted(b, ev->value, ev->value_len);
			vd_buf_addc(b, ')');
		}
		add_meaning(b, ev);
		break;
	default:
		break;
	}
}

static void add_origin(struct vd_buf *b, const struct vd_event *ev)
{
	const struct vd_origin *o = ev->origin;

	if (!o)
		return;
	vd_buf_addf(b, "  (by %s", vd_writer_name(ev->writer));
	if (o->conn) {
		vd_buf_addc(b, ' ');
		esc(b, o->conn, strlen(o->conn), 40);
	}
	vd_buf_addc(b, ')');
	if (o->truncated)
		vd_buf_adds(b, " (line cut by the daemon)");
}

static void add_vif(struct vd_buf *b, const struct vd_event *ev)
{
	size_t start = b->len;

	vd_buf_addf(b, "%lu/%lu", ev->domid, ev->devid);
	if (ev->name) {
		vd_buf_addc(b, ' ');
		esc(b, ev->name, ev->name_len, NAME_MAX_COLS);
	}
	while (b->len - start < 16)
		vd_buf_addc(b, ' ');
}

static void text_xenstored(struct vd_evout *out, const struct vd_event *ev)
{
	char t[40];
	struct vd_buf *b = &out->line;

	vd_buf_reset(b);
	vd_buf_addf(b, "%s  xenstored ", vd_time_iso(ev->t_ms, t, sizeof(t)));
	if (ev->value && strcmp(ev->value, "lost") == 0) {
		vd_buf_adds(b, "went away (restart or crash): reconnecting");
	} else {
		vd_buf_adds(b, "is back after ");
		add_seconds(b, ev->gap_ms);
		vd_buf_adds(b, "; what changed meanwhile follows");
	}
	fprintf(out->o->out, "%s\n", vd_buf_cstr(b));
	fflush(out->o->out);
}

/* What --color marks: stalls, failed hotplug scripts, error nodes. */
static bool is_problem(const struct vd_event *ev)
{
	return ev->kind == VD_EV_STALL || ev->kind == VD_EV_ERROR ||
	       (ev->kind == VD_EV_HOTPLUG && ev->value && strcmp(ev->value, "error") == 0);
}

static void text_event(struct vd_evout *out, const struct vd_event *ev)
{
	struct vd_buf *b = &out->line;
	char t[40];

	if (ev->kind == VD_EV_XENSTORED) {
		text_xenstored(out, ev);
		return;
	}
	vd_buf_reset(b);
	vd_buf_adds(b, vd_time_iso(ev->t_ms, t, sizeof(t)));
	vd_buf_adds(b, "  ");
	if (!out->group) {
		add_vif(b, ev);
		vd_buf_addc(b, ' ');
	}
	vd_buf_addf(b, "%-9s ", vd_ev_end_name(ev->end));
	add_change(b, ev);
	add_origin(b, ev);
	if (ev->during_gap)
		vd_buf_adds(b, "  (while xenstored was away)");
	if (out->group) {
		struct vd_evgroup *g = vd_evout_group(out, ev->domid, ev->devid);

		if (!g->head.len || (ev->name && !g->named)) {
			g->named = ev->name != NULL;
			vd_buf_reset(&g->head);
			vd_buf_addf(&g->head, "vif %lu/%lu", ev->domid, ev->devid);
			if (ev->name) {
				vd_buf_adds(&g->head, " ");
				esc(&g->head, ev->name, ev->name_len, NAME_MAX_COLS);
			}
			if (ev->be_domid >= 0)
				vd_buf_addf(&g->head, " (backend in domain %ld)", ev->be_domid);
		}
		size_t was = g->lines.len;

		/* adds, not addf: this runs for every line of a log's timeline */
		bool red = out->o->use_color && is_problem(ev);

		vd_buf_adds(&g->lines, red ? "  \033[31m" : "  ");
		vd_buf_adds(&g->lines, vd_buf_cstr(b));
		vd_buf_adds(&g->lines, red ? "\033[0m\n" : "\n");
		vd_evout_held(out, g->lines.len - was);
		return;
	}
	if (out->o->use_color && is_problem(ev))
		fprintf(out->o->out, "\033[31m%s\033[0m\n", vd_buf_cstr(b));
	else
		fprintf(out->o->out, "%s\n", vd_buf_cstr(b));
	fflush(out->o->out);
}

static void since_cell(struct vd_buf *b, int64_t since, int64_t now)
{
	if (since < 0)
		vd_buf_adds(b, "?");
	else
		add_seconds(b, now - since);
}

static void text_summary(struct vd_evout *out, const struct vd_tracker *t, int64_t started,
			 int64_t now)
{
	size_t n = vd_tracker_nvifs(t);
	struct vd_buf b;

	vd_buf_init(&b);
	vd_buf_adds(&b, "\nwatched for ");
	add_seconds(&b, now - started);
	vd_buf_addf(&b, ": %zu VIF%s\n", n, n == 1 ? "" : "s");
	if (n)
		vd_buf_addf(&b, "%-28s %-13s %-13s %-11s %6s %7s %6s  %s\n", "VIF", "FRONTEND",
			    "BACKEND", "HOTPLUG", "QUEUES", "CHANGES", "STALLS", "IN STATE");
	for (size_t i = 0; i < n; i++) {
		struct vd_vif_summary s;
		struct vd_buf cell;
		size_t start;

		vd_tracker_vif(t, i, &s);
		vd_buf_init(&cell);
		start = b.len;
		vd_buf_addf(&b, "%lu/%lu", s.domid, s.devid);
		if (s.name) {
			vd_buf_addc(&b, ' ');
			esc(&b, s.name, s.name_len, NAME_MAX_COLS);
		}
		do
			vd_buf_addc(&b, ' ');
		while (b.len - start < 29);
		if (s.hotplug && *s.hotplug)
			esc(&cell, s.hotplug, s.hotplug_len, 11);
		else
			vd_buf_adds(&cell, "-");
		vd_buf_addf(&b, "%-13s %-13s %-11s ",
			    s.fe_present ? state_word(s.fe_state) : "gone",
			    s.be_present ? state_word(s.be_state) : "gone", vd_buf_cstr(&cell));
		if (s.queues >= 0)
			vd_buf_addf(&b, "%6ld", s.queues);
		else
			vd_buf_addf(&b, "%6s", "-");
		vd_buf_addf(&b, " %7lu %6lu  fe ", s.changes, s.stalls);
		since_cell(&b, s.fe_since, now);
		vd_buf_adds(&b, ", be ");
		since_cell(&b, s.be_since, now);
		vd_buf_adds(&b, s.stalled ? "  STALLED\n" : "\n");
		vd_buf_free(&cell);
	}
	fputs(vd_buf_cstr(&b), out->o->out);
	vd_buf_free(&b);
}

static void text_stats(struct vd_evout *out, const struct vd_connstat *c, size_t n,
		       const struct vd_logcounts *counts)
{
	unsigned long total = 0;
	FILE *f = out->o->out;
	struct vd_buf b;

	vd_buf_init(&b);
	for (size_t i = 0; i < n; i++)
		total += c[i].watch_events;
	fprintf(f,
		"%lu lines, %lu malformed, %lu cut short; %lu store changes, %lu refused; %zu "
		"connections, %lu watch events\n",
		counts->lines, counts->malformed, counts->truncated, counts->records,
		counts->failed, n, total);
	fprintf(f, "%-18s %-7s %12s %8s %7s  %s\n", "CONNECTION", "KIND", "WATCH-EVENTS", "WRITES",
		"WATCHES", "WATCHED (first)");
	for (size_t i = 0; i < n; i++) {
		vd_buf_reset(&b);
		esc(&b, c[i].conn, strlen(c[i].conn), 18);
		fprintf(f, "%-18s %-7s %12lu %8lu %7lu  ", vd_buf_cstr(&b),
			c[i].kernel ? "kernel" : "socket", c[i].watch_events, c[i].writes,
			c[i].watches);
		vd_buf_reset(&b);
		esc(&b, c[i].watched, strlen(c[i].watched), 100);
		fprintf(f, "%s\n", vd_buf_cstr(&b));
	}
	/* the watch-flood pattern: one watcher receiving most of the fan-out */
	if (n && total >= 1000 && c[0].watch_events * 2 > total) {
		vd_buf_reset(&b);
		esc(&b, c[0].conn, strlen(c[0].conn), 18);
		fprintf(f, "\n%s received %lu%% of all watch events", vd_buf_cstr(&b),
			c[0].watch_events * 100 / total);
		vd_buf_reset(&b);
		esc(&b, c[0].watched, strlen(c[0].watched), 100);
		fprintf(f,
			"; it watches %s: a broad watch makes every write fan out to it, the "
			"pattern that pins oxenstored at 100%% CPU\n",
			b.len ? vd_buf_cstr(&b) : "(registered before the log starts)");
	}
	vd_buf_free(&b);
}

const struct vd_ev_renderer vd_render_events_text = {
	.open = vd_evout_open,
	.event = text_event,
	.summary = text_summary,
	.stats = text_stats,
	.close = vd_evout_close,
};
