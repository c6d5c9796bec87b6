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

/* Reads a whole file ("-" is stdin) and parses it; I/O failures give VD_EXIT_SOURCE too. */
int vd_dump_load(const char *fname, struct vd_snap *snap, struct vd_err *err);

#endif
