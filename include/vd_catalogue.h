/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The diagnosis catalogue: one row per rule, with a stable ID (VD001..., never renumbered,
 * never reused), the finding code the rule has always had (an alias of the ID), its
 * severity (the highest it is reported with), a title, the generic remedy, an example
 * finding (the man page's DIAGNOSES section shows it; tests/check-sync.sh compares the two)
 * and the inputs it reads, from which vd_evidence_fill() records the evidence of each
 * finding. Adding a rule: append a row with the next ID, document it in man/vifdiag.1.
 */
#ifndef VD_CATALOGUE_H
#define VD_CATALOGUE_H

#include <stddef.h>

#include "vd_model.h"

struct vd_rule {
	const char *id;	  /* "VD001" */
	const char *code; /* "backend-id-mismatch" */
	enum vd_sev sev;
	const char *title;
	const char *remedy;
	const char *example;
	/*
	 * Space-separated inputs: be:KEY fe:KEY (a key of one end), q:KEY (that key of every
	 * queue), dom:KEY (a key of the guest's domain dir, "cpu" for its vCPUs), err (the
	 * error node), nd:ATTR (the backend netdev's sysfs attribute), br:ATTR (its bridge's),
	 * nb:PARAM (xen_netback parameter), ring (debugfs io_ring files), cpu (the backend
	 * domain's online CPUs), irq (/proc/interrupts), xl (libxl's facts), node (the node
	 * the message names), log (log lines), time (durations).
	 */
	const char *inputs;
};

extern const struct vd_rule vd_rules[];
extern const size_t vd_nrules;

/* The row of a finding code or of a rule ID (either spelling), or NULL. */
const struct vd_rule *vd_rule_lookup(const char *code_or_id);

#endif
