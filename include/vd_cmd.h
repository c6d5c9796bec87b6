/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command table: one place that names every command and option. Help, the man page
 * check, bash completion (`vifdiag __complete`) and dispatch all read it.
 *
 * Adding a command:
 *   1. write src/cmd_<name>.c with `int vd_cmd_<name>(const struct vd_invocation *)`;
 *   2. add a row to vd_cmds[] in src/cmd.c, and its options to vd_options[];
 *   3. document it in man/vifdiag.1 (tests/check-sync.sh fails otherwise);
 *   4. add a golden case under tests/fixtures.
 */
#ifndef VD_CMD_H
#define VD_CMD_H

#include <signal.h>
#include <stdbool.h>

#include "vd_err.h"
#include "vd_opts.h"

struct vd_invocation {
	int argc; /* positional arguments after the command name */
	char **argv;
	struct vd_opts *opts;
	struct vd_err *err;
};

enum {
	VD_CMD_NEEDS_SOURCE = 1u << 0, /* reads xenstore or --from */
	VD_CMD_HIDDEN = 1u << 1,       /* not listed in help */
};

struct vd_cmd {
	const char *name;
	int (*fn)(const struct vd_invocation *inv); /* returns an enum vd_exit value */
	int min_args, max_args;			    /* max -1: unlimited */
	unsigned flags;
	const char *args;    /* synopsis of the positional arguments */
	const char *summary; /* one line */
};

struct vd_option {
	const char *name; /* long name without "--" */
	char shortopt;	  /* 0: none */
	const char *arg;  /* NULL: takes no argument; else its metavar */
	const char *cmds; /* space-separated commands it applies to, or "*" for all */
	const char *help;
};

extern const struct vd_cmd vd_cmds[];
extern const struct vd_option vd_options[];

/* Exact name, else a unique prefix; ambiguity lists the candidates in err (VD_EXIT_USAGE). */
const struct vd_cmd *vd_cmd_lookup(const char *name, struct vd_err *err);
bool vd_option_applies(const struct vd_option *opt, const char *cmd);

int vd_cmd_status(const struct vd_invocation *inv);
int vd_cmd_show(const struct vd_invocation *inv);
int vd_cmd_check(const struct vd_invocation *inv);
int vd_cmd_watch(const struct vd_invocation *inv);
int vd_cmd_log(const struct vd_invocation *inv);
int vd_cmd_metrics(const struct vd_invocation *inv);
int vd_cmd_dump(const struct vd_invocation *inv);
int vd_cmd_help(const struct vd_invocation *inv);
int vd_cmd_complete(const struct vd_invocation *inv);
int vd_cmd_shell(const struct vd_invocation *inv);
int vd_cmd_top(const struct vd_invocation *inv);

#define VD_VERSION "0.1.0"

/* The defaults of every invocation (stdout, stderr, 5 retries, 30 s timeout, ...). */
void vd_opts_default(struct vd_opts *o);
/*
 * Runs one command line (argv[0] is the program name): options, command lookup, checks,
 * the command. Returns its exit code with err set for a failure; never exits. o->vifs is
 * allocated: the caller frees it.
 */
int vd_dispatch(int argc, char **argv, struct vd_opts *o, struct vd_err *err);
/* "vifdiag: MESSAGE" with the message escaped for a terminal. */
void vd_err_print(FILE *out, const struct vd_err *err);
void vd_version(FILE *out);

/*
 * SIGINT and SIGTERM set *flag (returned) instead of killing us; they stay blocked except
 * inside the ppoll() of the watch and follow loops (waitmask), so no signal slips between
 * a check and a wait. vd_stop_restore unblocks them (the handler stays until exit).
 */
volatile sig_atomic_t *vd_stop_on_signals(sigset_t *waitmask, sigset_t *saved);
void vd_stop_restore(const sigset_t *saved);

/* Prints usage for one command, or the overview for NULL, to out. */
void vd_usage(FILE *out, const struct vd_cmd *cmd);

#endif
