/*
 * Zscaler NSS web log, default CSV feed output, MDCA "Zscaler".
 *
 *	"%s{time}","%s{login}","%s{proto}","%s{eurl}","%s{action}",
 *	"%s{appname}","%s{appclass}","%d{reqsize}","%d{respsize}",
 *	"%d{stime}","%d{ctime}","%s{urlclass}","%s{urlsupercat}",
 *	"%s{urlcat}","%s{malwarecat}","%s{threatname}","%d{riskscore}",
 *	"%s{dlpeng}","%s{dlpdict}","%s{location}","%s{dept}","%s{cip}",
 *	"%s{sip}","%s{reqmethod}","%s{respcode}","%s{ua}","%s{ereferer}",...
 *
 *	"Mon Jun 20 15:29:11 2022","new-gre","HTTP","ebay.com/","Blocked",...
 *
 * The time has no zone (the feed's %s{tz} is not in the default format):
 * taken as UTC.  The URL has no scheme.  reqsize is what the client sent,
 * respsize what it received.  A blocked transaction has server IP
 * 0.0.0.0.  Values NSS URL-encodes (%20, %2c) are left as logged.
 *
 * Also read: the JSON a Cloud NSS / Splunk HEC feed writes,
 *	{"sourcetype":"zscalernss-web","event":{"time":"...","login":...}}
 * with the default names or the longer ones of some templates (datetime,
 * user, protocol, url, hostname, requestsize, responsesize, ClientIP,
 * serverip, useragent).  MDCA's Zscaler type documents only the CSV
 * feed, so these lines are parsed for `check` and filtering; whether
 * MDCA accepts them under ZSCALER is not documented.
 */
#include <string.h>

#include "csv_family.h"
#include "lex.h"
#include "parser.h"

#define ZS_NFIELDS 26

enum {
	ZS_TIME,
	ZS_LOGIN,
	ZS_PROTO,
	ZS_URL,
	ZS_ACTION,
	ZS_REQSIZE = 7,
	ZS_RESPSIZE = 8,
	ZS_CIP = 21,
	ZS_SIP = 22,
	ZS_UA = 25,
};

static enum rec_action
zs_action(struct slice a)
{
	if (slice_ieq(a, "Allowed"))
		return REC_ACTION_ALLOW;
	if (slice_ieq(a, "Blocked"))
		return REC_ACTION_DENY;
	return REC_ACTION_UNKNOWN;
}

static const char zs_sig[] = "\"sourcetype\"";
static const char zs_sigval[] = "zscalernss-web";

/* The JSON feed: its sourcetype value names it. */
static bool
zs_is_json(struct slice s)
{
	s = slice_trim(s);
	return s.len > 0 && s.p[0] == '{' && slice_find(s, zs_sig) != NULL &&
	       slice_find(s, zs_sigval) != NULL;
}

static int
zs_bid_csv(struct slice line)
{
	struct slice f[ZS_NFIELDS];
	bool q[ZS_NFIELDS];
	size_t n = csvf_split(line, f, q, ZS_NFIELDS);
	int64_t ms;
	uint64_t v;
	int b;

	if (n < ZS_SIP + 1 || !q[ZS_TIME] || !csvf_time_ctime(f[ZS_TIME], &ms))
		return 0;
	b = 8 * 2; /* the quoted ctime-shaped time */
	if (zs_action(f[ZS_ACTION]) != REC_ACTION_UNKNOWN)
		b += 8;
	if (lex_u64(f[ZS_REQSIZE], &v) && lex_u64(f[ZS_RESPSIZE], &v))
		b += 8 * 2;
	if (lex_is_ip(f[ZS_CIP]))
		b += 8;
	if (lex_is_ip(f[ZS_SIP]))
		b += 8;
	return b >= 8 * 4 ? b : 0;
}

static int
zscaler_bid(const struct peek *pk)
{
	int bid = 0;

	for (size_t i = 0; i < pk->nlines; i++) {
		struct slice body = pk->body[i];

		if (zs_is_json(body))
			bid += 8 * (int)(sizeof(zs_sigval) - 1);
		else
			bid += zs_bid_csv(body);
	}
	return bid;
}

/* Fill the destination from a scheme-less URL and the server IP. */
static void
zs_dest(struct record *r, struct slice url, struct slice host, struct slice sip)
{
	uint16_t port;
	bool has_port;

	if (url.len > 0) {
		r->url = url;
		r->dst_host = csvf_url_host(url, &port, &has_port);
		if (has_port) {
			r->dst_port = port;
			r->has |= REC_HAS_DST_PORT;
		}
	}
	if (host.len > 0)
		r->dst_host = host;
	if (lex_is_ip(sip) && !slice_eq(sip, "0.0.0.0"))
		r->dst_ip = sip;
}

static enum parse_result
zs_verdict(struct record *r)
{
	if (!(r->has & REC_HAS_TIME)) {
		r->reason = "unreadable time";
		return PARSE_PARTIAL;
	}
	if (r->dst_host.len == 0 && r->dst_ip.len == 0) {
		r->reason = "no destination";
		return PARSE_PARTIAL;
	}
	return PARSE_OK;
}

static enum parse_result
zs_parse_csv(struct slice line, struct record *r, struct arena *a)
{
	struct slice f[ZS_NFIELDS];
	bool q[ZS_NFIELDS];
	size_t n = csvf_split(line, f, q, ZS_NFIELDS);
	struct slice v;

	if (n == 0 || !q[ZS_TIME] ||
	    !csvf_time_ctime(f[ZS_TIME], &r->time_ms)) {
		r->reason = "no quoted nss time in the first field";
		return PARSE_REJECT;
	}
	r->has |= REC_HAS_TIME;
	if (n <= ZS_SIP) {
		r->reason = "too few fields";
		return PARSE_REJECT;
	}
	r->user = csvf_value(f[ZS_LOGIN], q[ZS_LOGIN], a);
	r->proto = csvf_value(f[ZS_PROTO], q[ZS_PROTO], a);
	r->action = zs_action(f[ZS_ACTION]);
	if (lex_u64(f[ZS_REQSIZE], &r->bytes_up))
		r->has |= REC_HAS_BYTES_UP;
	if (lex_u64(f[ZS_RESPSIZE], &r->bytes_down))
		r->has |= REC_HAS_BYTES_DOWN;
	if (lex_is_ip(f[ZS_CIP]))
		r->src_ip = f[ZS_CIP];
	zs_dest(r, csvf_value(f[ZS_URL], q[ZS_URL], a), SLICE_NULL, f[ZS_SIP]);
	if (n > ZS_UA && (v = csvf_value(f[ZS_UA], q[ZS_UA], a)).len)
		r->user_agent = v;
	return zs_verdict(r);
}

static bool
zs_key(struct slice k, const char *a, const char *b)
{
	return slice_eq(k, a) || (b != NULL && slice_eq(k, b));
}

static enum parse_result
zs_parse_json(struct slice line, struct record *r, struct arena *a)
{
	struct slice rest = line, k, v, url = SLICE_NULL, host = SLICE_NULL;
	struct slice sip = SLICE_NULL;
	char kind;
	bool any = false;

	while (jsonf_next(&rest, &k, &v, &kind)) {
		any = true;
		if (kind != '"')
			continue;
		v = jsonf_unescape(v, a);
		if (slice_is_empty_value(v) || slice_trim(v).len == 0)
			continue;
		if (zs_key(k, "time", NULL)) {
			if (csvf_time_ctime(v, &r->time_ms))
				r->has |= REC_HAS_TIME;
		} else if (zs_key(k, "datetime", NULL)) {
			if (time_iso(v, &r->time_ms))
				r->has |= REC_HAS_TIME;
		} else if (zs_key(k, "login", "user"))
			r->user = v;
		else if (zs_key(k, "proto", "protocol"))
			r->proto = v;
		else if (zs_key(k, "url", "eurl"))
			url = v;
		else if (zs_key(k, "host", "hostname") || slice_eq(k, "ehost"))
			host = v;
		else if (zs_key(k, "action", NULL))
			r->action = zs_action(v);
		else if (zs_key(k, "reqsize", "requestsize")) {
			if (lex_u64(v, &r->bytes_up))
				r->has |= REC_HAS_BYTES_UP;
		} else if (zs_key(k, "respsize", "responsesize")) {
			if (lex_u64(v, &r->bytes_down))
				r->has |= REC_HAS_BYTES_DOWN;
		} else if (zs_key(k, "cip", "ClientIP")) {
			if (lex_is_ip(v))
				r->src_ip = v;
		} else if (zs_key(k, "sip", "serverip"))
			sip = v;
		else if (zs_key(k, "ua", "useragent"))
			r->user_agent = v;
	}
	if (!any) {
		r->reason = "malformed json";
		return PARSE_REJECT;
	}
	zs_dest(r, url, host, sip);
	return zs_verdict(r);
}

static enum parse_result
zscaler_parse(void *state, struct slice line, struct record *r, struct arena *a)
{
	(void)state;
	/* RFC 5424 structured data, when the driver left it. */
	line = slice_trim(line);
	if (line.len == 0)
		return PARSE_SKIP;
	if (zs_is_json(line)) {
		if (line.p[line.len - 1] != '}') {
			r->reason = "json record cut short";
			return PARSE_REJECT;
		}
		return zs_parse_json(line, r, a);
	}
	return zs_parse_csv(line, r, a);
}

const struct parser parser_zscaler = {
    .name = "zscaler",
    .description = "Zscaler NSS web log (default CSV feed, JSON feed)",
    .source_id = "ZSCALER",
    .source_id_syslog = "ZSCALER_SYSLOG",
    .log_type = 120,
    .max_bid = PEEK_LINES * 8 * 14,
    .bid = zscaler_bid,
    .parse = zscaler_parse,
};
