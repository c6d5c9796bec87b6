/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host side of a VIF, a second source next to xenstore: what the backend domain's
 * sysfs, debugfs and xen_netback module parameters say (reference §7), read-only, under a
 * root directory (`--sysfs-root`, default `/`). vd_sysfs_read() only collects plain facts;
 * vd_host_join() attaches them to the model's VIFs; vd_diagnose_host() turns them into
 * findings. Nothing here prints.
 */
#ifndef VD_SYSFS_H
#define VD_SYSFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vd_diag.h"
#include "vd_model.h"

#define VD_IFF_UP 0x1 /* the IFF_UP bit of /sys/class/net/<if>/flags */

/* One half (TX or RX) of a shared ring as xenvif_read_io_ring prints it. RING_IDX is u32. */
struct vd_ring_side {
	bool ok; /* both index lines were found */
	unsigned long nr_ents;
	uint32_t req_prod, req_cons, req_event;
	uint32_t rsp_prod, rsp_pvt, rsp_event;
};

/* debugfs xen-netback/<vif>/io_ring_q<N>. */
struct vd_ioring {
	unsigned long id; /* N */
	char *error;	  /* why it could not be read (owned), else NULL */
	struct vd_ring_side tx, rx;
	bool pending_ok;
	unsigned long long nr_pending_reqs; /* TX requests netback holds */
	bool credit_ok;			    /* the rate limiter lines */
	bool timer_pending;		    /* out of credit: waiting for the refill timer */
	unsigned long long credit_bytes, credit_usec, remaining;
	bool rxq_ok; /* "Rx internal queue: len L max M pkts P stopped|running" */
	unsigned long long rxq_len, rxq_max, rxq_pkts;
	bool rxq_stopped;
};

/* RX buffers the guest posted that netback has not filled yet (req prod - rsp prod). */
uint32_t vd_ioring_rx_posted(const struct vd_ioring *r);
/* The rate limiter is off (netback's ~0UL credit, or no interval). */
bool vd_ioring_unlimited(const struct vd_ioring *r);

/* One directory of debugfs xen-netback/: named after the netdev at connect time. */
struct vd_nbdebug {
	char *name;
	struct vd_ioring *rings; /* sorted by id */
	size_t nrings;
};

/* One /sys/class/net/<if>. Every string is owned; -1 / NULL mean "not readable". */
struct vd_netdev {
	char *name;
	char *device;	/* basename of the `device` link, e.g. vif-1-0 */
	char *nodename; /* device/nodename, e.g. backend/vif/1/0 (xenbus devices only) */
	char *xb_state; /* device/state, e.g. Connected (newer kernels) */
	char *operstate;
	int carrier; /* 0/1, -1 when unreadable (EINVAL while the interface is down) */
	long flags;
	long mtu;
	char *address;
	char *master;		   /* basename of the `master` link */
	bool brport;		   /* brport/ exists: a Linux bridge port */
	char *brport_bridge;	   /* basename of brport/bridge */
	bool is_bridge;		   /* bridge/ exists: this is a Linux bridge */
	long tx_queues, rx_queues; /* tx-N / rx-N entries under queues/, -1 without queues/ */
	char *ovs_bridge;	   /* `ovs-vsctl port-to-br` when master is ovs-system */
	char *ovs_note;		   /* why ovs_bridge is NULL */
};

/* netback's module parameters under the root (one spelling for the reader and the rules) */
#define VD_NB_PARAMS "/sys/module/xen_netback/parameters"

/* VD_NB_PARAMS; -1 when a parameter is absent. */
struct vd_nbparams {
	bool loaded; /* /sys/module/xen_netback exists (module or built in) */
	long max_queues;
	int separate_tx_rx_irq; /* Y 1, N 0 */
	long rx_drain_timeout_msecs, rx_stall_timeout_msecs;
	long fatal_skb_slots, hash_cache_size;
	int provides_xdp_headroom;
};

/* What vd_host_join() attaches to one VIF (vd_vif.host). Pointers into the vd_sysfs. */
struct vd_hostfacts {
	const struct vd_netdev *nd;	/* NULL: no netdev for this backend */
	const char *netdev_missing;	/* why nd is NULL */
	const char *mapped_by;		/* "device-link" (device/nodename) or "name" */
	const struct vd_netdev **twins; /* HVM emulated NIC: <name>-emu, XenServer tap<d>.<n> */
	size_t ntwins;
	const char *bridge;	      /* what nd is really attached to, NULL if nothing known */
	const char *bridge_kind;      /* "linux", "ovs" or NULL */
	const char *bridge_note;      /* why an OVS port's bridge is unknown */
	const char *master;	      /* nd's master when it is neither (a bond, a VRF, ...) */
	const struct vd_netdev *br;   /* the bridge's own netdev, if in sysfs */
	const struct vd_nbdebug *dbg; /* debugfs rings */
	const char *rings_note;	      /* why dbg is NULL */
	const struct vd_nbparams *nb;
	long local_domid;   /* the backend domain the sysfs belongs to */
	bool local_assumed; /* ... guessed (no xen-backend netdev named one) */
};

struct vd_sysfs {
	char *root;		/* as messages and evidence name it; NULL: not read */
	char *dir;		/* where the files are (a bundle's: a temporary dir) */
	bool asked;		/* the user named root: say so when it gives nothing */
	char *unavailable;	/* why no host facts at all, else NULL */
	struct vd_netdev *devs; /* sorted by name */
	size_t ndevs;
	struct vd_nbdebug *dbg; /* sorted by name */
	size_t ndbg;
	char *debugfs_note; /* why debugfs gave nothing, else NULL */
	char **gaps;	    /* a bundle: what it lacks because its host could not read it */
	size_t ngaps;
	struct vd_nbparams nb;
	/* filled by vd_host_join */
	struct vd_hostfacts *facts;
	size_t nfacts;
	char **strs; /* formatted reasons */
	size_t nstrs;
};

/*
 * Reads everything under root ("/" for this system). root NULL means there is nothing to
 * read (a dump from another host): every VIF then says so. require_xen (the default root,
 * not one the user named): a system that is no Xen domain has no host side to read.
 * Never writes, never fails: what cannot be read is recorded with a reason.
 * `ovs-vsctl port-to-br` runs (with a timeout) only for OVS ports that look like VIFs or
 * their twins, only when the tool exists, and only for the real root "/" unless
 * VIFDIAG_OVS_VSCTL names the tool to use.
 */
struct vd_sysfs *vd_sysfs_read(const char *root, bool require_xen);

/*
 * What the reader opened, for `vifdiag dump` to copy exactly those objects (one list of
 * what status reads, here, instead of a second one that could drift). path is under the
 * root, starting with "/sys/". FILE: a file read; LINK: a symlink read; DIR: a directory
 * whose existence counts; LIST: a directory whose entries were listed.
 */
enum vd_sysfs_seen { VD_SEEN_FILE, VD_SEEN_LINK, VD_SEEN_DIR, VD_SEEN_LIST };
typedef void (*vd_sysfs_seen_fn)(void *arg, enum vd_sysfs_seen kind, const char *path);

struct vd_sysfs_opts {
	const char *root;
	const char *shown; /* the root as messages name it; NULL: root */
	bool require_xen;
	vd_sysfs_seen_fn seen; /* NULL: nobody asks */
	void *arg;
	/* a bundle: ovs-vsctl port-to-br answers as files <dir>/<port> instead of the tool */
	const char *ovs_answers;
	/* a bundle: the errno its host got for path (under the root), which the bundle then
	 * lacks; 0 when it has it or the host had nothing there either */
	int (*gone)(void *gone_arg, const char *path);
	void *gone_arg;
};
struct vd_sysfs *vd_sysfs_read_with(const struct vd_sysfs_opts *o);
void vd_sysfs_free(struct vd_sysfs *s);
const struct vd_netdev *vd_sysfs_netdev(const struct vd_sysfs *s, const char *name);
const struct vd_nbdebug *vd_sysfs_debug(const struct vd_sysfs *s, const char *name);

/* Parses one io_ring_qN text; false when it does not have the expected shape. */
bool vd_ioring_parse(const char *text, struct vd_ioring *r);

/*
 * Reads debugfs xen-netback/<name>/ of the root s was read from again (a later reading of
 * the same rings, read-only as the first): 0, or the errno of the directory (ENOENT: the
 * VIF was detached, EACCES: debugfs is root-only) with *why (owned) saying so. A ring
 * file that cannot be read has its error, as vd_sysfs_read gives it.
 */
int vd_nbdebug_read(const struct vd_sysfs *s, const char *name, struct vd_nbdebug *out, char **why);
void vd_nbdebug_clear(struct vd_nbdebug *d);

/*
 * Runs argv (argv[0] a path) with stdin and stderr on /dev/null and returns its stdout, or
 * NULL with *why (owned) saying why: not started, exit status, signal, or the timeout
 * (the child is then killed).
 */
char *vd_run_capture(char *const argv[], unsigned timeout_ms, char **why);
/* The same keeping up to max bytes of stdout; *cut says whether more was dropped. */
char *vd_run_capture_max(char *const argv[], unsigned timeout_ms, size_t max, bool *cut,
			 char **why);

/* Sets vd_vif.host / host_unavailable of every VIF of h. */
void vd_host_join(struct vd_host *h, struct vd_sysfs *s);
/* What nd is attached to (a bridge name or NULL); *kind "linux", "ovs" or NULL. */
const char *vd_host_attachment(const struct vd_sysfs *s, const struct vd_netdev *nd,
			       const char **kind);

/* Host rules: findings, and an `ok` verdict may become one of vd_host_verdicts. */
void vd_diagnose_host(struct vd_host *h, const struct vd_sysfs *s);
extern const struct vd_verdict_info vd_host_verdicts[];
/* The meaning of a host verdict word, NULL for any other word. */
const char *vd_host_verdict_meaning(const char *verdict);

/* What the renderers show in the status LINK column: up, down (no carrier), off (IFF_UP
 * clear) or another operstate; NULL when unknown. */
const char *vd_host_link_word(const struct vd_netdev *nd);

#endif
