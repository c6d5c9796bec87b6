// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One command line -> one command: options parsed through getopt_long from the option
 * table, checked against the command, then the command's function. main() and the shell
 * both call vd_dispatch; neither it nor any command ends the process.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vd_cmd.h"
#include "vd_diag.h"
#include "vd_event.h"
#include "vd_util.h"

struct parsed {
	const struct vd_cmd *cmd;
	bool help, version;
	int nargs;
	char **args;
	bool seen[32]; /* which vd_options[] were given, to check they apply */
};

static size_t nopts(void)
{
	size_t n = 0;

	while (vd_options[n].name)
		n++;
	return n;
}

/* getopt_long table built from vd_options[], so the two cannot disagree. */
static struct option *long_table(char *shorts, size_t shortlen)
{
	size_t n = nopts(), k = 0;
	struct option *lo = vd_calloc(n + 1, sizeof(*lo));

	shorts[k++] = ':'; /* report a missing argument as ':' */
	for (size_t i = 0; i < n; i++) {
		lo[i].name = vd_options[i].name;
		lo[i].has_arg = vd_options[i].arg ? required_argument : no_argument;
		lo[i].val = 256 + (int)i;
		if (vd_options[i].shortopt && k + 2 < shortlen) {
			shorts[k++] = vd_options[i].shortopt;
			if (vd_options[i].arg)
				shorts[k++] = ':';
		}
	}
	shorts[k] = '\0';
	return lo;
}

static int opt_index(int c)
{
	if (c >= 256)
		return c - 256;
	for (size_t i = 0; vd_options[i].name; i++)
		if (vd_options[i].shortopt == c)
			return (int)i;
	return -1;
}

/* Options of watch and log (and check's time source); false if name is none of them. */
static bool set_event_option(struct vd_opts *o, const char *name, const char *arg,
			     struct vd_err *err)
{
	int64_t ms = -1;

	if (strcmp(name, "stall") == 0) {
		vd_stall_parse(arg, o->stall_ms, err);
	} else if (strcmp(name, "follow") == 0) {
		o->follow = true;
	} else if (strcmp(name, "stats") == 0) {
		o->stats = true;
	} else if (strcmp(name, "replay") == 0) {
		o->replay = true;
	} else if (strcmp(name, "vif") == 0) {
		o->vifs = vd_realloc(o->vifs, ((size_t)o->nvifs + 1) * sizeof(*o->vifs));
		o->vifs[o->nvifs++] = arg;
	} else if (strcmp(name, "log") == 0) {
		o->logs = vd_realloc(o->logs, ((size_t)o->nlogs + 1) * sizeof(*o->logs));
		o->logs[o->nlogs++] = arg;
	} else if (strcmp(name, "hotplug-log") == 0) {
		o->hotplug_log = arg;
	} else if (strcmp(name, "since") == 0 || strcmp(name, "until") == 0) {
		if (!vd_time_parse(arg, &ms))
			vd_err_set(err, VD_EXIT_USAGE,
				   "--%s: expected YYYY-MM-DDTHH:MM:SS[.mmm][Z|+HH:MM] or "
				   "@SECONDS, not '%s'",
				   name, arg);
		else if (!vd_iso_date_exists(arg))
			vd_err_set(err, VD_EXIT_USAGE, "--%s: '%.10s' is not a day of the calendar",
				   name, arg);
		*(name[0] == 's' ? &o->since_ms : &o->until_ms) = ms;
	} else {
		return false;
	}
	return true;
}

/* SECS with up to three decimals, 0.1 to 3600, as milliseconds. */
static bool parse_delay(const char *arg, unsigned long *ms)
{
	unsigned long sec = 0, frac = 0, scale = 1000;
	const char *p = arg;

	if (!*p || *p == '.')
		return false;
	for (; *p >= '0' && *p <= '9'; p++)
		if ((sec = sec * 10 + (unsigned long)(*p - '0')) > 3600)
			return false;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9' && scale > 1; p++)
			frac += (unsigned long)(*p - '0') * (scale /= 10);
	if (*p)
		return false;
	*ms = sec * 1000 + frac;
	return *ms >= 100 && *ms <= 3600000;
}

static int set_option(struct vd_opts *o, struct parsed *p, int idx, const char *arg,
		      struct vd_err *err)
{
	const char *name = vd_options[idx].name;
	unsigned long n;

	p->seen[idx] = true;
	if (set_event_option(o, name, arg, err)) {
		/* handled */
	} else if (strcmp(name, "from") == 0) {
		o->from = arg;
	} else if (strcmp(name, "output") == 0) {
		o->output = arg;
	} else if (strcmp(name, "listen") == 0) {
		o->listen = arg;
	} else if (strcmp(name, "sysfs-root") == 0) {
		o->sysfs_root = arg;
	} else if (strcmp(name, "redact") == 0) {
		o->redact = true;
	} else if (strcmp(name, "log-max") == 0) {
		if (!vd_parse_uint_str(arg, 1u << 20, &n) || n == 0)
			vd_err_set(err, VD_EXIT_USAGE,
				   "--log-max: expected megabytes 1-1048576, not '%s'", arg);
		o->log_max_mb = n;
	} else if (strcmp(name, "json") == 0) {
		o->json = true;
	} else if (strcmp(name, "raw") == 0) {
		o->raw = true;
	} else if (strcmp(name, "color") == 0) {
		if (strcmp(arg, "auto") == 0)
			o->color = VD_COLOR_AUTO;
		else if (strcmp(arg, "always") == 0)
			o->color = VD_COLOR_ALWAYS;
		else if (strcmp(arg, "never") == 0)
			o->color = VD_COLOR_NEVER;
		else
			vd_err_set(err, VD_EXIT_USAGE,
				   "--color: expected auto, always or never, not '%s'", arg);
	} else if (strcmp(name, "retries") == 0) {
		if (!vd_parse_uint_str(arg, 100, &n))
			vd_err_set(err, VD_EXIT_USAGE,
				   "--retries: expected a number 0-100, not '%s'", arg);
		o->retries = (unsigned)n;
	} else if (strcmp(name, "timeout") == 0) {
		if (!vd_parse_uint_str(arg, 86400, &n))
			vd_err_set(err, VD_EXIT_USAGE,
				   "--timeout: expected seconds 0-86400 (0: no limit), not '%s'",
				   arg);
		o->timeout = (unsigned)n;
	} else if (strcmp(name, "batch") == 0) {
		o->batch = true;
	} else if (strcmp(name, "iterations") == 0) {
		if (!vd_parse_uint_str(arg, 100000000, &n) || n == 0)
			vd_err_set(
				err, VD_EXIT_USAGE,
				"--iterations: expected a number of frames 1-100000000, not '%s'",
				arg);
		o->iterations = n;
	} else if (strcmp(name, "delay") == 0) {
		if (!parse_delay(arg, &o->delay_ms))
			vd_err_set(err, VD_EXIT_USAGE,
				   "--delay: expected seconds 0.1-3600 (e.g. 0.5), not '%s'", arg);
	} else if (strcmp(name, "for") == 0) {
		if (!parse_delay(arg, &o->for_ms))
			vd_err_set(err, VD_EXIT_USAGE,
				   "--for: expected seconds 0.1-3600 (e.g. 15), not '%s'", arg);
	} else if (strcmp(name, "min-severity") == 0) {
		enum vd_sev sev;

		if (!vd_sev_parse(arg, &sev))
			vd_err_set(err, VD_EXIT_USAGE,
				   "--min-severity: expected info, warning or error, not '%s'",
				   arg);
		o->min_sev = (int)sev;
	} else if (strcmp(name, "interval") == 0) {
		if (!vd_parse_uint_str(arg, 86400, &n))
			vd_err_set(err, VD_EXIT_USAGE,
				   "--interval: expected seconds 0-86400, not '%s'", arg);
		o->interval_ms = (long)n * 1000;
	} else if (strcmp(name, "help") == 0) {
		p->help = true;
	} else if (strcmp(name, "version") == 0) {
		p->version = true;
	}
	return err->code ? -1 : 0;
}

static int parse(int argc, char **argv, struct vd_opts *o, struct parsed *p, struct vd_err *err)
{
	char shorts[64];
	struct option *lo = long_table(shorts, sizeof(shorts));
	int c, rc = 0;

	opterr = 0;
	optind = 0; /* the shell parses many command lines: full re-initialisation */
	while (rc == 0 && (c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		int idx = opt_index(c);

		if (c == ':')
			vd_err_set(err, VD_EXIT_USAGE, "option '%s' needs an argument",
				   argv[optind - 1]);
		else if (c == '?' || idx < 0)
			vd_err_set(err, VD_EXIT_USAGE, "unknown option '%s'; see 'vifdiag help'",
				   argv[optind - 1]);
		else
			set_option(o, p, idx, optarg, err);
		rc = err->code ? -1 : 0;
	}
	free(lo);
	p->nargs = argc - optind;
	p->args = argv + optind;
	return rc;
}

/* The command, its arity and which options apply to it. */
static int check(struct parsed *p, struct vd_err *err)
{
	const struct vd_cmd *c = p->cmd;
	int n = p->nargs - 1;

	for (size_t i = 0; vd_options[i].name; i++)
		if (p->seen[i] && !vd_option_applies(&vd_options[i], c->name)) {
			vd_err_set(err, VD_EXIT_USAGE, "option '--%s' does not apply to '%s'",
				   vd_options[i].name, c->name);
			return -1;
		}
	if (n < c->min_args || (c->max_args >= 0 && n > c->max_args)) {
		vd_err_set(err, VD_EXIT_USAGE, "usage: vifdiag %s %s", c->name, c->args);
		return -1;
	}
	return 0;
}

static void resolve_color(struct vd_opts *o)
{
	const char *nc = getenv("NO_COLOR");

	if (o->color == VD_COLOR_ALWAYS)
		o->use_color = true;
	else if (o->color == VD_COLOR_NEVER || (nc && *nc))
		o->use_color = false;
	else
		o->use_color = isatty(fileno(o->out));
}

int vd_dispatch(int argc, char **argv, struct vd_opts *o, struct vd_err *err)
{
	struct parsed p = { 0 };
	struct vd_invocation inv;

	/* completion words are data, not options for us: hand them over untouched */
	if (argc > 1 && strcmp(argv[1], "__complete") == 0) {
		inv.argc = argc - 2;
		inv.argv = argv + 2;
		inv.opts = o;
		inv.err = err;
		return vd_cmd_complete(&inv);
	}
	o->argc = argc; /* for a bundle's record of how it was made */
	o->argv = argv;
	if (parse(argc, argv, o, &p, err) < 0)
		return err->code;
	if (p.version) {
		vd_version(o->out);
		return VD_EXIT_OK;
	}
	if (p.nargs == 0) {
		vd_usage(p.help ? o->out : stderr, NULL);
		return p.help ? VD_EXIT_OK : VD_EXIT_USAGE;
	}
	p.cmd = vd_cmd_lookup(p.args[0], err);
	if (!p.cmd)
		return err->code;
	if (p.help) {
		vd_usage(o->out, p.cmd);
		return VD_EXIT_OK;
	}
	if (check(&p, err) < 0)
		return err->code;
	resolve_color(o);
	inv.argc = p.nargs - 1;
	inv.argv = p.args + 1;
	inv.opts = o;
	inv.err = err;
	return p.cmd->fn(&inv);
}
