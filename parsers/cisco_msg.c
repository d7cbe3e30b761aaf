/*
 * ASA-style message ids (Cisco "ASA Series Syslog Messages"), shared by
 * cisco_asa.c and cisco_ftd.c.  See cisco_msg.h.
 *
 * Addresses are written "interface:address/port" (302013, 106023),
 * "address/port" (106015), "interface/address(port)" (106100), and may be
 * followed by "(mapped/port)" and "(DOMAIN\user)" groups.  The interface
 * ends at the first ':' (IPv6 addresses follow it), the port starts after
 * the last '/'.  Addresses can also be object names ("dmz:OCSP_Server/5678"):
 * a name on the destination side is kept as the destination host, on the
 * source side it leaves the source address empty (PARTIAL).
 */
#include <string.h>

#include "cisco_msg.h"
#include "lex.h"

static bool
is_digit(char c)
{
	return (unsigned)(c - '0') <= 9;
}

static bool
is_upper(char c)
{
	return (unsigned)(c - 'A') < 26;
}

static struct slice
slice_from(const char *p, const char *end)
{
	return slice_make(p, (size_t)(end - p));
}

static struct slice
skip_blanks(struct slice s)
{
	while (s.len > 0 && (s.p[0] == ' ' || s.p[0] == '\t')) {
		s.p++;
		s.len--;
	}
	return s;
}

/* "%ASA-session-6-302013:" at p; fills m and returns the text after it. */
static bool
split_at(const char *p, const char *end, struct cisco_msg *m)
{
	const char *q = ++p;
	uint32_t id = 0;
	int n = 0;

	while (q < end && is_upper(*q) && q - p < 5)
		q++;
	if (q - p < 3 || q == end || *q != '-')
		return false;
	m->fac = slice_from(p, q);
	m->siglen = (size_t)(q - p) + 2;
	q++;
	/* A logging class ("session", "sys") may come before the level. */
	if (q < end && !is_digit(*q)) {
		const char *c = q;

		while (q < end && (unsigned)(*q - 'a') < 26 && q - c < 16)
			q++;
		if (q == c || q == end || *q != '-')
			return false;
		q++;
	}
	if (end - q < 9 || !is_digit(q[0]) || q[1] != '-')
		return false;
	m->sev = q[0] - '0';
	q += 2;
	while (q < end && is_digit(*q) && n < 7) {
		id = id * 10 + (uint32_t)(*q++ - '0');
		n++;
	}
	if (n != 6)
		return false;
	m->id = id;
	/* "%ASA-6-302016 Teardown": the colon is sometimes missing. */
	if (q < end && *q == ':')
		q++;
	if (q < end && *q != ' ')
		return false;
	m->text = slice_trim(slice_from(q, end));
	return true;
}

bool
cisco_msg_split(struct slice body, struct cisco_msg *m)
{
	const char *p, *end = body.p + body.len;
	size_t lim;

	memset(m, 0, sizeof(*m));
	body = skip_blanks(body);
	if (body.len == 0)
		return false;
	if (body.p[0] == '%')
		return split_at(body.p, end, m);
	/* A header the syslog parser did not know: look a little further. */
	lim = body.len < 128 ? body.len : 128;
	for (p = body.p;
	     (p = memchr(p, '%', lim - (size_t)(p - body.p))) != NULL; p++) {
		if ((p == body.p || p[-1] == ' ') && split_at(p, end, m))
			return true;
		if ((size_t)(p + 1 - body.p) >= lim)
			break;
	}
	return false;
}

bool
cisco_msg_is(const struct cisco_msg *m, const char *fac)
{
	return slice_eq(m->fac, fac);
}

/* Ids cisco_msg_parse() makes a record of. */
static bool
traffic_id(uint32_t id)
{
	switch (id) {
	case 106001:
	case 106002:
	case 106006:
	case 106007:
	case 106010:
	case 106012:
	case 106014:
	case 106015:
	case 106018:
	case 106021:
	case 106023:
	case 106100:
	case 302013:
	case 302014:
	case 302015:
	case 302016:
	case 302020:
	case 302021:
	case 302035:
	case 302036:
	case 304001:
	case 304002:
	case 305009:
	case 305010:
	case 305011:
	case 305012:
		return true;
	}
	return false;
}

int
cisco_msg_score(const struct cisco_msg *m)
{
	return 8 * (int)m->siglen + 16 + (traffic_id(m->id) ? 8 : 0);
}

/* One end of a connection. */
struct cisco_end {
	struct slice addr, user, fqdn;
	uint16_t port;
	bool has_port;
};

enum end_form {
	END_IF_SLASH, /* "inside:10.0.0.1/1234", interface optional */
	END_SLASH,    /* "10.0.0.1/1234" */
	END_IF_PAREN, /* "inside/10.0.0.1(1234)" */
};

/* "(DOMAIN\user)", "(1.2.3.4/80)", "(user, sg_info)", "(type 8, code 0)". */
static void
end_group(struct slice g, struct cisco_end *e)
{
	const char *comma;

	g = slice_trim(g);
	if (g.len == 0 || slice_starts(g, "type "))
		return;
	if (memchr(g.p, '/', g.len) != NULL &&
	    memchr(g.p, '\\', g.len) == NULL &&
	    memchr(g.p, '@', g.len) == NULL && memchr(g.p, ' ', g.len) == NULL)
		return; /* the mapped address */
	if ((comma = memchr(g.p, ',', g.len)) != NULL)
		g = slice_trim(slice_from(g.p, comma));
	if (slice_is_empty_value(g))
		return;
	/* 106023 writes an FQDN object where an identity user would be. */
	if (memchr(g.p, '.', g.len) != NULL &&
	    memchr(g.p, '\\', g.len) == NULL &&
	    memchr(g.p, '@', g.len) == NULL &&
	    memchr(g.p, ' ', g.len) == NULL) {
		if (e->fqdn.len == 0)
			e->fqdn = g;
		return;
	}
	if (e->user.len == 0)
		e->user = g;
}

/* Split "address/port" (port after the last '/'). */
static void
end_addr_port(struct slice a, struct cisco_end *e)
{
	const char *p = a.p + a.len;

	while (p > a.p && p[-1] != '/')
		p--;
	if (p == a.p) {
		e->addr = a;
		return;
	}
	e->addr = slice_from(a.p, p - 1);
	e->has_port = lex_port(slice_from(p, a.p + a.len), &e->port);
}

/*
 * Take one end off *rest in `form`, with the groups that follow it.
 * Returns false when no address is there.
 */
static bool
take_end(struct slice *rest, enum end_form form, struct cisco_end *e)
{
	struct slice s = skip_blanks(*rest), tok;
	const char *p = s.p, *end = s.p + s.len, *c;

	memset(e, 0, sizeof(*e));
	while (p < end && *p != ' ' && *p != '(')
		p++;
	tok = slice_from(s.p, p);
	if (form == END_IF_PAREN) {
		/* "inside/10.1.2.16(2241)": the port is the first group. */
		c = memchr(tok.p, '/', tok.len);
		if (c == NULL || p == end || *p != '(')
			return false;
		e->addr = slice_from(c + 1, p);
		c = memchr(p, ')', (size_t)(end - p));
		if (c == NULL)
			return false;
		e->has_port = lex_port(slice_from(p + 1, c), &e->port);
		p = c + 1;
	} else {
		while (tok.len > 0 &&
		       (tok.p[tok.len - 1] == ',' || tok.p[tok.len - 1] == ':'))
			tok.len--;
		if (form == END_IF_SLASH &&
		    (c = memchr(tok.p, ':', tok.len)) != NULL)
			tok = slice_from(c + 1, tok.p + tok.len);
		end_addr_port(tok, e);
	}
	if (e->addr.len == 0)
		return false;
	/* Groups, glued or after a blank: mapped address, user, FQDN. */
	for (;;) {
		const char *q = p;

		while (q < end && *q == ' ')
			q++;
		if (q == end || *q != '(' ||
		    (c = memchr(q, ')', (size_t)(end - q))) == NULL)
			break;
		end_group(slice_from(q + 1, c), e);
		p = c + 1;
	}
	*rest = slice_from(p, end);
	return true;
}

/* Advance *rest past the word `kw`; false when it does not occur. */
static bool
skip_to_word(struct slice *rest, const char *kw)
{
	struct slice w;

	while (lex_word(rest, &w))
		if (slice_eq(w, kw))
			return true;
	return false;
}

/* The next word of *rest if it is `kw` (consumed), else nothing. */
static bool
next_is(struct slice *rest, const char *kw)
{
	struct slice r = *rest, w;

	if (!lex_word(&r, &w) || !slice_eq(w, kw))
		return false;
	*rest = r;
	return true;
}

/*
 * A bare word between an end and the next keyword is a user name in some
 * exports ("for outside:1.2.3.4/53 user1 to inside:...").
 */
static void
bare_user(struct slice *rest, const char *next, struct cisco_end *e)
{
	struct slice r = *rest, w, k;

	if (!lex_word(&r, &w) || slice_eq(w, next) || w.p[0] == '(' ||
	    !lex_word(&r, &k) || !slice_eq(k, next))
		return;
	if (e->user.len == 0)
		e->user = w;
	*rest = slice_from(w.p + w.len, rest->p + rest->len);
}

/* The last "(...)" of the text, when the text ends with it. */
static struct slice
trailing_group(struct slice t)
{
	const char *p;

	t = slice_trim(t);
	if (t.len < 2 || t.p[t.len - 1] != ')')
		return SLICE_NULL;
	for (p = t.p + t.len - 1; p > t.p; p--)
		if (p[-1] == '(')
			return slice_trim(slice_from(p, t.p + t.len - 1));
	return SLICE_NULL;
}

static void
set_src(struct record *r, const struct cisco_end *e)
{
	if (lex_is_ip(e->addr))
		r->src_ip = e->addr;
	if (e->has_port) {
		r->src_port = e->port;
		r->has |= REC_HAS_SRC_PORT;
	}
	if (e->user.len > 0 && r->user.len == 0)
		r->user = e->user;
}

static void
set_dst(struct record *r, const struct cisco_end *e)
{
	if (lex_is_ip(e->addr))
		r->dst_ip = e->addr;
	else
		r->dst_host = e->addr; /* an object or host name */
	if (e->fqdn.len > 0)
		r->dst_host = e->fqdn;
	if (e->has_port) {
		r->dst_port = e->port;
		r->has |= REC_HAS_DST_PORT;
	}
}

/* OK when both ends are known, else PARTIAL with the reason. */
static enum parse_result
finish(struct record *r)
{
	if (r->src_ip.len == 0) {
		r->reason = "no source address (object name?)";
		return PARSE_PARTIAL;
	}
	if (r->dst_ip.len == 0 && r->dst_host.len == 0) {
		r->reason = "no destination";
		return PARSE_PARTIAL;
	}
	return PARSE_OK;
}

static enum parse_result
not_traffic(struct record *r)
{
	r->reason = "not a traffic message";
	return PARSE_SKIP;
}

static enum parse_result
malformed(struct record *r)
{
	r->reason = "malformed message text";
	return PARSE_REJECT;
}

/*
 * 302013/302015/302035 "Built {inbound|outbound} TCP connection <id> for
 * <faddr end> to <laddr end> [(user)]", 302014/302016/302036 "Teardown TCP
 * connection <id> for <end> to <end> duration h:mm:ss bytes N [reason]
 * [from <if>] [(user)]", 302020/302021 "... ICMP connection for faddr <a>
 * gaddr <a> laddr <a> ...".
 *
 * The "for" end is the foreign (lower security) side, the "to" end the
 * local one.  "outbound" means the local side opened the connection, so it
 * is the client; "inbound" the foreign side.  A teardown does not repeat
 * the direction: the end with the higher port is taken as the client (a
 * server listens on the lower, usually well-known, port), then the end with
 * an identity user, and the local end when nothing tells.
 */
static enum parse_result
conn_parse(const struct cisco_msg *m, struct record *r)
{
	struct slice t = m->text, w = SLICE_NULL, rest;
	struct cisco_end fe, le;
	int dir = 0; /* 1 outbound, -1 inbound */
	bool built, icmp, client_local;
	int n = 0;

	if (!lex_word(&t, &w))
		return malformed(r);
	built = slice_eq(w, "Built");
	if (!built && !slice_eq(w, "Teardown"))
		return not_traffic(r);
	while (lex_word(&t, &w) && !slice_eq(w, "for") && n++ < 6) {
		if (slice_eq(w, "outbound"))
			dir = 1;
		else if (slice_eq(w, "inbound"))
			dir = -1;
		else if (r->proto.len == 0)
			r->proto = w;
	}
	if (!slice_eq(w, "for"))
		return malformed(r);
	icmp = next_is(&t, "faddr");
	if (icmp) {
		struct cisco_end ge;

		if (!take_end(&t, END_SLASH, &fe) || !next_is(&t, "gaddr") ||
		    !take_end(&t, END_SLASH, &ge) || !next_is(&t, "laddr") ||
		    !take_end(&t, END_SLASH, &le))
			return malformed(r);
		/* ICMP "ports" are a sequence number and a type. */
		fe.has_port = le.has_port = false;
	} else {
		if (!take_end(&t, END_IF_SLASH, &fe))
			return malformed(r);
		bare_user(&t, "to", &fe);
		if (!next_is(&t, "to") || !take_end(&t, END_IF_SLASH, &le))
			return malformed(r);
		bare_user(&t, built ? "" : "duration", &le);
	}
	if (dir != 0)
		client_local = dir > 0;
	else if (fe.has_port && le.has_port && fe.port != le.port)
		client_local = le.port > fe.port;
	else if ((fe.user.len > 0) != (le.user.len > 0))
		client_local = le.user.len > 0;
	else
		client_local = true;
	set_src(r, client_local ? &le : &fe);
	set_dst(r, client_local ? &fe : &le);
	/*
	 * "[(user)]" at the very end is the AAA user of the connection; on a
	 * Built message take_end() has already read it as the local end's.
	 */
	if (r->user.len == 0) {
		struct cisco_end u;

		memset(&u, 0, sizeof(u));
		end_group(trailing_group(m->text), &u);
		r->user = u.user;
	}
	rest = t;
	if (!built && skip_to_word(&rest, "bytes") && lex_word(&rest, &w) &&
	    lex_u64(w, &r->bytes_total))
		r->has |= REC_HAS_BYTES_TOTAL;
	r->action = REC_ACTION_ALLOW;
	return finish(r);
}

/*
 * The deny messages that name both ends: which word holds the protocol,
 * the words before the two ends, and how the ends are written.
 */
struct deny_shape {
	uint32_t id;
	int proto_word;
	const char *kw_src, *kw_dst;
	enum end_form form;
};

static const struct deny_shape deny_shapes[] = {
    /* Inbound TCP connection denied from A/p to B/p flags F on interface I */
    {106001, 1, "from", "to", END_SLASH},
    /* tcp Connection denied by outbound list L src A dest B */
    {106002, 0, "src", "dest", END_SLASH},
    /* Deny inbound UDP from A/p to B/p [due to DNS Query] on interface I */
    {106006, 2, "from", "to", END_SLASH},
    {106007, 2, "from", "to", END_SLASH},
    /* Deny inbound tcp src I:A/p dst I:B/p */
    {106010, 2, "src", "dst", END_IF_SLASH},
    /* Deny IP from A to B, IP options: "..." */
    {106012, 1, "from", "to", END_SLASH},
    /* Deny inbound icmp src I:A dst I:B (type 8, code 0) */
    {106014, 2, "src", "dst", END_IF_SLASH},
    /* Deny TCP (no connection) from A/p to B/p flags F on interface I */
    {106015, 1, "from", "to", END_SLASH},
    /* ICMP packet type T denied by outbound list L src A dest B */
    {106018, 0, "src", "dest", END_SLASH},
    /* Deny TCP reverse path check from A to B on interface I */
    {106021, 1, "from", "to", END_SLASH},
    /* Deny tcp src I:A/p [(user)] dst I:B/p [type T, code C,] by ... */
    {106023, 1, "src", "dst", END_IF_SLASH},
};

static enum parse_result
deny_parse(const struct deny_shape *d, const struct cisco_msg *m,
           struct record *r)
{
	struct slice t = m->text, w = SLICE_NULL;
	struct cisco_end s, e;

	for (int i = 0; i <= d->proto_word; i++)
		if (!lex_word(&t, &w))
			return malformed(r);
	/* "Deny protocol 47 src ...": a number when there is no name. */
	if (slice_eq(w, "protocol") && !lex_word(&t, &w))
		return malformed(r);
	r->proto = w;
	if (!skip_to_word(&t, d->kw_src) || !take_end(&t, d->form, &s) ||
	    !skip_to_word(&t, d->kw_dst) || !take_end(&t, d->form, &e))
		return malformed(r);
	if (slice_ieq(r->proto, "icmp") || slice_ieq(r->proto, "icmp6"))
		s.has_port = e.has_port = false;
	set_src(r, &s);
	set_dst(r, &e);
	r->action = REC_ACTION_DENY;
	return finish(r);
}

/*
 * 106100 "access-list <acl> {permitted|denied|est-allowed} <proto>
 * <if>/<src>(<port>) [(user)] -> <if>/<dst>(<port>) [(user)] hit-cnt N ...".
 */
static enum parse_result
acl_parse(const struct cisco_msg *m, struct record *r)
{
	struct slice t = m->text, w = SLICE_NULL;
	struct cisco_end s, e;

	if (!next_is(&t, "access-list") || !lex_word(&t, &w) ||
	    !lex_word(&t, &w))
		return malformed(r);
	if (slice_eq(w, "denied"))
		r->action = REC_ACTION_DENY;
	else if (slice_eq(w, "permitted") || slice_eq(w, "est-allowed"))
		r->action = REC_ACTION_ALLOW;
	else
		return malformed(r);
	if (!lex_word(&t, &r->proto) || !take_end(&t, END_IF_PAREN, &s))
		return malformed(r);
	(void)next_is(&t, "->");
	if (!take_end(&t, END_IF_PAREN, &e))
		return malformed(r);
	if (slice_ieq(r->proto, "icmp") || slice_ieq(r->proto, "icmp6"))
		s.has_port = e.has_port = false;
	set_src(r, &s);
	set_dst(r, &e);
	return finish(r);
}

/* Is c part of a URL scheme? */
static bool
scheme_char(char c)
{
	return is_upper(c) || (unsigned)(c - 'a') < 26 || is_digit(c) ||
	       c == '+' || c == '-' || c == '.';
}

static void
set_url(struct record *r, struct slice url)
{
	const char *sep;
	uint16_t port;
	bool has_port;

	r->url = url;
	r->dst_host = lex_url_host(url, &port, &has_port);
	if (has_port) {
		r->dst_port = port;
		r->has |= REC_HAS_DST_PORT;
	}
	if ((sep = slice_find(url, "://")) != NULL && sep > url.p)
		r->proto = slice_from(url.p, sep);
}

/*
 * 304001 "[user@]<src>[(idfw user)] Accessed [JAVA ]URL <dst>:<url>",
 * 304002 "Access denied URL <url> SRC <src> DEST <dst>: ...".
 */
static enum parse_result
url_parse(const struct cisco_msg *m, struct record *r)
{
	struct slice t = m->text, w = SLICE_NULL, url;
	const char *p, *at, *end;
	struct cisco_end s;

	if (m->id == 304002) {
		if (!skip_to_word(&t, "URL") || !lex_word(&t, &url) ||
		    !skip_to_word(&t, "SRC") || !lex_word(&t, &w))
			return malformed(r);
		if (lex_is_ip(w))
			r->src_ip = w;
		if (skip_to_word(&t, "DEST") && lex_word(&t, &w)) {
			if (w.len > 0 && w.p[w.len - 1] == ':')
				w.len--;
			if (lex_is_ip(w))
				r->dst_ip = w;
		}
		set_url(r, url);
		r->action = REC_ACTION_DENY;
		return finish(r);
	}
	/* The source, with the user name glued in front. */
	end = t.p + t.len;
	for (p = t.p; p < end && *p != ' ' && *p != '('; p++)
		;
	w = slice_from(t.p, p);
	at = NULL;
	for (const char *q = w.p; q < w.p + w.len; q++)
		if (*q == '@')
			at = q;
	if (at != NULL) {
		r->user = slice_from(w.p, at);
		w = slice_from(at + 1, w.p + w.len);
	}
	if (!take_end(&t, END_SLASH, &s) || !skip_to_word(&t, "Accessed"))
		return malformed(r);
	if (s.user.len > 0)
		r->user = s.user; /* the identity firewall's DOMAIN\user */
	if (slice_is_empty_value(r->user))
		r->user = SLICE_NULL;
	if (lex_is_ip(w))
		r->src_ip = w;
	(void)next_is(&t, "JAVA");
	if (!next_is(&t, "URL"))
		return malformed(r);
	t = slice_trim(t);
	/* "<dst>:<scheme>://...": the destination may be IPv6. */
	p = slice_find(t, "://");
	if (p != NULL) {
		const char *sc = p;

		while (sc > t.p && scheme_char(sc[-1]))
			sc--;
		if (sc > t.p && sc[-1] == ':') {
			w = slice_from(t.p, sc - 1);
			if (lex_is_ip(w))
				r->dst_ip = w;
			set_url(r, slice_from(sc, t.p + t.len));
		}
	} else if ((p = memchr(t.p, ':', t.len)) != NULL) {
		w = slice_from(t.p, p);
		if (lex_is_ip(w))
			r->dst_ip = w;
		r->url = slice_from(p + 1, t.p + t.len);
	}
	r->action = REC_ACTION_ALLOW;
	return finish(r);
}

/*
 * 305009..305012 "{Built|Teardown} {dynamic|static} [TCP|UDP|ICMP]
 * translation from <if>:<real>[/port] [(user)] to <if>:<mapped>[/port]":
 * the mapped address is the same host's, so no destination is known.
 */
static enum parse_result
nat_parse(const struct cisco_msg *m, struct record *r)
{
	struct slice t = m->text, w = SLICE_NULL;
	struct cisco_end s;
	int n = 0;

	while (lex_word(&t, &w) && !slice_eq(w, "translation") && n++ < 4)
		if (n == 3)
			r->proto = w;
	if (!slice_eq(w, "translation") || !next_is(&t, "from") ||
	    !take_end(&t, END_IF_SLASH, &s))
		return malformed(r);
	if (slice_ieq(r->proto, "icmp"))
		s.has_port = false;
	set_src(r, &s);
	r->action = REC_ACTION_ALLOW;
	if (r->src_ip.len == 0)
		return finish(r);
	r->reason = "address translation, no destination";
	return PARSE_PARTIAL;
}

/*
 * The value after `key` in t: up to `stop` (a byte), or the word when stop
 * is ' '.  "User <jdoe>" (stop '>'), "Username = jdoe," (stop ','), "user =
 * jdoe :" (stop ' ').
 */
static struct slice
value_after(struct slice t, const char *key, char stop)
{
	const char *p = slice_find(t, key), *end = t.p + t.len, *q;

	if (p == NULL)
		return SLICE_NULL;
	p += strlen(key);
	q = memchr(p, stop, (size_t)(end - p));
	return slice_trim(slice_from(p, q != NULL ? q : end));
}

/*
 * AAA (113xxx), WebVPN (716xxx) and AnyConnect (722xxx) session messages:
 * no traffic, but the user and the address the user came from.
 *
 *	113039 Group <G> User <U> IP <A> AnyConnect parent session started.
 *	113019 Group = G, Username = U, IP = A, Session disconnected. ...
 *	113005 AAA user authentication Rejected : ... : user = U : user IP = A
 *	716001 Group G User U IP A WebVPN session started.
 */
static enum parse_result
user_parse(const struct cisco_msg *m, struct record *r)
{
	struct slice t = m->text, u, ip;

	if ((u = value_after(t, "User <", '>')).len == 0 &&
	    (u = value_after(t, "Username = ", ',')).len == 0 &&
	    (u = value_after(t, "user = ", ' ')).len == 0 &&
	    (u = value_after(t, " User ", ' ')).len == 0)
		return not_traffic(r);
	if (slice_is_empty_value(u))
		return not_traffic(r);
	r->user = u;
	if ((ip = value_after(t, "IP <", '>')).len == 0 &&
	    (ip = value_after(t, "IP = ", ',')).len == 0)
		ip = value_after(t, " IP ", ' ');
	if (ip.len > 0 && (ip.p[ip.len - 1] == ',' || ip.p[ip.len - 1] == ':'))
		ip.len--;
	if (lex_is_ip(ip))
		r->src_ip = ip;
	r->reason = "user session event, no destination";
	return PARSE_PARTIAL;
}

enum parse_result
cisco_msg_parse(const struct cisco_msg *m, struct record *r)
{
	uint32_t id = m->id;

	for (size_t i = 0; i < sizeof(deny_shapes) / sizeof(deny_shapes[0]);
	     i++)
		if (deny_shapes[i].id == id)
			return deny_parse(&deny_shapes[i], m, r);
	switch (id) {
	case 106100:
		return acl_parse(m, r);
	case 302013:
	case 302014:
	case 302015:
	case 302016:
	case 302020:
	case 302021:
	case 302035:
	case 302036:
		return conn_parse(m, r);
	case 304001:
	case 304002:
		return url_parse(m, r);
	case 305009:
	case 305010:
	case 305011:
	case 305012:
		return nat_parse(m, r);
	}
	if (id / 1000 == 113 || id / 1000 == 716 || id / 1000 == 722)
		return user_parse(m, r);
	return not_traffic(r);
}

void
cisco_fix_header(struct record *r, struct slice body)
{
	(void)body;
	/* The zone after the stamp is applied by syslog.c. */
	if (r->device.len > 0 && r->device.p[r->device.len - 1] == ':')
		r->device.len--;
	if (r->device.len == 0)
		r->device = SLICE_NULL;
}
