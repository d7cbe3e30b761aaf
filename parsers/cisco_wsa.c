/*
 * Cisco Secure Web Appliance (IronPort WSA) access log, MDCA "Cisco
 * IronPort WSA" (CISCO_IRONPORT_PROXY).
 *
 *	[Info: ]%t %e %a %w/%h %s %2r %A %H/%d %c [CMF:.. DCF:.. ERR:..]
 *	    <ACL decision tag> <verdicts> [more fields]
 *	Info: 1649097617.352 7 1.2.3.4 TCP_MISS/302 779 HEAD http://... -
 *	    DIRECT/example.g1.com text/html DEFAULT_CASE_12-DefaultGroup-...
 *	    <"IW_infr",6.8,1,"-",...> - -
 *
 * The first ten fields are Squid's (epoch time, elapsed ms, client,
 * result/status, bytes to the client, method, URL, user, hierarchy/server,
 * MIME type).  What tells a WSA from a Squid is the ACL decision tag
 * ("DEFAULT_CASE_12-...", "BLOCK_WEBCAT_245-...", "PASSTHRU_CUSTOMCAT_7-...")
 * and the "<...>" block of scanning verdicts after it; newer AsyncOS puts
 * "CMF:44 DCF:200020 ERR:15" tokens before the tag.  Over syslog the line
 * starts "Info: ", sometimes behind two syslog headers (a relay).
 *
 * The decision tag gives the action: BLOCK_* and DROP_* are blocked, a
 * TCP_DENIED result too (the 407 of an authentication challenge); other
 * tags (DEFAULT_CASE, ALLOW_*, PASSTHRU_*, MONITOR_*, DECRYPT_*) let the
 * request through.  The access log has no upload byte count.
 */
#include <string.h>

#include "lex.h"
#include "parser.h"
#include "syslog.h"

static bool
wsa_is_upper(char c)
{
	return (unsigned)(c - 'A') < 26 || c == '_';
}

/* "TCP_MISS/200": upper case and '_', a slash, three digits. */
static bool
wsa_is_code(struct slice w)
{
	size_t i = 0;

	while (i < w.len && wsa_is_upper(w.p[i]))
		i++;
	return i > 0 && w.len == i + 4 && w.p[i] == '/' &&
	       (unsigned)(w.p[i + 1] - '0') <= 9 &&
	       (unsigned)(w.p[i + 2] - '0') <= 9 &&
	       (unsigned)(w.p[i + 3] - '0') <= 9;
}

/* "DIRECT/host", "NONE/-": code, slash, something. */
static bool
wsa_is_hier(struct slice w)
{
	size_t i = 0;

	while (i < w.len && wsa_is_upper(w.p[i]))
		i++;
	return i > 0 && i + 1 < w.len && w.p[i] == '/';
}

/* "DEFAULT_CASE_12-Group-...", "OTHER-NONE-...": upper case, then '-'. */
static bool
wsa_is_tag(struct slice w)
{
	size_t i = 0;

	while (i < w.len &&
	       (wsa_is_upper(w.p[i]) || (unsigned)(w.p[i] - '0') <= 9))
		i++;
	return i > 1 && i + 1 < w.len && w.p[i] == '-' && wsa_is_upper(w.p[0]);
}

struct wsa_fields {
	bool info; /* "Info: " was there */
	struct slice ts, elapsed, client, code, bytes, method, url, user, hier;
	struct slice mime, tag;
};

/* The body after any relay header and the "Info: " prefix. */
static struct slice
wsa_body(struct slice line, bool *info)
{
	struct syslog_hdr h;

	line = slice_trim(line);
	/* A relay's header in front of the appliance's own. */
	if (line.len > 0 &&
	    (line.p[0] == '<' || !slice_starts(line, "Info:")) &&
	    (unsigned)(line.p[0] - '0') > 9 && syslog_parse(line, 0, &h))
		line = slice_trim(h.body);
	/* RFC 5424 with no structured data: the body starts with "- ". */
	if (slice_starts(line, "- "))
		line = slice_trim(slice_make(line.p + 2, line.len - 2));
	*info = slice_starts(line, "Info: ");
	if (*info)
		line = slice_make(line.p + 6, line.len - 6);
	return line;
}

static bool
wsa_split(struct slice line, struct wsa_fields *f)
{
	struct slice r, w;

	memset(f, 0, sizeof(*f));
	r = wsa_body(line, &f->info);
	if (!(lex_word(&r, &f->ts) && lex_word(&r, &f->elapsed) &&
	      lex_word(&r, &f->client) && lex_word(&r, &f->code) &&
	      lex_word(&r, &f->bytes) && lex_word(&r, &f->method) &&
	      lex_word(&r, &f->url) && lex_word(&r, &f->user) &&
	      lex_word(&r, &f->hier) && lex_word(&r, &f->mime)))
		return false;
	/* "CMF:44 DCF:200020 ERR:15" (AsyncOS 14+), then the tag. */
	do {
		if (!lex_word(&r, &w))
			return false;
	} while (memchr(w.p, ':', w.len) != NULL);
	if (!wsa_is_tag(w))
		return false;
	f->tag = w;
	r = slice_trim(r);
	return r.len > 0 && r.p[0] == '<';
}

/* The checks a bid counts: 8 points each. */
static int
wsa_score(const struct wsa_fields *f)
{
	int64_t ms;
	uint64_t n;

	if (!time_epoch(f->ts, &ms) || !lex_u64(f->elapsed, &n) ||
	    !wsa_is_code(f->code) || !lex_u64(f->bytes, &n) ||
	    !wsa_is_hier(f->hier))
		return 0;
	/* Squid's six checks, the tag and the verdict block. */
	return 8 * 8 + (lex_is_ip(f->client) ? 8 : 0) + (f->info ? 8 * 6 : 0);
}

static int
cisco_wsa_bid(const struct peek *pk)
{
	int bid = 0;

	for (size_t i = 0; i < pk->nlines; i++) {
		struct wsa_fields f;

		if (wsa_split(pk->body[i], &f))
			bid += wsa_score(&f);
	}
	return bid;
}

static enum parse_result
cisco_wsa_parse(void *state, struct slice line, struct record *r,
                struct arena *a)
{
	struct wsa_fields f;
	const char *slash, *sep;
	uint16_t port;
	bool has_port;

	(void)state;
	(void)a;
	line = slice_trim(line);
	if (line.len == 0)
		return PARSE_SKIP;
	if (!wsa_split(line, &f)) {
		r->reason =
		    "not a WSA access line (no decision tag or verdicts)";
		return PARSE_REJECT;
	}
	if (!time_epoch(f.ts, &r->time_ms)) {
		r->reason = "no epoch timestamp";
		return PARSE_REJECT;
	}
	r->has |= REC_HAS_TIME;
	if (wsa_score(&f) == 0 || !lex_u64(f.bytes, &r->bytes_down)) {
		r->reason = "malformed squid fields";
		return PARSE_REJECT;
	}
	r->has |= REC_HAS_BYTES_DOWN;
	if (lex_is_ip(f.client))
		r->src_ip = f.client;
	if (!slice_is_empty_value(f.user))
		r->user = f.user;
	if (slice_starts(f.tag, "BLOCK_") || slice_starts(f.tag, "DROP") ||
	    slice_find(f.code, "DENIED") != NULL)
		r->action = REC_ACTION_DENY;
	else if (slice_starts(f.tag, "OTHER-"))
		r->action = REC_ACTION_UNKNOWN;
	else
		r->action = REC_ACTION_ALLOW;
	r->url = f.url;
	r->dst_host = lex_url_host(f.url, &port, &has_port);
	if (has_port) {
		r->dst_port = port;
		r->has |= REC_HAS_DST_PORT;
	}
	if ((sep = slice_find(f.url, "://")) != NULL && sep > f.url.p)
		r->proto = slice_make(f.url.p, (size_t)(sep - f.url.p));
	/* The server the WSA went to: "DIRECT/5.6.7.8" or a name. */
	slash = memchr(f.hier.p, '/', f.hier.len);
	if (slash != NULL) {
		struct slice peer = slice_make(
		    slash + 1, (size_t)(f.hier.p + f.hier.len - slash - 1));

		if (lex_is_ip(peer))
			r->dst_ip = peer;
		else if (r->dst_host.len == 0 && !slice_is_empty_value(peer))
			r->dst_host = peer;
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

const struct parser parser_cisco_wsa = {
    .name = "cisco_wsa",
    .description = "Cisco Secure Web Appliance / IronPort WSA access log",
    .source_id = "CISCO_IRONPORT_PROXY",
    .source_id_syslog = "CISCO_IRONPORT_PROXY_SYSLOG",
    .log_type = 106,
    .max_bid = 8 * (8 * 8 + 8 + 8 * 6),
    .bid = cisco_wsa_bid,
    .parse = cisco_wsa_parse,
};
