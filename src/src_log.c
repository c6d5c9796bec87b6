// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Log source, the parser core: oxenstored access logs and C xenstored traces (reference
 * §3.1, §3.2 and the real 4.17 captures) turned into store updates. Both daemons log requests
 * as the client sent them, so relative paths are resolved against the connection's domain,
 * and the connection is kept so the timeline can say who wrote. This file keeps connections,
 * records, their delivery, time and stats; log_access.c and log_trace.c read the two line
 * formats (vd_logparse.h). Lines are parsed in place (the hot path allocates nothing)
 * because these logs reach gigabytes.
 */
#include "vd_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vd_logparse.h"
#include "vd_util.h"

/* ---- a small string-keyed map (connections, transactions) ---- */

static size_t smap_hash(const char *s, size_t len)
{
	size_t h = 5381;

	for (size_t i = 0; i < len; i++)
		h = (h << 5) + h + (unsigned char)s[i];
	return h ^ (h >> 17);
}

/* key is the len bytes at k (no NUL among them): inline, a lookup runs for most lines */
static inline bool smap_key_is(const char *key, const char *k, size_t len)
{
	size_t i = 0;

	while (i < len && key[i] == k[i]) /* stops at key's NUL: k has none */
		i++;
	return i == len && !key[len];
}

/* Keys are strings: a log line's name with a NUL byte in it is cut there, everywhere. */
static size_t smap_slot(const struct vd_smap *m, const char *k, size_t len)
{
	size_t i;

	len = strnlen(k, len);
	i = smap_hash(k, len) & (m->cap - 1);

	while (m->keys[i] && !smap_key_is(m->keys[i], k, len))
		i = (i + 1) & (m->cap - 1);
	return i;
}

void *vd_smap_get(const struct vd_smap *m, const char *k, size_t len)
{
	return m->cap ? m->vals[smap_slot(m, k, len)] : NULL;
}

void vd_smap_put(struct vd_smap *m, const char *k, size_t len, void *v)
{
	size_t i;

	if (2 * (m->n + 1) > m->cap) {
		struct vd_smap big = { .cap = m->cap ? m->cap * 2 : 64 };

		big.keys = vd_calloc(big.cap, sizeof(*big.keys));
		big.vals = vd_calloc(big.cap, sizeof(*big.vals));
		for (size_t j = 0; j < m->cap; j++) {
			if (!m->keys[j])
				continue;
			i = smap_slot(&big, m->keys[j], strlen(m->keys[j]));
			big.keys[i] = m->keys[j];
			big.vals[i] = m->vals[j];
			big.n++;
		}
		free(m->keys);
		free(m->vals);
		*m = big;
	}
	i = smap_slot(m, k, len);
	if (!m->keys[i]) {
		m->keys[i] = vd_strndup(k, len);
		m->n++;
	}
	/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): shallow mode loses *m = big above */
	m->vals[i] = v;
}

/* Removal by rebuilding: rare (a transaction ends, a trace connection is destroyed). */
void vd_smap_del(struct vd_smap *m, const char *k, size_t len)
{
	struct vd_smap old = *m;

	len = strnlen(k, len);
	if (!m->cap || !m->keys[smap_slot(m, k, len)])
		return;
	memset(m, 0, sizeof(*m));
	for (size_t j = 0; j < old.cap; j++) {
		if (!old.keys[j])
			continue;
		if (strncmp(old.keys[j], k, len) != 0 || old.keys[j][len])
			vd_smap_put(m, old.keys[j], strlen(old.keys[j]), old.vals[j]);
		free(old.keys[j]);
	}
	free(old.keys);
	free(old.vals);
}

static void smap_free(struct vd_smap *m, void (*fr)(void *))
{
	for (size_t j = 0; j < m->cap; j++) {
		if (m->keys[j] && fr)
			fr(m->vals[j]);
		free(m->keys[j]);
	}
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* ---- records and the connections that make them ---- */

void vd_lp_rec_free(struct rec *r)
{
	if (!r)
		return;
	free(r->path);
	free(r->value);
	free(r);
}

static void stat_free(void *p)
{
	struct stat_acc *s = p;

	vd_buf_free(&s->watched);
	free(s->name);
	free(s);
}

static void conn_free(void *p)
{
	struct conn *c = p;

	for (size_t i = 0; i < c->ntx; i++)
		vd_lp_rec_free(c->txbuf[i]);
	for (size_t i = 0; i < c->nawait; i++)
		vd_lp_rec_free(c->await[i]);
	free(c->txbuf);
	free(c->await);
	free(c->await_seq);
	free(c);
}

struct stat_acc *vd_lp_stat_for(struct vd_logparser *p, struct conn *c, int64_t ms)
{
	if (!p->want_stats)
		return NULL;
	if (!c->st) {
		/*
		 * A name seen before belonged to a connection that is gone: C xenstored reuses
		 * the addresses of freed connections, a restarted daemon its numbers. Another
		 * client: its own row, NAME#2, NAME#3, ...
		 */
		struct stat_acc *first = vd_smap_get(&p->stats, c->name, strlen(c->name));

		c->st = vd_calloc(1, sizeof(*c->st));
		c->st->first_of = first ? first : c->st;
		c->st->first_of->instances++;
		c->st->name = first ? vd_asprintf("%s#%lu", c->name, first->instances)
				    : vd_strdup(c->name);
		c->st->domid = -1;
		c->st->first = -1;
		vd_buf_init(&c->st->watched);
		vd_smap_put(&p->stats, c->st->name, strlen(c->st->name), c->st);
	}
	c->st->kernel |= c->kernel;
	if (c->domid >= 0)
		c->st->domid = c->domid;
	if (ms >= 0) {
		if (c->st->first < 0)
			c->st->first = ms;
		c->st->last = ms;
	}
	return c->st;
}

void vd_lp_stat_watch(struct stat_acc *s, const char *path, size_t len)
{
	if (!s)
		return;
	s->watches++;
	if (s->nwatched++ < 4) {
		if (s->watched.len)
			vd_buf_adds(&s->watched, ", ");
		vd_buf_add(&s->watched, path, len);
	}
}

struct conn *vd_lp_conn_get(struct vd_logparser *p, const char *name, size_t len)
{
	struct conn *c = vd_smap_get(&p->conns, name, len);

	if (!c) {
		c = vd_calloc(1, sizeof(*c));
		snprintf(c->name, sizeof(c->name), "%.*s", (int)(len < 39 ? len : 39), name);
		c->domid = -1;
		vd_smap_put(&p->conns, name, len, c);
	}
	return c;
}

/*
 * Removed by its map key (c->name is cut at 39 bytes), copied: vd_smap_del frees the keys
 * it drops.
 */
void vd_lp_conn_retire(struct vd_logparser *p, struct conn *c, const char *key, size_t len)
{
	char *k = vd_strndup(key, len);

	p->dead = vd_realloc(p->dead, (p->ndead + 1) * sizeof(*p->dead));
	p->dead[p->ndead++] = c;
	vd_smap_del(&p->conns, k, strlen(k));
	free(k);
}

/* ---- delivery: relative paths, pending resolution ---- */

static bool relative(const char *path)
{
	return path[0] != '/' && path[0] != '@';
}

/*
 * Relative paths a guest kernel writes: whose domain only its connection knows. A trace
 * shows no domain before 4.19 unless it shows the introduction; a later absolute watch event
 * for the same node tells (for a dom0 tool writing its own device/ nodes too).
 */
static bool needs_domain(const struct rec *r)
{
	return relative(r->path) && r->c && r->c->domid < 0 && !r->c->gave_up &&
	       (vd_startswith(r->path, "device/") || vd_startswith(r->path, "error/device/"));
}

static long conn_domid(const struct conn *c)
{
	/* socket clients and a kernel of unknown domain: dom0 is where both usually are */
	return c && c->domid >= 0 ? c->domid : 0;
}

static void deliver(struct vd_logparser *p, const struct rec *r)
{
	struct vd_logrec out;
	const char *path = r->path;

	if (relative(path) && r->op != VD_REC_TIME) {
		char num[24];
		size_t n = sizeof(num);
		unsigned long d = (unsigned long)conn_domid(r->c);

		/* "/local/domain/%ld/%s" by hand: this runs for every relative write */
		do
			num[--n] = (char)('0' + d % 10);
		while ((d /= 10) && n);
		vd_buf_reset(&p->path);
		vd_buf_add(&p->path, "/local/domain/", 14);
		vd_buf_add(&p->path, num + n, sizeof(num) - n);
		vd_buf_addc(&p->path, '/');
		vd_buf_adds(&p->path, path);
		path = vd_buf_cstr(&p->path);
	}
	memset(&out, 0, sizeof(out));
	out.t_ms = r->t_ms;
	out.op = r->op;
	out.path = path;
	out.value = r->value;
	out.len = r->len;
	out.origin.conn = r->c ? r->c->name : NULL;
	out.origin.kernel = r->c && r->c->kernel;
	out.origin.conn_domid = r->c && r->c->kernel ? conn_domid(r->c) : -1;
	out.origin.file = r->file;
	out.origin.line = r->line;
	out.origin.truncated = r->truncated;
	p->counts.records++;
	p->rec_fn(&out, p->arg);
}

struct rec *vd_lp_rec_copy(const struct rec *r)
{
	struct rec *c = vd_malloc(sizeof(*c));

	*c = *r;
	c->path = vd_strdup(r->path);
	c->value = r->value ? vd_memdup0(r->value, r->len) : NULL;
	return c;
}

void vd_lp_drain_pending(struct vd_logparser *p, bool force)
{
	size_t i = 0;

	for (; i < p->npend; i++) {
		struct rec *r = p->pend[i];

		if (needs_domain(r) && !force)
			break;
		if (needs_domain(r))
			r->c->gave_up = true; /* deliver it, and what follows, under dom0 */
		deliver(p, r);
		vd_lp_rec_free(r);
	}
	if (i)
		memmove(p->pend, p->pend + i, (p->npend - i) * sizeof(*p->pend));
	p->npend -= i;
	p->pend_since = 0;
}

/*
 * In order: behind anything still waiting, and waiting itself if its domain is unknown.
 * A change to an @-path (those name watches, not nodes) is one xenstored refuses: a failed
 * request, not a store update.
 */
void vd_lp_dispatch(struct vd_logparser *p, const struct rec *r)
{
	if (r->path[0] == '@') {
		p->counts.failed++;
		return;
	}
	if (!p->npend && !needs_domain(r)) {
		deliver(p, r);
		return;
	}
	p->pend = vd_realloc(p->pend, (p->npend + 1) * sizeof(*p->pend));
	p->pend[p->npend++] = vd_lp_rec_copy(r);
}

static bool same_rel(const struct rec *r, const char *rel, size_t len)
{
	return needs_domain(r) && strlen(r->path) == len && memcmp(r->path, rel, len) == 0;
}

/* The connection that wrote rel (relative, its domain unknown): pending, in a transaction
 * or awaiting its reply. The event may come before the commit's reply. */
static struct conn *writer_of_rel(struct vd_logparser *p, const char *rel, size_t len)
{
	for (size_t i = 0; i < p->npend; i++)
		if (same_rel(p->pend[i], rel, len))
			return p->pend[i]->c;
	for (size_t j = 0; j < p->conns.cap; j++) {
		struct conn *c = p->conns.vals[j];

		if (!p->conns.keys[j] || c->domid >= 0)
			continue;
		for (size_t i = 0; i < c->ntx; i++)
			if (same_rel(c->txbuf[i], rel, len))
				return c;
		for (size_t i = 0; i < c->nawait; i++)
			if (same_rel(c->await[i], rel, len))
				return c;
	}
	return NULL;
}

/* An absolute watch event names the path a relative write meant: learn the writer's domain. */
void vd_lp_resolve_from_event(struct vd_logparser *p, const char *path, size_t len)
{
	unsigned long d;
	const char *s = path + 14, *rel;
	struct conn *c;
	size_t n;

	if (len < 16 || strncmp(path, "/local/domain/", 14) != 0)
		return;
	rel = memchr(s, '/', len - 14);
	if (!rel || !vd_parse_ulong(s, (size_t)(rel - s), 0xffffffffUL, &d))
		return;
	rel++;
	/* only a device/ or error/device/ write waits for its domain (needs_domain): most events
	 * are for other paths, and the search walks every connection */
	n = len - (size_t)(rel - path);
	if (!(n >= 7 && memcmp(rel, "device/", 7) == 0) &&
	    !(n >= 13 && memcmp(rel, "error/device/", 13) == 0))
		return;
	c = writer_of_rel(p, rel, n);
	if (!c)
		return;
	c->domid = (long)d;
	c->kernel |= d != 0;
	vd_lp_drain_pending(p, false);
}

/* ---- time ---- */

static int64_t day_hour_epoch(int y, int mo, int d, int h, bool local)
{
	struct tm tm = { 0 };

	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_isdst = -1;
	return (int64_t)(local ? mktime(&tm) : timegm(&tm)) * 1000;
}

/* "YYYYMMDD?HH:MM:SS" at s (sep is 'T' or ' '); the hour's epoch is cached by its text. */
bool vd_lp_parse_stamp(const char *s, char sep, bool local, char key[12], int64_t *base,
		       int64_t *ms)
{
	int y, mo, d, h, mi, sec;

	if (s[8] != sep || s[11] != ':' || s[14] != ':' || !vd_lp_num_at(s + 12, 2, &mi) ||
	    !vd_lp_num_at(s + 15, 2, &sec) || mi > 59 || sec > 60)
		return false;
	if (memcmp(key, s, 11) != 0) {
		if (!vd_lp_num_at(s, 4, &y) || !vd_lp_num_at(s + 4, 2, &mo) ||
		    !vd_lp_num_at(s + 6, 2, &d) || !vd_lp_num_at(s + 9, 2, &h) || mo < 1 ||
		    mo > 12 || d < 1 || d > 31 || h > 23)
			return false;
		*base = day_hour_epoch(y, mo, d, h, local);
		memcpy(key, s, 11);
	}
	*ms = *base + (int64_t)mi * 60000 + (int64_t)sec * 1000;
	return true;
}

void vd_lp_saw_time(struct vd_logparser *p, int64_t ms)
{
	if (p->counts.first_ms < 0)
		p->counts.first_ms = ms;
	p->counts.last_ms = ms;
}

int vd_lp_bad(struct vd_logparser *p, const char *file, unsigned long line, const char *what)
{
	p->counts.malformed++;
	if (p->bad_fn)
		p->bad_fn(file, line, what, p->arg);
	return -1;
}

/* The first word of a payload (NULs are shown as spaces). */
size_t vd_lp_word(const char *s, size_t len)
{
	const char *sp = memchr(s, ' ', len);

	return sp ? (size_t)(sp - s) : len;
}

/* ---- parser API ---- */

struct vd_logparser *vd_logparser_new(vd_logrec_fn rec, vd_logbad_fn badfn, void *arg, bool stats)
{
	struct vd_logparser *p = vd_calloc(1, sizeof(*p));

	p->rec_fn = rec;
	p->bad_fn = badfn;
	p->arg = arg;
	p->want_stats = stats;
	p->introduce = -1;
	p->counts.first_ms = p->counts.last_ms = -1;
	vd_buf_init(&p->path);
	vd_buf_init(&p->held_path);
	vd_buf_init(&p->held_value);
	return p;
}

void vd_logparser_free(struct vd_logparser *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->npend; i++)
		vd_lp_rec_free(p->pend[i]);
	free(p->pend);
	smap_free(&p->conns, conn_free);
	smap_free(&p->txns, vd_lp_txn_free);
	smap_free(&p->stats, stat_free);
	for (size_t i = 0; i < p->ndead; i++)
		conn_free(p->dead[i]);
	free(p->dead);
	vd_buf_free(&p->path);
	vd_buf_free(&p->held_path);
	vd_buf_free(&p->held_value);
	free(p);
}

static size_t trimmed(const char *line, size_t len)
{
	while (len && (line[len - 1] == '\r' || line[len - 1] == '\0'))
		len--;
	return len;
}

int vd_logparser_line(struct vd_logparser *p, const char *line, size_t len, const char *file,
		      unsigned long lineno)
{
	len = trimmed(line, len);
	if (len == 0)
		return 0;
	p->counts.lines++;
	if (line[0] == '[')
		return vd_lp_access_line(p, line, len, file, lineno);
	return vd_lp_trace_line(p, line, len, file, lineno);
}

bool vd_logparser_classifiable(const struct vd_logparser *p)
{
	return !p->want_stats;
}

/* Trace lines always go to the parser: a request and its reply are paired there. */
enum vd_lpclass vd_logparser_classify(struct vd_logclassifier *c, const char *line, size_t len,
				      struct vd_lpparsed *out)
{
	len = trimmed(line, len);
	if (len == 0)
		return VD_LPC_BLANK;
	if (line[0] == '[')
		return vd_lp_access_classify(c, line, len, out);
	return VD_LPC_FULL;
}

void vd_logparser_parsed(struct vd_logparser *p, const char *line, const struct vd_lpparsed *in,
			 const char *file, unsigned long lineno)
{
	p->counts.lines++;
	vd_lp_access_parsed(p, line, in, file, lineno);
}

struct vd_logclassifier *vd_logclassifier_new(const struct vd_logparser *p)
{
	struct vd_logclassifier *c = vd_calloc(1, sizeof(*c));

	c->only_vifs = p->only_vifs;
	return c;
}

void vd_logclassifier_free(struct vd_logclassifier *c)
{
	free(c);
}

/*
 * The time writes of the run as the lines that had them: each releases the one before (the
 * first, what was held before the run). The last released one is released by a later line
 * of the run unless it is still held.
 */
void vd_logparser_skip(struct vd_logparser *p, const struct vd_logskip *k, const char *file,
		       unsigned long lineno)
{
	p->counts.lines += k->counted;
	if (k->first_ms >= 0)
		vd_lp_saw_time(p, k->first_ms);
	for (size_t i = 0; i < k->ntw; i++)
		vd_lp_access_parsed(p, k->tw[i].line, &k->tw[i].parts, file,
				    lineno + k->tw[i].lineno);
	p->counts.records += k->collapsed;
	if (k->release && !(k->ntw && k->last_held))
		vd_lp_release_held(p);
	if (k->first_ms >= 0)
		vd_lp_saw_time(p, k->last_ms);
}

void vd_logparser_only_vifs(struct vd_logparser *p, bool on)
{
	p->only_vifs = on;
}

bool vd_log_path_may_matter(const char *path, size_t len)
{
	/* a superset of what the tracker classifies: VIF ends and error nodes, domain names */
	for (const char *v = path, *e = path + len;
	     e - v >= 3 && (v = memchr(v, 'v', (size_t)(e - v - 2))); v++)
		if (v[1] == 'i' && v[2] == 'f')
			return true;
	return (len >= 4 && memcmp(path + len - 4, "name", 4) == 0 &&
		(len == 4 || path[len - 5] == '/'));
}

void vd_logparser_flush(struct vd_logparser *p, bool end)
{
	vd_lp_release_held(p);
	if (end) {
		vd_lp_await_flush(p);
		vd_lp_drain_pending(p, true);
	}
}

void vd_logparser_counts(const struct vd_logparser *p, struct vd_logcounts *c)
{
	*c = p->counts;
}

static int by_load(const void *a, const void *b)
{
	const struct vd_connstat *x = a, *y = b;

	if (x->watch_events != y->watch_events)
		return x->watch_events < y->watch_events ? 1 : -1;
	if (x->writes != y->writes)
		return x->writes < y->writes ? 1 : -1;
	return strcmp(x->conn, y->conn);
}

size_t vd_logparser_stats(const struct vd_logparser *p, struct vd_connstat **out)
{
	size_t n = 0;

	*out = vd_calloc(p->stats.n, sizeof(**out));
	for (size_t j = 0; j < p->stats.cap; j++) {
		const struct stat_acc *s = p->stats.vals[j];

		if (!p->stats.keys[j])
			continue;
		(*out)[n].conn = s->name;
		(*out)[n].kernel = s->kernel;
		(*out)[n].domid = s->domid;
		(*out)[n].writes = s->writes;
		(*out)[n].watch_events = s->wevents;
		(*out)[n].watches = s->watches;
		(*out)[n].instances = s->first_of->instances;
		(*out)[n].watched = vd_buf_cstr(&s->watched);
		(*out)[n].first_ms = s->first;
		(*out)[n].last_ms = s->last;
		n++;
	}
	qsort(*out, n, sizeof(**out), by_load);
	return n;
}
