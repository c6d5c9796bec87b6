// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check --for SECS (vd_source.h): what `watch` runs, for SECS, into a timeline instead of
 * a renderer. check then judges a fresh snapshot with it, as it does with a log's.
 */
#include <signal.h>

#include "vd_cmd.h"
#include "vd_event.h"
#include "vd_render.h"
#include "vd_source.h"
#include "vd_timeline.h"

struct timed {
	const struct vd_opts *o;
	struct vd_watchrun *run;
	struct vd_timeline *tl;
	int64_t for_ms;
};

/* After the first read: the start of the watch, so SECS are all watched time (a test
 * that sees the note knows the watch has begun). */
static void on_ready(struct vd_tracker *t, void *arg)
{
	struct timed *w = arg;
	int64_t now = vd_now_ms();

	vd_timeline_seed(w->tl, t, now);
	w->run->until_ms = now + w->for_ms;
	vd_render_note(w->o, "watching for %.1f s before judging (Ctrl-C: judge now)",
		       (double)w->for_ms / 1000.0);
}

int vd_watch_timeline(const struct vd_opts *o, char *const *args, int nargs, struct vd_timeline *tl,
		      struct vd_err *err)
{
	struct vd_watchrun run = { .retries = o->retries, .timeout = o->timeout };
	struct timed w = { o, &run, tl, (int64_t)o->for_ms };
	struct vd_vifsel sel;
	sigset_t waitmask, saved;
	int64_t thr[VD_STALL_N], end;
	int rc;

	if (vd_vifsel_parse(&sel, (const char *const *)args, nargs, true, err) < 0) {
		vd_vifsel_free(&sel);
		return -1;
	}
	vd_stall_resolve(o->stall_ms, thr);
	run.tracker = vd_tracker_new(thr, vd_timeline_event, tl);
	vd_tracker_set_filter(run.tracker, vd_vifsel_match, &sel);
	run.ready = on_ready;
	run.ready_arg = &w;
	run.stop = vd_stop_on_signals(&waitmask, &saved);
	run.waitmask = &waitmask;
	rc = vd_watch_run(&run, err);
	vd_stop_restore(&saved);
	if (rc == 0 && tl->source == VD_TL_WATCH) {
		/* the stalls due by the end, then "now" is the end of the watch */
		end = vd_now_ms();
		vd_tracker_tick(run.tracker, end);
		vd_timeline_finish(tl, run.tracker, tl->first_ms, end);
	}
	vd_tracker_free(run.tracker);
	vd_vifsel_free(&sel);
	return rc;
}
