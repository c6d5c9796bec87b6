// SPDX-License-Identifier: GPL-2.0-or-later
/* The timeline check --log builds from the tracker's events: state since when and the
 * line that set it, Connected counts, close cycles, reconnections, the stall still running
 * when the log ends, and the duration text. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "vd_event.h"
#include "vd_timeline.h"

#define FE "/local/domain/1/device/vif/0"
#define BE "/local/domain/0/backend/vif/1/0"

struct fix {
	struct vd_timeline tl;
	struct vd_tracker *t;
	unsigned long line; /* the "log line" of the next put */
};

static void start(struct fix *f, const long *opt)
{
	int64_t thr[VD_STALL_N];

	memset(f, 0, sizeof(*f));
	vd_timeline_init(&f->tl);
	vd_stall_resolve(opt, thr);
	f->t = vd_tracker_new(thr, vd_timeline_event, &f->tl);
}

static void stop(struct fix *f)
{
	vd_tracker_free(f->t);
	vd_timeline_free(&f->tl);
}

/* As the log pipeline does it: the stall clock advances to each record's time first. */
static void put(struct fix *f, int64_t ms, const char *path, const char *v)
{
	struct vd_origin o = { .conn = "A1", .conn_domid = -1, .file = "x.log", .line = ++f->line };

	vd_tracker_tick(f->t, ms);
	vd_tracker_put(f->t, ms, path, v, v ? strlen(v) : 0, &o);
}

static void rm(struct fix *f, int64_t ms, const char *path)
{
	struct vd_origin o = { .conn = "A1", .conn_domid = -1, .file = "x.log", .line = ++f->line };

	vd_tracker_tick(f->t, ms);
	vd_tracker_rm(f->t, ms, path, &o);
}

static void finish(struct fix *f, int64_t now)
{
	vd_tracker_tick(f->t, now);
	vd_timeline_finish(&f->tl, f->t, 0, now);
}

static void bringup(struct fix *f, int64_t t0)
{
	put(f, t0, FE "/backend", BE);
	put(f, t0, FE "/state", "1");
	put(f, t0, BE "/frontend", FE);
	put(f, t0, BE "/state", "1");
	put(f, t0 + 300, BE "/state", "2");
	put(f, t0 + 800, BE "/hotplug-status", "connected");
	put(f, t0 + 1100, FE "/state", "4");
	put(f, t0 + 1150, BE "/state", "4");
}

static const struct vd_tl_vif *vif(const struct fix *f)
{
	const struct vd_tl_vif *v = vd_timeline_find(&f->tl, 1, 0);

	assert_non_null(v);
	return v;
}

static void test_bringup_since_and_line(void **state)
{
	struct fix f;
	const struct vd_tl_vif *v;

	(void)state;
	start(&f, NULL);
	bringup(&f, 1000);
	finish(&f, 61000);
	v = vif(&f);
	assert_string_equal(v->e[VD_END_FRONTEND].path, FE);
	assert_string_equal(v->e[VD_END_BACKEND].path, BE);
	assert_int_equal(v->be_domid, 0);
	assert_int_equal(v->e[VD_END_BACKEND].state, 4);
	assert_int_equal(v->e[VD_END_BACKEND].since_ms, 2150);
	assert_string_equal(v->e[VD_END_BACKEND].set.file, "x.log");
	assert_int_equal(v->e[VD_END_BACKEND].set.line, 8);
	assert_int_equal(v->e[VD_END_BACKEND].set.from, 2);
	assert_int_equal(v->e[VD_END_FRONTEND].since_ms, 2100);
	assert_int_equal(v->e[VD_END_FRONTEND].set.line, 7);
	assert_int_equal(vd_tl_held_ms(&f.tl, &v->e[VD_END_BACKEND]), 61000 - 2150);
	assert_int_equal(v->e[VD_END_FRONTEND].connected, 1);
	assert_int_equal(v->e[VD_END_BACKEND].connected, 1);
	assert_int_equal(v->e[VD_END_FRONTEND].close_cycles, 0);
	assert_int_equal(v->connections, 1);
	assert_int_equal(v->reconnects, 0);
	assert_false(v->stuck);
	assert_null(vd_timeline_find(&f.tl, 1, 1));
	stop(&f);
}

/* The Windows close cycle: the frontend closes and starts again, the device stays. */
static void close_cycle(struct fix *f, int64_t t0)
{
	put(f, t0, FE "/state", "5");
	put(f, t0 + 10, BE "/state", "5");
	put(f, t0 + 20, FE "/state", "6");
	put(f, t0 + 30, BE "/state", "6");
	put(f, t0 + 40, FE "/state", "1");
	put(f, t0 + 50, BE "/state", "2");
	put(f, t0 + 60, FE "/state", "4");
	put(f, t0 + 70, BE "/state", "4");
}

static void test_close_cycles_counted(void **state)
{
	struct fix f;
	const struct vd_tl_vif *v;

	(void)state;
	start(&f, NULL);
	bringup(&f, 1000);
	close_cycle(&f, 5000);
	v = vif(&f);
	assert_int_equal(v->e[VD_END_FRONTEND].close_cycles, 1);
	assert_int_equal(v->e[VD_END_BACKEND].close_cycles, 1);
	close_cycle(&f, 9000);
	finish(&f, 20000);
	v = vif(&f);
	assert_int_equal(v->e[VD_END_FRONTEND].close_cycles, 2);
	assert_int_equal(v->e[VD_END_FRONTEND].connected, 3);
	assert_int_equal(v->e[VD_END_BACKEND].close_cycles, 2);
	assert_int_equal(v->connections, 3);
	assert_int_equal(v->reconnects, 0); /* close cycles are not reconnect loops */
	/* the lines: each close (Connected -> Closing) and each Connected again */
	assert_int_equal(v->e[VD_END_FRONTEND].nmarks, 4);
	assert_int_equal(v->e[VD_END_FRONTEND].marks[0].t_ms, 5000);
	assert_int_equal(v->e[VD_END_FRONTEND].marks[0].from, 4);
	assert_int_equal(v->e[VD_END_FRONTEND].marks[0].to, 5);
	assert_int_equal(v->e[VD_END_FRONTEND].marks[1].t_ms, 5060);
	assert_int_equal(v->e[VD_END_FRONTEND].marks[1].to, 4);
	assert_int_equal(v->e[VD_END_FRONTEND].state, 4);
	assert_int_equal(v->e[VD_END_FRONTEND].since_ms, 9060);
	stop(&f);
}

/* Detach and re-attach: the device is removed in between, no close cycle. */
static void test_reattach_is_a_reconnect(void **state)
{
	struct fix f;
	const struct vd_tl_vif *v;

	(void)state;
	start(&f, NULL);
	bringup(&f, 1000);
	for (int i = 1; i <= 2; i++) {
		int64_t t = 10000 * i;

		put(&f, t, BE "/online", "0");
		put(&f, t + 10, BE "/state", "5");
		put(&f, t + 20, FE "/state", "6");
		put(&f, t + 30, BE "/state", "6");
		rm(&f, t + 40, FE);
		rm(&f, t + 50, BE);
		bringup(&f, t + 1000);
	}
	finish(&f, 40000);
	v = vif(&f);
	assert_int_equal(v->connections, 3);
	assert_int_equal(v->reconnects, 2);
	assert_int_equal(v->e[VD_END_FRONTEND].close_cycles, 0);
	assert_int_equal(v->e[VD_END_BACKEND].close_cycles, 0);
	assert_int_equal(v->e[VD_END_FRONTEND].connected, 3);
	assert_true(v->e[VD_END_FRONTEND].present);
	/* the removals and the connections after them, as log lines */
	assert_true(v->nrmarks >= 2);
	assert_int_equal(v->rmarks[0].to, -1);
	assert_string_equal(v->rmarks[0].file, "x.log");
	stop(&f);
}

/* An end that falls back into the handshake without closing is a reconnect too. */
static void test_drop_without_close(void **state)
{
	struct fix f;
	const struct vd_tl_vif *v;

	(void)state;
	start(&f, NULL);
	bringup(&f, 1000);
	put(&f, 5000, FE "/state", "1");
	put(&f, 5100, FE "/state", "4");
	finish(&f, 6000);
	v = vif(&f);
	assert_int_equal(v->reconnects, 1);
	assert_int_equal(v->connections, 2);
	assert_int_equal(v->e[VD_END_FRONTEND].close_cycles, 0);
	assert_int_equal(v->nrmarks, 2);
	assert_int_equal(v->rmarks[0].from, 4);
	assert_int_equal(v->rmarks[0].to, 1);
	stop(&f);
}

/* The hotplug script never reports: stuck from InitWait until the log's last line. */
static void test_stuck_at_the_end(void **state)
{
	struct fix f;
	const struct vd_tl_vif *v;

	(void)state;
	start(&f, NULL);
	put(&f, 1000, FE "/backend", BE);
	put(&f, 1000, FE "/state", "1");
	put(&f, 1000, BE "/frontend", FE);
	put(&f, 1000, BE "/state", "1");
	put(&f, 1000, BE "/hotplug-status", "");
	put(&f, 1300, BE "/state", "2");
	finish(&f, 1300 + 12 * 60000);
	v = vif(&f);
	assert_true(v->stuck);
	assert_int_equal(v->stall, VD_STALL_HOTPLUG);
	assert_int_equal(v->stall_end, VD_END_BACKEND);
	assert_int_equal(v->stall_threshold_ms, 40000);
	assert_int_equal(v->stall_anchor_ms, 1300);
	stop(&f);

	/* the same, but the script reports after the stall: no longer stuck at the end */
	start(&f, NULL);
	put(&f, 1000, BE "/frontend", FE);
	put(&f, 1000, BE "/hotplug-status", "");
	put(&f, 1300, BE "/state", "2");
	put(&f, 60000, BE "/hotplug-status", "connected");
	put(&f, 60000, FE "/backend", BE);
	put(&f, 60000, FE "/state", "4");
	put(&f, 60100, BE "/state", "4");
	finish(&f, 120000);
	v = vif(&f);
	assert_true(v->has_stall);
	assert_false(v->stuck);
	stop(&f);
}

/* --stall thresholds apply: initwait 2 s. */
static void test_stall_threshold_option(void **state)
{
	long opt[VD_STALL_N] = { 2000, -1, -1, -1 };
	struct fix f;
	const struct vd_tl_vif *v;

	(void)state;
	start(&f, opt);
	put(&f, 1000, BE "/frontend", FE);
	put(&f, 1000, BE "/state", "1");
	finish(&f, 3500);
	v = vif(&f);
	assert_true(v->stuck);
	assert_int_equal(v->stall, VD_STALL_INITWAIT);
	assert_int_equal(v->stall_threshold_ms, 2000);
	stop(&f);
}

static void test_duration_text(void **state)
{
	char b[48];

	(void)state;
	assert_string_equal(vd_duration_text(850, b, sizeof(b)), "850 ms");
	assert_string_equal(vd_duration_text(45999, b, sizeof(b)), "45 s");
	assert_string_equal(vd_duration_text(12 * 60000 + 3000, b, sizeof(b)), "12 min 3 s");
	assert_string_equal(vd_duration_text(2 * 3600000 + 5 * 60000, b, sizeof(b)), "2 h 5 min");
	assert_string_equal(vd_duration_text(3 * 86400000LL + 4 * 3600000, b, sizeof(b)),
			    "3 d 4 h");
	assert_string_equal(vd_duration_text(-1, b, sizeof(b)), "an unknown time");
}

/* check --for: what the watch's silent first read found seeds the timeline, so the
 * first close cycle of a VIF found Connected counts, and a VIF that never changes has its
 * state, held since at least the start. */
static void test_seed_from_a_watch(void **state)
{
	struct fix f;
	const struct vd_tl_vif *v;

	(void)state;
	start(&f, NULL);
	vd_tracker_set_quiet(f.t, true);
	bringup(&f, 1000);
	vd_tracker_set_quiet(f.t, false);
	assert_int_equal(f.tl.n, 0); /* quiet: no event */
	vd_timeline_seed(&f.tl, f.t, 2000);
	assert_int_equal(f.tl.source, VD_TL_WATCH);
	assert_int_equal(f.tl.first_ms, 2000);
	v = vif(&f);
	assert_true(v->e[VD_END_BACKEND].found);
	assert_int_equal(v->e[VD_END_BACKEND].state, 4);
	assert_int_equal(v->e[VD_END_BACKEND].since_ms, 2000);
	assert_string_equal(v->e[VD_END_BACKEND].path, BE);
	assert_int_equal(v->phase, VD_TL_UP);
	close_cycle(&f, 5000);
	finish(&f, 9000);
	assert_int_equal(f.tl.first_ms, 2000); /* the watch's start, not finish's */
	v = vif(&f);
	assert_int_equal(v->e[VD_END_FRONTEND].close_cycles, 1);
	assert_false(v->e[VD_END_FRONTEND].found);
	assert_int_equal(v->e[VD_END_FRONTEND].since_ms, 5060);
	assert_int_equal(v->connections, 1);
	stop(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bringup_since_and_line),
		cmocka_unit_test(test_close_cycles_counted),
		cmocka_unit_test(test_reattach_is_a_reconnect),
		cmocka_unit_test(test_drop_without_close),
		cmocka_unit_test(test_stuck_at_the_end),
		cmocka_unit_test(test_stall_threshold_option),
		cmocka_unit_test(test_duration_text),
		cmocka_unit_test(test_seed_from_a_watch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
