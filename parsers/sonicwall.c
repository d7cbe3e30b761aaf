/*
 * SonicWall SonicOS syslog ("Default" key=value format), MDCA "SonicWall".
 *
 *	id=firewall sn=0017C5178994 time="2018-02-06 16:11:09" fw=64.1.2.3
 *	    pri=6 c=1024 m=537 msg="Connection Closed" n=11782330
 *	    src=192.168.97.214:60622:X0 dst=172.27.14.5:53:X0-V51
 *	    proto=udp/dns sent=56 rcvd=146
 *	... m=97 msg="Web site hit" ... proto=tcp/https sent=3523 rcvd=14226
 *	    dstname=chat.example.com arg=/ ...
 *
 * `id` is the configurable "Syslog ID"; the serial `sn`, the message id `m`
 * and the stamp identify the format.  Addresses are "ip:port:interface"
 * with an optional ":name"; IPv6 addresses come in srcV6/dstV6 while
 * src/dst keep the port ("src=:28503:WAN").  time is the device's clock,
 * sometimes followed by " UTC".  Some values are single-quoted
 * (appName='General DNS'); kvf_next keeps such words together.  Some
 * relays put their own address in front of id= without a syslog stamp.
 * Connection, NAT and web records are kept; administrative and VPN
 * messages (no protocol, no byte counts) are skipped.
 */
#include <string.h>

#include "kv_family.h"
#include "lex.h"
#include "parser.h"

struct sw_fields {
	struct slice sn, time, fw, m, msg, src, dst, srcv6, dstv6, proto;
	struct slice sent, rcvd, dstname, arg, usr, fw_action;
	size_t npairs;
};

static void
sw_field(void *arg, struct slice k, struct slice v)
{
	struct sw_fields *f = arg;

	switch (k.p[0]) {
	case 'a':
		if (KVF_KEY(k, "arg"))
			f->arg = v;
		break;
	case 'd':
		if (KVF_KEY(k, "dst"))
			f->dst = v;
		else if (KVF_KEY(k, "dstV6"))
			f->dstv6 = v;
		else if (KVF_KEY(k, "dstname"))
			f->dstname = v;
		break;
	case 'f':
		if (KVF_KEY(k, "fw"))
			f->fw = v;
		else if (KVF_KEY(k, "fw_action"))
			f->fw_action = v;
		break;
	case 'm':
		if (KVF_KEY(k, "m"))
			f->m = v;
		else if (KVF_KEY(k, "msg") && f->msg.len == 0)
			f->msg = v;
		break;
	case 'p':
		if (KVF_KEY(k, "proto"))
			f->proto = v;
		break;
	case 'r':
		if (KVF_KEY(k, "rcvd"))
			f->rcvd = v;
		break;
	case 's':
		if (KVF_KEY(k, "sn"))
			f->sn = v;
		else if (KVF_KEY(k, "src"))
			f->src = v;
		else if (KVF_KEY(k, "srcV6"))
			f->srcv6 = v;
		else if (KVF_KEY(k, "sent"))
			f->sent = v;
		break;
	case 't':
		if (KVF_KEY(k, "time"))
			f->time = v;
		break;
	case 'u':
		if (KVF_KEY(k, "usr") || KVF_KEY(k, "user"))
			f->usr = v;
		break;
	}
}

/* A relay's address in front of "id=": one word without '='. */
static struct slice
sw_skip_relay(struct slice body, struct slice *relay)
{
	struct slice r = body, w;

	*relay = SLICE_NULL;
	if (lex_word(&r, &w) && memchr(w.p, '=', w.len) == NULL &&
	    lex_is_ip(w)) {
		*relay = w;
		return r;
	}
	return body;
}

static enum kvf_status
sw_scan(struct slice body, struct sw_fields *f)
{
	memset(f, 0, sizeof(*f));
	return kvf_scan(body, sw_field, f, &f->npairs);
}

/* "2018-02-06 16:11:09", optionally followed by " UTC". */
static bool
sw_time(struct slice s, int64_t *ms)
{
	if (s.len < 19 || (s.len > 19 && s.p[19] != ' '))
		return false;
	return kvf_date_time(slice_make(s.p, 10), slice_make(s.p + 11, 8), ms);
}

static int
sw_bid(const struct peek *pk)
{
	int bid = 0;

	for (size_t i = 0; i < pk->nlines; i++) {
		struct sw_fields f;
		struct slice relay;
		uint64_t n64;
		int64_t ms;
		int n;

		/* Its keys are not in the line: no need to read it. */
		if (!slice_find(pk->body[i], "sn") ||
		    !slice_find(pk->body[i], "time"))
			continue;
		if (sw_scan(sw_skip_relay(pk->body[i], &relay), &f) !=
		        KVF_END ||
		    f.sn.len == 0 || !sw_time(f.time, &ms))
			continue;
		n = 2; /* sn, time */
		n += f.fw.len > 0;
		n += lex_u64(f.m, &n64);
		n += f.msg.len > 0;
		n += f.src.len > 0;
		n += f.dst.len > 0;
		n += f.proto.len > 0 && memchr(f.proto.p, '/', f.proto.len);
		bid += 8 * n;
	}
	return bid;
}

/* "ip:port:iface[:name]", ":port:iface" (IPv6 in srcV6), "ip". */
static void
sw_addr(struct slice s, struct slice v6, struct slice *ip, uint16_t *port,
        bool *has_port)
{
	struct slice rest = s, f;

	*ip = SLICE_NULL;
	*has_port = false;
	if (lex_field(&rest, ':', &f))
		*ip = f;
	if (lex_field(&rest, ':', &f) && lex_port(f, port))
		*has_port = true;
	if (ip->len == 0 && lex_is_ip(v6))
		*ip = v6;
}

static enum rec_action
sw_action(const struct sw_fields *f)
{
	static const char *const deny[] = {"drop",  "reject",  "deny",
	                                   "block", "blocked", NULL};
	uint64_t m = 0;

	if (kvf_is_one_of(f->fw_action, deny))
		return REC_ACTION_DENY;
	if (slice_find(f->msg, "denied") || slice_find(f->msg, "dropped") ||
	    slice_find(f->msg, "blocked") || slice_find(f->msg, "Blocked"))
		return REC_ACTION_DENY;
	/* 97 Web site hit, 98 Connection Opened, 537 Connection Closed. */
	if (lex_u64(f->m, &m) && (m == 97 || m == 98 || m == 537))
		return REC_ACTION_ALLOW;
	if (slice_ieq(f->fw_action, "forward"))
		return REC_ACTION_ALLOW;
	return REC_ACTION_UNKNOWN;
}

static enum parse_result
sw_parse(void *state, struct slice line, struct record *r, struct arena *a)
{
	struct sw_fields f;
	struct slice relay, app = SLICE_NULL, transport;
	bool has_port;
	int64_t ms;

	(void)state;
	line = slice_trim(line);
	if (line.len == 0)
		return PARSE_SKIP;
	line = sw_skip_relay(line, &relay);
	if (sw_scan(line, &f) != KVF_END) {
		r->reason = "malformed key=value pair (unterminated quote?)";
		return PARSE_REJECT;
	}
	if (f.sn.len == 0 || f.time.len == 0 ||
	    (f.m.len == 0 && f.msg.len == 0)) {
		r->reason = "no sn, time or m: not a sonicwall line";
		return PARSE_REJECT;
	}
	if (f.proto.len == 0 && f.sent.len == 0 && f.rcvd.len == 0 &&
	    f.dstname.len == 0) {
		r->reason = "not a traffic record";
		return PARSE_SKIP;
	}
	if (sw_time(f.time, &ms)) {
		r->time_ms = ms;
		r->has |= REC_HAS_TIME;
	}
	if (r->device.len == 0)
		r->device = relay;
	sw_addr(f.src, f.srcv6, &r->src_ip, &r->src_port, &has_port);
	if (has_port)
		r->has |= REC_HAS_SRC_PORT;
	sw_addr(f.dst, f.dstv6, &r->dst_ip, &r->dst_port, &has_port);
	if (has_port)
		r->has |= REC_HAS_DST_PORT;
	/* proto=tcp/https: transport and service. */
	transport = f.proto;
	if (f.proto.len > 0) {
		const char *sl = memchr(f.proto.p, '/', f.proto.len);

		if (sl != NULL) {
			transport =
			    slice_make(f.proto.p, (size_t)(sl - f.proto.p));
			app = slice_make(
			    sl + 1, (size_t)(f.proto.p + f.proto.len - sl - 1));
		}
	}
	r->proto = kvf_proto(app, transport, a);
	kvf_bytes(r, f.sent, &r->bytes_up, REC_HAS_BYTES_UP);
	kvf_bytes(r, f.rcvd, &r->bytes_down, REC_HAS_BYTES_DOWN);
	r->dst_host = kvf_value(f.dstname);
	r->url = kvf_value(f.arg);
	/* "Unknown (SSO failed)": single sign-on found nobody. */
	r->user = kvf_unescape(kvf_value(f.usr), a);
	if (slice_starts(r->user, "Unknown"))
		r->user = SLICE_NULL;
	r->action = sw_action(&f);
	if (r->src_ip.len == 0) {
		r->reason = "no source address";
		return PARSE_PARTIAL;
	}
	if (r->dst_ip.len == 0 && r->dst_host.len == 0) {
		r->reason = "no destination";
		return PARSE_PARTIAL;
	}
	return PARSE_OK;
}

const struct parser parser_sonicwall = {
    .name = "sonicwall",
    .description = "SonicWall SonicOS syslog (default key=value format)",
    .source_id = "SONICWALL_SYSLOG",
    .source_id_syslog = "SONICWALL_SYSLOG",
    .log_type = 160,
    .max_bid = 8 * 8 * PEEK_LINES,
    .bid = sw_bid,
    .parse = sw_parse,
};
