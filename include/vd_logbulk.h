/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading a big log on several threads (log_bulk.c), for the log reader (log_read.c):
 * workers read chunks of whole lines in turn and classify them; the parser gets them in
 * order, with the runs of lines that only carry a time summarised (vd_logparser_skip).
 */
#ifndef VD_LOGBULK_H
#define VD_LOGBULK_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#include "vd_log.h"

struct vd_logbulk {
	struct vd_logparser *parser;
	const char *name; /* the file name the parser reports lines with */
	/* Up to n bytes into buf: > 0, 0 at the end, -1 on an error it reported itself.
	 * Called by one thread at a time, in file order. */
	ssize_t (*read)(void *arg, char *buf, size_t n);
	void *arg;
	const char *head; /* bytes already read that come first (a partial line) */
	size_t headlen;
	unsigned threads; /* workers */
	size_t chunk;	  /* bytes read at a time */
	volatile sig_atomic_t *stop;
};

/*
 * Reads to the end through cfg->parser; *lineno counts the lines given. Returns 0 with the
 * unterminated last line in *tail (malloc'ed, maybe empty), -1 after a read error (what
 * was read before it was given), 1 if no thread could be started (nothing was read).
 */
int vd_log_bulk(const struct vd_logbulk *cfg, unsigned long *lineno, char **tail, size_t *taillen);

#endif
