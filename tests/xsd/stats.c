// SPDX-License-Identifier: MIT
/*
 * Per-connection request counts, written as "<conn> <OPNAME> <count>" lines
 * sorted by connection (A before D, then by number) and op name.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "xsd.h"

static struct stat_rec *g_stats;

/* A domain that comes back (release, introduce) keeps counting on its line. */
struct stat_rec *stats_new(const char *name)
{
	struct stat_rec *s;

	for (s = g_stats; s; s = s->next)
		if (!strcmp(s->name, name))
			return s;
	s = xcalloc(1, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->next = g_stats;
	g_stats = s;
	return s;
}

void stats_count(struct stat_rec *s, uint32_t type)
{
	bool known = type < XS_TYPE_COUNT && strcmp(type_name(type), "**UNKNOWN**");

	s->count[known ? type : STAT_INVALID]++;
}

static const char *stat_op(unsigned int slot)
{
	return slot == STAT_INVALID ? "INVALID" : type_name(slot);
}

static int cmp_conn(const void *a, const void *b)
{
	const struct stat_rec *x = *(struct stat_rec *const *)a, *y = *(struct stat_rec *const *)b;

	if (x->name[0] != y->name[0])
		return x->name[0] - y->name[0];
	return atol(x->name + 1) < atol(y->name + 1) ? -1 : atol(x->name + 1) > atol(y->name + 1);
}

static int cmp_slot(const void *a, const void *b)
{
	return strcmp(stat_op(*(const unsigned int *)a), stat_op(*(const unsigned int *)b));
}

static void stats_print(FILE *f, const struct stat_rec *s)
{
	unsigned int slots[XS_TYPE_COUNT + 1], n = 0, i;

	for (i = 0; i <= XS_TYPE_COUNT; i++)
		if (s->count[i])
			slots[n++] = i;
	qsort(slots, n, sizeof(slots[0]), cmp_slot);
	for (i = 0; i < n; i++)
		fprintf(f, "%s %s %lu\n", s->name, stat_op(slots[i]), s->count[slots[i]]);
}

/* Whole-file rewrite through a temporary and rename(), so readers never see half. */
int stats_write(const char *path)
{
	struct stat_rec *s, **v;
	size_t n = 0, i;
	char *tmp;
	FILE *f;
	int ret = 0;

	for (s = g_stats; s; s = s->next)
		n++;
	v = xcalloc(n, sizeof(*v));
	for (n = 0, s = g_stats; s; s = s->next)
		v[n++] = s;
	qsort(v, n, sizeof(*v), cmp_conn);
	tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
	f = fopen(tmp, "w");
	if (!f) {
		ret = -1;
		goto out;
	}
	for (i = 0; i < n; i++)
		stats_print(f, v[i]);
	if (fclose(f) || rename(tmp, path))
		ret = -1;
out:
	if (ret)
		unlink(tmp);
	free(tmp);
	free(v);
	return ret;
}

void stats_free(void)
{
	struct stat_rec *s;

	while ((s = g_stats)) {
		g_stats = s->next;
		free(s);
	}
}
