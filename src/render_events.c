// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Event renderers of watch and log: one line per change in text, one object per line in
 * JSON (NDJSON), the watch summary and the log --stats ranking. Everything a guest or a log
 * can hold goes through vd_esc_text or the JSON writer.
 */
#include "vd_render.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vd_esc.h"
#include "vd_event.h"
#include "vd_json.h"
#include "vd_log.h"
#include "vd_util.h"
#include "vd_xenbus.h"

#define NAME_MAX_COLS  24
#define VALUE_MAX_COLS 200

struct group {
	unsigned long domid, devid;
	bool named;
	struct vd_buf head, lines;
	/* the group's spilled lines: the last extent in the spill file, each naming the one
	 * before it (-1: none); pending: written by a spill not yet flushed */
	int64_t last, pending;
};

/*
 * Text groups are printed in VIF order at close, and any VIF may get another line up to
 * the log's last one: no group can be printed early. Their lines are kept in memory up
 * to this many bytes, then written to an unlinked temporary file, extents chained per
 * group, and read back at close: memory stays bounded however long the log is.
 */
size_t vd_evout_spill_bytes = 4u << 20;

struct extent_hdr { /* before each extent's bytes in the spill file */
	int64_t prev;
	uint64_t len;
};

struct vd_evout {
	const struct vd_opts *o;
	bool group;
	struct group *groups;
	size_t ngroups;
	struct vd_imap group_ix; /* (domid, devid) -> groups[]: O(1) per event */
	size_t held;		 /* bytes of lines in memory */
	size_t held_peak;
	FILE *spill; /* NULL until the first spill */
	int64_t spill_off;
	bool nospill; /* the spill file failed: everything stays in memory */
	struct vd_buf line;
	bool failed;
};

size_t vd_evout_held_peak(const struct vd_evout *out)
{
	return out->held_peak;
}

static FILE *spill_open(void)
{
	const char *dir = getenv("TMPDIR");
	char *name = vd_asprintf("%s/vifdiag-log.XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(name);
	FILE *f = NULL;

	if (fd >= 0) {
		unlink(name); /* gone with the process, however it ends */
		f = fdopen(fd, "w+");
		if (!f)
			close(fd);
	}
	free(name);
	return f;
}

/* Every group's lines in memory to the spill file, as one batch: committed only when all
 * of it is written, else truncated away and kept in memory from then on. */
static void spill(struct vd_evout *out)
{
	int64_t start = out->spill_off, off = start;
	bool ok = true;

	if (!out->spill)
		out->spill = spill_open();
	if (!out->spill) {
		out->nospill = true;
		return;
	}
	for (size_t i = 0; ok && i < out->ngroups; i++) {
		struct group *g = &out->groups[i];
		struct extent_hdr h = { g->last, g->lines.len };

		if (!g->lines.len)
			continue;
		ok = fwrite(&h, sizeof(h), 1, out->spill) == 1 &&
		     fwrite(g->lines.data, g->lines.len, 1, out->spill) == 1;
		g->pending = off;
		off += (int64_t)(sizeof(h) + g->lines.len);
	}
	ok = ok && fflush(out->spill) == 0;
	for (size_t i = 0; ok && i < out->ngroups; i++) {
		struct group *g = &out->groups[i];

		if (g->lines.len) {
			g->last = g->pending;
			vd_buf_free(&g->lines);
		}
	}
	if (!ok) {
		clearerr(out->spill);
		if (ftruncate(fileno(out->spill), (off_t)start) != 0 ||
		    fseeko(out->spill, (off_t)start, SEEK_SET) != 0)
			out->failed = true;
		out->nospill = true;
		return;
	}
	out->spill_off = off;
	out->held = 0;
}

#define SPILL_IO (64u << 10)

/* A group's spilled lines, oldest first, to the output (buf: SPILL_IO bytes). */
static void unspill(struct vd_evout *out, const struct group *g, char *buf)
{
	struct extent_hdr *chain = NULL, h;
	size_t n = 0;
	int fd = fileno(out->spill);

	for (int64_t off = g->last; off >= 0; off = h.prev) {
		if (pread(fd, &h, sizeof(h), (off_t)off) != (ssize_t)sizeof(h)) {
			out->failed = true;
			break;
		}
		chain = vd_realloc(chain, (n + 1) * sizeof(*chain));
		chain[n++] = (struct extent_hdr){ off + (int64_t)sizeof(h), h.len };
	}
	while (n--) {
		for (uint64_t done = 0; done < chain[n].len;) {
			size_t k = chain[n].len - done < SPILL_IO ? (size_t)(chain[n].len - done)
								  : SPILL_IO;

			if (pread(fd, buf, k, (off_t)(chain[n].prev + (int64_t)done)) !=
			    (ssize_t)k) {
				out->failed = true;
				n = 0;
				break;
			}
			fwrite(buf, 1, k, out->o->out);
			done += k;
		}
	}
	free(chain);
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

static struct vd_evout *out_open(const struct vd_opts *o, bool group)
{
	struct vd_evout *out = vd_calloc(1, sizeof(*out));

	out->o = o;
	out->group = group;
	vd_buf_init(&out->line);
	return out;
}

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

/*
 * The state vd_xb_pair_meaning takes: a present value that is not a number is no
 * XenbusState either (as status says), only absent and unknown are "unreadable".
 */
static long pair_state(long st)
{
	return st == -2 ? LONG_MAX : st < 0 ? -1 : st;
}

static const char *pair_meaning(const struct vd_event *ev)
{
	return vd_xb_pair_meaning(pair_state(ev->fe_state), pair_state(ev->be_state));
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
		    pair_meaning(ev));
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

static struct group *group_for(struct vd_evout *out, const struct vd_event *ev)
{
	unsigned long long key = (unsigned long long)ev->domid << 32 ^ ev->devid;
	size_t i;

	if (vd_imap_get(&out->group_ix, key, &i))
		return &out->groups[i];
	vd_imap_put(&out->group_ix, key, out->ngroups);
	out->groups = vd_realloc(out->groups, (out->ngroups + 1) * sizeof(*out->groups));
	memset(&out->groups[out->ngroups], 0, sizeof(*out->groups));
	out->groups[out->ngroups].domid = ev->domid;
	out->groups[out->ngroups].devid = ev->devid;
	out->groups[out->ngroups].last = -1;
	vd_buf_init(&out->groups[out->ngroups].head);
	vd_buf_init(&out->groups[out->ngroups].lines);
	return &out->groups[out->ngroups++];
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
		struct group *g = group_for(out, ev);

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
		out->held += g->lines.len - was;
		if (out->held > out->held_peak)
			out->held_peak = out->held;
		if (out->held >= vd_evout_spill_bytes && !out->nospill)
			spill(out);
		return;
	}
	if (out->o->use_color && is_problem(ev))
		fprintf(out->o->out, "\033[31m%s\033[0m\n", vd_buf_cstr(b));
	else
		fprintf(out->o->out, "%s\n", vd_buf_cstr(b));
	fflush(out->o->out);
}

static int by_vif(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	if (x->domid != y->domid)
		return x->domid < y->domid ? -1 : 1;
	return x->devid < y->devid ? -1 : x->devid > y->devid;
}

static int out_close(struct vd_evout *out)
{
	char *buf = out->spill ? vd_malloc(SPILL_IO) : NULL;
	int rc;

	if (out->ngroups > 1)
		qsort(out->groups, out->ngroups, sizeof(*out->groups), by_vif);
	for (size_t i = 0; i < out->ngroups; i++) {
		struct group *g = &out->groups[i];

		fprintf(out->o->out, "%s%s\n", i ? "\n" : "", vd_buf_cstr(&g->head));
		if (g->last >= 0)
			unspill(out, g, buf);
		fputs(vd_buf_cstr(&g->lines), out->o->out);
		vd_buf_free(&g->head);
		vd_buf_free(&g->lines);
	}
	free(buf);
	if (out->spill)
		fclose(out->spill);
	free(out->groups);
	vd_imap_free(&out->group_ix);
	vd_buf_free(&out->line);
	rc = out->failed || fflush(out->o->out) != 0 || ferror(out->o->out) ? -1 : 0;
	free(out);
	return rc;
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
	.open = out_open,
	.event = text_event,
	.summary = text_summary,
	.stats = text_stats,
	.close = out_close,
};

/* ---- JSON ---- */

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
		vd_json_kstr(j, "meaning", pair_meaning(ev));
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
	return out_open(o, false);
}

const struct vd_ev_renderer vd_render_events_json = {
	.open = json_open,
	.event = json_event,
	.summary = json_summary,
	.stats = json_stats,
	.close = out_close,
};
