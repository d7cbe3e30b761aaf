/*
 * Check Point Log Exporter, CEF format, MDCA "Check Point - CEF".
 *
 *	CEF:0|Check Point|VPN-1 & FireWall-1|Check Point|Log|https|Unknown|
 *	    act=Accept deviceDirection=0 rt=1592559931000 spt=56379 dpt=443
 *	    suser=... dst=4.4.4.4 origin=2.2.2.2 product=VPN-1 & FireWall-1
 *	    proto=6 service_id=https src=3.3.3.3 ...
 *
 * Quirks of real exports: "CEF: 0|" with a blank (which a syslog reader
 * takes for a "CEF:" tag, leaving "0|Check Point|..."), a doubled empty
 * field "CEF:0||Check Point|", user names with blanks and parentheses,
 * \= escaped DNs.  proto is the IANA protocol number (6, 17, 1, 58); it is
 * written as its name.  Actions: Accept/Allow/Encrypt/Decrypt/Detect/
 * Inform let traffic pass; Drop/Reject/Block/Prevent stop it.
 *
 * Source ids: only CHECKPOINT_CEF_SYSLOG exists in the upload list
 * (mdca-api.md 5.1); both forms upload as that, logType 218 (CHECKPOINT_CEF).
 */
#include <string.h>

#include "arena.h"
#include "cef_lex.h"
#include "lex.h"
#include "parser.h"

static const struct cef_vendor checkpoint_cef_vendor = {"Check Point", NULL,
                                                        NULL};

static int
checkpoint_cef_bid(const struct peek *pk)
{
	return cef_bid(pk, false, &checkpoint_cef_vendor);
}

/* The name of an IANA protocol number, or NULL to keep it as logged. */
static const char *
checkpoint_cef_proto(struct slice p)
{
	if (slice_eq(p, "6"))
		return "tcp";
	if (slice_eq(p, "17"))
		return "udp";
	if (slice_eq(p, "1"))
		return "icmp";
	if (slice_eq(p, "58"))
		return "ipv6-icmp";
	return NULL;
}

static enum parse_result
checkpoint_cef_parse(void *state, struct slice line, struct record *r,
                     struct arena *a)
{
	struct cef_hdr h;
	struct slice v[CK_NKEYS];
	enum parse_result res;
	const char *name;

	(void)state;
	if ((res = cef_parse_line(line, false, &h, v, r, a)) != PARSE_OK)
		return res;
	if (!slice_ieq(h.vendor, "Check Point")) {
		r->reason = "not a Check Point CEF line";
		return PARSE_REJECT;
	}
	if (r->action == REC_ACTION_UNKNOWN &&
	    (slice_ieq(v[CK_ACT], "Encrypt") ||
	     slice_ieq(v[CK_ACT], "Decrypt") ||
	     slice_ieq(v[CK_ACT], "Detect") || slice_ieq(v[CK_ACT], "Inform")))
		r->action = REC_ACTION_ALLOW;
	/* The record must point into the line or the arena: copy the name. */
	if (r->proto.len > 0 && (name = checkpoint_cef_proto(r->proto))) {
		char *p = arena_dup(a, name, strlen(name));

		if (p == NULL) {
			r->reason = "line too long to unescape";
			return PARSE_REJECT;
		}
		r->proto = slice_make(p, strlen(name));
	}
	return cef_verdict(r);
}

const struct parser parser_checkpoint_cef = {
    .name = "checkpoint_cef",
    .description = "Check Point Log Exporter CEF",
    .source_id = "CHECKPOINT_CEF_SYSLOG",
    .source_id_syslog = "CHECKPOINT_CEF_SYSLOG",
    .log_type = 218,
    .max_bid = (CEF_LINE_MAX + 8 * 11) * PEEK_LINES,
    .bid = checkpoint_cef_bid,
    .parse = checkpoint_cef_parse,
};
