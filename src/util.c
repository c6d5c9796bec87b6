// SPDX-License-Identifier: GPL-2.0-or-later
#include "vd_util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vd_err.h"

static void *check(void *p)
{
	/* A diagnostic tool that silently loses data on OOM would lie; abort instead. */
	if (!p)
		abort();
	return p;
}

void *vd_malloc(size_t n)
{
	return check(malloc(n ? n : 1));
}

void *vd_calloc(size_t nmemb, size_t size)
{
	return check(calloc(nmemb ? nmemb : 1, size ? size : 1));
}

void *vd_realloc(void *p, size_t n)
{
	return check(realloc(p, n ? n : 1));
}

char *vd_strdup(const char *s)
{
	return check(strdup(s));
}

char *vd_strndup(const char *s, size_t n)
{
	return check(strndup(s, n));
}

char *vd_memdup0(const void *p, size_t n)
{
	char *d = vd_malloc(n + 1);

	if (n)
		memcpy(d, p, n);
	d[n] = '\0';
	return d;
}

char *vd_vasprintf(const char *fmt, va_list ap)
{
	struct vd_buf b;

	vd_buf_init(&b);
	vd_buf_vaddf(&b, fmt, ap);
	return vd_buf_steal(&b);
}

char *vd_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vd_vasprintf(fmt, ap);
	va_end(ap);
	return s;
}

void vd_strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void vd_buf_init(struct vd_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void vd_buf_free(struct vd_buf *b)
{
	free(b->data);
	vd_buf_init(b);
}

void vd_buf_reset(struct vd_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

static void grow(struct vd_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need <= b->cap)
		return;
	if (need < b->cap * 2)
		need = b->cap * 2;
	if (need < 64)
		need = 64;
	b->data = vd_realloc(b->data, need);
	b->cap = need;
}

void vd_buf_add(struct vd_buf *b, const void *p, size_t n)
{
	grow(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void vd_buf_addc(struct vd_buf *b, char c)
{
	vd_buf_add(b, &c, 1);
}

void vd_buf_adds(struct vd_buf *b, const char *s)
{
	vd_buf_add(b, s, strlen(s));
}

void vd_buf_vaddf(struct vd_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		abort();
	grow(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void vd_buf_addf(struct vd_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vd_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

char *vd_buf_steal(struct vd_buf *b)
{
	char *d;

	if (!b->data)
		return vd_strdup("");
	/* the slack goes back: a table of 10,000 rows keeps 100,000 short strings (issue 14) */
	d = b->cap > b->len + 1 ? vd_realloc(b->data, b->len + 1) : b->data;
	vd_buf_init(b);
	return d;
}

const char *vd_buf_cstr(const struct vd_buf *b)
{
	return b->data ? b->data : "";
}

bool vd_parse_ulong(const char *s, size_t len, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (!s || len == 0 || len > 20)
		return false;
	for (i = 0; i < len; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return false;
		d = (unsigned)(s[i] - '0');
		if (v > (ULONG_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

bool vd_parse_uint_str(const char *s, unsigned long max, unsigned long *out)
{
	return s && vd_parse_ulong(s, strlen(s), max, out);
}

_Thread_local unsigned long vd_work;

static size_t imap_slot(const struct vd_imap *m, unsigned long long key)
{
	unsigned long long h = key * 0x9e3779b97f4a7c15ull;
	size_t i = (size_t)(h ^ (h >> 29)) & (m->cap - 1);

	while (m->vals[i] && m->keys[i] != key) {
		vd_work++;
		i = (i + 1) & (m->cap - 1);
	}
	return i;
}

bool vd_imap_get(const struct vd_imap *m, unsigned long long key, size_t *val)
{
	size_t i;

	if (!m->cap)
		return false;
	vd_work++;
	i = imap_slot(m, key);
	if (!m->vals[i])
		return false;
	*val = m->vals[i] - 1;
	return true;
}

void vd_imap_put(struct vd_imap *m, unsigned long long key, size_t val)
{
	size_t i;

	if (2 * (m->n + 1) > m->cap) {
		struct vd_imap big = { .cap = m->cap ? 2 * m->cap : 64 };

		big.keys = vd_calloc(big.cap, sizeof(*big.keys));
		big.vals = vd_calloc(big.cap, sizeof(*big.vals));
		for (size_t j = 0; j < m->cap; j++) {
			if (!m->vals[j])
				continue;
			i = imap_slot(&big, m->keys[j]);
			big.keys[i] = m->keys[j];
			big.vals[i] = m->vals[j];
			big.n++;
		}
		vd_imap_free(m);
		*m = big;
	}
	i = imap_slot(m, key);
	if (!m->vals[i])
		m->n++;
	m->keys[i] = key;
	m->vals[i] = val + 1;
}

void vd_imap_free(struct vd_imap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

const char *vd_root_prefix(const char *root)
{
	return !root || !*root || strcmp(root, "/") == 0 ? "" : root;
}

bool vd_startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool vd_date_valid(long y, int m, int d)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (m < 1 || m > 12 || d < 1)
		return false;
	return d <= mdays[m - 1] + (m == 2 && leap);
}

bool vd_iso_date_exists(const char *s)
{
	unsigned long y, m, d;

	if (strlen(s) < 10 || s[4] != '-' || s[7] != '-' || !vd_parse_ulong(s, 4, 9999, &y) ||
	    !vd_parse_ulong(s + 5, 2, 99, &m) || !vd_parse_ulong(s + 8, 2, 99, &d))
		return true;
	return vd_date_valid((long)y, (int)m, (int)d);
}

char *vd_atomic_temp(const char *path)
{
	const char *slash = strrchr(path, '/');
	int dlen = slash ? (int)(slash - path + 1) : 0;

	return vd_asprintf("%.*s.%s.XXXXXX", dlen, path, slash ? slash + 1 : path);
}

const char *vd_not_replaceable(const char *path)
{
	struct stat st;

	if (lstat(path, &st) != 0 || S_ISREG(st.st_mode))
		return NULL;
	return S_ISDIR(st.st_mode)   ? "a directory"
	       : S_ISLNK(st.st_mode) ? "a symbolic link"
				     : "a device, FIFO or socket";
}

int vd_write_atomic(const char *path, const void *data, size_t len, unsigned mode,
		    struct vd_err *err)
{
	char *tmp = vd_atomic_temp(path);
	int fd = mkstemp(tmp), e = 0;
	size_t off = 0;

	if (fd < 0) {
		vd_err_set(err, VD_EXIT_INTERNAL, "%s: cannot create a temporary file there: %s",
			   tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	while (off < len && !e) {
		ssize_t n = write(fd, (const char *)data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			e = n < 0 ? errno : EIO;
		else
			off += (size_t)n;
	}
	/* a full disk may only show at fsync or close (NFS) */
	if (!e && (fchmod(fd, (mode_t)mode) != 0 || fsync(fd) != 0))
		e = errno;
	if (close(fd) != 0 && !e)
		e = errno;
	if (!e && rename(tmp, path) != 0)
		e = errno;
	if (e) {
		vd_err_set(err, VD_EXIT_INTERNAL, "%s: cannot write it: %s", path, strerror(e));
		unlink(tmp);
	}
	free(tmp);
	return e ? -1 : 0;
}
