// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The analysis: verdict and findings for each pattern of facts §2.3 and the xenstore-visible
 * rows of §6. A row starts from the libxl + Linux pair of vd_test.h in the given states and
 * changes a few keys; the verdict and the exact list of findings (code:severity, in order)
 * must match, and one finding may be checked word for word.
 */
#include "vd_test.h"

#include "vd_xenbus.h"

#define LIAR_FE "/local/domain/2/device/vif/0"
#define XS_UUID "0f48ecbf-4722-4957-bd86-9cb94db27db6"

struct drow {
	const char *name;
	const char *fe, *be; /* states */
	unsigned flags;	     /* VDT_* for the generated pair */
	unsigned queues;     /* if set: that many queue-N dirs instead of the flat keys */
	const char *set[12]; /* path, value (as xenstore-ls prints it); NULL ends */
	const char *drop[5]; /* generated keys to take away */
	const char *verdict;
	const char *codes;
	const char *code; /* a finding to check further */
	const char *msg;  /* its exact message, if not NULL */
	const char *hint; /* a piece of its hint, if not NULL */
};

static const char *const flat_keys[] = { "tx-ring-ref", "rx-ring-ref", "event-channel-tx",
					 "event-channel-rx", "multi-queue-num-queues" };

/* Replaces the generated single flat queue with n queue-N dirs, as netfront writes them. */
static void use_queue_dirs(struct vdt *t, unsigned n)
{
	for (size_t i = 0; i < sizeof(flat_keys) / sizeof(flat_keys[0]); i++) {
		char *p = vd_asprintf(VDT_FE "/%s", flat_keys[i]);

		if (vdt_find_line(t, p))
			vdt_drop(t, p);
		free(p);
	}
	vd_buf_addf(&t->text, VDT_FE "/multi-queue-num-queues = \"%u\"\n", n);
	for (unsigned q = 0; q < n; q++) {
		vd_buf_addf(&t->text, VDT_FE "/queue-%u/tx-ring-ref = \"%u\"\n", q, 1032 + 2 * q);
		vd_buf_addf(&t->text, VDT_FE "/queue-%u/rx-ring-ref = \"%u\"\n", q, 1033 + 2 * q);
		vd_buf_addf(&t->text, VDT_FE "/queue-%u/event-channel-tx = \"%u\"\n", q, 15 + 2 * q);
		vd_buf_addf(&t->text, VDT_FE "/queue-%u/event-channel-rx = \"%u\"\n", q, 16 + 2 * q);
	}
}

#define QUEUE_ERROR "22 guest requested 9 queues, but valid range is 1 - 8."

static struct drow rows[] = {
	/* §2.3 (1,1), R5 */
	{ "(1,1) netback never probed", "1", "1", VDT_UNPROBED | VDT_HOTPLUG_EMPTY | VDT_TS_ONLY,
	  0, { NULL }, { NULL }, "not-probed", "not-probed:error", "not-probed",
	  "the backend driver in domain 0 never probed the device (backend Initialising, no feature-* keys)",
	  "modprobe xen-netback" },
	{ "(1,1) feature keys written but still Initialising", "1", "1",
	  VDT_HOTPLUG_EMPTY | VDT_TS_ONLY, 0, { NULL }, { NULL }, "not-probed", "not-probed:error",
	  "not-probed",
	  "the backend driver in domain 0 wrote its feature keys but never switched to InitWait",
	  "kernel log" },
	/* §2.3 (1,2), R4; the hotplug script has run, as in the c-no-netfront capture */
	{ "(1,2) no netfront in the guest", "1", "2", VDT_TS_ONLY, 0, { NULL }, { NULL },
	  "no-driver", "no-driver:error", "no-driver",
	  "the guest has not connected its network driver (frontend Initialising, backend InitWait)",
	  "Device with no driver" },
	{ "(1,2) no netfront, hotplug script still running", "1", "2",
	  VDT_TS_ONLY | VDT_HOTPLUG_EMPTY, 0, { NULL }, { NULL }, "no-driver",
	  "hotplug-pending:warning no-driver:error", "hotplug-pending",
	  "the hotplug script has not reported yet: hotplug-status is empty", "disable_udev" },
	{ "(0,2) frontend state Unknown", "0", "2", VDT_TS_ONLY, 0, { NULL }, { NULL },
	  "no-driver", "no-driver:error", "no-driver",
	  "the guest has not connected its network driver (frontend Unknown, backend InitWait)",
	  NULL },
	/* §2.3 (3,2): Windows */
	{ "(3,2) Windows xennet stopped", "3", "2", VDT_TS_ONLY, 0, { NULL }, { NULL },
	  "connecting", "frontend-initialised:warning", "frontend-initialised", NULL,
	  "enable the network adapter" },
	/* §2.3 (4,2), R3 */
	{ "(4,2) hotplug-status empty", "4", "2", VDT_HOTPLUG_EMPTY, 0, { NULL }, { NULL },
	  "hotplug-pending", "hotplug-pending:error", "hotplug-pending",
	  "netback waits for the hotplug script: hotplug-status is empty", "xl devd" },
	{ "(4,2) hotplug-status absent", "4", "2", VDT_HOTPLUG_NONE, 0, { NULL }, { NULL },
	  "hotplug-pending", "hotplug-pending:error", "hotplug-pending",
	  "netback waits for the hotplug script: hotplug-status is absent", NULL },
	/* §2.3 (4,2) with an error, R1, R2, R8 */
	{ "(4,2) script failed: bridge device missing", "4", "2", 0, 0,
	  { VDT_BE "/hotplug-status", "error", VDT_BE "/hotplug-error",
	    "Could not find bridge device xenbr0" },
	  { NULL }, "hotplug-failed", "hotplug-error:error", "hotplug-error",
	  "the hotplug script failed: 'Could not find bridge device xenbr0'",
	  "ip link add xenbr0 type bridge; ip link set xenbr0 up" },
	{ "(4,2) script failed: no bridge configured", "4", "2", VDT_NO_BRIDGE, 0,
	  { VDT_BE "/hotplug-status", "error", VDT_BE "/hotplug-error",
	    "Could not find bridge, and none was specified" },
	  { NULL }, "hotplug-failed", "hotplug-error:error", "hotplug-error", NULL,
	  "set bridge= in the vif config" },
	/* XenServer's vif script writes only hotplug-error (xen-api vif-real handle_error) */
	{ "(4,2) XenServer script failed: private keys", "4", "2",
	  VDT_NO_BRIDGE | VDT_HOTPLUG_NONE, 0,
	  { VDT_BE "/hotplug-error", "Failed to read /xapi/" XS_UUID "/private/vif/0/MTU" },
	  { NULL }, "hotplug-failed", "hotplug-error:error", "hotplug-error",
	  "the hotplug script failed: 'Failed to read /xapi/" XS_UUID "/private/vif/0/MTU'",
	  "start the VM through xapi" },
	{ "(4,2) XenServer script failed: vif rules", "4", "2", VDT_NO_BRIDGE | VDT_HOTPLUG_NONE,
	  0, { VDT_BE "/hotplug-error", "Failed to setup-vif-rules classic vif1.0 " XS_UUID " 0 filter" },
	  { NULL }, "hotplug-failed", "hotplug-error:error", NULL, NULL, NULL },
	{ "(4,4) hotplug-error next to connected", "4", "4", 0, 0,
	  { VDT_BE "/hotplug-error", "Failed to read /vm/" XS_UUID "/uuid" }, { NULL }, "ok",
	  "hotplug-error:warning", "hotplug-error",
	  "the hotplug script reported 'Failed to read /vm/" XS_UUID "/uuid' but hotplug-status is connected",
	  "non-fatal" },
	{ "(4,2) script failed: rename clash", "4", "2", 0, 0,
	  { VDT_BE "/hotplug-status", "error", VDT_BE "/vifname", "web0", VDT_BE "/hotplug-error",
	    "Cannot rename interface vif1.0. An interface with name web0 already exists." },
	  { NULL }, "hotplug-failed", "hotplug-error:error", "hotplug-error", NULL,
	  "make them unique" },
	{ "(4,2) script failed without a text", "4", "2", 0, 0,
	  { VDT_BE "/hotplug-status", "error" }, { NULL }, "hotplug-failed", "hotplug-error:error",
	  "hotplug-error", "the hotplug script failed: (no hotplug-error text)",
	  "xen-hotplug.log" },
	{ "(1,2) script failed before the guest connected", "1", "2", VDT_TS_ONLY, 0,
	  { VDT_BE "/hotplug-status", "error", VDT_BE "/hotplug-error",
	    "Could not find bridge device br-lan" },
	  { NULL }, "hotplug-failed", "hotplug-error:error no-driver:error", "hotplug-error", NULL,
	  "ip link add br-lan type bridge" },
	{ "(4,2) hotplug connected but netback stays InitWait", "4", "2", 0, 0, { NULL },
	  { NULL }, "connecting", "backend-not-connecting:warning", NULL, NULL, NULL },
	/* steady states */
	{ "(4,4) connected", "4", "4", 0, 0, { NULL }, { NULL }, "ok", "", NULL, NULL, NULL },
	{ "(4,4) two queues", "4", "4", 0, 2, { NULL }, { NULL }, "ok", "", NULL, NULL, NULL },
	{ "(4,8) after an XDP toggle", "4", "8", 0, 0, { VDT_FE "/xdp-headroom", "0" }, { NULL },
	  "ok", "xdp-reconfigured:info", "xdp-reconfigured",
	  "the guest toggled XDP: the backend stays in Reconfigured, which is normal", NULL },
	{ "(7,4) XDP being toggled", "7", "4", 0, 0, { NULL }, { NULL }, "reconfiguring", "",
	  NULL, NULL, NULL },
	{ "(7,8) XDP toggled, waiting for the guest", "7", "8", 0, 0, { NULL }, { NULL },
	  "reconfiguring", "", NULL, NULL, NULL },
	/* closing and closed: §2.2 teardown, §2.3 (5,x), (6,6), any/5 with online=0, R14 */
	{ "(5,4) guest closing", "5", "4", 0, 0, { NULL }, { NULL }, "closing", "closing:warning",
	  "closing",
	  "guest closing the device (driver unload or shutdown) (frontend Closing, backend Connected)",
	  "close cycle" },
	{ "(4,5) detach requested", "4", "5", 0, 0, { VDT_BE "/online", "0" }, { NULL },
	  "closing", "closing:warning", "closing",
	  "backend closing a connected device: detach requested or a backend error (frontend Connected, backend Closing, online=0: detach requested)",
	  "libxl waits 10 s for the guest" },
	{ "(4,5) backend closing without a detach", "4", "5", 0, 0, { NULL }, { NULL }, "closing",
	  "closing:warning", "closing", NULL, "without a detach request" },
	{ "(5,6) guest closing, backend closed", "5", "6", 0, 0, { NULL }, { NULL }, "closing",
	  "closing:warning", NULL, NULL, NULL },
	{ "(6,4) Linux netfront went straight to Closed", "6", "4", 0, 0, { NULL }, { NULL },
	  "closing", "closing:warning", NULL, NULL, NULL },
	{ "(6,6) guest closed the device", "6", "6", 0, 0, { NULL }, { NULL }, "closed",
	  "closing:warning", "closing", "both ends closed (frontend Closed, backend Closed)",
	  "reconnects when its driver starts again" },
	{ "(6,6) detached, waiting for removal", "6", "6", 0, 0, { VDT_BE "/online", "0" },
	  { NULL }, "closed", "closing:warning", "closing", NULL, "detach requested" },
	{ "(1,5) never-connected vif being destroyed", "1", "5", VDT_TS_ONLY, 0,
	  { VDT_BE "/online", "0" }, { NULL }, "closing", "closing:warning", NULL, NULL, NULL },
	/* §2.2 Windows / iPXE close cycle: netback answers a 1 after 6 with InitWait */
	{ "(1,6) guest restarting after a close", "1", "6", VDT_TS_ONLY, 0, { NULL }, { NULL },
	  "connecting", "reconnecting:warning", "reconnecting", NULL, "close cycle" },
	{ "(1,6) detach requested", "1", "6", VDT_TS_ONLY, 0, { VDT_BE "/online", "0" }, { NULL },
	  "closing", "closing:warning", NULL, NULL, NULL },
	/* §2.3 (4,5/6) with an error node, R11 */
	{ "(4,5) netback refused the queue count", "4", "5", 0, 9,
	  { VDT_BE_ERR, QUEUE_ERROR }, { NULL }, "backend-error",
	  "error-node:error closing:warning queues-over-max:error", "error-node",
	  "the backend driver reported: " QUEUE_ERROR " (" VDT_BE_ERR ")", "re-attach" },
	{ "(4,4) stale error node", "4", "4", 0, 2, { VDT_BE_ERR, QUEUE_ERROR }, { NULL }, "ok",
	  "error-node:warning", "error-node", NULL, "stale" },
	{ "(6,6) error node outranks closed", "6", "6", 0, 0,
	  { VDT_BE_ERR, "12 mapping shared-frames 1548/1549 port tx 19 rx 20" }, { NULL },
	  "backend-error", "error-node:error closing:warning", NULL, NULL, NULL },
	/* states that are not XenbusStates */
	{ "frontend state 9", "9", "4", 0, 0, { NULL }, { NULL }, "invalid-state",
	  "state-invalid:error", "state-invalid",
	  "the frontend state is '9', not a XenbusState", "hostile" },
	{ "backend state not a number", "4", "Connected", 0, 0, { NULL }, { NULL },
	  "invalid-state", "state-invalid:error", "state-invalid",
	  "the backend state is 'Connected', not a XenbusState", NULL },
	{ "frontend without a state key", "4", "4", 0, 0, { NULL }, { VDT_FE "/state" },
	  "invalid-state", "state-missing:error", "state-missing", "the frontend has no state key",
	  NULL },
	/* frontend flags netback reads at connect */
	{ "(4,4) without request-rx-copy", "4", "4", 0, 0, { NULL },
	  { VDT_FE "/request-rx-copy" }, "inconsistent", "no-rx-copy:error", "no-rx-copy", NULL,
	  NULL },
	{ "(4,4) request-rx-copy 0", "4", "4", 0, 0, { VDT_FE "/request-rx-copy", "0" }, { NULL },
	  "inconsistent", "no-rx-copy:error", NULL, NULL, NULL },
	{ "(4,4) without feature-rx-notify (R17)", "4", "4", 0, 0, { NULL },
	  { VDT_FE "/feature-rx-notify" }, "ok", "no-rx-notify:warning", "no-rx-notify",
	  "the frontend did not write feature-rx-notify", NULL },
	{ "(4,4) feature-rx-notify 0", "4", "4", 0, 0, { VDT_FE "/feature-rx-notify", "0" },
	  { NULL }, "ok", "no-rx-notify:warning", NULL, NULL, NULL },
	/* values cut by xenstore-ls on a terminal: unknown, never "invalid" */
	{ "(4,2) hotplug-error cut in the dump", "4", "2", 0, 0,
	  { VDT_BE "/hotplug-status", "error", VDT_BE "/hotplug-error", "Could not find bri\\..." },
	  { NULL }, "hotplug-failed", "hotplug-error:error truncated:warning", "truncated",
	  VDT_BE "/hotplug-error was cut in the dump", "redirected to a file" },
	{ "(4,4) ring ref cut in the dump", "4", "4", 0, 0, { VDT_FE "/tx-ring-ref", "15\\..." },
	  { NULL }, "ok", "truncated:warning", "truncated",
	  VDT_FE "/tx-ring-ref was cut in the dump", NULL },
	{ "(4,4) num-queues cut in the dump", "4", "4", 0, 0,
	  { VDT_FE "/multi-queue-num-queues", "\\..." }, { NULL }, "ok", "truncated:warning", NULL,
	  NULL, NULL },
	/* other key checks */
	{ "(4,4) frontend mac changed by the guest", "4", "4", 0, 0,
	  { VDT_FE "/mac", "00:16:3e:00:99:99" }, { NULL }, "ok", "mac-mismatch:warning",
	  "mac-mismatch", "frontend mac '00:16:3e:00:99:99' differs from backend mac '00:16:3e:00:01:00'",
	  NULL },
	{ "(4,4) macs differ only in case", "4", "4", 0, 0,
	  { VDT_FE "/mac", "00:16:3E:00:01:00" }, { NULL }, "ok", "", NULL, NULL, NULL },
	{ "(4,4) rate netback cannot parse (R18)", "4", "4", 0, 0, { VDT_BE "/rate", "10Mb/s" },
	  { NULL }, "ok", "rate-invalid:warning", "rate-invalid",
	  "rate is '10Mb/s': netback cannot parse it and leaves the traffic unlimited", NULL },
	{ "(4,4) rate as libxl writes it", "4", "4", 0, 0, { VDT_BE "/rate", "20000,20000" },
	  { NULL }, "ok", "", NULL, NULL, NULL },
	{ "(4,4) XenServer carrier off", "4", "4", 0, 0, { VDT_FE "/disconnect", "1" }, { NULL },
	  "ok", "carrier-off:warning", NULL, NULL, NULL },
	{ "(4,4) frontend-id wrong", "4", "4", 0, 0, { VDT_BE "/frontend-id", "5" }, { NULL },
	  "ok", "frontend-id-mismatch:warning", "frontend-id-mismatch",
	  "backend frontend-id is 5 but the frontend is in domain 1", NULL },
	{ "(4,4) backend-id wrong", "4", "4", 0, 0, { VDT_FE "/backend-id", "3" }, { NULL },
	  "ok", "backend-id-mismatch:warning", NULL, NULL, NULL },
	{ "(4,4) hotplug-status error after connecting", "4", "4", 0, 0,
	  { VDT_BE "/hotplug-status", "error" }, { NULL }, "hotplug-failed",
	  "hotplug-error:error", NULL, NULL, NULL },
	/* multi-queue (netif.h, R11, R12) */
	{ "(4,4) num-queues over max", "4", "4", 0, 4,
	  { VDT_BE "/multi-queue-max-queues", "2" }, { NULL }, "inconsistent",
	  "queues-over-max:error", "queues-over-max",
	  "the guest asks for 4 queues, the backend offers at most 2", "max_queues" },
	{ "(4,4) a queue dir missing", "4", "4", 0, 3,
	  { VDT_FE "/multi-queue-num-queues", "4" }, { NULL }, "inconsistent",
	  "queue-dirs-mismatch:error", "queue-dirs-mismatch",
	  "multi-queue-num-queues is 4 but the frontend has 3 of those queue dirs", NULL },
	{ "(4,4) a queue dir left over", "4", "4", 0, 3,
	  { VDT_FE "/multi-queue-num-queues", "2" }, { NULL }, "ok", "queue-dirs-extra:warning",
	  "queue-dirs-extra", "the frontend has 1 queue dirs beyond multi-queue-num-queues 2",
	  NULL },
	{ "(4,4) num-queues 2 with the flat layout", "4", "4", 0, 0,
	  { VDT_FE "/multi-queue-num-queues", "2" }, { NULL }, "inconsistent",
	  "queue-dirs-mismatch:error", "queue-dirs-mismatch",
	  "multi-queue-num-queues is 2 but the frontend has 0 of those queue dirs (flat layout)",
	  NULL },
	{ "(4,4) flat keys and queue dirs", "4", "4", 0, 2, { VDT_FE "/tx-ring-ref", "9" },
	  { NULL }, "inconsistent", "queue-layout-mixed:error", NULL, NULL, NULL },
	{ "(4,4) one queue in a queue dir", "4", "4", 0, 1, { NULL }, { NULL }, "inconsistent",
	  "queue-layout-single:error", "queue-layout-single",
	  "one queue negotiated, but its keys are in queue-N dirs", NULL },
	{ "(4,4) queue dirs without num-queues", "4", "4", 0, 2, { NULL },
	  { VDT_FE "/multi-queue-num-queues" }, "inconsistent", "queue-layout-single:error",
	  "queue-layout-single", "the frontend has queue-N dirs but no multi-queue-num-queues",
	  NULL },
	{ "(4,4) num-queues 2x", "4", "4", 0, 0, { VDT_FE "/multi-queue-num-queues", "2x" },
	  { NULL }, "inconsistent", "num-queues-invalid:error", "num-queues-invalid",
	  "multi-queue-num-queues is '2x': not a queue count", NULL },
	{ "(4,4) num-queues 0", "4", "4", 0, 0, { VDT_FE "/multi-queue-num-queues", "0" },
	  { NULL }, "inconsistent", "num-queues-invalid:error", NULL, NULL, NULL },
	{ "(4,4) no ring keys at all", "4", "4", 0, 0, { NULL },
	  { VDT_FE "/tx-ring-ref", VDT_FE "/rx-ring-ref", VDT_FE "/event-channel-tx",
	    VDT_FE "/event-channel-rx" },
	  "inconsistent", "no-rings:error", NULL, NULL, NULL },
	{ "(4,4) ring ref not a number", "4", "4", 0, 0, { VDT_FE "/tx-ring-ref", "abc" },
	  { NULL }, "inconsistent", "queue-keys:error", "queue-keys",
	  "queue 0 lacks a valid tx-ring-ref 'abc'", NULL },
	{ "(4,4) half a split event channel pair", "4", "4", 0, 0, { NULL },
	  { VDT_FE "/event-channel-rx" }, "inconsistent", "queue-keys:error", "queue-keys",
	  "queue 0 lacks a valid event-channel-rx (absent)", NULL },
	/* several bad keys of one queue: each is named with its value, not just the first */
	{ "(4,4) every bad key of a queue", "4", "4", 0, 0,
	  { VDT_FE "/tx-ring-ref", "\\xff\\xfe", VDT_FE "/rx-ring-ref", "0x609",
	    VDT_FE "/event-channel-tx", "-1" },
	  { VDT_FE "/event-channel-rx" }, "inconsistent", "queue-keys:error", "queue-keys",
	  "queue 0 lacks a valid tx-ring-ref '\\xff\\xfe', rx-ring-ref '0x609', "
	  "event-channel-tx '-1', event-channel-rx (absent)",
	  NULL },
	{ "(4,4) shared event channel not a number", "4", "4", 0, 0,
	  { VDT_FE "/event-channel", "x", VDT_FE "/rx-ring-ref", "" },
	  { VDT_FE "/event-channel-rx", VDT_FE "/event-channel-tx" }, "inconsistent",
	  "queue-keys:error", "queue-keys",
	  "queue 0 lacks a valid rx-ring-ref '', event-channel 'x'", NULL },
	{ "(4,4) shared event channel", "4", "4", 0, 0, { VDT_FE "/event-channel", "4" },
	  { VDT_FE "/event-channel-rx", VDT_FE "/event-channel-tx" }, "ok", "", NULL, NULL,
	  NULL },
	/* pairs no rule explains */
	{ "(4,3) unusual pair", "4", "3", 0, 0, { NULL }, { NULL }, "connecting",
	  "unusual-states:warning", "unusual-states",
	  "frontend Connected with backend Initialised: guest connected; backend initialised but not connected",
	  NULL },
	{ "(1,4) guest restarted under a connected backend", "1", "4", VDT_TS_ONLY, 0, { NULL },
	  { NULL }, "connecting", "unusual-states:warning", NULL, NULL, NULL },
};

static void test_row(void **state)
{
	struct vdt *t = *state;
	const struct drow *r = t->arg;
	const struct vd_vif *v;

	vdt_std(t, r->fe, r->be, r->flags);
	if (r->queues)
		use_queue_dirs(t, r->queues);
	for (size_t i = 0; r->drop[i]; i++)
		vdt_drop(t, r->drop[i]);
	for (size_t i = 0; r->set[i]; i += 2)
		vdt_set(t, r->set[i], r->set[i + 1]);
	vdt_build(t, true);
	assert_int_equal(t->host->nvifs, 1);
	v = vdt_vif(t, 1, 0);
	vdt_assert_vif(t, v, r->verdict, r->codes);
	if (r->code) {
		const struct vd_finding *f = vdt_finding(v, r->code);

		if (r->msg)
			assert_string_equal(f->msg, r->msg);
		if (r->hint && (!f->hint || !strstr(f->hint, r->hint)))
			fail_msg("hint of %s: '%s' lacks '%s'", r->code, f->hint ? f->hint : "(none)",
				 r->hint);
	}
}

/* Real captures: every VIF as the lab saw it. */
static void test_captures(void **state)
{
	static const struct {
		const char *file;
		unsigned long domid, devid;
		const char *verdict, *codes;
	} want[] = {
		{ "a-bringup-xenstore-ls-fp.txt", 1, 0, "ok", "" },
		{ "a-bringup-xenstore-ls-fp.txt", 1, 1, "ok", "" },
		{ "b-hotplug-xenstore-ls-fp.txt", 1, 0, "ok", "" },
		{ "b-hotplug-xenstore-ls-fp.txt", 1, 1, "ok", "" },
		{ "c-no-netfront-xenstore-ls-fp.txt", 1, 0, "ok", "" },
		{ "c-no-netfront-xenstore-ls-fp.txt", 1, 1, "ok", "" },
		{ "c-no-netfront-xenstore-ls-fp.txt", 2, 0, "no-driver", "no-driver:error" },
	};
	struct vdt *t = *state;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		vdt_reset(t);
		vdt_load(t, want[i].file);
		vdt_build(t, true);
		vdt_assert_vif(t, vdt_vif(t, want[i].domid, want[i].devid), want[i].verdict,
			       want[i].codes);
	}
}

/* Domain 2's frontend names domain 1's backend; with or without a backend of its own. */
static void test_hostile_guest(void **state)
{
	struct vdt *t = *state;
	const struct vd_vif *v;

	vdt_std(t, "4", "4", 0);
	vdt_domain(t, 2, "liar");
	vdt_frontend(t, 2, 0, 0, "4", 0);
	vdt_set(t, LIAR_FE "/backend", VDT_BE);
	vdt_build(t, true);
	vdt_assert_vif(t, vdt_vif(t, 1, 0), "ok", "");
	v = vdt_vif(t, 2, 0);
	/* no orphan-frontend, no feature or queue noise from a backend that is not its own */
	vdt_assert_vif(t, v, "mismatch", "pointer-mismatch:error");
	assert_string_equal(vdt_finding(v, "pointer-mismatch")->msg,
			    "the frontend's backend key names " VDT_BE
			    ", which does not point back at " LIAR_FE);
}

static void test_hostile_guest_own_backend(void **state)
{
	struct vdt *t = *state;
	const struct vd_vif *v;

	vdt_std(t, "4", "4", 0);
	vdt_domain(t, 2, "liar");
	vdt_backend(t, 0, 2, 0, "2", 0);
	vdt_frontend(t, 2, 0, 0, "4", 0);
	vdt_set(t, LIAR_FE "/backend", VDT_BE);
	vdt_build(t, true);
	vdt_assert_vif(t, vdt_vif(t, 1, 0), "ok", "");
	v = vdt_vif(t, 2, 0);
	vdt_assert_vif(t, v, "mismatch", "pointer-mismatch:error backend-not-connecting:warning");
}

/* A guest's backend key with a newline must not forge a line of output. */
static void test_hostile_bytes_stay_on_one_line(void **state)
{
	struct vdt *t = *state;
	const struct vd_vif *v;

	vdt_std(t, "4", "4", 0);
	vdt_set(t, VDT_FE "/backend", "/x\\nvif 1/0: ok");
	vdt_line(t, "/local/domain/1/error/device/vif/0/error", "12 no\\033[2Jmemory");
	vdt_build(t, true);
	v = vdt_vif(t, 1, 0);
	vdt_assert_vif(t, v, "mismatch", "pointer-mismatch:error error-node:warning");
	assert_string_equal(vdt_finding(v, "pointer-mismatch")->msg,
			    "the frontend's backend key names /x\\nvif 1/0: ok, which does not point back at " VDT_FE);
	assert_string_equal(vdt_finding(v, "error-node")->msg,
			    "the frontend driver reported: 12 no\\x1b[2Jmemory (/local/domain/1/error/device/vif/0/error)");
}

/* A backend points at a frontend that already has its backend. */
static void test_backend_claims_taken_frontend(void **state)
{
	struct vdt *t = *state;
	const struct vd_vif *v;

	vdt_std(t, "4", "4", 0);
	vdt_domain(t, 3, "other");
	vdt_backend(t, 0, 3, 0, "2", 0);
	vdt_set(t, "/local/domain/0/backend/vif/3/0/frontend", VDT_FE);
	vdt_build(t, true);
	vdt_assert_vif(t, vdt_vif(t, 1, 0), "ok", "");
	v = vdt_vif(t, 3, 0);
	vdt_assert_vif(t, v, "mismatch", "pointer-mismatch:error");
	assert_string_equal(vdt_finding(v, "pointer-mismatch")->msg,
			    "the backend's frontend key names " VDT_FE ", which does not point back at it");
}

/* Backend keys that are no usable path: a NUL inside, empty, relative, the root. */
static void test_frontend_pointer_garbage(void **state)
{
	static const char *const bad[] = { "/local/domain/0/backend/vif/1/0\\000", "",
					   "local/domain/0/backend/vif/1/0", "/" };
	struct vdt *t = *state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const struct vd_vif *v;

		vdt_reset(t);
		vdt_std(t, "4", "4", 0);
		vdt_set(t, VDT_FE "/backend", bad[i]);
		vdt_build(t, true);
		assert_int_equal(t->host->nvifs, 1);
		v = vdt_vif(t, 1, 0);
		assert_null(v->fe_claims);
		vdt_assert_vif(t, v, "mismatch", "pointer-mismatch:error");
		assert_string_equal(vdt_finding(v, "pointer-mismatch")->msg,
				    "the frontend's backend key is missing or unusable, while backend " VDT_BE
				    " points at it");
	}
}

/* R15: a backend left behind by a dead domain, and one being torn down. */
static void test_orphans(void **state)
{
	struct vdt *t = *state;
	const struct vd_vif *v;
	const struct vd_finding *f;

	vdt_domain(t, 0, "Domain-0");
	vdt_domain(t, 1, "domu1");
	vdt_backend(t, 0, 5, 0, "6", 0); /* domain 5 is gone: a teardown that stopped */
	vdt_set(t, "/local/domain/0/backend/vif/5/0/online", "0");
	vdt_backend(t, 0, 1, 0, "5", 0); /* frontend removed by libxl's teardown, ... */
	vdt_set(t, VDT_BE "/online", "0");
	vdt_backend(t, 0, 1, 3, "6", 0); /* ... which netback has answered */
	vdt_set(t, "/local/domain/0/backend/vif/1/3/online", "0");
	vdt_frontend(t, 1, 0, 1, "4", 0); /* its backend is gone */
	vdt_backend(t, 0, 1, 2, "2", 0); /* frontend key lost */
	vdt_drop(t, "/local/domain/0/backend/vif/1/2/frontend");
	vdt_build(t, true);
	assert_int_equal(t->host->nvifs, 5);

	v = vdt_vif(t, 5, 0);
	vdt_assert_vif(t, v, "orphan-backend", "orphan-backend:error");
	f = vdt_finding(v, "orphan-backend");
	assert_string_equal(f->msg, "backend /local/domain/0/backend/vif/5/0 has no frontend "
				    "(domain 5 no longer exists)");
	assert_non_null(strstr(f->hint, "device already exists in xenstore"));

	v = vdt_vif(t, 1, 0);
	vdt_assert_vif(t, v, "closing", "teardown:warning");
	assert_string_equal(vdt_finding(v, "teardown")->msg,
			    "the toolstack removed the frontend and is tearing the backend down "
			    "(online=0, backend Closing)");
	vdt_assert_vif(t, vdt_vif(t, 1, 3), "closed", "teardown:warning");

	v = vdt_vif(t, 1, 1);
	vdt_assert_vif(t, v, "orphan-frontend", "orphan-frontend:error");
	assert_string_equal(vdt_finding(v, "orphan-frontend")->msg,
			    "frontend /local/domain/1/device/vif/1 has no backend "
			    "(/local/domain/0/backend/vif/1/1 does not exist)");

	v = vdt_vif(t, 1, 2);
	vdt_assert_vif(t, v, "orphan-backend", "orphan-backend:error");
	assert_string_equal(vdt_finding(v, "orphan-backend")->msg,
			    "backend /local/domain/0/backend/vif/1/2 has no frontend "
			    "(its frontend key is missing or unusable)");
}

static void test_orphan_frontend_no_backend_key(void **state)
{
	struct vdt *t = *state;
	const struct vd_vif *v;

	vdt_domain(t, 0, "Domain-0");
	vdt_domain(t, 1, "domu1");
	vdt_frontend(t, 1, 0, 0, "1", VDT_TS_ONLY);
	vdt_drop(t, VDT_FE "/backend");
	vdt_build(t, true);
	v = vdt_vif(t, 1, 0);
	vdt_assert_vif(t, v, "orphan-frontend", "orphan-frontend:error");
	assert_string_equal(vdt_finding(v, "orphan-frontend")->msg,
			    "frontend " VDT_FE " has no backend (its backend key is missing or unusable)");
}

/* Driver domain: healthy, then with netback's error node in the driver domain. */
static void test_driver_domain(void **state)
{
	struct vdt *t = *state;
	const struct vd_vif *v;

	vdt_domain(t, 0, "Domain-0");
	vdt_domain(t, 1, "netdd");
	vdt_domain(t, 2, "guest");
	vdt_backend(t, 1, 2, 0, "4", 0);
	vdt_frontend(t, 2, 1, 0, "4", 0);
	vdt_backend(t, 1, 2, 1, "1", VDT_UNPROBED | VDT_HOTPLUG_EMPTY);
	vdt_frontend(t, 2, 1, 1, "1", VDT_TS_ONLY);
	vdt_backend(t, 1, 2, 2, "5", 0);
	vdt_frontend(t, 2, 1, 2, "4", 0);
	vdt_line(t, "/local/domain/1/error/backend/vif/2/2/error", "22 reading ring-ref");
	vdt_build(t, true);
	vdt_assert_vif(t, vdt_vif(t, 2, 0), "ok", "");
	v = vdt_vif(t, 2, 1);
	vdt_assert_vif(t, v, "not-probed", "not-probed:error");
	assert_string_equal(vdt_finding(v, "not-probed")->msg,
			    "the backend driver in domain 1 never probed the device (backend Initialising, no feature-* keys)");
	vdt_assert_vif(t, vdt_vif(t, 2, 2), "backend-error", "error-node:error closing:warning");
}

/* XenServer: no backend bridge key, private bridge, xapi hotplug node, FE disconnect. */
static void xenserver_tree(struct vdt *t, unsigned flags)
{
	vdt_std(t, "4", flags & VDT_HOTPLUG_NONE ? "2" : "4", VDT_NO_BRIDGE | flags);
	vdt_line(t, "/local/domain/1/vm", "/vm/" XS_UUID);
	vdt_line(t, "/xapi/" XS_UUID "/private/vif/0/bridge", "xapi1");
	vdt_line(t, "/xapi/" XS_UUID "/private/vif/0/MTU", "1500");
	vdt_line(t, VDT_FE "/disconnect", "0");
	if (!(flags & VDT_HOTPLUG_NONE))
		vdt_line(t, "/xapi/" XS_UUID "/hotplug/1/vif/0/hotplug", "online");
	vdt_build(t, true);
}

static void test_xenserver(void **state)
{
	struct vdt *t = *state;
	const struct vd_vif *v;

	xenserver_tree(t, 0);
	v = vdt_vif(t, 1, 0);
	vdt_assert_vif(t, v, "ok", "");
	assert_string_equal(v->bridge->value, "xapi1");
	assert_string_equal(v->bridge_path, "/xapi/" XS_UUID "/private/vif/0/bridge");
	assert_string_equal(v->xapi_hotplug->value, "online");
}

/* xenopsd does not seed hotplug-status: absent means the script has not run yet. */
static void test_xenserver_hotplug_pending(void **state)
{
	struct vdt *t = *state;

	xenserver_tree(t, VDT_HOTPLUG_NONE);
	vdt_assert_vif(t, vdt_vif(t, 1, 0), "hotplug-pending", "hotplug-pending:error");
}

/* The frontend dir went away during the read: a domain being destroyed. */
static void test_vanished(void **state)
{
	struct vdt *t = *state;
	const struct vd_vif *v;

	vdt_domain(t, 0, "Domain-0");
	vdt_domain(t, 1, "domu1");
	vdt_backend(t, 0, 1, 0, "5", 0);
	vdt_line(t, VDT_BE "/online", "0");
	vdt_parse(t);
	vd_snap_vanished(t->snap, VDT_FE);
	vdt_build(t, true);
	v = vdt_vif(t, 1, 0);
	vdt_assert_vif(t, v, "vanished", "vanished:info");
	assert_string_equal(vdt_finding(v, "vanished")->msg,
			    "the frontend " VDT_FE " disappeared while it was being read");
}

/* "path:" in a dump: listed, value unreadable (xenstore-ls as a non-privileged user). */
static void test_unreadable_value(void **state)
{
	struct vdt *t = *state;
	const struct vd_vif *v;

	vdt_std(t, "4", "4", 0);
	vdt_drop(t, VDT_FE "/state");
	vd_buf_adds(&t->text, VDT_FE "/state:\n");
	vdt_build(t, true);
	v = vdt_vif(t, 1, 0);
	assert_true(v->fe.state.node->flags & VD_NODE_NOVALUE);
	vdt_assert_vif(t, v, "connecting", "unreadable:warning");
	assert_string_equal(vdt_finding(v, "unreadable")->msg,
			    VDT_FE "/state was listed but its value could not be read");
}

/* R6: two backends in one domain want the same netdev name. */
static void test_duplicate_vifname(void **state)
{
	struct vdt *t = *state;
	const struct vd_vif *v;

	vdt_std(t, "4", "4", 0);
	vdt_backend(t, 0, 1, 1, "4", 0);
	vdt_frontend(t, 1, 0, 1, "4", 0);
	vdt_line(t, "/local/domain/0/backend/vif/1/1/vifname", "vif1.0");
	vdt_domain(t, 2, "dd");
	vdt_domain(t, 3, "guest");
	vdt_backend(t, 2, 3, 0, "4", 0); /* another backend domain: no clash */
	vdt_frontend(t, 3, 2, 0, "4", 0);
	vdt_line(t, "/local/domain/2/backend/vif/3/0/vifname", "vif1.0");
	vdt_build(t, true);
	v = vdt_vif(t, 1, 0);
	vdt_assert_vif(t, v, "ok", "duplicate-vifname:warning");
	assert_string_equal(vdt_finding(v, "duplicate-vifname")->msg,
			    "netdev name 'vif1.0' is also wanted by vif 1/1");
	vdt_assert_vif(t, vdt_vif(t, 1, 1), "ok", "duplicate-vifname:warning");
	vdt_assert_vif(t, vdt_vif(t, 3, 0), "ok", "");
}

/*
 * R6 on a large host (issue 16 #3): 3000 backends in dom0, every two wanting one name,
 * and 3000 more in a driver domain wanting the same names (no clash across domains).
 * Each VIF names its partner (the first other VIF in model order), and the comparisons
 * stay near-linear: the old all-pairs loop made n^2.
 */
static void test_duplicate_vifname_scales(void **state)
{
	struct vdt *t = *state;
	const unsigned long n = 3000;
	unsigned long work;

	vdt_domain(t, 0, "Domain-0");
	vdt_domain(t, 7000, "dd");
	for (unsigned long d = 1; d <= n; d++) {
		unsigned long be = d % 2 ? 0 : 7000;

		vdt_backend(t, be, d, 0, "4", 0);
		vdt_frontend(t, d, be, 0, "4", 0);
		vd_buf_addf(&t->text, "/local/domain/%lu/backend/vif/%lu/0/vifname = \"n%lu\"\n",
			    be, d, (d - 1) / 4);
	}
	vdt_parse(t);
	t->host = vd_build_model(t->snap);
	work = vd_work;
	vd_diagnose(t->host);
	work = vd_work - work;
	assert_int_equal(t->host->nvifs, n);
	for (unsigned long d = 1; d <= n; d++) {
		const struct vd_vif *v = vdt_vif(t, d, 0);
		unsigned long partner = d + 2 <= n && (d - 1) % 4 < 2 ? d + 2 : d - 2;
		char want[96];

		snprintf(want, sizeof(want), "netdev name 'n%lu' is also wanted by vif %lu/0",
			 (d - 1) / 4, partner);
		assert_non_null(vdt_finding(v, "duplicate-vifname"));
		assert_string_equal(vdt_finding(v, "duplicate-vifname")->msg, want);
	}
	if (work > 64 * n)
		fail_msg("%lu comparisons for %lu VIFs", work, n);
}

/* Every verdict the rows produce is documented; the list itself is well formed. */
static void test_verdict_table(void **state)
{
	struct vdt *t = *state;
	size_t n = 0;

	for (; vd_verdicts[n].word; n++) {
		assert_non_null(vd_verdicts[n].meaning);
		vdt_assert_style("verdict meaning", vd_verdicts[n].meaning);
		for (size_t j = 0; j < n; j++)
			assert_string_not_equal(vd_verdicts[j].word, vd_verdicts[n].word);
	}
	vd_buf_reset(&t->scratch);
	for (size_t i = 0; i < n; i++)
		vd_buf_addf(&t->scratch, "%s%s", i ? " " : "", vd_verdicts[i].word);
	assert_string_equal(vd_buf_cstr(&t->scratch),
			    "ok no-driver not-probed hotplug-failed hotplug-pending connecting closing "
			    "closed backend-error orphan-backend orphan-frontend mismatch inconsistent "
			    "invalid-state reconfiguring vanished");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		size_t k = 0;

		while (vd_verdicts[k].word && strcmp(vd_verdicts[k].word, rows[i].verdict))
			k++;
		if (!vd_verdicts[k].word)
			fail_msg("row '%s' wants undocumented verdict %s", rows[i].name,
				 rows[i].verdict);
	}
	assert_true(vd_verdict_ok("ok"));
	assert_false(vd_verdict_ok("ok "));
	assert_false(vd_verdict_ok("connecting"));
	assert_false(vd_verdict_ok(NULL));
	assert_string_equal(vd_sev_name(VD_SEV_INFO), "info");
	assert_string_equal(vd_sev_name(VD_SEV_WARN), "warning");
	assert_string_equal(vd_sev_name(VD_SEV_ERROR), "error");
}

int main(void)
{
	const struct CMUnitTest fixed[] = {
		VDT_TEST(test_captures),
		VDT_TEST(test_hostile_guest),
		VDT_TEST(test_hostile_guest_own_backend),
		VDT_TEST(test_hostile_bytes_stay_on_one_line),
		VDT_TEST(test_backend_claims_taken_frontend),
		VDT_TEST(test_frontend_pointer_garbage),
		VDT_TEST(test_orphans),
		VDT_TEST(test_orphan_frontend_no_backend_key),
		VDT_TEST(test_driver_domain),
		VDT_TEST(test_xenserver),
		VDT_TEST(test_xenserver_hotplug_pending),
		VDT_TEST(test_vanished),
		VDT_TEST(test_unreadable_value),
		VDT_TEST(test_duplicate_vifname),
		VDT_TEST(test_duplicate_vifname_scales),
		VDT_TEST(test_verdict_table),
	};

	return vdt_run("diag", fixed, sizeof(fixed) / sizeof(fixed[0]), test_row, rows,
		       sizeof(rows[0]), sizeof(rows) / sizeof(rows[0]));
}
