/*
 * Tokenizers over slices for the parsers: see lex.h.
 */
#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

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
slice_find(struct slice s, const char *needle)
{
	size_t n = strlen(needle);

	if (n == 0 || s.len < n)
		return NULL;
	return memmem(s.p, s.len, needle, n);
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

bool
lex_word(struct slice *rest, struct slice *word)
{
	const char *p = rest->p, *end = rest->p + rest->len;
	const char *start;

	if (p == NULL)
		return false;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end) {
		*rest = slice_make(end, 0);
		return false;
	}
	start = p;
	while (p < end && *p != ' ' && *p != '\t')
		p++;
	*word = slice_make(start, (size_t)(p - start));
	*rest = slice_make(p, (size_t)(end - p));
	return true;
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
lex_is_ip(struct slice s)
{
	char buf[64];
	unsigned char addr[16];
	const char *pct;

	if (s.len == 0 || s.len >= sizeof(buf))
		return false;
	memcpy(buf, s.p, s.len);
	buf[s.len] = '\0';
	if (memchr(buf, ':', s.len) == NULL)
		return inet_pton(AF_INET, buf, addr) == 1;
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

struct slice
lex_url_host(struct slice url, uint16_t *port, bool *has_port)
{
	const char *p = url.p, *end = url.p + url.len, *q;
	struct slice auth;
	bool scheme;

	*has_port = false;
	if (url.len == 0 || url.p[0] == '/')
		return SLICE_NULL;
	q = slice_find(url, "://");
	scheme = q != NULL;
	if (scheme) {
		p = q + 3;
	} else {
		/* Only a CONNECT authority "host:port" has no scheme. */
		const char *c = memchr(url.p, ':', url.len);

		if (c == NULL || memchr(url.p, '/', url.len) != NULL)
			return SLICE_NULL;
	}
	q = p;
	while (q < end && *q != '/' && *q != '?' && *q != '#')
		q++;
	auth = slice_make(p, (size_t)(q - p));
	/* Drop userinfo: "user:pass@host". */
	for (q = auth.p + auth.len; q > auth.p; q--) {
		if (q[-1] == '@') {
			auth.len -= (size_t)(q - auth.p);
			auth.p = q;
			break;
		}
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
	const char *dot = s.len ? memchr(s.p, '.', s.len) : NULL;
	struct slice sec = dot ? slice_make(s.p, (size_t)(dot - s.p)) : s;
	uint64_t v;
	const char *p, *end = s.p + s.len;
	int frac;

	if (sec.len < 9 || sec.len > 10 || !lex_u64(sec, &v))
		return false;
	p = sec.p + sec.len;
	if (dot != NULL && (size_t)(end - dot) < 2)
		return false;
	frac = fraction(&p, end);
	if (p != end)
		return false;
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
	static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

	if (s.len != 3)
		return 0;
	for (int i = 0; i < 12; i++)
		if (strncasecmp(s.p, names + 3 * i, 3) == 0)
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
