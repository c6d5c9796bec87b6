// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A libxenstore connection with an inactivity watchdog (vd_xsconn.h). libxenstore blocks in
 * read() (retrying on EINTR) or on a condition variable until xenstored answers; the only
 * thing that ends such a wait is the connection ending, so the watchdog shuts our duplicate
 * of the socket down: libxenstore sees EOF, fails the call and closes its end, and nothing
 * is left running (no abandoned thread, nothing leaked).
 */
#include "vd_xsconn.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <xenstore.h>

#include "vd_util.h"

/* How often a pending *stop is looked at while a call is in progress. */
#define STOP_POLL_MS 100

struct vd_xsconn {
	struct xs_handle *xs;
	int sock; /* our duplicate of libxenstore's socket, -1 if it is not one */
	unsigned timeout_s;
	volatile sig_atomic_t *stop;
	atomic_ulong replies;
	pthread_t th;
	bool th_ok;
	pthread_mutex_t lock;
	pthread_cond_t cv;
	/* under lock */
	unsigned armed; /* nesting depth of arm calls */
	bool quit;
	unsigned long seen;
	int64_t seen_at;
	atomic_bool timed_out, stopped;
};

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void cut(struct vd_xsconn *c, bool for_stop)
{
	atomic_store(for_stop ? &c->stopped : &c->timed_out, true);
	shutdown(c->sock, SHUT_RDWR);
	c->armed = 0;
}

static void *watchdog(void *arg)
{
	struct vd_xsconn *c = arg;

	pthread_mutex_lock(&c->lock);
	while (!c->quit) {
		int64_t now = mono_ms(), next = INT64_MAX;
		unsigned long r;

		if (!c->armed) {
			pthread_cond_wait(&c->cv, &c->lock);
			continue;
		}
		r = atomic_load(&c->replies);
		if (r != c->seen) {
			c->seen = r;
			c->seen_at = now;
		}
		if (c->stop && *c->stop) {
			cut(c, true);
			continue;
		}
		if (c->timeout_s && now - c->seen_at >= (int64_t)c->timeout_s * 1000) {
			cut(c, false);
			continue;
		}
		if (c->timeout_s)
			next = c->seen_at + (int64_t)c->timeout_s * 1000;
		if (c->stop && now + STOP_POLL_MS < next)
			next = now + STOP_POLL_MS;
		struct timespec ts = { (time_t)(next / 1000), (long)(next % 1000) * 1000000L };

		pthread_cond_timedwait(&c->cv, &c->lock, &ts);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

void vd_xs_err_connect(struct vd_err *err, const char *why)
{
	const char *p = getenv("XENSTORED_PATH");

	vd_err_set(err, VD_EXIT_SOURCE,
		   "cannot connect to xenstored (%s%s): %s; to read a saved dump instead "
		   "use --from FILE (made with 'xenstore-ls -fp > FILE')",
		   p ? "XENSTORED_PATH=" : "/run/xenstored/socket or /dev/xen/xenbus", p ? p : "",
		   why);
}

void vd_xs_err_timeout(struct vd_err *err, unsigned timeout_s)
{
	const char *p = getenv("XENSTORED_PATH");

	vd_err_set(err, VD_EXIT_SOURCE,
		   "xenstored (%s) did not answer within %u s: it is hung or overloaded "
		   "(check its CPU use and log; --timeout SECS waits longer, 0 forever)",
		   p ? p : "/run/xenstored/socket or /dev/xen/xenbus", timeout_s);
}

/* libxenstore's socket: the lowest free descriptor when xs_open ran, if it is a socket. */
static int find_socket(int probe)
{
	struct stat st;

	if (probe < 0 || fstat(probe, &st) != 0 || !S_ISSOCK(st.st_mode))
		return -1;
	return fcntl(probe, F_DUPFD_CLOEXEC, 0);
}

struct vd_xsconn *vd_xsconn_open(unsigned timeout_s, volatile sig_atomic_t *stop,
				 struct vd_err *err)
{
	struct vd_xsconn *c;
	struct xs_handle *xs;
	int probe = open("/dev/null", O_RDONLY | O_CLOEXEC);
	sigset_t all, old;
	pthread_condattr_t ca;

	if (probe >= 0)
		close(probe);
	xs = xs_open(0);
	if (!xs) {
		vd_xs_err_connect(err, strerror(errno));
		return NULL;
	}
	c = vd_calloc(1, sizeof(*c));
	c->xs = xs;
	c->timeout_s = timeout_s;
	c->stop = stop;
	c->sock = find_socket(probe);
	atomic_init(&c->replies, 0);
	atomic_init(&c->timed_out, false);
	atomic_init(&c->stopped, false);
	if (c->sock < 0 || (!timeout_s && !stop))
		return c;
	pthread_mutex_init(&c->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->cv, &ca);
	pthread_condattr_destroy(&ca);
	/* the signals stay with the thread that waits for them */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	c->th_ok = pthread_create(&c->th, NULL, watchdog, c) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!c->th_ok) {
		pthread_cond_destroy(&c->cv);
		pthread_mutex_destroy(&c->lock);
	}
	return c;
}

struct xs_handle *vd_xsconn_handle(const struct vd_xsconn *c)
{
	return c->xs;
}

static void set_armed(struct vd_xsconn *c, bool on)
{
	if (!c->th_ok)
		return;
	pthread_mutex_lock(&c->lock);
	if (!atomic_load(&c->timed_out) && !atomic_load(&c->stopped)) {
		if (on && !c->armed++) {
			c->seen = atomic_load(&c->replies);
			c->seen_at = mono_ms();
		} else if (!on && c->armed) {
			c->armed--;
		}
	}
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->lock);
}

void vd_xsconn_arm(struct vd_xsconn *c)
{
	set_armed(c, true);
}

void vd_xsconn_disarm(struct vd_xsconn *c)
{
	set_armed(c, false);
}

void vd_xsconn_progress(struct vd_xsconn *c)
{
	atomic_fetch_add_explicit(&c->replies, 1, memory_order_relaxed);
}

bool vd_xsconn_timed_out(const struct vd_xsconn *c)
{
	return atomic_load(&c->timed_out);
}

bool vd_xsconn_stopped(const struct vd_xsconn *c)
{
	return atomic_load(&c->stopped) || (c->stop && *c->stop);
}

bool vd_xsconn_answered(const struct vd_xsconn *c)
{
	return atomic_load(&c->replies) > 0;
}

unsigned vd_xsconn_timeout(const struct vd_xsconn *c)
{
	return c->timeout_s;
}

void vd_xsconn_close(struct vd_xsconn *c)
{
	if (!c)
		return;
	if (c->th_ok) {
		pthread_mutex_lock(&c->lock);
		c->quit = true;
		pthread_cond_signal(&c->cv);
		pthread_mutex_unlock(&c->lock);
		pthread_join(c->th, NULL);
		pthread_cond_destroy(&c->cv);
		pthread_mutex_destroy(&c->lock);
	}
	xs_close(c->xs);
	if (c->sock >= 0)
		close(c->sock);
	free(c);
}

/*
 * libxenstore's reader thread notices a dead daemon but tells nobody (the watch pipe stays
 * silent); an idle connection of our own to the same socket gets EOF at that moment.
 */
int vd_xs_sentinel_open(void)
{
	const char *path = xs_daemon_socket();
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	if (!path || stat(path, &st) != 0 || !S_ISSOCK(st.st_mode) ||
	    strlen(path) >= sizeof(sa.sun_path))
		return -1;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}
