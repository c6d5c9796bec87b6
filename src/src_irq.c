// SPDX-License-Identifier: GPL-2.0-or-later
/* /proc/interrupts: netback's per-queue interrupt lines (vd_irq.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <stdint.h>
#include <unistd.h>

#include "vd_irq.h"
#include "vd_util.h"

/* A real file is a few hundred KiB on a large host; anything beyond this is not one. */
#define IRQ_FILE_MAX (16u << 20)

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* The header "           CPU0       CPU1 ...": the CPU number of each column. */
static bool parse_header(const char *p, const char *end, struct vd_irqs *out)
{
	size_t cap = 0;

	for (p = skip_ws(p, end); p < end; p = skip_ws(p, end)) {
		const char *w = p;
		unsigned long n;

		while (p < end && *p != ' ' && *p != '\t')
			p++;
		if (p - w < 4 || strncmp(w, "CPU", 3) != 0 ||
		    !vd_parse_ulong(w + 3, (size_t)(p - w - 3), 1ul << 20, &n))
			return false;
		if (out->ncpus == cap) {
			cap = cap ? 2 * cap : 8;
			out->cpu = vd_realloc(out->cpu, cap * sizeof(*out->cpu));
		}
		out->cpu[out->ncpus++] = (long)n;
	}
	return out->ncpus > 0;
}

/* "vif<D>.<N>": the domid and devid, else -1/-1 (a renamed netdev). */
static void vif_ids(const char *name, long *domid, long *devid)
{
	const char *dot = strchr(name, '.');
	unsigned long d, n;

	*domid = *devid = -1;
	if (!vd_startswith(name, "vif") || !dot ||
	    !vd_parse_ulong(name + 3, (size_t)(dot - name - 3), 0x7fff, &d) ||
	    !vd_parse_uint_str(dot + 1, 0xffffffff, &n))
		return;
	*domid = (long)d;
	*devid = (long)n;
}

/* Splits "<netdev>-q<K>[-tx|-rx]"; false for any other action name. */
static bool split_name(const char *s, size_t len, char **netdev, unsigned long *queue,
		       enum vd_irq_dir *dir)
{
	const char *end = s + len, *q;

	*dir = VD_IRQ_BOTH;
	if (len > 3 && (memcmp(end - 3, "-tx", 3) == 0 || memcmp(end - 3, "-rx", 3) == 0)) {
		*dir = end[-2] == 't' ? VD_IRQ_TX : VD_IRQ_RX;
		end -= 3;
	}
	for (q = end; q > s && is_digit(q[-1]); q--)
		;
	if (q == end || q - s < 3 || q[-1] != 'q' || q[-2] != '-' ||
	    !vd_parse_ulong(q, (size_t)(end - q), 0xffff, queue))
		return false;
	*netdev = vd_strndup(s, (size_t)(q - 2 - s));
	return true;
}

/* "  47:   4   0  xen-dyn-lateeoi  -event  vif1.0-q0-tx": one line if it is netback's. */
static void parse_line(const char *p, const char *end, struct vd_irqs *out, size_t *cap)
{
	struct vd_irq_line l = { 0 };
	const char *w, *name, *name_end;
	unsigned long irq;

	p = skip_ws(p, end);
	for (w = p; p < end && is_digit(*p); p++)
		;
	/* NMI:, LOC:, ERR: ... have no queue names */
	if (p == w || p >= end || *p != ':' || !vd_parse_ulong(w, (size_t)(p - w), ~0ul, &irq))
		return;
	p++;
	/* the action name is the last word; netback never shares its IRQs */
	for (name_end = end;
	     name_end > p && (name_end[-1] == ' ' || name_end[-1] == '\t' || name_end[-1] == '\r');
	     name_end--)
		;
	for (name = name_end; name > p && name[-1] != ' ' && name[-1] != '\t'; name--)
		;
	if (name == name_end ||
	    !split_name(name, (size_t)(name_end - name), &l.netdev, &l.queue, &l.dir))
		return;
	l.irq = irq;
	l.count = vd_calloc(out->ncpus, sizeof(*l.count));
	for (size_t c = 0; c < out->ncpus; c++) {
		unsigned long v;

		p = skip_ws(p, name);
		for (w = p; p < name && is_digit(*p); p++)
			;
		if (p == w || !vd_parse_ulong(w, (size_t)(p - w), ~0ul, &v)) {
			free(l.count);
			free(l.netdev);
			return;
		}
		l.count[c] = v;
		l.total += v;
	}
	vif_ids(l.netdev, &l.domid, &l.devid);
	if (out->nlines == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		out->lines = vd_realloc(out->lines, *cap * sizeof(*out->lines));
	}
	out->lines[out->nlines++] = l;
}

static void clear(struct vd_irqs *irqs)
{
	for (size_t i = 0; i < irqs->nlines; i++) {
		free(irqs->lines[i].netdev);
		free(irqs->lines[i].count);
	}
	free(irqs->lines);
	free(irqs->cpu);
	free(irqs->path);
	memset(irqs, 0, sizeof(*irqs));
}

static int line_cmp(const void *a, const void *b)
{
	const struct vd_irq_line *x = a, *y = b;
	int c = strcmp(x->netdev, y->netdev);

	if (c)
		return c;
	if (x->queue != y->queue)
		return x->queue < y->queue ? -1 : 1;
	return (int)x->dir - (int)y->dir;
}

bool vd_irq_parse(const char *text, struct vd_irqs *out, char **why)
{
	const char *p = text, *nl;
	size_t cap = 0;
	bool header = false;

	memset(out, 0, sizeof(*out));
	for (; *p; p = nl + (*nl != '\0')) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		if (!header) {
			if (skip_ws(p, nl) == nl)
				continue;
			if (!parse_header(p, nl, out)) {
				*why = vd_strdup("line 1: expected the CPU0 CPU1 ... header");
				clear(out);
				return false;
			}
			header = true;
			continue;
		}
		parse_line(p, nl, out, &cap);
	}
	if (!header) {
		*why = vd_strdup("empty: expected the CPU0 CPU1 ... header");
		return false;
	}
	if (out->nlines) /* qsort(NULL, 0, ...) is undefined behaviour */
		qsort(out->lines, out->nlines, sizeof(*out->lines), line_cmp);
	return true;
}

/* Reads a whole file; /proc files have st_size 0, so read until EOF. */
static char *slurp(const char *path, char **why)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct vd_buf b;
	struct stat st;
	char chunk[8192];
	ssize_t n;

	if (fd < 0) {
		*why = vd_asprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		*why = vd_asprintf("%s: not a regular file", path);
		close(fd);
		return NULL;
	}
	vd_buf_init(&b);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || b.len + (size_t)n > IRQ_FILE_MAX) {
			*why = n < 0 ? vd_asprintf("%s: %s", path, strerror(errno))
				     : vd_asprintf("%s: larger than %u bytes", path, IRQ_FILE_MAX);
			vd_buf_free(&b);
			close(fd);
			return NULL;
		}
		vd_buf_add(&b, chunk, (size_t)n);
	}
	close(fd);
	return vd_buf_steal(&b);
}

struct vd_irqs *vd_irq_read_file(const char *path, char **why)
{
	struct vd_irqs *irqs;
	char *text = slurp(path, why), *perr = NULL;

	if (!text)
		return NULL;
	irqs = vd_calloc(1, sizeof(*irqs));
	if (!vd_irq_parse(text, irqs, &perr)) {
		*why = vd_asprintf("%s: %s", path, perr);
		free(perr);
		free(text);
		free(irqs);
		return NULL;
	}
	free(text);
	irqs->path = vd_strdup(path);
	return irqs;
}

struct vd_irqs *vd_irq_read(const char *root, char **why)
{
	char *path = vd_asprintf("%s" VD_IRQ_FILE, vd_root_prefix(root));
	struct vd_irqs *irqs = vd_irq_read_file(path, why);

	free(path);
	return irqs;
}

void vd_irq_free(struct vd_irqs *irqs)
{
	if (!irqs)
		return;
	clear(irqs);
	free(irqs);
}

const struct vd_irq_line *vd_irq_find(const struct vd_irqs *irqs, const char *netdev,
				      unsigned long queue, enum vd_irq_dir dir)
{
	struct vd_irq_line key = { .netdev = (char *)(uintptr_t)netdev,
				   .queue = queue,
				   .dir = dir };

	if (!irqs || !netdev || !irqs->nlines)
		return NULL;
	return bsearch(&key, irqs->lines, irqs->nlines, sizeof(*irqs->lines), line_cmp);
}

bool vd_irq_queue_total(const struct vd_irqs *irqs, const char *netdev, unsigned long queue,
			unsigned long long *total)
{
	const struct vd_irq_line *tx = vd_irq_find(irqs, netdev, queue, VD_IRQ_TX);
	const struct vd_irq_line *rx = vd_irq_find(irqs, netdev, queue, VD_IRQ_RX);
	const struct vd_irq_line *both = vd_irq_find(irqs, netdev, queue, VD_IRQ_BOTH);

	*total = (tx ? tx->total : 0) + (rx ? rx->total : 0) + (both ? both->total : 0);
	return tx || rx || both;
}

unsigned long vd_irq_nqueues(const struct vd_irqs *irqs, const char *netdev)
{
	unsigned long n = 0;

	for (size_t i = 0; irqs && netdev && i < irqs->nlines; i++)
		if (strcmp(irqs->lines[i].netdev, netdev) == 0 && irqs->lines[i].queue + 1 > n)
			n = irqs->lines[i].queue + 1;
	return n;
}

const char *vd_irq_dir_name(enum vd_irq_dir d)
{
	return d == VD_IRQ_TX ? "tx" : d == VD_IRQ_RX ? "rx" : "both";
}
