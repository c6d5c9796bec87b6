// SPDX-License-Identifier: MIT
/* Small helpers: allocation that cannot fail, buffers, NUL-string parsing. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "xsd.h"

static void oom(void)
{
	/* A test instrument has nothing sensible to do without memory. */
	fputs("vd-xenstored: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);

	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *xmemdup(const void *p, size_t n)
{
	char *d = xmalloc(n + 1);

	if (n)
		memcpy(d, p, n);
	d[n] = '\0';
	return d;
}

char *xstrdup(const char *s)
{
	return xmemdup(s, strlen(s));
}

static char *vfmt(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		oom();
	return s;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vfmt(fmt, ap);
	va_end(ap);
	return s;
}

unsigned int count_nuls(const char *s, size_t len)
{
	unsigned int n = 0;
	size_t i;

	for (i = 0; i < len; i++)
		n += s[i] == '\0';
	return n;
}

/* Length (with NUL) of the string at off, 0 if unterminated: C's get_string(). */
size_t get_string(const char *buf, size_t len, size_t off)
{
	const char *nul;

	if (off >= len)
		return 0;
	nul = memchr(buf + off, 0, len - off);
	return nul ? (size_t)(nul - (buf + off)) + 1 : 0;
}

uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* "250ms", "1.5s", "2" (seconds). */
int parse_duration_ms(const char *s, long *ms)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || v < 0)
		return -1;
	if (!strcmp(end, "ms"))
		*ms = (long)v;
	else if (!strcmp(end, "s") || !*end)
		*ms = (long)(v * 1000.0);
	else
		return -1;
	return 0;
}

void buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_addz(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s) + 1);
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vfmt(fmt, ap);
	va_end(ap);
	buf_adds(b, s);
	free(s);
}

void buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}
