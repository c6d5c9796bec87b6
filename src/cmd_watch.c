// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vifdiag watch [DOM...]: VIF changes live, one line (or JSON object) per change, stalls
 * while they last, and a summary of every VIF watched when SIGINT or SIGTERM ends it.
 * The signals only set a flag here; the loop in src_watch.c returns and main() exits.
 * watch --replay FILE... (or --from BUNDLE): the same report from xenstored's logs, through
 * the tracker `log` feeds (vd_evlog.h), with the log's own times.
 */
#include <signal.h>
#include <stdint.h>
#include <string.h>

#include "vd_bundle.h"
#include "vd_cmd.h"
#include "vd_event.h"
#include "vd_evlog.h"
#include "vd_render.h"
#include "vd_source.h"

static volatile sig_atomic_t stop_flag;

static void on_stop(int sig)
{
	stop_flag = 1;
}

volatile sig_atomic_t *vd_stop_on_signals(sigset_t *waitmask, sigset_t *saved)
{
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, saved);
	*waitmask = *saved;
	sigdelset(waitmask, SIGINT);
	sigdelset(waitmask, SIGTERM);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	stop_flag = 0;
	return &stop_flag;
}

/* The handler stays: timeout(1) and shells send the signal twice (to the process and its
 * group), and the second must not kill the summary being printed. */
void vd_stop_restore(const sigset_t *saved)
{
	sigprocmask(SIG_SETMASK, saved, NULL);
}

struct sink {
	const struct vd_ev_renderer *rd;
	struct vd_evout *out;
};

static void on_event(const struct vd_event *ev, void *arg)
{
	struct sink *s = arg;

	s->rd->event(s->out, ev);
}

/* Exit status of a watch: 1 when the tracker saw a problem (a stall, an error). */
static int watch_rc(const struct vd_invocation *inv, const struct vd_tracker *t)
{
	return inv->err->code		     ? inv->err->code
	       : t && vd_tracker_problems(t) ? VD_EXIT_PROBLEM
					     : VD_EXIT_OK;
}

static int replay(const struct vd_invocation *inv)
{
	const struct vd_opts *o = inv->opts;
	struct sink s = { .rd = vd_ev_renderer_for(o) };
	struct vd_bundle *bundle = NULL;
	struct vd_vifsel sel;
	struct vd_evlog *e;
	struct vd_logcounts n;
	char **files = NULL;
	size_t nfiles = 0;
	int64_t thr[VD_STALL_N];
	int rc;

	if (!o->from && !inv->argc) {
		vd_err_set(inv->err, VD_EXIT_USAGE,
			   "usage: vifdiag watch --replay FILE... (or --from BUNDLE)");
		return inv->err->code;
	}
	if (vd_vifsel_parse(&sel, o->vifs, o->nvifs, true, inv->err) < 0 ||
	    vd_evlog_sources("watch --replay", inv->argv, inv->argc, o->from, &bundle, &files,
			     &nfiles, inv->err) < 0) {
		vd_vifsel_free(&sel);
		vd_bundle_close(bundle);
		return inv->err->code;
	}
	vd_stall_resolve(o->stall_ms, thr);
	if (o->from)
		vd_render_note(o, "replaying the xenstored logs of %s: the times are the log's",
			       o->from);
	else
		vd_render_note(o, "replaying %s%s: the times are the log's", files[0],
			       nfiles > 1 ? " and the files after it" : "");
	s.out = s.rd->open(o, false); /* in time order, as watch prints */
	e = vd_evlog_new(o, true, thr, on_event, &s, false);
	vd_evlog_set_filter(e, vd_vifsel_match, &sel);
	rc = vd_evlog_run(e, files, nfiles, false, inv->err);
	if (rc == 0 && vd_evlog_finish(e, inv->argc ? inv->argv[0] : o->from, inv->err) == 0) {
		/* the summary spans the log's own time, as a live one spans the watch */
		vd_logparser_counts(vd_evlog_parser(e), &n);
		s.rd->summary(s.out, vd_evlog_tracker(e), n.first_ms, n.last_ms);
	}
	if (s.rd->close(s.out) < 0)
		vd_err_set(inv->err, VD_EXIT_INTERNAL, "cannot write the output");
	rc = watch_rc(inv, vd_evlog_tracker(e));
	vd_evlog_free(e);
	vd_vifsel_free(&sel);
	vd_log_files_free(files, nfiles);
	vd_bundle_close(bundle);
	return rc;
}

int vd_cmd_watch(const struct vd_invocation *inv)
{
	struct sink s = { .rd = vd_ev_renderer_for(inv->opts) };
	struct vd_watchrun run = { .retries = inv->opts->retries, .timeout = inv->opts->timeout };
	struct vd_vifsel sel;
	sigset_t waitmask, saved;
	int64_t thr[VD_STALL_N], started;
	int rc;

	if (inv->opts->replay)
		return replay(inv);
	if (inv->opts->from || inv->opts->nvifs) {
		vd_err_set(inv->err, VD_EXIT_USAGE,
			   "watch: %s goes with --replay (live, name the domains: watch DOM...)",
			   inv->opts->from ? "--from" : "--vif");
		return inv->err->code;
	}
	if (vd_vifsel_parse(&sel, (const char *const *)inv->argv, inv->argc, false, inv->err) < 0) {
		vd_vifsel_free(&sel);
		return inv->err->code;
	}
	vd_stall_resolve(inv->opts->stall_ms, thr);
	s.out = s.rd->open(inv->opts, false);
	run.tracker = vd_tracker_new(thr, on_event, &s);
	vd_tracker_set_filter(run.tracker, vd_vifsel_match, &sel);
	run.stop = vd_stop_on_signals(&waitmask, &saved);
	run.waitmask = &waitmask;
	started = vd_now_ms();
	rc = vd_watch_run(&run, inv->err);
	vd_stop_restore(&saved);
	if (rc == 0)
		s.rd->summary(s.out, run.tracker, started, vd_now_ms());
	if (s.rd->close(s.out) < 0)
		vd_err_set(inv->err, VD_EXIT_INTERNAL, "cannot write the output");
	rc = watch_rc(inv, run.tracker);
	vd_tracker_free(run.tracker);
	vd_vifsel_free(&sel);
	return rc;
}
