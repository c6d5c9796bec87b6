/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Options of one invocation: passed explicitly, never global, so tests can vary them. */
#ifndef VD_OPTS_H
#define VD_OPTS_H

#include <stdbool.h>
#include <stdio.h>

enum vd_color { VD_COLOR_AUTO, VD_COLOR_ALWAYS, VD_COLOR_NEVER };

struct vd_opts {
	const char *from;	/* --from FILE: a xenstore-ls dump; NULL: live xenstored */
	const char *sysfs_root; /* --sysfs-root DIR; NULL: "/" live, none with --from */
	bool json;		/* --json */
	bool raw;		/* --raw: the underlying keys too */
	enum vd_color color;
	bool use_color;	  /* resolved from color, NO_COLOR and isatty */
	unsigned retries; /* transaction retries on EAGAIN */
	unsigned timeout; /* --timeout: seconds a live read may take, 0: no limit */
	/* watch, log */
	long stall_ms[4];  /* --stall NAME=SECONDS, enum vd_stall order; -1: the default */
	bool follow;	   /* log --follow */
	bool stats;	   /* log --stats */
	const char **vifs; /* log --vif DOM[/DEVID], repeatable (owned array) */
	int nvifs;
	long long since_ms, until_ms; /* log --since/--until; -1: open */
	FILE *out;		      /* renderers write here */
	FILE *err;		      /* warnings go here */
};

#endif
