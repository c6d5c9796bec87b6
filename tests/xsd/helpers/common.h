/* SPDX-License-Identifier: MIT */
/* Shared by the libxenstore test helpers: TAP-style results and checked reads. */
#ifndef XSD_HELPERS_COMMON_H
#define XSD_HELPERS_COMMON_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

static int failures;

/* One "ok - name" / "not ok - name" line per case, as run.sh's runner counts them. */
static inline void report(bool ok, const char *name)
{
	printf("%sok - %s\n", ok ? "" : "not ", name);
	failures += !ok;
}

/* Does path read as want (NULL: must not exist) through transaction t? */
static inline bool reads_as(struct xs_handle *h, xs_transaction_t t, const char *path,
			    const char *want)
{
	unsigned int len;
	char *v = xs_read(h, t, path, &len);
	bool ok = want ? v && !strcmp(v, want) : !v && errno == ENOENT;

	if (!ok)
		printf("# %s: read \"%s\" (errno %d), wanted \"%s\"\n", path, v ? v : "(none)",
		       v ? 0 : errno, want ? want : "(none)");
	free(v);
	return ok;
}

static inline struct xs_handle *open_or_die(void)
{
	struct xs_handle *h = xs_open(0);

	if (!h) {
		perror("# xs_open");
		exit(2);
	}
	return h;
}

#endif
