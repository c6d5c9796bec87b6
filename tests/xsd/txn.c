// SPDX-License-Identifier: MIT
/*
 * Views of the store and transactions.
 *
 * A transaction sees the store as it was when it started plus its own
 * changes.  Rather than copying the tree at start, every global change first
 * saves the pre-image of the node into each open transaction that has not
 * touched the node yet (records are immutable and reference counted, so that
 * costs a pointer).  Conflicts are detected like C xenstored does it: every
 * node a transaction accessed (read, written, created, deleted, or looked up
 * while missing) must still have the generation it had in the transaction's
 * view, else TRANSACTION_END fails with EAGAIN.  A commit replaces the
 * modified node records in access order and then fires the queued watches.
 */
#include <stdlib.h>
#include <string.h>
#include "xsd.h"

struct acc {
	struct acc *next;
	char *path;
	uint64_t base_gen; /* generation in the transaction's view at first access */
	bool modified, fire, exact;
	struct perm *old; /* permissions at first access, for watch checks */
	unsigned int nold;
};

struct txn {
	struct txn *next; /* on its connection */
	struct txn *gnext, *gprev; /* all open transactions */
	struct conn *conn;
	uint32_t id;
	struct hmap overlay; /* path -> struct rec *, NULL when absent */
	struct hmap accmap; /* path -> struct acc * */
	struct acc *acc_head, **acc_tail;
};

static struct txn *g_txns;

static struct rec *global_get(const char *path)
{
	struct hent *e = hmap_get(&g_nodes, path);

	return e ? e->val : NULL;
}

static struct rec *tx_get(struct txn *t, const char *path)
{
	struct hent *e = hmap_get(&t->overlay, path);

	return e ? e->val : global_get(path);
}

static struct acc *tx_access(struct txn *t, const char *path)
{
	struct hent *e = hmap_get(&t->accmap, path);
	struct rec *r;
	struct acc *a;

	if (e)
		return e->val;
	a = xcalloc(1, sizeof(*a));
	a->path = xstrdup(path);
	r = tx_get(t, path);
	a->base_gen = r ? r->gen : NO_GEN;
	if (r) {
		a->nold = r->nperms;
		a->old = xmalloc(r->nperms * sizeof(*r->perms));
		memcpy(a->old, r->perms, r->nperms * sizeof(*r->perms));
	}
	*t->acc_tail = a;
	t->acc_tail = &a->next;
	hmap_put(&t->accmap, path, a);
	return a;
}

struct rec *node_read(struct view *v, const char *path)
{
	if (!v->tx)
		return global_get(path);
	tx_access(v->tx, path);
	return tx_get(v->tx, path);
}

/* Before the global store changes, open transactions keep what they saw. */
static void save_preimages(const char *path)
{
	struct txn *t;

	for (t = g_txns; t; t = t->gnext)
		if (!hmap_get(&t->overlay, path))
			hmap_put(&t->overlay, path, rec_get(global_get(path)));
}

static void global_set(const char *path, struct rec *r)
{
	struct hent *e;

	save_preimages(path);
	if (!r) {
		rec_put(hmap_del(&g_nodes, path));
		return;
	}
	e = hmap_get(&g_nodes, path);
	if (e) {
		rec_put(e->val);
		e->val = r;
	} else {
		hmap_put(&g_nodes, path, r);
	}
}

/* Store r (owned by the callee) at path; NULL deletes.  Bumps the generation. */
void node_write(struct view *v, const char *path, struct rec *r)
{
	struct hent *e;

	if (r)
		r->gen = ++g_generation;
	if (!v->tx) {
		global_set(path, r);
		return;
	}
	tx_access(v->tx, path)->modified = true;
	e = hmap_get(&v->tx->overlay, path);
	if (e) {
		rec_put(e->val);
		e->val = r;
	} else {
		hmap_put(&v->tx->overlay, path, r);
	}
}

/* Inside a transaction watches fire at commit; a non-exact event wins. */
void queue_watches(struct view *v, const char *path, bool exact)
{
	struct acc *a = tx_access(v->tx, path);

	if (!a->fire) {
		a->fire = true;
		a->exact = exact;
	} else if (!exact) {
		a->exact = false;
	}
}

struct txn *txn_lookup(struct conn *c, uint32_t id)
{
	struct txn *t;

	for (t = c->txns; t; t = t->next)
		if (t->id == id)
			return t;
	return NULL;
}

unsigned int txn_count(const struct conn *c)
{
	const struct txn *t;
	unsigned int n = 0;

	for (t = c->txns; t; t = t->next)
		n++;
	return n;
}

uint32_t txn_id(const struct txn *t)
{
	return t->id;
}

struct txn *txn_start(struct conn *c)
{
	struct txn *t = xcalloc(1, sizeof(*t));

	/* Connection-local ids from 1, skipping 0 and ids in use. */
	do
		t->id = c->next_txid++;
	while (!t->id || txn_lookup(c, t->id));
	t->conn = c;
	t->acc_tail = &t->acc_head;
	t->next = c->txns;
	c->txns = t;
	t->gnext = g_txns;
	if (g_txns)
		g_txns->gprev = t;
	g_txns = t;
	return t;
}

static void rec_put_void(void *p)
{
	rec_put(p);
}

static void acc_free_void(void *p)
{
	struct acc *a = p;

	free(a->path);
	free(a->old);
	free(a);
}

static void txn_leave_open_list(struct txn *t)
{
	if (t->gprev)
		t->gprev->gnext = t->gnext;
	else if (g_txns == t)
		g_txns = t->gnext;
	if (t->gnext)
		t->gnext->gprev = t->gprev;
	t->gnext = t->gprev = NULL;
}

void txn_destroy(struct txn *t)
{
	struct txn **pp;

	for (pp = &t->conn->txns; *pp != t; pp = &(*pp)->next)
		;
	*pp = t->next;
	txn_leave_open_list(t);
	trace_line("DESTROY transaction %p\n", (void *)t);
	hmap_free(&t->overlay, rec_put_void);
	hmap_free(&t->accmap, acc_free_void);
	free(t);
}

static bool txn_conflicts(struct txn *t)
{
	struct acc *a;
	struct rec *r;

	for (a = t->acc_head; a; a = a->next) {
		r = global_get(a->path);
		if ((r ? r->gen : NO_GEN) != a->base_gen)
			return true;
	}
	return false;
}

static void txn_apply(struct txn *t)
{
	struct hent *e;
	struct acc *a;
	struct rec *r;

	for (a = t->acc_head; a; a = a->next) {
		if (a->modified) {
			e = hmap_get(&t->overlay, a->path);
			r = e->val;
			e->val = NULL; /* the record moves to the global store */
			if (r)
				r->gen = ++g_generation;
			global_set(a->path, r);
		}
		if (a->fire)
			fire_watches(a->path, NULL, a->exact, a->old, a->nold);
	}
}

/* Ends and frees t.  Returns 0 or EAGAIN. */
int txn_end(struct txn *t, bool commit)
{
	int ret = 0;

	/* Leave the open list first: the commit must not save pre-images into t. */
	txn_leave_open_list(t);
	if (commit && txn_conflicts(t))
		ret = EAGAIN;
	else if (commit)
		txn_apply(t);
	txn_destroy(t);
	return ret;
}
