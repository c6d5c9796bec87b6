/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The data of one `vifdiag top` frame, separate from any drawing: one row per VIF from the
 * model (states, queues, bridge, link, verdict) plus the backend netdev's counters
 * (<root>/sys/class/net/<if>/statistics) and per-queue event counts (<root>/proc/interrupts,
 * vd_irq.h). Rates come from two frames (vd_top_rates). Read-only, no printing.
 */
#ifndef VD_TOP_H
#define VD_TOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vd_err.h"
#include "vd_opts.h"

/* Counter order: as the guest sees it. netdev tx is what the guest receives. */
enum vd_top_ctr {
	VD_TOP_GRX_PKT, /* netdev tx_packets */
	VD_TOP_GRX_BYTES,
	VD_TOP_GRX_ERR,
	VD_TOP_GRX_DROP,
	VD_TOP_GTX_PKT, /* netdev rx_packets */
	VD_TOP_GTX_BYTES,
	VD_TOP_GTX_ERR,
	VD_TOP_GTX_DROP,
	VD_TOP_NCTR
};

struct vd_top_queue {
	unsigned long id;
	bool ok;		   /* /proc/interrupts has a line for it */
	unsigned long long events; /* tx + rx, or the shared line */
	double rate;		   /* events/s, valid when the row's has_rate */
};

struct vd_top_row {
	unsigned long domid, devid;
	char *domain; /* raw guest bytes (owned), NULL when unknown: renderers escape */
	char *fe_state, *be_state;   /* state names (owned) */
	long negotiated, max_queues; /* -1: unknown */
	char *bridge;		     /* raw (owned) or NULL */
	char *netdev;		     /* backend netdev (owned) or NULL */
	char *link;		     /* up/down/off/... (owned) or NULL */
	char *verdict;		     /* owned */
	bool have_ctr;		     /* every statistics file was read */
	unsigned long long ctr[VD_TOP_NCTR];
	bool have_rate; /* a previous frame had this VIF's counters */
	double rate[VD_TOP_NCTR];
	struct vd_top_queue *q;
	size_t nq;
};

struct vd_top_frame {
	int64_t mono_ms;	 /* CLOCK_MONOTONIC when the sample was taken */
	struct vd_top_row *rows; /* model order: (domid, devid) */
	size_t n;
	char *stats_note; /* why there are no counters at all (owned), else NULL */
	char *irq_note;	  /* why there are no queue events (owned), else NULL */
};

/*
 * Reads the source and the host side once (vd_report_load) into f. -1 with err set when the
 * source cannot be read; source warnings go to o->err as for every command.
 */
int vd_top_collect(const struct vd_opts *o, struct vd_top_frame *f, struct vd_err *err);
/* Fills the rates of cur from the counters of prev (same VIF, counters not gone back). */
void vd_top_rates(struct vd_top_frame *cur, const struct vd_top_frame *prev);
void vd_top_frame_free(struct vd_top_frame *f);
/* Stable labels of the counters, e.g. "guest rx pkt". */
const char *vd_top_ctr_name(enum vd_top_ctr c);

/*
 * The full-screen view's wake-up on xenstore changes (src/top_watch.c): the live watch
 * source in a thread; its fd is readable when something changed. NULL (and NONE) with
 * --from or when no thread could be made: top refreshes at its interval only.
 */
struct vd_top_watch;
enum vd_top_watch_state {
	VD_TOP_WATCH_NONE, /* no watch: interval only */
	VD_TOP_WATCH_ON,
	VD_TOP_WATCH_LOST, /* xenstored went away; the watch reconnects */
	VD_TOP_WATCH_GONE, /* the watch could not start or ended: interval only */
};
struct vd_top_watch *vd_top_watch_start(const struct vd_opts *o);
int vd_top_watch_fd(const struct vd_top_watch *w);
/* Consumes the wake-ups: the number of VIF changes since the last call. */
unsigned long vd_top_watch_take(struct vd_top_watch *w);
enum vd_top_watch_state vd_top_watch_state(const struct vd_top_watch *w);
void vd_top_watch_stop(struct vd_top_watch *w);

struct vd_invocation;
/* The full-screen view (src/top_tui.c); vd_top_can_draw: stdin and stdout are a terminal
 * with cursor addressing. */
bool vd_top_can_draw(void);
int vd_top_tui(const struct vd_invocation *inv);

#endif

/* The columns of top, in both the batch text and the full-screen view (render_top.c). */
enum vd_top_col {
	VD_TOP_COL_DOMAIN,
	VD_TOP_COL_ID,
	VD_TOP_COL_DEV,
	VD_TOP_COL_FE,
	VD_TOP_COL_BE,
	VD_TOP_COL_QUEUES,
	VD_TOP_COL_BRIDGE,
	VD_TOP_COL_LINK,
	VD_TOP_COL_VERDICT,
	VD_TOP_COL_CTR0, /* VD_TOP_NCTR counter columns follow */
	VD_TOP_COL_EVENTS = VD_TOP_COL_CTR0 + VD_TOP_NCTR,
	VD_TOP_NCOL
};
extern const char *const vd_top_col_names[VD_TOP_NCOL];
/* One cell, escaped for a terminal (owned). totals: the counters themselves, else rates
 * ('-' where there is none). */
char *vd_top_cell(const struct vd_top_row *r, enum vd_top_col col, bool totals);
/* Orders two rows by a column (numbers numerically), then by (domid, devid). */
int vd_top_cmp(const struct vd_top_row *a, const struct vd_top_row *b, enum vd_top_col col,
	       bool totals);
/* One batch frame as plain text; -1 on an output error. */
int vd_render_top_frame(FILE *out, const struct vd_top_frame *f, unsigned long frameno,
			bool totals);
