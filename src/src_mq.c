// SPDX-License-Identifier: GPL-2.0-or-later
/* Multi-queue facts: the backend domain's CPUs, the guest's vCPUs, per-queue load (vd_mq.h). */
#include "vd_mq.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vd_sysfs.h"
#include "vd_util.h"

long vd_cpulist_count(const char *s)
{
	long n = 0;

	if (!s || !*s)
		return -1;
	while (*s) {
		unsigned long a, b;
		char *end;

		if (*s < '0' || *s > '9')
			return -1;
		a = strtoul(s, &end, 10);
		b = a;
		if (*end == '-') {
			s = end + 1;
			if (*s < '0' || *s > '9')
				return -1;
			b = strtoul(s, &end, 10);
		}
		if (b < a || b - a > 1u << 20)
			return -1;
		n += (long)(b - a + 1);
		s = end;
		if (*s == ',')
			s++;
		else if (*s == '\n' && s[1] == '\0')
			break;
		else if (*s)
			return -1;
	}
	return n;
}

long vd_guest_vcpus(const struct vd_snap *snap, unsigned long domid, long *max)
{
	char *dir = vd_asprintf("/local/domain/%lu/cpu", domid);
	const char **names;
	size_t n = vd_snap_children(snap, dir, &names);
	long online = 0;
	const char *avail;

	*max = (long)n;
	for (size_t i = 0; i < n; i++) {
		const char *a = vd_snap_valuef(snap, "%s/%s/availability", dir, names[i]);

		online += a && strcmp(a, "online") == 0;
	}
	free(names);
	free(dir);
	if (n)
		return online;
	/* older toolstacks: a bitmap of the available vCPUs */
	avail = vd_snap_valuef(snap, "/local/domain/%lu/vcpu_avail", domid);
	if (avail) {
		unsigned long bits;

		if (vd_parse_uint_str(avail, ~0ul, &bits)) {
			*max = __builtin_popcountl(bits);
			return *max;
		}
	}
	*max = -1;
	return -1;
}

static char *read_small(const char *path)
{
	FILE *f = fopen(path, "re");
	char buf[4096];
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return vd_strdup(buf);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
	struct timespec t = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&t, &t) < 0 && errno == EINTR)
		;
}

static unsigned long long count_of(const struct vd_irqs *irqs, const char *nd, unsigned long q,
				   enum vd_irq_dir d)
{
	const struct vd_irq_line *l = vd_irq_find(irqs, nd, q, d);

	return l ? l->total : 0;
}

/* "vif1.0-q0-tx irq 47: CPU0 4 CPU1 0" for each line of one queue */
static char *describe(const struct vd_irqs *irqs, const char *nd, unsigned long q)
{
	struct vd_buf b;

	vd_buf_init(&b);
	for (int d = VD_IRQ_TX; d <= VD_IRQ_BOTH; d++) {
		const struct vd_irq_line *l = vd_irq_find(irqs, nd, q, (enum vd_irq_dir)d);

		if (!l)
			continue;
		vd_buf_addf(&b, "%s%s-q%lu%s%s irq %lu:", b.len ? "; " : "", nd, q,
			    d == VD_IRQ_BOTH ? "" : "-",
			    d == VD_IRQ_BOTH ? "" : vd_irq_dir_name(l->dir), l->irq);
		for (size_t c = 0; c < irqs->ncpus; c++)
			vd_buf_addf(&b, " CPU%ld %llu", irqs->cpu[c], l->count[c]);
	}
	return vd_buf_steal(&b);
}

/* The interrupt side of ld: per queue events, in the window or since boot. */
static void load_of(struct vd_mq *mq, struct vd_qload *ld, const char *nd)
{
	const struct vd_irqs *a = mq->irq[0], *b = mq->irq[1];
	unsigned long nq = vd_irq_nqueues(a, nd);

	ld->netdev = nd;
	ld->window = b != NULL;
	ld->secs = mq->secs;
	ld->irq = nq > 0;
	ld->q = vd_calloc(nq ? nq : 1, sizeof(*ld->q));
	ld->nq = nq;
	for (unsigned long q = 0; q < nq; q++) {
		struct vd_qrate *r = &ld->q[q];
		unsigned long long t0 = count_of(a, nd, q, VD_IRQ_TX),
				   r0 = count_of(a, nd, q, VD_IRQ_RX),
				   s0 = count_of(a, nd, q, VD_IRQ_BOTH);
		const struct vd_irqs *last = b ? b : a;

		r->queue = q;
		r->seen = vd_irq_find(a, nd, q, VD_IRQ_TX) || vd_irq_find(a, nd, q, VD_IRQ_RX) ||
			  vd_irq_find(a, nd, q, VD_IRQ_BOTH);
		r->tx = t0;
		r->rx = r0;
		r->both = s0;
		if (b) {
			/* a counter that went down: the queue was torn down and set up again */
			unsigned long long t1 = count_of(b, nd, q, VD_IRQ_TX),
					   r1 = count_of(b, nd, q, VD_IRQ_RX),
					   s1 = count_of(b, nd, q, VD_IRQ_BOTH);

			r->tx = t1 >= t0 ? t1 - t0 : t1;
			r->rx = r1 >= r0 ? r1 - r0 : r1;
			r->both = s1 >= s0 ? s1 - s0 : s1;
		}
		r->events = r->tx + r->rx + r->both;
		r->per_sec = b && mq->secs > 0 ? (double)r->events / mq->secs : 0;
		r->lines = describe(last, nd, q);
		ld->total += r->events;
	}
}

static const struct vd_ioring *ring_of(const struct vd_nbdebug *d, unsigned long id)
{
	for (size_t i = 0; d && i < d->nrings; i++)
		if (d->rings[i].id == id)
			return &d->rings[i];
	return NULL;
}

static unsigned long rings_end(const struct vd_nbdebug *d)
{
	return d && d->nrings ? d->rings[d->nrings - 1].id + 1 : 0; /* sorted by id */
}

/* b - a of one side; false when an index went back (more than half the u32 space) */
static bool side_delta(const struct vd_ring_side *a, const struct vd_ring_side *b,
		       struct vd_ring_delta *d)
{
	d->req_prod = b->req_prod - a->req_prod; /* RING_IDX is u32: wraps by design */
	d->req_cons = b->req_cons - a->req_cons;
	d->rsp_prod = b->rsp_prod - a->rsp_prod;
	return a->nr_ents == b->nr_ents && d->req_prod < 0x80000000u && d->req_cons < 0x80000000u &&
	       d->rsp_prod < 0x80000000u;
}

static void side_text(struct vd_buf *t, const char *name, const struct vd_ring_side *a,
		      const struct vd_ring_side *b)
{
	vd_buf_addf(t, "%s req prod %u -> %u, cons %u -> %u, rsp prod %u -> %u", name, a->req_prod,
		    b->req_prod, a->req_cons, b->req_cons, a->rsp_prod, b->rsp_prod);
}

static void ring_delta(struct vd_qring *g, const struct vd_ioring *a, const struct vd_ioring *b,
		       double secs)
{
	struct vd_buf t;

	vd_buf_init(&t);
	if (!a || !b) {
		g->state = a ? VD_RING_VANISHED : VD_RING_NEW;
		vd_buf_adds(&t, a ? "vanished: in the first reading only"
				  : "new: in the second reading only");
	} else if (a->error || b->error) {
		g->state = VD_RING_UNREADABLE;
		vd_buf_adds(&t, a->error ? a->error : b->error);
	} else {
		/* both sides, even when the first says reset */
		bool tx_ok = side_delta(&a->tx, &b->tx, &g->tx);
		bool rx_ok = side_delta(&a->rx, &b->rx, &g->rx);
		bool ok = tx_ok && rx_ok;

		side_text(&t, "TX", &a->tx, &b->tx);
		side_text(&t, "; RX", &a->rx, &b->rx);
		if (!ok) {
			g->state = VD_RING_RESET;
			memset(&g->tx, 0, sizeof(g->tx));
			memset(&g->rx, 0, sizeof(g->rx));
			vd_buf_adds(&t, " (went back: the ring was set up again)");
		} else {
			g->state = VD_RING_OK;
			g->slots = (unsigned long long)g->tx.rsp_prod + g->rx.rsp_prod;
			if (secs > 0) {
				g->tx.per_sec = g->tx.rsp_prod / secs;
				g->rx.per_sec = g->rx.rsp_prod / secs;
				g->per_sec = (double)g->slots / secs;
			}
		}
	}
	g->text = vd_buf_steal(&t);
}

void vd_qload_rings(struct vd_qload *ld, const struct vd_nbdebug *a, const struct vd_nbdebug *b,
		    double secs)
{
	unsigned long n = rings_end(a) > rings_end(b) ? rings_end(a) : rings_end(b);

	if (n > ld->nq) {
		ld->q = vd_realloc(ld->q, n * sizeof(*ld->q));
		memset(&ld->q[ld->nq], 0, (n - ld->nq) * sizeof(*ld->q));
		for (size_t q = ld->nq; q < n; q++)
			ld->q[q].queue = q;
		ld->nq = n;
	}
	ld->ring_dir = a ? a->name : b ? b->name : NULL;
	ld->rings = true;
	ld->secs = secs;
	for (size_t q = 0; q < ld->nq; q++) {
		const struct vd_ioring *ra = ring_of(a, q), *rb = ring_of(b, q);

		if (!ra && !rb)
			continue;
		ring_delta(&ld->q[q].ring, ra, rb, secs);
		ld->slots += ld->q[q].ring.slots;
	}
}

void vd_qload_clear(struct vd_qload *ld)
{
	for (size_t q = 0; q < ld->nq; q++) {
		free(ld->q[q].lines);
		free(ld->q[q].ring.text);
	}
	free(ld->q);
	free(ld->rings_note);
	memset(ld, 0, sizeof(*ld));
}

/* The debugfs dir of v's rings, NULL without one */
static const char *ring_dir(const struct vd_vif *v)
{
	return v->host && v->host->dbg ? v->host->dbg->name : NULL;
}

/* One reading of every VIF's rings; why[i] says why VIF i has none. True if any was read. */
static bool read_rings(const struct vd_host *h, const struct vd_sysfs *s, struct vd_nbdebug *d,
		       int *err, char **why)
{
	bool any = false;

	for (size_t i = 0; i < h->nvifs; i++) {
		const char *name = ring_dir(h->vifs[i]);

		if (!name)
			continue;
		err[i] = vd_nbdebug_read(s, name, &d[i], &why[i]);
		any |= !err[i];
	}
	return any;
}

/* The second reading against the first, into VIF i's load (made when it has none). */
static void ring_load(struct vd_mq *mq, struct vd_vif *v, size_t i, const struct vd_nbdebug *r0,
		      const int *e0, char **w0, const struct vd_nbdebug *r1, const int *e1)
{
	struct vd_qload *ld = &mq->loads[i];

	if (!ring_dir(v)) {
		if (v->load)
			ld->rings_note = vd_strdup(v->host && v->host->rings_note
							   ? v->host->rings_note
							   : "no debugfs rings for this VIF");
		return;
	}
	if (e0[i]) {
		if (v->load) { /* else there is nothing to show but the note the host has */
			ld->rings_note = w0[i];
			w0[i] = NULL;
		}
		return;
	}
	if (!v->load) {
		ld->netdev = v->host->nd ? v->host->nd->name : ring_dir(v);
		ld->q = vd_calloc(1, sizeof(*ld->q));
		ld->secs = mq->secs;
		v->load = ld;
	}
	/* a dir gone in the second reading: the VIF was detached, its rings vanished */
	vd_qload_rings(ld, &r0[i], e1[i] ? NULL : &r1[i], mq->secs);
	ld->ring_dir = ring_dir(v); /* r0 and r1 go, the first reading stays */
}

struct vd_mq *vd_mq_read(struct vd_host *h, const struct vd_sysfs *s, long interval_ms)
{
	struct vd_mq *mq = vd_calloc(1, sizeof(*mq));
	char *why = NULL, *file, **w0 = NULL, **w1 = NULL;
	const char *dir; /* where the files are: s->dir as a prefix */
	struct vd_nbdebug *r0 = NULL, *r1 = NULL;
	int *e0 = NULL, *e1 = NULL;
	bool rings = false;
	double t0;

	mq->be_cpus = -1;
	if (!s || !s->root || s->unavailable) {
		mq->irq_note =
			vd_strdup(s && s->unavailable ? s->unavailable : "no host side read");
		return mq;
	}
	/* read under dir, named under root (they differ for a bundle) */
	dir = vd_root_prefix(s->dir);
	mq->be_cpus_path = vd_asprintf("%s" VD_MQ_FILE_CPUS, vd_root_prefix(s->root));
	file = vd_asprintf("%s" VD_MQ_FILE_CPUS, dir);
	mq->be_cpus_text = read_small(file);
	free(file);
	mq->be_cpus = vd_cpulist_count(mq->be_cpus_text);
	t0 = now_s();
	mq->irq[0] = vd_irq_read(dir, &why);
	if (!mq->irq[0]) {
		mq->irq_note = why;
		why = NULL;
	}
	if (interval_ms > 0) {
		size_t n = h->nvifs + 1;

		r0 = vd_calloc(n, sizeof(*r0));
		r1 = vd_calloc(n, sizeof(*r1));
		e0 = vd_calloc(n, sizeof(*e0));
		e1 = vd_calloc(n, sizeof(*e1));
		w0 = vd_calloc(n, sizeof(*w0));
		w1 = vd_calloc(n, sizeof(*w1));
		rings = read_rings(h, s, r0, e0, w0);
	} else {
		mq->rings_note =
			vd_strdup("one reading: ring progress needs two (live, --interval SECS)");
	}
	if (interval_ms > 0 && (mq->irq[0] || rings)) {
		sleep_ms(interval_ms);
		if (mq->irq[0]) {
			mq->irq[1] = vd_irq_read(dir, &why);
			if (!mq->irq[1])
				mq->irq_note = why;
		}
		read_rings(h, s, r1, e1, w1);
		mq->secs = now_s() - t0;
	}
	mq->loads = vd_calloc(h->nvifs + 1, sizeof(*mq->loads));
	mq->nloads = h->nvifs;
	for (size_t i = 0; i < h->nvifs; i++) {
		struct vd_vif *v = h->vifs[i];
		struct vd_qload *ld = &mq->loads[i];
		const char *nd = v->host && v->host->nd ? v->host->nd->name : NULL;

		if (nd && vd_irq_nqueues(mq->irq[0], nd)) {
			load_of(mq, ld, nd);
			v->load = ld;
		}
		if (mq->secs > 0) {
			ring_load(mq, v, i, r0, e0, w0, r1, e1);
		} else if (ld->q) { /* a load of the interrupts: say why it has no rings */
			const char *hn = v->host ? v->host->rings_note : NULL;

			ld->rings_note = vd_strdup(mq->rings_note ? mq->rings_note
						   : hn		  ? hn
							: "no debugfs rings could be read");
		}
	}
	for (size_t i = 0; r0 && i < h->nvifs; i++) {
		vd_nbdebug_clear(&r0[i]);
		vd_nbdebug_clear(&r1[i]);
		free(w0[i]);
		free(w1[i]);
	}
	free(r0);
	free(r1);
	free(e0);
	free(e1);
	free(w0);
	free(w1);
	return mq;
}

void vd_mq_free(struct vd_mq *mq)
{
	if (!mq)
		return;
	for (size_t i = 0; i < mq->nloads; i++)
		vd_qload_clear(&mq->loads[i]);
	free(mq->loads);
	free(mq->rings_note);
	vd_irq_free(mq->irq[0]);
	vd_irq_free(mq->irq[1]);
	free(mq->irq_note);
	free(mq->be_cpus_text);
	free(mq->be_cpus_path);
	free(mq);
}
