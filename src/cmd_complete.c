// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vifdiag __complete WORD... : candidates for the last word, one per line, from the same
 * tables as dispatch (so completion cannot drift). Domains come from the source itself.
 * A line "__files__" asks the shell to complete file names.
 */
#include <stdio.h>
#include <string.h>

#include "vd_cmd.h"
#include "vd_pipeline.h"
#include "vd_util.h"

static const struct vd_option *long_opt(const char *word)
{
	if (strncmp(word, "--", 2) != 0)
		return NULL;
	for (const struct vd_option *o = vd_options; o->name; o++)
		if (strcmp(o->name, word + 2) == 0)
			return o;
	return NULL;
}

static void domains(struct vd_opts *o, const char *cur)
{
	struct vd_report r;
	struct vd_err err;
	FILE *out = o->out;

	vd_err_clear(&err);
	o->err = fopen("/dev/null", "w"); /* completion must stay silent */
	if (vd_report_load(&r, o, &err) == 0) {
		for (size_t i = 0; i < r.host->ndoms; i++) {
			const struct vd_domain *d = &r.host->doms[i];
			const char *name = vd_domain_name(d);
			char id[24];

			snprintf(id, sizeof(id), "%lu", d->domid);
			if (vd_startswith(id, cur))
				fprintf(out, "%s\n", id);
			/* names with odd bytes cannot be typed back safely: skip them */
			if (name && strlen(name) == d->name->len &&
			    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01234"
					 "56789-_.") == d->name->len &&
			    vd_startswith(name, cur))
				fprintf(out, "%s\n", name);
		}
	}
	vd_report_free(&r);
	if (o->err)
		fclose(o->err);
}

int vd_cmd_complete(const struct vd_invocation *inv)
{
	const char *cur = inv->argc ? inv->argv[inv->argc - 1] : "";
	const char *cmd = NULL;
	const struct vd_option *prev = NULL;
	FILE *out = inv->opts->out;

	for (int i = 0; i + 1 < inv->argc; i++) {
		const struct vd_option *o = long_opt(inv->argv[i]);

		if (prev && prev->arg) {
			if (strcmp(prev->name, "from") == 0)
				inv->opts->from = inv->argv[i];
			prev = NULL;
			continue;
		}
		prev = o;
		if (!o && inv->argv[i][0] != '-' && !cmd)
			cmd = inv->argv[i];
	}
	if (prev && prev->arg) {
		if (strcmp(prev->name, "color") == 0)
			fprintf(out, "auto\nalways\nnever\n");
		else if (strcmp(prev->name, "from") == 0)
			fprintf(out, "__files__\n");
		else if (strcmp(prev->name, "stall") == 0)
			fprintf(out, "initwait=\nhotplug=\nconnect=\nclose=\n");
		return VD_EXIT_OK;
	}
	if (cur[0] == '-') {
		const char *part = cur[1] == '-' ? cur + 2 : cur + 1;

		for (const struct vd_option *o = vd_options; o->name; o++)
			if ((!cmd || vd_option_applies(o, cmd)) && vd_startswith(o->name, part))
				fprintf(out, "--%s\n", o->name);
		return VD_EXIT_OK;
	}
	if (!cmd || strcmp(cmd, "help") == 0) {
		for (const struct vd_cmd *c = vd_cmds; c->name; c++)
			if (!(c->flags & VD_CMD_HIDDEN) && vd_startswith(c->name, cur))
				fprintf(out, "%s\n", c->name);
		return VD_EXIT_OK;
	}
	if (strcmp(cmd, "status") == 0 || strcmp(cmd, "show") == 0 || strcmp(cmd, "watch") == 0)
		domains(inv->opts, cur);
	else if (strcmp(cmd, "log") == 0)
		fprintf(out, "__files__\n");
	return VD_EXIT_OK;
}
