// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The bundle writer: members collected in memory, then MANIFEST (first, so that a reader
 * knows every size before it unpacks anything) and the members into a .tar.gz through
 * libarchive, at a temporary name in the target directory, renamed when complete.
 */
#include "vd_bundle.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vd_util.h"

void vd_bw_init(struct vd_bwriter *w)
{
	memset(w, 0, sizeof(*w));
}

static struct vd_bmember *add(struct vd_bwriter *w, const char *name, enum vd_mtype type)
{
	struct vd_bmember *m;

	w->m = vd_realloc(w->m, (w->n + 1) * sizeof(*w->m));
	m = &w->m[w->n++];
	memset(m, 0, sizeof(*m));
	m->name = vd_strdup(name);
	m->type = type;
	return m;
}

bool vd_bw_has(const struct vd_bwriter *w, const char *name)
{
	for (size_t i = 0; i < w->n; i++)
		if (strcmp(w->m[i].name, name) == 0)
			return true;
	return false;
}

void vd_bw_file(struct vd_bwriter *w, const char *name, const void *data, size_t len)
{
	struct vd_bmember *m = add(w, name, VD_M_FILE);

	m->data = vd_memdup0(data, len);
	m->len = len;
}

void vd_bw_dir(struct vd_bwriter *w, const char *name)
{
	add(w, name, VD_M_DIR)->data = vd_strdup("");
}

void vd_bw_link(struct vd_bwriter *w, const char *name, const char *target)
{
	struct vd_bmember *m = add(w, name, VD_M_LINK);

	m->data = vd_strdup(target);
	m->len = strlen(target);
}

static int member_cmp(const void *a, const void *b)
{
	return strcmp(((const struct vd_bmember *)a)->name, ((const struct vd_bmember *)b)->name);
}

/* one archive being written, and how far it got (for the progress line) */
struct wr {
	struct vd_bwriter *w;
	struct archive *a;
	const char *top;
	time_t now;
	unsigned long long done, total; /* content bytes */
	size_t members, nmembers;
};

#define CHUNK (1u << 20) /* a progress update per MiB of a large member (a log) */

static void tick(struct wr *r, bool update)
{
	char *what;

	if (!r->w->progress)
		return;
	what = vd_asprintf("writing the archive: %.1f of %.1f MB, %zu of %zu members",
			   (double)r->done / (1 << 20), (double)r->total / (1 << 20), r->members,
			   r->nmembers);
	r->w->progress(r->w->arg, what, update);
	free(what);
}

static int put(struct wr *r, const char *name, enum vd_mtype type, const char *data, size_t len)
{
	struct archive_entry *e = archive_entry_new();
	char *path = strcmp(name, ".") ? vd_asprintf("%s/%s", r->top, name) : vd_strdup(r->top);
	int rc = 0;

	archive_entry_set_pathname(e, path);
	archive_entry_set_mtime(e, r->now, 0);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	if (type == VD_M_DIR) {
		archive_entry_set_filetype(e, AE_IFDIR);
		archive_entry_set_perm(e, 0755);
	} else if (type == VD_M_LINK) {
		archive_entry_set_filetype(e, AE_IFLNK);
		archive_entry_set_perm(e, 0777);
		archive_entry_set_symlink(e, data);
	} else {
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)len);
	}
	if (archive_write_header(r->a, e) != ARCHIVE_OK)
		rc = -1;
	for (size_t off = 0; rc == 0 && type == VD_M_FILE && off < len;) {
		size_t n = len - off < CHUNK ? len - off : CHUNK;

		if (archive_write_data(r->a, data + off, n) != (la_ssize_t)n)
			rc = -1;
		off += n;
		r->done += n;
		if (off < len)
			tick(r, true);
	}
	archive_entry_free(e);
	free(path);
	r->members++;
	if (rc == 0)
		tick(r, true);
	return rc;
}

/* why libarchive failed: errno's words when it kept one (a full disk), else its own */
static const char *why(struct archive *a, const char *dflt)
{
	if (archive_errno(a) > 0)
		return strerror(archive_errno(a));
	return archive_error_string(a) ? archive_error_string(a) : dflt;
}

static int write_all(struct vd_bwriter *w, int fd, const char *path, const char *top,
		     struct vd_err *err)
{
	struct wr r = { .w = w, .a = archive_write_new(), .top = top, .now = time(NULL) };
	struct vd_buf man;
	int rc = 0;

	vd_buf_init(&man);
	vd_manifest_format(&w->man, &man);
	r.total = man.len;
	for (size_t i = 0; i < w->n; i++)
		r.total += w->m[i].type == VD_M_FILE ? w->m[i].len : 0;
	r.nmembers = w->n + 2; /* the top directory and MANIFEST */
	tick(&r, false);
	archive_write_set_format_pax_restricted(r.a);
	archive_write_add_filter_gzip(r.a);
	if (archive_write_open_fd(r.a, fd) != ARCHIVE_OK || put(&r, ".", VD_M_DIR, "", 0) < 0 ||
	    put(&r, VD_BUNDLE_MANIFEST, VD_M_FILE, man.data, man.len) < 0)
		rc = -1;
	for (size_t i = 0; i < w->n && rc == 0; i++)
		rc = put(&r, w->m[i].name, w->m[i].type, w->m[i].data, w->m[i].len);
	if (rc < 0)
		vd_err_set(err, VD_EXIT_INTERNAL, "%s: cannot write the bundle: %s", path,
			   why(r.a, strerror(errno)));
	/* the compressor's last block goes out here: a full disk may show only now */
	if (archive_write_close(r.a) != ARCHIVE_OK && rc == 0) {
		vd_err_set(err, VD_EXIT_INTERNAL, "%s: cannot write the bundle: %s", path,
			   why(r.a, "close failed"));
		rc = -1;
	}
	archive_write_free(r.a);
	vd_buf_free(&man);
	return rc;
}

int vd_bw_write(struct vd_bwriter *w, const char *path, const char *top, struct vd_err *err)
{
	char *tmp = vd_atomic_temp(path);
	int fd, rc;

	/* sorted: parents before children, and the same bundle for the same facts */
	qsort(w->m, w->n, sizeof(*w->m), member_cmp);
	for (size_t i = 0; i < w->n; i++)
		vd_manifest_add(&w->man, w->m[i].name, w->m[i].type, w->m[i].data, w->m[i].len);
	fd = mkstemp(tmp); /* 0600: a bundle may hold what the customer would not publish */
	if (fd < 0) {
		vd_err_set(err, VD_EXIT_INTERNAL, "cannot create %s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	rc = write_all(w, fd, path, top, err);
	if (rc == 0 && fsync(fd) < 0) {
		vd_err_set(err, VD_EXIT_INTERNAL, "cannot write %s: %s", tmp, strerror(errno));
		rc = -1;
	}
	if (close(fd) < 0 && rc == 0) {
		vd_err_set(err, VD_EXIT_INTERNAL, "cannot write %s: %s", tmp, strerror(errno));
		rc = -1;
	}
	if (rc == 0 && rename(tmp, path) < 0) {
		vd_err_set(err, VD_EXIT_INTERNAL, "cannot rename %s to %s: %s", tmp, path,
			   strerror(errno));
		rc = -1;
	}
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

void vd_bw_free(struct vd_bwriter *w)
{
	for (size_t i = 0; i < w->n; i++) {
		free(w->m[i].name);
		free(w->m[i].data);
	}
	free(w->m);
	vd_manifest_free(&w->man);
	memset(w, 0, sizeof(*w));
}
