// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * xen-hotplug.log lines (vd_hotplug.h): every shape the scripts' commands print for a
 * missing netdev, the scripts' own lines, lookalikes that are none of them, hostile bytes
 * (NUL, control bytes, long names and lines); the two hotplug rules on built models.
 */
#include "vd_test.h"

#include <unistd.h>

#include "vd_hotplug.h"

static enum vd_hp_kind kind_of(const char *s, char name[VD_HP_NAME_MAX])
{
	return vd_hp_classify(s, strlen(s), name, NULL);
}

static void test_nodev_shapes(void **state)
{
	static const struct {
		const char *line, *name;
	} cases[] = {
		{ "Cannot find device \"vif3.0\"", "vif3.0" },	    /* ip link set dev */
		{ "Device \"vif3.0\" does not exist.", "vif3.0" },  /* ip addr flush dev */
		{ "interface vif12.1 does not exist!", "vif12.1" }, /* brctl addif */
		{ "vif44.0: ERROR while getting interface flags: No such device", "vif44.0" },
		{ "can't add vif3.0 to bridge xenbr0: No such device", "vif3.0" },
		{ "Cannot find device \"web0\"\r", "web0" },		 /* CRLF */
		{ "Cannot find device \"vif3.0-emu\"  ", "vif3.0-emu" }, /* trailing blanks */
	};
	char name[VD_HP_NAME_MAX];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(kind_of(cases[i].line, name), VD_HP_NODEV);
		assert_string_equal(name, cases[i].name);
	}
}

static void test_not_nodev(void **state)
{
	static const char *const lines[] = {
		"",
		"RTNETLINK answers: No such device", /* names no netdev */
		"SIOCSIFFLAGS: No such device",
		"Cannot find device \"\"",
		"Cannot find device \"vif3.0\" and more",
		"Cannot find device \"a/b\"", /* '/' is no name byte */
		"Cannot find device \"has space\"",
		"Cannot find device \"sixteen-chars-xx\"", /* IFNAMSIZ - 1 is the most */
		"Cannot find device \"..\"",
		"bridge xenbr0 does not exist!", /* the bridge, not the vif */
		"can't add vif3.0 to bridge xenbr0: Device or resource busy",
		": ERROR while getting interface flags: No such device",
		"xenstore-read: couldn't read path backend/vif/3/0/vifname",
	};
	char name[VD_HP_NAME_MAX];

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		assert_int_equal(kind_of(lines[i], name), VD_HP_OTHER);
		assert_string_equal(name, "");
	}
}

static void test_script_lines(void **state)
{
	char name[VD_HP_NAME_MAX], *xp = NULL;
	const char *l1 =
		"/etc/xen/scripts/vif-bridge online type_if=vif XENBUS_PATH=backend/vif/3/0";
	const char *l2 = "/etc/xen/scripts/vif-bridge: line 90: brctl: command not found";
	const char *l3 = "/etc/xen/scripts/vif-bridge Could not find bridge device xenbr9";

	assert_int_equal(vd_hp_classify(l1, strlen(l1), name, &xp), VD_HP_SCRIPT);
	assert_string_equal(xp, "backend/vif/3/0");
	free(xp);
	assert_int_equal(vd_hp_classify(l2, strlen(l2), name, &xp), VD_HP_SCRIPT);
	assert_null(xp);
	assert_int_equal(vd_hp_classify(l3, strlen(l3), name, &xp), VD_HP_SCRIPT);
	assert_null(xp);
	assert_int_equal(kind_of("/", name), VD_HP_OTHER);
	assert_int_equal(kind_of("/etc/xen/scripts/", name), VD_HP_OTHER);
	assert_int_equal(kind_of("/etc/x\033[2Jen run", name), VD_HP_OTHER);
}

static void test_hostile_bytes(void **state)
{
	static const char nul[] = "Cannot find device \"vif3\0.0\"";
	static const char ctl[] = "Cannot find device \"vif\0333.0\"";
	static const char hi[] = "Cannot find device \"vif\3013.0\"";
	char name[VD_HP_NAME_MAX], *xp = NULL;
	static const char xnul[] = "/etc/xen/scripts/vif-bridge XENBUS_PATH=backend/vif/3/0\0x";

	assert_int_equal(vd_hp_classify(nul, sizeof(nul) - 1, name, NULL), VD_HP_OTHER);
	assert_int_equal(vd_hp_classify(ctl, sizeof(ctl) - 1, name, NULL), VD_HP_OTHER);
	assert_int_equal(vd_hp_classify(hi, sizeof(hi) - 1, name, NULL), VD_HP_OTHER);
	/* the path stops at the first byte that is no path byte */
	assert_int_equal(vd_hp_classify(xnul, sizeof(xnul) - 1, name, &xp), VD_HP_SCRIPT);
	assert_string_equal(xp, "backend/vif/3/0");
	free(xp);
}

static char *temp_file(const void *data, size_t len)
{
	char *path = vd_strdup("/tmp/vd-hplog-XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

static void test_read_file(void **state)
{
	struct vd_buf b;
	struct vd_hplog l;
	struct vd_err err;
	char *path;

	vd_buf_init(&b);
	vd_buf_addf(&b, "%s", "RTNETLINK answers: No such device\n");
	vd_buf_add(&b, "x\0y\001\n", 5); /* NUL and a control byte */
	for (int i = 0; i < 10000; i++)	 /* a long line: cut, not kept */
		vd_buf_add(&b, "A", 1);
	vd_buf_addf(&b, "%s", "\nCannot find device \"vif3.0\"\n");
	vd_buf_addf(&b, "Cannot find device \"vif3.0\""); /* no final newline */
	path = temp_file(b.data, b.len);
	vd_err_clear(&err);
	assert_int_equal(vd_hplog_read(path, "xen-hotplug.log", false, &l, &err), 0);
	assert_int_equal(l.nlines, 5);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.lines[0].line, 4);
	assert_int_equal(l.lines[1].line, 5);
	assert_string_equal(l.lines[0].name, "vif3.0");
	assert_string_equal(l.file, "xen-hotplug.log");
	vd_hplog_free(&l);
	/* a bundle's tail: its first line is a cut one and never counts */
	assert_int_equal(vd_hplog_read(path, "t", true, &l, &err), 0);
	assert_int_equal(l.n, 2);
	vd_hplog_free(&l);
	unlink(path);
	free(path);
	vd_buf_free(&b);
	assert_int_equal(vd_hplog_read("/nonexistent/xen-hotplug.log", "nope.log", false, &l, &err),
			 -1);
	assert_int_equal(err.code, VD_EXIT_SOURCE);
	assert_non_null(strstr(err.msg, "nope.log"));
}

static void test_read_keeps_newest(void **state)
{
	struct vd_buf b;
	struct vd_hplog l;
	struct vd_err err;
	char *path;

	vd_buf_init(&b);
	for (int i = 0; i < 10000; i++)
		vd_buf_addf(&b, "Cannot find device \"vif%d.0\"\n", i);
	path = temp_file(b.data, b.len);
	vd_err_clear(&err);
	assert_int_equal(vd_hplog_read(path, "big", false, &l, &err), 0);
	assert_true(l.n <= 4096 && l.n > 0);
	assert_string_equal(l.lines[l.n - 1].name, "vif9999.0");
	assert_int_equal(l.lines[l.n - 1].line, 10000);
	vd_hplog_free(&l);
	unlink(path);
	free(path);
	vd_buf_free(&b);
}

/* A log of the given lines, classified as the reader would. */
static void log_of(struct vd_hplog *l, const char *const *lines, size_t n)
{
	memset(l, 0, sizeof(*l));
	l->file = vd_strdup("xen-hotplug.log");
	l->lines = vd_calloc(n, sizeof(*l->lines));
	for (size_t i = 0; i < n; i++) {
		struct vd_hp_line *x = &l->lines[l->n];

		x->kind = vd_hp_classify(lines[i], strlen(lines[i]), x->name, &x->xenbus_path);
		x->line = i + 1;
		x->text = vd_strdup(lines[i]);
		x->len = strlen(lines[i]);
		l->n++;
	}
}

static const char *const race[] = {
	"Cannot find device \"vif1.0\"", "Device \"vif1.0\" does not exist.",
	"Cannot find device \"vif7.0\"", /* another VIF */
};

static void test_rule_no_netdev(void **state)
{
	struct vdt *t = *state;
	struct vd_hplog l;
	struct vd_vif *v;
	const struct vd_finding *f;

	vdt_std(t, "4", "2", VDT_HOTPLUG_EMPTY);
	vdt_build(t, true);
	log_of(&l, race, 3);
	vd_diagnose_hotplug_log(t->host, &l);
	v = vdt_vif(t, 1, 0);
	f = vdt_finding(v, "hotplug-no-netdev");
	assert_int_equal(f->sev, VD_SEV_ERROR);
	assert_non_null(strstr(f->msg, "vif1.0 existed (xen-hotplug.log:2, 2 lines"));
	assert_int_equal(f->nev, 2);
	assert_string_equal(f->ev[0].where, "xen-hotplug.log:1");
	assert_string_equal(f->ev[1].value, "Device \"vif1.0\" does not exist.");
	vd_hplog_free(&l);
}

static void test_rule_no_netdev_history(void **state)
{
	struct vdt *t = *state;
	struct vd_hplog l;
	struct vd_vif *v;

	vdt_std(t, "4", "4", 0);
	vdt_build(t, true);
	log_of(&l, race, 3);
	vd_diagnose_hotplug_log(t->host, &l);
	v = vdt_vif(t, 1, 0);
	/* plugged now: the line is history (or an earlier domain 1's) */
	assert_int_equal(vdt_finding(v, "hotplug-no-netdev")->sev, VD_SEV_INFO);
	vd_hplog_free(&l);
	/* no line names it: nothing */
	log_of(&l, race + 2, 1);
	vd_host_free(t->host);
	vdt_build(t, true);
	vd_diagnose_hotplug_log(t->host, &l);
	assert_string_equal(vdt_codes(t, vdt_vif(t, 1, 0)), "");
	vd_hplog_free(&l);
}

static void test_rule_udev_xenopsd(void **state)
{
	struct vdt *t = *state;
	const struct vd_finding *f;

	vdt_std(t, "4", "2", VDT_HOTPLUG_NONE | VDT_NO_BRIDGE);
	vdt_line(t, "/local/domain/0/libxl", "");
	vdt_line(t, "/local/domain/0/libxl/disable_udev", "1");
	vdt_line(t, "/xapi", "");
	vdt_build(t, true);
	f = vdt_finding(vdt_vif(t, 1, 0), "udev-disabled");
	assert_int_equal(f->sev, VD_SEV_ERROR);
	assert_non_null(strstr(f->hint, "xenstore-rm /local/domain/0/libxl/disable_udev"));
	assert_string_equal(f->ev[0].where, "/xapi");
}

static void test_rule_udev_quiet(void **state)
{
	struct vdt *t = *state;

	/* libxl runs dom0's scripts itself: the key is no cause */
	vdt_std(t, "4", "2", VDT_HOTPLUG_EMPTY);
	vdt_line(t, "/local/domain/0/libxl", "");
	vdt_line(t, "/local/domain/0/libxl/disable_udev", "1");
	vdt_build(t, true);
	assert_null(strstr(vdt_codes(t, vdt_vif(t, 1, 0)), "udev-disabled"));
}

static void test_rule_udev_quiet_connected(void **state)
{
	struct vdt *t = *state;

	/* the key appeared after the plug: the VIF is fine */
	vdt_std(t, "4", "4", 0);
	vdt_line(t, "/local/domain/0/libxl", "");
	vdt_line(t, "/local/domain/0/libxl/disable_udev", "1");
	vdt_line(t, "/xapi", "");
	vdt_build(t, true);
	assert_null(strstr(vdt_codes(t, vdt_vif(t, 1, 0)), "udev-disabled"));
}

static void test_rule_udev_driver_domain(void **state)
{
	struct vdt *t = *state;
	const struct vd_finding *f;

	vdt_domain(t, 0, "Domain-0");
	vdt_domain(t, 1, "domu1");
	vdt_domain(t, 2, "netdd");
	vdt_backend(t, 2, 1, 0, "2", VDT_HOTPLUG_EMPTY);
	vdt_frontend(t, 1, 2, 0, "4", 0);
	vdt_line(t, "/local/domain/2/libxl", "");
	vdt_line(t, "/local/domain/2/libxl/disable_udev", "1");
	vdt_build(t, true);
	f = vdt_finding(vdt_vif(t, 1, 0), "udev-disabled");
	assert_non_null(strstr(f->msg, "driver domain 2"));
	assert_non_null(strstr(f->hint, "xl devd"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nodev_shapes),
		cmocka_unit_test(test_not_nodev),
		cmocka_unit_test(test_script_lines),
		cmocka_unit_test(test_hostile_bytes),
		cmocka_unit_test(test_read_file),
		cmocka_unit_test(test_read_keeps_newest),
		VDT_TEST(test_rule_no_netdev),
		VDT_TEST(test_rule_no_netdev_history),
		VDT_TEST(test_rule_udev_xenopsd),
		VDT_TEST(test_rule_udev_quiet),
		VDT_TEST(test_rule_udev_quiet_connected),
		VDT_TEST(test_rule_udev_driver_domain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
