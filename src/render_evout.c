// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The event renderers' output (vd_evout.h): straight through, or grouped per VIF with the
 * groups' lines spilled to a temporary file when too many are held.
 */
#include "vd_evout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vd_render.h"

/*
 * Text groups are printed in VIF order at close, and any VIF may get another line up to
 * the log's last one: no group can be printed early. Their lines are kept in memory up
 * to this many bytes, then written to an unlinked temporary file, extents chained per
 * group, and read back at close: memory stays bounded however long the log is.
 */
size_t vd_evout_spill_bytes = 4u << 20;

struct extent_hdr { /* before each extent's bytes in the spill file */
	int64_t prev;
	uint64_t len;
};

size_t vd_evout_held_peak(const struct vd_evout *out)
{
	return out->held_peak;
}

static FILE *spill_open(void)
{
	const char *dir = getenv("TMPDIR");
	char *name = vd_asprintf("%s/vifdiag-log.XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(name);
	FILE *f = NULL;

	if (fd >= 0) {
		unlink(name); /* gone with the process, however it ends */
		f = fdopen(fd, "w+");
		if (!f)
			close(fd);
	}
	free(name);
	return f;
}

/* Every group's lines in memory to the spill file, as one batch: committed only when all
 * of it is written, else truncated away and kept in memory from then on. */
static void spill(struct vd_evout *out)
{
	int64_t start = out->spill_off, off = start;
	bool ok = true;

	if (!out->spill)
		out->spill = spill_open();
	if (!out->spill) {
		out->nospill = true;
		return;
	}
	for (size_t i = 0; ok && i < out->ngroups; i++) {
		struct vd_evgroup *g = &out->groups[i];
		struct extent_hdr h = { g->last, g->lines.len };

		if (!g->lines.len)
			continue;
		ok = fwrite(&h, sizeof(h), 1, out->spill) == 1 &&
		     fwrite(g->lines.data, g->lines.len, 1, out->spill) == 1;
		g->pending = off;
		off += (int64_t)(sizeof(h) + g->lines.len);
	}
	ok = ok && fflush(out->spill) == 0;
	for (size_t i = 0; ok && i < out->ngroups; i++) {
		struct vd_evgroup *g = &out->groups[i];

		if (g->lines.len) {
			g->last = g->pending;
			vd_buf_free(&g->lines);
		}
	}
	if (!ok) {
		clearerr(out->spill);
		if (ftruncate(fileno(out->spill), (off_t)start) != 0 ||
		    fseeko(out->spill, (off_t)start, SEEK_SET) != 0)
			out->failed = true;
		out->nospill = true;
		return;
	}
	out->spill_off = off;
	out->held = 0;
}

#define SPILL_IO (64u << 10)

/* A group's spilled lines, oldest first, to the output (buf: SPILL_IO bytes). */
static void unspill(struct vd_evout *out, const struct vd_evgroup *g, char *buf)
{
	struct extent_hdr *chain = NULL, h;
	size_t n = 0;
	int fd = fileno(out->spill);

	for (int64_t off = g->last; off >= 0; off = h.prev) {
		if (pread(fd, &h, sizeof(h), (off_t)off) != (ssize_t)sizeof(h)) {
			out->failed = true;
			break;
		}
		chain = vd_realloc(chain, (n + 1) * sizeof(*chain));
		chain[n++] = (struct extent_hdr){ off + (int64_t)sizeof(h), h.len };
	}
	while (n--) {
		for (uint64_t done = 0; done < chain[n].len;) {
			size_t k = chain[n].len - done < SPILL_IO ? (size_t)(chain[n].len - done)
								  : SPILL_IO;

			if (pread(fd, buf, k, (off_t)(chain[n].prev + (int64_t)done)) !=
			    (ssize_t)k) {
				out->failed = true;
				n = 0;
				break;
			}
			fwrite(buf, 1, k, out->o->out);
			done += k;
		}
	}
	free(chain);
}

struct vd_evout *vd_evout_open(const struct vd_opts *o, bool group)
{
	struct vd_evout *out = vd_calloc(1, sizeof(*out));

	out->o = o;
	out->group = group;
	vd_buf_init(&out->line);
	return out;
}

struct vd_evgroup *vd_evout_group(struct vd_evout *out, unsigned long domid, unsigned long devid)
{
	unsigned long long key = (unsigned long long)domid << 32 ^ devid;
	size_t i;

	if (vd_imap_get(&out->group_ix, key, &i))
		return &out->groups[i];
	vd_imap_put(&out->group_ix, key, out->ngroups);
	out->groups = vd_realloc(out->groups, (out->ngroups + 1) * sizeof(*out->groups));
	memset(&out->groups[out->ngroups], 0, sizeof(*out->groups));
	out->groups[out->ngroups].domid = domid;
	out->groups[out->ngroups].devid = devid;
	out->groups[out->ngroups].last = -1;
	vd_buf_init(&out->groups[out->ngroups].head);
	vd_buf_init(&out->groups[out->ngroups].lines);
	return &out->groups[out->ngroups++];
}

void vd_evout_held(struct vd_evout *out, size_t added)
{
	out->held += added;
	if (out->held > out->held_peak)
		out->held_peak = out->held;
	if (out->held >= vd_evout_spill_bytes && !out->nospill)
		spill(out);
}

static int by_vif(const void *a, const void *b)
{
	const struct vd_evgroup *x = a, *y = b;

	if (x->domid != y->domid)
		return x->domid < y->domid ? -1 : 1;
	return x->devid < y->devid ? -1 : x->devid > y->devid;
}

int vd_evout_close(struct vd_evout *out)
{
	char *buf = out->spill ? vd_malloc(SPILL_IO) : NULL;
	int rc;

	if (out->ngroups > 1)
		qsort(out->groups, out->ngroups, sizeof(*out->groups), by_vif);
	for (size_t i = 0; i < out->ngroups; i++) {
		struct vd_evgroup *g = &out->groups[i];

		fprintf(out->o->out, "%s%s\n", i ? "\n" : "", vd_buf_cstr(&g->head));
		if (g->last >= 0)
			unspill(out, g, buf);
		fputs(vd_buf_cstr(&g->lines), out->o->out);
		vd_buf_free(&g->head);
		vd_buf_free(&g->lines);
	}
	free(buf);
	if (out->spill)
		fclose(out->spill);
	free(out->groups);
	vd_imap_free(&out->group_ix);
	vd_buf_free(&out->line);
	rc = out->failed || fflush(out->o->out) != 0 || ferror(out->o->out) ? -1 : 0;
	free(out);
	return rc;
}
