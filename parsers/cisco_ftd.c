/*
 * Cisco Firepower Threat Defense syslog, MDCA "Cisco ASA with FirePOWER"
 * and "Cisco FirePOWER 6.x".
 *
 * An FTD sends two families under "%FTD-":
 *
 *	%FTD-6-302014: Teardown TCP connection ...	the ASA texts
 *(cisco_msg.c) %FTD-1-430003: AccessControlRuleAction: Allow, SrcIP: 10.0.1.20,
 *	    DstIP: 81.2.69.144, SrcPort: 43228, ..., URL: http://...
 *
 * 430002 (connection start) and 430003 (connection end) are "Key: Value"
 * lists joined by ", "; values hold blanks, commas and colons ("UserAgent:
 * Debian APT-HTTP/1.3 (1.6.11)", "Endpoint Profile: Workstation:Microsoft-
 * Workstation"), so a value ends only at a ", " followed by something that
 * looks like a key.  InitiatorBytes is what the client sent (up),
 * ResponderBytes what it received (down).
 *
 * Source types, per record: the connection events are the Firepower 6.x
 * event format (CISCO_FIREPOWER_V6[_SYSLOG], logType 222/223); the ASA
 * texts from an FTD are "ASA with FirePOWER" (CISCO_ASA_FIREPOWER[_SYSLOG],
 * 177/178).  430001 (intrusion) and 430004/430005 (file, malware) events
 * repeat a connection already logged and are skipped.
 */
#include <string.h>

#include "cisco_msg.h"
#include "lex.h"
#include "parser.h"

/* "%FDT-" is a typo seen in a real FTD export; it is the same device. */
static bool
ftd_facility(const struct cisco_msg *m)
{
	return cisco_msg_is(m, "FTD") || cisco_msg_is(m, "FDT");
}

static bool
ftd_is_conn(const struct cisco_msg *m)
{
	return m->id == 430002 || m->id == 430003;
}

static int
cisco_ftd_bid(const struct peek *pk)
{
	int bid = 0;

	for (size_t i = 0; i < pk->nlines; i++) {
		struct cisco_msg m;

		if (!cisco_msg_split(pk->body[i], &m) || !ftd_facility(&m))
			continue;
		bid += cisco_msg_score(&m);
		if (ftd_is_conn(&m) && slice_find(m.text, "SrcIP: ") != NULL)
			bid += 8;
	}
	return bid;
}

/* Does a key ("SrcIP", "Prefilter Policy") and ": " start at p? */
static bool
ftd_key_at(const char *p, const char *end)
{
	const char *q = p;

	if (q == end || (unsigned)(*q - 'A') >= 26)
		return false;
	while (q < end && q - p < 48 &&
	       ((unsigned)((*q | 0x20) - 'a') < 26 || *q == ' ' || *q == '_' ||
	        (unsigned)(*q - '0') <= 9))
		q++;
	return end - q >= 2 && q[0] == ':' && q[1] == ' ';
}

/* The next "Key: Value" of *rest. */
static bool
ftd_next(struct slice *rest, struct slice *key, struct slice *val)
{
	const char *p = rest->p, *end = rest->p + rest->len, *sep, *v, *q;

	if (rest->len == 0 || !ftd_key_at(p, end))
		return false;
	sep = slice_find(*rest, ": ");
	*key = slice_make(p, (size_t)(sep - p));
	v = sep + 2;
	for (q = v; (q = memchr(q, ',', (size_t)(end - q))) != NULL; q++)
		if (end - q > 2 && q[1] == ' ' && ftd_key_at(q + 2, end))
			break;
	*val = slice_trim(slice_make(v, (size_t)((q ? q : end) - v)));
	*rest = q ? slice_make(q + 2, (size_t)(end - q - 2)) : SLICE_NULL;
	return true;
}

/* User values that mean nobody was identified. */
static bool
ftd_no_user(struct slice v)
{
	return slice_is_empty_value(v) ||
	       slice_eq(v, "No Authentication Required") ||
	       slice_eq(v, "Not Found") || slice_eq(v, "Unknown") ||
	       slice_eq(v, "No Authentication") || slice_eq(v, "Pending");
}

static enum parse_result
ftd_conn_parse(const struct cisco_msg *m, struct record *r)
{
	struct slice rest = m->text, k, v, refhost = SLICE_NULL;
	uint16_t port;
	bool has_port;
	size_t n = 0;

	while (ftd_next(&rest, &k, &v)) {
		n++;
		if (slice_eq(k, "SrcIP")) {
			if (lex_is_ip(v))
				r->src_ip = v;
		} else if (slice_eq(k, "DstIP")) {
			if (lex_is_ip(v))
				r->dst_ip = v;
		} else if (slice_eq(k, "SrcPort")) {
			if (lex_port(v, &r->src_port))
				r->has |= REC_HAS_SRC_PORT;
		} else if (slice_eq(k, "DstPort")) {
			if (lex_port(v, &r->dst_port))
				r->has |= REC_HAS_DST_PORT;
		} else if (slice_eq(k, "Protocol")) {
			r->proto = v;
		} else if (slice_eq(k, "AccessControlRuleAction")) {
			/* Monitor logs and goes on: the verdict is elsewhere.
			 */
			if (slice_eq(v, "Allow") || slice_eq(v, "Trust") ||
			    slice_eq(v, "Fastpath"))
				r->action = REC_ACTION_ALLOW;
			else if (slice_starts(v, "Block") ||
			         slice_starts(v, "Interactive Block"))
				r->action = REC_ACTION_DENY;
		} else if (slice_eq(k, "User")) {
			if (!ftd_no_user(v))
				r->user = v;
		} else if (slice_eq(k, "UserAgent")) {
			if (!slice_is_empty_value(v))
				r->user_agent = v;
		} else if (slice_eq(k, "URL")) {
			if (!slice_is_empty_value(v))
				r->url = v;
		} else if (slice_eq(k, "ReferencedHost")) {
			refhost = v;
		} else if (slice_eq(k, "InitiatorBytes")) {
			if (lex_u64(v, &r->bytes_up))
				r->has |= REC_HAS_BYTES_UP;
		} else if (slice_eq(k, "ResponderBytes")) {
			if (lex_u64(v, &r->bytes_down))
				r->has |= REC_HAS_BYTES_DOWN;
		}
	}
	if (n < 2) {
		r->reason = "no Key: Value pairs";
		return PARSE_REJECT;
	}
	if (r->url.len > 0)
		r->dst_host = lex_url_host(r->url, &port, &has_port);
	if (r->dst_host.len == 0 && !slice_is_empty_value(refhost))
		r->dst_host = lex_hostport(refhost, &port, &has_port);
	if (r->src_ip.len == 0 && r->dst_ip.len == 0) {
		r->reason = "no SrcIP or DstIP (cut line?)";
		return PARSE_REJECT;
	}
	if (r->src_ip.len == 0) {
		r->reason = "no SrcIP";
		return PARSE_PARTIAL;
	}
	if (r->dst_ip.len == 0 && r->dst_host.len == 0) {
		r->reason = "no DstIP";
		return PARSE_PARTIAL;
	}
	return PARSE_OK;
}

static enum parse_result
cisco_ftd_parse(void *state, struct slice line, struct record *r,
                struct arena *a)
{
	struct cisco_msg m;

	(void)state;
	(void)a;
	line = slice_trim(line);
	if (line.len == 0)
		return PARSE_SKIP;
	if (!cisco_msg_split(line, &m) || !ftd_facility(&m)) {
		r->reason = "no %FTD- message id";
		return PARSE_REJECT;
	}
	cisco_fix_header(r, line);
	switch (m.id) {
	case 430002:
	case 430003:
		r->source_type = r->syslog ? "CISCO_FIREPOWER_V6_SYSLOG"
		                           : "CISCO_FIREPOWER_V6";
		return ftd_conn_parse(&m, r);
	case 430001:
		r->reason = "intrusion event, not a connection";
		return PARSE_SKIP;
	case 430004:
	case 430005:
		r->reason = "file event, not a connection";
		return PARSE_SKIP;
	}
	r->source_type =
	    r->syslog ? "CISCO_ASA_FIREPOWER_SYSLOG" : "CISCO_ASA_FIREPOWER";
	return cisco_msg_parse(&m, r);
}

const struct parser parser_cisco_ftd = {
    .name = "cisco_ftd",
    .description = "Cisco Firepower Threat Defense syslog (%FTD-1-430003 ...)",
    .source_id = "CISCO_ASA_FIREPOWER",
    .source_id_syslog = "CISCO_ASA_FIREPOWER_SYSLOG",
    .log_type = 177,
    .max_bid = 8 * (8 * 5 + 16 + 8),
    .bid = cisco_ftd_bid,
    .parse = cisco_ftd_parse,
};
