// SPDX-License-Identifier: GPL-2.0-or-later
/* The Prometheus exposition: label escaping of hostile bytes, and the families of a host. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vd_diag.h"
#include "vd_prom.h"

static void check(const char *s, size_t len, const char *want)
{
	struct vd_buf b;

	vd_buf_init(&b);
	vd_prom_escape(&b, s, len);
	assert_string_equal(vd_buf_cstr(&b), want);
	vd_buf_free(&b);
}

#define ESC(lit, want) check(lit, sizeof(lit) - 1, want)

static void test_escape(void **state)
{
	ESC("domu1", "domu1");
	ESC("a\\b", "a\\\\b");
	ESC("say \"hi\"", "say \\\"hi\\\"");
	ESC("two\nlines", "two\\nlines");
	ESC("tab\there\r", "tab\\\\x09here\\\\x0d");
	ESC("\x1b[2J", "\\\\x1b[2J");
	ESC("nul\0byte", "nul\\\\x00byte");
	ESC("del\x7f", "del\\\\x7f");
	ESC("pr\xc3\xb8ve", "pr\xc3\xb8ve");		      /* valid UTF-8 passes */
	ESC("bad\xff\xfe", "bad\xef\xbf\xbd\xef\xbf\xbd");    /* each invalid byte: U+FFFD */
	ESC("cut\xe2\x82", "cut\xef\xbf\xbd");		      /* truncated sequence: one */
	ESC("c1\xc2\x9b", "c1\xef\xbf\xbd");		      /* C1 control (CSI) */
	ESC("over\xc0\xaf", "over\xef\xbf\xbd\xef\xbf\xbd"); /* overlong '/' */
	ESC("", "");
}

static char *render(const struct vd_prom_meta *m)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(vd_render_prom(f, NULL, NULL, m), 0);
	fclose(f);
	return text;
}

static void test_down(void **state)
{
	struct vd_prom_meta m = { .up = false, .reason = "cannot connect to \"x\"\n", .duration_s = 0.5 };
	char *t = render(&m);

	assert_non_null(strstr(t, "# TYPE vifdiag_up gauge\nvifdiag_up 0\n"));
	assert_non_null(strstr(t, "vifdiag_error_info{reason=\"cannot connect to \\\"x\\\"\\n\"} 1\n"));
	assert_non_null(strstr(t, "vifdiag_scrape_duration_seconds 0.500000\n"));
	assert_null(strstr(t, "vifdiag_vif"));
	free(t);
}

static void test_up_without_vifs(void **state)
{
	struct vd_prom_meta m = { .up = true, .duration_s = 0 };
	char *t = render(&m);

	assert_non_null(strstr(t, "vifdiag_up 1\n"));
	assert_null(strstr(t, "# TYPE vifdiag_error_info"));
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_down),
		cmocka_unit_test(test_up_without_vifs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
