// SPDX-License-Identifier: GPL-2.0-or-later
/* The command and option tables, lookup, and help generated from them. */
#include "vd_cmd.h"

#include <stdio.h>
#include <string.h>

#include "vd_diag.h"
#include "vd_esc.h"
#include "vd_util.h"
#include "vd_sysfs.h"
#include "vd_xl.h"

const struct vd_cmd vd_cmds[] = {
	{ "status", vd_cmd_status, 0, -1, VD_CMD_NEEDS_SOURCE, "[DOM...]",
	  "one line per VIF: both states, queues, hotplug, bridge, verdict" },
	{ "show", vd_cmd_show, 0, -1, VD_CMD_NEEDS_SOURCE, "[DOM[/DEVID]...]",
	  "everything known about each VIF: rings, event channels, features, findings" },
	{ "check", vd_cmd_check, 0, -1, VD_CMD_NEEDS_SOURCE, "[DOM[/DEVID]...]",
	  "the findings of each VIF with rule ID, evidence and fix, most severe first" },
	{ "watch", vd_cmd_watch, 0, -1, 0, "[DOM...] | --replay [FILE...]",
	  "follow VIFs live: one line per change, stalls, a summary at Ctrl-C" },
	{ "log", vd_cmd_log, 0, -1, 0, "FILE...",
	  "per-VIF timeline from oxenstored access logs or xenstored traces" },
	{ "shell", vd_cmd_shell, 0, 0, 0, "",
	  "interactive prompt: every command, store browsing (ls, cat, tree, cd), completion" },
	{ "metrics", vd_cmd_metrics, 0, 0, VD_CMD_NEEDS_SOURCE, "",
	  "Prometheus metrics of every VIF: stdout, a textfile (--output) or HTTP (--listen)" },
	{ "dump", vd_cmd_dump, 0, 0, 0, "",
	  "write a support bundle (.tar.gz): store, host side, libxl, logs, MANIFEST" },
	{ "top", vd_cmd_top, 0, 0, VD_CMD_NEEDS_SOURCE, "",
	  "every VIF at once, refreshed: states, guest rx/tx rates, queue events (-b: text)" },
	{ "help", vd_cmd_help, 0, 1, 0, "[COMMAND]", "show help for vifdiag or a command" },
	{ "__complete", vd_cmd_complete, 0, -1, VD_CMD_HIDDEN, "WORDS...",
	  "print completion candidates for the words of a command line" },
	{ NULL, NULL, 0, 0, 0, NULL, NULL },
};

const struct vd_option vd_options[] = {
	{ "from", 0, "FILE", "status show check watch log shell metrics top",
	  "read a xenstore-ls dump (-f, -fp or indented) or a bundle instead of live xenstored" },
	{ "redact", 0, NULL, "dump",
	  "replace MACs, IPs, UUIDs, domain and host names by pseudonyms (map in FILE.map)" },
	{ "log-max", 0, "MB", "dump", "xenstored logs in the bundle up to MB, newest first (64)" },
	{ "json", 'j', NULL, "status show check watch log", "print JSON (schema in vifdiag(1))" },
	{ "raw", 0, NULL, "show", "also print the underlying xenstore keys" },
	{ "color", 0, "WHEN", "*", "colour: auto (default, only on a terminal), always, never" },
	{ "sysfs-root", 0, "DIR", "status show check dump shell metrics top",
	  "read the host side (sysfs, debugfs) under DIR (default /; a dump: none)" },
	{ "stall", 0, "NAME=SECS", "watch log check",
	  "stall threshold: initwait (10), hotplug (40), connect (30), close (10); 0 off" },
	{ "follow", 'f', NULL, "log", "keep reading the newest file like tail -F" },
	{ "stats", 0, NULL, "log", "rank connections by watch events and writes instead" },
	{ "vif", 0, "DOM[/DEVID]", "watch log",
	  "only these VIFs (repeatable; DOM: domid or name)" },
	{ "replay", 0, NULL, "watch",
	  "replay xenstored's logs (FILE... or --from BUNDLE) as watch would have seen them" },
	{ "since", 0, "TIME", "log", "only changes at or after TIME (ISO 8601 or @SECONDS)" },
	{ "until", 0, "TIME", "log", "only changes at or before TIME" },
	{ "retries", 0, "N", "status show check watch shell metrics dump top",
	  "read the store again up to N times when it changes under us (default 5)" },
	{ "timeout", 0, "SECS", "status show check watch shell metrics dump top",
	  "give up when xenstored sends no reply for SECS (default 30; 0: wait)" },
	{ "output", 'o', "FILE", "metrics dump",
	  "write to FILE atomically (temporary file beside it, then rename); dump: the bundle" },
	{ "listen", 0, "ADDR:PORT", "metrics",
	  "serve /metrics over HTTP on ADDR:PORT (ADDR default 127.0.0.1)" },
	{ "batch", 'b', NULL, "top", "print frames as plain text to stdout, no full screen" },
	{ "iterations", 'n', "N", "top", "stop after N frames (default: until q or Ctrl-C)" },
	{ "delay", 'd', "SECS", "top", "seconds between frames, e.g. 0.5 (default 2)" },
	{ "min-severity", 0, "LEVEL", "check",
	  "report findings at or above info, warning (default) or error; exit 1 if any" },
	{ "log", 0, "FILE", "check",
	  "time source: xenstored's access log or trace of this host (repeatable; rotations)" },
	{ "hotplug-log", 0, "FILE", "check",
	  "the backend domain's xen-hotplug.log (a bundle's is read without it)" },
	{ "for", 0, "SECS", "check",
	  "live time source: watch the VIFs for SECS (e.g. 15) before judging (0.1-3600)" },
	{ "interval", 0, "SECS", "show check",
	  "live: sample per-queue interrupts and rings twice, SECS apart (check: 1)" },
	{ "help", 'h', NULL, "*", "show help" },
	{ "version", 'V', NULL, "*", "print the version" },
	{ NULL, 0, NULL, NULL, NULL },
};

bool vd_option_applies(const struct vd_option *opt, const char *cmd)
{
	size_t n = strlen(cmd);
	const char *p = opt->cmds;

	if (strcmp(p, "*") == 0)
		return true;
	while ((p = strstr(p, cmd))) {
		if ((p == opt->cmds || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
		p += n;
	}
	return false;
}

const struct vd_cmd *vd_cmd_lookup(const char *name, struct vd_err *err)
{
	const struct vd_cmd *hit = NULL;
	char list[256] = "";
	size_t n = strlen(name), hits = 0;

	for (const struct vd_cmd *c = vd_cmds; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	for (const struct vd_cmd *c = vd_cmds; c->name && n; c++) {
		if ((c->flags & VD_CMD_HIDDEN) || strncmp(c->name, name, n) != 0)
			continue;
		hit = c;
		hits++;
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 hits > 1 ? ", " : "", c->name);
	}
	if (hits == 1)
		return hit;
	if (hits)
		vd_err_set(err, VD_EXIT_USAGE, "'%s' is ambiguous: %s", name, list);
	else
		vd_err_set(err, VD_EXIT_USAGE, "'%s' is not a vifdiag command; see 'vifdiag help'",
			   name);
	return NULL;
}

static void print_option(FILE *out, const struct vd_option *opt)
{
	char left[48];

	if (opt->shortopt)
		snprintf(left, sizeof(left), "-%c, --%s%s%s", opt->shortopt, opt->name,
			 opt->arg ? " " : "", opt->arg ? opt->arg : "");
	else
		snprintf(left, sizeof(left), "    --%s%s%s", opt->name, opt->arg ? " " : "",
			 opt->arg ? opt->arg : "");
	fprintf(out, "  %-22s %s\n", left, opt->help);
}

void vd_usage(FILE *out, const struct vd_cmd *cmd)
{
	if (cmd) {
		fprintf(out, "usage: vifdiag %s %s\n\n%s\n\noptions:\n", cmd->name, cmd->args,
			cmd->summary);
		for (const struct vd_option *o = vd_options; o->name; o++)
			if (vd_option_applies(o, cmd->name))
				print_option(out, o);
		return;
	}
	fprintf(out, "usage: vifdiag [OPTIONS] COMMAND [ARGS]\n\n"
		     "Diagnose Xen virtual network interfaces from xenstore.\n\ncommands:\n");
	for (const struct vd_cmd *c = vd_cmds; c->name; c++)
		if (!(c->flags & VD_CMD_HIDDEN))
			fprintf(out, "  %-8s %-18s %s\n", c->name, c->args, c->summary);
	fprintf(out, "\noptions:\n");
	for (const struct vd_option *o = vd_options; o->name; o++)
		print_option(out, o);
	fprintf(out, "\nverdicts:\n");
	for (const struct vd_verdict_info *v = vd_verdicts; v->word; v++)
		fprintf(out, "  %-16s %s\n", v->word, v->meaning);
	for (const struct vd_verdict_info *v = vd_host_verdicts; v->word; v++)
		fprintf(out, "  %-16s %s\n", v->word, v->meaning);
	for (const struct vd_verdict_info *v = vd_xl_verdicts; v->word; v++)
		fprintf(out, "  %-16s %s\n", v->word, v->meaning);
	fprintf(out, "\nexit status: 0 all VIFs ok, 1 a VIF is not, 2 usage, 3 source "
		     "unreachable or unreadable, 4 internal error\n");
}

int vd_cmd_help(const struct vd_invocation *inv)
{
	const struct vd_cmd *c = NULL;

	if (inv->argc == 1 && !(c = vd_cmd_lookup(inv->argv[0], inv->err)))
		return inv->err->code;
	vd_usage(inv->opts->out, c);
	return VD_EXIT_OK;
}

void vd_opts_default(struct vd_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->color = VD_COLOR_AUTO;
	o->retries = 5;
	o->timeout = 30;
	o->out = stdout;
	o->err = stderr;
	for (size_t i = 0; i < sizeof(o->stall_ms) / sizeof(o->stall_ms[0]); i++)
		o->stall_ms[i] = -1;
	o->since_ms = -1;
	o->until_ms = -1;
	o->version = VD_VERSION;
	o->delay_ms = 2000;
	o->min_sev = -1;
	o->interval_ms = -1;
}

void vd_err_print(FILE *out, const struct vd_err *err)
{
	/* messages quote file names, arguments and store paths: nothing raw on a tty */
	struct vd_buf b;

	vd_buf_init(&b);
	vd_esc_text_composed(&b, err->msg, strlen(err->msg));
	fprintf(out, "vifdiag: %s\n", vd_buf_cstr(&b));
	vd_buf_free(&b);
}

void vd_version(FILE *out)
{
	fprintf(out, "vifdiag %s\n", VD_VERSION);
}
