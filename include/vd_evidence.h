/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The evidence of every finding from the inputs its catalogue row names (vd_catalogue.h). */
#ifndef VD_EVIDENCE_H
#define VD_EVIDENCE_H

#include "vd_model.h"

struct vd_sysfs;

/* Adds to each finding of h the values of its rule's inputs as this run saw them. */
void vd_evidence_fill(struct vd_host *h, const struct vd_sysfs *s);

const char *vd_evidence_kind_name(enum vd_evkind k); /* "xenstore", "host", "log", "time" */

#endif
