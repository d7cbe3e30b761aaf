/*
 * Microsoft ISA Server / Forefront TMG web proxy log in W3C format, MDCA
 * "Microsoft Forefront Threat Management Gateway (W3C)".
 *
 *	#Software: Microsoft Internet Security and Acceleration Server 2004
 *	#Fields: c-ip<TAB>cs-username<TAB>c-agent<TAB>...<TAB>action
 *	10.25.34.65<TAB>ACME\sstorm<TAB>kh_lt/LT3.0.0762<TAB>Y<TAB>2006-11-12...
 *
 * Tab-separated, values keep their spaces ("Acrobat Messages Updater").
 * Destination from r-host / r-ip / r-port, URL cs-uri, protocol
 * cs-protocol, cs-bytes up and sc-bytes down, action Allowed/Denied (ISA
 * 2000 logs have no action column: unknown).  "anonymous" is ISA's name
 * for an unauthenticated client and is dropped.  Without "#Fields:" the
 * ISA 2004/TMG (29 columns) and ISA 2000 (25) web proxy lists are tried.
 */
#include <stddef.h>

#include "parser.h"
#include "w3c_fields.h"

static const char *const isa_layouts[] = {
    /* ISA 2004/2006, TMG web proxy */
    "c-ip\tcs-username\tc-agent\tsc-authenticated\tdate\ttime\ts-svcname\t"
    "s-computername\tcs-referred\tr-host\tr-ip\tr-port\ttime-taken\t"
    "cs-bytes\tsc-bytes\tcs-protocol\tcs-transport\ts-operation\tcs-uri\t"
    "cs-mime-type\ts-object-source\tsc-status\ts-cache-info\trule\t"
    "FilterInfo\tcs-Network\tsc-Network\terror-info\taction",
    /* ISA 2000 web proxy */
    "c-ip\tcs-username\tc-agent\tsc-authenticated\tdate\ttime\ts-svcname\t"
    "s-computername\tcs-referred\tr-host\tr-ip\tr-port\ttime-taken\t"
    "cs-bytes\tsc-bytes\tcs-protocol\tcs-transport\ts-operation\tcs-uri\t"
    "cs-mime-type\ts-object-source\tsc-status\ts-cache-info\trule#1\t"
    "rule#2",
    NULL,
};

/* Fields only ISA/TMG writes. */
static const char *const isa_sig[] = {
    "c-agent",      "sc-authenticated",
    "s-svcname",    "cs-referred",
    "r-host",       "r-ip",
    "r-port",       "cs-transport",
    "s-operation",  "s-object-source",
    "s-cache-info", "rule",
    "rule#1",       "rule#2",
    "FilterInfo",   "cs-Network",
    "sc-Network",   "error-info",
    NULL,
};

static const char *const isa_software[] = {
    "Microsoft Internet Security and Acceleration",
    "Microsoft(R) Internet Security and Acceleration",
    "Microsoft Forefront",
    "Microsoft(R) Forefront",
    NULL,
};

static const struct w3c_profile isa_profile = {
    .layouts = isa_layouts,
    .sig_fields = isa_sig,
    .software = isa_software,
    .anonymous_is_none = true,
    .layouts_are_vendor = true,
};

static int
isa_w3c_bid(const struct peek *pk)
{
	int vendor, core = w3c_bid(&isa_profile, pk, &vendor);

	return vendor > 0 ? core + vendor : 0;
}

static enum parse_result
isa_w3c_parse(void *state, struct slice line, struct record *r, struct arena *a)
{
	return w3c_parse(&isa_profile, state, line, r, a);
}

const struct parser parser_isa_w3c = {
    .name = "isa_w3c",
    .description = "Microsoft ISA Server / Forefront TMG web proxy (W3C)",
    .source_id = "MICROSOFT_ISA_W3C",
    .source_id_syslog = "MICROSOFT_ISA_W3C_SYSLOG",
    .log_type = 159,
    .max_bid = W3C_MAX_BID,
    .state_size = sizeof(struct w3c_state),
    .bid = isa_w3c_bid,
    .parse = isa_w3c_parse,
};
