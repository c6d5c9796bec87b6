// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The libxl facts (vd_xl.h): the join and the rules over a store from vd_test.h and the
 * facts libxl would give, built by hand; and the real libxenlight on this machine, which
 * has no hypervisor, must say why it is unavailable without printing anything.
 */
#include "vd_test.h"

#include <fcntl.h>
#include <unistd.h>

#include "vd_opts.h"
#include "vd_render.h"
#include "vd_xl.h"

#define MAC0 "00:16:3e:00:01:00" /* vd_test.h's MAC of vif 1/0 */
#define MAC1 "00:16:3e:00:01:01"

struct xrow {
	const char *name;
	const char *fe, *be;   /* vif 1/0's states; NULL: that end is not in the store */
	const char *fe1, *be1; /* a vif 1/1 too, when set */
	int run;	       /* domain 1 per libxl; -1: the hypervisor has no domain 1 */
	const char *reason;    /* shutdown reason */
	const char *nics;      /* libxl's NICs of domain 1: devids, e.g. "0 1"; "" none */
	const char *nic_mac;   /* libxl's MAC of devid 0 (default MAC0) */
	unsigned nic_be;       /* libxl's backend domain of every NIC */
	/* expectations for vif 1/0, then for vif 1/1 if there is one */
	const char *verdict, *codes;
	const char *verdict1, *codes1;
	const char *code, *msg; /* one finding's exact message, on vif 1/0 */
};

static struct xrow rows[] = {
	{ .name = "running, listed: nothing to say",
	  .fe = "4",
	  .be = "4",
	  .run = VD_RUN_RUNNING,
	  .nics = "0",
	  .verdict = "ok",
	  .codes = "" },
	{ .name = "xl create -p: paused, not no-driver",
	  .fe = "1",
	  .be = "2",
	  .run = VD_RUN_PAUSED,
	  .nics = "0",
	  .verdict = "paused",
	  .codes = "no-driver:info domain-paused:error",
	  .code = "domain-paused",
	  .msg = "domain 1 is paused: its vCPUs do not run, so its network driver cannot take "
		 "the next step of the handshake" },
	{ .name = "paused with a connected VIF: still ok, with a warning",
	  .fe = "4",
	  .be = "4",
	  .run = VD_RUN_PAUSED,
	  .nics = "0",
	  .verdict = "ok",
	  .codes = "domain-paused:warning" },
	{ .name = "paused does not hide a pointer mismatch",
	  .fe = "4",
	  .be = "4",
	  .fe1 = "4",
	  .be1 = "4",
	  .run = VD_RUN_PAUSED,
	  .nics = "0 1",
	  .verdict = "ok",
	  .codes = "domain-paused:warning",
	  .verdict1 = "mismatch",
	  .codes1 = "pointer-mismatch:error domain-paused:error" },
	{ .name = "shut down, waiting to be destroyed",
	  .fe = "6",
	  .be = "5",
	  .run = VD_RUN_SHUTDOWN,
	  .reason = "poweroff",
	  .nics = "0",
	  .verdict = "closing",
	  .codes = "closing:warning domain-shutdown:warning",
	  .code = "domain-shutdown",
	  .msg = "domain 1 has shut down (poweroff) and waits to be destroyed" },
	{ .name = "dying: a backend may still map its memory",
	  .fe = "6",
	  .be = "6",
	  .run = VD_RUN_DYING,
	  .nics = "0",
	  .verdict = "closed",
	  .codes = "closing:warning domain-dying:warning" },
	{ .name = "the hypervisor has no such domain: leftovers",
	  .fe = "4",
	  .be = "4",
	  .run = -1,
	  .verdict = "domain-gone",
	  .codes = "domain-gone:error",
	  .code = "domain-gone",
	  .msg = "the hypervisor has no domain 1, but the store still holds its vif 0 (frontend "
		 "and backend)" },
	{ .name = "a backend left behind by a destroyed domain",
	  .be = "4",
	  .run = -1,
	  .verdict = "domain-gone",
	  .codes = "orphan-backend:error domain-gone:error" },
	{ .name = "libxl lists a NIC the store has no end of",
	  .fe = "4",
	  .be = "4",
	  .run = VD_RUN_RUNNING,
	  .nics = "0 1",
	  .verdict = "ok",
	  .codes = "",
	  .verdict1 = "libxl-only",
	  .codes1 = "libxl-only:error" },
	{ .name = "a stale libxl record of a paused domain is still libxl-only",
	  .fe = "1",
	  .be = "2",
	  .run = VD_RUN_PAUSED,
	  .nics = "0 1",
	  .verdict = "paused",
	  .codes = "no-driver:info domain-paused:error",
	  .verdict1 = "libxl-only",
	  .codes1 = "libxl-only:error domain-paused:error" },
	{ .name = "a VIF libxl does not list, beside one it does",
	  .fe = "4",
	  .be = "4",
	  .fe1 = "4",
	  .be1 = "4",
	  .run = VD_RUN_RUNNING,
	  .nics = "0",
	  .verdict = "ok",
	  .codes = "",
	  .verdict1 = "ok",
	  .codes1 = "libxl-unlisted:warning" },
	{ .name = "a domain libxl manages no NIC of (XenServer): no news",
	  .fe = "4",
	  .be = "4",
	  .run = VD_RUN_RUNNING,
	  .nics = "",
	  .verdict = "ok",
	  .codes = "" },
	{ .name = "libxl's record says another MAC",
	  .fe = "4",
	  .be = "4",
	  .run = VD_RUN_RUNNING,
	  .nics = "0",
	  .nic_mac = "00:16:3e:99:99:99",
	  .verdict = "ok",
	  .codes = "libxl-differs:warning",
	  .code = "libxl-differs",
	  .msg = "libxl's record of vif 0 says mac 00:16:3e:99:99:99 and backend domain 0; the "
		 "store says mac " MAC0 " and backend domain 0" },
	{ .name = "libxl's record says another backend domain",
	  .fe = "4",
	  .be = "4",
	  .run = VD_RUN_RUNNING,
	  .nics = "0",
	  .nic_be = 2,
	  .verdict = "ok",
	  .codes = "libxl-differs:warning" },
};

static struct vd_xldom *add_dom(struct vd_xl *x, unsigned long domid, enum vd_run run)
{
	struct vd_xldom *d;

	x->doms = vd_realloc(x->doms, (x->ndoms + 1) * sizeof(*x->doms));
	d = &x->doms[x->ndoms++];
	memset(d, 0, sizeof(*d));
	d->domid = domid;
	d->run = run;
	return d;
}

static void add_nic(struct vd_xldom *d, unsigned long devid, const char *mac, unsigned long be)
{
	struct vd_xlnic *n;

	d->nics = vd_realloc(d->nics, (d->nnics + 1) * sizeof(*d->nics));
	n = &d->nics[d->nnics++];
	memset(n, 0, sizeof(*n));
	n->devid = devid;
	snprintf(n->mac, sizeof(n->mac), "%s", mac);
	n->bridge = vd_strdup("xenbr0");
	n->backend_domid = be;
}

/* Domain 0 always; domain 1 as the row says. */
static struct vd_xl *facts(const struct xrow *r)
{
	struct vd_xl *x = vd_calloc(1, sizeof(*x));
	struct vd_xldom *d;

	add_dom(x, 0, VD_RUN_RUNNING);
	if (r->run < 0)
		return x;
	d = add_dom(x, 1, (enum vd_run)r->run);
	if (r->reason)
		d->shutdown_reason = vd_strdup(r->reason);
	for (const char *p = r->nics; p && *p; p++) {
		if (*p == ' ')
			continue;
		add_nic(d, (unsigned long)(*p - '0'),
			*p == '0' ? (r->nic_mac ? r->nic_mac : MAC0) : MAC1, r->nic_be);
	}
	return x;
}

/* The store, the model, the xenstore rules, the libxl join and rules: as the pipeline. */
static struct vd_xl *run(struct vdt *t, const struct xrow *r)
{
	struct vd_xl *x = facts(r);

	vdt_domain(t, 0, "Domain-0");
	vdt_domain(t, 1, "domu1");
	if (r->be)
		vdt_backend(t, 0, 1, 0, r->be, 0);
	if (r->fe)
		vdt_frontend(t, 1, 0, 0, r->fe, 0);
	if (r->be1)
		vdt_backend(t, 0, 1, 1, r->be1, 0);
	if (r->fe1) {
		vdt_frontend(t, 1, 0, 1, r->fe1, 0);
		if (r->verdict1 && strcmp(r->verdict1, "mismatch") == 0)
			vdt_set(t, "/local/domain/1/device/vif/1/backend",
				"/local/domain/0/backend/vif/1/7");
	}
	vdt_build(t, true);
	vd_xl_join(t->host, x);
	vd_diagnose_xl(t->host, x);
	return x;
}

/* The host first, then the facts: freeing the model must not need them. */
static void done(struct vdt *t, struct vd_xl *x)
{
	vd_host_free(t->host);
	t->host = NULL;
	vd_xl_free(x);
}

static void test_row(void **state)
{
	struct vdt *t = *state;
	const struct xrow *r = t->arg;
	struct vd_xl *x = run(t, r);
	const struct vd_vif *v = vdt_vif(t, 1, 0);

	vdt_assert_vif(t, v, r->verdict, r->codes);
	assert_ptr_equal(t->host->xl, x);
	assert_non_null(v->xl);
	if (r->code)
		assert_string_equal(vdt_finding(v, r->code)->msg, r->msg);
	if (r->verdict1)
		vdt_assert_vif(t, vdt_vif(t, 1, 1), r->verdict1, r->codes1);
	/* every VIF has facts, and only the NICs the store lacks became VIFs */
	for (size_t i = 0; i < t->host->nvifs; i++)
		assert_non_null(t->host->vifs[i]->xl);
	assert_int_equal(t->host->nvifs, 1 + (r->verdict1 != NULL));
	done(t, x);
}

static void test_libxl_only_vif(void **state)
{
	struct vdt *t = *state;
	struct xrow r = { .fe = "4", .be = "4", .run = VD_RUN_RUNNING, .nics = "0 1" };
	struct vd_xl *x = run(t, &r);
	const struct vd_vif *v = vdt_vif(t, 1, 1);

	/* where the ends should be, from libxl's backend domain */
	assert_string_equal(v->fe.path, "/local/domain/1/device/vif/1");
	assert_string_equal(v->be.path, "/local/domain/0/backend/vif/1/1");
	assert_false(v->fe.present);
	assert_false(v->be.present);
	assert_int_equal(v->be.domid, 0);
	assert_ptr_equal(v->dom, vd_host_domain(t->host, 1));
	assert_string_equal(vdt_finding(v, "libxl-only")->msg,
			    "libxl lists vif 1 of domain 1 (mac " MAC1 ", bridge xenbr0, backend "
			    "domain 0), but the store has neither its frontend nor its backend");
	/* still sorted */
	assert_ptr_equal(t->host->vifs[1], v);
	done(t, x);
}

static void test_unavailable(void **state)
{
	struct vdt *t = *state;
	struct vd_xl *x = vd_xl_read(false);

	assert_non_null(x->unavailable);
	assert_string_equal(x->unavailable, "not a live source: libxl describes this host only");
	vdt_std(t, "1", "2", 0);
	vdt_build(t, true);
	vd_xl_join(t->host, x);
	vd_diagnose_xl(t->host, x);
	assert_ptr_equal(t->host->xl, x);
	assert_null(vdt_vif(t, 1, 0)->xl);
	vdt_assert_vif(t, vdt_vif(t, 1, 0), "no-driver", "no-driver:error");
	done(t, x);
}

/*
 * The real libxenlight here: this machine runs on no hypervisor, so libxl_ctx_alloc fails.
 * It must say so, and its own error messages must not reach stderr.
 */
static void test_real_libxl_degrades_quietly(void **state)
{
	char path[] = "/tmp/vd-test-xl-XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	struct vd_xl *x;
	off_t size;

	assert_true(fd >= 0 && saved >= 0);
	unlink(path);
	if (access("/dev/xen/privcmd", F_OK) == 0 || access("/proc/xen/capabilities", F_OK) == 0)
		skip(); /* a Xen domain: the e2e suite covers this case */
	fflush(stderr);
	dup2(fd, 2);
	x = vd_xl_read(true);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	size = lseek(fd, 0, SEEK_END);
	close(fd);
	assert_int_equal(size, 0);
	assert_non_null(x->unavailable);
#ifdef HAVE_LIBXL
	assert_non_null(strstr(x->unavailable, "libxl_ctx_alloc failed"));
#else
	assert_string_equal(x->unavailable, "vifdiag was built without libxenlight");
#endif
	assert_int_equal(x->ndoms, 0);
	vd_xl_free(x);
}

/* The renderers: run state next to the name, libxl's record, JSON keys. */
static void test_render(void **state)
{
	struct vdt *t = *state;
	struct xrow r = { .fe = "1", .be = "2", .run = VD_RUN_PAUSED, .nics = "0 1" };
	struct vd_xl *x = run(t, &r);
	const struct vd_vif *sel[2] = { vdt_vif(t, 1, 0), vdt_vif(t, 1, 1) };
	struct vd_selection selection = { sel, 2 };
	struct vd_opts o = { 0 };
	char *buf = NULL;
	size_t len = 0;

	o.out = open_memstream(&buf, &len);
	o.err = o.out;
	assert_int_equal(vd_render_text.status(t->host, &selection, &o), 0);
	assert_int_equal(vd_render_text.show(t->host, &selection, &o), 0);
	assert_int_equal(vd_render_json.status(t->host, &selection, &o), 0);
	fclose(o.out);
	assert_non_null(strstr(buf, "domu1 (paused)  1   0"));
	assert_non_null(strstr(buf, "vif 0: paused: the guest is paused: its driver cannot "
				    "connect until it runs"));
	assert_non_null(strstr(buf, "  domain        paused, per the hypervisor (libxl)\n"));
	assert_non_null(strstr(buf, "  libxl         lists it: mac " MAC1
				    ", bridge xenbr0, backend domain 0\n"));
	assert_non_null(strstr(buf, "\"run_state\": \"paused\""));
	assert_non_null(strstr(buf, "\"libxl\": {\n        \"listed\": true,\n        \"managed\": "
				    "true,\n        \"mac\": \"" MAC0 "\""));
	assert_non_null(strstr(buf, "\"available\": true,\n      \"unavailable\": null"));
	assert_non_null(strstr(buf, "\"verdict\": \"libxl-only\""));
	free(buf);
	done(t, x);
}

static void test_verdict_table(void **state)
{
	for (const struct vd_verdict_info *i = vd_xl_verdicts; i->word; i++) {
		assert_string_equal(vd_xl_verdict_meaning(i->word), i->meaning);
		vdt_assert_style("verdict meaning", i->meaning);
		for (const struct vd_verdict_info *j = vd_verdicts; j->word; j++)
			if (strcmp(i->word, j->word) == 0)
				fail_msg("libxl verdict %s is also a xenstore verdict", i->word);
	}
	assert_null(vd_xl_verdict_meaning("ok"));
	assert_string_equal(vd_run_name(VD_RUN_DYING), "dying");
	assert_null(vd_run_name(VD_RUN_UNKNOWN));
}

int main(void)
{
	const struct CMUnitTest fixed[] = {
		VDT_TEST(test_libxl_only_vif),
		VDT_TEST(test_unavailable),
		VDT_TEST(test_real_libxl_degrades_quietly),
		VDT_TEST(test_render),
		VDT_TEST(test_verdict_table),
	};

	return vdt_run("xl", fixed, sizeof(fixed) / sizeof(fixed[0]), test_row, rows,
		       sizeof(rows[0]), sizeof(rows) / sizeof(rows[0]));
}
