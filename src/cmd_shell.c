// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vifdiag shell: a GNU readline prompt over the command table. Each line is split like a
 * shell would (quotes, backslashes) and run through vd_dispatch with the shell's options
 * as defaults, so every command and option works and no command ends the shell. Builtins
 * browse the store read-only (ls, cat, tree, cd, pwd) and switch the source (open FILE).
 * Completion comes from vd_complete, as for bash. History: $XDG_STATE_HOME/vifdiag/history
 * (else ~/.local/state/vifdiag/history), mode 0600. Not a terminal: lines from stdin, no
 * prompt, no history.
 */
#include <errno.h>
#include <fcntl.h>
#include <readline/history.h>
#include <readline/readline.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vd_cmd.h"
#include "vd_complete.h"
#include "vd_dump.h"
#include "vd_render.h"
#include "vd_source.h"
#include "vd_util.h"
#include "vd_xsconn.h"

/* A TAB waits for a live store this long at most, as the bash completion does. */
#define VD_SHELL_TAB_TIMEOUT_S 1

struct shell {
	struct vd_opts *base; /* the shell's own options: defaults of every line */
	char *from;	      /* owned copy of the source after `open` */
	struct vd_snap *store;
	char *cwd;
	char *histfile;
	bool hist_warned;
	int last;
};

static struct shell *the_shell;
static volatile sig_atomic_t interrupted;
/* SIGINT: drops the line, cuts a live read */ /* readline's completion callback has no
						  argument */

static const char *const builtins[] = { "ls",	"cat",	"tree", "cd", "pwd",
					"open", "exit", "quit", NULL };
static const char *const path_builtins[] = { "ls", "cat", "tree", "cd", NULL };

/* Splits a line into words: blanks separate, '...' and "..." quote, \ escapes one byte. */
static int split(const char *line, char ***words)
{
	int n = 0;
	char **v = NULL;
	const char *p = line;

	for (;;) {
		struct vd_buf b;
		char q = 0;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p || *p == '#')
			break;
		vd_buf_init(&b);
		vd_buf_adds(&b, "");
		for (; *p && (q || (*p != ' ' && *p != '\t' && *p != '\n')); p++) {
			if (q && *p == q)
				q = 0;
			else if (!q && (*p == '\'' || *p == '"'))
				q = *p;
			else if (*p == '\\' && p[1] && q != '\'')
				vd_buf_addc(&b, *++p);
			else
				vd_buf_addc(&b, *p);
		}
		v = vd_realloc(v, ((size_t)n + 2) * sizeof(*v));
		v[n++] = vd_buf_steal(&b);
		v[n] = NULL;
	}
	*words = v;
	return n;
}

static int fail(struct shell *sh, struct vd_err *err)
{
	vd_err_print(stderr, err);
	return err->code;
}

/*
 * The store as the builtins see it: the dump, or live xenstored below path, given up after
 * timeout_s without a reply (or at Ctrl-C), so a hung xenstored cannot freeze the prompt.
 */
static int load_store(struct shell *sh, const char *path, unsigned timeout_s, struct vd_err *err)
{
	struct vd_snap *s = vd_snap_new();
	int rc;

	if (sh->base->from) {
		rc = vd_dump_load(sh->base->from, s, err);
	} else {
		struct vd_xsconn *c = vd_xsconn_open(timeout_s, &interrupted, err);
		const char *roots[] = { path };

		rc = c ? vd_xs_read_conn(c, VD_XS_TREES, roots, 1, sh->base->retries, s, err) : -1;
		if (c)
			vd_xsconn_close(c);
	}
	if (rc < 0) {
		vd_snap_free(s);
		return -1;
	}
	vd_snap_free(sh->store);
	sh->store = s;
	return 0;
}

static int builtin(struct shell *sh, int argc, char **argv, struct vd_err *err)
{
	const char *cmd = argv[0];
	char *path = vd_store_path(sh->cwd, argc > 1 ? argv[1] : ".");
	int rc = VD_EXIT_OK;

	if (argc > 2) {
		vd_err_set(err, VD_EXIT_USAGE, "usage: %s [PATH]", cmd);
	} else if (strcmp(cmd, "pwd") == 0) {
		vd_render_line(stdout, sh->cwd);
	} else if (strcmp(cmd, "open") == 0) {
		if (argc != 2) {
			vd_err_set(err, VD_EXIT_USAGE, "usage: open FILE (a xenstore-ls dump)");
		} else {
			const char *old = sh->base->from;

			sh->base->from = argv[1];
			if (load_store(sh, "/", sh->base->timeout, err) < 0) {
				sh->base->from = old;
			} else {
				free(sh->from);
				sh->from = vd_strdup(argv[1]);
				sh->base->from = sh->from;
			}
		}
	} else if (load_store(sh, path, sh->base->timeout, err) == 0) {
		const struct vd_node *nd = vd_snap_get(sh->store, path);
		const char **names = NULL;
		bool dir = vd_snap_children(sh->store, path, &names) > 0;

		free(names);
		if (!nd && !dir && strcmp(path, "/") != 0)
			vd_err_set(err, VD_EXIT_USAGE, "%s: no such node in the store", path);
		else if (strcmp(cmd, "cd") == 0) {
			free(sh->cwd);
			sh->cwd = path;
			path = NULL;
		} else if (strcmp(cmd, "ls") == 0)
			vd_render_ls(stdout, sh->store, path);
		else if (strcmp(cmd, "cat") == 0 && nd)
			vd_render_cat(stdout, nd);
		else if (strcmp(cmd, "cat") == 0)
			vd_err_set(err, VD_EXIT_USAGE, "%s: a directory without a value", path);
		else
			vd_render_tree(stdout, sh->store, path);
	}
	free(path);
	if (err->code)
		rc = fail(sh, err);
	return rc;
}

static bool is_builtin(const char *w)
{
	for (size_t i = 0; builtins[i]; i++)
		if (strcmp(builtins[i], w) == 0)
			return true;
	return false;
}

/* One line; false when it asks to leave. */
static bool run_line(struct shell *sh, const char *line)
{
	char **w;
	int n = split(line, &w);
	struct vd_err err;

	vd_err_clear(&err);
	if (n == 0) {
		free(w);
		return true;
	}
	if (strcmp(w[0], "exit") == 0 || strcmp(w[0], "quit") == 0) {
		vd_strv_free(w, (size_t)n);
		return false;
	}
	if (is_builtin(w[0])) {
		sh->last = builtin(sh, n, w, &err);
	} else if (strcmp(w[0], "shell") == 0) {
		vd_err_set(&err, VD_EXIT_USAGE, "already in the shell");
		sh->last = fail(sh, &err);
	} else {
		struct vd_opts o = *sh->base;
		char **argv = vd_calloc((size_t)n + 2, sizeof(*argv));
		char prog[] = "vifdiag";

		argv[0] = prog;
		memcpy(argv + 1, w, (size_t)n * sizeof(*argv));
		o.vifs = NULL;
		o.nvifs = 0;
		o.logs = NULL;
		o.nlogs = 0;
		sh->last = vd_dispatch(n + 1, argv, &o, &err);
		free(o.vifs);
		free(o.logs);
		if (err.code)
			sh->last = fail(sh, &err);
		fflush(stdout);
		free(argv);
	}
	vd_strv_free(w, (size_t)n);
	return true;
}

/* --- readline ----------------------------------------------------------------------- */

static struct vd_cands cands;
static size_t cand_next;

static char *gen(const char *text, int state)
{
	(void)text;
	if (!state)
		cand_next = 0;
	return cand_next < cands.n ? vd_strdup(cands.v[cand_next++]) : NULL;
}

static char **attempt(const char *text, int start, int end)
{
	struct shell *sh = the_shell;
	char *before = vd_strndup(rl_line_buffer, (size_t)start);
	char **w;
	int n = split(before, &w);
	struct vd_complete_ctx ctx = { .opts = sh->base,
				       .snap = NULL,
				       .extra_cmds = builtins,
				       .path_cmds = path_builtins,
				       .cwd = sh->cwd };
	struct vd_err err;
	char **m;

	(void)end;
	vd_err_clear(&err);
	if (n > 0 && is_builtin(w[0]) && strcmp(w[0], "open") != 0 &&
	    load_store(sh, "/", VD_SHELL_TAB_TIMEOUT_S, &err) == 0)
		ctx.snap = sh->store;
	w = vd_realloc(w, ((size_t)n + 2) * sizeof(*w));
	w[n++] = vd_strdup(text);
	w[n] = NULL;
	vd_cands_free(&cands);
	vd_complete(&ctx, n, w, &cands);
	vd_strv_free(w, (size_t)n);
	free(before);
	rl_attempted_completion_over = 1;
	if (cands.kind != VD_CANDS_WORDS)
		return rl_completion_matches(text, rl_filename_completion_function);
	m = rl_completion_matches(text, gen);
	/* NAME=, a dir, DOM/: the word goes on */
	if (m && !m[1] && m[0][0] && strchr("=/", m[0][strlen(m[0]) - 1]))
		rl_completion_suppress_append = 1;
	return m;
}

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* Ctrl-C: the line being typed is dropped, a fresh prompt follows. */
static int check_interrupt(void)
{
	if (interrupted) {
		interrupted = 0;
		rl_free_line_state();
		rl_replace_line("", 0);
		rl_crlf();
		rl_on_new_line();
		rl_redisplay();
	}
	return 0;
}

static void shell_signals(void)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigaction(SIGINT, &sa, NULL);
	/* a command (watch) blocks them while it runs and leaves its handler */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static char *history_path(void)
{
	const char *x = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	char *dir, *p;

	if (x && x[0] == '/')
		dir = vd_asprintf("%s/vifdiag", x);
	else if (home && home[0])
		dir = vd_asprintf("%s/.local/state/vifdiag", home);
	else
		return NULL;
	/* each level, as mkdir -p: the state dir may not exist yet */
	for (p = strchr(dir + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		mkdir(dir, 0700);
		*p = '/';
	}
	mkdir(dir, 0700);
	p = vd_asprintf("%s/history", dir);
	free(dir);
	return p;
}

static void history_open(struct shell *sh)
{
	int fd;

	sh->histfile = history_path();
	if (!sh->histfile)
		return;
	fd = open(sh->histfile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	read_history(sh->histfile);
}

static void history_save(struct shell *sh, const char *line)
{
	int e;

	add_history(line);
	if (!sh->histfile)
		return;
	e = append_history(1, sh->histfile);
	if (e && !sh->hist_warned) {
		struct vd_err err;

		vd_err_clear(&err);
		vd_err_set(&err, VD_EXIT_INTERNAL, "warning: cannot write the history %s: %s",
			   sh->histfile, strerror(e));
		vd_err_print(stderr, &err);
		sh->hist_warned = true;
	}
}

static void interactive(struct shell *sh)
{
	static char breaks[] = " \t\n"; /* '=' and '/' belong to the word: --color=, paths */
	char *line;

	rl_readline_name = "vifdiag";
	rl_attempted_completion_function = attempt;
	rl_completer_word_break_characters = breaks;
	rl_completer_quote_characters = "'\"";
	rl_catch_signals = 0;
	rl_signal_event_hook = check_interrupt;
	history_open(sh);
	for (;;) {
		shell_signals();
		interrupted = 0;
		line = readline("vifdiag> ");
		if (!line)
			break;
		if (interrupted) {
			free(line);
			continue;
		}
		if (line[strspn(line, " \t")])
			history_save(sh, line);
		if (!run_line(sh, line)) {
			free(line);
			break;
		}
		free(line);
	}
	rl_crlf();
	vd_cands_free(&cands);
	clear_history();
}

static void batch(struct shell *sh)
{
	char *line = NULL;
	size_t cap = 0;

	while (getline(&line, &cap, stdin) >= 0)
		if (!run_line(sh, line))
			break;
	free(line);
}

int vd_cmd_shell(const struct vd_invocation *inv)
{
	struct shell sh = { .base = inv->opts, .cwd = vd_strdup("/") };

	the_shell = &sh;
	if (isatty(STDIN_FILENO))
		interactive(&sh);
	else
		batch(&sh);
	the_shell = NULL;
	free(sh.cwd);
	free(sh.histfile);
	free(sh.from);
	vd_snap_free(sh.store);
	return isatty(STDIN_FILENO) ? VD_EXIT_OK : sh.last;
}
