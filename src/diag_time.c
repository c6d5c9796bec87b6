// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The time rules (vd_timeline.h): what a log or a watch (check --for) adds to a snapshot. A
 * timeline and a store are two witnesses: a duration is only claimed for an end whose last
 * state in the timeline is the state the store shows; counts of cycles are history and need
 * no such agreement. A watch found its VIFs in some state: what held since its start held
 * "at least" that long.
 */
#include "vd_timeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vd_event.h"
#include "vd_util.h"
#include "vd_xenbus.h"

#define FLAP_CYCLES	2 /* one close cycle at boot is Windows' or iPXE's normal */
#define LOOP_RECONNECTS 2 /* one re-attach can be an operator's; two in a row is a loop */

static const char *const end_word[2] = { "frontend", "backend" };

/* "in the log" / "during the watch": where the time was measured, for messages. */
static const char *during(const struct vd_timeline *tl)
{
	return tl->source == VD_TL_WATCH ? "during the watch" : "in the log";
}

static const char *at_least(const struct vd_timeline *tl, int64_t since_ms)
{
	return tl->source == VD_TL_WATCH && since_ms <= tl->first_ms ? "at least " : "";
}

static long store_state(const struct vd_end *e)
{
	return e->present && e->state.ok ? (long)e->state.v : -1;
}

/* The log's last word on this end is what the store shows (path and state). */
static bool agrees(const struct vd_tl_end *t, const struct vd_end *e)
{
	return t->seen && t->present && e->present && e->path && t->path &&
	       strcmp(t->path, e->path) == 0 && t->state == store_state(e);
}

static char *iso(int64_t ms, char *buf, size_t len)
{
	if (ms >= 0)
		return vd_time_iso(ms, buf, len);
	snprintf(buf, len, "-");
	return buf;
}

/* As agrees, or the end is absent in the store and in the log's last word. */
static bool agrees_or_absent(const struct vd_tl_end *t, const struct vd_end *e)
{
	return agrees(t, e) || (!e->present && (!t->seen || !t->present));
}

/* A state of a log line: -1 none yet (a new end), -3 before the log began. */
static const char *state_word(long s)
{
	return s >= 0 || s == -2 ? vd_xb_state_name(s) : s == -1 ? "(none)" : "(unknown)";
}

/* A log line as evidence: FILE:LINE, what it did and when; a change the watch saw: when
 * (in where: evidence is one per where), what it did. */
static void ev_line(struct vd_finding *f, const char *who, const struct vd_tl_mark *m)
{
	char where[512], t[40], what[96], *val;

	if (!m->file && m->t_ms <= 0)
		return; /* found at the start of a watch, or a log line of unknown origin */
	if (m->to == -1)
		snprintf(what, sizeof(what), "removed");
	else
		snprintf(what, sizeof(what), "%s -> %s", state_word(m->from), state_word(m->to));
	iso(m->t_ms, t, sizeof(t));
	if (m->file) {
		snprintf(where, sizeof(where), "%s:%lu", m->file, m->line);
		val = vd_asprintf("%s %s at %s", who, what, t);
	} else {
		snprintf(where, sizeof(where), "%s seen by the watch at %s", who, t);
		val = vd_strdup(what);
	}
	vd_finding_add_evidence(f, m->file ? VD_EV_LOG : VD_EV_TIME, where, val, strlen(val), NULL);
	free(val);
}

/* A duration as evidence, from..now by the log's clock (the watch's). */
static void ev_time(struct vd_finding *f, const struct vd_timeline *tl, const char *what,
		    int64_t from_ms)
{
	char a[40], b[40], d[48], *val;

	val = vd_asprintf("%s%s (%.3f s, %s to %s)", at_least(tl, from_ms),
			  vd_duration_text(tl->now_ms - from_ms, d, sizeof(d)),
			  (double)(tl->now_ms - from_ms) / 1000.0, iso(from_ms, a, sizeof(a)),
			  iso(tl->now_ms, b, sizeof(b)));
	vd_finding_add_evidence(f, VD_EV_TIME, what, val, strlen(val),
				tl->source == VD_TL_WATCH
					? "watched live (check --for): now is the end of the watch"
					: "now is the time of the log's last line");
	free(val);
}

#define STUCK_HINT(src)                                                                            \
	"the " src " proves this is no passing state: see what the other findings of this "        \
	"VIF say the stuck end waits for, and the kernel log of the domain it lives in"

static void rule_stuck(struct vd_vif *v, const struct vd_timeline *tl, const struct vd_tl_vif *t)
{
	const struct vd_tl_end *e = &t->e[t->stall_end];
	const struct vd_end *se = t->stall_end == VD_END_BACKEND ? &v->be : &v->fe;
	char d[48], thr[48], what[96];
	struct vd_finding *f;

	/* the stall must be the store's present: the other end too must not have moved on */
	if (!t->stuck || !agrees(e, se) ||
	    !agrees_or_absent(&t->e[!t->stall_end], t->stall_end ? &v->fe : &v->be))
		return;
	vd_duration_text(tl->now_ms - t->stall_anchor_ms, d, sizeof(d));
	vd_duration_text(t->stall_threshold_ms, thr, sizeof(thr));
	vd_vif_add_finding(v, VD_SEV_ERROR, "stuck",
			   tl->source == VD_TL_WATCH ? STUCK_HINT("watch") : STUCK_HINT("log"),
			   "the %s has been stuck in %s for %s%s (%s stall, threshold %s: %s)",
			   end_word[t->stall_end], vd_xb_state_name(e->state),
			   at_least(tl, t->stall_anchor_ms), d, vd_stall_name(t->stall), thr,
			   vd_stall_what(t->stall));
	f = vd_vif_last_finding(v);
	snprintf(what, sizeof(what), "%s stuck (%s stall)", end_word[t->stall_end],
		 vd_stall_name(t->stall));
	ev_time(f, tl, what, t->stall_anchor_ms);
	ev_line(f, end_word[t->stall_end], &e->set);
	ev_line(f, end_word[!t->stall_end], &t->e[!t->stall_end].set);
}

/* A count the rule judged by, as time evidence. */
static void ev_count(struct vd_finding *f, const char *what, unsigned long count)
{
	char n[32];

	snprintf(n, sizeof(n), "%lu", count);
	vd_finding_add_evidence(f, VD_EV_TIME, what, n, strlen(n), NULL);
}

static void rule_flapping(struct vd_vif *v, const struct vd_timeline *tl, const struct vd_tl_vif *t)
{
	int k = t->e[VD_END_FRONTEND].close_cycles >= t->e[VD_END_BACKEND].close_cycles ? 0 : 1;
	const struct vd_tl_end *e = &t->e[k];
	char what[96];
	struct vd_finding *f;

	if (e->close_cycles < FLAP_CYCLES)
		return;
	vd_vif_add_finding(
		v, VD_SEV_WARN, "flapping",
		"one close cycle at boot is normal (Windows, iPXE); repeated ones mean "
		"a driver that keeps restarting: look at the guest's kernel or event log "
		"around the times in the evidence",
		"the %s went through %lu close cycles (Connected -> Closing/Closed -> "
		"Connected) %s",
		end_word[k], e->close_cycles, during(tl));
	f = vd_vif_last_finding(v);
	snprintf(what, sizeof(what), "close cycles of the %s %s", end_word[k], during(tl));
	ev_count(f, what, e->close_cycles);
	if (e->nmarks)
		ev_time(f, tl, "since the first close", e->marks[0].t_ms);
	for (size_t i = 0; i < e->nmarks; i++)
		ev_line(f, end_word[k], &e->marks[i]);
}

static void rule_reconnect_loop(struct vd_vif *v, const struct vd_timeline *tl,
				const struct vd_tl_vif *t)
{
	struct vd_finding *f;
	char what[64];

	if (t->reconnects < LOOP_RECONNECTS)
		return;
	vd_vif_add_finding(
		v, VD_SEV_WARN, "reconnect-loop",
		"something keeps tearing the device down and setting it up again: a "
		"toolstack or hotplug retry loop (xl devd, xapi), or a guest driver that "
		"resets without closing; the evidence shows who and when",
		"the VIF connected %lu times %s, %lu of them after the device was "
		"removed or an end fell back into the handshake without closing",
		t->connections, during(tl), t->reconnects);
	f = vd_vif_last_finding(v);
	snprintf(what, sizeof(what), "connections %s", during(tl));
	ev_count(f, what, t->connections);
	ev_count(f, "reconnections without a close cycle", t->reconnects);
	if (t->nrmarks)
		ev_time(f, tl, "since the first disconnect", t->rmarks[0].t_ms);
	for (size_t i = 0; i < t->nrmarks; i++)
		ev_line(f, end_word[t->rmarks[i].end], &t->rmarks[i]);
}

/* Snapshot findings whose hint says "normal for a while": the timeline says how long. */
static bool transient(const char *code)
{
	static const char *const codes[] = {
		"closing",	"hotplug-pending", "no-driver",		  "not-probed",
		"reconnecting", "teardown",	   "frontend-initialised"
	};

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(code, codes[i]) == 0)
			return true;
	return false;
}

static void measured_hints(struct vd_vif *v, const struct vd_timeline *tl,
			   const struct vd_tl_vif *t)
{
	const struct vd_tl_end *fe = &t->e[VD_END_FRONTEND], *be = &t->e[VD_END_BACKEND];
	const struct vd_tl_end *last;
	int k;
	size_t nf = v->nfindings;
	char d[48], what[96], src[600], t0[40];

	/* the pair holds since the later of its two ends' changes */
	if (!agrees(be, &v->be) || (v->fe.present && !agrees(fe, &v->fe)))
		return;
	k = v->fe.present && fe->since_ms > be->since_ms ? 0 : 1;
	last = &t->e[k];
	if (vd_tl_held_ms(tl, last) < 0)
		return;
	vd_duration_text(vd_tl_held_ms(tl, last), d, sizeof(d));
	if (tl->source == VD_TL_WATCH && tl->first_ms >= 0)
		/* HH:MM:SS of the ISO time: the date is today's */
		snprintf(src, sizeof(src), "(watched for %s since %.8s UTC)",
			 vd_duration_text(tl->now_ms - tl->first_ms, t0, sizeof(t0)),
			 vd_time_iso(tl->first_ms, what, sizeof(what)) + 11);
	else
		snprintf(src, sizeof(src), "by the log (since %s:%lu)",
			 last->set.file ? last->set.file : "-", last->set.line);
	for (size_t i = 0; i < nf; i++) {
		struct vd_finding *f = &v->findings[i];
		char *hint;

		if (!transient(f->code))
			continue;
		hint = vd_asprintf("measured: this pair has held for %s%s %s; %s",
				   at_least(tl, last->since_ms), d, src, f->hint ? f->hint : "");
		free(f->hint);
		f->hint = hint;
		snprintf(what, sizeof(what), "frontend %s, backend %s held",
			 v->fe.present ? vd_xb_state_name(fe->state) : "absent",
			 vd_xb_state_name(be->state));
		ev_time(f, tl, what, last->since_ms);
		ev_line(f, end_word[k], &last->set);
	}
}

void vd_diagnose_time(struct vd_host *h, const struct vd_timeline *tl)
{
	if (!tl->done || tl->now_ms < 0)
		return;
	for (size_t i = 0; i < h->nvifs; i++) {
		struct vd_vif *v = h->vifs[i];
		const struct vd_tl_vif *t = vd_timeline_find(tl, v->domid, v->devid);

		if (!t)
			continue;
		measured_hints(v, tl, t);
		rule_stuck(v, tl, t);
		rule_flapping(v, tl, t);
		rule_reconnect_loop(v, tl, t);
	}
}
