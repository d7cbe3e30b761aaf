/*
 * Websense v7.5 investigative detail report, exported as CSV, MDCA
 * "Websense - Investigative detail report (CSV)" (WEBSENSE_V7_5).
 *
 * A detail report is a table whose columns the administrator picks from
 * the documented set (Websense/Forcepoint "Columns for flexible detail
 * investigative reports"): User, Day, URL Hostname, Domain, Group, Risk
 * Class, Directory Object, Action, Source Server, Source IP, Destination
 * IP, Full URL, Month, Port, Protocol, Protocol Group, Category,
 * Disposition, Bandwidth [KB], Sent [KB], Received [KB], Hits, Time, ...
 * The export starts with a row of those column names; the rows follow in
 * the same order:
 *
 *	Date,Time,User,Source IP,Destination IP,URL Hostname,Full URL,...
 *	2010-03-15,10:32:11,CORP\jdoe,10.1.1.5,93.184.216.34,www.example...
 *
 * No public sample of such a file exists, so the parser reads the column
 * names instead of assuming an order: the header row is required, and is
 * kept in the per-source state.  Dates are written as the report's locale
 * shows them: yyyy-mm-dd or m/d/yyyy (d/m/yyyy when the first number
 * cannot be a month), with an optional time and AM/PM.  No zone: UTC.
 * Byte columns in KB are turned into bytes (x 1024).
 */
#include <string.h>

#include "csv_family.h"
#include "lex.h"
#include "parser.h"

#define WS_MAXCOLS 64

enum ws_role {
	WS_DATE,
	WS_TIME,
	WS_USER,
	WS_SRC,
	WS_DST,
	WS_HOST,
	WS_URL,
	WS_ACTION,
	WS_PORT,
	WS_PROTO,
	WS_SENT,
	WS_RECV,
	WS_BANDWIDTH,
	WS_UA,
	WS_NROLES
};

static const struct {
	const char *name;
	enum ws_role role;
} ws_names[] = {
    {"Date", WS_DATE},
    {"Day", WS_DATE},
    {"Date/Time", WS_DATE},
    {"Time", WS_TIME},
    {"User", WS_USER},
    {"User Name", WS_USER},
    {"Source IP", WS_SRC},
    {"Destination IP", WS_DST},
    {"URL Hostname", WS_HOST},
    {"Full URL", WS_URL},
    {"URL", WS_URL},
    {"Action", WS_ACTION},
    {"Disposition", WS_ACTION},
    {"Port", WS_PORT},
    {"Protocol", WS_PROTO},
    {"Sent [KB]", WS_SENT},
    {"Sent", WS_SENT},
    {"Bytes Sent", WS_SENT},
    {"Received [KB]", WS_RECV},
    {"Received", WS_RECV},
    {"Bytes Received", WS_RECV},
    {"Bandwidth [KB]", WS_BANDWIDTH},
    {"Bandwidth", WS_BANDWIDTH},
    {"User Agent", WS_UA},
};

/* Documented report columns discolog does not use, still proof of a
 * report header. */
static const char *const ws_other[] = {
    "Domain",        "Group",       "Risk Class",     "Directory Object",
    "Source Server", "Month",       "Protocol Group", "Category",
    "Hits",          "Browse Time",
};

struct ws_state {
	bool have;                    /* a header row was read */
	unsigned char col[WS_NROLES]; /* column index + 1, 0: absent */
	bool kb[WS_NROLES];           /* the column counts kilobytes */
	unsigned char ncols;          /* columns in the header */
};

struct ws_header {
	struct ws_state st;
	int sig;      /* bytes of known column names */
	int nknown;   /* known columns */
	bool foreign; /* a column of another vendor's export */
};

static void
ws_read_header(struct slice line, struct ws_header *h)
{
	struct slice f[WS_MAXCOLS];
	bool q[WS_MAXCOLS];
	size_t n = csvf_split(line, f, q, WS_MAXCOLS);

	memset(h, 0, sizeof(*h));
	for (size_t i = 0; i < n; i++) {
		struct slice name = slice_trim(f[i]);
		bool known = false;

		for (size_t k = 0; k < sizeof(ws_names) / sizeof(ws_names[0]);
		     k++) {
			if (!slice_ieq(name, ws_names[k].name))
				continue;
			known = true;
			if (h->st.col[ws_names[k].role] == 0) {
				h->st.col[ws_names[k].role] =
				    (unsigned char)(i + 1);
				h->st.kb[ws_names[k].role] =
				    slice_find(name, "[KB]") != NULL;
			}
			break;
		}
		for (size_t k = 0;
		     !known && k < sizeof(ws_other) / sizeof(ws_other[0]); k++)
			known = slice_ieq(name, ws_other[k]);
		/* Forcepoint Cloud's export has a header of its own. */
		if (slice_ieq(name, "Connection IP") ||
		    slice_ieq(name, "Workstation"))
			h->foreign = true;
		if (known) {
			h->nknown++;
			h->sig += (int)name.len;
		}
	}
	h->st.ncols = (unsigned char)n;
	h->st.have = h->nknown >= 3 && !h->foreign &&
	             (h->st.col[WS_HOST] || h->st.col[WS_URL]) &&
	             (h->st.col[WS_SRC] || h->st.col[WS_USER]);
}

static struct slice
ws_get(const struct ws_state *st, enum ws_role role, const struct slice *f,
       const bool *q, size_t n, struct arena *a)
{
	unsigned c = st->col[role];

	if (c == 0 || c > n)
		return SLICE_NULL;
	/* Bidders have no arena: they look at the raw field. */
	return csvf_value(f[c - 1], a != NULL && q[c - 1], a);
}

/* "2010-03-15", "3/15/2010", "15/3/2010", each with an optional time. */
static bool
ws_time(struct slice date, struct slice time, int64_t *ms)
{
	const char *sp;
	struct slice d = date, clock = time;
	int y, mo, dd, sec = 0;

	if (date.len == 0)
		return false;
	sp = memchr(date.p, ' ', date.len);
	if (sp != NULL) {
		d = slice_make(date.p, (size_t)(sp - date.p));
		if (clock.len == 0)
			clock = slice_make(
			    sp + 1, (size_t)(date.p + date.len - sp - 1));
	}
	if (!csvf_date_iso(d, &y, &mo, &dd) &&
	    !csvf_date_slash(d, true, &y, &mo, &dd) &&
	    !csvf_date_slash(d, false, &y, &mo, &dd))
		return false;
	if (clock.len > 0 && !csvf_clock(clock, &sec))
		return false;
	*ms = time_make(y, mo, dd, 0, 0, sec, 0);
	return true;
}

static enum rec_action
ws_action(struct slice a)
{
	/* "category permitted", "category blocked", "blocked by quota",
	 * "permitted by exception", ... */
	if (a.len == 0)
		return REC_ACTION_UNKNOWN;
	for (size_t i = 0; i + 5 <= a.len; i++) {
		struct slice w = slice_make(a.p + i, 5);

		if (slice_ieq(w, "block") || slice_ieq(w, "denie"))
			return REC_ACTION_DENY;
	}
	for (size_t i = 0; i + 6 <= a.len; i++) {
		struct slice w = slice_make(a.p + i, 6);

		if (slice_ieq(w, "permit") || slice_ieq(w, "allowe"))
			return REC_ACTION_ALLOW;
	}
	return REC_ACTION_UNKNOWN;
}

/* A byte count, in KB with decimals when the column says [KB]. */
static bool
ws_bytes(struct slice s, bool kb, uint64_t *v)
{
	const char *dot;
	uint64_t whole, frac = 0, scale = 1;

	s = slice_trim(s);
	if (s.len == 0)
		return false;
	if (!kb)
		return lex_u64(s, v);
	dot = memchr(s.p, '.', s.len);
	if (dot == NULL)
		dot = s.p + s.len;
	if (!lex_u64(slice_make(s.p, (size_t)(dot - s.p)), &whole) ||
	    whole > UINT64_MAX / 1024)
		return false;
	for (const char *p = dot + 1; p < s.p + s.len && scale < 1000000; p++) {
		if ((unsigned)(*p - '0') > 9)
			return false;
		frac = frac * 10 + (uint64_t)(*p - '0');
		scale *= 10;
	}
	*v = whole * 1024 + (frac * 1024 + scale / 2) / scale;
	return true;
}

static int
websense_csv_bid(const struct peek *pk)
{
	struct ws_header h;
	int bid = 0;

	for (size_t i = 0; i < pk->nlines; i++) {
		struct slice f[WS_MAXCOLS];
		bool q[WS_MAXCOLS];
		size_t n;
		int64_t ms;

		if (i == 0 || !h.st.have) {
			ws_read_header(pk->body[i], &h);
			if (h.foreign)
				return 0;
			if (h.st.have) {
				bid += 8 * (h.sig < 160 ? h.sig : 160);
				continue;
			}
		}
		if (!h.st.have)
			continue;
		n = csvf_split(pk->body[i], f, q, WS_MAXCOLS);
		if (ws_time(ws_get(&h.st, WS_DATE, f, q, n, NULL),
		            ws_get(&h.st, WS_TIME, f, q, n, NULL), &ms))
			bid += 8;
		if (lex_is_ip(ws_get(&h.st, WS_SRC, f, q, n, NULL)))
			bid += 8;
		if (lex_is_ip(ws_get(&h.st, WS_DST, f, q, n, NULL)))
			bid += 8;
	}
	return bid;
}

static enum parse_result
websense_csv_parse(void *state, struct slice line, struct record *r,
                   struct arena *a)
{
	struct ws_state *st = state;
	struct ws_header h;
	struct slice f[WS_MAXCOLS], v;
	bool q[WS_MAXCOLS];
	size_t n;
	uint16_t port;
	bool has_port;

	line = slice_trim(line);
	if (line.len == 0)
		return PARSE_SKIP;
	ws_read_header(line, &h);
	if (h.st.have) {
		*st = h.st;
		r->reason = "column header";
		return PARSE_SKIP;
	}
	if (!st->have) {
		r->reason = "no report column header seen";
		return PARSE_REJECT;
	}
	n = csvf_split(line, f, q, WS_MAXCOLS);
	if (n < st->ncols) {
		r->reason = "row shorter than the column header";
		return PARSE_REJECT;
	}
	if (!ws_time(ws_get(st, WS_DATE, f, q, n, a),
	             ws_get(st, WS_TIME, f, q, n, a), &r->time_ms)) {
		r->reason = "no readable date";
		return PARSE_REJECT;
	}
	r->has |= REC_HAS_TIME;
	r->user = ws_get(st, WS_USER, f, q, n, a);
	if (lex_is_ip(v = ws_get(st, WS_SRC, f, q, n, a)))
		r->src_ip = v;
	if (lex_is_ip(v = ws_get(st, WS_DST, f, q, n, a)))
		r->dst_ip = v;
	r->url = ws_get(st, WS_URL, f, q, n, a);
	if (r->url.len > 0)
		r->dst_host = csvf_url_host(r->url, &port, &has_port);
	if ((v = ws_get(st, WS_HOST, f, q, n, a)).len > 0)
		r->dst_host = v;
	if (lex_port(ws_get(st, WS_PORT, f, q, n, a), &r->dst_port))
		r->has |= REC_HAS_DST_PORT;
	r->proto = ws_get(st, WS_PROTO, f, q, n, a);
	r->action = ws_action(ws_get(st, WS_ACTION, f, q, n, a));
	if (ws_bytes(ws_get(st, WS_SENT, f, q, n, a), st->kb[WS_SENT],
	             &r->bytes_up))
		r->has |= REC_HAS_BYTES_UP;
	if (ws_bytes(ws_get(st, WS_RECV, f, q, n, a), st->kb[WS_RECV],
	             &r->bytes_down))
		r->has |= REC_HAS_BYTES_DOWN;
	if (!(r->has & (REC_HAS_BYTES_UP | REC_HAS_BYTES_DOWN)) &&
	    ws_bytes(ws_get(st, WS_BANDWIDTH, f, q, n, a), st->kb[WS_BANDWIDTH],
	             &r->bytes_total))
		r->has |= REC_HAS_BYTES_TOTAL;
	r->user_agent = ws_get(st, WS_UA, f, q, n, a);
	if (r->dst_host.len == 0 && r->dst_ip.len == 0) {
		r->reason = "no destination";
		return PARSE_PARTIAL;
	}
	if (r->src_ip.len == 0 && r->user.len == 0) {
		r->reason = "no source address or user";
		return PARSE_PARTIAL;
	}
	return PARSE_OK;
}

const struct parser parser_websense_csv = {
    .name = "websense_csv",
    .description = "Websense v7.5 investigative detail report (CSV export)",
    .source_id = "WEBSENSE_V7_5",
    .source_id_syslog = NULL,
    .log_type = 135,
    .max_bid = 8 * 160 + (PEEK_LINES - 1) * 8 * 3,
    .state_size = sizeof(struct ws_state),
    .bid = websense_csv_bid,
    .parse = websense_csv_parse,
};
