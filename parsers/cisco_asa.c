/*
 * Cisco ASA, PIX and FWSM syslog, MDCA "Cisco ASA Firewall" (CISCO_ASA)
 * and "Cisco FWSM" (CISCO_FWSM).
 *
 *	Oct 10 2018 12:34:56 fw1 : %ASA-6-302013: Built outbound TCP
 *	    connection 11757 for outside:100.66.205.104/80 (...) to
 *	    inside:172.31.98.44/1772 (...)
 *
 * The driver removes the syslog header (the time, with Cisco's year inside
 * the BSD stamp, and the host); the body carries no time of its own.  The
 * message texts are read by cisco_msg.c: connections (302013..302021),
 * denies (106xxx), URLs (304001/304002), NAT (305xxx), user sessions
 * (113xxx, 716xxx, 722xxx).  Other ids (configuration, failover,
 * interface state) are skipped.  MDCA wants logging level 6 (informational)
 * so that the 302xxx connection messages are there.
 */
#include "cisco_msg.h"
#include "lex.h"
#include "parser.h"

static bool
asa_facility(const struct cisco_msg *m)
{
	return cisco_msg_is(m, "ASA") || cisco_msg_is(m, "PIX") ||
	       cisco_msg_is(m, "FWSM");
}

static int
cisco_asa_bid(const struct peek *pk)
{
	int bid = 0;

	for (size_t i = 0; i < pk->nlines; i++) {
		struct cisco_msg m;

		if (cisco_msg_split(pk->body[i], &m) && asa_facility(&m))
			bid += cisco_msg_score(&m);
	}
	return bid;
}

static enum parse_result
cisco_asa_parse(void *state, struct slice line, struct record *r,
                struct arena *a)
{
	struct cisco_msg m;
	bool fwsm;

	(void)state;
	(void)a;
	line = slice_trim(line);
	if (line.len == 0)
		return PARSE_SKIP;
	if (!cisco_msg_split(line, &m) || !asa_facility(&m)) {
		r->reason = "no %ASA- message id";
		return PARSE_REJECT;
	}
	fwsm = cisco_msg_is(&m, "FWSM");
	if (r->syslog)
		r->source_type =
		    fwsm ? "CISCO_FWSM_SYSLOG" : "CISCO_ASA_SYSLOG";
	else
		r->source_type = fwsm ? "CISCO_FWSM" : "CISCO_ASA";
	cisco_fix_header(r, line);
	return cisco_msg_parse(&m, r);
}

const struct parser parser_cisco_asa = {
    .name = "cisco_asa",
    .description = "Cisco ASA / PIX / FWSM syslog (%ASA-6-302013 ...)",
    .source_id = "CISCO_ASA",
    .source_id_syslog = "CISCO_ASA_SYSLOG",
    .log_type = 104,
    .max_bid = 8 * (8 * 6 + 16 + 8),
    .bid = cisco_asa_bid,
    .parse = cisco_asa_parse,
};
