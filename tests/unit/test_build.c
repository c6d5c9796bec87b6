// SPDX-License-Identifier: GPL-2.0-or-later
/* The model builder: domains, VIF ends paired by their pointers, queues. */
#include "vd_test.h"

#define LIAR_FE "/local/domain/2/device/vif/0"
#define LIAR_BE "/local/domain/0/backend/vif/2/0"

static void assert_num(const struct vd_num *n, const char *want)
{
	/* "-" absent, "?" present but not a number, else the number */
	if (strcmp(want, "-") == 0) {
		assert_null(n->node);
	} else if (strcmp(want, "?") == 0) {
		assert_non_null(n->node);
		assert_false(n->ok);
	} else {
		assert_non_null(n->node);
		assert_true(n->ok);
		assert_int_equal(n->v, strtoul(want, NULL, 10));
	}
}

static void assert_node(const struct vd_node *nd, const char *path, const char *value)
{
	assert_non_null(nd);
	assert_string_equal(nd->name, strrchr(path, '/') + 1);
	assert_string_equal(nd->value, value);
}

/* Everything the JSON contract reads, for the plain libxl + Linux pair. */
static void test_healthy_pair(void **state)
{
	struct vdt *t = *state;
	const struct vd_vif *v;

	vdt_std(t, "4", "4", 0);
	vdt_line(t, "/local/domain/1/vm", "/vm/27bbf650-b438-492a-a9bb-9baaceb11ce1");
	vdt_build(t, false);
	assert_int_equal(t->host->nvifs, 1);
	assert_int_equal(t->host->nnotes, 0);
	v = vdt_vif(t, 1, 0);
	assert_true(v->paired);
	assert_false(v->mismatch);
	assert_null(v->fe_claims);
	assert_ptr_equal(v->dom, vd_host_domain(t->host, 1));
	assert_string_equal(vd_domain_name(v->dom), "domu1");
	assert_string_equal(v->dom->uuid, "27bbf650-b438-492a-a9bb-9baaceb11ce1");

	assert_string_equal(v->fe.path, VDT_FE);
	assert_true(v->fe.present);
	assert_false(v->fe.vanished);
	assert_int_equal(v->fe.domid, 1);
	assert_num(&v->fe.state, "4");
	assert_node(v->fe.peer, VDT_FE "/backend", VDT_BE);
	assert_num(&v->fe.peer_id, "0");
	assert_null(v->fe.error);

	assert_string_equal(v->be.path, VDT_BE);
	assert_true(v->be.present);
	assert_int_equal(v->be.domid, 0);
	assert_num(&v->be.state, "4");
	assert_node(v->be.peer, VDT_BE "/frontend", VDT_FE);
	assert_num(&v->be.peer_id, "1");
	assert_null(v->be.error);

	assert_node(v->mac, VDT_BE "/mac", "00:16:3e:00:01:00");
	assert_node(v->fe_mac, VDT_FE "/mac", "00:16:3e:00:01:00");
	assert_node(v->hotplug_status, VDT_BE "/hotplug-status", "connected");
	assert_null(v->hotplug_error);
	assert_node(v->bridge, VDT_BE "/bridge", "xenbr0");
	assert_string_equal(v->bridge_path, VDT_BE "/bridge");
	assert_null(v->xapi_hotplug);
	assert_node(v->online, VDT_BE "/online", "1");
	assert_node(v->be_handle, VDT_BE "/handle", "0");
	assert_node(v->fe_mtu, VDT_FE "/mtu", "1500");
	assert_null(v->vifname);
	assert_null(v->fe_disconnect);

	assert_num(&v->num_queues, "1");
	assert_num(&v->max_queues, "8");
	assert_int_equal(v->negotiated, 1);
	assert_int_equal(v->layout, VD_LAYOUT_FLAT);
	assert_int_equal(v->nqueues, 1);
	assert_int_equal(v->queues[0].id, 0);
	assert_string_equal(v->queues[0].dir, VDT_FE);
	assert_num(&v->queues[0].tx_ring_ref, "1548");
	assert_num(&v->queues[0].rx_ring_ref, "1549");
	assert_num(&v->queues[0].evtchn, "-");
	assert_num(&v->queues[0].evtchn_tx, "19");
	assert_num(&v->queues[0].evtchn_rx, "20");
	assert_num(&v->ctrl_ring_ref, "-");
	assert_num(&v->evtchn_ctrl, "-");
	assert_null(v->verdict); /* the builder judges nothing */
	assert_int_equal(v->nfindings, 0);
}

/* Only leaf keys, as in a grep'd paste: the dirs are implied, the ends still present. */
static void test_implied_dirs(void **state)
{
	static const char *const keys[][2] = {
		{ VDT_BE "/frontend", VDT_FE },	  { VDT_BE "/state", "4" },
		{ VDT_FE "/backend", VDT_BE },	  { VDT_FE "/state", "4" },
		{ VDT_FE "/tx-ring-ref", "9" },	  { VDT_FE "/rx-ring-ref", "8" },
		{ VDT_FE "/event-channel", "4" }, { "/local/domain/1/name", "domu1" },
	};
	struct vdt *t = *state;
	const struct vd_vif *v;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		vdt_line(t, keys[i][0], keys[i][1]);
	vdt_build(t, false);
	assert_int_equal(t->host->nvifs, 1);
	v = vdt_vif(t, 1, 0);
	assert_true(v->paired);
	assert_true(v->fe.present);
	assert_true(v->be.present);
	assert_num(&v->fe.state, "4");
	assert_num(&v->be.state, "4");
	assert_int_equal(v->layout, VD_LAYOUT_FLAT);
	assert_string_equal(vd_domain_name(v->dom), "domu1");
}

/* The real a-bringup tree: two queues on vif 0, one flat queue on vif 1. */
static void test_capture_bringup(void **state)
{
	struct vdt *t = *state;
	const struct vd_vif *v;

	vdt_load(t, "a-bringup-xenstore-ls-fp.txt");
	vdt_build(t, false);
	assert_int_equal(t->host->ndoms, 2);
	assert_string_equal(vd_domain_name(vd_host_domain(t->host, 0)), "Domain-0");
	assert_int_equal(t->host->nvifs, 2);
	assert_int_equal(t->host->nnotes, 0);

	v = vdt_vif(t, 1, 0);
	assert_true(v->paired);
	assert_string_equal(v->dom->uuid, "27bbf650-b438-492a-a9bb-9baaceb11ce1");
	assert_int_equal(v->negotiated, 2);
	assert_num(&v->max_queues, "2");
	assert_int_equal(v->layout, VD_LAYOUT_QUEUES);
	assert_int_equal(v->nqueues, 2);
	assert_string_equal(v->queues[1].dir, VDT_FE "/queue-1");
	assert_num(&v->queues[0].tx_ring_ref, "1032");
	assert_num(&v->queues[0].rx_ring_ref, "1033");
	assert_num(&v->queues[0].evtchn_tx, "15");
	assert_num(&v->queues[0].evtchn_rx, "16");
	assert_num(&v->queues[1].tx_ring_ref, "1034");
	assert_num(&v->queues[1].evtchn_rx, "18");
	assert_num(&v->queues[1].evtchn, "-");
	/* a node that is listed with perms but empty, as libxl creates it */
	assert_node(v->fe_trusted, VDT_FE "/trusted", "1");
	assert_string_equal(v->fe_mtu->perms, "n0,r1");

	v = vdt_vif(t, 1, 1);
	assert_true(v->paired);
	assert_int_equal(v->negotiated, 1);
	assert_num(&v->max_queues, "1");
	assert_int_equal(v->layout, VD_LAYOUT_FLAT);
	assert_int_equal(v->nqueues, 1);
	assert_num(&v->queues[0].tx_ring_ref, "1548");
	assert_num(&v->queues[0].rx_ring_ref, "1549");
	assert_num(&v->queues[0].evtchn_tx, "19");
	assert_num(&v->queues[0].evtchn_rx, "20");
}

/* After network-detach 1 and network-attach: the new vif reuses devid 1. */
static void test_capture_hotplug(void **state)
{
	struct vdt *t = *state;
	const struct vd_vif *v;

	vdt_load(t, "b-hotplug-xenstore-ls-fp.txt");
	vdt_build(t, false);
	assert_int_equal(t->host->nvifs, 2);
	v = vdt_vif(t, 1, 1);
	assert_true(v->paired);
	assert_string_equal(v->mac->value, "00:16:3e:00:01:02");
	assert_int_equal(v->negotiated, 2);
	assert_num(&v->queues[0].tx_ring_ref, "2060");
	assert_num(&v->queues[1].evtchn_rx, "22");
}

/* A guest without netfront: the backend waits, the frontend has only the toolstack's keys. */
static void test_capture_no_netfront(void **state)
{
	struct vdt *t = *state;
	const struct vd_vif *v;

	vdt_load(t, "c-no-netfront-xenstore-ls-fp.txt");
	vdt_build(t, false);
	assert_int_equal(t->host->nvifs, 3);
	v = vdt_vif(t, 2, 0);
	assert_true(v->paired);
	assert_string_equal(vd_domain_name(v->dom), "domu2-nonetfront");
	assert_num(&v->fe.state, "1");
	assert_num(&v->be.state, "2");
	assert_num(&v->num_queues, "-");
	assert_num(&v->max_queues, "2");
	assert_int_equal(v->negotiated, -1);
	assert_int_equal(v->layout, VD_LAYOUT_NONE);
	assert_int_equal(v->nqueues, 0);
	assert_null(v->queues);
}

/* Backend in driver domain 1, frontend in domain 2: pairing walks pointers, not dom0. */
static void test_driver_domain(void **state)
{
	struct vdt *t = *state;
	const struct vd_vif *v;

	vdt_domain(t, 0, "Domain-0");
	vdt_domain(t, 1, "netdd");
	vdt_domain(t, 2, "guest");
	vdt_backend(t, 1, 2, 0, "5", 0);
	vdt_frontend(t, 2, 1, 0, "4", 0);
	vdt_line(t, "/local/domain/1/error/backend/vif/2/0/error", "22 reading ring-ref");
	vdt_build(t, false);
	assert_int_equal(t->host->nvifs, 1);
	v = vdt_vif(t, 2, 0);
	assert_true(v->paired);
	assert_int_equal(v->be.domid, 1);
	assert_int_equal(v->fe.domid, 2);
	assert_string_equal(v->be.path, "/local/domain/1/backend/vif/2/0");
	assert_num(&v->fe.peer_id, "1");
	assert_string_equal(vd_domain_name(v->dom), "guest");
	/* the error node lives in the driver domain, not in dom0 */
	assert_node(v->be.error, "/local/domain/1/error/backend/vif/2/0/error",
		    "22 reading ring-ref");
	assert_null(v->fe.error);
}

/* Error nodes of both ends, where Linux xenbus_dev_error writes them. */
static void test_error_nodes(void **state)
{
	struct vdt *t = *state;
	const struct vd_vif *v;

	vdt_std(t, "4", "4", 0);
	vdt_line(t, VDT_BE_ERR, "22 guest requested 9 queues, but valid range is 1 - 8.");
	vdt_line(t, "/local/domain/1/error/device/vif/0/error", "12 allocating rings");
	vdt_build(t, false);
	v = vdt_vif(t, 1, 0);
	assert_node(v->be.error, VDT_BE_ERR,
		    "22 guest requested 9 queues, but valid range is 1 - 8.");
	assert_node(v->fe.error, "/local/domain/1/error/device/vif/0/error",
		    "12 allocating rings");
}

/* The guest's domain is gone, its backend stays (a leaked backend). */
static void test_orphan_backend(void **state)
{
	struct vdt *t = *state;
	const struct vd_vif *v;

	vdt_domain(t, 0, "Domain-0");
	vdt_backend(t, 0, 2, 0, "6", 0);
	vdt_build(t, false);
	assert_int_equal(t->host->nvifs, 1);
	v = vdt_vif(t, 2, 0);
	assert_null(v->dom);
	assert_false(v->paired);
	assert_false(v->mismatch);
	assert_true(v->be.present);
	assert_false(v->fe.present);
	assert_string_equal(v->fe.path, LIAR_FE); /* what the backend claims */
	assert_int_equal(v->fe.domid, 2);
	assert_num(&v->fe.state, "-");
	assert_node(v->mac, LIAR_BE "/mac", "00:16:3e:00:02:00");
	assert_null(v->fe_mac);
	assert_int_equal(v->negotiated, -1);
	assert_num(&v->max_queues, "8");
}

static void test_orphan_frontend(void **state)
{
	struct vdt *t = *state;
	const struct vd_vif *v;

	vdt_domain(t, 0, "Domain-0");
	vdt_domain(t, 1, "domu1");
	vdt_frontend(t, 1, 0, 0, "4", 0);
	vdt_build(t, false);
	assert_int_equal(t->host->nvifs, 1);
	v = vdt_vif(t, 1, 0);
	assert_false(v->paired);
	assert_false(v->mismatch);
	assert_true(v->fe.present);
	assert_false(v->be.present);
	assert_string_equal(v->be.path, VDT_BE);
	assert_num(&v->be.state, "-");
	assert_null(v->hotplug_status);
	assert_num(&v->max_queues, "-");
	assert_node(v->mac, VDT_FE "/mac", "00:16:3e:00:01:00"); /* no backend mac: the guest's */
	assert_int_equal(v->negotiated, 1);
}

/* Domain 2's frontend names domain 1's backend. */
static void hostile_tree(struct vdt *t, bool own_backend)
{
	vdt_std(t, "4", "4", 0);
	vdt_domain(t, 2, "liar");
	vdt_frontend(t, 2, 0, 0, "4", 0);
	vdt_set(t, LIAR_FE "/backend", VDT_BE);
	if (own_backend)
		vdt_backend(t, 0, 2, 0, "2", 0);
	vdt_build(t, true);
}

/* The real owner's pair must not suffer, and the liar gets nothing of it. */
static void assert_victim_intact(struct vdt *t)
{
	const struct vd_vif *v = vdt_vif(t, 1, 0);

	assert_true(v->paired);
	assert_false(v->mismatch);
	assert_string_equal(v->be.path, VDT_BE);
	assert_string_equal(v->verdict, "ok");
	assert_int_equal(vdt_uses(t, VDT_BE), 1);
	assert_int_equal(vdt_uses(t, VDT_FE), 1);
	assert_int_equal(t->host->nvifs, 2);
}

static void test_hostile_guest(void **state)
{
	struct vdt *t = *state;
	const struct vd_vif *v;

	hostile_tree(t, false);
	assert_victim_intact(t);
	v = vdt_vif(t, 2, 0);
	assert_true(v->mismatch);
	assert_false(v->paired);
	assert_string_equal(v->fe_claims, VDT_BE);
	assert_true(v->fe.present);
	/* nothing of domain 1's backend shows on the liar's VIF */
	assert_false(v->be.present);
	assert_null(v->be.path);
	assert_int_equal(v->be.domid, -1);
	assert_num(&v->be.state, "-");
	assert_null(v->be.peer);
	assert_null(v->be.error);
	assert_null(v->hotplug_status);
	assert_null(v->bridge);
	assert_num(&v->max_queues, "-");
	assert_node(v->mac, LIAR_FE "/mac", "00:16:3e:00:02:00");
	assert_string_equal(v->verdict, "mismatch");
}

static void test_hostile_guest_own_backend(void **state)
{
	struct vdt *t = *state;
	const struct vd_vif *v;

	hostile_tree(t, true);
	assert_victim_intact(t);
	v = vdt_vif(t, 2, 0);
	assert_true(v->mismatch);
	assert_false(v->paired);
	assert_string_equal(v->fe_claims, VDT_BE);
	assert_true(v->be.present);
	assert_string_equal(v->be.path, LIAR_BE);
	assert_num(&v->be.state, "2");
	assert_node(v->mac, LIAR_BE "/mac", "00:16:3e:00:02:00");
	assert_int_equal(vdt_uses(t, LIAR_BE), 1);
	assert_int_equal(vdt_uses(t, LIAR_FE), 1);
	assert_string_equal(v->verdict, "mismatch");
}

/* A backend's frontend key names a frontend whose backend key names a path that is absent. */
static void test_frontend_points_elsewhere(void **state)
{
	struct vdt *t = *state;
	const struct vd_vif *v;

	vdt_std(t, "4", "4", 0);
	vdt_set(t, VDT_FE "/backend", "/local/domain/0/backend/vif/1/7");
	vdt_build(t, false);
	assert_int_equal(t->host->nvifs, 1);
	v = vdt_vif(t, 1, 0);
	assert_true(v->mismatch);
	assert_false(v->paired);
	assert_string_equal(v->fe_claims, "/local/domain/0/backend/vif/1/7");
	assert_string_equal(v->be.path, VDT_BE);
	assert_true(v->be.present);
}

/* A frontend's backend key that is not a usable path (holds a NUL): no claim to show. */
static void test_frontend_pointer_garbage(void **state)
{
	struct vdt *t = *state;
	const struct vd_vif *v;

	vdt_std(t, "4", "4", 0);
	vdt_set(t, VDT_FE "/backend", "/local/domain/0/backend/vif/1/0\\000x");
	vdt_build(t, false);
	assert_int_equal(t->host->nvifs, 1);
	v = vdt_vif(t, 1, 0);
	assert_true(v->mismatch);
	assert_null(v->fe_claims);
	assert_true(v->be.present);
	assert_true(v->fe.present);
}

/* A second backend claims a frontend that is already paired: its own VIF, not a duplicate. */
static void test_backend_claims_taken_frontend(void **state)
{
	struct vdt *t = *state;
	const struct vd_vif *v;

	vdt_std(t, "4", "4", 0);
	vdt_backend(t, 0, 3, 0, "2", 0);
	vdt_set(t, "/local/domain/0/backend/vif/3/0/frontend", VDT_FE);
	vdt_build(t, false);
	assert_int_equal(t->host->nvifs, 2);
	assert_true(vdt_vif(t, 1, 0)->paired);
	assert_int_equal(vdt_uses(t, VDT_FE), 1);
	v = vdt_vif(t, 3, 0);
	assert_true(v->mismatch);
	assert_null(v->fe_claims);
	assert_false(v->fe.present);
	assert_string_equal(v->fe.path, VDT_FE); /* the claim, for the message */
	assert_int_equal(v->fe.domid, 1);
	/* but none of the other VIF's frontend data */
	assert_num(&v->fe.state, "-");
	assert_null(v->fe.peer);
	assert_null(v->fe_mac);
	assert_int_equal(v->nqueues, 0);
	assert_int_equal(v->negotiated, -1);
}

/* Names that are not canonical numbers are skipped, each with a host note. */
static void test_non_numeric_names(void **state)
{
	static const char *const want[] = {
		"/local/domain/01 is not a domain id; ignored",
		"/local/domain/abc is not a domain id; ignored",
		"/local/domain/0/backend/vif/1/00 is not a device id; ignored",
		"/local/domain/0/backend/vif/1/y is not a device id; ignored",
		"/local/domain/0/backend/vif/x is not named by a domain id; ignored",
		"/local/domain/1/device/vif/eth0 is not a device id; ignored",
	};
	struct vdt *t = *state;

	vdt_std(t, "4", "4", 0);
	vdt_line(t, "/local/domain/abc/name", "weird");
	vdt_line(t, "/local/domain/01/name", "alias of 1");
	vdt_line(t, "/local/domain/01/device/vif/0/state", "4");
	vdt_line(t, "/local/domain/1/device/vif/eth0/state", "4");
	vdt_line(t, "/local/domain/0/backend/vif/x/0/state", "4");
	vdt_line(t, "/local/domain/0/backend/vif/1/y/state", "4");
	vdt_line(t, "/local/domain/0/backend/vif/1/00/state", "4");
	vdt_build(t, false);
	assert_int_equal(t->host->ndoms, 2);
	assert_int_equal(t->host->nvifs, 1);
	assert_true(vdt_vif(t, 1, 0)->paired);
	assert_int_equal(t->host->nnotes, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < t->host->nnotes; i++)
		assert_string_equal(t->host->notes[i], want[i]);
}

/* xenstore lists "10" before "2": domains and VIFs come out in numeric order. */
static void test_sorting_and_lookup(void **state)
{
	static const unsigned long order[] = { 0, 2, 9, 10, 100 };
	struct vdt *t = *state;

	vdt_domain(t, 0, "Domain-0");
	for (size_t i = sizeof(order) / sizeof(order[0]) - 1; i > 0; i--) {
		vdt_domain(t, order[i], "g");
		vdt_backend(t, 0, order[i], 1, "4", 0);
		vdt_frontend(t, order[i], 0, 1, "4", 0);
		vdt_backend(t, 0, order[i], 0, "4", 0);
		vdt_frontend(t, order[i], 0, 0, "4", 0);
	}
	vdt_set(t, "/local/domain/10/name", "ten");
	vdt_build(t, false);
	assert_int_equal(t->host->ndoms, 5);
	for (size_t i = 0; i < t->host->ndoms; i++)
		assert_int_equal(t->host->doms[i].domid, order[i]);
	assert_int_equal(t->host->nvifs, 8);
	for (size_t i = 0; i < t->host->nvifs; i++) {
		assert_int_equal(t->host->vifs[i]->domid, order[1 + i / 2]);
		assert_int_equal(t->host->vifs[i]->devid, i % 2);
	}
	assert_string_equal(vd_domain_name(vd_host_domain(t->host, 10)), "ten");
	assert_int_equal(vd_host_domain(t->host, 100)->domid, 100);
	assert_int_equal(vd_host_domain(t->host, 0)->domid, 0);
	assert_null(vd_host_domain(t->host, 1));
	assert_null(vd_host_domain(t->host, 11));
	assert_null(vd_host_domain(t->host, 4294967295UL));
}

static void test_empty_snapshot(void **state)
{
	struct vdt *t = *state;

	t->snap = vd_snap_new();
	vdt_build(t, true);
	assert_int_equal(t->host->ndoms, 0);
	assert_int_equal(t->host->nvifs, 0);
	assert_null(vd_host_domain(t->host, 0));
	assert_null(vd_domain_name(NULL));
	vd_host_free(NULL);
}

/* XenServer: no bridge in the backend; xenopsd keeps it under /xapi/<uuid>/private. */
static void test_xenserver_keys(void **state)
{
	struct vdt *t = *state;
	const struct vd_vif *v;
	const char *uuid = "0f48ecbf-4722-4957-bd86-9cb94db27db6";
	char path[160];

	vdt_std(t, "4", "4", VDT_NO_BRIDGE);
	vdt_linef(t, "/vm/0f48ecbf-4722-4957-bd86-9cb94db27db6", "/local/domain/1/vm");
	vdt_linef(t, "xapi1", "/xapi/%s/private/vif/0/bridge", uuid);
	vdt_linef(t, "online", "/xapi/%s/hotplug/1/vif/0/hotplug", uuid);
	vdt_line(t, VDT_FE "/disconnect", "0");
	vdt_build(t, false);
	v = vdt_vif(t, 1, 0);
	snprintf(path, sizeof(path), "/xapi/%s/private/vif/0/bridge", uuid);
	assert_node(v->bridge, path, "xapi1");
	assert_string_equal(v->bridge_path, path);
	snprintf(path, sizeof(path), "/xapi/%s/hotplug/1/vif/0/hotplug", uuid);
	assert_node(v->xapi_hotplug, path, "online");
	assert_node(v->fe_disconnect, VDT_FE "/disconnect", "0");
}

/* A backend bridge key wins over the XenServer private one; a non-uuid vm path gives none. */
static void test_bridge_precedence(void **state)
{
	struct vdt *t = *state;
	const struct vd_vif *v;

	vdt_std(t, "4", "4", 0);
	vdt_backend(t, 0, 1, 1, "4", VDT_NO_BRIDGE);
	vdt_frontend(t, 1, 0, 1, "4", 0);
	vdt_line(t, "/local/domain/1/vm", "/vm/not-a-uuid");
	vdt_line(t, "/xapi/not-a-uuid/private/vif/1/bridge", "xapi1");
	vdt_build(t, false);
	v = vdt_vif(t, 1, 0);
	assert_string_equal(v->bridge->value, "xenbr0");
	assert_null(v->dom->uuid);
	v = vdt_vif(t, 1, 1);
	assert_null(v->bridge);
	assert_null(v->bridge_path);
}

/* The frontend went away while it was read: the backend's VIF says so. */
static void test_vanished_end(void **state)
{
	struct vdt *t = *state;
	const struct vd_vif *v;

	vdt_domain(t, 0, "Domain-0");
	vdt_domain(t, 1, "domu1");
	vdt_backend(t, 0, 1, 0, "5", 0);
	vdt_parse(t);
	vd_snap_vanished(t->snap, "/local/domain/1/device");
	vdt_build(t, false);
	v = vdt_vif(t, 1, 0);
	assert_true(v->fe.vanished);
	assert_false(v->fe.present);
	assert_false(v->be.vanished);
}

/* The control ring (Windows xenvif), well-formed and not. */
static void test_control_ring(void **state)
{
	struct vdt *t = *state;

	vdt_std(t, "4", "4", 0);
	vdt_backend(t, 0, 1, 1, "4", 0);
	vdt_frontend(t, 1, 0, 1, "4", 0);
	vdt_line(t, VDT_FE "/ctrl-ring-ref", "77");
	vdt_line(t, VDT_FE "/event-channel-ctrl", "21");
	vdt_line(t, "/local/domain/1/device/vif/1/ctrl-ring-ref", "x");
	vdt_build(t, false);
	assert_num(&vdt_vif(t, 1, 0)->ctrl_ring_ref, "77");
	assert_num(&vdt_vif(t, 1, 0)->evtchn_ctrl, "21");
	assert_num(&vdt_vif(t, 1, 1)->ctrl_ring_ref, "?");
	assert_num(&vdt_vif(t, 1, 1)->evtchn_ctrl, "-");
}

static void test_dir_keys(void **state)
{
	struct vdt *t = *state;
	struct vd_key *keys;
	size_t n;

	vdt_std(t, "4", "4", VDT_UNPROBED | VDT_NO_BRIDGE);
	vdt_line(t, VDT_BE "/deeper/key", "x"); /* implied dir "deeper": not a key */
	vdt_build(t, false);
	n = vd_dir_keys(t->snap, VDT_BE, &keys);
	vd_buf_reset(&t->scratch);
	for (size_t i = 0; i < n; i++)
		vd_buf_addf(&t->scratch, "%s%s", i ? " " : "", keys[i].name);
	free(keys);
	assert_string_equal(vd_buf_cstr(&t->scratch),
			    "frontend frontend-id handle hotplug-status mac online script state type");
}

/*
 * Queue layouts. Each row adds frontend keys to a frontend that only has the toolstack's,
 * then checks the layout, the counts and every queue as "id:tx/rx/evtchn/tx-evtchn/rx-evtchn"
 * ("-" absent, "?" not a number).
 */
struct qrow {
	const char *name;
	const char *keys[48]; /* path below the frontend dir, value; NULL ends */
	const char *max;      /* backend multi-queue-max-queues, NULL to remove it */
	enum vd_layout layout;
	const char *num;      /* multi-queue-num-queues as read */
	long negotiated;
	const char *queues;
};

#define Q(n, tx, rx, ev) "queue-" #n "/tx-ring-ref", tx, "queue-" #n "/rx-ring-ref", rx, \
	"queue-" #n "/event-channel", ev

static struct qrow qrows[] = {
	{ "flat, split event channels",
	  { "multi-queue-num-queues", "1", "tx-ring-ref", "1548", "rx-ring-ref", "1549",
	    "event-channel-tx", "19", "event-channel-rx", "20" },
	  "8", VD_LAYOUT_FLAT, "1", 1, "0:1548/1549/-/19/20" },
	{ "flat, shared event channel, no num-queues",
	  { "tx-ring-ref", "9", "rx-ring-ref", "8", "event-channel", "4" },
	  NULL, VD_LAYOUT_FLAT, "-", 1, "0:9/8/4/-/-" },
	{ "two queue dirs, split event channels",
	  { "multi-queue-num-queues", "2", "queue-0/tx-ring-ref", "1032", "queue-0/rx-ring-ref",
	    "1033", "queue-0/event-channel-tx", "15", "queue-0/event-channel-rx", "16",
	    "queue-1/tx-ring-ref", "1034", "queue-1/rx-ring-ref", "1035",
	    "queue-1/event-channel-tx", "17", "queue-1/event-channel-rx", "18" },
	  "2", VD_LAYOUT_QUEUES, "2", 2, "0:1032/1033/-/15/16 1:1034/1035/-/17/18" },
	{ "four queue dirs",
	  { "multi-queue-num-queues", "4", Q(3, "7", "8", "13"), Q(0, "1", "2", "10"),
	    Q(2, "5", "6", "12"), Q(1, "3", "4", "11") },
	  "8", VD_LAYOUT_QUEUES, "4", 4,
	  "0:1/2/10/-/- 1:3/4/11/-/- 2:5/6/12/-/- 3:7/8/13/-/-" },
	{ "queue-10 sorts after queue-2",
	  { "multi-queue-num-queues", "11", Q(10, "20", "21", "30"), Q(2, "4", "5", "12"),
	    Q(1, "2", "3", "11") },
	  "16", VD_LAYOUT_QUEUES, "11", 11, "1:2/3/11/-/- 2:4/5/12/-/- 10:20/21/30/-/-" },
	{ "no num-queues and no rings", { NULL }, "8", VD_LAYOUT_NONE, "-", -1, "" },
	{ "num-queues without rings", { "multi-queue-num-queues", "2" }, "8", VD_LAYOUT_NONE,
	  "2", 2, "" },
	{ "num-queues over max",
	  { "multi-queue-num-queues", "4", Q(0, "1", "2", "10"), Q(1, "3", "4", "11"),
	    Q(2, "5", "6", "12"), Q(3, "7", "8", "13") },
	  "2", VD_LAYOUT_QUEUES, "4", 4,
	  "0:1/2/10/-/- 1:3/4/11/-/- 2:5/6/12/-/- 3:7/8/13/-/-" },
	{ "a queue dir missing",
	  { "multi-queue-num-queues", "4", Q(0, "1", "2", "10"), Q(1, "3", "4", "11"),
	    Q(3, "7", "8", "13") },
	  "8", VD_LAYOUT_QUEUES, "4", 4, "0:1/2/10/-/- 1:3/4/11/-/- 3:7/8/13/-/-" },
	{ "top-level keys and queue dirs",
	  { "multi-queue-num-queues", "2", "tx-ring-ref", "9", "rx-ring-ref", "8",
	    "event-channel", "4", Q(0, "1", "2", "10"), Q(1, "3", "4", "11") },
	  "8", VD_LAYOUT_MIXED, "2", 2, "0:1/2/10/-/- 1:3/4/11/-/-" },
	{ "one queue in a queue dir",
	  { "multi-queue-num-queues", "1", Q(0, "1", "2", "10") },
	  "8", VD_LAYOUT_QUEUES, "1", 1, "0:1/2/10/-/-" },
	{ "num-queues 2x", { "multi-queue-num-queues", "2x", Q(0, "1", "2", "10") },
	  "8", VD_LAYOUT_QUEUES, "?", -1, "0:1/2/10/-/-" },
	{ "num-queues empty", { "multi-queue-num-queues", "", "tx-ring-ref", "9" },
	  "8", VD_LAYOUT_FLAT, "?", -1, "0:9/-/-/-/-" },
	{ "num-queues -1", { "multi-queue-num-queues", "-1" }, "8", VD_LAYOUT_NONE, "?", -1, "" },
	{ "num-queues 99999999999999999999", { "multi-queue-num-queues", "99999999999999999999" },
	  "8", VD_LAYOUT_NONE, "?", -1, "" },
	{ "num-queues 0", { "multi-queue-num-queues", "0" }, "8", VD_LAYOUT_NONE, "0", 0, "" },
	{ "ring refs that are not numbers",
	  { "tx-ring-ref", "abc", "rx-ring-ref", "12 ", "event-channel-tx", "0x10",
	    "event-channel-rx", "" },
	  "8", VD_LAYOUT_FLAT, "-", 1, "0:?/?/-/?/?" },
	{ "queue-01 is not queue 1",
	  { "multi-queue-num-queues", "2", Q(0, "1", "2", "10"), Q(01, "3", "4", "11") },
	  "8", VD_LAYOUT_QUEUES, "2", 2, "0:1/2/10/-/-" },
	{ "max-queues not a number", { "tx-ring-ref", "9" }, "eight", VD_LAYOUT_FLAT, "-", 1,
	  "0:9/-/-/-/-" },
};

static void add_num(struct vd_buf *b, const struct vd_num *n)
{
	if (!n->node)
		vd_buf_adds(b, "-");
	else if (!n->ok)
		vd_buf_adds(b, "?");
	else
		vd_buf_addf(b, "%lu", n->v);
}

static void test_queue_row(void **state)
{
	struct vdt *t = *state;
	const struct qrow *r = t->arg;
	const struct vd_vif *v;

	vdt_std(t, "4", "4", VDT_TS_ONLY);
	for (size_t i = 0; r->keys[i]; i += 2)
		vdt_linef(t, r->keys[i + 1], VDT_FE "/%s", r->keys[i]);
	if (r->max)
		vdt_set(t, VDT_BE "/multi-queue-max-queues", r->max);
	else
		vdt_drop(t, VDT_BE "/multi-queue-max-queues");
	vdt_build(t, false);
	v = vdt_vif(t, 1, 0);
	assert_int_equal(v->layout, r->layout);
	assert_num(&v->num_queues, r->num);
	assert_int_equal(v->negotiated, r->negotiated);
	assert_num(&v->max_queues,
		   !r->max ? "-" : strspn(r->max, "0123456789") == strlen(r->max) ? r->max : "?");
	vd_buf_reset(&t->scratch);
	for (size_t i = 0; i < v->nqueues; i++) {
		const struct vd_queue *q = &v->queues[i];
		char dir[96];

		if (r->layout == VD_LAYOUT_FLAT)
			snprintf(dir, sizeof(dir), "%s", VDT_FE);
		else
			snprintf(dir, sizeof(dir), VDT_FE "/queue-%lu", q->id);
		assert_string_equal(q->dir, dir);
		vd_buf_addf(&t->scratch, "%s%lu:", i ? " " : "", q->id);
		add_num(&t->scratch, &q->tx_ring_ref);
		vd_buf_addc(&t->scratch, '/');
		add_num(&t->scratch, &q->rx_ring_ref);
		vd_buf_addc(&t->scratch, '/');
		add_num(&t->scratch, &q->evtchn);
		vd_buf_addc(&t->scratch, '/');
		add_num(&t->scratch, &q->evtchn_tx);
		vd_buf_addc(&t->scratch, '/');
		add_num(&t->scratch, &q->evtchn_rx);
	}
	assert_string_equal(vd_buf_cstr(&t->scratch), r->queues);
}

/*
 * Pairing on a large host (issue 16 #3): 3000 domains with a VIF whose ends point at each
 * other, and in every third domain a second frontend that names the first VIF's backend
 * while its own backend claims it (the guest lies: paired through the backend). The
 * comparisons stay near-linear: a linear search per end made n^2.
 */
static void test_pairing_scales(void **state)
{
	struct vdt *t = *state;
	const unsigned long n = 3000;
	size_t liars = 0;
	unsigned long work;

	vdt_domain(t, 0, "Domain-0");
	for (unsigned long d = 1; d <= n; d++) {
		vdt_backend(t, 0, d, 0, "4", 0);
		vdt_frontend(t, d, 0, 0, "4", 0);
		if (d % 3)
			continue;
		vdt_backend(t, 0, d, 1, "4", 0);
		vdt_linef(t, "", "/local/domain/%lu/device/vif/1", d);
		vd_buf_addf(&t->text,
			    "/local/domain/%lu/device/vif/1/backend = "
			    "\"/local/domain/0/backend/vif/%lu/0\"\n",
			    d, d);
	}
	vdt_parse(t);
	work = vd_work;
	vdt_build(t, false);
	work = vd_work - work;
	assert_int_equal(t->host->nvifs, n + n / 3);
	for (size_t i = 0; i < t->host->nvifs; i++) {
		const struct vd_vif *v = t->host->vifs[i];

		assert_true(v->fe.present && v->be.present);
		if (v->devid == 1) {
			assert_true(v->mismatch);
			assert_false(v->paired);
			liars++;
		} else {
			assert_true(v->paired);
		}
	}
	assert_int_equal(liars, n / 3);
	if (work > 64 * n)
		fail_msg("%lu comparisons for %lu VIFs", work, n);
}

int main(void)
{
	const struct CMUnitTest fixed[] = {
		VDT_TEST(test_healthy_pair),
		VDT_TEST(test_implied_dirs),
		VDT_TEST(test_capture_bringup),
		VDT_TEST(test_capture_hotplug),
		VDT_TEST(test_capture_no_netfront),
		VDT_TEST(test_driver_domain),
		VDT_TEST(test_error_nodes),
		VDT_TEST(test_orphan_backend),
		VDT_TEST(test_orphan_frontend),
		VDT_TEST(test_hostile_guest),
		VDT_TEST(test_hostile_guest_own_backend),
		VDT_TEST(test_frontend_points_elsewhere),
		VDT_TEST(test_frontend_pointer_garbage),
		VDT_TEST(test_backend_claims_taken_frontend),
		VDT_TEST(test_non_numeric_names),
		VDT_TEST(test_sorting_and_lookup),
		VDT_TEST(test_pairing_scales),
		VDT_TEST(test_empty_snapshot),
		VDT_TEST(test_xenserver_keys),
		VDT_TEST(test_bridge_precedence),
		VDT_TEST(test_vanished_end),
		VDT_TEST(test_control_ring),
		VDT_TEST(test_dir_keys),
	};

	return vdt_run("build", fixed, sizeof(fixed) / sizeof(fixed[0]), test_queue_row, qrows,
		       sizeof(qrows[0]), sizeof(qrows) / sizeof(qrows[0]));
}
