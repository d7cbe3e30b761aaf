/*
 * Zscaler NSS web log in CEF (the ArcSight / Sentinel feed output preset),
 * MDCA "Zscaler - CEF".
 *
 *	Jun 01 10:00:00 zscaler-nss CEF:0|Zscaler|NSSWeblog|5.0|Allowed|
 *	    Allowed|3|act=Allowed app=HTTPS cat=... dhost=www.example.com
 *	    dst=93.184.216.34 src=10.1.2.3 in=15320 outcome=200 out=812
 *	    request=www.example.com/index.html rt=Jun 01 2024 10:00:00
 *	    sourceTranslatedAddress=... requestClientApplication=...
 *	    requestMethod=GET suser=alice@example.com ...
 *
 * The feed is a template of NSS fields (%s{eurl}, %d{respsize}...), so
 * keys are read by name.  `request` is %s{eurl}: a URL without its scheme;
 * `dhost` is %s{ehost}.  `in` is %d{respsize} (down), `out` %d{reqsize}
 * (up).  A blocked request has server IP 0.0.0.0: no destination address.
 * The vendor must be Zscaler; the generic CEF parser takes other vendors.
 *
 * Source ids: ZSCALER_CEF (196) is only in the older upload list; the
 * current list has ZSCALER_CEF_SYSLOG alone, so both forms upload as that
 * (mdca-api.md 5.1), with the file form's logType.
 */
#include "cef_lex.h"
#include "lex.h"
#include "parser.h"

static const struct cef_vendor zscaler_cef_vendor = {"Zscaler", NULL,
                                                     "NSSWeblog"};

static int
zscaler_cef_bid(const struct peek *pk)
{
	return cef_bid(pk, false, &zscaler_cef_vendor);
}

static enum parse_result
zscaler_cef_parse(void *state, struct slice line, struct record *r,
                  struct arena *a)
{
	struct cef_hdr h;
	struct slice v[CK_NKEYS];
	enum parse_result res;

	(void)state;
	if ((res = cef_parse_line(line, false, &h, v, r, a)) != PARSE_OK)
		return res;
	if (!slice_ieq(h.vendor, "Zscaler")) {
		r->reason = "not a Zscaler CEF line";
		return PARSE_REJECT;
	}
	if (slice_eq(r->dst_ip, "0.0.0.0") || slice_eq(r->dst_ip, "::"))
		r->dst_ip = SLICE_NULL;
	if (slice_ieq(r->user_agent, "Unknown"))
		r->user_agent = SLICE_NULL;
	if (r->dst_host.len == 0)
		r->dst_host = cef_bare_url_host(r->url);
	return cef_verdict(r);
}

const struct parser parser_zscaler_cef = {
    .name = "zscaler_cef",
    .description = "Zscaler NSS web log, CEF feed",
    .source_id = "ZSCALER_CEF_SYSLOG",
    .source_id_syslog = "ZSCALER_CEF_SYSLOG",
    .log_type = 196,
    .max_bid = (CEF_LINE_MAX + 8 * (7 + 9)) * PEEK_LINES,
    .bid = zscaler_cef_bid,
    .parse = zscaler_cef_parse,
};
