// SPDX-License-Identifier: GPL-2.0-or-later
#include "vd_json.h"

#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vd_esc.h"
#include "vd_util.h"

struct level {
	char close;    /* '}' or ']' */
	bool nonempty; /* a member was written: the next one needs a comma */
};

struct vd_json {
	FILE *out;
	bool pretty;
	bool failed;	  /* sticky: misuse seen */
	bool key_pending; /* a key was written, its value has not been */
	struct level *stack;
	size_t depth, cap;
};

struct vd_json *vd_json_new(FILE *out, bool pretty)
{
	struct vd_json *j = vd_calloc(1, sizeof(*j));

	j->out = out;
	j->pretty = pretty;
	return j;
}

int vd_json_finish(struct vd_json *j)
{
	/* fflush: buffered write errors (ENOSPC) only show up there. */
	bool ok = !j->failed && j->depth == 0 && fflush(j->out) == 0 && !ferror(j->out);

	free(j->stack);
	free(j);
	return ok ? 0 : -1;
}

static void newline_indent(struct vd_json *j)
{
	/* a run of spaces per write, not two per level: a deep document was all fputs calls */
	static const char spaces[] =
		"                                                                ";
	size_t n = 2 * j->depth;

	if (!j->pretty)
		return;
	putc('\n', j->out);
	for (size_t k; n; n -= k) {
		k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;
		fwrite(spaces, 1, k, j->out);
	}
}

/* Separator before a member of the innermost container. */
static void member_sep(struct vd_json *j)
{
	struct level *l = &j->stack[j->depth - 1];

	if (l->nonempty)
		putc(',', j->out);
	l->nonempty = true;
	newline_indent(j);
}

/* Checks that a value may come now and writes what goes before it; false on misuse. */
static bool value_begin(struct vd_json *j)
{
	if (j->failed)
		return false;
	if (j->depth == 0)
		return true;
	if (j->stack[j->depth - 1].close == '}') {
		if (!j->key_pending) {
			j->failed = true;
			return false;
		}
		j->key_pending = false;
		return true;
	}
	member_sep(j);
	return true;
}

/* A complete top-level value ends its line (NDJSON in compact mode). */
static void value_end(struct vd_json *j)
{
	if (j->depth == 0)
		putc('\n', j->out);
}

static void open_level(struct vd_json *j, char open, char close)
{
	if (!value_begin(j))
		return;
	if (j->depth == j->cap) {
		j->cap = j->cap ? j->cap * 2 : 8;
		j->stack = vd_realloc(j->stack, j->cap * sizeof(*j->stack));
	}
	j->stack[j->depth].close = close;
	j->stack[j->depth].nonempty = false;
	j->depth++;
	putc(open, j->out);
}

static void close_level(struct vd_json *j, char close)
{
	if (j->failed)
		return;
	if (j->depth == 0 || j->stack[j->depth - 1].close != close || j->key_pending) {
		j->failed = true;
		return;
	}
	j->depth--;
	if (j->stack[j->depth].nonempty)
		newline_indent(j);
	putc(close, j->out);
	value_end(j);
}

void vd_json_obj_begin(struct vd_json *j)
{
	open_level(j, '{', '}');
}

void vd_json_obj_end(struct vd_json *j)
{
	close_level(j, '}');
}

void vd_json_arr_begin(struct vd_json *j)
{
	open_level(j, '[', ']');
}

void vd_json_arr_end(struct vd_json *j)
{
	close_level(j, ']');
}

static void put_string(struct vd_json *j, const char *s, size_t len)
{
	size_t i = 0;

	putc('"', j->out);
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		uint32_t cp;
		size_t n;

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			putc(c, j->out);
			i++;
			continue;
		}
		n = vd_utf8_next(s + i, len - i, &cp);
		switch (cp) {
		case '"':
			fputs("\\\"", j->out);
			break;
		case '\\':
			fputs("\\\\", j->out);
			break;
		case '\n':
			fputs("\\n", j->out);
			break;
		case '\t':
			fputs("\\t", j->out);
			break;
		case '\r':
			fputs("\\r", j->out);
			break;
		case '\b':
			fputs("\\b", j->out);
			break;
		case '\f':
			fputs("\\f", j->out);
			break;
		case VD_UTF8_BAD:
			fputs("\\ufffd", j->out);
			break;
		default:
			/* Controls, DEL, C1 controls (some terminals obey them when the JSON is
			 * printed as it is), the bidi and separator controls the text escaper
			 * also escapes (U+2028/2029 are newlines to JavaScript). */
			if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x061c ||
			    cp == 0x200e || cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
			    (cp >= 0x2066 && cp <= 0x2069))
				fprintf(j->out, "\\u%04x", (unsigned)cp);
			else
				fwrite(s + i, 1, n, j->out);
		}
		i += n;
	}
	putc('"', j->out);
}

void vd_json_key(struct vd_json *j, const char *key)
{
	if (j->failed)
		return;
	if (j->depth == 0 || j->stack[j->depth - 1].close != '}' || j->key_pending || !key) {
		j->failed = true;
		return;
	}
	member_sep(j);
	put_string(j, key, strlen(key));
	fputs(j->pretty ? ": " : ":", j->out);
	j->key_pending = true;
}

/* A scalar already formatted as JSON text. */
static void put_scalar(struct vd_json *j, const char *text)
{
	if (!value_begin(j))
		return;
	fputs(text, j->out);
	value_end(j);
}

void vd_json_strn(struct vd_json *j, const char *s, size_t len)
{
	if (!s) {
		vd_json_null(j);
		return;
	}
	if (!value_begin(j))
		return;
	put_string(j, s, len);
	value_end(j);
}

void vd_json_str(struct vd_json *j, const char *s)
{
	vd_json_strn(j, s, s ? strlen(s) : 0);
}

void vd_json_int(struct vd_json *j, long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", v);
	put_scalar(j, buf);
}

void vd_json_uint(struct vd_json *j, unsigned long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", v);
	put_scalar(j, buf);
}

void vd_json_double(struct vd_json *j, double v, int decimals)
{
	const char *dp = localeconv()->decimal_point;
	char buf[512];
	char *p;

	/* JSON has no NaN or infinity. */
	if (!isfinite(v)) {
		put_scalar(j, "null");
		return;
	}
	if (decimals < 0)
		decimals = 0;
	if (decimals > 17)
		decimals = 17;
	snprintf(buf, sizeof(buf), "%.*f", decimals, v);
	/* A program that called setlocale() may get "0,5"; JSON wants "0.5". */
	p = strcmp(dp, ".") != 0 ? strstr(buf, dp) : NULL;
	if (p) {
		*p = '.';
		memmove(p + 1, p + strlen(dp), strlen(p + strlen(dp)) + 1);
	}
	put_scalar(j, buf);
}

void vd_json_bool(struct vd_json *j, bool v)
{
	put_scalar(j, v ? "true" : "false");
}

void vd_json_null(struct vd_json *j)
{
	put_scalar(j, "null");
}

void vd_json_kstr(struct vd_json *j, const char *key, const char *s)
{
	vd_json_key(j, key);
	vd_json_str(j, s);
}

void vd_json_kstrn(struct vd_json *j, const char *key, const char *s, size_t len)
{
	vd_json_key(j, key);
	vd_json_strn(j, s, len);
}

void vd_json_kint(struct vd_json *j, const char *key, long long v)
{
	vd_json_key(j, key);
	vd_json_int(j, v);
}

void vd_json_kuint(struct vd_json *j, const char *key, unsigned long long v)
{
	vd_json_key(j, key);
	vd_json_uint(j, v);
}

void vd_json_kbool(struct vd_json *j, const char *key, bool v)
{
	vd_json_key(j, key);
	vd_json_bool(j, v);
}

void vd_json_knull(struct vd_json *j, const char *key)
{
	vd_json_key(j, key);
	vd_json_null(j);
}

void vd_json_kint_known(struct vd_json *j, const char *key, long long v)
{
	if (v >= 0)
		vd_json_kint(j, key, v);
	else
		vd_json_knull(j, key);
}
