// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The oxenstored access log (reference §3.1): one line per request, transactions named by
 * "<conn>.<tid>" and held until their commit, a write dropped when an error follows it,
 * lines cut at 180 characters.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vd_logparse.h"
#include "vd_util.h"

void vd_lp_txn_free(void *p)
{
	struct txn *t = p;

	for (size_t i = 0; i < t->n; i++)
		vd_lp_rec_free(t->v[i]);
	free(t->v);
	free(t);
}

#define ACCESS_CUT 179 /* access-log-nb-chars 180: longer lines end in ".." at 179 */

/*
 * The fields of every line are padded with runs of spaces: skipped, and the next space
 * found, eight bytes at a time (little-endian: the lowest differing byte comes first).
 */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SPACES 0x2020202020202020ULL
#define ONES   0x0101010101010101ULL
#define HIGHS  0x8080808080808080ULL
#define WORDS  1
#else
#define WORDS 0
#endif

static inline const char *skip_spaces(const char *p, const char *e)
{
#if WORDS
	for (uint64_t w; e - p >= 8; p += 8) {
		memcpy(&w, p, 8);
		w ^= SPACES;
		if (w)
			return p + (__builtin_ctzll(w) >> 3);
	}
#endif
	while (p < e && *p == ' ')
		p++;
	return p;
}

static inline const char *to_space(const char *p, const char *e)
{
#if WORDS
	for (uint64_t w; e - p >= 8; p += 8) {
		memcpy(&w, p, 8);
		w ^= SPACES; /* a space is a zero byte now */
		w = (w - ONES) & ~w & HIGHS;
		if (w)
			return p + (__builtin_ctzll(w) >> 3);
	}
#endif
	while (p < e && *p != ' ')
		p++;
	return p;
}

/* memcmp of a few bytes, inline: this runs several times per line */
static inline bool same(const char *p, const char *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != w[i])
			return false;
	return true;
}

/*
 * The operation word after the connection: its kind and length, or 0 if it is none we know.
 * kind: w write, m mkdir, r rm, W watch, E w event, e error, c commit, x conflict, t t start,
 * q endconn, p setperms, '.' other. A switch on the first byte: this runs for every line.
 */
static size_t acc_op(const char *p, size_t n, char *kind)
{
#define OP(word, k)                                                                                \
	do {                                                                                       \
		size_t l_ = sizeof(word) - 1;                                                      \
		if (n >= l_ && same(p, word, l_) && (n == l_ || p[l_] == ' ')) {                   \
			*kind = (k);                                                               \
			return l_;                                                                 \
		}                                                                                  \
	} while (0)
	if (!n)
		return 0;
	switch (p[0]) {
	case 'w':
		OP("write", 'w');
		OP("w event", 'E');
		OP("watch", 'W');
		OP("w notfired", '.');
		break;
	case 'r':
		OP("read", '.');
		OP("rm", 'r');
		OP("release", '.');
		OP("resume", '.');
		OP("reset watches", '.');
		break;
	case 'd':
		OP("directory", '.');
		OP("debug", '.');
		break;
	case 'm':
		OP("mkdir", 'm');
		break;
	case 'u':
		OP("unwatch", '.');
		break;
	case 'e':
		OP("error", 'e');
		OP("endconn", 'q');
		break;
	case 'g':
		OP("getperms", '.');
		OP("getdomain", '.');
		break;
	case 's':
		OP("setperms", 'p');
		OP("settarget", '.');
		break;
	case 't':
		OP("t start", 't');
		OP("t end", '.');
		break;
	case 'c':
		OP("commit", 'c');
		OP("coalesce", 'c');
		OP("conflict", 'x');
		break;
	case 'n':
		OP("newconn", '.');
		break;
	case 'i':
		OP("introduce", '.');
		OP("is introduced", '.');
		OP("invalid", '.');
		break;
	}
	return 0;
#undef OP
}

/* OCaml String.escaped, reversed: \\ \" \' \n \t \r \b and \ddd (decimal). */
static void ocaml_unescape(struct vd_buf *out, const char *s, size_t len)
{
	vd_buf_reset(out);
	for (size_t i = 0; i < len; i++) {
		const char *bs = memchr(s + i, '\\', len - i);
		char c;

		/* the bytes up to the next backslash, in one copy: values rarely have one */
		if (bs != s + i) {
			size_t run = bs ? (size_t)(bs - (s + i)) : len - i;

			vd_buf_add(out, s + i, run);
			i += run - 1;
			continue;
		}
		c = s[i];
		if (i + 1 < len) {
			char n = s[i + 1];
			int v;

			if (n == 'n' || n == 't' || n == 'r' || n == 'b') {
				c = (char)(n == 'n'   ? '\n'
					   : n == 't' ? '\t'
					   : n == 'r' ? '\r'
						      : '\b');
				i++;
			} else if (n == '\\' || n == '"' || n == '\'') {
				c = n;
				i++;
			} else if (i + 3 < len && vd_lp_num_at(s + i + 1, 3, &v) && v < 256) {
				c = (char)v;
				i += 3;
			}
		}
		vd_buf_addc(out, c);
	}
}

void vd_lp_release_held(struct vd_logparser *p)
{
	struct rec *r = p->held;

	p->held = NULL;
	p->held_tx = NULL;
	p->held_conn = NULL;
	if (r)
		vd_lp_dispatch(p, r); /* copies it if it has to wait */
}

/* An error right after a request of the same connection: that request failed. */
static void drop_held(struct vd_logparser *p)
{
	if (p->held_tx && p->held_tx->n) {
		vd_lp_rec_free(p->held_tx->v[--p->held_tx->n]);
		p->counts.failed++;
	} else if (p->held) {
		p->held = NULL;
		p->counts.failed++;
	}
	p->held_tx = NULL;
	p->held_conn = NULL;
}

static struct txn *txn_get(struct vd_logparser *p, const char *id, size_t len, bool create)
{
	struct txn *t = vd_smap_get(&p->txns, id, len);

	if (!t && create) {
		t = vd_calloc(1, sizeof(*t));
		vd_smap_put(&p->txns, id, len, t);
	}
	return t;
}

static void txn_end(struct vd_logparser *p, const char *id, size_t len, bool commit, int64_t ms)
{
	struct txn *t = txn_get(p, id, len, false);

	if (!t)
		return;
	for (size_t i = 0; commit && i < t->n; i++) {
		t->v[i]->t_ms = ms; /* visible to everyone at the commit */
		vd_lp_dispatch(p, t->v[i]);
	}
	vd_lp_txn_free(t);
	vd_smap_del(&p->txns, id, len);
}

/* A connection closed: its open transactions can no longer commit. */
static void txn_drop_conn(struct vd_logparser *p, const char *name, size_t len)
{
	for (size_t j = 0; j < p->txns.cap; j++) {
		const char *k = p->txns.keys[j];

		if (k && strncmp(k, name, len) == 0 && k[len] == '.') {
			char *key = vd_strdup(k);

			vd_lp_txn_free(p->txns.vals[j]);
			vd_smap_del(&p->txns, key, strlen(key));
			free(key);
			j = (size_t)-1; /* the table was rebuilt */
		}
	}
}

struct acc_line {
	const char *con; /* connection, without an "r(N):" replay prefix */
	size_t conlen;	 /* up to the '.' of a transaction id */
	size_t idlen;	 /* connection plus ".tid" */
	bool tx;
	char kind;
	const char *op_end; /* just after the operation's word */
	const char *data;
	size_t datalen;
	bool cut;
};

/* Was a line of len bytes whose data starts at a->data cut by oxenstored? Then a->datalen
 * loses the ".." it ends in. */
static void cut_at(const char *line, size_t len, struct acc_line *a)
{
	a->cut = len == ACCESS_CUT && line[len - 1] == '.' && line[len - 2] == '.' &&
		 a->datalen >= 2;
	/* cppcheck follows only the path where nothing followed the operation */
	// cppcheck-suppress knownConditionTrueFalse
	if (a->cut)
		a->datalen -= 2;
}

static bool parse_acc(const char *line, size_t len, struct acc_line *a)
{
	const char *p = line + 24, *e = line + len, *s;
	size_t i, n;

	if (len < 26 || line[23] != ']' || line[9] != 'T' || line[22] != 'Z' || line[18] != '.')
		return false;
	p = skip_spaces(p, e);
	s = p;
	p = to_space(p, e);
	if (p == s)
		return false;
	if (p - s > 2 && s[0] == 'r' && s[1] == '(') { /* replay of a conflicting transaction */
		const char *c = memchr(s, ':', (size_t)(p - s));

		if (!c || c + 1 == p) /* "r(4):" with no connection after it */
			return false;
		s = c + 1;
	}
	a->con = s;
	a->idlen = (size_t)(p - s);
	for (i = 1; i < a->idlen && s[i] != '.'; i++)
		;
	a->tx = i < a->idlen;
	a->conlen = i;
	if (a->idlen > 30 || (s[0] != 'A' && s[0] != 'D') || a->conlen < 2)
		return false;
	for (i = 1; i < a->conlen; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	p = skip_spaces(p, e);
	n = acc_op(p, (size_t)(e - p), &a->kind);
	if (!n)
		return false;
	a->op_end = p + n;
	p = skip_spaces(p + n, e);
	a->data = p;
	a->datalen = (size_t)(e - p);
	cut_at(line, len, a);
	return true;
}

/* The second of a line's "[YYYYMMDDTHH:MM:SS": the same text as the last valid one is the
 * same second, already checked. */
static bool acc_stamp(struct vd_logstamps *st, const char *line, int64_t *ms)
{
	if (memcmp(line, st->sec, sizeof(st->sec)) == 0) {
		*ms = st->sec_ms;
		return true;
	}
	if (!vd_lp_parse_stamp(line + 1, 'T', false, st->key, &st->base, ms))
		return false;
	memcpy(st->sec, line, sizeof(st->sec));
	st->sec_ms = *ms;
	return true;
}

/* The kind of request parse_acc found, as access_apply treats it without --stats: a kind
 * '.' returns after its time; a watch, a watch event or a setperms only releases the held
 * write; the others change something and are given parsed. */
static enum vd_lpclass class_of(char kind)
{
	switch (kind) {
	case '.':
		return VD_LPC_TIME;
	case 'W':
	case 'E':
	case 'p':
		return VD_LPC_RELEASE;
	default:
		return VD_LPC_PARSED;
	}
}

/* A change (class_of) that is a write no VIF can use, which the tracker takes only for its
 * time (access_apply makes it a VD_REC_TIME record): one whose record goes straight to the
 * tracker, so not in a transaction, not to an @-path, and by a connection of known domain. */
static enum vd_lpclass write_class(const struct vd_logclassifier *c, const struct acc_line *a)
{
	const char *sp;
	size_t plen;
	unsigned long d;

	if (!c->only_vifs || a->tx || a->cut || (a->kind != 'w' && a->kind != 'm'))
		return VD_LPC_PARSED;
	sp = memchr(a->data, ' ', a->datalen);
	plen = sp ? (size_t)(sp - a->data) : a->datalen;
	if ((plen && a->data[0] == '@') || vd_log_path_may_matter(a->data, plen))
		return VD_LPC_PARSED;
	if (a->con[0] == 'D' && !vd_parse_ulong(a->con + 1, a->conlen - 1, 0xffffffffUL, &d))
		return VD_LPC_PARSED;
	return VD_LPC_TIMEWRITE;
}

static enum vd_lpclass class_with(const struct vd_logclassifier *c, const struct acc_line *a)
{
	enum vd_lpclass k = class_of(a->kind);

	return k == VD_LPC_PARSED ? write_class(c, a) : k;
}

/* The slot of a line's columns 24-48: the connection and the operation, padded (§3.1). */
static size_t prefix_slot(const char *pfx)
{
	uint64_t a, b, c;

	/* the connection's first bytes, the rest of it and the operation's: one multiply */
	memcpy(&a, pfx + 2, 8);
	memcpy(&b, pfx + 9, 8);
	memcpy(&c, pfx + 16, 8);
	a ^= (b << 29 | b >> 35) ^ (c << 47 | c >> 17) ^ (uint64_t)(unsigned char)pfx[24];
	return (size_t)((a * 0x9E3779B97F4A7C15ULL) >> 53) & (VD_LPC_SLOTS - 1);
}

static void to_parsed(const char *line, const struct acc_line *a, struct vd_lpparsed *out)
{
	out->con = (uint32_t)(a->con - line);
	out->conlen = (uint32_t)a->conlen;
	out->idlen = (uint32_t)a->idlen;
	out->tx = a->tx;
	out->kind = a->kind;
	out->op_end = (uint32_t)(a->op_end - line);
	out->data = (uint32_t)(a->data - line);
	out->datalen = (uint32_t)a->datalen;
	out->cut = a->cut;
}

static void from_parsed(const char *line, const struct vd_lpparsed *in, struct acc_line *a)
{
	a->con = line + in->con;
	a->conlen = in->conlen;
	a->idlen = in->idlen;
	a->tx = in->tx;
	a->kind = in->kind;
	a->op_end = line + in->op_end;
	a->data = line + in->data;
	a->datalen = in->datalen;
	a->cut = in->cut;
}

/*
 * What parse_acc and the time checks of vd_lp_access_line find. Whether a line is a request
 * and where its parts are depends only on its bytes from column 24 up to the space after the
 * operation: when those lie in columns 24-48, as in the padded layout oxenstored writes
 * (§3.1), a line whose columns 24-48 are those of a line parsed before has its parts. Busy
 * logs repeat few connections and operations.
 */
enum vd_lpclass vd_lp_access_classify(struct vd_logclassifier *c, const char *line, size_t len,
				      struct vd_lpparsed *out)
{
	const size_t end = 24 + VD_LPC_PREFIX; /* one past column 48 */
	struct acc_line a;
	size_t slot = 0;
	int frac;

	if (len < 26 || len > UINT32_MAX || line[23] != ']' || line[9] != 'T' || line[22] != 'Z' ||
	    line[18] != '.' || !acc_stamp(&c->st, line, &out->ms) ||
	    !vd_lp_num_at(line + 19, 3, &frac))
		return VD_LPC_FULL;
	out->ms += frac;
	out->len = (uint32_t)len;
	if (len >= end) {
		slot = prefix_slot(line + 24);
		if (c->slot[slot].used &&
		    memcmp(c->slot[slot].pfx, line + 24, VD_LPC_PREFIX) == 0) {
			const char *e = line + len;

			a.con = line + c->slot[slot].con;
			a.conlen = c->slot[slot].conlen;
			a.idlen = c->slot[slot].idlen;
			a.tx = c->slot[slot].tx;
			a.kind = c->slot[slot].kind;
			a.op_end = line + c->slot[slot].op_end;
			a.data = skip_spaces(a.op_end, e);
			a.datalen = (size_t)(e - a.data);
			cut_at(line, len, &a);
			to_parsed(line, &a, out);
			return class_with(c, &a);
		}
	}
	if (!parse_acc(line, len, &a))
		return VD_LPC_FULL;
	to_parsed(line, &a, out);
	if (len >= end && a.op_end < line + end) {
		memcpy(c->slot[slot].pfx, line + 24, VD_LPC_PREFIX);
		c->slot[slot].used = true;
		c->slot[slot].tx = a.tx;
		c->slot[slot].kind = a.kind;
		c->slot[slot].con = (unsigned char)(a.con - line);
		c->slot[slot].conlen = (unsigned char)a.conlen;
		c->slot[slot].idlen = (unsigned char)a.idlen;
		c->slot[slot].op_end = (unsigned char)(a.op_end - line);
	}
	return class_with(c, &a);
}

static int access_apply(struct vd_logparser *p, const struct acc_line *ap, int64_t ms,
			const char *file, unsigned long lineno);

int vd_lp_access_line(struct vd_logparser *p, const char *line, size_t len, const char *file,
		      unsigned long lineno)
{
	struct acc_line a;
	int64_t ms = -1;
	int frac;

	if (!parse_acc(line, len, &a)) {
		/* the live-update marker "=======>" has no connection */
		if (len > 27 && memmem(line, len, "=======>", 8))
			return 1;
		return vd_lp_bad(
			p, file, lineno,
			"an access log line: [YYYYMMDDTHH:MM:SS.mmmZ] CONNECTION OPERATION DATA");
	}
	/* every line's time counts: a stall is proven by the log going on without a change */
	if (!acc_stamp(&p->acc, line, &ms) || !vd_lp_num_at(line + 19, 3, &frac))
		return vd_lp_bad(p, file, lineno, "a UTC time [YYYYMMDDTHH:MM:SS.mmmZ]");
	return access_apply(p, &a, ms + frac, file, lineno);
}

void vd_lp_access_parsed(struct vd_logparser *p, const char *line, const struct vd_lpparsed *in,
			 const char *file, unsigned long lineno)
{
	struct acc_line a;

	from_parsed(line, in, &a);
	access_apply(p, &a, in->ms, file, lineno);
}

/* What a valid line at time ms does. */
static int access_apply(struct vd_logparser *p, const struct acc_line *ap, int64_t ms,
			const char *file, unsigned long lineno)
{
	struct acc_line a = *ap;
	struct rec *r;
	struct conn *c;
	const char *sp;

	vd_lp_saw_time(p, ms);
	if (a.kind == '.' && !p->want_stats)
		return 1;
	if (p->held_conn && a.kind == 'e' && strncmp(p->held_conn->name, a.con, a.conlen) == 0 &&
	    !p->held_conn->name[a.conlen]) {
		drop_held(p);
		return 1;
	}
	vd_lp_release_held(p);
	/* only a change (or --stats) needs the connection: skip its lookup for the others */
	c = NULL;
	if (p->want_stats || a.kind == 'w' || a.kind == 'm' || a.kind == 'r')
		c = vd_lp_conn_get(p, a.con, a.conlen);
	if (c && a.con[0] == 'A')
		c->domid = 0; /* oxenstored: socket clients are dom0 */
	if (c && a.con[0] == 'D' && c->domid < 0) {
		unsigned long d;

		c->kernel = vd_parse_ulong(a.con + 1, a.conlen - 1, 0xffffffffUL, &d);
		c->domid = c->kernel ? (long)d : -1;
	}
	switch (a.kind) {
	case 'w':
	case 'm':
	case 'r':
	case 'p':
		if (p->want_stats)
			vd_lp_stat_for(p, c, ms)->writes++;
		if (a.kind == 'p')
			break;
		sp = memchr(a.data, ' ', a.datalen);
		if (a.kind == 'w' && !sp && a.cut) {
			p->counts.truncated++;
			if (p->bad_fn)
				p->bad_fn(file, lineno,
					  "a complete path (the line was cut at 180 characters)",
					  p->arg);
			break;
		}
		r = &p->held_rec;
		memset(r, 0, sizeof(*r));
		r->t_ms = ms;
		r->op = a.kind == 'w' ? VD_REC_WRITE : a.kind == 'm' ? VD_REC_MKDIR : VD_REC_RM;
		vd_buf_reset(&p->held_path);
		vd_buf_add(&p->held_path, a.data, sp ? (size_t)(sp - a.data) : a.datalen);
		r->path = p->held_path.data;
		if (p->only_vifs && a.kind != 'r' &&
		    !vd_log_path_may_matter(p->held_path.data, p->held_path.len))
			r->op = VD_REC_TIME;
		if (r->op == VD_REC_WRITE) {
			/* "write PATH " and "write PATH" are both an empty value; the buffer
			 * has no storage until something went into it */
			vd_buf_reset(&p->held_value);
			if (sp)
				ocaml_unescape(&p->held_value, sp + 1,
					       a.datalen - (size_t)(sp + 1 - a.data));
			vd_buf_add(&p->held_value, "", 0); /* storage, NUL-terminated */
			r->len = p->held_value.len;
			r->value = p->held_value.data;
		}
		r->c = c;
		r->file = file;
		r->line = lineno;
		r->truncated = a.cut;
		if (a.tx) {
			struct txn *t = txn_get(p, a.con, a.idlen, true);

			t->v = vd_realloc(t->v, (t->n + 1) * sizeof(*t->v));
			t->v[t->n++] = vd_lp_rec_copy(r);
			p->held_tx = t;
		} else {
			p->held = r; /* delivered (or copied) before the next line reuses it */
		}
		p->held_conn = c;
		break;
	case 'W':
		if (p->want_stats)
			vd_lp_stat_watch(vd_lp_stat_for(p, c, ms), a.data,
					 vd_lp_word(a.data, a.datalen));
		break;
	case 'E':
		if (p->want_stats)
			vd_lp_stat_for(p, c, ms)->wevents++;
		break;
	case 'c':
	case 'x':
		txn_end(p, a.con, a.idlen, a.kind == 'c', ms);
		break;
	case 't':
		txn_end(p, a.con, a.idlen, false,
			ms); /* a reused id: the old one never committed */
		break;
	case 'q':
		txn_drop_conn(p, a.con, a.conlen);
		break;
	default:
		if (p->want_stats)
			vd_lp_stat_for(p, c, ms);
		break;
	}
	return 1;
}
