/*
 * Palo Alto Networks PAN-OS syslog CSV, MDCA "Palo Alto series Firewall".
 *
 *	FUTURE_USE,Receive Time,Serial,Type,Subtype,FUTURE_USE,Generated Time,
 *	Src,Dst,NAT Src,NAT Dst,Rule,Src User,Dst User,Application,Vsys,
 *	From Zone,To Zone,Inbound IF,Outbound IF,Log Action,FUTURE_USE,
 *	Session ID,Repeat Count,Src Port,Dst Port,NAT Src Port,NAT Dst Port,
 *	Flags,Protocol,Action, ...
 *
 * The first 31 columns are the same in TRAFFIC and THREAT logs of PAN-OS
 * 8.x to 11.x.  TRAFFIC goes on with Bytes, Bytes Sent (client to server),
 * Bytes Received; THREAT with URL/Filename (the `misc` field: a URL without
 * a scheme in url-subtype logs, a file name in the others), Threat ID, ...
 * and the User Agent in column 47.  Every release appends columns, so only
 * these leading positions are read.
 *
 *	1,2018/11/30 16:09:07,012801096514,TRAFFIC,end,2049,2018/11/30 ...
 *
 * Times are the firewall's local time without a zone; they are taken as
 * UTC, like every zone-less time in discolog.  The generated time (when
 * the data plane logged the session) is preferred to the receive time.
 *
 * Fields are quoted when they hold commas, with "" or \" for a quote; some
 * releases wrap a whole field in \"...\" instead.  SYSTEM, CONFIG,
 * HIP-MATCH, GLOBALPROTECT, USERID, ... logs describe the firewall, not
 * traffic: they are skipped.
 */
#include <string.h>

#include "csv_family.h"
#include "lex.h"
#include "parser.h"

#define PAN_NFIELDS 47 /* the most we read: THREAT's User Agent */

enum {
	PAN_RECEIVED = 1,
	PAN_TYPE = 3,
	PAN_SUBTYPE = 4,
	PAN_GENERATED = 6,
	PAN_SRC = 7,
	PAN_DST = 8,
	PAN_USER = 12,
	PAN_SPORT = 24,
	PAN_DPORT = 25,
	PAN_PROTO = 29,
	PAN_ACTION = 30,
	PAN_BYTES = 31, /* TRAFFIC */
	PAN_SENT = 32,  /* TRAFFIC */
	PAN_RCVD = 33,  /* TRAFFIC */
	PAN_MISC = 31,  /* THREAT: URL or file name */
	PAN_UA = 46,    /* THREAT */
};

/* Log types PAN-OS writes in column 4; the first two carry traffic. */
static const char *const pan_types[] = {
    "TRAFFIC",     "THREAT",     "URL",       "SYSTEM",
    "CONFIG",      "HIPMATCH",   "HIP-MATCH", "GLOBALPROTECT",
    "USERID",      "DECRYPTION", "TUNNEL",    "AUTHENTICATION",
    "CORRELATION", "SCTP",       "IPTAG",     "GTP",
};

static bool
pan_is_type(struct slice s)
{
	for (size_t i = 0; i < sizeof(pan_types) / sizeof(pan_types[0]); i++)
		if (slice_eq(s, pan_types[i]))
			return true;
	return false;
}

/* The leading "1," (FUTURE_USE), receive time and type: is it PAN-OS? */
static bool
pan_head(const struct slice *f, size_t n)
{
	int64_t ms;

	return n > PAN_TYPE && csvf_digits(f[0]) &&
	       csvf_time_ymd(f[PAN_RECEIVED], &ms) && pan_is_type(f[PAN_TYPE]);
}

static int
paloalto_bid(const struct peek *pk)
{
	int bid = 0;

	for (size_t i = 0; i < pk->nlines; i++) {
		struct slice f[PAN_DST + 1];
		size_t n = csvf_split(pk->body[i], f, NULL, PAN_DST + 1);
		int64_t ms;

		if (!pan_head(f, n))
			continue;
		/* The type literal, and the FUTURE_USE and time fields. */
		bid += 8 * (int)f[PAN_TYPE].len + 8 * 2;
		if (n > PAN_DST && csvf_time_ymd(f[PAN_GENERATED], &ms))
			bid += 8;
		if (n > PAN_DST && lex_is_ip(f[PAN_SRC]) &&
		    lex_is_ip(f[PAN_DST]))
			bid += 8 * 2;
	}
	return bid;
}

/*
 * Action column: allow, deny, drop, drop-icmp, reset-client, reset-server,
 * reset-both (TRAFFIC); alert, allow, continue, override, block-url,
 * block-continue, block-override, override-lockout, sinkhole, block-ip
 * (THREAT).
 */
static enum rec_action
pan_action(struct slice a)
{
	if (slice_eq(a, "allow") || slice_eq(a, "alert") ||
	    slice_eq(a, "continue") || slice_eq(a, "override"))
		return REC_ACTION_ALLOW;
	if (slice_find(a, "block") || slice_find(a, "deny") ||
	    slice_find(a, "drop") || slice_find(a, "reset") ||
	    slice_eq(a, "sinkhole") || slice_eq(a, "override-lockout"))
		return REC_ACTION_DENY;
	return REC_ACTION_UNKNOWN;
}

static void
pan_bytes(struct slice s, uint64_t *v, unsigned bit, struct record *r)
{
	if (lex_u64(s, v))
		r->has |= bit;
}

static enum parse_result
paloalto_parse(void *state, struct slice line, struct record *r,
               struct arena *a)
{
	struct slice f[PAN_NFIELDS];
	bool q[PAN_NFIELDS];
	size_t n;
	bool traffic, threat;
	struct slice v;

	(void)state;
	/* RFC 5424 structured data, when the driver left it. */
	line = slice_trim(line);
	if (line.len == 0)
		return PARSE_SKIP;
	n = csvf_split(line, f, q, PAN_NFIELDS);
	if (!pan_head(f, n)) {
		r->reason = "not a pan-os csv log";
		return PARSE_REJECT;
	}
	traffic = slice_eq(f[PAN_TYPE], "TRAFFIC");
	threat =
	    slice_eq(f[PAN_TYPE], "THREAT") || slice_eq(f[PAN_TYPE], "URL");
	if (!traffic && !threat) {
		r->reason = "pan-os log type without traffic";
		return PARSE_SKIP;
	}
	if (n <= PAN_ACTION) {
		r->reason = "line cut short";
		return PARSE_REJECT;
	}
	if (csvf_time_ymd(f[PAN_GENERATED], &r->time_ms) ||
	    csvf_time_ymd(f[PAN_RECEIVED], &r->time_ms))
		r->has |= REC_HAS_TIME;
	if (lex_is_ip(f[PAN_SRC]))
		r->src_ip = f[PAN_SRC];
	if (lex_is_ip(f[PAN_DST]))
		r->dst_ip = f[PAN_DST];
	if ((v = csvf_value(f[PAN_USER], q[PAN_USER], a)).len)
		r->user = v;
	if (lex_port(f[PAN_SPORT], &r->src_port))
		r->has |= REC_HAS_SRC_PORT;
	if (lex_port(f[PAN_DPORT], &r->dst_port))
		r->has |= REC_HAS_DST_PORT;
	if (!slice_is_empty_value(f[PAN_PROTO]))
		r->proto = f[PAN_PROTO];
	r->action = pan_action(f[PAN_ACTION]);
	/* A TRAFFIC deny or drop subtype is a refused session, whatever the
	 * action column says. */
	if (traffic && (slice_eq(f[PAN_SUBTYPE], "deny") ||
	                slice_eq(f[PAN_SUBTYPE], "drop")))
		r->action = REC_ACTION_DENY;
	if (traffic && n > PAN_RCVD) {
		pan_bytes(f[PAN_SENT], &r->bytes_up, REC_HAS_BYTES_UP, r);
		pan_bytes(f[PAN_RCVD], &r->bytes_down, REC_HAS_BYTES_DOWN, r);
		if (!(r->has & (REC_HAS_BYTES_UP | REC_HAS_BYTES_DOWN)))
			pan_bytes(f[PAN_BYTES], &r->bytes_total,
			          REC_HAS_BYTES_TOTAL, r);
	}
	if (threat && n > PAN_MISC &&
	    (slice_eq(f[PAN_SUBTYPE], "url") || slice_eq(f[PAN_TYPE], "URL")) &&
	    (v = csvf_value(f[PAN_MISC], q[PAN_MISC], a)).len) {
		uint16_t port;
		bool has_port;

		r->url = v;
		r->dst_host = csvf_url_host(v, &port, &has_port);
	}
	if (threat && n > PAN_UA &&
	    (v = csvf_value(f[PAN_UA], q[PAN_UA], a)).len)
		r->user_agent = v;
	if (r->src_ip.len == 0 ||
	    (r->dst_ip.len == 0 && r->dst_host.len == 0)) {
		r->reason = "no source or destination address";
		return PARSE_PARTIAL;
	}
	return PARSE_OK;
}

const struct parser parser_paloalto = {
    .name = "paloalto",
    .description = "Palo Alto Networks PAN-OS syslog CSV (TRAFFIC, THREAT)",
    .source_id = "PALO_ALTO",
    .source_id_syslog = "PALO_ALTO_SYSLOG",
    .log_type = 112,
    .max_bid = PEEK_LINES * 8 * (14 + 2 + 1 + 2),
    .bid = paloalto_bid,
    .parse = paloalto_parse,
};
