/*
 * Squid native access log (logformat squid), MDCA "Squid (Native)".
 *
 *	%ts.%03tu %6tr %>a %Ss/%03>Hs %<st %rm %ru %[un %Sh/%<a %mt
 *	1157689320.327   2864 10.105.21.199 TCP_MISS/200 10182 GET
 *	    http://www.goonernews.com/ badeyek DIRECT/207.58.145.61 text/html
 *
 * The elapsed time is right-aligned, so fields are split on runs of blanks.
 * Custom logformats append fields ("referer" "user-agent", header dumps);
 * they are accepted and the user agent taken when it is there.  The byte
 * count is what went to the client: no upload figure exists here.
 */
#include <string.h>

#include "lex.h"
#include "parser.h"

/* Upper case and '_': the status and hierarchy codes.  A table: both
 * tests run on every line. */
#define U4(c) [c] = 1, [c + 1] = 1, [c + 2] = 1, [c + 3] = 1
static const unsigned char squid_upper[256] = {
    U4('A'), U4('E'),   U4('I'),   U4('M'),   U4('Q'),
    U4('U'), ['Y'] = 1, ['Z'] = 1, ['_'] = 1,
};
#undef U4

static inline bool
squid_is_upper(char c)
{
	return squid_upper[(unsigned char)c] != 0;
}

/* "TCP_MISS/200": upper case and '_', a slash, three digits. */
static bool
squid_is_code(struct slice w)
{
	size_t i = 0;

	while (i < w.len && squid_is_upper(w.p[i]))
		i++;
	return i > 0 && w.len == i + 4 && w.p[i] == '/' &&
	       (unsigned)(w.p[i + 1] - '0') <= 9 &&
	       (unsigned)(w.p[i + 2] - '0') <= 9 &&
	       (unsigned)(w.p[i + 3] - '0') <= 9;
}

/* "DIRECT/1.2.3.4", "HIER_NONE/-", "FIRST_PARENT_MISS/proxy2": code/peer.
 * *slash: where the '/' is. */
static bool
squid_is_hier(struct slice w, size_t *slash)
{
	size_t i = 0;

	while (i < w.len && squid_is_upper(w.p[i]))
		i++;
	*slash = i;
	return i > 0 && i + 1 < w.len && w.p[i] == '/';
}

struct squid_fields {
	struct slice ts, elapsed, client, code, bytes, method, url, user, hier;
	struct slice rest;
	bool hier_ok;      /* hier looks like HIERARCHY/peer */
	size_t hier_slash; /* where its '/' is, when hier_ok */
};

static bool
squid_split(struct slice line, struct squid_fields *f)
{
	struct slice r = line, w, v[9];

	if (lex_words(&r, v, 9) != 9)
		return false;
	f->ts = v[0];
	f->elapsed = v[1];
	f->client = v[2];
	f->code = v[3];
	f->bytes = v[4];
	f->method = v[5];
	f->url = v[6];
	f->user = v[7];
	f->hier = v[8];
	/*
	 * The user is one word in Squid, but Blue Coat's squid-compatible
	 * log writes LDAP names unquoted ("CN=Agent Smith,OU=fr,O=company"):
	 * the user then runs up to the word that looks like HIERARCHY/peer.
	 */
	f->hier_ok = squid_is_hier(f->hier, &f->hier_slash);
	if (!f->hier_ok) {
		struct slice scan = r;

		while (lex_word(&scan, &w)) {
			if (squid_is_hier(w, &f->hier_slash)) {
				f->user =
				    slice_make(f->user.p, (size_t)(f->hier.p +
				                                   f->hier.len -
				                                   f->user.p));
				/* f->user ends before w: trim the blank. */
				f->user.len = (size_t)(w.p - f->user.p);
				f->user = slice_trim(f->user);
				f->hier = w;
				f->hier_ok = true;
				r = scan;
				break;
			}
		}
	}
	f->rest = r;
	return true;
}

static int
squid_native_bid(const struct peek *pk)
{
	int bid = 0;

	for (size_t i = 0; i < pk->nlines; i++) {
		struct squid_fields f;
		int64_t ms;
		uint64_t n;

		if (!squid_split(pk->body[i], &f))
			continue;
		if (!time_epoch(f.ts, &ms) || !lex_u64(f.elapsed, &n) ||
		    !squid_is_code(f.code) || !lex_u64(f.bytes, &n) ||
		    !f.hier_ok)
			continue;
		/* Five checked fields and the code's shape. */
		bid += 8 * 6;
		if (lex_is_ip(f.client))
			bid += 8;
	}
	return bid;
}

/* The second of two quoted fields after the MIME type: the user agent. */
static struct slice
squid_user_agent(struct slice rest)
{
	struct slice mime, ref, ua;

	if (!lex_word(&rest, &mime))
		return SLICE_NULL;
	rest = slice_trim(rest);
	if (rest.len == 0 || rest.p[0] != '"' || !lex_qword(&rest, &ref))
		return SLICE_NULL;
	rest = slice_trim(rest);
	if (rest.len == 0 || rest.p[0] != '"' || !lex_qword(&rest, &ua) ||
	    slice_is_empty_value(ua))
		return SLICE_NULL;
	return ua;
}

static enum parse_result
squid_native_parse(void *state, struct slice line, struct record *r,
                   struct arena *a)
{
	struct squid_fields f;
	uint64_t n;
	const char *slash;
	bool has_port;
	uint16_t port;

	(void)state;
	(void)a;
	line = slice_trim(line);
	if (line.len == 0)
		return PARSE_SKIP;
	if (!squid_split(line, &f)) {
		r->reason = "too few fields";
		return PARSE_REJECT;
	}
	if (!time_epoch(f.ts, &r->time_ms)) {
		r->reason = "no epoch timestamp in the first field";
		return PARSE_REJECT;
	}
	r->has |= REC_HAS_TIME;
	if (!lex_u64(f.elapsed, &n) || !squid_is_code(f.code) || !f.hier_ok) {
		r->reason = "not a squid native line";
		return PARSE_REJECT;
	}
	if (!lex_u64(f.bytes, &r->bytes_down)) {
		r->reason = "bad byte count";
		return PARSE_REJECT;
	}
	r->has |= REC_HAS_BYTES_DOWN;
	r->src_ip = f.client;
	r->action =
	    slice_find(f.code, "DENIED") ? REC_ACTION_DENY : REC_ACTION_ALLOW;
	if (!slice_is_empty_value(f.user))
		r->user = f.user;
	r->url = f.url;
	r->dst_host = lex_url_parts(f.url, &r->proto, &port, &has_port);
	if (has_port) {
		r->dst_port = port;
		r->has |= REC_HAS_DST_PORT;
	}
	/* The peer is the origin server only when the request went direct. */
	slash = f.hier.p + f.hier_slash;
	if (f.hier_ok && slice_find(f.hier, "DIRECT") != NULL) {
		struct slice peer = slice_make(
		    slash + 1, (size_t)(f.hier.p + f.hier.len - slash - 1));

		if (lex_is_ip(peer))
			r->dst_ip = peer;
	}
	r->user_agent = squid_user_agent(f.rest);
	if (r->dst_host.len == 0 && r->dst_ip.len == 0) {
		r->reason = "no destination";
		return PARSE_PARTIAL;
	}
	return PARSE_OK;
}

const struct parser parser_squid_native = {
    .name = "squid_native",
    .description = "Squid native access.log (logformat squid)",
    .source_id = "SQUID_NATIVE",
    .source_id_syslog = "SQUID_NATIVE_SYSLOG",
    .log_type = 155,
    .max_bid = 8 * 7 * 8,
    .bid = squid_native_bid,
    .parse = squid_native_parse,
};
