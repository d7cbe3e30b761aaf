/*
 * Cisco ASA-family syslog messages, shared by the ASA (PIX, FWSM) and the
 * Firepower Threat Defense parsers.
 *
 * Every message starts "%<FACILITY>-[<class>-]<severity>-<id>: <text>",
 * e.g. "%ASA-6-302013: Built outbound TCP connection ...".  The text after
 * the id has one layout per id, documented in Cisco's "Syslog Messages"
 * guides; an FTD writes the same text under "%FTD-".  cisco_msg_split()
 * finds and splits that prefix, cisco_msg_parse() turns the traffic
 * messages (connections, denies, URL, NAT, user sessions) into a record.
 */
#ifndef CISCO_MSG_H
#define CISCO_MSG_H

#include <stdbool.h>
#include <stdint.h>

#include "parser.h"
#include "record.h"

struct cisco_msg {
	struct slice fac;  /* "ASA", "PIX", "FWSM", "FTD" */
	struct slice text; /* after "<id>: " */
	uint32_t id;       /* 302013 */
	int sev;           /* 0..7 */
	size_t siglen;     /* bytes of "%ASA-" matched, for bids */
};

/*
 * Find "%FAC-[class-]N-NNNNNN[:]" at the start of `body` (or, after an
 * unusual header, within its first 128 bytes) and split it.  Returns false
 * when there is none.
 */
bool cisco_msg_split(struct slice body, struct cisco_msg *m);

/* Is m's facility exactly `fac`? */
bool cisco_msg_is(const struct cisco_msg *m, const char *fac);

/*
 * Points a bidder gives one message of facility `fac`: the signature
 * bytes, the severity and the id, and one more field for an id that
 * carries traffic.
 */
int cisco_msg_score(const struct cisco_msg *m);

/*
 * Fill `r` from an ASA-style message.  Returns OK for traffic with both
 * ends, PARTIAL (with r->reason) for traffic or user events missing one,
 * SKIP (with r->reason) for messages that are not traffic.
 */
enum parse_result cisco_msg_parse(const struct cisco_msg *m, struct record *r);

/*
 * Tidy what the driver took from the syslog header in front of `body`:
 * drop the ':' glued to a host name ("<IP>:"), and apply a zone name
 * written after the time ("09:34:34 EDT:"), which the header parser leaves
 * out.
 */
void cisco_fix_header(struct record *r, struct slice body);

#endif
