/*
 * Forcepoint Web Security Cloud CSV export (Log Export SIEM tool), MDCA
 * "Forcepoint Web Security - Cloud" (FORCEPOINT).
 *
 * The export format is set in the cloud portal; the default columns are
 *
 *	"Date","Time","User","Workstation","Category","Action","Risk Class",
 *	"Policy","URL","Connection IP","Destination IP","Source IP",
 *	"Threat Type","Threat Name","User Agent","HTTP Status Code",
 *	"Request Method"
 *
 *	"16/12/2022","07:05:25","anonymous","Not available","Reference
 *	    Materials,Trusted Server Downloads","Allowed",...
 *
 * Every field is quoted; lists (categories, risk classes) hold commas.
 * The date is dd/mm/yyyy, the time UTC as the cloud service logs it.  The
 * URL has no scheme ("host:443/").  "Connection IP" is the public address
 * the request reached the cloud from, "Source IP" the client's own (often
 * "Not available"); the client's is preferred.  No byte counts are in the
 * default columns.  A column-name row, when a file has one, is skipped.
 */
#include <string.h>

#include "csv_family.h"
#include "lex.h"
#include "parser.h"

#define FP_NFIELDS 17

enum {
	FP_DATE,
	FP_TIME,
	FP_USER,
	FP_WORKSTATION,
	FP_CATEGORY,
	FP_ACTION,
	FP_RISK,
	FP_POLICY,
	FP_URL,
	FP_CONN_IP,
	FP_DST_IP,
	FP_SRC_IP,
	FP_THREAT_TYPE,
	FP_THREAT_NAME,
	FP_UA,
	FP_STATUS,
	FP_METHOD,
};

static enum rec_action
fp_action(struct slice a)
{
	if (slice_ieq(a, "Allowed") || slice_ieq(a, "Permitted"))
		return REC_ACTION_ALLOW;
	if (slice_ieq(a, "Blocked") || slice_ieq(a, "Denied"))
		return REC_ACTION_DENY;
	return REC_ACTION_UNKNOWN;
}

/* "Not available" is the export's own way of saying "no value". */
static struct slice
fp_value(struct slice f, bool quoted, struct arena *a)
{
	struct slice v = csvf_value(f, quoted, a);

	return slice_eq(v, "Not available") ? SLICE_NULL : v;
}

static bool
fp_time(struct slice date, struct slice time, int64_t *ms)
{
	int y, mo, d, sec;

	if (!csvf_date_slash(date, false, &y, &mo, &d) ||
	    !csvf_clock(time, &sec))
		return false;
	*ms = time_make(y, mo, d, 0, 0, sec, 0);
	return true;
}

static bool
fp_is_header(const struct slice *f, size_t n)
{
	return n > FP_URL && slice_ieq(f[FP_DATE], "Date") &&
	       slice_ieq(f[FP_TIME], "Time");
}

static int
forcepoint_csv_bid(const struct peek *pk)
{
	int bid = 0;

	for (size_t i = 0; i < pk->nlines; i++) {
		struct slice f[FP_NFIELDS];
		bool q[FP_NFIELDS];
		size_t n = csvf_split(pk->body[i], f, q, FP_NFIELDS);
		int64_t ms;
		uint16_t port;
		bool has_port;
		int b;

		if (n <= FP_SRC_IP || !q[FP_DATE] ||
		    !fp_time(f[FP_DATE], f[FP_TIME], &ms))
			continue;
		b = 8 * 3; /* quoted d/m/y date and time */
		if (fp_action(f[FP_ACTION]) != REC_ACTION_UNKNOWN)
			b += 8;
		if (csvf_url_host(f[FP_URL], &port, &has_port).len > 0)
			b += 8;
		if (lex_is_ip(f[FP_CONN_IP]) || lex_is_ip(f[FP_SRC_IP]))
			b += 8;
		if (lex_is_ip(f[FP_DST_IP]))
			b += 8;
		if (b >= 8 * 5)
			bid += b;
	}
	return bid;
}

static enum parse_result
forcepoint_csv_parse(void *state, struct slice line, struct record *r,
                     struct arena *a)
{
	struct slice f[FP_NFIELDS], v;
	bool q[FP_NFIELDS];
	size_t n;
	uint16_t port;
	bool has_port;

	(void)state;
	line = slice_trim(line);
	if (line.len == 0)
		return PARSE_SKIP;
	n = csvf_split(line, f, q, FP_NFIELDS);
	if (fp_is_header(f, n)) {
		r->reason = "column header";
		return PARSE_SKIP;
	}
	if (n == 0 || !fp_time(f[FP_DATE], n > 1 ? f[FP_TIME] : SLICE_NULL,
	                       &r->time_ms)) {
		r->reason = "no dd/mm/yyyy date and time in the first fields";
		return PARSE_REJECT;
	}
	r->has |= REC_HAS_TIME;
	if (n <= FP_SRC_IP) {
		r->reason = "too few fields";
		return PARSE_REJECT;
	}
	r->user = fp_value(f[FP_USER], q[FP_USER], a);
	r->action = fp_action(f[FP_ACTION]);
	if ((v = fp_value(f[FP_URL], q[FP_URL], a)).len > 0) {
		r->url = v;
		r->dst_host = csvf_url_host(v, &port, &has_port);
		if (has_port) {
			r->dst_port = port;
			r->has |= REC_HAS_DST_PORT;
		}
	}
	if (lex_is_ip(f[FP_SRC_IP]))
		r->src_ip = f[FP_SRC_IP];
	else if (lex_is_ip(f[FP_CONN_IP]))
		r->src_ip = f[FP_CONN_IP];
	if (lex_is_ip(f[FP_DST_IP]) && !slice_eq(f[FP_DST_IP], "0.0.0.0"))
		r->dst_ip = f[FP_DST_IP];
	if (n > FP_UA && (v = fp_value(f[FP_UA], q[FP_UA], a)).len > 0)
		r->user_agent = v;
	if (r->dst_host.len == 0 && r->dst_ip.len == 0) {
		r->reason = "no destination";
		return PARSE_PARTIAL;
	}
	if (r->src_ip.len == 0) {
		r->reason = "no source address";
		return PARSE_PARTIAL;
	}
	return PARSE_OK;
}

const struct parser parser_forcepoint_csv = {
    .name = "forcepoint_csv",
    .description = "Forcepoint Web Security Cloud CSV export",
    .source_id = "FORCEPOINT",
    .source_id_syslog = NULL,
    .log_type = 202,
    .max_bid = PEEK_LINES * 8 * 7,
    .bid = forcepoint_csv_bid,
    .parse = forcepoint_csv_parse,
};
