/*
 * Generic W3C extended log format and IIS W3C logs, MDCA "Generic W3C".
 *
 *	#Software: Microsoft Internet Information Services 6.0
 *	#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port ...
 *	2006-08-13 00:00:35 10.3.4.2 GET /iisstart.htm - 80 - 10.3.0.5 ...
 *
 * Columns come from "#Fields:".  IIS files read without one are matched
 * against IIS's own field lists: the IIS 6 default (13 columns), with
 * time-taken (14), the IIS 7+ default (15), the site/computer name variant
 * with an X-Forwarded-For column (17, as Elastic's IIS test data has it)
 * and "all fields" (22).  For a web server log the server is the
 * destination: s-ip and s-port, cs-host when logged; the URL is the
 * stem and query, made absolute when a scheme and host are known.
 *
 * IIS's native (non-W3C, comma-separated) format has no MDCA type: it is
 * bid on weakly so that such a source is reported with the fix, and every
 * line rejected.
 */
#include <string.h>

#include "lex.h"
#include "parser.h"
#include "w3c_fields.h"

static const char *const w3c_layouts[] = {
    /* IIS 6 default */
    "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username "
    "c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status",
    "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username "
    "c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status "
    "time-taken",
    /* IIS 7+ default */
    "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username "
    "c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus "
    "sc-win32-status time-taken",
    "date time s-computername s-ip cs-method cs-uri-stem cs-uri-query "
    "s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status "
    "sc-substatus sc-win32-status time-taken X-Forwarded-For",
    /* IIS, every W3C field */
    "date time s-sitename s-computername s-ip cs-method cs-uri-stem "
    "cs-uri-query s-port cs-username c-ip cs-version cs(User-Agent) "
    "cs(Cookie) cs(Referer) cs-host sc-status sc-substatus sc-win32-status "
    "sc-bytes cs-bytes time-taken",
    NULL,
};

static const struct w3c_profile w3c_profile = {
    .layouts = w3c_layouts,
    .s_ip_is_dest = true,
};

/*
 * IIS native log: "client, user, M/D/YYYY, hh:mm:ss, service, server,
 * server ip, ...", comma and space separated.
 */
static bool
w3c_is_iis_native(struct slice line)
{
	struct slice rest = line, f[4];
	size_t slashes = 0;

	for (size_t i = 0; i < 4; i++)
		if (!lex_field(&rest, ',', &f[i]) || rest.len == 0 ||
		    rest.p[0] != ' ')
			return false;
	f[2] = slice_trim(f[2]);
	f[3] = slice_trim(f[3]);
	for (size_t i = 0; i < f[2].len; i++) {
		char c = f[2].p[i];

		if (c == '/')
			slashes++;
		else if ((unsigned)(c - '0') > 9)
			return false;
	}
	return slashes == 2 && f[2].len >= 8 && f[3].len == 8 &&
	       f[3].p[2] == ':' && f[3].p[5] == ':' &&
	       memchr(rest.p, ',', rest.len) != NULL;
}

static int
w3c_generic_bid(const struct peek *pk)
{
	int vendor, bid = w3c_bid(&w3c_profile, pk, &vendor);

	if (bid > 0)
		return bid;
	for (size_t i = 0; i < pk->nlines; i++)
		if (w3c_is_iis_native(pk->body[i]))
			bid += 8 * 3; /* date, time, the ", " layout */
	return bid;
}

static enum parse_result
w3c_generic_parse(void *state, struct slice line, struct record *r,
                  struct arena *a)
{
	enum parse_result res;

	res = w3c_parse(&w3c_profile, state, line, r, a);
	if (res == PARSE_REJECT && w3c_is_iis_native(line))
		r->reason = "IIS native log format is not accepted by MDCA; "
		            "switch IIS to W3C logging";
	return res;
}

const struct parser parser_w3c = {
    .name = "w3c",
    .description = "Generic W3C extended log / IIS W3C log",
    .source_id = "GENERIC_W3C",
    .source_id_syslog = "GENERIC_W3C_SYSLOG",
    .log_type = 183,
    .max_bid = W3C_MAX_BID,
    .state_size = sizeof(struct w3c_state),
    .bid = w3c_generic_bid,
    .parse = w3c_generic_parse,
};
