// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Text renderer: aligned columns for status, a block per VIF for show. Every string that
 * comes from xenstore goes through vd_esc_text first: guests write those bytes.
 */
#include "vd_render.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vd_diag.h"
#include "vd_esc.h"
#include "vd_util.h"
#include "vd_xenbus.h"

#define CELL_MAX 40  /* columns a guest string may take in the status table */
#define VALUE_MAX 300 /* in show */

enum color { C_NONE, C_RED, C_GREEN, C_YELLOW, C_BOLD };

static const char *const color_on[] = { "", "\033[31m", "\033[32m", "\033[33m", "\033[1m" };

/* ---- a minimal table: cells are already escaped, widths count UTF-8 characters ---- */

struct row {
	char **cells;
	enum color *colors;
};

struct table {
	size_t ncols;
	struct row *rows;
	size_t nrows;
	size_t *width;
};

static size_t text_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static void table_init(struct table *t, size_t ncols)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	t->width = vd_calloc(ncols, sizeof(*t->width));
}

static struct row *table_row(struct table *t)
{
	struct row *r;

	t->rows = vd_realloc(t->rows, (t->nrows + 1) * sizeof(*t->rows));
	r = &t->rows[t->nrows++];
	r->cells = vd_calloc(t->ncols, sizeof(*r->cells));
	r->colors = vd_calloc(t->ncols, sizeof(*r->colors));
	return r;
}

/* Takes ownership of s. */
static void cell(struct table *t, struct row *r, size_t col, char *s, enum color c)
{
	size_t w = text_width(s);

	r->cells[col] = s;
	r->colors[col] = c;
	if (w > t->width[col])
		t->width[col] = w;
}

static void table_print(struct table *t, FILE *out, const char *indent, bool color)
{
	for (size_t i = 0; i < t->nrows; i++) {
		struct row *r = &t->rows[i];

		fputs(indent, out);
		for (size_t c = 0; c < t->ncols; c++) {
			const char *s = r->cells[c] ? r->cells[c] : "";
			bool last = c + 1 == t->ncols;

			if (color && r->colors[c])
				fprintf(out, "%s%s\033[0m", color_on[r->colors[c]], s);
			else
				fputs(s, out);
			if (!last)
				fprintf(out, "%*s", (int)(t->width[c] - text_width(s) + 2), "");
		}
		fputc('\n', out);
	}
}

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->nrows; i++) {
		for (size_t c = 0; c < t->ncols; c++)
			free(t->rows[i].cells[c]);
		free(t->rows[i].cells);
		free(t->rows[i].colors);
	}
	free(t->rows);
	free(t->width);
}

/* ---- values ---- */

static char *esc(const char *s, size_t len, size_t max)
{
	struct vd_buf b;

	vd_buf_init(&b);
	vd_esc_text(&b, s, len, max);
	return vd_buf_steal(&b);
}

static char *node_str(const struct vd_node *nd, size_t max)
{
	if (!nd)
		return vd_strdup("-");
	if (!nd->len)
		return vd_strdup("\"\"");
	return esc(nd->value, nd->len, max);
}

static char *state_str(const struct vd_end *e, bool with_number)
{
	const struct vd_num *s = &e->state;

	if (!e->present)
		return vd_strdup(e->vanished ? "vanished" : "-");
	if (!s->node)
		return vd_strdup("no state");
	if (!s->ok) {
		char *raw = esc(s->node->value, s->node->len, 16);
		char *r = vd_asprintf("invalid(%s)", raw);

		free(raw);
		return r;
	}
	if (with_number)
		return vd_asprintf("%s (%lu)", vd_xb_state_name((long)s->v), s->v);
	return vd_strdup(vd_xb_state_name((long)s->v));
}

static char *num_str(const struct vd_num *n)
{
	if (n->ok)
		return vd_asprintf("%lu", n->v);
	if (!n->node)
		return vd_strdup("-");
	return node_str(n->node, 16);
}

static enum color verdict_color(const char *verdict)
{
	static const char *const transient[] = { "connecting", "closing", "closed",
						 "reconfiguring", "vanished", "hotplug-pending" };

	if (vd_verdict_ok(verdict))
		return C_GREEN;
	for (unsigned i = 0; i < sizeof(transient) / sizeof(transient[0]); i++)
		if (strcmp(verdict, transient[i]) == 0)
			return C_YELLOW;
	return C_RED;
}

static char *dom_label(const struct vd_vif *v)
{
	const struct vd_domain *d = v->dom;

	if (!d)
		return vd_asprintf("domain %lu (gone)", v->domid);
	if (!d->name)
		return vd_asprintf("domain %lu", v->domid);
	{
		char *n = esc(d->name->value, d->name->len, CELL_MAX);
		char *r = vd_asprintf("%s (domid %lu)", n, v->domid);

		free(n);
		return r;
	}
}

static void print_warnings(const struct vd_host *h, const struct vd_opts *o)
{
	for (size_t i = 0; i < vd_snap_nwarnings(h->snap); i++)
		fprintf(o->err, "vifdiag: warning: %s\n", vd_snap_warning(h->snap, i));
	for (size_t i = 0; i < h->nnotes; i++)
		fprintf(o->err, "vifdiag: note: %s\n", h->notes[i]);
}

static void print_findings(FILE *out, const struct vd_vif *v, const char *indent, bool color,
			   enum vd_sev min)
{
	for (size_t i = 0; i < v->nfindings; i++) {
		const struct vd_finding *f = &v->findings[i];
		enum color c = f->sev == VD_SEV_ERROR ? C_RED :
			       f->sev == VD_SEV_WARN  ? C_YELLOW :
							C_NONE;
		char *m = esc(f->msg, strlen(f->msg), 0);

		if (f->sev < min)
			goto next;
		fputs(indent, out);
		if (color && c)
			fprintf(out, "%s%s\033[0m", color_on[c], vd_sev_name(f->sev));
		else
			fputs(vd_sev_name(f->sev), out);
		fprintf(out, ": %s [%s]\n", m, f->code);
		if (f->hint) {
			char *hh = esc(f->hint, strlen(f->hint), 0);

			fprintf(out, "%s  fix: %s\n", indent, hh);
			free(hh);
		}
next:
		free(m);
	}
}

/* ---- status ---- */

static const char *const status_cols[] = { "DOMAIN", "ID",     "DEV",	  "MAC",
					   "FRONTEND", "BACKEND", "QUEUES", "HOTPLUG",
					   "BRIDGE", "NETDEV",  "VERDICT" };
#define NCOLS (sizeof(status_cols) / sizeof(status_cols[0]))

static void status_row(struct table *t, const struct vd_vif *v)
{
	struct row *r = table_row(t);
	const struct vd_node *name = v->dom ? v->dom->name : NULL;
	char nbuf[64];
	const char *nd = vd_vif_netdev(v, nbuf, sizeof(nbuf));
	char *q = v->negotiated >= 0 ? vd_asprintf("%ld", v->negotiated) : vd_strdup("-");
	char *m = num_str(&v->max_queues);

	cell(t, r, 0, name ? esc(name->value, name->len, CELL_MAX) : vd_strdup("-"), C_NONE);
	cell(t, r, 1, vd_asprintf("%lu", v->domid), C_NONE);
	cell(t, r, 2, vd_asprintf("%lu", v->devid), C_NONE);
	cell(t, r, 3, node_str(v->mac, CELL_MAX), C_NONE);
	cell(t, r, 4, state_str(&v->fe, false), C_NONE);
	cell(t, r, 5, state_str(&v->be, false), C_NONE);
	cell(t, r, 6, vd_asprintf("%s/%s", q, m), C_NONE);
	cell(t, r, 7, node_str(v->hotplug_status, CELL_MAX), C_NONE);
	cell(t, r, 8, node_str(v->bridge, CELL_MAX), C_NONE);
	cell(t, r, 9, nd ? esc(nd, strlen(nd), CELL_MAX) : vd_strdup("-"), C_NONE);
	cell(t, r, 10, vd_strdup(v->verdict), verdict_color(v->verdict));
	free(q);
	free(m);
}

static int status(const struct vd_host *h, const struct vd_selection *sel,
		  const struct vd_opts *o)
{
	struct table t;
	struct row *hdr;
	size_t ok = 0;

	print_warnings(h, o);
	if (!sel->n) {
		fprintf(o->out, "no VIFs in the store\n");
		return ferror(o->out) ? -1 : 0;
	}
	table_init(&t, NCOLS);
	hdr = table_row(&t);
	for (size_t c = 0; c < NCOLS; c++)
		cell(&t, hdr, c, vd_strdup(status_cols[c]), C_BOLD);
	for (size_t i = 0; i < sel->n; i++)
		status_row(&t, sel->vifs[i]);
	table_print(&t, o->out, "", o->use_color);
	table_free(&t);

	for (size_t i = 0; i < sel->n; i++) {
		const struct vd_vif *v = sel->vifs[i];
		char *label;

		if (vd_verdict_ok(v->verdict)) {
			ok++;
			continue;
		}
		label = dom_label(v);
		fprintf(o->out, "\n%s vif %lu: %s: %s\n", label, v->devid, v->verdict,
			vd_xb_pair_meaning(vd_end_state(&v->fe), vd_end_state(&v->be)));
		free(label);
		print_findings(o->out, v, "  ", o->use_color, VD_SEV_WARN);
	}
	fprintf(o->out, "\n%zu VIF%s: %zu ok, %zu not ok\n", sel->n, sel->n == 1 ? "" : "s", ok,
		sel->n - ok);
	return ferror(o->out) ? -1 : 0;
}

/* ---- show ---- */

static void field(FILE *out, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void field(FILE *out, const char *name, const char *fmt, ...)
{
	va_list ap;

	fprintf(out, "  %-13s", name);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
}

static void show_end(FILE *out, const char *label, const struct vd_end *e)
{
	char *st = state_str(e, true);
	char *p = e->path ? esc(e->path, strlen(e->path), VALUE_MAX) : vd_strdup("-");

	if (e->domid >= 0)
		field(out, label, "%-18s %s (domain %ld)%s", st, p, e->domid,
		      e->present ? "" : " - missing");
	else
		field(out, label, "%-18s %s%s", st, p, e->present ? "" : " - missing");
	free(st);
	free(p);
}

static void show_value(FILE *out, const char *label, const struct vd_node *nd, const char *note)
{
	char *s = node_str(nd, VALUE_MAX);

	if (note && nd)
		field(out, label, "%s  (%s)", s, note);
	else
		field(out, label, "%s", s);
	free(s);
}

static void show_queues(FILE *out, const struct vd_vif *v)
{
	static const char *const layouts[] = { "no ring keys", "flat (one queue)", "queue-N dirs",
					       "flat keys and queue-N dirs" };
	char *neg = v->negotiated >= 0 ? vd_asprintf("%ld", v->negotiated) : vd_strdup("unknown");
	char *max = num_str(&v->max_queues);
	struct table t;
	struct row *hdr;

	field(out, "queues", "%s negotiated, backend offers up to %s; layout: %s", neg, max,
	      layouts[v->layout]);
	free(neg);
	free(max);
	if (!v->nqueues)
		return;
	table_init(&t, 4);
	hdr = table_row(&t);
	cell(&t, hdr, 0, vd_strdup("queue"), C_NONE);
	cell(&t, hdr, 1, vd_strdup("tx-ring-ref"), C_NONE);
	cell(&t, hdr, 2, vd_strdup("rx-ring-ref"), C_NONE);
	cell(&t, hdr, 3, vd_strdup("event channel"), C_NONE);
	for (size_t i = 0; i < v->nqueues; i++) {
		const struct vd_queue *q = &v->queues[i];
		struct row *r = table_row(&t);
		char *a, *b;

		cell(&t, r, 0, vd_asprintf("%lu", q->id), C_NONE);
		cell(&t, r, 1, num_str(&q->tx_ring_ref), C_NONE);
		cell(&t, r, 2, num_str(&q->rx_ring_ref), C_NONE);
		if (q->evtchn.node || (!q->evtchn_tx.node && !q->evtchn_rx.node)) {
			cell(&t, r, 3, num_str(&q->evtchn), C_NONE);
			continue;
		}
		a = num_str(&q->evtchn_tx);
		b = num_str(&q->evtchn_rx);
		cell(&t, r, 3, vd_asprintf("tx %s, rx %s (split)", a, b), C_NONE);
		free(a);
		free(b);
	}
	table_print(&t, out, "                 ", false);
	table_free(&t);
}

static bool feature_key(const char *name)
{
	return vd_startswith(name, "feature-") || vd_startswith(name, "request-");
}

/* Offered by the backend vs requested by the frontend, side by side. */
static void show_features(FILE *out, const struct vd_host *h, const struct vd_vif *v)
{
	struct vd_key *bk = NULL, *fk = NULL;
	size_t nb = v->be.present ? vd_dir_keys(h->snap, v->be.path, &bk) : 0;
	size_t nf = v->fe.present ? vd_dir_keys(h->snap, v->fe.path, &fk) : 0;
	size_t i = 0, j = 0;
	struct table t;
	struct row *hdr;

	table_init(&t, 3);
	hdr = table_row(&t);
	cell(&t, hdr, 0, vd_strdup("key"), C_NONE);
	cell(&t, hdr, 1, vd_strdup("backend"), C_NONE);
	cell(&t, hdr, 2, vd_strdup("frontend"), C_NONE);
	/* both lists are sorted by name: merge them */
	while (i < nb || j < nf) {
		int c = i >= nb ? 1 : j >= nf ? -1 : strcmp(bk[i].name, fk[j].name);
		const struct vd_key *k = c <= 0 ? &bk[i] : &fk[j];
		struct row *r;

		if (feature_key(k->name)) {
			r = table_row(&t);
			cell(&t, r, 0, esc(k->name, strlen(k->name), CELL_MAX), C_NONE);
			cell(&t, r, 1, c <= 0 ? node_str(bk[i].node, CELL_MAX) : vd_strdup("-"),
			     C_NONE);
			cell(&t, r, 2, c >= 0 ? node_str(fk[j].node, CELL_MAX) : vd_strdup("-"),
			     C_NONE);
		}
		i += c <= 0;
		j += c >= 0;
	}
	if (t.nrows > 1) {
		field(out, "features", "offered by the backend, requested by the frontend:");
		table_print(&t, out, "                 ", false);
	} else {
		field(out, "features", "none");
	}
	table_free(&t);
	free(bk);
	free(fk);
}

static void show_raw(FILE *out, const struct vd_host *h, const struct vd_end *e)
{
	struct vd_buf b;
	size_t lo, hi;

	if (!e->present)
		return;
	vd_buf_init(&b);
	vd_snap_subtree(h->snap, e->path, &lo, &hi);
	for (size_t i = lo; i < hi; i++) {
		const struct vd_node *nd = vd_snap_at(h->snap, i);

		/* the xenstore-ls escaping, so the lines can be pasted back as a dump */
		vd_buf_reset(&b);
		vd_esc_xsls(&b, nd->value, nd->len);
		fprintf(out, "    %s = \"%s\"", nd->path, vd_buf_cstr(&b));
		if (nd->perms)
			fprintf(out, "   (%s)", nd->perms);
		fputc('\n', out);
	}
	vd_buf_free(&b);
}

static void show_vif(const struct vd_host *h, const struct vd_vif *v, const struct vd_opts *o)
{
	FILE *out = o->out;
	char *label = dom_label(v);
	char nbuf[64];
	const char *nd = vd_vif_netdev(v, nbuf, sizeof(nbuf));
	enum color c = verdict_color(v->verdict);

	fprintf(out, "%s vif %lu: ", label, v->devid);
	if (o->use_color)
		fprintf(out, "%s%s\033[0m\n", color_on[c], v->verdict);
	else
		fprintf(out, "%s\n", v->verdict);
	free(label);
	field(out, "meaning", "%s",
	      vd_xb_pair_meaning(vd_end_state(&v->fe), vd_end_state(&v->be)));
	if (v->dom && v->dom->uuid)
		field(out, "uuid", "%s", v->dom->uuid);
	show_value(out, "mac", v->mac, NULL);
	show_end(out, "frontend", &v->fe);
	show_end(out, "backend", &v->be);
	field(out, "pairing", "%s",
	      v->paired ? "each end points at the other" :
	      v->mismatch ? "MISMATCH: the ends do not point at each other" :
			    "one end is missing");
	show_value(out, "online", v->online, NULL);
	show_value(out, "hotplug", v->hotplug_status, NULL);
	if (v->hotplug_error)
		show_value(out, "hotplug-error", v->hotplug_error, NULL);
	if (v->xapi_hotplug)
		show_value(out, "xapi hotplug", v->xapi_hotplug, v->xapi_hotplug->path);
	show_value(out, "script", v->script, NULL);
	show_value(out, "bridge", v->bridge, v->bridge_path);
	field(out, "netdev", "%s%s", nd ? nd : "-",
	      v->vifname ? "  (vifname)" : nd ? "  (netback's default name)" : "");
	if (v->type)
		show_value(out, "type", v->type, NULL);
	if (v->rate)
		show_value(out, "rate", v->rate, "bytes per interval, interval in us");
	if (v->fe_mtu || v->mtu)
		show_value(out, "mtu", v->mtu ? v->mtu : v->fe_mtu, NULL);
	show_queues(out, v);
	if (v->ctrl_ring_ref.node || v->evtchn_ctrl.node) {
		char *a = num_str(&v->ctrl_ring_ref), *b = num_str(&v->evtchn_ctrl);

		field(out, "control ring", "ring-ref %s, event channel %s", a, b);
		free(a);
		free(b);
	}
	show_features(out, h, v);
	if (v->nfindings) {
		field(out, "findings", "%zu", v->nfindings);
		print_findings(out, v, "    ", o->use_color, VD_SEV_INFO);
	} else {
		field(out, "findings", "none");
	}
	if (o->raw) {
		field(out, "raw keys", "frontend then backend:");
		show_raw(out, h, &v->fe);
		show_raw(out, h, &v->be);
	}
}

static int show(const struct vd_host *h, const struct vd_selection *sel, const struct vd_opts *o)
{
	print_warnings(h, o);
	if (!sel->n)
		fprintf(o->out, "no VIFs selected\n");
	for (size_t i = 0; i < sel->n; i++) {
		if (i)
			fputc('\n', o->out);
		show_vif(h, sel->vifs[i], o);
	}
	return ferror(o->out) ? -1 : 0;
}

const struct vd_renderer vd_render_text = {
	.name = "text",
	.status = status,
	.show = show,
};
