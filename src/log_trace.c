// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The C xenstored trace (reference §3.2; every format: <= 4.17, 4.18 "io:"/"obj:", 4.19
 * "(dN)", the "dN" form): requests and replies of a connection paired in order, transactions
 * counted (the trace shows no ids), writes applied when their reply says OK.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "vd_logparse.h"
#include "vd_util.h"

static bool is_kernel_token(const char *s, size_t len)
{
	/* Linux xenbus uses the watch's address as token: 16 hex digits */
	if (len != 16)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

struct tr_io {
	bool out, cont; /* OUT; OUT(END): the rest of a split reply */
	const char *ptr;
	size_t ptrlen;
	long domid; /* (dN) or dN, else -1 */
	const char *stamp;
	const char *op;
	size_t oplen;
	const char *data; /* inside the parentheses */
	size_t datalen;
};

static bool parse_io(const char *s, const char *e, struct tr_io *io)
{
	const char *p = s;
	unsigned long d;

	memset(io, 0, sizeof(*io));
	io->domid = -1;
	if (e - p > 3 && memcmp(p, "IN ", 3) == 0) {
		p += 3;
	} else if (e - p > 4 && memcmp(p, "OUT", 3) == 0) {
		io->out = true;
		p += 3;
		if (*p == '(') { /* OUT(START), OUT(END), OUT(ERR) in 4.19 */
			const char *q = memchr(p, ')', (size_t)(e - p));

			if (!q)
				return false;
			io->cont = q - p == 4 && memcmp(p, "(END", 4) == 0;
			p = q + 1;
		}
		if (p >= e || *p++ != ' ')
			return false;
	} else {
		return false;
	}
	if (e - p < 4 || p[0] != '0' || p[1] != 'x')
		return false;
	io->ptr = p;
	for (p += 2; p < e && isxdigit((unsigned char)*p); p++)
		;
	io->ptrlen = (size_t)(p - io->ptr);
	if (p >= e || *p++ != ' ' || io->ptrlen < 3)
		return false;
	if (p < e && (*p == '(' || *p == 'd')) { /* 4.19 "(d0) ", mid-2023 "d0 " */
		const char *q = p + (*p == '(') + 1, *r = q;

		while (r < e && *r >= '0' && *r <= '9')
			r++;
		if (r == q || !vd_parse_ulong(q, (size_t)(r - q), 0xffffffffUL, &d))
			return false;
		if (*p == '(' && (r >= e || *r++ != ')'))
			return false;
		if (r >= e || *r != ' ')
			return false;
		io->domid = (long)d;
		p = r + 1;
	}
	if (e - p < 19)
		return false;
	io->stamp = p;
	if (p[17] != ' ')
		return false;
	p += 18;
	io->op = p;
	while (p < e && *p != ' ')
		p++;
	io->oplen = (size_t)(p - io->op);
	if (io->oplen == 0 || e - p < 3 || p[1] != '(' || e[-1] != ')')
		return false;
	io->data = p + 2;
	io->datalen = (size_t)(e - 1 - io->data);
	return true;
}

static bool op_is(const struct tr_io *io, const char *name)
{
	return io->oplen == strlen(name) && memcmp(io->op, name, io->oplen) == 0;
}

static void tx_flush(struct vd_logparser *p, struct conn *c, bool commit, int64_t ms)
{
	for (size_t i = 0; i < c->ntx; i++) {
		if (commit) {
			c->txbuf[i]->t_ms = ms;
			vd_lp_dispatch(p, c->txbuf[i]);
		}
		vd_lp_rec_free(c->txbuf[i]);
	}
	c->ntx = 0;
	c->tx_depth = 0;
	c->tx_end_seq = 0;
}

#define AWAIT_MAX 64 /* replies missing from the trace: apply the write anyway */

/* The oldest write awaiting its reply: applied (ok) or dropped (an error answered it). */
static void await_pop(struct vd_logparser *p, struct conn *c, bool ok)
{
	struct rec *r = c->await[0];

	if (ok)
		vd_lp_dispatch(p, r);
	else
		p->counts.failed++;
	vd_lp_rec_free(r);
	c->nawait--;
	memmove(c->await, c->await + 1, c->nawait * sizeof(*c->await));
	memmove(c->await_seq, c->await_seq + 1, c->nawait * sizeof(*c->await_seq));
}

static void await_push(struct vd_logparser *p, struct conn *c, const struct rec *r)
{
	if (c->nawait == AWAIT_MAX)
		await_pop(p, c, true);
	c->await = vd_realloc(c->await, (c->nawait + 1) * sizeof(*c->await));
	c->await_seq = vd_realloc(c->await_seq, (c->nawait + 1) * sizeof(*c->await_seq));
	c->await[c->nawait] = vd_lp_rec_copy(r);
	c->await_seq[c->nawait++] = c->in_seq;
}

void vd_lp_await_flush(struct vd_logparser *p)
{
	for (size_t j = 0; j < p->conns.cap; j++) {
		struct conn *c = p->conns.vals[j];

		while (p->conns.keys[j] && c->nawait)
			await_pop(p, c, true);
	}
	for (size_t i = 0; i < p->ndead; i++)
		while (p->dead[i]->nawait)
			await_pop(p, p->dead[i], true);
}

static void trace_request(struct vd_logparser *p, struct conn *c, const struct tr_io *io,
			  int64_t ms, const char *file, unsigned long lineno)
{
	size_t w = vd_lp_word(io->data, io->datalen);
	struct rec r = { 0 };
	bool wr = op_is(io, "WRITE"), mk = op_is(io, "MKDIR"), rm = op_is(io, "RM");

	c->in_seq++;
	if (op_is(io, "TRANSACTION_START")) {
		if (!c->tx_depth++)
			c->tx_start_seq = c->in_seq;
		return;
	}
	if (op_is(io, "TRANSACTION_END")) {
		c->tx_end_seq = c->in_seq;
		c->tx_commit = io->datalen && io->data[0] == 'T';
		return;
	}
	if (op_is(io, "INTRODUCE")) {
		unsigned long d;

		p->introduce = vd_parse_ulong(io->data, w, 0xffffffffUL, &d) ? (long)d : -1;
		return;
	}
	if (op_is(io, "WATCH")) {
		size_t rest = io->datalen > w ? io->datalen - w - 1 : 0;

		if (is_kernel_token(io->data + w + 1, vd_lp_word(io->data + w + 1, rest)))
			c->kernel = true;
		vd_lp_stat_watch(vd_lp_stat_for(p, c, ms), io->data, w);
		return;
	}
	if (!wr && !mk && !rm && !op_is(io, "SET_PERMS"))
		return;
	if (p->want_stats)
		vd_lp_stat_for(p, c, ms)->writes++;
	if (op_is(io, "SET_PERMS") || w == 0)
		return;
	r.t_ms = ms;
	r.op = wr ? VD_REC_WRITE : mk ? VD_REC_MKDIR : VD_REC_RM;
	/* as in the access log: only its time and order, while it waits for its reply */
	if (p->only_vifs && !rm && !vd_log_path_may_matter(io->data, w))
		r.op = VD_REC_TIME;
	r.path = vd_strndup(io->data, w);
	if (r.op == VD_REC_WRITE) {
		size_t vl = io->datalen > w ? io->datalen - w - 1 : 0;

		/* some versions show the value's NUL terminator as a trailing space */
		if (vl && io->data[w + 1 + vl - 1] == ' ')
			vl--;
		r.value = vd_memdup0(io->data + w + 1, vl);
		r.len = vl;
	}
	r.c = c;
	r.file = file;
	r.line = lineno;
	if (c->tx_depth && !c->tx_end_seq) {
		c->txbuf = vd_realloc(c->txbuf, (c->ntx + 1) * sizeof(*c->txbuf));
		c->txbuf[c->ntx++] = vd_lp_rec_copy(&r);
	} else {
		await_push(p, c, &r);
	}
	free(r.path);
	free(r.value);
}

static void trace_reply(struct vd_logparser *p, struct conn *c, const struct tr_io *io, int64_t ms)
{
	bool err = op_is(io, "ERROR");

	if (op_is(io, "WATCH_EVENT")) {
		size_t w = vd_lp_word(io->data, io->datalen);
		size_t rest = io->datalen > w ? io->datalen - w - 1 : 0;

		if (is_kernel_token(io->data + w + 1, vd_lp_word(io->data + w + 1, rest)))
			c->kernel = true;
		if (p->want_stats)
			vd_lp_stat_for(p, c, ms)->wevents++;
		vd_lp_resolve_from_event(p, io->data, w);
		return;
	}
	if (io->cont || c->out_seq >= c->in_seq)
		return; /* the end of a split reply, or a reply to a request before the log */
	c->out_seq++;
	while (c->nawait && c->await_seq[0] < c->out_seq)
		await_pop(p, c, true); /* its reply is not in the trace */
	if (c->nawait && c->await_seq[0] == c->out_seq) {
		c->await[0]->t_ms = ms;
		await_pop(p, c, !err);
	}
	if (c->tx_depth && c->out_seq == c->tx_start_seq && err)
		c->tx_depth--; /* the transaction never started: what it buffered was direct */
	if (c->tx_end_seq && c->out_seq == c->tx_end_seq) {
		bool ok = !err && c->tx_commit;

		if (--c->tx_depth <= 0 || !ok)
			tx_flush(p, c, ok, ms);
		else
			c->tx_end_seq = 0;
	} else if (c->tx_depth == 0 && c->ntx) {
		tx_flush(p, c, true, ms);
	}
}

static const char *const trace_other[] = {
	"wrl:",
	"acc:",
	"tdb:",
	"watch event path ",
	"dropping duplicate watch ",
	"Delaying transaction start",
	"Stalling connection",
	"CONN ",
	"orphaned node ",
	"*** ",
	"Live update",
	"live update",
	"Domain ",
	"Failed ",
	"Tried ",
	"Checking store", /* check_store() at start: "Checking store ..." and "... complete." */
};

int vd_lp_trace_line(struct vd_logparser *p, const char *line, size_t len, const char *file,
		     unsigned long lineno)
{
	const char *s = line, *e = line + len;
	struct tr_io io;
	struct conn *c;
	int64_t ms;

	if (len >= 4 && (memcmp(s, "io: ", 4) == 0 || memcmp(s, "obj:", 4) == 0))
		s += 4 + (s[3] == ':' && len > 4 && s[4] == ' ');
	if (e - s >= 3 && memcmp(s, "***", 3) == 0 && (e - s == 3 || s[3] == '\n')) {
		/* the daemon (re)opened its trace: a new run, connection pointers start over */
		for (size_t j = 0; j < p->conns.cap; j++)
			if (p->conns.keys[j])
				vd_lp_conn_retire(p, p->conns.vals[j], p->conns.keys[j],
						  strlen(p->conns.keys[j])),
					j = (size_t)-1;
		p->introduce = -1;
		return 1;
	}
	if (e - s > 7 && (memcmp(s, "CREATE ", 7) == 0 || memcmp(s, "DESTROY ", 8) == 0)) {
		const char *obj = s + (s[0] == 'C' ? 7 : 8);

		if ((size_t)(e - obj) > 11 && memcmp(obj, "connection ", 11) == 0) {
			c = vd_lp_conn_get(p, obj + 11, (size_t)(e - obj - 11));
			if (s[0] == 'D') {
				vd_lp_conn_retire(p, c, obj + 11, (size_t)(e - obj - 11));
			} else if (p->introduce >= 0) {
				c->kernel = true;
				c->domid = p->introduce;
				p->introduce = -1;
			}
		}
		return 1;
	}
	if (!parse_io(s, e, &io)) {
		/* the line is len bytes, not a string: no strncmp past its end */
		for (size_t i = 0; i < sizeof(trace_other) / sizeof(trace_other[0]); i++)
			if ((size_t)(e - s) >= strlen(trace_other[i]) &&
			    memcmp(s, trace_other[i], strlen(trace_other[i])) == 0)
				return 1;
		return vd_lp_bad(
			p, file, lineno,
			"a trace line: IN|OUT 0xCONN [(dN)] YYYYMMDD HH:MM:SS OP (PAYLOAD)");
	}
	if (!vd_lp_parse_stamp(io.stamp, ' ', true, p->tr_key, &p->tr_base, &ms))
		return vd_lp_bad(p, file, lineno, "a local time YYYYMMDD HH:MM:SS");
	vd_lp_saw_time(p, ms);
	c = vd_lp_conn_get(p, io.ptr, io.ptrlen);
	if (io.domid >= 0) {
		c->domid = io.domid;
		if (io.domid != 0)
			c->kernel = true;
	}
	if (io.out)
		trace_reply(p, c, &io, ms);
	else
		trace_request(p, c, &io, ms, file, lineno);
	if (p->npend && ++p->pend_since > PEND_MAX_LINES)
		vd_lp_drain_pending(p, true);
	return 1;
}
