/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xenstored's log files -> the log parser -> the event tracker: the pipeline `log` prints
 * and `check --log` measures time with. It holds one record back until the next one's time
 * is known (a clock step back does not advance the stall clock), warns about malformed
 * lines and backward time, and ticks the tracker to the log's last time when input ends.
 */
#ifndef VD_EVLOG_H
#define VD_EVLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vd_err.h"
#include "vd_event.h"
#include "vd_log.h"
#include "vd_opts.h"

struct vd_bundle;
struct vd_evlog;

/* track: feed a tracker (thr: its stall thresholds) that calls fn per event; false: only
 * parse (log --stats). stats: the parser counts connections. o: where warnings go. */
struct vd_evlog *vd_evlog_new(const struct vd_opts *o, bool track, const int64_t thr[VD_STALL_N],
			      vd_event_fn fn, void *arg, bool stats);
void vd_evlog_free(struct vd_evlog *e);

/* Only VIFs the filter accepts are tracked (vd_tracker_set_filter). */
void vd_evlog_set_filter(struct vd_evlog *e, vd_vif_filter_fn fn, void *arg);

/* Reads the files in order (follow: then the last one like tail -F, until a signal), then
 * applies what is held back and ticks the tracker to the log's last time. */
int vd_evlog_run(struct vd_evlog *e, char *const *files, size_t nfiles, bool follow,
		 struct vd_err *err);

/* After the run (and whatever the caller prints of it): the summary warnings; an error
 * naming first (the first file) if no line was a log line. -1 then, else 0. */
int vd_evlog_finish(struct vd_evlog *e, const char *first, struct vd_err *err);

struct vd_tracker *vd_evlog_tracker(const struct vd_evlog *e); /* NULL when not tracking */
const struct vd_logparser *vd_evlog_parser(const struct vd_evlog *e);

/* A bundle's xenstored logs with their rotations, oldest first (vd_log_files). A bundle
 * without any: VD_EXIT_SOURCE, with the MANIFEST's reason (from: its name). */
int vd_evlog_bundle_files(const struct vd_bundle *b, const char *from, char ***files,
			  size_t *nfiles, struct vd_err *err);

/* What `log` and `watch --replay` read: FILE arguments (each with its rotations) or, with
 * from, the bundle's logs (*b: the bundle, for vd_bundle_close); both: a usage error that
 * names cmd. */
int vd_evlog_sources(const char *cmd, char *const *argv, int argc, const char *from,
		     struct vd_bundle **b, char ***files, size_t *nfiles, struct vd_err *err);

#endif
