/*
 * Tokenizers over slices for the parsers: see lex.h.
 */
#include <arpa/inet.h>
#include <string.h>
#include <strings.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "arena.h"
#include "lex.h"

bool
slice_eq(struct slice s, const char *lit)
{
	size_t n = strlen(lit);

	return s.len == n && (n == 0 || memcmp(s.p, lit, n) == 0);
}

bool
slice_ieq(struct slice s, const char *lit)
{
	size_t n = strlen(lit);

	return s.len == n && (n == 0 || strncasecmp(s.p, lit, n) == 0);
}

bool
slice_starts(struct slice s, const char *lit)
{
	size_t n = strlen(lit);

	return s.len >= n && memcmp(s.p, lit, n) == 0;
}

const char *
slice_find_n(struct slice s, const char *needle, size_t n)
{
	const char *p = s.p, *last;

	if (n == 0 || s.len < n)
		return NULL;
	/* Needles are short words: memchr for the first byte beats memmem's
	 * set-up, which showed in the profile. */
	last = s.p + s.len - n;
	while (p <= last &&
	       (p = memchr(p, needle[0], (size_t)(last - p) + 1)) != NULL) {
		size_t i = 1;

		/* Needles are a few bytes: no memcmp call. */
		while (i < n && p[i] == needle[i])
			i++;
		if (i == n)
			return p;
		p++;
	}
	return NULL;
}

bool
slice_is_empty_value(struct slice s)
{
	return s.len == 0 || slice_eq(s, "-") || slice_eq(s, "\"\"") ||
	       slice_eq(s, "N/A") || slice_eq(s, "None") || slice_eq(s, "NA");
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

struct slice
slice_no_bom(struct slice s)
{
	if (s.len >= 3 && memcmp(s.p, "\xef\xbb\xbf", 3) == 0)
		return slice_make(s.p + 3, s.len - 3);
	return s;
}

struct slice
slice_trim(struct slice s)
{
	while (s.len > 0 && is_blank(s.p[0])) {
		s.p++;
		s.len--;
	}
	while (s.len > 0 && is_blank(s.p[s.len - 1]))
		s.len--;
	return s;
}

struct slice
slice_unquote(struct slice s)
{
	if (s.len >= 2 && s.p[0] == '"' && s.p[s.len - 1] == '"')
		return slice_make(s.p + 1, s.len - 2);
	return s;
}

bool
lex_field(struct slice *rest, char sep, struct slice *field)
{
	const char *q;

	if (rest->p == NULL)
		return false;
	q = memchr(rest->p, sep, rest->len);
	if (q == NULL) {
		*field = *rest;
		*rest = SLICE_NULL;
		return true;
	}
	*field = slice_make(rest->p, (size_t)(q - rest->p));
	rest->len -= (size_t)(q - rest->p) + 1;
	rest->p = q + 1;
	return true;
}

/*
 * The high bit of each byte of v that is a space or a tab, and no other:
 * the exact zero-byte test (no borrow between bytes) on v ^ ' ' and v ^ '\t'.
 */
static inline uint64_t
blank_mask8(uint64_t v)
{
	const uint64_t lo7 = 0x7f7f7f7f7f7f7f7full;
	uint64_t s = v ^ 0x2020202020202020ull, t = v ^ 0x0909090909090909ull;

	s = ~(((s & lo7) + lo7) | s | lo7);
	t = ~(((t & lo7) + lo7) | t | lo7);
	return s | t;
}

/* The next word from *pp (see lex_word); *pp moves past it. */
static inline bool
next_word(const char **pp, const char *end, struct slice *word)
{
	const char *p = *pp, *start;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end) {
		*pp = end;
		return false;
	}
	start = p;
#if defined(__SSE2__)
	/* Sixteen bytes at a time: the first blank is the lowest bit set. */
	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		unsigned m = (unsigned)_mm_movemask_epi8(
		    _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')),
		                 _mm_cmpeq_epi8(v, _mm_set1_epi8('\t'))));

		if (m != 0) {
			p += __builtin_ctz(m);
			goto found;
		}
		p += 16;
	}
#endif
#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* Eight bytes at a time: the first blank is the lowest bit set. */
	while (end - p >= 8) {
		uint64_t v, m;

		memcpy(&v, p, 8);
		if ((m = blank_mask8(v)) != 0) {
			p += __builtin_ctzll(m) >> 3;
			goto found;
		}
		p += 8;
	}
#endif
	while (p < end && *p != ' ' && *p != '\t')
		p++;
#if defined(__SSE2__) ||                                                       \
    (defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)
found:
#endif
	*word = slice_make(start, (size_t)(p - start));
	*pp = p;
	return true;
}

bool
lex_word(struct slice *rest, struct slice *word)
{
	const char *p = rest->p, *end = rest->p + rest->len;
	bool r;

	if (p == NULL)
		return false;
	r = next_word(&p, end, word);
	*rest = slice_make(p, (size_t)(end - p));
	return r;
}

size_t
lex_words(struct slice *rest, struct slice *w, size_t n)
{
	const char *p = rest->p, *end = rest->p + rest->len;
	size_t i = 0;

	if (p == NULL)
		return 0;
	while (i < n && next_word(&p, end, &w[i]))
		i++;
	*rest = slice_make(p, (size_t)(end - p));
	return i;
}

bool
lex_qword(struct slice *rest, struct slice *word)
{
	const char *p = rest->p, *end = rest->p + rest->len;
	const char *start;

	if (p == NULL)
		return false;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p != '"')
		return lex_word(rest, word);
	start = ++p;
	while (p < end && *p != '"') {
		if (*p == '\\' && p + 1 < end)
			p++;
		p++;
	}
	if (p == end)
		return false;
	*word = slice_make(start, (size_t)(p - start));
	p++;
	*rest = slice_make(p, (size_t)(end - p));
	return true;
}

bool
lex_kv(struct slice *rest, struct slice *key, struct slice *val, bool *quoted)
{
	const char *p = rest->p, *end = rest->p + rest->len, *k, *eq;

	if (p == NULL)
		return false;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end)
		return false;
	k = p;
	while (p < end && *p != '=' && *p != ' ' && *p != '\t')
		p++;
	if (p == end || *p != '=' || p == k)
		return false;
	eq = p++;
	*key = slice_make(k, (size_t)(eq - k));
	*quoted = p < end && *p == '"';
	if (*quoted) {
		const char *v = ++p;

		while (p < end && *p != '"') {
			if (*p == '\\' && p + 1 < end)
				p++;
			p++;
		}
		if (p == end)
			return false;
		*val = slice_make(v, (size_t)(p - v));
		p++;
	} else {
		const char *v = p;

		while (p < end && *p != ' ' && *p != '\t')
			p++;
		*val = slice_make(v, (size_t)(p - v));
	}
	*rest = slice_make(p, (size_t)(end - p));
	return true;
}

bool
lex_csv(struct slice *rest, char sep, struct slice *field, bool *quoted)
{
	const char *p = rest->p, *end = rest->p + rest->len, *v;

	if (p == NULL)
		return false;
	*quoted = p < end && *p == '"';
	if (!*quoted)
		return lex_field(rest, sep, field);
	v = ++p;
	for (;;) {
		if (p == end)
			return false;
		if (*p == '\\' && p + 1 < end && p[1] == '"') {
			p += 2;
			continue;
		}
		if (*p == '"') {
			if (p + 1 < end && p[1] == '"') {
				p += 2;
				continue;
			}
			break;
		}
		p++;
	}
	*field = slice_make(v, (size_t)(p - v));
	p++;
	/* Whatever follows the closing quote up to the separator is dropped. */
	while (p < end && *p != sep)
		p++;
	if (p == end)
		*rest = SLICE_NULL;
	else
		*rest = slice_make(p + 1, (size_t)(end - p - 1));
	return true;
}

struct slice
lex_csv_unescape(struct slice s, struct arena *a)
{
	char *d;
	size_t n = 0;

	if (slice_find(s, "\"\"") == NULL && slice_find(s, "\\\"") == NULL)
		return s;
	if ((d = arena_alloc(a, s.len)) == NULL)
		return SLICE_NULL;
	for (size_t i = 0; i < s.len; i++) {
		if ((s.p[i] == '"' || s.p[i] == '\\') && i + 1 < s.len &&
		    s.p[i + 1] == '"')
			i++;
		d[n++] = s.p[i];
	}
	return slice_make(d, n);
}

bool
lex_u64(struct slice s, uint64_t *v)
{
	uint64_t n = 0;
	size_t i;

	if (s.len == 0 || s.len > 20)
		return false;
	for (i = 0; i < s.len; i++) {
		unsigned d = (unsigned char)s.p[i] - '0';

		if (d > 9 || n > (UINT64_MAX - d) / 10)
			return false;
		n = n * 10 + d;
	}
	*v = n;
	return true;
}

bool
lex_port(struct slice s, uint16_t *v)
{
	uint64_t n;

	if (!lex_u64(s, &n) || n > 65535)
		return false;
	*v = (uint16_t)n;
	return true;
}

bool
lex_ipv4(struct slice s, unsigned char a[4])
{
	const char *p = s.p, *end = s.p + s.len;

	if (s.len < 7 || s.len > 15)
		return false;
	/* As inet_pton: 1-3 digits, no leading zero, at most 255. */
	for (int i = 0; i < 4; i++) {
		unsigned v, d;

		if (i > 0 && (p == end || *p++ != '.'))
			return false;
		if (p == end || (v = (unsigned)(*p - '0')) > 9)
			return false;
		p++;
		if (p < end && (d = (unsigned)(*p - '0')) <= 9) {
			if (v == 0)
				return false;
			v = v * 10 + d;
			p++;
			if (p < end && (d = (unsigned)(*p - '0')) <= 9) {
				v = v * 10 + d;
				p++;
				if (v > 255)
					return false;
			}
		}
		a[i] = (unsigned char)v;
	}
	return p == end;
}

bool
lex_is_ip(struct slice s)
{
	char buf[64];
	unsigned char addr[16];
	const char *pct;

	if (s.len == 0 || s.len >= sizeof(buf))
		return false;
	if (lex_ipv4(s, addr))
		return true;
	if (memchr(s.p, ':', s.len) == NULL)
		return false;
	memcpy(buf, s.p, s.len);
	buf[s.len] = '\0';
	/* An IPv6 zone id ("fe80::1%eth0", "::1%0") is not an address part. */
	if ((pct = strchr(buf, '%')) != NULL)
		buf[pct - buf] = '\0';
	return inet_pton(AF_INET6, buf, addr) == 1;
}

struct slice
lex_hostport(struct slice s, uint16_t *port, bool *has_port)
{
	const char *colon;
	struct slice host = s, ps;

	*has_port = false;
	if (s.len > 0 && s.p[0] == '[') {
		const char *rb = memchr(s.p, ']', s.len);

		if (rb == NULL)
			return SLICE_NULL;
		host = slice_make(s.p + 1, (size_t)(rb - s.p - 1));
		ps = slice_make(rb + 1, (size_t)(s.p + s.len - rb - 1));
		if (ps.len > 1 && ps.p[0] == ':') {
			ps.p++;
			ps.len--;
			*has_port = lex_port(ps, port);
		}
		return host;
	}
	colon = memchr(s.p, ':', s.len);
	if (colon == NULL)
		return s;
	/* Two colons or more and no brackets: a bare IPv6 literal. */
	if (memchr(colon + 1, ':', (size_t)(s.p + s.len - colon - 1)) != NULL)
		return s;
	host = slice_make(s.p, (size_t)(colon - s.p));
	ps = slice_make(colon + 1, (size_t)(s.p + s.len - colon - 1));
	*has_port = lex_port(ps, port);
	return host;
}

/* 1: ends a URL's authority; 2: ends its userinfo. */
static const unsigned char url_auth_class[256] = {
    ['/'] = 1, ['?'] = 1, ['#'] = 1, ['@'] = 2};

struct slice
lex_url_host(struct slice url, uint16_t *port, bool *has_port)
{
	return lex_url_parts(url, NULL, port, has_port);
}

struct slice
lex_url_parts(struct slice url, struct slice *scheme_out, uint16_t *port,
              bool *has_port)
{
	const char *p = url.p, *end = url.p + url.len, *q, *at = NULL;
	struct slice auth;
	bool scheme;

	*has_port = false;
	if (url.len == 0 || url.p[0] == '/') {
		if (scheme_out != NULL) {
			q = slice_find(url, "://");
			*scheme_out = q ? slice_make(url.p, (size_t)(q - url.p))
			                : SLICE_NULL;
		}
		return SLICE_NULL;
	}
	q = slice_find(url, "://");
	scheme = q != NULL;
	if (scheme_out != NULL)
		*scheme_out = scheme ? slice_make(url.p, (size_t)(q - url.p))
		                     : SLICE_NULL;
	if (scheme) {
		p = q + 3;
	} else {
		/* Only a CONNECT authority "host:port" has no scheme. */
		const char *c = memchr(url.p, ':', url.len);

		if (c == NULL || memchr(url.p, '/', url.len) != NULL)
			return SLICE_NULL;
	}
	/* The authority runs to '/', '?' or '#'; userinfo ("user:pass@")
	 * ends at its last '@'.  A table: every proxy line's URL runs here. */
	for (q = p; q < end; q++) {
		unsigned char c = url_auth_class[(unsigned char)*q];

		if (c == 1)
			break;
		if (c == 2)
			at = q;
	}
	auth = slice_make(p, (size_t)(q - p));
	if (at != NULL) {
		auth.len -= (size_t)(at + 1 - auth.p);
		auth.p = at + 1;
	}
	{
		struct slice host = lex_hostport(auth, port, has_port);

		/* "error:transaction-end-before-headers" is no authority. */
		if (!scheme && !*has_port)
			return SLICE_NULL;
		return host;
	}
}

/* Howard Hinnant's days_from_civil. */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int64_t
time_make(int y, int mon, int d, int h, int mi, int s, int ms)
{
	int64_t days = days_from_civil(y, (unsigned)mon, (unsigned)d);

	return ((days * 86400) + h * 3600 + mi * 60 + s) * 1000 + ms;
}

/* Read exactly n digits at *p; false if fewer. */
static bool
digits(const char **p, const char *end, int n, int *v)
{
	int x = 0;

	if (end - *p < n)
		return false;
	for (int i = 0; i < n; i++) {
		unsigned c = (unsigned char)(*p)[i] - '0';

		if (c > 9)
			return false;
		x = x * 10 + (int)c;
	}
	*p += n;
	*v = x;
	return true;
}

static bool
valid_date(int y, int mon, int d, int h, int mi, int s)
{
	return y >= 1970 && y <= 9999 && mon >= 1 && mon <= 12 && d >= 1 &&
	       d <= 31 && h <= 23 && mi <= 59 && s <= 60;
}

/* Optional fraction ".123456789": milliseconds of it. */
static int
fraction(const char **p, const char *end)
{
	int ms = 0, n = 0;

	if (*p >= end || (**p != '.' && **p != ','))
		return 0;
	(*p)++;
	while (*p < end && (unsigned)(**p - '0') <= 9) {
		if (n < 3)
			ms = ms * 10 + (**p - '0');
		n++;
		(*p)++;
	}
	for (; n < 3; n++)
		ms *= 10;
	return ms;
}

/* Zone "Z", "+01:00", "+0100", "-05"; sets offset in minutes. */
static bool
zone(const char **p, const char *end, int *off)
{
	int sign, hh, mm = 0;

	*off = 0;
	if (*p == end)
		return true;
	if (**p == 'Z' || **p == 'z') {
		(*p)++;
		return true;
	}
	if (**p != '+' && **p != '-')
		return false;
	sign = **p == '-' ? -1 : 1;
	(*p)++;
	if (!digits(p, end, 2, &hh))
		return false;
	if (*p < end && **p == ':')
		(*p)++;
	if (*p < end && !digits(p, end, 2, &mm))
		return false;
	if (hh > 23 || mm > 59)
		return false;
	*off = sign * (hh * 60 + mm);
	return true;
}

bool
time_epoch(struct slice s, int64_t *ms)
{
	const char *p = s.p, *end = s.p + s.len;
	uint64_t v = 0;
	size_t nd = 0;
	unsigned d;
	int frac = 0;

	/* 9 or 10 digits of seconds, then optionally '.' and digits. */
	while (p < end && (d = (unsigned)(*p - '0')) <= 9) {
		if (++nd > 10)
			return false;
		v = v * 10 + d;
		p++;
	}
	if (nd < 9)
		return false;
	if (p < end) {
		if (*p != '.' || end - p < 2)
			return false;
		frac = fraction(&p, end);
		if (p != end)
			return false;
	}
	*ms = (int64_t)v * 1000 + frac;
	return true;
}

bool
time_iso(struct slice s, int64_t *ms)
{
	const char *p = s.p, *end = s.p + s.len;
	int y, mon, d, h, mi, sec, off, frac;

	if (!digits(&p, end, 4, &y) || p == end || *p++ != '-' ||
	    !digits(&p, end, 2, &mon) || p == end || *p++ != '-' ||
	    !digits(&p, end, 2, &d) || p == end || (*p != 'T' && *p != ' '))
		return false;
	p++;
	if (!digits(&p, end, 2, &h) || p == end || *p++ != ':' ||
	    !digits(&p, end, 2, &mi) || p == end || *p++ != ':' ||
	    !digits(&p, end, 2, &sec))
		return false;
	frac = fraction(&p, end);
	if (!zone(&p, end, &off) || p != end)
		return false;
	if (!valid_date(y, mon, d, h, mi, sec))
		return false;
	*ms = time_make(y, mon, d, h, mi, sec, frac) - (int64_t)off * 60000;
	return true;
}

int
time_month(struct slice s)
{
	/* The names in lower case, three bytes in a word: one compare each
	 * (every syslog header check asks, on every line). */
#define M(a, b, c) ((uint32_t)(a) << 16 | (uint32_t)(b) << 8 | (uint32_t)(c))
	static const uint32_t names[12] = {
	    M('j', 'a', 'n'), M('f', 'e', 'b'), M('m', 'a', 'r'),
	    M('a', 'p', 'r'), M('m', 'a', 'y'), M('j', 'u', 'n'),
	    M('j', 'u', 'l'), M('a', 'u', 'g'), M('s', 'e', 'p'),
	    M('o', 'c', 't'), M('n', 'o', 'v'), M('d', 'e', 'c')};
	uint32_t k;

	if (s.len != 3 || !((s.p[0] | 0x20) >= 'a' && (s.p[0] | 0x20) <= 'z'))
		return 0;
	k = M((unsigned char)(s.p[0] | 0x20), (unsigned char)(s.p[1] | 0x20),
	      (unsigned char)(s.p[2] | 0x20));
#undef M
	for (int i = 0; i < 12; i++)
		if (names[i] == k)
			return i + 1;
	return 0;
}

bool
time_clf(struct slice s, int64_t *ms)
{
	const char *p = s.p, *end = s.p + s.len;
	int y, mon, d, h, mi, sec, off = 0;

	if (!digits(&p, end, 2, &d) || p == end || *p++ != '/')
		return false;
	if (end - p < 4 || (mon = time_month(slice_make(p, 3))) == 0)
		return false;
	p += 3;
	if (p == end || *p++ != '/' || !digits(&p, end, 4, &y) || p == end ||
	    *p++ != ':' || !digits(&p, end, 2, &h) || p == end || *p++ != ':' ||
	    !digits(&p, end, 2, &mi) || p == end || *p++ != ':' ||
	    !digits(&p, end, 2, &sec))
		return false;
	if (p < end) {
		if (*p++ != ' ' || !zone(&p, end, &off) || p != end)
			return false;
	}
	if (!valid_date(y, mon, d, h, mi, sec))
		return false;
	*ms = time_make(y, mon, d, h, mi, sec, 0) - (int64_t)off * 60000;
	return true;
}
