/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the libFuzzer targets (tests/fuzz/<target>/fuzz.c): the properties the targets
 * assert on what vifdiag writes. A violated property aborts, which libFuzzer reports as a
 * crash with the input that caused it.
 */
#ifndef VD_FUZZ_H
#define VD_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vd_esc.h"

#define FUZZ_ASSERT(c)                                                                             \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #c);   \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/*
 * The checkers are not code under test: no coverage feedback from them (it steered the
 * search toward shapes of output rather than of input, and cost a fifth of the time of
 * the targets that check whole renders). noinline: an inlined copy would be instrumented.
 */
#define FUZZ_CHECKER __attribute__((no_sanitize("coverage"), noinline))

/*
 * Where a target keeps the files it rewrites per input: TMPDIR if set, else /dev/shm when
 * there is one (tmpfs: file creation on ext4 cost sysfs 2.4x and bundle far more), else /tmp.
 */
static inline const char *fuzz_scratch_base(void)
{
	const char *tmp = getenv("TMPDIR");
	struct stat shm;

	if (tmp && *tmp)
		return tmp;
	return stat("/dev/shm", &shm) == 0 && S_ISDIR(shm.st_mode) ? "/dev/shm" : "/tmp";
}

/* ---- a strict RFC 8259 checker: UTF-8 strings, no raw control byte, no trailing junk ---- */

struct jv {
	const char *s;
	size_t n, i;
	int depth;
};

static inline FUZZ_CHECKER void jv_ws(struct jv *v)
{
	while (v->i < v->n && (v->s[v->i] == ' ' || v->s[v->i] == '\t' || v->s[v->i] == '\n' ||
			       v->s[v->i] == '\r'))
		v->i++;
}

static inline FUZZ_CHECKER bool jv_lit(struct jv *v, const char *w)
{
	size_t k = strlen(w);

	if (v->n - v->i < k || memcmp(v->s + v->i, w, k) != 0)
		return false;
	v->i += k;
	return true;
}

static inline FUZZ_CHECKER bool jv_hex4(struct jv *v)
{
	for (int k = 0; k < 4; k++, v->i++)
		if (v->i >= v->n || !strchr("0123456789abcdefABCDEF", v->s[v->i]) || !v->s[v->i])
			return false;
	return true;
}

static inline FUZZ_CHECKER bool jv_string(struct jv *v)
{
	if (v->i >= v->n || v->s[v->i] != '"')
		return false;
	v->i++;
	while (v->i < v->n) {
		unsigned char c = (unsigned char)v->s[v->i];
		uint32_t cp;

		if (c == '"') {
			v->i++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c == '\\') {
			if (++v->i >= v->n)
				return false;
			c = (unsigned char)v->s[v->i];
			if (c == 'u') {
				v->i++;
				if (!jv_hex4(v))
					return false;
				continue;
			}
			if (!c || !strchr("\"\\/bfnrt", c))
				return false;
			v->i++;
			continue;
		}
		v->i += vd_utf8_next(v->s + v->i, v->n - v->i, &cp);
		if (cp == VD_UTF8_BAD)
			return false;
	}
	return false;
}

static inline FUZZ_CHECKER bool jv_digits(struct jv *v)
{
	size_t st = v->i;

	while (v->i < v->n && v->s[v->i] >= '0' && v->s[v->i] <= '9')
		v->i++;
	return v->i > st;
}

static inline FUZZ_CHECKER bool jv_number(struct jv *v)
{
	if (v->i < v->n && v->s[v->i] == '-')
		v->i++;
	if (v->i < v->n && v->s[v->i] == '0')
		v->i++;
	else if (!jv_digits(v))
		return false;
	if (v->i < v->n && v->s[v->i] == '.') {
		v->i++;
		if (!jv_digits(v))
			return false;
	}
	if (v->i < v->n && (v->s[v->i] == 'e' || v->s[v->i] == 'E')) {
		v->i++;
		if (v->i < v->n && (v->s[v->i] == '+' || v->s[v->i] == '-'))
			v->i++;
		if (!jv_digits(v))
			return false;
	}
	return true;
}

static inline FUZZ_CHECKER bool jv_value(struct jv *v);

static inline FUZZ_CHECKER bool jv_seq(struct jv *v, char close, bool obj)
{
	v->i++;
	jv_ws(v);
	if (v->i < v->n && v->s[v->i] == close) {
		v->i++;
		return true;
	}
	for (;;) {
		jv_ws(v);
		if (obj) {
			if (!jv_string(v))
				return false;
			jv_ws(v);
			if (v->i >= v->n || v->s[v->i] != ':')
				return false;
			v->i++;
		}
		if (!jv_value(v))
			return false;
		jv_ws(v);
		if (v->i >= v->n)
			return false;
		if (v->s[v->i] == close) {
			v->i++;
			return true;
		}
		if (v->s[v->i] != ',')
			return false;
		v->i++;
	}
}

static inline FUZZ_CHECKER bool jv_value(struct jv *v)
{
	bool ok;

	jv_ws(v);
	if (v->i >= v->n)
		return false;
	switch (v->s[v->i]) {
	case '{':
	case '[':
		/* the writer nests as deep as it is asked (the json target asks up to ~8,000
		 * levels in 8 KB): a lower cap here rejected its valid output */
		if (++v->depth > 10000)
			return false;
		ok = jv_seq(v, v->s[v->i] == '{' ? '}' : ']', v->s[v->i] == '{');
		v->depth--;
		return ok;
	case '"':
		return jv_string(v);
	case 't':
		return jv_lit(v, "true");
	case 'f':
		return jv_lit(v, "false");
	case 'n':
		return jv_lit(v, "null");
	default:
		return jv_number(v);
	}
}

/* One JSON document (surrounding whitespace allowed). */
static inline FUZZ_CHECKER bool fuzz_json_valid(const char *s, size_t n)
{
	struct jv v = { s, n, 0, 0 };

	if (!jv_value(&v))
		return false;
	jv_ws(&v);
	return v.i == n;
}

/* NDJSON: every non-empty line is one JSON document. */
static inline FUZZ_CHECKER bool fuzz_ndjson_valid(const char *s, size_t n)
{
	size_t st = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '\n')
			continue;
		if (i > st && !fuzz_json_valid(s + st, i - st))
			return false;
		st = i + 1;
	}
	return true;
}

/*
 * Terminal-safe text: no C0 control but \n (and \t, which terminals only move over), no
 * DEL, no invalid UTF-8, no C1 control (U+0080..U+009F). The escape sequences vifdiag's own
 * colours use are allowed when colour was asked for; the fuzz targets run without it.
 */
static inline FUZZ_CHECKER bool fuzz_text_safe(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t at = i;
		unsigned char c = (unsigned char)s[i];
		uint32_t cp;

		if (c < 0x80) {
			if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
				goto bad;
			i++;
			continue;
		}
		i += vd_utf8_next(s + i, n - i, &cp);
		/* C1 controls, and the bidi and line-separator controls a guest could use to
		 * make one value look like another */
		if (cp == VD_UTF8_BAD || (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c ||
		    cp == 0x200e || cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
		    (cp >= 0x2066 && cp <= 0x2069))
			goto bad;
		continue;
	bad:
		/* the line that holds it, for the crash report */
		while (at > 0 && s[at - 1] != '\n')
			at--;
		fprintf(stderr, "unsafe text at byte %zu: ", i);
		for (size_t k = at; k < n && s[k] != '\n' && k < at + 200; k++)
			fprintf(stderr,
				(unsigned char)s[k] < 0x20 || (unsigned char)s[k] >= 0x7f ? "<%02x>"
											  : "%c",
				(unsigned char)s[k]);
		fputc('\n', stderr);
		return false;
	}
	return true;
}

/* A FILE that collects what a renderer writes, reused across runs of one target. */
struct fuzz_out {
	char *buf;
	size_t len;
	FILE *f;
};

static inline void fuzz_out_open(struct fuzz_out *o)
{
	o->buf = NULL;
	o->len = 0;
	o->f = open_memstream(&o->buf, &o->len);
	FUZZ_ASSERT(o->f);
}

static inline void fuzz_out_close(struct fuzz_out *o)
{
	fclose(o->f);
	free(o->buf);
	o->buf = NULL;
	o->f = NULL;
}

#endif
