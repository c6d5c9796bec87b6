// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vifdiag watch [DOM...]: VIF changes live, one line (or JSON object) per change, stalls
 * while they last, and a summary of every VIF watched when SIGINT or SIGTERM ends it.
 * The signals only set a flag here; the loop in src_watch.c returns and main() exits.
 */
#include <signal.h>
#include <stdint.h>
#include <string.h>

#include "vd_cmd.h"
#include "vd_event.h"
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

int vd_cmd_watch(const struct vd_invocation *inv)
{
	struct sink s = { .rd = vd_ev_renderer_for(inv->opts) };
	struct vd_watchrun run = { .retries = inv->opts->retries, .timeout = inv->opts->timeout };
	struct vd_vifsel sel;
	sigset_t waitmask, saved;
	int64_t thr[VD_STALL_N], started;
	int rc;

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
	rc = inv->err->code			? inv->err->code
	     : vd_tracker_problems(run.tracker) ? VD_EXIT_PROBLEM
						: VD_EXIT_OK;
	vd_tracker_free(run.tracker);
	vd_vifsel_free(&sel);
	return rc;
}
