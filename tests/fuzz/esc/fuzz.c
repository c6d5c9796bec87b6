// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The terminal escaper fed random bytes: what vd_esc_text and vd_esc_text_composed give a
 * terminal holds no raw control byte, no C1 control and no invalid UTF-8, and respects
 * its column cap; vd_esc_xsls output is printable ASCII that vd_unesc_xsls turns back into
 * the input.
 */
#include "../fuzz.h"
#include "vd_esc.h"
#include "vd_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct vd_buf b, back;
	size_t max = size ? data[0] % 64 : 0, bad = 0;

	vd_buf_init(&b);
	vd_buf_init(&back);

	vd_esc_text(&b, s, size, 0);
	FUZZ_ASSERT(fuzz_text_safe(b.data, b.len) && !memchr(b.data, '\n', b.len));

	/* capped: max columns of at most 4 bytes each, plus the "...(+N bytes)" tail */
	vd_buf_reset(&b);
	vd_esc_text(&b, s, size, max);
	FUZZ_ASSERT(fuzz_text_safe(b.data, b.len));
	FUZZ_ASSERT(max == 0 || b.len <= 4 * max + 40);

	vd_buf_reset(&b);
	vd_esc_text_composed(&b, s, size);
	FUZZ_ASSERT(fuzz_text_safe(b.data, b.len) && !memchr(b.data, '\n', b.len));

	vd_buf_reset(&b);
	vd_esc_xsls(&b, s, size);
	for (size_t i = 0; i < b.len; i++)
		FUZZ_ASSERT(b.data[i] >= ' ' && b.data[i] <= '~');
	FUZZ_ASSERT(vd_unesc_xsls(&back, b.data, b.len, &bad));
	FUZZ_ASSERT(back.len == size && (size == 0 || memcmp(back.data, s, size) == 0));

	/* the strict reverse on arbitrary bytes: never reads outside, reports a bad offset */
	vd_buf_reset(&back);
	if (!vd_unesc_xsls(&back, s, size, &bad))
		FUZZ_ASSERT(bad < size && s[bad] == '\\');

	vd_buf_free(&b);
	vd_buf_free(&back);
	return 0;
}
