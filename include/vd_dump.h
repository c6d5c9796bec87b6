/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Offline source: xenstore-ls output as people capture it and paste it into tickets. */
#ifndef VD_DUMP_H
#define VD_DUMP_H

#include <stddef.h>

#include "vd_err.h"
#include "vd_snap.h"

/*
 * Parses `xenstore-ls -f`, `xenstore-ls -fp` and the default indented `xenstore-ls [-p]`
 * output (format detected from the first node line; mixing is an error) into snap.
 * Values are unescaped; a value cut on a terminal ("\..." before the closing quote) is kept
 * with VD_NODE_TRUNCATED and a warning in the snapshot. Blank lines are skipped.
 * On a malformed line: returns -1 with err = VD_EXIT_SOURCE and
 * "FILE:LINE: expected ..." (what was expected), and snap content is unspecified.
 */
int vd_dump_parse(const char *buf, size_t len, const char *fname, struct vd_snap *snap,
		  struct vd_err *err);

/* The snapshot as `xenstore-ls -f` prints it (no permissions: the live walker reads
 * none); vd_dump_parse gives the same nodes back. Appends to out. */
struct vd_buf;
void vd_dump_write(const struct vd_snap *s, struct vd_buf *out);

/*
 * Reads a whole file ("-" is stdin) and parses it; I/O failures give VD_EXIT_SOURCE too.
 * Keeps only what the model reads (the source of --from): domain dirs, names, vm paths,
 * device/vif, backend/vif and error subtrees and /xapi, plus one node
 * of each domain so that every domain stays listed; nodes it drops are not checked for
 * duplicates. vd_dump_load_all keeps every node.
 */
int vd_dump_load(const char *fname, struct vd_snap *snap, struct vd_err *err);
int vd_dump_load_all(const char *fname, struct vd_snap *snap, struct vd_err *err);

#endif
