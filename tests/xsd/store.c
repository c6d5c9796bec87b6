// SPDX-License-Identifier: MIT
/* Node records, path rules and permission strings (xenstored_core.c, xs_lib.c). */
#include <stdlib.h>
#include <string.h>
#include "xsd.h"

struct hmap g_nodes;
uint64_t g_generation;

struct rec *rec_new(const struct perm *perms, unsigned int nperms)
{
	struct rec *r = xcalloc(1, sizeof(*r));

	r->refs = 1;
	rec_set_perms(r, perms, nperms);
	return r;
}

struct rec *rec_dup(const struct rec *r)
{
	struct rec *d = rec_new(r->perms, r->nperms);

	d->gen = r->gen;
	rec_set_data(d, r->data, r->datalen);
	d->childlen = r->childlen;
	d->children = r->childlen ? xmemdup(r->children, r->childlen) : NULL;
	return d;
}

struct rec *rec_get(struct rec *r)
{
	if (r)
		r->refs++;
	return r;
}

void rec_put(struct rec *r)
{
	if (!r || --r->refs)
		return;
	free(r->perms);
	free(r->data);
	free(r->children);
	free(r);
}

void rec_set_perms(struct rec *r, const struct perm *p, unsigned int n)
{
	free(r->perms);
	r->perms = xmalloc(n * sizeof(*p));
	memcpy(r->perms, p, n * sizeof(*p));
	r->nperms = n;
}

void rec_set_data(struct rec *r, const char *data, unsigned int len)
{
	free(r->data);
	r->data = len ? xmemdup(data, len) : NULL;
	r->datalen = len;
}

/* Children keep creation order, as C xenstored's add_child() appends. */
void rec_add_child(struct rec *r, const char *base)
{
	size_t n = strlen(base) + 1;

	r->children = xrealloc(r->children, r->childlen + n);
	memcpy(r->children + r->childlen, base, n);
	r->childlen += n;
}

bool rec_del_child(struct rec *r, const char *base)
{
	unsigned int i, n;

	for (i = 0; i < r->childlen; i += n) {
		n = strlen(r->children + i) + 1;
		if (strcmp(r->children + i, base))
			continue;
		memmove(r->children + i, r->children + i + n, r->childlen - i - n);
		r->childlen -= n;
		return true;
	}
	return false;
}

static bool valid_chars(const char *p)
{
	return strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-/_@") ==
	       strlen(p);
}

/*
 * is_valid_nodename() of 4.17: the length limit is XENSTORE_REL_PATH_MAX
 * counted after a "/local/domain/<id>/" prefix, over the whole path otherwise.
 */
bool path_valid(const char *p)
{
	unsigned int domid;
	int off = 0;
	size_t len = strlen(p);

	if (p[0] != '/')
		return false;
	if (len > 1 && p[len - 1] == '/')
		return false;
	if (strstr(p, "//"))
		return false;
	if (sscanf(p, "/local/domain/%5u/%n", &domid, &off) != 1)
		off = 0;
	if (len > (size_t)off + XENSTORE_REL_PATH_MAX)
		return false;
	return valid_chars(p);
}

char *path_parent(const char *p)
{
	const char *slash = strrchr(p + 1, '/');

	return slash ? xmemdup(p, (size_t)(slash - p)) : xstrdup("/");
}

const char *path_base(const char *p)
{
	return strrchr(p, '/') + 1;
}

/* Is child equal to or below parent?  ("/" is everybody's parent.) */
bool path_is_child(const char *child, const char *parent)
{
	size_t len = strlen(parent);

	if (!strcmp(parent, "/"))
		return true;
	if (strncmp(child, parent, len))
		return false;
	return child[len] == '/' || child[len] == '\0';
}

char *path_join(const char *dir, const char *base)
{
	return strcmp(dir, "/") ? xasprintf("%s/%s", dir, base) : xasprintf("/%s", base);
}

/* xs_strings_to_perms(): "r5", "w0", "b3", "n0"; the id goes through strtol(,,0). */
int perms_parse(const char *strings, unsigned int num, struct perm *out)
{
	const char *p = strings;
	unsigned int i;
	char *end;

	for (i = 0; i < num; i++) {
		switch (*p) {
		case 'r':
			out[i].perms = P_READ;
			break;
		case 'w':
			out[i].perms = P_WRITE;
			break;
		case 'b':
			out[i].perms = P_READ | P_WRITE;
			break;
		case 'n':
			out[i].perms = P_NONE;
			break;
		default:
			return EINVAL;
		}
		p++;
		out[i].id = (uint32_t)strtol(p, &end, 0);
		if (*end || !*p)
			return EINVAL;
		p = end + 1;
	}
	return 0;
}

/* xs_perm_to_string() for each entry, separated (and with NUL: ended) by sep. */
void perms_format(const struct perm *p, unsigned int n, struct buf *b, char sep)
{
	static const char letter[] = { 'n', 'r', 'w', 'b' };
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (i && sep)
			buf_add(b, &sep, 1);
		buf_printf(b, "%c%i", letter[p[i].perms & 3], (int)p[i].id);
		if (!sep)
			buf_add(b, "", 1);
	}
}

/* The root node, owned by dom0 with no access for others (manual_node()). */
void store_init_root(void)
{
	static const struct perm n0 = { 0, P_NONE };
	struct rec *root = rec_new(&n0, 1);

	root->gen = ++g_generation;
	hmap_put(&g_nodes, "/", root);
}
