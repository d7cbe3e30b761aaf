/*
 * Forcepoint (Websense) Web Security SIEM integration, LEEF output, MDCA
 * "Forcepoint - LEEF".
 *
 *	LEEF:1.0|Forcepoint|Security|8.5.4|transaction:blocked|sev=7<TAB>
 *	    cat=...<TAB>usrName=...<TAB>loginID=...<TAB>src=...<TAB>
 *	    srcPort=...<TAB>srcBytes=...<TAB>dstBytes=...<TAB>dst=...<TAB>
 *	    dstPort=...<TAB>proxyStatus-code=...<TAB>method=GET<TAB>
 *	    disposition=1025<TAB>policy=...<TAB>userAgent=...<TAB>url=...
 *
 * The EventID says the verdict: transaction:permitted or
 * transaction:blocked.  usrName may be an LDAP path; the plain loginID is
 * then the user.  srcBytes is what the client sent (up), dstBytes what it
 * received.  The time is the syslog header's unless devTime is there.
 *
 * Source ids: FORCEPOINT_LEEF is only in the older upload list; both forms
 * upload as FORCEPOINT_LEEF_SYSLOG (mdca-api.md 5.1), logType 210.
 */
#include "cef_lex.h"
#include "lex.h"
#include "parser.h"

static const struct cef_vendor forcepoint_leef_forcepoint = {"Forcepoint", NULL,
                                                             "Security"};
static const struct cef_vendor forcepoint_leef_websense = {"Websense", NULL,
                                                           "Security"};

static int
forcepoint_leef_bid(const struct peek *pk)
{
	int a = cef_bid(pk, true, &forcepoint_leef_forcepoint);
	int b = cef_bid(pk, true, &forcepoint_leef_websense);

	return a > b ? a : b;
}

static enum parse_result
forcepoint_leef_parse(void *state, struct slice line, struct record *r,
                      struct arena *a)
{
	struct cef_hdr h;
	struct slice v[CK_NKEYS];
	enum parse_result res;

	(void)state;
	if ((res = cef_parse_line(line, true, &h, v, r, a)) != PARSE_OK)
		return res;
	if (!slice_ieq(h.vendor, "Forcepoint") &&
	    !slice_ieq(h.vendor, "Websense")) {
		r->reason = "not a Forcepoint/Websense LEEF line";
		return PARSE_REJECT;
	}
	if (r->action == REC_ACTION_UNKNOWN) {
		if (slice_find(h.sigid, "blocked") != NULL)
			r->action = REC_ACTION_DENY;
		else if (slice_find(h.sigid, "permitted") != NULL)
			r->action = REC_ACTION_ALLOW;
	}
	if ((r->user.len == 0 || slice_starts(r->user, "LDAP://")) &&
	    v[CK_LOGINID].len > 0 && !slice_is_empty_value(v[CK_LOGINID]))
		r->user = v[CK_LOGINID];
	if (r->proto.len == 0 && r->url.len > 0) {
		const char *c = slice_find(r->url, "://");

		if (c != NULL)
			r->proto = slice_make(r->url.p, (size_t)(c - r->url.p));
	}
	return cef_verdict(r);
}

const struct parser parser_forcepoint_leef = {
    .name = "forcepoint_leef",
    .description = "Forcepoint/Websense Web Security SIEM LEEF",
    .source_id = "FORCEPOINT_LEEF_SYSLOG",
    .source_id_syslog = "FORCEPOINT_LEEF_SYSLOG",
    .log_type = 210,
    .max_bid = (CEF_LINE_MAX + 8 * (10 + 8)) * PEEK_LINES,
    .bid = forcepoint_leef_bid,
    .parse = forcepoint_leef_parse,
};
