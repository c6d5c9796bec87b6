// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Completion candidates (vd_complete.h): which kind of word the cursor is on, from the
 * command and option tables, then the words of that kind that start with what is typed.
 */
#include "vd_complete.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vd_cmd.h"
#include "vd_esc.h"
#include "vd_model.h"
#include "vd_source.h"
#include "vd_util.h"

/* A TAB must not freeze the shell behind a hung xenstored. */
#define VD_COMPLETE_TIMEOUT_S 1

static void add(struct vd_cands *c, char *word)
{
	for (size_t i = 0; i < c->n; i++) {
		if (strcmp(c->v[i], word) == 0) {
			free(word);
			return;
		}
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 16;
		c->v = vd_realloc(c->v, c->cap * sizeof(*c->v));
	}
	c->v[c->n++] = word;
}

/* prefix + word, if word starts with cur. */
static void offer(struct vd_cands *c, const char *prefix, const char *word, const char *cur)
{
	if (vd_startswith(word, cur))
		add(c, vd_asprintf("%s%s", prefix, word));
}

void vd_cands_free(struct vd_cands *c)
{
	vd_strv_free(c->v, c->n);
	free(c->prefix);
	memset(c, 0, sizeof(*c));
}

bool vd_complete_name_ok(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = vd_utf8_next(s + i, len - i, &cp);

		if (cp == VD_UTF8_BAD || cp < 0x20 || cp == '/' || cp == '\\' ||
		    (cp >= 0x7f && cp < 0xa0))
			return false;
		i += k;
	}
	return true;
}

static const struct vd_option *find_opt(const char *name, size_t len)
{
	for (const struct vd_option *o = vd_options; o->name; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

static const struct vd_option *short_opt(char c)
{
	for (const struct vd_option *o = vd_options; o->name; o++)
		if (c && o->shortopt == c)
			return o;
	return NULL;
}

/* The option a word names ("--name", "--name=..." or "-x"), or NULL. */
static const struct vd_option *word_opt(const char *w, bool *inline_arg)
{
	*inline_arg = false;
	if (w[0] != '-')
		return NULL;
	if (w[1] == '-') {
		const char *eq = strchr(w + 2, '=');

		*inline_arg = eq != NULL;
		return find_opt(w + 2, eq ? (size_t)(eq - w - 2) : strlen(w + 2));
	}
	return w[1] && !w[2] ? short_opt(w[1]) : NULL;
}

struct loaded {
	const struct vd_snap *snap;
	struct vd_snap *own;
	struct vd_host *host;
	bool tried;
};

static const struct vd_host *host_of(const struct vd_complete_ctx *ctx, struct loaded *l)
{
	if (!l->tried) {
		l->tried = true;
		l->snap = ctx->snap;
		if (!l->snap) {
			struct vd_opts o = *ctx->opts;
			struct vd_err err;

			vd_err_clear(&err);
			o.timeout = VD_COMPLETE_TIMEOUT_S;
			l->own = vd_snap_new();
			if (vd_source_snapshot(&o, l->own, &err) == 0)
				l->snap = l->own;
		}
		if (l->snap)
			l->host = vd_build_model(l->snap);
	}
	return l->host;
}

/* DOM, or DOM/DEVID when devid and what is typed has a '/'. Names only if unique. */
static void domains(const struct vd_complete_ctx *ctx, struct loaded *l, struct vd_cands *c,
		    const char *prefix, const char *cur, bool devid)
{
	const struct vd_host *h = host_of(ctx, l);
	const char *slash = devid ? strchr(cur, '/') : NULL;

	if (!h)
		return;
	for (size_t i = 0; i < h->ndoms && !slash; i++) {
		const struct vd_domain *d = &h->doms[i];
		char id[24];
		size_t same = 0;

		snprintf(id, sizeof(id), "%lu", d->domid);
		offer(c, prefix, id, cur);
		if (!d->name || !vd_complete_name_ok(d->name->value, d->name->len))
			continue;
		for (size_t k = 0; k < h->ndoms; k++)
			same += h->doms[k].name && h->doms[k].name->len == d->name->len &&
				memcmp(h->doms[k].name->value, d->name->value, d->name->len) == 0;
		if (same == 1)
			offer(c, prefix, d->name->value, cur);
	}
	for (size_t i = 0; i < h->nvifs && slash; i++) {
		const struct vd_vif *v = h->vifs[i];
		const char *name = vd_domain_name(v->dom);
		char *a = vd_asprintf("%lu/%lu", v->domid, v->devid);

		offer(c, prefix, a, cur);
		free(a);
		if (name && vd_complete_name_ok(name, v->dom->name->len)) {
			a = vd_asprintf("%s/%lu", name, v->devid);
			offer(c, prefix, a, cur);
			free(a);
		}
	}
}

char *vd_store_path(const char *cwd, const char *arg)
{
	char *in = arg[0] == '/' ? vd_strdup(arg) : vd_asprintf("%s/%s", cwd ? cwd : "/", arg);
	struct vd_buf b;
	char *save = NULL;

	vd_buf_init(&b);
	for (char *p = strtok_r(in, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
		if (strcmp(p, ".") == 0)
			continue;
		if (strcmp(p, "..") == 0) {
			char *last = strrchr(vd_buf_cstr(&b), '/');

			if (last)
				b.len = (size_t)(last - b.data);
			if (b.data)
				b.data[b.len] = '\0';
			continue;
		}
		vd_buf_addc(&b, '/');
		vd_buf_adds(&b, p);
	}
	free(in);
	if (b.len == 0)
		vd_buf_adds(&b, "/");
	return vd_buf_steal(&b);
}

/* Children of the dir part of cur, as typed (relative stays relative); dirs end in '/'. */
static void paths(const struct vd_complete_ctx *ctx, struct loaded *l, struct vd_cands *c,
		  const char *cur)
{
	const char *slash = strrchr(cur, '/');
	char *typed_dir = slash ? vd_strndup(cur, (size_t)(slash - cur + 1)) : vd_strdup("");
	char *dir = vd_store_path(ctx->cwd, typed_dir[0] ? typed_dir : ".");
	const char *part = slash ? slash + 1 : cur;
	const char **names = NULL;
	size_t n;

	if (host_of(ctx, l)) {
		n = vd_snap_children(l->snap, dir, &names);
		for (size_t i = 0; i < n; i++) {
			char *child = vd_asprintf("%s/%s", strcmp(dir, "/") ? dir : "", names[i]);
			const char **sub = NULL;
			bool has = vd_snap_children(l->snap, child, &sub) > 0;
			char *w;

			free(sub);
			free(child);
			if (!vd_startswith(names[i], part) ||
			    !vd_complete_name_ok(names[i], strlen(names[i])))
				continue;
			w = vd_asprintf("%s%s%s", typed_dir, names[i], has ? "/" : "");
			add(c, w);
		}
		free(names);
	}
	free(dir);
	free(typed_dir);
}

static void option_value(const struct vd_complete_ctx *ctx, struct loaded *l,
			 const struct vd_option *o, const char *prefix, const char *cur,
			 struct vd_cands *c)
{
	static const char *const colors[] = { "auto", "always", "never", NULL };
	static const char *const stalls[] = { "initwait=", "hotplug=", "connect=", "close=", NULL };

	if (strcmp(o->name, "from") == 0 || strcmp(o->name, "output") == 0 ||
	    strcmp(o->name, "log") == 0 || strcmp(o->name, "hotplug-log") == 0) {
		c->kind = VD_CANDS_FILES;
		c->prefix = vd_strdup(prefix);
	} else if (strcmp(o->name, "sysfs-root") == 0) {
		c->kind = VD_CANDS_DIRS;
		c->prefix = vd_strdup(prefix);
	} else if (strcmp(o->name, "color") == 0) {
		for (size_t i = 0; colors[i]; i++)
			offer(c, prefix, colors[i], cur);
	} else if (strcmp(o->name, "stall") == 0) {
		for (size_t i = 0; stalls[i]; i++)
			offer(c, prefix, stalls[i], cur);
	} else if (strcmp(o->name, "vif") == 0) {
		domains(ctx, l, c, prefix, cur, true);
	}
}

static bool in_list(const char *const *list, const char *s)
{
	for (size_t i = 0; list && list[i]; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

static void commands(const struct vd_complete_ctx *ctx, const char *cur, struct vd_cands *c)
{
	for (const struct vd_cmd *k = vd_cmds; k->name; k++)
		if (!(k->flags & VD_CMD_HIDDEN))
			offer(c, "", k->name, cur);
	for (size_t i = 0; ctx->extra_cmds && ctx->extra_cmds[i]; i++)
		offer(c, "", ctx->extra_cmds[i], cur);
}

static void complete(const struct vd_complete_ctx *ctx, struct loaded *l, int argc, char **argv,
		     struct vd_cands *c)
{
	const char *cur = argv[argc - 1];
	const char *cmd = NULL;
	const struct vd_option *pending = NULL;
	struct vd_complete_ctx sub = *ctx;
	struct vd_opts o = *ctx->opts;
	bool inl;

	sub.opts = &o;
	for (int i = 0; i + 1 < argc; i++) {
		const struct vd_option *opt = word_opt(argv[i], &inl);

		if (pending) {
			if (strcmp(pending->name, "from") == 0)
				o.from = argv[i];
			pending = NULL;
			continue;
		}
		if (opt && opt->arg && !inl)
			pending = opt;
		else if (opt && inl && strcmp(opt->name, "from") == 0)
			o.from = strchr(argv[i], '=') + 1;
		else if (argv[i][0] != '-' && !cmd)
			cmd = argv[i];
	}
	if (o.from != ctx->opts->from)
		sub.snap = NULL; /* the line names another source than the loaded one */
	if (pending) {
		option_value(&sub, l, pending, "", cur, c);
		return;
	}
	if (cur[0] == '-') {
		const struct vd_option *opt = word_opt(cur, &inl);

		if (opt && inl && opt->arg) {
			const char *eq = strchr(cur, '=');
			char *prefix = vd_strndup(cur, (size_t)(eq - cur + 1));

			option_value(&sub, l, opt, prefix, eq + 1, c);
			free(prefix);
			return;
		}
		for (const struct vd_option *k = vd_options; k->name; k++) {
			char *w;

			if (cmd && !in_list(ctx->extra_cmds, cmd) && !vd_option_applies(k, cmd))
				continue;
			w = vd_asprintf("--%s", k->name);
			if (vd_startswith(w, cur))
				add(c, w);
			else
				free(w);
		}
		return;
	}
	if (!cmd || strcmp(cmd, "help") == 0) {
		commands(ctx, cur, c);
		return;
	}
	if (in_list(ctx->path_cmds, cmd))
		paths(&sub, l, c, cur);
	else if (strcmp(cmd, "status") == 0 || strcmp(cmd, "watch") == 0)
		domains(&sub, l, c, "", cur, false);
	else if (strcmp(cmd, "show") == 0 || strcmp(cmd, "check") == 0)
		domains(&sub, l, c, "", cur, true); /* both take DOM[/DEVID] */
	else if (strcmp(cmd, "log") == 0 ||
		 (in_list(ctx->extra_cmds, cmd) && strcmp(cmd, "open") == 0))
		c->kind = VD_CANDS_FILES;
}

void vd_complete(const struct vd_complete_ctx *ctx, int argc, char **argv, struct vd_cands *out)
{
	struct loaded l = { 0 };

	memset(out, 0, sizeof(*out));
	complete(ctx, &l, argc, argv, out);
	vd_host_free(l.host);
	vd_snap_free(l.own);
}
