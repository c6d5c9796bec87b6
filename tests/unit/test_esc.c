// SPDX-License-Identifier: GPL-2.0-or-later
/* Escaping: xenstore-ls's sanitise_value and its strict reverse, terminal-safe text, UTF-8. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "vd_esc.h"

/* Escapes s[0..len) for text with cap max and compares with the expected output. */
static void check_text(const char *s, size_t len, size_t max, const char *want)
{
	struct vd_buf b;

	vd_buf_init(&b);
	vd_esc_text(&b, s, len, max);
	assert_non_null(b.data);
	assert_string_equal(b.data, want);
	assert_int_equal(b.len, strlen(want));
	vd_buf_free(&b);
}

#define TEXT(lit, max, want) check_text(lit, sizeof(lit) - 1, max, want)

static void check_xsls(const char *s, size_t len, const char *want)
{
	struct vd_buf b;

	vd_buf_init(&b);
	vd_esc_xsls(&b, s, len);
	assert_string_equal(b.data, want);
	vd_buf_free(&b);
}

static void test_xsls_each_byte(void **state)
{
	/* One expectation per byte class, written out rather than computed. */
	static const struct {
		unsigned char c;
		const char *esc;
	} cases[] = {
		{ 0x00, "\\000" }, { 0x01, "\\001" }, { 0x07, "\\007" }, { 0x08, "\\x08" },
		{ '\t', "\\t" },   { '\n', "\\n" },   { 0x0b, "\\x0b" }, { 0x0c, "\\x0c" },
		{ '\r', "\\r" },   { 0x1b, "\\x1b" }, { 0x1f, "\\x1f" }, { ' ', " " },
		{ '"', "\"" },	   { '\\', "\\\\" },  { 'A', "A" },	 { '~', "~" },
		{ 0x7f, "\\x7f" }, { 0x80, "\\x80" }, { 0xc3, "\\xc3" }, { 0xff, "\\xff" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char c = (char)cases[i].c;

		check_xsls(&c, 1, cases[i].esc);
	}
}

static void test_xsls_round_trip_all_bytes(void **state)
{
	char all[256];
	struct vd_buf esc, back;

	for (int i = 0; i < 256; i++)
		all[i] = (char)i;
	vd_buf_init(&esc);
	vd_buf_init(&back);
	vd_esc_xsls(&esc, all, sizeof(all));
	/* 8 x \ooo, 3 named + 1 backslash, 94 printable, the rest \xHH. */
	assert_int_equal(esc.len, 8 * 4 + 4 * 2 + 94 + (256 - 8 - 4 - 94) * 4);
	for (size_t i = 0; i < esc.len; i++)
		assert_true(esc.data[i] >= ' ' && esc.data[i] <= '~');
	assert_true(vd_unesc_xsls(&back, esc.data, esc.len, NULL));
	assert_int_equal(back.len, 256);
	assert_memory_equal(back.data, all, 256);
	vd_buf_free(&esc);
	vd_buf_free(&back);
}

static void test_xsls_mixed(void **state)
{
	static const char in[] = "a\tb\\c\x01\xff\"d e";

	check_xsls(in, sizeof(in) - 1, "a\\tb\\\\c\\001\\xff\"d e");
	check_xsls("", 0, "");
}

static void test_unesc_accepts(void **state)
{
	static const struct {
		const char *in;
		const char *out;
		size_t outlen;
	} cases[] = {
		{ "plain", "plain", 5 },
		{ "\\t\\n\\r\\\\", "\t\n\r\\", 4 },
		{ "\\101\\x4A", "AJ", 2 },
		{ "\\377", "\xff", 1 },
		{ "\\000x", "\0x", 2 },
		{ "\\x00\\xfF", "\0\xff", 2 },
		{ "say \"hi\"", "say \"hi\"", 8 },
		{ "", "", 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vd_buf b;
		size_t bad = 99;

		vd_buf_init(&b);
		assert_true(vd_unesc_xsls(&b, cases[i].in, strlen(cases[i].in), &bad));
		assert_int_equal(bad, 99);
		assert_int_equal(b.len, cases[i].outlen);
		assert_non_null(b.data);
		assert_memory_equal(b.data, cases[i].out, cases[i].outlen + 1);
		vd_buf_free(&b);
	}
}

static void test_unesc_rejects(void **state)
{
	static const struct {
		const char *in;
		size_t bad;
	} cases[] = {
		{ "\\q", 0 },	  { "ab\\", 2 },	 { "\\x4", 0 }, { "\\x4g", 0 },
		{ "\\xg0", 0 },	  { "\\X41", 0 },	 { "\\8", 0 },	{ "\\400", 0 },
		{ "\\07", 0 },	  { "\\0", 0 },		 { "\\", 0 },	{ "x\\ty\\u", 4 },
		{ "\\\\\\.", 2 }, { "ok\\x41\\0a8", 6 }, { "\\a", 0 },	{ "\\\"", 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vd_buf b;
		size_t bad = 99;

		vd_buf_init(&b);
		vd_buf_adds(&b, "keep");
		assert_false(vd_unesc_xsls(&b, cases[i].in, strlen(cases[i].in), &bad));
		assert_int_equal(bad, cases[i].bad);
		/* What was in the buffer stays, nothing half-unescaped is appended. */
		assert_string_equal(b.data, "keep");
		assert_int_equal(b.len, 4);
		assert_false(vd_unesc_xsls(&b, cases[i].in, strlen(cases[i].in), NULL));
		vd_buf_free(&b);
	}
}

static void test_text_ascii(void **state)
{
	TEXT("hello world", 0, "hello world");
	TEXT("a\\b", 0, "a\\\\b");
	TEXT("t\tn\nr\r", 0, "t\\tn\\nr\\r");
	TEXT("\x00\x01\x08\x0b\x1f\x7f", 0, "\\x00\\x01\\x08\\x0b\\x1f\\x7f");
	TEXT("\"quoted\" 'x' ~", 0, "\"quoted\" 'x' ~");
	TEXT("", 0, "");
}

static void test_text_terminal_sequences(void **state)
{
	/* SGR colour, OSC title set, clear screen: none may reach a terminal raw. */
	TEXT("\x1b[31mred\x1b[0m", 0, "\\x1b[31mred\\x1b[0m");
	TEXT("\x1b]0;pwned\x07", 0, "\\x1b]0;pwned\\x07");
	TEXT("\x1b[2J\x1b[H", 0, "\\x1b[2J\\x1b[H");
	/* C1 controls in UTF-8 (CSI U+009B, NEL U+0085, first and last of the range). */
	TEXT("\xc2\x9b"
	     "31m",
	     0, "\\xc2\\x9b31m");
	TEXT("\xc2\x85\xc2\x80\xc2\x9f", 0, "\\xc2\\x85\\xc2\\x80\\xc2\\x9f");
	/* Bidi overrides and line separators would make a value display as another. */
	TEXT("a\xe2\x80\xae"
	     "b",
	     0, "a\\xe2\\x80\\xaeb");
	TEXT("\xe2\x80\xa8\xe2\x80\xa9\xe2\x81\xa6\xd8\x9c\xe2\x80\x8f", 0,
	     "\\xe2\\x80\\xa8\\xe2\\x80\\xa9\\xe2\\x81\\xa6\\xd8\\x9c\\xe2\\x80\\x8f");
}

static void test_text_utf8(void **state)
{
	/* Valid printable UTF-8 of each length passes, U+00A0 is the first after C1. */
	TEXT("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xc2\xa0|", 0,
	     "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xc2\xa0|");
	TEXT("\xf4\x8f\xbf\xbf", 0, "\xf4\x8f\xbf\xbf");
	/* Invalid: each byte on its own. */
	TEXT("\x80", 0, "\\x80");
	TEXT("\xc0\xaf", 0, "\\xc0\\xaf");		     /* overlong '/' */
	TEXT("\xe0\x80\xaf", 0, "\\xe0\\x80\\xaf");	     /* overlong, 3 bytes */
	TEXT("\xed\xa0\x80", 0, "\\xed\\xa0\\x80");	     /* surrogate D800 */
	TEXT("\xf4\x90\x80\x80", 0, "\\xf4\\x90\\x80\\x80"); /* U+110000 */
	TEXT("\xf8\x88\x80\x80\x80", 0, "\\xf8\\x88\\x80\\x80\\x80");
	TEXT("\xe2\x82"
	     "A",
	     0, "\\xe2\\x82A");			      /* truncated, then ASCII */
	TEXT("x\xf0\x9f\x98", 0, "x\\xf0\\x9f\\x98"); /* truncated at the end */
	TEXT("\xff\xfe", 0, "\\xff\\xfe");
}

static void test_text_cap(void **state)
{
	TEXT("abcdef", 3, "abc...(+3 bytes)");
	TEXT("abcdef", 6, "abcdef");
	TEXT("abcdef", 5, "abcde...(+1 bytes)");
	TEXT("abcdef", 0, "abcdef");
	/* An escape is never cut: \x1b is 4 columns and does not fit in the 2 left. */
	TEXT("ab\x1b"
	     "c",
	     4, "ab...(+2 bytes)");
	TEXT("ab\x1b"
	     "c",
	     6, "ab\\x1b...(+1 bytes)");
	TEXT("a\\b", 2, "a...(+2 bytes)");
	/* Nor is a UTF-8 sequence: each takes one column. */
	TEXT("a\xc3\xa9"
	     "b",
	     2, "a\xc3\xa9...(+1 bytes)");
	TEXT("\xc3\xa9\xe2\x82\xac", 1, "\xc3\xa9...(+3 bytes)");
	TEXT("\xf0\x9f\x98\x80xyz", 1, "\xf0\x9f\x98\x80...(+3 bytes)");
	/* The C1 escape is one unit of 8 columns. */
	TEXT("a\xc2\x9b", 8, "a...(+2 bytes)");
	TEXT("a\xc2\x9b", 9, "a\\xc2\\x9b");
}

static void test_text_cap_long(void **state)
{
	char big[4096];
	struct vd_buf b;

	memset(big, 0x1b, sizeof(big));
	vd_buf_init(&b);
	vd_esc_text(&b, big, sizeof(big), 40);
	assert_string_equal(b.data, "\\x1b\\x1b\\x1b\\x1b\\x1b\\x1b\\x1b\\x1b\\x1b\\x1b"
				    "...(+4086 bytes)");
	vd_buf_reset(&b);
	vd_esc_text(&b, big, sizeof(big), 0);
	assert_int_equal(b.len, 4 * 4096);
	vd_buf_free(&b);
}

static void check_utf8(const char *s, size_t len, size_t want_len, uint32_t want_cp)
{
	uint32_t cp = 0;

	assert_int_equal(vd_utf8_next(s, len, &cp), want_len);
	assert_int_equal(cp, want_cp);
}

#define UTF8(lit, n, cp) check_utf8(lit, sizeof(lit) - 1, n, cp)

static void test_utf8_next(void **state)
{
	UTF8("A", 1, 'A');
	UTF8("\x7f", 1, 0x7f);
	UTF8("\xc2\x80", 2, 0x80);
	UTF8("\xdf\xbf", 2, 0x7ff);
	UTF8("\xe0\xa0\x80", 3, 0x800);
	UTF8("\xed\x9f\xbf", 3, 0xd7ff);
	UTF8("\xee\x80\x80", 3, 0xe000);
	UTF8("\xef\xbf\xbf", 3, 0xffff);
	UTF8("\xf0\x90\x80\x80", 4, 0x10000);
	UTF8("\xf4\x8f\xbf\xbf", 4, 0x10ffff);
	/* Maximal invalid subparts (Unicode table 3-8). */
	UTF8("\x80", 1, VD_UTF8_BAD);
	UTF8("\xbf", 1, VD_UTF8_BAD);
	UTF8("\xc0\x80", 1, VD_UTF8_BAD);
	UTF8("\xc1\xbf", 1, VD_UTF8_BAD);
	UTF8("\xc2", 1, VD_UTF8_BAD);
	UTF8("\xc2\x41", 1, VD_UTF8_BAD);
	UTF8("\xe0\x9f\xbf", 1, VD_UTF8_BAD);
	UTF8("\xed\xa0\x80", 1, VD_UTF8_BAD);
	UTF8("\xe2\x82", 2, VD_UTF8_BAD);
	UTF8("\xe2\x82\x41", 2, VD_UTF8_BAD);
	UTF8("\xf0\x8f\xbf\xbf", 1, VD_UTF8_BAD);
	UTF8("\xf0\x9f\x98", 3, VD_UTF8_BAD);
	UTF8("\xf4\x90\x80\x80", 1, VD_UTF8_BAD);
	UTF8("\xf5\x80\x80\x80", 1, VD_UTF8_BAD);
	UTF8("\xff", 1, VD_UTF8_BAD);
	/* len limits the look-ahead even when more bytes follow in memory. */
	check_utf8("\xe2\x82\xac", 2, 2, VD_UTF8_BAD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xsls_each_byte),
		cmocka_unit_test(test_xsls_round_trip_all_bytes),
		cmocka_unit_test(test_xsls_mixed),
		cmocka_unit_test(test_unesc_accepts),
		cmocka_unit_test(test_unesc_rejects),
		cmocka_unit_test(test_text_ascii),
		cmocka_unit_test(test_text_terminal_sequences),
		cmocka_unit_test(test_text_utf8),
		cmocka_unit_test(test_text_cap),
		cmocka_unit_test(test_text_cap_long),
		cmocka_unit_test(test_utf8_next),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
