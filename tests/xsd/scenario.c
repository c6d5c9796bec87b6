// SPDX-License-Identifier: MIT
/*
 * --scenario: a line-based script of timed store changes, each made by a
 * writer connection as the real one would make it (see README.md):
 *   D0 write backend/vif/1/0/state 2
 *   A  write /local/domain/0/backend/vif/1/0/online 0
 *   sleep 20ms
 *   await-watch /local/domain
 * Requests go through the same handler as socket clients, so they are
 * permission-checked, logged and fire watches exactly like those.
 */
#include <stdlib.h>
#include <string.h>
#include "xsd.h"

enum step_kind { S_REQ, S_BEGIN, S_END, S_CLOSE, S_SLEEP, S_AWAIT, S_RELEASE, S_EXIT };

struct writer {
	char *key; /* "D0", "A:tool" */
	bool is_domain;
	uint32_t domid;
	struct conn *conn; /* socket-like writers only; domains are looked up */
	uint32_t tx, req_id;
	bool tx_open; /* while parsing */
};

struct step {
	unsigned int line;
	enum step_kind kind;
	struct writer *w;
	uint32_t type;
	struct buf payload;
	char *path; /* await-watch */
	long ms;
	uint32_t domid;
};

/* Writer operations: name, wire type, arguments (min, max; -1: rest of line). */
static const struct op {
	const char *name;
	uint32_t type;
	int min, max;
	const char *usage;
} ops[] = {
	{ "write", XS_WRITE, 1, -1, "write PATH [VALUE]" },
	{ "mkdir", XS_MKDIR, 1, 1, "mkdir PATH" },
	{ "rm", XS_RM, 1, 1, "rm PATH" },
	{ "read", XS_READ, 1, 1, "read PATH" },
	{ "directory", XS_DIRECTORY, 1, 1, "directory PATH" },
	{ "getperms", XS_GET_PERMS, 1, 1, "getperms PATH" },
	{ "setperms", XS_SET_PERMS, 2, 64, "setperms PATH PERM..." },
	{ "watch", XS_WATCH, 2, 2, "watch PATH TOKEN" },
	{ "unwatch", XS_UNWATCH, 2, 2, "unwatch PATH TOKEN" },
	{ "introduce", XS_INTRODUCE, 1, 3, "introduce DOMID [GFN PORT]" },
	{ "release", XS_RELEASE, 1, 1, "release DOMID" },
	{ "getdomainpath", XS_GET_DOMAIN_PATH, 1, 1, "getdomainpath DOMID" },
	{ "isintroduced", XS_IS_DOMAIN_INTRODUCED, 1, 1, "isintroduced DOMID" },
	{ "reset-watches", XS_RESET_WATCHES, 0, 0, "reset-watches" },
	{ "begin", XS_TRANSACTION_START, 0, 0, "begin" },
	{ "commit", XS_TRANSACTION_END, 0, 0, "commit" },
	{ "abort", XS_TRANSACTION_END, 0, 0, "abort" },
	{ "close", XS_INVALID, 0, 0, "close" },
};

static char *sc_file;
static struct step *steps;
static size_t nsteps, cur;
static struct writer **writers;
static size_t nwriters;
static uint64_t sleep_until;

static char *next_tok(char **p)
{
	char *s = *p + strspn(*p, " \t"), *e;

	if (!*s)
		return NULL;
	e = s + strcspn(s, " \t");
	*p = *e ? e + 1 : e;
	*e = '\0';
	return s;
}

static struct writer *get_writer(const char *key)
{
	struct writer *w;
	size_t i;

	for (i = 0; i < nwriters; i++)
		if (!strcmp(writers[i]->key, key))
			return writers[i];
	w = xcalloc(1, sizeof(*w));
	w->key = xstrdup(key);
	w->is_domain = key[0] == 'D';
	w->domid = w->is_domain ? (uint32_t)atoi(key + 1) : 0;
	writers = xrealloc(writers, (nwriters + 1) * sizeof(*writers));
	writers[nwriters++] = w;
	return w;
}

static bool writer_syntax(const char *s)
{
	if (s[0] == 'D')
		return s[1] && strspn(s + 1, "0123456789") == strlen(s + 1) && strlen(s) < 7;
	if (!strcmp(s, "A"))
		return true;
	return !strncmp(s, "A:", 2) && s[2] && strlen(s) < 40;
}

static const struct op *find_op(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(ops[i].name, name))
			return &ops[i];
	return NULL;
}

/* The wire payload: NUL-terminated arguments; a write's value has no NUL. */
static const char *build_payload(const struct op *op, char *rest, struct step *s)
{
	char *a, *val;
	int n = 0;

	if (op->max < 0) { /* write PATH [VALUE] */
		a = next_tok(&rest);
		if (!a)
			return op->usage;
		buf_addz(&s->payload, a);
		val = xmalloc(strlen(rest) + 1);
		buf_add(&s->payload, val, unescape_value(rest, val));
		free(val);
		return NULL;
	}
	while ((a = next_tok(&rest))) {
		if (++n > op->max)
			return op->usage;
		buf_addz(&s->payload, a);
	}
	if (n < op->min || (op->type == XS_INTRODUCE && n == 2))
		return op->usage;
	if (op->type == XS_INTRODUCE && n == 1) {
		buf_addz(&s->payload, "0"); /* gfn: unused by xenstored */
		buf_addz(&s->payload, "1"); /* event channel: must be > 0 */
	}
	if (op->type == XS_RESET_WATCHES)
		buf_add(&s->payload, "", 1);
	return NULL;
}

static const char *parse_tx(const struct op *op, struct step *s)
{
	struct writer *w = s->w;

	if (op->type == XS_TRANSACTION_START) {
		if (w->tx_open)
			return "no 'begin' while a transaction of this writer is open";
		w->tx_open = true;
		s->kind = S_BEGIN;
		return NULL;
	}
	if (!w->tx_open)
		return "'begin' before 'commit' or 'abort'";
	w->tx_open = false;
	s->kind = S_END;
	buf_addz(&s->payload, strcmp(op->name, "commit") ? "F" : "T");
	return NULL;
}

static const char *parse_writer_step(const char *who, char *rest, struct step *s)
{
	const char *opname = next_tok(&rest);
	const struct op *op = opname ? find_op(opname) : NULL;

	if (!op)
		return "an operation (write, mkdir, rm, setperms, watch, begin, commit, ...)";
	s->w = get_writer(strcmp(who, "A") ? who : "A:tool");
	s->type = op->type;
	s->kind = S_REQ;
	if (op->type == XS_TRANSACTION_START || op->type == XS_TRANSACTION_END)
		return next_tok(&rest) ? op->usage : parse_tx(op, s);
	if (op->type == XS_INVALID) {
		s->kind = S_CLOSE;
		s->w->tx_open = false;
		return s->w->is_domain ? "'close' only for A writers" : NULL;
	}
	return build_payload(op, rest, s);
}

static const char *parse_directive(const char *word, char *rest, struct step *s)
{
	char *a = next_tok(&rest), *extra = next_tok(&rest);

	if (!strcmp(word, "sleep")) {
		s->kind = S_SLEEP;
		return !a || extra || parse_duration_ms(a, &s->ms) ? "'sleep DURATION' (20ms, 1.5s)"
								   : NULL;
	}
	if (!strcmp(word, "await-watch")) {
		s->kind = S_AWAIT;
		s->path = a ? xstrdup(a) : NULL;
		if (extra || (a && a[0] != '/' && a[0] != '@'))
			return "'await-watch [ABSPATH]'";
		return NULL;
	}
	if (!strcmp(word, "release")) {
		s->kind = S_RELEASE;
		s->domid = a ? (uint32_t)atoi(a) : 0;
		if (!a || extra || strspn(a, "0123456789") != strlen(a))
			return "'release DOMID'";
		return NULL;
	}
	s->kind = S_EXIT;
	return a ? "'exit' alone" : NULL;
}

static const char *parse_step(char *line, struct step *s)
{
	static const char *const directives[] = { "sleep", "await-watch", "release", "exit" };
	char *rest = line, *word = next_tok(&rest);
	size_t i;

	for (i = 0; i < sizeof(directives) / sizeof(directives[0]); i++)
		if (!strcmp(word, directives[i]))
			return parse_directive(word, rest, s);
	if (!writer_syntax(word))
		return "a writer (A, A:NAME, D<domid>) or sleep/await-watch/release/exit";
	return parse_writer_step(word, rest, s);
}

int scenario_load(const char *file)
{
	FILE *f = fopen(file, "r");
	char *line = NULL, *p;
	const char *err = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned int lineno = 0;
	struct step s;

	if (!f) {
		fprintf(stderr, "%s: %s\n", file, strerror(errno));
		return -1;
	}
	sc_file = xstrdup(file);
	while (!err && (n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		p = line + strspn(line, " \t");
		if (!*p || *p == '#')
			continue;
		memset(&s, 0, sizeof(s));
		s.line = lineno;
		err = parse_step(p, &s);
		steps = xrealloc(steps, (nsteps + 1) * sizeof(*steps));
		steps[nsteps++] = s;
	}
	if (err)
		fprintf(stderr, "%s:%u: expected %s\n", file, lineno, err);
	free(line);
	fclose(f);
	return err ? -1 : 0;
}

static struct conn *writer_conn(struct writer *w)
{
	struct conn *c;

	if (!w->is_domain) {
		if (!w->conn)
			w->conn = conn_new(-1, false, 0);
		return w->conn;
	}
	c = conn_find_domain(w->domid);
	return c ? c : conn_new(-1, true, w->domid);
}

static void warn_step(const struct step *s, const char *what, int err)
{
	fprintf(stderr, "%s:%u: %s %s: %s\n", sc_file, s->line, s->w ? s->w->key : "", what,
		errno_name(err));
}

static void run_request(struct step *s)
{
	struct conn *c = writer_conn(s->w);
	struct xsd_sockmsg hdr = { s->type, ++s->w->req_id, s->w->tx, (uint32_t)s->payload.len };
	char *body = xmemdup(s->payload.p ? s->payload.p : "", s->payload.len);
	int err;

	if (s->kind == S_BEGIN)
		hdr.tx_id = 0;
	err = process_message(c, &hdr, body);
	free(body);
	if (s->kind == S_BEGIN && !err)
		s->w->tx = txn_id(c->txns); /* the newest transaction is first */
	if (s->kind == S_END)
		s->w->tx = 0;
	if (err)
		warn_step(s, type_name(s->type), err);
}

/* Runs at most one step; returns ms until the next is due, -1 when waiting for an event. */
long scenario_run(bool *want_exit)
{
	struct step *s;
	uint64_t now;
	int err;

	if (cur >= nsteps)
		return -1;
	s = &steps[cur];
	switch (s->kind) {
	case S_SLEEP:
		now = now_ms();
		if (!sleep_until)
			sleep_until = now + (uint64_t)s->ms;
		if (now < sleep_until)
			return (long)(sleep_until - now);
		sleep_until = 0;
		break;
	case S_AWAIT:
		if (!any_watch_on(s->path))
			return -1;
		break;
	case S_RELEASE:
		err = domain_release(s->domid);
		if (err)
			warn_step(s, "release", err);
		break;
	case S_EXIT:
		*want_exit = true;
		break;
	case S_CLOSE:
		if (s->w->conn)
			conn_destroy(s->w->conn);
		s->w->conn = NULL;
		s->w->tx = 0;
		break;
	default:
		run_request(s);
	}
	cur++;
	return 0;
}

void scenario_free(void)
{
	size_t i;

	for (i = 0; i < nsteps; i++) {
		buf_free(&steps[i].payload);
		free(steps[i].path);
	}
	for (i = 0; i < nwriters; i++) {
		free(writers[i]->key);
		free(writers[i]);
	}
	free(steps);
	free(writers);
	free(sc_file);
}
