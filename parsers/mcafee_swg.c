/*
 * McAfee / Skyhigh Web Gateway access log, MDCA "McAfee Secure Web
 * Gateway".
 *
 * The default access.log written by MWG's "Write access.log" rule:
 *
 *	#time_stamp "auth_user" src_ip status_code "req_line" "categories"
 *	    "rep_level" "media_type" bytes_to_client "user_agent"
 *	    "virus_name" "block_res"
 *	[14/Oct/2018:23:59:42 -0300] "joao" 10.1.32.186 200
 *	    "CONNECT 0.docs.google.com:443 HTTP/1.1" "Interactive Web
 *	    Applications" "Minimal Risk" "" 492 "Mozilla/5.0 ..." "" "0"
 *
 * block_res 0 is allowed, anything else the id of the blocking reason.
 * Only the bytes to the client are logged.
 *
 * Two key=value flavours are read too: MWG's syslog rule (date="..."
 * source_ip= destination_host="..." source_bytes= destination_bytes=
 * http_request_first_line="..." block_id=) and the Skyhigh cloud gateway
 * export, whose values are not quoted and may hold blanks
 * ("category=Business, Software/Hardware"): a value there runs to the
 * next " key=".  Whether MDCA's McAfee type reads these is not documented.
 */
#include <string.h>

#include "arena.h"
#include "lex.h"
#include "parser.h"
#include "w3c_fields.h"

static const char mcafee_header[] = "#time_stamp \"auth_user\" src_ip";

/* Keys only McAfee/Skyhigh write. */
static const char *const mcafee_keys[] = {
    "http_request_first_line",
    "url_reputation_string",
    "block_reason",
    "block_id",
    "url_categories",
    "server_to_client_bytes",
    "client_to_server_bytes",
    "requested_host",
    "request_timestamp_epoch",
    "last_rule",
    NULL,
};

static bool
mcafee_keychar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/* Does a "key=" start at p? */
static bool
mcafee_at_key(const char *p, const char *end)
{
	const char *k = p;

	while (p < end && mcafee_keychar(*p))
		p++;
	return p > k && p < end && *p == '=';
}

/*
 * The next key=value of *rest.  A quoted value runs to its closing quote;
 * an unquoted one to the blank before the next "key=" (Skyhigh writes
 * values with blanks and no quotes).
 */
static bool
mcafee_kv(struct slice *rest, struct slice *key, struct slice *val)
{
	const char *p = rest->p, *end = rest->p + rest->len, *k, *v;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	k = p;
	while (p < end && mcafee_keychar(*p))
		p++;
	if (p == k || p == end || *p != '=')
		return false;
	*key = slice_make(k, (size_t)(p - k));
	v = ++p;
	if (p < end && *p == '"') {
		v = ++p;
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
		while (p < end && !(*p == ' ' && mcafee_at_key(p + 1, end)))
			p++;
		*val = slice_trim(slice_make(v, (size_t)(p - v)));
	}
	*rest = slice_make(p, (size_t)(end - p));
	return true;
}

static void
mcafee_url(struct record *r, struct slice url)
{
	uint16_t port;
	bool has_port;
	const char *sep;

	if (url.len == 0 || url.p[0] == ':')
		return; /* "CONNECT :80": no host was asked for */
	r->url = url;
	if (r->dst_host.len == 0)
		r->dst_host = lex_url_host(url, &port, &has_port);
	else
		(void)lex_url_host(url, &port, &has_port);
	if (has_port && !(r->has & REC_HAS_DST_PORT)) {
		r->dst_port = port;
		r->has |= REC_HAS_DST_PORT;
	}
	if (r->proto.len == 0 && (sep = slice_find(url, "://")) != NULL)
		r->proto = slice_make(url.p, (size_t)(sep - url.p));
}

/* "GET http://host/ HTTP/1.1": the URL, or "host:port" for CONNECT. */
static struct slice
mcafee_request_url(struct slice req)
{
	struct slice method, url;

	if (!lex_word(&req, &method) || !lex_word(&req, &url))
		return SLICE_NULL;
	return url;
}

static enum parse_result
mcafee_verdict(struct record *r)
{
	if (!(r->has & REC_HAS_TIME)) {
		r->reason = "no time";
		return PARSE_PARTIAL;
	}
	if (r->src_ip.len == 0) {
		r->reason = "no client address";
		return PARSE_PARTIAL;
	}
	if (r->dst_host.len == 0 && r->dst_ip.len == 0) {
		r->reason = "no destination";
		return PARSE_PARTIAL;
	}
	return PARSE_OK;
}

static struct slice
mcafee_val(struct slice v)
{
	return slice_is_empty_value(v) ? SLICE_NULL : v;
}

static enum parse_result
mcafee_parse_kv(struct slice line, struct record *r, struct arena *a)
{
	struct slice rest = line, k, v, path = SLICE_NULL, scheme = SLICE_NULL;
	struct slice req = SLICE_NULL;
	uint16_t port;
	int64_t ms;
	size_t nkeys = 0;
	bool own_time = false; /* the body's time beats the syslog header's */

	while (mcafee_kv(&rest, &k, &v)) {
		nkeys++;
		v = mcafee_val(v);
		if (slice_eq(k, "date") || slice_eq(k, "request_timestamp")) {
			if (!own_time && time_iso(v, &ms)) {
				r->time_ms = ms;
				r->has |= REC_HAS_TIME;
				own_time = true;
			}
		} else if (slice_eq(k, "request_timestamp_epoch")) {
			if (time_epoch(v, &ms)) {
				r->time_ms = ms;
				r->has |= REC_HAS_TIME;
				own_time = true;
			}
		} else if (slice_eq(k, "username"))
			r->user = v;
		else if (slice_eq(k, "source_ip"))
			r->src_ip = v;
		else if (slice_eq(k, "destination_ip")) {
			/* 255.255.255.255: MWG had no address for it. */
			if (lex_is_ip(v) && !slice_eq(v, "255.255.255.255"))
				r->dst_ip = v;
		} else if (slice_eq(k, "destination_port")) {
			if (lex_port(v, &port)) {
				r->dst_port = port;
				r->has |= REC_HAS_DST_PORT;
			}
		} else if (slice_eq(k, "destination_host") ||
		           slice_eq(k, "requested_host"))
			r->dst_host = v;
		else if (slice_eq(k, "requested_path"))
			path = v;
		else if (slice_eq(k, "uri_scheme"))
			scheme = r->proto = v;
		else if (slice_eq(k, "http_request_first_line"))
			req = v;
		else if (slice_eq(k, "source_bytes") ||
		         slice_eq(k, "client_to_server_bytes")) {
			if (lex_u64(v, &r->bytes_up))
				r->has |= REC_HAS_BYTES_UP;
		} else if (slice_eq(k, "destination_bytes") ||
		           slice_eq(k, "server_to_client_bytes")) {
			if (lex_u64(v, &r->bytes_down))
				r->has |= REC_HAS_BYTES_DOWN;
		} else if (slice_eq(k, "block_id")) {
			r->action = slice_eq(v, "0") ? REC_ACTION_ALLOW
			                             : REC_ACTION_DENY;
		} else if (slice_eq(k, "result")) {
			if (slice_eq(v, "DENIED") || slice_eq(v, "BLOCKED"))
				r->action = REC_ACTION_DENY;
			else if (v.len > 0)
				r->action = REC_ACTION_ALLOW;
		} else if (slice_eq(k, "user_agent") ||
		           slice_eq(k, "user_agent_comment"))
			r->user_agent = v;
	}
	if (nkeys < 3) {
		r->reason = "not a McAfee Web Gateway line";
		return PARSE_REJECT;
	}
	if (req.len > 0)
		mcafee_url(r, mcafee_request_url(req));
	else if (path.len > 0 && r->dst_host.len > 0 && scheme.len > 0) {
		/* Skyhigh logs scheme, host and path apart. */
		size_t n = scheme.len + 3 + r->dst_host.len + path.len;
		char *buf = arena_alloc(a, n);

		if (buf != NULL) {
			memcpy(buf, scheme.p, scheme.len);
			memcpy(buf + scheme.len, "://", 3);
			memcpy(buf + scheme.len + 3, r->dst_host.p,
			       r->dst_host.len);
			memcpy(buf + scheme.len + 3 + r->dst_host.len, path.p,
			       path.len);
			r->url = slice_make(buf, n);
		}
	}
	return mcafee_verdict(r);
}

struct mcafee_fields {
	struct slice date, user, ip, status, req;
	struct slice cats, rep, media, bytes, ua, virus, block;
};

static bool
mcafee_split(struct slice line, struct mcafee_fields *f)
{
	struct slice r;
	const char *rb;

	memset(f, 0, sizeof(*f));
	if (line.len < 2 || line.p[0] != '[' ||
	    (rb = memchr(line.p, ']', line.len)) == NULL)
		return false;
	f->date = slice_make(line.p + 1, (size_t)(rb - line.p - 1));
	r = slice_trim(
	    slice_make(rb + 1, (size_t)(line.p + line.len - rb - 1)));
	/* User and request are always quoted, even when empty. */
	if (r.len == 0 || r.p[0] != '"' || !lex_qword(&r, &f->user) ||
	    !lex_word(&r, &f->ip) || !lex_word(&r, &f->status))
		return false;
	r = slice_trim(r);
	if (r.len == 0 || r.p[0] != '"' || !lex_qword(&r, &f->req))
		return false;
	/* The rest is optional: sites trim the rule's output. */
	(void)(lex_qword(&r, &f->cats) && lex_qword(&r, &f->rep) &&
	       lex_qword(&r, &f->media) && lex_word(&r, &f->bytes) &&
	       lex_qword(&r, &f->ua) && lex_qword(&r, &f->virus) &&
	       lex_qword(&r, &f->block));
	return true;
}

static bool
mcafee_is_status(struct slice s)
{
	return s.len == 3 && (unsigned)(s.p[0] - '0') <= 9 &&
	       (unsigned)(s.p[1] - '0') <= 9 && (unsigned)(s.p[2] - '0') <= 9;
}

static enum parse_result
mcafee_parse_access(struct slice line, struct record *r)
{
	struct mcafee_fields f;

	if (!mcafee_split(line, &f)) {
		r->reason = "not [time] \"user\" ip status \"request\"";
		return PARSE_REJECT;
	}
	if (!time_clf(f.date, &r->time_ms)) {
		r->reason = "unreadable time";
		return PARSE_REJECT;
	}
	r->has |= REC_HAS_TIME;
	if (!lex_is_ip(f.ip) || !mcafee_is_status(f.status)) {
		r->reason = "bad client address or status";
		return PARSE_REJECT;
	}
	r->src_ip = f.ip;
	r->user = mcafee_val(f.user);
	mcafee_url(r, mcafee_request_url(f.req));
	if (lex_u64(f.bytes, &r->bytes_down))
		r->has |= REC_HAS_BYTES_DOWN;
	r->user_agent = mcafee_val(f.ua);
	if (f.block.len > 0)
		r->action =
		    slice_eq(f.block, "0") ? REC_ACTION_ALLOW : REC_ACTION_DENY;
	return mcafee_verdict(r);
}

static enum parse_result
mcafee_swg_parse(void *state, struct slice line, struct record *r,
                 struct arena *a)
{
	(void)state;
	if (r->syslog)
		line = line;
	line = slice_trim(line);
	if (line.len == 0 || line.p[0] == '#')
		return PARSE_SKIP;
	if (line.p[0] == '[')
		return mcafee_parse_access(line, r);
	if (mcafee_at_key(line.p, line.p + line.len))
		return mcafee_parse_kv(line, r, a);
	r->reason = "not a McAfee Web Gateway line";
	return PARSE_REJECT;
}

static int
mcafee_swg_bid(const struct peek *pk)
{
	int bid = 0;

	for (size_t i = 0; i < pk->nlines; i++) {
		struct slice b = slice_trim(pk->body[i]), rest, k, v;
		struct mcafee_fields f;
		int64_t ms;
		int n = 0;

		if (pk->body[i].p != pk->raw[i].p)
			b = b;
		if (slice_starts(b, mcafee_header)) {
			bid += 8 * (int)(sizeof(mcafee_header) - 1);
			continue;
		}
		if (mcafee_split(b, &f)) {
			if (!time_clf(f.date, &ms) || !lex_is_ip(f.ip) ||
			    !mcafee_is_status(f.status))
				continue;
			/* time, user, ip, status, request */
			n = 5;
			if (f.block.len > 0 && lex_u64(f.block, &(uint64_t){0}))
				n += 2; /* the quoted block_res closes it */
			bid += 8 * n;
			continue;
		}
		rest = b;
		while (mcafee_kv(&rest, &k, &v))
			for (size_t j = 0; mcafee_keys[j]; j++)
				if (slice_eq(k, mcafee_keys[j]))
					n++;
		if (n >= 2)
			bid += 8 * n;
	}
	return bid;
}

const struct parser parser_mcafee_swg = {
    .name = "mcafee_swg",
    .description = "McAfee / Skyhigh Web Gateway access log",
    .source_id = "MCAFEE_SWG",
    .source_id_syslog = "MCAFEE_SWG_SYSLOG",
    .log_type = 121,
    .max_bid = PEEK_LINES * 8 * 40,
    .bid = mcafee_swg_bid,
    .parse = mcafee_swg_parse,
};
