// SPDX-License-Identifier: MIT
/*
 * Per-connection request counts, written as "<conn> <OPNAME> <count>" lines
 * sorted by connection (A before D, then by number) and op name; and the same
 * per client program, "<program> <OPNAME> <count>" sorted by name (--client-stats).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "xsd.h"

static struct stat_rec *g_stats, *g_clients;
const char *g_client_stats;

static struct stat_rec *rec_in(struct stat_rec **list, const char *name)
{
	struct stat_rec *s;

	for (s = *list; s; s = s->next)
		if (!strcmp(s->name, name))
			return s;
	s = xcalloc(1, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->next = *list;
	*list = s;
	return s;
}

/* A domain that comes back (release, introduce) keeps counting on its line. */
struct stat_rec *stats_new(const char *name)
{
	return rec_in(&g_stats, name);
}

/* The basename of the peer's /proc/PID/exe (SO_PEERCRED), "unknown" if unreadable. */
struct stat_rec *client_stats_for_fd(int fd)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);
	char link[64], exe[4096] = "unknown", *base = exe, *del;
	ssize_t n;

	if (!getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len)) {
		snprintf(link, sizeof(link), "/proc/%d/exe", (int)uc.pid);
		n = readlink(link, exe, sizeof(exe) - 1);
		if (n > 0) {
			exe[n] = '\0';
			base = strrchr(exe, '/') ? strrchr(exe, '/') + 1 : exe;
		} else {
			strcpy(exe, "unknown");
		}
	}
	/* a binary rebuilt while it runs */
	del = strstr(base, " (deleted)");
	if (del)
		*del = '\0';
	/* one word per line in the stats file */
	for (char *p = base; *p; p++)
		if (*p == ' ' || *p == '\n')
			*p = '_';
	return rec_in(&g_clients, base);
}

void stats_count(struct stat_rec *s, uint32_t type)
{
	bool known = type < XS_TYPE_COUNT && strcmp(type_name(type), "**UNKNOWN**");

	if (s)
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

static int cmp_name(const void *a, const void *b)
{
	return strcmp((*(struct stat_rec *const *)a)->name, (*(struct stat_rec *const *)b)->name);
}

/* Whole-file rewrite through a temporary and rename(), so readers never see half. */
static int write_list(const char *path, struct stat_rec *list,
		      int (*cmp)(const void *, const void *))
{
	struct stat_rec *s, **v;
	size_t n = 0, i;
	char *tmp;
	FILE *f;
	int ret = 0;

	for (s = list; s; s = s->next)
		n++;
	v = xcalloc(n ? n : 1, sizeof(*v));
	for (n = 0, s = list; s; s = s->next)
		v[n++] = s;
	qsort(v, n, sizeof(*v), cmp);
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

int stats_write(const char *path)
{
	return write_list(path, g_stats, cmp_conn);
}

int client_stats_write(const char *path)
{
	return write_list(path, g_clients, cmp_name);
}

void stats_free(void)
{
	struct stat_rec *s;

	while ((s = g_stats)) {
		g_stats = s->next;
		free(s);
	}
	while ((s = g_clients)) {
		g_clients = s->next;
		free(s);
	}
}
