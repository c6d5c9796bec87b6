// SPDX-License-Identifier: GPL-2.0-or-later
/* The change tracker shared by watch and log: transitions, durations, spurious updates,
 * appearance and removal, hotplug, queues, error nodes, stalls, live re-read sync. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vd_event.h"
#include "vd_opts.h"
#include "vd_render.h"
#include "vd_util.h"

#define FE "/local/domain/1/device/vif/0"
#define BE "/local/domain/0/backend/vif/1/0"

struct got {
	enum vd_ev_kind kind;
	enum vd_ev_end end;
	unsigned long domid, devid;
	long from, to, fe, be, queues, max_queues;
	int64_t t, in_prev, stuck;
	enum vd_stall stall;
	enum vd_writer writer;
	char value[64], detail[64];
	bool gap;
};

struct rec {
	struct got ev[64];
	size_t n;
};

static void collect(const struct vd_event *ev, void *arg)
{
	struct rec *r = arg;
	struct got *g;

	assert_true(r->n < 64);
	g = &r->ev[r->n++];
	memset(g, 0, sizeof(*g));
	g->kind = ev->kind;
	g->end = ev->end;
	g->domid = ev->domid;
	g->devid = ev->devid;
	g->from = ev->from;
	g->to = ev->to;
	g->fe = ev->fe_state;
	g->be = ev->be_state;
	g->queues = ev->queues;
	g->max_queues = ev->max_queues;
	g->t = ev->t_ms;
	g->in_prev = ev->in_prev_ms;
	g->stuck = ev->stuck_ms;
	g->stall = ev->stall;
	g->writer = ev->writer;
	g->gap = ev->during_gap;
	if (ev->value)
		snprintf(g->value, sizeof(g->value), "%.*s", (int)ev->value_len, ev->value);
	if (ev->detail)
		snprintf(g->detail, sizeof(g->detail), "%.*s", (int)ev->detail_len, ev->detail);
}

static struct vd_tracker *tracker(struct rec *r, const long *opt)
{
	int64_t thr[VD_STALL_N];

	memset(r, 0, sizeof(*r));
	vd_stall_resolve(opt, thr);
	return vd_tracker_new(thr, collect, r);
}

static void put(struct vd_tracker *t, int64_t ms, const char *path, const char *v)
{
	vd_tracker_put(t, ms, path, v, v ? strlen(v) : 0, NULL);
}

/* libxl creates both ends (one transaction), then netback, netfront, the script. */
static void bringup(struct vd_tracker *t)
{
	put(t, 1000, FE "/backend", BE);
	put(t, 1000, FE "/state", "1");
	put(t, 1000, BE "/frontend", FE);
	put(t, 1000, BE "/state", "1");
	put(t, 1000, BE "/hotplug-status", "");
	put(t, 1250, BE "/multi-queue-max-queues", "2");
	put(t, 1300, BE "/state", "2");
	put(t, 1800, BE "/hotplug-status", "connected");
	put(t, 2000, FE "/multi-queue-num-queues", "2");
	put(t, 2100, FE "/state", "4");
	put(t, 2150, BE "/state", "4");
}

static void test_bringup_transitions(void **state)
{
	struct rec r;
	struct vd_tracker *t = tracker(&r, NULL);

	bringup(t);
	assert_int_equal(r.n, 9);
	assert_int_equal(r.ev[0].kind, VD_EV_APPEARED);
	assert_int_equal(r.ev[0].end, VD_END_FRONTEND);
	assert_int_equal(r.ev[1].kind, VD_EV_STATE);
	assert_int_equal(r.ev[1].from, -1);
	assert_int_equal(r.ev[1].to, 1);
	assert_int_equal(r.ev[1].in_prev, -1);
	assert_int_equal(r.ev[2].kind, VD_EV_APPEARED);
	assert_int_equal(r.ev[2].end, VD_END_BACKEND);
	/* (1,1) -> (1,2) after 300 ms in Initialising */
	assert_int_equal(r.ev[4].kind, VD_EV_STATE);
	assert_int_equal(r.ev[4].from, 1);
	assert_int_equal(r.ev[4].to, 2);
	assert_int_equal(r.ev[4].in_prev, 300);
	assert_int_equal(r.ev[4].fe, 1);
	assert_int_equal(r.ev[4].be, 2);
	assert_int_equal(r.ev[5].kind, VD_EV_HOTPLUG);
	assert_string_equal(r.ev[5].value, "connected");
	assert_int_equal(r.ev[6].kind, VD_EV_QUEUES);
	assert_int_equal(r.ev[6].queues, 2);
	assert_int_equal(r.ev[6].max_queues, 2);
	assert_int_equal(r.ev[7].to, 4);
	assert_int_equal(r.ev[7].in_prev, 1100);
	assert_int_equal(r.ev[8].end, VD_END_BACKEND);
	assert_int_equal(r.ev[8].from, 2);
	assert_int_equal(r.ev[8].in_prev, 850);
	assert_int_equal(r.ev[8].fe, 4);
	assert_int_equal(r.ev[8].be, 4);
	vd_tracker_free(t);
}

static void test_spurious_and_repeats(void **state)
{
	struct rec r;
	struct vd_tracker *t = tracker(&r, NULL);

	bringup(t);
	r.n = 0;
	put(t, 3000, FE "/state", "4");
	put(t, 3000, BE "/hotplug-status", "connected");
	put(t, 3000, FE "/multi-queue-num-queues", "2");
	put(t, 3000, FE "/queue-0/tx-ring-ref", "8");
	put(t, 3000, "/local/domain/1/memory/target", "1");
	put(t, 3000, "/local/domain/1/device/vif/x/state", "4"); /* not a VIF path */
	put(t, 3000, "/local/domain/01/device/vif/0/state", "4");
	vd_tracker_rm(t, 3000, "/local/domain/1/device/vif/0/nothing", NULL);
	assert_int_equal(r.n, 0);
	vd_tracker_free(t);
}

static void test_teardown_and_vanish(void **state)
{
	struct rec r;
	struct vd_tracker *t = tracker(&r, NULL);

	bringup(t);
	r.n = 0;
	put(t, 5000, BE "/state", "5");
	put(t, 5010, FE "/state", "6");
	put(t, 5020, BE "/state", "6");
	vd_tracker_rm(t, 5030, BE "/hotplug-status", NULL);
	vd_tracker_rm(t, 7000, "/local/domain/1", NULL); /* the whole guest */
	vd_tracker_rm(t, 7100, "/local/domain/0/backend/vif", NULL);
	assert_int_equal(r.n, 6);
	assert_int_equal(r.ev[0].to, 5);
	assert_int_equal(r.ev[0].in_prev, 2850);
	assert_int_equal(r.ev[1].to, 6);
	assert_int_equal(r.ev[3].kind, VD_EV_HOTPLUG);
	assert_string_equal(r.ev[3].value, "");
	assert_int_equal(r.ev[4].kind, VD_EV_VANISHED);
	assert_int_equal(r.ev[4].end, VD_END_FRONTEND);
	assert_int_equal(r.ev[4].from, 6);
	assert_int_equal(r.ev[4].fe, -1);
	assert_int_equal(r.ev[5].kind, VD_EV_VANISHED);
	assert_int_equal(r.ev[5].end, VD_END_BACKEND);
	assert_int_equal(r.ev[5].in_prev, 2080);
	/* a re-attach after removal is an appearance again */
	r.n = 0;
	put(t, 8000, FE "/state", "1");
	assert_int_equal(r.ev[0].kind, VD_EV_APPEARED);
	vd_tracker_free(t);
}

/* A log that starts mid-life: the first write is not a creation, the old state unknown. */
static void test_found_midlife(void **state)
{
	struct rec r;
	struct vd_tracker *t = tracker(&r, NULL);

	put(t, 1000, BE "/state", "5");
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].kind, VD_EV_STATE);
	assert_int_equal(r.ev[0].from, -3);
	assert_int_equal(r.ev[0].in_prev, -1);
	vd_tracker_free(t);
}

static void test_invalid_state_value(void **state)
{
	struct rec r;
	struct vd_tracker *t = tracker(&r, NULL);

	put(t, 1000, FE "/backend", BE);
	put(t, 1100, FE "/state", "4\033[2J");
	put(t, 1200, FE "/state", "4\033[2J");
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[1].to, -2);
	put(t, 1300, FE "/state", "4");
	assert_int_equal(r.ev[2].from, -2);
	assert_int_equal(r.ev[2].to, 4);
	vd_tracker_free(t);
}

static void test_hotplug_error_and_error_node(void **state)
{
	struct rec r;
	struct vd_tracker *t = tracker(&r, NULL);

	put(t, 1000, BE "/frontend", FE);
	put(t, 1000, BE "/hotplug-status", "");
	put(t, 1500, BE "/hotplug-error", "Could not find bridge device nosuchbr0");
	put(t, 1500, BE "/hotplug-status", "error");
	put(t, 1600, "/local/domain/0/error/backend/vif/1/0/error",
	    "22 guest requested 9 queues, but valid range is 1 - 8.");
	put(t, 1700, "/local/domain/0/error/backend/vif/1/0/error",
	    "22 guest requested 9 queues, but valid range is 1 - 8.");
	assert_int_equal(r.n, 3);
	assert_int_equal(r.ev[1].kind, VD_EV_HOTPLUG);
	assert_string_equal(r.ev[1].value, "error");
	assert_string_equal(r.ev[1].detail, "Could not find bridge device nosuchbr0");
	assert_int_equal(r.ev[2].kind, VD_EV_ERROR);
	assert_int_equal(r.ev[2].end, VD_END_BACKEND);
	assert_string_equal(r.ev[2].value,
			    "22 guest requested 9 queues, but valid range is 1 - 8.");
	assert_int_equal(vd_tracker_problems(t), 2);
	vd_tracker_free(t);
}

static void test_writer_attribution(void **state)
{
	struct rec r;
	struct vd_tracker *t = tracker(&r, NULL);
	struct vd_origin ts = { .conn = "A3", .conn_domid = -1 };
	struct vd_origin d0 = { .conn = "D0", .kernel = true, .conn_domid = 0 };
	struct vd_origin d1 = { .conn = "D1", .kernel = true, .conn_domid = 1 };
	struct vd_origin d7 = { .conn = "D7", .kernel = true, .conn_domid = 7 };

	vd_tracker_put(t, 1, BE "/frontend", FE, strlen(FE), &ts);
	vd_tracker_put(t, 2, BE "/state", "2", 1, &d0);
	vd_tracker_put(t, 3, FE "/backend", BE, strlen(BE), &d0);
	vd_tracker_put(t, 4, FE "/state", "4", 1, &d1);
	vd_tracker_put(t, 5, FE "/state", "5", 1, &d7);
	assert_int_equal(r.ev[0].writer, VD_WRITER_TOOLSTACK);
	assert_int_equal(r.ev[1].writer, VD_WRITER_BACKEND_KERNEL);
	assert_int_equal(r.ev[2].writer, VD_WRITER_TOOLSTACK); /* dom0 writing a frontend */
	assert_int_equal(r.ev[3].writer, VD_WRITER_GUEST_KERNEL);
	assert_int_equal(r.ev[4].writer, VD_WRITER_UNKNOWN);
	vd_tracker_free(t);
}

static size_t count(const struct rec *r, enum vd_ev_kind k)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++)
		n += r->ev[i].kind == k;
	return n;
}

static void test_stall_initwait(void **state)
{
	struct rec r;
	struct vd_tracker *t = tracker(&r, NULL);

	put(t, 1000, BE "/frontend", FE);
	put(t, 1000, BE "/state", "1");
	assert_int_equal(vd_tracker_tick(t, 5000), 11000);
	assert_int_equal(count(&r, VD_EV_STALL), 0);
	assert_int_equal(vd_tracker_tick(t, 11000), INT64_MAX);
	assert_int_equal(count(&r, VD_EV_STALL), 1);
	assert_int_equal(r.ev[r.n - 1].stall, VD_STALL_INITWAIT);
	assert_int_equal(r.ev[r.n - 1].t, 11000);
	assert_int_equal(r.ev[r.n - 1].stuck, 10000);
	assert_int_equal(r.ev[r.n - 1].end, VD_END_BACKEND);
	vd_tracker_tick(t, 50000); /* once per episode */
	assert_int_equal(count(&r, VD_EV_STALL), 1);
	vd_tracker_free(t);
}

static void test_stall_hotplug_then_clears(void **state)
{
	struct rec r;
	struct vd_tracker *t = tracker(&r, NULL);

	put(t, 1000, BE "/frontend", FE);
	put(t, 1000, BE "/hotplug-status", "");
	put(t, 2000, BE "/state", "2");
	vd_tracker_tick(t, 41999);
	assert_int_equal(count(&r, VD_EV_STALL), 0);
	vd_tracker_tick(t, 42000);
	assert_int_equal(count(&r, VD_EV_STALL), 1);
	assert_int_equal(r.ev[r.n - 1].stall, VD_STALL_HOTPLUG);
	/* the script finishes late: connect is the next deadline, from then on */
	put(t, 45000, BE "/hotplug-status", "connected");
	put(t, 45000, FE "/backend", BE);
	put(t, 45000, FE "/state", "1");
	assert_int_equal(vd_tracker_tick(t, 45001), 75000);
	vd_tracker_free(t);
}

static void test_stall_connect_and_close(void **state)
{
	long opt[VD_STALL_N] = { -1, -1, 1500, 0 }; /* connect 1.5 s, close off */
	struct rec r;
	struct vd_tracker *t = tracker(&r, opt);

	bringup(t);
	vd_tracker_tick(t, 100000);
	assert_int_equal(count(&r, VD_EV_STALL), 0); /* connected in time */
	put(t, 200000, FE "/state", "5");
	assert_int_equal(vd_tracker_tick(t, 300000), INT64_MAX); /* close is off */
	assert_int_equal(count(&r, VD_EV_STALL), 0);
	vd_tracker_free(t);

	t = tracker(&r, opt);
	put(t, 0, FE "/backend", BE);
	put(t, 0, FE "/state", "1");
	put(t, 0, BE "/frontend", FE);
	put(t, 0, BE "/state", "2");
	put(t, 500, BE "/hotplug-status", "connected");
	vd_tracker_tick(t, 1999);
	assert_int_equal(count(&r, VD_EV_STALL), 0);
	vd_tracker_tick(t, 2000);
	assert_int_equal(count(&r, VD_EV_STALL), 1);
	assert_int_equal(r.ev[r.n - 1].stall, VD_STALL_CONNECT);
	assert_int_equal(r.ev[r.n - 1].end, VD_END_FRONTEND);
	assert_int_equal(r.ev[r.n - 1].to, 1);
	vd_tracker_free(t);

	t = tracker(&r, NULL);
	bringup(t);
	put(t, 10000, BE "/state", "5");
	vd_tracker_tick(t, 20000);
	assert_int_equal(count(&r, VD_EV_STALL), 1);
	assert_int_equal(r.ev[r.n - 1].stall, VD_STALL_CLOSE);
	vd_tracker_free(t);
}

static void test_pause_stalls(void **state)
{
	struct rec r;
	struct vd_tracker *t = tracker(&r, NULL);

	put(t, 0, BE "/frontend", FE);
	vd_tracker_pause_stalls(t, true);
	assert_int_equal(vd_tracker_tick(t, 100000), INT64_MAX);
	vd_tracker_pause_stalls(t, false);
	vd_tracker_tick(t, 100000);
	assert_int_equal(count(&r, VD_EV_STALL), 1);
	vd_tracker_free(t);
}

static struct vd_snap *snap_of(const char *const *kv)
{
	struct vd_snap *s = vd_snap_new();

	for (size_t i = 0; kv[i]; i += 2)
		vd_snap_put(s, kv[i], kv[i + 1], strlen(kv[i + 1]));
	return s;
}

static void test_sync_quiet_then_diff(void **state)
{
	static const char *const before[] = {
		FE,
		"",
		FE "/state",
		"4",
		FE "/multi-queue-num-queues",
		"2",
		BE,
		"",
		BE "/state",
		"4",
		BE "/hotplug-status",
		"connected",
		"/local/domain/1/name",
		"web1",
		NULL,
	};
	static const char *const after[] = {
		FE,
		"",
		FE "/state",
		"4",
		FE "/multi-queue-num-queues",
		"2",
		BE,
		"",
		BE "/state",
		"5",
		BE "/hotplug-status",
		"connected",
		"/local/domain/0/error/backend/vif/1/0/error",
		"12 mapping shared-frames",
		NULL,
	};
	struct rec r;
	struct vd_tracker *t = tracker(&r, NULL);
	struct vd_snap *s = snap_of(before);
	struct vd_vif_summary sum;

	vd_tracker_set_quiet(t, true);
	vd_tracker_sync(t, 1000, "/local/domain", s);
	vd_tracker_set_quiet(t, false);
	vd_snap_free(s);
	assert_int_equal(r.n, 0);
	assert_int_equal(vd_tracker_nvifs(t), 1);
	vd_tracker_vif(t, 0, &sum);
	assert_string_equal(sum.name, "web1");
	assert_int_equal(sum.fe_state, 4);
	assert_int_equal(sum.fe_since, -1); /* found, not seen changing */

	s = snap_of(after);
	vd_tracker_set_gap(t, true);
	vd_tracker_sync(t, 2000, "/local/domain", s);
	assert_int_equal(r.n, 2); /* in path order: backend, then the error tree */
	assert_int_equal(r.ev[0].kind, VD_EV_STATE);
	assert_int_equal(r.ev[0].from, 4);
	assert_int_equal(r.ev[0].to, 5);
	assert_int_equal(r.ev[0].in_prev, -1);
	assert_true(r.ev[0].gap);
	assert_int_equal(r.ev[1].kind, VD_EV_ERROR);
	vd_tracker_set_gap(t, false);
	vd_snap_free(s);

	/* a re-read of the frontend alone finds it gone */
	s = vd_snap_new();
	vd_tracker_sync(t, 3000, FE "/state", s);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.ev[2].kind, VD_EV_VANISHED);
	assert_int_equal(r.ev[2].end, VD_END_FRONTEND);
	vd_snap_free(s);
	vd_tracker_free(t);
}

static void test_filter_and_selection(void **state)
{
	static const char *const args[] = { "web1", "2/1", "7" };
	struct vd_vifsel sel;
	struct vd_err err;
	struct rec r;
	struct vd_tracker *t = tracker(&r, NULL);

	vd_err_clear(&err);
	assert_int_equal(vd_vifsel_parse(&sel, args, 3, true, &err), 0);
	assert_true(vd_vifsel_match(5, 0, "web1", &sel));
	assert_false(vd_vifsel_match(5, 0, NULL, &sel));
	assert_true(vd_vifsel_match(2, 1, NULL, &sel));
	assert_false(vd_vifsel_match(2, 0, NULL, &sel));
	assert_true(vd_vifsel_match(7, 3, "x", &sel));
	vd_tracker_set_filter(t, vd_vifsel_match, &sel);
	put(t, 1, "/local/domain/3/name", "web1");
	put(t, 2, "/local/domain/3/device/vif/0/backend", "x");
	put(t, 3, "/local/domain/4/device/vif/0/backend", "x");
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].domid, 3);
	vd_tracker_free(t);
	vd_vifsel_free(&sel);

	static const char *const bad[] = { "1/x" };
	assert_int_equal(vd_vifsel_parse(&sel, bad, 1, true, &err), -1);
	assert_int_equal(err.code, VD_EXIT_USAGE);
	vd_vifsel_free(&sel);
}

static void test_stall_option(void **state)
{
	long ms[VD_STALL_N] = { -1, -1, -1, -1 };
	int64_t thr[VD_STALL_N];
	struct vd_err err;

	vd_err_clear(&err);
	assert_int_equal(vd_stall_parse("hotplug=2.5", ms, &err), 0);
	assert_int_equal(vd_stall_parse("close=0", ms, &err), 0);
	vd_stall_resolve(ms, thr);
	assert_int_equal(thr[VD_STALL_INITWAIT], 10000);
	assert_int_equal(thr[VD_STALL_HOTPLUG], 2500);
	assert_int_equal(thr[VD_STALL_CONNECT], 30000);
	assert_int_equal(thr[VD_STALL_CLOSE], 0);
	assert_int_equal(vd_stall_parse("hotplug", ms, &err), -1);
	assert_int_equal(err.code, VD_EXIT_USAGE);
	vd_err_clear(&err);
	assert_int_equal(vd_stall_parse("hotplugx=1", ms, &err), -1);
	vd_err_clear(&err);
	assert_int_equal(vd_stall_parse("close=-1", ms, &err), -1);
	vd_err_clear(&err);
	assert_int_equal(vd_stall_parse("close=1s", ms, &err), -1);
}

static void test_time_format_and_parse(void **state)
{
	char buf[40];
	int64_t ms;

	assert_string_equal(vd_time_iso(1795580147123LL, buf, sizeof(buf)),
			    "2026-11-25T04:15:47.123Z");
	/* the second's text is kept between calls: the same second, the next, before 1970 */
	assert_string_equal(vd_time_iso(1795580147005LL, buf, sizeof(buf)),
			    "2026-11-25T04:15:47.005Z");
	assert_string_equal(vd_time_iso(1795580148999LL, buf, sizeof(buf)),
			    "2026-11-25T04:15:48.999Z");
	assert_string_equal(vd_time_iso(-1, buf, sizeof(buf)), "1969-12-31T23:59:59.999Z");
	assert_string_equal(vd_time_iso(0, buf, sizeof(buf)), "1970-01-01T00:00:00.000Z");
	assert_string_equal(vd_time_iso(1795580148010LL, buf, 12), "2026-11-25T");
	assert_true(vd_time_parse("2026-11-25T04:15:47.123Z", &ms));
	assert_int_equal(ms, 1795580147123LL);
	assert_true(vd_time_parse("2026-11-25T05:15:47+01:00", &ms));
	assert_int_equal(ms, 1795580147000LL);
	assert_true(vd_time_parse("@1795580147.5", &ms));
	assert_int_equal(ms, 1795580147500LL);
	setenv("TZ", "UTC", 1);
	assert_true(vd_time_parse("2026-11-25 04:15:47", &ms));
	assert_int_equal(ms, 1795580147000LL);
	assert_false(vd_time_parse("2026-13-25T04:15:47Z", &ms));
	assert_false(vd_time_parse("2026-11-25T04:15Z", &ms));
	assert_false(vd_time_parse("yesterday", &ms));
	assert_false(vd_time_parse("2026-11-25T04:15:47Zjunk", &ms));
}

struct stall_count {
	unsigned long stalls, vanished;
	int64_t last_t;
	bool ordered;
};

static void count_events(const struct vd_event *ev, void *arg)
{
	struct stall_count *c = arg;

	if (ev->kind != VD_EV_STALL) {
		c->vanished += ev->kind == VD_EV_VANISHED;
		return;
	}
	c->stalls++;
	c->ordered = c->ordered && ev->t_ms >= c->last_t;
	c->last_t = ev->t_ms;
}

/*
 * Per-record work is independent of the number of VIFs (issue 16 #4, the scale issue):
 * 4000 VIFs come up one after another, every tenth stays in Initialising and stalls 10 s
 * later while the others go on, fed and ticked record by record like `vifdiag log` does.
 * The stalls come in time order, and the comparisons stay a small multiple of the records
 * (a scan of every VIF per record made n^2).
 */
static void test_tracker_scales(void **state)
{
	const unsigned long n = 4000;
	int64_t thr[VD_STALL_N];
	const long none[VD_STALL_N] = { -1, -1, -1, -1 };
	struct stall_count c = { .ordered = true };
	struct vd_tracker *t;
	unsigned long records = 0, work = vd_work;
	int64_t ms = 0;
	char path[96];

	(void)state;
	vd_stall_resolve(none, thr);
	t = vd_tracker_new(thr, count_events, &c);
	for (unsigned long d = 1; d <= n; d++) {
		/* "-": the guest's /local/domain/<d>, "+": dom0's backend/vif/<d>/0 */
		static const char *const steps[][2] = {
			{ "-name", "guest" },	     { "+state", "1" },
			{ "+state", "2" },	     { "+hotplug-status", "connected" },
			{ "-device/vif/0/state", "4" }, { "+state", "4" },
		};

		for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
			if (d % 10 == 0 && k >= 2)
				break;
			if (steps[k][0][0] == '-')
				snprintf(path, sizeof(path), "/local/domain/%lu/%s", d,
					 steps[k][0] + 1);
			else
				snprintf(path, sizeof(path), "/local/domain/0/backend/vif/%lu/0/%s",
					 d, steps[k][0] + 1);
			ms += 2;
			vd_tracker_tick(t, ms);
			vd_tracker_put(t, ms, path, steps[k][1], strlen(steps[k][1]), NULL);
			records++;
		}
		if (d % 10 == 0)
			continue;
		/* and the healthy ones go away again: removals touch one domain's VIFs */
		snprintf(path, sizeof(path), "/local/domain/0/backend/vif/%lu/0", d);
		vd_tracker_rm(t, ms, path, NULL);
		snprintf(path, sizeof(path), "/local/domain/%lu/device/vif/0", d);
		vd_tracker_rm(t, ms, path, NULL);
		records += 2;
	}
	vd_tracker_tick(t, ms + thr[VD_STALL_INITWAIT]);
	work = vd_work - work;
	assert_int_equal(vd_tracker_nvifs(t), n);
	assert_int_equal(c.stalls, n / 10);
	assert_true(c.ordered);
	assert_int_equal(c.vanished, 2 * (n - n / 10));
	vd_tracker_free(t);
	if (work > 64 * records)
		fail_msg("%lu comparisons for %lu records", work, records);
}

struct render_ctx {
	const struct vd_ev_renderer *rd;
	struct vd_evout *out;
};

static void render_one(const struct vd_event *ev, void *arg)
{
	struct render_ctx *c = arg;

	c->rd->event(c->out, ev);
}

/* log's grouped text of 300 VIFs brought up and torn down 5 times, newest domains first
 * and named midway, with at most spill bytes of lines in memory: *peak the most held. */
static char *grouped_text(size_t spill, size_t *len, size_t *peak)
{
	struct vd_opts o = { .since_ms = -1, .until_ms = -1 };
	const long none[VD_STALL_N] = { -1, -1, -1, -1 };
	struct render_ctx c = { .rd = &vd_render_events_text };
	size_t saved = vd_evout_spill_bytes;
	int64_t thr[VD_STALL_N], ms = 0;
	struct vd_tracker *t;
	char *text = NULL, path[96];
	FILE *f = open_memstream(&text, len);

	assert_non_null(f);
	o.out = f;
	o.err = stderr;
	vd_evout_spill_bytes = spill;
	c.out = c.rd->open(&o, true);
	vd_stall_resolve(none, thr);
	t = vd_tracker_new(thr, render_one, &c);
	for (int rep = 0; rep < 5; rep++)
		for (unsigned long d = 300; d >= 1; d--) {
			static const char *const steps[][2] = {
				{ "+state", "1" }, { "-device/vif/0/state", "1" },
				{ "+state", "2" }, { "+hotplug-status", "connected" },
				{ "-device/vif/0/state", "4" }, { "+state", "4" },
			};

			if (rep == 2) {
				snprintf(path, sizeof(path), "/local/domain/%lu/name", d);
				put(t, ms, path, "guest");
			}
			for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
				if (steps[k][0][0] == '-')
					snprintf(path, sizeof(path), "/local/domain/%lu/%s", d,
						 steps[k][0] + 1);
				else
					snprintf(path, sizeof(path),
						 "/local/domain/0/backend/vif/%lu/0/%s", d,
						 steps[k][0] + 1);
				ms += 3;
				put(t, ms, path, steps[k][1]);
			}
			snprintf(path, sizeof(path), "/local/domain/0/backend/vif/%lu/0", d);
			vd_tracker_rm(t, ms, path, NULL);
			snprintf(path, sizeof(path), "/local/domain/%lu/device/vif/0", d);
			vd_tracker_rm(t, ms, path, NULL);
		}
	vd_tracker_free(t);
	*peak = vd_evout_held_peak(c.out);
	assert_int_equal(c.rd->close(c.out), 0);
	vd_evout_spill_bytes = saved;
	fclose(f);
	return text;
}

/*
 * Grouped text (log without --follow) holds its lines in bounded memory: spilled to a
 * temporary file and read back at close, the output is byte for byte the one kept in
 * memory, however small the budget.
 */
static void test_grouped_text_spills(void **state)
{
	size_t mlen, slen, mpeak, speak;
	char *mem = grouped_text(SIZE_MAX, &mlen, &mpeak);
	char *spilt = grouped_text(512, &slen, &speak);

	(void)state;
	assert_true(mlen > 200000);
	assert_true(mpeak > 200000); /* nothing spilled: all of it was held */
	assert_true(speak < 512 + 400); /* the budget and one line */
	assert_int_equal(slen, mlen);
	assert_memory_equal(spilt, mem, mlen);
	assert_true(strncmp(mem, "vif 1/0 guest (backend in domain 0)\n  ", 38) == 0);
	assert_non_null(strstr(mem, "\n\nvif 2/0 guest (backend in domain 0)\n  "));
	free(mem);
	free(spilt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bringup_transitions),
		cmocka_unit_test(test_spurious_and_repeats),
		cmocka_unit_test(test_teardown_and_vanish),
		cmocka_unit_test(test_found_midlife),
		cmocka_unit_test(test_invalid_state_value),
		cmocka_unit_test(test_hotplug_error_and_error_node),
		cmocka_unit_test(test_writer_attribution),
		cmocka_unit_test(test_stall_initwait),
		cmocka_unit_test(test_stall_hotplug_then_clears),
		cmocka_unit_test(test_stall_connect_and_close),
		cmocka_unit_test(test_pause_stalls),
		cmocka_unit_test(test_sync_quiet_then_diff),
		cmocka_unit_test(test_filter_and_selection),
		cmocka_unit_test(test_stall_option),
		cmocka_unit_test(test_time_format_and_parse),
		cmocka_unit_test(test_tracker_scales),
		cmocka_unit_test(test_grouped_text_spills),
	};

	return cmocka_run_group_tests_name("events", tests, NULL, NULL);
}
