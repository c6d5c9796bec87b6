// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /proc/interrupts parsing: the real a-bringup capture (split event channels, two VIFs,
 * one with two queues), a shared event channel, a renamed netdev, a host with an offline
 * CPU (columns are not 0..n-1), lines that only look like netback's, and errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "vd_irq.h"
#include "vd_util.h"

static char *data_path(const char *name)
{
	const char *slash = strrchr(__FILE__, '/');

	return vd_asprintf("%.*s/data/%s", slash ? (int)(slash - __FILE__) : 1,
			   slash ? __FILE__ : ".", name);
}

static void test_capture(void **state)
{
	char *path = data_path("a-bringup-proc-interrupts.txt"), *why = NULL;
	struct vd_irqs *irqs = vd_irq_read_file(path, &why);
	const struct vd_irq_line *l;
	unsigned long long t;

	assert_non_null(irqs);
	assert_null(why);
	assert_int_equal(irqs->ncpus, 2);
	assert_int_equal(irqs->cpu[0], 0);
	assert_int_equal(irqs->cpu[1], 1);
	/* vif1.0 q0/q1 tx/rx, vif1.1 q0 tx/rx; evtchn:xenstored and the rest are not queues */
	assert_int_equal(irqs->nlines, 6);
	l = vd_irq_find(irqs, "vif1.0", 1, VD_IRQ_TX);
	assert_non_null(l);
	assert_int_equal(l->irq, 49);
	assert_int_equal(l->total, 5);
	assert_int_equal(l->count[0], 5);
	assert_int_equal(l->count[1], 0);
	assert_int_equal(l->domid, 1);
	assert_int_equal(l->devid, 0);
	l = vd_irq_find(irqs, "vif1.1", 0, VD_IRQ_RX);
	assert_non_null(l);
	assert_int_equal(l->irq, 52);
	assert_int_equal(l->devid, 1);
	assert_null(vd_irq_find(irqs, "vif1.1", 1, VD_IRQ_TX));
	assert_null(vd_irq_find(irqs, "vif1.0", 0, VD_IRQ_BOTH));
	assert_true(vd_irq_queue_total(irqs, "vif1.0", 0, &t));
	assert_int_equal(t, 5);
	assert_false(vd_irq_queue_total(irqs, "vif2.0", 0, &t));
	assert_int_equal(vd_irq_nqueues(irqs, "vif1.0"), 2);
	assert_int_equal(vd_irq_nqueues(irqs, "vif1.1"), 1);
	assert_int_equal(vd_irq_nqueues(irqs, "vif1"), 0);
	assert_string_equal(irqs->path, path);
	vd_irq_free(irqs);
	free(path);
}

/* separate_tx_rx_irq=N gives one line per queue; CPU1 offline leaves a gap in the header */
static const char shared[] =
	"           CPU0       CPU2       CPU3\n"
	" 60:        100       7000          3  xen-dyn    -event     vif5.2-q0\n"
	" 61:          1          2          3  xen-dyn    -event     vif5.2-q1\n"
	" 62:         10         20         30  xen-dyn    -event     "
	"web-frontend-q0-tx\n"
	" 63:         10         20         30  xen-dyn    -event     "
	"web-frontend-q0-rx\r\n"
	/* look-alikes: no queue number, not after -q, bad counts */
	" 64:          1          1          1  xen-dyn    -event     vif5.2-tx\n"
	" 65:          1          1          1  xen-dyn    -event     vif5.2-qx\n"
	" 66:          1          x          1  xen-dyn    -event     vif6.0-q0\n"
	" 67:          1  xen-dyn    -event     vif7.0-q0\n"
	"NMI:          0          0          0   Non-maskable interrupts\n"
	"ERR:          0\n";

static void test_shared_renamed_offline(void **state)
{
	struct vd_irqs irqs;
	const struct vd_irq_line *l;
	char *why = NULL;

	assert_true(vd_irq_parse(shared, &irqs, &why));
	assert_int_equal(irqs.ncpus, 3);
	assert_int_equal(irqs.cpu[1], 2);
	assert_int_equal(irqs.cpu[2], 3);
	assert_int_equal(irqs.nlines, 4);
	l = vd_irq_find(&irqs, "vif5.2", 0, VD_IRQ_BOTH);
	assert_non_null(l);
	assert_int_equal(l->total, 7103);
	assert_int_equal(l->count[1], 7000);
	assert_int_equal(l->domid, 5);
	assert_int_equal(l->devid, 2);
	l = vd_irq_find(&irqs, "web-frontend", 0, VD_IRQ_RX);
	assert_non_null(l);
	assert_int_equal(l->domid, -1);
	assert_int_equal(l->devid, -1);
	assert_int_equal(l->total, 60);
	assert_null(vd_irq_find(&irqs, "vif6.0", 0, VD_IRQ_BOTH));
	assert_null(vd_irq_find(&irqs, "vif7.0", 0, VD_IRQ_BOTH));
	assert_string_equal(vd_irq_dir_name(VD_IRQ_BOTH), "both");
	for (size_t i = 0; i < irqs.nlines; i++) {
		free(irqs.lines[i].netdev);
		free(irqs.lines[i].count);
	}
	free(irqs.lines);
	free(irqs.cpu);
}

static void test_errors(void **state)
{
	struct vd_irqs irqs;
	char *why = NULL;

	/* a host without VIFs: a header and no netback lines (no qsort of nothing) */
	assert_true(vd_irq_parse("  CPU0\n 1: 9 xen-pirq -ioapic-edge i8042\n", &irqs, &why));
	assert_int_equal(irqs.nlines, 0);
	assert_null(vd_irq_find(&irqs, "vif1.0", 0, VD_IRQ_TX));
	free(irqs.cpu);

	assert_false(vd_irq_parse("", &irqs, &why));
	assert_non_null(why);
	free(why);
	why = NULL;
	assert_false(vd_irq_parse(" 47:  4  0  xen-dyn -event vif1.0-q0-tx\n", &irqs, &why));
	assert_string_equal(why, "line 1: expected the CPU0 CPU1 ... header");
	free(why);
	why = NULL;
	assert_null(vd_irq_read("/nonexistent-vifdiag-root", &why));
	assert_non_null(strstr(why, "/nonexistent-vifdiag-root/proc/interrupts: "));
	free(why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capture),
		cmocka_unit_test(test_shared_renamed_offline),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests_name("irq", tests, NULL, NULL);
}
