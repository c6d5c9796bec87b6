/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The hotplug scripts' side (reference §1.6, §3.3, R3, R7). xen-hotplug-common.sh does
 * `exec 2>>/var/log/xen/xen-hotplug.log`: the log holds the scripts' stderr only, without
 * times. Their own `log` calls go to syslog through logger and reach this file only when
 * logger fails (`echo "$0 $@" >&2`), so a healthy run writes nothing here; what is left
 * are the errors of the commands the scripts run on the vif netdev (ip, brctl, ifconfig).
 * Parser: src/log_hotplug.c; rules: src/diag_hotplug.c.
 */
#ifndef VD_HOTPLUG_H
#define VD_HOTPLUG_H

#include <stdbool.h>
#include <stddef.h>

#include "vd_err.h"
#include "vd_model.h"

#define VD_HP_NAME_MAX 16  /* IFNAMSIZ: a netdev name and its NUL */
#define VD_HP_TEXT_MAX 256 /* bytes of a line kept as evidence */

enum vd_hp_kind {
	VD_HP_OTHER,  /* none of the shapes below */
	VD_HP_NODEV,  /* a command found no such netdev (name: which) */
	VD_HP_SCRIPT, /* the script's own line: logger failed, or bash's error */
};

struct vd_hp_line {
	enum vd_hp_kind kind;
	unsigned long line;	   /* 1-based, in the file */
	char name[VD_HP_NAME_MAX]; /* NODEV: the netdev; SCRIPT: one it names, or "" */
	char *xenbus_path;	   /* SCRIPT: its XENBUS_PATH=, or NULL (owned) */
	char *text;		   /* the line, raw bytes, at most VD_HP_TEXT_MAX (owned) */
	size_t len;
};

struct vd_hplog {
	char *file;		  /* as evidence names it (owned) */
	struct vd_hp_line *lines; /* the NODEV and SCRIPT lines, in file order */
	size_t n;
	unsigned long nlines; /* lines read */
};

/* What one line (len bytes, any bytes, no newline) is; NODEV and SCRIPT fill name (and
 * *xenbus_path, owned, for SCRIPT, when xenbus_path is not NULL). */
enum vd_hp_kind vd_hp_classify(const char *s, size_t len, char name[VD_HP_NAME_MAX],
			       char **xenbus_path);

/* Reads path (shown: its name in evidence); skip_first: the first line is a tail's cut
 * one. VD_EXIT_SOURCE naming the file when it cannot be read. */
int vd_hplog_read(const char *path, const char *shown, bool skip_first, struct vd_hplog *out,
		  struct vd_err *err);
void vd_hplog_free(struct vd_hplog *l);

struct vd_bundle;
/* check's hotplug log: file (--hotplug-log), else the bundle's logs/xen/xen-hotplug.log
 * (b may be NULL). 1: *out filled; 0: there is none; -1: err. */
int vd_hplog_load(const char *file, const struct vd_bundle *b, struct vd_hplog *out,
		  struct vd_err *err);

/* A netdev name as Linux accepts one (dev_valid_name). */
bool vd_hp_name_ok(const char *s, size_t len);

/* R7: a script that ran before the VIF's netdev existed (l: the log, NULL: none). */
void vd_diagnose_hotplug_log(struct vd_host *h, const struct vd_hplog *l);
/* R3: udev-called scripts disabled by libxl/disable_udev where udev is what runs them. */
void vd_diagnose_udev(struct vd_host *h);

#endif
