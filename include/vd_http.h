/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A minimal HTTP/1.x server for `vifdiag metrics --listen`: GET and HEAD of /metrics
 * answered from a body the caller replaces whenever it likes; one request per connection.
 * Bounded so that no client can hold it: at most VD_HTTP_MAX_CONN connections (a new one
 * evicts the oldest that is still sending its request), a request head of at most VD_HTTP_MAX_REQ
 * bytes (else 431), VD_HTTP_TIMEOUT_MS from accept to the last byte of the answer (else closed),
 * never a blocking read or write. A body being sent stays alive until its answer is done, however
 * often it is replaced meanwhile. Single-threaded: the caller polls the descriptors.
 */
#ifndef VD_HTTP_H
#define VD_HTTP_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "vd_err.h"

#define VD_HTTP_MAX_CONN   16
#define VD_HTTP_MAX_REQ	   4096
#define VD_HTTP_TIMEOUT_MS 10000

struct vd_http;

/*
 * Listens on "ADDR:PORT", "[ADDR6]:PORT", ":PORT" or "PORT"; without an address on
 * 127.0.0.1 only. NULL with a usage error (bad address) or a source error (cannot bind).
 */
struct vd_http *vd_http_listen(const char *addr, struct vd_err *err);
/* The address it listens on, e.g. 127.0.0.1:19100. */
const char *vd_http_where(const struct vd_http *h);
/* The answer to GET /metrics from now on (copied). */
void vd_http_set_body(struct vd_http *h, const char *data, size_t len, const char *type);
/* Fills p (room for VD_HTTP_MAX_CONN + 1) with what to poll; returns how many. */
size_t vd_http_pollfds(const struct vd_http *h, struct pollfd *p);
/* Handles what poll reported in p[0..n) and closes connections past their deadline. */
void vd_http_serve(struct vd_http *h, const struct pollfd *p, size_t n, int64_t now_ms);
/* The earliest connection deadline (ms, monotonic), INT64_MAX when none. */
int64_t vd_http_deadline(const struct vd_http *h);
/* Connections open now, and answers given (for tests and the caller's own metrics). */
size_t vd_http_nconns(const struct vd_http *h);
void vd_http_close(struct vd_http *h);

/* Monotonic milliseconds, the clock of the deadlines above. */
int64_t vd_mono_ms(void);

#endif
