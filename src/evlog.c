// SPDX-License-Identifier: GPL-2.0-or-later
/* xenstored's logs through the parser into the event tracker (vd_evlog.h). */
#include "vd_evlog.h"

#include <stdlib.h>
#include <string.h>

#include "vd_bundle.h"
#include "vd_cmd.h"
#include "vd_render.h"
#include "vd_util.h"

#define MAX_BAD_SHOWN 20 /* malformed lines reported one by one; the rest are counted */

struct vd_evlog {
	const struct vd_opts *o;
	struct vd_tracker *t;
	struct vd_logparser *p;
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
};

/* The held record, once the time of what follows it (next_ms) is known. */
static void apply_pending(struct vd_evlog *c, int64_t next_ms)
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
	if (r->op == VD_REC_TIME)
		return;
	if (r->op == VD_REC_RM)
		vd_tracker_rm(c->t, r->t_ms, r->path, &r->origin);
	else
		vd_tracker_put(c->t, r->t_ms, r->path, r->op == VD_REC_WRITE ? r->value : NULL,
			       r->len, &r->origin);
}

static void on_record(const struct vd_logrec *r, void *arg)
{
	struct vd_evlog *c = arg;

	if (!c->t)
		return;
	apply_pending(c, r->t_ms);
	c->pend = *r;
	c->pend_origin = r->origin;
	c->pend.origin = c->pend_origin;
	if (r->op == VD_REC_TIME) {
		c->pend.path = NULL;
		c->pend.value = NULL;
		c->has_pend = true;
		return;
	}
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
	struct vd_evlog *c = arg;

	c->bad++;
	if (c->bad_shown++ < MAX_BAD_SHOWN)
		vd_render_warn(c->o, "%s:%lu: expected %s; line skipped", file, line, what);
}

static void on_lost(void *arg, const char *file, unsigned long long bytes)
{
	struct vd_evlog *c = arg;

	vd_render_warn(c->o,
		       "%s: truncated without a copy to recover from: %llu bytes of a line lost",
		       file, bytes);
}

static int64_t on_idle(void *arg, int64_t now)
{
	struct vd_evlog *c = arg;

	/* a followed log is live: its VIFs can stall while it is quiet */
	if (!c->t)
		return INT64_MAX;
	apply_pending(c, c->pend.t_ms); /* nothing follows yet: its time stands */
	return vd_tracker_tick(c->t, now);
}

struct vd_evlog *vd_evlog_new(const struct vd_opts *o, bool track, const int64_t thr[VD_STALL_N],
			      vd_event_fn fn, void *arg, bool stats)
{
	struct vd_evlog *e = vd_calloc(1, sizeof(*e));

	e->o = o;
	e->last_ms = -1;
	vd_buf_init(&e->pend_path);
	vd_buf_init(&e->pend_value);
	if (track)
		e->t = vd_tracker_new(thr, fn, arg);
	e->p = vd_logparser_new(on_record, on_bad, e, stats);
	vd_logparser_only_vifs(e->p, track);
	return e;
}

void vd_evlog_free(struct vd_evlog *e)
{
	if (!e)
		return;
	vd_logparser_free(e->p);
	vd_tracker_free(e->t);
	vd_buf_free(&e->pend_path);
	vd_buf_free(&e->pend_value);
	free(e);
}

void vd_evlog_set_filter(struct vd_evlog *e, vd_vif_filter_fn fn, void *arg)
{
	if (e->t)
		vd_tracker_set_filter(e->t, fn, arg);
}

int vd_evlog_run(struct vd_evlog *e, char *const *files, size_t nfiles, bool follow,
		 struct vd_err *err)
{
	struct vd_logrun run = {
		.parser = e->p, .follow = follow, .idle = on_idle, .lost = on_lost, .arg = e
	};
	struct vd_logcounts n;
	sigset_t waitmask, saved;
	int rc;

	if (follow) {
		run.stop = vd_stop_on_signals(&waitmask, &saved);
		run.waitmask = &waitmask;
	}
	rc = vd_log_run(&run, files, nfiles, err);
	if (follow)
		vd_stop_restore(&saved);
	if (rc < 0 || !e->t)
		return rc;
	vd_logparser_counts(e->p, &n);
	apply_pending(e, n.last_ms);
	if (n.last_ms > e->last_ms)
		vd_tracker_tick(e->t, n.last_ms); /* stalls the rest of the log proves */
	return rc;
}

int vd_evlog_finish(struct vd_evlog *e, const char *first, struct vd_err *err)
{
	struct vd_logcounts n;

	vd_logparser_counts(e->p, &n);
	if (e->backwards > MAX_BAD_SHOWN)
		vd_render_warn(e->o, "time goes backwards %lu more times",
			       e->backwards - MAX_BAD_SHOWN);
	if (e->bad_shown > MAX_BAD_SHOWN)
		vd_render_warn(e->o, "%lu more malformed lines skipped",
			       e->bad_shown - MAX_BAD_SHOWN);
	if (n.lines && n.malformed == n.lines) {
		vd_err_set(err, VD_EXIT_SOURCE,
			   "%s:1: expected an oxenstored access log or a xenstored trace; no line "
			   "was one",
			   first);
		return -1;
	}
	return 0;
}

struct vd_tracker *vd_evlog_tracker(const struct vd_evlog *e)
{
	return e->t;
}

const struct vd_logparser *vd_evlog_parser(const struct vd_evlog *e)
{
	return e->p;
}

int vd_evlog_bundle_files(const struct vd_bundle *b, const char *from, char ***files,
			  size_t *nfiles, struct vd_err *err)
{
	char **args;
	int rc;

	if (!b->nxslogs) {
		const struct vd_mnote *why = vd_manifest_note_for(&b->man, VD_BUNDLE_XSLOGS);

		vd_err_set(err, VD_EXIT_SOURCE, "%s: the bundle has no xenstored log%s%s", from,
			   why ? ": " : "", why ? why->why : "");
		return -1;
	}
	args = vd_calloc(b->nxslogs, sizeof(*args));
	for (size_t i = 0; i < b->nxslogs; i++)
		args[i] = vd_asprintf("%s/%s/%s", b->dir, VD_BUNDLE_XSLOGS, b->xslogs[i]);
	rc = vd_log_files(args, (int)b->nxslogs, files, nfiles, err);
	vd_strv_free(args, b->nxslogs);
	return rc;
}

int vd_evlog_sources(const char *cmd, char *const *argv, int argc, const char *from,
		     struct vd_bundle **b, char ***files, size_t *nfiles, struct vd_err *err)
{
	*b = NULL;
	if (!from)
		return vd_log_files(argv, argc, files, nfiles, err);
	if (argc) {
		vd_err_set(err, VD_EXIT_USAGE, "%s: FILE arguments or --from BUNDLE, not both",
			   cmd);
		return -1;
	}
	*b = vd_bundle_open(from, err);
	if (!*b)
		return -1;
	return vd_evlog_bundle_files(*b, from, files, nfiles, err);
}
