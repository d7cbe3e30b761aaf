/*
 * Clavister cOS Core (NetWall) syslog, MDCA "Clavister NGFW (Syslog)".
 *
 *	[2024-05-02 10:15:31] EFW: CONN: prio=1 id=00600002 rev=3
 *	    event=conn_close action=close rule=lan_to_wan conn=close
 *	    connipproto=TCP connrecvif=lan connsrcip=192.168.1.10
 *	    connsrcport=51000 conndestif=wan conndestip=203.0.113.7
 *	    conndestport=443 origsent=1532 termsent=48211 conntime=31
 *
 * The device writes "[date time] EFW: CATEGORY: " before the pairs (its
 * clock, no zone: taken as UTC); behind an RFC 3164 header the driver
 * takes "EFW:" as the tag and the body starts at the category.  Per the
 * cOS Core log reference, connection events carry the "Connection" context
 * (conn*, origsent/termsent on close) and packet events the "Packet
 * Buffer" context (srcip, destip, ipproto, srcport, destport).  Messages
 * with neither (system, HA, VPN) are skipped.
 */
#include <string.h>

#include "kv_family.h"
#include "lex.h"
#include "parser.h"

struct clv_fields {
	struct slice prio, id, event, action, rule;
	struct slice srcip, destip, srcport, destport, ipproto;
	struct slice origsent, termsent, user, url;
	size_t npairs;
};

static void
clv_field(void *arg, struct slice k, struct slice v)
{
	struct clv_fields *f = arg;

	switch (k.p[0]) {
	case 'a':
		if (KVF_KEY(k, "action"))
			f->action = v;
		break;
	case 'c':
		if (KVF_KEY(k, "connsrcip"))
			f->srcip = v;
		else if (KVF_KEY(k, "conndestip"))
			f->destip = v;
		else if (KVF_KEY(k, "connsrcport"))
			f->srcport = v;
		else if (KVF_KEY(k, "conndestport"))
			f->destport = v;
		else if (KVF_KEY(k, "connipproto"))
			f->ipproto = v;
		break;
	case 'd':
		if (KVF_KEY(k, "destip") && f->destip.len == 0)
			f->destip = v;
		else if (KVF_KEY(k, "destport") && f->destport.len == 0)
			f->destport = v;
		break;
	case 'e':
		if (KVF_KEY(k, "event"))
			f->event = v;
		break;
	case 'i':
		if (KVF_KEY(k, "id"))
			f->id = v;
		else if (KVF_KEY(k, "ipproto") && f->ipproto.len == 0)
			f->ipproto = v;
		break;
	case 'o':
		if (KVF_KEY(k, "origsent"))
			f->origsent = v;
		break;
	case 'p':
		if (KVF_KEY(k, "prio"))
			f->prio = v;
		break;
	case 'r':
		if (KVF_KEY(k, "rule"))
			f->rule = v;
		break;
	case 's':
		if (KVF_KEY(k, "srcip") && f->srcip.len == 0)
			f->srcip = v;
		else if (KVF_KEY(k, "srcport") && f->srcport.len == 0)
			f->srcport = v;
		break;
	case 't':
		if (KVF_KEY(k, "termsent"))
			f->termsent = v;
		break;
	case 'u':
		if (KVF_KEY(k, "user") || KVF_KEY(k, "username"))
			f->user = v;
		else if (KVF_KEY(k, "url"))
			f->url = v;
		break;
	}
}

/* "CONN:", "RULE:", "HTTPALG:": an upper-case category and a colon. */
static bool
clv_is_category(struct slice w)
{
	if (w.len < 2 || w.p[w.len - 1] != ':')
		return false;
	for (size_t i = 0; i + 1 < w.len; i++)
		if (!((w.p[i] >= 'A' && w.p[i] <= 'Z') ||
		      (w.p[i] >= '0' && w.p[i] <= '9') || w.p[i] == '_'))
			return false;
	return true;
}

struct clv_prefix {
	bool has_time, has_category;
	int64_t time_ms;
};

/* Take "[date time] ", "EFW: " and "CATEGORY: " off *body. */
static void
clv_take_prefix(struct slice *body, struct clv_prefix *px)
{
	struct slice s = slice_trim(*body), r, w;

	memset(px, 0, sizeof(*px));
	/* RFC 5424 structured data left by the syslog layer: "- ". */
	if (s.len >= 2 && s.p[0] == '-' && s.p[1] == ' ')
		s = slice_trim(slice_make(s.p + 2, s.len - 2));
	if (s.len >= 21 && s.p[0] == '[' && s.p[20] == ']' &&
	    kvf_date_time(slice_make(s.p + 1, 10), slice_make(s.p + 12, 8),
	                  &px->time_ms) &&
	    s.p[11] == ' ') {
		px->has_time = true;
		s = slice_make(s.p + 21, s.len - 21);
	}
	r = s;
	if (lex_word(&r, &w) && slice_eq(w, "EFW:"))
		s = r;
	r = s;
	if (lex_word(&r, &w) && clv_is_category(w)) {
		px->has_category = true;
		s = r;
	}
	*body = s;
}

static enum kvf_status
clv_scan(struct slice body, struct clv_fields *f)
{
	memset(f, 0, sizeof(*f));
	return kvf_scan(body, clv_field, f, &f->npairs);
}

/* id=00600002: eight digits, the first three the category. */
static bool
clv_is_id(struct slice s)
{
	uint64_t n;

	return s.len == 8 && lex_u64(s, &n);
}

static int
clv_bid(const struct peek *pk)
{
	int bid = 0;

	for (size_t i = 0; i < pk->nlines; i++) {
		struct slice body = pk->body[i];
		struct clv_prefix px;
		struct clv_fields f;
		uint64_t n64;
		int n;

		/* Its keys are not in the line: no need to read it. */
		if (!slice_find(pk->body[i], "event"))
			continue;
		clv_take_prefix(&body, &px);
		if (clv_scan(body, &f) != KVF_END || !clv_is_id(f.id) ||
		    f.event.len == 0 || !px.has_category)
			continue;
		n = 3; /* category, id, event */
		n += px.has_time;
		n += lex_u64(f.prio, &n64);
		n += f.action.len > 0;
		n += lex_is_ip(f.srcip);
		n += lex_is_ip(f.destip);
		bid += 8 * n;
	}
	return bid;
}

static enum parse_result
clv_parse(void *state, struct slice line, struct record *r, struct arena *a)
{
	static const char *const deny[] = {"drop", "reject", "deny", "block",
	                                   NULL};
	static const char *const allow[] = {
	    "allow", "accept", "close", "open", "fwdfast", "nat", "sat", NULL};
	struct clv_prefix px;
	struct clv_fields f;
	uint16_t port;
	bool has_port;

	(void)state;
	line = slice_trim(line);
	if (line.len == 0)
		return PARSE_SKIP;
	clv_take_prefix(&line, &px);
	if (clv_scan(line, &f) != KVF_END) {
		r->reason = "malformed key=value pair (unterminated quote?)";
		return PARSE_REJECT;
	}
	if (!clv_is_id(f.id) || f.event.len == 0) {
		r->reason = "no id or event: not a clavister line";
		return PARSE_REJECT;
	}
	if (f.srcip.len == 0 && f.destip.len == 0) {
		r->reason = "not a traffic record";
		return PARSE_SKIP;
	}
	if (px.has_time) {
		r->time_ms = px.time_ms;
		r->has |= REC_HAS_TIME;
	}
	r->src_ip = kvf_value(f.srcip);
	r->dst_ip = kvf_value(f.destip);
	kvf_port(r, f.srcport, &r->src_port, REC_HAS_SRC_PORT);
	kvf_port(r, f.destport, &r->dst_port, REC_HAS_DST_PORT);
	r->url = kvf_unescape(kvf_value(f.url), a);
	if (r->url.len > 0)
		r->dst_host = lex_url_host(r->url, &port, &has_port);
	r->proto = kvf_proto(SLICE_NULL, f.ipproto, a);
	r->user = kvf_unescape(kvf_value(f.user), a);
	/* The originator (client) sent origsent, the terminator termsent. */
	kvf_bytes(r, f.origsent, &r->bytes_up, REC_HAS_BYTES_UP);
	kvf_bytes(r, f.termsent, &r->bytes_down, REC_HAS_BYTES_DOWN);
	if (kvf_is_one_of(f.action, deny))
		r->action = REC_ACTION_DENY;
	else if (kvf_is_one_of(f.action, allow))
		r->action = REC_ACTION_ALLOW;
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

const struct parser parser_clavister = {
    .name = "clavister",
    .description = "Clavister cOS Core syslog (CONN, RULE, ALG events)",
    .source_id = "CLAVISTER_SYSLOG",
    .source_id_syslog = "CLAVISTER_SYSLOG",
    .log_type = 165,
    .max_bid = 8 * 8 * PEEK_LINES,
    .bid = clv_bid,
    .parse = clv_parse,
};
