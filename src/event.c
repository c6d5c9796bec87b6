// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The VIF change tracker shared by watch and log. It keeps, per VIF end, only what a
 * timeline needs (state and since when, hotplug-status and -error, queue counts, the error
 * node) and turns each update into at most one event. Writing the value a node already has
 * is no change: watch events may be spurious, and logs repeat writes.
 */
#include "vd_event.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vd_util.h"

struct end_track {
	bool present;
	char *dir;
	long state;	  /* -1 absent, -2 not a number, -3 unknown (found mid-life in a log) */
	bool gone;	  /* seen removed: its next write is a creation */
	char *state_raw;  /* the value when state is -2 */
	int64_t since;	  /* when the current state was first seen */
	bool since_exact; /* seen changing, not just found (quiet) */
	int64_t hotplug_since;
	struct vd_buf hotplug, hp_error, error;
	bool has_hotplug, has_hp_error, has_error;
	bool hotplug_unknown; /* found mid-life: whether it had a hotplug-status is unknown */
	long queues;	      /* frontend multi-queue-num-queues, backend multi-queue-max-queues */
};

struct vif {
	unsigned long domid, devid;
	long be_domid;
	struct end_track e[2];
	enum vd_stall armed;
	enum vd_ev_end stall_end;
	int64_t anchor, deadline;
	bool fired;
	size_t heap_i; /* position in the deadline heap, NOT_QUEUED if none */
	unsigned long changes, stalls;
};

#define NOT_QUEUED ((size_t)-1)

struct dom_name {
	unsigned long domid;
	char *name;
	size_t len;
};

struct vd_tracker {
	int64_t thr[VD_STALL_N];
	vd_event_fn fn;
	void *arg;
	vd_vif_filter_fn filter;
	void *filter_arg;
	bool quiet, gap, stalls_off;
	struct vif **vifs; /* sorted by (domid, devid) */
	size_t n;
	struct dom_name *names;
	size_t nnames;
	struct vd_imap name_ix; /* domid -> names[] */
	/* armed VIFs that have not fired, by (deadline, domid, devid): a record costs
	 * O(log n) however many VIFs are tracked */
	struct vif **heap;
	size_t nheap, heapcap;
	unsigned long problems;
};

/* ---- names ---- */

static const char *const kind_names[VD_EV_NKINDS] = {
	"state", "hotplug", "queues", "appeared", "vanished", "error", "stall", "xenstored",
};

const char *vd_ev_kind_name(enum vd_ev_kind k)
{
	return k < VD_EV_NKINDS ? kind_names[k] : "unknown";
}

const char *vd_ev_end_name(enum vd_ev_end e)
{
	return e == VD_END_BACKEND ? "backend" : "frontend";
}

const char *vd_writer_name(enum vd_writer w)
{
	static const char *const n[] = { "unknown", "toolstack", "backend-kernel", "guest-kernel" };

	return w <= VD_WRITER_GUEST_KERNEL ? n[w] : "unknown";
}

static const struct {
	const char *name;
	int64_t def_ms;
	const char *what;
} stalls[VD_STALL_N] = {
	{ "initwait", 10000, "the backend should reach InitWait within 10 s (libxl)" },
	{ "hotplug", 40000, "the hotplug script should finish within 40 s (libxl)" },
	{ "connect", 30000, "the guest's driver should connect once the backend is ready" },
	{ "close", 10000, "a closing end should reach Closed within 10 s (libxl)" },
};

const char *vd_stall_name(enum vd_stall s)
{
	return s < VD_STALL_N ? stalls[s].name : "none";
}

const char *vd_stall_what(enum vd_stall s)
{
	return s < VD_STALL_N ? stalls[s].what : "";
}

int vd_stall_parse(const char *arg, long ms[VD_STALL_N], struct vd_err *err)
{
	const char *eq = strchr(arg, '=');
	char *end = NULL;
	double s;

	for (int i = 0; eq && i < VD_STALL_N; i++) {
		if (strlen(stalls[i].name) != (size_t)(eq - arg) ||
		    strncmp(arg, stalls[i].name, (size_t)(eq - arg)) != 0)
			continue;
		s = strtod(eq + 1, &end);
		if (end == eq + 1 || *end || !(s >= 0 && s <= 86400)) {
			vd_err_set(
				err, VD_EXIT_USAGE,
				"--stall %s: expected seconds 0-86400 (0 turns it off), not '%s'",
				stalls[i].name, eq + 1);
			return -1;
		}
		ms[i] = (long)(s * 1000 + 0.5);
		return 0;
	}
	vd_err_set(err, VD_EXIT_USAGE,
		   "--stall: expected NAME=SECONDS with NAME initwait, hotplug, connect or close, "
		   "not '%s'",
		   arg);
	return -1;
}

void vd_stall_resolve(const long opt_ms[VD_STALL_N], int64_t out_ms[VD_STALL_N])
{
	for (int i = 0; i < VD_STALL_N; i++)
		out_ms[i] = opt_ms && opt_ms[i] >= 0 ? opt_ms[i] : stalls[i].def_ms;
}

/* ---- time ---- */

char *vd_time_iso(int64_t ms, char *buf, size_t len)
{
	/* the text up to the second, kept: a log's events come many to a second */
	static _Thread_local time_t last = (time_t)-1;
	static _Thread_local char head[40];
	static _Thread_local size_t hlen;
	time_t s = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	int frac = (int)(ms - (int64_t)s * 1000);
	struct tm tm;

	if (s != last || !hlen) {
		if (!gmtime_r(&s, &tm))
			memset(&tm, 0, sizeof(tm));
		snprintf(head, sizeof(head), "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		hlen = strlen(head);
		last = s;
	}
	if (len < hlen + 6) {
		snprintf(buf, len, "%s.%03dZ", head, frac);
		return buf;
	}
	memcpy(buf, head, hlen);
	buf[hlen] = '.';
	buf[hlen + 1] = (char)('0' + frac / 100);
	buf[hlen + 2] = (char)('0' + frac / 10 % 10);
	buf[hlen + 3] = (char)('0' + frac % 10);
	buf[hlen + 4] = 'Z';
	buf[hlen + 5] = '\0';
	return buf;
}

int64_t vd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Exactly n decimal digits at *p, consumed. */
static bool digits(const char **p, int n, int *out)
{
	unsigned long v;

	if (!vd_parse_ulong(*p, (size_t)n, 99999, &v))
		return false;
	*p += n;
	*out = (int)v;
	return true;
}

static bool parse_fraction(const char **p, int64_t *ms)
{
	int64_t scale = 100;

	*ms = 0;
	if (**p != '.')
		return true;
	(*p)++;
	if (**p < '0' || **p > '9')
		return false;
	for (; **p >= '0' && **p <= '9'; (*p)++, scale /= 10)
		*ms += scale * (**p - '0');
	return true;
}

/* Z, +HH:MM or -HH:MM into seconds east of UTC; false if malformed. */
static bool parse_zone(const char *s, long *east)
{
	int zh, zm, sign = s[0] == '-' ? -1 : 1;

	if (s[0] == 'Z' && s[1] == '\0') {
		*east = 0;
		return true;
	}
	if (s[0] != '+' && s[0] != '-')
		return false;
	s++;
	if (!digits(&s, 2, &zh) || *s++ != ':' || !digits(&s, 2, &zm) || *s || zh > 23 || zm > 59)
		return false;
	*east = sign * (zh * 3600L + zm * 60L);
	return true;
}

bool vd_time_parse(const char *s, int64_t *ms)
{
	struct tm tm = { 0 };
	int y, mo, d, h, mi, sec;
	int64_t frac;
	long east;
	time_t t;

	if (s[0] == '@') {
		char *end;
		double v = strtod(s + 1, &end);

		if (end == s + 1 || *end || !(v >= 0 && v < 1e11))
			return false;
		*ms = (int64_t)(v * 1000 + 0.5);
		return true;
	}
	if (!digits(&s, 4, &y) || *s++ != '-' || !digits(&s, 2, &mo) || *s++ != '-' ||
	    !digits(&s, 2, &d))
		return false;
	if ((*s != 'T' && *s != ' ') || (s++, !digits(&s, 2, &h)) || *s++ != ':' ||
	    !digits(&s, 2, &mi) || *s++ != ':' || !digits(&s, 2, &sec) ||
	    !parse_fraction(&s, &frac))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return false;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	if (*s == '\0') {
		tm.tm_isdst = -1; /* no zone: local time, as people type it */
		t = mktime(&tm);
	} else if (parse_zone(s, &east)) {
		t = timegm(&tm) - east;
	} else {
		return false;
	}
	*ms = (int64_t)t * 1000 + frac;
	return true;
}

/* ---- paths ---- */

enum what { W_NONE, W_END, W_ERROR, W_NAME };

struct where {
	enum what what;
	enum vd_ev_end end;
	unsigned long owner, domid, devid;
	size_t dirlen;	 /* W_END: length of the end's directory in the path */
	const char *key; /* W_END: what follows the directory ("" for the directory itself) */
};

/* One path component that must be a canonical decimal number. */
static bool comp_num(const char **p, unsigned long *out)
{
	size_t n = strcspn(*p, "/");

	if (n == 0 || n > 10 || ((*p)[0] == '0' && n > 1) ||
	    !vd_parse_ulong(*p, n, 0xffffffffUL, out))
		return false;
	*p += n;
	return true;
}

static bool comp(const char **p, const char *lit)
{
	size_t n = strlen(lit);

	if (strncmp(*p, lit, n) != 0)
		return false;
	*p += n;
	return true;
}

static bool end_or_slash(const char *p)
{
	return *p == '\0' || *p == '/';
}

static struct where classify(const char *path)
{
	struct where w = { .what = W_NONE };
	const char *p = path, *rest;

	if (!comp(&p, "/local/domain/") || !comp_num(&p, &w.owner) || *p++ != '/')
		return w;
	rest = p;
	if (comp(&p, "device/vif/") && comp_num(&p, &w.devid) && end_or_slash(p)) {
		w.what = W_END;
		w.end = VD_END_FRONTEND;
		w.domid = w.owner;
	} else if ((p = rest, comp(&p, "backend/vif/")) && comp_num(&p, &w.domid) && *p++ == '/' &&
		   comp_num(&p, &w.devid) && end_or_slash(p)) {
		w.what = W_END;
		w.end = VD_END_BACKEND;
	} else if ((p = rest, comp(&p, "error/device/vif/")) && comp_num(&p, &w.devid) &&
		   strcmp(p, "/error") == 0) {
		w.what = W_ERROR;
		w.end = VD_END_FRONTEND;
		w.domid = w.owner;
		return w;
	} else if ((p = rest, comp(&p, "error/backend/vif/")) && comp_num(&p, &w.domid) &&
		   *p++ == '/' && comp_num(&p, &w.devid) && strcmp(p, "/error") == 0) {
		w.what = W_ERROR;
		w.end = VD_END_BACKEND;
		return w;
	} else if (strcmp(rest, "name") == 0) {
		w.what = W_NAME;
		return w;
	} else {
		return w;
	}
	w.dirlen = (size_t)(p - path);
	w.key = *p ? p + 1 : p;
	return w;
}

/* a is p itself or one of its ancestors */
static bool covers(const char *a, const char *p)
{
	size_t n = strlen(a);

	if (n == 1 && a[0] == '/')
		return p[0] == '/';
	return strncmp(a, p, n) == 0 && (p[n] == '\0' || p[n] == '/');
}

/* ---- VIF records ---- */

static int vif_cmp(const struct vif *v, unsigned long domid, unsigned long devid)
{
	if (v->domid != domid)
		return v->domid < domid ? -1 : 1;
	if (v->devid != devid)
		return v->devid < devid ? -1 : 1;
	return 0;
}

static struct dom_name *find_name(const struct vd_tracker *t, unsigned long domid);

/* The VIF's record, created on first sight; NULL if the filter does not want it. */
static struct vif *get_vif(struct vd_tracker *t, unsigned long domid, unsigned long devid)
{
	size_t lo = 0, hi = t->n;
	struct vif *v;
	const struct dom_name *d;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = vif_cmp(t->vifs[mid], domid, devid);

		if (c == 0)
			return t->vifs[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	d = find_name(t, domid);
	if (t->filter && !t->filter(domid, devid, d ? d->name : NULL, t->filter_arg))
		return NULL;
	v = vd_calloc(1, sizeof(*v));
	v->domid = domid;
	v->devid = devid;
	v->be_domid = -1;
	v->armed = VD_STALL_NONE;
	v->heap_i = NOT_QUEUED;
	for (int i = 0; i < 2; i++) {
		v->e[i].state = -1;
		v->e[i].queues = -1;
		v->e[i].since = -1;
		v->e[i].hotplug_since = -1;
	}
	t->vifs = vd_realloc(t->vifs, (t->n + 1) * sizeof(*t->vifs));
	memmove(&t->vifs[lo + 1], &t->vifs[lo], (t->n - lo) * sizeof(*t->vifs));
	t->vifs[lo] = v;
	t->n++;
	return v;
}

static void end_reset(struct end_track *e)
{
	free(e->dir);
	free(e->state_raw);
	e->dir = NULL;
	e->state_raw = NULL;
	e->present = false;
	e->state = -1;
	e->since = -1;
	e->since_exact = false;
	e->hotplug_since = -1;
	vd_buf_reset(&e->hotplug);
	vd_buf_reset(&e->hp_error);
	e->has_hotplug = e->has_hp_error = false;
	e->hotplug_unknown = false;
	e->queues = -1;
}

static void vif_free(struct vif *v)
{
	for (int i = 0; i < 2; i++) {
		end_reset(&v->e[i]);
		vd_buf_free(&v->e[i].hotplug);
		vd_buf_free(&v->e[i].hp_error);
		vd_buf_free(&v->e[i].error);
	}
	free(v);
}

static struct dom_name *find_name(const struct vd_tracker *t, unsigned long domid)
{
	size_t i;

	return vd_imap_get(&t->name_ix, domid, &i) ? &t->names[i] : NULL;
}

static void set_name(struct vd_tracker *t, unsigned long domid, const char *val, size_t len)
{
	struct dom_name *d = find_name(t, domid);

	if (!d) {
		t->names = vd_realloc(t->names, (t->nnames + 1) * sizeof(*t->names));
		vd_imap_put(&t->name_ix, domid, t->nnames);
		d = &t->names[t->nnames++];
		d->domid = domid;
		d->name = NULL;
	}
	free(d->name);
	d->name = vd_memdup0(val, len);
	d->len = len;
}

/* ---- events ---- */

static long shown_state(const struct end_track *e)
{
	return e->present ? e->state : -1;
}

static enum vd_writer writer_of(const struct vif *v, enum vd_ev_end end, const struct vd_origin *o)
{
	if (!o || !o->conn)
		return VD_WRITER_UNKNOWN;
	if (!o->kernel)
		return VD_WRITER_TOOLSTACK;
	if (end == VD_END_BACKEND && v->be_domid >= 0 && o->conn_domid == v->be_domid)
		return VD_WRITER_BACKEND_KERNEL;
	if (end == VD_END_FRONTEND && o->conn_domid == (long)v->domid)
		return VD_WRITER_GUEST_KERNEL;
	/* a dom0 process on /dev/xen/xenbus writing someone else's end: the toolstack */
	return o->conn_domid == 0 ? VD_WRITER_TOOLSTACK : VD_WRITER_UNKNOWN;
}

static void ev_init(struct vd_event *ev, const struct vif *v, enum vd_ev_kind k, enum vd_ev_end end,
		    int64_t ms)
{
	memset(ev, 0, sizeof(*ev));
	ev->t_ms = ms;
	ev->kind = k;
	ev->domid = v->domid;
	ev->devid = v->devid;
	ev->be_domid = v->be_domid;
	ev->end = end;
	ev->path = v->e[end].dir;
	ev->from = ev->to = -1;
	ev->in_prev_ms = -1;
	ev->queues = ev->old_queues = ev->max_queues = -1;
	ev->stall = VD_STALL_NONE;
}

static void emit(struct vd_tracker *t, struct vif *v, struct vd_event *ev,
		 const struct vd_origin *o)
{
	const struct dom_name *d = find_name(t, v->domid);

	ev->fe_state = shown_state(&v->e[VD_END_FRONTEND]);
	ev->be_state = shown_state(&v->e[VD_END_BACKEND]);
	if (d) {
		ev->name = d->name;
		ev->name_len = d->len;
	}
	ev->origin = o;
	ev->writer = writer_of(v, ev->end, o);
	ev->during_gap = t->gap;
	if (t->quiet)
		return;
	if (ev->kind != VD_EV_STALL)
		v->changes++;
	if (t->fn)
		t->fn(ev, t->arg);
}

static const char *buf_or_null(const struct vd_buf *b, bool has)
{
	return has ? vd_buf_cstr(b) : NULL;
}

/* A state value: a XenbusState number, or -2 for anything else (hostile or broken). */
static long parse_state(const char *val, size_t len)
{
	unsigned long n;

	return vd_parse_ulong(val, len, 0xffff, &n) ? (long)n : -2;
}

static void set_state(struct vd_tracker *t, struct vif *v, enum vd_ev_end end, int64_t ms,
		      const char *val, size_t len, const struct vd_origin *o)
{
	struct end_track *e = &v->e[end];
	long st = val ? parse_state(val, len) : -1;
	struct vd_event ev;
	char *raw = st == -2 ? vd_memdup0(val, len) : NULL, *old_raw = e->state_raw;

	if (st == e->state && (st != -2 || strcmp(raw, e->state_raw) == 0)) {
		free(raw);
		return;
	}
	ev_init(&ev, v, VD_EV_STATE, end, ms);
	ev.from = e->state;
	ev.from_raw = old_raw;
	/* a clock step back in a log: how long is unknown */
	ev.in_prev_ms = e->since_exact && e->state != -1 && ms >= e->since ? ms - e->since : -1;
	e->state = st;
	e->state_raw = raw;
	ev.to = st;
	ev.to_raw = raw;
	emit(t, v, &ev, o);
	free(old_raw);
	e->since = ms;
	e->since_exact = !t->quiet;
}

/* absent and "" both mean "the script has not reported" (libxl pre-seeds ""; xenopsd not) */
static bool hotplug_pending(const char *s)
{
	return !s || !*s;
}

static void set_hotplug(struct vd_tracker *t, struct vif *v, int64_t ms, const char *val,
			size_t len, const struct vd_origin *o)
{
	struct end_track *e = &v->e[VD_END_BACKEND];
	const char *old = buf_or_null(&e->hotplug, e->has_hotplug);
	struct vd_buf prev;
	struct vd_event ev;

	bool unknown = e->hotplug_unknown;

	e->hotplug_unknown = false;
	if ((hotplug_pending(old) && (!val || !len) && !(unknown && !val)) ||
	    (old && val && e->hotplug.len == len && memcmp(old, val, len) == 0)) {
		e->has_hotplug = val != NULL;
		vd_buf_reset(&e->hotplug);
		if (val)
			vd_buf_add(&e->hotplug, val, len);
		return;
	}
	vd_buf_init(&prev);
	if (old)
		vd_buf_add(&prev, old, e->hotplug.len);
	ev_init(&ev, v, VD_EV_HOTPLUG, VD_END_BACKEND, ms);
	ev.from = unknown ? -3 : -1; /* the previous value is unknown */
	ev.old_value = old ? vd_buf_cstr(&prev) : NULL;
	ev.old_len = prev.len;
	vd_buf_reset(&e->hotplug);
	e->has_hotplug = val != NULL;
	if (val)
		vd_buf_add(&e->hotplug, val, len);
	ev.value = buf_or_null(&e->hotplug, e->has_hotplug);
	ev.value_len = e->hotplug.len;
	ev.detail = buf_or_null(&e->hp_error, e->has_hp_error);
	ev.detail_len = e->hp_error.len;
	e->hotplug_since = ms;
	if (val && len == 5 && memcmp(val, "error", 5) == 0)
		t->problems++;
	emit(t, v, &ev, o);
	vd_buf_free(&prev);
}

static void set_buf(struct vd_buf *b, bool *has, const char *val, size_t len)
{
	vd_buf_reset(b);
	*has = val != NULL;
	if (val)
		vd_buf_add(b, val, len);
}

static long parse_count(const char *val, size_t len)
{
	unsigned long n;

	return val && vd_parse_ulong(val, len, 0xffff, &n) ? (long)n : -1;
}

static void set_queues(struct vd_tracker *t, struct vif *v, int64_t ms, const char *val, size_t len,
		       const struct vd_origin *o)
{
	struct end_track *e = &v->e[VD_END_FRONTEND];
	long q = parse_count(val, len);
	struct vd_event ev;

	if (q == e->queues)
		return;
	ev_init(&ev, v, VD_EV_QUEUES, VD_END_FRONTEND, ms);
	ev.old_queues = e->queues;
	ev.queues = q;
	ev.max_queues = v->e[VD_END_BACKEND].queues;
	e->queues = q;
	emit(t, v, &ev, o);
}

static void set_error(struct vd_tracker *t, struct vif *v, enum vd_ev_end end, int64_t ms,
		      const char *val, size_t len, const struct vd_origin *o)
{
	struct end_track *e = &v->e[end];
	struct vd_event ev;

	if (!val) {
		set_buf(&e->error, &e->has_error, NULL, 0);
		return;
	}
	if (e->has_error && e->error.len == len && memcmp(e->error.data, val, len) == 0)
		return;
	set_buf(&e->error, &e->has_error, val, len);
	ev_init(&ev, v, VD_EV_ERROR, end, ms);
	ev.value = vd_buf_cstr(&e->error);
	ev.value_len = e->error.len;
	t->problems++;
	emit(t, v, &ev, o);
}

static void appear(struct vd_tracker *t, struct vif *v, enum vd_ev_end end, int64_t ms,
		   const char *path, size_t dirlen, const struct vd_origin *o)
{
	struct end_track *e = &v->e[end];
	struct vd_event ev;

	e->present = true;
	e->dir = vd_strndup(path, dirlen);
	e->since = ms;
	e->since_exact = false;
	ev_init(&ev, v, VD_EV_APPEARED, end, ms);
	emit(t, v, &ev, o);
}

/*
 * A log that starts after an end was created shows it first through some later write:
 * it was there before, in a state the log does not tell. Creation is the directory itself,
 * the pointer key libxl writes first, or any write after the log showed it removed.
 */
static bool creates(const struct end_track *e, enum vd_ev_end end, const char *key)
{
	return !*key || e->gone ||
	       strcmp(key, end == VD_END_FRONTEND ? "backend" : "frontend") == 0;
}

static void found(struct vif *v, enum vd_ev_end end, int64_t ms, const char *path, size_t dirlen)
{
	struct end_track *e = &v->e[end];

	e->present = true;
	e->dir = vd_strndup(path, dirlen);
	e->state = -3;
	e->hotplug_unknown = end == VD_END_BACKEND;
	e->since = ms;
	e->since_exact = false;
}

static void vanish(struct vd_tracker *t, struct vif *v, enum vd_ev_end end, int64_t ms,
		   const struct vd_origin *o)
{
	struct end_track *e = &v->e[end];
	struct vd_event ev;

	ev_init(&ev, v, VD_EV_VANISHED, end, ms);
	ev.from = e->state;
	ev.from_raw = e->state_raw;
	/* a clock step back in a log: how long is unknown */
	ev.in_prev_ms = e->since_exact && e->state != -1 && ms >= e->since ? ms - e->since : -1;
	e->present = false; /* the pair shown is the one after the change */
	emit(t, v, &ev, o);
	end_reset(e);
	e->gone = true;
}

/* Keys of an end the tracker follows; the rest only proves the end exists. */
static void put_key(struct vd_tracker *t, struct vif *v, enum vd_ev_end end, int64_t ms,
		    const char *key, const char *val, size_t len, const struct vd_origin *o)
{
	struct end_track *e = &v->e[end];

	if (strcmp(key, "state") == 0)
		set_state(t, v, end, ms, val, len, o);
	else if (end == VD_END_FRONTEND && strcmp(key, "multi-queue-num-queues") == 0)
		set_queues(t, v, ms, val, len, o);
	else if (end == VD_END_BACKEND && strcmp(key, "hotplug-status") == 0)
		set_hotplug(t, v, ms, val, len, o);
	else if (end == VD_END_BACKEND && strcmp(key, "hotplug-error") == 0)
		set_buf(&e->hp_error, &e->has_hp_error, val, len);
	else if (end == VD_END_BACKEND && strcmp(key, "multi-queue-max-queues") == 0)
		e->queues = parse_count(val, len);
}

/* ---- stalls ---- */

static int64_t since_or(const struct end_track *e, int64_t fallback)
{
	return e->since >= 0 ? e->since : fallback;
}

static bool due_before(const struct vif *x, const struct vif *y)
{
	vd_work++;
	if (x->deadline != y->deadline)
		return x->deadline < y->deadline;
	return vif_cmp(x, y->domid, y->devid) < 0;
}

static void heap_set(struct vd_tracker *t, size_t i, struct vif *v)
{
	t->heap[i] = v;
	v->heap_i = i;
}

static void heap_fix(struct vd_tracker *t, size_t i)
{
	struct vif *v = t->heap[i];

	while (i && due_before(v, t->heap[(i - 1) / 2])) {
		heap_set(t, i, t->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= t->nheap)
			break;
		if (c + 1 < t->nheap && due_before(t->heap[c + 1], t->heap[c]))
			c++;
		if (!due_before(t->heap[c], v))
			break;
		heap_set(t, i, t->heap[c]);
		i = c;
	}
	heap_set(t, i, v);
}

static void heap_remove(struct vd_tracker *t, struct vif *v)
{
	size_t i = v->heap_i;

	if (i == NOT_QUEUED)
		return;
	v->heap_i = NOT_QUEUED;
	if (i == --t->nheap)
		return;
	heap_set(t, i, t->heap[t->nheap]);
	heap_fix(t, i);
}

/* Queued while armed and not fired, at its (possibly new) deadline. */
static void heap_update(struct vd_tracker *t, struct vif *v)
{
	if (v->armed == VD_STALL_NONE || v->fired) {
		heap_remove(t, v);
		return;
	}
	if (v->heap_i == NOT_QUEUED) {
		if (t->nheap == t->heapcap) {
			t->heapcap = t->heapcap ? 2 * t->heapcap : 64;
			t->heap = vd_realloc(t->heap, t->heapcap * sizeof(*t->heap));
		}
		heap_set(t, t->nheap++, v);
	}
	heap_fix(t, v->heap_i);
}

/* Which deadline, if any, the VIF's current pair is running against (reference §2.3). */
static void rearm(struct vd_tracker *t, struct vif *v, int64_t now)
{
	const struct end_track *fe = &v->e[VD_END_FRONTEND], *be = &v->e[VD_END_BACKEND];
	long fs = shown_state(fe), bs = shown_state(be);
	const char *hp = buf_or_null(&be->hotplug, be->has_hotplug);
	enum vd_stall k = VD_STALL_NONE;
	enum vd_ev_end end = VD_END_BACKEND;
	int64_t anchor = now;

	if (fs == 5 || bs == 5) {
		k = VD_STALL_CLOSE;
		if (bs == 5 && (fs != 5 || since_or(be, now) <= since_or(fe, now))) {
			anchor = since_or(be, now);
		} else {
			anchor = since_or(fe, now);
			end = VD_END_FRONTEND;
		}
	} else if (be->present && (bs == -1 || bs == 0 || bs == 1)) {
		k = VD_STALL_INITWAIT;
		anchor = since_or(be, now);
	} else if (bs == 2 && hotplug_pending(hp)) {
		k = VD_STALL_HOTPLUG;
		anchor = since_or(be, now);
	} else if (bs == 2 && hp && strcmp(hp, "connected") == 0 && fe->present && fs != 4) {
		k = VD_STALL_CONNECT;
		anchor = since_or(be, now);
		if (be->hotplug_since > anchor)
			anchor = be->hotplug_since;
		if (fs >= 0 && since_or(fe, now) > anchor)
			anchor = since_or(fe, now);
		end = VD_END_FRONTEND;
	}
	if (k != VD_STALL_NONE && t->thr[k] <= 0)
		k = VD_STALL_NONE;
	if (k == v->armed && (k == VD_STALL_NONE || anchor == v->anchor))
		return;
	v->armed = k;
	v->stall_end = end;
	v->anchor = anchor;
	v->deadline = k == VD_STALL_NONE ? INT64_MAX : anchor + t->thr[k];
	v->fired = false;
	heap_update(t, v);
}

int64_t vd_tracker_tick(struct vd_tracker *t, int64_t now)
{
	struct vif **due = NULL;
	size_t ndue = 0;
	int64_t next;

	if (t->stalls_off)
		return INT64_MAX;
	/* popped in (deadline, domid, devid) order: the order the stalls are reported in */
	while (t->nheap && t->heap[0]->deadline <= now) {
		struct vif *v = t->heap[0];

		heap_remove(t, v);
		v->fired = true;
		due = vd_realloc(due, (ndue + 1) * sizeof(*due));
		due[ndue++] = v;
	}
	next = t->nheap ? t->heap[0]->deadline : INT64_MAX;
	for (size_t i = 0; i < ndue; i++) {
		struct vif *v = due[i];
		struct vd_event ev;

		v->stalls++;
		t->problems++;
		ev_init(&ev, v, VD_EV_STALL, v->stall_end, v->deadline);
		ev.stall = v->armed;
		ev.threshold_ms = t->thr[v->armed];
		ev.stuck_ms = v->deadline - v->anchor;
		ev.from = ev.to = shown_state(&v->e[v->stall_end]);
		ev.to_raw = v->e[v->stall_end].state_raw;
		if (v->armed == VD_STALL_HOTPLUG) {
			const struct end_track *be = &v->e[VD_END_BACKEND];

			ev.value = buf_or_null(&be->hotplug, be->has_hotplug);
			ev.value_len = be->hotplug.len;
		}
		emit(t, v, &ev, NULL);
	}
	free(due);
	return next;
}

void vd_tracker_pause_stalls(struct vd_tracker *t, bool off)
{
	t->stalls_off = off;
}

/* ---- updates ---- */

void vd_tracker_put(struct vd_tracker *t, int64_t ms, const char *path, const char *val, size_t len,
		    const struct vd_origin *o)
{
	struct where w = classify(path);
	struct vif *v;

	if (w.what == W_NONE)
		return;
	if (w.what == W_NAME) {
		if (val)
			set_name(t, w.owner, val, len);
		return;
	}
	v = get_vif(t, w.domid, w.devid);
	if (!v)
		return;
	if (w.end == VD_END_BACKEND && !v->e[VD_END_BACKEND].present)
		v->be_domid = (long)w.owner;
	if (w.what == W_ERROR) {
		if (val)
			set_error(t, v, w.end, ms, val, len, o);
		rearm(t, v, ms);
		return;
	}
	/* A write into another backend of the same VIF (driver domain change) replaces it. */
	if (w.end == VD_END_BACKEND && v->e[VD_END_BACKEND].present &&
	    v->be_domid != (long)w.owner) {
		vanish(t, v, VD_END_BACKEND, ms, o);
		v->be_domid = (long)w.owner;
	}
	if (!v->e[w.end].present && creates(&v->e[w.end], w.end, w.key))
		appear(t, v, w.end, ms, path, w.dirlen, o);
	else if (!v->e[w.end].present)
		found(v, w.end, ms, path, w.dirlen);
	if (*w.key && val)
		put_key(t, v, w.end, ms, w.key, val, len, o);
	rearm(t, v, ms);
}

static char *error_path(const struct vif *v, enum vd_ev_end end)
{
	if (end == VD_END_FRONTEND)
		return vd_asprintf("/local/domain/%lu/error/device/vif/%lu/error", v->domid,
				   v->devid);
	return vd_asprintf("/local/domain/%ld/error/backend/vif/%lu/%lu/error", v->be_domid,
			   v->domid, v->devid);
}

static void rm_in_vif(struct vd_tracker *t, struct vif *v, int64_t ms, const char *path,
		      const struct vd_origin *o)
{
	vd_work++;
	for (int i = 0; i < 2; i++) {
		struct end_track *e = &v->e[i];
		char *ep;

		if (e->has_error) {
			ep = error_path(v, (enum vd_ev_end)i);
			if (covers(path, ep))
				set_error(t, v, (enum vd_ev_end)i, ms, NULL, 0, o);
			free(ep);
		}
		if (!e->present)
			continue;
		if (covers(path, e->dir))
			vanish(t, v, (enum vd_ev_end)i, ms, o);
		else if (covers(e->dir, path))
			put_key(t, v, (enum vd_ev_end)i, ms, path + strlen(e->dir) + 1, NULL, 0, o);
	}
	rearm(t, v, ms);
}

/* The first VIF of domain domid in t->vifs (sorted), or t->n. */
static size_t first_of_domain(const struct vd_tracker *t, unsigned long domid)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		vd_work++;
		if (t->vifs[mid]->domid < domid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Is s, from its start, "lit" followed by '/' or the end? Advances *s past it. */
static bool under(const char **s, const char *lit)
{
	size_t n = strlen(lit);

	if (strncmp(*s, lit, n) != 0 || ((*s)[n] && (*s)[n] != '/'))
		return false;
	*s += n;
	return true;
}

/* rest is a proper ancestor of a VIF end's dir or error node below /local/domain/X. */
static bool above_vif_dirs(const char *rest)
{
	static const char *const dirs[] = { "/backend/vif/", "/error/backend/vif/",
					    "/error/device/vif/" };

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (strncmp(dirs[i], rest, strlen(rest)) == 0 && dirs[i][strlen(rest)] == '/')
			return true;
	return !*rest;
}

/*
 * A removal touches the VIFs whose dirs or error nodes it covers: those of one domain
 * for the usual device/vif/N or backend/vif/F/N removals (a range of the sorted VIFs),
 * every VIF only for rare removals of a whole domain or backend dir.
 */
void vd_tracker_rm(struct vd_tracker *t, int64_t ms, const char *path, const struct vd_origin *o)
{
	const char *rest = path, *num;
	unsigned long x, f;
	size_t i;

	if (!vd_startswith(path, "/local/domain"))
		return;
	rest += strlen("/local/domain");
	if (*rest != '/' || !rest[1])
		goto all;
	num = ++rest;
	rest += strcspn(rest, "/");
	if (!vd_parse_ulong(num, (size_t)(rest - num), 0xffffffffUL, &x))
		return; /* no VIF end lives below a name that is not a domid */
	f = x;
	if (under(&rest, "/device") || under(&rest, "/error/device")) {
		/* the frontend ends and error nodes of domain x */
	} else if ((under(&rest, "/backend/vif") || under(&rest, "/error/backend/vif")) &&
		   *rest == '/') {
		num = ++rest;
		rest += strcspn(rest, "/");
		if (!vd_parse_ulong(num, (size_t)(rest - num), 0xffffffffUL, &f))
			return;
	} else if (above_vif_dirs(rest)) {
		goto all;
	} else {
		return; /* another subtree of the domain (memory, data, control...) */
	}
	for (i = first_of_domain(t, f); i < t->n && t->vifs[i]->domid == f; i++)
		rm_in_vif(t, t->vifs[i], ms, path, o);
	return;
all:
	for (i = 0; i < t->n; i++)
		rm_in_vif(t, t->vifs[i], ms, path, o);
}

static const char *const fe_keys[] = { "state", "multi-queue-num-queues", NULL };
/* hotplug-error before hotplug-status, so a failure event carries its text */
static const char *const be_keys[] = { "multi-queue-max-queues", "state", "hotplug-error",
				       "hotplug-status", NULL };

static void sync_end(struct vd_tracker *t, int64_t ms, const char *dir, enum vd_ev_end end,
		     const struct vd_snap *snap)
{
	const char *const *keys = end == VD_END_FRONTEND ? fe_keys : be_keys;

	vd_tracker_put(t, ms, dir, NULL, 0, NULL);
	for (size_t k = 0; keys[k]; k++) {
		char *p = vd_asprintf("%s/%s", dir, keys[k]);
		const struct vd_node *nd = vd_snap_get(snap, p);

		if (nd)
			vd_tracker_put(t, ms, p, nd->value, nd->len, NULL);
		else
			vd_tracker_rm(t, ms, p, NULL);
		free(p);
	}
}

void vd_tracker_sync(struct vd_tracker *t, int64_t ms, const char *root, const struct vd_snap *snap)
{
	struct where w = classify(root);
	char *top = w.what == W_END ? vd_strndup(root, w.dirlen) : vd_strdup(root);
	char *last = NULL;
	size_t lo, hi;
	struct vd_buf b;

	vd_buf_init(&b);
	vd_snap_subtree(snap, top, &lo, &hi);
	for (size_t i = lo; i < hi; i++) {
		const struct vd_node *nd = vd_snap_at(snap, i);
		const char *path = vd_snap_path(snap, nd, &b);
		struct where n = classify(path);

		if (n.what == W_END && !(last && strncmp(path, last, strlen(last)) == 0 &&
					 end_or_slash(path + strlen(last)))) {
			free(last);
			last = vd_strndup(path, n.dirlen);
			sync_end(t, ms, last, n.end, snap);
		} else if (n.what == W_ERROR || n.what == W_NAME) {
			vd_tracker_put(t, ms, path, nd->value, nd->len, NULL);
		}
	}
	vd_buf_free(&b);
	free(last);
	/* what the tracker knows under top but the store no longer holds */
	for (size_t i = 0; i < t->n; i++) {
		struct vif *v = t->vifs[i];

		for (int e = 0; e < 2; e++) {
			char *ep = v->e[e].has_error ? error_path(v, (enum vd_ev_end)e) : NULL;

			if (ep && covers(top, ep) && !vd_snap_get(snap, ep))
				vd_tracker_rm(t, ms, ep, NULL);
			free(ep);
			if (v->e[e].present && covers(top, v->e[e].dir) &&
			    !vd_snap_get(snap, v->e[e].dir)) {
				char *dir = vd_strdup(v->e[e].dir); /* the removal frees it */

				vd_tracker_rm(t, ms, dir, NULL);
				free(dir);
			}
		}
	}
	free(top);
}

/* ---- selection ---- */

int vd_vifsel_parse(struct vd_vifsel *s, const char *const *args, int n, bool allow_devid,
		    struct vd_err *err)
{
	memset(s, 0, sizeof(*s));
	s->v = vd_calloc((size_t)n + 1, sizeof(*s->v));
	for (int i = 0; i < n; i++) {
		struct vd_vifsel_item *it = &s->v[s->n++];
		const char *a = args[i], *slash = allow_devid ? strrchr(a, '/') : NULL;
		size_t dl = slash ? (size_t)(slash - a) : strlen(a);

		if (slash && !vd_parse_uint_str(slash + 1, 0xffffffffUL, &it->devid)) {
			vd_err_set(err, VD_EXIT_USAGE,
				   "'%s': expected DOM/DEVID with a numeric DEVID", a);
			return -1;
		}
		it->has_devid = slash != NULL;
		if (dl == 0) {
			vd_err_set(err, VD_EXIT_USAGE, "'%s': expected a domid or a domain name",
				   a);
			return -1;
		}
		if (!vd_parse_ulong(a, dl, 0xffffffffUL, &it->domid))
			it->name = vd_strndup(a, dl);
	}
	return 0;
}

bool vd_vifsel_match(unsigned long domid, unsigned long devid, const char *name, void *arg)
{
	const struct vd_vifsel *s = arg;

	for (size_t i = 0; i < s->n; i++) {
		const struct vd_vifsel_item *it = &s->v[i];

		if (it->has_devid && it->devid != devid)
			continue;
		if (it->name ? name && strcmp(it->name, name) == 0 : it->domid == domid)
			return true;
	}
	return s->n == 0;
}

void vd_vifsel_free(struct vd_vifsel *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].name);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* ---- lifecycle, notes, summaries ---- */

struct vd_tracker *vd_tracker_new(const int64_t stall_ms[VD_STALL_N], vd_event_fn fn, void *arg)
{
	struct vd_tracker *t = vd_calloc(1, sizeof(*t));

	for (int i = 0; i < VD_STALL_N; i++)
		t->thr[i] = stall_ms[i];
	t->fn = fn;
	t->arg = arg;
	return t;
}

void vd_tracker_free(struct vd_tracker *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		vif_free(t->vifs[i]);
	for (size_t i = 0; i < t->nnames; i++)
		free(t->names[i].name);
	free(t->names);
	vd_imap_free(&t->name_ix);
	free(t->heap);
	free(t->vifs);
	free(t);
}

void vd_tracker_set_filter(struct vd_tracker *t, vd_vif_filter_fn fn, void *arg)
{
	t->filter = fn;
	t->filter_arg = arg;
}

void vd_tracker_set_quiet(struct vd_tracker *t, bool quiet)
{
	t->quiet = quiet;
}

void vd_tracker_set_gap(struct vd_tracker *t, bool gap)
{
	t->gap = gap;
}

void vd_tracker_note(struct vd_tracker *t, int64_t ms, const char *what, int64_t gap_ms)
{
	struct vd_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.t_ms = ms;
	ev.kind = VD_EV_XENSTORED;
	ev.value = what;
	ev.value_len = strlen(what);
	ev.gap_ms = gap_ms;
	ev.be_domid = ev.from = ev.to = ev.fe_state = ev.be_state = -1;
	ev.queues = ev.old_queues = ev.max_queues = ev.in_prev_ms = -1;
	ev.stall = VD_STALL_NONE;
	if (t->fn)
		t->fn(&ev, t->arg);
}

size_t vd_tracker_nvifs(const struct vd_tracker *t)
{
	return t->n;
}

void vd_tracker_vif(const struct vd_tracker *t, size_t i, struct vd_vif_summary *s)
{
	const struct vif *v = t->vifs[i];
	const struct end_track *fe = &v->e[VD_END_FRONTEND], *be = &v->e[VD_END_BACKEND];
	const struct dom_name *d = find_name(t, v->domid);

	memset(s, 0, sizeof(*s));
	s->domid = v->domid;
	s->devid = v->devid;
	s->be_domid = v->be_domid;
	s->name = d ? d->name : NULL;
	s->name_len = d ? d->len : 0;
	s->fe_present = fe->present;
	s->be_present = be->present;
	s->fe_dir = fe->dir;
	s->be_dir = be->dir;
	s->fe_state = shown_state(fe);
	s->be_state = shown_state(be);
	s->fe_since = fe->present && fe->since_exact ? fe->since : -1;
	s->be_since = be->present && be->since_exact ? be->since : -1;
	s->hotplug = buf_or_null(&be->hotplug, be->has_hotplug);
	s->hotplug_len = be->hotplug.len;
	s->queues = fe->queues;
	s->changes = v->changes;
	s->stalls = v->stalls;
	s->stalled = v->armed != VD_STALL_NONE && v->fired;
}

unsigned long vd_tracker_problems(const struct vd_tracker *t)
{
	return t->problems;
}
