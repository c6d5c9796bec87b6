// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vifdiag dump [-o FILE]: a support-ticket bundle of this host (vd_bundle.h), read-only;
 * with --redact the identifying strings become pseudonyms and the mapping goes to
 * FILE.map beside the bundle, never into it.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vd_bundle.h"
#include "vd_cmd.h"
#include "vd_render.h"

struct prog {
	const struct vd_opts *o;
	struct timespec t0, last;
	unsigned long after_ms; /* nothing before (VIFDIAG_PROGRESS_MS, default 1000) */
	bool shown;		/* a line is on the terminal: cleared at the end */
	bool step_shown;	/* ... for the current step */
	bool tty;
};

#define UPDATE_MS 200 /* at most five updates a second of one step */

static long ms_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000 + (b->tv_nsec - a->tv_nsec) / 1000000;
}

static void on_progress(void *arg, const char *what, bool update)
{
	struct prog *p = arg;
	struct timespec t;

	if (!update)
		p->step_shown = false;
	/* only for a person watching, only when it takes a while, and a new step at once
	 * while the updates of one step are rate-limited */
	if (!p->tty)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t);
	if (ms_between(&p->t0, &t) < (long)p->after_ms ||
	    (update && p->step_shown && ms_between(&p->last, &t) < UPDATE_MS))
		return;
	vd_render_progress(p->o, what);
	p->shown = p->step_shown = true;
	p->last = t;
}

static char *default_name(bool redact)
{
	char host[256] = "host", stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	if (!gmtime_r(&now, &tm) || !strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm))
		snprintf(stamp, sizeof(stamp), "%lld", (long long)now);
	if (redact || gethostname(host, sizeof(host) - 1) != 0 || !vd_bundle_name_ok(host))
		snprintf(host, sizeof(host), "%s", "bundle");
	return vd_asprintf("vifdiag-%s-%s.tar.gz", host, stamp);
}

/* the top directory: the file's name without .tar.gz */
static char *top_of(const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char *t = vd_strdup(base);
	size_t n = strlen(t);

	if (n > 7 && strcmp(t + n - 7, ".tar.gz") == 0)
		t[n - 7] = '\0';
	else if (n > 4 && strcmp(t + n - 4, ".tgz") == 0)
		t[n - 4] = '\0';
	if (!vd_bundle_name_ok(t) || strchr(t, '/')) {
		free(t);
		t = vd_strdup("vifdiag-bundle");
	}
	return t;
}

/* mode 0600 whatever a file of that name had: it undoes the redaction */
static int write_map(const char *path, struct vd_redact *r, struct vd_err *err)
{
	struct vd_buf b;
	const char *why = vd_not_replaceable(path);
	int rc = -1;

	vd_buf_init(&b);
	vd_redact_map(r, &b);
	/* checked again: it may have become a link while the bundle was collected */
	if (why)
		vd_err_set(err, VD_EXIT_INTERNAL, "%s: not a regular file (%s)", path, why);
	else
		rc = vd_write_atomic(path, b.data ? b.data : "", b.len, 0600, err);
	vd_buf_free(&b);
	return rc;
}

int vd_cmd_dump(const struct vd_invocation *inv)
{
	const struct vd_opts *o = inv->opts;
	struct prog p = { .o = o, .tty = isatty(fileno(o->err)) };
	struct vd_collect c = { .o = o, .progress = on_progress, .arg = &p };
	char *path = o->output ? vd_strdup(o->output) : default_name(o->redact);
	char *top = top_of(path), *map = NULL;
	const char *why, *env;
	struct vd_redact *r = NULL;
	struct vd_bwriter w;
	int rc;

	/* before the collection, which can take a while: the rename at the end would put
	 * the bundle in place of a device or a FIFO (as root, -o /dev/null) */
	if ((why = vd_not_replaceable(path)) ||
	    (o->redact && (map = vd_asprintf("%s.map", path)) && (why = vd_not_replaceable(map)))) {
		vd_err_set(inv->err, VD_EXIT_INTERNAL,
			   "%s: not a regular file (%s): dump writes a new file there; give the "
			   "path of a file (or of one that does not exist yet)",
			   map && why ? map : path, why);
		free(map);
		free(top);
		free(path);
		return inv->err->code;
	}
	free(map);
	map = NULL;
	clock_gettime(CLOCK_MONOTONIC, &p.t0);
	/* tests make it 0, so that a line shows without a slow machine */
	if (!(env = getenv("VIFDIAG_PROGRESS_MS")) || !vd_parse_uint_str(env, 3600000, &p.after_ms))
		p.after_ms = 1000;
	c.log_max = (unsigned long long)(o->log_max_mb ? o->log_max_mb : 64) << 20;
	vd_bw_init(&w);
	rc = vd_collect(&c, &w, inv->err);
	if (rc == 0 && o->redact) {
		on_progress(&p, "redacting", false);
		r = vd_redact_new();
		for (size_t i = 0; i < c.nwords; i++)
			vd_redact_word(r, c.words[i], i + 1 == c.nwords ? "host" : "name");
		vd_redact_members(r, &w);
		/* the redacted notes too: they quote paths and tools' messages */
		for (size_t i = 0; i < w.man.nnotes; i++) {
			size_t n;
			char *t = vd_redact_text(r, w.man.notes[i].why, strlen(w.man.notes[i].why),
						 &n);

			free(w.man.notes[i].why);
			w.man.notes[i].why = t;
			t = vd_redact_text(r, w.man.notes[i].name, strlen(w.man.notes[i].name), &n);
			free(w.man.notes[i].name);
			w.man.notes[i].name = t;
		}
	}
	w.progress = on_progress;
	w.arg = &p;
	if (rc == 0)
		rc = vd_bw_write(&w, path, top, inv->err);
	if (rc == 0 && r) {
		map = vd_asprintf("%s.map", path);
		rc = write_map(map, r, inv->err);
		/* all or nothing: without its map the pseudonyms cannot be traced back */
		if (rc < 0)
			unlink(path);
	}
	if (p.shown)
		vd_render_progress(o, NULL);
	if (rc == 0)
		vd_render_dump_done(o, path, w.n + 1, w.man.nnotes, map);
	vd_redact_free(r);
	vd_strv_free(c.words, c.nwords);
	vd_bw_free(&w);
	free(map);
	free(top);
	free(path);
	return rc < 0 ? inv->err->code : VD_EXIT_OK;
}
