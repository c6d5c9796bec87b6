// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The files of a log: rotated sets (FILE.N, FILE.N.gz) found next to each FILE and put in
 * time order, each file once.
 */
#include "vd_log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vd_util.h"

/* N of a rotated name "BASE.N" or "BASE.N.gz" (0: not rotated), and the base length. */
static unsigned rotation_of(const char *path, size_t *baselen)
{
	size_t n = strlen(path), end = n;
	const char *dot;
	unsigned long v;

	if (n > 3 && strcmp(path + n - 3, ".gz") == 0)
		end = n - 3;
	*baselen = end;
	dot = memrchr(path, '.', end);
	if (!dot || dot + 1 == path + end ||
	    !vd_parse_ulong(dot + 1, (size_t)(path + end - dot - 1), 999, &v) || v == 0)
		return 0;
	*baselen = (size_t)(dot - path);
	return (unsigned)v;
}

struct lfile {
	char *path;
	size_t group; /* index of the first argument of its set */
	unsigned rot;
	dev_t dev;
	ino_t ino;
};

static int by_set(const void *a, const void *b)
{
	const struct lfile *x = a, *y = b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return x->rot == y->rot ? 0 : x->rot > y->rot ? -1 : 1; /* oldest (highest N) first */
}

static bool add_file(struct lfile **v, size_t *n, const char *path, size_t group, unsigned rot,
		     bool must, struct vd_err *err)
{
	struct stat st;
	int rc = stat(path, &st);

	if (rc != 0 || !S_ISREG(st.st_mode)) {
		if (must)
			vd_err_set(err, VD_EXIT_SOURCE, "%s: cannot read: %s", path,
				   rc ? strerror(errno) : "not a regular file");
		return !must;
	}
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i].dev == st.st_dev && (*v)[i].ino == st.st_ino)
			return true;
	*v = vd_realloc(*v, (*n + 1) * sizeof(**v));
	(*v)[*n] = (struct lfile){ vd_strdup(path), group, rot, st.st_dev, st.st_ino };
	(*n)++;
	return true;
}

int vd_log_files(char *const *args, int nargs, char ***files, size_t *nfiles, struct vd_err *err)
{
	struct lfile *v = NULL;
	size_t n = 0, baselen;
	char **bases = vd_calloc((size_t)nargs + 1, sizeof(*bases));
	int rc = 0;

	for (int a = 0; a < nargs && rc == 0; a++) {
		unsigned rot = rotation_of(args[a], &baselen);
		size_t group = (size_t)a;

		bases[a] = vd_strndup(args[a], rot ? baselen : strlen(args[a]));
		for (int b = 0; b < a; b++)
			if (strcmp(bases[b], bases[a]) == 0) {
				group = (size_t)b;
				break;
			}
		if (!add_file(&v, &n, args[a], group, rot, true, err)) {
			rc = -1;
			break;
		}
		for (unsigned k = 1; !rot && k < 100; k++) {
			char *sib = vd_asprintf("%s.%u", args[a], k),
			     *gz = vd_asprintf("%s.gz", sib);

			add_file(&v, &n, sib, group, k, false, err);
			add_file(&v, &n, gz, group, k, false, err);
			free(sib);
			free(gz);
		}
	}
	for (int a = 0; a < nargs; a++)
		free(bases[a]);
	free(bases);
	if (n > 1)
		qsort(v, n, sizeof(*v), by_set);
	*files = vd_calloc(n + 1, sizeof(**files));
	for (size_t i = 0; i < n; i++)
		(*files)[i] = v[i].path;
	*nfiles = rc ? 0 : n;
	if (rc) {
		for (size_t i = 0; i < n; i++)
			free(v[i].path);
		free(*files);
		*files = NULL;
	}
	free(v);
	return rc;
}

void vd_log_files_free(char **files, size_t n)
{
	for (size_t i = 0; files && i < n; i++)
		free(files[i]);
	free(files);
}
