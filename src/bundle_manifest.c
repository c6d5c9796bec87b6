// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A bundle's MANIFEST: every member with its type, sha256 and size, and every file that
 * was omitted or cut with the reason (a support engineer must know what is not there).
 *   vifdiag-bundle 1
 *   f SHA256 SIZE NAME
 *   l SHA256 SIZE NAME         (of the link target)
 *   d - 0 NAME
 *   omitted NAME REASON...
 *   cut NAME REASON...
 * A file the collector could not read ends its reason with the errno's name, "(EACCES)":
 * the reader then fails on it as the collecting host did (vd_manifest_errno).
 */
#include "vd_bundle.h"

#include <errno.h>
#include <nettle/sha2.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "vd_util.h"

void vd_sha256_hex(const void *data, size_t len, char out[65])
{
	struct sha256_ctx ctx;
	uint8_t d[SHA256_DIGEST_SIZE];

	sha256_init(&ctx);
	sha256_update(&ctx, len, data);
	sha256_digest(&ctx, sizeof(d), d);
	for (size_t i = 0; i < sizeof(d); i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

bool vd_bundle_name_ok(const char *name)
{
	const char *p = name;

	if (!*name || *name == '/')
		return false;
	for (const char *c = name; *c; c++)
		if (*c <= ' ' || *c > '~' || *c == '\\')
			return false;
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += n;
		if (*p == '/' && !*++p)
			return false; /* trailing slash */
	}
	return true;
}

void vd_manifest_add(struct vd_manifest *m, const char *name, enum vd_mtype type, const void *data,
		     size_t len)
{
	struct vd_mentry *e;

	m->e = vd_realloc(m->e, (m->n + 1) * sizeof(*m->e));
	e = &m->e[m->n++];
	memset(e, 0, sizeof(*e));
	e->name = vd_strdup(name);
	e->type = type;
	e->size = type == VD_M_DIR ? 0 : len;
	if (type == VD_M_DIR)
		strcpy(e->sha, "-");
	else
		vd_sha256_hex(data, len, e->sha);
}

static void add_note(struct vd_manifest *m, const char *kind, const char *name, char *why)
{
	/* a reason is one line: collapse whatever a tool's message held */
	for (char *c = why; *c; c++)
		if (*c < ' ' || *c > '~')
			*c = ' ';
	m->notes = vd_realloc(m->notes, (m->nnotes + 1) * sizeof(*m->notes));
	m->notes[m->nnotes].kind = vd_strdup(kind);
	m->notes[m->nnotes].name = vd_strdup(name);
	m->notes[m->nnotes++].why = why;
}

void vd_manifest_note(struct vd_manifest *m, const char *kind, const char *name, const char *fmt,
		      ...)
{
	va_list ap;
	char *why;

	va_start(ap, fmt);
	why = vd_vasprintf(fmt, ap);
	va_end(ap);
	add_note(m, kind, name, why);
}

/* the errors reading a file gives that a reader reproduces (not ENOENT: absent is absent) */
static const struct {
	int e;
	const char *name;
} errnames[] = {
	{ EACCES, "EACCES" },	{ EPERM, "EPERM" },
	{ EIO, "EIO" },		{ EINVAL, "EINVAL" },
	{ ENOTDIR, "ENOTDIR" }, { ELOOP, "ELOOP" },
	{ ENXIO, "ENXIO" },	{ ENODEV, "ENODEV" },
	{ EBUSY, "EBUSY" },	{ EAGAIN, "EAGAIN" },
	{ EMFILE, "EMFILE" },	{ ENFILE, "ENFILE" },
	{ ENOMEM, "ENOMEM" },	{ ENAMETOOLONG, "ENAMETOOLONG" },
};

void vd_manifest_unreadable(struct vd_manifest *m, const char *name, const char *path, int e)
{
	const char *en = NULL;
	char *top = vd_strndup(name, strcspn(name, "/"));

	for (size_t i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (errnames[i].e == e)
			en = errnames[i].name;
	/* a note's name must be a member name: an odd netdev name falls back to the top
	 * directory (the reason quotes the path) */
	vd_manifest_note(m, "omitted",
			 vd_bundle_name_ok(name)  ? name
			 : vd_bundle_name_ok(top) ? top
						  : VD_BUNDLE_SYSFS,
			 "cannot read %s: %s%s%s%s", path, strerror(e), en ? " (" : "",
			 en ? en : "", en ? ")" : "");
	free(top);
}

int vd_manifest_errno(const struct vd_manifest *m, const char *name)
{
	char *n = vd_strdup(name), *slash;
	int e = 0;

	/* the object or the first directory above it that could not be read */
	for (;;) {
		for (size_t i = 0; !e && i < m->nnotes; i++) {
			const char *w = m->notes[i].why, *paren = strrchr(w, '(');
			size_t len = strlen(w);

			if (strcmp(m->notes[i].kind, "omitted") != 0 ||
			    strcmp(m->notes[i].name, n) != 0 || !paren || w[len - 1] != ')')
				continue;
			for (size_t j = 0; j < sizeof(errnames) / sizeof(errnames[0]); j++)
				if (strlen(errnames[j].name) == (size_t)(w + len - 1 - paren - 1) &&
				    strncmp(paren + 1, errnames[j].name,
					    strlen(errnames[j].name)) == 0)
					e = errnames[j].e;
		}
		/* never the top directory itself: an odd name's note is there */
		if (e || !(slash = strrchr(n, '/')))
			break;
		*slash = '\0';
		if (!strchr(n, '/'))
			break;
	}
	free(n);
	return e;
}

void vd_manifest_format(const struct vd_manifest *m, struct vd_buf *out)
{
	vd_buf_addf(out, "%s\n", VD_BUNDLE_MAGIC);
	for (size_t i = 0; i < m->n; i++)
		vd_buf_addf(out, "%c %s %llu %s\n", (char)m->e[i].type, m->e[i].sha, m->e[i].size,
			    m->e[i].name);
	for (size_t i = 0; i < m->nnotes; i++)
		vd_buf_addf(out, "%s %s %s\n", m->notes[i].kind, m->notes[i].name, m->notes[i].why);
}

static bool hex64(const char *s, size_t n)
{
	if (n != 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return false;
	return true;
}

/* "TYPE SHA SIZE NAME" */
static bool parse_entry(struct vd_manifest *m, char *l)
{
	char *sha, *sz, *name, *end;
	unsigned long long size;
	struct vd_mentry *e;

	/* strchr finds the NUL too: an empty line is no type */
	if (!l[0] || !strchr("fdl", l[0]) || l[1] != ' ')
		return false;
	sha = l + 2;
	if (!(sz = strchr(sha, ' ')))
		return false;
	*sz++ = '\0';
	if (!(name = strchr(sz, ' ')))
		return false;
	*name++ = '\0';
	if (l[0] == 'd' ? strcmp(sha, "-") != 0 || strcmp(sz, "0") != 0 : !hex64(sha, strlen(sha)))
		return false;
	if (*sz < '0' || *sz > '9' || !vd_bundle_name_ok(name))
		return false;
	size = strtoull(sz, &end, 10);
	if (*end || vd_manifest_find(m, name))
		return false;
	m->e = vd_realloc(m->e, (m->n + 1) * sizeof(*m->e));
	e = &m->e[m->n++];
	memset(e, 0, sizeof(*e));
	e->name = vd_strdup(name);
	e->type = (enum vd_mtype)l[0];
	e->size = size;
	snprintf(e->sha, sizeof(e->sha), "%s", sha);
	return true;
}

static bool parse_note(struct vd_manifest *m, char *l)
{
	const char *kind = vd_startswith(l, "omitted ") ? "omitted" : "cut";
	char *name = l + strlen(kind) + 1, *why = strchr(name, ' ');

	if (!why)
		return false;
	*why++ = '\0';
	if (!vd_bundle_name_ok(name))
		return false;
	add_note(m, kind, name, vd_strdup(why));
	return true;
}

int vd_manifest_parse(const char *buf, size_t len, struct vd_manifest *m, struct vd_err *err)
{
	size_t off = 0;
	unsigned line = 0;

	while (off < len) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - buf - off) : len - off;
		char *l = vd_strndup(buf + off, n);
		bool good;

		line++;
		off += n + 1;
		if (strlen(l) != n)
			good = false; /* a NUL inside */
		else if (line == 1)
			good = strcmp(l, VD_BUNDLE_MAGIC) == 0;
		else if (vd_startswith(l, "omitted ") || vd_startswith(l, "cut "))
			good = parse_note(m, l);
		else
			good = parse_entry(m, l);
		free(l);
		if (!good) {
			if (line == 1)
				vd_err_set(err, VD_EXIT_SOURCE,
					   "MANIFEST:1: expected '%s': not a vifdiag bundle",
					   VD_BUNDLE_MAGIC);
			else
				vd_err_set(
					err, VD_EXIT_SOURCE,
					"MANIFEST:%u: expected 'TYPE SHA256 SIZE NAME', 'omitted "
					"NAME REASON' or 'cut NAME REASON'",
					line);
			return -1;
		}
		if (m->n > VD_BUNDLE_MAX_MEMBER) {
			vd_err_set(err, VD_EXIT_SOURCE, "MANIFEST: more than %d members",
				   VD_BUNDLE_MAX_MEMBER);
			return -1;
		}
	}
	if (line == 0) {
		vd_err_set(err, VD_EXIT_SOURCE, "MANIFEST:1: expected '%s': it is empty",
			   VD_BUNDLE_MAGIC);
		return -1;
	}
	return 0;
}

struct vd_mentry *vd_manifest_find(const struct vd_manifest *m, const char *name)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->e[i].name, name) == 0)
			return &m->e[i];
	return NULL;
}

const struct vd_mnote *vd_manifest_note_for(const struct vd_manifest *m, const char *name)
{
	for (size_t i = 0; i < m->nnotes; i++)
		if (strcmp(m->notes[i].name, name) == 0)
			return &m->notes[i];
	return NULL;
}

void vd_manifest_free(struct vd_manifest *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->e[i].name);
	for (size_t i = 0; i < m->nnotes; i++) {
		free(m->notes[i].kind);
		free(m->notes[i].name);
		free(m->notes[i].why);
	}
	free(m->e);
	free(m->notes);
	memset(m, 0, sizeof(*m));
}
