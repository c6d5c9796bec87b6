/* SPDX-License-Identifier: GPL-2.0-or-later */
/* XenbusState (xen/include/public/io/xenbus.h) names and what a (frontend, backend) pair means. */
#ifndef VD_XENBUS_H
#define VD_XENBUS_H

#include <stdbool.h>

enum vd_xb_state {
	VD_XB_UNKNOWN = 0,
	VD_XB_INITIALISING = 1,
	VD_XB_INITWAIT = 2,
	VD_XB_INITIALISED = 3,
	VD_XB_CONNECTED = 4,
	VD_XB_CLOSING = 5,
	VD_XB_CLOSED = 6,
	VD_XB_RECONFIGURING = 7,
	VD_XB_RECONFIGURED = 8,
	VD_XB_NSTATES
};

/* Linux xenbus_strstate names; "invalid" outside 0..8. */
const char *vd_xb_state_name(long state);
bool vd_xb_state_valid(long state);

/*
 * One line saying what a (frontend, backend) state pair means for a VIF, from the libxl +
 * netback/netfront handshake (reference §2). fe/be are -1 when that end is absent or its
 * state unreadable.
 */
const char *vd_xb_pair_meaning(long fe, long be);

#endif
