/*
 * Squid common and combined access logs (logformat common|combined),
 * MDCA "Squid (Common)".
 *
 *	%>a %[ui %[un [%tl] "%rm %ru HTTP/%rv" %>Hs %<st %Ss:%Sh
 *	%>a %[ui %[un [%tl] "%rm %ru HTTP/%rv" %>Hs %<st "%{Referer}>h"
 *	    "%{User-Agent}>h" %Ss:%Sh
 *
 * The trailing RESULT:HIERARCHY token is what tells Squid from a web
 * server's CLF.  Sites customise the format (a "dd/mm/yyyy hh:mm:ss" date,
 * free text after the byte count); such lines are kept when the client,
 * date and request are there.
 */
#include <string.h>

#include "lex.h"
#include "parser.h"

/* "TCP_MISS:HIER_DIRECT": two upper-case words joined by a colon. */
static bool
common_is_result(struct slice w)
{
	size_t i = 0, colon = 0;

	for (i = 0; i < w.len; i++) {
		char c = w.p[i];

		if (c == ':' && colon == 0 && i > 0)
			colon = i;
		else if (!((c >= 'A' && c <= 'Z') || c == '_'))
			return false;
	}
	return colon > 0 && colon + 1 < w.len;
}

struct common_fields {
	struct slice client, ident, user, date, req, status, bytes;
	struct slice rest;
};

static bool
common_split(struct slice line, struct common_fields *f)
{
	struct slice r = line;
	const char *rb;

	if (!lex_word(&r, &f->client) || !lex_word(&r, &f->ident) ||
	    !lex_word(&r, &f->user))
		return false;
	r = slice_trim(r);
	if (r.len < 2 || r.p[0] != '[' ||
	    (rb = memchr(r.p, ']', r.len)) == NULL)
		return false;
	f->date = slice_make(r.p + 1, (size_t)(rb - r.p - 1));
	r = slice_make(rb + 1, (size_t)(r.p + r.len - rb - 1));
	if (!lex_qword(&r, &f->req))
		return false;
	f->status = f->bytes = SLICE_NULL;
	(void)(lex_word(&r, &f->status) && lex_word(&r, &f->bytes));
	f->rest = r;
	return true;
}

/* "05/02/2025 11:30:29": a site's own date, taken as dd/mm/yyyy, UTC. */
static bool
common_time_dmy(struct slice s, int64_t *ms)
{
	int v[6] = {0};
	size_t i, k = 0;
	static const char seps[] = "// ::";

	if (s.len != 19)
		return false;
	for (i = 0; i < s.len && k < 6; i++) {
		char c = s.p[i];

		if ((unsigned)(c - '0') <= 9)
			v[k] = v[k] * 10 + (c - '0');
		else if (k < 5 && c == seps[k])
			k++;
		else
			return false;
	}
	if (k != 5 || v[1] < 1 || v[1] > 12 || v[0] < 1 || v[0] > 31 ||
	    v[3] > 23 || v[4] > 59 || v[5] > 60)
		return false;
	*ms = time_make(v[2], v[1], v[0], v[3], v[4], v[5], 0);
	return true;
}

static struct slice
last_word(struct slice s)
{
	struct slice w = SLICE_NULL, r = s;

	while (lex_word(&r, &w))
		;
	return w;
}

static int
squid_common_bid(const struct peek *pk)
{
	int bid = 0;

	for (size_t i = 0; i < pk->nlines; i++) {
		struct common_fields f;
		int64_t ms;
		int b = 0;

		if (!common_split(pk->body[i], &f))
			continue;
		if (time_clf(f.date, &ms))
			b += 8;
		if (lex_is_ip(f.client))
			b += 8;
		if (common_is_result(last_word(f.rest)))
			b += 8 * 4; /* the Squid-only signature */
		if (b >= 16)
			bid += b + 8 * 2; /* bracketed date, quoted request */
	}
	return bid;
}

static enum parse_result
squid_common_parse(void *state, struct slice line, struct record *r,
    struct arena *a)
{
	struct common_fields f;
	struct slice req, method, url, w, last;
	uint16_t port;
	bool has_port;
	enum parse_result res = PARSE_OK;

	(void)state;
	(void)a;
	line = slice_trim(line);
	if (line.len == 0)
		return PARSE_SKIP;
	if (!common_split(line, &f)) {
		r->reason = "not client ident user [date] \"request\"";
		return PARSE_REJECT;
	}
	if (time_clf(f.date, &r->time_ms) ||
	    common_time_dmy(f.date, &r->time_ms))
		r->has |= REC_HAS_TIME;
	else {
		r->reason = "unreadable date";
		return PARSE_REJECT;
	}
	r->src_ip = f.client;
	if (!slice_is_empty_value(f.user))
		r->user = f.user;
	req = f.req;
	if (!lex_word(&req, &method) || !lex_word(&req, &url)) {
		r->reason = "request line is not \"method url version\"";
		return PARSE_REJECT;
	}
	r->url = url;
	r->dst_host = lex_url_host(url, &port, &has_port);
	if (has_port) {
		r->dst_port = port;
		r->has |= REC_HAS_DST_PORT;
	}
	{
		const char *sep = slice_find(url, "://");

		if (sep != NULL)
			r->proto = slice_make(url.p, (size_t)(sep - url.p));
	}
	if (lex_u64(f.bytes, &r->bytes_down))
		r->has |= REC_HAS_BYTES_DOWN;
	last = last_word(f.rest);
	if (common_is_result(last)) {
		r->action = slice_find(last, "DENIED") ? REC_ACTION_DENY
						       : REC_ACTION_ALLOW;
		/* combined: "referer" "user-agent" before the result. */
		struct slice rest = f.rest, ref;

		if (lex_qword(&rest, &ref) && lex_qword(&rest, &w) &&
		    !slice_is_empty_value(w) && w.p + w.len < last.p)
			r->user_agent = w;
	} else {
		r->reason = "no RESULT:HIERARCHY token";
		res = PARSE_PARTIAL;
	}
	if (r->dst_host.len == 0) {
		r->reason = "no destination";
		res = PARSE_PARTIAL;
	}
	return res;
}

const struct parser parser_squid_common = {
    .name = "squid_common",
    .description = "Squid common/combined access.log (logformat common)",
    .source_id = "SQUID",
    .source_id_syslog = "SQUID_SYSLOG",
    .log_type = 114,
    .max_bid = 8 * 8 * 8,
    .bid = squid_common_bid,
    .parse = squid_common_parse,
};
