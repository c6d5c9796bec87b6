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
#include "vd_mq.h"
#include "vd_sysfs.h"
#include "vd_util.h"
#include "vd_xl.h"
#include "vd_xenbus.h"

#define CELL_MAX   40			/* columns a guest string may take in the status table */
#define VALUE_MAX  300			/* in show */
#define SUB_INDENT "                  " /* tables under a show field: past its label */

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

/* Rows from..nrows-1. */
static void table_print_from(struct table *t, size_t from, FILE *out, const char *indent,
			     bool color)
{
	for (size_t i = from; i < t->nrows; i++) {
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

static void table_print(struct table *t, FILE *out, const char *indent, bool color)
{
	table_print_from(t, 0, out, indent, color);
}

/* Frees the last row; the widths stay. */
static void table_pop(struct table *t)
{
	struct row *r = &t->rows[--t->nrows];

	for (size_t c = 0; c < t->ncols; c++)
		free(r->cells[c]);
	free(r->cells);
	free(r->colors);
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
	static const char *const transient[] = { "connecting",	  "closing",  "closed",
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

/* Both quote store paths raw (a guest names its own keys): escaped for the terminal. */
static void print_warnings(const struct vd_host *h, const struct vd_opts *o)
{
	size_t nw = vd_snap_nwarnings(h->snap);
	struct vd_buf b;

	vd_buf_init(&b);
	for (size_t i = 0; i < nw + h->nnotes; i++) {
		const char *m = i < nw ? vd_snap_warning(h->snap, i) : h->notes[i - nw];

		vd_buf_reset(&b);
		vd_esc_text(&b, m, strlen(m), 0);
		fprintf(o->err, "vifdiag: %s: %s\n", i < nw ? "warning" : "note", b.data);
	}
	vd_buf_free(&b);
}

/* Findings quote guest values already escaped by the analysis: do not escape them twice. */
static char *composed(const char *s)
{
	struct vd_buf b;

	vd_buf_init(&b);
	vd_esc_text_composed(&b, s, strlen(s));
	return vd_buf_steal(&b);
}

static void print_findings(FILE *out, const struct vd_vif *v, const char *indent, bool color,
			   enum vd_sev min, bool with_evidence)
{
	for (size_t i = 0; i < v->nfindings; i++) {
		const struct vd_finding *f = &v->findings[i];
		enum color c = f->sev == VD_SEV_ERROR  ? C_RED
			       : f->sev == VD_SEV_WARN ? C_YELLOW
						       : C_NONE;
		char *m;

		if (f->sev < min)
			continue;
		m = composed(f->msg);
		fputs(indent, out);
		if (color && c)
			fprintf(out, "%s%s\033[0m", color_on[c], vd_sev_name(f->sev));
		else
			fputs(vd_sev_name(f->sev), out);
		fprintf(out, ": %s [%s %s]\n", m,
			vd_finding_rule_id(f) ? vd_finding_rule_id(f) : "-", f->code);
		free(m);
		if (f->hint) {
			m = composed(f->hint);
			fprintf(out, "%s  fix: %s\n", indent, m);
			free(m);
		}
		if (with_evidence)
			vd_render_evidence_text(out, f, indent);
	}
}

/* ---- status ---- */

/* Host columns and blocks only when some VIF has host facts: else one reason says it all. */
static bool any_host(const struct vd_host *h)
{
	for (size_t i = 0; i < h->nvifs; i++)
		if (h->vifs[i]->host)
			return true;
	return false;
}

static const char *const status_cols[] = { "DOMAIN",   "ID",	  "DEV",    "MAC",
					   "FRONTEND", "BACKEND", "QUEUES", "HOTPLUG",
					   "BRIDGE",   "NETDEV",  "LINK",   "VERDICT" };
#define NCOLS	 (sizeof(status_cols) / sizeof(status_cols[0]))
#define LINK_COL 10 /* only with host facts: a dump alone says nothing about links */

/* With host facts BRIDGE is what the vif is really on, marked when xenstore wants another. */
static char *bridge_cell(const struct vd_vif *v)
{
	const struct vd_hostfacts *f = v->host;
	bool ovs = f && f->bridge_kind && strcmp(f->bridge_kind, "ovs") == 0;
	char *have, *want, *r;

	if (!f || !f->nd)
		return node_str(v->bridge, CELL_MAX);
	have = f->bridge ? esc(f->bridge, strlen(f->bridge), CELL_MAX)
			 : vd_strdup(ovs ? "?" : "none");
	if (ovs) {
		/* unknown OVS bridge: xenstore's, marked as unverified */
		r = vd_asprintf("ovs:%s", f->bridge || !v->bridge ? have : "");
		free(have);
		have = r;
	}
	if (!v->bridge || (f->bridge && v->bridge->len == strlen(f->bridge) &&
			   strcmp(v->bridge->value, f->bridge) == 0))
		return have;
	want = node_str(v->bridge, CELL_MAX);
	r = ovs && !f->bridge ? vd_asprintf("%s%s?", have, want)
			      : vd_asprintf("%s (want %s)", have, want);
	free(have);
	free(want);
	return r;
}

/* The domain name, with libxl's run state when it is not simply running. */
static char *name_cell(const struct vd_vif *v)
{
	const struct vd_node *name = v->dom ? v->dom->name : NULL;
	char *n = name ? esc(name->value, name->len, CELL_MAX) : vd_strdup("-");
	const char *run = vd_xl_run_state(v->xl);
	char *r;

	if (!run || strcmp(run, "running") == 0)
		return n;
	r = vd_asprintf("%s (%s)", n, run);
	free(n);
	return r;
}

static void status_row(struct table *t, const struct vd_vif *v, bool host)
{
	struct row *r = table_row(t);
	char nbuf[64];
	const char *nd = vd_vif_netdev(v, nbuf, sizeof(nbuf));
	char *q = v->negotiated >= 0 ? vd_asprintf("%ld", v->negotiated) : vd_strdup("-");
	char *m = num_str(&v->max_queues);
	const char *link = v->host ? vd_host_link_word(v->host->nd) : NULL;

	if (v->host)
		nd = v->host->nd ? v->host->nd->name : "none";

	cell(t, r, 0, name_cell(v), C_NONE);
	cell(t, r, 1, vd_asprintf("%lu", v->domid), C_NONE);
	cell(t, r, 2, vd_asprintf("%lu", v->devid), C_NONE);
	cell(t, r, 3, node_str(v->mac, CELL_MAX), C_NONE);
	cell(t, r, 4, state_str(&v->fe, false), C_NONE);
	cell(t, r, 5, state_str(&v->be, false), C_NONE);
	cell(t, r, 6, vd_asprintf("%s/%s", q, m), C_NONE);
	cell(t, r, 7, node_str(v->hotplug_status, CELL_MAX), C_NONE);
	cell(t, r, 8, bridge_cell(v), C_NONE);
	cell(t, r, 9, nd ? esc(nd, strlen(nd), CELL_MAX) : vd_strdup("-"), C_NONE);
	if (host)
		cell(t, r, LINK_COL, link ? esc(link, strlen(link), CELL_MAX) : vd_strdup("-"),
		     link && strcmp(link, "up") != 0 && strcmp(link, "unknown") != 0 ? C_RED
										     : C_NONE);
	cell(t, r, LINK_COL + host, vd_strdup(v->verdict), verdict_color(v->verdict));
	free(q);
	free(m);
}

/*
 * What a not-ok verdict means: the state pair's meaning when the verdict is about the
 * handshake, else the verdict's own (a failed hotplug script is not "waits for the script").
 */
static const char *verdict_meaning(const struct vd_vif *v)
{
	static const char *const by_pair[] = { "no-driver",    "not-probed", "hotplug-pending",
					       "connecting",   "closing",    "closed",
					       "reconfiguring" };
	const char *m = vd_host_verdict_meaning(v->verdict);

	if (!m)
		m = vd_xl_verdict_meaning(v->verdict);
	for (size_t i = 0; !m && i < sizeof(by_pair) / sizeof(by_pair[0]); i++)
		if (strcmp(v->verdict, by_pair[i]) == 0)
			return vd_xb_pair_meaning(vd_end_state(&v->fe), vd_end_state(&v->be));
	if (!m)
		m = vd_verdict_lookup(vd_verdicts, v->verdict);
	return m ? m : vd_xb_pair_meaning(vd_end_state(&v->fe), vd_end_state(&v->be));
}

static bool worst_at_least(const struct vd_vif *v, enum vd_sev min)
{
	for (size_t i = 0; i < v->nfindings; i++)
		if (v->findings[i].sev >= min)
			return true;
	return false;
}

static int status(const struct vd_host *h, const struct vd_selection *sel, const struct vd_opts *o)
{
	struct table t;
	struct row *hdr;
	size_t ok = 0;
	bool host = any_host(h);

	print_warnings(h, o);
	if (!sel->n) {
		fprintf(o->out,
			h->nvifs ? "no VIFs in the selected domains\n" : "no VIFs in the store\n");
		return ferror(o->out) ? -1 : 0;
	}
	table_init(&t, NCOLS - !host);
	hdr = table_row(&t);
	for (size_t c = 0, k = 0; c < NCOLS; c++)
		if (host || c != LINK_COL)
			cell(&t, hdr, k++, vd_strdup(status_cols[c]), C_BOLD);
	/* Two passes, the widths then the lines: 10,000 rows are not all kept (issue 14). */
	for (size_t i = 0; i < sel->n; i++) {
		status_row(&t, sel->vifs[i], host);
		table_pop(&t);
	}
	table_print(&t, o->out, "", o->use_color);
	for (size_t i = 0; i < sel->n; i++) {
		status_row(&t, sel->vifs[i], host);
		table_print_from(&t, 1, o->out, "", o->use_color);
		table_pop(&t);
	}
	table_free(&t);

	for (size_t i = 0; i < sel->n; i++) {
		const struct vd_vif *v = sel->vifs[i];
		char *label;

		if (vd_verdict_ok(v->verdict)) {
			ok++;
			/* a working VIF's warnings (ids naming the wrong domain, ...) are listed
			 * too */
			if (!worst_at_least(v, VD_SEV_WARN))
				continue;
			label = dom_label(v);
			fprintf(o->out, "\n%s vif %lu: %s, with warnings:\n", label, v->devid,
				v->verdict);
		} else {
			label = dom_label(v);
			fprintf(o->out, "\n%s vif %lu: %s: %s\n", label, v->devid, v->verdict,
				verdict_meaning(v));
		}
		free(label);
		print_findings(o->out, v, "  ", o->use_color, VD_SEV_WARN, false);
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

	fprintf(out, "  %-14s", name);
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
	char *neg = v->negotiated >= 0 ? vd_asprintf("%ld negotiated", v->negotiated)
				       : vd_strdup("none negotiated");
	char *max = num_str(&v->max_queues);
	struct table t;
	struct row *hdr;

	field(out, "queues", "%s, backend offers up to %s; layout: %s", neg, max,
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
	table_print(&t, out, SUB_INDENT, false);
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
		table_print(&t, out, SUB_INDENT, false);
	} else {
		field(out, "features", "none");
	}
	table_free(&t);
	free(bk);
	free(fk);
}

static void show_raw(FILE *out, const struct vd_host *h, const struct vd_end *e)
{
	struct vd_buf b, path;
	size_t lo, hi;

	if (!e->present)
		return;
	vd_buf_init(&b);
	vd_buf_init(&path);
	vd_snap_subtree(h->snap, e->path, &lo, &hi);
	for (size_t i = lo; i < hi; i++) {
		const struct vd_node *nd = vd_snap_at(h->snap, i);

		/* the xenstore-ls escaping, so the lines can be pasted back as a dump */
		vd_buf_reset(&b);
		vd_buf_adds(&b, "    ");
		/* paths and perms are checked by the dump parser and xenstored, values are not */
		vd_snap_path(h->snap, nd, &path);
		vd_esc_xsls(&b, path.data, path.len);
		vd_buf_adds(&b, " = \"");
		vd_esc_xsls(&b, nd->value, nd->len);
		vd_buf_addc(&b, '"');
		if (nd->perms) {
			vd_buf_adds(&b, "   (");
			vd_esc_xsls(&b, nd->perms, strlen(nd->perms));
			vd_buf_addc(&b, ')');
		}
		fprintf(out, "%s\n", vd_buf_cstr(&b));
	}
	vd_buf_free(&b);
	vd_buf_free(&path);
}

/* ---- show: the host side (sysfs names are not guest data, but still escaped) ---- */

static void addesc(struct vd_buf *b, const char *s)
{
	if (s)
		vd_esc_text(b, s, strlen(s), VALUE_MAX);
	else
		vd_buf_adds(b, "-");
}

static void host_field(FILE *out, const char *label, struct vd_buf *b)
{
	field(out, label, "%s", vd_buf_cstr(b));
	vd_buf_reset(b);
}

static void netdev_state(struct vd_buf *b, const struct vd_netdev *nd)
{
	vd_buf_adds(b, "operstate ");
	addesc(b, nd->operstate);
	vd_buf_addf(b, ", carrier %s", nd->carrier < 0 ? "unknown" : nd->carrier ? "1" : "0");
	if (nd->flags >= 0)
		vd_buf_addf(b, ", flags 0x%lx (%s)", nd->flags,
			    nd->flags & VD_IFF_UP ? "UP" : "not UP");
	if (nd->mtu >= 0)
		vd_buf_addf(b, ", mtu %ld", nd->mtu);
}

static void ring_row(struct table *t, const struct vd_ioring *q)
{
	struct row *r = table_row(t);

	cell(t, r, 0, vd_asprintf("%lu", q->id), C_NONE);
	cell(t, r, 1, vd_asprintf("%u/%u", q->tx.req_prod, q->tx.rsp_prod), C_NONE);
	cell(t, r, 2, vd_asprintf("%u/%u", q->rx.req_prod, q->rx.rsp_prod), C_NONE);
	cell(t, r, 3, vd_asprintf("%u/%lu", vd_ioring_rx_posted(q), q->rx.nr_ents), C_NONE);
	cell(t, r, 4,
	     q->rxq_ok ? vd_asprintf("%s, %llu/%llu bytes", q->rxq_stopped ? "stopped" : "running",
				     q->rxq_len, q->rxq_max)
		       : vd_strdup("-"),
	     q->rxq_ok && q->rxq_stopped ? C_RED : C_NONE);
	cell(t, r, 5,
	     !q->credit_ok ? vd_strdup("-")
	     : vd_ioring_unlimited(q)
		     ? vd_strdup("none")
		     : vd_asprintf("%llu bytes per %llu us%s", q->credit_bytes, q->credit_usec,
				   q->timer_pending ? ", throttled" : ""),
	     C_NONE);
}

static void show_rings(FILE *out, const struct vd_hostfacts *f, bool color)
{
	static const char *const hdr[] = { "queue",	"tx req/rsp prod", "rx req/rsp prod",
					   "rx posted", "rx queue",	   "rate limit" };
	struct table t;
	struct row *r;
	char *name;

	if (!f->dbg) {
		name = esc(f->rings_note, strlen(f->rings_note), VALUE_MAX);
		field(out, "rings", "unknown: %s", name);
		free(name);
		return;
	}
	name = esc(f->dbg->name, strlen(f->dbg->name), VALUE_MAX);
	field(out, "rings", "debugfs xen-netback/%s, %zu queue%s:", name, f->dbg->nrings,
	      f->dbg->nrings == 1 ? "" : "s");
	free(name);
	table_init(&t, 6);
	r = table_row(&t);
	for (size_t c = 0; c < 6; c++)
		cell(&t, r, c, vd_strdup(hdr[c]), C_NONE);
	for (size_t i = 0; i < f->dbg->nrings; i++)
		if (!f->dbg->rings[i].error)
			ring_row(&t, &f->dbg->rings[i]);
	if (t.nrows > 1)
		table_print(&t, out, SUB_INDENT, color);
	table_free(&t);
	for (size_t i = 0; i < f->dbg->nrings; i++)
		if (f->dbg->rings[i].error) {
			name = esc(f->dbg->rings[i].error, strlen(f->dbg->rings[i].error),
				   VALUE_MAX);
			fprintf(out, "                 queue %lu: %s\n", f->dbg->rings[i].id, name);
			free(name);
		}
}

static void show_bridge(struct vd_buf *b, const struct vd_vif *v, const struct vd_hostfacts *f)
{
	bool ovs = f->bridge_kind && strcmp(f->bridge_kind, "ovs") == 0;

	if (f->bridge) {
		addesc(b, f->bridge);
		vd_buf_adds(b, ovs ? " (Open vSwitch" : " (Linux bridge");
		if (f->br) {
			vd_buf_adds(b, ", operstate ");
			addesc(b, f->br->operstate);
			vd_buf_addf(b, ", mtu %ld", f->br->mtu);
		}
		vd_buf_adds(b, ")");
	} else if (ovs) {
		vd_buf_adds(b, "an Open vSwitch port, bridge unknown: ");
		addesc(b, f->bridge_note);
	} else if (f->master) {
		vd_buf_adds(b, "none (its master ");
		addesc(b, f->master);
		vd_buf_adds(b, " is not a bridge)");
	} else {
		vd_buf_adds(b, "none");
	}
	if (v->bridge) {
		vd_buf_adds(b, "; xenstore asks for ");
		vd_esc_text(b, v->bridge->value, v->bridge->len, CELL_MAX);
	}
}

static void show_netback(FILE *out, struct vd_buf *b, const struct vd_nbparams *nb)
{
	if (!nb->loaded) {
		field(out, "netback", "xen_netback is not loaded (no /sys/module/xen_netback)");
		return;
	}
	vd_buf_addf(b,
		    "max_queues %ld, separate_tx_rx_irq %s, rx_stall_timeout_msecs %ld, "
		    "rx_drain_timeout_msecs %ld",
		    nb->max_queues,
		    nb->separate_tx_rx_irq < 0 ? "-"
		    : nb->separate_tx_rx_irq   ? "Y"
					       : "N",
		    nb->rx_stall_timeout_msecs, nb->rx_drain_timeout_msecs);
	host_field(out, "netback", b);
}

static void show_host(FILE *out, const struct vd_vif *v, bool color)
{
	const struct vd_hostfacts *f = v->host;
	const struct vd_netdev *nd = f ? f->nd : NULL;
	struct vd_buf b;

	vd_buf_init(&b);
	if (!f || !nd) {
		vd_buf_adds(&b, f ? "no interface: " : "unavailable: ");
		addesc(&b, f ? f->netdev_missing : v->host_unavailable);
		host_field(out, "host", &b);
		if (f)
			show_netback(out, &b, f->nb);
		vd_buf_free(&b);
		return;
	}
	addesc(&b, nd->name);
	if (strcmp(f->mapped_by, "name") == 0)
		vd_buf_adds(&b, " (found by its name");
	else
		vd_buf_adds(&b, " (found by its sysfs device link");
	if (nd->device) {
		vd_buf_adds(&b, ", device ");
		addesc(&b, nd->device);
	}
	if (nd->xb_state) {
		vd_buf_adds(&b, ", xenbus state ");
		addesc(&b, nd->xb_state);
	}
	vd_buf_addf(&b, "; domain %ld%s)", f->local_domid, f->local_assumed ? ", assumed" : "");
	host_field(out, "host", &b);
	netdev_state(&b, nd);
	host_field(out, "link", &b);
	show_bridge(&b, v, f);
	host_field(out, "on bridge", &b);
	for (size_t i = 0; i < f->ntwins; i++) {
		addesc(&b, f->twins[i]->name);
		vd_buf_adds(&b, " (HVM emulated NIC): ");
		netdev_state(&b, f->twins[i]);
		vd_buf_adds(&b, ", master ");
		addesc(&b, f->twins[i]->master);
		host_field(out, "twin", &b);
	}
	if (nd->tx_queues >= 0)
		field(out, "host queues", "%ld TX, %ld RX", nd->tx_queues, nd->rx_queues);
	show_rings(out, f, color);
	show_netback(out, &b, f->nb);
	vd_buf_free(&b);
}

/* What libxl says (only on a live host where it could be asked). */
static void show_xl(FILE *out, const struct vd_xlfacts *f)
{
	const struct vd_xlnic *n = f->nic;

	if (!f->dom) {
		field(out, "domain", "gone: the hypervisor has no such domain (libxl)");
		return;
	}
	if (f->dom->run == VD_RUN_SHUTDOWN)
		field(out, "domain", "shutdown (%s), per the hypervisor (libxl)",
		      f->dom->shutdown_reason ? f->dom->shutdown_reason : "unknown reason");
	else
		field(out, "domain", "%s, per the hypervisor (libxl)", vd_run_name(f->dom->run));
	if (n) {
		char *br = n->bridge ? esc(n->bridge, strlen(n->bridge), VALUE_MAX) : NULL;

		field(out, "libxl", "lists it: mac %s, bridge %s, backend domain %lu", n->mac,
		      br ? br : "none", n->backend_domid);
		free(br);
	} else {
		field(out, "libxl", "%s",
		      f->managed ? "does not list it" : "manages no NIC of this domain");
	}
}

/* A vifname is toolstack-written, but still bytes from the store: escaped like the rest. */
static void show_netdev(FILE *out, const struct vd_vif *v)
{
	char nbuf[64];
	const char *nd = vd_vif_netdev(v, nbuf, sizeof(nbuf));
	char *n = nd ? esc(nd, strlen(nd), VALUE_MAX) : vd_strdup("-");

	field(out, "netdev", "%s%s", n,
	      v->vifname && nd != nbuf ? "  (vifname)"
	      : nd		       ? "  (netback's default name)"
				       : "");
	free(n);
}

static const char *ring_state_word(enum vd_ring_state st)
{
	static const char *const w[] = { "-", "ok", "vanished", "new", "reset", "unreadable" };

	return w[st];
}

/* One queue's ring progress: slots/s in each direction and its share of the VIF's. */
static void show_qring(FILE *out, const struct vd_qload *ld, const struct vd_qring *g)
{
	if (g->state != VD_RING_OK) {
		fprintf(out, "rings %s", ring_state_word(g->state));
		return;
	}
	fprintf(out, "rings %.1f/s (tx %.1f, rx %.1f) %.0f%%", g->per_sec, g->tx.per_sec,
		g->rx.per_sec, ld->slots ? 100.0 * (double)g->slots / (double)ld->slots : 0);
}

/*
 * Per-queue load (vd_mq.h): interrupt events (a rate with two samples, else counts since
 * boot) and, with two debugfs readings, the rings' progress in slots per second.
 */
static void show_load(FILE *out, const struct vd_qload *ld)
{
	const char *rings = ld->rings ? "; ring slots/s (debugfs io_ring_qN)" : "";

	if (!ld->irq)
		field(out, "queue load",
		      "ring slots/s over %.1f s (debugfs io_ring_qN):", ld->secs);
	else if (ld->window)
		field(out, "queue load", "events/s over %.1f s (/proc/interrupts)%s:", ld->secs,
		      rings);
	else
		field(out, "queue load", "events since boot (/proc/interrupts)%s:", rings);
	for (size_t i = 0; i < ld->nq; i++) {
		const struct vd_qrate *q = &ld->q[i];
		double share = ld->total ? 100.0 * (double)q->events / (double)ld->total : 0;

		fprintf(out, "%18sq%lu  ", "", q->queue);
		if (ld->irq && !q->seen && ld->rings)
			fputs("-", out);
		else if (ld->irq && ld->window)
			fprintf(out, "%.1f/s (tx %llu, rx %llu%s) %.0f%%", q->per_sec, q->tx, q->rx,
				q->both ? ", shared" : "", share);
		else if (ld->irq)
			fprintf(out, "%llu (tx %llu, rx %llu%s) %.0f%%", q->events, q->tx, q->rx,
				q->both ? ", shared" : "", share);
		if (ld->rings) {
			if (ld->irq)
				fputs("; ", out);
			show_qring(out, ld, &q->ring);
		}
		fputc('\n', out);
	}
	/* asked for rates (a window) but the rings gave none: say why */
	if (ld->window && !ld->rings && ld->rings_note) {
		char *n = esc(ld->rings_note, strlen(ld->rings_note), VALUE_MAX);

		field(out, "ring progress", "unknown: %s", n);
		free(n);
	}
}

static void show_vif(const struct vd_host *h, const struct vd_vif *v, const struct vd_opts *o)
{
	FILE *out = o->out;
	char *label = dom_label(v);
	enum color c = verdict_color(v->verdict);

	fprintf(out, "%s vif %lu: ", label, v->devid);
	if (o->use_color)
		fprintf(out, "%s%s\033[0m\n", color_on[c], v->verdict);
	else
		fprintf(out, "%s\n", v->verdict);
	free(label);
	field(out, "meaning", "%s", vd_xb_pair_meaning(vd_end_state(&v->fe), vd_end_state(&v->be)));
	if (v->dom && v->dom->uuid)
		field(out, "uuid", "%s", v->dom->uuid);
	show_value(out, "mac", v->mac, NULL);
	show_end(out, "frontend", &v->fe);
	show_end(out, "backend", &v->be);
	field(out, "pairing", "%s",
	      v->paired	    ? "each end points at the other"
	      : v->mismatch ? "MISMATCH: the ends do not point at each other"
			    : "one end is missing");
	show_value(out, "online", v->online, NULL);
	show_value(out, "hotplug", v->hotplug_status, NULL);
	if (v->hotplug_error)
		show_value(out, "hotplug-error", v->hotplug_error, NULL);
	if (v->xapi_hotplug) {
		char *where = vd_snap_path_dup(h->snap, v->xapi_hotplug);

		show_value(out, "xapi hotplug", v->xapi_hotplug, where);
		free(where);
	}
	show_value(out, "script", v->script, NULL);
	show_value(out, "bridge", v->bridge, v->bridge_path);
	show_netdev(out, v);
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
	if (v->xl)
		show_xl(out, v->xl);
	/* no VIF with host facts: one reason for all, said in JSON and notes, not here */
	if (any_host(h))
		show_host(out, v, o->use_color);
	show_features(out, h, v);
	if (v->load)
		show_load(out, v->load);
	if (v->nfindings) {
		field(out, "findings", "%zu", v->nfindings);
		print_findings(out, v, "    ", o->use_color, VD_SEV_INFO, true);
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
