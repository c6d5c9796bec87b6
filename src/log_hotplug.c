// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * xen-hotplug.log (vd_hotplug.h): the line shapes the scripts' commands print when the
 * netdev they work on does not exist, and the scripts' own lines. The file is written by
 * root but its text quotes names any guest config chose: bytes are kept raw (renderers
 * escape), lines are cut, and only well-formed netdev names are taken.
 */
#include "vd_hotplug.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vd_bundle.h"
#include "vd_util.h"

#define SCAN_MAX 4096 /* bytes of a line looked at: the shapes are short */
#define KEEP_MAX 4096 /* classified lines kept: the newest (an old log can be long) */

bool vd_hp_name_ok(const char *s, size_t len)
{
	if (len == 0 || len >= VD_HP_NAME_MAX || (len == 1 && s[0] == '.') ||
	    (len == 2 && s[0] == '.' && s[1] == '.'))
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c == '/' || c == ':' || c >= 0x7f)
			return false;
	}
	return true;
}

/* s starts with the NUL-terminated p (s has len bytes). */
static bool starts(const char *s, size_t len, const char *p)
{
	size_t n = strlen(p);

	return len >= n && memcmp(s, p, n) == 0;
}

static bool ends(const char *s, size_t len, const char *p)
{
	size_t n = strlen(p);

	return len >= n && memcmp(s + len - n, p, n) == 0;
}

/* The name between pre and post filling the whole line: "pre NAME post". */
static bool framed(const char *s, size_t len, const char *pre, const char *post,
		   char name[VD_HP_NAME_MAX])
{
	size_t a = strlen(pre), b = strlen(post);

	if (len <= a + b || !starts(s, len, pre) || !ends(s, len, post) ||
	    !vd_hp_name_ok(s + a, len - a - b))
		return false;
	memcpy(name, s + a, len - a - b);
	name[len - a - b] = '\0';
	return true;
}

/* brctl addif's "can't add NAME to bridge BR: No such device" */
static bool brctl_add(const char *s, size_t len, char name[VD_HP_NAME_MAX])
{
	static const char pre[] = "can't add ", post[] = ": No such device";
	const char *p = s + strlen(pre), *sp;

	if (!starts(s, len, pre) || !ends(s, len, post))
		return false;
	sp = memmem(p, len - strlen(pre), " to bridge ", strlen(" to bridge "));
	if (!sp || !vd_hp_name_ok(p, (size_t)(sp - p)))
		return false;
	memcpy(name, p, (size_t)(sp - p));
	name[sp - p] = '\0';
	return true;
}

static bool no_such_device(const char *s, size_t len, char name[VD_HP_NAME_MAX])
{
	return /* iproute2: ip link set dev NAME ..., ip addr add ... dev NAME */
		framed(s, len, "Cannot find device \"", "\"", name) ||
		/* iproute2: ip link show dev NAME, ip addr flush dev NAME */
		framed(s, len, "Device \"", "\" does not exist.", name) ||
		/* bridge-utils: brctl addif BR NAME */
		framed(s, len, "interface ", " does not exist!", name) ||
		/* net-tools: ifconfig NAME ... (Qubes' vif-route-qubes, older scripts) */
		framed(s, len, "", ": ERROR while getting interface flags: No such device", name) ||
		brctl_add(s, len, name);
}

/* A script's own line: "$0 $@" of logging.sh's fallback, or bash's "$0: line N: ...". */
static bool script_line(const char *s, size_t len, char **xenbus_path)
{
	static const char key[] = "XENBUS_PATH=";
	size_t n = 0;
	const char *k;

	if (!len || s[0] != '/')
		return false;
	while (n < len && s[n] > ' ' && s[n] < 0x7f && s[n] != ':')
		n++;
	if (n < 2 || (n < len && s[n] != ' ' && s[n] != ':') || s[n - 1] == '/')
		return false;
	k = memmem(s + n, len - n, key, strlen(key));
	if (k && xenbus_path) {
		const char *v = k + strlen(key);
		size_t m = 0;

		while (v + m < s + len && (unsigned char)v[m] > ' ' && v[m] != 0x7f)
			m++;
		*xenbus_path = m ? vd_strndup(v, m) : NULL;
	}
	return true;
}

enum vd_hp_kind vd_hp_classify(const char *s, size_t len, char name[VD_HP_NAME_MAX],
			       char **xenbus_path)
{
	name[0] = '\0';
	if (xenbus_path)
		*xenbus_path = NULL;
	while (len && (s[len - 1] == '\r' || s[len - 1] == ' '))
		len--;
	if (no_such_device(s, len, name))
		return VD_HP_NODEV;
	if (script_line(s, len, xenbus_path))
		return VD_HP_SCRIPT;
	return VD_HP_OTHER;
}

static void keep(struct vd_hplog *l, size_t *cap, const char *s, size_t len, unsigned long line)
{
	struct vd_hp_line x = { .line = line };

	x.kind = vd_hp_classify(s, len, x.name, &x.xenbus_path);
	if (x.kind == VD_HP_OTHER)
		return;
	if (l->n == KEEP_MAX) { /* drop the older half: the newest lines matter */
		for (size_t i = 0; i < KEEP_MAX / 2; i++) {
			free(l->lines[i].text);
			free(l->lines[i].xenbus_path);
		}
		memmove(l->lines, l->lines + KEEP_MAX / 2,
			(KEEP_MAX - KEEP_MAX / 2) * sizeof(*l->lines));
		l->n -= KEEP_MAX / 2;
	}
	if (l->n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		l->lines = vd_realloc(l->lines, *cap * sizeof(*l->lines));
	}
	x.len = len < VD_HP_TEXT_MAX ? len : VD_HP_TEXT_MAX;
	x.text = vd_memdup0(s, x.len);
	l->lines[l->n++] = x;
}

int vd_hplog_read(const char *path, const char *shown, bool skip_first, struct vd_hplog *out,
		  struct vd_err *err)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t len = 0, cap = 0;
	int c;

	memset(out, 0, sizeof(*out));
	if (!f) {
		vd_err_set(err, VD_EXIT_SOURCE, "%s: cannot read the hotplug log: %s", shown,
			   strerror(errno));
		return -1;
	}
	out->file = vd_strdup(shown);
	buf = vd_calloc(1, SCAN_MAX);
	while ((c = getc(f)) != EOF) {
		if (c != '\n') {
			if (len < SCAN_MAX)
				buf[len++] = (char)c;
			continue;
		}
		if (++out->nlines > 1 || !skip_first)
			keep(out, &cap, buf, len, out->nlines);
		len = 0;
	}
	if (len && (++out->nlines > 1 || !skip_first)) /* a last line without newline */
		keep(out, &cap, buf, len, out->nlines);
	free(buf);
	if (ferror(f)) {
		vd_err_set(err, VD_EXIT_SOURCE, "%s:%lu: read error: %s", shown, out->nlines + 1,
			   strerror(errno));
		fclose(f);
		vd_hplog_free(out);
		return -1;
	}
	fclose(f);
	return 0;
}

void vd_hplog_free(struct vd_hplog *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->lines[i].text);
		free(l->lines[i].xenbus_path);
	}
	free(l->lines);
	free(l->file);
	memset(l, 0, sizeof(*l));
}

int vd_hplog_load(const char *file, const struct vd_bundle *b, struct vd_hplog *out,
		  struct vd_err *err)
{
	static const char member[] = "logs/xen/xen-hotplug.log";
	const struct vd_mnote *note;
	char *path;
	int rc;

	if (file)
		return vd_hplog_read(file, file, false, out, err) < 0 ? -1 : 1;
	if (!b || !vd_manifest_find(&b->man, member))
		return 0;
	/* the collector keeps a tail: its first line is a cut one */
	note = vd_manifest_note_for(&b->man, member);
	path = vd_bundle_member(b, member);
	rc = vd_hplog_read(path, member, note && strcmp(note->kind, "cut") == 0, out, err);
	free(path);
	return rc < 0 ? -1 : 1;
}
