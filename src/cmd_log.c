// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vifdiag log FILE...: the per-VIF timeline that xenstored's own records hold (oxenstored
 * access log, C xenstored trace), with who wrote each change and the same stall detection
 * as watch; or, with --stats, the connections ranked by watch events and writes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vd_bundle.h"
#include "vd_cmd.h"
#include "vd_event.h"
#include "vd_log.h"
#include "vd_render.h"
#include "vd_util.h"

#define MAX_BAD_SHOWN 20 /* malformed lines reported one by one; the rest are counted */

struct logctx {
	const struct vd_opts *o;
	const struct vd_ev_renderer *rd;
	struct vd_evout *out;
	struct vd_tracker *t;
	unsigned long bad_shown, bad;
	int64_t last_ms; /* time of the last record given to the tracker */
	/*
	 * One record held back until the next one's time is known: a record the next one
	 * dates earlier (a clock step back, or one line from year 9999) does not advance the
	 * stall clock, so no stall is reported that the rest of the log disproves.
	 */
	bool has_pend;
	struct vd_logrec pend;
	struct vd_origin pend_origin;
	struct vd_buf pend_path, pend_value;
	unsigned long backwards;
	struct vd_vifsel *sel;
	bool *name_seen; /* per --vif item: a VIF of a domain of that name was in the log */
	unsigned long shown;
};

static void on_event(const struct vd_event *ev, void *arg)
{
	struct logctx *c = arg;

	if ((c->o->since_ms >= 0 && ev->t_ms < c->o->since_ms) ||
	    (c->o->until_ms >= 0 && ev->t_ms > c->o->until_ms))
		return;
	c->shown++;
	c->rd->event(c->out, ev);
}

/* vd_vifsel_match, noting which --vif names the log ever gave a VIF of. */
static bool select_vif(unsigned long domid, unsigned long devid, const char *name, void *arg)
{
	struct logctx *c = arg;

	for (size_t i = 0; name && i < c->sel->n; i++)
		if (c->sel->v[i].name && strcmp(c->sel->v[i].name, name) == 0)
			c->name_seen[i] = true;
	return vd_vifsel_match(domid, devid, name, c->sel);
}

/*
 * An empty timeline says why: a --vif name the log never gave a domain is a usage error
 * as in status (only a whole log can tell, so not while following); else a note.
 */
static void nothing_matched(struct logctx *c, const struct vd_invocation *inv)
{
	const struct vd_opts *o = inv->opts;

	for (size_t i = 0; !o->follow && i < c->sel->n; i++)
		if (c->sel->v[i].name && !c->name_seen[i]) {
			vd_err_set(inv->err, VD_EXIT_USAGE,
				   "--vif %s: no domain of that name in the log (a log names a "
				   "domain only where its name is written: give a domid)",
				   c->sel->v[i].name);
			return;
		}
	if (c->shown)
		return;
	if (c->sel->n || o->since_ms >= 0 || o->until_ms >= 0)
		vd_render_note(o, "no change matched%s%s", c->sel->n ? " --vif" : "",
			       o->since_ms >= 0 || o->until_ms >= 0 ? " --since/--until" : "");
	else
		vd_render_note(o, "no change matched: the log holds no VIF change");
}

/* The held record, once the time of what follows it (next_ms) is known. */
static void apply_pending(struct logctx *c, int64_t next_ms)
{
	const struct vd_logrec *r = &c->pend;

	if (!c->has_pend)
		return;
	c->has_pend = false;
	if (c->last_ms >= 0 && r->t_ms < c->last_ms && c->backwards++ < MAX_BAD_SHOWN)
		vd_render_warn(c->o,
			       "time goes backwards at %s:%lu: stall deadlines follow the log's "
			       "new time",
			       r->origin.file ? r->origin.file : "-", r->origin.line);
	/* stalls are proven by the log going on; a time the next record contradicts is not */
	if (next_ms >= r->t_ms)
		vd_tracker_tick(c->t, r->t_ms);
	c->last_ms = r->t_ms;
	if (r->op == VD_REC_RM)
		vd_tracker_rm(c->t, r->t_ms, r->path, &r->origin);
	else
		vd_tracker_put(c->t, r->t_ms, r->path, r->op == VD_REC_WRITE ? r->value : NULL,
			       r->len, &r->origin);
}

static void on_record(const struct vd_logrec *r, void *arg)
{
	struct logctx *c = arg;

	if (!c->t)
		return;
	apply_pending(c, r->t_ms);
	c->pend = *r;
	c->pend_origin = r->origin;
	c->pend.origin = c->pend_origin;
	vd_buf_reset(&c->pend_path);
	vd_buf_adds(&c->pend_path, r->path);
	c->pend.path = vd_buf_cstr(&c->pend_path);
	if (r->value) {
		vd_buf_reset(&c->pend_value);
		vd_buf_add(&c->pend_value, r->value, r->len);
		c->pend.value = vd_buf_cstr(&c->pend_value);
	}
	c->has_pend = true;
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
	if (!c->t)
		return INT64_MAX;
	apply_pending(c, c->pend.t_ms); /* nothing follows yet: its time stands */
	return vd_tracker_tick(c->t, now);
}

static int finish(struct logctx *c, struct vd_logparser *p, const struct vd_invocation *inv)
{
	struct vd_logcounts n;

	vd_logparser_counts(p, &n);
	if (c->t)
		apply_pending(c, n.last_ms);
	if (c->t && n.last_ms > c->last_ms)
		vd_tracker_tick(c->t, n.last_ms); /* stalls the rest of the log proves */
	if (inv->opts->stats) {
		struct vd_connstat *cs;
		size_t k = vd_logparser_stats(p, &cs);

		c->rd->stats(c->out, cs, k, &n);
		free(cs);
	}
	if (c->backwards > MAX_BAD_SHOWN)
		vd_render_warn(c->o, "time goes backwards %lu more times",
			       c->backwards - MAX_BAD_SHOWN);
	if (c->bad_shown > MAX_BAD_SHOWN)
		vd_render_warn(c->o, "%lu more malformed lines skipped",
			       c->bad_shown - MAX_BAD_SHOWN);
	if (n.lines && n.malformed == n.lines)
		vd_err_set(inv->err, VD_EXIT_SOURCE,
			   "%s:1: expected an oxenstored access log or a xenstored trace; no line "
			   "was one",
			   inv->argc ? inv->argv[0] : inv->opts->from);
	else if (c->t)
		nothing_matched(c, inv);
	return 0;
}

/* log --from BUNDLE: the bundle's xenstored logs (each brings its rotations) */
static int bundle_files(const struct vd_invocation *inv, struct vd_bundle **b, char ***files,
			size_t *nfiles)
{
	char **args;
	int rc;

	if (inv->argc) {
		vd_err_set(inv->err, VD_EXIT_USAGE,
			   "log: FILE arguments or --from BUNDLE, not both");
		return -1;
	}
	*b = vd_bundle_open(inv->opts->from, inv->err);
	if (!*b)
		return -1;
	if (!(*b)->nxslogs) {
		const struct vd_mnote *why = vd_manifest_note_for(&(*b)->man, VD_BUNDLE_XSLOGS);

		vd_err_set(inv->err, VD_EXIT_SOURCE, "%s: the bundle has no xenstored log%s%s",
			   inv->opts->from, why ? ": " : "", why ? why->why : "");
		return -1;
	}
	args = vd_calloc((*b)->nxslogs, sizeof(*args));
	for (size_t i = 0; i < (*b)->nxslogs; i++)
		args[i] = vd_asprintf("%s/%s/%s", (*b)->dir, VD_BUNDLE_XSLOGS, (*b)->xslogs[i]);
	rc = vd_log_files(args, (int)(*b)->nxslogs, files, nfiles, inv->err);
	vd_strv_free(args, (*b)->nxslogs);
	return rc;
}

int vd_cmd_log(const struct vd_invocation *inv)
{
	struct vd_bundle *bundle = NULL;
	struct logctx c = { .o = inv->opts, .rd = vd_ev_renderer_for(inv->opts), .last_ms = -1 };
	struct vd_logrun run = { .follow = inv->opts->follow, .idle = on_idle, .lost = on_lost };
	struct vd_vifsel sel;
	char **files = NULL;
	size_t nfiles = 0;
	sigset_t waitmask, saved;
	int64_t thr[VD_STALL_N];
	int rc;

	if (!inv->opts->from && !inv->argc) {
		vd_err_set(inv->err, VD_EXIT_USAGE,
			   "usage: vifdiag log FILE... (or --from BUNDLE)");
		return inv->err->code;
	}
	if (inv->opts->since_ms >= 0 && inv->opts->until_ms >= 0 &&
	    inv->opts->since_ms > inv->opts->until_ms) {
		vd_err_set(inv->err, VD_EXIT_USAGE, "--since is after --until: no time is in both");
		return inv->err->code;
	}
	if (vd_vifsel_parse(&sel, inv->opts->vifs, inv->opts->nvifs, true, inv->err) < 0 ||
	    (inv->opts->from ? bundle_files(inv, &bundle, &files, &nfiles)
			     : vd_log_files(inv->argv, inv->argc, &files, &nfiles, inv->err)) < 0) {
		vd_vifsel_free(&sel);
		vd_bundle_close(bundle);
		return inv->err->code;
	}
	vd_stall_resolve(inv->opts->stall_ms, thr);
	vd_buf_init(&c.pend_path);
	vd_buf_init(&c.pend_value);
	c.out = c.rd->open(inv->opts, !inv->opts->follow);
	if (!inv->opts->stats) {
		c.t = vd_tracker_new(thr, on_event, &c);
		c.sel = &sel;
		c.name_seen = vd_calloc(sel.n + 1, sizeof(*c.name_seen));
		vd_tracker_set_filter(c.t, select_vif, &c);
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
	vd_buf_free(&c.pend_path);
	vd_buf_free(&c.pend_value);
	free(c.name_seen);
	vd_vifsel_free(&sel);
	vd_log_files_free(files, nfiles);
	vd_bundle_close(bundle);
	return rc;
}
