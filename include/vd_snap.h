/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A snapshot: absolute xenstore path -> value (bytes, may hold NULs), optional permissions.
 * Every source (live xenstore, xenstore-ls dump) produces one; the model is built from it
 * and only from it, so live and offline runs go through the same code.
 */
#ifndef VD_SNAP_H
#define VD_SNAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	VD_NODE_TRUNCATED = 1u << 0, /* value was cut by xenstore-ls on a terminal ("\...") */
	VD_NODE_NOVALUE = 1u << 1,   /* listed, but its value could not be read ("path:") */
};

/*
 * 32 bytes: a 10,000-VIF host keeps 600,000 of them (issue 14). A node holds only its
 * name, not its path: the path is its parent's, '/' and the name (vd_snap_path), which
 * saves 20 MB there; names are shared (vd_snap_intern).
 */
struct vd_node {
	const char *name; /* last component (shared); a top-level node's is its whole path */
	char *value;	  /* len bytes plus a NUL added for convenience; may contain NULs */
	char *perms;	  /* "n0,r1" as xenstore-ls -p prints it, or NULL when unknown; owned by
			   * the snapshot (vd_snap_intern), never freed by the caller */
	uint32_t len;	  /* values are far smaller: a dump is at most 256 MiB (vd_dump.h) */
	unsigned flags : 3;
	unsigned line : 29; /* line in the dump file it came from, 0 for live; a dump of
			     * 256 MiB has fewer lines than this holds (else VD_NODE_LINE_MAX) */
};
#define VD_NODE_LINE_MAX ((1u << 29) - 1)

struct vd_snap;
struct vd_buf;

struct vd_snap *vd_snap_new(void);
void vd_snap_free(struct vd_snap *s);
/* Replaces the content of dst by that of src, and frees src. */
void vd_snap_move(struct vd_snap *dst, struct vd_snap *src);
/*
 * Adds every node of src to dst (a node in both takes src's value, flags and permissions),
 * and src's warnings and vanished paths after dst's; frees src. Per-domain reads (vd_source.h)
 * are merged this way.
 */
void vd_snap_merge(struct vd_snap *dst, struct vd_snap *src);

/*
 * Adds a node, or replaces the value of an existing one (the returned node is the stored one).
 * Paths must be absolute and canonical (no trailing '/', no "//"). Node pointers from put
 * and get stay valid only until the next put: build the snapshot first, then look up.
 */
struct vd_node *vd_snap_put(struct vd_snap *s, const char *path, const char *val, size_t len);

/*
 * A copy of str (len bytes at most, up to a NUL) that the snapshot owns until it is freed,
 * one per distinct text: permissions repeat on most nodes of a dump.
 */
char *vd_snap_intern(struct vd_snap *s, const char *str, size_t len);

/* The path of nd (a node of s) in b, which it replaces; returns b's data. */
const char *vd_snap_path(const struct vd_snap *s, const struct vd_node *nd, struct vd_buf *b);
/* The path of nd as a string of the caller's (free() it). */
char *vd_snap_path_dup(const struct vd_snap *s, const struct vd_node *nd);

/* Lookups work at any time (the index is rebuilt lazily after puts). */
const struct vd_node *vd_snap_get(const struct vd_snap *s, const char *path);
/* The value of path as a string, or NULL when the node is absent. */
const char *vd_snap_value(const struct vd_snap *s, const char *path);
/* printf-style path variants of the two lookups above. */
const struct vd_node *vd_snap_getf(const struct vd_snap *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const char *vd_snap_valuef(const struct vd_snap *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Names (last path component) of the direct children of path, in byte order; *names is
 * an array owned by the caller (free() it, not the strings, which belong to the snapshot).
 * A child is implied by any deeper node, even if the dump did not list the child itself.
 */
size_t vd_snap_children(const struct vd_snap *s, const char *path, const char ***names);

/* Iteration over every node in path byte order. */
size_t vd_snap_count(const struct vd_snap *s);
const struct vd_node *vd_snap_at(const struct vd_snap *s, size_t i);
/* Index range [*lo, *hi) of path itself and all its descendants. */
void vd_snap_subtree(const struct vd_snap *s, const char *path, size_t *lo, size_t *hi);

/* Notes the source made while reading (truncated values, vanished nodes, duplicates). */
void vd_snap_warn(struct vd_snap *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
size_t vd_snap_nwarnings(const struct vd_snap *s);
const char *vd_snap_warning(const struct vd_snap *s, size_t i);

/* Paths that existed when listed but were gone when read (a domain being destroyed). */
void vd_snap_vanished(struct vd_snap *s, const char *path);
bool vd_snap_is_vanished(const struct vd_snap *s, const char *path); /* path or an ancestor */
size_t vd_snap_nvanished(const struct vd_snap *s);
const char *vd_snap_vanished_at(const struct vd_snap *s, size_t i);

#endif
