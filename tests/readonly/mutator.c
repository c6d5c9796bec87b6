// SPDX-License-Identifier: GPL-2.0-or-later
/* Not vifdiag: a program that imports libxenstore mutators, so that tests/readonly.sh can
 * show its import check fails on one (and a client that writes, for the counts check). */
#include <stdio.h>
#include <string.h>
#include <xenstore.h>

int main(int argc, char **argv)
{
	struct xs_handle *h = xs_open(0);

	if (!h || argc < 3)
		return 1;
	if (!xs_write(h, XBT_NULL, argv[1], argv[2], strlen(argv[2])))
		return 1;
	if (argc > 3 && !xs_rm(h, XBT_NULL, argv[1]))
		return 1;
	xs_close(h);
	return 0;
}
