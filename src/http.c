// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The bounded HTTP server of vd_http.h. Everything is non-blocking; a connection is read
 * until the end of its request head, answered, and closed. Bodies are shared by reference
 * count, so a slow reader keeps its copy without the server holding one per client.
 */
#include "vd_http.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "vd_util.h"

struct body {
	unsigned refs;
	size_t len;
	char *type;
	char data[];
};

struct conn {
	int fd;
	int64_t deadline;
	char req[VD_HTTP_MAX_REQ];
	size_t rlen;
	char head[256]; /* the status line and headers of the answer */
	size_t hlen;
	struct body *body; /* NULL: no body (HEAD, errors carry theirs in head) */
	size_t off;	   /* bytes of head + body sent */
	bool answering;
};

struct vd_http {
	int fd;
	char where[80];
	struct body *cur;
	struct conn conns[VD_HTTP_MAX_CONN];
	size_t nconns;
};

int64_t vd_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void body_put(struct body *b)
{
	if (b && --b->refs == 0) {
		free(b->type);
		free(b);
	}
}

/* Splits ADDR:PORT; the address part is NULL for ":PORT" and "PORT". */
static int split_addr(const char *arg, char **host, char **port, struct vd_err *err)
{
	const char *colon = strrchr(arg, ':');
	unsigned long pn;

	*host = NULL;
	if (arg[0] == '[') {
		const char *end = strchr(arg, ']');

		if (!end || end[1] != ':')
			goto bad;
		*host = vd_strndup(arg + 1, (size_t)(end - arg - 1));
		colon = end + 1;
	} else if (colon && colon != arg) {
		*host = vd_strndup(arg, (size_t)(colon - arg));
	}
	*port = vd_strdup(colon ? colon + 1 : arg);
	if (vd_parse_uint_str(*port, 65535, &pn) && pn > 0)
		return 0;
	free(*host);
	free(*port);
bad:
	vd_err_set(err, VD_EXIT_USAGE,
		   "--listen: expected ADDR:PORT, [ADDR6]:PORT or :PORT (port 1-65535), not '%s'",
		   arg);
	return -1;
}

struct vd_http *vd_http_listen(const char *arg, struct vd_err *err)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE };
	struct addrinfo *ai = NULL;
	struct vd_http *h;
	char *host, *port, hbuf[64], pbuf[8];
	int fd = -1, one = 1, e;

	if (split_addr(arg, &host, &port, err) < 0)
		return NULL;
	e = getaddrinfo(host ? host : "127.0.0.1", port, &hints, &ai);
	if (e) {
		vd_err_set(err, VD_EXIT_USAGE, "--listen: '%s' is no numeric address: %s",
			   host ? host : "127.0.0.1", gai_strerror(e));
		goto out;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 64) != 0) {
		vd_err_set(err, VD_EXIT_INTERNAL, "--listen %s: cannot listen there: %s", arg,
			   strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
		goto out;
	}
out:
	if (fd < 0) {
		if (ai)
			freeaddrinfo(ai);
		free(host);
		free(port);
		return NULL;
	}
	h = vd_calloc(1, sizeof(*h));
	h->fd = fd;
	if (getnameinfo(ai->ai_addr, ai->ai_addrlen, hbuf, sizeof(hbuf), pbuf, sizeof(pbuf),
			NI_NUMERICHOST | NI_NUMERICSERV) == 0)
		snprintf(h->where, sizeof(h->where),
			 ai->ai_family == AF_INET6 ? "[%s]:%s" : "%s:%s", hbuf, pbuf);
	freeaddrinfo(ai);
	free(host);
	free(port);
	vd_http_set_body(h, "", 0, "text/plain");
	return h;
}

const char *vd_http_where(const struct vd_http *h)
{
	return h->where;
}

void vd_http_set_body(struct vd_http *h, const char *data, size_t len, const char *type)
{
	struct body *b = vd_malloc(sizeof(*b) + len + 1);

	b->refs = 1;
	b->len = len;
	b->type = vd_strdup(type);
	memcpy(b->data, data, len);
	b->data[len] = '\0';
	body_put(h->cur);
	h->cur = b;
}

size_t vd_http_pollfds(const struct vd_http *h, struct pollfd *p)
{
	size_t n = 0;

	p[n++] = (struct pollfd){ .fd = h->fd, .events = POLLIN };
	for (size_t i = 0; i < h->nconns; i++)
		p[n++] = (struct pollfd){ .fd = h->conns[i].fd,
					  .events = h->conns[i].answering ? POLLOUT : POLLIN };
	return n;
}

static void drop(struct vd_http *h, size_t i)
{
	close(h->conns[i].fd);
	body_put(h->conns[i].body);
	h->conns[i] = h->conns[--h->nconns];
}

static void answer(struct vd_http *h, struct conn *c, int status, const char *reason,
		   const char *msg, const char *extra, bool head_only)
{
	struct body *b = status == 200 ? h->cur : NULL;
	size_t blen = b ? b->len : strlen(msg) + 1;

	c->hlen = (size_t)snprintf(c->head, sizeof(c->head),
				   "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
				   "%sConnection: close\r\n\r\n%s%s",
				   status, reason, b ? b->type : "text/plain; charset=utf-8", blen,
				   extra ? extra : "", head_only || b ? "" : msg,
				   head_only || b ? "" : "\n");
	if (c->hlen >= sizeof(c->head))
		c->hlen = sizeof(c->head) - 1;
	if (b && !head_only) {
		b->refs++;
		c->body = b;
	}
	c->answering = true;
	c->off = 0;
}

/* The request head is complete: which answer. */
static void route(struct vd_http *h, struct conn *c)
{
	char method[8], target[256], version[16];
	char *line_end = memchr(c->req, '\n', c->rlen);
	bool head;
	size_t plen;

	*line_end = '\0';
	if (sscanf(c->req, "%7s %255s %15s", method, target, version) != 3 ||
	    !vd_startswith(version, "HTTP/1.")) {
		answer(h, c, 400, "Bad Request", "expected a request line: METHOD PATH HTTP/1.x",
		       NULL, false);
		return;
	}
	head = strcmp(method, "HEAD") == 0;
	if (!head && strcmp(method, "GET") != 0) {
		answer(h, c, 405, "Method Not Allowed", "only GET and HEAD", "Allow: GET, HEAD\r\n",
		       false);
		return;
	}
	plen = strcspn(target, "?");
	if (plen == strlen("/metrics") && strncmp(target, "/metrics", plen) == 0)
		answer(h, c, 200, "OK", "", NULL, head);
	else
		answer(h, c, 404, "Not Found", "the metrics are at /metrics", NULL, head);
}

static bool head_complete(const struct conn *c)
{
	for (size_t i = 0; i + 1 < c->rlen; i++)
		if (c->req[i] == '\n' &&
		    (c->req[i + 1] == '\n' ||
		     (c->req[i + 1] == '\r' && i + 2 < c->rlen && c->req[i + 2] == '\n')))
			return true;
	return false;
}

/* false: the connection is done (closed by the peer, an error, or answered). */
static bool on_readable(struct vd_http *h, struct conn *c)
{
	ssize_t n = recv(c->fd, c->req + c->rlen, sizeof(c->req) - c->rlen, MSG_DONTWAIT);

	if (n < 0)
		return errno == EAGAIN || errno == EINTR;
	if (n == 0)
		return false;
	c->rlen += (size_t)n;
	if (head_complete(c))
		route(h, c);
	else if (c->rlen == sizeof(c->req))
		answer(h, c, 431, "Request Header Fields Too Large", "request head over 4096 bytes",
		       NULL, false);
	return true;
}

static bool on_writable(struct conn *c)
{
	size_t total = c->hlen + (c->body ? c->body->len : 0);

	while (c->off < total) {
		const char *p =
			c->off < c->hlen ? c->head + c->off : c->body->data + (c->off - c->hlen);
		size_t len = c->off < c->hlen ? c->hlen - c->off : total - c->off;
		ssize_t n = send(c->fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0)
			return errno == EAGAIN || errno == EINTR;
		c->off += (size_t)n;
	}
	return false;
}

/* The oldest connection that has not sent a whole request yet, or -1. */
static long oldest_reader(const struct vd_http *h)
{
	long k = -1;

	for (size_t i = 0; i < h->nconns; i++)
		if (!h->conns[i].answering &&
		    (k < 0 || h->conns[i].deadline < h->conns[k].deadline))
			k = (long)i;
	return k;
}

/*
 * When every slot is taken, a new client evicts the oldest one still sending its request:
 * idle or slow clients cannot keep a scraper out (a real request takes milliseconds).
 */
static void accept_all(struct vd_http *h, int64_t now)
{
	for (;;) {
		int fd = accept4(h->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct conn *c;
		long victim;

		if (fd < 0)
			return;
		if (h->nconns == VD_HTTP_MAX_CONN) {
			victim = oldest_reader(h);
			if (victim < 0) {
				close(fd); /* all busy answering: the client retries */
				continue;
			}
			drop(h, (size_t)victim);
		}
		c = &h->conns[h->nconns++];
		memset(c, 0, sizeof(*c));
		c->fd = fd;
		c->deadline = now + VD_HTTP_TIMEOUT_MS;
	}
}

void vd_http_serve(struct vd_http *h, const struct pollfd *p, size_t n, int64_t now)
{
	/* connections first: accepting reorders the array */
	for (size_t k = 0; k < n; k++) {
		for (size_t i = 0; i < h->nconns; i++) {
			struct conn *c = &h->conns[i];
			bool keep = true;

			if (c->fd != p[k].fd || !p[k].revents)
				continue;
			if (!c->answering && (p[k].revents & (POLLIN | POLLHUP | POLLERR)))
				keep = on_readable(h, c);
			if (keep && c->answering &&
			    (p[k].revents & (POLLOUT | POLLHUP | POLLERR) || c->off == 0))
				keep = on_writable(c);
			if (!keep)
				drop(h, i);
			break;
		}
	}
	for (size_t i = h->nconns; i-- > 0;)
		if (h->conns[i].deadline <= now)
			drop(h, i);
	for (size_t k = 0; k < n; k++)
		if (p[k].fd == h->fd && (p[k].revents & POLLIN))
			accept_all(h, now);
}

int64_t vd_http_deadline(const struct vd_http *h)
{
	int64_t d = INT64_MAX;

	for (size_t i = 0; i < h->nconns; i++)
		if (h->conns[i].deadline < d)
			d = h->conns[i].deadline;
	return d;
}

size_t vd_http_nconns(const struct vd_http *h)
{
	return h->nconns;
}

void vd_http_close(struct vd_http *h)
{
	if (!h)
		return;
	while (h->nconns)
		drop(h, h->nconns - 1);
	close(h->fd);
	body_put(h->cur);
	free(h);
}
