/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Daemon logs as a source of history: the oxenstored access log and the C xenstored trace
 * (every format: <= 4.17, 4.18 "io:"/"obj:", 4.19 "(dN)", the "dN" form), read from rotated
 * sets (.N, .N.gz) in time order, optionally followed like `tail -F`. The parser turns lines
 * into store updates with absolute paths and the connection that made them; the event
 * tracker (vd_event.h) turns those into the timeline.
 */
#ifndef VD_LOG_H
#define VD_LOG_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vd_err.h"
#include "vd_event.h"

/* VD_REC_TIME: a write or mkdir no VIF timeline can use (vd_logparser_only_vifs): its time
 * and origin count (the stall clock), its path is not absolute and it has no value. */
enum vd_rec_op { VD_REC_WRITE, VD_REC_MKDIR, VD_REC_RM, VD_REC_TIME };

/* One store update as the daemon applied it (transactions only at commit). */
struct vd_logrec {
	int64_t t_ms;
	enum vd_rec_op op;
	const char *path;  /* absolute: kernel clients' relative paths are normalised */
	const char *value; /* VD_REC_WRITE: the unescaped value */
	size_t len;
	struct vd_origin origin;
};

typedef void (*vd_logrec_fn)(const struct vd_logrec *r, void *arg);
/* A line that could not be used: malformed (what it should have been), or cut by the
 * daemon so that its path is incomplete. */
typedef void (*vd_logbad_fn)(const char *file, unsigned long line, const char *what, void *arg);

struct vd_logparser;

/* stats: also count writes, watches and watch events per connection (--stats). */
struct vd_logparser *vd_logparser_new(vd_logrec_fn rec, vd_logbad_fn bad, void *arg, bool stats);
void vd_logparser_free(struct vd_logparser *p);
/* Writes and mkdirs whose path holds no "vif" and does not end in a "name" component come
 * as VD_REC_TIME: their values are not decoded, their paths not resolved. */
void vd_logparser_only_vifs(struct vd_logparser *p, bool on);
/* Could a write to path (absolute or relative, len bytes) change a VIF timeline? */
bool vd_log_path_may_matter(const char *path, size_t len);

/* One line without its newline; file and line number are reported with what it yields.
 * Returns 1 if it was a log line, 0 for a blank line, -1 if malformed (counted, reported). */
int vd_logparser_line(struct vd_logparser *p, const char *line, size_t len, const char *file,
		      unsigned long lineno);
/* Input paused (end: input ended): deliver what is held back for context that may not come
 * (a write waiting for an error reply, a kernel write waiting to learn its domain). */
void vd_logparser_flush(struct vd_logparser *p, bool end);

/*
 * Lines classified ahead of the parser, on other threads (log_bulk.c): most lines of a busy
 * log only carry a time, and those need not reach it one by one. Not with --stats (every
 * line counts for its connection then).
 */
bool vd_logparser_classifiable(const struct vd_logparser *p);
/* A classifying thread's own state (time caches, the requests it has seen), for lines
 * going to p. */
struct vd_logclassifier;
struct vd_logclassifier *vd_logclassifier_new(const struct vd_logparser *p);
void vd_logclassifier_free(struct vd_logclassifier *c);
enum vd_lpclass {
	VD_LPC_FULL,	/* give it to vd_logparser_line: a trace line, or a malformed one */
	VD_LPC_BLANK,	/* an empty line: not even counted */
	VD_LPC_TIME,	/* a valid request that changes nothing: only its time counts */
	VD_LPC_RELEASE, /* as TIME, and it ends the wait of a held write (no error follows it) */
	VD_LPC_PARSED,	/* a valid request that may change something: vd_logparser_parsed */
	/* a write or mkdir outside a transaction no VIF can use (a VD_REC_TIME record, see
	 * vd_logparser_only_vifs) by a connection of known domain: vd_logparser_parsed too,
	 * or one of a run (vd_logskip) */
	VD_LPC_TIMEWRITE,
};
/* Where the parts of a classified access-log line are (offsets in the line), and its time. */
struct vd_lpparsed {
	int64_t ms;
	uint32_t len; /* without a trailing CR or NUL; longer lines are VD_LPC_FULL */
	uint32_t con, conlen, idlen, op_end, data, datalen;
	char kind;
	bool tx, cut;
};
/* What line would do to a classifiable parser. */
enum vd_lpclass vd_logparser_classify(struct vd_logclassifier *c, const char *line, size_t len,
				      struct vd_lpparsed *out);
/* A line classified VD_LPC_PARSED, as vd_logparser_line would take it. */
void vd_logparser_parsed(struct vd_logparser *p, const char *line, const struct vd_lpparsed *in,
			 const char *file, unsigned long lineno);
/*
 * A run of consecutive BLANK, TIME, RELEASE and TIMEWRITE lines, in place of giving them one
 * by one. Its time writes come as the ones the tracker can tell apart: the first, the last
 * two that were released (no error followed them) and the one still held at its end; the
 * others are counted. Their times never go backwards within a run: then the log's warnings
 * and stall ticks are those of all of them.
 */
struct vd_logtw {
	const char *line; /* with its parts */
	struct vd_lpparsed parts;
	unsigned long lineno; /* in the run, from 1 */
};
struct vd_logskip {
	unsigned long counted;	   /* lines that are not blank */
	int64_t first_ms, last_ms; /* of its timed lines; -1 if none */
	bool release;		   /* a line in it ends the wait of a write held before it */
	struct vd_logtw tw[4];
	size_t ntw;
	unsigned long collapsed; /* released time writes not in tw[] */
	bool last_held;		 /* tw[ntw - 1] is still waiting for its next line */
};
/* lineno: of the line before the run (tw[].lineno counts from there). */
void vd_logparser_skip(struct vd_logparser *p, const struct vd_logskip *k, const char *file,
		       unsigned long lineno);
struct vd_logcounts {
	unsigned long lines, malformed, truncated, records, failed;
	int64_t first_ms, last_ms; /* -1 when no line had a time */
};
void vd_logparser_counts(const struct vd_logparser *p, struct vd_logcounts *c);

struct vd_connstat {
	const char *conn;
	bool kernel;
	long domid; /* -1 unknown */
	unsigned long writes, watch_events, watches, instances;
	const char *watched; /* the first paths it watched, comma-separated */
	int64_t first_ms, last_ms;
};
/* Connections sorted by watch events, then writes (both descending). *out: free() it. */
size_t vd_logparser_stats(const struct vd_logparser *p, struct vd_connstat **out);

/*
 * The files to read, oldest first: each FILE that is not itself a rotated name (ending in
 * .N or .N.gz) brings its existing FILE.N / FILE.N.gz siblings, read from the highest N
 * down to FILE; duplicates (same inode) are read once. Missing files: VD_EXIT_SOURCE.
 */
int vd_log_files(char *const *args, int nargs, char ***files, size_t *nfiles, struct vd_err *err);
void vd_log_files_free(char **files, size_t n);

struct vd_logrun {
	struct vd_logparser *parser;
	bool follow;		     /* keep reading the last file like tail -F */
	volatile sig_atomic_t *stop; /* set by a signal handler: return as soon as possible */
	const sigset_t *waitmask;    /* signals to unblock while waiting (ppoll) */
	/* Following and idle: the wall clock; returns the next time (ms) it wants a call,
	 * or INT64_MAX. */
	int64_t (*idle)(void *arg, int64_t now);
	void *arg;
	/* The follow loop lost bytes it could not recover (a truncation without a copy). */
	void (*lost)(void *arg, const char *file, unsigned long long bytes);
};

/* Reads every file in order through run->parser; then follows the last one if asked.
 * Unreadable files: VD_EXIT_SOURCE with the file name. A file of 8 MB or more still to read
 * (or a gzip one) has its lines classified on other threads, one per CPU up to 4; the
 * environment's VIFDIAG_LOG_THREADS=N (0: none) and VIFDIAG_LOG_CHUNK=BYTES (what each reads
 * at a time, 1 MB by default) apply to every file. Same result either way. A bad value:
 * VD_EXIT_USAGE. */
int vd_log_run(struct vd_logrun *run, char *const *files, size_t nfiles, struct vd_err *err);

#endif
