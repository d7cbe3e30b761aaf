/*
 * Helpers shared by the key=value firewall parsers: see kv_family.h.
 */
#include <string.h>

#include "arena.h"
#include "kv_family.h"
#include "lex.h"

static bool
kvf_blank(char c)
{
	return c == ' ' || c == '\t';
}

void
kvf_init(struct kvf *it, struct slice line)
{
	const char *p = line.p, *end = line.p + line.len;

	it->rest = line;
	it->sep = ' ';
	if (p == NULL)
		return;
	/* Look at how the first pair ends: a comma means comma mode. */
	while (p < end && *p != '=' && !kvf_blank(*p) && *p != ',')
		p++;
	if (p == end || *p++ != '=')
		return;
	if (p < end && *p == '"') {
		for (p++; p < end && *p != '"'; p++)
			if (*p == '\\' && p + 1 < end)
				p++;
		if (p < end)
			p++;
	} else {
		while (p < end && !kvf_blank(*p) && *p != ',')
			p++;
	}
	if (p < end && *p == ',')
		it->sep = ',';
}

/* FortiGate's CSV mode: key=value,key="quoted, value",... */
static enum kvf_status
kvf_next_comma(struct kvf *it, struct slice *key, struct slice *val,
               bool *quoted)
{
	const char *p = it->rest.p, *end = it->rest.p + it->rest.len, *k, *v;

	if (p == NULL)
		return KVF_END;
	while (p < end && kvf_blank(*p))
		p++;
	if (p == end)
		return KVF_END;
	k = p;
	while (p < end && *p != '=' && *p != ',' && !kvf_blank(*p))
		p++;
	if (p == end || *p != '=' || p == k)
		return KVF_BAD;
	*key = slice_make(k, (size_t)(p - k));
	p++;
	*quoted = p < end && *p == '"';
	if (*quoted) {
		v = ++p;
		while (p < end && *p != '"') {
			if (*p == '\\' && p + 1 < end)
				p++;
			p++;
		}
		if (p == end)
			return KVF_BAD;
		*val = slice_make(v, (size_t)(p - v));
		p++;
		if (p < end && *p != ',')
			return KVF_BAD;
	} else {
		v = p;
		while (p < end && *p != ',')
			p++;
		*val = slice_make(v, (size_t)(p - v));
	}
	if (p < end)
		p++; /* the comma */
	it->rest = slice_make(p, (size_t)(end - p));
	return KVF_PAIR;
}

enum kvf_status
kvf_next(struct kvf *it, struct slice *key, struct slice *val, bool *quoted)
{
	const char *p, *end;

	if (it->sep == ',')
		return kvf_next_comma(it, key, val, quoted);
	if (!lex_kv(&it->rest, key, val, quoted))
		return slice_trim(it->rest).len == 0 ? KVF_END : KVF_BAD;
	if (*quoted)
		return KVF_PAIR;
	/* A curly quote is a word processor's, not a logger's. */
	if (val->len >= 3 && memcmp(val->p, "\xe2\x80\x9c", 3) == 0)
		return KVF_BAD;
	/*
	 * Words without '=' after an unquoted value belong to it: Sophos XG
	 * writes "domain=www. google.ca", SonicWall "appName='General DNS'".
	 */
	p = it->rest.p;
	end = p + it->rest.len;
	for (;;) {
		const char *q = p;

		while (q < end && kvf_blank(*q))
			q++;
		if (q == end)
			break;
		while (q < end && !kvf_blank(*q) && *q != '=')
			q++;
		if (q < end && *q == '=')
			break;
		val->len = (size_t)(q - val->p);
		p = q;
	}
	it->rest = slice_make(p, (size_t)(end - p));
	return KVF_PAIR;
}

enum kvf_status
kvf_scan(struct slice line,
         void (*field)(void *arg, struct slice key, struct slice val),
         void *arg, size_t *npairs)
{
	struct kvf it;
	struct slice k, v;
	bool q;
	enum kvf_status st;

	kvf_init(&it, line);
	while ((st = kvf_next(&it, &k, &v, &q)) == KVF_PAIR) {
		(*npairs)++;
		field(arg, k, v);
	}
	return st;
}

struct slice
kvf_unescape(struct slice v, struct arena *a)
{
	char *out;
	size_t n = 0;

	if (v.len == 0 || memchr(v.p, '\\', v.len) == NULL)
		return v;
	if ((out = arena_alloc(a, v.len)) == NULL)
		return v;
	for (size_t i = 0; i < v.len; i++) {
		if (v.p[i] == '\\' && i + 1 < v.len)
			i++;
		out[n++] = v.p[i];
	}
	return slice_make(out, n);
}

/* `n` digits at s.p[i]. */
static bool
kvf_digits(struct slice s, size_t i, size_t n, int *v)
{
	*v = 0;
	if (i + n > s.len)
		return false;
	for (size_t k = i; k < i + n; k++) {
		if ((unsigned)(s.p[k] - '0') > 9)
			return false;
		*v = *v * 10 + (s.p[k] - '0');
	}
	return true;
}

bool
kvf_date_time(struct slice date, struct slice time, int64_t *ms)
{
	int y, mo, d, h, mi, s;

	if (date.len != 10 || !kvf_digits(date, 0, 4, &y) ||
	    !kvf_digits(date, 5, 2, &mo) || !kvf_digits(date, 8, 2, &d) ||
	    date.p[4] != date.p[7] ||
	    (date.p[4] != '-' && date.p[4] != '/' && date.p[4] != ':'))
		return false;
	if (time.len != 8 || !kvf_digits(time, 0, 2, &h) ||
	    !kvf_digits(time, 3, 2, &mi) || !kvf_digits(time, 6, 2, &s) ||
	    time.p[2] != ':' || time.p[5] != ':')
		return false;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || s > 60)
		return false;
	*ms = time_make(y, mo, d, h, mi, s, 0);
	return true;
}

bool
kvf_zone(struct slice s, int *minutes)
{
	int h, m = 0, sign;

	s = slice_trim(s);
	if (slice_eq(s, "Z") || slice_ieq(s, "UTC") || slice_ieq(s, "GMT")) {
		*minutes = 0;
		return true;
	}
	if (s.len < 3 || (s.p[0] != '+' && s.p[0] != '-') ||
	    !kvf_digits(s, 1, 2, &h))
		return false;
	sign = s.p[0] == '-' ? -1 : 1;
	if (s.len == 5) {
		if (!kvf_digits(s, 3, 2, &m))
			return false;
	} else if (s.len == 6) {
		if (s.p[3] != ':' || !kvf_digits(s, 4, 2, &m))
			return false;
	} else if (s.len != 3)
		return false;
	if (h > 23 || m > 59)
		return false;
	*minutes = sign * (h * 60 + m);
	return true;
}

bool
kvf_epoch_any(struct slice s, int64_t *ms)
{
	uint64_t v;

	/* time_epoch() hands a NULL slice to memchr(): keep it away. */
	if (s.len == 0)
		return false;
	if (!lex_u64(s, &v))
		return time_epoch(s, ms);
	if (v == 0)
		return false;
	if (v >= 100000000000000000ULL) /* 1e17: nanoseconds */
		v /= 1000000;
	else if (v >= 100000000000000ULL) /* 1e14: microseconds */
		v /= 1000;
	else if (v < 100000000000ULL) /* below 1e11: seconds */
		v *= 1000;
	if (v > (uint64_t)INT64_MAX)
		return false;
	*ms = (int64_t)v;
	return true;
}

bool
kvf_bytes(struct record *r, struct slice v, uint64_t *dst, unsigned bit)
{
	if (!lex_u64(v, dst))
		return false;
	r->has |= bit;
	return true;
}

bool
kvf_port(struct record *r, struct slice v, uint16_t *dst, unsigned bit)
{
	if (!lex_port(v, dst))
		return false;
	r->has |= bit;
	return true;
}

struct slice
kvf_value(struct slice v)
{
	return slice_is_empty_value(v) ? SLICE_NULL : v;
}

struct slice
kvf_proto(struct slice app, struct slice transport, struct arena *a)
{
	static const char *const names[][2] = {
	    {"6", "tcp"}, {"17", "udp"}, {"1", "icmp"}, {"58", "icmp6"}};

	if (slice_ieq(app, "http") || slice_ieq(app, "https"))
		return app;
	transport = kvf_value(transport);
	if (transport.len == 0)
		return kvf_value(app);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (slice_eq(transport, names[i][0])) {
			size_t n = strlen(names[i][1]);
			char *p = arena_dup(a, names[i][1], n);

			return p != NULL ? slice_make(p, n) : transport;
		}
	}
	return transport;
}

bool
kvf_is_one_of(struct slice s, const char *const *words)
{
	for (; *words != NULL; words++)
		if (slice_ieq(s, *words))
			return true;
	return false;
}
