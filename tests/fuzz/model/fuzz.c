// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The model builder and the analysis fed random trees, then both renderers of status and
 * show (pipeline.h): no crash, nothing in the model that points outside the tree, valid
 * JSON, no raw control byte in the text. Input: one node a line, "PATH VALUE" (VALUE in
 * xenstore-ls escapes when they parse, else raw); "@N" at the start of a path stands for
 * a VIF directory, so that mutations reach the rules instead of building paths.
 */
#include "../pipeline.h"
#include "vd_esc.h"
#include "vd_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const prefixes[10] = {
	"/local/domain/0/backend/vif/1/0",
	"/local/domain/1/device/vif/0",
	"/local/domain/1",
	"/local/domain/0",
	"/local/domain/1/device/vif/0/queue-0",
	"/local/domain/1/device/vif/0/queue-1",
	"/local/domain/2/backend/vif/1/0",
	"/local/domain/1/device/vif/1",
	"/local/domain/0/backend/vif/1/1",
	"/local/domain/0/error/backend/vif/1/0",
};

/* The canonical form vd_snap_put wants, or false. */
static bool canon(struct vd_buf *b, const char *p, size_t n)
{
	size_t w = 0;

	vd_buf_reset(b);
	if (n >= 2 && p[0] == '@' && p[1] >= '0' && p[1] <= '9') {
		vd_buf_adds(b, prefixes[p[1] - '0']);
		p += 2;
		n -= 2;
	}
	if (memchr(p, '\0', n))
		return false;
	vd_buf_add(b, p, n);
	if (!b->len)
		return false;
	/* "//" to "/" in place: a call per byte was a tenth of this target's time */
	for (size_t r = 0; r < b->len; r++)
		if (b->data[r] != '/' || !w || b->data[w - 1] != '/')
			b->data[w++] = b->data[r];
	b->len = w;
	b->data[w] = '\0';
	while (b->len > 1 && b->data[b->len - 1] == '/')
		b->data[--b->len] = '\0';
	return b->len > 1 && b->data[0] == '/';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct vd_snap *snap = vd_snap_new();
	struct vd_buf path, val;
	size_t st = 0;

	vd_buf_init(&path);
	vd_buf_init(&val);
	for (size_t i = 0; i <= size; i++) {
		const char *line = s + st, *sp;
		size_t n = i - st;

		if (i < size && s[i] != '\n')
			continue;
		st = i + 1;
		sp = memchr(line, ' ', n);
		if (!canon(&path, line, sp ? (size_t)(sp - line) : n))
			continue;
		vd_buf_reset(&val);
		if (sp && !vd_unesc_xsls(&val, sp + 1, n - (size_t)(sp + 1 - line), NULL)) {
			vd_buf_reset(&val);
			vd_buf_add(&val, sp + 1, n - (size_t)(sp + 1 - line));
		}
		vd_snap_put(snap, path.data, val.len ? val.data : "", val.len);
	}
	/* a few vanished paths, as a live read of a dying domain records them */
	if (size && (data[0] & 1))
		vd_snap_vanished(snap, prefixes[(data[0] >> 1) & 7]);
	fuzz_pipeline(snap, size && (data[0] & 16));
	vd_buf_free(&path);
	vd_buf_free(&val);
	vd_snap_free(snap);
	return 0;
}
