/*
 * Cisco Meraki MX/MR syslog, MDCA "Cisco Meraki - URLs log"
 * (MACHINE_ZONE_MERAKI).
 *
 *	<134>1 1647479503.676404537 MX84 urls src=10.0.0.234:56424
 *	    dst=89.160.20.112:443 mac=64:1C:AE:68:2A:01 [agent='...']
 *	    request: GET https://lh3.googleusercontent.com/p/AFVnnY
 *	<134>1 1647478988.289402144 MX84_4 flows allow src=10.0.2.170
 *	    dst=10.0.0.34 mac=... protocol=udp sport=54841 dport=15600
 *	1673277244.954105815 FW_MX_01 firewall src=1.2.3.4 dst=5.6.7.8
 *	    protocol=tcp sport=42644 dport=543 pattern: 1 all
 *
 * Meraki's header looks like RFC 5424 but is "<PRI>1 EPOCH.NANOS DEVICE
 * TYPE" with no app, procid or msgid, so the generic header parser would
 * eat the first key=value pairs: this parser takes the raw line
 * (PARSER_RAW_LINE) and reads the header itself.  A relay may put an RFC
 * 3164 header in front ("Apr 20 14:36:35 192.168.10.1 1 948077314.9 MX60
 * urls ..."), and collectors often strip everything before the epoch.
 *
 * urls: the client and server as "address:port" (IPv6 unbracketed, the
 * port after the last colon), the user agent single-quoted with blanks,
 * then "request: METHOD URL" to the end of the line (Meraki cuts long URLs
 * with "...").  No user, bytes or verdict: the action stays unknown.
 *
 * flows, firewall, vpn_firewall, cellular_firewall,
 * bridge_anyconnect_client_vpn_firewall (MX 18.101 renamed flows): an
 * optional "allow"/"deny", key=value pairs, and "pattern: <rule>", where
 * "pattern: 1 ..." is a deny and "pattern: 0 ..." an allow (inbound rules),
 * "pattern: allow|deny ..." the outbound rules' verdict.
 *
 * events, security_event, ids-alerts, airmarshal_events carry no traffic
 * record and are skipped, and so are types this parser does not know.
 */
#include <string.h>

#include "lex.h"
#include "parser.h"
#include "syslog.h"

static bool
meraki_digit(char c)
{
	return (unsigned)(c - '0') <= 9;
}

/* Where the Meraki part ("EPOCH DEVICE TYPE ...") of a line starts. */
static struct slice
meraki_start(struct slice line)
{
	struct syslog_hdr h;
	size_t i = 1;

	line = slice_trim(line);
	/* "<134>1 ": the look-alike header, read here. */
	if (line.len > 4 && line.p[0] == '<') {
		while (i < line.len && i < 5 && meraki_digit(line.p[i]))
			i++;
		if (i > 1 && line.len - i > 3 && line.p[i] == '>' &&
		    line.p[i + 1] == '1' && line.p[i + 2] == ' ' &&
		    meraki_digit(line.p[i + 3]))
			return slice_make(line.p + i + 3, line.len - i - 3);
	}
	if (syslog_parse(line, 0, &h))
		line = slice_trim(h.body);
	if (line.len > 2 && line.p[0] == '1' && line.p[1] == ' ' &&
	    meraki_digit(line.p[2]))
		line = slice_make(line.p + 2, line.len - 2);
	return line;
}

enum meraki_type {
	MERAKI_NONE,
	MERAKI_URLS,
	MERAKI_FLOWS,
	MERAKI_OTHER,   /* a Meraki event that is not traffic */
	MERAKI_UNKNOWN, /* a type not known here */
};

static enum meraki_type
meraki_type(struct slice t)
{
	if (slice_eq(t, "urls"))
		return MERAKI_URLS;
	if (slice_eq(t, "flows") || slice_eq(t, "firewall") ||
	    slice_eq(t, "vpn_firewall") || slice_eq(t, "cellular_firewall") ||
	    slice_eq(t, "bridge_anyconnect_client_vpn_firewall"))
		return MERAKI_FLOWS;
	if (slice_eq(t, "events") || slice_eq(t, "security_event") ||
	    slice_eq(t, "ids-alerts") || slice_eq(t, "airmarshal_events"))
		return MERAKI_OTHER;
	/* A type this parser does not know, named like Meraki's. */
	for (size_t i = 0; i < t.len; i++)
		if ((unsigned)(t.p[i] - 'a') >= 26 && t.p[i] != '_' &&
		    t.p[i] != '-')
			return MERAKI_NONE;
	return t.len > 2 ? MERAKI_UNKNOWN : MERAKI_NONE;
}

struct meraki_head {
	struct slice epoch, device, type, rest;
	enum meraki_type kind;
	int64_t ms;
};

static bool
meraki_head(struct slice line, struct meraki_head *m)
{
	struct slice r = meraki_start(line);

	if (!lex_word(&r, &m->epoch) || !lex_word(&r, &m->device) ||
	    !lex_word(&r, &m->type) || !time_epoch(m->epoch, &m->ms))
		return false;
	m->kind = meraki_type(m->type);
	m->rest = r;
	return m->kind != MERAKI_NONE;
}

static int
meraki_bid(const struct peek *pk)
{
	int bid = 0;

	for (size_t i = 0; i < pk->nlines; i++) {
		struct meraki_head m;

		if (!meraki_head(pk->raw[i], &m) || m.kind == MERAKI_UNKNOWN)
			continue;
		/* Epoch, device, the type keyword (as 5 signature bytes). */
		bid += 8 + 8 + 8 * 5;
		if (slice_find(m.rest, "src=") != NULL)
			bid += 8;
		if (slice_find(m.rest, "dst=") != NULL)
			bid += 8;
	}
	return bid;
}

/*
 * "1.2.3.4:80", "fe80::1:64194" (port after the last colon) when
 * `with_port`, else a plain address.  Masked or odd values ("54.241.7.X.X")
 * give no address.
 */
static void
meraki_addr(struct slice v, bool with_port, struct slice *ip, uint16_t *port,
            unsigned *has, unsigned bit)
{
	const char *c = NULL;

	if (with_port) {
		for (const char *p = v.p; p < v.p + v.len; p++)
			if (*p == ':')
				c = p;
		if (c != NULL) {
			struct slice a = slice_make(v.p, (size_t)(c - v.p));
			struct slice ps =
			    slice_make(c + 1, (size_t)(v.p + v.len - c - 1));

			if (lex_is_ip(a) && lex_port(ps, port)) {
				*ip = a;
				*has |= bit;
				return;
			}
		}
	}
	if (lex_is_ip(v))
		*ip = v;
}

static enum parse_result
meraki_parse(void *state, struct slice line, struct record *r, struct arena *a)
{
	struct meraki_head m;
	struct slice rest, w, req = SLICE_NULL, pattern = SLICE_NULL;
	bool urls;
	const char *p;

	(void)state;
	(void)a;
	line = slice_trim(line);
	if (line.len == 0)
		return PARSE_SKIP;
	if (!meraki_head(line, &m)) {
		r->reason = "no Meraki epoch, device and log type";
		return PARSE_REJECT;
	}
	r->time_ms = m.ms;
	r->has |= REC_HAS_TIME;
	r->device = m.device;
	if (m.kind == MERAKI_OTHER) {
		r->reason = "Meraki event, not traffic";
		return PARSE_SKIP;
	}
	if (m.kind == MERAKI_UNKNOWN) {
		r->reason = "Meraki log type not used for discovery";
		return PARSE_SKIP;
	}
	urls = m.kind == MERAKI_URLS;
	/* The free text after "request: " or "pattern: " ends the pairs. */
	rest = m.rest;
	if ((p = slice_find(rest, urls ? "request: " : "pattern: ")) != NULL) {
		struct slice tail =
		    slice_make(p + 9, (size_t)(rest.p + rest.len - p - 9));

		if (urls)
			req = slice_trim(tail);
		else
			pattern = slice_trim(tail);
		rest.len = (size_t)(p - rest.p);
	}
	while (lex_word(&rest, &w)) {
		const char *eq = memchr(w.p, '=', w.len);
		struct slice k, v;

		if (eq == NULL) {
			if (slice_eq(w, "allow"))
				r->action = REC_ACTION_ALLOW;
			else if (slice_eq(w, "deny"))
				r->action = REC_ACTION_DENY;
			continue;
		}
		k = slice_make(w.p, (size_t)(eq - w.p));
		v = slice_make(eq + 1, (size_t)(w.p + w.len - eq - 1));
		if (slice_eq(k, "agent") && v.len > 0 && v.p[0] == '\'') {
			/* Single-quoted, with blanks: to the last quote. */
			const char *end = rest.p + rest.len, *q = end;

			while (q > v.p + 1 && q[-1] != '\'')
				q--;
			if (q > v.p + 1) {
				struct slice ua = slice_make(
				    v.p + 1, (size_t)(q - 1 - v.p - 1));

				if (!slice_is_empty_value(ua))
					r->user_agent = ua;
				rest = slice_make(q, (size_t)(end - q));
			}
		} else if (slice_eq(k, "src")) {
			meraki_addr(v, urls, &r->src_ip, &r->src_port, &r->has,
			            REC_HAS_SRC_PORT);
		} else if (slice_eq(k, "dst")) {
			meraki_addr(v, urls, &r->dst_ip, &r->dst_port, &r->has,
			            REC_HAS_DST_PORT);
		} else if (slice_eq(k, "protocol")) {
			r->proto = v;
		} else if (slice_eq(k, "sport")) {
			if (lex_port(v, &r->src_port))
				r->has |= REC_HAS_SRC_PORT;
		} else if (slice_eq(k, "dport")) {
			if (lex_port(v, &r->dst_port))
				r->has |= REC_HAS_DST_PORT;
		}
	}
	if (pattern.len > 0) {
		if (slice_starts(pattern, "1 ") ||
		    slice_starts(pattern, "deny"))
			r->action = REC_ACTION_DENY;
		else if (slice_starts(pattern, "0 ") ||
		         slice_starts(pattern, "allow"))
			r->action = REC_ACTION_ALLOW;
	}
	if (urls && req.len > 0) {
		struct slice method;
		uint16_t port;
		bool has_port;
		const char *sep;

		if (lex_word(&req, &method) &&
		    (req = slice_trim(req)).len > 0) {
			r->url = req;
			r->dst_host = lex_url_host(req, &port, &has_port);
			if ((sep = slice_find(req, "://")) != NULL &&
			    sep > req.p)
				r->proto =
				    slice_make(req.p, (size_t)(sep - req.p));
		}
	}
	if (r->src_ip.len == 0) {
		r->reason = "no source address";
		return PARSE_PARTIAL;
	}
	if (r->dst_ip.len == 0 && r->dst_host.len == 0) {
		r->reason = "no destination";
		return PARSE_PARTIAL;
	}
	return PARSE_OK;
}

const struct parser parser_meraki = {
    .name = "meraki",
    .description = "Cisco Meraki MX/MR syslog (urls, flows, firewall)",
    .source_id = "MACHINE_ZONE_MERAKI",
    .source_id_syslog = "MACHINE_ZONE_MERAKI_SYSLOG",
    .log_type = 153,
    .flags = PARSER_RAW_LINE,
    .max_bid = 8 * (8 + 8 + 8 * 5 + 16),
    .bid = meraki_bid,
    .parse = meraki_parse,
};
