// SPDX-License-Identifier: GPL-2.0-or-later
/* debugfs xen-netback/<vif>/io_ring_qN text as netback prints it, fed random bytes. */
#include "../fuzz.h"
#include "vd_sysfs.h"
#include "vd_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = vd_memdup0(data, size); /* the reader gives it a file's text */
	struct vd_ioring r;

	memset(&r, 0, sizeof(r));
	if (vd_ioring_parse(text, &r)) {
		/* both derived facts are defined for any parsed ring */
		(void)vd_ioring_rx_posted(&r);
		(void)vd_ioring_unlimited(&r);
		FUZZ_ASSERT(r.tx.ok && r.rx.ok);
	}
	free(text);
	return 0;
}
