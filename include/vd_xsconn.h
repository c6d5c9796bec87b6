/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A libxenstore connection that cannot hang us: a watchdog thread cuts it (shutdown() of
 * the socket, which makes the blocked libxenstore call fail at once) when xenstored sends
 * no reply for timeout_s while a call is in progress (an inactivity timeout: a long walk
 * that keeps getting answers is never cut), or when *stop is set (Ctrl-C in watch).
 * Between calls (watch idle in ppoll) the watchdog sleeps without wake-ups.
 * On the xenbus device (no socket) nothing can interrupt a blocked read: no watchdog.
 */
#ifndef VD_XSCONN_H
#define VD_XSCONN_H

#include <signal.h>
#include <stdbool.h>

#include "vd_err.h"

struct xs_handle;
struct vd_xsconn;

/* xs_open(0) (honours XENSTORED_PATH); NULL with a VD_EXIT_SOURCE error saying where. */
struct vd_xsconn *vd_xsconn_open(unsigned timeout_s, volatile sig_atomic_t *stop,
				 struct vd_err *err);
struct xs_handle *vd_xsconn_handle(const struct vd_xsconn *c);
/* Calls that may block follow / are over. */
void vd_xsconn_arm(struct vd_xsconn *c);
void vd_xsconn_disarm(struct vd_xsconn *c);
/* A reply arrived (restarts the inactivity clock). */
void vd_xsconn_progress(struct vd_xsconn *c);
/* The watchdog cut the connection for silence (true), or for *stop. */
bool vd_xsconn_timed_out(const struct vd_xsconn *c);
bool vd_xsconn_stopped(const struct vd_xsconn *c);
/* Any reply on this connection yet. */
bool vd_xsconn_answered(const struct vd_xsconn *c);
unsigned vd_xsconn_timeout(const struct vd_xsconn *c);
void vd_xsconn_close(struct vd_xsconn *c);

/* The VD_EXIT_SOURCE messages for a connection that fails or is silent. */
void vd_xs_err_connect(struct vd_err *err, const char *why);
void vd_xs_err_timeout(struct vd_err *err, unsigned timeout_s);

/*
 * An idle connection of our own to the daemon's socket (xs_daemon_socket()): it gets EOF
 * when the daemon dies, which libxenstore's reader thread notices but tells nobody. -1
 * when there is no such socket (a kernel xenbus device: nothing to watch that way).
 */
int vd_xs_sentinel_open(void);

#endif
