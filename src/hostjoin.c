// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Joins the host facts (vd_sysfs) to the model: which netdev serves which backend, what
 * it is attached to, its debugfs rings. A netdev is found by its xenbus device's
 * `nodename` first (reference §7.1: survives vifname renames), by name only as a fallback,
 * and never by a name whose device says it serves another backend.
 */
#include "vd_sysfs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vd_render.h"
#include "vd_util.h"

static const char *keep(struct vd_sysfs *s, char *str)
{
	s->strs = vd_realloc(s->strs, (s->nstrs + 1) * sizeof(*s->strs));
	s->strs[s->nstrs++] = str;
	return str;
}

/* "backend/vif/1/0" of "/local/domain/0/backend/vif/1/0": what device/nodename holds. */
static const char *be_rel(const struct vd_vif *v)
{
	const char *p = v->be.path;

	if (!p || !vd_startswith(p, "/local/domain/"))
		return NULL;
	p = strchr(p + strlen("/local/domain/"), '/');
	return p ? p + 1 : NULL;
}

static bool is_backend_node(const struct vd_netdev *nd)
{
	return nd->nodename && vd_startswith(nd->nodename, "backend/vif/");
}

/*
 * Which domain this sysfs belongs to: the one whose backend dirs the xen-backend netdevs
 * name. Without any such netdev (no VIF plumbed, or a test namespace) assume dom0.
 */
static long local_domid(const struct vd_host *h, const struct vd_sysfs *s, bool *assumed)
{
	size_t *hits = vd_calloc(h->nvifs ? h->nvifs : 1, sizeof(*hits)), best = 0;
	long dom = 0;

	/* hits[i]: netdevs naming a backend dir of VIF i's backend domain */
	for (size_t j = 0; j < s->ndevs; j++) {
		for (size_t i = 0; is_backend_node(&s->devs[j]) && i < h->nvifs; i++) {
			const char *rel = be_rel(h->vifs[i]);

			if (rel && h->vifs[i]->be.domid >= 0 &&
			    strcmp(s->devs[j].nodename, rel) == 0)
				hits[i]++;
		}
	}
	for (size_t i = 0; i < h->nvifs; i++) {
		size_t n = 0;

		for (size_t k = 0; hits[i] && k < h->nvifs; k++)
			if (h->vifs[k]->be.domid == h->vifs[i]->be.domid)
				n += hits[k];
		if (n > best || (n && n == best && h->vifs[i]->be.domid < dom)) {
			best = n;
			dom = h->vifs[i]->be.domid;
		}
	}
	free(hits);
	*assumed = best == 0;
	return dom;
}

/* The name netback gives the netdev at probe time, before any vifname rename. */
static const char *netback_name(const struct vd_vif *v, char buf[static 32])
{
	snprintf(buf, 32, "vif%lu.%lu", v->domid, v->devid);
	return buf;
}

static void map_netdev(struct vd_sysfs *s, const struct vd_vif *v, struct vd_hostfacts *f)
{
	const char *rel = be_rel(v);
	char dflt[32], want[32], *clash = NULL;
	const char *names[2];

	for (size_t i = 0; rel && i < s->ndevs; i++) {
		if (is_backend_node(&s->devs[i]) && strcmp(s->devs[i].nodename, rel) == 0) {
			f->nd = &s->devs[i];
			f->mapped_by = "device-link";
			return;
		}
	}
	names[0] = vd_vif_netdev(v, want, sizeof(want));
	names[1] = netback_name(v, dflt);
	for (size_t i = 0; i < 2 && !f->nd; i++) {
		const struct vd_netdev *nd = vd_sysfs_netdev(s, names[i]);

		if (nd && nd->nodename && (!rel || strcmp(nd->nodename, rel) != 0)) {
			if (!clash)
				clash = vd_asprintf("; %s serves %s", nd->name, nd->nodename);
		} else if (nd) {
			f->nd = nd;
			f->mapped_by = "name";
		}
	}
	if (!f->nd)
		f->netdev_missing = keep(s, vd_asprintf("no interface's device names %s, and no "
							"interface is named %s%s%s%s",
							rel ? rel : v->be.path, names[0],
							strcmp(names[0], names[1]) ? " or " : "",
							strcmp(names[0], names[1]) ? names[1] : "",
							clash ? clash : ""));
	free(clash);
}

/* HVM emulated twins: libxl's <name>-emu, XenServer's tap<d>.<n>. */
static void find_twins(struct vd_sysfs *s, const struct vd_vif *v, struct vd_hostfacts *f)
{
	char *cand[3];

	cand[0] = vd_asprintf("%s-emu", f->nd->name);
	cand[1] = vd_asprintf("vif%lu.%lu-emu", v->domid, v->devid); /* before a rename */
	cand[2] = vd_asprintf("tap%lu.%lu", v->domid, v->devid);
	for (size_t i = 0; i < 3; i++) {
		const struct vd_netdev *t = vd_sysfs_netdev(s, cand[i]);
		bool dup = t == f->nd;

		for (size_t j = 0; t && j < f->ntwins; j++)
			dup |= f->twins[j] == t;
		if (t && !dup) {
			f->twins = vd_realloc(f->twins, (f->ntwins + 1) * sizeof(*f->twins));
			f->twins[f->ntwins++] = t;
		}
	}
	for (size_t i = 0; i < 3; i++)
		free(cand[i]);
}

/* What a netdev is attached to; kind "linux", "ovs" or NULL. */
const char *vd_host_attachment(const struct vd_sysfs *s, const struct vd_netdev *nd,
			       const char **kind)
{
	const struct vd_netdev *m = nd->master ? vd_sysfs_netdev(s, nd->master) : NULL;

	*kind = NULL;
	if (nd->brport || (m && m->is_bridge)) {
		*kind = "linux";
		return nd->brport_bridge ? nd->brport_bridge : nd->master;
	}
	if (nd->master && strcmp(nd->master, "ovs-system") == 0) {
		*kind = "ovs";
		return nd->ovs_bridge;
	}
	return NULL;
}

static void attach_facts(struct vd_sysfs *s, const struct vd_vif *v, struct vd_hostfacts *f)
{
	const struct vd_netdev *nd = f->nd;
	char dflt[32];

	f->bridge = vd_host_attachment(s, nd, &f->bridge_kind);
	if (f->bridge_kind && strcmp(f->bridge_kind, "ovs") == 0 && !f->bridge)
		f->bridge_note = nd->ovs_note;
	if (!f->bridge_kind)
		f->master = nd->master;
	f->br = f->bridge ? vd_sysfs_netdev(s, f->bridge) : NULL;
	find_twins(s, v, f);
	/* the debugfs dir keeps the name the netdev had when the frontend connected */
	f->dbg = vd_sysfs_debug(s, nd->name);
	if (!f->dbg)
		f->dbg = vd_sysfs_debug(s, netback_name(v, dflt));
	if (!f->dbg)
		f->rings_note =
			s->debugfs_note
				? s->debugfs_note
				: keep(s, vd_asprintf("no debugfs entry xen-netback/%s (it exists "
						      "while the frontend is connected)",
						      nd->name));
}

void vd_host_join(struct vd_host *h, struct vd_sysfs *s)
{
	bool assumed = true;
	long local = 0;

	s->facts = vd_calloc(h->nvifs ? h->nvifs : 1, sizeof(*s->facts));
	s->nfacts = h->nvifs;
	/* a bundle made by a user who could not read everything: what the analysis lacks */
	for (size_t i = 0; i < s->ngaps; i++) {
		h->notes = vd_realloc(h->notes, (h->nnotes + 1) * sizeof(*h->notes));
		h->notes[h->nnotes++] = vd_strdup(s->gaps[i]);
	}
	if (!s->unavailable)
		local = local_domid(h, s, &assumed);
	else if (s->asked) {
		/* a mistyped --sysfs-root must not pass for "no host facts wanted" */
		h->notes = vd_realloc(h->notes, (h->nnotes + 1) * sizeof(*h->notes));
		h->notes[h->nnotes++] = vd_asprintf("no host side from --sysfs-root %s: %s",
						    s->root, s->unavailable);
	}
	for (size_t i = 0; i < h->nvifs; i++) {
		struct vd_vif *v = h->vifs[i];
		struct vd_hostfacts *f = &s->facts[i];

		v->host = NULL;
		if (s->unavailable) {
			v->host_unavailable = s->unavailable;
			continue;
		}
		if (!v->be.present) {
			v->host_unavailable = "the backend is not in xenstore";
			continue;
		}
		if (v->be.domid < 0) {
			v->host_unavailable = "the backend is not under /local/domain/<domid>";
			continue;
		}
		if (v->be.domid != local) {
			v->host_unavailable = keep(s, vd_asprintf("the backend is in domain %ld; "
								  "this sysfs is domain %ld's%s",
								  v->be.domid, local,
								  assumed ? " (assumed)" : ""));
			continue;
		}
		f->nb = &s->nb;
		f->local_domid = local;
		f->local_assumed = assumed;
		map_netdev(s, v, f);
		if (f->nd)
			attach_facts(s, v, f);
		v->host = f;
		v->host_unavailable = NULL;
	}
}

const char *vd_host_link_word(const struct vd_netdev *nd)
{
	if (!nd)
		return NULL;
	if (nd->flags >= 0 && !(nd->flags & VD_IFF_UP))
		return "off";
	if (nd->operstate)
		return nd->operstate;
	return nd->carrier == 0 ? "down" : NULL;
}
