// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The bundle reader (--from BUNDLE). A bundle is untrusted input: it comes from a customer
 * and may have been cut, edited or made hostile. An archive is read with libarchive and
 * unpacked by our own code, member by member, into a private temporary directory: the
 * first member must be MANIFEST; every later one must be listed there with its type and
 * size (known before a byte is written, so a decompression bomb is refused at its header)
 * and match its sha256; names are relative without '.' or '..', links resolve inside the
 * tree, nothing is created below a link, and no special files. An unpacked directory gets
 * the same checks in place. Any failure: one error naming the member, nothing left behind.
 */
#include "vd_bundle.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <nettle/sha2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vd_dump.h"
#include "vd_esc.h"
#include "vd_util.h"
#include "vd_xl.h"

#define MANIFEST_MAX (16u << 20)
#define META_MAX     (1u << 20)

struct rd {
	struct vd_bundle *b;
	char *label; /* the bundle as the user named it, escaped (owned) */
	struct vd_err *err;
	bool have_manifest;
	char *top;
	unsigned long long total;
};

static int bad(struct rd *r, const char *member, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int bad(struct rd *r, const char *member, const char *fmt, ...)
{
	struct vd_buf b;
	va_list ap;

	vd_buf_init(&b);
	if (member) {
		vd_buf_adds(&b, "member '");
		vd_esc_text(&b, member, strlen(member), 200);
		vd_buf_adds(&b, "': ");
	}
	va_start(ap, fmt);
	vd_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	vd_err_set(r->err, VD_EXIT_SOURCE, "%s: %s", r->label, b.data);
	vd_buf_free(&b);
	return -1;
}

static void hex(const uint8_t *d, char out[65])
{
	for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* A link target, resolved from the link's directory, stays inside the tree. */
static bool target_inside(const char *name, const char *target)
{
	long depth = 0;
	const char *p;

	for (p = name; (p = strchr(p, '/')); p++)
		depth++; /* the link's own directory */
	if (!*target || *target == '/')
		return false;
	for (p = target; *p;) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (--depth < 0)
				return false;
		} else if (n && !(n == 1 && p[0] == '.')) {
			depth++;
		}
		p += n;
		while (*p == '/')
			p++;
	}
	return true;
}

/* Opens the directory of rel under rootfd, creating it, never following a link; *base
 * points at the last component. */
static int parent_fd(int rootfd, const char *rel, const char **base, bool create)
{
	int fd = dup(rootfd);
	const char *p = rel;

	for (;;) {
		size_t n = strcspn(p, "/");
		char *comp;
		int next;

		if (!p[n]) {
			*base = p;
			return fd;
		}
		comp = vd_strndup(p, n);
		next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT && create && mkdirat(fd, comp, 0700) == 0)
			next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		free(comp);
		close(fd);
		if (next < 0)
			return -1;
		fd = next;
		p += n + 1;
	}
}

/* ---- unpacking an archive ---- */

static int take_manifest(struct rd *r, struct archive *a, struct archive_entry *e)
{
	la_int64_t size = archive_entry_size(e);
	struct vd_buf buf;
	char chunk[65536];
	la_ssize_t n;
	int rc;

	if (archive_entry_filetype(e) != AE_IFREG || size < 0 || size > MANIFEST_MAX)
		return bad(r, VD_BUNDLE_MANIFEST, "expected a regular file of at most %u bytes",
			   MANIFEST_MAX);
	vd_buf_init(&buf);
	while ((n = archive_read_data(a, chunk, sizeof(chunk))) > 0 && buf.len <= MANIFEST_MAX)
		vd_buf_add(&buf, chunk, (size_t)n);
	if (n < 0) {
		vd_buf_free(&buf);
		return bad(r, VD_BUNDLE_MANIFEST, "truncated or corrupt: %s",
			   archive_error_string(a));
	}
	rc = vd_manifest_parse(buf.data, buf.len, &r->b->man, r->err);
	vd_buf_free(&buf);
	if (rc < 0) {
		char msg[sizeof(r->err->msg)];

		snprintf(msg, sizeof(msg), "%s", r->err->msg);
		vd_err_clear(r->err);
		return bad(r, NULL, "%s", msg);
	}
	for (size_t i = 0; i < r->b->man.n; i++) {
		r->total += r->b->man.e[i].size;
		if (r->total > VD_BUNDLE_MAX_BYTES)
			return bad(r, r->b->man.e[i].name,
				   "the members add up to more than the %llu bytes a bundle may "
				   "unpack to (a decompression bomb?)",
				   VD_BUNDLE_MAX_BYTES);
	}
	r->have_manifest = true;
	return 0;
}

static int write_file(struct rd *r, struct archive *a, int fd, struct vd_mentry *m)
{
	struct sha256_ctx ctx;
	uint8_t d[SHA256_DIGEST_SIZE];
	char chunk[65536], sha[65];
	unsigned long long got = 0;
	la_ssize_t n;

	sha256_init(&ctx);
	while ((n = archive_read_data(a, chunk, sizeof(chunk))) > 0) {
		got += (unsigned long long)n;
		if (got > m->size)
			return bad(r, m->name, "larger than the %llu bytes MANIFEST says", m->size);
		sha256_update(&ctx, (size_t)n, (const uint8_t *)chunk);
		if (write(fd, chunk, (size_t)n) != n) {
			vd_err_set(r->err, VD_EXIT_INTERNAL, "cannot unpack %s: %s", m->name,
				   strerror(errno));
			return -1;
		}
	}
	if (n < 0)
		return bad(r, m->name, "truncated or corrupt: %s", archive_error_string(a));
	if (got != m->size)
		return bad(r, m->name, "%llu bytes, MANIFEST says %llu (truncated?)", got, m->size);
	sha256_digest(&ctx, sizeof(d), d);
	hex(d, sha);
	if (strcmp(sha, m->sha) != 0)
		return bad(r, m->name, "sha256 %s differs from MANIFEST's %s", sha, m->sha);
	return 0;
}

static int check_link(struct rd *r, struct vd_mentry *m, const char *target)
{
	char sha[65];

	if (!target || !target_inside(m->name, target))
		return bad(r, m->name, "a symlink that points out of the bundle");
	vd_sha256_hex(target, strlen(target), sha);
	if (strlen(target) != m->size || strcmp(sha, m->sha) != 0)
		return bad(r, m->name, "symlink target differs from MANIFEST");
	return 0;
}

static int extract_one(struct rd *r, struct archive *a, struct archive_entry *e, const char *rel,
		       int rootfd)
{
	struct vd_mentry *m = vd_manifest_find(&r->b->man, rel);
	unsigned ft = archive_entry_filetype(e);
	enum vd_mtype t = ft == AE_IFREG ? VD_M_FILE : ft == AE_IFDIR ? VD_M_DIR : VD_M_LINK;
	const char *base;
	int dfd, fd, rc = 0;

	if (archive_entry_hardlink(e) || (ft != AE_IFREG && ft != AE_IFDIR && ft != AE_IFLNK))
		return bad(r, rel, "not a regular file, directory or symlink");
	if (!m && ft == AE_IFDIR) {
		/* tar adds the parents of what it packs: a directory holds nothing to check */
		dfd = parent_fd(rootfd, rel, &base, true);
		if (dfd < 0)
			return bad(r, rel, "cannot be placed: a parent is not a directory");
		if (mkdirat(dfd, base, 0700) < 0 && errno != EEXIST)
			rc = bad(r, rel, "cannot create the directory: %s", strerror(errno));
		close(dfd);
		return rc;
	}
	if (!m)
		return bad(r, rel, "not in MANIFEST");
	if (m->seen)
		return bad(r, rel, "in the archive twice");
	m->seen = true;
	if (m->type != t)
		return bad(r, rel, "a %s, MANIFEST says %s",
			   t == VD_M_FILE  ? "file"
			   : t == VD_M_DIR ? "directory"
					   : "symlink",
			   m->type == VD_M_FILE	 ? "file"
			   : m->type == VD_M_DIR ? "directory"
						 : "symlink");
	if (t == VD_M_FILE && archive_entry_size_is_set(e) &&
	    (unsigned long long)archive_entry_size(e) != m->size)
		return bad(r, rel, "%lld bytes, MANIFEST says %llu",
			   (long long)archive_entry_size(e), m->size);
	if (t == VD_M_LINK && check_link(r, m, archive_entry_symlink(e)) < 0)
		return -1;
	dfd = parent_fd(rootfd, rel, &base, true);
	if (dfd < 0)
		return bad(r, rel, "cannot be placed: a parent is not a directory (%s)",
			   strerror(errno));
	if (t == VD_M_DIR) {
		struct stat st;

		if (mkdirat(dfd, base, 0700) < 0 &&
		    !(errno == EEXIST && fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		      S_ISDIR(st.st_mode)))
			rc = bad(r, rel, "cannot create the directory: %s", strerror(errno));
	} else if (t == VD_M_LINK) {
		if (symlinkat(archive_entry_symlink(e), dfd, base) < 0)
			rc = bad(r, rel, "cannot create the symlink: %s", strerror(errno));
	} else {
		fd = openat(dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			rc = bad(r, rel, "cannot create: %s", strerror(errno));
		else {
			rc = write_file(r, a, fd, m);
			close(fd);
		}
	}
	close(dfd);
	return rc;
}

/* "TOP/REL" (REL "" for TOP itself); every member under the same single TOP. */
static int split_name(struct rd *r, const char *path, const char **rel, char **owned)
{
	char *p, *slash;
	size_t n;

	if (!path || !*path)
		return bad(r, "", "a member without a name");
	p = vd_strdup(path);
	n = strlen(p);
	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	slash = strchr(p, '/');
	if (slash)
		*slash = '\0';
	if (!vd_bundle_name_ok(p) || (slash && !vd_bundle_name_ok(slash + 1))) {
		free(p);
		return bad(r, path,
			   "an unsafe name (absolute, '.' or '..', or unusual characters)");
	}
	if (!r->top)
		r->top = vd_strdup(p);
	else if (strcmp(r->top, p) != 0) {
		free(p);
		return bad(r, path, "outside the bundle's top directory '%s'", r->top);
	}
	*owned = p;
	*rel = slash ? slash + 1 : "";
	return 0;
}

static int unpack(struct rd *r, struct archive *a)
{
	struct archive_entry *e;
	char *last = vd_strdup("(the start)");
	int rootfd, rc = 0, hr;

	rootfd = open(r->b->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		free(last);
		vd_err_set(r->err, VD_EXIT_INTERNAL, "cannot open %s: %s", r->b->dir,
			   strerror(errno));
		return -1;
	}
	while (rc == 0 && (hr = archive_read_next_header(a, &e)) != ARCHIVE_EOF) {
		const char *rel = "";
		char *owned = NULL;

		if (hr < ARCHIVE_WARN) {
			rc = r->have_manifest
				     ? bad(r, NULL, "truncated or corrupt after member '%s': %s",
					   last, archive_error_string(a))
				     : bad(r, NULL, "not a vifdiag bundle (a .tar.gz): %s",
					   archive_error_string(a));
			break;
		}
		if (split_name(r, archive_entry_pathname(e), &rel, &owned) < 0) {
			rc = -1;
			break;
		}
		if (!*rel) {
			if (archive_entry_filetype(e) != AE_IFDIR)
				rc = bad(r, owned, "the top of a bundle must be a directory");
		} else if (!r->have_manifest) {
			rc = strcmp(rel, VD_BUNDLE_MANIFEST) == 0
				     ? take_manifest(r, a, e)
				     : bad(r, NULL,
					   "not a vifdiag bundle: the first member is '%s', "
					   "expected "
					   "%s/%s",
					   archive_entry_pathname(e), r->top, VD_BUNDLE_MANIFEST);
		} else {
			rc = extract_one(r, a, e, rel, rootfd);
		}
		free(last);
		last = vd_strdup(rel);
		free(owned);
	}
	close(rootfd);
	free(last);
	if (rc == 0 && !r->have_manifest)
		rc = bad(r, NULL, "not a vifdiag bundle: it has no %s", VD_BUNDLE_MANIFEST);
	return rc;
}

/* ---- an unpacked directory, checked in place ---- */

static int check_member(struct rd *r, int rootfd, struct vd_mentry *m)
{
	const char *base;
	int dfd = parent_fd(rootfd, m->name, &base, false);
	struct stat st;
	int rc = 0;

	if (dfd < 0 || fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (dfd >= 0)
			close(dfd);
		return bad(r, m->name, "listed in MANIFEST but missing");
	}
	m->seen = true;
	if (m->type == VD_M_DIR && !S_ISDIR(st.st_mode))
		rc = bad(r, m->name, "MANIFEST says a directory");
	else if (m->type == VD_M_LINK) {
		char t[4096];
		ssize_t n = S_ISLNK(st.st_mode) ? readlinkat(dfd, base, t, sizeof(t) - 1) : -1;

		if (n < 0)
			rc = bad(r, m->name, "MANIFEST says a symlink");
		else {
			t[n] = '\0';
			rc = check_link(r, m, t);
		}
	} else if (m->type == VD_M_FILE) {
		int fd = S_ISREG(st.st_mode)
				 ? openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
				 : -1;
		struct sha256_ctx ctx;
		uint8_t d[SHA256_DIGEST_SIZE];
		char chunk[65536], sha[65];
		unsigned long long got = 0;
		ssize_t n;

		if (fd < 0) {
			close(dfd);
			return bad(r, m->name, "MANIFEST says a regular file");
		}
		sha256_init(&ctx);
		while ((n = read(fd, chunk, sizeof(chunk))) > 0 && got <= m->size) {
			got += (unsigned long long)n;
			sha256_update(&ctx, (size_t)n, (const uint8_t *)chunk);
		}
		close(fd);
		sha256_digest(&ctx, sizeof(d), d);
		hex(d, sha);
		if (n < 0)
			rc = bad(r, m->name, "cannot read: %s", strerror(errno));
		else if (got != m->size)
			rc = bad(r, m->name, "%s than the %llu bytes MANIFEST says",
				 got > m->size ? "larger" : "smaller", m->size);
		else if (strcmp(sha, m->sha) != 0)
			rc = bad(r, m->name, "sha256 %s differs from MANIFEST's %s", sha, m->sha);
	}
	close(dfd);
	return rc;
}

static struct rd *walk_rd; /* nftw has no argument pointer */
static size_t walk_skip;
static int walk_rc;

static int walk_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	const char *rel = path + walk_skip;
	struct vd_mentry *m;

	if (f->level == 0 || strcmp(rel, VD_BUNDLE_MANIFEST) == 0)
		return 0;
	m = vd_manifest_find(&walk_rd->b->man, rel);
	if (!m && S_ISDIR(st->st_mode))
		return 0; /* a parent of listed members */
	if (!m) {
		walk_rc = bad(walk_rd, rel, "not in MANIFEST");
		return 1;
	}
	return 0;
}

static int check_dir(struct rd *r)
{
	char *mp = vd_asprintf("%s/%s", r->b->dir, VD_BUNDLE_MANIFEST);
	int fd = open(mp, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC), rootfd;
	struct vd_buf buf;
	char chunk[65536];
	ssize_t n;
	int rc = 0;
	struct stat st;

	free(mp);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > MANIFEST_MAX) {
		if (fd >= 0)
			close(fd);
		return bad(r, NULL, "not a vifdiag bundle: no readable %s", VD_BUNDLE_MANIFEST);
	}
	vd_buf_init(&buf);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0 && buf.len <= MANIFEST_MAX)
		vd_buf_add(&buf, chunk, (size_t)n);
	close(fd);
	if (vd_manifest_parse(buf.data, buf.len, &r->b->man, r->err) < 0) {
		char msg[sizeof(r->err->msg)];

		snprintf(msg, sizeof(msg), "%s", r->err->msg);
		vd_err_clear(r->err);
		vd_buf_free(&buf);
		return bad(r, NULL, "%s", msg);
	}
	vd_buf_free(&buf);
	rootfd = open(r->b->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return bad(r, NULL, "cannot open: %s", strerror(errno));
	for (size_t i = 0; i < r->b->man.n && rc == 0; i++)
		rc = check_member(r, rootfd, &r->b->man.e[i]);
	close(rootfd);
	if (rc)
		return rc;
	walk_rd = r;
	walk_skip = strlen(r->b->dir) + 1;
	walk_rc = 0;
	if (nftw(r->b->dir, walk_one, 16, FTW_PHYS) < 0)
		return bad(r, NULL, "cannot walk: %s", strerror(errno));
	return walk_rc;
}

/* ---- vifdiag.json ---- */

static char *slurp_member(struct rd *r, const char *name, size_t max, size_t *len)
{
	char *p = vd_bundle_member(r->b, name);
	int fd = open(p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct vd_buf buf;
	char chunk[65536];
	ssize_t n;

	free(p);
	if (fd < 0)
		return NULL;
	vd_buf_init(&buf);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0 && buf.len <= max)
		vd_buf_add(&buf, chunk, (size_t)n);
	close(fd);
	if (n < 0 || buf.len > max) {
		vd_buf_free(&buf);
		return NULL;
	}
	*len = buf.len;
	return vd_buf_steal(&buf);
}

static bool strings(json_t *arr, char ***out, size_t *n, bool names)
{
	if (!arr)
		return true;
	if (!json_is_array(arr))
		return false;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const char *s = json_string_value(json_array_get(arr, i));

		if (!s || (names && (!vd_bundle_name_ok(s) || strchr(s, '/'))))
			return false;
		*out = vd_realloc(*out, (*n + 1) * sizeof(**out));
		(*out)[(*n)++] = vd_strdup(s);
	}
	return true;
}

static int load_meta(struct rd *r)
{
	struct vd_bundle *b = r->b;
	size_t len = 0;
	char *text = slurp_member(r, VD_BUNDLE_META, META_MAX, &len);
	json_t *top, *sysfs, *store, *root;
	json_error_t je;
	bool good;

	if (!text)
		return bad(r, VD_BUNDLE_META, "missing or unreadable");
	top = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	free(text);
	if (!top)
		return bad(r, VD_BUNDLE_META, "line %d: expected JSON: %s", je.line, je.text);
	sysfs = json_object_get(top, "sysfs");
	store = json_object_get(top, "store");
	root = json_object_get(sysfs, "root");
	good = json_is_object(top) && json_integer_value(json_object_get(top, "format")) == 1 &&
	       json_is_object(sysfs) && (json_is_string(root) || json_is_null(root)) &&
	       json_is_boolean(json_object_get(sysfs, "require_xen")) && json_is_object(store) &&
	       strings(json_object_get(store, "vanished"), &b->vanished, &b->nvanished, false) &&
	       strings(json_object_get(store, "warnings"), &b->warnings, &b->nwarnings, false) &&
	       strings(json_object_get(top, "xenstored_logs"), &b->xslogs, &b->nxslogs, true);
	if (good) {
		b->sysfs_shown = json_is_string(root) ? vd_strdup(json_string_value(root)) : NULL;
		b->sysfs_require_xen = json_is_true(json_object_get(sysfs, "require_xen"));
	}
	json_decref(top);
	for (size_t i = 0; good && i < b->nvanished; i++)
		good = b->vanished[i][0] == '/';
	if (!good)
		return bad(r, VD_BUNDLE_META,
			   "expected format 1 with sysfs.root, sysfs.require_xen, store and "
			   "xenstored_logs");
	for (size_t i = 0; i < b->nxslogs; i++) {
		char *n = vd_asprintf("%s/%s", VD_BUNDLE_XSLOGS, b->xslogs[i]);
		bool there = vd_manifest_find(&b->man, n) != NULL;

		free(n);
		if (!there)
			return bad(r, VD_BUNDLE_META, "names the log '%s', which MANIFEST lacks",
				   b->xslogs[i]);
	}
	return 0;
}

/* ---- open and close ---- */

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void vd_bundle_close(struct vd_bundle *b)
{
	if (!b)
		return;
	if (b->tmp)
		nftw(b->tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	vd_manifest_free(&b->man);
	vd_strv_free(b->xslogs, b->nxslogs);
	vd_strv_free(b->vanished, b->nvanished);
	vd_strv_free(b->warnings, b->nwarnings);
	free(b->sysfs_shown);
	free(b->path);
	free(b->dir);
	free(b->tmp);
	free(b);
}

static struct vd_bundle *finish(struct rd *r, int rc)
{
	if (rc == 0)
		rc = load_meta(r);
	if (rc == 0) {
		/* every member MANIFEST lists must have come (a cut archive ends early) */
		for (size_t i = 0; i < r->b->man.n; i++)
			if (!r->b->man.e[i].seen) {
				bad(r, r->b->man.e[i].name,
				    "listed in MANIFEST but missing (a truncated bundle?)");
				rc = -1;
				break;
			}
	}
	free(r->top);
	free(r->label);
	if (rc < 0) {
		vd_bundle_close(r->b);
		return NULL;
	}
	return r->b;
}

static char *label_of(const char *path)
{
	struct vd_buf b;

	vd_buf_init(&b);
	vd_esc_text(&b, path, strlen(path), 300);
	return vd_buf_steal(&b);
}

static struct vd_bundle *open_archive(struct archive *a, const char *path, struct vd_err *err)
{
	struct vd_bundle *b = vd_calloc(1, sizeof(*b));
	const char *tmpdir = getenv("TMPDIR");
	struct rd r = { .b = b, .err = err, .label = label_of(path) };
	int rc;

	b->path = vd_strdup(path);
	b->tmp = vd_asprintf("%s/vifdiag-bundle.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (!mkdtemp(b->tmp)) { /* mode 0700: ours alone */
		vd_err_set(err, VD_EXIT_INTERNAL, "cannot create %s: %s", b->tmp, strerror(errno));
		free(b->tmp);
		b->tmp = NULL;
		archive_read_free(a);
		return finish(&r, -1);
	}
	b->dir = vd_asprintf("%s/b", b->tmp);
	if (mkdir(b->dir, 0700) < 0) {
		vd_err_set(err, VD_EXIT_INTERNAL, "cannot create %s: %s", b->dir, strerror(errno));
		rc = -1;
	} else {
		rc = unpack(&r, a);
	}
	archive_read_free(a);
	return finish(&r, rc);
}

static struct archive *reader_new(void)
{
	struct archive *a = archive_read_new();

	archive_read_support_filter_gzip(a);
	archive_read_support_filter_none(a);
	archive_read_support_format_tar(a);
	return a;
}

struct vd_bundle *vd_bundle_open_mem(const void *buf, size_t len, const char *name,
				     struct vd_err *err)
{
	struct archive *a = reader_new();

	if (archive_read_open_memory(a, buf, len) != ARCHIVE_OK) {
		vd_err_set(err, VD_EXIT_SOURCE, "%s: not a vifdiag bundle: %s", name,
			   archive_error_string(a) ? archive_error_string(a) : "unreadable");
		archive_read_free(a);
		return NULL;
	}
	return open_archive(a, name, err);
}

struct vd_bundle *vd_bundle_open(const char *path, struct vd_err *err)
{
	struct archive *a;
	struct stat st;

	if (stat(path, &st) < 0) {
		vd_err_set(err, VD_EXIT_SOURCE, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		struct vd_bundle *b = vd_calloc(1, sizeof(*b));
		struct rd r = { .b = b, .err = err, .label = label_of(path) };

		b->path = vd_strdup(path);
		b->dir = vd_strdup(path);
		return finish(&r, check_dir(&r));
	}
	a = reader_new();
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
		vd_err_set(err, VD_EXIT_SOURCE, "%s: not a vifdiag bundle (a .tar.gz): %s", path,
			   archive_error_string(a) ? archive_error_string(a) : strerror(errno));
		archive_read_free(a);
		return NULL;
	}
	return open_archive(a, path, err);
}

bool vd_bundle_is(const char *path)
{
	unsigned char head[512];
	struct stat st;
	ssize_t n;
	int fd;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		char *m = vd_asprintf("%s/%s", path, VD_BUNDLE_MANIFEST);
		bool yes = access(m, F_OK) == 0;

		free(m);
		return yes;
	}
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, head, sizeof(head));
	close(fd);
	return (n >= 2 && head[0] == 0x1f && head[1] == 0x8b) ||
	       (n >= 262 && memcmp(head + 257, "ustar", 5) == 0);
}

int vd_bundle_gone(void *bundle, const char *path)
{
	const struct vd_bundle *b = bundle;
	char *m = vd_asprintf("%s%s", VD_BUNDLE_SYSFS, path);
	int e = vd_manifest_errno(&b->man, m);

	free(m);
	return e;
}

char *vd_bundle_member(const struct vd_bundle *b, const char *name)
{
	return vd_asprintf("%s/%s", b->dir, name);
}

static char *member_text(const struct vd_bundle *b, const char *name, size_t *len,
			 struct vd_err *err)
{
	struct rd r = { .b = (struct vd_bundle *)(uintptr_t)b, .err = err };
	const struct vd_mnote *why;
	char *text;

	if (!vd_manifest_find(&b->man, name)) {
		why = vd_manifest_note_for(&b->man, name);
		vd_err_set(err, VD_EXIT_SOURCE, "%s: the bundle has no %s%s%s", b->path, name,
			   why ? ": " : "", why ? why->why : "");
		return NULL;
	}
	text = slurp_member(&r, name, VD_BUNDLE_MAX_BYTES, len);
	if (!text)
		vd_err_set(err, VD_EXIT_SOURCE, "%s: member '%s': unreadable", b->path, name);
	return text;
}

int vd_bundle_snapshot(const struct vd_bundle *b, struct vd_snap *snap, struct vd_err *err)
{
	size_t len = 0;
	char *text = member_text(b, VD_BUNDLE_STORE, &len, err);
	char *label;
	int rc;

	if (!text)
		return -1;
	label = vd_asprintf("%s:%s", b->path, VD_BUNDLE_STORE);
	rc = vd_dump_parse(text, len, label, snap, err);
	free(label);
	free(text);
	for (size_t i = 0; rc == 0 && i < b->nvanished; i++)
		vd_snap_vanished(snap, b->vanished[i]);
	for (size_t i = 0; rc == 0 && i < b->nwarnings; i++)
		vd_snap_warn(snap, "%s", b->warnings[i]);
	return rc;
}

struct vd_xl *vd_bundle_xl(const struct vd_bundle *b, struct vd_err *err)
{
	size_t len = 0;
	char *text = member_text(b, VD_BUNDLE_LIBXL, &len, err);
	char *label;
	struct vd_xl *x;

	if (!text)
		return NULL;
	label = vd_asprintf("%s:%s", b->path, VD_BUNDLE_LIBXL);
	x = vd_xl_from_json(text, len, label, err);
	free(label);
	free(text);
	return x;
}
