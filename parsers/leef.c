/*
 * Generic LEEF (IBM QRadar Log Event Extended Format) 1.0 and 2.0, MDCA
 * "Generic LEEF".
 *
 *	LEEF:1.0|Vendor|Product|Version|EventID|key=value<TAB>key=value...
 *	LEEF:2.0|Vendor|Product|Version|EventID|^|key=value^key=value...
 *
 * The 2.0 header may name the attribute delimiter (a character, or hex:
 * "x09", "0x5E"); 1.0 uses a tab.  Tabs turned into "#011" by rsyslog, or
 * into spaces by a relay, are accepted.  Predefined attributes used: src,
 * dst, srcPort, dstPort, usrName, devTime (read in the common formats:
 * epoch ms, "MMM dd yyyy HH:mm:ss[.SSS] [z]", ISO; devTimeFormat is not
 * interpreted), url, proto, srcBytes (sent by the client: up), dstBytes
 * (down), totalBytes; and the common extras action, userAgent, hostname.
 */
#include "cef_lex.h"
#include "lex.h"
#include "parser.h"

static int
leef_generic_bid(const struct peek *pk)
{
	return cef_bid(pk, true, NULL);
}

static enum parse_result
leef_generic_parse(void *state, struct slice line, struct record *r,
                   struct arena *a)
{
	struct cef_hdr h;
	struct slice v[CK_NKEYS];
	enum parse_result res;

	(void)state;
	if ((res = cef_parse_line(line, true, &h, v, r, a)) != PARSE_OK)
		return res;
	return cef_verdict(r);
}

const struct parser parser_leef = {
    .name = "leef",
    .description = "Generic LEEF 1.0/2.0 (IBM QRadar)",
    .source_id = "GENERIC_LEEF",
    .source_id_syslog = "GENERIC_LEEF_SYSLOG",
    .log_type = 181,
    .max_bid = CEF_LINE_MAX * PEEK_LINES,
    .bid = leef_generic_bid,
    .parse = leef_generic_parse,
};
