// SPDX-License-Identifier: GPL-2.0-or-later
/* Bundle parsers and redaction: MANIFEST, member names, libxl.json, pseudonyms, the store
 * written back as xenstore-ls -f text. */
#include "vd_test.h"

#include <errno.h>

#include "vd_bundle.h"
#include "vd_xl.h"

static void test_manifest_roundtrip(void **state)
{
	struct vd_manifest m = { 0 }, back = { 0 };
	struct vd_buf b;
	struct vd_err e;

	vd_err_clear(&e);
	vd_manifest_add(&m, "xenstore.txt", VD_M_FILE, "abc", 3);
	vd_manifest_add(&m, "sysfs", VD_M_DIR, "", 0);
	vd_manifest_add(&m, "sysfs/l", VD_M_LINK, "../x", 4);
	vd_manifest_note(&m, "omitted", "host/xl-info.txt", "xl is not installed");
	vd_buf_init(&b);
	vd_manifest_format(&m, &b);
	assert_int_equal(vd_manifest_parse(b.data, b.len, &back, &e), 0);
	assert_int_equal(back.n, 3);
	/* sha256("abc") */
	assert_string_equal(vd_manifest_find(&back, "xenstore.txt")->sha,
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(vd_manifest_find(&back, "sysfs/l")->size, 4);
	assert_string_equal(vd_manifest_note_for(&back, "host/xl-info.txt")->why,
			    "xl is not installed");
	vd_buf_free(&b);
	vd_manifest_free(&m);
	vd_manifest_free(&back);
}

/* what the collector could not read: the errno survives the MANIFEST, for the object and
 * what lies under an unreadable directory, and only there */
static void test_manifest_unreadable(void **state)
{
	struct vd_manifest m = { 0 }, back = { 0 };
	struct vd_buf b;
	struct vd_err e;

	vd_err_clear(&e);
	vd_manifest_unreadable(&m, "sysfs/sys/kernel/debug", "/sys/kernel/debug", EACCES);
	vd_manifest_unreadable(&m, "sysfs/sys/class/net/vif1.0/mtu", "/sys/class/net/vif1.0/mtu",
			       EIO);
	vd_manifest_unreadable(&m, "sysfs/proc/interrupts", "/proc/interrupts", ENOENT);
	/* a name that is no member name: noted under the top directory */
	vd_manifest_unreadable(&m, "sysfs/sys/class/net/a b", "/sys/class/net/a b", EACCES);
	vd_manifest_note(&m, "omitted", "sysfs/sys/x", "cannot read: who knows (EACCES");
	vd_buf_init(&b);
	vd_manifest_format(&m, &b);
	assert_int_equal(vd_manifest_parse(b.data, b.len, &back, &e), 0);
	assert_string_equal(vd_manifest_note_for(&back, "sysfs/sys/kernel/debug")->why,
			    "cannot read /sys/kernel/debug: Permission denied (EACCES)");
	assert_int_equal(vd_manifest_errno(&back, "sysfs/sys/kernel/debug"), EACCES);
	assert_int_equal(vd_manifest_errno(&back, "sysfs/sys/kernel/debug/xen-netback"), EACCES);
	assert_int_equal(vd_manifest_errno(&back, "sysfs/sys/kernel"), 0);
	assert_int_equal(vd_manifest_errno(&back, "sysfs/sys/class/net/vif1.0/mtu"), EIO);
	/* absent is absent, not unreadable */
	assert_string_equal(vd_manifest_note_for(&back, "sysfs/proc/interrupts")->why,
			    "cannot read /proc/interrupts: No such file or directory");
	assert_int_equal(vd_manifest_errno(&back, "sysfs/proc/interrupts"), 0);
	assert_non_null(vd_manifest_note_for(&back, "sysfs"));
	assert_int_equal(vd_manifest_errno(&back, "sysfs/sys/class/net/vif1.1/mtu"), 0);
	assert_int_equal(vd_manifest_errno(&back, "sysfs/sys/x"), 0);
	vd_buf_free(&b);
	vd_manifest_free(&m);
	vd_manifest_free(&back);
}

static void test_manifest_rejects(void **state)
{
	static const char *const bad[] = {
		"",
		"not a bundle\n",
		"vifdiag-bundle 1\nf 00 3 x\n",
		"vifdiag-bundle 1\nf "
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad 3 "
		"../x\n",
		"vifdiag-bundle 1\nf "
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad 3 "
		"/abs\n",
		"vifdiag-bundle 1\nd - 0 a\nd - 0 a\n",
		"vifdiag-bundle 1\nx - 0 a\n",
		"vifdiag-bundle 1\nomitted\n",
		/* an empty line: once read past its one byte (found by fuzzing) */
		"vifdiag-bundle 1\n\nd - 0 a\n",
		"vifdiag-bundle 1\nf\n",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct vd_manifest m = { 0 };
		struct vd_err e;

		vd_err_clear(&e);
		assert_int_equal(vd_manifest_parse(bad[i], strlen(bad[i]), &m, &e), -1);
		assert_int_equal(e.code, VD_EXIT_SOURCE);
		assert_non_null(strstr(e.msg, "MANIFEST:"));
		vd_manifest_free(&m);
	}
}

static void test_names(void **state)
{
	assert_true(vd_bundle_name_ok("sysfs/sys/class/net/vif1.0"));
	assert_false(vd_bundle_name_ok("a/../b"));
	assert_false(vd_bundle_name_ok("./a"));
	assert_false(vd_bundle_name_ok("/a"));
	assert_false(vd_bundle_name_ok("a//b"));
	assert_false(vd_bundle_name_ok("a b"));
	assert_false(vd_bundle_name_ok("a/"));
	assert_false(vd_bundle_name_ok(""));
}

static void test_xl_json(void **state)
{
	struct vd_xl x = { 0 }, *back;
	struct vd_xldom d = { .domid = 3, .run = VD_RUN_PAUSED };
	struct vd_xlnic n = { .devid = 1, .mac = "00:16:3e:00:00:01", .backend_domid = 0 };
	struct vd_err e;
	char *j;

	vd_err_clear(&e);
	d.nics = &n;
	d.nnics = 1;
	x.doms = &d;
	x.ndoms = 1;
	j = vd_xl_to_json(&x);
	back = vd_xl_from_json(j, strlen(j), "libxl.json", &e);
	assert_non_null(back);
	assert_null(back->unavailable);
	assert_int_equal(back->ndoms, 1);
	assert_int_equal(back->doms[0].run, VD_RUN_PAUSED);
	assert_string_equal(back->doms[0].nics[0].mac, "00:16:3e:00:00:01");
	vd_xl_free(back);
	free(j);
	j = vd_strdup("{\"available\":true,\"unavailable\":null,\"domains\":[{\"domid\":-1}]}");
	back = vd_xl_from_json(j, strlen(j), "l.json", &e);
	free(j);
	assert_null(back);
	assert_non_null(strstr(e.msg, "l.json: expected libxl facts"));
	vd_err_clear(&e);
	assert_null(vd_xl_from_json("{", 1, "l.json", &e));
	assert_int_equal(e.code, VD_EXIT_SOURCE);
}

static void test_redact(void **state)
{
	struct vd_redact *r = vd_redact_new();
	const char *in = "mac=00:16:3E:00:01:00 again 00:16:3e:00:01:00 vm "
			 "/vm/27bbf650-b438-492a-a9bb-9baaceb11ce1 ip 10.1.2.3 mask 255.255.255.0 "
			 "lo 127.0.0.1 v6 2001:db8::1 nb fe:ff:ff:ff:ff:ff web-db and web "
			 "qemu-dm-web.log time 04:16:23 ver 4.17";
	size_t n;
	char *out;

	vd_redact_word(r, "web", "name");
	vd_redact_word(r, "web-db", "name");
	vd_redact_word(r, "vm", "host"); /* too short: kept */
	/* what vd_redact_members does first: longest words first */
	{
		struct vd_bwriter w;

		vd_bw_init(&w);
		vd_bw_file(&w, "x", in, strlen(in));
		vd_redact_members(r, &w);
		out = vd_strdup(w.m[0].data);
		vd_bw_free(&w);
	}
	n = strlen(out);
	assert_non_null(strstr(out, "mac=0a:00:00:00:00:01 again 0a:00:00:00:00:01 vm "));
	assert_non_null(strstr(out, "/vm/00000000-0000-4000-8000-000000000001"));
	assert_non_null(strstr(out, "ip 198.18.0.1 mask 255.255.255.0 lo 127.0.0.1"));
	assert_non_null(strstr(out, "v6 fd00::1 nb fe:ff:ff:ff:ff:ff"));
	assert_non_null(strstr(out, "name-1 and name-2 qemu-dm-name-2.log"));
	assert_non_null(strstr(out, "time 04:16:23 ver 4.17"));
	assert_true(n > 0);
	free(out);
	vd_redact_free(r);
}

static void test_store_written_back(void **state)
{
	struct vd_snap *s = vd_snap_new(), *back = vd_snap_new();
	struct vd_buf b;
	struct vd_err e;

	vd_err_clear(&e);
	vd_snap_put(s, "/local/domain/1/name", "a\"b\\c\n\001", 7);
	vd_snap_put(s, "/local/domain/1/vm", "", 0)->flags |= VD_NODE_NOVALUE;
	vd_buf_init(&b);
	vd_dump_write(s, &b);
	assert_int_equal(vd_dump_parse(b.data, b.len, "x", back, &e), 0);
	assert_int_equal(vd_snap_get(back, "/local/domain/1/name")->len, 7);
	assert_memory_equal(vd_snap_value(back, "/local/domain/1/name"), "a\"b\\c\n\001", 7);
	assert_true(vd_snap_get(back, "/local/domain/1/vm")->flags & VD_NODE_NOVALUE);
	vd_buf_free(&b);
	vd_snap_free(s);
	vd_snap_free(back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_manifest_roundtrip),
		cmocka_unit_test(test_manifest_rejects),
		cmocka_unit_test(test_manifest_unreadable),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_xl_json),
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_store_written_back),
	};

	return cmocka_run_group_tests_name("bundle", tests, NULL, NULL);
}
