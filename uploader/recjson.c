/*
 * Records as JSON lines: see recjson.h.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "parser.h"
#include "recjson.h"

/* Length of the valid UTF-8 sequence at p, or 0. */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = p[0] & 0x1f;
	} else if ((p[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = p[0] & 0x0f;
	} else if ((p[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = p[0] & 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	/* Overlong forms, surrogates and out of range are invalid. */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

int
json_add_str(struct buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;

	if (buf_addc(b, '"') == -1)
		return -1;
	while (i < n) {
		unsigned char c = p[i];
		size_t l;
		char esc[8];
		const char *e;

		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
			i++;
			run++;
			continue;
		}
		if (run > 0 && buf_add(b, s + i - run, run) == -1)
			return -1;
		run = 0;
		if (c >= 0x80) {
			l = utf8_len(p + i, n - i);
			if (l == 0) {
				if (buf_add(b, "\xef\xbf\xbd", 3) == -1)
					return -1;
				i++;
			} else {
				if (buf_add(b, s + i, l) == -1)
					return -1;
				i += l;
			}
			continue;
		}
		switch (c) {
		case '"':
			e = "\\\"";
			break;
		case '\\':
			e = "\\\\";
			break;
		case '\n':
			e = "\\n";
			break;
		case '\r':
			e = "\\r";
			break;
		case '\t':
			e = "\\t";
			break;
		default:
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			e = esc;
			break;
		}
		if (buf_adds(b, e) == -1)
			return -1;
		i++;
	}
	if (run > 0 && buf_add(b, s + n - run, run) == -1)
		return -1;
	return buf_addc(b, '"');
}

void
time_format(int64_t ms, char out[32])
{
	int64_t days = ms / 86400000, rem = ms % 86400000;
	int64_t z, era, doe, yoe, y, doy, mp, d, m;

	if (rem < 0) {
		rem += 86400000;
		days--;
	}
	/* Howard Hinnant's civil_from_days. */
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", (int)y, (int)m,
	         (int)d, (int)(rem / 3600000), (int)(rem / 60000 % 60),
	         (int)(rem / 1000 % 60), (int)(rem % 1000));
}

static int
add_key(struct buf *b, const char *key)
{
	return buf_addf(b, ",\"%s\":", key);
}

static int
add_slice(struct buf *b, const char *key, struct slice s)
{
	if (s.len == 0)
		return 0;
	if (add_key(b, key) == -1)
		return -1;
	return json_add_str(b, s.p, s.len);
}

/* IPv6 in canonical form ("0:0:0:0:0:0:0:1" -> "::1"); others as logged. */
static int
add_ip(struct buf *b, const char *key, struct slice s)
{
	char in[INET6_ADDRSTRLEN + 16], out[INET6_ADDRSTRLEN];
	unsigned char a[16];

	if (s.len == 0)
		return 0;
	if (s.len < sizeof(in) && memchr(s.p, ':', s.len) != NULL &&
	    memchr(s.p, '%', s.len) == NULL) {
		memcpy(in, s.p, s.len);
		in[s.len] = '\0';
		if (inet_pton(AF_INET6, in, a) == 1 &&
		    inet_ntop(AF_INET6, a, out, sizeof(out)) != NULL) {
			if (add_key(b, key) == -1)
				return -1;
			return json_add_str(b, out, strlen(out));
		}
	}
	return add_slice(b, key, s);
}

/* Host names are case-insensitive: the contract says lower case. */
static int
add_host(struct buf *b, struct slice s)
{
	char tmp[256];

	if (s.len == 0)
		return 0;
	if (s.len > sizeof(tmp))
		return add_slice(b, "dst_host", s);
	for (size_t i = 0; i < s.len; i++) {
		char c = s.p[i];

		tmp[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
	}
	if (add_key(b, "dst_host") == -1)
		return -1;
	return json_add_str(b, tmp, s.len);
}

static int
add_num(struct buf *b, const char *key, bool has, uint64_t v)
{
	if (!has)
		return 0;
	return buf_addf(b, ",\"%s\":%" PRIu64, key, v);
}

int
recjson_write(struct buf *b, const struct record *r, uint64_t lineno)
{
	const char *st = r->source_type;
	char ts[32];

	if (st == NULL && r->parser != NULL)
		st = parser_source_type(r->parser, r->syslog);
	if (buf_adds(b, "{\"format\":") == -1 ||
	    json_add_str(b, r->parser ? r->parser->name : "",
	                 r->parser ? strlen(r->parser->name) : 0) == -1)
		return -1;
	if (st != NULL && (add_key(b, "source_type") == -1 ||
	                   json_add_str(b, st, strlen(st)) == -1))
		return -1;
	if (r->has & REC_HAS_TIME) {
		time_format(r->time_ms, ts);
		if (buf_addf(b, ",\"time\":\"%s\"", ts) == -1)
			return -1;
	}
	if (add_ip(b, "src_ip", r->src_ip) == -1 ||
	    add_ip(b, "dst_ip", r->dst_ip) == -1 ||
	    add_num(b, "src_port", r->has & REC_HAS_SRC_PORT, r->src_port) ==
	        -1 ||
	    add_num(b, "dst_port", r->has & REC_HAS_DST_PORT, r->dst_port) ==
	        -1 ||
	    add_slice(b, "user", r->user) == -1 ||
	    add_host(b, r->dst_host) == -1 ||
	    add_slice(b, "url", r->url) == -1 ||
	    add_slice(b, "proto", r->proto) == -1)
		return -1;
	if (buf_addf(b, ",\"action\":\"%s\"", rec_action_name(r->action)) == -1)
		return -1;
	if (add_num(b, "bytes_up", r->has & REC_HAS_BYTES_UP, r->bytes_up) ==
	        -1 ||
	    add_num(b, "bytes_down", r->has & REC_HAS_BYTES_DOWN,
	            r->bytes_down) == -1 ||
	    add_num(b, "bytes_total", r->has & REC_HAS_BYTES_TOTAL,
	            r->bytes_total) == -1 ||
	    add_slice(b, "user_agent", r->user_agent) == -1)
		return -1;
	return buf_addf(b, ",\"line\":%" PRIu64 "}\n", lineno);
}
