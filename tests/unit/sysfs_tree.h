/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Throw-away sysfs trees for the host-side unit tests, laid out like a real dom0's
 * (facts §7, xen-lab item 12): /sys/class/net/<if> -> ../../devices/.../net/<if>, xenbus
 * devices at /sys/devices/vif-<d>-<n> with `nodename`, `master` and `brport/bridge` links,
 * queues/tx-N, xen_netback parameters, debugfs xen-netback/<if>/io_ring_qN.
 */
#ifndef SYSFS_TREE_H
#define SYSFS_TREE_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vd_util.h"

struct st {
	char root[64];
};

static inline void st_mkdirs(const char *path)
{
	char *p = vd_strdup(path);

	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	mkdir(p, 0755);
	free(p);
}

static inline void st_init(struct st *s)
{
	snprintf(s->root, sizeof(s->root), "/tmp/vd-sysfs.XXXXXX");
	if (!mkdtemp(s->root))
		abort();
}

static inline char *st_path(const struct st *s, const char *rel)
{
	return vd_asprintf("%s/%s", s->root, rel);
}

static inline void st_file(const struct st *s, const char *rel, const char *content)
{
	char *p = st_path(s, rel);
	char *dir = vd_strdup(p);
	FILE *f;

	*strrchr(dir, '/') = '\0';
	st_mkdirs(dir);
	f = fopen(p, "w");
	if (!f)
		abort();
	fputs(content, f);
	fclose(f);
	free(dir);
	free(p);
}

static inline void st_link(const struct st *s, const char *rel, const char *target)
{
	char *p = st_path(s, rel);
	char *dir = vd_strdup(p);

	*strrchr(dir, '/') = '\0';
	st_mkdirs(dir);
	unlink(p);
	if (symlink(target, p) != 0)
		abort();
	free(dir);
	free(p);
}

static inline int st_rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static inline void st_free(struct st *s)
{
	if (s->root[0])
		nftw(s->root, st_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	s->root[0] = '\0';
}

/* One netdev; xb set: a netback device /sys/devices/<xb>, else a virtual one. */
struct st_dev {
	const char *name;
	const char *xb;	       /* "vif-1-0", or NULL */
	const char *nodename;  /* default backend/vif/<d>/<n> from xb */
	const char *master;    /* a virtual netdev (bridge, bond, ovs-system) */
	bool brport;	       /* a Linux bridge port of master */
	bool bridge;	       /* this is a Linux bridge */
	const char *operstate; /* default "up" */
	const char *carrier;   /* default "1"; "": no file (a down interface gives EINVAL) */
	const char *flags;     /* default 0x1303 (IFF_UP) */
	long mtu;	       /* default 1500 */
	int txq, rxq;	       /* default 1 each */
};

static inline void st_netdev(const struct st *s, const struct st_dev *d)
{
	char *dir = d->xb ? vd_asprintf("sys/devices/%s/net/%s", d->xb, d->name)
			  : vd_asprintf("sys/devices/virtual/net/%s", d->name);
	char *p, *v;
	int txq = d->txq ? d->txq : 1, rxq = d->rxq ? d->rxq : 1;

#define ST_AT(fmt, ...) (free(p), p = vd_asprintf("%s/" fmt, dir, __VA_ARGS__))
	p = NULL;
	ST_AT("%s", "operstate");
	v = vd_asprintf("%s\n", d->operstate ? d->operstate : "up");
	st_file(s, p, v);
	free(v);
	if (!d->carrier || *d->carrier) {
		ST_AT("%s", "carrier");
		v = vd_asprintf("%s\n", d->carrier ? d->carrier : "1");
		st_file(s, p, v);
		free(v);
	}
	ST_AT("%s", "flags");
	v = vd_asprintf("%s\n", d->flags ? d->flags : "0x1303");
	st_file(s, p, v);
	free(v);
	ST_AT("%s", "mtu");
	v = vd_asprintf("%ld\n", d->mtu ? d->mtu : 1500);
	st_file(s, p, v);
	free(v);
	ST_AT("%s", "address");
	st_file(s, p, "fe:ff:ff:ff:ff:ff\n");
	for (int i = 0; i < txq; i++) {
		ST_AT("queues/tx-%d/xps_cpus", i);
		st_file(s, p, "0\n");
	}
	for (int i = 0; i < rxq; i++) {
		ST_AT("queues/rx-%d/rps_cpus", i);
		st_file(s, p, "0\n");
	}
	if (d->bridge) {
		ST_AT("%s", "bridge/bridge_id");
		st_file(s, p, "8000.feffffffffff\n");
	}
	if (d->master) {
		ST_AT("%s", "master");
		v = d->xb ? vd_asprintf("../../../virtual/net/%s", d->master)
			  : vd_asprintf("../%s", d->master);
		st_link(s, p, v);
		free(v);
	}
	if (d->brport) {
		ST_AT("%s", "brport/bridge");
		v = d->xb ? vd_asprintf("../../../../virtual/net/%s", d->master)
			  : vd_asprintf("../../%s", d->master);
		st_link(s, p, v);
		free(v);
	}
	if (d->xb) {
		unsigned d1, n1;

		ST_AT("%s", "device");
		v = vd_asprintf("../../../%s", d->xb);
		st_link(s, p, v);
		free(v);
		free(p);
		p = vd_asprintf("sys/devices/%s/nodename", d->xb);
		if (d->nodename)
			v = vd_asprintf("%s\n", d->nodename);
		else if (sscanf(d->xb, "vif-%u-%u", &d1, &n1) == 2)
			v = vd_asprintf("backend/vif/%u/%u\n", d1, n1);
		else
			abort();
		st_file(s, p, v);
		free(v);
	}
#undef ST_AT
	free(p);
	p = vd_asprintf("sys/class/net/%s", d->name);
	v = vd_asprintf("../../%s", dir + strlen("sys/"));
	st_link(s, p, v);
	free(v);
	free(p);
	free(dir);
}

static inline void st_param(const struct st *s, const char *name, const char *value)
{
	char *p = vd_asprintf("sys/module/xen_netback/parameters/%s", name);

	st_file(s, p, value);
	free(p);
}

static inline void st_ring(const struct st *s, const char *vif, unsigned q, const char *text)
{
	char *p = vd_asprintf("sys/kernel/debug/xen-netback/%s/io_ring_q%u", vif, q);

	st_file(s, p, text);
	free(p);
}

/* io_ring_qN text as Linux 6.1 xenvif_read_io_ring prints it (values from the capture). */
static inline char *st_ioring(unsigned q, unsigned rx_req, unsigned rx_rsp, const char *credit,
			      unsigned usec, int timer, const char *rxq)
{
	return vd_asprintf("Queue %u\nTX: nr_ents 256\n"
			   "req prod 3 (0) cons 3 (0) event 4 (1)\n"
			   "rsp prod 3 (base) pvt 3 (0) event 4 (1)\n"
			   "pending prod 259 pending cons 3 nr_pending_reqs 0\n"
			   "dealloc prod 0 dealloc cons 0 dealloc_queue 0\n\n"
			   "RX: nr_ents 256\n"
			   "req prod %u (%d) cons %u (0) event 1 (-14)\n"
			   "rsp prod %u (base) pvt %u (0) event %u (1)\n\n"
			   "NAPI state: 10 NAPI weight: 64 TX queue len 0\n"
			   "Credit timer_pending: %d, credit: %s, usec: %u\n"
			   "remaining: 0, expires: 0, now: 4294905350\n\n"
			   "Rx internal queue: %s\n",
			   q, rx_req, (int)(rx_req - rx_rsp), rx_rsp, rx_rsp, rx_rsp, rx_rsp + 1,
			   timer, credit, usec, rxq);
}

#endif
