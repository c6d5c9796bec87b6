// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vifdiag metrics --listen: scrapes are answered from the last collection, never by
 * reading xenstore, so a scrape storm costs xenstored nothing. The collection is redone
 * when a libxenstore watch fires on a domain's device/vif, backend/vif or error nodes or on
 * @introduceDomain/@releaseDomain (the same bases as watch), at most every MIN_GAP_MS, and
 * every REFRESH_MS anyway (the host side, link and carrier, has no xenstore event). Only
 * xs_watch, xs_unwatch, xs_fileno, xs_check_watch and the read-only collection: no write.
 * When xenstored is gone the exposition says vifdiag_up 0 and the watches are set up again
 * with backoff.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xenstore.h>

#include "vd_cmd.h"
#include "vd_http.h"
#include "vd_metrics.h"
#include "vd_source.h"
#include "vd_util.h"
#include "vd_xsconn.h"

#define DEBOUNCE_MS    50    /* a burst of events (a VIF coming up writes ~20 keys) is one read */
#define MIN_GAP_MS     250   /* a flood of events still reads the store at most 4 times a second */
#define REFRESH_MS     30000 /* host facts change without a xenstore event */
#define RETRY_MS       2000  /* while the source is down */
#define BACKOFF_MAX_MS 5000

static const char *const bases[] = { "device/vif", "backend/vif", "error" };
#define NBASES (sizeof(bases) / sizeof(bases[0]))
#define TYPE   "text/plain; version=0.0.4; charset=utf-8"

struct lstate {
	const struct vd_opts *o;
	struct vd_http *http;
	struct xs_handle *xs;
	int sentinel;
	unsigned long *doms; /* watched domains */
	size_t ndoms;
	bool dirty;
	int64_t dirty_at, last, next_refresh, next_connect, backoff;
	struct vd_buf body;
};

static bool watch(struct lstate *s, const char *path, bool on)
{
	char *tok = vd_asprintf("vifdiag-metrics:%s", path);
	bool ok = on ? xs_watch(s->xs, path, tok) : xs_unwatch(s->xs, path, tok);

	free(tok);
	return ok;
}

static bool watch_domain(struct lstate *s, unsigned long d, bool on)
{
	bool ok = true;

	for (size_t i = 0; i < NBASES; i++) {
		char *p = vd_asprintf("/local/domain/%lu/%s", d, bases[i]);

		ok &= watch(s, p, on) || !on; /* a gone domain's unwatch may fail */
		free(p);
	}
	return ok;
}

static void disconnect(struct lstate *s, int64_t now)
{
	if (s->xs)
		xs_close(s->xs);
	if (s->sentinel >= 0)
		close(s->sentinel);
	s->xs = NULL;
	s->sentinel = -1;
	free(s->doms);
	s->doms = NULL;
	s->ndoms = 0;
	s->next_connect = now + s->backoff;
	s->backoff = s->backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : s->backoff * 2;
}

static void mark_dirty(struct lstate *s, int64_t now)
{
	if (!s->dirty)
		s->dirty_at = now;
	s->dirty = true;
}

static void connect_store(struct lstate *s, int64_t now)
{
	struct vd_err err;

	vd_err_clear(&err);
	s->xs = vd_xs_open(&err);
	if (s->xs && watch(s, "@introduceDomain", true) && watch(s, "@releaseDomain", true)) {
		s->sentinel = vd_xs_sentinel_open();
		s->backoff = 100;
	} else {
		disconnect(s, now);
	}
	mark_dirty(s, now); /* an unreachable store is news too: vifdiag_up 0 */
}

static bool has(const unsigned long *v, size_t n, unsigned long d)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == d)
			return true;
	return false;
}

/* Watches for the domains the collection found; false if one cannot be set. */
static bool sync_watches(struct lstate *s, unsigned long *doms, size_t n)
{
	bool ok = true;

	for (size_t i = 0; i < n && ok; i++)
		if (!has(s->doms, s->ndoms, doms[i]))
			ok = watch_domain(s, doms[i], true);
	for (size_t i = 0; i < s->ndoms && ok; i++)
		if (!has(doms, n, s->doms[i]))
			watch_domain(s, s->doms[i], false);
	free(s->doms);
	s->doms = doms;
	s->ndoms = n;
	return ok;
}

static void refresh(struct lstate *s, int64_t now)
{
	unsigned long *doms = NULL;
	size_t n = 0;
	struct vd_err err;
	bool up;

	vd_err_clear(&err);
	up = vd_metrics_collect(s->o, &s->body, &doms, &n, &err) == 0;
	vd_http_set_body(s->http, s->body.data ? s->body.data : "", s->body.len, TYPE);
	s->dirty = false;
	s->last = vd_mono_ms();
	if (s->o->from) {
		free(doms);
		s->next_refresh = INT64_MAX; /* a dump does not change */
		return;
	}
	s->next_refresh = s->last + (up ? REFRESH_MS : RETRY_MS);
	if (!s->xs)
		free(doms);
	else if (!up || !sync_watches(s, doms, n))
		disconnect(s, now);
}

static void drain_watches(struct lstate *s, int64_t now)
{
	char **vec;

	while ((vec = xs_check_watch(s->xs))) {
		free(vec);
		mark_dirty(s, now);
	}
}

static bool sentinel_alive(struct lstate *s, short revents)
{
	char buf[256];
	ssize_t n;

	if (!revents)
		return true;
	n = read(s->sentinel, buf, sizeof(buf));
	return n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR));
}

static int64_t next_wake(const struct lstate *s)
{
	int64_t t = vd_http_deadline(s->http);

	if (s->dirty) {
		int64_t d = s->dirty_at + DEBOUNCE_MS, g = s->last + MIN_GAP_MS;
		int64_t due = d > g ? d : g;

		t = due < t ? due : t;
	}
	if (s->next_refresh < t)
		t = s->next_refresh;
	if (!s->o->from && !s->xs && s->next_connect < t)
		t = s->next_connect;
	return t;
}

static void round_once(struct lstate *s, const sigset_t *waitmask)
{
	struct pollfd p[VD_HTTP_MAX_CONN + 3];
	size_t n = vd_http_pollfds(s->http, p), ixs = n, isent = n;
	int64_t now = vd_mono_ms(), wake = next_wake(s);
	struct timespec ts, *tsp = NULL;

	if (s->xs) {
		p[n++] = (struct pollfd){ .fd = xs_fileno(s->xs), .events = POLLIN };
		isent = n;
		if (s->sentinel >= 0)
			p[n++] = (struct pollfd){ .fd = s->sentinel, .events = POLLIN };
	}
	if (wake != INT64_MAX) {
		int64_t w = wake > now ? wake - now : 0;

		ts.tv_sec = (time_t)(w / 1000);
		ts.tv_nsec = (long)(w % 1000) * 1000000L;
		tsp = &ts;
	}
	if (ppoll(p, n, tsp, waitmask) < 0) {
		if (errno != EINTR)
			s->dirty = true;
		return;
	}
	now = vd_mono_ms();
	vd_http_serve(s->http, p, ixs, now);
	if (s->xs && p[ixs].revents)
		drain_watches(s, now);
	if (s->xs && isent < n && !sentinel_alive(s, p[isent].revents)) {
		disconnect(s, now);
		mark_dirty(s, now);
	}
}

int vd_metrics_listen(const struct vd_opts *o, const char *addr, struct vd_err *err)
{
	struct lstate s = { .o = o, .sentinel = -1, .backoff = 100 };
	volatile sig_atomic_t *stop;
	sigset_t waitmask, saved;

	s.http = vd_http_listen(addr, err);
	if (!s.http)
		return err->code;
	vd_buf_init(&s.body);
	stop = vd_stop_on_signals(&waitmask, &saved);
	mark_dirty(&s, vd_mono_ms());
	s.dirty_at -= DEBOUNCE_MS; /* the first collection at once */
	s.last = s.dirty_at - MIN_GAP_MS;
	while (!*stop) {
		int64_t now = vd_mono_ms();

		if (!o->from && !s.xs && now >= s.next_connect)
			connect_store(&s, now);
		if ((s.dirty && now >= s.dirty_at + DEBOUNCE_MS && now >= s.last + MIN_GAP_MS) ||
		    now >= s.next_refresh)
			refresh(&s, now);
		round_once(&s, &waitmask);
	}
	vd_stop_restore(&saved);
	disconnect(&s, vd_mono_ms());
	vd_http_close(s.http);
	vd_buf_free(&s.body);
	return VD_EXIT_OK;
}
