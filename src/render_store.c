// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The shell's store browsing output (ls, cat, tree) and its messages: every store name
 * and value is guest-writable, so all of it goes through vd_esc_text.
 */
#include "vd_render.h"

#include <stdlib.h>
#include <string.h>

#include "vd_esc.h"
#include "vd_snap.h"
#include "vd_util.h"

static void put_esc(FILE *out, const char *s, size_t len)
{
	struct vd_buf b;

	vd_buf_init(&b);
	vd_esc_text(&b, s, len, 0);
	fputs(vd_buf_cstr(&b), out);
	vd_buf_free(&b);
}

static char *child_path(const char *dir, const char *name)
{
	return vd_asprintf("%s/%s", strcmp(dir, "/") ? dir : "", name);
}

void vd_render_ls(FILE *out, const struct vd_snap *s, const char *dir)
{
	const char **names = NULL;
	size_t n = vd_snap_children(s, dir, &names);

	for (size_t i = 0; i < n; i++) {
		char *p = child_path(dir, names[i]);
		const char **sub = NULL;
		bool has = vd_snap_children(s, p, &sub) > 0;

		free(sub);
		put_esc(out, names[i], strlen(names[i]));
		fputs(has ? "/\n" : "\n", out);
		free(p);
	}
	free(names);
}

void vd_render_cat(FILE *out, const struct vd_node *nd)
{
	put_esc(out, nd->value, nd->len);
	fputc('\n', out);
}

static void tree(FILE *out, const struct vd_snap *s, const char *path, const char *name, int depth)
{
	const struct vd_node *nd = vd_snap_get(s, path);
	const char **names = NULL;
	size_t n = vd_snap_children(s, path, &names);

	fprintf(out, "%*s", 2 * depth, "");
	put_esc(out, name, strlen(name));
	if (nd && nd->len) {
		fputs(" = \"", out);
		put_esc(out, nd->value, nd->len);
		fputc('"', out);
	}
	fputc('\n', out);
	for (size_t i = 0; i < n; i++) {
		char *p = child_path(path, names[i]);

		tree(out, s, p, names[i], depth + 1);
		free(p);
	}
	free(names);
}

void vd_render_tree(FILE *out, const struct vd_snap *s, const char *path)
{
	tree(out, s, path, path, 0);
}

void vd_render_line(FILE *out, const char *s)
{
	put_esc(out, s, strlen(s));
	fputc('\n', out);
}
