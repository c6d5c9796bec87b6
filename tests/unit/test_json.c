// SPDX-License-Identifier: GPL-2.0-or-later
/* The streaming JSON writer: exact bytes out, escaping, nesting, sticky errors. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vd_json.h"
#include "vd_util.h"

/* A writer on a memory stream; done() checks vd_json_finish and the exact output. */
struct cap {
	FILE *f;
	char *buf;
	size_t len;
	struct vd_json *j;
};

static struct vd_json *start(struct cap *c, bool pretty)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
	c->j = vd_json_new(c->f, pretty);
	assert_non_null(c->j);
	return c->j;
}

static void done(struct cap *c, int want_rc, const char *want)
{
	assert_int_equal(vd_json_finish(c->j), want_rc);
	assert_int_equal(fclose(c->f), 0);
	if (want)
		assert_string_equal(c->buf, want);
	free(c->buf);
}

/* The compact encoding of one string value s[0..len). */
static void check_str(const char *s, size_t len, const char *want)
{
	struct cap c;

	vd_json_strn(start(&c, false), s, len);
	done(&c, 0, want);
}

#define STR(lit, want) check_str(lit, sizeof(lit) - 1, want)

static void test_every_control_byte(void **state)
{
	char in[33];

	for (int i = 0; i < 32; i++)
		in[i] = (char)i;
	in[32] = 0x7f;
	check_str(in, sizeof(in),
		  "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007"
		  "\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f"
		  "\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017"
		  "\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\\u007f\"\n");
}

static void test_quotes_backslash_ascii(void **state)
{
	STR("a\"b\\c/d", "\"a\\\"b\\\\c/d\"\n");
	STR(" !~{}[]:,'", "\" !~{}[]:,'\"\n");
	STR("", "\"\"\n");
	/* An ANSI escape sequence is neutralised like any control. */
	STR("\x1b[31mred", "\"\\u001b[31mred\"\n");
}

static void test_valid_utf8_passes(void **state)
{
	STR("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	    "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"\n");
	/* U+FFFF and U+10FFFF pass; C1 controls (U+0080..U+009F) are escaped: JSON is
	 * printed on terminals as it is, and some obey them. U+00A0 passes. */
	STR("\xc2\x80\xef\xbf\xbf\xf4\x8f\xbf\xbf", "\"\\u0080\xef\xbf\xbf\xf4\x8f\xbf\xbf\"\n");
	STR("\xc2\x9b[2J\xc2\xa0", "\"\\u009b[2J\xc2\xa0\"\n");
}

static void test_line_separators(void **state)
{
	STR("a\xe2\x80\xa8"
	    "b\xe2\x80\xa9"
	    "c",
	    "\"a\\u2028b\\u2029c\"\n");
	/* The bidi controls after them are escaped too (as the text escaper does); the
	 * neighbour before them is left alone. */
	STR("\xe2\x80\xa7\xe2\x80\xaa\xe2\x81\xa6", "\"\xe2\x80\xa7\\u202a\\u2066\"\n");
}

static void test_invalid_utf8(void **state)
{
	/* One U+FFFD per maximal invalid subpart. */
	STR("\x80", "\"\\ufffd\"\n");			    /* stray continuation */
	STR("\xff", "\"\\ufffd\"\n");			    /* never valid */
	STR("\xc0\xaf", "\"\\ufffd\\ufffd\"\n");	    /* overlong, 2 bytes */
	STR("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"\n"); /* overlong, 3 bytes */
	STR("\xf0\x80\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"\n");
	STR("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"\n");	       /* surrogate */
	STR("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"\n"); /* > U+10FFFF */
	STR("\xf5\x80", "\"\\ufffd\\ufffd\"\n");
	STR("\xe2\x82"
	    "x",
	    "\"\\ufffdx\"\n");			/* truncated: one replacement for both bytes */
	STR("a\xf0\x9f\x98", "\"a\\ufffd\"\n"); /* truncated at the end */
	STR("\xc3\xa9\xc3", "\"\xc3\xa9\\ufffd\"\n");
}

static void test_nesting_compact(void **state)
{
	struct cap c;
	struct vd_json *j = start(&c, false);

	vd_json_obj_begin(j);
	vd_json_kint(j, "a", 1);
	vd_json_key(j, "b");
	vd_json_arr_begin(j);
	vd_json_bool(j, true);
	vd_json_bool(j, false);
	vd_json_null(j);
	vd_json_str(j, "x");
	vd_json_obj_begin(j);
	vd_json_obj_end(j);
	vd_json_arr_end(j);
	vd_json_key(j, "c");
	vd_json_obj_begin(j);
	vd_json_key(j, "d");
	vd_json_arr_begin(j);
	vd_json_arr_end(j);
	vd_json_obj_end(j);
	vd_json_kstr(j, "e\n", NULL);
	vd_json_obj_end(j);
	done(&c, 0, "{\"a\":1,\"b\":[true,false,null,\"x\",{}],\"c\":{\"d\":[]},\"e\\n\":null}\n");
}

static void test_nesting_pretty(void **state)
{
	struct cap c;
	struct vd_json *j = start(&c, true);

	vd_json_obj_begin(j);
	vd_json_kstr(j, "name", "vif1.0");
	vd_json_key(j, "queues");
	vd_json_arr_begin(j);
	vd_json_obj_begin(j);
	vd_json_kuint(j, "id", 0);
	vd_json_kbool(j, "ok", true);
	vd_json_obj_end(j);
	vd_json_int(j, -1);
	vd_json_arr_begin(j);
	vd_json_arr_end(j);
	vd_json_arr_end(j);
	vd_json_key(j, "empty");
	vd_json_obj_begin(j);
	vd_json_obj_end(j);
	vd_json_knull(j, "none");
	vd_json_kstrn(j, "raw", "a\0b", 3);
	vd_json_obj_end(j);
	done(&c, 0,
	     "{\n"
	     "  \"name\": \"vif1.0\",\n"
	     "  \"queues\": [\n"
	     "    {\n"
	     "      \"id\": 0,\n"
	     "      \"ok\": true\n"
	     "    },\n"
	     "    -1,\n"
	     "    []\n"
	     "  ],\n"
	     "  \"empty\": {},\n"
	     "  \"none\": null,\n"
	     "  \"raw\": \"a\\u0000b\"\n"
	     "}\n");
}

/* Past the 64 spaces the indentation is written from at once: 2 per level still. */
static void test_deep_indent(void **state)
{
	struct cap c;
	struct vd_json *j = start(&c, true);
	struct vd_buf want;

	(void)state;
	vd_buf_init(&want);
	for (int d = 0; d < 40; d++) {
		vd_json_arr_begin(j);
		vd_buf_addf(&want, "%*s[\n", 2 * d, "");
	}
	vd_json_int(j, 7);
	vd_buf_addf(&want, "%*s7\n", 80, "");
	for (int d = 39; d >= 0; d--) {
		vd_json_arr_end(j);
		vd_buf_addf(&want, "%*s]\n", 2 * d, "");
	}
	done(&c, 0, vd_buf_cstr(&want));
	vd_buf_free(&want);
}

static void test_top_level_values(void **state)
{
	struct cap c;
	struct vd_json *j = start(&c, false);

	/* NDJSON: one line per top-level value. */
	vd_json_obj_begin(j);
	vd_json_kint(j, "n", 1);
	vd_json_obj_end(j);
	vd_json_obj_begin(j);
	vd_json_kint(j, "n", 2);
	vd_json_obj_end(j);
	vd_json_str(j, "s");
	vd_json_arr_begin(j);
	vd_json_arr_end(j);
	done(&c, 0, "{\"n\":1}\n{\"n\":2}\n\"s\"\n[]\n");

	j = start(&c, true);
	vd_json_int(j, 7);
	vd_json_arr_begin(j);
	vd_json_int(j, 8);
	vd_json_arr_end(j);
	done(&c, 0, "7\n[\n  8\n]\n");
}

static void test_numbers(void **state)
{
	struct cap c;
	struct vd_json *j = start(&c, false);

	vd_json_arr_begin(j);
	vd_json_int(j, LLONG_MIN);
	vd_json_int(j, LLONG_MAX);
	vd_json_int(j, 0);
	vd_json_uint(j, ULLONG_MAX);
	vd_json_uint(j, 0);
	vd_json_double(j, 0.5, 3);
	vd_json_double(j, -2.25, 1);
	vd_json_double(j, 1.5, -4);
	vd_json_double(j, NAN, 2);
	vd_json_double(j, INFINITY, 2);
	vd_json_double(j, -INFINITY, 2);
	vd_json_double(j, 1e20, 0);
	vd_json_double(j, 0.1, 40); /* at most 17 decimals: the rest would be noise */
	vd_json_arr_end(j);
	done(&c, 0,
	     "[-9223372036854775808,9223372036854775807,0,18446744073709551615,0,"
	     "0.500,-2.2,2,null,null,null,100000000000000000000,0.10000000000000001]\n");
}

static void test_null_strings(void **state)
{
	struct cap c;
	struct vd_json *j = start(&c, false);

	vd_json_arr_begin(j);
	vd_json_str(j, NULL);
	vd_json_strn(j, NULL, 5);
	vd_json_arr_end(j);
	done(&c, 0, "[null,null]\n");
}

/* Each misuse makes finish() fail; returns after feeding the writer one scenario. */
static void misuse(int scenario)
{
	struct cap c;
	struct vd_json *j = start(&c, false);

	switch (scenario) {
	case 0: /* value in an object without a key */
		vd_json_obj_begin(j);
		vd_json_int(j, 1);
		vd_json_obj_end(j);
		break;
	case 1: /* key in an array */
		vd_json_arr_begin(j);
		vd_json_key(j, "k");
		vd_json_arr_end(j);
		break;
	case 2: /* key at top level */
		vd_json_key(j, "k");
		break;
	case 3: /* two keys in a row */
		vd_json_obj_begin(j);
		vd_json_key(j, "a");
		vd_json_key(j, "b");
		vd_json_int(j, 1);
		vd_json_obj_end(j);
		break;
	case 4: /* ending the wrong container */
		vd_json_obj_begin(j);
		vd_json_arr_end(j);
		break;
	case 5:
		vd_json_arr_begin(j);
		vd_json_obj_end(j);
		break;
	case 6: /* ending with nothing open */
		vd_json_arr_end(j);
		break;
	case 7: /* left open */
		vd_json_obj_begin(j);
		vd_json_kint(j, "a", 1);
		break;
	case 8: /* key without its value, object closed */
		vd_json_obj_begin(j);
		vd_json_key(j, "a");
		vd_json_obj_end(j);
		break;
	case 9: /* key without its value at the end */
		vd_json_obj_begin(j);
		vd_json_key(j, "a");
		break;
	case 10: /* NULL key */
		vd_json_obj_begin(j);
		vd_json_kint(j, NULL, 1);
		vd_json_obj_end(j);
		break;
	case 11: /* sticky: a later balanced sequence does not clear it */
		vd_json_arr_end(j);
		vd_json_arr_begin(j);
		vd_json_arr_end(j);
		break;
	}
	done(&c, -1, NULL);
}

static void test_misuse_detected(void **state)
{
	for (int i = 0; i <= 11; i++)
		misuse(i);
}

static void test_misuse_stops_output(void **state)
{
	struct cap c;
	struct vd_json *j = start(&c, false);

	vd_json_obj_begin(j);
	vd_json_int(j, 1);
	vd_json_kint(j, "a", 2);
	vd_json_obj_end(j);
	/* Nothing after the misuse: no half-valid document that looks complete. */
	done(&c, -1, "{");
}

static void test_write_error(void **state)
{
	FILE *f = fopen("/dev/full", "w");
	struct vd_json *j;

	assert_non_null(f);
	j = vd_json_new(f, true);
	vd_json_obj_begin(j);
	vd_json_kstr(j, "k", "v");
	vd_json_obj_end(j);
	/* Buffered: the failure shows only when finish() flushes. */
	assert_int_equal(vd_json_finish(j), -1);
	fclose(f);

	/* Larger than any stdio buffer, so the write fails before finish(). */
	f = fopen("/dev/full", "w");
	assert_non_null(f);
	j = vd_json_new(f, false);
	vd_json_arr_begin(j);
	for (int i = 0; i < 100000; i++)
		vd_json_str(j, "0123456789");
	vd_json_arr_end(j);
	assert_int_equal(vd_json_finish(j), -1);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_control_byte),
		cmocka_unit_test(test_quotes_backslash_ascii),
		cmocka_unit_test(test_valid_utf8_passes),
		cmocka_unit_test(test_line_separators),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_nesting_compact),
		cmocka_unit_test(test_nesting_pretty),
		cmocka_unit_test(test_deep_indent),
		cmocka_unit_test(test_top_level_values),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_null_strings),
		cmocka_unit_test(test_misuse_detected),
		cmocka_unit_test(test_misuse_stops_output),
		cmocka_unit_test(test_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
