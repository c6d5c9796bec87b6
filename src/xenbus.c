// SPDX-License-Identifier: GPL-2.0-or-later
#include "vd_xenbus.h"

static const char *const names[VD_XB_NSTATES] = {
	"Unknown", "Initialising", "InitWait",	    "Initialised",  "Connected",
	"Closing", "Closed",	   "Reconfiguring", "Reconfigured",
};

bool vd_xb_state_valid(long state)
{
	return state >= 0 && state < VD_XB_NSTATES;
}

const char *vd_xb_state_name(long state)
{
	return vd_xb_state_valid(state) ? names[state] : "invalid";
}

/* Pairs as libxl + Linux netback/netfront produce them (reference §2.2, §2.3). */
static const struct {
	long fe, be; /* -2 matches any state */
	const char *meaning;
} pairs[] = {
	{ 1, 1, "toolstack created both ends; the backend driver has not probed the device yet" },
	{ 1, 2, "backend waits for the guest's network driver to connect" },
	{ 3, 2, "frontend initialised but not connected (a stopped or disabled guest driver)" },
	{ 4, 1, "guest connected to a backend that has not probed yet" },
	{ 4, 2, "guest connected; backend waits for the hotplug script to report connected" },
	{ 4, 3, "guest connected; backend initialised but not connected" },
	{ 4, 4, "connected" },
	{ 4, 8, "connected after the guest reconfigured it (XDP attach or detach)" },
	{ 7, 4, "guest reconfiguring the device (XDP attach or detach)" },
	{ 7, 8, "guest reconfiguring the device; backend done" },
	{ 4, 5, "backend closing a connected device: detach requested or a backend error" },
	{ 4, 6, "backend closed while the guest is still connected" },
	{ 5, 4, "guest closing the device (driver unload or shutdown)" },
	{ 5, 5, "both ends closing" },
	{ 5, 6, "guest closing; backend already closed" },
	{ 6, 5, "guest closed; backend closing" },
	{ 6, 6, "both ends closed" },
	{ 1, 6, "guest restarting its driver against a closed backend" },
	{ 1, 4,
	  "guest restarted its driver while the backend is still connected (iPXE handoff, kexec or "
	  "crash)" },
	{ 2, 2, "frontend in InitWait: not a state a network frontend uses" },
	/* -1 is "absent or unreadable" (vd_xenbus.h): say both, the caller cannot tell */
	{ -1, -2, "no frontend, or its state is unreadable" },
	{ -2, -1, "no backend, or its state is unreadable" },
	{ -2, 5, "backend closing" },
	{ -2, 6, "backend closed" },
	{ 5, -2, "frontend closing" },
	{ 6, -2, "frontend closed" },
};

const char *vd_xb_pair_meaning(long fe, long be)
{
	if (fe >= 0 && !vd_xb_state_valid(fe))
		return "frontend state is not a XenbusState";
	if (be >= 0 && !vd_xb_state_valid(be))
		return "backend state is not a XenbusState";
	for (unsigned i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		if ((pairs[i].fe == fe || (pairs[i].fe == -2 && fe >= 0)) &&
		    (pairs[i].be == be || (pairs[i].be == -2 && be >= 0)))
			return pairs[i].meaning;
	}
	if (fe < 0 && be < 0)
		return "neither end has a readable state";
	return "an unusual combination: not part of the normal handshake";
}
