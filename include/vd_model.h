/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one model every command and renderer uses: host -> domains -> VIFs -> the two ends
 * -> queues. Built from a snapshot only (vd_build_model), annotated by the analysis
 * (vd_diagnose), read by renderers. Strings point into the snapshot unless said otherwise:
 * the snapshot must outlive the model. Guest-written strings are raw bytes: renderers escape.
 */
#ifndef VD_MODEL_H
#define VD_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "vd_snap.h"

/* A key that should hold a decimal number. */
struct vd_num {
	const struct vd_node *node; /* NULL: the key is absent */
	bool ok;		    /* present and a well-formed number */
	unsigned long v;
};

/* One end of a VIF: the frontend dir in the guest or the backend dir in the driver domain. */
struct vd_end {
	const char *path; /* the dir, or the path the other end claims; NULL if unknown */
	bool present;	  /* the dir exists in the snapshot */
	bool vanished;	  /* it disappeared while we read it (domain being destroyed) */
	long domid;	  /* domain the dir lives in (from the path), -1 if unknown */
	struct vd_num state;
	const struct vd_node *peer;  /* `backend` key of a frontend, `frontend` key of a backend */
	struct vd_num peer_id;	     /* `backend-id` / `frontend-id` */
	const struct vd_node *error; /* /local/domain/<d>/error/<rel path>/error, if any */
};

struct vd_queue {
	unsigned long id;
	const char *dir; /* path of queue-N/, or the frontend dir for the flat layout (owned) */
	struct vd_num tx_ring_ref, rx_ring_ref;
	struct vd_num evtchn, evtchn_tx, evtchn_rx;
};

enum vd_layout {
	VD_LAYOUT_NONE,	  /* no ring keys at all */
	VD_LAYOUT_FLAT,	  /* top-level keys: exactly one queue */
	VD_LAYOUT_QUEUES, /* queue-N/ dirs */
	VD_LAYOUT_MIXED,  /* both: a broken frontend */
};

enum vd_sev { VD_SEV_INFO, VD_SEV_WARN, VD_SEV_ERROR };

/* What a finding is based on (vd_catalogue.h, src/evidence.c). */
enum vd_evkind {
	VD_EV_XS,   /* a xenstore key: where is its path */
	VD_EV_HOST, /* a sysfs, debugfs or /proc fact: where is the file */
	VD_EV_LOG,  /* a log line: where is file:line */
	VD_EV_TIME, /* a duration: where says what was timed */
};

struct vd_evidence {
	enum vd_evkind kind;
	char *where; /* owned */
	char *value; /* owned, len bytes (raw: may be guest-written); NULL: absent */
	size_t len;
	const char *note; /* "absent", "unreadable", "truncated", or NULL */
};

struct vd_finding {
	enum vd_sev sev;
	const char *code;	/* stable identifier, e.g. "hotplug-error" (vd_catalogue.h) */
	char *msg;		/* what is wrong (owned; may quote guest bytes raw) */
	char *hint;		/* what to do (owned, may be NULL) */
	struct vd_evidence *ev; /* owned */
	size_t nev;
};

struct vd_domain {
	unsigned long domid;
	const struct vd_node *name; /* /local/domain/N/name */
	const char *vm;		    /* /local/domain/N/vm, e.g. /vm/<uuid> */
	char *uuid;		    /* owned; from the vm path when it looks like a uuid */
};

struct vd_hostfacts;
struct vd_xl;
struct vd_xlfacts;
struct vd_qload;

struct vd_vif {
	unsigned long domid; /* the frontend (guest) domain */
	unsigned long devid;
	const struct vd_domain *dom; /* NULL when the guest's domain is gone */
	struct vd_end fe, be;
	bool paired;	       /* both ends exist and point at each other */
	bool mismatch;	       /* a pointer does not point back */
	const char *fe_claims; /* frontend's `backend` value when it names another backend */

	const struct vd_node *mac; /* backend mac (toolstack-written), else frontend mac */
	const struct vd_node *fe_mac;
	const struct vd_node *hotplug_status, *hotplug_error;
	const struct vd_node *bridge;	    /* backend `bridge`, or the XenServer private key */
	const char *bridge_path;	    /* where `bridge` came from */
	const struct vd_node *xapi_hotplug; /* /xapi/<uuid>/hotplug/<d>/vif/<n>/hotplug */
	const struct vd_node *online, *script, *vifname, *type, *rate, *mtu, *be_handle;
	const struct vd_node *fe_handle, *fe_mtu, *fe_trusted, *fe_disconnect;

	struct vd_num num_queues; /* frontend multi-queue-num-queues */
	struct vd_num max_queues; /* backend multi-queue-max-queues */
	long negotiated;	  /* -1: unknown */
	enum vd_layout layout;
	struct vd_queue *queues;
	size_t nqueues;
	struct vd_num ctrl_ring_ref, evtchn_ctrl;

	/* filled by the analysis */
	const char *verdict;
	struct vd_finding *findings;
	size_t nfindings;

	/* filled by vd_host_join (vd_sysfs.h): the backend domain's view, owned by the report */
	const struct vd_hostfacts *host; /* NULL: no host facts, host_unavailable says why */
	const char *host_unavailable;

	/* filled by vd_xl_join (vd_xl.h): libxl's view; NULL when libxl is unavailable */
	const struct vd_xlfacts *xl;

	/* filled by vd_mq_read (vd_mq.h): per-queue interrupt load, NULL when unknown */
	const struct vd_qload *load;
};

/* A domain a selective live read (vd_xs_snapshot_doms) had to read more than once. */
struct vd_reread {
	unsigned long domid;
	unsigned attempts;	  /* reads of it, the last one included */
	bool without_transaction; /* the last read had none: it may mix states */
};

struct vd_host {
	const struct vd_snap *snap;
	struct vd_domain *doms; /* sorted by domid */
	size_t ndoms;
	struct vd_vif **vifs; /* sorted by (domid, devid, backend path) */
	size_t nvifs;
	char **notes;		/* host-level observations (owned) */
	const struct vd_xl *xl; /* set by vd_xl_join: libxl's facts or why there are none */
	size_t nnotes;
	const char *source_kind; /* "bundle" when the pipeline read one, else NULL */
	/* set by the pipeline after a selective live read (vd_xs_snapshot_doms), else NULL */
	const struct vd_reread *reread;
	size_t nreread;
	bool per_domain; /* that read was used: source.reread is shown */
	void *priv;	 /* builder-owned strings */
};

struct vd_host *vd_build_model(const struct vd_snap *snap);
/* A VIF no end of which is in the store (another source knows it): fe_path and be_path
 * must outlive the host. Keeps the VIFs sorted. */
struct vd_vif *vd_host_add_absent_vif(struct vd_host *h, unsigned long domid, unsigned long devid,
				      const char *fe_path, const char *be_path);
void vd_host_free(struct vd_host *h);

const struct vd_domain *vd_host_domain(const struct vd_host *h, unsigned long domid);
/* Domain name as a string (may hold any bytes), or NULL. */
const char *vd_domain_name(const struct vd_domain *d);

/* Keys directly under a dir: names and nodes, sorted by name; caller frees *keys. */
struct vd_key {
	const char *name;
	const struct vd_node *node;
};
size_t vd_dir_keys(const struct vd_snap *snap, const char *dir, struct vd_key **keys);

void vd_vif_add_finding(struct vd_vif *v, enum vd_sev sev, const char *code, const char *hint,
			const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Evidence of a finding (src/evidence.c): one fact, its value copied. */
void vd_finding_add_evidence(struct vd_finding *f, enum vd_evkind kind, const char *where,
			     const char *value, size_t len, const char *note);
/* The last finding of v, to attach evidence to right after vd_vif_add_finding. */
struct vd_finding *vd_vif_last_finding(struct vd_vif *v);
void vd_finding_free_evidence(struct vd_finding *f);

#endif
