// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The daemon-log parser (oxenstored access log, C xenstored trace in every format) fed
 * random lines, as `vifdiag log` runs it: parser -> event tracker -> event renderer, with
 * --stats on odd first bytes. The NDJSON stays valid and the text holds no raw control
 * byte, whatever the lines held.
 */
#include "../fuzz.h"
#include "vd_event.h"
#include "vd_log.h"
#include "vd_render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct ctx {
	const struct vd_ev_renderer *rd;
	struct vd_evout *out;
	struct vd_tracker *t;
	int64_t last_ms;
};

static void on_event(const struct vd_event *ev, void *arg)
{
	struct ctx *c = arg;

	c->rd->event(c->out, ev);
}

static void on_record(const struct vd_logrec *r, void *arg)
{
	struct ctx *c = arg;

	FUZZ_ASSERT(r->path && r->path[0] == '/');
	FUZZ_ASSERT(r->op != VD_REC_WRITE || r->value);
	if (!c->t)
		return;
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
	FUZZ_ASSERT(what && what[0]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool stats = size && (data[0] & 1), json = size && (data[0] & 2);
	struct fuzz_out out, err;
	struct vd_opts o = { .json = json, .color = VD_COLOR_NEVER };
	struct ctx c = { .last_ms = -1 };
	struct vd_logparser *p;
	struct vd_logcounts n;
	int64_t thr[VD_STALL_N];
	long stall[VD_STALL_N] = { -1, -1, -1, -1 };
	unsigned long lineno = 0;
	size_t st = 0;

	fuzz_out_open(&out);
	fuzz_out_open(&err);
	o.out = out.f;
	o.err = err.f;
	c.rd = vd_ev_renderer_for(&o);
	c.out = c.rd->open(&o, !json);
	vd_stall_resolve(stall, thr);
	if (!stats)
		c.t = vd_tracker_new(thr, on_event, &c);
	p = vd_logparser_new(on_record, on_bad, &c, stats);
	for (size_t i = 0; i <= size; i++) {
		if (i < size && data[i] != '\n')
			continue;
		vd_logparser_line(p, (const char *)data + st, i - st, "f", ++lineno);
		if (lineno % 64 == 0)
			vd_logparser_flush(p, false); /* a paused follow */
		st = i + 1;
	}
	vd_logparser_flush(p, true);
	vd_logparser_counts(p, &n);
	FUZZ_ASSERT(n.malformed <= n.lines && n.lines <= lineno);
	if (c.t && n.last_ms > c.last_ms)
		vd_tracker_tick(c.t, n.last_ms);
	if (stats) {
		struct vd_connstat *cs;
		size_t k = vd_logparser_stats(p, &cs);

		c.rd->stats(c.out, cs, k, &n);
		free(cs);
	}
	FUZZ_ASSERT(c.rd->close(c.out) == 0);
	fflush(out.f);
	if (json)
		FUZZ_ASSERT(fuzz_ndjson_valid(out.buf, out.len));
	else
		FUZZ_ASSERT(fuzz_text_safe(out.buf, out.len));
	vd_logparser_free(p);
	vd_tracker_free(c.t);
	fuzz_out_close(&out);
	fuzz_out_close(&err);
	return 0;
}
