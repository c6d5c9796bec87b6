// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --redact: MAC addresses, IPv4 and IPv6 addresses, UUIDs, and the words registered
 * (domain names, the hostname) become stable pseudonyms of the same shape, the same one
 * everywhere in the bundle, so that the analysis pairs and compares exactly as before.
 * Not redacted, because they identify nothing: loopback and unspecified addresses, netmasks
 * (255.x), the link-local MACs netback gives every backend (fe:ff:ff:ff:ff:ff), Domain-0.
 */
#include "vd_bundle.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "vd_util.h"

struct pair {
	char *from, *to;
	char kind; /* m mac, 4 ipv4, 6 ipv6, u uuid, w word */
};

struct vd_redact {
	struct pair *p;
	size_t n;
	unsigned count[5];
	char **words, **kinds; /* registered, longest first at use */
	size_t nwords;
};

struct vd_redact *vd_redact_new(void)
{
	return vd_calloc(1, sizeof(struct vd_redact));
}

void vd_redact_word(struct vd_redact *r, const char *word, const char *kind)
{
	if (strlen(word) < 3 || strcmp(word, "Domain-0") == 0)
		return; /* too short to be told from ordinary text, or the same on every host */
	for (size_t i = 0; i < r->nwords; i++)
		if (strcmp(r->words[i], word) == 0)
			return;
	r->words = vd_realloc(r->words, (r->nwords + 1) * sizeof(*r->words));
	r->kinds = vd_realloc(r->kinds, (r->nwords + 1) * sizeof(*r->kinds));
	r->words[r->nwords] = vd_strdup(word);
	r->kinds[r->nwords++] = vd_strdup(kind);
}

static char *lower(const char *s, size_t n)
{
	char *c = vd_strndup(s, n);

	for (char *p = c; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return c;
}

static unsigned next(struct vd_redact *r, int slot)
{
	return ++r->count[slot];
}

/* The pseudonym of an original (case-insensitive for the hex forms). */
static const char *pseudonym(struct vd_redact *r, char kind, const char *s, size_t n,
			     const char *wkind)
{
	char *key = kind == 'w' ? vd_strndup(s, n) : lower(s, n);
	char *to;
	unsigned k;

	for (size_t i = 0; i < r->n; i++)
		if (r->p[i].kind == kind && strcmp(r->p[i].from, key) == 0) {
			free(key);
			return r->p[i].to;
		}
	switch (kind) {
	case 'm': /* locally administered, unicast */
		k = next(r, 0);
		to = vd_asprintf("0a:00:00:%02x:%02x:%02x", (k >> 16) & 0xff, (k >> 8) & 0xff,
				 k & 0xff);
		break;
	case '4': /* 198.18.0.0/15, for benchmarks: no real host has it */
		k = next(r, 1);
		to = vd_asprintf("198.%u.%u.%u", 18 + ((k >> 16) & 1), (k >> 8) & 0xff, k & 0xff);
		break;
	case '6':
		to = vd_asprintf("fd00::%x", next(r, 2));
		break;
	case 'u':
		to = vd_asprintf("00000000-0000-4000-8000-%012x", next(r, 3));
		break;
	default:
		to = vd_asprintf("%s-%u", wkind, next(r, 4));
		break;
	}
	r->p = vd_realloc(r->p, (r->n + 1) * sizeof(*r->p));
	r->p[r->n].from = key;
	r->p[r->n].to = to;
	r->p[r->n++].kind = kind;
	return to;
}

static bool hexc(char c)
{
	return isxdigit((unsigned char)c);
}

static bool wordc(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* n hex digits at s */
static bool hexrun(const char *s, size_t len, size_t n)
{
	if (len < n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!hexc(s[i]))
			return false;
	return true;
}

static size_t match_uuid(const char *s, size_t len)
{
	static const size_t g[] = { 8, 4, 4, 4, 12 };
	size_t off = 0;

	for (int i = 0; i < 5; i++) {
		if (!hexrun(s + off, len - off, g[i]))
			return 0;
		off += g[i];
		if (i < 4 && (off >= len || s[off++] != '-'))
			return 0;
	}
	return off < len && hexc(s[off]) ? 0 : off;
}

static size_t match_mac(const char *s, size_t len)
{
	size_t off = 0;

	for (int i = 0; i < 6; i++) {
		if (!hexrun(s + off, len - off, 2))
			return 0;
		off += 2;
		if (i < 5 && (off >= len || s[off++] != ':'))
			return 0;
	}
	return off < len && (hexc(s[off]) || s[off] == ':') ? 0 : off;
}

static size_t match_ipv4(const char *s, size_t len, bool *keep)
{
	size_t off = 0;
	unsigned oct[4];

	for (int i = 0; i < 4; i++) {
		size_t d = 0;
		unsigned v = 0;

		while (off + d < len && d < 4 && isdigit((unsigned char)s[off + d]))
			v = v * 10 + (unsigned)(s[off + d++] - '0');
		if (d == 0 || d > 3 || v > 255)
			return 0;
		oct[i] = v;
		off += d;
		if (i < 3 && (off >= len || s[off++] != '.'))
			return 0;
	}
	if (off < len && (isdigit((unsigned char)s[off]) ||
			  (s[off] == '.' && off + 1 < len && isdigit((unsigned char)s[off + 1]))))
		return 0;
	*keep = oct[0] == 127 || oct[0] == 255 || (oct[0] | oct[1] | oct[2] | oct[3]) == 0;
	return off;
}

/* hex groups of 1-4 with ':' between; "::" once, or exactly eight groups */
static size_t match_ipv6(const char *s, size_t len, bool *keep)
{
	size_t off = 0, groups = 0, colons = 0;
	bool dbl = false;

	while (off < len) {
		size_t d = 0;

		while (off + d < len && d < 5 && hexc(s[off + d]))
			d++;
		if (d > 4)
			return 0;
		groups += d > 0;
		off += d;
		if (off < len && s[off] == ':') {
			if (off + 1 < len && s[off + 1] == ':') {
				if (dbl)
					return 0;
				dbl = true;
				off += 2;
				colons += 2;
				continue;
			}
			if (d == 0 && !(off >= 2 && s[off - 1] == ':'))
				return 0;
			if (!(off + 1 < len && hexc(s[off + 1])))
				break;
			off++;
			colons++;
			continue;
		}
		break;
	}
	if (off < len && (wordc(s[off]) || s[off] == ':'))
		return 0;
	if (!(dbl ? groups >= 1 && groups <= 7 : groups == 8 && colons == 7))
		return 0;
	*keep = (off == 2 && dbl) || (off == 3 && strncmp(s, "::1", 3) == 0);
	return off;
}

static bool boundary_before(const char *in, size_t i)
{
	return i == 0 || !wordc(in[i - 1]);
}

char *vd_redact_text(struct vd_redact *r, const char *in, size_t len, size_t *outlen)
{
	struct vd_buf b;
	size_t i = 0;

	vd_buf_init(&b);
	while (i < len) {
		size_t n = 0, left = len - i;
		const char *s = in + i;
		const char *to = NULL;
		bool keep = false;

		if (boundary_before(in, i) && hexc(*s)) {
			if ((n = match_uuid(s, left)))
				to = pseudonym(r, 'u', s, n, NULL);
			else if ((n = match_mac(s, left)))
				to = strncmp(s, "fe:ff:ff:ff:ff:ff", 17) == 0
					     ? (keep = true, NULL)
					     : pseudonym(r, 'm', s, n, NULL);
			else if (isdigit((unsigned char)*s) && (n = match_ipv4(s, left, &keep)))
				to = keep ? NULL : pseudonym(r, '4', s, n, NULL);
			else if ((n = match_ipv6(s, left, &keep)))
				to = keep ? NULL : pseudonym(r, '6', s, n, NULL);
		} else if (*s == ':' && boundary_before(in, i) && left > 1 && s[1] == ':' &&
			   (n = match_ipv6(s, left, &keep))) {
			to = keep ? NULL : pseudonym(r, '6', s, n, NULL);
		}
		for (size_t w = 0; !n && w < r->nwords && boundary_before(in, i); w++) {
			size_t wl = strlen(r->words[w]);

			if (wl <= left && memcmp(s, r->words[w], wl) == 0 &&
			    (wl == left || !wordc(s[wl]))) {
				n = wl;
				to = pseudonym(r, 'w', s, n, r->kinds[w]);
			}
		}
		if (n && to) {
			vd_buf_adds(&b, to);
			i += n;
		} else if (n) {
			vd_buf_add(&b, s, n);
			i += n;
		} else {
			/* skip the rest of a word: a match starts only at a boundary */
			size_t k = 1;

			while (wordc(s[0]) && k < left && wordc(s[k]))
				k++;
			vd_buf_add(&b, s, k);
			i += k;
		}
	}
	*outlen = b.len;
	return vd_buf_steal(&b);
}

static int longest_first(const void *a, const void *b)
{
	size_t x = strlen(*(char *const *)a), y = strlen(*(char *const *)b);

	return x < y ? 1 : x > y ? -1 : 0;
}

void vd_redact_members(struct vd_redact *r, struct vd_bwriter *w)
{
	/* a name that holds another ("web" in "web-db") must win: longest first */
	for (size_t i = 1; i < r->nwords; i++)
		for (size_t k = i; k > 0 && longest_first(&r->words[k - 1], &r->words[k]) > 0;
		     k--) {
			char *t = r->words[k];
			char *u = r->kinds[k];

			r->words[k] = r->words[k - 1];
			r->kinds[k] = r->kinds[k - 1];
			r->words[k - 1] = t;
			r->kinds[k - 1] = u;
		}
	for (size_t i = 0; i < w->n; i++) {
		struct vd_bmember *m = &w->m[i];
		size_t n;
		char *t;

		if (m->type != VD_M_DIR) {
			t = vd_redact_text(r, m->data, m->len, &n);
			free(m->data);
			m->data = t;
			m->len = n;
		}
		t = vd_redact_text(r, m->name, strlen(m->name), &n);
		free(m->name);
		m->name = t;
	}
}

void vd_redact_map(const struct vd_redact *r, struct vd_buf *out)
{
	for (size_t i = 0; i < r->n; i++)
		vd_buf_addf(out, "%s\t%s\n", r->p[i].from, r->p[i].to);
}

void vd_redact_free(struct vd_redact *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->p[i].from);
		free(r->p[i].to);
	}
	free(r->p);
	vd_strv_free(r->words, r->nwords);
	vd_strv_free(r->kinds, r->nwords);
	free(r);
}
