/*
 * W3C extended log format family: "#Fields:" handling, line splitting,
 * field validation and the mapping of known fields onto a record.  See
 * w3c_fields.h.
 *
 * Field names follow the W3C working draft (WD-logfile-960323), Microsoft's
 * IIS and ISA/TMG field lists and Blue Coat's ELFF field reference.  Only
 * the fields Cloud Discovery uses are mapped; the rest are columns to skip.
 */
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "lex.h"
#include "w3c_fields.h"

enum w3c_id {
	W3C_OTHER,
	W3C_DATE,
	W3C_TIME,
	W3C_C_IP,
	W3C_C_PORT,
	W3C_USER,
	W3C_CS_HOST,
	W3C_R_HOST,
	W3C_URI,
	W3C_URI_STEM,
	W3C_URI_QUERY,
	W3C_URI_SCHEME,
	W3C_URI_PORT,
	W3C_S_IP,
	W3C_S_PORT,
	W3C_R_IP,
	W3C_R_PORT,
	W3C_SUPPLIER,
	W3C_SC_BYTES,
	W3C_CS_BYTES,
	W3C_SC_STATUS,
	W3C_S_ACTION,
	W3C_FILTER_RESULT,
	W3C_ACTION,
	W3C_UA,
	W3C_PROTOCOL,
	W3C_METHOD,
	W3C_NIDS
};

static const struct {
	const char *name;
	enum w3c_id id;
} w3c_names[] = {
    {"date", W3C_DATE},
    {"time", W3C_TIME},
    {"c-ip", W3C_C_IP},
    {"c-port", W3C_C_PORT},
    {"cs-username", W3C_USER},
    {"cs-host", W3C_CS_HOST},
    {"r-host", W3C_R_HOST},
    {"cs-uri", W3C_URI},
    {"cs-url", W3C_URI},
    {"c-uri", W3C_URI},
    {"cs-uri-stem", W3C_URI_STEM},
    {"cs-uri-path", W3C_URI_STEM},
    {"cs-uri-query", W3C_URI_QUERY},
    {"cs-uri-scheme", W3C_URI_SCHEME},
    {"cs-uri-port", W3C_URI_PORT},
    {"s-ip", W3C_S_IP},
    {"s-port", W3C_S_PORT},
    {"r-ip", W3C_R_IP},
    {"r-port", W3C_R_PORT},
    {"r-supplier-ip", W3C_SUPPLIER},
    {"s-supplier-ip", W3C_SUPPLIER},
    {"s-supplier-name", W3C_SUPPLIER},
    {"sc-bytes", W3C_SC_BYTES},
    {"cs-bytes", W3C_CS_BYTES},
    {"sc-status", W3C_SC_STATUS},
    {"s-action", W3C_S_ACTION},
    {"sc-filter-result", W3C_FILTER_RESULT},
    {"action", W3C_ACTION},
    {"cs(user-agent)", W3C_UA},
    {"c-agent", W3C_UA},
    {"cs-protocol", W3C_PROTOCOL},
    {"cs-method", W3C_METHOD},
    {"s-operation", W3C_METHOD},
};

static enum w3c_id
w3c_lookup(struct slice name)
{
	for (size_t i = 0; i < sizeof(w3c_names) / sizeof(w3c_names[0]); i++)
		if (slice_ieq(name, w3c_names[i].name))
			return w3c_names[i].id;
	return W3C_OTHER;
}

static bool
w3c_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The next name of a directive's value: a run of non-blanks. */
static bool
w3c_next_name(struct slice *rest, struct slice *name)
{
	return lex_word(rest, name);
}

/* Does `line` start with the directive `d` (e.g. "#Fields:")? */
static bool
w3c_is(struct slice line, const char *d)
{
	size_t n = strlen(d);

	return line.len >= n && strncasecmp(line.p, d, n) == 0;
}

static struct slice
w3c_after(struct slice line, const char *d)
{
	size_t n = strlen(d);

	return slice_make(line.p + n, line.len - n);
}

/*
 * Load a field list ("date time c-ip ...") into `st`.  Returns false when
 * it is empty or longer than W3C_MAX_COLS.
 */
static bool
w3c_load(struct w3c_state *st, struct slice list)
{
	struct slice rest = list, name;
	size_t n = 0;

	st->have = false;
	st->tabs = memchr(list.p, '\t', list.len) != NULL;
	while (w3c_next_name(&rest, &name)) {
		if (n == W3C_MAX_COLS)
			return false;
		st->col[n++] = (uint8_t)w3c_lookup(name);
	}
	st->ncols = (uint8_t)n;
	st->have = n > 0;
	return st->have;
}

/*
 * Split a data line into at most `max` values.  Returns the count, or
 * (size_t)-1 when a quote is not closed or there are too many values.
 */
static size_t
w3c_split(struct slice line, bool tabs, struct slice *v, size_t max)
{
	struct slice rest = line, f;
	size_t n = 0;

	if (tabs) {
		while (lex_field(&rest, '\t', &f)) {
			if (n == max)
				return (size_t)-1;
			v[n++] = slice_unquote(slice_trim(f));
		}
		return n;
	}
	for (;;) {
		while (rest.len > 0 && w3c_blank(rest.p[0])) {
			rest.p++;
			rest.len--;
		}
		if (rest.len == 0)
			break;
		if (n == max)
			return (size_t)-1;
		if (!lex_qword(&rest, &f))
			return (size_t)-1;
		/* A closing quote must end the value. */
		if (rest.len > 0 && !w3c_blank(rest.p[0]))
			return (size_t)-1;
		v[n++] = f;
	}
	return n;
}

static bool
w3c_digits(struct slice s, size_t min, size_t max)
{
	if (s.len < min || s.len > max)
		return false;
	for (size_t i = 0; i < s.len; i++)
		if ((unsigned)(s.p[i] - '0') > 9)
			return false;
	return true;
}

/* "2005-05-04" */
static bool
w3c_is_date(struct slice s)
{
	return s.len == 10 && s.p[4] == '-' && s.p[7] == '-' &&
	       w3c_digits(slice_make(s.p, 4), 4, 4) &&
	       w3c_digits(slice_make(s.p + 5, 2), 2, 2) &&
	       w3c_digits(slice_make(s.p + 8, 2), 2, 2);
}

/* "17:16:12", "17:16:12.123" */
static bool
w3c_is_time(struct slice s)
{
	return s.len >= 8 && s.p[2] == ':' && s.p[5] == ':' &&
	       w3c_digits(slice_make(s.p, 2), 2, 2) &&
	       w3c_digits(slice_make(s.p + 3, 2), 2, 2) &&
	       w3c_digits(slice_make(s.p + 6, 2), 2, 2) &&
	       (s.len == 8 ||
	        (s.p[8] == '.' &&
	         w3c_digits(slice_make(s.p + 9, s.len - 9), 1, 9)));
}

/* An upper-case token: "TCP_NC_MISS", "GET". */
static bool
w3c_is_upper(struct slice s)
{
	if (s.len == 0)
		return false;
	for (size_t i = 0; i < s.len; i++) {
		char c = s.p[i];

		if (!((c >= 'A' && c <= 'Z') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static bool
w3c_is_alpha(struct slice s)
{
	if (s.len == 0)
		return false;
	for (size_t i = 0; i < s.len; i++) {
		char c = s.p[i] | 0x20;

		if (c < 'a' || c > 'z')
			return false;
	}
	return true;
}

/*
 * Validate one value for its field.  Returns 1 when it checks out, 0 when
 * the field is not checked or empty, -1 when it contradicts the field.
 */
static int
w3c_check(enum w3c_id id, struct slice v)
{
	uint64_t n;
	uint16_t port;

	if (id == W3C_OTHER || id == W3C_SUPPLIER || id == W3C_USER ||
	    id == W3C_UA)
		return 0;
	if (slice_is_empty_value(v))
		return id == W3C_DATE || id == W3C_TIME ? -1 : 0;
	switch (id) {
	case W3C_DATE:
		return w3c_is_date(v) ? 1 : -1;
	case W3C_TIME:
		return w3c_is_time(v) ? 1 : -1;
	case W3C_C_IP:
	case W3C_S_IP:
	case W3C_R_IP:
		return lex_is_ip(v) ? 1 : -1;
	case W3C_C_PORT:
	case W3C_URI_PORT:
	case W3C_S_PORT:
	case W3C_R_PORT:
		return lex_port(v, &port) ? 1 : -1;
	case W3C_SC_BYTES:
	case W3C_CS_BYTES:
		return lex_u64(v, &n) ? 1 : -1;
	case W3C_SC_STATUS:
		return w3c_digits(v, 1, 5) ? 1 : -1;
	case W3C_S_ACTION:
		return w3c_is_upper(v) ? 1 : -1;
	case W3C_METHOD:
		return w3c_is_alpha(v) || w3c_is_upper(v) ? 1 : -1;
	case W3C_FILTER_RESULT:
		return slice_eq(v, "OBSERVED") || slice_eq(v, "PROXIED") ||
		               slice_eq(v, "DENIED")
		           ? 1
		           : -1;
	case W3C_ACTION:
	case W3C_URI_SCHEME:
	case W3C_PROTOCOL:
		return w3c_is_alpha(v) ? 1 : -1;
	case W3C_URI:
		return v.p[0] == '/' || slice_find(v, "://") != NULL ||
		               memchr(v.p, ':', v.len) != NULL
		           ? 1
		           : -1;
	case W3C_URI_STEM:
		return v.p[0] == '/' ? 1 : -1;
	default:
		return 0;
	}
}

/*
 * Score values against a column map: the number of fields that validate,
 * or -1 when the count differs, a value contradicts its field, or the
 * line has no valid time.
 */
static int
w3c_score(const uint8_t *col, size_t ncols, const struct slice *v, size_t n)
{
	int score = 0;
	bool has_time = false;

	if (n != ncols)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int c = w3c_check((enum w3c_id)col[i], v[i]);

		if (c < 0)
			return -1;
		score += c;
		if (col[i] == W3C_TIME)
			has_time = true;
	}
	return has_time ? score : -1;
}

/*
 * Pick the default field list that fits the values best; load it into
 * `st` as assumed.  Returns its score, or -1 when none fits.
 */
/*
 * A default field list as column ids, loaded once per thread: detection
 * tries every list of three profiles on every first line of every file,
 * and reading the names each time was half of what detecting a small file
 * cost.  Keyed by the list's address (the lists are static).
 */
struct w3c_layout {
	const char *list;
	struct w3c_state st;
	bool ok;
};

static const struct w3c_layout *
w3c_layout(const char *list)
{
	static _Thread_local struct w3c_layout seen[32];
	static _Thread_local size_t nseen;
	struct w3c_layout *lo;

	for (size_t i = 0; i < nseen; i++)
		if (seen[i].list == list)
			return &seen[i];
	lo = &seen[nseen < 32 ? nseen++ : 31];
	memset(lo, 0, sizeof(*lo));
	lo->list = list;
	lo->ok = w3c_load(&lo->st, slice_make(list, strlen(list)));
	return lo;
}

static int
w3c_assume(const struct w3c_profile *pf, struct w3c_state *st,
           const struct slice *v, size_t n, bool tabs)
{
	int best = -1;

	for (size_t i = 0; pf->layouts != NULL && pf->layouts[i]; i++) {
		const struct w3c_layout *lo = w3c_layout(pf->layouts[i]);
		int s;

		if (!lo->ok)
			continue;
		s = w3c_score(lo->st.col, lo->st.ncols, v, n);
		/* Date, time and an address at least. */
		if (s >= 3 && s > best) {
			best = s;
			memcpy(st->col, lo->st.col, sizeof(st->col));
			st->ncols = lo->st.ncols;
		}
	}
	if (best >= 0) {
		st->have = true;
		st->assumed = true;
		st->tabs = tabs;
	}
	return best;
}

/* Apply a directive line to `st`. */
static void
w3c_directive(struct w3c_state *st, struct slice line)
{
	if (w3c_is(line, "#Fields:")) {
		st->assumed = false;
		st->bad = !w3c_load(st, w3c_after(line, "#Fields:"));
	} else if (w3c_is(line, "#Date:")) {
		struct slice rest = w3c_after(line, "#Date:"), d;

		st->have_date = lex_word(&rest, &d) && w3c_is_date(d);
		if (st->have_date)
			memcpy(st->date, d.p, sizeof(st->date));
	}
}

static bool
w3c_time(struct slice date, struct slice time, int64_t *ms)
{
	char buf[40];

	if (!w3c_is_date(date) || !w3c_is_time(time) ||
	    date.len + 1 + time.len > sizeof(buf))
		return false;
	memcpy(buf, date.p, date.len);
	buf[date.len] = ' ';
	memcpy(buf + date.len + 1, time.p, time.len);
	return time_iso(slice_make(buf, date.len + 1 + time.len), ms);
}

static struct slice
w3c_val(const struct slice *f, enum w3c_id id)
{
	struct slice v = f[id];

	return slice_is_empty_value(v) ? SLICE_NULL : v;
}

/*
 * The request URL: cs-uri as logged, or put together from its parts as
 * Blue Coat and IIS log them (scheme, host, port, path, query).  A query
 * that does not start with '?' (IIS) gets one.  Default ports are left
 * out.  Without a scheme or host the path is returned as it stands.
 */
static struct slice
w3c_url(const struct slice *f, struct slice host, struct arena *a)
{
	struct slice uri = w3c_val(f, W3C_URI);
	struct slice stem = w3c_val(f, W3C_URI_STEM);
	struct slice query = w3c_val(f, W3C_URI_QUERY);
	struct slice scheme = w3c_val(f, W3C_URI_SCHEME);
	struct slice port = w3c_val(f, W3C_URI_PORT);
	size_t len;
	char *buf, *p;

	if (uri.len > 0)
		return uri;
	if (scheme.len == 0 || host.len == 0) {
		scheme = host = port = SLICE_NULL;
		if (query.len == 0)
			return stem;
	}
	if ((slice_ieq(scheme, "http") && slice_eq(port, "80")) ||
	    (slice_ieq(scheme, "https") && slice_eq(port, "443")))
		port = SLICE_NULL;
	len =
	    scheme.len + 3 + host.len + 1 + port.len + stem.len + 1 + query.len;
	if ((buf = arena_alloc(a, len)) == NULL)
		return SLICE_NULL;
	p = buf;
	if (scheme.len > 0) {
		memcpy(p, scheme.p, scheme.len);
		p += scheme.len;
		memcpy(p, "://", 3);
		p += 3;
		memcpy(p, host.p, host.len);
		p += host.len;
		if (port.len > 0) {
			*p++ = ':';
			memcpy(p, port.p, port.len);
			p += port.len;
		}
	}
	if (stem.len > 0) { /* an absent stem is NULL: not for memcpy */
		memcpy(p, stem.p, stem.len);
		p += stem.len;
	}
	if (query.len > 0) {
		if (query.p[0] != '?')
			*p++ = '?';
		memcpy(p, query.p, query.len);
		p += query.len;
	}
	return slice_make(buf, (size_t)(p - buf));
}

static void
w3c_port(struct record *r, struct slice v)
{
	uint16_t port;

	if (!(r->has & REC_HAS_DST_PORT) && lex_port(v, &port)) {
		r->dst_port = port;
		r->has |= REC_HAS_DST_PORT;
	}
}

/* Map the values of known fields (`f`, by field id) onto `r`. */
static enum parse_result
w3c_fill(const struct w3c_profile *pf, const struct w3c_state *st,
         const struct slice *f, struct record *r, struct arena *a)
{
	struct slice v, date, host;
	uint16_t port;
	bool has_port;
	int64_t ms;

	date = w3c_val(f, W3C_DATE);
	if (date.len == 0 && st->have_date)
		date = slice_make(st->date, sizeof(st->date));
	if (w3c_val(f, W3C_TIME).len > 0) {
		if (!w3c_time(date, w3c_val(f, W3C_TIME), &ms)) {
			r->reason = "bad date or time";
			return PARSE_REJECT;
		}
		/* W3C times are UTC (GMT in Blue Coat's words). */
		r->time_ms = ms;
		r->has |= REC_HAS_TIME;
	}
	r->src_ip = w3c_val(f, W3C_C_IP);
	if (r->src_ip.len > 0 && !lex_is_ip(r->src_ip)) {
		r->reason = "client address is not an IP address";
		return PARSE_REJECT;
	}
	if (lex_port(w3c_val(f, W3C_C_PORT), &port)) {
		r->src_port = port;
		r->has |= REC_HAS_SRC_PORT;
	}
	r->user = w3c_val(f, W3C_USER);
	if (pf->anonymous_is_none && slice_ieq(r->user, "anonymous"))
		r->user = SLICE_NULL;
	r->user_agent = w3c_val(f, W3C_UA);

	/* Destination host: cs-host (may carry a port), r-host, the URL. */
	host = w3c_val(f, W3C_CS_HOST);
	if (host.len == 0)
		host = w3c_val(f, W3C_R_HOST);
	if (host.len > 0) {
		host = lex_hostport(host, &port, &has_port);
		if (has_port) {
			r->dst_port = port;
			r->has |= REC_HAS_DST_PORT;
		}
	}
	r->url = w3c_url(f, host, a);
	if (host.len == 0 && r->url.len > 0) {
		host = lex_url_host(r->url, &port, &has_port);
		if (has_port && !(r->has & REC_HAS_DST_PORT)) {
			r->dst_port = port;
			r->has |= REC_HAS_DST_PORT;
		}
	}
	r->dst_host = host;
	w3c_port(r, w3c_val(f, W3C_URI_PORT));
	w3c_port(r, w3c_val(f, W3C_R_PORT));
	if ((v = w3c_val(f, W3C_R_IP)).len > 0 && lex_is_ip(v))
		r->dst_ip = v;
	else if ((v = w3c_val(f, W3C_SUPPLIER)).len > 0 && lex_is_ip(v))
		r->dst_ip = v;
	else if (pf->s_ip_is_dest && (v = w3c_val(f, W3C_S_IP)).len > 0 &&
	         lex_is_ip(v))
		r->dst_ip = v;
	if (pf->s_ip_is_dest)
		w3c_port(r, w3c_val(f, W3C_S_PORT));

	if ((v = w3c_val(f, W3C_URI_SCHEME)).len > 0 ||
	    (v = w3c_val(f, W3C_PROTOCOL)).len > 0)
		r->proto = v;
	else if (r->url.len > 0) {
		const char *sep = slice_find(r->url, "://");

		if (sep != NULL)
			r->proto =
			    slice_make(r->url.p, (size_t)(sep - r->url.p));
	}

	if (lex_u64(w3c_val(f, W3C_SC_BYTES), &r->bytes_down))
		r->has |= REC_HAS_BYTES_DOWN;
	if (lex_u64(w3c_val(f, W3C_CS_BYTES), &r->bytes_up))
		r->has |= REC_HAS_BYTES_UP;

	/*
	 * Blue Coat: sc-filter-result OBSERVED/PROXIED pass, DENIED blocks;
	 * s-action TCP_DENIED etc. when there is no filter result.  ISA/TMG:
	 * action Allowed/Denied ("Failed" is a failed connection, not a
	 * policy decision).
	 */
	if ((v = w3c_val(f, W3C_FILTER_RESULT)).len > 0)
		r->action =
		    slice_eq(v, "DENIED") ? REC_ACTION_DENY : REC_ACTION_ALLOW;
	else if ((v = w3c_val(f, W3C_ACTION)).len > 0) {
		if (slice_ieq(v, "Allowed"))
			r->action = REC_ACTION_ALLOW;
		else if (slice_ieq(v, "Denied"))
			r->action = REC_ACTION_DENY;
	} else if ((v = w3c_val(f, W3C_S_ACTION)).len > 0)
		r->action = slice_find(v, "DENIED") ? REC_ACTION_DENY
		                                    : REC_ACTION_ALLOW;

	if (!(r->has & REC_HAS_TIME)) {
		r->reason = "no date and time";
		return PARSE_PARTIAL;
	}
	if (r->src_ip.len == 0) {
		r->reason = "no client address";
		return PARSE_PARTIAL;
	}
	if (r->dst_host.len == 0 && r->dst_ip.len == 0) {
		r->reason = "no destination";
		return PARSE_PARTIAL;
	}
	return PARSE_OK;
}

enum parse_result
w3c_parse(const struct w3c_profile *pf, struct w3c_state *st, struct slice line,
          struct record *r, struct arena *a)
{
	struct slice v[W3C_MAX_COLS], f[W3C_NIDS];
	size_t n;
	bool tabs;

	if (r->syslog)
		line = line;
	/* Keep tabs: an empty last column of a tab-separated line counts. */
	while (line.len > 0 &&
	       (line.p[line.len - 1] == ' ' || line.p[line.len - 1] == '\r' ||
	        line.p[line.len - 1] == '\n'))
		line.len--;
	while (line.len > 0 && line.p[0] == ' ') {
		line.p++;
		line.len--;
	}
	if (line.len == 0)
		return PARSE_SKIP;
	if (line.p[0] == '#') {
		w3c_directive(st, line);
		return PARSE_SKIP;
	}
	if (st->bad) {
		r->reason = "unusable #Fields directive";
		return PARSE_REJECT;
	}
	tabs = st->have && !st->assumed
	           ? st->tabs
	           : memchr(line.p, '\t', line.len) != NULL;
	n = w3c_split(line, tabs, v, W3C_MAX_COLS);
	if (n == (size_t)-1) {
		r->reason = "unterminated quote or too many columns";
		return PARSE_REJECT;
	}
	if (!st->have || (st->assumed && n != st->ncols)) {
		if (w3c_assume(pf, st, v, n, tabs) < 0) {
			r->reason = st->have ? "line does not match the "
			                       "assumed default fields"
			                     : "no #Fields directive, and no "
			                       "default field list fits";
			return PARSE_REJECT;
		}
	}
	if (n != st->ncols) {
		r->reason = "column count differs from #Fields";
		return PARSE_REJECT;
	}
	memset(f, 0, sizeof(f));
	for (size_t i = 0; i < n; i++) {
		enum w3c_id id = (enum w3c_id)st->col[i];

		/* The first of repeated fields wins. */
		if (id != W3C_OTHER && f[id].p == NULL)
			f[id] = v[i];
	}
	return w3c_fill(pf, st, f, r, a);
}

/* Is `name` one of the NULL-ended `list`? */
static bool
w3c_in(struct slice name, const char *const *list)
{
	for (size_t i = 0; list != NULL && list[i]; i++)
		if (slice_ieq(name, list[i]))
			return true;
	return false;
}

int
w3c_bid(const struct w3c_profile *pf, const struct peek *pk, int *vendor)
{
	static const char *const other[] = {
	    "#Version:",  "#Date:",   "#Start-Date:",
	    "#End-Date:", "#Remark:", NULL};
	struct w3c_state st;
	int core = 0, ven = 0;

	memset(&st, 0, sizeof(st));
	for (size_t i = 0; i < pk->nlines; i++) {
		struct slice b = slice_trim(pk->body[i]), v[W3C_MAX_COLS];
		size_t n;
		int s;

		if (pk->body[i].p != pk->raw[i].p)
			b = b;

		if (b.len == 0)
			continue;
		if (w3c_is(b, "#Fields:")) {
			struct slice rest = w3c_after(b, "#Fields:"), name;

			core += 8 * 8;
			while (w3c_next_name(&rest, &name))
				if (w3c_in(name, pf->sig_fields))
					ven += 8;
			w3c_directive(&st, b);
			continue;
		}
		if (w3c_is(b, "#Software:")) {
			struct slice sw =
			    slice_trim(w3c_after(b, "#Software:"));

			core += 8 * 10;
			for (size_t k = 0; pf->software && pf->software[k]; k++)
				if (slice_starts(sw, pf->software[k])) {
					ven += 8 * (int)strlen(pf->software[k]);
					break;
				}
			continue;
		}
		if (b.p[0] == '#') {
			for (size_t k = 0; other[k]; k++)
				if (w3c_is(b, other[k])) {
					core += 8 * (int)strlen(other[k]);
					w3c_directive(&st, b);
				}
			continue;
		}
		n = w3c_split(b,
		              st.have && !st.assumed
		                  ? st.tabs
		                  : memchr(b.p, '\t', b.len) != NULL,
		              v, W3C_MAX_COLS);
		if (n == (size_t)-1)
			continue;
		if (st.have && !st.assumed) {
			s = w3c_score(st.col, st.ncols, v, n);
		} else {
			s = w3c_assume(pf, &st, v, n,
			               memchr(b.p, '\t', b.len) != NULL);
			if (s > 0 && pf->layouts_are_vendor)
				ven += 8 * 2;
		}
		if (s > 0)
			core += 8 * s;
	}
	*vendor = ven;
	return core;
}
