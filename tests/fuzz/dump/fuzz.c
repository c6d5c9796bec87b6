// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The xenstore-ls dump parser (-f, -fp and the indented default, as pasted into tickets)
 * fed random text: it accepts or rejects with a "FILE:LINE: expected ..." message, and
 * what it accepts is a snapshot of canonical absolute paths in tree order, each found
 * by its own path.
 */
#include "../fuzz.h"
#include "vd_dump.h"
#include "vd_snap.h"
#include "vd_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The snapshot's order: '/' before every other byte (a subtree follows its node). */
static int tree_cmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		unsigned ca = (unsigned char)*a, cb = (unsigned char)*b;

		ca = ca == '/' ? 1 : ca ? ca + 1 : 0;
		cb = cb == '/' ? 1 : cb ? cb + 1 : 0;
		if (ca != cb || !ca)
			return (int)ca - (int)cb;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vd_snap *s = vd_snap_new();
	struct vd_err err;
	char *prev = NULL;

	vd_err_clear(&err);
	if (vd_dump_parse((const char *)data, size, "f", s, &err) < 0) {
		FUZZ_ASSERT(err.code == 3 && strncmp(err.msg, "f:", 2) == 0 &&
			    !memchr(err.msg, '\n', strlen(err.msg)));
		vd_snap_free(s);
		return 0;
	}
	FUZZ_ASSERT(err.code == 0);
	for (size_t i = 0; i < vd_snap_count(s); i++) {
		const struct vd_node *n = vd_snap_at(s, i);
		char *path = vd_snap_path_dup(s, n);
		size_t len = strlen(path);

		FUZZ_ASSERT(path[0] == '/' && !strstr(path, "//"));
		FUZZ_ASSERT(len == 1 || path[len - 1] != '/');
		FUZZ_ASSERT(n->value && n->value[n->len] == '\0');
		FUZZ_ASSERT(!prev || tree_cmp(prev, path) < 0);
		FUZZ_ASSERT(vd_snap_get(s, path) == n);
		free(prev);
		prev = path;
	}
	free(prev);
	for (size_t i = 0; i < vd_snap_nwarnings(s); i++)
		FUZZ_ASSERT(vd_snap_warning(s, i));
	vd_snap_free(s);
	return 0;
}
