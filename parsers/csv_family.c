/*
 * Shared tokenizers of the CSV family: see csv_family.h.
 */
#include <string.h>

#include "arena.h"
#include "csv_family.h"
#include "lex.h"

/* A field wrapped in \"...\": runs to the \" followed by ',' or the end. */
static bool
csvf_bsquoted(struct slice *rest, struct slice *field)
{
	const char *p = rest->p + 2, *end = rest->p + rest->len;

	for (; p + 1 < end; p++) {
		if (p[0] != '\\' || p[1] != '"')
			continue;
		if (p + 2 == end || p[2] == ',') {
			*field =
			    slice_make(rest->p + 2, (size_t)(p - rest->p - 2));
			if (p + 2 == end)
				*rest = SLICE_NULL;
			else
				*rest =
				    slice_make(p + 3, (size_t)(end - p - 3));
			return true;
		}
	}
	return false;
}

size_t
csvf_split(struct slice line, struct slice *f, bool *q, size_t max)
{
	struct slice rest = line;
	size_t n = 0;

	while (n < max && rest.p != NULL) {
		bool quoted = false;

		if (rest.len >= 2 && rest.p[0] == '\\' && rest.p[1] == '"' &&
		    csvf_bsquoted(&rest, &f[n]))
			quoted = true;
		else if (!lex_csv(&rest, ',', &f[n], &quoted))
			break;
		if (q != NULL)
			q[n] = quoted;
		n++;
	}
	return n;
}

struct slice
csvf_value(struct slice f, bool quoted, struct arena *a)
{
	if (quoted)
		f = lex_csv_unescape(f, a);
	if (slice_is_empty_value(f) || slice_trim(f).len == 0)
		return SLICE_NULL;
	return f;
}

static const char *
json_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' ||
	                   *p == '\n' || *p == ',' || *p == '}'))
		p++;
	return p;
}

/* p at an opening quote; returns the closing quote or NULL. */
static const char *
json_strend(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '"')
			return p;
	}
	return NULL;
}

bool
jsonf_next(struct slice *rest, struct slice *key, struct slice *val, char *kind)
{
	const char *p = rest->p, *end, *q;

	if (p == NULL)
		return false;
	end = p + rest->len;
	p = json_ws(p, end);
	if (p < end && *p == '{')
		p = json_ws(p + 1, end);
	if (p >= end || *p != '"' || (q = json_strend(p, end)) == NULL)
		return false;
	*key = slice_make(p + 1, (size_t)(q - p - 1));
	p = q + 1;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p >= end || *p != ':')
		return false;
	p++;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p >= end)
		return false;
	if (*p == '"') {
		if ((q = json_strend(p, end)) == NULL)
			return false;
		*val = slice_make(p + 1, (size_t)(q - p - 1));
		*kind = '"';
		p = q + 1;
	} else if (*p == '{') {
		*val = slice_make(p, 0);
		*kind = '{';
		p++;
	} else if (*p == '[') {
		int depth = 0;

		for (q = p; q < end; q++) {
			if (*q == '"') {
				if ((q = json_strend(q, end)) == NULL)
					return false;
			} else if (*q == '[' || *q == '{')
				depth++;
			else if ((*q == ']' || *q == '}') && --depth == 0)
				break;
		}
		if (q >= end)
			return false;
		*val = slice_make(p, (size_t)(q + 1 - p));
		*kind = '[';
		p = q + 1;
	} else {
		for (q = p; q < end && *q != ',' && *q != '}' && *q != ' '; q++)
			;
		*val = slice_make(p, (size_t)(q - p));
		*kind = '0';
		p = q;
	}
	*rest = slice_make(p, (size_t)(end - p));
	return true;
}

struct slice
jsonf_unescape(struct slice s, struct arena *a)
{
	char *d;
	size_t n = 0;

	if (s.len == 0 || memchr(s.p, '\\', s.len) == NULL)
		return s;
	if ((d = arena_alloc(a, s.len)) == NULL)
		return SLICE_NULL;
	for (size_t i = 0; i < s.len; i++) {
		char c = s.p[i];

		if (c == '\\' && i + 1 < s.len) {
			c = s.p[++i];
			switch (c) {
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case 'r':
				c = '\r';
				break;
			case 'b':
				c = '\b';
				break;
			case 'f':
				c = '\f';
				break;
			case 'u':
				/* Not needed for hosts and addresses: keep a
				 * placeholder rather than decode UTF-16. */
				c = '?';
				i += (i + 4 < s.len) ? 4 : s.len - 1 - i;
				break;
			default: /* '"', '\\', '/' stand for themselves */
				break;
			}
		}
		d[n++] = c;
	}
	return slice_make(d, n);
}

struct slice
csvf_url_host(struct slice url, uint16_t *port, bool *has_port)
{
	const char *p = url.p, *end = url.p + url.len, *h, *e, *at;
	struct slice host;

	*has_port = false;
	if (url.len == 0 || *p == '/')
		return SLICE_NULL;
	{
		const char *sep = slice_find(url, "://");

		if (sep != NULL)
			p = sep + 3;
	}
	/* The authority ends at the path, query or fragment. */
	for (e = p; e < end && *e != '/' && *e != '?' && *e != '#'; e++)
		;
	at = NULL;
	for (h = p; h < e; h++)
		if (*h == '@')
			at = h;
	if (at != NULL)
		p = at + 1;
	if (p < e && *p == '[') {
		const char *rb = memchr(p, ']', (size_t)(e - p));

		if (rb == NULL)
			return SLICE_NULL;
		host = slice_make(p + 1, (size_t)(rb - p - 1));
		h = rb + 1;
	} else {
		const char *c = memchr(p, ':', (size_t)(e - p));

		if (c != NULL && memchr(c + 1, ':', (size_t)(e - c - 1)))
			return slice_make(p, (size_t)(e - p)); /* bare IPv6 */
		h = c != NULL ? c : e;
		host = slice_make(p, (size_t)(h - p));
	}
	if (h < e && *h == ':' &&
	    lex_port(slice_make(h + 1, (size_t)(e - h - 1)), port))
		*has_port = true;
	return host;
}

bool
csvf_digits(struct slice s)
{
	if (s.len == 0)
		return false;
	for (size_t i = 0; i < s.len; i++)
		if ((unsigned)(s.p[i] - '0') > 9)
			return false;
	return true;
}

/* Read 1..maxd digits at *i of s. */
static bool
num(struct slice s, size_t *i, int maxd, int *v)
{
	int n = 0, k = 0;

	while (*i < s.len && k < maxd && (unsigned)(s.p[*i] - '0') <= 9) {
		n = n * 10 + (s.p[*i] - '0');
		(*i)++;
		k++;
	}
	*v = n;
	return k > 0;
}

static bool
expect(struct slice s, size_t *i, char c)
{
	if (*i < s.len && s.p[*i] == c) {
		(*i)++;
		return true;
	}
	return false;
}

static bool
valid_date(int y, int mo, int d)
{
	return y >= 1970 && y <= 9999 && mo >= 1 && mo <= 12 && d >= 1 &&
	       d <= 31;
}

bool
csvf_clock(struct slice s, int *sec)
{
	size_t i = 0;
	int h, mi, se = 0;

	s = slice_trim(s);
	if (!num(s, &i, 2, &h) || !expect(s, &i, ':') || !num(s, &i, 2, &mi))
		return false;
	if (expect(s, &i, ':') && !num(s, &i, 2, &se))
		return false;
	/* Fractions of a second are dropped. */
	if (expect(s, &i, '.'))
		while (i < s.len && (unsigned)(s.p[i] - '0') <= 9)
			i++;
	if (i < s.len) {
		struct slice ampm = slice_trim(slice_make(s.p + i, s.len - i));

		if (slice_ieq(ampm, "PM") && h >= 1 && h <= 12)
			h = h % 12 + 12;
		else if (slice_ieq(ampm, "AM") && h >= 1 && h <= 12)
			h %= 12;
		else
			return false;
	}
	if (h > 23 || mi > 59 || se > 60)
		return false;
	*sec = h * 3600 + mi * 60 + se;
	return true;
}

bool
csvf_time_ymd(struct slice s, int64_t *ms)
{
	size_t i = 0;
	int y, mo, d, sec;
	char sep;

	if (s.len != 19 || !num(s, &i, 4, &y) || i != 4)
		return false;
	sep = s.p[4];
	if ((sep != '/' && sep != '-') || !expect(s, &i, sep) ||
	    !num(s, &i, 2, &mo) || !expect(s, &i, sep) || !num(s, &i, 2, &d) ||
	    !expect(s, &i, ' ') || !valid_date(y, mo, d) ||
	    !csvf_clock(slice_make(s.p + i, s.len - i), &sec))
		return false;
	*ms = time_make(y, mo, d, 0, 0, sec, 0);
	return true;
}

bool
csvf_time_ctime(struct slice s, int64_t *ms)
{
	struct slice r = s, w;
	int mo, d, y, sec;
	size_t i = 0;

	if (!lex_word(&r, &w) || w.len != 3 || !lex_word(&r, &w) ||
	    (mo = time_month(w)) == 0 || !lex_word(&r, &w) ||
	    !num(w, &i, 2, &d) || i != w.len || !lex_word(&r, &w) ||
	    !csvf_clock(w, &sec) || !lex_word(&r, &w) || w.len != 4)
		return false;
	i = 0;
	if (!num(w, &i, 4, &y) || i != 4 || !valid_date(y, mo, d) ||
	    slice_trim(r).len != 0)
		return false;
	*ms = time_make(y, mo, d, 0, 0, sec, 0);
	return true;
}

bool
csvf_date_slash(struct slice s, bool us, int *y, int *mo, int *d)
{
	size_t i = 0;
	int a, b;

	if (!num(s, &i, 2, &a) || !expect(s, &i, '/') || !num(s, &i, 2, &b) ||
	    !expect(s, &i, '/') || !num(s, &i, 4, y) || i != s.len || s.len < 8)
		return false;
	*d = us ? b : a;
	*mo = us ? a : b;
	return valid_date(*y, *mo, *d);
}

bool
csvf_date_iso(struct slice s, int *y, int *mo, int *d)
{
	size_t i = 0;

	return num(s, &i, 4, y) && i == 4 && expect(s, &i, '-') &&
	       num(s, &i, 2, mo) && expect(s, &i, '-') && num(s, &i, 2, d) &&
	       i == s.len && valid_date(*y, *mo, *d);
}
