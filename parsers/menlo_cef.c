/*
 * Menlo Security (isolation web proxy) logs in CEF, MDCA "Menlo Security
 * (CEF)".
 *
 *	CEF:0|Menlo Security|MSIP|2.0|web|Web Access|3|rt=... src=...
 *	    suser=... dhost=... request=https://... act=allow
 *	    requestClientApplication=... in=... out=...
 *
 * Menlo's SIEM export writes its web log fields in CEF; the standard keys
 * are read (see cef_lex.h), cs1..cs6 by their labels; act "isolate" (page
 * served through isolation) counts as allowed.  Only the Device
 * Vendor "Menlo Security" is checked: the product name varies by release.
 * MDCA has no _SYSLOG id for Menlo: syslog-wrapped lines upload under
 * MENLO_SECURITY_CEF too.
 */
#include "cef_lex.h"
#include "lex.h"
#include "parser.h"

static const struct cef_vendor menlo_cef_vendor = {"Menlo Security", NULL,
                                                   NULL};

static int
menlo_cef_bid(const struct peek *pk)
{
	return cef_bid(pk, false, &menlo_cef_vendor);
}

static enum parse_result
menlo_cef_parse(void *state, struct slice line, struct record *r,
                struct arena *a)
{
	struct cef_hdr h;
	struct slice v[CK_NKEYS];
	enum parse_result res;

	(void)state;
	if ((res = cef_parse_line(line, false, &h, v, r, a)) != PARSE_OK)
		return res;
	if (!slice_ieq(h.vendor, "Menlo Security")) {
		r->reason = "not a Menlo Security CEF line";
		return PARSE_REJECT;
	}
	if (!cef_custom_strings(v, r, a))
		return PARSE_REJECT;
	/* Isolation serves the page through Menlo's browser: it was let in. */
	if (r->action == REC_ACTION_UNKNOWN && slice_ieq(v[CK_ACT], "isolate"))
		r->action = REC_ACTION_ALLOW;
	return cef_verdict(r);
}

const struct parser parser_menlo_cef = {
    .name = "menlo_cef",
    .description = "Menlo Security web log, CEF",
    .source_id = "MENLO_SECURITY_CEF",
    .source_id_syslog = NULL,
    .log_type = 224,
    .max_bid = (CEF_LINE_MAX + 8 * 14) * PEEK_LINES,
    .bid = menlo_cef_bid,
    .parse = menlo_cef_parse,
};
