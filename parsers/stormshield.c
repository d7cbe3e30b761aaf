/*
 * Stormshield Network Security (SNS) logs, MDCA "Stormshield".
 *
 *	id=firewall time="2024-03-08 17:29:30" fw="stormy-1" tz=+0000
 *	    startime="2024-03-08 12:27:28" pri=5 ... ipproto=udp proto=ntp
 *	    src=192.168.197.134 srcport=123 ... dst=1.128.0.1 dstport=123
 *	    dstname=ntp2.example.eu ... sent=48 rcvd=48 duration=0.09
 *	    action=pass logtype="connection"
 *
 * Every log family shares the header (time, fw, tz, startime) and names
 * itself in logtype.  Connection, filter, web (URL filtering: op, result,
 * arg, cat_site) and plugin records describe traffic and are kept;
 * statistics, system, authentication, VPN and alarm records are skipped.
 * time is the firewall's clock and tz its offset from UTC.  `proto` is
 * the application protocol, `ipproto` the transport.  dstname is a DNS
 * name, or an object name ("host_1.2.3.4", "Firewall_out"): only names
 * that look like DNS names are taken as the host.
 */
#include <string.h>

#include "kv_family.h"
#include "lex.h"
#include "parser.h"

struct ss_fields {
	struct slice id, time, fw, tz, startime, logtype, action;
	struct slice src, dst, srcport, dstport, dstname, proto, ipproto;
	struct slice user, arg, sent, rcvd;
	size_t npairs;
};

static void
ss_field(void *arg, struct slice k, struct slice v)
{
	struct ss_fields *f = arg;

	switch (k.p[0]) {
	case 'a':
		if (KVF_KEY(k, "action"))
			f->action = v;
		else if (KVF_KEY(k, "arg"))
			f->arg = v;
		break;
	case 'd':
		if (KVF_KEY(k, "dst"))
			f->dst = v;
		else if (KVF_KEY(k, "dstport"))
			f->dstport = v;
		else if (KVF_KEY(k, "dstname"))
			f->dstname = v;
		break;
	case 'f':
		if (KVF_KEY(k, "fw"))
			f->fw = v;
		break;
	case 'i':
		if (KVF_KEY(k, "id"))
			f->id = v;
		else if (KVF_KEY(k, "ipproto"))
			f->ipproto = v;
		break;
	case 'l':
		if (KVF_KEY(k, "logtype"))
			f->logtype = v;
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
		if (KVF_KEY(k, "src"))
			f->src = v;
		else if (KVF_KEY(k, "srcport"))
			f->srcport = v;
		else if (KVF_KEY(k, "sent"))
			f->sent = v;
		else if (KVF_KEY(k, "startime"))
			f->startime = v;
		break;
	case 't':
		if (KVF_KEY(k, "time"))
			f->time = v;
		else if (KVF_KEY(k, "tz"))
			f->tz = v;
		break;
	case 'u':
		if (KVF_KEY(k, "user"))
			f->user = v;
		break;
	}
}

static enum kvf_status
ss_scan(struct slice body, struct ss_fields *f)
{
	memset(f, 0, sizeof(*f));
	return kvf_scan(body, ss_field, f, &f->npairs);
}

/* "2024-03-08 17:29:30" */
static bool
ss_time(struct slice s, int64_t *ms)
{
	if (s.len != 19 || s.p[10] != ' ')
		return false;
	return kvf_date_time(slice_make(s.p, 10), slice_make(s.p + 11, 8), ms);
}

static int
ss_bid(const struct peek *pk)
{
	int bid = 0;

	for (size_t i = 0; i < pk->nlines; i++) {
		struct ss_fields f;
		int64_t ms;
		int tz, n;

		/* Its keys are not in the line: no need to read it. */
		if (!slice_find(pk->body[i], "fw") ||
		    !slice_find(pk->body[i], "tz"))
			continue;
		if (ss_scan(pk->body[i], &f) != KVF_END || f.fw.len == 0 ||
		    !ss_time(f.time, &ms) || !kvf_zone(f.tz, &tz))
			continue;
		n = 3; /* time, fw, tz */
		n += ss_time(f.startime, &ms);
		n += f.logtype.len > 0;
		n += lex_is_ip(f.src);
		n += lex_is_ip(f.dst);
		n += f.ipproto.len > 0;
		bid += 8 * n;
	}
	return bid;
}

/* "ntp2.example.eu", not "host_1.2.3.4" nor "Firewall_out". */
static bool
ss_dns_name(struct slice s)
{
	return s.len > 0 && memchr(s.p, '.', s.len) != NULL &&
	       !slice_starts(s, "host_") && memchr(s.p, ' ', s.len) == NULL;
}

static enum parse_result
ss_parse(void *state, struct slice line, struct record *r, struct arena *a)
{
	static const char *const traffic[] = {"connection", "filter", "web",
	                                      "plugin", NULL};
	static const char *const deny[] = {"block", "drop", "reject", "deny",
	                                   NULL};
	struct ss_fields f;
	int64_t ms;
	int tz;

	(void)state;
	line = slice_trim(line);
	if (line.len == 0)
		return PARSE_SKIP;
	if (ss_scan(line, &f) != KVF_END) {
		r->reason = "malformed key=value pair (unterminated quote?)";
		return PARSE_REJECT;
	}
	if (f.fw.len == 0 || f.time.len == 0 ||
	    (f.tz.len == 0 && f.startime.len == 0)) {
		r->reason = "no time, fw or tz: not a stormshield line";
		return PARSE_REJECT;
	}
	if (f.logtype.len > 0 ? !kvf_is_one_of(f.logtype, traffic)
	                      : f.src.len == 0 || f.dst.len == 0) {
		r->reason = "not a traffic record";
		return PARSE_SKIP;
	}
	if (ss_time(f.time, &ms)) {
		if (kvf_zone(f.tz, &tz))
			ms -= (int64_t)tz * 60000;
		r->time_ms = ms;
		r->has |= REC_HAS_TIME;
	}
	r->device = kvf_value(f.fw);
	r->src_ip = kvf_value(f.src);
	r->dst_ip = kvf_value(f.dst);
	kvf_port(r, f.srcport, &r->src_port, REC_HAS_SRC_PORT);
	kvf_port(r, f.dstport, &r->dst_port, REC_HAS_DST_PORT);
	r->proto = kvf_proto(f.proto, f.ipproto, a);
	if (ss_dns_name(f.dstname))
		r->dst_host = f.dstname;
	r->url = kvf_unescape(kvf_value(f.arg), a);
	r->user = kvf_unescape(kvf_value(f.user), a);
	kvf_bytes(r, f.sent, &r->bytes_up, REC_HAS_BYTES_UP);
	kvf_bytes(r, f.rcvd, &r->bytes_down, REC_HAS_BYTES_DOWN);
	if (slice_eq(f.action, "pass"))
		r->action = REC_ACTION_ALLOW;
	else if (kvf_is_one_of(f.action, deny))
		r->action = REC_ACTION_DENY;
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

const struct parser parser_stormshield = {
    .name = "stormshield",
    .description = "Stormshield SNS connection, filter and web logs",
    .source_id = "STORMSHIELD_SYSLOG",
    .source_id_syslog = "STORMSHIELD_SYSLOG",
    .log_type = 213,
    .max_bid = 8 * 8 * PEEK_LINES,
    .bid = ss_bid,
    .parse = ss_parse,
};
