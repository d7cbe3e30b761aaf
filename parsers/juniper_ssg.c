/*
 * Juniper ScreenOS (NetScreen, SSG, ISG) traffic logs, MDCA "Juniper SSG".
 *
 *	NetScreen device_id=ssg5  [Root]system-notification-00257(traffic):
 *	    start_time="2009-03-09 17:26:20" duration=5 policy_id=2
 *	    service=http proto=6 src zone=Trust dst zone=Untrust
 *	    action=Permit sent=1024 rcvd=4096 src=10.1.1.5 dst=203.0.113.7
 *	    src_port=1500 dst_port=80 src-xlated ip=198.51.100.2 port=2048
 *	    session_id=1203 reason=Close - TCP FIN
 *
 * Message 00257 is the per-session traffic log ("traffic" in the
 * parentheses); other ScreenOS events share the "NetScreen device_id="
 * prefix and are skipped.  Some keys are written as two words ("src
 * zone=", "src-xlated ip="), and `reason` is unquoted text with spaces:
 * words without '=' are stepped over.  `sent` is what the source sent
 * (upload), `rcvd` what it received.  start_time is the device's local
 * time without a zone, taken as UTC.  Only JUNIPER_SSG_SYSLOG (169) is in
 * MDCA's upload list, so it is used with or without a syslog header.
 */
#include <string.h>

#include "lex.h"
#include "parser.h"
#include "sd_family.h"

#define SSG_PREFIX "NetScreen device_id="

struct ssg_fields {
	struct slice device, start, src, dst, sport, dport, proto, action;
	struct slice sent, rcvd, user;
	bool traffic;
};

/*
 * Split "NetScreen device_id=X [Root]system-…-00257(traffic): k=v …".
 * Returns false when the prefix is not there.
 */
static bool
ssg_head(struct slice body, struct ssg_fields *f, struct slice *rest)
{
	struct slice tag;

	body = slice_trim(body);
	if (!slice_starts(body, SSG_PREFIX))
		return false;
	body = slice_make(body.p + sizeof(SSG_PREFIX) - 1,
	                  body.len - (sizeof(SSG_PREFIX) - 1));
	if (!lex_word(&body, &f->device))
		return false;
	/* "[Root]system-notification-00257(traffic):" (a vsys name varies) */
	if (!lex_word(&body, &tag) || tag.p[tag.len - 1] != ':')
		return false;
	f->traffic = slice_find(tag, "(traffic)") != NULL;
	*rest = body;
	return true;
}

static void
ssg_fields(struct slice rest, struct ssg_fields *f)
{
	struct slice k, v, w;
	bool q;

	for (;;) {
		if (!lex_kv(&rest, &k, &v, &q)) {
			/* "src zone=", "reason=Close - RESP": step a word. */
			if (!lex_word(&rest, &w))
				break;
			continue;
		}
		if (SD_KEY_IS(k, "start_time"))
			f->start = v;
		else if (SD_KEY_IS(k, "src"))
			f->src = v;
		else if (SD_KEY_IS(k, "dst"))
			f->dst = v;
		else if (SD_KEY_IS(k, "src_port"))
			f->sport = v;
		else if (SD_KEY_IS(k, "dst_port"))
			f->dport = v;
		else if (SD_KEY_IS(k, "proto"))
			f->proto = v;
		else if (SD_KEY_IS(k, "action"))
			f->action = v;
		else if (SD_KEY_IS(k, "sent"))
			f->sent = v;
		else if (SD_KEY_IS(k, "rcvd"))
			f->rcvd = v;
		else if (SD_KEY_IS(k, "user") || SD_KEY_IS(k, "src_user"))
			f->user = v;
	}
}

static enum parse_result
ssg_parse(void *state, struct slice line, struct record *r, struct arena *a)
{
	struct ssg_fields f;
	struct slice rest;
	int64_t ms;

	(void)state;
	if (slice_trim(line).len == 0)
		return PARSE_SKIP;
	memset(&f, 0, sizeof(f));
	if (!ssg_head(line, &f, &rest)) {
		r->reason = "no NetScreen device_id= prefix";
		return PARSE_REJECT;
	}
	if (!f.traffic) {
		r->reason = "not a traffic log";
		return PARSE_SKIP;
	}
	ssg_fields(rest, &f);
	r->device = f.device;
	if (time_iso(f.start, &ms)) {
		r->time_ms = ms;
		r->has |= REC_HAS_TIME;
	}
	if (slice_ieq(f.action, "Permit") || slice_ieq(f.action, "Tunnel"))
		r->action = REC_ACTION_ALLOW;
	else if (slice_ieq(f.action, "Deny") || slice_ieq(f.action, "Reject"))
		r->action = REC_ACTION_DENY;
	if (!lex_is_ip(f.src)) {
		r->reason = "no source address";
		return PARSE_REJECT;
	}
	r->src_ip = f.src;
	if (lex_is_ip(f.dst))
		r->dst_ip = f.dst;
	if (lex_port(f.sport, &r->src_port))
		r->has |= REC_HAS_SRC_PORT;
	if (lex_port(f.dport, &r->dst_port))
		r->has |= REC_HAS_DST_PORT;
	if (f.proto.len > 0)
		r->proto = sd_proto_name(f.proto, a);
	if (lex_u64(f.sent, &r->bytes_up))
		r->has |= REC_HAS_BYTES_UP;
	if (lex_u64(f.rcvd, &r->bytes_down))
		r->has |= REC_HAS_BYTES_DOWN;
	if (!slice_is_empty_value(f.user))
		r->user = f.user;
	if (r->dst_ip.len == 0) {
		r->reason = "no destination";
		return PARSE_PARTIAL;
	}
	return PARSE_OK;
}

/* 8 per byte of "NetScreen device_id=" and "(traffic)", 8 per address. */
#define SSG_LINE_MAX (8 * (20 + 9 + 2))

static int
ssg_bid(const struct peek *pk)
{
	int bid = 0;

	for (size_t i = 0; i < pk->nlines; i++) {
		struct ssg_fields f;
		struct slice rest;
		int line = 8 * 20;

		memset(&f, 0, sizeof(f));
		if (!ssg_head(pk->body[i], &f, &rest))
			continue;
		if (f.traffic) {
			line += 8 * 9;
			ssg_fields(rest, &f);
			line += lex_is_ip(f.src) ? 8 : 0;
			line += lex_is_ip(f.dst) ? 8 : 0;
		}
		bid += line;
	}
	return bid;
}

const struct parser parser_juniper_ssg = {
    .name = "juniper_ssg",
    .description = "Juniper ScreenOS / SSG traffic log",
    .source_id = "JUNIPER_SSG_SYSLOG",
    .source_id_syslog = "JUNIPER_SSG_SYSLOG",
    .log_type = 169,
    .max_bid = SSG_LINE_MAX * PEEK_LINES,
    .bid = ssg_bid,
    .parse = ssg_parse,
};
