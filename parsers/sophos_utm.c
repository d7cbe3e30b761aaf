/*
 * Sophos UTM / SG (formerly Astaro) logs, MDCA "Sophos SG".
 *
 *	2023:03:08-15:00:00 utm1 httpproxy[6267]: id="0001" severity="info"
 *	    sys="SecureWeb" sub="http" name="http access" action="pass"
 *	    method="GET" srcip="10.0.0.5" dstip="89.160.20.129" user="bob"
 *	    statuscode="200" size="311" url="https://..." ua="..." ...
 *	2023:03:08-15:01:00 utm1 ulogd[4711]: id="2002" severity="info"
 *	    sys="SecureNet" sub="packetfilter" name="Packet accepted"
 *	    action="accept" ... srcip="..." dstip="..." proto="6"
 *	    srcport="51000" dstport="443" ...
 *
 * The UTM writes its own prefix: a "YYYY:MM:DD-HH:MM:SS" stamp (device
 * local time, no zone: taken as UTC), the host, and the daemon tag.  When
 * the line came through a syslog server, the driver has removed that
 * server's header and the body starts at the UTM stamp, or at id= when the
 * header was the UTM's own.  Web proxy and packet filter records are kept;
 * other daemons' messages (no addresses, no URL) are skipped.  `size` is
 * what the proxy sent to the client; there is no upload figure.
 */
#include <string.h>

#include "kv_family.h"
#include "lex.h"
#include "parser.h"

struct utm_fields {
	struct slice id, sys, sub, name, action, srcip, dstip, srcport;
	struct slice dstport, proto, user, url, ua, size, method;
	size_t npairs;
};

struct utm_prefix {
	bool present, has_time;
	int64_t time_ms;
	struct slice host, tag;
};

/* "2023:03:08-15:00:00" */
static bool
utm_stamp(struct slice s, int64_t *ms)
{
	if (s.len != 19 || s.p[10] != '-')
		return false;
	return kvf_date_time(slice_make(s.p, 10), slice_make(s.p + 11, 8), ms);
}

/*
 * Split "STAMP HOST TAG[PID]: " off *line.  A body without the stamp is
 * left alone; a stamp without host and tag is not a UTM line.
 */
static bool
utm_take_prefix(struct slice *line, struct utm_prefix *px)
{
	struct slice r = *line, w;

	memset(px, 0, sizeof(*px));
	if (!lex_word(&r, &w) || !utm_stamp(w, &px->time_ms))
		return true;
	px->has_time = true;
	if (!lex_word(&r, &px->host) || !lex_word(&r, &px->tag) ||
	    px->tag.len < 2 || px->tag.p[px->tag.len - 1] != ':')
		return false;
	px->tag.len--;
	px->present = true;
	*line = r;
	return true;
}

static void
utm_field(void *arg, struct slice k, struct slice v)
{
	struct utm_fields *f = arg;

	switch (k.p[0]) {
	case 'a':
		if (KVF_KEY(k, "action"))
			f->action = v;
		break;
	case 'd':
		if (KVF_KEY(k, "dstip"))
			f->dstip = v;
		else if (KVF_KEY(k, "dstport"))
			f->dstport = v;
		break;
	case 'i':
		if (KVF_KEY(k, "id"))
			f->id = v;
		break;
	case 'm':
		if (KVF_KEY(k, "method"))
			f->method = v;
		break;
	case 'n':
		if (KVF_KEY(k, "name"))
			f->name = v;
		break;
	case 'p':
		if (KVF_KEY(k, "proto"))
			f->proto = v;
		break;
	case 's':
		if (KVF_KEY(k, "srcip"))
			f->srcip = v;
		else if (KVF_KEY(k, "srcport"))
			f->srcport = v;
		else if (KVF_KEY(k, "sys"))
			f->sys = v;
		else if (KVF_KEY(k, "sub"))
			f->sub = v;
		else if (KVF_KEY(k, "size"))
			f->size = v;
		break;
	case 'u':
		if (KVF_KEY(k, "user"))
			f->user = v;
		else if (KVF_KEY(k, "url"))
			f->url = v;
		else if (KVF_KEY(k, "ua"))
			f->ua = v;
		break;
	}
}

static enum kvf_status
utm_scan(struct slice body, struct utm_fields *f)
{
	memset(f, 0, sizeof(*f));
	return kvf_scan(body, utm_field, f, &f->npairs);
}

/* id="0001": four digits. */
static bool
utm_is_id(struct slice s)
{
	uint64_t n;

	return s.len == 4 && lex_u64(s, &n);
}

static int
utm_bid(const struct peek *pk)
{
	int bid = 0;

	for (size_t i = 0; i < pk->nlines; i++) {
		struct slice body = pk->body[i];
		struct utm_prefix px;
		struct utm_fields f;
		int n = 0;

		/* Its keys are not in the line: no need to read it. */
		if (!slice_find(pk->body[i], "sys") ||
		    !slice_find(pk->body[i], "sub"))
			continue;
		if (!utm_take_prefix(&body, &px) ||
		    utm_scan(body, &f) != KVF_END || !utm_is_id(f.id) ||
		    f.sys.len == 0 || f.sub.len == 0)
			continue;
		n = 3;                   /* id, sys, sub */
		n += px.present ? 3 : 0; /* stamp, host, tag */
		n += f.name.len > 0;
		n += lex_is_ip(f.srcip);
		n += lex_is_ip(f.dstip);
		n += f.action.len > 0;
		bid += 8 * n;
	}
	return bid;
}

static enum rec_action
utm_action(struct slice a)
{
	/*
	 * "warn": the proxy answered with a warning page instead of the
	 * content; if the user goes on, a new "pass" line follows.
	 */
	static const char *const deny[] = {"block", "blocked", "drop", "reject",
	                                   "deny",  "warn",    NULL};
	static const char *const allow[] = {"pass", "accept", "allow", NULL};

	if (kvf_is_one_of(a, deny))
		return REC_ACTION_DENY;
	if (kvf_is_one_of(a, allow))
		return REC_ACTION_ALLOW;
	return REC_ACTION_UNKNOWN;
}

static enum parse_result
utm_parse(void *state, struct slice line, struct record *r, struct arena *a)
{
	struct utm_prefix px;
	struct utm_fields f;
	enum kvf_status st;
	uint16_t port;
	bool has_port;

	(void)state;
	line = slice_trim(line);
	if (line.len == 0)
		return PARSE_SKIP;
	if (!utm_take_prefix(&line, &px)) {
		r->reason = "utm time stamp without host and tag";
		return PARSE_REJECT;
	}
	if (px.has_time) {
		r->time_ms = px.time_ms;
		r->has |= REC_HAS_TIME;
	}
	if (px.present)
		r->device = px.host;
	st = utm_scan(line, &f);
	if (st == KVF_BAD && f.npairs == 0 && px.present) {
		/* A daemon's free-text message ("httpproxy[1]: [1] ..."). */
		r->reason = "message without key=value fields";
		return PARSE_SKIP;
	}
	if (st != KVF_END) {
		r->reason = "malformed key=value pair (unterminated quote?)";
		return PARSE_REJECT;
	}
	if (!utm_is_id(f.id) || (f.sys.len == 0 && f.sub.len == 0)) {
		r->reason = "no id and sys/sub: not a sophos utm line";
		return PARSE_REJECT;
	}
	r->src_ip = kvf_value(f.srcip);
	r->dst_ip = kvf_value(f.dstip);
	r->url = kvf_unescape(kvf_value(f.url), a);
	if (r->src_ip.len == 0 && r->dst_ip.len == 0 && r->url.len == 0) {
		r->reason = "not a traffic record";
		return PARSE_SKIP;
	}
	kvf_port(r, f.srcport, &r->src_port, REC_HAS_SRC_PORT);
	kvf_port(r, f.dstport, &r->dst_port, REC_HAS_DST_PORT);
	if (r->url.len > 0) {
		const char *colon = slice_find(r->url, "://");

		r->dst_host = lex_url_host(r->url, &port, &has_port);
		if (has_port && !(r->has & REC_HAS_DST_PORT)) {
			r->dst_port = port;
			r->has |= REC_HAS_DST_PORT;
		}
		if (colon != NULL)
			r->proto =
			    slice_make(r->url.p, (size_t)(colon - r->url.p));
	}
	if (r->proto.len == 0)
		r->proto = kvf_proto(SLICE_NULL, f.proto, a);
	r->user = kvf_unescape(kvf_value(f.user), a);
	r->user_agent = kvf_unescape(kvf_value(f.ua), a);
	kvf_bytes(r, f.size, &r->bytes_down, REC_HAS_BYTES_DOWN);
	r->action = utm_action(f.action);
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

const struct parser parser_sophos_utm = {
    .name = "sophos_utm",
    .description = "Sophos UTM / SG web proxy and packet filter",
    .source_id = "SOPHOS_SG",
    .source_id_syslog = "SOPHOS_SG_SYSLOG",
    .log_type = 130,
    .max_bid = 8 * 10 * PEEK_LINES,
    .bid = utm_bid,
    .parse = utm_parse,
};
