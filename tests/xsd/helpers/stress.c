// SPDX-License-Identifier: MIT
/*
 * xsd-stress CLIENTS REQUESTS: CLIENTS threads, each with its own libxenstore
 * connection, send REQUESTS mixed requests (reads, writes, directory, and
 * transactions that all bump one shared counter, so they conflict and are
 * retried until they commit).  Checks every reply, then that the counters
 * add up.  Prints one "client OP=count ..." line per connection so run.sh
 * can compare with the server's --stats.
 */
#include <pthread.h>
#include "common.h"

enum { C_READ, C_WRITE, C_DIRECTORY, C_TSTART, C_TEND, C_N };
static const char *const cname[C_N] = { "DIRECTORY", "READ", "TRANSACTION_END",
					"TRANSACTION_START", "WRITE" };
/* cname is sorted by name; map the enum onto it. */
static const int cslot[C_N] = { 1, 4, 0, 3, 2 };

struct client {
	pthread_t th;
	int id;
	long budget;
	unsigned long count[C_N];
	unsigned long commits, conflicts, errors;
};

static long get_long(struct xs_handle *h, xs_transaction_t t, const char *path, struct client *c)
{
	unsigned int len;
	char *v = xs_read(h, t, path, &len);
	long n = v ? atol(v) : 0;

	c->count[C_READ]++;
	if (!v && errno != ENOENT)
		c->errors++;
	free(v);
	return n;
}

static void put_long(struct xs_handle *h, xs_transaction_t t, const char *path, long n,
		     struct client *c)
{
	char v[32];

	snprintf(v, sizeof(v), "%ld", n);
	c->count[C_WRITE]++;
	if (!xs_write(h, t, path, v, (unsigned int)strlen(v)))
		c->errors += errno != EAGAIN;
}

/* Bump /stress/total and /stress/cN together; retried until it commits. */
static void bump(struct xs_handle *h, struct client *c, const char *mine)
{
	xs_transaction_t t;

	for (;;) {
		t = xs_transaction_start(h);
		c->count[C_TSTART]++;
		if (t == XBT_NULL) {
			c->errors++;
			return;
		}
		put_long(h, t, "/stress/total", get_long(h, t, "/stress/total", c) + 1, c);
		put_long(h, t, mine, get_long(h, t, mine, c) + 1, c);
		c->count[C_TEND]++;
		if (xs_transaction_end(h, t, false)) {
			c->commits++;
			return;
		}
		if (errno != EAGAIN) {
			c->errors++;
			return;
		}
		c->conflicts++;
	}
}

static unsigned long sent(const struct client *c)
{
	unsigned long n = 0;
	int i;

	for (i = 0; i < C_N; i++)
		n += c->count[i];
	return n;
}

static void one_round(struct xs_handle *h, struct client *c, const char *key, const char *mine,
		      long i)
{
	unsigned int num;
	char **dir;

	switch (i % 8) {
	case 0:
	case 1:
	case 2:
		put_long(h, XBT_NULL, key, i, c);
		/* Only this client writes key: a read must give the last value. */
		if (get_long(h, XBT_NULL, key, c) != i)
			c->errors++;
		break;
	case 3:
	case 4:
		dir = xs_directory(h, XBT_NULL, "/stress", &num);
		c->count[C_DIRECTORY]++;
		c->errors += !dir;
		free(dir);
		break;
	default:
		bump(h, c, mine);
	}
}

static void *run_client(void *arg)
{
	struct client *c = arg;
	struct xs_handle *h = xs_open(0);
	char key[64], mine[64];
	long i;

	if (!h) {
		c->errors++;
		return NULL;
	}
	snprintf(key, sizeof(key), "/stress/k%d", c->id);
	snprintf(mine, sizeof(mine), "/stress/c%d", c->id);
	for (i = 0; (long)sent(c) < c->budget; i++)
		one_round(h, c, key, mine, i);
	xs_close(h);
	return NULL;
}

static void print_counts(const struct client *c)
{
	int s, i;

	printf("client");
	for (s = 0; s < C_N; s++)
		for (i = 0; i < C_N; i++)
			if (cslot[i] == s && c->count[i])
				printf(" %s=%lu", cname[s], c->count[i]);
	printf("\n");
}

/* The checker is one more connection: its reads are printed like a client's. */
static bool check_totals(struct client *cl, int n)
{
	struct xs_handle *h = open_or_die();
	struct client checker = { 0 };
	unsigned long total = 0;
	char path[64], want[32];
	bool ok = true;
	int i;

	for (i = 0; i < n; i++) {
		total += cl[i].commits;
		snprintf(path, sizeof(path), "/stress/c%d", i);
		snprintf(want, sizeof(want), "%lu", cl[i].commits);
		ok &= reads_as(h, XBT_NULL, path, want);
		checker.count[C_READ]++;
	}
	snprintf(want, sizeof(want), "%lu", total);
	ok &= reads_as(h, XBT_NULL, "/stress/total", want);
	checker.count[C_READ]++;
	xs_close(h);
	print_counts(&checker);
	return ok;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 8, i;
	long budget = argc > 2 ? atol(argv[2]) : 10000;
	struct client *cl = calloc((size_t)n, sizeof(*cl));
	unsigned long errors = 0, conflicts = 0, commits = 0;

	for (i = 0; i < n; i++) {
		cl[i].id = i;
		cl[i].budget = budget;
		pthread_create(&cl[i].th, NULL, run_client, &cl[i]);
	}
	for (i = 0; i < n; i++) {
		pthread_join(cl[i].th, NULL);
		errors += cl[i].errors;
		conflicts += cl[i].conflicts;
		commits += cl[i].commits;
		print_counts(&cl[i]);
	}
	printf("# %d clients, %lu commits, %lu conflicts retried, %lu errors\n", n, commits,
	       conflicts, errors);
	report(!errors, "stress: every reply as expected");
	report(conflicts > 0, "stress: transactions really conflicted and were retried");
	report(check_totals(cl, n), "stress: counters bumped in transactions add up");
	free(cl);
	return failures ? 1 : 0;
}
