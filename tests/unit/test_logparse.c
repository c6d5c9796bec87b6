// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Log parsing: the oxenstored access log and every C xenstored trace format, with real
 * lines from the 4.17 captures; relative paths per connection, transactions, lines cut at
 * 180 characters, malformed lines with file:line, rotated sets in time order, gzip.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "vd_log.h"
#include "vd_logparse.h"
#include "vd_util.h"

struct seen {
	char path[160];
	char value[200];
	size_t len;
	enum vd_rec_op op;
	char conn[40];
	bool kernel, truncated;
	long domid;
	int64_t t;
	unsigned long line;
};

struct cap {
	struct seen r[64];
	size_t n;
	char bad[8][200];
	size_t nbad;
};

static void on_rec(const struct vd_logrec *r, void *arg)
{
	struct cap *c = arg;
	struct seen *s;

	assert_true(c->n < 64);
	s = &c->r[c->n++];
	snprintf(s->path, sizeof(s->path), "%s", r->path);
	snprintf(s->value, sizeof(s->value), "%.*s", (int)r->len, r->value ? r->value : "");
	s->len = r->len;
	s->op = r->op;
	snprintf(s->conn, sizeof(s->conn), "%s", r->origin.conn ? r->origin.conn : "");
	s->kernel = r->origin.kernel;
	s->domid = r->origin.conn_domid;
	s->truncated = r->origin.truncated;
	s->t = r->t_ms;
	s->line = r->origin.line;
}

static void on_bad(const char *file, unsigned long line, const char *what, void *arg)
{
	struct cap *c = arg;

	if (c->nbad < 8)
		snprintf(c->bad[c->nbad], sizeof(c->bad[0]), "%s:%lu: %s", file, line, what);
	c->nbad++;
}

static struct vd_logparser *parser(struct cap *c, bool stats)
{
	memset(c, 0, sizeof(*c));
	return vd_logparser_new(on_rec, on_bad, c, stats);
}

/* Feeds lines (NULL-terminated list) as file "f", then ends the input. */
static void feed(struct vd_logparser *p, const char *const *lines)
{
	for (unsigned long i = 0; lines[i]; i++)
		vd_logparser_line(p, lines[i], strlen(lines[i]), "f", i + 1);
	vd_logparser_flush(p, true);
}

static void test_access_relative_and_writers(void **state)
{
	static const char *const lines[] = {
		"[20261125T04:10:14.100Z]  A15          write     "
		"/local/domain/0/backend/vif/1/0/state 1",
		"[20261125T04:10:14.190Z]  D0           write     backend/vif/1/0/state 2",
		"[20261125T04:10:14.191Z]  A15          w event   "
		"/local/domain/0/backend/vif/1/0/state /local/domain ",
		"[20261125T04:10:14.200Z]  A16          write     backend/vif/1/0/hotplug-status "
		"connected",
		"[20261125T04:10:14.300Z]  D1           rm        device/vif/0/queue-0",
		"[20261125T04:10:14.400Z]  D1           mkdir     device/vif/0",
		"[20261125T04:10:14.500Z]  A15          write     "
		"/local/domain/0/backend/vif/1/0/hotplug-status ",
		NULL,
	};
	struct cap c;
	struct vd_logparser *p = parser(&c, false);
	struct vd_logcounts n;

	feed(p, lines);
	assert_int_equal(c.n, 6);
	assert_string_equal(c.r[0].conn, "A15");
	assert_false(c.r[0].kernel);
	assert_int_equal(c.r[0].t, 1795579814100LL);
	assert_string_equal(c.r[1].path, "/local/domain/0/backend/vif/1/0/state");
	assert_string_equal(c.r[1].value, "2");
	assert_true(c.r[1].kernel);
	assert_int_equal(c.r[1].domid, 0);
	/* a hotplug script over the socket sends a relative path: dom0's */
	assert_string_equal(c.r[2].path, "/local/domain/0/backend/vif/1/0/hotplug-status");
	assert_false(c.r[2].kernel);
	assert_string_equal(c.r[3].path, "/local/domain/1/device/vif/0/queue-0");
	assert_int_equal(c.r[3].op, VD_REC_RM);
	assert_int_equal(c.r[3].domid, 1);
	assert_int_equal(c.r[4].op, VD_REC_MKDIR);
	assert_string_equal(c.r[5].value, ""); /* an empty value leaves a trailing space */
	assert_int_equal(c.r[5].len, 0);
	vd_logparser_counts(p, &n);
	assert_int_equal(n.lines, 7);
	assert_int_equal(n.malformed, 0);
	vd_logparser_free(p);
}

/*
 * What log skips decoding (vd_logparser_only_vifs): a write or mkdir whose path cannot be
 * a VIF's or a domain's name comes as VD_REC_TIME, its time and order kept, while every
 * path the tracker reads, removals, and an error dropping a skipped write stay as they were.
 * Padding of any width (the word-at-a-time space scan) parses the same.
 */
static void test_access_only_vifs(void **state)
{
	static const char *const must[] = {
		"/local/domain/1/device/vif/0/state",
		"device/vif/0/state",
		"/local/domain/0/backend/vif/1/0/hotplug-status",
		"backend/vif/1/0",
		"/local/domain/1/error/device/vif/0/error",
		"error/backend/vif/1/0/error",
		"/local/domain/5/name",
		"name",
		"/local/domain/0/backend/vif",
	};
	static const char *const skip[] = {
		"/local/domain/1/data/updated", "control/feature-balloon", "/local/domain/1/memory/target",
		"/local/domain/1/hostname",	"device/vbd/768/state",	   "vi",
	};
	static const char *const lines[] = {
		"[20261125T04:10:14.100Z]  A15          write     /local/domain/1/data/updated 7",
		"[20261125T04:10:14.101Z] A15 write /local/domain/0/backend/vif/1/0/state 1",
		"[20261125T04:10:14.102Z]         A15                 write        "
		"/local/domain/0/backend/vif/1/0/state       2",
		"[20261125T04:10:14.103Z]  D1           mkdir     control",
		"[20261125T04:10:14.104Z]  D1           rm        control/shutdown",
		"[20261125T04:10:14.105Z]  D1           write     control/feature-balloon 1",
		"[20261125T04:10:14.106Z]  D1           error     ENOENT",
		"[20261125T04:10:14.107Z]  A7           write     /local/domain/1/name guest",
		NULL,
	};
	struct cap c;
	struct vd_logparser *p = parser(&c, false);
	struct vd_logcounts n;

	(void)state;
	for (size_t i = 0; i < sizeof(must) / sizeof(must[0]); i++)
		assert_true(vd_log_path_may_matter(must[i], strlen(must[i])));
	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		assert_false(vd_log_path_may_matter(skip[i], strlen(skip[i])));
	vd_logparser_only_vifs(p, true);
	feed(p, lines);
	assert_int_equal(c.n, 6);
	assert_int_equal(c.r[0].op, VD_REC_TIME);
	assert_int_equal(c.r[0].t, 1795579814100LL);
	assert_int_equal(c.r[0].len, 0);
	assert_int_equal(c.r[1].op, VD_REC_WRITE);
	assert_string_equal(c.r[1].value, "1");
	assert_int_equal(c.r[2].op, VD_REC_WRITE);
	assert_string_equal(c.r[2].path, "/local/domain/0/backend/vif/1/0/state");
	assert_string_equal(c.r[2].value, "      2"); /* the value starts after one space */
	assert_int_equal(c.r[3].op, VD_REC_TIME);
	assert_int_equal(c.r[4].op, VD_REC_RM);
	assert_string_equal(c.r[4].path, "/local/domain/1/control/shutdown");
	assert_int_equal(c.r[5].op, VD_REC_WRITE); /* the failed balloon write is gone */
	assert_string_equal(c.r[5].path, "/local/domain/1/name");
	vd_logparser_counts(p, &n);
	assert_int_equal(n.lines, 8);
	assert_int_equal(n.malformed, 0);
	assert_int_equal(n.failed, 1);
	assert_int_equal(n.last_ms, 1795579814107LL);
	vd_logparser_free(p);
}

/*
 * The second of a line is parsed only when its text changes: the same "[...T..:..:.." as
 * the last valid line reuses that time, anything else (the next second, another hour, a bad
 * line in between) is read again; the milliseconds and the rest are checked on every line.
 */
static void test_access_same_second(void **state)
{
	static const char *const lines[] = {
		"[20261125T04:10:14.100Z]  A15          write     /local/domain/1/device/vif/0/a 1",
		"[20261125T04:10:14.999Z]  A15          write     /local/domain/1/device/vif/0/b 1",
		"[20261125T04:10:14.1x0Z]  A15          write     /local/domain/1/device/vif/0/c 1",
		"[20261125T04:10:14.200]   A15          write     /local/domain/1/device/vif/0/d 1",
		"[20261125T04:10:15.000Z]  A15          write     /local/domain/1/device/vif/0/e 1",
		"[20261125T04:10:61.000Z]  A15          write     /local/domain/1/device/vif/0/f 1",
		"[20261125T04:10:15.001Z]  A15          write     /local/domain/1/device/vif/0/g 1",
		"[20261125T05:10:15.002Z]  A15          write     /local/domain/1/device/vif/0/h 1",
		"[20261126T05:10:15.003Z]  A15          write     /local/domain/1/device/vif/0/i 1",
		"[20261125T05:10:15.004Z]  A15          write     /local/domain/1/device/vif/0/j 1",
		NULL,
	};
	struct cap c;
	struct vd_logparser *p = parser(&c, false);
	struct vd_logcounts n;

	(void)state;
	feed(p, lines);
	assert_int_equal(c.n, 7);
	assert_int_equal(c.r[0].t, 1795579814100LL);
	assert_int_equal(c.r[1].t, 1795579814999LL);
	assert_string_equal(c.r[2].path, "/local/domain/1/device/vif/0/e");
	assert_int_equal(c.r[2].t, 1795579815000LL);
	assert_string_equal(c.r[3].path, "/local/domain/1/device/vif/0/g");
	assert_int_equal(c.r[3].t, 1795579815001LL);
	assert_int_equal(c.r[4].t, 1795579815001LL + 3600000 + 1);
	assert_int_equal(c.r[5].t, 1795579815001LL + 3600000 + 86400000 + 2);
	assert_int_equal(c.r[6].t, 1795579815001LL + 3600000 + 3);
	vd_logparser_counts(p, &n);
	assert_int_equal(n.malformed, 3);
	assert_string_equal(c.bad[0], "f:3: a UTC time [YYYYMMDDTHH:MM:SS.mmmZ]");
	vd_logparser_free(p);
}

/* The connection map: exact keys only (a name that is a prefix of another, or longer than
 * one, is another key), the line's bytes up to a NUL, found again after growing. */
static void test_smap_keys(void **state)
{
	struct vd_smap m = { 0 };
	static int vals[400];
	char k[32];

	(void)state;
	for (int i = 10; i < 400; i++) {
		snprintf(k, sizeof(k), "P%d", i);
		vd_smap_put(&m, k, strlen(k), &vals[i]);
	}
	for (int i = 10; i < 400; i++) {
		snprintf(k, sizeof(k), "P%d write", i);
		assert_ptr_equal(vd_smap_get(&m, k, strcspn(k, " ")), &vals[i]);
	}
	for (int i = 0; i < 10; i++) {
		snprintf(k, sizeof(k), "P%d", i); /* a prefix of ten keys each */
		assert_null(vd_smap_get(&m, k, strlen(k)));
		snprintf(k, sizeof(k), "P%d", 3990 + i); /* one of them is its prefix */
		assert_null(vd_smap_get(&m, k, strlen(k)));
	}
	assert_ptr_equal(vd_smap_get(&m, "P12\0xy", 6), &vals[12]);
	vd_smap_del(&m, "P12", 3);
	assert_null(vd_smap_get(&m, "P12", 3));
	assert_ptr_equal(vd_smap_get(&m, "P120", 4), &vals[120]);
	for (size_t j = 0; j < m.cap; j++)
		free(m.keys[j]);
	free(m.keys);
	free(m.vals);
	/* nearly full (31 of 64 slots), every key starting with the others' prefixes: a
	 * prefix must find nothing wherever its probe starts */
	memset(&m, 0, sizeof(m));
	for (int i = 0; i < 31; i++) {
		snprintf(k, sizeof(k), "PPPPPPPPPP%d", i);
		vd_smap_put(&m, k, strlen(k), &vals[i]);
	}
	assert_int_equal(m.cap, 64);
	for (size_t l = 0; l <= 11; l++)
		assert_null(vd_smap_get(&m, "PPPPPPPPPP", l));
	for (int i = 0; i < 31; i++) {
		snprintf(k, sizeof(k), "PPPPPPPPPP%d", i);
		assert_ptr_equal(vd_smap_get(&m, k, strlen(k)), &vals[i]);
	}
	for (size_t j = 0; j < m.cap; j++)
		free(m.keys[j]);
	free(m.keys);
	free(m.vals);
}

static void test_access_transactions(void **state)
{
	static const char *const lines[] = {
		"[20261125T04:10:14.000Z]  D1           t start   ",
		"[20261125T04:10:14.010Z]  D1.3         write     "
		"device/vif/0/multi-queue-num-queues 2",
		"[20261125T04:10:14.020Z]  A18.6        write     "
		"/local/domain/1/device/vif/0/state 1",
		"[20261125T04:10:14.030Z]  D1.3         t end     ",
		"[20261125T04:10:14.040Z]  D1.3         commit    ",
		"[20261125T04:10:14.050Z]  A18.6        conflict  ",
		"[20261125T04:10:14.060Z]  r(6):A18.7   write     "
		"/local/domain/1/device/vif/0/state 1",
		"[20261125T04:10:14.070Z]  r(6):A18.7   commit    ",
		"[20261125T04:10:14.080Z]  A19.1        write     "
		"/local/domain/1/device/vif/0/state 5",
		"[20261125T04:10:14.090Z]  A19          endconn   ",
		NULL,
	};
	struct cap c;
	struct vd_logparser *p = parser(&c, false);

	feed(p, lines);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.r[0].path, "/local/domain/1/device/vif/0/multi-queue-num-queues");
	assert_int_equal(c.r[0].t, 1795579814040LL); /* visible at the commit */
	assert_int_equal(c.r[0].line, 2);
	assert_string_equal(c.r[1].conn, "A18"); /* the replay, under its connection */
	assert_string_equal(c.r[1].value, "1");
	vd_logparser_free(p);
}

static void test_access_escapes_cut_and_errors(void **state)
{
	char cut[256];
	static const char *lines[] = {
		"[20261125T04:10:15.000Z]  A3           write     "
		"/local/domain/0/backend/vif/1/2/hotplug-error a\\\"b\\\\c\\n\\027d",
		NULL, /* cut line */
		NULL, /* cut path */
		"[20261125T04:10:15.100Z]  D5           write     "
		"/local/domain/0/backend/vif/5/0/state 4",
		"[20261125T04:10:15.100Z]  D5           error     EACCES",
		"[20261125T04:10:15.200Z]  D5           write     device/vif/0/state 4",
		NULL,
	};
	struct cap c;
	struct vd_logparser *p = parser(&c, false);
	char cutpath[256];

	/* a 179-character line ending in "..": the daemon cut it */
	snprintf(cut, sizeof(cut),
		 "[20261125T04:10:15.050Z]  A3           write     "
		 "/local/domain/0/backend/vif/1/2/hotplug-error %s",
		 "Could not find bridge device and a very long explanation that goes on and on and "
		 "on and on and on");
	cut[177] = '.';
	cut[178] = '.';
	cut[179] = '\0';
	lines[1] = cut;
	memset(cutpath, 'x', sizeof(cutpath));
	memcpy(cutpath, "[20261125T04:10:15.060Z]  A3           write     /local/domain/0/", 65);
	cutpath[177] = '.';
	cutpath[178] = '.';
	cutpath[179] = '\0';
	lines[2] = cutpath;
	feed(p, lines);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.r[0].len, 8);
	assert_memory_equal(c.r[0].value, "a\"b\\c\n\033d", 8);
	assert_true(c.r[1].truncated);
	assert_int_equal(strlen(c.r[1].value),
			 179 - 2 -
				 strlen("[20261125T04:10:15.050Z]  A3           write     "
					"/local/domain/0/backend/vif/1/2/hotplug-error "));
	/* the cut path is reported, not used; the write answered EACCES is dropped */
	assert_int_equal(c.nbad, 1);
	assert_string_equal(c.bad[0], "f:3: a complete path (the line was cut at 180 characters)");
	assert_string_equal(c.r[2].path, "/local/domain/5/device/vif/0/state");
	vd_logparser_free(p);
}

/* @-paths name watches: a write or rm of one is refused by xenstored, so no record. */
static void test_at_paths_refused(void **state)
{
	static const char *access[] = {
		"[20261125T04:15:46.101Z]  A7           write     @",
		"[20261125T04:15:46.102Z]  A7           rm        @releaseDomain",
		"[20261125T04:15:46.103Z]  A7           write     /local/domain/1/name g",
		NULL,
	};
	static const char *trace[] = {
		"IN 0x555caebbf740 20261125 04:15:46 WRITE (@introduceDomain x)",
		"OUT 0x555caebbf740 20261125 04:15:46 WRITE (OK )",
		"IN 0x555caebbf740 20261125 04:15:47 WRITE (/local/domain/1/name g)",
		"OUT 0x555caebbf740 20261125 04:15:47 WRITE (OK )",
		NULL,
	};
	struct vd_logcounts n;
	struct cap c;
	struct vd_logparser *p = parser(&c, false);

	feed(p, access);
	vd_logparser_counts(p, &n);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.r[0].path, "/local/domain/1/name");
	assert_int_equal(n.failed, 2);
	assert_int_equal(c.nbad, 0);
	vd_logparser_free(p);

	p = parser(&c, false);
	feed(p, trace);
	vd_logparser_counts(p, &n);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.r[0].path, "/local/domain/1/name");
	assert_int_equal(n.failed, 1);
	vd_logparser_free(p);
}

static void test_malformed_lines(void **state)
{
	static const char *const lines[] = {
		"[20261125T04:10:15.000Z]  A3           frobnicate /x",
		"[2026-11-25 04:10:15]  A3  write /x 1",
		"[20261125T25:10:15.000Z]  A3           write     /x 1",
		"garbage \001\002\377",
		"IN 0x55 20261125 04:15:38",
		"",
		"IN 0x555caebbf180 20261125 04:15:38 WATCH (/local/domain /local/domain )",
		NULL,
	};
	struct cap c;
	struct vd_logparser *p = parser(&c, false);
	struct vd_logcounts n;

	feed(p, lines);
	vd_logparser_counts(p, &n);
	assert_int_equal(n.malformed, 5);
	assert_int_equal(n.lines, 6); /* the blank line is not one */
	assert_int_equal(c.nbad, 5);
	assert_true(strncmp(c.bad[0], "f:1: an access log line", 23) == 0);
	assert_true(strncmp(c.bad[2], "f:3: a UTC time", 15) == 0);
	assert_true(strncmp(c.bad[3], "f:4: a trace line", 17) == 0);
	assert_true(strncmp(c.bad[4], "f:5: a trace line", 17) == 0);
	vd_logparser_free(p);
}

/* Real 4.17 lines (a-bringup): the toolstack introduces domain 1; the connection created
 * next is its kernel; transactions commit at their reply. */
static const char *const trace417[] = {
	"CREATE connection 0x555caebbf740",
	"IN 0x555caebbf740 20261125 04:15:46 INTRODUCE (1 259585 1 )",
	"CREATE connection 0x555caebc27d0",
	"wrl: dom    0      1  msec      10000 credit     1000000 reserve        200 discard",
	"OUT 0x555caebbf740 20261125 04:15:46 INTRODUCE (OK )",
	"IN 0x555caebbf740 20261125 04:15:46 WRITE (/local/domain/0/backend/vif/1/0/hotplug-status "
	")",
	"OUT 0x555caebbf740 20261125 04:15:46 WRITE (OK )",
	"OUT 0x555caebbbdc0 20261125 04:15:46 WATCH_EVENT (backend/vif/1/0/state FFFFFFFF82BB0B60 "
	")",
	"IN 0x555caebbbdc0 20261125 04:15:47 TRANSACTION_START ( )",
	"OUT 0x555caebbbdc0 20261125 04:15:47 TRANSACTION_START (5 )",
	"IN 0x555caebbbdc0 20261125 04:15:47 WRITE (backend/vif/1/0/state 2)",
	"OUT 0x555caebbbdc0 20261125 04:15:47 WRITE (OK )",
	"IN 0x555caebbbdc0 20261125 04:15:47 TRANSACTION_END (T )",
	"DESTROY transaction 0x555caebd52c0",
	"OUT 0x555caebbbdc0 20261125 04:15:48 TRANSACTION_END (OK )",
	"CREATE connection 0x555caebd2d90",
	"IN 0x555caebd2d90 20261125 04:15:49 WRITE (backend/vif/1/0/hotplug-status connected)",
	"OUT 0x555caebd2d90 20261125 04:15:49 WRITE (OK )",
	"DESTROY connection 0x555caebd2d90",
	"IN 0x555caebc27d0 20261125 04:16:03 TRANSACTION_START ( )",
	"OUT 0x555caebc27d0 20261125 04:16:03 TRANSACTION_START (3 )",
	"IN 0x555caebc27d0 20261125 04:16:03 WRITE (device/vif/0/state 4)",
	"OUT 0x555caebc27d0 20261125 04:16:03 WRITE (OK )",
	"IN 0x555caebc27d0 20261125 04:16:03 TRANSACTION_END (T )",
	"OUT 0x555caebc27d0 20261125 04:16:03 ERROR (EAGAIN )",
	"IN 0x555caebc27d0 20261125 04:16:03 TRANSACTION_START ( )",
	"OUT 0x555caebc27d0 20261125 04:16:03 TRANSACTION_START (4 )",
	"IN 0x555caebc27d0 20261125 04:16:03 WRITE (device/vif/0/state 4)",
	"OUT 0x555caebc27d0 20261125 04:16:03 WRITE (OK )",
	"IN 0x555caebc27d0 20261125 04:16:03 TRANSACTION_END (T )",
	"OUT 0x555caebc27d0 20261125 04:16:04 TRANSACTION_END (OK )",
	NULL,
};

static void check_bringup(const struct cap *c)
{
	assert_int_equal(c->n, 4);
	assert_string_equal(c->r[0].path, "/local/domain/0/backend/vif/1/0/hotplug-status");
	assert_false(c->r[0].kernel);
	/* the state write is seen when its transaction commits */
	assert_string_equal(c->r[1].path, "/local/domain/0/backend/vif/1/0/state");
	assert_true(c->r[1].kernel); /* its watch tokens are kernel addresses */
	assert_int_equal(c->r[1].t % 60000, 48000);
	assert_string_equal(c->r[2].path, "/local/domain/0/backend/vif/1/0/hotplug-status");
	assert_string_equal(c->r[2].value, "connected");
	assert_false(c->r[2].kernel);
	/* the introduced guest; its first transaction failed with EAGAIN */
	assert_string_equal(c->r[3].path, "/local/domain/1/device/vif/0/state");
	assert_true(c->r[3].kernel);
	assert_int_equal(c->r[3].domid, 1);
	assert_int_equal(c->r[3].t % 60000, 4000);
}

/* Rewrites the 4.17 lines into another format: prefixes, domain ids. */
static char **reformat(const char *const *in, const char *io, const char *obj, bool dom,
		       bool parens)
{
	size_t n = 0;
	char **out;

	while (in[n])
		n++;
	out = vd_calloc(n + 1, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		const char *l = in[i], *sp;
		bool is_io = vd_startswith(l, "IN ") || vd_startswith(l, "OUT ");

		if (!is_io || !dom) {
			out[i] = vd_asprintf("%s%s",
					     is_io		       ? io
					     : vd_startswith(l, "wrl") ? ""
								       : obj,
					     l);
			continue;
		}
		sp = strchr(strchr(l, ' ') + 1, ' ');
		/* guest 1's connection says d1, everything else d0 */
		out[i] = vd_asprintf("%s%.*s %s%s%s%s", io, (int)(sp - l), l, parens ? "(" : "",
				     strstr(l, "0x555caebc27d0") ? "d1" : "d0", parens ? ")" : "",
				     sp);
	}
	return out;
}

static void free_lines(char **l)
{
	for (size_t i = 0; l[i]; i++)
		free(l[i]);
	free(l);
}

static void test_trace_417(void **state)
{
	struct cap c;
	struct vd_logparser *p = parser(&c, false);

	feed(p, trace417);
	check_bringup(&c);
	assert_int_equal(c.nbad, 0);
	vd_logparser_free(p);
}

static void test_trace_418_419_d0(void **state)
{
	struct {
		const char *io, *obj;
		bool dom, parens;
	} fmts[] = {
		{ "io: ", "obj: ", false, false }, /* 4.18 */
		{ "io: ", "obj: ", true, true },   /* 4.19 (dN) */
		{ "io: ", "obj: ", true, false },  /* mid-2023 dN */
	};

	for (size_t f = 0; f < 3; f++) {
		struct cap c;
		struct vd_logparser *p = parser(&c, false);
		char **l = reformat(trace417, fmts[f].io, fmts[f].obj, fmts[f].dom, fmts[f].parens);

		feed(p, (const char *const *)l);
		check_bringup(&c);
		assert_int_equal(c.nbad, 0);
		free_lines(l);
		vd_logparser_free(p);
	}
}

/* b-hotplug: the guest's connection predates the trace; an absolute watch event for the
 * same node (netback's watch on the frontend state) tells which domain it is. */
static void test_trace_relative_domain_learnt(void **state)
{
	static const char *const lines[] = {
		"IN 0x555caebd3210 20261125 04:16:23 WRITE (/local/domain/0/backend/vif/1/1/state "
		"5)",
		"OUT 0x555caebd3210 20261125 04:16:23 WRITE (OK )",
		"IN 0x555caebc27d0 20261125 04:16:23 TRANSACTION_START ( )",
		"OUT 0x555caebc27d0 20261125 04:16:23 TRANSACTION_START (7 )",
		"IN 0x555caebc27d0 20261125 04:16:23 WRITE (device/vif/1/state 6)",
		"OUT 0x555caebc27d0 20261125 04:16:23 WRITE (OK )",
		"IN 0x555caebbbdc0 20261125 04:16:23 WRITE (backend/vif/1/1/state 5)",
		"IN 0x555caebc27d0 20261125 04:16:23 TRANSACTION_END (T )",
		"OUT 0x555caebc27d0 20261125 04:16:23 WATCH_EVENT (device/vif/1/state "
		"FFFFFFFF82BB0DA0 )",
		"OUT 0x555caebbbdc0 20261125 04:16:23 WRITE (OK )",
		"OUT 0x555caebc27d0 20261125 04:16:23 TRANSACTION_END (OK )",
		"IN 0x555caebbbdc0 20261125 04:16:23 WRITE (backend/vif/1/1/state 6)",
		"OUT 0x555caebbbdc0 20261125 04:16:23 WATCH_EVENT "
		"(/local/domain/1/device/vif/1/state FFFF8880068AB020 )",
		NULL,
	};
	struct cap c;
	struct vd_logparser *p = parser(&c, false);

	feed(p, lines);
	assert_int_equal(c.n, 4);
	assert_string_equal(c.r[0].path, "/local/domain/0/backend/vif/1/1/state");
	assert_string_equal(c.r[1].path, "/local/domain/0/backend/vif/1/1/state");
	/* order kept: the guest's write comes at its commit, under its real domain */
	assert_string_equal(c.r[2].path, "/local/domain/1/device/vif/1/state");
	assert_string_equal(c.r[2].value, "6");
	assert_int_equal(c.r[2].domid, 1);
	assert_string_equal(c.r[3].value, "6");
	vd_logparser_free(p);
}

/*
 * The trace with vd_logparser_only_vifs: a write or mkdir no VIF timeline can use is
 * VD_REC_TIME (still paired with its reply: an ERROR drops it), VIF ends, names and
 * removals stay. A guest's relative error/device/ write learns its domain from an absolute
 * event as a device/ one does; events for other paths resolve nothing.
 */
static void test_trace_only_vifs(void **state)
{
	static const char *const lines[] = {
		"IN 0x1000 20261125 04:16:23 WRITE (/local/domain/1/data/updated 7 )",
		"OUT 0x1000 20261125 04:16:23 WRITE (OK )",
		"IN 0x1000 20261125 04:16:23 WRITE (/local/domain/0/backend/vif/1/0/state 1 )",
		"OUT 0x1000 20261125 04:16:23 WRITE (OK )",
		"IN 0x1000 20261125 04:16:24 MKDIR (/local/domain/1/control )",
		"OUT 0x1000 20261125 04:16:24 MKDIR (OK )",
		"IN 0x1000 20261125 04:16:24 WRITE (/local/domain/1/memory/target 5 )",
		"OUT 0x1000 20261125 04:16:24 ERROR (EACCES )",
		"IN 0x1000 20261125 04:16:24 RM (/local/domain/1/control/shutdown )",
		"OUT 0x1000 20261125 04:16:24 RM (OK )",
		"IN 0x1000 20261125 04:16:25 WRITE (/local/domain/1/name guest )",
		"OUT 0x1000 20261125 04:16:25 WRITE (OK )",
		"IN 0x2000 20261125 04:16:25 WRITE (error/device/vif/0/error 1 bad )",
		"OUT 0x2000 20261125 04:16:25 WRITE (OK )",
		"OUT 0x3000 20261125 04:16:25 WATCH_EVENT "
		"(/local/domain/4/data/x FFFF8880068AB020 )",
		"OUT 0x3000 20261125 04:16:25 WATCH_EVENT "
		"(/local/domain/3/error/device/vif/0/error FFFF8880068AB020 )",
		NULL,
	};
	struct cap c;
	struct vd_logparser *p = parser(&c, false);
	struct vd_logcounts n;

	(void)state;
	vd_logparser_only_vifs(p, true);
	feed(p, lines);
	assert_int_equal(c.n, 6);
	assert_int_equal(c.r[0].op, VD_REC_TIME);
	assert_int_equal(c.r[0].len, 0);
	assert_int_equal(c.r[1].op, VD_REC_WRITE);
	assert_string_equal(c.r[1].value, "1");
	assert_int_equal(c.r[2].op, VD_REC_TIME); /* the mkdir; the failed write is gone */
	assert_int_equal(c.r[3].op, VD_REC_RM);
	assert_string_equal(c.r[3].path, "/local/domain/1/control/shutdown");
	assert_int_equal(c.r[4].op, VD_REC_WRITE);
	assert_string_equal(c.r[4].value, "guest");
	assert_int_equal(c.r[5].op, VD_REC_WRITE);
	assert_string_equal(c.r[5].path, "/local/domain/3/error/device/vif/0/error");
	assert_string_equal(c.r[5].value, "1 bad");
	assert_int_equal(c.r[5].domid, 3);
	vd_logparser_counts(p, &n);
	assert_int_equal(n.failed, 1);
	assert_int_equal(n.malformed, 0);
	vd_logparser_free(p);
}

static void test_trace_reopen_and_split_replies(void **state)
{
	static const char *const lines[] = {
		"CREATE connection 0x1000",
		"IN 0x1000 20261125 04:16:23 INTRODUCE (7 1 1 )",
		"CREATE connection 0x2000",
		"io: OUT(START) 0x1000 (d0) 20261125 04:16:23 INTRODUCE (OK )",
		"io: OUT(END) 0x1000 (d0) 20261125 04:16:23 INTRODUCE (OK )",
		"",
		"***",
		"CREATE connection 0x2000",
		"IN 0x2000 20261125 04:16:24 WRITE (device/vif/0/state 4)",
		"*** d1 CONN RESET req_prod 0 rsp_prod 0",
		"dropping duplicate watch /x y for domain 1",
		NULL,
	};
	struct cap c;
	struct vd_logparser *p = parser(&c, false);

	feed(p, lines);
	/* after the reopen 0x2000 is a new socket client: dom0, not guest 7 */
	assert_int_equal(c.n, 1);
	assert_string_equal(c.r[0].path, "/local/domain/0/device/vif/0/state");
	assert_false(c.r[0].kernel);
	assert_int_equal(c.nbad, 0);
	vd_logparser_free(p);
}

static void test_stats(void **state)
{
	static const char *const lines[] = {
		"[20261125T04:10:14.000Z]  A41248       watch     /local/domain/0/backend qemu",
		"[20261125T04:10:14.001Z]  A41354       write     "
		"/local/domain/0/backend/qdisk/1/5632 x",
		"[20261125T04:10:14.002Z]  A41248       w event   backend/qdisk/1/5632 qemu",
		"[20261125T04:10:14.003Z]  A41248       w event   backend/qdisk/1/5632 qemu",
		"[20261125T04:10:14.004Z]  D0           w event   backend/qdisk/1/5632 "
		"FFFFFFFF8276B520",
		NULL,
	};
	struct cap c;
	struct vd_logparser *p = parser(&c, true);
	struct vd_connstat *s;
	size_t n;

	feed(p, lines);
	n = vd_logparser_stats(p, &s);
	assert_int_equal(n, 3);
	assert_string_equal(s[0].conn, "A41248");
	assert_int_equal(s[0].watch_events, 2);
	assert_int_equal(s[0].watches, 1);
	assert_string_equal(s[0].watched, "/local/domain/0/backend");
	assert_string_equal(s[1].conn, "D0");
	assert_true(s[1].kernel);
	assert_string_equal(s[2].conn, "A41354");
	assert_int_equal(s[2].writes, 1);
	free(s);
	vd_logparser_free(p);
}

/* ---- files ---- */

static char dir[] = "/tmp/vd-logtest-XXXXXX";

static char *path_in(const char *name)
{
	return vd_asprintf("%s/%s", dir, name);
}

static void write_file(const char *name, const char *text, bool gz)
{
	char *p = path_in(name);

	if (gz) {
		gzFile g = gzopen(p, "wb");

		assert_non_null(g);
		assert_int_equal(gzwrite(g, text, (unsigned)strlen(text)), (int)strlen(text));
		gzclose(g);
	} else {
		FILE *f = fopen(p, "w");

		assert_non_null(f);
		fputs(text, f);
		fclose(f);
	}
	free(p);
}

static int setup_dir(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	char *cmd = vd_asprintf("rm -rf '%s'", dir);
	int rc = system(cmd);

	free(cmd);
	return rc == 0 ? 0 : -1;
}

static const char *base_of(const char *p)
{
	return strrchr(p, '/') + 1;
}

static void test_rotation_order(void **state)
{
	char *arg = path_in("xenstored-access.log"), *one = path_in("xenstored-access.log.1");
	char *args[] = { arg, one }, **files;
	size_t n;
	struct vd_err err;

	write_file("xenstored-access.log",
		   "[20261125T04:10:19.000Z]  D0           write     backend/vif/1/0/state 4\n",
		   false);
	write_file("xenstored-access.log.1",
		   "[20261125T04:10:18.000Z]  D0           write     backend/vif/1/0/state 3\n",
		   false);
	write_file("xenstored-access.log.2.gz",
		   "[20261125T04:10:17.000Z]  D0           write     backend/vif/1/0/state 2\n",
		   true);
	write_file("xenstored-access.log.10",
		   "[20261125T04:10:16.000Z]  D0           write     backend/vif/1/0/frontend /x\n",
		   false);
	vd_err_clear(&err);
	assert_int_equal(vd_log_files(args, 2, &files, &n, &err), 0);
	assert_int_equal(n, 4);
	assert_string_equal(base_of(files[0]), "xenstored-access.log.10");
	assert_string_equal(base_of(files[1]), "xenstored-access.log.2.gz");
	assert_string_equal(base_of(files[2]), "xenstored-access.log.1");
	assert_string_equal(base_of(files[3]), "xenstored-access.log");

	/* read through, gzip included, in that order */
	struct cap c;
	struct vd_logrun run = { .parser = parser(&c, false) };

	assert_int_equal(vd_log_run(&run, files, n, &err), 0);
	assert_int_equal(c.n, 4);
	assert_string_equal(c.r[1].value, "2");
	assert_string_equal(c.r[3].value, "4");
	assert_int_equal(c.r[3].line, 1);
	vd_logparser_free(run.parser);
	vd_log_files_free(files, n);

	/* a rotated name alone is just that file; a missing file is a source error */
	args[0] = one;
	assert_int_equal(vd_log_files(args, 1, &files, &n, &err), 0);
	assert_int_equal(n, 1);
	vd_log_files_free(files, n);
	free(one);
	one = path_in("nope.log");
	args[1] = one;
	args[0] = arg;
	assert_int_equal(vd_log_files(args, 2, &files, &n, &err), -1);
	assert_int_equal(err.code, VD_EXIT_SOURCE);
	assert_non_null(strstr(err.msg, "nope.log: cannot read: No such file"));
	vd_log_files_free(files, n);
	free(arg);
	free(one);
}

static void test_unterminated_last_line(void **state)
{
	char *p = path_in("t.log");
	char *files[] = { p };
	struct cap c;
	struct vd_logrun run = { .parser = parser(&c, false) };
	struct vd_err err;

	write_file("t.log",
		   "IN 0x1 20261125 04:16:24 WRITE (/local/domain/1/device/vif/0/state 4)\r\n"
		   "IN 0x1 20261125 04:16:25 WRITE (/local/domain/1/device/vif/0/state 5)",
		   false);
	vd_err_clear(&err);
	assert_int_equal(vd_log_run(&run, files, 1, &err), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.r[0].value, "4");
	assert_int_equal(c.r[1].line, 2);
	vd_logparser_free(run.parser);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_access_relative_and_writers),
		cmocka_unit_test(test_access_only_vifs),
		cmocka_unit_test(test_access_same_second),
		cmocka_unit_test(test_smap_keys),
		cmocka_unit_test(test_access_transactions),
		cmocka_unit_test(test_access_escapes_cut_and_errors),
		cmocka_unit_test(test_at_paths_refused),
		cmocka_unit_test(test_malformed_lines),
		cmocka_unit_test(test_trace_417),
		cmocka_unit_test(test_trace_418_419_d0),
		cmocka_unit_test(test_trace_relative_domain_learnt),
		cmocka_unit_test(test_trace_only_vifs),
		cmocka_unit_test(test_trace_reopen_and_split_replies),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_rotation_order),
		cmocka_unit_test(test_unterminated_last_line),
	};

	setenv("TZ", "UTC", 1);
	return cmocka_run_group_tests_name("logparse", tests, setup_dir, remove_dir);
}
