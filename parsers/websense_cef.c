/*
 * Forcepoint (Websense) Web Security SIEM integration, CEF output, MDCA
 * "Websense - Internet activity log (CEF)".
 *
 *	CEF:0|Forcepoint|Security|8.5.4|194|Transaction blocked|7| act=blocked
 *	    app=https dvc=... dst=104.26.11.18 dhost=... dpt=443 src=...
 *	    spt=61603 suser=... loginID=... rt=1653557213000 in=0 out=0
 *	    requestMethod=GET requestClientApplication=... cs1Label=Policy
 *	    cs1=... cn1Label=DispositionCode cn1=1025 request=http://...
 *
 * Vendor Forcepoint (8.x) or Websense (7.x), product Security.  The
 * extension starts after a blank ("|7| act="); collectors often drop
 * "CEF:" (" 0|Forcepoint|...").  act is permitted/blocked, else the
 * header name ("Transaction blocked") says it.  suser is a name or an LDAP
 * path ("LDAP://host OU\=...,DC\=.../User 1"); for a path the plain
 * loginID is the user when there is one.  rt is epoch ms, or ISO time.
 *
 * Source ids: the file id WEBSENSE_SIEM_CEF is only in the older upload
 * list; the current list (mdca-api.md 5.1) has WEBSENSE_SIEM_CEF_SYSLOG,
 * so both forms upload as that, with the file form's logType 138.
 */
#include "cef_lex.h"
#include "lex.h"
#include "parser.h"

static const struct cef_vendor websense_cef_forcepoint = {"Forcepoint", NULL,
                                                          "Security"};
static const struct cef_vendor websense_cef_websense = {"Websense", NULL,
                                                        "Security"};

static int
websense_cef_bid(const struct peek *pk)
{
	int a = cef_bid(pk, false, &websense_cef_forcepoint);
	int b = cef_bid(pk, false, &websense_cef_websense);

	return a > b ? a : b;
}

static enum parse_result
websense_cef_parse(void *state, struct slice line, struct record *r,
                   struct arena *a)
{
	struct cef_hdr h;
	struct slice v[CK_NKEYS];
	enum parse_result res;

	(void)state;
	if ((res = cef_parse_line(line, false, &h, v, r, a)) != PARSE_OK)
		return res;
	if (!slice_ieq(h.vendor, "Forcepoint") &&
	    !slice_ieq(h.vendor, "Websense")) {
		r->reason = "not a Forcepoint/Websense CEF line";
		return PARSE_REJECT;
	}
	if (r->action == REC_ACTION_UNKNOWN) {
		if (slice_find(h.name, "blocked") != NULL)
			r->action = REC_ACTION_DENY;
		else if (slice_find(h.name, "permitted") != NULL)
			r->action = REC_ACTION_ALLOW;
	}
	if ((r->user.len == 0 || slice_starts(r->user, "LDAP://")) &&
	    v[CK_LOGINID].len > 0 && !slice_is_empty_value(v[CK_LOGINID]) &&
	    (r->user = cef_value(v[CK_LOGINID], a)).p == NULL) {
		r->reason = "line too long to unescape";
		return PARSE_REJECT;
	}
	return cef_verdict(r);
}

const struct parser parser_websense_cef = {
    .name = "websense_cef",
    .description = "Forcepoint/Websense Web Security SIEM CEF",
    .source_id = "WEBSENSE_SIEM_CEF_SYSLOG",
    .source_id_syslog = "WEBSENSE_SIEM_CEF_SYSLOG",
    .log_type = 138,
    .max_bid = (CEF_LINE_MAX + 8 * (10 + 8)) * PEEK_LINES,
    .bid = websense_cef_bid,
    .parse = websense_cef_parse,
};
