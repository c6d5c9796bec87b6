// SPDX-License-Identifier: MIT
/* Request handlers, as do_*() in xenstored_core.c / xenstored_domain.c of 4.17. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "xsd.h"

#define DOMID_SELF 0x7FF0U
#define F_NOTID 1u /* ignores the transaction id */
#define F_PRIV 2u /* privileged connections only */

struct req {
	struct conn *c;
	struct view v;
	const struct xsd_sockmsg *hdr;
	char *body;
	size_t len;
};

/* ---- domains known to the store (introduced, or present at start) ---- */

static struct hmap domains;

static char *domid_key(uint32_t domid)
{
	return xasprintf("%u", domid);
}

static bool domain_known(uint32_t domid)
{
	char *k = domid_key(domid);
	bool ret = hmap_get(&domains, k) != NULL;

	free(k);
	return ret;
}

void domains_add(uint32_t domid)
{
	char *k = domid_key(domid);

	hmap_put(&domains, k, &domains);
	free(k);
}

/* Every /local/domain/<n> of the initial store counts as introduced. */
void domains_init_from_store(void)
{
	struct hent *e = hmap_get(&g_nodes, "/local/domain");
	const struct rec *r = e ? e->val : NULL;
	unsigned int i;
	char *end;
	unsigned long id;

	domains_add(0);
	for (i = 0; r && i < r->childlen; i += strlen(r->children + i) + 1) {
		id = strtoul(r->children + i, &end, 10);
		if (!*end && end != r->children + i)
			domains_add((uint32_t)id);
	}
}

/* ---- replies ---- */

const char *errno_name(int err)
{
	unsigned int i;

	for (i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
		if (xsd_errors[i].errnum == err)
			return xsd_errors[i].errstring;
	return xsd_errors[0].errstring; /* untranslatable: EINVAL */
}

static void send_error(struct conn *c, int err)
{
	const char *s = errno_name(err);

	conn_queue(c, XS_ERROR, c->cur->req_id, c->cur->tx_id, s, strlen(s) + 1);
}

void send_reply(struct conn *c, uint32_t type, const void *data, size_t len)
{
	if (len > XENSTORE_PAYLOAD_MAX)
		send_error(c, E2BIG);
	else
		conn_queue(c, type, c->cur->req_id, c->cur->tx_id, data, len);
}

void send_ack(struct conn *c, uint32_t type)
{
	send_reply(c, type, "OK", 3);
}

/* The usual ending of a handler: acknowledge unless it failed. */
static int ack_unless(struct req *r, int err)
{
	if (!err)
		send_ack(r->c, r->hdr->type);
	return err;
}

/* ---- node access ---- */

/* The request payload as exactly one NUL-terminated string, else NULL. */
static const char *onearg(const struct req *r)
{
	if (!r->len || get_string(r->body, r->len, 0) != r->len)
		return NULL;
	return r->body;
}

/* errno_from_parents(): hide a node's existence from those who cannot see its parent. */
static int errno_from_parents(struct req *r, const char *name, int err, unsigned int perm)
{
	char *p = xstrdup(name), *q;
	struct rec *node = NULL;

	while (!node && strcmp(p, "/")) {
		q = path_parent(p);
		free(p);
		p = q;
		node = node_read(&r->v, p);
	}
	free(p);
	if (node && (perm_for_conn(r->c, node->perms, node->nperms) & perm))
		return err;
	return EACCES;
}

/* get_node_canonicalized(): *name gets the canonical path (caller frees). */
static struct rec *get_node(struct req *r, const char *arg, char **name, unsigned int perm,
			    int *err)
{
	struct rec *node;

	*name = arg ? canonicalize(r->c, arg) : NULL;
	if (!*name || !path_valid(*name)) {
		*err = EINVAL;
		return NULL;
	}
	node = node_read(&r->v, *name);
	*err = ENOENT;
	if (node && (perm_for_conn(r->c, node->perms, node->nperms) & perm) != perm) {
		*err = EACCES;
		node = NULL;
	}
	*err = node ? 0 : errno_from_parents(r, *name, *err, perm);
	return node;
}

/* Runs get_node() for the single-string requests that only look. */
static struct rec *lookup(struct req *r, unsigned int perm, int *err)
{
	char *name;
	struct rec *node = get_node(r, onearg(r), &name, perm, err);

	free(name);
	return node;
}

/* construct_node()+create_node(): missing parents inherit perms; unprivileged writers own. */
static struct rec *create_node(struct req *r, const char *name, const char *data,
			       unsigned int len)
{
	char **names = NULL, *cur_path;
	struct rec *parent, *cur, *child;
	size_t n = 0, i;

	cur_path = xstrdup(name);
	do {
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = cur_path;
		cur_path = path_parent(cur_path);
		parent = node_read(&r->v, cur_path);
	} while (!parent); /* the root always exists */
	cur = rec_dup(parent);
	for (i = n; i-- > 0;) {
		rec_add_child(cur, path_base(names[i]));
		child = rec_new(cur->perms, cur->nperms);
		if (!conn_priv(r->c))
			child->perms[0].id = r->c->domid;
		node_write(&r->v, cur_path, cur);
		free(cur_path);
		cur = child;
		cur_path = names[i];
	}
	rec_set_data(cur, data, len);
	node_write(&r->v, cur_path, cur);
	free(cur_path);
	free(names);
	return cur;
}

/* READ, DIRECTORY and GET_PERMS: look the node up, send one of its parts. */
static int do_lookup(struct req *r)
{
	struct buf b = { 0 };
	int err;
	struct rec *node = lookup(r, P_READ, &err);

	if (!node)
		return err;
	if (r->hdr->type == XS_READ)
		buf_add(&b, node->data, node->datalen);
	else if (r->hdr->type == XS_DIRECTORY)
		buf_add(&b, node->children, node->childlen);
	else
		perms_format(node->perms, node->nperms, &b, '\0');
	send_reply(r->c, r->hdr->type, b.p, b.len);
	buf_free(&b);
	return 0;
}

/* send_directory_part(): "<generation>\0" then children from the offset. */
static int do_directory_part(struct req *r)
{
	unsigned int off, len = 0, maxlen, genlen;
	struct buf b = { 0 };
	struct rec *node;
	const char *child;
	char *name;
	int err;

	if (count_nuls(r->body, r->len) != 2)
		return EINVAL;
	node = get_node(r, r->body, &name, P_READ, &err);
	free(name);
	if (!node)
		return err;
	off = (unsigned int)atoi(r->body + strlen(r->body) + 1);
	buf_printf(&b, "%" PRIu64, node->gen);
	buf_add(&b, "", 1);
	genlen = (unsigned int)b.len;
	if (off >= node->childlen) {
		buf_add(&b, "", 1);
		goto out;
	}
	maxlen = XENSTORE_PAYLOAD_MAX - genlen - 1;
	child = node->children + off;
	while (len + strlen(child) < maxlen) {
		len += (unsigned int)strlen(child) + 1;
		child += strlen(child) + 1;
		if (off + len == node->childlen)
			break;
	}
	buf_add(&b, node->children + off, len);
	if (off + len == node->childlen)
		buf_add(&b, "", 1);
out:
	send_reply(r->c, XS_DIRECTORY_PART, b.p, b.len);
	buf_free(&b);
	return 0;
}

/* Creates name if missing (data may be NULL), else replaces the value if data. */
static int write_common(struct req *r, const char *arg, const char *data, unsigned int len,
			uint32_t type)
{
	struct rec *node, *n;
	char *name;
	int err;

	node = get_node(r, arg, &name, P_WRITE, &err);
	if (!node && err == ENOENT) {
		n = create_node(r, name, data, len);
	} else if (node && data) {
		n = rec_dup(node);
		rec_set_data(n, data, len);
		node_write(&r->v, name, n);
	} else {
		/* An error, or MKDIR of a node that exists already (fine). */
		free(name);
		if (!node)
			return err;
		send_ack(r->c, type);
		return 0;
	}
	node_changed(&r->v, name, n, false, NULL, 0);
	free(name);
	send_ack(r->c, type);
	return 0;
}

static int do_write(struct req *r)
{
	size_t off;

	/* Extra "strings" can be created by binary data. */
	if (!count_nuls(r->body, r->len))
		return EINVAL;
	off = strlen(r->body) + 1;
	return write_common(r, r->body, r->body + off, (unsigned int)(r->len - off), XS_WRITE);
}

static int do_mkdir(struct req *r)
{
	return write_common(r, onearg(r), NULL, 0, XS_MKDIR);
}

/* Post-order like walk_node_tree(): children first; descendants fire exact watches. */
static void delete_tree(struct req *r, const char *root, const char *path)
{
	struct rec *node = rec_get(node_read(&r->v, path));
	unsigned int i;
	char *child;

	if (!node)
		return;
	for (i = 0; i < node->childlen; i += (unsigned int)strlen(node->children + i) + 1) {
		child = path_join(path, node->children + i);
		delete_tree(r, root, child);
		free(child);
	}
	node_write(&r->v, path, NULL);
	node_changed(&r->v, path, node, strcmp(root, path) != 0, NULL, 0);
	rec_put(node);
}

static int do_rm(struct req *r)
{
	struct rec *node, *parent;
	char *name, *pname;
	int err;

	node = get_node(r, onearg(r), &name, P_WRITE, &err);
	pname = name ? path_parent(name) : NULL;
	parent = pname ? node_read(&r->v, pname) : NULL;
	if (!node) {
		/* Didn't exist already?  Fine, if the parent exists. */
		err = err == ENOENT && parent ? 0 : err;
	} else if (!strcmp(name, "/")) {
		err = EINVAL;
	} else {
		delete_tree(r, name, name);
		parent = rec_dup(parent);
		rec_del_child(parent, path_base(name));
		node_write(&r->v, pname, parent);
	}
	free(name);
	free(pname);
	return ack_unless(r, err);
}

static int do_set_perms(struct req *r)
{
	unsigned int num = count_nuls(r->body, r->len), nold = 0;
	struct perm *perms, *old = NULL;
	struct rec *node, *n;
	char *name = NULL;
	int err;

	if (num < 2)
		return EINVAL;
	num--;
	if (!conn_priv(r->c) && num > 5) /* quota_nb_perms_per_node */
		return ENOSPC;
	perms = xcalloc(num, sizeof(*perms));
	err = perms_parse(r->body + strlen(r->body) + 1, num, perms);
	if (err)
		goto out;
	if (r->body[0] == '@') {
		err = set_perms_special(r->c, r->body, perms, num);
		goto out;
	}
	node = get_node(r, r->body, &name, P_WRITE | P_OWNER, &err);
	if (!node)
		goto out;
	/* Unprivileged domains may not change the owner. */
	err = !conn_priv(r->c) && perms[0].id != node->perms[0].id ? EPERM : 0;
	if (err)
		goto out;
	/* Watchers that could read the node before the change get the event too. */
	nold = node->nperms;
	old = xmalloc(nold * sizeof(*old));
	memcpy(old, node->perms, nold * sizeof(*old));
	n = rec_dup(node);
	free(n->perms);
	n->perms = perms;
	n->nperms = num;
	perms = NULL;
	node_write(&r->v, name, n);
	node_changed(&r->v, name, n, false, old, nold);
out:
	free(name);
	free(perms);
	free(old);
	return ack_unless(r, err);
}

/* ---- watches ---- */

static int do_watch_req(struct req *r)
{
	return do_watch(r->c, r->body, r->len);
}

static int do_unwatch_req(struct req *r)
{
	return do_unwatch(r->c, r->body, r->len);
}

static void drop_transactions(struct conn *c)
{
	while (c->txns)
		txn_destroy(c->txns);
}

static int do_reset_watches(struct req *r)
{
	watches_free(r->c);
	drop_transactions(r->c);
	send_ack(r->c, XS_RESET_WATCHES);
	return 0;
}

/* ---- transactions ---- */

static int do_transaction_start(struct req *r)
{
	struct txn *t;
	char id[16];

	/* We don't support nested transactions. */
	if (r->v.tx)
		return EBUSY;
	if (!conn_priv(r->c) && txn_count(r->c) > 10) /* quota_max_transaction */
		return ENOSPC;
	t = txn_start(r->c);
	snprintf(id, sizeof(id), "%u", txn_id(t));
	access_line(r->c->name, txn_id(t), "t start  ", "", 0);
	send_reply(r->c, XS_TRANSACTION_START, id, strlen(id) + 1);
	return 0;
}

static int do_transaction_end(struct req *r)
{
	const char *arg = onearg(r);
	uint32_t id;
	bool commit;
	int err;

	if (!arg || (strcmp(arg, "T") && strcmp(arg, "F")))
		return EINVAL;
	if (!r->v.tx)
		return ENOENT;
	commit = !strcmp(arg, "T");
	id = txn_id(r->v.tx);
	access_line(r->c->name, id, "t end    ", "", 0);
	err = txn_end(r->v.tx, commit);
	r->v.tx = NULL;
	if (commit)
		access_line(r->c->name, id, err ? "conflict " : "commit   ", "", 0);
	return ack_unless(r, err);
}

/* ---- domains ---- */

/* INTRODUCE: domid, gfn, event channel.  The domain gets its D<domid> connection. */
static int do_introduce(struct req *r)
{
	const char *p = r->body;
	uint32_t domid;

	if (count_nuls(r->body, r->len) < 3)
		return EINVAL;
	domid = (uint32_t)atoi(p);
	p += strlen(p) + 1;
	p += strlen(p) + 1;
	if (atoi(p) <= 0)
		return EINVAL;
	if (!conn_find_domain(domid))
		conn_new(-1, true, domid);
	/* Introducing a known domain again only rebinds its event channel. */
	if (!domain_known(domid)) {
		domains_add(domid);
		if (domid)
			fire_watches("@introduceDomain", NULL, true, NULL, 0);
	}
	send_ack(r->c, XS_INTRODUCE);
	return 0;
}

/* Forgets a domain and its connection; fires @releaseDomain (domain death or RELEASE). */
int domain_release(uint32_t domid)
{
	char *k;
	struct conn *c;

	if (!domid)
		return EINVAL;
	if (!domain_known(domid))
		return ENOENT;
	k = domid_key(domid);
	hmap_del(&domains, k);
	free(k);
	c = conn_find_domain(domid);
	if (c)
		conn_destroy(c);
	fire_watches("@releaseDomain", NULL, true, NULL, 0);
	return 0;
}

static int onearg_domid(struct req *r, uint32_t *domid)
{
	const char *arg = onearg(r);

	if (!arg)
		return EINVAL;
	*domid = (uint32_t)atoi(arg);
	return 0;
}

static int do_release(struct req *r)
{
	uint32_t domid;
	int err = onearg_domid(r, &domid);

	if (!err)
		err = domain_release(domid);
	return ack_unless(r, err);
}

static int do_resume(struct req *r)
{
	uint32_t domid;
	int err = onearg_domid(r, &domid);

	if (!err && !domid)
		err = EINVAL;
	if (!err && !domain_known(domid))
		err = ENOENT;
	return ack_unless(r, err);
}

static int do_get_domain_path(struct req *r)
{
	uint32_t domid;
	char path[48];
	int err = onearg_domid(r, &domid);

	if (err)
		return err;
	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	send_reply(r->c, XS_GET_DOMAIN_PATH, path, strlen(path) + 1);
	return 0;
}

static int do_is_domain_introduced(struct req *r)
{
	uint32_t domid;
	int err = onearg_domid(r, &domid);

	if (err)
		return err;
	send_reply(r->c, XS_IS_DOMAIN_INTRODUCED,
		   domid == DOMID_SELF || domain_known(domid) ? "T" : "F", 2);
	return 0;
}

/* ---- dispatch ---- */

static const struct {
	const char *name;
	int (*fn)(struct req *r);
	unsigned int flags;
} wire[XS_TYPE_COUNT] = {
	[XS_CONTROL] = { "CONTROL", NULL, F_PRIV },
	[XS_DIRECTORY] = { "DIRECTORY", do_lookup, 0 },
	[XS_READ] = { "READ", do_lookup, 0 },
	[XS_GET_PERMS] = { "GET_PERMS", do_lookup, 0 },
	[XS_WATCH] = { "WATCH", do_watch_req, F_NOTID },
	[XS_UNWATCH] = { "UNWATCH", do_unwatch_req, F_NOTID },
	[XS_TRANSACTION_START] = { "TRANSACTION_START", do_transaction_start, 0 },
	[XS_TRANSACTION_END] = { "TRANSACTION_END", do_transaction_end, 0 },
	[XS_INTRODUCE] = { "INTRODUCE", do_introduce, F_PRIV },
	[XS_RELEASE] = { "RELEASE", do_release, F_PRIV },
	[XS_GET_DOMAIN_PATH] = { "GET_DOMAIN_PATH", do_get_domain_path, 0 },
	[XS_WRITE] = { "WRITE", do_write, 0 },
	[XS_MKDIR] = { "MKDIR", do_mkdir, 0 },
	[XS_RM] = { "RM", do_rm, 0 },
	[XS_SET_PERMS] = { "SET_PERMS", do_set_perms, 0 },
	[XS_WATCH_EVENT] = { "WATCH_EVENT", NULL, 0 },
	[XS_ERROR] = { "ERROR", NULL, 0 },
	[XS_IS_DOMAIN_INTRODUCED] = { "IS_DOMAIN_INTRODUCED", do_is_domain_introduced, F_PRIV },
	[XS_RESUME] = { "RESUME", do_resume, F_PRIV },
	[XS_SET_TARGET] = { "SET_TARGET", NULL, F_PRIV },
	[XS_RESET_WATCHES] = { "RESET_WATCHES", do_reset_watches, 0 },
	[XS_DIRECTORY_PART] = { "DIRECTORY_PART", do_directory_part, 0 },
};

/* sockmsg_string(): the trace's name for a type. */
const char *type_name(uint32_t type)
{
	return type < XS_TYPE_COUNT && wire[type].name ? wire[type].name : "**UNKNOWN**";
}

static int dispatch(struct req *r)
{
	uint32_t type = r->hdr->type;

	if (type >= XS_TYPE_COUNT || !wire[type].fn)
		return ENOSYS;
	if ((wire[type].flags & F_PRIV) && !conn_priv(r->c))
		return EACCES;
	if (!(wire[type].flags & F_NOTID) && r->hdr->tx_id) {
		r->v.tx = txn_lookup(r->c, r->hdr->tx_id);
		if (!r->v.tx)
			return ENOENT;
	}
	return wire[type].fn(r);
}

/* Handles one request of c; returns the error sent back, 0 on success. */
int process_message(struct conn *c, const struct xsd_sockmsg *hdr, char *body)
{
	struct req r = { c, { c, NULL }, hdr, body, hdr->len };
	int err;

	trace_io(c, hdr, body, false);
	stats_count(c->st, hdr->type);
	stats_count(c->cst, hdr->type);
	c->cur = hdr;
	err = dispatch(&r);
	if (err)
		send_error(c, err);
	c->cur = NULL;
	/* oxenstored logs the request after handling it. */
	access_request(c, hdr, body);
	return err;
}

void domains_free(void)
{
	hmap_free(&domains, NULL);
}
