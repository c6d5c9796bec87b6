// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vifdiag top: every VIF at once, refreshed every -d SECS. -b prints the frames as plain
 * text (render_top.c); the full-screen view draws the same cells with ncursesw (src/top_tui.c).
 * Collection is vd_top_collect (topdata.c): this file only runs the loop.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>

#include "vd_cmd.h"
#include "vd_top.h"

/* Sleeps ms unless SIGINT/SIGTERM arrives (they are blocked outside this wait). */
static void nap(unsigned long ms, const sigset_t *waitmask)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	ppoll(NULL, 0, &ts, waitmask);
}

static int batch(const struct vd_invocation *inv)
{
	const struct vd_opts *o = inv->opts;
	struct vd_top_frame prev = { 0 }, cur;
	sigset_t waitmask, saved;
	volatile sig_atomic_t *stop = vd_stop_on_signals(&waitmask, &saved);
	int rc = VD_EXIT_OK;

	for (unsigned long i = 1; !*stop && (!o->iterations || i <= o->iterations); i++) {
		if (i > 1) {
			nap(o->delay_ms, &waitmask);
			if (*stop)
				break;
		}
		if (vd_top_collect(o, &cur, inv->err) < 0) {
			rc = inv->err->code;
			break;
		}
		if (i > 1)
			vd_top_rates(&cur, &prev);
		/* flushed per frame: a reader (a script, a test) sees each as it comes */
		if (vd_render_top_frame(o->out, &cur, i, i == 1) < 0 || fflush(o->out) != 0) {
			vd_err_set(inv->err, VD_EXIT_INTERNAL, "cannot write the output");
			rc = VD_EXIT_INTERNAL;
			vd_top_frame_free(&cur);
			break;
		}
		vd_top_frame_free(&prev);
		prev = cur;
	}
	vd_top_frame_free(&prev);
	vd_stop_restore(&saved);
	return rc;
}

int vd_cmd_top(const struct vd_invocation *inv)
{
	/* no terminal or one without cursor addressing (TERM=dumb): frames as text */
	if (inv->opts->batch || !vd_top_can_draw())
		return batch(inv);
	return vd_top_tui(inv);
}
