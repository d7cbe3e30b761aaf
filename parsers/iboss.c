/*
 * iboss cloud web gateway logs, MDCA "iboss Secure Cloud Gateway" (IBOSS).
 *
 * iboss forwards one JSON object per event, usually behind a syslog
 * header:
 *
 *	<46>May  6 06:14:53 acme.ibosscloud.com {"exception":"-",
 *	    "totalByteUsage":"2903","sourcePort":"4890","action":"Allowed",
 *	    "sourceIpAddress":"10.20.10.20","host":"example.com",
 *	    "ipAddress":"93.184.216.34","destinationPort":"443",
 *	    "logType":"WEB_LOG","url":"https://example.com/search?q=a",
 *	    "upstreamByteUsage":"1250","downstreamByteUsage":"1653",
 *	    "userAgent":"...","username":"jdoe","logTime":"2025-05-26",
 *	    "time":"06:14:53","proxyTransactionStartTime":"1748240093.321",...}
 *
 * Every value is a string; "-" means none.  upstreamByteUsage is what the
 * client sent, downstreamByteUsage what it received.  The time is the
 * transaction start (epoch) or logTime + time, both UTC.  action is
 * Allowed, Blocked or Soft-blocked (a warning page the user may click
 * through: the request itself was stopped, so it counts as denied).
 * Web (WEB_LOG) and DLP records describe web transactions; other log
 * types are skipped.
 */
#include <string.h>

#include "csv_family.h"
#include "lex.h"
#include "parser.h"

static const char ib_sig[] = "\"ibossIpAddress\"";
static const char ib_sig2[] = "\"logType\"";

static bool
ib_looks(struct slice s)
{
	s = slice_trim(s);
	return s.len > 0 && s.p[0] == '{' && slice_find(s, ib_sig) != NULL &&
	       slice_find(s, ib_sig2) != NULL;
}

static int
iboss_bid(const struct peek *pk)
{
	int bid = 0;

	for (size_t i = 0; i < pk->nlines; i++)
		if (ib_looks(pk->body[i]))
			bid +=
			    8 * (int)(sizeof(ib_sig) - 1 + sizeof(ib_sig2) - 1);
	return bid;
}

static enum rec_action
ib_action(struct slice a)
{
	if (slice_ieq(a, "Allowed"))
		return REC_ACTION_ALLOW;
	if (slice_ieq(a, "Blocked") || slice_ieq(a, "Soft-blocked"))
		return REC_ACTION_DENY;
	return REC_ACTION_UNKNOWN;
}

static enum parse_result
iboss_parse(void *state, struct slice line, struct record *r, struct arena *a)
{
	struct slice rest, k, v, date = SLICE_NULL, clock = SLICE_NULL;
	struct slice type = SLICE_NULL, host = SLICE_NULL;
	bool epoch = false;
	char kind;

	(void)state;
	/* RFC 5424 structured data, when the driver left it. */
	line = slice_trim(line);
	if (line.len == 0)
		return PARSE_SKIP;
	if (line.p[0] != '{' || line.p[line.len - 1] != '}') {
		r->reason = "not a json object";
		return PARSE_REJECT;
	}
	rest = line;
	while (jsonf_next(&rest, &k, &v, &kind)) {
		if (kind != '"')
			continue;
		v = jsonf_unescape(v, a);
		if (slice_is_empty_value(v) || slice_trim(v).len == 0)
			continue;
		if (slice_eq(k, "logType"))
			type = v;
		else if (slice_eq(k, "sourceIpAddress")) {
			if (lex_is_ip(v))
				r->src_ip = v;
		} else if (slice_eq(k, "sourcePort")) {
			if (lex_port(v, &r->src_port))
				r->has |= REC_HAS_SRC_PORT;
		} else if (slice_eq(k, "ipAddress")) {
			if (lex_is_ip(v))
				r->dst_ip = v;
		} else if (slice_eq(k, "destinationPort")) {
			if (lex_port(v, &r->dst_port))
				r->has |= REC_HAS_DST_PORT;
		} else if (slice_eq(k, "host"))
			host = v;
		else if (slice_eq(k, "url"))
			r->url = v;
		else if (slice_eq(k, "scheme"))
			r->proto = v;
		else if (slice_eq(k, "action"))
			r->action = ib_action(v);
		else if (slice_eq(k, "username"))
			r->user = v;
		else if (slice_eq(k, "userAgent"))
			r->user_agent = v;
		else if (slice_eq(k, "upstreamByteUsage")) {
			if (lex_u64(v, &r->bytes_up))
				r->has |= REC_HAS_BYTES_UP;
		} else if (slice_eq(k, "downstreamByteUsage")) {
			if (lex_u64(v, &r->bytes_down))
				r->has |= REC_HAS_BYTES_DOWN;
		} else if (slice_eq(k, "proxyTransactionStartTime")) {
			if (time_epoch(v, &r->time_ms))
				epoch = true;
		} else if (slice_eq(k, "logTime"))
			date = v;
		else if (slice_eq(k, "time"))
			clock = v;
	}
	if (type.len == 0) {
		r->reason = "no iboss logType";
		return PARSE_REJECT;
	}
	if (!slice_eq(type, "WEB_LOG") && !slice_eq(type, "DLP")) {
		r->reason = "iboss log type without web traffic";
		return PARSE_SKIP;
	}
	if (!epoch) {
		int y, mo, d, sec;

		if (csvf_date_iso(date, &y, &mo, &d) &&
		    csvf_clock(clock, &sec)) {
			r->time_ms = time_make(y, mo, d, 0, 0, sec, 0);
			epoch = true;
		}
	}
	if (epoch)
		r->has |= REC_HAS_TIME;
	if (host.len > 0)
		r->dst_host = host;
	else if (r->url.len > 0) {
		uint16_t port;
		bool has_port;

		r->dst_host = csvf_url_host(r->url, &port, &has_port);
	}
	if (!(r->has & REC_HAS_TIME)) {
		r->reason = "no time";
		return PARSE_PARTIAL;
	}
	if (r->dst_host.len == 0 && r->dst_ip.len == 0) {
		r->reason = "no destination";
		return PARSE_PARTIAL;
	}
	return PARSE_OK;
}

const struct parser parser_iboss = {
    .name = "iboss",
    .description = "iboss cloud web gateway JSON logs (WEB_LOG, DLP)",
    .source_id = "IBOSS",
    .source_id_syslog = NULL,
    .log_type = 200,
    .max_bid = PEEK_LINES * 8 * 32,
    .bid = iboss_bid,
    .parse = iboss_parse,
};
