// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Second source: the backend domain's sysfs, debugfs and xen_netback parameters, read
 * under a root directory into plain structs (reference §7). Strictly read-only: files are
 * opened O_RDONLY, debugfs io_ring_qN is never written (writing "kick" fires an interrupt).
 * Anything unreadable becomes a reason string, never an error: the xenstore analysis must
 * still run on a host where sysfs or debugfs says nothing.
 */
#include "vd_sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vd_util.h"

extern char **environ;

#define ATTR_MAX       ((size_t)64 * 1024) /* sysfs attributes are one page; io_ring_qN is < 1 KiB */
#define OVS_TIMEOUT_MS 3000

struct reader {
	struct vd_sysfs *s;
	const char *pfx;   /* root without trailing '/': "" for "/" */
	const char *shown; /* the same for messages (a bundle's root is a temporary dir) */
	char *ovs_tool;	   /* NULL: do not run it, ovs_why says why */
	const char *ovs_why;
	const struct vd_sysfs_opts *o;
};

/* Tells the caller (vifdiag dump) which object under the root was opened. */
static void seen(const struct reader *rd, enum vd_sysfs_seen kind, const char *path)
{
	size_t n = strlen(rd->pfx);

	if (rd->o->seen && strncmp(path, rd->pfx, n) == 0)
		rd->o->seen(rd->o->arg, kind, path + n);
}

/* path (which starts with pfx) as messages show it */
static char *shown(const struct reader *rd, const char *path)
{
	size_t n = strlen(rd->pfx);

	if (strncmp(path, rd->pfx, n) != 0)
		return vd_strdup(path);
	return vd_asprintf("%s%s", rd->shown, path + n);
}

/*
 * A bundle: the errno its host got for path, which is then not in the bundle (0: it is, or
 * was absent there too). The reader fails on it as that host did, and says once what the
 * bundle lacks.
 */
static int bundle_gap(const struct reader *rd, const char *path)
{
	struct vd_sysfs *s = rd->s;
	size_t n = strlen(rd->pfx);
	char *sp, *msg;
	int e;

	if (!rd->o->gone || strncmp(path, rd->pfx, n) != 0 ||
	    !(e = rd->o->gone(rd->o->gone_arg, path + n)))
		return 0;
	sp = shown(rd, path);
	msg = vd_asprintf("not in the bundle: %s (%s on the host that made it)", sp, strerror(e));
	free(sp);
	for (size_t i = 0; i < s->ngaps && msg; i++)
		if (strcmp(s->gaps[i], msg) == 0) {
			free(msg);
			msg = NULL;
		}
	if (msg) {
		s->gaps = vd_realloc(s->gaps, (s->ngaps + 1) * sizeof(*s->gaps));
		s->gaps[s->ngaps++] = msg;
	}
	return e;
}

/* A directory to list; one its bundle could not list fails even when it stands empty. */
static DIR *open_dir(const struct reader *rd, const char *path)
{
	int e;

	seen(rd, VD_SEEN_LIST, path);
	if ((e = bundle_gap(rd, path))) {
		errno = e;
		return NULL;
	}
	return opendir(path);
}

static char *pathf(const struct reader *rd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static char *pathf(const struct reader *rd, const char *fmt, ...)
{
	struct vd_buf b;
	va_list ap;

	vd_buf_init(&b);
	vd_buf_adds(&b, rd->pfx);
	va_start(ap, fmt);
	vd_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	return vd_buf_steal(&b);
}

/*
 * The content of a regular file without its trailing newline, or NULL with errno set.
 * O_NONBLOCK: a FIFO planted in a fixture tree must not hang us.
 */
static char *slurp(const struct reader *rd, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct vd_buf b;
	struct stat st;
	char chunk[4096];
	ssize_t n;
	int e;

	seen(rd, VD_SEEN_FILE, path);
	if (fd < 0) {
		if (errno == ENOENT && (e = bundle_gap(rd, path)))
			errno = e;
		return NULL;
	}
	e = fstat(fd, &st) < 0	   ? errno
	    : S_ISDIR(st.st_mode)  ? EISDIR
	    : !S_ISREG(st.st_mode) ? EINVAL
				   : 0;
	if (e) {
		close(fd);
		errno = e;
		return NULL;
	}
	vd_buf_init(&b);
	while (b.len < ATTR_MAX && (n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = errno;
			vd_buf_free(&b);
			close(fd);
			errno = e;
			return NULL;
		}
		vd_buf_add(&b, chunk, (size_t)n);
	}
	close(fd);
	/* attributes are text; a copy made by tar is padded with NULs to the 4 KiB st_size */
	b.len = strlen(vd_buf_cstr(&b));
	if (b.len && b.data[b.len - 1] == '\n')
		b.data[--b.len] = '\0';
	return vd_buf_steal(&b);
}

static char *attr(const struct reader *rd, const char *ifname, const char *name)
{
	char *p = pathf(rd, "/sys/class/net/%s/%s", ifname, name);
	char *v = slurp(rd, p);

	free(p);
	return v;
}

static bool parse_long(const char *s, int base, long *out)
{
	char *end;
	long v;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	v = strtol(s, &end, base);
	if (errno || *end || v < 0)
		return false;
	*out = v;
	return true;
}

static long attr_long(const struct reader *rd, const char *ifname, const char *name, int base)
{
	char *v = attr(rd, ifname, name);
	long n = -1;

	if (!parse_long(v, base, &n))
		n = -1;
	free(v);
	return n;
}

/* Basename of a symlink's target: sysfs links name the object last. */
static char *link_base(const struct reader *rd, const char *path)
{
	char buf[4096];
	ssize_t n;
	const char *slash;

	seen(rd, VD_SEEN_LINK, path);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0 && errno == ENOENT)
		bundle_gap(rd, path);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = '\0';
	slash = strrchr(buf, '/');
	return vd_strdup(slash ? slash + 1 : buf);
}

static char *if_link(const struct reader *rd, const char *ifname, const char *name)
{
	char *p = pathf(rd, "/sys/class/net/%s/%s", ifname, name);
	char *v = link_base(rd, p);

	free(p);
	return v;
}

static bool is_dir(const struct reader *rd, const char *path)
{
	struct stat st;

	seen(rd, VD_SEEN_DIR, path);
	if (stat(path, &st) == 0)
		return S_ISDIR(st.st_mode);
	if (errno == ENOENT)
		bundle_gap(rd, path);
	return false;
}

static bool if_has_dir(const struct reader *rd, const char *ifname, const char *name)
{
	char *p = pathf(rd, "/sys/class/net/%s/%s", ifname, name);
	bool d = is_dir(rd, p);

	free(p);
	return d;
}

/* "<prefix><digits>" */
static bool numbered(const char *name, const char *prefix, unsigned long *n)
{
	return vd_startswith(name, prefix) &&
	       vd_parse_uint_str(name + strlen(prefix), 0xffffffffUL, n);
}

static void count_queues(const struct reader *rd, struct vd_netdev *nd)
{
	char *p = pathf(rd, "/sys/class/net/%s/queues", nd->name);
	DIR *d = open_dir(rd, p);
	struct dirent *de;
	unsigned long n;

	free(p);
	nd->tx_queues = nd->rx_queues = -1;
	if (!d)
		return;
	nd->tx_queues = nd->rx_queues = 0;
	while ((de = readdir(d))) {
		nd->tx_queues += numbered(de->d_name, "tx-", &n);
		nd->rx_queues += numbered(de->d_name, "rx-", &n);
	}
	closedir(d);
}

/* ---- ovs-vsctl, run as a source step ---- */

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Reads fd until EOF or the deadline; false on timeout. Output beyond max is dropped. */
static bool drain(int fd, struct vd_buf *out, unsigned timeout_ms, size_t max, bool *cut)
{
	struct timespec t0;
	char chunk[512];

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		long left = (long)timeout_ms - ms_since(&t0);
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;
		int rc;

		if (left <= 0)
			return false;
		rc = poll(&pfd, 1, (int)left);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0)
			return false;
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return true;
		if (out->len + (size_t)n <= max)
			vd_buf_add(out, chunk, (size_t)n);
		else
			*cut = true;
	}
}

char *vd_run_capture(char *const argv[], unsigned timeout_ms, char **why)
{
	bool cut = false;

	return vd_run_capture_max(argv, timeout_ms, 4096, &cut, why);
}

char *vd_run_capture_max(char *const argv[], unsigned timeout_ms, size_t max, bool *cut, char **why)
{
	posix_spawn_file_actions_t fa;
	struct vd_buf out;
	int pfd[2], st = 0;
	bool done;
	pid_t pid;
	int rc;

	*why = NULL;
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		*why = vd_asprintf("cannot run %s: %s", argv[0], strerror(errno));
		return NULL;
	}
	/* posix_spawn: the child runs no code of ours, so nothing can go wrong between fork
	 * and exec. dup2 clears O_CLOEXEC on the child's stdout. */
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (rc != 0) {
		close(pfd[0]);
		*why = vd_asprintf("cannot run %s: %s", argv[0], strerror(rc));
		return NULL;
	}
	vd_buf_init(&out);
	*cut = false;
	done = drain(pfd[0], &out, timeout_ms, max, cut);
	close(pfd[0]);
	if (!done)
		kill(pid, SIGKILL); /* our own child, by its pid */
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!done)
		*why = vd_asprintf("%s timed out after %u ms", argv[0], timeout_ms);
	else if (WIFSIGNALED(st))
		*why = vd_asprintf("%s was killed by signal %d", argv[0], WTERMSIG(st));
	else if (WEXITSTATUS(st) != 0)
		*why = vd_asprintf("%s exited with status %d", argv[0], WEXITSTATUS(st));
	if (*why) {
		vd_buf_free(&out);
		return NULL;
	}
	return vd_buf_steal(&out);
}

static char *find_in_path(const char *tool)
{
	const char *env = getenv("PATH");
	/* sbin dirs too: a PATH without them must not hide the tool */
	char *list = vd_asprintf("%s:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
				 env ? env : "");
	char *save = NULL, *hit = NULL;

	for (char *dir = strtok_r(list, ":", &save); dir && !hit;
	     dir = strtok_r(NULL, ":", &save)) {
		char *p = vd_asprintf("%s/%s", dir, tool);

		if (*dir == '/' && access(p, X_OK) == 0)
			hit = p;
		else
			free(p);
	}
	free(list);
	return hit;
}

static void ovs_setup(struct reader *rd)
{
	const char *env = getenv("VIFDIAG_OVS_VSCTL");

	if (env && *env) {
		rd->ovs_tool = vd_strdup(env);
		return;
	}
	/* the OVS database of this machine says nothing about another root's ports */
	if (*rd->pfx) {
		rd->ovs_why = "ovs-vsctl not asked: the sysfs root is not this system's";
		return;
	}
	rd->ovs_tool = find_in_path("ovs-vsctl");
	if (!rd->ovs_tool)
		rd->ovs_why = "ovs-vsctl is not installed";
}

/* One line of printable ASCII: what a bridge name is. */
static bool plain_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s <= ' ' || *s > '~' || *s == '/')
			return false;
	return true;
}

/* A bundle: what ovs-vsctl answered on its host ("bridge NAME" or "note WHY"). */
static void ovs_recorded(const struct reader *rd, struct vd_netdev *nd)
{
	char *p = vd_asprintf("%s/%s", rd->o->ovs_answers, nd->name);
	char *v = slurp(rd, p);

	free(p);
	if (v && vd_startswith(v, "bridge ") && plain_name(v + 7))
		nd->ovs_bridge = vd_strdup(v + 7);
	else if (v && vd_startswith(v, "note "))
		nd->ovs_note = vd_strdup(v + 5);
	else
		nd->ovs_note = vd_asprintf("ovs-vsctl port-to-br %s: not recorded", nd->name);
	free(v);
}

static void ovs_bridge(struct reader *rd, struct vd_netdev *nd)
{
	char a1[] = "--timeout=2", a2[] = "port-to-br";
	char *argv[] = { rd->ovs_tool, a1, a2, nd->name, NULL };
	char *why = NULL, *out;

	if (rd->o->ovs_answers) {
		ovs_recorded(rd, nd);
		return;
	}
	if (!rd->ovs_tool) {
		nd->ovs_note = vd_strdup(rd->ovs_why);
		return;
	}
	out = vd_run_capture(argv, OVS_TIMEOUT_MS, &why);
	if (out && out[0] && out[strlen(out) - 1] == '\n')
		out[strlen(out) - 1] = '\0';
	if (out && plain_name(out)) {
		nd->ovs_bridge = out;
		return;
	}
	nd->ovs_note = why ? vd_asprintf("ovs-vsctl port-to-br %s: %s", nd->name, why)
			   : vd_asprintf("ovs-vsctl port-to-br %s gave no bridge name", nd->name);
	if (why && strstr(why, "timed out")) {
		/* the database does not answer: do not wait again for every port */
		free(rd->ovs_tool);
		rd->ovs_tool = NULL;
		rd->ovs_why = "ovs-vsctl not asked: an earlier call timed out";
	}
	free(why);
	free(out);
}

/* ---- /sys/class/net ---- */

static void read_netdev(const struct reader *rd, struct vd_netdev *nd)
{
	long c;

	nd->device = if_link(rd, nd->name, "device");
	if (nd->device) {
		nd->nodename = attr(rd, nd->name, "device/nodename");
		nd->xb_state = attr(rd, nd->name, "device/state");
	}
	nd->operstate = attr(rd, nd->name, "operstate");
	c = attr_long(rd, nd->name, "carrier", 10);
	nd->carrier = c == 0 || c == 1 ? (int)c : -1;
	nd->flags = attr_long(rd, nd->name, "flags", 0);
	nd->mtu = attr_long(rd, nd->name, "mtu", 10);
	nd->address = attr(rd, nd->name, "address");
	nd->master = if_link(rd, nd->name, "master");
	nd->brport = if_has_dir(rd, nd->name, "brport");
	if (nd->brport)
		nd->brport_bridge = if_link(rd, nd->name, "brport/bridge");
	nd->is_bridge = if_has_dir(rd, nd->name, "bridge");
	count_queues(rd, nd);
}

/* OVS ports worth a query: VIF netdevs and their emulated twins, not uplinks or bonds. */
static bool wants_ovs(const struct vd_netdev *nd)
{
	size_t n = strlen(nd->name);

	if (!nd->master || strcmp(nd->master, "ovs-system") != 0 || nd->brport)
		return false;
	return nd->nodename || vd_startswith(nd->name, "vif") || vd_startswith(nd->name, "tap") ||
	       (n > 4 && strcmp(nd->name + n - 4, "-emu") == 0);
}

static int netdev_cmp(const void *a, const void *b)
{
	return strcmp(((const struct vd_netdev *)a)->name, ((const struct vd_netdev *)b)->name);
}

static void read_netdevs(struct reader *rd)
{
	struct vd_sysfs *s = rd->s;
	char *p = pathf(rd, "/sys/class/net");
	DIR *d = open_dir(rd, p);
	struct dirent *de;

	if (!d) {
		int e = errno;
		char *sp = shown(rd, p);

		s->unavailable = vd_asprintf("cannot read %s: %s (is sysfs mounted?)",
					     *rd->shown ? sp : "/sys/class/net", strerror(e));
		free(sp);
		free(p);
		return;
	}
	free(p);
	ovs_setup(rd);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		s->devs = vd_realloc(s->devs, (s->ndevs + 1) * sizeof(*s->devs));
		memset(&s->devs[s->ndevs], 0, sizeof(s->devs[0]));
		s->devs[s->ndevs].name = vd_strdup(de->d_name);
		read_netdev(rd, &s->devs[s->ndevs++]);
	}
	closedir(d);
	if (s->ndevs)
		qsort(s->devs, s->ndevs, sizeof(*s->devs), netdev_cmp);
	for (size_t i = 0; i < s->ndevs; i++)
		if (wants_ovs(&s->devs[i]))
			ovs_bridge(rd, &s->devs[i]);
	free(rd->ovs_tool);
	rd->ovs_tool = NULL;
}

/* ---- xen_netback parameters ---- */

static long param(const struct reader *rd, const char *name)
{
	char *p = pathf(rd, VD_NB_PARAMS "/%s", name);
	char *v = slurp(rd, p);
	long n = -1;

	free(p);
	if (v && strcmp(v, "Y") == 0)
		n = 1;
	else if (v && strcmp(v, "N") == 0)
		n = 0;
	else if (!parse_long(v, 10, &n))
		n = -1;
	free(v);
	return n;
}

static void read_params(const struct reader *rd, struct vd_nbparams *nb)
{
	char *p = pathf(rd, "/sys/module/xen_netback");

	nb->loaded = is_dir(rd, p);
	free(p);
	nb->max_queues = param(rd, "max_queues");
	nb->separate_tx_rx_irq = (int)param(rd, "separate_tx_rx_irq");
	nb->rx_drain_timeout_msecs = param(rd, "rx_drain_timeout_msecs");
	nb->rx_stall_timeout_msecs = param(rd, "rx_stall_timeout_msecs");
	nb->fatal_skb_slots = param(rd, "fatal_skb_slots");
	nb->hash_cache_size = param(rd, "hash_cache_size");
	nb->provides_xdp_headroom = (int)param(rd, "provides_xdp_headroom");
}

/* ---- debugfs xen-netback/<vif>/io_ring_qN ---- */

/* The number right after label in line, e.g. label "cons " in "req prod 3 (0) cons 3 (0)". */
static bool num_after(const char *line, const char *label, unsigned long long *v)
{
	const char *p = strstr(line, label);
	char *end;

	if (!p)
		return false;
	p += strlen(label);
	if (*p < '0' || *p > '9')
		return false;
	errno = 0;
	*v = strtoull(p, &end, 10);
	return errno == 0;
}

static bool u32_after(const char *line, const char *label, uint32_t *v)
{
	unsigned long long n;

	if (!num_after(line, label, &n) || n > UINT32_MAX)
		return false;
	*v = (uint32_t)n;
	return true;
}

static void parse_line(const char *l, struct vd_ioring *r, struct vd_ring_side **side,
		       unsigned *have)
{
	struct vd_ring_side *sd = *side;
	unsigned long long n;

	if (vd_startswith(l, "TX:") || vd_startswith(l, "RX:")) {
		*side = sd = l[0] == 'T' ? &r->tx : &r->rx;
		*have = 0;
		if (num_after(l, "nr_ents ", &n))
			sd->nr_ents = (unsigned long)n;
	} else if (sd && vd_startswith(l, "req prod ")) {
		if (u32_after(l, "req prod ", &sd->req_prod) &&
		    u32_after(l, " cons ", &sd->req_cons) &&
		    u32_after(l, " event ", &sd->req_event))
			*have |= 1;
	} else if (sd && vd_startswith(l, "rsp prod ")) {
		if (u32_after(l, "rsp prod ", &sd->rsp_prod) &&
		    u32_after(l, " pvt ", &sd->rsp_pvt) && u32_after(l, " event ", &sd->rsp_event))
			*have |= 2;
	} else if (vd_startswith(l, "pending prod ")) {
		r->pending_ok = num_after(l, "nr_pending_reqs ", &r->nr_pending_reqs);
	} else if (vd_startswith(l, "Credit ")) {
		r->credit_ok = num_after(l, "timer_pending: ", &n) &&
			       num_after(l, "credit: ", &r->credit_bytes) &&
			       num_after(l, "usec: ", &r->credit_usec);
		r->timer_pending = r->credit_ok && n != 0;
	} else if (vd_startswith(l, "remaining: ")) {
		num_after(l, "remaining: ", &r->remaining);
	} else if (vd_startswith(l, "Rx internal queue: ")) {
		size_t len = strlen(l);

		r->rxq_stopped = len >= 7 && strcmp(l + len - 7, "stopped") == 0;
		r->rxq_ok = num_after(l, "len ", &r->rxq_len) &&
			    num_after(l, " max ", &r->rxq_max) &&
			    num_after(l, " pkts ", &r->rxq_pkts) &&
			    (r->rxq_stopped || (len >= 7 && strcmp(l + len - 7, "running") == 0));
	}
	if (sd && *have == 3)
		sd->ok = true;
}

bool vd_ioring_parse(const char *text, struct vd_ioring *r)
{
	struct vd_ring_side *side = NULL;
	unsigned have = 0;
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *line = vd_strndup(p, n);

		if (n && line[n - 1] == '\r')
			line[n - 1] = '\0';
		parse_line(line, r, &side, &have);
		free(line);
		p += n + (nl != NULL);
	}
	return r->tx.ok && r->rx.ok;
}

uint32_t vd_ioring_rx_posted(const struct vd_ioring *r)
{
	return r->rx.req_prod - r->rx.rsp_prod; /* ring indexes wrap: u32 arithmetic */
}

bool vd_ioring_unlimited(const struct vd_ioring *r)
{
	return r->credit_usec == 0 || r->credit_bytes == UINT64_MAX ||
	       r->credit_bytes == UINT32_MAX;
}

static int ring_cmp(const void *a, const void *b)
{
	unsigned long x = ((const struct vd_ioring *)a)->id, y = ((const struct vd_ioring *)b)->id;

	return x < y ? -1 : x > y;
}

static void read_rings(const struct reader *rd, const char *dir, struct vd_nbdebug *dbg)
{
	DIR *d = open_dir(rd, dir);
	struct dirent *de;
	unsigned long id;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char *p, *text, *sp;
		struct vd_ioring *r;
		int e;

		if (!numbered(de->d_name, "io_ring_q", &id))
			continue;
		dbg->rings = vd_realloc(dbg->rings, (dbg->nrings + 1) * sizeof(*dbg->rings));
		r = &dbg->rings[dbg->nrings++];
		memset(r, 0, sizeof(*r));
		r->id = id;
		p = vd_asprintf("%s/%s", dir, de->d_name);
		text = slurp(rd, p);
		e = errno;
		sp = shown(rd, p);
		if (!text)
			r->error = vd_asprintf("cannot read %s: %s%s", sp, strerror(e),
					       e == EACCES ? " (debugfs is root-only)" : "");
		else if (!vd_ioring_parse(text, r))
			r->error = vd_asprintf("%s does not have the expected layout", sp);
		free(text);
		free(sp);
		free(p);
	}
	closedir(d);
	if (dbg->nrings)
		qsort(dbg->rings, dbg->nrings, sizeof(*dbg->rings), ring_cmp);
}

static int dbg_cmp(const void *a, const void *b)
{
	return strcmp(((const struct vd_nbdebug *)a)->name, ((const struct vd_nbdebug *)b)->name);
}

static bool dir_empty(DIR *d)
{
	struct dirent *de;

	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			return false;
	return true;
}

static void read_debugfs(const struct reader *rd)
{
	struct vd_sysfs *s = rd->s;
	char *top = pathf(rd, "/sys/kernel/debug");
	char *nb = pathf(rd, "/sys/kernel/debug/xen-netback");
	char *stop = shown(rd, top), *snb = shown(rd, nb);
	DIR *d = open_dir(rd, top);
	struct dirent *de;
	int e;

	if (!d) {
		e = errno;
		s->debugfs_note = vd_asprintf("cannot read %s: %s%s", stop, strerror(e),
					      e == EACCES ? " (debugfs is root-only)" : "");
		goto out;
	}
	if (dir_empty(d)) {
		s->debugfs_note = vd_asprintf("debugfs is not mounted on %s", stop);
		closedir(d);
		goto out;
	}
	closedir(d);
	d = open_dir(rd, nb);
	if (!d) {
		e = errno;
		s->debugfs_note =
			e == ENOENT
				? vd_asprintf("%s does not exist (xen-netback not loaded, no VIF "
					      "connected, or a kernel without CONFIG_DEBUG_FS)",
					      snb)
				: vd_asprintf("cannot read %s: %s", snb, strerror(e));
		goto out;
	}
	while ((de = readdir(d))) {
		struct vd_nbdebug *g;
		char *p;

		if (de->d_name[0] == '.')
			continue;
		s->dbg = vd_realloc(s->dbg, (s->ndbg + 1) * sizeof(*s->dbg));
		g = &s->dbg[s->ndbg++];
		memset(g, 0, sizeof(*g));
		g->name = vd_strdup(de->d_name);
		p = vd_asprintf("%s/%s", nb, de->d_name);
		read_rings(rd, p, g);
		free(p);
	}
	closedir(d);
	if (s->ndbg)
		qsort(s->dbg, s->ndbg, sizeof(*s->dbg), dbg_cmp);
out:
	free(stop);
	free(snb);
	free(top);
	free(nb);
}

/* /sys/hypervisor/type needs XEN_SYS_HYPERVISOR; the xen-backend bus is there regardless */
static bool is_xen(const struct reader *rd)
{
	char *p = pathf(rd, "/sys/hypervisor/type");
	char *type = slurp(rd, p);
	bool xen = type && strcmp(type, "xen") == 0;

	free(p);
	free(type);
	p = pathf(rd, "/sys/bus/xen-backend");
	xen |= is_dir(rd, p);
	free(p);
	return xen;
}

static char *no_slash(const char *root)
{
	char *p = vd_strdup(root);
	size_t n = strlen(p);

	while (n && p[n - 1] == '/')
		p[--n] = '\0';
	return p;
}

struct vd_sysfs *vd_sysfs_read(const char *root, bool require_xen)
{
	struct vd_sysfs_opts o = { .root = root, .require_xen = require_xen };

	return vd_sysfs_read_with(&o);
}

struct vd_sysfs *vd_sysfs_read_with(const struct vd_sysfs_opts *o)
{
	struct vd_sysfs *s = vd_calloc(1, sizeof(*s));
	struct reader rd = { .s = s, .o = o };
	bool require_xen = o->require_xen;
	char *pfx, *spfx;

	s->nb.max_queues = -1;
	if (!o->root) {
		s->unavailable = vd_strdup("offline dump: no sysfs given (use --sysfs-root)");
		return s;
	}
	s->root = vd_strdup(o->shown ? o->shown : o->root);
	s->dir = vd_strdup(o->root);
	s->asked = !require_xen;
	pfx = no_slash(o->root);
	spfx = no_slash(o->shown ? o->shown : o->root);
	rd.pfx = pfx;
	rd.shown = spfx;
	if (require_xen && !is_xen(&rd)) {
		s->unavailable = vd_strdup("this system is not a Xen domain (no xen-backend bus in "
					   "sysfs); --sysfs-root DIR reads another one");
		free(pfx);
		free(spfx);
		return s;
	}
	read_netdevs(&rd);
	if (!s->unavailable) {
		read_params(&rd, &s->nb);
		read_debugfs(&rd);
	}
	free(pfx);
	free(spfx);
	return s;
}

int vd_nbdebug_read(const struct vd_sysfs *s, const char *name, struct vd_nbdebug *out, char **why)
{
	static const struct vd_sysfs_opts none = { 0 }; /* nobody to tell, not a bundle */
	struct reader rd = { .s = NULL, .o = &none };
	char *pfx, *spfx, *dir, *sp;
	struct stat st;
	int e = 0;

	memset(out, 0, sizeof(*out));
	*why = NULL;
	if (!s || !s->dir)
		return ENOENT;
	pfx = no_slash(s->dir);
	spfx = no_slash(s->root);
	rd.pfx = pfx;
	rd.shown = spfx;
	dir = pathf(&rd, "/sys/kernel/debug/xen-netback/%s", name);
	sp = shown(&rd, dir);
	/* read_rings lists the dir: a missing one must say so rather than give no rings */
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		e = errno ? errno : ENOTDIR;
		*why = e == ENOENT ? vd_asprintf("%s is gone (the VIF was detached)", sp)
				   : vd_asprintf("cannot read %s: %s%s", sp, strerror(e),
						 e == EACCES ? " (debugfs is root-only)" : "");
	} else {
		out->name = vd_strdup(name);
		errno = 0;
		read_rings(&rd, dir, out);
		if (errno == EACCES && !out->nrings) {
			e = EACCES;
			*why = vd_asprintf("cannot read %s: %s (debugfs is root-only)", sp,
					   strerror(e));
		}
	}
	free(sp);
	free(dir);
	free(spfx);
	free(pfx);
	return e;
}

/* bsearch keys: a name against an element whose first member is its name */
static int name_cmp(const void *key, const void *elem)
{
	return strcmp(key, *(char *const *)elem);
}

const struct vd_netdev *vd_sysfs_netdev(const struct vd_sysfs *s, const char *name)
{
	return s->ndevs ? bsearch(name, s->devs, s->ndevs, sizeof(*s->devs), name_cmp) : NULL;
}

const struct vd_nbdebug *vd_sysfs_debug(const struct vd_sysfs *s, const char *name)
{
	return s->ndbg ? bsearch(name, s->dbg, s->ndbg, sizeof(*s->dbg), name_cmp) : NULL;
}

static void netdev_free(struct vd_netdev *nd)
{
	char *strs[] = { nd->name,    nd->device, nd->nodename,	     nd->xb_state,   nd->operstate,
			 nd->address, nd->master, nd->brport_bridge, nd->ovs_bridge, nd->ovs_note };

	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		free(strs[i]);
}

void vd_nbdebug_clear(struct vd_nbdebug *d)
{
	for (size_t j = 0; j < d->nrings; j++)
		free(d->rings[j].error);
	free(d->rings);
	free(d->name);
	memset(d, 0, sizeof(*d));
}

void vd_sysfs_free(struct vd_sysfs *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->ndevs; i++)
		netdev_free(&s->devs[i]);
	free(s->devs);
	for (size_t i = 0; i < s->ndbg; i++)
		vd_nbdebug_clear(&s->dbg[i]);
	free(s->dbg);
	for (size_t i = 0; i < s->nfacts; i++)
		free(s->facts[i].twins);
	free(s->facts);
	vd_strv_free(s->strs, s->nstrs);
	vd_strv_free(s->gaps, s->ngaps);
	free(s->debugfs_note);
	free(s->unavailable);
	free(s->root);
	free(s->dir);
	free(s);
}
