/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The multi-queue story: how many queues a VIF could use (the guest's vCPUs, the backend's
 * offer, the backend domain's CPUs, netback's max_queues) against what it negotiated, and
 * how its traffic spreads over them (netback's per-queue interrupts in /proc/interrupts,
 * vd_irq.h, and the ring indexes of debugfs io_ring_qN, both sampled twice live). vd_mq_read
 * collects (src_mq.c), vd_diagnose_mq judges (diag_mq.c: rules VD062-VD065 of vd_catalogue.h).
 * Nothing here prints.
 */
#ifndef VD_MQ_H
#define VD_MQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vd_irq.h"
#include "vd_model.h"

struct vd_sysfs;
struct vd_nbdebug;
struct vd_ioring;

/* the backend domain's online CPUs, under the host root (bundles copy it too) */
#define VD_MQ_FILE_CPUS "/sys/devices/system/cpu/online"

/* How one queue's debugfs io_ring_qN compares between the two readings. */
enum vd_ring_state {
	VD_RING_NONE,	    /* no ring progress: one reading, or no debugfs for this VIF */
	VD_RING_OK,	    /* both readings: the deltas and rates are set */
	VD_RING_VANISHED,   /* in the first reading only (queue or VIF torn down) */
	VD_RING_NEW,	    /* in the second reading only (the VIF connected meanwhile) */
	VD_RING_RESET,	    /* an index went back or nr_ents changed: the ring was set up again */
	VD_RING_UNREADABLE, /* a reading of the file failed (its error in note) */
};

/* Index progress of one side (TX or RX) between two readings, RING_IDX wrap-around taken. */
struct vd_ring_delta {
	uint32_t req_prod, req_cons, rsp_prod;
	double per_sec; /* responses netback produced (slots done) per second */
};

/* The progress of one queue's shared rings between the two debugfs readings. */
struct vd_qring {
	enum vd_ring_state state;
	struct vd_ring_delta tx, rx;
	unsigned long long slots; /* tx.rsp_prod + rx.rsp_prod */
	double per_sec;		  /* slots / window */
	char *text;		  /* both readings' indexes, for the evidence (owned) */
};

/* The load of one queue: interrupt events in both directions, and its rings' progress. */
struct vd_qrate {
	unsigned long queue;
	bool seen;		   /* /proc/interrupts has its line(s) */
	unsigned long long tx, rx; /* events (split channels; shared: all in rx... see both) */
	unsigned long long both;   /* events of a shared channel */
	unsigned long long events; /* tx + rx + both: in the window, or since boot */
	double per_sec;		   /* events / window; 0 without a window */
	char *lines;		   /* the /proc/interrupts lines used, for the evidence (owned) */
	struct vd_qring ring;
};

/* What vd_mq_read attaches to a VIF (vd_vif.load). */
struct vd_qload {
	const char *netdev; /* the name the interrupt lines carry */
	bool window;	    /* two samples: events are per window, per_sec is set */
	double secs;	    /* the window */
	struct vd_qrate *q; /* one per queue with lines or rings, by queue number */
	size_t nq;
	unsigned long long total; /* interrupt events */
	bool irq;		  /* /proc/interrupts has lines of netdev */
	/* debugfs ring progress between two readings (live, with a window only) */
	const char *ring_dir;	  /* debugfs xen-netback/<ring_dir>, NULL: none */
	bool rings;		  /* two readings: q[].ring are set */
	unsigned long long slots; /* ring slots done in the window, all queues */
	char *rings_note;	  /* why there is no ring progress (owned), else NULL */
};

/*
 * The ring progress of ld's queues from debugfs reading a to reading b (b NULL: the dir
 * is gone, every ring vanished) over secs: ld->q grows to the highest queue of either
 * reading; deltas are u32 (RING_IDX wraps), a ring in one reading only is new or vanished.
 */
void vd_qload_rings(struct vd_qload *ld, const struct vd_nbdebug *a, const struct vd_nbdebug *b,
		    double secs);
void vd_qload_clear(struct vd_qload *ld);

struct vd_mq {
	long be_cpus;		/* online CPUs of the backend domain, -1: unknown */
	char *be_cpus_text;	/* sys/devices/system/cpu/online as read (owned) */
	char *be_cpus_path;	/* owned */
	struct vd_irqs *irq[2]; /* first and (with a window) second sample */
	char *irq_note;		/* why there are no interrupt counts (owned) */
	char *rings_note;	/* why no VIF has ring progress (owned): one reading, ... */
	double secs;		/* between the samples, 0: one sample */
	struct vd_qload *loads; /* one per VIF of the host, in host order */
	size_t nloads;
};

/*
 * Reads the backend domain's CPUs and /proc/interrupts under the sysfs root s read (none:
 * nothing), twice interval_ms apart when interval_ms > 0 (live only), with the debugfs
 * rings of each VIF at both ends of that window, and sets vd_vif.load of every VIF of h
 * whose netdev has interrupt lines or (with a window) rings. Never fails: reasons are
 * recorded.
 */
struct vd_mq *vd_mq_read(struct vd_host *h, const struct vd_sysfs *s, long interval_ms);
void vd_mq_free(struct vd_mq *mq);

/* The guest's vCPUs: online cpu/K/availability under /local/domain/N, else vcpu_avail's
 * bits; -1 when the store has neither. *max gets the number of cpu/K dirs. */
long vd_guest_vcpus(const struct vd_snap *snap, unsigned long domid, long *max);

/* "0-3,6" -> 5; -1 if not a CPU list. */
long vd_cpulist_count(const char *s);

/* Rules VD062-VD065 (multi-queue, queue imbalance), with their evidence. */
void vd_diagnose_mq(struct vd_host *h, const struct vd_sysfs *s, const struct vd_mq *mq);

#endif
