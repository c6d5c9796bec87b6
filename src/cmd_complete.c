// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vifdiag __complete WORD... : candidates for the last word, one per line, from the
 * completion module (vd_complete.h) that the shell uses too. A first line "__files__" or
 * "__dirs__" asks bash to complete file or directory names (after the prefix that follows
 * it on the same line, for "--from=FILE").
 */
#include <stdio.h>

#include "vd_cmd.h"
#include "vd_complete.h"

int vd_cmd_complete(const struct vd_invocation *inv)
{
	char empty[] = "";
	char *none[] = { empty };
	struct vd_complete_ctx ctx = { .opts = inv->opts };
	struct vd_cands c;
	FILE *out = inv->opts->out;

	vd_complete(&ctx, inv->argc ? inv->argc : 1, inv->argc ? inv->argv : none, &c);
	if (c.kind != VD_CANDS_WORDS)
		fprintf(out, "%s%s\n", c.kind == VD_CANDS_FILES ? "__files__" : "__dirs__",
			c.prefix ? c.prefix : "");
	for (size_t i = 0; i < c.n; i++)
		fprintf(out, "%s\n", c.v[i]);
	vd_cands_free(&c);
	return VD_EXIT_OK;
}
