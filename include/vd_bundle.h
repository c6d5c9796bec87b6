/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Support-ticket bundles (vifdiag dump, and --from BUNDLE): a .tar.gz with one top
 * directory holding
 *   MANIFEST        first member: "vifdiag-bundle 1", then per member its type, sha256,
 *                   size and name, and every file omitted or cut with the reason
 *   vifdiag.json    who made it: version, command line, how the host side was read
 *   xenstore.txt    the VIF-relevant store, `xenstore-ls -f` form (the live walker reads
 *                   no permissions, so there are none to write)
 *   libxl.json      what libxl said (vd_xl_to_json)
 *   sysfs/          the objects status read under its sysfs root, as a root of its own
 *                   (sysfs/sys/..., sysfs/proc/interrupts, sysfs/proc/net/dev)
 *   ovs/            ovs-vsctl port-to-br answers, one file per port
 *   logs/xenstored/ the xenstored access log or trace and its rotations
 *   logs/xen/, logs/host/  toolstack and host logs (tails)
 *   host/           command outputs: uname, ip -d link, bridge, ovs-vsctl show, xl info, dmesg
 * Split by job: manifest (bundle_manifest.c), writer (bundle_write.c), collector
 * (bundle_collect.c), redaction (bundle_redact.c), reader (bundle_read.c).
 */
#ifndef VD_BUNDLE_H
#define VD_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>

#include "vd_err.h"
#include "vd_opts.h"
#include "vd_snap.h"
#include "vd_util.h"

#define VD_BUNDLE_MAGIC	     "vifdiag-bundle 1"
#define VD_BUNDLE_MANIFEST   "MANIFEST"
#define VD_BUNDLE_META	     "vifdiag.json"
#define VD_BUNDLE_STORE	     "xenstore.txt"
#define VD_BUNDLE_LIBXL	     "libxl.json"
#define VD_BUNDLE_SYSFS	     "sysfs"
#define VD_BUNDLE_OVS	     "ovs"
#define VD_BUNDLE_XSLOGS     "logs/xenstored"
#define VD_BUNDLE_MAX_BYTES  (1ull << 30) /* all members unpacked: beyond is a bomb */
#define VD_BUNDLE_MAX_MEMBER 100000

/* ---- manifest ---- */
enum vd_mtype { VD_M_FILE = 'f', VD_M_DIR = 'd', VD_M_LINK = 'l' };

struct vd_mentry {
	char *name; /* relative to the top directory */
	enum vd_mtype type;
	unsigned long long size; /* file: bytes; link: target length; dir: 0 */
	char sha[65];		 /* file: of the content; link: of the target; dir: "-" */
	bool seen;		 /* reader: the member was found */
};

struct vd_mnote {
	char *kind; /* "omitted" or "cut" */
	char *name;
	char *why;
};

struct vd_manifest {
	struct vd_mentry *e;
	size_t n;
	struct vd_mnote *notes;
	size_t nnotes;
};

void vd_sha256_hex(const void *data, size_t len, char out[65]);
void vd_manifest_add(struct vd_manifest *m, const char *name, enum vd_mtype type, const void *data,
		     size_t len);
void vd_manifest_note(struct vd_manifest *m, const char *kind, const char *name, const char *fmt,
		      ...) __attribute__((format(printf, 4, 5)));
void vd_manifest_format(const struct vd_manifest *m, struct vd_buf *out);
/* Strict: a line that is not one of the forms above is an error naming its line. */
int vd_manifest_parse(const char *buf, size_t len, struct vd_manifest *m, struct vd_err *err);
struct vd_mentry *vd_manifest_find(const struct vd_manifest *m, const char *name);
const struct vd_mnote *vd_manifest_note_for(const struct vd_manifest *m, const char *name);
/* "omitted NAME cannot read PATH: STRERROR (ENAME)": what the collector could not read
 * (without "(ENAME)" for an absent file or an errno without a name here). */
void vd_manifest_unreadable(struct vd_manifest *m, const char *name, const char *path, int e);
/* The errno such a note gives for name or the nearest directory above it; 0: none. */
int vd_manifest_errno(const struct vd_manifest *m, const char *name);
void vd_manifest_free(struct vd_manifest *m);

/* A member name we write and accept: relative, no "." or ".." or empty components, only
 * printable ASCII without spaces or backslashes. */
bool vd_bundle_name_ok(const char *name);

/*
 * How far dump has come, for its progress line: step names what it does; update is false
 * when a step starts and true when the same step got further (a caller rate-limits those).
 */
typedef void (*vd_progress_fn)(void *arg, const char *step, bool update);

/* ---- writer ---- */
struct vd_bmember {
	char *name;
	enum vd_mtype type;
	char *data; /* file content or link target */
	size_t len;
};

struct vd_bwriter {
	struct vd_bmember *m;
	size_t n;
	struct vd_manifest man;	 /* notes only until vd_bw_write adds the entries */
	vd_progress_fn progress; /* NULL: nobody watches; else per member and per MiB */
	void *arg;
};

void vd_bw_init(struct vd_bwriter *w);
void vd_bw_file(struct vd_bwriter *w, const char *name, const void *data, size_t len);
void vd_bw_dir(struct vd_bwriter *w, const char *name);
void vd_bw_link(struct vd_bwriter *w, const char *name, const char *target);
bool vd_bw_has(const struct vd_bwriter *w, const char *name);
/*
 * Writes MANIFEST and every member under top/ into a .tar.gz at path: to a temporary file
 * in the same directory, renamed over path only when complete (nothing is left behind on
 * failure). VD_EXIT_INTERNAL on an I/O error.
 */
int vd_bw_write(struct vd_bwriter *w, const char *path, const char *top, struct vd_err *err);
void vd_bw_free(struct vd_bwriter *w);

/* ---- redaction ---- */
struct vd_redact;
struct vd_redact *vd_redact_new(void);
/* A word to replace wherever it stands alone (a domain name, a hostname); kind names the
 * pseudonym ("name", "host"). */
void vd_redact_word(struct vd_redact *r, const char *word, const char *kind);
/* in with every MAC, IPv4/IPv6 address, UUID and registered word replaced (owned). */
char *vd_redact_text(struct vd_redact *r, const char *in, size_t len, size_t *outlen);
/* Redacts every member's content, link target and name in place. */
void vd_redact_members(struct vd_redact *r, struct vd_bwriter *w);
/* "ORIGINAL<TAB>PSEUDONYM" lines, for the customer's eyes only (never in the bundle). */
void vd_redact_map(const struct vd_redact *r, struct vd_buf *out);
void vd_redact_free(struct vd_redact *r);

/* ---- collector (vifdiag dump) ---- */
struct vd_collect {
	const struct vd_opts *o;
	unsigned long long log_max; /* bytes of xenstored logs */
	vd_progress_fn progress;
	void *arg;
	char **words; /* domain names and the hostname, for redaction */
	size_t nwords;
};
/* Fills w with everything above; what cannot be read becomes a MANIFEST note. */
int vd_collect(struct vd_collect *c, struct vd_bwriter *w, struct vd_err *err);

/* ---- reader (--from BUNDLE) ---- */
struct vd_bundle {
	char *path; /* as given */
	char *dir;  /* the top directory's contents, on disk */
	char *tmp;  /* our private temporary directory (removed by close), or NULL */
	struct vd_manifest man;
	/* from vifdiag.json */
	char *sysfs_shown; /* the sysfs root on the bundle's host; NULL: none was read */
	bool sysfs_require_xen;
	char **xslogs; /* xenstored logs, base names under logs/xenstored/ (current first) */
	size_t nxslogs;
	char **vanished, **warnings;
	size_t nvanished, nwarnings;
};

/* A directory with a MANIFEST, or a file that starts like gzip or tar. */
bool vd_bundle_is(const char *path);
/*
 * Opens a bundle: an unpacked directory is checked in place; an archive is checked member
 * by member while it is unpacked into a private temporary directory (mode 0700). Bad
 * bundles (not a bundle, truncated, a member missing or not in MANIFEST or differing from
 * it, ../ or absolute names, links out of the tree, special files, more than
 * VD_BUNDLE_MAX_BYTES): -1 with one VD_EXIT_SOURCE error naming the member, and nothing
 * left behind.
 */
struct vd_bundle *vd_bundle_open(const char *path, struct vd_err *err);
/* The same for an archive in memory (the fuzz target's entry point). */
struct vd_bundle *vd_bundle_open_mem(const void *buf, size_t len, const char *name,
				     struct vd_err *err);
void vd_bundle_close(struct vd_bundle *b);
/* The errno the bundle's host got reading path under its sysfs root (which the bundle then
 * lacks), 0 for any other path: vd_sysfs_opts.gone. */
int vd_bundle_gone(void *bundle, const char *path);
/* Path of a member on disk (owned). */
char *vd_bundle_member(const struct vd_bundle *b, const char *name);
/* The store; a bundle without one is an error quoting the MANIFEST's reason. */
int vd_bundle_snapshot(const struct vd_bundle *b, struct vd_snap *snap, struct vd_err *err);
/* libxl facts; NULL with err when libxl.json is malformed. */
struct vd_xl *vd_bundle_xl(const struct vd_bundle *b, struct vd_err *err);

#endif
