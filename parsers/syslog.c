/*
 * Syslog header recognition: see syslog.h for the shapes.
 */
#include <string.h>

#include "lex.h"
#include "syslog.h"

static bool
is_digit(char c)
{
	return (unsigned)(c - '0') <= 9;
}

static bool
isalnum_ascii(char c)
{
	return is_digit(c) || ((unsigned)((c | 0x20) - 'a') < 26);
}

/* "<PRI>" at the start of s: 1 to 3 digits, 0..191. */
static bool
take_pri(struct slice *s, int *pri)
{
	size_t i = 1;
	int v = 0;

	if (s->len < 3 || s->p[0] != '<')
		return false;
	while (i < s->len && i <= 3 && is_digit(s->p[i]))
		v = v * 10 + (s->p[i++] - '0');
	if (i == 1 || i >= s->len || s->p[i] != '>' || v > 191)
		return false;
	*pri = v;
	s->p += i + 1;
	s->len -= i + 1;
	return true;
}

static bool
take_word(struct slice *s, struct slice *w)
{
	const char *sp;

	if (s->len == 0)
		return false;
	sp = memchr(s->p, ' ', s->len);
	if (sp == NULL)
		return false;
	*w = slice_make(s->p, (size_t)(sp - s->p));
	s->p = sp + 1;
	s->len -= w->len + 1;
	return w->len > 0;
}

static struct slice
skip_spaces(struct slice s)
{
	while (s.len > 0 && s.p[0] == ' ') {
		s.p++;
		s.len--;
	}
	return s;
}

/*
 * STRUCTURED-DATA, then MSG: "- msg", or "[id k=\"v\" ...][id2 ...] msg".
 * A message that is all structured data (Check Point writes its fields as
 * one SD-like element) keeps it as its body.
 */
static void
split_sd(struct slice s, struct syslog_hdr *h)
{
	const char *p = s.p, *end = s.p + s.len;

	h->sd = SLICE_NULL;
	if (s.len >= 1 && s.p[0] == '-' && (s.len == 1 || s.p[1] == ' ')) {
		h->body = slice_no_bom(slice_make(s.p + (s.len > 1 ? 2 : 1),
		                                  s.len > 1 ? s.len - 2 : 0));
		return;
	}
	while (p < end && *p == '[') {
		bool quoted = false;

		for (p++; p < end; p++) {
			if (*p == '\\' && p + 1 < end)
				p++;
			else if (*p == '"')
				quoted = !quoted;
			else if (*p == ']' && !quoted)
				break;
		}
		if (p == end) {
			h->body = s; /* not well-formed SD: all of it is MSG */
			return;
		}
		p++;
	}
	h->sd = slice_make(s.p, (size_t)(p - s.p));
	if (p < end && *p == ' ')
		p++;
	/* RFC 5424's MSG-UTF8 starts with a byte order mark: not the
	 * vendor's. */
	h->body = slice_no_bom(slice_make(p, (size_t)(end - p)));
	if (h->body.len == 0)
		h->body = h->sd;
}

/* RFC 5424 after "<PRI>": "1 TS HOST APP PROCID MSGID rest". */
static bool
parse_5424(struct slice s, struct syslog_hdr *h)
{
	struct slice ver, ts, procid;

	if (!take_word(&s, &ver) || ver.len > 2 || !is_digit(ver.p[0]))
		return false;
	if (!take_word(&s, &ts) || !take_word(&s, &h->host))
		return false;
	if (slice_eq(ts, "-"))
		h->has_time = false;
	else if (time_iso(ts, &h->time_ms))
		h->has_time = true;
	else if (time_epoch(ts, &h->time_ms)) {
		/*
		 * Meraki's look-alike: "<134>1 1647479503.348215340 MX84 urls
		 * src=..." has no APP-NAME, PROCID or MSGID: the message
		 * starts after the host.
		 */
		h->has_time = true;
		h->body = s;
		return true;
	} else {
		/*
		 * Seen in real SRX and Check Point lines: no zone at all, or a
		 * broken one ("2023-01-13T12:10:16--5:00").  Keep the header,
		 * lose the time.
		 */
		if (ts.len < 19 || ts.p[4] != '-' || ts.p[10] != 'T')
			return false;
		h->has_time = time_iso(slice_make(ts.p, 19), &h->time_ms);
	}
	/* The Meraki look-alike stops after the host. */
	if (!take_word(&s, &h->app)) {
		h->body = s;
		return true;
	}
	if (!take_word(&s, &procid) || !take_word(&s, &h->msgid)) {
		/* Look-alike: what we took for APP starts the message. */
		h->body =
		    slice_make(h->app.p, (size_t)(s.p + s.len - h->app.p));
		h->app = SLICE_NULL;
		return true;
	}
	split_sd(s, h);
	return true;
}

/* "Mmm dd [yyyy] hh:mm:ss" with a space-padded or zero-padded day. */
static bool
parse_3164_time(struct slice *s, int64_t now_ms, struct syslog_hdr *h)
{
	const char *p = s->p, *end = s->p + s->len;
	int mon, d = 0, y = -1, hh, mi, ss;

	if (s->len < 15 || (mon = time_month(slice_make(p, 3))) == 0 ||
	    p[3] != ' ')
		return false;
	p += 4;
	if (*p == ' ')
		p++;
	while (p < end && is_digit(*p) && d < 100)
		d = d * 10 + (*p++ - '0');
	if (p == end || *p++ != ' ' || d < 1 || d > 31)
		return false;
	if (end - p >= 5 && is_digit(p[0]) && is_digit(p[3]) && p[4] == ' ') {
		y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 +
		    (p[2] - '0') * 10 + (p[3] - '0');
		p += 5;
	}
	if (end - p < 8 || !is_digit(p[0]) || !is_digit(p[1]) || p[2] != ':' ||
	    !is_digit(p[3]) || !is_digit(p[4]) || p[5] != ':' ||
	    !is_digit(p[6]) || !is_digit(p[7]))
		return false;
	hh = (p[0] - '0') * 10 + (p[1] - '0');
	mi = (p[3] - '0') * 10 + (p[4] - '0');
	ss = (p[6] - '0') * 10 + (p[7] - '0');
	p += 8;
	/* Fractions seen from some relays: "12:34:56.789". */
	int ms = 0;
	if (p < end && *p == '.') {
		int n = 0;
		p++;
		while (p < end && is_digit(*p)) {
			if (n++ < 3)
				ms = ms * 10 + (*p - '0');
			p++;
		}
		for (; n < 3; n++)
			ms *= 10;
	}
	if (hh > 23 || mi > 59 || ss > 60)
		return false;
	if (y < 0) {
		/* The latest year that is not more than a day ahead of now. */
		int64_t t;
		int64_t days = now_ms / 86400000;
		int cy = 1970 + (int)(days / 365);

		for (y = cy + 1; y > 1970; y--) {
			t = time_make(y, mon, d, hh, mi, ss, ms);
			if (t <= now_ms + 86400000)
				break;
		}
	}
	h->time_ms = time_make(y, mon, d, hh, mi, ss, ms);
	h->has_time = true;
	s->len = (size_t)(end - p);
	s->p = p;
	return true;
}

/* A zone name after a 3164 stamp: " UTC", " EDT", " CEST". */
/*
 * A zone name after a 3164 stamp (" UTC", " EDT", " CEST"): skipped, and
 * its offset applied when it is one of the unambiguous ones below ("IST"
 * is India, Israel or Ireland: left as UTC).
 */
static void
skip_zone_name(struct slice *s, struct syslog_hdr *h)
{
	static const struct {
		const char *name;
		int minutes;
	} zones[] = {
	    {"UTC", 0},     {"GMT", 0},     {"WET", 0},    {"WEST", 60},
	    {"BST", 60},    {"CET", 60},    {"CEST", 120}, {"MET", 60},
	    {"MEST", 120},  {"EET", 120},   {"EEST", 180}, {"MSK", 180},
	    {"EST", -300},  {"EDT", -240},  {"CST", -360}, {"CDT", -300},
	    {"MST", -420},  {"MDT", -360},  {"PST", -480}, {"PDT", -420},
	    {"AKST", -540}, {"AKDT", -480}, {"HST", -600}, {"JST", 540},
	    {"KST", 540},   {"HKT", 480},   {"SGT", 480},  {"AWST", 480},
	    {"AEST", 600},  {"AEDT", 660},  {"NZST", 720}, {"NZDT", 780},
	};
	size_t i = 1;

	if (s->len < 4 || s->p[0] != ' ')
		return;
	while (i < s->len && i <= 5 && s->p[i] >= 'A' && s->p[i] <= 'Z')
		i++;
	if (i < 4 || (i < s->len && s->p[i] != ' ' && s->p[i] != ':'))
		return;
	for (size_t k = 0; k < sizeof(zones) / sizeof(zones[0]); k++)
		if (slice_eq(slice_make(s->p + 1, i - 1), zones[k].name)) {
			h->time_ms -= (int64_t)zones[k].minutes * 60000;
			break;
		}
	s->p += i;
	s->len -= i;
}

/* "tag:" or "tag[pid]:" followed by a space or the end of the line. */
static bool
is_tag(struct slice w)
{
	size_t i = 0;

	if (w.len < 2 || w.p[w.len - 1] != ':')
		return false;
	w.len--;
	while (i < w.len && (isalnum_ascii(w.p[i]) || w.p[i] == '_' ||
	                     w.p[i] == '-' || w.p[i] == '.' || w.p[i] == '/'))
		i++;
	if (i == 0)
		return false;
	if (i == w.len)
		return true;
	if (w.p[i] != '[' || w.p[w.len - 1] != ']')
		return false;
	for (i++; i < w.len - 1; i++)
		if (!is_digit(w.p[i]))
			return false;
	return true;
}

/* After the stamp: "[HOST] [: ] [TAG:] MSG". */
static void
parse_3164_rest(struct slice s, struct syslog_hdr *h)
{
	struct slice w, rest;

	/* "Apr 29 2013 12:59:50: %ASA-...": a colon glued to the stamp. */
	if (s.len > 0 && s.p[0] == ':')
		s = slice_make(s.p + 1, s.len - 1);
	s = skip_spaces(s);
	rest = s;
	if (lex_word(&rest, &w) && w.p[0] != '%' && rest.len > 0) {
		struct slice bare = slice_make(w.p, w.len - 1);

		if (!is_tag(w)) {
			h->host = w;
			s = skip_spaces(rest);
			if (s.len >= 2 && s.p[0] == ':' && s.p[1] == ' ')
				s = skip_spaces(slice_make(s.p + 2, s.len - 2));
		} else if (lex_is_ip(bare) || slice_eq(bare, "localhost")) {
			/* "127.0.0.1: %ASA-..." is a host, not a tag. */
			h->host = bare;
			s = skip_spaces(rest);
		}
	}
	rest = s;
	/* "CEF:" and "LEEF:" start a message, they are no tag. */
	if (lex_word(&rest, &w) && is_tag(w) && !slice_eq(w, "CEF:") &&
	    !slice_eq(w, "LEEF:")) {
		h->app = slice_make(w.p, w.len - 1);
		s = skip_spaces(rest);
	}
	h->body = s;
}

bool
syslog_parse(struct slice line, int64_t now_ms, struct syslog_hdr *h)
{
	static const struct syslog_hdr zero; /* not memset: see record.c */
	struct slice s = line, t;
	bool pri;

	*h = zero;
	h->pri = -1;
	h->body = line;
	/* A line that starts with a digit has a header only when it is an
	 * ISO stamp: most lines of most logs (epochs, dates) stop here. */
	if (line.len > 0 && is_digit(line.p[0]) &&
	    !(line.len > 20 && line.p[4] == '-' && line.p[10] == 'T'))
		return false;
	pri = take_pri(&s, &h->pri);
	if (pri && s.len > 2 && is_digit(s.p[0]) && parse_5424(s, h)) {
		h->rfc5424 = true;
		h->present = true;
		return true;
	}
	h->has_time = false;
	h->host = h->app = h->msgid = SLICE_NULL;
	t = s;
	if (parse_3164_time(&t, now_ms, h)) {
		skip_zone_name(&t, h);
		parse_3164_rest(t, h);
		h->present = true;
		return true;
	}
	/* "2019-08-15T16:03:31Z host msg": an ISO stamp with a 'T'. */
	if (s.len > 20 && is_digit(s.p[0]) && s.p[4] == '-' && s.p[10] == 'T') {
		const char *sp = memchr(s.p, ' ', s.len);

		if (sp != NULL && time_iso(slice_make(s.p, (size_t)(sp - s.p)),
		                           &h->time_ms)) {
			h->has_time = true;
			parse_3164_rest(
			    slice_make(sp, (size_t)(s.p + s.len - sp)), h);
			h->present = true;
			return true;
		}
	}
	if (pri) {
		h->body = s;
		h->present = true;
		return true;
	}
	h->body = line;
	return false;
}
