/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Completion candidates for the last word of a command line, from the same tables as
 * dispatch (vd_cmds, vd_options) and from the source itself (domains, VIFs, store paths).
 * Used by `vifdiag __complete` (bash) and by `vifdiag shell` (readline), so the two offer
 * the same words. Nothing here prints.
 */
#ifndef VD_COMPLETE_H
#define VD_COMPLETE_H

#include <stddef.h>

#include "vd_opts.h"
#include "vd_snap.h"

enum vd_cand_kind {
	VD_CANDS_WORDS, /* the words in v */
	VD_CANDS_FILES, /* the caller completes file names (v is empty) */
	VD_CANDS_DIRS,	/* ... directory names */
};

struct vd_cands {
	enum vd_cand_kind kind;
	/* FILES/DIRS in a "--opt=VALUE" word: what precedes the file name ("--from=") */
	char *prefix; /* owned, or NULL */
	char **v; /* whole replacement words, owned; a word ending in '=' or '/' takes no space */
	size_t n, cap;
};

struct vd_complete_ctx {
	const struct vd_opts *opts; /* --from, --retries; a live read waits at most 1 s */
	/* a loaded snapshot (the shell's), or NULL: read from opts when domains are needed */
	const struct vd_snap *snap;
	/* shell only: extra commands offered next to vd_cmds, and those taking store paths */
	const char *const *extra_cmds;
	const char *const *path_cmds;
	const char *cwd; /* the shell's store directory for relative paths; NULL: "/" */
};

/* argv[argc - 1] is the word being completed ("" for a new one); argc >= 1. */
void vd_complete(const struct vd_complete_ctx *ctx, int argc, char **argv, struct vd_cands *out);
void vd_cands_free(struct vd_cands *c);

/* True if a domain name can be offered as a word: valid UTF-8, no control bytes, no '/'. */
bool vd_complete_name_ok(const char *s, size_t len);

/* Joins a store path typed in the shell onto cwd; returns an owned canonical path. */
char *vd_store_path(const char *cwd, const char *arg);

#endif
