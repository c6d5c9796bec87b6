// SPDX-License-Identifier: GPL-2.0-or-later
#include "vd_snap.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vd_util.h"

struct strlist {
	char **v;
	size_t n;
	size_t cap;
};

/*
 * Compact storage (issue 14: a 10,000-VIF dump is half a million nodes): nodes live in
 * fixed blocks that never move (no realloc copy of one big array, no slack), paths and values
 * in one arena of large chunks instead of two mallocs per node, and the hash and the sorted
 * index hold 32-bit node numbers.
 */
#define NODE_SHIFT  10
#define NODE_BLOCK  (1u << NODE_SHIFT)
#define ARENA_CHUNK (256u << 10)

struct chunk {
	struct chunk *next;
	size_t used, cap;
	char data[];
};

/* Lookups are logically const; the sorted index is a cache rebuilt after puts. */
struct index {
	uint32_t *order; /* node numbers in path order */
	size_t n;
	bool valid;
	struct strlist implied; /* names of children only implied by deeper nodes */
};

struct vd_snap {
	struct vd_node **blocks; /* NODE_BLOCK nodes each */
	size_t nblocks;
	size_t n;
	struct chunk *arena; /* newest first */
	uint32_t *hash;	     /* open addressing: node number + 1, 0 = empty */
	size_t hcap;
	char **interned; /* open addressing over arena strings (vd_snap_intern) */
	size_t icap, ni;
	struct index *idx;
	struct strlist warnings;
	struct strlist vanished;
};

static struct vd_node *node(const struct vd_snap *s, size_t i)
{
	return &s->blocks[i >> NODE_SHIFT][i & (NODE_BLOCK - 1)];
}

/* n bytes from the arena; they stay where they are until the snapshot is freed */
static char *arena_alloc(struct vd_snap *s, size_t n)
{
	struct chunk *c = s->arena;

	if (!c || c->cap - c->used < n) {
		size_t cap = n > ARENA_CHUNK / 4 ? n : ARENA_CHUNK;

		c = vd_malloc(sizeof(*c) + cap);
		c->used = 0;
		c->cap = cap;
		if (n > ARENA_CHUNK / 4 && s->arena) { /* a big one: keep filling the current */
			c->next = s->arena->next;
			s->arena->next = c;
		} else {
			c->next = s->arena;
			s->arena = c;
		}
	}
	c->used += n;
	return c->data + c->used - n;
}

/* len bytes and a NUL */
static char *arena_dup0(struct vd_snap *s, const char *p, size_t len)
{
	char *d = arena_alloc(s, len + 1);

	if (len)
		memcpy(d, p, len);
	d[len] = '\0';
	return d;
}

static void strlist_add(struct strlist *l, char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = vd_realloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = s;
}

static void strlist_free(struct strlist *l)
{
	vd_strv_free(l->v, l->n);
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

struct vd_snap *vd_snap_new(void)
{
	struct vd_snap *s = vd_calloc(1, sizeof(*s));

	s->idx = vd_calloc(1, sizeof(*s->idx));
	return s;
}

void vd_snap_free(struct vd_snap *s)
{
	if (!s)
		return;
	free(s->interned);
	for (size_t b = 0; b < s->nblocks; b++)
		free(s->blocks[b]);
	free(s->blocks);
	while (s->arena) {
		struct chunk *c = s->arena;

		s->arena = c->next;
		free(c);
	}
	free(s->hash);
	free(s->idx->order);
	strlist_free(&s->idx->implied);
	free(s->idx);
	strlist_free(&s->warnings);
	strlist_free(&s->vanished);
	free(s);
}

void vd_snap_move(struct vd_snap *dst, struct vd_snap *src)
{
	struct vd_snap tmp = *dst;

	*dst = *src;
	*src = tmp;
	vd_snap_free(src);
}

static uint64_t hash_mem(const char *p, size_t len)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ull;
	}
	return h;
}

static char **intern_slot(char **tab, size_t cap, const char *str, size_t len)
{
	size_t i = (size_t)hash_mem(str, len) & (cap - 1);

	while (tab[i] && (strncmp(tab[i], str, len) != 0 || tab[i][len]))
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

char *vd_snap_intern(struct vd_snap *s, const char *str, size_t len)
{
	char **slot;

	len = strnlen(str, len); /* a string: an embedded NUL ends it, as strndup did */
	if ((s->ni + 1) * 2 > s->icap) {
		size_t cap = s->icap ? s->icap * 2 : 64;
		char **tab = vd_calloc(cap, sizeof(*tab));

		for (size_t i = 0; i < s->icap; i++)
			if (s->interned[i])
				*intern_slot(tab, cap, s->interned[i], strlen(s->interned[i])) =
					s->interned[i];
		free(s->interned);
		s->interned = tab;
		s->icap = cap;
	}
	slot = intern_slot(s->interned, s->icap, str, len);
	if (!*slot) {
		*slot = arena_dup0(s, str, len);
		s->ni++;
	}
	return *slot;
}

static uint32_t *hash_slot(const struct vd_snap *s, const char *path)
{
	size_t mask = s->hcap - 1;
	size_t i = (size_t)hash_str(path) & mask;

	for (;; i = (i + 1) & mask) {
		uint32_t *slot = &s->hash[i];

		if (*slot == 0 || strcmp(node(s, *slot - 1)->path, path) == 0)
			return slot;
	}
}

/* Up to 3/4 full: linear probing stays short, and 600,000 nodes fit 4 MB, not 8. */
static bool hash_full(const struct vd_snap *s)
{
	return (s->n + 1) * 4 > s->hcap * 3;
}

static void rehash(struct vd_snap *s)
{
	free(s->hash);
	s->hcap = s->hcap ? s->hcap * 2 : 256;
	s->hash = vd_calloc(s->hcap, sizeof(*s->hash));
	for (size_t i = 0; i < s->n; i++)
		*hash_slot(s, node(s, i)->path) = (uint32_t)(i + 1);
}

struct vd_node *vd_snap_put(struct vd_snap *s, const char *path, const char *val, size_t len)
{
	uint32_t *slot;
	struct vd_node *nd;

	if (len > UINT32_MAX)
		abort(); /* as for out of memory: no value is 4 GB (vd_node.len) */
	if (hash_full(s))
		rehash(s);
	slot = hash_slot(s, path);
	if (*slot) {
		nd = node(s, *slot - 1);
		/* in place when it fits; else the old bytes stay unused in the arena (a
		 * source replaces a value at most once or twice per node) */
		if (len <= nd->len) {
			memmove(nd->value, val, len);
			nd->value[len] = '\0';
		} else {
			nd->value = arena_dup0(s, val, len);
		}
		nd->len = (uint32_t)len;
		return nd;
	}
	if (s->n >= UINT32_MAX - 1)
		abort(); /* as for out of memory: no host has 4 G nodes */
	if ((s->n & (NODE_BLOCK - 1)) == 0) {
		s->blocks = vd_realloc(s->blocks, (s->nblocks + 1) * sizeof(*s->blocks));
		s->blocks[s->nblocks++] = vd_malloc(NODE_BLOCK * sizeof(struct vd_node));
	}
	nd = node(s, s->n);
	memset(nd, 0, sizeof(*nd));
	nd->path = arena_dup0(s, path, strlen(path));
	nd->value = arena_dup0(s, val, len);
	nd->len = (uint32_t)len;
	*slot = (uint32_t)++s->n;
	s->idx->valid = false;
	return nd;
}

const struct vd_node *vd_snap_get(const struct vd_snap *s, const char *path)
{
	uint32_t *slot;

	if (!s->hcap)
		return NULL;
	slot = hash_slot(s, path);
	return *slot ? node(s, *slot - 1) : NULL;
}

const char *vd_snap_value(const struct vd_snap *s, const char *path)
{
	const struct vd_node *nd = vd_snap_get(s, path);

	return nd ? nd->value : NULL;
}

static const struct vd_node *vgetf(const struct vd_snap *s, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
static const struct vd_node *vgetf(const struct vd_snap *s, const char *fmt, va_list ap)
{
	char *path = vd_vasprintf(fmt, ap);
	const struct vd_node *nd = vd_snap_get(s, path);

	free(path);
	return nd;
}

const struct vd_node *vd_snap_getf(const struct vd_snap *s, const char *fmt, ...)
{
	const struct vd_node *nd;
	va_list ap;

	va_start(ap, fmt);
	nd = vgetf(s, fmt, ap);
	va_end(ap);
	return nd;
}

const char *vd_snap_valuef(const struct vd_snap *s, const char *fmt, ...)
{
	const struct vd_node *nd;
	va_list ap;

	va_start(ap, fmt);
	nd = vgetf(s, fmt, ap);
	va_end(ap);
	return nd ? nd->value : NULL;
}

/*
 * '/' sorts before every other byte so that a node's subtree directly follows it; the
 * other bytes move up by one, so that no two paths compare equal (a dump may hold \x01).
 */
static int path_cmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		unsigned ca = (unsigned char)*a, cb = (unsigned char)*b;

		ca = ca == '/' ? 1 : ca ? ca + 1 : 0;
		cb = cb == '/' ? 1 : cb ? cb + 1 : 0;
		if (ca != cb || !ca)
			return (int)ca - (int)cb;
	}
}

/* qsort has no argument pointer; per thread: top's watch thread sorts its own snapshots */
static _Thread_local const struct vd_snap *sort_snap;

static int order_cmp(const void *a, const void *b)
{
	return path_cmp(node(sort_snap, *(const uint32_t *)a)->path,
			node(sort_snap, *(const uint32_t *)b)->path);
}

static const struct index *index_of(const struct vd_snap *s)
{
	struct index *ix = s->idx;

	if (ix->valid)
		return ix;
	ix->order = vd_realloc(ix->order, (s->n ? s->n : 1) * sizeof(*ix->order));
	for (size_t i = 0; i < s->n; i++)
		ix->order[i] = (uint32_t)i;
	sort_snap = s;
	qsort(ix->order, s->n, sizeof(*ix->order), order_cmp);
	ix->n = s->n;
	ix->valid = true;
	return ix;
}

static size_t lower_bound(const struct vd_snap *s, const struct index *ix, const char *path)
{
	size_t lo = 0, hi = ix->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (path_cmp(node(s, ix->order[mid])->path, path) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Is p a strict descendant of dir (dir "/" is everything but itself)? Returns the offset of
 * the first char after "dir/" or 0. */
static size_t below(const char *p, const char *dir, size_t dlen)
{
	if (dlen == 1 && dir[0] == '/')
		return p[0] == '/' && p[1] ? 1 : 0;
	if (strncmp(p, dir, dlen) == 0 && p[dlen] == '/')
		return dlen + 1;
	return 0;
}

void vd_snap_subtree(const struct vd_snap *s, const char *path, size_t *lo, size_t *hi)
{
	const struct index *ix = index_of(s);
	size_t dlen = strlen(path), i;

	i = *lo = lower_bound(s, ix, path);
	while (i < ix->n) {
		const char *p = node(s, ix->order[i])->path;

		if (strcmp(p, path) != 0 && !below(p, path, dlen))
			break;
		i++;
	}
	*hi = i;
}

size_t vd_snap_children(const struct vd_snap *s, const char *path, const char ***names)
{
	const struct index *ix = index_of(s);
	size_t lo, hi, n = 0, dlen = strlen(path);
	const char **out;
	const char *last = NULL;
	size_t lastlen = 0;

	vd_snap_subtree(s, path, &lo, &hi);
	out = vd_malloc((hi - lo + 1) * sizeof(*out));
	for (size_t i = lo; i < hi; i++) {
		const char *p = node(s, ix->order[i])->path;
		size_t off = below(p, path, dlen), clen;

		if (!off)
			continue;
		clen = strcspn(p + off, "/");
		if (last && clen == lastlen && strncmp(last, p + off, clen) == 0)
			continue;
		last = p + off;
		lastlen = clen;
		/* A listed child sorts before its subtree, so its tail is NUL-terminated here;
		 * a child only implied by deeper nodes needs a string of its own. */
		if (p[off + clen] == '\0') {
			out[n++] = p + off;
		} else {
			strlist_add(&s->idx->implied, vd_strndup(p + off, clen));
			out[n++] = s->idx->implied.v[s->idx->implied.n - 1];
		}
	}
	*names = out;
	return n;
}

size_t vd_snap_count(const struct vd_snap *s)
{
	return s->n;
}

const struct vd_node *vd_snap_at(const struct vd_snap *s, size_t i)
{
	const struct index *ix = index_of(s);

	return i < ix->n ? node(s, ix->order[i]) : NULL;
}

void vd_snap_warn(struct vd_snap *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strlist_add(&s->warnings, vd_vasprintf(fmt, ap));
	va_end(ap);
}

size_t vd_snap_nwarnings(const struct vd_snap *s)
{
	return s->warnings.n;
}

const char *vd_snap_warning(const struct vd_snap *s, size_t i)
{
	return i < s->warnings.n ? s->warnings.v[i] : NULL;
}

void vd_snap_vanished(struct vd_snap *s, const char *path)
{
	strlist_add(&s->vanished, vd_strdup(path));
}

bool vd_snap_is_vanished(const struct vd_snap *s, const char *path)
{
	for (size_t i = 0; i < s->vanished.n; i++) {
		const char *v = s->vanished.v[i];
		size_t vl = strlen(v);

		/* "/" vanished means everything did; otherwise match v or a path below it */
		if (strcmp(v, "/") == 0 ||
		    (strncmp(path, v, vl) == 0 && (path[vl] == '\0' || path[vl] == '/')))
			return true;
	}
	return false;
}

size_t vd_snap_nvanished(const struct vd_snap *s)
{
	return s->vanished.n;
}

const char *vd_snap_vanished_at(const struct vd_snap *s, size_t i)
{
	return i < s->vanished.n ? s->vanished.v[i] : NULL;
}

void vd_snap_merge(struct vd_snap *dst, struct vd_snap *src)
{
	for (size_t i = 0; i < vd_snap_count(src); i++) {
		const struct vd_node *n = vd_snap_at(src, i);
		struct vd_node *d = vd_snap_put(dst, n->path, n->value, n->len);

		d->flags = n->flags;
		d->line = n->line;
		d->perms = n->perms ? vd_snap_intern(dst, n->perms, strlen(n->perms)) : NULL;
	}
	for (size_t i = 0; i < src->warnings.n; i++)
		strlist_add(&dst->warnings, vd_strdup(src->warnings.v[i]));
	for (size_t i = 0; i < src->vanished.n; i++)
		strlist_add(&dst->vanished, vd_strdup(src->vanished.v[i]));
	vd_snap_free(src);
}
