/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Analysis: a verdict word and findings (what is wrong, what to do) for every VIF. */
#ifndef VD_DIAG_H
#define VD_DIAG_H

#include <stdbool.h>

#include "vd_model.h"

void vd_diagnose(struct vd_host *h);

/* The node holds exactly the string v (no more bytes). */
bool vd_node_is(const struct vd_node *nd, const char *v);

/* True if the verdict means "working". */
bool vd_verdict_ok(const char *verdict);

/* Every verdict word with its one-line explanation, for --help, man page checks and tests. */
struct vd_verdict_info {
	const char *word;
	const char *meaning;
};
extern const struct vd_verdict_info vd_verdicts[];
/* The meaning of word in a table ending with a NULL word, or NULL. */
const char *vd_verdict_lookup(const struct vd_verdict_info *table, const char *word);

const char *vd_sev_name(enum vd_sev s);
/* "info", "warning", "error" to a severity; false for any other word. */
bool vd_sev_parse(const char *s, enum vd_sev *out);

/* The catalogue's rule ID (VD001...) of a finding code, or of a finding; NULL if unknown. */
const char *vd_rule_id(const char *code);
const char *vd_finding_rule_id(const struct vd_finding *f);

#endif
