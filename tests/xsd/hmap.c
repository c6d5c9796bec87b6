// SPDX-License-Identifier: MIT
/* Chained hash map with string keys (FNV-1a), growing at load factor 1. */
#include <stdlib.h>
#include <string.h>
#include "xsd.h"

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

struct hent *hmap_get(const struct hmap *m, const char *key)
{
	uint32_t h;
	struct hent *e;

	if (!m->nb)
		return NULL;
	h = hash_str(key);
	for (e = m->b[h % m->nb]; e; e = e->next)
		if (e->hash == h && !strcmp(e->key, key))
			return e;
	return NULL;
}

static void hmap_grow(struct hmap *m)
{
	size_t nb = m->nb ? m->nb * 2 : 64, i;
	struct hent **b = xcalloc(nb, sizeof(*b));
	struct hent *e, *n;

	for (i = 0; i < m->nb; i++)
		for (e = m->b[i]; e; e = n) {
			n = e->next;
			e->next = b[e->hash % nb];
			b[e->hash % nb] = e;
		}
	free(m->b);
	m->b = b;
	m->nb = nb;
}

/* Insert or replace; the caller owns the old value of a replaced entry. */
struct hent *hmap_put(struct hmap *m, const char *key, void *val)
{
	struct hent *e = hmap_get(m, key);

	if (e) {
		e->val = val;
		return e;
	}
	if (m->n + 1 > m->nb)
		hmap_grow(m);
	e = xmalloc(sizeof(*e));
	e->key = xstrdup(key);
	e->val = val;
	e->hash = hash_str(key);
	e->next = m->b[e->hash % m->nb];
	m->b[e->hash % m->nb] = e;
	m->n++;
	return e;
}

void *hmap_del(struct hmap *m, const char *key)
{
	struct hent **pp, *e;
	void *val;
	uint32_t h;

	if (!m->nb)
		return NULL;
	h = hash_str(key);
	for (pp = &m->b[h % m->nb]; (e = *pp); pp = &e->next) {
		if (e->hash != h || strcmp(e->key, key))
			continue;
		*pp = e->next;
		val = e->val;
		free(e->key);
		free(e);
		m->n--;
		return val;
	}
	return NULL;
}

void hmap_free(struct hmap *m, void (*free_val)(void *))
{
	struct hent *e, *n;
	size_t i;

	for (i = 0; i < m->nb; i++)
		for (e = m->b[i]; e; e = n) {
			n = e->next;
			if (free_val && e->val)
				free_val(e->val);
			free(e->key);
			free(e);
		}
	free(m->b);
	m->b = NULL;
	m->nb = m->n = 0;
}
