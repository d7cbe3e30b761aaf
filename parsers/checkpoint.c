/*
 * Check Point firewall logs, MDCA "Check Point".
 *
 * Three textual framings reach us (the CEF one has its own parser):
 *
 *	Log Exporter "syslog": RFC 5424, the record as pseudo structured data
 *	  <134>1 2020-03-29T13:19:22Z gw CheckPoint 1930 - [action:"Accept";
 *	      …; dst:"194.29.39.10"; proto:"6"; s_port:"61794";
 *	      service:"443"; src:"192.168.1.100"; …]
 *	  (a collector may leave "syslog[…]"; another flavour writes real SD
 *	  params: [Fields@1.3.6.1.4.1.2620 src="…" svc="443" …])
 *	legacy fw1 / OPSEC LEA export behind a BSD header
 *	  Checkpoint:  3Sep2007 15:10:28 accept 192.168.99.1 >eth2 rule: 9;
 *	      …; src: 200.14.120.9; dst: 192.168.99.184; proto: udp; …;
 *	      service: 53; s_port: 32769;
 *	SmartView Tracker export: every column quoted, by position
 *	  "22" "10Dec2019" "23:44:49" "eth1" "origin" "Log" "Accept" "443"
 *	      "44250" "src" "dst" "tcp" "81" "rule name" "policy" ""
 *	      "inzone: External; …" "product" "" ""
 *
 * Source types: MDCA's upload list has CHECKPOINT (103), not its _SYSLOG
 * twin, so the syslog framings are CHECKPOINT whether or not a header is
 * there; the quoted export is CHECKPOINT_SMART_VIEW_TRACKER (189), set per
 * record.
 *
 * Values carry RFC 5424 escapes (\" \]); keys may have a doubled colon
 * (ike::"…") and may repeat (layer_name).  A record whose header keys
 * (loguid, sequencenum) repeat is two events spliced together by a broken
 * writer: it is rejected rather than half-read.  Events without addresses
 * (System Monitor, Log Update) and VPN/management actions (Key Install,
 * Log In) are skipped.
 *
 * Bytes: Elastic's mapping is followed, client_outbound_bytes (what left
 * the client) is the upload and client_inbound_bytes the download, with
 * server_inbound/outbound, sent/received_bytes as fallbacks; "bytes" alone
 * is the total.  `service` is the destination port, `proto` an IANA number.
 */
#include <stddef.h>
#include <string.h>

#include "lex.h"
#include "parser.h"
#include "sd_family.h"
#include "syslog.h"

#define CP_TRACKER "CHECKPOINT_SMART_VIEW_TRACKER"

struct cp_fields {
	struct slice action, src, dst, sport, service, proto, user, srcuser;
	struct slice resource, http_host, ua, time, origin, product;
	struct slice c_out, c_in, s_in, s_out, sent, recv, bytes;
	int nloguid, nseq;
};

static void
cp_take(struct cp_fields *f, struct slice k, struct slice v)
{
	static const struct {
		const char *key;
		size_t len, off;
	} keys[] = {
#define K(name, member)                                                        \
	{name, sizeof(name) - 1, offsetof(struct cp_fields, member)}
	    K("action", action),
	    K("src", src),
	    K("dst", dst),
	    K("s_port", sport),
	    K("sport_svc", sport), /* Fields@ flavour */
	    K("service", service),
	    K("svc", service),
	    K("proto", proto),
	    K("user", user),
	    K("src_user_name", srcuser),
	    K("resource", resource),
	    K("http_host", http_host),
	    K("user_agent", ua),
	    K("time", time),
	    K("origin", origin),
	    K("product", product),
	    K("ProductName", product),
	    K("client_outbound_bytes", c_out),
	    K("client_inbound_bytes", c_in),
	    K("server_inbound_bytes", s_in),
	    K("server_outbound_bytes", s_out),
	    K("sent_bytes", sent),
	    K("received_bytes", recv),
	    K("bytes", bytes),
#undef K
	};

	if (SD_KEY_IS(k, "loguid"))
		f->nloguid++;
	else if (SD_KEY_IS(k, "sequencenum"))
		f->nseq++;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (k.len == keys[i].len && k.p[0] == keys[i].key[0] &&
		    memcmp(k.p, keys[i].key, k.len) == 0) {
			struct slice *dst =
			    (struct slice *)((char *)f + keys[i].off);

			/* The first of a repeated key wins. */
			if (dst->len == 0 && !slice_is_empty_value(v))
				*dst = v;
			return;
		}
}

/*
 * The next `key:"value"` of a Log Exporter record: 1 and the pair, 0 at the
 * closing ']', -1 when the record is malformed or cut short.
 */
static int
cp_pair(struct slice *rest, struct slice *key, struct slice *val)
{
	const char *p = rest->p, *end = rest->p + rest->len, *k, *v;

	while (p < end && (*p == ' ' || *p == ';'))
		p++;
	if (p == end)
		return -1;
	if (*p == ']') {
		*rest = slice_make(p + 1, (size_t)(end - p - 1));
		return 0;
	}
	for (k = p; p < end && *p != ':' && *p != '"' && *p != ']'; p++)
		;
	if (p == end || *p != ':' || p == k)
		return -1;
	*key = slice_make(k, (size_t)(p - k));
	if (++p < end && *p == ':')
		p++; /* sys_message::"…" */
	if (p == end || *p != '"')
		return -1;
	for (v = ++p; p < end && *p != '"'; p++)
		if (*p == '\\' && p + 1 < end)
			p++;
	if (p == end)
		return -1;
	*val = slice_make(v, (size_t)(p - v));
	*rest = slice_make(p + 1, (size_t)(end - p - 1));
	return 1;
}

/* The next `key: value;` of the legacy export; false at the end. */
static bool
cp_legacy_pair(struct slice *rest, struct slice *key, struct slice *val)
{
	struct slice seg;
	const char *colon;

	for (;;) {
		*rest = slice_trim(*rest);
		if (rest->len == 0 || !lex_field(rest, ';', &seg))
			return false;
		if ((colon = memchr(seg.p, ':', seg.len)) == NULL)
			continue;
		*key = slice_trim(slice_make(seg.p, (size_t)(colon - seg.p)));
		*val = slice_trim(slice_make(
		    colon + 1, (size_t)(seg.p + seg.len - colon - 1)));
		return true;
	}
}

/* "3Sep2007" and "15:10:28". */
static bool
cp_date(struct slice d, struct slice t, int64_t *ms)
{
	int day = 0, mon, y = 0, hh, mi, ss;
	size_t i = 0;

	while (i < d.len && i < 2 && (unsigned)(d.p[i] - '0') <= 9)
		day = day * 10 + (d.p[i++] - '0');
	if (i == 0 || d.len != i + 7 ||
	    (mon = time_month(slice_make(d.p + i, 3))) == 0)
		return false;
	for (i += 3; i < d.len; i++) {
		if ((unsigned)(d.p[i] - '0') > 9)
			return false;
		y = y * 10 + (d.p[i] - '0');
	}
	if (t.len != 8 || t.p[2] != ':' || t.p[5] != ':')
		return false;
	for (i = 0; i < 8; i++)
		if (i != 2 && i != 5 && (unsigned)(t.p[i] - '0') > 9)
			return false;
	hh = (t.p[0] - '0') * 10 + (t.p[1] - '0');
	mi = (t.p[3] - '0') * 10 + (t.p[4] - '0');
	ss = (t.p[6] - '0') * 10 + (t.p[7] - '0');
	if (day < 1 || day > 31 || hh > 23 || mi > 59 || ss > 60)
		return false;
	*ms = time_make(y, mon, day, hh, mi, ss, 0);
	return true;
}

enum cp_verb {
	CP_ALLOW,
	CP_DENY,
	CP_OTHER,    /* a traffic verdict we cannot call */
	CP_NOTRAFFIC /* VPN keys, logins */
};

static enum cp_verb
cp_action(struct slice a)
{
	static const char *const allow[] = {"Accept",  "Allow",  "Detect",
	                                    "Inform",  "Ask",    "Encrypt",
	                                    "Decrypt", "Bypass", "Inspect"};
	static const char *const deny[] = {"Drop", "Reject", "Block", "Prevent",
	                                   "Deny"};
	static const char *const other[] = {"Key Install", "Log In",
	                                    "Log Out",     "Failed Log In",
	                                    "Authorize",   "Deauthorize"};

	for (size_t i = 0; i < sizeof(allow) / sizeof(allow[0]); i++)
		if (slice_ieq(a, allow[i]))
			return CP_ALLOW;
	for (size_t i = 0; i < sizeof(deny) / sizeof(deny[0]); i++)
		if (slice_ieq(a, deny[i]))
			return CP_DENY;
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		if (slice_ieq(a, other[i]))
			return CP_NOTRAFFIC;
	return CP_OTHER;
}

/* The first of `v` that is a number: sets *dst and `bit`. */
static void
cp_u64(struct record *r, unsigned bit, uint64_t *dst, struct slice a,
       struct slice b, struct slice c)
{
	if (lex_u64(a, dst) || lex_u64(b, dst) || lex_u64(c, dst))
		r->has |= bit;
}

static enum parse_result
cp_finish(struct cp_fields *f, struct record *r, struct arena *a)
{
	int64_t ms;
	uint16_t port;
	bool has_port;

	if (f->nloguid > 1 || f->nseq > 1) {
		r->reason = "two records spliced in one line";
		return PARSE_REJECT;
	}
	if (f->action.len > 0) {
		switch (cp_action(f->action)) {
		case CP_ALLOW:
			r->action = REC_ACTION_ALLOW;
			break;
		case CP_DENY:
			r->action = REC_ACTION_DENY;
			break;
		case CP_NOTRAFFIC:
			r->reason = "not a traffic event";
			return PARSE_SKIP;
		case CP_OTHER:
			break;
		}
	}
	if (f->src.len == 0 && f->dst.len == 0) {
		r->reason = "not a traffic event";
		return PARSE_SKIP;
	}
	if (f->src.len > 0 && !lex_is_ip(f->src)) {
		r->reason = "bad source address";
		return PARSE_REJECT;
	}
	r->src_ip = f->src;
	if (lex_is_ip(f->dst))
		r->dst_ip = f->dst;
	if (lex_port(f->sport, &r->src_port))
		r->has |= REC_HAS_SRC_PORT;
	if (lex_port(f->service, &r->dst_port))
		r->has |= REC_HAS_DST_PORT;
	if (f->proto.len > 0)
		r->proto = sd_proto_name(f->proto, a);
	if (f->time.len > 0 && time_epoch(f->time, &ms)) {
		r->time_ms = ms;
		r->has |= REC_HAS_TIME;
	}
	if (f->origin.len > 0)
		r->device = f->origin;
	r->user = sd_unescape(f->user.len > 0 ? f->user : f->srcuser, a);
	r->user_agent = sd_unescape(f->ua, a);
	if (f->resource.len > 0) {
		r->url = sd_unescape(f->resource, a);
		r->dst_host = lex_url_host(r->url, &port, &has_port);
	}
	if (f->http_host.len > 0)
		r->dst_host = lex_hostport(f->http_host, &port, &has_port);
	cp_u64(r, REC_HAS_BYTES_UP, &r->bytes_up, f->c_out, f->s_in, f->sent);
	cp_u64(r, REC_HAS_BYTES_DOWN, &r->bytes_down, f->c_in, f->s_out,
	       f->recv);
	if (!(r->has & (REC_HAS_BYTES_UP | REC_HAS_BYTES_DOWN)) &&
	    lex_u64(f->bytes, &r->bytes_total))
		r->has |= REC_HAS_BYTES_TOTAL;
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

/*
 * Where "[k:"v"; …]" starts, after an optional word left by a collector
 * ("syslog["), or NULL.
 */
static const char *
cp_exporter_start(struct slice body)
{
	const char *p = body.p, *end = body.p + body.len;

	for (; p < end && p - body.p < 16; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
			break;
	if (end - p < 4 || *p != '[' || p[1] == ' ' ||
	    memchr(p, ':', (size_t)(end - p)) == NULL)
		return NULL;
	return p;
}

/* The Log Exporter record from its '[' on. */
static enum parse_result
cp_parse_exporter(struct slice body, const char *lb, struct record *r,
                  struct arena *a)
{
	struct cp_fields f;
	struct slice rest, k, v;
	int n;

	memset(&f, 0, sizeof(f));
	rest = slice_make(lb + 1, (size_t)(body.p + body.len - lb - 1));
	while ((n = cp_pair(&rest, &k, &v)) == 1)
		cp_take(&f, k, v);
	if (n < 0) {
		r->reason = "malformed or cut short key:\"value\" record";
		return PARSE_REJECT;
	}
	return cp_finish(&f, r, a);
}

/* "[Fields@1.3.6.1.4.1.2620 k="v" …]": real SD params. */
static enum parse_result
cp_parse_fields(struct slice params, struct record *r, struct arena *a)
{
	struct cp_fields f;
	struct slice k, v;
	bool q;

	memset(&f, 0, sizeof(f));
	while (lex_kv(&params, &k, &v, &q))
		cp_take(&f, k, v);
	if (slice_trim(params).len > 0) {
		r->reason = "malformed structured data";
		return PARSE_REJECT;
	}
	return cp_finish(&f, r, a);
}

/* After "Checkpoint:": date time action origin [>if] k: v; … */
static enum parse_result
cp_parse_legacy(struct slice rest, struct record *r, struct arena *a)
{
	struct cp_fields f;
	struct slice d, t, act, origin, w, k, v, after;
	int64_t ms;

	memset(&f, 0, sizeof(f));
	if (!lex_word(&rest, &d) || !lex_word(&rest, &t) ||
	    !cp_date(d, t, &ms)) {
		r->reason = "no dMMMyyyy hh:mm:ss date after Checkpoint:";
		return PARSE_REJECT;
	}
	/* The gateway's local time, written without a zone. */
	r->time_ms = ms;
	r->has |= REC_HAS_TIME;
	if (!lex_word(&rest, &act) || !lex_word(&rest, &origin)) {
		r->reason = "no action and origin";
		return PARSE_REJECT;
	}
	f.action = act;
	f.origin = origin;
	/* An interface with its direction may follow: ">eth2", "<eth0". */
	after = rest;
	if (lex_word(&after, &w) && (w.p[0] == '>' || w.p[0] == '<'))
		rest = after;
	while (cp_legacy_pair(&rest, &k, &v))
		cp_take(&f, k, v);
	return cp_finish(&f, r, a);
}

/* The positional quoted export (SmartView Tracker). */
static enum parse_result
cp_parse_quoted(struct slice rest, struct record *r, struct arena *a)
{
	struct cp_fields f;
	struct slice col[20], k, v;
	size_t n = 0;
	int64_t ms;

	r->source_type = CP_TRACKER;
	memset(&f, 0, sizeof(f));
	while (n < 20) {
		rest = slice_trim(rest);
		if (rest.len == 0 || rest.p[0] != '"' ||
		    !lex_qword(&rest, &col[n]))
			break;
		n++;
	}
	rest = slice_trim(rest);
	/* "#013": a CR escaped by syslog-ng. */
	if (rest.len > 0 && !slice_eq(rest, "#013")) {
		r->reason = "unquoted text in a quoted export line";
		return PARSE_REJECT;
	}
	if (n >= 3 && slice_eq(col[0], "num") && slice_eq(col[1], "date"))
		return PARSE_SKIP; /* the column header */
	if (n < 18) {
		r->reason = "too few columns";
		return PARSE_REJECT;
	}
	if (!cp_date(col[1], col[2], &ms)) {
		r->reason = "bad date or time";
		return PARSE_REJECT;
	}
	r->time_ms = ms;
	r->has |= REC_HAS_TIME;
	f.origin = slice_is_empty_value(col[4]) ? SLICE_NULL : col[4];
	cp_take(&f, SLICE_LIT("action"), col[6]);
	cp_take(&f, SLICE_LIT("service"), col[7]);
	cp_take(&f, SLICE_LIT("s_port"), col[8]);
	cp_take(&f, SLICE_LIT("src"), col[9]);
	cp_take(&f, SLICE_LIT("dst"), col[10]);
	cp_take(&f, SLICE_LIT("proto"), col[11]);
	/* "inzone: External; outzone: Internal; service_id: https". */
	while (cp_legacy_pair(&col[16], &k, &v))
		cp_take(&f, k, v);
	return cp_finish(&f, r, a);
}

/* Does the body start with "Checkpoint:"? */
static bool
cp_legacy_tag(struct slice body, struct slice *rest)
{
	if (!slice_starts(body, "Checkpoint:"))
		return false;
	*rest = slice_make(body.p + 11, body.len - 11);
	return true;
}

static enum parse_result
cp_parse(void *state, struct slice line, struct record *r, struct arena *a)
{
	struct syslog_hdr h;
	struct slice body, rest, id, params;
	const char *lb;
	int64_t ms;

	(void)state;
	if (slice_trim(line).len == 0)
		return PARSE_SKIP;
	syslog_parse(line, r->has & REC_HAS_TIME ? r->time_ms : 0, &h);
	body = slice_trim(h.body);
	if (h.rfc5424 && sd_time(sd_header_ts(line), &ms)) {
		r->time_ms = ms;
		r->has |= REC_HAS_TIME;
	}
	if (body.len == 0) {
		r->reason = "empty message";
		return PARSE_REJECT;
	}
	if (slice_starts(body, "[Fields@")) {
		if (!sd_element(body, &id, &params)) {
			r->reason = "structured data cut short";
			return PARSE_REJECT;
		}
		return cp_parse_fields(params, r, a);
	}
	/* "[action:…" or "syslog[action:…". */
	if ((lb = cp_exporter_start(body)) != NULL)
		return cp_parse_exporter(body, lb, r, a);
	if (slice_eq(h.app, "Checkpoint"))
		return cp_parse_legacy(body, r, a);
	if (cp_legacy_tag(body, &rest))
		return cp_parse_legacy(rest, r, a);
	if (body.p[0] == '"')
		return cp_parse_quoted(body, r, a);
	r->reason = "not a Check Point record";
	return PARSE_REJECT;
}

/* Keys every Log Exporter / legacy record is made of. */
static bool
cp_known_key(struct slice k)
{
	static const char *const keys[] = {
	    "action", "src",     "dst",    "proto",  "service",  "s_port",
	    "origin", "product", "loguid", "rule",   "rule_uid", "service_id",
	    "ifdir",  "ifname",  "flags",  "version"};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (slice_eq(k, keys[i]))
			return true;
	return false;
}

/* 8 per byte of signature, 8 per known key or well-formed column. */
#define CP_LINE_MAX (8 * 40)

static int
cp_bid_line(struct slice raw, struct slice body)
{
	struct slice k, v, rest, w[12];
	const char *lb, *tag;
	int line = 0;

	body = slice_trim(body);
	if (slice_find(raw, " CheckPoint ") != NULL)
		line += 8 * 10;
	if (slice_starts(body, "[Fields@1.3.6.1.4.1.2620 "))
		return line + 8 * 24;
	if ((lb = cp_exporter_start(body)) != NULL) {
		rest = slice_make(lb + 1, (size_t)(body.p + body.len - lb - 1));
		for (int i = 0; i < 24 && cp_pair(&rest, &k, &v) == 1; i++)
			if (cp_known_key(k))
				line += 8;
		return line;
	}
	if ((tag = slice_find(raw, "Checkpoint: ")) != NULL) {
		struct slice d, t;
		int64_t ms;

		rest =
		    slice_make(tag + 12, (size_t)(raw.p + raw.len - tag - 12));
		if (!lex_word(&rest, &d) || !lex_word(&rest, &t) ||
		    !cp_date(d, t, &ms))
			return 0;
		line += 8 * 11 + 8;
		for (int i = 0; i < 16 && cp_legacy_pair(&rest, &k, &v); i++)
			if (cp_known_key(k))
				line += 8;
		return line;
	}
	if (body.len > 0 && body.p[0] == '"') {
		int64_t ms;
		size_t m = 0;

		rest = body;
		while (m < 12) {
			rest = slice_trim(rest);
			if (rest.len == 0 || rest.p[0] != '"' ||
			    !lex_qword(&rest, &w[m]))
				break;
			m++;
		}
		if (m < 12 || !cp_date(w[1], w[2], &ms))
			return 0;
		line += 8 * 2;
		if (cp_action(w[6]) != CP_OTHER)
			line += 8;
		if (lex_is_ip(w[9]))
			line += 8;
		if (lex_is_ip(w[10]))
			line += 8;
	}
	return line;
}

static int
cp_bid(const struct peek *pk)
{
	int bid = 0;

	for (size_t i = 0; i < pk->nlines; i++) {
		int line = cp_bid_line(pk->raw[i], pk->body[i]);

		bid += line > CP_LINE_MAX ? CP_LINE_MAX : line;
	}
	return bid;
}

const struct parser parser_checkpoint = {
    .name = "checkpoint",
    .description = "Check Point Log Exporter syslog, legacy fw1 syslog, "
                   "SmartView Tracker export",
    .source_id = "CHECKPOINT",
    .source_id_syslog = "CHECKPOINT",
    .log_type = 103,
    .flags = PARSER_RAW_LINE,
    .max_bid = CP_LINE_MAX * PEEK_LINES,
    .bid = cp_bid,
    .parse = cp_parse,
};
