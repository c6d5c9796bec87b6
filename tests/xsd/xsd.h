/* SPDX-License-Identifier: MIT */
/*
 * vd-xenstored: a test xenstored speaking the real wire protocol on a Unix
 * socket, modelled on C xenstored 4.17 (tools/xenstore/xenstored_*.c).
 * Shared declarations of all modules.
 */
#ifndef XSD_H
#define XSD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <errno.h>
#include <xen/io/xs_wire.h>

/* Permission bits as in xenstore_lib.h (enum xs_perm_type). */
#define P_NONE 0u
#define P_READ 1u
#define P_WRITE 2u
#define P_OWNER 8u

#define NO_GEN UINT64_MAX /* generation of a node that does not exist */
#define STAT_INVALID XS_TYPE_COUNT /* stats slot for unknown message types */

/* ---- util.c ---- */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xmemdup(const void *p, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
unsigned int count_nuls(const char *s, size_t len);
size_t get_string(const char *buf, size_t len, size_t off);
uint64_t now_ms(void);
int parse_duration_ms(const char *s, long *ms);

/* Growable byte buffer. */
struct buf {
	char *p;
	size_t len, cap;
};
void buf_add(struct buf *b, const void *p, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addz(struct buf *b, const char *s); /* string plus its NUL */
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_free(struct buf *b);

/* ---- hmap.c: string-keyed hash map ---- */
struct hent {
	struct hent *next;
	char *key;
	void *val;
	uint32_t hash;
};
struct hmap {
	struct hent **b;
	size_t nb, n;
};
struct hent *hmap_get(const struct hmap *m, const char *key);
struct hent *hmap_put(struct hmap *m, const char *key, void *val);
void *hmap_del(struct hmap *m, const char *key);
void hmap_free(struct hmap *m, void (*free_val)(void *));

/* ---- store.c: node records and paths ---- */
struct perm {
	uint32_t id;
	uint32_t perms;
};

/*
 * One node, as a TDB record of C xenstored: data, perms and the NUL
 * separated child names in creation order.  Records are immutable once
 * stored and reference counted, so transactions can keep pre-images.
 */
struct rec {
	unsigned int refs;
	uint64_t gen;
	unsigned int nperms;
	struct perm *perms;
	unsigned int datalen;
	char *data;
	unsigned int childlen;
	char *children;
};

struct rec *rec_new(const struct perm *perms, unsigned int nperms);
struct rec *rec_dup(const struct rec *r);
struct rec *rec_get(struct rec *r);
void rec_put(struct rec *r);
void rec_set_data(struct rec *r, const char *data, unsigned int len);
void rec_set_perms(struct rec *r, const struct perm *p, unsigned int n);
void rec_add_child(struct rec *r, const char *base);
bool rec_del_child(struct rec *r, const char *base);

extern struct hmap g_nodes;
extern uint64_t g_generation;

bool path_valid(const char *p);
char *path_parent(const char *p);
const char *path_base(const char *p);
bool path_is_child(const char *child, const char *parent);
char *path_join(const char *dir, const char *base);
int perms_parse(const char *strings, unsigned int num, struct perm *out);
void perms_format(const struct perm *p, unsigned int n, struct buf *b, char sep);
void store_init_root(void);

/* ---- conn.c: connections ---- */
struct msg {
	struct msg *next;
	struct xsd_sockmsg hdr;
	char *body;
	size_t done; /* bytes of header+body written */
	bool announced; /* access log line written */
};

struct watch;
struct txn;
struct stat_rec;

struct conn {
	struct conn *next, *prev;
	int fd; /* -1: a scenario (virtual) connection */
	bool is_domain;
	uint32_t domid;
	char name[16]; /* "A3" or "D1", as in the oxenstored access log */
	char implicit[32]; /* base of relative paths: /local/domain/<domid> */
	/* input */
	struct xsd_sockmsg hdr;
	size_t hdr_used;
	char *in;
	size_t in_used;
	bool in_body;
	/* output */
	struct msg *out_head, **out_tail;
	size_t out_bytes;
	/* the request being processed (replies echo it) */
	const struct xsd_sockmsg *cur;
	struct watch *watches, **watch_tail;
	struct hmap watchmap; /* "node token" -> watch, for duplicate checks */
	struct txn *txns;
	uint32_t next_txid;
	struct stat_rec *st;
	struct stat_rec *cst; /* per client program (--client-stats), NULL for scenarios */
};

extern struct conn *g_conns;
struct conn *conn_new(int fd, bool is_domain, uint32_t domid);
void conn_destroy(struct conn *c);
void conn_ignore(struct conn *c, unsigned int reason);
bool conn_priv(const struct conn *c);
unsigned int perm_for_conn(const struct conn *c, const struct perm *p, unsigned int n);
char *canonicalize(const struct conn *c, const char *path);
void conn_queue(struct conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id,
		const void *data, size_t len);
bool conn_flush(struct conn *c);
bool conn_handle_input(struct conn *c);
bool conn_wants_input(const struct conn *c);
struct conn *conn_find_domain(uint32_t domid);

/* ---- ops.c: request processing ---- */
int process_message(struct conn *c, const struct xsd_sockmsg *hdr, char *body);
void send_reply(struct conn *c, uint32_t type, const void *data, size_t len);
void send_ack(struct conn *c, uint32_t type);
const char *errno_name(int err);
const char *type_name(uint32_t type);
void domains_add(uint32_t domid);
void domains_init_from_store(void);
int domain_release(uint32_t domid);
void domains_free(void);

/* ---- txn.c: views and transactions ---- */
struct view {
	struct conn *conn;
	struct txn *tx;
};
struct rec *node_read(struct view *v, const char *path);
void node_write(struct view *v, const char *path, struct rec *r);
void queue_watches(struct view *v, const char *path, bool exact);
struct txn *txn_lookup(struct conn *c, uint32_t id);
uint32_t txn_id(const struct txn *t);
unsigned int txn_count(const struct conn *c);
struct txn *txn_start(struct conn *c);
int txn_end(struct txn *t, bool commit);
void txn_destroy(struct txn *t);

/* ---- watch.c ---- */
struct watch {
	struct watch *next;
	char *node; /* canonical path or @special */
	char *token;
	const char *relative; /* implicit path prefix for relative watches */
};
void fire_watches(const char *name, const struct rec *node, bool exact, const struct perm *old,
		  unsigned int nold);
void node_changed(struct view *v, const char *name, const struct rec *node, bool exact,
		  const struct perm *old, unsigned int nold);
int do_watch(struct conn *c, char *body, size_t len);
int do_unwatch(struct conn *c, char *body, size_t len);
void watches_free(struct conn *c);
bool any_watch_on(const char *path);
int set_perms_special(struct conn *c, const char *name, struct perm *p, unsigned int n);

/* ---- log.c: trace (C xenstored) and access log (oxenstored) ---- */
extern bool g_log_reads;
/* --delay: milliseconds before each socket client request is processed (a slow server) */
extern long g_reply_delay_ms;
/* --rm-after N:PATH (conn.c) */
extern unsigned long g_rm_after;
extern const char *g_rm_path;
void rm_trigger_check(void);
int log_open_trace(const char *path);
int log_open_access(const char *path);
void log_close(void);
void trace_io(const struct conn *c, const struct xsd_sockmsg *hdr, const char *body, bool out);
void trace_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void access_line(const char *con, uint32_t tid, const char *op, const char *data, size_t len);
void access_request(const struct conn *c, const struct xsd_sockmsg *hdr, const char *body);
void access_answer(const struct conn *c, const struct xsd_sockmsg *hdr, const char *body);

/* ---- stats.c ---- */
struct stat_rec {
	struct stat_rec *next;
	char name[16];
	unsigned long count[XS_TYPE_COUNT + 1];
};
struct stat_rec *stats_new(const char *name);
void stats_count(struct stat_rec *s, uint32_t type);
int stats_write(const char *path);
void stats_free(void);
/* The same counts per client program (the peer's executable name), for proving across
 * whole suites that one program never mutated the store. */
struct stat_rec *client_stats_for_fd(int fd);
int client_stats_write(const char *path);
extern const char *g_client_stats; /* where to write them, NULL: nowhere */

/* ---- tree.c ---- */
int tree_load(const char *file);
void tree_default(void);
size_t unescape_value(const char *in, char *out);

/* ---- scenario.c ---- */
int scenario_load(const char *file);
/* Runs due steps; returns ms until the next one, -1 if none pending. */
long scenario_run(bool *want_exit);
void scenario_free(void);

#endif
