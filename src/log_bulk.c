// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A big log on several threads. Workers take turns reading the next chunk of whole lines,
 * then classify its lines on their own (vd_logparser_classify); the calling thread gives
 * the chunks to the parser in file order: lines that may change something one by one, and
 * each run of lines that only carry a time as one vd_logparser_skip. On a busy host nine
 * lines in ten are reads, watch events and directory listings, so the parser sees few.
 */
#include "vd_logbulk.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "vd_util.h"

/* A line for the parser, after the run of skipped lines before it (maybe none); the last
 * item of a chunk may have no line. */
struct item {
	unsigned long nskip; /* lines in the run, blank ones included (line numbers) */
	size_t run;	     /* 1 + its index in the chunk's runs, 0: no timed line in it */
	enum vd_lpclass cls; /* of the line: FULL or PARSED; BLANK: none */
	size_t off, len;
	struct vd_lpparsed parts; /* PARSED */
};

enum chunk_state { C_FREE, C_BUSY, C_READY };

struct chunk {
	char *buf;
	size_t cap, len; /* len: whole lines, the last one's newline included */
	struct item *it;
	size_t n, itcap;
	struct vd_logskip *runs;
	size_t nruns, runcap;
	unsigned long seq;
	enum chunk_state st;
};

struct bulk {
	const struct vd_logbulk *cfg;
	pthread_mutex_t mu;
	pthread_cond_t cv; /* any change of state: one condition, broadcast */
	struct chunk *chunks;
	size_t nchunks;
	unsigned long next_seq; /* of the next chunk filled */
	bool eof, failed, quit;
	char *carry; /* the partial line after the last chunk's end */
	size_t carrylen, carrycap;
	bool classify;
};

static void carry_set(struct bulk *b, const char *p, size_t n)
{
	if (n > b->carrycap) {
		b->carrycap = n;
		b->carry = vd_realloc(b->carry, n);
	}
	if (n) /* no carry yet: both may be NULL */
		memmove(b->carry, p, n);
	b->carrylen = n;
}

/* Under the lock: the carried partial line, then whole lines up to the chunk's size (more
 * for a line longer than that); what follows the last newline is carried to the next. */
static void fill(struct bulk *b, struct chunk *c)
{
	size_t want = b->cfg->chunk, len;
	const char *nl = NULL;

	if (c->cap < b->carrylen + want) {
		c->cap = b->carrylen + want;
		c->buf = vd_realloc(c->buf, c->cap);
	}
	if (b->carrylen)
		memcpy(c->buf, b->carry, b->carrylen);
	len = b->carrylen;
	b->carrylen = 0;
	for (;;) {
		while (len < c->cap) {
			ssize_t n = b->cfg->read(b->cfg->arg, c->buf + len, c->cap - len);

			if (n < 0)
				b->failed = true;
			if (n <= 0) {
				b->eof = n == 0;
				break;
			}
			len += (size_t)n;
		}
		nl = memrchr(c->buf, '\n', len);
		if (nl || b->eof || b->failed)
			break;
		c->cap *= 2; /* no newline in a whole chunk: a very long line */
		c->buf = vd_realloc(c->buf, c->cap);
	}
	c->len = nl ? (size_t)(nl + 1 - c->buf) : 0;
	if (!b->failed)
		carry_set(b, c->buf + c->len, len - c->len);
}

static void push(struct chunk *c, const struct item *it)
{
	if (c->n == c->itcap) {
		c->itcap = c->itcap ? c->itcap * 2 : 256;
		c->it = vd_realloc(c->it, c->itcap * sizeof(*c->it));
	}
	c->it[c->n++] = *it;
}

/* The run being built: its time writes are kept as the first and the last three. */
struct run {
	unsigned long nskip;
	struct vd_logskip k;
	struct vd_logtw first, last[3];
	unsigned long ntw;
	bool released; /* the last time write was followed by a line that releases it */
	int64_t tw_ms; /* of the last time write */
};

static void run_start(struct run *r)
{
	memset(r, 0, sizeof(*r));
	r->k.first_ms = r->k.last_ms = -1;
}

/* Time write number i (1-based) of the run: the first, or one of the last three. */
static const struct vd_logtw *run_tw(const struct run *r, unsigned long i)
{
	return i == 1 ? &r->first : &r->last[(i - 1) % 3];
}

/* The run into the chunk, as the item that ends with the line (cls FULL/PARSED) at off. */
static void run_close(struct chunk *c, struct run *r, enum vd_lpclass cls, size_t off, size_t len,
		      const struct vd_lpparsed *parts)
{
	struct item it = { .nskip = r->nskip, .cls = cls, .off = off, .len = len };

	if (parts)
		it.parts = *parts;
	if (r->k.counted) {
		/* released: 1..d; the tracker tells apart 1, d-1 and d, then the held one */
		unsigned long d = r->ntw - (r->ntw && !r->released), want[4], nw = 0;

		for (unsigned long i = 1; i <= d; i++) {
			if (i == 1 || i + 1 >= d)
				want[nw++] = i;
			else
				i = d - 2; /* to d - 1 */
		}
		if (d < r->ntw)
			want[nw++] = r->ntw;
		for (unsigned long i = 0; i < nw; i++)
			r->k.tw[i] = *run_tw(r, want[i]);
		r->k.ntw = nw;
		r->k.collapsed = d - (nw - (d < r->ntw));
		r->k.last_held = d < r->ntw;
		if (c->nruns == c->runcap) {
			c->runcap = c->runcap ? c->runcap * 2 : 64;
			c->runs = vd_realloc(c->runs, c->runcap * sizeof(*c->runs));
		}
		c->runs[c->nruns++] = r->k;
		it.run = c->nruns;
	}
	if (it.nskip || cls != VD_LPC_BLANK)
		push(c, &it);
	run_start(r);
}

/* Outside the lock: the chunk is this worker's until it is READY. */
static void classify(const struct bulk *b, struct vd_logclassifier *cl, struct chunk *c)
{
	const char *s = c->buf, *e = c->buf + c->len, *nl;
	struct vd_lpparsed parts;
	struct run r;

	c->n = c->nruns = 0;
	run_start(&r);
	while (s < e && (nl = memchr(s, '\n', (size_t)(e - s)))) {
		size_t len = (size_t)(nl - s), off = (size_t)(s - c->buf);
		enum vd_lpclass k =
			b->classify ? vd_logparser_classify(cl, s, len, &parts) : VD_LPC_FULL;

		s = nl + 1;
		/* a time write earlier than the one before: a run holds only forward times */
		if (k == VD_LPC_TIMEWRITE && r.ntw && parts.ms < r.tw_ms)
			run_close(c, &r, VD_LPC_BLANK, 0, 0, NULL);
		if (k == VD_LPC_FULL || k == VD_LPC_PARSED) {
			run_close(c, &r, k, off, len, &parts);
			continue;
		}
		r.nskip++;
		if (k == VD_LPC_BLANK)
			continue;
		r.k.counted++;
		if (r.k.first_ms < 0)
			r.k.first_ms = parts.ms;
		r.k.last_ms = parts.ms;
		if (k == VD_LPC_TIME)
			continue;
		r.k.release = true;
		r.released = true; /* a RELEASE line, or the next time write */
		if (k == VD_LPC_TIMEWRITE) {
			struct vd_logtw *t;

			r.ntw++;
			t = r.ntw == 1 ? &r.first : &r.last[(r.ntw - 1) % 3];
			t->line = c->buf + off;
			t->parts = parts;
			t->lineno = r.nskip;
			r.tw_ms = parts.ms;
			r.released = false;
			if (r.ntw == 1)
				r.last[0] = r.first; /* number 1 is also one of the last three */
		}
	}
	run_close(c, &r, VD_LPC_BLANK, 0, 0, NULL);
}

static struct chunk *free_chunk(struct bulk *b)
{
	for (size_t i = 0; i < b->nchunks; i++)
		if (b->chunks[i].st == C_FREE)
			return &b->chunks[i];
	return NULL;
}

static void *worker(void *arg)
{
	struct bulk *b = arg;
	struct vd_logclassifier *cl = vd_logclassifier_new(b->cfg->parser);

	pthread_mutex_lock(&b->mu);
	for (;;) {
		struct chunk *c = NULL;

		while (!b->quit && !b->eof && !b->failed && !(c = free_chunk(b)))
			pthread_cond_wait(&b->cv, &b->mu);
		if (b->quit || b->eof || b->failed)
			break;
		c->st = C_BUSY;
		fill(b, c);
		c->seq = b->next_seq++;
		pthread_mutex_unlock(&b->mu);
		classify(b, cl, c);
		pthread_mutex_lock(&b->mu);
		c->st = C_READY;
		pthread_cond_broadcast(&b->cv);
	}
	pthread_mutex_unlock(&b->mu);
	vd_logclassifier_free(cl);
	return NULL;
}

/* The chunk numbered seq once it is classified, or NULL when no chunk will have it. */
static struct chunk *ready(struct bulk *b, unsigned long seq)
{
	struct chunk *c = NULL;

	pthread_mutex_lock(&b->mu);
	for (;;) {
		for (size_t i = 0; i < b->nchunks && !c; i++)
			if (b->chunks[i].st == C_READY && b->chunks[i].seq == seq)
				c = &b->chunks[i];
		if (c || ((b->eof || b->failed) && b->next_seq == seq))
			break;
		pthread_cond_wait(&b->cv, &b->mu);
	}
	pthread_mutex_unlock(&b->mu);
	return c;
}

static void feed(struct bulk *b, const struct chunk *c, unsigned long *lineno)
{
	struct vd_logparser *p = b->cfg->parser;

	for (size_t i = 0; i < c->n; i++) {
		const struct item *it = &c->it[i];

		if (it->run)
			vd_logparser_skip(p, &c->runs[it->run - 1], b->cfg->name, *lineno);
		*lineno += it->nskip;
		if (it->cls == VD_LPC_FULL)
			vd_logparser_line(p, c->buf + it->off, it->len, b->cfg->name, ++*lineno);
		else if (it->cls == VD_LPC_PARSED)
			vd_logparser_parsed(p, c->buf + it->off, &it->parts, b->cfg->name,
					    ++*lineno);
	}
}

int vd_log_bulk(const struct vd_logbulk *cfg, unsigned long *lineno, char **tail, size_t *taillen)
{
	struct bulk b = { .cfg = cfg };
	unsigned nw = cfg->threads ? cfg->threads : 1;
	pthread_t *th = vd_calloc(nw, sizeof(*th));
	sigset_t all, old;
	unsigned started = 0;

	pthread_mutex_init(&b.mu, NULL);
	pthread_cond_init(&b.cv, NULL);
	b.classify = vd_logparser_classifiable(cfg->parser);
	b.nchunks = nw + 2; /* each worker one ahead, and the one being fed */
	b.chunks = vd_calloc(b.nchunks, sizeof(*b.chunks));
	carry_set(&b, cfg->head, cfg->headlen);
	/* signals are for the calling thread: it polls with the caller's mask */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (unsigned i = 0; i < nw; i++)
		if (pthread_create(&th[started], NULL, worker, &b) == 0)
			started++;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!started) {
		free(th);
		free(b.carry);
		free(b.chunks);
		pthread_cond_destroy(&b.cv);
		pthread_mutex_destroy(&b.mu);
		return 1; /* no thread to be had: nothing read, the caller reads it itself */
	}
	for (unsigned long seq = 0;; seq++) {
		struct chunk *c = ready(&b, seq);

		if (!c)
			break;
		feed(&b, c, lineno);
		pthread_mutex_lock(&b.mu);
		c->st = C_FREE;
		pthread_cond_broadcast(&b.cv);
		pthread_mutex_unlock(&b.mu);
		if (cfg->stop && *cfg->stop)
			break;
	}
	pthread_mutex_lock(&b.mu);
	b.quit = true;
	pthread_cond_broadcast(&b.cv);
	pthread_mutex_unlock(&b.mu);
	for (unsigned i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	for (size_t i = 0; i < b.nchunks; i++) {
		free(b.chunks[i].buf);
		free(b.chunks[i].it);
		free(b.chunks[i].runs);
	}
	free(b.chunks);
	free(th);
	pthread_cond_destroy(&b.cv);
	pthread_mutex_destroy(&b.mu);
	*tail = NULL;
	*taillen = 0;
	if (b.failed) {
		free(b.carry);
		return -1;
	}
	*tail = b.carry; /* the unterminated last line */
	*taillen = b.carrylen;
	if (!*tail)
		*tail = vd_calloc(1, 1);
	return 0;
}
