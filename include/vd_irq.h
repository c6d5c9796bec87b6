/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-queue event counts of netback from /proc/interrupts (reference §7): netback names
 * each queue's interrupt after the netdev, "<netdev>-q<K>-tx" and "-rx" with split event
 * channels, "<netdev>-q<K>" with one shared channel. A fixture tree keeps the file at
 * <sysfs-root>/proc/interrupts; the live system at /proc/interrupts. Read-only, no printing.
 */
#ifndef VD_IRQ_H
#define VD_IRQ_H

/* under the host root (bundles copy it too) */
#define VD_IRQ_FILE "/proc/interrupts"

#include <stdbool.h>
#include <stddef.h>

enum vd_irq_dir { VD_IRQ_TX, VD_IRQ_RX, VD_IRQ_BOTH /* one shared event channel */ };

/* One netback queue interrupt line. */
struct vd_irq_line {
	char *netdev;	     /* the name before "-q<K>" (owned), e.g. vif1.0 */
	long domid, devid;   /* from a vif<D>.<N> netdev name, else -1 */
	unsigned long queue; /* K */
	enum vd_irq_dir dir;
	unsigned long irq;	   /* the IRQ number */
	unsigned long long total;  /* summed over CPUs */
	unsigned long long *count; /* per CPU column, ncpus entries (owned) */
};

struct vd_irqs {
	char *path;		   /* the file read (owned) */
	size_t ncpus;		   /* columns */
	long *cpu;		   /* the CPU number of each column (the header's CPU<n>), owned */
	struct vd_irq_line *lines; /* sorted by (netdev, queue, dir) */
	size_t nlines;
};

/*
 * Parses /proc/interrupts text. Lines of other interrupts are skipped; a malformed netback
 * line is skipped too (the file is the kernel's, not an input to judge). False with *why
 * (owned) when the text has no "CPU<n>" header.
 */
bool vd_irq_parse(const char *text, struct vd_irqs *out, char **why);
/* Reads and parses path; NULL with *why (owned) when it cannot be read or parsed. */
struct vd_irqs *vd_irq_read_file(const char *path, char **why);
/* <root>/proc/interrupts, root NULL or "" meaning "/". */
struct vd_irqs *vd_irq_read(const char *root, char **why);
void vd_irq_free(struct vd_irqs *irqs);

/* The line of (netdev, queue, dir), or NULL. */
const struct vd_irq_line *vd_irq_find(const struct vd_irqs *irqs, const char *netdev,
				      unsigned long queue, enum vd_irq_dir dir);
/* Events of one queue of netdev in both directions (tx + rx, or the shared line); false
 * when the file has no line for it. */
bool vd_irq_queue_total(const struct vd_irqs *irqs, const char *netdev, unsigned long queue,
			unsigned long long *total);
/* The number of queues netdev has lines for (highest K + 1), 0 for none. */
unsigned long vd_irq_nqueues(const struct vd_irqs *irqs, const char *netdev);

const char *vd_irq_dir_name(enum vd_irq_dir d); /* "tx", "rx", "both" */

#endif
