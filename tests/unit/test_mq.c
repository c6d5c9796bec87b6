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

	guest(t, 4, 4);
	vdt_set(t, VDT_BE "/multi-queue-max-queues", "2");
	vdt_build(t, true);
	v = vdt_vif(t, 1, 0);
	clear(v);
	/* netback's default: the backend domain's 2 CPUs */
	v->host = &hf;
	mq->be_cpus = 2;
	mq->root = vd_strdup("/");
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
	struct vd_qload ld = {
		.netdev = "vif1.0", .window = true, .secs = 2.0, .q = q, .nq = 2, .total = 1000
	};
	const struct vd_finding *f;
	struct vd_vif *v;

	mq->root = vd_strdup("/");
	guest(t, 2, 2);
	vdt_set(t, VDT_BE "/multi-queue-max-queues", "2");
	vdt_build(t, true);
	v = vdt_vif(t, 1, 0);
	clear(v);
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
		cmocka_unit_test(test_catalogue),
	};

	return cmocka_run_group_tests_name("mq", tests, NULL, NULL);
}
