/*
 * Custom formats from the configuration: the answer to "my device is not
 * supported".
 *
 *	[format acme]
 *	pattern = ^(?<time>\S+ \S+) (?<src_ip>\S+) (?<user>\S+) (?<url>\S+)
 *	time_format = %Y-%m-%d %H:%M:%S
 *
 * A PCRE2 pattern with named groups (src_ip, src_port, user, dst_host, url,
 * dst_ip, dst_port, proto, action, bytes_up, bytes_down, bytes_total,
 * user_agent, time) makes a parser like the built-in ones: it bids on the
 * lines it matches and turns each line into a record.  MDCA has never
 * heard of the device, so a kept line is uploaded converted to generic CEF
 * (GENERIC_CEF), which Cloud Discovery parses.
 *
 * The pattern is JIT-compiled where PCRE2 has JIT.  One match data block
 * per format: the pipeline runs in one thread.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "custom.h"
#include "lex.h"
#include "parser.h"

#define CUSTOM_FIELDS(X)                                                       \
	X(TIME, "time")                                                        \
	X(SRC_IP, "src_ip")                                                    \
	X(SRC_PORT, "src_port")                                                \
	X(USER, "user")                                                        \
	X(DST_HOST, "dst_host")                                                \
	X(URL, "url")                                                          \
	X(DST_IP, "dst_ip")                                                    \
	X(DST_PORT, "dst_port")                                                \
	X(PROTO, "proto")                                                      \
	X(ACTION, "action")                                                    \
	X(BYTES_UP, "bytes_up")                                                \
	X(BYTES_DOWN, "bytes_down")                                            \
	X(BYTES_TOTAL, "bytes_total")                                          \
	X(USER_AGENT, "user_agent")

enum custom_field {
#define X(n, s) CF_##n,
	CUSTOM_FIELDS(X)
#undef X
	    CF_N
};

static const char *const custom_field_names[] = {
#define X(n, s) s,
    CUSTOM_FIELDS(X)
#undef X
};

struct custom {
	struct parser p; /* p.ctx points back here */
	char *name, *desc, *time_format;
	pcre2_code *re;
	pcre2_match_data *md;
	int group[CF_N]; /* capture number of each field, 0 when absent */
	int ngroups;     /* fields the pattern has */
};

static struct custom *customs[32];
static size_t ncustoms;

/* Match `s`; the number of fields captured, or -1 when it does not match. */
static int
custom_match(struct custom *c, struct slice s, struct slice f[CF_N])
{
	PCRE2_SIZE *ov;
	int rc, n = 0;

	rc = pcre2_match(c->re, (PCRE2_SPTR)(s.p ? s.p : ""), s.len, 0, 0,
	                 c->md, NULL);
	if (rc < 0)
		return -1;
	ov = pcre2_get_ovector_pointer(c->md);
	for (int i = 0; i < CF_N; i++) {
		int g = c->group[i];

		f[i] = SLICE_NULL;
		if (g == 0 || g >= rc || ov[2 * g] == PCRE2_UNSET)
			continue;
		f[i] = slice_make(s.p + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
		if (!slice_is_empty_value(f[i]))
			n++;
		else
			f[i] = SLICE_NULL;
	}
	return n;
}

static void custom_destroy(struct custom *c);
static enum parse_result custom_parse(void *, struct slice, struct record *,
                                      struct arena *);

static int
custom_bid(const struct peek *pk)
{
	struct custom *c = pk->self ? pk->self->ctx : NULL;
	struct slice f[CF_N];
	int bid = 0;

	if (c == NULL)
		return 0;
	for (size_t i = 0; i < pk->nlines; i++) {
		int n = custom_match(c, pk->body[i], f);

		/* The admin wrote this pattern for this device: a match is
		 * worth more than a generic format's guess. */
		if (n > 0)
			bid += 8 * (n + 4);
	}
	return bid;
}

static bool
digits_n(const char **p, const char *end, int max, int *v)
{
	int n = 0, x = 0;

	while (*p < end && n < max && (unsigned)(**p - '0') <= 9) {
		x = x * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	*v = x;
	return n > 0;
}

bool
custom_time(const char *fmt, struct slice s, int64_t *ms)
{
	const char *p = s.p, *end = s.p + s.len;
	int y = 1970, mon = 1, d = 1, h = 0, mi = 0, sec = 0, frac = 0;
	int off = 0;
	bool pm = false, ampm = false;

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			if (*fmt == ' ') {
				while (p < end && *p == ' ')
					p++;
				continue;
			}
			if (p == end || *p != *fmt)
				return false;
			p++;
			continue;
		}
		switch (*++fmt) {
		case 'Y':
			if (!digits_n(&p, end, 4, &y))
				return false;
			break;
		case 'y':
			if (!digits_n(&p, end, 2, &y))
				return false;
			y += y < 70 ? 2000 : 1900;
			break;
		case 'm':
			if (!digits_n(&p, end, 2, &mon))
				return false;
			break;
		case 'd':
		case 'e':
			while (p < end && *p == ' ')
				p++;
			if (!digits_n(&p, end, 2, &d))
				return false;
			break;
		case 'H':
		case 'I':
			if (!digits_n(&p, end, 2, &h))
				return false;
			ampm = ampm || fmt[0] == 'I';
			break;
		case 'M':
			if (!digits_n(&p, end, 2, &mi))
				return false;
			break;
		case 'S':
			if (!digits_n(&p, end, 2, &sec))
				return false;
			break;
		case 'f': {
			int n = 0, v = 0;

			while (p < end && (unsigned)(*p - '0') <= 9) {
				if (n++ < 3)
					v = v * 10 + (*p - '0');
				p++;
			}
			for (; n < 3; n++)
				v *= 10;
			frac = v;
			break;
		}
		case 'b':
			if (end - p < 3 ||
			    (mon = time_month(slice_make(p, 3))) == 0)
				return false;
			p += 3;
			while (p < end &&
			       ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z'))
				p++; /* "September" */
			break;
		case 'p':
			if (end - p < 2)
				return false;
			pm = (p[0] | 0x20) == 'p';
			ampm = true;
			p += 2;
			break;
		case 'z': {
			int hh, mm, sign;

			if (p < end && *p == 'Z') {
				p++;
				break;
			}
			if (p == end || (*p != '+' && *p != '-'))
				return false;
			sign = *p++ == '-' ? -1 : 1;
			if (!digits_n(&p, end, 2, &hh))
				return false;
			if (p < end && *p == ':')
				p++;
			if (!digits_n(&p, end, 2, &mm))
				mm = 0;
			off = sign * (hh * 60 + mm);
			break;
		}
		case 's': {
			int64_t v;

			if (!time_epoch(slice_make(p, (size_t)(end - p)), &v))
				return false;
			*ms = v;
			return true;
		}
		case '%':
			if (p == end || *p++ != '%')
				return false;
			break;
		default:
			return false;
		}
	}
	if (p != end)
		return false;
	if (ampm) {
		if (h < 1 || h > 12)
			return false;
		h = h % 12 + (pm ? 12 : 0);
	}
	if (y < 1970 || y > 9999 || mon < 1 || mon > 12 || d < 1 || d > 31 ||
	    h > 23 || mi > 59 || sec > 60)
		return false;
	*ms = time_make(y, mon, d, h, mi, sec, frac) - (int64_t)off * 60000;
	return true;
}

/* CEF extension value escaping: backslash, '=', newlines. */
static char *
cef_value(char *o, const char *end, struct slice v)
{
	for (size_t i = 0; i < v.len && o + 2 < end; i++) {
		char c = v.p[i];

		if (c == '\\' || c == '=') {
			*o++ = '\\';
			*o++ = c;
		} else if (c == '\n' || c == '\r') {
			*o++ = '\\';
			*o++ = c == '\n' ? 'n' : 'r';
		} else
			*o++ = c;
	}
	return o;
}

static char *
cef_pair(char *o, const char *end, const char *key, struct slice v)
{
	size_t kl = strlen(key);

	if (v.len == 0 || o + kl + 2 >= end)
		return o;
	*o++ = ' ';
	memcpy(o, key, kl);
	o += kl;
	*o++ = '=';
	return cef_value(o, end, v);
}

static char *
cef_num(char *o, const char *end, const char *key, uint64_t v)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v);

	return cef_pair(o, end, key, slice_make(tmp, (size_t)n));
}

/*
 * The CEF line for a record, into the arena:
 *   CEF:0|discolog|NAME|1|traffic|NAME traffic|1|rt=... src=... ...
 * Keys are the ArcSight names Cloud Discovery's CEF parser reads.
 */
static struct slice
custom_cef(const struct custom *c, const struct record *r, struct arena *a)
{
	size_t cap = r->raw.len * 2 + 512;
	char *buf = arena_alloc(a, cap), *o, *end, *ext;

	if (buf == NULL)
		return SLICE_NULL;
	o = buf;
	end = buf + cap;
	o += snprintf(o, (size_t)(end - o),
	              "CEF:0|discolog|%s|1|traffic|%s traffic|1|", c->name,
	              c->name);
	ext = o;
	if (r->has & REC_HAS_TIME)
		o = cef_num(o, end, "rt", (uint64_t)r->time_ms);
	o = cef_pair(o, end, "src", r->src_ip);
	if (r->has & REC_HAS_SRC_PORT)
		o = cef_num(o, end, "spt", r->src_port);
	o = cef_pair(o, end, "suser", r->user);
	o = cef_pair(o, end, "dst", r->dst_ip);
	if (r->has & REC_HAS_DST_PORT)
		o = cef_num(o, end, "dpt", r->dst_port);
	o = cef_pair(o, end, "dhost", r->dst_host);
	o = cef_pair(o, end, "request", r->url);
	o = cef_pair(o, end, "app", r->proto);
	if (r->action != REC_ACTION_UNKNOWN)
		o = cef_pair(o, end, "act",
		             r->action == REC_ACTION_ALLOW ? SLICE_LIT("allow")
		                                           : SLICE_LIT("deny"));
	if (r->has & REC_HAS_BYTES_UP)
		o = cef_num(o, end, "out", r->bytes_up);
	if (r->has & REC_HAS_BYTES_DOWN)
		o = cef_num(o, end, "in", r->bytes_down);
	if (r->has & REC_HAS_BYTES_TOTAL)
		o = cef_num(o, end, "cn1", r->bytes_total);
	if (r->has & REC_HAS_BYTES_TOTAL)
		o = cef_pair(o, end, "cn1Label", SLICE_LIT("totalBytes"));
	o = cef_pair(o, end, "requestClientApplication", r->user_agent);
	/* Pairs are written " key=value": the extension starts without. */
	if (o > ext && *ext == ' ') {
		memmove(ext, ext + 1, (size_t)(o - ext - 1));
		o--;
	}
	return slice_make(buf, (size_t)(o - buf));
}

int
custom_check_time_format(const char *fmt, char *err, size_t errlen)
{
	bool any = false;

	for (const char *p = fmt; *p; p++) {
		if (*p != '%')
			continue;
		if (p[1] == '\0' || strchr("YymdeHIMSfbpzs%", p[1]) == NULL) {
			snprintf(
			    err, errlen,
			    "time_format '%s': %%%c is not one of %%Y %%y %%m "
			    "%%d %%e %%H %%I %%M %%S %%f %%b %%p %%z %%s %%%%",
			    fmt, p[1] ? p[1] : ' ');
			return -1;
		}
		any = true;
		p++;
	}
	if (!any) {
		snprintf(err, errlen, "time_format '%s' has no %% field", fmt);
		return -1;
	}
	return 0;
}

static enum rec_action
custom_action(struct slice a)
{
	static const char *const allow[] = {
	    "allow",     "allowed", "accept", "accepted", "permit",
	    "permitted", "pass",    "passed", "ok",       "success"};
	static const char *const deny[] = {
	    "deny",    "denied", "block",    "blocked", "drop",
	    "dropped", "reject", "rejected", "reset",   "forbidden"};

	for (size_t i = 0; i < sizeof(allow) / sizeof(allow[0]); i++)
		if (slice_ieq(a, allow[i]))
			return REC_ACTION_ALLOW;
	for (size_t i = 0; i < sizeof(deny) / sizeof(deny[0]); i++)
		if (slice_ieq(a, deny[i]))
			return REC_ACTION_DENY;
	return REC_ACTION_UNKNOWN;
}

static enum parse_result
custom_parse(void *state, struct slice line, struct record *r, struct arena *a)
{
	struct custom *c = (struct custom *)r->parser->ctx;
	struct slice f[CF_N];
	uint16_t port;
	bool has_port;

	(void)state;
	if (slice_trim(line).len == 0)
		return PARSE_SKIP;
	if (custom_match(c, line, f) < 0) {
		r->reason = "the format's pattern does not match";
		return PARSE_REJECT;
	}
	if (f[CF_TIME].len > 0) {
		if (c->time_format != NULL
		        ? !custom_time(c->time_format, f[CF_TIME], &r->time_ms)
		        : !(time_iso(f[CF_TIME], &r->time_ms) ||
		            time_epoch(f[CF_TIME], &r->time_ms) ||
		            time_clf(f[CF_TIME], &r->time_ms))) {
			r->reason = "time does not match time_format";
			return PARSE_REJECT;
		}
		r->has |= REC_HAS_TIME;
	}
	r->src_ip = f[CF_SRC_IP];
	r->user = f[CF_USER];
	r->dst_ip = f[CF_DST_IP];
	r->url = f[CF_URL];
	r->proto = f[CF_PROTO];
	r->user_agent = f[CF_USER_AGENT];
	r->dst_host = f[CF_DST_HOST];
	if (r->dst_host.len == 0 && r->url.len > 0) {
		r->dst_host = lex_url_host(r->url, &port, &has_port);
		if (has_port) {
			r->dst_port = port;
			r->has |= REC_HAS_DST_PORT;
		}
	}
	if (lex_port(f[CF_SRC_PORT], &r->src_port))
		r->has |= REC_HAS_SRC_PORT;
	if (lex_port(f[CF_DST_PORT], &r->dst_port))
		r->has |= REC_HAS_DST_PORT;
	if (lex_u64(f[CF_BYTES_UP], &r->bytes_up))
		r->has |= REC_HAS_BYTES_UP;
	if (lex_u64(f[CF_BYTES_DOWN], &r->bytes_down))
		r->has |= REC_HAS_BYTES_DOWN;
	if (lex_u64(f[CF_BYTES_TOTAL], &r->bytes_total))
		r->has |= REC_HAS_BYTES_TOTAL;
	r->action = custom_action(f[CF_ACTION]);
	/* The upload is the CEF line, without any syslog header. */
	r->source_type = "GENERIC_CEF";
	if ((r->upload = custom_cef(c, r, a)).len == 0) {
		r->reason = "line too long to convert";
		return PARSE_REJECT;
	}
	if (r->dst_host.len == 0 && r->dst_ip.len == 0) {
		r->reason = "no destination";
		return PARSE_PARTIAL;
	}
	return PARSE_OK;
}

static void
custom_destroy(struct custom *c)
{
	if (c == NULL)
		return;
	pcre2_match_data_free(c->md);
	pcre2_code_free(c->re);
	free(c->name);
	free(c->desc);
	free(c->time_format);
	free(c);
}

/* A compiled, checked format, not registered; NULL with err set. */
static struct custom *
custom_new(const char *name, const char *pattern, const char *time_format,
           char *err, size_t errlen)
{
	struct custom *c;
	int ecode;
	PCRE2_SIZE eoff;

	if (time_format != NULL &&
	    custom_check_time_format(time_format, err, errlen) == -1)
		return NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto nomem;
	c->re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
	                      PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &ecode,
	                      &eoff, NULL);
	if (c->re == NULL) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(ecode, msg, sizeof(msg));
		snprintf(err, errlen, "pattern: %s at offset %zu", (char *)msg,
		         (size_t)eoff);
		goto fail;
	}
	(void)pcre2_jit_compile(c->re, PCRE2_JIT_COMPLETE);
	for (int i = 0; i < CF_N; i++) {
		int g = pcre2_substring_number_from_name(
		    c->re, (PCRE2_SPTR)custom_field_names[i]);

		c->group[i] = g > 0 ? g : 0;
		c->ngroups += g > 0;
	}
	if (c->group[CF_DST_HOST] == 0 && c->group[CF_URL] == 0 &&
	    c->group[CF_DST_IP] == 0) {
		snprintf(err, errlen,
		         "pattern needs a destination: a named group "
		         "(?<dst_host>...), (?<url>...) or (?<dst_ip>...)");
		goto fail;
	}
	if ((c->md = pcre2_match_data_create_from_pattern(c->re, NULL)) ==
	        NULL ||
	    (c->name = strdup(name)) == NULL ||
	    (c->desc = strdup("custom format (configuration), uploaded as "
	                      "generic CEF")) == NULL ||
	    (time_format && (c->time_format = strdup(time_format)) == NULL))
		goto nomem;
	c->p.name = c->name;
	c->p.description = c->desc;
	c->p.source_id = "GENERIC_CEF";
	c->p.log_type = 179;
	c->p.max_bid = 8 * (CF_N + 4) * PEEK_LINES;
	c->p.ctx = c;
	c->p.bid = custom_bid;
	c->p.parse = custom_parse;
	return c;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	custom_destroy(c);
	return NULL;
}

int
custom_check(const char *pattern, const char *time_format, char *err,
             size_t errlen)
{
	struct custom *c =
	    custom_new("check", pattern, time_format, err, errlen);

	custom_destroy(c);
	return c ? 0 : -1;
}

int
custom_add(const char *name, const char *pattern, const char *time_format,
           char *err, size_t errlen)
{
	struct custom *c;

	if (ncustoms == sizeof(customs) / sizeof(customs[0])) {
		snprintf(err, errlen, "too many custom formats");
		return -1;
	}
	if ((c = custom_new(name, pattern, time_format, err, errlen)) == NULL)
		return -1;
	if (parser_add(&c->p) == -1) {
		snprintf(err, errlen, "a format called '%s' exists already",
		         name);
		custom_destroy(c);
		return -1;
	}
	customs[ncustoms++] = c;
	return 0;
}

void
custom_clear(void)
{
	parser_clear();
	for (size_t i = 0; i < ncustoms; i++)
		custom_destroy(customs[i]);
	ncustoms = 0;
}
