// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The bundle reader (--from BUNDLE) fed random archives: a bundle comes from someone
 * else's host. It opens or refuses with one VD_EXIT_SOURCE line; what it opens gives a
 * snapshot and libxl facts or says why not; either way its temporary directory is gone
 * after close (nothing left in TMPDIR).
 */
#include <dirent.h>
#include <limits.h>
#include <unistd.h>

#include "../fuzz.h"
#include "vd_bundle.h"
#include "vd_snap.h"
#include "vd_util.h"
#include "vd_xl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char tmpdir[PATH_MAX];

static bool tmp_empty(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	bool empty = true;

	FUZZ_ASSERT(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			empty = false;
	closedir(d);
	return empty;
}

static void tmp_remove(void)
{
	rmdir(tmpdir); /* empty: every input's directory is checked gone */
}

static void one_line(const struct vd_err *err)
{
	/* the error itself first: a host failure (exit 70: no space, no inode) is no bug of the
	 * reader but fails this too, and one such run did not replay */
	bool ok = err->code == 3 && err->msg[0] && !memchr(err->msg, '\n', strlen(err->msg));

	if (!ok)
		fprintf(stderr, "exit %d: %s\n", err->code, err->msg);
	FUZZ_ASSERT(ok);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vd_bundle *b;
	struct vd_err err;

	/* every temporary directory of the reader lands in ours: each input unpacks to files */
	if (!getenv("VD_FUZZ_TMP_SET")) {
		snprintf(tmpdir, sizeof(tmpdir), "%s/vd-fuzz-bundle.XXXXXX", fuzz_scratch_base());
		FUZZ_ASSERT(mkdtemp(tmpdir));
		atexit(tmp_remove);
		setenv("TMPDIR", tmpdir, 1);
		setenv("VD_FUZZ_TMP_SET", "1", 1);
	}
	vd_err_clear(&err);
	b = vd_bundle_open_mem(data, size, "fuzz.tar.gz", &err);
	if (!b) {
		one_line(&err);
	} else {
		struct vd_snap *s = vd_snap_new();
		struct vd_xl *xl;

		FUZZ_ASSERT(err.code == 0);
		if (vd_bundle_snapshot(b, s, &err) < 0) {
			one_line(&err);
		} else {
			struct vd_buf p;

			vd_buf_init(&p);
			for (size_t i = 0; i < vd_snap_count(s); i++)
				FUZZ_ASSERT(vd_snap_path(s, vd_snap_at(s, i), &p)[0] == '/');
			vd_buf_free(&p);
		}
		vd_err_clear(&err);
		xl = vd_bundle_xl(b, &err);
		if (!xl)
			one_line(&err);
		vd_xl_free(xl);
		vd_snap_free(s);
		vd_bundle_close(b);
	}
	FUZZ_ASSERT(tmp_empty());
	return 0;
}
