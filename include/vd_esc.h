/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Escaping of hostile bytes. Guest-written values may hold anything: terminal escape
 * sequences, NULs, invalid UTF-8, 4 KiB blobs. Nothing reaches a terminal unescaped.
 */
#ifndef VD_ESC_H
#define VD_ESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vd_util.h"

/*
 * For text output: printable ASCII passes except '\\' (doubled); \t \n \r as such; other
 * bytes below 0x20, DEL, C1 controls (U+0080..U+009F, which some terminals obey) and bytes
 * that are not valid UTF-8 become \xHH; valid printable UTF-8 passes.
 * max > 0 caps the output at about max columns and appends "...(+N bytes)".
 */
void vd_esc_text(struct vd_buf *out, const char *s, size_t len, size_t max);

/*
 * For text our own code composed around guest values it already escaped (finding messages):
 * like vd_esc_text, but a backslash passes as it is, so "\x1b" is not shown as "\\x1b".
 * Any control byte or invalid UTF-8 is still escaped: the terminal stays safe.
 */
void vd_esc_text_composed(struct vd_buf *out, const char *s, size_t len);

/* xenstore-ls escaping (sanitise_value): printable ASCII except '\\' verbatim; \t \n \r \\;
 * bytes below 010 as \ooo; every other byte as \xHH. Used by --raw and by dump output. */
void vd_esc_xsls(struct vd_buf *out, const char *s, size_t len);

/*
 * Reverses vd_esc_xsls, strictly: \t \n \r \\ \xHH (exactly two hex digits) \ooo (exactly
 * three octal digits, value <= 0377). Returns false on any other escape or a lone trailing
 * backslash; *bad (if not NULL) then gets the offset of the offending backslash.
 */
bool vd_unesc_xsls(struct vd_buf *out, const char *s, size_t len, size_t *bad);

/*
 * Decodes the UTF-8 sequence at s (len >= 1 bytes available): returns its length and sets
 * *cp. Bytes that are not well-formed UTF-8 (overlong forms, surrogates, above U+10FFFF,
 * truncated sequences, stray continuation bytes) give VD_UTF8_BAD in *cp and the length of
 * the maximal invalid subpart (>= 1), so that each one is replaced once (Unicode 3.9).
 */
#define VD_UTF8_BAD 0xFFFFFFFFu
size_t vd_utf8_next(const char *s, size_t len, uint32_t *cp);

#endif
