// SPDX-License-Identifier: GPL-2.0-or-later
#include "vd_err.h"

#include <stdarg.h>
#include <stdio.h>

void vd_err_clear(struct vd_err *e)
{
	e->code = 0;
	e->msg[0] = '\0';
}

void vd_err_set(struct vd_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (!e || e->code)
		return;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}
