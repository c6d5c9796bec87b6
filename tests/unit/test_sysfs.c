// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The host-side source: io_ring_qN parsing (real capture text), reading a fixture tree laid
 * out like the real dom0's, unreadable and hostile files, and the ovs-vsctl step.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sysfs_tree.h"
#include "vd_sysfs.h"
#include "vd_util.h"

/* debugfs xen-netback/vif1.0/io_ring_q0 of the a-bringup capture, verbatim */
static const char capture_q0[] = "Queue 0\n"
				 "TX: nr_ents 256\n"
				 "req prod 3 (0) cons 3 (0) event 4 (1)\n"
				 "rsp prod 3 (base) pvt 3 (0) event 4 (1)\n"
				 "pending prod 259 pending cons 3 nr_pending_reqs 0\n"
				 "dealloc prod 0 dealloc cons 0 dealloc_queue 0\n"
				 "\n"
				 "RX: nr_ents 256\n"
				 "req prod 271 (256) cons 15 (0) event 1 (-14)\n"
				 "rsp prod 15 (base) pvt 15 (0) event 16 (1)\n"
				 "\n"
				 "NAPI state: 10 NAPI weight: 64 TX queue len 0\n"
				 "Credit timer_pending: 0, credit: 18446744073709551615, usec: 0\n"
				 "remaining: 18446744073709551349, expires: 0, now: 4294905350\n"
				 "\n"
				 "Rx internal queue: len 0 max 524288 pkts 0 running\n";

static char *fixture(const char *name)
{
	const char *slash = strrchr(__FILE__, '/');

	return vd_asprintf("%.*s/../fixtures/%s/sysfs", slash ? (int)(slash - __FILE__) : 1,
			   slash ? __FILE__ : ".", name);
}

static void test_ioring_capture(void **state)
{
	struct vd_ioring r = { 0 };

	assert_true(vd_ioring_parse(capture_q0, &r));
	assert_int_equal(r.tx.nr_ents, 256);
	assert_int_equal(r.tx.req_prod, 3);
	assert_int_equal(r.tx.req_cons, 3);
	assert_int_equal(r.tx.req_event, 4);
	assert_int_equal(r.tx.rsp_prod, 3);
	assert_int_equal(r.tx.rsp_event, 4);
	assert_int_equal(r.rx.req_prod, 271);
	assert_int_equal(r.rx.req_cons, 15);
	assert_int_equal(r.rx.req_event, 1);
	assert_int_equal(r.rx.rsp_prod, 15);
	assert_int_equal(r.rx.rsp_pvt, 15);
	assert_int_equal(r.rx.rsp_event, 16);
	assert_int_equal(vd_ioring_rx_posted(&r), 256);
	assert_true(r.pending_ok);
	assert_int_equal(r.nr_pending_reqs, 0);
	assert_true(r.credit_ok);
	assert_false(r.timer_pending);
	assert_true(r.credit_bytes == UINT64_MAX);
	assert_true(r.remaining == 18446744073709551349ULL);
	assert_true(vd_ioring_unlimited(&r));
	assert_true(r.rxq_ok);
	assert_false(r.rxq_stopped);
	assert_int_equal(r.rxq_max, 524288);
}

static void test_ioring_stopped_and_limited(void **state)
{
	char *t = st_ioring(1, 5120, 5120, "25000", 20000, 1,
			    "len 524288 max 524288 pkts 362 stopped");
	struct vd_ioring r = { 0 };

	assert_true(vd_ioring_parse(t, &r));
	assert_int_equal(vd_ioring_rx_posted(&r), 0);
	assert_true(r.rxq_ok && r.rxq_stopped);
	assert_int_equal(r.rxq_len, 524288);
	assert_int_equal(r.rxq_pkts, 362);
	assert_true(r.credit_ok && r.timer_pending);
	assert_int_equal(r.credit_bytes, 25000);
	assert_int_equal(r.credit_usec, 20000);
	assert_false(vd_ioring_unlimited(&r));
	free(t);
}

static void test_ioring_unlimited_forms(void **state)
{
	struct vd_ioring r = { .credit_ok = true,
			       .credit_bytes = 4294967295ULL,
			       .credit_usec = 50 };

	assert_true(vd_ioring_unlimited(&r)); /* ~0UL of a 32-bit backend */
	r.credit_bytes = 1000;
	assert_false(vd_ioring_unlimited(&r));
	r.credit_usec = 0;
	assert_true(vd_ioring_unlimited(&r));
}

static void test_ioring_wraps(void **state)
{
	struct vd_ioring r = { 0 };

	r.rx.req_prod = 5;
	r.rx.rsp_prod = 0xfffffffeu; /* RING_IDX wrapped */
	assert_int_equal(vd_ioring_rx_posted(&r), 7);
}

static void test_ioring_rejects(void **state)
{
	static const char *const bad[] = {
		"",
		"garbage\n\x01\x02",
		/* no RX rsp line */
		"TX: nr_ents 256\nreq prod 3 (0) cons 3 (0) event 4 (1)\n"
		"rsp prod 3 (base) pvt 3 (0) event 4 (1)\nRX: nr_ents 256\n"
		"req prod 271 (256) cons 15 (0) event 1 (-14)\n",
		/* an index beyond u32 */
		"TX: nr_ents 256\nreq prod 4294967296 (0) cons 3 (0) event 4 (1)\n"
		"rsp prod 3 (base) pvt 3 (0) event 4 (1)\nRX: nr_ents 256\n"
		"req prod 271 (256) cons 15 (0) event 1 (-14)\n"
		"rsp prod 15 (base) pvt 15 (0) event 16 (1)\n",
		/* negative and overflowing numbers */
		"TX: nr_ents 256\nreq prod -3 (0) cons 3 (0) event 4 (1)\n"
		"rsp prod 99999999999999999999999 (base) pvt 3 (0) event 4 (1)\n",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct vd_ioring r = { 0 };

		assert_false(vd_ioring_parse(bad[i], &r));
	}
}

static void test_ioring_crlf_and_junk_tail(void **state)
{
	char *t = vd_asprintf("%s", capture_q0);
	struct vd_buf b;
	struct vd_ioring r = { 0 };

	vd_buf_init(&b);
	for (const char *p = t; *p; p++) {
		if (*p == '\n')
			vd_buf_addc(&b, '\r');
		vd_buf_addc(&b, *p);
	}
	vd_buf_adds(&b, "Rx internal queue: len 1 max 2 pkts 3 sideways\n");
	assert_true(vd_ioring_parse(vd_buf_cstr(&b), &r));
	assert_int_equal(r.rx.req_prod, 271);
	assert_false(r.rxq_ok); /* neither stopped nor running */
	vd_buf_free(&b);
	free(t);
}

static void test_read_fixture(void **state)
{
	char *root = fixture("host-linux-bridge");
	struct vd_sysfs *s = vd_sysfs_read(root, false);
	const struct vd_netdev *v, *br;
	const struct vd_nbdebug *d;

	assert_null(s->unavailable);
	assert_int_equal(s->ndevs, 4);
	assert_string_equal(s->devs[0].name, "lo"); /* sorted */
	v = vd_sysfs_netdev(s, "vif1.0");
	assert_non_null(v);
	assert_string_equal(v->device, "vif-1-0");
	assert_string_equal(v->nodename, "backend/vif/1/0");
	assert_string_equal(v->xb_state, "Connected");
	assert_string_equal(v->operstate, "up");
	assert_int_equal(v->carrier, 1);
	assert_int_equal(v->flags, 0x1303);
	assert_int_equal(v->mtu, 1500);
	assert_string_equal(v->address, "fe:ff:ff:ff:ff:ff");
	assert_string_equal(v->master, "xenbr0");
	assert_true(v->brport);
	assert_string_equal(v->brport_bridge, "xenbr0");
	assert_false(v->is_bridge);
	assert_int_equal(v->tx_queues, 2);
	assert_int_equal(v->rx_queues, 2);
	assert_null(v->ovs_bridge);
	assert_null(v->ovs_note);
	assert_int_equal(vd_sysfs_netdev(s, "vif1.1")->tx_queues, 1);
	br = vd_sysfs_netdev(s, "xenbr0");
	assert_true(br->is_bridge);
	assert_null(br->device);
	assert_null(br->master);
	assert_null(vd_sysfs_netdev(s, "vif9.9"));
	assert_true(s->nb.loaded);
	assert_int_equal(s->nb.max_queues, 2);
	assert_int_equal(s->nb.separate_tx_rx_irq, 1);
	assert_int_equal(s->nb.rx_stall_timeout_msecs, 60000);
	assert_int_equal(s->nb.rx_drain_timeout_msecs, 10000);
	assert_int_equal(s->nb.provides_xdp_headroom, 1);
	assert_null(s->debugfs_note);
	assert_int_equal(s->ndbg, 2);
	d = vd_sysfs_debug(s, "vif1.0");
	assert_int_equal(d->nrings, 2);
	assert_int_equal(d->rings[1].id, 1);
	assert_null(d->rings[1].error);
	assert_int_equal(d->rings[1].rx.rsp_prod, 2);
	vd_sysfs_free(s);
	free(root);
}

static void test_read_offline_and_missing(void **state)
{
	struct vd_sysfs *s = vd_sysfs_read(NULL, false);

	assert_string_equal(s->unavailable, "offline dump: no sysfs given (use --sysfs-root)");
	assert_null(s->root);
	vd_sysfs_free(s);
	s = vd_sysfs_read("/nonexistent/vd-root/", false);
	assert_non_null(strstr(s->unavailable, "cannot read /nonexistent/vd-root/sys/class/net: "));
	assert_int_equal(s->ndevs, 0);
	vd_sysfs_free(s);
}

/* The default root must be a Xen domain's: a plain machine has no host side to show. */
static void test_require_xen(void **state)
{
	char *root = fixture("host-linux-bridge");
	struct vd_sysfs *s = vd_sysfs_read(root, true);
	struct st t;

	assert_null(s->unavailable); /* it has /sys/bus/xen-backend */
	vd_sysfs_free(s);
	st_init(&t);
	st_netdev(&t, &(struct st_dev){ .name = "eth0" });
	s = vd_sysfs_read(t.root, true);
	assert_string_equal(s->unavailable,
			    "this system is not a Xen domain (no xen-backend bus in "
			    "sysfs); --sysfs-root DIR reads another one");
	assert_int_equal(s->ndevs, 0);
	vd_sysfs_free(s);
	st_file(&t, "sys/hypervisor/type", "xen\n");
	s = vd_sysfs_read(t.root, true);
	assert_null(s->unavailable);
	assert_int_equal(s->ndevs, 1);
	vd_sysfs_free(s);
	st_free(&t);
	free(root);
}

/* A FIFO or a directory where a file should be, an empty debugfs: reasons, no hang. */
static void test_hostile_files(void **state)
{
	struct st t;
	struct vd_sysfs *s;
	const struct vd_nbdebug *d;
	FILE *f;
	char *p;

	st_init(&t);
	st_netdev(&t, &(struct st_dev){ .name = "vif1.0", .xb = "vif-1-0" });
	p = st_path(&t, "sys/devices/vif-1-0/net/vif1.0/mtu");
	unlink(p);
	assert_int_equal(mkfifo(p, 0600), 0);
	free(p);
	st_file(&t, "sys/kernel/debug/xen-netback/vif1.0/io_ring_q1/x", "");
	p = st_path(&t, "sys/kernel/debug/xen-netback/vif1.0/io_ring_q0");
	assert_int_equal(mkfifo(p, 0600), 0);
	free(p);
	st_file(&t, "sys/kernel/debug/xen-netback/vif1.0/io_ring_q2", "not a ring\n");
	st_file(&t, "sys/kernel/debug/xen-netback/vif1.0/ctrl", "hash\n");
	/* a copy made by tar: padded with NULs to the 4096 bytes sysfs reports */
	p = st_path(&t, "sys/devices/vif-1-0/net/vif1.0/carrier");
	f = fopen(p, "w");
	assert_int_equal(fwrite("0\n\0\0\0\0", 1, 6, f), 6);
	fclose(f);
	free(p);
	s = vd_sysfs_read(t.root, false);
	assert_int_equal(vd_sysfs_netdev(s, "vif1.0")->mtu, -1);
	assert_int_equal(vd_sysfs_netdev(s, "vif1.0")->carrier, 0);
	d = vd_sysfs_debug(s, "vif1.0");
	assert_int_equal(d->nrings, 3); /* ctrl is not a ring */
	assert_non_null(strstr(d->rings[0].error, "Invalid argument"));
	assert_non_null(strstr(d->rings[1].error, "Is a directory"));
	assert_non_null(strstr(d->rings[2].error, "does not have the expected layout"));
	assert_false(s->nb.loaded);
	assert_int_equal(s->nb.max_queues, -1);
	vd_sysfs_free(s);
	st_free(&t);

	st_init(&t);
	st_netdev(&t, &(struct st_dev){ .name = "eth0" });
	p = st_path(&t, "sys/kernel/debug");
	st_mkdirs(p);
	free(p);
	s = vd_sysfs_read(t.root, false);
	assert_non_null(strstr(s->debugfs_note, "debugfs is not mounted on "));
	vd_sysfs_free(s);
	st_file(&t, "sys/kernel/debug/tracing/x", "");
	s = vd_sysfs_read(t.root, false);
	assert_non_null(strstr(s->debugfs_note, "xen-netback does not exist"));
	vd_sysfs_free(s);
	st_free(&t);
}

/*
 * debugfs is root-only (0700 dir, 0600 files): EACCES is a reason. Run as nobody when
 * root; modes 0 so that an unprivileged owner is refused too.
 */
static void test_debugfs_eacces(void **state)
{
	struct st t;
	struct vd_sysfs *s;
	uid_t was = geteuid();
	char *p;

	st_init(&t);
	chmod(t.root, 0755);
	st_netdev(&t, &(struct st_dev){ .name = "vif1.0", .xb = "vif-1-0" });
	st_ring(&t, "vif1.0", 0, capture_q0);
	p = st_path(&t, "sys/kernel/debug/xen-netback/vif1.0/io_ring_q0");
	chmod(p, 0);
	free(p);
	if (was == 0 && seteuid(65534) != 0) {
		st_free(&t);
		skip(); /* cannot drop privileges here: EACCES cannot be produced */
	}
	s = vd_sysfs_read(t.root, false);
	assert_non_null(vd_sysfs_netdev(s, "vif1.0"));
	assert_non_null(strstr(vd_sysfs_debug(s, "vif1.0")->rings[0].error,
			       "Permission denied (debugfs is root-only)"));
	vd_sysfs_free(s);
	if (was == 0)
		assert_int_equal(seteuid(0), 0);
	p = st_path(&t, "sys/kernel/debug");
	chmod(p, 0);
	if (was == 0)
		assert_int_equal(seteuid(65534), 0);
	s = vd_sysfs_read(t.root, false);
	if (was == 0)
		assert_int_equal(seteuid(0), 0);
	assert_non_null(strstr(s->debugfs_note, "Permission denied (debugfs is root-only)"));
	vd_sysfs_free(s);
	chmod(p, 0755);
	free(p);
	st_free(&t);
}

static long elapsed_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static void test_run_capture(void **state)
{
	char echo[] = "/bin/echo", hi[] = "hi", f[] = "/bin/false", sl[] = "/bin/sleep",
	     ten[] = "10", none[] = "/nonexistent/tool";
	char *a1[] = { echo, hi, NULL }, *a2[] = { f, NULL }, *a3[] = { sl, ten, NULL },
	     *a4[] = { none, NULL };
	char *why = NULL, *out;
	struct timespec t0;

	out = vd_run_capture(a1, 2000, &why);
	assert_string_equal(out, "hi\n");
	assert_null(why);
	free(out);
	assert_null(vd_run_capture(a2, 2000, &why));
	assert_string_equal(why, "/bin/false exited with status 1");
	free(why);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_null(vd_run_capture(a3, 200, &why));
	assert_string_equal(why, "/bin/sleep timed out after 200 ms");
	assert_true(elapsed_ms(&t0) < 5000);
	free(why);
	assert_null(vd_run_capture(a4, 200, &why));
	/* a posix_spawn done as fork and exec (valgrind's) reports the exec failure as 127 */
	assert_true(strstr(why, "cannot run /nonexistent/tool") ||
		    strcmp(why, "/nonexistent/tool exited with status 127") == 0);
	free(why);
}

static char *fake_tool(const struct st *t, const char *body)
{
	char *p = st_path(t, "ovs-vsctl");

	st_file(t, "ovs-vsctl", body);
	chmod(p, 0755);
	return p;
}

/* VIFDIAG_OVS_VSCTL: the only way a non-/ root asks OVS; ports, not uplinks, are asked. */
static void test_ovs_vsctl(void **state)
{
	char *root = fixture("host-ovs");
	struct st t;
	struct vd_sysfs *s;
	char *tool;

	st_init(&t);
	tool = fake_tool(&t, "#!/bin/sh\n"
			     "[ \"$1\" = --timeout=2 ] && [ \"$2\" = port-to-br ] || exit 9\n"
			     "[ \"$3\" = vif3.0 ] && echo xenbr0 && exit 0\n"
			     "echo \"ovs-vsctl: no port named $3\" >&2; exit 1\n");
	setenv("VIFDIAG_OVS_VSCTL", tool, 1);
	s = vd_sysfs_read(root, false);
	assert_string_equal(vd_sysfs_netdev(s, "vif3.0")->ovs_bridge, "xenbr0");
	assert_null(vd_sysfs_netdev(s, "vif3.0")->ovs_note);
	assert_null(vd_sysfs_netdev(s, "tap3.0")->ovs_bridge);
	assert_non_null(strstr(vd_sysfs_netdev(s, "tap3.0")->ovs_note, "port-to-br tap3.0: "));
	assert_non_null(strstr(vd_sysfs_netdev(s, "tap3.0")->ovs_note, "exited with status 1"));
	/* uplinks and the bridge's own port are not asked */
	assert_null(vd_sysfs_netdev(s, "eth0")->ovs_note);
	assert_null(vd_sysfs_netdev(s, "xenbr0")->ovs_note);
	vd_sysfs_free(s);
	free(tool);

	/* a hung database: one timeout, then no more waiting */
	tool = fake_tool(&t, "#!/bin/sh\nexec sleep 30\n");
	s = vd_sysfs_read(root, false);
	assert_non_null(strstr(vd_sysfs_netdev(s, "tap3.0")->ovs_note, "timed out after"));
	assert_string_equal(vd_sysfs_netdev(s, "vif3.0")->ovs_note,
			    "ovs-vsctl not asked: an earlier call timed out");
	vd_sysfs_free(s);
	free(tool);

	/* a tool that prints junk instead of a bridge name */
	tool = fake_tool(&t, "#!/bin/sh\nprintf 'br\\033[31m0\\n'\n");
	s = vd_sysfs_read(root, false);
	assert_null(vd_sysfs_netdev(s, "vif3.0")->ovs_bridge);
	assert_non_null(strstr(vd_sysfs_netdev(s, "vif3.0")->ovs_note, "gave no bridge name"));
	vd_sysfs_free(s);
	free(tool);

	unsetenv("VIFDIAG_OVS_VSCTL");
	s = vd_sysfs_read(root, false);
	assert_string_equal(vd_sysfs_netdev(s, "vif3.0")->ovs_note,
			    "ovs-vsctl not asked: the sysfs root is not this system's");
	vd_sysfs_free(s);
	st_free(&t);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ioring_capture),
		cmocka_unit_test(test_ioring_stopped_and_limited),
		cmocka_unit_test(test_ioring_unlimited_forms),
		cmocka_unit_test(test_ioring_wraps),
		cmocka_unit_test(test_ioring_rejects),
		cmocka_unit_test(test_ioring_crlf_and_junk_tail),
		cmocka_unit_test(test_read_fixture),
		cmocka_unit_test(test_read_offline_and_missing),
		cmocka_unit_test(test_require_xen),
		cmocka_unit_test(test_hostile_files),
		cmocka_unit_test(test_debugfs_eacces),
		cmocka_unit_test(test_run_capture),
		cmocka_unit_test(test_ovs_vsctl),
	};

	return cmocka_run_group_tests_name("sysfs", tests, NULL, NULL);
}
