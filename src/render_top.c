// SPDX-License-Identifier: GPL-2.0-or-later
/* The cells of `vifdiag top` and its batch frames (plain text, one table per frame). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vd_esc.h"
#include "vd_top.h"
#include "vd_util.h"

const char *const vd_top_col_names[VD_TOP_NCOL] = {
	"DOMAIN",   "ID",      "DEV",	    "FRONTEND", "BACKEND",   "QUEUES",
	"BRIDGE",   "LINK",    "VERDICT",   "GRX-PKT",	"GRX-BYTES", "GRX-ERR",
	"GRX-DROP", "GTX-PKT", "GTX-BYTES", "GTX-ERR",	"GTX-DROP",  "EVENTS",
};

static char *esc_max(const char *s, size_t max)
{
	struct vd_buf b;

	if (!s)
		return vd_strdup("-");
	vd_buf_init(&b);
	vd_esc_text(&b, s, strlen(s), max);
	return vd_buf_steal(&b);
}

static char *esc_str(const char *s)
{
	return esc_max(s, 32);
}

static char *num_or_dash(long v)
{
	return v >= 0 ? vd_asprintf("%ld", v) : vd_strdup("-");
}

static char *rate_str(double v)
{
	return v >= 100 || v == 0 ? vd_asprintf("%.0f", v) : vd_asprintf("%.1f", v);
}

static char *events_cell(const struct vd_top_row *r, bool totals)
{
	struct vd_buf b;

	if (!r->nq)
		return vd_strdup("-");
	vd_buf_init(&b);
	for (size_t k = 0; k < r->nq; k++) {
		char *v = !r->q[k].ok	 ? vd_strdup("-")
			  : totals	 ? vd_asprintf("%llu", r->q[k].events)
			  : r->have_rate ? rate_str(r->q[k].rate)
					 : vd_strdup("-");

		vd_buf_addf(&b, "%sq%lu:%s", k ? " " : "", r->q[k].id, v);
		free(v);
	}
	return vd_buf_steal(&b);
}

char *vd_top_cell(const struct vd_top_row *r, enum vd_top_col col, bool totals)
{
	char *m, *n, *s;

	switch (col) {
	case VD_TOP_COL_DOMAIN:
		return esc_str(r->domain);
	case VD_TOP_COL_ID:
		return vd_asprintf("%lu", r->domid);
	case VD_TOP_COL_DEV:
		return vd_asprintf("%lu", r->devid);
	case VD_TOP_COL_FE:
		return esc_str(r->fe_state);
	case VD_TOP_COL_BE:
		return esc_str(r->be_state);
	case VD_TOP_COL_QUEUES:
		n = num_or_dash(r->negotiated);
		m = num_or_dash(r->max_queues);
		s = vd_asprintf("%s/%s", n, m);
		free(n);
		free(m);
		return s;
	case VD_TOP_COL_BRIDGE:
		return esc_str(r->bridge);
	case VD_TOP_COL_LINK:
		return esc_str(r->link);
	case VD_TOP_COL_VERDICT:
		return esc_str(r->verdict);
	case VD_TOP_COL_EVENTS:
		return events_cell(r, totals);
	default:
		break;
	}
	if (col < VD_TOP_COL_CTR0 || col >= VD_TOP_COL_EVENTS || !r->have_ctr)
		return vd_strdup("-");
	if (totals)
		return vd_asprintf("%llu", r->ctr[col - VD_TOP_COL_CTR0]);
	return r->have_rate ? rate_str(r->rate[col - VD_TOP_COL_CTR0]) : vd_strdup("-");
}

/* The number a column sorts by; false for the text columns. */
static bool sort_num(const struct vd_top_row *r, enum vd_top_col col, bool totals, double *v)
{
	switch (col) {
	case VD_TOP_COL_ID:
		*v = (double)r->domid;
		return true;
	case VD_TOP_COL_DEV:
		*v = (double)r->devid;
		return true;
	case VD_TOP_COL_QUEUES:
		*v = (double)r->negotiated;
		return true;
	case VD_TOP_COL_EVENTS:
		*v = 0;
		for (size_t k = 0; k < r->nq; k++)
			*v += r->q[k].ok ? (totals ? (double)r->q[k].events : r->q[k].rate) : 0;
		return true;
	default:
		break;
	}
	if (col < VD_TOP_COL_CTR0 || col >= VD_TOP_COL_EVENTS)
		return false;
	*v = !r->have_ctr   ? -1
	     : totals	    ? (double)r->ctr[col - VD_TOP_COL_CTR0]
	     : r->have_rate ? r->rate[col - VD_TOP_COL_CTR0]
			    : -1;
	return true;
}

int vd_top_cmp(const struct vd_top_row *a, const struct vd_top_row *b, enum vd_top_col col,
	       bool totals)
{
	double x, y;
	int c = 0;

	if (sort_num(a, col, totals, &x) && sort_num(b, col, totals, &y)) {
		c = (x > y) - (x < y);
	} else if (!sort_num(a, col, totals, &x)) {
		char *s = vd_top_cell(a, col, totals), *t = vd_top_cell(b, col, totals);

		c = strcmp(s, t);
		free(s);
		free(t);
	}
	if (!c)
		c = (a->domid > b->domid) - (a->domid < b->domid);
	if (!c)
		c = (a->devid > b->devid) - (a->devid < b->devid);
	return c;
}

int vd_render_top_frame(FILE *out, const struct vd_top_frame *f, unsigned long frameno, bool totals)
{
	size_t w[VD_TOP_NCOL];
	char **cells = vd_calloc((f->n + 1) * VD_TOP_NCOL, sizeof(*cells));

	if (frameno > 1)
		fputc('\n', out); /* frames apart */
	fprintf(out, "frame %lu: %zu VIF%s, %s\n", frameno, f->n, f->n == 1 ? "" : "s",
		totals ? "counters since each netdev was created"
		       : "per second since the previous frame");
	for (int k = 0; k < 2; k++) {
		char *n = k ? f->irq_note : f->stats_note;

		if (!n)
			continue;
		n = esc_max(n, 0);
		fprintf(out, "note: %s: %s\n", k ? "queue events" : "traffic", n);
		free(n);
	}
	for (int c = 0; c < VD_TOP_NCOL; c++) {
		cells[c] = vd_strdup(vd_top_col_names[c]);
		w[c] = strlen(cells[c]);
	}
	for (size_t i = 0; i < f->n; i++)
		for (int c = 0; c < VD_TOP_NCOL; c++) {
			char *s = vd_top_cell(&f->rows[i], (enum vd_top_col)c, totals);

			cells[(i + 1) * VD_TOP_NCOL + c] = s;
			if (strlen(s) > w[c])
				w[c] = strlen(s);
		}
	for (size_t i = 0; i <= f->n; i++) {
		for (int c = 0; c < VD_TOP_NCOL; c++) {
			const char *s = cells[i * VD_TOP_NCOL + c];

			if (c == VD_TOP_NCOL - 1)
				fprintf(out, "%s\n", s);
			else
				fprintf(out, "%-*s  ", (int)w[c], s);
		}
	}
	for (size_t i = 0; i < (f->n + 1) * VD_TOP_NCOL; i++)
		free(cells[i]);
	free(cells);
	return ferror(out) ? -1 : 0;
}
