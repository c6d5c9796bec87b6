/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers: allocation that cannot fail silently, a growable byte buffer, number parsing. */
#ifndef VD_UTIL_H
#define VD_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* Out of memory is not recoverable for a diagnostic CLI: these abort(), they never return NULL. */
void *vd_malloc(size_t n);
void *vd_calloc(size_t nmemb, size_t size);
void *vd_realloc(void *p, size_t n);
char *vd_strdup(const char *s);
char *vd_strndup(const char *s, size_t n);
char *vd_memdup0(const void *p, size_t n); /* n bytes plus a terminating NUL */
char *vd_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *vd_vasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/* Frees n strings and the array holding them. */
void vd_strv_free(char **v, size_t n);

/* Growable byte buffer; data is always NUL-terminated (data may also contain NULs). */
struct vd_buf {
	char *data;
	size_t len;
	size_t cap;
};

void vd_buf_init(struct vd_buf *b);
void vd_buf_free(struct vd_buf *b);
void vd_buf_reset(struct vd_buf *b);
void vd_buf_add(struct vd_buf *b, const void *p, size_t n);
void vd_buf_addc(struct vd_buf *b, char c);
void vd_buf_adds(struct vd_buf *b, const char *s);
void vd_buf_addf(struct vd_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vd_buf_vaddf(struct vd_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
char *vd_buf_steal(struct vd_buf *b);		 /* returns data (never NULL), leaves b empty */
const char *vd_buf_cstr(const struct vd_buf *b); /* data, or "" before the first add */

/*
 * Parses a whole decimal unsigned number of exactly len bytes (no sign, no spaces, no
 * leading '+', at most max). Guest data is hostile: anything else is rejected.
 */
bool vd_parse_ulong(const char *s, size_t len, unsigned long max, unsigned long *out);
/* Same on a NUL-terminated string. */
bool vd_parse_uint_str(const char *s, unsigned long max, unsigned long *out);

/* True if y-m-d is a day of the proleptic Gregorian calendar (2026-02-30 is not one). */
bool vd_date_valid(long y, int m, int d);
/*
 * For a time as people type it: false if s starts with a well-formed YYYY-MM-DD that names
 * no day (mktime and timegm would silently roll 02-30 into March); true otherwise, the
 * rest of the syntax being the time parser's job.
 */
bool vd_iso_date_exists(const char *s);

/* True if s starts with prefix. */
bool vd_startswith(const char *s, const char *prefix);
/* A host root as a prefix of absolute paths: "" for NULL, "" and "/" (this system). */
const char *vd_root_prefix(const char *root);

/*
 * Writing FILE atomically: vd_atomic_temp gives a mkstemp template (a hidden name beside
 * FILE, so a directory reader that wants *.prom or *.tar.gz never sees it half-written);
 * vd_not_replaceable says why FILE is not ours to replace (a rename would put a file in
 * place of a device, FIFO, directory or link: as root, /dev/null), NULL when FILE is a
 * regular file or absent.
 */
char *vd_atomic_temp(const char *path);
const char *vd_not_replaceable(const char *path);
/* len bytes into path that way, mode (0600 is mkstemp's) before the rename; -1 with errno,
 * nothing left behind. */
int vd_write_atomic(const char *path, const void *data, size_t len, unsigned mode);

/* An integer-keyed hash map to indexes (domids, VIFs): O(1) lookups on large hosts. */
struct vd_imap {
	unsigned long long *keys;
	size_t *vals; /* value + 1; 0: empty slot */
	size_t cap, n;
};
bool vd_imap_get(const struct vd_imap *m, unsigned long long key, size_t *val);
void vd_imap_put(struct vd_imap *m, unsigned long long key, size_t val);
void vd_imap_free(struct vd_imap *m);

/*
 * Comparisons made by the lookups that must stay near-linear on large hosts and logs
 * (pairing VIF ends, duplicate netdev names, the log tracker's per-record work). Only the
 * tests read it: they bound it on large inputs instead of timing anything.
 */
extern unsigned long vd_work;

#endif
