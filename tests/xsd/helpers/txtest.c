// SPDX-License-Identifier: MIT
/*
 * xsd-txtest: transaction semantics of vd-xenstored through the real
 * libxenstore (XENSTORED_PATH must point at the server's socket).
 */
#include <poll.h>
#include "common.h"

static bool put(struct xs_handle *h, xs_transaction_t t, const char *path, const char *val)
{
	return xs_write(h, t, path, val, (unsigned int)strlen(val));
}

/* A transaction keeps seeing what it saw; the outside write wins, the commit fails. */
static void test_isolation(struct xs_handle *a, struct xs_handle *b)
{
	xs_transaction_t t;
	bool ok;

	put(b, XBT_NULL, "/t/iso/read", "old");
	put(b, XBT_NULL, "/t/iso/later", "old");
	t = xs_transaction_start(a);
	ok = reads_as(a, t, "/t/iso/read", "old");
	put(b, XBT_NULL, "/t/iso/read", "new");
	put(b, XBT_NULL, "/t/iso/later", "new");
	report(ok && reads_as(a, t, "/t/iso/read", "old"), "tx: a node read before stays as read");
	report(reads_as(a, t, "/t/iso/later", "old"), "tx: sees the store as of its start");
	report(reads_as(a, XBT_NULL, "/t/iso/read", "new"), "tx: outside sees the outside write");
	ok = !xs_transaction_end(a, t, false) && errno == EAGAIN;
	report(ok, "tx: commit after a conflicting outside write gets EAGAIN");
}

/* Own writes are visible inside, invisible outside until an atomic commit. */
static void test_atomic(struct xs_handle *a, struct xs_handle *b)
{
	xs_transaction_t t = xs_transaction_start(a);
	char path[64], val[16];
	bool inside = true, outside = true, after = true;
	int i;

	for (i = 0; i < 10; i++) {
		snprintf(path, sizeof(path), "/t/atomic/k%d", i);
		snprintf(val, sizeof(val), "v%d", i);
		put(a, t, path, val);
		inside &= reads_as(a, t, path, val);
		outside &= reads_as(b, XBT_NULL, path, NULL);
	}
	report(inside, "tx: own writes visible inside");
	report(outside, "tx: uncommitted writes invisible outside");
	report(xs_transaction_end(a, t, false), "tx: commit without conflict succeeds");
	for (i = 0; i < 10; i++) {
		snprintf(path, sizeof(path), "/t/atomic/k%d", i);
		snprintf(val, sizeof(val), "v%d", i);
		after &= reads_as(b, XBT_NULL, path, val);
	}
	report(after, "tx: all writes visible after commit");
}

static void test_abort(struct xs_handle *a)
{
	xs_transaction_t t = xs_transaction_start(a);

	put(a, t, "/t/abort/x", "1");
	xs_rm(a, t, "/t/atomic");
	report(xs_transaction_end(a, t, true), "tx: abort succeeds");
	report(reads_as(a, XBT_NULL, "/t/abort/x", NULL) &&
		       reads_as(a, XBT_NULL, "/t/atomic/k0", "v0"),
	       "tx: abort discards writes and removals");
}

/* A read-only transaction whose reads went stale also fails (C xenstored's rule). */
static void test_readonly_conflict(struct xs_handle *a, struct xs_handle *b)
{
	xs_transaction_t t = xs_transaction_start(a);

	reads_as(a, t, "/t/atomic/k1", "v1");
	put(b, XBT_NULL, "/t/atomic/k1", "changed");
	report(!xs_transaction_end(a, t, false) && errno == EAGAIN,
	       "tx: read-only transaction with a stale read gets EAGAIN");
	t = xs_transaction_start(a);
	reads_as(a, t, "/t/atomic/k2", "v2");
	put(b, XBT_NULL, "/t/other", "unrelated");
	report(xs_transaction_end(a, t, false), "tx: unrelated outside write does not conflict");
}

static bool event_within(struct xs_handle *h, int ms, char *path, size_t len)
{
	struct pollfd p = { xs_fileno(h), POLLIN, 0 };
	unsigned int n;
	char **v;

	if (poll(&p, 1, ms) <= 0)
		return false;
	v = xs_read_watch(h, &n);
	if (!v)
		return false;
	snprintf(path, len, "%s", v[XS_WATCH_PATH]);
	free(v);
	return true;
}

/* Watch events for changes inside a transaction come at commit, not before. */
static void test_events_at_commit(struct xs_handle *a, struct xs_handle *w)
{
	xs_transaction_t t;
	char path[256] = "";
	bool first;

	xs_watch(w, "/t/ev", "tok");
	first = event_within(w, 2000, path, sizeof(path)) && !strcmp(path, "/t/ev");
	report(first, "watch: initial event carries the watched path");
	t = xs_transaction_start(a);
	put(a, t, "/t/ev/x", "1");
	report(!event_within(w, 200, path, sizeof(path)), "tx: no event before commit");
	xs_transaction_end(a, t, false);
	report(event_within(w, 2000, path, sizeof(path)) && !strcmp(path, "/t/ev/x"),
	       "tx: event for the written node at commit");
}

int main(void)
{
	struct xs_handle *a = open_or_die(), *b = open_or_die(), *w = open_or_die();

	test_isolation(a, b);
	test_atomic(a, b);
	test_abort(a);
	test_readonly_conflict(a, b);
	test_events_at_commit(a, w);
	xs_close(a);
	xs_close(b);
	xs_close(w);
	return failures ? 1 : 0;
}
