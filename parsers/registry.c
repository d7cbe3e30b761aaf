/*
 * The parser registry: an explicit, ordered table, and detection by bidding
 * (see parser.h for how bids are scored).  Cheap, specific bidders first;
 * on equal bids the one listed first wins.
 */
#include <string.h>

#include "parser.h"
#include "syslog.h"

extern const struct parser parser_fortigate;
extern const struct parser parser_sophos_utm;
extern const struct parser parser_sophos_xg;
extern const struct parser parser_sonicwall;
extern const struct parser parser_stormshield;
extern const struct parser parser_clavister;
extern const struct parser parser_checkpoint;
extern const struct parser parser_juniper_srx;
extern const struct parser parser_juniper_ssg;
extern const struct parser parser_paloalto;
extern const struct parser parser_zscaler;
extern const struct parser parser_forcepoint_csv;
extern const struct parser parser_websense_csv;
extern const struct parser parser_iboss;
extern const struct parser parser_bluecoat;
extern const struct parser parser_isa_w3c;
extern const struct parser parser_w3c;
extern const struct parser parser_mcafee_swg;
extern const struct parser parser_barracuda;
extern const struct parser parser_cisco_asa;
extern const struct parser parser_cisco_ftd;
extern const struct parser parser_cisco_wsa;
extern const struct parser parser_meraki;
extern const struct parser parser_squid_native;
extern const struct parser parser_squid_common;
extern const struct parser parser_zscaler_cef;
extern const struct parser parser_zscaler_leef;
extern const struct parser parser_websense_cef;
extern const struct parser parser_forcepoint_leef;
extern const struct parser parser_checkpoint_cef;
extern const struct parser parser_menlo_cef;
extern const struct parser parser_cef;
extern const struct parser parser_leef;

const struct parser *const parsers[] = {
    &parser_fortigate,
    &parser_sophos_utm,
    &parser_sophos_xg,
    &parser_sonicwall,
    &parser_stormshield,
    &parser_clavister,
    &parser_checkpoint,
    &parser_juniper_srx,
    &parser_juniper_ssg,
    &parser_paloalto,
    &parser_zscaler,
    &parser_forcepoint_csv,
    &parser_websense_csv,
    &parser_iboss,
    &parser_bluecoat,
    &parser_isa_w3c,
    &parser_w3c,
    &parser_mcafee_swg,
    &parser_barracuda,
    &parser_cisco_asa,
    &parser_cisco_ftd,
    &parser_cisco_wsa,
    &parser_meraki,
    &parser_squid_native,
    &parser_squid_common,
    &parser_zscaler_cef,
    &parser_zscaler_leef,
    &parser_websense_cef,
    &parser_forcepoint_leef,
    &parser_checkpoint_cef,
    &parser_menlo_cef,
    &parser_cef,
    &parser_leef,
};

const size_t nparsers = sizeof(parsers) / sizeof(parsers[0]);

#define PARSERS_ADDED_MAX 64

static const struct parser *added[PARSERS_ADDED_MAX];
static size_t nadded;

size_t
parser_count(void)
{
	return nparsers + nadded;
}

const struct parser *
parser_at(size_t i)
{
	if (i < nparsers)
		return parsers[i];
	return i - nparsers < nadded ? added[i - nparsers] : NULL;
}

int
parser_add(const struct parser *p)
{
	if (nadded == PARSERS_ADDED_MAX || parser_find(p->name) != NULL)
		return -1;
	added[nadded++] = p;
	return 0;
}

void
parser_clear(void)
{
	nadded = 0;
}

struct slice
record_upload_bytes(const struct record *r)
{
	return r->upload.len > 0 ? r->upload : r->raw;
}

const struct parser *
parser_choose(const struct peek *pk, int *bid)
{
	return parser_rank(pk, bid, NULL, NULL);
}

const struct parser *
parser_rank(const struct peek *pk0, int *bid, const struct parser **second,
            int *second_bid)
{
	const struct parser *best = NULL, *next = NULL;
	struct peek pk = *pk0;
	int best_bid = 0, next_bid = 0;
	/* With a runner-up wanted, only parsers that cannot beat it skip. */
	int *floor = second ? &next_bid : &best_bid;

	for (size_t i = 0; i < parser_count(); i++) {
		const struct parser *p = parser_at(i);
		int b;

		if ((p->flags & PARSER_NO_DETECT) || p->bid == NULL ||
		    p->max_bid <= *floor)
			continue;
		pk.self = p;
		b = p->bid(&pk);
		if (b > best_bid) {
			next_bid = best_bid;
			next = best;
			best_bid = b;
			best = p;
		} else if (b > next_bid) {
			next_bid = b;
			next = p;
		}
	}
	*bid = best_bid;
	if (second != NULL) {
		*second = next;
		*second_bid = next_bid;
	}
	return best;
}

const struct parser *
parser_find(const char *name)
{
	for (size_t i = 0; i < parser_count(); i++)
		if (strcmp(parser_at(i)->name, name) == 0)
			return parser_at(i);
	return NULL;
}

const char *
parser_source_type(const struct parser *p, bool syslog)
{
	if (syslog && p->source_id_syslog != NULL)
		return p->source_id_syslog;
	return p->source_id;
}

enum parse_result
parser_run(const struct parser *p, void *state, struct slice raw,
           int64_t now_ms, struct record *r, struct arena *a)
{
	struct syslog_hdr h;
	struct slice line = raw;
	enum parse_result res;

	record_reset(r, raw);
	r->parser = p;
	/* A CR left by a CRLF file is not part of any field. */
	if (line.len > 0 && line.p[line.len - 1] == '\r')
		line.len--;
	if (syslog_parse(line, now_ms, &h)) {
		r->syslog = true;
		if (h.has_time) {
			r->time_ms = h.time_ms;
			r->has |= REC_HAS_TIME;
		}
		r->device = h.host;
		if (!(p->flags & PARSER_RAW_LINE))
			line = h.body;
	}
	res = p->parse(state, line, r, a);
	if (r->source_type == NULL)
		r->source_type = parser_source_type(p, r->syslog);
	return res;
}

void
parser_peek(struct peek *pk, const char *path, const struct slice *raw,
            struct slice *body, size_t n, int64_t now_ms)
{
	struct syslog_hdr h;

	if (n > PEEK_LINES)
		n = PEEK_LINES;
	pk->self = NULL;
	pk->path = path;
	pk->raw = raw;
	pk->body = body;
	pk->nlines = n;
	pk->nsyslog = 0;
	for (size_t i = 0; i < n; i++) {
		struct slice line = raw[i];

		if (line.len > 0 && line.p[line.len - 1] == '\r')
			line.len--;
		if (syslog_parse(line, now_ms, &h))
			pk->nsyslog++;
		body[i] = h.body;
	}
}
