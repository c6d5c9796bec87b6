// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * top's wake-up on xenstore changes (vd_top.h). The live watch source itself
 * (vd_watch_run, what `vifdiag watch` runs) runs in a thread of its own, on its own
 * connection and tracker; each change it reports, and xenstored going away or coming back,
 * is one byte on a pipe that top's loop polls beside its keys and its interval. top then
 * re-reads everything (a frame is whole), so an event is only a wake-up: nothing of the
 * watch's own logic is repeated here.
 */
#include "vd_top.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vd_event.h"
#include "vd_source.h"
#include "vd_util.h"

enum { WAKE_CHANGE = 'c', WAKE_LOST = 'l', WAKE_BACK = 'b', WAKE_GONE = 'x' };

struct vd_top_watch {
	pthread_t th;
	int fd[2];
	volatile sig_atomic_t stop;
	sigset_t waitmask; /* the thread's waits: only SIGUSR1, which stop sends */
	struct vd_tracker *t;
	struct vd_watchrun run;
	struct sigaction old_usr1;
	bool lost, gone;
};

static void wake(struct vd_top_watch *w, char c)
{
	/* non-blocking: a full pipe already wakes top, which reads it all */
	if (write(w->fd[1], &c, 1) < 0 && errno != EAGAIN)
		w->gone = true;
}

static void on_event(const struct vd_event *ev, void *arg)
{
	struct vd_top_watch *w = arg;

	if (ev->kind == VD_EV_STALL)
		return; /* top judges each frame itself */
	if (ev->kind == VD_EV_XENSTORED)
		wake(w, ev->value && strcmp(ev->value, "lost") == 0 ? WAKE_LOST : WAKE_BACK);
	else
		wake(w, WAKE_CHANGE);
}

static void *watch_thread(void *arg)
{
	struct vd_top_watch *w = arg;
	struct vd_err err = { 0 };

	/* the first connection failed: top goes on at its interval, and says so */
	if (vd_watch_run(&w->run, &err) < 0)
		wake(w, WAKE_GONE);
	return NULL;
}

static void nothing(int sig)
{
	(void)sig; /* only to end the thread's ppoll */
}

struct vd_top_watch *vd_top_watch_start(const struct vd_opts *o)
{
	static const int64_t no_stalls[VD_STALL_N] = { 0 };
	struct vd_top_watch *w;
	struct sigaction sa = { .sa_handler = nothing };
	sigset_t all, saved;

	if (o->from)
		return NULL; /* a dump or a bundle does not change */
	w = vd_calloc(1, sizeof(*w));
	if (pipe2(w->fd, O_NONBLOCK | O_CLOEXEC) != 0) {
		free(w);
		return NULL;
	}
	w->t = vd_tracker_new(no_stalls, on_event, w);
	sigfillset(&w->waitmask);
	sigdelset(&w->waitmask, SIGUSR1);
	w->run = (struct vd_watchrun){ .tracker = w->t,
				       .retries = o->retries,
				       .timeout = o->timeout,
				       .stop = &w->stop,
				       .waitmask = &w->waitmask };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, &w->old_usr1);
	/* the thread starts with every signal blocked: SIGINT, SIGTERM and SIGWINCH stay
	 * top's; it unblocks SIGUSR1 only while it waits */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &saved);
	if (pthread_create(&w->th, NULL, watch_thread, w) != 0) {
		pthread_sigmask(SIG_SETMASK, &saved, NULL);
		sigaction(SIGUSR1, &w->old_usr1, NULL);
		vd_tracker_free(w->t);
		close(w->fd[0]);
		close(w->fd[1]);
		free(w);
		return NULL;
	}
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	return w;
}

int vd_top_watch_fd(const struct vd_top_watch *w)
{
	return w ? w->fd[0] : -1;
}

unsigned long vd_top_watch_take(struct vd_top_watch *w)
{
	unsigned long changes = 0;
	char buf[256];
	ssize_t n;

	while (w && (n = read(w->fd[0], buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == WAKE_CHANGE)
				changes++;
			else if (buf[i] == WAKE_LOST || buf[i] == WAKE_BACK)
				w->lost = buf[i] == WAKE_LOST;
			else
				w->gone = true;
		}
	return changes;
}

enum vd_top_watch_state vd_top_watch_state(const struct vd_top_watch *w)
{
	if (!w)
		return VD_TOP_WATCH_NONE;
	return w->gone ? VD_TOP_WATCH_GONE : w->lost ? VD_TOP_WATCH_LOST : VD_TOP_WATCH_ON;
}

void vd_top_watch_stop(struct vd_top_watch *w)
{
	if (!w)
		return;
	w->stop = 1;
	/* ends the thread's ppoll; a pending signal ends the next one */
	pthread_kill(w->th, SIGUSR1);
	pthread_join(w->th, NULL);
	sigaction(SIGUSR1, &w->old_usr1, NULL);
	vd_tracker_free(w->t);
	close(w->fd[0]);
	close(w->fd[1]);
	free(w);
}
