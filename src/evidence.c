// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Evidence of findings: a rule that knows more attaches facts itself (the time and
 * multi-queue rules: log lines, durations); vd_evidence_fill then adds, for every finding,
 * the inputs its catalogue row names, with the values this run saw (vd_catalogue.h).
 */
#include "vd_evidence.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vd_catalogue.h"
#include "vd_sysfs.h"
#include "vd_util.h"
#include "vd_xl.h"

void vd_finding_add_evidence(struct vd_finding *f, enum vd_evkind kind, const char *where,
			     const char *value, size_t len, const char *note)
{
	struct vd_evidence *e;

	for (size_t i = 0; i < f->nev; i++)
		if (f->ev[i].kind == kind && strcmp(f->ev[i].where, where) == 0)
			return; /* named by the rule and by the catalogue: once */
	f->ev = vd_realloc(f->ev, (f->nev + 1) * sizeof(*f->ev));
	e = &f->ev[f->nev++];
	e->kind = kind;
	e->where = vd_strdup(where);
	e->value = value ? vd_memdup0(value, len) : NULL;
	e->len = value ? len : 0;
	e->note = note;
}

struct vd_finding *vd_vif_last_finding(struct vd_vif *v)
{
	return v->nfindings ? &v->findings[v->nfindings - 1] : NULL;
}

void vd_finding_free_evidence(struct vd_finding *f)
{
	for (size_t i = 0; i < f->nev; i++) {
		free(f->ev[i].where);
		free(f->ev[i].value);
	}
	free(f->ev);
	f->ev = NULL;
	f->nev = 0;
}

static void add_str(struct vd_finding *f, enum vd_evkind kind, const char *where, const char *value,
		    const char *note)
{
	vd_finding_add_evidence(f, kind, where, value, value ? strlen(value) : 0, note);
}

/* A xenstore key: its value, or why there is none. */
static void xs_key(struct vd_finding *f, const struct vd_snap *snap, const char *dir,
		   const char *key)
{
	char *path;
	const struct vd_node *n;

	if (!dir)
		return;
	path = vd_asprintf("%s/%s", dir, key);
	n = vd_snap_get(snap, path);
	if (!n)
		add_str(f, VD_EV_XS, path, NULL, "absent");
	else if (n->flags & VD_NODE_NOVALUE)
		add_str(f, VD_EV_XS, path, NULL, "unreadable");
	else
		vd_finding_add_evidence(f, VD_EV_XS, path, n->value, n->len,
					n->flags & VD_NODE_TRUNCATED ? "truncated" : NULL);
	free(path);
}

/* The present keys of every queue-N dir (or the flat layout's, already covered by fe:). */
static void queue_keys(struct vd_finding *f, const struct vd_host *h, const struct vd_vif *v,
		       const char *key)
{
	for (size_t i = 0; i < v->nqueues; i++)
		if (v->layout != VD_LAYOUT_FLAT && v->queues[i].dir &&
		    strcmp(v->queues[i].dir, v->fe.path ? v->fe.path : "") != 0)
			xs_key(f, h->snap, v->queues[i].dir, key);
	if (v->layout == VD_LAYOUT_FLAT || v->layout == VD_LAYOUT_NONE)
		xs_key(f, h->snap, v->fe.path, key);
}

/* The guest's vCPUs: /local/domain/N/cpu/K/availability. */
static void guest_cpus(struct vd_finding *f, const struct vd_host *h, unsigned long domid)
{
	char *dir = vd_asprintf("/local/domain/%lu/cpu", domid);
	const char **names;
	size_t n = vd_snap_children(h->snap, dir, &names);

	if (!n)
		add_str(f, VD_EV_XS, dir, NULL, "absent");
	for (size_t i = 0; i < n; i++) {
		char *kdir = vd_asprintf("%s/%s", dir, names[i]);

		xs_key(f, h->snap, kdir, "availability");
		free(kdir);
	}
	free(names);
	free(dir);
	dir = vd_asprintf("/local/domain/%lu", domid);
	if (vd_snap_getf(h->snap, "%s/vcpu_avail", dir))
		xs_key(f, h->snap, dir, "vcpu_avail");
	free(dir);
}

/* root + rel (rel is owned and freed) */
static char *host_path(const struct vd_sysfs *s, char *rel)
{
	char *p = vd_asprintf("%s%s", vd_root_prefix(s ? s->root : NULL), rel);

	free(rel);
	return p;
}

/* One attribute of a netdev as the sysfs reader saw it. */
static void nd_attr(struct vd_finding *f, const struct vd_sysfs *s, const struct vd_netdev *nd,
		    const char *attr)
{
	char buf[64], *p;
	const char *val = NULL;

	if (!nd)
		return;
	if (strcmp(attr, "flags") == 0 && nd->flags >= 0) {
		snprintf(buf, sizeof(buf), "0x%lx", (unsigned long)nd->flags);
		val = buf;
	} else if (strcmp(attr, "mtu") == 0 && nd->mtu >= 0) {
		snprintf(buf, sizeof(buf), "%ld", nd->mtu);
		val = buf;
	} else if (strcmp(attr, "carrier") == 0 && nd->carrier >= 0) {
		val = nd->carrier ? "1" : "0";
	} else if (strcmp(attr, "operstate") == 0) {
		val = nd->operstate;
	} else if (strcmp(attr, "master") == 0) {
		val = nd->master;
	} else if (strcmp(attr, "queues") == 0 && nd->tx_queues >= 0) {
		snprintf(buf, sizeof(buf), "tx %ld rx %ld", nd->tx_queues, nd->rx_queues);
		val = buf;
	} else if (strcmp(attr, "name") == 0) {
		val = nd->name;
	}
	p = host_path(
		s, vd_asprintf("/sys/class/net/%s/%s", nd->name, strcmp(attr, "name") ? attr : ""));
	if (p[strlen(p) - 1] == '/')
		p[strlen(p) - 1] = '\0';
	add_str(f, VD_EV_HOST, p, val, val ? NULL : "absent");
	free(p);
}

static void nb_param(struct vd_finding *f, const struct vd_sysfs *s, const struct vd_nbparams *nb,
		     const char *param)
{
	char buf[32], *p;
	long v = -1;

	if (!nb)
		return;
	if (strcmp(param, "loaded") == 0) {
		p = host_path(s, vd_strdup("/sys/module/xen_netback"));
		add_str(f, VD_EV_HOST, p, nb->loaded ? "present" : NULL,
			nb->loaded ? NULL : "absent");
		free(p);
		return;
	}
	if (strcmp(param, "max_queues") == 0)
		v = nb->max_queues;
	else if (strcmp(param, "rx_stall_timeout_msecs") == 0)
		v = nb->rx_stall_timeout_msecs;
	snprintf(buf, sizeof(buf), "%ld", v);
	p = host_path(s, vd_asprintf(VD_NB_PARAMS "/%s", param));
	add_str(f, VD_EV_HOST, p, v >= 0 ? buf : NULL, v >= 0 ? NULL : "absent");
	free(p);
}

static void rings(struct vd_finding *f, const struct vd_sysfs *s, const struct vd_nbdebug *dbg)
{
	for (size_t i = 0; dbg && i < dbg->nrings; i++) {
		const struct vd_ioring *r = &dbg->rings[i];
		char q[32], *p, *val;

		snprintf(q, sizeof(q), "io_ring_q%lu", r->id);
		p = host_path(s, vd_asprintf("/sys/kernel/debug/xen-netback/%s/%s", dbg->name, q));
		if (r->error)
			val = vd_strdup(r->error);
		else
			val = vd_asprintf(
				"tx req_prod %u rsp_prod %u; rx req_prod %u rsp_prod %u%s%s",
				r->tx.req_prod, r->tx.rsp_prod, r->rx.req_prod, r->rx.rsp_prod,
				r->rxq_ok && r->rxq_stopped ? "; rx queue stopped" : "",
				r->credit_ok && r->timer_pending ? "; out of credit" : "");
		add_str(f, VD_EV_HOST, p, val, r->error ? "unreadable" : NULL);
		free(val);
		free(p);
	}
}

static void input(struct vd_finding *f, const struct vd_host *h, const struct vd_sysfs *s,
		  const struct vd_vif *v, const char *in)
{
	const struct vd_hostfacts *hf = v->host;

	if (vd_startswith(in, "be:"))
		xs_key(f, h->snap, v->be.present ? v->be.path : NULL, in + 3);
	else if (vd_startswith(in, "fe:"))
		xs_key(f, h->snap, v->fe.present ? v->fe.path : NULL, in + 3);
	else if (vd_startswith(in, "q:"))
		queue_keys(f, h, v, in + 2);
	else if (strcmp(in, "dom:cpu") == 0)
		guest_cpus(f, h, v->domid);
	else if (vd_startswith(in, "dom:") && v->be.domid >= 0 && vd_startswith(in + 4, "libxl/")) {
		char *dir = vd_asprintf("/local/domain/%ld", v->be.domid);

		xs_key(f, h->snap, dir, in + 4);
		free(dir);
	} else if (strcmp(in, "err") == 0 && (v->fe.error || v->be.error)) {
		const struct vd_node *n = v->be.error ? v->be.error : v->fe.error;
		char *where = vd_snap_path_dup(h->snap, n);

		vd_finding_add_evidence(f, VD_EV_XS, where, n->value, n->len, NULL);
		free(where);
	} else if (vd_startswith(in, "nd:") && hf) {
		if (!hf->nd && strcmp(in + 3, "name") == 0)
			add_str(f, VD_EV_HOST, "netdev", NULL, "absent");
		nd_attr(f, s, hf->nd, in + 3);
	} else if (vd_startswith(in, "br:") && hf) {
		nd_attr(f, s, hf->br, in + 3);
	} else if (vd_startswith(in, "nb:") && hf) {
		nb_param(f, s, hf->nb, in + 3);
	} else if (strcmp(in, "ring") == 0 && hf) {
		rings(f, s, hf->dbg);
	}
	/* node, log, time, cpu, irq, xl: the rule attaches them itself (or its message is
	 * the fact, as for xl's run state) */
}

void vd_evidence_fill(struct vd_host *h, const struct vd_sysfs *s)
{
	for (size_t i = 0; i < h->nvifs; i++) {
		struct vd_vif *v = h->vifs[i];

		for (size_t j = 0; j < v->nfindings; j++) {
			struct vd_finding *f = &v->findings[j];
			const struct vd_rule *r = vd_rule_lookup(f->code);
			const char *p = r ? r->inputs : "";

			while (*p) {
				size_t n = strcspn(p, " ");
				char *in = vd_strndup(p, n);

				input(f, h, s, v, in);
				free(in);
				p += n;
				p += strspn(p, " ");
			}
		}
	}
}

const char *vd_evidence_kind_name(enum vd_evkind k)
{
	switch (k) {
	case VD_EV_XS:
		return "xenstore";
	case VD_EV_HOST:
		return "host";
	case VD_EV_LOG:
		return "log";
	default:
		return "time";
	}
}
