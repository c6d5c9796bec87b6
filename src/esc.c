// SPDX-License-Identifier: GPL-2.0-or-later
#include "vd_esc.h"

#include <stdio.h>
#include <string.h>

size_t vd_utf8_next(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t need;
	uint32_t v;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	/* C0/C1 would be overlong, F5..FF beyond U+10FFFF, 80..BF a stray continuation. */
	if (u[0] < 0xc2 || u[0] > 0xf4) {
		*cp = VD_UTF8_BAD;
		return 1;
	}
	if (u[0] < 0xe0) {
		need = 2;
		v = u[0] & 0x1f;
	} else if (u[0] < 0xf0) {
		need = 3;
		v = u[0] & 0x0f;
		/* The second byte's range excludes overlongs (E0) and surrogates (ED). */
		if (u[0] == 0xe0)
			lo = 0xa0;
		else if (u[0] == 0xed)
			hi = 0x9f;
	} else {
		need = 4;
		v = u[0] & 0x07;
		/* Likewise overlongs (F0) and code points above U+10FFFF (F4). */
		if (u[0] == 0xf0)
			lo = 0x90;
		else if (u[0] == 0xf4)
			hi = 0x8f;
	}
	for (size_t i = 1; i < need; i++) {
		if (i >= len || u[i] < lo || u[i] > hi) {
			*cp = VD_UTF8_BAD;
			return i;
		}
		v = v << 6 | (u[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*cp = v;
	return need;
}

/* One input character escaped: at most 4 bytes as \xHH each. */
struct unit {
	char buf[16];
	size_t len;  /* bytes in buf */
	size_t cols; /* terminal columns they take */
	size_t in;   /* input bytes consumed */
};

static void unit_hex(struct unit *u, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		u->len += (size_t)snprintf(u->buf + u->len, sizeof(u->buf) - u->len, "\\x%02x",
					   (unsigned char)s[i]);
	u->cols = u->len;
	u->in = n;
}

/* The escapes both formats spell the same way, by name: raw byte and letter. */
static const char named_raw[] = "\t\n\r\\", named_esc[] = "tnr\\";

/* False for bytes that need a numeric escape. */
static bool unit_named(struct unit *u, unsigned char c)
{
	const char *p = c ? strchr(named_raw, c) : NULL;

	if (!p)
		return false;
	u->buf[0] = '\\';
	u->buf[1] = named_esc[p - named_raw];
	u->len = u->cols = 2;
	u->in = 1;
	return true;
}

/*
 * Code points that reorder or break the displayed line (bidi controls, line and paragraph
 * separators): valid and harmless to a terminal's state, but a guest could use them to
 * make one value look like another.
 */
static bool is_layout_control(uint32_t cp)
{
	return cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

static void text_unit(struct unit *u, const char *s, size_t len)
{
	unsigned char c = (unsigned char)s[0];
	uint32_t cp;
	size_t n;

	u->len = 0;
	if (c >= ' ' && c <= '~' && c != '\\') {
		u->buf[0] = (char)c;
		u->len = u->cols = u->in = 1;
		return;
	}
	if (unit_named(u, c))
		return;
	if (c < 0x80) {
		unit_hex(u, s, 1);
		return;
	}
	n = vd_utf8_next(s, len, &cp);
	if (cp == VD_UTF8_BAD) {
		/* Byte by byte: the rest of a bad subpart is itself never valid. */
		unit_hex(u, s, 1);
	} else if (cp <= 0x9f || is_layout_control(cp)) {
		unit_hex(u, s, n);
	} else {
		memcpy(u->buf, s, n);
		u->len = u->in = n;
		u->cols = 1; /* "about": wide and combining characters are not measured */
	}
}

void vd_esc_text(struct vd_buf *out, const char *s, size_t len, size_t max)
{
	size_t i = 0, cols = 0;
	struct unit u;

	vd_buf_add(out, "", 0); /* so that out->data is a string even for "" */
	while (i < len) {
		text_unit(&u, s + i, len - i);
		/* Whole units only: the cap never splits an escape or a UTF-8 sequence. */
		if (max && cols + u.cols > max) {
			vd_buf_addf(out, "...(+%zu bytes)", len - i);
			return;
		}
		vd_buf_add(out, u.buf, u.len);
		cols += u.cols;
		i += u.in;
	}
}

void vd_esc_text_composed(struct vd_buf *out, const char *s, size_t len)
{
	struct unit u;

	vd_buf_add(out, "", 0);
	for (size_t i = 0; i < len; i += u.in) {
		if (s[i] == '\\') {
			vd_buf_addc(out, '\\');
			u.in = 1;
			continue;
		}
		text_unit(&u, s + i, len - i);
		vd_buf_add(out, u.buf, u.len);
	}
}

void vd_esc_xsls(struct vd_buf *out, const char *s, size_t len)
{
	struct unit u;

	vd_buf_add(out, "", 0);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= ' ' && c <= '~' && c != '\\') {
			vd_buf_addc(out, (char)c);
		} else if (unit_named(&u, c)) {
			vd_buf_add(out, u.buf, u.len);
		} else if (c < 010) {
			vd_buf_addf(out, "\\%03o", c);
		} else {
			u.len = 0;
			unit_hex(&u, s + i, 1);
			vd_buf_add(out, u.buf, u.len);
		}
	}
}

static int digit_val(char c, int base)
{
	static const char digits[] = "0123456789abcdef";
	const char *p;

	if (c >= 'A' && c <= 'F')
		c = (char)(c - 'A' + 'a');
	p = c ? strchr(digits, c) : NULL;
	return p && p - digits < base ? (int)(p - digits) : -1;
}

/* Length of the escape at s (s[0] == '\\') and its byte in *c, or 0 if it is not one. */
static size_t unesc_one(const char *s, size_t len, char *c)
{
	const char *p;
	int d0, d1, d2;

	if (len < 2)
		return 0;
	p = s[1] ? strchr(named_esc, s[1]) : NULL;
	if (p) {
		*c = named_raw[p - named_esc];
		return 2;
	}
	if (len < 4)
		return 0;
	if (s[1] == 'x') {
		d1 = digit_val(s[2], 16);
		d2 = digit_val(s[3], 16);
		if (d1 < 0 || d2 < 0)
			return 0;
		*c = (char)(d1 * 16 + d2);
		return 4;
	}
	d0 = digit_val(s[1], 4); /* so that the value stays <= 0377 */
	d1 = digit_val(s[2], 8);
	d2 = digit_val(s[3], 8);
	if (d0 < 0 || d1 < 0 || d2 < 0)
		return 0;
	*c = (char)(d0 * 64 + d1 * 8 + d2);
	return 4;
}

bool vd_unesc_xsls(struct vd_buf *out, const char *s, size_t len, size_t *bad)
{
	size_t start = out->len, i = 0;

	vd_buf_add(out, "", 0);
	while (i < len) {
		const char *bs = memchr(s + i, '\\', len - i);
		size_t run = bs ? (size_t)(bs - (s + i)) : len - i, n;
		char c;

		vd_buf_add(out, s + i, run);
		i += run;
		if (i == len)
			break;
		n = unesc_one(s + i, len - i, &c);
		if (!n) {
			/* Leave out as it was: a half-unescaped value is no use to anyone. */
			out->len = start;
			out->data[start] = '\0';
			if (bad)
				*bad = i;
			return false;
		}
		vd_buf_addc(out, c);
		i += n;
	}
	return true;
}
