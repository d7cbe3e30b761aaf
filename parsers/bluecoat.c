/*
 * Blue Coat / Symantec ProxySG access log in ELFF (W3C extended), MDCA
 * "Blue Coat Proxy SG - Access log (W3C)".
 *
 *	#Software: SGOS 3.2.4.28
 *	#Fields: date time time-taken c-ip sc-status s-action sc-bytes ...
 *	2005-05-04 17:16:12 1 45.110.2.82 200 TCP_HIT 941 729 GET http
 *	    www.inmobus.com /wcm/assets/images/imagefileicon.gif - george
 *	    DIRECT 38.112.92.20 image/gif "Mozilla/4.0 (...)" PROXIED ...
 *
 * Columns come from the "#Fields:" directive (which may change mid-file,
 * and arrives behind a syslog header when the log is relayed).  A source
 * that starts without one is read with the known SGOS field lists: the
 * "main" format (24 columns), main with s-hierarchy (25, as relayed
 * SGOS 6 writes it), "bcreportermain_v1" (25) and the SGOS 3 default (26);
 * the list whose s-action / sc-filter-result columns hold TCP_* and
 * OBSERVED|PROXIED|DENIED is taken.  The URL is rebuilt from scheme, host,
 * port, path and query.  sc-bytes is what went to the client, cs-bytes
 * what the client sent.
 *
 * The "splunk_format" key=value access log is not ELFF, and MDCA's Blue
 * Coat type does not read it: such lines are rejected with that reason.
 */
#include <string.h>

#include "lex.h"
#include "parser.h"
#include "w3c_fields.h"

static const char *const bluecoat_layouts[] = {
    /* main */
    "date time time-taken c-ip sc-status s-action sc-bytes cs-bytes "
    "cs-method cs-uri-scheme cs-host cs-uri-port cs-uri-path cs-uri-query "
    "cs-username cs-auth-group s-supplier-name rs(Content-Type) "
    "cs(Referer) cs(User-Agent) sc-filter-result cs-categories x-virus-id "
    "s-ip",
    /* main with s-hierarchy */
    "date time time-taken c-ip sc-status s-action sc-bytes cs-bytes "
    "cs-method cs-uri-scheme cs-host cs-uri-port cs-uri-path cs-uri-query "
    "cs-username cs-auth-group s-hierarchy s-supplier-name "
    "rs(Content-Type) cs(Referer) cs(User-Agent) sc-filter-result "
    "cs-categories x-virus-id s-ip",
    /* bcreportermain_v1 */
    "date time time-taken c-ip cs-username cs-auth-group x-exception-id "
    "sc-filter-result cs-categories cs(Referer) sc-status s-action "
    "cs-method rs(Content-Type) cs-uri-scheme cs-host cs-uri-port "
    "cs-uri-path cs-uri-query cs-uri-extension cs(User-Agent) s-ip "
    "sc-bytes cs-bytes x-virus-id",
    /* SGOS 3.x default */
    "date time time-taken c-ip sc-status s-action sc-bytes cs-bytes "
    "cs-method cs-uri-scheme cs-host cs-uri-path cs-uri-query cs-username "
    "s-hierarchy s-supplier-name rs(Content-Type) cs(User-Agent) "
    "sc-filter-result sc-filter-category x-virus-id s-ip s-sitename "
    "x-virus-details x-icap-error-code x-icap-error-details",
    NULL,
};

/* Fields only ProxySG writes. */
static const char *const bluecoat_sig[] = {
    "sc-filter-result",     "s-action",          "s-hierarchy",
    "s-supplier-name",      "s-supplier-ip",     "cs-categories",
    "sc-filter-category",   "x-virus-id",        "x-exception-id",
    "cs-auth-group",        "x-icap-error-code", "x-virus-details",
    "x-icap-error-details", "rs(Content-Type)",  NULL,
};

static const char *const bluecoat_software[] = {
    "SGOS",
    "Blue Coat",
    "Symantec",
    NULL,
};

static const struct w3c_profile bluecoat_profile = {
    .layouts = bluecoat_layouts,
    .sig_fields = bluecoat_sig,
    .software = bluecoat_software,
    .layouts_are_vendor = true,
};

static int
bluecoat_bid(const struct peek *pk)
{
	int vendor, core = w3c_bid(&bluecoat_profile, pk, &vendor);

	/* Plain W3C without a ProxySG mark is the generic parser's. */
	return vendor > 0 ? core + vendor : 0;
}

static enum parse_result
bluecoat_parse(void *state, struct slice line, struct record *r,
               struct arena *a)
{
	enum parse_result res;

	res = w3c_parse(&bluecoat_profile, state, line, r, a);
	if (res == PARSE_REJECT && slice_find(line, " c-ip=") != NULL &&
	    slice_find(line, "sc-filter-result=") != NULL)
		r->reason = "ProxySG key=value log, not ELFF: MDCA's Blue Coat "
		            "type needs the W3C (ELFF) access log";
	return res;
}

const struct parser parser_bluecoat = {
    .name = "bluecoat",
    .description = "Blue Coat / Symantec ProxySG access log (ELFF, W3C)",
    .source_id = "BLUECOAT",
    .source_id_syslog = "BLUECOAT_SYSLOG",
    .log_type = 102,
    .max_bid = W3C_MAX_BID,
    .state_size = sizeof(struct w3c_state),
    .bid = bluecoat_bid,
    .parse = bluecoat_parse,
};
