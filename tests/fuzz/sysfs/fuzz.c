// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sysfs, debugfs and module-parameter values fed random bytes: a copy of the
 * host-linux-bridge fixture's sysfs (made once, under TMPDIR, else /dev/shm) gets its files and
 * links for vif1.0 rewritten from the input (fields separated by NUL bytes, in the order of
 * fields[]; the fields an input does not reach keep the fixture's), then read as
 * `--sysfs-root` would, joined to that fixture's store and diagnosed and rendered
 * (pipeline checks). No crash, valid JSON, no raw control byte, whatever sysfs held.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../pipeline.h"
#include "vd_dump.h"
#include "vd_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FIXTURE "tests/fixtures/host-linux-bridge"
#define NET	"sys/devices/vif-1-0/net/vif1.0/"

/* What each input field becomes, in order: a file's content, or a link's target. */
static const struct field {
	const char *rel;
	bool link;
} fields[] = {
	{ NET "operstate", false },
	{ NET "carrier", false },
	{ NET "flags", false },
	{ NET "mtu", false },
	{ NET "address", false },
	{ "sys/devices/vif-1-0/nodename", false },
	{ "sys/devices/vif-1-0/state", false },
	{ "sys/kernel/debug/xen-netback/vif1.0/io_ring_q0", false },
	{ "sys/kernel/debug/xen-netback/vif1.0/io_ring_q1", false },
	{ "sys/module/xen_netback/parameters/max_queues", false },
	{ "sys/module/xen_netback/parameters/separate_tx_rx_irq", false },
	{ "sys/module/xen_netback/parameters/rx_stall_timeout_msecs", false },
	{ "sys/module/xen_netback/parameters/provides_xdp_headroom", false },
	{ NET "master", true },
	{ NET "brport/bridge", true },
	{ NET "device", true },
};

static char root[256];
static struct vd_snap *snap;
static char *orig[sizeof(fields) / sizeof(fields[0])]; /* the fixture's, NULL: absent */
static size_t orig_len[sizeof(fields) / sizeof(fields[0])];
/* what each field holds on disk now (the fixture's after the copy): most inputs change one
 * or two, and creating files was a quarter of this target's time */
static char *cur[sizeof(fields) / sizeof(fields[0])];
static size_t cur_len[sizeof(fields) / sizeof(fields[0])];

static void setup(void)
{
	char *cmd;
	struct vd_err err;

	snprintf(root, sizeof(root), "%s/vd-fuzz-sysfs.XXXXXX", fuzz_scratch_base());
	FUZZ_ASSERT(mkdtemp(root));
	cmd = vd_asprintf("cp -a " FIXTURE "/sysfs/. '%s'/", root);
	FUZZ_ASSERT(system(cmd) == 0);
	free(cmd);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		char *p = vd_asprintf("%s/%s", root, fields[i].rel);
		char buf[8192];
		ssize_t n;
		int fd;

		if (fields[i].link) {
			n = readlink(p, buf, sizeof(buf));
		} else {
			fd = open(p, O_RDONLY);
			n = fd < 0 ? -1 : read(fd, buf, sizeof(buf));
			if (fd >= 0)
				close(fd);
		}
		if (n >= 0) {
			orig[i] = vd_memdup0(buf, (size_t)n);
			orig_len[i] = (size_t)n;
			cur[i] = vd_memdup0(buf, (size_t)n);
			cur_len[i] = (size_t)n;
		}
		free(p);
	}
	snap = vd_snap_new();
	vd_err_clear(&err);
	FUZZ_ASSERT(vd_dump_load(FIXTURE "/tree.txt", snap, &err) == 0);
}

static void cleanup(void)
{
	char *cmd = vd_asprintf("rm -rf '%s'", root);

	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", root);
	free(cmd);
}

static void put(size_t i, const char *v, size_t n)
{
	const struct field *f = &fields[i];
	char *p;

	if (v ? cur[i] && cur_len[i] == n && memcmp(cur[i], v, n) == 0 : !cur[i])
		return;
	free(cur[i]);
	cur[i] = v ? vd_memdup0(v, n) : NULL;
	cur_len[i] = n;
	p = vd_asprintf("%s/%s", root, f->rel);
	unlink(p);
	if (!v) {
		free(p);
		return;
	}
	if (f->link) {
		char *t = vd_strndup(v, n);

		/* an empty target cannot be a link: then the link is absent */
		if (*t && symlink(t, p) != 0)
			FUZZ_ASSERT(!"symlink");
		free(t);
	} else {
		int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		FUZZ_ASSERT(fd >= 0);
		FUZZ_ASSERT(write(fd, v, n) == (ssize_t)n);
		close(fd);
	}
	free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const size_t nf = sizeof(fields) / sizeof(fields[0]);
	struct vd_host *h;
	struct vd_sysfs *sys;
	struct vd_selection sel;
	size_t st = 0, k = 0;

	if (!snap) {
		setup();
		atexit(cleanup);
	}
	/* fields separated by a NUL byte: the one byte no sysfs file or link can hold */
	for (size_t i = 0; i <= size && k < nf; i++) {
		if (i < size && data[i] != '\0')
			continue;
		put(k, (const char *)data + st, i - st);
		k++;
		st = i + 1;
	}
	for (; k < nf; k++)
		put(k, orig[k], orig_len[k]);
	h = vd_build_model(snap);
	vd_diagnose(h);
	sys = vd_sysfs_read(root, false);
	vd_host_join(h, sys);
	vd_diagnose_host(h, sys);
	fuzz_model_in(snap, h);
	fuzz_select_all(h, &sel);
	fuzz_render(h, &sel, true, false);
	fuzz_render(h, &sel, false, false);
	free(sel.vifs);
	vd_host_free(h);
	vd_sysfs_free(sys);
	return 0;
}
