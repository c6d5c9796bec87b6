// SPDX-License-Identifier: GPL-2.0-or-later
/* One frame of `vifdiag top`: the model's VIF rows plus netdev counters and queue events. */
#include "vd_top.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vd_irq.h"
#include "vd_model.h"
#include "vd_pipeline.h"
#include "vd_render.h"
#include "vd_sysfs.h"
#include "vd_util.h"
#include "vd_xenbus.h"

/* sysfs file names in enum vd_top_ctr order: the guest receives what the netdev sends */
static const char *const ctr_file[VD_TOP_NCTR] = {
	"tx_packets", "tx_bytes", "tx_errors", "tx_dropped",
	"rx_packets", "rx_bytes", "rx_errors", "rx_dropped",
};
static const char *const ctr_name[VD_TOP_NCTR] = {
	"guest rx pkt", "guest rx bytes", "guest rx err", "guest rx drop",
	"guest tx pkt", "guest tx bytes", "guest tx err", "guest tx drop",
};

const char *vd_top_ctr_name(enum vd_top_ctr c)
{
	return c < VD_TOP_NCTR ? ctr_name[c] : "?";
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A netdev name usable as one path component (the kernel's dev_valid_name rules). */
static bool name_ok(const char *s)
{
	size_t n = strlen(s);

	return n && n < 16 && strcmp(s, ".") && strcmp(s, "..") && !strpbrk(s, "/: \t\n");
}

static bool read_ull(const char *path, unsigned long long *v)
{
	FILE *f = fopen(path, "r");
	char line[64], *end;
	bool ok = false;

	if (!f)
		return false;
	if (fgets(line, sizeof(line), f)) {
		errno = 0;
		*v = strtoull(line, &end, 10);
		ok = end != line && errno == 0 && (*end == '\n' || *end == '\0');
	}
	fclose(f);
	return ok;
}

static bool read_counters(const char *root, const char *nd, unsigned long long *ctr)
{
	for (int i = 0; i < VD_TOP_NCTR; i++) {
		char *p = vd_asprintf("%s/sys/class/net/%s/statistics/%s",
				      strcmp(root, "/") ? root : "", nd, ctr_file[i]);
		bool ok = read_ull(p, &ctr[i]);

		free(p);
		if (!ok)
			return false;
	}
	return true;
}

static char *state_of(const struct vd_end *e)
{
	if (!e->present)
		return vd_strdup(e->vanished ? "vanished" : "-");
	if (!e->state.node)
		return vd_strdup("no state");
	if (!e->state.ok)
		return vd_strdup("invalid");
	return vd_strdup(vd_xb_state_name((long)e->state.v));
}

static void fill_row(struct vd_top_row *r, const struct vd_vif *v, const char *root,
		     const struct vd_irqs *irqs)
{
	const struct vd_hostfacts *hf = v->host;
	const char *name = vd_domain_name(v->dom);
	const char *link = hf ? vd_host_link_word(hf->nd) : NULL;
	char nbuf[64];
	const char *nd = vd_vif_netdev(v, nbuf, sizeof(nbuf));
	unsigned long nq;

	if (hf)
		nd = hf->nd ? hf->nd->name : NULL;
	r->domid = v->domid;
	r->devid = v->devid;
	r->domain = name ? vd_memdup0(name, v->dom->name->len) : NULL;
	r->fe_state = state_of(&v->fe);
	r->be_state = state_of(&v->be);
	r->negotiated = v->negotiated;
	r->max_queues = v->max_queues.ok ? (long)v->max_queues.v : -1;
	if (hf && hf->bridge)
		r->bridge = vd_strdup(hf->bridge);
	else if (v->bridge)
		r->bridge = vd_memdup0(v->bridge->value, v->bridge->len);
	r->netdev = nd ? vd_strdup(nd) : NULL;
	r->link = link ? vd_strdup(link) : NULL;
	r->verdict = vd_strdup(v->verdict ? v->verdict : "?");
	if (root && nd && name_ok(nd))
		r->have_ctr = read_counters(root, nd, r->ctr);
	if (!irqs || !nd || !(nq = vd_irq_nqueues(irqs, nd)))
		return;
	r->q = vd_calloc(nq, sizeof(*r->q));
	r->nq = nq;
	for (unsigned long k = 0; k < nq; k++) {
		r->q[k].id = k;
		r->q[k].ok = vd_irq_queue_total(irqs, nd, k, &r->q[k].events);
	}
}

int vd_top_collect(const struct vd_opts *o, struct vd_top_frame *f, struct vd_err *err)
{
	struct vd_report rep;
	const char *root = o->sysfs_root ? o->sysfs_root : o->from ? NULL : "/";
	struct vd_irqs *irqs = NULL;
	char *why = NULL;
	bool any_ctr = false;

	memset(f, 0, sizeof(*f));
	if (vd_report_load(&rep, o, err) < 0) {
		vd_report_free(&rep);
		return -1;
	}
	f->mono_ms = mono_ms();
	if (root && !(irqs = vd_irq_read(root, &why))) {
		f->irq_note = why;
	} else if (!root) {
		f->irq_note = vd_strdup("a dump has no host side: give --sysfs-root");
	}
	f->rows = vd_calloc(rep.host->nvifs ? rep.host->nvifs : 1, sizeof(*f->rows));
	for (size_t i = 0; i < rep.host->nvifs; i++) {
		fill_row(&f->rows[f->n], rep.host->vifs[i], root, irqs);
		any_ctr |= f->rows[f->n++].have_ctr;
	}
	if (!root)
		f->stats_note = vd_strdup("a dump has no host side: give --sysfs-root");
	else if (f->n && !any_ctr)
		f->stats_note = vd_asprintf("no backend netdev statistics under %s/sys/class/net",
					    strcmp(root, "/") ? root : "");
	vd_irq_free(irqs);
	vd_report_free(&rep);
	return 0;
}

static const struct vd_top_row *find_row(const struct vd_top_frame *f, const struct vd_top_row *r)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->rows[i].domid == r->domid && f->rows[i].devid == r->devid)
			return &f->rows[i];
	return NULL;
}

void vd_top_rates(struct vd_top_frame *cur, const struct vd_top_frame *prev)
{
	double dt = (double)(cur->mono_ms - prev->mono_ms) / 1000.0;

	if (dt <= 0)
		return;
	for (size_t i = 0; i < cur->n; i++) {
		struct vd_top_row *r = &cur->rows[i];
		const struct vd_top_row *p = find_row(prev, r);
		bool back = false;

		if (!p || !r->have_ctr || !p->have_ctr)
			continue;
		/* a counter that went back: the netdev was recreated, no rate this time */
		for (int c = 0; c < VD_TOP_NCTR; c++)
			back |= r->ctr[c] < p->ctr[c];
		if (back)
			continue;
		r->have_rate = true;
		for (int c = 0; c < VD_TOP_NCTR; c++)
			r->rate[c] = (double)(r->ctr[c] - p->ctr[c]) / dt;
		for (size_t k = 0; k < r->nq; k++) {
			const struct vd_top_queue *pq = k < p->nq ? &p->q[k] : NULL;

			if (r->q[k].ok && pq && pq->ok && r->q[k].events >= pq->events)
				r->q[k].rate = (double)(r->q[k].events - pq->events) / dt;
			else
				r->q[k].ok = false;
		}
	}
}

void vd_top_frame_free(struct vd_top_frame *f)
{
	for (size_t i = 0; i < f->n; i++) {
		struct vd_top_row *r = &f->rows[i];

		free(r->domain);
		free(r->fe_state);
		free(r->be_state);
		free(r->bridge);
		free(r->netdev);
		free(r->link);
		free(r->verdict);
		free(r->q);
	}
	free(f->rows);
	free(f->stats_note);
	free(f->irq_note);
	memset(f, 0, sizeof(*f));
}
