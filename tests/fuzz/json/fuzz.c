// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The JSON writer driven by random bytes: each byte picks a call (begin/end, key, string
 * of the following bytes, numbers, ...), misuse included. Whenever vd_json_finish()
 * reports success, what was written is a sequence of valid JSON documents, one per
 * top-level value; a string of arbitrary bytes is always valid JSON on its own.
 */
#include <math.h>

#include "../fuzz.h"
#include "vd_json.h"
#include "vd_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A sequence of documents, each ending its line when compact. */
static FUZZ_CHECKER bool seq_valid(const char *s, size_t n)
{
	struct jv v = { s, n, 0, 0 };

	for (;;) {
		jv_ws(&v);
		if (v.i == n)
			return true;
		if (!jv_value(&v))
			return false;
	}
}

static size_t take(const uint8_t *d, size_t n, size_t *i, void *out, size_t want)
{
	size_t k = n - *i < want ? n - *i : want;

	memset(out, 0, want);
	memcpy(out, d + *i, k);
	*i += k;
	return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_out o;
	struct vd_json *j;
	size_t i = 1;

	if (size == 0)
		return 0;
	fuzz_out_open(&o);
	j = vd_json_new(o.f, data[0] & 1);
	while (i < size) {
		uint8_t op = data[i++];
		size_t len = op >> 4; /* a short run of the following bytes */
		char *s;
		long long ll;
		double d;

		if (len > size - i)
			len = size - i;
		switch (op & 15) {
		case 0:
			vd_json_obj_begin(j);
			break;
		case 1:
			vd_json_obj_end(j);
			break;
		case 2:
			vd_json_arr_begin(j);
			break;
		case 3:
			vd_json_arr_end(j);
			break;
		case 4:
			s = vd_memdup0(data + i, len); /* a key stops at a NUL */
			vd_json_key(j, s);
			free(s);
			i += len;
			break;
		case 5:
			vd_json_strn(j, (const char *)data + i, len);
			i += len;
			break;
		case 6:
			take(data, size, &i, &ll, sizeof(ll));
			vd_json_int(j, ll);
			break;
		case 7:
			take(data, size, &i, &ll, sizeof(ll));
			vd_json_uint(j, (unsigned long long)ll);
			break;
		case 8:
			take(data, size, &i, &d, sizeof(d));
			vd_json_double(j, d, (int)len - 2);
			break;
		case 9:
			vd_json_bool(j, len & 1);
			break;
		case 10:
			vd_json_null(j);
			break;
		case 11:
			s = vd_memdup0(data + i, len);
			vd_json_kstrn(j, s, (const char *)data + i, len);
			free(s);
			i += len;
			break;
		case 12:
			take(data, size, &i, &ll, sizeof(ll));
			vd_json_kint_known(j, "k", ll);
			break;
		default:
			/* the rest of the input as one string: 4 KiB guest blobs */
			vd_json_strn(j, (const char *)data + i, size - i);
			i = size;
			break;
		}
	}
	if (vd_json_finish(j) == 0) {
		fflush(o.f);
		FUZZ_ASSERT(seq_valid(o.buf, o.len));
	}
	fuzz_out_close(&o);

	/* every byte string alone */
	fuzz_out_open(&o);
	j = vd_json_new(o.f, false);
	vd_json_strn(j, (const char *)data, size);
	FUZZ_ASSERT(vd_json_finish(j) == 0);
	fflush(o.f);
	FUZZ_ASSERT(fuzz_json_valid(o.buf, o.len) && o.len >= 3 && o.buf[o.len - 1] == '\n');
	/* and safe on a terminal: every control is escaped, C1 included */
	FUZZ_ASSERT(fuzz_text_safe(o.buf, o.len));
	fuzz_out_close(&o);
	return 0;
}
