/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Prometheus text exposition format (version 0.0.4) of a diagnosed host, for
 * node_exporter's textfile collector (`vifdiag metrics --output`) and for `--listen`.
 * No timestamps (the collector rejects them), HELP and TYPE for every family, one prefix
 * vifdiag_, base units, gauges only (nothing here counts since a start). Label values are
 * escaped as the format says (backslash, quote, newline); guest-written bytes that are not
 * valid UTF-8 become U+FFFD (the parsers reject invalid UTF-8), other control bytes the
 * text \xHH, so a hostile domain name cannot break or forge a line.
 */
#ifndef VD_PROM_H
#define VD_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "vd_render.h"
#include "vd_util.h"

/* What the collection itself reports next to the VIFs. */
struct vd_prom_meta {
	bool up;	    /* the source was read */
	const char *reason; /* why not (the error message), when !up */
	double duration_s;  /* how long the collection took */
};

/* The whole exposition; h and sel may be NULL when !up. Returns 0, or -1 on a write error. */
int vd_render_prom(FILE *out, const struct vd_host *h, const struct vd_selection *sel,
		   const struct vd_prom_meta *m);

/* A label value as the exposition format wants it between the quotes. */
void vd_prom_escape(struct vd_buf *out, const char *s, size_t len);

#endif
