/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers shared by the cmocka unit tests. A test writes xenstore-ls -f text (by hand or
 * with the libxl-like generators below), parses it with the real dump parser, builds the
 * model and analyses it, then asserts exact values. Everything a test allocates hangs off
 * its struct vdt, which the teardown frees, so a failing test does not leak either.
 */
#ifndef VD_TEST_H
#define VD_TEST_H

/* cmocka 1.1 needs these first */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vd_diag.h"
#include "vd_dump.h"
#include "vd_err.h"
#include "vd_model.h"
#include "vd_snap.h"
#include "vd_util.h"

/* The usual VIF: guest domain 1, devid 0, backend in dom0. */
#define VDT_BE "/local/domain/0/backend/vif/1/0"
#define VDT_FE "/local/domain/1/device/vif/0"
#define VDT_BE_ERR "/local/domain/0/error/backend/vif/1/0/error"

enum {
	VDT_HOTPLUG_NONE = 1u << 0,  /* backend: no hotplug-status at all (xenopsd does not seed it) */
	VDT_HOTPLUG_EMPTY = 1u << 1, /* backend: hotplug-status "" as libxl seeds it */
	VDT_UNPROBED = 1u << 2,	     /* backend: none of the keys netback writes at probe */
	VDT_NO_BRIDGE = 1u << 3,     /* backend: no bridge key (xenopsd) */
	VDT_TS_ONLY = 1u << 4,	     /* frontend: only the toolstack's keys, netfront never ran */
};

struct vdt {
	void *arg; /* the test's initial state (a table row), if any */
	struct vd_buf text;    /* the dump being written */
	struct vd_buf scratch; /* strings a test asserts on, freed by the teardown */
	struct vd_snap *snap;
	struct vd_host *host;
};

static inline int vdt_setup(void **state)
{
	struct vdt *t = vd_calloc(1, sizeof(*t));

	t->arg = *state;
	vd_buf_init(&t->text);
	vd_buf_init(&t->scratch);
	*state = t;
	return 0;
}

static inline int vdt_teardown(void **state)
{
	struct vdt *t = *state;

	vd_host_free(t->host);
	vd_snap_free(t->snap);
	vd_buf_free(&t->text);
	vd_buf_free(&t->scratch);
	free(t);
	return 0;
}

/* Starts over within one test (a test that loops over several trees). */
static inline void vdt_reset(struct vdt *t)
{
	vd_host_free(t->host);
	vd_snap_free(t->snap);
	t->host = NULL;
	t->snap = NULL;
	vd_buf_reset(&t->text);
}

#define VDT_TEST(fn) cmocka_unit_test_setup_teardown(fn, vdt_setup, vdt_teardown)

/*
 * Runs the fixed tests, then fn once per row of a table: rows of size bytes whose first
 * member is their name (const char *), each handed to fn as its struct vdt's arg.
 */
static inline int vdt_run(const char *group, const struct CMUnitTest *fixed, size_t nfixed,
			  CMUnitTestFunction fn, void *rows, size_t size, size_t nrows)
{
	struct CMUnitTest *tests = vd_calloc(nfixed + nrows, sizeof(*tests));
	int rc;

	memcpy(tests, fixed, nfixed * sizeof(*tests));
	for (size_t i = 0; i < nrows; i++) {
		void *row = (char *)rows + i * size;

		tests[nfixed + i] = (struct CMUnitTest)VDT_TEST(fn);
		tests[nfixed + i].name = *(const char **)row;
		tests[nfixed + i].initial_state = row;
	}
	rc = _cmocka_run_group_tests(group, tests, nfixed + nrows, NULL, NULL);
	free(tests);
	return rc;
}

/* One xenstore-ls -f line; value is as xenstore-ls prints it (escapes like \000 allowed). */
static inline void vdt_line(struct vdt *t, const char *path, const char *value)
{
	vd_buf_addf(&t->text, "%s = \"%s\"\n", path, value);
}

static inline void vdt_linef(struct vdt *t, const char *value, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline void vdt_linef(struct vdt *t, const char *value, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vd_buf_vaddf(&t->text, fmt, ap);
	va_end(ap);
	vd_buf_addf(&t->text, " = \"%s\"\n", value);
}

static inline void vdt_domain(struct vdt *t, unsigned long domid, const char *name)
{
	vdt_linef(t, "", "/local/domain/%lu", domid);
	vdt_linef(t, name, "/local/domain/%lu/name", domid);
}

/* A backend dir as libxl and Linux netback leave it (facts §1.2, the a-bringup capture). */
static inline void vdt_backend(struct vdt *t, unsigned long be, unsigned long fe, unsigned long dev,
			       const char *state, unsigned flags)
{
	static const char *const netback[][2] = {
		{ "feature-sg", "1" },		 { "feature-gso-tcpv4", "1" },
		{ "feature-gso-tcpv6", "1" },	 { "feature-ipv6-csum-offload", "1" },
		{ "feature-rx-copy", "1" },	 { "feature-rx-flip", "0" },
		{ "feature-split-event-channels", "1" },
		{ "multi-queue-max-queues", "8" }, { "feature-ctrl-ring", "1" },
	};
	char *dir = vd_asprintf("/local/domain/%lu/backend/vif/%lu/%lu", be, fe, dev);
	char mac[32];

	snprintf(mac, sizeof(mac), "00:16:3e:00:%02lx:%02lx", fe & 0xff, dev & 0xff);
	vdt_linef(t, "", "%s", dir);
	vd_buf_addf(&t->text, "%s/frontend = \"/local/domain/%lu/device/vif/%lu\"\n", dir, fe,
		    dev);
	vd_buf_addf(&t->text, "%s/frontend-id = \"%lu\"\n", dir, fe);
	vdt_linef(t, "1", "%s/online", dir);
	vdt_linef(t, state, "%s/state", dir);
	vdt_linef(t, "/etc/xen/scripts/vif-bridge", "%s/script", dir);
	vdt_linef(t, mac, "%s/mac", dir);
	if (!(flags & VDT_NO_BRIDGE))
		vdt_linef(t, "xenbr0", "%s/bridge", dir);
	vd_buf_addf(&t->text, "%s/handle = \"%lu\"\n", dir, dev);
	vdt_linef(t, "vif", "%s/type", dir);
	if (flags & VDT_HOTPLUG_EMPTY)
		vdt_linef(t, "", "%s/hotplug-status", dir);
	else if (!(flags & VDT_HOTPLUG_NONE))
		vdt_linef(t, "connected", "%s/hotplug-status", dir);
	for (size_t i = 0; !(flags & VDT_UNPROBED) && i < sizeof(netback) / sizeof(netback[0]);
	     i++)
		vdt_linef(t, netback[i][1], "%s/%s", dir, netback[i][0]);
	free(dir);
}

/* A frontend dir as libxl and Linux netfront leave it with one queue and split evtchns. */
static inline void vdt_frontend(struct vdt *t, unsigned long fe, unsigned long be,
				unsigned long dev, const char *state, unsigned flags)
{
	static const char *const netfront[][2] = {
		{ "multi-queue-num-queues", "1" }, { "tx-ring-ref", "1548" },
		{ "rx-ring-ref", "1549" },	   { "event-channel-tx", "19" },
		{ "event-channel-rx", "20" },	   { "request-rx-copy", "1" },
		{ "feature-rx-notify", "1" },	   { "feature-sg", "1" },
	};
	char *dir = vd_asprintf("/local/domain/%lu/device/vif/%lu", fe, dev);
	char mac[32];

	snprintf(mac, sizeof(mac), "00:16:3e:00:%02lx:%02lx", fe & 0xff, dev & 0xff);
	vdt_linef(t, "", "%s", dir);
	vd_buf_addf(&t->text, "%s/backend = \"/local/domain/%lu/backend/vif/%lu/%lu\"\n", dir, be,
		    fe, dev);
	vd_buf_addf(&t->text, "%s/backend-id = \"%lu\"\n", dir, be);
	vdt_linef(t, state, "%s/state", dir);
	vd_buf_addf(&t->text, "%s/handle = \"%lu\"\n", dir, dev);
	vdt_linef(t, mac, "%s/mac", dir);
	vdt_linef(t, "1", "%s/trusted", dir);
	vdt_linef(t, "1500", "%s/mtu", dir);
	for (size_t i = 0; !(flags & VDT_TS_ONLY) && i < sizeof(netfront) / sizeof(netfront[0]);
	     i++)
		vdt_linef(t, netfront[i][1], "%s/%s", dir, netfront[i][0]);
	free(dir);
}

/* The start of path's line in the text written so far, or NULL. */
static inline char *vdt_find_line(struct vdt *t, const char *path)
{
	size_t plen = strlen(path);

	for (char *p = t->text.data; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, path, plen) == 0 && strncmp(p + plen, " = \"", 4) == 0)
			return p;
	return NULL;
}

/* Takes the line of path out of the text written so far (a generated key the test denies). */
static inline void vdt_drop(struct vdt *t, const char *path)
{
	char *at = vdt_find_line(t, path), *nl;
	size_t cut;

	if (!at)
		fail_msg("the test's dump has no line for %s", path);
	nl = strchr(at, '\n');
	cut = nl ? (size_t)(nl + 1 - at) : strlen(at);
	memmove(at, at + cut, t->text.len - (size_t)(at - t->text.data) - cut + 1);
	t->text.len -= cut;
}

/* Sets path to value: replaces a generated line, or adds one. */
static inline void vdt_set(struct vdt *t, const char *path, const char *value)
{
	if (vdt_find_line(t, path))
		vdt_drop(t, path);
	vdt_line(t, path, value);
}

/* Domains 0 and 1 and the VIF between them (VDT_FE, VDT_BE). */
static inline void vdt_std(struct vdt *t, const char *fe_state, const char *be_state,
			   unsigned flags)
{
	vdt_domain(t, 0, "Domain-0");
	vdt_domain(t, 1, "domu1");
	vdt_backend(t, 0, 1, 0, be_state, flags);
	vdt_frontend(t, 1, 0, 0, fe_state, flags);
}

/* Parses the text written so far; later vd_snap_put calls can still change the snapshot. */
static inline void vdt_parse(struct vdt *t)
{
	struct vd_err err;

	vd_err_clear(&err);
	t->snap = vd_snap_new();
	if (vd_dump_parse(vd_buf_cstr(&t->text), t->text.len, "test", t->snap, &err) != 0)
		fail_msg("the test's dump does not parse: %s", err.msg);
}

/* Where tests/unit/data is: next to this header, or $VD_TEST_DATA. */
static inline char *vdt_data_path(const char *name)
{
	const char *dir = getenv("VD_TEST_DATA");
	const char *slash = strrchr(__FILE__, '/');

	if (dir)
		return vd_asprintf("%s/%s", dir, name);
	if (!slash)
		return vd_asprintf("data/%s", name);
	return vd_asprintf("%.*s/data/%s", (int)(slash - __FILE__), __FILE__, name);
}

static inline void vdt_load(struct vdt *t, const char *name)
{
	char *path = vdt_data_path(name);
	struct vd_err err;
	int rc;

	vd_err_clear(&err);
	t->snap = vd_snap_new();
	rc = vd_dump_load(path, t->snap, &err);
	free(path);
	if (rc != 0)
		fail_msg("cannot load test data %s: %s", name, err.msg);
}

/* Builds the model (parsing first if needed) and, if asked, runs the analysis. */
static inline struct vd_host *vdt_build(struct vdt *t, bool diagnose)
{
	if (!t->snap)
		vdt_parse(t);
	t->host = vd_build_model(t->snap);
	if (diagnose)
		vd_diagnose(t->host);
	return t->host;
}

/* The one VIF of (domid, devid); fails the test if there is none or more than one. */
static inline struct vd_vif *vdt_vif(const struct vdt *t, unsigned long domid,
				     unsigned long devid)
{
	struct vd_vif *found = NULL;

	for (size_t i = 0; i < t->host->nvifs; i++) {
		struct vd_vif *v = t->host->vifs[i];

		if (v->domid != domid || v->devid != devid)
			continue;
		if (found)
			fail_msg("vif %lu/%lu is listed twice", domid, devid);
		found = v;
	}
	if (!found)
		fail_msg("no vif %lu/%lu", domid, devid);
	return found;
}

/* How many VIFs show this path as their (present) backend or frontend. */
static inline size_t vdt_uses(const struct vdt *t, const char *path)
{
	size_t n = 0;

	for (size_t i = 0; i < t->host->nvifs; i++) {
		const struct vd_vif *v = t->host->vifs[i];

		n += v->be.present && strcmp(v->be.path, path) == 0;
		n += v->fe.present && strcmp(v->fe.path, path) == 0;
	}
	return n;
}

static inline const struct vd_finding *vdt_finding(const struct vd_vif *v, const char *code)
{
	for (size_t i = 0; i < v->nfindings; i++)
		if (strcmp(v->findings[i].code, code) == 0)
			return &v->findings[i];
	fail_msg("vif %lu/%lu has no finding '%s'", v->domid, v->devid, code);
	return NULL;
}

/* Findings as "code:severity" in order, space separated (valid until the next call). */
static inline const char *vdt_codes(struct vdt *t, const struct vd_vif *v)
{
	vd_buf_reset(&t->scratch);
	for (size_t i = 0; i < v->nfindings; i++)
		vd_buf_addf(&t->scratch, "%s%s:%s", i ? " " : "", v->findings[i].code,
			    vd_sev_name(v->findings[i].sev));
	return vd_buf_cstr(&t->scratch);
}

/* Finding texts are one line, start lowercase, have no trailing period. */
static inline void vdt_assert_style(const char *what, const char *s)
{
	size_t n;

	if (!s)
		return;
	n = strlen(s);
	if (n == 0 || strchr(s, '\n') || (s[0] >= 'A' && s[0] <= 'Z') || s[n - 1] == '.')
		fail_msg("badly formed %s: '%s'", what, s);
}

/* Verdict, findings and their style, in one go. */
static inline void vdt_assert_vif(struct vdt *t, const struct vd_vif *v, const char *verdict,
				  const char *codes)
{
	for (size_t i = 0; i < v->nfindings; i++) {
		vdt_assert_style("message", v->findings[i].msg);
		vdt_assert_style("hint", v->findings[i].hint);
	}
	assert_string_equal(vdt_codes(t, v), codes);
	assert_non_null(v->verdict);
	assert_string_equal(v->verdict, verdict);
}

#endif
