// SPDX-License-Identifier: GPL-2.0-or-later
/* Parsing xenstore-ls output: every format it prints, its quirks, and malformed input. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vd_dump.h"
#include "vd_esc.h"
#include "vd_util.h"

static struct vd_snap *parse_len(const char *text, size_t len, struct vd_err *err, int want_rc)
{
	struct vd_snap *s = vd_snap_new();

	vd_err_clear(err);
	assert_int_equal(vd_dump_parse(text, len, "tree.txt", s, err), want_rc);
	return s;
}

/* Parses text that must be accepted; the caller frees the snapshot. */
static struct vd_snap *parse_ok(const char *text)
{
	struct vd_err err;
	struct vd_snap *s = parse_len(text, strlen(text), &err, 0);

	assert_int_equal(err.code, 0);
	return s;
}

static void check_fails_len(const char *text, size_t len, const char *msg)
{
	struct vd_err err;

	vd_snap_free(parse_len(text, len, &err, -1));
	assert_int_equal(err.code, VD_EXIT_SOURCE);
	assert_string_equal(err.msg, msg);
}

static void check_fails(const char *text, const char *msg)
{
	check_fails_len(text, strlen(text), msg);
}

/* The node at path has exactly this value, permissions (NULL: none), flags and line. */
static void check_node(const struct vd_snap *s, const char *path, const char *val, size_t len,
		       const char *perms, unsigned flags, unsigned line)
{
	const struct vd_node *nd = vd_snap_get(s, path);
	struct vd_buf b;

	assert_non_null(nd);
	vd_buf_init(&b);
	assert_string_equal(vd_snap_path(s, nd, &b), path);
	vd_buf_free(&b);
	assert_int_equal(nd->len, len);
	assert_memory_equal(nd->value, val, len);
	assert_int_equal(nd->value[len], '\0');
	if (perms)
		assert_string_equal(nd->perms, perms);
	else
		assert_null(nd->perms);
	assert_int_equal(nd->flags, flags);
	assert_int_equal(nd->line, line);
}

#define NODE(s, path, lit, perms, flags, line)                                                     \
	check_node(s, path, lit, sizeof(lit) - 1, perms, flags, line)

/* The snapshot's paths in order, joined by spaces. */
static void check_paths(const struct vd_snap *s, const char *want)
{
	struct vd_buf b, p;

	vd_buf_init(&b);
	vd_buf_init(&p);
	vd_buf_adds(&b, "");
	for (size_t i = 0; i < vd_snap_count(s); i++)
		vd_buf_addf(&b, "%s%s", i ? " " : "", vd_snap_path(s, vd_snap_at(s, i), &p));
	assert_string_equal(b.data, want);
	vd_buf_free(&p);
	vd_buf_free(&b);
}

static void test_flat_f(void **state)
{
	struct vd_snap *s = parse_ok("/local = \"\"\n"
				     "/local/domain = \"\"\n"
				     "/local/domain/1/name = \"domu1\"\n"
				     "/vm/x = \"a\\tb\\\\c\\x1b\\000\\n\\r\"\n"
				     "/local/domain/1/device/vif/0/mac = \"00:16:3e:00:01:00\"\n");

	check_paths(s, "/local /local/domain /local/domain/1/device/vif/0/mac "
		       "/local/domain/1/name /vm/x");
	NODE(s, "/local", "", NULL, 0, 1);
	NODE(s, "/local/domain/1/name", "domu1", NULL, 0, 3);
	NODE(s, "/vm/x", "a\tb\\c\x1b\0\n\r", NULL, 0, 4);
	NODE(s, "/local/domain/1/device/vif/0/mac", "00:16:3e:00:01:00", NULL, 0, 5);
	/* Ancestors a line implies are the snapshot's business, not stored nodes. */
	assert_null(vd_snap_get(s, "/local/domain/1"));
	assert_int_equal(vd_snap_nwarnings(s), 0);
	vd_snap_free(s);
}

static void test_flat_fp(void **state)
{
	/* As xenstore-ls -fp prints it: three spaces, then the permissions. */
	struct vd_snap *s = parse_ok("/tool = \"\"   (n0)\n"
				     "/local/domain/0/backend/vif/1/0/state = \"4\"   (n0,r1)\n"
				     "/local/domain/1/device/vif/0/state = \"4\"   (n1,r0)\n"
				     "/x = \"v\"   (b5,w3,r0,n12345)\n"
				     "/y = \"no perms\" \n");

	NODE(s, "/tool", "", "n0", 0, 1);
	NODE(s, "/local/domain/0/backend/vif/1/0/state", "4", "n0,r1", 0, 2);
	NODE(s, "/local/domain/1/device/vif/0/state", "4", "n1,r0", 0, 3);
	NODE(s, "/x", "v", "b5,w3,r0,n12345", 0, 4);
	/* Permissions that could not be read leave the separating space alone. */
	NODE(s, "/y", "no perms", NULL, 0, 5);
	vd_snap_free(s);
}

/* xenstore-ls (indented) and xenstore-ls -p, as do_ls() prints them redirected (80 columns). */
static const char indented[] =
	"tool = \"\"\n"
	" xenstored = \"\"\n"
	"local = \"\"\n"
	" domain = \"\"\n"
	"  0 = \"\"\n"
	"   name = \"Domain-0\"\n"
	"   domid = \"0\"\n"
	"  1 = \"\"\n"
	"   name = \"domu1\"\n"
	"   data = \"tab\\there \"q\" \\\\ \\x1b[31m\\000\\xff\"\n"
	"   long = \"01234567890123456789012345678901234567890123456789012345678901234\\...\"\n"
	"vm = \"x\"\n";

static const char indented_p[] =
	"tool = \"\"  . . . . . . . . . . . . . . . . . . . . . . . . .  (n0)\n"
	" xenstored = \"\"  . . . . . . . . . . . . . . . . . . . . . .  (n0)\n"
	"local = \"\" . . . . . . . . . . . . . . . . . . . . . . . . .  (n0)\n"
	" domain = \"\" . . . . . . . . . . . . . . . . . . . . . . . .  (n0)\n"
	"  0 = \"\" . . . . . . . . . . . . . . . . . . . . . . . . . .  (n0)\n"
	"   name = \"Domain-0\" . . . . . . . . . . . . . . . . . . . .  (n0)\n"
	"   domid = \"0\" . . . . . . . . . . . . . . . . . . . . . . .  (n0)\n"
	"  1 = \"\" . . . . . . . . . . . . . . . . . . . . . . . . . .  (n0,r1)\n"
	"   name = \"domu1\"  . . . . . . . . . . . . . . . . . . . . .  (n1,r0)\n"
	"   data = \"tab\\there \"q\" \\\\ \\x1b[31m\\000\\xff\"  . . . . . . .  (b1)\n"
	"   long = \"01234567890123456789012345678901234567890123456789012345678901234\\...\"  "
	"(n1,r0)\n"
	"vm = \"x\" . . . . . . . . . . . . . . . . . . . . . . . . . .  (n0,r1,w2)\n";

static void check_indented_tree(const struct vd_snap *s, bool perms)
{
	check_paths(s, "/local /local/domain /local/domain/0 /local/domain/0/domid "
		       "/local/domain/0/name /local/domain/1 /local/domain/1/data "
		       "/local/domain/1/long /local/domain/1/name /tool /tool/xenstored /vm");
	NODE(s, "/tool/xenstored", "", perms ? "n0" : NULL, 0, 2);
	NODE(s, "/local/domain/0/name", "Domain-0", perms ? "n0" : NULL, 0, 6);
	NODE(s, "/local/domain/1", "", perms ? "n0,r1" : NULL, 0, 8);
	NODE(s, "/local/domain/1/name", "domu1", perms ? "n1,r0" : NULL, 0, 9);
	NODE(s, "/local/domain/1/data", "tab\there \"q\" \\ \x1b[31m\0\xff", perms ? "b1" : NULL, 0,
	     10);
	NODE(s, "/local/domain/1/long",
	     "01234567890123456789012345678901234567890123456789012345678901234",
	     perms ? "n1,r0" : NULL, VD_NODE_TRUNCATED, 11);
	NODE(s, "/vm", "x", perms ? "n0,r1,w2" : NULL, 0, 12);
	assert_int_equal(vd_snap_nwarnings(s), 1);
	assert_string_equal(
		vd_snap_warning(s, 0),
		"tree.txt: 1 value was cut by xenstore-ls to fit the line (the indented "
		"listing cuts even when redirected) (at line 11); capture with "
		"'xenstore-ls -fp > file' (redirected, not on a terminal)");
}

static void test_indented(void **state)
{
	struct vd_snap *s = parse_ok(indented);

	check_indented_tree(s, false);
	vd_snap_free(s);
}

static void test_indented_p(void **state)
{
	struct vd_snap *s = parse_ok(indented_p);

	check_indented_tree(s, true);
	vd_snap_free(s);
}

static void test_indented_depth_back(void **state)
{
	/* Going back up several levels at once, and siblings at depth 0. */
	struct vd_snap *s = parse_ok("a = \"1\"\n"
				     " b = \"2\"\n"
				     "  c = \"3\"\n"
				     "   d = \"4\"\n"
				     " e = \"5\"\n"
				     "f = \"6\"\n"
				     " g:\n");

	check_paths(s, "/a /a/b /a/b/c /a/b/c/d /a/e /f /f/g");
	NODE(s, "/a/b/c/d", "4", NULL, 0, 4);
	NODE(s, "/a/e", "5", NULL, 0, 5);
	NODE(s, "/f/g", "", NULL, VD_NODE_NOVALUE, 7);
	vd_snap_free(s);
}

static void test_unreadable(void **state)
{
	/* do_ls() prints "path:" and a newline, then with -p the permissions on their own line,
	 * or nothing if they could not be read either. The same line is accepted too. */
	struct vd_snap *s = parse_ok("/a/b:\n"
				     "/a/c:  (n0)\n"
				     "/a/d:\n"
				     "  (n0,r1)\n"
				     "/a/e:\n"
				     "\n"
				     "/a/f = \"x\"   (n0)\n");

	NODE(s, "/a/b", "", NULL, VD_NODE_NOVALUE, 1);
	NODE(s, "/a/c", "", "n0", VD_NODE_NOVALUE, 2);
	NODE(s, "/a/d", "", "n0,r1", VD_NODE_NOVALUE, 3);
	NODE(s, "/a/e", "", NULL, VD_NODE_NOVALUE, 5);
	NODE(s, "/a/f", "x", "n0", 0, 7);
	assert_int_equal(vd_snap_count(s), 5);
	vd_snap_free(s);
}

static void test_truncated(void **state)
{
	struct vd_snap *s = parse_ok("/ok = \"fine\"\n"
				     "/a = \"abcdefgh\\...\"\n"
				     "/b = \"ab\\x1\\...\"\n"
				     "/d = \"ab\\\\\\...\"\n"
				     "/e = \"x\\00\\...\"   (n0)\n"
				     "/f = \"\\...\"  (n0,r1)\n"
				     "/g = \"\\x41\\t\\...\"\n"
				     "/h = \"dots...\"\n");

	NODE(s, "/ok", "fine", NULL, 0, 1);
	NODE(s, "/a", "abcdefgh", NULL, VD_NODE_TRUNCATED, 2);
	/* Cut inside an escape: its beginning is dropped. */
	NODE(s, "/b", "ab", NULL, VD_NODE_TRUNCATED, 3);
	NODE(s, "/d", "ab\\", NULL, VD_NODE_TRUNCATED, 4);
	NODE(s, "/e", "x", "n0", VD_NODE_TRUNCATED, 5);
	NODE(s, "/f", "", "n0,r1", VD_NODE_TRUNCATED, 6);
	NODE(s, "/g", "A\t", NULL, VD_NODE_TRUNCATED, 7);
	NODE(s, "/h", "dots...", NULL, 0, 8);
	assert_int_equal(vd_snap_nwarnings(s), 1);
	assert_string_equal(
		vd_snap_warning(s, 0),
		"tree.txt: 6 values were cut by xenstore-ls on a terminal (first at line "
		"2); capture with 'xenstore-ls -fp > file' (redirected, not on a "
		"terminal)");
	vd_snap_free(s);
}

static void test_truncated_ambiguous(void **state)
{
	struct vd_buf b;
	struct vd_snap *s;

	/* "\\..." is a whole value ending in a backslash and dots when nothing was cut... */
	s = parse_ok("/c = \"ab\\\\...\"\n");
	NODE(s, "/c", "ab\\...", NULL, 0, 1);
	assert_int_equal(vd_snap_nwarnings(s), 0);
	vd_snap_free(s);

	/* ...and a cut after a backslash when its line is as wide as those certainly cut:
	 * ' = "' to the closing quote is 19 characters on lines 2 and 3, 11 on line 1. */
	s = parse_ok("/c = \"x\\\\...\"\n"
		     "/b = \"012345678\\\\...\"   (n0)\n"
		     "/a = \"0123456789\\...\"   (n0)\n");
	NODE(s, "/c", "x\\...", NULL, 0, 1);
	NODE(s, "/b", "012345678", "n0", VD_NODE_TRUNCATED, 2);
	NODE(s, "/a", "0123456789", "n0", VD_NODE_TRUNCATED, 3);
	assert_int_equal(vd_snap_nwarnings(s), 1);
	assert_non_null(strstr(vd_snap_warning(s, 0), "2 values were cut by xenstore-ls on a "
						      "terminal (first at line 2)"));
	vd_snap_free(s);

	/* The indented listing cuts at 80 columns even redirected: 81 up to the quote. */
	vd_buf_init(&b);
	vd_buf_adds(&b, "a = \"");
	for (int i = 0; i < 70; i++)
		vd_buf_addc(&b, 'x');
	vd_buf_adds(&b, "\\\\...\"\nb = \"x\\\\...\"\n");
	s = parse_ok(b.data);
	NODE(s, "/a", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	     NULL, VD_NODE_TRUNCATED, 1);
	NODE(s, "/b", "x\\...", NULL, 0, 2);
	vd_snap_free(s);
	vd_buf_free(&b);

	/* A later line of the same path wins, even over a cut decided at the end. */
	s = parse_ok("/b = \"012345678\\\\...\"\n"
		     "/a = \"0123456789\\...\"\n"
		     "/b = \"new\"\n");
	NODE(s, "/b", "new", NULL, 0, 3);
	vd_snap_free(s);
}

static void test_duplicate(void **state)
{
	struct vd_snap *s = parse_ok("/a = \"first\"   (n0)\n"
				     "/b = \"x\"\n"
				     "/a = \"second\"\n");

	NODE(s, "/a", "second", NULL, 0, 3);
	assert_int_equal(vd_snap_count(s), 2);
	assert_int_equal(vd_snap_nwarnings(s), 1);
	assert_string_equal(vd_snap_warning(s, 0),
			    "tree.txt:3: '/a' is listed twice (first at line 1); the later value "
			    "is used");
	vd_snap_free(s);

	/* An unreadable node listed again with a value loses its flag, and vice versa. */
	s = parse_ok("/a:\n/a = \"v\"   (r1)\n/b = \"v\"   (r1)\n/b:\n");
	NODE(s, "/a", "v", "r1", 0, 2);
	NODE(s, "/b", "", NULL, VD_NODE_NOVALUE, 4);
	assert_int_equal(vd_snap_nwarnings(s), 2);
	vd_snap_free(s);
}

static void test_crlf_blank_bom(void **state)
{
	struct vd_snap *s = parse_ok("\xef\xbb\xbf\r\n"
				     "/a = \"x\\r\"\r\n"
				     "   \t \r\n"
				     "\r\n"
				     "/b = \"y\"   (n0)\r\n"
				     "/c:\r\n"
				     "  (r2)\r\n"
				     "/d = \"no final newline\"");

	NODE(s, "/a", "x\r", NULL, 0, 2);
	NODE(s, "/b", "y", "n0", 0, 5);
	NODE(s, "/c", "", "r2", VD_NODE_NOVALUE, 6);
	NODE(s, "/d", "no final newline", NULL, 0, 8);
	vd_snap_free(s);

	s = parse_ok("a = \"1\"\r\n b = \"2\" . . .  (n0)\r\n");
	NODE(s, "/a/b", "2", "n0", 0, 2);
	vd_snap_free(s);

	/* Line numbers count CRLF lines and blank lines. */
	check_fails("\r\n/a = \"x\"\r\n\r\n/b = \"y\r\n", "tree.txt:4: expected a closing '\"'");
}

static void test_empty(void **state)
{
	struct vd_snap *s = parse_ok("");

	assert_int_equal(vd_snap_count(s), 0);
	vd_snap_free(s);
	s = parse_ok("\n\n  \n");
	assert_int_equal(vd_snap_count(s), 0);
	vd_snap_free(s);
}

static void test_look_alikes(void **state)
{
	/* '"' is not escaped: the value runs to the last '"' before the permissions. */
	struct vd_snap *s = parse_ok("/a = \"he said \"hi\"   (n0)\"   (r1)\n"
				     "/b = \"x\"   (n0)\"\n"
				     "/c = \"x . .\"\n"
				     "/d = \"(n0)\"\n"
				     "/e = \"\"\"\n"
				     "/f = \" = \"v\"\"   (n0)\n"
				     "/g = \"a:b\"\n"
				     "/h = \"x\\\\...y\"\n");

	NODE(s, "/a", "he said \"hi\"   (n0)", "r1", 0, 1);
	NODE(s, "/b", "x\"   (n0)", NULL, 0, 2);
	NODE(s, "/c", "x . .", NULL, 0, 3);
	NODE(s, "/d", "(n0)", NULL, 0, 4);
	NODE(s, "/e", "\"", NULL, 0, 5);
	NODE(s, "/f", " = \"v\"", "n0", 0, 6);
	NODE(s, "/g", "a:b", NULL, 0, 7);
	NODE(s, "/h", "x\\...y", NULL, 0, 8);
	vd_snap_free(s);
}

static void test_long_values(void **state)
{
	char raw[4096];
	struct vd_buf line;
	struct vd_snap *s;

	/* Every byte value, so that the escaped line is far longer than 4 KiB. */
	for (size_t i = 0; i < sizeof(raw); i++)
		raw[i] = (char)(i * 7 + i / 256);
	vd_buf_init(&line);
	vd_buf_adds(&line, "/local/domain/1/blob = \"");
	vd_esc_xsls(&line, raw, sizeof(raw));
	vd_buf_adds(&line, "\"   (n1,r0)\n/local/domain/1/ones = \"");
	for (size_t i = 0; i < 4096; i++)
		vd_buf_adds(&line, "\\001");
	vd_buf_adds(&line, "\"\n");
	assert_true(line.len > 4 * 4096 + 4096);
	s = parse_ok(line.data);
	check_node(s, "/local/domain/1/blob", raw, sizeof(raw), "n1,r0", 0, 1);
	memset(raw, 1, sizeof(raw));
	check_node(s, "/local/domain/1/ones", raw, sizeof(raw), NULL, 0, 2);
	vd_snap_free(s);
	vd_buf_free(&line);
}

static void test_errors_flat(void **state)
{
	check_fails("/a = \"x\"\nfoo = \"y\"\n",
		    "tree.txt:2: expected '/path = \"value\"' or '/path:'");
	check_fails("/a = \"x\"\n /b = \"y\"\n",
		    "tree.txt:2: expected '/path = \"value\"' or '/path:'");
	check_fails("/a\n", "tree.txt:1: expected '/path = \"value\"' or '/path:'");
	check_fails("/a = x\n", "tree.txt:1: expected '/path = \"value\"' or '/path:'");
	check_fails("/a=\"x\"\n", "tree.txt:1: path has characters xenstore does not allow: "
				  "'/a=\"x\"'");
	check_fails("/a:junk\n", "tree.txt:1: expected '/path = \"value\"' or '/path:'");
	check_fails("/a = \"x\n", "tree.txt:1: expected a closing '\"'");
	check_fails("/a = \"\n", "tree.txt:1: expected a closing '\"'");
	check_fails("/a = \"x\"y\n", "tree.txt:1: expected a closing '\"'");
	check_fails("/a = \"x\"   (n0)z\n",
		    "tree.txt:1: expected permissions like (n0,r1) after the value");
	check_fails("\n\n/a = \"x\"   (q0)\n",
		    "tree.txt:3: expected permissions like (n0,r1) after the value");
	check_fails("/a = \"x\"   (n0\n",
		    "tree.txt:1: expected permissions like (n0,r1) after the value");
	check_fails("/a = \"x\"   (n)\n",
		    "tree.txt:1: expected permissions like (n0,r1) after the value");
	check_fails("/a = \"x\"   (n0,)\n",
		    "tree.txt:1: expected permissions like (n0,r1) after the value");
	check_fails("/a = \"x\"   ()\n",
		    "tree.txt:1: expected permissions like (n0,r1) after the value");
	check_fails("/a = \"x\" (n0)\n",
		    "tree.txt:1: expected permissions like (n0,r1) after the value");
	check_fails("/a = \"x\" .(n0)\n",
		    "tree.txt:1: expected permissions like (n0,r1) after the value");
	check_fails("/a = \"x\".  (n0)\n",
		    "tree.txt:1: expected permissions like (n0,r1) after the value");
	check_fails("/a:  (n0\n", "tree.txt:1: expected permissions like (n0,r1) after the value");
	check_fails("/a = \"x\\qy\"\n", "tree.txt:1: invalid escape '\\q' in value");
	check_fails("/a = \"x\\x4g\"\n", "tree.txt:1: invalid escape '\\x4g' in value");
	check_fails("/a = \"x\\477\"\n", "tree.txt:1: invalid escape '\\477' in value");
	check_fails("/a = \"x\\\"\n", "tree.txt:1: invalid escape '\\' at the end of the value");
	check_fails("/a = \"x\\\x1b\"\n", "tree.txt:1: invalid escape '\\\\x1b' in value");
	check_fails("/a = \"x\\q\\...\"\n", "tree.txt:1: invalid escape '\\q' in value");
	check_fails("/a/b c = \"\"\n", "tree.txt:1: expected '/path = \"value\"' or '/path:'");
	check_fails("/a/$x = \"\"\n",
		    "tree.txt:1: path has characters xenstore does not allow: '/a/$x'");
	check_fails("/a/\x1b[2J = \"\"\n",
		    "tree.txt:1: path has characters xenstore does not allow: '/a/\\x1b[2J'");
	check_fails("//a = \"\"\n", "tree.txt:1: expected a path without '//' or a trailing '/'");
	check_fails("/a/ = \"\"\n", "tree.txt:1: expected a path without '//' or a trailing '/'");
	check_fails("  (n0)\n", "tree.txt:1: expected a node line, not permissions alone");
	check_fails("/a = \"x\"\n  (n0)\n",
		    "tree.txt:2: expected a node line, not permissions alone");
	check_fails("/a:  (n0)\n  (n0)\n",
		    "tree.txt:2: expected a node line, not permissions alone");
}

static void test_errors_indented(void **state)
{
	check_fails("a = \"\"\n b = \"\"\n   c = \"\"\n",
		    "tree.txt:3: indentation jumps from depth 1 to 3");
	check_fails("\n b = \"\"\n",
		    "tree.txt:2: expected the first node at depth 0, found depth 1");
	check_fails("a = \"\"\n/a/b = \"\"\n",
		    "tree.txt:2: expected 'name = \"value\"' as in the indented listing of line "
		    "1, not a full path");
	check_fails("a = \"\"\n b/c = \"\"\n",
		    "tree.txt:2: name has characters xenstore does not allow: 'b/c'");
	check_fails("a = \"\"\n b\n",
		    "tree.txt:2: expected 'name = \"value\"' or 'name:', indented one space per "
		    "level");
	check_fails("a = \"\"\n b = \"x\" . .  (n0\n",
		    "tree.txt:2: expected permissions like (n0,r1) after the value");
	check_fails("a = \"\"\n :x\n",
		    "tree.txt:2: expected 'name = \"value\"' or 'name:', indented one space per "
		    "level");
}

static void test_file_name_escaped(void **state)
{
	struct vd_snap *s = vd_snap_new();
	struct vd_err err;

	/* File names reach the terminal too. */
	vd_err_clear(&err);
	assert_int_equal(vd_dump_parse("x\n", 2, "a\x1b]0;b", s, &err), -1);
	assert_string_equal(err.msg, "a\\x1b]0;b:1: expected 'name = \"value\"' or 'name:', "
				     "indented one space per level");
	vd_snap_free(s);
}

static void test_nul_byte(void **state)
{
	static const char text[] = "/a = \"x\"\n/b = \"y\0\"\n";

	check_fails_len(text, sizeof(text) - 1,
			"tree.txt:2: expected text, found a NUL byte (is this a xenstore-ls "
			"dump?)");
}

/* Next to this source file, wherever the build ran the compiler from (the top directory). */
static char *data_path_prefix;

static char *data_path(const char *name)
{
	return vd_asprintf("%s%s", data_path_prefix, name);
}

static int find_data(void **state)
{
	const char *slash = strrchr(__FILE__, '/');

	data_path_prefix = slash ? vd_asprintf("%.*s/data/", (int)(slash - __FILE__), __FILE__)
				 : vd_strdup("data/");
	return 0;
}

static int free_data(void **state)
{
	free(data_path_prefix);
	return 0;
}

static void check_real_capture(const struct vd_snap *s)
{
	const struct vd_node *nd;

	/* Every line of the capture is a node, and xenstore-ls -f lists every ancestor. */
	assert_int_equal(vd_snap_count(s), 210);
	assert_int_equal(vd_snap_nwarnings(s), 0);
	NODE(s, "/tool", "", "n0", 0, 1);
	NODE(s, "/local/domain/0/name", "Domain-0", "n0", 0, 11);
	NODE(s, "/local/domain/0/backend/vif/1/0/state", "4", "n0,r1", 0, 30);
	NODE(s, "/local/domain/0/backend/vif/1/1/multi-queue-max-queues", "1", "n0,r1", 0, 70);
	NODE(s, "/local/domain/1/device/vif/0/queue-1/event-channel-rx", "18", "n1,r0", 0, 107);
	NODE(s, "/local/domain/1/device/vif/0/mtu", "1500", "n0,r1", 0, 95);
	nd = vd_snap_get(s, "/local/domain/1/vm");
	assert_non_null(nd);
	assert_string_equal(nd->value, "/vm/27bbf650-b438-492a-a9bb-9baaceb11ce1");
	for (size_t i = 0; i < vd_snap_count(s); i++) {
		nd = vd_snap_at(s, i);
		assert_non_null(nd->perms);
		assert_int_equal(nd->flags, 0);
		assert_true(nd->line >= 1 && nd->line <= 210);
	}
}

static void test_real_capture(void **state)
{
	char *path = data_path("a-bringup-xenstore-ls-fp.txt");
	struct vd_snap *s = vd_snap_new();
	struct vd_err err;

	vd_err_clear(&err);
	assert_int_equal(vd_dump_load_all(path, s, &err), 0);
	assert_int_equal(err.code, 0);
	check_real_capture(s);
	vd_snap_free(s);
	free(path);
}

static struct vd_snap *load_data(const char *name)
{
	char *path = data_path(name);
	struct vd_snap *s = vd_snap_new();
	struct vd_err err;

	vd_err_clear(&err);
	assert_int_equal(vd_dump_load_all(path, s, &err), 0);
	assert_string_equal(err.msg, "");
	free(path);
	return s;
}

/*
 * Every node of ref is in the dump `name` with the same value, or a prefix of it if flagged
 * cut, and the same permissions if both have them; want lists the cut ones, then those
 * missing ("-path"); warning is the one expected, after the file name.
 */
static void check_same_as(const struct vd_snap *ref, const char *name, const char *want,
			  const char *warning)
{
	struct vd_snap *s = load_data(name);
	struct vd_buf cut, missing, p;

	vd_buf_init(&p);
	vd_buf_init(&cut);
	vd_buf_init(&missing);
	vd_buf_adds(&cut, "");
	for (size_t i = 0; i < vd_snap_count(ref); i++) {
		const struct vd_node *r = vd_snap_at(ref, i);
		const char *rpath = vd_snap_path(ref, r, &p);
		const struct vd_node *nd = vd_snap_get(s, rpath);

		if (!nd) {
			vd_buf_addf(&missing, " -%s", rpath);
			continue;
		}
		if (nd->flags & VD_NODE_TRUNCATED) {
			vd_buf_addf(&cut, "%s%s", cut.len ? " " : "", rpath);
			assert_true(nd->len < r->len);
		} else {
			assert_int_equal(nd->len, r->len);
		}
		assert_memory_equal(nd->value, r->value, nd->len);
		if (nd->perms)
			assert_string_equal(nd->perms, r->perms);
	}
	vd_buf_free(&p);
	vd_buf_add(&cut, missing.data ? missing.data : "", missing.len);
	assert_string_equal(cut.data, want);
	/* The warning names the file as it was given. */
	vd_buf_reset(&missing);
	vd_buf_adds(&missing, data_path_prefix);
	vd_buf_addf(&missing, "%s%s", name, warning);
	assert_int_equal(vd_snap_nwarnings(s), 1);
	assert_string_equal(vd_snap_warning(s, 0), missing.data);
	vd_buf_free(&cut);
	vd_buf_free(&missing);
	vd_snap_free(s);
}

static void test_real_xenstore_ls_formats(void **state)
{
	/* Made by xenstore-ls 4.17 itself, see data/README.md. */
	struct vd_snap *ref = load_data("xsls-fp.txt");

	assert_int_equal(vd_snap_count(ref), 216);
	assert_int_equal(vd_snap_nwarnings(ref), 0);
	NODE(ref, "/local/domain/1/data", "tab\there \"q\" \\ \x1b[31m\0\xff", "n0,r5,b7,w3", 0,
	     142);
	NODE(ref, "/local/domain/1/bin", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\x1bzzzzzzzzzz",
	     "n0,r1", 0, 161);
	NODE(ref, "/local/domain/1/oct",
	     "yyyyyyyyyyyyyyyyyyyy\1\2\3\4\5\6\7\1\2\3\4\5\6\7\1\2\3\4\5\6\7", "n0,r1", 0, 163);
	NODE(ref, "/local/domain/1/bs",
	     "zzzzzzzzzzzzzzzzzzzzzzzzz\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\", "n0,r1", 0, 164);
	/* The value really is "a\..." here: the redirected -f listing cuts nothing. */
	NODE(ref, "/local/domain/1/dotsend", "a\\...", "n0,r1", 0, 165);

	check_same_as(ref, "xsls-p.txt", "/local/domain/1/long",
		      ": 1 value was cut by xenstore-ls to fit the line (the indented "
		      "listing cuts even when redirected) (at line 160); capture with 'xenstore-ls "
		      "-fp > file' (redirected, not on a terminal)");
	/* "bs" is cut just after a backslash; "dotsend" is not cut, though it looks the same. */
	check_same_as(ref, "xsls-fp-tty50.txt",
		      "/local/domain/1/bin /local/domain/1/bs /local/domain/1/esc8 "
		      "/local/domain/1/long /local/domain/1/oct",
		      ": 5 values were cut by xenstore-ls on a terminal (first at "
		      "line 160); capture with 'xenstore-ls -fp > file' (redirected, not on a "
		      "terminal)");
	/* Too narrow for one name: it was cut too, which nothing in the listing shows. */
	check_same_as(
		ref, "xsls-tty50.txt",
		"/libxl/1/device/console/0/backend /libxl/1/device/vif/0/backend "
		"/libxl/1/device/vif/0/frontend /libxl/1/device/vif/1/backend "
		"/libxl/1/device/vif/1/frontend "
		"/local/domain/0/backend/vif/1/0/feature-dynamic-multicast-control "
		"/local/domain/0/backend/vif/1/0/frontend "
		"/local/domain/0/backend/vif/1/1/feature-dynamic-multicast-control "
		"/local/domain/0/backend/vif/1/1/frontend /local/domain/1/bin "
		"/local/domain/1/bs /local/domain/1/console/backend "
		"/local/domain/1/device/vif/0/backend /local/domain/1/device/vif/1/backend "
		"/local/domain/1/esc8 /local/domain/1/long /local/domain/1/oct "
		"/local/domain/1/vm /vm/27bbf650-b438-492a-a9bb-9baaceb11ce1/uuid"
		" -/local/domain/1/control/platform-feature-multiprocessor-suspend",
		": 20 values were cut by xenstore-ls to fit the line (the "
		"indented listing cuts even when redirected) (first at line 27); capture with "
		"'xenstore-ls -fp > file' (redirected, not on a terminal)");
	vd_snap_free(ref);
}

static void test_load_stdin(void **state)
{
	char *path = data_path("a-bringup-xenstore-ls-fp.txt");
	struct vd_snap *s = vd_snap_new();
	struct vd_err err;

	assert_non_null(freopen(path, "r", stdin));
	vd_err_clear(&err);
	assert_int_equal(vd_dump_load_all("-", s, &err), 0);
	check_real_capture(s);
	vd_snap_free(s);
	free(path);
}

/*
 * --from keeps only what the model reads (the scale issue: a 10,000-VIF dump in bounded
 * memory), streaming the file: VIF subtrees, names, vm, error nodes, /xapi stay; memory,
 * vbd, /vm, /libxl, /tool go; a domain with nothing kept stays listed; the permissions line
 * of a dropped unreadable node is still accepted.
 */
static void test_load_keeps_vif_subtrees(void **state)
{
	static const char *const kept[] = {
		"/local/domain",
		"/local/domain/0",
		"/local/domain/0/name",
		"/local/domain/0/backend/vif/1/0/state",
		"/local/domain/1/vm",
		"/local/domain/1/device/vif/0/queue-0/tx-ring-ref",
		"/local/domain/1/error/device/vif/0/error",
		"/xapi/u/hotplug/1/vif/0/hotplug",
		"/local/domain/2/memory", /* the first node of a domain with nothing else */
	};
	static const char *const dropped[] = {
		"/tool/xenstored",     "/local/domain/0/memory/target",
		"/local/domain/0/backend/vbd/1/51712/state",
		"/local/domain/1/device/vbd/51712/state",
		"/local/domain/1/control/shutdown", "/vm/u/name", "/libxl/1/device/vif/0/mac",
		"/local/domain/2/memory/target",
	};
	char path[] = "/tmp/vd-test-dump-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	struct vd_snap *s = vd_snap_new();
	const char **names;
	struct vd_err err;

	(void)state;
	assert_non_null(f);
	fputs("/tool = \"\"\n/tool/xenstored = \"\"\n/local = \"\"\n/local/domain = \"\"\n"
	      "/local/domain/0 = \"\"\n/local/domain/0/name = \"Domain-0\"\n"
	      "/local/domain/0/memory/target = \"4\"\n"
	      "/local/domain/0/backend/vbd/1/51712/state = \"4\"\n"
	      "/local/domain/0/backend/vif/1/0/state = \"4\"\n"
	      "/local/domain/1/vm = \"/vm/u\"\n"
	      "/local/domain/1/device/vbd/51712/state = \"4\"\n"
	      "/local/domain/1/device/vif/0/queue-0/tx-ring-ref = \"8\"\n"
	      "/local/domain/1/control/shutdown:\n"
	      "    (n1)\n"
	      "/local/domain/1/error/device/vif/0/error = \"2 bad\"\n"
	      "/local/domain/2/memory = \"\"\n/local/domain/2/memory/target = \"4\"\n"
	      "/vm/u/name = \"g\"\n/libxl/1/device/vif/0/mac = \"m\"\n"
	      "/xapi/u/hotplug/1/vif/0/hotplug = \"online\"\n",
	      f);
	fclose(f);
	vd_err_clear(&err);
	assert_int_equal(vd_dump_load(path, s, &err), 0);
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		if (!vd_snap_get(s, kept[i]))
			fail_msg("%s was dropped", kept[i]);
	for (size_t i = 0; i < sizeof(dropped) / sizeof(dropped[0]); i++)
		if (vd_snap_get(s, dropped[i]))
			fail_msg("%s was kept", dropped[i]);
	assert_int_equal(vd_snap_children(s, "/local/domain", &names), 3);
	free(names);
	vd_snap_free(s);
	s = vd_snap_new();
	assert_int_equal(vd_dump_load_all(path, s, &err), 0);
	assert_int_equal(vd_snap_count(s), 19);
	vd_snap_free(s);
	unlink(path);
}

static void test_load_errors(void **state)
{
	struct vd_snap *s = vd_snap_new();
	struct vd_err err;

	vd_err_clear(&err);
	assert_int_equal(vd_dump_load("/nonexistent/tree.txt", s, &err), -1);
	assert_int_equal(err.code, VD_EXIT_SOURCE);
	assert_string_equal(err.msg,
			    "cannot read '/nonexistent/tree.txt': No such file or directory");
	vd_err_clear(&err);
	assert_int_equal(vd_dump_load("/", s, &err), -1);
	assert_int_equal(err.code, VD_EXIT_SOURCE);
	assert_string_equal(err.msg, "cannot read '/': Is a directory");
	/* The name is escaped like any text that reaches a terminal. */
	vd_err_clear(&err);
	assert_int_equal(vd_dump_load("/nonexistent/\x1b[2J", s, &err), -1);
	assert_string_equal(err.msg,
			    "cannot read '/nonexistent/\\x1b[2J': No such file or directory");
	assert_int_equal(vd_snap_count(s), 0);
	vd_snap_free(s);
}

/* Parses, but holds no /local/domain/0: no xenstore-ls dump of a host (issue 16 #12). */
static void load_text(const char *text, const char *want)
{
	char path[] = "/tmp/vd-test-dump-XXXXXX";
	int fd = mkstemp(path);
	struct vd_snap *s = vd_snap_new();
	struct vd_err err;
	char *msg;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	vd_err_clear(&err);
	assert_int_equal(vd_dump_load(path, s, &err), want ? -1 : 0);
	if (want) {
		assert_int_equal(err.code, VD_EXIT_SOURCE);
		msg = vd_asprintf("%s: %s, not a xenstore-ls dump (a real one always has "
				  "/local/domain/0)",
				  path, want);
		assert_string_equal(err.msg, msg);
		free(msg);
	}
	unlink(path);
	vd_snap_free(s);
}

static void test_load_no_dom0(void **state)
{
	load_text("", "empty");
	load_text("\n\n", "no /local/domain/0 in it");
	load_text("/tool = \"\"\n/tool/xenstored = \"\"\n", "no /local/domain/0 in it");
	load_text("/local = \"\"\n/local/domain = \"\"\n/local/domain/1 = \"\"\n",
		  "no /local/domain/0 in it");
	/* /local/domain/00 is not dom0 */
	load_text("/local/domain/00 = \"\"\n", "no /local/domain/0 in it");
	/* a paste of dom0's backend dir alone is a dump */
	load_text("/local/domain/0/backend/vif/1/0/state = \"4\"\n", NULL);
	load_text("/local/domain/0 = \"\"\n", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flat_f),
		cmocka_unit_test(test_flat_fp),
		cmocka_unit_test(test_indented),
		cmocka_unit_test(test_indented_p),
		cmocka_unit_test(test_indented_depth_back),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_truncated_ambiguous),
		cmocka_unit_test(test_duplicate),
		cmocka_unit_test(test_crlf_blank_bom),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_look_alikes),
		cmocka_unit_test(test_long_values),
		cmocka_unit_test(test_errors_flat),
		cmocka_unit_test(test_errors_indented),
		cmocka_unit_test(test_file_name_escaped),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_real_capture),
		cmocka_unit_test(test_real_xenstore_ls_formats),
		cmocka_unit_test(test_load_stdin),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_load_no_dom0),
		cmocka_unit_test(test_load_keeps_vif_subtrees),
	};

	return cmocka_run_group_tests(tests, find_data, free_data);
}
