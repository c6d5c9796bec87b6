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
#include "vd_evlog.h"
#include "vd_log.h"
#include "vd_render.h"
#include "vd_util.h"

struct logctx {
	const struct vd_opts *o;
	const struct vd_ev_renderer *rd;
	struct vd_evout *out;
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

/* After the whole log: --stats' table, the parser's summary warnings, an empty timeline. */
static void finish(struct logctx *c, struct vd_evlog *e, const struct vd_invocation *inv)
{
	const struct vd_logparser *p = vd_evlog_parser(e);

	if (inv->opts->stats) {
		struct vd_logcounts n;
		struct vd_connstat *cs;
		size_t k = vd_logparser_stats(p, &cs);

		vd_logparser_counts(p, &n);
		c->rd->stats(c->out, cs, k, &n);
		free(cs);
	}
	if (vd_evlog_finish(e, inv->argc ? inv->argv[0] : inv->opts->from, inv->err) == 0 &&
	    vd_evlog_tracker(e))
		nothing_matched(c, inv);
}

int vd_cmd_log(const struct vd_invocation *inv)
{
	struct vd_bundle *bundle = NULL;
	struct logctx c = { .o = inv->opts, .rd = vd_ev_renderer_for(inv->opts) };
	struct vd_evlog *e;
	struct vd_tracker *t;
	struct vd_vifsel sel;
	char **files = NULL;
	size_t nfiles = 0;
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
	    vd_evlog_sources("log", inv->argv, inv->argc, inv->opts->from, &bundle, &files, &nfiles,
			     inv->err) < 0) {
		vd_vifsel_free(&sel);
		vd_bundle_close(bundle);
		return inv->err->code;
	}
	vd_stall_resolve(inv->opts->stall_ms, thr);
	c.out = c.rd->open(inv->opts, !inv->opts->follow);
	e = vd_evlog_new(inv->opts, !inv->opts->stats, thr, on_event, &c, inv->opts->stats);
	if (!inv->opts->stats) {
		c.sel = &sel;
		c.name_seen = vd_calloc(sel.n + 1, sizeof(*c.name_seen));
		vd_evlog_set_filter(e, select_vif, &c);
	}
	rc = vd_evlog_run(e, files, nfiles, inv->opts->follow, inv->err);
	if (rc == 0)
		finish(&c, e, inv);
	if (c.rd->close(c.out) < 0)
		vd_err_set(inv->err, VD_EXIT_INTERNAL, "cannot write the output");
	t = vd_evlog_tracker(e);
	rc = inv->err->code		   ? inv->err->code
	     : t && vd_tracker_problems(t) ? VD_EXIT_PROBLEM
					   : VD_EXIT_OK;
	vd_evlog_free(e);
	free(c.name_seen);
	vd_vifsel_free(&sel);
	vd_log_files_free(files, nfiles);
	vd_bundle_close(bundle);
	return rc;
}
