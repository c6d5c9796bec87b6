// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Calendar dates of --since/--until (issue 16 #14): a day that does not exist is refused.
 * Host roots as path prefixes.
 */
#include "vd_test.h"

#include "vd_util.h"

static void test_month_lengths(void **state)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	for (int m = 1; m <= 12; m++) {
		assert_true(vd_date_valid(2026, m, 1));
		assert_true(vd_date_valid(2026, m, mdays[m - 1]));
		assert_false(vd_date_valid(2026, m, mdays[m - 1] + 1));
		assert_false(vd_date_valid(2026, m, 0));
	}
	assert_false(vd_date_valid(2026, 0, 1));
	assert_false(vd_date_valid(2026, 13, 1));
}

static void test_leap_years(void **state)
{
	assert_true(vd_date_valid(2024, 2, 29));
	assert_false(vd_date_valid(2026, 2, 29));
	assert_false(vd_date_valid(1900, 2, 29)); /* divisible by 100 */
	assert_true(vd_date_valid(2000, 2, 29));  /* by 400 */
	assert_false(vd_date_valid(2100, 2, 29));
	assert_false(vd_date_valid(2024, 2, 30));
}

static void test_iso_prefix(void **state)
{
	assert_false(vd_iso_date_exists("2026-02-30T00:00:00Z"));
	assert_false(vd_iso_date_exists("2026-04-31 12:00:00"));
	assert_false(vd_iso_date_exists("2025-02-29T00:00:00+01:00"));
	assert_true(vd_iso_date_exists("2024-02-29T00:00:00Z"));
	assert_true(vd_iso_date_exists("2026-11-25T04:15:47.123Z"));
	/* not a date at all: the time parser's to refuse */
	assert_true(vd_iso_date_exists("@1795580147"));
	assert_true(vd_iso_date_exists("yesterday"));
	assert_true(vd_iso_date_exists("2026-2-3"));
}

/* "/" is this system: its files are named /proc/..., not //proc/... */
static void test_root_prefix(void **state)
{
	assert_string_equal(vd_root_prefix(NULL), "");
	assert_string_equal(vd_root_prefix(""), "");
	assert_string_equal(vd_root_prefix("/"), "");
	assert_string_equal(vd_root_prefix("/tmp/sysfs"), "/tmp/sysfs");
	assert_string_equal(vd_root_prefix("fixture/sysfs"), "fixture/sysfs");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_month_lengths),
		cmocka_unit_test(test_leap_years),
		cmocka_unit_test(test_iso_prefix),
		cmocka_unit_test(test_root_prefix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
