// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Multi-queue rules (VD062-VD065) on generated libxl + netback trees: the guest's vCPUs,
 * the backend's offer, what limits it, and the per-queue load; CPU list parsing.
 */
#include "vd_test.h"

#include "vd_catalogue.h"
#include "vd_mq.h"
#include "vd_sysfs.h"

static void test_cpulist(void **state)
{
	assert_int_equal(vd_cpulist_count("0-1"), 2);
	assert_int_equal(vd_cpulist_count("0"), 1);
	assert_int_equal(vd_cpulist_count("0-3,6,8-9\n"), 7);
	assert_int_equal(vd_cpulist_count(""), -1);
	assert_int_equal(vd_cpulist_count("3-1"), -1);
	assert_int_equal(vd_cpulist_count("0-"), -1);
	assert_int_equal(vd_cpulist_count("a"), -1);
	assert_int_equal(vd_cpulist_count(NULL), -1);
}

/* guest 1 with n vCPUs (k of them online), the usual connected VIF */
static void guest(struct vdt *t, int n, int online)
{
	vdt_std(t, "4", "4", 0);
	for (int i = 0; i < n; i++)
		vdt_linef(t, i < online ? "online" : "offline",
			  "/local/domain/1/cpu/%d/availability", i);
}

static struct vd_mq *no_host(void)
{
	struct vd_mq *mq = vd_calloc(1, sizeof(*mq));

	mq->be_cpus = -1;
	return mq;
}

/* Drops v's findings (the test runs the rules again on changed facts). */
static void clear(struct vd_vif *v)
{
	for (size_t i = 0; i < v->nfindings; i++) {
		vd_finding_free_evidence(&v->findings[i]);
		free(v->findings[i].msg);
		free(v->findings[i].hint);
	}
	v->nfindings = 0;
}

/* a guest of n vCPUs whose backend offers maxq, built; its VIF 1/0 without findings */
static struct vd_vif *offered(struct vdt *t, int n, const char *maxq)
{
	struct vd_vif *v;

	guest(t, n, n);
	vdt_set(t, VDT_BE "/multi-queue-max-queues", maxq);
	vdt_build(t, true);
	v = vdt_vif(t, 1, 0);
	clear(v);
	return v;
}

/* Only the findings of the rules under test, "code:severity" */
static const char *only_mq(struct vdt *t, const struct vd_vif *v)
{
	vd_buf_reset(&t->scratch);
	for (size_t i = 0; i < v->nfindings; i++)
		if (vd_startswith(v->findings[i].code, "mq-") ||
		    strcmp(v->findings[i].code, "queue-imbalance") == 0)
			vd_buf_addf(&t->scratch, "%s%s:%s", t->scratch.len ? " " : "",
				    v->findings[i].code, vd_sev_name(v->findings[i].sev));
	return vd_buf_cstr(&t->scratch);
}

static const char *mq_codes(struct vdt *t, struct vd_mq *mq)
{
	struct vd_vif *v;

	vdt_build(t, true);
	v = vdt_vif(t, 1, 0);
	vd_diagnose_mq(t->host, NULL, mq);
	return vdt_codes(t, v);
}

static void test_vcpus(void **state)
{
	struct vdt *t = *state;
	long max;

	guest(t, 4, 3);
	vdt_parse(t);
	assert_int_equal(vd_guest_vcpus(t->snap, 1, &max), 3);
	assert_int_equal(max, 4);
	assert_int_equal(vd_guest_vcpus(t->snap, 0, &max), -1);
	vdt_reset(t);
	vdt_std(t, "4", "4", 0);
	vdt_line(t, "/local/domain/1/vcpu_avail", "7");
	vdt_parse(t);
	assert_int_equal(vd_guest_vcpus(t->snap, 1, &max), 3);
}

static void test_legacy(void **state)
{
	struct vdt *t = *state;
	struct vd_mq *mq = no_host();

	guest(t, 4, 4);
	vdt_drop(t, VDT_FE "/multi-queue-num-queues");
	assert_string_equal(mq_codes(t, mq), "mq-legacy-frontend:warning");
	assert_non_null(strstr(vdt_vif(t, 1, 0)->findings[0].hint, "3.16"));
	/* its evidence: the guest's vCPUs */
	assert_string_equal(vdt_vif(t, 1, 0)->findings[0].ev[0].where, "/local/domain/1/cpu");
	assert_string_equal(vdt_vif(t, 1, 0)->findings[0].ev[0].value, "4 online of 4");
	vdt_reset(t);
	/* one vCPU online: one ring is all it could use */
	guest(t, 4, 1);
	vdt_drop(t, VDT_FE "/multi-queue-num-queues");
	assert_string_equal(mq_codes(t, mq), "");
	vd_mq_free(mq);
}

static void test_fewer(void **state)
{
	struct vdt *t = *state;
	struct vd_mq *mq = no_host();

	/* the generated frontend negotiates 1 of the backend's 8 */
	guest(t, 4, 4);
	assert_string_equal(mq_codes(t, mq), "mq-fewer-queues:warning");
	assert_non_null(strstr(vdt_vif(t, 1, 0)->findings[0].hint, "xen_netfront.max_queues=4"));
	assert_string_equal(
		vdt_vif(t, 1, 0)->findings[0].msg,
		"1 queue negotiated, but the guest has 4 vCPUs and the backend offers 8");
	vdt_reset(t);
	/* a single-vCPU guest: nothing to gain */
	guest(t, 1, 1);
	assert_string_equal(mq_codes(t, mq), "");
	vd_mq_free(mq);
}

static void test_backend_limit(void **state)
{
	struct vdt *t = *state;
	struct vd_mq *mq = no_host();
	struct vd_nbparams nb = { .loaded = true, .max_queues = 2 };
	struct vd_hostfacts hf = { .nb = &nb };
	const struct vd_finding *f;
	struct vd_vif *v;

	v = offered(t, 4, "2");
	/* netback's default: the backend domain's 2 CPUs */
	v->host = &hf;
	mq->be_cpus = 2;
	mq->be_cpus_path = vd_strdup("/sys/devices/system/cpu/online");
	mq->be_cpus_text = vd_strdup("0-1");
	vd_diagnose_mq(t->host, NULL, mq);
	/* 1 of 2 negotiated: the guest's choice is a finding of its own */
	assert_string_equal(only_mq(t, v), "mq-fewer-queues:warning mq-backend-limit:warning");
	f = vdt_finding(v, "mq-backend-limit");
	assert_non_null(strstr(f->msg, "defaults to the backend domain's 2 CPUs"));
	assert_non_null(strstr(f->hint, "dom0_max_vcpus"));
	assert_string_equal(f->ev[f->nev - 1].where,
			    "/sys/module/xen_netback/parameters/max_queues");
	/* max_queues set below the CPUs */
	clear(v);
	mq->be_cpus = 8;
	vd_diagnose_mq(t->host, NULL, mq);
	assert_non_null(
		strstr(vdt_finding(v, "mq-backend-limit")->msg, ": xen_netback max_queues is 2"));
	/* written over: netback would offer more */
	clear(v);
	nb.max_queues = 4;
	vd_diagnose_mq(t->host, NULL, mq);
	assert_non_null(strstr(vdt_finding(v, "mq-backend-limit")->msg, "was written over"));
	clear(v);
	v->host = NULL; /* hf is on the stack */
	vd_mq_free(mq);
}

static void test_imbalance(void **state)
{
	struct vdt *t = *state;
	struct vd_mq *mq = no_host();
	struct vd_qrate q[2] = { { .queue = 0, .seen = true, .events = 950 },
				 { .queue = 1, .seen = true, .events = 50 } };
	struct vd_qload ld = { .netdev = "vif1.0",
			       .window = true,
			       .secs = 2.0,
			       .q = q,
			       .nq = 2,
			       .total = 1000,
			       .irq = true };
	const struct vd_finding *f;
	struct vd_vif *v;

	v = offered(t, 2, "2");
	v->negotiated = 2; /* as a 2-queue VIF: the generated one has flat keys */
	v->load = &ld;
	vd_diagnose_mq(t->host, NULL, mq);
	f = vdt_finding(v, "queue-imbalance");
	assert_string_equal(f->msg,
			    "hash imbalance: queue 0 carries 95% of the 500 events/s of 2 queues");
	assert_int_equal(f->nev, 2);
	/* an even spread, or too little traffic to judge: nothing */
	clear(v);
	q[0].events = 600;
	q[1].events = 400;
	vd_diagnose_mq(t->host, NULL, mq);
	assert_string_equal(only_mq(t, v), "mq-fewer-queues:warning");
	clear(v);
	q[0].events = 95;
	q[1].events = 5;
	ld.total = 100; /* 25 events/s: below the 50/s floor */
	ld.secs = 4.0;
	vd_diagnose_mq(t->host, NULL, mq);
	assert_string_equal(only_mq(t, v), "mq-fewer-queues:warning");
	clear(v);
	v->load = NULL;
	vd_mq_free(mq);
}

/* A ring reading: TX and RX with their req prod/cons and rsp prod. */
static struct vd_ioring ring(unsigned long id, uint32_t tx_req, uint32_t tx_rsp, uint32_t rx_req,
			     uint32_t rx_rsp)
{
	struct vd_ioring r = { .id = id };

	r.tx = (struct vd_ring_side){ .ok = true,
				      .nr_ents = 256,
				      .req_prod = tx_req,
				      .req_cons = tx_req,
				      .rsp_prod = tx_rsp };
	r.rx = (struct vd_ring_side){ .ok = true,
				      .nr_ents = 256,
				      .req_prod = rx_req,
				      .req_cons = rx_rsp,
				      .rsp_prod = rx_rsp };
	return r;
}

static void test_ring_progress(void **state)
{
	char name[] = "vif1.0", err[] = "cannot read io_ring_q1: Permission denied";
	struct vd_ioring a[2] = { ring(0, 0xfffffed8u, 0xfffffed8u, 5271, 5015),
				  ring(1, 4, 4, 258, 2) };
	struct vd_ioring b[2] = { ring(0, 1000, 1000, 8271, 8015), ring(1, 24, 24, 288, 32) };
	struct vd_nbdebug da = { .name = name, .rings = a, .nrings = 2 };
	struct vd_nbdebug db = { .name = name, .rings = b, .nrings = 2 };
	struct vd_qload ld = { 0 };
	const struct vd_qring *g;

	(void)state;
	vd_qload_rings(&ld, &da, &db, 2.0);
	assert_true(ld.rings);
	assert_int_equal(ld.nq, 2);
	g = &ld.q[0].ring;
	assert_int_equal(g->state, VD_RING_OK);
	/* RING_IDX wraps: 4294967000 -> 1000 is 296 + 1000 slots, not a ring set up again */
	assert_int_equal(g->tx.rsp_prod, 1296);
	assert_int_equal(g->tx.req_prod, 1296);
	assert_int_equal(g->rx.rsp_prod, 3000);
	assert_int_equal(g->rx.req_prod, 3000);
	assert_int_equal(g->slots, 4296);
	assert_true(g->per_sec == 2148.0 && g->tx.per_sec == 648.0 && g->rx.per_sec == 1500.0);
	assert_string_equal(g->text, "TX req prod 4294967000 -> 1000, cons 4294967000 -> 1000, "
				     "rsp prod 4294967000 -> 1000; RX req prod 5271 -> 8271, "
				     "cons 5015 -> 8015, rsp prod 5015 -> 8015");
	assert_int_equal(ld.q[1].ring.slots, 50);
	assert_int_equal(ld.slots, 4346);
	vd_qload_clear(&ld);

	/* a queue fewer in the second reading: vanished; one more: new, without rates */
	db.nrings = 1;
	vd_qload_rings(&ld, &da, &db, 2.0);
	assert_int_equal(ld.nq, 2);
	assert_int_equal(ld.q[1].ring.state, VD_RING_VANISHED);
	assert_int_equal(ld.q[1].ring.slots, 0);
	assert_int_equal(ld.slots, 4296);
	vd_qload_clear(&ld);
	da.nrings = 1;
	db.nrings = 2;
	vd_qload_rings(&ld, &da, &db, 2.0);
	assert_int_equal(ld.q[1].ring.state, VD_RING_NEW);
	assert_true(ld.q[1].ring.per_sec == 0);
	vd_qload_clear(&ld);

	/* the dir gone (the VIF detached): every ring vanished; the queues of the interrupt
	 * lines (here 3, as a load already has them) stay, the ones without rings say none */
	da.nrings = 2;
	ld.q = vd_calloc(3, sizeof(*ld.q));
	ld.nq = 3;
	vd_qload_rings(&ld, &da, NULL, 2.0);
	assert_int_equal(ld.nq, 3);
	assert_int_equal(ld.q[0].ring.state, VD_RING_VANISHED);
	assert_int_equal(ld.q[1].ring.state, VD_RING_VANISHED);
	assert_int_equal(ld.q[2].ring.state, VD_RING_NONE);
	assert_int_equal(ld.slots, 0);
	vd_qload_clear(&ld);

	/* an index that went back (the ring was set up again) or a new size: no rate */
	b[0] = ring(0, 10, 10, 20, 20);
	vd_qload_rings(&ld, &da, &db, 2.0);
	assert_int_equal(ld.q[0].ring.state, VD_RING_RESET);
	assert_int_equal(ld.q[0].ring.slots, 0);
	assert_int_equal(ld.slots, 50);
	vd_qload_clear(&ld);
	b[0] = ring(0, 1000, 1000, 8271, 8015);
	b[0].rx.nr_ents = 512;
	vd_qload_rings(&ld, &da, &db, 2.0);
	assert_int_equal(ld.q[0].ring.state, VD_RING_RESET);
	vd_qload_clear(&ld);

	/* an unreadable file in either reading */
	b[0] = ring(0, 1000, 1000, 8271, 8015);
	b[1].error = err;
	vd_qload_rings(&ld, &da, &db, 2.0);
	assert_int_equal(ld.q[1].ring.state, VD_RING_UNREADABLE);
	assert_string_equal(ld.q[1].ring.text, b[1].error);
	assert_int_equal(ld.slots, 4296);
	vd_qload_clear(&ld);
}

/* VD065 from the rings when there are no interrupt lines; both cited when there are. */
static void test_imbalance_rings(void **state)
{
	struct vdt *t = *state;
	struct vd_mq *mq = no_host();
	char name[] = "vif1.0";
	struct vd_ioring a[2] = { ring(0, 0, 0, 0, 0), ring(1, 0, 0, 0, 0) };
	struct vd_ioring b[2] = { ring(0, 1000, 1000, 3000, 3000), ring(1, 20, 20, 30, 30) };
	struct vd_nbdebug da = { .name = name, .rings = a, .nrings = 2 };
	struct vd_nbdebug db = { .name = name, .rings = b, .nrings = 2 };
	struct vd_qload ld = { .netdev = "vif1.0", .q = vd_calloc(1, sizeof(*ld.q)) };
	const struct vd_finding *f;
	struct vd_vif *v;

	v = offered(t, 2, "2");
	v->negotiated = 2;
	vd_qload_rings(&ld, &da, &db, 2.0);
	ld.ring_dir = "vif1.0";
	v->load = &ld;
	vd_diagnose_mq(t->host, NULL, mq);
	f = vdt_finding(v, "queue-imbalance");
	assert_string_equal(f->msg, "hash imbalance: queue 0 carries 99% of the 2025 ring slots/s "
				    "of 2 queues (debugfs ring indexes; no interrupt counts)");
	assert_int_equal(f->nev, 2);
	assert_string_equal(f->ev[0].where, "/sys/kernel/debug/xen-netback/vif1.0/io_ring_q0 (2 "
					    "readings, 2.0 s apart)");
	/* interrupt lines with events: they judge (evenly spread here), rings or not */
	clear(v);
	ld.irq = ld.window = true;
	ld.secs = 2.0;
	ld.q[0].seen = ld.q[1].seen = true;
	ld.q[0].events = 600;
	ld.q[1].events = 400;
	ld.total = 1000;
	ld.q[0].lines = vd_strdup("vif1.0-q0-tx irq 47: CPU0 600");
	ld.q[1].lines = vd_strdup("vif1.0-q1-tx irq 49: CPU0 400");
	vd_diagnose_mq(t->host, NULL, mq);
	assert_string_equal(only_mq(t, v), "mq-fewer-queues:warning");
	/* uneven: the interrupts' message, the evidence has both */
	clear(v);
	ld.q[0].events = 990;
	ld.q[1].events = 10;
	vd_diagnose_mq(t->host, NULL, mq);
	f = vdt_finding(v, "queue-imbalance");
	assert_string_equal(f->msg,
			    "hash imbalance: queue 0 carries 99% of the 500 events/s of 2 queues");
	assert_int_equal(f->nev, 4);
	assert_string_equal(f->ev[0].where, "/proc/interrupts (queue 0)");
	assert_string_equal(f->ev[3].where, "/sys/kernel/debug/xen-netback/vif1.0/io_ring_q1 (2 "
					    "readings, 2.0 s apart)");
	assert_string_equal(f->ev[3].value, "TX req prod 0 -> 20, cons 0 -> 20, rsp prod 0 -> 20; "
					    "RX req prod 0 -> 30, cons 0 -> 30, rsp prod 0 -> 30");
	clear(v);
	v->load = NULL;
	ld.ring_dir = NULL;
	vd_qload_clear(&ld);
	vd_mq_free(mq);
}

static void test_catalogue(void **state)
{
	assert_string_equal(vd_rule_id("mq-backend-limit"), "VD064");
	assert_string_equal(vd_rule_lookup("VD014")->code, "hotplug-error");
	assert_null(vd_rule_id("no-such-code"));
	for (size_t i = 0; i < vd_nrules; i++) {
		char id[32];

		snprintf(id, sizeof(id), "VD%03zu", i + 1);
		assert_string_equal(vd_rules[i].id, id);
		/* one line, no trailing period (the man page adds its own) */
		for (int k = 0; k < 3; k++) {
			const char *x = k == 0	 ? vd_rules[i].title
					: k == 1 ? vd_rules[i].remedy
						 : vd_rules[i].example;

			assert_null(strchr(x, '\n'));
			assert_true(*x && x[strlen(x) - 1] != '.');
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpulist),
		VDT_TEST(test_vcpus),
		VDT_TEST(test_legacy),
		VDT_TEST(test_fewer),
		VDT_TEST(test_backend_limit),
		VDT_TEST(test_imbalance),
		cmocka_unit_test(test_ring_progress),
		VDT_TEST(test_imbalance_rings),
		cmocka_unit_test(test_catalogue),
	};

	return cmocka_run_group_tests_name("mq", tests, NULL, NULL);
}
