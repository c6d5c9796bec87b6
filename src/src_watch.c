// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Live watch: libxenstore watches, and the read-only walker of src_xs.c to re-read what an
 * event names. An event is only a hint (spurious ones are allowed, the first fires at
 * registration): the tracker compares what the re-read found with what it knew. Calls only
 * xs_watch, xs_unwatch, xs_fileno, xs_check_watch and the walker's reads: never a write.
 */
#include "vd_source.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xenstore.h>

#include "vd_event.h"
#include "vd_util.h"
#include "vd_xsconn.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000

/* Per-domain watch bases: what each domain holds of a VIF. */
static const char *const bases[] = { "device/vif", "backend/vif", "error" };
#define NBASES (sizeof(bases) / sizeof(bases[0]))

struct wstate {
	struct vd_watchrun *run;
	struct vd_xsconn *conn;
	struct xs_handle *xs; /* conn's */
	sigset_t opmask;      /* the mask outside an operation */
	int sentinel;	      /* a second, idle socket connection: EOF when xenstored goes away */
	unsigned long *doms;
	size_t ndoms;
};

static volatile sig_atomic_t never_stop;

static bool stopped(const struct wstate *s)
{
	return *s->run->stop || (s->run->until_ms > 0 && vd_now_ms() >= s->run->until_ms);
}

/* A wait until next (INT64_MAX: none), cut at the end of a timed run. */
static int64_t until_or(const struct vd_watchrun *run, int64_t next)
{
	return run->until_ms > 0 && run->until_ms < next ? run->until_ms : next;
}

/*
 * Around everything that talks to xenstored: the watchdog is armed (no reply for
 * --timeout seconds, or Ctrl-C, cuts the connection and the blocked call returns), and
 * SIGINT/SIGTERM are deliverable, so the flag is set even while libxenstore waits.
 */
static void op_begin(struct wstate *s)
{
	if (s->run->waitmask)
		pthread_sigmask(SIG_SETMASK, s->run->waitmask, &s->opmask);
	if (s->conn)
		vd_xsconn_arm(s->conn);
}

static void op_end(struct wstate *s)
{
	if (s->conn)
		vd_xsconn_disarm(s->conn);
	if (s->run->waitmask)
		pthread_sigmask(SIG_SETMASK, &s->opmask, NULL);
}

/* A failed xs_watch: a cut connection says why it was cut. */
static void watch_failed(struct wstate *s, const char *what, int e, struct vd_err *err)
{
	if (vd_xsconn_timed_out(s->conn))
		vd_xs_err_timeout(err, vd_xsconn_timeout(s->conn));
	else if ((e == EBADF || e == EINVAL) && !vd_xsconn_answered(s->conn))
		/* libxenstore says EINVAL when its reader thread saw the end */
		vd_xs_err_connect(err, "it closed the connection without answering");
	else
		vd_err_set(err, VD_EXIT_SOURCE, "cannot watch %s: %s", what, strerror(e));
}

static char *token_for(const char *path)
{
	return vd_asprintf("vifdiag:%s", path);
}

static bool watch_path(struct wstate *s, const char *path, bool on)
{
	char *tok = token_for(path);
	bool ok = on ? xs_watch(s->xs, path, tok) : xs_unwatch(s->xs, path, tok);

	if (ok)
		vd_xsconn_progress(s->conn);
	free(tok);
	return ok;
}

static bool watch_domain(struct wstate *s, unsigned long d, bool on)
{
	bool ok = true;

	for (size_t i = 0; i < NBASES; i++) {
		char *p = vd_asprintf("/local/domain/%lu/%s", d, bases[i]);

		/* unwatching a domain that is gone may fail: nothing to undo then */
		ok &= watch_path(s, p, on) || !on;
		free(p);
	}
	return ok;
}

static bool has_dom(const unsigned long *v, size_t n, unsigned long d)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == d)
			return true;
	return false;
}

static void add_root(char ***roots, size_t *n, char *root)
{
	*roots = vd_realloc(*roots, (*n + 1) * sizeof(**roots));
	(*roots)[(*n)++] = root;
}

/*
 * Domains in the store now, against those watched: new ones get watches (and their
 * subtrees a read), gone ones lose them (and their subtree is re-read: it is empty).
 * One DIRECTORY of /local/domain, and the names of the new domains only. With initial
 * (the start-up, whose full read that follows covers everything) no roots and no names.
 */
static int sync_domains(struct wstate *s, int64_t now, char ***roots, size_t *nroots, bool initial,
			struct vd_err *err)
{
	unsigned int n = 0;
	char **names = xs_directory(s->xs, XBT_NULL, "/local/domain", &n);
	char **fresh = NULL;
	unsigned long *now_doms = NULL;
	size_t k = 0, nfresh = 0;
	int rc = 0;

	if (!names) {
		if (vd_xsconn_timed_out(s->conn))
			vd_xs_err_timeout(err, vd_xsconn_timeout(s->conn));
		else
			vd_err_set(err, VD_EXIT_SOURCE, "cannot list /local/domain: %s",
				   strerror(errno));
		return -1;
	}
	vd_xsconn_progress(s->conn);
	now_doms = vd_calloc(n + 1, sizeof(*now_doms));
	for (unsigned int i = 0; i < n; i++) {
		unsigned long d;

		if (!vd_parse_uint_str(names[i], 0xffffffffUL, &d))
			continue;
		now_doms[k++] = d;
		if (has_dom(s->doms, s->ndoms, d))
			continue;
		if (!watch_domain(s, d, true)) {
			char what[32];

			snprintf(what, sizeof(what), "domain %lu", d);
			rc = -1;
			watch_failed(s, what, errno, err);
			break;
		}
		if (initial)
			continue;
		add_root(&fresh, &nfresh, vd_asprintf("/local/domain/%lu/name", d));
		for (size_t b = 0; b < NBASES; b++)
			add_root(roots, nroots, vd_asprintf("/local/domain/%lu/%s", d, bases[b]));
	}
	free(names);
	for (size_t i = 0; rc == 0 && i < s->ndoms; i++) {
		if (has_dom(now_doms, k, s->doms[i]))
			continue;
		watch_domain(s, s->doms[i], false);
		add_root(roots, nroots, vd_asprintf("/local/domain/%lu", s->doms[i]));
	}
	free(s->doms);
	s->doms = now_doms;
	s->ndoms = k;
	if (rc == 0 && nfresh) {
		/* names first: a watch by name must know them before the subtrees are read */
		struct vd_snap *snap = vd_snap_new();

		rc = vd_xs_read_conn(s->conn, VD_XS_TREES, (const char *const *)fresh, nfresh,
				     s->run->retries, snap, err);
		now = vd_now_ms(); /* stamped when the read ended, as in reread() */
		for (size_t i = 0; rc == 0 && i < nfresh; i++) {
			const struct vd_node *nm = vd_snap_get(snap, fresh[i]);

			if (nm)
				vd_tracker_put(s->run->tracker, now, fresh[i], nm->value, nm->len,
					       NULL);
		}
		vd_snap_free(snap);
	}
	for (size_t i = 0; i < nfresh; i++)
		free(fresh[i]);
	free(fresh);
	return rc;
}

/*
 * The subtree to re-read for an event: the VIF end it falls in, else the watched base (an
 * event at or above a base: a parent was removed, or the registration event).
 */
static char *root_for(const char *path)
{
	const char *p = path + strlen("/local/domain/"), *q;
	size_t dlen;

	if (!vd_startswith(path, "/local/domain/") || !(dlen = strcspn(p, "/")))
		return NULL;
	q = p + dlen;
	if (!*q)
		return NULL; /* the whole domain: its bases' own events follow */
	q++;
	for (size_t b = 0; b < NBASES; b++) {
		size_t bl = strlen(bases[b]);
		int depth = b == 0 ? 1 : b == 1 ? 2 : 0; /* devid; fe-domid/devid */
		const char *r;

		if (strncmp(q, bases[b], bl) != 0 || (q[bl] && q[bl] != '/')) {
			if (strncmp(bases[b], q, strlen(q)) == 0 && bases[b][strlen(q)] == '/')
				return vd_asprintf("%.*s/%s", (int)(q - path - 1), path, bases[b]);
			continue;
		}
		r = q + bl;
		for (int i = 0; i < depth && *r == '/'; i++)
			r += 1 + strcspn(r + 1, "/");
		return vd_strndup(path, (size_t)(r - path));
	}
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted, and without roots inside another one. */
static void prune_roots(char **roots, size_t *n)
{
	size_t k = 0;

	qsort(roots, *n, sizeof(*roots), cmp_str);
	for (size_t i = 0; i < *n; i++) {
		size_t l = k ? strlen(roots[k - 1]) : 0;

		if (k && strncmp(roots[i], roots[k - 1], l) == 0 &&
		    (roots[i][l] == '/' || roots[i][l] == '\0')) {
			free(roots[i]);
			continue;
		}
		roots[k++] = roots[i];
	}
	*n = k;
}

static int reread(struct wstate *s, int64_t now, char **roots, size_t n, struct vd_err *err)
{
	struct vd_snap *snap = vd_snap_new();
	int rc;

	prune_roots(roots, &n);
	rc = vd_xs_read_conn(s->conn, VD_XS_TREES, (const char *const *)roots, n, s->run->retries,
			     snap, err);
	/* a change is stamped when the read that found it ended: never before it was there */
	now = vd_now_ms();
	for (size_t i = 0; i < n; i++) {
		if (rc == 0)
			vd_tracker_sync(s->run->tracker, now, roots[i], snap);
		free(roots[i]);
	}
	free(roots);
	vd_snap_free(snap);
	return rc;
}

static void disconnect(struct wstate *s)
{
	vd_xsconn_close(s->conn);
	s->conn = NULL;
	if (s->sentinel >= 0)
		close(s->sentinel);
	s->xs = NULL;
	s->sentinel = -1;
	free(s->doms);
	s->doms = NULL;
	s->ndoms = 0;
}

/* The domains' names from the full read, before its VIFs (a watch by name needs them). */
static void put_names(struct wstate *s, int64_t now, const struct vd_snap *snap)
{
	for (size_t i = 0; i < s->ndoms; i++) {
		char *path = vd_asprintf("/local/domain/%lu/name", s->doms[i]);
		const struct vd_node *nm = vd_snap_get(snap, path);

		if (nm)
			vd_tracker_put(s->run->tracker, now, path, nm->value, nm->len, NULL);
		free(path);
	}
}

/* A watched base itself (what a registration event names), not a change below it. */
static bool is_base(const char *path)
{
	const char *p = path + strlen("/local/domain/");
	size_t dlen;

	if (!vd_startswith(path, "/local/domain/") || !(dlen = strcspn(p, "/")) || p[dlen] != '/')
		return false;
	for (size_t b = 0; b < NBASES; b++)
		if (strcmp(p + dlen + 1, bases[b]) == 0)
			return true;
	return false;
}

/*
 * After the full read: the registration event of every watch (it names the watched base
 * itself) is queued, and re-reading for them would read everything a second time. They
 * happened before the read, which holds what they name; events below a base are changes
 * and are kept for the first round. A domain introduced meanwhile is synced now.
 */
static int drain_covered(struct wstate *s, int64_t now, struct vd_err *err)
{
	char **vec, **roots = NULL;
	size_t nroots = 0;
	bool domains = false;

	while ((vec = xs_check_watch(s->xs))) {
		const char *path = vec[XS_WATCH_PATH];
		char *r;

		if (path[0] == '@')
			domains = true;
		else if (!is_base(path) && (r = root_for(path)))
			add_root(&roots, &nroots, r);
		free(vec);
	}
	if (domains && sync_domains(s, now, &roots, &nroots, false, err) < 0) {
		for (size_t i = 0; i < nroots; i++)
			free(roots[i]);
		free(roots);
		return -1;
	}
	if (!nroots) {
		free(roots);
		return 0;
	}
	return reread(s, now, roots, nroots, err);
}

/*
 * Watches first, then the full read, then @releaseDomain: a change racing with the start
 * is either in the read or in an event after it, and a test that waits for the last watch
 * knows the first read is done.
 */
static int connect_store(struct wstate *s, int64_t lost, struct vd_err *err)
{
	struct vd_snap *snap;
	char **roots = NULL;
	size_t nroots = 0;
	int64_t now = vd_now_ms();
	int rc;

	s->conn = vd_xsconn_open(s->run->timeout, s->run->stop, err);
	if (!s->conn)
		return -1;
	s->xs = vd_xsconn_handle(s->conn);
	vd_xsconn_arm(s->conn); /* op_end disarms */
	s->sentinel = vd_xs_sentinel_open();
	if (!watch_path(s, "@introduceDomain", true)) {
		watch_failed(s, "@introduceDomain", errno, err);
		return -1;
	}
	if (sync_domains(s, now, &roots, &nroots, true, err) < 0)
		return -1;
	snap = vd_snap_new();
	rc = vd_xs_read_conn(s->conn, VD_XS_ALL, NULL, 0, s->run->retries, snap, err);
	if (rc == 0 && lost >= 0) {
		vd_tracker_note(s->run->tracker, now, "back", now - lost);
		vd_tracker_set_gap(s->run->tracker, true);
	}
	if (rc == 0) {
		put_names(s, now, snap);
		vd_tracker_sync(s->run->tracker, now, "/local/domain", snap);
		rc = drain_covered(s, now, err);
	}
	vd_tracker_set_gap(s->run->tracker, false);
	vd_snap_free(snap);
	if (rc == 0 && !watch_path(s, "@releaseDomain", true)) {
		watch_failed(s, "@releaseDomain", errno, err);
		rc = -1;
	}
	return rc;
}

/* Everything the events since the last round name; false when the connection is gone. */
static bool collect(struct wstate *s, char ***roots, size_t *nroots, bool *domains)
{
	char **vec;

	while ((vec = xs_check_watch(s->xs))) {
		const char *path = vec[XS_WATCH_PATH];
		char *r;

		if (path[0] == '@')
			*domains = true;
		else if ((r = root_for(path)))
			add_root(roots, nroots, r);
		free(vec);
	}
	return errno == EAGAIN;
}

static bool sentinel_alive(struct wstate *s, short revents)
{
	char buf[256];
	ssize_t n;

	if (s->sentinel < 0 || !revents)
		return true;
	n = read(s->sentinel, buf, sizeof(buf));
	return n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR));
}

static void wait_ms(struct vd_watchrun *run, int64_t ms)
{
	if (ms < 0)
		ms = 0;
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	ppoll(NULL, 0, &ts, run->waitmask);
}

/* One round: wait for an event or a deadline, re-read, report. false: the store is gone. */
static bool round_once(struct wstate *s, struct vd_err *err)
{
	struct pollfd pfd[2] = { { .fd = xs_fileno(s->xs), .events = POLLIN },
				 { .fd = s->sentinel, .events = POLLIN } };
	int64_t now = vd_now_ms(), next = until_or(s->run, vd_tracker_tick(s->run->tracker, now));
	struct timespec ts, *tsp = NULL;
	char **roots = NULL;
	size_t nroots = 0;
	bool domains = false, alive;

	if (next != INT64_MAX) {
		int64_t w = next > now ? next - now : 0;

		ts.tv_sec = (time_t)(w / 1000);
		ts.tv_nsec = (long)(w % 1000) * 1000000L;
		tsp = &ts;
	}
	if (ppoll(pfd, s->sentinel >= 0 ? 2 : 1, tsp, s->run->waitmask) < 0 && errno != EINTR)
		return false;
	if (stopped(s))
		return true;
	alive = sentinel_alive(s, pfd[1].revents) && collect(s, &roots, &nroots, &domains);
	now = vd_now_ms();
	vd_tracker_tick(s->run->tracker, now);
	op_begin(s);
	if (alive && domains && sync_domains(s, now, &roots, &nroots, false, err) < 0)
		alive = false;
	if (alive && nroots) {
		alive = reread(s, now, roots, nroots, err) == 0;
		nroots = 0;
		roots = NULL;
	}
	op_end(s);
	for (size_t i = 0; i < nroots; i++)
		free(roots[i]);
	free(roots);
	return alive;
}

/* Lost: say so, try again with growing pauses, and report what changed meanwhile. */
static void reconnect(struct wstate *s)
{
	struct vd_tracker *t = s->run->tracker;
	int64_t lost = vd_now_ms(), wait = BACKOFF_MIN_MS;
	struct vd_err err;
	int rc;

	disconnect(s);
	vd_tracker_pause_stalls(t, true);
	vd_tracker_note(t, lost, "lost", 0);
	while (!stopped(s)) {
		int64_t now = vd_now_ms();

		wait_ms(s->run, until_or(s->run, now + wait) - now);
		if (stopped(s))
			break;
		vd_err_clear(&err);
		op_begin(s);
		rc = connect_store(s, lost, &err);
		op_end(s);
		if (rc == 0)
			break;
		disconnect(s);
		wait = wait * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : wait * 2;
	}
	vd_tracker_pause_stalls(t, false);
}

int vd_watch_run(struct vd_watchrun *run, struct vd_err *err)
{
	struct wstate s = { .run = run, .sentinel = -1 };
	struct vd_err rerr;
	int rc;

	if (!run->stop)
		run->stop = &never_stop;
	vd_tracker_set_quiet(run->tracker, true);
	op_begin(&s);
	rc = connect_store(&s, -1, err);
	op_end(&s);
	if (rc < 0) {
		disconnect(&s);
		vd_tracker_set_quiet(run->tracker, false);
		if (!stopped(&s))
			return -1;
		vd_err_clear(err); /* Ctrl-C before the store answered: an empty summary */
		return 0;
	}
	vd_tracker_set_quiet(run->tracker, false);
	if (run->ready)
		run->ready(run->tracker, run->ready_arg);
	while (!stopped(&s)) {
		vd_err_clear(&rerr);
		if (!round_once(&s, &rerr) && !stopped(&s))
			reconnect(&s);
	}
	disconnect(&s);
	return 0;
}
