/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the log parser (vd_log.h): the state its core (src_log.c: connections, records,
 * delivery with relative paths resolved, time, stats) shares with the two line formats it
 * reads, the oxenstored access log (log_access.c) and the C xenstored trace (log_trace.c).
 * Not for other modules.
 */
#ifndef VD_LOGPARSE_H
#define VD_LOGPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vd_log.h"
#include "vd_util.h"

/* A small string-keyed map (connections, transactions). */
struct vd_smap {
	char **keys;
	void **vals;
	size_t cap, n;
};

void *vd_smap_get(const struct vd_smap *m, const char *k, size_t len);
void vd_smap_put(struct vd_smap *m, const char *k, size_t len, void *v);
void vd_smap_del(struct vd_smap *m, const char *k, size_t len);

/* ---- records and the connections that make them ---- */

struct stat_acc {
	char *name;
	bool kernel;
	long domid;
	unsigned long writes, wevents, watches;
	unsigned long instances;   /* connections that had this name (on the first one's row) */
	struct stat_acc *first_of; /* the row of the first connection with this name */
	struct vd_buf watched;
	unsigned nwatched;
	int64_t first, last;
};

struct conn {
	char name[40];
	bool kernel;  /* a domain connection (D<n>, introduced, or kernel watch tokens) */
	bool gave_up; /* its domain could not be learnt: relative paths go under dom0 */
	long domid;   /* -1 unknown */
	/* trace: requests and replies are paired in order (replies name no request) */
	unsigned long in_seq, out_seq;
	int tx_depth; /* open transactions (the trace shows no transaction ids) */
	unsigned long tx_start_seq, tx_end_seq;
	bool tx_commit;
	struct rec **txbuf;
	size_t ntx;
	/* trace: writes outside a transaction, until their reply says OK or ERROR */
	struct rec **await;
	unsigned long *await_seq;
	size_t nawait;
	struct stat_acc *st;
};

struct rec {
	int64_t t_ms;
	enum vd_rec_op op;
	char *path; /* absolute, or relative while the connection's domain is unknown */
	char *value;
	size_t len;
	struct conn *c;
	const char *file;
	unsigned long line;
	bool truncated;
};

/*
 * The access log's time caches: the epoch of the last date-and-hour seen, and the last valid
 * "[YYYYMMDDTHH:MM:SS" with its epoch ms (lines come many to a second: the stamp is parsed
 * once per second). Zeroed to start.
 */
struct vd_logstamps {
	char key[12];
	int64_t base;
	char sec[18];
	int64_t sec_ms;
};

/*
 * A classifying thread's state: its own time caches, and the class of the request prefixes
 * (connection and operation, columns 24-48 of a line) it parsed, by a hash of their bytes.
 */
#define VD_LPC_PREFIX 25
#define VD_LPC_SLOTS  2048 /* 64 KB: in L2 */
struct vd_logclassifier {
	bool only_vifs; /* the parser's: writes no VIF can use are VD_LPC_TIMEWRITE */
	struct vd_logstamps st;
	struct {
		char pfx[VD_LPC_PREFIX];
		bool used, tx;
		char kind;
		/* offsets in the line: all in the prefix, so below 49 */
		unsigned char con, conlen, idlen, op_end;
	} slot[VD_LPC_SLOTS];
};

struct txn { /* an access-log transaction: <conn>.<tid> */
	struct rec **v;
	size_t n;
};

struct vd_logparser {
	vd_logrec_fn rec_fn;
	vd_logbad_fn bad_fn;
	void *arg;
	bool want_stats;
	bool only_vifs;	      /* vd_logparser_only_vifs */
	struct vd_smap conns; /* key: "A12", "D0", or a trace pointer */
	struct vd_smap txns;  /* access log: "A12.3" */
	struct vd_smap stats; /* key: connection name; survives connection resets */
	struct conn **dead;   /* destroyed trace connections still referenced by records */
	size_t ndead;
	struct rec **pend; /* records waiting for an earlier one to learn its domain */
	size_t npend;
	unsigned long pend_since; /* lines seen since the oldest unresolved record */
	/* access log: the last write, until the next line shows no error for it */
	struct rec *held;    /* outside a transaction: not delivered yet (&held_rec) */
	struct rec held_rec; /* its storage, reused: no malloc per write line */
	struct vd_buf held_path, held_value;
	struct txn *held_tx; /* inside one: the last of its writes */
	struct conn *held_conn;
	long introduce; /* trace: domid of an INTRODUCE whose connection is not created yet */
	struct vd_logcounts counts;
	struct vd_buf path;
	/* time caches: the epoch of the last date-and-hour seen */
	char tr_key[12];
	int64_t tr_base;
	struct vd_logstamps acc;
};

#define PEND_MAX_LINES 2000 /* how long a kernel write may wait to learn its domain */

/* core (src_log.c) */
void vd_lp_rec_free(struct rec *r);
struct rec *vd_lp_rec_copy(const struct rec *r);
struct stat_acc *vd_lp_stat_for(struct vd_logparser *p, struct conn *c, int64_t ms);
void vd_lp_stat_watch(struct stat_acc *s, const char *path, size_t len);
struct conn *vd_lp_conn_get(struct vd_logparser *p, const char *name, size_t len);
/* A trace connection is gone (or the daemon restarted): pointers may be reused. key and
 * len: its name as the line gave it (the map's key). */
void vd_lp_conn_retire(struct vd_logparser *p, struct conn *c, const char *key, size_t len);
/* In order: behind anything still waiting, and waiting itself if its domain is unknown. */
void vd_lp_dispatch(struct vd_logparser *p, const struct rec *r);
void vd_lp_drain_pending(struct vd_logparser *p, bool force);
/* An absolute watch event names the path a relative write meant: learn the writer's domain. */
void vd_lp_resolve_from_event(struct vd_logparser *p, const char *path, size_t len);
/* n (1..5) decimal digits at s. Inline: three of them per line for the time. */
static inline bool vd_lp_num_at(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}
/* What an access-log line does, for vd_logparser_classify. */
enum vd_lpclass vd_lp_access_classify(struct vd_logclassifier *c, const char *line, size_t len,
				      struct vd_lpparsed *out);
void vd_lp_access_parsed(struct vd_logparser *p, const char *line, const struct vd_lpparsed *in,
			 const char *file, unsigned long lineno);
/* "YYYYMMDD?HH:MM:SS" at s (sep is 'T' or ' '); the hour's epoch is cached by its text. */
bool vd_lp_parse_stamp(const char *s, char sep, bool local, char key[12], int64_t *base,
		       int64_t *ms);
void vd_lp_saw_time(struct vd_logparser *p, int64_t ms);
/* A malformed line: counted, reported; returns -1. */
int vd_lp_bad(struct vd_logparser *p, const char *file, unsigned long line, const char *what);
/* The first word of a payload (NULs are shown as spaces). */
size_t vd_lp_word(const char *s, size_t len);

/* oxenstored access log (log_access.c) */
int vd_lp_access_line(struct vd_logparser *p, const char *line, size_t len, const char *file,
		      unsigned long lineno);
/* Deliver the last write: no error line followed it. */
void vd_lp_release_held(struct vd_logparser *p);
void vd_lp_txn_free(void *t);

/* C xenstored trace (log_trace.c) */
int vd_lp_trace_line(struct vd_logparser *p, const char *line, size_t len, const char *file,
		     unsigned long lineno);
/* Input ended: writes whose reply is not in the trace are applied. */
void vd_lp_await_flush(struct vd_logparser *p);

#endif
