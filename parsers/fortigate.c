/*
 * Fortinet FortiGate / FortiOS key=value logs, MDCA "Fortinet Fortigate".
 *
 *	date=2019-05-10 time=11:37:47 logid="0000000013" type="traffic"
 *	    subtype="forward" ... eventtime=1557513467369913239 tz="-0800"
 *	    srcip=10.1.100.11 srcport=58012 dstip=81.2.69.142 dstport=80
 *	    proto=6 action="close" service="HTTP" sentbyte=1188 rcvdbyte=1224
 *
 * Often sent as "<189>date=..." (the driver removes the glued PRI), and
 * sometimes in the device's CSV mode, the same pairs joined by commas.
 * Traffic logs (type=traffic) and UTM logs (webfilter, app-ctrl, dns, ips,
 * with hostname= and a path-only url=) are records; system events
 * (type=event) are skipped.
 *
 * Source id: every record is FORTIGATE, or FORTIGATE_SYSLOG behind a syslog
 * header, webfilter lines included.  MDCA also lists FORTIOS_SYSLOG, whose
 * parser is said to read the URL as well, but it exists only as a syslog
 * variant and nothing public says which lines it accepts; switching ids per
 * line would split one device's stream over two data sources (two halves of
 * one report).  One id per source is the safer choice; the URL stays in the
 * uploaded line either way.
 */
#include <string.h>

#include "kv_family.h"
#include "lex.h"
#include "parser.h"

struct forti_fields {
	struct slice date, time, tz, eventtime, logid, type, subtype;
	struct slice devname, devid, vd, action, utmaction;
	struct slice srcip, dstip, srcport, dstport, proto, service;
	struct slice user, unauthuser, hostname, url, agent;
	struct slice sentbyte, rcvdbyte;
	size_t npairs;
};

/* Keys with the same first byte share a case: most keys match none. */
static void
forti_field(void *arg, struct slice k, struct slice v)
{
	struct forti_fields *f = arg;

	switch (k.p[0]) {
	case 'a':
		if (KVF_KEY(k, "action"))
			f->action = v;
		else if (KVF_KEY(k, "agent"))
			f->agent = v;
		break;
	case 'd':
		if (KVF_KEY(k, "date"))
			f->date = v;
		else if (KVF_KEY(k, "dstip"))
			f->dstip = v;
		else if (KVF_KEY(k, "dstport"))
			f->dstport = v;
		else if (KVF_KEY(k, "devname"))
			f->devname = v;
		else if (KVF_KEY(k, "devid"))
			f->devid = v;
		break;
	case 'e':
		if (KVF_KEY(k, "eventtime"))
			f->eventtime = v;
		break;
	case 'h':
		if (KVF_KEY(k, "hostname"))
			f->hostname = v;
		break;
	case 'l':
		if (KVF_KEY(k, "logid"))
			f->logid = v;
		break;
	case 'p':
		if (KVF_KEY(k, "proto"))
			f->proto = v;
		break;
	case 'r':
		if (KVF_KEY(k, "rcvdbyte"))
			f->rcvdbyte = v;
		break;
	case 's':
		if (KVF_KEY(k, "srcip"))
			f->srcip = v;
		else if (KVF_KEY(k, "srcport"))
			f->srcport = v;
		else if (KVF_KEY(k, "sentbyte"))
			f->sentbyte = v;
		else if (KVF_KEY(k, "subtype"))
			f->subtype = v;
		else if (KVF_KEY(k, "service"))
			f->service = v;
		break;
	case 't':
		if (KVF_KEY(k, "time"))
			f->time = v;
		else if (KVF_KEY(k, "type"))
			f->type = v;
		else if (KVF_KEY(k, "tz"))
			f->tz = v;
		break;
	case 'u':
		if (KVF_KEY(k, "user"))
			f->user = v;
		else if (KVF_KEY(k, "url"))
			f->url = v;
		else if (KVF_KEY(k, "unauthuser"))
			f->unauthuser = v;
		else if (KVF_KEY(k, "utmaction"))
			f->utmaction = v;
		break;
	case 'v':
		if (KVF_KEY(k, "vd"))
			f->vd = v;
		break;
	}
}

static enum kvf_status
forti_scan(struct slice line, struct forti_fields *f)
{
	memset(f, 0, sizeof(*f));
	return kvf_scan(line, forti_field, f, &f->npairs);
}

/* logid: ten digits ("0000000013"). */
static bool
forti_is_logid(struct slice s)
{
	uint64_t n;

	return s.len == 10 && lex_u64(s, &n);
}

static int
forti_bid(const struct peek *pk)
{
	int bid = 0;

	for (size_t i = 0; i < pk->nlines; i++) {
		struct forti_fields f;
		int64_t ms;
		int n = 0;

		/* Its keys are not in the line: no need to read it. */
		if (!slice_find(pk->body[i], "logid"))
			continue;
		if (forti_scan(pk->body[i], &f) != KVF_END ||
		    !forti_is_logid(f.logid) || f.type.len == 0)
			continue;
		n = 2; /* logid and type */
		n += kvf_date_time(f.date, f.time, &ms);
		n += f.subtype.len > 0;
		n += f.devname.len > 0 || f.devid.len > 0;
		n += f.vd.len > 0;
		n += kvf_epoch_any(f.eventtime, &ms);
		n += lex_is_ip(f.srcip);
		n += lex_is_ip(f.dstip);
		n += f.sentbyte.len > 0 || f.rcvdbyte.len > 0;
		bid += 8 * n;
	}
	return bid;
}

static enum rec_action
forti_action(struct slice action, struct slice utmaction)
{
	static const char *const deny[] = {"deny",  "block",   "blocked",
	                                   "drop",  "dropped", "reject",
	                                   "reset", NULL};
	/*
	 * Traffic logs: a session the policy let through ends as close,
	 * timeout, client-rst, server-rst; ip-conn is a connection that
	 * failed after the policy allowed it.  UTM: pass, passthrough,
	 * monitored, exempt.
	 */
	static const char *const allow[] = {
	    "accept",  "close",   "timeout",   "client-rst", "server-rst",
	    "ip-conn", "dns",     "start",     "pass",       "passthrough",
	    "allow",   "allowed", "monitored", "exempt",     NULL};

	if (kvf_is_one_of(utmaction, deny) || kvf_is_one_of(action, deny))
		return REC_ACTION_DENY;
	if (kvf_is_one_of(action, allow))
		return REC_ACTION_ALLOW;
	return REC_ACTION_UNKNOWN;
}

static enum parse_result
forti_parse(void *state, struct slice line, struct record *r, struct arena *a)
{
	struct forti_fields f;
	uint16_t port;
	bool has_port;
	int64_t ms;
	int tz;

	(void)state;
	line = slice_trim(line);
	if (line.len == 0)
		return PARSE_SKIP;
	if (forti_scan(line, &f) != KVF_END) {
		r->reason = "malformed key=value pair (unterminated quote?)";
		return PARSE_REJECT;
	}
	if (f.logid.len == 0 && f.type.len == 0) {
		r->reason = "no logid or type: not a fortigate line";
		return PARSE_REJECT;
	}
	if (slice_eq(f.type, "event")) {
		r->reason = "system event, not traffic";
		return PARSE_SKIP;
	}
	/* eventtime is UTC; date and time are the device's clock. */
	if (kvf_epoch_any(f.eventtime, &ms)) {
		r->time_ms = ms;
		r->has |= REC_HAS_TIME;
	} else if (kvf_date_time(f.date, f.time, &ms)) {
		if (kvf_zone(f.tz, &tz))
			ms -= (int64_t)tz * 60000;
		r->time_ms = ms;
		r->has |= REC_HAS_TIME;
	}
	r->src_ip = kvf_value(f.srcip);
	r->dst_ip = kvf_value(f.dstip);
	kvf_port(r, f.srcport, &r->src_port, REC_HAS_SRC_PORT);
	kvf_port(r, f.dstport, &r->dst_port, REC_HAS_DST_PORT);
	r->proto = kvf_proto(f.service, f.proto, a);
	kvf_bytes(r, f.sentbyte, &r->bytes_up, REC_HAS_BYTES_UP);
	kvf_bytes(r, f.rcvdbyte, &r->bytes_down, REC_HAS_BYTES_DOWN);
	r->user = kvf_unescape(kvf_value(f.user), a);
	if (r->user.len == 0)
		r->user = kvf_unescape(kvf_value(f.unauthuser), a);
	r->url = kvf_unescape(kvf_value(f.url), a);
	r->dst_host = kvf_unescape(kvf_value(f.hostname), a);
	if (r->dst_host.len == 0 && r->url.len > 0)
		r->dst_host = lex_url_host(r->url, &port, &has_port);
	r->user_agent = kvf_unescape(kvf_value(f.agent), a);
	r->action = forti_action(f.action, f.utmaction);
	if (kvf_value(f.devname).len > 0)
		r->device = f.devname;
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

const struct parser parser_fortigate = {
    .name = "fortigate",
    .description = "Fortinet FortiGate / FortiOS key=value (traffic, UTM)",
    .source_id = "FORTIGATE",
    .source_id_syslog = "FORTIGATE_SYSLOG",
    .log_type = 108,
    .max_bid = 8 * 10 * PEEK_LINES,
    .bid = forti_bid,
    .parse = forti_parse,
};
