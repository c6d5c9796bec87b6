// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The host rules (facts §2.3 last rows, §6 R9 R10 R17 R18 R19, §7): a VIF from vd_test.h's
 * libxl + Linux generators, a throw-away sysfs tree for its backend domain, then the join
 * and the rules. A row checks the verdict and the exact host findings (code:severity, in
 * order; the xenstore rules' own findings are tested in test_diag.c).
 */
#include "vd_test.h"

#include <stdio.h>
#include <sys/stat.h>

#include "sysfs_tree.h"
#include "vd_opts.h"
#include "vd_render.h"
#include "vd_sysfs.h"

#define NONE "-" /* st_dev.name: no such netdev */

struct hrow {
	const char *name;
	const char *fe, *be; /* states */
	unsigned flags;	     /* VDT_* */
	const char *set[5];  /* backend key, value (xenstore-ls form); NULL ends */
	struct st_dev dev;   /* the VIF's netdev (name default vif1.0, xb vif-1-0); NONE: none */
	struct st_dev br;    /* the bridge (default a healthy xenbr0); NONE: none */
	struct st_dev other; /* one more netdev (a twin, a bond, another bridge), if named */
	const char *maxq;    /* xen_netback max_queues; NULL: module not loaded */
	const char *rxq;     /* io_ring_q0's "Rx internal queue: ..." tail; NULL: no debugfs */
	unsigned rx_req, rx_rsp;
	const char *credit;
	unsigned usec;
	int timer;
	const char *verdict;
	const char *codes;	/* host findings */
	const char *code, *msg; /* one finding's exact message */
};

#define UP_DEV(...)                                                                                \
	{                                                                                          \
		.master = "xenbr0", .brport = true, __VA_ARGS__                                    \
	}
#define RUNNING	  "len 0 max 524288 pkts 0 running"
#define STOPPED	  "len 524288 max 524288 pkts 362 stopped"
#define UNLIMITED "18446744073709551615"

/* fe, be default to "4" (both Connected) */
static struct hrow rows[] = {
	{ .name = "healthy Linux bridge port",
	  .dev = UP_DEV(),
	  .maxq = "8",
	  .rxq = RUNNING,
	  .rx_req = 271,
	  .rx_rsp = 15,
	  .credit = UNLIMITED,
	  .verdict = "ok",
	  .codes = "" },
	{ .name = "on another bridge than xenstore asks",
	  .dev = { .master = "xenbr1", .brport = true },
	  .other = { .name = "xenbr1", .bridge = true },
	  .maxq = "8",
	  .verdict = "wrong-bridge",
	  .codes = "wrong-bridge:error",
	  .code = "wrong-bridge",
	  .msg = "vif1.0 is on Linux bridge xenbr1, but xenstore asks for xenbr0 "
		 "(/local/domain/0/backend/vif/1/0/bridge)" },
	{ .name = "R10: on no bridge, the bridge was deleted",
	  .br = { .name = NONE },
	  .maxq = "8",
	  .verdict = "not-bridged",
	  .codes = "not-bridged:error",
	  .code = "not-bridged",
	  .msg = "vif1.0 is on no bridge; xenstore asks for xenbr0" },
	{ .name = "enslaved to a bond, not a bridge",
	  .dev = { .master = "bond0" },
	  .other = { .name = "bond0" },
	  .maxq = "8",
	  .verdict = "not-bridged",
	  .codes = "not-bridged:error",
	  .code = "not-bridged",
	  .msg = "vif1.0 is on no bridge (its master bond0 is not a bridge); xenstore asks for "
		 "xenbr0" },
	{ .name = "routed setup: no bridge on purpose",
	  .flags = VDT_NO_BRIDGE,
	  .set = { VDT_BE "/script", "/etc/xen/scripts/vif-route" },
	  .maxq = "8",
	  .verdict = "ok",
	  .codes = "not-bridged:info",
	  .code = "not-bridged",
	  .msg = "vif1.0 is on no bridge, as expected with /etc/xen/scripts/vif-route" },
	{ .name = "no bridge key and an unknown script: a warning",
	  .flags = VDT_NO_BRIDGE,
	  .set = { VDT_BE "/script", "/etc/xen/scripts/custom" },
	  .maxq = "8",
	  .verdict = "not-bridged",
	  .codes = "not-bridged:warning" },
	{ .name = "connected but no netdev at all",
	  .dev = { .name = NONE },
	  .maxq = "8",
	  .verdict = "no-netdev",
	  .codes = "no-netdev:error",
	  .code = "no-netdev",
	  .msg = "netback probed the backend (state Connected) but there is no interface for it: "
		 "no "
		 "interface's device names backend/vif/1/0, and no interface is named vif1.0" },
	{ .name = "R6: the name belongs to another backend",
	  .dev = UP_DEV(.xb = "vif-2-0"),
	  .maxq = "8",
	  .verdict = "no-netdev",
	  .codes = "no-netdev:error",
	  .code = "no-netdev",
	  .msg = "netback probed the backend (state Connected) but there is no interface for it: "
		 "no "
		 "interface's device names backend/vif/1/0, and no interface is named vif1.0; "
		 "vif1.0 serves backend/vif/2/0" },
	{ .name = "a netdev without a device link is found by name",
	  .dev = UP_DEV(.xb = NONE),
	  .maxq = "8",
	  .verdict = "ok",
	  .codes = "" },
	{ .name = "R9: administratively down",
	  .dev = UP_DEV(.flags = "0x1302", .operstate = "down", .carrier = ""),
	  .maxq = "8",
	  .verdict = "link-down",
	  .codes = "if-down:error",
	  .code = "if-down",
	  .msg = "vif1.0 is administratively down (IFF_UP is clear, operstate down)" },
	{ .name = "no carrier while connected",
	  .dev = UP_DEV(.operstate = "down", .carrier = "0"),
	  .maxq = "8",
	  .verdict = "link-down",
	  .codes = "no-carrier:error" },
	{ .name = "the bridge is down",
	  .dev = UP_DEV(),
	  .br = { .flags = "0x1002", .operstate = "down" },
	  .maxq = "8",
	  .verdict = "link-down",
	  .codes = "bridge-down:error",
	  .code = "bridge-down",
	  .msg = "bridge xenbr0 is administratively down" },
	{ .name = "MTU differs from the bridge's and the guest's",
	  .dev = UP_DEV(.mtu = 9000),
	  .maxq = "8",
	  .verdict = "mtu-mismatch",
	  .codes = "mtu-mismatch:error mtu-config:warning",
	  .code = "mtu-config",
	  .msg = "xenstore gives the guest MTU 1500 (/local/domain/1/device/vif/0/mtu), vif1.0 has "
		 "9000" },
	{ .name = "no driver: carrier 0 is a consequence, not a finding",
	  .fe = "1",
	  .be = "2",
	  .flags = VDT_TS_ONLY,
	  .dev = UP_DEV(.operstate = "down", .carrier = "0", .txq = 8, .rxq = 8),
	  .maxq = "8",
	  .verdict = "no-driver",
	  .codes = "" },
	{ .name = "R5: not probed and xen_netback not loaded",
	  .fe = "1",
	  .be = "1",
	  .flags = VDT_UNPROBED | VDT_HOTPLUG_EMPTY | VDT_TS_ONLY,
	  .dev = { .name = NONE },
	  .verdict = "not-probed",
	  .codes = "netback-not-loaded:error",
	  .code = "netback-not-loaded",
	  .msg = "the xen_netback module is not loaded in domain 0 (no /sys/module/xen_netback)" },
	{ .name = "queues/ disagrees with the negotiated count",
	  .dev = UP_DEV(.txq = 2, .rxq = 2),
	  .maxq = "8",
	  .verdict = "ok",
	  .codes = "queue-count-mismatch:warning",
	  .code = "queue-count-mismatch",
	  .msg = "vif1.0 has 2 TX and 2 RX queues, xenstore says 1 were negotiated" },
	{ .name = "R19: max_queues lowered to 1 after the probe",
	  .dev = UP_DEV(),
	  .maxq = "1",
	  .verdict = "ok",
	  .codes = "netback-max-queues:info netback-single-queue:info",
	  .code = "netback-max-queues",
	  .msg = "xen_netback max_queues is 1 now; this backend offered 8 when it was probed" },
	{ .name = "RX queue stopped but buffers posted: transient",
	  .dev = UP_DEV(),
	  .maxq = "8",
	  .rxq = STOPPED,
	  .rx_req = 110,
	  .rx_rsp = 100,
	  .credit = UNLIMITED,
	  .verdict = "ok",
	  .codes = "rx-queue-stopped:warning",
	  .code = "rx-queue-stopped",
	  .msg = "queue 0: netback's RX queue toward the guest is full and stopped; 10 RX buffers "
		 "posted" },
	{ .name = "R17: RX stopped and no buffer posted",
	  .dev = UP_DEV(),
	  .maxq = "8",
	  .rxq = STOPPED,
	  .rx_req = 5120,
	  .rx_rsp = 5120,
	  .credit = UNLIMITED,
	  .verdict = "rx-stalled",
	  .codes = "rx-stalled:error" },
	{ .name = "R17: no buffer posted and no carrier",
	  .dev = UP_DEV(.operstate = "down", .carrier = "0"),
	  .maxq = "8",
	  .rxq = RUNNING,
	  .rx_req = 77,
	  .rx_rsp = 77,
	  .credit = UNLIMITED,
	  .verdict = "rx-stalled",
	  .codes = "rx-stalled:error",
	  .code = "rx-stalled",
	  .msg = "queue 0: the guest has posted no RX buffers and netback dropped the carrier" },
	{ .name = "R18: a rate limit, not exhausted",
	  .dev = UP_DEV(),
	  .maxq = "8",
	  .rxq = RUNNING,
	  .rx_req = 271,
	  .rx_rsp = 15,
	  .credit = "125000",
	  .usec = 10000,
	  .verdict = "ok",
	  .codes = "rate-limit:info",
	  .code = "rate-limit",
	  .msg = "rate limit 125000 bytes per 10000 us (100.0 Mbit/s per queue)" },
	{ .name = "R18: throttled right now",
	  .dev = UP_DEV(),
	  .maxq = "8",
	  .rxq = RUNNING,
	  .rx_req = 271,
	  .rx_rsp = 15,
	  .credit = "25000",
	  .usec = 20000,
	  .timer = 1,
	  .verdict = "rate-limited",
	  .codes = "rate-limited:warning" },
	{ .name = "the emulated twin is on another bridge",
	  .dev = UP_DEV(),
	  .other = { .name = "vif1.0-emu", .master = "xenbr9", .brport = true },
	  .maxq = "8",
	  .verdict = "ok",
	  .codes = "twin-bridge:warning",
	  .code = "twin-bridge",
	  .msg = "the emulated twin vif1.0-emu is on xenbr9, the PV interface vif1.0 on xenbr0" },
	{ .name = "a failed hotplug keeps its verdict",
	  .be = "2",
	  .set = { VDT_BE "/hotplug-status", "error", VDT_BE "/hotplug-error",
		   "Could not find bridge device xenbr0" },
	  .dev = { .operstate = "down", .carrier = "0" },
	  .br = { .name = NONE },
	  .maxq = "8",
	  .verdict = "hotplug-failed",
	  .codes = "" },
};

struct world {
	struct st st;
	struct vd_sysfs *s;
	size_t first; /* index of the first host finding */
};

static void build_sysfs(const struct st *t, const struct hrow *r)
{
	struct st_dev dev = r->dev, br = r->br;

	if (!br.name || strcmp(br.name, NONE) != 0) {
		br.name = br.name ? br.name : "xenbr0";
		br.bridge = true;
		br.flags = br.flags ? br.flags : "0x1003";
		st_netdev(t, &br);
	}
	if (!dev.name || strcmp(dev.name, NONE) != 0) {
		dev.name = dev.name ? dev.name : "vif1.0";
		dev.xb = !dev.xb ? "vif-1-0" : strcmp(dev.xb, NONE) ? dev.xb : NULL;
		st_netdev(t, &dev);
	}
	if (r->other.name)
		st_netdev(t, &r->other);
	if (r->maxq)
		st_param(t, "max_queues", r->maxq);
	if (r->rxq) {
		char *text =
			st_ioring(0, r->rx_req, r->rx_rsp, r->credit, r->usec, r->timer, r->rxq);

		st_ring(t, "vif1.0", 0, text);
		free(text);
	}
}

/* Reads root and runs the host side on the model already built and diagnosed. */
static void host_side(struct vdt *t, struct world *w, const char *root)
{
	w->s = vd_sysfs_read(root, false);
	vd_host_join(t->host, w->s);
	w->first = t->host->nvifs ? t->host->vifs[0]->nfindings : 0;
	vd_diagnose_host(t->host, w->s);
}

static const char *host_codes(struct vdt *t, const struct vd_vif *v, size_t first)
{
	vd_buf_reset(&t->scratch);
	for (size_t i = first; i < v->nfindings; i++) {
		vd_buf_addf(&t->scratch, "%s%s:%s", i > first ? " " : "", v->findings[i].code,
			    vd_sev_name(v->findings[i].sev));
		vdt_assert_style("message", v->findings[i].msg);
		vdt_assert_style("hint", v->findings[i].hint);
	}
	return vd_buf_cstr(&t->scratch);
}

static void test_row(void **state)
{
	struct vdt *t = *state;
	const struct hrow *r = t->arg;
	struct world w = { 0 };
	struct vd_vif *v;

	vdt_std(t, r->fe ? r->fe : "4", r->be ? r->be : "4", r->flags);
	for (size_t i = 0; r->set[i]; i += 2)
		vdt_set(t, r->set[i], r->set[i + 1]);
	vdt_build(t, true);
	st_init(&w.st);
	build_sysfs(&w.st, r);
	host_side(t, &w, w.st.root);
	v = vdt_vif(t, 1, 0);
	assert_non_null(v->host);
	assert_null(v->host_unavailable);
	assert_string_equal(host_codes(t, v, w.first), r->codes);
	assert_string_equal(v->verdict, r->verdict);
	if (r->code && r->msg)
		assert_string_equal(vdt_finding(v, r->code)->msg, r->msg);
	vd_sysfs_free(w.s);
	st_free(&w.st);
}

/* Facts the rows do not show: what was mapped, and how. */
static void test_mapping_facts(void **state)
{
	struct vdt *t = *state;
	struct world w = { 0 };
	const struct vd_hostfacts *f;

	vdt_std(t, "4", "4", 0);
	vdt_set(t, VDT_BE "/vifname", "web0");
	vdt_build(t, true);
	st_init(&w.st);
	st_netdev(&w.st, &(struct st_dev){ .name = "xenbr0", .bridge = true, .flags = "0x1003" });
	/* a decoy named like netback's default, serving another backend */
	st_netdev(&w.st, &(struct st_dev){ .name = "vif1.0", .xb = "vif-7-0" });
	st_netdev(&w.st,
		  &(struct st_dev){
			  .name = "web0", .xb = "vif-1-0", .master = "xenbr0", .brport = true });
	st_netdev(&w.st,
		  &(struct st_dev){ .name = "web0-emu", .master = "xenbr0", .brport = true });
	st_netdev(&w.st, &(struct st_dev){ .name = "tap1.0", .master = "xenbr0", .brport = true });
	st_ring(&w.st, "vif1.0", 0, "junk"); /* debugfs dir named at connect time */
	host_side(t, &w, w.st.root);
	f = vdt_vif(t, 1, 0)->host;
	assert_string_equal(f->nd->name, "web0");
	assert_string_equal(f->mapped_by, "device-link");
	assert_string_equal(f->bridge, "xenbr0");
	assert_string_equal(f->bridge_kind, "linux");
	assert_string_equal(f->br->name, "xenbr0");
	assert_int_equal(f->ntwins, 2);
	assert_string_equal(f->twins[0]->name, "web0-emu");
	assert_string_equal(f->twins[1]->name, "tap1.0");
	assert_string_equal(f->dbg->name, "vif1.0");
	assert_non_null(f->dbg->rings[0].error);
	assert_false(f->local_assumed);
	assert_int_equal(f->local_domid, 0);
	assert_string_equal(vd_host_link_word(f->nd), "up");
	assert_string_equal(vdt_vif(t, 1, 0)->verdict, "ok");
	vd_sysfs_free(w.s);
	st_free(&w.st);
}

/* Only VIFs whose backend is this domain get host facts; the others say why not. */
static void test_not_local(void **state)
{
	struct vdt *t = *state;
	struct world w = { 0 };
	struct vd_vif *v;

	vdt_std(t, "4", "4", 0);
	vdt_domain(t, 2, "domu2");
	vdt_domain(t, 5, "netdd");
	vdt_backend(t, 5, 2, 0, "4", 0);
	vdt_frontend(t, 2, 5, 0, "4", 0);
	vdt_line(t, "/local/domain/3", "");
	vdt_line(t, "/local/domain/3/device/vif/0/state", "1");
	vdt_build(t, true);
	st_init(&w.st);
	st_netdev(&w.st, &(struct st_dev){ .name = "xenbr0", .bridge = true, .flags = "0x1003" });
	st_netdev(&w.st,
		  &(struct st_dev){
			  .name = "vif1.0", .xb = "vif-1-0", .master = "xenbr0", .brport = true });
	host_side(t, &w, w.st.root);
	assert_non_null(vdt_vif(t, 1, 0)->host);
	v = vdt_vif(t, 2, 0);
	assert_null(v->host);
	assert_string_equal(v->host_unavailable,
			    "the backend is in domain 5; this sysfs is domain 0's");
	v = vdt_vif(t, 3, 0);
	assert_null(v->host);
	assert_string_equal(v->host_unavailable, "the backend is not in xenstore");
	vd_sysfs_free(w.s);

	/* a driver domain's sysfs: its own backends name it */
	st_free(&w.st);
	vd_host_free(t->host);
	vdt_build(t, true);
	st_init(&w.st);
	st_netdev(&w.st, &(struct st_dev){ .name = "vif2.0", .xb = "vif-2-0" });
	host_side(t, &w, w.st.root);
	assert_non_null(vdt_vif(t, 2, 0)->host);
	assert_int_equal(vdt_vif(t, 2, 0)->host->local_domid, 5);
	assert_string_equal(vdt_vif(t, 1, 0)->host_unavailable,
			    "the backend is in domain 0; this sysfs is domain 5's");
	vd_sysfs_free(w.s);
	st_free(&w.st);
}

static void test_offline(void **state)
{
	struct vdt *t = *state;
	struct world w = { 0 };

	vdt_std(t, "4", "4", 0);
	vdt_build(t, true);
	host_side(t, &w, NULL);
	assert_null(vdt_vif(t, 1, 0)->host);
	assert_string_equal(vdt_vif(t, 1, 0)->host_unavailable,
			    "offline dump: no sysfs given (use --sysfs-root)");
	assert_string_equal(vdt_vif(t, 1, 0)->verdict, "ok");
	vd_sysfs_free(w.s);
}

/* Open vSwitch: the bridge from ovs-vsctl, compared with xenstore's BRIDGE[.VLAN]. */
static void test_ovs(void **state)
{
	static const char *const answers[][3] = {
		{ "xenbr0", "ok", "" },
		{ "xenbr1", "wrong-bridge", "wrong-bridge:error" },
		{ "", "ok", "ovs-bridge-unknown:info" },
	};
	struct vdt *t = *state;

	vdt_std(t, "4", "4", 0);
	vdt_set(t, VDT_BE "/bridge", "xenbr0.10");
	vdt_build(t, true);
	for (size_t i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
		struct world w = { 0 };
		struct vd_vif *v;
		char *tool, *body;

		st_init(&w.st);
		st_netdev(&w.st, &(struct st_dev){ .name = "ovs-system", .flags = "0x1002" });
		st_netdev(&w.st, &(struct st_dev){ .name = "vif1.0",
						   .xb = "vif-1-0",
						   .master = "ovs-system" });
		body = *answers[i][0] ? vd_asprintf("#!/bin/sh\necho %s\n", answers[i][0])
				      : vd_strdup("#!/bin/sh\nexit 1\n");
		st_file(&w.st, "ovs-vsctl", body);
		tool = st_path(&w.st, "ovs-vsctl");
		chmod(tool, 0755);
		setenv("VIFDIAG_OVS_VSCTL", tool, 1);
		v = vdt_vif(t, 1, 0);
		v->verdict = "ok"; /* as vd_diagnose left it: each round starts afresh */
		host_side(t, &w, w.st.root);
		unsetenv("VIFDIAG_OVS_VSCTL");
		assert_string_equal(v->host->bridge_kind, "ovs");
		assert_string_equal(host_codes(t, v, w.first), answers[i][2]);
		assert_string_equal(v->verdict, answers[i][1]);
		for (size_t k = w.first; k < v->nfindings; k++) {
			free(v->findings[k].msg);
			free(v->findings[k].hint);
		}
		v->nfindings = w.first;
		vd_sysfs_free(w.s);
		st_free(&w.st);
		free(tool);
		free(body);
	}
}

/* sysfs names are not guest data, but a hostile tree must not reach the terminal raw. */
static void test_render_escapes(void **state)
{
	struct vdt *t = *state;
	struct world w = { 0 };
	const struct vd_vif *sel[1];
	struct vd_selection selection = { sel, 1 };
	struct vd_opts o = { .from = "x", .sysfs_root = "y" };
	char *buf = NULL;
	size_t len = 0;

	vdt_std(t, "4", "4", 0);
	vdt_build(t, true);
	st_init(&w.st);
	st_netdev(&w.st, &(struct st_dev){ .name = "br\033]0;pwn\007", .bridge = true });
	st_netdev(&w.st, &(struct st_dev){ .name = "vif1.0",
					   .xb = "vif-1-0",
					   .master = "br\033]0;pwn\007",
					   .brport = true });
	host_side(t, &w, w.st.root);
	sel[0] = vdt_vif(t, 1, 0);
	assert_string_equal(sel[0]->verdict, "wrong-bridge");
	o.out = open_memstream(&buf, &len);
	o.err = o.out;
	assert_int_equal(vd_render_text.status(t->host, &selection, &o), 0);
	assert_int_equal(vd_render_text.show(t->host, &selection, &o), 0);
	fclose(o.out);
	assert_null(memchr(buf, '\033', len));
	assert_null(memchr(buf, '\007', len));
	assert_non_null(strstr(buf, "br\\x1b]0;pwn\\x07 (want xenbr0)"));
	free(buf);
	vd_sysfs_free(w.s);
	st_free(&w.st);
}

static void test_verdict_table(void **state)
{
	for (const struct vd_verdict_info *i = vd_host_verdicts; i->word; i++) {
		assert_string_equal(vd_host_verdict_meaning(i->word), i->meaning);
		for (const struct vd_verdict_info *j = vd_verdicts; j->word; j++)
			if (strcmp(i->word, j->word) == 0)
				fail_msg("host verdict %s is also a xenstore verdict", i->word);
	}
	assert_null(vd_host_verdict_meaning("ok"));
}

int main(void)
{
	const struct CMUnitTest fixed[] = {
		VDT_TEST(test_mapping_facts),  VDT_TEST(test_not_local),
		VDT_TEST(test_offline),	       VDT_TEST(test_ovs),
		VDT_TEST(test_render_escapes), VDT_TEST(test_verdict_table),
	};

	return vdt_run("hostdiag", fixed, sizeof(fixed) / sizeof(fixed[0]), test_row, rows,
		       sizeof(rows[0]), sizeof(rows) / sizeof(rows[0]));
}
