// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vifdiag: diagnose Xen virtual network interfaces. main() is the only place that turns
 * an error into an exit code; everything below returns.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vd_cmd.h"
#include "vd_esc.h"
#include "vd_event.h"
#include "vd_util.h"

int main(int argc, char **argv)
{
	struct vd_opts o;
	struct vd_err err;
	int rc;

	vd_opts_default(&o);
	vd_err_clear(&err);
	rc = vd_dispatch(argc, argv, &o, &err);
	free(o.vifs);
	free(o.logs);
	if (err.code) {
		vd_err_print(stderr, &err);
		rc = err.code;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (!err.code)
			fprintf(stderr, "vifdiag: cannot write the output\n");
		rc = VD_EXIT_INTERNAL;
	}
	return rc;
}
