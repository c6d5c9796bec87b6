// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Prometheus text exposition of a diagnosed host (vd_prom.h). Every family is written
 * whole (HELP, TYPE, then all its samples), as the format requires; VIFs in model order, so
 * the output is stable for golden tests.
 */
#include "vd_prom.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vd_diag.h"
#include "vd_esc.h"
#include "vd_sysfs.h"
#include "vd_xenbus.h"
#include "vd_xl.h"

void vd_prom_escape(struct vd_buf *out, const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		uint32_t cp;
		size_t n;

		if (c == '\\') {
			vd_buf_adds(out, "\\\\");
		} else if (c == '"') {
			vd_buf_adds(out, "\\\"");
		} else if (c == '\n') {
			vd_buf_adds(out, "\\n");
		} else if (c < 0x20 || c == 0x7f) {
			/* allowed raw by the format, but a terminal or a log would obey them */
			vd_buf_addf(out, "\\\\x%02x", c);
		} else if (c < 0x80) {
			vd_buf_addc(out, (char)c);
		} else {
			n = vd_utf8_next(s + i, len - i, &cp);
			if (cp == VD_UTF8_BAD || (cp >= 0x80 && cp <= 0x9f))
				vd_buf_adds(out, "\xef\xbf\xbd"); /* U+FFFD */
			else
				vd_buf_add(out, s + i, n);
			i += n;
			continue;
		}
		i++;
	}
}

struct pw {
	FILE *out;
	const struct vd_selection *sel;
	char **labels; /* per selected VIF: its identifying labels, already escaped */
	struct vd_buf line;
};

static void family(struct pw *w, const char *name, const char *help)
{
	fprintf(w->out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* name{base[,key="value"]} v; value is escaped here, base already is */
static void sample(struct pw *w, const char *name, const char *base, const char *key,
		   const char *val, size_t vlen, double v)
{
	vd_buf_reset(&w->line);
	vd_buf_adds(&w->line, name);
	if ((base && *base) || key) {
		vd_buf_addc(&w->line, '{');
		if (base && *base)
			vd_buf_adds(&w->line, base);
		if (key) {
			vd_buf_addf(&w->line, "%s%s=\"", base && *base ? "," : "", key);
			vd_prom_escape(&w->line, val, vlen);
			vd_buf_addc(&w->line, '"');
		}
		vd_buf_addc(&w->line, '}');
	}
	fprintf(w->out, "%s %.15g\n", vd_buf_cstr(&w->line), v);
}

static void ksample(struct pw *w, const char *name, const char *base, const char *key,
		    const char *val, double v)
{
	sample(w, name, base, key, val, val ? strlen(val) : 0, v);
}

/*
 * domid, devid, domain, backend_domid. Two VIFs the model keeps apart can share these (a
 * frontend that names a second backend of the same domain): the later one then also gets
 * its backend path, so no series is written twice (the collector would drop the file).
 */
static char *vif_labels(const struct vd_vif *v)
{
	const struct vd_node *nm = v->dom ? v->dom->name : NULL;
	struct vd_buf b;

	vd_buf_init(&b);
	vd_buf_addf(&b, "domid=\"%lu\",devid=\"%lu\",domain=\"", v->domid, v->devid);
	if (nm)
		vd_prom_escape(&b, nm->value, nm->len);
	vd_buf_adds(&b, "\",backend_domid=\"");
	if (v->be.domid >= 0)
		vd_buf_addf(&b, "%ld", v->be.domid);
	vd_buf_addc(&b, '"');
	return vd_buf_steal(&b);
}

static void make_labels(struct pw *w)
{
	w->labels = vd_calloc(w->sel->n + 1, sizeof(*w->labels));
	for (size_t i = 0; i < w->sel->n; i++) {
		const struct vd_vif *v = w->sel->vifs[i];

		w->labels[i] = vif_labels(v);
		for (size_t j = 0; j < i; j++) {
			const char *p = v->be.path ? v->be.path : v->fe.path;
			struct vd_buf b;

			if (strncmp(w->labels[j], w->labels[i], strlen(w->labels[i])) != 0)
				continue;
			vd_buf_init(&b);
			vd_buf_adds(&b, w->labels[i]);
			vd_buf_addf(&b, ",path=\"");
			vd_prom_escape(&b, p ? p : "", p ? strlen(p) : 0);
			vd_buf_addc(&b, '"');
			free(w->labels[i]);
			w->labels[i] = vd_buf_steal(&b);
			break;
		}
	}
}

/* The XenbusState word of an end, or why there is none. */
static const char *state_word(const struct vd_end *e)
{
	if (!e->present)
		return e->vanished ? "vanished" : "absent";
	if (e->state.ok)
		return vd_xb_state_name((long)e->state.v);
	if (!e->state.node)
		return "missing";
	if (e->state.node->flags & (VD_NODE_TRUNCATED | VD_NODE_NOVALUE))
		return "unreadable";
	return "invalid";
}

static void end_families(struct pw *w, bool fe)
{
	const char *which = fe ? "frontend" : "backend";
	char name[64], info[80], help[200];

	snprintf(name, sizeof(name), "vifdiag_vif_%s_state", which);
	snprintf(info, sizeof(info), "%s_info", name);
	snprintf(help, sizeof(help),
		 "XenbusState number of the %s (4 Connected); absent when it has none", which);
	family(w, name, help);
	for (size_t i = 0; i < w->sel->n; i++) {
		const struct vd_end *e = fe ? &w->sel->vifs[i]->fe : &w->sel->vifs[i]->be;

		if (e->present && e->state.ok)
			sample(w, name, w->labels[i], NULL, NULL, 0, (double)e->state.v);
	}
	snprintf(help, sizeof(help),
		 "XenbusState name of the %s, or absent, vanished, missing, unreadable, invalid",
		 which);
	family(w, info, help);
	for (size_t i = 0; i < w->sel->n; i++) {
		const struct vd_vif *v = w->sel->vifs[i];

		ksample(w, info, w->labels[i], "state", state_word(fe ? &v->fe : &v->be), 1);
	}
}

static bool node_is(const struct vd_node *n, const char *s)
{
	return n && n->len == strlen(s) && strcmp(n->value, s) == 0;
}

/* 1 the hotplug script reported success, 0 failure, -1 it has not reported. */
static int hotplug_ok(const struct vd_vif *v)
{
	for (size_t i = 0; i < v->nfindings; i++)
		if (v->findings[i].sev == VD_SEV_ERROR &&
		    strcmp(v->findings[i].code, "hotplug-error") == 0)
			return 0;
	if (node_is(v->hotplug_status, "connected") || node_is(v->xapi_hotplug, "online"))
		return 1;
	return -1;
}

/* 1 the backend netdev is on the bridge xenstore asks for, 0 it is not, -1 unknown. */
static int on_bridge(const struct vd_vif *v)
{
	const struct vd_hostfacts *f = v->host;

	if (!f || !v->bridge)
		return -1;
	if (!f->nd)
		return 0;
	if (!f->bridge)
		return f->bridge_note ? -1 : 0; /* an OVS port whose bridge is unknown */
	return v->bridge->len == strlen(f->bridge) && strcmp(v->bridge->value, f->bridge) == 0;
}

static int link_up(const struct vd_vif *v)
{
	const struct vd_netdev *nd = v->host ? v->host->nd : NULL;

	return nd && nd->flags >= 0 ? (nd->flags & VD_IFF_UP) != 0 : -1;
}

static int carrier(const struct vd_vif *v)
{
	const struct vd_netdev *nd = v->host ? v->host->nd : NULL;

	return nd ? nd->carrier : -1;
}

static void flag_family(struct pw *w, const char *name, const char *help,
			int (*fn)(const struct vd_vif *))
{
	family(w, name, help);
	for (size_t i = 0; i < w->sel->n; i++) {
		int x = fn(w->sel->vifs[i]);

		if (x >= 0)
			sample(w, name, w->labels[i], NULL, NULL, 0, x);
	}
}

static void queue_families(struct pw *w)
{
	family(w, "vifdiag_vif_queues_negotiated",
	       "Queues the frontend negotiated (1 for a flat ring layout)");
	for (size_t i = 0; i < w->sel->n; i++)
		if (w->sel->vifs[i]->negotiated >= 0)
			sample(w, "vifdiag_vif_queues_negotiated", w->labels[i], NULL, NULL, 0,
			       (double)w->sel->vifs[i]->negotiated);
	family(w, "vifdiag_vif_queues_max",
	       "Queues the backend offers (multi-queue-max-queues); absent when it offers none");
	for (size_t i = 0; i < w->sel->n; i++)
		if (w->sel->vifs[i]->max_queues.ok)
			sample(w, "vifdiag_vif_queues_max", w->labels[i], NULL, NULL, 0,
			       (double)w->sel->vifs[i]->max_queues.v);
}

/* every code has a catalogue row (the sync suite checks); "" keeps a gap from crashing */
static const char *rule_of(const struct vd_finding *f)
{
	const char *id = vd_finding_rule_id(f);

	return id ? id : "";
}

static int cmp_rule(const void *a, const void *b)
{
	return strcmp(rule_of(*(const struct vd_finding *const *)a),
		      rule_of(*(const struct vd_finding *const *)b));
}

static void finding_families(struct pw *w)
{
	static const enum vd_sev sevs[] = { VD_SEV_ERROR, VD_SEV_WARN, VD_SEV_INFO };

	family(w, "vifdiag_vif_findings", "Findings of the VIF by severity");
	for (size_t i = 0; i < w->sel->n; i++) {
		const struct vd_vif *v = w->sel->vifs[i];

		for (size_t s = 0; s < sizeof(sevs) / sizeof(sevs[0]); s++) {
			size_t n = 0;

			for (size_t k = 0; k < v->nfindings; k++)
				n += v->findings[k].sev == sevs[s];
			ksample(w, "vifdiag_vif_findings", w->labels[i], "severity",
				vd_sev_name(sevs[s]), (double)n);
		}
	}
	/* rule: the stable ID (VD051), code: its name (rx-stalled); one to one, both bounded */
	family(w, "vifdiag_vif_rule_findings",
	       "Findings of the VIF by rule ID (only rules that found something)");
	for (size_t i = 0; i < w->sel->n; i++) {
		const struct vd_vif *v = w->sel->vifs[i];
		const struct vd_finding **fs = vd_calloc(v->nfindings + 1, sizeof(*fs));

		for (size_t k = 0; k < v->nfindings; k++)
			fs[k] = &v->findings[k];
		qsort(fs, v->nfindings, sizeof(*fs), cmp_rule);
		for (size_t k = 0; k < v->nfindings;) {
			const char *id = rule_of(fs[k]);
			size_t e = k;
			char *base;

			while (e < v->nfindings && strcmp(rule_of(fs[e]), id) == 0)
				e++;
			base = vd_asprintf("%s,rule=\"%s\"", w->labels[i], id);
			ksample(w, "vifdiag_vif_rule_findings", base, "code", fs[k]->code,
				(double)(e - k));
			free(base);
			k = e;
		}
		free(fs);
	}
}

static size_t count_verdict(const struct vd_selection *sel, const char *word)
{
	size_t n = 0;

	for (size_t i = 0; i < sel->n; i++)
		n += sel->vifs[i]->verdict && strcmp(sel->vifs[i]->verdict, word) == 0;
	return n;
}

static bool known_verdict(const char *word)
{
	return vd_verdict_lookup(vd_verdicts, word) || vd_verdict_lookup(vd_host_verdicts, word) ||
	       vd_verdict_lookup(vd_xl_verdicts, word);
}

/* Every verdict word, 0 included, so an alert can compare; then any the tables lack. */
static void host_families(struct pw *w)
{
	const struct vd_verdict_info *tables[] = { vd_verdicts, vd_host_verdicts, vd_xl_verdicts };

	family(w, "vifdiag_vifs", "VIFs of the host by verdict");
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const struct vd_verdict_info *vi = tables[t]; vi->word; vi++)
			ksample(w, "vifdiag_vifs", NULL, "verdict", vi->word,
				(double)count_verdict(w->sel, vi->word));
	for (size_t i = 0; i < w->sel->n; i++) {
		const char *word = w->sel->vifs[i]->verdict;
		bool first = true;

		if (!word || known_verdict(word))
			continue;
		for (size_t j = 0; j < i && first; j++)
			first = !w->sel->vifs[j]->verdict ||
				strcmp(w->sel->vifs[j]->verdict, word) != 0;
		if (first)
			ksample(w, "vifdiag_vifs", NULL, "verdict", word,
				(double)count_verdict(w->sel, word));
	}
}

static void vif_families(struct pw *w)
{
	end_families(w, true);
	end_families(w, false);
	queue_families(w);
	flag_family(w, "vifdiag_vif_hotplug_ok",
		    "1 the hotplug script reported success, 0 it failed; absent until it reports",
		    hotplug_ok);
	flag_family(w, "vifdiag_vif_on_bridge",
		    "1 the backend interface is on the bridge xenstore asks for, else 0; absent "
		    "without host facts or a requested bridge",
		    on_bridge);
	flag_family(w, "vifdiag_vif_link_up", "1 the backend interface is up (IFF_UP), else 0",
		    link_up);
	flag_family(w, "vifdiag_vif_carrier", "1 the backend interface has carrier, else 0",
		    carrier);
	family(w, "vifdiag_vif_verdict_info", "What vifdiag says of the VIF (ok when it works)");
	for (size_t i = 0; i < w->sel->n; i++) {
		const char *vd = w->sel->vifs[i]->verdict;

		ksample(w, "vifdiag_vif_verdict_info", w->labels[i], "verdict", vd ? vd : "", 1);
	}
	finding_families(w);
}

int vd_render_prom(FILE *out, const struct vd_host *h, const struct vd_selection *sel,
		   const struct vd_prom_meta *m)
{
	struct pw w = { .out = out, .sel = sel };

	vd_buf_init(&w.line);
	family(&w, "vifdiag_up",
	       "1 the last collection read the source, 0 it could not (vifdiag_error_info)");
	fprintf(out, "vifdiag_up %d\n", m->up);
	if (!m->up) {
		family(&w, "vifdiag_error_info",
		       "Why the last collection could not read the source");
		ksample(&w, "vifdiag_error_info", NULL, "reason", m->reason ? m->reason : "", 1);
	}
	family(&w, "vifdiag_scrape_duration_seconds", "How long the last collection took");
	fprintf(out, "vifdiag_scrape_duration_seconds %.6f\n", m->duration_s);
	if (m->up && h && sel) {
		make_labels(&w);
		host_families(&w);
		vif_families(&w);
		vd_strv_free(w.labels, sel->n);
	}
	vd_buf_free(&w.line);
	return ferror(out) ? -1 : 0;
}
