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

/* Lookups are logically const; the sorted index is a cache rebuilt after puts. */
struct index {
	size_t *order; /* node indexes in path order */
	size_t n;
	bool valid;
	struct strlist implied; /* names of children only implied by deeper nodes */
};

struct vd_snap {
	struct vd_node *nodes;
	size_t n;
	size_t cap;
	size_t *hash; /* open addressing: node index + 1, 0 = empty */
	size_t hcap;
	struct index *idx;
	struct strlist warnings;
	struct strlist vanished;
};

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
	for (size_t i = 0; i < s->n; i++) {
		free(s->nodes[i].path);
		free(s->nodes[i].value);
		free(s->nodes[i].perms);
	}
	free(s->nodes);
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

static size_t *hash_slot(const struct vd_snap *s, const char *path)
{
	size_t mask = s->hcap - 1;
	size_t i = (size_t)hash_str(path) & mask;

	for (;; i = (i + 1) & mask) {
		size_t *slot = &s->hash[i];

		if (*slot == 0 || strcmp(s->nodes[*slot - 1].path, path) == 0)
			return slot;
	}
}

static void rehash(struct vd_snap *s)
{
	free(s->hash);
	s->hcap = s->hcap ? s->hcap * 2 : 256;
	s->hash = vd_calloc(s->hcap, sizeof(*s->hash));
	for (size_t i = 0; i < s->n; i++)
		*hash_slot(s, s->nodes[i].path) = i + 1;
}

struct vd_node *vd_snap_put(struct vd_snap *s, const char *path, const char *val, size_t len)
{
	size_t *slot;
	struct vd_node *nd;

	if ((s->n + 1) * 2 > s->hcap)
		rehash(s);
	slot = hash_slot(s, path);
	if (*slot) {
		nd = &s->nodes[*slot - 1];
		free(nd->value);
		nd->value = vd_memdup0(val, len);
		nd->len = len;
		return nd;
	}
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->nodes = vd_realloc(s->nodes, s->cap * sizeof(*s->nodes));
	}
	nd = &s->nodes[s->n];
	memset(nd, 0, sizeof(*nd));
	nd->path = vd_strdup(path);
	nd->value = vd_memdup0(val, len);
	nd->len = len;
	*slot = ++s->n;
	s->idx->valid = false;
	return nd;
}

const struct vd_node *vd_snap_get(const struct vd_snap *s, const char *path)
{
	size_t *slot;

	if (!s->hcap)
		return NULL;
	slot = hash_slot(s, path);
	return *slot ? &s->nodes[*slot - 1] : NULL;
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

/* '/' sorts before every other byte so that a node's subtree directly follows it. */
static int path_cmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		unsigned ca = (unsigned char)*a, cb = (unsigned char)*b;

		if (ca == '/')
			ca = 1;
		if (cb == '/')
			cb = 1;
		if (ca != cb || !ca)
			return (int)ca - (int)cb;
	}
}

static const struct vd_node *sort_base;

static int order_cmp(const void *a, const void *b)
{
	return path_cmp(sort_base[*(const size_t *)a].path, sort_base[*(const size_t *)b].path);
}

static const struct index *index_of(const struct vd_snap *s)
{
	struct index *ix = s->idx;

	if (ix->valid)
		return ix;
	ix->order = vd_realloc(ix->order, (s->n ? s->n : 1) * sizeof(*ix->order));
	for (size_t i = 0; i < s->n; i++)
		ix->order[i] = i;
	sort_base = s->nodes;
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

		if (path_cmp(s->nodes[ix->order[mid]].path, path) < 0)
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
		const char *p = s->nodes[ix->order[i]].path;

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
		const char *p = s->nodes[ix->order[i]].path;
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

	return i < ix->n ? &s->nodes[ix->order[i]] : NULL;
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
