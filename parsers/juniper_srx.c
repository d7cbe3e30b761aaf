/*
 * Juniper SRX session logs (RT_FLOW, APPTRACK, web filtering), MDCA
 * "Juniper SRX".
 *
 * Junos writes security logs in the format `set security log format`
 * chooses, and MDCA has one source type per choice:
 *
 *	sd-syslog  RFC 5424 with structured data	JUNIPER_SRX_SD_SYSLOG
 *	  <14>1 2019-04-12T14:29:06.576Z fw RT_FLOW - RT_FLOW_SESSION_CLOSE
 *	      [junos@2636.1.1.1.2.35 reason="TCP FIN" source-address="10.3.
 *	      255.203" source-port="47776" destination-address="…" …
 *	      bytes-from-client="337" … bytes-from-server="535" …]
 *	syslog	   the unstructured ("standard") text	JUNIPER_SRX_SYSLOG
 *	  RT_FLOW: RT_FLOW_SESSION_CLOSE: session closed TCP FIN: 10.10.10.2/
 *	      53836->10.10.10.1/22 junos-ssh 10.10.10.2/53836->10.10.10.1/22
 *	      None None 6 log-host-traffic untrust junos-host 5 78(6657)
 *	      122(13305) 45 UNKNOWN UNKNOWN N/A(N/A) ge-0/0/1.0 No
 *	welf	   WebTrends (JUNIPER_SRX_WELF_SYSLOG): not parsed here.
 *
 * Only the _SYSLOG ids are in MDCA's upload list, so both are used for
 * files too; the source type is set per record.  The structured form keeps
 * the event name in the RFC 5424 MSGID (hence PARSER_RAW_LINE), or as the
 * first word when a collector stripped the header.  In the text form the
 * close reason has spaces and newer releases insert "0x0" connection tags
 * and more columns, so it is read by shape: the first "a/p->b/p" pair is
 * the session, the first two "pkts(bytes)" words the client and server
 * counters, the first "user(roles)" word the user.
 *
 * A SESSION_CREATE has no byte counts and is still a complete record.
 * Events that are not sessions (screens, IDP, AV) are skipped.
 */
#include <string.h>

#include "lex.h"
#include "parser.h"
#include "sd_family.h"
#include "syslog.h"

#define SRX_SD   "JUNIPER_SRX_SD_SYSLOG"
#define SRX_TEXT "JUNIPER_SRX_SYSLOG"

enum srx_kind {
	SRX_NONE,
	SRX_CREATE, /* allowed, no counters yet */
	SRX_CLOSE,  /* allowed, with counters */
	SRX_DENY,
	SRX_URL_ALLOW, /* WEBFILTER_URL_PERMITTED */
	SRX_URL_DENY,  /* WEBFILTER_URL_BLOCKED */
	SRX_OTHER,     /* a Junos event, not a session */
};

/* "RT_FLOW_SESSION_CLOSE_LS" and friends; the tag may end in ':'. */
static enum srx_kind
srx_kind(struct slice ev)
{
	static const struct {
		const char *name;
		enum srx_kind kind;
	} evs[] = {
	    {"RT_FLOW_SESSION_CREATE", SRX_CREATE},
	    {"RT_FLOW_SESSION_CLOSE", SRX_CLOSE},
	    {"RT_FLOW_SESSION_DENY", SRX_DENY},
	    {"APPTRACK_SESSION_CREATE", SRX_CREATE},
	    {"APPTRACK_SESSION_CLOSE", SRX_CLOSE},
	    {"APPTRACK_SESSION_VOL_UPDATE", SRX_CLOSE},
	    {"WEBFILTER_URL_PERMITTED", SRX_URL_ALLOW},
	    {"WEBFILTER_URL_BLOCKED", SRX_URL_DENY},
	};

	if (ev.len > 0 && ev.p[ev.len - 1] == ':')
		ev.len--;
	if (ev.len > 3 && memcmp(ev.p + ev.len - 3, "_LS", 3) == 0)
		ev.len -= 3; /* logical-system variants */
	for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++)
		if (slice_eq(ev, evs[i].name))
			return evs[i].kind;
	/* Junos tags: upper case, digits and '_', at least one '_'. */
	if (ev.len < 3 || memchr(ev.p, '_', ev.len) == NULL)
		return SRX_NONE;
	for (size_t i = 0; i < ev.len; i++)
		if (!((ev.p[i] >= 'A' && ev.p[i] <= 'Z') || ev.p[i] == '_' ||
		      (unsigned)(ev.p[i] - '0') <= 9))
			return SRX_NONE;
	return SRX_OTHER;
}

static void
srx_action(struct record *r, enum srx_kind k)
{
	r->action = (k == SRX_DENY || k == SRX_URL_DENY) ? REC_ACTION_DENY
	                                                 : REC_ACTION_ALLOW;
}

static void
srx_set_u64(struct record *r, struct slice v, unsigned bit, uint64_t *dst)
{
	if (lex_u64(v, dst))
		r->has |= bit;
}

static void
srx_set_port(struct record *r, struct slice v, unsigned bit, uint16_t *dst)
{
	if (lex_port(v, dst))
		r->has |= bit;
}

/* The pairs of a junos@ element. */
static enum parse_result
srx_parse_sd(struct slice params, enum srx_kind kind, struct record *r,
             struct arena *a)
{
	struct slice k, v, url = SLICE_NULL;
	bool q;

	/* "N/A" values are cleared once, after the loop. */
	while (lex_kv(&params, &k, &v, &q)) {
		if (SD_KEY_IS(k, "source-address"))
			r->src_ip = v;
		else if (SD_KEY_IS(k, "destination-address"))
			r->dst_ip = v;
		else if (SD_KEY_IS(k, "source-port"))
			srx_set_port(r, v, REC_HAS_SRC_PORT, &r->src_port);
		else if (SD_KEY_IS(k, "destination-port"))
			srx_set_port(r, v, REC_HAS_DST_PORT, &r->dst_port);
		else if (SD_KEY_IS(k, "protocol-id"))
			r->proto = sd_proto_name(v, a);
		else if (SD_KEY_IS(k, "username"))
			r->user = sd_unescape(v, a);
		else if (SD_KEY_IS(k, "bytes-from-client"))
			srx_set_u64(r, v, REC_HAS_BYTES_UP, &r->bytes_up);
		else if (SD_KEY_IS(k, "bytes-from-server"))
			srx_set_u64(r, v, REC_HAS_BYTES_DOWN, &r->bytes_down);
		else if (SD_KEY_IS(k, "url"))
			url = sd_unescape(v, a);
	}
	if (slice_trim(params).len > 0) {
		r->reason = "malformed structured data";
		return PARSE_REJECT;
	}
	if (slice_is_empty_value(r->dst_ip))
		r->dst_ip = SLICE_NULL;
	if (slice_is_empty_value(r->user))
		r->user = SLICE_NULL;
	if (slice_is_empty_value(r->proto))
		r->proto = SLICE_NULL;
	if (slice_is_empty_value(url))
		url = SLICE_NULL;
	/* Web filtering logs the host name alone ("www.example.com"). */
	if (url.len > 0 && (kind == SRX_URL_ALLOW || kind == SRX_URL_DENY)) {
		uint16_t port;
		bool has_port;

		r->url = url;
		r->dst_host = slice_find(url, "://") != NULL
		                  ? lex_url_host(url, &port, &has_port)
		                  : lex_hostport(url, &port, &has_port);
	}
	srx_action(r, kind);
	if (r->src_ip.len == 0 || !lex_is_ip(r->src_ip)) {
		r->reason = "no source address";
		return PARSE_REJECT;
	}
	if (r->dst_ip.len == 0 && r->dst_host.len == 0) {
		r->reason = "no destination";
		return PARSE_PARTIAL;
	}
	return PARSE_OK;
}

/* "10.0.0.1/1234" or "2001:db8::1/443": the port is after the last '/'. */
static bool
srx_endpoint(struct slice s, struct slice *ip, uint16_t *port)
{
	const char *slash = NULL;

	for (size_t i = s.len; i > 0; i--)
		if (s.p[i - 1] == '/') {
			slash = s.p + i - 1;
			break;
		}
	if (slash == NULL)
		return false;
	*ip = slice_make(s.p, (size_t)(slash - s.p));
	return lex_is_ip(*ip) &&
	       lex_port(
	           slice_make(slash + 1, (size_t)(s.p + s.len - slash - 1)),
	           port);
}

/* "src/sport->dst/dport". */
static bool
srx_pair(struct slice w, struct record *r)
{
	const char *arrow = slice_find(w, "->");

	if (arrow == NULL ||
	    !srx_endpoint(slice_make(w.p, (size_t)(arrow - w.p)), &r->src_ip,
	                  &r->src_port) ||
	    !srx_endpoint(
	        slice_make(arrow + 2, (size_t)(w.p + w.len - arrow - 2)),
	        &r->dst_ip, &r->dst_port))
		return false;
	r->has |= REC_HAS_SRC_PORT | REC_HAS_DST_PORT;
	return true;
}

/* "X(Y)": *in is X, *inner is Y. */
static bool
srx_paren(struct slice w, struct slice *out, struct slice *inner)
{
	const char *lp;

	if (w.len < 3 || w.p[w.len - 1] != ')' ||
	    (lp = memchr(w.p, '(', w.len)) == NULL)
		return false;
	*out = slice_make(w.p, (size_t)(lp - w.p));
	*inner = slice_make(lp + 1, (size_t)(w.p + w.len - lp - 2));
	return true;
}

/* The unstructured text after "RT_FLOW_SESSION_xxx: ". */
static enum parse_result
srx_parse_text(struct slice rest, enum srx_kind kind, struct record *r,
               struct arena *a)
{
	struct slice w, out, in;
	const char *colon;
	bool pair = false, proto = false;
	int ncount = 0;

	/* "session closed TCP CLIENT RST: " – the reason ends at ": ". */
	if (kind == SRX_CLOSE && (colon = slice_find(rest, ": ")) != NULL)
		rest = slice_make(colon + 2,
		                  (size_t)(rest.p + rest.len - colon - 2));
	while (lex_word(&rest, &w)) {
		uint64_t n, m;
		bool paren;

		if (!pair) {
			pair = srx_pair(w, r);
			continue;
		}
		if (!proto && lex_u64(w, &n) && n <= 255) {
			/* The first bare number after the pairs. */
			r->proto = sd_proto_name(w, a);
			proto = true;
			continue;
		}
		paren = srx_paren(w, &out, &in);
		if (paren && lex_u64(out, &n) && lex_u64(in, &m)) {
			if (kind == SRX_DENY && !proto) {
				/* DENY writes "protocol(icmp-type)". */
				r->proto = sd_proto_name(out, a);
				proto = true;
			} else if (kind == SRX_CLOSE && ncount == 0) {
				/* "packets(bytes)", client to server first. */
				r->bytes_up = m;
				r->has |= REC_HAS_BYTES_UP;
				ncount++;
			} else if (kind == SRX_CLOSE && ncount == 1) {
				r->bytes_down = m;
				r->has |= REC_HAS_BYTES_DOWN;
				ncount++;
			}
			continue;
		}
		if (paren) {
			/* "user(roles)", "N/A(N/A)" when there is none. */
			if (!slice_is_empty_value(out))
				r->user = out;
			break;
		}
	}
	srx_action(r, kind);
	if (!pair) {
		r->reason = "no source/port->destination/port pair";
		return PARSE_REJECT;
	}
	return PARSE_OK;
}

static enum parse_result
srx_parse(void *state, struct slice line, struct record *r, struct arena *a)
{
	struct syslog_hdr h;
	struct slice body, ev = SLICE_NULL, id, params, rest;
	enum srx_kind kind;

	(void)state;
	if (slice_trim(line).len == 0)
		return PARSE_SKIP;
	syslog_parse(line, r->has & REC_HAS_TIME ? r->time_ms : 0, &h);
	body = slice_trim(h.body);
	if (h.rfc5424 && h.msgid.len > 0 && !slice_eq(h.msgid, "-"))
		ev = h.msgid;
	else {
		/* "RT_FLOW_SESSION_DENY [junos@…" or "RT_FLOW_…: session …". */
		rest = body;
		if (!lex_word(&rest, &ev)) {
			r->reason = "empty message";
			return PARSE_REJECT;
		}
		body = slice_trim(rest);
	}
	kind = srx_kind(ev);
	if (kind == SRX_NONE) {
		r->reason = "no Junos event name";
		return PARSE_REJECT;
	}
	if (body.len > 0 && body.p[0] == '[' &&
	    !sd_element(body, &id, &params)) {
		r->reason = "structured data cut short";
		return PARSE_REJECT;
	}
	if (sd_element(body, &id, &params)) {
		if (!slice_starts(id, "junos@")) {
			r->reason = "not a junos@ structured-data element";
			return PARSE_REJECT;
		}
		r->source_type = SRX_SD;
		if (kind == SRX_OTHER) {
			r->reason = "not a session event";
			return PARSE_SKIP;
		}
		return srx_parse_sd(params, kind, r, a);
	}
	r->source_type = SRX_TEXT;
	if (kind == SRX_OTHER || kind == SRX_URL_ALLOW ||
	    kind == SRX_URL_DENY) {
		r->reason = "not a session event";
		return PARSE_SKIP;
	}
	if (ev.p[ev.len - 1] != ':') {
		r->reason = "no ':' after the event name";
		return PARSE_REJECT;
	}
	return srx_parse_text(body, kind, r, a);
}

/*
 * 8 per byte of "RT_FLOW_SESSION_"/"APPTRACK_SESSION_" found (16/17), of
 * "[junos@" (7), and 8 per address or pair that is well formed.
 */
#define SRX_LINE_MAX (8 * (17 + 7 + 2))

static int
srx_bid(const struct peek *pk)
{
	int bid = 0;

	for (size_t i = 0; i < pk->nlines; i++) {
		/* The raw line: RFC 5424 keeps the event name in the MSGID. */
		struct slice b = pk->raw[i], k, v, w, rest;
		const char *sig, *sd;
		struct record r;
		int line = 0;
		bool q;

		if ((sig = slice_find(b, "RT_FLOW_SESSION_")) != NULL)
			line += 8 * 16;
		else if ((sig = slice_find(b, "APPTRACK_SESSION_")) != NULL)
			line += 8 * 17;
		else if ((sig = slice_find(b, "WEBFILTER_URL_")) != NULL)
			line += 8 * 14;
		else
			continue;
		if ((sd = slice_find(b, "[junos@")) != NULL) {
			line += 8 * 7;
			rest = slice_make(sd, (size_t)(b.p + b.len - sd));
			while (lex_kv(&rest, &k, &v, &q))
				if ((SD_KEY_IS(k, "source-address") ||
				     SD_KEY_IS(k, "destination-address")) &&
				    lex_is_ip(v))
					line += 8;
		} else {
			rest = slice_make(sig, (size_t)(b.p + b.len - sig));
			memset(&r, 0, sizeof(r));
			for (int n = 0; n < 12 && lex_word(&rest, &w); n++)
				if (srx_pair(w, &r)) {
					line += 16;
					break;
				}
		}
		bid += line > SRX_LINE_MAX ? SRX_LINE_MAX : line;
	}
	return bid;
}

const struct parser parser_juniper_srx = {
    .name = "juniper_srx",
    .description = "Juniper SRX session logs (sd-syslog and syslog)",
    .source_id = SRX_TEXT,
    .source_id_syslog = SRX_TEXT,
    .log_type = 147, /* JUNIPER_SRX_SYSLOG; SD records are 173 */
    .flags = PARSER_RAW_LINE,
    .max_bid = SRX_LINE_MAX * PEEK_LINES,
    .bid = srx_bid,
    .parse = srx_parse,
};
