// SPDX-License-Identifier: MIT
/*
 * Connections: socket clients (A<n>) and scenario domain writers (D<domid>,
 * no file descriptor), their input parsing and output queues.
 */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include "xsd.h"

/* Stop reading a client whose unread replies exceed this (backpressure). */
#define OUT_HIGH_WATER (1024 * 1024)
/* Messages handled per connection per poll round, so clients take turns. */
#define MSGS_PER_ROUND 16

struct conn *g_conns;
static struct conn *g_conns_tail;
static unsigned int anon_next = 1;

static int flush_out(struct conn *c);

struct conn *conn_new(int fd, bool is_domain, uint32_t domid)
{
	struct conn *c = xcalloc(1, sizeof(*c));

	c->fd = fd;
	c->is_domain = is_domain;
	c->domid = is_domain ? domid : 0;
	if (is_domain)
		snprintf(c->name, sizeof(c->name), "D%u", domid);
	else
		snprintf(c->name, sizeof(c->name), "A%u", anon_next++);
	snprintf(c->implicit, sizeof(c->implicit), "/local/domain/%u", c->domid);
	c->out_tail = &c->out_head;
	c->watch_tail = &c->watches;
	c->st = stats_new(c->name);
	if (fd >= 0)
		c->cst = client_stats_for_fd(fd);
	/* Creation order is the order watch events are generated in. */
	c->prev = g_conns_tail;
	if (g_conns_tail)
		g_conns_tail->next = c;
	else
		g_conns = c;
	g_conns_tail = c;
	trace_line("CREATE connection %p\n", (void *)c);
	access_line(c->name, 0, "newconn  ", "", 0);
	return c;
}

static void msg_free(struct msg *m)
{
	free(m->body);
	free(m);
}

static void drop_output(struct conn *c)
{
	struct msg *m;

	while ((m = c->out_head)) {
		c->out_head = m->next;
		msg_free(m);
	}
	c->out_tail = &c->out_head;
	c->out_bytes = 0;
}

void conn_destroy(struct conn *c)
{
	/* Like destroy_conn(): flush what can go out without blocking. */
	if (c->fd >= 0) {
		flush_out(c);
		close(c->fd);
	}
	drop_output(c);
	watches_free(c);
	if (c->prev)
		c->prev->next = c->next;
	else
		g_conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		g_conns_tail = c->prev;
	trace_line("DESTROY connection %p\n", (void *)c);
	while (c->txns)
		txn_destroy(c->txns);
	access_line(c->name, 0, "endconn  ", "", 0);
	/* also now: a daemon killed later (a fault test) still leaves what this client did */
	if (c->cst && g_client_stats)
		client_stats_write(g_client_stats);
	free(c->in);
	free(c);
}

/* ignore_connection(): a protocol violation or I/O error drops the client. */
void conn_ignore(struct conn *c, unsigned int reason)
{
	trace_line("CONN %p ignored, reason %u\n", (void *)c, reason);
	/* ignore_connection() frees the queued output before the connection. */
	drop_output(c);
	conn_destroy(c);
}

bool conn_priv(const struct conn *c)
{
	return !c->is_domain || c->domid == 0;
}

/* perm_for_conn(): tools and owners get everything, else the entry for us or the default. */
unsigned int perm_for_conn(const struct conn *c, const struct perm *p, unsigned int n)
{
	const unsigned int mask = P_READ | P_WRITE | P_OWNER;
	unsigned int i;

	if (conn_priv(c) || p[0].id == c->domid)
		return mask;
	for (i = 1; i < n; i++)
		if (p[i].id == c->domid)
			return p[i].perms & mask;
	return p[0].perms & mask;
}

char *canonicalize(const struct conn *c, const char *path)
{
	if (path[0] == '/' || path[0] == '@')
		return xstrdup(path);
	return xasprintf("%s/%s", c->implicit, path);
}

struct conn *conn_find_domain(uint32_t domid)
{
	struct conn *c;

	for (c = g_conns; c; c = c->next)
		if (c->is_domain && c->domid == domid)
			return c;
	return NULL;
}

void conn_queue(struct conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id,
		const void *data, size_t len)
{
	struct msg *m = xcalloc(1, sizeof(*m));

	m->hdr.type = type;
	m->hdr.req_id = req_id;
	m->hdr.tx_id = tx_id;
	m->hdr.len = (uint32_t)len;
	m->body = xmemdup(data, len);
	*c->out_tail = m;
	c->out_tail = &m->next;
	c->out_bytes += sizeof(m->hdr) + len;
}

/* Write one message; returns 1 when done, 0 when the socket is full, -1 on error. */
static int write_msg(struct conn *c, struct msg *m)
{
	size_t hl = sizeof(m->hdr), total = hl + m->hdr.len;
	struct iovec iov[2];
	int n = 0;
	ssize_t w;

	if (c->fd < 0) /* a scenario writer: nobody reads its replies */
		return 1;
	while (m->done < total) {
		n = 0;
		if (m->done < hl) {
			iov[n].iov_base = (char *)&m->hdr + m->done;
			iov[n++].iov_len = hl - m->done;
		}
		iov[n].iov_base = m->body + (m->done > hl ? m->done - hl : 0);
		iov[n++].iov_len = total - (m->done > hl ? m->done : hl);
		w = writev(c->fd, iov, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno == EAGAIN ? 0 : -1;
		m->done += (size_t)w;
	}
	return 1;
}

/* Writes queued messages until the socket is full; -1 on a write error. */
static int flush_out(struct conn *c)
{
	struct msg *m;
	int ret;

	while ((m = c->out_head)) {
		if (!m->announced) {
			access_answer(c, &m->hdr, m->body);
			m->announced = true;
		}
		ret = write_msg(c, m);
		if (ret <= 0)
			return ret;
		/* C xenstored traces OUT once the whole message is written. */
		trace_io(c, &m->hdr, m->body, true);
		c->out_head = m->next;
		if (!c->out_head)
			c->out_tail = &c->out_head;
		c->out_bytes -= sizeof(m->hdr) + m->hdr.len;
		msg_free(m);
	}
	return 1;
}

/* Returns false if the connection had to be dropped (and is freed). */
bool conn_flush(struct conn *c)
{
	if (flush_out(c) >= 0)
		return true;
	conn_ignore(c, XENSTORE_ERROR_RINGIDX);
	return false;
}

bool conn_wants_input(const struct conn *c)
{
	return c->fd >= 0 && c->out_bytes < OUT_HIGH_WATER;
}

/* read() as readfd() sees it: 0 bytes is the end of the connection. */
static ssize_t read_some(struct conn *c, void *p, size_t n)
{
	ssize_t r;

	do
		r = read(c->fd, p, n);
	while (r < 0 && errno == EINTR);
	if (r < 0 && errno == EAGAIN)
		return 0;
	if (r == 0)
		return -1;
	return r;
}

/* Reads one message; 1 when one is complete, 0 for more later, -1 if dropped. */
static int read_msg(struct conn *c)
{
	ssize_t r;

	if (!c->in_body) {
		r = read_some(c, (char *)&c->hdr + c->hdr_used, sizeof(c->hdr) - c->hdr_used);
		if (r < 0)
			goto bad;
		c->hdr_used += (size_t)r;
		if (c->hdr_used < sizeof(c->hdr))
			return 0;
		if (c->hdr.len > XENSTORE_PAYLOAD_MAX) {
			conn_ignore(c, XENSTORE_ERROR_PROTO);
			return -1;
		}
		c->in = xmalloc(c->hdr.len + 1);
		c->in_used = 0;
		c->in_body = true;
	}
	if (c->in_used < c->hdr.len) {
		r = read_some(c, c->in + c->in_used, c->hdr.len - c->in_used);
		if (r < 0)
			goto bad;
		c->in_used += (size_t)r;
	}
	return c->in_used == c->hdr.len;
bad:
	conn_ignore(c, XENSTORE_ERROR_RINGIDX);
	return -1;
}

/* Returns false if the connection was dropped. */
bool conn_handle_input(struct conn *c)
{
	struct xsd_sockmsg hdr;
	char *body;
	int i, ret;

	for (i = 0; i < MSGS_PER_ROUND && conn_wants_input(c); i++) {
		ret = read_msg(c);
		if (ret <= 0)
			return ret == 0;
		hdr = c->hdr;
		body = c->in;
		body[hdr.len] = '\0';
		c->in = NULL;
		c->in_body = false;
		c->hdr_used = 0;
		if (g_reply_delay_ms && !c->is_domain) {
			struct timespec ts = { g_reply_delay_ms / 1000,
					       (g_reply_delay_ms % 1000) * 1000000L };

			nanosleep(&ts, NULL);
		}
		process_message(c, &hdr, body);
		free(body);
		rm_trigger_check();
	}
	return true;
}

unsigned long g_rm_after;
const char *g_rm_path;

/*
 * --rm-after N:PATH: once socket clients have sent N requests, a toolstack connection of
 * our own removes PATH (a domain destroyed while a client walks it), exactly once.
 */
void rm_trigger_check(void)
{
	static unsigned long seen;
	static struct conn *tool;
	struct xsd_sockmsg hdr = { XS_RM, 1, 0, 0 };
	char *body;

	if (!g_rm_path || ++seen != g_rm_after)
		return;
	if (!tool)
		tool = conn_new(-1, false, 0);
	hdr.len = (uint32_t)strlen(g_rm_path) + 1;
	body = xmemdup(g_rm_path, hdr.len);
	if (process_message(tool, &hdr, body))
		fprintf(stderr, "vd-xenstored: --rm-after: cannot remove %s\n", g_rm_path);
	free(body);
	drop_output(tool);
}
