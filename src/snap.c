// SPDX-License-Identifier: GPL-2.0-or-later
#include "vd_snap.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vd_util.h"

/* A node only implied by deeper ones (a parent put did not list): for lookups, not a node. */
#define NODE_IMPLIED (1u << 2)

struct strlist {
	char **v;
	size_t n;
	size_t cap;
};

/*
 * Compact storage (issue 14: a 10,000-VIF dump is half a million nodes): nodes live in
 * fixed blocks that never move (no realloc copy of one big array, no slack), names and values
 * in one arena of large chunks instead of two mallocs per node, and the hash and the sorted
 * index hold 32-bit node numbers. A node keeps its name, interned (a few thousand distinct
 * names: "state", "queue-0"), and its value is preceded in the arena by the parent's node
 * number + 1 (0: top-level, whose name is its whole path); the parent of "/a/b" is "/a", of
 * "/a" none. Parents a put did not list are added as implied nodes.
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
	/* every node but "/" (implied ones too) by parent, then name: children without
	 * walking subtrees, and without sorting the path order (built when first asked for) */
	uint32_t *kids;
	size_t nkids;
	bool kids_valid;
};

struct vd_snap {
	struct vd_node **blocks; /* NODE_BLOCK nodes each */
	size_t nblocks;
	size_t n;	     /* nodes, implied ones included */
	size_t nreal;	     /* without them */
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

/* the parent's node number + 1, 0 for a top-level node */
static uint32_t parent_of(const struct vd_node *nd)
{
	uint32_t p;

	memcpy(&p, nd->value - sizeof(p), sizeof(p));
	return p;
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

/* a node's value: len bytes and a NUL, after the parent's number (parent_of) */
static char *value_dup(struct vd_snap *s, uint32_t parent, const char *p, size_t len)
{
	char *d = arena_alloc(s, sizeof(parent) + len + 1);

	memcpy(d, &parent, sizeof(parent));
	d += sizeof(parent);
	if (len)
		memcpy(d, p, len);
	d[len] = '\0';
	return d;
}

const char *vd_snap_path(const struct vd_snap *s, const struct vd_node *nd, struct vd_buf *b)
{
	const struct vd_node *stack[64], **up = stack;
	size_t depth = 1, cap = sizeof(stack) / sizeof(stack[0]), k = 0;

	for (const struct vd_node *x = nd; parent_of(x); x = node(s, parent_of(x) - 1))
		depth++;
	if (depth > cap) /* hostile: deeper than any real store */
		up = vd_malloc(depth * sizeof(*up));
	for (const struct vd_node *x = nd;; x = node(s, parent_of(x) - 1)) {
		up[k++] = x;
		if (!parent_of(x))
			break;
	}
	vd_buf_reset(b);
	vd_buf_adds(b, up[--k]->name);
	while (k--) {
		vd_buf_addc(b, '/');
		vd_buf_adds(b, up[k]->name);
	}
	if (up != stack)
		free(up);
	return vd_buf_cstr(b);
}

char *vd_snap_path_dup(const struct vd_snap *s, const struct vd_node *nd)
{
	struct vd_buf b;

	vd_buf_init(&b);
	vd_snap_path(s, nd, &b);
	return vd_buf_steal(&b);
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
	free(s->idx->kids);
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

/* Is node i's path the len bytes at path? Compared name by name from the end. */
static bool node_is(const struct vd_snap *s, uint32_t i, const char *path, size_t len)
{
	for (;;) {
		const struct vd_node *nd = node(s, i);
		uint32_t par = parent_of(nd);
		size_t nl = strlen(nd->name);

		if (!par)
			return nl == len && memcmp(nd->name, path, len) == 0;
		if (len < nl + 1 || path[len - nl - 1] != '/' ||
		    memcmp(path + len - nl, nd->name, nl) != 0)
			return false;
		len -= nl + 1;
		i = par - 1;
	}
}

static uint32_t *hash_slot(const struct vd_snap *s, const char *path, size_t len)
{
	size_t mask = s->hcap - 1;
	size_t i = (size_t)hash_mem(path, len) & mask;

	for (;; i = (i + 1) & mask) {
		uint32_t *slot = &s->hash[i];

		if (*slot == 0 || node_is(s, *slot - 1, path, len))
			return slot;
	}
}

/* Where the parent's path ends in path: its last '/' but a leading one; 0: top-level. */
static size_t parent_len(const char *path, size_t len)
{
	while (len > 1 && path[len - 1] != '/')
		len--;
	return len > 1 ? len - 1 : 0;
}

/* Up to 3/4 full: linear probing stays short, and 600,000 nodes fit 4 MB, not 8. */
static bool hash_full(const struct vd_snap *s)
{
	return (s->n + 1) * 4 > s->hcap * 3;
}

static void rehash(struct vd_snap *s)
{
	struct vd_buf b;

	vd_buf_init(&b);
	free(s->hash);
	s->hcap = s->hcap ? s->hcap * 2 : 256;
	s->hash = vd_calloc(s->hcap, sizeof(*s->hash));
	for (size_t i = 0; i < s->n; i++) {
		vd_snap_path(s, node(s, i), &b);
		*hash_slot(s, b.data, b.len) = (uint32_t)(i + 1);
	}
	vd_buf_free(&b);
}

/* The node number of the len bytes at path, 0 if absent (else number + 1). */
static uint32_t find(const struct vd_snap *s, const char *path, size_t len)
{
	return s->hcap ? *hash_slot(s, path, len) : 0;
}

/* Adds the absent node path (len bytes) under parent (number + 1, or 0), implied. */
static uint32_t add_node(struct vd_snap *s, const char *path, size_t len, uint32_t parent)
{
	size_t off = parent ? parent_len(path, len) + 1 : 0;
	struct vd_node *nd;

	if (s->n >= UINT32_MAX - 1)
		abort(); /* as for out of memory: no host has 4 G nodes */
	if (hash_full(s))
		rehash(s);
	if ((s->n & (NODE_BLOCK - 1)) == 0) {
		s->blocks = vd_realloc(s->blocks, (s->nblocks + 1) * sizeof(*s->blocks));
		s->blocks[s->nblocks++] = vd_malloc(NODE_BLOCK * sizeof(struct vd_node));
	}
	nd = node(s, s->n);
	memset(nd, 0, sizeof(*nd));
	nd->name = vd_snap_intern(s, path + off, len - off);
	nd->value = value_dup(s, parent, "", 0);
	nd->flags = NODE_IMPLIED;
	*hash_slot(s, path, len) = (uint32_t)++s->n;
	return (uint32_t)s->n;
}

/* The node number + 1 of path's parent, added (and its own, implied) when absent; 0: none. */
static uint32_t parent_node(struct vd_snap *s, const char *path, size_t len)
{
	size_t plen = parent_len(path, len), k;
	uint32_t par = 0, got;

	if (!plen)
		return 0;
	got = find(s, path, plen);
	if (got)
		return got;
	/* from the top down (no recursion: a hostile path may be deep) */
	for (k = 1; k <= plen; k++) {
		if (k < plen && path[k] != '/')
			continue;
		got = find(s, path, k);
		par = got ? got : add_node(s, path, k, par);
	}
	return par;
}

struct vd_node *vd_snap_put(struct vd_snap *s, const char *path, const char *val, size_t len)
{
	struct vd_node *nd;
	size_t plen = strlen(path);
	uint32_t got, par;

	if (len > UINT32_MAX)
		abort(); /* as for out of memory: no value is 4 GB (vd_node.len) */
	got = find(s, path, plen);
	if (!got) {
		par = parent_node(s, path, plen);
		got = add_node(s, path, plen, par);
	}
	nd = node(s, got - 1);
	if (nd->flags & NODE_IMPLIED) {
		nd->flags = 0;
		nd->value = value_dup(s, parent_of(nd), val, len);
		nd->len = (uint32_t)len;
		s->nreal++;
		s->idx->valid = false;
		s->idx->kids_valid = false;
	} else {
		/* in place when it fits; else the old bytes stay unused in the arena (a
		 * source replaces a value at most once or twice per node) */
		if (len <= nd->len) {
			memmove(nd->value, val, len);
			nd->value[len] = '\0';
		} else {
			nd->value = value_dup(s, parent_of(nd), val, len);
		}
		nd->len = (uint32_t)len;
	}
	return nd;
}

const struct vd_node *vd_snap_get(const struct vd_snap *s, const char *path)
{
	uint32_t got = find(s, path, strlen(path));
	const struct vd_node *nd = got ? node(s, got - 1) : NULL;

	return nd && !(nd->flags & NODE_IMPLIED) ? nd : NULL;
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

/* every node's depth while the order is sorted (a parent's number is below its child's) */
static _Thread_local const uint32_t *sort_depth;

/*
 * Path order without building paths: an ancestor sorts first, else the two differ first
 * in the names of two siblings, and '/' sorting first keeps a subtree right after its node.
 */
static int order_cmp(const void *pa, const void *pb)
{
	const struct vd_snap *s = sort_snap;
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb, x = a, y = b;
	size_t da = sort_depth[a], db = sort_depth[b];

	for (; da > db; da--)
		x = parent_of(node(s, x)) - 1;
	if (x == b)
		return 1;
	for (; db > da; db--)
		y = parent_of(node(s, y)) - 1;
	if (y == a)
		return -1;
	while (parent_of(node(s, x)) != parent_of(node(s, y))) {
		x = parent_of(node(s, x)) - 1;
		y = parent_of(node(s, y)) - 1;
	}
	return path_cmp(node(s, x)->name, node(s, y)->name);
}

static const struct index *index_of(const struct vd_snap *s)
{
	struct index *ix = s->idx;
	uint32_t *depth;

	if (ix->valid)
		return ix;
	ix->order = vd_realloc(ix->order, (s->nreal ? s->nreal : 1) * sizeof(*ix->order));
	ix->n = 0;
	depth = vd_malloc((s->n ? s->n : 1) * sizeof(*depth));
	for (size_t i = 0; i < s->n; i++) {
		uint32_t p = parent_of(node(s, i));

		depth[i] = p ? depth[p - 1] + 1 : 0;
		if (!(node(s, i)->flags & NODE_IMPLIED))
			ix->order[ix->n++] = (uint32_t)i;
	}
	sort_snap = s;
	sort_depth = depth;
	qsort(ix->order, ix->n, sizeof(*ix->order), order_cmp);
	sort_depth = NULL;
	free(depth);
	ix->valid = true;
	return ix;
}

/* by parent, then by name (siblings differ in their names only: path order among them) */
static int kid_cmp(const void *pa, const void *pb)
{
	const struct vd_node *a = node(sort_snap, *(const uint32_t *)pa);
	const struct vd_node *b = node(sort_snap, *(const uint32_t *)pb);
	uint32_t x = parent_of(a), y = parent_of(b);

	if (x != y)
		return x < y ? -1 : 1;
	return path_cmp(a->name, b->name);
}

static const struct index *kids_of(const struct vd_snap *s)
{
	struct index *ix = s->idx;

	if (ix->kids_valid)
		return ix;
	ix->kids = vd_realloc(ix->kids, (s->n ? s->n : 1) * sizeof(*ix->kids));
	ix->nkids = 0;
	for (size_t i = 0; i < s->n; i++)
		if (parent_of(node(s, i)) || strcmp(node(s, i)->name, "/") != 0)
			ix->kids[ix->nkids++] = (uint32_t)i;
	sort_snap = s;
	qsort(ix->kids, ix->nkids, sizeof(*ix->kids), kid_cmp);
	ix->kids_valid = true;
	return ix;
}

static size_t lower_bound(const struct vd_snap *s, const struct index *ix, const char *path,
			  struct vd_buf *b)
{
	size_t lo = 0, hi = ix->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (path_cmp(vd_snap_path(s, node(s, ix->order[mid]), b), path) < 0)
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
	struct vd_buf b;

	vd_buf_init(&b);
	i = *lo = lower_bound(s, ix, path, &b);
	while (i < ix->n) {
		const char *p = vd_snap_path(s, node(s, ix->order[i]), &b);

		if (strcmp(p, path) != 0 && !below(p, path, dlen))
			break;
		i++;
	}
	*hi = i;
	vd_buf_free(&b);
}

size_t vd_snap_children(const struct vd_snap *s, const char *path, const char ***names)
{
	const struct index *ix = kids_of(s);
	bool root = strcmp(path, "/") == 0;
	uint32_t par = root ? 0 : find(s, path, strlen(path));
	size_t lo = 0, hi = ix->nkids, n = 0;
	const char **out;

	if (!root && !par) {
		*names = vd_malloc(sizeof(**names));
		return 0;
	}
	while (lo < hi) { /* the first child of par */
		size_t mid = lo + (hi - lo) / 2;

		if (parent_of(node(s, ix->kids[mid])) < par)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (hi = lo; hi < ix->nkids && parent_of(node(s, ix->kids[hi])) == par;)
		hi++;
	out = vd_malloc((hi - lo + 1) * sizeof(*out));
	/* a top-level node's name is its path: the child of "/" is what follows the '/' */
	for (size_t i = lo; i < hi; i++)
		out[n++] = node(s, ix->kids[i])->name + (root ? 1 : 0);
	*names = out;
	return n;
}

size_t vd_snap_count(const struct vd_snap *s)
{
	return s->nreal;
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
	struct vd_buf b;

	vd_buf_init(&b);
	for (size_t i = 0; i < vd_snap_count(src); i++) {
		const struct vd_node *n = vd_snap_at(src, i);
		struct vd_node *d = vd_snap_put(dst, vd_snap_path(src, n, &b), n->value, n->len);

		d->flags = n->flags;
		d->line = n->line;
		d->perms = n->perms ? vd_snap_intern(dst, n->perms, strlen(n->perms)) : NULL;
	}
	for (size_t i = 0; i < src->warnings.n; i++)
		strlist_add(&dst->warnings, vd_strdup(src->warnings.v[i]));
	for (size_t i = 0; i < src->vanished.n; i++)
		strlist_add(&dst->vanished, vd_strdup(src->vanished.v[i]));
	vd_buf_free(&b);
	vd_snap_free(src);
}
