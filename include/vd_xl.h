/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The toolstack's view, a third source next to xenstore and sysfs: what libxenlight says
 * about the domains (run state from the hypervisor) and the NICs it manages
 * (libxl_device_nic_list reads /libxl/<domid>/device/vif). Only on a live Xen host and
 * only when vifdiag is built with libxenlight (HAVE_LIBXL); everywhere else the facts are
 * "unavailable" with a reason and the rest of vifdiag works from xenstore alone.
 * vd_xl_read() collects plain facts; vd_xl_join() attaches them to the model (and adds a
 * VIF for a NIC libxl lists but the store has no end of); vd_diagnose_xl() turns them
 * into findings. Nothing here prints.
 */
#ifndef VD_XL_H
#define VD_XL_H

#include <stdbool.h>
#include <stddef.h>

#include "vd_diag.h"
#include "vd_err.h"
#include "vd_model.h"

/* Most decisive first, as xl list's flags are read: dying > shutdown > paused > running. */
enum vd_run { VD_RUN_UNKNOWN, VD_RUN_RUNNING, VD_RUN_PAUSED, VD_RUN_SHUTDOWN, VD_RUN_DYING };

struct vd_xlnic {
	unsigned long devid;
	char mac[18]; /* aa:bb:cc:dd:ee:ff */
	char *bridge; /* owned, may be NULL */
	unsigned long backend_domid;
	/* filled by vd_xl_join */
	bool matched;		 /* a VIF of the store has this devid */
	char *fe_path, *be_path; /* owned: where the ends should be (for a VIF libxl alone has) */
};

struct vd_xldom {
	unsigned long domid;
	enum vd_run run;
	char *shutdown_reason; /* owned: poweroff, reboot, suspend, crash, ... when shut down */
	struct vd_xlnic *nics; /* sorted by devid */
	size_t nnics;
};

struct vd_xlfacts;

struct vd_xl {
	char *unavailable;     /* why there are no libxl facts (owned), else NULL */
	struct vd_xldom *doms; /* sorted by domid */
	size_t ndoms;
	struct vd_xlfacts *facts; /* filled by vd_xl_join, one per VIF */
	size_t nfacts;
};

/*
 * The libxl facts of this host. live false (a dump from another host): unavailable.
 * Never fails, never writes, never prints: libxl's own messages are captured, and the
 * last one becomes the reason when a call fails (no hypervisor, not dom0, ...).
 */
struct vd_xl *vd_xl_read(bool live);
/*
 * The same for a selection (status DOM..., show DOM/DEV, check DOM; ndoms 0: every domain):
 * every domain's run state (one hypercall), the NICs (/libxl/<domid>) of these only.
 */
struct vd_xl *vd_xl_read_doms(bool live, const unsigned long *doms, size_t ndoms);
void vd_xl_free(struct vd_xl *x);
const struct vd_xldom *vd_xl_domain(const struct vd_xl *x, unsigned long domid);
const char *vd_run_name(enum vd_run r); /* "running", ...; NULL for VD_RUN_UNKNOWN */

/* A bundle's libxl.json (src/xl_json.c): the facts as JSON (owned), and back again; a
 * malformed file is a VD_EXIT_SOURCE error naming it. Joined facts are not written. */
char *vd_xl_to_json(const struct vd_xl *x);
struct vd_xl *vd_xl_from_json(const char *buf, size_t len, const char *name, struct vd_err *err);

struct vd_xlfacts;
/* A VIF's run state word: vd_run_name, "gone" without a domain, NULL without facts. */
const char *vd_xl_run_state(const struct vd_xlfacts *f);

/* What vd_xl_join() attaches to one VIF (vd_vif.xl). */
struct vd_xlfacts {
	const struct vd_xldom *dom; /* NULL: the hypervisor has no such domain */
	const struct vd_xlnic *nic; /* NULL: libxl does not list this VIF */
	bool managed;		    /* libxl lists at least one NIC of this domain */
};

/*
 * Sets vd_vif.xl of every VIF (NULL when x is unavailable) and appends a VIF, with
 * neither end present, for each NIC libxl lists that the store has no end of. Call before
 * vd_host_join so that those VIFs get host facts too.
 */
void vd_xl_join(struct vd_host *h, struct vd_xl *x);
/* libxl rules: findings, and the verdicts of vd_xl_verdicts where they explain more. */
void vd_diagnose_xl(struct vd_host *h, const struct vd_xl *x);
extern const struct vd_verdict_info vd_xl_verdicts[];
const char *vd_xl_verdict_meaning(const char *verdict);

#endif
