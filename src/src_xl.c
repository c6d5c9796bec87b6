// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libxenlight as a source (vd_xl.h). Three read-only calls: libxl_ctx_alloc,
 * libxl_list_domain (a hypercall: the run state xenstore cannot tell) and
 * libxl_device_nic_list (reads /libxl/<domid>/device/vif). Not libxl_domid_to_name: it
 * reads /local/domain/<d>/name, which the snapshot already holds, consistently. Not
 * libxl_device_nic_getinfo: it gives -1 for the rings and event channels of a multi-queue
 * VIF, which the store already has right. The e2e suite proves from the real xenstored's log that
 * these calls write nothing.
 */
#include "vd_xl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vd_util.h"

static int dom_cmp(const void *a, const void *b)
{
	unsigned long x = ((const struct vd_xldom *)a)->domid,
		      y = ((const struct vd_xldom *)b)->domid;

	return x < y ? -1 : x > y;
}

#ifdef HAVE_LIBXL
#include <libxl.h>
#include <libxl_utils.h>
#include <xentoollog.h>

static int nic_cmp(const void *a, const void *b)
{
	unsigned long x = ((const struct vd_xlnic *)a)->devid,
		      y = ((const struct vd_xlnic *)b)->devid;

	return x < y ? -1 : x > y;
}

/*
 * A logger that keeps libxl's last message instead of printing it: on a host without a
 * hypervisor libxl_ctx_alloc logs errors, and the tool must stay quiet there.
 */
struct quiet_logger {
	xentoollog_logger vtable;
	char last[256];
};

/* libxl prefixes its messages with "file.c:LINE:function: ": not for an admin's eyes */
static const char *past_position(const char *m)
{
	const char *p = strstr(m, ".c:");
	size_t digits;

	if (!p || strchr(m, ' ') < p)
		return m;
	p += 3;
	digits = strspn(p, "0123456789");
	if (!digits || p[digits] != ':')
		return m;
	p = strstr(p + digits + 1, ": ");
	return p ? p + 2 : m;
}

__attribute__((format(printf, 5, 0))) static void quiet_vmessage(xentoollog_logger *lg,
								 xentoollog_level level,
								 int errnoval, const char *context,
								 const char *format, va_list al)
{
	struct quiet_logger *q = (struct quiet_logger *)lg;
	char msg[200];

	if (level < XTL_ERROR)
		return;
	vsnprintf(msg, sizeof(msg), format, al);
	if (errnoval >= 0)
		snprintf(q->last, sizeof(q->last), "%s: %s", past_position(msg),
			 strerror(errnoval));
	else
		snprintf(q->last, sizeof(q->last), "%s", past_position(msg));
}

static void quiet_progress(xentoollog_logger *lg, const char *context, const char *doing_what,
			   int percent, unsigned long done, unsigned long total)
{
}

static void quiet_destroy(xentoollog_logger *lg)
{
}

static char *why(const struct quiet_logger *q, const char *call)
{
	return q->last[0] ? vd_asprintf("%s failed: %s", call, q->last)
			  : vd_asprintf("%s failed", call);
}

static void read_nics(libxl_ctx *ctx, struct vd_xldom *d)
{
	int n = 0;
	libxl_device_nic *nics = libxl_device_nic_list(ctx, (uint32_t)d->domid, &n);

	/* NULL with n 0 is both "no NIC" and a failed read: libxl does not tell them apart */
	if (!nics || n <= 0)
		return;
	d->nics = vd_calloc((size_t)n, sizeof(*d->nics));
	for (int i = 0; i < n; i++) {
		const libxl_device_nic *in = &nics[i];
		struct vd_xlnic *o = &d->nics[d->nnics];

		if (in->devid < 0)
			continue;
		o->devid = (unsigned long)in->devid;
		snprintf(o->mac, sizeof(o->mac), "%02x:%02x:%02x:%02x:%02x:%02x", in->mac[0],
			 in->mac[1], in->mac[2], in->mac[3], in->mac[4], in->mac[5]);
		o->bridge = in->bridge ? vd_strdup(in->bridge) : NULL;
		o->backend_domid = in->backend_domid;
		d->nnics++;
	}
	libxl_device_nic_list_free(nics, n);
	qsort(d->nics, d->nnics, sizeof(*d->nics), nic_cmp);
}

static enum vd_run run_of(const libxl_dominfo *i)
{
	if (i->dying)
		return VD_RUN_DYING;
	if (i->shutdown)
		return VD_RUN_SHUTDOWN;
	if (i->paused)
		return VD_RUN_PAUSED;
	return VD_RUN_RUNNING;
}

static const char *reason_name(libxl_shutdown_reason r)
{
	const char *s = libxl_shutdown_reason_to_string(r);

	return s ? s : "unknown";
}

static bool selected(unsigned long domid, const unsigned long *doms, size_t ndoms)
{
	for (size_t i = 0; i < ndoms; i++)
		if (doms[i] == domid)
			return true;
	return ndoms == 0;
}

static void read_libxl(struct vd_xl *x, const unsigned long *doms, size_t ndoms)
{
	struct quiet_logger q = {
		.vtable = { .vmessage = quiet_vmessage,
			    .progress = quiet_progress,
			    .destroy = quiet_destroy },
	};
	libxl_ctx *ctx = NULL;
	libxl_dominfo *info;
	int n = 0;

	if (libxl_ctx_alloc(&ctx, LIBXL_VERSION, 0, &q.vtable) != 0 || !ctx) {
		x->unavailable = why(&q, "libxl_ctx_alloc");
		return;
	}
	info = libxl_list_domain(ctx, &n);
	if (!info) {
		x->unavailable = why(&q, "libxl_list_domain");
		libxl_ctx_free(ctx);
		return;
	}
	x->doms = vd_calloc(n > 0 ? (size_t)n : 1, sizeof(*x->doms));
	for (int i = 0; i < n; i++) {
		struct vd_xldom *d = &x->doms[x->ndoms++];

		d->domid = info[i].domid;
		d->run = run_of(&info[i]);
		if (info[i].shutdown)
			d->shutdown_reason = vd_strdup(reason_name(info[i].shutdown_reason));
		if (selected(d->domid, doms, ndoms))
			read_nics(ctx, d);
	}
	libxl_dominfo_list_free(info, n);
	libxl_ctx_free(ctx);
	qsort(x->doms, x->ndoms, sizeof(*x->doms), dom_cmp);
}
#else
static void read_libxl(struct vd_xl *x, const unsigned long *doms, size_t ndoms)
{
	(void)doms;
	(void)ndoms;
	x->unavailable = vd_strdup("vifdiag was built without libxenlight");
}
#endif

struct vd_xl *vd_xl_read_doms(bool live, const unsigned long *doms, size_t ndoms)
{
	struct vd_xl *x = vd_calloc(1, sizeof(*x));

	if (!live)
		x->unavailable = vd_strdup("not a live source: libxl describes this host only");
	else
		read_libxl(x, doms, ndoms);
	return x;
}

struct vd_xl *vd_xl_read(bool live)
{
	return vd_xl_read_doms(live, NULL, 0);
}

void vd_xl_free(struct vd_xl *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->ndoms; i++) {
		struct vd_xldom *d = &x->doms[i];

		for (size_t j = 0; j < d->nnics; j++) {
			free(d->nics[j].bridge);
			free(d->nics[j].fe_path);
			free(d->nics[j].be_path);
		}
		free(d->nics);
		free(d->shutdown_reason);
	}
	free(x->doms);
	free(x->facts);
	free(x->unavailable);
	free(x);
}

const struct vd_xldom *vd_xl_domain(const struct vd_xl *x, unsigned long domid)
{
	struct vd_xldom key = { .domid = domid };

	if (!x || !x->ndoms)
		return NULL;
	return bsearch(&key, x->doms, x->ndoms, sizeof(*x->doms), dom_cmp);
}

const char *vd_xl_run_state(const struct vd_xlfacts *f)
{
	return !f ? NULL : f->dom ? vd_run_name(f->dom->run) : "gone";
}

const char *vd_run_name(enum vd_run r)
{
	static const char *const names[] = { NULL, "running", "paused", "shutdown", "dying" };

	return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : NULL;
}
