// SPDX-License-Identifier: MIT
/*
 * --tree: load the output of "xenstore-ls -f" or "xenstore-ls -fp", i.e.
 *   /path = "sanitised value"   (n0,r1)
 * keeping the line order as the children's creation order, so that listing
 * the loaded store gives the same text back.
 */
#include <stdlib.h>
#include <string.h>
#include "xsd.h"

static const struct perm dom0_only = { 0, P_NONE };

/* unsanitise_value() of xs_lib.c: \t \n \r \\ \xHH \ooo; other "\c" give c. */
size_t unescape_value(const char *in, char *out)
{
	char *op = out;
	unsigned int c;
	int n;

	while ((c = (unsigned char)*in++)) {
		if (c == '\\') {
			c = (unsigned char)*in++;
			n = 0;
			if (c == 't')
				c = '\t';
			else if (c == 'n')
				c = '\n';
			else if (c == 'r')
				c = '\r';
			else if (c == 'x')
				sscanf(in, "%2x%n", &c, &n);
			else if (c >= '0' && c <= '7')
				sscanf(--in, "%3o%n", &c, &n);
			else if (c == 0)
				--in;
			in += n;
		}
		*op++ = (char)c;
	}
	return (size_t)(op - out);
}

struct tree_line {
	char *path;
	char *value; /* escaped, NULL for "path:" */
	struct perm perms[64];
	unsigned int nperms;
};

/* Creates missing parents the way a write would: they inherit their parent's perms. */
static struct rec *ensure_node(const char *path)
{
	struct hent *e = hmap_get(&g_nodes, path);
	struct rec *parent, *r;
	char *pname;

	if (e)
		return e->val;
	pname = path_parent(path);
	parent = ensure_node(pname);
	free(pname);
	rec_add_child(parent, path_base(path));
	r = rec_new(parent->perms, parent->nperms);
	r->gen = ++g_generation;
	hmap_put(&g_nodes, path, r);
	return r;
}

static const char *parse_perms(char *s, struct tree_line *l)
{
	char *tok, *save = NULL;

	l->nperms = 0;
	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (l->nperms == sizeof(l->perms) / sizeof(l->perms[0]) ||
		    perms_parse(tok, 1, &l->perms[l->nperms]))
			return "permissions like (n0,r1)";
		l->nperms++;
	}
	return l->nperms ? NULL : "permissions like (n0,r1)";
}

/* "   (n0,r1)" after the closing quote, or nothing. */
static const char *parse_tail(char *s, struct tree_line *l)
{
	size_t len;

	if (!*s)
		return NULL;
	if (*s != ' ')
		return "end of line or \"   (perms)\" after the closing quote";
	s += strspn(s, " ");
	len = strlen(s);
	if (s[0] != '(' || len < 2 || s[len - 1] != ')')
		return "permissions like (n0,r1)";
	s[len - 1] = '\0';
	return parse_perms(s + 1, l);
}

static const char *parse_line(char *s, struct tree_line *l)
{
	char *sp = s + strcspn(s, " :"), *q;

	l->nperms = 0;
	l->value = NULL;
	if (!strcmp(sp, ":")) {
		*sp = '\0';
		l->path = s;
		return path_valid(s) ? NULL : "an absolute node path";
	}
	if (strncmp(sp, " = \"", 4))
		return "\"/path = \\\"value\\\"\" or \"/path:\"";
	*sp = '\0';
	l->path = s;
	if (!path_valid(s))
		return "an absolute node path";
	l->value = sp + 4;
	/* Quotes are not escaped: the value ends at the last one. */
	q = strrchr(l->value, '"');
	if (!q)
		return "a closing '\"' after the value";
	*q = '\0';
	return parse_tail(q + 1, l);
}

static const char *add_node(struct tree_line *l)
{
	struct rec *r;
	char *val;
	size_t len;

	if (hmap_get(&g_nodes, l->path))
		return "each node once (duplicate node)";
	r = ensure_node(l->path);
	/* Without -p the nodes are taken as dom0's own, "(n0)". */
	rec_set_perms(r, l->nperms ? l->perms : &dom0_only, l->nperms ? l->nperms : 1);
	if (l->value) {
		val = xmalloc(strlen(l->value) + 1);
		len = unescape_value(l->value, val);
		rec_set_data(r, val, (unsigned int)len);
		free(val);
	}
	return NULL;
}

/* "  (n0)" on its own line follows a "path:" line when -p was given. */
static const char *set_perms_of(const char *path, char *s)
{
	struct tree_line l;
	struct rec *r;
	const char *err;
	size_t len = strlen(s);

	if (!path || s[len - 1] != ')')
		return "a node line before \"  (perms)\"";
	s[len - 1] = '\0';
	err = parse_perms(strchr(s, '(') + 1, &l);
	if (err)
		return err;
	r = hmap_get(&g_nodes, path)->val;
	rec_set_perms(r, l.perms, l.nperms);
	return NULL;
}

int tree_load(const char *file)
{
	FILE *f = fopen(file, "r");
	char *line = NULL, *last = NULL;
	const char *err = NULL;
	struct tree_line l;
	size_t cap = 0;
	ssize_t n;
	unsigned int lineno = 0;

	if (!f) {
		fprintf(stderr, "%s: %s\n", file, strerror(errno));
		return -1;
	}
	while (!err && (n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		if (!n || line[0] == '#')
			continue;
		if (!strncmp(line, "  (", 3)) {
			err = set_perms_of(last, line);
			continue;
		}
		if (line[0] != '/') {
			err = "a line starting with an absolute node path";
			continue;
		}
		err = parse_line(line, &l);
		if (!err)
			err = add_node(&l);
		free(last);
		last = err ? NULL : xstrdup(l.path);
	}
	if (err)
		fprintf(stderr, "%s:%u: expected %s\n", file, lineno, err);
	free(last);
	free(line);
	fclose(f);
	return err ? -1 : 0;
}

/*
 * Without --tree: what a fresh C xenstored (setup_structure()) plus
 * xen-init-dom0 leave behind, all owned by dom0.
 */
void tree_default(void)
{
	static const char *const nodes[][2] = {
		{ "/tool", "" },
		{ "/tool/xenstored", "" },
		{ "/local/domain/0/domid", "0" },
		{ "/local/domain/0/name", "Domain-0" },
		{ "/local/pool/0/name", "Pool-0" },
	};
	size_t i;

	for (i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++)
		rec_set_data(ensure_node(nodes[i][0]), nodes[i][1],
			     (unsigned int)strlen(nodes[i][1]));
}
