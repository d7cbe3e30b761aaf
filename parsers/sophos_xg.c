/*
 * Sophos XG / Sophos Firewall (SFOS) logs, MDCA "Sophos XG".
 *
 *	device="SFW" date=2016-12-02 time=18:27:03 timezone="GMT"
 *	    device_name="SFVUNL" log_id=050901616001
 *	    log_type="Content Filtering" log_component="HTTP"
 *	    log_subtype="Allowed" user_name="rich" url="http://..."
 *	    src_ip=192.168.73.220 dst_ip=67.43.156.13 protocol="TCP"
 *	    src_port=54110 dst_port=80 sent_bytes=0 recv_bytes=15940
 *	    domain=floater.baldrys.ca ...
 *	device_name="SFW" timestamp="2021-11-15T18:25:00-0600" ...
 *	    log_type="Firewall" log_subtype="Allowed" ... src_ip="..."
 *	    bytes_sent=168 bytes_received=168 con_event="Stop" ...	 (SFOS
 *19)
 *
 * Quoting is loose: the same key is bare in one release and quoted in the
 * next, empty values are written "key= ", and a real line has
 * "domain=www. google.ca" (kvf_next keeps the blank inside the value; the
 * host is then taken from the URL).  SFOS 19 writes a start and a stop
 * record per connection; both are kept, only the stop one has byte counts.
 * Firewall, web (Content Filtering) and the other per-connection log types
 * are records; Event and System Health logs are skipped.
 */
#include <string.h>

#include "kv_family.h"
#include "lex.h"
#include "parser.h"

struct xg_fields {
	struct slice device, device_name, date, time, timezone, timestamp;
	struct slice log_id, log_type, log_component, log_subtype, status;
	struct slice src_ip, dst_ip, src_port, dst_port, protocol;
	struct slice user_name, url, domain, ua, sent, recv;
	size_t npairs;
};

static void
xg_field(void *arg, struct slice k, struct slice v)
{
	struct xg_fields *f = arg;

	switch (k.p[0]) {
	case 'b':
		if (KVF_KEY(k, "bytes_sent"))
			f->sent = v;
		else if (KVF_KEY(k, "bytes_received"))
			f->recv = v;
		break;
	case 'd':
		if (KVF_KEY(k, "device"))
			f->device = v;
		else if (KVF_KEY(k, "device_name"))
			f->device_name = v;
		else if (KVF_KEY(k, "date"))
			f->date = v;
		else if (KVF_KEY(k, "dst_ip"))
			f->dst_ip = v;
		else if (KVF_KEY(k, "dst_port"))
			f->dst_port = v;
		else if (KVF_KEY(k, "domain"))
			f->domain = v;
		break;
	case 'h':
		if (KVF_KEY(k, "http_user_agent"))
			f->ua = v;
		break;
	case 'l':
		if (KVF_KEY(k, "log_id"))
			f->log_id = v;
		else if (KVF_KEY(k, "log_type"))
			f->log_type = v;
		else if (KVF_KEY(k, "log_component"))
			f->log_component = v;
		else if (KVF_KEY(k, "log_subtype"))
			f->log_subtype = v;
		break;
	case 'p':
		if (KVF_KEY(k, "protocol"))
			f->protocol = v;
		break;
	case 'r':
		if (KVF_KEY(k, "recv_bytes"))
			f->recv = v;
		break;
	case 's':
		if (KVF_KEY(k, "src_ip"))
			f->src_ip = v;
		else if (KVF_KEY(k, "src_port"))
			f->src_port = v;
		else if (KVF_KEY(k, "sent_bytes"))
			f->sent = v;
		else if (KVF_KEY(k, "status"))
			f->status = v;
		break;
	case 't':
		if (KVF_KEY(k, "time"))
			f->time = v;
		else if (KVF_KEY(k, "timezone"))
			f->timezone = v;
		else if (KVF_KEY(k, "timestamp"))
			f->timestamp = v;
		break;
	case 'u':
		if (KVF_KEY(k, "user_name"))
			f->user_name = v;
		else if (KVF_KEY(k, "url"))
			f->url = v;
		else if (KVF_KEY(k, "useragent"))
			f->ua = v;
		break;
	}
}

static enum kvf_status
xg_scan(struct slice body, struct xg_fields *f)
{
	memset(f, 0, sizeof(*f));
	return kvf_scan(body, xg_field, f, &f->npairs);
}

/* log_id: twelve digits (type, component, subtype, severity, message). */
static bool
xg_is_log_id(struct slice s)
{
	uint64_t n;

	return s.len == 12 && lex_u64(s, &n);
}

static int
xg_bid(const struct peek *pk)
{
	int bid = 0;

	for (size_t i = 0; i < pk->nlines; i++) {
		struct xg_fields f;
		int n = 0;

		/* Its keys are not in the line: no need to read it. */
		if (!slice_find(pk->body[i], "log_component"))
			continue;
		if (xg_scan(pk->body[i], &f) != KVF_END ||
		    f.log_type.len == 0 || f.log_component.len == 0)
			continue;
		/* The literal device="SFW" or device_name="SFW". */
		if (slice_eq(f.device, "SFW") || slice_eq(f.device_name, "SFW"))
			bid += 8 * 3;
		n = 2; /* log_type, log_component */
		n += xg_is_log_id(f.log_id);
		n += f.log_subtype.len > 0;
		n += lex_is_ip(f.src_ip);
		n += lex_is_ip(f.dst_ip);
		n += f.timestamp.len > 0 || f.timezone.len > 0;
		bid += 8 * n;
	}
	return bid;
}

static enum rec_action
xg_action(struct slice subtype, struct slice status)
{
	/* "Warned": the user got a warning page, not the content. */
	static const char *const deny[] = {"Denied", "Deny",   "Blocked",
	                                   "Block",  "Drop",   "Dropped",
	                                   "Reject", "Warned", NULL};
	static const char *const allow[] = {"Allowed", "Allow", NULL};

	if (kvf_is_one_of(subtype, deny) || kvf_is_one_of(status, deny))
		return REC_ACTION_DENY;
	if (kvf_is_one_of(subtype, allow) || kvf_is_one_of(status, allow))
		return REC_ACTION_ALLOW;
	return REC_ACTION_UNKNOWN;
}

/* A host name has no blank in it; "www. google.ca" is not one. */
static bool
xg_clean_host(struct slice s)
{
	return s.len > 0 && memchr(s.p, ' ', s.len) == NULL;
}

static enum parse_result
xg_parse(void *state, struct slice line, struct record *r, struct arena *a)
{
	static const char *const not_traffic[] = {"Event", "System Health",
	                                          "Heartbeat", NULL};
	struct xg_fields f;
	struct slice scheme = SLICE_NULL;
	uint16_t port;
	bool has_port;
	int64_t ms;
	int tz;

	(void)state;
	line = slice_trim(line);
	if (line.len == 0)
		return PARSE_SKIP;
	if (xg_scan(line, &f) != KVF_END) {
		r->reason = "malformed key=value pair (unterminated quote?)";
		return PARSE_REJECT;
	}
	if (f.log_type.len == 0 ||
	    (f.device.len == 0 && f.device_name.len == 0 &&
	     f.log_id.len == 0)) {
		r->reason = "no log_type or device: not a sophos xg line";
		return PARSE_REJECT;
	}
	if (kvf_is_one_of(f.log_type, not_traffic)) {
		r->reason = "system event, not traffic";
		return PARSE_SKIP;
	}
	if (kvf_value(f.src_ip).len == 0 && kvf_value(f.dst_ip).len == 0) {
		r->reason = "not a traffic record";
		return PARSE_SKIP;
	}
	/*
	 * SFOS 19 stamps carry their offset.  Older ones give a zone name;
	 * only UTC/GMT and numeric offsets can be applied, others are taken
	 * as UTC.
	 */
	if (f.timestamp.len > 0 && time_iso(f.timestamp, &ms)) {
		r->time_ms = ms;
		r->has |= REC_HAS_TIME;
	} else if (kvf_date_time(f.date, f.time, &ms)) {
		if (kvf_zone(f.timezone, &tz))
			ms -= (int64_t)tz * 60000;
		r->time_ms = ms;
		r->has |= REC_HAS_TIME;
	}
	r->src_ip = kvf_value(f.src_ip);
	r->dst_ip = kvf_value(f.dst_ip);
	kvf_port(r, f.src_port, &r->src_port, REC_HAS_SRC_PORT);
	kvf_port(r, f.dst_port, &r->dst_port, REC_HAS_DST_PORT);
	r->url = kvf_unescape(kvf_value(f.url), a);
	if (r->url.len > 0) {
		const char *colon = slice_find(r->url, "://");

		if (colon != NULL)
			scheme =
			    slice_make(r->url.p, (size_t)(colon - r->url.p));
	}
	r->proto = kvf_proto(scheme, f.protocol, a);
	f.domain = kvf_value(f.domain);
	if (xg_clean_host(f.domain))
		r->dst_host = f.domain;
	else if (r->url.len > 0)
		r->dst_host = lex_url_host(r->url, &port, &has_port);
	r->user = kvf_unescape(kvf_value(f.user_name), a);
	r->user_agent = kvf_unescape(kvf_value(f.ua), a);
	kvf_bytes(r, f.sent, &r->bytes_up, REC_HAS_BYTES_UP);
	kvf_bytes(r, f.recv, &r->bytes_down, REC_HAS_BYTES_DOWN);
	r->action = xg_action(f.log_subtype, f.status);
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

const struct parser parser_sophos_xg = {
    .name = "sophos_xg",
    .description = "Sophos XG / Sophos Firewall (SFOS) firewall and web",
    .source_id = "SOPHOS_XG",
    .source_id_syslog = "SOPHOS_XG_SYSLOG",
    .log_type = 198,
    .max_bid = 8 * 10 * PEEK_LINES,
    .bid = xg_bid,
    .parse = xg_parse,
};
