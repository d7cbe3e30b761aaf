/*
 * Barracuda Web Application Firewall access log ("TR" records), MDCA
 * "Barracuda - Web App Firewall".
 *
 * Barracuda's "Exporting Log Formats" / syslog reference gives the access
 * log (facility local2 by default) as:
 *
 *	<PRI>2024-03-14 10:00:00.123 +0100  unit TR service-ip service-port
 *	    client-ip client-port login-id cert-user method protocol host
 *	    version status bytes-sent bytes-received cache-hit time-taken
 *	    server-ip server-port server-time session-id response-type
 *	    profile-matched protected wf-matched url query referer cookie
 *	    user-agent proxy-ip proxy-port auth-user custom-headers...
 *
 * Empty values are "-" (often quoted).  The login id may hold unquoted
 * blanks, so the method is found by the shape that follows it (protocol
 * HTTP/HTTPS/TLSvX, host, version, three-digit status); the columns up to
 * the URL are fixed from there.  Later columns (cookie, user agent) can
 * hold unquoted blanks too and are not used.  The destination is the
 * virtual service (service ip and port) and the Host the client asked
 * for; bytes-sent went to the client, bytes-received came from it.
 * Access records say nothing of a block (that is the WF log): the action
 * is unknown.  Other record types of the same stream (WF, NF, SYS,
 * AUDIT) are skipped.
 *
 * MDCA labels this source "(W3C)"; Barracuda's documentation shows no
 * W3C "#Fields" layout, and which export layout MDCA reads is not
 * documented: this parser reads the default TR layout.
 */
#include <string.h>

#include "arena.h"
#include "lex.h"
#include "parser.h"
#include "w3c_fields.h"

#define BARRACUDA_MAX_WORDS 48

static bool
barracuda_digits(struct slice s, size_t min, size_t max)
{
	if (s.len < min || s.len > max)
		return false;
	for (size_t i = 0; i < s.len; i++)
		if ((unsigned)(s.p[i] - '0') > 9)
			return false;
	return true;
}

/* "HTTP", "HTTPS", "TLSv1.2", "SSLv3": how the client connected. */
static bool
barracuda_is_proto(struct slice s)
{
	return slice_eq(s, "HTTP") || slice_eq(s, "HTTPS") ||
	       slice_starts(s, "TLSv") || slice_starts(s, "SSLv");
}

/* The record types of Barracuda's log stream. */
static bool
barracuda_is_type(struct slice s)
{
	return slice_eq(s, "TR") || slice_eq(s, "WF") || slice_eq(s, "NF") ||
	       slice_eq(s, "SYS") || slice_eq(s, "AUDIT");
}

/* "2024-03-14" "10:00:00.123" "+0100" into epoch ms. */
static bool
barracuda_time(struct slice d, struct slice t, struct slice z, int64_t *ms)
{
	char buf[48];
	size_t n;

	if (d.len != 10 || t.len < 8 || z.len != 5 ||
	    (z.p[0] != '+' && z.p[0] != '-') ||
	    d.len + 1 + t.len + z.len > sizeof(buf))
		return false;
	memcpy(buf, d.p, d.len);
	buf[d.len] = ' ';
	memcpy(buf + d.len + 1, t.p, t.len);
	memcpy(buf + d.len + 1 + t.len, z.p, z.len);
	n = d.len + 1 + t.len + z.len;
	return time_iso(slice_make(buf, n), ms);
}

struct barracuda_line {
	bool has_time;
	int64_t time_ms;
	struct slice type;
	struct slice w[BARRACUDA_MAX_WORDS];
	size_t n;
	size_t m; /* index of the method, 0 when not found */
};

/*
 * Split "[date time zone] unit TYPE fields...".  Returns false when the
 * line has no record type where one belongs.
 */
static bool
barracuda_split(struct slice line, struct barracuda_line *l)
{
	struct slice rest = line, a, b, c, unit;

	memset(l, 0, sizeof(*l));
	if (!lex_word(&rest, &a))
		return false;
	if (a.len == 10 && a.p[4] == '-') {
		if (!lex_word(&rest, &b) || !lex_word(&rest, &c) ||
		    !barracuda_time(a, b, c, &l->time_ms) ||
		    !lex_word(&rest, &unit) || !lex_word(&rest, &l->type))
			return false;
		l->has_time = true;
	} else if (barracuda_is_type(a))
		l->type = a; /* the header took the unit name as its host */
	else if (!lex_word(&rest, &l->type))
		return false;
	if (!barracuda_is_type(l->type))
		return false;
	if (!slice_eq(l->type, "TR"))
		return true;
	while (l->n < BARRACUDA_MAX_WORDS && lex_qword(&rest, &l->w[l->n]))
		l->n++;
	if (l->n < 8 || !lex_is_ip(l->w[0]) || !lex_is_ip(l->w[2]) ||
	    !barracuda_digits(l->w[1], 1, 5) ||
	    !barracuda_digits(l->w[3], 1, 5))
		return true;
	for (size_t k = 6; k + 6 < l->n; k++)
		if (barracuda_is_proto(l->w[k + 1]) &&
		    barracuda_digits(l->w[k + 4], 3, 3) &&
		    barracuda_digits(l->w[k + 5], 1, 20)) {
			l->m = k;
			break;
		}
	return true;
}

static struct slice
barracuda_val(struct slice v)
{
	return slice_is_empty_value(v) ? SLICE_NULL : v;
}

static enum parse_result
barracuda_parse(void *state, struct slice line, struct record *r,
                struct arena *a)
{
	struct barracuda_line l;
	struct slice host, path, login;
	uint16_t port;
	bool has_port, tls;
	size_t m;

	(void)state;
	if (r->syslog)
		line = line;
	line = slice_trim(line);
	if (line.len == 0)
		return PARSE_SKIP;
	if (!barracuda_split(line, &l)) {
		r->reason = "not a Barracuda WAF log line";
		return PARSE_REJECT;
	}
	if (!slice_eq(l.type, "TR")) {
		r->reason = "not an access (TR) record";
		return PARSE_SKIP;
	}
	if ((m = l.m) == 0) {
		r->reason = "access record without client, method and status";
		return PARSE_REJECT;
	}
	if (l.has_time) {
		r->time_ms = l.time_ms;
		r->has |= REC_HAS_TIME;
	}
	r->src_ip = l.w[2];
	if (lex_port(l.w[3], &port)) {
		r->src_port = port;
		r->has |= REC_HAS_SRC_PORT;
	}
	r->dst_ip = l.w[0];
	if (lex_port(l.w[1], &port)) {
		r->dst_port = port;
		r->has |= REC_HAS_DST_PORT;
	}
	/* The login id runs from column 4 to the certificate user. */
	login = slice_make(l.w[4].p,
	                   (size_t)(l.w[m - 2].p + l.w[m - 2].len - l.w[4].p));
	if (m == 6)
		login = l.w[4];
	r->user = barracuda_val(login);
	tls = !slice_eq(l.w[m + 1], "HTTP");
	/* Record fields must live in the line or the arena. */
	if ((r->proto.p = arena_dup(a, tls ? "https" : "http", tls ? 5 : 4)) !=
	    NULL)
		r->proto.len = tls ? 5 : 4;
	host = barracuda_val(l.w[m + 2]);
	if (host.len > 0)
		host = lex_hostport(host, &port, &has_port);
	r->dst_host = host;
	if (lex_u64(l.w[m + 5], &r->bytes_down))
		r->has |= REC_HAS_BYTES_DOWN;
	if (lex_u64(l.w[m + 6], &r->bytes_up))
		r->has |= REC_HAS_BYTES_UP;
	path = m + 17 < l.n ? barracuda_val(l.w[m + 17]) : SLICE_NULL;
	if (path.len > 0 && path.p[0] == '/' && l.w[m + 2].len > 0 &&
	    host.len > 0) {
		struct slice h = l.w[m + 2];
		size_t n = (tls ? 8 : 7) + h.len + path.len;
		char *buf = arena_alloc(a, n);

		if (buf != NULL) {
			memcpy(buf, tls ? "https://" : "http://", tls ? 8 : 7);
			memcpy(buf + (tls ? 8 : 7), h.p, h.len);
			memcpy(buf + (tls ? 8 : 7) + h.len, path.p, path.len);
			r->url = slice_make(buf, n);
		}
	} else if (path.len > 0 && path.p[0] == '/')
		r->url = path;
	if (!(r->has & REC_HAS_TIME)) {
		r->reason = "no time";
		return PARSE_PARTIAL;
	}
	return PARSE_OK;
}

static int
barracuda_bid(const struct peek *pk)
{
	int bid = 0;

	for (size_t i = 0; i < pk->nlines; i++) {
		struct barracuda_line l;
		struct slice b = slice_trim(pk->body[i]);

		if (pk->body[i].p != pk->raw[i].p)
			b = b;
		if (!barracuda_split(b, &l) || !slice_eq(l.type, "TR") ||
		    l.m == 0)
			continue;
		/* "TR", two addresses, two ports, protocol, status, bytes */
		bid += 8 * 2 + 8 * 7;
		if (l.has_time)
			bid += 8;
	}
	return bid;
}

const struct parser parser_barracuda = {
    .name = "barracuda",
    .description = "Barracuda Web Application Firewall access log (TR)",
    .source_id = "BARRACUDA",
    .source_id_syslog = "BARRACUDA_SYSLOG",
    .log_type = 101,
    .max_bid = PEEK_LINES * 8 * 10,
    .bid = barracuda_bid,
    .parse = barracuda_parse,
};
