/*
 * Zscaler NSS web log in LEEF (the QRadar feed output preset), MDCA
 * "Zscaler - QRadar LEEF".
 *
 *	Jun 01 10:00:00 zscaler-nss: LEEF:1.0|Zscaler|NSS|4.1|Allowed|
 *	    cat=Allowed<TAB>devTime=Jun 01 2024 10:00:00 GMT<TAB>
 *	    devTimeFormat=MMM dd yyyy HH:mm:ss z<TAB>src=10.1.2.3<TAB>
 *	    dst=93.184.216.34<TAB>srcPostNAT=...<TAB>realm=...<TAB>
 *	    usrName=alice@example.com<TAB>srcBytes=812<TAB>dstBytes=15320<TAB>
 *	    role=...<TAB>policy=...<TAB>url=www.example.com/index.html<TAB>
 *	    useragent=...<TAB>hostname=www.example.com<TAB>appproto=HTTPS ...
 *
 * The preset puts the NSS action (Allowed/Blocked) in `cat`; `url` is
 * %s{eurl} (no scheme), `hostname` %s{ehost}, `appproto` %s{proto}.
 * srcBytes is the request (up), dstBytes the response (down).  A blocked
 * request has server IP 0.0.0.0: no destination address.
 *
 * Source ids: ZSCALER_QRADAR (170) is only in the older upload list; both
 * forms upload as ZSCALER_QRADAR_SYSLOG (mdca-api.md 5.1).
 */
#include "cef_lex.h"
#include "lex.h"
#include "parser.h"

static const struct cef_vendor zscaler_leef_vendor = {"Zscaler", NULL, "NSS"};

static int
zscaler_leef_bid(const struct peek *pk)
{
	return cef_bid(pk, true, &zscaler_leef_vendor);
}

static enum parse_result
zscaler_leef_parse(void *state, struct slice line, struct record *r,
                   struct arena *a)
{
	struct cef_hdr h;
	struct slice v[CK_NKEYS];
	enum parse_result res;

	(void)state;
	if ((res = cef_parse_line(line, true, &h, v, r, a)) != PARSE_OK)
		return res;
	if (!slice_ieq(h.vendor, "Zscaler")) {
		r->reason = "not a Zscaler LEEF line";
		return PARSE_REJECT;
	}
	if (r->action == REC_ACTION_UNKNOWN && v[CK_CAT].len > 0)
		r->action = cef_action(v[CK_CAT]);
	if (r->action == REC_ACTION_UNKNOWN)
		r->action = cef_action(h.sigid);
	if (slice_eq(r->dst_ip, "0.0.0.0") || slice_eq(r->dst_ip, "::"))
		r->dst_ip = SLICE_NULL;
	if (slice_ieq(r->user_agent, "Unknown"))
		r->user_agent = SLICE_NULL;
	if (r->dst_host.len == 0)
		r->dst_host = cef_bare_url_host(r->url);
	return cef_verdict(r);
}

const struct parser parser_zscaler_leef = {
    .name = "zscaler_leef",
    .description = "Zscaler NSS web log, QRadar LEEF feed",
    .source_id = "ZSCALER_QRADAR_SYSLOG",
    .source_id_syslog = "ZSCALER_QRADAR_SYSLOG",
    .log_type = 170,
    .max_bid = (CEF_LINE_MAX + 8 * (7 + 3)) * PEEK_LINES,
    .bid = zscaler_leef_bid,
    .parse = zscaler_leef_parse,
};
