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
	bool replay;	   /* watch --replay: the logs instead of live xenstored */
	const char **vifs; /* log --vif DOM[/DEVID], repeatable (owned array) */
	int nvifs;
	long long since_ms, until_ms; /* log --since/--until; -1: open */
	/* metrics */
	const char *output; /* --output FILE: replace FILE atomically; NULL: stdout */
	const char *listen; /* --listen ADDR:PORT: serve /metrics */
	/* dump (--output above is its bundle's name too) */
	bool redact;		  /* --redact */
	unsigned long log_max_mb; /* --log-max MB */
	int argc;		  /* the command line, for the bundle's record */
	char **argv;
	const char *version;
	/* top */
	bool batch;		  /* -b: plain-text frames to stdout */
	unsigned long iterations; /* -n: frames, 0: until stopped */
	unsigned long delay_ms;	  /* -d SECS */
	/* check */
	int min_sev;	   /* --min-severity, an enum vd_sev; -1: the default (warning) */
	const char **logs; /* --log FILE, repeatable (owned array): a time source */
	int nlogs;
	unsigned long for_ms; /* --for SECS: watch live first, the other time source; 0: no */

	long interval_ms; /* --interval SECS: between the two load samples; -1: default */
	FILE *out;	  /* renderers write here */
	FILE *err;	  /* warnings go here */

	const char *hotplug_log; /* check --hotplug-log FILE: the backend's xen-hotplug.log */
};

#endif
