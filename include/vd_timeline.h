/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a log says about time, per VIF and per end, collected from the event tracker's
 * events (vd_event.h): the current state and since when (with the log line that set it),
 * how often each end reached Connected, its close cycles (Connected -> Closing/Closed ->
 * ... -> Connected again while its directory stays), the reconnections of the pair that
 * were not close cycles (an end removed and re-created, or dropped back into the handshake
 * without closing), and the stall the VIF is stuck in when the log ends. "Now" is the time
 * of the log's last line: a log is a record of the past, not a clock.
 */
#ifndef VD_TIMELINE_H
#define VD_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vd_event.h"
#include "vd_model.h"

#define VD_TL_MARKS 8 /* log lines kept per end of the transitions that count cycles */

/* A log line: where a transition was written. */
struct vd_tl_mark {
	int64_t t_ms;
	enum vd_ev_end end;
	long from, to; /* states; -1 absent (vanished, appeared) */
	char *file;    /* owned, NULL unknown */
	unsigned long line;
};

enum vd_tl_phase {
	VD_TL_NEW,     /* not Connected yet in the log */
	VD_TL_UP,      /* Connected */
	VD_TL_CLOSED,  /* left Connected for Closing/Closed, directory still there */
	VD_TL_DROPPED, /* left Connected for a handshake state without closing */
	VD_TL_GONE,    /* its directory was removed after it had been Connected */
};

struct vd_tl_end {
	char *path;		 /* the end's directory (owned), NULL until the log names it */
	bool seen;		 /* the log showed this end */
	bool present;		 /* the directory exists at the end of the log */
	long state;		 /* -1 absent, -2 not a number, -3 unknown */
	int64_t since_ms;	 /* when it entered state, -1 unknown (found, not seen changing) */
	bool found;		 /* found at the start of a watch: since_ms is a lower bound */
	struct vd_tl_mark set;	 /* the line that set the state (file NULL: unknown) */
	unsigned long connected; /* times it reached Connected */
	unsigned long close_cycles; /* Connected -> Closing/Closed -> ... -> Connected */
	enum vd_tl_phase phase;
	struct vd_tl_mark marks[VD_TL_MARKS]; /* the first lines of its cycles */
	size_t nmarks;
};

struct vd_tl_vif {
	unsigned long domid, devid;
	long be_domid;
	struct vd_tl_end e[2];	   /* enum vd_ev_end */
	unsigned long connections; /* times the pair became Connected/Connected */
	unsigned long reconnects;  /* of those, after a disconnect that was no close cycle */
	enum vd_tl_phase phase;	   /* of the pair, as for an end */
	struct vd_tl_mark rmarks[VD_TL_MARKS]; /* the lines of those disconnects */
	size_t nrmarks;
	/* the last stall the tracker reported; stuck: still the current one at the end */
	bool has_stall, stuck;
	enum vd_stall stall;
	enum vd_ev_end stall_end;
	int64_t stall_threshold_ms, stall_anchor_ms;
};

/* Where the times come from: a log's lines, or a live watch (check --for). */
enum vd_tl_source { VD_TL_LOG, VD_TL_WATCH };

struct vd_timeline {
	struct vd_tl_vif *v; /* sorted by (domid, devid) */
	size_t n;
	int64_t first_ms, now_ms; /* the log's first and last line (the watch's start and end),
				   * -1 unknown */
	bool done;
	enum vd_tl_source source;
};

void vd_timeline_init(struct vd_timeline *tl);
void vd_timeline_free(struct vd_timeline *tl);
/* A vd_event_fn: arg is the struct vd_timeline. */
void vd_timeline_event(const struct vd_event *ev, void *arg);
/* A watch's start: every VIF the tracker found in its first, silent read, in the state it
 * found (held since at least ms), so a VIF the watch never sees changing has a timeline too
 * and the first change of one that does has its previous state. Sets source VD_TL_WATCH. */
void vd_timeline_seed(struct vd_timeline *tl, const struct vd_tracker *t, int64_t ms);
/* The log ended at now_ms (its last line); t: the tracker that made the events, which
 * says which VIFs are stuck past a threshold right now. */
void vd_timeline_finish(struct vd_timeline *tl, const struct vd_tracker *t, int64_t first_ms,
			int64_t now_ms);
const struct vd_tl_vif *vd_timeline_find(const struct vd_timeline *tl, unsigned long domid,
					 unsigned long devid);
/* The time since an end entered its state, by the log's clock; -1 unknown. */
int64_t vd_tl_held_ms(const struct vd_timeline *tl, const struct vd_tl_end *e);

/* "850 ms", "45 s", "12 min 3 s", "2 h 5 min", "3 d 4 h" into buf. */
char *vd_duration_text(int64_t ms, char *buf, size_t len);

/*
 * The rules only time can make (src/diag_time.c), on the VIFs of h the log shows: stuck
 * (the tracker's stall still running when the log ends), flapping (an end's close cycle
 * repeats), reconnect-loop (the pair connected again after disconnects that were no close
 * cycle); and the measured duration added to the hints of snapshot findings that say a
 * state is normal for a while. Durations need the log's last states to be the store's.
 */
void vd_diagnose_time(struct vd_host *h, const struct vd_timeline *tl);

#endif
