// SPDX-License-Identifier: GPL-2.0-or-later
/* vifdiag status [DOM...]: one row per VIF, and what is wrong with the ones not ok. */
#include "vd_cmd.h"
#include "vd_pipeline.h"

int vd_cmd_status(const struct vd_invocation *inv)
{
	return vd_report_run_sel(inv, VD_VIEW_STATUS);
}
