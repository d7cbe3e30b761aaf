/*
 * RFC 5424 structured-data helpers for Check Point and Juniper: see
 * sd_family.h.
 */
#include <string.h>

#include "arena.h"
#include "lex.h"
#include "sd_family.h"

struct slice
sd_unescape(struct slice s, struct arena *a)
{
	char *out;
	size_t n = 0;

	if (s.len == 0 || memchr(s.p, '\\', s.len) == NULL)
		return s;
	if ((out = arena_alloc(a, s.len)) == NULL)
		return SLICE_NULL;
	for (size_t i = 0; i < s.len; i++) {
		if (s.p[i] == '\\' && i + 1 < s.len)
			i++;
		out[n++] = s.p[i];
	}
	return slice_make(out, n);
}

struct slice
sd_proto_name(struct slice s, struct arena *a)
{
	static const struct {
		const char *num, *name;
	} names[] = {
	    {"1", "icmp"}, {"6", "tcp"},        {"17", "udp"},   {"47", "gre"},
	    {"50", "esp"}, {"58", "ipv6-icmp"}, {"132", "sctp"},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (slice_eq(s, names[i].num)) {
			size_t n = strlen(names[i].name);
			char *p = arena_dup(a, names[i].name, n);

			return p != NULL ? slice_make(p, n) : s;
		}
	return s;
}

static bool
sd_digit(char c)
{
	return (unsigned)(c - '0') <= 9;
}

bool
sd_time(struct slice ts, int64_t *ms)
{
	char buf[48];
	size_t i = 19, n;
	const char *z;

	if (time_iso(ts, ms))
		return true;
	/* "…:16--5:00", "…:16-5:00": a one-digit hour, a doubled sign. */
	if (ts.len < 19 || ts.len > 40)
		return false;
	if (i < ts.len && ts.p[i] == '.')
		for (i++; i < ts.len && sd_digit(ts.p[i]); i++)
			;
	z = ts.p + i;
	n = ts.len - i;
	if (n >= 6 && z[0] == z[1] && (z[0] == '-' || z[0] == '+')) {
		z++;
		n--;
	}
	if (n != 5 || (z[0] != '-' && z[0] != '+') || !sd_digit(z[1]) ||
	    z[2] != ':' || !sd_digit(z[3]) || !sd_digit(z[4]))
		return false;
	memcpy(buf, ts.p, i);
	buf[i] = z[0];
	buf[i + 1] = '0';
	memcpy(buf + i + 2, z + 1, 4);
	return time_iso(slice_make(buf, i + 6), ms);
}

struct slice
sd_header_ts(struct slice line)
{
	const char *p = line.p, *end = line.p + line.len, *sp;

	if (line.len < 4 || p[0] != '<')
		return SLICE_NULL;
	for (p++; p < end && sd_digit(*p); p++)
		;
	if (p + 2 >= end || *p != '>' || !sd_digit(p[1]))
		return SLICE_NULL;
	for (p++; p < end && sd_digit(*p); p++)
		;
	if (p == end || *p++ != ' ')
		return SLICE_NULL;
	if ((sp = memchr(p, ' ', (size_t)(end - p))) == NULL)
		return SLICE_NULL;
	return slice_make(p, (size_t)(sp - p));
}

bool
sd_element(struct slice body, struct slice *id, struct slice *params)
{
	const char *p, *end, *q;

	body = slice_trim(body);
	if (body.len < 2 || body.p[0] != '[')
		return false;
	p = body.p + 1;
	end = body.p + body.len;
	for (q = p; q < end && *q != ' ' && *q != ']' && *q != '='; q++)
		;
	if (q == p || q == end || *q == '=')
		return false;
	*id = slice_make(p, (size_t)(q - p));
	/* Drop the closing bracket so an unquoted last value stops before. */
	if (end[-1] != ']')
		return false;
	if (end - 1 > q)
		end--;
	*params = slice_make(q, (size_t)(end - q));
	return true;
}
