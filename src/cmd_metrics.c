// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vifdiag metrics [--output FILE | --listen ADDR:PORT]: the Prometheus exposition of every
 * VIF. --output replaces FILE atomically (a temporary file in the same directory, then
 * rename), because node_exporter's textfile collector may read it at any moment. Exit 0
 * when the source was read (broken VIFs are data here, not a failure of the command), 3
 * when it was not (the exposition still says so: vifdiag_up 0), 4 when FILE is not writable.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vd_cmd.h"
#include "vd_metrics.h"
#include "vd_pipeline.h"
#include "vd_prom.h"

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int vd_metrics_collect(const struct vd_opts *o, struct vd_buf *out, unsigned long **doms,
		       size_t *ndoms, struct vd_err *err)
{
	struct vd_prom_meta m = { .up = true };
	struct vd_report r;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	double t0 = mono_s();
	int rc;

	if (doms)
		*doms = NULL, *ndoms = 0;
	m.up = vd_report_load(&r, o, err) == 0 && vd_report_select(&r, 0, NULL, false, err) == 0;
	m.reason = m.up ? NULL : err->msg;
	m.duration_s = mono_s() - t0;
	if (m.up && doms) {
		*doms = vd_calloc(r.host->ndoms + 1, sizeof(**doms));
		for (size_t i = 0; i < r.host->ndoms; i++)
			(*doms)[(*ndoms)++] = r.host->doms[i].domid;
	}
	f = open_memstream(&text, &len);
	if (!f) {
		vd_report_free(&r);
		vd_err_set(err, VD_EXIT_INTERNAL, "cannot allocate the exposition: %s",
			   strerror(errno));
		return -1;
	}
	rc = vd_render_prom(f, m.up ? r.host : NULL, m.up ? &r.sel : NULL, &m);
	if (fclose(f) != 0 || rc < 0)
		vd_err_set(err, VD_EXIT_INTERNAL, "cannot render the exposition");
	vd_buf_reset(out);
	vd_buf_add(out, text, len);
	free(text);
	vd_report_free(&r);
	return err->code ? -1 : 0;
}

static int write_atomic(const char *path, const struct vd_buf *b, struct vd_err *err)
{
	const char *what = vd_not_replaceable(path);

	if (what) {
		vd_err_set(err, VD_EXIT_INTERNAL,
			   "%s: not a regular file (%s): --output replaces its FILE, give the path "
			   "of a file in the textfile collector's directory",
			   path, what);
		return -1;
	}
	/* readable by the collector's user */
	return vd_write_atomic(path, b->data, b->len, 0644, err);
}

int vd_cmd_metrics(const struct vd_invocation *inv)
{
	const struct vd_opts *o = inv->opts;
	struct vd_err werr;
	struct vd_buf b;
	int rc = 0;

	if (o->listen && o->output) {
		vd_err_set(inv->err, VD_EXIT_USAGE, "--listen and --output exclude each other");
		return inv->err->code;
	}
	if (o->listen)
		return vd_metrics_listen(o, o->listen, inv->err);
	vd_buf_init(&b);
	vd_metrics_collect(o, &b, NULL, NULL, inv->err);
	/* written even when the source failed: vifdiag_up 0 is what the collector must see */
	vd_err_clear(&werr);
	if (o->output)
		rc = write_atomic(o->output, &b, &werr);
	else if (fwrite(b.data ? b.data : "", 1, b.len, o->out) != b.len)
		rc = -1, vd_err_set(&werr, VD_EXIT_INTERNAL, "cannot write the output");
	vd_buf_free(&b);
	if (rc < 0 && (!inv->err->code || inv->err->code == VD_EXIT_SOURCE)) {
		vd_err_clear(inv->err);
		vd_err_set(inv->err, werr.code, "%s", werr.msg);
	}
	return inv->err->code;
}
