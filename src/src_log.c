// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Log source: oxenstored access logs and C xenstored traces (reference §3.1, §3.2 and the
 * real 4.17 captures) turned into store updates. Both daemons log requests as the client
 * sent them, so relative paths are resolved against the connection's domain, writes inside
 * a transaction are held until its commit, and the connection is kept so the timeline can
 * say who wrote. Lines are parsed in place (the hot path allocates nothing) because these
 * logs reach gigabytes.
 */
#include "vd_log.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "vd_util.h"

/* ---- a small string-keyed map (connections, transactions) ---- */

struct smap {
	char **keys;
	void **vals;
	size_t cap, n;
};

static size_t smap_hash(const char *s, size_t len)
{
	size_t h = 5381;

	for (size_t i = 0; i < len; i++)
		h = (h << 5) + h + (unsigned char)s[i];
	return h ^ (h >> 17);
}

static size_t smap_slot(const struct smap *m, const char *k, size_t len)
{
	size_t i = smap_hash(k, len) & (m->cap - 1);

	while (m->keys[i] && (strncmp(m->keys[i], k, len) != 0 || m->keys[i][len]))
		i = (i + 1) & (m->cap - 1);
	return i;
}

static void *smap_get(const struct smap *m, const char *k, size_t len)
{
	return m->cap ? m->vals[smap_slot(m, k, len)] : NULL;
}

static void smap_put(struct smap *m, const char *k, size_t len, void *v)
{
	size_t i;

	if (2 * (m->n + 1) > m->cap) {
		struct smap big = { .cap = m->cap ? m->cap * 2 : 64 };

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
	m->vals[i] = v;
}

/* Removal by rebuilding: rare (a transaction ends, a trace connection is destroyed). */
static void smap_del(struct smap *m, const char *k, size_t len)
{
	struct smap old = *m;

	if (!m->cap || !m->keys[smap_slot(m, k, len)])
		return;
	memset(m, 0, sizeof(*m));
	for (size_t j = 0; j < old.cap; j++) {
		if (!old.keys[j])
			continue;
		if (strncmp(old.keys[j], k, len) != 0 || old.keys[j][len])
			smap_put(m, old.keys[j], strlen(old.keys[j]), old.vals[j]);
		free(old.keys[j]);
	}
	free(old.keys);
	free(old.vals);
}

static void smap_free(struct smap *m, void (*fr)(void *))
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

struct stat_acc {
	char *name;
	bool kernel;
	long domid;
	unsigned long writes, wevents, watches;
	unsigned long instances;   /* connections that had this name (on the first one's row) */
	struct stat_acc *first_of; /* the row of the first connection with this name */
	struct vd_buf watched;
	unsigned nwatched;
	int64_t first, last;
};

struct conn {
	char name[40];
	bool kernel;  /* a domain connection (D<n>, introduced, or kernel watch tokens) */
	bool gave_up; /* its domain could not be learnt: relative paths go under dom0 */
	long domid;   /* -1 unknown */
	/* trace: requests and replies are paired in order (replies name no request) */
	unsigned long in_seq, out_seq;
	int tx_depth; /* open transactions (the trace shows no transaction ids) */
	unsigned long tx_start_seq, tx_end_seq;
	bool tx_commit;
	struct rec **txbuf;
	size_t ntx;
	/* trace: writes outside a transaction, until their reply says OK or ERROR */
	struct rec **await;
	unsigned long *await_seq;
	size_t nawait;
	struct stat_acc *st;
};

struct rec {
	int64_t t_ms;
	enum vd_rec_op op;
	char *path; /* absolute, or relative while the connection's domain is unknown */
	char *value;
	size_t len;
	struct conn *c;
	const char *file;
	unsigned long line;
	bool truncated;
};

struct txn { /* an access-log transaction: <conn>.<tid> */
	struct rec **v;
	size_t n;
};

struct vd_logparser {
	vd_logrec_fn rec_fn;
	vd_logbad_fn bad_fn;
	void *arg;
	bool want_stats;
	struct smap conns;  /* key: "A12", "D0", or a trace pointer */
	struct smap txns;   /* access log: "A12.3" */
	struct smap stats;  /* key: connection name; survives connection resets */
	struct conn **dead; /* destroyed trace connections still referenced by records */
	size_t ndead;
	struct rec **pend; /* records waiting for an earlier one to learn its domain */
	size_t npend;
	unsigned long pend_since; /* lines seen since the oldest unresolved record */
	/* access log: the last write, until the next line shows no error for it */
	struct rec *held;    /* outside a transaction: not delivered yet */
	struct txn *held_tx; /* inside one: the last of its writes */
	struct conn *held_conn;
	long introduce; /* trace: domid of an INTRODUCE whose connection is not created yet */
	struct vd_logcounts counts;
	struct vd_buf scratch, path;
	/* time caches: the epoch of the last date-and-hour seen */
	char acc_key[12], tr_key[12];
	int64_t acc_base, tr_base;
};

static void rec_free(struct rec *r)
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
		rec_free(c->txbuf[i]);
	for (size_t i = 0; i < c->nawait; i++)
		rec_free(c->await[i]);
	free(c->txbuf);
	free(c->await);
	free(c->await_seq);
	free(c);
}

static void txn_free(void *p)
{
	struct txn *t = p;

	for (size_t i = 0; i < t->n; i++)
		rec_free(t->v[i]);
	free(t->v);
	free(t);
}

static struct stat_acc *stat_for(struct vd_logparser *p, struct conn *c, int64_t ms)
{
	if (!p->want_stats)
		return NULL;
	if (!c->st) {
		/*
		 * A name seen before belonged to a connection that is gone: C xenstored reuses
		 * the addresses of freed connections, a restarted daemon its numbers. Another
		 * client: its own row, NAME#2, NAME#3, ...
		 */
		struct stat_acc *first = smap_get(&p->stats, c->name, strlen(c->name));

		c->st = vd_calloc(1, sizeof(*c->st));
		c->st->first_of = first ? first : c->st;
		c->st->first_of->instances++;
		c->st->name = first ? vd_asprintf("%s#%lu", c->name, first->instances)
				    : vd_strdup(c->name);
		c->st->domid = -1;
		c->st->first = -1;
		vd_buf_init(&c->st->watched);
		smap_put(&p->stats, c->st->name, strlen(c->st->name), c->st);
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

static void stat_watch(struct stat_acc *s, const char *path, size_t len)
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

static struct conn *conn_get(struct vd_logparser *p, const char *name, size_t len)
{
	struct conn *c = smap_get(&p->conns, name, len);

	if (!c) {
		c = vd_calloc(1, sizeof(*c));
		snprintf(c->name, sizeof(c->name), "%.*s", (int)(len < 39 ? len : 39), name);
		c->domid = -1;
		smap_put(&p->conns, name, len, c);
	}
	return c;
}

/* A trace connection is gone (or the daemon restarted): pointers may be reused. */
static void conn_retire(struct vd_logparser *p, struct conn *c)
{
	p->dead = vd_realloc(p->dead, (p->ndead + 1) * sizeof(*p->dead));
	p->dead[p->ndead++] = c;
	smap_del(&p->conns, c->name, strlen(c->name));
}

static bool is_kernel_token(const char *s, size_t len)
{
	/* Linux xenbus uses the watch's address as token: 16 hex digits */
	if (len != 16)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* ---- delivery: relative paths, pending resolution ---- */

#define PEND_MAX_LINES 2000 /* how long a kernel write may wait to learn its domain */

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

	if (relative(path)) {
		vd_buf_reset(&p->path);
		vd_buf_addf(&p->path, "/local/domain/%ld/%s", conn_domid(r->c), path);
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

static struct rec *rec_copy(const struct rec *r)
{
	struct rec *c = vd_malloc(sizeof(*c));

	*c = *r;
	c->path = vd_strdup(r->path);
	c->value = r->value ? vd_memdup0(r->value, r->len) : NULL;
	return c;
}

static void drain_pending(struct vd_logparser *p, bool force)
{
	size_t i = 0;

	for (; i < p->npend; i++) {
		struct rec *r = p->pend[i];

		if (needs_domain(r) && !force)
			break;
		if (needs_domain(r))
			r->c->gave_up = true; /* deliver it, and what follows, under dom0 */
		deliver(p, r);
		rec_free(r);
	}
	if (i)
		memmove(p->pend, p->pend + i, (p->npend - i) * sizeof(*p->pend));
	p->npend -= i;
	p->pend_since = 0;
}

/* In order: behind anything still waiting, and waiting itself if its domain is unknown. */
static void dispatch(struct vd_logparser *p, const struct rec *r)
{
	if (!p->npend && !needs_domain(r)) {
		deliver(p, r);
		return;
	}
	p->pend = vd_realloc(p->pend, (p->npend + 1) * sizeof(*p->pend));
	p->pend[p->npend++] = rec_copy(r);
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
static void resolve_from_event(struct vd_logparser *p, const char *path, size_t len)
{
	unsigned long d;
	const char *s = path + 14, *rel;
	struct conn *c;

	if (len < 16 || strncmp(path, "/local/domain/", 14) != 0)
		return;
	rel = memchr(s, '/', len - 14);
	if (!rel || !vd_parse_ulong(s, (size_t)(rel - s), 0xffffffffUL, &d))
		return;
	rel++;
	c = writer_of_rel(p, rel, len - (size_t)(rel - path));
	if (!c)
		return;
	c->domid = (long)d;
	c->kernel |= d != 0;
	drain_pending(p, false);
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

static bool num_at(const char *s, int n, int *out)
{
	unsigned long v;

	if (!vd_parse_ulong(s, (size_t)n, 99999, &v))
		return false;
	*out = (int)v;
	return true;
}

/* "YYYYMMDD?HH:MM:SS" at s (sep is 'T' or ' '); the hour's epoch is cached by its text. */
static bool parse_stamp(const char *s, char sep, bool local, char key[12], int64_t *base,
			int64_t *ms)
{
	int y, mo, d, h, mi, sec;

	if (s[8] != sep || s[11] != ':' || s[14] != ':' || !num_at(s + 12, 2, &mi) ||
	    !num_at(s + 15, 2, &sec) || mi > 59 || sec > 60)
		return false;
	if (memcmp(key, s, 11) != 0) {
		if (!num_at(s, 4, &y) || !num_at(s + 4, 2, &mo) || !num_at(s + 6, 2, &d) ||
		    !num_at(s + 9, 2, &h) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23)
			return false;
		*base = day_hour_epoch(y, mo, d, h, local);
		memcpy(key, s, 11);
	}
	*ms = *base + mi * 60000 + sec * 1000;
	return true;
}

static void saw_time(struct vd_logparser *p, int64_t ms)
{
	if (p->counts.first_ms < 0)
		p->counts.first_ms = ms;
	p->counts.last_ms = ms;
}

static int bad(struct vd_logparser *p, const char *file, unsigned long line, const char *what)
{
	p->counts.malformed++;
	if (p->bad_fn)
		p->bad_fn(file, line, what, p->arg);
	return -1;
}

/* ---- oxenstored access log ---- */

/* The first word of a payload (NULs are shown as spaces). */
static size_t word(const char *s, size_t len)
{
	const char *sp = memchr(s, ' ', len);

	return sp ? (size_t)(sp - s) : len;
}

#define ACCESS_CUT 179 /* access-log-nb-chars 180: longer lines end in ".." at 179 */

static const struct {
	const char *s;
	unsigned char len;
	char kind; /* w: write, m: mkdir, r: rm, W: watch, E: w event, e: error,
		      c: commit, x: conflict, t: t start, q: endconn, p: setperms, '.': other */
} acc_ops[] = {
	{ "write", 5, 'w' },	      { "w event", 7, 'E' },  { "read", 4, '.' },
	{ "directory", 9, '.' },      { "rm", 2, 'r' },	      { "mkdir", 5, 'm' },
	{ "watch", 5, 'W' },	      { "unwatch", 7, '.' },  { "error", 5, 'e' },
	{ "getperms", 8, '.' },	      { "setperms", 8, 'p' }, { "t start", 7, 't' },
	{ "t end", 5, '.' },	      { "commit", 6, 'c' },   { "coalesce", 8, 'c' },
	{ "conflict", 8, 'x' },	      { "newconn", 7, '.' },  { "endconn", 7, 'q' },
	{ "introduce", 9, '.' },      { "release", 7, '.' },  { "getdomain", 9, '.' },
	{ "is introduced", 13, '.' }, { "resume", 6, '.' },   { "reset watches", 13, '.' },
	{ "settarget", 9, '.' },      { "debug", 5, '.' },    { "w notfired", 10, '.' },
	{ "invalid", 7, '.' },
};

/* OCaml String.escaped, reversed: \\ \" \' \n \t \r \b and \ddd (decimal). */
static void ocaml_unescape(struct vd_buf *out, const char *s, size_t len)
{
	vd_buf_reset(out);
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '\\' && i + 1 < len) {
			char n = s[i + 1];
			int v;

			if (n == 'n' || n == 't' || n == 'r' || n == 'b') {
				c = n == 'n' ? '\n' : n == 't' ? '\t' : n == 'r' ? '\r' : '\b';
				i++;
			} else if (n == '\\' || n == '"' || n == '\'') {
				c = n;
				i++;
			} else if (i + 3 < len && num_at(s + i + 1, 3, &v) && v < 256) {
				c = (char)v;
				i += 3;
			}
		}
		vd_buf_addc(out, c);
	}
}

static void release_held(struct vd_logparser *p)
{
	struct rec *r = p->held;

	p->held = NULL;
	p->held_tx = NULL;
	p->held_conn = NULL;
	if (r) {
		dispatch(p, r);
		rec_free(r);
	}
}

/* An error right after a request of the same connection: that request failed. */
static void drop_held(struct vd_logparser *p)
{
	if (p->held_tx && p->held_tx->n) {
		rec_free(p->held_tx->v[--p->held_tx->n]);
		p->counts.failed++;
	} else if (p->held) {
		rec_free(p->held);
		p->held = NULL;
		p->counts.failed++;
	}
	p->held_tx = NULL;
	p->held_conn = NULL;
}

static struct txn *txn_get(struct vd_logparser *p, const char *id, size_t len, bool create)
{
	struct txn *t = smap_get(&p->txns, id, len);

	if (!t && create) {
		t = vd_calloc(1, sizeof(*t));
		smap_put(&p->txns, id, len, t);
	}
	return t;
}

static void txn_end(struct vd_logparser *p, const char *id, size_t len, bool commit, int64_t ms)
{
	struct txn *t = txn_get(p, id, len, false);

	if (!t)
		return;
	for (size_t i = 0; commit && i < t->n; i++) {
		t->v[i]->t_ms = ms; /* visible to everyone at the commit */
		dispatch(p, t->v[i]);
	}
	txn_free(t);
	smap_del(&p->txns, id, len);
}

/* A connection closed: its open transactions can no longer commit. */
static void txn_drop_conn(struct vd_logparser *p, const char *name, size_t len)
{
	for (size_t j = 0; j < p->txns.cap; j++) {
		const char *k = p->txns.keys[j];

		if (k && strncmp(k, name, len) == 0 && k[len] == '.') {
			char *key = vd_strdup(k);

			txn_free(p->txns.vals[j]);
			smap_del(&p->txns, key, strlen(key));
			free(key);
			j = (size_t)-1; /* the table was rebuilt */
		}
	}
}

struct acc_line {
	const char *con; /* connection, without an "r(N):" replay prefix */
	size_t conlen;	 /* up to the '.' of a transaction id */
	size_t idlen;	 /* connection plus ".tid" */
	bool tx;
	char kind;
	const char *data;
	size_t datalen;
	bool cut;
};

static bool parse_acc(const char *line, size_t len, struct acc_line *a)
{
	const char *p = line + 24, *e = line + len, *s;
	size_t i;

	if (len < 26 || line[23] != ']' || line[9] != 'T' || line[22] != 'Z' || line[18] != '.')
		return false;
	while (p < e && *p == ' ')
		p++;
	s = p;
	while (p < e && *p != ' ')
		p++;
	if (p == s)
		return false;
	if (p - s > 2 && s[0] == 'r' && s[1] == '(') { /* replay of a conflicting transaction */
		const char *c = memchr(s, ':', (size_t)(p - s));

		if (!c)
			return false;
		s = c + 1;
	}
	a->con = s;
	a->idlen = (size_t)(p - s);
	a->conlen = a->idlen;
	for (i = 1; i < a->idlen && s[i] != '.'; i++)
		;
	a->tx = i < a->idlen;
	a->conlen = i;
	if (a->idlen > 30 || (s[0] != 'A' && s[0] != 'D') || a->conlen < 2)
		return false;
	for (i = 1; i < a->conlen; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	while (p < e && *p == ' ')
		p++;
	for (i = 0; i < sizeof(acc_ops) / sizeof(acc_ops[0]); i++) {
		size_t n = acc_ops[i].len;

		if ((size_t)(e - p) >= n && memcmp(p, acc_ops[i].s, n) == 0 &&
		    (p + n == e || p[n] == ' '))
			break;
	}
	if (i == sizeof(acc_ops) / sizeof(acc_ops[0]))
		return false;
	a->kind = acc_ops[i].kind;
	p += acc_ops[i].len;
	while (p < e && *p == ' ')
		p++;
	a->data = p;
	a->datalen = (size_t)(e - p);
	a->cut = len == ACCESS_CUT && line[len - 1] == '.' && line[len - 2] == '.';
	if (a->cut)
		a->datalen -= 2;
	return true;
}

static int access_line(struct vd_logparser *p, const char *line, size_t len, const char *file,
		       unsigned long lineno)
{
	struct acc_line a;
	struct rec r = { 0 };
	struct conn *c;
	const char *sp;
	int64_t ms = -1;
	int frac;

	if (!parse_acc(line, len, &a)) {
		/* the live-update marker "=======>" has no connection */
		if (len > 27 && memmem(line, len, "=======>", 8))
			return 1;
		return bad(
			p, file, lineno,
			"an access log line: [YYYYMMDDTHH:MM:SS.mmmZ] CONNECTION OPERATION DATA");
	}
	/* every line's time counts: a stall is proven by the log going on without a change */
	if (!parse_stamp(line + 1, 'T', false, p->acc_key, &p->acc_base, &ms) ||
	    !num_at(line + 19, 3, &frac))
		return bad(p, file, lineno, "a UTC time [YYYYMMDDTHH:MM:SS.mmmZ]");
	ms += frac;
	saw_time(p, ms);
	if (a.kind == '.' && !p->want_stats)
		return 1;
	if (p->held_conn && a.kind == 'e' && strncmp(p->held_conn->name, a.con, a.conlen) == 0 &&
	    !p->held_conn->name[a.conlen]) {
		drop_held(p);
		return 1;
	}
	release_held(p);
	c = conn_get(p, a.con, a.conlen);
	if (a.con[0] == 'A')
		c->domid = 0; /* oxenstored: socket clients are dom0 */
	if (a.con[0] == 'D' && c->domid < 0) {
		unsigned long d;

		c->kernel = vd_parse_ulong(a.con + 1, a.conlen - 1, 0xffffffffUL, &d);
		c->domid = c->kernel ? (long)d : -1;
	}
	switch (a.kind) {
	case 'w':
	case 'm':
	case 'r':
	case 'p':
		if (p->want_stats)
			stat_for(p, c, ms)->writes++;
		if (a.kind == 'p')
			break;
		sp = memchr(a.data, ' ', a.datalen);
		if (a.kind == 'w' && !sp && a.cut) {
			p->counts.truncated++;
			if (p->bad_fn)
				p->bad_fn(file, lineno,
					  "a complete path (the line was cut at 180 characters)",
					  p->arg);
			break;
		}
		r.t_ms = ms;
		r.op = a.kind == 'w' ? VD_REC_WRITE : a.kind == 'm' ? VD_REC_MKDIR : VD_REC_RM;
		vd_buf_reset(&p->scratch);
		vd_buf_add(&p->scratch, a.data, sp ? (size_t)(sp - a.data) : a.datalen);
		r.path = vd_buf_steal(&p->scratch);
		if (a.kind == 'w' && sp) {
			ocaml_unescape(&p->scratch, sp + 1, a.datalen - (size_t)(sp + 1 - a.data));
			r.len = p->scratch.len;
			r.value = vd_buf_steal(&p->scratch);
		} else if (a.kind == 'w') {
			r.value = vd_strdup("");
		}
		r.c = c;
		r.file = file;
		r.line = lineno;
		r.truncated = a.cut;
		if (a.tx) {
			struct txn *t = txn_get(p, a.con, a.idlen, true);

			t->v = vd_realloc(t->v, (t->n + 1) * sizeof(*t->v));
			t->v[t->n++] = rec_copy(&r);
			p->held_tx = t;
		} else {
			p->held = rec_copy(&r);
		}
		p->held_conn = c;
		free(r.path);
		free(r.value);
		break;
	case 'W':
		if (p->want_stats)
			stat_watch(stat_for(p, c, ms), a.data, word(a.data, a.datalen));
		break;
	case 'E':
		if (p->want_stats)
			stat_for(p, c, ms)->wevents++;
		break;
	case 'c':
	case 'x':
		txn_end(p, a.con, a.idlen, a.kind == 'c', ms);
		break;
	case 't':
		txn_end(p, a.con, a.idlen, false,
			ms); /* a reused id: the old one never committed */
		break;
	case 'q':
		txn_drop_conn(p, a.con, a.conlen);
		break;
	default:
		if (p->want_stats)
			stat_for(p, c, ms);
		break;
	}
	return 1;
}

/* ---- C xenstored trace ---- */

struct tr_io {
	bool out, cont; /* OUT; OUT(END): the rest of a split reply */
	const char *ptr;
	size_t ptrlen;
	long domid; /* (dN) or dN, else -1 */
	const char *stamp;
	const char *op;
	size_t oplen;
	const char *data; /* inside the parentheses */
	size_t datalen;
};

static bool parse_io(const char *s, const char *e, struct tr_io *io)
{
	const char *p = s;
	unsigned long d;

	memset(io, 0, sizeof(*io));
	io->domid = -1;
	if (e - p > 3 && memcmp(p, "IN ", 3) == 0) {
		p += 3;
	} else if (e - p > 4 && memcmp(p, "OUT", 3) == 0) {
		io->out = true;
		p += 3;
		if (*p == '(') { /* OUT(START), OUT(END), OUT(ERR) in 4.19 */
			const char *q = memchr(p, ')', (size_t)(e - p));

			if (!q)
				return false;
			io->cont = q - p == 4 && memcmp(p, "(END", 4) == 0;
			p = q + 1;
		}
		if (*p++ != ' ')
			return false;
	} else {
		return false;
	}
	if (e - p < 4 || p[0] != '0' || p[1] != 'x')
		return false;
	io->ptr = p;
	for (p += 2; p < e && isxdigit((unsigned char)*p); p++)
		;
	io->ptrlen = (size_t)(p - io->ptr);
	if (p >= e || *p++ != ' ' || io->ptrlen < 3)
		return false;
	if (*p == '(' || *p == 'd') { /* 4.19 "(d0) ", mid-2023 "d0 " */
		const char *q = p + (*p == '(') + 1, *r = q;

		while (r < e && *r >= '0' && *r <= '9')
			r++;
		if (r == q || !vd_parse_ulong(q, (size_t)(r - q), 0xffffffffUL, &d))
			return false;
		if (*p == '(' && (r >= e || *r++ != ')'))
			return false;
		if (r >= e || *r != ' ')
			return false;
		io->domid = (long)d;
		p = r + 1;
	}
	if (e - p < 19)
		return false;
	io->stamp = p;
	if (p[17] != ' ')
		return false;
	p += 18;
	io->op = p;
	while (p < e && *p != ' ')
		p++;
	io->oplen = (size_t)(p - io->op);
	if (io->oplen == 0 || e - p < 3 || p[1] != '(' || e[-1] != ')')
		return false;
	io->data = p + 2;
	io->datalen = (size_t)(e - 1 - io->data);
	return true;
}

static bool op_is(const struct tr_io *io, const char *name)
{
	return io->oplen == strlen(name) && memcmp(io->op, name, io->oplen) == 0;
}

static void tx_flush(struct vd_logparser *p, struct conn *c, bool commit, int64_t ms)
{
	for (size_t i = 0; i < c->ntx; i++) {
		if (commit) {
			c->txbuf[i]->t_ms = ms;
			dispatch(p, c->txbuf[i]);
		}
		rec_free(c->txbuf[i]);
	}
	c->ntx = 0;
	c->tx_depth = 0;
	c->tx_end_seq = 0;
}

#define AWAIT_MAX 64 /* replies missing from the trace: apply the write anyway */

/* The oldest write awaiting its reply: applied (ok) or dropped (an error answered it). */
static void await_pop(struct vd_logparser *p, struct conn *c, bool ok)
{
	struct rec *r = c->await[0];

	if (ok)
		dispatch(p, r);
	else
		p->counts.failed++;
	rec_free(r);
	c->nawait--;
	memmove(c->await, c->await + 1, c->nawait * sizeof(*c->await));
	memmove(c->await_seq, c->await_seq + 1, c->nawait * sizeof(*c->await_seq));
}

static void await_push(struct vd_logparser *p, struct conn *c, const struct rec *r)
{
	if (c->nawait == AWAIT_MAX)
		await_pop(p, c, true);
	c->await = vd_realloc(c->await, (c->nawait + 1) * sizeof(*c->await));
	c->await_seq = vd_realloc(c->await_seq, (c->nawait + 1) * sizeof(*c->await_seq));
	c->await[c->nawait] = rec_copy(r);
	c->await_seq[c->nawait++] = c->in_seq;
}

static void await_flush(struct vd_logparser *p)
{
	for (size_t j = 0; j < p->conns.cap; j++) {
		struct conn *c = p->conns.vals[j];

		while (p->conns.keys[j] && c->nawait)
			await_pop(p, c, true);
	}
	for (size_t i = 0; i < p->ndead; i++)
		while (p->dead[i]->nawait)
			await_pop(p, p->dead[i], true);
}

static void trace_request(struct vd_logparser *p, struct conn *c, const struct tr_io *io,
			  int64_t ms, const char *file, unsigned long lineno)
{
	size_t w = word(io->data, io->datalen);
	struct rec r = { 0 };
	bool wr = op_is(io, "WRITE"), mk = op_is(io, "MKDIR"), rm = op_is(io, "RM");

	c->in_seq++;
	if (op_is(io, "TRANSACTION_START")) {
		if (!c->tx_depth++)
			c->tx_start_seq = c->in_seq;
		return;
	}
	if (op_is(io, "TRANSACTION_END")) {
		c->tx_end_seq = c->in_seq;
		c->tx_commit = io->datalen && io->data[0] == 'T';
		return;
	}
	if (op_is(io, "INTRODUCE")) {
		unsigned long d;

		p->introduce = vd_parse_ulong(io->data, w, 0xffffffffUL, &d) ? (long)d : -1;
		return;
	}
	if (op_is(io, "WATCH")) {
		size_t rest = io->datalen > w ? io->datalen - w - 1 : 0;

		if (is_kernel_token(io->data + w + 1, word(io->data + w + 1, rest)))
			c->kernel = true;
		stat_watch(stat_for(p, c, ms), io->data, w);
		return;
	}
	if (!wr && !mk && !rm && !op_is(io, "SET_PERMS"))
		return;
	if (p->want_stats)
		stat_for(p, c, ms)->writes++;
	if (op_is(io, "SET_PERMS") || w == 0)
		return;
	r.t_ms = ms;
	r.op = wr ? VD_REC_WRITE : mk ? VD_REC_MKDIR : VD_REC_RM;
	r.path = vd_strndup(io->data, w);
	if (wr) {
		size_t vl = io->datalen > w ? io->datalen - w - 1 : 0;

		/* some versions show the value's NUL terminator as a trailing space */
		if (vl && io->data[w + 1 + vl - 1] == ' ')
			vl--;
		r.value = vd_memdup0(io->data + w + 1, vl);
		r.len = vl;
	}
	r.c = c;
	r.file = file;
	r.line = lineno;
	if (c->tx_depth && !c->tx_end_seq) {
		c->txbuf = vd_realloc(c->txbuf, (c->ntx + 1) * sizeof(*c->txbuf));
		c->txbuf[c->ntx++] = rec_copy(&r);
	} else {
		await_push(p, c, &r);
	}
	free(r.path);
	free(r.value);
}

static void trace_reply(struct vd_logparser *p, struct conn *c, const struct tr_io *io, int64_t ms)
{
	bool err = op_is(io, "ERROR");

	if (op_is(io, "WATCH_EVENT")) {
		size_t w = word(io->data, io->datalen);
		size_t rest = io->datalen > w ? io->datalen - w - 1 : 0;

		if (is_kernel_token(io->data + w + 1, word(io->data + w + 1, rest)))
			c->kernel = true;
		if (p->want_stats)
			stat_for(p, c, ms)->wevents++;
		resolve_from_event(p, io->data, w);
		return;
	}
	if (io->cont || c->out_seq >= c->in_seq)
		return; /* the end of a split reply, or a reply to a request before the log */
	c->out_seq++;
	while (c->nawait && c->await_seq[0] < c->out_seq)
		await_pop(p, c, true); /* its reply is not in the trace */
	if (c->nawait && c->await_seq[0] == c->out_seq) {
		c->await[0]->t_ms = ms;
		await_pop(p, c, !err);
	}
	if (c->tx_depth && c->out_seq == c->tx_start_seq && err)
		c->tx_depth--; /* the transaction never started: what it buffered was direct */
	if (c->tx_end_seq && c->out_seq == c->tx_end_seq) {
		bool ok = !err && c->tx_commit;

		if (--c->tx_depth <= 0 || !ok)
			tx_flush(p, c, ok, ms);
		else
			c->tx_end_seq = 0;
	} else if (c->tx_depth == 0 && c->ntx) {
		tx_flush(p, c, true, ms);
	}
}

static const char *const trace_other[] = {
	"wrl:",
	"acc:",
	"tdb:",
	"watch event path ",
	"dropping duplicate watch ",
	"Delaying transaction start",
	"Stalling connection",
	"CONN ",
	"orphaned node ",
	"*** ",
	"Live update",
	"live update",
	"Domain ",
	"Failed ",
	"Tried ",
	"Checking store", /* check_store() at start: "Checking store ..." and "... complete." */
};

static int trace_line(struct vd_logparser *p, const char *line, size_t len, const char *file,
		      unsigned long lineno)
{
	const char *s = line, *e = line + len;
	struct tr_io io;
	struct conn *c;
	int64_t ms;

	if (len >= 4 && (memcmp(s, "io: ", 4) == 0 || memcmp(s, "obj:", 4) == 0))
		s += 4 + (s[3] == ':' && s[4] == ' ');
	if (e - s >= 3 && memcmp(s, "***", 3) == 0 && (e - s == 3 || s[3] == '\n')) {
		/* the daemon (re)opened its trace: a new run, connection pointers start over */
		for (size_t j = 0; j < p->conns.cap; j++)
			if (p->conns.keys[j])
				conn_retire(p, p->conns.vals[j]), j = (size_t)-1;
		p->introduce = -1;
		return 1;
	}
	if (e - s > 7 && (memcmp(s, "CREATE ", 7) == 0 || memcmp(s, "DESTROY ", 8) == 0)) {
		const char *obj = s + (s[0] == 'C' ? 7 : 8);

		if ((size_t)(e - obj) > 11 && memcmp(obj, "connection ", 11) == 0) {
			c = conn_get(p, obj + 11, (size_t)(e - obj - 11));
			if (s[0] == 'D') {
				conn_retire(p, c);
			} else if (p->introduce >= 0) {
				c->kernel = true;
				c->domid = p->introduce;
				p->introduce = -1;
			}
		}
		return 1;
	}
	if (!parse_io(s, e, &io)) {
		for (size_t i = 0; i < sizeof(trace_other) / sizeof(trace_other[0]); i++)
			if (vd_startswith(s, trace_other[i]))
				return 1;
		return bad(p, file, lineno,
			   "a trace line: IN|OUT 0xCONN [(dN)] YYYYMMDD HH:MM:SS OP (PAYLOAD)");
	}
	if (!parse_stamp(io.stamp, ' ', true, p->tr_key, &p->tr_base, &ms))
		return bad(p, file, lineno, "a local time YYYYMMDD HH:MM:SS");
	saw_time(p, ms);
	c = conn_get(p, io.ptr, io.ptrlen);
	if (io.domid >= 0) {
		c->domid = io.domid;
		if (io.domid != 0)
			c->kernel = true;
	}
	if (io.out)
		trace_reply(p, c, &io, ms);
	else
		trace_request(p, c, &io, ms, file, lineno);
	if (p->npend && ++p->pend_since > PEND_MAX_LINES)
		drain_pending(p, true);
	return 1;
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
	vd_buf_init(&p->scratch);
	vd_buf_init(&p->path);
	return p;
}

void vd_logparser_free(struct vd_logparser *p)
{
	if (!p)
		return;
	rec_free(p->held);
	for (size_t i = 0; i < p->npend; i++)
		rec_free(p->pend[i]);
	free(p->pend);
	smap_free(&p->conns, conn_free);
	smap_free(&p->txns, txn_free);
	smap_free(&p->stats, stat_free);
	for (size_t i = 0; i < p->ndead; i++)
		conn_free(p->dead[i]);
	free(p->dead);
	vd_buf_free(&p->scratch);
	vd_buf_free(&p->path);
	free(p);
}

int vd_logparser_line(struct vd_logparser *p, const char *line, size_t len, const char *file,
		      unsigned long lineno)
{
	while (len && (line[len - 1] == '\r' || line[len - 1] == '\0'))
		len--;
	if (len == 0)
		return 0;
	p->counts.lines++;
	if (line[0] == '[')
		return access_line(p, line, len, file, lineno);
	return trace_line(p, line, len, file, lineno);
}

void vd_logparser_flush(struct vd_logparser *p, bool end)
{
	release_held(p);
	if (end) {
		await_flush(p);
		drain_pending(p, true);
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

/* ---- the set of files ---- */

/* N of a rotated name "BASE.N" or "BASE.N.gz" (0: not rotated), and the base length. */
static unsigned rotation_of(const char *path, size_t *baselen)
{
	size_t n = strlen(path), end = n;
	const char *dot;
	unsigned long v;

	if (n > 3 && strcmp(path + n - 3, ".gz") == 0)
		end = n - 3;
	*baselen = end;
	dot = memrchr(path, '.', end);
	if (!dot || dot + 1 == path + end ||
	    !vd_parse_ulong(dot + 1, (size_t)(path + end - dot - 1), 999, &v) || v == 0)
		return 0;
	*baselen = (size_t)(dot - path);
	return (unsigned)v;
}

struct lfile {
	char *path;
	size_t group; /* index of the first argument of its set */
	unsigned rot;
	dev_t dev;
	ino_t ino;
};

static int by_set(const void *a, const void *b)
{
	const struct lfile *x = a, *y = b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return x->rot == y->rot ? 0 : x->rot > y->rot ? -1 : 1; /* oldest (highest N) first */
}

static bool add_file(struct lfile **v, size_t *n, const char *path, size_t group, unsigned rot,
		     bool must, struct vd_err *err)
{
	struct stat st;
	int rc = stat(path, &st);

	if (rc != 0 || !S_ISREG(st.st_mode)) {
		if (must)
			vd_err_set(err, VD_EXIT_SOURCE, "%s: cannot read: %s", path,
				   rc ? strerror(errno) : "not a regular file");
		return !must;
	}
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i].dev == st.st_dev && (*v)[i].ino == st.st_ino)
			return true;
	*v = vd_realloc(*v, (*n + 1) * sizeof(**v));
	(*v)[*n] = (struct lfile){ vd_strdup(path), group, rot, st.st_dev, st.st_ino };
	(*n)++;
	return true;
}

int vd_log_files(char *const *args, int nargs, char ***files, size_t *nfiles, struct vd_err *err)
{
	struct lfile *v = NULL;
	size_t n = 0, baselen;
	char **bases = vd_calloc((size_t)nargs + 1, sizeof(*bases));
	int rc = 0;

	for (int a = 0; a < nargs && rc == 0; a++) {
		unsigned rot = rotation_of(args[a], &baselen);
		size_t group = (size_t)a;

		bases[a] = vd_strndup(args[a], rot ? baselen : strlen(args[a]));
		for (int b = 0; b < a; b++)
			if (strcmp(bases[b], bases[a]) == 0) {
				group = (size_t)b;
				break;
			}
		if (!add_file(&v, &n, args[a], group, rot, true, err)) {
			rc = -1;
			break;
		}
		for (unsigned k = 1; !rot && k < 100; k++) {
			char *sib = vd_asprintf("%s.%u", args[a], k),
			     *gz = vd_asprintf("%s.gz", sib);

			add_file(&v, &n, sib, group, k, false, err);
			add_file(&v, &n, gz, group, k, false, err);
			free(sib);
			free(gz);
		}
	}
	for (int a = 0; a < nargs; a++)
		free(bases[a]);
	free(bases);
	if (n > 1)
		qsort(v, n, sizeof(*v), by_set);
	*files = vd_calloc(n + 1, sizeof(**files));
	for (size_t i = 0; i < n; i++)
		(*files)[i] = v[i].path;
	*nfiles = rc ? 0 : n;
	if (rc) {
		for (size_t i = 0; i < n; i++)
			free(v[i].path);
		free(*files);
		*files = NULL;
	}
	free(v);
	return rc;
}

void vd_log_files_free(char **files, size_t n)
{
	for (size_t i = 0; files && i < n; i++)
		free(files[i]);
	free(files);
}

/* ---- reading: plain or gzip, whole lines, and following ---- */

#define CHUNK  (1u << 20)
#define WINDOW 4096 /* bytes remembered to recognise a copy made by copytruncate */

struct reader {
	const char *name;
	int fd;
	gzFile gz;
	char *buf;
	size_t beg, end, cap;
	unsigned long lineno;
	unsigned long long consumed; /* file offset of buf[end] */
	char window[WINDOW];	     /* the last bytes read, for copytruncate recovery */
	size_t wlen;
};

static void remember(struct reader *rd, const char *p, size_t n)
{
	if (n >= WINDOW) {
		memcpy(rd->window, p + n - WINDOW, WINDOW);
		rd->wlen = WINDOW;
		return;
	}
	if (rd->wlen + n > WINDOW) {
		size_t drop = rd->wlen + n - WINDOW;

		memmove(rd->window, rd->window + drop, rd->wlen - drop);
		rd->wlen -= drop;
	}
	memcpy(rd->window + rd->wlen, p, n);
	rd->wlen += n;
}

static int reader_open(struct reader *rd, const char *name, struct vd_err *err)
{
	unsigned char magic[2];
	ssize_t m;

	memset(rd, 0, sizeof(*rd));
	rd->name = name;
	rd->fd = open(name, O_RDONLY | O_CLOEXEC);
	if (rd->fd < 0) {
		vd_err_set(err, VD_EXIT_SOURCE, "%s: cannot open: %s", name, strerror(errno));
		return -1;
	}
	m = pread(rd->fd, magic, 2, 0);
	if (m == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
		rd->gz = gzdopen(rd->fd, "rb");
		if (!rd->gz) {
			close(rd->fd);
			vd_err_set(err, VD_EXIT_SOURCE, "%s: cannot read gzip data", name);
			return -1;
		}
		rd->fd = -1;
	}
	rd->cap = CHUNK;
	rd->buf = vd_malloc(rd->cap + 1);
	return 0;
}

static void reader_close(struct reader *rd)
{
	if (rd->gz)
		gzclose(rd->gz);
	else if (rd->fd >= 0)
		close(rd->fd);
	free(rd->buf);
	rd->buf = NULL;
	rd->gz = NULL;
	rd->fd = -1;
}

/* More bytes into the buffer: > 0 read, 0 nothing more now, -1 error. */
/* Room after the unconsumed bytes: move them to the front, grow for a very long line. */
static void reader_room(struct reader *rd)
{
	if (rd->beg) {
		memmove(rd->buf, rd->buf + rd->beg, rd->end - rd->beg);
		rd->end -= rd->beg;
		rd->beg = 0;
	}
	if (rd->end == rd->cap) {
		rd->cap *= 2;
		rd->buf = vd_realloc(rd->buf, rd->cap + 1);
	}
}

static ssize_t reader_fill(struct reader *rd, struct vd_err *err)
{
	ssize_t n;

	reader_room(rd);
	do {
		n = rd->gz ? gzread(rd->gz, rd->buf + rd->end, (unsigned)(rd->cap - rd->end))
			   : read(rd->fd, rd->buf + rd->end, rd->cap - rd->end);
	} while (n < 0 && !rd->gz && errno == EINTR);
	if (n < 0) {
		int zerr = 0;

		vd_err_set(err, VD_EXIT_SOURCE, "%s: read error: %s", rd->name,
			   rd->gz ? gzerror(rd->gz, &zerr) : strerror(errno));
		return -1;
	}
	remember(rd, rd->buf + rd->end, (size_t)n);
	rd->end += (size_t)n;
	rd->consumed += (unsigned long long)n;
	return n;
}

/* Feeds every complete line in the buffer; with last, also a final unterminated one. */
static void reader_lines(struct reader *rd, struct vd_logparser *p, bool last)
{
	char *s = rd->buf + rd->beg, *e = rd->buf + rd->end, *nl;

	while (s < e && (nl = memchr(s, '\n', (size_t)(e - s)))) {
		vd_logparser_line(p, s, (size_t)(nl - s), rd->name, ++rd->lineno);
		s = nl + 1;
	}
	if (last && s < e) {
		vd_logparser_line(p, s, (size_t)(e - s), rd->name, ++rd->lineno);
		s = e;
	}
	rd->beg = (size_t)(s - rd->buf);
}

static int read_all(struct reader *rd, struct vd_logrun *run, bool last, struct vd_err *err)
{
	ssize_t n;

	while ((n = reader_fill(rd, err)) > 0) {
		reader_lines(rd, run->parser, false);
		if (run->stop && *run->stop)
			return 0;
	}
	if (n < 0)
		return -1;
	reader_lines(rd, run->parser, last);
	return 0;
}

/*
 * copytruncate: the file we follow became shorter. The lines written since our last read
 * are in the copy (FILE.1) past our offset if its bytes before that offset are ours.
 */
static void recover_copy(struct reader *rd, struct vd_logrun *run, unsigned long long *lost)
{
	char *copy = vd_asprintf("%s.1", rd->name);
	int fd = open(copy, O_RDONLY | O_CLOEXEC);
	char *check = vd_malloc(WINDOW);
	struct stat st;
	bool ok = false;

	*lost = 0;
	if (fd >= 0 && fstat(fd, &st) == 0 && (unsigned long long)st.st_size >= rd->consumed &&
	    pread(fd, check, rd->wlen, (off_t)(rd->consumed - rd->wlen)) == (ssize_t)rd->wlen &&
	    memcmp(check, rd->window, rd->wlen) == 0) {
		ssize_t n;
		off_t off = (off_t)rd->consumed;

		ok = true;
		do {
			reader_room(rd);
			n = pread(fd, rd->buf + rd->end, rd->cap - rd->end, off);
			if (n > 0) {
				off += n;
				rd->end += (size_t)n;
				reader_lines(rd, run->parser, false);
			}
		} while (n > 0);
	}
	if (!ok)
		*lost = rd->end - rd->beg; /* a partial line whose end went away with the file */
	if (fd >= 0)
		close(fd);
	free(check);
	free(copy);
}

struct follow {
	int ino_fd; /* inotify on the directory, -1 if unavailable */
	dev_t dev;
	ino_t ino;
};

static int follow_wait(struct vd_logrun *run, struct follow *f, int64_t deadline)
{
	struct pollfd pfd = { .fd = f->ino_fd, .events = POLLIN };
	int64_t now = vd_now_ms(), wait = 1000; /* tail -F also looks once a second */
	struct timespec ts;
	char evbuf[4096];

	if (deadline != INT64_MAX && deadline - now < wait)
		wait = deadline > now ? deadline - now : 0;
	ts.tv_sec = (time_t)(wait / 1000);
	ts.tv_nsec = (long)(wait % 1000) * 1000000L;
	if (ppoll(&pfd, f->ino_fd >= 0 ? 1 : 0, &ts, run->waitmask) > 0 && f->ino_fd >= 0)
		while (read(f->ino_fd, evbuf, sizeof(evbuf)) > 0)
			;
	return 0;
}

static int follow_switch(struct reader *rd, struct vd_logrun *run, struct follow *f,
			 const struct stat *st, struct vd_err *err)
{
	const char *name = rd->name;
	char *mid = vd_asprintf("%s.1", name);
	struct stat ms;
	int rc = 0;

	/* renamed away: what the writer put in the old file before reopening comes first */
	if (read_all(rd, run, true, err) < 0)
		rc = -1;
	reader_close(rd);
	/* rotated twice before we looked: the file in between is FILE.1 */
	if (rc == 0 && stat(mid, &ms) == 0 && ms.st_ino != f->ino && ms.st_ino != st->st_ino &&
	    reader_open(rd, mid, err) == 0) {
		rd->name = name;
		rc = read_all(rd, run, true, err);
		reader_close(rd);
	}
	free(mid);
	if (rc < 0 || reader_open(rd, name, err) < 0)
		return -1;
	f->dev = st->st_dev;
	f->ino = st->st_ino;
	return 0;
}

/* The bytes before our offset are still the ones we read (else: truncated, maybe refilled). */
static bool still_ours(const struct reader *rd)
{
	char tail[64];
	size_t k = rd->wlen < sizeof(tail) ? rd->wlen : sizeof(tail);
	struct stat st;

	if (!rd->consumed || !k)
		return true;
	if (fstat(rd->fd, &st) != 0 || (unsigned long long)st.st_size < rd->consumed)
		return false;
	return pread(rd->fd, tail, k, (off_t)(rd->consumed - k)) == (ssize_t)k &&
	       memcmp(tail, rd->window + rd->wlen - k, k) == 0;
}

static void follow_truncated(struct reader *rd, struct vd_logrun *run)
{
	unsigned long long lost;

	recover_copy(rd, run, &lost);
	if (lost && run->lost)
		run->lost(run->arg, rd->name, lost);
	if (lost)
		rd->beg = rd->end;
	lseek(rd->fd, 0, SEEK_SET);
	rd->consumed = 0;
	rd->wlen = 0;
}

static int inotify_dir(const char *file)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	char *dir = vd_strdup(file), *sl = strrchr(dir, '/');

	if (sl)
		sl[sl == dir] = '\0';
	if (fd >= 0 && inotify_add_watch(fd, sl ? dir : ".",
					 IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM |
						 IN_DELETE | IN_ATTRIB | IN_CLOSE_WRITE) < 0) {
		close(fd);
		fd = -1;
	}
	free(dir);
	return fd;
}

/* tail -F: rename rotation (a new file at the name), truncation, never a line twice. */
static int follow_last(struct reader *rd, struct vd_logrun *run, struct vd_err *err)
{
	struct follow f = { .ino_fd = -1 };
	struct stat st;
	int64_t next = INT64_MAX;

	if (rd->gz)
		return 0; /* a compressed file is not appended to */
	if (fstat(rd->fd, &st) == 0) {
		f.dev = st.st_dev;
		f.ino = st.st_ino;
	}
	f.ino_fd = inotify_dir(rd->name);
	while (!(run->stop && *run->stop)) {
		ssize_t n;

		if (!still_ours(rd)) {
			follow_truncated(rd, run);
			continue;
		}
		n = reader_fill(rd, err);
		if (n < 0)
			break;
		if (n > 0) {
			reader_lines(rd, run->parser, false);
			continue;
		}
		if (stat(rd->name, &st) == 0 && (st.st_dev != f.dev || st.st_ino != f.ino)) {
			if (follow_switch(rd, run, &f, &st, err) < 0)
				break;
			continue;
		}
		vd_logparser_flush(run->parser, false);
		if (run->idle)
			next = run->idle(run->arg, vd_now_ms());
		follow_wait(run, &f, next);
	}
	if (f.ino_fd >= 0)
		close(f.ino_fd);
	return err->code ? -1 : 0;
}

int vd_log_run(struct vd_logrun *run, char *const *files, size_t nfiles, struct vd_err *err)
{
	struct reader rd;
	int rc = 0;

	for (size_t i = 0; i < nfiles && rc == 0; i++) {
		bool live = run->follow && i + 1 == nfiles;

		if (run->stop && *run->stop)
			break;
		if (reader_open(&rd, files[i], err) < 0)
			return -1;
		rc = read_all(&rd, run, !live, err);
		if (rc == 0 && live)
			rc = follow_last(&rd, run, err);
		reader_close(&rd);
	}
	vd_logparser_flush(run->parser, true);
	return rc;
}
