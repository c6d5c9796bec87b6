// SPDX-License-Identifier: GPL-2.0-or-later
/* XenbusState names, what a state value in the store decodes to, and pair meanings. */
#include "vd_test.h"

#include <limits.h>

#include "vd_esc.h"
#include "vd_xenbus.h"

static void test_state_names(void **state)
{
	static const char *const want[] = { "Unknown",	 "Initialising", "InitWait",
					     "Initialised", "Connected",   "Closing",
					     "Closed",	 "Reconfiguring", "Reconfigured" };

	assert_int_equal(VD_XB_NSTATES, 9);
	for (long s = 0; s < 9; s++) {
		assert_true(vd_xb_state_valid(s));
		assert_string_equal(vd_xb_state_name(s), want[s]);
	}
}

static void test_state_invalid_numbers(void **state)
{
	static const long bad[] = { -1, -2, 9, 10, 255, 4294967295L, LONG_MAX, LONG_MIN };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(vd_xb_state_valid(bad[i]));
		assert_string_equal(vd_xb_state_name(bad[i]), "invalid");
	}
}

/*
 * A frontend state value as the store holds it (raw bytes, may hold NULs) and what it
 * decodes to: the number (ok) or not, the name the renderers show, and the verdict.
 */
struct state_case {
	char *name; /* filled in by main() from the value */
	const char *raw;
	size_t len;
	bool ok;
	unsigned long v;
	const char *state_name; /* vd_xb_state_name, or "invalid" for a value that is not a number */
	const char *verdict;
	const char *codes;
	const char *shown; /* how the state-invalid message quotes the value */
};

#define RAW(s) NULL, s, sizeof(s) - 1

static struct state_case state_cases[] = {
	{ RAW("4"), true, 4, "Connected", "ok", "", NULL },
	{ RAW("04"), true, 4, "Connected", "ok", "", NULL }, /* Linux reads it with %d too */
	{ RAW("0"), true, 0, "Unknown", "connecting", "unusual-states:warning", NULL },
	{ RAW("8"), true, 8, "Reconfigured", "connecting", "unusual-states:warning", NULL },
	{ RAW("9"), true, 9, "invalid", "invalid-state", "state-invalid:error", "9" },
	{ RAW("4294967295"), true, 4294967295UL, "invalid", "invalid-state",
	  "state-invalid:error", "4294967295" },
	{ RAW("4294967296"), false, 0, "invalid", "invalid-state", "state-invalid:error",
	  "4294967296" },
	{ RAW("99999999999999999999"), false, 0, "invalid", "invalid-state",
	  "state-invalid:error", "99999999999999999999" },
	{ RAW(""), false, 0, "invalid", "invalid-state", "state-invalid:error", "" },
	{ RAW("four"), false, 0, "invalid", "invalid-state", "state-invalid:error", "four" },
	{ RAW("-1"), false, 0, "invalid", "invalid-state", "state-invalid:error", "-1" },
	{ RAW("+4"), false, 0, "invalid", "invalid-state", "state-invalid:error", "+4" },
	{ RAW(" 4"), false, 0, "invalid", "invalid-state", "state-invalid:error", " 4" },
	/* the guest's bytes must neither break the message's line nor hide behind a NUL */
	{ RAW("4\n"), false, 0, "invalid", "invalid-state", "state-invalid:error", "4\\n" },
	{ RAW("4\0"), false, 0, "invalid", "invalid-state", "state-invalid:error", "4\\000" },
	{ RAW("\0" "4"), false, 0, "invalid", "invalid-state", "state-invalid:error",
	  "\\0004" },
	{ RAW("\033[2J4"), false, 0, "invalid", "invalid-state", "state-invalid:error",
	  "\\x1b[2J4" },
	{ RAW("4444444444444444444444444444444444444444444444444444444444444444444444"), false,
	  0, "invalid", "invalid-state", "state-invalid:error",
	  "4444444444444444444444444444444444444444444444444444444444444444..." },
};

static void test_state_value(void **state)
{
	struct vdt *t = *state;
	const struct state_case *c = t->arg;
	const struct vd_vif *v;

	vdt_std(t, "4", "4", 0);
	vdt_parse(t);
	vd_snap_put(t->snap, VDT_FE "/state", c->raw, c->len);
	vdt_build(t, true);
	v = vdt_vif(t, 1, 0);
	assert_non_null(v->fe.state.node);
	assert_int_equal(v->fe.state.node->len, c->len);
	assert_int_equal(v->fe.state.ok, c->ok);
	if (c->ok)
		assert_int_equal(v->fe.state.v, c->v);
	assert_string_equal(c->ok ? vd_xb_state_name((long)v->fe.state.v) : "invalid",
			    c->state_name);
	vdt_assert_vif(t, v, c->verdict, c->codes);
	if (c->shown) {
		char want[256];

		snprintf(want, sizeof(want), "the frontend state is '%s', not a XenbusState",
			 c->shown);
		assert_string_equal(vdt_finding(v, "state-invalid")->msg, want);
	}
}

/* A dump with the state cut on a terminal: unknown, so not "invalid". */
static void test_state_truncated(void **state)
{
	struct vdt *t = *state;
	const struct vd_vif *v;

	vdt_std(t, "4", "4", 0);
	vdt_line(t, VDT_BE "/state", "4\\...");
	vdt_build(t, true);
	v = vdt_vif(t, 1, 0);
	assert_true(v->be.state.node->flags & VD_NODE_TRUNCATED);
	assert_false(v->be.state.ok);
	vdt_assert_vif(t, v, "connecting", "truncated:warning");
	assert_string_equal(vdt_finding(v, "truncated")->msg, VDT_BE "/state was cut in the dump");
}

struct pair_case {
	long fe, be;
	const char *meaning;
};

static const struct pair_case pair_cases[] = {
	{ 1, 1, "toolstack created both ends; the backend driver has not probed the device yet" },
	{ 1, 2, "backend waits for the guest's network driver to connect" },
	{ 3, 2, "frontend initialised but not connected (a stopped or disabled guest driver)" },
	{ 4, 2, "guest connected; backend waits for the hotplug script to report connected" },
	{ 4, 4, "connected" },
	{ 4, 8, "connected after the guest reconfigured it (XDP attach or detach)" },
	{ 7, 4, "guest reconfiguring the device (XDP attach or detach)" },
	{ 7, 8, "guest reconfiguring the device; backend done" },
	{ 4, 5, "backend closing a connected device: detach requested or a backend error" },
	{ 4, 6, "backend closed while the guest is still connected" },
	{ 5, 4, "guest closing the device (driver unload or shutdown)" },
	{ 5, 5, "both ends closing" },
	{ 5, 6, "guest closing; backend already closed" },
	{ 5, 2, "frontend closing" },
	{ 5, 0, "frontend closing" },
	{ 6, 5, "guest closed; backend closing" },
	{ 6, 6, "both ends closed" },
	{ 6, 4, "frontend closed" },
	{ 1, 5, "backend closing" },
	{ 1, 6, "guest restarting its driver against a closed backend" },
	{ 1, 4,
	  "guest restarted its driver while the backend is still connected (iPXE handoff, kexec or crash)" },
	{ -1, 4, "no frontend, or its state is unreadable" },
	{ -1, 5, "no frontend, or its state is unreadable" },
	{ 4, -1, "no backend, or its state is unreadable" },
	{ 5, -1, "no backend, or its state is unreadable" },
	{ -1, -1, "neither end has a readable state" },
	{ 9, 4, "frontend state is not a XenbusState" },
	{ 4, 9, "backend state is not a XenbusState" },
	{ 9, -1, "frontend state is not a XenbusState" },
	{ 0, 0, "an unusual combination: not part of the normal handshake" },
	{ 4, 3, "guest connected; backend initialised but not connected" },
	{ 8, 8, "an unusual combination: not part of the normal handshake" },
};

static void test_pair_meanings(void **state)
{
	for (size_t i = 0; i < sizeof(pair_cases) / sizeof(pair_cases[0]); i++) {
		const struct pair_case *c = &pair_cases[i];
		const char *m = vd_xb_pair_meaning(c->fe, c->be);

		if (strcmp(m, c->meaning) != 0)
			fail_msg("(%ld,%ld): '%s', want '%s'", c->fe, c->be, m, c->meaning);
	}
}

/* Every pair, absent ends included, has a one-line lowercase meaning. */
static void test_pair_meanings_total(void **state)
{
	for (long fe = -1; fe <= 9; fe++)
		for (long be = -1; be <= 9; be++)
			vdt_assert_style("pair meaning", vd_xb_pair_meaning(fe, be));
}

int main(void)
{
	enum { NSTATE = sizeof(state_cases) / sizeof(state_cases[0]) };
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_state_names),
		cmocka_unit_test(test_state_invalid_numbers),
		cmocka_unit_test(test_pair_meanings),
		cmocka_unit_test(test_pair_meanings_total),
		VDT_TEST(test_state_truncated),
	};
	int rc;

	for (size_t i = 0; i < NSTATE; i++) {
		struct vd_buf b;

		vd_buf_init(&b);
		vd_esc_xsls(&b, state_cases[i].raw, state_cases[i].len);
		state_cases[i].name = vd_asprintf("state value \"%.40s\"", vd_buf_cstr(&b));
		vd_buf_free(&b);
	}
	rc = vdt_run("xenbus", fixed, sizeof(fixed) / sizeof(fixed[0]), test_state_value,
		     state_cases, sizeof(state_cases[0]), NSTATE);
	for (size_t i = 0; i < NSTATE; i++)
		free(state_cases[i].name);
	return rc;
}
