// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libxl facts as JSON and back (a bundle's libxl.json): what vd_xl_read said on the host
 * that made the bundle, so that the analysis elsewhere joins the same run states and NICs.
 * jansson does the JSON both ways.
 */
#include "vd_xl.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "vd_util.h"

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

char *vd_xl_to_json(const struct vd_xl *x)
{
	json_t *top = json_object(), *doms = json_array();
	char *text, *out;

	json_object_set_new(top, "available", json_boolean(!x->unavailable));
	json_object_set_new(top, "unavailable", str_or_null(x->unavailable));
	for (size_t i = 0; i < x->ndoms; i++) {
		const struct vd_xldom *d = &x->doms[i];
		json_t *jd = json_object(), *nics = json_array();

		json_object_set_new(jd, "domid", json_integer((json_int_t)d->domid));
		json_object_set_new(jd, "run", str_or_null(vd_run_name(d->run)));
		json_object_set_new(jd, "shutdown_reason", str_or_null(d->shutdown_reason));
		for (size_t k = 0; k < d->nnics; k++) {
			const struct vd_xlnic *n = &d->nics[k];
			json_t *jn = json_object();

			json_object_set_new(jn, "devid", json_integer((json_int_t)n->devid));
			json_object_set_new(jn, "mac", json_string(n->mac));
			json_object_set_new(jn, "bridge", str_or_null(n->bridge));
			json_object_set_new(jn, "backend_domid",
					    json_integer((json_int_t)n->backend_domid));
			json_array_append_new(nics, jn);
		}
		json_object_set_new(jd, "nics", nics);
		json_array_append_new(doms, jd);
	}
	json_object_set_new(top, "domains", doms);
	text = json_dumps(top, JSON_INDENT(1) | JSON_ENSURE_ASCII);
	json_decref(top);
	out = vd_strdup(text ? text : "{}");
	free(text);
	return out;
}

static enum vd_run run_of(const char *s)
{
	for (int r = VD_RUN_RUNNING; r <= VD_RUN_DYING; r++)
		if (s && strcmp(s, vd_run_name((enum vd_run)r)) == 0)
			return (enum vd_run)r;
	return VD_RUN_UNKNOWN;
}

static bool get_ulong(json_t *o, const char *key, unsigned long *v)
{
	json_t *j = json_object_get(o, key);

	if (!json_is_integer(j) || json_integer_value(j) < 0 ||
	    json_integer_value(j) > 0xffffffffLL)
		return false;
	*v = (unsigned long)json_integer_value(j);
	return true;
}

/* NULL for null or absent; false for another type */
static bool get_str(json_t *o, const char *key, const char **s)
{
	json_t *j = json_object_get(o, key);

	*s = json_is_string(j) ? json_string_value(j) : NULL;
	return !j || json_is_null(j) || json_is_string(j);
}

static bool valid_mac(const char *m)
{
	if (strlen(m) != 17)
		return false;
	for (int i = 0; i < 17; i++)
		if (i % 3 == 2 ? m[i] != ':' : !strchr("0123456789abcdefABCDEF", m[i]))
			return false;
	return true;
}

static int nic_cmp(const void *a, const void *b)
{
	unsigned long x = ((const struct vd_xlnic *)a)->devid,
		      y = ((const struct vd_xlnic *)b)->devid;

	return x < y ? -1 : x > y;
}

static int dom_cmp(const void *a, const void *b)
{
	unsigned long x = ((const struct vd_xldom *)a)->domid,
		      y = ((const struct vd_xldom *)b)->domid;

	return x < y ? -1 : x > y;
}

static const char *load_nics(json_t *jd, struct vd_xldom *d)
{
	json_t *nics = json_object_get(jd, "nics");
	size_t n = json_array_size(nics);

	if (!json_is_array(nics))
		return "a domain without a \"nics\" array";
	d->nics = vd_calloc(n ? n : 1, sizeof(*d->nics));
	for (size_t k = 0; k < n; k++) {
		json_t *jn = json_array_get(nics, k);
		struct vd_xlnic *o = &d->nics[d->nnics];
		const char *mac, *bridge;

		if (!json_is_object(jn) || !get_ulong(jn, "devid", &o->devid) ||
		    !get_ulong(jn, "backend_domid", &o->backend_domid) ||
		    !get_str(jn, "mac", &mac) || !mac || !valid_mac(mac) ||
		    !get_str(jn, "bridge", &bridge))
			return "a NIC without devid, backend_domid and mac aa:bb:cc:dd:ee:ff";
		memcpy(o->mac, mac, sizeof(o->mac));
		o->bridge = bridge ? vd_strdup(bridge) : NULL;
		d->nnics++;
	}
	qsort(d->nics, d->nnics, sizeof(*d->nics), nic_cmp);
	return NULL;
}

static const char *load(json_t *top, struct vd_xl *x)
{
	json_t *doms = json_object_get(top, "domains");
	const char *why;
	size_t n;

	if (!json_is_object(top) || !json_is_boolean(json_object_get(top, "available")) ||
	    !get_str(top, "unavailable", &why))
		return "an object with \"available\" and \"unavailable\"";
	if (!json_is_true(json_object_get(top, "available"))) {
		x->unavailable = vd_strdup(why ? why : "libxl was unavailable");
		return NULL;
	}
	if (!json_is_array(doms))
		return "a \"domains\" array";
	n = json_array_size(doms);
	x->doms = vd_calloc(n ? n : 1, sizeof(*x->doms));
	for (size_t i = 0; i < n; i++) {
		json_t *jd = json_array_get(doms, i);
		struct vd_xldom *d = &x->doms[x->ndoms++];
		const char *run, *reason, *bad;

		if (!json_is_object(jd) || !get_ulong(jd, "domid", &d->domid) ||
		    !get_str(jd, "run", &run) || !get_str(jd, "shutdown_reason", &reason))
			return "a domain with domid, run and shutdown_reason";
		d->run = run_of(run);
		d->shutdown_reason = reason ? vd_strdup(reason) : NULL;
		if ((bad = load_nics(jd, d)))
			return bad;
	}
	qsort(x->doms, x->ndoms, sizeof(*x->doms), dom_cmp);
	return NULL;
}

struct vd_xl *vd_xl_from_json(const char *buf, size_t len, const char *name, struct vd_err *err)
{
	struct vd_xl *x = vd_calloc(1, sizeof(*x));
	json_error_t je;
	json_t *top = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	const char *bad;

	if (!top) {
		vd_err_set(err, VD_EXIT_SOURCE, "%s:%d: expected JSON: %s", name, je.line, je.text);
		vd_xl_free(x);
		return NULL;
	}
	bad = load(top, x);
	json_decref(top);
	if (bad) {
		vd_err_set(err, VD_EXIT_SOURCE, "%s: expected libxl facts: %s", name, bad);
		vd_xl_free(x);
		return NULL;
	}
	return x;
}
