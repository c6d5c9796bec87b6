// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading a log: plain or gzip files, whole lines into the parser, and following the last
 * file like tail -F (rename rotation, copytruncate, never a line twice).
 */
#include "vd_log.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "vd_logbulk.h"
#include "vd_util.h"

#define CHUNK		 (1u << 17) /* 128 KB: stays in L2 between read() and the parser */
#define BULK_CHUNK	 (1u << 20) /* 1 MB a worker: few lock rounds, and cache-sized */
#define BULK_MIN	 (8u << 20) /* a file shorter than this is read in this thread */
#define BULK_MAX_THREADS 4	    /* the parser keeps up with about that many */
#define WINDOW		 4096	    /* bytes remembered to recognise a copy made by copytruncate */

struct reader {
	const char *name;
	int fd;
	gzFile gz;
	char *buf;
	size_t beg, end, cap;
	unsigned long lineno;
	unsigned long long consumed; /* file offset of buf[end] */
	char window[WINDOW];	     /* the last bytes read, for copytruncate recovery */
	size_t wlen;
};

static void remember(struct reader *rd, const char *p, size_t n)
{
	if (n >= WINDOW) {
		memcpy(rd->window, p + n - WINDOW, WINDOW);
		rd->wlen = WINDOW;
		return;
	}
	if (rd->wlen + n > WINDOW) {
		size_t drop = rd->wlen + n - WINDOW;

		memmove(rd->window, rd->window + drop, rd->wlen - drop);
		rd->wlen -= drop;
	}
	memcpy(rd->window + rd->wlen, p, n);
	rd->wlen += n;
}

static int reader_open(struct reader *rd, const char *name, struct vd_err *err)
{
	unsigned char magic[2];
	ssize_t m;

	memset(rd, 0, sizeof(*rd));
	rd->name = name;
	rd->fd = open(name, O_RDONLY | O_CLOEXEC);
	if (rd->fd < 0) {
		vd_err_set(err, VD_EXIT_SOURCE, "%s: cannot open: %s", name, strerror(errno));
		return -1;
	}
	m = pread(rd->fd, magic, 2, 0);
	if (m == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
		rd->gz = gzdopen(rd->fd, "rb");
		if (!rd->gz) {
			close(rd->fd);
			vd_err_set(err, VD_EXIT_SOURCE, "%s: cannot read gzip data", name);
			return -1;
		}
		rd->fd = -1;
	}
	rd->cap = CHUNK;
	rd->buf = vd_malloc(rd->cap + 1);
	return 0;
}

static void reader_close(struct reader *rd)
{
	if (rd->gz)
		gzclose(rd->gz);
	else if (rd->fd >= 0)
		close(rd->fd);
	free(rd->buf);
	rd->buf = NULL;
	rd->gz = NULL;
	rd->fd = -1;
}

/* More bytes into the buffer: > 0 read, 0 nothing more now, -1 error. */
/* Room after the unconsumed bytes: move them to the front, grow for a very long line. */
static void reader_room(struct reader *rd)
{
	if (rd->beg) {
		memmove(rd->buf, rd->buf + rd->beg, rd->end - rd->beg);
		rd->end -= rd->beg;
		rd->beg = 0;
	}
	if (rd->end == rd->cap) {
		rd->cap *= 2;
		rd->buf = vd_realloc(rd->buf, rd->cap + 1);
	}
}

/* What went wrong in gzip data, in the user's terms: zlib's own text names its internals. */
static const char *gz_why(gzFile gz)
{
	int zerr = 0;

	gzerror(gz, &zerr);
	switch (zerr) {
	case Z_ERRNO:
		return strerror(errno);
	case Z_BUF_ERROR:
		return "expected more gzip data: the file is cut short";
	case Z_MEM_ERROR:
		return "out of memory decompressing it";
	default:
		return "expected gzip data: the file is corrupt (it starts like gzip but is not)";
	}
}

/* Up to n bytes of the file into buf, remembered and counted. */
static ssize_t reader_read(struct reader *rd, char *buf, size_t n, struct vd_err *err)
{
	ssize_t got;

	if (n > (1u << 30))
		n = 1u << 30; /* gzread takes an unsigned */
	do {
		got = rd->gz ? gzread(rd->gz, buf, (unsigned)n) : read(rd->fd, buf, n);
	} while (got < 0 && !rd->gz && errno == EINTR);
	if (got < 0) {
		vd_err_set(err, VD_EXIT_SOURCE, "%s: %s", rd->name,
			   rd->gz ? gz_why(rd->gz) : strerror(errno));
		return -1;
	}
	remember(rd, buf, (size_t)got);
	rd->consumed += (unsigned long long)got;
	return got;
}

static ssize_t reader_fill(struct reader *rd, struct vd_err *err)
{
	ssize_t n;

	reader_room(rd);
	n = reader_read(rd, rd->buf + rd->end, rd->cap - rd->end, err);
	if (n > 0)
		rd->end += (size_t)n;
	return n;
}

/* Feeds every complete line in the buffer; with last, also a final unterminated one. */
static void reader_lines(struct reader *rd, struct vd_logparser *p, bool last)
{
	char *s = rd->buf + rd->beg, *e = rd->buf + rd->end, *nl;

	while (s < e && (nl = memchr(s, '\n', (size_t)(e - s)))) {
		vd_logparser_line(p, s, (size_t)(nl - s), rd->name, ++rd->lineno);
		s = nl + 1;
	}
	if (last && s < e) {
		vd_logparser_line(p, s, (size_t)(e - s), rd->name, ++rd->lineno);
		s = e;
	}
	rd->beg = (size_t)(s - rd->buf);
}

struct bulk_arg {
	struct reader *rd;
	struct vd_err *err;
};

static ssize_t bulk_read(void *arg, char *buf, size_t n)
{
	struct bulk_arg *a = arg;

	return reader_read(a->rd, buf, n, a->err);
}

/* How files are read: classifying threads (0: none), the bytes each reads at a time. */
struct bulk_conf {
	bool set; /* by the environment: for every file */
	unsigned threads;
	size_t chunk;
};

static int env_number(const char *name, unsigned long min, unsigned long max, unsigned long *out,
		      bool *set, struct vd_err *err)
{
	const char *v = getenv(name);

	if (!v || !*v)
		return 0;
	if (!vd_parse_ulong(v, strlen(v), max, out) || *out < min) {
		vd_err_set(err, VD_EXIT_USAGE, "%s: expected a number from %lu to %lu, got '%s'",
			   name, min, max, v);
		return -1;
	}
	*set = true;
	return 0;
}

static int bulk_conf(struct bulk_conf *c, struct vd_err *err)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned long t = 0, ch = BULK_CHUNK;
	bool tset = false;

	memset(c, 0, sizeof(*c));
	if (env_number("VIFDIAG_LOG_THREADS", 0, 64, &t, &tset, err) < 0 ||
	    env_number("VIFDIAG_LOG_CHUNK", 1, 1ul << 30, &ch, &c->set, err) < 0)
		return -1;
	c->set |= tset;
	c->chunk = ch;
	if (tset)
		c->threads = (unsigned)t;
	else /* one core: a thread of its own would only add the hand-over */
		c->threads = ncpu < 2		       ? 0
			     : ncpu > BULK_MAX_THREADS ? BULK_MAX_THREADS
						       : (unsigned)ncpu;
	return 0;
}

/* Classifying threads for this file: 0 for none. */
static unsigned bulk_threads(const struct reader *rd, const struct bulk_conf *c)
{
	struct stat st;

	if (!c->threads || c->set || rd->gz)
		return c->threads; /* decompressing in other threads is worth it at any size */
	if (fstat(rd->fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (unsigned long long)st.st_size < rd->consumed + BULK_MIN)
		return 0;
	return c->threads;
}

/* The rest of the file on other threads; the unterminated last line is left in rd->buf. */
static int read_bulk(struct reader *rd, struct vd_logrun *run, unsigned threads, size_t chunk,
		     struct vd_err *err)
{
	struct bulk_arg a = { rd, err };
	struct vd_logbulk cfg = {
		.parser = run->parser,
		.name = rd->name,
		.read = bulk_read,
		.arg = &a,
		.head = rd->buf + rd->beg,
		.headlen = rd->end - rd->beg,
		.threads = threads,
		.chunk = chunk,
		.stop = run->stop,
	};
	char *tail;
	size_t len;
	int rc = vd_log_bulk(&cfg, &rd->lineno, &tail, &len);

	if (rc != 0)
		return rc;
	rd->beg = rd->end = 0;
	if (rd->cap < len) {
		rd->cap = len;
		rd->buf = vd_realloc(rd->buf, rd->cap + 1);
	}
	if (len)
		memcpy(rd->buf, tail, len);
	rd->end = len;
	free(tail);
	return 0;
}

static int read_all(struct reader *rd, struct vd_logrun *run, const struct bulk_conf *bc, bool last,
		    struct vd_err *err)
{
	unsigned threads = bc ? bulk_threads(rd, bc) : 0;
	ssize_t n;

	if (threads) {
		int rc = read_bulk(rd, run, threads, bc->chunk, err);

		if (rc < 0)
			return -1;
		if (run->stop && *run->stop)
			return 0;
	}
	while ((n = reader_fill(rd, err)) > 0) {
		reader_lines(rd, run->parser, false);
		if (run->stop && *run->stop)
			return 0;
	}
	if (n < 0)
		return -1;
	reader_lines(rd, run->parser, last);
	return 0;
}

/*
 * copytruncate: the file we follow became shorter. The lines written since our last read
 * are in the copy (FILE.1) past our offset if its bytes before that offset are ours.
 */
static void recover_copy(struct reader *rd, struct vd_logrun *run, unsigned long long *lost)
{
	char *copy = vd_asprintf("%s.1", rd->name);
	int fd = open(copy, O_RDONLY | O_CLOEXEC);
	char *check = vd_malloc(WINDOW);
	struct stat st;
	bool ok = false;

	*lost = 0;
	if (fd >= 0 && fstat(fd, &st) == 0 && (unsigned long long)st.st_size >= rd->consumed &&
	    pread(fd, check, rd->wlen, (off_t)(rd->consumed - rd->wlen)) == (ssize_t)rd->wlen &&
	    memcmp(check, rd->window, rd->wlen) == 0) {
		ssize_t n;
		off_t off = (off_t)rd->consumed;

		ok = true;
		do {
			reader_room(rd);
			n = pread(fd, rd->buf + rd->end, rd->cap - rd->end, off);
			if (n > 0) {
				off += n;
				rd->end += (size_t)n;
				reader_lines(rd, run->parser, false);
			}
		} while (n > 0);
	}
	if (!ok)
		*lost = rd->end - rd->beg; /* a partial line whose end went away with the file */
	if (fd >= 0)
		close(fd);
	free(check);
	free(copy);
}

/* Files read in this run, with how far: FILE.1 may be one of them again after a rotation. */
struct seen {
	struct seen_file {
		dev_t dev;
		ino_t ino;
		unsigned long long size;
	} * v;
	size_t n;
};

static void seen_add(struct seen *s, const struct reader *rd)
{
	struct stat st;

	if (rd->gz || rd->fd < 0 || fstat(rd->fd, &st) != 0)
		return;
	s->v = vd_realloc(s->v, (s->n + 1) * sizeof(*s->v));
	s->v[s->n++] = (struct seen_file){ st.st_dev, st.st_ino, rd->consumed };
}

/* How much of the file st we read already: 0 if none (also for a reused inode, shorter). */
static unsigned long long seen_size(const struct seen *s, const struct stat *st)
{
	for (size_t i = s->n; i-- > 0;)
		if (s->v[i].dev == st->st_dev && s->v[i].ino == st->st_ino)
			return s->v[i].size <= (unsigned long long)st->st_size ? s->v[i].size : 0;
	return 0;
}

struct follow {
	int ino_fd; /* inotify on the directory, -1 if unavailable */
	dev_t dev;
	ino_t ino;
	struct seen *seen;
};

static int follow_wait(struct vd_logrun *run, struct follow *f, int64_t deadline)
{
	struct pollfd pfd = { .fd = f->ino_fd, .events = POLLIN };
	int64_t now = vd_now_ms(), wait = 1000; /* tail -F also looks once a second */
	struct timespec ts;
	char evbuf[4096];

	if (deadline != INT64_MAX && deadline - now < wait)
		wait = deadline > now ? deadline - now : 0;
	ts.tv_sec = (time_t)(wait / 1000);
	ts.tv_nsec = (long)(wait % 1000) * 1000000L;
	if (ppoll(&pfd, f->ino_fd >= 0 ? 1 : 0, &ts, run->waitmask) > 0 && f->ino_fd >= 0)
		while (read(f->ino_fd, evbuf, sizeof(evbuf)) > 0)
			;
	return 0;
}

static int follow_switch(struct reader *rd, struct vd_logrun *run, struct follow *f,
			 const struct stat *st, struct vd_err *err)
{
	const char *name = rd->name;
	struct reader next;
	struct stat ns, ms;
	char *mid;
	int rc = 0;

	/* the new file first: renamed away again since we looked, it is found next time */
	if (reader_open(&next, name, err) < 0) {
		if (access(name, F_OK) == 0)
			return -1;
		vd_err_clear(err);
		return 0;
	}
	if (next.fd < 0 || fstat(next.fd, &ns) != 0)
		ns = *st;
	/* renamed away: what the writer put in the old file before reopening comes first */
	if (read_all(rd, run, NULL, true, err) < 0)
		rc = -1;
	seen_add(f->seen, rd);
	reader_close(rd);
	/*
	 * rotated twice before we looked: the file in between is FILE.1. Not when FILE.1 is
	 * one we read (renamed, then the new file deleted and recreated): only what was added
	 * to it since.
	 */
	mid = vd_asprintf("%s.1", name);
	if (rc == 0 && stat(mid, &ms) == 0 && ms.st_ino != ns.st_ino &&
	    (ms.st_dev != f->dev || ms.st_ino != f->ino) && reader_open(rd, mid, err) == 0) {
		unsigned long long done = seen_size(f->seen, &ms);

		rd->name = name;
		if (!rd->gz && done && lseek(rd->fd, (off_t)done, SEEK_SET) == (off_t)done)
			rd->consumed = done;
		rc = read_all(rd, run, NULL, true, err);
		seen_add(f->seen, rd);
		reader_close(rd);
	}
	free(mid);
	*rd = next;
	if (rc < 0)
		return -1;
	f->dev = ns.st_dev;
	f->ino = ns.st_ino;
	return 0;
}

/* The bytes before our offset are still the ones we read (else: truncated, maybe refilled). */
static bool still_ours(const struct reader *rd)
{
	char tail[64];
	size_t k = rd->wlen < sizeof(tail) ? rd->wlen : sizeof(tail);
	struct stat st;

	/* cppcheck takes k for 0 on every path; it is 0 only before the first read */
	// cppcheck-suppress knownConditionTrueFalse
	if (!rd->consumed || !k)
		return true;
	if (fstat(rd->fd, &st) != 0 || (unsigned long long)st.st_size < rd->consumed)
		return false;
	return pread(rd->fd, tail, k, (off_t)(rd->consumed - k)) == (ssize_t)k &&
	       memcmp(tail, rd->window + rd->wlen - k, k) == 0;
}

static void follow_truncated(struct reader *rd, struct vd_logrun *run)
{
	unsigned long long lost;

	recover_copy(rd, run, &lost);
	if (lost && run->lost)
		run->lost(run->arg, rd->name, lost);
	if (lost)
		rd->beg = rd->end;
	lseek(rd->fd, 0, SEEK_SET);
	rd->consumed = 0;
	rd->wlen = 0;
}

static int inotify_dir(const char *file)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	char *dir = vd_strdup(file), *sl = strrchr(dir, '/');

	if (sl)
		sl[sl == dir] = '\0';
	if (fd >= 0 && inotify_add_watch(fd, sl ? dir : ".",
					 IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM |
						 IN_DELETE | IN_ATTRIB | IN_CLOSE_WRITE) < 0) {
		close(fd);
		fd = -1;
	}
	free(dir);
	return fd;
}

/* tail -F: rename rotation (a new file at the name), truncation, never a line twice. */
static int follow_last(struct reader *rd, struct vd_logrun *run, struct seen *seen,
		       struct vd_err *err)
{
	struct follow f = { .ino_fd = -1, .seen = seen };
	struct stat st;
	int64_t next = INT64_MAX;

	if (rd->gz)
		return 0; /* a compressed file is not appended to */
	if (fstat(rd->fd, &st) == 0) {
		f.dev = st.st_dev;
		f.ino = st.st_ino;
	}
	f.ino_fd = inotify_dir(rd->name);
	while (!(run->stop && *run->stop)) {
		ssize_t n;

		if (!still_ours(rd)) {
			follow_truncated(rd, run);
			continue;
		}
		n = reader_fill(rd, err);
		if (n < 0)
			break;
		if (n > 0) {
			reader_lines(rd, run->parser, false);
			continue;
		}
		if (stat(rd->name, &st) == 0 && (st.st_dev != f.dev || st.st_ino != f.ino)) {
			if (follow_switch(rd, run, &f, &st, err) < 0)
				break;
			continue;
		}
		vd_logparser_flush(run->parser, false);
		if (run->idle)
			next = run->idle(run->arg, vd_now_ms());
		follow_wait(run, &f, next);
	}
	if (f.ino_fd >= 0)
		close(f.ino_fd);
	return err->code ? -1 : 0;
}

int vd_log_run(struct vd_logrun *run, char *const *files, size_t nfiles, struct vd_err *err)
{
	struct seen seen = { 0 };
	struct bulk_conf bc;
	struct reader rd;
	int rc = 0;

	if (bulk_conf(&bc, err) < 0)
		return -1;
	for (size_t i = 0; i < nfiles && rc == 0; i++) {
		bool live = run->follow && i + 1 == nfiles;

		if (run->stop && *run->stop)
			break;
		if (reader_open(&rd, files[i], err) < 0) {
			free(seen.v);
			return -1;
		}
		rc = read_all(&rd, run, &bc, !live, err);
		if (rc == 0 && live)
			rc = follow_last(&rd, run, &seen, err);
		else
			seen_add(&seen, &rd);
		reader_close(&rd);
	}
	free(seen.v);
	vd_logparser_flush(run->parser, true);
	return rc;
}
