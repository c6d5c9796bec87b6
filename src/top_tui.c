// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The full-screen view of `vifdiag top` (ncursesw): the cells of render_top.c on a screen
 * refreshed every -d SECS and, live, when xenstore changes (src/top_watch.c; a burst is one
 * refresh), a changed state highlighted for one refresh, sorting, a filter, and the `show`
 * view of a VIF. SIGINT/SIGTERM are blocked except in the one ppoll() of the loop, so
 * endwin() always runs.
 */
#include <curses.h>
#include <errno.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "vd_cmd.h"
#include "vd_pipeline.h"
#include "vd_top.h"
#include "vd_util.h"

/* refreshes for changes come at most this often: a burst of writes is one refresh */
#define WAKE_MIN_MS 200

struct tui {
	const struct vd_invocation *inv;
	struct vd_opts o; /* warnings into errbuf: nothing may scribble on the screen */
	char *errbuf;
	size_t errlen;
	struct vd_top_frame prev, cur;
	bool have_prev, totals;
	bool *changed;
	size_t *order, norder;
	int sortcol;
	bool rev;
	unsigned long sel_dom, sel_dev;
	size_t sel;
	char filter[64], edit[64];
	bool editing;
	char status[256];
	bool color;
	enum vd_top_watch_state watch;
	/* detail view */
	char **dl;
	size_t ndl, top;
	bool detail;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool state_changed(const struct vd_top_row *a, const struct vd_top_frame *prev)
{
	for (size_t i = 0; i < prev->n; i++) {
		const struct vd_top_row *p = &prev->rows[i];

		if (p->domid != a->domid || p->devid != a->devid)
			continue;
		return strcmp(p->fe_state, a->fe_state) || strcmp(p->be_state, a->be_state) ||
		       strcmp(p->verdict, a->verdict) || a->negotiated != p->negotiated ||
		       !p->link != !a->link || (a->link && strcmp(a->link, p->link));
	}
	return true; /* a new VIF */
}

static bool matches(const struct vd_top_row *r, const char *f)
{
	bool hit = false;

	if (!*f)
		return true;
	for (int c = 0; c < VD_TOP_COL_CTR0 && !hit; c++) {
		char *s = vd_top_cell(r, (enum vd_top_col)c, true);

		hit = strstr(s, f) != NULL;
		free(s);
	}
	return hit;
}

static struct tui *sort_ctx;
static int cmp_idx(const void *a, const void *b)
{
	const struct tui *t = sort_ctx;
	int c = vd_top_cmp(&t->cur.rows[*(const size_t *)a], &t->cur.rows[*(const size_t *)b],
			   (enum vd_top_col)t->sortcol, t->totals);

	return t->rev ? -c : c;
}

/* Order and filter the rows; the selection stays on the same VIF when it is still shown. */
static void arrange(struct tui *t)
{
	free(t->order);
	t->order = vd_calloc(t->cur.n ? t->cur.n : 1, sizeof(*t->order));
	t->norder = 0;
	for (size_t i = 0; i < t->cur.n; i++)
		if (matches(&t->cur.rows[i], t->filter))
			t->order[t->norder++] = i;
	sort_ctx = t;
	qsort(t->order, t->norder, sizeof(*t->order), cmp_idx);
	for (size_t i = 0; i < t->norder; i++) {
		const struct vd_top_row *r = &t->cur.rows[t->order[i]];

		if (r->domid == t->sel_dom && r->devid == t->sel_dev)
			t->sel = i;
	}
	if (t->sel >= t->norder)
		t->sel = t->norder ? t->norder - 1 : 0;
	if (t->norder) {
		t->sel_dom = t->cur.rows[t->order[t->sel]].domid;
		t->sel_dev = t->cur.rows[t->order[t->sel]].devid;
	}
}

static void collect(struct tui *t)
{
	struct vd_top_frame f;
	struct vd_err err = { 0 };
	FILE *e = open_memstream(&t->errbuf, &t->errlen);

	t->o.err = e;
	t->status[0] = '\0';
	if (vd_top_collect(&t->o, &f, &err) < 0) {
		snprintf(t->status, sizeof(t->status), "cannot refresh: %.200s", err.msg);
	} else {
		if (t->have_prev || t->cur.rows) {
			vd_top_frame_free(&t->prev);
			t->prev = t->cur;
			t->have_prev = true;
			vd_top_rates(&f, &t->prev);
		}
		t->totals = !t->have_prev;
		t->cur = f;
		free(t->changed);
		t->changed = vd_calloc(f.n ? f.n : 1, sizeof(*t->changed));
		for (size_t i = 0; t->have_prev && i < f.n; i++)
			t->changed[i] = state_changed(&f.rows[i], &t->prev);
	}
	fclose(e);
	if (!t->status[0] && t->errlen) {
		char *nl = strchr(t->errbuf, '\n');

		snprintf(t->status, sizeof(t->status), "%.*s",
			 (int)(nl ? nl - t->errbuf : (long)t->errlen), t->errbuf);
	}
	free(t->errbuf);
	t->errbuf = NULL;
	t->errlen = 0;
	arrange(t);
}

static void put(int y, int x, const char *s, attr_t a)
{
	if (y >= LINES || x >= COLS)
		return;
	attron(a);
	mvaddnstr(y, x, s, COLS - x);
	attroff(a);
}

static void draw_table(struct tui *t)
{
	size_t w[VD_TOP_NCOL];
	int y = 2, x = 0;
	char line[256];

	snprintf(line, sizeof(line), "vifdiag top: %zu of %zu VIF%s, every %lu.%lus%s, %s%s%s",
		 t->norder, t->cur.n, t->cur.n == 1 ? "" : "s", t->o.delay_ms / 1000,
		 t->o.delay_ms % 1000 / 100,
		 t->watch == VD_TOP_WATCH_ON	 ? " and on changes"
		 : t->watch == VD_TOP_WATCH_LOST ? " (xenstored went away: reconnecting)"
						 : "",
		 t->totals ? "totals" : "per second", *t->filter ? ", filter: " : "", t->filter);
	put(0, 0, line, A_BOLD);
	for (int c = 0; c < VD_TOP_NCOL; c++)
		w[c] = strlen(vd_top_col_names[c]) + 1;
	for (size_t i = 0; i < t->norder; i++)
		for (int c = 0; c < VD_TOP_NCOL; c++) {
			char *s = vd_top_cell(&t->cur.rows[t->order[i]], (enum vd_top_col)c,
					      t->totals);

			if (strlen(s) > w[c])
				w[c] = strlen(s);
			free(s);
		}
	for (int c = 0; c < VD_TOP_NCOL; c++) {
		snprintf(line, sizeof(line), "%s%s", vd_top_col_names[c],
			 c == t->sortcol ? (t->rev ? "^" : "v") : "");
		put(1, x, line, A_BOLD | (c == t->sortcol ? A_UNDERLINE : 0));
		x += (int)w[c] + 2;
	}
	for (size_t i = 0; i < t->norder && y < LINES - 2; i++, y++) {
		const struct vd_top_row *r = &t->cur.rows[t->order[i]];
		attr_t a = (i == t->sel ? A_REVERSE : 0) |
			   (t->changed[t->order[i]] ? A_BOLD | A_UNDERLINE : 0);

		x = 0;
		if (i == t->sel) {
			attron(A_REVERSE);
			mvhline(y, 0, ' ', COLS);
			attroff(A_REVERSE);
		}
		for (int c = 0; c < VD_TOP_NCOL; c++) {
			char *s = vd_top_cell(r, (enum vd_top_col)c, t->totals);
			attr_t ca = a;

			if (c == VD_TOP_COL_VERDICT && t->color)
				ca |= COLOR_PAIR(strcmp(r->verdict, "ok") == 0 ? 1 : 2);
			put(y, x, s, ca);
			free(s);
			x += (int)w[c] + 2;
		}
	}
	if (!t->norder)
		put(2, 0, t->cur.n ? "no VIF matches the filter" : "no VIFs in the store", 0);
}

static void draw(struct tui *t)
{
	erase();
	if (t->detail) {
		for (size_t i = t->top; i < t->ndl && (int)(i - t->top) < LINES - 1; i++)
			put((int)(i - t->top), 0, t->dl[i], 0);
		put(LINES - 1, 0, "q/Esc: back  Up/Down/PgUp/PgDn: scroll", A_REVERSE);
	} else {
		draw_table(t);
		if (t->status[0])
			put(LINES - 2, 0, t->status, A_BOLD);
		if (t->editing) {
			char line[96];

			snprintf(line, sizeof(line), "filter: %s", t->edit);
			put(LINES - 1, 0, line, 0);
		} else {
			put(LINES - 1, 0,
			    "q quit  Up/Down select  </> sort column  r reverse  / filter  "
			    "Enter show",
			    A_REVERSE);
		}
	}
	refresh();
}

static void free_lines(struct tui *t)
{
	vd_strv_free(t->dl, t->ndl);
	t->dl = NULL;
	t->ndl = t->top = 0;
}

/* The `show` view of the selected VIF, rendered by the text renderer into lines. */
static void open_detail(struct tui *t)
{
	const struct vd_top_row *r;
	char arg[64], *argv[1] = { arg }, *buf = NULL, *p, *nl;
	size_t len = 0, cap = 0;
	struct vd_opts o = t->o;
	struct vd_err err = { 0 };
	struct vd_invocation inv = { 1, argv, &o, &err };
	FILE *m, *e;
	char *ebuf = NULL;
	size_t elen = 0;

	if (!t->norder)
		return;
	r = &t->cur.rows[t->order[t->sel]];
	snprintf(arg, sizeof(arg), "%lu/%lu", r->domid, r->devid);
	m = open_memstream(&buf, &len);
	e = open_memstream(&ebuf, &elen);
	o.out = m;
	o.err = e;
	o.use_color = false;
	vd_report_run(&inv, VD_VIEW_SHOW);
	fclose(m);
	fclose(e);
	free_lines(t);
	if (err.code && err.msg[0]) {
		free(buf);
		buf = vd_asprintf("cannot show %s: %s\n", arg, err.msg);
	}
	for (p = buf; p && *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p) - 1;
		if (t->ndl == cap)
			t->dl = vd_realloc(t->dl, (cap = cap * 2 + 16) * sizeof(*t->dl));
		t->dl[t->ndl++] = vd_strndup(p, (size_t)(nl - p + (*nl != '\n')));
	}
	free(buf);
	free(ebuf);
	t->detail = true;
}

/* One key; false to quit. */
static bool key(struct tui *t, int ch)
{
	size_t n;

	if (ch == KEY_RESIZE)
		return true;
	if (t->detail) {
		size_t page = LINES > 2 ? (size_t)LINES - 2 : 1;

		if (ch == 'q' || ch == 27 || ch == KEY_LEFT || ch == KEY_BACKSPACE) {
			t->detail = false;
			free_lines(t);
		} else if ((ch == KEY_DOWN || ch == 'j') && t->top + 1 < t->ndl) {
			t->top++;
		} else if ((ch == KEY_UP || ch == 'k') && t->top) {
			t->top--;
		} else if (ch == KEY_NPAGE || ch == ' ') {
			t->top = t->top + page < t->ndl ? t->top + page : t->top;
		} else if (ch == KEY_PPAGE) {
			t->top = t->top > page ? t->top - page : 0;
		}
		return true;
	}
	if (t->editing) {
		n = strlen(t->edit);
		if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
			snprintf(t->filter, sizeof(t->filter), "%s", t->edit);
			t->editing = false;
			arrange(t);
		} else if (ch == 27) {
			t->editing = false;
		} else if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && n) {
			t->edit[n - 1] = '\0';
		} else if (ch >= 0x20 && ch < 0x7f && n + 1 < sizeof(t->edit)) {
			t->edit[n] = (char)ch;
			t->edit[n + 1] = '\0';
		}
		return true;
	}
	switch (ch) {
	case 'q':
		return false;
	case KEY_DOWN:
	case 'j':
		if (t->sel + 1 < t->norder)
			t->sel++;
		break;
	case KEY_UP:
	case 'k':
		if (t->sel)
			t->sel--;
		break;
	case KEY_RIGHT:
	case '>':
		t->sortcol = (t->sortcol + 1) % VD_TOP_NCOL;
		break;
	case KEY_LEFT:
	case '<':
		t->sortcol = (t->sortcol + VD_TOP_NCOL - 1) % VD_TOP_NCOL;
		break;
	case 'r':
		t->rev = !t->rev;
		break;
	case '/':
		t->editing = true;
		snprintf(t->edit, sizeof(t->edit), "%s", t->filter);
		return true;
	case '\n':
	case '\r':
	case KEY_ENTER:
		open_detail(t);
		return true;
	default:
		return true;
	}
	if (t->norder) {
		t->sel_dom = t->cur.rows[t->order[t->sel]].domid;
		t->sel_dev = t->cur.rows[t->order[t->sel]].devid;
	}
	arrange(t);
	return true;
}

/* Cursor addressing is what a full screen needs; TERM=dumb has none. */
bool vd_top_can_draw(void)
{
	int e;
	char *cup;
	bool ok;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return false;
	if (setupterm(NULL, STDOUT_FILENO, &e) != OK)
		return false;
	cup = tigetstr("cup");
	ok = cup && cup != (char *)-1;
	del_curterm(cur_term); /* newterm() sets up its own */
	return ok;
}

/*
 * The crash path: a fatal signal (a bug of ours) must not leave the user's terminal in
 * the alternate screen with echo off. endwin() is not async-signal-safe, so the handler
 * writes the terminal's own exit sequences (prepared before) and restores the saved
 * termios (tcsetattr is async-signal-safe), then the signal takes its default course
 * (SA_RESETHAND + raise: the core dump or exit status stays that of the signal).
 */
static const int crash_sigs[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL };
#define NCRASH (sizeof(crash_sigs) / sizeof(crash_sigs[0]))
/* what was there before (ASan's handlers in a sanitizer build): restored, not SIG_DFL */
static struct sigaction crash_prev[NCRASH];
static struct termios crash_tio;
static bool crash_tio_ok;
static char crash_seq[256];
static size_t crash_len;

static void crash_add(const char *cap)
{
	char *v = tigetstr(cap);
	size_t n;

	if (!v || v == (char *)-1)
		return;
	n = strlen(v);
	if (crash_len + n < sizeof(crash_seq)) {
		memcpy(crash_seq + crash_len, v, n);
		crash_len += n;
	}
}

static void crash_restore(int sig)
{
	int e = errno;

	if (crash_len)
		(void)!write(STDOUT_FILENO, crash_seq, crash_len);
	if (crash_tio_ok)
		tcsetattr(STDIN_FILENO, TCSANOW, &crash_tio);
	/* hand the signal on to the handler before ours (ASan's report, or the default):
	 * it is blocked while we run, so it reaches that handler when we return */
	for (size_t i = 0; i < NCRASH; i++)
		if (crash_sigs[i] == sig)
			sigaction(sig, &crash_prev[i], NULL);
	errno = e;
	raise(sig); /* NOLINT(cert-err33-c): delivered on return; if not, nothing to do */
}

static void crash_arm(bool on)
{
	struct sigaction sa = { 0 };

	if (!on) {
		for (size_t i = 0; i < NCRASH; i++)
			sigaction(crash_sigs[i], &crash_prev[i], NULL);
		return;
	}
	crash_len = 0;
	crash_add("sgr0");
	crash_add("cnorm");
	crash_add("rmcup");
	sa.sa_handler = crash_restore;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NCRASH; i++)
		sigaction(crash_sigs[i], &sa, &crash_prev[i]);
}

int vd_top_tui(const struct vd_invocation *inv)
{
	struct tui t = { 0 };
	sigset_t waitmask, saved;
	volatile sig_atomic_t *stop = vd_stop_on_signals(&waitmask, &saved);
	SCREEN *scr;
	struct vd_top_watch *w;
	int64_t next, last;
	unsigned long frames = 0;
	bool run = true, due = false;

	t.inv = inv;
	t.o = *inv->opts;
	setlocale(LC_CTYPE, ""); /* NOLINT(cert-err33-c): else "C", ncurses copes */
	crash_tio_ok = tcgetattr(STDIN_FILENO, &crash_tio) == 0;
	scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		vd_stop_restore(&saved);
		vd_err_set(inv->err, VD_EXIT_INTERNAL, "top: cannot set up the terminal");
		return VD_EXIT_INTERNAL;
	}
	crash_arm(true);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	t.color = t.o.use_color && has_colors();
	if (t.color) {
		start_color();
		use_default_colors();
		init_pair(1, COLOR_GREEN, -1);
		init_pair(2, COLOR_RED, -1);
	}
	w = vd_top_watch_start(&t.o);
	t.watch = vd_top_watch_state(w);
	collect(&t);
	frames++;
	last = now_ms();
	draw(&t);
	next = last + (int64_t)t.o.delay_ms;
	while (run && !*stop) {
		/* a change waits for its refresh at most WAKE_MIN_MS after the last one */
		int64_t at = due && last + WAKE_MIN_MS < next ? last + WAKE_MIN_MS : next;
		int64_t left = at - now_ms();
		struct pollfd p[2] = { { STDIN_FILENO, POLLIN, 0 },
				       { vd_top_watch_fd(w), POLLIN, 0 } };
		struct timespec ts;
		int ch;

		if (left <= 0) {
			if (t.o.iterations && frames >= t.o.iterations)
				break;
			collect(&t);
			frames++;
			last = now_ms();
			draw(&t);
			next = last + (int64_t)t.o.delay_ms;
			due = false;
			continue;
		}
		ts.tv_sec = (time_t)(left / 1000);
		ts.tv_nsec = (long)(left % 1000) * 1000000L;
		ppoll(p, w ? 2 : 1, &ts, &waitmask);
		if (*stop)
			break;
		if (p[1].revents) {
			due |= vd_top_watch_take(w) > 0;
			t.watch = vd_top_watch_state(w);
		}
		while (run && (ch = getch()) != ERR)
			run = key(&t, ch);
		if (run)
			draw(&t);
	}
	vd_top_watch_stop(w);
	endwin();
	crash_arm(false);
	delscreen(scr);
	vd_stop_restore(&saved);
	free_lines(&t);
	free(t.order);
	free(t.changed);
	vd_top_frame_free(&t.cur);
	vd_top_frame_free(&t.prev);
	return VD_EXIT_OK;
}
