// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vifdiag dump's collector: a read-only walk over what status reads (the store through the
 * same walker, the host side through src_sysfs.c itself, which reports every object it
 * opens), libxl's facts, and the logs and command outputs a support engineer asks for.
 * The only writes are the archive's (bundle_write.c). Whatever cannot be read becomes a
 * MANIFEST note with the reason: nothing is dropped silently.
 */
#include "vd_bundle.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "vd_dump.h"
#include "vd_mq.h"
#include "vd_source.h"
#include "vd_sysfs.h"
#include "vd_xl.h"

#define ATTR_MAX     ((size_t)64 * 1024)
#define PROC_MAX     (4u << 20)
#define OTHERLOG_MAX (8u << 20)
#define CMD_MAX	     (4u << 20)
#define CMD_MS	     10000

struct col {
	struct vd_collect *c;
	struct vd_bwriter *w;
	const char *pfx; /* sysfs root without the trailing '/' */
	json_t *xslogs;
	char *xslog_why; /* why a xenstored log that exists is not in the bundle */
};

static void step(struct col *k, const char *what)
{
	if (k->c->progress)
		k->c->progress(k->c->arg, what, false);
}

/* Up to max bytes of a regular file (its tail with tail set); NULL with errno. */
static char *read_file(const char *path, size_t max, bool tail, size_t *len, bool *cut)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	struct vd_buf b;
	struct stat st;
	char chunk[65536];
	ssize_t n;

	*cut = false;
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	if (tail && (unsigned long long)st.st_size > max) {
		lseek(fd, st.st_size - (off_t)max, SEEK_SET);
		*cut = true;
	}
	vd_buf_init(&b);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		if (b.len + (size_t)n > max) {
			vd_buf_add(&b, chunk, max - b.len);
			*cut = true;
			break;
		}
		vd_buf_add(&b, chunk, (size_t)n);
	}
	close(fd);
	if (n < 0) {
		vd_buf_free(&b);
		return NULL;
	}
	if (tail && *cut) {
		/* start at a whole line */
		char *nl = memchr(b.data, '\n', b.len);
		size_t skip = nl ? (size_t)(nl - b.data + 1) : 0;

		memmove(b.data, b.data + skip, b.len - skip);
		b.len -= skip;
		b.data[b.len] = '\0';
	}
	*len = b.len;
	return vd_buf_steal(&b);
}

/* ---- the host side: what src_sysfs.c opened, mirrored under sysfs/ ---- */

struct seen {
	enum vd_sysfs_seen kind;
	char *path;
};
struct seenlist {
	struct seen *s;
	size_t n;
};

static void on_seen(void *arg, enum vd_sysfs_seen kind, const char *path)
{
	struct seenlist *l = arg;

	l->s = vd_realloc(l->s, (l->n + 1) * sizeof(*l->s));
	l->s[l->n].kind = kind;
	l->s[l->n++].path = vd_strdup(path);
}

static void put_dir(struct col *k, const char *canon)
{
	char *m = vd_asprintf("%s%s", VD_BUNDLE_SYSFS, canon);

	if (!vd_bw_has(k->w, m))
		vd_bw_dir(k->w, m);
	free(m);
}

/* lexical "a/b/../c" -> "a/c" on an absolute path */
static char *normalise(const char *p)
{
	struct vd_buf b;
	const char *s = p;

	vd_buf_init(&b);
	while (*s) {
		size_t n;

		while (*s == '/')
			s++;
		n = strcspn(s, "/");
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			char *slash = b.len ? strrchr(b.data, '/') : NULL;

			b.len = slash ? (size_t)(slash - b.data) : 0;
			if (b.data)
				b.data[b.len] = '\0';
		} else if (n && !(n == 1 && s[0] == '.')) {
			vd_buf_addc(&b, '/');
			vd_buf_add(&b, s, n);
		}
		s += n;
	}
	return vd_buf_steal(&b);
}

/* The canonical path under the root of rel, recording every symlink on the way as a link
 * member; NULL when it leaves the root (errno 0) or cannot be looked up (errno: ENOENT when
 * absent, EACCES when a directory on the way is not ours to search). */
static char *resolve(struct col *k, const char *rel, bool follow_last, int depth)
{
	char *cur = vd_strdup("");
	const char *p = rel;

	while (*p) {
		size_t n;
		char *cand, *full, t[4096];
		struct stat st;
		ssize_t tl;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (!n)
			break;
		cand = vd_asprintf("%s/%.*s", cur, (int)n, p);
		p += n;
		full = vd_asprintf("%s%s", k->pfx, cand);
		if (lstat(full, &st) < 0) {
			int e = errno;

			free(full);
			free(cand);
			free(cur);
			errno = e;
			return NULL;
		}
		if (S_ISLNK(st.st_mode) && (follow_last || *p) && depth < 16 &&
		    (tl = readlink(full, t, sizeof(t) - 1)) > 0) {
			char *m = vd_asprintf("%s%s", VD_BUNDLE_SYSFS, cand), *joined, *next;

			t[tl] = '\0';
			if (t[0] != '/' && !vd_bw_has(k->w, m))
				vd_bw_link(k->w, m, t);
			free(m);
			joined = t[0] == '/' ? vd_strdup(t) : vd_asprintf("%s/../%s", cand, t);
			next = normalise(joined);
			free(joined);
			free(cand);
			free(full);
			free(cur);
			if (t[0] == '/') {
				free(next);
				errno = 0; /* sysfs links are relative */
				return NULL;
			}
			cur = resolve(k, next, true, depth + 1);
			free(next);
			if (!cur)
				return NULL;
			continue;
		}
		free(full);
		free(cur);
		cur = cand;
	}
	return cur;
}

/* what the collector's user may not read (debugfs is root-only, a file mode 0600) is
 * named in MANIFEST with the errno; what is absent here is absent in the bundle too */
static void unreadable(struct col *k, const char *rel, int e)
{
	char *m;

	if (!e || e == ENOENT)
		return;
	m = vd_asprintf("%s%s", VD_BUNDLE_SYSFS, rel);
	if (!vd_manifest_note_for(&k->w->man, m))
		vd_manifest_unreadable(&k->w->man, m, rel, e);
	free(m);
}

static void mirror_link(struct col *k, const char *rel)
{
	const char *slash = strrchr(rel, '/');
	char *dir = vd_strndup(rel, (size_t)(slash - rel));
	char *canon = resolve(k, dir, true, 0), *full, *m, t[4096];
	ssize_t n;

	free(dir);
	if (!canon) {
		unreadable(k, rel, errno);
		return;
	}
	full = vd_asprintf("%s%s%s", k->pfx, canon, slash);
	n = readlink(full, t, sizeof(t) - 1);
	if (n < 0 && errno != EINVAL) /* EINVAL: no link, which status takes as none */
		unreadable(k, rel, errno);
	if (n > 0 && t[0] != '/') {
		t[n] = '\0';
		m = vd_asprintf("%s%s%s", VD_BUNDLE_SYSFS, canon, slash);
		if (!vd_bw_has(k->w, m))
			vd_bw_link(k->w, m, t);
		free(m);
	}
	free(full);
	free(canon);
}

/* rel: the path status listed, which a note names (the reader asks for it by that name) */
static void mirror_list(struct col *k, const char *canon, const char *rel)
{
	char *full = vd_asprintf("%s%s", k->pfx, canon);
	DIR *d = opendir(full);
	struct dirent *de;

	/* not even an empty directory for one we could not list: the reader would take it
	 * for an empty one (debugfs "not mounted") */
	if (!d) {
		unreadable(k, rel, errno);
		free(full);
		return;
	}
	put_dir(k, canon);
	while ((de = readdir(d))) {
		char *child, *m;

		if (de->d_name[0] == '.')
			continue;
		child = vd_asprintf("%s/%s", canon, de->d_name);
		m = vd_asprintf("%s%s", VD_BUNDLE_SYSFS, child);
		if (de->d_type == DT_DIR)
			put_dir(k, child);
		else if (de->d_type == DT_LNK)
			mirror_link(k, child);
		free(m);
		free(child);
	}
	closedir(d);
	free(full);
}

static void mirror(struct col *k, const struct seen *s)
{
	char *canon, *full, *data, *m;
	size_t len = 0;
	bool cut;

	if (s->kind == VD_SEEN_LINK) {
		mirror_link(k, s->path);
		return;
	}
	canon = resolve(k, s->path, true, 0);
	if (!canon) {
		unreadable(k, s->path, errno); /* absent on this host: as absent in the bundle */
		return;
	}
	if (s->kind == VD_SEEN_DIR || s->kind == VD_SEEN_LIST) {
		full = vd_asprintf("%s%s", k->pfx, canon);
		if (s->kind == VD_SEEN_LIST)
			mirror_list(k, canon, s->path);
		else
			put_dir(k, canon);
		free(full);
		free(canon);
		return;
	}
	full = vd_asprintf("%s%s", k->pfx, canon);
	m = vd_asprintf("%s%s", VD_BUNDLE_SYSFS, canon);
	data = read_file(full, ATTR_MAX, false, &len, &cut);
	if (vd_bw_has(k->w, m))
		;
	else if (data)
		vd_bw_file(k->w, m, data, len);
	else if (errno != EISDIR)
		unreadable(k, s->path, errno ? errno : EIO);
	free(data);
	free(m);
	free(full);
	free(canon);
}

/* the multi-queue reader's files (src_mq.c, src_irq.c), and the kernel's netdev counters
 * for whoever reads the bundle */
static const char *const mq_files[] = { VD_IRQ_FILE, VD_MQ_FILE_CPUS, "/proc/net/dev" };

static void collect_host(struct col *k, json_t *meta)
{
	const struct vd_opts *o = k->c->o;
	struct seenlist l = { 0 };
	const char *root = o->sysfs_root ? o->sysfs_root : "/";
	struct vd_sysfs_opts so = {
		.root = root, .require_xen = !o->sysfs_root, .seen = on_seen, .arg = &l
	};
	struct vd_sysfs *s;
	char *pfx = vd_strdup(root);
	size_t n = strlen(pfx);
	json_t *js = json_object();

	while (n && pfx[n - 1] == '/')
		pfx[--n] = '\0';
	k->pfx = pfx;
	step(k, "sysfs and debugfs");
	s = vd_sysfs_read_with(&so);
	vd_bw_dir(k->w, VD_BUNDLE_SYSFS);
	for (size_t i = 0; i < l.n; i++) {
		mirror(k, &l.s[i]);
		free(l.s[i].path);
	}
	free(l.s);
	for (size_t i = 0; i < s->ndevs; i++) {
		const struct vd_netdev *nd = &s->devs[i];
		char *m, *v;

		if (!nd->ovs_bridge && !nd->ovs_note)
			continue;
		m = vd_asprintf("%s/%s", VD_BUNDLE_OVS, nd->name);
		v = nd->ovs_bridge ? vd_asprintf("bridge %s", nd->ovs_bridge)
				   : vd_asprintf("note %s", nd->ovs_note);
		if (vd_bundle_name_ok(m))
			vd_bw_file(k->w, m, v, strlen(v));
		free(m);
		free(v);
	}
	vd_sysfs_free(s);
	json_object_set_new(js, "root", json_string(root));
	json_object_set_new(js, "require_xen", json_boolean(!o->sysfs_root));
	json_object_set_new(meta, "sysfs", js);
	/* beside what src_sysfs.c read, under the same root */
	step(k, "/proc");
	for (size_t i = 0; i < sizeof(mq_files) / sizeof(mq_files[0]); i++) {
		const char *rel = mq_files[i];
		char *full = vd_asprintf("%s%s", pfx, rel);
		char *m = vd_asprintf("%s%s", VD_BUNDLE_SYSFS, rel);
		size_t len = 0;
		bool cut;
		char *data = read_file(full, PROC_MAX, false, &len, &cut);

		if (data)
			vd_bw_file(k->w, m, data, len);
		else
			vd_manifest_unreadable(&k->w->man, m, full, errno);
		if (data && cut)
			vd_manifest_note(&k->w->man, "cut", m, "longer than %u bytes", PROC_MAX);
		free(data);
		free(m);
		free(full);
	}
	free(pfx);
	k->pfx = NULL;
}

/* ---- the store and libxl ---- */

static void collect_store(struct col *k, json_t *meta)
{
	const struct vd_opts *o = k->c->o;
	struct vd_snap *snap = vd_snap_new();
	json_t *st = json_object(), *van = json_array(), *warn = json_array();
	struct vd_err e;

	step(k, "xenstore");
	vd_err_clear(&e);
	if (vd_xs_snapshot(snap, o->retries, o->timeout, &e) < 0) {
		vd_manifest_note(&k->w->man, "omitted", VD_BUNDLE_STORE, "%s", e.msg);
	} else {
		struct vd_buf b;
		const char **doms;
		size_t nd = vd_snap_children(snap, "/local/domain", &doms);

		vd_buf_init(&b);
		vd_dump_write(snap, &b);
		vd_bw_file(k->w, VD_BUNDLE_STORE, b.data ? b.data : "", b.len);
		vd_buf_free(&b);
		for (size_t i = 0; i < nd; i++) {
			const char *name = vd_snap_valuef(snap, "/local/domain/%s/name", doms[i]);

			if (name) {
				k->c->words = vd_realloc(k->c->words,
							 (k->c->nwords + 1) * sizeof(char *));
				k->c->words[k->c->nwords++] = vd_strdup(name);
			}
		}
		free(doms);
		for (size_t i = 0; i < vd_snap_nvanished(snap); i++)
			json_array_append_new(van, json_string(vd_snap_vanished_at(snap, i)));
		for (size_t i = 0; i < vd_snap_nwarnings(snap); i++)
			json_array_append_new(warn, json_string(vd_snap_warning(snap, i)));
	}
	json_object_set_new(st, "vanished", van);
	json_object_set_new(st, "warnings", warn);
	json_object_set_new(meta, "store", st);
	vd_snap_free(snap);
}

static void collect_libxl(struct col *k)
{
	struct vd_xl *x;
	char *j;

	step(k, "libxl");
	x = vd_xl_read(true);
	j = vd_xl_to_json(x);
	vd_bw_file(k->w, VD_BUNDLE_LIBXL, j, strlen(j));
	free(j);
	vd_xl_free(x);
}

/* ---- logs ---- */

static const char *log_dir(void)
{
	const char *d = getenv("VIFDIAG_LOG_DIR"); /* tests point it at their own logs */

	return d && *d ? d : "/var/log/xen";
}

static void add_log(struct col *k, const char *member, const char *full, size_t max, bool tail)
{
	size_t len = 0;
	bool cut;
	char *data = read_file(full, max, tail, &len, &cut);

	if (!data) {
		vd_manifest_unreadable(&k->w->man, member, full, errno);
		return;
	}
	vd_bw_file(k->w, member, data, len);
	if (cut)
		vd_manifest_note(&k->w->man, "cut", member, "only the last %zu bytes of %s", max,
				 full);
	free(data);
}

/* FILE, FILE.1, FILE.2.gz ...: newest first while they fit into --log-max; named in
 * vifdiag.json only when FILE itself could be read (a reader goes by that list) */
static void collect_xslog(struct col *k, const char *base, unsigned long long *used)
{
	char *cur = vd_asprintf("%s/%s", log_dir(), base);
	char *first = vd_asprintf("%s/%s", VD_BUNDLE_XSLOGS, base);
	struct stat st;

	if (stat(cur, &st) < 0) {
		free(first);
		free(cur);
		return;
	}
	for (int i = 0; i < 100; i++) {
		char *name = i ? vd_asprintf("%s.%d", base, i) : vd_strdup(base);
		char *full = vd_asprintf("%s/%s", log_dir(), name), *member;

		if (i && stat(full, &st) < 0) {
			free(full);
			free(name);
			name = vd_asprintf("%s.%d.gz", base, i);
			full = vd_asprintf("%s/%s", log_dir(), name);
		}
		if (i && stat(full, &st) < 0) {
			free(full);
			free(name);
			break;
		}
		member = vd_asprintf("%s/%s", VD_BUNDLE_XSLOGS, name);
		if (*used + (unsigned long long)st.st_size <= k->c->log_max) {
			add_log(k, member, full, (size_t)st.st_size + 1, false);
			/* one this user could not read leaves its room to the older ones */
			if (vd_bw_has(k->w, member))
				*used += (unsigned long long)st.st_size;
		} else if (i == 0 && k->c->log_max > *used) {
			add_log(k, member, full, (size_t)(k->c->log_max - *used), true);
			if (vd_bw_has(k->w, member))
				*used = k->c->log_max;
		} else {
			vd_manifest_note(&k->w->man, "omitted", member,
					 "%s: %lld bytes beyond --log-max %llu MB", full,
					 (long long)st.st_size, k->c->log_max >> 20);
		}
		free(member);
		free(full);
		free(name);
	}
	if (vd_bw_has(k->w, first))
		json_array_append_new(k->xslogs, json_string(base));
	else if (!k->xslog_why)
		k->xslog_why = vd_strdup(vd_manifest_note_for(&k->w->man, first)
						 ? vd_manifest_note_for(&k->w->man, first)->why
						 : "not read");
	free(first);
	free(cur);
}

static bool glob_match(const char *name, const char *pre, const char *suf)
{
	size_t n = strlen(name), p = strlen(pre), s = strlen(suf);

	return n > p + s && strncmp(name, pre, p) == 0 && strcmp(name + n - s, suf) == 0;
}

static void collect_logs(struct col *k)
{
	unsigned long long used = 0;
	const char *vl = getenv("VIFDIAG_VARLOG_DIR");
	DIR *d;
	struct dirent *de;

	step(k, "logs");
	k->xslogs = json_array();
	collect_xslog(k, "xenstored-access.log", &used);
	collect_xslog(k, "xenstored-trace.log", &used);
	if (json_array_size(k->xslogs) == 0 && k->xslog_why)
		vd_manifest_note(&k->w->man, "omitted", VD_BUNDLE_XSLOGS, "%s", k->xslog_why);
	else if (json_array_size(k->xslogs) == 0)
		vd_manifest_note(&k->w->man, "omitted", VD_BUNDLE_XSLOGS,
				 "no xenstored-access.log or xenstored-trace.log in %s (oxenstored "
				 "logs access by default; C xenstored only with -T)",
				 log_dir());
	free(k->xslog_why);
	k->xslog_why = NULL;
	d = opendir(log_dir());
	while (d && (de = readdir(d))) {
		char *m, *full;

		if (strcmp(de->d_name, "xen-hotplug.log") != 0 &&
		    !glob_match(de->d_name, "xl-", ".log") &&
		    !glob_match(de->d_name, "qemu-dm-", ".log"))
			continue;
		m = vd_asprintf("logs/xen/%s", de->d_name);
		full = vd_asprintf("%s/%s", log_dir(), de->d_name);
		if (vd_bundle_name_ok(m))
			add_log(k, m, full, OTHERLOG_MAX, true);
		else
			vd_manifest_note(&k->w->man, "omitted", "logs/xen",
					 "a file name with unusual characters in %s", log_dir());
		free(m);
		free(full);
	}
	if (d)
		closedir(d);
	else
		vd_manifest_note(&k->w->man, "omitted", "logs/xen", "cannot read %s: %s", log_dir(),
				 strerror(errno));
	for (int i = 0; i < 2; i++) {
		const char *b = i ? "daemon.log" : "xensource.log";
		char *full = vd_asprintf("%s/%s", vl && *vl ? vl : "/var/log", b);
		char *m = vd_asprintf("logs/host/%s", b);
		struct stat st;

		if (stat(full, &st) == 0)
			add_log(k, m, full, OTHERLOG_MAX, true);
		else
			vd_manifest_note(&k->w->man, "omitted", m, "%s: %s (XCP-ng/XenServer only)",
					 full, strerror(errno));
		free(m);
		free(full);
	}
}

/* ---- commands ---- */

static char *which(const char *tool)
{
	static const char *const dirs[] = { "/usr/sbin", "/usr/bin",	    "/sbin",
					    "/bin",	 "/usr/local/sbin", "/usr/local/bin" };

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char *p = vd_asprintf("%s/%s", dirs[i], tool);

		if (access(p, X_OK) == 0)
			return p;
		free(p);
	}
	return NULL;
}

static char *run(struct col *k, const char *member, const char *tool, const char *a1,
		 const char *a2)
{
	char *path = which(tool), *why = NULL, *out;
	char *argv[] = { path, (char *)(uintptr_t)a1, (char *)(uintptr_t)a2, NULL };
	bool cut = false;

	if (!path) {
		vd_manifest_note(&k->w->man, "omitted", member, "%s is not installed", tool);
		return NULL;
	}
	out = vd_run_capture_max(argv, CMD_MS, CMD_MAX, &cut, &why);
	if (!out)
		vd_manifest_note(&k->w->man, "omitted", member, "%s", why);
	else if (cut)
		vd_manifest_note(&k->w->man, "cut", member, "output beyond %u bytes", CMD_MAX);
	free(why);
	free(path);
	return out;
}

static void run_to(struct col *k, const char *member, const char *tool, const char *a1,
		   const char *a2)
{
	char *out = run(k, member, tool, a1, a2);

	if (out)
		vd_bw_file(k->w, member, out, strlen(out));
	free(out);
}

static void collect_commands(struct col *k)
{
	struct utsname u;
	char *out, *v;
	struct vd_buf b;

	step(k, "host commands");
	if (uname(&u) == 0) {
		v = vd_asprintf("%s %s %s %s %s\n", u.sysname, u.nodename, u.release, u.version,
				u.machine);
		vd_bw_file(k->w, "host/uname.txt", v, strlen(v));
		free(v);
		k->c->words = vd_realloc(k->c->words, (k->c->nwords + 1) * sizeof(char *));
		k->c->words[k->c->nwords++] = vd_strdup(u.nodename);
	}
	run_to(k, "host/ip-d-link.txt", "ip", "-d", "link");
	run_to(k, "host/bridge-link.txt", "bridge", "link", "show");
	run_to(k, "host/ovs-vsctl-show.txt", "ovs-vsctl", "show", NULL);
	run_to(k, "host/xl-info.txt", "xl", "info", NULL);
	/* the kernel's lines about the split drivers and xenbus */
	out = run(k, "host/dmesg-xen.txt", "dmesg", NULL, NULL);
	if (out) {
		vd_buf_init(&b);
		for (char *save = NULL, *l = strtok_r(out, "\n", &save); l;
		     l = strtok_r(NULL, "\n", &save))
			if (strstr(l, "xen-netback") || strstr(l, "xen_netback") ||
			    strstr(l, "xen-netfront") || strstr(l, "xen_netfront") ||
			    strstr(l, "xenbus"))
				vd_buf_addf(&b, "%s\n", l);
		vd_bw_file(k->w, "host/dmesg-xen.txt", b.data ? b.data : "", b.len);
		vd_buf_free(&b);
		free(out);
	}
	vd_buf_init(&b);
	for (int i = 0; i < 3; i++) {
		static const char *const parts[] = { "major", "minor", "extra" };
		char *p = vd_asprintf("/sys/hypervisor/version/%s", parts[i]);
		size_t len = 0;
		bool cut;
		char *d = read_file(p, 256, false, &len, &cut);

		if (d) {
			while (len && d[len - 1] == '\n')
				d[--len] = '\0';
			vd_buf_addf(&b, "%s%s", i == 2 ? "" : i ? "." : "", d);
		}
		free(d);
		free(p);
	}
	if (b.len) {
		vd_buf_addc(&b, '\n');
		vd_bw_file(k->w, "host/xen-version.txt", b.data, b.len);
	} else {
		vd_manifest_note(&k->w->man, "omitted", "host/xen-version.txt",
				 "/sys/hypervisor/version is not readable (not a Xen domain?)");
	}
	vd_buf_free(&b);
}

int vd_collect(struct vd_collect *c, struct vd_bwriter *w, struct vd_err *err)
{
	struct col k = { .c = c, .w = w };
	json_t *meta = json_object(), *cmd = json_array();
	char *text;

	json_object_set_new(meta, "format", json_integer(1));
	json_object_set_new(meta, "vifdiag", json_string(c->o->version ? c->o->version : "?"));
	for (int i = 0; i < c->o->argc; i++)
		json_array_append_new(cmd, json_string(c->o->argv[i]));
	json_object_set_new(meta, "command", cmd);
	json_object_set_new(meta, "uid", json_integer((json_int_t)geteuid()));
	collect_store(&k, meta);
	collect_libxl(&k);
	collect_host(&k, meta);
	collect_logs(&k);
	json_object_set_new(meta, "xenstored_logs", k.xslogs);
	collect_commands(&k);
	text = json_dumps(meta, JSON_INDENT(1) | JSON_ENSURE_ASCII);
	vd_bw_file(w, VD_BUNDLE_META, text, strlen(text));
	free(text);
	json_decref(meta);
	return 0;
}
