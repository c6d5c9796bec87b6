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

static void load_of(struct vd_mq *mq, struct vd_qload *ld, const char *nd)
{
	const struct vd_irqs *a = mq->irq[0], *b = mq->irq[1];
	unsigned long nq = vd_irq_nqueues(a, nd);

	ld->netdev = nd;
	ld->window = b != NULL;
	ld->secs = mq->secs;
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

struct vd_mq *vd_mq_read(struct vd_host *h, const struct vd_sysfs *s, long interval_ms)
{
	struct vd_mq *mq = vd_calloc(1, sizeof(*mq));
	char *why = NULL, *file;
	const char *dir; /* where the files are: s->dir as a prefix */
	double t0;

	mq->be_cpus = -1;
	if (!s || !s->root || s->unavailable) {
		mq->irq_note =
			vd_strdup(s && s->unavailable ? s->unavailable : "no host side read");
		return mq;
	}
	/* read under dir, named under root (they differ for a bundle) */
	dir = vd_root_prefix(s->dir);
	mq->root = vd_strdup(s->root);
	mq->be_cpus_path = vd_asprintf("%s" VD_MQ_FILE_CPUS, vd_root_prefix(s->root));
	file = vd_asprintf("%s" VD_MQ_FILE_CPUS, dir);
	mq->be_cpus_text = read_small(file);
	free(file);
	mq->be_cpus = vd_cpulist_count(mq->be_cpus_text);
	t0 = now_s();
	mq->irq[0] = vd_irq_read(dir, &why);
	if (!mq->irq[0]) {
		mq->irq_note = why;
		return mq;
	}
	if (interval_ms > 0) {
		sleep_ms(interval_ms);
		mq->irq[1] = vd_irq_read(dir, &why);
		mq->secs = now_s() - t0;
		if (!mq->irq[1]) {
			mq->irq_note = why;
			mq->secs = 0;
		}
	}
	mq->loads = vd_calloc(h->nvifs + 1, sizeof(*mq->loads));
	mq->nloads = h->nvifs;
	for (size_t i = 0; i < h->nvifs; i++) {
		struct vd_vif *v = h->vifs[i];
		const char *nd = v->host && v->host->nd ? v->host->nd->name : NULL;

		if (!nd || !vd_irq_nqueues(mq->irq[0], nd))
			continue;
		load_of(mq, &mq->loads[i], nd);
		v->load = &mq->loads[i];
	}
	return mq;
}

void vd_mq_free(struct vd_mq *mq)
{
	if (!mq)
		return;
	for (size_t i = 0; i < mq->nloads; i++) {
		for (size_t q = 0; q < mq->loads[i].nq; q++)
			free(mq->loads[i].q[q].lines);
		free(mq->loads[i].q);
	}
	free(mq->loads);
	vd_irq_free(mq->irq[0]);
	vd_irq_free(mq->irq[1]);
	free(mq->irq_note);
	free(mq->be_cpus_text);
	free(mq->be_cpus_path);
	free(mq->root);
	free(mq);
}
