// SPDX-License-Identifier: GPL-2.0-or-later
/* vifdiag show DOM[/DEVID]...: everything the model knows about each selected VIF. */
#include "vd_cmd.h"
#include "vd_pipeline.h"

int vd_cmd_show(const struct vd_invocation *inv)
{
	return vd_report_run_sel(inv, VD_VIEW_SHOW);
}
