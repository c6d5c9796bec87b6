// SPDX-License-Identifier: GPL-2.0-or-later
/* The snapshot store: lookups, path order, children (listed and implied), subtrees. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vd_snap.h"
#include "vd_util.h"

/* A snapshot holding each of the NULL-terminated paths, its value being the path itself. */
static struct vd_snap *snap_of(const char *const *paths)
{
	struct vd_snap *s = vd_snap_new();

	for (; *paths; paths++)
		vd_snap_put(s, *paths, *paths, strlen(*paths));
	return s;
}

/* Joins n strings with spaces, for one exact comparison. */
static void check_joined(const char *const *v, size_t n, const char *want)
{
	struct vd_buf b;

	vd_buf_init(&b);
	vd_buf_adds(&b, "");
	for (size_t i = 0; i < n; i++)
		vd_buf_addf(&b, "%s%s", i ? " " : "", v[i]);
	assert_string_equal(b.data, want);
	vd_buf_free(&b);
}

static void check_children(const struct vd_snap *s, const char *path, const char *want)
{
	const char **names = NULL;
	size_t n = vd_snap_children(s, path, &names);

	assert_non_null(names);
	check_joined(names, n, want);
	free(names);
}

static void check_order(const struct vd_snap *s, const char *want)
{
	size_t n = vd_snap_count(s);
	char **v = vd_malloc((n + 1) * sizeof(*v));

	for (size_t i = 0; i < n; i++)
		v[i] = vd_snap_path_dup(s, vd_snap_at(s, i));
	check_joined((const char *const *)v, n, want);
	vd_strv_free(v, n);
}

static void test_put_get_replace(void **state)
{
	struct vd_snap *s = vd_snap_new();
	struct vd_node *a = vd_snap_put(s, "/a", "1", 1);
	const struct vd_node *got;

	assert_non_null(a);
	assert_string_equal(a->name, "/a");
	assert_string_equal(a->value, "1");
	assert_int_equal(a->len, 1);
	assert_null(a->perms);
	assert_int_equal(a->flags, 0);
	assert_int_equal(a->line, 0);
	a->line = 7;

	/* Replacing keeps the node and its other fields, only the value changes. */
	vd_snap_put(s, "/b", "x", 1);
	got = vd_snap_put(s, "/a", "a\0b", 3);
	assert_ptr_equal(got, vd_snap_get(s, "/a"));
	assert_int_equal(got->len, 3);
	assert_memory_equal(got->value, "a\0b", 4);
	assert_int_equal(got->line, 7);
	assert_int_equal(vd_snap_count(s), 2);

	assert_string_equal(vd_snap_value(s, "/b"), "x");
	assert_null(vd_snap_get(s, "/c"));
	assert_null(vd_snap_value(s, "/c"));
	/* The lookup is by the whole path, not a prefix. */
	assert_null(vd_snap_get(s, "/"));
	assert_null(vd_snap_get(s, "/a/"));
	vd_snap_free(s);
}

static void test_printf_lookups(void **state)
{
	struct vd_snap *s = vd_snap_new();

	vd_snap_put(s, "/local/domain/0/backend/vif/12/3/state", "4", 1);
	assert_string_equal(vd_snap_valuef(s, "/local/domain/%u/backend/vif/%u/%u/state", 0, 12, 3),
			    "4");
	assert_non_null(vd_snap_getf(s, "/local/domain/%d/backend/vif/%s/3/state", 0, "12"));
	assert_null(vd_snap_getf(s, "/local/domain/%u/backend/vif/%u/%u/state", 0, 1, 3));
	assert_null(vd_snap_valuef(s, "/x/%s", "y"));
	vd_snap_free(s);
}

static void test_empty_values(void **state)
{
	struct vd_snap *s = vd_snap_new();

	vd_snap_put(s, "/a", "", 0);
	vd_snap_put(s, "/b", "xyz", 0);
	assert_string_equal(vd_snap_value(s, "/a"), "");
	/* len rules, not the NUL: a value is exactly len bytes. */
	assert_string_equal(vd_snap_value(s, "/b"), "");
	assert_int_equal(vd_snap_get(s, "/b")->len, 0);
	vd_snap_put(s, "/b", "xyz", 2);
	assert_string_equal(vd_snap_value(s, "/b"), "xy");
	vd_snap_free(s);
}

static void test_empty_snapshot(void **state)
{
	struct vd_snap *s = vd_snap_new();
	size_t lo = 9, hi = 9;

	assert_int_equal(vd_snap_count(s), 0);
	assert_null(vd_snap_get(s, "/a"));
	assert_null(vd_snap_at(s, 0));
	check_children(s, "/", "");
	vd_snap_subtree(s, "/", &lo, &hi);
	assert_int_equal(lo, 0);
	assert_int_equal(hi, 0);
	assert_int_equal(vd_snap_nwarnings(s), 0);
	assert_int_equal(vd_snap_nvanished(s), 0);
	assert_false(vd_snap_is_vanished(s, "/a"));
	vd_snap_free(s);
}

static void test_path_order(void **state)
{
	static const char *const paths[] = {
		"/x/queue-2", "/x/a-b", "/x/queue-10", "/x/a/x", "/x", "/x/a", "/x/A",
		"/x/@",	      "/x/_",	"/x/a/x/y",    "/x-y",	 "/w", NULL,
	};
	struct vd_snap *s = snap_of(paths);

	/* '/' sorts first, so each node's subtree follows it before its next sibling. */
	check_order(s, "/w /x /x/@ /x/A /x/_ /x/a /x/a/x /x/a/x/y /x/a-b /x/queue-10 /x/queue-2 "
		       "/x-y");
	assert_null(vd_snap_at(s, 12));
	vd_snap_free(s);
}

static void test_children(void **state)
{
	static const char *const paths[] = {
		"/x/queue-10", "/x/queue-2", "/x/a-b",	 "/x/a/x", "/x/b", "/x/ab",
		"/x-y/z",      "/xy",	     "/x/c/d/e", "/x/c/f", NULL,
	};
	struct vd_snap *s = snap_of(paths);

	/* "a" and "c" are only implied by deeper nodes; byte order, not numeric. */
	check_children(s, "/x", "a a-b ab b c queue-10 queue-2");
	check_children(s, "/x/a", "x");
	check_children(s, "/x/c", "d f");
	check_children(s, "/x/c/d", "e");
	check_children(s, "/x/b", "");
	check_children(s, "/x/nothing", "");
	check_children(s, "/x-y", "z");
	check_children(s, "/", "x x-y xy");
	/* Implied names stay valid across later calls and puts. */
	{
		const char **names = NULL, **other = NULL;
		size_t n = vd_snap_children(s, "/x", &names);

		assert_int_equal(n, 7);
		assert_int_equal(vd_snap_children(s, "/x/c", &other), 2);
		free(other);
		vd_snap_put(s, "/x/a", "now listed", 10);
		vd_snap_put(s, "/x/0", "", 0);
		assert_string_equal(names[0], "a");
		assert_string_equal(names[4], "c");
		free(names);
	}
	check_children(s, "/x", "0 a a-b ab b c queue-10 queue-2");
	vd_snap_free(s);
}

static void test_children_root(void **state)
{
	static const char *const paths[] = {
		"/local/domain/0/name", "/tool", "/vm/1234", "/libxl", "/local", NULL,
	};
	struct vd_snap *s = snap_of(paths);

	check_children(s, "/", "libxl local tool vm");
	check_children(s, "/local", "domain");
	check_children(s, "/local/domain", "0");
	/* "/" listed as a node of its own is not its own child; children seen after more puts */
	vd_snap_put(s, "/", "", 0);
	vd_snap_put(s, "/a", "", 0);
	vd_snap_put(s, "/local/domain/7/x", "", 0);
	check_children(s, "/", "a libxl local tool vm");
	check_children(s, "/local/domain", "0 7");
	vd_snap_free(s);
}

/* Paths of the subtree range of path, joined. */
static void check_subtree(const struct vd_snap *s, const char *path, const char *want)
{
	size_t lo, hi;
	char **v;

	vd_snap_subtree(s, path, &lo, &hi);
	assert_true(lo <= hi);
	assert_true(hi <= vd_snap_count(s));
	v = vd_malloc((hi - lo + 1) * sizeof(*v));
	for (size_t i = lo; i < hi; i++)
		v[i - lo] = vd_snap_path_dup(s, vd_snap_at(s, i));
	check_joined((const char *const *)v, hi - lo, want);
	vd_strv_free(v, hi - lo);
}

static void test_subtree(void **state)
{
	static const char *const paths[] = {
		"/local/domain/1",
		"/local/domain/1/name",
		"/local/domain/1/device/vif/0",
		"/local/domain/10/name",
		"/local/domain/1-x",
		"/local/domain/0",
		"/local/domain/2/a/b",
		"/vm",
		NULL,
	};
	struct vd_snap *s = snap_of(paths);

	check_subtree(s, "/local/domain/1",
		      "/local/domain/1 /local/domain/1/device/vif/0 /local/domain/1/name");
	check_subtree(s, "/local/domain/10", "/local/domain/10/name");
	check_subtree(s, "/local/domain/2", "/local/domain/2/a/b");
	check_subtree(s, "/local/domain/1/name", "/local/domain/1/name");
	check_subtree(s, "/local/domain/3", "");
	check_subtree(s, "/local/domain/1/nam", "");
	check_subtree(s, "/local",
		      "/local/domain/0 /local/domain/1 /local/domain/1/device/vif/0 "
		      "/local/domain/1/name /local/domain/1-x /local/domain/10/name "
		      "/local/domain/2/a/b");
	check_subtree(s, "/",
		      "/local/domain/0 /local/domain/1 /local/domain/1/device/vif/0 "
		      "/local/domain/1/name /local/domain/1-x /local/domain/10/name "
		      "/local/domain/2/a/b /vm");
	check_subtree(s, "/zzz", "");
	vd_snap_free(s);
}

static void test_many_nodes(void **state)
{
	struct vd_snap *s = vd_snap_new();
	char path[64];

	/* Enough to rehash many times; every node must stay reachable and ordered. */
	for (unsigned i = 0; i < 5000; i++) {
		snprintf(path, sizeof(path), "/d/%u/v", (i * 7919u) % 5000u);
		vd_snap_put(s, path, path, strlen(path));
	}
	assert_int_equal(vd_snap_count(s), 5000);
	for (unsigned i = 0; i < 5000; i++) {
		snprintf(path, sizeof(path), "/d/%u/v", i);
		assert_string_equal(vd_snap_value(s, path), path);
	}
	for (size_t i = 1; i < vd_snap_count(s); i++) {
		char *a = vd_snap_path_dup(s, vd_snap_at(s, i - 1));
		char *b = vd_snap_path_dup(s, vd_snap_at(s, i));

		assert_true(strcmp(a, b) < 0);
		free(a);
		free(b);
	}
	{
		const char **names = NULL;

		assert_int_equal(vd_snap_children(s, "/d", &names), 5000);
		assert_string_equal(names[0], "0");
		assert_string_equal(names[1], "1");
		assert_string_equal(names[2], "10");
		assert_string_equal(names[4999], "999");
		free(names);
	}
	vd_snap_free(s);
}

/*
 * A 10,000-VIF dump keeps 600,000 nodes (issue 14): 32 bytes each on LP64, and the packed
 * fields still hold what a 256 MiB dump can put in them.
 */
/* Each path put, read back whole from its node, and found by it (issue 14: nodes keep names). */
static void check_round_trip(struct vd_snap *s, const char *const *paths, size_t n)
{
	struct vd_buf b;

	vd_buf_init(&b);
	for (size_t i = 0; i < n; i++) {
		const struct vd_node *nd = vd_snap_get(s, paths[i]);

		assert_non_null(nd);
		assert_string_equal(vd_snap_path(s, nd, &b), paths[i]);
		assert_int_equal(b.len, strlen(paths[i]));
		assert_string_equal(nd->value, paths[i]);
	}
	vd_buf_free(&b);
}

static void test_implied_parents(void **state)
{
	static const char *const paths[] = { "/a/b/c", "/a/bc", NULL };
	struct vd_snap *s = snap_of(paths);

	/* the parents a put adds are no nodes: not found, not counted, not listed */
	assert_int_equal(vd_snap_count(s), 2);
	assert_null(vd_snap_get(s, "/a"));
	assert_null(vd_snap_get(s, "/a/b"));
	check_order(s, "/a/b/c /a/bc");
	check_children(s, "/", "a");
	check_children(s, "/a", "b bc");
	check_round_trip(s, paths, 2);
	/* listed later, a parent becomes a node of its own, at its place */
	vd_snap_put(s, "/a/b", "v", 1);
	assert_int_equal(vd_snap_count(s), 3);
	assert_string_equal(vd_snap_value(s, "/a/b"), "v");
	check_order(s, "/a/b /a/b/c /a/bc");
	check_round_trip(s, paths, 2);
	vd_snap_free(s);
}

static void test_odd_paths(void **state)
{
	/* not canonical, but a hostile dump may hold them: each still reads back as put */
	static const char *const paths[] = { "/a//b", "a/b", "//x", "/", "/a", "ab/", "/a/", NULL };
	struct vd_snap *s = snap_of(paths);

	assert_int_equal(vd_snap_count(s), 7);
	check_round_trip(s, paths, 7);
	check_order(s, "/ //x /a /a/ /a//b a/b ab/");
	vd_snap_free(s);
}

/* 64 levels of 4 KiB names of bytes that are not UTF-8 (and a \x01), then 200 short ones */
static void test_deep_paths(void **state)
{
	enum { DEEP = 64, NAME = 4096, DEEPER = 200 };
	struct vd_buf p;
	char **paths = vd_calloc(DEEP + DEEPER, sizeof(*paths));
	char name[NAME];
	struct vd_snap *s = vd_snap_new();
	size_t lo, hi;

	vd_buf_init(&p);
	for (size_t d = 0; d < DEEP + DEEPER; d++) {
		size_t len = d < DEEP ? NAME : 2;

		for (size_t i = 0; i < len; i++)
			name[i] = (char)(i == 7 ? 0x01 : 0x80 + (d + i) % 0x7f);
		vd_buf_addc(&p, '/');
		vd_buf_add(&p, name, len);
		paths[d] = vd_strdup(p.data);
	}
	/* the deepest first: its parents are implied, then listed from the top down */
	vd_snap_put(s, paths[DEEP + DEEPER - 1], paths[DEEP + DEEPER - 1], p.len);
	assert_int_equal(vd_snap_count(s), 1);
	for (size_t d = 0; d < DEEP + DEEPER; d++)
		vd_snap_put(s, paths[d], paths[d], strlen(paths[d]));
	assert_int_equal(vd_snap_count(s), DEEP + DEEPER);
	check_round_trip(s, (const char *const *)paths, DEEP + DEEPER);
	for (size_t d = 0; d < DEEP + DEEPER; d++) {
		vd_snap_path(s, vd_snap_at(s, d), &p);
		assert_string_equal(p.data, paths[d]); /* an ancestor sorts first */
	}
	vd_snap_subtree(s, paths[DEEP - 1], &lo, &hi);
	assert_int_equal(lo, DEEP - 1);
	assert_int_equal(hi, DEEP + DEEPER);
	for (size_t d = 0; d < DEEP + DEEPER; d++)
		free(paths[d]);
	free(paths);
	vd_buf_free(&p);
	vd_snap_free(s);
}

static void test_shared_names(void **state)
{
	struct vd_snap *s = vd_snap_new();
	const struct vd_node *a, *b;

	vd_snap_put(s, "/p/state", "4", 1);
	vd_snap_put(s, "/q/state", "1", 1);
	a = vd_snap_get(s, "/p/state");
	b = vd_snap_get(s, "/q/state");
	assert_ptr_equal(a->name, b->name); /* one copy of "state" */
	assert_string_equal(a->value, "4");
	assert_string_equal(b->value, "1");
	vd_snap_free(s);
}

static void test_compact_node(void **state)
{
	struct vd_snap *s = vd_snap_new();
	struct vd_node *a = vd_snap_put(s, "/a", "1", 1);

	(void)state;
	if (sizeof(void *) == 8)
		assert_int_equal(sizeof(struct vd_node), 32);
	a->line = 268435457u; /* a line number of a 256 MiB file of empty lines */
	a->flags = VD_NODE_TRUNCATED | VD_NODE_NOVALUE;
	assert_int_equal(a->line, 268435457u);
	assert_int_equal(a->flags, VD_NODE_TRUNCATED | VD_NODE_NOVALUE);
	a->line = VD_NODE_LINE_MAX;
	assert_int_equal(a->line, VD_NODE_LINE_MAX);
	assert_int_equal(a->flags, VD_NODE_TRUNCATED | VD_NODE_NOVALUE);
	vd_snap_free(s);
}

/* Replaced values: shorter ones in place, longer ones elsewhere; other nodes untouched. */
static void test_replace_sizes(void **state)
{
	struct vd_snap *s = vd_snap_new();
	const struct vd_node *a, *b;

	vd_snap_put(s, "/a", "four", 4);
	vd_snap_put(s, "/b", "x", 1);
	vd_snap_put(s, "/a", "ab", 2);
	a = vd_snap_get(s, "/a");
	assert_int_equal(a->len, 2);
	assert_memory_equal(a->value, "ab", 3); /* with its NUL */
	vd_snap_put(s, "/a", "a\0longer value", 14);
	a = vd_snap_get(s, "/a");
	assert_int_equal(a->len, 14);
	assert_memory_equal(a->value, "a\0longer value", 15);
	b = vd_snap_get(s, "/b");
	assert_string_equal(b->value, "x");
	assert_string_equal(b->name, "/b");
	assert_int_equal(vd_snap_count(s), 2);
	vd_snap_free(s);
}

/* One copy per distinct text, owned by the snapshot, cut at len or at a NUL. */
static void test_intern(void **state)
{
	struct vd_snap *s = vd_snap_new();
	char buf[32];
	char *n0 = vd_snap_intern(s, "n0,r1", 5);
	char *first[300];

	assert_string_equal(n0, "n0,r1");
	assert_ptr_equal(vd_snap_intern(s, "n0,r1xyz", 5), n0);
	assert_ptr_equal(vd_snap_intern(s, "n0,r1\0zz", 8), n0);
	assert_string_equal(vd_snap_intern(s, "n0,r1", 3), "n0,");
	assert_ptr_not_equal(vd_snap_intern(s, "n0,r1", 3), n0);
	assert_string_equal(vd_snap_intern(s, "", 0), "");
	/* through several table growths, every text keeps its one copy */
	for (int i = 0; i < 300; i++) {
		snprintf(buf, sizeof(buf), "n%d,r0", i);
		first[i] = vd_snap_intern(s, buf, strlen(buf));
	}
	for (int i = 0; i < 300; i++) {
		snprintf(buf, sizeof(buf), "n%d,r0", i);
		assert_ptr_equal(vd_snap_intern(s, buf, strlen(buf)), first[i]);
		assert_string_equal(first[i], buf);
	}
	assert_ptr_equal(vd_snap_intern(s, "n0,r1", 5), n0);
	/* as a node's permissions: freed with the snapshot, not by the caller */
	vd_snap_put(s, "/a", "", 0)->perms = n0;
	assert_string_equal(vd_snap_get(s, "/a")->perms, "n0,r1");
	vd_snap_free(s);
}

static void test_index_follows_puts(void **state)
{
	struct vd_snap *s = vd_snap_new();

	vd_snap_put(s, "/b", "", 0);
	check_order(s, "/b");
	vd_snap_put(s, "/a", "", 0);
	check_order(s, "/a /b");
	check_children(s, "/", "a b");
	vd_snap_put(s, "/a/c", "", 0);
	check_children(s, "/a", "c");
	check_subtree(s, "/a", "/a /a/c");
	vd_snap_free(s);
}

static void test_vanished(void **state)
{
	struct vd_snap *s = vd_snap_new();

	vd_snap_vanished(s, "/local/domain/5");
	vd_snap_vanished(s, "/local/domain/0/backend/vif/5/0");
	assert_int_equal(vd_snap_nvanished(s), 2);
	assert_string_equal(vd_snap_vanished_at(s, 0), "/local/domain/5");
	assert_string_equal(vd_snap_vanished_at(s, 1), "/local/domain/0/backend/vif/5/0");
	assert_null(vd_snap_vanished_at(s, 2));
	assert_true(vd_snap_is_vanished(s, "/local/domain/5"));
	assert_true(vd_snap_is_vanished(s, "/local/domain/5/device/vif/0/state"));
	assert_true(vd_snap_is_vanished(s, "/local/domain/0/backend/vif/5/0/state"));
	/* A sibling sharing the prefix, an ancestor and another device are not. */
	assert_false(vd_snap_is_vanished(s, "/local/domain/50"));
	assert_false(vd_snap_is_vanished(s, "/local/domain/5-x"));
	assert_false(vd_snap_is_vanished(s, "/local/domain"));
	assert_false(vd_snap_is_vanished(s, "/local/domain/0/backend/vif/5/1"));
	assert_false(vd_snap_is_vanished(s, "/local/domain/0/backend/vif/5"));
	/* Vanished paths are a separate record: the nodes themselves are untouched. */
	assert_int_equal(vd_snap_count(s), 0);
	vd_snap_free(s);
}

static void test_vanished_root(void **state)
{
	struct vd_snap *s = vd_snap_new();
	bool root, below;

	/* "/" is an ancestor of every path. */
	vd_snap_vanished(s, "/");
	root = vd_snap_is_vanished(s, "/");
	below = vd_snap_is_vanished(s, "/local/domain/1");
	vd_snap_free(s);
	assert_true(root);
	assert_true(below);
}

static void test_warnings(void **state)
{
	struct vd_snap *s = vd_snap_new();

	assert_null(vd_snap_warning(s, 0));
	vd_snap_warn(s, "%s:%u: first", "tree.txt", 3u);
	vd_snap_warn(s, "second %d%%", 50);
	assert_int_equal(vd_snap_nwarnings(s), 2);
	assert_string_equal(vd_snap_warning(s, 0), "tree.txt:3: first");
	assert_string_equal(vd_snap_warning(s, 1), "second 50%");
	assert_null(vd_snap_warning(s, 2));
	vd_snap_free(s);
	vd_snap_free(NULL);
}

/* Per-domain reads are merged: every node with its flags and perms, warnings, vanished. */
static void test_merge(void **state)
{
	struct vd_snap *a = vd_snap_new(), *b = vd_snap_new();
	struct vd_node *n;
	const struct vd_node *g;

	vd_snap_put(a, "/local/domain/1/name", "one", 3);
	vd_snap_put(a, "/local/domain/2/name", "old", 3);
	vd_snap_warn(a, "first");
	vd_snap_put(b, "/local/domain/2/name", "two\0x", 5);
	n = vd_snap_put(b, "/local/domain/0/backend/vif/2/0/state", "4", 1);
	n->flags = VD_NODE_NOVALUE;
	n->perms = vd_snap_intern(b, "n0,r2", 5);
	vd_snap_warn(b, "second");
	vd_snap_vanished(b, "/local/domain/2/device/vif/1");
	vd_snap_merge(a, b);
	assert_int_equal(vd_snap_count(a), 3);
	assert_string_equal(vd_snap_value(a, "/local/domain/1/name"), "one");
	g = vd_snap_get(a, "/local/domain/2/name");
	assert_int_equal(g->len, 5);
	assert_memory_equal(g->value, "two\0x", 5);
	g = vd_snap_get(a, "/local/domain/0/backend/vif/2/0/state");
	assert_int_equal(g->flags, VD_NODE_NOVALUE);
	assert_string_equal(g->perms, "n0,r2");
	assert_int_equal(vd_snap_nwarnings(a), 2);
	assert_string_equal(vd_snap_warning(a, 1), "second");
	assert_true(vd_snap_is_vanished(a, "/local/domain/2/device/vif/1/state"));
	assert_false(vd_snap_is_vanished(a, "/local/domain/2/device/vif/0"));
	vd_snap_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get_replace), cmocka_unit_test(test_printf_lookups),
		cmocka_unit_test(test_empty_values),	cmocka_unit_test(test_empty_snapshot),
		cmocka_unit_test(test_path_order),	cmocka_unit_test(test_children),
		cmocka_unit_test(test_children_root),	cmocka_unit_test(test_subtree),
		cmocka_unit_test(test_many_nodes),	cmocka_unit_test(test_index_follows_puts),
		cmocka_unit_test(test_replace_sizes),	cmocka_unit_test(test_intern),
		cmocka_unit_test(test_vanished),	cmocka_unit_test(test_vanished_root),
		cmocka_unit_test(test_warnings),	cmocka_unit_test(test_merge),
		cmocka_unit_test(test_compact_node),	cmocka_unit_test(test_implied_parents),
		cmocka_unit_test(test_odd_paths),	cmocka_unit_test(test_deep_paths),
		cmocka_unit_test(test_shared_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
