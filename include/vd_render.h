/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Renderers: the only code that prints results. One vtable per output format, chosen once
 * in the command; collection and analysis never know the format.
 */
#ifndef VD_RENDER_H
#define VD_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vd_model.h"
#include "vd_opts.h"

/* The VIFs a command selected, in model order. */
struct vd_selection {
	const struct vd_vif **vifs;
	size_t n;
};

struct vd_renderer {
	const char *name;
	/* Each returns 0, or -1 on an output error. */
	int (*status)(const struct vd_host *h, const struct vd_selection *sel,
		      const struct vd_opts *o);
	int (*show)(const struct vd_host *h, const struct vd_selection *sel,
		    const struct vd_opts *o);
};

extern const struct vd_renderer vd_render_text;
extern const struct vd_renderer vd_render_json;

const struct vd_renderer *vd_renderer_for(const struct vd_opts *o);

/*
 * Event renderers (watch, log): one change per line, text or NDJSON. group: text keeps the
 * lines and prints them per VIF at close (log without --follow); JSON never groups.
 */
struct vd_event;
struct vd_tracker;
struct vd_connstat;
struct vd_logcounts;
struct vd_evout;
struct vd_ev_renderer {
	struct vd_evout *(*open)(const struct vd_opts *o, bool group);
	void (*event)(struct vd_evout *out, const struct vd_event *ev);
	/* watch's last words: every VIF it saw, now */
	void (*summary)(struct vd_evout *out, const struct vd_tracker *t, int64_t started,
			int64_t now);
	/* log --stats: connections ranked by watch events and writes */
	void (*stats)(struct vd_evout *out, const struct vd_connstat *c, size_t n,
		      const struct vd_logcounts *counts);
	int (*close)(struct vd_evout *out); /* prints what was grouped; -1 on an output error */
};

extern const struct vd_ev_renderer vd_render_events_text;
extern const struct vd_ev_renderer vd_render_events_json;
/* Grouped text keeps at most about this many bytes of lines in memory, the rest in a
 * temporary file under TMPDIR (tests lower it); the most it held, for tests. */
extern size_t vd_evout_spill_bytes;
size_t vd_evout_held_peak(const struct vd_evout *out);

const struct vd_ev_renderer *vd_ev_renderer_for(const struct vd_opts *o);

/* One finding as a JSON object, with its rule ID and evidence (render_json.c). */
struct vd_json;
void vd_render_json_finding(struct vd_json *j, const struct vd_finding *f);
/* A finding's evidence, one "evidence:" line per fact under indent, escaped
 * (render_check.c). */
void vd_render_evidence_text(FILE *out, const struct vd_finding *f, const char *indent);

/* `vifdiag check`: findings grouped per VIF, most severe first, at or above min. */
int vd_render_check_text(const struct vd_host *h, const struct vd_selection *sel,
			 const struct vd_opts *o, enum vd_sev min);
int vd_render_check_json(const struct vd_host *h, const struct vd_selection *sel,
			 const struct vd_opts *o, enum vd_sev min);
/* The one of the two the options ask for (render.c). */
int vd_render_check(const struct vd_host *h, const struct vd_selection *sel,
		    const struct vd_opts *o, enum vd_sev min);

/* A warning line on o->err, in both formats: "vifdiag: warning: ...". */
void vd_render_warn(const struct vd_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The same for an observation that is no problem: "vifdiag: note: ...". */
void vd_render_note(const struct vd_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The shell's store browsing (render_store.c): names and values escaped. */
struct vd_snap;
struct vd_node;
void vd_render_ls(FILE *out, const struct vd_snap *s, const char *dir);	   /* dirs end in / */
void vd_render_cat(FILE *out, const struct vd_node *nd);		   /* the value */
void vd_render_tree(FILE *out, const struct vd_snap *s, const char *path); /* indented */
void vd_render_line(FILE *out, const char *s);				   /* one escaped line */

/* Derived facts shared by the renderers (so both formats say the same). */
const char *vd_vif_netdev(const struct vd_vif *v, char *buf, size_t len);
/* -1 when absent or unreadable, LONG_MAX when not a number, else the state */
long vd_end_state(const struct vd_end *e);
/* What an event's pair of states means (vd_xb_pair_meaning), in both event formats. */
const char *vd_ev_pair_meaning(const struct vd_event *ev);

/* vifdiag dump: a progress line on stderr (NULL clears it), and what was written. */
void vd_render_progress(const struct vd_opts *o, const char *step);
void vd_render_dump_done(const struct vd_opts *o, const char *path, size_t members, size_t notes,
			 const char *map);

#endif
