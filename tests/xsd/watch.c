// SPDX-License-Identifier: MIT
/* Watches and watch events (xenstored_watch.c, the special-node parts of xenstored_domain.c). */
#include <stdlib.h>
#include <string.h>
#include "xsd.h"

/* Special watch nodes: owned by dom0, nobody else may watch them by default. */
static struct perm special_default = { 0, P_NONE };
static struct {
	const char *name;
	struct perm *p;
	unsigned int n;
} specials[] = {
	{ "@releaseDomain", &special_default, 1 },
	{ "@introduceDomain", &special_default, 1 },
};

static int special_index(const char *name)
{
	unsigned int i;

	for (i = 0; i < sizeof(specials) / sizeof(specials[0]); i++)
		if (!strcmp(name, specials[i].name))
			return (int)i;
	return -1;
}

int set_perms_special(struct conn *c, const char *name, struct perm *p, unsigned int n)
{
	int i = special_index(name);
	const unsigned int need = P_WRITE | P_OWNER;

	if (i < 0)
		return EINVAL;
	if ((perm_for_conn(c, specials[i].p, specials[i].n) & need) != need)
		return EACCES;
	if (specials[i].p != &special_default)
		free(specials[i].p);
	specials[i].p = xmalloc(n * sizeof(*p));
	memcpy(specials[i].p, p, n * sizeof(*p));
	specials[i].n = n;
	return 0;
}

static bool special_readable(const char *name, const struct conn *c)
{
	int i = special_index(name);

	return i >= 0 && (perm_for_conn(c, specials[i].p, specials[i].n) & P_READ);
}

/* The node or its parent must be readable by the watcher (or the old perms). */
static bool watch_permitted(const struct conn *c, const char *name, const struct rec *node,
			    const struct perm *old, unsigned int nold)
{
	struct view v = { NULL, NULL };
	const struct rec *parent;
	char *pname;

	if (old && (perm_for_conn(c, old, nold) & P_READ))
		return true;
	if (!node)
		node = node_read(&v, name);
	if (!node)
		return false;
	if (perm_for_conn(c, node->perms, node->nperms) & P_READ)
		return true;
	pname = path_parent(name);
	parent = node_read(&v, pname);
	free(pname);
	return parent && (perm_for_conn(c, parent->perms, parent->nperms) & P_READ);
}

static const char *watch_path(const struct watch *w, const char *name)
{
	const char *p = name;

	if (w->relative) {
		p += strlen(w->relative);
		if (*p == '/')
			p++;
	}
	return p;
}

static bool event_pending(const struct conn *c, const char *data, size_t len)
{
	const struct msg *m;

	for (m = c->out_head; m; m = m->next)
		if (m->hdr.type == XS_WATCH_EVENT && m->hdr.len == len &&
		    !memcmp(m->body, data, len))
			return true;
	return false;
}

static void send_event(struct conn *c, const char *path, const char *token)
{
	struct buf b = { 0 };

	buf_addz(&b, path);
	buf_addz(&b, token);
	/* C xenstored silently drops over-long events ... */
	if (b.len > XENSTORE_PAYLOAD_MAX)
		goto out;
	/* ... and an event identical to one still queued for this connection. */
	if (path[0] != '@' && event_pending(c, b.p, b.len)) {
		trace_line("dropping duplicate watch %s %s for domain %u\n", path, token,
			   c->is_domain ? c->domid : 0);
		goto out;
	}
	conn_queue(c, XS_WATCH_EVENT, 0, 0, b.p, b.len);
out:
	buf_free(&b);
}

void fire_watches(const char *name, const struct rec *node, bool exact, const struct perm *old,
		  unsigned int nold)
{
	struct conn *c;
	struct watch *w;
	bool match;

	for (c = g_conns; c; c = c->next) {
		if (name[0] == '@' ? !special_readable(name, c)
				   : !watch_permitted(c, name, node, old, nold))
			continue;
		for (w = c->watches; w; w = w->next) {
			match = exact ? !strcmp(name, w->node) : path_is_child(name, w->node);
			if (match)
				send_event(c, watch_path(w, name), w->token);
		}
	}
}

void node_changed(struct view *v, const char *name, const struct rec *node, bool exact,
		  const struct perm *old, unsigned int nold)
{
	if (v->tx)
		queue_watches(v, name, exact);
	else
		fire_watches(name, node, exact, old, nold);
}

/* check_watch_path(): specials are taken as they are, others canonicalized. */
static char *watch_node(const struct conn *c, const char *path, bool *relative)
{
	char *node;

	*relative = false;
	if (path[0] == '@')
		return strlen(path) > XENSTORE_REL_PATH_MAX ? NULL : xstrdup(path);
	*relative = path[0] != '/';
	node = canonicalize(c, path);
	if (!path_valid(node)) {
		free(node);
		return NULL;
	}
	return node;
}

/* Node names cannot hold a space, so "node token" identifies a watch. */
static char *watch_key(const char *node, const char *token)
{
	return xasprintf("%s %s", node, token);
}

static struct watch *find_watch(struct conn *c, const char *node, const char *token)
{
	char *key = watch_key(node, token);
	struct hent *e = hmap_get(&c->watchmap, key);

	free(key);
	return e ? e->val : NULL;
}

int do_watch(struct conn *c, char *body, size_t len)
{
	struct watch *w;
	const char *token;
	bool relative;
	char *node, *key;

	if (count_nuls(body, len) != 2)
		return EINVAL;
	token = body + strlen(body) + 1;
	node = watch_node(c, body, &relative);
	if (!node)
		return EINVAL;
	if (find_watch(c, node, token)) {
		free(node);
		return EEXIST;
	}
	w = xcalloc(1, sizeof(*w));
	w->node = node;
	w->token = xstrdup(token);
	w->relative = relative ? c->implicit : NULL;
	*c->watch_tail = w;
	c->watch_tail = &w->next;
	key = watch_key(node, token);
	hmap_put(&c->watchmap, key, w);
	free(key);
	trace_line("CREATE watch %p\n", (void *)w);
	send_ack(c, XS_WATCH);
	/* Fire once up front, with the path as the client gave it. */
	send_event(c, watch_path(w, w->node), w->token);
	return 0;
}

static void watch_free(struct watch *w)
{
	trace_line("DESTROY watch %p\n", (void *)w);
	free(w->node);
	free(w->token);
	free(w);
}

static void unlink_watch(struct conn *c, struct watch *w)
{
	struct watch **pp;
	char *key = watch_key(w->node, w->token);

	hmap_del(&c->watchmap, key);
	free(key);
	for (pp = &c->watches; *pp != w; pp = &(*pp)->next)
		;
	*pp = w->next;
	if (c->watch_tail == &w->next)
		c->watch_tail = pp;
}

int do_unwatch(struct conn *c, char *body, size_t len)
{
	struct watch *w;
	char *node;

	if (count_nuls(body, len) != 2)
		return EINVAL;
	node = canonicalize(c, body);
	w = find_watch(c, node, body + strlen(body) + 1);
	free(node);
	if (!w)
		return ENOENT;
	unlink_watch(c, w);
	watch_free(w);
	send_ack(c, XS_UNWATCH);
	return 0;
}

void watches_free(struct conn *c)
{
	struct watch *w;

	while ((w = c->watches)) {
		c->watches = w->next;
		watch_free(w);
	}
	c->watch_tail = &c->watches;
	hmap_free(&c->watchmap, NULL);
}

/* For the scenario's await-watch: a socket client watching path (any if NULL). */
bool any_watch_on(const char *path)
{
	struct conn *c;
	struct watch *w;

	for (c = g_conns; c; c = c->next)
		for (w = c->fd >= 0 ? c->watches : NULL; w; w = w->next)
			if (!path || !strcmp(w->node, path))
				return true;
	return false;
}
