/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Streaming JSON writer: no tree is built, keys come out in the order they are written
 * (stable for golden tests), commas and nesting are automatic. Strings are escaped fully:
 * '"', '\\', every byte below 0x20, DEL and the C1 controls U+0080..U+009F as \u00XX (short forms
 * \n \t \r \b \f allowed), bytes that are not valid UTF-8 as U+FFFD (\ufffd), the bidi and
 * line/paragraph separator controls (U+061C, U+200E/F, U+2028..U+202E, U+2066..U+2069) as \uXXXX.
 * I/O errors and misuse (value without key in an object, unbalanced end) are sticky and
 * reported once by vd_json_finish().
 */
#ifndef VD_JSON_H
#define VD_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct vd_json;

/* pretty: two-space indentation and a newline after the top-level value; else compact
 * (one line, still newline-terminated at the end of each top-level value, for NDJSON). */
struct vd_json *vd_json_new(FILE *out, bool pretty);
/* Returns 0 if everything was written and balanced, -1 otherwise; frees j. */
int vd_json_finish(struct vd_json *j);

void vd_json_obj_begin(struct vd_json *j);
void vd_json_obj_end(struct vd_json *j);
void vd_json_arr_begin(struct vd_json *j);
void vd_json_arr_end(struct vd_json *j);
void vd_json_key(struct vd_json *j, const char *key);

void vd_json_str(struct vd_json *j, const char *s); /* NULL writes null */
void vd_json_strn(struct vd_json *j, const char *s, size_t len);
void vd_json_int(struct vd_json *j, long long v);
void vd_json_uint(struct vd_json *j, unsigned long long v);
void vd_json_double(struct vd_json *j, double v, int decimals);
void vd_json_bool(struct vd_json *j, bool v);
void vd_json_null(struct vd_json *j);

/* key + value shorthands */
void vd_json_kstr(struct vd_json *j, const char *key, const char *s); /* NULL -> null */
void vd_json_kstrn(struct vd_json *j, const char *key, const char *s, size_t len);
void vd_json_kint(struct vd_json *j, const char *key, long long v);
void vd_json_kuint(struct vd_json *j, const char *key, unsigned long long v);
void vd_json_kbool(struct vd_json *j, const char *key, bool v);
void vd_json_knull(struct vd_json *j, const char *key);
/* A count or id where a negative value means "not known": null then. */
void vd_json_kint_known(struct vd_json *j, const char *key, long long v);

#endif
