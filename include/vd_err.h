/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Error context passed down instead of exiting: only main() turns it into an exit code. */
#ifndef VD_ERR_H
#define VD_ERR_H

/* Exit codes, documented in the man page and README. */
enum vd_exit {
	VD_EXIT_OK = 0,	      /* every VIF connected and consistent */
	VD_EXIT_PROBLEM = 1,  /* ran, and something is not */
	VD_EXIT_USAGE = 2,    /* bad command line */
	VD_EXIT_SOURCE = 3,   /* source unreachable, unreadable or malformed */
	VD_EXIT_INTERNAL = 4, /* a bug or an I/O failure of our own */
};

struct vd_err {
	int code;	/* an enum vd_exit value; 0 while no error is set */
	char msg[1024]; /* one line, no trailing newline, git style: lowercase, no period */
};

void vd_err_clear(struct vd_err *e);
/* Sets the error unless one is already set (the first cause is the one worth reporting). */
void vd_err_set(struct vd_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
