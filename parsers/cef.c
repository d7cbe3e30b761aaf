/*
 * Generic CEF (ArcSight Common Event Format), MDCA "Generic CEF".
 *
 *	[syslog header] CEF:0|Vendor|Product|Version|SigID|Name|Severity|
 *	    rt=1592559931000 src=10.0.0.1 spt=51234 dst=93.184.216.34
 *	    dpt=443 suser=alice request=https://example.com/ act=allow
 *	    in=5123 out=612 requestClientApplication=Mozilla/5.0 (...)
 *
 * Any vendor's CEF is read with the standard keys (see cef_lex.h); the
 * vendor parsers (Zscaler, Forcepoint, Check Point, Menlo) outbid this one
 * on their own lines.  suser is the client's user (duser is a target
 * account and is not used).  `in` is what the client received, `out` what
 * it sent.  cs1..cs6 fill a missing URL, user, user agent or host when
 * their label says so.  Events without any address (malware found on a
 * disk, audit) are skipped: they are not traffic.
 */
#include "cef_lex.h"
#include "lex.h"
#include "parser.h"

static int
cef_generic_bid(const struct peek *pk)
{
	return cef_bid(pk, false, NULL);
}

static enum parse_result
cef_generic_parse(void *state, struct slice line, struct record *r,
                  struct arena *a)
{
	struct cef_hdr h;
	struct slice v[CK_NKEYS];
	enum parse_result res;

	(void)state;
	if ((res = cef_parse_line(line, false, &h, v, r, a)) != PARSE_OK)
		return res;
	if (!cef_custom_strings(v, r, a))
		return PARSE_REJECT;
	return cef_verdict(r);
}

const struct parser parser_cef = {
    .name = "cef",
    .description = "Generic CEF (ArcSight Common Event Format)",
    .source_id = "GENERIC_CEF",
    .source_id_syslog = "GENERIC_CEF_SYSLOG",
    .log_type = 179,
    .max_bid = CEF_LINE_MAX * PEEK_LINES,
    .bid = cef_generic_bid,
    .parse = cef_generic_parse,
};
