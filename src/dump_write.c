// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A snapshot back into `xenstore-ls -f` text (a bundle's store), so that src/dump.c reads
 * it as it reads any dump. -f and not -fp: the live walker asks for no permissions.
 */
#include "vd_dump.h"

#include "vd_esc.h"
#include "vd_util.h"

void vd_dump_write(const struct vd_snap *s, struct vd_buf *out)
{
	struct vd_buf path;

	vd_buf_init(&path);
	for (size_t i = 0; i < vd_snap_count(s); i++) {
		const struct vd_node *nd = vd_snap_at(s, i);

		vd_snap_path(s, nd, &path);
		vd_buf_add(out, path.data, path.len);
		if (nd->flags & VD_NODE_NOVALUE) {
			vd_buf_adds(out, ":\n");
			continue;
		}
		vd_buf_adds(out, " = \"");
		vd_esc_xsls(out, nd->value, nd->len);
		vd_buf_adds(out, "\"\n");
	}
	vd_buf_free(&path);
}
