// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `vifdiag check` output: per selected VIF its findings at or above the threshold, most
 * severe first, each with rule ID, fix and evidence. Text and JSON; evidence lines are
 * shared with `show`.
 */
#include "vd_render.h"

#include <stdlib.h>
#include <string.h>

#include "vd_diag.h"
#include "vd_esc.h"
#include "vd_evidence.h"
#include "vd_json.h"
#include "vd_util.h"

#define VALUE_MAX 200 /* columns of one evidence value in text */

void vd_render_evidence_text(FILE *out, const struct vd_finding *f, const char *indent)
{
	for (size_t i = 0; i < f->nev; i++) {
		const struct vd_evidence *e = &f->ev[i];
		struct vd_buf b;

		vd_buf_init(&b);
		/* where may name guest-chosen paths (a frontend's backend key): escape it too */
		vd_esc_text(&b, e->where, strlen(e->where), 0);
		if (e->value) {
			vd_buf_adds(&b, e->kind == VD_EV_LOG ? ": " : " = \"");
			vd_esc_text(&b, e->value, e->len, VALUE_MAX);
			if (e->kind != VD_EV_LOG)
				vd_buf_addc(&b, '"');
		}
		if (e->note)
			vd_buf_addf(&b, " (%s)", e->note);
		fprintf(out, "%s  evidence: %s\n", indent, vd_buf_cstr(&b));
		vd_buf_free(&b);
	}
}

/* Indexes of v's findings at or above min, most severe first, else in rule order. */
static size_t ordered(const struct vd_vif *v, enum vd_sev min, size_t *idx)
{
	size_t n = 0;

	for (int sev = VD_SEV_ERROR; sev >= (int)min; sev--)
		for (size_t i = 0; i < v->nfindings; i++)
			if ((int)v->findings[i].sev == sev)
				idx[n++] = i;
	return n;
}

static char *label(const struct vd_vif *v)
{
	struct vd_buf b;

	vd_buf_init(&b);
	if (v->dom && v->dom->name) {
		vd_esc_text(&b, v->dom->name->value, v->dom->name->len, 64);
		vd_buf_addf(&b, " (domid %lu)", v->domid);
	} else {
		vd_buf_addf(&b, "domain %lu%s", v->domid, v->dom ? "" : " (gone)");
	}
	vd_buf_addf(&b, " vif %lu", v->devid);
	return vd_buf_steal(&b);
}

static void composed(FILE *out, const char *s)
{
	struct vd_buf b;

	vd_buf_init(&b);
	vd_esc_text_composed(&b, s, strlen(s));
	fputs(vd_buf_cstr(&b), out);
	vd_buf_free(&b);
}

int vd_render_check_text(const struct vd_host *h, const struct vd_selection *sel,
			 const struct vd_opts *o, enum vd_sev min)
{
	size_t total = 0, clean = 0;

	for (size_t i = 0; i < vd_snap_nwarnings(h->snap); i++)
		fprintf(o->err, "vifdiag: warning: %s\n", vd_snap_warning(h->snap, i));
	for (size_t i = 0; i < sel->n; i++) {
		const struct vd_vif *v = sel->vifs[i];
		size_t *idx = vd_calloc(v->nfindings + 1, sizeof(*idx));
		size_t n = ordered(v, min, idx);
		char *l = label(v), nbuf[64];
		const char *nd = vd_vif_netdev(v, nbuf, sizeof(nbuf));

		fprintf(o->out, "%s%s%s%s: %s\n", l, nd ? " [" : "", nd ? nd : "", nd ? "]" : "",
			n ? v->verdict : "nothing at or above the threshold");
		free(l);
		for (size_t k = 0; k < n; k++) {
			const struct vd_finding *f = &v->findings[idx[k]];
			const char *id = vd_finding_rule_id(f);

			fprintf(o->out, "  %s %s %s: ", vd_sev_name(f->sev), id ? id : "-",
				f->code);
			composed(o->out, f->msg);
			fputc('\n', o->out);
			if (f->hint) {
				fputs("    fix: ", o->out);
				composed(o->out, f->hint);
				fputc('\n', o->out);
			}
			vd_render_evidence_text(o->out, f, "  ");
		}
		total += n;
		clean += n == 0;
		free(idx);
	}
	fprintf(o->out, "\n%zu VIF%s checked: %zu finding%s at or above %s, %zu VIF%s clean\n",
		sel->n, sel->n == 1 ? "" : "s", total, total == 1 ? "" : "s", vd_sev_name(min),
		clean, clean == 1 ? "" : "s");
	return ferror(o->out) ? -1 : 0;
}

int vd_render_check_json(const struct vd_host *h, const struct vd_selection *sel,
			 const struct vd_opts *o, enum vd_sev min)
{
	struct vd_json *j = vd_json_new(o->out, true);
	size_t total = 0, counts[3] = { 0 };
	char nbuf[64];

	vd_json_obj_begin(j);
	vd_json_kint(j, "schema", 1);
	vd_json_kstr(j, "command", "check");
	vd_json_kstr(j, "source", o->from ? "dump" : "live");
	vd_json_kstr(j, "min_severity", vd_sev_name(min));
	vd_json_key(j, "warnings");
	vd_json_arr_begin(j);
	for (size_t i = 0; i < vd_snap_nwarnings(h->snap); i++)
		vd_json_str(j, vd_snap_warning(h->snap, i));
	for (size_t i = 0; i < h->nnotes; i++)
		vd_json_str(j, h->notes[i]);
	vd_json_arr_end(j);
	vd_json_key(j, "vifs");
	vd_json_arr_begin(j);
	for (size_t i = 0; i < sel->n; i++) {
		const struct vd_vif *v = sel->vifs[i];
		size_t *idx = vd_calloc(v->nfindings + 1, sizeof(*idx));
		size_t n = ordered(v, min, idx);

		vd_json_obj_begin(j);
		vd_json_kuint(j, "domid", v->domid);
		vd_json_kuint(j, "devid", v->devid);
		if (v->dom && v->dom->name)
			vd_json_kstrn(j, "name", v->dom->name->value, v->dom->name->len);
		else
			vd_json_knull(j, "name");
		vd_json_kstr(j, "netdev", vd_vif_netdev(v, nbuf, sizeof(nbuf)));
		vd_json_kstr(j, "verdict", v->verdict);
		vd_json_key(j, "findings");
		vd_json_arr_begin(j);
		for (size_t k = 0; k < n; k++) {
			vd_render_json_finding(j, &v->findings[idx[k]]);
			counts[v->findings[idx[k]].sev]++;
		}
		vd_json_arr_end(j);
		vd_json_obj_end(j);
		total += n;
		free(idx);
	}
	vd_json_arr_end(j);
	vd_json_key(j, "summary");
	vd_json_obj_begin(j);
	vd_json_kuint(j, "vifs", sel->n);
	vd_json_kuint(j, "findings", total);
	vd_json_kuint(j, "errors", counts[VD_SEV_ERROR]);
	vd_json_kuint(j, "warnings", counts[VD_SEV_WARN]);
	vd_json_kuint(j, "infos", counts[VD_SEV_INFO]);
	vd_json_obj_end(j);
	vd_json_obj_end(j);
	return vd_json_finish(j);
}
