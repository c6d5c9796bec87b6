// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vifdiag log FILE...: the per-VIF timeline that xenstored's own records hold (oxenstored
 * access log, C xenstored trace), with who wrote each change and the same stall detection
 * as watch; or, with --stats, the connections ranked by watch events and writes.
 */
#include <stdint.h>
#include <stdlib.h>

#include "vd_cmd.h"
#include "vd_event.h"
#include "vd_log.h"
#include "vd_render.h"

#define MAX_BAD_SHOWN 20 /* malformed lines reported one by one; the rest are counted */

struct logctx {
	const struct vd_opts *o;
	const struct vd_ev_renderer *rd;
	struct vd_evout *out;
	struct vd_tracker *t;
	unsigned long bad_shown, bad;
	int64_t last_ms;
};

static void on_event(const struct vd_event *ev, void *arg)
{
	struct logctx *c = arg;

	if ((c->o->since_ms >= 0 && ev->t_ms < c->o->since_ms) ||
	    (c->o->until_ms >= 0 && ev->t_ms > c->o->until_ms))
		return;
	c->rd->event(c->out, ev);
}

static void on_record(const struct vd_logrec *r, void *arg)
{
	struct logctx *c = arg;

	if (!c->t)
		return;
	/* time only moves forward here; a clock step back in the log would re-fire nothing */
	if (r->t_ms > c->last_ms)
		c->last_ms = r->t_ms;
	vd_tracker_tick(c->t, c->last_ms);
	if (r->op == VD_REC_RM)
		vd_tracker_rm(c->t, r->t_ms, r->path, &r->origin);
	else
		vd_tracker_put(c->t, r->t_ms, r->path, r->op == VD_REC_WRITE ? r->value : NULL,
			       r->len, &r->origin);
}

static void on_bad(const char *file, unsigned long line, const char *what, void *arg)
{
	struct logctx *c = arg;

	c->bad++;
	if (c->bad_shown++ < MAX_BAD_SHOWN)
		vd_render_warn(c->o, "%s:%lu: expected %s; line skipped", file, line, what);
}

static void on_lost(void *arg, const char *file, unsigned long long bytes)
{
	struct logctx *c = arg;

	vd_render_warn(c->o,
		       "%s: truncated without a copy to recover from: %llu bytes of a line lost",
		       file, bytes);
}

static int64_t on_idle(void *arg, int64_t now)
{
	struct logctx *c = arg;

	/* a followed log is live: its VIFs can stall while it is quiet */
	return c->t ? vd_tracker_tick(c->t, now) : INT64_MAX;
}

static int finish(struct logctx *c, struct vd_logparser *p, const struct vd_invocation *inv)
{
	struct vd_logcounts n;

	vd_logparser_counts(p, &n);
	if (c->t && n.last_ms > c->last_ms)
		vd_tracker_tick(c->t, n.last_ms); /* stalls the rest of the log proves */
	if (inv->opts->stats) {
		struct vd_connstat *cs;
		size_t k = vd_logparser_stats(p, &cs);

		c->rd->stats(c->out, cs, k, &n);
		free(cs);
	}
	if (c->bad_shown > MAX_BAD_SHOWN)
		vd_render_warn(c->o, "%lu more malformed lines skipped",
			       c->bad_shown - MAX_BAD_SHOWN);
	if (n.lines && n.malformed == n.lines)
		vd_err_set(inv->err, VD_EXIT_SOURCE,
			   "%s:1: expected an oxenstored access log or a xenstored trace; no line "
			   "was one",
			   inv->argv[0]);
	return 0;
}

int vd_cmd_log(const struct vd_invocation *inv)
{
	struct logctx c = { .o = inv->opts, .rd = vd_ev_renderer_for(inv->opts), .last_ms = -1 };
	struct vd_logrun run = { .follow = inv->opts->follow, .idle = on_idle, .lost = on_lost };
	struct vd_vifsel sel;
	char **files = NULL;
	size_t nfiles = 0;
	sigset_t waitmask, saved;
	int64_t thr[VD_STALL_N];
	int rc;

	if (vd_vifsel_parse(&sel, inv->opts->vifs, inv->opts->nvifs, true, inv->err) < 0 ||
	    vd_log_files(inv->argv, inv->argc, &files, &nfiles, inv->err) < 0) {
		vd_vifsel_free(&sel);
		return inv->err->code;
	}
	vd_stall_resolve(inv->opts->stall_ms, thr);
	c.out = c.rd->open(inv->opts, !inv->opts->follow);
	if (!inv->opts->stats) {
		c.t = vd_tracker_new(thr, on_event, &c);
		vd_tracker_set_filter(c.t, vd_vifsel_match, &sel);
	}
	run.parser = vd_logparser_new(on_record, on_bad, &c, inv->opts->stats);
	run.arg = &c;
	if (run.follow) {
		run.stop = vd_stop_on_signals(&waitmask, &saved);
		run.waitmask = &waitmask;
	}
	rc = vd_log_run(&run, files, nfiles, inv->err);
	if (run.follow)
		vd_stop_restore(&saved);
	if (rc == 0)
		finish(&c, run.parser, inv);
	if (c.rd->close(c.out) < 0)
		vd_err_set(inv->err, VD_EXIT_INTERNAL, "cannot write the output");
	rc = inv->err->code		       ? inv->err->code
	     : c.t && vd_tracker_problems(c.t) ? VD_EXIT_PROBLEM
					       : VD_EXIT_OK;
	vd_logparser_free(run.parser);
	vd_tracker_free(c.t);
	vd_vifsel_free(&sel);
	vd_log_files_free(files, nfiles);
	return rc;
}
