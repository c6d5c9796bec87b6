/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one event model of `watch` and `log`: a tracker that turns path updates and removals
 * (from a live re-read or from a daemon log line) into change events per VIF end, and the
 * stall detector. Both commands feed it, so both report the same transitions the same way.
 */
#ifndef VD_EVENT_H
#define VD_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vd_err.h"
#include "vd_snap.h"

enum vd_ev_kind {
	VD_EV_STATE,	 /* a state key changed */
	VD_EV_HOTPLUG,	 /* backend hotplug-status changed */
	VD_EV_QUEUES,	 /* frontend multi-queue-num-queues changed: queues negotiated */
	VD_EV_APPEARED,	 /* an end's directory appeared */
	VD_EV_VANISHED,	 /* an end's directory was removed */
	VD_EV_ERROR,	 /* a driver wrote the end's error node */
	VD_EV_STALL,	 /* a transient state outlived its threshold */
	VD_EV_XENSTORED, /* not a VIF change: the connection to xenstored was lost or is back */
	VD_EV_NKINDS
};

enum vd_ev_end { VD_END_FRONTEND, VD_END_BACKEND };

enum vd_writer {
	VD_WRITER_UNKNOWN,
	VD_WRITER_TOOLSTACK,	  /* a socket client: xl, xenopsd, a hotplug script */
	VD_WRITER_BACKEND_KERNEL, /* the backend domain's kernel (netback) */
	VD_WRITER_GUEST_KERNEL,	  /* the guest's kernel (netfront) */
};

/* Stall kinds, in the order of --stall names and of vd_opts.stall_ms[]. */
enum vd_stall {
	VD_STALL_INITWAIT, /* backend not in InitWait yet (libxl: 10 s) */
	VD_STALL_HOTPLUG,  /* backend InitWait, hotplug script not done (libxl: 40 s) */
	VD_STALL_CONNECT,  /* backend ready, frontend not Connected (vifdiag: 30 s) */
	VD_STALL_CLOSE,	   /* an end Closing (libxl: 10 s to reach Closed) */
	VD_STALL_N,
	VD_STALL_NONE = VD_STALL_N
};

/* Who wrote a change, when the source knows (log); all NULL/-1 for a live re-read. */
struct vd_origin {
	const char *conn; /* "A12", "D0", or a trace connection pointer "0x55d5c8e8a2b0" */
	bool kernel;	  /* a domain (ring) connection rather than a socket client */
	long conn_domid;  /* the domain of a kernel connection, -1 if unknown */
	const char *file;
	unsigned long line;
	bool truncated; /* the log line was cut ("..") */
};

struct vd_event {
	int64_t t_ms; /* Unix time in milliseconds */
	enum vd_ev_kind kind;
	unsigned long domid, devid;
	long be_domid;	  /* backend domain, -1 if unknown */
	const char *name; /* guest domain name (raw bytes), NULL if unknown */
	size_t name_len;
	enum vd_ev_end end;
	const char *path;	 /* the end's directory */
	long fe_state, be_state; /* the pair after the change; -1 absent, -2 not a number,
				  * -3 unknown (an end a log shows only after its creation) */

	/* VD_EV_STATE: states as above; for -2 *_raw holds the value */
	long from, to;
	const char *from_raw, *to_raw;
	int64_t in_prev_ms; /* time in the previous state, -1 unknown */

	/* VD_EV_HOTPLUG: old and new hotplug-status (NULL: absent; from -3: old unknown),
	 * hotplug-error;
	 * VD_EV_ERROR: value = the error node's text; VD_EV_XENSTORED: value = "lost" | "back" */
	const char *value, *old_value, *detail;
	size_t value_len, old_len, detail_len;

	/* VD_EV_QUEUES: new and old frontend count (-1 absent), backend maximum (-1 unknown) */
	long queues, old_queues, max_queues;

	/* VD_EV_STALL */
	enum vd_stall stall;
	int64_t threshold_ms, stuck_ms;

	/* VD_EV_XENSTORED "back": how long the store was unreachable */
	int64_t gap_ms;
	bool during_gap; /* a change found by the re-read after a reconnection */

	enum vd_writer writer;
	const struct vd_origin *origin; /* NULL when the source cannot know (live) */
};

const char *vd_ev_kind_name(enum vd_ev_kind k);
const char *vd_ev_end_name(enum vd_ev_end e);
const char *vd_writer_name(enum vd_writer w);
const char *vd_stall_name(enum vd_stall s);
/* The libxl (or vifdiag) deadline a stall kind stands for, for messages. */
const char *vd_stall_what(enum vd_stall s);

/* --stall NAME=SECONDS into ms[VD_STALL_N] (fractions allowed; 0 disables that kind). */
int vd_stall_parse(const char *arg, long ms[VD_STALL_N], struct vd_err *err);
/* Thresholds in ms: ms[i] if >= 0, else the default of kind i. */
void vd_stall_resolve(const long opt_ms[VD_STALL_N], int64_t out_ms[VD_STALL_N]);

/* "2026-11-25T04:15:47.123Z" into buf (>= 32 bytes). */
char *vd_time_iso(int64_t ms, char *buf, size_t len);
/* ISO 8601 (zone Z or +HH:MM; none: local time), optional fraction, or "@SECONDS". */
bool vd_time_parse(const char *s, int64_t *ms);
int64_t vd_now_ms(void);

typedef void (*vd_event_fn)(const struct vd_event *ev, void *arg);

struct vd_tracker;

struct vd_tracker *vd_tracker_new(const int64_t stall_ms[VD_STALL_N], vd_event_fn fn, void *arg);
void vd_tracker_free(struct vd_tracker *t);

/* Only VIFs the filter accepts are tracked (name: the guest's, NULL while unknown). */
typedef bool (*vd_vif_filter_fn)(unsigned long domid, unsigned long devid, const char *name,
				 void *arg);
void vd_tracker_set_filter(struct vd_tracker *t, vd_vif_filter_fn fn, void *arg);

/* VIFs chosen on the command line: DOM (domid or name) or DOM/DEVID; none: all. */
struct vd_vifsel {
	struct vd_vifsel_item {
		char *name; /* NULL: by domid */
		unsigned long domid, devid;
		bool has_devid;
	} * v;
	size_t n;
};
int vd_vifsel_parse(struct vd_vifsel *s, const char *const *args, int n, bool allow_devid,
		    struct vd_err *err);
/* A vd_vif_filter_fn; arg is the struct vd_vifsel. A name matches once the domain's name
 * is known (the watch reads names first; a log must show the domain being created). */
bool vd_vifsel_match(unsigned long domid, unsigned long devid, const char *name, void *arg);
void vd_vifsel_free(struct vd_vifsel *s);

/* While quiet, changes update the model but emit nothing (the first read of watch). */
void vd_tracker_set_quiet(struct vd_tracker *t, bool quiet);
/* Changes reported from now on were found after a reconnection. */
void vd_tracker_set_gap(struct vd_tracker *t, bool gap);

/* A node was written (val NULL: created by mkdir, value unknown) or removed with its subtree. */
void vd_tracker_put(struct vd_tracker *t, int64_t ms, const char *path, const char *val, size_t len,
		    const struct vd_origin *o);
void vd_tracker_rm(struct vd_tracker *t, int64_t ms, const char *path, const struct vd_origin *o);

/* Everything at and below root is now exactly what snap holds there (a live re-read). */
void vd_tracker_sync(struct vd_tracker *t, int64_t ms, const char *root,
		     const struct vd_snap *snap);

/* Emits the stalls due at or before now, oldest deadline first; returns the next deadline,
 * or INT64_MAX when none is pending. Stall detection is off while off is set (a gap). */
int64_t vd_tracker_tick(struct vd_tracker *t, int64_t now);
void vd_tracker_pause_stalls(struct vd_tracker *t, bool off);

/* An event that is not about a VIF (xenstored lost/back), through the same callback. */
void vd_tracker_note(struct vd_tracker *t, int64_t ms, const char *what, int64_t gap_ms);

/* Read-only view of the tracked VIFs, for summaries. */
struct vd_vif_summary {
	unsigned long domid, devid;
	long be_domid;
	const char *name;
	size_t name_len;
	bool fe_present, be_present;
	const char *fe_dir, *be_dir; /* the ends' directories, NULL unknown */
	long fe_state, be_state;
	int64_t fe_since, be_since; /* ms, -1 unknown */
	const char *hotplug;	    /* NULL absent */
	size_t hotplug_len;
	long queues;
	unsigned long changes, stalls;
	bool stalled; /* stuck right now past its threshold */
};
size_t vd_tracker_nvifs(const struct vd_tracker *t);
void vd_tracker_vif(const struct vd_tracker *t, size_t i, struct vd_vif_summary *s);
/* Counts of problem events (stalls, hotplug errors, error nodes) emitted so far. */
unsigned long vd_tracker_problems(const struct vd_tracker *t);

#endif
