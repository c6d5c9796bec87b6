// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * xenstore-ls output, as tools/xs-clients/xenstore_client.c do_ls() prints it:
 *   -f   /path = "value"                    -fp  /path = "value"   (n0,r1)
 *   (default, one space of indentation per level below the listed path, here always /)
 *        name = "value"                     -p   name = "value" . . . .  (n0,r1)
 * Values are sanitise_value()d but '"' is not escaped, so the closing quote is the last one on
 * the line. An unreadable node prints "path:" (then, with -p, its permissions on the next
 * line). On a terminal a long value is cut to "prefix\..."; the indented format also cuts at
 * 80 columns when redirected, and long names on a narrow terminal, which nothing shows.
 */
#include "vd_dump.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vd_esc.h"
#include "vd_util.h"

/* Far beyond any real xenstore (quota-limited to a few MB); stops `vifdiag < /dev/zero`. */
#define DUMP_MAX_BYTES (256u << 20)

enum fmt { FMT_UNKNOWN, FMT_FLAT, FMT_INDENTED };

/* A value ending in "\\...": cut short, or whole? */
struct either {
	char *path;
	char *v; /* escaped (a copy: the text is read in pieces) */
	size_t n, width;
	unsigned line;
};

struct parser {
	char *fname; /* escaped, for messages */
	struct vd_snap *snap;
	struct vd_err *err;
	unsigned line;
	enum fmt fmt;
	unsigned fmt_line;
	struct vd_buf path;
	size_t *depth_end; /* indented: length of path at each depth of the current branch */
	size_t ndepth, depth_cap;
	struct vd_buf val;
	struct vd_node *novalue; /* the last node line was "path:": its perms may follow */
	unsigned ntrunc, first_trunc;
	size_t cut_width;      /* of the first line certainly cut */
	struct either *either; /* values that may have been cut, to decide at the end */
	size_t neither, either_cap;
	/* --from: only what the model reads is kept (a 10,000-VIF host in bounded memory) */
	bool vif_only;
	struct vd_node dropped; /* stands for a dropped "path:" node whose perms may follow */
	struct vd_buf kept_dom; /* the last /local/domain/N that has a kept node */
};

static char *escaped(const char *s, size_t len, size_t max)
{
	struct vd_buf b;

	vd_buf_init(&b);
	vd_esc_text(&b, s, len, max);
	return vd_buf_steal(&b);
}

static int fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct parser *p, const char *fmt, ...)
{
	struct vd_buf b;
	va_list ap;

	vd_buf_init(&b);
	vd_buf_addf(&b, "%s:%u: ", p->fname, p->line);
	va_start(ap, fmt);
	vd_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	vd_err_set(p->err, VD_EXIT_SOURCE, "%s", b.data);
	vd_buf_free(&b);
	return -1;
}

static int fail_node_line(struct parser *p)
{
	if (p->fmt == FMT_FLAT)
		return fail(p, "expected '/path = \"value\"' or '/path:'");
	return fail(p, "expected 'name = \"value\"' or 'name:', indented one space per level");
}

static int fail_perms(struct parser *p)
{
	return fail(p, "expected permissions like (n0,r1) after the value");
}

/* The characters xenstore allows in a node name (xs_lib.c valid_chars). */
static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '@';
}

static int check_chars(struct parser *p, const char *what, const char *s, size_t n, bool slash)
{
	for (size_t i = 0; i < n; i++) {
		if (!name_char(s[i]) && !(slash && s[i] == '/')) {
			char *e = escaped(s, n, 80);
			int rc =
				fail(p, "%s has characters xenstore does not allow: '%s'", what, e);

			free(e);
			return rc;
		}
	}
	return 0;
}

/* "n0,r1,b5": one letter per access right and a domain id per entry. */
static bool valid_perms(const char *s, size_t n)
{
	size_t i = 0;

	for (;;) {
		size_t digits = 0;

		if (i == n || !s[i] || !strchr("nrwb", s[i]))
			return false;
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			digits++;
		if (digits == 0 || digits > 10)
			return false;
		if (i == n)
			return true;
		if (s[i++] != ',')
			return false;
	}
}

/* Parses "(n0,r1)" spanning exactly [s, e); *perms gets the text between the brackets. */
static int take_perms(struct parser *p, const char *s, const char *e, char **perms)
{
	if (e - s < 2 || *s != '(' || e[-1] != ')' || !valid_perms(s + 1, (size_t)(e - s - 2)))
		return fail_perms(p);
	*perms = vd_snap_intern(p->snap, s + 1, (size_t)(e - s - 2));
	return 0;
}

/* Is s[0..n) an escape that the cut at "\..." left unfinished ("\", "\x4", "\00")? */
static bool partial_escape(const char *s, size_t n)
{
	if (n == 0 || n > 3 || s[0] != '\\')
		return false;
	if (n == 1)
		return true;
	if (s[1] == 'x')
		return n == 2 || (s[2] && strchr("0123456789abcdefABCDEF", s[2]));
	return s[1] >= '0' && s[1] <= '3' && (n == 2 || (s[2] >= '0' && s[2] <= '7'));
}

static int fail_escape(struct parser *p, const char *s, size_t n)
{
	size_t show = n > 1 && (s[1] == 'x' || (s[1] >= '0' && s[1] <= '7')) ? 3 : 1;
	char *e;
	int rc;

	if (n == 1)
		return fail(p, "invalid escape '\\' at the end of the value");
	/* The backslash as is, the rest made safe to print. */
	e = escaped(s + 1, n - 1 < show ? n - 1 : show, 0);
	rc = fail(p, "invalid escape '\\%s' in value", e);
	free(e);
	return rc;
}

/*
 * xenstore-ls cuts a value short with "\...", maybe in the middle of an escape. After an odd
 * run of backslashes that is certain; after an even run, "\\..." may as well be a whole
 * value ending in a backslash and three dots.
 */
enum ending { END_WHOLE, END_CUT, END_EITHER };

static enum ending value_ending(const char *v, size_t n)
{
	size_t run = 0;

	if (n < 4 || memcmp(v + n - 4, "\\...", 4) != 0)
		return END_WHOLE;
	while (run < n - 3 && v[n - 4 - run] == '\\')
		run++;
	return run % 2 ? END_CUT : END_EITHER;
}

/* Unescapes v[0..n) into p->val; if cut, without the "\..." and the escape it split. */
static int unescape(struct parser *p, const char *v, size_t n, bool cut)
{
	size_t bad, end = cut ? n - 4 : n;

	vd_buf_reset(&p->val);
	if (vd_unesc_xsls(&p->val, v, end, &bad))
		return 0;
	if (!cut || !partial_escape(v + bad, end - bad))
		return fail_escape(p, v + bad, n - bad);
	vd_unesc_xsls(&p->val, v, bad, NULL);
	return 0;
}

static void count_cut(struct parser *p, unsigned line, size_t width)
{
	if (!p->ntrunc++ || line < p->first_trunc)
		p->first_trunc = line;
	if (!p->cut_width)
		p->cut_width = width;
}

/* v[0..n) is the escaped value, width that of its line (see resolve_either()). */
static int take_value(struct parser *p, const char *v, size_t n, size_t width, unsigned *flags)
{
	enum ending end = value_ending(v, n);
	struct either *e;

	if (unescape(p, v, n, end == END_CUT))
		return -1;
	if (end == END_CUT) {
		*flags |= VD_NODE_TRUNCATED;
		count_cut(p, p->line, width);
	} else if (end == END_EITHER) {
		if (p->neither == p->either_cap) {
			p->either_cap = p->either_cap ? p->either_cap * 2 : 8;
			p->either = vd_realloc(p->either, p->either_cap * sizeof(*p->either));
		}
		e = &p->either[p->neither++];
		e->path = vd_strdup(p->path.data);
		e->v = vd_memdup0(v, n);
		e->n = n;
		e->width = width;
		e->line = p->line;
	}
	return 0;
}

/*
 * A line xenstore-ls cut is exactly as wide as the terminal less one, up to its closing
 * quote and counting from ' = "' in the flat format; 81 for the indented format redirected,
 * which cuts at 80 columns. An ambiguous "\\..." was cut if its line is that wide.
 */
static void resolve_either(struct parser *p)
{
	size_t width = p->cut_width ? p->cut_width : p->fmt == FMT_INDENTED ? 81 : 0;

	for (size_t i = 0; i < p->neither; i++) {
		const struct either *e = &p->either[i];
		const struct vd_node *old = vd_snap_get(p->snap, e->path);
		struct vd_node *nd;

		if (e->width != width || !old || old->line != e->line)
			continue;
		/* Cannot fail: the whole value was valid, so only its last escape is split. */
		unescape(p, e->v, e->n, true);
		nd = vd_snap_put(p->snap, e->path, p->val.data, p->val.len);
		nd->flags |= VD_NODE_TRUNCATED;
		count_cut(p, e->line, width);
	}
}

/*
 * s[0..n) follows ' = "'. The value may hold '"' and look-alikes of the tail, but the tail
 * never holds '"': it starts after the last one. With -p it is ' ', a padding of ' ' and '.'
 * (indented format), "  (" and the permissions; a cut value has no padding at all. If the
 * permissions could not be read, the line ends with the padding. base: where the width of
 * the line starts.
 */
static int take_quoted(struct parser *p, const char *base, const char *s, size_t n, unsigned *flags,
		       char **perms)
{
	const char *q = memrchr(s, '"', n), *e = s + n, *f;

	if (!q)
		return fail(p, "expected a closing '\"'");
	for (f = q + 1; f < e && (*f == ' ' || *f == '.'); f++)
		;
	if (f < e && *f != '(')
		return fail(p, "expected a closing '\"'");
	if (f > q + 1 && q[1] != ' ')
		return fail_perms(p);
	if (f < e && (f[-1] != ' ' || f[-2] != ' '))
		return fail_perms(p);
	if (f < e && take_perms(p, f, e, perms))
		return -1;
	return take_value(p, s, (size_t)(q - s), (size_t)(q + 1 - base), flags);
}

/* What follows "path:" (value unreadable): nothing, or the permissions. */
static int take_unreadable(struct parser *p, const char *s, size_t n, char **perms)
{
	const char *e = s + n;

	while (s < e && *s == ' ')
		s++;
	if (s == e)
		return 0;
	if (*s != '(')
		return fail_node_line(p);
	return take_perms(p, s, e, perms);
}

/* Does path (component at a, len n) equal lit? */
static bool comp_is(const char *a, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(a, lit, n) == 0;
}

/*
 * What the model, the analysis and the renderers read (build.c): the domain dirs, names
 * and vm paths, device/vif and backend/vif subtrees, error nodes, the guest's vCPUs (cpu,
 * vcpu_avail), libxl/disable_udev and XenServer's /xapi
 * (libxl's own records are read through libxl, live only). The rest of a dump (memory, vbd,
 * console, /vm, /tool...) is most of it.
 */
static bool vif_relevant(const char *path)
{
	/* cpu, vcpu_avail: the guest's vCPUs for the multi-queue rules (vd_mq.h) */
	static const char *const dom_keys[] = {
		"name", "vm", "domid", "error", "cpu", "vcpu_avail"
	};
	const char *s = path, *c;
	size_t n;

	if (!strcmp(s, "/") || !strcmp(s, "/local") || !strcmp(s, "/local/domain") ||
	    vd_startswith(s, "/xapi/") || !strcmp(s, "/xapi"))
		return true;
	if (!vd_startswith(s, "/local/domain/"))
		return false;
	s += strlen("/local/domain/");
	s += strcspn(s, "/");
	if (!*s)
		return true;
	c = ++s;
	n = strcspn(c, "/");
	s = c + n;
	for (size_t i = 0; i < sizeof(dom_keys) / sizeof(dom_keys[0]); i++)
		if (comp_is(c, n, dom_keys[i]))
			return true;
	/* libxl/disable_udev: whether udev-called hotplug scripts run (vd_diagnose_udev) */
	if (comp_is(c, n, "libxl"))
		return !*s || !strcmp(s, "/disable_udev");
	if (!comp_is(c, n, "device") && !comp_is(c, n, "backend"))
		return false;
	return !*s || !strcmp(s, "/vif") || vd_startswith(s, "/vif/");
}

/* A dropped node keeps its domain implied: the first one of each domain is kept anyway. */
static bool keep(struct parser *p, const char *path)
{
	const char *d = path + strlen("/local/domain/");
	size_t n;

	if (vif_relevant(path))
		return true;
	if (!vd_startswith(path, "/local/domain/"))
		return false;
	n = strcspn(d, "/");
	if (p->kept_dom.len == n && memcmp(p->kept_dom.data, d, n) == 0)
		return false;
	vd_buf_reset(&p->kept_dom);
	vd_buf_add(&p->kept_dom, d, n);
	return true;
}

static void store(struct parser *p, unsigned flags, char *perms)
{
	const struct vd_node *old;
	struct vd_node *nd;

	if (p->vif_only && !keep(p, p->path.data)) {
		p->dropped.perms = NULL;
		p->novalue = flags & VD_NODE_NOVALUE ? &p->dropped : NULL;
		return;
	}
	if (p->vif_only && vd_startswith(p->path.data, "/local/domain/")) {
		const char *d = p->path.data + strlen("/local/domain/");

		vd_buf_reset(&p->kept_dom);
		vd_buf_add(&p->kept_dom, d, strcspn(d, "/"));
	}
	old = vd_snap_get(p->snap, p->path.data);

	if (old)
		vd_snap_warn(
			p->snap,
			"%s:%u: '%s' is listed twice (first at line %u); the later value is used",
			p->fname, p->line, p->path.data, old->line);
	nd = vd_snap_put(p->snap, p->path.data, p->val.data ? p->val.data : "", p->val.len);
	/* A replaced node keeps its old fields otherwise: every one is ours to set. */
	nd->perms = perms;
	nd->flags = flags;
	nd->line = p->line < VD_NODE_LINE_MAX ? p->line : VD_NODE_LINE_MAX;
	p->novalue = flags & VD_NODE_NOVALUE ? nd : NULL;
}

/* Sets p->path from a flat line; returns the length of the path on the line. */
static int flat_path(struct parser *p, const char *s, size_t n, size_t *len)
{
	size_t k = 0;

	if (n == 0 || s[0] != '/')
		return fail_node_line(p);
	while (k < n && s[k] != ' ' && s[k] != ':')
		k++;
	if (check_chars(p, "path", s, k, true))
		return -1;
	if (k > 1 && (s[k - 1] == '/' || memmem(s, k, "//", 2)))
		return fail(p, "expected a path without '//' or a trailing '/'");
	vd_buf_reset(&p->path);
	vd_buf_add(&p->path, s, k);
	*len = k;
	return 0;
}

/* Sets p->path from an indented line (depth = its leading spaces); returns its prefix length. */
static int indented_path(struct parser *p, const char *s, size_t n, size_t *len)
{
	size_t depth = 0, k;

	while (depth < n && s[depth] == ' ')
		depth++;
	if (depth < n && s[depth] == '/')
		return fail(p,
			    "expected 'name = \"value\"' as in the indented listing of line %u, "
			    "not a full path",
			    p->fmt_line);
	if (depth > p->ndepth) {
		if (p->ndepth == 0)
			return fail(p, "expected the first node at depth 0, found depth %zu",
				    depth);
		return fail(p, "indentation jumps from depth %zu to %zu", p->ndepth - 1, depth);
	}
	for (k = depth; k < n && s[k] != ' ' && s[k] != ':'; k++)
		;
	if (k == depth)
		return fail_node_line(p);
	if (check_chars(p, "name", s + depth, k - depth, false))
		return -1;
	if (depth == p->depth_cap) {
		p->depth_cap = p->depth_cap ? p->depth_cap * 2 : 16;
		p->depth_end = vd_realloc(p->depth_end, p->depth_cap * sizeof(*p->depth_end));
	}
	p->path.len = depth ? p->depth_end[depth - 1] : 0;
	vd_buf_addc(&p->path, '/');
	vd_buf_add(&p->path, s + depth, k - depth);
	p->depth_end[depth] = p->path.len;
	p->ndepth = depth + 1;
	*len = k;
	return 0;
}

static int parse_line(struct parser *p, const char *s, size_t n)
{
	unsigned flags = 0;
	char *perms = NULL;
	size_t i = 0, k = 0;
	int rc;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i == n)
		return 0;
	if (s[i] == '(') {
		/* -p puts the permissions of an unreadable node on a line of their own. */
		if (!p->novalue || p->novalue->perms)
			return fail(p, "expected a node line, not permissions alone");
		return take_perms(p, s + i, s + n, &p->novalue->perms);
	}
	if (p->fmt == FMT_UNKNOWN) {
		p->fmt = s[0] == '/' ? FMT_FLAT : FMT_INDENTED;
		p->fmt_line = p->line;
	}
	if (p->fmt == FMT_FLAT)
		rc = flat_path(p, s, n, &k);
	else
		rc = indented_path(p, s, n, &k);
	if (rc)
		return rc;
	vd_buf_reset(&p->val);
	if (n - k >= 4 && memcmp(s + k, " = \"", 4) == 0) {
		rc = take_quoted(p, p->fmt == FMT_FLAT ? s + k : s, s + k + 4, n - k - 4, &flags,
				 &perms);
	} else if (k < n && s[k] == ':') {
		flags = VD_NODE_NOVALUE;
		rc = take_unreadable(p, s + k + 1, n - k - 1, &perms);
	} else {
		rc = fail_node_line(p);
	}
	if (rc)
		return rc;
	store(p, flags, perms);
	return 0;
}

static unsigned line_of(const char *buf, const char *at)
{
	unsigned line = 1;

	for (; buf < at; buf++)
		line += *buf == '\n';
	return line;
}

static void warn_truncated(struct parser *p)
{
	bool one = p->ntrunc == 1;

	vd_snap_warn(p->snap,
		     "%s: %u value%s cut by xenstore-ls %s (%sat line %u); capture with "
		     "'xenstore-ls -fp > file' (redirected, not on a terminal)",
		     p->fname, p->ntrunc, one ? " was" : "s were",
		     p->fmt == FMT_FLAT
			     ? "on a terminal"
			     : "to fit the line (the indented listing cuts even when redirected)",
		     one ? "" : "first ", p->first_trunc);
}

static void parser_init(struct parser *p, const char *fname, struct vd_snap *snap,
			struct vd_err *err, bool vif_only)
{
	memset(p, 0, sizeof(*p));
	p->snap = snap;
	p->err = err;
	p->vif_only = vif_only;
	p->fname = escaped(fname, strlen(fname), 0);
	vd_buf_init(&p->path);
	vd_buf_init(&p->val);
	vd_buf_init(&p->kept_dom);
}

/* Text at s: NUL-free and a whole number of lines unless last (first: a BOM may lead). */
static int parser_text(struct parser *p, const char *s, size_t len, bool first)
{
	const char *end = s + len, *nul = memchr(s, '\0', len);
	int rc = 0;

	if (nul) {
		p->line += line_of(s, nul);
		return fail(p, "expected text, found a NUL byte (is this a xenstore-ls dump?)");
	}
	/* Editors on the ticket's way may add a byte order mark. */
	if (first && len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;
	while (!rc && s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = (size_t)((nl ? nl : end) - s);

		p->line++;
		if (n && s[n - 1] == '\r')
			n--;
		rc = parse_line(p, s, n);
		s = nl ? nl + 1 : end;
	}
	return rc;
}

/*
 * Every store has /local/domain/0 (xen-init-dom0 writes its name at boot), so a dump with
 * nothing at or under it (an empty file, /dev/null, another file) is no dump of a host:
 * "no VIFs in the store" would be a false all-clear.
 */
static int check_dom0(const struct vd_snap *snap, const char *name, size_t len, struct vd_err *err)
{
	size_t lo, hi;
	char *e;

	vd_snap_subtree(snap, "/local/domain/0", &lo, &hi);
	if (lo < hi)
		return 0;
	e = escaped(name, strlen(name), 0);
	vd_err_set(err, VD_EXIT_SOURCE,
		   "%s: %s, not a xenstore-ls dump (a real one always has /local/domain/0)", e,
		   !len ? "empty" : "no /local/domain/0 in it");
	free(e);
	return -1;
}

static int parser_end(struct parser *p, int rc)
{
	if (!rc)
		resolve_either(p);
	if (!rc && p->ntrunc)
		warn_truncated(p);
	for (size_t i = 0; i < p->neither; i++) {
		free(p->either[i].path);
		free(p->either[i].v);
	}
	free(p->either);
	free(p->fname);
	free(p->depth_end);
	vd_buf_free(&p->path);
	vd_buf_free(&p->val);
	vd_buf_free(&p->kept_dom);
	return rc;
}

int vd_dump_parse(const char *buf, size_t len, const char *fname, struct vd_snap *snap,
		  struct vd_err *err)
{
	struct parser p;

	parser_init(&p, fname, snap, err, false);
	return parser_end(&p, parser_text(&p, buf, len, true));
}

/* Streams the file through the parser, whole lines at a time: a dump is never all in
 * memory (a 10,000-VIF host's is 100 MB, of which --from keeps a fraction). */
static int load(const char *fname, struct vd_snap *snap, struct vd_err *err, bool vif_only)
{
	bool is_stdin = strcmp(fname, "-") == 0, first = true;
	const char *name = is_stdin ? "<stdin>" : fname;
	FILE *f = is_stdin ? stdin : fopen(fname, "rb");
	const char *why = NULL;
	size_t cap = 1u << 20, have = 0, total = 0, n;
	char *buf;
	struct parser p;
	int rc = 0;

	if (!f) {
		char *e = escaped(name, strlen(name), 0);

		vd_err_set(err, VD_EXIT_SOURCE, "cannot read '%s': %s", e, strerror(errno));
		free(e);
		return -1;
	}
	buf = vd_malloc(cap);
	parser_init(&p, name, snap, err, vif_only);
	while (!rc && !why) {
		char *nl;

		if (have == cap) { /* a line longer than the buffer */
			cap *= 2;
			buf = vd_realloc(buf, cap);
		}
		n = fread(buf + have, 1, cap - have, f);
		if (n == 0) {
			if (ferror(f))
				why = strerror(errno);
			else if (have)
				rc = parser_text(&p, buf, have, first);
			break;
		}
		total += n;
		if (total > DUMP_MAX_BYTES) {
			why = "larger than 256 MiB, not a xenstore-ls dump";
			break;
		}
		have += n;
		nl = memrchr(buf, '\n', have);
		if (!nl)
			continue;
		rc = parser_text(&p, buf, (size_t)(nl + 1 - buf), first);
		first = false;
		have -= (size_t)(nl + 1 - buf);
		memmove(buf, nl + 1, have);
	}
	if (!is_stdin)
		fclose(f);
	free(buf);
	if (why) {
		char *e = escaped(name, strlen(name), 0);

		vd_err_set(err, VD_EXIT_SOURCE, "cannot read '%s': %s", e, why);
		free(e);
		rc = -1;
	}
	rc = parser_end(&p, rc);
	return rc ? rc : check_dom0(snap, name, total, err);
}

int vd_dump_load(const char *fname, struct vd_snap *snap, struct vd_err *err)
{
	return load(fname, snap, err, true);
}

int vd_dump_load_all(const char *fname, struct vd_snap *snap, struct vd_err *err)
{
	return load(fname, snap, err, false);
}
